/* SPDX-License-Identifier: ISC */
/*
 * The ruleset: every pack loaded, as one set of rules, brands, lists and
 * group caps.  Loads packs from memory, files and directories through the
 * parser (rulepack.c), merges the accepted ones, and runs their examples.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rulepack-int.h"
#include "xalloc.h"

#define RULESET_MAX_FILE	(4 * 1024 * 1024)	/* bytes of one pack */

static int
ruleset_group(struct ruleset *rs, const char *name)
{
	size_t	 i;

	for (i = 0; i < rs->ngroups; i++) {
		if (strcmp(rs->groups[i].name, name) == 0)
			return (int)i;
	}
	rs->groups = xreallocarray(rs->groups, rs->ngroups + 1,
	    sizeof *rs->groups);
	rs->groups[rs->ngroups].name = xstrdup(name);
	rs->groups[rs->ngroups].cap = 0;
	rs->groups[rs->ngroups].capped = 0;
	return (int)rs->ngroups++;
}

static void
ruleset_hash(struct ruleset *rs, const void *data, size_t len)
{
	const unsigned char	*s = data;
	size_t			 i;

	for (i = 0; i < len; i++) {
		rs->hash ^= s[i];
		rs->hash *= 0x100000001b3ULL;
	}
}

static void
ruleset_merge_lists(struct ruleset *rs, struct rulepack_pack *p)
{
	struct rs_list	*l, *have;
	size_t		 i, k;

	for (i = 0; i < p->nlists; i++) {
		l = p->lists[i];
		have = rulepack_list_find(rs->lists, rs->nlists, l->name);
		if (have == NULL) {
			rs->lists = xreallocarray(rs->lists, rs->nlists + 1,
			    sizeof *rs->lists);
			rs->lists[rs->nlists++] = l;
			continue;
		}
		for (k = 0; k < l->nslots; k++) {
			if (l->slots[k] != NULL)
				rulepack_list_add(have, l->slots[k],
				    strlen(l->slots[k]));
		}
		rulepack_list_free(l);
	}
	p->nlists = 0;
}

/* Indexes a field rule by fact and gives its literals prefilter ids. */
static void
ruleset_merge_fact(struct ruleset *rs, struct rule *r)
{
	size_t	 k, n;

	if (r->fact < 0)
		return;
	n = rs->nby_fact[r->fact];
	rs->by_fact[r->fact] = xreallocarray(rs->by_fact[r->fact], n + 1,
	    sizeof *rs->by_fact[r->fact]);
	rs->by_fact[r->fact][n] = r;
	rs->nby_fact[r->fact] = n + 1;
	if (r->req.n == 0)
		return;
	if (rs->pf[r->fact] == NULL)
		rs->pf[r->fact] = prefilter_new();
	r->lits = xcalloc(r->req.n, sizeof *r->lits);
	for (k = 0; k < r->req.n; k++)
		r->lits[k] = prefilter_add(rs->pf[r->fact], r->req.lits[k],
		    r->req.lens[k]);
}

/*
 * Gives a brand's literals ids in the brand prefilter, and the characters
 * its literals assume absent (PREFILTER_FOLDED) ids too.
 */
static void
ruleset_merge_brand(struct ruleset *rs, struct rs_brand *b)
{
	static const char *const unfolded[] = PREFILTER_UNFOLDED;
	size_t			 k;

	if (b->req.n == 0)
		return;
	if (rs->brand_pf == NULL)
		rs->brand_pf = prefilter_new();
	b->lits = xcalloc(b->req.n, sizeof *b->lits);
	for (k = 0; k < b->req.n; k++)
		b->lits[k] = prefilter_add(rs->brand_pf, b->req.lits[k],
		    b->req.lens[k]);
	if (!b->req.folded)
		return;
	for (k = 0; k < SAGI_NITEMS(rs->brand_unfolded); k++)
		rs->brand_unfolded[k] = prefilter_add(rs->brand_pf,
		    unfolded[k], strlen(unfolded[k]));
	rs->brand_folds = 1;
}

size_t
ruleset_brand_literals(const struct ruleset *rs)
{
	return rs == NULL ? 0 : prefilter_count(rs->brand_pf);
}

