/* SPDX-License-Identifier: ISC */
/*
 * The libFuzzer entry points every fuzz/fuzz-NAME.c defines.  The same
 * files link either with libFuzzer (clang -fsanitize=fuzzer) or with
 * fuzz/replay.c, which runs them over saved inputs in make check.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "xalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: a target that needs setup defines it. */
int	LLVMFuzzerInitialize(int *argc, char ***argv);

/* A NUL-terminated copy of the input for APIs that take C strings, exactly
 * size + 1 bytes so that ASan sees a read past the NUL.  Owned. */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char	*s;

	s = xmalloc(size + 1);
	if (size != 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* 1 when s is well-formed UTF-8 (no overlong forms, no surrogates, nothing
 * past U+10FFFF), for outputs documented as UTF-8. */
static inline int
fuzz_utf8_valid(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned int		 c, need, min;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			c = *p & 0x1f; need = 1; min = 0x80;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			c = *p & 0x0f; need = 2; min = 0x800;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			c = *p & 0x07; need = 3; min = 0x10000;
		} else
			return 0;
		for (p++; need > 0; need--, p++) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (*p & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
	}
	return 1;
}

/* Keeps a value computed from the output, so that the compiler cannot
 * drop the reads (strlen over every string) that let ASan see overruns. */
static inline void
fuzz_keep(size_t n)
{
	__asm__ volatile("" : : "r"(n) : "memory");
}

#endif
