/* SPDX-License-Identifier: ISC */
/*
 * RFC 2047 encoded words in one unfolded header value, and RFC 2231
 * extended parameter values, decoded to UTF-8.  Knows nothing of MIME
 * structure or of which header it reads; charset work is charset.c's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "charset.h"
#include "rfc2047.h"
#include "xalloc.h"

#define RFC2047_CHARSET_MAX	64

struct rfc2047_word {
	const char	*charset;	/* into the input, "*lang" cut off */
	size_t		 charsetlen;
	size_t		 len;		/* input bytes the word spans */
	int		 ascii_b;	/* a B word that decoded to pure ASCII */
	int		 lenient;	/* a Q "=" that was no escape, kept */
};

/* Adjacent words in one charset, waiting to be converted together. */
struct rfc2047_group {
	int		 active;
	char		 charset[RFC2047_CHARSET_MAX];
	struct buf	 bytes;
	size_t		 start, end;	/* the raw span, kept if unknown */
	int		 ascii_b;
};

struct rfc2047_state {
	const char		*in;
	size_t			 len;
	struct buf		 out;
	struct buf		 word;	/* scratch for one word's bytes */
	struct rfc2047_group	 g;
	struct rfc2047_info	*info;
	const char		*raw_cs;	/* sniffed, for raw 8-bit text */
	int			 raw_known;
};

static int
rfc2047_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 2047 §2 token, plus '.' and ':' that real charset names use. */
static int
rfc2047_is_token(char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return strchr("()<>@,;\"/[]?=\\", c) == NULL;
}

