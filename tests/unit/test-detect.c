/* SPDX-License-Identifier: ISC */
/*
 * Tests for core/detect.c (and core/verdict.c): brand gates, instance
 * brands, unless, lists, meta expressions, group caps, negative scores,
 * thresholds, placeholders, and the match limit against hostile input.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "detect.h"
#include "diag.h"
#include "sagi.h"
#include "t.h"
#include "xalloc.h"

static const char pack[] =
    "pack t\nversion 1\nrequires sagi-rules 1\n"
    "cap lure 6\n"
    "list hosts\n  bit.ly\n  .cn\nend\n"
    "brand acme\n  name ACME商事\n  match acme\n  domains acme.co.jp\nend\n"
    "brand beta\n  name Beta\n  match beta\n  domains beta.jp\nend\n"
    /* gates */
    "rule gate-any\n  field header.mailer\n  brand any\n  score 1\n"
    "  explain-ja j\n  explain-en any {brand}\nend\n"
    "rule gate-acme\n  field header.mailer\n  brand acme\n  score 2\n"
    "  explain-ja j\n  explain-en acme {brand_name}\nend\n"
    /* instance brands */
    "rule offsite\n  field link.brand_offsite\n  brand acme\n  score 3\n"
    "  explain-ja {brand_name}のリンク先が{host}です\n"
    "  explain-en {brand_name} links to {host}\nend\n"
    /* unless */
    "rule urgent\n  field subject\n  pattern 緊急\n  unless 訓練\n"
    "  score 1.5\n  explain-ja j\n  explain-en e\nend\n"
    /* lists */
    "rule short\n  field link.host\n  in-list hosts\n  score 2\n"
    "  explain-ja j\n  explain-en {count} links, first {value}\nend\n"
    "rule odd-image\n  field html.image.host\n  not-in-list hosts\n"
    "  pattern \\.\n  score 0.5\n  explain-ja j\n  explain-en e\nend\n"
    /* meta */
    "rule _cred\n  field body.norm\n  pattern パスワード\nend\n"
    "rule _card\n  field body.norm\n  pattern カード番号\nend\n"
    "rule _drill\n  field body.norm\n  pattern 訓練\nend\n"
    "rule ask\n  meta (_cred || _card) && !_drill\n  score 4\n"
    "  explain-ja j\n  explain-en asks: {evidence}\nend\n"
    "rule ask-both\n  meta _cred && _card && ask\n  score 1\n"
    "  explain-ja j\n  explain-en e\nend\n"
    /* group caps and negative scores */
    "rule lure-a\n  field subject.norm\n  pattern 至急\n  group lure\n"
    "  score 5\n  explain-ja j\n  explain-en e\nend\n"
    "rule lure-b\n  field subject.norm\n  pattern 当選\n  group lure\n"
    "  score 4\n  explain-ja j\n  explain-en e\nend\n"
    "rule lure-c\n  field subject.norm\n  pattern 無料\n  group lure\n"
    "  score 3\n  explain-ja j\n  explain-en e\nend\n"
    "rule lure-off\n  field subject.norm\n  pattern 公式\n  group lure\n"
    "  score -2\n  explain-ja j\n  explain-en e\nend\n"
    "rule dmarc-pass\n  field auth.dmarc\n  pattern ^pass$\n  score -5\n"
    "  explain-ja j\n  explain-en e\nend\n";

#define TAIL_D	"score 1\nexplain-ja j\nexplain-en e\nend\n"

/* One fact instance; vars are "name=value" pairs separated by '|'. */
struct inst {
	int		 fact;
	const char	*value;
	const char	*vars;
};

#define END	{ -1, NULL, NULL }

