/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the TUI's mailbox worker, over the fake store with the
 * real rule packs and the corpus and demo messages: event order, verdicts
 * against a direct analyzer run, junk, undo, a failing move, cancel,
 * requests that interrupt a classification, progress rate, and freeing at
 * any moment.  Also the fake store's own contract.  Every wait gives up
 * after WAIT_S seconds, so a bug fails the test instead of hanging it.
 */
#include "config.h"

#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "diag.h"
#include "msg.h"
#include "source.h"
#include "store.h"
#include "t.h"
#include "tui/worker.h"
#include "xalloc.h"

#define WAIT_S		20
#define MAX_KINDS	4096

/* What the open callback does; st is read only after WORKER_OPENED. */
struct opener {
	const struct store_fake_msg	*msgs;
	size_t				 n;
	unsigned int			 delay_ms;
	int				 refuse;
	int				 hold;		/* hold the listing */
	struct store			*st;
};

/* The UI's side, as a screen would keep it. */
struct model {
	struct worker_row	*rows;
	size_t			 nrows;
	enum worker_event_kind	 kinds[MAX_KINDS];
	size_t			 nkinds;
	size_t			 nprogress;
	size_t			 nverdicts;	/* VERDICTS events */
	size_t			 nlisted;	/* LISTED events */
	size_t			 spurious;	/* readable fd, no event */
	struct store_move_report moved, undone;
	char			*moved_text, *undone_text;
	int			 got_moved, got_undone;
	char			*error;		/* the last WORKER_ERROR */
	uint32_t		 error_uid;
	char			*failed;
	char			*data;		/* the last WORKER_MESSAGE */
	size_t			 len;
	uint32_t		 data_uid;
	uint32_t		 marked;
	char			*opened[3];
	int			 moved_before_done; /* rows unjudged at MOVED */
};

static struct store_fake_msg	*msgs;
static size_t			 nmsgs;
static struct analyzer		*analyzer;
static size_t			 direct_phish;
static int			*is_phish;	/* by index, so by uid - 1 */

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct store *
open_fake(void *ctx, store_progress_fn progress, void *progress_ctx,
    char **cause)
{
	struct opener		*op = ctx;
	struct store_opts	 o;

	if (op->refuse) {
		*cause = xstrdup("connection refused");
		return NULL;
	}
	memset(&o, 0, sizeof o);
	o.jobs = 2;
	o.progress = progress;
	o.progress_ctx = progress_ctx;
	op->st = store_open_fake(op->msgs, op->n, &o, cause);
	if (op->st != NULL)
		store_fake_set_fetch_delay(op->st, op->delay_ms);
	if (op->st != NULL && op->hold)
		store_fake_hold_listing(op->st, 1);
	return op->st;
}

static struct worker *
start(struct opener *op)
{
	struct worker_opts	 o;
	struct worker		*w;
	char			*cause = NULL;

	memset(&o, 0, sizeof o);
	o.open = open_fake;
	o.open_ctx = op;
	o.analyzer = analyzer;
	if ((w = worker_start(&o, &cause)) == NULL) {
		printf("# worker_start: %s\n", cause);
		free(cause);
	}
	return w;
}

static void
model_clear(struct model *m)
{
	size_t	 i;

	for (i = 0; i < m->nrows; i++)
		worker_row_clear(&m->rows[i]);
	free(m->rows);
	store_move_report_clear(&m->moved);
	store_move_report_clear(&m->undone);
	free(m->moved_text);
	free(m->undone_text);
	free(m->error);
	free(m->failed);
	free(m->data);
	for (i = 0; i < 3; i++)
		free(m->opened[i]);
	memset(m, 0, sizeof *m);
}

static struct worker_row *
model_find(struct model *m, uint32_t uid)
{
	size_t	 i;

	for (i = 0; i < m->nrows; i++) {
		if (m->rows[i].uid == uid)
			return &m->rows[i];
	}
	return NULL;
}

static size_t
model_unjudged(const struct model *m)
{
	size_t	 i, n = 0;

	for (i = 0; i < m->nrows; i++) {
		if (m->rows[i].verdict == NULL && m->rows[i].error == NULL)
			n++;
	}
	return n;
}

static size_t
model_level(const struct model *m, enum verdict_level level)
{
	size_t	 i, n = 0;

	for (i = 0; i < m->nrows; i++) {
		if (m->rows[i].verdict != NULL &&
		    m->rows[i].verdict->level == level)
			n++;
	}
	return n;
}

static void
take_text(char **to, char **from)
{
	free(*to);
	*to = *from;
	*from = NULL;
}

