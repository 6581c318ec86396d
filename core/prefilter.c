/* SPDX-License-Identifier: ISC */
/*
 * Literal prefilter for PCRE2 patterns.  prefilter_required walks a pattern
 * once, tracking for each piece the exact strings it can match (while few)
 * or a set of literals one of which any match contains; whatever it does
 * not understand stops the analysis rather than risk a wrong answer.  The
 * scanner that finds the literals is in prefilter-scan.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "prefilter.h"
#include "sagi.h"
#include "xalloc.h"

#define PF_MAXSET	PREFILTER_MAX_SET	/* strings in one set */
#define PF_MAXLIT	64		/* bytes in one literal */
#define PF_MAXDEPTH	16		/* nested groups */
#define PF_ARENA_MAX	(256 * 1024)	/* bytes of strings per analysis */
#define PF_INF		SIZE_MAX

/* A set of strings kept in the analysis arena (offsets survive growth). */
struct pf_set {
	size_t		 off[PF_MAXSET];
	size_t		 len[PF_MAXSET];
	size_t		 n;
};

/* What is known about a piece of pattern. */
struct pf_info {
	int		 exact;		/* matches exactly one string of ex */
	struct pf_set	 ex;
	int		 has_req;	/* any match holds one of req … */
	struct pf_set	 req;
	size_t		 pre;		/* … at most pre bytes in */
	size_t		 maxlen;	/* longest match in bytes, or PF_INF */
};

/* A necessary set of the top-level concatenation. */
struct pf_fac {
	struct pf_set	 set;
	size_t		 pre;
};

struct pf_parse {
	const unsigned char	*p;
	const unsigned char	*end;
	int			 caseless;
	int			 folded;	/* PREFILTER_FOLDED given */
	int			 used_fold;	/* … and k or s relied on it */
	int			 depth;
	int			 bail;
	int			 alts;		/* top-level alternatives */
	struct pf_fac		 top[16];	/* top-level factors seen */
	size_t			 ntop;
	char			*a;	/* arena */
	size_t			 alen;
	size_t			 acap;
};

static void	pf_alt(struct pf_parse *, struct pf_info *);
static void	pf_char(struct pf_parse *, struct pf_info *);

static size_t
pf_add(size_t a, size_t b)
{
	return a > PF_INF - b ? PF_INF : a + b;
}

static size_t
pf_mul(size_t a, size_t b)
{
	if (a == 0 || b == 0)
		return 0;
	return a > PF_INF / b ? PF_INF : a * b;
}

/* Appends x[0..xl) then arena[yo..yo+yl) to the arena; offset or PF_INF. */
static size_t
pf_store(struct pf_parse *ps, const char *x, size_t xl, size_t yo, size_t yl)
{
	size_t	 off = ps->alen;

	if (ps->alen + xl + yl > PF_ARENA_MAX) {
		ps->bail = 1;
		return PF_INF;
	}
	if (ps->alen + xl + yl > ps->acap) {
		ps->acap = ps->acap == 0 ? 4096 : ps->acap;
		while (ps->alen + xl + yl > ps->acap)
			ps->acap *= 2;
		ps->a = xrealloc(ps->a, ps->acap);
	}
	if (xl != 0)
		memcpy(ps->a + ps->alen, x, xl);
	if (yl != 0)
		memmove(ps->a + ps->alen + xl, ps->a + yo, yl);
	ps->alen += xl + yl;
	return off;
}

static size_t
pf_minlen(const struct pf_set *s)
{
	size_t	 i, m = PF_INF;

	for (i = 0; i < s->n; i++) {
		if (s->len[i] < m)
			m = s->len[i];
	}
	return s->n == 0 ? 0 : m;
}

static int
pf_set_has(const struct pf_parse *ps, const struct pf_set *s, size_t off,
    size_t len)
{
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		/* len 0: the arena may not exist yet, nothing to compare */
		if (s->len[i] == len && (len == 0 ||
		    memcmp(ps->a + s->off[i], ps->a + off, len) == 0))
			return 1;
	}
	return 0;
}

/* out = a × b (every a followed by every b); -1 when too big. */
static int
pf_product(struct pf_parse *ps, const struct pf_set *a, const struct pf_set *b,
    struct pf_set *out)
{
	struct pf_set	 r;
	size_t		 i, k, off, len;

