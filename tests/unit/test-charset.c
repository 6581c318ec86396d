/* SPDX-License-Identifier: ISC */
/*
 * Tests for core/charset.c: label canonicalisation, sniffing, and
 * conversion to UTF-8 with the CP932 extensions, mislabelled input,
 * invalid bytes and hostile sizes.  Byte strings were produced with
 * glibc iconv(1) and checked against the JIS/CP932 tables.
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "charset.h"
#include "xalloc.h"
#include "t.h"

#define FFFD	"\xef\xbf\xbd"

/* Well-formed UTF-8 by Unicode Table 3-7, checked independently of the
 * decoder under test. */
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

/* Deterministic bytes for the size tests (xorshift32). */
static void
fill_random(char *p, size_t n, unsigned int seed)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		p[i] = (char)(seed & 0xff);
	}
}

static void
test_degenerate(void)
{
	struct charset_info	 ci;
	char			*s;

	s = charset_to_utf8(NULL, 0, NULL, &ci);
	t_str_eq(s, "", "NULL input is empty");
	t_int_eq(ci.flags, 0, "NULL input raises nothing");
	free(s);
	s = charset_to_utf8("", 0, "utf-8", NULL);
	t_str_eq(s, "", "empty input, info NULL");
	free(s);
	s = charset_to_utf8("abcdef", 3, NULL, &ci);
	t_str_eq(s, "abc", "len is honoured without a NUL");
	t_str_eq(ci.used, "US-ASCII", "plain ASCII is used as US-ASCII");
	t_str_eq(ci.declared, "", "no label declares \"\"");
	free(s);
	s = charset_to_utf8("   ", 3, "", &ci);
	t_str_eq(s, "   ", "white space only");
	t_int_eq(ci.flags, 0, "white space raises nothing");
	free(s);
	s = charset_to_utf8("a\0b", 3, "utf-8", &ci);
	t_str_eq(s, "a" FFFD "b", "NUL becomes U+FFFD");
	t_ok(ci.flags & CHARSET_INVALID, "NUL is flagged invalid");
	free(s);
	s = charset_to_utf8("\x87\x40\0", 3, "shift_jis", &ci);
	t_str_eq(s, "\xe2\x91\xa0" FFFD, "NUL after CP932 becomes U+FFFD");
	free(s);
	s = charset_to_utf8("x", 1, "  \"UTF-8\" ", &ci);
	t_str_eq(ci.declared, "utf-8", "declared is trimmed and lower case");
	free(s);
	s = charset_to_utf8("x", 1,
	    "a-label-far-too-long-for-the-declared-field-of-info", &ci);
	t_int_eq(strlen(ci.declared), sizeof ci.declared - 1,
	    "a long label is truncated, not overflowed");
	t_ok(ci.flags & CHARSET_UNKNOWN, "a long junk label is unknown");
	free(s);

	t_ok(charset_canonical(NULL) == NULL, "canonical(NULL)");
	t_ok(charset_canonical("") == NULL, "canonical(\"\")");
	t_ok(charset_sniff(NULL, 0) == NULL, "sniff(NULL)");
	t_ok(charset_sniff("", 0) == NULL, "sniff(\"\")");
}

static void
test_canonical(void)
{
	/* clang-format off */
	static const struct {
		const char	*label;
		const char	*want;
	} cases[] = {
		{ "Shift_JIS",		"CP932" },
		{ "shift-jis",		"CP932" },
		{ "SJIS",		"CP932" },
		{ "x-sjis",		"CP932" },
		{ "windows-31j",	"CP932" },
		{ "MS932",		"CP932" },
		{ "ISO-2022-JP",	"ISO-2022-JP" },
		{ "iso-2022-jp",	"ISO-2022-JP" },
		{ "csISO2022JP",	"ISO-2022-JP" },
		{ "CP50220",		"ISO-2022-JP" },
		{ "EUC-JP",		"EUC-JP" },
		{ "x-euc-jp",		"EUC-JP" },
		{ "gb2312",		"GBK" },
		{ "EUC-CN",		"GBK" },
		{ "GBK",		"GBK" },
		{ "utf8",		"UTF-8" },
		{ "UTF-8",		"UTF-8" },
		{ " \"utf-8\" ",	"UTF-8" },
		{ "us-ascii",		"US-ASCII" },
		{ "iso-8859-1",		"WINDOWS-1252" },
		{ "ks_c_5601-1987",	"CP949" },
		{ "x-unknown",		NULL },
		{ "utf-8//TRANSLIT",	NULL },
	};
	/* clang-format on */
	size_t	 i;

	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		t_str_eq(charset_canonical(cases[i].label), cases[i].want,
		    "canonical(\"%s\")", cases[i].label);
	}
}

