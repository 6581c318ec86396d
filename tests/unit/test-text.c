/* SPDX-License-Identifier: ISC */
/*
 * Tests for tui/text.c: escaping of controls and invisibles, display
 * width and truncation by columns.  Links no curses and no locale.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sagi.h"
#include "tui/text.h"
#include "t.h"

#define ELL	"\xe2\x80\xa6"		/* "…" */
#define FFFD	"\xef\xbf\xbd"

/* Length for the tables: strlen unless a case holds a NUL. */
#define STRLEN	((size_t)-1)

static void
test_degenerate(void)
{
	char	 buf[32], *s;

	s = text_sanitize(NULL, 0);
	t_str_eq(s, "", "sanitize(NULL)");
	free(s);
	s = text_sanitize("abc", 0);
	t_str_eq(s, "", "sanitize with len 0");
	free(s);
	s = text_sanitize_line(NULL, 0);
	t_str_eq(s, "", "sanitize_line(NULL)");
	free(s);
	s = text_sanitize("abcdef", 3);
	t_str_eq(s, "abc", "len is honoured without a NUL");
	free(s);

	t_int_eq(text_width(NULL), 0, "width(NULL)");
	t_int_eq(text_width(""), 0, "width(\"\")");

	t_int_eq(text_fit(NULL, 10, buf, sizeof buf), 0, "fit(NULL)");
	t_str_eq(buf, "", "fit(NULL) is empty");
	t_int_eq(text_fit("abc", 0, buf, sizeof buf), 0, "fit to 0 columns");
	t_str_eq(buf, "", "fit to 0 columns is empty");
	t_int_eq(text_fit_pad("abc", -3, buf, sizeof buf), 0,
	    "fit to negative columns");
	t_str_eq(buf, "", "fit to negative columns is empty");

	memset(buf, 'X', sizeof buf);
	t_int_eq(text_fit("abc", 10, buf, 0), 3, "bufsize 0 still measures");
	t_ok(buf[0] == 'X', "bufsize 0 writes nothing");
	t_int_eq(text_fit("abc", 10, buf, 1), 3, "bufsize 1 measures");
	t_str_eq(buf, "", "bufsize 1 holds only the NUL");
}

