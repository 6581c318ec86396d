/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the interface's model (tui-model.c) fed hand-made worker
 * events, no worker and no terminal: rows arriving in several LISTED posts
 * in any order keep the list sorted and the selected message selected; the
 * phish / suspicious / judged counts the title shows stay equal to a count
 * over the rows after every kind of event (listing, full list, verdicts, a
 * move, an undo).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/actions.h"
#include "tui/tui.h"
#include "xalloc.h"
#include "t.h"

/* A verdict of level lv, or none for lv -1. */
static struct verdict *
mkverdict(int lv)
{
	struct verdict	*v;

	if (lv < 0)
		return NULL;
	v = verdict_new();
	v->level = (enum verdict_level)lv;
	v->score = lv == VERDICT_PHISH ? 90 : lv == VERDICT_SUSPECT ? 40 : 0;
	return v;
}

static void
mkrow(struct worker_row *r, uint32_t uid, int64_t date, int lv)
{
	memset(r, 0, sizeof *r);
	r->uid = uid;
	r->from = xasprintf("sender%u@example.jp", uid);
	r->subject = xasprintf("subject %u", uid);
	r->date = date;
	r->verdict = mkverdict(lv);
}

/* An event of kind with n rows: uids[i], date dates[i], level lv[i]. */
static struct worker_event *
mkevent(enum worker_event_kind kind, const uint32_t *uids,
    const int64_t *dates, const int *lv, size_t n)
{
	struct worker_event	*e = xcalloc(1, sizeof *e);
	size_t			 i;

	e->kind = kind;
	e->rows = xcalloc(n + 1, sizeof *e->rows);
	e->nrows = n;
	for (i = 0; i < n; i++)
		mkrow(&e->rows[i], uids[i], dates != NULL ? dates[i] :
		    (int64_t)uids[i], lv != NULL ? lv[i] : -1);
	return e;
}

static void
feed(struct tui *t, struct worker_event *e)
{
	tui_handle(t, e);
	worker_event_free(e);
}

/* The counts tui_counts gives equal a walk over the rows. */
static int
counts_right(const struct tui *t, const char *what)
{
	size_t	 p, s, j, wp = 0, ws = 0, wj = 0, i;

	for (i = 0; i < t->nrows; i++) {
		const struct verdict *v = t->rows[i].r.verdict;

		if (v == NULL)
			continue;
		wj++;
		wp += v->level == VERDICT_PHISH;
		ws += v->level == VERDICT_SUSPECT;
	}
	tui_counts(t, &p, &s, &j);
	if (p == wp && s == ws && j == wj)
		return 1;
	printf("# %s: counts %zu/%zu/%zu, rows say %zu/%zu/%zu\n", what, p, s,
	    j, wp, ws, wj);
	return 0;
}

/* Rows ascending by uid and the view sorted by date: 1 when so. */
static int
sorted(const struct tui *t)
{
	size_t	i;

	for (i = 1; i < t->nrows; i++) {
		if (t->rows[i - 1].r.uid >= t->rows[i].r.uid)
			return 0;
	}
	for (i = 1; i < t->nview; i++) {
		if (t->rows[t->view[i - 1]].r.date >
		    t->rows[t->view[i]].r.date)
			return 0;
	}
	return 1;
}

static uint32_t
current_uid(struct tui *t)
{
	return tui_current(t) != NULL ? tui_current(t)->r.uid : 0;
}

