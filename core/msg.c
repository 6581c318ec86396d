/* SPDX-License-Identifier: ISC */
/*
 * Parses one raw message into a struct msg: header fields (own splitter, so
 * raw values stay reachable in order), the MIME tree through libetpan, text
 * parts decoded to UTF-8, HTML through html.c, quotes and forwards set
 * apart.  Detects nothing: that is measure.c and the rules.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "buf.h"
#include "charset.h"
#include "html.h"
#include "msg.h"
#include "rfc2047.h"
#include "url.h"
#include "xalloc.h"
#include "xfer.h"

struct msg_header {
	char	*name;
	char	*value;			/* unfolded, raw bytes */
};

struct strvec {
	char	**v;
	size_t	  n;
};

struct msg_problem_rec {
	struct msg_problem	 pub;
	char			*what, *where, *declared, *used;
};

struct msg_link_rec {
	struct msg_link		 pub;
	char			*href, *text;
};

struct msg {
	struct msg_limits	 lim;
	unsigned int		 depth;

	struct msg_header	*headers;
	size_t			 nheaders;

	char			*subject;
	char			*from_display;
	char			*from_addr;
	char			*reply_to;
	char			*return_path;
	char			*message_id;
	char			*date;
	struct strvec		 to;

	struct buf		 body;
	struct buf		 quoted;
	struct msg_link_rec	*links;
	size_t			 nlinks;
	struct strvec		 fonts, forms, images;
	struct msg_problem_rec	*problems;
	size_t			 nproblems;

	size_t			 parts_seen;
	int			 seen_plain;
	int			 seen_html;
	const char		*forward_kind;
	struct msg		*forwarded;
};

static void	msg_walk(struct msg *m, struct mailmime *mime, const char *section,
		    int quoted);

static void
msg_strvec_add(struct strvec *sv, const char *s, size_t max)
{
	size_t	 i;

	if (sv->n >= max)
		return;
	for (i = 0; i < sv->n; i++) {
		if (strcmp(sv->v[i], s) == 0)
			return;
	}
	sv->v = xreallocarray(sv->v, sv->n + 1, sizeof *sv->v);
	sv->v[sv->n++] = xstrdup(s);
}

static void
msg_strvec_free(struct strvec *sv)
{
	size_t	 i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
}

static void
msg_add_problem(struct msg *m, enum msg_problem_kind kind, const char *what,
    const char *where, const char *declared, const char *used)
{
	struct msg_problem_rec	*p;

	if (m->nproblems >= 100)
		return;
	m->problems = xreallocarray(m->problems, m->nproblems + 1,
	    sizeof *m->problems);
	p = &m->problems[m->nproblems++];
	p->what = xstrdup(what);
	p->where = xstrdup(where != NULL ? where : "");
	p->declared = xstrdup(declared != NULL ? declared : "");
	p->used = xstrdup(used != NULL ? used : "");
	/* The strings stay put when the array moves. */
	p->pub.kind = kind;
	p->pub.what = p->what;
	p->pub.where = p->where;
	p->pub.declared = p->declared;
	p->pub.used = p->used;
}

static void
msg_add_link(struct msg *m, const char *href, const char *text, int quoted,
    int html)
{
	struct msg_link_rec	*l;

	if (m->nlinks >= m->lim.max_links)
		return;
	m->links = xreallocarray(m->links, m->nlinks + 1, sizeof *m->links);
	l = &m->links[m->nlinks++];
	l->href = xstrdup(href);
	l->text = xstrdup(text);
	l->pub.href = l->href;
	l->pub.text = l->text;
	l->pub.quoted = quoted;
	l->pub.html = html;
}

/*
 * Header block: RFC 5322 §2.2.  Splits "Name: value" fields, unfolds
 * continuation lines, and returns the offset of the body.  Lenient the way
 * mail readers are: bare LF line ends, a missing blank line at EOF.
 */
static size_t
msg_split_headers(struct msg *m, const char *raw, size_t len)
{
	size_t		 i = 0, start, colon, cap;
	const char	*nl, *cp;
	struct buf	 val;
	int		 too_many = 0;

	cap = m->nheaders;	/* what is allocated, as far as we know */
	buf_init(&val);
	while (i < len) {
		if (raw[i] == '\n') {
			buf_free(&val);
			return i + 1;
		}
		if (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n') {
			buf_free(&val);
			return i + 2;
		}
		/* Lines found with memchr rather than byte by byte: header
		 * blocks are a few kilobytes (Received, DKIM, ARC). */
		start = i;
		nl = memchr(raw + i, '\n', len - i);
		i = nl != NULL ? (size_t)(nl - raw) : len;
		cp = memchr(raw + start, ':', i - start);
		if (cp == raw)		/* 0 means none: take the next one */
			cp = memchr(raw + 1, ':', i - 1);
		colon = cp != NULL ? (size_t)(cp - raw) : 0;
		if (colon == 0 || colon == start ||
		    memchr(raw + start, ' ', colon - start) != NULL) {
			/* Not a field: a lone line inside the header block.
			 * Treat the body as starting here (a mail with no
			 * blank line after the headers). */
			if (m->nheaders == 0)
				break;
			buf_free(&val);
			return start;
		}
		buf_reset(&val);
		buf_add(&val, raw + colon + 1, i - colon - 1);
		if (i < len)
			i++;
		while (i < len && (raw[i] == ' ' || raw[i] == '\t')) {
			size_t	 ls = i;

			nl = memchr(raw + i, '\n', len - i);
			i = nl != NULL ? (size_t)(nl - raw) : len;
			buf_add(&val, raw + ls, i - ls);
			if (i < len)
				i++;
		}
		if (m->nheaders < m->lim.max_headers) {
			struct msg_header	*h;
			char			*v = val.data;
			size_t			 vl = val.len;

			while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == ' ' ||
			    v[vl - 1] == '\t'))
				vl--;
			while (vl > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				vl--;
			}
			/* Room grows by doubling: a realloc per field was a
			 * third of the cost of the split. */
			if (m->nheaders == cap) {
				cap = cap < 16 ? 16 : cap * 2;
				m->headers = xreallocarray(m->headers, cap,
				    sizeof *m->headers);
			}
			h = &m->headers[m->nheaders++];
			h->name = xstrndup(raw + start, colon - start);
			h->value = xmalloc(vl + 1);
			memcpy(h->value, v, vl);
			h->value[vl] = '\0';
			/* Folded CRs inside the value are not content. */
			for (v = h->value; (v = strchr(v, '\r')) != NULL;)
				*v = ' ';
		} else if (!too_many) {
			msg_add_problem(m, MSG_PROBLEM_STRUCTURE,
			    "too-many-headers", "", NULL, NULL);
			too_many = 1;
		}
	}
	buf_free(&val);
	return i;
}

