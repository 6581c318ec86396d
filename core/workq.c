/* SPDX-License-Identifier: ISC */
/*
 * Ordered work queue: a ring of slots filled at the tail, run by workers
 * from `next`, handed back from the head only when done.  One mutex and two
 * conditions; the work itself runs unlocked.
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

struct workq {
	workq_fn		 fn;
	void			*ctx;
	struct workq_slot	*ring;
	size_t			 depth;
	size_t			 head, tail;	/* take from head, push at tail */
	size_t			 next;		/* next slot a worker runs */
	int			 closing;
	pthread_t		*threads;
	int			 nthreads;
	pthread_mutex_t		 lock;
	pthread_cond_t		 work, done;
};

static void *
workq_worker(void *arg)
{
	struct workq		*q = arg;
	struct workq_slot	*slot;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->next == q->tail && !q->closing)
			pthread_cond_wait(&q->work, &q->lock);
		if (q->next == q->tail)
			break;
		slot = &q->ring[q->next++ % q->depth];
		pthread_mutex_unlock(&q->lock);
		q->fn(q->ctx, slot->item);
		pthread_mutex_lock(&q->lock);
		slot->done = 1;
		pthread_cond_broadcast(&q->done);
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
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
}

void *
workq_take(struct workq *q, int wait)
{
	struct workq_slot	*slot;
	void			*item = NULL;

	pthread_mutex_lock(&q->lock);
	if (q->head != q->tail) {
		slot = &q->ring[q->head % q->depth];
		while (!slot->done && wait)
			pthread_cond_wait(&q->done, &q->lock);
		if (slot->done) {
			item = slot->item;
			slot->item = NULL;
			q->head++;
		}
	}
	pthread_mutex_unlock(&q->lock);
	return item;
}

int
workq_cpus(void)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}
