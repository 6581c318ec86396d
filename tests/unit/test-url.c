/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for core/url.c: href parsing with browser quirks, IP and IDN
 * facts, registrable domains, link text that looks like a URL, defanging,
 * and URL spotting in plain text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "url.h"
#include "xalloc.h"

#include "t.h"

/* clang-format off */
static const struct {
	const char	*in;
	int		 rc;
	const char	*scheme;
	const char	*host;
	const char	*host_unicode;
	const char	*regdom;
	const char	*userinfo;
	int		 port;
	const char	*rest;
	unsigned int	 flags;
} parse_cases[] = {
	{ "https://www.amazon.co.jp/gp/css", 0, "https", "www.amazon.co.jp",
	  "www.amazon.co.jp", "amazon.co.jp", NULL, -1, "/gp/css", 0 },
	{ "HTTPS://WWW.Amazon.CO.JP.:8443/?a=b#c", 0, "https",
	  "www.amazon.co.jp", "www.amazon.co.jp", "amazon.co.jp", NULL, 8443,
	  "/?a=b#c", 0 },
	/* whitespace around and tabs/newlines inside are dropped */
	{ " \t https://ev\til.exa\nmple/x\r\n ", 0, "https", "evil.example",
	  "evil.example", "evil.example", NULL, -1, "/x", 0 },
	/* the last '@' ends userinfo */
	{ "https://www.amazon.co.jp@evil.example/", 0, "https", "evil.example",
	  "evil.example", "evil.example", "www.amazon.co.jp", -1, "/",
	  URL_USERINFO },
	{ "http://a@b@evil.example", 0, "http", "evil.example", "evil.example",
	  "evil.example", "a@b", -1, "", URL_USERINFO },
	/* backslashes are slashes to a browser */
	{ "https:\\\\evil.example\\path", 0, "https", "evil.example",
	  "evil.example", "evil.example", NULL, -1, "\\path", URL_BACKSLASH },
	{ "https://www.amazon.co.jp\\@evil.example", 0, "https",
	  "www.amazon.co.jp", "www.amazon.co.jp", "amazon.co.jp", NULL, -1,
	  "\\@evil.example", URL_BACKSLASH },
	{ "//evil.example/x", 0, "", "evil.example", "evil.example",
	  "evil.example", NULL, -1, "/x", 0 },
	{ "http:evil.example", 0, "http", "evil.example", "evil.example",
	  "evil.example", NULL, -1, "", 0 },
	/* percent-encoded host bytes */
	{ "http://%65vil.%45xample/", 0, "http", "evil.example",
	  "evil.example", "evil.example", NULL, -1, "/", 0 },
	/* IDN */
	{ "http://例え.jp/", 0, "http", "xn--r8jz45g.jp", "例え.jp",
	  "xn--r8jz45g.jp", NULL, -1, "/", URL_IDN },
	{ "http://xn--r8jz45g.jp/", 0, "http", "xn--r8jz45g.jp", "例え.jp",
	  "xn--r8jz45g.jp", NULL, -1, "/", URL_IDN },
	{ "http://日本語.jp", 0, "http", "xn--wgv71a119e.jp", "日本語.jp",
	  "xn--wgv71a119e.jp", NULL, -1, "", URL_IDN },
	/* Cyrillic а (U+0430) in "amazon" */
	{ "https://\xd0\xb0mazon.com/", 0, "https", "xn--mazon-3ve.com",
	  "\xd0\xb0mazon.com", "xn--mazon-3ve.com", NULL, -1, "/",
	  URL_IDN | URL_IDN_MIXED },
	{ "https://xn--mazon-3ve.com/", 0, "https", "xn--mazon-3ve.com",
	  "\xd0\xb0mazon.com", "xn--mazon-3ve.com", NULL, -1, "/",
	  URL_IDN | URL_IDN_MIXED },
	/* Greek α with Latin */
	{ "https://\xce\xb1pple.com/", 0, "https", "xn--pple-zld.com",
	  "\xce\xb1pple.com", "xn--pple-zld.com", NULL, -1, "/",
	  URL_IDN | URL_IDN_MIXED },
	/* Katakana with Latin is not mixing */
	{ "https://アマゾンamazon.jp/", 0, "https", "xn--amazon-oo4e2hrkih.jp",
	  "アマゾンamazon.jp", "xn--amazon-oo4e2hrkih.jp", NULL, -1, "/",
	  URL_IDN },
	/* whole label of Latin-lookalike Cyrillic under .com: "рау.com" */
	{ "https://\xd1\x80\xd0\xb0\xd1\x83.com/", 0, "https", "xn--80a5ak.com",
	  "\xd1\x80\xd0\xb0\xd1\x83.com", "xn--80a5ak.com", NULL, -1, "/",
	  URL_IDN | URL_IDN_MIXED },
	/* Russian word (not lookalikes) under .рф: not mixed */
	{ "http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84",
	  0, "http", "xn--e1afmkfd.xn--p1ai",
	  "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84",
	  "xn--e1afmkfd.xn--p1ai", NULL, -1, "", URL_IDN },
	/* full-width letters are mapped by IDNA */
	{ "http://\xef\xbd\x81mazon.com", 0, "http", "amazon.com", "amazon.com",
	  "amazon.com", NULL, -1, "", URL_IDN },
	/* IPv4 in every browser form */
	{ "http://216.58.213.206/", 0, "http", "216.58.213.206",
	  "216.58.213.206", NULL, NULL, -1, "/", URL_IP },
	{ "http://3627734478/", 0, "http", "216.58.213.206", "216.58.213.206",
	  NULL, NULL, -1, "/", URL_IP | URL_IP_OBFUSCATED },
	{ "http://3627734734/", 0, "http", "216.58.214.206", "216.58.214.206",
	  NULL, NULL, -1, "/", URL_IP | URL_IP_OBFUSCATED },
	{ "http://0xD83AD5CE/", 0, "http", "216.58.213.206", "216.58.213.206",
	  NULL, NULL, -1, "/", URL_IP | URL_IP_OBFUSCATED },
	{ "http://0xd8.0x3a.0xd5.0xce/", 0, "http", "216.58.213.206",
	  "216.58.213.206", NULL, NULL, -1, "/", URL_IP | URL_IP_OBFUSCATED },
	{ "http://0330.072.0325.0316/", 0, "http", "216.58.213.206",
	  "216.58.213.206", NULL, NULL, -1, "/", URL_IP | URL_IP_OBFUSCATED },
	{ "http://127.1/", 0, "http", "127.0.0.1", "127.0.0.1", NULL, NULL, -1,
	  "/", URL_IP | URL_IP_OBFUSCATED | URL_IP_PRIVATE },
	{ "http://192.168.1.1:8080/", 0, "http", "192.168.1.1", "192.168.1.1",
	  NULL, NULL, 8080, "/", URL_IP | URL_IP_PRIVATE },
	{ "http://172.31.0.1", 0, "http", "172.31.0.1", "172.31.0.1", NULL,
	  NULL, -1, "", URL_IP | URL_IP_PRIVATE },
	{ "http://172.32.0.1", 0, "http", "172.32.0.1", "172.32.0.1", NULL,
	  NULL, -1, "", URL_IP },
	{ "http://169.254.169.254/", 0, "http", "169.254.169.254",
	  "169.254.169.254", NULL, NULL, -1, "/", URL_IP | URL_IP_PRIVATE },
	{ "http://10.0.0.1.", 0, "http", "10.0.0.1", "10.0.0.1", NULL, NULL,
	  -1, "", URL_IP | URL_IP_PRIVATE },
	{ "http://[::1]:80/", 0, "http", "::1", "::1", NULL, NULL, 80, "/",
	  URL_IP | URL_IP_PRIVATE },
	{ "http://[FE80::1]/", 0, "http", "fe80::1", "fe80::1", NULL, NULL, -1,
	  "/", URL_IP | URL_IP_PRIVATE },
	{ "http://[fd00::1]/", 0, "http", "fd00::1", "fd00::1", NULL, NULL, -1,
	  "/", URL_IP | URL_IP_PRIVATE },
	{ "http://[2001:db8::1]/", 0, "http", "2001:db8::1", "2001:db8::1",
	  NULL, NULL, -1, "/", URL_IP },
	/* registrable domains */
	{ "http://www.amazon.co.jp.abc123.info/", 0, "http",
	  "www.amazon.co.jp.abc123.info", "www.amazon.co.jp.abc123.info",
	  "abc123.info", NULL, -1, "/", 0 },
	{ "https://x.duckdns.org/", 0, "https", "x.duckdns.org",
	  "x.duckdns.org", "x.duckdns.org", NULL, -1, "/", 0 },
	{ "https://a.b.foo.workers.dev/", 0, "https", "a.b.foo.workers.dev",
	  "a.b.foo.workers.dev", "foo.workers.dev", NULL, -1, "/", 0 },
	{ "https://amazon-co-jp.xyz-login.cn/signin", 0, "https",
	  "amazon-co-jp.xyz-login.cn", "amazon-co-jp.xyz-login.cn",
	  "xyz-login.cn", NULL, -1, "/signin", 0 },
	{ "ftp://files.example.org/", 0, "ftp", "files.example.org",
	  "files.example.org", "example.org", NULL, -1, "/", 0 },
	{ "http://localhost/", 0, "http", "localhost", "localhost", NULL, NULL,
	  -1, "/", 0 },
	/* refused: other schemes, relative, no host, bad host or port */
	{ "mailto:info@amazon.co.jp", -1, NULL, NULL, NULL, NULL, NULL, -1,
	  NULL, 0 },
	{ "tel:0120-000-000", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "javascript:alert(1)", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL,
	  0 },
	{ "data:text/html,hi", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "cid:part1@example", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "/relative/path", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "www.example.com", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "#top", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "https://", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "https:///", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "http://user@/", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "http://ex ample.com/", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL,
	  0 },
	{ "http://example.com:99999/", -1, NULL, NULL, NULL, NULL, NULL, -1,
	  NULL, 0 },
	{ "http://example.com:8o/", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL,
	  0 },
	{ "http://1.2.3.4.5/", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "http://256.1.1.1/", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "http://09.1.1.1/", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "http://[::1/", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0 },
	{ "http://%zz.example/", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL,
	  0 },
	{ "http://%00.example/", -1, NULL, NULL, NULL, NULL, NULL, -1, NULL,
	  0 },
	{ "http://\xf0\x9f\x98\x80\xff.com/", -1, NULL, NULL, NULL, NULL, NULL,
	  -1, NULL, 0 },
};

