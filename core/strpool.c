/* SPDX-License-Identifier: ISC */
/*
 * The string pool: strings packed one after another in 64 KiB chunks (a
 * long one gets a chunk of its own), found again through an open-addressing
 * hash table of pointers into them.  Knows nothing of what the strings are.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strpool.h"
#include "xalloc.h"

#define STRPOOL_CHUNK		(64 * 1024)
/* Longer strings get their own chunk rather than waste a shared one. */
#define STRPOOL_BIG		(STRPOOL_CHUNK / 8)
#define STRPOOL_MIN_SLOTS	256

struct strpool_chunk {
	struct strpool_chunk	*next;
	size_t			 used, size;
	char			 data[];
};

struct strpool {
	struct strpool_chunk	*chunks;	/* the head takes new strings */
	const char		**slots;	/* into the chunks; NULL = empty */
	size_t			 nslots;	/* a power of two */
	size_t			 count;
	size_t			 bytes;
};

/*
 * Eight bytes a step (a byte at a time was a fifth of a warm scan): a
 * multiply-xorshift over words, finished like MurmurHash3's fmix64 so the
 * low bits the table uses depend on every byte.  In memory only, so the
 * byte order does not matter.
 */
static uint64_t
strpool_hash(const char *s, size_t len)
{
	uint64_t	 h = 0x9e3779b97f4a7c15ull ^ len, w;

	while (len >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		s += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

struct strpool *
strpool_new(void)
{
	struct strpool	*p = xcalloc(1, sizeof *p);

	p->nslots = STRPOOL_MIN_SLOTS;
	p->slots = xcalloc(p->nslots, sizeof *p->slots);
	return p;
}

void
strpool_free(struct strpool *p)
{
	struct strpool_chunk	*c, *next;

	if (p == NULL)
		return;
	for (c = p->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(p->slots);
	free(p);
}

static void
strpool_grow(struct strpool *p)
{
	const char	**old = p->slots;
	size_t		  nold = p->nslots, i, j, mask;

	p->nslots *= 2;
	p->slots = xcalloc(p->nslots, sizeof *p->slots);
	mask = p->nslots - 1;
	for (i = 0; i < nold; i++) {
		if (old[i] == NULL)
			continue;
		j = (size_t)strpool_hash(old[i], strlen(old[i])) & mask;
		while (p->slots[j] != NULL)
			j = (j + 1) & mask;
		p->slots[j] = old[i];
	}
	free(old);
}

/* Room for n bytes; a new chunk when the head is full. */
static char *
strpool_room(struct strpool *p, size_t n)
{
	struct strpool_chunk	*c = p->chunks;
	char			*s;

	if (n > STRPOOL_BIG) {
		c = xmalloc(sizeof *c + n);
		c->used = c->size = n;
		p->bytes += n;
		/* Behind the head, which keeps its free space. */
		if (p->chunks != NULL) {
			c->next = p->chunks->next;
			p->chunks->next = c;
		} else {
			c->next = NULL;
			p->chunks = c;
		}
		return c->data;
	}
	if (c == NULL || c->size - c->used < n) {
		c = xmalloc(sizeof *c + STRPOOL_CHUNK);
		c->used = 0;
		c->size = STRPOOL_CHUNK;
		c->next = p->chunks;
		p->chunks = c;
		p->bytes += STRPOOL_CHUNK;
	}
	s = c->data + c->used;
	c->used += n;
	return s;
}

const char *
strpool_addn(struct strpool *p, const char *s, size_t len)
{
	size_t	 j, mask;
	char	*copy;

	if (s == NULL)
		return NULL;
	/* Grow first so that the slot found below stays the slot. */
	if ((p->count + 1) * 4 > p->nslots * 3)
		strpool_grow(p);
	mask = p->nslots - 1;
	j = (size_t)strpool_hash(s, len) & mask;
	for (; p->slots[j] != NULL; j = (j + 1) & mask) {
		/* strncmp stops at the pooled string's NUL. */
		if (strncmp(p->slots[j], s, len) == 0 &&
		    p->slots[j][len] == '\0')
			return p->slots[j];
	}
	copy = strpool_room(p, len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	p->slots[j] = copy;
	p->count++;
	return copy;
}

const char *
strpool_add(struct strpool *p, const char *s)
{
	return s == NULL ? NULL : strpool_addn(p, s, strlen(s));
}

size_t
strpool_count(const struct strpool *p)
{
	return p == NULL ? 0 : p->count;
}

size_t
strpool_bytes(const struct strpool *p)
{
	return p == NULL ? 0 : p->bytes;
}
