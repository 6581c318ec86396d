/* SPDX-License-Identifier: ISC */
/*
 * Tests for core/rfc2047.c: B and Q words, joining split words before
 * conversion, Japanese charsets, raw 8-bit headers, malformed and unknown
 * words, RFC 2231 values, and hostile header sizes.  ISO-2022-JP, CP932
 * and EUC-JP byte strings were produced with glibc iconv(1).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "rfc2047.h"
#include "xalloc.h"
#include "t.h"

#define FFFD	"\xef\xbf\xbd"
#define ENC	RFC2047_ENCODED

/* The seed subject (Amazon 「緊急のご連絡」 campaign) and a sibling. */
#define SEED_UTF8	"Amazon株式会社から緊急のご連絡メ-ル番号:XXXXX"
#define SEED_JIS	"Amazon\x1b$B3t<02q<R$+$i6[5^$N$4O\"Mm%a\x1b(B-" \
			"\x1b$B%kHV9f\x1b(B:XXXXX"
#define SEED2_UTF8	"[最終警告]Amazonあらの緊急のご連絡、情報を更新してください。"
#define SEED2_JIS	"[\x1b$B:G=*7Y9p\x1b(B]Amazon\x1b$B$\"$i$N6[5^$N$4O\"" \
			"Mm!\">pJs$r99?7$7$F$/$@$5$$!#\x1b(B"
#define SEED3_UTF8	"【重なら】amazon株式会社からの緊急のご連絡"
#define SEED3_JIS	"\x1b$B!Z=E$J$i![\x1b(Bamazon\x1b$B3t<02q<R$+$i$N6[5^" \
			"$N$4O\"Mm\x1b(B"

static void
b64(struct buf *b, const char *s, size_t n, int pad)
{
	static const char	 tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*p = (const unsigned char *)s;
	unsigned int		 v;
	size_t			 i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned int)p[i] << 16 | (unsigned int)p[i + 1] << 8 |
		    p[i + 2];
		buf_addc(b, tab[v >> 18]);
		buf_addc(b, tab[(v >> 12) & 63]);
		buf_addc(b, tab[(v >> 6) & 63]);
		buf_addc(b, tab[v & 63]);
	}
	if (n - i == 1) {
		v = (unsigned int)p[i] << 16;
		buf_addc(b, tab[v >> 18]);
		buf_addc(b, tab[(v >> 12) & 63]);
		if (pad)
			buf_adds(b, "==");
	} else if (n - i == 2) {
		v = (unsigned int)p[i] << 16 | (unsigned int)p[i + 1] << 8;
		buf_addc(b, tab[v >> 18]);
		buf_addc(b, tab[(v >> 12) & 63]);
		buf_addc(b, tab[(v >> 6) & 63]);
		if (pad)
			buf_addc(b, '=');
	}
}

/* Appends "=?charset?B?…?=" for n bytes of s. */
static void
bword(struct buf *b, const char *charset, const char *s, size_t n, int pad)
{
	buf_printf(b, "=?%s?B?", charset);
	b64(b, s, n, pad);
	buf_adds(b, "?=");
}

static char *
dec(const char *s, struct rfc2047_info *info)
{
	return rfc2047_decode(s, strlen(s), info);
}

