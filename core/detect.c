/* SPDX-License-Identifier: ISC */
/*
 * The rule engine (doc/sagi-rules.5, "EVALUATION"): field rules over fact
 * instances, then meta rules over their results, then group caps, then the
 * finished explanations.  Everything it knows comes from the ruleset.
 * Allocation is per call and per hit, never per rule tried or per instance.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "detect.h"
#include "rulepack-int.h"
#include "xalloc.h"

/* A hostile mail must not make evaluation unbounded: at most this many
 * instances of one fact are looked at. */
#define DETECT_MAX_INSTANCES	2000

/* What one rule did on this message. */
struct detect_state {
	unsigned char	 done;		/* 0 not yet, 1 evaluating, 2 done */
	unsigned char	 matched;
	size_t		 inst;		/* first counting instance */
	size_t		 count;		/* counting instances */
	size_t		 moff;		/* match span in that instance */
	size_t		 mlen;
	const char	*brand;		/* for {brand}, or NULL */
	char		*evidence;	/* rendered on demand, owned */
	char		*joined;	/* meta: {evidence}, owned */
	double		 score;		/* after caps */
};

struct detect_ctx {
	const struct ruleset	*rs;
	const struct facts	*f;
	pcre2_match_data	*md;
	struct rulepack_scan	*sc;
	struct detect_state	*st;
	const struct rule	**active;	/* a fact's rules, gate met */
	struct detect_capped	*capped;	/* detect_caps's sort room */
	const char		*first_claim;	/* claimed brand 0 or NULL */
};

/* What detect_eval needs besides the facts, sized for scratch->rs. */
struct detect_scratch {
	const struct ruleset	*rs;		/* NULL: nothing set up */
	pcre2_match_data	*md;
	struct rulepack_scan	 sc;
	struct detect_state	*st;
	const struct rule	**active;
	struct detect_capped	*capped;
};

struct detect_capped {
	int		 group;
	double		 score;
	size_t		 idx;
};

static const char *detect_evidence(struct detect_ctx *, const struct rule *);
static const char *detect_joined(struct detect_ctx *, const struct rule *);

/* 1 when a brand.claimed instance has id as its value. */
static int
detect_claimed(const struct detect_ctx *ctx, const char *id)
{
	size_t	 i, n = facts_count(ctx->f, FACT_BRAND_CLAIMED);

	for (i = 0; i < n; i++) {
		if (strcmp(facts_value(ctx->f, FACT_BRAND_CLAIMED, i), id) == 0)
			return 1;
	}
	return 0;
}

static int
detect_gate(const struct detect_ctx *ctx, const struct rule *r)
{
	switch (r->gate) {
	case RULE_GATE_NONE:
		return 1;
	case RULE_GATE_ANY:
		return facts_count(ctx->f, FACT_BRAND_CLAIMED) != 0;
	case RULE_GATE_BRAND:
		return detect_claimed(ctx, r->gate_brand);
	}
	return 0;
}

/* The instance's own brand variable, or NULL when it carries none. */
static const char *
detect_inst_brand(const struct detect_ctx *ctx, int fact, size_t i)
{
	const char	*b = facts_var(ctx->f, (enum fact_id)fact, i, "brand");

	return b == NULL || *b == '\0' ? NULL : b;
}

static const char *
detect_fallback_brand(const struct detect_ctx *ctx, const struct rule *r)
{
	if (r->gate == RULE_GATE_BRAND)
		return r->gate_brand;
	return ctx->first_claim;
}

/* Records that instance i (match span off, len) counts for r. */
static void
detect_count(struct detect_ctx *ctx, const struct rule *r, size_t i,
    size_t off, size_t len)
{
	struct detect_state	*st = &ctx->st[r->idx];

	if (st->count++ != 0)
		return;
	st->matched = 1;
	st->inst = i;
	st->moff = off;
	st->mlen = len;
	st->brand = detect_inst_brand(ctx, r->fact, i);
	if (st->brand == NULL)
		st->brand = detect_fallback_brand(ctx, r);
}

/*
 * Every field rule on one fact, instance by instance, so each value is
 * scanned for prefilter literals once for all the rules that read it.
 */
