/* SPDX-License-Identifier: ISC */
/*
 * One message through the engine: facts, rules, the forwarded message on
 * its own, advice.  Holds no per-message state, so threads can share it.
 */
#include "config.h"

#include <sys/stat.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "auth.h"
#include "buf.h"
#include "facts.h"
#include "html.h"
#include "measure.h"
#include "norm.h"
#include "prefilter.h"
#include "url.h"
#include "xalloc.h"

/*
 * What one analyzer_run works in: a fact container and the engine's
 * scratch.  Kept for the next run rather than freed, since building and
 * freeing them cost as much as a small message's rules; one per thread
 * running at a time, so the free list stays as short as the thread pool.
 */
struct analyzer_work {
	struct facts		*f;
	struct detect_scratch	*ds;
	struct prefilter_hits	 brand_hits;	/* measure_ctx's */
	struct analyzer_work	*next;
};

struct analyzer_pool {
	pthread_mutex_t		 lock;
	struct analyzer_work	*free;
};

struct analyzer {
	struct ruleset		*rules;
	struct url_ctx		*urls;
	struct norm		*norm;
	char			*authserv_id;
	struct detect_config	 thresholds;
	struct analyzer_pool	*pool;	/* shared by the threads, locked */
};

struct analyzer *
analyzer_new(struct ruleset *rs, const struct analyzer_config *cfg, char **cause)
{
	struct analyzer	*a;

	/* libxml2 builds its global tables lazily, which races when the first
	 * HTML parts are parsed on several threads at once. */
	html_init();
	a = xcalloc(1, sizeof *a);
	a->rules = rs;
	a->pool = xcalloc(1, sizeof *a->pool);
	pthread_mutex_init(&a->pool->lock, NULL);
	if ((a->urls = url_ctx_new(cause)) == NULL ||
	    (a->norm = norm_new(cause)) == NULL) {
		analyzer_free(a);
		return NULL;
	}
	a->thresholds.suspect_at = DETECT_SUSPECT_AT;
	a->thresholds.phish_at = DETECT_PHISH_AT;
	if (cfg != NULL) {
		if (cfg->authserv_id != NULL && *cfg->authserv_id != '\0')
			a->authserv_id = xstrdup(cfg->authserv_id);
		if (cfg->thresholds.phish_at > 0)
			a->thresholds = cfg->thresholds;
	}
	return a;
}

void
analyzer_free(struct analyzer *a)
{
	struct analyzer_work	*w;

	if (a == NULL)
		return;
	if (a->pool != NULL) {
		while ((w = a->pool->free) != NULL) {
			a->pool->free = w->next;
			facts_free(w->f);
			detect_scratch_free(w->ds);
			prefilter_hits_free(&w->brand_hits);
			free(w);
		}
		pthread_mutex_destroy(&a->pool->lock);
		free(a->pool);
	}
	ruleset_free(a->rules);
	url_ctx_free(a->urls);
	norm_free(a->norm);
	free(a->authserv_id);
	free(a);
}

const struct ruleset *
analyzer_ruleset(const struct analyzer *a)
{
	return a->rules;
}

struct ruleset *
analyzer_load_rules(const char *const *paths, size_t npaths, struct diag *d)
{
	struct ruleset	*rs = ruleset_new();
	struct stat	 st;
	size_t		 i;

	for (i = 0; i < npaths; i++) {
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			ruleset_load_dir(rs, paths[i], d);
		else
			ruleset_load_file(rs, paths[i], d);
	}
	return rs;
}

int
analyzer_check_rules(const struct ruleset *rs, struct diag *d)
{
	return ruleset_check_examples(rs, d);
}

void
analyzer_rules_summary(const struct ruleset *rs, size_t *packs, size_t *rules,
    size_t *brands)
{
	*packs = ruleset_pack_count(rs);
	*rules = ruleset_rule_count(rs);
	*brands = ruleset_brand_count(rs);
}

char *
analyzer_defang(const char *url)
{
	return url_defang(url);
}

/* The brand whose advice goes with the verdict: the first one claimed. */
static void
analyzer_advice(const struct analyzer *a, const struct facts *f,
    struct verdict *v)
{
	const struct brand	*b;
	int			 l;

	if (facts_count(f, FACT_BRAND_CLAIMED) == 0)
		return;
	b = ruleset_brand_find(a->rules, facts_value(f, FACT_BRAND_CLAIMED, 0));
	if (b == NULL)
		return;
	v->brand = xstrdup(b->id);
	v->brand_name = xstrdup(b->name);
	for (l = 0; l < 2; l++) {
		if (b->check[l] != NULL)
			v->advice_check[l] = xstrdup(b->check[l]);
		if (b->victim[l] != NULL)
			v->advice_victim[l] = xstrdup(b->victim[l]);
	}
}

static struct analyzer_work *
analyzer_work_take(const struct analyzer *a)
{
	struct analyzer_work	*w;

	pthread_mutex_lock(&a->pool->lock);
	if ((w = a->pool->free) != NULL)
		a->pool->free = w->next;
	pthread_mutex_unlock(&a->pool->lock);
	if (w == NULL) {
		w = xcalloc(1, sizeof *w);
		w->f = facts_new();
		w->ds = detect_scratch_new();
		prefilter_hits_init(&w->brand_hits,
		    ruleset_brand_literals(a->rules));
	}
	return w;
}

