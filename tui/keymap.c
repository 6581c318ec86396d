/* SPDX-License-Identifier: ISC */
/*
 * Keymap files ("bind <context> <key> <action> [argument]", "unbind
 * <context> <key>") and key lookup.  Problems are collected, never fatal:
 * a bad line is reported and skipped.  Runs no action, knows no curses.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "keymap.h"
#include "keyname.h"
#include "xalloc.h"

struct keymap_entry {
	struct keymap_binding	 b;
	unsigned int		 load;		/* which load bound it */
};

struct keymap {
	const struct keymap_action	*actions;	/* borrowed */
	size_t				 nactions;
	/* Per context, sorted by key for bsearch. */
	struct keymap_entry		*entries[KEYMAP__COUNT];
	size_t				 nentries[KEYMAP__COUNT];
	/* Names of loaded files; bindings point into this. */
	char				**files;
	size_t				 nfiles;
	unsigned int			 loads;
};

/* One load in progress. */
struct keymap_parse {
	struct keymap	*km;
	const char	*file;		/* interned in km->files */
	struct diag	*d;
	unsigned int	 load;
	unsigned int	 problems;
	int		 stop;
};

static const char *const keymap_context_names[KEYMAP__COUNT] = {
	"global", "index", "pager", "explain", "help"
};

static void	keymap_problem(struct keymap_parse *, unsigned int,
		    unsigned int, const char *, ...) SAGI_PRINTFLIKE(4, 5);

struct keymap *
keymap_new(const struct keymap_action *actions, size_t nactions)
{
	struct keymap	*km;

	km = xcalloc(1, sizeof *km);
	km->actions = actions;
	km->nactions = nactions;
	return km;
}

void
keymap_free(struct keymap *km)
{
	size_t	 c, i;

	if (km == NULL)
		return;
	for (c = 0; c < KEYMAP__COUNT; c++) {
		for (i = 0; i < km->nentries[c]; i++)
			free(km->entries[c][i].b.arg);
		free(km->entries[c]);
	}
	for (i = 0; i < km->nfiles; i++)
		free(km->files[i]);
	free(km->files);
	free(km);
}

const char *
keymap_context_name(enum keymap_context c)
{
	if ((unsigned int)c >= KEYMAP__COUNT)
		return NULL;
	return keymap_context_names[c];
}

static void
keymap_problem(struct keymap_parse *p, unsigned int line, unsigned int col,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->stop)
		return;
	if (p->d != NULL) {
		va_start(ap, fmt);
		msg = xvasprintf(fmt, ap);
		va_end(ap);
		diag_add(p->d, p->file, line, col, "%s", msg);
		free(msg);
	}
	if (++p->problems >= KEYMAP_MAX_PROBLEMS) {
		/* A binary file or a wrong path must not bury the screen. */
		if (p->d != NULL)
			diag_add(p->d, p->file, line, 0,
			    "too many problems, rest of the file skipped");
		p->stop = 1;
	}
}

/* Index of key in ctx's sorted entries, or where it would go (*found 0). */
static size_t
keymap_find(const struct keymap *km, enum keymap_context ctx, key_code key,
    int *found)
{
	const struct keymap_entry	*e = km->entries[ctx];
	size_t				 lo = 0, hi = km->nentries[ctx], mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (e[mid].b.key == key) {
			*found = 1;
			return mid;
		}
		if (e[mid].b.key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

static const char *
keymap_intern_file(struct keymap *km, const char *name)
{
	size_t	 i;

	for (i = 0; i < km->nfiles; i++) {
		if (strcmp(km->files[i], name) == 0)
			return km->files[i];
	}
	km->files = xreallocarray(km->files, km->nfiles + 1,
	    sizeof *km->files);
	km->files[km->nfiles] = xstrdup(name);
	return km->files[km->nfiles++];
}

static const struct keymap_action *
keymap_find_action(const struct keymap *km, const char *name)
{
	size_t	 i;

	for (i = 0; i < km->nactions; i++) {
		if (strcmp(km->actions[i].name, name) == 0)
			return &km->actions[i];
	}
	return NULL;
}

static int
keymap_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Checks that the len bytes at s are UTF-8 without controls (tabs apart),
 * so an argument or a name echoed in a diagnostic is safe to show.
 * Returns the offset of the first bad byte, or len.
 */
static size_t
keymap_check_text(const char *s, size_t len, const char **why)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	uint32_t		 c, min;

	while (i < len) {
		c = p[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				*why = "control character";
				return i;
			}
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 2;
			c &= 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 3;
			c &= 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 4;
			c &= 0x07;
			min = 0x10000;
		} else {
			*why = "invalid UTF-8";
			return i;
		}
		if (len - i < n) {
			*why = "invalid UTF-8";
			return i;
		}
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80) {
				*why = "invalid UTF-8";
				return i;
			}
			c = (c << 6) | (p[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
			*why = "invalid UTF-8";
			return i;
		}
		if (c <= 0x9f) {
			*why = "control character";
			return i;
		}
		i += n;
	}
	return len;
}

