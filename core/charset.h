/* SPDX-License-Identifier: ISC */
/*
 * Charset conversion to UTF-8 with Japanese-aware fallbacks and sniffing.
 * Knows nothing of MIME or headers: bytes and a declared label in, UTF-8 and
 * a record of what happened out.  A lie about the charset is reported, never
 * papered over with Latin-1 mojibake.
 */
#ifndef CHARSET_H
#define CHARSET_H

#include <stddef.h>

struct charset_info {
	unsigned int	 flags;
#define CHARSET_UNKNOWN		0x01	/* declared label not known to iconv */
#define CHARSET_INVALID		0x02	/* bytes invalid in the charset used (U+FFFD put in) */
#define CHARSET_MISMATCH	0x04	/* declared charset did not fit; another one did */
#define CHARSET_SNIFFED		0x08	/* nothing usable declared: 8-bit bytes were sniffed */
#define CHARSET_8BIT_UNDECLARED	0x10	/* 8-bit bytes with no (or us-ascii) label */
	char		 declared[32];	/* the label as given, lower-case, "" if none */
	char		 used[32];	/* canonical name actually used for decoding */
};

/*
 * Converts len bytes labelled 'declared' (NULL or "" when unlabelled) to
 * UTF-8.  Always returns an owned NUL-terminated string; bytes that cannot be
 * decoded become U+FFFD and are flagged in *info (which may be NULL).
 * Japanese handling: ISO-2022-JP is decoded with the CP50220/CP932
 * extensions (NEC row 13 such as ①, ㈱; IBM extensions; half-width kana by
 * ESC ( I and SO/SI), Shift_JIS is decoded as CP932, EUC-JP as eucJP-ms.
 * When the declared charset does not fit the bytes, the Japanese encodings
 * and UTF-8 are sniffed and CHARSET_MISMATCH is set.  NUL bytes in the input
 * become U+FFFD.
 */
char		*charset_to_utf8(const char *in, size_t len, const char *declared,
		    struct charset_info *info);

/*
 * Guesses the encoding of 8-bit or escape-bearing text: returns a static
 * canonical name ("UTF-8", "ISO-2022-JP", "CP932", "EUC-JP") or NULL when
 * the bytes are plain ASCII or fit none of them.
 */
const char	*charset_sniff(const char *in, size_t len);

/* Canonical name for a MIME label ("shift_jis" -> "CP932", "x-sjis" -> "CP932",
 * "iso-2022-jp" -> "ISO-2022-JP", "gb2312" -> "GBK", "utf8" -> "UTF-8"…);
 * returns NULL for unknown labels.  Static string. */
const char	*charset_canonical(const char *label);

#endif
