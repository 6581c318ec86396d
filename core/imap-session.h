/* SPDX-License-Identifier: ISC */
/*
 * One IMAP connection with libetpan: connect, TLS verified before any
 * credential, login, capabilities, select.  store-imap.c does the mail
 * work on top.  Errors come back as causes that name the step, say what
 * the server answered (control characters removed) and never hold a
 * password or token.
 */
#ifndef IMAP_SESSION_H
#define IMAP_SESSION_H

#include <stdint.h>

#include <libetpan/libetpan.h>

#include "conf.h"

struct imap_session {
	mailimap	*imap;
	char		*host;
	unsigned int	 caps;
#define IMAP_CAP_MOVE		0x001
#define IMAP_CAP_UIDPLUS	0x002
#define IMAP_CAP_CONDSTORE	0x004
#define IMAP_CAP_QRESYNC	0x008
#define IMAP_CAP_SPECIAL_USE	0x010
#define IMAP_CAP_XLIST		0x020
#define IMAP_CAP_STARTTLS	0x040
#define IMAP_CAP_LITERALPLUS	0x080
#define IMAP_CAP_CREATE_SPECIAL_USE 0x100
#define IMAP_CAP_LIST_EXTENDED	0x200

	/* The selected mailbox (UTF-8 name), valid after imap_session_select. */
	char		*selected;
	uint32_t	 uidvalidity;
	uint32_t	 uidnext;
	uint32_t	 exists;
	uint64_t	 highestmodseq;	/* 0 without CONDSTORE */
	unsigned int	 permflags;
#define IMAP_PERM_ANY_KEYWORD	0x1	/* \* in PERMANENTFLAGS */
#define IMAP_PERM_JUNK		0x2
#define IMAP_PERM_NOTJUNK	0x4
#define IMAP_PERM_PHISHING	0x8
#define IMAP_PERM_DELETED	0x10
	int		 qresync;	/* ENABLE QRESYNC accepted (RFC 7162) */
	int		 broken;	/* the connection is gone */
};

/*
 * Connects to the account's server: TLS per a->tls (verified with
 * tlsverify before anything else is sent), then the credential from
 * password_cmd, password or oauth2_token_cmd.  a is borrowed.
 */
struct imap_session *imap_session_open(const struct account *a, char **cause);
/* Logs out (when the connection still works) and frees; accepts NULL. */
void		 imap_session_close(struct imap_session *s);
/* Selects (read-write) the UTF-8 mailbox name. */
int		 imap_session_select(struct imap_session *s, const char *mailbox,
		    char **cause);
/*
 * The cause for a failed libetpan call: "<what>: <why>" with the server's
 * response text when there is one.  Marks the session broken when the
 * connection failed.  Owned.
 */
char		*imap_session_cause(struct imap_session *s, int rc,
		    const char *what);
/* Nonzero when rc means the connection is gone (stream, parse, fatal). */
int		 imap_session_rc_broken(int rc);

#endif
