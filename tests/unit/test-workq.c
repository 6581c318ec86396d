/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the ordered work queue: degenerate queues, take without
 * waiting, workq_wait over jobs that finish out of order, and a stress run
 * of many jobs of random length through tiny rings, checking that every
 * item comes back once, in order, after its job ran.  An alarm turns a lost
 * wake-up into a failure instead of a hung suite.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "t.h"
#include "workq.h"
#include "xalloc.h"

#define ALARM_S		120

struct item {
	size_t		 seq;
	unsigned int	 spin;		/* work to do, in loop turns */
	int		 ran;		/* written by the job only */
	int		 gated;		/* wait for the gate to open */
	int		 open;		/* the gate, under gate_lock */
};

static pthread_mutex_t	gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	gate_cond = PTHREAD_COND_INITIALIZER;
static int		gated_done;	/* gated jobs finished, under gate_lock */

static void
gate_open(struct item *it)
{
	pthread_mutex_lock(&gate_lock);
	it->open = 1;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

static void
gate_reset(void)
{
	pthread_mutex_lock(&gate_lock);
	gated_done = 0;
	pthread_mutex_unlock(&gate_lock);
}

/* Waits until n gated jobs in all have finished running. */
static void
gate_wait_done(int n)
{
	pthread_mutex_lock(&gate_lock);
	while (gated_done < n)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
}

static void
run(void *ctx, void *arg)
{
	struct item		*it = arg;
	volatile unsigned int	 sink = 0;
	unsigned int		 i;

	(void)ctx;
	if (it->gated) {
		pthread_mutex_lock(&gate_lock);
		while (!it->open)
			pthread_cond_wait(&gate_cond, &gate_lock);
		it->ran++;
		gated_done++;
		pthread_cond_broadcast(&gate_cond);
		pthread_mutex_unlock(&gate_lock);
		return;
	}
	for (i = 0; i < it->spin; i++)
		sink += i;
	/* Now and then a job sleeps, so the others overtake it. */
	if (it->spin % 97 == 1)
		t_sleep_ms(1);
	it->ran++;
}

static void
test_degenerate(void)
{
	struct workq	*q;
	struct item	 it;

	workq_free(NULL);
	q = workq_new(0, 0, run, NULL);
	t_ok(q != NULL, "0 threads and depth 0 still make a queue");
	t_int_eq(workq_depth(q), 1, "depth 0 is depth 1");
	t_ok(!workq_full(q), "an empty queue is not full");
	t_ok(workq_take(q, 0) == NULL, "take(0) on an empty queue is NULL");
	t_ok(workq_take(q, 1) == NULL, "take(1) on an empty queue is NULL");
	t_int_eq(workq_wait(q, 5), 0, "wait on an empty queue returns 0");
	memset(&it, 0, sizeof it);
	workq_push(q, &it);
	t_ok(workq_full(q), "depth 1 is full after one push");
	t_int_eq(workq_pending(q), 1, "one pending");
	t_ok(workq_wait(q, 0) <= 1, "wait for nothing does not block");
	t_int_eq(workq_wait(q, 9), 1, "wait for more than pending waits for all");
	t_ok(workq_take(q, 0) == &it && it.ran == 1,
	    "after wait, take(0) returns the finished item");
	t_int_eq(workq_pending(q), 0, "nothing pending");
	workq_free(q);
}

/* Jobs that finish out of order: take(0) and workq_wait go by the head. */
static void
test_order(void)
{
	struct workq	*q;
	struct item	 its[4];
	size_t		 i, n;
	int		 got_null;

	memset(its, 0, sizeof its);
	q = workq_new(4, 4, run, NULL);
	for (i = 0; i < 4; i++) {
		its[i].seq = i;
		its[i].gated = 1;
		workq_push(q, &its[i]);
	}
	t_ok(workq_full(q), "four pushed into depth 4: full");
	t_ok(workq_take(q, 0) == NULL, "take(0) does not wait for a running job");
	gate_reset();
	gate_open(&its[1]);
	gate_open(&its[3]);
	gate_wait_done(2);
	got_null = workq_take(q, 0) == NULL;
	t_ok(got_null, "finished jobs behind a running head stay queued");
	gate_open(&its[0]);
	n = workq_wait(q, 2);
	t_ok(n == 2, "wait(2) reports the run of finished jobs at the head (%zu)",
	    n);
	t_ok(workq_take(q, 0) == &its[0], "first out is the first in");
	t_ok(workq_take(q, 0) == &its[1], "second out is the second in");
	t_ok(workq_take(q, 0) == NULL, "the third still runs");
	gate_open(&its[2]);
	t_int_eq(workq_wait(q, 2), 2, "wait(2) returns once both are done");
	t_ok(workq_take(q, 0) == &its[2] && workq_take(q, 0) == &its[3],
	    "the rest in order");
	for (i = 0; i < 4; i++)
		t_int_eq(its[i].ran, 1, "item %zu ran once", i);
	workq_free(q);
}

/* The consumer side of test_wait_blocks, on a thread of its own. */
struct waiter {
	struct workq	*q;
	size_t		 n, got;
	int		 returned;
	pthread_mutex_t	 lock;
};

static void *
waiter_main(void *arg)
{
	struct waiter	*w = arg;
	size_t		 got = workq_wait(w->q, w->n);

	pthread_mutex_lock(&w->lock);
	w->got = got;
	w->returned = 1;
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int
waiter_returned(struct waiter *w)
{
	int	r;

	pthread_mutex_lock(&w->lock);
	r = w->returned;
	pthread_mutex_unlock(&w->lock);
	return r;
}

/* workq_wait(n) sleeps through the first n - 1 finished jobs. */
static void
test_wait_blocks(void)
{
	struct waiter	 w;
	struct item	 its[3];
	pthread_t	 t;
	size_t		 i;

	memset(its, 0, sizeof its);
	memset(&w, 0, sizeof w);
	pthread_mutex_init(&w.lock, NULL);
	w.q = workq_new(3, 8, run, NULL);
	w.n = 3;
	for (i = 0; i < 3; i++) {
		its[i].gated = 1;
		workq_push(w.q, &its[i]);
	}
	/* From here on the waiter thread is the queue's only user. */
	pthread_create(&t, NULL, waiter_main, &w);
	gate_reset();
	gate_open(&its[0]);
	gate_open(&its[2]);
	gate_wait_done(2);
	/* Time for a wrong wake-up to show. */
	t_sleep_ms(50);
	t_ok(!waiter_returned(&w), "wait(3) still sleeps with 2 of 3 done");
	gate_open(&its[1]);
	pthread_join(t, NULL);
	t_int_eq(w.got, 3, "and returns 3 once the third is done");
	for (i = 0; i < 3; i++)
		t_ok(workq_take(w.q, 0) == &its[i], "item %zu in order", i);
	workq_free(w.q);
	pthread_mutex_destroy(&w.lock);
}

/*
 * Many jobs of random length through a small ring, taken back the way the
 * callers do it: item by item (take with wait), or half a ring at a time
 * (workq_wait, then take without).
 */
static void
test_stress(int nthreads, size_t depth, int halves, size_t njobs)
{
	struct workq	*q;
	struct item	*its = xcalloc(njobs, sizeof *its);
	struct item	*it;
	size_t		 pushed = 0, taken = 0, bad_order = 0, bad_ran = 0;
	size_t		 i;

	for (i = 0; i < njobs; i++) {
		its[i].seq = i;
		its[i].spin = (unsigned int)(rand() % 20000);
	}
	q = workq_new(nthreads, depth, run, NULL);
	while (pushed < njobs) {
		if (workq_full(q)) {
			if (halves)
				workq_wait(q, (workq_depth(q) + 1) / 2);
			else if ((it = workq_take(q, 1)) != NULL) {
				bad_order += it->seq != taken++;
				bad_ran += it->ran != 1;
			}
		}
		while ((it = workq_take(q, 0)) != NULL) {
			bad_order += it->seq != taken++;
			bad_ran += it->ran != 1;
		}
		workq_push(q, &its[pushed++]);
		/* Sometimes the producer is the slow side. */
		if (rand() % 64 == 0)
			t_sleep_ms(1);
	}
	while ((it = workq_take(q, 1)) != NULL) {
		bad_order += it->seq != taken++;
		bad_ran += it->ran != 1;
	}
	t_ok(taken == njobs && bad_order == 0 && bad_ran == 0,
	    "%d threads, depth %zu, %s: %zu of %zu back, %zu out of order, "
	    "%zu not run once", nthreads, depth,
	    halves ? "half a ring at a time" : "item by item",
	    taken, njobs, bad_order, bad_ran);
	workq_free(q);
	free(its);
}

int
main(void)
{
	static const struct {
		int	threads;
		size_t	depth;
	} shapes[] = {
		{ 1, 1 }, { 2, 1 }, { 2, 2 }, { 2, 3 }, { 3, 2 }, { 4, 7 },
		{ 2, 64 },
	};
	size_t	i;

	alarm(ALARM_S);
	srand(20240611);
	test_degenerate();
	test_order();
	test_wait_blocks();
	for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		test_stress(shapes[i].threads, shapes[i].depth, 0, 3000);
		test_stress(shapes[i].threads, shapes[i].depth, 1, 3000);
	}
	return t_done();
}
