/* SPDX-License-Identifier: ISC */
/*
 * IMAP modified UTF-7 mailbox names (RFC 3501 §5.1.3) to and from UTF-8,
 * by hand rather than through iconv, whose UTF-7 is RFC 2152's and not
 * IMAP's.  Knows nothing of hierarchy delimiters, quoting or literals.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "imap-utf7.h"
#include "xalloc.h"

/* RFC 3501 §5.1.3: base64 with "," in place of "/", and no "=" padding. */
static const char imap_utf7_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

struct imap_utf7_enc {
	struct buf	*out;
	uint32_t	 bits;		/* fewer than 6 pending bits */
	unsigned int	 nbits;
	int		 open;		/* inside "&…" */
};

static void
imap_utf7_set_cause(char **cause, char *msg)
{
	if (cause != NULL)
		*cause = msg;
	else
		free(msg);
}

/*
 * Reads one UTF-8 sequence at s.  Returns its length and sets *cp, or 0
 * for an invalid sequence (overlong, surrogate, above U+10FFFF, truncated).
 */
static size_t
imap_utf7_utf8_next(const unsigned char *s, uint32_t *cp)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 need, k;
	uint32_t	 v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
		v = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		v = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;
		if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		v = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;
		if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	for (k = 1; k <= need; k++) {
		/* The NUL terminator fails this test, so no overread. */
		if (s[k] < lo || s[k] > hi)
			return 0;
		v = v << 6 | (s[k] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return need + 1;
}

static void
imap_utf7_put_utf8(struct buf *b, uint32_t cp)
{
	char	 tmp[4];
	size_t	 n;

	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | cp >> 6);
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | cp >> 12);
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | cp >> 18);
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(b, tmp, n);
}

static void
imap_utf7_enc_unit(struct imap_utf7_enc *e, uint32_t u)
{
	if (!e->open) {
		buf_addc(e->out, '&');
		e->open = 1;
	}
	e->bits = e->bits << 16 | u;
	e->nbits += 16;
	while (e->nbits >= 6) {
		e->nbits -= 6;
		buf_addc(e->out,
		    imap_utf7_alphabet[(e->bits >> e->nbits) & 63]);
	}
	e->bits &= (1u << e->nbits) - 1;
}

static void
imap_utf7_enc_close(struct imap_utf7_enc *e)
{
	if (!e->open)
		return;
	if (e->nbits > 0)
		buf_addc(e->out,
		    imap_utf7_alphabet[(e->bits << (6 - e->nbits)) & 63]);
	/* Unlike RFC 2152, the closing "-" is never optional here. */
	buf_addc(e->out, '-');
	e->bits = 0;
	e->nbits = 0;
	e->open = 0;
}

char *
imap_utf7_encode(const char *utf8, char **cause)
{
	const unsigned char	*s = (const unsigned char *)utf8;
	struct buf		 out;
	struct imap_utf7_enc	 e = { &out, 0, 0, 0 };
	uint32_t		 cp;
	size_t			 i, n;

	buf_init(&out);
	for (i = 0; s[i] != '\0'; i += n) {
		if ((n = imap_utf7_utf8_next(s + i, &cp)) == 0) {
			buf_free(&out);
			imap_utf7_set_cause(cause, xasprintf("invalid utf-8 at "
			    "byte %zu", i + 1));
			return NULL;
		}
		if (cp >= 0x20 && cp <= 0x7e) {
			imap_utf7_enc_close(&e);
			if (cp == '&')
				buf_adds(&out, "&-");
			else
				buf_addc(&out, (char)cp);
		} else if (cp >= 0x10000) {
			cp -= 0x10000;
			imap_utf7_enc_unit(&e, 0xd800 | cp >> 10);
			imap_utf7_enc_unit(&e, 0xdc00 | (cp & 0x3ff));
		} else
			imap_utf7_enc_unit(&e, cp);
	}
	imap_utf7_enc_close(&e);
	return buf_take(&out);
}

static int
imap_utf7_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == ',')
		return 63;
	return -1;
}

/*
 * Decodes the run after the "&" at s[start] up to its "-".  Returns the
 * index just past the "-", or 0 and an owned message in *why.
 */
static size_t
imap_utf7_dec_run(const unsigned char *s, size_t start, struct buf *out,
    char **why)
{
	uint32_t	 bits = 0, u, high = 0;
	unsigned int	 nbits = 0;
	size_t		 i;
	int		 v;

	for (i = start + 1; s[i] != '-'; i++) {
		if (s[i] == '\0') {
			*why = xasprintf("unterminated & run at byte %zu",
			    start + 1);
			return 0;
		}
		if ((v = imap_utf7_b64_value(s[i])) < 0) {
			*why = xasprintf("byte 0x%02x at byte %zu is not "
			    "modified base64", s[i], i + 1);
			return 0;
		}
		bits = bits << 6 | (uint32_t)v;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		u = (bits >> nbits) & 0xffff;
		bits &= (1u << nbits) - 1;
		if (high != 0) {
			if (u < 0xdc00 || u > 0xdfff) {
				*why = xasprintf("unpaired high surrogate in "
				    "& run at byte %zu", start + 1);
				return 0;
			}
			imap_utf7_put_utf8(out,
			    0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00));
			high = 0;
		} else if (u >= 0xd800 && u <= 0xdbff)
			high = u;
		else if (u >= 0xdc00 && u <= 0xdfff) {
			*why = xasprintf("unpaired low surrogate in & run at "
			    "byte %zu", start + 1);
			return 0;
		} else if (u == 0) {
			*why = xasprintf("encoded U+0000 in & run at byte %zu",
			    start + 1);
			return 0;
		} else if (u >= 0x20 && u <= 0x7e) {
			/* RFC 3501 §5.1.3: printable ASCII must be itself. */
			*why = xasprintf("encoded printable ascii in & run at "
			    "byte %zu", start + 1);
			return 0;
		} else
			imap_utf7_put_utf8(out, u);
	}
	/* A pair split over two runs is not canonical; refuse it too. */
	if (high != 0) {
		*why = xasprintf("unpaired high surrogate in & run at byte %zu",
		    start + 1);
		return 0;
	}
	/* Only the zero bits that pad the last UTF-16 unit may remain. */
	if (nbits >= 6 || bits != 0) {
		*why = xasprintf("& run at byte %zu does not end on a utf-16 "
		    "unit", start + 1);
		return 0;
	}
	return i + 1;
}

char *
imap_utf7_decode(const char *mutf7, char **cause)
{
	const unsigned char	*s = (const unsigned char *)mutf7;
	struct buf		 out;
	char			*why = NULL;
	size_t			 i = 0;

	buf_init(&out);
	while (s[i] != '\0') {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			why = xasprintf("byte 0x%02x at byte %zu is not "
			    "printable ascii", s[i], i + 1);
			break;
		}
		if (s[i] != '&') {
			buf_addc(&out, (char)s[i++]);
			continue;
		}
		if (s[i + 1] == '-') {
			buf_addc(&out, '&');
			i += 2;
			continue;
		}
		if ((i = imap_utf7_dec_run(s, i, &out, &why)) == 0)
			break;
	}
	if (why != NULL) {
		buf_free(&out);
		imap_utf7_set_cause(cause, why);
		return NULL;
	}
	return buf_take(&out);
}
