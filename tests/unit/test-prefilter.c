/* SPDX-License-Identifier: ISC */
/*
 * Tests for core/prefilter.c: the literals derived from patterns (a table
 * of exact expectations), the scanner (case, lanes, occurrence lists,
 * overflow), and a differential test against PCRE2 itself on random
 * patterns: whenever PCRE2 matches, the prefilter must let it, and the
 * search from the prefilter's earliest start must find the same match.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "prefilter.h"
#include "sagi.h"
#include "t.h"
#include "xalloc.h"

/* "lit|lit@pre ; lit@pre", factor by factor; "-" when none. */
static char *
req_string(const char *pattern, unsigned int opts)
{
	struct prefilter_req	 req;
	struct buf		 b;
	size_t			 i, f;
	char			*s;

	buf_init(&b);
	if (prefilter_required(pattern, opts, &req) != 0)
		buf_adds(&b, "-");
	for (f = 0; f < req.nfac; f++) {
		if (f != 0)
			buf_adds(&b, " ; ");
		for (i = 0; i < req.n; i++) {
			if (req.fac[i] != f)
				continue;
			if (b.len != 0 && b.data[b.len - 1] != ' ')
				buf_addc(&b, '|');
			buf_add(&b, req.lits[i], req.lens[i]);
		}
		if (req.pre[f] == SIZE_MAX)
			buf_adds(&b, "@inf");
		else
			buf_printf(&b, "@%zu", req.pre[f]);
	}
	prefilter_req_free(&req);
	s = buf_take(&b);
	buf_free(&b);
	return s;
}

static void
test_degenerate(void)
{
	struct prefilter_req	 req;
	struct prefilter	*pf;
	struct prefilter_hits	 h;

	t_int_eq(prefilter_required(NULL, 0, &req), -1, "NULL pattern");
	t_int_eq(req.n, 0, "NULL pattern: no literals");
	t_int_eq(prefilter_required("", 0, &req), -1, "empty pattern");
	t_int_eq(prefilter_required("abc", PREFILTER_EXTENDED, &req), -1,
	    "extended patterns are not analysed");
	prefilter_req_free(&req);
	prefilter_free(NULL);
	t_int_eq(prefilter_count(NULL), 0, "count NULL");
	t_int_eq(prefilter_lit_len(NULL, 0), 0, "lit_len NULL");

	pf = prefilter_new();
	prefilter_build(pf);		/* no literals */
	prefilter_hits_init(&h, prefilter_count(pf));
	prefilter_scan(pf, "abc", 3, &h);
	t_int_eq(h.nocc, 0, "empty automaton finds nothing");
	prefilter_scan(NULL, "abc", 3, &h);
	t_int_eq(h.nocc, 0, "NULL automaton finds nothing");
	prefilter_hits_free(&h);
	t_int_eq(prefilter_add(pf, "ab", 2), 0, "first id");
	t_int_eq(prefilter_add(pf, "cd", 2), 1, "second id");
	t_int_eq(prefilter_add(pf, "ab", 2), 0, "same literal, same id");
	t_int_eq(prefilter_count(pf), 2, "two literals");
	t_int_eq(prefilter_lit_len(pf, 1), 2, "literal length");
	t_int_eq(prefilter_lit_len(pf, 7), 0, "no literal 7");
	prefilter_free(pf);
}