static void
test_listed(struct tui *t)
{
	static const uint32_t	 b1[] = { 10, 30, 20 };
	static const int64_t	 d1[] = { 1000, 3000, 2000 };
	static const int	 l1[] = { VERDICT_PHISH, -1, VERDICT_CLEAN };
	static const uint32_t	 b2[] = { 5, 25, 40, 30 };
	static const int64_t	 d2[] = { 500, 2500, 4000, 3000 };
	static const int	 l2[] = { -1, VERDICT_SUSPECT, VERDICT_PHISH,
				     VERDICT_SUSPECT };
	static const uint32_t	 dup[] = { 7, 7 };
	static const uint32_t	 all[] = { 5, 7, 10, 20, 25, 30, 40 };
	static const int64_t	 dall[] = { 500, 700, 1000, 2000, 2500, 3000,
				     4000 };
	static const int	 lall[] = { -1, -1, VERDICT_PHISH,
				     VERDICT_CLEAN, VERDICT_SUSPECT,
				     VERDICT_SUSPECT, VERDICT_PHISH };

	feed(t, mkevent(WORKER_LISTED, b1, d1, l1, 3));
	t_int_eq(t->nrows, 3, "first LISTED: three rows");
	t_ok(sorted(t), "rows by uid, view by date after one post");
	t_ok(counts_right(t, "first LISTED"), "counts after the first post");

	/* The user selects the message dated 2000 (uid 20). */
	t->cur = 1;
	t->top = 0;
	t_int_eq(current_uid(t), 20, "cursor on uid 20");
	t->rows[t->view[t->cur]].tagged = 1;

	/* Older mail arrives (sorts above the cursor), and uid 30 again
	 * with a verdict now. */
	feed(t, mkevent(WORKER_LISTED, b2, d2, l2, 4));
	t_int_eq(t->nrows, 6, "second LISTED: new rows join, uid 30 replaced");
	t_ok(sorted(t), "still sorted after rows arrived out of order");
	t_int_eq(current_uid(t), 20, "the selected message stays selected");
	t_ok(t->cur == 2 && t->cur - t->top == 1, "... on its screen line "
	    "(cursor %zu, top %zu)", t->cur, t->top);
	t_ok(tui_row_find(t, 20)->tagged, "and keeps its tag");
	t_ok(tui_row_find(t, 30)->r.verdict != NULL &&
	    tui_row_find(t, 30)->r.verdict->level == VERDICT_SUSPECT,
	    "a row listed again takes the new copy");
	t_ok(counts_right(t, "second LISTED"), "counts after the second post");

	/* Two copies of one uid in a post make one row. */
	feed(t, mkevent(WORKER_LISTED, dup, NULL, NULL, 2));
	t_int_eq(t->nrows, 7, "a uid twice in one post is one row");
	t_ok(sorted(t), "sorted after a duplicate");
	t_ok(counts_right(t, "duplicate"), "counts after a duplicate");

	/* Score sort: the view follows new rows too. */
	t->sort = TUI_SORT_SCORE;
	tui_view_rebuild(t);
	t_int_eq(current_uid(t), 20, "sorting by score keeps the selection");
	t->sort = TUI_SORT_DATE;
	tui_view_rebuild(t);

	/* The listing ends: the complete list. */
	feed(t, mkevent(WORKER_ROWS, all, dall, lall, 7));
	t_int_eq(t->nrows, 7, "ROWS: the complete list");
	t_int_eq(current_uid(t), 20, "ROWS keeps the selection");
	t_ok(tui_row_find(t, 20)->tagged, "ROWS keeps the tag");
	t_ok(counts_right(t, "ROWS"), "counts after ROWS");
}

