/* SPDX-License-Identifier: ISC */
/*
 * The interactive interface's state, shared by the screens, the actions
 * and the main loop.  The mail lives in a worker thread (worker.h); this
 * holds display-ready copies of it and what the user is looking at.
 */
#ifndef TUI_H
#define TUI_H

#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "diag.h"
#include "keymap.h"
#include "report.h"
#include "worker.h"

struct tui_row {
	struct worker_row	 r;
	int			 tagged;
};

enum tui_sort { TUI_SORT_DATE, TUI_SORT_SCORE };

struct tui {
	struct worker		*worker;
	const struct analyzer	*analyzer;
	struct keymap		*keymap;
	struct report_opts	 ro;
	int			 color;		/* colours may be used */
	int			 width, height;

	/* The mailbox. */
	char			*store_name;
	char			*folder;
	char			*junk;		/* junk folder, when known */
	char			*read_only;	/* why nothing can move, or NULL */
	struct tui_row		*rows;		/* ascending uid */
	size_t			 nrows;
	size_t			 nphish;	/* rows by verdict, kept as */
	size_t			 nsuspect;	/* rows change (tui-model.c) */
	size_t			 njudged;
	size_t			*view;		/* indices into rows, as shown */
	size_t			 nview;
	size_t			 cur;		/* cursor, index into view */
	size_t			 top;		/* first view line on screen */
	enum tui_sort		 sort;
	int			 limit_flagged;
	char			*search;

	/* Progress of the worker. */
	const char		*phase;
	size_t			 done, total;
	double			 phase_started;	/* seconds, monotonic */
	int			 busy;
	int			 failed;

	/* What is on screen. */
	enum keymap_context	 ctx;		/* index, pager, help */
	int			 explain;	/* why-pane shown */
	int			 tag_prefix;	/* ';' pressed: next action on tagged */
	int			 prompting;	/* reading a search string */
	char			 input[256];	/* what was typed at the prompt */
	char			*message;	/* the bottom line */
	int			 message_error;
	uint32_t		*confirm_uids;	/* junk-flagged waiting for y */
	size_t			 nconfirm;

	/* The fetched message, for the why-pane's links and the pager. */
	uint32_t		 msg_uid;
	char			*msg_raw;
	size_t			 msg_len;
	struct msg		*msg;
	char			*msg_server_said;
	uint32_t		 want_uid;	/* asked the worker for it */

	/* Pager and help: the text shown and the first line on screen. */
	char			**lines;
	size_t			 nlines;
	size_t			 line_top;
	enum keymap_context	 back_ctx;	/* where close-message returns */

	struct diag		*problems;	/* keymap/config problems, shown on ! */
	struct account		*account;	/* borrowed: its trusted senders */
	const char		*conf_path;	/* where "not phish" remembers them */
	int			 quit;
	int			 dirty;		/* redraw needed */
};

/* Rebuilds the view from rows (limit, search, sort), keeping the cursor on
 * the same message when it is still shown. */
void			 tui_view_rebuild(struct tui *t);
/* The row under the cursor, or NULL. */
struct tui_row		*tui_current(struct tui *t);
struct tui_row		*tui_row_find(struct tui *t, uint32_t uid);
/* Sets the bottom line (formatted); err colours it as an error. */
void			 tui_message(struct tui *t, int err, const char *fmt, ...)
			    SAGI_PRINTFLIKE(3, 4);
/* Shows text (owned by the caller) in the pager or help screen. */
void			 tui_show_text(struct tui *t, enum keymap_context ctx,
			    const char *text);
/* Asks the worker for the current message when the why-pane or the pager
 * needs it. */
void			 tui_want_message(struct tui *t);
/* The key bound to action in ctx (or globally), for hints: 1, or 0 and ""
 * when none is. */
int			 tui_key_for(const struct tui *t, enum keymap_context ctx,
			    const char *action, char *buf, size_t len);
/* The user said this row's sender is trusted ("not phish" earlier). */
int			 tui_trusted(const struct tui *t, const struct tui_row *row);
/* Counts of phish, suspicious and judged rows; kept up to date by
 * tui_handle, so a draw does not walk the rows. */
void			 tui_counts(const struct tui *t, size_t *phish,
			    size_t *suspect, size_t *judged);

/* Runs the interface until the user quits.  Returns the exit status. */
struct tui_opts {
	worker_open_fn		 open;
	void			*open_ctx;
	const struct analyzer	*analyzer;
	struct report_opts	 ro;
	const char		*keymap_paths[4];	/* loaded after the defaults */
	size_t			 nkeymap_paths;
	const char		*default_keys;		/* path of default.keys */
	struct diag		*problems;		/* adopted */
	struct account		*account;		/* borrowed, may be NULL */
	const char		*conf_path;		/* may be NULL */
};
int			 tui_run(const struct tui_opts *o);

/* Applies one worker event to the model (tui-model.c). */
void			 tui_handle(struct tui *t, struct worker_event *e);
/* Frees what the model holds (not the worker). */
void			 tui_model_free(struct tui *t);

/* Key → binding → prerequisites → action (dispatch.c). */
void			 tui_dispatch(struct tui *t, key_code key);

/* Drawing (curses files). */
void			 screen_index_draw(struct tui *t);
void			 pane_explain_draw(struct tui *t, int y, int x, int h, int w);
void			 screen_pager_draw(struct tui *t);
void			 screen_draw(struct tui *t);

#endif