static const struct {
	const char	*in;
	int		 rc;
	const char	*host;
	const char	*scheme;
} text_cases[] = {
	{ "www.amazon.co.jp", 0, "www.amazon.co.jp", "" },
	{ "WWW.Amazon.co.jp/", 0, "www.amazon.co.jp", "" },
	{ "amazon.co.jp", 0, "amazon.co.jp", "" },
	{ "Amazon.co.jp", 0, "amazon.co.jp", "" },
	{ "amazon.co.jp/gp/signin", 0, "amazon.co.jp", "" },
	{ "https://www.amazon.co.jp/", 0, "www.amazon.co.jp", "https" },
	{ "  https://www.amazon.co.jp/ap/signin  ", 0, "www.amazon.co.jp",
	  "https" },
	{ "<https://www.nta.go.jp>", 0, "www.nta.go.jp", "https" },
	{ "\"https://www.nta.go.jp\"", 0, "www.nta.go.jp", "https" },
	{ "(www.smbc.co.jp)", 0, "www.smbc.co.jp", "" },
	{ "「https://www.nta.go.jp」", 0, "www.nta.go.jp", "https" },
	{ "『www.rakuten.co.jp』", 0, "www.rakuten.co.jp", "" },
	{ "（www.rakuten.co.jp）", 0, "www.rakuten.co.jp", "" },
	{ "【amazon.co.jp】", 0, "amazon.co.jp", "" },
	{ "ａｍａｚｏｎ．ｃｏ．ｊｐ", 0, "amazon.co.jp", "" },
	{ "ｗｗｗ。ａｍａｚｏｎ。ｃｏ。ｊｐ", 0, "www.amazon.co.jp", "" },
	{ "　www.amazon.co.jp　", 0, "www.amazon.co.jp", "" },
	{ "www.amazon.co.jp.", 0, "www.amazon.co.jp", "" },
	{ "x.duckdns.org", 0, "x.duckdns.org", "" },
	{ "例え.jp", 0, "xn--r8jz45g.jp", "" },
	{ "203.0.113.7", 0, "203.0.113.7", "" },
	{ "foo.dev", 0, "foo.dev", "" },
	{ "www.example.invalidtld", 0, "www.example.invalidtld", "" },
	{ "archive.zip/download", 0, "archive.zip", "" },
	/* not URLs or hosts */
	{ "ログイン", -1, NULL, NULL },
	{ "here", -1, NULL, NULL },
	{ "こちら", -1, NULL, NULL },
	{ "1.5", -1, NULL, NULL },
	{ "2023.1", -1, NULL, NULL },
	{ "1.2.3", -1, NULL, NULL },
	{ "image.png", -1, NULL, NULL },
	{ "document.pdf", -1, NULL, NULL },
	{ "invoice.zip", -1, NULL, NULL },
	{ "movie.mov", -1, NULL, NULL },
	{ "evil.example", -1, NULL, NULL },
	{ "co.jp", -1, NULL, NULL },
	{ "Amazon ログイン", -1, NULL, NULL },
	{ "www.amazon.co.jp ログイン", -1, NULL, NULL },
	{ "info@amazon.co.jp", -1, NULL, NULL },
	{ "mailto:info@amazon.co.jp", -1, NULL, NULL },
	{ "javascript://x", -1, NULL, NULL },
	{ "ご確認ください。", -1, NULL, NULL },
	{ "Amazon.co.jpをご利用いただき", -1, NULL, NULL },
	{ "", -1, NULL, NULL },
	{ "   ", -1, NULL, NULL },
	{ "<>", -1, NULL, NULL },
	{ ".com", -1, NULL, NULL },
	{ "a_b.com", -1, NULL, NULL },
};