static void
test_sniff(void)
{
	/* clang-format off */
	static const struct {
		const char	*in;
		const char	*want;
		const char	*what;
	} cases[] = {
		{ "hello, world",			NULL,	"ASCII" },
		{ "\x1b$B$3$s\x1b(B",			"ISO-2022-JP", "ESC $ B" },
		{ "\x1b$@$3$s\x1b(B",			"ISO-2022-JP", "ESC $ @" },
		{ "\xe3\x81\x93\xe3\x82\x93",		"UTF-8", "UTF-8 kana" },
		{ "caf\xc3\xa9",			"UTF-8", "UTF-8 Latin" },
		{ "\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd", "CP932", "CP932 kana" },
		{ "\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf", "EUC-JP", "EUC-JP kana" },
		{ "\x8b\xd9\x8b\x7d\x98\x41\x97\x8d",	"CP932", "CP932 kanji only" },
		{ "\xb6\xdb\xb5\xde\xcf\xa2\xcd\xed",	"EUC-JP", "EUC-JP kanji only" },
		{ "\xb1\xcf\xbf\xde\xdd",		"CP932", "CP932 half-width kana" },
		{ "\x8c\x8f\x96\xbc: x",		"CP932", "short CP932 header" },
		{ "\xff\xfe\xff\xfe",			NULL,	"garbage fits nothing" },
		{ "\x80\x80\x80",			NULL,	"stray trail bytes" },
	};
	/* clang-format on */
	size_t	 i;

	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		t_str_eq(charset_sniff(cases[i].in, strlen(cases[i].in)),
		    cases[i].want, "sniff: %s", cases[i].what);
	}
}