static const struct {
	const char	*name;
	struct inst	 in[6];
	const char	*want;		/* "rule=score …" in verdict order */
	const char	*level;
} cases[] = {
	{ "nothing", { END }, "", "clean" },
	/* brand any / brand ID gates */
	{ "no claim: gated rules skip", {
	    { FACT_HEADER_MAILER, "x", NULL }, END }, "", "clean" },
	{ "another brand: any passes, acme does not", {
	    { FACT_BRAND_CLAIMED, "beta", NULL },
	    { FACT_HEADER_MAILER, "x", NULL }, END }, "t/gate-any=1", "clean" },
	{ "acme claimed: both", {
	    { FACT_BRAND_CLAIMED, "beta", NULL },
	    { FACT_BRAND_CLAIMED, "acme", NULL },
	    { FACT_HEADER_MAILER, "x", NULL }, END },
	  "t/gate-acme=2 t/gate-any=1", "clean" },
	/* instance brand vars: only acme's instances count for brand acme */
	{ "instance of another brand", {
	    { FACT_BRAND_CLAIMED, "acme", NULL },
	    { FACT_LINK_BRAND_OFFSITE, "https://x.example/",
	      "brand=beta|host=x.example" }, END }, "", "clean" },
	{ "instance of the gate brand", {
	    { FACT_BRAND_CLAIMED, "acme", NULL },
	    { FACT_LINK_BRAND_OFFSITE, "https://x.example/",
	      "brand=beta|host=x.example" },
	    { FACT_LINK_BRAND_OFFSITE, "https://y.cn/",
	      "brand=acme|host=y.cn" }, END }, "t/offsite=3", "clean" },
	/* unless */
	{ "pattern", {
	    { FACT_SUBJECT, "緊急のご連絡", NULL }, END }, "t/urgent=1.5", "clean" },
	{ "unless", {
	    { FACT_SUBJECT, "緊急の避難訓練", NULL }, END }, "", "clean" },
	{ "one instance without unless is enough", {
	    { FACT_SUBJECT, "緊急の避難訓練", NULL },
	    { FACT_SUBJECT, "緊急", NULL }, END }, "t/urgent=1.5", "clean" },
	/* in-list, not-in-list, host suffix and TLD entries */
	{ "in-list host suffix", {
	    { FACT_LINK_HOST, "x.bit.ly", NULL }, END }, "t/short=2", "clean" },
	{ "in-list TLD entry", {
	    { FACT_LINK_HOST, "amazon.co.jp.evil.cn", NULL }, END },
	  "t/short=2", "clean" },
	{ "in-list label boundary", {
	    { FACT_LINK_HOST, "notbit.ly", NULL }, END }, "", "clean" },
	{ "not-in-list", {
	    { FACT_HTML_IMAGE_HOST, "img.example.com", NULL }, END },
	  "t/odd-image=0.5", "clean" },
	{ "not-in-list excludes", {
	    { FACT_HTML_IMAGE_HOST, "img.example.cn", NULL }, END }, "", "clean" },
	/* meta with && || ! and parentheses */
	{ "meta ||", {
	    { FACT_BODY_NORM, "パスワードを入力", NULL }, END },
	  "t/ask=4", "suspicious" },
	{ "meta || other side", {
	    { FACT_BODY_NORM, "カード番号を入力", NULL }, END },
	  "t/ask=4", "suspicious" },
	{ "meta !", {
	    { FACT_BODY_NORM, "パスワード 訓練", NULL }, END }, "", "clean" },
	{ "meta of meta", {
	    { FACT_BODY_NORM, "パスワードとカード番号", NULL }, END },
	  "t/ask=4 t/ask-both=1", "suspicious" },
	/* group caps: cap 6 with 5 and 4 gives 5 and 1, a third gets 0 */
	{ "cap 6: 5 + 4 -> 5 + 1", {
	    { FACT_SUBJECT_NORM, "至急 当選", NULL }, END },
	  "t/lure-a=5 t/lure-b=1", "suspicious" },
	{ "cap 6: 5 + 4 + 3 -> 5 + 1 + 0", {
	    { FACT_SUBJECT_NORM, "至急 当選 無料", NULL }, END },
	  "t/lure-a=5 t/lure-b=1 t/lure-c=0", "suspicious" },
	{ "cap: negative never capped", {
	    { FACT_SUBJECT_NORM, "至急 当選 公式", NULL }, END },
	  "t/lure-a=5 t/lure-off=-2 t/lure-b=1", "suspicious" },
	{ "under the cap: untouched", {
	    { FACT_SUBJECT_NORM, "当選", NULL }, END },
	  "t/lure-b=4", "suspicious" },
	/* negative scores and thresholds: the sum alone decides */
	{ "dampener", {
	    { FACT_SUBJECT_NORM, "至急 当選", NULL },
	    { FACT_AUTH_DMARC, "pass", NULL }, END },
	  "t/dmarc-pass=-5 t/lure-a=5 t/lure-b=1", "clean" },	/* tie: id */
	{ "phish at 8", {
	    { FACT_SUBJECT_NORM, "至急 当選", NULL },
	    { FACT_BODY_NORM, "パスワード", NULL }, END },
	  "t/lure-a=5 t/ask=4 t/lure-b=1", "phish" },
	{ "exactly 4 is suspicious", {
	    { FACT_BODY_NORM, "パスワード", NULL }, END },
	  "t/ask=4", "suspicious" },
	{ "3.5 is clean", {
	    { FACT_SUBJECT, "緊急", NULL },
	    { FACT_LINK_HOST, "bit.ly", NULL }, END },
	  "t/short=2 t/urgent=1.5", "clean" },
};

