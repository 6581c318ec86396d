/* SPDX-License-Identifier: ISC */
/*
 * Rule pack parser and validator (language: doc/sagi-rules.5).  A pack is
 * read into a struct rulepack_pack; every problem becomes a "file:line:col"
 * diagnostic, and ruleset.c merges only a pack with no problem at all.
 * Columns count bytes from 1.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rulepack-int.h"
#include "xalloc.h"

#define RP_MAX_ERRORS		50		/* per pack, then give up */
#define RP_MAX_NESTING		32		/* ( and ! inside one meta */
#define RP_MAX_CHAIN		64		/* meta referring to meta … */
#define RP_MAX_SCORE		1000000.0

#define RP_LOWER		"abcdefghijklmnopqrstuvwxyz0123456789"
#define RP_BLANK(c)		((c) == ' ' || (c) == '\t')

enum rp_block { RP_NONE, RP_RULE, RP_BRAND, RP_LIST };

/* Where a keyword may appear. */
enum rp_home { RP_HEADER, RP_OPEN, RP_INRULE, RP_INBRAND, RP_INBOTH, RP_END };

static const struct {
	const char	*kw;
	enum rp_home	 home;
} rp_keywords[] = {
	{ "pack", RP_HEADER }, { "version", RP_HEADER },
	{ "requires", RP_HEADER }, { "cap", RP_HEADER },
	{ "list", RP_OPEN }, { "brand", RP_OPEN }, { "rule", RP_OPEN },
	{ "field", RP_INRULE }, { "meta", RP_INRULE },
	{ "pattern", RP_INRULE }, { "unless", RP_INRULE },
	{ "flags", RP_INRULE }, { "in-list", RP_INRULE },
	{ "not-in-list", RP_INRULE }, { "score", RP_INRULE },
	{ "group", RP_INRULE }, { "explain-ja", RP_INRULE },
	{ "explain-en", RP_INRULE }, { "evidence", RP_INRULE },
	{ "name", RP_INBRAND }, { "match", RP_INBRAND },
	{ "token", RP_INBRAND }, { "domains", RP_INBRAND },
	{ "check-ja", RP_INBRAND }, { "check-en", RP_INBRAND },
	{ "victim-ja", RP_INBRAND }, { "victim-en", RP_INBRAND },
	{ "expect-match", RP_INBOTH }, { "expect-nomatch", RP_INBOTH },
	{ "end", RP_END },
};

/* One directive: keyword and value, with their columns. */
struct rp_line {
	unsigned int	 line;
	const char	*kw;
	unsigned int	 kwcol;
	const char	*val;		/* trimmed, may be "" */
	unsigned int	 valcol;
};

/* A value kept until the end of its block, with where it was written. */
struct rp_src {
	char		*text;
	unsigned int	 line;
	unsigned int	 col;
};

/* The rule block being read. */
struct rp_rule {
	struct rp_src	  id, field, meta, pattern, unless, flags, in_list;
	struct rp_src	  not_in_list, brand, score, group, explain[2];
	struct rp_src	  evidence;
	struct rs_expect *expects;
	size_t		  nexpects;
	unsigned int	  expect_line;	/* first expect line, for errors */
	int		  bad;		/* bad or duplicate id: not added */
};

struct rp_parse {
	struct ruleset		*rs;
	const char		*file;
	struct diag		*d;
	unsigned int		 errors;
	int			 stop;		/* fatal: read no further */

	struct rulepack_pack	 pk;		/* what was read so far */
	unsigned int		 name_line;	/* of the "pack" line */
	int			 have_version;
	int			 have_requires;
	int			 seen_block;

	enum rp_block		 block;		/* the open block */
	unsigned int		 block_line;
	unsigned int		 block_col;
	struct rp_rule		 rr;
	struct rs_brand		*brand;
	struct rp_src		 brand_match;
	int			 brand_bad;
	struct rs_list		*list;
};

static void	rp_error(struct rp_parse *, unsigned int, unsigned int,
		    const char *, ...) SAGI_PRINTFLIKE(4, 5);
static int	rp_meta_or(struct rp_parse *, struct meta *, const char *,
		    size_t *, const struct rp_src *, int);

static void
rp_error(struct rp_parse *p, unsigned int line, unsigned int col,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->stop)
		return;
	p->errors++;
	if (p->d != NULL) {
		va_start(ap, fmt);
		msg = xvasprintf(fmt, ap);
		va_end(ap);
		diag_add(p->d, p->file, line, col, "%s", msg);
		free(msg);
	}
	if (p->errors >= RP_MAX_ERRORS) {
		if (p->d != NULL)
			diag_add(p->d, p->file, line, 0,
			    "too many errors, pack skipped");
		p->stop = 1;
	}
}

/* 1 when s is non-empty, starts with a byte of first, goes on with rest. */
static int
rp_valid_name(const char *s, const char *first, const char *rest)
{
	if (*s == '\0' || strchr(first, *s) == NULL)
		return 0;
	for (s++; *s != '\0'; s++) {
		if (strchr(rest, *s) == NULL)
			return 0;
	}
	return 1;
}

/*
 * Decimal number: [-]digits[.digits], at most 7 integer and 3 fraction
 * digits.  Written by hand: strtod follows the locale and accepts hex,
 * "inf" and "nan".
 */