static void
test_convert(void)
{
	/* clang-format off */
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: strlen */
		const char	*label;
		const char	*want;
		unsigned int	 flags;
		const char	*used;
		const char	*what;
	} cases[] = {
	/* ISO-2022-JP, CP50220 */
	{ "\x1b$B$3$s$K$A$O\x1b(B", 0, "ISO-2022-JP", "こんにちは", 0,
	  "ISO-2022-JP", "ISO-2022-JP kana" },
	{ "\x1b$B-!-j\x1b(B", 0, "iso-2022-jp", "\xe2\x91\xa0\xe3\x88\xb1", 0,
	  "ISO-2022-JP", "NEC row 13: ① U+2460 and ㈱ U+3231" },
	{ "\x1b$B-b!A\x1b(B", 0, "iso-2022-jp", "№～", 0,
	  "ISO-2022-JP", "№ and ～ (U+FF5E through CP932)" },
	{ "\x1b$B|b\x1b(B", 0, "iso-2022-jp", "髙", 0,
	  "ISO-2022-JP", "NEC-selected IBM extension 髙" },
	{ "\x1b(I12\x1b(B", 0, "iso-2022-jp", "ｱｲ", 0,
	  "ISO-2022-JP", "half-width kana by ESC ( I" },
	{ "a\x0e" "12\x0f" "b", 0, "iso-2022-jp", "aｱｲb", 0,
	  "ISO-2022-JP", "half-width kana by SO/SI" },
	{ "\x1b$(D0!\x1b(B", 0, "iso-2022-jp", "丂", 0,
	  "ISO-2022-JP", "JIS X 0212 by ESC $ ( D" },
	{ "\x1b(Jabc\x1b(B", 0, "iso-2022-jp", "abc", 0,
	  "ISO-2022-JP", "JIS-Roman read as ASCII" },
	{ "\x1b$B$3\n$s\x1b(B", 0, "iso-2022-jp", "こ\n$s", 0,
	  "ISO-2022-JP", "a line break ends two-byte mode" },
	{ "\x1b$B$3\x1b(B\x82\xa0", 0, "iso-2022-jp", "こあ", CHARSET_MISMATCH,
	  "ISO-2022-JP", "CP932 bytes inside ISO-2022-JP" },
	{ "\x1b$B$3\x1b(B\xe3\x81\x82", 0, "iso-2022-jp", "こあ",
	  CHARSET_MISMATCH, "ISO-2022-JP", "UTF-8 bytes inside ISO-2022-JP" },
	{ "\x1b$B$", 0, "iso-2022-jp", FFFD, CHARSET_INVALID,
	  "ISO-2022-JP", "half a JIS pair" },
	{ "\x1b$Z", 0, "iso-2022-jp", FFFD "$Z", CHARSET_INVALID,
	  "ISO-2022-JP", "unknown escape" },
	{ "\x1b$B.!\x1b(B", 0, "iso-2022-jp", FFFD, CHARSET_INVALID,
	  "ISO-2022-JP", "unassigned row 14 is one U+FFFD" },
	{ "\x1b$A\x56\x50\x1b(B", 0, "iso-2022-jp-2", "中", 0,
	  "ISO-2022-JP-2", "ISO-2022-JP-2 GB 2312 designation" },
	/* Shift_JIS is CP932 */
	{ "\x87\x40\x81\x60\x87\x8a", 0, "Shift_JIS", "①～㈱", 0,
	  "CP932", "CP932-only characters" },
	{ "\x87\x40", 0, "x-sjis", "①", 0, "CP932", "x-sjis" },
	{ "\xfa\x40\xee\xe0", 0, "windows-31j", "ⅰ髙", 0,
	  "CP932", "IBM extensions" },
	{ "\xb1\xcf\xbf\xde\xdd", 0, "shift_jis", "ｱﾏｿﾞﾝ", 0,
	  "CP932", "half-width katakana" },
	{ "\xb1\xcf\xbf\xde", 0, "shift_jis", "ｱﾏｿﾞ", 0, "CP932",
	  "half-width kana that are also valid EUC-JP stay CP932" },
	{ "\x82\xa0\x82", 0, "shift_jis", "あ" FFFD, CHARSET_INVALID,
	  "CP932", "truncated CP932" },
	{ "\x85\x40" "a", 0, "shift_jis", FFFD "a", CHARSET_INVALID,
	  "CP932", "unassigned pair is one U+FFFD" },
	/* EUC-JP */
	{ "\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf", 0, "EUC-JP", "こんにちは",
	  0, "EUC-JP", "EUC-JP kana" },
	{ "\xad\xa1\x8f\xb0\xa1\x8e\xb1", 0, "euc-jp", "①丂ｱ", 0,
	  "EUC-JP", "eucJP-ms: NEC row 13, JIS X 0212, half-width" },
	/* Chinese */
	{ "\xc8\xb7\xc8\xcf\xd5\xcb\xbb\xa7", 0, "gb2312", "确认账户", 0,
	  "GBK", "GB2312 read as GBK" },
	/* UTF-8 */
	{ "\xe5\x8f\xa3\xe5\xba\xa7", 0, "utf-8", "口座", 0, "UTF-8", "UTF-8" },
	{ "a\xff" "b", 0, "utf-8", "a" FFFD "b", CHARSET_INVALID,
	  "UTF-8", "invalid UTF-8 byte" },
	{ "\xc0\xaf", 0, "utf-8", FFFD FFFD, CHARSET_INVALID,
	  "UTF-8", "overlong" },
	{ "\xed\xa0\x80", 0, "utf-8", FFFD FFFD FFFD, CHARSET_INVALID,
	  "UTF-8", "surrogate" },
	{ "\xf4\x90\x80\x80", 0, "utf-8", FFFD FFFD FFFD FFFD, CHARSET_INVALID,
	  "UTF-8", "past U+10FFFF" },
	{ "x\xe3\x81", 0, "utf-8", "x" FFFD, CHARSET_INVALID,
	  "UTF-8", "truncated UTF-8 is one U+FFFD" },
	/* Undeclared and unknown */
	{ "\xe5\x8f\xa3", 0, NULL, "口",
	  CHARSET_8BIT_UNDECLARED | CHARSET_SNIFFED, "UTF-8",
	  "no label, UTF-8 sniffed" },
	{ "\x82\xb1\x82\xf1", 0, "us-ascii", "こん",
	  CHARSET_8BIT_UNDECLARED | CHARSET_SNIFFED, "CP932",
	  "us-ascii with CP932" },
	{ "\x1b$B$3$s\x1b(B", 0, NULL, "こん", CHARSET_SNIFFED,
	  "ISO-2022-JP", "no label, ISO-2022-JP sniffed" },
	{ "\x82\xb1\x82\xf1", 0, "x-klingon", "こん",
	  CHARSET_UNKNOWN | CHARSET_SNIFFED, "CP932",
	  "unknown label, CP932 sniffed" },
	{ "a\xff\xfe", 0, "x-klingon", "a" FFFD FFFD,
	  CHARSET_UNKNOWN | CHARSET_INVALID, "UTF-8",
	  "unknown label, nothing fits: UTF-8 with U+FFFD" },
	{ "abc", 0, "x-klingon", "abc", CHARSET_UNKNOWN, "US-ASCII",
	  "unknown label, ASCII" },
	{ "\xe9", 0, "utf-8//TRANSLIT", FFFD,
	  CHARSET_UNKNOWN | CHARSET_INVALID, "UTF-8",
	  "iconv suffixes are no label" },
	/* Labels only iconv knows */
	{ "\xb1", 0, "latin2", "ą", 0, "LATIN2", "iconv alias latin2" },
	{ "A\0\x42\x30", 4, "utf-16le", "Aあ", 0, "UTF-16LE", "UTF-16LE" },
	/* Single-byte */
	{ "caf\xe9", 0, "iso-8859-1", "café", 0, "WINDOWS-1252",
	  "Latin-1 is windows-1252" },
	{ "\x93quoted\x94", 0, "iso-8859-1", "“quoted”", 0, "WINDOWS-1252",
	  "windows-1252 quotes under a Latin-1 label" },
	{ "Gr\xfc\xdf" "e", 0, "iso-8859-1", "Grüße", 0, "WINDOWS-1252",
	  "German stays German" },
	/* Lies */
	{ "\xe5\x8f\xa3\xe5\xba\xa7", 0, "shift_jis", "口座", CHARSET_MISMATCH,
	  "UTF-8", "UTF-8 labelled Shift_JIS" },
	{ "\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd", 0, "utf-8", "こんにちは",
	  CHARSET_MISMATCH, "CP932", "CP932 labelled UTF-8" },
	{ "\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf", 0, "utf-8", "こんにちは",
	  CHARSET_MISMATCH, "EUC-JP", "EUC-JP labelled UTF-8" },
	{ "\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf", 0, "shift_jis",
	  "こんにちは", CHARSET_MISMATCH, "EUC-JP",
	  "EUC-JP labelled Shift_JIS (valid CP932 mojibake)" },
	{ "\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd", 0, "euc-jp",
	  "こんにちは", CHARSET_MISMATCH, "CP932", "CP932 labelled EUC-JP" },
	{ "\xe3\x81\x93\xe3\x82\x93", 0, "iso-8859-1", "こん",
	  CHARSET_MISMATCH, "UTF-8", "UTF-8 labelled Latin-1" },
	{ "\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd", 0, "iso-8859-1",
	  "こんにちは", CHARSET_MISMATCH, "CP932", "CP932 labelled Latin-1" },
	{ "\x1b$B$3$s\x1b(B", 0, "utf-8", "こん", CHARSET_MISMATCH,
	  "ISO-2022-JP", "ISO-2022-JP labelled UTF-8" },
	{ "\xe5\x8f\xa3\xe5\xba\xa7", 0, "iso-2022-jp", "口座",
	  CHARSET_MISMATCH, "ISO-2022-JP", "UTF-8 labelled ISO-2022-JP" },
	/* The seed subject, each way it travels */
	{ "Amazon\x1b$B3t<02q<R$+$i6[5^$N$4O\"Mm%a\x1b(B-\x1b$B%kHV9f"
	  "\x1b(B:XXXXX", 0, "iso-2022-jp",
	  "Amazon株式会社から緊急のご連絡メ-ル番号:XXXXX", 0, "ISO-2022-JP",
	  "seed subject, ISO-2022-JP" },
	{ "Amazon\x8a\x94\x8e\xae\x89\xef\x8e\xd0\x82\xa9\x82\xe7\x8b\xd9"
	  "\x8b\x7d\x82\xcc\x82\xb2\x98\x41\x97\x8d\x83\x81-\x83\x8b\x94\xd4"
	  "\x8d\x86:XXXXX", 0, "shift_jis",
	  "Amazon株式会社から緊急のご連絡メ-ル番号:XXXXX", 0, "CP932",
	  "seed subject, Shift_JIS" },
	{ "Amazon\xb3\xf4\xbc\xb0\xb2\xf1\xbc\xd2\xa4\xab\xa4\xe9\xb6\xdb\xb5"
	  "\xde\xa4\xce\xa4\xb4\xcf\xa2\xcd\xed\xa5\xe1-\xa5\xeb\xc8\xd6\xb9"
	  "\xe6:XXXXX", 0, "euc-jp",
	  "Amazon株式会社から緊急のご連絡メ-ル番号:XXXXX", 0, "EUC-JP",
	  "seed subject, EUC-JP" },
	};
	/* clang-format on */
	struct charset_info	 ci;
	size_t			 i, len;
	char			*s;

	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].in);
		s = charset_to_utf8(cases[i].in, len, cases[i].label, &ci);
		t_str_eq(s, cases[i].want, "%s", cases[i].what);
		t_int_eq(ci.flags, cases[i].flags, "%s: flags", cases[i].what);
		t_str_eq(ci.used, cases[i].used, "%s: used", cases[i].what);
		free(s);
	}
}

