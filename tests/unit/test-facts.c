/* SPDX-License-Identifier: ISC */
/*
 * Tests for core/facts.c: the catalogue, variable names, and the container
 * (instances, variables, reset and reuse).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "sagi.h"
#include "t.h"

static void
test_degenerate(void)
{
	struct facts	*f;

	facts_free(NULL);
	facts_reset(NULL);
	t_int_eq(facts_lookup(NULL), -1, "lookup NULL");
	t_int_eq(facts_lookup(""), -1, "lookup empty");
	t_int_eq(facts_lookup("subject "), -1, "lookup needs the exact name");
	t_ok(facts_def((enum fact_id)FACT__COUNT) == NULL, "def out of range");
	t_ok(facts_def((enum fact_id)-1) == NULL, "def negative");
	t_int_eq(facts_has_var(FACT_SUBJECT, NULL), 0, "has_var NULL");
	t_int_eq(facts_has_var(FACT_SUBJECT, ""), 0, "has_var empty");
	t_int_eq(facts_has_var((enum fact_id)FACT__COUNT, "value"), 0,
	    "has_var bad id");
	t_int_eq(facts_count(NULL, FACT_SUBJECT), 0, "count NULL");
	t_ok(facts_value(NULL, FACT_SUBJECT, 0) == NULL, "value NULL");
	t_ok(facts_add(NULL, FACT_SUBJECT, "x") == NULL, "add to NULL");

	f = facts_new();
	t_int_eq(facts_count(f, FACT_SUBJECT), 0, "new is empty");
	t_ok(facts_value(f, FACT_SUBJECT, 0) == NULL, "no instance 0");
	t_int_eq(facts_value_len(f, FACT_SUBJECT, 3), 0, "no length");
	t_ok(facts_var(f, FACT_SUBJECT, 0, "x") == NULL, "no var");
	t_ok(facts_addn(f, (enum fact_id)FACT__COUNT, "x", 1) == NULL,
	    "add bad id");
	facts_set_var(f, NULL, "a", "b");	/* no crash */
	/* A NULL value is a flag instance with "". */
	t_ok(facts_add(f, FACT_AUTH_NONE, NULL) != NULL, "flag");
	t_str_eq(facts_value(f, FACT_AUTH_NONE, 0), "", "flag value");
	facts_free(f);
}

static const struct {
	const char	*name;
	int		 id;
} lookup_cases[] = {
	{ "subject", FACT_SUBJECT },
	{ "body.norm", FACT_BODY_NORM },
	{ "link.host", FACT_LINK_HOST },
	{ "brand.claimed", FACT_BRAND_CLAIMED },
	{ "quoted.looks_phish", FACT_QUOTED_LOOKS_PHISH },
	{ "link.text_host_differs", FACT_LINK_TEXT_HOST_DIFFERS },
	{ "Subject", -1 },
	{ "link", -1 },
};

static const struct {
	int		 id;
	const char	*var;
	int		 want;
} var_cases[] = {
	{ FACT_SUBJECT, "value", 1 },		/* universal */
	{ FACT_SUBJECT, "match", 1 },
	{ FACT_SUBJECT, "brand", 1 },
	{ FACT_SUBJECT, "brand_name", 1 },
	{ FACT_SUBJECT, "href", 0 },
	{ FACT_SUBJECT, "count", 0 },		/* the engine's, not a var */
	{ FACT_LINK_HOST, "href", 1 },
	{ FACT_LINK_HOST, "host", 1 },
	{ FACT_LINK_HOST, "text", 1 },
	{ FACT_LINK_HOST, "hos", 0 },		/* prefix of a name */
	{ FACT_LINK_HOST, "texts", 0 },
	{ FACT_LINK_TEXT_HOST_DIFFERS, "text_host", 1 },
	{ FACT_LINK_TYPOSQUAT, "label", 1 },
	{ FACT_QUOTED_LOOKS_PHISH, "summary", 1 },
	{ FACT_BRAND_FROM_FOREIGN, "where", 1 },
};

