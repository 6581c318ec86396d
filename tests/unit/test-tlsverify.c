/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for tlsverify: certificates are made at test time by
 * tests/unit/mkcerts.sh (openssl) in a temporary directory.  The script is
 * found under argv[1], else $SAGI_SRCDIR, else $top_srcdir, else ".".
 */
#include "config.h"

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "tlsverify.h"
#include "xalloc.h"
#include "t.h"

#define NOW_2000	((time_t)946684800)	/* before any test certificate */
#define NOW_FUTURE	((time_t)-1)		/* replaced by now + 30 years */

enum pin {
	PIN_NONE,
	PIN_UPPER_COLONS,	/* "sha256:AB:CD:…" as openssl prints it */
	PIN_LOWER_BARE,		/* "sha256:abcd…" */
	PIN_MIXED,		/* "SHA256:ab:cd:…" */
	PIN_OF_GOOD,		/* good.pem's fingerprint, whatever the chain */
	PIN_OF_SELF,
	PIN_SHORT,
	PIN_NOT_HEX,
	PIN_MD5,
	PIN_DOUBLE_COLON,
};

static const char	*dir;

static char *
slurp(const char *name, size_t *len)
{
	char		*path, chunk[4096];
	FILE		*f;
	size_t		 n;
	struct buf	 b;

	path = xasprintf("%s/%s", dir, name);
	f = fopen(path, "rb");
	free(path);
	if (f == NULL) {
		printf("# cannot open %s/%s\n", dir, name);
		exit(99);
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) != 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (len != NULL)
		*len = b.len;
	return buf_take(&b);
}

/* "AB:CD:…" from mkcerts.sh's NAME.fp, without the newline. */
static char *
fp_of(const char *name)
{
	char	*file, *s;

	file = xasprintf("%s.fp", name);
	s = slurp(file, NULL);
	free(file);
	s[strcspn(s, "\r\n")] = '\0';
	return s;
}

static char *
pin_make(enum pin kind, const char *leaf)
{
	struct buf	 b;
	char		*fp, *p;

	switch (kind) {
	case PIN_NONE:
		return NULL;
	case PIN_SHORT:
		return xstrdup("sha256:12:34");
	case PIN_NOT_HEX:
		return xstrdup("sha256:zz");
	case PIN_MD5:
		return xstrdup("md5:00:11:22");
	case PIN_OF_GOOD:
		leaf = "good";
		break;
	case PIN_OF_SELF:
		leaf = "self";
		break;
	default:
		break;
	}
	fp = fp_of(leaf);
	buf_init(&b);
	buf_adds(&b, kind == PIN_MIXED ? "SHA256:" : "sha256:");
	for (p = fp; *p != '\0'; p++) {
		if (*p == ':' && kind == PIN_LOWER_BARE)
			continue;
		if (*p == ':' && kind == PIN_DOUBLE_COLON)
			buf_addc(&b, ':');
		if (kind == PIN_LOWER_BARE || kind == PIN_MIXED)
			buf_addc(&b, (char)(*p >= 'A' && *p <= 'F' ?
			    *p - 'A' + 'a' : *p));
		else
			buf_addc(&b, *p);
	}
	free(fp);
	return buf_take(&b);
}

