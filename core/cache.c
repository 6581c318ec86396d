/* SPDX-License-Identifier: ISC */
/*
 * The per-mailbox message cache.  The whole file is read in one go, checked
 * against its CRC-32 and parsed with every length tested against the bytes
 * left; anything unexpected leaves an empty cache and a reason, never an
 * error.  Records live in one array sorted by uid; their strings, and those
 * of their verdicts, are interned in a string pool (usually the store's,
 * which its entries share), so loading costs no allocation per string and
 * the file image is never held whole: one pass checks the CRC, a second
 * parses through a window.  Saving streams through a small buffer.
 *
 * File format, version 2.  "var" is an unsigned LEB128 varint; "str" is a
 * var of length + 1 (0 for NULL), the bytes and a NUL.
 *	"SAGICACH", version as 4 bytes little-endian,
 *	str account, str mailbox, var uidvalidity, str rules_version,
 *	var uidnext, var highestmodseq, var count,
 *	count records in ascending uid order:
 *	    var uid (the first) or uid - previous uid - 1 (the others),
 *	    var modseq, var flags, var size, var date (zigzag),
 *	    str message_id, str from, str from_addr, str subject,
 *	    var verdict length + 1 (0 = none) and verdict_encode() bytes,
 *	CRC-32 (IEEE, as zlib's crc32) of everything before, 4 bytes LE.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cache.h"
#include "path.h"
#include "strpool.h"
#include "verdict-codec.h"
#include "verdict.h"
#include "xalloc.h"

#define CACHE_MAGIC		"SAGICACH"
#define CACHE_MAGIC_LEN		8
#define CACHE_VERSION		2	/* 2: from_addr */
/* Five one-byte numbers, three NULL strings, no verdict. */
#define CACHE_MIN_REC		9
/* A cache this big is not ours; refuse to read it into memory. */
#define CACHE_MAX_FILE		((size_t)1 << 30)
#define CACHE_CHUNK		(256 * 1024)

struct cache {
	char			*dir;
	char			*path;
	char			*account;
	char			*mailbox;
	char			*rules_version;
	uint32_t		 uidvalidity;
	uint32_t		 uidnext;
	uint64_t		 highestmodseq;
	struct cache_rec	*recs;		/* ascending uid */
	size_t			 nrecs, caprecs;
	struct strpool		*strings;	/* own_strings, or borrowed */
	struct strpool		*own_strings;	/* owned; NULL when borrowed */
	char			*reason;
	int			 dirty;
	cache_lender_fn		 lender;
	void			*lender_ctx;
};

/* CRC-32 tables for slicing-by-8; built per load or save, not global. */
struct cache_crc {
	uint32_t	 t[8][256];
};

/* The file read through a window: buf[off..len) is read, not parsed. */
struct cache_in {
	int			 fd;
	unsigned char		*buf;		/* owned */
	size_t			 cap, len, off;
	uint64_t		 left;		/* bytes still to read */
	const char		*error;		/* static; first problem only */
};

struct cache_out {
	int			 fd;
	const struct cache_crc	*crc;
	uint32_t		 sum;		/* running CRC register */
	size_t			 len;
	int			 error;		/* errno of the first failure */
	unsigned char		 buf[CACHE_CHUNK];
};

static void
cache_crc_init(struct cache_crc *k)
{
	uint32_t	 c;
	size_t		 i, j;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
		k->t[0][i] = c;
	}
	for (i = 0; i < 256; i++) {
		for (j = 1; j < 8; j++)
			k->t[j][i] = (k->t[j - 1][i] >> 8) ^
			    k->t[0][k->t[j - 1][i] & 0xff];
	}
}