void
ruleset_brands_maybe_in(const struct ruleset *rs, const char *text,
    size_t len, struct prefilter_hits *h, unsigned char *maybe)
{
	const struct rs_brand	*b;
	size_t			 i, k;
	unsigned int		 have;
	int			 ready, unfolded = 0;

	if ((ready = prefilter_ready(rs->brand_pf))) {
		prefilter_scan(rs->brand_pf, text, len, h);
		for (k = 0; rs->brand_folds &&
		    k < SAGI_NITEMS(rs->brand_unfolded); k++)
			unfolded |= h->stamp[rs->brand_unfolded[k]] == h->gen;
	}
	for (i = 0; i < rs->nbrands; i++) {
		b = rs->brands[i];
		maybe[i] = 1;
		if (b->lits == NULL || !ready || (b->req.folded && unfolded))
			continue;	/* nothing proven: the pattern decides */
		/* Every match holds a literal of each factor: one pass over
		 * the literals collects the factors found. */
		have = 0;
		for (k = 0; k < b->req.n; k++) {
			if (h->stamp[b->lits[k]] == h->gen)
				have |= 1u << b->req.fac[k];
		}
		maybe[i] = have == (1u << b->req.nfac) - 1;
	}
}

/* Moves an accepted pack into rs: p keeps only what it still owns. */
static void
ruleset_merge(struct ruleset *rs, struct rulepack_pack *p, const char *file,
    const char *text, size_t len)
{
	struct rs_pack		*pk;
	struct rulepack_fix	*f;
	struct rs_list		*l;
	struct rule		*r;
	char			 num[32];
	size_t			 i;
	int			 g;

	rs->packs = xreallocarray(rs->packs, rs->npacks + 1, sizeof *rs->packs);
	pk = &rs->packs[rs->npacks++];
	pk->name = xstrdup(p->name);
	pk->version = p->version;
	pk->file = xstrdup(file);

	ruleset_merge_lists(rs, p);
	for (i = 0; i < p->nfixes; i++) {
		f = &p->fixes[i];
		if (f->kind != RULEPACK_FIX_IN_LIST &&
		    f->kind != RULEPACK_FIX_NOT_IN_LIST)
			continue;
		l = rulepack_list_find(rs->lists, rs->nlists, f->name);
		if (f->kind == RULEPACK_FIX_IN_LIST)
			f->r->in_list = l;
		else
			f->r->not_in_list = l;
	}
	for (i = 0; i < p->ncaps; i++) {
		g = ruleset_group(rs, p->caps[i].group);
		if (!rs->groups[g].capped ||
		    p->caps[i].points < rs->groups[g].cap)
			rs->groups[g].cap = p->caps[i].points;
		rs->groups[g].capped = 1;
	}
	rs->brands = xreallocarray(rs->brands, rs->nbrands + p->nbrands,
	    sizeof *rs->brands);
	for (i = 0; i < p->nbrands; i++) {
		p->brands[i]->file = pk->file;
		rs->brands[rs->nbrands++] = p->brands[i];
		ruleset_merge_brand(rs, p->brands[i]);
	}
	p->nbrands = 0;
	if (rs->brand_pf != NULL && !prefilter_ready(rs->brand_pf))
		prefilter_build(rs->brand_pf);
	rs->rules = xreallocarray(rs->rules, rs->nrules + p->nrules,
	    sizeof *rs->rules);
	for (i = 0; i < p->nrules; i++) {
		r = p->rules[i];
		r->file = pk->file;
		if (r->group != NULL)
			r->group_idx = ruleset_group(rs, r->group);
		r->idx = rs->nrules;
		rs->rules[rs->nrules++] = r;
		ruleset_merge_fact(rs, r);
	}
	for (i = 0; i < FACT__COUNT; i++) {
		if (rs->pf[i] != NULL && !prefilter_ready(rs->pf[i])) {
			prefilter_build(rs->pf[i]);	/* new literals */
			if (prefilter_count(rs->pf[i]) > rs->pf_max)
				rs->pf_max = prefilter_count(rs->pf[i]);
		}
	}
	p->nrules = 0;

	ruleset_hash(rs, p->name, strlen(p->name) + 1);
	snprintf(num, sizeof num, "%ld", p->version);
	ruleset_hash(rs, num, strlen(num) + 1);
	ruleset_hash(rs, text, len);
	ruleset_hash(rs, "", 1);
	snprintf(rs->version, sizeof rs->version, "%016llx",
	    (unsigned long long)rs->hash);
}