static void
model_apply(struct model *m, struct worker_event *e)
{
	struct worker_row	*r;
	size_t			 i;

	if (m->nkinds < MAX_KINDS)
		m->kinds[m->nkinds++] = e->kind;
	switch (e->kind) {
	case WORKER_OPENED:
		take_text(&m->opened[0], &e->text);
		take_text(&m->opened[1], &e->text2);
		take_text(&m->opened[2], &e->text3);
		break;
	case WORKER_PROGRESS:
		m->nprogress++;
		break;
	case WORKER_LISTED:
		m->nlisted++;
		for (i = 0; i < e->nrows; i++) {
			if ((r = model_find(m, e->rows[i].uid)) != NULL)
				worker_row_clear(r);
			else {
				m->rows = xreallocarray(m->rows, m->nrows + 1,
				    sizeof *m->rows);
				r = &m->rows[m->nrows++];
			}
			*r = e->rows[i];
			memset(&e->rows[i], 0, sizeof e->rows[i]);
		}
		break;
	case WORKER_ROWS:
		for (i = 0; i < m->nrows; i++)
			worker_row_clear(&m->rows[i]);
		free(m->rows);
		m->rows = e->rows;
		m->nrows = e->nrows;
		e->rows = NULL;
		e->nrows = 0;
		break;
	case WORKER_VERDICTS:
		m->nverdicts++;
		for (i = 0; i < e->nrows; i++) {
			if ((r = model_find(m, e->rows[i].uid)) == NULL)
				continue;
			worker_row_clear(r);
			*r = e->rows[i];
			memset(&e->rows[i], 0, sizeof e->rows[i]);
		}
		break;
	case WORKER_MOVED:
		store_move_report_clear(&m->moved);
		m->moved = e->report;
		memset(&e->report, 0, sizeof e->report);
		take_text(&m->moved_text, &e->text);
		m->got_moved++;
		m->moved_before_done = model_unjudged(m) > 0;
		break;
	case WORKER_UNDONE:
		store_move_report_clear(&m->undone);
		m->undone = e->report;
		memset(&e->report, 0, sizeof e->report);
		take_text(&m->undone_text, &e->text);
		m->got_undone++;
		break;
	case WORKER_MESSAGE:
		free(m->data);
		m->data = e->data;
		m->len = e->len;
		m->data_uid = e->uid;
		e->data = NULL;
		break;
	case WORKER_MARKED:
		m->marked = e->uid;
		break;
	case WORKER_ERROR:
		take_text(&m->error, &e->text);
		m->error_uid = e->uid;
		break;
	case WORKER_FAILED:
		take_text(&m->failed, &e->text);
		break;
	case WORKER_IDLE:
		break;
	}
	worker_event_free(e);
}

/*
 * Reads events into m, waiting on the descriptor with poll() only, until
 * one of kind until has been applied.  0 when the deadline passed first.
 */
static int
pump(struct worker *w, struct model *m, enum worker_event_kind until,
    double seconds)
{
	struct worker_event	*e;
	struct pollfd		 pfd;
	double			 end = now_s() + seconds, left;
	enum worker_event_kind	 kind;

	for (;;) {
		if ((left = end - now_s()) <= 0)
			return 0;
		pfd.fd = worker_fd(w);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		if ((e = worker_next(w)) == NULL) {
			m->spurious++;
			continue;
		}
		kind = e->kind;
		model_apply(m, e);
		if (kind == until)
			return 1;
	}
}

/*
 * OPENED, (PROGRESS|LISTED)*, ROWS, (PROGRESS|VERDICTS)*, IDLE, with at
 * least one LISTED before ROWS when there is mail: 1 when so.
 */
static int
startup_order(const struct model *m)
{
	size_t	 i = 0, listed = 0;

	if (m->nkinds == 0 || m->kinds[i++] != WORKER_OPENED)
		return 0;
	while (i < m->nkinds && (m->kinds[i] == WORKER_PROGRESS ||
	    m->kinds[i] == WORKER_LISTED))
		listed += m->kinds[i++] == WORKER_LISTED;
	if (listed == 0 && m->nrows > 0)
		return 0;
	if (i == m->nkinds || m->kinds[i++] != WORKER_ROWS)
		return 0;
	while (i < m->nkinds && (m->kinds[i] == WORKER_PROGRESS ||
	    m->kinds[i] == WORKER_VERDICTS))
		i++;
	return i + 1 == m->nkinds && m->kinds[i] == WORKER_IDLE;
}

/* The kinds logged, PROGRESS and LISTED (a listing under way) left out,
 * are first then second. */
static int
starts_with(const struct model *m, enum worker_event_kind first,
    enum worker_event_kind second)
{
	enum worker_event_kind	 k[2];
	size_t			 i, n = 0;

	for (i = 0; i < m->nkinds && n < 2; i++) {
		if (m->kinds[i] != WORKER_PROGRESS &&
		    m->kinds[i] != WORKER_LISTED)
			k[n++] = m->kinds[i];
	}
	return n == 2 && k[0] == first && k[1] == second;
}

static int
has_message_id(const struct model *m, const char *id)
{
	size_t	 i;

	for (i = 0; i < m->nrows; i++) {
		if (m->rows[i].message_id != NULL &&
		    strcmp(m->rows[i].message_id, id) == 0)
			return 1;
	}
	return 0;
}

static void
add_msg(const char *data, size_t len)
{
	msgs = xreallocarray(msgs, nmsgs + 1, sizeof *msgs);
	msgs[nmsgs].raw = xmemdup(data, len + 1);
	msgs[nmsgs].len = len;
	msgs[nmsgs].flags = nmsgs % 3 == 0 ? STORE_SEEN : 0;
	nmsgs++;
}

