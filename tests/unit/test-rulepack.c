/* SPDX-License-Identifier: ISC */
/*
 * Tests for core/rulepack.c and core/rulepack-eval.c: every load error with
 * its exact located diagnostic, atomic packs, lists, brands, the version
 * string, loading files and directories, and the expect-match checks.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "prefilter.h"
#include "rulepack.h"
#include "sagi.h"
#include "t.h"
#include "xalloc.h"

/* Three header lines, so a pack's first block starts on line 4. */
#define H	"pack t\nversion 1\nrequires sagi-rules 1\n"
/* The end of a complete rule block: four lines, "end" included. */
#define TAIL	"score 1\nexplain-ja j\nexplain-en e\nend\n"

static int
load(struct ruleset *rs, const char *text, struct diag *d)
{
	return ruleset_load_string(rs, "t.rules", text, strlen(text), d);
}

/* Prints every diagnostic into the TAP log, for a failing case. */
static void
dump(const struct diag *d)
{
	size_t	 i;

	for (i = 0; i < diag_count(d); i++)
		printf("#   diag: %s\n", diag_get(d, i));
}

static void
test_degenerate(void)
{
	struct ruleset	*rs;
	struct diag	*d;

	ruleset_free(NULL);
	t_int_eq(ruleset_load_string(NULL, "x", "", 0, NULL), -1, "NULL set");
	t_int_eq(ruleset_rule_count(NULL), 0, "count NULL");
	t_int_eq(ruleset_pack_count(NULL), 0, "packs NULL");
	t_int_eq(ruleset_brand_count(NULL), 0, "brands NULL");
	t_ok(ruleset_brand(NULL, 0) == NULL, "brand NULL");
	t_ok(ruleset_brand_find(NULL, "a") == NULL, "brand_find NULL");
	t_int_eq(ruleset_list_match(NULL, "l", "h"), 0, "list NULL");
	t_int_eq(brand_owns_host(NULL, "a.jp"), 0, "owns NULL");
	t_int_eq(brand_find(NULL, "x", 1, NULL, NULL), 0, "find NULL");
	t_int_eq(ruleset_check_examples(NULL, NULL), 0, "check NULL");

	rs = ruleset_new();
	d = diag_new();
	t_int_eq(ruleset_rule_count(rs), 0, "new set is empty");
	t_int_eq(strlen(ruleset_version(rs)), 16, "version of empty set");
	t_int_eq(ruleset_load_string(rs, "n", NULL, 0, d), -1, "NULL text");
	t_str_eq(diag_get(d, 0), "n: missing \"pack\" line", "NULL text diag");
	/* Without a diag the result is the same, silently. */
	t_int_eq(ruleset_load_string(rs, "n", "rule x\n", 7, NULL), -1,
	    "no diag");
	t_int_eq(ruleset_list_match(rs, "nolist", "a.cn"), 0, "unknown list");
	t_ok(ruleset_brand(rs, 0) == NULL, "no brand 0");
	t_int_eq(ruleset_check_examples(rs, d), 0, "nothing to check");
	diag_free(d);
	ruleset_free(rs);
}

