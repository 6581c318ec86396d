/* SPDX-License-Identifier: ISC */
/*
 * Reads raw messages from .eml files, Maildirs, mbox files and stdin.
 * mbox is mapped, not read, and split on "From " lines that follow a blank
 * line; ">From " quoting (mboxrd) is undone.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "source.h"
#include "xalloc.h"

struct source {
	enum source_kind	 kind;
	char			*path;
	int			 done;
	/* Maildir */
	char			**names;
	size_t			 nnames, next;
	/* mbox */
	const char		*map;
	size_t			 maplen, off;
	long			 index;
};

static int
source_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
source_list_dir(struct source *s, const char *sub)
{
	char		*dir;
	DIR		*d;
	struct dirent	*de;

	dir = xasprintf("%s/%s", s->path, sub);
	d = opendir(dir);
	free(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		s->names = xreallocarray(s->names, s->nnames + 1, sizeof *s->names);
		s->names[s->nnames++] = xasprintf("%s/%s/%s", s->path, sub,
		    de->d_name);
	}
	closedir(d);
}

static int
source_is_maildir(const char *path)
{
	char		*p;
	struct stat	 st;
	int		 ok;

	p = xasprintf("%s/cur", path);
	ok = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	if (ok)
		return 1;
	p = xasprintf("%s/new", path);
	ok = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	return ok;
}

struct source *
source_open(const char *path, char **cause)
{
	struct source	*s;
	struct stat	 st;
	int		 fd;
	char		 head[5];
	ssize_t		 n;
	size_t		 plen;

	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	/* "demo/" and "demo" name the same Maildir: print one form. */
	for (plen = strlen(s->path); plen > 1 && s->path[plen - 1] == '/'; plen--)
		s->path[plen - 1] = '\0';
	if (strcmp(path, "-") == 0) {
		s->kind = SOURCE_STDIN;
		return s;
	}
	if (stat(path, &st) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		source_close(s);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!source_is_maildir(path)) {
			*cause = xasprintf("%s: a directory but not a Maildir "
			    "(no cur/ or new/)", path);
			source_close(s);
			return NULL;
		}
		s->kind = SOURCE_MAILDIR;
		source_list_dir(s, "cur");
		source_list_dir(s, "new");
		if (s->nnames > 1)
			qsort(s->names, s->nnames, sizeof *s->names, source_cmp);
		return s;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		source_close(s);
		return NULL;
	}
	s->kind = SOURCE_FILE;
	if ((fd = open(path, O_RDONLY)) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		source_close(s);
		return NULL;
	}
	n = read(fd, head, sizeof head);
	if (n == 5 && memcmp(head, "From ", 5) == 0 && st.st_size > 0) {
		void	*map;

		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
			close(fd);
			source_close(s);
			return NULL;
		}
		s->kind = SOURCE_MBOX;
		s->map = map;
		s->maplen = (size_t)st.st_size;
	}
	close(fd);
	return s;
}

enum source_kind
source_kind(const struct source *s)
{
	return s->kind;
}

/* Reads a whole file (or fd 0), refusing more than SOURCE_MAX_MESSAGE. */
static void
source_read_fd(int fd, const char *path, struct source_msg *out)
{
	struct buf	 b;
	char		 chunk[65536];
	ssize_t		 n;

	buf_init(&b);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			out->error = xasprintf("%s: %s", path, strerror(errno));
			buf_free(&b);
			return;
		}
		if (b.len + (size_t)n > SOURCE_MAX_MESSAGE) {
			out->error = xasprintf("%s: message larger than %u MB, "
			    "not read", path, SOURCE_MAX_MESSAGE >> 20);
			buf_free(&b);
			return;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	out->len = b.len;
	out->data = buf_take(&b);
	buf_free(&b);
}