	r.n = 0;
	for (i = 0; i < a->n; i++) {
		for (k = 0; k < b->n; k++) {
			len = a->len[i] + b->len[k];
			if (len > PF_MAXLIT)
				return -1;
			/* Copy a's string first: the arena may move. */
			off = pf_store(ps, NULL, 0, a->off[i], a->len[i]);
			if (off == PF_INF ||
			    pf_store(ps, NULL, 0, b->off[k], b->len[k]) ==
			    PF_INF)
				return -1;
			if (pf_set_has(ps, &r, off, len))
				continue;
			if (r.n == PF_MAXSET)
				return -1;
			r.off[r.n] = off;
			r.len[r.n++] = len;
		}
	}
	*out = r;
	return 0;
}

static int
pf_union(struct pf_parse *ps, const struct pf_set *a, const struct pf_set *b,
    struct pf_set *out)
{
	struct pf_set	 r = *a;
	size_t		 k;

	for (k = 0; k < b->n; k++) {
		if (pf_set_has(ps, &r, b->off[k], b->len[k]))
			continue;
		if (r.n == PF_MAXSET)
			return -1;
		r.off[r.n] = b->off[k];
		r.len[r.n++] = b->len[k];
	}
	*out = r;
	return 0;
}

static void
pf_info_empty(struct pf_info *in)
{
	memset(in, 0, sizeof *in);
	in->exact = 1;
	in->ex.n = 1;		/* the empty string */
}

static void
pf_info_any(struct pf_info *in, size_t maxlen)
{
	memset(in, 0, sizeof *in);
	in->maxlen = maxlen;
}

static void
pf_info_lit(struct pf_parse *ps, struct pf_info *in, const char *s, size_t len)
{
	memset(in, 0, sizeof *in);
	in->exact = 1;
	in->ex.n = 1;
	in->ex.off[0] = pf_store(ps, s, len, 0, 0);
	in->ex.len[0] = len;
	in->maxlen = len;
}

/* The literals any match of in contains, if known. */
static int
pf_as_req(const struct pf_info *in, struct pf_set *set, size_t *pre)
{
	if (in->exact) {
		if (in->ex.n == 0 || pf_minlen(&in->ex) == 0)
			return 0;
		*set = in->ex;
		*pre = 0;
		return 1;
	}
	if (!in->has_req)
		return 0;
	*set = in->req;
	*pre = in->pre;
	return 1;
}

/*
 * 1 when set a (with pre pa) is a better requirement than set b (with pb).
 * A bounded pre lets the engine search small windows only, so it wins when
 * its literals are not tiny (three bytes: a kanji, or "pay"); otherwise a
 * longer shortest literal, then fewer literals, then a smaller pre.
 */
static int
pf_better(const struct pf_set *a, size_t pa, const struct pf_set *b, size_t pb)
{
	size_t	 ma = pf_minlen(a), mb = pf_minlen(b);

	if (pa != PF_INF && pb == PF_INF && ma >= 3)
		return 1;
	if (pa == PF_INF && pb != PF_INF && mb >= 3)
		return 0;
	if (ma != mb)
		return ma > mb;
	if (a->n != b->n)
		return a->n < b->n;
	return pa < pb;
}

/* Keeps the more selective requirement; at the top level, all of them. */
static void
pf_consider(struct pf_parse *ps, struct pf_info *best, const struct pf_set *s,
    size_t pre)
{
	if (s->n == 0 || pf_minlen(s) == 0)
		return;
	if (ps->depth == 0 && ps->ntop < SAGI_NITEMS(ps->top)) {
		ps->top[ps->ntop].set = *s;
		ps->top[ps->ntop++].pre = pre;
	}
	if (best->has_req && !pf_better(s, pre, &best->req, best->pre))
		return;
	best->has_req = 1;
	best->req = *s;
	best->pre = pre;
}

static int
pf_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
pf_is_alnum(int c)
{
	return pf_is_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/*
 * Whether a caseless k or s may be a literal (PREFILTER_FOLDED), noting
 * that the requirement now depends on it.
 */
static int
pf_fold(struct pf_parse *ps)
{
	if (ps->folded)
		ps->used_fold = 1;
	return ps->folded;
}

/* Letters without case: CJK, kana, hangul (safe for caseless literals). */
static int
pf_caseless_safe(unsigned int cp)
{
	return (cp >= 0x3000 && cp <= 0x9fff) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) ||
	    (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xff61 && cp <= 0xff9f) ||
	    (cp >= 0x20000 && cp <= 0x3ffff);
}

