/* SPDX-License-Identifier: ISC */
/*
 * A cheap test that a pattern cannot match, so the engine runs PCRE2 only
 * where it might.  prefilter_required reads a pattern and finds literals of
 * which every match must contain one; a prefilter (Aho-Corasick automaton
 * over all such literals) finds them all in one pass over a value.  Knows
 * nothing of rules.
 */
#ifndef PREFILTER_H
#define PREFILTER_H

#include <stddef.h>
#include <stdint.h>

/* At most this many literals in one factor, and factors. */
#define PREFILTER_MAX_SET	64
#define PREFILTER_MAX_FAC	4

/*
 * Literals a pattern needs, as factors: every match contains a literal of
 * each factor, starting at most pre[f] bytes after the start of the match
 * (SIZE_MAX: unbounded).  Factor 0 is the most selective one.
 */
struct prefilter_req {
	char		**lits;		/* ASCII lower-cased, owned */
	size_t		 *lens;
	size_t		 *fac;		/* factor of each literal */
	size_t		  n;
	size_t		  pre[PREFILTER_MAX_FAC];	/* by factor */
	size_t		  nfac;
	int		  folded;	/* needs PREFILTER_UNFOLDED absent */
};

#define PREFILTER_CASELESS	0x1	/* the pattern is compiled caseless */
#define PREFILTER_EXTENDED	0x2	/* … extended (x): never analysed */
/*
 * The pattern runs on NFKC_Casefold text (norm_text), where U+017F (long s)
 * and U+212A (Kelvin) never occur: caseless k and s may be literals.  A req
 * that made use of it says so (folded); it holds only for a text where no
 * PREFILTER_UNFOLDED literal occurs, so a scanner that relies on it must
 * look for those two as well.
 */
#define PREFILTER_FOLDED	0x4
#define PREFILTER_UNFOLDED	{ "\xc5\xbf", "\xe2\x84\xaa" }

/*
 * Analyses a PCRE2 pattern (UTF, already known to compile).  Returns 0 and
 * fills req, or -1 when no requirement can be proven; anything unusual in
 * the pattern gives -1, never a wrong answer.
 */
int			 prefilter_required(const char *pattern,
			     unsigned int opts, struct prefilter_req *req);
/* Frees the contents of req; accepts NULL and a zeroed req. */
void			 prefilter_req_free(struct prefilter_req *req);

struct prefilter;

struct prefilter	*prefilter_new(void);
void			 prefilter_free(struct prefilter *pf);
/* Adds a literal (lower-cased ASCII) and returns its id; an equal literal
 * added before gives the same id.  Call prefilter_build before scanning. */
size_t			 prefilter_add(struct prefilter *pf, const char *lit,
			     size_t len);
void			 prefilter_build(struct prefilter *pf);
/* 1 when built and usable: a scan of an unbuilt prefilter finds nothing. */
int			 prefilter_ready(const struct prefilter *pf);
size_t			 prefilter_count(const struct prefilter *pf);
size_t			 prefilter_lit_len(const struct prefilter *pf,
			     size_t id);

/*
 * What scans found, owned by the caller so one prefilter serves many
 * threads.  Each scan forgets the previous one.  Per literal: whether it
 * was found (stamp == gen), its first offset, and its occurrences in
 * offset order as a list through occ.  When more than PREFILTER_MAX_OCC
 * occurrences turn up, overflow is set and the lists are incomplete (the
 * first offsets stay exact).
 */
#define PREFILTER_MAX_OCC	4096
#define PREFILTER_NONE		UINT32_MAX

struct prefilter_occ {
	size_t		 pos;
	uint32_t	 lit;
	uint32_t	 next;		/* next of the same literal, or NONE */
};

struct prefilter_hits {
	uint32_t		 gen;
	uint32_t		*stamp;
	size_t			 nlits;	/* of stamp */
	size_t			*first;
	uint32_t		*head;	/* first occurrence, an index in occ */
	uint32_t		*count;	/* occurrences listed */
	struct prefilter_occ	*occ;
	size_t			 nocc;
	int			 overflow;
};

/* For prefilters of up to nlits literals (prefilter_count). */
void			 prefilter_hits_init(struct prefilter_hits *h,
			     size_t nlits);
void			 prefilter_hits_free(struct prefilter_hits *h);
/* Forgets the last scan without scanning anything. */
void			 prefilter_hits_clear(struct prefilter_hits *h);
/* Scans s, ASCII case-insensitively. */
void			 prefilter_scan(const struct prefilter *pf,
			     const char *s, size_t len,
			     struct prefilter_hits *h);

#endif
