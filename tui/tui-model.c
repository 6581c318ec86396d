/* SPDX-License-Identifier: ISC */
/*
 * The interface's model, without curses: rows copied from the worker's
 * events, the view (limit, search, sort), what the pager shows, the bottom
 * line.  Split from tui.c so that the actions and dispatch are unit-tested
 * over a fake store (tests/unit/test-dispatch.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "i18n.h"
#include "text.h"
#include "tui.h"
#include "xalloc.h"

static double
tui_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
tui_message(struct tui *t, int err, const char *fmt, ...)
{
	va_list	ap;

	free(t->message);
	va_start(ap, fmt);
	t->message = xvasprintf(fmt, ap);
	va_end(ap);
	t->message_error = err;
	t->dirty = 1;
}

struct tui_row *
tui_current(struct tui *t)
{
	if (t->nview == 0 || t->cur >= t->nview)
		return NULL;
	return &t->rows[t->view[t->cur]];
}

static int
tui_row_cmp(const void *a, const void *b)
{
	const struct tui_row *x = a, *y = b;

	return x->r.uid < y->r.uid ? -1 : x->r.uid > y->r.uid;
}

struct tui_row *
tui_row_find(struct tui *t, uint32_t uid)
{
	struct tui_row	key;

	if (t->nrows == 0)
		return NULL;
	key.r.uid = uid;
	return bsearch(&key, t->rows, t->nrows, sizeof *t->rows, tui_row_cmp);
}

int
tui_trusted(const struct tui *t, const struct tui_row *row)
{
	return t->account != NULL && row->r.from_addr != NULL &&
	    account_trusts_sender(t->account, row->r.from_addr);
}

void
tui_counts(const struct tui *t, size_t *phish, size_t *suspect, size_t *judged)
{
	*phish = t->nphish;
	*suspect = t->nsuspect;
	*judged = t->njudged;
}

/*
 * Adds (sign 1) or takes away (sign -1) what row counts for.  Every change
 * of a row's verdict goes between the two, so the title never walks the
 * rows.
 */
static void
tui_count_row(struct tui *t, const struct tui_row *row, int sign)
{
	const struct verdict	*v = row->r.verdict;
	size_t			*c;

	if (v == NULL)
		return;
	c = v->level == VERDICT_PHISH ? &t->nphish :
	    v->level == VERDICT_SUSPECT ? &t->nsuspect : NULL;
	if (sign > 0) {
		t->njudged++;
		if (c != NULL)
			(*c)++;
	} else {
		t->njudged--;
		if (c != NULL)
			(*c)--;
	}
}

/* qsort has no context argument: the sort of the view being built. */
static const struct tui *tui_sorting;

static int
tui_view_cmp(const void *a, const void *b)
{
	const struct tui_row	*x = &tui_sorting->rows[*(const size_t *)a];
	const struct tui_row	*y = &tui_sorting->rows[*(const size_t *)b];
	double			 sx, sy;

	if (tui_sorting->sort == TUI_SORT_SCORE) {
		sx = x->r.verdict != NULL ? x->r.verdict->score : -1e9;
		sy = y->r.verdict != NULL ? y->r.verdict->score : -1e9;
		if (sx != sy)
			return sx > sy ? -1 : 1;
	} else if (x->r.date != y->r.date)
		return x->r.date < y->r.date ? -1 : 1;
	return x->r.uid < y->r.uid ? -1 : x->r.uid > y->r.uid;
}

/* Rebuilds the view, putting the cursor back on uid keep when shown. */
static void
tui_view_rebuild_keep(struct tui *t, uint32_t keep)
{
	size_t	i;

	free(t->view);
	t->view = xcalloc(t->nrows + 1, sizeof *t->view);
	t->nview = 0;
	for (i = 0; i < t->nrows; i++) {
		const struct verdict *v = t->rows[i].r.verdict;

		if (t->limit_flagged && (v == NULL || v->level == VERDICT_CLEAN))
			continue;
		t->view[t->nview++] = i;
	}
	tui_sorting = t;
	qsort(t->view, t->nview, sizeof *t->view, tui_view_cmp);
	tui_sorting = NULL;
	if (t->cur >= t->nview)
		t->cur = t->nview > 0 ? t->nview - 1 : 0;
	for (i = 0; i < t->nview && keep != 0; i++) {
		if (t->rows[t->view[i]].r.uid == keep) {
			t->cur = i;
			break;
		}
	}
	t->dirty = 1;
}

/*
 * Rows came or went under the user: the view is rebuilt around the
 * message under the cursor, which also keeps its line on the screen, so
 * that a listing still arriving never moves what the user looks at.
 */