/* Reads "{n}", "{n,}" or "{n,m}" at ps->p; 0 and advances when it is one. */
static int
pf_braces(struct pf_parse *ps, size_t *min, size_t *max)
{
	const unsigned char	*p = ps->p + 1;
	size_t			 a = 0, b = 0;
	int			 na = 0, nb = 0, comma = 0;

	for (; p < ps->end && pf_is_digit(*p) && na < 6; p++, na++)
		a = a * 10 + (size_t)(*p - '0');
	if (p < ps->end && *p == ',') {
		comma = 1;
		for (p++; p < ps->end && pf_is_digit(*p) && nb < 6; p++, nb++)
			b = b * 10 + (size_t)(*p - '0');
	}
	if (na == 0 || p >= ps->end || *p != '}') {
		/* Newer PCRE2 reads "{,m}" and "{ n }" as quantifiers too. */
		for (p = ps->p + 1; p < ps->end && *p != '}'; p++) {
			if (!pf_is_digit(*p) && *p != ',' && *p != ' ')
				return -1;
		}
		if (p < ps->end)
			ps->bail = 1;
		return -1;
	}
	*min = a;
	*max = !comma ? a : nb == 0 ? PF_INF : b;
	ps->p = p + 1;
	return 0;
}

/* Applies the quantifiers after an atom. */
static void
pf_quant(struct pf_parse *ps, struct pf_info *in)
{
	struct pf_set	 set;
	size_t		 min, max, pre;
	int		 ok;

	while (ps->p < ps->end && !ps->bail) {
		switch (*ps->p) {
		case '?':
			min = 0;
			max = 1;
			ps->p++;
			break;
		case '*':
			min = 0;
			max = PF_INF;
			ps->p++;
			break;
		case '+':
			min = 1;
			max = PF_INF;
			ps->p++;
			break;
		case '{':
			if (pf_braces(ps, &min, &max) != 0)
				return;
			break;
		default:
			return;
		}
		if (ps->p < ps->end && (*ps->p == '?' || *ps->p == '+'))
			ps->p++;	/* lazy or possessive: same strings */
		if (min == 1 && max == 1)
			continue;
		ok = min != 0 && pf_as_req(in, &set, &pre);
		max = in->maxlen == PF_INF || max == PF_INF ? PF_INF :
		    pf_mul(in->maxlen, max);
		pf_info_any(in, max);
		if (ok) {
			in->has_req = 1;
			in->req = set;
			in->pre = pre;	/* in the first repetition */
		}
	}
}

/* Skips a group name up to its closing delimiter. */
static void
pf_skip_name(struct pf_parse *ps, int close)
{
	while (ps->p < ps->end && *ps->p != close) {
		if (!pf_is_alnum(*ps->p) && *ps->p != '_') {
			ps->bail = 1;
			return;
		}
		ps->p++;
	}
	if (ps->p >= ps->end)
		ps->bail = 1;
	else
		ps->p++;
}

/*
 * Option letters at p (after "(?").  "(?s:" and the like: returns where the
 * group's body starts, *caseless set for it.  "(?s)" and the like, which
 * change nothing for literals: fills in as empty and returns NULL.  Case or
 * extended changes to the rest of a group, or anything else: bails.
 */
static const unsigned char *
pf_options(struct pf_parse *ps, const unsigned char *p, int *caseless)
{
	int	 on = 1, c = *caseless, any = 0;

	for (; p < ps->end && strchr("imnsxJU-", *p) != NULL; p++, any++) {
		if (*p == '-')
			on = 0;
		else if (*p == 'x' && on)
			break;
		else if (*p == 'i')
			c = on;
	}
	if (p < ps->end && *p == ':' && any != 0) {
		*caseless = c;
		return p + 1;
	}
	if (p < ps->end && *p == ')' && any != 0 && c == *caseless &&
	    memchr(ps->p, 'x', (size_t)(p - ps->p)) == NULL) {
		ps->p = p + 1;
		return NULL;
	}
	ps->bail = 1;
	return NULL;
}