static const struct {
	const char	*pattern;
	unsigned int	 opts;
	const char	*want;
} req_cases[] = {
	{ "緊急", 0, "緊急@0" },
	{ "Amazon", 0, "amazon@0" },			/* lower-cased */
	{ "amazon", PREFILTER_CASELESS, "amazon@0" },
	/* Caseless k and s also match the Kelvin sign and long s. */
	{ "kiosk", PREFILTER_CASELESS, "io@4" },
	{ "kiosk", 0, "kiosk@0" },
	{ "(?:口座|アカウント).{0,12}(?:停止|凍結)", 0,
	  "口座|アカウント@0 ; 停止|凍結@63" },
	{ "a?b", 0, "b@1" },
	{ "ab|cd", 0, "ab|cd@0" },
	{ "ab|c*", 0, "-" },				/* c* matches "" */
	{ "(a+)+$", 0, "a@0" },
	{ ".*パスワード", 0, "パスワード@inf" },
	{ "[\\p{Han}]{2}情報", 0, "情報@8" },
	{ "\\bfoo\\.bar\\b", 0, "foo.bar@0" },
	{ "x{a}", 0, "x{a}@0" },			/* not a quantifier */
	{ "(?=abc)def", 0, "def@0" },			/* lookahead: zero width */
	{ "(?<name>口座)番号", 0, "口座番号@0" },
	{ "(?:カード|口座)(?:番号|暗証)", 0,
	  "カード番号|カード暗証|口座番号|口座暗証@0" },
	{ "ｱﾏｿﾞﾝ", PREFILTER_CASELESS, "ｱﾏｿﾞﾝ@0" },	/* half-width kana */
	{ "Ａｍａｚｏｎ", PREFILTER_CASELESS, "-" },	/* full-width has case */
	{ "[abc]", 0, "a|b|c@0" },
	{ "(?i)abc", 0, "-" },				/* inline options */
	{ "a\\Qb\\E", 0, "-" },
	{ "x{,3}", 0, "-" },				/* newer PCRE2 quantifier */
	{ "(a)\\1", 0, "-" },				/* back reference */
	{ "\\N{U+41}", 0, "-" },
	{ "(*UTF)abc", 0, "-" },
	{ "ab(", 0, "-" },				/* unbalanced */
	{ "\\\xe3\x81\x82", 0, "\xe3\x81\x82@0" },	/* \ before non-ASCII */
	/* Classes of plain characters are sets of one-character literals. */
	{ "[确认账户]", 0, "确|认|账|户@0" },
	{ "[a-c]x", 0, "ax|bx|cx@0" },
	{ "[-‐－]", 0, "-|‐|－@0" },
	{ "[\\x{200B}-\\x{200D}]", 0,
	  "\xe2\x80\x8b|\xe2\x80\x8c|\xe2\x80\x8d@0" },
	{ "[]a]", 0, "]|a@0" },
	{ "[^a]", 0, "-" },
	{ "[a\\d]", 0, "-" },
	{ "[[:alpha:]]", 0, "-" },
	{ "[kx]", PREFILTER_CASELESS, "-" },
	{ "[\\x{4E00}-\\x{9FFF}]", 0, "-" },		/* too many */
	/* Option groups: s and m change nothing, i makes a group caseless. */
	{ "(?s:ab.*?cd)", 0, "ab@0" },
	{ "(?s)abc", 0, "abc@0" },
	{ "(?i:kx)y", 0, "x@4 ; y@5" },		/* caseless k: any */
	{ "(?-i:kx)", PREFILTER_CASELESS, "kx@0" },
	{ "(?x:a b)", 0, "-" },
	/* On NFKC_Casefold text (FOLDED) caseless k and s are letters. */
	{ "kiosk", PREFILTER_CASELESS | PREFILTER_FOLDED, "kiosk@0" },
	{ "[kx]", PREFILTER_CASELESS | PREFILTER_FOLDED, "k|x@0" },
	{ "saison|セゾン", PREFILTER_CASELESS | PREFILTER_FOLDED,
	  "saison|セゾン@0" },
};

