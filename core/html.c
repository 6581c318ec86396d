/* SPDX-License-Identifier: ISC */
/*
 * What a reader sees in an HTML part, and what a detector needs from it:
 * visible text (quoted text apart), links with their visible text, form
 * actions, font names and image sources.  Streams through libxml2's HTML
 * SAX parser and never builds a tree, so a big part costs one pass.
 * Input must already be UTF-8; no charset work happens here.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlversion.h>
#include <unicode/utf8.h>

#include "buf.h"
#include "html.h"
#include "xalloc.h"

#define HTML_DEF_MAX_TEXT	(1024 * 1024)
#define HTML_DEF_MAX_LINKS	2000
#define HTML_DEF_MAX_ITEMS	200

/*
 * Open elements before the rest is parsed as a new document (see
 * html_deep).  libxml2's own depth limit for XML; mail stays far below.
 */
#define HTML_MAX_DEPTH		256
/* Attributes per start tag passed to libxml2 (see html_tokens). */
#define HTML_MAX_ATTRS		100
/* Bytes of <style> contents kept per element for font-family scanning. */
#define HTML_MAX_STYLE		(256 * 1024)
/* Longest attribute value looked at (style, class, face, href…). */
#define HTML_MAX_ATTR		(64 * 1024)
/* Longest single font name kept. */
#define HTML_MAX_FONT		128

/* State of one open element, inherited by its children. */
struct html_frame {
	const char	*name;		/* libxml2's (dictionary) name */
	unsigned int	 flags;
#define HTML_SKIP	0x01	/* not rendered at all: script, style, head… */
#define HTML_NONE	0x02	/* display:none, hidden: not undone below */
#define HTML_INVIS	0x04	/* visibility:hidden: a child may set visible */
#define HTML_TINY	0x08	/* font-size 0 or 1px: a child may enlarge it */
#define HTML_QUOTED	0x10	/* inside a quote of an earlier message */
#define HTML_STYLE	0x20	/* a <style> element: contents are CSS */
#define HTML_BLOCK	0x40	/* ends a line when it ends */
#define HTML_CELL	0x80	/* table cell: separated by a space */
	long		 link;		/* link this <a> opened, or -1 */
};

/* One text output (visible text, or quoted text). */
struct html_sink {
	struct buf	 b;
	int		 space;		/* a space is due before more text */
	int		 full;		/* max_text reached */
};

struct html_ctx {
	struct html_doc		*doc;
	struct html_limits	 lim;
	struct html_sink	 text;
	struct html_sink	 quoted;

	htmlParserCtxtPtr	 ctxt;		/* the parser now running */
	size_t			 ctxt_base;	/* where its input began */
	int			 stopping;	/* restarting: ignore events */
	size_t			 restart_at;	/* offset to parse on from */

	struct html_frame	*stack;
	size_t			 depth;

	long			 link;		/* link taking text, or -1 */
	struct buf		 ltext;		/* its visible text so far */
	int			 lspace;
	int			 lhas_off;	/* its text_off is set */
	char			*lalt;		/* alt of its first <img> */

	struct buf		 css;		/* text of the open <style> */

	size_t			 links_cap;
	size_t			 forms_cap;
	size_t			 fonts_cap;
	size_t			 images_cap;
};

/*
 * What an element does to the text.  Keep it in strcmp order: bsearch.
 * HTML_BLOCK: starts and ends a line.  HTML_CELL: separated by a space.
 * HTML_SKIP: contents a mail reader never shows.  <noscript> is not
 * skipped: mail readers run no scripts, so they show it.  <iframe> and
 * <object> contents are fallback markup a reader does not render.
 */
struct html_elem {
	const char	*name;
	unsigned int	 flags;
};

/* clang-format off */
static const struct html_elem html_elems[] = {
	{ "address",     HTML_BLOCK },
	{ "article",     HTML_BLOCK },
	{ "aside",       HTML_BLOCK },
	{ "blockquote",  HTML_BLOCK },
	{ "body",        HTML_BLOCK },
	{ "caption",     HTML_BLOCK },
	{ "center",      HTML_BLOCK },
	{ "dd",          HTML_BLOCK },
	{ "details",     HTML_BLOCK },
	{ "dialog",      HTML_BLOCK },
	{ "div",         HTML_BLOCK },
	{ "dl",          HTML_BLOCK },
	{ "dt",          HTML_BLOCK },
	{ "fieldset",    HTML_BLOCK },
	{ "figcaption",  HTML_BLOCK },
	{ "figure",      HTML_BLOCK },
	{ "footer",      HTML_BLOCK },
	{ "form",        HTML_BLOCK },
	{ "h1",          HTML_BLOCK },
	{ "h2",          HTML_BLOCK },
	{ "h3",          HTML_BLOCK },
	{ "h4",          HTML_BLOCK },
	{ "h5",          HTML_BLOCK },
	{ "h6",          HTML_BLOCK },
	{ "head",        HTML_SKIP },
	{ "header",      HTML_BLOCK },
	{ "hr",          HTML_BLOCK },
	{ "html",        HTML_BLOCK },
	{ "iframe",      HTML_SKIP },
	{ "legend",      HTML_BLOCK },
	{ "li",          HTML_BLOCK },
	{ "main",        HTML_BLOCK },
	{ "menu",        HTML_BLOCK },
	{ "nav",         HTML_BLOCK },
	{ "noembed",     HTML_SKIP },
	{ "noframes",    HTML_SKIP },
	{ "object",      HTML_SKIP },
	{ "ol",          HTML_BLOCK },
	{ "p",           HTML_BLOCK },
	{ "pre",         HTML_BLOCK },
	{ "script",      HTML_SKIP },
	{ "section",     HTML_BLOCK },
	{ "style",       HTML_SKIP | HTML_STYLE },
	{ "summary",     HTML_BLOCK },
	{ "table",       HTML_BLOCK },
	{ "tbody",       HTML_BLOCK },
	{ "td",          HTML_CELL },
	{ "template",    HTML_SKIP },
	{ "tfoot",       HTML_BLOCK },
	{ "th",          HTML_CELL },
	{ "thead",       HTML_BLOCK },
	{ "title",       HTML_SKIP },
	{ "tr",          HTML_BLOCK },
	{ "ul",          HTML_BLOCK },
	{ "xml",         HTML_SKIP },
};
/* clang-format on */