static int
rp_number(const char *s, int neg_ok, int frac_ok, double *out)
{
	double	 v = 0, scale = 1;
	int	 neg = 0, ni = 0, nf = 0;

	if (*s == '-' && neg_ok) {
		neg = 1;
		s++;
	}
	for (; *s >= '0' && *s <= '9'; s++, ni++)
		v = v * 10 + (*s - '0');
	if (*s == '.' && frac_ok) {
		for (s++; *s >= '0' && *s <= '9'; s++, nf++) {
			scale /= 10;
			v += (*s - '0') * scale;
		}
		if (nf == 0)
			return -1;
	}
	if (*s != '\0' || ni == 0 || ni > 7 || nf > 3)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/* Next blank-separated token of *sp: its start (NULL at the end), length. */
static const char *
rp_token(const char **sp, size_t *len)
{
	const char	*s = *sp, *t;

	while (RP_BLANK(*s))
		s++;
	if (*s == '\0') {
		*sp = s;
		return NULL;
	}
	t = s;
	while (*s != '\0' && !RP_BLANK(*s))
		s++;
	*len = (size_t)(s - t);
	*sp = s;
	return t;
}

static void
rp_src_set(struct rp_parse *p, struct rp_src *s, const struct rp_line *l)
{
	if (s->text != NULL) {
		rp_error(p, l->line, l->kwcol, "duplicate \"%s\"", l->kw);
		return;
	}
	s->text = xstrdup(l->val);
	s->line = l->line;
	s->col = l->valcol;
}

static void
rp_src_free(struct rp_src *s)
{
	free(s->text);
	s->text = NULL;
}

static void
rp_add_fix(struct rp_parse *p, struct rule *r, enum rulepack_fix_kind kind,
    const struct rp_src *s)
{
	struct rulepack_fix	*f;

	p->pk.fixes = xreallocarray(p->pk.fixes, p->pk.nfixes + 1,
	    sizeof *p->pk.fixes);
	f = &p->pk.fixes[p->pk.nfixes++];
	f->r = r;
	f->kind = kind;
	f->name = xstrdup(s->text);
	f->line = s->line;
	f->col = s->col;
}

static void
rp_add_expect(struct rs_expect **v, size_t *n, const struct rp_line *l)
{
	struct rs_expect	*e;

	*v = xreallocarray(*v, *n + 1, sizeof **v);
	e = &(*v)[(*n)++];
	e->text = xstrdup(l->val);
	e->line = l->line;
	e->want = strcmp(l->kw, "expect-match") == 0;
}

/* ---- patterns, flags, templates ---- */

static pcre2_code *
rp_compile(struct rp_parse *p, const struct rp_src *s, uint32_t opts)
{
	pcre2_code	*re;
	PCRE2_UCHAR	 msg[256];
	PCRE2_SIZE	 off;
	int		 err;

	re = pcre2_compile((PCRE2_SPTR)s->text, PCRE2_ZERO_TERMINATED,
	    opts | PCRE2_UTF | PCRE2_UCP, &err, &off, p->rs->cctx);
	if (re == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		rp_error(p, s->line, s->col + (unsigned int)off, "pattern: %s",
		    (const char *)msg);
		return NULL;
	}
	/* JIT only makes it faster: failing to JIT-compile is not an error. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

static uint32_t
rp_flags(struct rp_parse *p, const struct rp_src *s)
{
	uint32_t	 opts = 0;
	const char	*c;

	for (c = s->text; *c != '\0'; c++) {
		switch (*c) {
		case 'i':
			opts |= PCRE2_CASELESS;
			break;
		case 's':
			opts |= PCRE2_DOTALL;
			break;
		case 'm':
			opts |= PCRE2_MULTILINE;
			break;
		case 'x':
			opts |= PCRE2_EXTENDED;
			break;
		default:
			rp_error(p, s->line,
			    s->col + (unsigned int)(c - s->text),
			    "bad flags \"%s\"", s->text);
			return opts;
		}
	}
	return opts;
}

static void
rp_tmpl_add(struct tmpl *t, enum tmpl_kind kind, const char *text, size_t len)
{
	struct tmpl_part	*tp;

	t->parts = xreallocarray(t->parts, t->nparts + 1, sizeof *t->parts);
	tp = &t->parts[t->nparts++];
	tp->kind = kind;
	tp->text = xstrndup(text, len);
	tp->len = len;
}

/* The kind of placeholder name for a rule on fact (-1: meta rule). */
static int
rp_tmpl_kind(int fact, int meta, const char *name, enum tmpl_kind *kind)
{
	static const struct {
		const char	*name;
		enum tmpl_kind	 kind;
		int		 field, meta;
	} fixed[] = {
		{ "value", TMPL_VALUE, 1, 0 },
		{ "match", TMPL_MATCH, 1, 0 },
		{ "brand", TMPL_BRAND, 1, 1 },
		{ "brand_name", TMPL_BRAND_NAME, 1, 1 },
		{ "count", TMPL_COUNT, 1, 0 },
		{ "evidence", TMPL_EVIDENCE, 0, 1 },
	};
	size_t	 i;

	for (i = 0; i < SAGI_NITEMS(fixed); i++) {
		if (strcmp(fixed[i].name, name) != 0)
			continue;
		if (meta ? !fixed[i].meta : !fixed[i].field)
			return -1;
		*kind = fixed[i].kind;
		return 0;
	}
	if (meta)
		return -1;
	*kind = TMPL_VAR;
	/* An unknown fact was reported already: accept its variables. */
	if (fact < 0 || facts_has_var((enum fact_id)fact, name))
		return 0;
	return -1;
}

/* Compiles an explain or evidence template; "{{" is a literal "{". */
static void
rp_tmpl(struct rp_parse *p, const struct rp_src *s, int fact, int meta,
    struct tmpl *t)
{
	const char	*text = s->text, *lit, *end;
	struct buf	 b;
	enum tmpl_kind	 kind;
	char		*name;
	size_t		 i = 0;
	unsigned int	 col;

	buf_init(&b);
	while (text[i] != '\0') {
		if (text[i] != '{') {
			lit = text + i;
			while (text[i] != '\0' && text[i] != '{')
				i++;
			buf_add(&b, lit, (size_t)(text + i - lit));
			continue;
		}
		if (text[i + 1] == '{') {
			buf_addc(&b, '{');
			i += 2;
			continue;
		}
		col = s->col + (unsigned int)i;
		end = strchr(text + i, '}');
		if (end == NULL) {
			rp_error(p, s->line, col, "unterminated placeholder");
			break;
		}
		name = xstrndup(text + i + 1, (size_t)(end - text - i - 1));
		if (rp_tmpl_kind(fact, meta, name, &kind) != 0)
			rp_error(p, s->line, col,
			    "unknown placeholder \"{%s}\"", name);
		else {
			if (b.len != 0)
				rp_tmpl_add(t, TMPL_TEXT, b.data, b.len);
			buf_reset(&b);
			rp_tmpl_add(t, kind, name, strlen(name));
		}
		free(name);
		i = (size_t)(end - text) + 1;
	}
	if (b.len != 0)
		rp_tmpl_add(t, TMPL_TEXT, b.data, b.len);
	buf_free(&b);
}

/* ---- meta expressions: or := and {"||" and}; and := not {"&&" not} ---- */

static void
rp_meta_skip(const char *s, size_t *pos)
{
	while (RP_BLANK(s[*pos]))
		(*pos)++;
}

static int
rp_meta_node(struct meta *m, enum meta_op op, int a, int b)
{
	struct meta_node	*n;

	m->nodes = xreallocarray(m->nodes, m->n + 1, sizeof *m->nodes);
	n = &m->nodes[m->n];
	memset(n, 0, sizeof *n);
	n->op = op;
	n->a = a;
	n->b = b;
	return (int)m->n++;
}

static int
rp_meta_syntax(struct rp_parse *p, const struct rp_src *src, const char *s,
    size_t pos)
{
	size_t	 len = 0;

	if (s[pos] == '\0') {
		rp_error(p, src->line, src->col + (unsigned int)pos,
		    "meta: unexpected end of expression");
		return -1;
	}
	while (s[pos + len] != '\0' && !RP_BLANK(s[pos + len]) && len < 32)
		len++;
	rp_error(p, src->line, src->col + (unsigned int)pos,
	    "meta: syntax error near \"%.*s\"", (int)len, s + pos);
	return -1;
}

static int
rp_meta_unary(struct rp_parse *p, struct meta *m, const char *s, size_t *pos,
    const struct rp_src *src, int depth)
{
	const char	*idch = RP_LOWER "_-";
	size_t		 start;
	int		 a, slash = 0;

	rp_meta_skip(s, pos);
	if (depth > RP_MAX_NESTING) {
		rp_error(p, src->line, src->col + (unsigned int)*pos,
		    "meta: expression nested too deeply");
		return -1;
	}
	if (s[*pos] == '!') {
		(*pos)++;
		if ((a = rp_meta_unary(p, m, s, pos, src, depth + 1)) < 0)
			return -1;
		return rp_meta_node(m, META_NOT, a, -1);
	}
	if (s[*pos] == '(') {
		(*pos)++;
		if ((a = rp_meta_or(p, m, s, pos, src, depth + 1)) < 0)
			return -1;
		rp_meta_skip(s, pos);
		if (s[*pos] != ')')
			return rp_meta_syntax(p, src, s, *pos);
		(*pos)++;
		return a;
	}
	start = *pos;
	while (s[*pos] != '\0' && (strchr(idch, s[*pos]) != NULL ||
	    (s[*pos] == '/' && !slash && *pos > start))) {
		if (s[*pos] == '/')
			slash = 1;
		(*pos)++;
	}
	if (*pos == start || s[*pos - 1] == '/')
		return rp_meta_syntax(p, src, s, start);
	a = rp_meta_node(m, META_REF, -1, -1);
	m->nodes[a].refname = xstrndup(s + start, *pos - start);
	m->nodes[a].col = src->col + (unsigned int)start;
	return a;
}

static int
rp_meta_and(struct rp_parse *p, struct meta *m, const char *s, size_t *pos,
    const struct rp_src *src, int depth)
{
	int	 a, b;

	if ((a = rp_meta_unary(p, m, s, pos, src, depth)) < 0)
		return -1;
	for (;;) {
		rp_meta_skip(s, pos);
		if (s[*pos] != '&' || s[*pos + 1] != '&')
			return a;
		*pos += 2;
		if ((b = rp_meta_unary(p, m, s, pos, src, depth)) < 0)
			return -1;
		a = rp_meta_node(m, META_AND, a, b);
	}
}

static int
rp_meta_or(struct rp_parse *p, struct meta *m, const char *s, size_t *pos,
    const struct rp_src *src, int depth)
{
	int	 a, b;

	if ((a = rp_meta_and(p, m, s, pos, src, depth)) < 0)
		return -1;
	for (;;) {
		rp_meta_skip(s, pos);
		if (s[*pos] != '|' || s[*pos + 1] != '|')
			return a;
		*pos += 2;
		if ((b = rp_meta_and(p, m, s, pos, src, depth)) < 0)
			return -1;
		a = rp_meta_node(m, META_OR, a, b);
	}
}

static void
rp_meta(struct rp_parse *p, const struct rp_src *src, struct meta *m)
{
	size_t	 pos = 0;
	int	 root;

	root = rp_meta_or(p, m, src->text, &pos, src, 0);
	if (root < 0)
		return;
	rp_meta_skip(src->text, &pos);
	if (src->text[pos] != '\0') {
		rp_meta_syntax(p, src, src->text, pos);
		return;
	}
	m->root = root;
}

/* ---- rule blocks ---- */

static struct rule *
rp_find_rule(struct rule **rules, size_t n, const char *name, int full)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (strcmp(full ? rules[i]->id : rules[i]->name, name) == 0)
			return rules[i];
	}
	return NULL;
}