static void
detect_fact(struct detect_ctx *ctx, enum fact_id fact)
{
	const struct ruleset	*rs = ctx->rs;
	const struct rule	*r;
	const char		*v, *b;
	size_t			 i, k, n, na = 0, len, off, mlen;
	int			 utf8, scan = 0, bknown;

	n = facts_count(ctx->f, fact);
	if (n == 0)
		return;
	if (n > DETECT_MAX_INSTANCES)
		n = DETECT_MAX_INSTANCES;
	for (k = 0; k < rs->nby_fact[fact]; k++) {
		r = rs->by_fact[fact][k];
		if (!detect_gate(ctx, r))
			continue;
		ctx->active[na++] = r;
		if (r->req.n != 0)
			scan = 1;
	}
	for (i = 0; i < n && na != 0; i++) {
		v = facts_value(ctx->f, fact, i);
		len = facts_value_len(ctx->f, fact, i);
		utf8 = facts_value_utf8(ctx->f, fact, i);
		/* Scan only if a rule here can use it; reset the rest. */
		rulepack_scan_value(rs, ctx->sc, fact, v, len, utf8 && scan);
		b = NULL;
		bknown = 0;
		for (k = 0; k < na; k++) {
			r = ctx->active[k];
			if (r->gate == RULE_GATE_BRAND) {
				/* Only the gate brand's own instances count. */
				if (!bknown) {
					b = detect_inst_brand(ctx, fact, i);
					bknown = 1;
				}
				if (b != NULL && strcmp(b, r->gate_brand) != 0)
					continue;
			}
			if (rulepack_value_counts(rs, r, v, len, utf8, ctx->md,
			    ctx->sc, &off, &mlen))
				detect_count(ctx, r, i, off, mlen);
		}
	}
}

static int	detect_meta(struct detect_ctx *, const struct rule *);

static int
detect_node(struct detect_ctx *ctx, const struct meta *m, int n)
{
	const struct meta_node	*node = &m->nodes[n];

	switch (node->op) {
	case META_REF:
		if (node->ref->meta.root >= 0)
			return detect_meta(ctx, node->ref);
		return ctx->st[node->ref->idx].matched;
	case META_NOT:
		return !detect_node(ctx, m, node->a);
	case META_AND:
		return detect_node(ctx, m, node->a) &&
		    detect_node(ctx, m, node->b);
	case META_OR:
		return detect_node(ctx, m, node->a) ||
		    detect_node(ctx, m, node->b);
	}
	return 0;
}

/* The first matched rule referred to outside a "!", in written order. */
static const struct rule *
detect_first_ref(struct detect_ctx *ctx, const struct meta *m, int n, int neg)
{
	const struct meta_node	*node = &m->nodes[n];
	const struct rule	*r;

	switch (node->op) {
	case META_REF:
		if (!neg && ctx->st[node->ref->idx].matched &&
		    ctx->st[node->ref->idx].brand != NULL)
			return node->ref;
		return NULL;
	case META_NOT:
		return detect_first_ref(ctx, m, node->a, !neg);
	case META_AND:
	case META_OR:
		if ((r = detect_first_ref(ctx, m, node->a, neg)) != NULL)
			return r;
		return detect_first_ref(ctx, m, node->b, neg);
	}
	return NULL;
}

/* Meta rules are acyclic and at most 64 deep (checked at load). */
static int
detect_meta(struct detect_ctx *ctx, const struct rule *r)
{
	struct detect_state	*st = &ctx->st[r->idx];
	const struct rule	*ref;

	if (st->done != 0)
		return st->matched;
	st->done = 1;
	if (detect_gate(ctx, r) && detect_node(ctx, &r->meta, r->meta.root)) {
		st->matched = 1;
		ref = detect_first_ref(ctx, &r->meta, r->meta.root, 0);
		st->brand = ref != NULL ? ctx->st[ref->idx].brand :
		    detect_fallback_brand(ctx, r);
	}
	st->done = 2;
	return st->matched;
}

/* ---- finished text ---- */

/*
 * Length of the well-formed UTF-8 character at u[0..len), or 0 with *bad
 * set to the bytes to replace by one U+FFFD (the maximal subpart).
 */