static const struct {
	const char	*in;
	const char	*want;
} defang_cases[] = {
	{ "https://evil.example/x", "hxxps://evil[.]example/x" },
	{ "http://evil.example/a.b.html?x=1.2",
	  "hxxp://evil[.]example/a.b.html?x=1.2" },
	{ "HTTP://EVIL.EXAMPLE", "hxxp://EVIL[.]EXAMPLE" },
	{ "ftp://files.example.org/f.txt",
	  "fxp://files[.]example[.]org/f.txt" },
	{ "https://www.amazon.co.jp@evil.example/",
	  "hxxps://www[.]amazon[.]co[.]jp@evil[.]example/" },
	{ "https://evil.example:8443/", "hxxps://evil[.]example:8443/" },
	{ "www.evil.example/login", "www[.]evil[.]example/login" },
	{ "//evil.example", "//evil[.]example" },
	{ "https://evil.example/\x1b[31mred\x07",
	  "hxxps://evil[.]example/?[31mred?" },
	{ "https://e\x01vil.example/", "hxxps://e?vil[.]example/" },
	{ "https://evil.example/\xe2\x80\xae" "abc",
	  "hxxps://evil[.]example/?abc" },
	{ "https://evil.example/\xc2\x85", "hxxps://evil[.]example/?" },
	{ "https://evil.example/\xff", "hxxps://evil[.]example/?" },
	{ "https://例え.jp/ログイン", "hxxps://例え[.]jp/ログイン" },
	{ "", "" },
};