static void
rp_rule_open(struct rp_parse *p, const struct rp_line *l)
{
	struct rp_rule	*rr = &p->rr;

	memset(rr, 0, sizeof *rr);
	rr->id.text = xstrdup(l->val);
	rr->id.line = l->line;
	rr->id.col = l->valcol;
	if (!rp_valid_name(l->val, RP_LOWER "_", RP_LOWER "_-")) {
		rp_error(p, l->line, l->valcol, "bad rule id \"%s\"", l->val);
		rr->bad = 1;
	} else if (rp_find_rule(p->pk.rules, p->pk.nrules, l->val, 0) != NULL) {
		rp_error(p, l->line, l->valcol, "duplicate rule id \"%s\"",
		    l->val);
		rr->bad = 1;
	}
}

static void
rp_rule_key(struct rp_parse *p, const struct rp_line *l)
{
	static const struct {
		const char	*kw;
		size_t		 off;
	} keys[] = {
		{ "field", offsetof(struct rp_rule, field) },
		{ "meta", offsetof(struct rp_rule, meta) },
		{ "pattern", offsetof(struct rp_rule, pattern) },
		{ "unless", offsetof(struct rp_rule, unless) },
		{ "flags", offsetof(struct rp_rule, flags) },
		{ "in-list", offsetof(struct rp_rule, in_list) },
		{ "not-in-list", offsetof(struct rp_rule, not_in_list) },
		{ "brand", offsetof(struct rp_rule, brand) },
		{ "score", offsetof(struct rp_rule, score) },
		{ "group", offsetof(struct rp_rule, group) },
		{ "explain-ja", offsetof(struct rp_rule, explain[VERDICT_JA]) },
		{ "explain-en", offsetof(struct rp_rule, explain[VERDICT_EN]) },
		{ "evidence", offsetof(struct rp_rule, evidence) },
	};
	struct rp_rule	*rr = &p->rr;
	size_t		 i;

	if (strncmp(l->kw, "expect-", 7) == 0) {
		if (rr->nexpects == 0)
			rr->expect_line = l->line;
		rp_add_expect(&rr->expects, &rr->nexpects, l);
		return;
	}
	for (i = 0; i < SAGI_NITEMS(keys); i++) {
		if (strcmp(keys[i].kw, l->kw) == 0) {
			rp_src_set(p,
			    (struct rp_src *)((char *)rr + keys[i].off), l);
			return;
		}
	}
}