static void
add_source(const char *path)
{
	struct source		*s;
	struct source_msg	 sm;
	char			*cause = NULL;

	if ((s = source_open(path, &cause)) == NULL) {
		printf("# %s: %s\n", path, cause);
		free(cause);
		return;
	}
	while (source_next(s, &sm)) {
		if (sm.data != NULL)
			add_msg(sm.data, sm.len);
		source_msg_clear(&sm);
	}
	source_close(s);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus .eml files in name order, then the demo Maildir. */
static void
load_messages(const char *srcdir)
{
	struct dirent	*de;
	DIR		*d;
	char		*dir, **names = NULL, *p;
	size_t		 n = 0, i, l;

	dir = xasprintf("%s/tests/corpus", srcdir);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			l = strlen(de->d_name);
			if (l < 5 || strcmp(de->d_name + l - 4, ".eml") != 0)
				continue;
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
		closedir(d);
	}
	if (n > 1)
		qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		p = xasprintf("%s/%s", dir, names[i]);
		add_source(p);
		free(p);
		free(names[i]);
	}
	free(names);
	free(dir);
	p = xasprintf("%s/demo", srcdir);
	add_source(p);
	free(p);
}

static int
load_analyzer(const char *srcdir)
{
	struct diag	*d = diag_new();
	struct ruleset	*rs;
	struct msg	*m;
	struct verdict	*v;
	const char	*paths[1];
	char		*rules, *cause = NULL;
	size_t		 i;

	rules = xasprintf("%s/rules", srcdir);
	paths[0] = rules;
	rs = analyzer_load_rules(paths, 1, d);
	for (i = 0; i < diag_count(d); i++)
		printf("# %s\n", diag_get(d, i));
	diag_free(d);
	free(rules);
	if ((analyzer = analyzer_new(rs, NULL, &cause)) == NULL) {
		printf("# analyzer: %s\n", cause);
		free(cause);
		return -1;
	}
	is_phish = xcalloc(nmsgs + 1, sizeof *is_phish);
	for (i = 0; i < nmsgs; i++) {
		if ((m = msg_parse(msgs[i].raw, msgs[i].len, NULL,
		    &cause)) == NULL) {
			free(cause);
			cause = NULL;
			continue;
		}
		v = analyzer_run(analyzer, m);
		if (v->level == VERDICT_PHISH) {
			is_phish[i] = 1;
			direct_phish++;
		}
		verdict_free(v);
		msg_free(m);
	}
	return 0;
}

static void
test_degenerate(void)
{
	struct store_fake_msg	 bad = { NULL, 3, 0 };
	struct worker_opts	 o;
	struct opener		 op;
	struct model		 m;
	struct worker		*w;
	struct store		*st;
	char			*cause = NULL;

	worker_free(NULL);
	worker_event_free(NULL);
	store_fake_fail_junk_after(NULL, 1);
	store_fake_set_fetch_delay(NULL, 1);
	t_int_eq(store_fake_junk_count(NULL), 0, "fake knobs accept NULL");

	t_ok(worker_start(NULL, &cause) == NULL && cause != NULL,
	    "worker_start without options fails with a cause");
	free(cause);
	cause = NULL;
	memset(&o, 0, sizeof o);
	t_ok(worker_start(&o, &cause) == NULL && cause != NULL,
	    "worker_start without an open function fails with a cause");
	free(cause);
	cause = NULL;

	st = store_open_fake(NULL, 2, NULL, &cause);
	t_ok(st == NULL && cause != NULL, "fake: NULL messages is an error");
	free(cause);
	cause = NULL;
	st = store_open_fake(&bad, 1, NULL, &cause);
	t_ok(st == NULL && cause != NULL, "fake: a NULL raw is an error");
	free(cause);
	cause = NULL;

	/* A store that cannot be opened: FAILED, then nothing. */
	memset(&op, 0, sizeof op);
	op.refuse = 1;
	memset(&m, 0, sizeof m);
	w = start(&op);
	t_ok(w != NULL && pump(w, &m, WORKER_FAILED, WAIT_S),
	    "a refused open posts WORKER_FAILED");
	t_str_eq(m.failed, "connection refused", "FAILED carries the cause");
	if (w != NULL)
		worker_refresh(w);
	t_ok(w != NULL && !pump(w, &m, WORKER_IDLE, 0.3) && m.nkinds == 1,
	    "nothing follows WORKER_FAILED, requests included");
	worker_free(w);
	model_clear(&m);

	/* An empty mailbox. */
	memset(&op, 0, sizeof op);
	memset(&m, 0, sizeof m);
	w = start(&op);
	t_ok(w != NULL && pump(w, &m, WORKER_IDLE, WAIT_S),
	    "empty mailbox: IDLE comes");
	t_ok(startup_order(&m), "empty mailbox: OPENED, ROWS, IDLE in order");
	t_int_eq(m.nrows, 0, "empty mailbox: no rows");
	t_str_eq(m.opened[0], "fake:INBOX", "OPENED: store name");
	t_str_eq(m.opened[1], "INBOX", "OPENED: folder");
	t_str_eq(m.opened[2], "Junk", "OPENED: junk folder");
	if (w != NULL)
		worker_junk(w, NULL, 0);
	t_ok(w != NULL && pump(w, &m, WORKER_IDLE, WAIT_S) && m.got_moved &&
	    m.moved.requested == 0 && m.moved_text == NULL,
	    "junk of nothing: MOVED with nothing requested, no cause");
	worker_free(w);
	model_clear(&m);
}

