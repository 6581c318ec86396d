/* SPDX-License-Identifier: ISC */
/*
 * Diagnostics for loaders that keep going (rule packs, keymaps, config):
 * every problem is collected as "file:line:col: message" and the caller
 * decides how to show them.  Core never prints them itself.
 */
#ifndef DIAG_H
#define DIAG_H

#include <stddef.h>

#include "sagi.h"

struct diag;

struct diag	*diag_new(void);
/* Accepts NULL. */
void		 diag_free(struct diag *d);
/* Adds "file:line:col: fmt…".  line or col 0 leaves that part out. */
void		 diag_add(struct diag *d, const char *file, unsigned int line,
		     unsigned int col, const char *fmt, ...) SAGI_PRINTFLIKE(5, 6);
size_t		 diag_count(const struct diag *d);
/* Borrowed; lives until diag_free. */
const char	*diag_get(const struct diag *d, size_t i);

#endif