/* Every input, however hostile, gives well-formed UTF-8 in linear time. */
static void
test_hostile(void)
{
	static const char	 storm[] =
	    "\x1b$(D0!\x1b$B$3\x82\xa0\x1b(Ia\x0e";
	static const char	 kana[] = "\xb1\xcf\xbf\xde\xdd ";
	static const char	*labels[] = { NULL, "utf-8", "shift_jis",
	    "euc-jp", "iso-2022-jp", "gb2312", "iso-8859-1", "us-ascii",
	    "x-klingon" };
	const size_t		 size = 8 * 1024 * 1024;
	char			*p, *s;
	size_t			 i, k;
	double			 t0, worst = 0, t;
	int			 ok = 1;

	p = xmalloc(size);
	fill_random(p, size, 2463534242u);
	for (i = 0; i < SAGI_NITEMS(labels); i++) {
		t0 = now();
		s = charset_to_utf8(p, size / 4, labels[i], NULL);
		t = now() - t0;
		printf("# %s: %.2fs\n", labels[i] ? labels[i] : "(none)", t);
		if (t > worst)
			worst = t;
		if (!valid_utf8(s))
			ok = 0;
		free(s);
	}
	t_ok(ok, "2 MB of random bytes give valid UTF-8 under every label");
	T_TOOK("2 MB random, the slowest label", worst);

	/* Escapes and 8-bit runs interleaved, the worst case for the
	 * ISO-2022-JP decoder's flushes and sniffing. */
	for (k = 0; k + sizeof storm - 1 <= size; k += sizeof storm - 1)
		memcpy(p + k, storm, sizeof storm - 1);
	t0 = now();
	s = charset_to_utf8(p, size, "iso-2022-jp", NULL);
	t = now() - t0;
	t_ok(valid_utf8(s), "escape/8-bit storm gives valid UTF-8");
	T_TOOK("escape/8-bit storm", t);
	free(s);

	/* Half-width kana as CP932 with no label: sniffing runs over it all.
	 * The odd length of each word keeps it from being valid EUC-JP. */
	for (k = 0; k + sizeof kana - 1 <= size; k += sizeof kana - 1)
		memcpy(p + k, kana, sizeof kana - 1);
	t0 = now();
	s = charset_to_utf8(p, k, NULL, NULL);
	t = now() - t0;
	t_ok(valid_utf8(s) && strncmp(s, "ｱﾏｿﾞﾝ ｱﾏｿﾞﾝ ", 32) == 0,
	    "8 MB of undeclared half-width kana");
	T_TOOK("undeclared 8 MB", t);
	free(s);

	t_ok(charset_sniff(p, size) != NULL, "sniff over 8 MB answers");
	free(p);
}