/* Feeds len bytes to the CRC register c (start 0xffffffff, end with ~). */
static uint32_t
cache_crc_update(const struct cache_crc *k, uint32_t c, const unsigned char *p,
    size_t len)
{
	while (len >= 8) {
		c ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		c = k->t[7][c & 0xff] ^ k->t[6][(c >> 8) & 0xff] ^
		    k->t[5][(c >> 16) & 0xff] ^ k->t[4][c >> 24] ^
		    k->t[3][p[4]] ^ k->t[2][p[5]] ^ k->t[1][p[6]] ^
		    k->t[0][p[7]];
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		c = k->t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return c;
}

/* FNV-1a 64 of account, a NUL and mailbox: the file name. */
static uint64_t
cache_name_hash(const char *account, const char *mailbox)
{
	uint64_t		 h = 0xcbf29ce484222325ull;
	const unsigned char	*s;

	for (s = (const unsigned char *)account; *s != '\0'; s++)
		h = (h ^ *s) * 0x100000001b3ull;
	h *= 0x100000001b3ull;		/* the separating NUL */
	for (s = (const unsigned char *)mailbox; *s != '\0'; s++)
		h = (h ^ *s) * 0x100000001b3ull;
	return h;
}

static void
cache_out_flush(struct cache_out *o)
{
	const unsigned char	*p = o->buf;
	size_t			 len = o->len;
	ssize_t			 n;

	o->len = 0;
	while (len > 0 && o->error == 0) {
		n = write(o->fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			o->error = errno;
		else {
			p += n;
			len -= (size_t)n;
		}
	}
}

/* Buffered write; the CRC covers every byte as it passes. */
static void
cache_out_add(struct cache_out *o, const void *v, size_t n)
{
	const unsigned char	*p = v;
	size_t			 room;

	o->sum = cache_crc_update(o->crc, o->sum, p, n);
	while (n > 0) {
		room = sizeof o->buf - o->len;
		if (room > n)
			room = n;
		memcpy(o->buf + o->len, p, room);
		o->len += room;
		p += room;
		n -= room;
		if (o->len == sizeof o->buf)
			cache_out_flush(o);
	}
}

static void
cache_out_var(struct cache_out *o, uint64_t v)
{
	unsigned char	 b[VERDICT_CODEC_VARINT_MAX];

	cache_out_add(o, b, verdict_codec_varint_put(v, b));
}

static void
cache_out_str(struct cache_out *o, const char *s)
{
	size_t	 n;

	if (s == NULL) {
		cache_out_var(o, 0);
		return;
	}
	n = strlen(s);
	cache_out_var(o, (uint64_t)n + 1);
	cache_out_add(o, s, n + 1);	/* with the NUL, for loading in place */
}

static int
cache_in_fail(struct cache_in *in, const char *why)
{
	if (in->error == NULL)
		in->error = why;
	return -1;
}

/* Unparsed bytes: those in the window and those still in the file. */
static uint64_t
cache_in_remaining(const struct cache_in *in)
{
	return (uint64_t)(in->len - in->off) + in->left;
}

/*
 * Makes want bytes readable at buf + off, growing the window if it must;
 * fewer at the end of the file.  Pointers into the window die here.
 * Returns 0 when want bytes are there, else -1 (in->error when reading
 * failed).
 */
static int
cache_in_fill(struct cache_in *in, size_t want)
{
	size_t	 room;
	ssize_t	 n;

	if (in->len - in->off >= want)
		return 0;
	memmove(in->buf, in->buf + in->off, in->len - in->off);
	in->len -= in->off;
	in->off = 0;
	if (want > in->cap) {
		in->cap = want;
		in->buf = xrealloc(in->buf, in->cap);
	}
	while (in->len < want && in->left > 0) {
		room = in->cap - in->len;
		if (room > in->left)
			room = (size_t)in->left;
		n = read(in->fd, in->buf + in->len, room);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return cache_in_fail(in, "read error");
		if (n == 0) {
			in->left = 0;	/* shrank under us */
			break;
		}
		in->len += (size_t)n;
		in->left -= (uint64_t)n;
	}
	return in->len - in->off >= want ? 0 : -1;
}

static int
cache_get_var(struct cache_in *in, uint64_t *out)
{
	cache_in_fill(in, VERDICT_CODEC_VARINT_MAX);
	switch (verdict_codec_varint_get(in->buf, in->len, &in->off, out)) {
	case -1:
		return cache_in_fail(in, "truncated");
	case -2:
		return cache_in_fail(in, "number too large");
	}
	return 0;
}

static int
cache_get_u32(struct cache_in *in, uint32_t *out)
{
	uint64_t	 v;

	if (cache_get_var(in, &v) != 0)
		return -1;
	if (v > UINT32_MAX)
		return cache_in_fail(in, "number too large");
	*out = (uint32_t)v;
	return 0;
}

/*
 * A string, or NULL, and its length, borrowed from the window until the
 * next read from in.  The NUL must be where the length says and nowhere
 * before it.
 */
static int
cache_get_str(struct cache_in *in, const char **out, size_t *len_out)
{
	uint64_t	 n;

	*out = NULL;
	*len_out = 0;
	if (cache_get_var(in, &n) != 0)
		return -1;
	if (n-- == 0)
		return 0;
	if (n >= cache_in_remaining(in) ||
	    cache_in_fill(in, (size_t)n + 1) != 0)
		return cache_in_fail(in, "truncated");
	if (memchr(in->buf + in->off, '\0', (size_t)n + 1) !=
	    in->buf + in->off + n)
		return cache_in_fail(in, "bad string");
	*out = (const char *)in->buf + in->off;
	*len_out = (size_t)n;
	in->off += (size_t)n + 1;
	return 0;
}

/* A string as cache_get_str reads it, put in the cache's pool. */
static int
cache_get_pooled(struct cache *c, struct cache_in *in, const char **out)
{
	const char	*s;
	size_t		 n;

	if (cache_get_str(in, &s, &n) != 0)
		return -1;
	*out = strpool_addn(c->strings, s, n);
	return 0;
}

/* A string as cache_get_str reads it, copied (owned), for the header. */
static int
cache_get_dup(struct cache_in *in, char **out)
{
	const char	*s;
	size_t		 n;

	*out = NULL;
	if (cache_get_str(in, &s, &n) != 0)
		return -1;
	if (s != NULL)
		*out = xstrndup(s, n);
	return 0;
}

/* The strings are the pool's; only the verdict is the record's. */
static void
cache_rec_clear(struct cache_rec *r)
{
	verdict_free(r->verdict);
	r->verdict = NULL;
}

static void
cache_clear(struct cache *c)
{
	size_t	 i;

	for (i = 0; i < c->nrecs; i++)
		cache_rec_clear(&c->recs[i]);
	free(c->recs);
	c->recs = NULL;
	c->nrecs = c->caprecs = 0;
	c->uidnext = 0;
	c->highestmodseq = 0;
}

static void
cache_reset(struct cache *c, char *reason)
{
	cache_clear(c);
	free(c->reason);
	c->reason = reason;
	c->dirty = 1;
}

/* Index of uid, or of where it would go; *found says which. */
static size_t
cache_find(const struct cache *c, uint32_t uid, int *found)
{
	size_t	 lo = 0, hi = c->nrecs, mid;

	*found = 0;
	if (c->nrecs > 0 && c->recs[c->nrecs - 1].uid < uid)
		return c->nrecs;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->recs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->nrecs && c->recs[lo].uid == uid)
		*found = 1;
	return lo;
}

static void
cache_reserve(struct cache *c, size_t n)
{
	size_t	 cap;

	if (n <= c->caprecs)
		return;
	cap = c->caprecs < 16 ? 16 : c->caprecs;
	while (cap < n)
		cap *= 2;
	c->recs = xreallocarray(c->recs, cap, sizeof *c->recs);
	c->caprecs = cap;
}

/* Parses the records of a file whose header matched; -1 leaves in->error. */
static int
cache_parse_recs(struct cache *c, struct cache_in *in, uint64_t count,
    int keep_verdicts)
{
	struct cache_rec	*r;
	uint64_t		 i, gap, flags, date, vlen;
	size_t			 used;
	char			*vcause = NULL;

	if (count > cache_in_remaining(in) / CACHE_MIN_REC)
		return cache_in_fail(in, "truncated");
	/* Exactly: a folder that is only read never grows. */
	if (count > c->caprecs) {
		c->recs = xreallocarray(c->recs, (size_t)count,
		    sizeof *c->recs);
		c->caprecs = (size_t)count;
	}
	for (i = 0; i < count; i++) {
		r = &c->recs[c->nrecs];
		memset(r, 0, sizeof *r);
		if (cache_get_var(in, &gap) != 0)
			return -1;
		/* Ascending by construction; only overflow to check. */
		if (c->nrecs > 0)
			gap += (uint64_t)r[-1].uid + 1;
		if (gap > UINT32_MAX || gap < (c->nrecs > 0 ? 1u : 0u))
			return cache_in_fail(in, "uid out of range");
		r->uid = (uint32_t)gap;
		if (cache_get_var(in, &r->modseq) != 0 ||
		    cache_get_var(in, &flags) != 0 ||
		    cache_get_var(in, &r->size) != 0 ||
		    cache_get_var(in, &date) != 0 ||
		    cache_get_pooled(c, in, &r->message_id) != 0 ||
		    cache_get_pooled(c, in, &r->from) != 0 ||
		    cache_get_pooled(c, in, &r->from_addr) != 0 ||
		    cache_get_pooled(c, in, &r->subject) != 0 ||
		    cache_get_var(in, &vlen) != 0)
			return -1;
		if (flags > UINT32_MAX)
			return cache_in_fail(in, "flags out of range");
		r->flags = (unsigned int)flags;
		r->date = (int64_t)((date >> 1) ^ (0 - (date & 1)));
		c->nrecs++;
		if (vlen-- == 0)
			continue;
		if (vlen > cache_in_remaining(in) ||
		    cache_in_fill(in, (size_t)vlen) != 0)
			return cache_in_fail(in, "truncated");
		if (keep_verdicts) {
			r->verdict = verdict_decode_pooled(in->buf + in->off,
			    (size_t)vlen, c->strings, &used, &vcause);
			free(vcause);
			vcause = NULL;
			if (r->verdict == NULL || used != vlen)
				return cache_in_fail(in, "bad verdict");
		}
		in->off += (size_t)vlen;
	}
	return 0;
}

/*
 * First pass: is the file at fd (size bytes) one of ours, whole?  Reads
 * it through in's window and checks magic, CRC and version; NULL when it
 * is, else why not (owned).
 */
static char *
cache_check_file(struct cache_in *in, size_t size)
{
	struct cache_crc	 crc;
	unsigned char		 tail[4], head[CACHE_MAGIC_LEN + 4];
	uint32_t		 sum = 0xffffffffu, want, version;
	size_t			 off = 0, n, i;
	ssize_t			 got;

	if (size < CACHE_MAGIC_LEN + 4 + 4)
		return xstrdup("cache file is truncated");
	cache_crc_init(&crc);
	while (off < size) {
		n = size - off < in->cap ? size - off : in->cap;
		got = read(in->fd, in->buf, n);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1)
			return xasprintf("cache file: %s", strerror(errno));
		if (got == 0)
			break;		/* shrank under us */
		for (i = off; i < sizeof head && i < off + (size_t)got; i++)
			head[i] = in->buf[i - off];
		for (i = off > size - 4 ? off : size - 4;
		    i < off + (size_t)got; i++)
			tail[i - (size - 4)] = in->buf[i - off];
		if (off < size - 4)
			sum = cache_crc_update(&crc, sum, in->buf,
			    off + (size_t)got <= size - 4 ? (size_t)got :
			    size - 4 - off);
		off += (size_t)got;
	}
	if (off < sizeof head || memcmp(head, CACHE_MAGIC, CACHE_MAGIC_LEN) != 0)
		return off < sizeof head ? xstrdup("cache file is truncated") :
		    xstrdup("not a sagi cache file");
	want = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 |
	    (uint32_t)tail[2] << 16 | (uint32_t)tail[3] << 24;
	if (off < size || ~sum != want)
		return xstrdup("cache file is damaged (checksum mismatch)");
	version = (uint32_t)head[8] | (uint32_t)head[9] << 8 |
	    (uint32_t)head[10] << 16 | (uint32_t)head[11] << 24;
	if (version != CACHE_VERSION)
		return xasprintf("cache format version %" PRIu32
		    " is not supported", version);
	return NULL;
}