static int
html_elem_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct html_elem *)elem)->name);
}

static unsigned int
html_elem_flags(const char *name)
{
	const struct html_elem	*e;

	e = bsearch(name, html_elems, SAGI_NITEMS(html_elems),
	    sizeof html_elems[0], html_elem_cmp);
	return e != NULL ? e->flags : 0;
}

static int
html_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int
html_is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Case-insensitive ASCII search for needle (lower case) in s[0..len). */
static const char *
html_memcase(const char *s, size_t len, const char *needle)
{
	size_t	 n = strlen(needle), i, j;

	if (n == 0 || len < n)
		return NULL;
	for (i = 0; i + n <= len; i++) {
		for (j = 0; j < n; j++) {
			if (html_lower((unsigned char)s[i + j]) != needle[j])
				break;
		}
		if (j == n)
			return s + i;
	}
	return NULL;
}

/* Value of attribute name in a libxml2 attribute array, or NULL. */
static const char *
html_attr(const xmlChar **atts, const char *name)
{
	size_t	 i;

	if (atts == NULL)
		return NULL;
	for (i = 0; atts[i] != NULL; i += 2) {
		if (strcmp((const char *)atts[i], name) == 0)
			return (atts[i + 1] != NULL ?
			    (const char *)atts[i + 1] : "");
	}
	return NULL;
}

