/* SPDX-License-Identifier: ISC */
/*
 * Binary verdict encoding, version 1: a version byte, then the verdict.
 * Counts are LEB128 varints, doubles their IEEE bits little-endian, strings
 * a varint of length + 1 (0 for NULL) and the bytes.  A verdict is score,
 * level byte, hit count, hits (rule, score, explain en, ja, evidence),
 * brand, brand_name, advice_check en, ja, advice_victim en, ja, then a byte
 * 1 and the forwarded verdict, or 0.  The decoder checks every length
 * against the bytes left before reading.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "strpool.h"
#include "verdict-codec.h"
#include "verdict.h"
#include "xalloc.h"

/* score, rule, the two explanations, evidence: the least a hit takes. */
#define VERDICT_CODEC_MIN_HIT	(8 + 1 + 1 + 1 + 1)

struct verdict_codec_in {
	const unsigned char	*p;
	size_t			 len, off;
	const char		*error;		/* static; first problem only */
	struct strpool		*pool;		/* borrowed; NULL: strings owned */
};

size_t
verdict_codec_varint_put(uint64_t v, unsigned char b[VERDICT_CODEC_VARINT_MAX])
{
	size_t	n = 0;

	while (v >= 0x80) {
		b[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (unsigned char)v;
	return n;
}

int
verdict_codec_varint_get(const unsigned char *p, size_t len, size_t *off,
    uint64_t *out)
{
	uint64_t	 v = 0;
	unsigned int	 shift = 0, b;

	for (;;) {
		if (*off == len)
			return -1;
		b = p[(*off)++];
		/* The 10th byte may only hold the top bit. */
		if (shift == 63 && b > 1)
			return -2;
		v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			break;
		shift += 7;
	}
	*out = v;
	return 0;
}

static void
verdict_codec_put_uvarint(struct buf *out, uint64_t v)
{
	unsigned char	 b[VERDICT_CODEC_VARINT_MAX];

	buf_add(out, b, verdict_codec_varint_put(v, b));
}

static void
verdict_codec_put_f64(struct buf *out, double d)
{
	unsigned char	 b[8];
	uint64_t	 v;
	int		 i;

	memcpy(&v, &d, sizeof v);
	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	buf_add(out, b, sizeof b);
}

/* Length + 1 then the bytes; 0 alone is NULL, so NULL and "" differ. */
static void
verdict_codec_put_str(struct buf *out, const char *s)
{
	size_t	 n;

	if (s == NULL) {
		buf_addc(out, 0);
		return;
	}
	n = strlen(s);
	verdict_codec_put_uvarint(out, (uint64_t)n + 1);
	buf_add(out, s, n);
}

static void
verdict_codec_put(const struct verdict *v, struct buf *out, unsigned int depth)
{
	const struct verdict_hit	*h;
	size_t				 i, n;

	verdict_codec_put_f64(out, v->score);
	buf_addc(out, (char)(unsigned char)v->level);
	n = v->hits == NULL ? 0 : v->nhits;
	verdict_codec_put_uvarint(out, n);
	for (i = 0; i < n; i++) {
		h = &v->hits[i];
		verdict_codec_put_str(out, h->rule);
		verdict_codec_put_f64(out, h->score);
		verdict_codec_put_str(out, h->explain[VERDICT_EN]);
		verdict_codec_put_str(out, h->explain[VERDICT_JA]);
		verdict_codec_put_str(out, h->evidence);
	}
	verdict_codec_put_str(out, v->brand);
	verdict_codec_put_str(out, v->brand_name);
	for (i = 0; i < 2; i++)
		verdict_codec_put_str(out, v->advice_check[i]);
	for (i = 0; i < 2; i++)
		verdict_codec_put_str(out, v->advice_victim[i]);
	if (v->forwarded != NULL && depth < VERDICT_CODEC_MAX_DEPTH) {
		buf_addc(out, 1);
		verdict_codec_put(v->forwarded, out, depth + 1);
	} else
		buf_addc(out, 0);
}

void
verdict_encode(const struct verdict *v, struct buf *out)
{
	if (v == NULL || out == NULL)
		return;
	buf_addc(out, VERDICT_CODEC_VERSION);
	verdict_codec_put(v, out, 0);
}

static int
verdict_codec_fail(struct verdict_codec_in *in, const char *why)
{
	if (in->error == NULL)
		in->error = why;
	return -1;
}

static int
verdict_codec_get_u8(struct verdict_codec_in *in, unsigned int *out)
{
	if (in->len - in->off < 1)
		return verdict_codec_fail(in, "verdict is truncated");
	*out = in->p[in->off++];
	return 0;
}

/* LEB128; rejects truncation and values past 64 bits. */
static int
verdict_codec_get_uvarint(struct verdict_codec_in *in, uint64_t *out)
{
	switch (verdict_codec_varint_get(in->p, in->len, &in->off, out)) {
	case -1:
		return verdict_codec_fail(in, "verdict is truncated");
	case -2:
		return verdict_codec_fail(in, "verdict has a bad number");
	}
	return 0;
}

static int
verdict_codec_get_f64(struct verdict_codec_in *in, double *out)
{
	uint64_t	 v = 0;
	int		 i;

	if (in->len - in->off < 8)
		return verdict_codec_fail(in, "verdict is truncated");
	for (i = 0; i < 8; i++)
		v |= (uint64_t)in->p[in->off + i] << (8 * i);
	in->off += 8;
	memcpy(out, &v, sizeof *out);
	return 0;
}

static int
verdict_codec_get_str(struct verdict_codec_in *in, char **out)
{
	uint64_t	 n;

	*out = NULL;
	if (verdict_codec_get_uvarint(in, &n) != 0)
		return -1;
	if (n-- == 0)
		return 0;
	if (n > in->len - in->off)
		return verdict_codec_fail(in, "verdict is truncated");
	/* The encoder wrote strlen() bytes; a NUL means foreign data. */
	if (memchr(in->p + in->off, '\0', (size_t)n) != NULL)
		return verdict_codec_fail(in,
		    "verdict string contains a nul byte");
	if (in->pool != NULL)
		*out = (char *)(uintptr_t)strpool_addn(in->pool,
		    (const char *)in->p + in->off, (size_t)n);
	else
		*out = xstrndup((const char *)in->p + in->off, (size_t)n);
	in->off += (size_t)n;
	return 0;
}

/* Fills v; on failure v holds what was read so far, for verdict_free. */
static int
verdict_codec_get(struct verdict_codec_in *in, struct verdict *v,
    unsigned int depth)
{
	struct verdict_hit	*h;
	uint64_t		 n;
	unsigned int		 u;
	size_t			 i;

	if (verdict_codec_get_f64(in, &v->score) != 0 ||
	    verdict_codec_get_u8(in, &u) != 0)
		return -1;
	if (u > VERDICT_PHISH)
		return verdict_codec_fail(in, "verdict has an unknown level");
	v->level = (enum verdict_level)u;
	if (verdict_codec_get_uvarint(in, &n) != 0)
		return -1;
	/* Bound the allocation by what the remaining bytes could hold. */
	if (n > (in->len - in->off) / VERDICT_CODEC_MIN_HIT)
		return verdict_codec_fail(in, "verdict is truncated");
	if (n > 0)
		v->hits = xcalloc((size_t)n, sizeof *v->hits);
	for (i = 0; i < n; i++) {
		h = &v->hits[i];
		v->nhits++;
		if (verdict_codec_get_str(in, &h->rule) != 0 ||
		    verdict_codec_get_f64(in, &h->score) != 0 ||
		    verdict_codec_get_str(in, &h->explain[VERDICT_EN]) != 0 ||
		    verdict_codec_get_str(in, &h->explain[VERDICT_JA]) != 0 ||
		    verdict_codec_get_str(in, &h->evidence) != 0)
			return -1;
	}
	if (verdict_codec_get_str(in, &v->brand) != 0 ||
	    verdict_codec_get_str(in, &v->brand_name) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		if (verdict_codec_get_str(in, &v->advice_check[i]) != 0)
			return -1;
	}
	for (i = 0; i < 2; i++) {
		if (verdict_codec_get_str(in, &v->advice_victim[i]) != 0)
			return -1;
	}
	if (verdict_codec_get_u8(in, &u) != 0)
		return -1;
	if (u == 0)
		return 0;
	if (u != 1)
		return verdict_codec_fail(in,
		    "verdict has a bad forwarded marker");
	if (depth >= VERDICT_CODEC_MAX_DEPTH)
		return verdict_codec_fail(in, "verdict is nested too deeply");
	v->forwarded = verdict_new();
	v->forwarded->strings = in->pool;
	return verdict_codec_get(in, v->forwarded, depth + 1);
}

struct verdict *
verdict_decode(const unsigned char *p, size_t len, size_t *used, char **cause)
{
	return verdict_decode_pooled(p, len, NULL, used, cause);
}

struct verdict *
verdict_decode_pooled(const unsigned char *p, size_t len,
    struct strpool *pool, size_t *used, char **cause)
{
	struct verdict_codec_in	 in;
	struct verdict		*v;
	unsigned int		 version;

	if (used != NULL)
		*used = 0;
	if (p == NULL)
		len = 0;
	in.p = p;
	in.len = len;
	in.off = 0;
	in.error = NULL;
	in.pool = pool;
	if (verdict_codec_get_u8(&in, &version) != 0)
		goto fail;
	if (version != VERDICT_CODEC_VERSION) {
		if (cause != NULL)
			*cause = xasprintf("verdict encoding version %u is not "
			    "supported", version);
		return NULL;
	}
	v = verdict_new();
	/* Set first: a failed decode frees what it read the right way. */
	v->strings = pool;
	if (verdict_codec_get(&in, v, 0) != 0) {
		verdict_free(v);
		goto fail;
	}
	if (used != NULL)
		*used = in.off;
	return v;

fail:
	if (cause != NULL)
		*cause = xstrdup(in.error);
	return NULL;
}
