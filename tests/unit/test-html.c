/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for core/html.c: visible and quoted text, links with their
 * text, forms, fonts, images, limits, hostile input, and the <meta>
 * charset prescan.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "html.h"
#include "xalloc.h"

#include "t.h"

/* clang-format off */
static const struct {
	const char	*in;
	const char	*text;
	const char	*quoted;
} text_cases[] = {
	{ "plain", "plain\n", "" },
	{ "<p>a</p><p>b</p>", "a\nb\n", "" },
	{ "<div>one</div>two<br>three", "one\ntwo\nthree\n", "" },
	{ "a<br>b<br><br><br><br>c", "a\nb\n\nc\n", "" },
	{ "<h1>Title</h1>para<hr>after", "Title\npara\nafter\n", "" },
	{ "<ul><li>one<li>two</ul>", "one\ntwo\n", "" },
	{ "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
	  "a b\nc\n", "" },
	{ "  lots \t of\n\n  space  ", "lots of space\n", "" },
	{ "<b>bold</b> <i>italic</i>", "bold italic\n", "" },
	/* entities, numeric references, no-break spaces */
	{ "<p>a&amp;b &#12354;&#x3044; c&nbsp;&nbsp;d &lt;x&gt;</p>",
	  "a&b あい c d <x>\n", "" },
	/* not visible: script, style, head, title, template, comments */
	{ "x<script>alert('no')</script>y<style>p{color:red}</style>z",
	  "xyz\n", "" },
	{ "<html><head><title>T</title><style>a{}</style></head>"
	  "<body>body</body></html>", "body\n", "" },
	{ "<title>T</title>Hello <p>World", "Hello\nWorld\n", "" },
	{ "<template>tpl</template>a<!-- comment -->b", "ab\n", "" },
	/* hidden from the reader */
	{ "<span style=\"display:none\">hid</span>shown", "shown\n", "" },
	{ "<span style=\"DISPLAY : None !important\">hid</span>shown",
	  "shown\n", "" },
	{ "<span style=\"display:/* x */none\">hid</span>shown", "shown\n",
	  "" },
	{ "<span hidden>hid</span>shown", "shown\n", "" },
	{ "<span style=\"font-size:0\">a</span><span style=\"font-size:1px\">"
	  "b</span><span style=\"font-size:0.05em\">c</span>shown",
	  "shown\n", "" },
	{ "<span style=\"font-size:0\"><span style=\"font-size:14px\">"
	  "back</span></span>", "back\n", "" },
	{ "<span style=\"font-size:12px\">readable</span> "
	  "<span style=\"font-size:0.8em\">small</span>",
	  "readable small\n", "" },
	{ "<div style=\"visibility:hidden\">v<span style=\"visibility:visible\">"
	  "V</span></div>", "V\n", "" },
	{ "<div style=\"display:none\"><span style=\"display:block\">still"
	  "</span></div>x", "x\n", "" },
	{ "Ama<span style=\"display:none\">x</span>zon", "Amazon\n", "" },
	/* quoted context */
	{ "live<blockquote>old</blockquote>after", "live\nafter\n", "old\n" },
	{ "<blockquote type=\"cite\">q</blockquote>", "", "q\n" },
	{ "<div class=\"gmail_quote\">On Mon wrote:<div>q</div></div>x",
	  "x\n", "On Mon wrote:\nq\n" },
	{ "<div class=\"moz-cite-prefix\">wrote:</div>"
	  "<div class=\"yahoo_quoted\">y</div>", "", "wrote:\ny\n" },
	/* broken HTML */
	{ "<b>unclosed <i>tags<p>para</a> stray</p></div>end",
	  "unclosed tags\npara stray\nend\n", "" },
	{ "</a></a></div>text<p", "text\n", "" },
	{ "a<<<>>>b", "a<<<>>>b\n", "" },
	{ "<html><body>x</body></html>footer after html",
	  "x\nfooter after html\n", "" },
	/* <meta charset> must not switch the decoding of UTF-8 input */
	{ "<meta charset=\"shift_jis\"><p>日本語</p>", "日本語\n", "" },
	{ "<meta http-equiv=\"Content-Type\" content=\"text/html; "
	  "charset=iso-8859-1\"><p>日本語</p>", "日本語\n", "" },
	{ "", "", "" },
};

