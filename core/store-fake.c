/* SPDX-License-Identifier: ISC */
/*
 * An in-memory store for tests: an "INBOX" and a "Junk" held as copies of
 * raw messages, moves that report like the real backends, undo without a
 * journal, and knobs to slow fetches down or make a move fail.  Not for
 * users: nothing opens it outside the unit tests.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store-int.h"
#include "xalloc.h"

#define FAKE_FOLDER	"INBOX"
#define FAKE_JUNK	"Junk"
#define FAKE_BATCH	8	/* small: a test mailbox sees several batches */
#define FAKE_CHUNK	16	/* moves per report note and progress call */
#define FAKE_PROGRESS	32	/* messages between listing progress calls */

struct fake_msg {
	uint32_t	 uid;
	char		*raw;		/* NUL-terminated copy */
	size_t		 len;
	unsigned int	 flags;
	int		 gone;		/* moved away by the call under way */
	int		 picked;	/* taken by the junk call under way */
};

/* One junk call, for undo: the uids its messages have in Junk. */
struct fake_batch {
	uint32_t	*uids;
	size_t		 n;
	char		*id;
};

struct fake {
	struct fake_msg		*inbox;		/* ascending uid */
	size_t			 ninbox;
	struct fake_msg		*junk;		/* ascending uid */
	size_t			 njunk;
	uint32_t		 next_uid;	/* uids are never reused */
	uint32_t		 next_junk_uid;
	struct fake_batch	*batches;	/* oldest first */
	size_t			 nbatches;
	unsigned long		 batch_ids;
	/*
	 * The knobs, and njunk published for store_fake_junk_count: tests
	 * touch these from their own thread while a worker uses the store,
	 * so they are only read and written with __atomic builtins.
	 */
	long			 fail_after;
	unsigned int		 delay_ms;
	int			 hold_listing;
	size_t			 junk_seen;
};

static const struct store_ops fake_ops;

static struct fake *
fake_impl(struct store *st)
{
	return st != NULL && st->ops == &fake_ops ? st->impl : NULL;
}

/* store_entry_find, but safe on an empty list (bsearch on NULL is not). */
static struct store_entry *
fake_entry(struct store *st, uint32_t uid)
{
	return store_count(st) > 0 ? store_entry_find(st, uid) : NULL;
}

static void
fake_append(struct fake_msg **arr, size_t *n, const struct fake_msg *m)
{
	*arr = xreallocarray(*arr, *n + 1, sizeof **arr);
	(*arr)[(*n)++] = *m;
}

