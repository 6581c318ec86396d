/* SPDX-License-Identifier: ISC */
/*
 * A bounded, ordered work queue: items go in, worker threads run one
 * function on each, and the caller takes them back in the order they went
 * in.  Memory stays flat because at most `depth` items are in flight.
 * One thread owns the queue: only it pushes, takes, waits and frees.
 * Knows nothing of mail.
 */
#ifndef WORKQ_H
#define WORKQ_H

#include <stddef.h>

typedef void (*workq_fn)(void *ctx, void *item);

struct workq;

/* Starts nthreads (at least 1) workers running fn(ctx, item). */
struct workq	*workq_new(int nthreads, size_t depth, workq_fn fn, void *ctx);
/* Joins the workers; every pushed item must have been taken.  Accepts NULL. */
void		 workq_free(struct workq *q);
/* Nonzero when push would exceed depth: take an item first. */
int		 workq_full(const struct workq *q);
/* Items pushed and not yet taken. */
size_t		 workq_pending(const struct workq *q);
/* The most items in flight, as given to workq_new (at least 1). */
size_t		 workq_depth(const struct workq *q);
/* Queues item (borrowed until it is taken back).  The queue must not be full. */
void		 workq_push(struct workq *q, void *item);
/*
 * The oldest item once fn has finished with it.  With wait, blocks until it
 * has; without, returns NULL when it has not.  NULL when nothing is pending.
 */
void		*workq_take(struct workq *q, int wait);
/*
 * Blocks until the n oldest pending items (all of them, when fewer are
 * pending) are finished, and returns how many at the head are finished
 * now: that many workq_take(q, 0) calls return an item.  Waiting for a
 * batch costs one wake-up where waiting item by item costs one each, and
 * leaves the workers busy on the rest meanwhile: a producer that finds
 * the queue full waits for, say, half of it.
 */
size_t		 workq_wait(struct workq *q, size_t n);

/* Number of online CPUs, at least 1: the default thread count. */
int		 workq_cpus(void);

#endif
