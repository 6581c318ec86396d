/* SPDX-License-Identifier: ISC */
/*
 * The non-interactive commands: scan, explain, check-rules.  Each returns
 * the process exit status (see sagi(1)).
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>

#include "analyze.h"
#include "conf.h"
#include "store.h"
#include "report.h"

#define CLI_EXIT_SUSPECT	1	/* bit: a suspicious message was seen */
#define CLI_EXIT_PHISH		2	/* bit: a phish was seen */
#define CLI_EXIT_ERROR		4	/* bit: something could not be read */
#define CLI_EXIT_USAGE		64

/* Which mailbox scan --account, junk and undo work on. */
struct cli_mailbox {
	const char	*account;	/* --account NAME */
	const char	*folder;	/* --folder F */
	const char	*url;		/* imap://user@host:port/FOLDER */
	struct account	 over;		/* command-line settings; unset = 0/NULL */
	int		 tls_set;	/* over.tls was given */
	const char	*conf_path;
	const char	*cache_dir;
	const char	*journal_path;
	int		 no_cache;
	int		 create_junk;
	int		 flagged;	/* junk: the flagged messages */
	enum verdict_level level;	/* junk: this level or worse */
	int		 dry_run;
	int		 yes;
};

struct cli_opts {
	struct report_opts	 report;
	const char		*rule_paths[16];
	size_t			 nrule_paths;
	struct analyzer_config	 analyzer;
	int			 jobs;
	struct cli_mailbox	 mb;
	const char		*datadir;	/* rules/, demo/, keymaps/ */
	const char		*keys_path;	/* the user's keymap file */
};

/* Loads the rules and makes the analyzer; says why on stderr when it
 * cannot.  Owned. */
struct analyzer *cli_analyzer(const struct cli_opts *o, int report_problems);
/* The account from the config file, an imap:// URL and the command line;
 * says why on stderr when there is none.  *folder_out owned (or NULL). */
int	cli_account_resolve(const struct cli_opts *o, struct account *a,
	    char **folder_out);
/*
 * Opens a's folder (IMAP, or its Maildir) with o's cache and journal.
 * classify_all: the caller classifies the whole list before it shows
 * anything (store_opts.fields_from_bodies).
 */
struct store *cli_store_open_account(const struct cli_opts *o,
	    const struct account *a, const char *folder,
	    const char *rules_version, int classify_all,
	    store_progress_fn progress, void *progress_ctx, char **cause);
/* The interactive interface (cli-tui.c); target is a path, a URL or NULL. */
int	cli_tui(const struct cli_opts *o, const char *target, int demo);
/* The mailbox commands (cli-store.c). */
int	cli_scan_store(const struct cli_opts *o);
int	cli_junk(const struct cli_opts *o);
int	cli_undo(const struct cli_opts *o);
/* The exit bits one verdict earns (0 for NULL). */
int	cli_exit_bits(const struct verdict *v);
int	cli_scan(const struct cli_opts *o, char **paths, int npaths);
int	cli_explain(const struct cli_opts *o, const char *path);
int	cli_check_rules(const struct cli_opts *o, char **paths, int npaths);

#endif