/* Packs that must be rejected, with the first diagnostic exactly. */
static const struct {
	const char	*text;
	const char	*want;
} bad_cases[] = {
	{ "", "t.rules: missing \"pack\" line" },
	{ "# just a comment\n\n   \n", "t.rules: missing \"pack\" line" },
	{ "version 1\npack t\n", "t.rules:1:1: missing \"pack\" line" },
	{ "  rule x\n", "t.rules:1:3: missing \"pack\" line" },
	{ "pack T\nversion 1\nrequires sagi-rules 1\n",
	  "t.rules:1:6: bad pack name \"T\"" },
	{ "pack t\nrequires sagi-rules 1\n", "t.rules:1:1: missing \"version\"" },
	{ "pack t\nversion 1\n", "t.rules:1:1: missing \"requires\"" },
	{ "pack t\nversion 0\nrequires sagi-rules 1\n",
	  "t.rules:2:9: bad number \"0\"" },
	{ "pack t\nversion 1\nrequires sagi-rules 2\nrule a\nbogus\n",
	  "t.rules:3:21: requires sagi-rules 2, newer than 1" },
	{ "pack t\nversion 1\nrequires sagi 1\n",
	  "t.rules:3:10: expected \"requires sagi-rules N\"" },
	{ "pack t\npack u\nversion 1\nrequires sagi-rules 1\n",
	  "t.rules:2:1: duplicate \"pack\"" },
	{ H "frobnicate x\n", "t.rules:4:1: unknown keyword \"frobnicate\"" },
	{ H "pattern x\n", "t.rules:4:1: \"pattern\" outside a rule block" },
	{ H "name x\n", "t.rules:4:1: \"name\" outside a brand block" },
	{ H "expect-match x\n",
	  "t.rules:4:1: \"expect-match\" outside a rule or brand block" },
	{ H "end\n", "t.rules:4:1: \"end\" outside a block" },
	{ H "rule a\nfield subject\n" TAIL "version 2\n",
	  "t.rules:10:1: \"version\" outside the pack header" },
	{ H "rule a\nfield subject\nscore 1\n",
	  "t.rules:4:1: unterminated rule block: missing \"end\"" },
	{ H "list l\na.cn\n", "t.rules:4:1: unterminated list block: "
	  "missing \"end\"" },
	{ H "rule a\nfield subject\nrule b\n",
	  "t.rules:6:1: \"rule\" inside a rule block: missing \"end\"" },
	{ H "rule a\nfield subject\nname x\n" TAIL,
	  "t.rules:6:1: \"name\" outside a brand block" },
	/* The pattern starts in column 9; PCRE2 reports offset 4. */
	{ H "rule a\nfield subject\npattern ab(c\n" TAIL,
	  "t.rules:6:13: pattern: missing closing parenthesis" },
	{ H "rule a\nfield subject\nunless   [z-a]\n" TAIL,
	  "t.rules:6:13: pattern: range out of order in character class" },
	{ H "rule a\nfield subject\npattern x\nflags iq\n" TAIL,
	  "t.rules:7:8: bad flags \"iq\"" },
	{ H "rule a\nfield subject\npattern x\npattern y\n" TAIL,
	  "t.rules:7:1: duplicate \"pattern\"" },
	{ H "rule a\nfield subjekt\n" TAIL,
	  "t.rules:5:7: unknown fact \"subjekt\"" },
	{ H "rule a\nfield subject\nmeta b\n" TAIL,
	  "t.rules:6:1: \"field\" and \"meta\" are exclusive" },
	{ H "rule a\n" TAIL,
	  "t.rules:4:1: missing \"field\" or \"meta\" in rule \"a\"" },
	{ H "rule a\nfield subject\nscore 1\nexplain-ja j\nend\n",
	  "t.rules:4:1: missing \"explain-en\" in rule \"a\"" },
	{ H "rule a\nfield subject\nexplain-ja j\nexplain-en e\nend\n",
	  "t.rules:4:1: missing \"score\" in rule \"a\"" },
	{ H "rule a\nfield subject\nscore 1,5\nexplain-ja j\nexplain-en e\n"
	  "end\n", "t.rules:6:7: bad number \"1,5\"" },
	{ H "rule a\nfield subject\nscore 0x10\nexplain-ja j\nexplain-en e\n"
	  "end\n", "t.rules:6:7: bad number \"0x10\"" },
	{ H "rule A\nfield subject\n" TAIL, "t.rules:4:6: bad rule id \"A\"" },
	{ H "rule a\nfield subject\n" TAIL "rule a\nfield subject\n" TAIL,
	  "t.rules:10:6: duplicate rule id \"a\"" },
	/* "explain-ja " is 11 bytes and "件名 " 7: the brace is column 19. */
	{ H "rule a\nfield subject\nscore 1\nexplain-ja 件名 {nope}\n"
	  "explain-en e\nend\n",
	  "t.rules:7:19: unknown placeholder \"{nope}\"" },
	{ H "rule a\nfield subject\nscore 1\nexplain-ja j\n"
	  "explain-en x {value\nend\n",
	  "t.rules:8:14: unterminated placeholder" },
	{ H "rule a\nfield subject\nscore 1\nexplain-ja j\nexplain-en e\n"
	  "evidence {evidence}\nend\n",
	  "t.rules:9:10: unknown placeholder \"{evidence}\"" },
	{ H "rule a\nfield link.host\nscore 1\nexplain-ja {subject}\n"
	  "explain-en e\nend\n",
	  "t.rules:7:12: unknown placeholder \"{subject}\"" },
	{ H "rule b\nfield subject\n" TAIL "rule a\nmeta b\nscore 1\n"
	  "explain-ja {count}\nexplain-en e\nend\n",
	  "t.rules:13:12: unknown placeholder \"{count}\"" },
	{ H "rule _h\nfield subject\nscore 1\nend\n",
	  "t.rules:6:7: helper rule \"_h\" must have score 0" },
	{ H "rule a\nmeta b\n" TAIL "rule b\nmeta a\n" TAIL,
	  "t.rules:5:6: meta: cycle through \"t/a\"" },
	{ H "rule a\nmeta a || a\n" TAIL,
	  "t.rules:5:6: meta: cycle through \"t/a\"" },
	{ H "rule a\nmeta b &&\n" TAIL,
	  "t.rules:5:10: meta: unexpected end of expression" },
	{ H "rule a\nmeta (b || c\n" TAIL,
	  "t.rules:5:13: meta: unexpected end of expression" },
	{ H "rule a\nmeta b & c\n" TAIL,
	  "t.rules:5:8: meta: syntax error near \"&\"" },
	{ H "rule a\nmeta b\n" TAIL, "t.rules:5:6: meta: unknown rule \"b\"" },
	{ H "rule a\nmeta !other/b\n" TAIL,
	  "t.rules:5:7: meta: unknown rule \"other/b\"" },
	{ H "rule b\nfield subject\n" TAIL "rule a\nmeta b\npattern x\n" TAIL,
	  "t.rules:12:1: \"pattern\" needs \"field\"" },
	{ H "rule a\nfield subject\nin-list nolist\n" TAIL,
	  "t.rules:6:9: unknown list \"nolist\"" },
	{ H "rule a\nfield subject\nbrand nobrand\n" TAIL,
	  "t.rules:6:7: unknown brand \"nobrand\"" },
	{ H "rule a\nfield subject\nexpect-match x\n" TAIL,
	  "t.rules:6:1: expect lines need \"pattern\", \"unless\" or a list" },
	{ H "rule a\nfield subject\ngroup bad group\n" TAIL,
	  "t.rules:6:7: bad group name \"bad group\"" },
	{ H "brand b\nmatch x\ndomains b.jp\nend\n",
	  "t.rules:4:1: missing \"name\" in brand \"b\"" },
	{ H "brand b\nname B\ndomains b.jp\nend\n",
	  "t.rules:4:1: missing \"match\" in brand \"b\"" },
	{ H "brand b\nname B\nmatch x\nend\n",
	  "t.rules:4:1: missing \"domains\" in brand \"b\"" },
	{ H "brand b\nname B\nmatch (\ndomains b.jp\nend\n",
	  "t.rules:6:8: pattern: missing closing parenthesis" },
	{ H "brand b\nname B\nmatch b\ndomains b.jp bad/host\nend\n",
	  "t.rules:7:14: bad domains \"bad/host\"" },
	{ H "brand b\nname B\nmatch b\ndomains b.jp\npattern x\nend\n",
	  "t.rules:8:1: \"pattern\" outside a rule block" },
	{ H "brand B\nend\n", "t.rules:4:7: bad brand id \"B\"" },
	{ "pack t\nversion 1\nrequires sagi-rules 1\ncap g\n",
	  "t.rules:4:5: expected \"cap GROUP POINTS\"" },
	{ "pack t\nversion 1\nrequires sagi-rules 1\ncap g -1\n",
	  "t.rules:4:7: bad number \"-1\"" },
	{ H "rule a\nfield subject\n" TAIL "end now\n",
	  "t.rules:10:1: \"end\" outside a block" },
	{ H "list l\na.cn\nend now\n",
	  "t.rules:6:5: unexpected \"now\" after \"end\"" },
	{ "pack t\nversion 1\nrequires sagi-rules 1\nrule a\nfield sub\xe3\x81ject\n",
	  "t.rules:5:10: invalid utf-8" },
};

