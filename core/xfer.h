/* SPDX-License-Identifier: ISC */
/*
 * Content-Transfer-Encoding decoding (RFC 2045 §6.7 quoted-printable,
 * §6.8 base64) of one part's body.  Knows nothing of MIME structure.
 *
 * Both decoders read the data exactly as libetpan 1.9.4's
 * mailmime_part_parse did when msg.c called it, lenient habits included,
 * so that verdicts do not depend on which of the two ran;
 * tests/unit/test-xfer.c holds them to that.  They exist because
 * libetpan's decoders append to their growable string a few bytes at a
 * time and were a tenth of the cost of a scan.
 */
#ifndef XFER_H
#define XFER_H

#include <stddef.h>

/*
 * Decode len bytes of src (not NUL-terminated).  Return the decoded bytes,
 * owned by the caller and NUL-terminated (the data itself may hold NUL),
 * with their length in *len_out.  Never fail: bad input decodes somehow,
 * as described in xfer.c.
 */
char	*xfer_base64_decode(const char *src, size_t len, size_t *len_out);
char	*xfer_qp_decode(const char *src, size_t len, size_t *len_out);

#endif