static void
test_counts(struct tui *t)
{
	static const uint32_t	 v1[] = { 5, 7 };
	static const int	 lv1[] = { VERDICT_PHISH, VERDICT_CLEAN };
	static const uint32_t	 v2[] = { 10, 99 };
	static const int	 lv2[] = { VERDICT_SUSPECT, VERDICT_PHISH };
	/* After moving uids 10 and 40 (both phish) to junk. */
	static const uint32_t	 left[] = { 5, 7, 20, 25, 30 };
	static const int	 lleft[] = { VERDICT_PHISH, VERDICT_CLEAN,
				     VERDICT_CLEAN, VERDICT_SUSPECT,
				     VERDICT_SUSPECT };
	/* After the undo: they are back under new uids, not judged yet. */
	static const uint32_t	 back[] = { 5, 7, 20, 25, 30, 41, 42 };
	static const int	 lback[] = { VERDICT_PHISH, VERDICT_CLEAN,
				     VERDICT_CLEAN, VERDICT_SUSPECT,
				     VERDICT_SUSPECT, -1, -1 };
	static const uint32_t	 judged[] = { 41, 42 };
	static const int	 ljudged[] = { VERDICT_PHISH, VERDICT_PHISH };
	struct worker_event	*e;
	size_t			 p, s, j;

	/* Verdicts, one of them replacing a verdict, one for no row. */
	feed(t, mkevent(WORKER_VERDICTS, v1, NULL, lv1, 2));
	t_ok(counts_right(t, "VERDICTS"), "counts after verdicts");
	tui_counts(t, &p, &s, &j);
	t_ok(p == 3 && s == 2 && j == 7, "3 phish, 2 suspicious, 7 judged "
	    "(%zu %zu %zu)", p, s, j);
	feed(t, mkevent(WORKER_VERDICTS, v2, NULL, lv2, 2));
	tui_counts(t, &p, &s, &j);
	t_ok(counts_right(t, "VERDICTS again") && p == 2 && s == 3,
	    "a phish judged again as suspicious moves between the counts");

	/* A move: the report, then the list without the moved rows. */
	e = xcalloc(1, sizeof *e);
	e->kind = WORKER_MOVED;
	e->report.requested = e->report.moved = 2;
	e->report.dst = xstrdup("Junk");
	feed(t, e);
	feed(t, mkevent(WORKER_ROWS, left, NULL, lleft, 5));
	tui_counts(t, &p, &s, &j);
	t_ok(counts_right(t, "move") && p == 1 && s == 2 && j == 5,
	    "after a move the counts drop (%zu %zu %zu)", p, s, j);

	/* Undo: the report, then a listing with the messages back. */
	e = xcalloc(1, sizeof *e);
	e->kind = WORKER_UNDONE;
	e->report.requested = e->report.moved = 2;
	e->report.dst = xstrdup("INBOX");
	feed(t, e);
	feed(t, mkevent(WORKER_LISTED, back + 5, NULL, lback + 5, 2));
	t_ok(counts_right(t, "undo LISTED"), "counts while the undo lists");
	feed(t, mkevent(WORKER_ROWS, back, NULL, lback, 7));
	tui_counts(t, &p, &s, &j);
	t_ok(counts_right(t, "undo") && p == 1 && j == 5,
	    "after an undo the rows are back, not judged yet");
	feed(t, mkevent(WORKER_VERDICTS, judged, NULL, ljudged, 2));
	tui_counts(t, &p, &s, &j);
	t_ok(counts_right(t, "undo judged") && p == 3 && j == 7,
	    "and judged again they count (%zu %zu %zu)", p, s, j);

	/* An empty list empties the counts. */
	feed(t, mkevent(WORKER_ROWS, NULL, NULL, NULL, 0));
	tui_counts(t, &p, &s, &j);
	t_ok(p == 0 && s == 0 && j == 0 && t->nrows == 0,
	    "an empty list counts nothing");
}

int
main(void)
{
	const struct keymap_action	*acts;
	struct tui			 t;
	size_t				 nacts;

	memset(&t, 0, sizeof t);
	t.ctx = KEYMAP_INDEX;
	t.height = 40;
	t.width = 120;
	t.problems = diag_new();
	acts = action_keymap_table(&nacts);
	t.keymap = keymap_new(acts, nacts);
	keymap_load_string(t.keymap, "default.keys", default_keys_text,
	    t.problems);

	/* Degenerate: no rows, no counts, an empty post changes nothing. */
	t_ok(counts_right(&t, "empty"), "no rows: zero counts");
	feed(&t, mkevent(WORKER_LISTED, NULL, NULL, NULL, 0));
	t_ok(t.nrows == 0 && tui_current(&t) == NULL,
	    "an empty LISTED adds nothing");

	test_listed(&t);
	test_counts(&t);

	tui_model_free(&t);
	return t_done();
}