/*
 * The next blank-separated word of s (len bytes) at or after *pos, NUL-
 * terminated in place.  Returns NULL at the end of the line; *col gets the
 * 1-based column of the word, or of the end of the line.
 */
static char *
keymap_word(char *s, size_t len, size_t *pos, unsigned int *col)
{
	size_t	 i = *pos, start;

	while (i < len && keymap_is_blank(s[i]))
		i++;
	*col = (unsigned int)i + 1;
	if (i == len) {
		*pos = i;
		return NULL;
	}
	start = i;
	while (i < len && !keymap_is_blank(s[i]))
		i++;
	*pos = i < len ? i + 1 : i;
	s[i] = '\0';
	return s + start;
}

/*
 * The argument of a bind line: the rest of the line without the blanks
 * around it, or a double-quoted string with \" and \\ as its only escapes.
 * A '#' that begins an unquoted argument or follows a blank in it starts a
 * comment, as in the config file.  Returns 0 with *out (owned, NULL when
 * there is none), or -1 after reporting the problem.
 */
static int
keymap_argument(struct keymap_parse *p, unsigned int line, char *s,
    size_t len, size_t pos, char **out)
{
	size_t	 i = pos, k, end, n = 0;
	char	*v;

	*out = NULL;
	while (i < len && keymap_is_blank(s[i]))
		i++;
	if (i < len && s[i] == '"') {
		v = xmalloc(len - i);
		for (k = i + 1; k < len && s[k] != '"'; k++) {
			if (s[k] != '\\') {
				v[n++] = s[k];
				continue;
			}
			if (k + 1 < len && (s[k + 1] == '"' ||
			    s[k + 1] == '\\')) {
				v[n++] = s[++k];
				continue;
			}
			free(v);
			keymap_problem(p, line, (unsigned int)k + 1,
			    "unknown escape in quoted argument: only \\\" and "
			    "\\\\ are allowed");
			return -1;
		}
		v[n] = '\0';
		if (k == len) {
			free(v);
			keymap_problem(p, line, (unsigned int)i + 1,
			    "unterminated quoted argument");
			return -1;
		}
		for (k++; k < len && keymap_is_blank(s[k]); k++)
			;
		if (k < len && s[k] != '#') {
			free(v);
			keymap_problem(p, line, (unsigned int)k + 1,
			    "text after the closing quote");
			return -1;
		}
		if (n == 0) {
			free(v);
			keymap_problem(p, line, (unsigned int)i + 1,
			    "empty argument");
			return -1;
		}
		*out = v;
		return 0;
	}
	for (end = i; end < len; end++) {
		if (s[end] == '#' && (end == i || keymap_is_blank(s[end - 1])))
			break;
	}
	while (end > i && keymap_is_blank(s[end - 1]))
		end--;
	if (end > i)
		*out = xstrndup(s + i, end - i);
	return 0;
}

static int
keymap_context_parse(const char *s, enum keymap_context *out)
{
	unsigned int	 c;

	for (c = 0; c < KEYMAP__COUNT; c++) {
		if (strcmp(s, keymap_context_names[c]) == 0) {
			*out = (enum keymap_context)c;
			return 0;
		}
	}
	return -1;
}