static void
test_bad_packs(void)
{
	struct ruleset	*rs;
	struct diag	*d;
	size_t		 i;
	int		 rc;

	for (i = 0; i < SAGI_NITEMS(bad_cases); i++) {
		rs = ruleset_new();
		d = diag_new();
		rc = load(rs, bad_cases[i].text, d);
		t_int_eq(rc, -1, "bad case %zu rejected", i);
		t_str_eq(diag_get(d, 0), bad_cases[i].want, "bad case %zu diag", i);
		if (diag_get(d, 0) == NULL ||
		    strcmp(diag_get(d, 0), bad_cases[i].want) != 0)
			dump(d);
		t_ok(ruleset_rule_count(rs) == 0 && ruleset_pack_count(rs) == 0 &&
		    ruleset_brand_count(rs) == 0, "bad case %zu adds nothing", i);
		diag_free(d);
		ruleset_free(rs);
	}
}

static const char good_pack[] =
    "# a comment\n"
    "pack good\n"
    "version 3\n"
    "requires sagi-rules 1\n"
    "cap lure 6\n"
    "\n"
    "list shorteners\n"
    "  bit.ly TinyURL.com\n"
    "  .cn\n"
    "  微软雅黑 simsun\n"
    "end\n"
    "brand acme\n"
    "  name       ACME 商事\n"
    "  match      acme|エイシーエムイー\n"
    "  token      acme ACMEjp\n"
    "  domains    acme.co.jp\n"
    "  domains    acme-mail.com\n"
    "  check-ja   公式アプリで確認してください\n"
    "  check-ja   二行目\n"
    "  check-en   Check in the app\n"
    "  victim-ja  パスワードを変えてください\n"
    "  victim-en  Change your password\n"
    "  expect-match   acmeからのお知らせ\n"
    "  expect-nomatch acne\n"
    "end\n"
    "rule urgent\n"
    "  field      subject.norm\n"
    "  pattern    緊急|至急\n"
    "  unless     訓練\n"
    "  flags      i\n"
    "  brand      any\n"
    "  score      2.5\n"
    "  group      lure\n"
    "  explain-ja 件名が急がせています：{match}\n"
    "  explain-en The subject rushes you: {match}\n"
    "  expect-match   緊急のご連絡\n"
    "  expect-nomatch 緊急の避難訓練\n"
    "end\n"
    "rule _short\n"
    "  field      link.host\n"
    "  in-list    shorteners\n"
    "  expect-match bit.ly\n"
    "  expect-match x.y.cn\n"
    "  expect-nomatch notbit.ly\n"
    "end\n"
    "rule both\n"
    "  meta       urgent && (_short || !good/urgent)\n"
    "  score      -1\n"
    "  explain-ja {brand_name}: {evidence}\n"
    "  explain-en {brand_name}: {evidence}\n"
    "end\n";

