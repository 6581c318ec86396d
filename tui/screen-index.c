/* SPDX-License-Identifier: ISC */
/*
 * The screen: a title bar, the message list (phish rows red, suspicious
 * yellow, and a marker that needs no colour), the why-pane beside or under
 * it, a key-hint bar and the message line.  Also the top-level draw.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "curses-shim.h"
#include "i18n.h"
#include "text.h"
#include "tui.h"
#include "xalloc.h"

/* Writes s fitted (and padded) to w columns at y, x. */
static void
screen_put(int y, int x, int w, const char *s)
{
	char	buf[1024];

	if (w <= 0)
		return;
	text_fit_pad(s != NULL ? s : "", w, buf, sizeof buf);
	mvaddstr(y, x, buf);
}

static void
screen_date(int64_t date, char *buf, size_t len)
{
	time_t		 t = (time_t)date;
	struct tm	 tm;

	if (date == 0 || localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "%s", "");
		return;
	}
	strftime(buf, len, "%Y-%m-%d", &tm);
}

static void
screen_size(uint64_t size, char *buf, size_t len)
{
	if (size < 1024)
		snprintf(buf, len, "%uB", (unsigned int)size);
	else if (size < 1024 * 1024)
		snprintf(buf, len, "%uK", (unsigned int)(size / 1024));
	else
		snprintf(buf, len, "%uM", (unsigned int)(size / (1024 * 1024)));
}

/*
 * The verdict column: a marker that works without colour ("!!" phish,
 * "? " suspicious, "  " clean, ".." not judged yet) and a short reason
 * tag.
 */
static void
screen_verdict(const struct tui *t, const struct tui_row *row, char *buf,
    size_t len)
{
	const struct verdict	*v = row->r.verdict;
	char			*tag;

	if (v == NULL) {
		snprintf(buf, len, "%s", row->r.error != NULL ? "E " : "..");
		return;
	}
	if (v->level == VERDICT_CLEAN) {
		snprintf(buf, len, "  %s", v->forwarded != NULL &&
		    v->forwarded->level == VERDICT_PHISH ? _("fwd phish") : "");
		return;
	}
	tag = report_reason_tag(&t->ro, v);
	snprintf(buf, len, "%s %s", v->level == VERDICT_PHISH ? "!!" : "? ",
	    tag);
	free(tag);
}

static void
screen_index_row(struct tui *t, int y, int w, size_t vi)
{
	struct tui_row	*row = &t->rows[t->view[vi]];
	char		 date[32], size[16], verdict[256], flags[8], *line;
	int		 attr = 0, wsubj, wfrom;

	screen_date(row->r.date, date, sizeof date);
	screen_size(row->r.size, size, sizeof size);
	screen_verdict(t, row, verdict, sizeof verdict);
	snprintf(flags, sizeof flags, "%c%c", row->tagged ? '*' : ' ',
	    (row->r.flags & STORE_NOTJUNK) ? 'N' :
	    (row->r.flags & STORE_PHISHING) ? 'P' :
	    (row->r.flags & STORE_JUNK) ? 'J' : tui_trusted(t, row) ? 'T' : ' ');
	if (row->r.verdict != NULL && t->color) {
		if (row->r.verdict->level == VERDICT_PHISH)
			attr = COLOR_PAIR(TUI_PAIR_PHISH) | A_BOLD;
		else if (row->r.verdict->level == VERDICT_SUSPECT)
			attr = COLOR_PAIR(TUI_PAIR_SUSPECT);
	}
	if (vi == t->cur)
		attr |= A_REVERSE;
	attron(attr);
	/* flags 2, date 10, from, verdict 16, subject, size 5: spaces between */
	wfrom = w >= 100 ? 24 : 16;
	wsubj = w - 2 - 1 - 10 - 1 - wfrom - 1 - 16 - 1 - 5 - 1;
	if (wsubj < 10) {
		wsubj += 6;
		size[0] = '\0';
	}
	line = xasprintf("%s", flags);
	screen_put(y, 0, 2, line);
	free(line);
	screen_put(y, 2, 1, "");
	screen_put(y, 3, 10, date);
	screen_put(y, 13, 1, "");
	screen_put(y, 14, wfrom, row->r.from);
	screen_put(y, 14 + wfrom, 1, "");
	screen_put(y, 15 + wfrom, 16, verdict);
	screen_put(y, 31 + wfrom, 1, "");
	screen_put(y, 32 + wfrom, wsubj, row->r.subject);
	if (size[0] != '\0') {
		screen_put(y, 32 + wfrom + wsubj, 1, "");
		screen_put(y, 33 + wfrom + wsubj, w - (33 + wfrom + wsubj), size);
	}
	attroff(attr);
}

/* The progress phases core names (store.h), listed for the translators. */
static const char *const screen_phases[] SAGI_UNUSED = {
	N_("listing"), N_("classifying"), N_("moving"), N_("connecting"),
};

