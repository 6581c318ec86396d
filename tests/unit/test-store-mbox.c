/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the mbox store (core/store-mbox.c) over files built in a
 * temporary directory: what is not an mbox, listing with flags from
 * Status/X-Status, ">From " unquoting (the same bytes sagi scan reads
 * through core/source.c), the listed callback in batches, classification
 * with the real rule packs over the demo mail, refused moves that leave
 * the file untouched, and uids across a file that grew or was replaced.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "buf.h"
#include "diag.h"
#include "source.h"
#include "store.h"
#include "t.h"
#include "xalloc.h"

#define READ_ONLY	"mbox is read-only in sagi: nothing is moved or " \
			"marked (convert it to a Maildir to junk mail)"

static char	*dir;

static char *
path_in(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void
write_file(const char *path, const char *data, size_t len, const char *mode)
{
	FILE	*f = fopen(path, mode);

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(99);
	}
}

static char *
read_all(const char *path, size_t *len)
{
	struct buf	 b;
	char		 chunk[4096];
	size_t		 n;
	FILE		*f = fopen(path, "rb");

	buf_init(&b);
	while (f != NULL && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	if (f != NULL)
		fclose(f);
	*len = b.len;
	return buf_take(&b);
}

/* The listed callback's side: how often, and how many entries. */
struct seen {
	size_t	 calls;
	size_t	 entries;
	int	 named;		/* every entry had a from and a subject */
};

static void
on_listed(void *ctx, const struct store_entry *e, size_t n)
{
	struct seen	*s = ctx;
	size_t		 i;

	s->calls++;
	s->entries += n;
	for (i = 0; i < n; i++) {
		if (e[i].from == NULL || e[i].subject == NULL || e[i].uid == 0)
			s->named = 0;
	}
}

static struct store *
open_mbox(const char *path, char **cause)
{
	struct store_opts	 o;

	memset(&o, 0, sizeof o);
	o.jobs = 2;
	return store_open_mbox(path, &o, cause);
}

static const char three[] =
    "From alice@example.jp Mon Jan  1 00:00:00 2024\n"
    "From: Alice <alice@example.jp>\n"
    "Subject: first\n"
    "Message-ID: <one@example.jp>\n"
    "Date: Mon, 1 Jan 2024 09:00:00 +0900\n"
    "Status: RO\n"
    "\n"
    "hello\n"
    "\n"
    "From bob@example.jp Tue Jan  2 00:00:00 2024\n"
    "From: Bob <bob@example.jp>\n"
    "Subject: second\n"
    "Message-ID: <two@example.jp>\n"
    "\n"
    ">From the start, a quoted line\n"
    ">>From deeper\n"
    "From inside a paragraph, not after a blank line\n"
    "\n"
    "From carol@example.jp Wed Jan  3 00:00:00 2024\n"
    "From: =?UTF-8?B?5L2Q6Jek?= <carol@example.jp>\n"
    "Subject: third\n"
    "X-Status: F\n"
    "\n"
    "bye\n";

static void
test_degenerate(void)
{
	struct store	*st;
	char		*cause = NULL, *p;

	st = open_mbox("/nonexistent/mbox", &cause);
	t_ok(st == NULL && cause != NULL, "a missing file: NULL and a cause");
	free(cause);
	cause = NULL;
	st = open_mbox(dir, &cause);
	t_ok(st == NULL && cause != NULL && strstr(cause, "regular") != NULL,
	    "a directory is not an mbox (%s)", cause != NULL ? cause : "");
	free(cause);
	cause = NULL;
	p = path_in("plain.eml");
	write_file(p, "Subject: x\n\nhi\n", 15, "w");
	st = open_mbox(p, &cause);
	t_ok(st == NULL && cause != NULL && strstr(cause, "not an mbox") !=
	    NULL, "a file not starting with \"From \" is refused");
	free(cause);
	cause = NULL;
	free(p);
	p = path_in("empty");
	write_file(p, "", 0, "w");
	st = open_mbox(p, &cause);
	t_ok(st != NULL && store_list(st, &cause) == 0 && store_count(st) == 0,
	    "an empty file is an empty mbox");
	store_close(st);
	free(p);
}

static void
test_three(void)
{
	struct store			*st;
	struct store_entry		*e;
	struct store_move_report	 rep;
	struct source			*src;
	struct source_msg		 sm;
	struct seen			 seen = { 0, 0, 1 };
	uint32_t			 uids[2] = { 1, 3 };
	char				*p = path_in("three"), *cause = NULL;
	char				*data = NULL, *before, *after;
	size_t				 len, blen, alen;
	uint32_t			 uid;
	int				 same;

	write_file(p, three, sizeof three - 1, "w");
	if ((st = open_mbox(p, &cause)) == NULL) {
		printf("Bail out! %s\n", cause);
		exit(99);
	}
	t_str_eq(store_read_only(st), READ_ONLY,
	    "store_read_only says why, in the words the TUI translates");
	store_set_listed(st, on_listed, &seen);
	t_ok(store_list(st, &cause) == 0, "three messages list");
	t_int_eq(store_count(st), 3, "three entries");
	t_ok(seen.entries == 3 && seen.named, "the listed callback saw all "
	    "three with sender and subject (%zu)", seen.entries);
	e = store_entry_find(st, 1);
	t_ok(e != NULL && strcmp(e->subject, "first") == 0 &&
	    e->from_addr != NULL && strcmp(e->from_addr, "alice@example.jp") ==
	    0 && (e->flags & STORE_SEEN), "uid 1: Alice, \"first\", seen");
	t_ok(e != NULL && e->date == 1704067200, "uid 1: the Date header "
	    "(%lld)", e != NULL ? (long long)e->date : 0LL);
	e = store_entry_find(st, 2);
	t_ok(e != NULL && strcmp(e->subject, "second") == 0 &&
	    !(e->flags & STORE_SEEN), "uid 2: \"second\", unread");
	e = store_entry_find(st, 3);
	t_ok(e != NULL && strcmp(e->from, "佐藤") == 0 &&
	    (e->flags & STORE_FLAGGED), "uid 3: decoded sender, flagged");

	/* The bytes are the ones sagi scan reads. */
	src = source_open(p, &cause);
	same = src != NULL;
	for (uid = 1; src != NULL && source_next(src, &sm); uid++) {
		if (store_fetch(st, uid, &data, &len, &cause) != 0 ||
		    sm.data == NULL || len != sm.len ||
		    memcmp(data, sm.data, len) != 0) {
			printf("# uid %u differs from source.c\n", uid);
			same = 0;
		}
		free(data);
		data = NULL;
		source_msg_clear(&sm);
	}
	source_close(src);
	t_ok(same && uid == 4, "each message equals what source.c reads");
	t_ok(store_fetch(st, 2, &data, &len, &cause) == 0 &&
	    strstr(data, "\nFrom the start") != NULL &&
	    strstr(data, "\n>From deeper") != NULL &&
	    strstr(data, "\nFrom inside a paragraph") != NULL,
	    "\">From \" quoting is undone one level");
	free(data);
	data = NULL;
	t_ok(store_fetch(st, 99, &data, &len, &cause) == -1 && cause != NULL,
	    "fetching an unknown uid fails with a cause");
	free(cause);
	cause = NULL;

	/* Read-only: every change is refused and the file stays as it was. */
	before = read_all(p, &blen);
	t_ok(store_junk(st, uids, 2, &rep, &cause) == -1 && cause != NULL &&
	    strcmp(cause, READ_ONLY) == 0 && rep.failed == 2 && rep.moved == 0,
	    "junk is refused: %s", cause != NULL ? cause : "");
	free(cause);
	cause = NULL;
	store_move_report_clear(&rep);
	t_ok(store_undo(st, &rep, &cause) == -1 && cause != NULL &&
	    strncmp(cause, "mbox is read-only in sagi: ", 27) == 0,
	    "undo is refused");
	free(cause);
	cause = NULL;
	store_move_report_clear(&rep);
	t_ok(store_mark_not_junk(st, 1, &cause) == -1 && cause != NULL,
	    "\"not junk\" is refused");
	free(cause);
	cause = NULL;
	t_ok(store_junk_folder(st, &cause) == NULL && cause != NULL,
	    "there is no junk folder");
	free(cause);
	cause = NULL;
	after = read_all(p, &alen);
	t_ok(blen == alen && memcmp(before, after, blen) == 0,
	    "the file is byte for byte as it was");
	t_int_eq(store_count(st), 3, "and so is the list");
	free(before);
	free(after);
	store_close(st);
	free(p);
}

/* A file that grows keeps its uids and verdicts; a replaced one does not. */
static void
test_relist(const struct analyzer *a)
{
	static const char more[] =
	    "\nFrom dave@example.jp Thu Jan  4 00:00:00 2024\n"
	    "From: dave@example.jp\nSubject: fourth\n\nnew mail\n";
	static const char other[] =
	    "From eve@example.jp Fri Jan  5 00:00:00 2024\n"
	    "From: eve@example.jp\nSubject: replaced\n\nother\n";
	struct store		*st;
	struct store_entry	*e;
	char			*p = path_in("grow"), *q = path_in("grow.new");
	char			*cause = NULL;
	size_t			 i;
	int			 all = 1;

	write_file(p, three, sizeof three - 1, "w");
	st = open_mbox(p, &cause);
	t_ok(st != NULL && store_list(st, &cause) == 0 &&
	    store_classify(st, a, &cause) == 0, "list and classify");
	for (i = 0; st != NULL && i < store_count(st); i++)
		all &= store_entry_at(st, i)->verdict != NULL;
	t_ok(all, "every message has a verdict");
	write_file(p, more, sizeof more - 1, "a");
	t_ok(store_list(st, &cause) == 0 && store_count(st) == 4,
	    "new mail appended: four entries");
	e = store_entry_find(st, 4);
	t_ok(store_entry_find(st, 1) != NULL &&
	    store_entry_find(st, 1)->verdict != NULL &&
	    store_entry_find(st, 3) != NULL &&
	    store_entry_find(st, 3)->verdict != NULL,
	    "the old messages keep their uids and verdicts");
	t_ok(e != NULL && strcmp(e->subject, "fourth") == 0 &&
	    e->verdict == NULL, "the new one is uid 4, not judged yet");

	/* Rewritten in place, same length, same offsets, other headers:
	 * no uid may carry over. */
	{
		char	*buf;
		size_t	 len;
		FILE	*f;

		buf = read_all(p, &len);
		memcpy(strstr(buf, "Subject: first"), "Subject: FIRST", 14);
		if ((f = fopen(p, "r+")) == NULL ||
		    fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
			printf("Bail out! rewrite\n");
			exit(99);
		}
		free(buf);
	}
	e = NULL;
	for (i = 0; store_list(st, &cause) == 0 && i < store_count(st); i++) {
		if (strcmp(store_entry_at(st, i)->subject, "FIRST") == 0)
			e = store_entry_at(st, i);
	}
	t_ok(e != NULL && e->uid > 4 && e->verdict == NULL &&
	    store_entry_find(st, 2) != NULL, "a message changed in place gets "
	    "a new uid and no old verdict; the others keep theirs");

	/* Another program rewrote the mbox (a new file renamed over it). */
	write_file(q, other, sizeof other - 1, "w");
	rename(q, p);
	t_ok(store_list(st, &cause) == 0 && store_count(st) == 1,
	    "a replaced file lists anew");
	e = store_entry_at(st, 0);
	t_ok(e != NULL && e->uid > 4 && strcmp(e->subject, "replaced") == 0,
	    "with a uid never used before (%u)", e != NULL ? e->uid : 0);
	store_close(st);
	free(p);
	free(q);
}

/* Many messages: the callback gets batches before the listing ends. */
static void
test_batches(void)
{
	struct store	*st;
	struct buf	 b;
	struct seen	 seen = { 0, 0, 1 };
	char		*p = path_in("many"), *cause = NULL;
	int		 i;

	buf_init(&b);
	for (i = 0; i < 600; i++)
		buf_printf(&b, "From x@example.jp Mon Jan  1 00:00:00 2024\n"
		    "From: n%d@example.jp\nSubject: message %d\n\nbody\n\n", i,
		    i);
	write_file(p, b.data, b.len, "w");
	buf_free(&b);
	st = open_mbox(p, &cause);
	store_set_listed(st, on_listed, &seen);
	t_ok(st != NULL && store_list(st, &cause) == 0 &&
	    store_count(st) == 600, "600 messages list");
	t_ok(seen.calls >= 3 && seen.entries == 600 && seen.named,
	    "in %zu listed batches of %zu entries", seen.calls, seen.entries);
	t_ok(store_entry_find(st, 600) != NULL &&
	    strcmp(store_entry_find(st, 600)->subject, "message 599") == 0,
	    "the last one is uid 600");
	store_close(st);
	free(p);
}

/* The demo mail as an mbox, judged like sagi scan judges it. */
static void
test_demo(const char *top, const struct analyzer *a)
{
	struct store		*st;
	struct source		*src;
	struct source_msg	 sm;
	struct buf		 b;
	char			*demo = xasprintf("%s/demo", top);
	char			*p = path_in("demo"), *cause = NULL;
	size_t			 i, k, n = 0, phish = 0, judged = 0;

	buf_init(&b);
	if ((src = source_open(demo, &cause)) == NULL) {
		printf("Bail out! %s\n", cause);
		exit(99);
	}
	while (source_next(src, &sm)) {
		if (sm.data == NULL) {
			source_msg_clear(&sm);
			continue;
		}
		/* mboxrd: quote every ">*From " line one level more. */
		buf_adds(&b, "From demo@example.jp Mon Jan  1 00:00:00 2024\n");
		for (i = 0; i < sm.len; i = k) {
			for (k = i; k < sm.len && sm.data[k] != '\n'; k++)
				;
			if (k < sm.len)
				k++;
			if (strspn(sm.data + i, ">") + 5 <= k - i &&
			    strncmp(sm.data + i + strspn(sm.data + i, ">"),
			    "From ", 5) == 0)
				buf_addc(&b, '>');
			buf_add(&b, sm.data + i, k - i);
		}
		if (sm.len > 0 && sm.data[sm.len - 1] != '\n')
			buf_addc(&b, '\n');
		buf_addc(&b, '\n');
		n++;
		source_msg_clear(&sm);
	}
	source_close(src);
	write_file(p, b.data, b.len, "w");
	buf_free(&b);
	st = open_mbox(p, &cause);
	t_ok(st != NULL && store_list(st, &cause) == 0 &&
	    store_count(st) == n && n >= 20, "the demo as an mbox: %zu of %zu",
	    st != NULL ? store_count(st) : 0, n);
	t_ok(st != NULL && store_classify(st, a, &cause) == 0,
	    "classified");
	for (i = 0; st != NULL && i < store_count(st); i++) {
		const struct verdict *v = store_entry_at(st, i)->verdict;

		judged += v != NULL;
		phish += v != NULL && v->level == VERDICT_PHISH;
	}
	t_ok(judged == n && phish >= 8 && phish < n,
	    "every message judged, %zu phish", phish);
	store_close(st);
	free(p);
	free(demo);
}

static void
rm_dir(const char *d)
{
	DIR		*dp = opendir(d);
	struct dirent	*de;
	char		*p;

	while (dp != NULL && (de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", d, de->d_name);
		unlink(p);
		free(p);
	}
	if (dp != NULL)
		closedir(dp);
	rmdir(d);
}

int
main(void)
{
	struct analyzer	*a;
	struct ruleset	*rs;
	struct diag	*d = diag_new();
	const char	*top = getenv("SAGI_SRCDIR");
	const char	*paths[1];
	char		 tmpl[] = "/tmp/sagi-test-mbox.XXXXXX";
	char		*rules, *cause = NULL;

	if (top == NULL && (top = getenv("top_srcdir")) == NULL)
		top = ".";
	if ((dir = mkdtemp(tmpl)) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 99;
	}
	rules = xasprintf("%s/rules", top);
	paths[0] = rules;
	rs = analyzer_load_rules(paths, 1, d);
	if ((a = analyzer_new(rs, NULL, &cause)) == NULL) {
		printf("Bail out! %s\n", cause);
		return 99;
	}

	test_degenerate();
	test_three();
	test_relist(a);
	test_batches();
	test_demo(top, a);

	analyzer_free(a);
	diag_free(d);
	free(rules);
	rm_dir(dir);
	return t_done();
}
