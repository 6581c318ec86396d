/* SPDX-License-Identifier: ISC */
/*
 * Bounds on what an IMAP server can make sagi read (see imap-guard.h).
 * Tracks just enough of the syntax to tell a line from a literal (RFC 3501
 * §4.3: "{N}" or "{N+}" then CRLF, then N bytes); it never parses
 * responses, libetpan does.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "imap-guard.h"
#include "xalloc.h"

struct imap_guard {
	mailstream_low	*inner;		/* owned */
	unsigned int	 timeout;
	long long	 start_ms;	/* when our last write went out */
	uint64_t	 got;		/* bytes read since then */
	uint64_t	 line;		/* bytes since the last LF, not literals */
	uint64_t	 literal;	/* literal bytes still to come */
	uint64_t	 announced;	/* the "{N}" being read */
	int		 state;
	/* The start of the current response, for imap_guard_response_ok. */
	int		 greeting;	/* it is the server's greeting */
	int		 continued;	/* it follows a literal: not a start */
	int		 past_tag;	/* head is being filled */
	size_t		 head_len;	/* bytes in head */
	int		 flags;		/* IMAP_GUARD_PF_*: a PERMANENTFLAGS list */
#define IMAP_GUARD_PF_NONE	0	/* not in one */
#define IMAP_GUARD_PF_OPEN	1	/* after "(" */
#define IMAP_GUARD_PF_SEP	2	/* after a flag's SP */
#define IMAP_GUARD_PF_BSLASH	3	/* after "\" */
#define IMAP_GUARD_PF_ATOM	4	/* in a flag */
#define IMAP_GUARD_PF_STAR	5	/* after "\*" */
#define IMAP_GUARD_PF_DONE	6	/* after ")" */
#define IMAP_GUARD_PF_BAD	7	/* broke the grammar */
#define IMAP_GUARD_PF_NAME	8	/* after "PERMANENTFLAGS" */
#define IMAP_GUARD_PF_SP	9	/* after "PERMANENTFLAGS " */
	char		 head[48];	/* the line after its tag */
#define IMAP_GUARD_TEXT		0
#define IMAP_GUARD_DIGITS	1	/* after "{" */
#define IMAP_GUARD_PLUS		2	/* after "{N+" */
#define IMAP_GUARD_CLOSE	3	/* after "}" */
#define IMAP_GUARD_CR		4	/* after "}\r" */
	char		 why[200];
};

