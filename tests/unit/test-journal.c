/* SPDX-License-Identifier: ISC */
/* Unit tests for journal: append, last, undo marks, torn lines, rotation. */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "t.h"
#include "xalloc.h"

static int
streq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
batch_eq(const struct journal_batch *a, const struct journal_batch *b)
{
	size_t	 i;

	if (a == NULL || b == NULL)
		return a == b;
	if (!streq(a->id, b->id) || a->when != b->when ||
	    !streq(a->account, b->account) ||
	    !streq(a->src_mailbox, b->src_mailbox) ||
	    a->src_uidvalidity != b->src_uidvalidity ||
	    !streq(a->dst_mailbox, b->dst_mailbox) ||
	    a->dst_uidvalidity != b->dst_uidvalidity || a->nitems != b->nitems)
		return 0;
	for (i = 0; i < a->nitems; i++) {
		if (a->items[i].src_uid != b->items[i].src_uid ||
		    a->items[i].dst_uid != b->items[i].dst_uid ||
		    !streq(a->items[i].message_id, b->items[i].message_id) ||
		    !streq(a->items[i].src_name, b->items[i].src_name) ||
		    !streq(a->items[i].dst_name, b->items[i].dst_name))
			return 0;
	}
	return 1;
}

static int
id_looks_right(const char *id)
{
	size_t	 i;

	if (id == NULL || strlen(id) != 21 || id[8] != 'T' || id[15] != 'Z' ||
	    id[16] != '-')
		return 0;
	for (i = 0; i < 21; i++) {
		if (i == 8 || i == 15 || i == 16)
			continue;
		if (i < 16 && (id[i] < '0' || id[i] > '9'))
			return 0;
		if (i > 16 && strchr("0123456789abcdef", id[i]) == NULL)
			return 0;
	}
	return 1;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*p;
	long	 n;

	*len = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = xmalloc((size_t)n + 1);
	*len = fread(p, 1, (size_t)n, f);
	p[*len] = '\0';
	fclose(f);
	return p;
}

static void
spit(const char *path, const char *p, size_t len)
{
	FILE	*f = fopen(path, "wb");

	if (f == NULL)
		return;
	fwrite(p, 1, len, f);
	fclose(f);
}

/* Lines starting with word. */
static size_t
count_lines(const char *path, const char *word)
{
	size_t	 len, n = 0, wl = strlen(word);
	char	*p, *s;

	if ((p = slurp(path, &len)) == NULL)
		return 0;
	for (s = p; s < p + len; s = strchr(s, '\n') + 1) {
		if (strncmp(s, word, wl) == 0)
			n++;
		if (strchr(s, '\n') == NULL)
			break;
	}
	free(p);
	return n;
}

static void
rm_rf(const char *path)
{
	char	*cmd = xasprintf("rm -rf '%s'", path);

	if (system(cmd) != 0)
		printf("# could not remove %s\n", path);
	free(cmd);
}

static struct journal_item imap_items[] = {
	{ 101, 9001, (char *)"<a1@example.jp>", NULL, NULL },
	{ 102, 0, NULL, NULL, NULL },
};

/* Hostile Message-IDs and Maildir names with every awkward byte. */
static struct journal_item md_items[] = {
	{ 0, 0, (char *)"<evil\r\nX-Injected: yes@x>",
	  (char *)"cur/1700000000.M1P2.host:2,S",
	  (char *)".Junk/cur/1700000000.M1P2.host:2,S" },
	{ 0, 0, (char *)"<100% 本物 @ 銀行>", (char *)"new/with space %41",
	  (char *)".迷惑メール/new/with space %41" },
	{ 0, 0, (char *)"-", (char *)"", (char *)"%" },
	{ 0, 0, (char *)"%2D", (char *)"a\tb\x01\x7f\xff", (char *)"--" },
};

static void
test_degenerate(const char *tmp)
{
	struct journal_batch	 b, *out = (struct journal_batch *)&b;
	char			*cause = NULL, *path;

	memset(&b, 0, sizeof b);
	t_ok(journal_append(NULL, &b, &cause) == -1 && cause != NULL,
	    "append to NULL path");
	free(cause);
	cause = NULL;
	path = xasprintf("%s/none/journal", tmp);
	t_ok(journal_append(path, NULL, &cause) == -1 && cause != NULL,
	    "append NULL batch");
	free(cause);
	cause = NULL;
	t_ok(journal_last(path, NULL, &out, &cause) == 0 && out == NULL,
	    "missing journal: no batch, no error");
	t_ok(journal_mark_undone(path, "x", &cause) == -1 && cause != NULL &&
	    access(path, F_OK) != 0, "mark_undone on a missing journal "
	    "fails without creating it: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	t_ok(journal_last(NULL, NULL, &out, &cause) == -1 && cause != NULL,
	    "last of NULL path");
	free(cause);
	cause = NULL;
	b.nitems = 3;			/* items NULL */
	t_ok(journal_append(path, &b, &cause) == -1 && cause != NULL,
	    "items count without array");
	free(cause);
	cause = NULL;
	journal_batch_free(NULL);
	free(path);
}

