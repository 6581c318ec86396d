/* SPDX-License-Identifier: ISC */
/*
 * URL and host facts: parse an href or a bit of link text, compute its
 * registrable domain (libpsl), IDN forms (libidn2), IP literal forms, and
 * defang it for display.  Knows nothing of HTML or of brands.
 */
#ifndef URL_H
#define URL_H

#include <stddef.h>

struct url_ctx;

struct url {
	char		*scheme;	/* lower-case, "" when absent (bare host text) */
	char		*userinfo;	/* NULL when absent */
	char		*host;		/* lower-case ASCII (A-labels); IP literal in dotted form */
	char		*host_unicode;	/* U-labels for display; same as host when ASCII */
	char		*regdom;	/* registrable domain (eTLD+1), NULL for IPs or no suffix */
	char		*rest;		/* path, query and fragment, "" when none */
	int		 port;		/* -1 when absent */
	unsigned int	 flags;
#define URL_IP		0x01	/* host is an IPv4 or IPv6 literal */
#define URL_IP_OBFUSCATED 0x02	/* IPv4 written in decimal, hex, octal or short form */
#define URL_IP_PRIVATE	0x04	/* loopback, RFC 1918, link-local */
#define URL_USERINFO	0x08	/* "user@" before the host */
#define URL_IDN		0x10	/* host has an xn-- label or non-ASCII characters */
#define URL_IDN_MIXED	0x20	/* a U-label mixes scripts (Latin with Cyrillic/Greek…) */
#define URL_BACKSLASH	0x40	/* backslashes in the authority, browsers read them as '/' */
};

/* Loads the public suffix list (system file, else libpsl's built-in data).
 * Returns NULL and sets *cause (owned) on failure.  Threads may share one
 * context: it remembers registrable domains it looked up, under a lock. */
struct url_ctx	*url_ctx_new(char **cause);
void		 url_ctx_free(struct url_ctx *ctx);

/*
 * Parses an absolute URL (http, https, ftp, and scheme-less "//host").
 * Returns 0 and fills *out (release with url_clear), or -1 when s is not a
 * URL with a host (mailto:, tel:, relative paths, javascript:).
 */
int		 url_parse(const struct url_ctx *ctx, const char *s, struct url *out);

/*
 * Parses visible link text that *looks like* a URL or host: "https://…",
 * "www.amazon.co.jp", "amazon.co.jp/login", "<https://…>".  Bare hosts need
 * a known public suffix.  Returns 0 and fills *out, or -1 when the text is
 * not a URL or host (e.g. "ログイン", "here", "1.5").
 */
int		 url_parse_text(const struct url_ctx *ctx, const char *text,
		     struct url *out);

void		 url_clear(struct url *u);

/* Registrable domain of an ASCII host, owned; NULL for IPs/unknown. */
char		*url_regdom(const struct url_ctx *ctx, const char *host);

/* Defanged copy for display: "hxxps://evil[.]example/…".  Owned. */
char		*url_defang(const char *url);

/* 1 when s contains defanged URL notation (hxxp, [.], (.), [:]//, ●●●●). */
int		 url_text_is_defanged(const char *s);

/*
 * Finds URLs (http://, https://, www.) in plain text and calls fn for each
 * with a pointer into text and its byte length.  Trailing punctuation and
 * Japanese closing brackets are not part of the URL.  Returns the count.
 */
typedef void	(*url_found_fn)(void *arg, const char *s, size_t len);
size_t		 url_scan_text(const char *text, size_t len, url_found_fn fn,
		     void *arg);

#endif