/* Regressions. */
static void
test_regressions(void)
{
	struct charset_info	 ci;
	char			*s;

	/* A lone ESC in plain text is a control character, not a charset. */
	s = charset_to_utf8("a\x1b" "b", 3, NULL, &ci);
	t_str_eq(s, "a\x1b" "b", "lone ESC kept");
	t_int_eq(ci.flags, 0, "lone ESC raises nothing");
	free(s);

	/* Two calls in a row share no state (no cached shift state). */
	s = charset_to_utf8("\x1b$B$3", 5, "iso-2022-jp", NULL);
	free(s);
	s = charset_to_utf8("$3", 2, "iso-2022-jp", &ci);
	t_str_eq(s, "$3", "ISO-2022-JP state does not leak between calls");
	free(s);

	/* Output never contains Latin-1 mojibake of Japanese. */
	s = charset_to_utf8("\x8b\xd9\x8b\x7d\x82\xcc\x82\xb2\x98\x41\x97\x8d",
	    12, "iso-8859-1", &ci);
	t_str_eq(s, "緊急のご連絡", "CP932 under Latin-1 is not mojibake");
	free(s);
}

/*
 * ISO-2022-JP is decoded through a table of what iconv's CP932 makes of
 * each JIS X 0208 pair (by way of its Shift_JIS pair) and each half-width
 * katakana: every one of them must still come out as iconv says, U+FFFD
 * where iconv refuses it.
 */