static void
test_required(void)
{
	char	*got, big[101];
	size_t	 i;

	for (i = 0; i < SAGI_NITEMS(req_cases); i++) {
		got = req_string(req_cases[i].pattern, req_cases[i].opts);
		t_str_eq(got, req_cases[i].want, "required /%s/%s",
		    req_cases[i].pattern,
		    req_cases[i].opts & PREFILTER_CASELESS ? "i" : "");
		free(got);
	}
	/* A requirement that relies on FOLDED says so, and only then. */
	{
		static const struct {
			const char	*pattern;
			unsigned int	 opts;
			int		 folded;
		} fold_cases[] = {
			{ "kiosk", PREFILTER_CASELESS | PREFILTER_FOLDED, 1 },
			{ "[ks]x", PREFILTER_CASELESS | PREFILTER_FOLDED, 1 },
			{ "amazon", PREFILTER_CASELESS | PREFILTER_FOLDED, 0 },
			{ "kiosk", PREFILTER_CASELESS, 0 },
			{ "kiosk", PREFILTER_FOLDED, 0 },
		};
		struct prefilter_req	 req;

		for (i = 0; i < SAGI_NITEMS(fold_cases); i++) {
			t_int_eq(prefilter_required(fold_cases[i].pattern,
			    fold_cases[i].opts, &req), 0, "required /%s/",
			    fold_cases[i].pattern);
			t_int_eq(req.folded, fold_cases[i].folded,
			    "/%s/ opts %u: folded", fold_cases[i].pattern,
			    fold_cases[i].opts);
			prefilter_req_free(&req);
		}
	}
	/* A long literal is cut in 64-byte pieces: two factors. */
	memset(big, 'x', 100);
	big[100] = '\0';
	got = req_string(big, 0);
	t_int_eq(strlen(got), 64 + 2 + 3 + 36 + 3, "long literal: %s", got);
	free(got);
}

static void
test_scan(void)
{
	struct prefilter	*pf;
	struct prefilter_hits	 h;
	struct buf		 b;
	size_t			 ab, bb, ai, i, n, last;
	uint32_t		 o;
	int			 sorted;

	pf = prefilter_new();
	ab = prefilter_add(pf, "ab", 2);
	bb = prefilter_add(pf, "b", 1);
	ai = prefilter_add(pf, "アイ", 6);
	prefilter_build(pf);
	prefilter_hits_init(&h, prefilter_count(pf));
	prefilter_scan(pf, "xAByab", 6, &h);
	t_ok(h.stamp[ab] == h.gen && h.first[ab] == 1, "case-insensitive find");
	t_ok(h.stamp[bb] == h.gen && h.first[bb] == 2, "overlapping literal");
	t_ok(h.stamp[ai] != h.gen, "absent literal");
	o = h.head[bb];
	t_ok(o != PREFILTER_NONE && h.occ[o].pos == 2, "first occurrence");
	o = o == PREFILTER_NONE ? o : h.occ[o].next;
	t_ok(o != PREFILTER_NONE && h.occ[o].pos == 5, "second occurrence");
	t_ok(o == PREFILTER_NONE || h.occ[o].next == PREFILTER_NONE,
	    "no third");
	prefilter_scan(pf, "zzz", 3, &h);
	t_ok(h.stamp[ab] != h.gen && h.nocc == 0, "a new scan forgets");

	/*
	 * Long values go in four lanes: put "アイ" across every place a lane
	 * boundary can fall, and count each occurrence once, in order.
	 */
	buf_init(&b);
	for (i = 0; i < 3000; i++)
		buf_adds(&b, i % 7 == 0 ? "アイ" : "ん");
	prefilter_scan(pf, b.data, b.len, &h);
	n = 0;
	sorted = 1;
	last = 0;
	for (o = h.head[ai]; o != PREFILTER_NONE; o = h.occ[o].next) {
		if (n != 0 && h.occ[o].pos <= last)
			sorted = 0;
		last = h.occ[o].pos;
		n++;
	}
	t_int_eq(n, 429, "every occurrence once across lanes");
	t_ok(sorted, "occurrences in offset order");
	t_int_eq(h.first[ai], 0, "first occurrence");
	t_int_eq(h.overflow, 0, "no overflow");

	/* Too many occurrences: lists incomplete, first offsets still exact. */
	buf_reset(&b);
	buf_adds(&b, "xx");
	for (i = 0; i < PREFILTER_MAX_OCC + 10; i++)
		buf_adds(&b, "b");
	prefilter_scan(pf, b.data, b.len, &h);
	t_int_eq(h.overflow, 1, "overflow reported");
	t_int_eq(h.first[bb], 2, "first offset after overflow");
	buf_free(&b);
	prefilter_hits_free(&h);
	prefilter_free(pf);

	/* A literal longer than a lane would be: one lane, still found. */
	pf = prefilter_new();
	t_int_eq(prefilter_ready(pf), 0, "not ready before build");
	buf_init(&b);
	for (i = 0; i < 3000; i++)
		buf_addc(&b, 'q');
	ab = prefilter_add(pf, b.data, 800);
	prefilter_build(pf);
	t_int_eq(prefilter_ready(pf), 1, "ready after build");
	prefilter_hits_init(&h, prefilter_count(pf));
	prefilter_scan(pf, b.data, b.len, &h);
	t_ok(h.stamp[ab] == h.gen && h.first[ab] == 0, "long literal found");
	for (n = 0, o = h.head[ab]; o != PREFILTER_NONE; o = h.occ[o].next)
		n++;
	t_int_eq(n, 3000 - 800 + 1, "every occurrence of the long literal");
	buf_free(&b);
	prefilter_hits_free(&h);
	prefilter_free(pf);
}