/* "(" … ")": ps->p is after "(". */
static void
pf_group(struct pf_parse *ps, struct pf_info *in)
{
	const unsigned char	*p = ps->p;
	int			 look = 0, caseless = ps->caseless, was;

	if (p < ps->end && *p == '*') {
		ps->bail = 1;		/* (*VERB) */
		return;
	}
	if (p < ps->end && *p == '?') {
		p++;
		if (p < ps->end && (*p == ':' || *p == '>' || *p == '|'))
			p++;
		else if (p < ps->end && (*p == '=' || *p == '!')) {
			p++;
			look = 1;
		} else if (p + 1 < ps->end && *p == '<' &&
		    (p[1] == '=' || p[1] == '!')) {
			p += 2;
			look = 1;
		} else if (p < ps->end && (*p == '<' || *p == '\'')) {
			ps->p = p + 1;
			pf_skip_name(ps, *p == '<' ? '>' : '\'');
			p = ps->p;
		} else if (p + 1 < ps->end && *p == 'P' && p[1] == '<') {
			ps->p = p + 2;
			pf_skip_name(ps, '>');
			p = ps->p;
		} else if ((p = pf_options(ps, p, &caseless)) == NULL) {
			if (!ps->bail)
				pf_info_empty(in);	/* (?s): nothing */
			return;
		}
	}
	if (ps->bail)
		return;
	ps->p = p;
	if (++ps->depth > PF_MAXDEPTH) {
		ps->bail = 1;
		return;
	}
	was = ps->caseless;
	ps->caseless = caseless;
	pf_alt(ps, in);
	ps->caseless = was;
	ps->depth--;
	if (ps->bail || ps->p >= ps->end || *ps->p != ')') {
		ps->bail = 1;
		return;
	}
	ps->p++;
	if (look)
		pf_info_empty(in);	/* zero width: matches nothing itself */
}

/* Decodes the UTF-8 character at p (before end); its length, or 0. */
static size_t
pf_utf8(const unsigned char *p, const unsigned char *end, unsigned long *cp)
{
	size_t	 n, i;

	if (*p < 0x80) {
		*cp = *p;
		return 1;
	}
	if (*p >= 0xf0)
		n = 4;
	else if (*p >= 0xe0)
		n = 3;
	else if (*p >= 0xc0)
		n = 2;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	*cp = *p & (0x7f >> n);
	for (i = 1; i < n; i++)
		*cp = (*cp << 6) | (p[i] & 0x3f);
	return n;
}

/*
 * One member of a class at *pp, before end, as a code point: a character,
 * an escaped punctuation mark or \x.  0 and advances, or -1 for anything
 * else (which makes the class "any character").
 */
static int
pf_class_char(const unsigned char **pp, const unsigned char *end,
    unsigned long *cp)
{
	const unsigned char	*p = *pp;
	size_t			 n;
	int			 h, k = 0;

	if (*p != '\\') {
		if (*p == '[' && p + 1 < end &&
		    (p[1] == ':' || p[1] == '.' || p[1] == '='))
			return -1;	/* [:alpha:] */
		if ((n = pf_utf8(p, end, cp)) == 0)
			return -1;
		*pp = p + n;
		return 0;
	}
	if (++p >= end)
		return -1;
	if (*p < 0x80 && !pf_is_alnum(*p)) {
		*cp = *p;
		*pp = p + 1;
		return 0;
	}
	if (*p != 'x')
		return -1;	/* \d, \p, \b (backspace here), octal … */
	*cp = 0;
	if (++p < end && *p == '{') {
		for (p++; p < end && (h = sagi_hexval(*p)) >= 0 && k < 6; p++, k++)
			*cp = *cp * 16 + (unsigned long)h;
		if (p >= end || *p != '}' || k == 0)
			return -1;
		p++;
	} else {
		for (; p < end && (h = sagi_hexval(*p)) >= 0 && k < 2; p++, k++)
			*cp = *cp * 16 + (unsigned long)h;
	}
	*pp = p;
	return 0;
}

/* Adds code point cp to a class set as a one-character literal. */
static int
pf_class_add(struct pf_parse *ps, struct pf_set *set, unsigned long cp)
{
	char	 u[4];
	size_t	 n;

	if (cp >= 'A' && cp <= 'Z')
		cp += 'a' - 'A';
	if (ps->caseless && (cp >= 0x80 ? !pf_caseless_safe((unsigned int)cp) :
	    (cp == 'k' || cp == 's') && !pf_fold(ps)))
		return -1;	/* see pf_char */
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else if (cp < 0x110000) {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	} else
		return -1;
	if (set->n == PF_MAXSET)
		return -1;
	set->off[set->n] = pf_store(ps, u, n, 0, 0);
	set->len[set->n++] = n;
	return ps->bail ? -1 : 0;
}

