/* SPDX-License-Identifier: ISC */
/*
 * The why-pane: why the selected message got its verdict, in the user's
 * language — the sentence, each reason with points and evidence, what the
 * servers said, the links when the message has been fetched, the advice.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "curses-shim.h"
#include "i18n.h"
#include "text.h"
#include "tui.h"
#include "xalloc.h"

static int
pane_explain_line(int y, int x, int w, int bottom, const char *line, int attr)
{
	char	**pieces, buf[1024];
	size_t	  n, i;

	pieces = text_wrap(line, w, &n);
	for (i = 0; i < n; i++) {
		if (y < bottom) {
			text_fit_pad(pieces[i], w, buf, sizeof buf);
			attron(attr);
			mvaddstr(y, x, buf);
			attroff(attr);
			y++;
		}
		free(pieces[i]);
	}
	free(pieces);
	return y;
}

void
pane_explain_draw(struct tui *t, int y, int x, int h, int w)
{
	struct tui_row	*row = tui_current(t);
	const struct msg *m = NULL;
	const char	*server = NULL;
	char		*text, *p, *nl;
	int		 bottom = y + h, attr = 0;

	if (h <= 0 || w <= 0)
		return;
	if (x == 0) {
		/* Under the list: a rule to tell the two apart. */
		attron(A_REVERSE);
		pane_explain_line(y++, x, w, bottom, _(" Why (w hides)"), 0);
		attroff(A_REVERSE);
	}
	if (row == NULL) {
		pane_explain_line(y, x, w, bottom, "", 0);
		return;
	}
	if (row->r.verdict == NULL) {
		pane_explain_line(y, x, w, bottom, row->r.error != NULL ?
		    row->r.error : _("not judged yet…"), 0);
		return;
	}
	if (t->msg != NULL && t->msg_uid == row->r.uid) {
		m = t->msg;
		server = t->msg_server_said;
	}
	text = report_why(&t->ro, row->r.verdict, m, server, row->r.flags);
	for (p = text; *p != '\0' && y < bottom; p = nl + 1) {
		int last;

		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		last = *nl == '\0';
		*nl = '\0';
		/* The first line is the verdict: in the level's colour. */
		attr = 0;
		if (p == text && t->color) {
			if (row->r.verdict->level == VERDICT_PHISH)
				attr = COLOR_PAIR(TUI_PAIR_PHISH) | A_BOLD;
			else if (row->r.verdict->level == VERDICT_SUSPECT)
				attr = COLOR_PAIR(TUI_PAIR_SUSPECT) | A_BOLD;
		} else if (p == text)
			attr = A_BOLD;
		y = pane_explain_line(y, x, w, bottom, p, attr);
		if (last)
			break;
	}
	free(text);
}
