/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for store-maildir: listing, fetching, junk moves and undo on
 * temporary Maildirs.  Every step ends by counting the message files in the
 * whole tree, so a lost (or duplicated) message fails the test.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "source.h"
#include "store-int.h"
#include "t.h"
#include "xalloc.h"

#define PLAIN(n)	"Message-ID: <m" #n "@example.jp>\n"		\
			"From: x@example.jp\nSubject: message " #n "\n"	\
			"\nbody " #n "\n"

/* clang-format off */
static const struct {
	const char	*name;		/* relative to the Maildir */
	const char	*text;
	const char	*subject;	/* as listed */
	unsigned int	 flags;
} fixtures[] = {
	{ "new/1700000001.M1P1.test",
	  "Message-ID: <m1@example.jp>\nFrom: Alice <alice@example.jp>\n"
	  "Subject: hello\nDate: Tue, 14 Nov 2023 22:13:20 +0000\n\nbody 1\n",
	  "hello", 0 },
	/* ISO-2022-JP in an encoded word */
	{ "new/1700000002.M2P2.test",
	  "Message-ID: <m2@example.jp>\nFrom: bank@example.jp\nSubject: "
	  "=?ISO-2022-JP?B?GyRCIVo9RU1XIVs4fTpCM05HJxsoQg==?=\n\nbody 2\n",
	  "【重要】口座確認", 0 },
	/* no Message-ID; CRLF line ends */
	{ "new/1700000003.M3P3.test",
	  "From: noid@example.jp\r\nSubject: no id\r\n\r\nbody 3\r\n",
	  "no id", 0 },
	{ "cur/1700000004.M4P4.test:2,S", PLAIN(4), "message 4", STORE_SEEN },
	{ "cur/1700000005.M5P5.test:2,RS", PLAIN(5), "message 5",
	  STORE_ANSWERED | STORE_SEEN },
	{ "cur/1700000006.M6P6.test:2,FS", PLAIN(6), "message 6",
	  STORE_FLAGGED | STORE_SEEN },
	{ "cur/1700000007.M7P7.test:2,T", PLAIN(7), "message 7",
	  STORE_DELETED },
	{ "cur/1700000008.M8P8.test:2,", PLAIN(8), "message 8", 0 },
	{ "cur/1700000009.M9P9.test:2,S", PLAIN(9), "message 9", STORE_SEEN },
	{ "cur/1700000010.M10P10.test:2,S", PLAIN(10), "message 10",
	  STORE_SEEN },
};
/* clang-format on */

static char	top[] = "/tmp/sagi-test-store-maildir.XXXXXX";
static char	mail[256], journal[256];

struct prog {
	const char	*cancel_phase;	/* NULL: never cancel */
	size_t		 cancel_at;
	size_t		 calls;
	int		 saw_listing;
};

static int
progress(void *ctx, const char *phase, size_t done, size_t total)
{
	struct prog	*p = ctx;

	(void)total;
	p->calls++;
	if (strcmp(phase, "listing") == 0)
		p->saw_listing = 1;
	return p->cancel_phase != NULL && strcmp(phase, p->cancel_phase) == 0 &&
	    done >= p->cancel_at;
}

static const char *
at(const char *dir, const char *rel)
{
	static char	 bufs[4][1024];
	static int	 next;
	char		*b = bufs[next++ % 4];

	snprintf(b, sizeof bufs[0], "%s/%s", dir, rel);
	return b;
}

static void
put(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(99);
	}
	fputs(text, f);
	fclose(f);
}

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*s;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = xcalloc(1, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		s[0] = '\0';
	fclose(f);
	return s;
}

static void
mkmd(const char *dir)
{
	mkdir(dir, 0700);
	mkdir(at(dir, "cur"), 0700);
	mkdir(at(dir, "new"), 0700);
	mkdir(at(dir, "tmp"), 0700);
}

static int
exists(const char *dir, const char *rel)
{
	struct stat	 sb;

	return lstat(at(dir, rel), &sb) == 0;
}