static int
valid_utf8(const char *p)
{
	const unsigned char	*s = (const unsigned char *)p;
	unsigned char		 lo, hi;
	int			 need, k;

	while (*s != '\0') {
		if (*s < 0x80) {
			s++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (*s >= 0xc2 && *s <= 0xdf)
			need = 1;
		else if (*s >= 0xe0 && *s <= 0xef) {
			need = 2;
			if (*s == 0xe0)
				lo = 0xa0;
			if (*s == 0xed)
				hi = 0x9f;
		} else if (*s >= 0xf0 && *s <= 0xf4) {
			need = 3;
			if (*s == 0xf0)
				lo = 0x90;
			if (*s == 0xf4)
				hi = 0x8f;
		} else
			return 0;
		for (k = 1; k <= need; k++) {
			if (s[k] < lo || s[k] > hi)
				return 0;
			lo = 0x80;
			hi = 0xbf;
		}
		s += need + 1;
	}
	return 1;
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_degenerate(void)
{
	struct rfc2047_info	 info;
	char			*s;

	s = rfc2047_decode(NULL, 0, &info);
	t_str_eq(s, "", "NULL header is empty");
	t_int_eq(info.flags, 0, "NULL header raises nothing");
	free(s);
	s = rfc2047_decode("", 0, NULL);
	t_str_eq(s, "", "empty header, info NULL");
	free(s);
	s = dec(" \t ", &info);
	t_str_eq(s, " \t ", "white space only is kept");
	t_int_eq(info.flags, 0, "white space raises nothing");
	free(s);
	s = rfc2047_decode("abcdef", 3, &info);
	t_str_eq(s, "abc", "len is honoured without a NUL");
	free(s);
	s = rfc2047_decode("a\0b", 3, &info);
	t_str_eq(s, "a" FFFD "b", "raw NUL becomes U+FFFD");
	free(s);
	s = dec("=?UTF-8?B?YQBi?=", &info);
	t_str_eq(s, "a" FFFD "b", "NUL inside a word becomes U+FFFD");
	t_int_eq(info.flags, ENC | RFC2047_INVALID | RFC2047_EXCESS,
	    "NUL in a word: flags (and it is ASCII, so excess)");
	free(s);
	s = rfc2047_decode("=?UTF-8?B?5Y+j?=\0=?UTF-8?B?5Y+j?=", 33, &info);
	t_str_eq(s, "口" FFFD "口", "NUL between words");
	free(s);
	s = dec("=?UTF-8?B?" "?=", &info);
	t_str_eq(s, "", "an empty word decodes to nothing");
	t_int_eq(info.flags, ENC, "empty word: flags");
	free(s);

	t_ok(rfc2231_decode(NULL, NULL) == NULL, "rfc2231_decode(NULL)");
}

static void
test_table(void)
{
	/* clang-format off */
	static const struct {
		const char	*in;
		const char	*want;
		unsigned int	 flags;
		const char	*what;
	} cases[] = {
	/* The STYLE.md cases */
	{ "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=", "こんにちは", ENC,
	  "ISO-2022-JP B word" },
	{ "=?UTF-8?B?5Y+j5bqn4w==?= =?UTF-8?B?gYzlh43ntZDjgZXjgozjgb7jgZfjgZ8=?=",
	  "口座が凍結されました", ENC,
	  "UTF-8 character split across two words" },
	{ "=?iso-2022-jp?B?GyRCLSEtahsoQg==?=", "\xe2\x91\xa0\xe3\x88\xb1", ENC,
	  "ISO-2022-JP with ① and ㈱ (CP50220)" },
	{ "=?Shift_JIS?B?h0CBYIeK?=", "①～㈱", ENC,
	  "Shift_JIS word with CP932-only characters" },
	{ "=?EUC-JP?B?pLOk86TLpMGkzw==?=", "こんにちは", ENC, "EUC-JP word" },
	{ "=?gb2312?B?yLfIz9XLu6c=?=", "确认账户", ENC, "GB2312 word" },
	/* Q */
	{ "=?utf-8?q?Amazon_=E6=A0=AA=E5=BC=8F?=", "Amazon 株式", ENC,
	  "Q with underscore and =XX" },
	{ "=?UtF-8?Q?a_b?=", "a b", ENC, "case-insensitive charset and Q" },
	{ "=?utf-8?Q?=e6=a0=aa?=", "株", ENC, "lower-case hex in Q" },
	{ "=?ISO-2022-JP?Q?=1B$B$3$s=1B(B?=", "こん", ENC, "ISO-2022-JP in Q" },
	{ "=?UTF-8?Q?50=ZZ?=", "50=ZZ", ENC | RFC2047_MALFORMED,
	  "Q '=' without hex kept as itself" },
	/* Joining and white space (RFC 2047 §6.2) */
	{ "a =?UTF-8?B?5Y+j?= b", "a 口 b", ENC,
	  "space between word and text is kept" },
	{ "=?UTF-8?B?5Y+j?=  \t =?UTF-8?B?5bqn?=", "口座", ENC,
	  "space between words is dropped" },
	{ "=?UTF-8?B?5Y+j?=\r\n =?UTF-8?B?5bqn?=", "口座", ENC,
	  "a fold between words is dropped" },
	{ "=?UTF-8?B?5Y+j?==?UTF-8?B?5bqn?=", "口座", ENC,
	  "words with nothing between them" },
	{ "=?ISO-2022-JP?B?GyRCJDMkcxsoQg==?= =?UTF-8?B?5Y+j?=", "こん口", ENC,
	  "adjacent words in different charsets" },
	{ "=?ISO-2022-JP?B?GyRCJDMkcw==?= =?ISO-2022-JP?B?JEskQSRPGyhC?=",
	  "こんにちは", ENC, "ISO-2022-JP split inside two-byte mode" },
	{ "=?ISO-2022-JP?B?GyRC?= =?ISO-2022-JP?B?JDMkcyRLJEEkTxsoQg==?=",
	  "こんにちは", ENC, "ISO-2022-JP escape alone in a word" },
	{ "=?ISO-2022-JP?B?GyRCJA==?= =?ISO-2022-JP?B?MyRzGyhC?=",
	  "こん", ENC, "ISO-2022-JP split inside a JIS pair" },
	{ "=?Shift_JIS?B?gg==?= =?sjis?B?oA==?=", "あ", ENC,
	  "CP932 pair split across aliases of one charset" },
	{ "=?UTF-8?B?5Y+j?= x =?UTF-8?B?5bqn?=", "口 x 座", ENC,
	  "text between words stops joining" },
	/* Leniency Japanese mail needs */
	{ "件名=?UTF-8?B?5Y+j?=", "件名口", ENC | RFC2047_RAW_8BIT,
	  "word glued to raw text" },
	{ "Re:=?UTF-8?B?5Y+j?=!", "Re:口!", ENC, "word glued on both sides" },
	{ "\"=?UTF-8?B?5Y+j?=\" <a@example.com>", "\"口\" <a@example.com>", ENC,
	  "word inside a quoted string" },
	{ "=?ISO-2022-JP*ja?B?GyRCJDMkcyRLJEEkTxsoQg==?=", "こんにちは", ENC,
	  "RFC 2231 language suffix" },
	{ "=?UTF-8?B?5Y+jYQ?=", "口a", ENC, "base64 without padding" },
	{ "=?UTF-8?B?5Y+j\r\n 5bqn?=", "口座", ENC, "fold inside a B word" },
	{ "=?UTF-8?B?5Y+j?=", "口", ENC, "no excess for real text" },
	/* Broken or foreign words stay raw */
	{ "=?x-klingon?B?QUJD?=", "=?x-klingon?B?QUJD?=",
	  RFC2047_UNKNOWN_CHARSET, "unknown charset kept raw" },
	{ "a =?x-klingon?B?QUJD?= =?x-klingon?B?REVG?= b",
	  "a =?x-klingon?B?QUJD?= =?x-klingon?B?REVG?= b",
	  RFC2047_UNKNOWN_CHARSET, "adjacent unknown words kept raw whole" },
	{ "=?x-klingon?B?QUJD?= =?UTF-8?B?5Y+j?=", "=?x-klingon?B?QUJD?= 口",
	  ENC | RFC2047_UNKNOWN_CHARSET, "space after a raw unknown word" },
	{ "=?UTF-8?B?5Y+j?= =?x-klingon?B?QUJD?=", "口 =?x-klingon?B?QUJD?=",
	  ENC | RFC2047_UNKNOWN_CHARSET, "space before a raw unknown word" },
	{ "=?UTF-8?B?QU*J?=", "=?UTF-8?B?QU*J?=", RFC2047_MALFORMED,
	  "bad base64 kept raw" },
	{ "=?UTF-8?B?QUJDR?=", "=?UTF-8?B?QUJDR?=", RFC2047_MALFORMED,
	  "base64 with a dangling sextet kept raw" },
	{ "x =?UTF-8?B?5Y+j", "x =?UTF-8?B?5Y+j", RFC2047_MALFORMED,
	  "unterminated word kept raw" },
	{ "=?UTF-8?B?5Y+j =?UTF-8?B?5bqn?=", "=?UTF-8?B?5Y+j 座",
	  ENC | RFC2047_MALFORMED, "unterminated word, then a good one" },
	{ "=?*ja?B?QUJD?=", "=?*ja?B?QUJD?=", RFC2047_MALFORMED,
	  "language without a charset" },
	/* Not encoded words at all */
	{ "a=?b", "a=?b", 0, "=? in plain text" },
	{ "=?", "=?", 0, "=? at the end" },
	{ "=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=", 0, "unknown encoding letter" },
	{ "=?UTF 8?B?QUJD?=", "=?UTF 8?B?QUJD?=", 0, "space in the charset" },
	{ "=?=?UTF-8?B?5Y+j?=", "=?口", ENC, "a stray =? before a word" },
	/* Invalid bytes and excess encoding */
	{ "=?UTF-8?B?/w==?=", FFFD, ENC | RFC2047_INVALID,
	  "invalid UTF-8 in a word" },
	{ "=?UTF-8?B?QW1hem9u?=", "Amazon", ENC | RFC2047_EXCESS,
	  "B word with pure ASCII" },
	{ "=?UTF-8?B?QW1hem9u?= =?UTF-8?B?5qCq5byP?=", "Amazon株式",
	  ENC | RFC2047_EXCESS, "ASCII B word next to a real one" },
	{ "=?UTF-8?Q?Amazon?=", "Amazon", ENC, "Q ASCII is not flagged" },
	{ "=?us-ascii?Q?=E5=8F=A3?=", "口", ENC,
	  "8-bit under a us-ascii word is sniffed" },
	/* Raw 8-bit outside words */
	{ "件名: 口座", "件名: 口座", RFC2047_RAW_8BIT, "raw UTF-8" },
	{ "\x8c\x8f\x96\xbc: \x8c\xfb\x8d\xc0", "件名: 口座", RFC2047_RAW_8BIT,
	  "raw Shift_JIS" },
	{ "\xb7\xef\xcc\xbe: \xb8\xfd\xba\xc2", "件名: 口座", RFC2047_RAW_8BIT,
	  "raw EUC-JP" },
	{ "\x1b$B$3$s\x1b(B =?UTF-8?B?5Y+j?=", "こん 口", ENC | RFC2047_RAW_8BIT,
	  "raw ISO-2022-JP escapes, then a word" },
	{ "\xff\xfe x", FFFD FFFD " x", RFC2047_RAW_8BIT | RFC2047_INVALID,
	  "raw garbage" },
	{ "a\x01" "b\x7f", "a\x01" "b\x7f", 0, "controls are kept" },
	/* The seed subjects, every way they travel */
	{ SEED_UTF8, SEED_UTF8, RFC2047_RAW_8BIT, "seed subject raw UTF-8" },
	{ SEED_JIS, SEED_UTF8, RFC2047_RAW_8BIT, "seed subject raw ISO-2022-JP" },
	};
	/* clang-format on */
	struct rfc2047_info	 info;
	size_t			 i;
	char			*s;

	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		s = dec(cases[i].in, &info);
		t_str_eq(s, cases[i].want, "%s", cases[i].what);
		t_int_eq(info.flags, cases[i].flags, "%s: flags",
		    cases[i].what);
		free(s);
	}
}

/* The charset record behind the flags, which msg.c reports. */
static void
test_info(void)
{
	struct rfc2047_info	 info;
	char			*s;

	s = dec("=?x-klingon?B?QUJD?= =?UTF-8?B?5Y+j?=", &info);
	t_str_eq(info.cs.declared, "x-klingon",
	    "the unknown charset is named even after a good word");
	t_ok(info.cs.flags & CHARSET_UNKNOWN, "cs records CHARSET_UNKNOWN");
	free(s);
	s = dec("\x8c\x8f\x96\xbc", &info);
	t_str_eq(info.cs.used, "CP932", "raw Shift_JIS: used");
	t_str_eq(info.cs.declared, "", "raw Shift_JIS: nothing declared");
	t_ok(info.cs.flags & CHARSET_8BIT_UNDECLARED, "raw: 8bit-undeclared");
	free(s);
	s = dec("=?Shift_JIS?B?h0A=?=", &info);
	t_str_eq(info.cs.declared, "shift_jis", "declared word charset");
	t_str_eq(info.cs.used, "CP932", "Shift_JIS used as CP932");
	free(s);
	s = dec("=?Shift_JIS?B?5Y+j5bqn?=", &info);
	t_str_eq(s, "口座", "UTF-8 inside a Shift_JIS word");
	t_ok(info.cs.flags & CHARSET_MISMATCH, "mislabelled word: mismatch");
	free(s);
}

/*
 * Real mailers split long subjects into words wherever they like.  Every
 * 2-way split of the seed subjects must round-trip exactly (the ASCII
 * hyphen in メ-ル included), with or without padding, whatever the white
 * space between the words.
 */
static void
test_splits(void)
{
	/* clang-format off */
	static const struct {
		const char	*charset;
		const char	*bytes;
		const char	*want;
	} seeds[] = {
		{ "ISO-2022-JP", SEED_JIS, SEED_UTF8 },
		{ "iso-2022-jp", SEED2_JIS, SEED2_UTF8 },
		{ "ISO-2022-JP", SEED3_JIS, SEED3_UTF8 },
		{ "UTF-8", SEED_UTF8, SEED_UTF8 },
		{ "utf-8", SEED2_UTF8, SEED2_UTF8 },
	};
	static const char	*gaps[] = { " ", "", "\r\n\t", "  " };
	/* clang-format on */
	struct rfc2047_info	 info;
	struct buf		 b;
	const char		*jis;
	size_t			 i, k, n, bad, runs;
	char			*s;

	buf_init(&b);
	for (i = 0; i < SAGI_NITEMS(seeds); i++) {
		n = strlen(seeds[i].bytes);
		buf_reset(&b);
		bword(&b, seeds[i].charset, seeds[i].bytes, n, 1);
		s = dec(b.data, &info);
		t_str_eq(s, seeds[i].want, "seed %zu in one %s word", i,
		    seeds[i].charset);
		t_int_eq(info.flags, ENC, "seed %zu in one word: flags", i);
		free(s);

		bad = runs = 0;
		for (k = 1; k < n; k++) {
			buf_reset(&b);
			bword(&b, seeds[i].charset, seeds[i].bytes, k, k & 1);
			buf_adds(&b, gaps[k % SAGI_NITEMS(gaps)]);
			bword(&b, seeds[i].charset, seeds[i].bytes + k, n - k,
			    k & 2);
			s = dec(b.data, &info);
			runs++;
			if (strcmp(s, seeds[i].want) != 0 ||
			    (info.flags & ~RFC2047_EXCESS) != ENC) {
				if (bad++ == 0)
					printf("# split at %zu: \"%s\" -> "
					    "\"%s\" flags %#x\n", k, b.data, s,
					    info.flags);
			}
			free(s);
		}
		t_ok(bad == 0 && runs == n - 1,
		    "seed %zu: all %zu splits in %s round-trip", i, n - 1,
		    seeds[i].charset);
	}

	/* Three words, split at every pair of points, ISO-2022-JP. */
	jis = SEED_JIS;
	n = strlen(jis);
	bad = 0;
	for (k = 1; k + 1 < n; k++) {
		for (i = k + 1; i < n; i++) {
			buf_reset(&b);
			bword(&b, "ISO-2022-JP", jis, k, 1);
			buf_addc(&b, ' ');
			bword(&b, "ISO-2022-JP", jis + k, i - k, 0);
			buf_addc(&b, ' ');
			bword(&b, "ISO-2022-JP", jis + i, n - i, 1);
			s = dec(b.data, &info);
			if (strcmp(s, SEED_UTF8) != 0 && bad++ == 0)
				printf("# split at %zu,%zu: \"%s\"\n", k, i, s);
			free(s);
		}
	}
	t_int_eq(bad, 0, "every 3-way split of the ISO-2022-JP seed");
	buf_free(&b);
}

static void
test_rfc2231(void)
{
	/* clang-format off */
	static const struct {
		const char	*in;
		const char	*want;
		const char	*what;
	} cases[] = {
		{ "UTF-8''%E3%81%82", "あ", "UTF-8, no language" },
		{ "utf-8'ja'%E5%8F%A3%E5%BA%A7.pdf", "口座.pdf",
		  "UTF-8 with language" },
		{ "iso-2022-jp'ja'%1B%24B%243%24s%1B%28B", "こん", "ISO-2022-JP" },
		{ "Shift_JIS''%87%40%81%60", "①～", "Shift_JIS as CP932" },
		{ "''abc", "abc", "empty charset and language" },
		{ "''%E5%8F%A3", "口", "empty charset, sniffed" },
		{ "UTF-8''100%", "100%", "stray % kept" },
		{ "UTF-8''%zz", "%zz", "bad escape kept" },
		{ "UTF-8'en-US'a%20b", "a b", "region subtag" },
		{ "plain value", NULL, "no apostrophes" },
		{ "only'one", NULL, "one apostrophe" },
		{ "it's John's file", NULL, "apostrophes in prose" },
		{ "a b''x", NULL, "space in the charset" },
	};
	/* clang-format on */
	struct charset_info	 ci;
	size_t			 i;
	char			*s;

	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		s = rfc2231_decode(cases[i].in, &ci);
		t_str_eq(s, cases[i].want, "rfc2231: %s", cases[i].what);
		free(s);
	}
	s = rfc2231_decode("x-klingon''%41", &ci);
	t_str_eq(s, "A", "rfc2231: unknown charset still decodes");
	t_ok(ci.flags & CHARSET_UNKNOWN, "rfc2231: unknown charset flagged");
	free(s);
	s = rfc2231_decode("UTF-8''%E3%81%82", NULL);
	t_str_eq(s, "あ", "rfc2231: info NULL");
	free(s);
}

