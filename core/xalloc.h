/* SPDX-License-Identifier: ISC */
/*
 * Allocation wrappers that never return NULL.  On exhaustion they run the
 * fatal hook (the TUI restores the terminal there) and abort.  Nobody checks
 * an x-allocation for NULL.
 */
#ifndef XALLOC_H
#define XALLOC_H

#include <stdarg.h>
#include <stddef.h>

#include "sagi.h"

typedef void (*xalloc_fatal_fn)(void);

/* Registers a hook called once before abort() on allocation failure. */
void	 xalloc_set_fatal_hook(xalloc_fatal_fn fn);

void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
void	*xrealloc(void *ptr, size_t size);
void	*xreallocarray(void *ptr, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
void	*xmemdup(const void *p, size_t n);
/* Owned, NUL-terminated result. */
char	*xasprintf(const char *fmt, ...) SAGI_PRINTFLIKE(1, 2);
char	*xvasprintf(const char *fmt, va_list ap) SAGI_PRINTFLIKE(1, 0);

#endif
