/* SPDX-License-Identifier: ISC */
/*
 * The result of detection: score, level and the reasons, each already
 * explained in Japanese and English with its evidence filled in.  Public:
 * the CLI and the TUI read it and never re-run anything.
 */
#ifndef VERDICT_H
#define VERDICT_H

#include <stddef.h>

struct strpool;

enum verdict_level { VERDICT_CLEAN, VERDICT_SUSPECT, VERDICT_PHISH };
enum verdict_lang { VERDICT_EN, VERDICT_JA };

struct verdict_hit {
	char		*rule;		/* "pack/rule" */
	double		 score;		/* points after group caps */
	char		*explain[2];	/* indexed by enum verdict_lang; finished text */
	char		*evidence;	/* concrete text the rule saw ("" if none) */
};

struct verdict {
	double			 score;
	enum verdict_level	 level;
	struct verdict_hit	*hits;		/* sorted by descending |score|, then rule id */
	size_t			 nhits;
	char			*brand;		/* id of the claimed brand advice is for, or NULL */
	char			*brand_name;
	char			*advice_check[2];	/* how to check (NULL when no brand) */
	char			*advice_victim[2];	/* what to do if details were entered */
	struct verdict		*forwarded;	/* verdict of a forwarded/quoted message, or NULL */
	/* NULL: the strings above (the hits', the forwarded verdict's) are
	 * owned.  Else they are borrowed from this pool (verdict_intern),
	 * whose owner keeps it alive longer than the verdict. */
	const struct strpool	*strings;
};

struct verdict		*verdict_new(void);
/* Frees v and everything it owns, forwarded included; accepts NULL. */
void			 verdict_free(struct verdict *v);
/* Adds a hit; copies every string.  Keeps hits unsorted until verdict_finish. */
void			 verdict_add_hit(struct verdict *v, const char *rule, double score,
			    const char *explain_en, const char *explain_ja,
			    const char *evidence);
/* Nesting kept of forwarded verdicts (a forward of a forward…). */
#define VERDICT_MAX_DEPTH	4

/* A deep copy (forwarded verdicts too, VERDICT_MAX_DEPTH deep); NULL for
 * NULL.  The copy owns its strings, whether v's were pooled or not. */
struct verdict		*verdict_dup(const struct verdict *v);
/*
 * Moves the strings of a finished verdict (forwarded ones too) into pool,
 * so that equal strings of many verdicts are held once: v's strings are
 * then borrowed from pool, which must outlive v, and verdict_free frees
 * only the structures.  Nothing may add hits to v afterwards.  Does
 * nothing for NULL or a verdict already in pool.
 */
void			 verdict_intern(struct verdict *v, struct strpool *pool);
/* Sums scores, sorts hits and sets the level from the thresholds. */
void			 verdict_finish(struct verdict *v, double suspect_at, double phish_at);

/* "clean", "suspicious", "phish".  Static. */
const char		*verdict_level_name(enum verdict_level level);

#endif
