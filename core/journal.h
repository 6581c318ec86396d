/* SPDX-License-Identifier: ISC */
/*
 * The undo journal: an append-only file recording every batch of messages
 * sagi moved, so the newest batch can be moved back.  The caller passes the
 * path ($XDG_STATE_HOME/sagi/journal); this module does not move mail.
 */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <stddef.h>
#include <stdint.h>

/* The file is rewritten with the newest JOURNAL_KEEP batches past this. */
#define JOURNAL_MAX_SIZE	(1024 * 1024)
#define JOURNAL_KEEP		100

struct journal_item {
	uint32_t	 src_uid;	/* 0 for Maildir */
	uint32_t	 dst_uid;	/* 0 = unknown (no COPYUID) */
	char		*message_id;	/* may be NULL */
	/* Maildir: path relative to the Maildir root before the move and
	 * after it; NULL for IMAP. */
	char		*src_name;
	char		*dst_name;
};

struct journal_batch {
	/* Unique, set by journal_append: "20261128T031500Z-4f2a". */
	char			*id;
	int64_t			 when;		/* time_t; set by append if 0 */
	char			*account;	/* as cache_key.account */
	char			*src_mailbox;
	uint32_t		 src_uidvalidity;
	char			*dst_mailbox;
	uint32_t		 dst_uidvalidity;
	struct journal_item	*items;
	size_t			 nitems;
	int			 undone;
};

/*
 * Appends b (borrowed, except that b->id is replaced by a new owned id and
 * b->when is set if it was 0) under an exclusive flock, fsync'd.  Creates
 * the file (0600) and its parent directories (0700).  Every string field
 * may be NULL and may hold any bytes but NUL.  Returns 0, or -1 and sets
 * *cause (owned); on failure the file holds no part of b.
 */
int	journal_append(const char *path, struct journal_batch *b, char **cause);
/*
 * Sets *out to the newest batch not yet undone, for account (NULL = any
 * account), or to NULL when there is none or no file.  The result is owned
 * (journal_batch_free).  Torn or corrupt records are skipped, never fatal.
 * Returns 0, or -1 and sets *cause (owned) when the file cannot be read.
 */
int	journal_last(const char *path, const char *account,
	    struct journal_batch **out, char **cause);
/*
 * Records that batch id has been undone, so journal_last passes over it.
 * Returns 0, or -1 and sets *cause (owned), also when no batch has that id.
 */
int	journal_mark_undone(const char *path, const char *id, char **cause);
/* Frees b and everything it owns; accepts NULL. */
void	journal_batch_free(struct journal_batch *b);

#endif
