/* SPDX-License-Identifier: ISC */
/*
 * The action table: the only place an action exists.  Keymaps name
 * actions; dispatch checks the prerequisites; the act_* functions in
 * actions.c ask the worker and return.
 */
#ifndef ACTIONS_H
#define ACTIONS_H

#include <stddef.h>

#include "keymap.h"

struct tui;

enum act_result { ACT_DONE, ACT_NOTHING, ACT_FAILED, ACT_QUIT };

typedef enum act_result (*action_fn)(struct tui *t, const char *arg);

struct action {
	const char	*name;		/* "junk-message" */
	action_fn	 fn;
	unsigned int	 flags;
#define ACT_NEED_MSG		0x1	/* a message must be selected */
#define ACT_NEED_OPEN		0x2	/* the mailbox must be open */
#define ACT_TAKES_ARG		0x4	/* a binding may give one argument */
#define ACT_NEED_WRITABLE	0x8	/* the mailbox must not be read-only */
	const char	*summary;	/* one line, shown in help */
};

/* Sorted by name; a unit test checks order and uniqueness. */
const struct action	*action_table(size_t *count);
/* Exact match only.  NULL when unknown. */
const struct action	*action_find(const char *name);
/* The table in the shape keymap_new wants.  Static storage. */
const struct keymap_action *action_keymap_table(size_t *count);

#endif
