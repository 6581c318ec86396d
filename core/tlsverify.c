/* SPDX-License-Identifier: ISC */
/*
 * Trust decision for a TLS server's certificate chain with GnuTLS: a pinned
 * SHA-256 fingerprint, or a CA chain checked at a given time plus the host
 * name.  Every refusal says what is wrong and how to fix it.  Knows nothing
 * of sockets or IMAP; reads only the CA file it is given.
 */
#include "config.h"

#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "buf.h"
#include "tlsverify.h"
#include "xalloc.h"

#define TLSVERIFY_SHA256_LEN	32
#define TLSVERIFY_MAX_CA_FILE	(64u << 20)
#define TLSVERIFY_MAX_NAMES	4	/* names listed in a mismatch message */

/* What went wrong, to pick the advice; the worst one wins. */
#define TLSVERIFY_P_OTHER	0x01
#define TLSVERIFY_P_TIME	0x02
#define TLSVERIFY_P_ISSUER	0x04
#define TLSVERIFY_P_REVOKED	0x08

struct tlsverify {
	const char		*host;		/* for messages; never NULL */
	time_t			 now;
	gnutls_x509_crt_t	*crts;		/* the parsed chain, owned */
	size_t			 n;
	char			*fp;		/* leaf's fingerprint, owned */
	struct buf		 why;		/* ", "-separated problems */
	unsigned int		 problems;
};

/*
 * Status bits in the order they are explained.  SIGNER_NOT_FOUND and
 * INSECURE_ALGORITHM have no fixed text: they name a certificate.  Time
 * checks are done here, not by GnuTLS, so EXPIRED and NOT_ACTIVATED only
 * show up if GnuTLS finds them somewhere we did not look.
 */
static const struct {
	unsigned int	 bit;
	unsigned int	 problem;
	const char	*what;
} tlsverify_bits[] = {
	{ GNUTLS_CERT_SIGNER_NOT_FOUND, TLSVERIFY_P_ISSUER, NULL },
	{ GNUTLS_CERT_REVOKED, TLSVERIFY_P_REVOKED,
	  "it has been revoked by its CA" },
	{ GNUTLS_CERT_SIGNATURE_FAILURE, TLSVERIFY_P_OTHER,
	  "a signature in the chain does not verify (corrupt or forged)" },
	{ GNUTLS_CERT_SIGNER_NOT_CA, TLSVERIFY_P_OTHER,
	  "it was signed by a certificate that is not a CA" },
	{ GNUTLS_CERT_INSECURE_ALGORITHM, TLSVERIFY_P_OTHER, NULL },
	{ GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, TLSVERIFY_P_OTHER,
	  "its CA is not allowed to issue it (name or path-length "
	  "constraints)" },
	{ GNUTLS_CERT_PURPOSE_MISMATCH, TLSVERIFY_P_OTHER,
	  "it is not meant for TLS servers (extended key usage)" },
	{ GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, TLSVERIFY_P_OTHER,
	  "it has a critical extension GnuTLS does not know" },
	{ GNUTLS_CERT_EXPIRED, TLSVERIFY_P_TIME,
	  "a certificate in the chain has expired" },
	{ GNUTLS_CERT_NOT_ACTIVATED, TLSVERIFY_P_TIME,
	  "a certificate in the chain is not valid yet" },
	{ GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED, TLSVERIFY_P_OTHER,
	  "the CA's revocation list is out of date" },
	{ GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE, TLSVERIFY_P_TIME,
	  "the CA's revocation list is dated in the future" },
	{ GNUTLS_CERT_UNEXPECTED_OWNER, TLSVERIFY_P_OTHER,
	  "it belongs to another host" },
	{ GNUTLS_CERT_MISMATCH, TLSVERIFY_P_OTHER,
	  "it is not the certificate expected for this server" },
	{ GNUTLS_CERT_MISSING_OCSP_STATUS, TLSVERIFY_P_OTHER,
	  "the server sent no OCSP status although its certificate "
	  "requires one" },
	{ GNUTLS_CERT_INVALID_OCSP_STATUS, TLSVERIFY_P_OTHER,
	  "its OCSP status response is invalid" },
};

