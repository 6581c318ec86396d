/* SPDX-License-Identifier: ISC */
/*
 * The account configuration file: a line parser shared by the loader and
 * by the rewriter that adds trusted senders, URL parsing and the final
 * account check.  Passwords are wiped from memory when dropped.  Runs no
 * command (see secret.c) and never connects.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "xalloc.h"

#define CONF_MAX_SIZE	(1u << 20)	/* a bigger file is not a config */

enum conf_line_type {
	CONF_LINE_BLANK,
	CONF_LINE_SECTION,
	CONF_LINE_KEY,
	CONF_LINE_ERROR
};

/* One classified line.  Strings are owned; release with conf_line_clear. */
struct conf_line {
	enum conf_line_type	 type;
	char			*word;		/* SECTION: [WORD NAME] */
	char			*name;		/* SECTION: "" when absent */
	char			*key;		/* KEY */
	char			*value;		/* KEY: unquoted; secret? */
	unsigned int		 col;		/* of word, key, or the error */
	unsigned int		 value_col;
	char			*error;		/* ERROR */
};

enum conf_kind {
	CONF_STR,
	CONF_PASSWORD,
	CONF_HOST,
	CONF_PORT,
	CONF_TLS,
	CONF_BOOL,
	CONF_TIMEOUT,
	CONF_MECHANISM,
	CONF_FINGERPRINT,
	CONF_SENDER
};

/* clang-format off */
#define KOFF(f)	offsetof(struct account, f)
static const struct conf_key {
	const char	*name;
	enum conf_kind	 kind;
	size_t		 off;
} conf_keys[] = {
	{ "host",		CONF_HOST,	  KOFF(host) },
	{ "port",		CONF_PORT,	  KOFF(port) },
	{ "tls",		CONF_TLS,	  KOFF(tls) },
	{ "user",		CONF_STR,	  KOFF(user) },
	{ "password_cmd",	CONF_STR,	  KOFF(password_cmd) },
	{ "password",		CONF_PASSWORD,	  KOFF(password) },
	{ "oauth2_token_cmd",	CONF_STR,	  KOFF(oauth2_token_cmd) },
	{ "oauth2_mechanism",	CONF_MECHANISM,	  KOFF(oauth2_mechanism) },
	{ "authserv_id",	CONF_STR,	  KOFF(authserv_id) },
	{ "junk_folder",	CONF_STR,	  KOFF(junk_folder) },
	{ "folder",		CONF_STR,	  KOFF(folder) },
	{ "tls_ca_file",	CONF_STR,	  KOFF(tls_ca_file) },
	{ "tls_fingerprint",	CONF_FINGERPRINT, KOFF(tls_fingerprint) },
	{ "allow_plaintext",	CONF_BOOL,	  KOFF(allow_plaintext) },
	{ "timeout",		CONF_TIMEOUT,	  KOFF(timeout) },
	{ "maildir",		CONF_STR,	  KOFF(maildir) },
	{ "trusted_sender",	CONF_SENDER,	  0 },
	{ "default",		CONF_BOOL,	  KOFF(is_default) },
};
#undef KOFF
/* clang-format on */

#define CONF_NKEYS	SAGI_NITEMS(conf_keys)

/* Where the loader is, and what it has seen of the current section. */
struct conf_parse {
	const char	*path;
	struct diag	*d;
	struct conf	*c;
	int		 readable;	/* group or others may read the file */
	unsigned int	 line;
	size_t		 cur;		/* index of the current account */
	int		 in_account;
	unsigned int	*sect_lines;	/* header line of each account */
	unsigned int	 key_lines[CONF_NKEYS];	/* 0 = not seen */
	unsigned int	 key_cols[CONF_NKEYS];
	size_t		 default_idx;
	int		 have_default;
};

static void
conf_diag(struct conf_parse *p, unsigned int line, unsigned int col,
    const char *fmt, ...) SAGI_PRINTFLIKE(4, 5);

static void
conf_diag(struct conf_parse *p, unsigned int line, unsigned int col,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->d == NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_add(p->d, p->path, line, col, "%s", msg);
	free(msg);
}

static void
conf_wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static void
conf_line_clear(struct conf_line *l)
{
	free(l->word);
	free(l->name);
	free(l->key);
	conf_wipe_free(l->value);
	free(l->error);
	memset(l, 0, sizeof *l);
}

static int
conf_is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static void
conf_line_error(struct conf_line *l, size_t col, const char *fmt, ...)
    SAGI_PRINTFLIKE(3, 4);