static void
test_sanitize(void)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*want;
	} cases[] = {
		{ "hello", STRLEN, "hello" },
		{ "a\nb\tc", STRLEN, "a\nb\tc" },
		/* ESC[31m must not reach the terminal */
		{ "\x1b[31mred\x1b[0m", STRLEN, "^[[31mred^[[0m" },
		{ "\x1b]0;title\x07", STRLEN, "^[]0;title^G" },
		{ "a\x7f", STRLEN, "a^?" },
		{ "\x01\x1f", STRLEN, "^A^_" },
		{ "a\0b", 3, "a^@b" },
		{ "\r\n", STRLEN, "^M\n" },
		/* C1 controls, as UTF-8 code points */
		{ "\xc2\x85", STRLEN, "<U+0085>" },
		{ "\xc2\x9b" "31m", STRLEN, "<U+009B>31m" },
		/* bidi */
		{ "\u202egnp.exe", STRLEN, "<U+202E>gnp.exe" },
		{ "\u2066x\u2069", STRLEN, "<U+2066>x<U+2069>" },
		{ "\u200e\u200f\u061c", STRLEN, "<U+200E><U+200F><U+061C>" },
		/* zero-width and invisible */
		{ "メ\u200bルカリ", STRLEN, "メ<U+200B>ルカリ" },
		{ "\ufeffdocomo", STRLEN, "<U+FEFF>docomo" },
		{ "Ama\u00adzon", STRLEN, "Ama<U+00AD>zon" },
		{ "\u200c\u200d\u2060", STRLEN, "<U+200C><U+200D><U+2060>" },
		{ "\u3164", STRLEN, "<U+3164>" },
		{ "a\u2028b", STRLEN, "a<U+2028>b" },
		/* invalid UTF-8: one U+FFFD per maximal subpart */
		{ "\xff", STRLEN, FFFD },
		{ "a\xe3\x81", STRLEN, "a" FFFD },
		{ "\xe3\x81" "A", STRLEN, FFFD "A" },
		{ "\xc0\xaf", STRLEN, FFFD FFFD },	/* overlong "/" */
		{ "\xe0\x80\xaf", STRLEN, FFFD FFFD FFFD },
		{ "\xf0\x80\x80\xaf", STRLEN, FFFD FFFD FFFD FFFD },
		{ "\xed\xa0\x80", STRLEN, FFFD FFFD FFFD },
		{ "\xf4\x90\x80\x80", STRLEN, FFFD FFFD FFFD FFFD },
		{ "\xf0\x9f\x98", STRLEN, FFFD },
		{ "\x80\x80", STRLEN, FFFD FFFD },
		/* valid text passes untouched */
		{ "\xf0\x9f\x98\x80", STRLEN, "\xf0\x9f\x98\x80" },
		{ "e\u0301", STRLEN, "e\u0301" },
		{ "【重要】Amazon株式会社", STRLEN, "【重要】Amazon株式会社" },
		{ "\ufffd", STRLEN, "\ufffd" },
		{ "\u00a0\u00e9", STRLEN, "\u00a0\u00e9" },
	};
	char	*s, *again;
	size_t	 i, len;
	int	 bad;

	bad = 0;
	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		len = cases[i].len == STRLEN ? strlen(cases[i].in) :
		    cases[i].len;
		s = text_sanitize(cases[i].in, len);
		t_str_eq(s, cases[i].want, "sanitize case %zu", i);
		again = text_sanitize(s, strlen(s));
		bad += strcmp(again, s) != 0;
		free(again);
		free(s);
	}
	t_int_eq(bad, 0, "sanitizing twice changes nothing");
}

static void
test_sanitize_line(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "  Hello \n\t World  ", "Hello World" },
		{ "\n\n", "" },
		{ "one\ntwo", "one two" },
		{ "a\r\nb", "a^M b" },
		{ "お客 様", "お客 様" },	/* a visible clue: kept */
		{ "\u3000x", "\u3000x" },	/* ideographic space is text */
		{ "\x1b[2J\tCleared", "^[[2J Cleared" },
		{ "\u202e \u202c", "<U+202E> <U+202C>" },
		{ "a \xff b", "a " FFFD " b" },
	};
	char	*s;
	size_t	 i;

	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		s = text_sanitize_line(cases[i].in, strlen(cases[i].in));
		t_str_eq(s, cases[i].want, "sanitize_line case %zu", i);
		free(s);
	}
}

static void
test_width(void)
{
	static const struct {
		const char	*in;
		int		 want;
	} cases[] = {
		{ "abc", 3 },
		{ "アマゾン", 8 },			/* kana: 2 each */
		{ "ｱﾏｿﾞﾝ", 5 },			/* half-width: 1 each */
		{ "Amazonから", 10 },
		{ "株式会社", 8 },
		{ "ＡＢＣ", 6 },
		{ "한국", 4 },
		{ "\u0410\u03b1", 2 },
		{ "e\u0301", 1 },			/* combining acute */
		{ "か\u3099", 2 },			/* voiced mark */
		{ "\xf0\x9f\x98\x80", 2 },		/* emoji */
		{ "\xf0\xa0\x80\x8b", 2 },		/* plane 2 Han */
		{ "\u2026", 1 },			/* ambiguous: 1 */
		{ "a\tb\nc", 5 },
		{ "\x1b", 2 },
		{ "\u200b", 8 },
		{ "\xff", 1 },
		{ "\u3000", 2 },
		{ "\u0600", 1 },	/* visible format character */
		{ "\u4dc0", 2 },	/* Yijing: wide, as glibc says */
	};
	size_t	 i;

	for (i = 0; i < SAGI_NITEMS(cases); i++)
		t_int_eq(text_width(cases[i].in), cases[i].want,
		    "width case %zu", i);
}