/* clang-format off */
static const struct {
	const char	*what;
	const char	*chain[4];	/* NAME.der files, leaf first */
	const char	*host;
	const char	*ca;		/* file in the temp dir; NULL = system */
	enum pin	 pin;
	time_t		 now;
	int		 want;
	const char	*needle[4];	/* must all be in the cause */
	int		 want_fp;	/* cause shows the leaf's fingerprint */
} cases[] = {
	{ "good chain, IP host vs IP SAN", { "good" }, "127.0.0.1", "ca.pem",
	  PIN_NONE, 0, 0, { NULL }, 0 },
	{ "good chain, DNS host", { "good" }, "localhost", "ca.pem",
	  PIN_NONE, 0, 0, { NULL }, 0 },
	{ "host names are case-insensitive", { "good" }, "LocalHost",
	  "ca.pem", PIN_NONE, 0, 0, { NULL }, 0 },
	{ "server also sends its CA", { "good", "ca" }, "127.0.0.1", "ca.pem",
	  PIN_NONE, 0, 0, { NULL }, 0 },
	{ "intermediate sent by the server", { "viainter", "inter" },
	  "localhost", "ca.pem", PIN_NONE, 0, 0, { NULL }, 0 },
	{ "a stray expired certificate in the chain is ignored",
	  { "viainter", "inter", "expired" }, "localhost", "ca.pem",
	  PIN_NONE, 0, 0, { NULL }, 0 },
	{ "CRL in the CA file, certificate not on it", { "good" },
	  "127.0.0.1", "ca-crl.pem", PIN_NONE, 0, 0, { NULL }, 0 },
	{ "self-signed certificate given as its own CA", { "self" },
	  "127.0.0.1", "self.pem", PIN_NONE, 0, 0, { NULL }, 0 },

	{ "self-signed without pin", { "self" }, "127.0.0.1", "ca.pem",
	  PIN_NONE, 0, -1, { "certificate for 127.0.0.1 is not trusted",
	  "issuer \"CN=sagi self-signed\" is unknown", "self-signed",
	  "--tls-ca-file FILE (tls_ca_file)" }, 1 },
	{ "missing intermediate", { "viainter" }, "localhost", "ca.pem",
	  PIN_NONE, 0, -1, { "issuer \"CN=sagi test intermediate\" is "
	  "unknown", "missing intermediate", "--tls-fingerprint sha256:" },
	  1 },
	{ "system store does not know the test CA", { "good" }, "127.0.0.1",
	  NULL, PIN_NONE, 0, -1, { "issuer \"CN=sagi test CA\" is unknown" },
	  1 },
	{ "system store, server sends the test CA", { "good", "ca" },
	  "127.0.0.1", NULL, PIN_NONE, 0, -1, { "issuer \"CN=sagi test CA\" "
	  "is unknown", "self-signed CA" }, 1 },
	{ "wrong host: other.example leaf for 127.0.0.1", { "other" },
	  "127.0.0.1", "ca.pem", PIN_NONE, 0, -1, { "certificate sent by "
	  "127.0.0.1 is for other.example, www.other.example, not 127.0.0.1",
	  "connect using one of its names" }, 1 },
	{ "wrong host: good leaf for other.example", { "good" },
	  "other.example", "ca.pem", PIN_NONE, 0, -1, { "is for 127.0.0.1, "
	  "localhost, ::1, not other.example" }, 1 },
	{ "IP host not in the IP SANs", { "good" }, "127.0.0.2", "ca.pem",
	  PIN_NONE, 0, -1, { "not 127.0.0.2" }, 1 },
	{ "IPv6 host vs IPv6 SAN", { "good" }, "::1", "ca.pem", PIN_NONE, 0,
	  0, { NULL }, 0 },
	{ "IPv6 literal in brackets", { "good" }, "[::1]", "ca.pem",
	  PIN_NONE, 0, 0, { NULL }, 0 },
	{ "IPv6 literal not in the SANs", { "good" }, "[::2]", "ca.pem",
	  PIN_NONE, 0, -1, { "is for 127.0.0.1, localhost, ::1, not [::2]" },
	  1 },
	{ "untrusted and for another name", { "self" }, "localhost",
	  "ca.pem", PIN_NONE, 0, -1, { "is unknown", "and it is for "
	  "127.0.0.1, not localhost" }, 1 },
	{ "expired leaf, real clock", { "expired" }, "127.0.0.1", "ca.pem",
	  PIN_NONE, 0, -1, { "not trusted: it expired on 2001-01-01 "
	  "00:00:00 UTC", "current certificate" }, 1 },
	{ "now after expiry of leaf and CA", { "good" }, "127.0.0.1",
	  "ca.pem", PIN_NONE, NOW_FUTURE, -1, { "it expired on",
	  "CA certificate \"CN=sagi test CA\" expired on" }, 1 },
	{ "now before the leaf is valid", { "good" }, "127.0.0.1", "ca.pem",
	  PIN_NONE, NOW_2000, -1, { "it is not valid before" }, 1 },
	{ "revoked by the CRL in the CA file", { "revoked" }, "127.0.0.1",
	  "ca-crl.pem", PIN_NONE, 0, -1, { "it has been revoked",
	  "do not use this server" }, 1 },
	{ "without the CRL the revoked leaf passes", { "revoked" },
	  "127.0.0.1", "ca.pem", PIN_NONE, 0, 0, { NULL }, 0 },
	{ "client-only certificate", { "client" }, "127.0.0.1", "ca.pem",
	  PIN_NONE, 0, -1, { "not meant for TLS servers" }, 1 },
	{ "SHA-1 signature", { "sha1" }, "127.0.0.1", "ca.pem", PIN_NONE, 0,
	  -1, { "insecure algorithm", "SHA1" }, 1 },
	{ "CA file missing", { "good" }, "127.0.0.1", "missing.pem",
	  PIN_NONE, 0, -1, { "tls CA file ", "missing.pem: No such file",
	  "--tls-ca-file" }, 0 },
	{ "CA file empty", { "good" }, "127.0.0.1", "empty.pem", PIN_NONE, 0,
	  -1, { "empty.pem: no certificates in it" }, 0 },
	{ "CA file is a directory", { "good" }, "127.0.0.1", ".", PIN_NONE,
	  0, -1, { "Is a directory" }, 0 },
	{ "CA file is garbage", { "good" }, "127.0.0.1", "garbage.pem",
	  PIN_NONE, 0, -1, { "garbage.pem: " }, 0 },
	{ "DER CA file", { "good" }, "127.0.0.1", "ca.der", PIN_NONE, 0, 0,
	  { NULL }, 0 },

	{ "self-signed, pin with colons", { "self" }, "127.0.0.1", NULL,
	  PIN_UPPER_COLONS, 0, 0, { NULL }, 0 },
	{ "self-signed, pin lower-case without colons", { "self" },
	  "127.0.0.1", NULL, PIN_LOWER_BARE, 0, 0, { NULL }, 0 },
	{ "self-signed, pin SHA256: lower-case with colons", { "self" },
	  "127.0.0.1", NULL, PIN_MIXED, 0, 0, { NULL }, 0 },
	{ "pin decides alone: name and dates not checked", { "self" },
	  "other.example", NULL, PIN_UPPER_COLONS, NOW_FUTURE, 0, { NULL },
	  0 },
	{ "pin without host", { "self" }, NULL, NULL, PIN_UPPER_COLONS, 0, 0,
	  { NULL }, 0 },
	{ "pinned expired leaf", { "expired" }, "127.0.0.1", NULL,
	  PIN_UPPER_COLONS, 0, 0, { NULL }, 0 },
	{ "wrong pin", { "self" }, "127.0.0.1", NULL, PIN_OF_GOOD, 0, -1,
	  { "fingerprint mismatch for 127.0.0.1", "pinned sha256:",
	  "server sent sha256:" }, 1 },
	{ "wrong pin is refused even when the CA accepts", { "good" },
	  "127.0.0.1", "ca.pem", PIN_OF_SELF, 0, -1, { "mismatch" }, 1 },
	{ "pin too short", { "good" }, "127.0.0.1", NULL, PIN_SHORT, 0, -1,
	  { "tls_fingerprint \"sha256:12:34\" is malformed" }, 1 },
	{ "pin not hex", { "good" }, "127.0.0.1", NULL, PIN_NOT_HEX, 0, -1,
	  { "malformed" }, 1 },
	{ "pin of another digest", { "good" }, "127.0.0.1", NULL, PIN_MD5, 0,
	  -1, { "malformed" }, 1 },
	{ "pin with doubled colons", { "good" }, "127.0.0.1", NULL,
	  PIN_DOUBLE_COLON, 0, -1, { "malformed" }, 1 },
};
/* clang-format on */

