/* SPDX-License-Identifier: ISC */
/*
 * A bounded, ordered work queue: items go in, worker threads run one
 * function on each, and the caller takes them back in the order they went
 * in.  Memory stays flat because at most `depth` items are in flight.
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
/* Queues item (borrowed until it is taken back).  The queue must not be full. */
void		 workq_push(struct workq *q, void *item);
/*
 * The oldest item once fn has finished with it.  With wait, blocks until it
 * has; without, returns NULL when it has not.  NULL when nothing is pending.
 */
void		*workq_take(struct workq *q, int wait);

/* Number of online CPUs, at least 1: the default thread count. */
int		 workq_cpus(void);

#endif
