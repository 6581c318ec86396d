/* SPDX-License-Identifier: ISC */
/* JSON Lines written straight into a buffer (see jsonl.h). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

/* Bytes that pass as they are: printable ASCII but '"' and '\\'. */
static inline int
jsonl_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0. */
static inline size_t
jsonl_utf8_len(const unsigned char *p)
{
	size_t	n, i;

	if (*p >= 0xC2 && *p <= 0xDF)
		n = 2;
	else if (*p >= 0xE0 && *p <= 0xEF)
		n = 3;
	else if (*p >= 0xF0 && *p <= 0xF4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((*p == 0xE0 && p[1] < 0xA0) || (*p == 0xED && p[1] >= 0xA0) ||
	    (*p == 0xF0 && p[1] < 0x90) || (*p == 0xF4 && p[1] >= 0x90))
		return 0;
	return n;
}

void
jsonl_quote(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), n;
	char			*start, *d;

	/* Worst case: every byte a control, "\u00XX". */
	start = d = buf_reserve(b, 6 * len + 2);
	*d++ = '"';
	while (*p != '\0') {
		if (jsonl_plain(*p)) {
			*d++ = (char)*p++;
			continue;
		}
		if (*p >= 0x80) {
			if ((n = jsonl_utf8_len(p)) > 0) {
				/* Inline: a call to memcpy costs more than
				 * the 2 to 4 bytes it would move. */
				do
					*d++ = (char)*p++;
				while (--n > 0);
			} else {
				memcpy(d, "\xEF\xBF\xBD", 3);
				d += 3;
				p++;
			}
			continue;
		}
		*d++ = '\\';
		switch (*p) {
		case '"':
		case '\\':
			*d++ = (char)*p;
			break;
		case '\n':
			*d++ = 'n';
			break;
		case '\r':
			*d++ = 'r';
			break;
		case '\t':
			*d++ = 't';
			break;
		default:	/* other controls and DEL */
			memcpy(d, "u00", 3);
			d[3] = hex[*p >> 4];
			d[4] = hex[*p & 0xf];
			d += 5;
			break;
		}
		p++;
	}
	*d++ = '"';
	buf_commit(b, (size_t)(d - start));
}

/* The separator and the key of the next member or element. */
static void
jsonl_member(struct jsonl *j, const char *key)
{
	if (j->depth > 0 && j->more[j->depth - 1])
		buf_addc(j->b, ',');
	if (j->depth > 0)
		j->more[j->depth - 1] = 1;
	if (key != NULL) {
		/* Keys are the caller's literals: nothing to escape. */
		buf_addc(j->b, '"');
		buf_adds(j->b, key);
		buf_adds(j->b, "\":");
	}
}

static void
jsonl_open(struct jsonl *j, const char *key, char open, char close)
{
	/* sagi writes four levels at most: deeper is a bug of the caller. */
	if (j->depth == JSONL_DEPTH)
		abort();
	jsonl_member(j, key);
	buf_addc(j->b, open);
	j->more[j->depth] = 0;
	j->close[j->depth] = close;
	j->depth++;
}

void
jsonl_begin(struct jsonl *j, struct buf *b)
{
	memset(j, 0, sizeof *j);
	j->b = b;
	jsonl_open(j, NULL, '{', '}');
}

void
jsonl_close(struct jsonl *j)
{
	if (j->depth == 0)
		return;
	j->depth--;
	buf_addc(j->b, j->close[j->depth]);
}

void
jsonl_end(struct jsonl *j)
{
	while (j->depth > 0)
		jsonl_close(j);
	buf_addc(j->b, '\n');
}

void
jsonl_object(struct jsonl *j, const char *key)
{
	jsonl_open(j, key, '{', '}');
}

void
jsonl_array(struct jsonl *j, const char *key)
{
	jsonl_open(j, key, '[', ']');
}

void
jsonl_str(struct jsonl *j, const char *key, const char *val)
{
	jsonl_member(j, key);
	jsonl_quote(j->b, val != NULL ? val : "");
}

void
jsonl_int(struct jsonl *j, const char *key, long long val)
{
	jsonl_member(j, key);
	buf_printf(j->b, "%lld", val);
}

void
jsonl_bool(struct jsonl *j, const char *key, int val)
{
	jsonl_member(j, key);
	buf_adds(j->b, val ? "true" : "false");
}

void
jsonl_score(struct jsonl *j, const char *key, double val)
{
	char			 t[48], *p = t + sizeof t;
	double			 tenths = val * 10;
	unsigned long long	 k;
	int			 n;

	jsonl_member(j, key);
	if (!isfinite(val)) {
		buf_adds(j->b, "null");	/* JSON has no NaN */
		return;
	}
	/*
	 * Scores are sums of weights in tenths at most, and printf's "%.1f"
	 * cost more than the rest of a scan line: for a whole number of
	 * tenths it would print just these digits.
	 */
	if (fabs(tenths) < 1e15 && tenths == (double)(long long)tenths &&
	    !(tenths == 0 && signbit(val))) {
		k = (unsigned long long)(tenths < 0 ? -tenths : tenths);
		*--p = (char)('0' + k % 10);
		*--p = '.';
		k /= 10;
		do
			*--p = (char)('0' + k % 10);
		while ((k /= 10) > 0);
		if (tenths < 0)
			*--p = '-';
		buf_add(j->b, p, (size_t)(t + sizeof t - p));
		return;
	}
	n = snprintf(t, sizeof t, "%.1f", val);
	buf_add(j->b, t, (size_t)n);
}