size_t
msg_header_count(const struct msg *m, const char *name)
{
	size_t	 i, n = 0;

	for (i = 0; i < m->nheaders; i++) {
		if (strcasecmp(m->headers[i].name, name) == 0)
			n++;
	}
	return n;
}

const char *
msg_header(const struct msg *m, const char *name, size_t idx)
{
	size_t	 i;

	for (i = 0; i < m->nheaders; i++) {
		if (strcasecmp(m->headers[i].name, name) == 0 && idx-- == 0)
			return m->headers[i].value;
	}
	return NULL;
}

/* Decodes a header value and records what went wrong, per header name. */
static char *
msg_decode_header(struct msg *m, const char *name, const char *raw)
{
	struct rfc2047_info	 info;
	char			*s;

	s = rfc2047_decode(raw, strlen(raw), &info);
	if (info.flags & RFC2047_MALFORMED)
		msg_add_problem(m, MSG_PROBLEM_HEADER, "malformed-word", name,
		    NULL, NULL);
	if (info.flags & RFC2047_UNKNOWN_CHARSET)
		msg_add_problem(m, MSG_PROBLEM_HEADER, "unknown-charset", name,
		    info.cs.declared, NULL);
	if (info.flags & RFC2047_INVALID)
		msg_add_problem(m, MSG_PROBLEM_HEADER, "invalid-bytes", name,
		    info.cs.declared, info.cs.used);
	if (info.flags & RFC2047_RAW_8BIT)
		msg_add_problem(m, MSG_PROBLEM_HEADER, "raw-8bit", name, NULL,
		    info.cs.used);
	if (info.flags & RFC2047_EXCESS)
		msg_add_problem(m, MSG_PROBLEM_HEADER, "excess-encoding", name,
		    NULL, NULL);
	return s;
}

static char *
msg_lower(char *s)
{
	char	*p;

	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

/* Trims blanks and one layer of quotes from a display name in place. */
static char *
msg_trim_display(char *s)
{
	size_t	 len;
	char	*p = s;

	while (*p == ' ' || *p == '\t')
		p++;
	len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
		p++;
		len -= 2;
	}
	memmove(s, p, len);
	s[len] = '\0';
	return s;
}

/*
 * A lax mailbox split for what libetpan refuses (8-bit display names,
 * unbalanced quotes): the last <…> is the address, the rest the name.
 */
static void
msg_lax_mailbox(const char *v, char **display, char **addr)
{
	const char	*lt, *gt;
	const char	*at, *s, *e;

	lt = strrchr(v, '<');
	gt = lt != NULL ? strchr(lt, '>') : NULL;
	if (lt != NULL && gt != NULL) {
		*addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
		*display = xstrndup(v, (size_t)(lt - v));
		return;
	}
	*display = xstrdup("");
	at = strchr(v, '@');
	if (at == NULL) {
		*addr = xstrdup("");
		return;
	}
	for (s = at; s > v && strchr(" \t,;\"'(", s[-1]) == NULL; s--)
		;
	for (e = at; *e != '\0' && strchr(" \t,;\"')>", *e) == NULL; e++)
		;
	*addr = xstrndup(s, (size_t)(e - s));
}

/* First mailbox of an address header: raw display (still encoded) and addr. */
static void
msg_first_mailbox(const char *v, char **display, char **addr)
{
	struct mailimf_mailbox_list	*ml = NULL;
	struct mailimf_mailbox		*mb;
	size_t				 idx = 0;

	if (mailimf_mailbox_list_parse(v, strlen(v), &idx, &ml) ==
	    MAILIMF_NO_ERROR && ml != NULL &&
	    clist_begin(ml->mb_list) != NULL) {
		mb = clist_content(clist_begin(ml->mb_list));
		*addr = xstrdup(mb->mb_addr_spec != NULL ? mb->mb_addr_spec : "");
		*display = xstrdup(mb->mb_display_name != NULL ?
		    mb->mb_display_name : "");
		mailimf_mailbox_list_free(ml);
		return;
	}
	if (ml != NULL)
		mailimf_mailbox_list_free(ml);
	msg_lax_mailbox(v, display, addr);
}

static void
msg_add_addresses(struct msg *m, const char *v)
{
	struct mailimf_address_list	*al = NULL;
	clistiter			*it, *jt;
	size_t				 idx = 0;
	char				*d, *a;

	if (mailimf_address_list_parse(v, strlen(v), &idx, &al) !=
	    MAILIMF_NO_ERROR || al == NULL) {
		msg_lax_mailbox(v, &d, &a);
		if (*a != '\0')
			msg_strvec_add(&m->to, msg_lower(a), 100);
		free(d);
		free(a);
		return;
	}
	for (it = clist_begin(al->ad_list); it != NULL; it = clist_next(it)) {
		struct mailimf_address *ad = clist_content(it);

		if (ad->ad_type == MAILIMF_ADDRESS_MAILBOX) {
			a = xstrdup(ad->ad_data.ad_mailbox->mb_addr_spec);
			msg_strvec_add(&m->to, msg_lower(a), 100);
			free(a);
			continue;
		}
		if (ad->ad_data.ad_group->grp_mb_list == NULL)
			continue;
		for (jt = clist_begin(ad->ad_data.ad_group->grp_mb_list->mb_list);
		    jt != NULL; jt = clist_next(jt)) {
			struct mailimf_mailbox *mb = clist_content(jt);

			a = xstrdup(mb->mb_addr_spec);
			msg_strvec_add(&m->to, msg_lower(a), 100);
			free(a);
		}
	}
	mailimf_address_list_free(al);
}

