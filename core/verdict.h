/* SPDX-License-Identifier: ISC */
/*
 * The result of detection: score, level and the reasons, each already
 * explained in Japanese and English with its evidence filled in.  Public:
 * the CLI and the TUI read it and never re-run anything.
 */
#ifndef VERDICT_H
#define VERDICT_H

#include <stddef.h>

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
 * NULL. */
struct verdict		*verdict_dup(const struct verdict *v);
/* Sums scores, sorts hits and sets the level from the thresholds. */
void			 verdict_finish(struct verdict *v, double suspect_at, double phish_at);

/* "clean", "suspicious", "phish".  Static. */
const char		*verdict_level_name(enum verdict_level level);

#endif