static int
tlsverify_fail(char **cause, const char *fmt, ...) SAGI_PRINTFLIKE(2, 3);

static int
tlsverify_fail(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		*cause = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* gnutls_strerror() without its final period: it goes mid-sentence. */
static const char *
tlsverify_err(int rc, char *out, size_t len)
{
	size_t	 n;

	snprintf(out, len, "%s", gnutls_strerror(rc));
	n = strlen(out);
	if (n != 0 && out[n - 1] == '.')
		out[n - 1] = '\0';
	if (*out >= 'A' && *out <= 'Z' && out[1] >= 'a' && out[1] <= 'z')
		*out = (char)(*out - 'A' + 'a');
	return out;
}

static void
tlsverify_why(struct tlsverify *tv, unsigned int problem, const char *fmt,
    ...) SAGI_PRINTFLIKE(3, 4);

static void
tlsverify_why(struct tlsverify *tv, unsigned int problem, const char *fmt,
    ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (tv->why.len != 0)
		buf_adds(&tv->why, ", ");
	buf_adds(&tv->why, s);
	free(s);
	tv->problems |= problem;
}

/*
 * Names and DNs come from the server and end up on a terminal: control
 * bytes and quotes are replaced and length is capped, so a hostile
 * certificate cannot paint the screen or drown the message.
 */
static char *
tlsverify_clean(const char *s, size_t len, size_t max)
{
	struct buf	 b;
	size_t		 i;
	unsigned char	 c;

	buf_init(&b);
	for (i = 0; i < len && s[i] != '\0'; i++) {
		if (b.len >= max) {
			buf_adds(&b, "...");
			break;
		}
		c = (unsigned char)s[i];
		buf_addc(&b, c < 0x20 || c == 0x7f || c == '"' ? '?' : (char)c);
	}
	return buf_take(&b);
}

/* Subject (issuer == 0) or issuer DN, cleaned and owned. */
static char *
tlsverify_dn(gnutls_x509_crt_t crt, int issuer)
{
	gnutls_datum_t	 d = { NULL, 0 };
	char		*s;
	int		 rc;

	if (issuer)
		rc = gnutls_x509_crt_get_issuer_dn3(crt, &d, 0);
	else
		rc = gnutls_x509_crt_get_dn3(crt, &d, 0);
	if (rc < 0 || d.size == 0)
		s = xstrdup("(no name)");
	else
		s = tlsverify_clean((const char *)d.data, d.size, 120);
	gnutls_free(d.data);
	return s;
}

static char *
tlsverify_hex(const unsigned char *md, size_t len)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	buf_adds(&b, "sha256:");
	for (i = 0; i < len; i++)
		buf_printf(&b, "%s%02X", i == 0 ? "" : ":", md[i]);
	return buf_take(&b);
}

char *
tlsverify_fingerprint(const unsigned char *der, size_t len)
{
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 d;
	unsigned char		 md[TLSVERIFY_SHA256_LEN];
	int			 rc;

	if (der == NULL || len == 0 || len > UINT32_MAX)
		return NULL;
	if (gnutls_x509_crt_init(&crt) < 0)
		return NULL;
	d.data = (unsigned char *)der;
	d.size = (unsigned int)len;
	rc = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
	gnutls_x509_crt_deinit(crt);
	if (rc < 0)
		return NULL;
	/* Of the bytes as sent, so it matches what openssl shows for them. */
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der, len, md) < 0)
		return NULL;
	return tlsverify_hex(md, sizeof md);
}