static int
make_certs(const char *srcdir)
{
	char	*cmd, *log;
	int	 st;

	cmd = xasprintf("sh '%s/tests/unit/mkcerts.sh' '%s' >'%s/mkcerts.log' "
	    "2>&1", srcdir, dir, dir);
	st = system(cmd);
	free(cmd);
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	log = slurp("mkcerts.log", NULL);
	printf("# mkcerts.sh failed:\n# %s\n", log);
	free(log);
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 77)
		return 77;
	return 99;
}

static void
put(const char *name, const char *text)
{
	char	*path;
	FILE	*f;

	path = xasprintf("%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		exit(99);
	fputs(text, f);
	fclose(f);
	free(path);
}

static void
run_case(size_t i)
{
	struct tlsverify_cert	 chain[4];
	struct tlsverify_opts	 o;
	char			*ders[4], *file, *pin, *ca = NULL, *cause = NULL;
	char			*fp, *want_fp;
	size_t			 n, k;
	int			 rc, ok;

	for (n = 0; n < 4 && cases[i].chain[n] != NULL; n++) {
		file = xasprintf("%s.der", cases[i].chain[n]);
		ders[n] = slurp(file, &chain[n].len);
		chain[n].der = (const unsigned char *)ders[n];
		free(file);
	}
	pin = pin_make(cases[i].pin, cases[i].chain[0]);
	if (cases[i].ca != NULL)
		ca = xasprintf("%s/%s", dir, cases[i].ca);
	memset(&o, 0, sizeof o);
	o.host = cases[i].host;
	o.ca_file = ca;
	o.pin = pin;
	o.now = cases[i].now;
	if (o.now == NOW_FUTURE)
		o.now = time(NULL) + (time_t)30 * 365 * 86400;

	rc = tlsverify_chain(chain, n, &o, &cause);
	t_int_eq(rc, cases[i].want, "%s", cases[i].what);
	t_ok((rc == 0) == (cause == NULL), "%s: cause set iff refused",
	    cases[i].what);
	ok = 1;
	for (k = 0; k < 4 && cases[i].needle[k] != NULL; k++) {
		if (cause == NULL || strstr(cause, cases[i].needle[k]) == NULL) {
			printf("# missing: \"%s\"\n", cases[i].needle[k]);
			ok = 0;
		}
	}
	if (cases[i].want_fp) {
		fp = fp_of(cases[i].chain[0]);
		want_fp = xasprintf("sha256:%s", fp);
		if (cause == NULL || strstr(cause, want_fp) == NULL) {
			printf("# missing the leaf's fingerprint %s\n", want_fp);
			ok = 0;
		}
		free(want_fp);
		free(fp);
	}
	if (cause != NULL && (strchr(cause, '\n') != NULL ||
	    cause[strlen(cause) - 1] == '.')) {
		printf("# a cause is one line without a final period\n");
		ok = 0;
	}
	t_ok(ok, "%s: message", cases[i].what);
	if (cause != NULL)
		printf("# %s\n", cause);
	free(cause);
	free(ca);
	free(pin);
	for (k = 0; k < n; k++)
		free(ders[k]);
}

static void
test_degenerate(void)
{
	struct tlsverify_opts	 o;
	struct tlsverify_cert	 c[2], *long_chain;
	char			*good, *cause = NULL, *half, *pin, *ca;
	size_t			 len, i;
	static const unsigned char junk[] = "\x30\x82\xff\xff not a certificate";

	memset(&o, 0, sizeof o);
	o.host = "127.0.0.1";
	o.ca_file = NULL;

	t_ok(tlsverify_fingerprint(NULL, 0) == NULL, "fingerprint of NULL");
	t_ok(tlsverify_fingerprint(junk, sizeof junk) == NULL,
	    "fingerprint of garbage");
	t_int_eq(tlsverify_chain(NULL, 0, &o, NULL), -1,
	    "NULL chain, NULL cause");
	t_int_eq(tlsverify_chain(NULL, 0, &o, &cause), -1, "NULL chain");
	t_ok(cause != NULL && strstr(cause, "sent no certificate"),
	    "NULL chain: message");
	free(cause);
	cause = NULL;

	good = slurp("good.der", &len);
	c[0].der = (const unsigned char *)good;
	c[0].len = len;
	t_int_eq(tlsverify_chain(c, 0, &o, &cause), -1, "n == 0");
	t_ok(cause != NULL && strstr(cause, "127.0.0.1 sent no certificate"),
	    "n == 0: message");
	free(cause);
	cause = NULL;
	t_int_eq(tlsverify_chain(c, 1, NULL, &cause), -1, "NULL options");
	free(cause);
	cause = NULL;

	o.host = NULL;
	t_int_eq(tlsverify_chain(c, 1, &o, &cause), -1, "no host, no pin");
	t_ok(cause != NULL && strstr(cause, "no host name"),
	    "no host: message");
	free(cause);
	cause = NULL;
	o.host = "";
	t_int_eq(tlsverify_chain(c, 1, &o, &cause), -1, "empty host, no pin");
	free(cause);
	cause = NULL;
	o.host = "127.0.0.1";

	c[0].der = junk;
	c[0].len = sizeof junk;
	t_int_eq(tlsverify_chain(c, 1, &o, &cause), -1, "garbage leaf");
	t_ok(cause != NULL && strstr(cause, "cannot be parsed"),
	    "garbage leaf: message");
	free(cause);
	cause = NULL;
	o.pin = "sha256:00";
	t_int_eq(tlsverify_chain(c, 1, &o, &cause), -1, "garbage leaf, pin");
	free(cause);
	cause = NULL;
	o.pin = NULL;

	c[0].der = NULL;
	c[0].len = 10;
	t_int_eq(tlsverify_chain(c, 1, &o, &cause), -1, "NULL der");
	free(cause);
	cause = NULL;

	half = xmemdup(good, len / 2);
	c[0].der = (const unsigned char *)half;
	c[0].len = len / 2;
	t_int_eq(tlsverify_chain(c, 1, &o, &cause), -1, "truncated leaf");
	free(cause);
	cause = NULL;
	t_ok(tlsverify_fingerprint(c[0].der, c[0].len) == NULL,
	    "fingerprint of a truncated certificate");
	free(half);

	/* 40 copies of the leaf: GnuTLS's depth limit must not hurt us. */
	long_chain = xcalloc(40, sizeof *long_chain);
	for (i = 0; i < 40; i++) {
		long_chain[i].der = (const unsigned char *)good;
		long_chain[i].len = len;
	}
	o.ca_file = ca = xasprintf("%s/ca.pem", dir);
	t_int_eq(tlsverify_chain(long_chain, 40, &o, &cause), 0,
	    "long chain of repeated leaves");
	free(cause);
	cause = NULL;
	free(ca);
	free(long_chain);

	/* A broken intermediate is refused, unless a pin decides. */
	c[0].der = (const unsigned char *)good;
	c[0].len = len;
	c[1].der = junk;
	c[1].len = sizeof junk;
	o.ca_file = "/nonexistent/never-read";
	t_int_eq(tlsverify_chain(c, 2, &o, &cause), -1, "garbage intermediate");
	t_ok(cause != NULL && strstr(cause, "certificate 2 of the chain"),
	    "garbage intermediate: message");
	free(cause);
	cause = NULL;
	o.pin = pin = pin_make(PIN_UPPER_COLONS, "good");
	t_int_eq(tlsverify_chain(c, 2, &o, NULL), 0,
	    "garbage intermediate, leaf pinned");
	free(pin);
	free(good);
}

static void
test_fingerprints(void)
{
	static const char *const names[] = {
		"ca", "inter", "good", "viainter", "other", "client", "sha1",
		"revoked", "expired", "self",
	};
	char	*der, *fp, *want, *got;
	size_t	 i, len;

	for (i = 0; i < SAGI_NITEMS(names); i++) {
		fp = xasprintf("%s.der", names[i]);
		der = slurp(fp, &len);
		free(fp);
		fp = fp_of(names[i]);
		want = xasprintf("sha256:%s", fp);
		got = tlsverify_fingerprint((const unsigned char *)der, len);
		t_str_eq(got, want, "fingerprint of %s matches openssl",
		    names[i]);
		free(got);
		free(want);
		free(fp);
		free(der);
	}
}

int
main(int argc, char **argv)
{
	char		 tmp[] = "/tmp/sagi-test-tlsverify.XXXXXX", *cmd;
	const char	*srcdir;
	size_t		 i;
	int		 rc;

	if (argc > 1)
		srcdir = argv[1];
	else if ((srcdir = getenv("SAGI_SRCDIR")) == NULL &&
	    (srcdir = getenv("top_srcdir")) == NULL)
		srcdir = ".";
	if (mkdtemp(tmp) == NULL)
		return 99;
	dir = tmp;
	if ((rc = make_certs(srcdir)) != 0) {
		if (rc == 77)
			printf("1..0 # SKIP openssl is not installed "
			    "(Debian package openssl)\n");
		cmd = xasprintf("rm -rf '%s'", dir);
		if (system(cmd) != 0)
			rc = 99;
		free(cmd);
		return rc;
	}
	put("empty.pem", "");
	put("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64!\n"
	    "-----END CERTIFICATE-----\n");

	test_degenerate();
	test_fingerprints();
	for (i = 0; i < SAGI_NITEMS(cases); i++)
		run_case(i);

	cmd = xasprintf("rm -rf '%s'", dir);
	rc = system(cmd);
	free(cmd);
	if (rc != 0)
		return 99;
	return t_done();
}
