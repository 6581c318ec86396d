/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: the rule-pack loader (ruleset_load_string: parser,
 * validator, PCRE2 compile) and, for an accepted pack, its embedded
 * examples and list lookups, which run the compiled patterns.
 */
#include "config.h"

#include <stdlib.h>

#include "diag.h"
#include "fuzz/fuzz.h"
#include "rulepack.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset		*rs;
	struct diag		*d;
	const struct brand	*b;
	size_t			 i, n = 0, off, len;

	rs = ruleset_new();
	d = diag_new();
	if (ruleset_load_string(rs, "fuzz.rules", (const char *)data, size,
	    d) == 0) {
		ruleset_check_examples(rs, d);
		n += strlen(ruleset_version(rs)) + ruleset_rule_count(rs) +
		    ruleset_pack_count(rs);
		for (i = 0; i < ruleset_brand_count(rs); i++) {
			b = ruleset_brand(rs, i);
			n += (size_t)brand_owns_host(b, "www.example.co.jp");
			n += (size_t)brand_find(b, "amazon アマゾン", 17, &off,
			    &len);
			if (ruleset_brand_find(rs, b->id) == NULL)
				abort();
		}
		n += (size_t)ruleset_list_match(rs, "shorteners", "bit.ly");
	}
	for (i = 0; i < diag_count(d); i++)
		n += strlen(diag_get(d, i));
	diag_free(d);
	ruleset_free(rs);
	fuzz_keep(n);
	return 0;
}