/*
 * The brand prefilter: one pass rules a brand out only when its pattern
 * cannot match.  A second brand whose pattern has no literal to require
 * stays a candidate whatever the text.
 */
static void
test_brands_maybe_in(struct ruleset *rs, struct diag *d)
{
	static const char loose[] =
	    "pack loose\nversion 1\nrequires sagi-rules 1\n"
	    "brand anyword\n  name Any\n  match \\w{3}\n"
	    "  domains any.example\nend\n";
	struct prefilter_hits	 h;
	unsigned char		 maybe[2];

	t_int_eq(load(rs, loose, d), 0, "pack without literals loads");
	t_int_eq(ruleset_brand_count(rs), 2, "two brands");
	prefilter_hits_init(&h, ruleset_brand_literals(rs));
	ruleset_brands_maybe_in(rs, "xx ACME yy", 10, &h, maybe);
	t_ok(maybe[0] == 1 && maybe[1] == 1, "literal present: candidate");
	ruleset_brands_maybe_in(rs, "nothing here", 12, &h, maybe);
	t_ok(maybe[0] == 0, "no literal: ruled out");
	t_ok(maybe[1] == 1, "no requirement: always a candidate");
	ruleset_brands_maybe_in(rs, "エイシーエムイーです", 30, &h, maybe);
	t_ok(maybe[0] == 1, "Japanese literal found");
	ruleset_brands_maybe_in(rs, "", 0, &h, maybe);
	t_ok(maybe[0] == 0, "empty text: ruled out");
	prefilter_hits_free(&h);
}

/*
 * A brand whose literals hold a caseless s or k (PREFILTER_FOLDED): ruled
 * out by their absence, but a candidate whenever the text holds U+017F or
 * U+212A, which its pattern matches as s and k while the literals do not.
 */