/* Keys that only make sense with a field: an error each on a meta rule. */
static void
rp_rule_meta_only(struct rp_parse *p, struct rp_rule *rr)
{
	const struct rp_src	*s[] = {
		&rr->pattern, &rr->unless, &rr->flags, &rr->in_list,
		&rr->not_in_list
	};
	const char		*kw[] = {
		"pattern", "unless", "flags", "in-list", "not-in-list"
	};
	size_t			 i;

	for (i = 0; i < SAGI_NITEMS(s); i++) {
		if (s[i]->text != NULL)
			rp_error(p, s[i]->line, 1, "\"%s\" needs \"field\"",
			    kw[i]);
	}
}

static void
rp_rule_field(struct rp_parse *p, struct rp_rule *rr, struct rule *r)
{
	uint32_t	 opts = 0;

	r->fact = facts_lookup(rr->field.text);
	if (r->fact < 0)
		rp_error(p, rr->field.line, rr->field.col,
		    "unknown fact \"%s\"", rr->field.text);
	if (rr->flags.text != NULL)
		opts = rp_flags(p, &rr->flags);
	if (rr->pattern.text != NULL) {
		/* The offset limit lets the engine search windows only. */
		r->pattern = rp_compile(p, &rr->pattern,
		    opts | PCRE2_USE_OFFSET_LIMIT);
		if (r->pattern != NULL)
			(void)prefilter_required(rr->pattern.text,
			    ((opts & PCRE2_CASELESS) ? PREFILTER_CASELESS : 0) |
			    ((opts & PCRE2_EXTENDED) ? PREFILTER_EXTENDED : 0),
			    &r->req);
	}
	if (rr->unless.text != NULL)
		r->unless = rp_compile(p, &rr->unless, opts);
	if (rr->in_list.text != NULL)
		rp_add_fix(p, r, RULEPACK_FIX_IN_LIST, &rr->in_list);
	if (rr->not_in_list.text != NULL)
		rp_add_fix(p, r, RULEPACK_FIX_NOT_IN_LIST, &rr->not_in_list);
	if (rr->nexpects != 0 && rr->pattern.text == NULL &&
	    rr->unless.text == NULL && rr->in_list.text == NULL &&
	    rr->not_in_list.text == NULL)
		rp_error(p, rr->expect_line, 1,
		    "expect lines need \"pattern\", \"unless\" or a list");
}

static void
rp_rule_score(struct rp_parse *p, struct rp_rule *rr, struct rule *r)
{
	if (rr->score.text == NULL) {
		if (!r->helper)
			rp_error(p, rr->id.line, 1, "missing \"score\" in rule "
			    "\"%s\"", rr->id.text);
		return;
	}
	if (rp_number(rr->score.text, 1, 1, &r->score) != 0 ||
	    r->score > RP_MAX_SCORE || r->score < -RP_MAX_SCORE) {
		rp_error(p, rr->score.line, rr->score.col, "bad number \"%s\"",
		    rr->score.text);
		return;
	}
	if (r->helper && r->score != 0)
		rp_error(p, rr->score.line, rr->score.col,
		    "helper rule \"%s\" must have score 0", rr->id.text);
}

static void
rp_rule_text(struct rp_parse *p, struct rp_rule *rr, struct rule *r)
{
	static const char *const kw[2] = { "explain-en", "explain-ja" };
	int			 meta = rr->field.text == NULL &&
				    rr->meta.text != NULL;
	int			 i;

	for (i = 0; i < 2; i++) {
		if (rr->explain[i].text != NULL)
			rp_tmpl(p, &rr->explain[i], r->fact, meta,
			    &r->explain[i]);
		else if (!r->helper)
			rp_error(p, rr->id.line, 1, "missing \"%s\" in rule "
			    "\"%s\"", kw[i], rr->id.text);
	}
	if (rr->evidence.text != NULL) {
		rp_tmpl(p, &rr->evidence, r->fact, meta, &r->evidence);
		r->has_evidence = 1;
	}
}

static void
rp_rule_gate(struct rp_parse *p, struct rp_rule *rr, struct rule *r)
{
	if (rr->brand.text == NULL)
		return;
	if (strcmp(rr->brand.text, "any") == 0) {
		r->gate = RULE_GATE_ANY;
		return;
	}
	if (!rp_valid_name(rr->brand.text, RP_LOWER, RP_LOWER "-")) {
		rp_error(p, rr->brand.line, rr->brand.col,
		    "bad brand id \"%s\"", rr->brand.text);
		return;
	}
	r->gate = RULE_GATE_BRAND;
	r->gate_brand = xstrdup(rr->brand.text);
	rp_add_fix(p, r, RULEPACK_FIX_BRAND, &rr->brand);
}

static void
rp_rule_finish(struct rp_parse *p)
{
	struct rp_rule	*rr = &p->rr;
	struct rule	*r;
	size_t		 i;

	r = xcalloc(1, sizeof *r);
	r->id = xasprintf("%s/%s", p->pk.name, rr->id.text);
	r->name = r->id + strlen(p->pk.name) + 1;
	r->line = rr->id.line;
	r->helper = rr->id.text[0] == '_';
	r->fact = -1;
	r->meta.root = -1;
	r->group_idx = -1;
	r->idx = p->pk.nrules;

	if (rr->field.text != NULL && rr->meta.text != NULL)
		rp_error(p, rr->meta.line, 1,
		    "\"field\" and \"meta\" are exclusive");
	else if (rr->field.text == NULL && rr->meta.text == NULL)
		rp_error(p, rr->id.line, 1, "missing \"field\" or \"meta\" in "
		    "rule \"%s\"", rr->id.text);
	if (rr->field.text != NULL)
		rp_rule_field(p, rr, r);
	else if (rr->meta.text != NULL) {
		rp_rule_meta_only(p, rr);
		if (rr->nexpects != 0)
			rp_error(p, rr->expect_line, 1,
			    "expect lines need \"pattern\", \"unless\" or a "
			    "list");
		rp_meta(p, &rr->meta, &r->meta);
		if (r->meta.root >= 0)
			rp_add_fix(p, r, RULEPACK_FIX_META, &rr->meta);
	}
	rp_rule_gate(p, rr, r);
	rp_rule_score(p, rr, r);
	if (rr->group.text != NULL) {
		if (!rp_valid_name(rr->group.text, RP_LOWER "_",
		    RP_LOWER "_.-"))
			rp_error(p, rr->group.line, rr->group.col,
			    "bad group name \"%s\"", rr->group.text);
		r->group = xstrdup(rr->group.text);
	}
	rp_rule_text(p, rr, r);
	r->expects = rr->expects;
	r->nexpects = rr->nexpects;
	rr->expects = NULL;
	rr->nexpects = 0;

	if (rr->bad) {
		/* Drop fixes that point at the rule about to go. */
		for (i = 0; i < p->pk.nfixes; i++) {
			if (p->pk.fixes[i].r == r)
				p->pk.fixes[i].r = NULL;
		}
		rulepack_rule_free(r);
	} else {
		p->pk.rules = xreallocarray(p->pk.rules, p->pk.nrules + 1,
		    sizeof *p->pk.rules);
		p->pk.rules[p->pk.nrules++] = r;
	}
}