static const struct {
	const char	*in;
	const char	*charset;
} meta_cases[] = {
	{ "<meta charset=\"UTF-8\">", "utf-8" },
	{ "<META CHARSET=Shift_JIS>", "shift_jis" },
	{ "<meta http-equiv=\"Content-Type\" content=\"text/html; "
	  "charset=ISO-2022-JP\">", "iso-2022-jp" },
	{ "<html><head><meta name=x content=y>"
	  "<meta http-equiv=content-type content='text/html;charset = euc-jp'>",
	  "euc-jp" },
	{ "<meta name=\"description\" content=\"charset is nothing\">", NULL },
	{ "<p>charset=utf-8</p>", NULL },
	{ "<meta charset=>", NULL },
	{ "<meta charset", NULL },
	{ "no markup", NULL },
	{ "", NULL },
};
/* clang-format on */

static void
check_text(void)
{
	struct html_doc	*d;
	size_t		 i;

	for (i = 0; i < SAGI_NITEMS(text_cases); i++) {
		d = html_extract(text_cases[i].in, strlen(text_cases[i].in),
		    NULL);
		t_str_eq(d->text, text_cases[i].text, "text %zu", i);
		t_int_eq(d->text_len, strlen(text_cases[i].text),
		    "text_len %zu", i);
		t_str_eq(d->quoted, text_cases[i].quoted, "quoted %zu", i);
		t_int_eq(d->quoted_len, strlen(text_cases[i].quoted),
		    "quoted_len %zu", i);
		t_int_eq(d->truncated, 0, "not truncated %zu", i);
		html_doc_free(d);
	}
}

static void
check_meta(void)
{
	char	*cs;
	size_t	 i;

	for (i = 0; i < SAGI_NITEMS(meta_cases); i++) {
		cs = html_meta_charset(meta_cases[i].in,
		    strlen(meta_cases[i].in));
		t_str_eq(cs, meta_cases[i].charset, "meta charset %zu", i);
		free(cs);
	}
}

/* The phishing part of the Amazon campaign, reduced. */
static void
check_phish(void)
{
	static const char html[] =
	    "<html><head><meta charset=\"utf-8\"><title>Amazon</title>"
	    "<style>body{font-family:\"Microsoft YaHei\",SimSun}</style>"
	    "</head><body>"
	    "<font face=\"微软雅黑\">お客様のアカウントは停止されました。</font>"
	    "<p><a href=\"https://amazon-co-jp.xyz-login.cn/signin\">"
	    "Amazon ログイン</a></p>"
	    "<p>詳細: <a href=\"http://evil.example\">"
	    "https://www.amazon.co.jp/</a></p>"
	    "<p style=\"font-family: 'Microsoft YaHei', SimSun\">"
	    "<img src=\"https://evil.example/logo.png\"></p>"
	    "<form action=\"https://evil.example/post\"><input name=p></form>"
	    "<div style=\"display:none\">hidden padding words</div>"
	    "</body></html>";
	struct html_doc	*d;

	d = html_extract(html, sizeof html - 1, NULL);
	t_str_eq(d->text, "お客様のアカウントは停止されました。\n"
	    "Amazon ログイン\n詳細: https://www.amazon.co.jp/\n",
	    "phish: visible text");
	t_int_eq(d->nlinks, 2, "phish: two links");
	if (d->nlinks == 2) {
		t_str_eq(d->links[0].href,
		    "https://amazon-co-jp.xyz-login.cn/signin",
		    "phish: link 0 href");
		t_str_eq(d->links[0].text, "Amazon ログイン",
		    "phish: link 0 text");
		t_ok(strncmp(d->text + d->links[0].text_off, "Amazon ログイン",
		    strlen("Amazon ログイン")) == 0, "phish: link 0 text_off");
		t_str_eq(d->links[1].href, "http://evil.example",
		    "phish: link 1 href");
		t_str_eq(d->links[1].text, "https://www.amazon.co.jp/",
		    "phish: link 1 text");
		t_ok(strncmp(d->text + d->links[1].text_off,
		    "https://www.amazon.co.jp/", 25) == 0,
		    "phish: link 1 text_off");
		t_int_eq(d->links[0].quoted + d->links[1].quoted, 0,
		    "phish: links are live");
	}
	t_int_eq(d->nfonts, 3, "phish: three distinct fonts");
	if (d->nfonts == 3) {
		t_str_eq(d->fonts[0], "Microsoft YaHei", "phish: font 0");
		t_str_eq(d->fonts[1], "SimSun", "phish: font 1");
		t_str_eq(d->fonts[2], "微软雅黑", "phish: font 2");
	}
	t_int_eq(d->nforms, 1, "phish: one form");
	if (d->nforms == 1)
		t_str_eq(d->forms[0], "https://evil.example/post",
		    "phish: form action");
	t_int_eq(d->nimages, 1, "phish: one image");
	if (d->nimages == 1)
		t_str_eq(d->images[0], "https://evil.example/logo.png",
		    "phish: image src");
	t_ok(strstr(d->text, "padding") == NULL, "phish: hidden text kept out");
	t_ok(strstr(d->text, "Amazon\n") == NULL, "phish: title kept out");
	html_doc_free(d);
}

