/* SPDX-License-Identifier: ISC */
/*
 * Rule packs: the parser and validator for rules/NAME.rules (documented in
 * doc/sagi-rules.5).  A ruleset is every pack loaded: rules, brands and
 * named domain lists.  A pack with any error is rejected whole, with
 * file:line:col diagnostics; the others still load.
 */
#ifndef RULEPACK_H
#define RULEPACK_H

#include <stddef.h>

#include "diag.h"
#include "verdict.h"

struct prefilter_hits;

struct ruleset;

/* A brand as the data describes it.  Borrowed from its ruleset. */
struct brand {
	char		 *id;		/* "amazon" */
	char		 *name;		/* "Amazon" — for explanations */
	char		**tokens;	/* ASCII host tokens: "amazon", "amzn" */
	size_t		  ntokens;
	char		**domains;	/* domains the brand sends from and links to (and subdomains) */
	size_t		  ndomains;
	char		 *check[2];	/* advice: how to check, by enum verdict_lang */
	char		 *victim[2];	/* advice: what to do if details were entered */
	void		 *match_re;	/* compiled `match` pattern (pcre2_code *), private */
};

struct ruleset	*ruleset_new(void);
void		 ruleset_free(struct ruleset *rs);

/* Loads one pack from a file or from memory (name used in diagnostics).
 * Returns 0 when the pack was accepted, -1 when it was rejected (problems
 * added to d) or could not be read. */
int		 ruleset_load_file(struct ruleset *rs, const char *path, struct diag *d);
int		 ruleset_load_string(struct ruleset *rs, const char *name,
		     const char *text, size_t len, struct diag *d);
/* Loads every *.rules file in dir, in name order.  Returns the number of
 * packs rejected, or -1 when dir cannot be read (problem added to d). */
int		 ruleset_load_dir(struct ruleset *rs, const char *dir, struct diag *d);

size_t		 ruleset_rule_count(const struct ruleset *rs);
size_t		 ruleset_pack_count(const struct ruleset *rs);
/* A short string that changes whenever a pack's name, version or text
 * changes (for cache keys).  Borrowed. */
const char	*ruleset_version(const struct ruleset *rs);

size_t		 ruleset_brand_count(const struct ruleset *rs);
const struct brand *ruleset_brand(const struct ruleset *rs, size_t i);
const struct brand *ruleset_brand_find(const struct ruleset *rs, const char *id);

/* 1 when host equals an entry of the named list or ends with "." + entry
 * (so "x.workers.dev" matches "workers.dev", "notbit.ly" not "bit.ly"); an
 * entry starting with "." matches any host under it (".cn").  A value that
 * is not host-shaped matches only an equal entry.  ASCII case-insensitive.
 * 0 otherwise or for an unknown list. */
int		 ruleset_list_match(const struct ruleset *rs, const char *list,
		     const char *host);

/* 1 when host is one of b's domains or a subdomain of one; b from a
 * ruleset (ruleset_brand). */
int		 brand_owns_host(const struct brand *b, const char *host);
/* Searches normalised text for the brand's `match` pattern.  Returns 1 and
 * sets *off, *len on a hit, 0 otherwise. */
int		 brand_find(const struct brand *b, const char *norm, size_t normlen,
		     size_t *off, size_t *len);
/* The same for text known to be valid UTF-8 (norm's output always is):
 * PCRE2 then skips its own check, a pass over the text per brand. */
int		 brand_find_utf8(const struct brand *b, const char *norm,
		     size_t normlen, size_t *off, size_t *len);

/*
 * Which brands' `match` patterns might occur in text, from one pass over it
 * for all brands: maybe[i] (ruleset_brand order) is 0 when brand i's pattern
 * cannot match, 1 when it might.  h is the caller's scratch, set up with
 * prefilter_hits_init(h, ruleset_brand_literals(rs)); one per thread.
 */
size_t		 ruleset_brand_literals(const struct ruleset *rs);
void		 ruleset_brands_maybe_in(const struct ruleset *rs,
		     const char *text, size_t len, struct prefilter_hits *h,
		     unsigned char *maybe);

/* Runs every rule's expect-match / expect-nomatch example and every
 * brand's expect lines; adds a diagnostic per failure.  Returns failures. */
int		 ruleset_check_examples(const struct ruleset *rs, struct diag *d);

#endif