static void
test_iso2022jp_table(void)
{
	iconv_t		 cd;
	struct charset_info info;
	char		 in[16], want[16], *ip, *op, *got;
	size_t		 il, ol, bad = 0, refused = 0;
	unsigned int	 c, c2;
	unsigned char	 s1, s2;

	if ((cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1) {
		t_skip(2, "no CP932 in this iconv");
		return;
	}
	for (c = 0x21; c <= 0x7e + 1; c++) {
		for (c2 = 0x21; c2 <= 0x7e && bad < 5; c2++) {
			if (c <= 0x7e) {
				/* The pair, and its Shift_JIS pair. */
				snprintf(in, sizeof in, "\x1b$B%c%c\x1b(B",
				    (int)c, (int)c2);
				s1 = (unsigned char)(((c + 1) >> 1) +
				    (c <= 0x5e ? 0x70 : 0xb0));
				s2 = (unsigned char)(c2 + ((c & 1) ?
				    (c2 < 0x60 ? 0x1f : 0x20) : 0x7e));
				want[0] = (char)s1;
				want[1] = (char)s2;
				il = 2;
			} else if (c2 <= 0x5f) {
				/* Half-width katakana, ESC ( I. */
				snprintf(in, sizeof in, "\x1b(I%c\x1b(B",
				    (int)c2);
				want[0] = (char)(c2 + 0x80);
				il = 1;
			} else
				continue;
			ip = want;
			op = want + 4;
			ol = sizeof want - 5;
			if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
				strcpy(want, "\xef\xbf\xbd");
				refused++;
			} else {
				*op = '\0';
				memmove(want, want + 4, strlen(want + 4) + 1);
			}
			got = charset_to_utf8(in, strlen(in), "iso-2022-jp",
			    &info);
			if (strcmp(got, want) != 0) {
				printf("# %02x %02x: got \"%s\", want \"%s\"\n",
				    c, c2, got, want);
				bad++;
			}
			free(got);
		}
	}
	iconv_close(cd);
	t_ok(bad == 0, "every JIS X 0208 pair and half-width kana as iconv CP932");
	t_ok(refused > 0, "and the pairs CP932 refuses are U+FFFD");
}

int
main(void)
{
	test_degenerate();
	test_canonical();
	test_sniff();
	test_convert();
	test_regressions();
	test_hostile();
	test_iso2022jp_table();
	return t_done();
}