/* Hostile headers: 1 MB each, linear time, valid UTF-8 out. */
static void
test_hostile(void)
{
	/* clang-format off */
	static const char	*units[] = {
		"=?",
		"=?a?B?",
		"=?UTF-8?B?",
		"=?UTF-8?B?5Y+j?=",
		"=?UTF-8?B?gA==?=\x80",
		"=?x?Q?a?=",
		"=?UTF-8?B?QU*J?= ",
		"\x1b$B=?",
		"=?ISO-2022-JP?B?GyRC?=\x1b$B",
	};
	/* clang-format on */
	const size_t	 size = 1024 * 1024;
	unsigned int	 seed = 88172645u;
	char		*p, *s;
	size_t		 i, k, n;
	double		 t0, t, worst = 0;
	int		 ok = 1;

	p = xmalloc(size);
	for (i = 0; i < size; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		p[i] = (char)(seed & 0xff);
	}
	t0 = now();
	s = rfc2047_decode(p, size, NULL);
	t = now() - t0;
	t_ok(valid_utf8(s), "1 MB of random bytes: valid UTF-8");
	T_TOOK("1 MB of random bytes", t);
	free(s);

	for (i = 0; i < SAGI_NITEMS(units); i++) {
		n = strlen(units[i]);
		for (k = 0; k + n <= size; k += n)
			memcpy(p + k, units[i], n);
		t0 = now();
		s = rfc2047_decode(p, k, NULL);
		t = now() - t0;
		if (t > worst)
			worst = t;
		if (!valid_utf8(s)) {
			ok = 0;
			printf("# invalid UTF-8 from unit %zu\n", i);
		}
		free(s);
	}
	t_ok(ok, "1 MB of repeated hostile units: valid UTF-8");
	T_TOOK("1 MB of hostile units, the slowest", worst);
	free(p);
}

