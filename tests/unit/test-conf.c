/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for core/conf.c: the config file (good and bad lines with
 * their diagnostics, defaults, quoting, permissions), default account
 * selection, imap URLs, the final account check, and the atomic rewrite
 * that adds a trusted sender.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "diag.h"
#include "sagi.h"

#include "t.h"

static char	 dir[] = "/tmp/sagi-test-conf.XXXXXX";
static char	 cfg[128];

static void
put(const char *path, const char *text, mode_t mode)
{
	FILE	*f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* Malloc'ed contents of path, or NULL. */
static char *
slurp(const char *path)
{
	FILE	*f;
	char	*s;
	long	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	s[fread(s, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return s;
}

static struct conf *
load(const char *text, mode_t mode, struct diag *d)
{
	put(cfg, text, mode);
	return conf_load(cfg, d);
}

/* Prints the diagnostics so a failing check shows them. */
static void
show(const struct diag *d)
{
	size_t	 i;

	for (i = 0; i < diag_count(d); i++)
		printf("#   diag: %s\n", diag_get(d, i));
}

static const char *
sender(const struct account *a, size_t i)
{
	return a != NULL && i < a->ntrusted_senders ? a->trusted_senders[i] :
	    NULL;
}

/* clang-format off */
#define HEAD "[account a]\nhost = imap.example.jp\n"
static const struct {
	const char	*text;
	const char	*where;		/* "line:col" or "line" */
	const char	*msg;
} bad[] = {
	{ HEAD "foo = bar\n",		"3:1", "unknown key \"foo\"" },
	{ HEAD "Host = x\n",		"3:1", "unknown key \"Host\"" },
	{ HEAD "port = 0\n",		"3:8", "bad port \"0\": expected 1 to 65535" },
	{ HEAD "port = 65536\n",	"3:8", "bad port \"65536\"" },
	{ HEAD "port = 99x\n",		"3:8", "bad port \"99x\"" },
	{ HEAD "port = -1\n",		"3:8", "bad port \"-1\"" },
	{ HEAD "tls = ssl\n",		"3:7", "bad tls value \"ssl\": expected imaps, starttls or none" },
	{ HEAD "allow_plaintext = maybe\n", "3:19", "bad allow_plaintext value \"maybe\": expected yes or no" },
	{ HEAD "default = 2\n",		"3:11", "bad default value \"2\"" },
	{ HEAD "timeout = 0\n",		"3:11", "bad timeout \"0\": expected 1 to 3600 seconds" },
	{ HEAD "timeout = 3601\n",	"3:11", "bad timeout \"3601\"" },
	{ HEAD "oauth2_mechanism = plain\n", "3:20", "bad oauth2_mechanism \"plain\"" },
	{ HEAD "tls_fingerprint = sha1:abcd\n", "3:19", "bad tls_fingerprint" },
	{ HEAD "tls_fingerprint = sha256:abcd\n", "3:19", "bad tls_fingerprint" },
	{ HEAD "trusted_sender = nobody\n", "3:18", "bad trusted_sender \"nobody\"" },
	{ HEAD "trusted_sender = @\n", "3:18", "bad trusted_sender \"@\"" },
	{ HEAD "host = a b\n",		"3:8", "bad host \"a b\"" },
	{ HEAD "host = [::1\n",		"3:8", "bad host \"[::1\"" },
	{ HEAD "host = [nothex]\n",	"3:8", "bad host" },
	{ HEAD "host = imap.example.jp\n", "3:1", "host given twice (first at line 2): this one is used" },
	{ HEAD "host\n",		"3:5", "expected = after the key" },
	{ HEAD "= x\n",			"3:1", "expected key = value" },
	{ HEAD "  \"user\" = x\n",	"3:3", "expected key = value" },
	{ HEAD "user =\n",		"3:7", "empty value for user" },
	{ HEAD "user = \"\"\n",		"3:8", "empty value for user" },
	{ HEAD "user = # only a comment\n", "3:8", "empty value for user" },
	{ HEAD "user = \"abc\n",	"3:8", "unterminated quoted value" },
	{ HEAD "user = \"a\\nb\"\n",	"3:10", "unknown escape in quoted value" },
	{ HEAD "user = \"a\" b\n",	"3:12", "text after the closing quote" },
	{ HEAD "[global]\nuser = x\n",	"3:2", "unknown section \"global\": expected [account NAME]" },
	{ HEAD "[account a]\nuser = x\n", "3:2", "duplicate account \"a\" (first at line 1): this section is ignored" },
	{ HEAD "[account b\n",		"3:1", "missing ] at the end of the section header" },
	{ HEAD "[account]\n",		"3:2", "account section without a name" },
	{ HEAD "[]\n",			"3:2", "empty section header" },
	{ HEAD "[account c] junk\n",	"3:13", "text after ] in the section header" },
	{ HEAD "[account b]\nuser = x\n", "3", "account \"b\" has neither host nor maildir" },
	{ HEAD "maildir = ~/Mail\n",	"3:1", "has both host and maildir" },
	{ HEAD "tls = none\n",		"3:1", "tls = none would send the password in clear text over the network to imap.example.jp: refused without allow_plaintext = yes" },
	{ "[account l]\nhost = 127.0.0.1\ntls = none\n", "3:1", "tls = none to the loopback host 127.0.0.1 also needs allow_plaintext = yes" },
	{ "[account l]\nhost = ::1\ntls = none\nallow_plaintext = no\n", "3:1", "loopback host ::1" },
	{ "host = x\n" HEAD,		"1:1", "key \"host\" outside an [account NAME] section" },
	{ HEAD "[account b]\nhost = h\ndefault = yes\n[account c]\nhost = h\ndefault = yes\n", "6", "account \"c\" is marked default too: \"b\" is used" },
	{ HEAD "password_cmd = pass show mail\npassword = \"x\"\n", "4:1", "both password and password_cmd are set: password_cmd is used" },
};
/* clang-format on */

static void
test_bad_lines(void)
{
	struct diag	*d;
	struct conf	*c;
	char		 prefix[600];
	const char	*got;
	size_t		 i;

	for (i = 0; i < SAGI_NITEMS(bad); i++) {
		d = diag_new();
		c = load(bad[i].text, 0600, d);
		snprintf(prefix, sizeof prefix, "%s:%s: ", cfg, bad[i].where);
		got = diag_count(d) > 0 ? diag_get(d, 0) : "(none)";
		t_ok(diag_count(d) == 1 &&
		    strncmp(got, prefix, strlen(prefix)) == 0 &&
		    strstr(got + strlen(prefix), bad[i].msg) != NULL,
		    "bad[%zu] %s: %s", i, bad[i].where, bad[i].msg);
		if (diag_count(d) != 1 || strstr(got, bad[i].msg) == NULL)
			show(d);
		/* The bad line is skipped, the rest is kept. */
		t_ok(conf_account(c, "a") != NULL ||
		    strncmp(bad[i].text, "[account l]", 11) == 0,
		    "bad[%zu] account a still loaded", i);
		conf_free(c);
		diag_free(d);
	}
}

static void
test_good(void)
{
	struct diag		*d = diag_new();
	struct conf		*c;
	const struct account	*a;

	c = load("\xef\xbb\xbf# sagi config\n"
	    "\n"
	    "[account gmail]\r\n"
	    "\thost = imap.gmail.com   # trailing comment\r\n"
	    "  port=993\n"
	    "tls = IMAPS\n"
	    "user = \"  me@gmail.com \\\"x\\\" \\\\ # not a comment \"  # c\n"
	    "password_cmd = pass show mail/gmail | head -1\n"
	    "oauth2_token_cmd = oauth2-helper me#1\n"
	    "oauth2_mechanism = OAuthBearer\n"
	    "authserv_id = mx.google.com\n"
	    "junk_folder = [Gmail]/Spam\n"
	    "folder = INBOX/受信\n"
	    "tls_ca_file = /etc/ssl/certs/ca-certificates.crt\n"
	    "tls_fingerprint = SHA256:" "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:"
	    "23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89\n"
	    "allow_plaintext = off\n"
	    "timeout = 45\n"
	    "trusted_sender = info@example.co.jp\n"
	    "trusted_sender = @bank.example.jp\n"
	    "default = true\n"
	    "[ account  local mail ]\n"
	    "maildir = ~/Mail\n"
	    "[account plain]\n"
	    "host = [::1]\n"
	    "tls = none\n"
	    "allow_plaintext = 1\n"
	    "[account remote-plain]\n"
	    "host = imap.example.jp\n"
	    "tls = none\n"
	    "allow_plaintext = yes\n"
	    "[account st]\n"
	    "host = imap.example.jp\n"
	    "tls = starttls\n", 0600, d);
	t_int_eq(diag_count(d), 0, "good file: no diagnostics");
	show(d);
	t_int_eq(c->naccounts, 5, "five accounts");
	a = conf_account(c, "gmail");
	t_ok(a != NULL, "account gmail");
	if (a == NULL)
		goto out;
	t_str_eq(a->host, "imap.gmail.com",
	    "host, comment after blank dropped");
	t_int_eq(a->port, 993, "port");
	t_int_eq(a->tls, ACCOUNT_TLS_IMAPS, "tls, any case");
	t_str_eq(a->user, "  me@gmail.com \"x\" \\ # not a comment ",
	    "quoted value keeps blanks, escapes and #");
	t_str_eq(a->password_cmd, "pass show mail/gmail | head -1",
	    "password_cmd");
	t_str_eq(a->oauth2_token_cmd, "oauth2-helper me#1",
	    "# not after a blank stays");
	t_str_eq(a->oauth2_mechanism, "oauthbearer", "mechanism lower-cased");
	t_str_eq(a->authserv_id, "mx.google.com", "authserv_id");
	t_str_eq(a->junk_folder, "[Gmail]/Spam", "junk_folder with brackets");
	t_str_eq(a->folder, "INBOX/受信", "UTF-8 folder");
	t_str_eq(a->tls_ca_file, "/etc/ssl/certs/ca-certificates.crt",
	    "tls_ca_file");
	t_str_eq(a->tls_fingerprint, "sha256:abcdef0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789", "fingerprint normalised");
	t_int_eq(a->allow_plaintext, 0, "allow_plaintext off");
	t_int_eq(a->timeout, 45, "timeout");
	t_int_eq(a->ntrusted_senders, 2, "two trusted senders");
	t_str_eq(sender(a, 0), "info@example.co.jp", "first sender");
	t_str_eq(sender(a, 1), "@bank.example.jp", "second sender");
	t_ok(a->is_default, "default = true");
	t_ok(a->password == NULL && a->maildir == NULL, "unset keys NULL");
	t_ok(conf_account(c, NULL) == a, "the default account is chosen");

	a = conf_account(c, "local mail");
	t_ok(a != NULL && a->maildir != NULL && strcmp(a->maildir, "~/Mail") ==
	    0 && a->host == NULL, "Maildir account, ~ kept as written");
	a = conf_account(c, "plain");
	t_ok(a != NULL && strcmp(a->host, "::1") == 0 &&
	    a->tls == ACCOUNT_TLS_NONE && a->allow_plaintext,
	    "bracketed IPv6 host stored bare, plaintext allowed");
	t_int_eq(a != NULL ? account_port(a) : 0, 143, "plaintext port 143");
	a = conf_account(c, "st");
	t_int_eq(a != NULL ? account_port(a) : 0, 143, "starttls port 143");
	t_ok(conf_account(c, "nosuch") == NULL, "unknown account");
out:
	conf_free(c);
	diag_free(d);
}

static void
test_defaults(void)
{
	struct diag		*d = diag_new();
	struct conf		*c;
	const struct account	*a;
	struct account		 x;

	account_init(&x);
	t_int_eq(x.tls, ACCOUNT_TLS_IMAPS, "init: tls imaps");
	t_int_eq(x.timeout, 30, "init: timeout 30");
	t_int_eq(account_port(&x), 993, "init: port 993");
	t_ok(x.host == NULL && x.folder == NULL && x.oauth2_mechanism == NULL &&
	    x.ntrusted_senders == 0 && !x.allow_plaintext && !x.is_default,
	    "init: the rest unset");
	account_clear(&x);

	c = load("[account a]\nhost = h.example\n[account b]\nhost = "
	    "h2.example\n", 0600, d);
	a = conf_account(c, NULL);
	t_ok(a != NULL && strcmp(a->name, "a") == 0,
	    "no default: the first account");
	t_ok(a != NULL && a->port == 0 && a->tls == ACCOUNT_TLS_IMAPS &&
	    a->timeout == 30 && a->folder == NULL && a->user == NULL,
	    "loaded defaults");
	conf_free(c);
	c = load("[account a]\nhost = h.example\n[account b]\nhost = "
	    "h2.example\ndefault = on\n", 0600, d);
	a = conf_account(c, NULL);
	t_ok(a != NULL && strcmp(a->name, "b") == 0, "default = on wins");
	t_ok(conf_account(c, "a") != NULL, "by name");
	conf_free(c);
	t_int_eq(diag_count(d), 0, "no diagnostics");

	/* Degenerate inputs. */
	c = conf_load(NULL, d);
	t_ok(c != NULL && c->naccounts == 0 && conf_account(c, NULL) == NULL,
	    "NULL path: empty conf");
	conf_free(c);
	c = conf_load("/nonexistent/sagi/config", d);
	t_ok(c != NULL && c->naccounts == 0, "missing file: empty conf");
	t_int_eq(diag_count(d), 0, "missing file: no diagnostic");
	conf_free(c);
	c = load("", 0600, d);
	t_ok(c->naccounts == 0 && diag_count(d) == 0, "empty file");
	conf_free(c);
	c = load("# only\n\n   \n\t# comments\n", 0600, d);
	t_ok(c->naccounts == 0 && diag_count(d) == 0, "only comments");
	conf_free(c);
	c = conf_load(dir, d);
	t_ok(c->naccounts == 0 && diag_count(d) == 1 && strstr(diag_get(d, 0),
	    "not a regular file") != NULL, "a directory is reported");
	conf_free(c);
	conf_free(NULL);
	t_ok(conf_account(NULL, NULL) == NULL, "conf_account(NULL)");
	c = load("[account a]\nhost = h\nfoo = 1\n", 0600, NULL);
	t_ok(c->naccounts == 1, "NULL diag drops diagnostics");
	conf_free(c);
	diag_free(d);
}

static void
test_permissions(void)
{
	struct diag		*d;
	struct conf		*c;
	const struct account	*a;
	char			 want[1024];
	static const char	 text[] = "[account a]\nhost = h.example\n"
	    "password = \"s3cret pw\"\n";

	d = diag_new();
	c = load(text, 0600, d);
	a = conf_account(c, "a");
	t_str_eq(a != NULL ? a->password : NULL, "s3cret pw",
	    "0600: password accepted");
	t_int_eq(diag_count(d), 0, "0600: no diagnostic");
	conf_free(c);
	diag_free(d);

	d = diag_new();
	c = load(text, 0644, d);
	a = conf_account(c, "a");
	t_ok(a != NULL && a->password == NULL, "0644: password dropped");
	snprintf(want, sizeof want, "%s:3:1: password ignored: %s is readable "
	    "by group or others; run chmod 600 %s or use password_cmd", cfg,
	    cfg, cfg);
	t_str_eq(diag_count(d) == 1 ? diag_get(d, 0) : NULL, want,
	    "0644: says chmod 600 or password_cmd");
	t_ok(diag_count(d) != 1 || strstr(diag_get(d, 0), "s3cret") == NULL,
	    "0644: the password is not in the diagnostic");
	conf_free(c);
	diag_free(d);

	d = diag_new();
	c = load(text, 0640, d);
	a = conf_account(c, "a");
	t_ok(a != NULL && a->password == NULL && diag_count(d) == 1,
	    "0640: password dropped");
	conf_free(c);
	diag_free(d);

	d = diag_new();
	c = load("[account a]\nhost = h.example\npassword_cmd = pass x\n", 0644,
	    d);
	t_ok(c->naccounts == 1 && diag_count(d) == 0,
	    "0644 without password: fine");
	conf_free(c);
	diag_free(d);

	d = diag_new();
	c = load(text, 0620, d);
	t_ok(c->naccounts == 0 && diag_count(d) == 1 && strstr(diag_get(d, 0),
	    "writable by group or others, not loaded") != NULL,
	    "0620: group-writable file not loaded");
	conf_free(c);
	diag_free(d);

	d = diag_new();
	c = load("[account a]\nhost = h.example\npassword = x\n"
	    "password_cmd = pass x\n", 0600, d);
	a = conf_account(c, "a");
	t_ok(a != NULL && a->password == NULL && a->password_cmd != NULL &&
	    diag_count(d) == 1, "password and password_cmd: the command wins");
	conf_free(c);
	diag_free(d);
}

/* clang-format off */
static const struct {
	const char	*url;
	int		 rc;
	const char	*host;
	unsigned int	 port;
	enum account_tls tls;
	const char	*user;
	const char	*folder;
	const char	*cause;
} urls[] = {
	{ "imaps://imap.example.jp", 0, "imap.example.jp", 0, ACCOUNT_TLS_IMAPS, NULL, NULL, NULL },
	{ "imaps://imap.example.jp/", 0, "imap.example.jp", 0, ACCOUNT_TLS_IMAPS, NULL, NULL, NULL },
	{ "imaps://me@imap.example.jp:1993/INBOX", 0, "imap.example.jp", 1993, ACCOUNT_TLS_IMAPS, "me", "INBOX", NULL },
	{ "imap://imap.example.jp", 0, "imap.example.jp", 0, ACCOUNT_TLS_STARTTLS, NULL, NULL, NULL },
	{ "IMAP://me%40example.jp@imap.example.jp/Junk%20Mail", 0, "imap.example.jp", 0, ACCOUNT_TLS_STARTTLS, "me@example.jp", "Junk Mail", NULL },
	{ "imap://me@example.jp@imap.example.jp", 0, "imap.example.jp", 0, ACCOUNT_TLS_STARTTLS, "me@example.jp", NULL, NULL },
	{ "imaps://[::1]:10993/a/b", 0, "::1", 10993, ACCOUNT_TLS_IMAPS, NULL, "a/b", NULL },
	{ "imaps://u@[2001:db8::1]", 0, "2001:db8::1", 0, ACCOUNT_TLS_IMAPS, "u", NULL, NULL },
	{ "imaps://%E5%B1%B1@127.0.0.1/%E5%8F%97%E4%BF%A1", 0, "127.0.0.1", 0, ACCOUNT_TLS_IMAPS, "山", "受信", NULL },
	{ "imaps://me:hunter2@imap.example.jp", -1, NULL, 0, 0, NULL, NULL, "password" },
	{ "imaps://me:@imap.example.jp", -1, NULL, 0, 0, NULL, NULL, "password" },
	{ "imaps://me;AUTH=*@imap.example.jp", -1, NULL, 0, 0, NULL, NULL, ";AUTH=" },
	{ "http://imap.example.jp", -1, NULL, 0, 0, NULL, NULL, "imaps:// or imap://" },
	{ "imap.example.jp", -1, NULL, 0, 0, NULL, NULL, "imaps:// or imap://" },
	{ "imaps://h.example:0", -1, NULL, 0, 0, NULL, NULL, "bad port \"0\"" },
	{ "imaps://h.example:65536", -1, NULL, 0, 0, NULL, NULL, "bad port \"65536\"" },
	{ "imaps://h.example:", -1, NULL, 0, 0, NULL, NULL, "bad port \"\"" },
	{ "imaps://h.example:99a/x", -1, NULL, 0, 0, NULL, NULL, "bad port \"99a\"" },
	{ "imaps://[::1", -1, NULL, 0, 0, NULL, NULL, "without ]" },
	{ "imaps://[zz::1]", -1, NULL, 0, 0, NULL, NULL, "bad IPv6 address" },
	{ "imaps://[::1]x", -1, NULL, 0, 0, NULL, NULL, "text after ]" },
	{ "imaps://", -1, NULL, 0, 0, NULL, NULL, "no host" },
	{ "imaps:///INBOX", -1, NULL, 0, 0, NULL, NULL, "no host" },
	{ "imaps://@h.example", -1, NULL, 0, 0, NULL, NULL, "empty user" },
	{ "imaps://h.example/%zz", -1, NULL, 0, 0, NULL, NULL, "percent escape" },
	{ "imaps://h.example/a%0", -1, NULL, 0, 0, NULL, NULL, "percent escape" },
	{ "imaps://h.example/a%00b", -1, NULL, 0, 0, NULL, NULL, "percent escape" },
	{ "imaps://u%4@h.example", -1, NULL, 0, 0, NULL, NULL, "percent escape" },
	{ "imaps://h.example/INBOX?x=1", -1, NULL, 0, 0, NULL, NULL, "query" },
	{ "imaps://h ex", -1, NULL, 0, 0, NULL, NULL, "bad character" },
	{ "", -1, NULL, 0, 0, NULL, NULL, "empty url" },
	{ NULL, -1, NULL, 0, 0, NULL, NULL, "empty url" },
};
/* clang-format on */

static void
test_urls(void)
{
	struct account	 a;
	char		*folder, *cause;
	size_t		 i;
	int		 rc;

	for (i = 0; i < SAGI_NITEMS(urls); i++) {
		account_init(&a);
		a.host = strdup("keep.example");
		a.port = 7;
		folder = (char *)"untouched";
		cause = NULL;
		rc = account_from_url(urls[i].url, &a, &folder, &cause);
		t_int_eq(rc, urls[i].rc, "url[%zu] %s", i,
		    urls[i].url != NULL ? urls[i].url : "(null)");
		if (rc == 0) {
			t_ok(a.host != NULL &&
			    strcmp(a.host, urls[i].host) == 0 &&
			    a.port == (urls[i].port != 0 ? urls[i].port : 7) &&
			    a.tls == urls[i].tls,
			    "url[%zu] host, port, tls", i);
			t_str_eq(a.user, urls[i].user, "url[%zu] user", i);
			t_str_eq(folder, urls[i].folder, "url[%zu] folder", i);
			free(folder);
		} else {
			t_ok(cause != NULL &&
			    strstr(cause, urls[i].cause) != NULL,
			    "url[%zu] cause \"%s\"", i, cause != NULL ? cause :
			    "(none)");
			t_ok(strcmp(a.host, "keep.example") == 0 &&
			    a.port == 7 && strcmp(folder, "untouched") == 0,
			    "url[%zu] nothing changed on error", i);
			t_ok(cause == NULL || strstr(cause, "hunter2") == NULL,
			    "url[%zu] cause does not show a password", i);
		}
		free(cause);
		account_clear(&a);
	}
	account_init(&a);
	t_ok(account_from_url("imaps://u@h.example/F", &a, NULL, &cause) == 0 &&
	    strcmp(a.user, "u") == 0, "folder_out may be NULL");
	account_clear(&a);
}

static void
test_check(void)
{
	struct account	 a;
	char		*cause = NULL;
	int		 rc;

	account_init(&a);
	rc = account_check(&a, &cause);
	t_ok(rc == -1 && cause != NULL && strstr(cause, "--host") != NULL,
	    "no host: refused, mentions --host");
	free(cause);
	cause = NULL;

	a.maildir = strdup("/tmp/x");
	t_int_eq(account_check(&a, &cause), 0, "Maildir account passes");
	free(a.maildir);
	a.maildir = NULL;

	a.host = strdup("imap.example.jp");
	t_int_eq(account_check(&a, &cause), 0, "host, imaps: passes");

	a.tls = ACCOUNT_TLS_NONE;
	rc = account_check(&a, &cause);
	t_ok(rc == -1 && cause != NULL &&
	    strstr(cause, "clear text over the network") != NULL &&
	    strstr(cause, "--insecure-plaintext") != NULL &&
	    strstr(cause, "allow_plaintext = yes") != NULL,
	    "tls none to a remote host: refused with the fix (%s)",
	    cause != NULL ? cause : "none");
	free(cause);
	cause = NULL;
	a.allow_plaintext = 1;
	t_int_eq(account_check(&a, &cause), 0,
	    "tls none to a remote host with allow_plaintext: allowed");

	a.allow_plaintext = 0;
	free(a.host);
	a.host = strdup("127.0.0.1");
	rc = account_check(&a, &cause);
	t_ok(rc == -1 && cause != NULL && strstr(cause, "loopback") != NULL &&
	    strstr(cause, "--insecure-plaintext") != NULL,
	    "tls none to loopback still needs allow_plaintext");
	free(cause);
	cause = NULL;
	a.allow_plaintext = 1;
	t_int_eq(account_check(&a, &cause), 0, "loopback with allow_plaintext");

	a.tls = ACCOUNT_TLS_IMAPS;
	a.port = 70000;
	t_ok(account_check(&a, &cause) == -1 && cause != NULL &&
	    strstr(cause, "70000") != NULL, "port out of range");
	free(cause);
	cause = NULL;
	a.port = 0;
	a.timeout = 0;
	t_ok(account_check(&a, &cause) == -1 && cause != NULL &&
	    strstr(cause, "timeout") != NULL, "timeout 0");
	free(cause);
	cause = NULL;
	a.timeout = 30;
	a.tls_fingerprint = strdup("sha256:1234");
	t_ok(account_check(&a, &cause) == -1 && cause != NULL &&
	    strstr(cause, "fingerprint") != NULL, "short fingerprint");
	free(cause);
	cause = NULL;
	free(a.tls_fingerprint);
	a.tls_fingerprint = strdup("SHA256:00:11:22:33:44:55:66:77:88:99:AA:BB:"
	    "CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff");
	t_int_eq(account_check(&a, &cause), 0, "fingerprint with colons");
	a.oauth2_mechanism = strdup("plain");
	t_ok(account_check(&a, &cause) == -1 && cause != NULL &&
	    strstr(cause, "oauth2") != NULL, "bad oauth2 mechanism");
	free(cause);
	account_clear(&a);
	t_ok(a.host == NULL && a.tls == ACCOUNT_TLS_IMAPS && a.timeout == 30,
	    "account_clear leaves the defaults");
}

/* clang-format off */
static const struct {
	const char	*host;
	int		 want;
} loopback[] = {
	{ "127.0.0.1", 1 }, { "127.255.255.254", 1 }, { "128.0.0.1", 0 },
	{ "10.0.0.1", 0 }, { "::1", 1 }, { "[::1]", 1 },
	{ "0:0:0:0:0:0:0:1", 1 }, { "::ffff:127.0.0.1", 1 },
	{ "::ffff:10.0.0.1", 0 }, { "::2", 0 }, { "localhost", 1 },
	{ "LocalHost", 1 }, { "localhost.", 1 }, { "localhost.example", 0 },
	{ "127.0.0.1.example", 0 }, { "example.com", 0 }, { "", 0 },
	{ NULL, 0 },
};
static const struct {
	const char	*in;
	const char	*want;
} fingerprints[] = {
	{ "sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	  "sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
	{ "SHA256:" "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
	  "sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
	{ "sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", NULL },
	{ "sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0", NULL },
	{ "sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg", NULL },
	{ "md5:0123", NULL },
	{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL },
	{ NULL, NULL },
};
/* clang-format on */

static void
test_small(void)
{
	struct diag		*d = diag_new();
	struct conf		*c;
	const struct account	*a;
	struct account		 copy;
	enum account_tls	 tls = ACCOUNT_TLS_IMAPS;
	char			*fp;
	size_t			 i;

	for (i = 0; i < SAGI_NITEMS(loopback); i++)
		t_int_eq(conf_is_loopback(loopback[i].host), loopback[i].want,
		    "loopback %s", loopback[i].host != NULL ? loopback[i].host :
		    "(null)");
	for (i = 0; i < SAGI_NITEMS(fingerprints); i++) {
		fp = conf_fingerprint_normalise(fingerprints[i].in);
		t_str_eq(fp, fingerprints[i].want, "fingerprint[%zu]", i);
		free(fp);
	}
	t_ok(conf_tls_parse("StartTLS", &tls) == 0 &&
	    tls == ACCOUNT_TLS_STARTTLS, "tls parse");
	t_ok(conf_tls_parse("ssl", &tls) == -1 && conf_tls_parse(NULL, &tls) ==
	    -1 && tls == ACCOUNT_TLS_STARTTLS, "tls parse refuses");
	t_str_eq(conf_tls_name(ACCOUNT_TLS_NONE), "none", "tls name");

	c = load("[account a]\nhost = h.example\nuser = u\npassword = pw\n"
	    "trusted_sender = Boss@Example.JP\ntrusted_sender = "
	    "@bank.example.jp\n", 0600, d);
	a = conf_account(c, "a");
	t_ok(a != NULL, "copy source loaded");
	if (a == NULL)
		goto out;
	account_copy(&copy, a);
	t_ok(copy.host != a->host && strcmp(copy.host, a->host) == 0 &&
	    copy.password != a->password && strcmp(copy.password, "pw") == 0 &&
	    copy.trusted_senders != a->trusted_senders &&
	    copy.ntrusted_senders == 2 &&
	    strcmp(copy.trusted_senders[1], "@bank.example.jp") == 0 &&
	    copy.name != a->name && copy.folder == NULL,
	    "account_copy is deep");
	t_ok(account_trusts_sender(&copy, "boss@example.jp"),
	    "sender, any case");
	t_ok(account_trusts_sender(&copy, "x@BANK.example.jp"), "@domain");
	t_ok(!account_trusts_sender(&copy, "x@sub.bank.example.jp"),
	    "@domain: not its subdomains");
	t_ok(!account_trusts_sender(&copy, "x@example.jp"), "other address");
	t_ok(!account_trusts_sender(&copy, "nobody") &&
	    !account_trusts_sender(&copy, NULL) &&
	    !account_trusts_sender(NULL, "a@b.jp"), "degenerate senders");
	account_clear(&copy);
out:
	conf_free(c);
	diag_free(d);
}

static int
count_entries(const char *path)
{
	DIR		*dp;
	struct dirent	*de;
	int		 n = 0;

	if ((dp = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL)
		n += de->d_name[0] != '.';
	closedir(dp);
	return n;
}

static void
test_add_sender(void)
{
	struct diag		*d = diag_new();
	struct conf		*c;
	const struct account	*a;
	struct stat		 st;
	char			 sub[256], p[512], link[512], *text, *before;
	char			*cause = NULL;

	snprintf(sub, sizeof sub, "%s/add", dir);
	mkdir(sub, 0700);
	snprintf(p, sizeof p, "%s/config", sub);
	put(p, "[account a]\nhost = h.example # c\n\n# about b\n[account b]\n"
	    "host = h2.example\n", 0640);
	t_int_eq(conf_add_trusted_sender(p, "a", "x@y.example", &cause), 0,
	    "add to a");
	text = slurp(p);
	t_str_eq(text, "[account a]\nhost = h.example # c\n"
	    "trusted_sender = x@y.example\n\n# about b\n[account b]\n"
	    "host = h2.example\n", "line added after the section's last key");
	t_ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0640, "mode kept");
	t_int_eq(count_entries(sub), 1, "no temporary file left");

	t_int_eq(conf_add_trusted_sender(p, "a", "X@Y.example", &cause), 0,
	    "add the same sender again");
	before = text;
	text = slurp(p);
	t_str_eq(text, before, "already listed: file unchanged");
	free(before);
	free(text);

	t_int_eq(conf_add_trusted_sender(p, "b", "a#b@z.example", &cause), 0,
	    "add to b (last section, a # in the address)");
	t_int_eq(conf_add_trusted_sender(p, "new one", "@bank.example", &cause),
	    0, "add to a missing section");
	c = conf_load(p, d);
	a = conf_account(c, "a");
	t_str_eq(sender(a, 0), "x@y.example", "load sees a's sender");
	t_int_eq(a != NULL ? a->ntrusted_senders : 0, 1, "once");
	a = conf_account(c, "b");
	t_str_eq(sender(a, 0), "a#b@z.example", "# survives quoting");
	a = conf_account(c, "new one");
	t_str_eq(sender(a, 0), "@bank.example", "new section created");
	t_int_eq(diag_count(d), 1, "only: new section has no host");
	conf_free(c);

	/* No trailing newline, CR LF lines. */
	put(p, "[account a]\r\nhost = h.example", 0600);
	t_int_eq(conf_add_trusted_sender(p, "a", "q@r.example", &cause), 0,
	    "add to a file without a final newline");
	text = slurp(p);
	t_str_eq(text, "[account a]\r\nhost = h.example\r\n"
	    "trusted_sender = q@r.example\r\n", "CR LF kept");
	free(text);

	/* A symlink is followed, not replaced. */
	snprintf(link, sizeof link, "%s/link", sub);
	if (symlink("config", link) != 0)
		t_ok(0, "symlink");
	t_int_eq(conf_add_trusted_sender(link, "a", "s@l.example", &cause), 0,
	    "add through a symlink");
	t_ok(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "still a symlink");
	text = slurp(p);
	t_ok(text != NULL && strstr(text, "trusted_sender = s@l.example") !=
	    NULL, "target rewritten");
	free(text);

	/* Missing file and directory. */
	snprintf(p, sizeof p, "%s/sagi/config", sub);
	t_int_eq(conf_add_trusted_sender(p, "main", "m@n.example", &cause), 0,
	    "create the file");
	text = slurp(p);
	t_str_eq(text, "[account main]\ntrusted_sender = m@n.example\n",
	    "new file content");
	free(text);
	t_ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "new file mode 0600");
	snprintf(p, sizeof p, "%s/sagi", sub);
	t_ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0700,
	    "new directory mode 0700");

	/* Refusals. */
	t_ok(conf_add_trusted_sender(p, "a", "nobody", &cause) == -1 &&
	    cause != NULL, "bad sender refused");
	free(cause);
	cause = NULL;
	t_ok(conf_add_trusted_sender(p, "a]", "x@y.example", &cause) == -1 &&
	    cause != NULL, "bad account name refused");
	free(cause);
	cause = NULL;
	t_ok(conf_add_trusted_sender(NULL, "a", "x@y.example", &cause) == -1 &&
	    cause != NULL, "NULL path refused");
	free(cause);
	cause = NULL;
	t_ok(conf_add_trusted_sender(p, "a", "x@y.example", &cause) == -1 &&
	    cause != NULL && strstr(cause, "not a regular file") != NULL,
	    "a directory refused");
	free(cause);
	cause = NULL;
	snprintf(p, sizeof p, "%s/no/such/dir/config", sub);
	t_ok(conf_add_trusted_sender(p, "a", "x@y.example", &cause) == -1 &&
	    cause != NULL, "missing parents refused");
	free(cause);
	diag_free(d);
}

int
main(void)
{
	char	 cmd[600];

	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(cfg, sizeof cfg, "%s/config", dir);
	test_bad_lines();
	test_good();
	test_defaults();
	test_permissions();
	test_urls();
	test_check();
	test_small();
	test_add_sender();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 99;
	return t_done();
}
