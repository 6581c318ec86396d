/* SPDX-License-Identifier: ISC */
/*
 * A compact, versioned binary form of struct verdict for the message cache.
 * Byte-exact round trip; decoding is total on hostile input.  Knows nothing
 * about files: callers frame the bytes.
 */
#ifndef VERDICT_CODEC_H
#define VERDICT_CODEC_H

#include <stddef.h>

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

#endif
