/* SPDX-License-Identifier: ISC */
/*
 * sagi scan, explain and check-rules: the engine from the command line.
 * scan runs messages through worker threads and prints results in input
 * order, with a bounded number of messages in flight so memory stays flat.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "source.h"
#include "xalloc.h"

static struct analyzer *
cli_analyzer(const struct cli_opts *o, int report_problems)
{
	struct diag	*d = diag_new();
	struct ruleset	*rs;
	struct analyzer	*a;
	char		*cause = NULL;
	size_t		 i;

	rs = analyzer_load_rules(o->rule_paths, o->nrule_paths, d);
	if (report_problems) {
		for (i = 0; i < diag_count(d); i++)
			fprintf(stderr, "sagi: %s\n", diag_get(d, i));
	}
	diag_free(d);
	if (ruleset_rule_count(rs) == 0) {
		fprintf(stderr, "sagi: no rules loaded (from %s); nothing to judge "
		    "with\n", o->nrule_paths > 0 ? o->rule_paths[0] : "?");
		ruleset_free(rs);
		return NULL;
	}
	a = analyzer_new(rs, &o->analyzer, &cause);
	if (a == NULL) {
		fprintf(stderr, "sagi: %s\n", cause);
		free(cause);
	}
	return a;
}

struct cli_job {
	struct source_msg	 sm;
	char			*out;
	int			 bits;
	int			 state;
#define CLI_JOB_EMPTY	0
#define CLI_JOB_QUEUED	1
#define CLI_JOB_RUNNING	2
#define CLI_JOB_DONE	3
};

/* One message: parse, judge, render.  Sets the exit bits it earns. */
static void
cli_process(const struct analyzer *a, const struct report_opts *ro,
    struct cli_job *job)
{
	struct msg	*m;
	struct verdict	*v;
	char		*cause = NULL;

	if (job->sm.error != NULL) {
		job->out = report_error_line(ro, job->sm.path, job->sm.index,
		    job->sm.error);
		job->bits = CLI_EXIT_ERROR;
		return;
	}
	m = msg_parse(job->sm.data, job->sm.len, NULL, &cause);
	if (m == NULL) {
		job->out = report_error_line(ro, job->sm.path, job->sm.index,
		    cause);
		job->bits = CLI_EXIT_ERROR;
		free(cause);
		return;
	}
	v = analyzer_run(a, m);
	job->out = report_scan_line(ro, job->sm.path, job->sm.index, m, v);
	job->bits = v->level == VERDICT_PHISH ? CLI_EXIT_PHISH :
	    v->level == VERDICT_SUSPECT ? CLI_EXIT_SUSPECT : 0;
	verdict_free(v);
	msg_free(m);
}

struct cli_pool {
	const struct analyzer	*a;
	const struct report_opts *ro;
	struct cli_job		*ring;
	size_t			 nring;
	size_t			 head, tail;	/* print from head, fill at tail */
	size_t			 next;		/* next job a worker takes */
	int			 closing;
	pthread_mutex_t		 lock;
	pthread_cond_t		 work, done;
};

static void *
cli_worker(void *arg)
{
	struct cli_pool	*p = arg;
	struct cli_job	*job;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->next == p->tail && !p->closing)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->next == p->tail && p->closing)
			break;
		job = &p->ring[p->next++ % p->nring];
		job->state = CLI_JOB_RUNNING;
		pthread_mutex_unlock(&p->lock);
		cli_process(p->a, p->ro, job);
		pthread_mutex_lock(&p->lock);
		job->state = CLI_JOB_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Prints and frees the job at head once done.  Called with the lock held. */
static int
cli_pool_flush_one(struct cli_pool *p)
{
	struct cli_job	*job = &p->ring[p->head % p->nring];
	int		 bits;

	while (job->state != CLI_JOB_DONE)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
	fputs(job->out, stdout);
	bits = job->bits;
	free(job->out);
	source_msg_clear(&job->sm);
	memset(job, 0, sizeof *job);
	pthread_mutex_lock(&p->lock);
	p->head++;
	return bits;
}

static int
cli_scan_source(struct cli_pool *p, struct source *src)
{
	struct source_msg	 sm;
	int			 bits = 0;

	while (source_next(src, &sm)) {
		pthread_mutex_lock(&p->lock);
		while (p->tail - p->head >= p->nring)
			bits |= cli_pool_flush_one(p);
		p->ring[p->tail % p->nring].sm = sm;
		p->ring[p->tail % p->nring].state = CLI_JOB_QUEUED;
		p->tail++;
		pthread_cond_signal(&p->work);
		/* Print whatever is already finished, in order. */
		while (p->head < p->tail &&
		    p->ring[p->head % p->nring].state == CLI_JOB_DONE)
			bits |= cli_pool_flush_one(p);
		pthread_mutex_unlock(&p->lock);
	}
	return bits;
}

