/* SPDX-License-Identifier: ISC */
/*
 * The mbox store: one mbox file, mapped read-only, split on "From " lines
 * that follow a blank line, ">From " quoting (mboxrd) undone on fetch — the
 * rules core/source.c uses for sagi scan.  Lists and classifies; never
 * writes: junk, undo and "not junk" are refused, because moving mail out of
 * an mbox means rewriting a file another program may be appending to.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "source.h"
#include "store-int.h"
#include "xalloc.h"

#define MBOX_BATCH	256	/* messages between progress and listed calls */

/* Why the mailbox cannot be changed: the TUI shows it on the junk keys. */
#define MBOX_READ_ONLY	"mbox is read-only in sagi: nothing is moved or " \
			"marked (convert it to a Maildir to junk mail)"

/* One message: its bytes after the separator line, [start, end). */
struct mbox_msg {
	uint32_t	 uid;
	size_t		 start;
	size_t		 end;
	uint64_t	 hash;		/* of the header block */
};

struct mbox {
	char		*path;
	const char	*map;		/* NULL for an empty file */
	size_t		 maplen;
	dev_t		 dev;
	ino_t		 ino;
	struct mbox_msg	*msgs;		/* ascending uid between listings */
	size_t		 nmsgs;
	uint32_t	 next_uid;	/* uids are never reused */
};

static void
mbox_unmap(struct mbox *mb)
{
	if (mb->map != NULL)
		munmap((void *)mb->map, mb->maplen);
	mb->map = NULL;
	mb->maplen = 0;
}

/* Start of the next "From " separator at or after off, or len. */
static size_t
mbox_next_sep(const char *map, size_t len, size_t off)
{
	const char	*p = map + off, *end = map + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL)
			break;
		p = nl + 1;
		if ((size_t)(end - p) >= 5 && memcmp(p, "From ", 5) == 0 &&
		    p - map >= 2 && (p[-2] == '\n' ||
		    (p[-2] == '\r' && p - map >= 3 && p[-3] == '\n')))
			return (size_t)(p - map);
	}
	return len;
}

/* The header block of m: up to and with the blank line. */
static size_t
mbox_header_len(const char *p, size_t len)
{
	size_t	i;

	for (i = 0; i + 1 < len; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && p[i + 1] == '\r' && p[i + 2] == '\n')
			return i + 3;
	}
	return len;
}

/* The value of header name in hdr (not unfolded), or NULL; *vlen set. */
static const char *
mbox_header(const char *hdr, size_t len, const char *name, size_t *vlen)
{
	size_t	 n = strlen(name), i = 0, e;

	while (i < len) {
		const char *nl = memchr(hdr + i, '\n', len - i);

		e = nl != NULL ? (size_t)(nl - hdr) : len;
		if (e - i > n && hdr[i + n] == ':' &&
		    strncasecmp(hdr + i, name, n) == 0) {
			i += n + 1;
			*vlen = e - i;
			return hdr + i;
		}
		i = e + 1;
	}
	return NULL;
}

/* What mutt and other mbox programs write: Status: RO, X-Status: AF. */
static unsigned int
mbox_flags(const char *hdr, size_t len)
{
	const char	*v;
	size_t		 vlen;
	unsigned int	 flags = 0;

	if ((v = mbox_header(hdr, len, "Status", &vlen)) != NULL &&
	    memchr(v, 'R', vlen) != NULL)
		flags |= STORE_SEEN;
	if ((v = mbox_header(hdr, len, "X-Status", &vlen)) != NULL) {
		if (memchr(v, 'A', vlen) != NULL)
			flags |= STORE_ANSWERED;
		if (memchr(v, 'F', vlen) != NULL)
			flags |= STORE_FLAGGED;
		if (memchr(v, 'D', vlen) != NULL)
			flags |= STORE_DELETED;
	}
	return flags;
}

static void
mbox_fill(struct store *st, struct store_entry *e, const char *map,
    const struct mbox_msg *m, int64_t mtime)
{
	size_t	hlen = mbox_header_len(map + m->start, m->end - m->start);

	store_entry_fill_headers(st, e, map + m->start, hlen);
	if (e->from == NULL)
		e->from = store_string(st, "");
	if (e->subject == NULL)
		e->subject = store_string(st, "");
	if (e->date == 0)
		e->date = mtime;
	e->size = m->end - m->start;
	e->flags = mbox_flags(map + m->start, hlen);
}