static void
tui_view_rebuild_steady(struct tui *t, uint32_t keep)
{
	size_t	off = t->cur >= t->top ? t->cur - t->top : 0;

	tui_view_rebuild_keep(t, keep);
	if (keep != 0)
		t->top = t->cur >= off ? t->cur - off : 0;
}

void
tui_view_rebuild(struct tui *t)
{
	tui_view_rebuild_keep(t, tui_current(t) != NULL ?
	    tui_current(t)->r.uid : 0);
}

static void
tui_row_clear(struct tui_row *row)
{
	worker_row_clear(&row->r);
	memset(row, 0, sizeof *row);
}

/* The complete list from the worker: adopt it, keeping tags. */
static void
tui_take_rows(struct tui *t, struct worker_event *e)
{
	struct tui_row	*rows = xcalloc(e->nrows + 1, sizeof *rows);
	struct tui_row	*old;
	uint32_t	 keep;
	size_t		 i;

	/* The view indexes the old rows: read the cursor before they go. */
	keep = tui_current(t) != NULL ? tui_current(t)->r.uid : 0;

	for (i = 0; i < e->nrows; i++) {
		rows[i].r = e->rows[i];
		if ((old = tui_row_find(t, rows[i].r.uid)) != NULL)
			rows[i].tagged = old->tagged;
	}
	for (i = 0; i < t->nrows; i++)
		tui_row_clear(&t->rows[i]);
	free(t->rows);
	t->rows = rows;
	t->nrows = e->nrows;
	qsort(t->rows, t->nrows, sizeof *t->rows, tui_row_cmp);
	t->nphish = t->nsuspect = t->njudged = 0;
	for (i = 0; i < t->nrows; i++)
		tui_count_row(t, &t->rows[i], 1);
	free(e->rows);
	e->rows = NULL;
	e->nrows = 0;
	t->nview = 0;
	tui_view_rebuild_steady(t, keep);
}

