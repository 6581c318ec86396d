/* SPDX-License-Identifier: ISC */
/*
 * sagi scan --account, sagi junk and sagi undo: the engine over a mailbox
 * (IMAP or a Maildir account) from the command line.  Resolves the account
 * (config file, imap:// URL, command-line settings), then only calls the
 * store; the safe-move logic lives in core.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "store.h"
#include "text.h"
#include "xalloc.h"

static volatile sig_atomic_t cli_store_interrupted;

static void
cli_store_on_signal(int sig)
{
	(void)sig;
	cli_store_interrupted = 1;
}

/*
 * A cause can carry what the server said (its NO text, a folder name):
 * shown like mail, so escapes and bidi controls never reach the terminal.
 */
static void
cli_store_error(const char *cause)
{
	char	*s = text_sanitize_line(cause, strlen(cause));

	fprintf(stderr, "sagi: %s\n", s);
	free(s);
}

struct cli_store_progress {
	int	 tty;
	int	 shown;
};

/* Progress on a terminal's stderr; ^C asks the store to stop. */
static int
cli_store_progress(void *ctx, const char *phase, size_t done, size_t total)
{
	struct cli_store_progress *p = ctx;

	if (p->tty && total > 0) {
		fprintf(stderr, "\r\033[Ksagi: %s %zu/%zu", phase, done, total);
		p->shown = 1;
	}
	return cli_store_interrupted;
}

static void
cli_store_progress_end(struct cli_store_progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}

/* Command-line settings win over the config file's. */
static void
cli_store_override(struct account *a, const struct cli_mailbox *mb)
{
	const struct account	*o = &mb->over;

#define CLI_SET(f) do {							\
	if (o->f != NULL) {						\
		free(a->f);						\
		a->f = xstrdup(o->f);					\
	}								\
} while (0)
	CLI_SET(host);
	CLI_SET(user);
	CLI_SET(password_cmd);
	CLI_SET(oauth2_token_cmd);
	CLI_SET(oauth2_mechanism);
	CLI_SET(authserv_id);
	CLI_SET(junk_folder);
	CLI_SET(tls_ca_file);
	CLI_SET(tls_fingerprint);
	CLI_SET(folder);
#undef CLI_SET
	if (o->port != 0)
		a->port = o->port;
	if (mb->tls_set)
		a->tls = o->tls;
	if (o->allow_plaintext)
		a->allow_plaintext = 1;
	if (o->timeout != 0)
		a->timeout = o->timeout;
	if (o->password_cmd != NULL && o->oauth2_token_cmd == NULL) {
		/* Nor a token command from the file (it is used before any
		 * password). */
		free(a->oauth2_token_cmd);
		a->oauth2_token_cmd = NULL;
	}
	if (o->password_cmd != NULL || o->oauth2_token_cmd != NULL) {
		/* A password from the file must not beat the command given
		 * on the command line. */
		if (a->password != NULL) {
			explicit_bzero(a->password, strlen(a->password));
			free(a->password);
			a->password = NULL;
		}
	}
}

/*
 * The account to use, from the config file, an imap:// URL and the
 * command line.  Returns 0 with *a filled, or -1 after saying why.
 */
int
cli_account_resolve(const struct cli_opts *o, struct account *a,
    char **folder_out)
{
	const struct cli_mailbox	*mb = &o->mb;
	struct diag			*d = diag_new();
	struct conf			*conf;
	const struct account		*found = NULL;
	char				*cause = NULL;
	size_t				 i;

	*folder_out = NULL;
	account_init(a);
	conf = conf_load(mb->conf_path, d);
	for (i = 0; i < diag_count(d); i++)
		fprintf(stderr, "sagi: %s\n", diag_get(d, i));
	diag_free(d);
	if (mb->account != NULL || (mb->url == NULL && mb->over.host == NULL)) {
		found = conf_account(conf, mb->account);
		if (found == NULL) {
			if (mb->account != NULL)
				fprintf(stderr, "sagi: no account %s in %s\n",
				    mb->account, mb->conf_path);
			else
				fprintf(stderr, "sagi: no account configured "
				    "(%s); give --account, --host or an "
				    "imap://user@host/FOLDER URL\n", mb->conf_path);
			conf_free(conf);
			return -1;
		}
		account_clear(a);
		account_copy(a, found);
	}
	conf_free(conf);
	if (mb->url != NULL && account_from_url(mb->url, a, folder_out,
	    &cause) != 0) {
		cli_store_error(cause);
		free(cause);
		account_clear(a);
		return -1;
	}
	cli_store_override(a, mb);
	if (a->name == NULL)
		a->name = xstrdup(a->host != NULL ? a->host : "maildir");
	if (mb->folder != NULL) {
		free(*folder_out);
		*folder_out = xstrdup(mb->folder);
	}
	if (a->user == NULL && a->maildir == NULL) {
		const char *u = getenv("USER");

		if (u != NULL)
			a->user = xstrdup(u);
	}
	return 0;
}

