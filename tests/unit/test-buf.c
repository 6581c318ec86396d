/* SPDX-License-Identifier: ISC */
/* Unit tests for buf, diag and xalloc: the small things everything uses. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "xalloc.h"
#include "t.h"

int
main(void)
{
	struct buf	 b;
	struct diag	*d;
	char		*s;
	int		 i;

	/* Degenerate first. */
	diag_free(NULL);
	t_int_eq(diag_count(NULL), 0, "diag_count(NULL) is 0");
	buf_init(&b);
	t_str_eq(b.data, "", "a new buf is an empty string");
	buf_add(&b, "x", 0);
	t_int_eq(b.len, 0, "adding 0 bytes adds nothing");

	/* Growth across many appends keeps NUL termination. */
	for (i = 0; i < 1000; i++)
		buf_adds(&b, "ab");
	t_int_eq(b.len, 2000, "2000 bytes after 1000 appends");
	t_int_eq(b.data[2000], '\0', "still NUL-terminated");
	buf_reset(&b);
	buf_printf(&b, "%d-%s", 42, "x");
	t_str_eq(b.data, "42-x", "buf_printf");
	s = buf_take(&b);
	t_str_eq(s, "42-x", "buf_take hands over the data");
	t_ok(b.data == NULL && b.len == 0, "and leaves the buf empty and unallocated");
	buf_adds(&b, "again");
	t_str_eq(b.data, "again", "a taken buf can be used again");
	free(s);
	buf_free(&b);

	d = diag_new();
	diag_add(d, "rules/x.rules", 14, 9, "pattern: %s", "bad");
	diag_add(d, "keys", 3, 0, "unknown key");
	diag_add(d, NULL, 0, 0, "plain");
	t_int_eq(diag_count(d), 3, "three diagnostics");
	t_str_eq(diag_get(d, 0), "rules/x.rules:14:9: pattern: bad", "file:line:col");
	t_str_eq(diag_get(d, 1), "keys:3: unknown key", "file:line");
	t_str_eq(diag_get(d, 2), "plain", "no location");
	t_ok(diag_get(d, 3) == NULL, "past the end is NULL");
	diag_free(d);

	s = xstrndup("abcdef", 3);
	t_str_eq(s, "abc", "xstrndup cuts");
	free(s);
	s = xasprintf("%s/%d", "a", 1);
	t_str_eq(s, "a/1", "xasprintf");
	free(s);
	return t_done();
}
