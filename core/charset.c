/* SPDX-License-Identifier: ISC */
/*
 * Charset conversion to UTF-8: iconv for the labels we know, a hand-written
 * ISO-2022-JP decoder (CP50220: NEC/IBM extensions by way of CP932), and
 * Japanese sniffing for unlabelled or mislabelled bytes.  Keeps no state
 * between calls: iconv descriptors are opened per call (about 0.5 us).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "xalloc.h"

/* How a charset behaves, for skipping bad bytes and judging mismatches. */
enum charset_kind {
	CS_ASCII,
	CS_UTF8,
	CS_ISO2022JP,	/* our decoder */
	CS_ISO2022JP2,	/* our decoder, then glibc's ISO-2022-JP-2 */
	CS_CP932,
	CS_EUCJP,	/* eucJP-ms, then plain EUC-JP */
	CS_DBCS,	/* other double-byte sets (GBK, Big5, UHC…) */
	CS_SBCS,	/* single-byte sets: almost any byte string decodes */
	CS_OTHER	/* UTF-16/32/7, ISO-2022-KR, labels iconv knows */
};

struct charset_entry {
	const char		*key;	/* label folded by charset_fold */
	const char		*name;	/* canonical name, also the iconv name */
	enum charset_kind	 kind;
};

/*
 * Labels are folded (lower case, '-', '_' and ' ' dropped) before lookup,
 * so "Shift_JIS", "shift-jis" and "SHIFTJIS" are one key.  Labels not
 * here are still tried with iconv_open by charset_to_utf8.
 */
/* clang-format off */
static const struct charset_entry charset_table[] = {
	{ "usascii",		"US-ASCII",	CS_ASCII },
	{ "ascii",		"US-ASCII",	CS_ASCII },
	{ "us",			"US-ASCII",	CS_ASCII },
	{ "csascii",		"US-ASCII",	CS_ASCII },
	{ "iso646us",		"US-ASCII",	CS_ASCII },
	{ "ansix3.41968",	"US-ASCII",	CS_ASCII },
	{ "utf8",		"UTF-8",	CS_UTF8 },
	{ "unicode11utf8",	"UTF-8",	CS_UTF8 },
	{ "iso2022jp",		"ISO-2022-JP",	CS_ISO2022JP },
	{ "csiso2022jp",	"ISO-2022-JP",	CS_ISO2022JP },
	{ "iso2022jpms",	"ISO-2022-JP",	CS_ISO2022JP },
	{ "iso2022jp1",		"ISO-2022-JP",	CS_ISO2022JP },
	{ "cp50220",		"ISO-2022-JP",	CS_ISO2022JP },
	{ "cp50221",		"ISO-2022-JP",	CS_ISO2022JP },
	{ "cp50222",		"ISO-2022-JP",	CS_ISO2022JP },
	{ "jis",		"ISO-2022-JP",	CS_ISO2022JP },
	{ "iso2022jp2",		"ISO-2022-JP-2", CS_ISO2022JP2 },
	{ "csiso2022jp2",	"ISO-2022-JP-2", CS_ISO2022JP2 },
	{ "shiftjis",		"CP932",	CS_CP932 },
	{ "sjis",		"CP932",	CS_CP932 },
	{ "xsjis",		"CP932",	CS_CP932 },
	{ "mskanji",		"CP932",	CS_CP932 },
	{ "csshiftjis",		"CP932",	CS_CP932 },
	{ "windows31j",		"CP932",	CS_CP932 },
	{ "cswindows31j",	"CP932",	CS_CP932 },
	{ "cp932",		"CP932",	CS_CP932 },
	{ "ms932",		"CP932",	CS_CP932 },
	{ "xmscp932",		"CP932",	CS_CP932 },
	{ "sjiswin",		"CP932",	CS_CP932 },
	{ "sjisopen",		"CP932",	CS_CP932 },
	{ "ibm943",		"CP932",	CS_CP932 },
	{ "eucjp",		"EUC-JP",	CS_EUCJP },
	{ "xeucjp",		"EUC-JP",	CS_EUCJP },
	{ "cseucpkdfmtjapanese", "EUC-JP",	CS_EUCJP },
	{ "eucjpms",		"EUC-JP",	CS_EUCJP },
	{ "eucjpwin",		"EUC-JP",	CS_EUCJP },
	{ "eucjpopen",		"EUC-JP",	CS_EUCJP },
	{ "cp51932",		"EUC-JP",	CS_EUCJP },
	{ "ujis",		"EUC-JP",	CS_EUCJP },
	{ "gb2312",		"GBK",		CS_DBCS },
	{ "csgb2312",		"GBK",		CS_DBCS },
	{ "gb231280",		"GBK",		CS_DBCS },
	{ "euccn",		"GBK",		CS_DBCS },
	{ "xeuccn",		"GBK",		CS_DBCS },
	{ "gbk",		"GBK",		CS_DBCS },
	{ "xgbk",		"GBK",		CS_DBCS },
	{ "csgbk",		"GBK",		CS_DBCS },
	{ "cp936",		"GBK",		CS_DBCS },
	{ "ms936",		"GBK",		CS_DBCS },
	{ "windows936",		"GBK",		CS_DBCS },
	{ "chinese",		"GBK",		CS_DBCS },
	{ "gb18030",		"GB18030",	CS_DBCS },
	{ "big5",		"BIG5-HKSCS",	CS_DBCS },
	{ "xbig5",		"BIG5-HKSCS",	CS_DBCS },
	{ "cnbig5",		"BIG5-HKSCS",	CS_DBCS },
	{ "csbig5",		"BIG5-HKSCS",	CS_DBCS },
	{ "big5hkscs",		"BIG5-HKSCS",	CS_DBCS },
	{ "cp950",		"CP950",	CS_DBCS },
	/* Mail labelled EUC-KR or KS C 5601 is in practice UHC (CP949). */
	{ "euckr",		"CP949",	CS_DBCS },
	{ "cseuckr",		"CP949",	CS_DBCS },
	{ "kscs56011987",	"CP949",	CS_DBCS },
	{ "ksc56011987",	"CP949",	CS_DBCS },
	{ "ksc5601",		"CP949",	CS_DBCS },
	{ "cp949",		"CP949",	CS_DBCS },
	{ "uhc",		"CP949",	CS_DBCS },
	{ "windows949",		"CP949",	CS_DBCS },
	{ "euctw",		"EUC-TW",	CS_OTHER },
	{ "iso2022kr",		"ISO-2022-KR",	CS_OTHER },
	/* WHATWG and every mail client read Latin-1 as windows-1252. */
	{ "iso88591",		"WINDOWS-1252",	CS_SBCS },
	{ "iso885911987",	"WINDOWS-1252",	CS_SBCS },
	{ "latin1",		"WINDOWS-1252",	CS_SBCS },
	{ "l1",			"WINDOWS-1252",	CS_SBCS },
	{ "csisolatin1",	"WINDOWS-1252",	CS_SBCS },
	{ "cp819",		"WINDOWS-1252",	CS_SBCS },
	{ "ibm819",		"WINDOWS-1252",	CS_SBCS },
	{ "iso88592",		"ISO-8859-2",	CS_SBCS },
	{ "iso88593",		"ISO-8859-3",	CS_SBCS },
	{ "iso88594",		"ISO-8859-4",	CS_SBCS },
	{ "iso88595",		"ISO-8859-5",	CS_SBCS },
	{ "iso88596",		"ISO-8859-6",	CS_SBCS },
	{ "iso88597",		"ISO-8859-7",	CS_SBCS },
	{ "iso88598",		"ISO-8859-8",	CS_SBCS },
	{ "iso88598i",		"ISO-8859-8",	CS_SBCS },
	{ "iso88599",		"ISO-8859-9",	CS_SBCS },
	{ "iso885910",		"ISO-8859-10",	CS_SBCS },
	{ "iso885911",		"CP874",	CS_SBCS },
	{ "iso885913",		"ISO-8859-13",	CS_SBCS },
	{ "iso885914",		"ISO-8859-14",	CS_SBCS },
	{ "iso885915",		"ISO-8859-15",	CS_SBCS },
	{ "iso885916",		"ISO-8859-16",	CS_SBCS },
	{ "tis620",		"CP874",	CS_SBCS },
	{ "cp874",		"CP874",	CS_SBCS },
	{ "windows874",		"CP874",	CS_SBCS },
	{ "windows1250",	"WINDOWS-1250",	CS_SBCS },
	{ "windows1251",	"WINDOWS-1251",	CS_SBCS },
	{ "windows1252",	"WINDOWS-1252",	CS_SBCS },
	{ "windows1253",	"WINDOWS-1253",	CS_SBCS },
	{ "windows1254",	"WINDOWS-1254",	CS_SBCS },
	{ "windows1255",	"WINDOWS-1255",	CS_SBCS },
	{ "windows1256",	"WINDOWS-1256",	CS_SBCS },
	{ "windows1257",	"WINDOWS-1257",	CS_SBCS },
	{ "windows1258",	"WINDOWS-1258",	CS_SBCS },
	{ "cp1250",		"WINDOWS-1250",	CS_SBCS },
	{ "cp1251",		"WINDOWS-1251",	CS_SBCS },
	{ "cp1252",		"WINDOWS-1252",	CS_SBCS },
	{ "cp1253",		"WINDOWS-1253",	CS_SBCS },
	{ "cp1254",		"WINDOWS-1254",	CS_SBCS },
	{ "cp1255",		"WINDOWS-1255",	CS_SBCS },
	{ "cp1256",		"WINDOWS-1256",	CS_SBCS },
	{ "cp1257",		"WINDOWS-1257",	CS_SBCS },
	{ "cp1258",		"WINDOWS-1258",	CS_SBCS },
	{ "koi8r",		"KOI8-R",	CS_SBCS },
	{ "koi8u",		"KOI8-U",	CS_SBCS },
	{ "cp866",		"CP866",	CS_SBCS },
	{ "ibm866",		"CP866",	CS_SBCS },
	{ "macintosh",		"MACINTOSH",	CS_SBCS },
	{ "utf7",		"UTF-7",	CS_OTHER },
	{ "utf16",		"UTF-16",	CS_OTHER },
	{ "utf16le",		"UTF-16LE",	CS_OTHER },
	{ "utf16be",		"UTF-16BE",	CS_OTHER },
	{ "utf32",		"UTF-32",	CS_OTHER },
	{ "utf32le",		"UTF-32LE",	CS_OTHER },
	{ "utf32be",		"UTF-32BE",	CS_OTHER },
};
/* clang-format on */

