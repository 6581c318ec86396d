/* SPDX-License-Identifier: ISC */
/* Unit tests for cache and verdict-codec: round trips, resets, hostility. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cache.h"
#include "strpool.h"
#include "t.h"
#include "verdict-codec.h"
#include "verdict.h"
#include "xalloc.h"

/* Bitwise CRC-32, independent of the table version in cache.c. */
static uint32_t
crc32_ref(const unsigned char *p, size_t len)
{
	uint32_t	 c = 0xffffffffu;
	int		 k;

	while (len-- > 0) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static int
streq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
dbleq(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static int
verdict_eq(const struct verdict *a, const struct verdict *b)
{
	size_t	 i;

	if (a == NULL || b == NULL)
		return a == b;
	if (!dbleq(a->score, b->score) || a->level != b->level ||
	    a->nhits != b->nhits || !streq(a->brand, b->brand) ||
	    !streq(a->brand_name, b->brand_name))
		return 0;
	for (i = 0; i < 2; i++) {
		if (!streq(a->advice_check[i], b->advice_check[i]) ||
		    !streq(a->advice_victim[i], b->advice_victim[i]))
			return 0;
	}
	for (i = 0; i < a->nhits; i++) {
		if (!streq(a->hits[i].rule, b->hits[i].rule) ||
		    !dbleq(a->hits[i].score, b->hits[i].score) ||
		    !streq(a->hits[i].explain[0], b->hits[i].explain[0]) ||
		    !streq(a->hits[i].explain[1], b->hits[i].explain[1]) ||
		    !streq(a->hits[i].evidence, b->hits[i].evidence))
			return 0;
	}
	return verdict_eq(a->forwarded, b->forwarded);
}

static int
rec_eq(const struct cache_rec *a, const struct cache_rec *b)
{
	return a != NULL && b != NULL && a->uid == b->uid &&
	    a->modseq == b->modseq && a->flags == b->flags &&
	    a->size == b->size && a->date == b->date &&
	    streq(a->message_id, b->message_id) && streq(a->from, b->from) &&
	    streq(a->subject, b->subject) && verdict_eq(a->verdict, b->verdict);
}

/* A phish verdict with hits, Japanese text and a forwarded verdict. */
static struct verdict *
make_verdict(void)
{
	struct verdict	*v, *f;

	v = verdict_new();
	verdict_add_hit(v, "jp-bank/urgent-freeze", 30,
	    "The subject urges you to act", "件名が「口座の凍結」を含みます",
	    "【重要】お客様のアカウントが一時停止されました");
	verdict_add_hit(v, "link/host-mismatch", 40.125, "Link text differs",
	    "リンクの表示先と実際の接続先が違います", "");
	verdict_add_hit(v, "auth/dkim-pass", -5, "", "", "example.co.jp");
	verdict_finish(v, 30, 60);
	v->brand = xstrdup("smbc");
	v->brand_name = xstrdup("三井住友銀行");
	v->advice_check[VERDICT_EN] = xstrdup("Open the app yourself");
	v->advice_check[VERDICT_JA] = xstrdup("公式アプリから確認してください");
	v->advice_victim[VERDICT_EN] = xstrdup("");
	/* advice_victim[JA] stays NULL: NULL and "" must both survive. */
	f = verdict_new();
	verdict_add_hit(f, "jp-delivery/absent", 25, "Delivery bait",
	    "不在通知を装っています", "ヤマト運輸");
	verdict_finish(f, 20, 60);
	f->score = NAN;
	v->forwarded = f;
	return v;
}

static void
write_file(const char *path, const void *p, size_t len)
{
	FILE	*f = fopen(path, "wb");

	if (f == NULL)
		return;
	if (len > 0)
		fwrite(p, 1, len, f);
	fclose(f);
}

static unsigned char *
read_file(const char *path, size_t *len)
{
	FILE		*f = fopen(path, "rb");
	unsigned char	*p;
	long		 n;

	*len = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = xmalloc(n > 0 ? (size_t)n : 1);
	*len = fread(p, 1, (size_t)n, f);
	fclose(f);
	return p;
}

/* The one *.cache file in dir, or NULL. */
static char *
cache_file_in(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		*path = NULL;

	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n > 6 && strcmp(de->d_name + n - 6, ".cache") == 0) {
			free(path);
			path = xasprintf("%s/%s", dir, de->d_name);
		}
	}
	closedir(d);
	return path;
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
rm_rf(const char *path)
{
	char	*cmd = xasprintf("rm -rf '%s'", path);

	if (system(cmd) != 0)
		printf("# could not remove %s\n", path);
	free(cmd);
}

/* Loads p as the cache file of key; 1 if it came out empty with a reason. */
static int
loads_as_reset(const char *dir, const struct cache_key *key, const char *file,
    const unsigned char *p, size_t len)
{
	struct cache	*c;
	char		*cause = NULL;
	int		 ok;

	write_file(file, p, len);
	c = cache_open(dir, key, &cause);
	ok = c != NULL && cache_count(c) == 0 && cache_reset_reason(c) != NULL;
	cache_close(c);
	free(cause);
	return ok;
}

static void
test_codec(void)
{
	struct verdict	*v, *d, *chain, *w;
	struct buf	 b;
	unsigned char	 raw[64];
	size_t		 used, i, n, depth;
	char		*cause = NULL;
	int		 all;

	/* NULL and degenerate. */
	d = verdict_decode(NULL, 0, &used, &cause);
	t_ok(d == NULL && cause != NULL && used == 0, "decode NULL: %s",
	    cause ? cause : "(no cause)");
	free(cause);
	cause = NULL;
	buf_init(&b);
	verdict_encode(NULL, &b);
	t_int_eq(b.len, 0, "encode NULL appends nothing");

	/* An empty verdict. */
	v = verdict_new();
	verdict_encode(v, &b);
	d = verdict_decode((unsigned char *)b.data, b.len, &used, &cause);
	t_ok(d != NULL && verdict_eq(v, d) && used == b.len && d->hits == NULL,
	    "empty verdict round-trips");
	verdict_free(d);
	verdict_free(v);

	/* A full verdict, with trailing bytes the decoder must leave alone. */
	buf_reset(&b);
	v = make_verdict();
	v->hits[1].score = -0.0;
	verdict_encode(v, &b);
	n = b.len;
	buf_adds(&b, "trailing");
	d = verdict_decode((unsigned char *)b.data, b.len, &used, &cause);
	t_ok(d != NULL && verdict_eq(v, d), "full verdict round-trips exactly");
	t_int_eq(used, n, "used stops before the trailing bytes");
	t_ok(d != NULL && d->advice_victim[VERDICT_JA] == NULL &&
	    d->advice_victim[VERDICT_EN] != NULL &&
	    *d->advice_victim[VERDICT_EN] == '\0', "NULL and \"\" kept apart");
	t_ok(d != NULL && d->forwarded != NULL && isnan(d->forwarded->score),
	    "NaN score kept");
	verdict_free(d);

	/* Every truncation fails cleanly (ASan catches any over-read). */
	all = 1;
	for (i = 0; i < n; i++) {
		unsigned char *copy = xmemdup(b.data, i);

		d = verdict_decode(i == 0 ? NULL : copy, i, &used, &cause);
		if (d != NULL || cause == NULL || used != 0)
			all = 0;
		verdict_free(d);
		free(cause);
		cause = NULL;
		free(copy);
	}
	t_ok(all, "all %zu truncations give NULL and a cause", n);

	/* Single-byte flips: anything but a crash. */
	for (i = 0; i < n; i++) {
		unsigned char *copy = xmemdup(b.data, n);

		copy[i] ^= (unsigned char)(0x5a + i);
		d = verdict_decode(copy, n, &used, &cause);
		verdict_free(d);
		free(cause);
		cause = NULL;
		free(copy);
	}
	t_ok(1, "byte flips do not crash");
	verdict_free(v);

	/* Bad version, bad level. */
	buf_reset(&b);
	v = verdict_new();
	verdict_encode(v, &b);
	b.data[0] = 9;
	d = verdict_decode((unsigned char *)b.data, b.len, NULL, &cause);
	t_ok(d == NULL && cause != NULL && strstr(cause, "version") != NULL,
	    "unknown version: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	b.data[0] = VERDICT_CODEC_VERSION;
	b.data[9] = 3;
	d = verdict_decode((unsigned char *)b.data, b.len, NULL, &cause);
	t_ok(d == NULL && cause != NULL && strstr(cause, "level") != NULL,
	    "bad level: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	verdict_free(v);

	/*
	 * Hand-made bytes: version, score (8 bytes), level, then the hit
	 * count varint at offset 10 and the first hit's rule length at 11.
	 */
	memset(raw, 0, sizeof raw);
	raw[0] = VERDICT_CODEC_VERSION;
	memset(raw + 10, 0xff, 9);
	raw[19] = 0x01;				/* 2^64 - 1 hits */
	d = verdict_decode(raw, sizeof raw, NULL, &cause);
	t_ok(d == NULL && cause != NULL, "huge hit count rejected: %s",
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	memset(raw + 10, 0xff, 11);		/* an 11-byte varint */
	d = verdict_decode(raw, sizeof raw, NULL, &cause);
	t_ok(d == NULL && cause != NULL, "overlong number rejected: %s",
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	memset(raw + 10, 0, 20);
	raw[10] = 1;
	memset(raw + 11, 0xff, 4);
	raw[15] = 0x0f;				/* rule of 2^32 - 2 bytes */
	d = verdict_decode(raw, sizeof raw, NULL, &cause);
	t_ok(d == NULL && cause != NULL && strstr(cause, "truncated") != NULL,
	    "huge string length rejected: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	memset(raw + 11, 0, 5);
	raw[11] = 3;				/* rule "a\0" */
	raw[12] = 'a';
	d = verdict_decode(raw, sizeof raw, NULL, &cause);
	t_ok(d == NULL && cause != NULL && strstr(cause, "nul") != NULL,
	    "NUL inside a string rejected: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	raw[11] = 2;				/* rule "a", then a sound hit */
	raw[12] = 'a';
	raw[13] = 0; raw[14] = 0; raw[15] = 0; raw[16] = 0;	/* score 0 */
	raw[17] = 0; raw[18] = 0; raw[19] = 0; raw[20] = 0;
	raw[21] = 1; raw[22] = 1; raw[23] = 1;	/* three "" strings */
	/* six NULL strings and no forwarded: the zeros already there */
	d = verdict_decode(raw, sizeof raw, &used, &cause);
	t_ok(d != NULL && d->nhits == 1 && streq(d->hits[0].rule, "a") &&
	    streq(d->hits[0].evidence, "") && d->brand == NULL &&
	    used == 31, "hand-made verdict decodes (used %zu)", used);
	verdict_free(d);

	/* Nesting: six levels in memory, the encoding keeps top + 4. */
	chain = verdict_new();
	for (w = chain, i = 0; i < 5; i++, w = w->forwarded)
		w->forwarded = verdict_new();
	buf_reset(&b);
	verdict_encode(chain, &b);
	d = verdict_decode((unsigned char *)b.data, b.len, NULL, &cause);
	for (depth = 0, w = d; w != NULL && w->forwarded != NULL; w = w->forwarded)
		depth++;
	t_ok(d != NULL && depth == VERDICT_CODEC_MAX_DEPTH,
	    "encoding stops at depth %d", VERDICT_CODEC_MAX_DEPTH);
	verdict_free(d);
	/* The innermost "no forwarded" byte set, and one more level after it. */
	n = b.len;
	b.data[n - 1] = 1;
	buf_add(&b, b.data + 1, n - 1);
	d = verdict_decode((unsigned char *)b.data, b.len, NULL, &cause);
	t_ok(d == NULL && cause != NULL && strstr(cause, "nested") != NULL,
	    "depth %d is refused: %s", VERDICT_CODEC_MAX_DEPTH + 1,
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	verdict_free(chain);
	buf_free(&b);
}

static void
test_degenerate(const char *tmp)
{
	struct cache_key	 key = { "imap://u@h:993", "INBOX", 1, "r1" };
	struct cache_key	 nokey = { NULL, "INBOX", 1, "r1" };
	struct cache_rec	 rec;
	struct cache		*c;
	char			*cause = NULL, *p;

	/* No directory: a cache in memory only, which saves nowhere. */
	c = cache_open(NULL, &key, &cause);
	t_ok(c != NULL && cause == NULL && cache_count(c) == 0,
	    "NULL dir gives a memory-only cache");
	memset(&rec, 0, sizeof rec);
	rec.uid = 7;
	cache_put(c, &rec);
	t_ok(cache_save(c, &cause) == 0 && cause == NULL &&
	    cache_lookup(c, 7) != NULL, "a memory-only cache saves as a no-op");
	cache_close(c);
	c = cache_open(tmp, NULL, &cause);
	t_ok(c == NULL && cause != NULL, "NULL key is an error");
	free(cause);
	cause = NULL;
	c = cache_open(tmp, &nokey, &cause);
	t_ok(c == NULL && cause != NULL, "key without account is an error");
	free(cause);
	cause = NULL;
	p = xasprintf("%s/plainfile", tmp);
	write_file(p, "x", 1);
	c = cache_open(p, &key, &cause);
	t_ok(c == NULL && cause != NULL && strstr(cause, "plainfile") != NULL,
	    "dir that is a file: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	free(p);
	p = xasprintf("%s/plainfile/sub", tmp);
	c = cache_open(p, &key, &cause);
	t_ok(c == NULL && cause != NULL, "dir below a file: %s",
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	free(p);

	cache_close(NULL);
	t_int_eq(cache_count(NULL), 0, "count of NULL");
	t_ok(cache_at(NULL, 0) == NULL && cache_lookup(NULL, 1) == NULL &&
	    cache_reset_reason(NULL) == NULL, "accessors accept NULL");
	cache_set_verdict_take(NULL, 1, make_verdict());	/* freed, not leaked */
	t_ok(cache_save(NULL, &cause) == -1 && cause != NULL, "save NULL");
	free(cause);
	cause = NULL;

	p = xasprintf("%s/deg", tmp);
	c = cache_open(p, &key, &cause);
	t_ok(c != NULL && cache_count(c) == 0 && cache_at(c, 0) == NULL &&
	    cache_lookup(c, 0) == NULL, "empty cache");
	cache_put(c, NULL);
	cache_remove(c, 7);
	cache_set_flags(c, 7, 1, 1);
	cache_set_verdict_take(c, 7, make_verdict());	/* absent: freed */
	cache_retain(c, NULL, 0);
	memset(&rec, 0, sizeof rec);
	rec.uid = 0;
	cache_put(c, &rec);
	t_ok(cache_lookup(c, 0) != NULL, "uid 0 is just a number here");
	cache_retain(c, NULL, 0);
	t_int_eq(cache_count(c), 0, "retain nothing empties the cache");
	cache_close(c);
	free(p);
}

static void
test_roundtrip(const char *tmp)
{
	struct cache_key	 key = { "imap://user@mail.example.jp:993",
				    "INBOX/請求書 2024", 42, "rules-7" };
	struct cache_rec	 r[5], *want[5];
	struct cache		*c;
	const struct cache_rec	*got;
	struct verdict		*v;
	char			*cause = NULL, *dir, *file, *sub;
	struct stat		 st;
	size_t			 i;
	int			 all;

	dir = xasprintf("%s/a/b/c", tmp);
	c = cache_open(dir, &key, &cause);
	t_ok(c != NULL, "open creates the directory with parents");
	t_ok(c != NULL && cache_reset_reason(c) != NULL &&
	    cache_count(c) == 0, "missing file: empty with reason \"%s\"",
	    c && cache_reset_reason(c) ? cache_reset_reason(c) : "");
	sub = xasprintf("%s/a", tmp);
	t_ok(stat(sub, &st) == 0 && (st.st_mode & 0777) == 0700 &&
	    stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700,
	    "new directories are 0700");
	free(sub);

	memset(r, 0, sizeof r);
	r[0].uid = 7;				/* all strings NULL */
	r[1].uid = 3;
	r[1].modseq = UINT64_MAX;
	r[1].flags = 0xdeadbeef;
	r[1].size = (uint64_t)1 << 40;
	r[1].date = -1;
	r[1].message_id = (char *)"<a b%c\n@x>";
	r[1].from = (char *)"\"三井住友銀行\" <info@smbc-card.example>";
	r[1].subject = (char *)"【重要】お客様のアカウントが一時停止されました";
	r[1].verdict = make_verdict();
	r[2].uid = 10;
	r[2].message_id = (char *)"";
	r[2].from = (char *)"";
	r[2].subject = (char *)"";
	r[2].date = INT64_MIN;
	r[2].verdict = verdict_new();		/* classified clean, no hits */
	r[3].uid = UINT32_MAX;
	r[3].subject = (char *)"last";
	r[4].uid = 1;
	r[4].subject = (char *)"first";
	for (i = 0; i < 5; i++)
		cache_put(c, &r[i]);
	verdict_free(r[1].verdict);
	verdict_free(r[2].verdict);
	r[1].verdict = make_verdict();		/* compare against a fresh copy */
	r[2].verdict = verdict_new();
	want[0] = &r[4];
	want[1] = &r[1];
	want[2] = &r[0];
	want[3] = &r[2];
	want[4] = &r[3];
	t_int_eq(cache_count(c), 5, "five records");
	all = 1;
	for (i = 0; i < 5; i++)
		all &= rec_eq(cache_at(c, i), want[i]);
	t_ok(all, "records in ascending uid order, deep-copied");
	t_ok(cache_lookup(c, 4) == NULL && rec_eq(cache_lookup(c, 3), &r[1]),
	    "lookup");
	cache_set_uidnext(c, 11);
	cache_set_highestmodseq(c, 123456789012345ull);
	t_ok(cache_save(c, &cause) == 0, "save: %s", cause ? cause : "ok");
	cache_close(c);

	file = cache_file_in(dir);
	t_ok(file != NULL && stat(file, &st) == 0 &&
	    (st.st_mode & 0777) == 0600, "cache file is 0600");

	c = cache_open(dir, &key, &cause);
	t_ok(c != NULL && cache_reset_reason(c) == NULL,
	    "reopen loads intact (%s)",
	    c && cache_reset_reason(c) ? cache_reset_reason(c) : "no reason");
	all = cache_count(c) == 5;
	for (i = 0; all && i < 5; i++)
		all &= rec_eq(cache_at(c, i), want[i]);
	t_ok(all, "every field and verdict round-trips");
	t_int_eq(cache_uidnext(c), 11, "uidnext kept");
	t_ok(cache_highestmodseq(c) == 123456789012345ull,
	    "highestmodseq kept");

	/* Unchanged: save writes nothing. */
	unlink(file);
	t_ok(cache_save(c, &cause) == 0 && access(file, F_OK) != 0,
	    "save without changes does not write");
	cache_set_uidnext(c, 11);
	cache_set_flags(c, 3, r[1].flags, r[1].modseq);
	t_ok(cache_save(c, &cause) == 0 && access(file, F_OK) != 0,
	    "setting equal values is no change");
	cache_set_flags(c, 3, 0x1, 99);
	got = cache_lookup(c, 3);
	t_ok(got != NULL && got->flags == 1 && got->modseq == 99 &&
	    got->verdict != NULL, "set_flags changes only flags and modseq");
	t_ok(cache_save(c, &cause) == 0 && access(file, F_OK) == 0,
	    "a change is saved");

	/* Replace by uid; a put from a record of the cache itself. */
	cache_put(c, cache_lookup(c, 3));
	got = cache_lookup(c, 3);
	t_ok(got != NULL && streq(got->subject, r[1].subject) &&
	    streq(got->from, r[1].from) && got->flags == 1 &&
	    verdict_eq(got->verdict, r[1].verdict), "put of its own record");
	r[4].subject = (char *)"replaced";
	cache_put(c, &r[4]);
	t_str_eq(cache_lookup(c, 1)->subject, "replaced", "put replaces by uid");
	t_int_eq(cache_count(c), 5, "count unchanged by a replace");

	/* Verdicts: adopt, clear. */
	v = make_verdict();
	cache_set_verdict_take(c, 7, v);
	t_ok(cache_lookup(c, 7)->verdict == v, "set_verdict_take adopts");
	cache_set_verdict_take(c, 7, v);	/* same pointer: kept */
	t_ok(cache_lookup(c, 7)->verdict == v, "same verdict again is kept");
	cache_set_verdict_take(c, 3, NULL);
	t_ok(cache_lookup(c, 3)->verdict == NULL, "NULL verdict clears");

	cache_remove(c, 7);
	t_ok(cache_lookup(c, 7) == NULL && cache_count(c) == 4, "remove");
	cache_close(c);

	verdict_free(r[1].verdict);
	verdict_free(r[2].verdict);
	free(file);
	free(dir);
}

static void
test_resets(const char *tmp)
{
	struct cache_key	 key = { "maildir:/home/u/Mail", "Junk", 5, "r1" };
	struct cache_key	 k2;
	struct cache_rec	 rec;
	struct cache		*c;
	unsigned char		*img, *copy;
	char			*cause = NULL, *dir, *dir2, *file, *file2;
	const char		*why;
	size_t			 len, i, ok, bad;
	uint32_t		 crc;
	int			 all;

	dir = xasprintf("%s/resets", tmp);
	c = cache_open(dir, &key, &cause);
	memset(&rec, 0, sizeof rec);
	rec.uid = 2;
	rec.subject = (char *)"ご請求金額のお知らせ";
	rec.verdict = make_verdict();
	cache_put(c, &rec);
	verdict_free(rec.verdict);
	rec.uid = 9;
	rec.subject = NULL;
	rec.verdict = NULL;
	cache_put(c, &rec);
	cache_set_uidnext(c, 10);
	cache_save(c, &cause);
	cache_close(c);
	file = cache_file_in(dir);
	img = read_file(file, &len);
	t_ok(img != NULL && len > 12, "small cache file is %zu bytes", len);
	t_ok(img != NULL && crc32_ref(img, len - 4) ==
	    ((uint32_t)img[len - 4] | (uint32_t)img[len - 3] << 8 |
	    (uint32_t)img[len - 2] << 16 | (uint32_t)img[len - 1] << 24),
	    "trailer is the standard CRC-32");
	t_ok(crc32_ref((const unsigned char *)"123456789", 9) == 0xcbf43926u,
	    "reference CRC-32 check value");

	/* uidvalidity change. */
	k2 = key;
	k2.uidvalidity = 6;
	c = cache_open(dir, &k2, &cause);
	why = cache_reset_reason(c);
	t_ok(c != NULL && cache_count(c) == 0 && why != NULL &&
	    strstr(why, "uidvalidity") != NULL, "uidvalidity change: %s",
	    why ? why : "");
	t_int_eq(cache_uidnext(c), 0, "uidnext reset too");
	cache_close(c);

	/* rules_version change: list kept, verdicts dropped. */
	k2 = key;
	k2.rules_version = "r2";
	c = cache_open(dir, &k2, &cause);
	why = cache_reset_reason(c);
	t_ok(c != NULL && cache_count(c) == 2 && why != NULL &&
	    strstr(why, "rules") != NULL, "rules change: %s", why ? why : "");
	t_ok(c != NULL && cache_lookup(c, 2) != NULL &&
	    cache_lookup(c, 2)->verdict == NULL &&
	    streq(cache_lookup(c, 2)->subject, "ご請求金額のお知らせ"),
	    "list fields kept, verdict dropped");
	t_int_eq(cache_uidnext(c), 10, "uidnext kept on a rules change");
	t_ok(cache_save(c, &cause) == 0, "save after rules change writes");
	cache_close(c);
	c = cache_open(dir, &k2, &cause);
	t_ok(c != NULL && cache_reset_reason(c) == NULL &&
	    cache_count(c) == 2 && cache_lookup(c, 2)->verdict == NULL,
	    "then loads intact under the new rules");
	cache_close(c);
	write_file(file, img, len);		/* back to r1 */

	/* Every truncation. */
	all = 1;
	for (i = 0; i < len; i++)
		all &= loads_as_reset(dir, &key, file, img, i);
	t_ok(all, "all %zu truncations load empty with a reason", len);

	/* Every single-bit flip is caught by the CRC. */
	copy = xmemdup(img, len);
	all = 1;
	for (i = 0; i < len * 8; i++) {
		copy[i / 8] ^= (unsigned char)(1u << (i % 8));
		all &= loads_as_reset(dir, &key, file, copy, len);
		copy[i / 8] ^= (unsigned char)(1u << (i % 8));
	}
	t_ok(all, "all %zu bit flips load empty with a reason", len * 8);

	/*
	 * Past the CRC: change each byte and fix the checksum, so the parser
	 * itself meets the damage.  It must never crash; most changes are
	 * caught, the rest are plausible values.
	 */
	ok = bad = 0;
	srand(1);
	for (i = 0; i < len - 4; i++) {
		int k;

		for (k = 0; k < 3; k++) {
			memcpy(copy, img, len);
			copy[i] = k == 0 ? 0xff : k == 1 ? 0x00 :
			    (unsigned char)rand();
			crc = crc32_ref(copy, len - 4);
			copy[len - 4] = (unsigned char)crc;
			copy[len - 3] = (unsigned char)(crc >> 8);
			copy[len - 2] = (unsigned char)(crc >> 16);
			copy[len - 1] = (unsigned char)(crc >> 24);
			if (loads_as_reset(dir, &key, file, copy, len))
				bad++;
			else
				ok++;
		}
	}
	t_ok(bad > 0, "damage behind a valid CRC: %zu reset, %zu loaded, "
	    "no crash", bad, ok);
	free(copy);

	/* Garbage, a foreign mailbox's file, an empty file. */
	t_ok(loads_as_reset(dir, &key, file,
	    (const unsigned char *)"hello, world, not a cache", 25),
	    "garbage file");
	t_ok(loads_as_reset(dir, &key, file, (const unsigned char *)"", 0),
	    "empty file");
	k2 = key;
	k2.mailbox = "Archive/2024";
	dir2 = xasprintf("%s/resets2", tmp);
	c = cache_open(dir2, &k2, &cause);
	cache_put(c, &rec);
	cache_save(c, &cause);
	cache_close(c);
	file2 = cache_file_in(dir2);
	t_ok(file2 != NULL && strcmp(strrchr(file, '/'),
	    strrchr(file2, '/')) != 0, "another mailbox, another file name");
	write_file(file2, img, len);		/* the Junk file under Archive's name */
	c = cache_open(dir2, &k2, &cause);
	why = cache_reset_reason(c);
	t_ok(c != NULL && cache_count(c) == 0 && why != NULL &&
	    strstr(why, "another mailbox") != NULL, "foreign file: %s",
	    why ? why : "");
	cache_close(c);

	free(file2);
	free(dir2);
	free(img);
	free(file);
	free(dir);
}

static void
test_retain(const char *tmp)
{
	struct cache_key	 key = { "imap://u@h", "INBOX", 1, "r" };
	static const uint32_t	 keep[] = { 2, 4, 6, 11, 99 };
	struct cache_rec	 rec;
	struct cache		*c;
	char			*cause = NULL, *dir;
	uint32_t		 u;

	dir = xasprintf("%s/retain", tmp);
	c = cache_open(dir, &key, &cause);
	memset(&rec, 0, sizeof rec);
	for (u = 1; u <= 10; u++) {
		rec.uid = u;
		rec.verdict = u % 2 ? make_verdict() : NULL;
		cache_put(c, &rec);
		verdict_free(rec.verdict);
	}
	cache_retain(c, keep, SAGI_NITEMS(keep));
	t_int_eq(cache_count(c), 3, "retain keeps the listed uids present");
	t_ok(cache_count(c) == 3 && cache_at(c, 0)->uid == 2 &&
	    cache_at(c, 1)->uid == 4 && cache_at(c, 2)->uid == 6,
	    "retain keeps order");
	cache_retain(c, keep, SAGI_NITEMS(keep));
	t_int_eq(cache_count(c), 3, "retain is idempotent");
	cache_close(c);
	free(dir);
}

static void
test_perf(const char *tmp)
{
	struct cache_key	 key = { "imap://u@h", "INBOX", 1, "r" };
	struct cache_rec	 rec;
	struct cache		*c;
	struct verdict		*v;
	char			*cause = NULL, *dir, *file, mid[64], from[64];
	struct stat		 st;
	double			 t0, tput, tsave, tload;
	uint32_t		 u, n = 50000;
	int			 ok;

	dir = xasprintf("%s/perf", tmp);
	c = cache_open(dir, &key, &cause);
	memset(&rec, 0, sizeof rec);
	rec.subject = (char *)"【重要】Amazonプライム会員情報の更新に失敗しました";
	t0 = now_ms();
	for (u = 1; u <= n; u++) {
		snprintf(mid, sizeof mid, "<%08" PRIx32 ".%u@mail.example.co.jp>",
		    u * 2654435761u, u);
		snprintf(from, sizeof from, "\"送信者 %u\" <user%u@example.jp>",
		    u % 977, u % 977);
		rec.uid = u * 2;
		rec.modseq = 1000 + u;
		rec.size = 4000 + u % 10000;
		rec.date = 1700000000 + u;
		rec.message_id = mid;
		rec.from = from;
		/* Every message classified; one in ten with hits. */
		v = verdict_new();
		if (u % 10 == 0) {
			verdict_add_hit(v, "jp-shop/amazon-lookalike", 40,
			    "Looks like Amazon", "Amazon を装っています",
			    "amaz0n-jp.example");
			verdict_add_hit(v, "link/host-mismatch", 30,
			    "Link text differs", "リンク先が違います",
			    "https://amaz0n-jp.example/login");
			verdict_finish(v, 30, 60);
		}
		rec.verdict = v;
		cache_put(c, &rec);
		verdict_free(v);
	}
	tput = now_ms() - t0;
	t0 = now_ms();
	ok = cache_save(c, &cause) == 0;
	tsave = now_ms() - t0;
	cache_close(c);
	t0 = now_ms();
	c = cache_open(dir, &key, &cause);
	tload = now_ms() - t0;
	t_ok(ok && c != NULL && cache_reset_reason(c) == NULL &&
	    cache_count(c) == n, "%" PRIu32 " records saved and loaded", n);
	t_ok(cache_lookup(c, 2 * 4321) != NULL &&
	    cache_lookup(c, 2 * 4321 + 1) == NULL &&
	    cache_lookup(c, 2 * 50000)->verdict->nhits == 2, "lookups");
	file = cache_file_in(dir);
	if (file != NULL && stat(file, &st) == 0)
		printf("# %" PRIu32 " records: file %lld bytes; put %.1f ms, "
		    "save %.1f ms, load %.1f ms\n", n, (long long)st.st_size,
		    tput, tsave, tload);
	cache_close(c);
	free(file);
	free(dir);
}

/* The lender of test_lending: verdicts held outside the cache. */
static struct verdict	*lent_held[4];

static const struct verdict *
lent_lookup(void *ctx, uint32_t uid)
{
	(void)ctx;
	return uid < 4 ? lent_held[uid] : NULL;
}

static void
test_lending(const char *tmp)
{
	struct cache_key	 key = { "imap://u@h:993", "Lend", 3, "r1" };
	struct cache_rec	 rec;
	struct cache		*c;
	struct verdict		*v;
	char			*cause = NULL;
	uint32_t		 u;

	c = cache_open(tmp, &key, &cause);
	t_ok(c != NULL, "open for lending");
	if (c == NULL)
		return;
	cache_set_lender(c, lent_lookup, NULL);
	for (u = 1; u <= 3; u++) {
		memset(&rec, 0, sizeof rec);
		rec.uid = u;
		rec.verdict = u == 1 ? make_verdict() : NULL;
		cache_put(c, &rec);
		verdict_free(rec.verdict);
	}
	/* uid 1: lent out and back; uid 2: classified, held by the lender;
	 * uid 3: no verdict at all. */
	v = cache_lend_verdict(c, 1);
	t_ok(v != NULL && cache_lookup(c, 1)->verdict == NULL &&
	    cache_lookup(c, 1)->lent, "a lent verdict leaves the cache");
	t_ok(cache_lend_verdict(c, 3) == NULL && !cache_lookup(c, 3)->lent,
	    "nothing to lend: nothing marked");
	lent_held[1] = v;
	lent_held[2] = make_verdict();
	cache_set_verdict_lent(c, 2);
	t_ok(cache_save(c, &cause) == 0, "save asks the lender");
	cache_return_verdict(c, 1, v);
	t_ok(cache_lookup(c, 1)->verdict == v && !cache_lookup(c, 1)->lent,
	    "a returned verdict is the cache's again");
	cache_return_verdict(c, 99, make_verdict());	/* absent: freed */
	cache_close(c);
	verdict_free(lent_held[2]);
	lent_held[1] = lent_held[2] = NULL;

	c = cache_open(tmp, &key, &cause);
	t_ok(c != NULL && cache_reset_reason(c) == NULL && cache_count(c) == 3,
	    "reopened intact");
	if (c == NULL)
		return;
	t_ok(cache_lookup(c, 1)->verdict != NULL &&
	    cache_lookup(c, 1)->verdict->nhits > 0,
	    "the verdict lent at save time was written");
	t_ok(cache_lookup(c, 2)->verdict != NULL,
	    "the lender's own verdict was written");
	t_ok(cache_lookup(c, 3)->verdict == NULL, "no verdict stays none");
	cache_close(c);
}

/*
 * A cache given a pool keeps its strings there: a store whose entries use
 * the same pool holds each string once.  Also a record bigger than the
 * window the file is read through, which must grow.
 */
static void
test_pooled(const char *tmp)
{
	struct cache_key	 key = { "imap://u@h:993", "Pooled", 4, "r1" };
	struct cache_rec	 rec;
	struct strpool		*pool = strpool_new();
	struct cache		*c;
	const struct cache_rec	*r;
	struct verdict		*v = make_verdict(), *lent;
	char			*cause = NULL, *big;
	const size_t		 bigsz = 600 * 1024;

	big = xmalloc(bigsz + 1);
	memset(big, 'a', bigsz);
	big[bigsz] = '\0';
	free(v->hits[0].evidence);
	v->hits[0].evidence = xstrdup(big);
	c = cache_open_pooled(tmp, &key, pool, &cause);
	t_ok(c != NULL, "open with a pool");
	if (c == NULL)
		goto out;
	memset(&rec, 0, sizeof rec);
	rec.uid = 1;
	rec.from = "Amazon.co.jp";
	rec.subject = big;
	rec.verdict = v;
	cache_put(c, &rec);
	rec.uid = 2;
	rec.subject = "ご請求金額のお知らせ";
	rec.verdict = NULL;
	cache_put(c, &rec);
	r = cache_lookup(c, 2);
	t_ok(r != NULL && r->from == strpool_add(pool, "Amazon.co.jp") &&
	    r->from == cache_lookup(c, 1)->from,
	    "put strings are the pool's, each held once");
	t_ok(cache_lookup(c, 1)->verdict->strings == pool,
	    "a put verdict is pooled too");
	t_ok(cache_save(c, &cause) == 0, "save with a 600 KiB record");
	cache_close(c);
	t_ok(strcmp(strpool_add(pool, "ご請求金額のお知らせ"),
	    "ご請求金額のお知らせ") == 0, "the pool outlives the cache");

	c = cache_open_pooled(tmp, &key, pool, &cause);
	t_ok(c != NULL && cache_reset_reason(c) == NULL && cache_count(c) == 2,
	    "reopened intact through the window: %s",
	    c && cache_reset_reason(c) ? cache_reset_reason(c) : "");
	if (c == NULL)
		goto out;
	r = cache_lookup(c, 1);
	t_ok(r != NULL && rec_eq(r, &(struct cache_rec){ .uid = 1,
	    .from = "Amazon.co.jp", .subject = big, .verdict = v }),
	    "the big record reads back equal");
	t_ok(r != NULL && r->subject == strpool_add(pool, big) &&
	    r->verdict->strings == pool &&
	    r->verdict->hits[0].evidence == strpool_add(pool, big),
	    "loaded strings, the verdict's too, are the pool's");
	lent = cache_lend_verdict(c, 1);
	cache_close(c);
	t_ok(lent != NULL && lent->strings == pool &&
	    strcmp(lent->hits[0].evidence, big) == 0,
	    "a lent verdict lives on with its pool after the cache");
	verdict_free(lent);
out:
	verdict_free(v);
	free(big);
	strpool_free(pool);
}

int
main(void)
{
	char	 tmp[] = "/tmp/sagi-test-cache.XXXXXX";

	if (mkdtemp(tmp) == NULL)
		return 99;
	test_codec();
	test_degenerate(tmp);
	test_roundtrip(tmp);
	test_resets(tmp);
	test_retain(tmp);
	test_lending(tmp);
	test_pooled(tmp);
	test_perf(tmp);
	rm_rf(tmp);
	return t_done();
}
