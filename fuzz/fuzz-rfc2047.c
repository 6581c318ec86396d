/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: header decoding.  The input goes whole through
 * rfc2047_decode and rfc2231_decode; when it starts with a short line,
 * that line is also taken as a declared charset label for charset_to_utf8
 * over the rest, the path a body part's Content-Type charset takes.
 */
#include "config.h"

#include <stdlib.h>

#include "charset.h"
#include "fuzz/fuzz.h"
#include "rfc2047.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc2047_info	 info;
	struct charset_info	 ci;
	const uint8_t		*nl;
	char			*s, *out, *label;

	/* Both decoders promise UTF-8, whatever came in. */
	out = rfc2047_decode((const char *)data, size, &info);
	if (!fuzz_utf8_valid(out))
		abort();
	free(out);
	s = fuzz_strndup(data, size);
	if ((out = rfc2231_decode(s, &ci)) != NULL && !fuzz_utf8_valid(out))
		abort();
	free(out);
	free(s);
	nl = memchr(data, '\n', size < 48 ? size : 48);
	if (nl != NULL) {
		label = fuzz_strndup(data, (size_t)(nl - data));
		out = charset_to_utf8((const char *)nl + 1,
		    size - (size_t)(nl - data) - 1, label, &ci);
		if (!fuzz_utf8_valid(out))
			abort();
		free(out);
		free(label);
	}
	return 0;
}