/*
 * Second pass: parses the file whose first pass passed, from its start;
 * in->left is everything but the CRC.  On any problem the cache is reset
 * with a reason.
 */
static void
cache_parse(struct cache *c, struct cache_in *in)
{
	uint64_t		 uidnext, hms, count;
	uint32_t		 uidvalidity;
	char			*account = NULL, *mailbox = NULL, *rules = NULL;
	char			*reason = NULL;
	int			 keep_verdicts = 1;

	if (cache_in_fill(in, CACHE_MAGIC_LEN + 4) != 0) {
		cache_in_fail(in, "truncated");
		goto corrupt;
	}
	in->off += CACHE_MAGIC_LEN + 4;		/* checked by the first pass */
	if (cache_get_dup(in, &account) != 0 ||
	    cache_get_dup(in, &mailbox) != 0 ||
	    cache_get_u32(in, &uidvalidity) != 0 ||
	    cache_get_dup(in, &rules) != 0 ||
	    cache_get_var(in, &uidnext) != 0 ||
	    cache_get_var(in, &hms) != 0 ||
	    cache_get_var(in, &count) != 0)
		goto corrupt;
	if (uidnext > UINT32_MAX) {
		cache_in_fail(in, "uidnext out of range");
		goto corrupt;
	}
	if (account == NULL || mailbox == NULL ||
	    strcmp(account, c->account) != 0 ||
	    strcmp(mailbox, c->mailbox) != 0) {
		/* A hash collision, or a file copied from elsewhere. */
		cache_reset(c, xstrdup("cache file belongs to another "
		    "mailbox"));
		goto out;
	}
	if (uidvalidity != c->uidvalidity) {
		cache_reset(c, xasprintf("uidvalidity changed from %" PRIu32
		    " to %" PRIu32, uidvalidity, c->uidvalidity));
		goto out;
	}
	if (rules == NULL || strcmp(rules, c->rules_version) != 0) {
		keep_verdicts = 0;
		reason = xasprintf("rules changed from \"%s\" to \"%s\"; "
		    "verdicts dropped", rules == NULL ? "" : rules,
		    c->rules_version);
	}
	if (cache_parse_recs(c, in, count, keep_verdicts) != 0)
		goto corrupt;
	if (cache_in_remaining(in) != 0) {
		cache_in_fail(in, "trailing bytes");
		goto corrupt;
	}
	c->uidnext = (uint32_t)uidnext;
	c->highestmodseq = hms;
	free(c->reason);
	c->reason = reason;
	/* Dropped verdicts must not come back from the old file. */
	c->dirty = !keep_verdicts;
	goto out;

corrupt:
	free(reason);
	cache_reset(c, xasprintf("cache file is corrupt (%s)",
	    in->error != NULL ? in->error : "unknown"));
out:
	free(account);
	free(mailbox);
	free(rules);
}

