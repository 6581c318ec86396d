/* SPDX-License-Identifier: ISC */
/*
 * x-allocation wrappers: abort on exhaustion after the fatal hook.
 * No logging here: core never prints, and the hook is the caller's voice.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static xalloc_fatal_fn xalloc_fatal_hook;

void
xalloc_set_fatal_hook(xalloc_fatal_fn fn)
{
	xalloc_fatal_hook = fn;
}

static SAGI_NORETURN void
xalloc_fail(void)
{
	if (xalloc_fatal_hook != NULL)
		xalloc_fatal_hook();
	abort();
}

void *
xmalloc(size_t size)
{
	void	*p;

	p = malloc(size == 0 ? 1 : size);
	if (p == NULL)
		xalloc_fail();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	p = calloc(nmemb, size);
	if (p == NULL)
		xalloc_fail();
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void	*p;

	p = realloc(ptr, size == 0 ? 1 : size);
	if (p == NULL)
		xalloc_fail();
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		xalloc_fail();
	return xrealloc(ptr, nmemb * size);
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void *
xmemdup(const void *p, size_t n)
{
	void	*q;

	q = xmalloc(n);
	if (n != 0)
		memcpy(q, p, n);
	return q;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) == -1)
		xalloc_fail();
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}
