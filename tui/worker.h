/* SPDX-License-Identifier: ISC */
/*
 * The mailbox on a thread of its own, so the screen stays live while a
 * folder lists, classifies or moves.  The UI thread sends requests and
 * reads display-ready events (owned copies of the entries, verdicts
 * included) from a queue whose descriptor it polls beside the terminal.
 * No curses: the unit tests drive it with a fake store.
 */
#ifndef WORKER_H
#define WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "store.h"
#include "verdict.h"

/* One message as listed; every pointer is owned by whoever holds the row. */
struct worker_row {
	uint32_t	 uid;
	char		*message_id;	/* NULL when absent */
	char		*from;		/* not sanitised for a terminal */
	char		*from_addr;	/* lower-case address, or NULL */
	char		*subject;	/* not sanitised for a terminal */
	int64_t		 date;
	uint64_t	 size;
	unsigned int	 flags;		/* STORE_SEEN … */
	struct verdict	*verdict;	/* NULL until judged */
	char		*error;		/* why it was not judged, or NULL */
};

enum worker_event_kind {
	WORKER_OPENED,		/* text: store_name, text2: folder,
				 * text3: junk folder or NULL, text4:
				 * store_read_only or NULL */
	WORKER_PROGRESS,	/* phase, done, total */
	WORKER_LISTED,		/* rows: some of a listing under way, in no
				 * order; each replaces the row with its uid
				 * or is new.  WORKER_ROWS ends the listing */
	WORKER_ROWS,		/* rows: the complete list, ascending uid */
	WORKER_VERDICTS,	/* rows: judged since the last ROWS/VERDICTS */
	WORKER_MOVED,		/* report of a junk; text: cause, or NULL
				 * when every message moved */
	WORKER_UNDONE,		/* report of an undo; text as for MOVED */
	WORKER_MESSAGE,		/* uid, data and len: a fetched message */
	WORKER_MARKED,		/* uid was marked not junk */
	WORKER_ERROR,		/* text: a cause; uid: the message a fetch or
				 * mark was for, else 0.  The worker goes on */
	WORKER_FAILED,		/* text: the store could not be opened;
				 * nothing else will come */
	WORKER_IDLE,		/* everything asked for is done */
};

/*
 * Fields a kind does not use are NULL or 0.  phase is static ("listing",
 * "classifying", "moving"); everything else is owned by the event.  The UI
 * may keep rows by taking the array and setting rows to NULL and nrows to
 * 0 before worker_event_free; it then frees each row with worker_row_clear
 * and the array with free.
 */
struct worker_event {
	enum worker_event_kind		 kind;
	char				*text;
	char				*text2;
	char				*text3;
	char				*text4;
	const char			*phase;
	size_t				 done;
	size_t				 total;
	struct worker_row		*rows;
	size_t				 nrows;
	struct store_move_report	 report;
	uint32_t			 uid;
	char				*data;		/* NUL-terminated */
	size_t				 len;
};

/*
 * Opens the store; called once, on the worker thread, so a slow connect
 * never blocks the UI.  It must put progress and progress_ctx into the
 * store_opts it opens with: that is how the worker hears progress and
 * cancels.  Returns the store (the worker closes it) or NULL and *cause.
 */
typedef struct store *(*worker_open_fn)(void *ctx, store_progress_fn progress,
    void *progress_ctx, char **cause);

struct worker_opts {
	worker_open_fn		 open;
	void			*open_ctx;	/* borrowed until worker_free */
	const struct analyzer	*analyzer;	/* borrowed until worker_free */
};

struct worker;

/*
 * Starts the thread, which opens the store, lists it (WORKER_OPENED, then
 * WORKER_PROGRESS and WORKER_LISTED while listing — the first batch at
 * once, then at most about 20 posts a second — and WORKER_ROWS), classifies what has no
 * verdict yet (WORKER_PROGRESS and WORKER_VERDICTS, at most about 20 a
 * second) and posts WORKER_IDLE.  NULL and *cause when o has no open
 * function or no thread or pipe could be had.  o is copied.
 */
struct worker	*worker_start(const struct worker_opts *o, char **cause);
/*
 * Cancels what runs, lets it stop at its next safe point, closes the store
 * and joins; frees unread events and requests.  Waits for an open that is
 * still connecting (the account's timeout bounds it).  Accepts NULL.
 */
void		 worker_free(struct worker *w);

/*
 * Readable exactly while events wait: poll it for POLLIN beside the
 * terminal.  Valid until worker_free.
 */
int		 worker_fd(const struct worker *w);
/* The oldest event (owned), or NULL when none waits.  Never blocks. */
struct worker_event *worker_next(struct worker *w);
/* Accepts NULL. */
void		 worker_event_free(struct worker_event *e);
/* Frees what row owns and zeroes it. */
void		 worker_row_clear(struct worker_row *row);

/*
 * Requests, run in order on the worker thread.  Each answers with events:
 *   refresh:  list again (WORKER_LISTED as it goes, WORKER_ROWS), then
 *             classify what is new;
 *   junk:     WORKER_MOVED, then WORKER_ROWS without the moved messages;
 *   undo:     WORKER_UNDONE, then WORKER_ROWS and classification of the
 *             messages that came back (they have new uids);
 *   fetch:    WORKER_MESSAGE, or WORKER_ERROR with the uid;
 *   not_junk: WORKER_MARKED, or WORKER_ERROR with the uid.
 * A request that arrives while a classification runs interrupts it after
 * the current batch; the classification resumes once the queue is empty,
 * so moving one message never waits for 50,000 to be judged.  uids are
 * copied.  Failures come as WORKER_ERROR (or in MOVED and UNDONE's text),
 * and WORKER_IDLE follows when nothing is left.
 */
void		 worker_refresh(struct worker *w);
void		 worker_junk(struct worker *w, const uint32_t *uids, size_t n);
void		 worker_undo(struct worker *w);
void		 worker_fetch(struct worker *w, uint32_t uid);
void		 worker_not_junk(struct worker *w, uint32_t uid);
/*
 * Stops the operation running now at its next safe point (between
 * batches or chunks); queued requests, and later ones, still run.  A cancelled
 * classification posts WORKER_ERROR "cancelled" and is not resumed until
 * the next refresh or undo.  Does nothing when the worker is idle.
 */
void		 worker_cancel(struct worker *w);

#endif
