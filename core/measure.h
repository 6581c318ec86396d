/* SPDX-License-Identifier: ISC */
/*
 * Computes the facts (core/facts.h) of one message: decoded and normalised
 * fields, link facts, authentication facts and brand facts.  Measures only:
 * what counts as suspicious, and how much, is decided by the rule packs.
 * Brand knowledge (names, tokens, domains) comes from the loaded ruleset.
 */
#ifndef MEASURE_H
#define MEASURE_H

#include "facts.h"
#include "msg.h"
#include "norm.h"
#include "rulepack.h"
#include "url.h"

/*
 * What measure_quoted learns of a message's quoted text that
 * measure_message needs again for the same message: its normalised form
 * and whether it is defanged.  Optional; one message at a time.
 */
struct measure_memo {
	const struct msg	*m;		/* borrowed: whose quoted text; NULL = empty */
	char			*quoted_norm;	/* owned */
	int			 quoted_defanged;
};

struct prefilter_hits;

struct measure_ctx {
	const struct ruleset	*rules;		/* borrowed: brands */
	const struct url_ctx	*urls;		/* borrowed: public suffixes */
	const struct norm	*norm;		/* borrowed: normalisation */
	const char		*authserv_id;	/* trusted A-R id, NULL = topmost */
	struct measure_memo	*memo;		/* borrowed; NULL = none */
	/* Borrowed scratch for the brand prefilter, initialised for
	 * ruleset_brand_literals(rules) literals; NULL: one per message. */
	struct prefilter_hits	*brand_hits;
};

/* Frees what memo holds and empties it; memo itself is the caller's. */
void	measure_memo_clear(struct measure_memo *memo);

/* Adds the facts of m to f (which the caller resets). */
void	measure_message(const struct measure_ctx *ctx, const struct msg *m,
	    struct facts *f);

/*
 * Adds the facts of the quoted or forwarded part of m as if it were a
 * message of its own: the quoted text as body, the quoted links as links,
 * and the sender and subject lines of a forwarded-message block.  Used when
 * m carries no message/rfc822 part.  Returns 0, or -1 when m quotes nothing.
 */
int	measure_quoted(const struct measure_ctx *ctx,
	    const struct msg *m, struct facts *f);

#endif