static const struct {
	const char	*in;
	int		 want;
} defanged_cases[] = {
	{ "hxxps://evil[.]example/x", 1 },
	{ "see hxxp://evil.example", 1 },
	{ "HXXPS://evil.example", 1 },
	{ "hxxps[:]//evil.example", 1 },
	{ "https[:]//evil.example", 1 },
	{ "evil[.]example", 1 },
	{ "amazon-co-jp(.)xyz", 1 },
	{ "evil{.}example", 1 },
	{ "evil[dot]example", 1 },
	{ "evil(DOT)example", 1 },
	{ "https://●●●●.co.jp/login", 1 },
	{ "https://www.amazon.co.jp.●●●●.com/", 1 },
	{ "https://***.example/", 1 },
	{ "送信元: info@●●●●.co.jp", 1 },
	{ "www.●●●.com", 1 },
	/* prose and live URLs */
	{ "https://www.amazon.co.jp/", 0 },
	{ "Please check (.) the box", 0 },
	{ "array[.] and [dot] at end", 0 },
	{ "rated *** by users", 0 },
	{ "パスワード: ●●●●●●", 0 },
	{ "https://example.com/a/●●●●/b", 0 },
	{ "https://example.com/***", 0 },
	{ "hxxpd is not a scheme", 0 },
	{ "", 0 },
	{ "お客様のアカウントは停止されました。", 0 },
};