/* Expands a leading "~/" of a configured Maildir path. */
static char *
cli_store_expand(const char *path)
{
	const char	*home = getenv("HOME");

	if (strncmp(path, "~/", 2) == 0 && home != NULL)
		return xasprintf("%s/%s", home, path + 2);
	return xstrdup(path);
}

struct store *
cli_store_open_account(const struct cli_opts *o, const struct account *a,
    const char *folder, const char *rules_version, int classify_all,
    store_progress_fn progress, void *progress_ctx, char **cause)
{
	struct store_opts	 so;
	struct store		*st;
	char			*path;

	memset(&so, 0, sizeof so);
	so.cache_dir = o->mb.no_cache ? NULL : o->mb.cache_dir;
	so.journal_path = o->mb.journal_path;
	so.rules_version = rules_version;
	so.create_junk = o->mb.create_junk;
	so.jobs = o->jobs;
	so.fields_from_bodies = classify_all;
	so.progress = progress;
	so.progress_ctx = progress_ctx;
	if (a->maildir == NULL)
		return store_open_imap(a, folder, &so, cause);
	path = cli_store_expand(a->maildir);
	st = store_open_maildir(path, a->junk_folder, &so, cause);
	free(path);
	return st;
}

struct cli_store {
	struct store			*st;
	struct analyzer			*a;
	struct account			 acct;
	struct cli_store_progress	 progress;
};

static void
cli_store_close(struct cli_store *cs)
{
	store_close(cs->st);
	analyzer_free(cs->a);
	account_clear(&cs->acct);
}

/*
 * Opens and lists the mailbox; with classify, judges every message, telling
 * judged (if not NULL) of each as it is judged.
 */
static int
cli_store_open(const struct cli_opts *o, struct cli_store *cs, int classify,
    store_judged_fn judged, void *judged_ctx)
{
	struct cli_opts		 ao = *o;
	struct sigaction	 sa;
	char			*folder = NULL, *cause = NULL;

	memset(cs, 0, sizeof *cs);
	if (cli_account_resolve(o, &cs->acct, &folder) != 0)
		return -1;
	if (ao.analyzer.authserv_id == NULL)
		ao.analyzer.authserv_id = cs->acct.authserv_id;
	if ((cs->a = cli_analyzer(&ao, 1)) == NULL)
		goto fail;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = cli_store_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	cs->progress.tty = isatty(STDERR_FILENO);
	cs->st = cli_store_open_account(o, &cs->acct, folder,
	    ruleset_version(analyzer_ruleset(cs->a)), classify,
	    cli_store_progress, &cs->progress, &cause);
	if (cs->st == NULL)
		goto fail_cause;
	if (store_list(cs->st, &cause) != 0)
		goto fail_cause;
	store_set_judged(cs->st, judged, judged_ctx);
	if (classify && store_classify(cs->st, cs->a, &cause) != 0)
		goto fail_cause;
	cli_store_progress_end(&cs->progress);
	free(folder);
	return 0;
fail_cause:
	cli_store_progress_end(&cs->progress);
	cli_store_error(cause);
	free(cause);
fail:
	free(folder);
	cli_store_close(cs);
	return -1;
}

/* sagi scan of a mailbox prints in uid order as messages are judged. */
struct cli_scan_printer {
	const struct cli_opts	*o;
	struct cli_store	*cs;	/* its st is set once the store opens */
	size_t			 next;	/* entries before it are printed */
	int			 bits;
};