static int
rfc2047_b64(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Base64 with the leniency real mail needs: padding may be missing,
 * whitespace (a fold inside the word) is skipped, and padding followed by
 * more data starts a new quantum (encoders that concatenate base64).
 * A character outside the alphabet, or a lone 6 bits that cannot make a
 * byte, is broken.  Returns -1 if broken.
 */
static int
rfc2047_decode_b(struct buf *b, const char *s, size_t n)
{
	unsigned int	 acc = 0;
	size_t		 i, count = 0;
	int		 bits = 0, v;

	for (i = 0; i < n; i++) {
		if (rfc2047_is_space(s[i]))
			continue;
		if (s[i] == '=') {
			if (count % 4 == 1)
				return -1;
			acc = 0;
			bits = 0;
			count = 0;
			continue;
		}
		if ((v = rfc2047_b64(s[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		count++;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(b, (char)((acc >> bits) & 0xff));
			acc &= (1u << bits) - 1;
		}
	}
	return count % 4 == 1 ? -1 : 0;
}

/*
 * Q (RFC 2047 §4.2): "_" is a space, "=XX" a byte.  An "=" without two hex
 * digits is kept as itself, as mail clients do, and reported through
 * *lenient.  Folding line breaks inside the word are dropped.
 */
static void
rfc2047_decode_q(struct buf *b, const char *s, size_t n, int *lenient)
{
	size_t	 i;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '_')
			buf_addc(b, ' ');
		else if (s[i] == '=') {
			hi = i + 1 < n ? sagi_hexval(s[i + 1]) : -1;
			lo = i + 2 < n ? sagi_hexval(s[i + 2]) : -1;
			if (hi >= 0 && lo >= 0) {
				buf_addc(b, (char)(hi << 4 | lo));
				i += 2;
			} else {
				buf_addc(b, '=');
				*lenient = 1;
			}
		} else if (s[i] != '\r' && s[i] != '\n')
			buf_addc(b, s[i]);
	}
}

/*
 * Parses "=?charset?X?text?=" at s (which starts "=?"), appending the
 * decoded bytes to b.  Returns 1 for a word, 0 if s starts no encoded word
 * at all, and -1 for a broken one, with w->len set to how much of the
 * input to keep raw.  Every scan stops at the next '?', so the work per
 * input byte is bounded however many "=?" a hostile header holds.
 */
static int
rfc2047_word(const char *s, size_t n, struct buf *b, struct rfc2047_word *w)
{
	size_t		 i, text, end, start;
	const char	*star;
	char		 enc;
	int		 ascii;

	memset(w, 0, sizeof *w);
	for (i = 2; i < n && s[i] != '?'; i++) {
		if (!rfc2047_is_token(s[i]) || i - 2 >= RFC2047_CHARSET_MAX - 1)
			return 0;
	}
	if (i == 2 || i + 2 >= n || s[i + 2] != '?')
		return 0;
	enc = s[i + 1];
	if (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q')
		return 0;
	w->charset = s + 2;
	w->charsetlen = i - 2;
	/* RFC 2231 §5: "charset*language". */
	if ((star = memchr(w->charset, '*', w->charsetlen)) != NULL)
		w->charsetlen = (size_t)(star - w->charset);
	text = i + 3;
	for (end = text; end < n && s[end] != '?'; end++)
		/* nothing */;
	if (end + 1 >= n || s[end + 1] != '=' || w->charsetlen == 0) {
		w->len = text;
		return -1;
	}
	w->len = end + 2;
	start = b->len;
	if (enc == 'Q' || enc == 'q') {
		rfc2047_decode_q(b, s + text, end - text, &w->lenient);
		return 1;
	}
	if (rfc2047_decode_b(b, s + text, end - text) != 0) {
		b->len = start;
		b->data[start] = '\0';
		return -1;
	}
	ascii = b->len > start;
	for (i = start; i < b->len && ascii; i++) {
		if ((unsigned char)b->data[i] >= 0x80 || b->data[i] == 0x1b)
			ascii = 0;
	}
	w->ascii_b = ascii;
	return 1;
}

/*
 * Keeps the names of the conversion that matters for the report: a
 * conversion with a problem wins over a clean one.  Flags accumulate.
 */
static void
rfc2047_note(struct rfc2047_info *info, const struct charset_info *cs)
{
	unsigned int	 had = info->cs.flags;

	if (cs->flags != 0 || had == 0) {
		memcpy(info->cs.declared, cs->declared,
		    sizeof info->cs.declared);
		memcpy(info->cs.used, cs->used, sizeof info->cs.used);
	}
	info->cs.flags = had | cs->flags;
}

/*
 * Text outside encoded words.  Plain ASCII is copied (NUL becomes U+FFFD,
 * other controls stay).  8-bit bytes or raw ISO-2022-JP escapes were put
 * there by a sender that ignored RFC 2047: they are read as what the whole
 * header sniffs as, which beats guessing from a short fragment.
 */
static void
rfc2047_raw(struct rfc2047_state *st, const char *p, size_t n)
{
	struct charset_info	 cs;
	size_t			 i;
	int			 has8 = 0, esc = 0, nul = 0;
	char			*s;

	for (i = 0; i < n; i++) {
		if ((unsigned char)p[i] >= 0x80)
			has8 = 1;
		else if (p[i] == 0x1b)
			esc = 1;
		else if (p[i] == '\0')
			nul = 1;
	}
	if (!has8 && !esc) {
		if (!nul) {
			buf_add(&st->out, p, n);
			return;
		}
		for (i = 0; i < n; i++) {
			if (p[i] == '\0')
				buf_adds(&st->out, "\xef\xbf\xbd");
			else
				buf_addc(&st->out, p[i]);
		}
		return;
	}
	if (!st->raw_known) {
		st->raw_cs = charset_sniff(st->in, st->len);
		st->raw_known = 1;
	}
	s = charset_to_utf8(p, n, st->raw_cs, &cs);
	buf_adds(&st->out, s);
	free(s);
	if (has8 || (st->raw_cs != NULL &&
	    strcmp(st->raw_cs, "ISO-2022-JP") == 0)) {
		st->info->flags |= RFC2047_RAW_8BIT;
		cs.declared[0] = '\0';
		if (has8)
			cs.flags |= CHARSET_8BIT_UNDECLARED;
		if (st->raw_cs != NULL)
			cs.flags |= CHARSET_SNIFFED;
	}
	if (cs.flags & CHARSET_INVALID)
		st->info->flags |= RFC2047_INVALID;
	rfc2047_note(st->info, &cs);
}

/*
 * Converts the pending group of words.  Unknown charsets stay raw, white
 * space before them included; returns 1 then.
 */
static int
rfc2047_flush(struct rfc2047_state *st)
{
	struct rfc2047_group	*g = &st->g;
	struct charset_info	 cs;
	char			*s;

	if (!g->active)
		return 0;
	g->active = 0;
	s = charset_to_utf8(g->bytes.data, g->bytes.len, g->charset, &cs);
	if (cs.flags & CHARSET_UNKNOWN) {
		free(s);
		rfc2047_raw(st, st->in + g->start, g->end - g->start);
		st->info->flags |= RFC2047_UNKNOWN_CHARSET;
		rfc2047_note(st->info, &cs);
		return 1;
	}
	buf_adds(&st->out, s);
	free(s);
	st->info->flags |= RFC2047_ENCODED;
	if (cs.flags & CHARSET_INVALID)
		st->info->flags |= RFC2047_INVALID;
	/* An ISO-2022-JP word may be plain JIS bytes between escapes carried
	 * by its neighbours: only a group with no escape at all is ASCII. */
	if (g->ascii_b && memchr(g->bytes.data, 0x1b, g->bytes.len) == NULL)
		st->info->flags |= RFC2047_EXCESS;
	rfc2047_note(st->info, &cs);
	return 0;
}

static int
rfc2047_same_charset(const char *a, const char *b)
{
	const char	*ca, *cb;

	if (strcasecmp(a, b) == 0)
		return 1;
	ca = charset_canonical(a);
	cb = charset_canonical(b);
	return ca != NULL && cb != NULL && strcmp(ca, cb) == 0;
}

/*
 * A decoded word at in[at]; raw text since the last word starts at mark.
 * RFC 2047 §6.2: white space between adjacent words is dropped, and words
 * sharing a charset are joined as bytes before conversion, so a character
 * or an ISO-2022-JP escape state split across two words comes out whole.
 */
static void
rfc2047_add_word(struct rfc2047_state *st, size_t mark, size_t at,
    const struct rfc2047_word *w)
{
	struct rfc2047_group	*g = &st->g;
	char			 charset[RFC2047_CHARSET_MAX];
	size_t			 i, start = at;
	int			 gap_space = 1;

	memcpy(charset, w->charset, w->charsetlen);
	charset[w->charsetlen] = '\0';
	for (i = mark; i < at && gap_space; i++)
		gap_space = rfc2047_is_space(st->in[i]);
	if (g->active && gap_space && rfc2047_same_charset(g->charset,
	    charset)) {
		buf_add(&g->bytes, st->word.data, st->word.len);
		g->end = at + w->len;
		g->ascii_b |= w->ascii_b;
		return;
	}
	/* The dropped white space still belongs to whichever neighbour is
	 * kept raw, so "=?x-unknown?…?= =?UTF-8?…?=" keeps its space. */
	if (!g->active || rfc2047_flush(st) || !gap_space)
		rfc2047_raw(st, st->in + mark, at - mark);
	else
		start = mark;
	g->active = 1;
	memcpy(g->charset, charset, sizeof charset);
	buf_reset(&g->bytes);
	buf_add(&g->bytes, st->word.data, st->word.len);
	g->start = start;
	g->end = at + w->len;
	g->ascii_b = w->ascii_b;
}

/*
 * Deliberate departures from RFC 2047, because Japanese mail needs them
 * (listed in doc/rfc-deviations.md):
 *  - words glued to other text ("件名=?UTF-8?B?…?=") are decoded (§5
 *    wants them delimited by white space);
 *  - words inside quoted strings are decoded (§5 forbids it; senders
 *    quote encoded display names all the time);
 *  - base64 without padding, and folds inside a word, are accepted;
 *  - raw 8-bit text and raw ISO-2022-JP outside words are sniffed.
 */
char *
rfc2047_decode(const char *in, size_t len, struct rfc2047_info *info)
{
	struct rfc2047_state	 st;
	struct rfc2047_info	 dummy;
	struct rfc2047_word	 w;
	size_t			 p = 0, mark = 0;
	int			 jis = 0, r;
	char			*s;

	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof *info);
	if (in == NULL) {
		in = "";
		len = 0;
	}
	memset(&st, 0, sizeof st);
	st.in = in;
	st.len = len;
	st.info = info;
	buf_init(&st.out);
	buf_init(&st.word);
	buf_init(&st.g.bytes);

	while (p < len) {
		/* Inside raw ISO-2022-JP two-byte text "=?" is a kanji. */
		if (in[p] == 0x1b && p + 1 < len) {
			if (in[p + 1] == '$')
				jis = 1;
			else if (in[p + 1] == '(')
				jis = 0;
		} else if (jis && rfc2047_is_space(in[p]))
			jis = 0;
		if (jis || in[p] != '=' || p + 1 >= len || in[p + 1] != '?') {
			p++;
			continue;
		}
		buf_reset(&st.word);
		r = rfc2047_word(in + p, len - p, &st.word, &w);
		if (r == 0) {
			p++;
			continue;
		}
		if (r < 0) {
			/* Stays in the raw text, which ends any run of
			 * adjacent words. */
			info->flags |= RFC2047_MALFORMED;
			p += w.len;
			continue;
		}
		if (w.lenient)
			info->flags |= RFC2047_MALFORMED;
		rfc2047_add_word(&st, mark, p, &w);
		p += w.len;
		mark = p;
	}
	rfc2047_flush(&st);
	rfc2047_raw(&st, in + mark, len - mark);

	buf_free(&st.word);
	buf_free(&st.g.bytes);
	s = buf_take(&st.out);
	buf_free(&st.out);
	return s;
}

char *
rfc2231_decode(const char *value, struct charset_info *info)
{
	const char	*q1, *q2, *p;
	char		 charset[RFC2047_CHARSET_MAX];
	struct buf	 b;
	char		*s;
	int		 hi, lo;

	if (info != NULL)
		memset(info, 0, sizeof *info);
	if (value == NULL || (q1 = strchr(value, '\'')) == NULL ||
	    (q2 = strchr(q1 + 1, '\'')) == NULL)
		return NULL;
	if ((size_t)(q1 - value) >= sizeof charset)
		return NULL;
	for (p = value; p < q1; p++) {
		if (!rfc2047_is_token(*p))
			return NULL;
	}
	/* The language is a tag (RFC 5646) or empty; anything else means
	 * the apostrophes were just apostrophes. */
	for (p = q1 + 1; p < q2; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return NULL;
	}
	memcpy(charset, value, (size_t)(q1 - value));
	charset[q1 - value] = '\0';

	buf_init(&b);
	for (p = q2 + 1; *p != '\0'; p++) {
		hi = lo = -1;
		if (*p == '%' && p[1] != '\0') {
			hi = sagi_hexval(p[1]);
			lo = sagi_hexval(p[2]);
		}
		if (hi >= 0 && lo >= 0) {
			buf_addc(&b, (char)(hi << 4 | lo));
			p += 2;
		} else
			buf_addc(&b, *p);	/* a stray '%' stays itself */
	}
	s = charset_to_utf8(b.data, b.len, charset[0] != '\0' ? charset : NULL,
	    info);
	buf_free(&b);
	return s;
}
