/* SPDX-License-Identifier: ISC */
/*
 * Tests for core/norm.c: NFKC_Casefold text, confusable skeletons and
 * mixed-script words, including chunk boundaries and a 2 MB input.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "buf.h"
#include "norm.h"
#include "xalloc.h"
#include "t.h"

/* norm.c cuts its input every NORM_CHUNK (4096) bytes. */
#define CHUNK	4096

static char *
text(const struct norm *n, const char *s)
{
	return norm_text(n, s, strlen(s));
}

static char *
skel(const struct norm *n, const char *s)
{
	return norm_skeleton(n, s, strlen(s));
}

/* Collects reported words as "w1|w2|…". */
static void
collect(void *arg, const char *word, size_t len)
{
	struct buf	*b = arg;

	if (b->len != 0)
		buf_addc(b, '|');
	buf_add(b, word, len);
}

static void
test_degenerate(struct norm *n)
{
	struct buf	 b;
	char		*s;

	norm_free(NULL);
	t_ok(1, "norm_free(NULL) is a no-op");

	s = norm_text(n, NULL, 0);
	t_str_eq(s, "", "norm_text(NULL) is empty");
	free(s);
	s = norm_text(n, "", 0);
	t_str_eq(s, "", "norm_text(\"\") is empty");
	free(s);
	s = norm_text(n, "abc", 0);
	t_str_eq(s, "", "len 0 reads nothing");
	free(s);
	s = norm_text(n, "ABCDEF", 3);
	t_str_eq(s, "abc", "len is honoured without a NUL");
	free(s);
	s = norm_text(n, "a\0B", 3);
	t_str_eq(s, "ab", "NUL inside the text is dropped");
	free(s);
	s = norm_text(n, "ａ\0Ｂ", 7);
	t_str_eq(s, "ab", "NUL inside non-ASCII text is dropped");
	free(s);

	s = norm_skeleton(n, NULL, 0);
	t_str_eq(s, "", "norm_skeleton(NULL) is empty");
	free(s);
	s = norm_skeleton(n, "", 0);
	t_str_eq(s, "", "norm_skeleton(\"\") is empty");
	free(s);

	buf_init(&b);
	t_int_eq(norm_mixed_script_words(n, NULL, 0, collect, &b), 0,
	    "mixed words of NULL");
	t_int_eq(norm_mixed_script_words(n, "", 0, collect, &b), 0,
	    "mixed words of empty text");
	t_int_eq(norm_mixed_script_words(n, "Аmazon", 0, collect, &b), 0,
	    "mixed words with len 0");
	t_int_eq(norm_mixed_script_words(n, "Аmazon", strlen("Аmazon"), NULL,
	    NULL), 1, "fn NULL only counts");
	t_str_eq(b.data, "", "nothing reported");
	buf_free(&b);
}