/* Owned copy of s without surrounding ASCII whitespace. */
static char *
html_trimdup(const char *s)
{
	size_t	 len;

	while (html_is_ws((unsigned char)*s))
		s++;
	len = strnlen(s, HTML_MAX_ATTR);
	while (len > 0 && html_is_ws((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

/* Appends s to a list, growing it; returns 0, or -1 at the item limit. */
static int
html_list_add(struct html_ctx *h, char ***list, size_t *n, size_t *cap,
    char *s)
{
	if (*n >= h->lim.max_items) {
		h->doc->truncated = 1;
		free(s);
		return -1;
	}
	if (*n == *cap) {
		*cap = *cap == 0 ? 8 : *cap * 2;
		*list = xreallocarray(*list, *cap, sizeof **list);
	}
	(*list)[(*n)++] = s;
	return 0;
}

/* Bytes of s[0..n) that fit in room without splitting a UTF-8 character. */
static size_t
html_utf8_fit(const char *s, size_t n, size_t room)
{
	if (n <= room)
		return n;
	n = room;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/*
 * Adds a run of non-blank text to a sink, after the pending space unless
 * the line is empty.  Returns the offset where the run begins.
 */
static size_t
html_sink_add(struct html_ctx *h, struct html_sink *k, const char *s,
    size_t n)
{
	size_t	 room;

	if (k->full)
		return k->b.len;
	if (k->space && k->b.len > 0 && k->b.data[k->b.len - 1] != '\n') {
		if (k->b.len + 1 > h->lim.max_text) {
			k->full = 1;
			h->doc->truncated = 1;
			return k->b.len;
		}
		buf_addc(&k->b, ' ');
	}
	k->space = 0;
	room = h->lim.max_text - k->b.len;
	if (n > room) {
		n = html_utf8_fit(s, n, room);
		k->full = 1;
		h->doc->truncated = 1;
	}
	buf_add(&k->b, s, n);
	return k->b.len - n;
}

static void
html_sink_break(struct html_ctx *h, struct html_sink *k)
{
	k->space = 0;
	if (k->full || k->b.len == 0 || k->b.data[k->b.len - 1] == '\n')
		return;
	if (k->b.len + 1 > h->lim.max_text) {
		k->full = 1;
		h->doc->truncated = 1;
		return;
	}
	buf_addc(&k->b, '\n');
}

/* A block boundary ends the line in both sinks and spaces link text. */
static void
html_break(struct html_ctx *h)
{
	html_sink_break(h, &h->text);
	html_sink_break(h, &h->quoted);
	if (h->link >= 0)
		h->lspace = 1;
}

static void
html_space(struct html_ctx *h)
{
	h->text.space = h->quoted.space = 1;
	if (h->link >= 0)
		h->lspace = 1;
}

static const struct html_frame *
html_top(const struct html_ctx *h)
{
	static const struct html_frame root = { "", 0, -1 };

	return h->depth > 0 ? &h->stack[h->depth - 1] : &root;
}

/* Visible text: collapse ASCII whitespace and no-break spaces. */
static void
html_text(struct html_ctx *h, const char *s, size_t len)
{
	const struct html_frame	*f = html_top(h);
	struct html_sink	*k;
	size_t			 i = 0, j, off;

	if (f->flags & HTML_SKIP) {
		if ((f->flags & HTML_STYLE) && h->css.len < HTML_MAX_STYLE)
			buf_add(&h->css, s, html_utf8_fit(s, len,
			    HTML_MAX_STYLE - h->css.len));
		return;
	}
	if (f->flags & (HTML_NONE | HTML_INVIS | HTML_TINY))
		return;
	k = (f->flags & HTML_QUOTED) ? &h->quoted : &h->text;

	while (i < len) {
		if (html_is_ws((unsigned char)s[i])) {
			k->space = 1;
			if (h->link >= 0)
				h->lspace = 1;
			i++;
			continue;
		}
		if ((unsigned char)s[i] == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] == 0xa0) {
			k->space = 1;
			if (h->link >= 0)
				h->lspace = 1;
			i += 2;
			continue;
		}
		for (j = i; j < len && !html_is_ws((unsigned char)s[j]) &&
		    !((unsigned char)s[j] == 0xc2 && j + 1 < len &&
		    (unsigned char)s[j + 1] == 0xa0); j++)
			;
		off = html_sink_add(h, k, s + i, j - i);
		if (h->link >= 0) {
			const struct html_link *l = &h->doc->links[h->link];

			/* text_off indexes the link's own sink: a link begun
			 * outside a quote whose text lands inside one (a quote
			 * opened within the <a>) keeps the offset it got when
			 * it began (found by fuzz/fuzz-html). */
			if (!h->lhas_off && k == (l->quoted ? &h->quoted :
			    &h->text)) {
				h->doc->links[h->link].text_off = off;
				h->lhas_off = 1;
			}
			if (h->lspace && h->ltext.len > 0)
				buf_addc(&h->ltext, ' ');
			h->lspace = 0;
			if (h->ltext.len < h->lim.max_text)
				buf_add(&h->ltext, s + i, html_utf8_fit(s + i,
				    j - i, h->lim.max_text - h->ltext.len));
		}
		i = j;
	}
}

/* Collapses whitespace in an attribute (alt text) into an owned string. */
static char *
html_collapse(const char *s)
{
	struct buf	 b;
	int		 space = 0;
	char		*out;
	size_t		 n = 0;

	buf_init(&b);
	for (; *s != '\0' && n < HTML_MAX_ATTR; s++, n++) {
		if (html_is_ws((unsigned char)*s)) {
			space = 1;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = 0;
		buf_addc(&b, *s);
	}
	out = buf_take(&b);
	buf_free(&b);
	return out;
}

/* Ends the link collecting text: its text, or the alt of an image in it. */
static void
html_link_end(struct html_ctx *h)
{
	struct html_link	*l;

	if (h->link < 0)
		return;
	l = &h->doc->links[h->link];
	if (h->ltext.len > 0)
		l->text = xstrdup(h->ltext.data);
	else if (h->lalt != NULL)
		l->text = html_collapse(h->lalt);
	else
		l->text = xstrdup("");
	if (!h->lhas_off) {
		l->text_off = l->quoted ? h->quoted.b.len : h->text.b.len;
	}
	buf_reset(&h->ltext);
	free(h->lalt);
	h->lalt = NULL;
	h->link = -1;
}

/* Records a link; returns its index, or -1 at the limit. */
static long
html_link_new(struct html_ctx *h, const char *href, int quoted)
{
	struct html_doc		*d = h->doc;
	struct html_link	*l;

	if (d->nlinks >= h->lim.max_links) {
		d->truncated = 1;
		return -1;
	}
	if (d->nlinks == h->links_cap) {
		h->links_cap = h->links_cap == 0 ? 16 : h->links_cap * 2;
		d->links = xreallocarray(d->links, h->links_cap, sizeof *l);
	}
	l = &d->links[d->nlinks];
	memset(l, 0, sizeof *l);
	l->href = html_trimdup(href);
	l->quoted = quoted;
	l->text_off = quoted ? h->quoted.b.len : h->text.b.len;
	return (long)d->nlinks++;
}

/*
 * Decodes CSS escapes ("\5FAE\8F6F\96C5\9ED1" is 微软雅黑, as Chinese
 * Outlook writes it) into b.  Returns the bytes consumed from s.
 */
static size_t
html_css_unescape(struct buf *b, const char *s, size_t len)
{
	uint32_t	 cp = 0;
	size_t		 i = 1, n = 0;
	int		 d;
	char		 out[4];
	size_t		 o = 0;
	int		 err = 0;

	if (len < 2)
		return len;	/* a lone backslash at the end: dropped */
	while (i < len && n < 6) {
		d = s[i];
		if (d >= '0' && d <= '9')
			d -= '0';
		else if ((d | 0x20) >= 'a' && (d | 0x20) <= 'f')
			d = (d | 0x20) - 'a' + 10;
		else
			break;
		cp = cp * 16 + (uint32_t)d;
		i++;
		n++;
	}
	if (n == 0) {
		/* "\X" is X itself. */
		buf_addc(b, s[1]);
		return 2;
	}
	if (i < len && html_is_ws((unsigned char)s[i]))
		i++;
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	U8_APPEND((uint8_t *)out, o, 4, (UChar32)cp, err);
	if (!err)
		buf_add(b, out, o);
	return i;
}

/* ASCII case-insensitive equality of a font name and s[0..n). */
static int
html_same_font(const char *font, const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (font[i] == '\0' || html_lower((unsigned char)font[i]) !=
		    html_lower((unsigned char)s[i]))
			return 0;
	}
	return font[n] == '\0';
}

/*
 * Splits a font-family value (or a <font face>) on commas and records
 * each family, quotes and blanks stripped, CSS escapes decoded when css.
 * Duplicates (ASCII case-insensitive) are dropped.
 */
static void
html_fonts_add(struct html_ctx *h, const char *v, size_t len, int css)
{
	struct html_doc	*d = h->doc;
	struct buf	 b;
	size_t		 i = 0, s, e, k;
	char		*name;
	int		 dup;

	buf_init(&b);
	while (i <= len) {
		s = i;
		while (i < len && v[i] != ',')
			i++;
		e = i++;
		buf_reset(&b);
		for (k = s; k < e;) {
			if (css && v[k] == '\\')
				k += html_css_unescape(&b, v + k, e - k);
			else
				buf_addc(&b, v[k++]);
		}
		s = 0;
		e = b.len;
		while (s < e && html_is_ws((unsigned char)b.data[s]))
			s++;
		while (e > s && html_is_ws((unsigned char)b.data[e - 1]))
			e--;
		if (e - s >= 2 && (b.data[s] == '"' || b.data[s] == '\'') &&
		    b.data[e - 1] == b.data[s]) {
			s++;
			e--;
		} else if (e > s && (b.data[s] == '"' || b.data[s] == '\''))
			s++;
		while (s < e && html_is_ws((unsigned char)b.data[s]))
			s++;
		while (e > s && html_is_ws((unsigned char)b.data[e - 1]))
			e--;
		if (e == s || e - s > HTML_MAX_FONT)
			continue;
		dup = 0;
		for (k = 0; k < d->nfonts && !dup; k++)
			dup = html_same_font(d->fonts[k], b.data + s, e - s);
		if (dup)
			continue;
		name = xstrndup(b.data + s, e - s);
		if (html_list_add(h, &d->fonts, &d->nfonts, &h->fonts_cap,
		    name) != 0)
			break;
	}
	buf_free(&b);
}

/*
 * Copies CSS with comments blanked: "display: none" hides even when a
 * comment sits between the colon and the value.
 */
static char *
html_css_strip(const char *s, size_t len)
{
	char	*out, *o;
	size_t	 i = 0;

	out = o = xmalloc(len + 1);
	while (i < len) {
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			i += 2;
			while (i < len && !(s[i] == '*' && i + 1 < len &&
			    s[i + 1] == '/'))
				i++;
			i += 2;
			*o++ = ' ';
			continue;
		}
		*o++ = s[i++];
	}
	*o = '\0';
	return out;
}

/* Trims blanks and "!important" from a declaration value. */
static void
html_css_value(const char **v, size_t *n)
{
	const char	*imp;

	while (*n > 0 && html_is_ws((unsigned char)**v)) {
		(*v)++;
		(*n)--;
	}
	imp = html_memcase(*v, *n, "!important");
	if (imp != NULL)
		*n = (size_t)(imp - *v);
	while (*n > 0 && html_is_ws((unsigned char)(*v)[*n - 1]))
		(*n)--;
}

static int
html_css_is(const char *v, size_t n, const char *word)
{
	return strlen(word) == n && html_memcase(v, n, word) == v;
}

/*
 * font-size that nobody can read: 0 in any unit, 1px or less, 1pt or
 * less, or a tenth of the parent or less.  Returns 1 tiny, 0 readable,
 * -1 relative and not tiny (inherits the parent's state).
 */
static int
html_css_tiny(const char *v, size_t n)
{
	double		 x = 0, scale = 1;
	size_t		 i = 0, ulen;
	const char	*unit;
	int		 digits = 0;

	/* By hand: strtod would follow the locale's decimal point. */
	if (i < n && v[i] == '+')
		i++;
	else if (i < n && v[i] == '-')
		return -1;	/* invalid, so ignored by the browser */
	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++)
		x = x * 10 + (v[i] - '0');
	if (i < n && v[i] == '.') {
		for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
			scale /= 10;
			x += (v[i] - '0') * scale;
		}
	}
	if (digits == 0)
		return 0;	/* keywords: small, medium… are readable */
	unit = v + i;
	ulen = n - i;
	if (x == 0)
		return 1;
	if (html_css_is(unit, ulen, "px") || html_css_is(unit, ulen, "pt"))
		return x <= 1.0;
	if (html_css_is(unit, ulen, "%"))
		return x <= 10 ? 1 : -1;
	if (html_css_is(unit, ulen, "em") || html_css_is(unit, ulen, "ex") ||
	    html_css_is(unit, ulen, "ch"))
		return x <= 0.1 ? 1 : -1;
	if (html_css_is(unit, ulen, "rem"))
		return x <= 0.1;
	return 0;
}

/*
 * Applies an inline style attribute to a frame: hiding declarations and
 * font families.  Later declarations override earlier ones, as in CSS.
 */
static void
html_style(struct html_ctx *h, struct html_frame *f, const char *style)
{
	char		*css;
	const char	*p, *colon, *end, *v;
	size_t		 n, plen;
	int		 tiny;

	css = html_css_strip(style, strnlen(style, HTML_MAX_ATTR));
	for (p = css; *p != '\0'; p = *end == ';' ? end + 1 : end) {
		end = p + strcspn(p, ";");
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon == NULL)
			continue;
		while (p < colon && html_is_ws((unsigned char)*p))
			p++;
		plen = (size_t)(colon - p);
		while (plen > 0 && html_is_ws((unsigned char)p[plen - 1]))
			plen--;
		v = colon + 1;
		n = (size_t)(end - v);
		html_css_value(&v, &n);
		if (html_css_is(p, plen, "display")) {
			if (html_css_is(v, n, "none"))
				f->flags |= HTML_NONE;
		} else if (html_css_is(p, plen, "visibility")) {
			if (html_css_is(v, n, "hidden") ||
			    html_css_is(v, n, "collapse"))
				f->flags |= HTML_INVIS;
			else if (html_css_is(v, n, "visible"))
				f->flags &= ~HTML_INVIS;
		} else if (html_css_is(p, plen, "font-size")) {
			tiny = html_css_tiny(v, n);
			if (tiny == 1)
				f->flags |= HTML_TINY;
			else if (tiny == 0)
				f->flags &= ~HTML_TINY;
		} else if (html_css_is(p, plen, "font-family"))
			html_fonts_add(h, v, n, 1);
	}
	free(css);
}