static void
conf_line_error(struct conf_line *l, size_t col, const char *fmt, ...)
{
	va_list	 ap;

	conf_line_clear(l);
	l->type = CONF_LINE_ERROR;
	l->col = (unsigned int)col;
	va_start(ap, fmt);
	l->error = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Parses a section header starting at s[i] == '['. */
static void
conf_line_section(const char *s, size_t len, size_t i, struct conf_line *l)
{
	size_t	 j, end, w, k;

	for (j = i + 1; j < len && s[j] != ']'; j++)
		;
	if (j == len) {
		conf_line_error(l, i + 1, "missing ] at the end of the section "
		    "header");
		return;
	}
	for (k = j + 1; k < len && conf_is_blank(s[k]); k++)
		;
	if (k < len && s[k] != '#') {
		conf_line_error(l, k + 1, "text after ] in the section header");
		return;
	}
	for (i++; i < j && conf_is_blank(s[i]); i++)
		;
	for (end = j; end > i && conf_is_blank(s[end - 1]); end--)
		;
	if (i == end) {
		conf_line_error(l, j + 1, "empty section header");
		return;
	}
	for (w = i; w < end && !conf_is_blank(s[w]); w++)
		;
	l->type = CONF_LINE_SECTION;
	l->col = (unsigned int)i + 1;
	l->word = xstrndup(s + i, w - i);
	for (; w < end && conf_is_blank(s[w]); w++)
		;
	l->name = xstrndup(s + w, end - w);
}

/* Parses a double-quoted value from s[i] == '"'.  Decodes into one buffer
 * of the final size so no copy of a secret is left behind by a realloc. */
static void
conf_line_quoted(const char *s, size_t len, size_t i, struct conf_line *l)
{
	char	*v;
	size_t	 k, n = 0;

	v = xmalloc(len - i);
	for (k = i + 1; k < len && s[k] != '"'; k++) {
		if (s[k] != '\\') {
			v[n++] = s[k];
			continue;
		}
		if (k + 1 < len && (s[k + 1] == '"' || s[k + 1] == '\\')) {
			v[n++] = s[++k];
			continue;
		}
		explicit_bzero(v, n);
		free(v);
		conf_line_error(l, k + 1, "unknown escape in quoted value: "
		    "only \\\" and \\\\ are allowed");
		return;
	}
	v[n] = '\0';
	if (k == len) {
		explicit_bzero(v, n);
		free(v);
		conf_line_error(l, i + 1, "unterminated quoted value");
		return;
	}
	for (k++; k < len && conf_is_blank(s[k]); k++)
		;
	if (k < len && s[k] != '#') {
		explicit_bzero(v, n);
		free(v);
		conf_line_error(l, k + 1, "text after the closing quote");
		return;
	}
	l->value = v;
}

/*
 * Classifies one line (without its newline).  A '#' starts a comment at the
 * beginning of a line, and in an unquoted value when it begins the value
 * or follows a blank, so "a#b" keeps its '#'.
 */
static void
conf_line_parse(const char *s, size_t len, struct conf_line *l)
{
	size_t	 i, k, end;

	memset(l, 0, sizeof *l);
	if (len > 0 && s[len - 1] == '\r')
		len--;
	for (i = 0; i < len && conf_is_blank(s[i]); i++)
		;
	if (i == len || s[i] == '#') {
		l->type = CONF_LINE_BLANK;
		return;
	}
	if (memchr(s, '\0', len) != NULL) {
		conf_line_error(l, i + 1, "NUL byte in line");
		return;
	}
	if (s[i] == '[') {
		conf_line_section(s, len, i, l);
		return;
	}
	for (k = i; k < len && (isalnum((unsigned char)s[k]) || s[k] == '_' ||
	    s[k] == '-'); k++)
		;
	if (k == i) {
		conf_line_error(l, i + 1, "expected key = value");
		return;
	}
	l->type = CONF_LINE_KEY;
	l->col = (unsigned int)i + 1;
	l->key = xstrndup(s + i, k - i);
	for (; k < len && conf_is_blank(s[k]); k++)
		;
	if (k == len || s[k] != '=') {
		conf_line_error(l, k + 1, "expected = after the key");
		return;
	}
	for (k++; k < len && conf_is_blank(s[k]); k++)
		;
	l->value_col = (unsigned int)k + 1;
	if (k < len && s[k] == '"') {
		conf_line_quoted(s, len, k, l);
		return;
	}
	for (end = k; end < len; end++) {
		if (s[end] == '#' && (end == k || conf_is_blank(s[end - 1])))
			break;
	}
	while (end > k && conf_is_blank(s[end - 1]))
		end--;
	l->value = xstrndup(s + k, end - k);
}

/* Account names are written back into headers, so they must survive that. */
static int
conf_name_valid(const char *name)
{
	const unsigned char	*p;

	if (name == NULL || *name == '\0' || conf_is_blank(*name) ||
	    conf_is_blank(name[strlen(name) - 1]))
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '[' || *p == ']' ||
		    *p == '#')
			return 0;
	}
	return 1;
}

/* "user@domain" or "@domain": no blanks or controls, a non-empty domain. */
static int
conf_sender_valid(const char *s)
{
	const char		*at;
	const unsigned char	*p;

	if (s == NULL || (at = strrchr(s, '@')) == NULL || at[1] == '\0')
		return 0;
	if (strchr(at + 1, '.') == NULL && strcasecmp(at + 1, "localhost") != 0)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	}
	return 1;
}

int
conf_is_loopback(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 buf[INET6_ADDRSTRLEN + 2];
	size_t		 len;

	if (host == NULL)
		return 0;
	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']' &&
	    len - 2 < sizeof buf) {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		host = buf;
	}
	if (inet_pton(AF_INET6, host, &a6) != 1)
		return 0;
	if (IN6_IS_ADDR_LOOPBACK(&a6))
		return 1;
	return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
}

