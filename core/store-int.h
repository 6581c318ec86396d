/* SPDX-License-Identifier: ISC */
/*
 * What a store backend provides and what store.c does for every backend
 * (the entry list, classification with worker threads, progress).  Only
 * store*.c include this.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include "store.h"

struct cache;
struct strpool;

/*
 * One fetched message for the classifier: data (owned, adopted by the sink)
 * or error (owned, adopted), never both.
 */
typedef void (*store_sink_fn)(void *ctx, uint32_t uid, char *data, size_t len,
    char *error);

struct store_ops {
	const char	*kind;		/* "imap", "maildir" */
	/* Rebuilds st->entries (use store_entries_*). */
	int		(*list)(struct store *st, char **cause);
	/* Calls sink once for each uid, in any order.  -1 when the mailbox
	 * failed; uids not yet given to the sink then get that error. */
	int		(*fetch_batch)(struct store *st, const uint32_t *uids,
			    size_t n, store_sink_fn sink, void *ctx, char **cause);
	int		(*fetch)(struct store *st, uint32_t uid, char **data,
			    size_t *len, char **cause);
	int		(*junk)(struct store *st, const uint32_t *uids, size_t n,
			    struct store_move_report *rep, char **cause);
	int		(*undo)(struct store *st, struct store_move_report *rep,
			    char **cause);
	int		(*mark_not_junk)(struct store *st, uint32_t uid,
			    char **cause);
	const char	*(*junk_folder)(struct store *st, char **cause);
	/* Frees impl (logging out first); the entries are store.c's. */
	void		(*close)(struct store *st);
	size_t		 batch;		/* uids per fetch_batch call */
	/* NULL, or why nothing can be changed: junk, undo and
	 * mark_not_junk then only refuse (store_read_only). */
	const char	*read_only;
};

struct store {
	const struct store_ops	*ops;
	void			*impl;
	char			*name;
	char			*folder;
	struct store_opts	 opts;
	/* Owned: the entries' strings and their verdicts', shared with the
	 * cache (cache_open_pooled).  Freed last, by store_close. */
	struct strpool		*strings;
	struct store_entry	*entries;	/* ascending uid */
	size_t			 nentries;
	size_t			 aentries;
	struct cache		*cache;		/* the backend's, or NULL */
	store_listed_fn		 listed;	/* NULL: nobody watches */
	void			*listed_ctx;
	store_judged_fn		 judged;	/* NULL: nobody watches */
	void			*judged_ctx;
};

/* Allocates the common part; name and folder are copied. */
struct store	*store_new(const struct store_ops *ops, void *impl,
		    const char *name, const char *folder,
		    const struct store_opts *o);
/* Empties the entry list. */
void		 store_entries_clear(struct store *st);
/* Makes room for n entries in all (a listing that knows its size). */
void		 store_entries_reserve(struct store *st, size_t n);
/* Appends a zeroed entry with uid and returns it (borrowed). */
struct store_entry *store_entries_add(struct store *st, uint32_t uid);
/* Sorts by uid (backends that cannot append in order call it last). */
void		 store_entries_sort(struct store *st);
/* Removes the entries for the uids (sorted or not). */
void		 store_entries_remove(struct store *st, const uint32_t *uids,
		    size_t n);
/* Frees what e owns (verdict, error) and zeroes it; the strings are the
 * pool's. */
void		 store_entry_clear(struct store_entry *e);
/* Calls the progress callback; nonzero when the user cancelled. */
int		 store_progress(struct store *st, const char *phase, size_t done,
		    size_t total);
/* Hands a batch of entries found by a listing to the listed callback
 * (store.h); does nothing when none is set or n is 0. */
void		 store_listed(struct store *st, const struct store_entry *e,
		    size_t n);
/* Appends a formatted note to rep. */
void		 store_report_note(struct store_move_report *rep,
		    const char *fmt, ...) SAGI_PRINTFLIKE(2, 3);
/* Parses the From/Subject/Message-ID/Date of a header block into e, its
 * strings in st's pool. */
void		 store_entry_fill_headers(struct store *st,
		    struct store_entry *e, const char *hdr, size_t len);
/*
 * Nonzero when uid's cache record has no list fields yet: a lean listing
 * (store_opts.fields_from_bodies) left them to the classifier.
 */
int		 store_wants_fields(const struct store *st, uint32_t uid);
/* s in st's pool (NULL for NULL): what entries' strings point to.
 * Borrowed from st; char * only for struct store_entry (store.h). */
char		*store_string(struct store *st, const char *s);

#endif