#define CHARSET_LABEL_MAX	64
#define CHARSET_WINDOW		4096	/* bytes handed to one iconv call */

static const char charset_fffd[] = "\xef\xbf\xbd";	/* U+FFFD */

/* What a UTF-8 scan found; also the sniffing score for UTF-8. */
struct charset_u8 {
	size_t	 invalid;	/* ill-formed subsequences */
	size_t	 nul;		/* NUL bytes */
	size_t	 mb;		/* well-formed multibyte characters */
	size_t	 kana;		/* U+3040–U+30FF */
	size_t	 cjk;		/* U+4E00–U+9FFF */
};

/* A sniffing candidate's tally over the 8-bit bytes. */
struct charset_score {
	const char	*name;
	size_t		 chars;		/* well-formed non-ASCII characters */
	size_t		 common;	/* kana, level-1 kanji, row-1 punctuation */
	size_t		 kana;
	size_t		 invalid;
	long long	 score;
};

/* One pass over the input before deciding anything. */
struct charset_stats {
	int	 known;		/* the fields below are filled in */
	int	 has8;		/* a byte >= 0x80 */
	int	 jis;		/* an ISO-2022-JP designation */
};

/*
 * Folds a label for table lookup into out (CHARSET_LABEL_MAX bytes).
 * Returns 0 when the label is missing, empty or too long to be real.
 */
static int
charset_fold(const char *label, char *out)
{
	size_t	 n = 0;
	char	 c;

	if (label == NULL)
		return 0;
	for (; *label != '\0'; label++) {
		c = *label;
		if (c == '-' || c == '_' || c == ' ' || c == '\t' || c == '"' ||
		    c == '\'')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		if (n + 1 >= CHARSET_LABEL_MAX)
			return 0;
		out[n++] = c;
	}
	out[n] = '\0';
	return n != 0;
}

static const struct charset_entry *
charset_lookup(const char *label)
{
	char	 key[CHARSET_LABEL_MAX];
	size_t	 i;

	if (!charset_fold(label, key))
		return NULL;
	for (i = 0; i < SAGI_NITEMS(charset_table); i++) {
		if (strcmp(charset_table[i].key, key) == 0)
			return &charset_table[i];
	}
	return NULL;
}

const char *
charset_canonical(const char *label)
{
	const struct charset_entry	*e;

	e = charset_lookup(label);
	return e == NULL ? NULL : e->name;
}

/* Copies at most size - 1 bytes and always terminates. */
static void
charset_copy(char *dst, const char *src, size_t size)
{
	size_t	 n;

	n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The declared label for info->declared: trimmed, lower case, truncated. */
static void
charset_set_declared(struct charset_info *info, const char *label)
{
	size_t	 n = 0;
	char	 c;

	info->declared[0] = '\0';
	if (label == NULL)
		return;
	while (*label == ' ' || *label == '\t' || *label == '"')
		label++;
	for (; *label != '\0' && n + 1 < sizeof info->declared; label++) {
		c = *label;
		if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		info->declared[n++] = c;
	}
	while (n > 0 && (info->declared[n - 1] == ' ' ||
	    info->declared[n - 1] == '\t' || info->declared[n - 1] == '"'))
		n--;
	info->declared[n] = '\0';
}

/*
 * The iconv name for a label not in the table: upper case, and only
 * characters that appear in charset names, so no "//TRANSLIT" or path
 * games reach iconv_open.  Returns 0 if the label cannot be a name.
 */
static int
charset_iconv_name(const char *label, char *out, size_t size)
{
	size_t	 n = 0;
	char	 c;

	for (; *label != '\0'; label++) {
		c = *label;
		if (c >= 'a' && c <= 'z')
			c = c - 'a' + 'A';
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == ':'))
			return 0;
		if (n + 1 >= size)
			return 0;
		out[n++] = c;
	}
	out[n] = '\0';
	return n != 0;
}