int
conf_tls_parse(const char *s, enum account_tls *out)
{
	if (s == NULL)
		return -1;
	if (strcasecmp(s, "imaps") == 0)
		*out = ACCOUNT_TLS_IMAPS;
	else if (strcasecmp(s, "starttls") == 0)
		*out = ACCOUNT_TLS_STARTTLS;
	else if (strcasecmp(s, "none") == 0)
		*out = ACCOUNT_TLS_NONE;
	else
		return -1;
	return 0;
}

const char *
conf_tls_name(enum account_tls tls)
{
	switch (tls) {
	case ACCOUNT_TLS_IMAPS:
		return "imaps";
	case ACCOUNT_TLS_STARTTLS:
		return "starttls";
	case ACCOUNT_TLS_NONE:
		return "none";
	}
	return "?";
}

static int
conf_bool_parse(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t	 i;

	for (i = 0; i < SAGI_NITEMS(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Decimal digits only, lo..hi. */
static int
conf_uint_parse(const char *s, unsigned int lo, unsigned int hi,
    unsigned int *out)
{
	unsigned long	 v = 0;

	if (*s == '\0' || strlen(s) > 9)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

char *
conf_fingerprint_normalise(const char *s)
{
	char	 hex[65];
	size_t	 n = 0;

	if (s == NULL || strncasecmp(s, "sha256:", 7) != 0)
		return NULL;
	for (s += 7; *s != '\0'; s++) {
		if (*s == ':')
			continue;
		if (!isxdigit((unsigned char)*s) || n == 64)
			return NULL;
		hex[n++] = (char)tolower((unsigned char)*s);
	}
	if (n != 64)
		return NULL;
	hex[n] = '\0';
	return xasprintf("sha256:%s", hex);
}

void
account_init(struct account *a)
{
	memset(a, 0, sizeof *a);
	a->tls = ACCOUNT_TLS_IMAPS;
	a->timeout = CONF_DEFAULT_TIMEOUT;
}

void
account_clear(struct account *a)
{
	size_t	 i;

	free(a->name);
	free(a->host);
	free(a->user);
	free(a->password_cmd);
	conf_wipe_free(a->password);
	free(a->oauth2_token_cmd);
	free(a->oauth2_mechanism);
	free(a->authserv_id);
	free(a->junk_folder);
	free(a->folder);
	free(a->tls_ca_file);
	free(a->tls_fingerprint);
	free(a->maildir);
	for (i = 0; i < a->ntrusted_senders; i++)
		free(a->trusted_senders[i]);
	free(a->trusted_senders);
	account_init(a);
}

static char *
conf_dup(const char *s)
{
	return s == NULL ? NULL : xstrdup(s);
}

void
account_copy(struct account *dst, const struct account *src)
{
	size_t	 i;

	*dst = *src;
	dst->name = conf_dup(src->name);
	dst->host = conf_dup(src->host);
	dst->user = conf_dup(src->user);
	dst->password_cmd = conf_dup(src->password_cmd);
	dst->password = conf_dup(src->password);
	dst->oauth2_token_cmd = conf_dup(src->oauth2_token_cmd);
	dst->oauth2_mechanism = conf_dup(src->oauth2_mechanism);
	dst->authserv_id = conf_dup(src->authserv_id);
	dst->junk_folder = conf_dup(src->junk_folder);
	dst->folder = conf_dup(src->folder);
	dst->tls_ca_file = conf_dup(src->tls_ca_file);
	dst->tls_fingerprint = conf_dup(src->tls_fingerprint);
	dst->maildir = conf_dup(src->maildir);
	dst->trusted_senders = NULL;
	if (src->ntrusted_senders > 0) {
		dst->trusted_senders = xreallocarray(NULL,
		    src->ntrusted_senders, sizeof *dst->trusted_senders);
		for (i = 0; i < src->ntrusted_senders; i++)
			dst->trusted_senders[i] =
			    xstrdup(src->trusted_senders[i]);
	}
}

unsigned int
account_port(const struct account *a)
{
	if (a->port != 0)
		return a->port;
	return a->tls == ACCOUNT_TLS_IMAPS ? 993 : 143;
}

static void
account_add_sender(struct account *a, const char *sender)
{
	a->trusted_senders = xreallocarray(a->trusted_senders,
	    a->ntrusted_senders + 1, sizeof *a->trusted_senders);
	a->trusted_senders[a->ntrusted_senders++] = xstrdup(sender);
}

int
account_trusts_sender(const struct account *a, const char *addr)
{
	const char	*at, *t;
	size_t		 i;

	if (a == NULL || addr == NULL || (at = strrchr(addr, '@')) == NULL)
		return 0;
	for (i = 0; i < a->ntrusted_senders; i++) {
		t = a->trusted_senders[i];
		if (t[0] == '@' ? strcasecmp(t + 1, at + 1) == 0 :
		    strcasecmp(t, addr) == 0)
			return 1;
	}
	return 0;
}

static size_t
conf_key_index(const char *name)
{
	size_t	 i;

	for (i = 0; i < CONF_NKEYS; i++) {
		if (strcmp(conf_keys[i].name, name) == 0)
			break;
	}
	return i;
}

/* Checks done when a section ends: they need all of its keys. */
static void
conf_end_section(struct conf_parse *p)
{
	struct account	*a;
	unsigned int	 sl;
	size_t		 ktls, kpw, kmd;

	if (!p->in_account)
		return;
	p->in_account = 0;
	a = &p->c->accounts[p->cur];
	ktls = conf_key_index("tls");
	kpw = conf_key_index("password");
	kmd = conf_key_index("maildir");
	sl = p->sect_lines[p->cur];
	if (a->host == NULL && a->maildir == NULL)
		conf_diag(p, sl, 0, "account \"%s\" has neither host nor "
		    "maildir", a->name);
	if (a->host != NULL && a->maildir != NULL)
		conf_diag(p, p->key_lines[kmd], p->key_cols[kmd], "account "
		    "\"%s\" has both host and maildir: it is a Maildir account "
		    "and host is ignored", a->name);
	if (a->password != NULL && a->password_cmd != NULL) {
		conf_diag(p, p->key_lines[kpw], p->key_cols[kpw], "both "
		    "password and password_cmd are set: password_cmd is used "
		    "and password ignored");
		conf_wipe_free(a->password);
		a->password = NULL;
	}
	if (a->tls == ACCOUNT_TLS_NONE && !a->allow_plaintext &&
	    a->host != NULL && a->maildir == NULL) {
		if (conf_is_loopback(a->host))
			conf_diag(p, p->key_lines[ktls], p->key_cols[ktls],
			    "tls = none to the loopback host %s also needs "
			    "allow_plaintext = yes", a->host);
		else
			conf_diag(p, p->key_lines[ktls], p->key_cols[ktls],
			    "tls = none would send the password in clear text "
			    "over the network to %s: refused without "
			    "allow_plaintext = yes", a->host);
	}
	if (a->is_default) {
		if (p->have_default)
			conf_diag(p, sl, 0, "account \"%s\" is marked default "
			    "too: \"%s\" is used", a->name,
			    p->c->accounts[p->default_idx].name);
		else {
			p->have_default = 1;
			p->default_idx = p->cur;
		}
	}
}

static void
conf_do_section(struct conf_parse *p, struct conf_line *l)
{
	struct conf	*c = p->c;
	size_t		 i;

	conf_end_section(p);
	if (strcmp(l->word, "account") != 0) {
		conf_diag(p, p->line, l->col, "unknown section \"%s\": "
		    "expected [account NAME]", l->word);
		return;
	}
	if (*l->name == '\0') {
		conf_diag(p, p->line, l->col, "account section without a name");
		return;
	}
	if (!conf_name_valid(l->name)) {
		conf_diag(p, p->line, l->col, "bad account name \"%s\": no "
		    "control characters, [, ] or #", l->name);
		return;
	}
	for (i = 0; i < c->naccounts; i++) {
		if (strcmp(c->accounts[i].name, l->name) == 0) {
			conf_diag(p, p->line, l->col, "duplicate account "
			    "\"%s\" (first at line %u): this section is "
			    "ignored", l->name, p->sect_lines[i]);
			return;
		}
	}
	c->accounts = xreallocarray(c->accounts, c->naccounts + 1,
	    sizeof *c->accounts);
	p->sect_lines = xreallocarray(p->sect_lines, c->naccounts + 1,
	    sizeof *p->sect_lines);
	account_init(&c->accounts[c->naccounts]);
	c->accounts[c->naccounts].name = xstrdup(l->name);
	p->sect_lines[c->naccounts] = p->line;
	p->cur = c->naccounts++;
	p->in_account = 1;
	memset(p->key_lines, 0, sizeof p->key_lines);
	memset(p->key_cols, 0, sizeof p->key_cols);
}

/* Stores an owned string value at the key's offset, replacing an old one. */
static void
conf_set_str(struct account *a, const struct conf_key *k, char *v)
{
	char	**slot = (char **)(void *)((char *)a + k->off);

	if (k->kind == CONF_PASSWORD)
		conf_wipe_free(*slot);
	else
		free(*slot);
	*slot = v;
}

/* A host as written, or an IPv6 address in brackets (owned, without them);
 * NULL when it cannot be a host name or address. */
static char *
conf_host_parse(const char *v)
{
	struct in6_addr		 a6;
	const unsigned char	*u;
	size_t			 len = strlen(v);
	char			*h;

	if (v[0] == '[') {
		if (len < 3 || v[len - 1] != ']')
			return NULL;
		h = xstrndup(v + 1, len - 2);
		if (inet_pton(AF_INET6, h, &a6) != 1) {
			free(h);
			return NULL;
		}
		return h;
	}
	for (u = (const unsigned char *)v; *u != '\0'; u++) {
		if (*u <= ' ' || *u == 0x7f || strchr("/@[]\"", *u) != NULL)
			return NULL;
	}
	return xstrdup(v);
}

static void
conf_do_key(struct conf_parse *p, struct conf_line *l, int skipping)
{
	const struct conf_key	*k = NULL;
	struct account		*a;
	size_t			 ki;
	unsigned int		 u, line = p->line, col = l->value_col;
	int			 b;
	enum account_tls	 tls;
	char			*v;

	if (skipping)
		return;
	if (!p->in_account) {
		conf_diag(p, line, l->col, "key \"%s\" outside an "
		    "[account NAME] section", l->key);
		return;
	}
	a = &p->c->accounts[p->cur];
	if ((ki = conf_key_index(l->key)) == CONF_NKEYS) {
		conf_diag(p, line, l->col, "unknown key \"%s\"", l->key);
		return;
	}
	k = &conf_keys[ki];
	if (*l->value == '\0') {
		conf_diag(p, line, col, "empty value for %s", k->name);
		return;
	}

	switch (k->kind) {
	case CONF_PASSWORD:
		if (p->readable) {
			conf_diag(p, line, l->col, "password ignored: %s is "
			    "readable by group or others; run chmod 600 %s or "
			    "use password_cmd", p->path, p->path);
			return;
		}
		/* FALLTHROUGH */
	case CONF_STR:
		conf_set_str(a, k, l->value);
		l->value = NULL;
		break;
	case CONF_HOST:
		if ((v = conf_host_parse(l->value)) == NULL) {
			conf_diag(p, line, col, "bad host \"%s\"", l->value);
			return;
		}
		conf_set_str(a, k, v);
		break;
	case CONF_PORT:
		if (conf_uint_parse(l->value, 1, 65535, &u) != 0) {
			conf_diag(p, line, col, "bad port \"%s\": expected "
			    "1 to 65535", l->value);
			return;
		}
		a->port = u;
		break;
	case CONF_TIMEOUT:
		if (conf_uint_parse(l->value, 1, CONF_MAX_TIMEOUT, &u) != 0) {
			conf_diag(p, line, col, "bad timeout \"%s\": "
			    "expected 1 to %u seconds", l->value,
			    CONF_MAX_TIMEOUT);
			return;
		}
		a->timeout = u;
		break;
	case CONF_TLS:
		if (conf_tls_parse(l->value, &tls) != 0) {
			conf_diag(p, line, col, "bad tls value \"%s\": "
			    "expected imaps, starttls or none", l->value);
			return;
		}
		a->tls = tls;
		break;
	case CONF_BOOL:
		if (conf_bool_parse(l->value, &b) != 0) {
			conf_diag(p, line, col, "bad %s value \"%s\": expected "
			    "yes or no", k->name, l->value);
			return;
		}
		*(int *)(void *)((char *)a + k->off) = b;
		break;
	case CONF_MECHANISM:
		if (strcasecmp(l->value, "xoauth2") != 0 &&
		    strcasecmp(l->value, "oauthbearer") != 0) {
			conf_diag(p, line, col, "bad oauth2_mechanism \"%s\": "
			    "expected xoauth2 or oauthbearer", l->value);
			return;
		}
		for (v = l->value; *v != '\0'; v++)
			*v = (char)tolower((unsigned char)*v);
		conf_set_str(a, k, l->value);
		l->value = NULL;
		break;
	case CONF_FINGERPRINT:
		if ((v = conf_fingerprint_normalise(l->value)) == NULL) {
			conf_diag(p, line, col, "bad tls_fingerprint: expected "
			    "sha256: and 64 hex digits");
			return;
		}
		conf_set_str(a, k, v);
		break;
	case CONF_SENDER:
		if (!conf_sender_valid(l->value)) {
			conf_diag(p, line, col, "bad trusted_sender \"%s\": "
			    "expected user@domain or @domain", l->value);
			return;
		}
		account_add_sender(a, l->value);
		break;
	}
	if (k->kind != CONF_SENDER && p->key_lines[ki] != 0)
		conf_diag(p, line, l->col, "%s given twice (first at line %u): "
		    "this one is used", k->name, p->key_lines[ki]);
	p->key_lines[ki] = line;
	p->key_cols[ki] = l->col;
}

/* Reads at most CONF_MAX_SIZE bytes of fd; NULL when bigger or on error. */
static char *
conf_read_fd(int fd, size_t *len_out, int *errno_out)
{
	char	*data, *bigger;
	size_t	 len = 0, cap = 8192;
	ssize_t	 n;

	data = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap > CONF_MAX_SIZE) {
				*errno_out = EFBIG;
				explicit_bzero(data, len);
				free(data);
				return NULL;
			}
			/* Grow by copying: no secret left in freed memory. */
			bigger = xmalloc(cap * 2 + 1);
			memcpy(bigger, data, len);
			explicit_bzero(data, len);
			free(data);
			data = bigger;
			cap *= 2;
		}
		n = read(fd, data + len, cap - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*errno_out = errno;
			explicit_bzero(data, len);
			free(data);
			return NULL;
		}
		len += (size_t)n;
	}
	data[len] = '\0';
	*len_out = len;
	return data;
}

static void
conf_parse_text(struct conf_parse *p, const char *data, size_t len)
{
	struct conf_line	 l;
	size_t			 off = 0, ll;
	const char		*nl;
	int			 skipping = 0;

	/* A UTF-8 byte order mark is an editor's habit, not content. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	while (off < len) {
		nl = memchr(data + off, '\n', len - off);
		ll = nl != NULL ? (size_t)(nl - (data + off)) : len - off;
		p->line++;
		conf_line_parse(data + off, ll, &l);
		switch (l.type) {
		case CONF_LINE_BLANK:
			break;
		case CONF_LINE_ERROR:
			conf_diag(p, p->line, l.col, "%s", l.error);
			break;
		case CONF_LINE_SECTION:
			conf_do_section(p, &l);
			skipping = !p->in_account;
			break;
		case CONF_LINE_KEY:
			conf_do_key(p, &l, skipping);
			break;
		}
		conf_line_clear(&l);
		off += ll + (nl != NULL ? 1 : 0);
	}
	conf_end_section(p);
}

struct conf *
conf_load(const char *path, struct diag *d)
{
	struct conf		*c;
	struct conf_parse	 p;
	struct stat		 st;
	char			*data;
	size_t			 len;
	int			 fd, err = 0;

	c = xcalloc(1, sizeof *c);
	if (path == NULL)
		return c;
	memset(&p, 0, sizeof p);
	p.path = path;
	p.d = d;
	p.c = c;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno != ENOENT)
			conf_diag(&p, 0, 0, "%s", strerror(errno));
		return c;
	}
	/* The fd, not the name: the file checked is the file read. */
	if (fstat(fd, &st) != 0) {
		conf_diag(&p, 0, 0, "%s", strerror(errno));
		close(fd);
		return c;
	}
	if (!S_ISREG(st.st_mode)) {
		conf_diag(&p, 0, 0, "not a regular file");
		close(fd);
		return c;
	}
	/* Whoever can change the file can run commands as us (password_cmd)
	 * or send our password to their host: ssh refuses such files too. */
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		conf_diag(&p, 0, 0, "owned by another user, not loaded");
		close(fd);
		return c;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		conf_diag(&p, 0, 0, "writable by group or others, not loaded: "
		    "run chmod 600 %s", path);
		close(fd);
		return c;
	}
	p.readable = (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
	data = conf_read_fd(fd, &len, &err);
	close(fd);
	if (data == NULL) {
		if (err == EFBIG)
			conf_diag(&p, 0, 0, "larger than %u KB, not loaded",
			    CONF_MAX_SIZE >> 10);
		else
			conf_diag(&p, 0, 0, "%s", strerror(err));
		return c;
	}
	conf_parse_text(&p, data, len);
	explicit_bzero(data, len);
	free(data);
	free(p.sect_lines);
	return c;
}

void
conf_free(struct conf *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->naccounts; i++)
		account_clear(&c->accounts[i]);
	free(c->accounts);
	free(c);
}

