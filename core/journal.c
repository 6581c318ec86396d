/* SPDX-License-Identifier: ISC */
/*
 * The undo journal.  Append-only text, one record per line, so a crash
 * mid-write can only damage the last line; that line is cut off by the next
 * writer and skipped by readers.  Writers hold an exclusive flock, readers
 * a shared one.  Does not move mail.
 *
 * Records (fields separated by one space, the line ends in "\n"):
 *	batch ID WHEN ACCOUNT SRC SRC-UIDVALIDITY DST DST-UIDVALIDITY N
 *	    then N times: SRC-UID DST-UID MESSAGE-ID SRC-NAME DST-NAME
 *	    then SUM
 *	undone ID SUM
 * Numbers are decimal.  Strings are percent-encoded: every byte outside
 * '!'..'~', and '%', is written %XX, so spaces, newlines and UTF-8 never
 * appear raw.  NULL is "-", the empty string is "%" and the string "-" is
 * "%2D".  SUM is the FNV-1a 32-bit hash of the line before " SUM", as eight
 * lower-case hex digits.  A line with a wrong field count or sum, or an
 * unknown keyword (a later format), is skipped.
 *
 * Past JOURNAL_MAX_SIZE bytes the file is rewritten through a temporary
 * file and rename with the newest JOURNAL_KEEP batches and their "undone"
 * records; lockers notice the inode change and open the file again.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "journal.h"
#include "path.h"
#include "xalloc.h"

#define JOURNAL_BATCH_FIELDS	10	/* keyword to N, plus SUM */
#define JOURNAL_ITEM_FIELDS	5

struct journal_tok {
	const char	*p;
	size_t		 len;
};

/* One complete line of the file, without its "\n". */
struct journal_line {
	const char	*p;
	size_t		 len;
};

static uint32_t
journal_sum(const char *p, size_t len)
{
	uint32_t	 h = 0x811c9dc5u;
	size_t		 i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 0x01000193u;
	return h;
}

static void
journal_put_str(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*u;

	buf_addc(b, ' ');
	if (s == NULL) {
		buf_addc(b, '-');
		return;
	}
	if (*s == '\0') {
		buf_addc(b, '%');
		return;
	}
	if (strcmp(s, "-") == 0) {
		buf_adds(b, "%2D");
		return;
	}
	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if (*u > ' ' && *u < 0x7f && *u != '%')
			buf_addc(b, (char)*u);
		else {
			buf_addc(b, '%');
			buf_addc(b, hex[*u >> 4]);
			buf_addc(b, hex[*u & 0xf]);
		}
	}
}

/* Finishes a record: appends " SUM\n" over what is in b from start. */
static void
journal_put_sum(struct buf *b, size_t start)
{
	buf_printf(b, " %08" PRIx32 "\n", journal_sum(b->data + start,
	    b->len - start));
}

static void
journal_encode_batch(struct buf *b, const struct journal_batch *jb)
{
	const struct journal_item	*it;
	size_t				 start = b->len, i;

	buf_adds(b, "batch");
	journal_put_str(b, jb->id);
	buf_printf(b, " %" PRId64, jb->when);
	journal_put_str(b, jb->account);
	journal_put_str(b, jb->src_mailbox);
	buf_printf(b, " %" PRIu32, jb->src_uidvalidity);
	journal_put_str(b, jb->dst_mailbox);
	buf_printf(b, " %" PRIu32 " %zu", jb->dst_uidvalidity, jb->nitems);
	for (i = 0; i < jb->nitems; i++) {
		it = &jb->items[i];
		buf_printf(b, " %" PRIu32 " %" PRIu32, it->src_uid,
		    it->dst_uid);
		journal_put_str(b, it->message_id);
		journal_put_str(b, it->src_name);
		journal_put_str(b, it->dst_name);
	}
	journal_put_sum(b, start);
}

