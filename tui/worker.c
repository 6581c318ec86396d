/* SPDX-License-Identifier: ISC */
/*
 * The store's own thread: runs requests in order, interrupts a long
 * classification for anything the user asked for, and posts owned copies
 * of what changed to a queue the UI polls through a self-pipe.  One mutex
 * guards both queues and the flags; the store is touched by this thread
 * only.  No curses.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"
#include "xalloc.h"

#define WORKER_PROGRESS_NS	50000000LL	/* at most 20 posts a second */

enum worker_req_kind {
	WORKER_REQ_REFRESH,
	WORKER_REQ_JUNK,
	WORKER_REQ_UNDO,
	WORKER_REQ_FETCH,
	WORKER_REQ_NOT_JUNK,
};

struct worker_req {
	enum worker_req_kind	 kind;
	uint32_t		*uids;
	size_t			 n;
	uint32_t		 uid;
};

/* A first-in, first-out list of pointers. */
struct worker_fifo {
	void		**items;
	size_t		 head;
	size_t		 n;
	size_t		 alloc;
};

struct worker {
	pthread_t		 thread;
	int			 pipe[2];	/* one byte while events wait */
	worker_open_fn		 open;
	void			*open_ctx;
	const struct analyzer	*analyzer;

	/* Shared with the UI thread: only under lock. */
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;		/* a request came, or quit */
	struct worker_fifo	 reqs;		/* struct worker_req */
	struct worker_fifo	 events;	/* struct worker_event */
	int			 quit;
	int			 busy;		/* an operation runs */
	int			 cancel;	/* ... and is asked to stop */

	/* The worker thread's alone. */
	struct store		*st;
	unsigned char		*sent;		/* per entry: verdict posted */
	size_t			 nsent;
	int			 classifying;
	int			 need_classify;
	int			 idle_posted;
	const char		*last_phase;	/* of the last progress post */
	struct timespec		 last_post;
	struct worker_row	*listed;	/* copies not posted yet */
	size_t			 nlisted;
	size_t			 alisted;
	size_t			 listed_posts;	/* in this listing */
	struct timespec		 last_listed;
};

static void
worker_fifo_push(struct worker_fifo *q, void *item)
{
	if (q->head + q->n == q->alloc) {
		if (q->head > 0) {
			memmove(q->items, q->items + q->head,
			    q->n * sizeof *q->items);
			q->head = 0;
		} else {
			q->alloc = q->alloc == 0 ? 16 : q->alloc * 2;
			q->items = xreallocarray(q->items, q->alloc,
			    sizeof *q->items);
		}
	}
	q->items[q->head + q->n++] = item;
}

static void *
worker_fifo_pop(struct worker_fifo *q)
{
	void	*item;

	if (q->n == 0)
		return NULL;
	item = q->items[q->head++];
	if (--q->n == 0)
		q->head = 0;
	return item;
}

static void *
worker_fifo_tail(const struct worker_fifo *q)
{
	return q->n > 0 ? q->items[q->head + q->n - 1] : NULL;
}

static void
worker_req_free(struct worker_req *r)
{
	if (r == NULL)
		return;
	free(r->uids);
	free(r);
}

static char *
worker_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/*
 * A deep copy.  struct verdict is public and plain, so the copy needs no
 * codec; a field added to it must be added here too.
 */
static void
worker_row_copy(struct worker_row *row, const struct store_entry *e)
{
	row->uid = e->uid;
	row->message_id = worker_strdup(e->message_id);
	row->from = worker_strdup(e->from);
	row->from_addr = e->from_addr != NULL ? xstrdup(e->from_addr) : NULL;
	row->subject = worker_strdup(e->subject);
	row->date = e->date;
	row->size = e->size;
	row->flags = e->flags;
	row->verdict = verdict_dup(e->verdict);
	row->error = worker_strdup(e->error);
}

void
worker_row_clear(struct worker_row *row)
{
	free(row->message_id);
	free(row->from);
	free(row->from_addr);
	free(row->subject);
	verdict_free(row->verdict);
	free(row->error);
	memset(row, 0, sizeof *row);
}