static const struct {
	const char	*in;
	const char	*want[4];
} scan_cases[] = {
	{ "see https://example.com/login now",
	  { "https://example.com/login" } },
	{ "https://example.com/loginにアクセス",
	  { "https://example.com/login" } },
	{ "こちら：https://www.amazon.co.jp/ap/signin」から",
	  { "https://www.amazon.co.jp/ap/signin" } },
	{ "Visit www.example.com. Or http://b.example/x?y=1, thanks!",
	  { "www.example.com", "http://b.example/x?y=1" } },
	{ "(see http://example.com/a)", { "http://example.com/a" } },
	{ "http://en.wikipedia.org/wiki/Foo_(bar)",
	  { "http://en.wikipedia.org/wiki/Foo_(bar)" } },
	{ "<http://a.example/>\"http://b.example\"'http://c.example'",
	  { "http://a.example/", "http://b.example", "http://c.example" } },
	{ "HTTPS://UPPER.EXAMPLE/", { "HTTPS://UPPER.EXAMPLE/" } },
	{ "awww.example.com and x.www.example.com", { NULL } },
	{ "http:// nothing, https://.", { NULL } },
	{ "詳細はwww.example.co.jpまで", { "www.example.co.jp" } },
	{ "no urls here", { NULL } },
};
/* clang-format on */

