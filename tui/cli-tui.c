/* SPDX-License-Identifier: ISC */
/*
 * sagi with no command: works out which mailbox to show (the default
 * account, an account, a URL, a Maildir, or the demo copied to a temporary
 * directory so moves are real), makes the analyzer and hands over to the
 * interface.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "source.h"
#include "tui.h"
#include "xalloc.h"

struct cli_tui_target {
	const struct cli_opts	*o;
	struct account		 acct;
	char			*folder;
	const char		*rules_version;
	const char		*mbox;		/* an mbox file instead */
};

static struct store *
cli_tui_open(void *ctx, store_progress_fn progress, void *progress_ctx,
    char **cause)
{
	struct cli_tui_target	*t = ctx;
	struct store_opts	 so;

	if (t->mbox != NULL) {
		/* Read-only: no cache (a file has no UIDVALIDITY to key it)
		 * and no journal. */
		memset(&so, 0, sizeof so);
		so.rules_version = t->rules_version;
		so.jobs = t->o->jobs;
		so.progress = progress;
		so.progress_ctx = progress_ctx;
		return store_open_mbox(t->mbox, &so, cause);
	}
	/* Rows are shown as they are listed: the listing reads headers. */
	return cli_store_open_account(t->o, &t->acct, t->folder,
	    t->rules_version, 0, progress, progress_ctx, cause);
}

/* 1 when path is a regular file starting with "From " (an mbox). */
static int
cli_tui_is_mbox(const char *path)
{
	char	 head[5];
	int	 fd, yes;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return 0;
	yes = read(fd, head, sizeof head) == 5 &&
	    memcmp(head, "From ", 5) == 0;
	close(fd);
	return yes;
}

/* cp -R of a small tree of regular files (the demo Maildir). */
static int
cli_tui_copy(const char *from, const char *to)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		*src, *dst, buf[65536];
	int		 in, out, rc = 0;
	ssize_t		 n;

	if (mkdir(to, 0700) != 0 && errno != EEXIST)
		return -1;
	if ((d = opendir(from)) == NULL)
		return -1;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		src = xasprintf("%s/%s", from, de->d_name);
		dst = xasprintf("%s/%s", to, de->d_name);
		if (stat(src, &st) != 0)
			rc = -1;
		else if (S_ISDIR(st.st_mode))
			rc = cli_tui_copy(src, dst);
		else if (S_ISREG(st.st_mode)) {
			in = open(src, O_RDONLY | O_CLOEXEC);
			out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			    0600);
			if (in < 0 || out < 0)
				rc = -1;
			while (rc == 0 && (n = read(in, buf, sizeof buf)) > 0) {
				if (write(out, buf, (size_t)n) != n)
					rc = -1;
			}
			if (in >= 0)
				close(in);
			if (out >= 0 && close(out) != 0)
				rc = -1;
		}
		free(src);
		free(dst);
	}
	closedir(d);
	return rc;
}

static void
cli_tui_remove(const char *path)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		*p;

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			p = xasprintf("%s/%s", path, de->d_name);
			cli_tui_remove(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(path);
}

/* The demo mailbox, copied so that junk and undo really move files. */
static char *
cli_tui_demo(const struct cli_opts *o, char **maildir)
{
	static const char *const junk_dirs[] = {
		".Junk", ".Junk/cur", ".Junk/new", ".Junk/tmp",
	};
	char	 tmpl[] = "/tmp/sagi-demo.XXXXXX", *src, *p;
	char	*dir;
	size_t	 i;

	if (mkdtemp(tmpl) == NULL) {
		fprintf(stderr, "sagi: cannot make a temporary directory: %s\n",
		    strerror(errno));
		return NULL;
	}
	dir = xstrdup(tmpl);
	src = xasprintf("%s/demo", o->datadir);
	*maildir = xasprintf("%s/Maildir", dir);
	if (cli_tui_copy(src, *maildir) != 0) {
		fprintf(stderr, "sagi: cannot copy the demo mailbox from %s\n",
		    src);
		free(src);
		cli_tui_remove(dir);
		free(dir);
		free(*maildir);
		return NULL;
	}
	free(src);
	/* A junk folder, as a real mailbox has one. */
	for (i = 0; i < SAGI_NITEMS(junk_dirs); i++) {
		p = xasprintf("%s/%s", *maildir, junk_dirs[i]);
		mkdir(p, 0700);
		free(p);
	}
	return dir;
}