/* "sha256:" then 32 hex pairs, a colon allowed between pairs only. */
static int
tlsverify_pin_parse(const char *pin, unsigned char *md)
{
	const char	*p;
	size_t		 n = 0;
	int		 hi = -1, v;

	if (strncasecmp(pin, "sha256:", 7) != 0)
		return -1;
	for (p = pin + 7; *p != '\0'; p++) {
		if (*p == ':') {
			if (hi != -1 || p[-1] == ':')
				return -1;
			continue;
		}
		if ((v = sagi_hexval(*p)) == -1)
			return -1;
		if (hi == -1) {
			hi = v;
			continue;
		}
		if (n == TLSVERIFY_SHA256_LEN)
			return -1;
		md[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	if (p[-1] == ':')
		return -1;
	return n == TLSVERIFY_SHA256_LEN && hi == -1 ? 0 : -1;
}

static int
tlsverify_pinned(struct tlsverify *tv, const struct tlsverify_cert *leaf,
    const char *pin, char **cause)
{
	unsigned char	 want[TLSVERIFY_SHA256_LEN], got[TLSVERIFY_SHA256_LEN];
	char		*shown, *pinned;
	int		 rc;

	if (tlsverify_pin_parse(pin, want) != 0) {
		shown = tlsverify_clean(pin, strlen(pin), 120);
		rc = tlsverify_fail(cause, "tls_fingerprint \"%s\" is malformed: "
		    "want \"sha256:\" and 64 hex digits, colons optional; the "
		    "certificate of %s is %s", shown, tv->host, tv->fp);
		free(shown);
		return rc;
	}
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, leaf->der, leaf->len, got) < 0)
		return tlsverify_fail(cause, "cannot compute the fingerprint of "
		    "the certificate of %s", tv->host);
	if (memcmp(want, got, sizeof want) == 0)
		return 0;
	pinned = tlsverify_hex(want, sizeof want);
	rc = tlsverify_fail(cause, "certificate fingerprint mismatch for %s: "
	    "pinned %s, server sent %s; if the server's certificate was "
	    "replaced, check the new one out of band and update "
	    "--tls-fingerprint (tls_fingerprint)", tv->host, pinned, tv->fp);
	free(pinned);
	return rc;
}

/* The names a certificate is for: DNS and IP SANs, else its CN. */
static char *
tlsverify_names(gnutls_x509_crt_t crt)
{
	struct buf	 b;
	char		 raw[1024], ip[INET6_ADDRSTRLEN], *s;
	size_t		 size;
	unsigned int	 seq, shown = 0, more = 0;
	int		 type;

	buf_init(&b);
	for (seq = 0;; seq++) {
		size = sizeof raw - 1;
		type = gnutls_x509_crt_get_subject_alt_name(crt, seq, raw, &size,
		    NULL);
		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		s = NULL;
		if (type == GNUTLS_SAN_DNSNAME)
			s = tlsverify_clean(raw, size, 64);
		else if (type == GNUTLS_SAN_IPADDRESS && size == 4 &&
		    inet_ntop(AF_INET, raw, ip, sizeof ip) != NULL)
			s = xstrdup(ip);
		else if (type == GNUTLS_SAN_IPADDRESS && size == 16 &&
		    inet_ntop(AF_INET6, raw, ip, sizeof ip) != NULL)
			s = xstrdup(ip);
		else if (type < 0 && type != GNUTLS_E_SHORT_MEMORY_BUFFER)
			break;
		if (s == NULL)
			continue;
		if (shown == TLSVERIFY_MAX_NAMES)
			more++;
		else
			buf_printf(&b, "%s%s", shown++ == 0 ? "" : ", ", s);
		free(s);
	}
	if (more != 0)
		buf_printf(&b, " and %u more", more);
	if (shown == 0) {
		size = sizeof raw - 1;
		if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
		    0, 0, raw, &size) == 0) {
			s = tlsverify_clean(raw, size, 64);
			buf_adds(&b, s);
			free(s);
		} else
			buf_adds(&b, "no host name at all");
	}
	return buf_take(&b);
}

/* "2001-01-01 00:00:00 UTC" */
static void
tlsverify_when(time_t t, char *out, size_t len)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, len, "%lld (seconds since 1970)", (long long)t);
}

