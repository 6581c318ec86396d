/* SPDX-License-Identifier: ISC */
/*
 * Tiny shared basics for core/ and tui/: attribute macros and the version.
 * Everything else lives in a module with its own header.
 */
#ifndef SAGI_H
#define SAGI_H

#include <stddef.h>

#define SAGI_PRINTFLIKE(f, a)	__attribute__((format(printf, f, a)))
#define SAGI_UNUSED		__attribute__((unused))
#define SAGI_NORETURN		__attribute__((noreturn))
#define SAGI_NOINLINE		__attribute__((noinline))

#define SAGI_NITEMS(a)		(sizeof (a) / sizeof (a)[0])

/* Version of the rule language the engine understands ("requires sagi-rules N"). */
#define SAGI_RULES_LANGUAGE	1

/* The value of the hex digit c, or -1. */
static inline int
sagi_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
