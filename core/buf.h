/* SPDX-License-Identifier: ISC */
/*
 * A growable byte buffer, NUL-terminated after buf_init and after every
 * append so its data can be used as a C string.  Embedded by value; buf_free releases the bytes.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <string.h>

#include "sagi.h"

struct buf {
	char	*data;		/* owned; NUL-terminated */
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *b);
void	 buf_free(struct buf *b);
void	 buf_reset(struct buf *b);
void	 buf_add_grow(struct buf *b, const void *p, size_t n);
void	 buf_printf(struct buf *b, const char *fmt, ...) SAGI_PRINTFLIKE(2, 3);
/*
 * Room for n more bytes, for a writer that fills a run itself: returns
 * where they go (valid until the next call on b); buf_commit then adds the
 * k <= n bytes written there.
 */
char	*buf_reserve(struct buf *b, size_t n);
void	 buf_commit(struct buf *b, size_t k);
/* Returns the owned NUL-terminated data and leaves b empty and unallocated
 * (buf_add works on it again; buf_free is then a no-op). */
char	*buf_take(struct buf *b);

/*
 * Appends n bytes (buf_add), a C string (buf_adds) or one byte (buf_addc).
 * Inline because the decoders and the HTML sanitiser append a byte or a
 * character at a time, hundreds of thousands of times per mailbox: the
 * common case, room left, is a copy and a store, and only growing the
 * buffer (buf_add_grow) is a call.
 */
static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->len + n >= b->cap) {
		buf_add_grow(b, p, n);
		return;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static inline void
buf_addc(struct buf *b, char c)
{
	if (b->len + 1 >= b->cap) {
		buf_add_grow(b, &c, 1);
		return;
	}
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

#endif