static void
test_basic(const char *tmp)
{
	struct journal_batch	 a, m, *out = NULL;
	struct stat		 st;
	char			*cause = NULL, *path, *dir, *firstid, *data;
	size_t			 len, cut, start;
	int			 all;

	dir = xasprintf("%s/state/sagi", tmp);
	path = xasprintf("%s/journal", dir);

	memset(&a, 0, sizeof a);
	a.when = 1795835700;			/* 2026-11-28T03:15:00Z */
	a.account = (char *)"imap://user@mail.example.jp:993";
	a.src_mailbox = (char *)"INBOX";
	a.src_uidvalidity = 1234;
	a.dst_mailbox = (char *)"Junk";
	a.dst_uidvalidity = 99;
	a.items = imap_items;
	a.nitems = SAGI_NITEMS(imap_items);
	t_ok(journal_append(path, &a, &cause) == 0, "append first batch: %s",
	    cause ? cause : "ok");
	t_ok(id_looks_right(a.id) && strncmp(a.id, "20261128T031500Z-", 17) == 0,
	    "id %s", a.id ? a.id : "(null)");
	t_ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "journal is 0600");
	t_ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700,
	    "parent directories are 0700");

	memset(&m, 0, sizeof m);
	m.account = (char *)"maildir:/home/u/メール dir";
	m.src_mailbox = (char *)"INBOX folder\nwith newline";
	m.dst_mailbox = NULL;
	m.items = md_items;
	m.nitems = SAGI_NITEMS(md_items);
	t_ok(journal_append(path, &m, &cause) == 0, "append second batch");
	t_ok(m.when != 0 && id_looks_right(m.id), "when set, id %s",
	    m.id ? m.id : "(null)");
	t_ok(a.id != NULL && m.id != NULL && strcmp(a.id, m.id) != 0,
	    "ids differ");
	t_int_eq(count_lines(path, ""), 2, "one line per batch");

	t_ok(journal_last(path, NULL, &out, &cause) == 0 && batch_eq(out, &m),
	    "last is the second, every field round-trips");
	t_ok(out != NULL && out->undone == 0, "not undone");
	journal_batch_free(out);
	t_ok(journal_last(path, a.account, &out, &cause) == 0 &&
	    batch_eq(out, &a), "account filter finds the first");
	journal_batch_free(out);
	t_ok(journal_last(path, "imap://other@x", &out, &cause) == 0 &&
	    out == NULL, "unknown account: none");

	/* Undo. */
	t_ok(journal_mark_undone(path, m.id, &cause) == 0, "mark undone");
	t_ok(journal_last(path, NULL, &out, &cause) == 0 && batch_eq(out, &a),
	    "after undo, last is the first");
	journal_batch_free(out);
	t_ok(journal_last(path, m.account, &out, &cause) == 0 && out == NULL,
	    "the undone batch's account has none left");
	t_ok(journal_mark_undone(path, "20000101T000000Z-0000", &cause) == -1 &&
	    cause != NULL, "unknown id: %s", cause ? cause : "");
	free(cause);
	cause = NULL;

	/* A torn third batch: every cut inside its line is skipped. */
	firstid = xstrdup(a.id);
	data = slurp(path, &start);
	a.when = -1;
	t_ok(journal_append(path, &a, &cause) == 0, "append third batch");
	free(data);
	data = slurp(path, &len);
	all = 1;
	for (cut = start; cut < len; cut++) {
		spit(path, data, cut);
		all &= journal_last(path, NULL, &out, &cause) == 0 &&
		    out != NULL && streq(out->id, firstid);
		journal_batch_free(out);
	}
	t_ok(all, "all %zu cuts of the last line: earlier batch found",
	    len - start);
	spit(path, data, len);
	t_ok(journal_last(path, NULL, &out, &cause) == 0 && out != NULL &&
	    out->when == -1 && streq(out->id, a.id), "whole again: third found");
	journal_batch_free(out);

	/* A write after a torn line cuts the torn part off. */
	spit(path, data, len - 10);
	a.when = INT64_MIN;
	t_ok(journal_append(path, &a, &cause) == 0, "append after a tear");
	free(data);
	data = slurp(path, &len);
	t_ok(len > 0 && data[len - 1] == '\n' && count_lines(path, "") == 4,
	    "torn line removed, file ends in a newline");
	t_ok(journal_last(path, NULL, &out, &cause) == 0 && batch_eq(out, &a),
	    "the new batch (when INT64_MIN) round-trips");
	journal_batch_free(out);

	/* A damaged byte in the middle of a line: that record is skipped. */
	data[len - 20] ^= 0x01;
	spit(path, data, len);
	t_ok(journal_last(path, a.account, &out, &cause) == 0 && out != NULL &&
	    streq(out->id, firstid), "corrupt newest line skipped");
	journal_batch_free(out);
	spit(path, "garbage\n\nbatch x\nundone\n", 24);
	t_ok(journal_last(path, NULL, &out, &cause) == 0 && out == NULL,
	    "garbage lines: nothing, no error");

	free(data);
	free(firstid);
	free(a.id);
	free(m.id);
	free(path);
	free(dir);
}