static void
fill(struct facts *f, const struct inst *in)
{
	struct fact_inst	*fi;
	char			*vars, *p, *eq, *next;

	for (; in->fact >= 0; in++) {
		fi = facts_add(f, (enum fact_id)in->fact, in->value);
		if (in->vars == NULL)
			continue;
		vars = xstrdup(in->vars);
		for (p = vars; p != NULL; p = next) {
			if ((next = strchr(p, '|')) != NULL)
				*next++ = '\0';
			if ((eq = strchr(p, '=')) == NULL)
				continue;
			*eq = '\0';
			facts_set_var(f, fi, p, eq + 1);
		}
		free(vars);
	}
}

/* "rule=score …" of a finished verdict, in its order. */
static char *
hits_string(const struct verdict *v)
{
	struct buf	 b;
	char		*s;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < v->nhits; i++)
		buf_printf(&b, "%s%s=%g", i == 0 ? "" : " ", v->hits[i].rule,
		    v->hits[i].score);
	s = buf_take(&b);
	buf_free(&b);
	return s;
}

static struct ruleset *
load(const char *text)
{
	struct ruleset	*rs;
	struct diag	*d;
	size_t		 i;

	rs = ruleset_new();
	d = diag_new();
	if (ruleset_load_string(rs, "t.rules", text, strlen(text), d) != 0) {
		for (i = 0; i < diag_count(d); i++)
			printf("# %s\n", diag_get(d, i));
	}
	diag_free(d);
	return rs;
}

static void
test_degenerate(void)
{
	struct ruleset	*rs;
	struct facts	*f;
	struct verdict	*v;

	v = detect_eval(NULL, NULL, NULL);
	t_ok(v != NULL && v->nhits == 0 && v->level == VERDICT_CLEAN,
	    "NULL ruleset and facts");
	t_str_eq(verdict_level_name(v->level), "clean", "level name");
	verdict_free(v);
	verdict_free(NULL);
	verdict_add_hit(NULL, "x", 1, "", "", "");
	verdict_finish(NULL, 4, 8);

	rs = ruleset_new();
	f = facts_new();
	facts_add(f, FACT_SUBJECT, "緊急");
	v = detect_eval(rs, f, NULL);
	t_ok(v->nhits == 0 && v->score == 0, "empty ruleset");
	verdict_free(v);
	ruleset_free(rs);

	rs = load(pack);
	t_int_eq(ruleset_rule_count(rs), 16, "test pack loads");
	v = detect_eval(rs, NULL, NULL);
	t_int_eq(v->nhits, 0, "NULL facts");
	verdict_free(v);
	facts_reset(f);
	v = detect_eval(rs, f, NULL);
	t_int_eq(v->nhits, 0, "no facts");
	verdict_free(v);
	facts_free(f);
	ruleset_free(rs);

	t_str_eq(verdict_level_name(VERDICT_SUSPECT), "suspicious", "suspicious");
	t_str_eq(verdict_level_name(VERDICT_PHISH), "phish", "phish");
}

static void
test_table(void)
{
	struct ruleset	*rs;
	struct facts	*f;
	struct verdict	*v;
	char		*got;
	size_t		 i;

	rs = load(pack);
	f = facts_new();
	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		facts_reset(f);
		fill(f, cases[i].in);
		v = detect_eval(rs, f, NULL);
		got = hits_string(v);
		t_str_eq(got, cases[i].want, "%s: hits", cases[i].name);
		t_str_eq(verdict_level_name(v->level), cases[i].level,
		    "%s: level", cases[i].name);
		free(got);
		verdict_free(v);
	}
	facts_free(f);
	ruleset_free(rs);
}

