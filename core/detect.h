/* SPDX-License-Identifier: ISC */
/*
 * The rule engine: evaluates a ruleset over a message's facts and returns a
 * verdict.  Contains no brand names, no Japanese strings and no patterns:
 * every decision comes from the rule packs.
 */
#ifndef DETECT_H
#define DETECT_H

#include "facts.h"
#include "rulepack.h"
#include "verdict.h"

struct detect_config {
	double		 suspect_at;	/* score at which a message is suspicious (default 4) */
	double		 phish_at;	/* score at which it is phish (default 8) */
};

#define DETECT_SUSPECT_AT	4.0
#define DETECT_PHISH_AT		8.0

/*
 * Evaluates every rule of rs over f.  Pattern rules run with a match and
 * depth limit; a limit hit is a non-match.  Returns an owned, finished
 * verdict (never NULL).  Advice and brand are left for the caller.
 */
struct verdict	*detect_eval(const struct ruleset *rs, const struct facts *f,
		    const struct detect_config *cfg);

/*
 * Working memory of detect_eval (rule states, prefilter hits, match data)
 * kept from one call to the next, so a thread judging many messages does
 * not allocate and clear it for each.  A scratch serves one call at a time
 * and one ruleset (it starts over when given another); rs must outlive it.
 * detect_eval_with(rs, f, cfg, NULL) is detect_eval.
 */
struct detect_scratch;

struct detect_scratch	*detect_scratch_new(void);
void			 detect_scratch_free(struct detect_scratch *ds);
struct verdict		*detect_eval_with(const struct ruleset *rs,
			    const struct facts *f,
			    const struct detect_config *cfg,
			    struct detect_scratch *ds);

#endif