static void
test_fit(void)
{
	static const struct {
		const char	*in;
		int		 width;
		const char	*want;
		const char	*want_pad;
	} cases[] = {
		{ "hello", 10, "hello", "hello     " },
		{ "hello", 5, "hello", "hello" },	/* exact: no "…" */
		{ "hello!", 5, "hell" ELL, "hell" ELL },
		{ "hello", 1, ELL, ELL },
		{ "アマゾン", 8, "アマゾン", "アマゾン" },
		{ "アマゾン", 7, "アマゾ" ELL, "アマゾ" ELL },
		/* 2-column character at the edge: one column short, padded */
		{ "アマゾン", 6, "アマ" ELL, "アマ" ELL " " },
		{ "アマゾン", 2, ELL, ELL " " },
		{ "アマゾン", 1, ELL, ELL },
		{ "abアマ", 4, "ab" ELL, "ab" ELL " " },
		{ "aアマゾン", 4, "aア" ELL, "aア" ELL },
		{ "Amazonから緊急のご連絡", 12, "Amazonから" ELL,
		  "Amazonから" ELL " " },
		{ "\x1b[31mred", 20, "^[[31mred", "^[[31mred           " },
		{ "\x1b[31mred", 3, "^[" ELL, "^[" ELL },
		/* an escape is never split */
		{ "\u202eabc", 11, "<U+202E>abc", "<U+202E>abc" },
		{ "\u202eabc", 5, ELL, ELL "    " },
		{ "メ\u200bルカリ", 13, "メ<U+200B>ル" ELL,
		  "メ<U+200B>ル" ELL },
		{ "メ\u200bルカリ", 12, "メ<U+200B>" ELL,
		  "メ<U+200B>" ELL " " },
		/* combining marks stay with their base */
		{ "e\u0301e\u0301e\u0301", 3, "e\u0301e\u0301e\u0301",
		  "e\u0301e\u0301e\u0301" },
		{ "e\u0301e\u0301e\u0301", 2, "e\u0301" ELL, "e\u0301" ELL },
		{ "a\nb\tc", 5, "a b c", "a b c" },
		{ "\xff" "abc", 3, FFFD "a" ELL, FFFD "a" ELL },
	};
	char	 buf[128];
	size_t	 i, n;

	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		n = text_fit(cases[i].in, cases[i].width, buf, sizeof buf);
		t_str_eq(buf, cases[i].want, "fit case %zu (%d columns)", i,
		    cases[i].width);
		t_int_eq(n, strlen(cases[i].want), "fit case %zu length", i);
		n = text_fit_pad(cases[i].in, cases[i].width, buf, sizeof buf);
		t_str_eq(buf, cases[i].want_pad, "fit_pad case %zu", i);
		t_int_eq(n, strlen(cases[i].want_pad),
		    "fit_pad case %zu length", i);
	}
}

/* A buffer too small: a prefix cut at a character, strlcpy's return. */
static void
test_fit_bufsize(void)
{
	char	 buf[16];

	t_int_eq(text_fit("アマゾン", 8, buf, 7), 12, "needs 12 bytes");
	t_str_eq(buf, "アマ", "7 bytes hold two kana, not a split third");
	t_int_eq(text_fit("アマゾン", 7, buf, 10), 12, "with ellipsis: 12");
	t_str_eq(buf, "アマゾ", "the ellipsis does not fit");
	t_int_eq(text_fit("\u202eabc", 11, buf, 6), 11, "escape needs 11");
	t_str_eq(buf, "", "an escape is not split by the buffer either");
	t_int_eq(text_fit_pad("ab", 6, buf, 5), 6, "padding counts");
	t_str_eq(buf, "ab  ", "padding is cut by the buffer");
}