/*
 * How many bytes from s are ASCII other than NUL and ESC, counted 8 at a
 * time (whole words only; the caller looks at the rest byte by byte).
 * Most mail is mostly ASCII, and both scanners below skip it this way.
 */
#define CHARSET_ONES	0x0101010101010101ULL
#define CHARSET_HIGHS	0x8080808080808080ULL

static size_t
charset_ascii_run(const unsigned char *s, size_t len)
{
	size_t		 i = 0;
	uint64_t	 w, esc;

	while (i + 8 <= len) {
		memcpy(&w, s + i, sizeof w);
		esc = w ^ (CHARSET_ONES * 0x1b);
		if ((w & CHARSET_HIGHS) != 0 ||
		    ((w - CHARSET_ONES) & ~w & CHARSET_HIGHS) != 0 ||
		    ((esc - CHARSET_ONES) & ~esc & CHARSET_HIGHS) != 0)
			break;
		i += 8;
	}
	return i;
}

/*
 * Scans UTF-8, appending it to b (if not NULL) with each ill-formed
 * subsequence (Unicode's maximal subpart) and each NUL replaced by U+FFFD.
 */
/* Lead bytes of three-byte characters whose second byte may be any
 * continuation byte (not E0 or ED). */
/* clang-format off */
static const unsigned char charset_lead3[256] = {
	[0xe1] = 1, [0xe2] = 1, [0xe3] = 1, [0xe4] = 1, [0xe5] = 1,
	[0xe6] = 1, [0xe7] = 1, [0xe8] = 1, [0xe9] = 1, [0xea] = 1,
	[0xeb] = 1, [0xec] = 1, [0xee] = 1, [0xef] = 1,
};
/* clang-format on */

static void
charset_utf8(struct buf *b, const char *in, size_t len, struct charset_u8 *st)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 i = 0, start = 0, need, k;
	unsigned char		 c, lo, hi;
	unsigned int		 cp;
	uint16_t		 cont;	/* two bytes tested at once */

	memset(st, 0, sizeof *st);
	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			if (c == 0) {
				if (b != NULL) {
					buf_add(b, s + start, i - start);
					buf_adds(b, charset_fffd);
				}
				st->nul++;
				start = i + 1;
			}
			i++;
			i += charset_ascii_run(s + i, len - i);
			continue;
		}
		/*
		 * Three-byte characters with no special second-byte range
		 * (E1–EC, EE, EF lead kana, kanji and most of the BMP): the
		 * bulk of Japanese text, in a loop of their own.  Kana are
		 * E3 81–83 xx (U+3040–U+30FF), kanji E4 B8 xx to E9 xx xx
		 * (U+4E00–U+9FFF).
		 */
		if (charset_lead3[c] && len - i > 2) {
			k = i;
			do {
				memcpy(&cont, s + i + 1, sizeof cont);
				if ((cont & 0xc0c0) != 0x8080)
					break;
				st->mb++;
				if (c == 0xe3)
					st->kana += s[i + 1] >= 0x81 &&
					    s[i + 1] <= 0x83;
				else if (c >= 0xe4 && c <= 0xe9)
					st->cjk += c != 0xe4 || s[i + 1] >= 0xb8;
				i += 3;
			} while (len - i > 2 && charset_lead3[c = s[i]]);
			if (i != k)
				continue;
			/* Not well-formed: c is still s[i], read below. */
		}
		lo = 0x80;
		hi = 0xbf;
		need = 0;
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)	/* no surrogates */
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)	/* nothing past U+10FFFF */
				hi = 0x8f;
		}
		for (k = 1; k <= need && i + k < len; k++) {
			if (s[i + k] < lo || s[i + k] > hi)
				break;
			lo = 0x80;
			hi = 0xbf;
		}
		if (need == 0 || k <= need) {
			if (b != NULL) {
				buf_add(b, s + start, i - start);
				buf_adds(b, charset_fffd);
			}
			st->invalid++;
			i += k;		/* k is 1 when need is 0 */
			start = i;
			continue;
		}
		st->mb++;
		if (need == 2) {
			cp = (unsigned int)(c & 0x0f) << 12 |
			    (unsigned int)(s[i + 1] & 0x3f) << 6 |
			    (unsigned int)(s[i + 2] & 0x3f);
			if (cp >= 0x3040 && cp <= 0x30ff)
				st->kana++;
			else if (cp >= 0x4e00 && cp <= 0x9fff)
				st->cjk++;
		}
		i += need + 1;
	}
	if (b != NULL)
		buf_add(b, s + start, len - start);
}

/*
 * How many bytes an invalid sequence at s spans, so that one bad character
 * becomes one U+FFFD and its trail byte is not misread as ASCII.
 */
static size_t
charset_skip(enum charset_kind kind, const unsigned char *s, size_t n)
{
	unsigned char	 c = s[0];

	if (n < 2)
		return 1;
	switch (kind) {
	case CS_CP932:
		if (((c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc)) &&
		    s[1] >= 0x40 && s[1] <= 0xfc && s[1] != 0x7f)
			return 2;
		break;
	case CS_EUCJP:
		if (c == 0x8f && n >= 3 && s[1] >= 0xa1 && s[1] <= 0xfe &&
		    s[2] >= 0xa1 && s[2] <= 0xfe)
			return 3;
		if ((c == 0x8e || (c >= 0xa1 && c <= 0xfe)) &&
		    s[1] >= 0xa1 && s[1] <= 0xfe)
			return 2;
		break;
	case CS_DBCS:
		if (c >= 0x81 && c <= 0xfe && s[1] >= 0x40 && s[1] <= 0xfe &&
		    s[1] != 0x7f)
			return 2;
		break;
	default:
		break;
	}
	return 1;
}

/*
 * Runs in through cd, appending UTF-8 to b; returns how many invalid
 * sequences became U+FFFD.  A descriptor that failed to open turns every
 * 8-bit byte into U+FFFD rather than guessing.  Input goes to iconv in
 * windows: sanitizer interceptors (and some iconv modules) touch all of
 * *inbytesleft per call, which with one call per bad byte is quadratic.
 */
static size_t
charset_iconv_run(struct buf *b, iconv_t cd, enum charset_kind kind,
    const char *in, size_t len)
{
	char		 out[4096], *ip, *op;
	const char	*pos = in, *end = in + len;
	size_t		 il, ol, r, win, skip, bad = 0;

	if (cd == (iconv_t)-1) {
		for (; pos < end; pos++) {
			if ((unsigned char)*pos < 0x80)
				buf_addc(b, *pos);
			else {
				buf_adds(b, charset_fffd);
				bad++;
			}
		}
		return bad;
	}
	iconv(cd, NULL, NULL, NULL, NULL);
	while (pos < end) {
		win = (size_t)(end - pos);
		if (win > CHARSET_WINDOW)
			win = CHARSET_WINDOW;
		ip = (char *)pos;
		il = win;
		op = out;
		ol = sizeof out;
		r = iconv(cd, &ip, &il, &op, &ol);
		buf_add(b, out, (size_t)(op - out));
		if (r != (size_t)-1 || errno == E2BIG) {
			pos = ip;
			continue;
		}
		/* A character cut by the window: the next window starts
		 * with it.  Cut by the end of the input: it is truncated. */
		if (errno == EINVAL && pos + win < end && ip != pos) {
			pos = ip;
			continue;
		}
		pos = ip;
		buf_adds(b, charset_fffd);
		bad++;
		if (errno == EINVAL && pos + il == end)
			break;
		skip = charset_skip(kind, (const unsigned char *)pos,
		    (size_t)(end - pos));
		pos += skip;
	}
	op = out;
	ol = sizeof out;
	if (iconv(cd, NULL, NULL, &op, &ol) != (size_t)-1)
		buf_add(b, out, (size_t)(op - out));
	return bad;
}

