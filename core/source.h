/* SPDX-License-Identifier: ISC */
/*
 * Local mail sources: one .eml file, a Maildir (cur/ and new/), an mbox
 * file, or standard input ("-").  Hands out raw messages one at a time so
 * memory stays flat in the number of messages.  Knows nothing of MIME.
 */
#ifndef SOURCE_H
#define SOURCE_H

#include <stddef.h>

#define SOURCE_MAX_MESSAGE	(64u << 20)	/* bigger messages are reported, not read */

enum source_kind { SOURCE_FILE, SOURCE_MAILDIR, SOURCE_MBOX, SOURCE_STDIN };

struct source;

struct source_msg {
	char	*path;		/* file the message came from (the mbox for mbox) */
	long	 index;		/* 0-based message number in an mbox, else -1 */
	char	*data;		/* raw bytes (owned), NULL when error is set */
	size_t	 len;
	char	*error;		/* why this message could not be read, or NULL */
};

/* Opens path and decides its kind.  NULL and *cause (owned) when it cannot
 * be opened or is neither a file nor a Maildir. */
struct source	*source_open(const char *path, char **cause);
enum source_kind source_kind(const struct source *s);
/* Fills *out with the next message (clear it with source_msg_clear).
 * Returns 1, or 0 at the end. */
int		 source_next(struct source *s, struct source_msg *out);
void		 source_msg_clear(struct source_msg *m);
void		 source_close(struct source *s);

#endif