static long long
imap_guard_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Response lines that crash libetpan 1.9.4's parser, refused before it
 * sees their end of line (it parses a line only once it has all of it).
 * Both were found by fuzz/fuzz-imap (corpus files greeting-flags,
 * permanentflags-open and permanentflags-star):
 *  - a greeting whose response code holds a list (PERMANENTFLAGS or
 *    BADCHARSET with "("): libetpan parses the greeting without a parser
 *    context and reads through that NULL pointer;
 *  - a [PERMANENTFLAGS (...) list that breaks RFC 3501's grammar, "("
 *    alone or "(*)", or a [PERMANENTFLAGS code not followed by exactly
 *    one space and "(" ("PERMANENTFLAGS  (", found by fuzz-imap in
 *    session 6): the error path frees a list it never made.
 * No server has a reason to send either; refusing them costs nothing.
 */
static const char *const imap_guard_conds[] = { "OK [", "NO [", "BAD [",
    "BYE [", "PREAUTH [" };

/* The response code in head ("PERMANENTFLAGS (..."), or NULL. */
static const char *
imap_guard_code(struct imap_guard *g)
{
	const char	*c;
	size_t		 i;

	g->head[g->head_len] = '\0';
	for (i = 0; i < sizeof imap_guard_conds / sizeof imap_guard_conds[0];
	    i++) {
		c = imap_guard_conds[i];
		if (strncasecmp(g->head, c, strlen(c)) == 0)
			return g->head + strlen(c);
	}
	return NULL;
}

/*
 * "* CAPABILITY" with no capability at all: RFC 3501 wants IMAP4rev1 in
 * it, and libetpan 1.9.4's mailimap_capability reads through the NULL
 * list it makes of it (fuzz-imap, session 6; corpus crash-2e21934d...).
 */
static int
imap_guard_caps_empty(struct imap_guard *g)
{
	size_t	n = g->head_len;

	while (n > 0 && (g->head[n - 1] == '\r' || g->head[n - 1] == ' '))
		n--;
	return n == 10 && strncasecmp(g->head, "CAPABILITY", 10) == 0;
}

static int
imap_guard_response_ok(struct imap_guard *g)
{
	const char	*code = imap_guard_code(g);

	if (imap_guard_caps_empty(g)) {
		snprintf(g->why, sizeof g->why, "the server sent a CAPABILITY "
		    "response without any capability");
		return -1;
	}
	if (code == NULL)
		return 0;
	/* The PERMANENTFLAGS tracking stops filling head after the name. */
	if (g->greeting && (strncasecmp(code, "PERMANENTFLAGS", 14) == 0 ||
	    strncasecmp(code, "BADCHARSET (", 12) == 0)) {
		snprintf(g->why, sizeof g->why, "the server's greeting carries "
		    "a [%.*s] response code, which no server sends there and "
		    "libetpan cannot read", (int)strcspn(code, " "), code);
		return -1;
	}
	if (g->flags != IMAP_GUARD_PF_NONE && g->flags != IMAP_GUARD_PF_DONE) {
		snprintf(g->why, sizeof g->why, "the server sent a malformed "
		    "[PERMANENTFLAGS] response code");
		return -1;
	}
	return 0;
}

/* RFC 3501's ATOM-CHAR: a CHAR but for atom-specials and "]". */
static int
imap_guard_atom_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("(){%*\"\\]", c) == NULL;
}

/* One byte of a PERMANENTFLAGS list: "(" [flag-perm *(SP flag-perm)] ")". */
static int
imap_guard_flags_step(int st, unsigned char c)
{
	switch (st) {
	case IMAP_GUARD_PF_NAME:
		return c == ' ' ? IMAP_GUARD_PF_SP : IMAP_GUARD_PF_BAD;
	case IMAP_GUARD_PF_SP:
		return c == '(' ? IMAP_GUARD_PF_OPEN : IMAP_GUARD_PF_BAD;
	case IMAP_GUARD_PF_OPEN:
		if (c == ')')
			return IMAP_GUARD_PF_DONE;
		/* FALLTHROUGH */
	case IMAP_GUARD_PF_SEP:
		if (c == '\\')
			return IMAP_GUARD_PF_BSLASH;
		return imap_guard_atom_char(c) ? IMAP_GUARD_PF_ATOM :
		    IMAP_GUARD_PF_BAD;
	case IMAP_GUARD_PF_BSLASH:
		if (c == '*')
			return IMAP_GUARD_PF_STAR;
		return imap_guard_atom_char(c) ? IMAP_GUARD_PF_ATOM :
		    IMAP_GUARD_PF_BAD;
	case IMAP_GUARD_PF_ATOM:
	case IMAP_GUARD_PF_STAR:
		if (c == ' ')
			return IMAP_GUARD_PF_SEP;
		if (c == ')')
			return IMAP_GUARD_PF_DONE;
		return st == IMAP_GUARD_PF_ATOM && imap_guard_atom_char(c) ?
		    IMAP_GUARD_PF_ATOM : IMAP_GUARD_PF_BAD;
	default:
		return st;
	}
}

/* Notes a byte of a line (not of a literal) for imap_guard_response_ok. */
static void
imap_guard_note(struct imap_guard *g, unsigned char c)
{
	const char	*code;

	if (g->continued)
		return;
	if (g->flags != IMAP_GUARD_PF_NONE) {
		g->flags = imap_guard_flags_step(g->flags, c);
		return;
	}
	if (!g->past_tag) {
		g->past_tag = c == ' ';
		return;
	}
	if (g->head_len >= sizeof g->head - 1)
		return;
	g->head[g->head_len++] = (char)c;
	/* From here on the code must be " (" and a well-formed list. */
	if ((c == 'S' || c == 's') && (code = imap_guard_code(g)) != NULL &&
	    strcasecmp(code, "PERMANENTFLAGS") == 0)
		g->flags = IMAP_GUARD_PF_NAME;
}

/* Follows the bytes; returns -1 with g->why set when a bound is broken. */
static int
imap_guard_scan(struct imap_guard *g, const unsigned char *p, size_t n)
{
	size_t		 i = 0, k;
	unsigned char	 c;

	while (i < n) {
		if (g->literal > 0) {
			k = n - i < g->literal ? n - i : (size_t)g->literal;
			g->literal -= k;
			i += k;
			continue;
		}
		c = p[i++];
		if (c == '\n') {
			if (!g->continued && imap_guard_response_ok(g) != 0)
				return -1;
			g->greeting = 0;
			g->past_tag = 0;
			g->head_len = 0;
			g->flags = IMAP_GUARD_PF_NONE;
			g->continued = g->state == IMAP_GUARD_CR;
			if (g->state == IMAP_GUARD_CR) {
				if (g->announced > IMAP_GUARD_LITERAL_MAX) {
					snprintf(g->why, sizeof g->why, "the "
					    "server announced a literal of %s%"
					    PRIu64 " bytes (sagi takes at most "
					    "%u MiB)", g->announced >=
					    UINT32_MAX ? "at least " : "",
					    g->announced,
					    IMAP_GUARD_LITERAL_MAX >> 20);
					return -1;
				}
				g->literal = g->announced;
			}
			g->line = 0;
			g->state = IMAP_GUARD_TEXT;
			continue;
		}
		imap_guard_note(g, c);
		if (++g->line > IMAP_GUARD_LINE_MAX) {
			snprintf(g->why, sizeof g->why, "the server sent a "
			    "line of more than %u MiB without an end",
			    IMAP_GUARD_LINE_MAX >> 20);
			return -1;
		}
		if (c == '{') {
			g->state = IMAP_GUARD_DIGITS;
			g->announced = 0;
		} else if (g->state == IMAP_GUARD_DIGITS && c >= '0' &&
		    c <= '9') {
			/* Saturates: anything this big is refused anyway. */
			if (g->announced < UINT32_MAX)
				g->announced = g->announced * 10 + (c - '0');
		} else if (g->state == IMAP_GUARD_DIGITS && c == '+')
			g->state = IMAP_GUARD_PLUS;
		else if ((g->state == IMAP_GUARD_DIGITS ||
		    g->state == IMAP_GUARD_PLUS) && c == '}')
			g->state = IMAP_GUARD_CLOSE;
		else if (g->state == IMAP_GUARD_CLOSE && c == '\r')
			g->state = IMAP_GUARD_CR;
		else
			g->state = IMAP_GUARD_TEXT;
	}
	return 0;
}

static ssize_t
imap_guard_read(mailstream_low *low, void *buf, size_t count)
{
	struct imap_guard	*g = low->data;
	long long		 took;
	ssize_t			 n;

	if (g->why[0] != '\0')
		return -1;
	/* The silence timeout is libetpan's; this catches a trickle that
	 * never falls silent long enough. */
	took = imap_guard_now_ms() - g->start_ms;
	if (took > (long long)g->timeout * 1000 +
	    (long long)(g->got * 1000 / IMAP_GUARD_MIN_RATE)) {
		snprintf(g->why, sizeof g->why, "the server sent only %" PRIu64
		    " bytes in %lld s (a trickle; sagi wants %u bytes/s after "
		    "%u s)", g->got, took / 1000, IMAP_GUARD_MIN_RATE,
		    g->timeout);
		return -1;
	}
	n = mailstream_low_read(g->inner, buf, count);
	/*
	 * End of stream is an error.  libetpan 1.9.4 takes a read of 0 bytes
	 * inside a response for "nothing yet" and reads again, forever at
	 * full CPU, when a server closes in the middle of a response (found
	 * by fuzz/fuzz-imap; select says readable, so no timeout fires).
	 */
	if (n == 0) {
		snprintf(g->why, sizeof g->why,
		    "the server closed the connection");
		return -1;
	}
	if (n < 0)
		return n;
	g->got += (uint64_t)n;
	if (imap_guard_scan(g, buf, (size_t)n) != 0)
		return -1;
	return n;
}

static ssize_t
imap_guard_write(mailstream_low *low, const void *buf, size_t count)
{
	struct imap_guard	*g = low->data;
	ssize_t			 n;

	n = mailstream_low_write(g->inner, buf, count);
	if (n > 0) {
		g->start_ms = imap_guard_now_ms();
		g->got = 0;
	}
	return n;
}

static int
imap_guard_close(mailstream_low *low)
{
	struct imap_guard	*g = low->data;

	return mailstream_low_close(g->inner);
}

static int
imap_guard_get_fd(mailstream_low *low)
{
	struct imap_guard	*g = low->data;

	return mailstream_low_get_fd(g->inner);
}

static void
imap_guard_free(mailstream_low *low)
{
	struct imap_guard	*g = low->data;

	mailstream_low_free(g->inner);
	free(g);
	free(low);
}

static void
imap_guard_cancel(mailstream_low *low)
{
	struct imap_guard	*g = low->data;

	mailstream_low_cancel(g->inner);
}

static struct mailstream_cancel *
imap_guard_get_cancel(mailstream_low *low)
{
	struct imap_guard	*g = low->data;

	return mailstream_low_get_cancel(g->inner);
}

static carray *
imap_guard_chain(mailstream_low *low)
{
	struct imap_guard	*g = low->data;

	return mailstream_low_get_certificate_chain(g->inner);
}

static mailstream_low_driver imap_guard_driver = {
	.mailstream_read = imap_guard_read,
	.mailstream_write = imap_guard_write,
	.mailstream_close = imap_guard_close,
	.mailstream_get_fd = imap_guard_get_fd,
	.mailstream_free = imap_guard_free,
	.mailstream_cancel = imap_guard_cancel,
	.mailstream_get_cancel = imap_guard_get_cancel,
	.mailstream_get_certificate_chain = imap_guard_chain,
};

mailstream_low *
imap_guard_new(mailstream_low *inner, unsigned int timeout, int greeting)
{
	struct imap_guard	*g = xcalloc(1, sizeof *g);
	mailstream_low		*low;

	g->inner = inner;
	g->greeting = greeting;
	g->timeout = timeout != 0 ? timeout : 30;
	g->start_ms = imap_guard_now_ms();
	low = mailstream_low_new(g, &imap_guard_driver);
	if (low == NULL)
		abort();	/* libetpan's malloc failed: as xalloc does */
	mailstream_low_set_timeout(low, g->timeout);
	return low;
}

const char *
imap_guard_why(mailstream_low *low)
{
	struct imap_guard	*g;

	if (low == NULL || low->driver != &imap_guard_driver)
		return NULL;
	g = low->data;
	return g->why[0] != '\0' ? g->why : NULL;
}