static void
check_links(void)
{
	struct html_doc	*d;
	const char	*s;

	/* href trimmed and entity-decoded; img alt as text */
	s = "<a href=\" https://x.example/?a=1&amp;b=2 \">"
	    "<img src=\"btn.png\" alt=\"  ログイン  する \"></a>";
	d = html_extract(s, strlen(s), NULL);
	t_int_eq(d->nlinks, 1, "img link: one link");
	if (d->nlinks == 1) {
		t_str_eq(d->links[0].href, "https://x.example/?a=1&b=2",
		    "img link: href");
		t_str_eq(d->links[0].text, "ログイン する",
		    "img link: alt text");
	}
	html_doc_free(d);

	/* nested <a>: the inner one closes the outer (HTML5) */
	s = "<div>one<a href=x>two<a href=y>three</a>four</a>five</div>";
	d = html_extract(s, strlen(s), NULL);
	t_str_eq(d->text, "onetwothreefourfive\n", "nested a: text");
	t_int_eq(d->nlinks, 2, "nested a: two links");
	if (d->nlinks == 2) {
		t_str_eq(d->links[0].text, "two", "nested a: outer text");
		t_int_eq(d->links[0].text_off, 3, "nested a: outer offset");
		t_str_eq(d->links[1].text, "three", "nested a: inner text");
		t_int_eq(d->links[1].text_off, 6, "nested a: inner offset");
	}
	html_doc_free(d);

	/* quoted link, offset into quoted text; <area>; <a> without href */
	s = "<p>see</p><blockquote>old <a href=\"http://q.example\">ql</a>"
	    "</blockquote><map><area href=\"http://area.example\" alt=\"A\">"
	    "</map><a name=top>anchor</a><a href=\"http://l.example\">"
	    "<b>bold</b> <div>block</div></a>";
	d = html_extract(s, strlen(s), NULL);
	t_int_eq(d->nlinks, 3, "mixed: three links");
	if (d->nlinks == 3) {
		t_int_eq(d->links[0].quoted, 1, "mixed: quoted link");
		t_str_eq(d->quoted + d->links[0].text_off, "ql\n",
		    "mixed: quoted text_off");
		t_str_eq(d->links[1].href, "http://area.example",
		    "mixed: area");
		t_str_eq(d->links[1].text, "A", "mixed: area alt");
		t_int_eq(d->links[1].quoted, 0, "mixed: area live");
		t_str_eq(d->links[2].text, "bold block",
		    "mixed: block in link");
	}
	html_doc_free(d);

	/* an unclosed <a> still gets its text; a hidden link is listed */
	s = "<div style=\"display:none\"><a href=\"http://h.example\">h</a>"
	    "</div><a href=x>unclosed link text";
	d = html_extract(s, strlen(s), NULL);
	t_int_eq(d->nlinks, 2, "unclosed: two links");
	if (d->nlinks == 2) {
		t_str_eq(d->links[0].text, "", "unclosed: hidden link no text");
		t_str_eq(d->links[1].text, "unclosed link text",
		    "unclosed: text");
	}
	html_doc_free(d);
}