static void
cli_scan_print(struct cli_scan_printer *p, const struct store_entry *e)
{
	char	*line, *where;

	if (e->verdict != NULL) {
		line = report_scan_entry(&p->o->report,
		    store_folder(p->cs->st), e);
		p->bits |= cli_exit_bits(e->verdict);
	} else {
		where = xasprintf("%s:%u", store_folder(p->cs->st),
		    e->uid);
		line = report_error_line(&p->o->report, where, -1,
		    e->error != NULL ? e->error : "not classified");
		free(where);
		p->bits |= CLI_EXIT_ERROR;
	}
	fputs(line, stdout);
	free(line);
}

/* Prints the entries up to the first one not judged yet (all: final). */
static void
cli_scan_print_ready(struct cli_scan_printer *p, int final)
{
	const struct store_entry *e;

	while (p->next < store_count(p->cs->st)) {
		e = store_entry_at(p->cs->st, p->next);
		if (!final && e->verdict == NULL && e->error == NULL)
			break;
		cli_scan_print(p, e);
		p->next++;
	}
}

static void
cli_scan_judged(void *ctx, const struct store_entry *e)
{
	struct cli_scan_printer *p = ctx;

	(void)e;
	cli_scan_print_ready(p, 0);
}

int
cli_scan_store(const struct cli_opts *o)
{
	struct cli_store	 cs;
	struct cli_scan_printer	 p;

	memset(&p, 0, sizeof p);
	p.o = o;
	p.cs = &cs;
	/* The lines come as the messages are judged; after a failure the
	 * ones printed stand, and the exit status says the rest failed. */
	if (cli_store_open(o, &cs, 1, cli_scan_judged, &p) != 0) {
		fflush(stdout);
		return CLI_EXIT_ERROR;
	}
	cli_scan_print_ready(&p, 1);
	cli_store_close(&cs);
	if (fflush(stdout) != 0)
		p.bits |= CLI_EXIT_ERROR;
	return p.bits;
}


static void
cli_store_print_report(const struct cli_opts *o,
    const struct store_move_report *rep, const char *what)
{
	char	*dst;
	size_t	 i;

	(void)o;
	dst = rep->dst != NULL ? text_sanitize_line(rep->dst, strlen(rep->dst)) :
	    xstrdup("?");
	printf("%s: %zu of %zu moved to %s", what, rep->moved, rep->requested,
	    dst);
	free(dst);
	if (rep->marked > 0)
		printf(", %zu copied with the originals marked deleted",
		    rep->marked);
	if (rep->both > 0)
		printf(", %zu now in both folders", rep->both);
	if (rep->failed > 0)
		printf(", %zu not moved", rep->failed);
	printf("\n");
	for (i = 0; i < rep->nnotes; i++) {
		char *s = text_sanitize_line(rep->notes[i], strlen(rep->notes[i]));

		printf("  %s\n", s);
		free(s);
	}
}

/* Asks on the terminal; anything but y/yes is no. */
static int
cli_store_confirm(const char *question)
{
	FILE	*tty = fopen("/dev/tty", "r+");
	char	 line[32];
	int	 yes = 0;

	if (tty == NULL)
		return 0;
	fprintf(tty, "%s [y/N] ", question);
	fflush(tty);
	if (fgets(line, sizeof line, tty) != NULL)
		yes = line[0] == 'y' || line[0] == 'Y';
	fclose(tty);
	return yes;
}