/* ---- differential test against PCRE2 ---- */

static unsigned long long	 rnd_state = 88172645463325252ULL;

static unsigned int
rnd(unsigned int n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned int)(rnd_state % n);
}

static const char *const pat_atoms[] = {
	"a", "b", "A", "k", "s", "K", "i", "ア", "イ", "口", "座", "\\.", ".",
	"[ab]", "[^a]", "\\w", "\\d", "x", "-", "\\b", "^", "$",
	"\xe2\x84\xaa", "\xc5\xbf", "(?=a)", "(?!b)", "(?<=a)", "[アイ]",
	"[a-c]", "[-ア]", "[ア-ウ]", "[\\x{30A2}-\\x{30A4}]", "[kK]", "[^ア]",
	"[\\]a]", "[\\.-]", "[Ii]", "(?m)", "(?s)"
};
static const char *const group_opens[] = {
	"(", "(?:", "(?s:", "(?i:", "(?-i:", "(?>"
};
static const char *const quants[] = {
	"?", "*", "+", "{2}", "{1,3}", "{0,2}", "{2,}", "+?", "*+", "{0,12}"
};
static const char *const subj_atoms[] = {
	"a", "b", "A", "B", "c", "k", "K", "s", "S", "i", "I", "ア", "イ", "ウ",
	"口", "座", ".", "x", "-", " ", "]", "\xe2\x84\xaa", "\xc5\xbf",
	"\xc4\xb1", "\xc4\xb0", "\n"
};

static void
gen_pattern(struct buf *b, int depth)
{
	int	 n = 1 + (int)rnd(4), i;

	for (i = 0; i < n; i++) {
		if (rnd(10) < 7 || depth > 2)
			buf_adds(b, pat_atoms[rnd(SAGI_NITEMS(pat_atoms))]);
		else {
			buf_adds(b, group_opens[rnd(SAGI_NITEMS(group_opens))]);
			gen_pattern(b, depth + 1);
			while (rnd(3) == 0) {
				buf_addc(b, '|');
				gen_pattern(b, depth + 1);
			}
			buf_addc(b, ')');
		}
		if (rnd(14) < SAGI_NITEMS(quants))
			buf_adds(b, quants[rnd(SAGI_NITEMS(quants))]);
	}
}