static void
test_thresholds(void)
{
	struct verdict		*v;
	struct detect_config	 cfg = { 2, 3 };
	struct ruleset		*rs;
	struct facts		*f;

	v = verdict_new();
	verdict_add_hit(v, "p/b", 0.1, "e", "j", NULL);
	verdict_add_hit(v, "p/a", 0.7, NULL, NULL, "ev");
	verdict_add_hit(v, "p/c", -0.7, "e", "j", "");
	verdict_add_hit(v, "p/d", 7.1, "e", "j", "");
	verdict_finish(v, 4, 8);
	t_ok(v->score == 7.2, "sum rounded to thousandths (%.17g)", v->score);
	t_str_eq(verdict_level_name(v->level), "suspicious", "7.2 suspicious");
	t_str_eq(v->hits[0].rule, "p/d", "largest first");
	t_str_eq(v->hits[1].rule, "p/a", "tie on |score| by id");
	t_str_eq(v->hits[2].rule, "p/c", "negative by magnitude");
	t_str_eq(v->hits[1].explain[VERDICT_EN], "", "NULL explain is \"\"");
	t_str_eq(v->hits[1].evidence, "ev", "evidence copied");
	t_str_eq(v->hits[3].evidence, "", "NULL evidence is \"\"");
	verdict_free(v);

	v = verdict_new();
	verdict_add_hit(v, "p/a", 0.1, "", "", "");
	verdict_add_hit(v, "p/b", 0.7, "", "", "");
	verdict_finish(v, 0.5, 0.8);
	t_str_eq(verdict_level_name(v->level), "phish", "0.1 + 0.7 >= 0.8");
	verdict_free(v);

	/* The configured thresholds replace the defaults. */
	rs = load(pack);
	f = facts_new();
	facts_add(f, FACT_LINK_HOST, "bit.ly");
	facts_add(f, FACT_SUBJECT, "緊急");
	v = detect_eval(rs, f, &cfg);
	t_str_eq(verdict_level_name(v->level), "phish", "3.5 >= custom 3");
	verdict_free(v);
	cfg.suspect_at = 3.5;
	cfg.phish_at = 3.6;
	v = detect_eval(rs, f, &cfg);
	t_str_eq(verdict_level_name(v->level), "suspicious", "3.5 >= 3.5");
	verdict_free(v);
	facts_free(f);
	ruleset_free(rs);
}

static const struct verdict_hit *
find_hit(const struct verdict *v, const char *rule)
{
	size_t	 i;

	for (i = 0; i < v->nhits; i++) {
		if (strcmp(v->hits[i].rule, rule) == 0)
			return &v->hits[i];
	}
	return NULL;
}

static const char placeholder_pack[] =
    "pack p\nversion 1\nrequires sagi-rules 1\n"
    "brand acme\n  name ACME商事\n  match acme\n  domains acme.co.jp\nend\n"
    "rule m\n  field subject\n  pattern 緊急[^ ]*\n  score 1\n"
    "  explain-ja 件名「{value}」の「{match}」\n"
    "  explain-en {{literal} {count} of {value}\n"
    "end\n"
    "rule body\n  field body\n  pattern x+\n  score 1\n"
    "  explain-ja j\n  explain-en {value}\nend\n"
    "rule link\n  field link.brand_in_host\n  score 1\n"
    "  explain-ja {brand_name}（{brand}）: {host} {token} [{text}]\n"
    "  explain-en {brand_name} ({brand}): {host}\n"
    "  evidence {href}\n"
    "end\n"
    "rule gated\n  field header.mailer\n  brand acme\n  score 1\n"
    "  explain-ja {brand_name}\n  explain-en {brand}\nend\n"
    "rule claimed\n  field auth.none\n  score 1\n"
    "  explain-ja {brand_name}\n  explain-en [{brand}]\nend\n"
    "rule _h1\n  field header.mailer\n  pattern mailer\nend\n"
    "rule _h2\n  field auth.none\nend\n"
    "rule meta\n  meta _h1 && (_h2 || !m)\n  score 1\n"
    "  explain-ja {brand_name}\n  explain-en {evidence}\n"
    "  evidence <{evidence}>\nend\n";

