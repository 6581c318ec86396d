/* SPDX-License-Identifier: ISC */
/*
 * The account configuration file (sagi-config(5)): INI-like sections
 * "[account NAME]" of "key = value" lines, loaded into plain structs.  Also
 * parses imap:// and imaps:// URLs and checks an account before connecting.
 * Opens no connection, runs no command, reads no environment.
 */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>

#include "diag.h"

#define CONF_DEFAULT_TIMEOUT	30u	/* seconds */
#define CONF_MAX_TIMEOUT	3600u

enum account_tls { ACCOUNT_TLS_IMAPS, ACCOUNT_TLS_STARTTLS, ACCOUNT_TLS_NONE };

/*
 * Every string is owned by the account and NULL when unset.  Release with
 * account_clear (conf_free does it for a loaded file).  conf_load stores
 * tls_fingerprint normalised ("sha256:" and 64 lower-case hex digits) and
 * maildir as written: expanding "~/" is the caller's business.
 */
struct account {
	char		*name;
	char		*host;			/* without brackets for IPv6 */
	unsigned int	 port;			/* 0 = default: 993 for imaps, 143 otherwise */
	enum account_tls tls;			/* default imaps */
	char		*user;
	char		*password_cmd;		/* run through /bin/sh, first line of stdout */
	char		*password;		/* only from a file nobody else can read */
	char		*oauth2_token_cmd;
	char		*oauth2_mechanism;	/* "xoauth2", "oauthbearer", NULL: by server */
	char		*authserv_id;		/* whose Authentication-Results to trust */
	char		*junk_folder;		/* override of junk folder discovery */
	char		*folder;		/* default folder, "INBOX" when unset */
	char		*tls_ca_file;
	char		*tls_fingerprint;	/* "sha256:HEX" (colons optional, any case) */
	int		 allow_plaintext;	/* tls = none is refused without it */
	unsigned int	 timeout;		/* network timeout in seconds, default 30 */
	char		*maildir;		/* a local Maildir account instead of IMAP */
	char		**trusted_senders;	/* addresses or @domains marked "not phish" */
	size_t		 ntrusted_senders;
	int		 is_default;
};

struct conf {
	struct account	*accounts;
	size_t		 naccounts;
};

/*
 * Loads the file at path.  Never returns NULL: a missing file (or a NULL
 * path) is an empty conf with no diagnostic.  Every problem is added to d as
 * "path:line:col: message" (col counts bytes) and loading goes on without
 * the bad line; d may be NULL to drop them.  A file writable by group or
 * others, or owned by another user, is not loaded at all (one diagnostic).
 * A password from a file readable by group or others is dropped, never kept.
 * Release with conf_free.
 */
struct conf	*conf_load(const char *path, struct diag *d);
/* Frees c and its accounts, wiping passwords first.  Accepts NULL. */
void		 conf_free(struct conf *c);
/*
 * The account called name, or with name NULL the one marked default, else
 * the first.  NULL when there is none.  Borrowed; lives until conf_free.
 */
const struct account *conf_account(const struct conf *c, const char *name);

/*
 * Appends "trusted_sender = sender" to the section of account in the file at
 * path, rewriting it atomically (temporary file in the same directory, fsync,
 * rename) and keeping its mode.  A missing file is created with mode 0600
 * (and its directory, one level, with 0700); a missing section is appended.
 * A sender already listed leaves the file alone.  A symlink is followed, so
 * the file it points to is rewritten.  Returns 0, or -1 and *cause (owned).
 * Not safe against another process rewriting the file at the same moment.
 */
int		 conf_add_trusted_sender(const char *path, const char *account,
		     const char *sender, char **cause);

/* 1 when host is 127.0.0.0/8, ::1 (bracketed or not, or v4-mapped 127/8)
 * or "localhost"; 0 otherwise and for NULL. */
int		 conf_is_loopback(const char *host);
/* "imaps", "starttls", "none" (any case) into *out: 0, or -1 when unknown. */
int		 conf_tls_parse(const char *s, enum account_tls *out);
/* The name conf_tls_parse reads back.  Static string. */
const char	*conf_tls_name(enum account_tls tls);
/* "sha256:HEX" with optional colons, any case, into "sha256:" and 64
 * lower-case hex digits (owned), or NULL when malformed. */
char		*conf_fingerprint_normalise(const char *s);

/* Fills *a with the defaults: everything unset, tls imaps, timeout 30. */
void		 account_init(struct account *a);
/* Frees what *a owns, wiping the password, and leaves it as account_init
 * does. */
void		 account_clear(struct account *a);
/* Deep copy.  dst is overwritten: it must not own anything (fresh,
 * account_init'ed or account_clear'ed). */
void		 account_copy(struct account *dst, const struct account *src);
/* The port to connect to: port, or the default for tls when it is 0. */
unsigned int	 account_port(const struct account *a);
/*
 * Parses imaps://[user@]host[:port][/FOLDER] (tls imaps) or imap://… (tls
 * starttls) into *out, which the caller has account_init'ed: only the parts
 * present are set (earlier values are freed).  user and FOLDER are
 * percent-decoded; an IPv6 host is written in brackets.  *folder_out gets
 * the folder (owned) or NULL when the path is empty; folder_out may be NULL.
 * A password in the URL is refused because it would show in ps.  Returns 0,
 * or -1 and *cause (owned) with *out and *folder_out untouched.
 */
int		 account_from_url(const char *url, struct account *out,
		     char **folder_out, char **cause);
/*
 * The last check before connecting, after command-line overrides: a Maildir
 * account passes; otherwise host is set, port and timeout are in range, the
 * fingerprint and oauth2 mechanism are well formed, and tls none comes with
 * allow_plaintext.  Returns 0, or -1 and *cause (owned) saying how to fix it.
 */
int		 account_check(const struct account *a, char **cause);
/* 1 when addr (an address, any case) matches one of a's trusted senders:
 * the same address, or "@domain" with exactly that domain. */
int		 account_trusts_sender(const struct account *a,
		     const char *addr);

#endif