/* font-family declarations anywhere in a style sheet. */
static void
html_css_fonts(struct html_ctx *h, const char *s, size_t len)
{
	char		*css;
	const char	*p, *v, *end;
	size_t		 clen, n;

	css = html_css_strip(s, len);
	clen = strlen(css);
	p = css;
	while ((p = html_memcase(p, clen - (size_t)(p - css),
	    "font-family")) != NULL) {
		v = p + strlen("font-family");
		while (html_is_ws((unsigned char)*v))
			v++;
		if (*v != ':') {
			p = v;
			continue;
		}
		v++;
		end = v + strcspn(v, ";}<");
		n = (size_t)(end - v);
		html_css_value(&v, &n);
		html_fonts_add(h, v, n, 1);
		p = end;
	}
	free(css);
}

/*
 * Quoted text of an earlier message: <blockquote> (type=cite or not),
 * Gmail's gmail_quote, Thunderbird's moz-cite-prefix, Yahoo's
 * yahoo_quoted containers.
 */
static int
html_is_quote(const char *name, const xmlChar **atts)
{
	const char	*class;
	size_t		 n;

	if (strcmp(name, "blockquote") == 0)
		return 1;
	class = html_attr(atts, "class");
	if (class == NULL)
		return 0;
	n = strnlen(class, HTML_MAX_ATTR);
	return (html_memcase(class, n, "gmail_quote") != NULL ||
	    html_memcase(class, n, "moz-cite-prefix") != NULL ||
	    html_memcase(class, n, "yahoo_quoted") != NULL);
}