static void
test_text(struct norm *n)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "ＡＭＡＺＯＮ", "amazon" },
		{ "Ａｍａｚｏｎ", "amazon" },
		{ "ｱﾏｿﾞﾝ", "アマゾン" },
		{ "ﾒﾙｶﾘ", "メルカリ" },
		{ "メ\u200bルカリ", "メルカリ" },
		{ "メ\u200bル\u200bカ\u200bリ", "メルカリ" },
		{ "\ufeffdocomo", "docomo" },
		{ "Ama\u00adzon", "amazon" },
		/* the invisible goes first, so the voiced mark composes */
		{ "ｶ\u200bﾞ", "ガ" },
		{ "Amazon株式会社から緊急のご連絡",
		  "amazon株式会社から緊急のご連絡" },
		{ "【重要】ＡＰＰＬＥ　ＩＤ", "【重要】apple id" },
		{ "１２３４", "1234" },
		{ "㈱①", "(株)1" },
		{ "Straße", "strasse" },
		/* raw-text checks see these before normalisation: kept as is */
		{ "メール メ-ル", "メール メ-ル" },
		/* invalid UTF-8 */
		{ "\xff", "\ufffd" },
		{ "a\xe3\x81", "a\ufffd" },
		{ "a\xe3\x81z", "a\ufffdz" },
		{ "\xc0\xaf", "\ufffd\ufffd" },
		{ "\xed\xa0\x80", "\ufffd\ufffd\ufffd" },	/* surrogate */
		{ "\xf4\x90\x80\x80", "\ufffd\ufffd\ufffd\ufffd" },
		{ "ok\xf0\x9f\x98", "ok\ufffd" },
	};
	static const unsigned int header_set[] = {
		0x200b, 0x200c, 0x200d, 0x200e, 0x200f,
		0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
		0xfeff, 0x00ad, 0x034f,
		0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
		0x2066, 0x2067, 0x2068, 0x2069,
		0xfe00, 0xfe0f, 0xe0100, 0xe01ef, 0x180b, 0x061c,
	};
	char		*s, in[16], ascii_in[128], ascii_want[128];
	size_t		 i, bad;
	int32_t		 k;
	UChar32		 c;
	UBool		 err;
	unsigned int	 ndi, kept, first_kept;

	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		s = text(n, cases[i].in);
		t_str_eq(s, cases[i].want, "norm_text case %zu", i);
		free(s);
	}

	/* every ASCII byte, at every alignment of the 8-byte fast path */
	for (i = 0; i < 127; i++) {
		ascii_in[i] = (char)(i + 1);
		ascii_want[i] = (char)tolower(i + 1);
	}
	ascii_in[127] = ascii_want[127] = '\0';
	bad = 0;
	for (i = 0; i < 8; i++) {
		s = text(n, ascii_in + i);
		bad += strcmp(s, ascii_want + i) != 0;
		free(s);
	}
	t_int_eq(bad, 0, "ASCII lower-cased like tolower()");

	for (i = 0; i < SAGI_NITEMS(header_set); i++) {
		k = 0;
		err = 0;
		in[k++] = 'A';
		U8_APPEND(in, k, (int32_t)sizeof in, (UChar32)header_set[i],
		    err);
		in[k++] = 'b';
		t_ok(!err, "U+%04X encodes", header_set[i]);
		s = norm_text(n, in, (size_t)k);
		t_str_eq(s, "ab", "U+%04X from norm.h is removed",
		    header_set[i]);
		free(s);
	}

	/*
	 * norm.h promises every Default_Ignorable_Code_Point is gone.  ICU's
	 * NFKC_Casefold does that (4174 code points in ICU 72); if a future ICU
	 * kept one, norm.c would have to remove it itself.
	 */
	ndi = kept = first_kept = 0;
	for (c = 0; c <= 0x10ffff; c++) {
		if (!u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
			continue;
		ndi++;
		k = 0;
		err = 0;
		in[k++] = 'a';
		U8_APPEND(in, k, (int32_t)sizeof in, c, err);
		in[k++] = 'b';
		(void)err;	/* every code point here is valid */
		s = norm_text(n, in, (size_t)k);
		if (strcmp(s, "ab") != 0 && kept++ == 0)
			first_kept = (unsigned int)c;
		free(s);
	}
	t_ok(ndi > 4000, "ICU lists %u default ignorables", ndi);
	t_int_eq(kept, 0, "all removed (first kept: U+%04X)", first_kept);
}

/*
 * What ICU 72 gives, so the next reader need not run it: "amazon" itself
 * becomes "arnazon" (UTS #39 maps "m" to its prototype "rn"), and so do all
 * of its disguises; "rn" written out is therefore the same word.
 */
