/* SPDX-License-Identifier: ISC */
/*
 * Every action of the interface, in one table (STYLE §2.8).  An action
 * changes what is shown or asks the worker to do something, then returns;
 * it never touches IMAP, Maildir or curses itself.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actions.h"
#include "conf.h"
#include "buf.h"
#include "i18n.h"
#include "tui.h"
#include "xalloc.h"

static size_t
act_page(const struct tui *t)
{
	int	h = t->height - 3;

	if (t->explain && t->width < 140)
		h = h / 2;
	return h > 1 ? (size_t)h : 1;
}

static void
act_move(struct tui *t, long delta)
{
	long	cur = (long)t->cur + delta;

	if (t->nview == 0)
		return;
	if (cur < 0)
		cur = 0;
	if (cur >= (long)t->nview)
		cur = (long)t->nview - 1;
	t->cur = (size_t)cur;
	if (t->ctx == KEYMAP_PAGER)
		tui_want_message(t);
	else if (t->explain)
		tui_want_message(t);
}

static void
act_scroll(struct tui *t, long delta)
{
	long	top = (long)t->line_top + delta;
	long	max = (long)t->nlines - (long)act_page(t);

	if (max < 0)
		max = 0;
	if (top > max)
		top = max;
	if (top < 0)
		top = 0;
	t->line_top = (size_t)top;
}

static enum act_result
act_next(struct tui *t, const char *arg)
{
	(void)arg;
	act_move(t, 1);
	return ACT_DONE;
}

static enum act_result
act_prev(struct tui *t, const char *arg)
{
	(void)arg;
	act_move(t, -1);
	return ACT_DONE;
}

static enum act_result
act_page_down(struct tui *t, const char *arg)
{
	(void)arg;
	if (t->ctx == KEYMAP_INDEX)
		act_move(t, (long)act_page(t));
	else
		act_scroll(t, (long)act_page(t) - 1);
	return ACT_DONE;
}

static enum act_result
act_page_up(struct tui *t, const char *arg)
{
	(void)arg;
	if (t->ctx == KEYMAP_INDEX)
		act_move(t, -(long)act_page(t));
	else
		act_scroll(t, -((long)act_page(t) - 1));
	return ACT_DONE;
}

static enum act_result
act_line_down(struct tui *t, const char *arg)
{
	(void)arg;
	act_scroll(t, 1);
	return ACT_DONE;
}

static enum act_result
act_line_up(struct tui *t, const char *arg)
{
	(void)arg;
	act_scroll(t, -1);
	return ACT_DONE;
}

static enum act_result
act_first(struct tui *t, const char *arg)
{
	(void)arg;
	act_move(t, -(long)t->nview);
	return ACT_DONE;
}

static enum act_result
act_last(struct tui *t, const char *arg)
{
	(void)arg;
	act_move(t, (long)t->nview);
	return ACT_DONE;
}

static enum act_result
act_open(struct tui *t, const char *arg)
{
	(void)arg;
	t->back_ctx = KEYMAP_INDEX;
	t->ctx = KEYMAP_PAGER;
	t->line_top = 0;
	tui_want_message(t);
	return ACT_DONE;
}

static enum act_result
act_close(struct tui *t, const char *arg)
{
	(void)arg;
	t->ctx = t->back_ctx == KEYMAP_PAGER && t->ctx != KEYMAP_PAGER ?
	    KEYMAP_PAGER : KEYMAP_INDEX;
	t->back_ctx = KEYMAP_INDEX;
	t->line_top = 0;
	if (t->ctx == KEYMAP_PAGER)
		tui_want_message(t);
	return ACT_DONE;
}

static enum act_result
act_explain(struct tui *t, const char *arg)
{
	(void)arg;
	t->explain = !t->explain;
	if (t->explain)
		tui_want_message(t);
	return ACT_DONE;
}

/* The uids an action applies to: the tagged ones after ';', else the
 * current one.  Returns the count; *out owned. */
static size_t
act_targets(struct tui *t, uint32_t **out)
{
	struct tui_row	*row;
	size_t		 i, n = 0;

	*out = xcalloc(t->nrows + 1, sizeof **out);
	if (t->tag_prefix) {
		t->tag_prefix = 0;
		for (i = 0; i < t->nrows; i++) {
			if (t->rows[i].tagged)
				(*out)[n++] = t->rows[i].r.uid;
		}
		return n;
	}
	if ((row = tui_current(t)) != NULL)
		(*out)[n++] = row->r.uid;
	return n;
}