static int
cancel_moving(void *ctx, const char *phase, size_t done, size_t total)
{
	(void)ctx;
	(void)done;
	(void)total;
	return strcmp(phase, "moving") == 0;
}

static const char *const fake_texts[] = {
	"Message-ID: <f1@example.jp>\nFrom: Alice <a@example.jp>\n"
	"Subject: one\nDate: Tue, 14 Nov 2023 22:13:20 +0000\n\nbody 1\n",
	"Message-ID: <f2@example.jp>\r\nFrom: b@example.jp\r\n"
	"Subject: two\r\n\r\nbody 2\r\n",
	"From: c@example.jp\nSubject: three\n\nbody 3\n",
	"Message-ID: <f4@example.jp>\nSubject: four\n\nbody 4\n",
};

/* The fake store's own contract, without a worker. */
static void
test_fake(void)
{
	struct store_fake_msg		 fm[SAGI_NITEMS(fake_texts)];
	struct store_move_report	 rep;
	struct store_opts		 o;
	struct store_entry		*e;
	struct store			*st;
	uint32_t			 uids[4];
	char				*cause = NULL, *data = NULL;
	size_t				 i, len = 0;
	int				 rc;

	for (i = 0; i < SAGI_NITEMS(fake_texts); i++) {
		fm[i].raw = fake_texts[i];
		fm[i].len = strlen(fake_texts[i]);
		fm[i].flags = i == 0 ? STORE_SEEN : 0;
	}
	memset(&o, 0, sizeof o);
	st = store_open_fake(fm, SAGI_NITEMS(fm), &o, &cause);
	t_ok(st != NULL, "fake: opens");
	if (st == NULL) {
		free(cause);
		return;
	}
	t_int_eq(store_count(st), 0, "fake: nothing listed before store_list");
	t_int_eq(store_list(st, &cause), 0, "fake: lists");
	t_int_eq(store_count(st), 4, "fake: four entries");
	e = store_entry_at(st, 0);
	t_ok(e != NULL && e->uid == 1 && e->flags == STORE_SEEN &&
	    e->size == fm[0].len, "fake: uid 1, its flags and size");
	t_str_eq(e != NULL ? e->subject : NULL, "one", "fake: subject");
	t_str_eq(e != NULL ? e->from : NULL, "Alice", "fake: from");
	t_str_eq(e != NULL ? e->message_id : NULL, "f1@example.jp",
	    "fake: Message-ID without <>");
	t_ok(e != NULL && e->date == 1700000000, "fake: date");
	e = store_entry_find(st, 2);
	t_str_eq(e != NULL ? e->subject : NULL, "two", "fake: CRLF headers");
	e = store_entry_find(st, 3);
	t_ok(e != NULL && e->message_id == NULL, "fake: no Message-ID is NULL");

	rc = store_fetch(st, 2, &data, &len, &cause);
	t_ok(rc == 0 && len == fm[1].len && memcmp(data, fm[1].raw, len) == 0
	    && data[len] == '\0', "fake: fetch gives a NUL-terminated copy");
	free(data);
	data = NULL;
	rc = store_fetch(st, 99, &data, &len, &cause);
	t_ok(rc == -1 && cause != NULL && data == NULL,
	    "fake: fetching a missing uid fails with a cause");
	free(cause);
	cause = NULL;

	rc = store_undo(st, &rep, &cause);
	t_ok(rc == -1 && cause != NULL, "fake: nothing to undo at first");
	t_str_eq(cause, "nothing to undo", "fake: undo's cause");
	free(cause);
	cause = NULL;
	store_move_report_clear(&rep);

	uids[0] = 1;
	uids[1] = 1;
	uids[2] = 99;
	rc = store_junk(st, uids, 3, &rep, &cause);
	t_ok(rc == -1 && cause != NULL, "fake: a partial junk fails");
	t_ok(rep.requested == 3 && rep.moved == 1 && rep.failed == 2,
	    "fake: duplicate and missing uid counted as failed");
	t_ok(rep.nnotes >= 3 && rep.journal_id != NULL &&
	    strcmp(rep.dst, "Junk") == 0, "fake: notes, batch id, dst");
	t_int_eq(store_fake_junk_count(st), 1, "fake: one in Junk");
	t_int_eq(store_count(st), 3, "fake: the entry left the list");
	free(cause);
	cause = NULL;
	store_move_report_clear(&rep);

	rc = store_undo(st, &rep, &cause);
	t_ok(rc == 0 && rep.moved == 1 && rep.failed == 0,
	    "fake: undo moves the batch back");
	store_move_report_clear(&rep);
	t_int_eq(store_fake_junk_count(st), 0, "fake: Junk empty again");
	store_list(st, &cause);
	e = store_entry_find(st, 5);
	t_ok(store_count(st) == 4 && e != NULL &&
	    (e->flags & STORE_NOTJUNK) && !(e->flags & STORE_JUNK),
	    "fake: back under a new uid, marked not junk");
	t_str_eq(e != NULL ? e->subject : NULL, "one", "fake: same message");

	store_fake_fail_junk_after(st, 1);
	uids[0] = 2;
	uids[1] = 3;
	rc = store_junk(st, uids, 2, &rep, &cause);
	t_ok(rc == -1 && rep.moved == 1 && rep.failed == 1 && cause != NULL,
	    "fake: fail_junk_after(1) moves one and fails the rest");
	free(cause);
	cause = NULL;
	store_move_report_clear(&rep);
	t_int_eq(store_count(st) + store_fake_junk_count(st), 4,
	    "fake: nothing lost by a failed move");
	uids[0] = 3;
	rc = store_junk(st, uids, 1, &rep, &cause);
	t_ok(rc == 0 && rep.moved == 1, "fake: the knob resets after one use");
	store_move_report_clear(&rep);
	rc = store_undo(st, &rep, &cause);
	store_move_report_clear(&rep);
	rc |= store_undo(st, &rep, &cause);
	store_move_report_clear(&rep);
	t_ok(rc == 0 && store_fake_junk_count(st) == 0,
	    "fake: two undos empty Junk, newest first");
	free(cause);
	cause = NULL;

	t_ok(store_mark_not_junk(st, 4, &cause) == 0 &&
	    (store_entry_find(st, 4)->flags & STORE_NOTJUNK),
	    "fake: mark not junk sets the flag");
	t_ok(store_mark_not_junk(st, 99, &cause) == -1 && cause != NULL,
	    "fake: mark not junk of a missing uid fails");
	free(cause);
	cause = NULL;
	store_close(st);

	/* A cancelled move moves nothing and says so. */
	o.progress = cancel_moving;
	st = store_open_fake(fm, SAGI_NITEMS(fm), &o, &cause);
	store_list(st, &cause);
	uids[0] = 1;
	uids[1] = 2;
	rc = store_junk(st, uids, 2, &rep, &cause);
	t_ok(rc == -1 && rep.moved == 0 && rep.failed == 2 &&
	    store_count(st) == 4, "fake: cancelled junk moves nothing");
	t_str_eq(cause, "cancelled", "fake: cancelled junk's cause");
	free(cause);
	store_move_report_clear(&rep);
	store_close(st);
}