/*
 * libxml2 2.9 looks through its whole stack of open elements for every
 * end tag that matches none of them, so deep nesting followed by stray
 * end tags costs depth x tags: minutes for a few MB.  Past
 * HTML_MAX_DEPTH open elements the parser is stopped and the rest of the
 * input parsed as a new document.  Its text is kept, but the quoting and
 * hiding of the elements left open are forgotten: freezing them instead
 * would let "<blockquote>" x 257 hide everything after it.  Void elements
 * and script/style (whose contents hold no elements) never trigger it.
 */
static void
html_deep(struct html_ctx *h, const xmlChar *xname)
{
	const htmlElemDesc	*desc;
	long			 pos;

	desc = htmlTagLookup(xname);
	if ((desc != NULL && desc->empty) ||
	    strcmp((const char *)xname, "script") == 0 ||
	    strcmp((const char *)xname, "style") == 0)
		return;
	pos = xmlByteConsumed(h->ctxt);
	if (pos < 0) {
		/* Cannot tell where to go on from: stop here. */
		h->restart_at = SIZE_MAX;
	} else
		h->restart_at = h->ctxt_base + (size_t)pos;
	h->stopping = 1;
	xmlStopParser(h->ctxt);
}

static void
html_start(void *arg, const xmlChar *xname, const xmlChar **atts)
{
	struct html_ctx		*h = arg;
	struct html_doc		*d = h->doc;
	const struct html_frame	*parent;
	struct html_frame	 f;
	const char		*name = (const char *)xname, *v;
	int			 hidden;

	if (h->stopping)
		return;
	parent = html_top(h);
	f.name = name;
	f.flags = parent->flags & (HTML_SKIP | HTML_NONE | HTML_INVIS |
	    HTML_TINY | HTML_QUOTED);
	f.link = -1;

	f.flags |= html_elem_flags(name);
	if (html_is_quote(name, atts))
		f.flags |= HTML_QUOTED;

	/*
	 * Text the reader cannot see is not visible text.  Spam pads mail
	 * with hidden words to poison filters, and phish split brand words
	 * ("Ama<span style=display:none>x</span>zon") so that the source
	 * does not match; the rules must judge what the reader sees.
	 */
	if (html_attr(atts, "hidden") != NULL)
		f.flags |= HTML_NONE;
	if ((v = html_attr(atts, "style")) != NULL)
		html_style(h, &f, v);
	if (strcmp(name, "font") == 0 && (v = html_attr(atts, "face")) != NULL)
		html_fonts_add(h, v, strnlen(v, HTML_MAX_ATTR), 0);

	if (f.flags & HTML_BLOCK)
		html_break(h);
	if (f.flags & HTML_CELL)
		html_space(h);

	if (strcmp(name, "br") == 0 && !(f.flags & (HTML_SKIP | HTML_NONE |
	    HTML_INVIS | HTML_TINY))) {
		struct html_sink *k = (f.flags & HTML_QUOTED) ? &h->quoted :
		    &h->text;

		/* At most one empty line from a run of <br>. */
		if (k->b.len > 0 && !k->full && !(k->b.len >= 2 &&
		    k->b.data[k->b.len - 1] == '\n' &&
		    k->b.data[k->b.len - 2] == '\n')) {
			if (k->b.len + 1 > h->lim.max_text) {
				k->full = 1;
				d->truncated = 1;
			} else
				buf_addc(&k->b, '\n');
		}
		k->space = 0;
		if (h->link >= 0)
			h->lspace = 1;
	} else if (strcmp(name, "a") == 0) {
		/* An <a> inside an <a> closes the outer one, as in HTML5. */
		html_link_end(h);
		if ((v = html_attr(atts, "href")) != NULL) {
			f.link = html_link_new(h, v, !!(f.flags & HTML_QUOTED));
			h->link = f.link;
			h->lspace = 0;
			h->lhas_off = 0;
		}
	} else if (strcmp(name, "area") == 0) {
		if ((v = html_attr(atts, "href")) != NULL) {
			long i = html_link_new(h, v, !!(f.flags & HTML_QUOTED));

			if ((v = html_attr(atts, "alt")) == NULL)
				v = "";
			if (i >= 0)
				d->links[i].text = html_collapse(v);
		}
	} else if (strcmp(name, "img") == 0) {
		if ((v = html_attr(atts, "src")) != NULL)
			html_list_add(h, &d->images, &d->nimages,
			    &h->images_cap, html_trimdup(v));
		hidden = f.flags & (HTML_SKIP | HTML_NONE | HTML_INVIS);
		if (h->link >= 0 && h->lalt == NULL && !hidden &&
		    (v = html_attr(atts, "alt")) != NULL && *v != '\0')
			h->lalt = xstrndup(v, HTML_MAX_ATTR);
	} else if (strcmp(name, "form") == 0) {
		v = html_attr(atts, "action");
		html_list_add(h, &d->forms, &d->nforms, &h->forms_cap,
		    html_trimdup(v != NULL ? v : ""));
	}
	if (f.flags & HTML_STYLE)
		buf_reset(&h->css);

	if (h->depth >= HTML_MAX_DEPTH + 2)
		return;		/* cannot happen: see html_deep */
	h->stack[h->depth++] = f;
	if (h->depth > HTML_MAX_DEPTH)
		html_deep(h, xname);
}