int
cli_tui(const struct cli_opts *o, const char *target, int demo)
{
	struct cli_tui_target	 t;
	struct cli_opts		 ao = *o;
	struct tui_opts		 to;
	struct analyzer		*a;
	struct stat		 st;
	char			*demo_dir = NULL, *maildir = NULL, *journal = NULL;
	char			*demo_conf = NULL;
	const char		*conf_path = o->mb.conf_path;
	int			 rc;

	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0) {
		fprintf(stderr, "sagi: the interface needs a UTF-8 locale "
		    "(LANG is %s); try LANG=C.UTF-8 or LANG=ja_JP.UTF-8\n",
		    getenv("LANG") != NULL ? getenv("LANG") : "unset");
		return CLI_EXIT_ERROR;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "sagi: the interface needs a terminal; for "
		    "scripts use sagi scan, junk and undo\n");
		return CLI_EXIT_ERROR;
	}
	memset(&t, 0, sizeof t);
	account_init(&t.acct);
	if (demo) {
		if ((demo_dir = cli_tui_demo(o, &maildir)) == NULL)
			return CLI_EXIT_ERROR;
		t.acct.maildir = maildir;
		t.acct.name = xstrdup("demo");
		journal = xasprintf("%s/journal", demo_dir);
		ao.mb.journal_path = journal;
		/* The demo's "not phish" must not write the user's config. */
		demo_conf = xasprintf("%s/config", demo_dir);
		conf_path = demo_conf;
	} else if (target != NULL && o->mb.url == NULL &&
	    stat(target, &st) == 0 && S_ISREG(st.st_mode)) {
		if (!cli_tui_is_mbox(target)) {
			fprintf(stderr, "sagi: %s is neither a Maildir nor an "
			    "mbox (an mbox starts with \"From \"); one message "
			    "is judged with sagi scan or sagi explain\n", target);
			account_clear(&t.acct);
			return CLI_EXIT_ERROR;
		}
		t.mbox = target;
		t.acct.name = xstrdup(target);
		/* Not an account of the config file: nothing to remember in. */
		conf_path = NULL;
	} else if (target != NULL && o->mb.url == NULL) {
		if (stat(target, &st) != 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "sagi: %s is not a Maildir or an mbox "
			    "file\n", target);
			account_clear(&t.acct);
			return CLI_EXIT_ERROR;
		}
		t.acct.maildir = xstrdup(target);
		t.acct.name = xstrdup(target);
		/* Not an account of the config file: nothing to remember in. */
		conf_path = NULL;
		if (o->mb.over.junk_folder != NULL)
			t.acct.junk_folder = xstrdup(o->mb.over.junk_folder);
	} else {
		account_clear(&t.acct);
		if (cli_account_resolve(o, &t.acct, &t.folder) != 0)
			return CLI_EXIT_ERROR;
	}
	if (ao.analyzer.authserv_id == NULL)
		ao.analyzer.authserv_id = t.acct.authserv_id;
	if ((a = cli_analyzer(&ao, 1)) == NULL) {
		rc = CLI_EXIT_ERROR;
		goto out;
	}
	t.o = &ao;
	t.rules_version = ruleset_version(analyzer_ruleset(a));
	memset(&to, 0, sizeof to);
	to.open = cli_tui_open;
	to.open_ctx = &t;
	to.analyzer = a;
	to.ro = o->report;
	to.account = &t.acct;
	to.conf_path = conf_path;
	if (o->keys_path != NULL && access(o->keys_path, R_OK) == 0)
		to.keymap_paths[to.nkeymap_paths++] = o->keys_path;
	rc = tui_run(&to);
	analyzer_free(a);
out:
	account_clear(&t.acct);
	free(t.folder);
	if (demo_dir != NULL) {
		cli_tui_remove(demo_dir);
		free(demo_dir);
	}
	free(journal);
	free(demo_conf);
	return rc;
}
