/* SPDX-License-Identifier: ISC */
/*
 * A key press: a pending question or the search prompt gets it first;
 * otherwise the keymap names an action, its prerequisites are checked here
 * (so actions never repeat them), and the action runs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "i18n.h"
#include "tui.h"
#include "xalloc.h"

/* Why a store may be read-only (store_read_only), for the translators. */
static const char *const dispatch_read_only[] SAGI_UNUSED = {
	N_("mbox is read-only in sagi: nothing is moved or marked (convert "
	    "it to a Maildir to junk mail)"),
};

/* The answer to "move N flagged messages?". */
static void
dispatch_confirm(struct tui *t, key_code key)
{
	if (key == 'y' || key == 'Y') {
		worker_junk(t->worker, t->confirm_uids, t->nconfirm);
		tui_message(t, 0, _("moving %zu to %s…"), t->nconfirm,
		    t->junk != NULL ? t->junk : _("the junk folder"));
	} else
		tui_message(t, 0, "%s", _("nothing moved"));
	free(t->confirm_uids);
	t->confirm_uids = NULL;
	t->nconfirm = 0;
}

/* Appends the UTF-8 of code point c to the prompt, if it fits. */
static void
dispatch_prompt_add(struct tui *t, key_code c)
{
	size_t	len = strlen(t->input);
	char	u[4];
	size_t	n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (len + n < sizeof t->input) {
		memcpy(t->input + len, u, n);
		t->input[len + n] = '\0';
	}
}

static void
dispatch_prompt(struct tui *t, key_code key)
{
	size_t	len = strlen(t->input);

	switch (key) {
	case KEYC_ENTER:
		t->prompting = 0;
		if (len > 0) {
			free(t->search);
			t->search = xstrdup(t->input);
		}
		action_find("search-next")->fn(t, NULL);
		return;
	case KEYC_ESCAPE:
	case KEYC_CTRL | 'g':
		t->prompting = 0;
		tui_message(t, 0, "%s", _("search cancelled"));
		return;
	case KEYC_BSPACE:
		/* Drop one whole UTF-8 character. */
		while (len > 0 && ((unsigned char)t->input[len - 1] & 0xc0) == 0x80)
			len--;
		if (len > 0)
			len--;
		t->input[len] = '\0';
		return;
	case KEYC_SPACE:
		dispatch_prompt_add(t, ' ');
		return;
	}
	if ((key & KEYC_MASK_MOD) == 0 && key < KEYC_SPECIAL)
		dispatch_prompt_add(t, key);
}

void
tui_dispatch(struct tui *t, key_code key)
{
	const struct keymap_binding	*b;
	const struct action		*a;
	char				 name[KEYNAME_MAX];

	if (t->prompting) {
		dispatch_prompt(t, key);
		return;
	}
	if (t->confirm_uids != NULL) {
		dispatch_confirm(t, key);
		return;
	}
	if ((b = keymap_lookup(t->keymap, t->ctx, key)) == NULL ||
	    (a = action_find(b->action)) == NULL) {
		keyname_print(key, name, sizeof name);
		tui_message(t, 1, _("%s is not bound here (? shows the keys)"),
		    name);
		return;
	}
	if ((a->flags & ACT_NEED_MSG) && tui_current(t) == NULL) {
		tui_message(t, 1, "%s", _("no message selected"));
		return;
	}
	if ((a->flags & ACT_NEED_OPEN) && t->store_name == NULL) {
		tui_message(t, 1, "%s", t->failed ?
		    _("the mailbox could not be opened") :
		    _("the mailbox is still opening"));
		return;
	}
	if ((a->flags & ACT_NEED_WRITABLE) && t->read_only != NULL) {
		/* Said at once: the store would refuse anyway. */
		t->tag_prefix = 0;
		tui_message(t, 1, "%s", _(t->read_only));
		return;
	}
	if (t->message != NULL && !t->message_error) {
		free(t->message);
		t->message = NULL;
	}
	a->fn(t, b->arg);
	t->dirty = 1;
}