static void
msg_read_envelope(struct msg *m)
{
	const char	*v;
	char		*d, *a;
	size_t		 i;

	v = msg_header(m, "Subject", 0);
	m->subject = v != NULL ? msg_decode_header(m, "subject", v) : xstrdup("");

	v = msg_header(m, "From", 0);
	if (v != NULL) {
		msg_first_mailbox(v, &d, &a);
		m->from_display = msg_trim_display(msg_decode_header(m, "from", d));
		m->from_addr = msg_lower(a);
		free(d);
	} else {
		m->from_display = xstrdup("");
		m->from_addr = xstrdup("");
	}

	v = msg_header(m, "Reply-To", 0);
	m->reply_to = xstrdup("");
	if (v != NULL) {
		msg_first_mailbox(v, &d, &a);
		free(m->reply_to);
		m->reply_to = msg_lower(a);
		free(d);
	}
	v = msg_header(m, "Return-Path", 0);
	m->return_path = xstrdup("");
	if (v != NULL) {
		msg_lax_mailbox(v, &d, &a);
		free(m->return_path);
		m->return_path = msg_lower(a);
		free(d);
	}
	v = msg_header(m, "Message-ID", 0);
	if (v != NULL) {
		const char	*s = strchr(v, '<'), *e;

		s = s != NULL ? s + 1 : v;
		e = strchr(s, '>');
		m->message_id = e != NULL ? xstrndup(s, (size_t)(e - s)) :
		    xstrdup(s);
	} else
		m->message_id = xstrdup("");
	v = msg_header(m, "Date", 0);
	m->date = xstrdup(v != NULL ? v : "");
	for (i = 0; (v = msg_header(m, "To", i)) != NULL && i < 10; i++)
		msg_add_addresses(m, v);
	for (i = 0; (v = msg_header(m, "Cc", i)) != NULL && i < 10; i++)
		msg_add_addresses(m, v);
}

/* Room left under max_text for body plus quoted text. */
static size_t
msg_text_room(const struct msg *m)
{
	size_t	 used = m->body.len + m->quoted.len;

	return used >= m->lim.max_text ? 0 : m->lim.max_text - used;
}

static void
msg_append_text(struct msg *m, struct buf *b, const char *s, size_t len)
{
	size_t	 room = msg_text_room(m);

	if (len > room) {
		/* Cut on a UTF-8 boundary. */
		while (room > 0 && ((unsigned char)s[room] & 0xC0) == 0x80)
			room--;
		len = room;
		msg_add_problem(m, MSG_PROBLEM_STRUCTURE, "text-truncated", "",
		    NULL, NULL);
	}
	buf_add(b, s, len);
}

struct msg_scan_ctx {
	struct msg	*m;
	int		 quoted;
};

static void
msg_scan_url(void *arg, const char *s, size_t len)
{
	struct msg_scan_ctx	*ctx = arg;
	char			*u;

	u = xstrndup(s, len);
	msg_add_link(ctx->m, u, u, ctx->quoted, 0);
	free(u);
}


/* Words every forward marker holds (ASCII ones lower-case): a text or line
 * without any of them holds no marker.  pair: the offset of two bytes of
 * the word that msg_may_hold_forward_marker looks for first; rarer in
 * mail text than any one letter of it. */
static const struct {
	const char	*word;
	size_t		 len;
	size_t		 pair;
} msg_fwd_keys[] = {
	{ "forward", 7, 2 },		/* "rw" */
	{ "original", 8, 2 },		/* "ig" */
	{ "転送", 6, 1 },		/* BB A2, the end of 転 */
	{ "元のメッセ", 15, 1 },		/* 85 83, the end of 元 */
};
/*
 * A line that opens a forwarded message in the text.  Mail programs write
 * these in the sender's language; the list holds what Gmail, Outlook,
 * Thunderbird, Apple Mail and Japanese webmail write.  Parsing knowledge,
 * like mutt's quote_regexp, not a detection rule.
 */
static int
msg_is_forward_marker(const char *line, size_t len)
{
	static const char *markers[] = {
		"forwarded message", "original message", "begin forwarded message",
		"転送されたメッセージ", "転送メッセージ", "元のメッセージ",
		"転送済みメッセージ", "以下転送", "forwarded by",
	};
	char	 low[160];
	size_t	 i, k, dashes = 0;

	/* Marker lines are short; most body lines are not. */
	if (len >= sizeof low)
		return 0;
	for (k = 0; k < len; k++) {
		low[k] = (char)tolower((unsigned char)line[k]);
		if (line[k] == '-')
			dashes++;
	}
	/* Every marker holds one of these: rule most lines out at once. */
	for (i = 0; i < SAGI_NITEMS(msg_fwd_keys); i++) {
		if (memmem(low, len, msg_fwd_keys[i].word,
		    msg_fwd_keys[i].len) != NULL)
			break;
	}
	if (i == SAGI_NITEMS(msg_fwd_keys))
		return 0;
	for (i = 0; i < SAGI_NITEMS(markers); i++) {
		if (memmem(low, len, markers[i], strlen(markers[i])) != NULL)
			return dashes >= 2 || markers[i][0] == 'b' ||
			    (unsigned char)markers[i][0] >= 0x80;
	}
	return 0;
}