static enum act_result
act_junk(struct tui *t, const char *arg)
{
	uint32_t	*uids;
	size_t		 n;

	(void)arg;
	if ((n = act_targets(t, &uids)) == 0) {
		free(uids);
		tui_message(t, 1, "%s", _("no tagged messages"));
		return ACT_NOTHING;
	}
	worker_junk(t->worker, uids, n);
	tui_message(t, 0, _("moving %zu to %s…"), n,
	    t->junk != NULL ? t->junk : _("the junk folder"));
	free(uids);
	return ACT_DONE;
}

static enum act_result
act_tag(struct tui *t, const char *arg)
{
	struct tui_row	*row = tui_current(t);

	(void)arg;
	if (row == NULL)
		return ACT_NOTHING;
	row->tagged = !row->tagged;
	act_move(t, 1);
	return ACT_DONE;
}

static int
act_is_flagged(const struct tui *t, const struct tui_row *row)
{
	return row->r.verdict != NULL &&
	    row->r.verdict->level == VERDICT_PHISH &&
	    !(row->r.flags & STORE_NOTJUNK) && !tui_trusted(t, row);
}

static enum act_result
act_tag_flagged(struct tui *t, const char *arg)
{
	size_t	i, n = 0;

	(void)arg;
	for (i = 0; i < t->nrows; i++) {
		if (act_is_flagged(t, &t->rows[i])) {
			t->rows[i].tagged = 1;
			n++;
		}
	}
	tui_message(t, 0, _("%zu flagged messages tagged"), n);
	return ACT_DONE;
}

static enum act_result
act_tag_prefix(struct tui *t, const char *arg)
{
	size_t	i, n = 0;

	(void)arg;
	for (i = 0; i < t->nrows; i++)
		n += t->rows[i].tagged != 0;
	if (n == 0) {
		tui_message(t, 1, "%s", _("no tagged messages"));
		return ACT_NOTHING;
	}
	t->tag_prefix = 1;
	tui_message(t, 0, _("next action applies to %zu tagged messages"), n);
	return ACT_DONE;
}

static enum act_result
act_junk_flagged(struct tui *t, const char *arg)
{
	struct buf	 b;
	char		**tags;
	size_t		*counts, ntags = 0, i, k;

	(void)arg;
	free(t->confirm_uids);
	t->confirm_uids = xcalloc(t->nrows + 1, sizeof *t->confirm_uids);
	t->nconfirm = 0;
	tags = xcalloc(t->nrows + 1, sizeof *tags);
	counts = xcalloc(t->nrows + 1, sizeof *counts);
	for (i = 0; i < t->nrows; i++) {
		char *tag;

		if (!act_is_flagged(t, &t->rows[i]))
			continue;
		t->confirm_uids[t->nconfirm++] = t->rows[i].r.uid;
		tag = report_reason_tag(&t->ro, t->rows[i].r.verdict);
		for (k = 0; k < ntags && strcmp(tags[k], tag) != 0; k++)
			;
		if (k == ntags)
			tags[ntags++] = tag;
		else
			free(tag);
		counts[k]++;
	}
	if (t->nconfirm == 0) {
		tui_message(t, 0, "%s", _("no flagged messages to move"));
		free(t->confirm_uids);
		t->confirm_uids = NULL;
	} else {
		buf_init(&b);
		buf_printf(&b, _("Move %zu flagged messages to %s?"), t->nconfirm,
		    t->junk != NULL ? t->junk : _("the junk folder"));
		for (k = 0; k < ntags; k++)
			buf_printf(&b, "%s%s %zu", k == 0 ? " (" : ", ", tags[k],
			    counts[k]);
		buf_printf(&b, ") [y/N]");
		tui_message(t, 0, "%s", b.data);
		buf_free(&b);
	}
	for (k = 0; k < ntags; k++)
		free(tags[k]);
	free(tags);
	free(counts);
	return ACT_DONE;
}

static enum act_result
act_undo(struct tui *t, const char *arg)
{
	(void)arg;
	worker_undo(t->worker);
	tui_message(t, 0, "%s", _("undoing the last move…"));
	return ACT_DONE;
}

/* Remembers the sender in the config file and in the account in memory. */
static void
act_trust_sender(struct tui *t, const char *addr)
{
	struct account	*a = t->account;
	char		*cause = NULL;

	if (a == NULL || t->conf_path == NULL || a->name == NULL ||
	    account_trusts_sender(a, addr))
		return;
	if (conf_add_trusted_sender(t->conf_path, a->name, addr, &cause) != 0) {
		tui_message(t, 1, _("could not remember %s: %s"), addr, cause);
		free(cause);
		return;
	}
	a->trusted_senders = xreallocarray(a->trusted_senders,
	    a->ntrusted_senders + 1, sizeof *a->trusted_senders);
	a->trusted_senders[a->ntrusted_senders++] = xstrdup(addr);
}