/* The whole life of a session: load, judge, junk, undo, failing junk. */
static void
test_flow(void)
{
	struct opener	 op;
	struct model	 m;
	struct worker	*w;
	uint32_t	*phish;
	size_t		 i, n = 0, k;
	int		 ok;

	memset(&op, 0, sizeof op);
	op.msgs = msgs;
	op.n = nmsgs;
	memset(&m, 0, sizeof m);
	if ((w = start(&op)) == NULL) {
		t_ok(0, "worker starts");
		return;
	}
	ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	t_ok(ok, "first IDLE comes");
	t_ok(startup_order(&m), "OPENED, ROWS, (PROGRESS|VERDICTS)*, IDLE");
	t_int_eq(m.nrows, nmsgs, "ROWS lists every message");
	t_int_eq(model_unjudged(&m), 0, "every row got a verdict");
	t_ok(m.nverdicts > 0, "verdicts came in VERDICTS events");
	t_int_eq(model_level(&m, VERDICT_PHISH), direct_phish,
	    "phish count matches a direct analyzer run");
	for (i = k = 0; i < m.nrows; i++) {
		struct worker_row *r = &m.rows[i];

		if (r->uid < 1 || r->uid > nmsgs || r->verdict == NULL ||
		    (r->verdict->level == VERDICT_PHISH) !=
		    is_phish[r->uid - 1])
			k++;
	}
	t_int_eq(k, 0, "each row's verdict is the direct run's");
	t_ok(m.rows != NULL && m.rows[0].subject != NULL &&
	    m.rows[0].from != NULL && m.rows[0].flags == msgs[0].flags,
	    "rows carry headers and flags");
	t_int_eq(m.spurious, 0, "the descriptor is readable only with events");

	/* Fetch and mark. */
	worker_fetch(w, 3);
	worker_fetch(w, 9999);
	worker_not_junk(w, 2);
	/* The worker posts IDLE whenever its queue runs dry, which may be
	 * between these requests: pump until the last one has answered. */
	for (i = 0, ok = 1; ok && m.marked != 2 && i < 3; i++)
		ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	t_ok(ok && m.data_uid == 3 && m.len == msgs[2].len &&
	    memcmp(m.data, msgs[2].raw, m.len) == 0,
	    "fetch posts the raw message");
	t_ok(m.error != NULL && m.error_uid == 9999,
	    "a failed fetch posts ERROR with the uid");
	t_int_eq(m.marked, 2, "not junk posts MARKED");

	/* Junk every phish. */
	phish = xcalloc(m.nrows + 1, sizeof *phish);
	for (i = 0; i < m.nrows; i++) {
		if (m.rows[i].verdict != NULL &&
		    m.rows[i].verdict->level == VERDICT_PHISH)
			phish[n++] = m.rows[i].uid;
	}
	m.nkinds = 0;
	worker_junk(w, phish, n);
	ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	t_ok(ok && m.got_moved == 1, "junk posts MOVED");
	t_ok(starts_with(&m, WORKER_MOVED, WORKER_ROWS),
	    "PROGRESS while moving, MOVED, then ROWS");
	t_ok(m.moved.requested == n && m.moved.moved == n &&
	    m.moved.failed == 0 && m.moved_text == NULL,
	    "MOVED counts every phish as moved");
	t_int_eq(m.nrows, nmsgs - n, "ROWS without the moved messages");
	for (i = k = 0; i < n; i++)
		k += model_find(&m, phish[i]) != NULL;
	t_int_eq(k, 0, "no moved uid is listed");
	t_int_eq(model_level(&m, VERDICT_PHISH), 0, "no phish left listed");
	t_int_eq(model_unjudged(&m), 0, "the rest keep their verdicts");
	t_int_eq(store_fake_junk_count(op.st), n, "the fake's Junk has them");

	/* Undo. */
	m.nkinds = 0;
	worker_undo(w);
	ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	t_ok(ok && m.got_undone == 1 && m.undone.moved == n &&
	    m.undone_text == NULL, "undo posts UNDONE with every message");
	t_ok(starts_with(&m, WORKER_UNDONE, WORKER_ROWS),
	    "PROGRESS while moving, UNDONE, then ROWS");
	t_int_eq(m.nrows, nmsgs, "ROWS has them back");
	for (i = k = 0; i < nmsgs; i++) {
		const char	*id;
		struct msg	*pm;
		char		*why = NULL;

		if ((pm = msg_parse(msgs[i].raw, msgs[i].len, NULL,
		    &why)) == NULL) {
			free(why);
			continue;
		}
		id = msg_message_id(pm);
		if (is_phish[i] && id != NULL && *id != '\0' &&
		    !has_message_id(&m, id))
			k++;
		msg_free(pm);
	}
	t_int_eq(k, 0, "each phish is listed again by Message-ID");
	t_int_eq(model_unjudged(&m), 0, "the returned ones are judged again");
	t_int_eq(model_level(&m, VERDICT_PHISH), direct_phish,
	    "the same phish count after undo");
	t_int_eq(store_fake_junk_count(op.st), 0, "the fake's Junk is empty");

	/* A move that fails part way loses no row. */
	n = 0;
	for (i = 0; i < m.nrows; i++) {
		if (m.rows[i].verdict != NULL &&
		    m.rows[i].verdict->level == VERDICT_PHISH)
			phish[n++] = m.rows[i].uid;
	}
	store_fake_fail_junk_after(op.st, 2);
	m.got_moved = 0;
	worker_junk(w, phish, n);
	ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	t_ok(ok && m.got_moved == 1 && m.moved_text != NULL,
	    "a failing junk posts MOVED with a cause");
	t_ok(m.moved.moved == 2 && m.moved.failed == n - 2 &&
	    m.moved.nnotes > 0, "the report says what moved and what not");
	t_int_eq(m.nrows, nmsgs - 2, "only the moved ones left the list");
	t_int_eq(m.nrows + store_fake_junk_count(op.st), nmsgs,
	    "no message lost");
	t_int_eq(model_unjudged(&m), 0, "the rows kept their verdicts");
	m.got_undone = 0;
	worker_undo(w);
	ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	t_ok(ok && m.got_undone == 1 && m.undone.moved == 2 &&
	    m.nrows == nmsgs, "undo brings the two back");
	worker_undo(w);
	ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	t_ok(ok && m.got_undone == 2 && m.undone_text != NULL,
	    "undo with nothing left posts UNDONE with a cause");

	/* A refresh with nothing new: ROWS, IDLE, every verdict still there. */
	m.nkinds = 0;
	worker_refresh(w);
	ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	t_ok(ok && m.nkinds >= 2 && m.nrows == nmsgs &&
	    model_unjudged(&m) == 0, "refresh lists again, verdicts kept");
	t_int_eq(m.spurious, 0, "still never readable without an event");
	free(phish);
	worker_free(w);
	model_clear(&m);
}