static int
tui_worker_row_cmp(const void *a, const void *b)
{
	const struct worker_row *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/*
 * Part of a listing under way: each row replaces the one with its uid
 * (keeping its tag) or joins the list.  One merge of two uid-sorted lists;
 * the cursor stays on its message wherever the new rows sort.
 */
static void
tui_take_listed(struct tui *t, struct worker_event *e)
{
	struct tui_row	*rows, *out;
	uint32_t	 keep;
	size_t		 i = 0, j = 0, n;

	if (e->nrows == 0)
		return;
	keep = tui_current(t) != NULL ? tui_current(t)->r.uid : 0;
	/* Of two copies of one uid in a post either may win: WORKER_ROWS,
	 * which ends the listing, settles it. */
	qsort(e->rows, e->nrows, sizeof *e->rows, tui_worker_row_cmp);
	rows = xcalloc(t->nrows + e->nrows + 1, sizeof *rows);
	n = 0;
	while (i < t->nrows || j < e->nrows) {
		out = &rows[n];
		if (j == e->nrows || (i < t->nrows &&
		    t->rows[i].r.uid < e->rows[j].uid)) {
			*out = t->rows[i++];
			n++;
			continue;
		}
		if (n > 0 && rows[n - 1].r.uid == e->rows[j].uid) {
			/* A second copy in this post, or the row it
			 * replaces: the new one takes the place. */
			out = &rows[n - 1];
			tui_count_row(t, out, -1);
			worker_row_clear(&out->r);
		} else if (i < t->nrows && t->rows[i].r.uid == e->rows[j].uid) {
			*out = t->rows[i++];
			tui_count_row(t, out, -1);
			worker_row_clear(&out->r);
			n++;
		} else {
			memset(out, 0, sizeof *out);
			n++;
		}
		out->r = e->rows[j];
		memset(&e->rows[j], 0, sizeof e->rows[j]);
		j++;
		tui_count_row(t, out, 1);
	}
	free(t->rows);
	t->rows = rows;
	t->nrows = n;
	tui_view_rebuild_steady(t, keep);
}

/* New verdicts for some rows. */
static void
tui_take_verdicts(struct tui *t, struct worker_event *e)
{
	struct tui_row	*row;
	size_t		 i;

	for (i = 0; i < e->nrows; i++) {
		if ((row = tui_row_find(t, e->rows[i].uid)) == NULL)
			continue;
		tui_count_row(t, row, -1);
		verdict_free(row->r.verdict);
		row->r.verdict = e->rows[i].verdict;
		e->rows[i].verdict = NULL;
		free(row->r.error);
		row->r.error = e->rows[i].error;
		e->rows[i].error = NULL;
		tui_count_row(t, row, 1);
	}
	if (t->limit_flagged || t->sort == TUI_SORT_SCORE)
		tui_view_rebuild(t);
	t->dirty = 1;
}

int
tui_key_for(const struct tui *t, enum keymap_context ctx, const char *action,
    char *buf, size_t len)
{
	const struct keymap_binding	*b[256];
	enum keymap_context		 c[2];
	size_t				 n, i, k;

	c[0] = ctx;
	c[1] = KEYMAP_GLOBAL;
	for (k = 0; k < 2; k++) {
		n = keymap_bindings(t->keymap, c[k], b, SAGI_NITEMS(b));
		for (i = 0; i < n; i++) {
			/* A binding in ctx hides the global one for its key. */
			if (k == 1 && keymap_lookup(t->keymap, ctx, b[i]->key) !=
			    b[i])
				continue;
			if (strcmp(b[i]->action, action) == 0) {
				keyname_print(b[i]->key, buf, len);
				return 1;
			}
		}
	}
	snprintf(buf, len, "%s", "");
	return 0;
}

static void
tui_report_moved(struct tui *t, const struct store_move_report *rep, int undo)
{
	char	key[KEYNAME_MAX];
	char	*note = NULL;

	if (rep->nnotes > 0)
		note = text_sanitize_line(rep->notes[rep->nnotes - 1],
		    strlen(rep->notes[rep->nnotes - 1]));
	if (rep->moved + rep->marked == rep->requested && rep->requested > 0) {
		if (undo)
			tui_message(t, 0, _("%zu moved back to %s"), rep->moved +
			    rep->marked, rep->dst != NULL ? rep->dst : "?");
		else {
			if (!tui_key_for(t, KEYMAP_INDEX, "undo", key,
			    sizeof key))
				snprintf(key, sizeof key, "%s", "undo");
			tui_message(t, 0, _("%zu moved to %s — press %s to undo"),
			    rep->moved + rep->marked,
			    rep->dst != NULL ? rep->dst : "?", key);
		}
	} else
		tui_message(t, 1, _("%zu of %zu moved to %s: %s"), rep->moved +
		    rep->marked, rep->requested, rep->dst != NULL ? rep->dst :
		    "?", note != NULL ? note : _("see the log"));
	free(note);
}

/* Builds the pager's lines for the fetched message. */
static void
tui_pager_text(struct tui *t)
{
	struct tui_row	*row = tui_row_find(t, t->msg_uid);
	struct buf	 b;
	const char	*body;
	char		*s, *def;
	size_t		 len, i;
	int		 j;

	buf_init(&b);
	if (t->msg == NULL) {
		buf_adds(&b, _("(the message could not be read)\n"));
		tui_show_text(t, KEYMAP_PAGER, b.data);
		buf_free(&b);
		return;
	}
	s = text_sanitize_line(msg_date(t->msg), strlen(msg_date(t->msg)));
	buf_printf(&b, "%s: %s\n", _("Date"), s);
	free(s);
	s = xasprintf("%s <%s>", msg_from_display(t->msg), msg_from_addr(t->msg));
	def = text_sanitize_line(s, strlen(s));
	buf_printf(&b, "%s: %s\n", _("From"), def);
	free(def);
	free(s);
	s = text_sanitize_line(msg_subject(t->msg), strlen(msg_subject(t->msg)));
	buf_printf(&b, "%s: %s\n", _("Subject"), s);
	free(s);
	if (row != NULL && row->r.verdict != NULL) {
		s = report_reason_tag(&t->ro, row->r.verdict);
		buf_printf(&b, "%s: %s %.1f  %s\n", _("Verdict"),
		    verdict_level_name(row->r.verdict->level),
		    row->r.verdict->score, s);
		free(s);
	}
	buf_addc(&b, '\n');
	body = msg_body(t->msg, &len);
	s = text_sanitize(body, len);
	buf_adds(&b, s);
	free(s);
	if (msg_link_count(t->msg) > 0) {
		buf_printf(&b, "\n\n%s\n", _("Links (visible text -> real "
		    "destination; never opened):"));
		for (i = 0; i < msg_link_count(t->msg); i++) {
			const struct msg_link *l = msg_link(t->msg, i);

			s = text_sanitize_line(l->text, strlen(l->text));
			def = analyzer_defang(l->href);
			j = (int)i + 1;
			buf_printf(&b, "[%d] %s\n    -> %s\n", j, s, def);
			free(s);
			free(def);
		}
	}
	tui_show_text(t, KEYMAP_PAGER, b.data);
	buf_free(&b);
}

static void
tui_take_message(struct tui *t, struct worker_event *e)
{
	char	*cause = NULL;

	msg_free(t->msg);
	free(t->msg_raw);
	free(t->msg_server_said);
	t->msg = NULL;
	t->msg_server_said = NULL;
	t->msg_uid = e->uid;
	t->msg_raw = e->data;
	t->msg_len = e->len;
	e->data = NULL;
	if (t->msg_raw != NULL) {
		t->msg = msg_parse(t->msg_raw, t->msg_len, NULL, &cause);
		free(cause);
	}
	if (t->msg != NULL)
		t->msg_server_said = analyzer_server_said(t->analyzer, t->msg);
	if (t->ctx == KEYMAP_PAGER && tui_current(t) != NULL &&
	    tui_current(t)->r.uid == t->msg_uid)
		tui_pager_text(t);
	t->dirty = 1;
}

void
tui_want_message(struct tui *t)
{
	struct tui_row	*row = tui_current(t);

	if (row == NULL)
		return;
	if (t->msg_uid == row->r.uid && t->msg != NULL) {
		if (t->ctx == KEYMAP_PAGER)
			tui_pager_text(t);
		return;
	}
	if (t->want_uid == row->r.uid)
		return;
	t->want_uid = row->r.uid;
	worker_fetch(t->worker, row->r.uid);
	if (t->ctx == KEYMAP_PAGER)
		tui_show_text(t, KEYMAP_PAGER, _("loading…"));
}

void
tui_show_text(struct tui *t, enum keymap_context ctx, const char *text)
{
	const char	*p, *nl;
	size_t		 i;

	for (i = 0; i < t->nlines; i++)
		free(t->lines[i]);
	free(t->lines);
	t->lines = NULL;
	t->nlines = 0;
	for (p = text; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		t->lines = xreallocarray(t->lines, t->nlines + 1,
		    sizeof *t->lines);
		t->lines[t->nlines++] = xstrndup(p, (size_t)(nl - p));
		if (*nl == '\0')
			break;
	}
	if (t->ctx != ctx)
		t->line_top = 0;
	t->ctx = ctx;
	t->dirty = 1;
}

void
tui_handle(struct tui *t, struct worker_event *e)
{
	switch (e->kind) {
	case WORKER_OPENED:
		free(t->store_name);
		free(t->folder);
		free(t->junk);
		free(t->read_only);
		t->store_name = e->text;
		t->folder = e->text2;
		t->junk = e->text3;
		t->read_only = e->text4;
		e->text = e->text2 = e->text3 = e->text4 = NULL;
		break;
	case WORKER_PROGRESS:
		if (t->phase == NULL || strcmp(t->phase, e->phase) != 0)
			t->phase_started = tui_now();
		t->phase = e->phase;
		t->done = e->done;
		t->total = e->total;
		t->busy = 1;
		break;
	case WORKER_LISTED:
		tui_take_listed(t, e);
		break;
	case WORKER_ROWS:
		tui_take_rows(t, e);
		break;
	case WORKER_VERDICTS:
		tui_take_verdicts(t, e);
		break;
	case WORKER_MOVED:
	case WORKER_UNDONE:
		tui_report_moved(t, &e->report, e->kind == WORKER_UNDONE);
		break;
	case WORKER_MESSAGE:
		if (e->uid == t->want_uid)
			t->want_uid = 0;
		tui_take_message(t, e);
		break;
	case WORKER_MARKED: {
		struct tui_row *row = tui_row_find(t, e->uid);

		if (row != NULL) {
			row->r.flags |= STORE_NOTJUNK;
			row->r.flags &= ~(unsigned int)(STORE_JUNK | STORE_PHISHING);
		}
		if (row != NULL && tui_trusted(t, row))
			tui_message(t, 0, _("marked not phish; %s is now a "
			    "trusted sender: bulk moves leave its mail alone"),
			    row->r.from_addr);
		else
			tui_message(t, 0, "%s", _("marked not phish ($NotJunk)"));
		break;
	}
	case WORKER_ERROR:
		tui_message(t, 1, "%s", e->text != NULL ? e->text : "?");
		break;
	case WORKER_FAILED:
		t->failed = 1;
		t->busy = 0;
		tui_message(t, 1, "%s", e->text != NULL ? e->text : "?");
		break;
	case WORKER_IDLE:
		t->busy = 0;
		t->phase = NULL;
		break;
	}
	t->dirty = 1;
}

void
tui_model_free(struct tui *t)
{
	size_t	i;

	for (i = 0; i < t->nrows; i++)
		tui_row_clear(&t->rows[i]);
	free(t->rows);
	free(t->view);
	for (i = 0; i < t->nlines; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->store_name);
	free(t->folder);
	free(t->junk);
	free(t->read_only);
	free(t->search);
	free(t->message);
	free(t->confirm_uids);
	msg_free(t->msg);
	free(t->msg_raw);
	free(t->msg_server_said);
	keymap_free(t->keymap);
	diag_free(t->problems);
}