void
worker_event_free(struct worker_event *e)
{
	size_t	 i;

	if (e == NULL)
		return;
	free(e->text);
	free(e->text2);
	free(e->text3);
	free(e->text4);
	for (i = 0; i < e->nrows; i++)
		worker_row_clear(&e->rows[i]);
	free(e->rows);
	store_move_report_clear(&e->report);
	free(e->data);
	free(e);
}

static struct worker_event *
worker_event_new(enum worker_event_kind kind)
{
	struct worker_event	*e = xcalloc(1, sizeof *e);

	e->kind = kind;
	return e;
}

/* With the lock held.  The pipe holds one byte exactly while events wait. */
static void
worker_post_locked(struct worker *w, struct worker_event *e)
{
	struct worker_event	*tail = worker_fifo_tail(&w->events);
	ssize_t			 n;

	/* A UI that falls behind gets the latest numbers, not a backlog. */
	if (e->kind == WORKER_PROGRESS && tail != NULL &&
	    tail->kind == WORKER_PROGRESS) {
		tail->phase = e->phase;
		tail->done = e->done;
		tail->total = e->total;
		worker_event_free(e);
		return;
	}
	worker_fifo_push(&w->events, e);
	if (w->events.n == 1) {
		do
			n = write(w->pipe[1], "", 1);
		while (n == -1 && errno == EINTR);
	}
}

static void
worker_post(struct worker *w, struct worker_event *e)
{
	pthread_mutex_lock(&w->lock);
	worker_post_locked(w, e);
	pthread_mutex_unlock(&w->lock);
}

static void
worker_post_text(struct worker *w, enum worker_event_kind kind, uint32_t uid,
    char *text)
{
	struct worker_event	*e = worker_event_new(kind);

	e->uid = uid;
	e->text = text;
	worker_post(w, e);
}

/* The whole list; afterwards every judged entry counts as sent. */
static void
worker_post_rows(struct worker *w)
{
	struct worker_event		*e = worker_event_new(WORKER_ROWS);
	const struct store_entry	*se;
	size_t				 i, n = store_count(w->st);

	e->rows = xcalloc(n + 1, sizeof *e->rows);
	e->nrows = n;
	w->sent = xreallocarray(w->sent, n + 1, 1);
	w->nsent = n;
	for (i = 0; i < n; i++) {
		se = store_entry_at(w->st, i);
		worker_row_copy(&e->rows[i], se);
		w->sent[i] = se->verdict != NULL || se->error != NULL;
	}
	worker_post(w, e);
}

/*
 * Entries judged since the last post.  Classification only fills in
 * verdicts, so the entries keep their places between two lists; sent is
 * indexed like them.
 */
static void
worker_post_verdicts(struct worker *w)
{
	struct worker_event		*e;
	const struct store_entry	*se;
	size_t				 i, k, n = store_count(w->st);

	if (n != w->nsent) {
		/* Not expected; resending is harmless, losing is not. */
		w->sent = xreallocarray(w->sent, n + 1, 1);
		memset(w->sent, 0, n + 1);
		w->nsent = n;
	}
	for (i = k = 0; i < n; i++) {
		se = store_entry_at(w->st, i);
		if (!w->sent[i] && (se->verdict != NULL || se->error != NULL))
			k++;
	}
	if (k == 0)
		return;
	e = worker_event_new(WORKER_VERDICTS);
	e->rows = xcalloc(k, sizeof *e->rows);
	for (i = 0; i < n; i++) {
		se = store_entry_at(w->st, i);
		if (w->sent[i] || (se->verdict == NULL && se->error == NULL))
			continue;
		worker_row_copy(&e->rows[e->nrows++], se);
		w->sent[i] = 1;
	}
	worker_post(w, e);
}

static void
worker_listed_drop(struct worker *w)
{
	size_t	i;

	for (i = 0; i < w->nlisted; i++)
		worker_row_clear(&w->listed[i]);
	w->nlisted = 0;
}

static long long
worker_elapsed_ns(const struct timespec *from, const struct timespec *to)
{
	return (long long)(to->tv_sec - from->tv_sec) * 1000000000LL +
	    (to->tv_nsec - from->tv_nsec);
}

/*
 * The store's progress callback, on the worker thread between batches:
 * the one place entries can be read while a classification runs.
 * Nonzero stops the operation: on quit, on worker_cancel, and for a
 * classification when a request is waiting.
 */