static void
check_fonts(void)
{
	struct html_doc	*d;
	const char	*s;

	s = "<font face=\"微软雅黑, SimSun\">x</font>"
	    "<span style=\"font-family: 'Microsoft YaHei', SimSun; "
	    "font-size:12px\">y</span>"
	    "<span style=\"font-family:\\5FAE\\8F6F\\96C5\\9ED1\">z</span>"
	    "<style>p { font-family : \"MS Gothic\" , simsun ; }</style>";
	d = html_extract(s, strlen(s), NULL);
	t_int_eq(d->nfonts, 4, "fonts: four distinct");
	if (d->nfonts == 4) {
		t_str_eq(d->fonts[0], "微软雅黑", "fonts: face 0");
		t_str_eq(d->fonts[1], "SimSun", "fonts: face 1");
		t_str_eq(d->fonts[2], "Microsoft YaHei", "fonts: style attr");
		t_str_eq(d->fonts[3], "MS Gothic", "fonts: style element");
	}
	t_str_eq(d->text, "xyz\n", "fonts: text");
	html_doc_free(d);
}

static void
check_limits(void)
{
	struct html_limits	 lim = { 10, 2, 1 };
	struct html_doc		*d;
	struct buf		 b;
	const char		*s;
	size_t			 i;

	s = "<p>0123456789abcdef</p>";
	d = html_extract(s, strlen(s), &lim);
	t_str_eq(d->text, "0123456789", "limits: text cut at max_text");
	t_int_eq(d->truncated, 1, "limits: text sets truncated");
	html_doc_free(d);

	/* a cut never splits a UTF-8 character */
	s = "あいうえお";
	d = html_extract(s, strlen(s), &lim);
	t_str_eq(d->text, "あいう", "limits: cut on a character boundary");
	html_doc_free(d);

	s = "<a href=1>a</a><a href=2>b</a><a href=3>c</a>"
	    "<img src=i1><img src=i2><form></form><form></form>"
	    "<font face=\"A,B\">x</font>";
	d = html_extract(s, strlen(s), &lim);
	t_int_eq(d->nlinks, 2, "limits: max_links");
	t_int_eq(d->nimages, 1, "limits: max_items images");
	t_int_eq(d->nforms, 1, "limits: max_items forms");
	t_int_eq(d->nfonts, 1, "limits: max_items fonts");
	t_int_eq(d->truncated, 1, "limits: truncated");
	html_doc_free(d);

	/* defaults */
	buf_init(&b);
	for (i = 0; i < 2100; i++)
		buf_printf(&b, "<a href=\"http://%zu.example\">%zu</a>", i, i);
	d = html_extract(b.data, b.len, NULL);
	t_int_eq(d->nlinks, 2000, "limits: default max_links");
	t_int_eq(d->truncated, 1, "limits: default truncated");
	html_doc_free(d);
	buf_free(&b);
}

/*
 * Seconds since *a, divided by SAGI_TEST_SLOWDOWN when that is set: make
 * check-valgrind runs this under memcheck, about 50 times slower, where
 * the bounds below must still catch a quadratic parse (minutes natively)
 * but not the interpreter's overhead.
 */
static double
elapsed(const struct timespec *a)
{
	struct timespec	 b;
	const char	*env = getenv("SAGI_TEST_SLOWDOWN");
	double		 slowdown = env != NULL ? atof(env) : 1.0;

	clock_gettime(CLOCK_MONOTONIC, &b);
	if (slowdown < 1.0)
		slowdown = 1.0;
	return ((double)(b.tv_sec - a->tv_sec) +
	    (double)(b.tv_nsec - a->tv_nsec) / 1e9) / slowdown;
}

