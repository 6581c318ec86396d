/* SPDX-License-Identifier: ISC */
/*
 * Base64 and quoted-printable body decoding, the way libetpan 1.9.4 reads
 * them (see xfer.h for why these are not libetpan's).  No charsets, no
 * MIME structure: bytes in, bytes out.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "sagi.h"
#include "xalloc.h"
#include "xfer.h"

/* Base64 digit values plus one; 0 for every other byte. */
/* clang-format off */
static const unsigned char xfer_b64_value[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
	['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
	['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
	['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
	['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54,
	['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60,
	['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};
/* clang-format on */

/*
 * Every byte that is not a base64 digit is skipped, "=" included, so
 * padding in the middle does not end the data (concatenated encoders).  A
 * last group of one or two digits gives one byte, of three two bytes, the
 * missing digits counting as zero.
 */
char *
xfer_base64_decode(const char *src, size_t len, size_t *len_out)
{
	const unsigned char	*s = (const unsigned char *)src;
	unsigned char		*out;
	uint32_t		 acc = 0;
	size_t			 i, o = 0;
	unsigned int		 v, d1, d2, d3, n = 0;

	out = xmalloc(len / 4 * 3 + 3);
	for (i = 0; i < len; i++) {
		/* Whole groups of four digits, the bulk of every line, at
		 * once; anything else a byte at a time. */
		if (n == 0) {
			while (len - i >= 4) {
				/* A non-digit's 0 - 1 wraps past 63: one
				 * test for all four. */
				v = xfer_b64_value[s[i]] - 1u;
				d1 = xfer_b64_value[s[i + 1]] - 1u;
				d2 = xfer_b64_value[s[i + 2]] - 1u;
				d3 = xfer_b64_value[s[i + 3]] - 1u;
				if ((v | d1 | d2 | d3) > 63)
					break;
				acc = v << 18 | d1 << 12 | d2 << 6 | d3;
				out[o] = (unsigned char)(acc >> 16);
				out[o + 1] = (unsigned char)(acc >> 8);
				out[o + 2] = (unsigned char)acc;
				o += 3;
				i += 4;
			}
			acc = 0;
			if (i >= len)
				break;
		}
		if ((v = xfer_b64_value[s[i]]) == 0)
			continue;
		acc = acc << 6 | (v - 1);
		if (++n == 4) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
			n = 0;
		}
	}
	if (n != 0) {
		acc <<= 6 * (4 - n);
		out[o++] = (unsigned char)(acc >> 16);
		if (n == 3)
			out[o++] = (unsigned char)(acc >> 8);
	}
	out[o] = '\0';
	*len_out = o;
	return (char *)out;
}

/* Hex digit values, 0 for every other byte: "=ZZ" decodes as a NUL
 * byte, as in libetpan. */
/* clang-format off */
static const unsigned char xfer_hex[256] = {
	['1'] = 1, ['2'] = 2, ['3'] = 3, ['4'] = 4, ['5'] = 5, ['6'] = 6,
	['7'] = 7, ['8'] = 8, ['9'] = 9,
	['a'] = 10, ['b'] = 11, ['c'] = 12, ['d'] = 13, ['e'] = 14, ['f'] = 15,
	['A'] = 10, ['B'] = 11, ['C'] = 12, ['D'] = 13, ['E'] = 14, ['F'] = 15,
};

/* The bytes that end a run of plain quoted-printable text. */
static const unsigned char xfer_qp_stop[256] = {
	['='] = 1, ['\n'] = 1, ['\r'] = 1,
};
/* clang-format on */

/*
 * Where quoted-printable data ends in a broken escape, "=" and one byte
 * other than CR or LF, the offset of that "="; else len.  libetpan 1.9.4
 * reads past the end of such data (found by fuzz/fuzz-msg), so msg.c used
 * to give it the data without that tail and keep the tail as written.
 * The scan follows the decoder's, so it finds the escapes it would.
 */
static size_t
xfer_qp_safe_len(const unsigned char *s, size_t len)
{
	size_t	i;

	/*
	 * Only an "=" at len - 2 can start a broken escape.  Whether the
	 * scan lands on it depends on the escapes before it, so the scan
	 * starts at the last byte before it that no escape can cover
	 * (neither of the two bytes before it is "="): it lands there from
	 * the start too, and from there on it goes the same way.  That is
	 * the start of the last line at the latest, not of the whole data.
	 */
	if (len < 2 || s[len - 2] != '=' || s[len - 1] == '\n' ||
	    s[len - 1] == '\r')
		return len;
	i = len - 2;
	while (i > 0 && (s[i - 1] == '=' || (i >= 2 && s[i - 2] == '=')))
		i--;
	while (i < len) {
		if (s[i] != '=' || i + 1 >= len) {
			i++;
			continue;
		}
		if (s[i + 1] == '\n')
			i += 2;
		else if (s[i + 1] == '\r')
			i += i + 2 < len && s[i + 2] == '\n' ? 3 : 2;
		else if (i + 2 >= len)
			return i;
		else
			i += 3;
	}
	return len;
}

/*
 * Every line end, LF, CRLF or a lone CR, becomes CRLF; a CR at the very
 * end is dropped, and so is a soft break "=" CR there; "=" as the last
 * byte stays.  A broken escape at the end stays as written (see
 * xfer_qp_safe_len), and the bytes before it decode as if they were all:
 * a CR just before it is dropped.
 */
char *
xfer_qp_decode(const char *src, size_t total, size_t *len_out)
{
	const unsigned char	*s = (const unsigned char *)src, *p;
	unsigned char		*out;
	size_t			 i = 0, o = 0, run, len;

	len = xfer_qp_safe_len(s, total);
	/* A line end becomes at most two bytes, anything else at most one. */
	out = xmalloc(2 * total + 1);
	while (i < len) {
		/* Plain bytes go in runs; short ones (Japanese text is
		 * mostly escapes) are not worth a call to memcpy. */
		for (run = i; run < len && !xfer_qp_stop[s[run]]; run++)
			;
		if (run - i > 16) {
			memcpy(out + o, s + i, run - i);
			o += run - i;
			i = run;
		} else {
			while (i < run)
				out[o++] = s[i++];
		}
		if (i >= len)
			break;
		p = s + i;
		/* The common escape first; i + 2 < len as below. */
		if (p[0] == '=' && len - i > 2 && p[1] != '\n' &&
		    p[1] != '\r') {
			out[o++] = (unsigned char)(xfer_hex[p[1]] << 4 |
			    xfer_hex[p[2]]);
			i += 3;
			continue;
		}
		if (p[0] == '\n') {
			out[o++] = '\r';
			out[o++] = '\n';
			i++;
		} else if (p[0] == '\r') {
			if (i + 1 >= len)
				break;
			out[o++] = '\r';
			out[o++] = '\n';
			i += p[1] == '\n' ? 2 : 1;
		} else if (i + 1 >= len) {
			out[o++] = '=';
			i++;
		} else if (p[1] == '\n')
			i += 2;
		else if (p[1] == '\r') {
			if (i + 2 >= len)
				break;
			i += p[2] == '\n' ? 3 : 2;
		} else {
			/* i + 2 < len: xfer_qp_safe_len left the rest out */
			out[o++] = (unsigned char)(xfer_hex[p[1]] << 4 |
			    xfer_hex[p[2]]);
			i += 3;
		}
	}
	memcpy(out + o, s + len, total - len);
	o += total - len;
	out[o] = '\0';
	*len_out = o;
	return (char *)out;
}