static void
test_rotation(const char *tmp)
{
	struct journal_batch	 b, *out = NULL;
	struct journal_item	 items[20];
	struct stat		 st;
	char			*cause = NULL, *path, *ids[400], mid[20][200];
	size_t			 i, j, n = 400, batches, undone;
	int			 ok = 1, contiguous;

	path = xasprintf("%s/rot/journal", tmp);
	memset(items, 0, sizeof items);
	for (j = 0; j < 20; j++) {
		memset(mid[j], 'm', sizeof mid[j] - 1);
		mid[j][sizeof mid[j] - 1] = '\0';
		items[j].src_uid = (uint32_t)j + 1;
		items[j].message_id = mid[j];
	}
	memset(&b, 0, sizeof b);
	b.account = (char *)"imap://u@h";
	b.src_mailbox = (char *)"INBOX";
	b.dst_mailbox = (char *)"Junk";
	b.items = items;
	b.nitems = 20;
	/* About 4.2 KB a batch: the file passes 1 MiB near batch 250. */
	for (i = 0; i < n && ok; i++) {
		b.id = NULL;
		b.when = 1700000000 + (int64_t)i;
		ok = journal_append(path, &b, &cause) == 0;
		ids[i] = b.id;
		if (ok && i % 7 == 0)
			ok = journal_mark_undone(path, ids[i], &cause) == 0;
	}
	t_ok(ok, "%zu appends with undo marks", n);
	t_ok(stat(path, &st) == 0 && st.st_size < JOURNAL_MAX_SIZE &&
	    (st.st_mode & 0777) == 0600, "rotated: %lld bytes, still 0600",
	    (long long)st.st_size);
	batches = count_lines(path, "batch ");
	undone = count_lines(path, "undone ");
	t_ok(batches >= JOURNAL_KEEP && batches < n,
	    "%zu batches kept, %zu undone marks", batches, undone);

	/* The kept batches are the newest, in order, undo marks intact. */
	contiguous = 1;
	for (i = n; i > n - batches && contiguous; i--) {
		if (journal_last(path, NULL, &out, &cause) != 0) {
			contiguous = 0;
			break;
		}
		if ((i - 1) % 7 == 0) {
			/* Was marked undone; last must not return it. */
			contiguous = out == NULL || !streq(out->id, ids[i - 1]);
			journal_batch_free(out);
			continue;
		}
		contiguous = out != NULL && streq(out->id, ids[i - 1]);
		journal_batch_free(out);
		if (contiguous)
			contiguous = journal_mark_undone(path, ids[i - 1],
			    &cause) == 0;
	}
	t_ok(contiguous, "newest %zu batches found newest first, undone "
	    "ones skipped", batches);
	t_ok(journal_last(path, NULL, &out, &cause) == 0 && out == NULL,
	    "older batches are gone");
	journal_batch_free(out);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(path);
}

/* Four writers at once: flock keeps every line whole. */
static void
test_concurrent(const char *tmp)
{
	struct journal_batch	 b;
	char			*path, *cause = NULL;
	pid_t			 pids[4];
	int			 i, k, st, ok = 1;

	path = xasprintf("%s/conc/journal", tmp);
	for (i = 0; i < 4; i++) {
		if ((pids[i] = fork()) == 0) {
			memset(&b, 0, sizeof b);
			b.account = (char *)"imap://u@h";
			b.items = imap_items;
			b.nitems = SAGI_NITEMS(imap_items);
			for (k = 0; k < 50; k++) {
				b.id = NULL;
				if (journal_append(path, &b, &cause) != 0)
					_exit(1);
				free(b.id);
			}
			/* The child's copy is its own (memcheck checks it). */
			free(path);
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		if (pids[i] == -1 || waitpid(pids[i], &st, 0) != pids[i] ||
		    !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			ok = 0;
	}
	t_ok(ok, "four concurrent writers succeed");
	t_int_eq(count_lines(path, "batch "), 200, "200 whole batch lines");
	free(path);
}

int
main(void)
{
	char	 tmp[] = "/tmp/sagi-test-journal.XXXXXX";

	if (mkdtemp(tmp) == NULL)
		return 99;
	test_degenerate(tmp);
	test_basic(tmp);
	test_rotation(tmp);
	test_concurrent(tmp);
	rm_rf(tmp);
	return t_done();
}