static int
mbox_msg_start_cmp(const void *a, const void *b)
{
	const struct mbox_msg *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int
mbox_msg_uid_cmp(const void *a, const void *b)
{
	const struct mbox_msg *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static int
mbox_entry_cmp(const void *a, const void *b)
{
	const struct store_entry *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/*
 * Shows the listed callback ents[from..to): shallow copies, with what the
 * previous list knew for a message it had (kept[i]).
 */
static void
mbox_report(struct store *st, const struct store_entry *ents,
    const int *kept, size_t from, size_t to)
{
	struct store_entry	*batch, *was;
	size_t			 i;

	if (st->listed == NULL || to <= from)
		return;
	batch = xcalloc(to - from, sizeof *batch);
	for (i = from; i < to; i++) {
		batch[i - from] = ents[i];
		if (kept[i] && (was = store_entry_find(st, ents[i].uid)) != NULL)
			batch[i - from] = *was;
	}
	store_listed(st, batch, to - from);
	free(batch);
}

/* Maps path read-only; *map NULL for an empty file.  0, or -1 and *cause. */
static int
mbox_map(const char *path, const char **map, struct stat *sb, char **cause)
{
	int	fd;

	*map = NULL;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (sb->st_size > 0) {
		*map = mmap(NULL, (size_t)sb->st_size, PROT_READ, MAP_PRIVATE,
		    fd, 0);
		if (*map == MAP_FAILED) {
			*map = NULL;
			*cause = xasprintf("%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	close(fd);
	if (*map != NULL && (sb->st_size < 5 || memcmp(*map, "From ", 5) != 0)) {
		munmap((void *)*map, (size_t)sb->st_size);
		*map = NULL;
		*cause = xasprintf("%s: not an mbox (it does not start with "
		    "\"From \")", path);
		return -1;
	}
	return 0;
}

/* FNV-1a of m's header block: a file rewritten in place (same inode, as
 * some mail programs do) must not keep a uid for other bytes. */
static uint64_t
mbox_hash(const char *map, size_t start, size_t end)
{
	uint64_t	h = 14695981039346656037ULL;
	size_t		i, n = mbox_header_len(map + start, end - start);

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)map[start + i];
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * Whether a message that ended at old->end now ends at end with the same
 * bytes: the same end, or, for the last message of the old file, only
 * the blank line a writer puts before the next "From " line added.
 */
static int
mbox_same_end(const char *map, const struct mbox_msg *old, size_t end,
    size_t oldlen)
{
	size_t	i;

	if (old->end == end)
		return 1;
	if (old->end != oldlen || end < old->end || end - old->end > 2)
		return 0;
	for (i = old->end; i < end; i++) {
		if (map[i] != '\n' && map[i] != '\r')
			return 0;
	}
	return 1;
}

/*
 * Splits the file into messages.  A file that only grew since the last
 * listing (the usual way mail arrives in an mbox) keeps the uid, headers
 * and verdict of every message still at the same offsets with the same
 * header block and length; anything else
 * gets a new uid, so a uid the caller holds never names another message.
 * A cancelled listing leaves the previous list as it was.
 */
static int
mbox_list(struct store *st, char **cause)
{
	struct mbox		*mb = st->impl;
	struct mbox_msg		*msgs = NULL;
	struct store_entry	*ents = NULL, *was, *e;
	struct stat		 sb;
	const char		*map;
	size_t			 n = 0, a = 0, off, start, end, i, k = 0;
	size_t			 shown = 0, size, total = 0;
	uint32_t		 next = mb->next_uid;
	int			*kept = NULL, same;

	if (mbox_map(mb->path, &map, &sb, cause) != 0)
		return -1;
	size = map != NULL ? (size_t)sb.st_size : 0;
	same = mb->dev == sb.st_dev && mb->ino == sb.st_ino &&
	    size >= mb->maplen;
	/* A quick count first, for the progress line. */
	for (off = 0; off < size; off = mbox_next_sep(map, size, off + 1))
		total++;
	/* The old list by offset, to walk alongside the file. */
	if (mb->nmsgs > 1)
		qsort(mb->msgs, mb->nmsgs, sizeof *mb->msgs,
		    mbox_msg_start_cmp);
	for (off = 0; off < size; off = end) {
		const char *nl = memchr(map + off, '\n', size - off);

		start = nl != NULL ? (size_t)(nl - map) + 1 : size;
		end = mbox_next_sep(map, size, start);
		if (n == a) {
			a = a == 0 ? 64 : a * 2;
			msgs = xreallocarray(msgs, a, sizeof *msgs);
			ents = xreallocarray(ents, a, sizeof *ents);
			kept = xreallocarray(kept, a, sizeof *kept);
		}
		msgs[n].start = start;
		msgs[n].end = end;
		msgs[n].hash = mbox_hash(map, start, end);
		memset(&ents[n], 0, sizeof ents[n]);
		while (k < mb->nmsgs && mb->msgs[k].start < start)
			k++;
		kept[n] = same && k < mb->nmsgs && mb->msgs[k].start == start &&
		    mb->msgs[k].hash == msgs[n].hash &&
		    mbox_same_end(map, &mb->msgs[k], end, mb->maplen) &&
		    store_entry_find(st, mb->msgs[k].uid) != NULL;
		msgs[n].uid = kept[n] ? mb->msgs[k].uid : next++;
		ents[n].uid = msgs[n].uid;
		if (!kept[n])
			mbox_fill(st, &ents[n], map, &msgs[n],
			    (int64_t)sb.st_mtime);
		n++;
		if (n % MBOX_BATCH != 0)
			continue;
		mbox_report(st, ents, kept, shown, n);
		shown = n;
		if (store_progress(st, "listing", n, total)) {
			for (i = 0; i < n; i++)
				store_entry_clear(&ents[i]);
			free(ents);
			free(kept);
			free(msgs);
			munmap((void *)map, size);
			if (mb->nmsgs > 1)
				qsort(mb->msgs, mb->nmsgs, sizeof *mb->msgs,
				    mbox_msg_uid_cmp);
			*cause = xstrdup("cancelled");
			return -1;
		}
	}
	mbox_report(st, ents, kept, shown, n);
	/* Known messages keep what the old entries hold. */
	for (i = 0; i < n; i++) {
		if (!kept[i] || (was = store_entry_find(st, ents[i].uid)) == NULL)
			continue;
		ents[i] = *was;
		memset(was, 0, sizeof *was);
		was->uid = ents[i].uid;
	}
	store_entries_clear(st);
	if (n > 1) {
		qsort(ents, n, sizeof *ents, mbox_entry_cmp);
		qsort(msgs, n, sizeof *msgs, mbox_msg_uid_cmp);
	}
	for (i = 0; i < n; i++) {
		e = store_entries_add(st, ents[i].uid);
		*e = ents[i];
	}
	free(ents);
	free(kept);
	mbox_unmap(mb);
	free(mb->msgs);
	mb->map = map;
	mb->maplen = size;
	mb->dev = sb.st_dev;
	mb->ino = sb.st_ino;
	mb->msgs = msgs;
	mb->nmsgs = n;
	mb->next_uid = next;
	store_progress(st, "listing", n, n);
	return 0;
}

/* msgs are in uid order between listings. */
static const struct mbox_msg *
mbox_find(const struct mbox *mb, uint32_t uid)
{
	struct mbox_msg	 key;

	if (mb->nmsgs == 0)
		return NULL;
	key.uid = uid;
	return bsearch(&key, mb->msgs, mb->nmsgs, sizeof *mb->msgs,
	    mbox_msg_uid_cmp);
}

/* The message with ">From " quoting undone, as source.c gives it. */
static int
mbox_read(struct store *st, uint32_t uid, char **data, size_t *len,
    char **cause)
{
	struct mbox		*mb = st->impl;
	const struct mbox_msg	*m = mbox_find(mb, uid);
	struct buf		 b;
	size_t			 i;

	*data = NULL;
	*len = 0;
	if (m == NULL) {
		*cause = xasprintf("no message with uid %u in %s", uid,
		    mb->path);
		return -1;
	}
	if (m->end - m->start > SOURCE_MAX_MESSAGE) {
		*cause = xasprintf("%s: message larger than %u MB, not read",
		    mb->path, SOURCE_MAX_MESSAGE >> 20);
		return -1;
	}
	buf_init(&b);
	for (i = m->start; i < m->end;) {
		const char	*line = mb->map + i;
		const char	*nl = memchr(line, '\n', m->end - i);
		size_t		 ll = nl != NULL ? (size_t)(nl - line) + 1 :
				     m->end - i;
		size_t		 q = 0;

		while (q < ll && line[q] == '>')
			q++;
		if (q > 0 && ll - q >= 5 && memcmp(line + q, "From ", 5) == 0)
			buf_add(&b, line + 1, ll - 1);	/* mboxrd */
		else
			buf_add(&b, line, ll);
		i += ll;
	}
	*len = b.len;
	*data = buf_take(&b);
	buf_free(&b);
	return 0;
}

static int
mbox_fetch_batch(struct store *st, const uint32_t *uids, size_t n,
    store_sink_fn sink, void *ctx, char **cause)
{
	char	*data, *why;
	size_t	 len, i;

	(void)cause;
	for (i = 0; i < n; i++) {
		why = NULL;
		if (mbox_read(st, uids[i], &data, &len, &why) != 0)
			sink(ctx, uids[i], NULL, 0, why);
		else
			sink(ctx, uids[i], data, len, NULL);
	}
	return 0;
}

static int
mbox_junk(struct store *st, const uint32_t *uids, size_t n,
    struct store_move_report *rep, char **cause)
{
	(void)st;
	(void)uids;
	rep->failed = n;
	store_report_note(rep, "%s", MBOX_READ_ONLY);
	*cause = xstrdup(MBOX_READ_ONLY);
	return -1;
}

static int
mbox_undo(struct store *st, struct store_move_report *rep, char **cause)
{
	(void)st;
	(void)rep;
	*cause = xstrdup(MBOX_READ_ONLY);
	return -1;
}

static int
mbox_mark_not_junk(struct store *st, uint32_t uid, char **cause)
{
	(void)st;
	(void)uid;
	*cause = xstrdup(MBOX_READ_ONLY);
	return -1;
}

static const char *
mbox_junk_folder(struct store *st, char **cause)
{
	(void)st;
	*cause = xstrdup(MBOX_READ_ONLY);
	return NULL;
}

static void
mbox_close(struct store *st)
{
	struct mbox	*mb = st->impl;

	mbox_unmap(mb);
	free(mb->msgs);
	free(mb->path);
	free(mb);
}

static const struct store_ops mbox_ops = {
	.kind = "mbox",
	.list = mbox_list,
	.fetch_batch = mbox_fetch_batch,
	.fetch = mbox_read,
	.junk = mbox_junk,
	.undo = mbox_undo,
	.mark_not_junk = mbox_mark_not_junk,
	.junk_folder = mbox_junk_folder,
	.close = mbox_close,
	.batch = 64,
	.read_only = MBOX_READ_ONLY,
};

struct store *
store_open_mbox(const char *path, const struct store_opts *o, char **cause)
{
	struct mbox	*mb;
	struct stat	 sb;
	struct store	*st;
	char		*name, head[5];
	const char	*base;
	ssize_t		 got;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	got = sb.st_size > 0 ? read(fd, head, sizeof head) : 0;
	close(fd);
	if (sb.st_size > 0 && (got != 5 || memcmp(head, "From ", 5) != 0)) {
		*cause = xasprintf("%s: not an mbox (it does not start with "
		    "\"From \")", path);
		return NULL;
	}
	mb = xcalloc(1, sizeof *mb);
	mb->path = xstrdup(path);
	mb->next_uid = 1;
	base = strrchr(path, '/');
	base = base != NULL && base[1] != '\0' ? base + 1 : path;
	name = xasprintf("mbox:%s", path);
	st = store_new(&mbox_ops, mb, name, base, o);
	free(name);
	return st;
}
