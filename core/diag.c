/* SPDX-License-Identifier: ISC */
/*
 * Collected, located diagnostics.  A plain growing array of strings.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>

#include "diag.h"
#include "xalloc.h"

struct diag {
	char	**items;
	size_t	  n;
};

struct diag *
diag_new(void)
{
	return xcalloc(1, sizeof (struct diag));
}

void
diag_free(struct diag *d)
{
	size_t	 i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		free(d->items[i]);
	free(d->items);
	free(d);
}

void
diag_add(struct diag *d, const char *file, unsigned int line, unsigned int col,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *item;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (file == NULL)
		item = msg;
	else {
		if (line != 0 && col != 0)
			item = xasprintf("%s:%u:%u: %s", file, line, col, msg);
		else if (line != 0)
			item = xasprintf("%s:%u: %s", file, line, msg);
		else
			item = xasprintf("%s: %s", file, msg);
		free(msg);
	}
	d->items = xreallocarray(d->items, d->n + 1, sizeof *d->items);
	d->items[d->n++] = item;
}

size_t
diag_count(const struct diag *d)
{
	return d == NULL ? 0 : d->n;
}

const char *
diag_get(const struct diag *d, size_t i)
{
	return i < d->n ? d->items[i] : NULL;
}