static void
analyzer_work_give(const struct analyzer *a, struct analyzer_work *w)
{
	facts_reset(w->f);
	pthread_mutex_lock(&a->pool->lock);
	w->next = a->pool->free;
	a->pool->free = w;
	pthread_mutex_unlock(&a->pool->lock);
}

static struct verdict *
analyzer_eval(const struct analyzer *a, struct facts *f,
    struct detect_scratch *ds)
{
	struct verdict	*v;

	v = detect_eval_with(a->rules, f, &a->thresholds, ds);
	analyzer_advice(a, f, v);
	return v;
}

/* Judges the forwarded or quoted message as if it had arrived alone. */
static struct verdict *
analyzer_inner(const struct analyzer *a, const struct measure_ctx *ctx,
    const struct msg *m, struct analyzer_work *w)
{
	struct facts	*f = w->f;
	struct verdict	*v = NULL;
	const char	*kind = msg_forward_kind(m);

	if (kind == NULL)
		return NULL;
	if (msg_forwarded(m) != NULL) {
		measure_message(ctx, msg_forwarded(m), f);
		v = analyzer_eval(a, f, w->ds);
	} else if (measure_quoted(ctx, m, f) == 0)
		v = analyzer_eval(a, f, w->ds);
	facts_reset(f);
	return v;
}

struct verdict *
analyzer_run(const struct analyzer *a, const struct msg *m)
{
	struct measure_ctx	 ctx;
	struct measure_memo	 memo;
	struct analyzer_work	*w;
	struct facts		*f;
	struct verdict		*v, *inner;

	memset(&memo, 0, sizeof memo);
	ctx.rules = a->rules;
	ctx.urls = a->urls;
	ctx.norm = a->norm;
	ctx.authserv_id = a->authserv_id;
	/* The quoted text is measured for the inner verdict and again for
	 * the message: once is enough. */
	ctx.memo = &memo;

	w = analyzer_work_take(a);
	ctx.brand_hits = &w->brand_hits;
	inner = analyzer_inner(a, &ctx, m, w);
	f = w->f;
	measure_message(&ctx, m, f);
	measure_memo_clear(&memo);
	if (inner != NULL && inner->level != VERDICT_CLEAN) {
		struct fact_inst	*fi;
		char			*score;

		score = xasprintf("%.1f", inner->score);
		fi = facts_add(f, FACT_QUOTED_LOOKS_PHISH,
		    verdict_level_name(inner->level));
		facts_set_var(f, fi, "level", verdict_level_name(inner->level));
		facts_set_var(f, fi, "score", score);
		facts_set_var(f, fi, "brand_name",
		    inner->brand_name != NULL ? inner->brand_name : "");
		facts_set_var(f, fi, "summary", inner->nhits > 0 ?
		    inner->hits[0].rule : "");
		free(score);
	}
	v = analyzer_eval(a, f, w->ds);
	analyzer_work_give(a, w);
	v->forwarded = inner;
	return v;
}

/* Server text is hostile and headers may be long: one line, capped. */
static void
analyzer_add_header_line(struct buf *b, const char *name, const char *value)
{
	size_t	i, n = 0;

	buf_printf(b, "%s: ", name);
	for (i = 0; value[i] != '\0' && n < 160; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c == '\r' || c == '\n' || c == '\t')
			c = ' ';
		if (c == ' ' && n > 0 && b->data[b->len - 1] == ' ')
			continue;
		buf_addc(b, (char)c);
		n++;
	}
	if (value[i] != '\0')
		buf_adds(b, "…");
	buf_addc(b, '\n');
}

char *
analyzer_server_said(const struct analyzer *a, const struct msg *m)
{
	static const char *const spam_headers[] = {
		"X-Spam-Status", "X-Spam-Flag", "X-Spam-Score", "X-Rspamd-Action",
	};
	struct auth_results	 ar;
	struct buf		 b;
	size_t			 i;

	buf_init(&b);
	if (auth_trusted(m, a->authserv_id, &ar) == 0) {
		buf_printf(&b, "Authentication-Results (%s):", ar.authserv);
		for (i = 0; i < ar.nentries; i++) {
			buf_printf(&b, " %s=%s", ar.entries[i].method,
			    ar.entries[i].result);
			if (*ar.entries[i].domain != '\0')
				buf_printf(&b, " (%s)", ar.entries[i].domain);
		}
		if (ar.nentries == 0)
			buf_adds(&b, " (no results)");
		buf_addc(&b, '\n');
	}
	auth_results_clear(&ar);
	for (i = 0; i < SAGI_NITEMS(spam_headers); i++) {
		if (msg_header_count(m, spam_headers[i]) > 0)
			analyzer_add_header_line(&b, spam_headers[i],
			    msg_header(m, spam_headers[i], 0));
	}
	return buf_take(&b);
}
