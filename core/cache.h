/* SPDX-License-Identifier: ISC */
/*
 * The on-disk message cache: one file per (account, mailbox) holding the
 * list fields and verdicts of every message, so a folder opens without
 * fetching or classifying again.  Knows nothing of IMAP or Maildir.
 */
#ifndef CACHE_H
#define CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "verdict.h"

struct cache_rec {
	uint32_t	 uid;
	unsigned int	 flags;		/* the backend's bits, opaque here */
	uint64_t	 modseq;	/* 0 = unknown */
	uint64_t	 size;
	int64_t		 date;		/* time_t of Date: or INTERNALDATE */
	/* Borrowed from the cache's string pool (cache_open_pooled); NULL
	 * allowed for each. */
	const char	*message_id;
	const char	*from;
	const char	*from_addr;	/* lower-case address */
	const char	*subject;
	struct verdict	*verdict;	/* NULL = not classified yet (or lent) */
	int		 lent;		/* the verdict is held by the lender */
};

struct cache_key {
	/* "imap://user@host:port" or "maildir:/abs/path" */
	const char	*account;
	const char	*mailbox;
	uint32_t	 uidvalidity;
	const char	*rules_version;	/* ruleset_version(); NULL means "" */
};

struct cache;
struct strpool;

/*
 * Opens the cache file for key (borrowed; copied) under dir, which is
 * created with its parents, mode 0700.  The file name is a hash of account
 * and mailbox, so any mailbox name is fine.  Never fails because of the
 * file's content: a missing, corrupt, truncated or foreign file, or a
 * different uidvalidity, yields an empty cache and sets cache_reset_reason();
 * a different rules_version keeps the list fields and drops every verdict
 * (the reason says so).  With dir NULL the cache lives in memory only
 * (cache_save does nothing).  Returns NULL and sets *cause (owned) only when
 * dir cannot be created or used, or key lacks account or mailbox.
 */
struct cache	*cache_open(const char *dir, const struct cache_key *key,
		    char **cause);
/*
 * The same, with the records' strings and verdicts' strings kept in pool
 * (borrowed: it must outlive the cache and every verdict the cache hands
 * out), so a store whose entries use the same pool holds each string once.
 * cache_open keeps a pool of its own.
 */
struct cache	*cache_open_pooled(const char *dir, const struct cache_key *key,
		    struct strpool *pool, char **cause);
/* Why the file was not loaded intact, or NULL.  Borrowed from c. */
const char	*cache_reset_reason(const struct cache *c);

/*
 * Records in ascending uid order.  Returned records are borrowed and valid
 * until the next call that changes c (put, set, remove, retain, close);
 * their strings stay valid as long as the cache's pool.
 */
size_t		 cache_count(const struct cache *c);
const struct cache_rec *cache_at(const struct cache *c, size_t i);
/* O(log n); NULL when uid is absent. */
const struct cache_rec *cache_lookup(const struct cache *c, uint32_t uid);

/*
 * Inserts or replaces by uid; copies rec (borrowed) into the cache's pool,
 * the verdict too.  Amortised O(1) when uids arrive in increasing order.
 */
void		 cache_put(struct cache *c, const struct cache_rec *rec);
/* Makes room for n records in all (a listing that knows its size). */
void		 cache_expect(struct cache *c, size_t n);
/* Adopts v (may be NULL) as the verdict of uid, moving its strings into
 * the cache's pool (verdict_intern); frees v if uid is absent. */
void		 cache_set_verdict_take(struct cache *c, uint32_t uid,
		    struct verdict *v);
/*
 * Lending, so a verdict is in memory once: the store's entries hold the
 * verdicts and the cache asks the lender for them when it saves.
 * cache_lend_verdict hands out uid's verdict (NULL when none) and marks it
 * lent; cache_return_verdict adopts v back (frees it when uid is absent);
 * cache_set_verdict_lent records that uid's new verdict is the lender's.
 * The lender must answer until the cache is saved for the last time.
 */
typedef const struct verdict *(*cache_lender_fn)(void *ctx, uint32_t uid);
void		 cache_set_lender(struct cache *c, cache_lender_fn fn, void *ctx);
struct verdict	*cache_lend_verdict(struct cache *c, uint32_t uid);
void		 cache_return_verdict(struct cache *c, uint32_t uid,
		    struct verdict *v);
void		 cache_set_verdict_lent(struct cache *c, uint32_t uid);
/* No-op when uid is absent. */
void		 cache_set_flags(struct cache *c, uint32_t uid,
		    unsigned int flags, uint64_t modseq);
void		 cache_remove(struct cache *c, uint32_t uid);
/* Removes every uid not in keep[] (ascending), e.g. messages expunged
 * on the server.  O(count + n). */
void		 cache_retain(struct cache *c, const uint32_t *keep, size_t n);

/* Mailbox state remembered with the records; 0 until set. */
uint64_t	 cache_highestmodseq(const struct cache *c);
void		 cache_set_highestmodseq(struct cache *c, uint64_t m);
uint32_t	 cache_uidnext(const struct cache *c);
void		 cache_set_uidnext(struct cache *c, uint32_t u);

/*
 * Writes the cache when it changed since open or the last save: a temporary
 * file in the same directory, fsync, rename, fsync of the directory.
 * Returns 0, or -1 and sets *cause (owned); the old file is then intact.
 */
int		 cache_save(struct cache *c, char **cause);
/* Frees c without saving; accepts NULL. */
void		 cache_close(struct cache *c);

#endif