/* Opens, runs and closes; returns (size_t)-1 if iconv does not know name. */
static size_t
charset_iconv(struct buf *b, const char *name, enum charset_kind kind,
    const char *in, size_t len)
{
	iconv_t	 cd;
	size_t	 bad;

	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return (size_t)-1;
	bad = charset_iconv_run(b, cd, kind, in, len);
	iconv_close(cd);
	return bad;
}

/*
 * Sniffing weights per character.  Kana and the everyday kanji and
 * punctuation rows decide between CP932 and EUC-JP; half-width katakana
 * count little because EUC-JP read as CP932 turns into runs of them, so an
 * EUC-JP pair always scores at least what its two bytes score as CP932.
 */
static long long
charset_score_sum(struct charset_score *sc, size_t kana, size_t other,
    size_t half)
{
	sc->kana = kana;
	sc->common += kana;
	return (long long)kana * 6 + (long long)(sc->common - kana) * 4 +
	    (long long)other * 2 + (long long)half - (long long)sc->invalid * 16;
}

static void
charset_score_cp932(const unsigned char *s, size_t len,
    struct charset_score *sc)
{
	size_t		 i = 0, kana = 0, other = 0, half = 0;
	unsigned char	 c, t;

	memset(sc, 0, sizeof *sc);
	sc->name = "CP932";
	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xa1 && c <= 0xdf) {
			sc->chars++;
			half++;
			i++;
			continue;
		}
		t = i + 1 < len ? s[i + 1] : 0;
		if (((c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc)) &&
		    t >= 0x40 && t <= 0xfc && t != 0x7f) {
			sc->chars++;
			if ((c == 0x82 && t >= 0x9f && t <= 0xf1) ||
			    (c == 0x83 && t >= 0x40 && t <= 0x96))
				kana++;
			else if (c == 0x81 || (c >= 0x88 && c <= 0x98))
				sc->common++;	/* punctuation, level-1 kanji */
			else if (!(c == 0x85 || c == 0x86 || c == 0xeb ||
			    c == 0xec || c >= 0xef))
				other++;	/* unassigned and PUA score 0 */
			i += 2;
			continue;
		}
		sc->invalid++;
		i++;
	}
	sc->score = charset_score_sum(sc, kana, other, half);
}

static void
charset_score_eucjp(const unsigned char *s, size_t len,
    struct charset_score *sc)
{
	size_t		 i = 0, kana = 0, other = 0, half = 0;
	unsigned char	 c, t;

	memset(sc, 0, sizeof *sc);
	sc->name = "EUC-JP";
	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		t = i + 1 < len ? s[i + 1] : 0;
		if (c == 0x8e && t >= 0xa1 && t <= 0xdf) {
			sc->chars++;
			half++;
			i += 2;
			continue;
		}
		if (c == 0x8f && t >= 0xa1 && t <= 0xfe && i + 2 < len &&
		    s[i + 2] >= 0xa1 && s[i + 2] <= 0xfe) {
			sc->chars++;	/* JIS X 0212: real but rare */
			i += 3;
			continue;
		}
		if (c >= 0xa1 && c <= 0xfe && t >= 0xa1 && t <= 0xfe) {
			sc->chars++;
			if ((c == 0xa4 && t <= 0xf3) || (c == 0xa5 && t <= 0xf6))
				kana++;
			else if (c == 0xa1 || (c >= 0xb0 && c <= 0xcf))
				sc->common++;
			else if (!(c >= 0xa9 && c <= 0xaf) && c <= 0xf4)
				other++;
			i += 2;
			continue;
		}
		sc->invalid++;
		i++;
	}
	sc->score = charset_score_sum(sc, kana, other, half);
}

static void
charset_score_utf8(const char *in, size_t len, struct charset_score *sc)
{
	struct charset_u8	 u8;

	charset_utf8(NULL, in, len, &u8);
	memset(sc, 0, sizeof *sc);
	sc->name = "UTF-8";
	sc->chars = u8.mb;
	sc->common = u8.cjk;
	sc->invalid = u8.invalid;
	sc->score = charset_score_sum(sc, u8.kana, u8.mb - u8.kana - u8.cjk,
	    0);
}

/*
 * Sniffs 8-bit bytes only (escapes are the caller's business): UTF-8 if it
 * is well-formed, else whichever of UTF-8, CP932 and EUC-JP scores best,
 * if that fits (few invalid bytes).  *best receives the winner's tally.
 */
static const char *
charset_sniff_8bit(const char *in, size_t len, struct charset_score *best)
{
	struct charset_score	 sc[3];
	size_t			 i, b = 0;

	charset_score_utf8(in, len, &sc[0]);
	if (sc[0].invalid == 0) {
		*best = sc[0];
		return sc[0].chars != 0 ? "UTF-8" : NULL;
	}
	charset_score_cp932((const unsigned char *)in, len, &sc[1]);
	charset_score_eucjp((const unsigned char *)in, len, &sc[2]);
	for (i = 1; i < SAGI_NITEMS(sc); i++) {
		if (sc[i].score > sc[b].score)
			b = i;
	}
	*best = sc[b];
	if (sc[b].chars == 0 || sc[b].score <= 0 ||
	    sc[b].invalid * 8 > sc[b].chars)
		return NULL;
	return sc[b].name;
}

/*
 * Whether a sniffed guess may overrule a declared label whose decode was
 * clean (Latin-1 takes any byte; EUC-JP read as CP932 is valid mojibake):
 * well-formed UTF-8, or no invalid byte and mostly the characters Japanese
 * text is made of.
 */
static int
charset_sniff_strong(const struct charset_score *sc)
{
	if (sc->invalid != 0)
		return 0;
	if (strcmp(sc->name, "UTF-8") == 0)
		return sc->chars != 0;
	return sc->common >= 2 && sc->common * 2 >= sc->chars;
}

static void
charset_stats(const char *in, size_t len, struct charset_stats *st)
{
	const unsigned char	*s = (const unsigned char *)in, *p;
	size_t			 i;

	memset(st, 0, sizeof *st);
	for (i = 0; i < len && !(st->has8 && st->jis); i++) {
		if (st->has8) {
			/* Only an escape can change the answer now: most
			 * Japanese text has none, and memchr skips it fast. */
			p = memchr(s + i, 0x1b, len - i);
			if (p == NULL)
				break;
			i = (size_t)(p - s);
		} else if (s[i] < 0x80 && s[i] != 0x1b) {
			i += charset_ascii_run(s + i, len - i);
			if (i >= len)
				break;
		}
		if (s[i] >= 0x80)
			st->has8 = 1;
		else if (s[i] == 0x1b && i + 2 < len) {
			if ((s[i + 1] == '$' && (s[i + 2] == 'B' ||
			    s[i + 2] == '@' || s[i + 2] == '(')) ||
			    (s[i + 1] == '(' && s[i + 2] == 'I'))
				st->jis = 1;
		}
	}
}