/* Whatever the input, fit never exceeds the width and pad hits it. */
static void
test_fit_widths(void)
{
	static const char *const inputs[] = {
		"", "a", "アマゾン", "aアbマcゾdン", "e\u0301\u0301x",
		"\u202e\x1b[0m\u200b", "\xff\xfe\xe3\x81", "😀😀😀 ok",
		"ｱﾏｿﾞﾝ　お客様", "a\tb\nc",
	};
	char	 buf[256];
	size_t	 i;
	int	 w, bad_fit, bad_pad;

	bad_fit = bad_pad = 0;
	for (i = 0; i < SAGI_NITEMS(inputs); i++) {
		for (w = 0; w <= 30; w++) {
			text_fit(inputs[i], w, buf, sizeof buf);
			if (text_width(buf) > w ||
			    (text_width(inputs[i]) <= w &&
			    text_width(buf) != text_width(inputs[i])))
				bad_fit++;
			text_fit_pad(inputs[i], w, buf, sizeof buf);
			if (text_width(buf) != w)
				bad_pad++;
		}
	}
	t_int_eq(bad_fit, 0, "fit stays within the width, whole when it fits");
	t_int_eq(bad_pad, 0, "fit_pad is exactly the width");
}

static void
test_large(void)
{
	struct buf	 b;
	char		 out[512], *s;
	size_t		 n;

	buf_init(&b);
	while (b.len < 1024 * 1024)
		buf_adds(&b, "【緊急】Amazon\u200bアカウント\x1b[31m停止 ");
	n = text_fit_pad(b.data, 80, out, sizeof out);
	t_ok(n < sizeof out, "1 MB fitted into 80 columns (%zu bytes)", n);
	t_int_eq(text_width(out), 80, "exactly 80 columns");
	s = text_sanitize_line(b.data, b.len);
	t_ok(strstr(s, "\x1b") == NULL, "no ESC left in 1 MB");
	/* 48 bytes, 43 columns a piece */
	t_int_eq(text_width(s), (b.len / 48) * 43 - 1, "width of 1 MB");
	free(s);
	buf_free(&b);
}

/* Joins the pieces with '|' and frees them. */
static char *
wrap_joined(const char *s, int width, size_t *n)
{
	char	**p = text_wrap(s, width, n);
	struct buf b;
	size_t	 i;

	buf_init(&b);
	for (i = 0; i < *n; i++) {
		buf_printf(&b, "%s%s", i ? "|" : "", p[i]);
		free(p[i]);
	}
	free(p);
	return buf_take(&b);
}

static void
test_wrap(void)
{
	static const struct {
		const char	*in;
		int		 width;
		const char	*want;
	} tab[] = {
		{ "", 10, "" },
		{ "short", 10, "short" },
		{ "exactly10!", 10, "exactly10!" },
		{ "one two three four", 10, "one two |three four" },
		{ "abcdefghijklmnop", 5, "abcde|fghij|klmno|p" },
		/* Japanese: two columns a character, broken anywhere. */
		{ "アマゾン株式会社", 6, "アマゾ|ン株式|会社" },
		/* A wide character never straddles the edge. */
		{ "aアマ", 4, "aア|マ" },
		/* Controls show as ^X and count two columns. */
		{ "a\033[31mb", 4, "a^[[|31mb" },
		{ "x", 0, "x" },
	};
	size_t	i, n;
	char	*got;

	for (i = 0; i < SAGI_NITEMS(tab); i++) {
		got = wrap_joined(tab[i].in, tab[i].width, &n);
		t_str_eq(got, tab[i].want, "wrap \"%s\" at %d", tab[i].in,
		    tab[i].width);
		free(got);
	}
	got = wrap_joined("一二三四五六七八九十", 7, &n);
	t_ok(n == 4, "every piece of a wrapped Japanese line fits (%zu)", n);
	free(got);
}

int
main(void)
{
	test_degenerate();
	test_sanitize();
	test_sanitize_line();
	test_width();
	test_fit();
	test_fit_bufsize();
	test_fit_widths();
	test_large();
	test_wrap();
	return t_done();
}