static struct fake_msg *
fake_find(struct fake_msg *arr, size_t n, uint32_t uid)
{
	size_t	 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (arr[mid].uid == uid)
			return arr[mid].gone ? NULL : &arr[mid];
		if (arr[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Drops the messages marked gone; their bytes went elsewhere. */
static void
fake_compact(struct fake_msg *arr, size_t *n)
{
	size_t	 i, j;

	for (i = j = 0; i < *n; i++) {
		if (!arr[i].gone)
			arr[j++] = arr[i];
	}
	*n = j;
}

static void
fake_publish(struct fake *f)
{
	__atomic_store_n(&f->junk_seen, f->njunk, __ATOMIC_RELAXED);
}

/* The header block's length: up to and with the blank line, else all. */
static size_t
fake_header_len(const char *raw, size_t len)
{
	size_t	 i;

	for (i = 0; i + 1 < len; i++) {
		if (raw[i] != '\n')
			continue;
		if (raw[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && raw[i + 1] == '\r' && raw[i + 2] == '\n')
			return i + 3;
	}
	return len;
}

static char *
fake_copy(const char *raw, size_t len)
{
	char	*p = xmalloc(len + 1);

	memcpy(p, raw, len);
	p[len] = '\0';
	return p;
}

static void
fake_sleep(unsigned int ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * The listed callback gets fresh[from..to): shallow copies, with what the
 * previous list knew for the uids it had (as fake_list keeps it).
 */
static void
fake_report(struct store *st, const struct store_entry *fresh, size_t from,
    size_t to)
{
	struct store_entry	*batch, *was;
	size_t			 i, nb = 0;

	if (st->listed == NULL || to <= from)
		return;
	batch = xcalloc(to - from, sizeof *batch);
	for (i = from; i < to; i++) {
		batch[nb] = fresh[i];
		if ((was = fake_entry(st, fresh[i].uid)) != NULL) {
			batch[nb] = *was;
			batch[nb].size = fresh[i].size;
			batch[nb].flags = fresh[i].flags;
		}
		nb++;
	}
	store_listed(st, batch, nb);
	free(batch);
}

/*
 * The hold knob: a listing that has shown its first batch waits here while
 * the knob is set, asking the progress callback every 10 ms so that a
 * cancel still stops it.  Nonzero when cancelled.
 */
static int
fake_hold(struct store *st, size_t done)
{
	struct fake	*f = st->impl;

	while (__atomic_load_n(&f->hold_listing, __ATOMIC_RELAXED)) {
		fake_sleep(10);
		if (store_progress(st, "listing", done, f->ninbox))
			return 1;
	}
	return 0;
}

/*
 * Rebuilds the entries from the inbox.  Known uids keep their headers,
 * verdict and error, as the real stores keep them from their cache; a
 * cancelled listing leaves the previous list as it was.
 */
static int
fake_list(struct store *st, char **cause)
{
	struct fake		*f = st->impl;
	struct store_entry	*fresh, *was, *e;
	const struct fake_msg	*m;
	size_t			 i, shown = 0;

	fresh = xcalloc(f->ninbox + 1, sizeof *fresh);
	for (i = 0; i < f->ninbox; i++) {
		if (i % FAKE_PROGRESS == 0) {
			fake_report(st, fresh, shown, i);
			shown = i;
		}
		if (i % FAKE_PROGRESS == 0 && (store_progress(st, "listing", i,
		    f->ninbox) || (i > 0 && fake_hold(st, i)))) {
			while (i-- > 0)
				store_entry_clear(&fresh[i]);
			free(fresh);
			*cause = xstrdup("cancelled");
			return -1;
		}
		m = &f->inbox[i];
		fresh[i].uid = m->uid;
		fresh[i].size = m->len;
		fresh[i].flags = m->flags;
		if (fake_entry(st, m->uid) != NULL)
			continue;
		store_entry_fill_headers(st, &fresh[i], m->raw,
		    fake_header_len(m->raw, m->len));
		if (fresh[i].from == NULL)
			fresh[i].from = store_string(st, "");
		if (fresh[i].subject == NULL)
			fresh[i].subject = store_string(st, "");
	}
	fake_report(st, fresh, shown, f->ninbox);
	for (i = 0; i < f->ninbox; i++) {
		if ((was = fake_entry(st, fresh[i].uid)) == NULL)
			continue;
		fresh[i].message_id = was->message_id;
		fresh[i].from = was->from;
		fresh[i].from_addr = was->from_addr;
		fresh[i].subject = was->subject;
		fresh[i].date = was->date;
		fresh[i].verdict = was->verdict;
		fresh[i].error = was->error;
		was->message_id = was->from = was->subject = was->error = NULL;
		was->from_addr = NULL;
		was->verdict = NULL;
	}
	store_entries_clear(st);
	for (i = 0; i < f->ninbox; i++) {
		e = store_entries_add(st, fresh[i].uid);
		*e = fresh[i];
	}
	free(fresh);
	store_progress(st, "listing", f->ninbox, f->ninbox);
	return 0;
}

static int
fake_fetch(struct store *st, uint32_t uid, char **data, size_t *len,
    char **cause)
{
	struct fake		*f = st->impl;
	const struct fake_msg	*m = fake_find(f->inbox, f->ninbox, uid);

	*data = NULL;
	*len = 0;
	if (m == NULL) {
		*cause = xasprintf("no message with uid %u in %s", uid,
		    st->folder);
		return -1;
	}
	*data = fake_copy(m->raw, m->len);
	*len = m->len;
	return 0;
}

static int
fake_fetch_batch(struct store *st, const uint32_t *uids, size_t n,
    store_sink_fn sink, void *ctx, char **cause)
{
	struct fake	*f = st->impl;
	unsigned int	 ms = __atomic_load_n(&f->delay_ms, __ATOMIC_RELAXED);
	char		*data, *why;
	size_t		 i, len;

	(void)cause;	/* a missing message is that message's problem only */
	if (ms > 0)
		fake_sleep(ms);
	for (i = 0; i < n; i++) {
		why = NULL;
		if (fake_fetch(st, uids[i], &data, &len, &why) == 0)
			sink(ctx, uids[i], data, len, NULL);
		else
			sink(ctx, uids[i], NULL, 0, why);
	}
	return 0;
}

/* One chunk's note, worded like the IMAP backend's. */
static void
fake_chunk_note(struct store_move_report *rep, size_t first, size_t last,
    size_t moved)
{
	size_t	 n = last - first + 1;

	if (moved == n)
		store_report_note(rep, "messages %zu–%zu: %zu moved to %s",
		    first, last, moved, FAKE_JUNK);
	else if (moved > 0)
		store_report_note(rep, "messages %zu–%zu: %zu moved to %s, %zu "
		    "not moved (injected failure)", first, last, moved,
		    FAKE_JUNK, n - moved);
	else
		store_report_note(rep, "messages %zu–%zu: not moved (injected "
		    "failure)", first, last);
}

/* Moves m to Junk under a new uid, with the flags a real move sets. */
static uint32_t
fake_move_to_junk(struct store *st, struct fake_msg *m)
{
	struct fake			*f = st->impl;
	const struct store_entry	*e = fake_entry(st, m->uid);
	struct fake_msg			 j = *m;

	j.uid = f->next_junk_uid++;
	j.flags = (m->flags | STORE_JUNK) & ~STORE_NOTJUNK;
	if (e != NULL && e->verdict != NULL &&
	    e->verdict->level == VERDICT_PHISH)
		j.flags |= STORE_PHISHING;
	j.gone = 0;
	fake_append(&f->junk, &f->njunk, &j);
	m->raw = NULL;
	m->gone = 1;
	return j.uid;
}

static int
fake_junk(struct store *st, const uint32_t *uids, size_t n,
    struct store_move_report *rep, char **cause)
{
	struct fake		*f = st->impl;
	struct fake_msg		**plan;
	struct fake_batch	 b;
	uint32_t		*moved;
	size_t			 i, nplan = 0, at, chunk, k, cmoved;
	long			 allow;
	int			 cancelled = 0, rc = -1;

	allow = __atomic_exchange_n(&f->fail_after, -1L, __ATOMIC_RELAXED);
	rep->dst = xstrdup(FAKE_JUNK);
	plan = xcalloc(n + 1, sizeof *plan);
	for (i = 0; i < n; i++) {
		struct fake_msg *m = fake_find(f->inbox, f->ninbox, uids[i]);

		if (m == NULL) {
			store_report_note(rep, "uid %u: no such message; not "
			    "moved", uids[i]);
			rep->failed++;
		} else if (m->picked) {
			store_report_note(rep, "uid %u: given twice; moved "
			    "once", uids[i]);
			rep->failed++;
		} else {
			m->picked = 1;
			plan[nplan++] = m;
		}
	}
	for (i = 0; i < nplan; i++)
		plan[i]->picked = 0;

	memset(&b, 0, sizeof b);
	b.uids = xcalloc(nplan + 1, sizeof *b.uids);
	moved = xcalloc(nplan + 1, sizeof *moved);
	for (at = 0; at < nplan; at += chunk) {
		chunk = nplan - at < FAKE_CHUNK ? nplan - at : FAKE_CHUNK;
		if (store_progress(st, "moving", at, nplan)) {
			store_report_note(rep, "messages %zu–%zu: not moved "
			    "(cancelled)", at + 1, nplan);
			rep->failed += nplan - at;
			cancelled = 1;
			break;
		}
		for (k = cmoved = 0; k < chunk; k++) {
			if (allow >= 0 && (size_t)allow <= rep->moved) {
				rep->failed++;
				continue;
			}
			moved[rep->moved++] = plan[at + k]->uid;
			b.uids[b.n++] = fake_move_to_junk(st, plan[at + k]);
			cmoved++;
		}
		fake_chunk_note(rep, at + 1, at + chunk, cmoved);
	}
	if (!cancelled)
		store_progress(st, "moving", nplan, nplan);
	fake_compact(f->inbox, &f->ninbox);
	store_entries_remove(st, moved, rep->moved);
	fake_publish(f);
	if (b.n > 0) {
		b.id = xasprintf("fake-%lu", ++f->batch_ids);
		rep->journal_id = xstrdup(b.id);
		f->batches = xreallocarray(f->batches, f->nbatches + 1,
		    sizeof *f->batches);
		f->batches[f->nbatches++] = b;
	} else
		free(b.uids);
	free(moved);
	free(plan);

	if (cancelled)
		*cause = xstrdup("cancelled");
	else if (rep->failed > 0)
		*cause = xasprintf("%zu of %zu messages not moved to %s",
		    rep->failed, n, FAKE_JUNK);
	else
		rc = 0;
	return rc;
}

/*
 * Moves the newest batch back.  A cancelled undo keeps the part it did not
 * reach as the newest batch, so the next undo finishes it.
 */
static int
fake_undo(struct store *st, struct store_move_report *rep, char **cause)
{
	struct fake		*f = st->impl;
	struct fake_batch	*b;
	struct fake_msg		*m, back;
	size_t			 i, nback = 0;
	int			 cancelled = 0, rc = -1;

	if (f->nbatches == 0) {
		*cause = xstrdup("nothing to undo");
		return -1;
	}
	b = &f->batches[f->nbatches - 1];
	rep->dst = xstrdup(st->folder);
	rep->requested = b->n;
	rep->journal_id = xstrdup(b->id);
	for (i = 0; i < b->n; i++) {
		if (i % FAKE_CHUNK == 0 &&
		    store_progress(st, "moving", i, b->n)) {
			cancelled = 1;
			break;
		}
		if ((m = fake_find(f->junk, f->njunk, b->uids[i])) == NULL) {
			store_report_note(rep, "junk uid %u: no longer in %s; "
			    "not moved back", b->uids[i], FAKE_JUNK);
			rep->failed++;
			continue;
		}
		back = *m;
		back.uid = f->next_uid++;
		back.flags = (m->flags & ~(STORE_JUNK | STORE_PHISHING)) |
		    STORE_NOTJUNK;
		fake_append(&f->inbox, &f->ninbox, &back);
		m->raw = NULL;
		m->gone = 1;
		nback++;
	}
	fake_compact(f->junk, &f->njunk);
	fake_publish(f);
	rep->moved = nback;
	if (nback > 0)
		store_report_note(rep, "%zu moved back to %s", nback, rep->dst);
	if (cancelled) {
		store_report_note(rep, "cancelled: %zu left in %s", b->n - i,
		    FAKE_JUNK);
		rep->failed += b->n - i;
		memmove(b->uids, b->uids + i, (b->n - i) * sizeof *b->uids);
		b->n -= i;
		*cause = xstrdup("cancelled");
		return -1;
	}
	store_progress(st, "moving", b->n, b->n);
	free(b->uids);
	free(b->id);
	f->nbatches--;
	if (rep->failed > 0)
		*cause = xasprintf("%zu of %zu messages not moved back",
		    rep->failed, rep->requested);
	else
		rc = 0;
	return rc;
}

static int
fake_mark_not_junk(struct store *st, uint32_t uid, char **cause)
{
	struct fake		*f = st->impl;
	struct fake_msg		*m = fake_find(f->inbox, f->ninbox, uid);
	struct store_entry	*e;

	if (m == NULL) {
		*cause = xasprintf("no message with uid %u in %s", uid,
		    st->folder);
		return -1;
	}
	m->flags = (m->flags & ~(STORE_JUNK | STORE_PHISHING)) | STORE_NOTJUNK;
	if ((e = fake_entry(st, uid)) != NULL)
		e->flags = m->flags;
	return 0;
}

static const char *
fake_junk_folder(struct store *st, char **cause)
{
	(void)st;
	(void)cause;
	return FAKE_JUNK;
}

static void
fake_free_msgs(struct fake_msg *arr, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(arr[i].raw);
	free(arr);
}

static void
fake_close(struct store *st)
{
	struct fake	*f = st->impl;
	size_t		 i;

	fake_free_msgs(f->inbox, f->ninbox);
	fake_free_msgs(f->junk, f->njunk);
	for (i = 0; i < f->nbatches; i++) {
		free(f->batches[i].uids);
		free(f->batches[i].id);
	}
	free(f->batches);
	free(f);
}

static const struct store_ops fake_ops = {
	.kind = "fake",
	.list = fake_list,
	.fetch_batch = fake_fetch_batch,
	.fetch = fake_fetch,
	.junk = fake_junk,
	.undo = fake_undo,
	.mark_not_junk = fake_mark_not_junk,
	.junk_folder = fake_junk_folder,
	.close = fake_close,
	.batch = FAKE_BATCH,
};

struct store *
store_open_fake(const struct store_fake_msg *msgs, size_t n,
    const struct store_opts *o, char **cause)
{
	struct fake	*f;
	struct fake_msg	 m;
	size_t		 i;

	if (msgs == NULL && n > 0) {
		*cause = xstrdup("no messages given");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (msgs[i].raw == NULL) {
			*cause = xasprintf("message %zu has no bytes", i + 1);
			return NULL;
		}
	}
	f = xcalloc(1, sizeof *f);
	for (i = 0; i < n; i++) {
		memset(&m, 0, sizeof m);
		m.uid = (uint32_t)(i + 1);
		m.raw = fake_copy(msgs[i].raw, msgs[i].len);
		m.len = msgs[i].len;
		m.flags = msgs[i].flags;
		fake_append(&f->inbox, &f->ninbox, &m);
	}
	f->next_uid = (uint32_t)n + 1;
	f->next_junk_uid = 1;
	f->fail_after = -1;
	return store_new(&fake_ops, f, "fake:" FAKE_FOLDER, FAKE_FOLDER, o);
}

void
store_fake_fail_junk_after(struct store *st, long k)
{
	struct fake	*f = fake_impl(st);

	if (f != NULL)
		__atomic_store_n(&f->fail_after, k < 0 ? -1L : k,
		    __ATOMIC_RELAXED);
}

void
store_fake_set_fetch_delay(struct store *st, unsigned int ms)
{
	struct fake	*f = fake_impl(st);

	if (f != NULL)
		__atomic_store_n(&f->delay_ms, ms, __ATOMIC_RELAXED);
}

void
store_fake_hold_listing(struct store *st, int hold)
{
	struct fake	*f = fake_impl(st);

	if (f != NULL)
		__atomic_store_n(&f->hold_listing, hold, __ATOMIC_RELAXED);
}

size_t
store_fake_junk_count(struct store *st)
{
	struct fake	*f = fake_impl(st);

	return f != NULL ? __atomic_load_n(&f->junk_seen, __ATOMIC_RELAXED) : 0;
}
