/* SPDX-License-Identifier: ISC */
/*
 * Tests for core/imap-utf7.c: the RFC 3501 §5.1.3 examples, Japanese
 * folder names, surrogate pairs, every malformed form the decoder refuses,
 * a seeded encode/decode round trip and a hostile-input sweep.  Expected
 * encodings were checked against Python's base64 of UTF-16BE with "/"
 * turned into ",".
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imap-utf7.h"
#include "xalloc.h"
#include "t.h"

/* Pairs that must map both ways: UTF-8 and its canonical modified UTF-7. */
static const struct {
	const char	*utf8;
	const char	*mutf7;
} pairs[] = {
	{ "", "" },
	{ "INBOX", "INBOX" },
	{ "Junk E-mail", "Junk E-mail" },
	{ "-", "-" },
	{ "&", "&-" },
	{ "&&", "&-&-" },
	{ "a&b", "a&-b" },
	{ "&-", "&--" },
	{ "迷惑メール", "&j,dg0TDhMPww6w-" },
	{ "INBOX.迷惑", "INBOX.&j,dg0Q-" },
	/* the hierarchy delimiter is plain ASCII and left alone */
	{ "日本語/サブ", "&ZeVnLIqe-/&MLUw1g-" },
	/* RFC 3501 §5.1.3's own example */
	{ "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
	{ "é", "&AOk-" },
	{ "Ünïcödé & 日本", "&ANw-n&AO8-c&APY-d&AOk- &- &ZeVnLA-" },
	/* non-BMP: a surrogate pair inside one run */
	{ "😀", "&2D3eAA-" },
	{ "a😀b", "a&2D3eAA-b" },
	{ "𝄞x", "&2DTdHg-x" },
	{ "迷惑😀", "&j,dg0dg93gA-" },
	/* control characters cannot be themselves, so they are encoded */
	{ "\t", "&AAk-" },
	{ "a\x7f", "a&AH8-" },
};

/* Server names that must be refused. */
static const struct {
	const char	*in;
	const char	*why;	/* a word the cause must contain */
} bad[] = {
	/* raw bytes outside printable ASCII */
	{ "迷惑", "printable" },
	{ "a\tb", "printable" },
	{ "a\x7f", "printable" },
	/* bad base64 */
	{ "&j/dg0TDhMPww6w-", "base64" },
	{ "&AOk=-", "base64" },
	{ "&AO k-", "base64" },
	{ "&&-", "base64" },
	{ "&\xe8-", "base64" },
	/* unterminated */
	{ "&", "unterminated" },
	{ "a&", "unterminated" },
	{ "&AOk", "unterminated" },
	{ "&j,dg0TDhMPww6w", "unterminated" },
	/* an encoded run of plain ASCII */
	{ "&AGE-", "ascii" },
	{ "&ACY-", "ascii" },
	{ "&AEEAQgBD-", "ascii" },
	{ "&AOkAYQ-", "ascii" },
	{ "&AAA-", "U+0000" },
	/* odd UTF-16: bits left over, or padding bits not zero */
	{ "&A-", "utf-16" },
	{ "&AO-", "utf-16" },
	{ "&AOkA-", "utf-16" },
	{ "&AOkAO-", "utf-16" },
	{ "&AOl-", "utf-16" },
	/* lone surrogates */
	{ "&2D0-", "high surrogate" },
	{ "&2D0A6Q-", "high surrogate" },
	{ "&2D3YPQ-", "high surrogate" },
	{ "&3gA-", "low surrogate" },
	{ "&AOneAA-", "low surrogate" },
	/* a pair split over two runs */
	{ "&2D0-&3gA-", "high surrogate" },
};

/* UTF-8 the encoder must refuse. */
static const char *const bad_utf8[] = {
	"\xff",
	"\x80",
	"a\xe3",
	"\xe3\x81",
	"\xc0\x80",		/* overlong NUL */
	"\xe0\x80\xaf",		/* overlong "/" */
	"\xed\xa0\x80",		/* UTF-8 encoded surrogate */
	"\xf4\x90\x80\x80",	/* above U+10FFFF */
	"\xf5\x80\x80\x80",
	"ok\xe8\xbf",
};

static uint64_t	rng = 0x5a6167695554463fULL;	/* fixed seed */

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32) % n;
}

