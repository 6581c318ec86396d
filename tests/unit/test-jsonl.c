/* SPDX-License-Identifier: ISC */
/*
 * tui/jsonl.c: what it writes must parse, with json-c, back to exactly
 * what went in (invalid UTF-8 as U+FFFD), for tables of awkward strings
 * and for random bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "t.h"
#include "tui/jsonl.h"

/* Writes {"k": s}, parses it back; returns the string json-c read. */
static char *
roundtrip(const char *s, int *valid)
{
	struct buf		 b;
	struct jsonl		 j;
	struct json_object	*o, *v;
	char			*got = NULL;

	buf_init(&b);
	jsonl_begin(&j, &b);
	jsonl_str(&j, "k", s);
	jsonl_end(&j);
	*valid = b.len > 0 && b.data[b.len - 1] == '\n' &&
	    memchr(b.data, '\n', b.len - 1) == NULL;
	o = json_tokener_parse(b.data);
	if (o != NULL && json_object_object_get_ex(o, "k", &v) &&
	    json_object_is_type(v, json_type_string))
		got = strdup(json_object_get_string(v));
	else
		*valid = 0;
	json_object_put(o);
	buf_free(&b);
	return got;
}

static void
test_strings(void)
{
	static const struct {
		const char	*in, *want, *what;
	} tab[] = {
		{ "", "", "empty" },
		{ "plain ascii", "plain ascii", "ASCII" },
		{ "q\"b\\s/", "q\"b\\s/", "quote, backslash, slash" },
		{ "\n\r\t\b\f\x01\x1f\x7f", "\n\r\t\b\f\x01\x1f\x7f",
		  "controls and DEL" },
		{ "\x1b[2J\x1b]0;t\x07", "\x1b[2J\x1b]0;t\x07", "escapes" },
		{ "Amazon株式会社から緊急のご連絡", "Amazon株式会社から緊急のご連絡",
		  "Japanese" },
		{ "\xe2\x80\xae\xe2\x80\x8b", "\xe2\x80\xae\xe2\x80\x8b",
		  "bidi and zero-width (valid JSON as they are)" },
		{ "\xf0\x9f\x8e\xa3 phish", "\xf0\x9f\x8e\xa3 phish", "4-byte" },
		{ "a\xff" "b", "a\xef\xbf\xbd" "b", "invalid byte" },
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", "overlong" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
		  "surrogate" },
		{ "\xe3\x81", "\xef\xbf\xbd\xef\xbf\xbd", "cut sequence" },
		{ "\xf4\x90\x80\x80",
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
		  "beyond U+10FFFF" },
	};
	size_t	i;
	int	valid;
	char	*got;

	for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		got = roundtrip(tab[i].in, &valid);
		t_ok(valid, "%s: one valid JSON line", tab[i].what);
		t_str_eq(got, tab[i].want, "%s: reads back", tab[i].what);
		free(got);
	}
}

/* Valid UTF-8 stays, anything else reads back as U+FFFD (json-c checks
 * the UTF-8 it is given, so a lone byte would fail the parse). */
static void
test_random(void)
{
	uint32_t	 x = 2463534242u;
	char		 s[64];
	size_t		 i, k, n;
	int		 ok = 1, valid;
	char		*got;

	for (i = 0; i < 20000; i++) {
		n = i % (sizeof s - 1);
		for (k = 0; k < n; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			s[k] = (char)(x % 255 + 1);	/* no NUL */
		}
		s[n] = '\0';
		got = roundtrip(s, &valid);
		if (!valid || got == NULL) {
			ok = 0;
			printf("# input %zu does not read back\n", i);
		}
		free(got);
	}
	t_ok(ok, "20000 random strings: one valid JSON line each");
}

/* Scores read as printf's "%.1f" would write them. */
static void
test_scores(void)
{
	static const double	 tab[] = { 0, -0.0, 0.1, 0.5, 1, 2.5, 10,
	    12.3, 99.9, 100, -0.5, -12.3, 0.25, 0.15, 1e20, 1.0 / 3,
	    123456789.7, 0.05, 2.45 };
	struct buf		 b;
	struct jsonl		 j;
	char			 want[64];
	size_t			 i;
	int			 ok = 1;

	buf_init(&b);
	for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		buf_reset(&b);
		jsonl_begin(&j, &b);
		jsonl_score(&j, "s", tab[i]);
		jsonl_end(&j);
		snprintf(want, sizeof want, "{\"s\":%.1f}\n", tab[i]);
		if (strcmp(b.data, want) != 0) {
			ok = 0;
			printf("# %.17g: got %s want %s", tab[i], b.data, want);
		}
	}
	t_ok(ok, "scores as %%.1f writes them");
	buf_free(&b);
}

static void
test_structure(void)
{
	struct buf		 b;
	struct jsonl		 j;
	struct json_object	*o, *v, *e;

	buf_init(&b);
	jsonl_begin(&j, &b);
	jsonl_str(&j, "s", "x");
	jsonl_int(&j, "i", -42);
	jsonl_bool(&j, "t", 1);
	jsonl_bool(&j, "f", 0);
	jsonl_score(&j, "score", 12.25);
	jsonl_score(&j, "nan", 0.0 / 0.0);
	jsonl_array(&j, "empty");
	jsonl_close(&j);
	jsonl_array(&j, "a");
	jsonl_object(&j, NULL);
	jsonl_str(&j, "rule", "r1");
	jsonl_close(&j);
	jsonl_object(&j, NULL);
	jsonl_close(&j);
	jsonl_close(&j);
	jsonl_object(&j, "o");
	jsonl_object(&j, "deeper");
	jsonl_array(&j, "list");
	jsonl_str(&j, NULL, "e1");
	jsonl_int(&j, NULL, 2);
	jsonl_end(&j);
	t_str_eq(b.data, "{\"s\":\"x\",\"i\":-42,\"t\":true,\"f\":false,"
	    "\"score\":12.2,\"nan\":null,\"empty\":[],\"a\":[{\"rule\":\"r1\"},{}],"
	    "\"o\":{\"deeper\":{\"list\":[\"e1\",2]}}}\n",
	    "members, arrays, nesting, and jsonl_end closes what is open");
	o = json_tokener_parse(b.data);
	t_ok(o != NULL && json_object_object_get_ex(o, "a", &v) &&
	    json_object_array_length(v) == 2 &&
	    (e = json_object_array_get_idx(v, 0)) != NULL &&
	    json_object_object_get_ex(e, "rule", &e) &&
	    strcmp(json_object_get_string(e), "r1") == 0,
	    "json-c reads the structure");
	json_object_put(o);
	buf_free(&b);
}

int
main(void)
{
	test_strings();
	test_random();
	test_scores();
	test_structure();
	return t_done();
}
