/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for dispatch and the actions, over a fake store: keys go
 * through the real default keymap to the real action table, the worker
 * runs the fake store on its thread, and the model takes its events — all
 * without a terminal.
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/actions.h"
#include "source.h"
#include "tui/tui.h"
#include "xalloc.h"
#include "t.h"

#define WAIT_S	20.0

static struct store_fake_msg	*msgs;
static size_t			 nmsgs;
static struct store		*fake;

static struct store *
open_fake(void *ctx, store_progress_fn progress, void *pctx, char **cause)
{
	struct store_opts	 o;

	(void)ctx;
	memset(&o, 0, sizeof o);
	o.progress = progress;
	o.progress_ctx = pctx;
	o.jobs = 2;
	fake = store_open_fake(msgs, nmsgs, &o, cause);
	return fake;
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Feeds worker events to the model until one of kind `until` (1) or the
 * time is up (0). */
static int
pump(struct tui *t, enum worker_event_kind until)
{
	struct worker_event	*e;
	struct pollfd		 pfd;
	double			 end = now_s() + WAIT_S;
	int			 hit = 0;

	while (!hit && now_s() < end) {
		pfd.fd = worker_fd(t->worker);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		while ((e = worker_next(t->worker)) != NULL) {
			hit |= e->kind == until;
			tui_handle(t, e);
			worker_event_free(e);
		}
	}
	return hit;
}

static void
key(struct tui *t, key_code k)
{
	tui_dispatch(t, k);
}

static size_t
count_level(const struct tui *t, enum verdict_level level)
{
	size_t	i, n = 0;

	for (i = 0; i < t->nrows; i++)
		n += t->rows[i].r.verdict != NULL &&
		    t->rows[i].r.verdict->level == level;
	return n;
}

/* Phish rows nobody said "not phish" about: what M moves. */
static size_t
count_movable(const struct tui *t)
{
	size_t	i, n = 0;

	for (i = 0; i < t->nrows; i++)
		n += t->rows[i].r.verdict != NULL &&
		    t->rows[i].r.verdict->level == VERDICT_PHISH &&
		    !(t->rows[i].r.flags & STORE_NOTJUNK);
	return n;
}

static void
load_demo(const char *top)
{
	struct source		*src;
	struct source_msg	 sm;
	char			*path, *cause = NULL;

	path = xasprintf("%s/demo", top);
	if ((src = source_open(path, &cause)) == NULL) {
		printf("Bail out! %s\n", cause);
		exit(99);
	}
	while (source_next(src, &sm)) {
		if (sm.data == NULL) {
			source_msg_clear(&sm);
			continue;
		}
		msgs = xreallocarray(msgs, nmsgs + 1, sizeof *msgs);
		msgs[nmsgs].raw = sm.data;	/* kept until exit */
		msgs[nmsgs].len = sm.len;
		msgs[nmsgs].flags = 0;
		nmsgs++;
		sm.data = NULL;
		source_msg_clear(&sm);
	}
	source_close(src);
	free(path);
}

int
main(void)
{
	const struct keymap_action	*acts;
	struct analyzer			*a;
	struct ruleset			*rs;
	struct worker_opts		 wo;
	struct diag			*d = diag_new();
	struct tui			 t;
	const char			*top = getenv("SAGI_SRCDIR");
	const char			*paths[1];
	char				*rules, *cause = NULL;
	size_t				 nacts, i, phish, before;

	if (top == NULL && (top = getenv("top_srcdir")) == NULL)
		top = ".";
	load_demo(top);
	rules = xasprintf("%s/rules", top);
	paths[0] = rules;
	rs = analyzer_load_rules(paths, 1, d);
	if ((a = analyzer_new(rs, NULL, &cause)) == NULL) {
		printf("Bail out! %s\n", cause);
		return 99;
	}

	/* The action table: sorted, unique, every name found. */
	{
		const struct action *tab = action_table(&nacts);

		for (i = 1; i < nacts; i++)
			t_ok(strcmp(tab[i - 1].name, tab[i].name) < 0,
			    "actions sorted: %s < %s", tab[i - 1].name,
			    tab[i].name);
		for (i = 0; i < nacts; i++)
			t_ok(action_find(tab[i].name) == &tab[i],
			    "action_find(%s)", tab[i].name);
		t_ok(action_find("no-such") == NULL, "unknown action");
	}

	memset(&t, 0, sizeof t);
	t.analyzer = a;
	t.ctx = KEYMAP_INDEX;
	t.height = 40;
	t.width = 120;
	t.problems = diag_new();
	acts = action_keymap_table(&nacts);
	t.keymap = keymap_new(acts, nacts);
	keymap_load_string(t.keymap, "default.keys", default_keys_text,
	    t.problems);
	t_int_eq(diag_count(t.problems), 0, "the default keymap loads cleanly");

	/* Nothing open yet: actions that need the mailbox say so. */
	memset(&wo, 0, sizeof wo);
	wo.open = open_fake;
	wo.analyzer = a;
	t.worker = worker_start(&wo, &cause);
	t_ok(t.worker != NULL, "worker starts");
	if (t.worker == NULL)
		return 1;
	key(&t, 'J');
	t_ok(t.message != NULL && t.message_error,
	    "J before the list is there: an error, no crash (%s)",
	    t.message != NULL ? t.message : "");

	t_ok(pump(&t, WORKER_IDLE), "the list loads and is judged");
	phish = count_level(&t, VERDICT_PHISH);
	t_int_eq(t.nrows, nmsgs, "every message is a row");
	t_ok(phish >= 1 && phish < nmsgs, "some rows are phish (%zu)", phish);

	/* j/k and the arrows move; an unbound key says so. */
	t.cur = 0;
	key(&t, 'j');
	key(&t, KEYC_DOWN);
	t_int_eq(t.cur, 2, "j and Down move down");
	key(&t, 'k');
	t_int_eq(t.cur, 1, "k moves up");
	key(&t, KEYC_F12);
	t_ok(t.message != NULL && strstr(t.message, "F12") != NULL &&
	    strstr(t.message, "not bound") != NULL, "an unbound key is named");

	/* l limits to flagged; l again shows all. */
	key(&t, 'l');
	t_int_eq(t.nview, phish + count_level(&t, VERDICT_SUSPECT),
	    "l shows phish and suspicious only");
	key(&t, 'l');
	t_int_eq(t.nview, t.nrows, "l again shows everything");

	/* O sorts by score: the first row is the worst. */
	key(&t, 'O');
	t_ok(t.rows[t.view[0]].r.verdict != NULL &&
	    t.rows[t.view[0]].r.verdict->level == VERDICT_PHISH,
	    "O puts a phish first");
	key(&t, 'o');

	/* / searches sender and subject. */
	key(&t, '/');
	t_ok(t.prompting, "/ opens the prompt");
	key(&t, 'a');
	key(&t, 'b');
	key(&t, KEYC_BSPACE);
	key(&t, KEYC_BSPACE);
	for (i = 0; i < strlen("docomo"); i++)
		key(&t, (key_code)"docomo"[i]);
	key(&t, KEYC_ENTER);
	t_ok(!t.prompting && tui_current(&t) != NULL &&
	    strstr(tui_current(&t)->r.from, "docomo") != NULL,
	    "the search lands on the docomo mail");

	/* J junks the current message at once, u undoes. */
	before = t.nrows;
	key(&t, 'J');
	t_ok(pump(&t, WORKER_MOVED), "J moves");
	pump(&t, WORKER_IDLE);
	t_int_eq(store_fake_junk_count(fake), 1, "one message in Junk");
	t_int_eq(t.nrows, before - 1, "and one row fewer");
	t_ok(t.message != NULL && strstr(t.message, "press u to undo") != NULL,
	    "the bottom line names the undo key (%s)",
	    t.message != NULL ? t.message : "");
	key(&t, 'u');
	t_ok(pump(&t, WORKER_UNDONE), "u undoes");
	pump(&t, WORKER_IDLE);
	t_int_eq(store_fake_junk_count(fake), 0, "Junk empty again");
	pump(&t, WORKER_IDLE);

	/* Undo marked the message it brought back "not junk". */
	t_int_eq(count_movable(&t), count_level(&t, VERDICT_PHISH) - 1,
	    "the message brought back by undo is $NotJunk");
	/* M previews, anything but y cancels, y moves every phish. */
	phish = count_movable(&t);
	key(&t, 'M');
	t_ok(t.confirm_uids != NULL && t.nconfirm == phish,
	    "M asks about %zu phish", phish);
	key(&t, 'x');
	t_ok(t.confirm_uids == NULL && store_fake_junk_count(fake) == 0,
	    "x cancels: nothing moved");
	key(&t, 'M');
	key(&t, 'y');
	t_ok(pump(&t, WORKER_MOVED), "y moves");
	pump(&t, WORKER_IDLE);
	t_int_eq(store_fake_junk_count(fake), phish, "every phish in Junk");
	t_int_eq(count_movable(&t), 0, "no movable phish row left");

	/* t tags, ; applies the next action to the tagged ones. */
	t.cur = 0;
	key(&t, 't');
	key(&t, 't');
	key(&t, ';');
	t_ok(t.tag_prefix, "; waits for the next action");
	key(&t, 'J');
	t_ok(pump(&t, WORKER_MOVED), "; J moves the tagged");
	pump(&t, WORKER_IDLE);
	t_int_eq(store_fake_junk_count(fake), phish + 2, "two more in Junk");

	/* ? shows help generated from the bindings; q closes it. */
	key(&t, '?');
	t_ok(t.ctx == KEYMAP_HELP && t.nlines > 5, "? shows help");
	for (i = 0; i < t.nlines; i++) {
		if (strstr(t.lines[i], "junk-message") != NULL)
			break;
	}
	t_ok(i < t.nlines, "help lists junk-message");
	key(&t, 'q');
	t_ok(t.ctx == KEYMAP_INDEX, "q leaves help");
	key(&t, 'q');
	t_ok(t.quit, "q in the index quits");

	worker_free(t.worker);
	tui_model_free(&t);
	analyzer_free(a);
	diag_free(d);
	for (i = 0; i < nmsgs; i++)
		free((char *)msgs[i].raw);
	free(msgs);
	free(rules);
	return t_done();
}