/*
 * A class of plain characters and small ranges ([确认账户], [-‐－],
 * [\x{200B}-\x{200D}]) as the set of its characters, or -1.
 */
static int
pf_class_set(struct pf_parse *ps, const unsigned char *p,
    const unsigned char *end, struct pf_set *set)
{
	unsigned long	 cp, to;

	set->n = 0;
	if (p < end && *p == '^')
		return -1;
	if (p < end && *p == ']') {
		if (pf_class_add(ps, set, ']') != 0)
			return -1;
		p++;
	}
	while (p < end) {
		if (pf_class_char(&p, end, &cp) != 0)
			return -1;
		if (p + 1 < end && *p == '-') {
			p++;
			if (pf_class_char(&p, end, &to) != 0 || to < cp ||
			    to - cp >= PF_MAXSET)
				return -1;
		} else
			to = cp;
		for (; cp <= to; cp++) {
			if (pf_class_add(ps, set, cp) != 0)
				return -1;
		}
	}
	return set->n == 0 ? -1 : 0;
}

/* "[…]": ps->p is after "[". */
static void
pf_class(struct pf_parse *ps, struct pf_info *in)
{
	const unsigned char	*p = ps->p, *start = ps->p;
	struct pf_set		 set;
	size_t			 i, max = 0;

	if (p < ps->end && *p == '^')
		p++;
	if (p < ps->end && *p == ']')
		p++;		/* a leading ] is a member */
	while (p < ps->end && *p != ']') {
		if (*p == '\\') {
			if (p + 1 < ps->end && p[1] == 'Q') {
				ps->bail = 1;
				return;
			}
			p += 2;
		} else if (*p == '[' && p + 1 < ps->end &&
		    (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			/* [:alpha:]: skip to its own closing bracket */
			p += 2;
			while (p + 1 < ps->end && !(p[1] == ']' &&
			    (*p == ':' || *p == '.' || *p == '=')))
				p++;
			p += 2;
		} else
			p++;
	}
	if (p >= ps->end) {
		ps->bail = 1;
		return;
	}
	ps->p = p + 1;
	if (pf_class_set(ps, start, p, &set) != 0) {
		pf_info_any(in, 4);
		return;
	}
	for (i = 0; i < set.n; i++) {
		if (set.len[i] > max)
			max = set.len[i];
	}
	memset(in, 0, sizeof *in);
	in->exact = 1;
	in->ex = set;
	in->maxlen = max;
}

/* "\…": ps->p is after the backslash. */
static void
pf_escape(struct pf_parse *ps, struct pf_info *in)
{
	const unsigned char	*p = ps->p;
	char			 c;

	if (p >= ps->end) {
		ps->bail = 1;
		return;
	}
	c = (char)*p;
	if (*p >= 0x80) {
		pf_char(ps, in);	/* \ before a non-ASCII character */
		return;
	}
	ps->p = p + 1;
	if (!pf_is_alnum(*p)) {
		pf_info_lit(ps, in, &c, 1);	/* \. \( \\ … */
		return;
	}
	if (c == 'N' && ps->p < ps->end && *ps->p == '{') {
		ps->bail = 1;		/* \N{U+…} */
		return;
	}
	switch (c) {
	case 'b': case 'B': case 'A': case 'z': case 'Z':
		pf_info_empty(in);
		return;
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
	case 'h': case 'H': case 'v': case 'V': case 'N': case 'R':
	case 'a': case 'e': case 'f': case 'n': case 'r': case 't':
		pf_info_any(in, 4);
		return;
	case 'X':
		pf_info_any(in, PF_INF);
		return;
	case 'c':
		if (ps->p >= ps->end || *ps->p >= 0x80) {
			ps->bail = 1;
			return;
		}
		ps->p++;
		pf_info_any(in, 4);
		return;
	case 'p': case 'P': case 'x': case 'o':
		if (ps->p < ps->end && *ps->p == '{') {
			while (ps->p < ps->end && *ps->p != '}')
				ps->p++;
			if (ps->p >= ps->end) {
				ps->bail = 1;
				return;
			}
			ps->p++;
		} else if (c == 'p' || c == 'P') {
			if (ps->p >= ps->end || !pf_is_alnum(*ps->p)) {
				ps->bail = 1;
				return;
			}
			ps->p++;
		} else if (c == 'x') {
			while (ps->p < ps->end && ps->p < p + 3 &&
			    (pf_is_digit(*ps->p) || (*ps->p >= 'a' &&
			    *ps->p <= 'f') || (*ps->p >= 'A' && *ps->p <= 'F')))
				ps->p++;
		} else {
			ps->bail = 1;
			return;
		}
		pf_info_any(in, 4);
		return;
	default:
		/* Back references, \G, \K, \Q, \g, \k, octal …: give up. */
		ps->bail = 1;
		return;
	}
}

/* A literal character (ASCII or one UTF-8 sequence). */
static void
pf_char(struct pf_parse *ps, struct pf_info *in)
{
	const unsigned char	*p = ps->p;
	unsigned long		 cp;
	size_t			 n;
	char			 c;

	if (*p < 0x80) {
		ps->p++;
		c = (char)*p;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		/* Caseless k and s also match U+212A and U+017F. */
		if (ps->caseless && (c == 'k' || c == 's') && !pf_fold(ps))
			pf_info_any(in, 4);
		else
			pf_info_lit(ps, in, &c, 1);
		return;
	}
	if ((n = pf_utf8(p, ps->end, &cp)) == 0) {
		ps->bail = 1;
		return;
	}
	ps->p += n;
	if (ps->caseless && !pf_caseless_safe((unsigned int)cp))
		pf_info_any(in, 4);
	else
		pf_info_lit(ps, in, (const char *)p, n);
}

static void
pf_atom(struct pf_parse *ps, struct pf_info *in)
{
	switch (*ps->p) {
	case '(':
		ps->p++;
		pf_group(ps, in);
		break;
	case '[':
		ps->p++;
		pf_class(ps, in);
		break;
	case '.':
		ps->p++;
		pf_info_any(in, 4);
		break;
	case '^':
	case '$':
		ps->p++;
		pf_info_empty(in);
		break;
	case '\\':
		ps->p++;
		pf_escape(ps, in);
		break;
	case '*':
	case '+':
	case '?':
		ps->bail = 1;
		break;
	default:
		pf_char(ps, in);
		break;
	}
}

/*
 * A concatenation, up to "|", ")" or the end.  The sets are large, so the
 * working state of this recursion lives on the heap, not the stack.
 */
struct pf_seq_work {
	struct pf_info	 x, best;
	struct pf_set	 run, t;
};

static void
pf_seq(struct pf_parse *ps, struct pf_info *out)
{
	struct pf_seq_work	*w;
	size_t			 run_pre = 0, pos = 0;
	int			 all_exact = 1;

	w = xcalloc(1, sizeof *w);
	w->run.n = 1;		/* the empty string */
	while (ps->p < ps->end && *ps->p != '|' && *ps->p != ')' && !ps->bail) {
		pf_atom(ps, &w->x);
		if (!ps->bail)
			pf_quant(ps, &w->x);
		if (ps->bail)
			break;
		if (w->x.exact &&
		    pf_product(ps, &w->run, &w->x.ex, &w->t) == 0)
			w->run = w->t;
		else {
			pf_consider(ps, &w->best, &w->run, run_pre);
			all_exact = 0;
			if (w->x.exact) {
				w->run = w->x.ex;
				run_pre = pos;
			} else {
				if (w->x.has_req)
					pf_consider(ps, &w->best, &w->x.req,
					    pf_add(pos, w->x.pre));
				w->run.n = 1;
				w->run.off[0] = w->run.len[0] = 0;
				run_pre = pf_add(pos, w->x.maxlen);
			}
		}
		pos = pf_add(pos, w->x.maxlen);
	}
	if (ps->bail) {
		free(w);
		return;
	}
	if (all_exact) {
		memset(out, 0, sizeof *out);
		out->exact = 1;
		out->ex = w->run;
		out->maxlen = pos;
	} else {
		pf_consider(ps, &w->best, &w->run, run_pre);
		*out = w->best;
		out->exact = 0;
		out->maxlen = pos;
	}
	free(w);
}

/* Alternatives, up to ")" or the end; state on the heap as in pf_seq. */
struct pf_alt_work {
	struct pf_info	 next;
	struct pf_set	 ra, rb, u;
};

static void
pf_alt(struct pf_parse *ps, struct pf_info *out)
{
	struct pf_alt_work	*w;
	size_t			 pa, pb;
	int			 ea, eb;

	pf_seq(ps, out);
	w = xcalloc(1, sizeof *w);
	while (!ps->bail && ps->p < ps->end && *ps->p == '|') {
		ps->p++;
		if (ps->depth == 0)
			ps->alts++;
		pf_seq(ps, &w->next);
		if (ps->bail)
			break;
		ea = pf_as_req(out, &w->ra, &pa);
		eb = pf_as_req(&w->next, &w->rb, &pb);
		if (out->exact && w->next.exact &&
		    pf_union(ps, &out->ex, &w->next.ex, &w->u) == 0) {
			out->ex = w->u;
			if (w->next.maxlen > out->maxlen)
				out->maxlen = w->next.maxlen;
			continue;
		}
		out->exact = 0;
		out->has_req = ea && eb &&
		    pf_union(ps, &w->ra, &w->rb, &w->u) == 0;
		if (out->has_req) {
			out->req = w->u;
			out->pre = pa > pb ? pa : pb;
		}
		if (w->next.maxlen > out->maxlen)
			out->maxlen = w->next.maxlen;
	}
	free(w);
}

/* Appends a factor's literals to req. */
static void
pf_req_add(const struct pf_parse *ps, struct prefilter_req *req,
    const struct pf_set *set, size_t pre)
{
	size_t	 i, n = req->n + set->n;

	req->lits = xreallocarray(req->lits, n, sizeof *req->lits);
	req->lens = xreallocarray(req->lens, n, sizeof *req->lens);
	req->fac = xreallocarray(req->fac, n, sizeof *req->fac);
	for (i = 0; i < set->n; i++) {
		req->lits[req->n] = xmemdup(ps->a + set->off[i], set->len[i]);
		req->lens[req->n] = set->len[i];
		req->fac[req->n++] = req->nfac;
	}
	req->pre[req->nfac++] = pre;
}

/* 1 when the two sets hold the same strings. */
static int
pf_same(const struct pf_parse *ps, const struct pf_set *a,
    const struct pf_set *b)
{
	size_t	 i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		if (!pf_set_has(ps, b, a->off[i], a->len[i]))
			return 0;
	}
	return 1;
}