static void
rp_rule_discard(struct rp_rule *rr)
{
	struct rp_src	*s[] = {
		&rr->id, &rr->field, &rr->meta, &rr->pattern, &rr->unless,
		&rr->flags, &rr->in_list, &rr->not_in_list, &rr->brand,
		&rr->score, &rr->group, &rr->explain[0], &rr->explain[1],
		&rr->evidence
	};
	size_t		 i;

	for (i = 0; i < SAGI_NITEMS(s); i++)
		rp_src_free(s[i]);
	for (i = 0; i < rr->nexpects; i++)
		free(rr->expects[i].text);
	free(rr->expects);
	memset(rr, 0, sizeof *rr);
}

/* ---- brand blocks ---- */

static struct rs_brand *
rp_find_brand(struct rs_brand **brands, size_t n, const char *id)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (strcmp(brands[i]->pub.id, id) == 0)
			return brands[i];
	}
	return NULL;
}

static void
rp_brand_open(struct rp_parse *p, const struct rp_line *l)
{
	p->brand = xcalloc(1, sizeof *p->brand);
	p->brand->pub.id = xstrdup(l->val);
	p->brand->line = l->line;
	p->brand_bad = 0;
	if (!rp_valid_name(l->val, RP_LOWER, RP_LOWER "-")) {
		rp_error(p, l->line, l->valcol, "bad brand id \"%s\"", l->val);
		p->brand_bad = 1;
	} else if (rp_find_brand(p->pk.brands, p->pk.nbrands, l->val) != NULL ||
	    rp_find_brand(p->rs->brands, p->rs->nbrands, l->val) != NULL) {
		rp_error(p, l->line, l->valcol, "duplicate brand id \"%s\"",
		    l->val);
		p->brand_bad = 1;
	}
}

/* Appends the lower-cased tokens of a token/domains line to *v. */
static void
rp_brand_words(struct rp_parse *p, const struct rp_line *l, const char *ok,
    char ***v, size_t *n)
{
	const char	*s = l->val, *t;
	char		*w;
	size_t		 len, i;

	while ((t = rp_token(&s, &len)) != NULL) {
		w = xstrndup(t, len);
		for (i = 0; i < len; i++) {
			if (w[i] >= 'A' && w[i] <= 'Z')
				w[i] += 'a' - 'A';
		}
		if (!rp_valid_name(w, ok, ok)) {
			rp_error(p, l->line,
			    l->valcol + (unsigned int)(t - l->val),
			    "bad %s \"%s\"", l->kw, w);
			free(w);
			continue;
		}
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[(*n)++] = w;
	}
}

/* check-* and victim-* lines: repeated ones are joined with "\n". */
static void
rp_brand_join(char **dst, const char *val)
{
	char	*old = *dst;

	if (old == NULL)
		*dst = xstrdup(val);
	else {
		*dst = xasprintf("%s\n%s", old, val);
		free(old);
	}
}

static void
rp_brand_key(struct rp_parse *p, const struct rp_line *l)
{
	struct brand	*b = &p->brand->pub;
	const char	*kw = l->kw;

	if (strcmp(kw, "name") == 0) {
		if (b->name != NULL)
			rp_error(p, l->line, l->kwcol, "duplicate \"name\"");
		else
			b->name = xstrdup(l->val);
	} else if (strcmp(kw, "match") == 0)
		rp_src_set(p, &p->brand_match, l);
	else if (strcmp(kw, "token") == 0)
		rp_brand_words(p, l, RP_LOWER "-", &b->tokens, &b->ntokens);
	else if (strcmp(kw, "domains") == 0)
		rp_brand_words(p, l, RP_LOWER ".-", &b->domains, &b->ndomains);
	else if (strcmp(kw, "check-ja") == 0)
		rp_brand_join(&b->check[VERDICT_JA], l->val);
	else if (strcmp(kw, "check-en") == 0)
		rp_brand_join(&b->check[VERDICT_EN], l->val);
	else if (strcmp(kw, "victim-ja") == 0)
		rp_brand_join(&b->victim[VERDICT_JA], l->val);
	else if (strcmp(kw, "victim-en") == 0)
		rp_brand_join(&b->victim[VERDICT_EN], l->val);
	else
		rp_add_expect(&p->brand->expects, &p->brand->nexpects, l);
}

static void
rp_brand_finish(struct rp_parse *p)
{
	struct rs_brand	*rb = p->brand;
	const char	*id = rb->pub.id;
	size_t		 i;

	if (rb->pub.name == NULL)
		rp_error(p, rb->line, 1, "missing \"name\" in brand \"%s\"",
		    id);
	if (p->brand_match.text == NULL)
		rp_error(p, rb->line, 1, "missing \"match\" in brand \"%s\"",
		    id);
	else
		rb->pub.match_re = rp_compile(p, &p->brand_match,
		    PCRE2_CASELESS);
	if (rb->pub.match_re != NULL)
		(void)prefilter_required(p->brand_match.text,
		    PREFILTER_CASELESS | PREFILTER_FOLDED, &rb->req);
	if (rb->pub.ndomains == 0)
		rp_error(p, rb->line, 1, "missing \"domains\" in brand \"%s\"",
		    id);
	rp_src_free(&p->brand_match);
	rb->mctx = p->rs->mctx;
	rb->domain_lens = xcalloc(rb->pub.ndomains + 1,
	    sizeof *rb->domain_lens);
	for (i = 0; i < rb->pub.ndomains; i++)
		rb->domain_lens[i] = strlen(rb->pub.domains[i]);
	p->brand = NULL;
	if (p->brand_bad) {
		rulepack_brand_free(rb);
		return;
	}
	p->pk.brands = xreallocarray(p->pk.brands, p->pk.nbrands + 1,
	    sizeof *p->pk.brands);
	p->pk.brands[p->pk.nbrands++] = rb;
}

