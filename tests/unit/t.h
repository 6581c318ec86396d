/* SPDX-License-Identifier: ISC */
/*
 * A tiny TAP helper for the unit tests.  Each test program prints TAP to
 * its log and exits 0 when every check passed, 1 otherwise (Automake's
 * default driver judges the exit status).
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <string.h>
#include <time.h>

static int	t_run, t_failed;

#define t_ok(cond, ...) do {						\
	int t_c_ = (cond) ? 1 : 0;	/* evaluated once */		\
	t_run++;							\
	if (t_c_)							\
		printf("ok %d - ", t_run);				\
	else {								\
		t_failed++;						\
		printf("not ok %d - ", t_run);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!t_c_)							\
		printf("#   at %s:%d\n", __FILE__, __LINE__);		\
} while (0)

#define t_str_eq(got, want, ...) do {					\
	const char *t_g_ = (got), *t_w_ = (want);			\
	int t_eq_ = (t_g_ == NULL && t_w_ == NULL) ||			\
	    (t_g_ != NULL && t_w_ != NULL && strcmp(t_g_, t_w_) == 0);	\
	t_ok(t_eq_, __VA_ARGS__);					\
	if (!t_eq_)							\
		printf("#   got:  \"%s\"\n#   want: \"%s\"\n",		\
		    t_g_ ? t_g_ : "(null)", t_w_ ? t_w_ : "(null)");	\
} while (0)

#define t_int_eq(got, want, ...) do {					\
	long long t_g_ = (long long)(got), t_w_ = (long long)(want);	\
	t_ok(t_g_ == t_w_, __VA_ARGS__);				\
	if (t_g_ != t_w_)						\
		printf("#   got:  %lld\n#   want: %lld\n", t_g_, t_w_);	\
} while (0)

#define t_skip(n, why) do {						\
	int t_i_;							\
	for (t_i_ = 0; t_i_ < (n); t_i_++)				\
		printf("ok %d # SKIP %s\n", ++t_run, why);		\
} while (0)

/* Sleeps ms milliseconds (threads tests: a job that takes a while). */
static inline void
t_sleep_ms(unsigned int ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/*
 * Prints how long a hostile input took, as a TAP comment.  Never a check:
 * make check has no timing asserts (a loaded machine or valgrind would
 * make them lie); an input that would hang still hangs the suite, and
 * speed is measured by bench/.
 */
#define T_TOOK(what, secs)	printf("# %s: %.2f s\n", (what), (double)(secs))

/* Call at the end of main: prints the plan and returns the exit status. */
static inline int
t_done(void)
{
	printf("1..%d\n", t_run);
	if (t_failed)
		printf("# %d of %d checks failed\n", t_failed, t_run);
	return t_failed ? 1 : 0;
}

#endif