/* Regressions. */
static void
test_regressions(void)
{
	struct rfc2047_info	 info;
	char			*s;

	/* Inside raw ISO-2022-JP two-byte text, "=?" is the JIS pair 0x3D3F,
	 * not the start of a word. */
	s = dec("\x1b$B=?x?B?QUJD?=\x1b(B", &info);
	t_ok(!(info.flags & (RFC2047_ENCODED | RFC2047_UNKNOWN_CHARSET)),
	    "no word is found inside raw JIS text");
	t_ok(strstr(s, "=?") == NULL, "raw JIS text is decoded as JIS");
	free(s);

	/* A word after raw JIS that returned to ASCII is found. */
	s = dec("\x1b$B$3\x1b(B=?UTF-8?B?5Y+j?=", &info);
	t_str_eq(s, "こ口", "word after raw JIS");
	free(s);

	/* A B word that only carries JIS bytes in two-byte mode is not
	 * excess encoding: its neighbours carry the escapes. */
	s = dec("=?ISO-2022-JP?B?GyRC?= =?ISO-2022-JP?B?JDMkcw==?= "
	    "=?ISO-2022-JP?B?GyhC?=", &info);
	t_str_eq(s, "こん", "JIS bytes alone in the middle word");
	t_int_eq(info.flags, ENC, "middle JIS word is not excess");
	free(s);
}

int
main(void)
{
	test_degenerate();
	test_table();
	test_info();
	test_splits();
	test_rfc2231();
	test_regressions();
	test_hostile();
	return t_done();
}