/* ---- list blocks ---- */

static void
rp_list_open(struct rp_parse *p, const struct rp_line *l)
{
	p->list = NULL;
	if (!rp_valid_name(l->val, RP_LOWER "_", RP_LOWER "_.-")) {
		rp_error(p, l->line, l->valcol, "bad list name \"%s\"", l->val);
		return;		/* the block is still read, into nothing */
	}
	p->list = rulepack_list_find(p->pk.lists, p->pk.nlists, l->val);
	if (p->list != NULL)
		return;
	p->list = rulepack_list_new(l->val);
	p->pk.lists = xreallocarray(p->pk.lists, p->pk.nlists + 1,
	    sizeof *p->pk.lists);
	p->pk.lists[p->pk.nlists++] = p->list;
}

/* A line inside a list block: entries, or "end". */
static void
rp_list_line(struct rp_parse *p, unsigned int line, const char *s)
{
	const char	*start = s, *t;
	size_t		 len;

	t = rp_token(&s, &len);
	if (t != NULL && len == 3 && memcmp(t, "end", 3) == 0) {
		if ((t = rp_token(&s, &len)) != NULL)
			rp_error(p, line, (unsigned int)(t - start) + 1,
			    "unexpected \"%.*s\" after \"end\"", (int)len, t);
		p->block = RP_NONE;
		p->list = NULL;
		return;
	}
	for (; t != NULL; t = rp_token(&s, &len)) {
		if (p->list != NULL)
			rulepack_list_add(p->list, t, len);
	}
}

/* ---- directives ---- */

static void
rp_header_pack(struct rp_parse *p, const struct rp_line *l)
{
	size_t	 i;

	if (p->pk.name != NULL) {
		rp_error(p, l->line, l->kwcol, "duplicate \"pack\"");
		return;
	}
	p->pk.name = xstrdup(l->val);
	p->name_line = l->line;
	if (!rp_valid_name(l->val, RP_LOWER, RP_LOWER "-")) {
		rp_error(p, l->line, l->valcol, "bad pack name \"%s\"", l->val);
		return;
	}
	for (i = 0; i < p->rs->npacks; i++) {
		if (strcmp(p->rs->packs[i].name, l->val) == 0)
			rp_error(p, l->line, l->valcol, "duplicate pack \"%s\"",
			    l->val);
	}
}

static void
rp_header(struct rp_parse *p, const struct rp_line *l)
{
	const char		*s = l->val, *t, *n;
	size_t			 tlen, nlen;
	double			 num;
	unsigned int		 col;
	struct rulepack_cap	*c;

	if (strcmp(l->kw, "pack") == 0) {
		rp_header_pack(p, l);
		return;
	}
	if (p->seen_block) {
		rp_error(p, l->line, l->kwcol, "\"%s\" outside the pack header",
		    l->kw);
		return;
	}
	if (strcmp(l->kw, "version") == 0) {
		if (p->have_version)
			rp_error(p, l->line, l->kwcol, "duplicate \"version\"");
		else if (rp_number(l->val, 0, 0, &num) != 0 || num < 1)
			rp_error(p, l->line, l->valcol, "bad number \"%s\"",
			    l->val);
		else
			p->pk.version = (long)num;
		p->have_version = 1;
		return;
	}
	t = rp_token(&s, &tlen);
	n = rp_token(&s, &nlen);
	if (strcmp(l->kw, "requires") == 0) {
		p->have_requires = 1;
		if (t == NULL || n == NULL || tlen != 10 ||
		    memcmp(t, "sagi-rules", 10) != 0 || *s != '\0') {
			rp_error(p, l->line, l->valcol,
			    "expected \"requires sagi-rules N\"");
			return;
		}
		col = l->valcol + (unsigned int)(n - l->val);
		if (rp_number(n, 0, 0, &num) != 0 || num < 1) {
			rp_error(p, l->line, col, "bad number \"%s\"", n);
			return;
		}
		if (num > SAGI_RULES_LANGUAGE) {
			rp_error(p, l->line, col,
			    "requires sagi-rules %ld, newer than %d", (long)num,
			    SAGI_RULES_LANGUAGE);
			p->stop = 1;	/* the rest is in a newer language */
		}
		return;
	}
	/* cap GROUP POINTS */
	if (t == NULL || n == NULL || *s != '\0') {
		rp_error(p, l->line, l->valcol,
		    "expected \"cap GROUP POINTS\"");
		return;
	}
	p->pk.caps = xreallocarray(p->pk.caps, p->pk.ncaps + 1,
	    sizeof *p->pk.caps);
	c = &p->pk.caps[p->pk.ncaps];
	c->group = xstrndup(t, tlen);
	if (!rp_valid_name(c->group, RP_LOWER "_", RP_LOWER "_.-")) {
		rp_error(p, l->line, l->valcol, "bad group name \"%s\"",
		    c->group);
		free(c->group);
		return;
	}
	if (rp_number(n, 0, 1, &c->points) != 0 || c->points <= 0 ||
	    c->points > RP_MAX_SCORE) {
		rp_error(p, l->line, l->valcol + (unsigned int)(n - l->val),
		    "bad number \"%s\"", n);
		free(c->group);
		return;
	}
	p->pk.ncaps++;
}

static void
rp_close(struct rp_parse *p)
{
	switch (p->block) {
	case RP_RULE:
		rp_rule_finish(p);
		rp_rule_discard(&p->rr);
		break;
	case RP_BRAND:
		rp_brand_finish(p);
		break;
	case RP_LIST:
		p->list = NULL;
		break;
	case RP_NONE:
		break;
	}
	p->block = RP_NONE;
}

