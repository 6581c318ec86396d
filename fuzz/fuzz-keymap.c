/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: the keymap loader of tui/keymap.c (curses-free), with an
 * action table like the real one, then lookups and the help listing over
 * what it bound.
 */
#include "config.h"

#include <stdlib.h>

#include "diag.h"
#include "fuzz/fuzz.h"
#include "tui/keymap.h"
#include "tui/keyname.h"

/* The names of tui/actions.c, sorted, plus move-message, which takes an
 * argument, so both kinds of binding are fuzzed. */
static const struct keymap_action fuzz_actions[] = {
	{ "close-message", 0 }, { "first-message", 0 }, { "help", 0 },
	{ "junk-flagged", 0 }, { "junk-message", 0 }, { "last-message", 0 },
	{ "limit-flagged", 0 }, { "line-down", 0 }, { "line-up", 0 },
	{ "move-message", 1 }, { "next-message", 0 }, { "not-phish", 0 },
	{ "open-message", 0 }, { "page-down", 0 }, { "page-up", 0 },
	{ "prev-message", 0 }, { "quit", 0 }, { "redraw", 0 },
	{ "refresh", 0 }, { "search", 0 }, { "search-next", 0 },
	{ "show-problems", 0 }, { "sort-date", 0 }, { "sort-score", 0 },
	{ "tag-flagged", 0 }, { "tag-message", 0 }, { "tag-prefix", 0 },
	{ "toggle-explain", 0 }, { "undo", 0 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const key_code		 probe[] = { 'j', 'J', 'q', '?', 0x78ba };
	const struct keymap_binding	*out[64], *b;
	struct keymap			*km;
	struct diag			*d;
	char				*text, name[KEYNAME_MAX];
	key_code			 k;
	size_t				 i, j, n = 0, got;
	int				 c;

	text = fuzz_strndup(data, size);
	km = keymap_new(fuzz_actions, sizeof fuzz_actions /
	    sizeof fuzz_actions[0]);
	d = diag_new();
	keymap_load_string(km, "fuzz.keys", text, d);
	/* A second load on top exercises replacement and unbind. */
	keymap_load_string(km, "again.keys", text, d);
	for (c = 0; c < KEYMAP__COUNT; c++) {
		got = keymap_bindings(km, (enum keymap_context)c, out,
		    sizeof out / sizeof out[0]);
		for (i = 0; i < got && i < sizeof out / sizeof out[0]; i++) {
			b = out[i];
			/* Documented: printing a parsed key parses back. */
			keyname_print(b->key, name, sizeof name);
			if (keyname_parse(name, &k) != 0 || k != b->key)
				abort();
			n += strlen(name) + strlen(b->action) + strlen(b->file);
			if (b->arg != NULL)
				n += strlen(b->arg);
			if (keymap_lookup(km, b->ctx, b->key) != b)
				abort();
		}
		/* Unbound keys too, and the fall back to global. */
		for (j = 0; j < sizeof probe / sizeof probe[0]; j++)
			n += keymap_lookup(km, (enum keymap_context)c,
			    probe[j]) != NULL;
	}
	for (i = 0; i < diag_count(d); i++)
		n += strlen(diag_get(d, i));
	diag_free(d);
	keymap_free(km);
	free(text);
	fuzz_keep(n);
	return 0;
}
