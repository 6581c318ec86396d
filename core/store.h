/* SPDX-License-Identifier: ISC */
/*
 * An open mailbox behind one interface: an IMAP folder (store-imap.c), a
 * Maildir (store-maildir.c) or, read-only, an mbox file (store-mbox.c).  Lists messages, classifies them with an
 * analyzer, moves them to junk safely with an undo journal, and undoes.
 * The CLI and the TUI use only this; neither knows IMAP or Maildir.
 *
 * Threads: a store is used from one thread at a time.  store_classify runs
 * the analyzer on worker threads of its own while it fetches.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "conf.h"
#include "verdict.h"

struct store_entry {
	uint32_t	 uid;		/* IMAP UID; Maildir: a number fixed at open */
	unsigned int	 flags;
#define STORE_SEEN	0x01
#define STORE_ANSWERED	0x02
#define STORE_FLAGGED	0x04
#define STORE_DELETED	0x08
#define STORE_JUNK	0x10	/* $Junk (or Thunderbird's Junk) */
#define STORE_NOTJUNK	0x20	/* $NotJunk (or NonJunk) */
#define STORE_PHISHING	0x40	/* $Phishing */
	/*
	 * The four strings are borrowed from the store's string pool, where
	 * equal strings are one (the cache's records share them): valid
	 * until store_close, even after the entry itself is gone.  Never
	 * free them or write through them.  (Not const only because the
	 * undo journal's items, which borrow them in turn, are char *.)
	 */
	char		*message_id;	/* without <>; NULL when absent */
	char		*from;		/* decoded display name or address */
	char		*from_addr;	/* the address, lower-case; NULL when none */
	char		*subject;	/* decoded, not sanitised for a terminal */
	int64_t		 date;		/* Date: header, else arrival; 0 unknown */
	uint64_t	 size;
	/* Owned; NULL until classified.  Its strings are pooled like the
	 * ones above (verdict_intern); verdict_dup gives an owned copy. */
	struct verdict	*verdict;
	char		*error;		/* owned; why it could not be classified */
};

/*
 * Progress of a long operation.  phase is a short static English word
 * ("connecting", "listing", "classifying", "moving").  Returning nonzero
 * cancels: the operation stops at the next safe point and fails with the
 * cause "cancelled".  Called on the thread that called the store.
 */
typedef int (*store_progress_fn)(void *ctx, const char *phase, size_t done,
    size_t total);

struct store_opts {
	const char		*cache_dir;	/* NULL: no cache */
	const char		*journal_path;	/* NULL: moves cannot be undone */
	const char		*rules_version;	/* ruleset_version(): keys cached verdicts */
	int			 create_junk;	/* create the junk folder if none */
	int			 jobs;		/* analyzer threads, 0 = CPUs */
	/*
	 * The caller classifies everything store_list finds right after it
	 * and shows nothing before (sagi scan, sagi junk): an IMAP listing
	 * then fetches flags and sizes only, and the From, Subject, Date and
	 * Message-ID of new messages come from the bodies the classifier
	 * fetches anyway.  One read of each header instead of two.
	 */
	int			 fields_from_bodies;
	store_progress_fn	 progress;
	void			*progress_ctx;
};

struct store;

/*
 * Opens folder (NULL: the account's folder, else INBOX) of an IMAP
 * account: connects, verifies TLS before any credential, logs in and
 * selects.  Nothing is listed yet.  NULL and *cause on failure.  a and o
 * are copied.
 */
struct store	*store_open_imap(const struct account *a, const char *folder,
		    const struct store_opts *o, char **cause);
/* Opens a Maildir.  Junk is its Maildir++ subfolder ".Junk" unless
 * junk_folder names another. */
struct store	*store_open_maildir(const char *path, const char *junk_folder,
		    const struct store_opts *o, char **cause);
/*
 * Opens an mbox file read-only (store-mbox.c): it lists and classifies,
 * and refuses junk, undo and "not junk" with a cause that says so (see
 * store_read_only).  No cache and no journal.  NULL and *cause when path
 * is no regular file or does not start with "From ".
 */
struct store	*store_open_mbox(const char *path, const struct store_opts *o,
		    char **cause);
/* NULL when the mailbox can be changed; else why not, a static English
 * sentence (the caller may translate it). */
const char	*store_read_only(const struct store *st);
/* Logs out and frees; accepts NULL.  Saves the cache first. */
void		 store_close(struct store *st);

/* "imap://user@host:port/INBOX" or "maildir:/abs/path": for messages. */
const char	*store_name(const struct store *st);
/* The folder's name as the server spells it (decoded for display). */
const char	*store_folder(const struct store *st);

/*
 * Brings the list up to date: new messages, vanished ones, changed flags.
 * From the cache when there is one, so a second open fetches only what is
 * new.  Entries are in ascending uid order afterwards.
 */
int		 store_list(struct store *st, char **cause);
/*
 * Entries as a listing finds them, before store_list returns, so a caller
 * can show the first screen while the rest of a big folder arrives.
 * entries[0..n) are borrowed for the call only (copy what you keep); they
 * come batch by batch in no particular order, and an entry may come again
 * (a refresh lists what is known too).  Only store_list's finished list is
 * the truth: an entry reported here may be missing from it.  Called on
 * the thread that called store_list, like the progress callback.
 */
