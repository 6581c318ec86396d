/* SPDX-License-Identifier: ISC */
/*
 * The interactive interface: the terminal's life cycle (start, resize,
 * suspend, every way out restores it), the main loop that waits on the
 * keyboard and the worker at once, and the model the screens draw — rows
 * copied from the worker's events, filtered and sorted into a view.
 */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "curses-shim.h"
#include "i18n.h"
#include "input.h"
#include "tui.h"
#include "xalloc.h"

static volatile sig_atomic_t tui_stop;

static void
tui_on_signal(int sig)
{
	tui_stop = sig;
}

/* A crash must not leave the terminal in raw mode. */
static void
tui_on_fatal(int sig)
{
	endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
tui_on_oom(void)
{
	endwin();
}

static void
tui_curses_start(struct tui *t)
{
	struct sigaction	sa;
	static const int	fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				    SIGABRT };
	size_t			i;

	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	timeout(0);
	curs_set(0);
	if (t->color && has_colors()) {
		start_color();
		use_default_colors();
		init_pair(TUI_PAIR_PHISH, COLOR_RED, -1);
		init_pair(TUI_PAIR_SUSPECT, COLOR_YELLOW, -1);
		init_pair(TUI_PAIR_BAR, COLOR_WHITE, COLOR_BLUE);
		init_pair(TUI_PAIR_ERROR, COLOR_RED, -1);
		init_pair(TUI_PAIR_EVIDENCE, COLOR_BLACK, COLOR_YELLOW);
	} else
		t->color = 0;
	xalloc_set_fatal_hook(tui_on_oom);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = tui_on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < SAGI_NITEMS(fatal); i++)
		sigaction(fatal[i], &sa, NULL);
	getmaxyx(stdscr, t->height, t->width);
}


int
tui_run(const struct tui_opts *o)
{
	struct tui		 t;
	struct worker_opts	 wo;
	struct worker_event	*e;
	struct pollfd		 pfd[2];
	size_t			 i, nactions;
	key_code		 key;
	enum input_result	 r;
	char			*cause = NULL;

	memset(&t, 0, sizeof t);
	t.analyzer = o->analyzer;
	t.account = o->account;
	t.conf_path = o->conf_path;
	t.ro = o->ro;
	t.color = o->ro.color;
	t.ro.color = 0;
	t.ctx = KEYMAP_INDEX;
	t.problems = o->problems != NULL ? o->problems : diag_new();
	{
		const struct keymap_action *acts = action_keymap_table(&nactions);

		t.keymap = keymap_new(acts, nactions);
	}
	keymap_load_string(t.keymap, "default.keys", default_keys_text,
	    t.problems);
	for (i = 0; i < o->nkeymap_paths; i++)
		keymap_load(t.keymap, o->keymap_paths[i], t.problems);

	memset(&wo, 0, sizeof wo);
	wo.open = o->open;
	wo.open_ctx = o->open_ctx;
	wo.analyzer = o->analyzer;
	if ((t.worker = worker_start(&wo, &cause)) == NULL) {
		fprintf(stderr, "sagi: %s\n", cause);
		free(cause);
		tui_model_free(&t);
		return 4;
	}

	tui_curses_start(&t);
	if (diag_count(t.problems) > 0)
		tui_message(&t, 1, _("%zu problems in keymaps or config — "
		    "press ! to see them"), diag_count(t.problems));
	t.dirty = 1;
	while (!t.quit && !tui_stop) {
		if (t.dirty) {
			if (t.dirty > 1)
				clearok(curscr, TRUE);
			screen_draw(&t);
			t.dirty = 0;
		}
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = worker_fd(t.worker);
		pfd[1].events = POLLIN;
		/* A slow tick keeps the progress rate moving. */
		/* EINTR included: a SIGWINCH interrupts the wait, and
		 * get_wch below then turns it into KEY_RESIZE at once. */
		(void)poll(pfd, 2, t.busy ? 250 : 1000);
		while ((e = worker_next(t.worker)) != NULL) {
			tui_handle(&t, e);
			worker_event_free(e);
		}
		while ((r = input_read(&key)) != INPUT_NONE) {
			if (r == INPUT_RESIZE) {
				getmaxyx(stdscr, t.height, t.width);
				t.dirty = 2;
				continue;
			}
			tui_dispatch(&t, key);
			if (t.quit)
				break;
		}
		if (t.busy)
			t.dirty = 1;
	}
	/* Leave the screen first: stopping the worker may take a moment. */
	endwin();
	worker_free(t.worker);
	tui_model_free(&t);
	/* As a shell reports a process a signal ended: 128 + the signal. */
	return tui_stop != 0 ? 128 + tui_stop : 0;
}
