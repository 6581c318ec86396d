/* SPDX-License-Identifier: ISC */
/*
 * The Maildir backend: lists cur/ and new/ of a Maildir or Maildir++
 * subfolder and moves messages to the junk subfolder with rename(2), so a
 * message is never copied, never overwritten and never lost.  Flags come
 * from file names only; Maildir has no keywords, so no $Junk or $NotJunk.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "imap-utf7.h"
#include "journal.h"
#include "source.h"
#include "store-int.h"
#include "xalloc.h"

#define MAILDIR_HEADER_MAX	(256u << 10)	/* read no more to list */
#define MAILDIR_CHUNK		500	/* renames per report note */
#define MAILDIR_PROGRESS	256	/* messages between progress calls */
#define MAILDIR_BATCH		64	/* uids per fetch_batch */
#define MAILDIR_MAX_PROBLEMS	20	/* per-message notes before a summary */
#define MAILDIR_MAX_ASIDE	100	/* "-sagiN" names tried on undo */

/*
 * Where a listed message's file was last seen: name is relative to the
 * root ("cur/1.M2:2,S", ".Lists/new/3.M4"), NULL once moved away.
 */
struct maildir_msg {
	uint32_t	 uid;
	char		*name;
	int		 picked;	/* taken by the junk call under way */
};

/*
 * sub is "" for the root, else ".Lists"; prefix is what comes before
 * "cur/" in a name: "" or ".Lists/".  The junk folder is spelled
 * junk_utf8 (".迷惑メール") or, when that differs, junk_mutf7
 * (".&j,dg0TDhMPww6w-"); junk_sub points to the one in use.
 */
struct maildir {
	char			*root;		/* absolute Maildir++ root */
	char			*sub;
	char			*prefix;
	char			*junk_utf8;
	char			*junk_mutf7;	/* or NULL */
	const char		*junk_sub;
	char			*junk_display;	/* "Junk", "迷惑メール" */
	struct maildir_msg	*msgs;		/* ascending uid */
	size_t			 nmsgs;
	uint32_t		 next_uid;	/* uids are never reused */
};

/* Problems noted one by one, then only counted, so notes stay readable. */
struct maildir_problems {
	struct store_move_report	*rep;
	size_t				 n;
};

/* One file found by a listing, with its entry until the list is swapped. */
struct maildir_scan {
	char			*name;		/* relative to the root */
	const char		*base;		/* inside name */
	uint32_t		 uid;		/* 0: not kept */
	int			 known;		/* listed before: keeps e */
	struct store_entry	 e;
};

/* A previous listing, by unique part, so known files keep their uid. */
struct maildir_old {
	const char	*unique;
	size_t		 ulen;
	uint32_t	 uid;
	int		 used;
};

/* One message about to go to junk. */
struct maildir_move {
	struct maildir_msg	*m;
	char			*src;		/* relative to the root */
	char			*dst;
	char			*message_id;	/* borrowed from the entry */
};

static int
maildir_is_maildir(const char *dir)
{
	static const char *const	 subs[] = { "cur", "new" };
	struct stat			 sb;
	char				*p;
	size_t				 i;
	int				 ok = 1;

	for (i = 0; i < SAGI_NITEMS(subs) && ok; i++) {
		p = xasprintf("%s/%s", dir, subs[i]);
		ok = stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
		free(p);
	}
	return ok;
}

static int
maildir_is_subfolder(const struct maildir *md, const char *sub)
{
	char	*p = xasprintf("%s/%s", md->root, sub);
	int	 ok = maildir_is_maildir(p);

	free(p);
	return ok;
}

static const char *
maildir_base(const char *name)
{
	const char	*slash = strrchr(name, '/');

	return slash != NULL ? slash + 1 : name;
}

/* The unique part of a base name: everything before the ":2," info. */
static size_t
maildir_unique_len(const char *base)
{
	return strcspn(base, ":");
}

static unsigned int
maildir_flags(const char *base)
{
	const char	*info = strchr(base, ':');
	unsigned int	 flags = 0;

	if (info == NULL || strncmp(info, ":2,", 3) != 0)
		return 0;
	for (info += 3; *info != '\0'; info++) {
		switch (*info) {
		case 'S':
			flags |= STORE_SEEN;
			break;
		case 'R':
			flags |= STORE_ANSWERED;
			break;
		case 'F':
			flags |= STORE_FLAGGED;
			break;
		case 'T':
			flags |= STORE_DELETED;
			break;
		}
	}
	return flags;
}

static char *
maildir_path(const struct maildir *md, const char *rel)
{
	return xasprintf("%s/%s", md->root, rel);
}

/* 1 when rel exists, 0 when it does not, -1 (errno set) when unknown. */
static int
maildir_exists(const struct maildir *md, const char *rel)
{
	struct stat	 sb;
	char		*p = maildir_path(md, rel);
	int		 rc, saved;

	rc = lstat(p, &sb);
	saved = errno;
	free(p);
	if (rc == 0)
		return 1;
	errno = saved;
	return errno == ENOENT ? 0 : -1;
}

/*
 * Looks in cur/ and new/ under prefix ("" or ".Junk/") for a file whose
 * unique part is unique[0..ulen).  Another client renames a file when it
 * changes its flags or takes it from new/ to cur/; the unique part stays.
 * Returns the owned name relative to the root, or NULL.
 */