typedef void (*store_listed_fn)(void *ctx, const struct store_entry *entries,
    size_t n);
/* Sets (or with NULL clears) the listed callback; ctx is borrowed. */
void		 store_set_listed(struct store *st, store_listed_fn fn,
		    void *ctx);
/*
 * The entry store_classify has just given a verdict (or an error), called
 * on its thread in the order it judges, which is ascending uid: a caller
 * can print each message as it is judged, not all of them at the end.  e
 * is borrowed for the call.  Entries that had a verdict already are not
 * reported.
 */
typedef void (*store_judged_fn)(void *ctx, const struct store_entry *e);
/* Sets (or with NULL clears) the judged callback; ctx is borrowed. */
void		 store_set_judged(struct store *st, store_judged_fn fn,
		    void *ctx);
size_t		 store_count(const struct store *st);
/* Borrowed; valid until the next store_list, store_junk or store_undo. */
struct store_entry *store_entry_at(struct store *st, size_t i);
struct store_entry *store_entry_find(struct store *st, uint32_t uid);

/*
 * Gives every entry without a verdict one, fetching what the analyzer
 * needs (text parts, capped in size).  Verdicts go into the cache too.
 * A message that cannot be fetched or parsed gets ->error, and the rest
 * carry on.  Returns -1 only when the mailbox itself failed.
 */
int		 store_classify(struct store *st, const struct analyzer *a,
		    char **cause);

/* The raw message (capped at SOURCE_MAX_MESSAGE), owned.  For explain and
 * the pager. */
int		 store_fetch(struct store *st, uint32_t uid, char **data_out,
		    size_t *len_out, char **cause);

/* What a move did, chunk by chunk, for the user. */
struct store_move_report {
	char		*dst;		/* folder the messages went to */
	size_t		 requested;
	size_t		 moved;		/* gone from the source, in dst */
	size_t		 marked;	/* copied, originals only marked \Deleted */
	size_t		 failed;	/* still only in the source */
	size_t		 both;		/* copied but also still in the source */
	char		**notes;	/* one line per chunk or problem, owned */
	size_t		 nnotes;
	char		*journal_id;	/* undo batch, NULL when not journalled */
};

/*
 * Moves uids to the junk folder (found by SPECIAL-USE \Junk, then XLIST
 * \Spam, then the configured name, then the usual names).  Sets $Junk
 * and $Phishing where the server lets us, clears $NotJunk, and records
 * the batch in the journal.  Never expunges anything but the moved uids.
 * Returns 0 when every uid moved, -1 with *cause otherwise (rep says what
 * happened to each chunk).
 */
int		 store_junk(struct store *st, const uint32_t *uids, size_t n,
		    struct store_move_report *rep, char **cause);
/* Moves the newest journalled batch of this account back where it came
 * from, clears $Junk/$Phishing, sets $NotJunk. */
int		 store_undo(struct store *st, struct store_move_report *rep,
		    char **cause);
/* Marks uid "not junk" ($NotJunk set, $Junk/$Phishing cleared). */
int		 store_mark_not_junk(struct store *st, uint32_t uid, char **cause);
/* The junk folder the next move would use; NULL and *cause when none. */
const char	*store_junk_folder(struct store *st, char **cause);

void		 store_move_report_clear(struct store_move_report *rep);

/*
 * For tests: an in-memory backend (store-fake.c).  Neither the CLI nor the
 * TUI opens one; unit tests use it to drive code that takes a store without
 * a server or a Maildir.
 */
struct store_fake_msg {
	const char	*raw;		/* borrowed for the call; copied */
	size_t		 len;
	unsigned int	 flags;		/* STORE_SEEN … as listed */
};

/*
 * A mailbox "INBOX" holding copies of msgs[0..n) with uids 1..n, and an
 * in-memory "Junk".  Junk moves honour the progress callback and fill the
 * report chunk by chunk like the real stores; undo moves the newest batch
 * back under new uids (as IMAP does) and needs no journal.  n 0 is an empty
 * mailbox.  NULL and *cause when msgs is NULL but n is not, or a raw is
 * NULL.
 */
struct store	*store_open_fake(const struct store_fake_msg *msgs, size_t n,
		    const struct store_opts *o, char **cause);
/*
 * Test knobs, callable from any thread while another uses the store; on a
 * store that is not fake they do nothing (or return 0).  The next junk moves
 * k messages and fails the rest (-1: never; the knob resets after one use).
 * Each fetch_batch sleeps ms first, so a test can watch progress or cancel.
 * junk_count is the number of messages now in the fake's Junk.
 */
void		 store_fake_fail_junk_after(struct store *st, long k);
void		 store_fake_set_fetch_delay(struct store *st, unsigned int ms);
/*
 * While hold is nonzero, a listing stops after its first batch of 32 (shown
 * to the listed callback) and waits, still cancellable, until the knob is
 * cleared: a test can look at what a half-finished listing showed.
 */
void		 store_fake_hold_listing(struct store *st, int hold);
size_t		 store_fake_junk_count(struct store *st);

#endif