/* The context and key words shared by bind and unbind. */
static int
keymap_context_key(struct keymap_parse *p, unsigned int line, const char *dir,
    char *s, size_t len, size_t *pos, enum keymap_context *ctx, key_code *key,
    unsigned int *keycol)
{
	char		*w;
	unsigned int	 col;

	if ((w = keymap_word(s, len, pos, &col)) == NULL) {
		keymap_problem(p, line, col, "%s: missing context", dir);
		return -1;
	}
	if (keymap_context_parse(w, ctx) != 0) {
		keymap_problem(p, line, col, "unknown context \"%s\" (global, "
		    "index, pager, explain or help)", w);
		return -1;
	}
	if ((w = keymap_word(s, len, pos, keycol)) == NULL) {
		keymap_problem(p, line, *keycol, "%s: missing key", dir);
		return -1;
	}
	if (keyname_parse(w, key) != 0) {
		keymap_problem(p, line, *keycol, "unknown key \"%s\"", w);
		return -1;
	}
	return 0;
}

static void
keymap_bind(struct keymap_parse *p, unsigned int line, char *s, size_t len,
    size_t pos)
{
	struct keymap			*km = p->km;
	const struct keymap_action	*a;
	enum keymap_context		 ctx;
	key_code			 key;
	unsigned int			 keycol, col;
	char				*w, *arg, name[KEYNAME_MAX];
	struct keymap_entry		*e;
	size_t				 i, argpos;
	int				 found;

	if (keymap_context_key(p, line, "bind", s, len, &pos, &ctx, &key,
	    &keycol) != 0)
		return;
	if ((w = keymap_word(s, len, &pos, &col)) == NULL) {
		keymap_problem(p, line, col, "bind: missing action");
		return;
	}
	if ((a = keymap_find_action(km, w)) == NULL) {
		keymap_problem(p, line, col, "unknown action \"%s\"", w);
		return;
	}
	for (argpos = pos; argpos < len && keymap_is_blank(s[argpos]); argpos++)
		;
	if (keymap_argument(p, line, s, len, pos, &arg) != 0)
		return;
	if (arg != NULL && !a->takes_arg) {
		free(arg);
		keymap_problem(p, line, (unsigned int)argpos + 1,
		    "action \"%s\" takes no argument", a->name);
		return;
	}

	i = keymap_find(km, ctx, key, &found);
	if (found) {
		e = &km->entries[ctx][i];
		if (e->load == p->load)
			keymap_problem(p, line, keycol, "warning: %s %s is "
			    "already bound on line %u, this line replaces it",
			    keymap_context_names[ctx],
			    keyname_print(key, name, sizeof name), e->b.line);
		free(e->b.arg);
	} else {
		km->entries[ctx] = xreallocarray(km->entries[ctx],
		    km->nentries[ctx] + 1, sizeof *km->entries[ctx]);
		e = &km->entries[ctx][i];
		memmove(e + 1, e, (km->nentries[ctx] - i) * sizeof *e);
		km->nentries[ctx]++;
	}
	e->b.key = key;
	e->b.ctx = ctx;
	e->b.action = a->name;
	e->b.arg = arg;
	e->b.file = p->file;
	e->b.line = line;
	e->load = p->load;
}

static void
keymap_unbind(struct keymap_parse *p, unsigned int line, char *s, size_t len,
    size_t pos)
{
	struct keymap		*km = p->km;
	enum keymap_context	 ctx;
	key_code		 key;
	unsigned int		 keycol, col;
	char			*w;
	size_t			 i;
	int			 found;

	if (keymap_context_key(p, line, "unbind", s, len, &pos, &ctx, &key,
	    &keycol) != 0)
		return;
	if ((w = keymap_word(s, len, &pos, &col)) != NULL && w[0] != '#') {
		keymap_problem(p, line, col, "text after the key");
		return;
	}
	/* Nothing to remove is fine: the defaults may have changed. */
	i = keymap_find(km, ctx, key, &found);
	if (!found)
		return;
	free(km->entries[ctx][i].b.arg);
	memmove(&km->entries[ctx][i], &km->entries[ctx][i + 1],
	    (km->nentries[ctx] - i - 1) * sizeof km->entries[ctx][i]);
	km->nentries[ctx]--;
}

/* One line without its newline; s is a writable copy of it. */
static void
keymap_line(struct keymap_parse *p, unsigned int line, char *s, size_t len)
{
	const char	*why = NULL;
	char		*w;
	size_t		 pos = 0, bad;
	unsigned int	 col;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	s[len] = '\0';
	while (pos < len && keymap_is_blank(s[pos]))
		pos++;
	if (pos == len || s[pos] == '#')
		return;
	if ((bad = keymap_check_text(s, len, &why)) != len) {
		keymap_problem(p, line, (unsigned int)bad + 1, "%s", why);
		return;
	}
	w = keymap_word(s, len, &pos, &col);
	if (strcmp(w, "bind") == 0)
		keymap_bind(p, line, s, len, pos);
	else if (strcmp(w, "unbind") == 0)
		keymap_unbind(p, line, s, len, pos);
	else
		keymap_problem(p, line, col, "unknown directive \"%s\" (bind "
		    "or unbind)", w);
}

