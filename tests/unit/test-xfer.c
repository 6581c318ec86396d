/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for xfer: base64 and quoted-printable body decoding.  Besides
 * the cases below, both decoders are compared with libetpan's
 * mailmime_part_parse, which msg.c used before, on generated input: the
 * decoded bytes must be the same, or verdicts would change.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "xalloc.h"
#include "xfer.h"
#include "t.h"

/*
 * The old path in msg.c: libetpan decodes all but a broken escape at the
 * end ("=" and one byte other than CR or LF, which libetpan 1.9.4 reads
 * past), and that tail is appended as written.  Returns NULL on failure.
 */
static char *
ref_decode(const char *src, size_t len, int mech, size_t *len_out)
{
	size_t	 safe = len, i = 0, idx = 0, outlen = 0;
	char	*out = NULL, *copy;

	if (mech == MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
		while (i < len) {
			if (src[i] != '=' || i + 1 >= len) {
				i++;
				continue;
			}
			if (src[i + 1] == '\n')
				i += 2;
			else if (src[i + 1] == '\r')
				i += i + 2 < len && src[i + 2] == '\n' ? 3 : 2;
			else if (i + 2 >= len) {
				safe = i;
				break;
			} else
				i += 3;
		}
	}
	if (mailmime_part_parse(src, safe, &idx, mech, &out, &outlen) !=
	    MAILIMF_NO_ERROR || out == NULL)
		return NULL;
	copy = xmalloc(outlen + (len - safe) + 1);
	memcpy(copy, out, outlen);
	memcpy(copy + outlen, src + safe, len - safe);
	outlen += len - safe;
	copy[outlen] = '\0';
	mailmime_decoded_part_free(out);
	*len_out = outlen;
	return copy;
}

static uint64_t	 rng = 88172645463325252ULL;

static unsigned int
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)rng;
}

/* Generated inputs, mostly from alphabets that hit the decoders' cases. */
static int
compare_generated(int mech, const char *alpha, size_t nalpha, size_t maxlen,
    long cases)
{
	char	 in[4096], *want, *got;
	size_t	 len, i, wl, gl;
	long	 t;

	for (t = 0; t < cases; t++) {
		len = rnd() % (maxlen + 1);
		for (i = 0; i < len; i++)
			in[i] = rnd() % 8 == 0 ? (char)(rnd() & 0xff) :
			    alpha[rnd() % nalpha];
		want = ref_decode(in, len, mech, &wl);
		got = mech == MAILMIME_MECHANISM_BASE64 ?
		    xfer_base64_decode(in, len, &gl) :
		    xfer_qp_decode(in, len, &gl);
		if (want == NULL || wl != gl || memcmp(want, got, wl) != 0 ||
		    got[gl] != '\0') {
			printf("# differs on %zu bytes:", len);
			for (i = 0; i < len; i++)
				printf(" %02x", (unsigned char)in[i]);
			printf("\n");
			free(want);
			free(got);
			return 0;
		}
		free(want);
		free(got);
	}
	return 1;
}

static const struct {
	int		 mech;
	const char	*in;
	const char	*want;
	size_t		 want_len;
} cases[] = {
	{ MAILMIME_MECHANISM_BASE64, "", "", 0 },
	{ MAILMIME_MECHANISM_BASE64, "44OG44K544OI", "テスト", 9 },
	{ MAILMIME_MECHANISM_BASE64, "44OG\r\n44K5\r\n44OI\r\n", "テスト", 9 },
	/* Padding does not end the data: concatenated encoders. */
	{ MAILMIME_MECHANISM_BASE64, "QUJD====QUJD", "ABCABC", 6 },
	/* Nor does it end a group: "QQ==QUI=" reads as "QQQU" "I". */
	{ MAILMIME_MECHANISM_BASE64, "QQ==QUI=", "A\x04\x14 ", 4 },
	/* A last group of one digit still gives a byte. */
	{ MAILMIME_MECHANISM_BASE64, "QUJDQ", "ABC@", 4 },
	{ MAILMIME_MECHANISM_BASE64, "QUJDRA", "ABCD", 4 },
	{ MAILMIME_MECHANISM_BASE64, "QUJDREU", "ABCDE", 5 },
	{ MAILMIME_MECHANISM_BASE64, "QU!JD*", "ABC", 3 },
	{ MAILMIME_MECHANISM_BASE64, "AA==", "\0", 1 },
	{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "", "", 0 },
	{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "a=3Db", "a=b", 3 },
	/* Line ends become CRLF; soft breaks vanish. */
	{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "a\nb\r\nc\rd", "a\r\nb\r\nc\r\nd", 10 },
	{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "ab=\ncd=\r\nef", "abcdef", 6 },
	{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "=E3=83=86", "テ", 3 },
	{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "=e3=83=86", "テ", 3 },
	/* Not hex: the digit counts as 0. */
	{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "=ZZ=4Z", "\0@", 2 },
	/* The very end: a CR goes, "=" CR goes, "=" stays. */
	{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "ab\r", "ab", 2 },
	{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "ab=\r", "ab", 2 },
	{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "ab=", "ab=", 3 },
	/* Regression (fuzz/fuzz-msg): a broken escape at the end is kept as
	 * written, and a CR before it read as a CR at the end. */
	{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "ab=4", "ab=4", 4 },
	{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "ab\r=4", "ab=4", 4 },
};

int
main(void)
{
	static const char b64[] = "AZaz09+/==\r\n !-QUJD";
	static const char qp[] = "==\r\n\r\n=AaF09Zz _x\x80\t";
	char	*got;
	size_t	 i, len;

	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		got = cases[i].mech == MAILMIME_MECHANISM_BASE64 ?
		    xfer_base64_decode(cases[i].in, strlen(cases[i].in), &len) :
		    xfer_qp_decode(cases[i].in, strlen(cases[i].in), &len);
		t_ok(len == cases[i].want_len &&
		    memcmp(got, cases[i].want, len) == 0 && got[len] == '\0',
		    "%s \"%s\"", cases[i].mech == MAILMIME_MECHANISM_BASE64 ?
		    "base64" : "qp", cases[i].in);
		free(got);
	}

	t_ok(compare_generated(MAILMIME_MECHANISM_BASE64, b64, sizeof b64 - 1,
	    24, 200000), "base64 as libetpan, short inputs");
	t_ok(compare_generated(MAILMIME_MECHANISM_BASE64, b64, sizeof b64 - 1,
	    4000, 300), "base64 as libetpan, long inputs");
	t_ok(compare_generated(MAILMIME_MECHANISM_QUOTED_PRINTABLE, qp,
	    sizeof qp - 1, 24, 200000), "qp as libetpan, short inputs");
	t_ok(compare_generated(MAILMIME_MECHANISM_QUOTED_PRINTABLE, qp,
	    sizeof qp - 1, 4000, 300), "qp as libetpan, long inputs");
	return t_done();
}