static void
source_read_file(const char *path, struct source_msg *out)
{
	int		 fd;
	struct stat	 st;
	size_t		 got = 0;
	ssize_t		 n;

	if ((fd = open(path, O_RDONLY)) == -1) {
		out->error = xasprintf("%s: %s", path, strerror(errno));
		return;
	}
	/* The common case, a regular file: one allocation, one read. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uintmax_t)st.st_size <= SOURCE_MAX_MESSAGE) {
		out->data = xmalloc((size_t)st.st_size + 1);
		while (got < (size_t)st.st_size) {
			n = read(fd, out->data + got, (size_t)st.st_size - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		out->data[got] = '\0';
		out->len = got;
		close(fd);
		return;
	}
	source_read_fd(fd, path, out);
	close(fd);
}

/* Start of the next "From " separator at or after off, or maplen. */
static size_t
source_mbox_next_sep(const struct source *s, size_t off)
{
	const char	*p = s->map + off, *end = s->map + s->maplen;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL)
			break;
		p = nl + 1;
		if ((size_t)(end - p) >= 5 && memcmp(p, "From ", 5) == 0 &&
		    p - s->map >= 2 && (p[-2] == '\n' ||
		    (p[-2] == '\r' && p - s->map >= 3 && p[-3] == '\n')))
			return (size_t)(p - s->map);
	}
	return s->maplen;
}

static void
source_mbox_take(struct source *s, struct source_msg *out)
{
	size_t		 start = s->off, end, i;
	const char	*p;
	struct buf	 b;

	/* Skip the separator line itself. */
	p = memchr(s->map + start, '\n', s->maplen - start);
	start = p != NULL ? (size_t)(p - s->map) + 1 : s->maplen;
	end = source_mbox_next_sep(s, start);
	s->off = end;
	out->path = xstrdup(s->path);
	out->index = s->index++;
	if (end - start > SOURCE_MAX_MESSAGE) {
		out->error = xasprintf("%s: message %ld larger than %u MB, not "
		    "read", s->path, out->index, SOURCE_MAX_MESSAGE >> 20);
		return;
	}
	buf_init(&b);
	for (i = start; i < end;) {
		const char	*line = s->map + i;
		const char	*nl = memchr(line, '\n', end - i);
		size_t		 ll = nl != NULL ? (size_t)(nl - line) + 1 : end - i;
		size_t		 k = 0;

		while (k < ll && line[k] == '>')
			k++;
		if (k > 0 && ll - k >= 5 && memcmp(line + k, "From ", 5) == 0)
			buf_add(&b, line + 1, ll - 1);	/* mboxrd: one '>' off */
		else
			buf_add(&b, line, ll);
		i += ll;
	}
	out->len = b.len;
	out->data = buf_take(&b);
	buf_free(&b);
}

int
source_next(struct source *s, struct source_msg *out)
{
	memset(out, 0, sizeof *out);
	out->index = -1;
	switch (s->kind) {
	case SOURCE_STDIN:
	case SOURCE_FILE:
		if (s->done)
			return 0;
		s->done = 1;
		out->path = xstrdup(s->path);
		if (s->kind == SOURCE_STDIN)
			source_read_fd(0, "-", out);
		else
			source_read_file(s->path, out);
		return 1;
	case SOURCE_MAILDIR:
		if (s->next >= s->nnames)
			return 0;
		out->path = xstrdup(s->names[s->next++]);
		source_read_file(out->path, out);
		return 1;
	case SOURCE_MBOX:
		if (s->off >= s->maplen)
			return 0;
		source_mbox_take(s, out);
		return 1;
	}
	return 0;
}

void
source_msg_clear(struct source_msg *m)
{
	free(m->path);
	free(m->data);
	free(m->error);
	memset(m, 0, sizeof *m);
	m->index = -1;
}

void
source_close(struct source *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nnames; i++)
		free(s->names[i]);
	free(s->names);
	if (s->map != NULL)
		munmap((void *)(uintptr_t)s->map, s->maplen);
	free(s->path);
	free(s);
}