static enum act_result
act_not_phish(struct tui *t, const char *arg)
{
	struct tui_row	*row = tui_current(t);

	(void)arg;
	if (row == NULL)
		return ACT_NOTHING;
	worker_not_junk(t->worker, row->r.uid);
	if (row->r.from_addr != NULL)
		act_trust_sender(t, row->r.from_addr);
	return ACT_DONE;
}

static enum act_result
act_limit(struct tui *t, const char *arg)
{
	(void)arg;
	t->limit_flagged = !t->limit_flagged;
	tui_view_rebuild(t);
	tui_message(t, 0, "%s", t->limit_flagged ?
	    _("showing phish and suspicious messages only") :
	    _("showing all messages"));
	return ACT_DONE;
}

static int
act_matches(const struct tui_row *row, const char *needle)
{
	return (row->r.subject != NULL && strcasestr(row->r.subject, needle)) ||
	    (row->r.from != NULL && strcasestr(row->r.from, needle));
}

static enum act_result
act_search_next(struct tui *t, const char *arg)
{
	size_t	i, at;

	(void)arg;
	if (t->search == NULL || *t->search == '\0') {
		tui_message(t, 1, "%s", _("no search yet (press / first)"));
		return ACT_NOTHING;
	}
	for (i = 1; i <= t->nview; i++) {
		at = (t->cur + i) % t->nview;
		if (act_matches(&t->rows[t->view[at]], t->search)) {
			t->cur = at;
			if (t->explain || t->ctx == KEYMAP_PAGER)
				tui_want_message(t);
			return ACT_DONE;
		}
	}
	tui_message(t, 1, _("not found: %s"), t->search);
	return ACT_NOTHING;
}

/* The prompt itself is read by the main loop, which then calls
 * search-next; this only starts it. */
static enum act_result
act_search(struct tui *t, const char *arg)
{
	(void)arg;
	t->prompting = 1;
	t->input[0] = '\0';
	return ACT_DONE;
}

static enum act_result
act_sort_date(struct tui *t, const char *arg)
{
	(void)arg;
	t->sort = TUI_SORT_DATE;
	tui_view_rebuild(t);
	tui_message(t, 0, "%s", _("sorted by date"));
	return ACT_DONE;
}

static enum act_result
act_sort_score(struct tui *t, const char *arg)
{
	(void)arg;
	t->sort = TUI_SORT_SCORE;
	tui_view_rebuild(t);
	tui_message(t, 0, "%s", _("sorted by score, worst first"));
	return ACT_DONE;
}

static enum act_result
act_refresh(struct tui *t, const char *arg)
{
	(void)arg;
	worker_refresh(t->worker);
	tui_message(t, 0, "%s", _("checking for new mail…"));
	return ACT_DONE;
}

static enum act_result act_help(struct tui *, const char *);

static enum act_result
act_redraw(struct tui *t, const char *arg)
{
	(void)arg;
	t->dirty = 2;
	return ACT_DONE;
}

static enum act_result
act_problems(struct tui *t, const char *arg)
{
	struct buf	 b;
	size_t		 i;

	(void)arg;
	if (t->problems == NULL || diag_count(t->problems) == 0) {
		tui_message(t, 0, "%s", _("no problems"));
		return ACT_NOTHING;
	}
	buf_init(&b);
	for (i = 0; i < diag_count(t->problems); i++)
		buf_printf(&b, "%s\n", diag_get(t->problems, i));
	t->back_ctx = t->ctx;
	tui_show_text(t, KEYMAP_HELP, b.data);
	buf_free(&b);
	return ACT_DONE;
}

static enum act_result
act_quit(struct tui *t, const char *arg)
{
	(void)arg;
	if (t->ctx != KEYMAP_INDEX)
		return act_close(t, NULL);
	t->quit = 1;
	return ACT_QUIT;
}