static void
test_brands_folded(void)
{
	static const char pack[] =
	    "pack fold\nversion 1\nrequires sagi-rules 1\n"
	    "brand sk\n  name SK\n  match sakura|kiosk\n"
	    "  domains sk.example\nend\n";
	struct ruleset		*rs = ruleset_new();
	struct diag		*d = diag_new();
	struct prefilter_hits	 h;
	const struct brand	*b;
	unsigned char		 maybe[1];
	size_t			 off, len;

	t_int_eq(load(rs, pack, d), 0, "folded brand pack loads");
	dump(d);
	b = ruleset_brand(rs, 0);
	prefilter_hits_init(&h, ruleset_brand_literals(rs));
	ruleset_brands_maybe_in(rs, "at the kiosk", 12, &h, maybe);
	t_ok(maybe[0] == 1, "folded: literal with k found");
	ruleset_brands_maybe_in(rs, "in sakura park", 14, &h, maybe);
	t_ok(maybe[0] == 1, "folded: literal with s found");
	ruleset_brands_maybe_in(rs, "nothing here", 12, &h, maybe);
	t_ok(maybe[0] == 0, "folded: ruled out without its literals");
	ruleset_brands_maybe_in(rs, "\xc5\xbf" "akura", 7, &h, maybe);
	t_ok(maybe[0] == 1, "long s: still a candidate");
	t_ok(brand_find(b, "\xc5\xbf" "akura", 7, &off, &len) == 1,
	    "long s: and the pattern matches");
	ruleset_brands_maybe_in(rs, "\xe2\x84\xaa" "iosk", 8, &h, maybe);
	t_ok(maybe[0] == 1, "Kelvin sign: still a candidate");
	t_ok(brand_find(b, "\xe2\x84\xaa" "iosk", 8, &off, &len) == 1,
	    "Kelvin sign: and the pattern matches");
	prefilter_hits_free(&h);
	diag_free(d);
	ruleset_free(rs);
}

static void
test_good_pack(void)
{
	struct ruleset		*rs;
	struct diag		*d;
	const struct brand	*b;
	char			 v1[17];
	size_t			 off = 99, len = 99;

	rs = ruleset_new();
	d = diag_new();
	snprintf(v1, sizeof v1, "%s", ruleset_version(rs));
	t_int_eq(load(rs, good_pack, d), 0, "good pack loads");
	dump(d);
	t_int_eq(diag_count(d), 0, "no diagnostics");
	t_int_eq(ruleset_pack_count(rs), 1, "one pack");
	t_int_eq(ruleset_rule_count(rs), 3, "three rules, helper included");
	t_int_eq(ruleset_brand_count(rs), 1, "one brand");
	t_ok(strcmp(v1, ruleset_version(rs)) != 0, "version changed");

	b = ruleset_brand(rs, 0);
	t_ok(b == ruleset_brand_find(rs, "acme"), "brand by id");
	t_ok(ruleset_brand_find(rs, "acm") == NULL, "no prefix lookup");
	t_str_eq(b->name, "ACME 商事", "brand name with blank");
	t_int_eq(b->ntokens, 2, "two tokens");
	t_str_eq(b->tokens[1], "acmejp", "tokens lower-cased");
	t_int_eq(b->ndomains, 2, "domains lines add up");
	t_str_eq(b->check[VERDICT_JA], "公式アプリで確認してください\n二行目",
	    "repeated check-ja joined");
	t_str_eq(b->victim[VERDICT_EN], "Change your password", "victim-en");
	t_int_eq(brand_owns_host(b, "acme.co.jp"), 1, "owns domain");
	t_int_eq(brand_owns_host(b, "www.ACME.co.jp"), 1, "owns subdomain");
	t_int_eq(brand_owns_host(b, "acme.co.jp."), 1, "trailing dot");
	t_int_eq(brand_owns_host(b, "evilacme.co.jp"), 0, "label boundary");
	t_int_eq(brand_owns_host(b, "acme.co.jp.evil.cn"), 0, "brand prefix");
	t_int_eq(brand_owns_host(b, "co.jp"), 0, "parent not owned");
	t_int_eq(brand_find(b, "xx acme yy", 10, &off, &len), 1, "find");
	t_ok(off == 3 && len == 4, "find span");
	t_int_eq(brand_find(b, "ACME", 4, NULL, NULL), 1, "caseless");
	t_int_eq(brand_find(b, "エイシーエムイーです", 30, &off, &len), 1,
	    "find Japanese");
	t_ok(off == 0 && len == 24, "Japanese span in bytes");
	t_int_eq(brand_find(b, "acne", 4, &off, &len), 0, "no find");
	t_int_eq(brand_find(b, "\xff" "acme", 5, &off, &len), 0,
	    "invalid utf-8 never matches");

	t_int_eq(brand_find_utf8(b, "xx acme yy", 10, &off, &len), 1,
	    "find in known-valid text");
	t_ok(off == 3 && len == 4, "same span");
	test_brands_maybe_in(rs, d);

	t_int_eq(ruleset_check_examples(rs, d), 0, "examples pass");
	dump(d);
	diag_free(d);
	ruleset_free(rs);
}