/*
 * Whether a marker word has its pair of bytes at text[i] (i + 1 < len):
 * the ASCII words in any case, as strncasecmp compares them.
 */
static int
msg_fwd_word_at(const char *text, size_t len, size_t i)
{
	const char	*wd;
	size_t		 k, wl, at;

	for (k = 0; k < SAGI_NITEMS(msg_fwd_keys); k++) {
		wd = msg_fwd_keys[k].word;
		wl = msg_fwd_keys[k].len;
		if (i < msg_fwd_keys[k].pair)
			continue;
		at = i - msg_fwd_keys[k].pair;
		if (at + wl > len)
			continue;
		if ((unsigned char)wd[0] >= 0x80) {
			if (memcmp(text + at, wd, wl) == 0)
				return 1;
		} else if (strncasecmp(text + at, wd, wl) == 0)
			return 1;
	}
	return 0;
}

/*
 * Whether text holds a word every forward marker holds (see
 * msg_is_forward_marker): one pass over the whole text, so the per-line
 * check runs only in the few texts that might have a marker.
 */
static int
msg_may_hold_forward_marker(const char *text, size_t len)
{
	size_t		 i = 0;
	unsigned char	 c, d;

	if (len < 2)
		return 0;
#ifdef __SSE2__
	{
		/*
		 * Sixteen starts a test for the four pairs ("rw" of forward,
		 * "ig" of original, in any case; the last two bytes of 転
		 * and of 元, which few other kanji share, unlike their first
		 * two): in mail text a pair is rare where any single letter
		 * is not, so few starts reach msg_fwd_word_at.  This runs
		 * over every text part, and was the most of its cost.
		 */
		const __m128i	 lc = _mm_set1_epi8(0x20);
		const __m128i	 r = _mm_set1_epi8('r');
		const __m128i	 w = _mm_set1_epi8('w');
		const __m128i	 ii = _mm_set1_epi8('i');
		const __m128i	 g = _mm_set1_epi8('g');
		const __m128i	 bb = _mm_set1_epi8((char)0xbb);
		const __m128i	 a2 = _mm_set1_epi8((char)0xa2);
		const __m128i	 x85 = _mm_set1_epi8((char)0x85);
		const __m128i	 x83 = _mm_set1_epi8((char)0x83);
		__m128i		 v0, v1, t0, t1, hit;
		unsigned int	 mask;

		while (len - i >= 17) {
			v0 = _mm_loadu_si128((const __m128i *)(text + i));
			v1 = _mm_loadu_si128((const __m128i *)(text + i + 1));
			t0 = _mm_or_si128(v0, lc);
			t1 = _mm_or_si128(v1, lc);
			hit = _mm_or_si128(
			    _mm_and_si128(_mm_cmpeq_epi8(t0, r),
			    _mm_cmpeq_epi8(t1, w)),
			    _mm_and_si128(_mm_cmpeq_epi8(t0, ii),
			    _mm_cmpeq_epi8(t1, g)));
			hit = _mm_or_si128(hit, _mm_or_si128(
			    _mm_and_si128(_mm_cmpeq_epi8(v0, bb),
			    _mm_cmpeq_epi8(v1, a2)),
			    _mm_and_si128(_mm_cmpeq_epi8(v0, x85),
			    _mm_cmpeq_epi8(v1, x83))));
			mask = (unsigned int)_mm_movemask_epi8(hit);
			while (mask != 0) {
				if (msg_fwd_word_at(text, len,
				    i + (size_t)__builtin_ctz(mask)))
					return 1;
				mask &= mask - 1;
			}
			i += 16;
		}
	}
#endif
	for (; i + 1 < len; i++) {
		c = (unsigned char)text[i];
		d = (unsigned char)text[i + 1];
		if (((c | 0x20) == 'r' && (d | 0x20) == 'w') ||
		    ((c | 0x20) == 'i' && (d | 0x20) == 'g') ||
		    (c == 0xbb && d == 0xa2) || (c == 0x85 && d == 0x83)) {
			if (msg_fwd_word_at(text, len, i))
				return 1;
		}
	}
	return 0;
}

/* Lines taken at once by msg_add_plain_run: far below the count of URLs
 * at which url_scan_text stops (URL_SCAN_MAX, six bytes each at least). */
#define MSG_RUN_MAX	(64 * 1024)

static int
msg_line_quoted(const char *p, size_t ll)
{
	return *p == '>' || (ll > 1 && p[0] == ' ' && p[1] == '>');
}

/*
 * End of the run of lines from p that are all quoted (each line that
 * follows starts with '>' or " >"), or of every line when fwd; a run ends
 * at the first line start at least MSG_RUN_MAX past p.  The first line
 * always belongs to the run.
 */
static const char *
msg_run_end(const char *p, const char *end, int fwd)
{
	const char	*e = p, *nl;

	do {
		nl = memchr(e, '\n', (size_t)(end - e));
		e = nl != NULL ? nl + 1 : end;
	} while (e < end && (size_t)(e - p) < MSG_RUN_MAX &&
	    (fwd || msg_line_quoted(e, (size_t)(end - e))));
	return e;
}

/*
 * The same for a run of unquoted lines, which ends at the first quoted
 * line after p.  Such a line holds a '>', and most text holds few: they
 * are looked for rather than every line end.
 */
