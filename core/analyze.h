/* SPDX-License-Identifier: ISC */
/*
 * The whole engine behind one call: message in, explained verdict out.
 * Owns the ruleset, the public-suffix and Unicode contexts; computes the
 * facts, runs the rules, looks at a forwarded message on its own, and
 * attaches the claimed brand's advice.  Safe to call from several threads
 * at once on one analyzer (everything it shares is read-only).
 */
#ifndef ANALYZE_H
#define ANALYZE_H

#include "detect.h"
#include "diag.h"
#include "msg.h"
#include "rulepack.h"
#include "verdict.h"

struct analyzer;

struct analyzer_config {
	const char		*authserv_id;	/* trusted A-R authserv-id, NULL = topmost */
	struct detect_config	 thresholds;
};

/* Adopts rs.  Returns NULL and sets *cause (owned) when the Unicode or
 * public-suffix data cannot be loaded; rs is freed then too. */
struct analyzer	*analyzer_new(struct ruleset *rs, const struct analyzer_config *cfg,
		    char **cause);
void		 analyzer_free(struct analyzer *a);
const struct ruleset *analyzer_ruleset(const struct analyzer *a);

/* Owned verdict, never NULL. */
struct verdict	*analyzer_run(const struct analyzer *a, const struct msg *m);

/*
 * Loads rule packs from files and directories (a directory means every
 * *.rules in it).  Problems go to d; rejected packs are left out.  Returns
 * an owned ruleset, possibly empty.
 */
struct ruleset	*analyzer_load_rules(const char *const *paths, size_t npaths,
		    struct diag *d);
/* Runs every embedded example of rs; failures go to d.  Returns failures. */
int		 analyzer_check_rules(const struct ruleset *rs, struct diag *d);
void		 analyzer_rules_summary(const struct ruleset *rs, size_t *packs,
		    size_t *rules, size_t *brands);

/*
 * What the receiving servers already said about m, one line each: the
 * trusted Authentication-Results in short ("spf=pass (example.jp) dkim=…")
 * and spam-filter headers (X-Spam-Status…), capped, control characters
 * made spaces.  "" when they said nothing.  Owned.
 */
char		*analyzer_server_said(const struct analyzer *a, const struct msg *m);

/* Defanged copy of a URL for display (hxxps://evil[.]example/…).  Owned. */
char		*analyzer_defang(const char *url);

#endif
