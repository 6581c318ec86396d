/* SPDX-License-Identifier: ISC */
/*
 * What the receiving servers said: the trusted Authentication-Results
 * header (RFC 8601) and the origin Received hop.  sagi is a mail reader and
 * cannot run SPF/DKIM itself, so it believes only the A-R its own provider
 * wrote: the one whose authserv-id is configured, else the topmost one
 * (anything below it may have been written by the sender).
 */
#ifndef AUTH_H
#define AUTH_H

#include <stddef.h>

struct msg;

struct auth_entry {
	char	*method;	/* "spf", "dkim", "dmarc", "arc"… lower-case */
	char	*result;	/* "pass", "fail", "softfail", "none"… lower-case */
	char	*domain;	/* dkim: header.d; dmarc: header.from; spf: smtp.mailfrom domain */
	char	*policy;	/* dmarc: policy.dmarc or the p= in a comment, else "" */
};

struct auth_results {
	char			*authserv;	/* NULL when no header was trusted */
	struct auth_entry	*entries;
	size_t			 nentries;
};

/* Parses one Authentication-Results value into *out (clear with
 * auth_results_clear).  Returns 0, or -1 when it is not one. */
int	 auth_parse(const char *value, struct auth_results *out);
/* Finds and parses the trusted header of m.  authserv_id NULL or "" means
 * the topmost header.  Returns 0, or -1 (and an empty *out) when none. */
int	 auth_trusted(const struct msg *m, const char *authserv_id,
	     struct auth_results *out);
void	 auth_results_clear(struct auth_results *ar);

struct auth_origin {
	char	*text;		/* the header, unfolded, cut to 300 bytes */
	char	*host;		/* the "from" name (HELO), lower-case, or "" */
	char	*ip;		/* the bracketed address, or "" */
};

/* The bottom-most Received header (the hop where the mail entered). */
int	 auth_origin(const struct msg *m, struct auth_origin *out);
void	 auth_origin_clear(struct auth_origin *o);

#endif