static const char *
msg_run_end_unquoted(const char *p, const char *end)
{
	const char	*gt, *e = NULL, *nl;

	for (gt = p + 1; gt < end &&
	    (gt = memchr(gt, '>', (size_t)(end - gt))) != NULL; gt++) {
		if (gt[-1] == '\n') {
			e = gt;
			break;
		}
		if (gt[-1] == ' ' && gt - 2 >= p && gt[-2] == '\n') {
			e = gt - 1;
			break;
		}
	}
	if (e != NULL && (size_t)(e - p) < MSG_RUN_MAX)
		return e;
	/* No quoted line within MSG_RUN_MAX: the first line start at or
	 * past it ends the run, as it would a run of quoted lines. */
	if ((size_t)(end - p) <= MSG_RUN_MAX - 1)
		return end;
	nl = memchr(p + MSG_RUN_MAX - 1, '\n',
	    (size_t)(end - (p + MSG_RUN_MAX - 1)));
	return nl != NULL && nl + 1 < end ? nl + 1 : end;
}

/*
 * From p, the lines that need no forward-marker check and are all quoted
 * or all not (every line when fwd): appended and scanned for URLs as one
 * run rather than line by line, with the same result, since no URL
 * spans a line end.  Returns where the run ends (a line start, or end).
 */
static const char *
msg_add_plain_run(struct msg *m, const char *p, const char *end, int fwd)
{
	const char		*e = p, *nl, *lp;
	struct msg_scan_ctx	 ctx;
	size_t			 ll;
	int			 q;

	q = fwd || msg_line_quoted(p, (size_t)(end - p));
	if (q)
		e = msg_run_end(p, end, fwd);
	else
		e = msg_run_end_unquoted(p, end);
	if (q && !fwd && m->forward_kind == NULL)
		m->forward_kind = "quote";
	if ((size_t)(e - p) <= msg_text_room(m))
		msg_append_text(m, q ? &m->quoted : &m->body, p,
		    (size_t)(e - p));
	else {
		/* Truncation reports once per line, as line by line did. */
		for (lp = p; lp < e; lp += ll) {
			nl = memchr(lp, '\n', (size_t)(e - lp));
			ll = nl != NULL ? (size_t)(nl - lp) + 1 :
			    (size_t)(e - lp);
			msg_append_text(m, q ? &m->quoted : &m->body, lp, ll);
		}
	}
	ctx.m = m;
	ctx.quoted = q;
	url_scan_text(p, (size_t)(e - p), msg_scan_url, &ctx);
	return e;
}

