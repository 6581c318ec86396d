/* SPDX-License-Identifier: ISC */
/* Unit tests for strpool, and for verdict_intern, its main user. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strpool.h"
#include "verdict.h"
#include "xalloc.h"
#include "t.h"

static struct verdict *
make_verdict(const char *evidence)
{
	struct verdict	*v = verdict_new(), *f = verdict_new();

	verdict_add_hit(v, "jp-bank/urgent-freeze", 30, "Urgent", "至急",
	    evidence);
	verdict_add_hit(v, "auth/dkim-pass", -5, "", "", NULL);
	verdict_finish(v, 30, 60);
	v->brand = xstrdup("smbc");
	v->advice_check[VERDICT_JA] = xstrdup("公式アプリから確認してください");
	verdict_add_hit(f, "jp-delivery/absent", 25, "Delivery bait",
	    "不在通知を装っています", evidence);
	verdict_finish(f, 20, 60);
	v->forwarded = f;
	return v;
}

static void
test_pool(void)
{
	struct strpool	*p;
	const char	*a, *b, *big1, *big2, *first[3000];
	char		 name[32], *big;
	size_t		 i;
	int		 same = 1;

	/* Degenerate first. */
	strpool_free(NULL);
	t_int_eq(strpool_count(NULL), 0, "count of NULL is 0");
	p = strpool_new();
	t_ok(strpool_add(p, NULL) == NULL, "NULL pools as NULL");
	t_ok(strpool_addn(p, NULL, 3) == NULL, "NULL pools as NULL (addn)");
	a = strpool_add(p, "");
	t_ok(a != NULL && *a == '\0' && strpool_add(p, "") == a,
	    "the empty string is pooled once");

	a = strpool_add(p, "三井住友銀行");
	b = strpool_addn(p, "三井住友銀行です", strlen("三井住友銀行"));
	t_ok(a == b, "equal strings are one pointer, with or without a NUL");
	t_str_eq(a, "三井住友銀行", "and keep their bytes");
	b = strpool_addn(p, "三井住友", strlen("三井住友"));
	t_ok(b != a && strcmp(b, "三井住友") == 0,
	    "a prefix is a string of its own");
	t_ok(strpool_add(p, "三井住友銀行 ") != a, "and so is a longer one");

	/* Enough strings to grow the table several times: nothing moves. */
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof name, "sender%zu@example.jp", i);
		first[i] = strpool_add(p, name);
	}
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof name, "sender%zu@example.jp", i);
		if (strpool_add(p, name) != first[i] ||
		    strcmp(first[i], name) != 0)
			same = 0;
	}
	t_ok(same, "3000 strings come back as the same pointers");
	t_int_eq(strpool_count(p), 3000 + 4, "each held once");

	/* Longer than a shared chunk takes: a chunk of its own. */
	big = xmalloc(200 * 1024 + 1);
	memset(big, 'x', 200 * 1024);
	big[200 * 1024] = '\0';
	big1 = strpool_add(p, big);
	big2 = strpool_add(p, big);
	t_ok(big1 == big2 && strlen(big1) == 200 * 1024,
	    "a 200 KiB string is pooled once");
	t_ok(strpool_add(p, "after the big one") != NULL &&
	    strpool_add(p, "sender7@example.jp") == first[7],
	    "small strings still share chunks after it");
	free(big);
	t_ok(strpool_bytes(p) >= 200 * 1024, "bytes count the chunks");
	strpool_free(p);
}

static void
test_intern(void)
{
	struct strpool	*p = strpool_new(), *q = strpool_new();
	struct verdict	*v, *w, *c;

	verdict_intern(NULL, p);
	v = make_verdict("口座が凍結されました");
	w = make_verdict("口座が凍結されました");
	verdict_intern(v, p);
	verdict_intern(w, p);
	t_ok(v->strings == p && v->forwarded->strings == p,
	    "an interned verdict says whose its strings are");
	t_ok(v->hits[0].rule == w->hits[0].rule &&
	    v->hits[0].explain[VERDICT_JA] == w->hits[0].explain[VERDICT_JA] &&
	    v->advice_check[VERDICT_JA] == w->advice_check[VERDICT_JA] &&
	    v->forwarded->hits[0].evidence == w->hits[0].evidence,
	    "two verdicts share their equal strings");
	t_ok(v->brand_name == NULL && v->advice_victim[0] == NULL,
	    "NULL strings stay NULL");
	t_str_eq(v->hits[0].rule, "jp-bank/urgent-freeze",
	    "hits keep their order and text");
	verdict_intern(v, p);
	t_ok(v->strings == p, "interning again into the same pool is a no-op");

	/* A copy owns its strings and outlives the pool. */
	c = verdict_dup(v);
	t_ok(c->strings == NULL && c->forwarded->strings == NULL &&
	    c->hits[0].rule != v->hits[0].rule,
	    "verdict_dup of a pooled verdict owns its strings");

	/* Into another pool: copied there, nothing of p is freed. */
	verdict_intern(w, q);
	t_ok(w->strings == q && w->hits[0].rule != v->hits[0].rule &&
	    strcmp(w->hits[0].rule, v->hits[0].rule) == 0 &&
	    strcmp(w->forwarded->hits[0].explain[VERDICT_JA],
	    "不在通知を装っています") == 0,
	    "a verdict moves from one pool to another by copy");
	verdict_free(v);
	verdict_free(w);
	strpool_free(p);
	strpool_free(q);
	t_str_eq(c->forwarded->hits[0].evidence, "口座が凍結されました",
	    "the copy is intact after the pools are gone");
	verdict_free(c);
}

int
main(void)
{
	test_pool();
	test_intern();
	return t_done();
}