static void
test_catalogue(void)
{
	size_t	 i, k;

	for (i = 0; i < SAGI_NITEMS(lookup_cases); i++)
		t_int_eq(facts_lookup(lookup_cases[i].name), lookup_cases[i].id,
		    "lookup %s", lookup_cases[i].name);
	for (i = 0; i < SAGI_NITEMS(var_cases); i++)
		t_int_eq(facts_has_var((enum fact_id)var_cases[i].id,
		    var_cases[i].var), var_cases[i].want, "%s has %s",
		    facts_def((enum fact_id)var_cases[i].id)->name,
		    var_cases[i].var);
	/* Every name round-trips and is unique. */
	for (i = 0; i < FACT__COUNT; i++) {
		if (facts_lookup(facts_def((enum fact_id)i)->name) != (int)i)
			break;
		for (k = 0; k < i; k++) {
			if (strcmp(facts_def((enum fact_id)k)->name,
			    facts_def((enum fact_id)i)->name) == 0)
				break;
		}
		if (k != i)
			break;
	}
	t_int_eq(i, FACT__COUNT, "every catalogue name round-trips");
}

static void
test_container(void)
{
	struct facts		*f;
	struct fact_inst	*fi;
	char			 big[3000];
	int			 i;

	f = facts_new();
	fi = facts_add(f, FACT_LINK_HOST, "evil.example");
	facts_set_var(f, fi, "href", "https://evil.example/a");
	facts_set_var(f, fi, "host", "evil.example");
	facts_set_var(f, fi, "href", "https://evil.example/b");	/* replaces */
	fi = facts_addn(f, FACT_LINK_HOST, "ab\0cd", 5);
	facts_set_var(f, fi, "text", NULL);
	t_int_eq(facts_count(f, FACT_LINK_HOST), 2, "two instances");
	t_str_eq(facts_value(f, FACT_LINK_HOST, 0), "evil.example", "value 0");
	t_int_eq(facts_value_len(f, FACT_LINK_HOST, 0), 12, "len 0");
	t_int_eq(facts_value_len(f, FACT_LINK_HOST, 1), 5, "len with NUL");
	t_ok(memcmp(facts_value(f, FACT_LINK_HOST, 1), "ab\0cd", 6) == 0,
	    "bytes kept, NUL-terminated");
	t_str_eq(facts_var(f, FACT_LINK_HOST, 0, "href"),
	    "https://evil.example/b", "var replaced");
	t_str_eq(facts_var(f, FACT_LINK_HOST, 0, "host"), "evil.example",
	    "second var");
	t_ok(facts_var(f, FACT_LINK_HOST, 0, "text") == NULL, "unset var");
	t_str_eq(facts_var(f, FACT_LINK_HOST, 1, "text"), "", "NULL var is \"\"");
	t_ok(facts_var(f, FACT_LINK_HOST, 1, "href") == NULL,
	    "vars are per instance");
	t_int_eq(facts_count(f, FACT_SUBJECT), 0, "other fact untouched");

	/* UTF-8 validity is recorded per instance. */
	facts_add(f, FACT_SUBJECT, "Amazon\xe3\x81\x8b\xe3\x82\x89");
	facts_add(f, FACT_SUBJECT, "bad \xe3\x81");
	facts_add(f, FACT_SUBJECT, "overlong \xc0\xaf");
	facts_add(f, FACT_SUBJECT, "surrogate \xed\xa0\x80");
	t_int_eq(facts_value_utf8(f, FACT_SUBJECT, 0), 1, "valid utf-8");
	t_int_eq(facts_value_utf8(f, FACT_SUBJECT, 1), 0, "truncated utf-8");
	t_int_eq(facts_value_utf8(f, FACT_SUBJECT, 2), 0, "overlong");
	t_int_eq(facts_value_utf8(f, FACT_SUBJECT, 3), 0, "surrogate");
	t_int_eq(facts_value_utf8(f, FACT_SUBJECT, 9), 0, "missing instance");

	/* Reset empties everything; reuse gives fresh vars. */
	facts_reset(f);
	t_int_eq(facts_count(f, FACT_LINK_HOST), 0, "reset empties");
	t_int_eq(facts_count(f, FACT_SUBJECT), 0, "reset empties all");
	fi = facts_add(f, FACT_LINK_HOST, "x");
	t_ok(facts_var(f, FACT_LINK_HOST, 0, "href") == NULL,
	    "reused slot has no old vars");
	t_str_eq(facts_value(f, FACT_LINK_HOST, 0), "x", "reused slot value");

	/* Many instances and a large value survive growth. */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	for (i = 0; i < 100; i++) {
		fi = facts_add(f, FACT_TO_ADDR, i == 50 ? big : "to@example.jp");
		facts_set_var(f, fi, "n", i == 50 ? "fifty" : "other");
	}
	t_int_eq(facts_count(f, FACT_TO_ADDR), 100, "100 instances");
	t_int_eq(facts_value_len(f, FACT_TO_ADDR, 50), sizeof big - 1,
	    "large value");
	t_str_eq(facts_var(f, FACT_TO_ADDR, 50, "n"), "fifty", "var after growth");
	facts_reset(f);
	facts_add(f, FACT_TO_ADDR, "short");
	t_str_eq(facts_value(f, FACT_TO_ADDR, 0), "short", "shrinks on reuse");
	facts_free(f);
}

