/* SPDX-License-Identifier: ISC */
/*
 * Inside of a ruleset: compiled rules, brands, lists and templates.  Shared
 * by the parser (rulepack.c), the ruleset (ruleset.c), the matching helpers
 * (rulepack-eval.c) and the engine (detect.c) only.
 */
#ifndef RULEPACK_INT_H
#define RULEPACK_INT_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdint.h>

#include "facts.h"
#include "prefilter.h"
#include "rulepack.h"

/* Run-time limits of every pattern match (spec: Evaluation, step 2). */
#define RULEPACK_MATCH_LIMIT	200000
#define RULEPACK_DEPTH_LIMIT	5000
/* Placeholder values are cut to this many bytes (on a UTF-8 boundary). */
#define RULEPACK_PLACEHOLDER_MAX 200

/* A compiled explain-* or evidence template: literal text and placeholders. */
enum tmpl_kind {
	TMPL_TEXT,		/* literal text */
	TMPL_VALUE,
	TMPL_MATCH,
	TMPL_BRAND,
	TMPL_BRAND_NAME,
	TMPL_COUNT,
	TMPL_EVIDENCE,		/* meta rules only */
	TMPL_VAR		/* a variable of the fact, named by text */
};

struct tmpl_part {
	enum tmpl_kind	 kind;
	char		*text;		/* literal text or variable name */
	size_t		 len;
};

struct tmpl {
	struct tmpl_part *parts;
	size_t		  nparts;
};

/* A meta expression, as a node array; node 0 is not special, root is. */
enum meta_op { META_REF, META_NOT, META_AND, META_OR };

struct meta_node {
	enum meta_op	 op;
	int		 a, b;		/* operand node indices */
	struct rule	*ref;		/* META_REF: the rule referred to */
	char		*refname;	/* META_REF: as written */
	unsigned int	 col;
};

struct meta {
	struct meta_node *nodes;
	size_t		  n;
	int		  root;		/* -1 when not a meta rule */
};

/* A named list: an open-addressing hash set of lower-case entries. */
struct rs_list {
	char		 *name;
	char		**slots;	/* nslots (power of 2), NULL = empty */
	size_t		  nslots;
	size_t		  n;
	size_t		  maxlen;
};

/* One expect-match (want 1) or expect-nomatch (want 0) example. */
struct rs_expect {
	char		*text;
	unsigned int	 line;
	int		 want;
};

enum rule_gate { RULE_GATE_NONE, RULE_GATE_ANY, RULE_GATE_BRAND };

struct rule {
	char		 *id;		/* "pack/id" */
	const char	 *name;		/* id after the slash */
	const char	 *file;		/* pack file, owned by the ruleset */
	unsigned int	  line;
	size_t		  idx;		/* position in the ruleset */
	int		  helper;	/* id starts with "_": never reported */
	int		  fact;		/* enum fact_id, -1 for a meta rule */
	pcre2_code	 *pattern;
	struct prefilter_req req;	/* literals pattern needs (n 0: none) */
	size_t		 *lits;		/* ids in rs->pf[fact] */
	pcre2_code	 *unless;
	struct rs_list	 *in_list;
	struct rs_list	 *not_in_list;
	enum rule_gate	  gate;
	char		 *gate_brand;	/* RULE_GATE_BRAND */
	double		  score;
	char		 *group;	/* NULL when none */
	int		  group_idx;	/* index in rs->groups, or -1 */
	struct tmpl	  explain[2];	/* by enum verdict_lang */
	struct tmpl	  evidence;	/* nparts 0: the default */
	int		  has_evidence;
	struct meta	  meta;
	int		  meta_depth;	/* longest chain of meta references */
	struct rs_expect *expects;
	size_t		  nexpects;
};

/* The private side of a brand; pub is first so brand_find can find it. */
struct rs_brand {
	struct brand		 pub;
	pcre2_match_context	*mctx;		/* the ruleset's, shared */
	const char		*file;
	unsigned int		 line;
	struct rs_expect	*expects;
	size_t			 nexpects;
	/* Literals every match of `match` holds, and their ids in the
	 * ruleset's brand prefilter (NULL until merged). */
	struct prefilter_req	 req;
	size_t			*lits;
	/* strlen of each pub.domains[i]: brand_owns_host runs for every
	 * brand and link host. */
	size_t			*domain_lens;
};

struct rs_group {
	char		*name;
	double		 cap;
	int		 capped;
};

struct rs_pack {
	char		*name;
	long		 version;
	char		*file;
};