int
cli_junk(const struct cli_opts *o)
{
	struct cli_store	 cs;
	struct store_move_report rep;
	uint32_t		*uids;
	char			**reasons, *tag;
	size_t			*counts, nreasons = 0, n = 0, i, k;
	const char		*junk;
	char			*cause = NULL, *q, *shown = NULL;
	int			 rc = 0;

	if (!o->mb.flagged) {
		fprintf(stderr, "sagi: junk: say which messages: --flagged\n");
		return CLI_EXIT_USAGE;
	}
	if (cli_store_open(o, &cs, 1, NULL, NULL) != 0)
		return CLI_EXIT_ERROR;
	uids = xcalloc(store_count(cs.st) + 1, sizeof *uids);
	reasons = xcalloc(store_count(cs.st) + 1, sizeof *reasons);
	counts = xcalloc(store_count(cs.st) + 1, sizeof *counts);
	for (i = 0; i < store_count(cs.st); i++) {
		struct store_entry *e = store_entry_at(cs.st, i);

		if (e->verdict == NULL || e->verdict->level < o->mb.level)
			continue;
		/* The user said "not phish" about it, or trusts its sender. */
		if ((e->flags & STORE_NOTJUNK) ||
		    (e->from_addr != NULL &&
		    account_trusts_sender(&cs.acct, e->from_addr)))
			continue;
		uids[n++] = e->uid;
		tag = report_reason_tag(&o->report, e->verdict);
		for (k = 0; k < nreasons && strcmp(reasons[k], tag) != 0; k++)
			;
		if (k == nreasons)
			reasons[nreasons++] = tag;
		else
			free(tag);
		counts[k]++;
		if (o->mb.dry_run) {
			char *line = report_scan_entry(&o->report,
			    store_folder(cs.st), e);

			fputs(line, stdout);
			free(line);
		}
	}
	junk = store_junk_folder(cs.st, &cause);
	/* The junk folder's name comes from the server's LIST. */
	shown = junk != NULL ? text_sanitize_line(junk, strlen(junk)) :
	    xstrdup("(none)");
	printf("%zu of %zu messages in %s are %s or worse; %s %s\n", n,
	    store_count(cs.st), store_folder(cs.st),
	    verdict_level_name(o->mb.level),
	    o->mb.dry_run ? "they would go to" : "junk folder:", shown);
	for (k = 0; k < nreasons; k++) {
		char *line = text_sanitize_line(reasons[k], strlen(reasons[k]));

		printf("  %5zu  %s\n", counts[k], line);
		free(line);
	}
	if (junk == NULL) {
		cli_store_error(cause);
		free(cause);
		rc = CLI_EXIT_ERROR;
		goto out;
	}
	if (n == 0 || o->mb.dry_run)
		goto out;
	if (!o->mb.yes) {
		q = xasprintf("Move %zu messages from %s to %s?", n,
		    store_folder(cs.st), shown);
		if (!isatty(STDIN_FILENO) || !cli_store_confirm(q)) {
			fprintf(stderr, "sagi: nothing moved%s\n",
			    isatty(STDIN_FILENO) ? "" :
			    " (not a terminal: confirm with --yes)");
			free(q);
			rc = CLI_EXIT_ERROR;
			goto out;
		}
		free(q);
	}
	if (store_junk(cs.st, uids, n, &rep, &cause) != 0) {
		cli_store_error(cause);
		free(cause);
		rc = CLI_EXIT_ERROR;
	}
	cli_store_progress_end(&cs.progress);
	cli_store_print_report(o, &rep, "junk");
	if (rep.journal_id != NULL) {
		if (o->mb.account != NULL)
			printf("undo with: sagi undo --account %s\n",
			    o->mb.account);
		else if (o->mb.url != NULL)
			printf("undo with: sagi undo %s (and the same "
			    "options)\n", o->mb.url);
		else
			printf("undo with: sagi undo (and the same options)\n");
	}
	store_move_report_clear(&rep);
out:
	free(shown);
	for (k = 0; k < nreasons; k++)
		free(reasons[k]);
	free(uids);
	free(reasons);
	free(counts);
	cli_store_close(&cs);
	if (fflush(stdout) != 0)
		rc |= CLI_EXIT_ERROR;
	return rc;
}

int
cli_undo(const struct cli_opts *o)
{
	struct cli_store	 cs;
	struct store_move_report rep;
	char			*cause = NULL;
	int			 rc = 0;

	if (cli_store_open(o, &cs, 0, NULL, NULL) != 0)
		return CLI_EXIT_ERROR;
	if (store_undo(cs.st, &rep, &cause) != 0) {
		cli_store_error(cause);
		free(cause);
		rc = CLI_EXIT_ERROR;
	}
	cli_store_progress_end(&cs.progress);
	if (rep.requested > 0)
		cli_store_print_report(o, &rep, "undo");
	store_move_report_clear(&rep);
	cli_store_close(&cs);
	return rc;
}