static int
worker_progress(void *ctx, const char *phase, size_t done, size_t total)
{
	struct worker		*w = ctx;
	struct worker_event	*e;
	struct timespec		 now;
	int			 stop;

	pthread_mutex_lock(&w->lock);
	stop = w->quit || w->cancel || (w->classifying && w->reqs.n > 0);
	pthread_mutex_unlock(&w->lock);

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (w->last_phase != NULL && strcmp(phase, w->last_phase) == 0 &&
	    done < total &&
	    worker_elapsed_ns(&w->last_post, &now) < WORKER_PROGRESS_NS)
		return stop;
	w->last_phase = phase;
	w->last_post = now;
	if (w->classifying && w->st != NULL)
		worker_post_verdicts(w);
	e = worker_event_new(WORKER_PROGRESS);
	e->phase = phase;
	e->done = done;
	e->total = total;
	worker_post(w, e);
	return stop;
}

/*
 * The store's listed callback: owned copies of what a listing found, posted
 * as WORKER_LISTED at once for the first batch (the first screen) and then
 * at most about 20 times a second.
 */
static void
worker_listed(void *ctx, const struct store_entry *entries, size_t n)
{
	struct worker		*w = ctx;
	struct worker_event	*e;
	struct timespec		 now;
	size_t			 i;

	if (w->nlisted + n > w->alisted) {
		w->alisted = w->nlisted + n > 2 * w->alisted ?
		    w->nlisted + n : 2 * w->alisted;
		w->listed = xreallocarray(w->listed, w->alisted,
		    sizeof *w->listed);
	}
	for (i = 0; i < n; i++)
		worker_row_copy(&w->listed[w->nlisted++], &entries[i]);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (w->listed_posts > 0 &&
	    worker_elapsed_ns(&w->last_listed, &now) < WORKER_PROGRESS_NS)
		return;
	e = worker_event_new(WORKER_LISTED);
	e->rows = w->listed;
	e->nrows = w->nlisted;
	w->listed = NULL;
	w->nlisted = w->alisted = 0;
	w->listed_posts++;
	w->last_listed = now;
	worker_post(w, e);
	/* The next progress is posted whatever the rate, so that the count
	 * in the status line keeps up with the rows just shown. */
	w->last_phase = NULL;
}

static void
worker_list(struct worker *w)
{
	char	*cause = NULL;

	w->last_phase = NULL;
	w->listed_posts = 0;
	if (store_list(w->st, &cause) != 0) {
		worker_listed_drop(w);
		/* Rows shown while listing may be no more than a part:
		 * the list the store still has is the truth. */
		if (w->listed_posts > 0)
			worker_post_rows(w);
		worker_post_text(w, WORKER_ERROR, 0, cause);
		return;
	}
	/* WORKER_ROWS holds them all. */
	worker_listed_drop(w);
	worker_post_rows(w);
	w->need_classify = 1;
}

static void
worker_classify(struct worker *w)
{
	char	*cause = NULL;
	int	 rc, user;

	w->last_phase = NULL;
	w->classifying = 1;
	rc = store_classify(w->st, w->analyzer, &cause);
	w->classifying = 0;
	worker_post_verdicts(w);
	if (rc == 0) {
		w->need_classify = 0;
		return;
	}
	pthread_mutex_lock(&w->lock);
	user = w->cancel || w->quit;
	pthread_mutex_unlock(&w->lock);
	if (!user && cause != NULL && strcmp(cause, "cancelled") == 0) {
		/* Made way for a request; resumes when the queue is empty. */
		free(cause);
		return;
	}
	w->need_classify = 0;
	worker_post_text(w, WORKER_ERROR, 0, cause);
}

static void
worker_junk_run(struct worker *w, const struct worker_req *r)
{
	struct worker_event	*e = worker_event_new(WORKER_MOVED);
	char			*cause = NULL;

	w->last_phase = NULL;
	if (store_junk(w->st, r->uids, r->n, &e->report, &cause) != 0)
		e->text = cause != NULL ? cause : xstrdup("not every message "
		    "was moved");
	worker_post(w, e);
	worker_post_rows(w);
}