/* Cancel a slow classification; a refresh finishes it. */
static void
test_cancel(void)
{
	struct opener	 op;
	struct model	 m;
	struct worker	*w;
	double		 t0;
	int		 ok;

	memset(&op, 0, sizeof op);
	op.msgs = msgs;
	op.n = nmsgs;
	op.delay_ms = 100;
	memset(&m, 0, sizeof m);
	if ((w = start(&op)) == NULL) {
		t_ok(0, "worker starts");
		return;
	}
	ok = pump(w, &m, WORKER_VERDICTS, WAIT_S);
	t_ok(ok, "slow store: first verdicts arrive");
	t0 = now_s();
	worker_cancel(w);
	ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	t_ok(ok, "IDLE comes after worker_cancel");
	T_TOOK("cancel to IDLE", now_s() - t0);
	t_ok(model_unjudged(&m) > 0, "some rows lack verdicts (%zu of %zu)",
	    model_unjudged(&m), m.nrows);
	t_str_eq(m.error, "cancelled", "the cancel is reported");
	worker_cancel(w);	/* idle: nothing to stop */

	store_fake_set_fetch_delay(op.st, 0);
	worker_refresh(w);
	ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	t_ok(ok && model_unjudged(&m) == 0,
	    "refresh classifies what the cancel left");
	t_int_eq(model_level(&m, VERDICT_PHISH), direct_phish,
	    "the same phish count after resuming");
	worker_free(w);
	model_clear(&m);
}