static void
tlsverify_check_time(struct tlsverify *tv, gnutls_x509_crt_t crt, int leaf)
{
	time_t	 from, until;
	char	 when[64], *who;

	from = gnutls_x509_crt_get_activation_time(crt);
	until = gnutls_x509_crt_get_expiration_time(crt);
	if (leaf)
		who = xstrdup("it");
	else {
		char	*dn = tlsverify_dn(crt, 0);

		who = xasprintf("CA certificate \"%s\"", dn);
		free(dn);
	}
	if (from == (time_t)-1 || until == (time_t)-1)
		tlsverify_why(tv, TLSVERIFY_P_OTHER, "the validity dates of %s "
		    "cannot be read", leaf ? "the certificate" : who);
	else if (tv->now > until) {
		tlsverify_when(until, when, sizeof when);
		tlsverify_why(tv, TLSVERIFY_P_TIME, "%s expired on %s", who,
		    when);
	} else if (tv->now < from) {
		tlsverify_when(from, when, sizeof when);
		tlsverify_why(tv, TLSVERIFY_P_TIME, "%s is not valid before %s",
		    who, when);
	}
	free(who);
}

/*
 * Follows the chain from the leaf as GnuTLS does, stopping at the first
 * certificate a trusted CA issued, and checks validity dates on that path
 * at tv->now (GnuTLS only knows the clock).  A stale extra certificate the
 * server also sends, such as an old cross-signature, is thus not held
 * against it.  Returns the last certificate of the path (borrowed): when
 * the chain is not trusted, its issuer is the unknown one.
 */
static gnutls_x509_crt_t
tlsverify_walk(struct tlsverify *tv, gnutls_x509_trust_list_t tl)
{
	gnutls_x509_crt_t	 cur = tv->crts[0], anchor;
	unsigned char		*used;
	size_t			 step, j;

	used = xcalloc(tv->n, 1);
	tlsverify_check_time(tv, cur, 1);
	for (step = 0; step < tv->n; step++) {
		if (gnutls_x509_trust_list_get_issuer(tl, cur, &anchor,
		    GNUTLS_TL_GET_COPY) == 0) {
			if (!gnutls_x509_crt_equals(anchor, cur))
				tlsverify_check_time(tv, anchor, 0);
			gnutls_x509_crt_deinit(anchor);
			break;
		}
		for (j = 1; j < tv->n; j++) {
			if (!used[j] && tv->crts[j] != cur &&
			    gnutls_x509_crt_check_issuer(cur, tv->crts[j]))
				break;
		}
		if (j >= tv->n)
			break;
		used[j] = 1;
		cur = tv->crts[j];
		tlsverify_check_time(tv, cur, 0);
	}
	free(used);
	return cur;
}

/* Names the first certificate on the chain signed with a weak algorithm. */
static void
tlsverify_insecure(struct tlsverify *tv)
{
	gnutls_sign_algorithm_t	 alg;
	const char		*name;
	size_t			 i;

	for (i = 0; i < tv->n; i++) {
		alg = gnutls_x509_crt_get_signature_algorithm(tv->crts[i]);
		if (gnutls_sign_is_secure2(alg, GNUTLS_SIGN_FLAG_SECURE_FOR_CERTS))
			continue;
		/* A self-signed anchor's own signature is never relied on. */
		if (i != 0 && gnutls_x509_crt_check_issuer(tv->crts[i],
		    tv->crts[i]))
			continue;
		name = gnutls_sign_get_name(alg);
		tlsverify_why(tv, TLSVERIFY_P_OTHER, "%s is signed with the "
		    "insecure algorithm %s", i == 0 ? "it" : "a CA certificate "
		    "in the chain", name != NULL ? name : "(unknown)");
		return;
	}
	tlsverify_why(tv, TLSVERIFY_P_OTHER, "the chain uses an insecure "
	    "algorithm or key size");
}