static void
put_utf8(struct buf *b, uint32_t cp)
{
	char	 t[4];

	if (cp < 0x80)
		buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		t[0] = (char)(0xc0 | cp >> 6);
		t[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, t, 2);
	} else if (cp < 0x10000) {
		t[0] = (char)(0xe0 | cp >> 12);
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, t, 3);
	} else {
		t[0] = (char)(0xf0 | cp >> 18);
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, t, 4);
	}
}

/* A code point from a mix that keeps runs short and long, ASCII between. */
static uint32_t
rnd_cp(void)
{
	uint32_t	 cp;

	switch (rnd(6)) {
	case 0:
		return 0x20 + rnd(0x5f);
	case 1:
		return "&-/.,+"[rnd(6)];
	case 2:
		return 1 + rnd(0x1f);
	case 3:
		return 0x3040 + rnd(0x60);
	case 4:
		return 0x10000 + rnd(0x100000);
	default:
		do
			cp = 0x80 + rnd(0x10000 - 0x80);
		while (cp >= 0xd800 && cp <= 0xdfff);
		return cp;
	}
}

static int
all_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

static void
test_degenerate(void)
{
	char	*s, *cause = NULL;

	s = imap_utf7_decode("", &cause);
	t_str_eq(s, "", "empty name decodes to empty");
	t_ok(cause == NULL, "empty name sets no cause");
	free(s);
	s = imap_utf7_encode("", &cause);
	t_str_eq(s, "", "empty name encodes to empty");
	free(s);
	s = imap_utf7_decode("&", NULL);
	t_ok(s == NULL, "cause may be NULL on a decode error");
	s = imap_utf7_encode("\xff", NULL);
	t_ok(s == NULL, "cause may be NULL on an encode error");
	s = imap_utf7_decode("&-", NULL);
	t_str_eq(s, "&", "a lone \"&-\" is \"&\"");
	free(s);
}

static void
test_pairs(void)
{
	char	*s, *cause;
	size_t	 i;

	for (i = 0; i < SAGI_NITEMS(pairs); i++) {
		cause = NULL;
		s = imap_utf7_encode(pairs[i].utf8, &cause);
		t_str_eq(s, pairs[i].mutf7, "encode \"%s\"", pairs[i].mutf7);
		if (cause != NULL)
			printf("#   cause: %s\n", cause);
		free(s);
		free(cause);
		cause = NULL;
		s = imap_utf7_decode(pairs[i].mutf7, &cause);
		t_str_eq(s, pairs[i].utf8, "decode \"%s\"", pairs[i].mutf7);
		if (cause != NULL)
			printf("#   cause: %s\n", cause);
		free(s);
		free(cause);
	}
}

static void
test_bad(void)
{
	char	*s, *cause;
	size_t	 i;

	for (i = 0; i < SAGI_NITEMS(bad); i++) {
		cause = NULL;
		s = imap_utf7_decode(bad[i].in, &cause);
		t_ok(s == NULL && cause != NULL &&
		    strstr(cause, bad[i].why) != NULL,
		    "refuse bad[%zu] (%s): %s", i, bad[i].why,
		    cause != NULL ? cause : "(no cause)");
		free(s);
		free(cause);
	}
	for (i = 0; i < SAGI_NITEMS(bad_utf8); i++) {
		cause = NULL;
		s = imap_utf7_encode(bad_utf8[i], &cause);
		t_ok(s == NULL && cause != NULL &&
		    strstr(cause, "invalid utf-8") != NULL,
		    "refuse invalid utf-8 bad_utf8[%zu]: %s", i,
		    cause != NULL ? cause : "(no cause)");
		free(s);
		free(cause);
	}
	cause = NULL;
	s = imap_utf7_encode("ab\xff", &cause);
	t_str_eq(cause, "invalid utf-8 at byte 3",
	    "encode cause names the byte");
	free(s);
	free(cause);
	cause = NULL;
	s = imap_utf7_decode("x/&AGE-", &cause);
	t_str_eq(cause, "encoded printable ascii in & run at byte 3",
	    "decode cause names the run");
	free(s);
	free(cause);
}