/* A junk and a fetch do not wait for a slow classification to end. */
static void
test_preempt(void)
{
	struct opener	 op;
	struct model	 m;
	struct worker	*w;
	uint32_t	 uid = (uint32_t)nmsgs;	/* judged last */
	int		 ok;

	memset(&op, 0, sizeof op);
	op.msgs = msgs;
	op.n = nmsgs;
	op.delay_ms = 60;
	memset(&m, 0, sizeof m);
	if ((w = start(&op)) == NULL) {
		t_ok(0, "worker starts");
		return;
	}
	ok = pump(w, &m, WORKER_VERDICTS, WAIT_S);
	worker_junk(w, &uid, 1);
	worker_fetch(w, 1);
	ok = ok && pump(w, &m, WORKER_MOVED, WAIT_S);
	t_ok(ok && m.moved.moved == 1, "junk runs during a classification");
	t_ok(m.moved_before_done, "... before every verdict was in");
	ok = pump(w, &m, WORKER_MESSAGE, WAIT_S);
	t_ok(ok && m.data_uid == 1, "fetch runs during a classification");
	t_ok(model_unjudged(&m) > 0, "... before every verdict was in");
	t_ok(m.error == NULL, "an interrupted classification is no error");
	ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	t_ok(ok && model_unjudged(&m) == 0 && m.nrows == nmsgs - 1,
	    "the classification resumes and finishes");
	worker_free(w);
	model_clear(&m);
}

/* Progress is posted about 20 times a second at most. */
static void
test_rate(void)
{
	struct store_fake_msg	*many;
	struct opener		 op;
	struct model		 m;
	struct worker		*w;
	double			 t0, secs;
	size_t			 i, n = nmsgs * 4, bound;
	int			 ok;

	many = xcalloc(n, sizeof *many);
	for (i = 0; i < n; i++)
		many[i] = msgs[i % nmsgs];
	memset(&op, 0, sizeof op);
	op.msgs = many;
	op.n = n;
	op.delay_ms = 2;
	memset(&m, 0, sizeof m);
	t0 = now_s();
	if ((w = start(&op)) == NULL) {
		t_ok(0, "worker starts");
		free(many);
		return;
	}
	ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	secs = now_s() - t0;
	/* One per 50 ms, plus the first and last of each phase. */
	bound = (size_t)(secs * 20) + 5;
	t_ok(ok && m.nprogress > 0 && m.nprogress <= bound,
	    "%zu progress events in %.2f s (at most %zu)", m.nprogress, secs,
	    bound);
	t_int_eq(model_unjudged(&m), 0, "%zu messages judged", n);
	worker_free(w);
	model_clear(&m);
	free(many);
}

static size_t
count_kind(const struct model *m, enum worker_event_kind kind)
{
	size_t	 i, n = 0;

	for (i = 0; i < m->nkinds; i++)
		n += m->kinds[i] == kind;
	return n;
}

/*
 * The first rows reach the UI before the listing ends: the fake holds its
 * listing after the first batch of 32 until told to go on, so this needs
 * no timing.  Then a held listing still stops when the worker is freed.
 */
static void
test_listed(void)
{
	struct opener	 op;
	struct model	 m;
	struct worker	*w;
	size_t		 i;
	int		 ok, named = 1;

	memset(&op, 0, sizeof op);
	op.msgs = msgs;
	op.n = nmsgs;
	op.hold = 1;
	memset(&m, 0, sizeof m);
	if ((w = start(&op)) == NULL) {
		t_ok(0, "worker starts");
		return;
	}
	ok = pump(w, &m, WORKER_LISTED, WAIT_S);
	t_ok(ok, "a LISTED post arrives while the listing is held");
	t_int_eq(count_kind(&m, WORKER_ROWS), 0,
	    "... before the listing ends (no ROWS yet)");
	t_int_eq(m.nrows, 32, "... with the first batch of rows");
	for (i = 0; i < m.nrows; i++) {
		if (m.rows[i].uid != i + 1 || m.rows[i].from == NULL ||
		    m.rows[i].subject == NULL)
			named = 0;
	}
	t_ok(named, "the early rows are uids 1..32 with sender and subject");
	t_ok(count_kind(&m, WORKER_OPENED) == 1 && op.st != NULL,
	    "the store was opened first");
	store_fake_hold_listing(op.st, 0);
	ok = pump(w, &m, WORKER_ROWS, WAIT_S);
	t_ok(ok && m.nrows == nmsgs, "released, the listing ends with every "
	    "row (%zu of %zu)", m.nrows, nmsgs);
	ok = pump(w, &m, WORKER_IDLE, WAIT_S);
	t_ok(ok && startup_order(&m) && model_unjudged(&m) == 0,
	    "then classifies as usual");
	worker_free(w);
	model_clear(&m);

	/* Freed while the listing is held: the hold still cancels. */
	memset(&op, 0, sizeof op);
	op.msgs = msgs;
	op.n = nmsgs;
	op.hold = 1;
	if ((w = start(&op)) == NULL) {
		t_ok(0, "worker starts");
		return;
	}
	ok = pump(w, &m, WORKER_LISTED, WAIT_S);
	worker_free(w);
	t_ok(ok, "worker_free returns while a listing is held");
	model_clear(&m);
}