/* Decodes a string field into *out (owned, or NULL for "-"). */
static int
journal_get_str(const struct journal_tok *t, char **out)
{
	char	*s;
	size_t	 i, n = 0;
	int	 hi, lo;

	*out = NULL;
	if (t->len == 1 && t->p[0] == '-')
		return 0;
	if (t->len == 1 && t->p[0] == '%') {
		*out = xstrdup("");
		return 0;
	}
	s = xmalloc(t->len + 1);
	for (i = 0; i < t->len; i++) {
		if (t->p[i] != '%') {
			s[n++] = t->p[i];
			continue;
		}
		if (t->len - i < 3 || (hi = sagi_hexval(t->p[i + 1])) < 0 ||
		    (lo = sagi_hexval(t->p[i + 2])) < 0 ||
		    (hi == 0 && lo == 0)) {
			free(s);
			return -1;
		}
		s[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	s[n] = '\0';
	*out = s;
	return 0;
}

/*
 * Strict decimal: digits only, within max, or within max + 1 after a
 * leading '-' when neg_ok (so INT64_MIN reads back).
 */
static int
journal_get_num(const struct journal_tok *t, int neg_ok, uint64_t max,
    uint64_t *out, int *neg)
{
	size_t		 i = 0;
	uint64_t	 v = 0;
	unsigned int	 d;

	*neg = 0;
	if (neg_ok && t->len > 1 && t->p[0] == '-') {
		*neg = 1;
		i = 1;
		max++;
	}
	if (i == t->len || t->len - i > 20)
		return -1;
	for (; i < t->len; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			return -1;
		d = (unsigned int)(t->p[i] - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*neg && v == 0)
		return -1;
	*out = v;
	return 0;
}

static int
journal_get_u32(const struct journal_tok *t, uint32_t *out)
{
	uint64_t	 v;
	int		 neg;

	if (journal_get_num(t, 0, UINT32_MAX, &v, &neg) != 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/*
 * Splits a line into fields and checks its sum.  Returns the field count
 * without SUM (so *toks has that many), or -1 for a damaged line.
 */
static long
journal_split(const struct journal_line *l, struct journal_tok **toks)
{
	struct journal_tok	*t;
	size_t			 i, n = 1, k = 0, start = 0;
	uint32_t		 sum = 0;
	int			 v;

	*toks = NULL;
	for (i = 0; i < l->len; i++) {
		if (l->p[i] == ' ')
			n++;
	}
	if (n < 2)
		return -1;
	t = xreallocarray(NULL, n, sizeof *t);
	for (i = 0; i <= l->len; i++) {
		if (i < l->len && l->p[i] != ' ')
			continue;
		if (i == start) {		/* empty field: not ours */
			free(t);
			return -1;
		}
		t[k].p = l->p + start;
		t[k].len = i - start;
		k++;
		start = i + 1;
	}
	if (t[n - 1].len != 8)
		goto bad;
	for (i = 0; i < 8; i++) {
		if ((v = sagi_hexval(t[n - 1].p[i])) < 0)
			goto bad;
		sum = sum << 4 | (uint32_t)v;
	}
	if (journal_sum(l->p, (size_t)(t[n - 1].p - l->p) - 1) != sum)
		goto bad;
	*toks = t;
	return (long)(n - 1);

bad:
	free(t);
	return -1;
}

static int
journal_tok_is(const struct journal_tok *t, const char *word)
{
	return t->len == strlen(word) && memcmp(t->p, word, t->len) == 0;
}

/* Parses a batch line; NULL when it is not a sound batch record. */
static struct journal_batch *
journal_parse_batch(const struct journal_line *l)
{
	struct journal_tok	*t;
	struct journal_batch	*b;
	struct journal_item	*it;
	uint64_t		 v;
	long			 n;
	size_t			 i, nitems, rest;
	int			 neg;

	if ((n = journal_split(l, &t)) < 0)
		return NULL;
	rest = (size_t)n - (JOURNAL_BATCH_FIELDS - 1);
	if ((size_t)n < JOURNAL_BATCH_FIELDS - 1 ||
	    !journal_tok_is(&t[0], "batch") ||
	    journal_get_num(&t[8], 0, SIZE_MAX, &v, &neg) != 0 ||
	    v != rest / JOURNAL_ITEM_FIELDS ||
	    rest % JOURNAL_ITEM_FIELDS != 0) {
		free(t);
		return NULL;
	}
	nitems = (size_t)v;
	b = xcalloc(1, sizeof *b);
	if (journal_get_str(&t[1], &b->id) != 0 || b->id == NULL ||
	    journal_get_num(&t[2], 1, INT64_MAX, &v, &neg) != 0 ||
	    journal_get_str(&t[3], &b->account) != 0 ||
	    journal_get_str(&t[4], &b->src_mailbox) != 0 ||
	    journal_get_u32(&t[5], &b->src_uidvalidity) != 0 ||
	    journal_get_str(&t[6], &b->dst_mailbox) != 0 ||
	    journal_get_u32(&t[7], &b->dst_uidvalidity) != 0)
		goto bad;
	b->when = neg ? -(int64_t)(v - 1) - 1 : (int64_t)v;
	if (nitems > 0)
		b->items = xcalloc(nitems, sizeof *b->items);
	for (i = 0; i < nitems; i++) {
		const struct journal_tok *f = &t[9 + i * JOURNAL_ITEM_FIELDS];

		it = &b->items[i];
		b->nitems++;
		if (journal_get_u32(&f[0], &it->src_uid) != 0 ||
		    journal_get_u32(&f[1], &it->dst_uid) != 0 ||
		    journal_get_str(&f[2], &it->message_id) != 0 ||
		    journal_get_str(&f[3], &it->src_name) != 0 ||
		    journal_get_str(&f[4], &it->dst_name) != 0)
			goto bad;
	}
	free(t);
	return b;

bad:
	free(t);
	journal_batch_free(b);
	return NULL;
}

/* The id of an "undone" line (owned), or NULL when it is not one. */
static char *
journal_parse_undone(const struct journal_line *l)
{
	struct journal_tok	*t;
	char			*id = NULL;
	long			 n;

	if (l->len < 7 || memcmp(l->p, "undone ", 7) != 0)
		return NULL;
	if ((n = journal_split(l, &t)) != 2)
		goto out;
	if (journal_get_str(&t[1], &id) != 0) {
		free(id);
		id = NULL;
	}
out:
	free(t);
	return id;
}

/* The id field of a line (borrowed, still encoded) after keyword kw. */
static int
journal_line_id(const struct journal_line *l, const char *kw,
    struct journal_tok *id)
{
	size_t		 kwlen = strlen(kw), i;

	if (l->len <= kwlen + 1 || memcmp(l->p, kw, kwlen) != 0 ||
	    l->p[kwlen] != ' ')
		return -1;
	id->p = l->p + kwlen + 1;
	for (i = kwlen + 1; i < l->len && l->p[i] != ' '; i++)
		;
	id->len = (size_t)(l->p + i - id->p);
	return 0;
}

/* Splits data into complete lines; a torn tail (no "\n") is left out. */
static struct journal_line *
journal_lines(const char *data, size_t len, size_t *n_out)
{
	struct journal_line	*lines = NULL;
	size_t			 n = 0, cap = 0, start = 0;
	const char		*nl;

	while (start < len &&
	    (nl = memchr(data + start, '\n', len - start)) != NULL) {
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			lines = xreallocarray(lines, cap, sizeof *lines);
		}
		lines[n].p = data + start;
		lines[n].len = (size_t)(nl - (data + start));
		n++;
		start = (size_t)(nl - data) + 1;
	}
	*n_out = n;
	return lines;
}

/*
 * Opens and flocks path.  Rotation renames a new file over the old one, so
 * after getting the lock check that path still names the locked file.
 * Returns the fd, or -1 with errno set.
 */
static int
journal_lock(const char *path, int flags, int op)
{
	struct stat	 fst, pst;
	int		 fd, saved;

	for (;;) {
		fd = open(path, flags | O_CLOEXEC, 0600);
		if (fd == -1)
			return -1;
		while (flock(fd, op) != 0) {
			if (errno != EINTR) {
				saved = errno;
				close(fd);
				errno = saved;
				return -1;
			}
		}
		if (fstat(fd, &fst) == 0 && stat(path, &pst) == 0 &&
		    fst.st_dev == pst.st_dev && fst.st_ino == pst.st_ino)
			return fd;
		close(fd);
	}
}

static int
journal_read_fd(int fd, struct buf *out)
{
	char	 tmp[65536];
	ssize_t	 n;
	off_t	 off = 0;

	for (;;) {
		n = pread(fd, tmp, sizeof tmp, off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return 0;
		buf_add(out, tmp, (size_t)n);
		off += n;
	}
}

static int
journal_write_all(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Locks path for writing and reads it; a torn last line left by a crash is
 * cut off so the next record starts on a line of its own.
 */
static int
journal_open_write(const char *path, int create, struct buf *data,
    char **cause)
{
	char	*nl;
	int	 fd;

	if (create && path_mkdirs_parent(path, cause) != 0)
		return -1;
	fd = journal_lock(path, O_RDWR | O_APPEND | (create ? O_CREAT : 0),
	    LOCK_EX);
	if (fd == -1) {
		if (errno == ENOENT && !create)
			*cause = xasprintf("%s: no journal yet", path);
		else
			*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(data);
	if (journal_read_fd(fd, data) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (data->len > 0 && data->data[data->len - 1] != '\n') {
		nl = memrchr(data->data, '\n', data->len);
		data->len = nl == NULL ? 0 : (size_t)(nl - data->data) + 1;
		data->data[data->len] = '\0';
		if (ftruncate(fd, (off_t)data->len) != 0) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
			goto fail;
		}
	}
	return fd;

fail:
	buf_free(data);
	close(fd);
	return -1;
}

/* Appends rec (whole lines) to the locked fd; all or nothing. */
static int
journal_write_rec(int fd, const char *path, size_t oldlen,
    const struct buf *rec, char **cause)
{
	int	 saved;

	if (journal_write_all(fd, rec->data, rec->len) != 0 || fsync(fd) != 0) {
		saved = errno;
		if (ftruncate(fd, (off_t)oldlen) == 0)
			fsync(fd);
		*cause = xasprintf("%s: %s", path, strerror(saved));
		return -1;
	}
	return 0;
}

/* Whether a batch with id (encoded as written) is among lines. */
static int
journal_has_batch(const struct journal_line *lines, size_t n, const char *id)
{
	struct journal_tok	 t;
	size_t			 i, idlen = strlen(id);

	for (i = 0; i < n; i++) {
		if (journal_line_id(&lines[i], "batch", &t) == 0 &&
		    t.len == idlen && memcmp(t.p, id, idlen) == 0)
			return 1;
	}
	return 0;
}

/*
 * Rewrites path with the newest JOURNAL_KEEP - 1 sound batches of lines,
 * their "undone" records, and rec, via a temporary file and rename.
 */
static int
journal_rotate(const char *path, const struct journal_line *lines, size_t n,
    const struct buf *rec, char **cause)
{
	struct journal_tok	 t, u;
	struct journal_batch	*b;
	struct buf		 out;
	char			*tmp, *dir, *slash, *id;
	size_t			 i, j, first = 0, kept = 0;
	int			*keep, fd, saved, dfd;

	/* Newest batches first, to find where the kept range begins. */
	keep = xcalloc(n == 0 ? 1 : n, sizeof *keep);
	for (i = n; i > 0 && kept < JOURNAL_KEEP - 1; i--) {
		if ((b = journal_parse_batch(&lines[i - 1])) == NULL)
			continue;
		journal_batch_free(b);
		keep[i - 1] = 1;
		kept++;
		first = i - 1;
	}
	for (i = first; i < n; i++) {
		if (keep[i] || (id = journal_parse_undone(&lines[i])) == NULL)
			continue;
		free(id);
		if (journal_line_id(&lines[i], "undone", &u) != 0)
			continue;
		for (j = first; j < i; j++) {
			if (keep[j] == 1 &&
			    journal_line_id(&lines[j], "batch", &t) == 0 &&
			    t.len == u.len && memcmp(t.p, u.p, u.len) == 0) {
				keep[i] = 2;
				break;
			}
		}
	}
	buf_init(&out);
	for (i = first; i < n; i++) {
		if (keep[i]) {
			buf_add(&out, lines[i].p, lines[i].len);
			buf_addc(&out, '\n');
		}
	}
	free(keep);
	buf_add(&out, rec->data, rec->len);

	tmp = xasprintf("%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		buf_free(&out);
		return -1;
	}
	if (fchmod(fd, 0600) != 0 ||
	    journal_write_all(fd, out.data, out.len) != 0 || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		saved = errno;
		goto fail;
	}
	free(tmp);
	buf_free(&out);
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd != -1) {
			fsync(dfd);
			close(dfd);
		}
	}
	free(dir);
	return 0;

fail:
	unlink(tmp);
	*cause = xasprintf("%s: %s", path, strerror(saved));
	free(tmp);
	buf_free(&out);
	return -1;
}

/* "20261128T031500Z-4f2a": when in UTC and a suffix unique in the file. */
static char *
journal_new_id(int64_t when, const struct journal_line *lines, size_t n)
{
	struct timespec	 ts;
	struct tm	 tm;
	time_t		 t = (time_t)when;
	char		 stamp[32], *id;
	unsigned int	 suffix, tries;

	if ((int64_t)t != when || gmtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) == 0)
		strcpy(stamp, "00000000T000000Z");
	clock_gettime(CLOCK_REALTIME, &ts);
	suffix = (unsigned int)ts.tv_nsec ^
	    (unsigned int)getpid() * 2654435761u;
	for (tries = 0; ; tries++) {
		if (tries < 65536)
			id = xasprintf("%s-%04x", stamp,
			    (suffix + tries) & 0xffff);
		else
			id = xasprintf("%s-%x", stamp, suffix + tries);
		if (!journal_has_batch(lines, n, id))
			return id;
		free(id);
	}
}

int
journal_append(const char *path, struct journal_batch *b, char **cause)
{
	struct journal_line	*lines;
	struct buf		 data, rec;
	size_t			 n;
	char			*id, *old_id;
	int			 fd, rc;

	if (path == NULL || b == NULL) {
		*cause = xstrdup("no journal path or batch");
		return -1;
	}
	if (b->nitems > 0 && b->items == NULL) {
		*cause = xstrdup("journal batch has items but no array");
		return -1;
	}
	if ((fd = journal_open_write(path, 1, &data, cause)) == -1)
		return -1;
	lines = journal_lines(data.data, data.len, &n);

	if (b->when == 0)
		b->when = (int64_t)time(NULL);
	id = journal_new_id(b->when, lines, n);
	old_id = b->id;
	b->id = id;
	buf_init(&rec);
	journal_encode_batch(&rec, b);

	if (data.len + rec.len > JOURNAL_MAX_SIZE)
		rc = journal_rotate(path, lines, n, &rec, cause);
	else
		rc = journal_write_rec(fd, path, data.len, &rec, cause);
	if (rc == 0)
		free(old_id);
	else {
		b->id = old_id;
		free(id);
	}
	buf_free(&rec);
	free(lines);
	buf_free(&data);
	close(fd);		/* releases the lock */
	return rc;
}

int
journal_mark_undone(const char *path, const char *id, char **cause)
{
	struct journal_line	*lines;
	struct buf		 data, rec;
	size_t			 n, i;
	int			 fd, rc = -1, found = 0;
	struct journal_batch	*b;

	if (path == NULL || id == NULL) {
		*cause = xstrdup("no journal path or batch id");
		return -1;
	}
	if ((fd = journal_open_write(path, 0, &data, cause)) == -1)
		return -1;
	lines = journal_lines(data.data, data.len, &n);
	for (i = n; i > 0 && !found; i--) {
		if ((b = journal_parse_batch(&lines[i - 1])) == NULL)
			continue;
		found = strcmp(b->id, id) == 0;
		journal_batch_free(b);
	}
	if (!found)
		*cause = xasprintf("no batch %s in the journal", id);
	else {
		buf_init(&rec);
		buf_adds(&rec, "undone");
		journal_put_str(&rec, id);
		journal_put_sum(&rec, 0);
		rc = journal_write_rec(fd, path, data.len, &rec, cause);
		buf_free(&rec);
	}
	free(lines);
	buf_free(&data);
	close(fd);
	return rc;
}

int
journal_last(const char *path, const char *account,
    struct journal_batch **out, char **cause)
{
	struct journal_line	*lines;
	struct journal_batch	*b;
	struct buf		 data;
	char			**undone = NULL, *id;
	size_t			 n, i, j, nundone = 0;
	int			 fd, skip;

	*out = NULL;
	if (path == NULL) {
		*cause = xstrdup("no journal path");
		return -1;
	}
	fd = journal_lock(path, O_RDONLY, LOCK_SH);
	if (fd == -1 && errno == ENOENT)
		return 0;
	if (fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&data);
	if (journal_read_fd(fd, &data) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		buf_free(&data);
		close(fd);
		return -1;
	}
	close(fd);

	/*
	 * Newest first.  An "undone" record always follows its batch, so the
	 * ids collected on the way back cover every batch still ahead.
	 */
	lines = journal_lines(data.data, data.len, &n);
	for (i = n; i > 0 && *out == NULL; i--) {
		if ((id = journal_parse_undone(&lines[i - 1])) != NULL) {
			undone = xreallocarray(undone, nundone + 1,
			    sizeof *undone);
			undone[nundone++] = id;
			continue;
		}
		if ((b = journal_parse_batch(&lines[i - 1])) == NULL)
			continue;
		skip = account != NULL && (b->account == NULL ||
		    strcmp(b->account, account) != 0);
		for (j = 0; j < nundone && !skip; j++)
			skip = strcmp(undone[j], b->id) == 0;
		if (skip)
			journal_batch_free(b);
		else
			*out = b;
	}
	for (j = 0; j < nundone; j++)
		free(undone[j]);
	free(undone);
	free(lines);
	buf_free(&data);
	return 0;
}

void
journal_batch_free(struct journal_batch *b)
{
	size_t	 i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nitems; i++) {
		free(b->items[i].message_id);
		free(b->items[i].src_name);
		free(b->items[i].dst_name);
	}
	free(b->items);
	free(b->id);
	free(b->account);
	free(b->src_mailbox);
	free(b->dst_mailbox);
	free(b);
}