static void
rp_open(struct rp_parse *p, const struct rp_line *l)
{
	if (*l->val == '\0') {
		rp_error(p, l->line, l->kwcol, "missing value for \"%s\"",
		    l->kw);
		return;
	}
	p->seen_block = 1;
	p->block_line = l->line;
	p->block_col = l->kwcol;
	if (strcmp(l->kw, "rule") == 0) {
		p->block = RP_RULE;
		rp_rule_open(p, l);
	} else if (strcmp(l->kw, "brand") == 0) {
		p->block = RP_BRAND;
		rp_brand_open(p, l);
	} else {
		p->block = RP_LIST;
		rp_list_open(p, l);
	}
}

static const char *
rp_home_name(enum rp_home home)
{
	switch (home) {
	case RP_INRULE:
		return "a rule block";
	case RP_INBRAND:
		return "a brand block";
	case RP_INBOTH:
		return "a rule or brand block";
	default:
		return "the pack header";
	}
}

static void
rp_directive(struct rp_parse *p, const struct rp_line *l)
{
	static const char *const bname[] = { "", "rule", "brand", "list" };
	enum rp_home		 home;
	size_t			 i;

	for (i = 0; i < SAGI_NITEMS(rp_keywords); i++) {
		if (strcmp(rp_keywords[i].kw, l->kw) == 0)
			break;
	}
	if (i == SAGI_NITEMS(rp_keywords)) {
		rp_error(p, l->line, l->kwcol, "unknown keyword \"%s\"", l->kw);
		return;
	}
	home = rp_keywords[i].home;
	if (p->pk.name == NULL && strcmp(l->kw, "pack") != 0) {
		rp_error(p, l->line, l->kwcol, "missing \"pack\" line");
		p->stop = 1;
		return;
	}
	if (home == RP_END) {
		if (p->block == RP_NONE)
			rp_error(p, l->line, l->kwcol,
			    "\"end\" outside a block");
		else if (*l->val != '\0')
			rp_error(p, l->line, l->valcol,
			    "unexpected \"%s\" after \"end\"", l->val);
		rp_close(p);
		return;
	}
	if (p->block == RP_RULE && strcmp(l->kw, "brand") == 0)
		home = RP_INRULE;	/* the brand gate, not a brand block */
	if (home == RP_OPEN) {
		if (p->block != RP_NONE) {
			rp_error(p, l->line, l->kwcol,
			    "\"%s\" inside a %s block: missing \"end\"", l->kw,
			    bname[p->block]);
			rp_close(p);
		}
		rp_open(p, l);
		return;
	}
	if (home == RP_HEADER) {
		if (p->block != RP_NONE)
			rp_error(p, l->line, l->kwcol,
			    "\"%s\" outside the pack header", l->kw);
		else
			rp_header(p, l);
		return;
	}
	if ((p->block == RP_RULE && home == RP_INBRAND) ||
	    (p->block == RP_BRAND && home == RP_INRULE) ||
	    p->block == RP_NONE) {
		rp_error(p, l->line, l->kwcol, "\"%s\" outside %s", l->kw,
		    rp_home_name(home));
		return;
	}
	if (*l->val == '\0') {
		rp_error(p, l->line, l->kwcol, "missing value for \"%s\"",
		    l->kw);
		return;
	}
	if (p->block == RP_RULE)
		rp_rule_key(p, l);
	else
		rp_brand_key(p, l);
}

/* Splits one line (NUL-terminated, no newline) into a directive. */
static void
rp_line(struct rp_parse *p, unsigned int line, char *s)
{
	struct rp_line	 l;
	char		*kw, *e, *val, *end;

	kw = s;
	while (RP_BLANK(*kw))
		kw++;
	if (*kw == '\0' || *kw == '#')
		return;
	if (p->block == RP_LIST) {
		rp_list_line(p, line, s);
		return;
	}
	for (e = kw; *e != '\0' && !RP_BLANK(*e); e++)
		;
	val = e;
	while (RP_BLANK(*val))
		val++;
	end = val + strlen(val);
	while (end > val && RP_BLANK(end[-1]))
		end--;
	*end = '\0';
	l.line = line;
	l.kw = kw;
	l.kwcol = (unsigned int)(kw - s) + 1;
	l.val = val;
	l.valcol = (unsigned int)(val - s) + 1;
	*e = '\0';	/* after val was found: e may be val when empty */
	rp_directive(p, &l);
}

/* Offset of the first byte that is not well-formed UTF-8, or len. */
static size_t
rp_utf8_check(const unsigned char *s, size_t len)
{
	size_t		 i = 0, n, k;
	unsigned int	 c, min;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			min = 0x10000;
		} else
			return i;
		c &= 0x3f >> n;
		if (len - i - 1 < n)
			return i;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

/* Rejects text the line parser must never see: NUL and bad UTF-8. */
static int
rp_check_bytes(struct rp_parse *p, const char *text, size_t len)
{
	size_t		 bad, i, bol = 0;
	unsigned int	 line = 1;
	const char	*nul;

	bad = rp_utf8_check((const unsigned char *)text, len);
	if ((nul = memchr(text, '\0', len)) != NULL &&
	    (size_t)(nul - text) < bad)
		bad = (size_t)(nul - text);
	if (bad == len)
		return 0;
	for (i = 0; i < bad; i++) {
		if (text[i] == '\n') {
			line++;
			bol = i + 1;
		}
	}
	rp_error(p, line, (unsigned int)(bad - bol) + 1, "%s",
	    text[bad] == '\0' ? "nul byte" : "invalid utf-8");
	return -1;
}

/* ---- end of pack: names, cycles ---- */

static int
rp_is_local(const struct rp_parse *p, const struct rule *r)
{
	return r->idx < p->pk.nrules && p->pk.rules[r->idx] == r;
}

static struct rule *
rp_resolve_ref(struct rp_parse *p, const char *ref)
{
	const char	*slash = strchr(ref, '/');
	size_t		 plen;

	if (slash == NULL)
		return rp_find_rule(p->pk.rules, p->pk.nrules, ref, 0);
	plen = (size_t)(slash - ref);
	if (strlen(p->pk.name) == plen && memcmp(ref, p->pk.name, plen) == 0)
		return rp_find_rule(p->pk.rules, p->pk.nrules, slash + 1, 0);
	return rp_find_rule(p->rs->rules, p->rs->nrules, ref, 1);
}

