/* SPDX-License-Identifier: ISC */
/* Unit tests for source: .eml, Maildir and mbox reading. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"
#include "t.h"

static void
put(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

int
main(void)
{
	char			 dir[] = "/tmp/sagi-test-source.XXXXXX", p[512];
	struct source		*s;
	struct source_msg	 sm;
	char			*cause = NULL;
	int			 n;

	if (mkdtemp(dir) == NULL)
		return 99;
	s = source_open("/nonexistent/sagi", &cause);
	t_ok(s == NULL && cause != NULL, "missing path is an error");
	free(cause);
	cause = NULL;
	s = source_open(dir, &cause);
	t_ok(s == NULL && cause != NULL && strstr(cause, "not a Maildir"),
	    "a plain directory is not a Maildir");
	free(cause);
	cause = NULL;

	/* mbox with >From quoting and a CRLF blank line. */
	snprintf(p, sizeof p, "%s/box", dir);
	put(p, "From a Mon\nSubject: 1\n\nfirst\n>From quoted\nFrom in text\n\n"
	    "From b Mon\nSubject: 2\n\nsecond\n\r\nFrom c Mon\nSubject: 3\n\nthird\n");
	s = source_open(p, &cause);
	t_ok(s != NULL && source_kind(s) == SOURCE_MBOX, "mbox recognised");
	n = 0;
	while (source_next(s, &sm)) {
		if (n == 0) {
			t_ok(strstr(sm.data, "\nFrom quoted\n") != NULL, ">From unquoted");
			t_ok(strstr(sm.data, "From in text") != NULL,
			    "From without blank line before is not a separator");
		}
		t_int_eq(sm.index, n, "mbox index %d", n);
		n++;
		source_msg_clear(&sm);
	}
	t_int_eq(n, 3, "three mbox messages");
	source_close(s);

	/* Maildir: cur and new, dotfiles skipped, sorted. */
	snprintf(p, sizeof p, "%s/md", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/md/cur", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/md/new", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/md/cur/2:2,S", dir);
	put(p, "Subject: b\n\nx\n");
	snprintf(p, sizeof p, "%s/md/cur/1:2,S", dir);
	put(p, "Subject: a\n\nx\n");
	snprintf(p, sizeof p, "%s/md/new/.hidden", dir);
	put(p, "x");
	snprintf(p, sizeof p, "%s/md", dir);
	s = source_open(p, &cause);
	t_ok(s != NULL && source_kind(s) == SOURCE_MAILDIR, "Maildir recognised");
	n = 0;
	while (source_next(s, &sm)) {
		if (n == 0)
			t_ok(strstr(sm.path, "/cur/1:2,S") != NULL, "sorted by name");
		t_int_eq(sm.index, -1, "no index outside mbox");
		n++;
		source_msg_clear(&sm);
	}
	t_int_eq(n, 2, "two Maildir messages, dotfile skipped");
	source_close(s);

	/* A single file. */
	snprintf(p, sizeof p, "%s/one.eml", dir);
	put(p, "Subject: one\n\nbody\n");
	s = source_open(p, &cause);
	t_ok(s != NULL && source_kind(s) == SOURCE_FILE, "file recognised");
	t_ok(source_next(s, &sm) == 1 && sm.len == 19, "whole file read");
	source_msg_clear(&sm);
	t_ok(source_next(s, &sm) == 0, "one message only");
	source_close(s);
	source_close(NULL);

	snprintf(p, sizeof p, "rm -rf '%s'", dir);
	if (system(p) != 0)
		return 99;
	return t_done();
}