/* worker_free never hangs, whatever the worker is doing; ASan sees leaks. */
static void
test_free(void)
{
	static const unsigned int	 after[] = { 0, 1, 3, 10, 30, 80, 200 };
	struct opener			 op;
	struct worker			*w;
	uint32_t			 uids[2] = { 1, 2 };
	double				 t0, worst = 0;
	size_t				 i;
	int				 started = 1;

	for (i = 0; i < SAGI_NITEMS(after) * 2; i++) {
		memset(&op, 0, sizeof op);
		op.msgs = msgs;
		op.n = nmsgs;
		op.delay_ms = 40;
		if ((w = start(&op)) == NULL) {
			started = 0;
			continue;
		}
		if (i % 2 == 1) {
			worker_junk(w, uids, 2);
			worker_undo(w);
			worker_fetch(w, 1);
			worker_refresh(w);
		}
		t_sleep_ms(after[i / 2]);
		t0 = now_s();
		worker_free(w);
		if (now_s() - t0 > worst)
			worst = now_s() - t0;
	}
	t_ok(started, "every worker started");
	T_TOOK("worker_free, the slowest", worst);
}

/* poll() wakes up for the first event and sleeps when nothing waits. */
static void
test_poll(void)
{
	struct opener		 op;
	struct model		 m;
	struct worker		*w;
	struct worker_event	*e;
	struct pollfd		 pfd;
	int			 rc;

	memset(&op, 0, sizeof op);
	op.msgs = msgs;
	op.n = 4;
	memset(&m, 0, sizeof m);
	if ((w = start(&op)) == NULL) {
		t_ok(0, "worker starts");
		return;
	}
	pfd.fd = worker_fd(w);
	pfd.events = POLLIN;
	pfd.revents = 0;
	rc = poll(&pfd, 1, WAIT_S * 1000);
	t_ok(rc == 1 && (pfd.revents & POLLIN), "poll wakes up for OPENED");
	e = worker_next(w);
	t_ok(e != NULL && e->kind == WORKER_OPENED,
	    "the first event is OPENED");
	worker_event_free(e);
	t_ok(pump(w, &m, WORKER_IDLE, WAIT_S), "then IDLE");
	pfd.revents = 0;
	rc = poll(&pfd, 1, 100);
	t_int_eq(rc, 0, "nothing readable once every event is taken");
	t_ok(worker_next(w) == NULL, "worker_next is NULL then, not blocking");
	worker_fetch(w, 1);
	pfd.revents = 0;
	rc = poll(&pfd, 1, WAIT_S * 1000);
	t_ok(rc == 1 && (pfd.revents & POLLIN), "poll wakes up for a request's "
	    "answer");
	t_ok(pump(w, &m, WORKER_IDLE, WAIT_S) && m.data_uid == 1,
	    "the answer is the message");
	/* Events left unread are freed by worker_free. */
	worker_fetch(w, 2);
	worker_fetch(w, 3);
	t_sleep_ms(50);
	worker_free(w);
	model_clear(&m);
}

int
main(void)
{
	const char	*srcdir;
	size_t		 i;

	if ((srcdir = getenv("SAGI_SRCDIR")) == NULL &&
	    (srcdir = getenv("top_srcdir")) == NULL)
		srcdir = ".";
	load_messages(srcdir);
	if (nmsgs < 20 || load_analyzer(srcdir) != 0) {
		printf("# no corpus or rules under %s (%zu messages)\n", srcdir,
		    nmsgs);
		return 99;
	}
	printf("# %zu messages, %zu phish by a direct run\n", nmsgs,
	    direct_phish);
	t_ok(direct_phish > 0 && direct_phish < nmsgs,
	    "the corpus has phish and non-phish");

	test_degenerate();
	test_fake();
	test_listed();
	test_flow();
	test_cancel();
	test_preempt();
	test_rate();
	test_free();
	test_poll();

	for (i = 0; i < nmsgs; i++)
		free((char *)msgs[i].raw);
	free(msgs);
	free(is_phish);
	analyzer_free(analyzer);
	return t_done();
}