static const struct {
	const char	*host;
	int		 want;
} list_cases[] = {
	{ "bit.ly", 1 },
	{ "BIT.LY", 1 },		/* case-insensitive */
	{ "x.bit.ly", 1 },		/* subdomain */
	{ "notbit.ly", 0 },		/* label boundary */
	{ "bit.ly.evil.com", 0 },
	{ "tinyurl.com", 1 },		/* entry was upper-case */
	{ "evil.cn", 1 },		/* ".cn": any host under cn */
	{ "a.b.c.cn", 1 },
	{ "cn", 0 },			/* … but not cn itself */
	{ "evil.cn.com", 0 },
	{ "evilcn", 0 },
	{ "SimSun", 1 },		/* a font name, by equality */
	{ "微软雅黑", 1 },
	{ "微软雅黑 bold", 0 },
	{ "simsun.cn.jp", 0 },
	{ "", 0 },
};

static void
test_lists(void)
{
	struct ruleset	*rs;
	struct diag	*d;
	size_t		 i;

	rs = ruleset_new();
	d = diag_new();
	t_int_eq(load(rs, good_pack, d), 0, "pack for lists");
	for (i = 0; i < SAGI_NITEMS(list_cases); i++)
		t_int_eq(ruleset_list_match(rs, "shorteners", list_cases[i].host),
		    list_cases[i].want, "list match \"%s\"", list_cases[i].host);
	t_int_eq(ruleset_list_match(rs, "other", "bit.ly"), 0, "other list");

	/* A second pack extends the list; a third uses it without defining. */
	t_int_eq(load(rs, "pack more\nversion 1\nrequires sagi-rules 1\n"
	    "list shorteners\nduckdns.org\nend\n", d), 0, "list merge");
	t_int_eq(ruleset_list_match(rs, "shorteners", "a.duckdns.org"), 1,
	    "merged entry");
	t_int_eq(ruleset_list_match(rs, "shorteners", "bit.ly"), 1,
	    "old entries kept");
	t_int_eq(load(rs, "pack use\nversion 1\nrequires sagi-rules 1\n"
	    "rule r\nfield link.host\nnot-in-list shorteners\n" TAIL, d),
	    0, "list from an earlier pack");
	dump(d);
	diag_free(d);
	ruleset_free(rs);
}

/* A rejected pack adds nothing, a later good pack still loads. */
static void
test_atomic(void)
{
	struct ruleset	*rs;
	struct diag	*d;
	char		 v[17];
	const char	*broken =
	    "pack broken\nversion 1\nrequires sagi-rules 1\n"
	    "list bl\nevil.example\nend\n"
	    "brand bb\nname B\nmatch bb\ndomains bb.jp\nend\n"
	    "rule fine\nfield subject\n" TAIL
	    "rule bad\nfield subject\npattern (\n" TAIL;

	rs = ruleset_new();
	d = diag_new();
	snprintf(v, sizeof v, "%s", ruleset_version(rs));
	t_int_eq(load(rs, broken, d), -1, "broken pack rejected");
	t_int_eq(diag_count(d), 1, "one diagnostic");
	t_int_eq(ruleset_rule_count(rs), 0, "none of its rules");
	t_int_eq(ruleset_brand_count(rs), 0, "none of its brands");
	t_int_eq(ruleset_list_match(rs, "bl", "evil.example"), 0,
	    "none of its lists");
	t_str_eq(ruleset_version(rs), v, "version unchanged");
	t_int_eq(load(rs, good_pack, d), 0, "good pack after a bad one");
	t_int_eq(ruleset_rule_count(rs), 3, "good rules there");
	/* The same pack name twice is refused. */
	t_int_eq(load(rs, good_pack, d), -1, "same pack again rejected");
	t_str_eq(diag_get(d, 1), "t.rules:2:6: duplicate pack \"good\"",
	    "duplicate pack diag");
	t_int_eq(ruleset_rule_count(rs), 3, "still three rules");
	/* Brand ids are unique across packs. */
	t_int_eq(load(rs, "pack other\nversion 1\nrequires sagi-rules 1\n"
	    "brand acme\nname A\nmatch a\ndomains a.jp\nend\n", d), -1,
	    "brand id taken");
	t_str_eq(diag_get(d, diag_count(d) - 1),
	    "t.rules:4:7: duplicate brand id \"acme\"", "brand dup diag");
	/* Rules of an earlier pack are reachable as pack/id in meta. */
	t_int_eq(load(rs, "pack other\nversion 1\nrequires sagi-rules 1\n"
	    "rule m\nmeta good/urgent && !good/_short\nbrand acme\n" TAIL, d), 0,
	    "cross-pack meta and brand gate");
	dump(d);
	diag_free(d);
	ruleset_free(rs);
}