/* Plain text: '>' lines and everything after a forward marker are quoted. */
static void
msg_add_plain(struct msg *m, const char *text, size_t len, int quoted)
{
	const char		*p = text, *end = text + len, *nl;
	int			 fwd = quoted, marker;
	struct msg_scan_ctx	 ctx;

	ctx.m = m;
	/* No marker word anywhere: skip the line check. */
	marker = !fwd && msg_may_hold_forward_marker(text, len);
	while (p < end) {
		size_t	 ll;
		int	 q;

		if (!marker || fwd) {
			p = msg_add_plain_run(m, p, end, fwd);
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		ll = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (marker && !fwd && msg_is_forward_marker(p, ll)) {
			fwd = 1;
			if (m->forward_kind == NULL ||
			    strcmp(m->forward_kind, "quote") == 0)
				m->forward_kind = "inline";
		}
		q = fwd || *p == '>' || (ll > 1 && p[0] == ' ' && p[1] == '>');
		if (q && !fwd && m->forward_kind == NULL)
			m->forward_kind = "quote";
		msg_append_text(m, q ? &m->quoted : &m->body, p, ll);
		ctx.quoted = q;
		url_scan_text(p, ll, msg_scan_url, &ctx);
		p += ll;
	}
	if (len > 0 && text[len - 1] != '\n')
		msg_append_text(m, quoted ? &m->quoted : &m->body, "\n", 1);
}

static void
msg_add_html(struct msg *m, const char *text, size_t len, int quoted)
{
	struct html_doc		*doc;
	struct html_limits	 hl;
	size_t			 i;

	hl.max_text = m->lim.max_part;
	hl.max_links = m->lim.max_links;
	hl.max_items = 200;
	doc = html_extract(text, len, &hl);
	if (doc->truncated)
		msg_add_problem(m, MSG_PROBLEM_STRUCTURE, "html-truncated", "",
		    NULL, NULL);
	if (quoted)
		msg_add_plain(m, doc->text, doc->text_len, 1);
	else {
		/* The HTML text may itself hold a forward marker (Outlook). */
		msg_add_plain(m, doc->text, doc->text_len, 0);
	}
	if (doc->quoted_len > 0) {
		msg_append_text(m, &m->quoted, doc->quoted, doc->quoted_len);
		if (m->forward_kind == NULL)
			m->forward_kind = "quote";
	}
	/* Links found by scanning the rendered text duplicate the <a> ones
	 * when the text shows the URL; real <a> links come first and win. */
	for (i = 0; i < doc->nlinks; i++) {
		const struct html_link	*l = &doc->links[i];
		int			 lq = quoted || l->quoted;

		if (!lq && m->forward_kind != NULL &&
		    strcmp(m->forward_kind, "inline") == 0 &&
		    l->text_off >= m->body.len)
			lq = 1;
		msg_add_link(m, l->href, l->text, lq, 1);
	}
	for (i = 0; i < doc->nfonts; i++)
		msg_strvec_add(&m->fonts, doc->fonts[i], 200);
	for (i = 0; i < doc->nforms; i++)
		msg_strvec_add(&m->forms, doc->forms[i], 200);
	for (i = 0; i < doc->nimages; i++)
		msg_strvec_add(&m->images, doc->images[i], 200);
	html_doc_free(doc);
}

static const char *
msg_param(struct mailmime_content *ct, const char *name)
{
	clistiter	*it;

	if (ct == NULL || ct->ct_parameters == NULL)
		return NULL;
	for (it = clist_begin(ct->ct_parameters); it != NULL;
	    it = clist_next(it)) {
		struct mailmime_parameter *p = clist_content(it);

		if (p->pa_name != NULL && strcasecmp(p->pa_name, name) == 0)
			return p->pa_value;
	}
	return NULL;
}

static int
msg_mechanism(struct mailmime *mime)
{
	clistiter	*it;

	if (mime->mm_mime_fields == NULL)
		return MAILMIME_MECHANISM_8BIT;
	for (it = clist_begin(mime->mm_mime_fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		struct mailmime_field *f = clist_content(it);

		if (f->fld_type == MAILMIME_FIELD_TRANSFER_ENCODING)
			return f->fld_data.fld_encoding->enc_type;
	}
	return MAILMIME_MECHANISM_8BIT;
}

static int
msg_is_attachment(struct mailmime *mime)
{
	clistiter	*it;

	if (mime->mm_mime_fields == NULL)
		return 0;
	for (it = clist_begin(mime->mm_mime_fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		struct mailmime_field *f = clist_content(it);

		if (f->fld_type == MAILMIME_FIELD_DISPOSITION &&
		    f->fld_data.fld_disposition->dsp_type->dsp_type ==
		    MAILMIME_DISPOSITION_TYPE_ATTACHMENT)
			return 1;
	}
	return 0;
}

/* "text", "html", or NULL for parts that are not readable text. */
static const char *
msg_text_kind(struct mailmime *mime)
{
	struct mailmime_content	*ct = mime->mm_content_type;

	if (ct == NULL)
		return "text";		/* RFC 2045 §5.2 default */
	if (ct->ct_type->tp_type != MAILMIME_TYPE_DISCRETE_TYPE ||
	    ct->ct_type->tp_data.tp_discrete_type->dt_type !=
	    MAILMIME_DISCRETE_TYPE_TEXT)
		return NULL;
	if (ct->ct_subtype == NULL || strcasecmp(ct->ct_subtype, "plain") == 0)
		return "text";
	if (strcasecmp(ct->ct_subtype, "html") == 0)
		return "html";
	return NULL;
}

/* Decoded body bytes of a single part, owned; NULL when nothing. */
static char *
msg_decode_body(struct msg *m, struct mailmime_data *data, int mech,
    const char *section, size_t *len_out)
{
	const char	*src;
	size_t		 srclen, outlen = 0;
	char		*copy;

	if (data == NULL || data->dt_type != MAILMIME_DATA_TEXT)
		return NULL;
	src = data->dt_data.dt_text.dt_data;
	srclen = data->dt_data.dt_text.dt_length;
	/* Encoded size bounds decoded size; cap before decoding so a 50 MB
	 * base64 text part costs at most max_part * 4/3 of work. */
	if (srclen > m->lim.max_part + m->lim.max_part / 2 + 4) {
		srclen = m->lim.max_part + m->lim.max_part / 2;
		msg_add_problem(m, MSG_PROBLEM_STRUCTURE, "part-truncated",
		    section, NULL, NULL);
	}
	/* Not libetpan's mailmime_part_parse: see xfer.h. */
	if (mech == MAILMIME_MECHANISM_BASE64)
		copy = xfer_base64_decode(src, srclen, &outlen);
	else if (mech == MAILMIME_MECHANISM_QUOTED_PRINTABLE)
		copy = xfer_qp_decode(src, srclen, &outlen);
	else {
		copy = xmemdup(src, srclen);
		outlen = srclen;
	}
	if (outlen > m->lim.max_part)
		outlen = m->lim.max_part;
	*len_out = outlen;
	return copy;
}

static void
msg_add_charset_problems(struct msg *m, const struct charset_info *ci,
    const char *section)
{
	if (ci->flags & CHARSET_UNKNOWN)
		msg_add_problem(m, MSG_PROBLEM_CHARSET, "unknown", section,
		    ci->declared, ci->used);
	if (ci->flags & CHARSET_MISMATCH)
		msg_add_problem(m, MSG_PROBLEM_CHARSET, "mismatch", section,
		    ci->declared, ci->used);
	if (ci->flags & CHARSET_INVALID)
		msg_add_problem(m, MSG_PROBLEM_CHARSET, "invalid", section,
		    ci->declared, ci->used);
	if (ci->flags & CHARSET_8BIT_UNDECLARED)
		msg_add_problem(m, MSG_PROBLEM_CHARSET, "8bit-undeclared",
		    section, ci->declared, ci->used);
}

static void
msg_walk_single(struct msg *m, struct mailmime *mime, const char *section,
    int quoted)
{
	const char		*kind, *label;
	char			*bytes, *utf8, *meta = NULL;
	size_t			 len = 0;
	struct charset_info	 ci;

	kind = msg_text_kind(mime);
	if (kind == NULL || msg_is_attachment(mime))
		return;
	bytes = msg_decode_body(m, mime->mm_data.mm_single, msg_mechanism(mime),
	    section, &len);
	if (bytes == NULL)
		return;
	label = msg_param(mime->mm_content_type, "charset");
	if (label == NULL && strcmp(kind, "html") == 0)
		label = meta = html_meta_charset(bytes, len);
	utf8 = charset_to_utf8(bytes, len, label, &ci);
	msg_add_charset_problems(m, &ci, section);
	if (strcmp(kind, "html") == 0) {
		m->seen_html = 1;
		msg_add_html(m, utf8, strlen(utf8), quoted);
	} else {
		m->seen_plain = 1;
		msg_add_plain(m, utf8, strlen(utf8), quoted);
	}
	free(meta);
	free(utf8);
	free(bytes);
}

/* multipart/alternative: the last part we can read is the richest (RFC
 * 2046 §5.1.4); read that one only, so the text is not counted twice. */
static struct mailmime *
msg_pick_alternative(struct msg *m, struct mailmime *mime)
{
	clistiter	*it;
	struct mailmime	*best = NULL, *child;
	int		 best_rank = 0, rank;
	const char	*kind;

	for (it = clist_begin(mime->mm_data.mm_multipart.mm_mp_list);
	    it != NULL; it = clist_next(it)) {
		child = clist_content(it);
		rank = 1;
		if (child->mm_type == MAILMIME_SINGLE) {
			kind = msg_text_kind(child);
			if (kind == NULL)
				continue;
			rank = strcmp(kind, "html") == 0 ? 3 : 2;
			/* A plain alternative exists even when unread. */
			if (rank == 2)
				m->seen_plain = 1;
		}
		if (rank >= best_rank) {
			best = child;
			best_rank = rank;
		}
	}
	return best;
}

static int
msg_is_subtype(struct mailmime *mime, const char *subtype)
{
	return mime->mm_content_type != NULL &&
	    mime->mm_content_type->ct_subtype != NULL &&
	    strcasecmp(mime->mm_content_type->ct_subtype, subtype) == 0;
}

static void
msg_walk_message(struct msg *m, struct mailmime *mime, const char *section)
{
	struct mailmime_data	*data = mime->mm_body;
	struct msg		*inner;
	char			*bytes, *cause = NULL;
	size_t			 len = 0;

	if (m->forward_kind == NULL || strcmp(m->forward_kind, "rfc822") != 0)
		m->forward_kind = "rfc822";
	if (m->forwarded != NULL || m->depth + 1 >= m->lim.max_depth ||
	    data == NULL)
		return;
	bytes = msg_decode_body(m, data, msg_mechanism(mime), section, &len);
	if (bytes == NULL)
		return;
	inner = msg_parse(bytes, len, &m->lim, &cause);
	free(cause);
	free(bytes);
	if (inner == NULL)
		return;
	inner->depth = m->depth + 1;
	/* The forwarded text is context for the outer message, never its
	 * own words. */
	msg_append_text(m, &m->quoted, inner->subject, strlen(inner->subject));
	msg_append_text(m, &m->quoted, "\n", 1);
	msg_append_text(m, &m->quoted, inner->body.data, inner->body.len);
	msg_append_text(m, &m->quoted, inner->quoted.data, inner->quoted.len);
	m->forwarded = inner;
}

static void
msg_walk(struct msg *m, struct mailmime *mime, const char *section, int quoted)
{
	clistiter	*it;
	char		 sub[64];
	int		 n = 0;

	if (++m->parts_seen > m->lim.max_parts) {
		if (m->parts_seen == m->lim.max_parts + 1)
			msg_add_problem(m, MSG_PROBLEM_STRUCTURE,
			    "too-many-parts", section, NULL, NULL);
		return;
	}
	switch (mime->mm_type) {
	case MAILMIME_SINGLE:
		msg_walk_single(m, mime, section, quoted);
		break;
	case MAILMIME_MULTIPLE:
		if (strlen(section) > 40) {
			msg_add_problem(m, MSG_PROBLEM_STRUCTURE, "too-deep",
			    section, NULL, NULL);
			break;
		}
		if (msg_is_subtype(mime, "alternative")) {
			struct mailmime	*best = msg_pick_alternative(m, mime);

			if (best != NULL) {
				snprintf(sub, sizeof sub, "%s%s1", section,
				    *section ? "." : "");
				msg_walk(m, best, sub, quoted);
			}
			break;
		}
		for (it = clist_begin(mime->mm_data.mm_multipart.mm_mp_list);
		    it != NULL; it = clist_next(it)) {
			snprintf(sub, sizeof sub, "%s%s%d", section,
			    *section ? "." : "", ++n);
			msg_walk(m, clist_content(it), sub, quoted);
		}
		break;
	case MAILMIME_MESSAGE:
		if (mime->mm_parent == NULL) {
			/* The top-level message itself. */
			if (mime->mm_data.mm_message.mm_msg_mime != NULL)
				msg_walk(m, mime->mm_data.mm_message.mm_msg_mime,
				    section, quoted);
		} else
			msg_walk_message(m, mime, section);
		break;
	}
}

/*
 * libetpan recurses once per nesting level and has no depth limit; count
 * boundary-bearing Content-Type lines first so hostile nesting cannot
 * exhaust the stack.  Cheap: one pass over the bytes.
 */
static unsigned int
msg_nesting_estimate(const char *raw, size_t len)
{
	static const char	 needle[] = "multipart/";
	const size_t		 nl = sizeof needle - 1, at = nl - 2;
	size_t			 i = at;
	unsigned int		 n = 0;

	/*
	 * Every occurrence has "t/" at offset 8, and only one (the needle
	 * cannot overlap itself, so this counts what a search that skips
	 * past each match counts).  The pair is rare in mail, base64
	 * included, so testing sixteen places at once for it and comparing
	 * only there reads the whole message at a fraction of memmem's
	 * cost.
	 */
	if (len < nl)
		return 0;
#ifdef __SSE2__
	while (len - i >= 17) {
		__m128i		 m;
		unsigned int	 mask;

		m = _mm_and_si128(
		    _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(raw + i)),
		    _mm_set1_epi8('t')),
		    _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)
		    (raw + i + 1)), _mm_set1_epi8('/')));
		mask = (unsigned int)_mm_movemask_epi8(m);
		for (; mask != 0; mask &= mask - 1) {
			if (memcmp(raw + i + (size_t)__builtin_ctz(mask) - at,
			    needle, nl) == 0)
				n++;
		}
		i += 16;
	}
