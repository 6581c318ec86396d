/* SPDX-License-Identifier: ISC */
/*
 * The message view and the help screen: lines of text, scrolled.  In the
 * message view the evidence of the verdict's reasons is highlighted where
 * it appears, so the reader sees exactly what gave the mail away.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "curses-shim.h"
#include "text.h"
#include "tui.h"
#include "xalloc.h"

/* Draws one screen line, highlighting the first evidence found in it. */
static void
screen_pager_line(struct tui *t, int y, const char *line,
    const struct verdict *v)
{
	char		 buf[2048], *head;
	const char	*hit = NULL, *ev;
	size_t		 i, evlen = 0;
	int		 w = t->width, hw;

	for (i = 0; v != NULL && i < v->nhits && hit == NULL; i++) {
		ev = v->hits[i].evidence;
		if (ev == NULL || strlen(ev) < 4)
			continue;
		if ((hit = strstr(line, ev)) != NULL)
			evlen = strlen(ev);
	}
	if (hit == NULL) {
		text_fit_pad(line, w, buf, sizeof buf);
		mvaddstr(y, 0, buf);
		return;
	}
	head = xstrndup(line, (size_t)(hit - line));
	hw = text_width(head);
	text_fit(head, w, buf, sizeof buf);
	mvaddstr(y, 0, buf);
	free(head);
	if (hw >= w)
		return;
	head = xstrndup(hit, evlen);
	attron(t->color ? COLOR_PAIR(TUI_PAIR_EVIDENCE) : A_REVERSE);
	text_fit(head, w - hw, buf, sizeof buf);
	addstr(buf);
	attroff(t->color ? COLOR_PAIR(TUI_PAIR_EVIDENCE) : A_REVERSE);
	hw += text_width(head);
	free(head);
	if (hw < w) {
		text_fit_pad(hit + evlen, w - hw, buf, sizeof buf);
		addstr(buf);
	}
}

void
screen_pager_draw(struct tui *t)
{
	struct tui_row		*row = tui_current(t);
	const struct verdict	*v = NULL;
	char			**pieces;
	size_t			 i, n, k, skip;
	int			 y = 1, bottom = t->height - 2;

	if (t->ctx == KEYMAP_PAGER && row != NULL)
		v = row->r.verdict;
	/* line_top counts source lines; wrapped pieces fill the screen. */
	skip = t->line_top;
	for (i = skip; i < t->nlines && y < bottom; i++) {
		pieces = text_wrap(t->lines[i], t->width, &n);
		for (k = 0; k < n; k++) {
			if (y < bottom)
				screen_pager_line(t, y++, pieces[k], v);
			free(pieces[k]);
		}
		free(pieces);
	}
}
