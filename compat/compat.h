/* SPDX-License-Identifier: ISC */
/* Prototypes for the replacement functions in compat/. */
#ifndef COMPAT_H
#define COMPAT_H

#include <stddef.h>

#ifndef HAVE_STRLCPY
size_t	 strlcpy(char *dst, const char *src, size_t size);
#endif
#ifndef HAVE_STRLCAT
size_t	 strlcat(char *dst, const char *src, size_t size);
#endif
#ifndef HAVE_REALLOCARRAY
void	*reallocarray(void *p, size_t nmemb, size_t size);
#endif

#endif
