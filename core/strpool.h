/* SPDX-License-Identifier: ISC */
/*
 * Interned strings: each distinct string is held once, in big chunks, for
 * as long as the pool lives.  A mailbox repeats the same sender names,
 * rule ids, explanations and advice thousands of times; a store and its
 * cache keep them here instead of one malloc per copy.
 */
#ifndef STRPOOL_H
#define STRPOOL_H

#include <stddef.h>

struct strpool;

struct strpool	*strpool_new(void);
/* Frees p and every string in it; accepts NULL. */
void		 strpool_free(struct strpool *p);

/*
 * The pooled copy of s (NULL for NULL): the same pointer for equal
 * strings.  Borrowed from p, valid until strpool_free(p).  Nothing is
 * ever removed, so a pool grows with the distinct strings it was given.
 * Not thread-safe: one thread at a time.
 */
const char	*strpool_add(struct strpool *p, const char *s);
/* The same for the len bytes at s, which hold no NUL. */
const char	*strpool_addn(struct strpool *p, const char *s, size_t len);

/* Distinct strings held, and bytes allocated for them (for tests). */
size_t		 strpool_count(const struct strpool *p);
size_t		 strpool_bytes(const struct strpool *p);

#endif
