/* SPDX-License-Identifier: ISC */
/*
 * Keymaps: which key runs which named action in which screen, read from
 * keymap files ("bind index J junk-message").  The action table is handed
 * in; this module never runs an action and knows no curses.
 */
#ifndef KEYMAP_H
#define KEYMAP_H

#include <stddef.h>

#include "diag.h"
#include "keyname.h"

#define KEYMAP_LINE_MAX		1024		/* longer lines are diagnosed */
#define KEYMAP_FILE_MAX		(1u << 20)	/* bigger files are not read */
#define KEYMAP_MAX_PROBLEMS	50		/* then the rest is skipped */

struct keymap_action {			/* what keymap needs of an action */
	const char	*name;
	int		 takes_arg;	/* a binding may give one argument */
};

enum keymap_context {
	KEYMAP_GLOBAL,
	KEYMAP_INDEX,
	KEYMAP_PAGER,
	KEYMAP_EXPLAIN,
	KEYMAP_HELP,
	KEYMAP__COUNT
};

struct keymap_binding {
	key_code		 key;
	enum keymap_context	 ctx;
	const char		*action;	/* the action table's name */
	char			*arg;		/* owned by the keymap; or NULL */
	const char		*file;		/* where it was bound; owned */
	unsigned int		 line;		/* by the keymap */
};

struct keymap;

/*
 * An empty keymap.  actions (nactions entries) is borrowed and must outlive
 * the keymap; bindings point at its names.  Names must be unique.
 */
struct keymap	*keymap_new(const struct keymap_action *actions,
		     size_t nactions);
/* Frees the keymap and every binding.  Accepts NULL. */
void		 keymap_free(struct keymap *km);

/*
 * Reads the keymap file at path and applies its lines in order on top of
 * what km holds: "bind" adds or replaces the binding of a context and key,
 * "unbind" removes it (nothing to remove is fine).  Every problem goes to d
 * as "path:line:col: message" and its line is skipped; the other lines
 * still apply.  After KEYMAP_MAX_PROBLEMS problems the rest of the file is
 * skipped.  A second bind of the same context and key in one file is
 * reported as a warning and wins.  d may be NULL.
 * Returns 0 when the file was read (even with problems; see diag_count),
 * -1 when it cannot be read or is bigger than KEYMAP_FILE_MAX (a diag too,
 * and km is unchanged).
 */
int		 keymap_load(struct keymap *km, const char *path,
		     struct diag *d);
/*
 * The same for the NUL-terminated text, which is borrowed; name (borrowed)
 * stands for the file in diagnostics and in keymap_binding.file.  Always
 * returns 0.
 */
int		 keymap_load_string(struct keymap *km, const char *name,
		     const char *text, struct diag *d);

/*
 * The binding of key in ctx, else in KEYMAP_GLOBAL, else NULL.  Borrowed:
 * valid until km is next loaded into or freed, so a caller that may reload
 * the keymap while running a binding copies what it needs first.
 */
const struct keymap_binding *keymap_lookup(const struct keymap *km,
		     enum keymap_context ctx, key_code key);

/*
 * The bindings of ctx itself (not the global ones it falls back to), sorted
 * by action name and then by key code, for the help screen.  Stores up to
 * max borrowed pointers (valid as for keymap_lookup) in out, which may be
 * NULL when max is 0, and returns how many bindings ctx has, which may be
 * more than max.
 */
size_t		 keymap_bindings(const struct keymap *km,
		     enum keymap_context ctx,
		     const struct keymap_binding **out, size_t max);

/* "global", "index", "pager", "explain", "help"; NULL for no context. */
const char	*keymap_context_name(enum keymap_context c);

/*
 * The text of keymaps/default.keys, built into the binary so that sagi
 * works before it is installed.  Defined in tui/default-keys.c, which make
 * generates from the file; programs that do not link it must not use it.
 */
extern const char default_keys_text[];

#endif