static size_t
detect_utf8_char(const unsigned char *u, size_t len, size_t *bad)
{
	size_t		 n, k;
	unsigned char	 lo = 0x80, hi = 0xbf;

	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 1;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 2;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 3;
	else {
		*bad = 1;
		return 0;
	}
	/* The second byte's range excludes overlongs and surrogates. */
	if (u[0] == 0xe0)
		lo = 0xa0;
	else if (u[0] == 0xed)
		hi = 0x9f;
	else if (u[0] == 0xf0)
		lo = 0x90;
	else if (u[0] == 0xf4)
		hi = 0x8f;
	for (k = 1; k <= n; k++) {
		if (k >= len || u[k] < lo || u[k] > hi) {
			*bad = k;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return n + 1;
}

/*
 * Appends a placeholder value: cut to RULEPACK_PLACEHOLDER_MAX bytes on a
 * character boundary; invalid UTF-8 and NUL become U+FFFD.
 */
static void
detect_put(struct buf *out, const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, n, bad = 1;

	if (len > RULEPACK_PLACEHOLDER_MAX) {
		len = RULEPACK_PLACEHOLDER_MAX;
		while (len > 0 && (u[len] & 0xc0) == 0x80)
			len--;
	}
	while (i < len) {
		if (u[i] != 0 && u[i] < 0x80) {
			for (n = i; n < len && u[n] != 0 && u[n] < 0x80; n++)
				;
			buf_add(out, s + i, n - i);
			i = n;
		} else if (u[i] != 0 &&
		    (n = detect_utf8_char(u + i, len - i, &bad)) != 0) {
			buf_add(out, s + i, n);
			i += n;
		} else {
			buf_add(out, "\xef\xbf\xbd", 3);
			i += u[i] == 0 ? 1 : bad;
		}
	}
}

/* {count}, without printf: it runs for every hit. */
static void
detect_put_count(struct buf *out, size_t n)
{
	char	 digits[24];
	size_t	 i = sizeof digits;

	do {
		digits[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	buf_add(out, digits + i, sizeof digits - i);
}

static const char *
detect_brand_name(const struct detect_ctx *ctx, const struct rule *r,
    const char *brand)
{
	const struct detect_state	*st = &ctx->st[r->idx];
	const struct brand		*b;
	const char			*name, *ib;
	size_t				 i, n;

	if (brand == NULL)
		return "";
	if (r->fact >= 0) {
		ib = detect_inst_brand(ctx, r->fact, st->inst);
		name = facts_var(ctx->f, (enum fact_id)r->fact, st->inst,
		    "brand_name");
		if (ib != NULL && strcmp(ib, brand) == 0 && name != NULL &&
		    *name != '\0')
			return name;
	}
	if ((b = ruleset_brand_find(ctx->rs, brand)) != NULL)
		return b->name;
	n = facts_count(ctx->f, FACT_BRAND_CLAIMED);
	for (i = 0; i < n; i++) {
		if (strcmp(facts_value(ctx->f, FACT_BRAND_CLAIMED, i), brand))
			continue;
		name = facts_var(ctx->f, FACT_BRAND_CLAIMED, i, "brand_name");
		if (name != NULL && *name != '\0')
			return name;
	}
	return brand;
}

static void
detect_render(struct detect_ctx *ctx, const struct rule *r,
    const struct tmpl *t, struct buf *out)
{
	const struct detect_state	*st = &ctx->st[r->idx];
	const struct tmpl_part		*tp;
	enum fact_id			 fact = (enum fact_id)r->fact;
	const char			*v, *s;
	size_t				 i;

	for (i = 0; i < t->nparts; i++) {
		tp = &t->parts[i];
		switch (tp->kind) {
		case TMPL_TEXT:
			buf_add(out, tp->text, tp->len);
			break;
		case TMPL_VALUE:
			v = facts_value(ctx->f, fact, st->inst);
			detect_put(out, v, facts_value_len(ctx->f, fact,
			    st->inst));
			break;
		case TMPL_MATCH:
			v = facts_value(ctx->f, fact, st->inst);
			detect_put(out, v + st->moff, st->mlen);
			break;
		case TMPL_BRAND:
			s = st->brand == NULL ? "" : st->brand;
			detect_put(out, s, strlen(s));
			break;
		case TMPL_BRAND_NAME:
			s = detect_brand_name(ctx, r, st->brand);
			detect_put(out, s, strlen(s));
			break;
		case TMPL_COUNT:
			detect_put_count(out, st->count);
			break;
		case TMPL_EVIDENCE:
			s = detect_joined(ctx, r);
			buf_adds(out, s);	/* cut and checked already */
			break;
		case TMPL_VAR:
			s = facts_var(ctx->f, fact, st->inst, tp->text);
			if (s != NULL)
				detect_put(out, s, strlen(s));
			break;
		}
	}
}

/* Evidence of the matched rules a meta rule refers to outside "!". */
static void
detect_join(struct detect_ctx *ctx, const struct meta *m, int n, int neg,
    const struct rule **seen, size_t *nseen, struct buf *out)
{
	const struct meta_node	*node = &m->nodes[n];
	const char		*ev;
	size_t			 i;

	switch (node->op) {
	case META_REF:
		if (neg || !ctx->st[node->ref->idx].matched)
			return;
		for (i = 0; i < *nseen; i++) {
			if (seen[i] == node->ref)
				return;
		}
		seen[(*nseen)++] = node->ref;
		ev = detect_evidence(ctx, node->ref);
		if (*ev == '\0')
			return;
		if (out->len != 0)
			buf_add(out, " / ", 3);
		buf_adds(out, ev);
		break;
	case META_NOT:
		detect_join(ctx, m, node->a, !neg, seen, nseen, out);
		break;
	case META_AND:
	case META_OR:
		detect_join(ctx, m, node->a, neg, seen, nseen, out);
		detect_join(ctx, m, node->b, neg, seen, nseen, out);
		break;
	}
}

/* A meta rule's {evidence}: computed once, owned by the state. */
static const char *
detect_joined(struct detect_ctx *ctx, const struct rule *r)
{
	struct detect_state	 *st = &ctx->st[r->idx];
	const struct rule	**seen;
	struct buf		  joined, out;
	size_t			  nseen = 0;

	if (st->joined != NULL)
		return st->joined;
	buf_init(&joined);
	seen = xcalloc(r->meta.n, sizeof *seen);
	detect_join(ctx, &r->meta, r->meta.root, 0, seen, &nseen, &joined);
	free(seen);
	buf_init(&out);
	detect_put(&out, joined.data, joined.len);
	buf_free(&joined);
	st->joined = buf_take(&out);
	buf_free(&out);		/* buf_take leaves a fresh buffer */
	return st->joined;
}

/* A matched rule's evidence; computed once, owned by the state. */
static const char *
detect_evidence(struct detect_ctx *ctx, const struct rule *r)
{
	struct detect_state	*st = &ctx->st[r->idx];
	struct buf		 out;
	const char		*v;

	if (st->evidence != NULL)
		return st->evidence;
	if (r->meta.root >= 0 && !r->has_evidence) {
		st->evidence = xstrdup(detect_joined(ctx, r));
		return st->evidence;
	}
	buf_init(&out);
	if (r->has_evidence)
		detect_render(ctx, r, &r->evidence, &out);
	else {
		v = facts_value(ctx->f, (enum fact_id)r->fact, st->inst);
		detect_put(&out, v + st->moff, st->mlen);
	}
	st->evidence = buf_take(&out);
	buf_free(&out);
	return st->evidence;
}

/* ---- scores ---- */

static int
detect_cmp_capped(const void *a, const void *b)
{
	const struct detect_capped	*ca = a, *cb = b;

	if (ca->group != cb->group)
		return ca->group < cb->group ? -1 : 1;
	if (ca->score != cb->score)
		return ca->score > cb->score ? -1 : 1;
	return ca->idx < cb->idx ? -1 : ca->idx > cb->idx;
}

/* Cuts the positive scores of each capped group, highest first. */
static void
detect_caps(struct detect_ctx *ctx)
{
	const struct ruleset	*rs = ctx->rs;
	struct detect_capped	*c;
	const struct rule	*r;
	size_t			 g, i, n;
	double			 left;

	if (rs->ngroups == 0)
		return;
	/* One pass over the rules for all capped groups, sorted by group
	 * and then as each group's cut needs: not one pass per group. */
	c = ctx->capped;
	left = 0;
	for (n = i = 0; i < rs->nrules; i++) {
		r = rs->rules[i];
		if (!ctx->st[i].matched || r->helper || !(r->score > 0) ||
		    r->group_idx < 0 || (size_t)r->group_idx >= rs->ngroups ||
		    !rs->groups[r->group_idx].capped)
			continue;
		c[n].group = r->group_idx;
		c[n].score = r->score;
		c[n++].idx = i;
	}
	if (n > 1)
		qsort(c, n, sizeof *c, detect_cmp_capped);
	for (i = 0; i < n; i++) {
		g = (size_t)c[i].group;
		if (i == 0 || c[i - 1].group != c[i].group)
			left = rs->groups[g].cap;
		if (c[i].score > left)
			c[i].score = left;
		left -= c[i].score;
		ctx->st[c[i].idx].score = c[i].score;
	}
}

static void
detect_hits(struct detect_ctx *ctx, struct verdict *v)
{
	const struct rule	*r;
	struct buf		 en, ja;
	const char		*ev;
	size_t			 i;

	buf_init(&en);
	buf_init(&ja);
	for (i = 0; i < ctx->rs->nrules; i++) {
		r = ctx->rs->rules[i];
		if (!ctx->st[i].matched || r->helper)
			continue;
		ev = detect_evidence(ctx, r);
		buf_reset(&en);
		buf_reset(&ja);
		detect_render(ctx, r, &r->explain[VERDICT_EN], &en);
		detect_render(ctx, r, &r->explain[VERDICT_JA], &ja);
		verdict_add_hit(v, r->id, ctx->st[i].score, en.data, ja.data,
		    ev);
	}
	buf_free(&en);
	buf_free(&ja);
}

struct detect_scratch *
detect_scratch_new(void)
{
	return xcalloc(1, sizeof (struct detect_scratch));
}

/* Releases what the scratch holds for its ruleset; keeps the scratch. */
static void
detect_scratch_clear(struct detect_scratch *ds)
{
	if (ds->rs == NULL)
		return;
	free(ds->st);
	free(ds->active);
	free(ds->capped);
	rulepack_scan_free(&ds->sc);
	pcre2_match_data_free(ds->md);
	ds->rs = NULL;
}

void
detect_scratch_free(struct detect_scratch *ds)
{
	if (ds == NULL)
		return;
	detect_scratch_clear(ds);
	free(ds);
}

/*
 * Sets the scratch up for rs.  Nothing is zeroed: detect_eval_with
 * clears the few state fields a call reads before it writes them.
 */
static void
detect_scratch_setup(struct detect_scratch *ds, const struct ruleset *rs)
{
	if (ds->rs == rs)
		return;
	detect_scratch_clear(ds);
	ds->rs = rs;
	/* One match data for every pattern: only the whole match is read. */
	ds->md = pcre2_match_data_create(1, rs->gctx);
	ds->st = xreallocarray(NULL, rs->nrules, sizeof *ds->st);
	ds->active = xreallocarray(NULL, rs->nrules, sizeof *ds->active);
	ds->capped = xreallocarray(NULL, rs->nrules, sizeof *ds->capped);
	rulepack_scan_init(rs, &ds->sc);
}

struct verdict *
detect_eval(const struct ruleset *rs, const struct facts *f,
    const struct detect_config *cfg)
{
	return detect_eval_with(rs, f, cfg, NULL);
}

struct verdict *
detect_eval_with(const struct ruleset *rs, const struct facts *f,
    const struct detect_config *cfg, struct detect_scratch *ds)
{
	struct verdict		*v;
	struct detect_ctx	 ctx;
	struct detect_scratch	*own = NULL;
	static const struct detect_state st0;
	const struct rule	*r;
	double			 suspect_at = DETECT_SUSPECT_AT;
	double			 phish_at = DETECT_PHISH_AT;
	size_t			 i;

	if (cfg != NULL) {
		suspect_at = cfg->suspect_at;
		phish_at = cfg->phish_at;
	}
	v = verdict_new();
	if (rs == NULL || f == NULL || rs->nrules == 0) {
		verdict_finish(v, suspect_at, phish_at);
		return v;
	}
	if (ds == NULL)
		ds = own = detect_scratch_new();
	detect_scratch_setup(ds, rs);
	memset(&ctx, 0, sizeof ctx);
	ctx.rs = rs;
	ctx.f = f;
	ctx.md = ds->md;
	ctx.sc = &ds->sc;
	ctx.st = ds->st;
	ctx.active = ds->active;
	ctx.capped = ds->capped;
	/* Every state starts empty, as from calloc, but written field by
	 * field: calloc's memset went through the heap's large-chunk path
	 * for every call. */
	for (i = 0; i < rs->nrules; i++)
		ctx.st[i] = st0;
	if (facts_count(f, FACT_BRAND_CLAIMED) != 0)
		ctx.first_claim = facts_value(f, FACT_BRAND_CLAIMED, 0);

	for (i = 0; i < FACT__COUNT; i++)
		detect_fact(&ctx, (enum fact_id)i);
	for (i = 0; i < rs->nrules; i++) {
		r = rs->rules[i];
		if (r->meta.root >= 0)
			detect_meta(&ctx, r);
	}
	for (i = 0; i < rs->nrules; i++)
		ctx.st[i].score = rs->rules[i]->score;
	detect_caps(&ctx);
	detect_hits(&ctx, v);

	/* Only a matched rule renders evidence: the others hold nothing,
	 * and a free(NULL) per rule per message cost as much as the hits. */
	for (i = 0; i < rs->nrules; i++) {
		if (!ctx.st[i].matched)
			continue;
		free(ctx.st[i].evidence);
		free(ctx.st[i].joined);
	}
	detect_scratch_free(own);
	verdict_finish(v, suspect_at, phish_at);
	return v;
}
