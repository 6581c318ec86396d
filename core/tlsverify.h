/* SPDX-License-Identifier: ISC */
/*
 * Whether a TLS server's certificate chain may be trusted, decided after the
 * handshake and before any credential is sent (libetpan verifies nothing).
 * Pure decision over DER blobs: no sockets, no printing, no globals.
 */
#ifndef TLSVERIFY_H
#define TLSVERIFY_H

#include <stddef.h>
#include <time.h>

/* One DER certificate, borrowed. */
struct tlsverify_cert {
	const unsigned char	*der;
	size_t			 len;
};

/* All pointers are borrowed for the duration of the call. */
struct tlsverify_opts {
	const char	*host;		/* name or IP literal we connected to */
	const char	*ca_file;	/* PEM bundle; NULL = the system trust store */
	const char	*pin;		/* "sha256:HEX" (colons optional, any case) or NULL */
	time_t		 now;		/* 0 = time(NULL); tests pass a fixed time */
};

/*
 * Decides whether the chain (leaf first, as the server sent it) may be
 * trusted for opts->host.  Returns 0 when it may; -1 with *cause (owned, one
 * or two lines saying what is wrong and how to fix it, with the leaf's
 * fingerprint when it parses) when not.  cause may be NULL.
 *
 * A pin, when given, decides alone: the SHA-256 of the leaf's DER must match
 * (then CA, validity dates and name are not checked: that is what pinning a
 * self-signed server means); a mismatch is refused even if the CA would have
 * accepted.  host may then be NULL.
 *
 * Without a pin the chain must verify, at opts->now, against ca_file (which
 * may also hold CRLs) or the system trust store, be meant for TLS servers,
 * and the leaf must match host (DNS name, or IP SAN for an IP literal; "[::1]"
 * is taken as ::1).  The CA file or system store is loaded on every call.
 */
int	 tlsverify_chain(const struct tlsverify_cert *chain, size_t n,
	    const struct tlsverify_opts *opts, char **cause);

/*
 * "sha256:AB:CD:…" (upper-case hex) of one DER certificate, as
 * `openssl x509 -fingerprint -sha256` prints it.  Owned; NULL when der does
 * not parse as a certificate.
 */
char	*tlsverify_fingerprint(const unsigned char *der, size_t len);

#endif
