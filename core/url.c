/* SPDX-License-Identifier: ISC */
/*
 * URL and host facts for links in mail: a browser-compatible split of an
 * href (the WHATWG quirks attackers rely on), registrable domain (libpsl),
 * IDN forms (libidn2), IPv4 in every form a browser accepts, defanging for
 * display and URL spotting in plain text.  Knows nothing of HTML or brands.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <idn2.h>
#include <libpsl.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "buf.h"
#include "url.h"
#include "xalloc.h"

/*
 * Registrable domains already looked up, in slots chosen by a hash of the
 * host.  A libpsl lookup costs some ten thousand instructions, and a mail
 * names the same few hosts again and again (every link of a newsletter,
 * the sender, its images), as do the mails of one mailbox.  Scan threads
 * share the context, hence the lock; a slot holds one host, the last one
 * looked up there, so memory stays bounded whatever the mail.
 */
#define URL_MEMO_SLOTS		256
#define URL_MEMO_HOST_MAX	255	/* longer hosts are not remembered */

struct url_memo {
	pthread_mutex_t	 lock;
	struct {
		char	*host;		/* owned; NULL while the slot is empty */
		char	*regdom;	/* owned; NULL when the host has none */
	} slot[URL_MEMO_SLOTS];
};

struct url_ctx {
	const psl_ctx_t	*psl;		/* the list in use */
	psl_ctx_t	*owned;		/* psl_latest's result, psl_free'd */
	struct url_memo	*memo;		/* owned; written through a const ctx */
};

/* Longest link text url_parse_text looks at: a URL shown as text is short. */
#define URL_TEXT_MAX		4096

/* url_scan_text stops reporting after this many URLs. */
#define URL_SCAN_MAX		100000

#ifdef __SSE2__
/* Which of the sixteen bytes of v are c: 0xff where so, else 0. */
static inline __m128i
url_eq16(__m128i v, char c)
{
	return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}
#endif

/*
 * Host bytes a browser refuses (after percent-decoding): C0 controls, DEL
 * and the characters WHATWG forbids, " #%/:<>?@[\\]^|".  A table, as every
 * byte of every host is looked up.
 */