#endif
	for (; i + 2 <= len; i++) {
		if (raw[i] == 't' && raw[i + 1] == '/' &&
		    memcmp(raw + i - at, needle, nl) == 0)
			n++;
	}
	return n;
}

static void
msg_read_mime(struct msg *m, const char *raw, size_t len, size_t body_off)
{
	struct mailmime	*mime = NULL;
	size_t		 idx = 0;

	if (msg_nesting_estimate(raw, len) > 4 * m->lim.max_parts) {
		char	*utf8;

		msg_add_problem(m, MSG_PROBLEM_STRUCTURE, "too-deep", "", NULL,
		    NULL);
		/* Raw bytes, read as unlabelled text: the body is UTF-8 like
		 * every other (msg.h; a fuzz-msg find of session 6). */
		utf8 = charset_to_utf8(raw + body_off,
		    len - body_off > m->lim.max_part ? m->lim.max_part :
		    len - body_off, NULL, NULL);
		msg_add_plain(m, utf8, strlen(utf8), 0);
		free(utf8);
		return;
	}
	if (mailmime_parse(raw, len, &idx, &mime) != MAILIMF_NO_ERROR ||
	    mime == NULL) {
		msg_add_problem(m, MSG_PROBLEM_STRUCTURE, "mime", "", NULL, NULL);
		return;
	}
	msg_walk(m, mime, "", 0);
	mailmime_free(mime);
}

