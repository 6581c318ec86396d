/* SPDX-License-Identifier: ISC */
/*
 * A compact, versioned binary form of struct verdict for the message cache.
 * Byte-exact round trip; decoding is total on hostile input.  Knows nothing
 * about files: callers frame the bytes.
 */
#ifndef VERDICT_CODEC_H
#define VERDICT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "verdict.h"

#define VERDICT_CODEC_VERSION	1
/* Forwarded verdicts below the top one that are encoded and accepted. */
#define VERDICT_CODEC_MAX_DEPTH	VERDICT_MAX_DEPTH

/*
 * Appends the encoding of v (borrowed) to out, which must be initialised.
 * Forwarded verdicts deeper than VERDICT_CODEC_MAX_DEPTH are left out, so
 * whatever is encoded decodes again.
 */
void		 verdict_encode(const struct verdict *v, struct buf *out);
/*
 * Decodes one verdict from the len bytes at p.  Returns an owned verdict
 * (verdict_free) and sets *used (if not NULL) to the bytes consumed;
 * trailing bytes are the caller's business.  On truncation, an unknown
 * version, a bad level, a NUL inside a string or nesting deeper than
 * VERDICT_CODEC_MAX_DEPTH returns NULL and sets *cause (owned).
 */
struct verdict	*verdict_decode(const unsigned char *p, size_t len,
		    size_t *used, char **cause);
/* The same, with the strings put in pool (borrowed; it must outlive the
 * verdict), as verdict_intern would: no allocation per string. */
struct verdict	*verdict_decode_pooled(const unsigned char *p, size_t len,
		    struct strpool *pool, size_t *used, char **cause);

/*
 * The unsigned LEB128 numbers the codec and the cache file share.
 * varint_put writes v to b and returns the length; varint_get reads one at
 * p[*off] (advancing *off) and returns 0, -1 when truncated, -2 when it
 * does not fit in 64 bits.
 */
#define VERDICT_CODEC_VARINT_MAX	10
size_t	verdict_codec_varint_put(uint64_t v,
	    unsigned char b[VERDICT_CODEC_VARINT_MAX]);
int	verdict_codec_varint_get(const unsigned char *p, size_t len,
	    size_t *off, uint64_t *out);

#endif