const struct account *
conf_account(const struct conf *c, const char *name)
{
	size_t	 i;

	if (c == NULL || c->naccounts == 0)
		return NULL;
	for (i = 0; i < c->naccounts; i++) {
		if (name == NULL ? c->accounts[i].is_default :
		    strcmp(c->accounts[i].name, name) == 0)
			return &c->accounts[i];
	}
	return name == NULL ? &c->accounts[0] : NULL;
}

/* Percent-decodes s[0..len) (owned), or NULL on a bad escape or %00. */
static char *
conf_pct_decode(const char *s, size_t len)
{
	char	*out, *o;
	size_t	 i;
	int	 hi, lo;

	o = out = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (i + 2 >= len) {
			free(out);
			return NULL;
		}
		hi = sagi_hexval((unsigned char)s[i + 1]);
		lo = sagi_hexval((unsigned char)s[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		*o++ = (char)(hi << 4 | lo);
		i += 2;
	}
	*o = '\0';
	return out;
}

static int
conf_url_host_char(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c >= 0x80;
}

int
account_from_url(const char *url, struct account *out, char **folder_out,
    char **cause)
{
	const char		*p, *auth, *auth_end, *at, *h, *h_end, *port_s;
	char			*user = NULL, *host = NULL, *folder = NULL;
	char			*ps;
	unsigned int		 port = 0;
	enum account_tls	 tls;
	struct in6_addr		 a6;
	size_t			 i;

	if (url == NULL || *url == '\0') {
		*cause = xstrdup("empty url");
		return -1;
	}
	if (strncasecmp(url, "imaps://", 8) == 0) {
		tls = ACCOUNT_TLS_IMAPS;
		p = url + 8;
	} else if (strncasecmp(url, "imap://", 7) == 0) {
		tls = ACCOUNT_TLS_STARTTLS;
		p = url + 7;
	} else {
		*cause = xstrdup("url must start with imaps:// or imap://");
		return -1;
	}
	if (strpbrk(p, "?#") != NULL) {
		*cause = xstrdup("url has a query or fragment (? or #); encode "
		    "them in a folder name as %3F and %23");
		return -1;
	}
	auth = p;
	auth_end = auth + strcspn(auth, "/");
	/* The last '@' ends the user part: "me@example.jp@imap.example.jp". */
	at = NULL;
	for (h = auth; h < auth_end; h++) {
		if (*h == '@')
			at = h;
	}
	h = auth;
	if (at != NULL) {
		if (memchr(auth, ':', (size_t)(at - auth)) != NULL) {
			*cause = xstrdup("url holds a password, which other "
			    "users could see in ps: use password_cmd instead");
			return -1;
		}
		if (memchr(auth, ';', (size_t)(at - auth)) != NULL) {
			*cause = xstrdup("url has ;AUTH= or another ; "
			    "parameter in the user part, not supported");
			return -1;
		}
		if (at == auth) {
			*cause = xstrdup("url has an empty user before @");
			return -1;
		}
		user = conf_pct_decode(auth, (size_t)(at - auth));
		if (user == NULL) {
			*cause = xstrdup("bad percent escape in the url's "
			    "user");
			return -1;
		}
		h = at + 1;
	}
	if (*h == '[') {
		if ((h_end = memchr(h, ']', (size_t)(auth_end - h))) == NULL) {
			*cause = xstrdup("url has [ without ] around an IPv6 "
			    "address");
			goto fail;
		}
		host = xstrndup(h + 1, (size_t)(h_end - h - 1));
		if (inet_pton(AF_INET6, host, &a6) != 1) {
			*cause = xasprintf("bad IPv6 address \"%s\" in url",
			    host);
			goto fail;
		}
		port_s = h_end + 1;
		if (port_s < auth_end && *port_s != ':') {
			*cause = xstrdup("url has text after ] of the IPv6 "
			    "address");
			goto fail;
		}
	} else {
		h_end = h + strcspn(h, ":/");
		if (h_end > auth_end)
			h_end = auth_end;
		for (i = 0; h + i < h_end; i++) {
			if (!conf_url_host_char((unsigned char)h[i])) {
				*cause = xstrdup("bad character in the url's "
				    "host");
				goto fail;
			}
		}
		host = xstrndup(h, (size_t)(h_end - h));
		port_s = h_end;
	}
	if (*host == '\0') {
		*cause = xstrdup("url has no host");
		goto fail;
	}
	if (port_s < auth_end) {
		ps = xstrndup(port_s + 1, (size_t)(auth_end - port_s - 1));
		if (conf_uint_parse(ps, 1, 65535, &port) != 0) {
			*cause = xasprintf("bad port \"%s\" in url: expected 1 "
			    "to 65535", ps);
			free(ps);
			goto fail;
		}
		free(ps);
	}
	if (*auth_end == '/' && auth_end[1] != '\0') {
		folder = conf_pct_decode(auth_end + 1, strlen(auth_end + 1));
		if (folder == NULL) {
			*cause = xstrdup("bad percent escape in the url's "
			    "folder");
			goto fail;
		}
	}

	free(out->host);
	out->host = host;
	out->tls = tls;
	if (port != 0)
		out->port = port;
	if (user != NULL) {
		free(out->user);
		out->user = user;
	}
	if (folder_out != NULL)
		*folder_out = folder;
	else
		free(folder);
	return 0;

fail:
	free(user);
	free(host);
	free(folder);
	return -1;
}

int
account_check(const struct account *a, char **cause)
{
	char	*fp;

	if (a->maildir != NULL && *a->maildir != '\0')
		return 0;
	if (a->host == NULL || *a->host == '\0') {
		*cause = xstrdup("no host: set host (or maildir) in the "
		    "account, or use --host");
		return -1;
	}
	if (a->port > 65535) {
		*cause = xasprintf("port %u out of range: expected 1 to 65535",
		    a->port);
		return -1;
	}
	if (a->timeout < 1 || a->timeout > CONF_MAX_TIMEOUT) {
		*cause = xasprintf("timeout %u out of range: expected 1 to %u "
		    "seconds", a->timeout, CONF_MAX_TIMEOUT);
		return -1;
	}
	if (a->tls_fingerprint != NULL) {
		fp = conf_fingerprint_normalise(a->tls_fingerprint);
		if (fp == NULL) {
			*cause = xstrdup("bad tls fingerprint: expected "
			    "sha256: and 64 hex digits");
			return -1;
		}
		free(fp);
	}
	if (a->oauth2_mechanism != NULL &&
	    strcasecmp(a->oauth2_mechanism, "xoauth2") != 0 &&
	    strcasecmp(a->oauth2_mechanism, "oauthbearer") != 0) {
		*cause = xasprintf("bad oauth2 mechanism \"%s\": expected "
		    "xoauth2 or oauthbearer", a->oauth2_mechanism);
		return -1;
	}
	if (a->tls == ACCOUNT_TLS_NONE && !a->allow_plaintext) {
		if (conf_is_loopback(a->host))
			*cause = xasprintf("tls none to the loopback host %s "
			    "needs allow_plaintext = yes in the account or "
			    "--insecure-plaintext", a->host);
		else
			*cause = xasprintf("tls none would send the password "
			    "in clear text over the network to %s: use tls "
			    "imaps or starttls, or if you really mean it, "
			    "allow_plaintext = yes in the account or "
			    "--insecure-plaintext", a->host);
		return -1;
	}
	return 0;
}

/* The value as a config line would read it back. */
static char *
conf_quote(const char *v)
{
	struct buf	 b;

	if (strpbrk(v, "#\"\\") == NULL && !conf_is_blank(v[0]) &&
	    !conf_is_blank(v[strlen(v) - 1]))
		return xstrdup(v);
	buf_init(&b);
	buf_addc(&b, '"');
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, *v);
	}
	buf_addc(&b, '"');
	return buf_take(&b);
}