/* Regular files in every cur/ and new/ under dir. */
static size_t
count_msgs(const char *dir)
{
	const char	*leaf = strrchr(dir, '/');
	int		 box = leaf != NULL && (strcmp(leaf, "/cur") == 0 ||
			    strcmp(leaf, "/new") == 0);
	struct dirent	*de;
	struct stat	 sb;
	char		 p[1024];
	size_t		 n = 0;
	DIR		*d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		if (lstat(p, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			n += count_msgs(p);
		else if (box && S_ISREG(sb.st_mode))
			n++;
	}
	closedir(d);
	return n;
}

static void
check_total(size_t want, const char *step)
{
	t_int_eq(count_msgs(top), want, "no message lost or doubled: %s", step);
}

static struct store *
open_md(const char *path, const char *junk, int create, struct prog *p)
{
	struct store_opts	 o;
	struct store		*st;
	char			*cause = NULL;

	memset(&o, 0, sizeof o);
	o.journal_path = journal;
	o.create_junk = create;
	if (p != NULL) {
		o.progress = progress;
		o.progress_ctx = p;
	}
	st = store_open_maildir(path, junk, &o, &cause);
	if (st == NULL) {
		printf("# open %s: %s\n", path, cause);
		free(cause);
		return NULL;
	}
	if (store_list(st, &cause) != 0) {
		printf("# list %s: %s\n", path, cause);
		free(cause);
	}
	return st;
}

static uint32_t
uid_of(struct store *st, const char *subject)
{
	struct store_entry	*e;
	size_t			 i;

	for (i = 0; (e = store_entry_at(st, i)) != NULL; i++) {
		if (e->subject != NULL && strcmp(e->subject, subject) == 0)
			return e->uid;
	}
	return 0;
}

static int
has_note(const struct store_move_report *rep, const char *part)
{
	size_t	 i;

	for (i = 0; i < rep->nnotes; i++) {
		if (strstr(rep->notes[i], part) != NULL)
			return 1;
	}
	return 0;
}

static void
test_degenerate(void)
{
	struct store		*st;
	char			*cause = NULL;
	static const char	*bad_junk[] = {
		"a/b", "..", ".", "..x", "x\ny"
	};
	size_t			 i;

	st = store_open_maildir(NULL, NULL, NULL, &cause);
	t_ok(st == NULL && cause != NULL, "NULL path is an error");
	free(cause);
	cause = NULL;
	st = store_open_maildir("/nonexistent/sagi", NULL, NULL, &cause);
	t_ok(st == NULL && cause != NULL, "missing path is an error");
	free(cause);
	cause = NULL;
	put(at(top, "file"), "Subject: x\n\nx\n");
	st = store_open_maildir(at(top, "file"), NULL, NULL, &cause);
	t_ok(st == NULL && cause != NULL && strstr(cause, "not a Maildir"),
	    "a file is not a Maildir");
	free(cause);
	cause = NULL;
	unlink(at(top, "file"));
	mkdir(at(top, "plain"), 0700);
	mkdir(at(top, "plain/new"), 0700);
	st = store_open_maildir(at(top, "plain"), NULL, NULL, &cause);
	t_ok(st == NULL && cause != NULL && strstr(cause, "not a Maildir"),
	    "a directory without cur/ is not a Maildir");
	free(cause);
	cause = NULL;
	rmdir(at(top, "plain/new"));
	rmdir(at(top, "plain"));
	for (i = 0; i < SAGI_NITEMS(bad_junk); i++) {
		st = store_open_maildir(mail, bad_junk[i], NULL, &cause);
		t_ok(st == NULL && cause != NULL,
		    "junk folder name %zu refused", i);
		free(cause);
		cause = NULL;
	}
	store_close(NULL);
}

static void
test_list_fetch(size_t total)
{
	struct prog		 pr;
	struct store		*st;
	struct store_entry	*e;
	char			*data, *cause = NULL, *real, *want;
	size_t			 i, len;

	memset(&pr, 0, sizeof pr);
	st = open_md(mail, NULL, 0, &pr);
	t_ok(st != NULL, "Maildir opens");
	if (st == NULL)
		return;
	real = realpath(mail, NULL);
	want = xasprintf("maildir:%s", real);
	t_str_eq(store_name(st), want, "store name");
	free(want);
	free(real);
	t_str_eq(store_folder(st), "INBOX", "the root is INBOX");
	t_str_eq(store_junk_folder(st, &cause), "Junk", "junk folder found");
	t_ok(pr.saw_listing, "listing reports progress");
	t_int_eq(store_count(st), SAGI_NITEMS(fixtures),
	    "every message listed, dotfile and tmp/ skipped");
	for (i = 0; i < SAGI_NITEMS(fixtures); i++) {
		e = store_entry_at(st, i);
		if (e == NULL)
			break;
		t_int_eq(e->uid, i + 1, "uid %zu in name order", i + 1);
		t_str_eq(e->subject, fixtures[i].subject, "subject of %zu",
		    i + 1);
		t_int_eq(e->flags, fixtures[i].flags, "flags of %zu", i + 1);
		t_int_eq(e->size, strlen(fixtures[i].text), "size of %zu",
		    i + 1);
	}
	e = store_entry_find(st, 1);
	t_str_eq(e->message_id, "m1@example.jp", "Message-ID without <>");
	t_str_eq(e->from, "Alice", "From display name");
	t_int_eq(e->date, 1700000000, "Date: header parsed");
	t_ok(store_entry_find(st, 3)->message_id == NULL, "no Message-ID");
	t_ok(store_entry_find(st, 3)->date > 0, "no Date: falls back to mtime");

	t_int_eq(store_fetch(st, 1, &data, &len, &cause), 0, "fetch");
	t_ok(data != NULL && len == strlen(fixtures[0].text) &&
	    memcmp(data, fixtures[0].text, len) == 0, "fetch returns the file");
	free(data);
	t_int_eq(store_fetch(st, 999, &data, &len, &cause), -1,
	    "fetch of an unknown uid fails");
	t_ok(cause != NULL && data == NULL, "with a cause");
	free(cause);
	cause = NULL;

	/* Another client reads message 1 and 8: new/ to cur/, flags added. */
	rename(at(mail, fixtures[0].name),
	    at(mail, "cur/1700000001.M1P1.test:2,S"));
	rename(at(mail, fixtures[7].name),
	    at(mail, "cur/1700000008.M8P8.test:2,S"));
	t_int_eq(store_fetch(st, 8, &data, &len, &cause), 0,
	    "fetch after a flag rename by another client");
	t_ok(data != NULL && strcmp(data, fixtures[7].text) == 0,
	    "the renamed file is read");
	free(data);
	t_int_eq(store_fetch(st, 1, &data, &len, &cause), 0,
	    "fetch after a move from new/ to cur/");
	free(data);

	/* A verdict-like result carries over a re-list, by unique name. */
	store_entry_find(st, 5)->error = xstrdup("kept");
	t_int_eq(store_list(st, &cause), 0, "re-list");
	t_int_eq(store_count(st), SAGI_NITEMS(fixtures), "same count");
	e = store_entry_find(st, 8);
	t_ok(e != NULL && strcmp(e->subject, "message 8") == 0 &&
	    e->flags == STORE_SEEN, "renamed file keeps its uid, new flags");
	e = store_entry_find(st, 5);
	t_ok(e != NULL && e->error != NULL && strcmp(e->error, "kept") == 0,
	    "entry data carried over the re-list");
	t_int_eq(store_mark_not_junk(st, 1, &cause), 0,
	    "mark-not-junk is a no-op on Maildir");
	store_close(st);
	check_total(total, "list and fetch");
}

static void
sink(void *ctx, uint32_t uid, char *data, size_t len, char *error)
{
	int	*counts = ctx;

	(void)uid;
	(void)len;
	counts[data != NULL ? 0 : 1]++;
	t_ok((data == NULL) != (error == NULL), "sink gets data or error");
	free(data);
	free(error);
}

static void
test_fetch_batch(void)
{
	static const uint32_t	 uids[] = { 1, 3, 999 };
	struct store		*st = open_md(mail, NULL, 0, NULL);
	int			 counts[2] = { 0, 0 };
	char			*cause = NULL;

	if (st == NULL)
		return;
	t_int_eq(st->ops->fetch_batch(st, uids, 3, sink, counts, &cause), 0,
	    "fetch_batch: one bad uid does not fail the mailbox");
	t_int_eq(counts[0], 2, "two messages fetched");
	t_int_eq(counts[1], 1, "one error");
	store_close(st);
}

static void
test_junk_undo(size_t total)
{
	struct store_move_report	 rep;
	struct journal_batch		*b = NULL;
	struct store			*st;
	uint32_t			 uids[3];
	char				*cause = NULL, *id = NULL, *name;

	st = open_md(mail, NULL, 0, NULL);
	if (st == NULL)
		return;
	uids[0] = uid_of(st, fixtures[1].subject);
	uids[1] = uid_of(st, "message 4");
	uids[2] = uid_of(st, "message 6");
	t_int_eq(store_junk(st, uids, 3, &rep, &cause), 0, "junk 3 messages");
	t_int_eq(rep.requested, 3, "requested");
	t_int_eq(rep.moved, 3, "moved");
	t_int_eq(rep.failed, 0, "failed");
	t_str_eq(rep.dst, "Junk", "report names the junk folder");
	t_ok(rep.nnotes == 1 && strcmp(rep.notes[0], "3 moved to Junk") == 0,
	    "one note per chunk");
	t_ok(rep.journal_id != NULL, "journalled");
	id = rep.journal_id != NULL ? xstrdup(rep.journal_id) : NULL;
	store_move_report_clear(&rep);
	t_ok(exists(mail, ".Junk/new/1700000002.M2P2.test") &&
	    exists(mail, ".Junk/cur/1700000004.M4P4.test:2,S") &&
	    exists(mail, ".Junk/cur/1700000006.M6P6.test:2,FS"),
	    "files are in .Junk, cur/ or new/ as before, same names");
	t_ok(!exists(mail, fixtures[1].name) && !exists(mail, fixtures[3].name)
	    && !exists(mail, fixtures[5].name), "and gone from the source");
	t_int_eq(store_count(st), SAGI_NITEMS(fixtures) - 3, "entries removed");
	t_ok(store_entry_find(st, uids[0]) == NULL, "moved uid not found");
	t_int_eq(journal_last(journal, store_name(st), &b, &cause), 0,
	    "journal readable");
	t_ok(b != NULL && id != NULL && strcmp(b->id, id) == 0 &&
	    b->nitems == 3, "journal holds the batch");
	if (b != NULL && b->nitems == 3) {
		t_str_eq(b->account, store_name(st), "batch account");
		t_str_eq(b->src_mailbox, "INBOX", "batch source");
		t_str_eq(b->dst_mailbox, "Junk", "batch destination");
		t_str_eq(b->items[0].src_name, "new/1700000002.M2P2.test",
		    "item source name, relative to the root");
		t_str_eq(b->items[0].dst_name,
		    ".Junk/new/1700000002.M2P2.test", "item destination name");
		t_str_eq(b->items[0].message_id, "m2@example.jp",
		    "item Message-ID");
	}
	journal_batch_free(b);
	b = NULL;
	store_close(st);
	check_total(total, "junk");

	/* Undo from another process: a fresh store. */
	st = open_md(mail, NULL, 0, NULL);
	if (st == NULL)
		return;
	t_int_eq(store_undo(st, &rep, &cause), 0, "undo in a new store");
	t_int_eq(rep.moved, 3, "three moved back");
	t_int_eq(rep.failed, 0, "none failed");
	t_str_eq(rep.dst, "INBOX", "back to INBOX");
	t_str_eq(rep.journal_id, id, "the same batch");
	store_move_report_clear(&rep);
	t_ok(exists(mail, fixtures[1].name) && exists(mail, fixtures[3].name) &&
	    exists(mail, fixtures[5].name), "files back under their names");
	t_int_eq(journal_last(journal, store_name(st), &b, &cause), 0,
	    "journal readable");
	t_ok(b == NULL, "batch marked undone");
	journal_batch_free(b);
	t_int_eq(store_undo(st, &rep, &cause), -1, "second undo");
	t_str_eq(cause, "nothing to undo", "finds nothing");
	free(cause);
	cause = NULL;
	store_move_report_clear(&rep);
	t_int_eq(store_list(st, &cause), 0, "re-list after undo");
	t_int_eq(store_count(st), SAGI_NITEMS(fixtures), "all listed again");
	store_close(st);
	free(id);
	check_total(total, "undo");

	/* The target name exists in Junk: refused, neither file touched. */
	put(at(mail, ".Junk/cur/1700000005.M5P5.test:2,RS"),
	    "Subject: other\n\nnot the same\n");
	total++;
	st = open_md(mail, NULL, 0, NULL);
	if (st == NULL)
		return;
	uids[0] = uid_of(st, "message 5");
	uids[1] = uid_of(st, "message 9");
	t_int_eq(store_junk(st, uids, 2, &rep, &cause), -1,
	    "junk with a name taken in Junk");
	t_ok(cause != NULL, "with a cause");
	free(cause);
	cause = NULL;
	t_int_eq(rep.moved, 1, "one moved");
	t_int_eq(rep.failed, 1, "one refused");
	t_ok(has_note(&rep, "already holds"), "note says why");
	store_move_report_clear(&rep);
	t_ok(exists(mail, fixtures[4].name), "refused message still in place");
	name = slurp(at(mail, ".Junk/cur/1700000005.M5P5.test:2,RS"));
	t_str_eq(name, "Subject: other\n\nnot the same\n",
	    "file in Junk not overwritten");
	free(name);
	t_ok(exists(mail, ".Junk/cur/1700000009.M9P9.test:2,S"),
	    "the other one moved");
	t_ok(store_entry_find(st, uids[0]) != NULL &&
	    store_entry_find(st, uids[1]) == NULL,
	    "only the moved one removed");
	check_total(total, "junk with a taken name");
	t_int_eq(store_undo(st, &rep, &cause), 0, "undo it");
	t_int_eq(rep.moved, 1, "the batch held only the moved one");
	store_move_report_clear(&rep);
	t_ok(exists(mail, fixtures[8].name), "back in place");
	unlink(at(mail, ".Junk/cur/1700000005.M5P5.test:2,RS"));
	total--;
	store_close(st);
	check_total(total, "undo after a refusal");

	/*
	 * While in Junk, one message is read by another client (new/ to cur/,
	 * flag S) and the other's old name is taken in INBOX.
	 */
	st = open_md(mail, NULL, 0, NULL);
	if (st == NULL)
		return;
	uids[0] = uid_of(st, "no id");
	uids[1] = uid_of(st, "message 10");
	t_int_eq(store_junk(st, uids, 2, &rep, &cause), 0, "junk two more");
	store_move_report_clear(&rep);
	rename(at(mail, ".Junk/new/1700000003.M3P3.test"),
	    at(mail, ".Junk/cur/1700000003.M3P3.test:2,S"));
	put(at(mail, fixtures[9].name), "Subject: impostor\n\nx\n");
	total++;
	check_total(total, "junk before a tricky undo");
	store_close(st);
	st = open_md(mail, NULL, 0, NULL);
	if (st == NULL)
		return;
	t_int_eq(store_undo(st, &rep, &cause), 0, "tricky undo");
	t_int_eq(rep.moved, 2, "both moved back");
	t_ok(has_note(&rep, "both kept"), "the collision is noted");
	store_move_report_clear(&rep);
	t_ok(exists(mail, "cur/1700000003.M3P3.test:2,S"),
	    "renamed file found by its unique part, back in cur/ with S");
	t_ok(exists(mail, "cur/1700000010.M10P10.test-sagi1:2,S") &&
	    exists(mail, fixtures[9].name), "collision: both kept");
	check_total(total, "tricky undo");
	/* Tidy: drop the impostor and put the originals back as they were. */
	unlink(at(mail, fixtures[9].name));
	total--;
	rename(at(mail, "cur/1700000010.M10P10.test-sagi1:2,S"),
	    at(mail, fixtures[9].name));
	rename(at(mail, "cur/1700000003.M3P3.test:2,S"),
	    at(mail, fixtures[2].name));
	store_close(st);
	check_total(total, "tidied");
}

static void
test_japanese_junk(size_t total)
{
	/* 迷惑メール as Dovecot spells it on disk (modified UTF-7). */
	static const char	*mutf7 = ".&j,dg0TDhMPww6w-";
	struct store_move_report rep;
	struct store		*st;
	uint32_t		 uid;
	char			*cause = NULL;

	mkmd(at(mail, mutf7));
	st = open_md(mail, "迷惑メール", 0, NULL);
	if (st == NULL)
		return;
	t_str_eq(store_junk_folder(st, &cause), "迷惑メール",
	    "Japanese junk folder found under its modified UTF-7 name");
	uid = uid_of(st, "message 7");
	t_int_eq(store_junk(st, &uid, 1, &rep, &cause), 0, "junk into it");
	t_str_eq(rep.dst, "迷惑メール", "report names it in UTF-8");
	store_move_report_clear(&rep);
	t_ok(exists(at(mail, mutf7), "cur/1700000007.M7P7.test:2,T"),
	    "file is in the modified UTF-7 folder");
	t_int_eq(store_undo(st, &rep, &cause), 0, "undo");
	store_move_report_clear(&rep);
	t_ok(exists(mail, fixtures[6].name), "back");
	store_close(st);
	check_total(total, "Japanese junk folder");
}

static void
test_create_junk(void)
{
	struct store_move_report rep;
	struct store		*st;
	char			 md2[512];
	uint32_t		 uid = 1;
	char			*cause = NULL;
	size_t			 total;

	snprintf(md2, sizeof md2, "%s/Mail2", top);
	mkmd(md2);
	put(at(md2, "new/1700000001.M1P9.test"), PLAIN(1));
	put(at(md2, "cur/1700000002.M2P9.test:2,S"), PLAIN(2));
	total = count_msgs(top);

	st = open_md(md2, NULL, 0, NULL);
	if (st == NULL)
		return;
	t_ok(store_junk_folder(st, &cause) == NULL && cause != NULL &&
	    strstr(cause, "--create-junk") != NULL,
	    "no junk folder: NULL and a cause naming --create-junk");
	free(cause);
	cause = NULL;
	t_int_eq(store_junk(st, &uid, 1, &rep, &cause), -1,
	    "junk without a junk folder is refused");
	t_ok(cause != NULL && strstr(cause, "--create-junk") != NULL,
	    "cause says how");
	free(cause);
	cause = NULL;
	t_int_eq(rep.failed, 1, "counted as failed");
	store_move_report_clear(&rep);
	t_ok(exists(md2, "new/1700000001.M1P9.test") && !exists(md2, ".Junk"),
	    "nothing moved, nothing created");
	store_close(st);
	check_total(total, "refused junk");

	st = open_md(md2, ".Spam", 1, NULL);
	if (st == NULL)
		return;
	t_str_eq(store_junk_folder(st, &cause), "Spam",
	    "create_junk: the folder that will be created");
	t_int_eq(store_junk(st, &uid, 1, &rep, &cause), 0,
	    "junk with create_junk");
	store_move_report_clear(&rep);
	t_ok(exists(md2, ".Spam/cur") && exists(md2, ".Spam/new") &&
	    exists(md2, ".Spam/tmp") && exists(md2, ".Spam/maildirfolder"),
	    "Maildir++ folder created");
	t_ok(exists(md2, ".Spam/new/1700000001.M1P9.test"), "message in it");
	store_close(st);
	check_total(total, "junk into a created folder");

	st = open_md(md2, "ゴミ", 1, NULL);
	if (st == NULL)
		return;
	uid = uid_of(st, "message 2");
	t_int_eq(store_junk(st, &uid, 1, &rep, &cause), 0,
	    "junk into a new Japanese folder");
	store_move_report_clear(&rep);
	t_ok(exists(md2, ".ゴミ/cur/1700000002.M2P9.test:2,S"),
	    "created with its UTF-8 name");
	store_close(st);
	check_total(total, "junk into a created Japanese folder");
}

static void
test_subfolder(size_t total)
{
	struct store_move_report rep;
	struct journal_batch	*b = NULL;
	struct store		*st, *root;
	char			 lists[512], *cause = NULL, *real, *want;
	uint32_t		 uid;

	snprintf(lists, sizeof lists, "%s/.Lists", mail);
	mkmd(lists);
	put(at(lists, "cur/1700000100.M100P1.test:2,S"), PLAIN(100));
	put(at(lists, "new/1700000101.M101P1.test"), PLAIN(101));
	total += 2;
	st = open_md(lists, NULL, 0, NULL);
	if (st == NULL)
		return;
	t_str_eq(store_folder(st), "Lists", "subfolder display name");
	real = realpath(lists, NULL);
	want = xasprintf("maildir:%s", real);
	t_str_eq(store_name(st), want, "subfolder store name");
	free(want);
	free(real);
	t_int_eq(store_count(st), 2, "subfolder listed alone");
	uid = uid_of(st, "message 100");
	t_int_eq(store_junk(st, &uid, 1, &rep, &cause), 0, "junk from it");
	store_move_report_clear(&rep);
	t_ok(exists(mail, ".Junk/cur/1700000100.M100P1.test:2,S"),
	    "into the root's .Junk");
	journal_last(journal, store_name(st), &b, &cause);
	t_ok(b != NULL && b->nitems == 1, "one item journalled");
	if (b != NULL && b->nitems == 1)
		t_str_eq(b->items[0].src_name,
		    ".Lists/cur/1700000100.M100P1.test:2,S",
		    "journal names it relative to the root");
	journal_batch_free(b);
	store_close(st);
	check_total(total, "junk from a subfolder");

	root = open_md(mail, NULL, 0, NULL);
	if (root != NULL) {
		t_int_eq(store_undo(root, &rep, &cause), -1,
		    "INBOX does not undo the subfolder's batch");
		free(cause);
		cause = NULL;
		store_move_report_clear(&rep);
		store_close(root);
	}
	st = open_md(lists, NULL, 0, NULL);
	if (st == NULL)
		return;
	t_int_eq(store_undo(st, &rep, &cause), 0, "undo in the subfolder");
	store_move_report_clear(&rep);
	t_ok(exists(lists, "cur/1700000100.M100P1.test:2,S"), "back in .Lists");
	store_close(st);
	check_total(total, "undo into a subfolder");
}

static void
test_big(void)
{
	struct store_move_report rep;
	struct store		*st;
	struct prog		 pr;
	char			 big[512], rel[64], *cause = NULL;
	uint32_t		*uids;
	size_t			 i, n = 600, total;

	snprintf(big, sizeof big, "%s/Big", top);
	mkmd(big);
	mkmd(at(big, ".Junk"));
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof rel, "new/%010zu.M%zuP1.test",
		    1700000000 + i, i);
		put(at(big, rel), "Subject: bulk\n\nx\n");
	}
	total = count_msgs(top);
	uids = xcalloc(n, sizeof *uids);
	for (i = 0; i < n; i++)
		uids[i] = (uint32_t)i + 1;

	st = open_md(big, NULL, 0, NULL);
	if (st == NULL)
		return;
	t_int_eq(store_count(st), n, "600 listed");
	t_int_eq(store_junk(st, uids, n, &rep, &cause), 0, "junk 600");
	t_ok(rep.nnotes == 2 && strcmp(rep.notes[0], "500 moved to Junk") == 0
	    && strcmp(rep.notes[1], "100 moved to Junk") == 0,
	    "a note per chunk of 500");
	store_move_report_clear(&rep);
	check_total(total, "junk 600");
	t_int_eq(store_undo(st, &rep, &cause), 0, "undo 600");
	t_int_eq(rep.moved, n, "600 back");
	store_move_report_clear(&rep);
	store_close(st);
	check_total(total, "undo 600");

	/* Cancelled while listing: an error, nothing listed. */
	memset(&pr, 0, sizeof pr);
	pr.cancel_phase = "listing";
	pr.cancel_at = 256;
	st = open_md(big, NULL, 0, &pr);
	if (st == NULL)
		return;
	t_int_eq(store_count(st), 0, "cancelled listing lists nothing");
	t_int_eq(store_list(st, &cause), -1, "cancelled listing fails");
	t_str_eq(cause, "cancelled", "with cause cancelled");
	free(cause);
	cause = NULL;
	store_close(st);

	/* Cancelled while moving: what moved stays moved and journalled. */
	memset(&pr, 0, sizeof pr);
	pr.cancel_phase = "moving";
	pr.cancel_at = 256;
	st = open_md(big, NULL, 0, &pr);
	if (st == NULL)
		return;
	t_int_eq(store_junk(st, uids, n, &rep, &cause), -1, "cancelled junk");
	t_str_eq(cause, "cancelled", "with cause cancelled");
	free(cause);
	cause = NULL;
	t_int_eq(rep.moved, 256, "256 moved before the cancel");
	t_int_eq(rep.failed, n - 256, "the rest counted as not moved");
	t_ok(rep.journal_id != NULL, "journalled");
	store_move_report_clear(&rep);
	t_int_eq(count_msgs(at(big, ".Junk")), 256, "256 files in Junk");
	t_int_eq(store_count(st), n - 256, "moved entries removed");
	store_close(st);
	check_total(total, "cancelled junk");

	st = open_md(big, NULL, 0, NULL);
	if (st == NULL)
		return;
	t_int_eq(store_undo(st, &rep, &cause), 0, "undo the cancelled batch");
	t_int_eq(rep.moved, n, "all 600 in INBOX afterwards");
	t_ok(has_note(&rep, "256 moved back to INBOX") &&
	    has_note(&rep, "344 already in INBOX"), "notes tell them apart");
	store_move_report_clear(&rep);
	t_int_eq(count_msgs(at(big, "new")), n, "every file back in new/");
	store_close(st);
	check_total(total, "undo of a cancelled junk");
	free(uids);
}