/* Lenient on purpose: not canonical, but harmless and unambiguous. */
static void
test_lenient(void)
{
	char	*s;

	s = imap_utf7_decode("&AOk-&AOk-", NULL);
	t_str_eq(s, "éé", "two adjacent runs are accepted");
	free(s);
	s = imap_utf7_encode("éé", NULL);
	t_str_eq(s, "&AOkA6Q-", "but the encoder writes one run");
	free(s);
}

static void
test_round_trip(void)
{
	struct buf	 b;
	char		*e, *d;
	int		 i, n, k, fails = 0, unprintable = 0;

	buf_init(&b);
	for (i = 0; i < 1000; i++) {
		buf_reset(&b);
		n = (int)rnd(24);
		for (k = 0; k < n; k++)
			put_utf8(&b, rnd_cp());
		e = imap_utf7_encode(b.data, NULL);
		d = e != NULL ? imap_utf7_decode(e, NULL) : NULL;
		if (e != NULL && !all_printable(e))
			unprintable++;
		if (d == NULL || strcmp(d, b.data) != 0) {
			if (fails++ == 0)
				printf("# first failure: \"%s\" -> \"%s\"\n",
				    b.data, e != NULL ? e : "(null)");
		}
		free(e);
		free(d);
	}
	buf_free(&b);
	t_int_eq(fails, 0, "1000 random names survive encode then decode");
	t_int_eq(unprintable, 0, "encoder output is printable ascii");
}

/*
 * Server data is hostile: random bytes biased toward the interesting ones
 * must never crash, and whatever decodes must re-encode and decode back.
 */
static void
test_hostile(void)
{
	static const char	 alpha[] = "&-&-AOk2D3eAZ+,/ a\xe8\x01";
	struct buf		 b;
	char			*d, *e, *d2, *cause;
	int			 i, n, k, ok = 0, bad_round = 0;
	int			 no_cause = 0;

	buf_init(&b);
	for (i = 0; i < 20000; i++) {
		buf_reset(&b);
		n = (int)rnd(16);
		for (k = 0; k < n; k++) {
			if (rnd(8) == 0)
				buf_addc(&b, (char)(1 + rnd(255)));
			else
				buf_addc(&b, alpha[rnd(sizeof alpha - 1)]);
		}
		cause = NULL;
		d = imap_utf7_decode(b.data, &cause);
		if (d == NULL) {
			if (cause == NULL)
				no_cause++;
			free(cause);
			continue;
		}
		ok++;
		e = imap_utf7_encode(d, NULL);
		d2 = e != NULL ? imap_utf7_decode(e, NULL) : NULL;
		if (d2 == NULL || strcmp(d, d2) != 0)
			bad_round++;
		free(d);
		free(e);
		free(d2);
	}
	buf_free(&b);
	printf("# %d of 20000 hostile names decoded\n", ok);
	t_ok(ok > 0, "some hostile names are valid");
	t_int_eq(no_cause, 0, "every refusal sets a cause");
	t_int_eq(bad_round, 0, "whatever decodes re-encodes and decodes back");

	/* A long name: linear time, no overflow of the bit buffer. */
	buf_reset(&b);
	buf_adds(&b, "&");
	/* three emoji are twelve bytes, a whole number of base64 quads */
	for (k = 0; k < 50000; k++)
		buf_adds(&b, "2D3eANg93gDYPd4A");
	buf_adds(&b, "-");
	d = imap_utf7_decode(b.data, NULL);
	t_ok(d != NULL && strlen(d) == 4 * 150000,
	    "long surrogate run decodes");
	free(d);
	buf_free(&b);
}

int
main(void)
{
	test_degenerate();
	test_pairs();
	test_bad();
	test_lenient();
	test_round_trip();
	test_hostile();
	return t_done();
}