/* One pattern against many subjects; returns the failures. */
static int
diff_one(const char *pat, int caseless, pcre2_match_data *md, int *matched,
    int *skipped)
{
	struct prefilter_req	 req;
	struct prefilter	*pf;
	struct prefilter_hits	 h;
	struct buf		 sb;
	pcre2_code		*re;
	PCRE2_SIZE		 off, s0, e0, *ov;
	size_t			 ids[PREFILTER_MAX_SET * PREFILTER_MAX_FAC];
	size_t			 first[PREFILTER_MAX_FAC], i, f, lb;
	int			 err, rc, all, k, len, bad = 0;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | (caseless ? PCRE2_CASELESS : 0), &err,
	    &off, NULL);
	if (re == NULL)
		return 0;
	if (prefilter_required(pat, caseless ? PREFILTER_CASELESS : 0,
	    &req) != 0) {
		pcre2_code_free(re);
		return 0;
	}
	pf = prefilter_new();
	for (i = 0; i < req.n; i++)
		ids[i] = prefilter_add(pf, req.lits[i], req.lens[i]);
	prefilter_build(pf);
	prefilter_hits_init(&h, prefilter_count(pf));
	buf_init(&sb);
	for (k = 0; k < 20; k++) {
		buf_reset(&sb);
		len = (int)rnd(14);
		while (len-- > 0)
			buf_adds(&sb, subj_atoms[rnd(SAGI_NITEMS(subj_atoms))]);
		prefilter_scan(pf, sb.data, sb.len, &h);
		for (f = 0; f < req.nfac; f++)
			first[f] = SIZE_MAX;
		for (i = 0; i < req.n; i++) {
			if (h.stamp[ids[i]] == h.gen &&
			    h.first[ids[i]] < first[req.fac[i]])
				first[req.fac[i]] = h.first[ids[i]];
		}
		all = 1;
		lb = 0;
		for (f = 0; f < req.nfac; f++) {
			if (first[f] == SIZE_MAX)
				all = 0;
			else if (req.pre[f] != SIZE_MAX && first[f] > req.pre[f] &&
			    first[f] - req.pre[f] > lb)
				lb = first[f] - req.pre[f];
		}
		rc = pcre2_match(re, (PCRE2_SPTR)sb.data, sb.len, 0, 0, md, NULL);
		if (rc < 0) {
			*skipped += !all;
			continue;
		}
		(*matched)++;
		ov = pcre2_get_ovector_pointer(md);
		s0 = ov[0];
		e0 = ov[1];
		if (!all) {
			printf("#   /%s/%s lets no match through on \"%s\"\n",
			    pat, caseless ? "i" : "", sb.data);
			bad++;
			continue;
		}
		while (lb > 0 && ((unsigned char)sb.data[lb] & 0xc0) == 0x80)
			lb--;
		rc = pcre2_match(re, (PCRE2_SPTR)sb.data, sb.len, lb, 0, md,
		    NULL);
		ov = pcre2_get_ovector_pointer(md);
		if (rc < 0 || ov[0] != s0 || ov[1] != e0) {
			printf("#   /%s/%s starts too late on \"%s\"\n", pat,
			    caseless ? "i" : "", sb.data);
			bad++;
		}
	}
	buf_free(&sb);
	prefilter_hits_free(&h);
	prefilter_free(pf);
	prefilter_req_free(&req);
	pcre2_code_free(re);
	return bad;
}

static void
test_differential(void)
{
	pcre2_match_data	*md;
	struct buf		 p;
	int			 i, bad = 0, matched = 0, skipped = 0;

	md = pcre2_match_data_create(1, NULL);
	buf_init(&p);
	for (i = 0; i < 1500; i++) {
		buf_reset(&p);
		gen_pattern(&p, 0);
		bad += diff_one(p.data, (int)rnd(2), md, &matched, &skipped);
	}
	buf_free(&p);
	pcre2_match_data_free(md);
	t_int_eq(bad, 0, "prefilter agrees with PCRE2 (%d matches, %d skips)",
	    matched, skipped);
	t_ok(matched > 500 && skipped > 500, "the comparison saw both");
}

int
main(void)
{
	test_degenerate();
	test_required();
	test_scan();
	test_differential();
	return t_done();
}