static void
test_placeholders(void)
{
	struct ruleset		*rs;
	struct facts		*f;
	struct fact_inst	*fi;
	struct verdict		*v;
	const struct verdict_hit *h;
	struct buf		 big;
	int			 i;

	rs = load(placeholder_pack);
	t_int_eq(ruleset_rule_count(rs), 8, "placeholder pack loads");
	f = facts_new();
	facts_add(f, FACT_SUBJECT, "まず 緊急連絡です");
	facts_add(f, FACT_SUBJECT, "no");
	facts_add(f, FACT_SUBJECT, "緊急2");
	/* 100 × "あ" (300 bytes) then x: cut at 200 bytes = 66 characters. */
	buf_init(&big);
	for (i = 0; i < 100; i++)
		buf_adds(&big, "あ");
	buf_adds(&big, "x");
	facts_add(f, FACT_BODY, big.data);
	fi = facts_add(f, FACT_LINK_BRAND_IN_HOST, "https://acme.evil.cn/");
	facts_set_var(f, fi, "brand", "acme");
	facts_set_var(f, fi, "host", "acme.evil.cn");
	facts_set_var(f, fi, "href", "https://acme.evil.cn/login");
	facts_set_var(f, fi, "token", "acme");
	facts_add(f, FACT_BRAND_CLAIMED, "acme");
	facts_add(f, FACT_HEADER_MAILER, "mailer 1.0");
	facts_add(f, FACT_AUTH_NONE, "");

	v = detect_eval(rs, f, NULL);
	h = find_hit(v, "p/m");
	t_str_eq(h ? h->explain[VERDICT_JA] : NULL,
	    "件名「まず 緊急連絡です」の「緊急連絡です」",
	    "value and match from the first counting instance");
	t_str_eq(h ? h->explain[VERDICT_EN] : NULL,
	    "{literal} 2 of まず 緊急連絡です", "{{ and {count}");
	t_str_eq(h ? h->evidence : NULL, "緊急連絡です", "default evidence: match");

	h = find_hit(v, "p/body");
	t_int_eq(h ? strlen(h->explain[VERDICT_EN]) : 0, 198,
	    "cut to 200 bytes on a character boundary");
	t_ok(h != NULL && strncmp(h->explain[VERDICT_EN], big.data, 198) == 0,
	    "cut keeps whole characters");
	t_str_eq(h ? h->evidence : NULL, "x", "evidence is the match");

	h = find_hit(v, "p/link");
	t_str_eq(h ? h->explain[VERDICT_JA] : NULL,
	    "ACME商事（acme）: acme.evil.cn acme []",
	    "instance brand, brand name from the ruleset, unset var empty");
	t_str_eq(h ? h->evidence : NULL, "https://acme.evil.cn/login",
	    "evidence template with a variable");

	h = find_hit(v, "p/gated");
	t_str_eq(h ? h->explain[VERDICT_EN] : NULL, "acme", "gating brand");
	h = find_hit(v, "p/claimed");
	t_str_eq(h ? h->explain[VERDICT_EN] : NULL, "[acme]",
	    "first claimed brand");
	t_str_eq(h ? h->explain[VERDICT_JA] : NULL, "ACME商事",
	    "its name");
	t_str_eq(h ? h->evidence : NULL, "", "flag fact: empty evidence");

	h = find_hit(v, "p/meta");
	t_str_eq(h ? h->explain[VERDICT_EN] : NULL, "mailer",
	    "{evidence}: matched references, not the negated ones");
	t_str_eq(h ? h->evidence : NULL, "<mailer>", "meta evidence template");
	t_str_eq(h ? h->explain[VERDICT_JA] : NULL, "ACME商事",
	    "meta brand falls back to the claim");
	t_ok(find_hit(v, "p/_h1") == NULL, "helpers are never reported");
	verdict_free(v);

	/* Invalid UTF-8 in a value never matches a pattern and never leaks. */
	facts_reset(f);
	facts_add(f, FACT_BODY, "x\xff");
	facts_add(f, FACT_LINK_BRAND_IN_HOST, "a\xc3");
	v = detect_eval(rs, f, NULL);
	t_ok(find_hit(v, "p/body") == NULL, "invalid UTF-8 is a non-match");
	h = find_hit(v, "p/link");
	t_str_eq(h ? h->explain[VERDICT_EN] : NULL, " (): ",
	    "no brand at all: empty");
	verdict_free(v);
	facts_reset(f);
	fi = facts_add(f, FACT_LINK_BRAND_IN_HOST, "v");
	facts_set_var(f, fi, "host", "bad\xe3\x81host");
	facts_set_var(f, fi, "brand_name", "Own name");
	facts_set_var(f, fi, "brand", "zeta");
	v = detect_eval(rs, f, NULL);
	h = find_hit(v, "p/link");
	t_str_eq(h ? h->explain[VERDICT_EN] : NULL,
	    "Own name (zeta): bad\xef\xbf\xbdhost", "U+FFFD, instance brand_name");
	verdict_free(v);

	buf_free(&big);
	facts_free(f);
	ruleset_free(rs);
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* (a+)+$ over 100 KB of "a" then "b" must stop at the match limit. */
static void
test_backtracking(void)
{
	static const char p[] = "pack b\nversion 1\nrequires sagi-rules 1\n"
	    "rule evil\n  field body\n  pattern (a+)+$\n  score 1\n"
	    "  explain-ja j\n  explain-en e\nend\n"
	    "rule evil-unless\n  field body\n  pattern b\n  unless (a|aa)+$\n"
	    "  score 1\n  explain-ja j\n  explain-en e\nend\n"
	    "rule deep\n  field body\n  pattern ^(?:a|b)*c\n  flags s\n"
	    "  score 1\n  explain-ja j\n  explain-en e\nend\n";
	struct ruleset	*rs;
	struct facts	*f;
	struct verdict	*v;
	char		*s;
	size_t		 n = 100 * 1024;
	double		 t0, t1;

	rs = load(p);
	f = facts_new();
	s = xmalloc(n + 2);
	memset(s, 'a', n);
	s[n] = 'b';
	s[n + 1] = '\0';
	facts_addn(f, FACT_BODY, s, n + 1);
	t0 = now();
	v = detect_eval(rs, f, NULL);
	t1 = now();
	T_TOOK("catastrophic pattern", t1 - t0);
	t_ok(find_hit(v, "b/evil") == NULL, "limit hit is a non-match");
	t_ok(find_hit(v, "b/evil-unless") != NULL,
	    "unless at its limit does not veto");
	t_ok(find_hit(v, "b/deep") == NULL, "no c: no match");
	verdict_free(v);
	free(s);
	facts_free(f);
	ruleset_free(rs);
}

/* Caps across packs: the lowest cap of the group wins. */
static void
test_caps_across_packs(void)
{
	struct ruleset	*rs;
	struct facts	*f;
	struct verdict	*v;
	char		*got;
	const char	*second = "pack u\nversion 1\nrequires sagi-rules 1\n"
	    "cap lure 3\n"
	    "rule more\n  field subject.norm\n  pattern 至急\n  group lure\n"
	    "  score 2\n  explain-ja j\n  explain-en e\nend\n";

	rs = load(pack);
	ruleset_load_string(rs, "u.rules", second, strlen(second), NULL);
	f = facts_new();
	facts_add(f, FACT_SUBJECT_NORM, "至急");
	v = detect_eval(rs, f, NULL);
	got = hits_string(v);
	t_str_eq(got, "t/lure-a=3 u/more=0", "lowest cap wins, cut hit reported");
	free(got);
	verdict_free(v);
	facts_free(f);
	ruleset_free(rs);
}

/* ---- the engine against plain PCRE2, on random rules ---- */

static unsigned long long	 rnd_state = 2463534242ULL;

static unsigned int
rnd(unsigned int n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned int)(rnd_state % n);
}