static void
test_skeleton(struct norm *n)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "amazon", "arnazon" },
		{ "\u0410mazon", "arnazon" },		/* Cyrillic А */
		{ "Am\u03b1zon", "arnazon" },		/* Greek α */
		{ "AMAZ0N", "arnazon" },		/* digit zero */
		{ "arnazon", "arnazon" },		/* r + n */
		{ "ＡＭＡＺＯＮ", "arnazon" },		/* full-width */
		{ "A\u200bmazon", "arnazon" },		/* zero-width space */
		{ "\u13aamazon", "arnazon" },		/* Cherokee Ꭺ */
		{ "paypal", "paypal" },
		{ "PAYPAL", "paypal" },
		{ "0O", "oo" },
		{ "1l", "ll" },
		/* half-width and full-width kana share one key (カ is 力) */
		{ "ﾒﾙｶﾘ", "メル力リ" },
		{ "メルカリ", "メル力リ" },
		{ "楽天", "楽天" },
		{ "\xff", "\ufffd" },
	};
	char		*s, *a, *b;
	size_t		 i;

	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		s = skel(n, cases[i].in);
		t_str_eq(s, cases[i].want, "norm_skeleton case %zu (%s)", i,
		    cases[i].in);
		free(s);
	}

	a = skel(n, "amazon");
	b = skel(n, "amazen");
	t_ok(strcmp(a, b) != 0, "different words keep different keys");
	free(b);
	/* Known limit: I is folded to i before the skeleton could map it. */
	b = skel(n, "PayPaI");
	t_str_eq(b, "paypai", "capital I for l is not caught");
	free(b);
	free(a);

	a = skel(n, "ｱﾏｿﾞﾝ");
	b = skel(n, "アマゾン");
	t_str_eq(a, b, "half-width and full-width katakana agree");
	t_ok(strstr(b, "ゾ") != NULL, "the key is recomposed (NFC)");
	free(a);
	free(b);
}

static void
test_mixed(struct norm *n)
{
	static const struct {
		const char	*in;
		const char	*want;	/* reported words joined by | */
	} cases[] = {
		{ "\u0410mazonお客様", "\u0410mazon" },
		{ "Am\u03b1zonプライム", "Am\u03b1zon" },
		{ "【\u0410mazon】アカウント", "\u0410mazon" },
		{ "\u0410mazon株式会社", "\u0410mazon" },
		{ "\u0410mazon と Am\u03b1zon", "\u0410mazon|Am\u03b1zon" },
		{ "\u13aamazon", "\u13aamazon" },
		{ "ＡＢＣdef", "ＡＢＣdef" },
		{ "Aｍazon", "Aｍazon" },
		{ "2\u0410mazon", "2\u0410mazon" },
		{ "\u0410m\u200bazon", "\u0410m\u200bazon" },
		{ "\u0410mazon\u200b", "\u0410mazon" },
		{ "\u200b\u0410mazon", "\u0410mazon" },
		{ "cafe\u0301\u0416", "cafe\u0301\u0416" },
		{ "\u0410m\xff" "azon", "\u0410m" },
		/* the scanner skips ASCII and kana between words */
		{ "abc日本def\u0430", "def\u0430" },
		{ "x.\u0430b", "\u0430b" },
		{ "\xe3\x41\x42\u0430", "AB\u0430" },
		{ "ご確認ください https://xn--amazon.example/Аmazon/ ok",
		  "Аmazon" },
		{ "an ASCII prefix of more than eight bytes: x\u0430",
		  "x\u0430" },
		/* not reported */
		{ "\u0391\u0392\u0393", "" },		/* pure Greek */
		{ "\u0391\u0392\u03931", "" },
		{ "amazon", "" },
		{ "日本語", "" },
		{ "ＡＢＣ", "" },			/* NFKC's business */
		{ "Москва London", "" },
		{ "Amazonアマゾン", "" },
		{ "メール", "" },
		{ "\u0301\u0301", "" },
		{ "abc-\u0430\u0431\u0432", "" },
	};
	struct buf	 b;
	size_t		 i, count, want;
	const char	*p;

	buf_init(&b);
	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		buf_reset(&b);
		count = norm_mixed_script_words(n, cases[i].in,
		    strlen(cases[i].in), collect, &b);
		t_str_eq(b.data, cases[i].want, "mixed words case %zu", i);
		want = cases[i].want[0] == '\0' ? 0 : 1;
		for (p = cases[i].want; *p != '\0'; p++)
			want += *p == '|';
		t_int_eq(count, want, "mixed words count %zu", i);
	}
	buf_free(&b);
}

