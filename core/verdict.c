/* SPDX-License-Identifier: ISC */
/*
 * The verdict object: hits collected by the engine, summed and sorted by
 * verdict_finish.  The level comes from the score sum alone.
 */
#include "config.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strpool.h"
#include "verdict.h"
#include "xalloc.h"

struct verdict *
verdict_new(void)
{
	return xcalloc(1, sizeof (struct verdict));
}

static void
verdict_free_hit(struct verdict_hit *h)
{
	free(h->rule);
	free(h->explain[VERDICT_EN]);
	free(h->explain[VERDICT_JA]);
	free(h->evidence);
}

void
verdict_free(struct verdict *v)
{
	size_t	 i;

	if (v == NULL)
		return;
	/* Pooled strings are the pool owner's to free. */
	if (v->strings == NULL) {
		for (i = 0; i < v->nhits; i++)
			verdict_free_hit(&v->hits[i]);
		free(v->brand);
		free(v->brand_name);
		for (i = 0; i < 2; i++) {
			free(v->advice_check[i]);
			free(v->advice_victim[i]);
		}
	}
	free(v->hits);
	verdict_free(v->forwarded);
	free(v);
}

void
verdict_add_hit(struct verdict *v, const char *rule, double score,
    const char *explain_en, const char *explain_ja, const char *evidence)
{
	struct verdict_hit	*h;

	if (v == NULL)
		return;
	/* A pooled verdict is finished; its strings are not ours to mix. */
	assert(v->strings == NULL);
	v->hits = xreallocarray(v->hits, v->nhits + 1, sizeof *v->hits);
	h = &v->hits[v->nhits++];
	h->rule = xstrdup(rule == NULL ? "" : rule);
	h->score = score;
	h->explain[VERDICT_EN] = xstrdup(explain_en == NULL ? "" : explain_en);
	h->explain[VERDICT_JA] = xstrdup(explain_ja == NULL ? "" : explain_ja);
	h->evidence = xstrdup(evidence == NULL ? "" : evidence);
}

/* Descending |score|, then rule id, so the order never depends on qsort. */
static int
verdict_cmp_hit(const void *a, const void *b)
{
	const struct verdict_hit	*ha = a, *hb = b;
	double				 sa = ha->score, sb = hb->score;

	if (sa < 0)
		sa = -sa;
	if (sb < 0)
		sb = -sb;

	if (sa > sb)
		return -1;
	if (sa < sb)
		return 1;
	return strcmp(ha->rule, hb->rule);
}

void
verdict_finish(struct verdict *v, double suspect_at, double phish_at)
{
	size_t	 i;
	double	 total = 0;

	if (v == NULL)
		return;
	for (i = 0; i < v->nhits; i++)
		total += v->hits[i].score;
	/*
	 * Scores are written with at most three decimals; round the sum to
	 * thousandths so 0.1 + 0.7 compares equal to 0.8 against a threshold.
	 */
	if (total > -1e12 && total < 1e12) {
		total *= 1000;
		total = (double)(long long)(total + (total < 0 ? -0.5 : 0.5));
		total /= 1000;
	}
	v->score = total;
	if (v->nhits > 1)
		qsort(v->hits, v->nhits, sizeof *v->hits, verdict_cmp_hit);
	if (total >= phish_at)
		v->level = VERDICT_PHISH;
	else if (total >= suspect_at)
		v->level = VERDICT_SUSPECT;
	else
		v->level = VERDICT_CLEAN;
}

const char *
verdict_level_name(enum verdict_level level)
{
	switch (level) {
	case VERDICT_CLEAN:
		return "clean";
	case VERDICT_SUSPECT:
		return "suspicious";
	case VERDICT_PHISH:
		return "phish";
	}
	return "unknown";
}

static char *
verdict_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static struct verdict *
verdict_dup_depth(const struct verdict *v, unsigned int depth)
{
	struct verdict	*c;
	size_t		 i, l;

	if (v == NULL)
		return NULL;
	c = verdict_new();
	c->score = v->score;
	c->level = v->level;
	if (v->nhits > 0) {
		c->hits = xcalloc(v->nhits, sizeof *c->hits);
		c->nhits = v->nhits;
	}
	for (i = 0; i < v->nhits; i++) {
		c->hits[i].rule = verdict_strdup(v->hits[i].rule);
		c->hits[i].score = v->hits[i].score;
		for (l = 0; l < 2; l++)
			c->hits[i].explain[l] = verdict_strdup(v->hits[i].explain[l]);
		c->hits[i].evidence = verdict_strdup(v->hits[i].evidence);
	}
	c->brand = verdict_strdup(v->brand);
	c->brand_name = verdict_strdup(v->brand_name);
	for (l = 0; l < 2; l++) {
		c->advice_check[l] = verdict_strdup(v->advice_check[l]);
		c->advice_victim[l] = verdict_strdup(v->advice_victim[l]);
	}
	/* Forwards inside forwards stop somewhere; the cache file and the
	 * codec keep the same bound. */
	if (depth < VERDICT_MAX_DEPTH)
		c->forwarded = verdict_dup_depth(v->forwarded, depth + 1);
	return c;
}

struct verdict *
verdict_dup(const struct verdict *v)
{
	return verdict_dup_depth(v, 0);
}

/* Replaces the owned string *s by its pooled copy. */
static void
verdict_intern_str(char **s, struct strpool *pool)
{
	char	*owned = *s;

	/* The fields stay char * for the verdicts that own theirs; a pooled
	 * one is never written through (verdict.h). */
	*s = (char *)(uintptr_t)strpool_add(pool, owned);
	free(owned);
}

void
verdict_intern(struct verdict *v, struct strpool *pool)
{
	size_t	 i, l;

	if (v == NULL || v->strings == pool)
		return;
	/* Strings pooled elsewhere would be that pool's: copy them over
	 * without freeing, as owned ones are freed. */
	if (v->strings != NULL) {
		struct verdict	*c = verdict_dup(v);

		verdict_intern(c, pool);
		verdict_free(v->forwarded);
		free(v->hits);
		*v = *c;
		free(c);
		return;
	}
	for (i = 0; i < v->nhits; i++) {
		verdict_intern_str(&v->hits[i].rule, pool);
		for (l = 0; l < 2; l++)
			verdict_intern_str(&v->hits[i].explain[l], pool);
		verdict_intern_str(&v->hits[i].evidence, pool);
	}
	verdict_intern_str(&v->brand, pool);
	verdict_intern_str(&v->brand_name, pool);
	for (l = 0; l < 2; l++) {
		verdict_intern_str(&v->advice_check[l], pool);
		verdict_intern_str(&v->advice_victim[l], pool);
	}
	verdict_intern(v->forwarded, pool);
	v->strings = pool;
}