int
cli_scan(const struct cli_opts *o, char **paths, int npaths)
{
	struct analyzer	*a;
	struct cli_pool	 p;
	pthread_t	*threads;
	int		 i, bits = 0, jobs = o->jobs > 0 ? o->jobs : 1;
	char		*cause = NULL;

	if ((a = cli_analyzer(o, 1)) == NULL)
		return CLI_EXIT_ERROR;
	memset(&p, 0, sizeof p);
	p.a = a;
	p.ro = &o->report;
	p.nring = (size_t)jobs * 32;
	p.ring = xcalloc(p.nring, sizeof *p.ring);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.work, NULL);
	pthread_cond_init(&p.done, NULL);
	threads = xcalloc((size_t)jobs, sizeof *threads);
	for (i = 0; i < jobs; i++)
		pthread_create(&threads[i], NULL, cli_worker, &p);

	for (i = 0; i < npaths; i++) {
		struct source	*src = source_open(paths[i], &cause);

		if (src == NULL) {
			char *line = report_error_line(&o->report, paths[i], -1,
			    cause);

			pthread_mutex_lock(&p.lock);
			while (p.head < p.tail)
				bits |= cli_pool_flush_one(&p);
			pthread_mutex_unlock(&p.lock);
			fputs(line, stdout);
			free(line);
			free(cause);
			cause = NULL;
			bits |= CLI_EXIT_ERROR;
			continue;
		}
		bits |= cli_scan_source(&p, src);
		source_close(src);
	}
	pthread_mutex_lock(&p.lock);
	while (p.head < p.tail)
		bits |= cli_pool_flush_one(&p);
	p.closing = 1;
	pthread_cond_broadcast(&p.work);
	pthread_mutex_unlock(&p.lock);
	for (i = 0; i < jobs; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	free(p.ring);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.work);
	pthread_cond_destroy(&p.done);
	analyzer_free(a);
	if (fflush(stdout) != 0)
		bits |= CLI_EXIT_ERROR;
	return bits;
}

int
cli_explain(const struct cli_opts *o, const char *path)
{
	struct analyzer		*a;
	struct source		*src;
	struct source_msg	 sm;
	struct msg		*m;
	struct verdict		*v;
	char			*cause = NULL, *out;
	int			 bits;

	if ((a = cli_analyzer(o, 1)) == NULL)
		return CLI_EXIT_ERROR;
	if ((src = source_open(path, &cause)) == NULL ||
	    !source_next(src, &sm)) {
		fprintf(stderr, "sagi: %s\n", cause != NULL ? cause :
		    "no message");
		free(cause);
		source_close(src);
		analyzer_free(a);
		return CLI_EXIT_ERROR;
	}
	if (source_kind(src) == SOURCE_MAILDIR || source_kind(src) == SOURCE_MBOX)
		fprintf(stderr, "sagi: %s holds several messages; explaining "
		    "the first (use sagi scan for all)\n", path);
	source_close(src);
	if (sm.error != NULL) {
		fprintf(stderr, "sagi: %s\n", sm.error);
		source_msg_clear(&sm);
		analyzer_free(a);
		return CLI_EXIT_ERROR;
	}
	m = msg_parse(sm.data, sm.len, NULL, &cause);
	if (m == NULL) {
		fprintf(stderr, "sagi: %s: %s\n", path, cause);
		free(cause);
		source_msg_clear(&sm);
		analyzer_free(a);
		return CLI_EXIT_ERROR;
	}
	v = analyzer_run(a, m);
	out = report_explain(&o->report, sm.path, m, v);
	fputs(out, stdout);
	free(out);
	bits = v->level == VERDICT_PHISH ? CLI_EXIT_PHISH :
	    v->level == VERDICT_SUSPECT ? CLI_EXIT_SUSPECT : 0;
	verdict_free(v);
	msg_free(m);
	source_msg_clear(&sm);
	analyzer_free(a);
	if (fflush(stdout) != 0)
		bits |= CLI_EXIT_ERROR;
	return bits;
}

int
cli_check_rules(const struct cli_opts *o, char **paths, int npaths)
{
	struct diag	*d = diag_new();
	struct ruleset	*rs;
	const char	*list[64];
	size_t		 i, n = 0, packs, rules, brands;
	int		 fails, k;

	for (k = 0; k < npaths && n < SAGI_NITEMS(list); k++)
		list[n++] = paths[k];
	if (n == 0) {
		for (i = 0; i < o->nrule_paths; i++)
			list[n++] = o->rule_paths[i];
	}
	rs = analyzer_load_rules(list, n, d);
	fails = analyzer_check_rules(rs, d);
	for (i = 0; i < diag_count(d); i++)
		printf("%s\n", diag_get(d, i));
	analyzer_rules_summary(rs, &packs, &rules, &brands);
	printf("%zu packs, %zu rules, %zu brands loaded; %zu problems, "
	    "%d failed examples\n", packs, rules, brands, diag_count(d), fails);
	k = diag_count(d) > 0 ? 1 : 0;
	diag_free(d);
	ruleset_free(rs);
	return k;
}