static const char *const pat_atoms[] = {
	"a", "b", "A", "k", "s", "ア", "イ", "口", "座", "\\.", ".", "[ab]",
	"[^a]", "\\w", "\\d", "x", "-", "\\b", "^", "$", "(?=a)", "(?<=a)",
	"[アイ]", "[a-c]", "[-ア]", "[\\x{30A2}-\\x{30A4}]", "(?m)"
};
static const char *const group_opens[] = { "(", "(?:", "(?s:", "(?i:" };
static const char *const quants[] = {
	"?", "*", "+", "{2}", "{1,3}", "{0,2}", "{2,}", "+?", "{0,12}"
};
static const char *const subj_atoms[] = {
	"a", "b", "A", "c", "k", "s", "ア", "イ", "ウ", "口", "座", ".", "x",
	"-", " ", "\xe2\x84\xaa", "\xc4\xb1", "\n", "あいうえお"
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

/* What the engine must agree with: JIT, the interpreter when the JIT
 * stack runs out, the same limits. */
static int
ref_match(const pcre2_code *re, const struct buf *s, pcre2_match_data *md,
    pcre2_match_context *mc)
{
	int	 rc;

	rc = pcre2_match(re, (PCRE2_SPTR)s->data, s->len, 0, 0, md, mc);
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
		rc = pcre2_match(re, (PCRE2_SPTR)s->data, s->len, 0,
		    PCRE2_NO_JIT, md, mc);
	return rc;
}

/* Compares every rule of one random pack; returns the disagreements. */
static int
diff_pack(pcre2_match_data *md, pcre2_match_context *mc, int *matched)
{
	struct ruleset		*rs;
	struct facts		*f;
	struct verdict		*v;
	const struct verdict_hit *h;
	pcre2_code		*re[10];
	struct buf		 pk, p, sb;
	PCRE2_SIZE		 eoff, *ov, mlen;
	char			 id[16];
	int			 i, k, n = 0, err, rc, bad = 0, ci[10];

	buf_init(&pk);
	buf_init(&p);
	buf_adds(&pk, "pack d\nversion 1\nrequires sagi-rules 1\n");
	for (i = 0; i < 10; i++) {
		buf_reset(&p);
		gen_pattern(&p, 0);
		ci[n] = (int)rnd(2);
		re[n] = pcre2_compile((PCRE2_SPTR)p.data, p.len, PCRE2_UTF |
		    PCRE2_UCP | (ci[n] ? PCRE2_CASELESS : 0), &err, &eoff,
		    NULL);
		if (re[n] == NULL)
			continue;
		pcre2_jit_compile(re[n], PCRE2_JIT_COMPLETE);
		buf_printf(&pk, "rule r%d\nfield body\npattern %s\n%s" TAIL_D,
		    n, p.data, ci[n] ? "flags i\n" : "");
		n++;
	}
	rs = load(pk.data);
	f = facts_new();
	buf_init(&sb);
	for (k = 0; k < 6; k++) {
		buf_reset(&sb);
		/* Short values, long ones (lanes, windows), overflowing ones. */
		i = k % 3 == 0 ? (int)rnd(40) : 700 + (int)rnd(700);
		while (i-- > 0)
			buf_adds(&sb, subj_atoms[rnd(SAGI_NITEMS(subj_atoms))]);
		if (k == 5) {
			for (i = 0; i < 5000; i++)
				buf_addc(&sb, 'a');
		}
		facts_reset(f);
		facts_addn(f, FACT_BODY, sb.data, sb.len);
		v = detect_eval(rs, f, NULL);
		for (i = 0; i < n; i++) {
			snprintf(id, sizeof id, "d/r%d", i);
			h = find_hit(v, id);
			rc = ref_match(re[i], &sb, md, mc);
			if ((rc >= 0) != (h != NULL)) {
				bad++;
				continue;
			}
			if (rc < 0)
				continue;
			(*matched)++;
			ov = pcre2_get_ovector_pointer(md);
			if (ov[0] > ov[1])
				continue;	/* \K: reported empty */
			mlen = ov[1] - ov[0];
			if (mlen > 200) {
				mlen = 200;
				while (mlen > 0 &&
				    ((unsigned char)sb.data[ov[0] + mlen] & 0xc0) ==
				    0x80)
					mlen--;
			}
			if (strlen(h->evidence) != mlen ||
			    memcmp(h->evidence, sb.data + ov[0], mlen) != 0)
				bad++;
		}
		verdict_free(v);
	}
	for (i = 0; i < n; i++)
		pcre2_code_free(re[i]);
	buf_free(&sb);
	buf_free(&p);
	buf_free(&pk);
	facts_free(f);
	ruleset_free(rs);
	return bad;
}

static void
test_differential(void)
{
	pcre2_match_data	*md;
	pcre2_match_context	*mc;
	int			 i, bad = 0, matched = 0;

	md = pcre2_match_data_create(1, NULL);
	mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, 200000);
	pcre2_set_depth_limit(mc, 5000);
	for (i = 0; i < 40; i++)
		bad += diff_pack(md, mc, &matched);
	t_int_eq(bad, 0, "engine agrees with PCRE2 (%d matches)", matched);
	t_ok(matched > 200, "the comparison saw matches");
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
}

int
main(void)
{
	test_degenerate();
	test_table();
	test_thresholds();
	test_placeholders();
	test_backtracking();
	test_caps_across_packs();
	test_differential();
	return t_done();
}