static void
check_hostile(void)
{
	struct html_doc	*d;
	struct buf	 b;
	struct timespec	 t0;
	char		*r;
	size_t		 i, n = 5 * 1024 * 1024;
	unsigned int	 x = 12345;

	/* NUL, controls and invalid UTF-8 do not derail the decoding */
	d = html_extract("<p>a\0b\x01" "c\xff\xfe" "日本</p>", 16, NULL);
	t_str_eq(d->text, "a\xef\xbf\xbd" "b c\xef\xbf\xbd\xef\xbf\xbd日本\n",
	    "hostile: bad bytes become U+FFFD, Japanese intact");
	html_doc_free(d);

	/* 5 MB of random bytes */
	r = xmalloc(n);
	for (i = 0; i < n; i++) {
		x = x * 1103515245 + 12345;
		r[i] = (char)(x >> 16);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	d = html_extract(r, n, NULL);
	T_TOOK("hostile: 5 MB random", elapsed(&t0));
	t_ok(d->text_len <= 1024 * 1024, "hostile: text within max_text");
	html_doc_free(d);
	free(r);

	/* 1000-deep nesting keeps its text */
	buf_init(&b);
	for (i = 0; i < 1000; i++)
		buf_adds(&b, "<div>");
	buf_adds(&b, "deep <a href=\"http://deep.example\">link</a>");
	for (i = 0; i < 1000; i++)
		buf_adds(&b, "</div>");
	buf_adds(&b, "tail");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	d = html_extract(b.data, b.len, NULL);
	T_TOOK("hostile: 1000-deep", elapsed(&t0));
	t_str_eq(d->text, "deep link\ntail\n", "hostile: 1000-deep text");
	t_int_eq(d->nlinks, 1, "hostile: 1000-deep link");
	html_doc_free(d);

	/*
	 * Regression: libxml2 2.9 scans its whole element stack for every
	 * stray end tag, and compares every attribute with all earlier ones
	 * of the tag; both took minutes before the depth restart and the
	 * attribute cap.
	 */
	buf_reset(&b);
	for (i = 0; i < 200000; i++)
		buf_adds(&b, "<div>");
	for (i = 0; i < 200000; i++)
		buf_adds(&b, "</p>");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	d = html_extract(b.data, b.len, NULL);
	T_TOOK("hostile: deep + stray end tags", elapsed(&t0));
	html_doc_free(d);

	buf_reset(&b);
	buf_adds(&b, "<a href=\"http://attrs.example\"");
	for (i = 0; i < 200000; i++)
		buf_printf(&b, " a%zu", i);
	buf_adds(&b, ">many</a> after");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	d = html_extract(b.data, b.len, NULL);
	T_TOOK("hostile: 200000 attributes", elapsed(&t0));
	t_str_eq(d->text, "many after\n", "hostile: attributes text");
	t_int_eq(d->nlinks, 1, "hostile: attributes link kept");
	t_int_eq(d->truncated, 1, "hostile: attributes truncated");
	html_doc_free(d);
	buf_free(&b);
}

/* A link's text_off indexes its own text: a quote opened inside an <a>
 * begun outside one (found by fuzz/fuzz-html) must not move it into the
 * quoted text's offsets. */
static void
test_link_offset_sink(void)
{
	static const char	 in[] = "<blockquote>\"</blockquote><a href>"
	    "<v class=gmail_quote>a";
	struct html_doc		*d = html_extract(in, sizeof in - 1, NULL);

	t_ok(d->nlinks == 1 && !d->links[0].quoted &&
	    d->links[0].text_off <= d->text_len,
	    "link begun outside a quote: text_off %zu within the text (%zu)",
	    d->nlinks == 1 ? d->links[0].text_off : 0, d->text_len);
	html_doc_free(d);
}

int
main(void)
{
	struct html_doc	*d;

	test_link_offset_sink();
	/* NULL and degenerate inputs */
	html_doc_free(NULL);
	d = html_extract(NULL, 0, NULL);
	t_ok(d != NULL && d->text != NULL && d->text_len == 0 &&
	    d->quoted != NULL && d->nlinks == 0, "extract NULL");
	html_doc_free(d);
	d = html_extract(NULL, 100, NULL);
	t_ok(d != NULL && d->text_len == 0, "extract NULL with a length");
	html_doc_free(d);
	d = html_extract("", 0, NULL);
	t_str_eq(d->text, "", "extract empty");
	t_int_eq(d->nfonts + d->nforms + d->nimages, 0, "extract empty lists");
	html_doc_free(d);
	d = html_extract("<p>x</p>", 0, NULL);
	t_str_eq(d->text, "", "extract zero length");
	html_doc_free(d);
	t_ok(html_meta_charset(NULL, 10) == NULL, "meta NULL");

	/* tables */
	check_text();
	check_meta();

	/* documents */
	check_phish();
	check_links();
	check_fonts();
	check_limits();
	check_hostile();

	/* the prescan only looks at the first 4 KB */
	{
		struct buf	 b;
		char		*cs;
		size_t		 i;

		buf_init(&b);
		for (i = 0; i < 4100; i++)
			buf_addc(&b, ' ');
		buf_adds(&b, "<meta charset=utf-8>");
		cs = html_meta_charset(b.data, b.len);
		t_ok(cs == NULL, "meta past 4 KB ignored");
		free(cs);
		buf_free(&b);
	}
	return t_done();
}