static struct msg *
msg_parse_part(const char *raw, size_t len, const struct msg_limits *lim,
    int mime, char **cause)
{
	struct msg	*m;
	size_t		 body_off;

	if (raw == NULL || len == 0) {
		*cause = xstrdup("empty message");
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	if (lim != NULL)
		m->lim = *lim;
	else {
		m->lim.max_part = MSG_MAX_PART;
		m->lim.max_text = MSG_MAX_TEXT;
		m->lim.max_parts = MSG_MAX_PARTS;
		m->lim.max_depth = MSG_MAX_DEPTH;
		m->lim.max_headers = MSG_MAX_HEADERS;
		m->lim.max_links = MSG_MAX_LINKS;
	}
	buf_init(&m->body);
	buf_init(&m->quoted);
	/* An mbox "From " separator left at the top of an exported file. */
	if (len > 5 && memcmp(raw, "From ", 5) == 0) {
		const char *nl = memchr(raw, '\n', len);

		if (nl != NULL) {
			len -= (size_t)(nl + 1 - raw);
			raw = nl + 1;
		}
	}
	body_off = msg_split_headers(m, raw, len);
	if (m->nheaders == 0) {
		msg_free(m);
		*cause = xstrdup("not a mail message: no header fields");
		return NULL;
	}
	msg_read_envelope(m);
	if (mime)
		msg_read_mime(m, raw, len, body_off);
	return m;
}

struct msg *
msg_parse(const char *raw, size_t len, const struct msg_limits *lim,
    char **cause)
{
	return msg_parse_part(raw, len, lim, 1, cause);
}

struct msg *
msg_parse_envelope(const char *raw, size_t len, char **cause)
{
	return msg_parse_part(raw, len, NULL, 0, cause);
}

void
msg_free(struct msg *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nheaders; i++) {
		free(m->headers[i].name);
		free(m->headers[i].value);
	}
	free(m->headers);
	free(m->subject);
	free(m->from_display);
	free(m->from_addr);
	free(m->reply_to);
	free(m->return_path);
	free(m->message_id);
	free(m->date);
	msg_strvec_free(&m->to);
	buf_free(&m->body);
	buf_free(&m->quoted);
	for (i = 0; i < m->nlinks; i++) {
		free(m->links[i].href);
		free(m->links[i].text);
	}
	free(m->links);
	msg_strvec_free(&m->fonts);
	msg_strvec_free(&m->forms);
	msg_strvec_free(&m->images);
	for (i = 0; i < m->nproblems; i++) {
		free(m->problems[i].what);
		free(m->problems[i].where);
		free(m->problems[i].declared);
		free(m->problems[i].used);
	}
	free(m->problems);
	msg_free(m->forwarded);
	free(m);
}

const char *msg_subject(const struct msg *m) { return m->subject; }
const char *msg_from_display(const struct msg *m) { return m->from_display; }
const char *msg_from_addr(const struct msg *m) { return m->from_addr; }
const char *msg_reply_to_addr(const struct msg *m) { return m->reply_to; }
const char *msg_return_path(const struct msg *m) { return m->return_path; }
const char *msg_message_id(const struct msg *m) { return m->message_id; }
const char *msg_date(const struct msg *m) { return m->date; }
size_t msg_to_count(const struct msg *m) { return m->to.n; }

const char *
msg_to_addr(const struct msg *m, size_t i)
{
	return i < m->to.n ? m->to.v[i] : NULL;
}

const char *
msg_body(const struct msg *m, size_t *len_out)
{
	if (len_out != NULL)
		*len_out = m->body.len;
	return m->body.data;
}

const char *
msg_quoted(const struct msg *m, size_t *len_out)
{
	if (len_out != NULL)
		*len_out = m->quoted.len;
	return m->quoted.data;
}

size_t msg_link_count(const struct msg *m) { return m->nlinks; }

const struct msg_link *
msg_link(const struct msg *m, size_t i)
{
	return i < m->nlinks ? &m->links[i].pub : NULL;
}

size_t msg_font_count(const struct msg *m) { return m->fonts.n; }
const char *msg_font(const struct msg *m, size_t i) { return i < m->fonts.n ? m->fonts.v[i] : NULL; }
size_t msg_form_count(const struct msg *m) { return m->forms.n; }
const char *msg_form(const struct msg *m, size_t i) { return i < m->forms.n ? m->forms.v[i] : NULL; }
size_t msg_image_count(const struct msg *m) { return m->images.n; }
const char *msg_image(const struct msg *m, size_t i) { return i < m->images.n ? m->images.v[i] : NULL; }
size_t msg_problem_count(const struct msg *m) { return m->nproblems; }

const struct msg_problem *
msg_problem(const struct msg *m, size_t i)
{
	return i < m->nproblems ? &m->problems[i].pub : NULL;
}

int
msg_html_only(const struct msg *m)
{
	return m->seen_html && !m->seen_plain;
}

const char *msg_forward_kind(const struct msg *m) { return m->forward_kind; }
const struct msg *msg_forwarded(const struct msg *m) { return m->forwarded; }