static void
worker_undo_run(struct worker *w)
{
	struct worker_event	*e = worker_event_new(WORKER_UNDONE);
	char			*cause = NULL;
	int			 came_back;

	w->last_phase = NULL;
	if (store_undo(w->st, &e->report, &cause) != 0)
		e->text = cause != NULL ? cause : xstrdup("not every message "
		    "was moved back");
	came_back = e->report.moved + e->report.marked + e->report.both > 0;
	worker_post(w, e);
	/* The messages are back under new uids; only a listing shows them. */
	if (came_back)
		worker_list(w);
}

static void
worker_fetch_run(struct worker *w, uint32_t uid)
{
	struct worker_event	*e;
	char			*data = NULL, *cause = NULL;
	size_t			 len = 0;

	if (store_fetch(w->st, uid, &data, &len, &cause) != 0) {
		free(data);
		worker_post_text(w, WORKER_ERROR, uid, cause);
		return;
	}
	/* Not every backend terminates it; the pager may treat it as text. */
	data = xrealloc(data, len + 1);
	data[len] = '\0';
	e = worker_event_new(WORKER_MESSAGE);
	e->uid = uid;
	e->data = data;
	e->len = len;
	worker_post(w, e);
}

static void
worker_not_junk_run(struct worker *w, uint32_t uid)
{
	char	*cause = NULL;

	if (store_mark_not_junk(w->st, uid, &cause) != 0) {
		worker_post_text(w, WORKER_ERROR, uid, cause);
		return;
	}
	worker_post_text(w, WORKER_MARKED, uid, NULL);
}

static void
worker_run(struct worker *w, const struct worker_req *r)
{
	switch (r->kind) {
	case WORKER_REQ_REFRESH:
		worker_list(w);
		break;
	case WORKER_REQ_JUNK:
		worker_junk_run(w, r);
		break;
	case WORKER_REQ_UNDO:
		worker_undo_run(w);
		break;
	case WORKER_REQ_FETCH:
		worker_fetch_run(w, r->uid);
		break;
	case WORKER_REQ_NOT_JUNK:
		worker_not_junk_run(w, r->uid);
		break;
	}
}

/* Marks an operation as running, so worker_cancel reaches it.  0 on quit. */
static int
worker_begin(struct worker *w)
{
	int	 go;

	pthread_mutex_lock(&w->lock);
	go = !w->quit;
	w->busy = go;
	w->cancel = 0;
	pthread_mutex_unlock(&w->lock);
	return go;
}

static void
worker_end(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->busy = 0;
	w->cancel = 0;
	pthread_mutex_unlock(&w->lock);
}

static void
worker_open(struct worker *w)
{
	struct worker_event	*e;
	const char		*junk;
	char			*cause = NULL;

	w->st = w->open(w->open_ctx, worker_progress, w, &cause);
	if (w->st == NULL) {
		worker_post_text(w, WORKER_FAILED, 0, cause != NULL ? cause :
		    xstrdup("the mailbox could not be opened"));
		return;
	}
	store_set_listed(w->st, worker_listed, w);
	e = worker_event_new(WORKER_OPENED);
	e->text = xstrdup(store_name(w->st));
	e->text2 = xstrdup(store_folder(w->st));
	e->text4 = worker_strdup(store_read_only(w->st));
	/* A read-only store has no junk folder, and says why in text4. */
	junk = e->text4 == NULL ? store_junk_folder(w->st, &cause) : NULL;
	e->text3 = worker_strdup(junk);
	free(cause);
	worker_post(w, e);
}

static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct worker_req	*r;

	if (!worker_begin(w))
		return NULL;
	worker_open(w);
	if (w->st == NULL) {
		worker_end(w);
		return NULL;
	}
	worker_list(w);
	worker_end(w);

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (!w->quit && w->reqs.n == 0 && !w->need_classify) {
			if (!w->idle_posted) {
				worker_post_locked(w,
				    worker_event_new(WORKER_IDLE));
				w->idle_posted = 1;
			}
			pthread_cond_wait(&w->wake, &w->lock);
		}
		if (w->quit) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		r = worker_fifo_pop(&w->reqs);
		w->busy = 1;
		w->cancel = 0;
		w->idle_posted = 0;
		pthread_mutex_unlock(&w->lock);

		if (r != NULL)
			worker_run(w, r);
		else
			worker_classify(w);
		worker_req_free(r);
		worker_end(w);
	}
	store_close(w->st);
	w->st = NULL;
	return NULL;
}