/* Directory part of path, "." when it has none. */
static char *
conf_dirname(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Writes data to a temporary file next to path, then renames it over. */
static int
conf_write_atomic(const char *path, const char *data, size_t len, mode_t mode,
    char **cause)
{
	char	*tmp, *dir;
	size_t	 off = 0;
	ssize_t	 n;
	int	 fd, dfd;

	tmp = xasprintf("%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	free(tmp);
	/* The rename itself is only durable once the directory is synced. */
	dir = conf_dirname(path);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);
	return 0;

fail:
	*cause = xasprintf("%s: %s", tmp, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int
conf_add_trusted_sender(const char *path, const char *account,
    const char *sender, char **cause)
{
	struct conf_line	 l;
	struct stat		 st;
	struct buf		 out;
	char			*real = NULL, *data = NULL, *q, *dir;
	const char		*nl, *eol = "\n";
	size_t			 len = 0, off, ll, insert_at = 0;
	mode_t			 mode = 0600;
	int			 fd, err = 0, in_target = 0, found = 0, rc;

	if (path == NULL || *path == '\0') {
		*cause = xstrdup("no configuration file");
		return -1;
	}
	if (!conf_name_valid(account)) {
		*cause = xasprintf("bad account name \"%s\"", account == NULL ?
		    "" : account);
		return -1;
	}
	if (!conf_sender_valid(sender)) {
		*cause = xasprintf("bad trusted sender \"%s\": expected "
		    "user@domain or @domain", sender == NULL ? "" : sender);
		return -1;
	}
	if ((real = realpath(path, NULL)) == NULL) {
		if (errno != ENOENT) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
			return -1;
		}
		real = xstrdup(path);
		dir = conf_dirname(real);
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			*cause = xasprintf("%s: %s", dir, strerror(errno));
			free(dir);
			free(real);
			return -1;
		}
		free(dir);
	} else {
		if ((fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1 ||
		    fstat(fd, &st) != 0) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
			if (fd != -1)
				close(fd);
			free(real);
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			*cause = xasprintf("%s: not a regular file", path);
			close(fd);
			free(real);
			return -1;
		}
		mode = st.st_mode & 07777;
		data = conf_read_fd(fd, &len, &err);
		close(fd);
		if (data == NULL) {
			*cause = xasprintf("%s: %s", path, err == EFBIG ?
			    "file too large" : strerror(err));
			free(real);
			return -1;
		}
	}

	off = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	while (off < len) {
		nl = memchr(data + off, '\n', len - off);
		ll = nl != NULL ? (size_t)(nl - (data + off)) : len - off;
		if (ll > 0 && data[off + ll - 1] == '\r' && nl != NULL)
			eol = "\r\n";
		conf_line_parse(data + off, ll, &l);
		if (l.type == CONF_LINE_SECTION) {
			if (in_target)
				in_target = 0;
			else if (!found && strcmp(l.word, "account") == 0 &&
			    strcmp(l.name, account) == 0) {
				in_target = found = 1;
				insert_at = off + ll + (nl != NULL ? 1 : 0);
			}
		} else if (l.type == CONF_LINE_KEY && in_target) {
			insert_at = off + ll + (nl != NULL ? 1 : 0);
			if (strcmp(l.key, "trusted_sender") == 0 &&
			    l.value != NULL &&
			    strcasecmp(l.value, sender) == 0) {
				conf_line_clear(&l);
				explicit_bzero(data, len);
				free(data);
				free(real);
				return 0;
			}
		}
		conf_line_clear(&l);
		off += ll + (nl != NULL ? 1 : 0);
	}

	q = conf_quote(sender);
	buf_init(&out);
	if (found) {
		buf_add(&out, data, insert_at);
		if (insert_at > 0 && data[insert_at - 1] != '\n')
			buf_adds(&out, eol);
		buf_printf(&out, "trusted_sender = %s%s", q, eol);
		buf_add(&out, data + insert_at, len - insert_at);
	} else {
		if (len > 0) {
			buf_add(&out, data, len);
			if (data[len - 1] != '\n')
				buf_adds(&out, eol);
			buf_adds(&out, eol);
		}
		buf_printf(&out, "[account %s]%strusted_sender = %s%s", account,
		    eol, q, eol);
	}
	free(q);
	rc = conf_write_atomic(real, out.data, out.len, mode, cause);
	explicit_bzero(out.data, out.len);
	buf_free(&out);
	if (data != NULL) {
		explicit_bzero(data, len);
		free(data);
	}
	free(real);
	return rc;
}