static const unsigned char url_host_refused[256] = {
	[0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
	[0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1,
	[0x0d] = 1, [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1,
	[0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1,
	[0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1,
	[0x1f] = 1, [0x7f] = 1,
	[' '] = 1, ['#'] = 1, ['%'] = 1, ['/'] = 1, [':'] = 1, ['<'] = 1,
	['>'] = 1, ['?'] = 1, ['@'] = 1, ['['] = 1, ['\\'] = 1, [']'] = 1,
	['^'] = 1, ['|'] = 1,
};

static int
url_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
url_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
url_is_alnum(int c)
{
	return url_is_alpha(c) || url_is_digit(c);
}

static int
url_lower(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	return c;
}

static int
url_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = url_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Case-insensitive ASCII prefix test. */
static int
url_has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t	 i, n;

	n = strlen(prefix);
	if (len < n)
		return 0;
	for (i = 0; i < n; i++) {
		if (url_lower((unsigned char)s[i]) != prefix[i])
			return 0;
	}
	return 1;
}

struct url_ctx *
url_ctx_new(char **cause)
{
	struct url_ctx	*ctx;

	ctx = xcalloc(1, sizeof *ctx);

	/*
	 * psl_latest(NULL) loads the newer of the distribution's list
	 * (Debian's publicsuffix package) and libpsl's built-in data; it
	 * returns the built-in context itself when that is newer, and
	 * psl_free ignores the built-in context, so freeing is always safe.
	 */
	ctx->owned = psl_latest(NULL);
	if (ctx->owned != NULL)
		ctx->psl = ctx->owned;
	else
		ctx->psl = psl_builtin();
	if (ctx->psl == NULL) {
		free(ctx);
		if (cause != NULL)
			*cause = xstrdup("no public suffix list: neither the "
			    "system list nor libpsl's built-in data is usable");
		return NULL;
	}
	ctx->memo = xcalloc(1, sizeof *ctx->memo);
	pthread_mutex_init(&ctx->memo->lock, NULL);
	return ctx;
}

void
url_ctx_free(struct url_ctx *ctx)
{
	size_t	 i;

	if (ctx == NULL)
		return;
	for (i = 0; i < URL_MEMO_SLOTS; i++) {
		free(ctx->memo->slot[i].host);
		free(ctx->memo->slot[i].regdom);
	}
	pthread_mutex_destroy(&ctx->memo->lock);
	free(ctx->memo);
	psl_free(ctx->owned);
	free(ctx);
}

void
url_clear(struct url *u)
{
	if (u == NULL)
		return;
	free(u->scheme);
	free(u->userinfo);
	free(u->host);
	free(u->host_unicode);
	free(u->regdom);
	free(u->rest);
	memset(u, 0, sizeof *u);
	u->port = -1;
}

/*
 * Browser clean-up of an href before parsing (WHATWG URL "basic URL
 * parser"): C0 controls and spaces are stripped from both ends, and tabs
 * and newlines anywhere inside are removed, so "ht\ttp://ev\nil.example"
 * is http://evil.example to the browser and must be to us.  Owned.
 */
static char *
url_clean(const char *s)
{
	const unsigned char	*b, *e;
	char			*out, *o;
	size_t			 n;

	b = (const unsigned char *)s;
	e = b + strlen(s);
	while (b < e && *b <= 0x20)
		b++;
	while (e > b && e[-1] <= 0x20)
		e--;
	out = o = xmalloc((size_t)(e - b) + 1);
	/* Runs between tabs and newlines are copied whole: hrefs are long
	 * (tracking query strings) and seldom hold one. */
	while (b < e) {
		n = strcspn((const char *)b, "\t\n\r");
		if (n > (size_t)(e - b))
			n = (size_t)(e - b);
		memcpy(o, b, n);
		o += n;
		b += n;
		if (b < e)
			b++;		/* the tab or newline */
	}
	*o = '\0';
	return out;
}

/*
 * One WHATWG IPv4 "number": 0x-prefixed hex, 0-prefixed octal or decimal.
 * Sets *plain when written as plain decimal.  -1 when not a number or
 * above 2^32 (no part of an address can be larger).
 */
static int
url_ipv4_number(const char *s, size_t len, uint64_t *out, int *plain)
{
	uint64_t	 v = 0;
	unsigned int	 base = 10;
	size_t		 i = 0;
	int		 d;

	*plain = 0;
	if (len == 0)
		return -1;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (len >= 2 && s[0] == '0') {
		base = 8;
		i = 1;
	} else
		*plain = 1;
	for (; i < len; i++) {
		d = url_hexval((unsigned char)s[i]);
		if (d < 0 || (unsigned int)d >= base)
			return -1;
		v = v * base + (unsigned int)d;
		if (v > 0xffffffffULL)
			return -1;
	}
	*out = v;
	return 0;
}

/*
 * WHATWG "ends in a number": the last label is all digits or parses as
 * an IPv4 number (so "0x1f" counts).  Such a host must be an IPv4 address
 * or the browser refuses it.
 */
static int
url_ends_in_number(const char *host)
{
	const char	*last;
	uint64_t	 v;
	int		 plain;
	size_t		 i, len;

	last = strrchr(host, '.');
	last = (last == NULL) ? host : last + 1;
	len = strlen(last);
	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (!url_is_digit((unsigned char)last[i]))
			break;
	}
	if (i == len)
		return 1;
	return url_ipv4_number(last, len, &v, &plain) == 0;
}

/*
 * WHATWG IPv4 parser: one to four parts, each decimal, octal or hex, the
 * last filling the remaining bytes ("127.1" is 127.0.0.1, "3627734734" is
 * 216.58.213.206).  Writes the address; *obfuscated when not the plain
 * four-part dotted-decimal form.  -1 when not a valid address.
 */
static int
url_ipv4_parse(const char *host, uint32_t *addr, int *obfuscated)
{
	uint64_t	 part[4], v;
	const char	*p, *dot;
	size_t		 n = 0, i;
	int		 plain, allplain = 1;

	p = host;
	for (;;) {
		dot = strchr(p, '.');
		if (n == 4)
			return -1;
		if (url_ipv4_number(p, dot != NULL ? (size_t)(dot - p) :
		    strlen(p), &part[n], &plain) != 0)
			return -1;
		if (!plain)
			allplain = 0;
		n++;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	for (i = 0; i + 1 < n; i++) {
		if (part[i] > 255)
			return -1;
	}
	if (part[n - 1] >= (1ULL << (8 * (5 - n))))
		return -1;
	v = part[n - 1];
	for (i = 0; i + 1 < n; i++)
		v += part[i] << (8 * (3 - i));
	*addr = (uint32_t)v;
	*obfuscated = !(n == 4 && allplain);
	return 0;
}

/*
 * Addresses a phisher cannot serve the world from: loopback, RFC 1918,
 * link-local, and 0/8 ("this network", which Linux browsers treat as
 * loopback).
 */
static int
url_ipv4_private(uint32_t a)
{
	return ((a >> 24) == 127 || (a >> 24) == 10 || (a >> 24) == 0 ||
	    (a >> 20) == ((172U << 4) | 1) ||
	    (a >> 16) == ((192U << 8) | 168) ||
	    (a >> 16) == ((169U << 8) | 254));
}

static int
url_ipv6_private(const struct in6_addr *a)
{
	const unsigned char	*b = a->s6_addr;
	static const unsigned char loopback[16] = { [15] = 1 };
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	uint32_t		 v4;

	if (memcmp(b, loopback, 16) == 0)
		return 1;
	if ((b[0] & 0xfe) == 0xfc)		/* fc00::/7 unique local */
		return 1;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)	/* fe80::/10 */
		return 1;
	if (memcmp(b, mapped, 12) == 0) {	/* ::ffff:a.b.c.d */
		v4 = ((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) |
		    ((uint32_t)b[14] << 8) | b[15];
		return url_ipv4_private(v4);
	}
	return 0;
}

/*
 * Percent-decodes a host in place (WHATWG decodes before IDNA, so
 * "%65vil.example" is evil.example).  Invalid escapes are left as '%',
 * which the forbidden-character check then rejects, as browsers do.
 */
static void
url_pct_decode(char *s)
{
	char	*r, *w;
	int	 hi, lo;

	for (r = w = s; *r != '\0'; r++) {
		if (r[0] == '%' &&
		    (hi = url_hexval((unsigned char)r[1])) >= 0 &&
		    (lo = url_hexval((unsigned char)r[2])) >= 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 2;
		} else
			*w++ = *r;
	}
	*w = '\0';
}

static int
url_is_ascii(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return 0;
	}
	return 1;
}

static void
url_strip_trailing_dots(char *s)
{
	size_t	 len = strlen(s);

	while (len > 0 && s[len - 1] == '.')
		s[--len] = '\0';
}

/*
 * Latin-lookalike Cyrillic letters (lower case, as IDNA maps them): a
 * label spelt only with these ("раураl" minus the l) reads as Latin
 * although it holds no Latin letter.  Chrome's whole-script confusable
 * check uses the same idea.
 */
static int
url_cyrillic_lookalike(UChar32 c)
{
	static const UChar32 set[] = {
		0x0430, 0x0441, 0x0501, 0x0435, 0x04bb, 0x0456, 0x0458,
		0x04cf, 0x043e, 0x0440, 0x051b, 0x0455, 0x051d, 0x0445,
		0x0443, 0x0475, 0x0461, 0x04af, 0x044c, 0x0433, 0x043f,
	};
	size_t	 i;

	for (i = 0; i < sizeof set / sizeof set[0]; i++) {
		if (set[i] == c)
			return 1;
	}
	return 0;
}

/*
 * 1 when a label of the Unicode host mixes Latin with Cyrillic, Greek or
 * Armenian (or two of those), or is spelt wholly with Latin-lookalike
 * Cyrillic under an ASCII top-level domain.  Han, Hiragana and Katakana
 * next to Latin are not mixing here: Japanese IDNs are legitimate.
 */
static int
url_host_mixed(const char *uhost)
{
	const uint8_t	*s = (const uint8_t *)uhost;
	const char	*tld;
	int32_t		 i = 0, len;
	UChar32		 c;
	UErrorCode	 ec;
	UScriptCode	 sc;
	unsigned int	 seen = 0, nletters = 0, nlook = 0, n;
	int		 ascii_tld;

	tld = strrchr(uhost, '.');
	ascii_tld = (tld != NULL && url_is_ascii(tld));
	len = (int32_t)strlen(uhost);
	for (;;) {
		if (i >= len || s[i] == '.') {
			n = ((seen & 1) != 0) + ((seen & 2) != 0) +
			    ((seen & 4) != 0) + ((seen & 8) != 0);
			if (n >= 2)
				return 1;
			if (ascii_tld && i < len && nletters > 0 &&
			    nletters == nlook)
				return 1;
			if (i >= len)
				break;
			seen = nletters = nlook = 0;
			i++;
			continue;
		}
		U8_NEXT(s, i, len, c);
		if (c < 0)
			continue;
		ec = U_ZERO_ERROR;
		sc = uscript_getScript(c, &ec);
		if (U_FAILURE(ec))
			continue;
		if (sc == USCRIPT_COMMON || sc == USCRIPT_INHERITED)
			continue;
		nletters++;
		switch (sc) {
		case USCRIPT_LATIN:
			seen |= 1;
			break;
		case USCRIPT_CYRILLIC:
			seen |= 2;
			if (url_cyrillic_lookalike(c))
				nlook++;
			break;
		case USCRIPT_GREEK:
			seen |= 4;
			break;
		case USCRIPT_ARMENIAN:
			seen |= 8;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Lower-cases ASCII in place. */
static void
url_lower_str(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)url_lower((unsigned char)*s);
}

/*
 * Turns the raw host into its A-label form and sets the IP and IDN facts.
 * Returns the owned host, or NULL when a browser would refuse it.
 */
static char *
url_host_parse(char *raw, unsigned int *flags)
{
	char		*host = NULL, *p;
	uint8_t		*a = NULL;
	struct in6_addr	 a6;
	char		 text[INET6_ADDRSTRLEN];
	uint32_t	 v4;
	int		 obf, rc;

	if (raw[0] == '[') {
		p = strchr(raw, ']');
		if (p == NULL || p[1] != '\0')
			return NULL;
		*p = '\0';
		if (inet_pton(AF_INET6, raw + 1, &a6) != 1 ||
		    inet_ntop(AF_INET6, &a6, text, sizeof text) == NULL)
			return NULL;
		*flags |= URL_IP;
		if (url_ipv6_private(&a6))
			*flags |= URL_IP_PRIVATE;
		return xstrdup(text);
	}

	url_pct_decode(raw);
	for (p = raw; *p != '\0'; p++) {
		if (url_host_refused[(unsigned char)*p])
			return NULL;
	}
	url_strip_trailing_dots(raw);
	if (*raw == '\0')
		return NULL;

	if (url_is_ascii(raw)) {
		host = xstrdup(raw);
		url_lower_str(host);
	} else {
		/*
		 * IDNA2008 with UTS #46 non-transitional mapping, as current
		 * browsers do (ß stays ß); the transitional form is only a
		 * fallback for labels non-transitional processing refuses.
		 * The mapping also folds full-width letters and "。".
		 */
		rc = idn2_lookup_u8((const uint8_t *)raw, &a,
		    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
		if (rc != IDN2_OK) {
			free(a);
			a = NULL;
			rc = idn2_lookup_u8((const uint8_t *)raw, &a,
			    IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
		}
		if (rc != IDN2_OK || a == NULL) {
			free(a);
			return NULL;
		}
		host = xstrdup((const char *)a);
		free(a);
		url_lower_str(host);
		url_strip_trailing_dots(host);
		if (*host == '\0') {
			free(host);
			return NULL;
		}
	}

	if (url_ends_in_number(host)) {
		if (url_ipv4_parse(host, &v4, &obf) != 0) {
			free(host);
			return NULL;
		}
		free(host);
		host = xasprintf("%u.%u.%u.%u", v4 >> 24, (v4 >> 16) & 0xff,
		    (v4 >> 8) & 0xff, v4 & 0xff);
		*flags |= URL_IP;
		if (obf)
			*flags |= URL_IP_OBFUSCATED;
		if (url_ipv4_private(v4))
			*flags |= URL_IP_PRIVATE;
	}
	return host;
}

/* True when some label of an ASCII host starts with "xn--". */
static int
url_has_xn_label(const char *host)
{
	const char	*p = host;

	for (;;) {
		if (strncmp(p, "xn--", 4) == 0)
			return 1;
		p = strchr(p, '.');
		if (p == NULL)
			return 0;
		p++;
	}
}

/*
 * psl_registrable_domain of the lower-case host h through the memo (see
 * struct url_memo).  Returns an owned copy or NULL.
 */
static char *
url_psl_regdom(const struct url_ctx *ctx, const char *h)
{
	struct url_memo	*mm = ctx->memo;
	const char	*r;
	const char	*c;
	char		*out = NULL;
	uint32_t	 hash = 2166136261u;
	size_t		 slot;
	int		 hit = 0;

	if (strlen(h) > URL_MEMO_HOST_MAX) {
		r = psl_registrable_domain(ctx->psl, h);
		return r != NULL ? xstrdup(r) : NULL;
	}
	for (c = h; *c != '\0'; c++)
		hash = (hash ^ (unsigned char)*c) * 16777619u;
	slot = hash % URL_MEMO_SLOTS;
	pthread_mutex_lock(&mm->lock);
	if (mm->slot[slot].host != NULL && strcmp(mm->slot[slot].host, h) == 0) {
		hit = 1;
		if (mm->slot[slot].regdom != NULL)
			out = xstrdup(mm->slot[slot].regdom);
	}
	pthread_mutex_unlock(&mm->lock);
	if (hit)
		return out;

	r = psl_registrable_domain(ctx->psl, h);
	if (r != NULL)
		out = xstrdup(r);
	pthread_mutex_lock(&mm->lock);
	free(mm->slot[slot].host);
	free(mm->slot[slot].regdom);
	mm->slot[slot].host = xstrdup(h);
	mm->slot[slot].regdom = out != NULL ? xstrdup(out) : NULL;
	pthread_mutex_unlock(&mm->lock);
	return out;
}

char *
url_regdom(const struct url_ctx *ctx, const char *host)
{
	char		*h, *out = NULL;
	uint32_t	 v4;
	int		 obf;

	if (ctx == NULL || host == NULL || *host == '\0' ||
	    strchr(host, ':') != NULL)
		return NULL;
	h = xstrdup(host);
	url_lower_str(h);
	url_strip_trailing_dots(h);
	if (*h != '\0' && !(url_ends_in_number(h) &&
	    url_ipv4_parse(h, &v4, &obf) == 0)) {
		/*
		 * libpsl applies the "*" prevailing rule, so a host under a
		 * top-level domain the list does not know ("evil.example")
		 * still has a registrable domain: the browser treats it so.
		 * Private suffixes (duckdns.org, workers.dev, github.io)
		 * count, which gives "x.duckdns.org": each customer's own.
		 */
		out = url_psl_regdom(ctx, h);
	}
	free(h);
	return out;
}

/*
 * Splits the authority "userinfo@host:port" (already cut out of the URL)
 * into out.  Returns -1 when the host is empty or refused.
 */
static int
url_authority(const struct url_ctx *ctx, const char *auth, size_t alen,
    struct url *out)
{
	char		*a, *at, *hostpart, *colon, *close, *u = NULL;
	long		 port = -1;
	size_t		 i;

	a = xstrndup(auth, alen);

	/* Browsers split at the last '@': "a@b@evil.example" is evil. */
	at = strrchr(a, '@');
	if (at != NULL) {
		*at = '\0';
		out->userinfo = xstrdup(a);
		out->flags |= URL_USERINFO;
		hostpart = at + 1;
	} else
		hostpart = a;

	if (hostpart[0] == '[') {
		close = strchr(hostpart, ']');
		colon = (close != NULL && close[1] == ':') ? close + 1 : NULL;
		if (close != NULL && close[1] != '\0' && colon == NULL)
			goto fail;
	} else
		colon = strrchr(hostpart, ':');
	if (colon != NULL) {
		*colon = '\0';
		if (colon[1] != '\0') {
			port = 0;
			for (i = 1; colon[i] != '\0'; i++) {
				if (!url_is_digit((unsigned char)colon[i]))
					goto fail;
				port = port * 10 + (colon[i] - '0');
				if (port > 65535)
					goto fail;
			}
		}
	}

	u = url_host_parse(hostpart, &out->flags);
	if (u == NULL)
		goto fail;
	out->host = u;
	out->port = (int)port;
	if (out->flags & URL_IP)
		out->host_unicode = xstrdup(u);
	else {
		if (!url_is_ascii(hostpart) || url_has_xn_label(u))
			out->flags |= URL_IDN;
		out->host_unicode = NULL;
		if (out->flags & URL_IDN) {
			if (idn2_to_unicode_8z8z(u, &out->host_unicode, 0) !=
			    IDN2_OK) {
				free(out->host_unicode);
				out->host_unicode = NULL;
			}
		}
		if (out->host_unicode == NULL)
			out->host_unicode = xstrdup(u);
		if ((out->flags & URL_IDN) && url_host_mixed(out->host_unicode))
			out->flags |= URL_IDN_MIXED;
		out->regdom = url_regdom(ctx, u);
	}
	free(a);
	return 0;

fail:
	free(a);
	return -1;
}

int
url_parse(const struct url_ctx *ctx, const char *s, struct url *out)
{
	char		*c, *p, *scheme;
	size_t		 i, alen;

	memset(out, 0, sizeof *out);
	out->port = -1;
	if (ctx == NULL || s == NULL)
		return -1;

	c = url_clean(s);
	p = c;
	if ((p[0] == '/' || p[0] == '\\') && (p[1] == '/' || p[1] == '\\'))
		scheme = xstrdup("");
	else {
		for (i = 0; url_is_alnum((unsigned char)p[i]) ||
		    p[i] == '+' || p[i] == '-' || p[i] == '.'; i++)
			;
		if (i == 0 || p[i] != ':' || !url_is_alpha((unsigned char)p[0]))
			goto fail;
		scheme = xstrndup(p, i);
		url_lower_str(scheme);
		if (strcmp(scheme, "http") != 0 &&
		    strcmp(scheme, "https") != 0 &&
		    strcmp(scheme, "ftp") != 0) {
			free(scheme);
			goto fail;
		}
		p += i + 1;
	}
	out->scheme = scheme;

	/*
	 * For special schemes browsers skip any run of '/' and '\' before
	 * the authority ("https:\\evil.example", "https:evil.example",
	 * "https:///evil.example" all reach evil.example).
	 */
	while (*p == '/' || *p == '\\') {
		if (*p == '\\')
			out->flags |= URL_BACKSLASH;
		p++;
	}
	alen = strcspn(p, "/\\?#");
	if (p[alen] == '\\')
		out->flags |= URL_BACKSLASH;
	if (url_authority(ctx, p, alen, out) != 0)
		goto fail;
	out->rest = xstrdup(p + alen);
	free(c);
	return 0;

fail:
	free(c);
	url_clear(out);
	return -1;
}

/* buf_take re-initialises the buffer, so release that fresh one too. */
static char *
url_buf_finish(struct buf *b)
{
	char	*s;

	s = buf_take(b);
	buf_free(b);
	return s;
}

/*
 * Folds full-width ASCII (U+FF01–U+FF5E) and the ideographic and
 * full-width full stops to ASCII, and U+3000 / U+00A0 to a space:
 * phishing text writes "ａｍａｚｏｎ．ｃｏ．ｊｐ" to dodge filters.  Owned.
 */
static char *
url_fold_fullwidth(const char *s, size_t len)
{
	struct buf	 b;
	const uint8_t	*u = (const uint8_t *)s;
	int32_t		 i = 0, prev, n = (int32_t)len;
	UChar32		 c;

	/* Most link text is ASCII, which folds to itself. */
	while (i < n && u[i] < 0x80)
		i++;
	if (i == n)
		return xstrndup(s, len);
	i = 0;

	buf_init(&b);
	while (i < n) {
		prev = i;
		U8_NEXT(u, i, n, c);
		if (c >= 0xff01 && c <= 0xff5e)
			buf_addc(&b, (char)(c - 0xfee0));
		else if (c == 0x3002 || c == 0xff0e || c == 0xff61)
			buf_addc(&b, '.');
		else if (c == 0x3000 || c == 0xa0)
			buf_addc(&b, ' ');
		else
			buf_add(&b, s + prev, (size_t)(i - prev));
	}
	return url_buf_finish(&b);
}

/*
 * Wrappers around a URL shown as text: <…>, quotes, brackets.  Lengths
 * are kept with them: url_text_trim tries every one at both ends of each
 * bit of link text, and measuring them each time cost more than the rest.
 */
struct url_wrap {
	const char	*s;
	size_t		 n;
};
#define URL_WRAP(s)	{ s, sizeof s - 1 }
static const struct url_wrap url_text_open[] = {
	URL_WRAP("<"), URL_WRAP("("), URL_WRAP("["), URL_WRAP("{"),
	URL_WRAP("\""), URL_WRAP("'"), URL_WRAP("\xe3\x80\x8c") /* 「 */,
	URL_WRAP("\xe3\x80\x8e") /* 『 */, URL_WRAP("\xe3\x80\x90") /* 【 */,
	URL_WRAP("\xe2\x80\x9c") /* “ */, URL_WRAP("\xe2\x80\x98") /* ‘ */,
};
static const struct url_wrap url_text_close[] = {
	URL_WRAP(">"), URL_WRAP(")"), URL_WRAP("]"), URL_WRAP("}"),
	URL_WRAP("\""), URL_WRAP("'"), URL_WRAP("."), URL_WRAP(","),
	URL_WRAP(";"), URL_WRAP("!"), URL_WRAP("?"),
	URL_WRAP("\xe3\x80\x8d") /* 」 */, URL_WRAP("\xe3\x80\x8f") /* 』 */,
	URL_WRAP("\xe3\x80\x91") /* 】 */, URL_WRAP("\xe2\x80\x9d") /* ” */,
	URL_WRAP("\xe2\x80\x99") /* ’ */,
};
#undef URL_WRAP

/* Strips blanks and wrappers from both ends of [*b, *e). */
static void
url_text_trim(const char **b, const char **e)
{
	const struct url_wrap	*w;
	size_t			 i;
	int			 changed = 1;

	while (changed && *b < *e) {
		changed = 0;
		while (*b < *e && (unsigned char)**b <= 0x20) {
			(*b)++;
			changed = 1;
		}
		while (*e > *b && (unsigned char)(*e)[-1] <= 0x20) {
			(*e)--;
			changed = 1;
		}
		/* No wrapper begins or ends with a letter or a digit, and
		 * most link text does: then none can match. */
		for (i = 0; *b < *e && !url_is_alnum((unsigned char)**b) &&
		    i < SAGI_NITEMS(url_text_open); i++) {
			w = &url_text_open[i];
			if ((size_t)(*e - *b) >= w->n && **b == w->s[0] &&
			    memcmp(*b, w->s, w->n) == 0) {
				*b += w->n;
				changed = 1;
			}
		}
		for (i = 0; *b < *e && !url_is_alnum((unsigned char)(*e)[-1]) &&
		    i < SAGI_NITEMS(url_text_close); i++) {
			w = &url_text_close[i];
			if ((size_t)(*e - *b) >= w->n &&
			    (*e)[-(ptrdiff_t)w->n] == w->s[0] &&
			    memcmp(*e - w->n, w->s, w->n) == 0) {
				*e -= w->n;
				changed = 1;
			}
		}
	}
}

/* 1 when every label of h is all digits (with at least one dot). */
static int
url_all_numeric_labels(const char *h, size_t len, size_t *nlabels)
{
	size_t	 i;

	*nlabels = 1;
	for (i = 0; i < len; i++) {
		if (h[i] == '.')
			(*nlabels)++;
		else if (!url_is_digit((unsigned char)h[i]))
			return 0;
	}
	return 1;
}

/*
 * Bare-host text ("amazon.co.jp/login"): only host characters before the
 * path, at least one dot, and a top-level domain the public suffix list
 * knows.  Four-part dotted decimal is accepted as an IP; other numbers
 * ("1.5", "2023.1") are prose, although a browser would read "1.5" as
 * 1.0.0.5.
 */
static int
url_text_bare(const struct url_ctx *ctx, const char *t, struct url *out)
{
	size_t		 hlen, i, nlabels;
	const char	*tld;
	char		*tmp;
	int		 numeric, known, rc;

	hlen = strcspn(t, "/?#:");
	if (hlen == 0 || t[0] == '.' || memchr(t, '.', hlen) == NULL)
		return -1;
	for (i = 0; i < hlen; i++) {
		if (!url_is_alnum((unsigned char)t[i]) && t[i] != '.' &&
		    t[i] != '-' && (unsigned char)t[i] < 0x80)
			return -1;
	}
	numeric = url_all_numeric_labels(t, hlen, &nlabels);
	if (numeric && nlabels != 4)
		return -1;

	tmp = xasprintf("http://%s", t);
	rc = url_parse(ctx, tmp, out);
	free(tmp);
	if (rc != 0)
		return -1;
	if (out->flags & URL_IP) {
		if (!numeric || (out->flags & URL_IP_OBFUSCATED))
			goto fail;
		return 0;
	}

	tld = strrchr(out->host, '.');
	if (tld == NULL || out->regdom == NULL)
		goto fail;
	tld++;
	known = psl_is_public_suffix2(ctx->psl, tld,
	    PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
	if (!known)
		goto fail;

	/*
	 * .zip and .mov are real top-level domains, but "invoice.zip" or
	 * "movie.mov" in link text is a file name far more often than a
	 * host, so bare text ending in them (with no path) is not a host.
	 * Other extension-like ccTLDs (.py, .pl, .md, .sh) carry real
	 * sites and stay hosts.  "image.png", "document.pdf" need no rule:
	 * png and pdf are not top-level domains.
	 */
	if (t[hlen] == '\0' && (strcmp(tld, "zip") == 0 ||
	    strcmp(tld, "mov") == 0))
		goto fail;
	return 0;

fail:
	url_clear(out);
	return -1;
}

int
url_parse_text(const struct url_ctx *ctx, const char *text, struct url *out)
{
	char		*f, *t = NULL, *tmp;
	const char	*b, *e, *p, *at;
	size_t		 tl;
	int		 rc = -1;

	memset(out, 0, sizeof *out);
	out->port = -1;
	if (ctx == NULL || text == NULL || (tl = strlen(text)) > URL_TEXT_MAX)
		return -1;

	f = url_fold_fullwidth(text, tl);
	b = f;
	e = f + strlen(f);
	url_text_trim(&b, &e);
	if (b == e)
		goto out;
	for (p = b; p < e; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			goto out;
	}
	t = xstrndup(b, (size_t)(e - b));

	if (url_has_prefix(t, strlen(t), "http://") ||
	    url_has_prefix(t, strlen(t), "https://") ||
	    url_has_prefix(t, strlen(t), "ftp://")) {
		rc = url_parse(ctx, t, out);
		goto out;
	}
	if (strstr(t, "://") != NULL)
		goto out;		/* another scheme */
	at = strchr(t, '@');
	if (at != NULL && (size_t)(at - t) < strcspn(t, "/?#"))
		goto out;		/* a mail address, or userinfo */

	if (url_has_prefix(t, strlen(t), "www.")) {
		tmp = xasprintf("http://%s", t);
		rc = url_parse(ctx, tmp, out);
		free(tmp);
	} else
		rc = url_text_bare(ctx, t, out);
	if (rc == 0) {
		/* The text named no scheme; say so. */
		free(out->scheme);
		out->scheme = xstrdup("");
	}

out:
	free(t);
	free(f);
	return rc;
}

/*
 * Copies one UTF-8 character (or one bad byte) from s[i] into b, writing
 * '?' for controls (C0, DEL, C1), bidi overrides and isolates, and
 * invalid bytes, so a defanged URL cannot reorder or hide terminal text.
 * Returns the bytes consumed.
 */
static size_t
url_defang_char(struct buf *b, const char *s, size_t i, size_t len)
{
	const uint8_t	*u = (const uint8_t *)s;
	int32_t		 j = (int32_t)i, n;
	UChar32		 c;

	n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
	U8_NEXT(u, j, n, c);
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x200e || c == 0x200f)
		buf_addc(b, '?');
	else
		buf_add(b, s + i, (size_t)j - i);
	return (size_t)j - i;
}

char *
url_defang(const char *url)
{
	struct buf	 b;
	size_t		 len, i = 0, n, auth_end;

	buf_init(&b);
	if (url == NULL)
		return url_buf_finish(&b);
	len = strlen(url);

	/* A scheme has no dot, so "www.evil.example:8080" has none. */
	for (n = 0; n < len && (url_is_alnum((unsigned char)url[n]) ||
	    url[n] == '+' || url[n] == '-'); n++)
		;
	if (n > 0 && n < len && url[n] == ':' &&
	    url_is_alpha((unsigned char)url[0])) {
		if (n == 4 && url_has_prefix(url, len, "http"))
			buf_adds(&b, "hxxp");
		else if (n == 5 && url_has_prefix(url, len, "https"))
			buf_adds(&b, "hxxps");
		else if (n == 3 && url_has_prefix(url, len, "ftp"))
			buf_adds(&b, "fxp");
		else
			buf_add(&b, url, n);
		buf_addc(&b, ':');
		i = n + 1;
	}
	while (i < len && (url[i] == '/' || url[i] == '\\'))
		buf_addc(&b, url[i++]);

	/*
	 * Every dot of the authority is bracketed, userinfo included:
	 * "www.amazon.co.jp@evil.example" must not leave a host-looking
	 * "www.amazon.co.jp" that a terminal would turn into a link.
	 */
	auth_end = i + strcspn(url + i, "/\\?#");
	while (i < auth_end) {
		if (url[i] == '.') {
			buf_adds(&b, "[.]");
			i++;
		} else
			i += url_defang_char(&b, url, i, auth_end);
	}
	while (i < len)
		i += url_defang_char(&b, url, i, len);
	return url_buf_finish(&b);
}

static int
url_is_hostc(int c)
{
	return url_is_alnum(c) || c == '-';
}

/* Length of a run of "mask" characters (●, *, ＊) at s, counted in chars. */
static size_t
url_mask_run(const char *s, size_t len, size_t *bytes)
{
	size_t	 i = 0, n = 0;

	for (;;) {
		if (i < len && s[i] == '*') {
			i++;
		} else if (i + 3 <= len &&
		    (memcmp(s + i, "\xe2\x97\x8f", 3) == 0 ||
		    memcmp(s + i, "\xef\xbc\x8a", 3) == 0)) {
			i += 3;
		} else
			break;
		n++;
	}
	*bytes = i;
	return n;
}

/* Bytes that can start a defanged notation. */
static const unsigned char url_defang_start[256] = {
	['h'] = 1, ['H'] = 1, ['['] = 1, ['('] = 1, ['{'] = 1, [':'] = 1,
	['w'] = 1, ['W'] = 1, ['*'] = 1,
	[0xe2] = 1, [0xef] = 1,		/* lead bytes of ● and ＊ */
};

/*
 * Defanged notation: hxxp(s)://, "[:]//", a bracketed dot between host
 * characters ("evil[.]example", "evil(dot)example"), or a mask run of
 * three or more ● or * in the host of a URL or before ".tld"
 * ("https://●●●●.co.jp/", "info@●●●●.co.jp").  The host-context
 * requirements keep prose such as "(.)" or "rated ***" out.
 */
int
url_text_is_defanged(const char *s)
{
	static const char *const dots[] = {
		"[.]", "(.)", "{.}", "[dot]", "(dot)", "{dot}",
	};
	size_t		 len, i, j, n, run, rb, alen, auth_end = 0;
	const char	*rest;
	unsigned char	 c;

	if (s == NULL)
		return 0;
	len = strlen(s);
	for (i = 0; i < len; i++) {
#ifdef __SSE2__
		/*
		 * Every notation below starts with one of these pairs:
		 * "hx", "ww" (any case), ":/", a bracket ('[', '(', '{')
		 * before '.', 'd', 'D' or ':', a '*', and the first two
		 * bytes of ● or ＊.  Sixteen starts a test (this runs over
		 * whole bodies): a pair is much rarer in mail text than its
		 * first byte (':' and 'w', and 0xef, the lead byte of the
		 * full-width punctuation Japanese text is full of).  A
		 * position ruled out here would match nothing below and
		 * change no state (auth_end), so the answer is the same.
		 */
		while (len - i >= 17) {
			__m128i		 v0, v1, t0, t1, m, br, nx;
			unsigned int	 mask;

			v0 = _mm_loadu_si128((const __m128i *)(s + i));
			v1 = _mm_loadu_si128((const __m128i *)(s + i + 1));
			t0 = _mm_or_si128(v0, _mm_set1_epi8(0x20));
			t1 = _mm_or_si128(v1, _mm_set1_epi8(0x20));
			m = _mm_and_si128(url_eq16(t0, 'h'), url_eq16(t1, 'x'));
			m = _mm_or_si128(m, _mm_and_si128(url_eq16(t0, 'w'),
			    url_eq16(t1, 'w')));
			m = _mm_or_si128(m, _mm_and_si128(url_eq16(v0, ':'),
			    url_eq16(v1, '/')));
			/* '[' | 0x20 is '{'. */
			br = _mm_or_si128(url_eq16(t0, '{'), url_eq16(v0, '('));
			nx = _mm_or_si128(_mm_or_si128(url_eq16(v1, '.'),
			    url_eq16(v1, ':')), url_eq16(t1, 'd'));
			m = _mm_or_si128(m, _mm_and_si128(br, nx));
			m = _mm_or_si128(m, url_eq16(v0, '*'));
			m = _mm_or_si128(m, _mm_and_si128(url_eq16(v0,
			    (char)0xe2), url_eq16(v1, (char)0x97)));
			m = _mm_or_si128(m, _mm_and_si128(url_eq16(v0,
			    (char)0xef), url_eq16(v1, (char)0xbc)));
			mask = (unsigned int)_mm_movemask_epi8(m);
			if (mask != 0) {
				i += (size_t)__builtin_ctz(mask);
				break;
			}
			i += 16;
		}
#endif
		/* Every notation below starts with one of these: skip the
		 * rest of the text cheaply, four bytes a test. */
		while (len - i >= 4 && !(url_defang_start[(unsigned char)s[i]] |
		    url_defang_start[(unsigned char)s[i + 1]] |
		    url_defang_start[(unsigned char)s[i + 2]] |
		    url_defang_start[(unsigned char)s[i + 3]]))
			i += 4;
		if (i >= len)
			break;
		if (!url_defang_start[(unsigned char)s[i]])
			continue;
		rest = s + i;
		c = (unsigned char)s[i];
		if ((c | 0x20) == 'h' && url_has_prefix(rest, len - i, "hxxp")) {
			j = i + 4;
			if (j < len && url_lower((unsigned char)s[j]) == 's')
				j++;
			if (url_has_prefix(s + j, len - j, "://") ||
			    url_has_prefix(s + j, len - j, "[:]") ||
			    url_has_prefix(s + j, len - j, "[://]"))
				return 1;
		}
		if (c == '[' && url_has_prefix(rest, len - i, "[:]//"))
			return 1;
		if ((c == '[' || c == '(' || c == '{') && i > 0 &&
		    url_is_hostc((unsigned char)s[i - 1])) {
			for (j = 0; j < SAGI_NITEMS(dots); j++) {
				n = strlen(dots[j]);
				if (dots[j][0] == c &&
				    url_has_prefix(rest, len - i, dots[j]) &&
				    i + n < len &&
				    url_is_hostc((unsigned char)s[i + n]))
					return 1;
			}
		}
		/*
		 * Mask runs inside the authority of a URL.  An authority is
		 * scanned once: a start inside one already scanned ends at
		 * the same place, so "www.www.www…" stays linear.
		 */
		if (i >= auth_end &&
		    ((c == ':' && url_has_prefix(rest, len - i, "://")) ||
		    ((c | 0x20) == 'w' && url_has_prefix(rest, len - i, "www.")))) {
			j = i + (rest[0] == ':' ? 3 : 4);
			alen = 0;
			while (j + alen < len &&
			    (unsigned char)s[j + alen] > 0x20 &&
			    strchr("/?#\"'<>", s[j + alen]) == NULL)
				alen++;
			for (n = 0; n < alen; n += rb > 0 ? rb : 1) {
				run = url_mask_run(s + j + n, alen - n, &rb);
				if (run >= 3)
					return 1;
			}
			auth_end = j + alen;
		}
		/* Mask run followed by ".tld". */
		if (c != '*' && c != 0xe2 && c != 0xef)
			continue;	/* not a mask character */
		run = url_mask_run(rest, len - i, &rb);
		if (run >= 3 && i + rb + 1 < len && s[i + rb] == '.' &&
		    url_is_alpha((unsigned char)s[i + rb + 1]))
			return 1;
		if (rb > 1)
			i += rb - 1;
	}
	return 0;
}

/* For testing eight bytes at once: some byte of v is zero exactly when
 * ((v - URL_ONES) & ~v & URL_HIGHS) is not zero. */
#define URL_ONES	UINT64_C(0x0101010101010101)
#define URL_HIGHS	UINT64_C(0x8080808080808080)

/* Characters that end a URL in plain text (non-ASCII is tested apart). */
static int
url_scan_stop(unsigned char c)
{
	return (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' ||
	    c == '\'' || c >= 0x80);
}

/*
 * Trailing punctuation that ends a sentence rather than the URL.  A
 * closing bracket stays when the URL opened it: "…/wiki/Foo_(bar)".
 */
static size_t
url_scan_trim(const char *s, size_t len)
{
	size_t	 i, open, close;
	char	 c, o;

	while (len > 0) {
		c = s[len - 1];
		if (strchr(".,;:!?", c) != NULL) {
			len--;
			continue;
		}
		if (c == ')' || c == ']' || c == '}') {
			o = c == ')' ? '(' : c == ']' ? '[' : '{';
			open = close = 0;
			for (i = 0; i < len; i++) {
				if (s[i] == o)
					open++;
				else if (s[i] == c)
					close++;
			}
			if (open >= close)
				break;
			len--;
			continue;
		}
		break;
	}
	return len;
}

size_t
url_scan_text(const char *text, size_t len, url_found_fn fn, void *arg)
{
	size_t		 i = 0, plen, end, count = 0;
	uint64_t	 w, h, ww;
	unsigned char	 prev;

	if (text == NULL)
		return 0;
	while (i < len && count < URL_SCAN_MAX) {
#ifdef __SSE2__
		/*
		 * Every start below begins with "ht" or "ww" in any case:
		 * sixteen starts a test for these pairs, which in mail text
		 * are far rarer than an h or a w alone (this runs over whole
		 * bodies).  Stops on a candidate with at least 17 bytes
		 * left; the eight-byte loop below does the rest.
		 */
		while (len - i >= 17) {
			__m128i		 v0, v1, m;
			unsigned int	 mask;

			v0 = _mm_or_si128(_mm_loadu_si128((const __m128i *)
			    (text + i)), _mm_set1_epi8(0x20));
			v1 = _mm_or_si128(_mm_loadu_si128((const __m128i *)
			    (text + i + 1)), _mm_set1_epi8(0x20));
			m = _mm_or_si128(_mm_and_si128(url_eq16(v0, 'h'),
			    url_eq16(v1, 't')), _mm_and_si128(url_eq16(v0, 'w'),
			    url_eq16(v1, 'w')));
			mask = (unsigned int)_mm_movemask_epi8(m);
			if (mask != 0) {
				i += (size_t)__builtin_ctz(mask);
				break;
			}
			i += 16;
		}
#endif
		/* Every start below begins with h or w: most bytes are
		 * ruled out here, eight at a time while no byte of them is
		 * one. */
		while (len - i >= sizeof w) {
			memcpy(&w, text + i, sizeof w);
			w |= URL_ONES * 0x20;
			h = w ^ URL_ONES * 'h';
			ww = w ^ URL_ONES * 'w';
			if ((((h - URL_ONES) & ~h) | ((ww - URL_ONES) & ~ww)) &
			    URL_HIGHS)
				break;
			i += sizeof w;
		}
		if (i >= len)
			break;
		if (((unsigned char)text[i] | 0x20) != 'h' &&
		    ((unsigned char)text[i] | 0x20) != 'w') {
			i++;
			continue;
		}
		plen = 0;
		if (url_has_prefix(text + i, len - i, "http://"))
			plen = 7;
		else if (url_has_prefix(text + i, len - i, "https://"))
			plen = 8;
		else if (url_has_prefix(text + i, len - i, "www.")) {
			/* "awww.", "x.www." are words, not URL starts. */
			prev = i > 0 ? (unsigned char)text[i - 1] : ' ';
			if (prev < 0x80 && (url_is_hostc(prev) || prev == '.' ||
			    prev == '_' || prev == '/' || prev == '@'))
				plen = 0;
			else
				plen = 4;
		}
		if (plen == 0) {
			i++;
			continue;
		}
		end = i + plen;
		while (end < len && !url_scan_stop((unsigned char)text[end]))
			end++;
		end = i + plen + url_scan_trim(text + i + plen, end - i - plen);
		if (end == i + plen) {
			i += plen;
			continue;
		}
		if (fn != NULL)
			fn(arg, text + i, end - i);
		count++;
		i = end;
	}
	return count;
}