static void
test_version(void)
{
	struct ruleset	*a, *b, *c;
	char		 va[17];

	a = ruleset_new();
	b = ruleset_new();
	c = ruleset_new();
	load(a, good_pack, NULL);
	load(b, good_pack, NULL);
	t_str_eq(ruleset_version(a), ruleset_version(b), "same text, same version");
	snprintf(va, sizeof va, "%s", ruleset_version(a));
	load(c, good_pack, NULL);
	load(c, "pack x\nversion 1\nrequires sagi-rules 1\n", NULL);
	t_ok(strcmp(ruleset_version(c), va) != 0, "another pack changes it");
	ruleset_free(a);
	ruleset_free(b);
	ruleset_free(c);
	/* One byte of difference in text (a comment) changes it too. */
	a = ruleset_new();
	b = ruleset_new();
	load(a, "pack x\nversion 1\nrequires sagi-rules 1\n", NULL);
	load(b, "pack x\nversion 1\nrequires sagi-rules 1\n#\n", NULL);
	t_ok(strcmp(ruleset_version(a), ruleset_version(b)) != 0,
	    "text changes it");
	ruleset_free(a);
	ruleset_free(b);
}

static void
test_examples(void)
{
	struct ruleset	*rs;
	struct diag	*d;

	rs = ruleset_new();
	d = diag_new();
	t_int_eq(load(rs, H
	    "list l\nbit.ly\nend\n"
	    "brand b\nname B\nmatch bee\ndomains b.jp\n"
	    "expect-match honeybee\nexpect-nomatch wasp\nexpect-match bird\nend\n"
	    "rule a\nfield subject\npattern ab+c\nunless abbbc\n"
	    "expect-match xabcx\nexpect-match abbbc\nexpect-nomatch ac\n"
	    "expect-nomatch abbc\n" TAIL
	    "rule l\nfield link.host\nin-list l\nexpect-match evil.cn\n" TAIL,
	    d), 0, "examples pack loads");
	dump(d);
	t_int_eq(ruleset_check_examples(rs, d), 4, "four examples fail");
	t_str_eq(diag_get(d, 0), "t.rules:20: rule t/a: expect-match failed: "
	    "abbbc", "unless counts in examples");
	t_str_eq(diag_get(d, 1), "t.rules:22: rule t/a: expect-nomatch failed: "
	    "abbc", "expect-nomatch failure");
	t_str_eq(diag_get(d, 2), "t.rules:30: rule t/l: expect-match failed: "
	    "evil.cn", "list example");
	t_str_eq(diag_get(d, 3), "t.rules:13: brand b: expect-match failed: "
	    "bird", "brand example");
	diag_free(d);
	ruleset_free(rs);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*fp;

	fp = fopen(path, "w");
	if (fp == NULL)
		return;
	fputs(text, fp);
	fclose(fp);
}