static void
tlsverify_status(struct tlsverify *tv, unsigned int status,
    gnutls_x509_crt_t last)
{
	unsigned int	 left = status & ~(unsigned int)GNUTLS_CERT_INVALID;
	size_t		 i;
	char		*dn;
	const char	*hint;

	for (i = 0; i < SAGI_NITEMS(tlsverify_bits); i++) {
		if ((status & tlsverify_bits[i].bit) == 0)
			continue;
		left &= ~tlsverify_bits[i].bit;
		if (tlsverify_bits[i].bit == GNUTLS_CERT_SIGNER_NOT_FOUND) {
			dn = tlsverify_dn(last, 1);
			if (!gnutls_x509_crt_check_issuer(last, last))
				hint = "private CA, or a missing intermediate?";
			else if (last == tv->crts[0])
				hint = "the certificate is self-signed";
			else
				hint = "a self-signed CA that is not trusted";
			tlsverify_why(tv, TLSVERIFY_P_ISSUER, "issuer \"%s\" is "
			    "unknown (%s)", dn, hint);
			free(dn);
		} else if (tlsverify_bits[i].bit ==
		    GNUTLS_CERT_INSECURE_ALGORITHM)
			tlsverify_insecure(tv);
		else
			tlsverify_why(tv, tlsverify_bits[i].problem, "%s",
			    tlsverify_bits[i].what);
	}
	/* A bit this GnuTLS added after we were written, or INVALID alone. */
	if (left != 0 || tv->why.len == 0)
		tlsverify_why(tv, TLSVERIFY_P_OTHER, "GnuTLS refused it "
		    "(verification status 0x%x)", status);
}

static int
tlsverify_read(const char *path, struct buf *b, char **cause)
{
	FILE	*f;
	char	 chunk[8192];
	size_t	 n;
	int	 err;

	if ((f = fopen(path, "r")) == NULL)
		goto fail;
	while ((n = fread(chunk, 1, sizeof chunk, f)) != 0) {
		if (b->len + n > TLSVERIFY_MAX_CA_FILE) {
			fclose(f);
			return tlsverify_fail(cause, "tls CA file %s: larger "
			    "than %u MB; check --tls-ca-file (tls_ca_file)",
			    path, TLSVERIFY_MAX_CA_FILE >> 20);
		}
		buf_add(b, chunk, n);
	}
	if (ferror(f)) {
		err = errno;
		fclose(f);
		errno = err;
		goto fail;
	}
	fclose(f);
	return 0;
fail:
	return tlsverify_fail(cause, "tls CA file %s: %s; check --tls-ca-file "
	    "(tls_ca_file)", path, strerror(errno));
}

/* Fills tl from ca_file (PEM certificates and CRLs, or one DER certificate),
 * or from the system store when ca_file is NULL. */
static int
tlsverify_trust(gnutls_x509_trust_list_t tl, const char *ca_file,
    char **cause)
{
	struct buf	 b;
	gnutls_datum_t	 d;
	char		 err[128];
	const char	*what;
	int		 rc;

	if (ca_file == NULL) {
		rc = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
		if (rc > 0)
			return 0;
		return tlsverify_fail(cause, "cannot load the system trust "
		    "store (%s); install ca-certificates, or give the CA with "
		    "--tls-ca-file FILE (tls_ca_file)",
		    rc < 0 ? tlsverify_err(rc, err, sizeof err) : "it is empty");
	}
	buf_init(&b);
	if (tlsverify_read(ca_file, &b, cause) != 0) {
		buf_free(&b);
		return -1;
	}
	d.data = (unsigned char *)b.data;
	d.size = (unsigned int)b.len;
	if (strstr(b.data, "-----BEGIN") != NULL) {
		/* CRLs are verified against the CAs before they count. */
		rc = gnutls_x509_trust_list_add_trust_mem(tl, &d,
		    strstr(b.data, "-----BEGIN X509 CRL-----") != NULL ? &d :
		    NULL, GNUTLS_X509_FMT_PEM, GNUTLS_TL_VERIFY_CRL, 0);
		what = rc < 0 ? tlsverify_err(rc, err, sizeof err) :
		    "no PEM certificates in it";
	} else if (b.len != 0) {
		rc = gnutls_x509_trust_list_add_trust_mem(tl, &d, NULL,
		    GNUTLS_X509_FMT_DER, 0, 0);
		what = "no certificates in it (neither PEM nor DER)";
	} else {
		rc = 0;
		what = "no certificates in it (the file is empty)";
	}
	buf_free(&b);
	if (rc > 0)
		return 0;
	return tlsverify_fail(cause, "tls CA file %s: %s; give a PEM file of "
	    "CA certificates with --tls-ca-file (tls_ca_file)", ca_file, what);
}

