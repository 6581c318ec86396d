/* SPDX-License-Identifier: ISC */
/*
 * RFC 2047 encoded-word decoding for header values, plus RFC 2231 parameter
 * values.  Knows nothing of MIME structure: one unfolded header value in,
 * UTF-8 out.
 */
#ifndef RFC2047_H
#define RFC2047_H

#include <stddef.h>

#include "charset.h"

struct rfc2047_info {
	unsigned int	 flags;
#define RFC2047_MALFORMED	0x01	/* an encoded word was broken; kept raw (a bad Q "=" is kept as itself) */
#define RFC2047_UNKNOWN_CHARSET	0x02	/* an encoded word named an unknown charset; kept raw */
#define RFC2047_INVALID		0x04	/* decoded bytes were invalid in their charset */
#define RFC2047_RAW_8BIT	0x08	/* undeclared 8-bit bytes outside words (sniffed) */
#define RFC2047_EXCESS		0x10	/* a word encodes pure ASCII text (needless encoding) */
#define RFC2047_ENCODED		0x20	/* at least one encoded word was decoded */
	/* The charset conversions: flags ORed over all of them; declared and
	 * used name the last conversion that raised a flag, else the last. */
	struct charset_info cs;
};

/*
 * Decodes the encoded words in a header value (B and Q).  Adjacent words
 * separated only by linear white space are joined before conversion when
 * they share a charset, so a multibyte character split across two words is
 * rejoined (RFC 2047 §6.2).  Words with unknown charsets or broken syntax
 * are kept as they are and flagged.  Raw 8-bit bytes outside words are
 * sniffed (ISO-2022-JP, CP932, EUC-JP, UTF-8).  Control characters are kept;
 * sanitising for display is the caller's job.  Returns owned UTF-8; info may
 * be NULL.
 */
char	*rfc2047_decode(const char *in, size_t len, struct rfc2047_info *info);

/*
 * Decodes an RFC 2231 extended parameter value: "charset'lang'%xx…" (the
 * caller has already joined continuations name*0*, name*1*…).  Returns owned
 * UTF-8, or NULL when the value is not in that form.
 */
char	*rfc2231_decode(const char *value, struct charset_info *info);

#endif
