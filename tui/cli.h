/* SPDX-License-Identifier: ISC */
/*
 * The non-interactive commands: scan, explain, check-rules.  Each returns
 * the process exit status (see sagi(1)).
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>

#include "analyze.h"
#include "report.h"

#define CLI_EXIT_SUSPECT	1	/* bit: a suspicious message was seen */
#define CLI_EXIT_PHISH		2	/* bit: a phish was seen */
#define CLI_EXIT_ERROR		4	/* bit: something could not be read */
#define CLI_EXIT_USAGE		64

struct cli_opts {
	struct report_opts	 report;
	const char		*rule_paths[16];
	size_t			 nrule_paths;
	struct analyzer_config	 analyzer;
	int			 jobs;
};

/* The exit bits one verdict earns (0 for NULL). */
int	cli_exit_bits(const struct verdict *v);
int	cli_scan(const struct cli_opts *o, char **paths, int npaths);
int	cli_explain(const struct cli_opts *o, const char *path);
int	cli_check_rules(const struct cli_opts *o, char **paths, int npaths);

#endif