static void
test_files(void)
{
	struct ruleset	*rs;
	struct diag	*d;
	char		 dir[] = "/tmp/test-rulepack.XXXXXX", *p;

	if (mkdtemp(dir) == NULL) {
		t_skip(9, "mkdtemp failed");
		return;
	}
	p = xasprintf("%s/b.rules", dir);
	write_file(p, "pack b\nversion 1\nrequires sagi-rules 1\n"
	    "rule r\nmeta a/r\n" TAIL);
	free(p);
	p = xasprintf("%s/a.rules", dir);
	write_file(p, "pack a\nversion 1\nrequires sagi-rules 1\n"
	    "rule r\nfield subject\n" TAIL);
	free(p);
	p = xasprintf("%s/c.rules", dir);
	write_file(p, "pack c\nversion 1\nrequires sagi-rules 7\n");
	free(p);
	p = xasprintf("%s/ignored.txt", dir);
	write_file(p, "not a pack");
	free(p);

	rs = ruleset_new();
	d = diag_new();
	/* Name order: a before b, so b's meta can see a/r. */
	t_int_eq(ruleset_load_dir(rs, dir, d), 1, "one pack rejected");
	t_int_eq(ruleset_pack_count(rs), 2, "two packs loaded");
	p = xasprintf("%s/c.rules:3:21: requires sagi-rules 7, newer than 1",
	    dir);
	t_str_eq(diag_get(d, 0), p, "diag names the file");
	free(p);
	t_int_eq(diag_count(d), 1, "only that diagnostic");

	p = xasprintf("%s/a.rules", dir);
	t_int_eq(ruleset_load_file(rs, p, d), -1, "same pack twice");
	unlink(p);
	free(p);
	p = xasprintf("%s/missing.rules", dir);
	t_int_eq(ruleset_load_file(rs, p, d), -1, "missing file");
	free(p);
	p = xasprintf("%s/missing.rules: No such file or directory", dir);
	t_str_eq(diag_get(d, diag_count(d) - 1), p, "missing file diag");
	free(p);
	p = xasprintf("%s/nodir", dir);
	t_int_eq(ruleset_load_dir(rs, p, d), -1, "missing directory");
	free(p);
	t_int_eq(ruleset_pack_count(rs), 2, "still two packs");

	p = xasprintf("%s/b.rules", dir);
	unlink(p);
	free(p);
	p = xasprintf("%s/c.rules", dir);
	unlink(p);
	free(p);
	p = xasprintf("%s/ignored.txt", dir);
	unlink(p);
	free(p);
	rmdir(dir);
	diag_free(d);
	ruleset_free(rs);
}

/* Regressions and edge cases of the line syntax. */
static void
test_syntax(void)
{
	struct ruleset	*rs;
	struct diag	*d;
	char		*many;
	size_t		 i;

	rs = ruleset_new();
	d = diag_new();
	/* CRLF, a BOM, blanks around values, a pattern with " #" in it. */
	t_int_eq(load(rs, "\xef\xbb\xbfpack crlf\r\nversion 1\r\n"
	    "requires sagi-rules 1\r\n  rule a  \r\n\tfield subject\r\n"
	    "  pattern  a #b  \r\n  expect-match a #b\r\n"
	    "  expect-nomatch a b\r\nscore 1\r\nexplain-ja j\r\n"
	    "explain-en {{value} {value}\r\nend\r\n", d), 0, "CRLF pack");
	dump(d);
	t_int_eq(ruleset_check_examples(rs, d), 0, "pattern keeps \" #b\"");
	/* Too many errors stop early instead of flooding. */
	many = xmalloc(sizeof H + 6 * 200);
	memcpy(many, H, sizeof H - 1);
	for (i = 0; i < 200; i++)
		memcpy(many + sizeof H - 1 + 6 * i, "bogus\n", 6);
	many[sizeof H - 1 + 6 * 200] = '\0';
	t_int_eq(load(rs, many, d), -1, "garbage rejected");
	t_ok(diag_count(d) <= 60, "diagnostics are bounded (%zu)",
	    diag_count(d));
	free(many);
	/* A NUL byte is located. */
	t_int_eq(ruleset_load_string(rs, "n", "pack n\nver\0sion 1\n", 18, d),
	    -1, "nul byte");
	t_str_eq(diag_get(d, diag_count(d) - 1), "n:2:4: nul byte",
	    "nul byte diag");
	diag_free(d);
	ruleset_free(rs);
}

int
main(void)
{
	test_degenerate();
	test_bad_packs();
	test_good_pack();
	test_brands_folded();
	test_lists();
	test_atomic();
	test_version();
	test_examples();
	test_files();
	test_syntax();
	return t_done();
}