/* The input as a one-line TAP description: controls shown as '?'. */
static const char *
lbl(const char *s)
{
	static char	 buf[256];
	size_t		 i;

	for (i = 0; s[i] != '\0' && i < sizeof buf - 1; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void
check_parse(const struct url_ctx *ctx)
{
	struct url	 u;
	size_t		 i;
	int		 rc;
	const char	*in;

	for (i = 0; i < SAGI_NITEMS(parse_cases); i++) {
		in = lbl(parse_cases[i].in);
		rc = url_parse(ctx, parse_cases[i].in, &u);
		t_int_eq(rc, parse_cases[i].rc, "parse rc: %s", in);
		if (rc != 0 || parse_cases[i].rc != 0) {
			url_clear(&u);
			continue;
		}
		t_str_eq(u.scheme, parse_cases[i].scheme, "scheme: %s", in);
		t_str_eq(u.host, parse_cases[i].host, "host: %s", in);
		t_str_eq(u.host_unicode, parse_cases[i].host_unicode,
		    "host_unicode: %s", in);
		t_str_eq(u.regdom, parse_cases[i].regdom, "regdom: %s", in);
		t_str_eq(u.userinfo, parse_cases[i].userinfo, "userinfo: %s",
		    in);
		t_int_eq(u.port, parse_cases[i].port, "port: %s", in);
		t_str_eq(u.rest, parse_cases[i].rest, "rest: %s", in);
		t_int_eq(u.flags, parse_cases[i].flags, "flags: %s", in);
		url_clear(&u);
	}
}

static void
check_text(const struct url_ctx *ctx)
{
	struct url	 u;
	size_t		 i;
	int		 rc;

	for (i = 0; i < SAGI_NITEMS(text_cases); i++) {
		rc = url_parse_text(ctx, text_cases[i].in, &u);
		t_int_eq(rc, text_cases[i].rc, "text rc: \"%s\"",
		    text_cases[i].in);
		if (rc == 0 && text_cases[i].rc == 0) {
			t_str_eq(u.host, text_cases[i].host, "text host: %s",
			    text_cases[i].in);
			t_str_eq(u.scheme, text_cases[i].scheme,
			    "text scheme: %s", text_cases[i].in);
		}
		url_clear(&u);
	}
}

struct scan_result {
	char	*got[8];
	size_t	 n;
};

static void
scan_cb(void *arg, const char *s, size_t len)
{
	struct scan_result	*r = arg;

	if (r->n < SAGI_NITEMS(r->got))
		r->got[r->n] = xstrndup(s, len);
	r->n++;
}

static void
count_cb(void *arg, const char *s, size_t len)
{
	size_t	*n = arg;

	(void)s;
	(void)len;
	(*n)++;
}

static void
check_scan(void)
{
	struct scan_result	 r;
	size_t			 i, j, want, count;

	for (i = 0; i < SAGI_NITEMS(scan_cases); i++) {
		memset(&r, 0, sizeof r);
		count = url_scan_text(scan_cases[i].in,
		    strlen(scan_cases[i].in), scan_cb, &r);
		for (want = 0; want < 4 && scan_cases[i].want[want] != NULL;
		    want++)
			;
		t_int_eq(count, want, "scan count: %s", scan_cases[i].in);
		t_int_eq(r.n, want, "scan callbacks: %s", scan_cases[i].in);
		for (j = 0; j < want && j < r.n; j++)
			t_str_eq(r.got[j], scan_cases[i].want[j],
			    "scan %zu: %s", j, scan_cases[i].in);
		for (j = 0; j < r.n && j < SAGI_NITEMS(r.got); j++)
			free(r.got[j]);
	}
}

/*
 * The table cases again with blanks before and after, so that the text
 * crosses the sixteen-byte blocks url_text_is_defanged and url_scan_text
 * test at once at every offset: blanks change neither answer.
 */
static void
check_shifted(void)
{
	struct scan_result	 r;
	struct buf		 b;
	size_t			 i, j, k, want, count;
	int			 ok;

	buf_init(&b);
	for (i = 0; i < SAGI_NITEMS(defanged_cases); i++) {
		ok = 1;
		for (k = 0; k < 40; k++) {
			buf_reset(&b);
			for (j = 0; j < k; j++)
				buf_addc(&b, ' ');
			buf_adds(&b, defanged_cases[i].in);
			for (j = 0; j < k % 19; j++)
				buf_addc(&b, ' ');
			if (url_text_is_defanged(b.data) !=
			    defanged_cases[i].want)
				ok = 0;
		}
		t_ok(ok, "is_defanged at every offset: %s",
		    defanged_cases[i].in);
	}
	for (i = 0; i < SAGI_NITEMS(scan_cases); i++) {
		for (want = 0; want < 4 && scan_cases[i].want[want] != NULL;
		    want++)
			;
		ok = 1;
		for (k = 0; k < 40; k++) {
			buf_reset(&b);
			for (j = 0; j < k; j++)
				buf_addc(&b, ' ');
			buf_adds(&b, scan_cases[i].in);
			for (j = 0; j < k % 19; j++)
				buf_addc(&b, ' ');
			memset(&r, 0, sizeof r);
			count = url_scan_text(b.data, b.len, scan_cb, &r);
			if (count != want || r.n != want)
				ok = 0;
			for (j = 0; j < want && j < r.n; j++) {
				if (strcmp(r.got[j],
				    scan_cases[i].want[j]) != 0)
					ok = 0;
			}
			for (j = 0; j < r.n && j < SAGI_NITEMS(r.got); j++)
				free(r.got[j]);
		}
		t_ok(ok, "scan at every offset: %s", scan_cases[i].in);
	}
	buf_free(&b);
}

int
main(void)
{
	struct url_ctx	*ctx;
	struct url	 u;
	struct buf	 b;
	char		*cause = NULL, *s;
	size_t		 i, n;

	ctx = url_ctx_new(&cause);
	t_ok(ctx != NULL, "url_ctx_new: %s", cause != NULL ? cause : "ok");
	if (ctx == NULL)
		return t_done();

	/* NULL and degenerate inputs */
	url_ctx_free(NULL);
	url_clear(NULL);
	t_int_eq(url_parse(ctx, NULL, &u), -1, "parse NULL");
	t_ok(u.host == NULL && u.port == -1, "parse NULL leaves out cleared");
	t_int_eq(url_parse(NULL, "http://a.example", &u), -1, "parse no ctx");
	t_int_eq(url_parse(ctx, "", &u), -1, "parse empty");
	t_int_eq(url_parse_text(ctx, NULL, &u), -1, "text NULL");
	t_int_eq(url_parse_text(ctx, "", &u), -1, "text empty");
	t_ok(url_regdom(ctx, NULL) == NULL, "regdom NULL");
	t_ok(url_regdom(ctx, "") == NULL, "regdom empty");
	t_ok(url_regdom(NULL, "a.example") == NULL, "regdom no ctx");
	s = url_defang(NULL);
	t_str_eq(s, "", "defang NULL");
	free(s);
	t_int_eq(url_text_is_defanged(NULL), 0, "is_defanged NULL");
	t_int_eq(url_scan_text(NULL, 10, scan_cb, NULL), 0, "scan NULL");
	t_int_eq(url_scan_text("http://a.example", 0, scan_cb, NULL), 0,
	    "scan zero length");
	t_int_eq(url_scan_text("http://a.example", 16, NULL, NULL), 1,
	    "scan without callback counts");

	/* tables */
	check_parse(ctx);
	check_text(ctx);
	for (i = 0; i < SAGI_NITEMS(defang_cases); i++) {
		s = url_defang(defang_cases[i].in);
		t_str_eq(s, defang_cases[i].want, "defang: %s",
		    lbl(defang_cases[i].in));
		free(s);
	}
	for (i = 0; i < SAGI_NITEMS(defanged_cases); i++)
		t_int_eq(url_text_is_defanged(defanged_cases[i].in),
		    defanged_cases[i].want, "is_defanged: %s",
		    defanged_cases[i].in);
	check_scan();
	check_shifted();

	/* url_regdom on its own */
	s = url_regdom(ctx, "WWW.Amazon.CO.JP.");
	t_str_eq(s, "amazon.co.jp", "regdom lower-cases and drops the dot");
	free(s);
	s = url_regdom(ctx, "foo.workers.dev");
	t_str_eq(s, "foo.workers.dev", "regdom private suffix");
	free(s);
	s = url_regdom(ctx, "192.0.2.1");
	t_ok(s == NULL, "regdom of an IPv4 literal");
	free(s);
	s = url_regdom(ctx, "::1");
	t_ok(s == NULL, "regdom of an IPv6 literal");
	free(s);
	s = url_regdom(ctx, "co.jp");
	t_ok(s == NULL, "regdom of a public suffix");
	free(s);

	/* a parsed URL can be cleared twice */
	t_int_eq(url_parse(ctx, "https://a.example/", &u), 0, "parse again");
	url_clear(&u);
	url_clear(&u);
	t_ok(u.host == NULL && u.port == -1, "url_clear resets");

	/* bounds: a million "www." and mask runs stay linear and counted */
	buf_init(&b);
	for (i = 0; i < 200000; i++)
		buf_adds(&b, "http://a.b ");
	n = 0;
	t_int_eq(url_scan_text(b.data, b.len, count_cb, &n), 100000,
	    "scan stops at 100000 URLs");
	t_int_eq(n, 100000, "scan callbacks stop at 100000");
	buf_reset(&b);
	for (i = 0; i < 250000; i++)
		buf_adds(&b, "www.");
	t_int_eq(url_text_is_defanged(b.data), 0, "www.www.… is not defanged");
	buf_reset(&b);
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "://@");
	t_int_eq(url_text_is_defanged(b.data), 0, "://@… is not defanged");
	buf_free(&b);

	url_ctx_free(ctx);
	return t_done();
}
