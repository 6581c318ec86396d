/* SPDX-License-Identifier: ISC */
/*
 * sagi scan, explain and check-rules: the engine from the command line.
 * scan runs messages through worker threads and prints results in input
 * order, with a bounded number of messages in flight so memory stays flat.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "source.h"
#include "workq.h"
#include "xalloc.h"

struct analyzer *
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

int
cli_exit_bits(const struct verdict *v)
{
	if (v == NULL)
		return 0;
	return v->level == VERDICT_PHISH ? CLI_EXIT_PHISH :
	    v->level == VERDICT_SUSPECT ? CLI_EXIT_SUSPECT : 0;
}

struct cli_job {
	struct source_msg	 sm;
	char			*out;
	int			 bits;
};

struct cli_ctx {
	struct analyzer			*a;
	const struct report_opts	*ro;
};

/* One message: parse, judge, render.  Sets the exit bits it earns.  Runs
 * on a worker thread. */
static void
cli_process(void *arg, void *item)
{
	struct cli_ctx	*ctx = arg;
	struct cli_job	*job = item;
	struct msg	*m;
	struct verdict	*v;
	char		*cause = NULL;

	if (job->sm.error != NULL) {
		job->out = report_error_line(ctx->ro, job->sm.path,
		    job->sm.index, job->sm.error);
		job->bits = CLI_EXIT_ERROR;
		return;
	}
	m = msg_parse(job->sm.data, job->sm.len, NULL, &cause);
	if (m == NULL) {
		job->out = report_error_line(ctx->ro, job->sm.path,
		    job->sm.index, cause);
		job->bits = CLI_EXIT_ERROR;
		free(cause);
		return;
	}
	v = analyzer_run(ctx->a, m);
	job->out = report_scan_line(ctx->ro, job->sm.path, job->sm.index, m, v);
	job->bits = cli_exit_bits(v);
	verdict_free(v);
	msg_free(m);
}

/* Prints and frees the oldest finished job, waiting for it when wait. */
static int
cli_flush(struct workq *q, int wait)
{
	struct cli_job	*job;
	int		 bits = 0;

	while ((job = workq_take(q, wait)) != NULL) {
		fputs(job->out, stdout);
		bits |= job->bits;
		free(job->out);
		source_msg_clear(&job->sm);
		free(job);
	}
	return bits;
}

static int
cli_scan_source(struct workq *q, struct source *src)
{
	struct cli_job	*job = xcalloc(1, sizeof *job);
	int		 bits = 0;

	while (source_next(src, &job->sm)) {
		if (workq_full(q)) {
			/* Half the ring at a time: one wake-up per half
			 * rather than per message, and the workers keep the
			 * other half. */
			workq_wait(q, (workq_depth(q) + 1) / 2);
			bits |= cli_flush(q, 0);
		}
		workq_push(q, job);
		/* Print whatever is already finished, in order. */
		bits |= cli_flush(q, 0);
		job = xcalloc(1, sizeof *job);
	}
	free(job);
	return bits;
}

int
cli_scan(const struct cli_opts *o, char **paths, int npaths)
{
	struct cli_ctx	 ctx;
	struct workq	*q;
	int		 i, bits = 0, jobs = o->jobs > 0 ? o->jobs : 1;
	char		*cause = NULL;

	if ((ctx.a = cli_analyzer(o, 1)) == NULL)
		return CLI_EXIT_ERROR;
	ctx.ro = &o->report;
	q = workq_new(jobs, (size_t)jobs * 32, cli_process, &ctx);
	for (i = 0; i < npaths; i++) {
		struct source	*src = source_open(paths[i], &cause);

		if (src == NULL) {
			char *line = report_error_line(&o->report, paths[i], -1,
			    cause);

			bits |= cli_flush(q, 1);
			fputs(line, stdout);
			free(line);
			free(cause);
			cause = NULL;
			bits |= CLI_EXIT_ERROR;
			continue;
		}
		bits |= cli_scan_source(q, src);
		source_close(src);
	}
	bits |= cli_flush(q, 1);
	workq_free(q);
	analyzer_free(ctx.a);
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
	bits = cli_exit_bits(v);
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