static int
tlsverify_parse(struct tlsverify *tv, const struct tlsverify_cert *chain,
    char **cause)
{
	gnutls_datum_t	 d;
	char		 err[128];
	size_t		 i;
	int		 rc;

	tv->crts = xcalloc(tv->n, sizeof *tv->crts);
	for (i = 0; i < tv->n; i++) {
		if ((rc = gnutls_x509_crt_init(&tv->crts[i])) < 0) {
			tv->crts[i] = NULL;
			return tlsverify_fail(cause, "cannot check the "
			    "certificate of %s: %s", tv->host,
			    tlsverify_err(rc, err, sizeof err));
		}
		rc = GNUTLS_E_ASN1_DER_ERROR;
		if (chain[i].der != NULL && chain[i].len != 0 &&
		    chain[i].len <= UINT32_MAX) {
			d.data = (unsigned char *)chain[i].der;
			d.size = (unsigned int)chain[i].len;
			rc = gnutls_x509_crt_import(tv->crts[i], &d,
			    GNUTLS_X509_FMT_DER);
		}
		if (rc >= 0)
			continue;
		if (i == 0)
			return tlsverify_fail(cause, "certificate sent by %s "
			    "cannot be parsed (%s); check that the server "
			    "address and port are right", tv->host,
			    tlsverify_err(rc, err, sizeof err));
		return tlsverify_fail(cause, "certificate %zu of the chain sent "
		    "by %s cannot be parsed (%s); the server's chain must be "
		    "fixed, or, after checking it out of band, pin its "
		    "certificate with --tls-fingerprint %s (tls_fingerprint)",
		    i + 1, tv->host, tlsverify_err(rc, err, sizeof err), tv->fp);
	}
	return 0;
}

static int
tlsverify_host_ok(gnutls_x509_crt_t leaf, const char *host)
{
	char		*bare;
	size_t		 len = strlen(host);
	unsigned int	 ok;

	/* A URL-style IPv6 literal. */
	if (len > 2 && host[0] == '[' && host[len - 1] == ']') {
		bare = xstrndup(host + 1, len - 2);
		ok = gnutls_x509_crt_check_hostname2(leaf, bare, 0);
		free(bare);
		return ok != 0;
	}
	return gnutls_x509_crt_check_hostname2(leaf, host, 0) != 0;
}

/* Owned advice for the worst problem found. */
static char *
tlsverify_advice(unsigned int problems, const char *fp)
{
	if (problems & TLSVERIFY_P_REVOKED)
		return xasprintf("do not use this server until its "
		    "administrator replaces the certificate (it is %s)", fp);
	if (problems & TLSVERIFY_P_ISSUER)
		return xasprintf("give the CA with --tls-ca-file FILE "
		    "(tls_ca_file), or, after checking it out of band, pin this "
		    "certificate with --tls-fingerprint %s (tls_fingerprint)", fp);
	if (problems & TLSVERIFY_P_TIME)
		return xasprintf("the server needs a current certificate (or "
		    "this machine's clock is wrong); after checking it out of "
		    "band you can pin it with --tls-fingerprint %s "
		    "(tls_fingerprint)", fp);
	return xasprintf("the server's certificate must be fixed; after "
	    "checking it out of band you can pin it with --tls-fingerprint %s "
	    "(tls_fingerprint)", fp);
}