/*
 * Fills *st on first use only: declared ISO-2022-JP, half of all parts,
 * never needs it, and the pass hops from escape to escape there.
 */
static void
charset_stats_get(const char *in, size_t len, struct charset_stats *st)
{
	if (!st->known) {
		charset_stats(in, len, st);
		st->known = 1;
	}
}

const char *
charset_sniff(const char *in, size_t len)
{
	struct charset_stats	 st;
	struct charset_score	 best;

	if (in == NULL || len == 0)
		return NULL;
	charset_stats(in, len, &st);
	if (st.jis)
		return "ISO-2022-JP";
	if (!st.has8)
		return NULL;
	return charset_sniff_8bit(in, len, &best);
}

/*
 * ISO-2022-JP (RFC 1468) read as Microsoft's CP50220/CP50221: JIS X 0208
 * pairs are mapped arithmetically to their Shift_JIS pair and decoded as
 * CP932, which is what brings in NEC row 13 (①, ㈱, №) and the
 * NEC-selected IBM extensions in rows 89–92, both of which glibc's
 * ISO-2022-JP rejects.  JIS X 0212 goes through eucJP-ms (0x8F prefix).
 */
enum charset_jis_mode {
	JIS_ASCII,
	JIS_X0208,
	JIS_X0212,
	JIS_KANA
};

enum charset_jis_pend {
	JIS_PEND_CP932,
	JIS_PEND_EUCMS
};

struct charset_jis {
	struct buf		*out;
	struct buf		 pend;	/* bytes for iconv, in encoding penc */
	int			 raw;	/* pend holds bytes of an 8-bit run */
	enum charset_jis_pend	 penc;
	iconv_t			 cd[2];	/* by enum charset_jis_pend */
	const char		*hi;	/* what 8-bit runs are read as */
	int			 hi_known;
	size_t			 invalid;
	int			 mismatch;
	int			 unclean;	/* see charset_iso2022jp */
};

static void
charset_jis_flush(struct charset_jis *j)
{
	static const char	*names[] = { "CP932", "EUC-JP-MS" };
	static const enum charset_kind kinds[] = { CS_CP932, CS_EUCJP };

	if (j->pend.len == 0)
		return;
	j->unclean = 1;
	if (j->cd[j->penc] == (iconv_t)0)
		j->cd[j->penc] = iconv_open("UTF-8", names[j->penc]);
	j->invalid += charset_iconv_run(j->out, j->cd[j->penc],
	    kinds[j->penc], j->pend.data, j->pend.len);
	buf_reset(&j->pend);
	j->raw = 0;
}

/*
 * What iconv's CP932 makes of each JIS X 0208 pair (by way of its
 * Shift_JIS pair, see charset_iso2022jp) and of each half-width katakana,
 * asked once per process: glibc's CP932 converter costs some two hundred
 * instructions a character, and ISO-2022-JP mail is mostly such pairs.
 * The table only answers what iconv would: a pair iconv refuses is
 * marked so, and decodes as U+FFFD exactly as charset_iconv_run would
 * make it.  Filled once and never changed (pthread_once), so threads
 * share it without locks.
 */
#define CHARSET_JIS_PAIRS	(94 * 94)
#define CHARSET_JIS_KANA	63	/* 0xA1–0xDF */

struct charset_jis_char {
	unsigned char	 len;	/* UTF-8 bytes; 0: iconv refuses it */
	char		 u8[3];
};

static struct charset_jis_char	charset_jis_table[CHARSET_JIS_PAIRS +
				    CHARSET_JIS_KANA];
static int			charset_jis_table_ok;
static pthread_once_t		charset_jis_once = PTHREAD_ONCE_INIT;

/* The Shift_JIS (CP932) pair of JIS X 0208 row byte c, cell byte c2. */
static void
charset_jis_sjis(unsigned char c, unsigned char c2, unsigned char *s1,
    unsigned char *s2)
{
	*s1 = (unsigned char)(((c + 1) >> 1) + (c <= 0x5e ? 0x70 : 0xb0));
	*s2 = (unsigned char)(c2 + ((c & 1) ? (c2 < 0x60 ? 0x1f : 0x20) :
	    0x7e));
}

/* Whether cd reads every ASCII byte as itself (see charset_jis_direct). */
static int
charset_jis_ascii_same(const char *name)
{
	iconv_t		 cd;
	char		 in[0x80], out[0x100], *ip = in, *op = out;
	size_t		 il = sizeof in, ol = sizeof out, i;
	int		 same;

	if ((cd = iconv_open("UTF-8", name)) == (iconv_t)-1)
		return 0;
	for (i = 0; i < sizeof in; i++)
		in[i] = (char)i;
	same = iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && il == 0 &&
	    op - out == (ptrdiff_t)sizeof in && memcmp(in, out, sizeof in) == 0;
	iconv_close(cd);
	return same;
}

/*
 * Units 0 to CHARSET_JIS_PAIRS - 1 are the pairs (two bytes each of in),
 * the rest the katakana (one byte each).  Unit of byte offset off, or -1
 * when off falls inside a pair.
 */
static long
charset_jis_unit(size_t off)
{
	if (off < 2 * CHARSET_JIS_PAIRS)
		return off % 2 != 0 ? -1 : (long)(off / 2);
	return (long)(CHARSET_JIS_PAIRS + off - 2 * CHARSET_JIS_PAIRS);
}

/*
 * Converts all units in one run through cd, one iconv call per refused
 * unit: each unit gives one UTF-8 character, which is what lets the output
 * be shared out.  Returns 0 when iconv does anything else.
 */
static int
charset_jis_fill(iconv_t cd, char *in, size_t inlen, char *out,
    size_t outsize)
{
	struct charset_jis_char	*e;
	char			*ip = in, *op, *p;
	size_t			 il = inlen, ol, cl, r;
	long			 k = 0, upto;
	unsigned char		 lead;

	while (il > 0) {
		op = out;
		ol = outsize;
		r = iconv(cd, &ip, &il, &op, &ol);
		if ((upto = charset_jis_unit((size_t)(ip - in))) < 0)
			return 0;
		for (p = out; k < upto; k++) {
			lead = (unsigned char)*p;
			cl = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ?
			    3 : 4;
			if (p >= op || cl > 3 || cl > (size_t)(op - p))
				return 0;
			e = &charset_jis_table[k];
			e->len = (unsigned char)cl;
			memcpy(e->u8, p, cl);
			p += cl;
		}
		if (p != op)
			return 0;
		if (r != (size_t)-1)
			continue;
		if (errno != EILSEQ || il == 0)
			return 0;
		/* Refused whole: one U+FFFD, as in charset_iconv_run
		 * (charset_skip steps over a pair or a katakana). */
		charset_jis_table[k].len = 0;
		cl = k < CHARSET_JIS_PAIRS ? 2 : 1;
		ip += cl;
		il -= cl;
		k++;
	}
	return k == CHARSET_JIS_PAIRS + CHARSET_JIS_KANA;
}