/* The same text normalised in one piece and across every chunk cut. */
static void
test_chunks(struct norm *n)
{
	struct buf	 in, want;
	char		*s;
	size_t		 k, i, bad;

	/* "ｿﾞ" (two characters, one after NFKC) placed across the cut */
	bad = 0;
	for (k = CHUNK - 8; k <= CHUNK + 2; k++) {
		buf_init(&in);
		buf_init(&want);
		for (i = 0; i < k; i++) {
			buf_addc(&in, 'A');
			buf_addc(&want, 'a');
		}
		buf_adds(&in, "ｿﾞ");
		buf_adds(&want, "ゾ");
		s = norm_text(n, in.data, in.len);
		if (strcmp(s, want.data) != 0)
			bad++;
		free(s);
		buf_free(&in);
		buf_free(&want);
	}
	t_int_eq(bad, 0, "voiced mark kept with its kana at every cut");

	/* a run of combining marks longer than a chunk: no boundary at all */
	buf_init(&in);
	for (i = 0; i < 3 * CHUNK; i++)
		buf_adds(&in, "\u0301");
	s = norm_text(n, in.data, in.len);
	t_int_eq(strlen(s), in.len, "marks without a base survive the cut");
	free(s);
	buf_free(&in);

	/* invalid bytes straddling the cut give one U+FFFD each */
	buf_init(&in);
	buf_init(&want);
	for (i = 0; i < CHUNK + 8; i++) {
		buf_addc(&in, (char)0x80);
		buf_adds(&want, "\ufffd");
	}
	s = norm_text(n, in.data, in.len);
	t_str_eq(s, want.data, "stray continuation bytes across the cut");
	free(s);
	buf_free(&in);
	buf_free(&want);
}

static void
test_large(struct norm *n)
{
	static const char	 piece[] = "ＡＭＡＺＯＮｱﾏｿﾞﾝメ\u200bルカリ "
	    "\ufeffdocomo Amazon株式会社から緊急のご連絡\n";
	static const char	 piece_want[] = "amazonアマゾンメルカリ "
	    "docomo amazon株式会社から緊急のご連絡\n";
	static const char	 ascii_want[] = "dear customer, your account "
	    "has been suspended. dear";
	struct buf		 in, want;
	char			*s;

	buf_init(&in);
	buf_init(&want);
	while (in.len < 2 * 1024 * 1024) {
		buf_adds(&in, piece);
		buf_adds(&want, piece_want);
	}
	s = norm_text(n, in.data, in.len);
	t_ok(strcmp(s, want.data) == 0, "2 MB of mixed text (%zu bytes)",
	    in.len);
	free(s);

	s = norm_skeleton(n, in.data, in.len);
	t_ok(strlen(s) > in.len / 2, "skeleton of 2 MB");
	free(s);

	t_int_eq(norm_mixed_script_words(n, in.data, in.len, NULL, NULL), 0,
	    "no mixed words in 2 MB of clean text");
	buf_free(&in);
	buf_free(&want);

	/* 2 MB of ASCII takes the fast path */
	buf_init(&in);
	while (in.len < 2 * 1024 * 1024)
		buf_adds(&in,
		    "Dear Customer, Your ACCOUNT has been SUSPENDED. ");
	s = norm_text(n, in.data, in.len);
	t_ok(strlen(s) == in.len && strncmp(s, ascii_want,
	    sizeof ascii_want - 1) == 0, "2 MB of ASCII");
	free(s);
	buf_free(&in);
}

/*
 * NFKC_Casefold straight from ICU, NULs dropped: what norm_text gave before
 * its fast path, for inputs shorter than a chunk.  Owned.
 */
static char *
icu_text(const char *s, size_t len)
{
	const UNormalizer2	*nf;
	UErrorCode		 st = U_ZERO_ERROR;
	UChar			*u, *v;
	int32_t			 ul, vl, ol;
	char			*o;
	size_t			 i, k;

	nf = unorm2_getNFKCCasefoldInstance(&st);
	u = xreallocarray(NULL, len + 1, sizeof *u);
	v = xreallocarray(NULL, 18 * len + 1, sizeof *v);
	o = xmalloc(54 * len + 1);
	u_strFromUTF8WithSub(u, (int32_t)len + 1, &ul, s, (int32_t)len,
	    0xfffd, NULL, &st);
	vl = unorm2_normalize(nf, u, ul, v, 18 * (int32_t)len + 1, &st);
	u_strToUTF8(o, 54 * (int32_t)len + 1, &ol, v, vl, &st);
	if (U_FAILURE(st))
		ol = 0;
	for (i = k = 0; i < (size_t)ol; i++) {
		if (o[i] != '\0')
			o[k++] = o[i];
	}
	o[k] = '\0';
	free(u);
	free(v);
	return o;
}