int
prefilter_required(const char *pattern, unsigned int opts,
    struct prefilter_req *req)
{
	struct pf_parse	 ps;
	struct pf_info	 in;
	struct pf_set	 set;
	size_t		 pre, i, k, pick;
	int		 ok;

	memset(req, 0, sizeof *req);
	if (pattern == NULL || (opts & PREFILTER_EXTENDED))
		return -1;
	memset(&ps, 0, sizeof ps);
	ps.p = (const unsigned char *)pattern;
	ps.end = ps.p + strlen(pattern);
	ps.caseless = (opts & PREFILTER_CASELESS) != 0;
	ps.folded = (opts & PREFILTER_FOLDED) != 0;
	pf_alt(&ps, &in);
	ok = !ps.bail && ps.p == ps.end && pf_as_req(&in, &set, &pre);
	if (ok) {
		pf_req_add(&ps, req, &set, pre);
		/*
		 * With one top-level alternative, every factor of its
		 * concatenation is needed too: add the most selective others.
		 */
		while (ps.alts == 0 && !in.exact &&
		    req->nfac < PREFILTER_MAX_FAC) {
			pick = SIZE_MAX;
			for (i = 0; i < ps.ntop; i++) {
				if (ps.top[i].set.n == 0 || pf_same(&ps,
				    &ps.top[i].set, &set))
					continue;
				if (pick == SIZE_MAX ||
				    pf_better(&ps.top[i].set, ps.top[i].pre,
				    &ps.top[pick].set, ps.top[pick].pre))
					pick = i;
			}
			if (pick == SIZE_MAX)
				break;
			pf_req_add(&ps, req, &ps.top[pick].set,
			    ps.top[pick].pre);
			/* Used: drop it and any copy of it. */
			for (k = 0; k < ps.ntop; k++) {
				if (k != pick && pf_same(&ps, &ps.top[k].set,
				    &ps.top[pick].set))
					ps.top[k].set.n = 0;
			}
			ps.top[pick].set.n = 0;
		}
		req->folded = ps.used_fold;
	}
	free(ps.a);
	return ok ? 0 : -1;
}

void
prefilter_req_free(struct prefilter_req *req)
{
	size_t	 i;

	if (req == NULL)
		return;
	for (i = 0; i < req->n; i++)
		free(req->lits[i]);
	free(req->lits);
	free(req->lens);
	free(req->fac);
	memset(req, 0, sizeof *req);
}