static void
screen_title(struct tui *t)
{
	char	buf[512], prog[128];
	size_t	phish, suspect, judged;
	double	el;

	tui_counts(t, &phish, &suspect, &judged);
	prog[0] = '\0';
	if (t->busy && t->phase != NULL && t->total > 0) {
		el = 0;
		{
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			el = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 -
			    t->phase_started;
		}
		snprintf(prog, sizeof prog, "  [%s %zu/%zu%s]", _(t->phase),
		    t->done, t->total, "");
		if (el > 0.5 && t->done > 0) {
			size_t len = strlen(prog);

			snprintf(prog + len - 1, sizeof prog - len + 1,
			    " %.0f/s]", (double)t->done / el);
		}
	} else if (t->store_name == NULL && !t->failed)
		snprintf(prog, sizeof prog, "  [%s]", _("opening…"));
	snprintf(buf, sizeof buf, " sagi  %s  %s %zu  %s %zu  %zu/%zu%s%s%s",
	    t->folder != NULL ? t->folder : "", _("phish"), phish,
	    _("suspicious"), suspect, judged, t->nrows, prog,
	    t->limit_flagged ? _("  (flagged only)") : "",
	    t->read_only != NULL ? _("  (read-only)") : "");
	if (t->color)
		attron(COLOR_PAIR(TUI_PAIR_BAR));
	else
		attron(A_REVERSE);
	screen_put(0, 0, t->width, buf);
	if (t->color)
		attroff(COLOR_PAIR(TUI_PAIR_BAR));
	else
		attroff(A_REVERSE);
}

/* The key bar, from the bindings, so a user's keymap shows its own keys. */
struct screen_hint {
	const char	*action;
	const char	*label;
};

static const struct screen_hint screen_hints_index[] = {
	{ "quit", N_("Quit") }, { "open-message", N_("Open") },
	{ "toggle-explain", N_("Why") }, { "junk-message", N_("Junk") },
	{ "junk-flagged", N_("Junk flagged") }, { "undo", N_("Undo") },
	{ "limit-flagged", N_("Limit") }, { "help", N_("Help") },
};
static const struct screen_hint screen_hints_pager[] = {
	{ "close-message", N_("Back") }, { "page-down", N_("Page") },
	{ "junk-message", N_("Junk") }, { "not-phish", N_("Not phish") },
	{ "toggle-explain", N_("Why") }, { "help", N_("Help") },
};
static const struct screen_hint screen_hints_help[] = {
	{ "close-message", N_("Back") }, { "page-down", N_("Page") },
};

static void
screen_hints(struct tui *t, char *out, size_t len)
{
	const struct screen_hint	*h;
	size_t				 n, i, at = 0;
	char				 key[KEYNAME_MAX];

	switch (t->ctx) {
	case KEYMAP_PAGER:
		h = screen_hints_pager;
		n = SAGI_NITEMS(screen_hints_pager);
		break;
	case KEYMAP_HELP:
		h = screen_hints_help;
		n = SAGI_NITEMS(screen_hints_help);
		break;
	default:
		h = screen_hints_index;
		n = SAGI_NITEMS(screen_hints_index);
		break;
	}
	out[0] = '\0';
	for (i = 0; i < n && at < len; i++) {
		if (!tui_key_for(t, t->ctx, h[i].action, key, sizeof key))
			continue;
		at += (size_t)snprintf(out + at, len - at, "%s%s:%s",
		    at > 0 ? "  " : "", key, _(h[i].label));
	}
}

static void
screen_bottom(struct tui *t)
{
	char		 hint[512], buf[512];

	screen_hints(t, hint, sizeof hint);
	attron(A_REVERSE);
	screen_put(t->height - 2, 0, t->width, hint);
	attroff(A_REVERSE);
	if (t->prompting) {
		snprintf(buf, sizeof buf, "/%s", t->input);
		screen_put(t->height - 1, 0, t->width, buf);
		return;
	}
	if (t->message_error && t->color)
		attron(COLOR_PAIR(TUI_PAIR_ERROR) | A_BOLD);
	screen_put(t->height - 1, 0, t->width, t->message);
	if (t->message_error && t->color)
		attroff(COLOR_PAIR(TUI_PAIR_ERROR) | A_BOLD);
}

void
screen_index_draw(struct tui *t)
{
	int	y, h, w, py, px, ph, pw;
	size_t	vi;

	h = t->height - 3;
	w = t->width;
	py = px = ph = pw = 0;
	if (t->explain) {
		if (t->width >= 140) {		/* beside */
			w = t->width / 2;
			px = w + 1;
			pw = t->width - px;
			py = 1;
			ph = h;
		} else {			/* under */
			ph = h / 2;
			h -= ph;
			py = 1 + h;
			pw = t->width;
		}
	}
	if (h < 1)
		h = 1;
	if (t->cur < t->top)
		t->top = t->cur;
	if (t->cur >= t->top + (size_t)h)
		t->top = t->cur - (size_t)h + 1;
	for (y = 0; y < h; y++) {
		vi = t->top + (size_t)y;
		move(1 + y, 0);
		if (vi < t->nview)
			screen_index_row(t, 1 + y, w, vi);
		else if (y == 0 && t->nview == 0)
			screen_put(1, 0, w, t->store_name == NULL ? "" :
			    t->limit_flagged ? _("no flagged messages") :
			    _("no messages"));
		else
			screen_put(1 + y, 0, w, "");
	}
	if (t->explain) {
		if (px > 0) {
			for (y = 0; y < ph; y++)
				mvaddstr(py + y, px - 1, "│");
		}
		pane_explain_draw(t, py, px, ph, pw);
	}
}

void
screen_draw(struct tui *t)
{
	erase();
	screen_title(t);
	if (t->ctx == KEYMAP_INDEX)
		screen_index_draw(t);
	else
		screen_pager_draw(t);
	screen_bottom(t);
	refresh();
}