/* Well-formed UTF-8 (Unicode Table 3-7), written plainly. */
static int
ref_utf8_valid(const unsigned char *s, size_t len)
{
	size_t		 i = 0, n, k;
	unsigned long	 c, min;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, min = 0x80, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, min = 0x800, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, min = 0x10000, c &= 0x07;
		else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

static unsigned int
rnd(unsigned long *x)
{
	*x = *x * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned int)(*x >> 33);
}

/*
 * The validity check's fast paths (eight ASCII bytes, four three-byte
 * characters at once) against the plain definition: runs of kana and
 * kanji with ASCII, other lengths and, now and then, one bad byte, at
 * every alignment.
 */
static void
test_utf8_random(void)
{
	struct facts	*f = facts_new();
	unsigned char	 s[96];
	unsigned long	 x = 12345;
	size_t		 len, i, k, bad = 0, diff = 0;
	int		 round;

	for (round = 0; round < 200000; round++) {
		len = 0;
		while (len + 4 <= sizeof s && rnd(&x) % 16 != 0) {
			switch (rnd(&x) % 8) {
			case 0:
				s[len++] = (unsigned char)(rnd(&x) % 0x80);
				break;
			case 1:
				s[len++] = (unsigned char)(0xc2 + rnd(&x) % 30);
				s[len++] = (unsigned char)(0x80 + rnd(&x) % 64);
				break;
			case 2:
				s[len++] = (unsigned char)(0xf0 + rnd(&x) % 5);
				for (k = 0; k < 3; k++)
					s[len++] = (unsigned char)(0x80 +
					    rnd(&x) % 64);
				break;
			default:
				s[len++] = (unsigned char)(0xe0 + rnd(&x) % 16);
				s[len++] = (unsigned char)(0x80 + rnd(&x) % 64);
				s[len++] = (unsigned char)(0x80 + rnd(&x) % 64);
				break;
			}
		}
		if (len > 0 && rnd(&x) % 4 == 0) {
			i = rnd(&x) % len;
			s[i] = (unsigned char)rnd(&x);
		}
		if (len > 0 && rnd(&x) % 8 == 0) {
			i = rnd(&x) % 3;
			len -= i < len ? i : 0;
		}
		facts_reset(f);
		facts_addn(f, FACT_BODY, (const char *)s, len);
		i = ref_utf8_valid(s, len);
		bad += i == 0;
		if ((size_t)facts_value_utf8(f, FACT_BODY, 0) != i)
			diff++;
	}
	t_int_eq(diff, 0, "utf-8 check agrees with the definition");
	t_ok(bad > 10000 && bad < 190000, "both kinds of input tried");
	facts_free(f);
}

int
main(void)
{
	test_degenerate();
	test_catalogue();
	test_container();
	test_utf8_random();
	return t_done();
}