/* Loads the file at c->path; any problem leaves an empty cache and why. */
static void
cache_load(struct cache *c)
{
	struct cache_in	 in;
	struct stat	 st;
	char		*why;

	memset(&in, 0, sizeof in);
	in.fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (in.fd == -1) {
		if (errno == ENOENT)
			cache_reset(c, xstrdup("no cache file yet"));
		else
			cache_reset(c, xasprintf("%s: %s", c->path,
			    strerror(errno)));
		return;
	}
	if (fstat(in.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		cache_reset(c, xasprintf("%s: not a regular file", c->path));
		goto out;
	}
	if (st.st_size < 0 || (uintmax_t)st.st_size > CACHE_MAX_FILE) {
		cache_reset(c, xasprintf("%s: too large for a cache file",
		    c->path));
		goto out;
	}
	in.cap = CACHE_CHUNK;
	in.buf = xmalloc(in.cap);
	if ((why = cache_check_file(&in, (size_t)st.st_size)) != NULL) {
		cache_reset(c, why);
		goto out;
	}
	if (lseek(in.fd, 0, SEEK_SET) != 0) {
		cache_reset(c, xasprintf("%s: %s", c->path, strerror(errno)));
		goto out;
	}
	in.left = (uint64_t)st.st_size - 4;
	cache_parse(c, &in);
out:
	free(in.buf);
	close(in.fd);
}

struct cache *
cache_open(const char *dir, const struct cache_key *key, char **cause)
{
	return cache_open_pooled(dir, key, NULL, cause);
}

struct cache *
cache_open_pooled(const char *dir, const struct cache_key *key,
    struct strpool *pool, char **cause)
{
	struct cache	*c;

	if (key == NULL || key->account == NULL || key->mailbox == NULL) {
		*cause = xstrdup("cache key lacks account or mailbox");
		return NULL;
	}
	if (dir != NULL && *dir != '\0' && path_mkdirs(dir, cause) != 0)
		return NULL;

	c = xcalloc(1, sizeof *c);
	if (pool == NULL)
		pool = c->own_strings = strpool_new();
	c->strings = pool;
	if (dir != NULL && *dir != '\0') {
		c->dir = xstrdup(dir);
		c->path = xasprintf("%s/%016" PRIx64 ".cache", dir,
		    cache_name_hash(key->account, key->mailbox));
	}
	c->account = xstrdup(key->account);
	c->mailbox = xstrdup(key->mailbox);
	c->rules_version = xstrdup(key->rules_version == NULL ? "" :
	    key->rules_version);
	c->uidvalidity = key->uidvalidity;

	if (c->path != NULL)
		cache_load(c);
	return c;
}

const char *
cache_reset_reason(const struct cache *c)
{
	return c == NULL ? NULL : c->reason;
}

size_t
cache_count(const struct cache *c)
{
	return c == NULL ? 0 : c->nrecs;
}

const struct cache_rec *
cache_at(const struct cache *c, size_t i)
{
	if (c == NULL || i >= c->nrecs)
		return NULL;
	return &c->recs[i];
}

const struct cache_rec *
cache_lookup(const struct cache *c, uint32_t uid)
{
	size_t	 i;
	int	 found;

	if (c == NULL)
		return NULL;
	i = cache_find(c, uid, &found);
	return found ? &c->recs[i] : NULL;
}

void
cache_put(struct cache *c, const struct cache_rec *rec)
{
	struct cache_rec	 r;
	size_t			 i;
	int			 found;

	if (c == NULL || rec == NULL)
		return;
	/* Copy before touching the array: rec may point into it. */
	r = *rec;
	r.message_id = strpool_add(c->strings, rec->message_id);
	r.from = strpool_add(c->strings, rec->from);
	r.from_addr = strpool_add(c->strings, rec->from_addr);
	r.subject = strpool_add(c->strings, rec->subject);
	r.verdict = verdict_dup(rec->verdict);
	verdict_intern(r.verdict, c->strings);
	r.lent = 0;

	i = cache_find(c, r.uid, &found);
	if (found)
		cache_rec_clear(&c->recs[i]);
	else {
		cache_reserve(c, c->nrecs + 1);
		memmove(&c->recs[i + 1], &c->recs[i],
		    (c->nrecs - i) * sizeof *c->recs);
		c->nrecs++;
	}
	c->recs[i] = r;
	c->dirty = 1;
}

void
cache_expect(struct cache *c, size_t n)
{
	if (c == NULL || n <= c->caprecs)
		return;
	c->recs = xreallocarray(c->recs, n, sizeof *c->recs);
	c->caprecs = n;
}

void
cache_set_lender(struct cache *c, cache_lender_fn fn, void *ctx)
{
	if (c == NULL)
		return;
	c->lender = fn;
	c->lender_ctx = ctx;
}

struct verdict *
cache_lend_verdict(struct cache *c, uint32_t uid)
{
	struct verdict	*v;
	size_t		 i;
	int		 found;

	if (c == NULL)
		return NULL;
	i = cache_find(c, uid, &found);
	if (!found || c->recs[i].verdict == NULL)
		return NULL;
	v = c->recs[i].verdict;
	c->recs[i].verdict = NULL;
	c->recs[i].lent = 1;
	return v;
}

void
cache_return_verdict(struct cache *c, uint32_t uid, struct verdict *v)
{
	cache_set_verdict_take(c, uid, v);
}

void
cache_set_verdict_lent(struct cache *c, uint32_t uid)
{
	size_t	 i;
	int	 found;

	if (c == NULL)
		return;
	i = cache_find(c, uid, &found);
	if (!found)
		return;
	verdict_free(c->recs[i].verdict);
	c->recs[i].verdict = NULL;
	c->recs[i].lent = 1;
	c->dirty = 1;
}

void
cache_set_verdict_take(struct cache *c, uint32_t uid, struct verdict *v)
{
	size_t	 i;
	int	 found;

	if (c == NULL) {
		verdict_free(v);
		return;
	}
	i = cache_find(c, uid, &found);
	if (!found) {
		verdict_free(v);
		return;
	}
	verdict_intern(v, c->strings);
	if (c->recs[i].verdict != v)
		verdict_free(c->recs[i].verdict);
	c->recs[i].verdict = v;
	c->recs[i].lent = 0;
	c->dirty = 1;
}

void
cache_set_flags(struct cache *c, uint32_t uid, unsigned int flags,
    uint64_t modseq)
{
	struct cache_rec	*r;
	size_t			 i;
	int			 found;

	if (c == NULL)
		return;
	i = cache_find(c, uid, &found);
	if (!found)
		return;
	r = &c->recs[i];
	if (r->flags == flags && r->modseq == modseq)
		return;
	r->flags = flags;
	r->modseq = modseq;
	c->dirty = 1;
}

void
cache_remove(struct cache *c, uint32_t uid)
{
	size_t	 i;
	int	 found;

	if (c == NULL)
		return;
	i = cache_find(c, uid, &found);
	if (!found)
		return;
	cache_rec_clear(&c->recs[i]);
	memmove(&c->recs[i], &c->recs[i + 1],
	    (c->nrecs - i - 1) * sizeof *c->recs);
	c->nrecs--;
	c->dirty = 1;
}

void
cache_retain(struct cache *c, const uint32_t *keep, size_t n)
{
	size_t	 i, j = 0, out = 0;

	if (c == NULL)
		return;
	if (keep == NULL)
		n = 0;
	for (i = 0; i < c->nrecs; i++) {
		while (j < n && keep[j] < c->recs[i].uid)
			j++;
		if (j < n && keep[j] == c->recs[i].uid)
			c->recs[out++] = c->recs[i];
		else
			cache_rec_clear(&c->recs[i]);
	}
	if (out != c->nrecs)
		c->dirty = 1;
	c->nrecs = out;
}

uint64_t
cache_highestmodseq(const struct cache *c)
{
	return c == NULL ? 0 : c->highestmodseq;
}

void
cache_set_highestmodseq(struct cache *c, uint64_t m)
{
	if (c == NULL || c->highestmodseq == m)
		return;
	c->highestmodseq = m;
	c->dirty = 1;
}

uint32_t
cache_uidnext(const struct cache *c)
{
	return c == NULL ? 0 : c->uidnext;
}

void
cache_set_uidnext(struct cache *c, uint32_t u)
{
	if (c == NULL || c->uidnext == u)
		return;
	c->uidnext = u;
	c->dirty = 1;
}

/* Streams the whole file to o->fd; o->error says whether it worked. */
static void
cache_write(const struct cache *c, struct cache_out *o)
{
	const struct cache_rec	*r;
	const struct verdict	*v;
	struct buf		 vb;
	unsigned char		 b[4];
	uint64_t		 date;
	uint32_t		 sum;
	size_t			 i;
	int			 k;

	cache_out_add(o, CACHE_MAGIC, CACHE_MAGIC_LEN);
	for (k = 0; k < 4; k++)
		b[k] = (unsigned char)(CACHE_VERSION >> (8 * k));
	cache_out_add(o, b, 4);
	cache_out_str(o, c->account);
	cache_out_str(o, c->mailbox);
	cache_out_var(o, c->uidvalidity);
	cache_out_str(o, c->rules_version);
	cache_out_var(o, c->uidnext);
	cache_out_var(o, c->highestmodseq);
	cache_out_var(o, c->nrecs);
	buf_init(&vb);
	for (i = 0; i < c->nrecs; i++) {
		r = &c->recs[i];
		cache_out_var(o, i == 0 ? r->uid : r->uid - r[-1].uid - 1);
		cache_out_var(o, r->modseq);
		cache_out_var(o, r->flags);
		cache_out_var(o, r->size);
		date = (uint64_t)r->date;
		cache_out_var(o, (date << 1) ^ (0 - (date >> 63)));
		cache_out_str(o, r->message_id);
		cache_out_str(o, r->from);
		cache_out_str(o, r->from_addr);
		cache_out_str(o, r->subject);
		v = r->verdict;
		if (v == NULL && r->lent && c->lender != NULL)
			v = c->lender(c->lender_ctx, r->uid);
		if (v == NULL) {
			cache_out_var(o, 0);
			continue;
		}
		buf_reset(&vb);
		verdict_encode(v, &vb);
		cache_out_var(o, (uint64_t)vb.len + 1);
		cache_out_add(o, vb.data, vb.len);
	}
	buf_free(&vb);
	sum = ~o->sum;
	for (k = 0; k < 4; k++)
		b[k] = (unsigned char)(sum >> (8 * k));
	cache_out_add(o, b, 4);
	cache_out_flush(o);
}

int
cache_save(struct cache *c, char **cause)
{
	struct cache_crc	*crc;
	struct cache_out	*o;
	char			*tmp;
	int			 fd, dfd, saved = 0;

	if (c == NULL) {
		*cause = xstrdup("no cache");
		return -1;
	}
	if (!c->dirty || c->path == NULL)
		return 0;

	tmp = xasprintf("%s.XXXXXX", c->path);
	fd = mkstemp(tmp);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	crc = xmalloc(sizeof *crc);
	cache_crc_init(crc);
	o = xmalloc(sizeof *o);
	o->fd = fd;
	o->crc = crc;
	o->sum = 0xffffffffu;
	o->len = 0;
	o->error = 0;
	cache_write(c, o);
	saved = o->error;
	free(o);
	free(crc);
	if (saved == 0 && fsync(fd) != 0)
		saved = errno;
	if (close(fd) != 0 && saved == 0)
		saved = errno;
	if (saved == 0 && rename(tmp, c->path) != 0)
		saved = errno;
	if (saved != 0) {
		unlink(tmp);
		*cause = xasprintf("%s: %s", c->path, strerror(saved));
		free(tmp);
		return -1;
	}
	free(tmp);
	/* Make the rename itself durable; failure here loses nothing now. */
	dfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd != -1) {
		fsync(dfd);
		close(dfd);
	}
	c->dirty = 0;
	return 0;
}

void
cache_close(struct cache *c)
{
	if (c == NULL)
		return;
	cache_clear(c);
	strpool_free(c->own_strings);
	free(c->dir);
	free(c->path);
	free(c->account);
	free(c->mailbox);
	free(c->rules_version);
	free(c->reason);
	free(c);
}