static void
keymap_parse_text(struct keymap *km, const char *name, const char *text,
    size_t len, struct diag *d)
{
	struct keymap_parse	 p;
	char			 s[KEYMAP_LINE_MAX + 1];
	const char		*nl;
	size_t			 off = 0, ll;
	unsigned int		 line = 0;

	memset(&p, 0, sizeof p);
	p.km = km;
	p.file = keymap_intern_file(km, name);
	p.d = d;
	p.load = ++km->loads;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	while (off < len && !p.stop) {
		line++;
		nl = memchr(text + off, '\n', len - off);
		ll = (nl != NULL ? (size_t)(nl - text) : len) - off;
		/* A CR before the newline does not count against the limit. */
		if (ll > KEYMAP_LINE_MAX && !(ll == KEYMAP_LINE_MAX + 1 &&
		    text[off + ll - 1] == '\r'))
			keymap_problem(&p, line, KEYMAP_LINE_MAX + 1,
			    "line longer than %u bytes", KEYMAP_LINE_MAX);
		else {
			memcpy(s, text + off, ll);
			keymap_line(&p, line, s, ll);
		}
		off += ll + 1;
	}
}

int
keymap_load_string(struct keymap *km, const char *name, const char *text,
    struct diag *d)
{
	keymap_parse_text(km, name, text, strlen(text), d);
	return 0;
}

int
keymap_load(struct keymap *km, const char *path, struct diag *d)
{
	struct buf	 b;
	struct stat	 st;
	char		 chunk[8192];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1) {
		if (d != NULL)
			diag_add(d, path, 0, 0, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		if (d != NULL)
			diag_add(d, path, 0, 0, "is a directory");
		return -1;
	}
	buf_init(&b);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (d != NULL)
				diag_add(d, path, 0, 0, "%s", strerror(errno));
			buf_free(&b);
			close(fd);
			return -1;
		}
		if (b.len + (size_t)n > KEYMAP_FILE_MAX) {
			if (d != NULL)
				diag_add(d, path, 0, 0, "larger than %u KB, "
				    "not read", KEYMAP_FILE_MAX >> 10);
			buf_free(&b);
			close(fd);
			return -1;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	keymap_parse_text(km, path, b.len > 0 ? b.data : "", b.len, d);
	buf_free(&b);
	return 0;
}

const struct keymap_binding *
keymap_lookup(const struct keymap *km, enum keymap_context ctx, key_code key)
{
	size_t	 i;
	int	 found;

	if ((unsigned int)ctx >= KEYMAP__COUNT)
		return NULL;
	i = keymap_find(km, ctx, key, &found);
	if (found)
		return &km->entries[ctx][i].b;
	if (ctx == KEYMAP_GLOBAL)
		return NULL;
	i = keymap_find(km, KEYMAP_GLOBAL, key, &found);
	return found ? &km->entries[KEYMAP_GLOBAL][i].b : NULL;
}

static int
keymap_binding_cmp(const void *a, const void *b)
{
	const struct keymap_binding	*x, *y;
	int				 r;

	x = *(const struct keymap_binding *const *)a;
	y = *(const struct keymap_binding *const *)b;

	if ((r = strcmp(x->action, y->action)) != 0)
		return r;
	return x->key < y->key ? -1 : x->key > y->key;
}

size_t
keymap_bindings(const struct keymap *km, enum keymap_context ctx,
    const struct keymap_binding **out, size_t max)
{
	const struct keymap_binding	**all;
	size_t				  n, i;

	if ((unsigned int)ctx >= KEYMAP__COUNT)
		return 0;
	n = km->nentries[ctx];
	if (max == 0 || n == 0)
		return n;
	all = xreallocarray(NULL, n, sizeof *all);
	for (i = 0; i < n; i++)
		all[i] = &km->entries[ctx][i].b;
	qsort(all, n, sizeof *all, keymap_binding_cmp);
	memcpy(out, all, (n < max ? n : max) * sizeof *out);
	free(all);
	return n;
}