static void
rp_resolve(struct rp_parse *p, struct rulepack_fix *f)
{
	struct ruleset	*rs = p->rs;
	struct meta	*m;
	size_t		 i;

	switch (f->kind) {
	case RULEPACK_FIX_IN_LIST:
	case RULEPACK_FIX_NOT_IN_LIST:
		if (rulepack_list_find(p->pk.lists, p->pk.nlists,
		    f->name) == NULL &&
		    rulepack_list_find(rs->lists, rs->nlists, f->name) == NULL)
			rp_error(p, f->line, f->col, "unknown list \"%s\"",
			    f->name);
		break;
	case RULEPACK_FIX_BRAND:
		if (rp_find_brand(p->pk.brands, p->pk.nbrands,
		    f->name) == NULL &&
		    rp_find_brand(rs->brands, rs->nbrands, f->name) == NULL)
			rp_error(p, f->line, f->col, "unknown brand \"%s\"",
			    f->name);
		break;
	case RULEPACK_FIX_META:
		m = &f->r->meta;
		for (i = 0; i < m->n; i++) {
			if (m->nodes[i].op != META_REF)
				continue;
			m->nodes[i].ref = rp_resolve_ref(p,
			    m->nodes[i].refname);
			if (m->nodes[i].ref == NULL)
				rp_error(p, f->line, m->nodes[i].col,
				    "meta: unknown rule \"%s\"",
				    m->nodes[i].refname);
		}
		break;
	}
}

/*
 * Length of the longest meta chain below r: -1 on a cycle, -2 when too
 * long.  Rules of earlier packs are finished and cannot reach this pack.
 */
static int
rp_chain(struct rp_parse *p, struct rule *r, unsigned char *state, int level)
{
	size_t	 i;
	int	 d, max = 0;

	if (!rp_is_local(p, r) || r->meta.root < 0)
		return r->meta_depth;
	if (state[r->idx] == 2)
		return r->meta_depth;
	if (state[r->idx] == 1)
		return -1;
	if (level > RP_MAX_CHAIN)
		return -2;
	state[r->idx] = 1;
	for (i = 0; i < r->meta.n; i++) {
		if (r->meta.nodes[i].ref == NULL)
			continue;
		d = rp_chain(p, r->meta.nodes[i].ref, state, level + 1);
		if (d < 0) {
			max = d;
			break;
		}
		if (d + 1 > max)
			max = d + 1;
	}
	state[r->idx] = 2;	/* also after an error: report a cycle once */
	if (max >= 0)
		r->meta_depth = max;
	return max;
}

static void
rp_finish(struct rp_parse *p)
{
	static const char *const bname[] = { "", "rule", "brand", "list" };
	unsigned char		*state;
	struct rulepack_fix	*f;
	size_t			 i;
	int			 d;

	if (p->stop)
		return;
	if (p->pk.name == NULL) {
		rp_error(p, 0, 0, "missing \"pack\" line");
		return;
	}
	if (p->block != RP_NONE) {
		rp_error(p, p->block_line, p->block_col,
		    "unterminated %s block: missing \"end\"", bname[p->block]);
		if (p->block == RP_BRAND) {
			rulepack_brand_free(p->brand);
			p->brand = NULL;
			rp_src_free(&p->brand_match);
		}
		p->block = RP_NONE;
	}
	if (!p->have_version)
		rp_error(p, p->name_line, 1, "missing \"version\"");
	if (!p->have_requires)
		rp_error(p, p->name_line, 1, "missing \"requires\"");
	for (i = 0; i < p->pk.nfixes; i++) {
		if (p->pk.fixes[i].r != NULL)
			rp_resolve(p, &p->pk.fixes[i]);
	}
	if (p->errors != 0)
		return;
	state = xcalloc(p->pk.nrules + 1, 1);
	for (i = 0; i < p->pk.nfixes; i++) {
		f = &p->pk.fixes[i];
		if (f->kind != RULEPACK_FIX_META || f->r == NULL)
			continue;
		d = rp_chain(p, f->r, state, 0);
		if (d == -1)
			rp_error(p, f->line, f->col,
			    "meta: cycle through \"%s\"", f->r->id);
		else if (d == -2)
			rp_error(p, f->line, f->col, "meta: rules refer to "
			    "each other more than %d deep", RP_MAX_CHAIN);
	}
	free(state);
}

void
rulepack_pack_free(struct rulepack_pack *pk)
{
	size_t	 i;

	if (pk == NULL)
		return;
	for (i = 0; i < pk->nrules; i++)
		rulepack_rule_free(pk->rules[i]);
	free(pk->rules);
	for (i = 0; i < pk->nbrands; i++)
		rulepack_brand_free(pk->brands[i]);
	free(pk->brands);
	for (i = 0; i < pk->nlists; i++)
		rulepack_list_free(pk->lists[i]);
	free(pk->lists);
	for (i = 0; i < pk->ncaps; i++)
		free(pk->caps[i].group);
	free(pk->caps);
	for (i = 0; i < pk->nfixes; i++)
		free(pk->fixes[i].name);
	free(pk->fixes);
	free(pk->name);
	memset(pk, 0, sizeof *pk);
}

static void
rp_free(struct rp_parse *p)
{
	rulepack_brand_free(p->brand);
	rp_src_free(&p->brand_match);
	rp_rule_discard(&p->rr);
	rulepack_pack_free(&p->pk);
}

/*
 * Reads one pack.  Returns 0 and fills *pk when the pack has no problem at
 * all; otherwise -1, with a diagnostic per problem added to d (if not NULL).
 */
int
rulepack_parse(struct ruleset *rs, const char *file, const char *text,
    size_t len, struct diag *d, struct rulepack_pack *pk)
{
	struct rp_parse	 p;
	char		*copy, *s, *nl, *end;
	unsigned int	 line = 0;

	memset(pk, 0, sizeof *pk);
	memset(&p, 0, sizeof p);
	p.rs = rs;
	p.file = file;
	p.d = d;
	copy = xmalloc(len + 1);
	if (len != 0)
		memcpy(copy, text, len);
	copy[len] = '\0';
	if (rp_check_bytes(&p, copy, len) == 0) {
		s = copy;
		if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;		/* a byte order mark */
		end = copy + len;
		while (s < end && !p.stop) {
			if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
				nl = end;
			*nl = '\0';
			if (nl > s && nl[-1] == '\r')
				nl[-1] = '\0';
			rp_line(&p, ++line, s);
			s = nl + 1;
		}
		rp_finish(&p);
	}
	free(copy);
	if (p.errors != 0) {
		rp_free(&p);
		return -1;
	}
	*pk = p.pk;
	memset(&p.pk, 0, sizeof p.pk);
	rp_free(&p);
	return 0;
}