static void *
ruleset_pcre2_malloc(PCRE2_SIZE size, void *data)
{
	(void)data;
	return xmalloc(size == 0 ? 1 : size);
}

static void
ruleset_pcre2_free(void *ptr, void *data)
{
	(void)data;
	free(ptr);
}

struct ruleset *
ruleset_new(void)
{
	struct ruleset	*rs;

	rs = xcalloc(1, sizeof *rs);
	rs->gctx = pcre2_general_context_create(ruleset_pcre2_malloc,
	    ruleset_pcre2_free, NULL);
	rs->cctx = pcre2_compile_context_create(rs->gctx);
	rs->mctx = pcre2_match_context_create(rs->gctx);
	pcre2_set_match_limit(rs->mctx, RULEPACK_MATCH_LIMIT);
	pcre2_set_depth_limit(rs->mctx, RULEPACK_DEPTH_LIMIT);
	rs->hash = 0xcbf29ce484222325ULL;
	snprintf(rs->version, sizeof rs->version, "%016llx",
	    (unsigned long long)rs->hash);
	return rs;
}

void
ruleset_free(struct ruleset *rs)
{
	size_t	 i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->npacks; i++) {
		free(rs->packs[i].name);
		free(rs->packs[i].file);
	}
	free(rs->packs);
	for (i = 0; i < rs->nrules; i++)
		rulepack_rule_free(rs->rules[i]);
	free(rs->rules);
	for (i = 0; i < rs->nbrands; i++)
		rulepack_brand_free(rs->brands[i]);
	free(rs->brands);
	for (i = 0; i < rs->nlists; i++)
		rulepack_list_free(rs->lists[i]);
	free(rs->lists);
	for (i = 0; i < rs->ngroups; i++)
		free(rs->groups[i].name);
	free(rs->groups);
	for (i = 0; i < FACT__COUNT; i++) {
		free(rs->by_fact[i]);
		prefilter_free(rs->pf[i]);
	}
	prefilter_free(rs->brand_pf);
	pcre2_match_context_free(rs->mctx);
	pcre2_compile_context_free(rs->cctx);
	pcre2_general_context_free(rs->gctx);
	free(rs);
}

int
ruleset_load_string(struct ruleset *rs, const char *name, const char *text,
    size_t len, struct diag *d)
{
	struct rulepack_pack	 pk;

	if (rs == NULL)
		return -1;
	if (name == NULL)
		name = "(string)";
	if (text == NULL) {
		text = "";
		len = 0;
	}
	if (rulepack_parse(rs, name, text, len, d, &pk) != 0)
		return -1;
	ruleset_merge(rs, &pk, name, text, len);
	rulepack_pack_free(&pk);
	return 0;
}

int
ruleset_load_file(struct ruleset *rs, const char *path, struct diag *d)
{
	FILE	*fp;
	char	*text;
	size_t	 len;
	int	 rc, error;

	if (rs == NULL || path == NULL)
		return -1;
	if ((fp = fopen(path, "rb")) == NULL) {
		if (d != NULL)
			diag_add(d, path, 0, 0, "%s", strerror(errno));
		return -1;
	}
	text = xmalloc(RULESET_MAX_FILE + 1);
	len = fread(text, 1, RULESET_MAX_FILE + 1, fp);
	error = ferror(fp) ? errno : 0;
	fclose(fp);
	if (error != 0 || len > RULESET_MAX_FILE) {
		if (d != NULL)
			diag_add(d, path, 0, 0, "%s", error != 0 ?
			    strerror(error) : "file too large");
		free(text);
		return -1;
	}
	rc = ruleset_load_string(rs, path, text, len, d);
	free(text);
	return rc;
}