static char *
maildir_find_unique(const struct maildir *md, const char *prefix,
    const char *unique, size_t ulen)
{
	static const char *const	 dirs[] = { "cur", "new" };
	struct dirent			*de;
	DIR				*d;
	char				*path, *found = NULL;
	size_t				 i;

	for (i = 0; i < SAGI_NITEMS(dirs) && found == NULL; i++) {
		path = xasprintf("%s/%s%s", md->root, prefix, dirs[i]);
		d = opendir(path);
		free(path);
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' ||
			    maildir_unique_len(de->d_name) != ulen ||
			    memcmp(de->d_name, unique, ulen) != 0)
				continue;
			found = xasprintf("%s%s/%s", prefix, dirs[i],
			    de->d_name);
			break;
		}
		closedir(d);
	}
	return found;
}

/*
 * rename(2) that never replaces a file.  RENAME_NOREPLACE first; where
 * the filesystem lacks it, link(2), which refuses too, then unlink, so for
 * a moment the message is in both places but never in none; last a check
 * and a plain rename, for filesystems without hard links.
 */
static int
maildir_rename(const char *from, const char *to)
{
	struct stat	 sb;
	int		 saved;

#ifdef RENAME_NOREPLACE
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return -1;
#endif
	if (link(from, to) == 0) {
		if (unlink(from) == 0)
			return 0;
		saved = errno;
		unlink(to);
		errno = saved;
		return -1;
	}
	if (errno != EPERM && errno != ENOTSUP && errno != ENOSYS)
		return -1;
	if (lstat(to, &sb) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

static int
maildir_rename_rel(const struct maildir *md, const char *from, const char *to)
{
	char	*f = maildir_path(md, from), *t = maildir_path(md, to);
	int	 rc, saved;

	rc = maildir_rename(f, t);
	saved = errno;
	free(f);
	free(t);
	errno = saved;
	return rc;
}

static void
maildir_problem(struct maildir_problems *p, const char *fmt, ...)
    SAGI_PRINTFLIKE(2, 3);

static void
maildir_problem(struct maildir_problems *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	if (p->n++ >= MAILDIR_MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	store_report_note(p->rep, "%s", s);
	free(s);
}

static void
maildir_problems_end(struct maildir_problems *p)
{
	if (p->n > MAILDIR_MAX_PROBLEMS)
		store_report_note(p->rep, "%zu more problems not shown",
		    p->n - MAILDIR_MAX_PROBLEMS);
}

static int
maildir_msg_cmp(const void *a, const void *b)
{
	const struct maildir_msg *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static struct maildir_msg *
maildir_find(struct maildir *md, uint32_t uid)
{
	struct maildir_msg	 key;

	if (md->nmsgs == 0)
		return NULL;
	key.uid = uid;
	return bsearch(&key, md->msgs, md->nmsgs, sizeof *md->msgs,
	    maildir_msg_cmp);
}

/* Drops the messages whose name is NULL (moved away). */
static void
maildir_compact(struct maildir *md)
{
	size_t	 i, j;

	for (i = j = 0; i < md->nmsgs; i++) {
		if (md->msgs[i].name != NULL)
			md->msgs[j++] = md->msgs[i];
	}
	md->nmsgs = j;
}

/*
 * Finds m's file again if another client renamed it.  0 when it is there
 * (m->name updated), -1 when it is gone.
 */
static int
maildir_locate(struct maildir *md, struct maildir_msg *m)
{
	const char	*base;
	char		*found;

	if (maildir_exists(md, m->name) != 0)
		return 0;
	base = maildir_base(m->name);
	found = maildir_find_unique(md, md->prefix, base,
	    maildir_unique_len(base));
	if (found == NULL)
		return -1;
	free(m->name);
	m->name = found;
	return 0;
}

/*
 * The junk folder on disk: the name as given if it exists, else its
 * modified UTF-7 spelling (Dovecot's and Courier's default on disk) if
 * that exists.  Returns 1 when one exists; otherwise junk_sub is the UTF-8
 * spelling, which is the one that gets created.
 */
static int
maildir_junk_resolve(struct maildir *md)
{
	md->junk_sub = md->junk_utf8;
	if (maildir_is_subfolder(md, md->junk_utf8))
		return 1;
	if (md->junk_mutf7 != NULL &&
	    maildir_is_subfolder(md, md->junk_mutf7)) {
		md->junk_sub = md->junk_mutf7;
		return 1;
	}
	return 0;
}

/* A Maildir++ subfolder as Dovecot and Courier create it. */
static int
maildir_create(struct maildir *md, const char *sub, char **cause)
{
	static const char *const	 parts[] = {
		"", "/cur", "/new", "/tmp"
	};
	char				*p;
	size_t				 i;
	int				 fd;

	for (i = 0; i < SAGI_NITEMS(parts); i++) {
		p = xasprintf("%s/%s%s", md->root, sub, parts[i]);
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			*cause = xasprintf("%s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		free(p);
	}
	p = xasprintf("%s/%s/maildirfolder", md->root, sub);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	close(fd);
	free(p);
	if (!maildir_junk_resolve(md)) {
		*cause = xasprintf("%s/%s: not a Maildir after creating it",
		    md->root, sub);
		return -1;
	}
	return 0;
}

/* Makes sure the junk folder exists, creating it only when allowed. */
static int
maildir_junk_ready(struct store *st, char **cause)
{
	struct maildir	*md = st->impl;

	if (maildir_junk_resolve(md))
		return 0;
	if (!st->opts.create_junk) {
		*cause = xasprintf("no junk folder \"%s\" in %s (%s/ missing); "
		    "--create-junk creates it", md->junk_display, md->root,
		    md->junk_utf8);
		return -1;
	}
	return maildir_create(md, md->junk_utf8, cause);
}

/*
 * Reads the header block from fd into b: up to and with the blank line,
 * at most MAILDIR_HEADER_MAX bytes.  Returns 0, or -1 with errno set.
 */
static int
maildir_read_header(int fd, struct buf *b)
{
	char	 chunk[8192];
	ssize_t	 n;
	size_t	 want, i;

	buf_reset(b);
	while (b->len < MAILDIR_HEADER_MAX) {
		want = MAILDIR_HEADER_MAX - b->len;
		if (want > sizeof chunk)
			want = sizeof chunk;
		n = read(fd, chunk, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		i = b->len >= 2 ? b->len - 2 : 0;
		buf_add(b, chunk, (size_t)n);
		for (; i < b->len; i++) {
			if (b->data[i] != '\n')
				continue;
			if (i + 1 < b->len && b->data[i + 1] == '\n') {
				b->len = i + 2;
				break;
			}
			if (i + 2 < b->len && b->data[i + 1] == '\r' &&
			    b->data[i + 2] == '\n') {
				b->len = i + 3;
				break;
			}
		}
		if (i < b->len) {
			b->data[b->len] = '\0';
			break;
		}
	}
	return 0;
}

/*
 * Reads the message rel (relative to the root) whole, capped at
 * SOURCE_MAX_MESSAGE.  Returns 0 with *data (owned) and *len, 1 when there
 * is no such file, or -1 with *cause (owned).
 */
static int
maildir_read_file(const struct maildir *md, const char *rel, char **data,
    size_t *len, char **cause)
{
	struct stat	 sb;
	struct buf	 b;
	char		 chunk[65536], *path = maildir_path(md, rel);
	ssize_t		 n;
	int		 fd;

	/* O_NONBLOCK: a FIFO planted in a Maildir must not hang the open
	 * (fstat then finds it is no regular file). */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		if (errno == ENOENT) {
			free(path);
			return 1;
		}
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (uintmax_t)sb.st_size > SOURCE_MAX_MESSAGE) {
		if (fstat(fd, &sb) != 0)
			*cause = xasprintf("%s: %s", path, strerror(errno));
		else if (!S_ISREG(sb.st_mode))
			*cause = xasprintf("%s: not a regular file", path);
		else
			*cause = xasprintf("%s: message larger than %u MB, "
			    "not read", path, SOURCE_MAX_MESSAGE >> 20);
		close(fd);
		free(path);
		return -1;
	}
	buf_init(&b);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* It may have grown since fstat. */
		if (b.len + (size_t)n > SOURCE_MAX_MESSAGE) {
			n = -1;
			errno = EFBIG;
			break;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (n < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		buf_free(&b);
		free(path);
		return -1;
	}
	free(path);
	*len = b.len;
	*data = buf_take(&b);
	return 0;
}

static int
maildir_scan_cmp(const void *a, const void *b)
{
	const struct maildir_scan	*x = a, *y = b;
	int				 c;

	/* Base names start with the delivery time: oldest first. */
	if ((c = strcmp(x->base, y->base)) != 0)
		return c;
	return strcmp(x->name, y->name);
}

static int
maildir_scan_dir(struct maildir *md, const char *dir, struct maildir_scan **sc,
    size_t *n, char **cause)
{
	struct dirent	*de;
	DIR		*d;
	char		*path;

	path = xasprintf("%s/%s%s", md->root, md->prefix, dir);
	if ((d = opendir(path)) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		*sc = xreallocarray(*sc, *n + 1, sizeof **sc);
		memset(&(*sc)[*n], 0, sizeof **sc);
		(*sc)[*n].name = xasprintf("%s%s/%s", md->prefix, dir,
		    de->d_name);
		(*sc)[*n].base = maildir_base((*sc)[*n].name);
		(*n)++;
	}
	closedir(d);
	return 0;
}

static int
maildir_old_cmp(const void *a, const void *b)
{
	const struct maildir_old	*x = a, *y = b;
	size_t				 n;
	int				 c;

	n = x->ulen < y->ulen ? x->ulen : y->ulen;
	if ((c = memcmp(x->unique, y->unique, n)) != 0)
		return c;
	return x->ulen < y->ulen ? -1 : x->ulen > y->ulen;
}

static struct maildir_old *
maildir_old_index(const struct maildir *md)
{
	struct maildir_old	*old;
	const char		*base;
	size_t			 i;

	old = xcalloc(md->nmsgs + 1, sizeof *old);
	for (i = 0; i < md->nmsgs; i++) {
		base = maildir_base(md->msgs[i].name);
		old[i].unique = base;
		old[i].ulen = maildir_unique_len(base);
		old[i].uid = md->msgs[i].uid;
	}
	if (md->nmsgs > 1)
		qsort(old, md->nmsgs, sizeof *old, maildir_old_cmp);
	return old;
}

/* The uid base had in the previous listing, or 0; each is given once. */
static uint32_t
maildir_old_take(struct maildir_old *old, size_t n, const char *base)
{
	struct maildir_old	 key, *hit;

	if (n == 0)
		return 0;
	key.unique = base;
	key.ulen = maildir_unique_len(base);
	hit = bsearch(&key, old, n, sizeof *old, maildir_old_cmp);
	if (hit == NULL)
		return 0;
	while (hit > old && maildir_old_cmp(hit - 1, &key) == 0)
		hit--;
	for (; hit < old + n && maildir_old_cmp(hit, &key) == 0; hit++) {
		if (!hit->used) {
			hit->used = 1;
			return hit->uid;
		}
	}
	return 0;
}

/*
 * Fills s for one file.  A file that vanished since readdir was moved by
 * another client and is left out (uid stays 0).
 */
static void
maildir_scan_one(struct store *st, struct maildir *md, struct maildir_scan *s,
    struct maildir_old *old, struct buf *hdr, uint32_t *next)
{
	struct stat	 sb;
	char		*path = maildir_path(md, s->name);
	uint32_t	 uid;
	int		 fd;

	if ((uid = maildir_old_take(old, md->nmsgs, s->base)) != 0) {
		/* Maildir files never change: the headers are known. */
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			s->uid = uid;
			s->known = 1;
			s->e.size = (uint64_t)sb.st_size;
			s->e.flags = maildir_flags(s->base);
		}
		free(path);
		return;
	}
	/* O_NONBLOCK: a FIFO must not hang the listing (see
	 * maildir_read_file). */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1 &&
	    errno == ENOENT) {
		free(path);
		return;
	}
	if (fd != -1 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
		close(fd);
		free(path);
		return;
	}
	if (fd == -1 || maildir_read_header(fd, hdr) != 0) {
		s->e.error = xasprintf("%s: %s", path, strerror(errno));
		if (fd == -1)
			memset(&sb, 0, sizeof sb);
	} else
		store_entry_fill_headers(st, &s->e, hdr->data, hdr->len);
	if (fd != -1)
		close(fd);
	if (s->e.from == NULL)
		s->e.from = store_string(st, "");
	if (s->e.subject == NULL)
		s->e.subject = store_string(st, "");
	if (s->e.date == 0)
		s->e.date = (int64_t)sb.st_mtime;
	s->e.size = (uint64_t)sb.st_size;
	s->e.flags = maildir_flags(s->base);
	s->uid = (*next)++;
	free(path);
}

/* Replaces the entry list and the file names with the scan's. */
static void
maildir_commit(struct store *st, struct maildir_scan *sc, size_t n)
{
	struct maildir		*md = st->impl;
	struct store_entry	*e, *was;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (!sc[i].known)
			continue;
		if ((was = store_entry_find(st, sc[i].uid)) == NULL) {
			sc[i].e.from = store_string(st, "");
			sc[i].e.subject = store_string(st, "");
			continue;
		}
		sc[i].e.message_id = was->message_id;
		sc[i].e.from = was->from;
		sc[i].e.from_addr = was->from_addr;
		sc[i].e.subject = was->subject;
		sc[i].e.date = was->date;
		sc[i].e.verdict = was->verdict;
		sc[i].e.error = was->error;
		was->message_id = was->from = was->subject = was->error = NULL;
		was->from_addr = NULL;
		was->verdict = NULL;
	}
	store_entries_clear(st);
	for (i = 0; i < md->nmsgs; i++)
		free(md->msgs[i].name);
	md->nmsgs = 0;
	for (i = 0; i < n; i++) {
		if (sc[i].uid == 0) {
			store_entry_clear(&sc[i].e);
			free(sc[i].name);
			continue;
		}
		e = store_entries_add(st, sc[i].uid);
		*e = sc[i].e;
		e->uid = sc[i].uid;
		md->msgs = xreallocarray(md->msgs, md->nmsgs + 1,
		    sizeof *md->msgs);
		md->msgs[md->nmsgs].uid = sc[i].uid;
		md->msgs[md->nmsgs].name = sc[i].name;
		md->msgs[md->nmsgs].picked = 0;
		md->nmsgs++;
	}
	store_entries_sort(st);
	if (md->nmsgs > 1)
		qsort(md->msgs, md->nmsgs, sizeof *md->msgs, maildir_msg_cmp);
}

/*
 * Shows the listed callback sc[from..to): the headers just read, or for a
 * file listed before its entry with the flags its name has now.  Shallow
 * copies: every pointer stays the scan's or the old entry's.
 */
static void
maildir_report(struct store *st, const struct maildir_scan *sc, size_t from,
    size_t to)
{
	struct store_entry	*batch, *was;
	size_t			 i, nb = 0;

	if (st->listed == NULL || to <= from)
		return;
	batch = xcalloc(to - from, sizeof *batch);
	for (i = from; i < to; i++) {
		if (sc[i].uid == 0)
			continue;
		if (!sc[i].known)
			batch[nb] = sc[i].e;
		else if ((was = store_entry_find(st, sc[i].uid)) != NULL) {
			batch[nb] = *was;
			batch[nb].size = sc[i].e.size;
			batch[nb].flags = sc[i].e.flags;
		} else
			continue;
		batch[nb++].uid = sc[i].uid;
	}
	store_listed(st, batch, nb);
	free(batch);
}

/*
 * The first listing numbers the files 1..n in name order.  Later ones keep
 * the uid of every file seen before (matched by unique part, as flags
 * change names) and number new files after the highest uid ever given, so
 * a uid the caller holds never names another message.
 */
static int
maildir_list(struct store *st, char **cause)
{
	struct maildir		*md = st->impl;
	struct maildir_scan	*sc = NULL;
	struct maildir_old	*old;
	struct buf		 hdr;
	size_t			 n = 0, i, kept = 0, shown = 0;
	uint32_t		 next = md->next_uid;
	int			 cancelled = 0;

	if (maildir_scan_dir(md, "new", &sc, &n, cause) != 0 ||
	    maildir_scan_dir(md, "cur", &sc, &n, cause) != 0) {
		for (i = 0; i < n; i++)
			free(sc[i].name);
		free(sc);
		return -1;
	}
	if (n > 1)
		qsort(sc, n, sizeof *sc, maildir_scan_cmp);
	old = maildir_old_index(md);
	buf_init(&hdr);
	for (i = 0; i < n; i++) {
		if (i % MAILDIR_PROGRESS == 0) {
			maildir_report(st, sc, shown, i);
			shown = i;
			if (store_progress(st, "listing", i, n)) {
				cancelled = 1;
				break;
			}
		}
		maildir_scan_one(st, md, &sc[i], old, &hdr, &next);
	}
	buf_free(&hdr);
	free(old);
	if (cancelled) {
		/* The previous list stays as it was. */
		for (i = 0; i < n; i++) {
			store_entry_clear(&sc[i].e);
			free(sc[i].name);
		}
		free(sc);
		*cause = xstrdup("cancelled");
		return -1;
	}
	maildir_report(st, sc, shown, n);
	maildir_commit(st, sc, n);
	free(sc);
	md->next_uid = next;
	kept = md->nmsgs;
	store_progress(st, "listing", kept, kept);
	return 0;
}

static int
maildir_fetch(struct store *st, uint32_t uid, char **data, size_t *len,
    char **cause)
{
	struct maildir		*md = st->impl;
	struct maildir_msg	*m = maildir_find(md, uid);
	int			 rc;

	*data = NULL;
	*len = 0;
	if (m == NULL || m->name == NULL) {
		*cause = xasprintf("no message with uid %u in %s", uid,
		    st->folder);
		return -1;
	}
	if ((rc = maildir_read_file(md, m->name, data, len, cause)) != 1)
		return rc;
	if (maildir_locate(md, m) == 0 &&
	    (rc = maildir_read_file(md, m->name, data, len, cause)) != 1)
		return rc;
	*cause = xasprintf("%s/%s: gone (moved or deleted by another client)",
	    md->root, m->name);
	return -1;
}

static int
maildir_fetch_batch(struct store *st, const uint32_t *uids, size_t n,
    store_sink_fn sink, void *ctx, char **cause)
{
	char	*data, *why;
	size_t	 i, len;

	(void)cause;	/* one file failing is that message's problem only */
	for (i = 0; i < n; i++) {
		why = NULL;
		if (maildir_fetch(st, uids[i], &data, &len, &why) == 0)
			sink(ctx, uids[i], data, len, NULL);
		else
			sink(ctx, uids[i], NULL, 0, why);
	}
	return 0;
}

/* Decides where uid goes: 1, or 0 (a problem noted) when it cannot go. */
static int
maildir_plan(struct maildir *md, uint32_t uid, struct maildir_move *mv,
    struct maildir_problems *pr)
{
	struct maildir_msg	*m = maildir_find(md, uid);
	const char		*base, *dir;
	int			 rc;

	if (m == NULL || m->name == NULL) {
		maildir_problem(pr, "uid %u: no such message; not moved", uid);
		return 0;
	}
	if (m->picked) {
		maildir_problem(pr, "uid %u: given twice; moved once", uid);
		return 0;
	}
	if (maildir_locate(md, m) != 0) {
		maildir_problem(pr, "%s: gone (moved or deleted by another "
		    "client); not moved", maildir_base(m->name));
		return 0;
	}
	base = maildir_base(m->name);
	dir = m->name + strlen(md->prefix);	/* "cur/..." or "new/..." */
	mv->dst = xasprintf("%s/%.3s/%s", md->junk_sub, dir, base);
	if ((rc = maildir_exists(md, mv->dst)) != 0) {
		if (rc == 1)
			maildir_problem(pr, "%s: %s already holds a file of "
			    "that name; not moved", base, md->junk_display);
		else
			maildir_problem(pr, "%s: %s; not moved", mv->dst,
			    strerror(errno));
		free(mv->dst);
		mv->dst = NULL;
		return 0;
	}
	m->picked = 1;
	mv->m = m;
	mv->src = xstrdup(m->name);
	return 1;
}

/*
 * Journals the whole call as one batch before anything moves, so a crash
 * or a failure part way cannot leave a moved message unrecorded.  Undo
 * finds the messages that never moved still in place and counts them back.
 */
static int
maildir_journal(struct store *st, struct maildir_move *mv, size_t n,
    struct store_move_report *rep, char **cause)
{
	struct maildir		*md = st->impl;
	struct journal_batch	 b;
	char			*why = NULL;
	size_t			 i;

	memset(&b, 0, sizeof b);
	b.account = st->name;
	b.src_mailbox = st->folder;
	b.dst_mailbox = md->junk_display;
	b.items = xcalloc(n, sizeof *b.items);
	b.nitems = n;
	for (i = 0; i < n; i++) {
		b.items[i].message_id = mv[i].message_id;
		b.items[i].src_name = mv[i].src;
		b.items[i].dst_name = mv[i].dst;
	}
	if (journal_append(st->opts.journal_path, &b, &why) != 0) {
		*cause = xasprintf("cannot write the undo journal, so nothing "
		    "was moved: %s", why);
		free(why);
		free(b.items);
		return -1;
	}
	rep->journal_id = b.id;
	free(b.items);
	return 0;
}

static void
maildir_chunk_note(struct store_move_report *rep, const char *dst,
    size_t moved, size_t failed)
{
	if (failed == 0)
		store_report_note(rep, "%zu moved to %s", moved, dst);
	else
		store_report_note(rep, "%zu moved to %s, %zu not moved", moved,
		    dst, failed);
}

static int
maildir_junk(struct store *st, const uint32_t *uids, size_t n,
    struct store_move_report *rep, char **cause)
{
	struct maildir		*md = st->impl;
	struct maildir_problems	 pr;
	struct maildir_move	*mv;
	struct store_entry	*e;
	uint32_t		*moved;
	size_t			 i, nmv = 0, cmoved = 0, cfailed = 0;
	int			 cancelled = 0, rc = -1;

	pr.rep = rep;
	pr.n = 0;
	rep->dst = xstrdup(md->junk_display);
	if (maildir_junk_ready(st, cause) != 0) {
		rep->failed = n;
		return -1;
	}
	if (strcmp(md->junk_sub, md->sub) == 0) {
		*cause = xasprintf("the messages are already in %s",
		    md->junk_display);
		rep->failed = n;
		return -1;
	}

	mv = xcalloc(n, sizeof *mv);
	for (i = 0; i < n; i++) {
		if (!maildir_plan(md, uids[i], &mv[nmv], &pr)) {
			rep->failed++;
			continue;
		}
		e = store_entry_find(st, uids[i]);
		mv[nmv++].message_id = e != NULL ? e->message_id : NULL;
	}
	for (i = 0; i < nmv; i++)
		mv[i].m->picked = 0;
	if (nmv > 0 && st->opts.journal_path != NULL &&
	    maildir_journal(st, mv, nmv, rep, cause) != 0) {
		rep->failed += nmv;
		goto out;
	}

	moved = xcalloc(nmv + 1, sizeof *moved);
	for (i = 0; i < nmv; i++) {
		if (i % MAILDIR_PROGRESS == 0 &&
		    store_progress(st, "moving", i, nmv)) {
			cancelled = 1;
			break;
		}
		if (i > 0 && i % MAILDIR_CHUNK == 0) {
			maildir_chunk_note(rep, md->junk_display, cmoved,
			    cfailed);
			cmoved = cfailed = 0;
		}
		if (maildir_rename_rel(md, mv[i].src, mv[i].dst) == 0) {
			moved[rep->moved++] = mv[i].m->uid;
			free(mv[i].m->name);
			mv[i].m->name = NULL;
			cmoved++;
			continue;
		}
		maildir_problem(&pr, "%s: %s; not moved",
		    maildir_base(mv[i].src), errno == EEXIST ?
		    "a file of that name appeared in the junk folder" :
		    strerror(errno));
		rep->failed++;
		cfailed++;
	}
	if (cmoved > 0 || cfailed > 0)
		maildir_chunk_note(rep, md->junk_display, cmoved, cfailed);
	if (cancelled) {
		store_report_note(rep, "cancelled: %zu not moved", nmv - i);
		rep->failed += nmv - i;
	} else
		store_progress(st, "moving", nmv, nmv);
	store_entries_remove(st, moved, rep->moved);
	maildir_compact(md);
	free(moved);

	if (cancelled)
		*cause = xstrdup("cancelled");
	else if (rep->failed > 0)
		*cause = xasprintf("%zu of %zu messages not moved to %s",
		    rep->failed, n, md->junk_display);
	else
		rc = 0;
out:
	maildir_problems_end(&pr);
	for (i = 0; i < nmv; i++) {
		free(mv[i].src);
		free(mv[i].dst);
	}
	free(mv);
	return rc;
}

/*
 * A name from the journal, a file on disk and so not trusted to stay
 * inside the Maildir: "[.Folder/](cur|new)/base", base without '/' and
 * not a dotfile.  Returns the length of the ".Folder/" prefix, or -1.
 */
static int
maildir_name_check(const char *name)
{
	const char	*p = name, *slash;

	if (name == NULL)
		return -1;
	if (*p == '.') {
		slash = strchr(p, '/');
		if (slash == NULL || slash == p + 1 || p[1] == '.')
			return -1;
		p = slash + 1;
	}
	if (strncmp(p, "cur/", 4) != 0 && strncmp(p, "new/", 4) != 0)
		return -1;
	if (p[4] == '\0' || p[4] == '.' || strchr(p + 4, '/') != NULL)
		return -1;
	return (int)(p - name);
}

/*
 * The name to restore to is taken: keep both, the restored one under
 * "UNIQUE-sagiN" with the same info.
 */
static int
maildir_undo_aside(struct maildir *md, const char *from, const char *to,
    const char *what, struct maildir_problems *pr)
{
	const char	*base = maildir_base(to);
	size_t		 ulen = maildir_unique_len(base);
	char		*alt;
	int		 i;

	for (i = 1; i <= MAILDIR_MAX_ASIDE; i++) {
		alt = xasprintf("%.*s%.*s-sagi%d%s", (int)(base - to), to,
		    (int)ulen, base, i, base + ulen);
		if (maildir_rename_rel(md, from, alt) == 0) {
			maildir_problem(pr, "%s: %s already existed; both "
			    "kept, this one as %s", what, to, alt);
			free(alt);
			return 0;
		}
		free(alt);
		if (errno != EEXIST)
			break;
	}
	maildir_problem(pr, "%s: %s already exists and no other name was "
	    "free; left in %s", what, to, from);
	return -1;
}

/*
 * Moves one journalled message back.  0 when moved, 1 when it was already
 * back in the source folder, -1 (a problem noted) when it cannot be.
 */
static int
maildir_undo_item(struct maildir *md, const struct journal_batch *b,
    const struct journal_item *it, struct maildir_problems *pr)
{
	const char	*what, *base;
	char		*sprefix, *dprefix, *from, *to, *found;
	int		 slen, dlen, rc = -1;

	what = it->message_id != NULL ? it->message_id :
	    it->src_name != NULL ? it->src_name : "?";
	if ((slen = maildir_name_check(it->src_name)) == -1 ||
	    (dlen = maildir_name_check(it->dst_name)) == -1) {
		maildir_problem(pr, "%s: the journal names no usable file; "
		    "skipped", what);
		return -1;
	}
	sprefix = xstrndup(it->src_name, (size_t)slen);
	dprefix = xstrndup(it->dst_name, (size_t)dlen);

	if (maildir_exists(md, it->dst_name) == 1)
		from = xstrdup(it->dst_name);
	else {
		base = maildir_base(it->dst_name);
		from = maildir_find_unique(md, dprefix, base,
		    maildir_unique_len(base));
	}
	if (from == NULL) {
		/* Never moved (a cancelled or failed call), or moved back. */
		base = maildir_base(it->src_name);
		found = NULL;
		if (maildir_exists(md, it->src_name) == 1 ||
		    (found = maildir_find_unique(md, sprefix, base,
		    maildir_unique_len(base))) != NULL)
			rc = 1;
		else
			maildir_problem(pr, "%s: no longer in %s; not moved "
			    "back", what, b->dst_mailbox != NULL ?
			    b->dst_mailbox : dprefix);
		free(found);
		free(sprefix);
		free(dprefix);
		return rc;
	}

	/*
	 * Another client renamed it in the junk folder: its flags are the
	 * newest, and a name with flags belongs in cur/.
	 */
	base = maildir_base(from);
	if (strcmp(from, it->dst_name) == 0)
		to = xstrdup(it->src_name);
	else
		to = xasprintf("%s%.3s/%s", sprefix, strchr(base, ':') != NULL ?
		    "cur" : it->src_name + slen, base);
	if (maildir_rename_rel(md, from, to) == 0)
		rc = 0;
	else if (errno == EEXIST)
		rc = maildir_undo_aside(md, from, to, what, pr);
	else
		maildir_problem(pr, "%s: %s; left in %s", what,
		    strerror(errno), from);
	free(to);
	free(from);
	free(sprefix);
	free(dprefix);
	return rc;
}

/*
 * Moves the newest batch of this store back.  The batch is marked undone
 * even when some messages could not be moved back (they are gone, or the
 * notes say where they stay), so it cannot block older batches forever;
 * only a cancelled undo leaves it to be finished by the next one.
 */
static int
maildir_undo(struct store *st, struct store_move_report *rep, char **cause)
{
	struct maildir		*md = st->impl;
	struct maildir_problems	 pr;
	struct journal_batch	*b = NULL;
	const char		*path = st->opts.journal_path;
	char			*why = NULL;
	size_t			 i, back = 0, there = 0;
	int			 cancelled = 0, rc = -1;

	pr.rep = rep;
	pr.n = 0;
	if (path == NULL) {
		*cause = xstrdup("no undo journal, so nothing to undo");
		return -1;
	}
	if (journal_last(path, st->name, &b, cause) != 0)
		return -1;
	if (b == NULL) {
		*cause = xstrdup("nothing to undo");
		return -1;
	}
	rep->dst = xstrdup(b->src_mailbox != NULL ? b->src_mailbox :
	    st->folder);
	rep->requested = b->nitems;
	rep->journal_id = xstrdup(b->id);
	for (i = 0; i < b->nitems; i++) {
		if (i % MAILDIR_PROGRESS == 0 &&
		    store_progress(st, "moving", i, b->nitems)) {
			cancelled = 1;
			break;
		}
		switch (maildir_undo_item(md, b, &b->items[i], &pr)) {
		case 0:
			back++;
			break;
		case 1:
			there++;
			break;
		default:
			rep->failed++;
			break;
		}
	}
	rep->moved = back + there;
	if (back > 0)
		store_report_note(rep, "%zu moved back to %s", back, rep->dst);
	if (there > 0)
		store_report_note(rep, "%zu already in %s", there, rep->dst);
	maildir_problems_end(&pr);
	if (cancelled) {
		store_report_note(rep, "cancelled: %zu left in %s",
		    b->nitems - i, b->dst_mailbox != NULL ? b->dst_mailbox :
		    "the junk folder");
		rep->failed += b->nitems - i;
		*cause = xstrdup("cancelled");
	} else {
		store_progress(st, "moving", b->nitems, b->nitems);
		if (journal_mark_undone(path, b->id, &why) != 0) {
			*cause = xasprintf("cannot mark the batch undone in "
			    "the journal: %s", why);
			free(why);
		} else if (rep->failed > 0)
			*cause = xasprintf("%zu of %zu messages not moved back",
			    rep->failed, b->nitems);
		else
			rc = 0;
	}
	journal_batch_free(b);
	return rc;
}

/* Maildir has no keywords, so "not junk" cannot be recorded: nothing to do. */
static int
maildir_mark_not_junk(struct store *st, uint32_t uid, char **cause)
{
	(void)st;
	(void)uid;
	(void)cause;
	return 0;
}

static const char *
maildir_junk_folder(struct store *st, char **cause)
{
	struct maildir	*md = st->impl;

	if (maildir_junk_resolve(md) || st->opts.create_junk)
		return md->junk_display;
	*cause = xasprintf("no junk folder \"%s\" in %s (%s/ missing); "
	    "--create-junk creates it", md->junk_display, md->root,
	    md->junk_utf8);
	return NULL;
}

static void
maildir_close(struct store *st)
{
	struct maildir	*md = st->impl;
	size_t		 i;

	for (i = 0; i < md->nmsgs; i++)
		free(md->msgs[i].name);
	free(md->msgs);
	free(md->root);
	free(md->sub);
	free(md->prefix);
	free(md->junk_utf8);
	free(md->junk_mutf7);
	free(md->junk_display);
	free(md);
}

static const struct store_ops maildir_ops = {
	.kind = "maildir",
	.list = maildir_list,
	.fetch_batch = maildir_fetch_batch,
	.fetch = maildir_fetch,
	.junk = maildir_junk,
	.undo = maildir_undo,
	.mark_not_junk = maildir_mark_not_junk,
	.junk_folder = maildir_junk_folder,
	.close = maildir_close,
	.batch = MAILDIR_BATCH,
};

/*
 * "Spam", ".Spam" and "迷惑メール" (kept as UTF-8) name a Maildir++
 * subfolder; NULL or "" is "Junk".  Sets *out (owned) to the name without
 * the dot.
 */
static int
maildir_junk_name(const char *given, char **out, char **cause)
{
	const char		*s = given == NULL || *given == '\0' ? "Junk" :
				    given;
	const unsigned char	*u;
	int			 bad;

	if (*s == '.')
		s++;
	bad = *s == '\0' || *s == '.' || strchr(s, '/') != NULL;
	for (u = (const unsigned char *)s; *u != '\0' && !bad; u++)
		bad = *u < 0x20 || *u == 0x7f;
	if (bad) {
		*cause = xasprintf("junk folder name \"%s\" cannot be a "
		    "Maildir folder", given);
		return -1;
	}
	*out = xstrdup(s);
	return 0;
}

/* "INBOX" for the root, else the subfolder name decoded for display. */
static char *
maildir_display(const char *sub)
{
	char	*name;

	if (*sub == '\0')
		return xstrdup("INBOX");
	if ((name = imap_utf7_decode(sub + 1, NULL)) != NULL)
		return name;
	return xstrdup(sub + 1);
}

struct store *
store_open_maildir(const char *path, const char *junk_folder,
    const struct store_opts *o, char **cause)
{
	struct maildir	*md;
	struct store	*st;
	char		*abs, *base, *parent, *junk, *mutf7, *name, *folder;

	if (path == NULL || *path == '\0') {
		*cause = xstrdup("no Maildir path");
		return NULL;
	}
	if (maildir_junk_name(junk_folder, &junk, cause) != 0)
		return NULL;
	/* One spelling per Maildir, so journal batches find their store. */
	if ((abs = realpath(path, NULL)) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(junk);
		return NULL;
	}
	if (!maildir_is_maildir(abs)) {
		*cause = xasprintf("%s: not a Maildir (no cur/ and new/)",
		    path);
		free(abs);
		free(junk);
		return NULL;
	}

	md = xcalloc(1, sizeof *md);
	md->next_uid = 1;
	base = strrchr(abs, '/') + 1;
	if (base[0] == '.' && base - 1 > abs) {
		parent = xstrndup(abs, (size_t)(base - 1 - abs));
		if (maildir_is_maildir(parent)) {
			md->root = parent;
			md->sub = xstrdup(base);
		} else
			free(parent);
	}
	if (md->root == NULL) {
		md->root = xstrdup(abs);
		md->sub = xstrdup("");
	}
	md->prefix = *md->sub == '\0' ? xstrdup("") :
	    xasprintf("%s/", md->sub);
	md->junk_display = junk;
	md->junk_utf8 = xasprintf(".%s", junk);
	mutf7 = imap_utf7_encode(junk, NULL);
	if (mutf7 != NULL && strcmp(mutf7, junk) != 0)
		md->junk_mutf7 = xasprintf(".%s", mutf7);
	free(mutf7);
	maildir_junk_resolve(md);

	name = xasprintf("maildir:%s", abs);
	folder = maildir_display(md->sub);
	st = store_new(&maildir_ops, md, name, folder, o);
	free(folder);
	free(name);
	free(abs);
	return st;
}