static void
html_end(void *arg, const xmlChar *xname)
{
	struct html_ctx		*h = arg;
	struct html_frame	 f;
	const char		*name = (const char *)xname;
	size_t			 i;

	if (h->stopping || h->depth == 0)
		return;
	/*
	 * libxml2 pairs every start with an end; should it not, close up
	 * to the nearest open element of that name, looking a little way.
	 */
	for (i = h->depth; i > 0 && h->depth - i < 64; i--) {
		if (strcmp(h->stack[i - 1].name, name) == 0)
			break;
	}
	if (i == 0 || h->depth - i >= 64)
		return;
	while (h->depth >= i) {
		f = h->stack[--h->depth];
		if (f.flags & HTML_STYLE) {
			html_css_fonts(h, h->css.data, h->css.len);
			buf_reset(&h->css);
		}
		if (f.link >= 0 && f.link == h->link)
			html_link_end(h);
		if (f.flags & HTML_BLOCK)
			html_break(h);
		if (f.flags & HTML_CELL)
			html_space(h);
	}
}

static void
html_chars(void *arg, const xmlChar *s, int len)
{
	struct html_ctx	*h = arg;

	if (len > 0 && !h->stopping)
		html_text(h, (const char *)s, (size_t)len);
}

/* libxml2 reports errors here; core never prints, and recovery goes on. */
#if LIBXML_VERSION >= 21200
static void
html_error(void *arg, const xmlError *err)
#else
static void
html_error(void *arg, xmlErrorPtr err)
#endif
{
	(void)arg;
	(void)err;
}

/*
 * A start tag's attributes as libxml2 2.9 tokenises them, just far enough
 * to count them: libxml2 compares each new attribute with every earlier
 * one, so a tag with 400,000 attributes costs minutes.  Attributes past
 * HTML_MAX_ATTRS are dropped up to the tag's '>'.
 */
enum html_tok {
	HTML_TOK_TEXT,		/* outside tags */
	HTML_TOK_LT,		/* after '<' */
	HTML_TOK_NAME,		/* tag name */
	HTML_TOK_GAP,		/* between attributes */
	HTML_TOK_ATTR,		/* attribute name */
	HTML_TOK_AFTER,		/* blanks after an attribute name */
	HTML_TOK_EQ,		/* after '=' */
	HTML_TOK_QUOTED,	/* quoted value */
	HTML_TOK_BARE,		/* unquoted value */
};

struct html_tokens {
	enum html_tok	 st;
	char		 quote;
	size_t		 nattrs;
	int		 drop;	/* past HTML_MAX_ATTRS: bytes not passed on */
};

/* libxml2's IS_BLANK_CH: unlike html_is_ws, no form feed. */
static int
html_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Feeds one character; non-ASCII ones arrive as the letter x. */
static void
html_tokens_step(struct html_tokens *t, int c)
{
	int	 newattr = 0;

	switch (t->st) {
	case HTML_TOK_TEXT:
		if (c == '<')
			t->st = HTML_TOK_LT;
		return;
	case HTML_TOK_LT:
		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
			t->st = HTML_TOK_NAME;
			t->nattrs = 0;
			t->drop = 0;
		} else
			t->st = c == '<' ? HTML_TOK_LT : HTML_TOK_TEXT;
		return;
	case HTML_TOK_NAME:
		if (c == '>')
			t->st = HTML_TOK_TEXT;
		else if (html_blank(c) || c == '/')
			t->st = HTML_TOK_GAP;
		return;
	case HTML_TOK_GAP:
		if (c == '>')
			t->st = HTML_TOK_TEXT;
		else if (!html_blank(c) && c != '/')
			newattr = 1;
		break;
	case HTML_TOK_ATTR:
		if (c == '>')
			t->st = HTML_TOK_TEXT;
		else if (c == '=')
			t->st = HTML_TOK_EQ;
		else if (html_blank(c))
			t->st = HTML_TOK_AFTER;
		return;
	case HTML_TOK_AFTER:
		if (c == '>')
			t->st = HTML_TOK_TEXT;
		else if (c == '=')
			t->st = HTML_TOK_EQ;
		else if (!html_blank(c))
			newattr = 1;
		break;
	case HTML_TOK_EQ:
		if (c == '>')
			t->st = HTML_TOK_TEXT;
		else if (c == '"' || c == '\'') {
			t->st = HTML_TOK_QUOTED;
			t->quote = (char)c;
		} else if (!html_blank(c))
			t->st = HTML_TOK_BARE;
		return;
	case HTML_TOK_QUOTED:
		if (c == t->quote)
			t->st = HTML_TOK_GAP;
		return;
	case HTML_TOK_BARE:
		if (c == '>')
			t->st = HTML_TOK_TEXT;
		else if (html_blank(c))
			t->st = HTML_TOK_GAP;
		return;
	}
	if (newattr) {
		t->st = HTML_TOK_ATTR;
		if (++t->nattrs > HTML_MAX_ATTRS)
			t->drop = 1;
	}
}

/* Adds bytes unless the tokens say they are surplus attributes. */
static void
html_emit(struct buf *b, struct html_tokens *t, const char *s, size_t n,
    int *dropped)
{
	if (t->drop && t->st != HTML_TOK_TEXT) {
		*dropped = 1;
		return;
	}
	if (t->st == HTML_TOK_TEXT)
		t->drop = 0;
	buf_add(b, s, n);
}

/*
 * Makes the input strictly valid for libxml2: invalid UTF-8, NUL and
 * noncharacters become U+FFFD, other C0 controls (not tab, LF, CR) a
 * space.  Without this libxml2 switches the whole document to Latin-1
 * at the first bad byte, turning the Japanese after it into mojibake.
 * Also drops surplus attributes (see html_tokens).
 */