static void
test_oversized(void)
{
	struct store	*st;
	char		 dir[512], *data = NULL, *cause = NULL;
	size_t		 len;
	int		 fd;

	snprintf(dir, sizeof dir, "%s/Huge", top);
	mkmd(dir);
	fd = open(at(dir, "new/1700000001.M1P1.test"), O_WRONLY | O_CREAT,
	    0600);
	if (fd == -1 || write(fd, "Subject: huge\n", 14) != 14 ||
	    ftruncate(fd, (off_t)SOURCE_MAX_MESSAGE + 1) != 0) {
		t_skip(3, "cannot make a sparse file");
		if (fd != -1)
			close(fd);
		return;
	}
	close(fd);
	st = open_md(dir, NULL, 0, NULL);
	if (st == NULL)
		return;
	t_int_eq(store_count(st), 1, "an oversized message is listed");
	t_int_eq(store_fetch(st, 1, &data, &len, &cause), -1,
	    "but not fetched");
	t_ok(cause != NULL && strstr(cause, "larger than") != NULL,
	    "cause says why");
	free(cause);
	store_close(st);
}

int
main(void)
{
	char	 cmd[600];
	size_t	 i, total;

	if (mkdtemp(top) == NULL)
		return 99;
	snprintf(mail, sizeof mail, "%s/Mail", top);
	snprintf(journal, sizeof journal, "%s/state/journal", top);
	mkmd(mail);
	mkmd(at(mail, ".Junk"));
	for (i = 0; i < SAGI_NITEMS(fixtures); i++)
		put(at(mail, fixtures[i].name), fixtures[i].text);
	put(at(mail, "new/.hidden"), "not a message");
	put(at(mail, "tmp/1700000099.M99P1.test"), PLAIN(99));
	total = count_msgs(top);

	test_degenerate();
	test_list_fetch(total);
	test_fetch_batch();
	test_junk_undo(total);
	test_japanese_junk(total);
	test_subfolder(total);
	test_create_junk();
	test_big();
	test_oversized();

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 99;
	return t_done();
}