static int
ruleset_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
ruleset_load_dir(struct ruleset *rs, const char *dir, struct diag *d)
{
	DIR		 *dp;
	struct dirent	 *de;
	char		**names = NULL, *path;
	size_t		  n = 0, i, len;
	int		  rejected = 0;

	if (rs == NULL || dir == NULL)
		return -1;
	if ((dp = opendir(dir)) == NULL) {
		if (d != NULL)
			diag_add(d, dir, 0, 0, "%s", strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 6 ||
		    strcmp(de->d_name + len - 6, ".rules") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (n > 1)
		qsort(names, n, sizeof *names, ruleset_name_cmp);
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		if (ruleset_load_file(rs, path, d) != 0)
			rejected++;
		free(path);
		free(names[i]);
	}
	free(names);
	return rejected;
}

size_t
ruleset_rule_count(const struct ruleset *rs)
{
	return rs == NULL ? 0 : rs->nrules;
}

size_t
ruleset_pack_count(const struct ruleset *rs)
{
	return rs == NULL ? 0 : rs->npacks;
}

const char *
ruleset_version(const struct ruleset *rs)
{
	return rs == NULL ? "" : rs->version;
}

size_t
ruleset_brand_count(const struct ruleset *rs)
{
	return rs == NULL ? 0 : rs->nbrands;
}

const struct brand *
ruleset_brand(const struct ruleset *rs, size_t i)
{
	if (rs == NULL || i >= rs->nbrands)
		return NULL;
	return &rs->brands[i]->pub;
}

const struct brand *
ruleset_brand_find(const struct ruleset *rs, const char *id)
{
	const struct rs_brand	*b;
	size_t			 i;

	if (rs == NULL || id == NULL)
		return NULL;
	for (i = 0; i < rs->nbrands; i++) {
		b = rs->brands[i];
		if (strcmp(b->pub.id, id) == 0)
			return &b->pub;
	}
	return NULL;
}

int
ruleset_list_match(const struct ruleset *rs, const char *list,
    const char *host)
{
	const struct rs_list	*l;

	if (rs == NULL || list == NULL || host == NULL)
		return 0;
	l = rulepack_list_find(rs->lists, rs->nlists, list);
	return rulepack_list_match(l, host, strlen(host));
}

static void
ruleset_expect_fail(struct diag *d, const char *file,
    const struct rs_expect *e, const char *what, const char *id)
{
	diag_add(d, file, e->line, 0, "%s %s: expect-%s failed: %s", what, id,
	    e->want ? "match" : "nomatch", e->text);
}

int
ruleset_check_examples(const struct ruleset *rs, struct diag *d)
{
	pcre2_match_data	*md;
	struct rulepack_scan	 sc;
	const struct rule	*r;
	const struct rs_brand	*b;
	const struct rs_expect	*e;
	size_t			 i, k, off, len;
	int			 got, failures = 0;

	if (rs == NULL)
		return 0;
	md = pcre2_match_data_create(1, rs->gctx);
	rulepack_scan_init(rs, &sc);
	for (i = 0; i < rs->nrules; i++) {
		r = rs->rules[i];
		for (k = 0; k < r->nexpects; k++) {
			e = &r->expects[k];
			/*
			 * Exactly the engine's path, prefilter included.  Pack
			 * text is checked UTF-8 at load, like fact values.
			 */
			len = strlen(e->text);
			rulepack_scan_value(rs, &sc, r->fact, e->text, len, 1);
			got = rulepack_value_counts(rs, r, e->text, len, 1, md,
			    &sc, &off, &len);
			if (got != e->want) {
				failures++;
				if (d != NULL)
					ruleset_expect_fail(d, r->file, e,
					    "rule", r->id);
			}
		}
	}
	for (i = 0; i < rs->nbrands; i++) {
		b = rs->brands[i];
		for (k = 0; k < b->nexpects; k++) {
			e = &b->expects[k];
			got = brand_find(&b->pub, e->text, strlen(e->text),
			    &off, &len);
			if (got != e->want) {
				failures++;
				if (d != NULL)
					ruleset_expect_fail(d, b->file, e,
					    "brand", b->pub.id);
			}
		}
	}
	rulepack_scan_free(&sc);
	pcre2_match_data_free(md);
	return failures;
}