static int
tlsverify_ca(struct tlsverify *tv, const struct tlsverify_opts *opts,
    char **cause)
{
	gnutls_x509_trust_list_t	 tl;
	gnutls_typed_vdata_st		 purpose;
	gnutls_x509_crt_t		 last;
	unsigned int			 status = 0, found;
	char				*names, *msg, err[128];
	int				 rc, name_ok;

	if (gnutls_x509_trust_list_init(&tl, 0) < 0)
		return tlsverify_fail(cause, "cannot check the certificate of "
		    "%s: out of memory in GnuTLS", tv->host);
	if (tlsverify_trust(tl, opts->ca_file, cause) != 0) {
		gnutls_x509_trust_list_deinit(tl, 1);
		return -1;
	}
	memset(&purpose, 0, sizeof purpose);
	purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
	purpose.data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	rc = gnutls_x509_trust_list_verify_crt2(tl, tv->crts,
	    (unsigned int)tv->n, &purpose, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
	    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, &status, NULL);
	if (rc < 0) {
		gnutls_x509_trust_list_deinit(tl, 1);
		return tlsverify_fail(cause, "cannot check the certificate "
		    "chain of %s: %s; after checking it out of band you can "
		    "pin it with --tls-fingerprint %s (tls_fingerprint)",
		    tv->host, tlsverify_err(rc, err, sizeof err), tv->fp);
	}
	last = tlsverify_walk(tv, tl);
	if (status != 0) {
		/* Our own date findings go after GnuTLS's. */
		msg = buf_take(&tv->why);
		found = tv->problems;
		tlsverify_status(tv, status, last);
		if (*msg != '\0') {
			buf_adds(&tv->why, ", ");
			buf_adds(&tv->why, msg);
		}
		tv->problems |= found;
		free(msg);
	}
	gnutls_x509_trust_list_deinit(tl, 1);

	name_ok = tlsverify_host_ok(tv->crts[0], tv->host);
	if (name_ok && tv->why.len == 0)
		return 0;
	names = tlsverify_names(tv->crts[0]);
	if (tv->why.len == 0) {
		rc = tlsverify_fail(cause, "certificate sent by %s is for %s, "
		    "not %s; connect using one of its names, or, after checking "
		    "it out of band, pin it with --tls-fingerprint %s "
		    "(tls_fingerprint)", tv->host, names, tv->host, tv->fp);
		free(names);
		return rc;
	}
	if (!name_ok)
		tlsverify_why(tv, TLSVERIFY_P_OTHER, "and it is for %s, not %s",
		    names, tv->host);
	free(names);
	msg = tlsverify_advice(tv->problems, tv->fp);
	rc = tlsverify_fail(cause, "certificate for %s is not trusted: %s; %s",
	    tv->host, tv->why.data, msg);
	free(msg);
	return rc;
}

int
tlsverify_chain(const struct tlsverify_cert *chain, size_t n,
    const struct tlsverify_opts *opts, char **cause)
{
	struct tlsverify	 tv;
	size_t			 i;
	int			 rc;

	if (opts == NULL)
		return tlsverify_fail(cause, "no TLS verification options given");
	memset(&tv, 0, sizeof tv);
	tv.host = opts->host != NULL && *opts->host != '\0' ? opts->host :
	    "the server";
	if (chain == NULL || n == 0)
		return tlsverify_fail(cause, "%s sent no certificate, so it "
		    "cannot be verified; check that the server address and port "
		    "are right", tv.host);
	if (opts->pin == NULL && (opts->host == NULL || *opts->host == '\0'))
		return tlsverify_fail(cause, "no host name to check the "
		    "certificate against; give the server's name, or pin its "
		    "certificate with --tls-fingerprint (tls_fingerprint)");
	tv.now = opts->now != 0 ? opts->now : time(NULL);
	/* A pin decides alone: the rest of the chain need not even parse. */
	tv.n = opts->pin != NULL ? 1 : n;
	tv.fp = tlsverify_fingerprint(chain[0].der, chain[0].len);
	buf_init(&tv.why);
	if (tlsverify_parse(&tv, chain, cause) != 0)
		rc = -1;
	else if (tv.fp == NULL)
		rc = tlsverify_fail(cause, "cannot compute the fingerprint of "
		    "the certificate of %s", tv.host);
	else if (opts->pin != NULL)
		rc = tlsverify_pinned(&tv, &chain[0], opts->pin, cause);
	else
		rc = tlsverify_ca(&tv, opts, cause);
	for (i = 0; i < tv.n; i++) {
		if (tv.crts != NULL && tv.crts[i] != NULL)
			gnutls_x509_crt_deinit(tv.crts[i]);
	}
	free(tv.crts);
	free(tv.fp);
	buf_free(&tv.why);
	return rc;
}
