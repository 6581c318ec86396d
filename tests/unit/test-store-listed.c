/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the listed callback (store_set_listed) of the Maildir and
 * fake stores: a listing hands out its entries batch by batch before it
 * returns, each with sender and subject, known entries again on a second
 * listing with the flags their names have now; and a FIFO planted in a
 * Maildir neither hangs the listing nor becomes a message.  (IMAP's batches
 * are checked on a real Dovecot by tests/check-tui.sh; mbox's by
 * test-store-mbox.)  An alarm turns a hang into a failure.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "t.h"
#include "xalloc.h"

#define NMSG	600

struct seen {
	size_t		 calls;
	size_t		 entries;
	size_t		 seen_flagged;	/* entries with STORE_FLAGGED */
	int		 named;
	int		 during;	/* called while store_list ran */
};

static int	 listing;

static void
on_listed(void *ctx, const struct store_entry *e, size_t n)
{
	struct seen	*s = ctx;
	size_t		 i;

	s->calls++;
	s->entries += n;
	s->during &= listing;
	for (i = 0; i < n; i++) {
		if (e[i].uid == 0 || e[i].from == NULL || e[i].subject == NULL ||
		    strncmp(e[i].subject, "message ", 8) != 0)
			s->named = 0;
		s->seen_flagged += (e[i].flags & STORE_FLAGGED) != 0;
	}
}

static int
list(struct store *st, struct seen *s, char **cause)
{
	int	rc;

	memset(s, 0, sizeof *s);
	s->named = s->during = 1;
	store_set_listed(st, on_listed, s);
	listing = 1;
	rc = store_list(st, cause);
	listing = 0;
	return rc;
}

static char *
message(int i, size_t *len)
{
	char	*m = xasprintf("From: Sender %d <s%d@example.jp>\n"
	    "Subject: message %d\nMessage-ID: <m%d@example.jp>\n"
	    "Date: Mon, 1 Jan 2024 00:00:00 +0000\n\nbody %d\n", i, i, i, i,
	    i);

	*len = strlen(m);
	return m;
}

static void
rm_rf(const char *path)
{
	struct stat	 sb;
	struct dirent	*de;
	DIR		*d;
	char		*p;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			p = xasprintf("%s/%s", path, de->d_name);
			rm_rf(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(path);
}

static void
test_maildir(const char *root)
{
	struct store	*st;
	struct seen	 s;
	char		*p, *q, *m, *cause = NULL;
	const char	*sub[] = { "cur", "new", "tmp" };
	size_t		 i, len;
	FILE		*f;

	mkdir(root, 0700);
	for (i = 0; i < SAGI_NITEMS(sub); i++) {
		p = xasprintf("%s/%s", root, sub[i]);
		mkdir(p, 0700);
		free(p);
	}
	for (i = 0; i < NMSG; i++) {
		p = xasprintf("%s/cur/%zu.M%zuP1.test:2,", root, 1700000000 + i,
		    i);
		m = message((int)i, &len);
		if ((f = fopen(p, "w")) == NULL || fwrite(m, 1, len, f) != len ||
		    fclose(f) != 0) {
			printf("Bail out! cannot write %s\n", p);
			exit(99);
		}
		free(m);
		free(p);
	}
	/* A FIFO among the messages: nobody will ever write to it. */
	p = xasprintf("%s/cur/1700000300.fifo.test:2,", root);
	t_ok(mkfifo(p, 0600) == 0, "a FIFO in cur/");
	free(p);

	if ((st = store_open_maildir(root, NULL, NULL, &cause)) == NULL) {
		printf("Bail out! %s\n", cause);
		exit(99);
	}
	t_ok(list(st, &s, &cause) == 0, "the Maildir lists, FIFO and all");
	t_int_eq(store_count(st), NMSG, "every message, and not the FIFO");
	t_ok(s.calls >= 3 && s.entries == NMSG && s.named && s.during,
	    "the listed callback saw %zu entries in %zu batches, during the "
	    "listing, each named", s.entries, s.calls);

	/* Flag one message by renaming it; list again. */
	p = xasprintf("%s/cur/%d.M%dP1.test:2,", root, 1700000007, 7);
	q = xasprintf("%s/cur/%d.M%dP1.test:2,F", root, 1700000007, 7);
	t_ok(rename(p, q) == 0, "flag a message (rename to :2,F)");
	free(p);
	free(q);
	t_ok(list(st, &s, &cause) == 0 && s.entries == NMSG && s.named,
	    "a second listing reports the known entries again, named (%zu)",
	    s.entries);
	t_int_eq(s.seen_flagged, 1, "with the flag their names have now");
	store_close(st);
}

static void
test_fake(void)
{
	struct store_fake_msg	*msgs;
	struct store		*st;
	struct seen		 s;
	char			*cause = NULL;
	size_t			 i;

	msgs = xcalloc(NMSG, sizeof *msgs);
	for (i = 0; i < NMSG; i++)
		msgs[i].raw = message((int)i, &msgs[i].len);
	st = store_open_fake(msgs, NMSG, NULL, &cause);
	t_ok(st != NULL && list(st, &s, &cause) == 0 &&
	    store_count(st) == NMSG, "the fake lists");
	t_ok(s.calls >= NMSG / 32 && s.entries == NMSG && s.named && s.during,
	    "in %zu batches of %zu entries", s.calls, s.entries);
	store_set_listed(st, NULL, NULL);
	t_ok(store_list(st, &cause) == 0 && store_count(st) == NMSG,
	    "with the callback cleared, a listing still works");
	store_close(st);
	for (i = 0; i < NMSG; i++)
		free((char *)msgs[i].raw);
	free(msgs);
}

int
main(void)
{
	char	 tmpl[] = "/tmp/sagi-test-listed.XXXXXX", *root;

	/* A listing that hangs on the FIFO fails the test, not make check. */
	alarm(120);
	if (mkdtemp(tmpl) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 99;
	}
	root = xasprintf("%s/Maildir", tmpl);
	test_maildir(root);
	test_fake();
	rm_rf(tmpl);
	free(root);
	return t_done();
}