/* clang-format off */
static const struct action actions[] = {
	{ "close-message",	act_close,	0,
	  N_("Return to the message list") },
	{ "first-message",	act_first,	0,
	  N_("Go to the first message") },
	{ "help",		act_help,	0,
	  N_("Show the keys and what they do") },
	{ "junk-flagged",	act_junk_flagged, ACT_NEED_OPEN | ACT_NEED_WRITABLE,
	  N_("Move every phish to the junk folder (asks first)") },
	{ "junk-message",	act_junk,	ACT_NEED_MSG | ACT_NEED_OPEN |
	    ACT_NEED_WRITABLE,
	  N_("Move the message (or the tagged ones) to the junk folder") },
	{ "last-message",	act_last,	0,
	  N_("Go to the last message") },
	{ "limit-flagged",	act_limit,	0,
	  N_("Show only phish and suspicious messages, or all again") },
	{ "line-down",		act_line_down,	0,
	  N_("Scroll down one line") },
	{ "line-up",		act_line_up,	0,
	  N_("Scroll up one line") },
	{ "next-message",	act_next,	0,
	  N_("Select the next message") },
	{ "not-phish",		act_not_phish,	ACT_NEED_MSG | ACT_NEED_OPEN |
	    ACT_NEED_WRITABLE,
	  N_("Mark the message \"not phish\" ($NotJunk)") },
	{ "open-message",	act_open,	ACT_NEED_MSG,
	  N_("Show the message: text, links and evidence") },
	{ "page-down",		act_page_down,	0,
	  N_("Down one page") },
	{ "page-up",		act_page_up,	0,
	  N_("Up one page") },
	{ "prev-message",	act_prev,	0,
	  N_("Select the previous message") },
	{ "quit",		act_quit,	0,
	  N_("Leave sagi (or the current screen)") },
	{ "redraw",		act_redraw,	0,
	  N_("Redraw the screen") },
	{ "refresh",		act_refresh,	ACT_NEED_OPEN,
	  N_("Check the mailbox for new mail") },
	{ "search",		act_search,	0,
	  N_("Search sender and subject") },
	{ "search-next",	act_search_next, 0,
	  N_("Find the next match of the search") },
	{ "show-problems",	act_problems,	0,
	  N_("Show problems found in keymaps and config") },
	{ "sort-date",		act_sort_date,	0,
	  N_("Sort by date") },
	{ "sort-score",		act_sort_score,	0,
	  N_("Sort by score, worst first") },
	{ "tag-flagged",	act_tag_flagged, 0,
	  N_("Tag every phish") },
	{ "tag-message",	act_tag,	ACT_NEED_MSG,
	  N_("Tag or untag the message") },
	{ "tag-prefix",		act_tag_prefix,	0,
	  N_("Apply the next action to the tagged messages") },
	{ "toggle-explain",	act_explain,	0,
	  N_("Show or hide why the message was judged so") },
	{ "undo",		act_undo,	ACT_NEED_OPEN | ACT_NEED_WRITABLE,
	  N_("Undo the last move") },
};
/* clang-format on */

static enum act_result
act_help(struct tui *t, const char *arg)
{
	const struct keymap_binding	*b[256];
	enum keymap_context		 ctxs[2];
	struct buf			 out;
	size_t				 n, i, c;
	char				 key[64];

	(void)arg;
	ctxs[0] = t->ctx == KEYMAP_HELP ? t->back_ctx : t->ctx;
	ctxs[1] = KEYMAP_GLOBAL;
	buf_init(&out);
	for (c = 0; c < 2; c++) {
		n = keymap_bindings(t->keymap, ctxs[c], b, SAGI_NITEMS(b));
		if (n == 0)
			continue;
		buf_printf(&out, "%s%s:\n", c == 0 ? "" : "\n",
		    keymap_context_name(ctxs[c]));
		for (i = 0; i < n; i++) {
			const struct action *a = action_find(b[i]->action);

			keyname_print(b[i]->key, key, sizeof key);
			buf_printf(&out, "  %-10s %-16s %s\n", key, b[i]->action,
			    a != NULL ? _(a->summary) : "");
		}
	}
	if (t->ctx != KEYMAP_HELP)
		t->back_ctx = t->ctx;
	tui_show_text(t, KEYMAP_HELP, out.data != NULL ? out.data : "");
	buf_free(&out);
	return ACT_DONE;
}

const struct action *
action_table(size_t *count)
{
	*count = SAGI_NITEMS(actions);
	return actions;
}

const struct action *
action_find(const char *name)
{
	size_t	lo = 0, hi = SAGI_NITEMS(actions), mid;
	int	c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(name, actions[mid].name)) == 0)
			return &actions[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct keymap_action *
action_keymap_table(size_t *count)
{
	static struct keymap_action	table[SAGI_NITEMS(actions)];
	size_t				i;

	for (i = 0; i < SAGI_NITEMS(actions); i++) {
		table[i].name = actions[i].name;
		table[i].takes_arg = (actions[i].flags & ACT_TAKES_ARG) != 0;
	}
	*count = SAGI_NITEMS(actions);
	return table;
}