static char *
html_sanitize(const char *in, size_t len, size_t *outlen, int *dropped)
{
	struct buf		 b;
	struct html_tokens	 t;
	const uint8_t		*u = (const uint8_t *)in;
	size_t			 i = 0, run;
	int32_t			 j, n;
	UChar32			 c;
	char			*out;

	buf_init(&b);
	memset(&t, 0, sizeof t);
	t.st = HTML_TOK_TEXT;
	while (i < len) {
		if (t.st == HTML_TOK_TEXT) {
			/* Text goes in runs: ASCII, and the three-byte
			 * characters (lead E1–EC, EE: kana, kanji) that are
			 * always well-formed and never noncharacters, which
			 * the steps below would copy one at a time. */
			for (run = i; run < len;) {
				if (u[run] < 0x80) {
					if (u[run] == '<' || (u[run] < 0x20 &&
					    u[run] != '\t' && u[run] != '\n' &&
					    u[run] != '\r'))
						break;
					run++;
				} else if (len - run >= 3 && u[run] >= 0xe1 &&
				    u[run] <= 0xee && u[run] != 0xed &&
				    (u[run + 1] & 0xc0) == 0x80 &&
				    (u[run + 2] & 0xc0) == 0x80)
					run += 3;
				else
					break;
			}
			if (run > i) {
				buf_add(&b, in + i, run - i);
				i = run;
				continue;
			}
		} else if (t.st == HTML_TOK_QUOTED && !t.drop) {
			/* An attribute value (a URL, a style) up to its
			 * quote: nothing in it changes the tokens. */
			for (run = i; run < len && u[run] != t.quote &&
			    ((u[run] >= 0x20 && u[run] < 0x80) ||
			    u[run] == '\t' || u[run] == '\n' || u[run] == '\r');
			    run++)
				;
			if (run > i) {
				buf_add(&b, in + i, run - i);
				i = run;
				continue;
			}
		}
		if (u[i] >= 0x20 && u[i] < 0x80) {
			html_tokens_step(&t, u[i]);
			html_emit(&b, &t, in + i, 1, dropped);
			i++;
			continue;
		}
		if (u[i] == '\t' || u[i] == '\n' || u[i] == '\r') {
			html_tokens_step(&t, u[i]);
			html_emit(&b, &t, in + i, 1, dropped);
			i++;
			continue;
		}
		if (u[i] < 0x20) {
			if (u[i] == 0) {
				html_tokens_step(&t, 'x');
				html_emit(&b, &t, "\xef\xbf\xbd", 3, dropped);
			} else {
				html_tokens_step(&t, ' ');
				html_emit(&b, &t, " ", 1, dropped);
			}
			i++;
			continue;
		}
		html_tokens_step(&t, 'x');
		j = 0;
		n = (int32_t)(len - i < 4 ? len - i : 4);
		U8_NEXT(u + i, j, n, c);
		if (c < 0 || (c & 0xfffe) == 0xfffe ||
		    (c >= 0xfdd0 && c <= 0xfdef))
			html_emit(&b, &t, "\xef\xbf\xbd", 3, dropped);
		else
			html_emit(&b, &t, in + i, (size_t)j, dropped);
		i += (size_t)j;
	}
	*outlen = b.len;
	out = buf_take(&b);
	buf_free(&b);
	return out;
}

static char *
html_sink_take(struct html_sink *k, size_t *len)
{
	char	*s;

	*len = k->b.len;
	s = buf_take(&k->b);
	buf_free(&k->b);
	return s;
}

/* Input of the parser now running: libxml2 reads it in small pieces. */
struct html_input {
	const char	*p;
	size_t		 len;
	size_t		 off;
};

static int
html_input_read(void *arg, char *out, int room)
{
	struct html_input	*in = arg;
	size_t			 n;

	if (room <= 0)
		return 0;
	n = in->len - in->off;
	if (n > (size_t)room)
		n = (size_t)room;
	memcpy(out, in->p + in->off, n);
	in->off += n;
	return (int)n;
}

/*
 * A pull parser reading through html_input_read.  Not
 * htmlCreateMemoryParserCtxt: that copies the whole input, and a restart
 * would copy the rest of the part again each time.  Not
 * xmlParserInputBufferCreateStatic either: libxml2 2.9 mis-parses with it.
 */
static htmlParserCtxtPtr
html_parser_new(struct html_input *src)
{
	htmlParserCtxtPtr	 ctxt;
	xmlParserInputBufferPtr	 buf;
	xmlParserInputPtr	 in;

	ctxt = htmlNewParserCtxt();
	if (ctxt == NULL)
		return NULL;
	buf = xmlParserInputBufferCreateIO(html_input_read, NULL, src,
	    XML_CHAR_ENCODING_NONE);
	if (buf == NULL) {
		htmlFreeParserCtxt(ctxt);
		return NULL;
	}
	in = xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE);
	if (in == NULL) {
		xmlFreeParserInputBuffer(buf);
		htmlFreeParserCtxt(ctxt);
		return NULL;
	}
	if (inputPush(ctxt, in) < 0) {
		xmlFreeInputStream(in);
		htmlFreeParserCtxt(ctxt);
		return NULL;
	}
	return ctxt;
}

/*
 * Runs libxml2 over clean[start..len), again from where html_deep asked
 * when the document nests too deep.  Each restart is at least
 * HTML_MAX_DEPTH start tags further on, so this ends.
 *
 * The pull parser, not the push parser: libxml2 2.9's push parser drops
 * everything after an end tag that closes the last open element, so
 * "</div>text" or a footer after "</html>" would vanish.
 */