/*
 * Whether every entry is one well-formed UTF-8 character other than NUL:
 * output made of entries and ASCII other than NUL then needs no second
 * check (charset_finish).  glibc makes nothing else, but the table is
 * trusted only for what it was checked to be.
 */
static int
charset_jis_table_clean(void)
{
	const struct charset_jis_char	*e;
	struct charset_u8		 u8;
	size_t				 k;

	for (k = 0; k < SAGI_NITEMS(charset_jis_table); k++) {
		e = &charset_jis_table[k];
		if (e->len == 0)
			continue;
		charset_utf8(NULL, e->u8, e->len, &u8);
		if (u8.invalid != 0 || u8.nul != 0 ||
		    (e->len > 1 && u8.mb != 1))
			return 0;
	}
	return 1;
}

static void
charset_jis_build(void)
{
	iconv_t		 cd;
	char		*in, *out;
	size_t		 n = 0, outsize;
	unsigned int	 c, c2;
	unsigned char	 s1, s2;

	if (!charset_jis_ascii_same("CP932") ||
	    !charset_jis_ascii_same("EUC-JP-MS") ||
	    (cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1)
		return;
	in = xmalloc(2 * CHARSET_JIS_PAIRS + CHARSET_JIS_KANA);
	outsize = 3 * (CHARSET_JIS_PAIRS + CHARSET_JIS_KANA);
	out = xmalloc(outsize);
	for (c = 0x21; c <= 0x7e; c++) {
		for (c2 = 0x21; c2 <= 0x7e; c2++) {
			charset_jis_sjis((unsigned char)c, (unsigned char)c2,
			    &s1, &s2);
			in[n++] = (char)s1;
			in[n++] = (char)s2;
		}
	}
	for (c = 0; c < CHARSET_JIS_KANA; c++)
		in[n++] = (char)(0xa1 + c);
	charset_jis_table_ok = charset_jis_fill(cd, in, n, out, outsize) &&
	    charset_jis_table_clean();
	free(out);
	free(in);
	iconv_close(cd);
}

/*
 * Whether a character may be written straight to the output: the table is
 * there and the pending bytes are whole characters (not an 8-bit run,
 * whose last byte might pair with the next), which are flushed first.
 * iconv's CP932 and EUC-JP-MS read ASCII as ASCII (charset_jis_build
 * checks), so splitting the pending bytes there changes nothing.
 */
static int
charset_jis_direct(struct charset_jis *j)
{
	if (!charset_jis_table_ok || j->raw)
		return 0;
	charset_jis_flush(j);
	return 1;
}

static void
charset_jis_put(struct charset_jis *j, const struct charset_jis_char *e)
{
	if (e->len == 0) {
		buf_adds(j->out, charset_fffd);
		j->invalid++;
	} else
		buf_add(j->out, e->u8, e->len);
}

/* Pending bytes change encoding only between characters. */
static void
charset_jis_pend(struct charset_jis *j, enum charset_jis_pend enc)
{
	if (j->penc != enc) {
		charset_jis_flush(j);
		j->penc = enc;
	}
}

static void
charset_jis_bad(struct charset_jis *j)
{
	charset_jis_flush(j);
	buf_adds(j->out, charset_fffd);
	j->invalid++;
}

/*
 * Senders lie: 8-bit bytes inside ISO-2022-JP are usually CP932 or UTF-8
 * pasted in.  The run goes to the next escape; what it is read as is
 * sniffed once over the rest of the text, so a hostile mix of escapes and
 * 8-bit bytes costs one sniff, not one per run.
 */
static void
charset_jis_8bit(struct charset_jis *j, const char *run, size_t n,
    size_t rest)
{
	struct charset_u8	 u8;
	struct charset_score	 best;

	j->mismatch = 1;
	if (!j->hi_known) {
		j->hi = charset_sniff_8bit(run, rest, &best);
		j->hi_known = 1;
	}
	if (j->hi != NULL && strcmp(j->hi, "CP932") == 0) {
		charset_jis_pend(j, JIS_PEND_CP932);
		buf_add(&j->pend, run, n);
		j->raw = 1;
	} else if (j->hi != NULL && strcmp(j->hi, "EUC-JP") == 0) {
		charset_jis_pend(j, JIS_PEND_EUCMS);
		buf_add(&j->pend, run, n);
		j->raw = 1;
	} else {
		charset_jis_flush(j);
		charset_utf8(j->out, run, n, &u8);
		j->invalid += u8.invalid;
	}
}

/* Interprets an escape sequence at s[0] == ESC; returns bytes used. */
static size_t
charset_jis_escape(struct charset_jis *j, const unsigned char *s, size_t n,
    enum charset_jis_mode *mode, int *shift)
{
	if (n >= 3 && s[1] == '(') {
		switch (s[2]) {
		case 'B':
		case 'J':	/* JIS-Roman read as ASCII: ¥ and ‾ help nobody */
		case 'H':
			*mode = JIS_ASCII;
			*shift = 0;
			return 3;
		case 'I':
			*mode = JIS_KANA;
			return 3;
		}
	} else if (n >= 3 && s[1] == '$' && (s[2] == '@' || s[2] == 'B')) {
		*mode = JIS_X0208;
		return 3;
	} else if (n >= 4 && s[1] == '$' && s[2] == '(') {
		switch (s[3]) {
		case 'B':
		case '@':
		case 'O':	/* JIS X 0213: CP932 covers what it shares */
		case 'Q':
			*mode = JIS_X0208;
			return 4;
		case 'D':
			*mode = JIS_X0212;
			return 4;
		}
	} else if (n >= 3 && s[1] == '&' && s[2] == '@')
		return 3;	/* JIS X 0208-1990 announcer before ESC $ B */
	charset_jis_bad(j);
	return 1;
}

/*
 * How many bytes from s are plain ASCII in JIS_ASCII mode: not NUL (which
 * makes the output unclean), ESC, SO, SI or 8-bit.  8 at a time, then
 * byte by byte.
 */
static size_t
charset_jis_ascii_run(const unsigned char *s, size_t len)
{
	size_t		 i = 0;
	uint64_t	 w, esc, so;

	while (i + 8 <= len) {
		memcpy(&w, s + i, sizeof w);
		esc = w ^ (CHARSET_ONES * 0x1b);
		so = (w ^ (CHARSET_ONES * 0x0e)) & (CHARSET_ONES * 0xfe);
		if ((w & CHARSET_HIGHS) != 0 ||
		    ((w - CHARSET_ONES) & ~w & CHARSET_HIGHS) != 0 ||
		    ((esc - CHARSET_ONES) & ~esc & CHARSET_HIGHS) != 0 ||
		    ((so - CHARSET_ONES) & ~so & CHARSET_HIGHS) != 0)
			break;
		i += 8;
	}
	while (i < len && s[i] < 0x80 && s[i] != 0 && s[i] != 0x1b &&
	    s[i] != 0x0e && s[i] != 0x0f)
		i++;
	return i;
}

/*
 * Writes the JIS X 0208 pairs from s[i] on that the table knows, up to
 * the first byte that is not one; returns where it stopped.
 */
static size_t
charset_jis_pairs(struct buf *out, const unsigned char *s, size_t i,
    size_t len)
{
	const struct charset_jis_char	*e;
	char				*dst, *p;
	unsigned int			 c, c2;

	if (len - i < 2)
		return i;
	/* Three bytes stored per pair, whatever its length. */
	p = dst = buf_reserve(out, (len - i) / 2 * 3);
	while (len - i >= 2) {
		c = s[i] - 0x21u;
		c2 = s[i + 1] - 0x21u;
		if (c >= 94 || c2 >= 94)
			break;
		e = &charset_jis_table[c * 94 + c2];
		if (e->len == 0)
			break;
		memcpy(p, e->u8, sizeof e->u8);
		p += e->len;
		i += 2;
	}
	buf_commit(out, (size_t)(p - dst));
	return i;
}

/*
 * Returns the number of invalid sequences; *mismatch if 8-bit was seen;
 * *clean when the output is well-formed UTF-8 without NUL already (table
 * entries, ASCII other than NUL, U+FFFD and charset_utf8 only: nothing
 * went through iconv).
 */
static size_t
charset_iso2022jp(struct buf *out, const char *in, size_t len, int *mismatch,
    int *clean)
{
	const unsigned char	*s = (const unsigned char *)in;
	struct charset_jis	 j;
	enum charset_jis_mode	 mode = JIS_ASCII;
	size_t			 i = 0, e;
	int			 shift = 0;
	unsigned char		 c, c2, s1, s2;

	pthread_once(&charset_jis_once, charset_jis_build);
	memset(&j, 0, sizeof j);
	j.out = out;
	buf_init(&j.pend);
	j.penc = JIS_PEND_CP932;
	while (i < len) {
		/*
		 * The bulk of ISO-2022-JP mail, runs of JIS X 0208 pairs and
		 * of ASCII, goes straight out when nothing is pending (as
		 * charset_jis_direct would have it); whatever stops a run
		 * takes the general path below.
		 */
		if (charset_jis_table_ok && !j.raw && j.pend.len == 0 &&
		    !shift) {
			if (mode == JIS_X0208)
				i = charset_jis_pairs(out, s, i, len);
			else if (mode == JIS_ASCII) {
				e = charset_jis_ascii_run(s + i, len - i);
				buf_add(out, s + i, e);
				i += e;
			}
			if (i >= len)
				break;
		}
		c = s[i];
		if (c == 0x1b) {
			i += charset_jis_escape(&j, s + i, len - i, &mode,
			    &shift);
			continue;
		}
		if (c >= 0x80) {
			for (e = i; e < len && s[e] != 0x1b; e++)
				/* nothing */;
			charset_jis_8bit(&j, in + i, e - i, len - i);
			i = e;
			continue;
		}
		if (c == 0x0e || c == 0x0f) {	/* SO/SI: CP50221 kana */
			shift = c == 0x0e;
			i++;
			continue;
		}
		if (c == '\n' || c == '\r') {
			/* RFC 1468: lines end in ASCII; forgive those that
			 * do not rather than garble every line after. */
			mode = JIS_ASCII;
			shift = 0;
		}
		if (c < 0x21 || c == 0x7f || (mode == JIS_ASCII && !shift)) {
			if (c == 0)
				j.unclean = 1;
			if (charset_jis_direct(&j))
				buf_addc(out, (char)c);
			else
				buf_addc(&j.pend, (char)c);
			i++;
			continue;
		}
		if (shift || mode == JIS_KANA) {
			if (c > 0x5f)
				charset_jis_bad(&j);
			else if (charset_jis_direct(&j))
				charset_jis_put(&j, &charset_jis_table[
				    CHARSET_JIS_PAIRS + c - 0x21]);
			else {
				charset_jis_pend(&j, JIS_PEND_CP932);
				buf_addc(&j.pend, (char)(c + 0x80));
			}
			i++;
			continue;
		}
		c2 = i + 1 < len ? s[i + 1] : 0;
		if (c2 < 0x21 || c2 > 0x7e) {
			charset_jis_bad(&j);
			i++;
			continue;
		}
		if (mode == JIS_X0212) {
			charset_jis_pend(&j, JIS_PEND_EUCMS);
			buf_addc(&j.pend, (char)0x8f);
			buf_addc(&j.pend, (char)(c | 0x80));
			buf_addc(&j.pend, (char)(c2 | 0x80));
		} else if (charset_jis_direct(&j))
			charset_jis_put(&j, &charset_jis_table[(c - 0x21) * 94 +
			    (c2 - 0x21)]);
		else {
			charset_jis_sjis(c, c2, &s1, &s2);
			charset_jis_pend(&j, JIS_PEND_CP932);
			buf_addc(&j.pend, (char)s1);
			buf_addc(&j.pend, (char)s2);
		}
		i += 2;
	}
	charset_jis_flush(&j);
	buf_free(&j.pend);
	for (i = 0; i < SAGI_NITEMS(j.cd); i++) {
		if (j.cd[i] != (iconv_t)0 && j.cd[i] != (iconv_t)-1)
			iconv_close(j.cd[i]);
	}
	*mismatch = j.mismatch;
	*clean = !j.unclean;
	return j.invalid;
}

/* Keeps whichever of b (bad invalid bytes) and alt has fewer; frees alt. */
static size_t
charset_keep_better(struct buf *b, size_t bad, struct buf *alt, size_t altbad)
{
	if (altbad < bad) {
		buf_free(b);
		*b = *alt;
		return altbad;
	}
	buf_free(alt);
	return bad;
}

/*
 * Decodes as the table entry e; returns the invalid count, or (size_t)-1
 * when iconv cannot open the charset.
 */
static size_t
charset_decode(struct buf *b, const char *in, size_t len,
    const struct charset_entry *e, int *mismatch, int *clean)
{
	struct charset_u8	 u8;
	struct buf		 alt;
	size_t			 bad, altbad;

	*mismatch = 0;
	*clean = 0;
	switch (e->kind) {
	case CS_ASCII:
	case CS_UTF8:
		charset_utf8(b, in, len, &u8);
		*clean = 1;
		return u8.invalid + u8.nul;
	case CS_ISO2022JP:
		return charset_iso2022jp(b, in, len, mismatch, clean);
	case CS_ISO2022JP2:
		bad = charset_iso2022jp(b, in, len, mismatch, clean);
		if (bad == 0)
			return 0;
		*clean = 0;
		/* Chinese or Korean designations: glibc knows those. */
		buf_init(&alt);
		altbad = charset_iconv(&alt, "ISO-2022-JP-2", CS_OTHER, in,
		    len);
		if (altbad < bad)
			*mismatch = 0;
		return charset_keep_better(b, bad, &alt, altbad);
	case CS_EUCJP:
		bad = charset_iconv(b, "EUC-JP-MS", CS_EUCJP, in, len);
		if (bad == 0)
			return 0;
		buf_init(&alt);
		altbad = charset_iconv(&alt, "EUC-JP", CS_EUCJP, in, len);
		if (bad == (size_t)-1) {
			buf_free(b);
			*b = alt;
			return altbad;
		}
		return charset_keep_better(b, bad, &alt, altbad);
	default:
		return charset_iconv(b, e->name, e->kind, in, len);
	}
}

/*
 * Nothing usable declared (no label, us-ascii, or a label nobody knows):
 * sniff, else read as UTF-8 so that at least the valid parts survive.
 * *clean as charset_decode sets it.
 */
static void
charset_undeclared(struct buf *b, const char *in, size_t len,
    struct charset_stats *st, struct charset_info *info, int *clean)
{
	const struct charset_entry	*e = NULL;
	const char			*s;
	struct charset_u8		 u8;
	size_t				 bad;
	int				 mismatch;

	charset_stats_get(in, len, st);
	if (st->has8 && !(info->flags & CHARSET_UNKNOWN))
		info->flags |= CHARSET_8BIT_UNDECLARED;
	if ((st->has8 || st->jis) && (s = charset_sniff(in, len)) != NULL)
		e = charset_lookup(s);
	*clean = 1;
	if (e != NULL) {
		info->flags |= CHARSET_SNIFFED;
		bad = charset_decode(b, in, len, e, &mismatch, clean);
		charset_copy(info->used, e->name, sizeof info->used);
	} else {
		charset_utf8(b, in, len, &u8);
		bad = u8.invalid + u8.nul;
		charset_copy(info->used, st->has8 ? "UTF-8" : "US-ASCII",
		    sizeof info->used);
	}
	if (bad != 0)
		info->flags |= CHARSET_INVALID;
}

/*
 * Picks the charset to try when the declared one looks wrong, or NULL.
 * bad is the declared decode's invalid count.
 */
static const char *
charset_alternative(const char *in, size_t len, const struct charset_entry *e,
    size_t bad, struct charset_stats *st)
{
	struct charset_u8	 u8;
	struct charset_score	 best;
	const char		*s;
	int			 strong;

	charset_stats_get(in, len, st);
	if (st->jis)
		return "ISO-2022-JP";
	if (!st->has8)
		return NULL;
	if (e->kind != CS_UTF8) {
		/* Well-formed UTF-8 with two multibyte characters is all but
		 * never an accident of another encoding. */
		charset_utf8(NULL, in, len, &u8);
		if (u8.invalid == 0 && u8.mb > 0 && (bad > 0 ||
		    e->kind == CS_SBCS || (u8.mb >= 2 && e->kind != CS_OTHER)))
			return "UTF-8";
	}
	if (bad == 0 && e->kind != CS_SBCS && e->kind != CS_CP932 &&
	    e->kind != CS_EUCJP)
		return NULL;
	s = charset_sniff_8bit(in, len, &best);
	if (s == NULL || strcmp(s, e->name) == 0)
		return NULL;
	/* A clean decode is overruled only by a strong guess; a broken one by
	 * any guess with two characters to show for it, so that two stray
	 * bytes do not turn into one random kanji. */
	strong = charset_sniff_strong(&best);
	/* Between two Japanese encodings only kana settle it: half-width
	 * ｱﾏｿﾞ in CP932 is also two valid EUC-JP kanji. */
	if ((e->kind == CS_CP932 || e->kind == CS_EUCJP) && best.kana == 0)
		strong = 0;
	if (!strong && (bad == 0 || best.chars < 2))
		return NULL;
	return s;
}

/* *clean as charset_decode sets it. */
static void
charset_declared(struct buf *b, const char *in, size_t len,
    const struct charset_entry *e, struct charset_stats *st,
    struct charset_info *info, int *clean)
{
	const struct charset_entry	*ae;
	const char			*alt;
	struct buf			 ab;
	size_t				 bad, altbad;
	int				 mismatch, altmismatch, altclean;

	bad = charset_decode(b, in, len, e, &mismatch, clean);
	if (bad == (size_t)-1) {
		/* In our table but not in this libc's iconv. */
		info->flags |= CHARSET_UNKNOWN;
		buf_reset(b);
		charset_undeclared(b, in, len, st, info, clean);
		return;
	}
	charset_copy(info->used, e->name, sizeof info->used);
	if (mismatch)
		info->flags |= CHARSET_MISMATCH;
	if (e->kind != CS_ISO2022JP && e->kind != CS_ISO2022JP2 &&
	    (alt = charset_alternative(in, len, e, bad, st)) != NULL &&
	    (ae = charset_lookup(alt)) != NULL) {
		buf_init(&ab);
		altbad = charset_decode(&ab, in, len, ae, &altmismatch,
		    &altclean);
		if (altbad != (size_t)-1 && (altbad == 0 || altbad * 8 < bad)) {
			buf_free(b);
			*b = ab;
			bad = altbad;
			*clean = altclean;
			info->flags |= CHARSET_MISMATCH;
			charset_copy(info->used, ae->name, sizeof info->used);
		} else
			buf_free(&ab);
	}
	if (bad != 0)
		info->flags |= CHARSET_INVALID;
}

/*
 * Guarantees the result: well-formed UTF-8 and no NUL inside.  clean says
 * b holds charset_utf8 output only, which is both already.
 */
static char *
charset_finish(struct buf *b, struct charset_info *info, int clean)
{
	struct charset_u8	 u8;
	struct buf		 c;
	char			*s;

	if (!clean)
		charset_utf8(NULL, b->data, b->len, &u8);
	if (!clean && (u8.invalid != 0 || u8.nul != 0)) {
		info->flags |= CHARSET_INVALID;
		buf_init(&c);
		charset_utf8(&c, b->data, b->len, &u8);
		buf_free(b);
		*b = c;
	}
	s = buf_take(b);
	buf_free(b);
	return s;
}

char *
charset_to_utf8(const char *in, size_t len, const char *declared,
    struct charset_info *info)
{
	static const struct charset_entry generic = { "", "", CS_OTHER };
	struct charset_info		 dummy;
	struct charset_entry		 fallback;
	const struct charset_entry	*e;
	struct charset_stats		 st;
	struct buf			 b;
	char				 name[CHARSET_LABEL_MAX];
	iconv_t				 cd;
	int				 clean;

	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof *info);
	if (in == NULL) {
		in = "";
		len = 0;
	}
	charset_set_declared(info, declared);
	memset(&st, 0, sizeof st);
	buf_init(&b);

	e = charset_lookup(declared);
	if (e == NULL && info->declared[0] != '\0') {
		/* Not in our table; iconv may still know it ("latin2").  A
		 * label that filled info->declared may have been cut short. */
		if (strlen(info->declared) + 1 < sizeof info->declared &&
		    charset_iconv_name(info->declared, name, sizeof name) &&
		    (cd = iconv_open("UTF-8", name)) != (iconv_t)-1) {
			iconv_close(cd);
			fallback = generic;
			fallback.name = name;
			e = &fallback;
		} else
			info->flags |= CHARSET_UNKNOWN;
	}
	if (e == NULL || e->kind == CS_ASCII)
		charset_undeclared(&b, in, len, &st, info, &clean);
	else
		charset_declared(&b, in, len, e, &st, info, &clean);
	return charset_finish(&b, info, clean);
}