static int
worker_pipe(int fds[2], char **cause)
{
	int	 i, fl;

	if (pipe(fds) != 0) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < 2; i++) {
		if ((fl = fcntl(fds[i], F_GETFL)) == -1 ||
		    fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) == -1 ||
		    fcntl(fds[i], F_SETFD, FD_CLOEXEC) == -1) {
			*cause = xasprintf("pipe: %s", strerror(errno));
			close(fds[0]);
			close(fds[1]);
			return -1;
		}
	}
	return 0;
}

struct worker *
worker_start(const struct worker_opts *o, char **cause)
{
	struct worker	*w;
	sigset_t	 all, old;
	int		 rc;

	if (o == NULL || o->open == NULL) {
		*cause = xstrdup("no mailbox to open");
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	w->open = o->open;
	w->open_ctx = o->open_ctx;
	w->analyzer = o->analyzer;
	if (worker_pipe(w->pipe, cause) != 0) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);

	/*
	 * The thread inherits a mask that blocks the asynchronous signals,
	 * so SIGWINCH, SIGINT and SIGTSTP always reach the UI thread.
	 */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGABRT);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		*cause = xasprintf("cannot start the mailbox thread: %s",
		    strerror(rc));
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		close(w->pipe[0]);
		close(w->pipe[1]);
		free(w);
		return NULL;
	}
	return w;
}

void
worker_free(struct worker *w)
{
	struct worker_event	*e;
	struct worker_req	*r;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->quit = 1;
	if (w->busy)
		w->cancel = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);

	while ((e = worker_fifo_pop(&w->events)) != NULL)
		worker_event_free(e);
	free(w->events.items);
	while ((r = worker_fifo_pop(&w->reqs)) != NULL)
		worker_req_free(r);
	free(w->reqs.items);
	free(w->sent);
	worker_listed_drop(w);
	free(w->listed);
	close(w->pipe[0]);
	close(w->pipe[1]);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int
worker_fd(const struct worker *w)
{
	return w->pipe[0];
}

struct worker_event *
worker_next(struct worker *w)
{
	struct worker_event	*e;
	char			 b[16];
	ssize_t			 n;

	pthread_mutex_lock(&w->lock);
	e = worker_fifo_pop(&w->events);
	if (w->events.n == 0) {
		do
			n = read(w->pipe[0], b, sizeof b);
		while (n > 0 || (n == -1 && errno == EINTR));
	}
	pthread_mutex_unlock(&w->lock);
	return e;
}

static void
worker_request(struct worker *w, struct worker_req *r)
{
	pthread_mutex_lock(&w->lock);
	worker_fifo_push(&w->reqs, r);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

static struct worker_req *
worker_req_new(enum worker_req_kind kind)
{
	struct worker_req	*r = xcalloc(1, sizeof *r);

	r->kind = kind;
	return r;
}

void
worker_refresh(struct worker *w)
{
	worker_request(w, worker_req_new(WORKER_REQ_REFRESH));
}

void
worker_junk(struct worker *w, const uint32_t *uids, size_t n)
{
	struct worker_req	*r = worker_req_new(WORKER_REQ_JUNK);

	r->uids = xcalloc(n + 1, sizeof *r->uids);
	if (n > 0)
		memcpy(r->uids, uids, n * sizeof *uids);
	r->n = n;
	worker_request(w, r);
}

void
worker_undo(struct worker *w)
{
	worker_request(w, worker_req_new(WORKER_REQ_UNDO));
}

void
worker_fetch(struct worker *w, uint32_t uid)
{
	struct worker_req	*r = worker_req_new(WORKER_REQ_FETCH);

	r->uid = uid;
	worker_request(w, r);
}

void
worker_not_junk(struct worker *w, uint32_t uid)
{
	struct worker_req	*r = worker_req_new(WORKER_REQ_NOT_JUNK);

	r->uid = uid;
	worker_request(w, r);
}

void
worker_cancel(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	if (w->busy)
		w->cancel = 1;
	pthread_mutex_unlock(&w->lock);
}