static void
html_parse(struct html_ctx *h, const char *clean, size_t len)
{
	htmlSAXHandler		 sax;
	htmlSAXHandlerPtr	 oldsax;
	htmlParserCtxtPtr	 ctxt;
	struct html_input	 src;
	size_t			 start = 0;

	memset(&sax, 0, sizeof sax);
	sax.startElement = html_start;
	sax.endElement = html_end;
	sax.characters = html_chars;
	/* Whitespace between inline elements separates words. */
	sax.ignorableWhitespace = html_chars;
	/* libxml2 hands <script> and <style> contents over as CDATA. */
	sax.cdataBlock = html_chars;
	sax.initialized = XML_SAX2_MAGIC;
	sax.serror = html_error;

	while (start < len) {
		src.p = clean + start;
		src.len = len - start;
		src.off = 0;
		ctxt = html_parser_new(&src);
		if (ctxt == NULL) {
			h->doc->truncated = 1;
			return;
		}
		oldsax = ctxt->sax;
		ctxt->sax = &sax;
		ctxt->userData = h;
		/*
		 * The input is UTF-8 (html_sanitize made sure): no encoder,
		 * and HTML_PARSE_IGNORE_ENC stops a <meta charset> from
		 * installing one.  No HTML_PARSE_NOBLANKS: it replaces our
		 * whitespace handler.  No HTML_PARSE_HUGE: libxml2's default
		 * limits only bite on single constructs (a 10 MB comment),
		 * and the caller caps the bytes.
		 */
		xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
		htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER |
		    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
		    HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
		h->ctxt = ctxt;
		h->ctxt_base = start;
		h->stopping = 0;
		htmlParseDocument(ctxt);
		ctxt->sax = oldsax;
		ctxt->userData = NULL;
		if (ctxt->myDoc != NULL)
			xmlFreeDoc(ctxt->myDoc);
		htmlFreeParserCtxt(ctxt);
		h->ctxt = NULL;
		if (!h->stopping)
			return;

		/* Forget the open elements: see html_deep. */
		h->doc->truncated = 1;
		h->stopping = 0;
		html_link_end(h);
		html_break(h);
		h->depth = 0;
		buf_reset(&h->css);
		start = h->restart_at;
		if (start >= len || start <= h->ctxt_base)
			return;
		/* libxml2 stops before the tag's closing '>' or "/>". */
		if (clean[start] == '/' && start + 1 < len &&
		    clean[start + 1] == '>')
			start += 2;
		else if (clean[start] == '>')
			start++;
	}
}

struct html_doc *
html_extract(const char *utf8, size_t len, const struct html_limits *lim)
{
	struct html_ctx		 h;
	struct html_doc		*d;
	char			*clean;
	size_t			 clen;
	int			 dropped = 0;

	d = xcalloc(1, sizeof *d);
	memset(&h, 0, sizeof h);
	h.doc = d;
	h.link = -1;
	h.lim.max_text = HTML_DEF_MAX_TEXT;
	h.lim.max_links = HTML_DEF_MAX_LINKS;
	h.lim.max_items = HTML_DEF_MAX_ITEMS;
	if (lim != NULL)
		h.lim = *lim;
	buf_init(&h.text.b);
	buf_init(&h.quoted.b);
	buf_init(&h.ltext);
	buf_init(&h.css);
	h.stack = xreallocarray(NULL, HTML_MAX_DEPTH + 2, sizeof *h.stack);

	if (utf8 == NULL)
		len = 0;
	clean = html_sanitize(utf8 != NULL ? utf8 : "", len, &clen, &dropped);
	if (dropped)
		d->truncated = 1;
	html_parse(&h, clean, clen);
	free(clean);

	/* An <a> or <style> left open by a cut-off document. */
	html_link_end(&h);
	if (h.css.len > 0)
		html_css_fonts(&h, h.css.data, h.css.len);

	html_sink_break(&h, &h.text);
	html_sink_break(&h, &h.quoted);
	d->text = html_sink_take(&h.text, &d->text_len);
	d->quoted = html_sink_take(&h.quoted, &d->quoted_len);
	buf_free(&h.ltext);
	buf_free(&h.css);
	free(h.lalt);
	free(h.stack);
	return d;
}

void
html_doc_free(struct html_doc *d)
{
	size_t	 i;

	if (d == NULL)
		return;
	free(d->text);
	free(d->quoted);
	for (i = 0; i < d->nlinks; i++) {
		free(d->links[i].href);
		free(d->links[i].text);
	}
	free(d->links);
	for (i = 0; i < d->nforms; i++)
		free(d->forms[i]);
	free(d->forms);
	for (i = 0; i < d->nfonts; i++)
		free(d->fonts[i]);
	free(d->fonts);
	for (i = 0; i < d->nimages; i++)
		free(d->images[i]);
	free(d->images);
	free(d);
}

/*
 * A plain byte scan, not libxml2: it runs before the part is decoded, on
 * bytes in an unknown charset, and the markup it looks for is ASCII in
 * every charset mail uses (the HTML5 "prescan" is a byte scan too).
 */
char *
html_meta_charset(const char *bytes, size_t len)
{
	const char	*p, *end, *tag_end, *cs, *v;
	char		*out;
	size_t		 n, i;

	if (bytes == NULL)
		return NULL;
	if (len > 4096)
		len = 4096;
	p = bytes;
	end = bytes + len;
	while ((p = html_memcase(p, (size_t)(end - p), "<meta")) != NULL) {
		p += 5;
		tag_end = memchr(p, '>', (size_t)(end - p));
		if (tag_end == NULL)
			tag_end = end;
		cs = p;
		while ((cs = html_memcase(cs, (size_t)(tag_end - cs),
		    "charset")) != NULL) {
			v = cs + 7;
			while (v < tag_end && html_is_ws((unsigned char)*v))
				v++;
			if (v >= tag_end || *v != '=') {
				cs = v;
				continue;
			}
			v++;
			while (v < tag_end && (html_is_ws((unsigned char)*v) ||
			    *v == '"' || *v == '\''))
				v++;
			for (n = 0; v + n < tag_end && n < 40 &&
			    (((v[n] | 0x20) >= 'a' && (v[n] | 0x20) <= 'z') ||
			    (v[n] >= '0' && v[n] <= '9') ||
			    strchr("-_.:", v[n]) != NULL) && v[n] != '\0'; n++)
				;
			if (n == 0) {
				cs = v;
				continue;
			}
			out = xstrndup(v, n);
			for (i = 0; i < n; i++) {
				out[i] = (char)html_lower(
				    (unsigned char)out[i]);
			}
			return out;
		}
		p = tag_end;
	}
	return NULL;
}

void
html_init(void)
{
	xmlInitParser();
}
