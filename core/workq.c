/* SPDX-License-Identifier: ISC */
/*
 * Ordered work queue: a ring of slots filled at the tail, run by workers
 * from `next`, handed back from the head only when done.  One mutex and two
 * conditions; the work itself runs unlocked.  Every wake-up is a context
 * switch, often on the other CPU, so each condition is signalled only when
 * a sleeper's wait is over: a push wakes a worker only if one sleeps and no
 * earlier push has woken it already, and a finished job wakes the taker
 * only once the run of finished slots at the head reaches what it waits
 * for.
 */
#include "config.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "workq.h"
#include "xalloc.h"

struct workq_slot {
	void	*item;
	int	 done;
};

/*
 * Positions count items since the start and never wrap (size_t); a slot is
 * ring[pos % depth].  head <= ready <= next <= tail: [head, ready) is done,
 * [ready, next) is being run (some of it may be done), [next, tail) waits.
 */
struct workq {
	workq_fn		 fn;
	void			*ctx;
	struct workq_slot	*ring;
	size_t			 depth;
	size_t			 head, tail;	/* take from head, push at tail */
	size_t			 next;		/* next slot a worker runs */
	size_t			 ready;		/* first slot not yet done */
	size_t			 want;		/* taker sleeps until ready
						   reaches this; 0: none */
	int			 sleeping;	/* workers waiting for work */
	int			 waking;	/* of them, signalled already */
	int			 closing;
	pthread_t		*threads;
	int			 nthreads;
	pthread_mutex_t		 lock;
	pthread_cond_t		 work, done;
};

/* Called locked after slot pos is marked done. */
static void
workq_finished(struct workq *q, size_t pos)
{
	if (pos != q->ready)
		return;	/* an older job still runs: the head cannot move */
	while (q->ready < q->next && q->ring[q->ready % q->depth].done)
		q->ready++;
	if (q->want != 0 && q->ready >= q->want) {
		q->want = 0;
		pthread_cond_signal(&q->done);
	}
}

static void *
workq_worker(void *arg)
{
	struct workq		*q = arg;
	struct workq_slot	*slot;
	size_t			 pos;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->next == q->tail && !q->closing) {
			q->sleeping++;
			pthread_cond_wait(&q->work, &q->lock);
			q->sleeping--;
			/* Counted down on every return, spurious or not,
			 * waking can run low but never high: the cost is a
			 * spare signal, never a push that wakes nobody. */
			if (q->waking > 0)
				q->waking--;
		}
		if (q->next == q->tail)
			break;
		pos = q->next++;
		slot = &q->ring[pos % q->depth];
		pthread_mutex_unlock(&q->lock);
		q->fn(q->ctx, slot->item);
		pthread_mutex_lock(&q->lock);
		slot->done = 1;
		workq_finished(q, pos);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct workq *
workq_new(int nthreads, size_t depth, workq_fn fn, void *ctx)
{
	struct workq	*q = xcalloc(1, sizeof *q);
	int		 i;

	q->fn = fn;
	q->ctx = ctx;
	q->nthreads = nthreads > 0 ? nthreads : 1;
	q->depth = depth > 0 ? depth : 1;
	q->ring = xcalloc(q->depth, sizeof *q->ring);
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->done, NULL);
	q->threads = xcalloc((size_t)q->nthreads, sizeof *q->threads);
	for (i = 0; i < q->nthreads; i++) {
		if (pthread_create(&q->threads[i], NULL, workq_worker, q) != 0)
			break;
	}
	/* With no thread at all nothing would ever run: that is fatal. */
	if (i == 0)
		abort();
	q->nthreads = i;
	return q;
}

void
workq_free(struct workq *q)
{
	int	i;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	assert(q->head == q->tail);
	q->closing = 1;
	pthread_cond_broadcast(&q->work);
	pthread_mutex_unlock(&q->lock);
	for (i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	free(q->threads);
	free(q->ring);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->done);
	free(q);
}

int
workq_full(const struct workq *q)
{
	return q->tail - q->head >= q->depth;
}

size_t
workq_pending(const struct workq *q)
{
	return q->tail - q->head;
}

size_t
workq_depth(const struct workq *q)
{
	return q->depth;
}

void
workq_push(struct workq *q, void *item)
{
	struct workq_slot	*slot;

	assert(!workq_full(q));
	pthread_mutex_lock(&q->lock);
	slot = &q->ring[q->tail % q->depth];
	slot->item = item;
	slot->done = 0;
	q->tail++;
	/* Busy workers find the item when they finish: no wake-up. */
	if (q->sleeping > q->waking) {
		q->waking++;
		pthread_cond_signal(&q->work);
	}
	pthread_mutex_unlock(&q->lock);
}

/* Called locked: sleeps until the slots before want are done. */
static void
workq_sleep(struct workq *q, size_t want)
{
	while (q->ready < want) {
		q->want = want;
		pthread_cond_wait(&q->done, &q->lock);
	}
	q->want = 0;
}

void *
workq_take(struct workq *q, int wait)
{
	struct workq_slot	*slot;
	void			*item = NULL;

	pthread_mutex_lock(&q->lock);
	if (q->head != q->tail) {
		if (wait)
			workq_sleep(q, q->head + 1);
		if (q->ready > q->head) {
			slot = &q->ring[q->head % q->depth];
			item = slot->item;
			slot->item = NULL;
			q->head++;
		}
	}
	pthread_mutex_unlock(&q->lock);
	return item;
}

size_t
workq_wait(struct workq *q, size_t n)
{
	size_t	ready;

	pthread_mutex_lock(&q->lock);
	if (n > q->tail - q->head)
		n = q->tail - q->head;
	workq_sleep(q, q->head + n);
	ready = q->ready - q->head;
	pthread_mutex_unlock(&q->lock);
	return ready;
}

int
workq_cpus(void)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}