struct ruleset {
	struct rs_pack	  *packs;
	size_t		   npacks;
	struct rule	 **rules;
	size_t		   nrules;
	struct rs_brand	 **brands;
	size_t		   nbrands;
	struct rs_list	 **lists;
	size_t		   nlists;
	struct rs_group	  *groups;
	size_t		   ngroups;
	struct rule	 **by_fact[FACT__COUNT];	/* field rules */
	size_t		   nby_fact[FACT__COUNT];
	/* One automaton per fact: a value is scanned for its rules' only. */
	struct prefilter  *pf[FACT__COUNT];
	size_t		   pf_max;	/* most literals of one of them */
	/* One more over every brand's `match` literals: one pass over a text
	 * rules out most brands before their patterns run. */
	struct prefilter  *brand_pf;
	/* Its ids of PREFILTER_UNFOLDED, when a brand's literals rely on
	 * their absence (brand_folds). */
	size_t		   brand_unfolded[2];
	int		   brand_folds;
	/* PCRE2 allocates through xmalloc, so it never fails with NULL. */
	pcre2_general_context *gctx;
	pcre2_compile_context *cctx;
	pcre2_match_context *mctx;	/* limits; read-only after creation */
	uint64_t	   hash;
	char		   version[17];
};

/* Names in a pack checked, then bound, once the whole pack is read. */
enum rulepack_fix_kind {
	RULEPACK_FIX_IN_LIST,
	RULEPACK_FIX_NOT_IN_LIST,
	RULEPACK_FIX_BRAND,
	RULEPACK_FIX_META
};

struct rulepack_fix {
	struct rule		*r;
	enum rulepack_fix_kind	 kind;
	char			*name;
	unsigned int		 line;
	unsigned int		 col;
};

struct rulepack_cap {
	char		*group;
	double		 points;
};

/* One pack as read: merged into a ruleset whole, or freed whole. */
struct rulepack_pack {
	char			 *name;
	long			  version;
	struct rule		**rules;
	size_t			  nrules;
	struct rs_brand		**brands;
	size_t			  nbrands;
	struct rs_list		**lists;
	size_t			  nlists;
	struct rulepack_cap	 *caps;
	size_t			  ncaps;
	struct rulepack_fix	 *fixes;
	size_t			  nfixes;
};

/* Values at least this long never match a list (a host is at most 253). */
#define RULEPACK_LIST_VALUE_MAX	1024

/*
 * A value made ready for list lookups: lower-cased, whether it is
 * host-shaped, and the hash of each of its suffixes (all a lookup of the
 * value and of the domains above it needs, computed in one pass).
 */
struct rulepack_lkey {
	char		 buf[RULEPACK_LIST_VALUE_MAX];
	uint32_t	 hash[RULEPACK_LIST_VALUE_MAX];	/* of buf + i */
	size_t		 len;
	int		 ok;		/* 0: matches no list */
	int		 host;
};

/*
 * Per caller (per thread) matching state, so the ruleset stays read-only:
 * the prefilter literals found in the current value, and a copy of the
 * ruleset's match context whose offset limit changes from call to call.
 */
struct rulepack_scan {
	struct prefilter_hits	 hits;
	pcre2_match_context	*mctx;
	/* List results for the current value: rules often share a list. */
	struct {
		const struct rs_list	*list;
		int			 match;
	}			 lists[8];
	size_t			 nlists;
	/* The current value as a list key, once a list asks (key_ready). */
	struct rulepack_lkey	 key;
	int			 key_ready;
};

/* rulepack.c */
int		 rulepack_parse(struct ruleset *rs, const char *file,
		     const char *text, size_t len, struct diag *d,
		     struct rulepack_pack *pk);
void		 rulepack_pack_free(struct rulepack_pack *pk);

/* rulepack-eval.c */
void		 rulepack_scan_init(const struct ruleset *rs,
		     struct rulepack_scan *sc);
void		 rulepack_scan_free(struct rulepack_scan *sc);
/* Starts a new value of fact; scan says whether to look for literals
 * (only for valid UTF-8 that a prefiltered rule will match). */
void		 rulepack_scan_value(const struct ruleset *rs,
		     struct rulepack_scan *sc, int fact, const char *value,
		     size_t len, int scan);
struct rs_list	*rulepack_list_new(const char *name);
void		 rulepack_list_free(struct rs_list *l);
void		 rulepack_list_add(struct rs_list *l, const char *entry,
		     size_t len);
struct rs_list	*rulepack_list_find(struct rs_list **lists, size_t n,
		     const char *name);
int		 rulepack_list_match(const struct rs_list *l, const char *value,
		     size_t len);
int		 rulepack_value_counts(const struct ruleset *rs,
		     const struct rule *r, const char *value, size_t len,
		     int utf8, pcre2_match_data *md, struct rulepack_scan *sc,
		     size_t *moff, size_t *mlen);
void		 rulepack_rule_free(struct rule *r);
void		 rulepack_brand_free(struct rs_brand *b);
void		 rulepack_tmpl_free(struct tmpl *t);

#endif