/* Whether norm_text gives what ICU gives for len bytes at s. */
static int
same_as_icu(const struct norm *n, const char *s, size_t len)
{
	char	*got, *want;
	int	 same;

	got = norm_text(n, s, len);
	want = icu_text(s, len);
	same = strcmp(got, want) == 0;
	if (!same) {
		printf("# norm_text differs from ICU on");
		while (len-- > 0)
			printf(" %02x", (unsigned char)*s++);
		printf("\n#   got:  %s\n#   want: %s\n", got, want);
	}
	free(got);
	free(want);
	return same;
}

/*
 * norm_text copies most characters without asking ICU (see norm_mixed):
 * the result must be ICU's all the same.  Every BMP character alone, after
 * a letter and before a combining mark; then random mixes of characters
 * that combine, decompose, fold or vanish.
 */
static void
test_fast_path(struct norm *n)
{
	static const char *const parts[] = {
		"a", "E", "z", "\0", " ", "\n", "é", "e\xcc\x81", "\xcc\x81",
		"か", "\xe3\x82\x99", "\xe3\x82\x9a", "が", "ガ", "ｶ", "ﾞ", "ﾟ",
		"Ａ", "ｚ", "！", "～", "　", "漢", "字", "①", "㈱", "ﬁ", "ß", "İ",
		"Σ", "ς", "д", "“", "…", "\xe2\x80\x8b", "\xef\xbb\xbf",
		"\xff", "\xe3\x81", "\xed\xa0\x80", "\xf0\x9f\x98\x80",
		"\xc3", "ー", "ゝ", "\xe3\x82\x9b", "Ⅷ", "ｱ", "Å", "\xe2\x84\xab",
	};
	char		 buf[64];
	size_t		 i, k, len, bad = 0;
	uint64_t	 r = 88172645463325252ULL;
	UChar32		 c;
	UBool		 err;

	for (c = 1; c < 0x10000 && bad < 5; c++) {
		if (U_IS_SURROGATE(c))
			continue;
		len = 0;
		err = 0;
		U8_APPEND(buf, len, sizeof buf, c, err);
		if (err) {
			bad++;
			continue;
		}
		bad += !same_as_icu(n, buf, len);
		memmove(buf + 1, buf, len);
		buf[0] = 'x';
		memcpy(buf + len + 1, "\xcc\x81", 2);
		bad += !same_as_icu(n, buf, len + 3);
		memcpy(buf + len + 1, "\xe3\x82\x99", 3);
		bad += !same_as_icu(n, buf, len + 4);
	}
	t_ok(bad == 0, "every BMP character as ICU normalises it");

	bad = 0;
	for (k = 0; k < 100000 && bad < 5; k++) {
		len = 0;
		for (i = r % 8; i > 0; i--) {
			const char	*p;
			size_t		 pl;

			r ^= r << 13;
			r ^= r >> 7;
			r ^= r << 17;
			p = parts[r % SAGI_NITEMS(parts)];
			pl = *p == '\0' ? 1 : strlen(p);
			memcpy(buf + len, p, pl);
			len += pl;
		}
		bad += !same_as_icu(n, buf, len);
	}
	t_ok(bad == 0, "mixes of characters as ICU normalises them");
}

int
main(void)
{
	struct norm	*n;
	char		*cause = NULL;

	n = norm_new(&cause);
	t_ok(n != NULL, "norm_new: %s", cause != NULL ? cause : "ok");
	if (n == NULL)
		return t_done();

	test_degenerate(n);
	test_text(n);
	test_skeleton(n);
	test_mixed(n);
	test_chunks(n);
	test_large(n);
	test_fast_path(n);

	norm_free(n);
	return t_done();
}
