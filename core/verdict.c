/* SPDX-License-Identifier: ISC */
/*
 * The verdict object: hits collected by the engine, summed and sorted by
 * verdict_finish.  The level comes from the score sum alone.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

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
	for (i = 0; i < v->nhits; i++)
		verdict_free_hit(&v->hits[i]);
	free(v->hits);
	free(v->brand);
	free(v->brand_name);
	for (i = 0; i < 2; i++) {
		free(v->advice_check[i]);
		free(v->advice_victim[i]);
	}
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
