/* SPDX-License-Identifier: ISC */
/*
 * Facts of a message, computed in C and judged by the rules.  The same code
 * serves a message and the quoted/forwarded message inside it, through a
 * "view" of the parts that differ (subject, sender, text, which links).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "buf.h"
#include "measure.h"
#include "prefilter.h"
#include "xalloc.h"

#define MEASURE_HEAD_CHARS	500	/* body.head.norm: where a brand is claimed */
#define MEASURE_SCAN_BYTES	(256u << 10)	/* confusable scan of the body */

struct fview {
	const struct measure_ctx	*ctx;
	const struct msg		*m;
	struct facts			*f;
	const char			*subject;
	const char			*display;
	const char			*addr;
	const char			*body;
	size_t				 body_len;
	int				 quoted_links;	/* which links belong to the view */
	int				 skip_subject_claim;
	int				 body_is_quoted;	/* body is m's quoted text */
	/* computed on the way */
	char				*subject_norm;
	char				*display_norm;
	char				*head_norm;
	char				*from_regdom;
	char				*from_domain;
	char				**link_text_norm;	/* per msg link, NULL when not in view */
	char				*link_texts;	/* all of them, one per line: one search per brand */
	struct url			*link_url;		/* per msg link; host NULL when unparsed */
};

static const char *
measure_domain_of(const char *addr)
{
	const char	*at = strrchr(addr, '@');

	return at != NULL ? at + 1 : "";
}

static char *
measure_norm(const struct fview *v, const char *s, size_t len)
{
	return norm_text(v->ctx->norm, s, len);
}

/*
 * The first n characters (not bytes) of UTF-8 s: where character n starts,
 * a character starting at byte 0 and at every later byte that is not a
 * continuation byte.  Those are counted eight bytes at a time: a
 * continuation byte is the one with its top bit set and the next clear.
 */
static size_t
measure_prefix_chars(const char *s, size_t len, size_t n)
{
	const uint64_t	 ones = UINT64_C(0x0101010101010101);
	uint64_t	 w, cont;
	size_t		 i = 1, starts;

	if (len == 0 || n == 0)
		return 0;
	while (len - i >= sizeof w) {
		memcpy(&w, s + i, sizeof w);
		cont = w & ~(w << 1) & ones * 0x80;
		starts = sizeof w - (size_t)(((cont >> 7) * ones) >> 56);
		if (starts >= n)
			break;
		n -= starts;
		i += sizeof w;
	}
	for (; i < len; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && --n == 0)
			return i;
	}
	return len;
}

static void
measure_sender(struct fview *v)
{
	struct facts	*f = v->f;
	struct fact_inst *fi;

	v->from_domain = xstrdup(measure_domain_of(v->addr));
	v->from_regdom = *v->from_domain != '\0' ?
	    url_regdom(v->ctx->urls, v->from_domain) : NULL;
	if (v->from_regdom == NULL)
		v->from_regdom = xstrdup(v->from_domain);

	facts_add(f, FACT_SUBJECT, v->subject);
	v->subject_norm = measure_norm(v, v->subject, strlen(v->subject));
	facts_addn_utf8(f, FACT_SUBJECT_NORM, v->subject_norm,
	    strlen(v->subject_norm));
	facts_add(f, FACT_FROM_DISPLAY, v->display);
	v->display_norm = measure_norm(v, v->display, strlen(v->display));
	facts_addn_utf8(f, FACT_FROM_DISPLAY_NORM, v->display_norm,
	    strlen(v->display_norm));
	if (*v->addr != '\0') {
		facts_add(f, FACT_FROM_ADDR, v->addr);
		facts_add(f, FACT_FROM_DOMAIN, v->from_domain);
		facts_add(f, FACT_FROM_REGDOM, v->from_regdom);
	}

	/* A display name that shows an address or a domain of its own:
	 * "Amazon.co.jp" <no-reply@accounts.google.com>. */
	{
		char		*copy = xstrdup(v->display_norm), *tok, *save = NULL;

		for (tok = strtok_r(copy, " \t\"'<>()[]「」,;", &save);
		    tok != NULL; tok = strtok_r(NULL, " \t\"'<>()[]「」,;", &save)) {
			struct url	 u;
			const char	*host = tok;
			char		*rd;
			int		 differs;

			if (strchr(tok, '@') != NULL)
				host = strrchr(tok, '@') + 1;
			if (url_parse_text(v->ctx->urls, host, &u) != 0)
				continue;
			rd = u.regdom != NULL ? u.regdom : u.host;
			differs = strcasecmp(rd, v->from_regdom) != 0;
			if (differs) {
				fi = facts_add(f, FACT_FROM_DISPLAY_ADDR, tok);
				facts_set_var(f, fi, "display_addr", tok);
				facts_set_var(f, fi, "from_addr", v->addr);
			}
			url_clear(&u);
			if (differs)
				break;
		}
		free(copy);
	}
}

static void
measure_headers(struct fview *v)
{
	const struct msg	*m = v->m;
	struct facts		*f = v->f;
	struct fact_inst	*fi;
	const char		*s;
	size_t			 i;

	for (i = 0; i < msg_to_count(m); i++) {
		facts_add(f, FACT_TO_ADDR, msg_to_addr(m, i));
		if (*v->addr != '\0' && strcmp(msg_to_addr(m, i), v->addr) == 0) {
			fi = facts_add(f, FACT_FROM_IS_TO, v->addr);
			facts_set_var(f, fi, "from_addr", v->addr);
		}
	}
	s = msg_reply_to_addr(m);
	if (*s != '\0') {
		char	*rd = url_regdom(v->ctx->urls, measure_domain_of(s));

		if (rd == NULL || strcasecmp(rd, v->from_regdom) != 0) {
			fi = facts_add(f, FACT_REPLY_TO_ADDR, s);
			facts_set_var(f, fi, "from_domain", v->from_domain);
		}
		free(rd);
	}
	if (*msg_return_path(m) != '\0')
		facts_add(f, FACT_RETURN_PATH_ADDR, msg_return_path(m));
	s = strrchr(msg_message_id(m), '@');
	if (s != NULL)
		facts_add(f, FACT_MESSAGE_ID_DOMAIN, s + 1);
	if ((s = msg_header(m, "X-Mailer", 0)) != NULL ||
	    (s = msg_header(m, "User-Agent", 0)) != NULL)
		facts_add(f, FACT_HEADER_MAILER, s);
	if (msg_header(m, "Date", 0) == NULL)
		facts_add(f, FACT_HEADER_MISSING, "date");
	if (msg_header(m, "Message-ID", 0) == NULL)
		facts_add(f, FACT_HEADER_MISSING, "message-id");
	if (msg_header(m, "MIME-Version", 0) == NULL)
		facts_add(f, FACT_HEADER_MISSING, "mime-version");

	for (i = 0; i < msg_problem_count(m); i++) {
		const struct msg_problem *p = msg_problem(m, i);

		if (p->kind == MSG_PROBLEM_HEADER) {
			fi = facts_add(f, FACT_HEADER_PROBLEM, p->what);
			facts_set_var(f, fi, "header", p->where);
			facts_set_var(f, fi, "detail", *p->used != '\0' ?
			    p->used : p->declared);
		} else if (p->kind == MSG_PROBLEM_CHARSET) {
			fi = facts_add(f, FACT_CHARSET_PROBLEM, p->what);
			facts_set_var(f, fi, "part", p->where);
			facts_set_var(f, fi, "declared", p->declared);
			facts_set_var(f, fi, "used", p->used);
		}
	}
	if (msg_html_only(m))
		facts_add(f, FACT_MIME_HTML_ONLY, "");
	for (i = 0; i < msg_font_count(m); i++)
		facts_add(f, FACT_HTML_FONT, msg_font(m, i));
	for (i = 0; i < msg_form_count(m); i++)
		facts_add(f, FACT_HTML_FORM, msg_form(m, i));
	for (i = 0; i < msg_image_count(m); i++) {
		struct url	 u;

		if (url_parse(v->ctx->urls, msg_image(m, i), &u) == 0) {
			facts_add(f, FACT_HTML_IMAGE_HOST, u.host);
			url_clear(&u);
		}
	}
}

static void
measure_auth(struct fview *v)
{
	struct auth_results	 ar;
	struct auth_origin	 o;
	struct fact_inst	*fi;
	size_t			 i;
	enum fact_id		 id;

	if (auth_trusted(v->m, v->ctx->authserv_id, &ar) != 0)
		facts_add(v->f, FACT_AUTH_NONE, "");
	else {
		for (i = 0; i < ar.nentries; i++) {
			const struct auth_entry *e = &ar.entries[i];

			if (strcmp(e->method, "spf") == 0)
				id = FACT_AUTH_SPF;
			else if (strcmp(e->method, "dkim") == 0)
				id = FACT_AUTH_DKIM;
			else if (strcmp(e->method, "dmarc") == 0)
				id = FACT_AUTH_DMARC;
			else
				continue;
			fi = facts_add(v->f, id, e->result);
			facts_set_var(v->f, fi, "domain", e->domain);
			facts_set_var(v->f, fi, "authserv", ar.authserv);
			if (id == FACT_AUTH_DMARC)
				facts_set_var(v->f, fi, "policy", e->policy);
		}
		auth_results_clear(&ar);
	}
	if (auth_origin(v->m, &o) == 0) {
		fi = facts_add(v->f, FACT_RECEIVED_ORIGIN, o.text);
		facts_set_var(v->f, fi, "host", o.host);
		facts_set_var(v->f, fi, "ip", o.ip);
		auth_origin_clear(&o);
	}
}

void
measure_memo_clear(struct measure_memo *memo)
{
	if (memo == NULL)
		return;
	free(memo->quoted_norm);
	memset(memo, 0, sizeof *memo);
}

static void
measure_text(struct fview *v)
{
	struct measure_memo	*memo = v->ctx->memo;
	char			*norm;
	size_t			 hl, nl;
	int			 defanged;

	facts_addn(v->f, FACT_BODY, v->body, v->body_len);
	norm = measure_norm(v, v->body, v->body_len);
	nl = strlen(norm);
	facts_addn_utf8(v->f, FACT_BODY_NORM, norm, nl);
	hl = measure_prefix_chars(norm, nl, MEASURE_HEAD_CHARS);
	v->head_norm = xstrndup(norm, hl);
	/* Cut on a character: still well-formed. */
	facts_addn_utf8(v->f, FACT_BODY_HEAD_NORM, v->head_norm, hl);
	defanged = url_text_is_defanged(v->body);
	if (defanged)
		facts_add(v->f, FACT_TEXT_DEFANGED, "");
	if (v->body_is_quoted && memo != NULL) {
		/* measure_message reads the same text: see measure_memo. */
		measure_memo_clear(memo);
		memo->m = v->m;
		memo->quoted_norm = norm;
		memo->quoted_defanged = defanged;
	} else
		free(norm);
}

static void
measure_link_vars(struct facts *f, struct fact_inst *fi, const struct msg_link *l,
    const struct url *u)
{
	facts_set_var(f, fi, "href", l->href);
	facts_set_var(f, fi, "host", u->host);
	facts_set_var(f, fi, "text", l->text);
}

static void
measure_links(struct fview *v)
{
	const struct msg	*m = v->m;
	struct facts		*f = v->f;
	struct fact_inst	*fi;
	size_t			 i, n = msg_link_count(m);
	struct buf		 joined;

	buf_init(&joined);
	v->link_text_norm = xcalloc(n + 1, sizeof *v->link_text_norm);
	v->link_url = xcalloc(n + 1, sizeof *v->link_url);
	for (i = 0; i < n; i++) {
		const struct msg_link	*l = msg_link(m, i);
		struct url		*u = &v->link_url[i];
		struct url		 tu;

		if (l->quoted != v->quoted_links)
			continue;
		if (url_parse(v->ctx->urls, l->href, u) != 0) {
			memset(u, 0, sizeof *u);
			continue;
		}
		v->link_text_norm[i] = measure_norm(v, l->text, strlen(l->text));
		buf_adds(&joined, v->link_text_norm[i]);
		buf_addc(&joined, '\n');
		fi = facts_add(f, FACT_LINK_HREF, l->href);
		measure_link_vars(f, fi, l, u);
		fi = facts_add(f, FACT_LINK_HOST, u->host);
		measure_link_vars(f, fi, l, u);
		fi = facts_addn_utf8(f, FACT_LINK_TEXT_NORM,
		    v->link_text_norm[i], strlen(v->link_text_norm[i]));
		measure_link_vars(f, fi, l, u);

		if (l->html && url_parse_text(v->ctx->urls, l->text, &tu) == 0) {
			const char	*a = tu.regdom != NULL ? tu.regdom : tu.host;
			const char	*b = u->regdom != NULL ? u->regdom : u->host;

			if (strcasecmp(a, b) != 0) {
				fi = facts_add(f, FACT_LINK_TEXT_HOST_DIFFERS, u->host);
				measure_link_vars(f, fi, l, u);
				facts_set_var(f, fi, "text_host", tu.host);
			}
			url_clear(&tu);
		}
		if ((u->flags & URL_IP) && !(u->flags & URL_IP_PRIVATE)) {
			fi = facts_add(f, FACT_LINK_IP, u->host);
			measure_link_vars(f, fi, l, u);
		}
		if (u->flags & URL_IP_OBFUSCATED) {
			fi = facts_add(f, FACT_LINK_IP_OBFUSCATED, u->host);
			measure_link_vars(f, fi, l, u);
		}
		if (u->flags & URL_USERINFO) {
			fi = facts_add(f, FACT_LINK_USERINFO, u->host);
			measure_link_vars(f, fi, l, u);
		}
		if (u->flags & URL_IDN_MIXED) {
			fi = facts_add(f, FACT_LINK_IDN_MIXED, u->host);
			measure_link_vars(f, fi, l, u);
			facts_set_var(f, fi, "host_unicode", u->host_unicode);
		}
		if (strstr(u->host, "xn--") != NULL) {
			fi = facts_add(f, FACT_LINK_PUNYCODE, u->host);
			measure_link_vars(f, fi, l, u);
			facts_set_var(f, fi, "host_unicode", u->host_unicode);
		}
	}
	v->link_texts = buf_take(&joined);
}

/*
 * At least the bytes a and b have in common, as multisets: one edit changes
 * at most one of them, so strings sharing fewer than the longer one's length
 * minus cap are more than cap edits apart.  Bytes share counters by their
 * low six bits, which can only count more in common (the bound stays safe)
 * and costs one small table.
 */
static size_t
measure_common_bytes(const char *a, size_t al, const char *b, size_t bl)
{
	unsigned char	 n[64];
	size_t		 i, common = 0;

	memset(n, 0, sizeof n);
	for (i = 0; i < al; i++)
		n[(unsigned char)a[i] & 63]++;
	for (i = 0; i < bl; i++) {
		if (n[(unsigned char)b[i] & 63] != 0) {
			n[(unsigned char)b[i] & 63]--;
			common++;
		}
	}
	return common;
}

/*
 * Damerau-free Levenshtein distance, capped: returns cap+1 when over.  Runs
 * for every host label against every brand token, so only the band of
 * cells within cap of the diagonal is computed (Ukkonen): a cell outside it
 * is more than cap anyway, and standing in for it with cap+1 leaves every
 * value up to cap exact.
 */
static int
measure_edit_distance(const char *a, size_t al, const char *b, size_t bl,
    int cap)
{
	int	 row[64], prev, tmp, best, over = cap + 1;
	size_t	 i, j, lo, hi, c = (size_t)cap;

	if (al >= 63 || bl >= 63)
		return over;
	if ((al > bl ? al - bl : bl - al) > c)
		return over;
	if (measure_common_bytes(a, al, b, bl) + c < (al > bl ? al : bl))
		return over;
	for (j = 0; j <= bl; j++)
		row[j] = j <= c ? (int)j : over;
	for (i = 1; i <= al; i++) {
		lo = i > c ? i - c : 1;
		hi = i + c < bl ? i + c : bl;
		prev = row[lo - 1];
		row[lo - 1] = lo == 1 ? (int)i : over;
		best = row[lo - 1];
		for (j = lo; j <= hi; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
			if (row[j] < best)
				best = row[j];
		}
		if (best > cap)
			return over;
	}
	return row[bl] < over ? row[bl] : over;
}

/* Edits a label may be from a token and still be a lookalike: one for
 * five letters, two from six (anazom, amazmo for amazon).  Two-edit
 * lookalikes must keep the first letter, which readers anchor on. */
static int
measure_typo_cap(size_t toklen)
{
	return toklen >= 6 ? 2 : 1;
}

/*
 * Brand tokens in foreign hosts: the token as a whole label or hyphen piece
 * (www.amazon.co.jp.x.info, www-rakuten-card-co-jp.x.com), inside a piece
 * for tokens of five letters or more (myamazonjp), or a piece one or two
 * edits from it (anazom, amaz0n, ralkuten).
 */
/* A host label or hyphen piece, for measure_host_brands. */
struct measure_piece {
	const char	*p;
	size_t		 len;
};

#define MEASURE_PIECES	32	/* on the stack; more go to the heap */

static void
measure_host_brands(struct fview *v, const struct msg_link *l,
    const struct url *u)
{
	const struct ruleset	*rs = v->ctx->rules;
	struct facts		*f = v->f;
	struct fact_inst	*fi;
	struct measure_piece	 stackp[MEASURE_PIECES], *pc = stackp;
	size_t			 bi, ti, hl, k, npc, cap = MEASURE_PIECES;
	const char		*host = u->host, *p, *q, *end;

	if (u->flags & URL_IP)
		return;
	hl = strlen(host);
	/* The public suffix is not the attacker's choice: leave it out. */
	end = host + hl;
	if (u->regdom != NULL) {
		const char *dot = strchr(u->regdom, '.');

		if (dot != NULL)
			end = host + hl - strlen(dot);
	}
	/* The pieces once, not again for every brand and token. */
	npc = 0;
	for (p = host; p < end; p = q + 1) {
		q = p;
		while (q < end && *q != '.' && *q != '-')
			q++;
		if (npc == cap) {
			cap *= 2;
			pc = pc == stackp ? memcpy(xreallocarray(NULL, cap,
			    sizeof *pc), stackp, sizeof stackp) :
			    xreallocarray(pc, cap, sizeof *pc);
		}
		pc[npc].p = p;
		pc[npc++].len = (size_t)(q - p);
		if (q >= end)
			break;
	}
	for (bi = 0; bi < ruleset_brand_count(rs); bi++) {
		const struct brand	*b = ruleset_brand(rs, bi);
		int			 found = 0;

		if (b->ntokens == 0 || brand_owns_host(b, host))
			continue;
		for (ti = 0; ti < b->ntokens && !found; ti++) {
			const char	*tok = b->tokens[ti];
			size_t		 tl = strlen(tok);

			for (k = 0; k < npc && !found; k++) {
				size_t	 pl = pc[k].len;
				int	 d;

				p = pc[k].p;
				if (pl == tl && strncmp(p, tok, tl) == 0) {
					found = 1;
				} else if (tl >= 5 && pl > tl &&
				    memmem(p, pl, tok, tl) != NULL) {
					found = 1;
				} else if (tl >= 5 && pl >= 4 &&
				    (d = measure_edit_distance(p, pl, tok, tl,
				    measure_typo_cap(tl))) > 0 &&
				    d <= measure_typo_cap(tl) &&
				    (d == 1 || *p == *tok)) {
					char	*label = xstrndup(p, pl);

					fi = facts_add(f, FACT_LINK_TYPOSQUAT, host);
					measure_link_vars(f, fi, l, u);
					facts_set_var(f, fi, "brand", b->id);
					facts_set_var(f, fi, "brand_name", b->name);
					facts_set_var(f, fi, "token", tok);
					facts_set_var(f, fi, "label", label);
					free(label);
					found = 2;
				}
				if (found == 1) {
					fi = facts_add(f, FACT_LINK_BRAND_IN_HOST, host);
					measure_link_vars(f, fi, l, u);
					facts_set_var(f, fi, "brand", b->id);
					facts_set_var(f, fi, "brand_name", b->name);
					facts_set_var(f, fi, "token", tok);
				}
			}
		}
	}
	if (pc != stackp)
		free(pc);
}

/*
 * measure_host_brands for every link.  Newsletters repeat a few hosts many
 * times, and most hosts hold no brand token: a host found clean is
 * remembered (in a small table indexed by a hash of its name, so a message
 * with a million links stays linear) and not looked at again.  A host with
 * findings is measured again for each link, since the facts are per link.
 */
#define MEASURE_CLEAN_SLOTS	64

static void
measure_hosts_brands(struct fview *v)
{
	const char	*clean[MEASURE_CLEAN_SLOTS] = { NULL };
	const char	*host, *c;
	size_t		 i, n = msg_link_count(v->m), before, slot;
	uint32_t	 hash;

	for (i = 0; i < n; i++) {
		if ((host = v->link_url[i].host) == NULL)
			continue;
		hash = 2166136261u;
		for (c = host; *c != '\0'; c++)
			hash = (hash ^ (unsigned char)*c) * 16777619u;
		slot = hash % MEASURE_CLEAN_SLOTS;
		if (clean[slot] != NULL && strcmp(clean[slot], host) == 0)
			continue;
		before = facts_count(v->f, FACT_LINK_TYPOSQUAT) +
		    facts_count(v->f, FACT_LINK_BRAND_IN_HOST);
		measure_host_brands(v, msg_link(v->m, i), &v->link_url[i]);
		if (facts_count(v->f, FACT_LINK_TYPOSQUAT) +
		    facts_count(v->f, FACT_LINK_BRAND_IN_HOST) == before)
			clean[slot] = host;
	}
}

struct measure_claim {
	const struct brand	*brand;
	const char		*where;
	char			*evidence;
};

/* text is norm's output (valid UTF-8) or NULL. */
static int
measure_find(const struct brand *b, const char *text, char **evidence)
{
	size_t	 off, len;

	if (text == NULL || !brand_find_utf8(b, text, strlen(text), &off, &len))
		return 0;
	*evidence = xstrndup(text + off, len);
	return 1;
}

struct measure_confusable {
	struct fview	*v;
	const char	*claimed_where;
	const struct brand **hit;	/* first brand spelled by a confusable word */
};

static void
measure_confusable_word(void *arg, const char *word, size_t len)
{
	struct measure_confusable	*c = arg;
	struct fview			*v = c->v;
	const struct ruleset		*rs = v->ctx->rules;
	struct fact_inst		*fi;
	char				*sk, *w;
	size_t				 bi, ti;
	const struct brand		*brand = NULL;

	if (facts_count(v->f, FACT_TEXT_CONFUSABLE) >= 20)
		return;
	sk = norm_skeleton(v->ctx->norm, word, len);
	for (bi = 0; bi < ruleset_brand_count(rs) && brand == NULL; bi++) {
		const struct brand *b = ruleset_brand(rs, bi);

		for (ti = 0; ti < b->ntokens; ti++) {
			char	*tsk = norm_skeleton(v->ctx->norm, b->tokens[ti],
			    strlen(b->tokens[ti]));

			if (strlen(b->tokens[ti]) >= 4 && strstr(sk, tsk) != NULL)
				brand = b;
			free(tsk);
			if (brand != NULL)
				break;
		}
	}
	w = xstrndup(word, len);
	fi = facts_add(v->f, FACT_TEXT_CONFUSABLE, w);
	facts_set_var(v->f, fi, "word", w);
	facts_set_var(v->f, fi, "brand", brand != NULL ? brand->id : "");
	facts_set_var(v->f, fi, "brand_name", brand != NULL ? brand->name : "");
	if (brand != NULL && *c->hit == NULL)
		*c->hit = brand;
	free(w);
	free(sk);
}

static const struct brand *
measure_confusables(struct fview *v)
{
	struct measure_confusable	 c;
	const struct brand		*hit = NULL;
	size_t				 bl;

	c.v = v;
	c.claimed_where = NULL;
	c.hit = &hit;
	norm_mixed_script_words(v->ctx->norm, v->display, strlen(v->display),
	    measure_confusable_word, &c);
	norm_mixed_script_words(v->ctx->norm, v->subject, strlen(v->subject),
	    measure_confusable_word, &c);
	bl = v->body_len < MEASURE_SCAN_BYTES ? v->body_len : MEASURE_SCAN_BYTES;
	norm_mixed_script_words(v->ctx->norm, v->body, bl,
	    measure_confusable_word, &c);
	return hit;
}

static void
measure_claim_auth(struct fview *v, const struct brand *b)
{
	struct facts		*f = v->f;
	struct fact_inst	*fi;
	struct buf		 summary;
	size_t			 i, n;
	int			 ok = 0;
	const char		*method = NULL, *dom = NULL;

	n = facts_count(f, FACT_AUTH_DMARC);
	for (i = 0; i < n && !ok; i++) {
		dom = facts_var(f, FACT_AUTH_DMARC, i, "domain");
		if (strcmp(facts_value(f, FACT_AUTH_DMARC, i), "pass") == 0 &&
		    dom != NULL && brand_owns_host(b, dom)) {
			ok = 1;
			method = "dmarc";
		}
	}
	n = facts_count(f, FACT_AUTH_DKIM);
	for (i = 0; i < n && !ok; i++) {
		dom = facts_var(f, FACT_AUTH_DKIM, i, "domain");
		if (strcmp(facts_value(f, FACT_AUTH_DKIM, i), "pass") == 0 &&
		    dom != NULL && brand_owns_host(b, dom)) {
			ok = 1;
			method = "dkim";
		}
	}
	if (ok) {
		fi = facts_add(f, FACT_BRAND_AUTHENTICATED, b->id);
		facts_set_var(f, fi, "brand", b->id);
		facts_set_var(f, fi, "brand_name", b->name);
		facts_set_var(f, fi, "domain", dom);
		facts_set_var(f, fi, "method", method);
		return;
	}
	if (facts_count(f, FACT_AUTH_NONE) > 0) {
		fi = facts_add(f, FACT_BRAND_UNVERIFIABLE, b->id);
		facts_set_var(f, fi, "brand", b->id);
		facts_set_var(f, fi, "brand_name", b->name);
		facts_set_var(f, fi, "from_domain", v->from_domain);
		return;
	}
	buf_init(&summary);
	{
		static const enum fact_id ids[] = {
			FACT_AUTH_SPF, FACT_AUTH_DKIM, FACT_AUTH_DMARC
		};
		static const char *names[] = { "spf", "dkim", "dmarc" };
		size_t	 k;

		for (k = 0; k < 3; k++) {
			n = facts_count(f, ids[k]);
			for (i = 0; i < n && i < 3; i++) {
				const char *d = facts_var(f, ids[k], i, "domain");

				buf_printf(&summary, "%s%s=%s%s%s%s",
				    summary.len ? " " : "", names[k],
				    facts_value(f, ids[k], i),
				    d != NULL && *d ? " (" : "", d != NULL ? d : "",
				    d != NULL && *d ? ")" : "");
			}
		}
	}
	fi = facts_add(f, FACT_BRAND_UNAUTHENTICATED, b->id);
	facts_set_var(f, fi, "brand", b->id);
	facts_set_var(f, fi, "brand_name", b->name);
	facts_set_var(f, fi, "from_domain", v->from_domain);
	facts_set_var(f, fi, "auth", summary.len ? summary.data : "none");
	buf_free(&summary);
}

/*
 * The texts a brand is looked for in, in order of preference, each with the
 * brands that might occur in it (one prefilter pass per text instead of a
 * pattern search per brand and text).
 */
enum { CLAIM_DISPLAY, CLAIM_SUBJECT, CLAIM_BODY, CLAIM_LINK, CLAIM__COUNT };

struct measure_claim_texts {
	const char	*text[CLAIM__COUNT];
	unsigned char	*maybe[CLAIM__COUNT];	/* owned: per brand */
};

static void
measure_claim_texts_init(struct fview *v, struct measure_claim_texts *ct)
{
	const struct ruleset	*rs = v->ctx->rules;
	struct prefilter_hits	 own, *h = v->ctx->brand_hits;
	size_t			 k, nb = ruleset_brand_count(rs);

	ct->text[CLAIM_DISPLAY] = v->display_norm;
	ct->text[CLAIM_SUBJECT] = v->skip_subject_claim ? NULL : v->subject_norm;
	ct->text[CLAIM_BODY] = v->head_norm;
	ct->text[CLAIM_LINK] = v->link_texts;
	if (h == NULL) {
		prefilter_hits_init(&own, ruleset_brand_literals(rs));
		h = &own;
	}
	for (k = 0; k < CLAIM__COUNT; k++) {
		ct->maybe[k] = xcalloc(nb + 1, 1);
		if (ct->text[k] != NULL)
			ruleset_brands_maybe_in(rs, ct->text[k],
			    strlen(ct->text[k]), h, ct->maybe[k]);
	}
	if (h == &own)
		prefilter_hits_free(&own);
}

static void
measure_claim_texts_free(struct measure_claim_texts *ct)
{
	size_t	 k;

	for (k = 0; k < CLAIM__COUNT; k++)
		free(ct->maybe[k]);
}

/* Which text brand bi is claimed in first (CLAIM__COUNT: none), with the
 * evidence. */
static size_t
measure_claim_where(const struct measure_claim_texts *ct, size_t bi,
    const struct brand *b, char **ev)
{
	size_t	 k;

	for (k = 0; k < CLAIM__COUNT; k++) {
		if (ct->maybe[k][bi] && measure_find(b, ct->text[k], ev))
			break;
	}
	return k;
}

static void
measure_brands(struct fview *v, int with_auth)
{
	const struct ruleset		*rs = v->ctx->rules;
	struct facts			*f = v->f;
	struct fact_inst		*fi;
	const struct brand		*conf;
	static const char		*claim_names[CLAIM__COUNT] = {
		"display", "subject", "body", "link"
	};
	struct measure_claim_texts	 ct;
	size_t				 bi, i, k, n = msg_link_count(v->m);

	conf = measure_confusables(v);
	measure_hosts_brands(v);
	measure_claim_texts_init(v, &ct);
	for (bi = 0; bi < ruleset_brand_count(rs); bi++) {
		const struct brand	*b = ruleset_brand(rs, bi);
		const char		*where;
		char			*ev = NULL;
		int			 in_header;

		k = measure_claim_where(&ct, bi, b, &ev);
		where = k < CLAIM__COUNT ? claim_names[k] : NULL;
		in_header = k == CLAIM_DISPLAY || k == CLAIM_SUBJECT;
		if (where == NULL && conf == b) {
			where = "confusable";
			ev = xstrdup("");
		}
		if (where == NULL)
			continue;
		fi = facts_add(f, FACT_BRAND_CLAIMED, b->id);
		facts_set_var(f, fi, "brand", b->id);
		facts_set_var(f, fi, "brand_name", b->name);
		facts_set_var(f, fi, "where", where);
		facts_set_var(f, fi, "evidence", ev);
		free(ev);

		if (with_auth)
			measure_claim_auth(v, b);
		if (in_header && *v->from_domain != '\0' &&
		    !brand_owns_host(b, v->from_domain)) {
			fi = facts_add(f, FACT_BRAND_FROM_FOREIGN, b->id);
			facts_set_var(f, fi, "brand", b->id);
			facts_set_var(f, fi, "brand_name", b->name);
			facts_set_var(f, fi, "from_domain", v->from_domain);
			facts_set_var(f, fi, "where", where);
		}
		for (i = 0; i < n; i++) {
			const struct url	*u = &v->link_url[i];
			const struct msg_link	*l;
			char			*dummy = NULL;

			if (u->host == NULL || brand_owns_host(b, u->host))
				continue;
			l = msg_link(v->m, i);
			fi = facts_add(f, FACT_LINK_BRAND_OFFSITE, u->host);
			measure_link_vars(f, fi, l, u);
			facts_set_var(f, fi, "brand", b->id);
			facts_set_var(f, fi, "brand_name", b->name);
			if (measure_find(b, v->link_text_norm[i], &dummy)) {
				fi = facts_add(f, FACT_LINK_BRAND_TEXT_OFFSITE,
				    u->host);
				measure_link_vars(f, fi, l, u);
				facts_set_var(f, fi, "brand", b->id);
				facts_set_var(f, fi, "brand_name", b->name);
			}
			free(dummy);
		}
	}
	measure_claim_texts_free(&ct);
}

static void
measure_view_free(struct fview *v)
{
	size_t	 i, n = msg_link_count(v->m);

	free(v->subject_norm);
	free(v->display_norm);
	free(v->head_norm);
	free(v->from_regdom);
	free(v->from_domain);
	if (v->link_text_norm != NULL) {
		for (i = 0; i < n; i++)
			free(v->link_text_norm[i]);
	}
	free(v->link_text_norm);
	free(v->link_texts);
	if (v->link_url != NULL) {
		for (i = 0; i < n; i++) {
			if (v->link_url[i].host != NULL)
				url_clear(&v->link_url[i]);
		}
	}
	free(v->link_url);
}

/* "Fwd:", "FW:", "転送:" — a subject a forwarder wrote over someone else's. */
static int
measure_forward_subject(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return strncasecmp(s, "fwd", 3) == 0 || strncasecmp(s, "fw:", 3) == 0 ||
	    strncasecmp(s, "fw ", 3) == 0 || strncmp(s, "転送", 6) == 0 ||
	    strncasecmp(s, "[fwd", 4) == 0;
}

void
measure_message(const struct measure_ctx *ctx, const struct msg *m,
    struct facts *f)
{
	struct fview	 v;
	const char	*kind;

	memset(&v, 0, sizeof v);
	v.ctx = ctx;
	v.m = m;
	v.f = f;
	v.subject = msg_subject(m);
	v.display = msg_from_display(m);
	v.addr = msg_from_addr(m);
	v.body = msg_body(m, &v.body_len);
	v.quoted_links = 0;
	kind = msg_forward_kind(m);
	/* A forward's subject names the forwarded mail's brand, not the
	 * forwarder's: do not let it claim one. */
	v.skip_subject_claim = kind != NULL && strcmp(kind, "quote") != 0 &&
	    measure_forward_subject(v.subject);
	if (kind != NULL)
		facts_add(f, FACT_MSG_FORWARD, kind);
	if (ctx->memo != NULL && ctx->memo->m == m) {
		/* measure_quoted has read the quoted text already. */
		facts_addn_utf8(f, FACT_QUOTED_NORM, ctx->memo->quoted_norm,
		    strlen(ctx->memo->quoted_norm));
		if (ctx->memo->quoted_defanged &&
		    facts_count(f, FACT_TEXT_DEFANGED) == 0)
			facts_add(f, FACT_TEXT_DEFANGED, "");
	} else {
		size_t		 ql;
		const char	*q = msg_quoted(m, &ql);
		char		*qn = measure_norm(&v, q, ql);

		facts_addn_utf8(f, FACT_QUOTED_NORM, qn, strlen(qn));
		free(qn);
		if (url_text_is_defanged(q) && facts_count(f, FACT_TEXT_DEFANGED) == 0)
			facts_add(f, FACT_TEXT_DEFANGED, "");
	}
	measure_sender(&v);
	measure_headers(&v);
	measure_auth(&v);
	measure_text(&v);
	measure_links(&v);
	measure_brands(&v, 1);
	measure_view_free(&v);
}

#define MEASURE_QUOTED_NAMES	8	/* most names of one field */

/*
 * Value of a "From:" / "差出人:" style line in a forwarded block.  Every
 * line of the quoted text is tried, so a line is compared with a name
 * only when their first bytes agree as strncasecmp would see them.
 */
static char *
measure_quoted_field(const char *q, size_t ql, const char *const *names)
{
	const char	*p = q, *end = q + ql, *nl;
	size_t		 i, n, lens[MEASURE_QUOTED_NAMES];
	int		 first[MEASURE_QUOTED_NAMES], c;

	for (n = 0; names[n] != NULL; n++) {
		lens[n] = strlen(names[n]);
		first[n] = tolower((unsigned char)names[n][0]);
	}
	while (p < end) {
		const char	*s = p;
		size_t		 ll;

		nl = memchr(p, '\n', (size_t)(end - p));
		ll = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		while (s < p + ll && (*s == '>' || *s == ' ' || *s == '\t'))
			s++;
		c = s < p + ll ? tolower((unsigned char)*s) : -1;
		for (i = 0; i < n; i++) {
			size_t	 nl2 = lens[i];

			if (c == first[i] && (size_t)(p + ll - s) > nl2 &&
			    strncasecmp(s, names[i], nl2) == 0) {
				s += nl2;
				while (s < p + ll && (*s == ' ' || *s == '\t'))
					s++;
				return xstrndup(s, (size_t)(p + ll - s));
			}
		}
		p += ll + 1;
	}
	return NULL;
}

int
measure_quoted(const struct measure_ctx *ctx, const struct msg *m,
    struct facts *f)
{
	static const char *const from_names[] = {
		"From:", "差出人:", "差出人：", "送信者:", "送信元:", NULL
	};
	static const char *const subj_names[] = {
		"Subject:", "件名:", "件名：", NULL
	};
	struct fview	 v;
	size_t		 ql;
	const char	*q = msg_quoted(m, &ql);
	char		*from, *subject, *addr = NULL, *display = NULL;
	const char	*lt, *gt;

	if (ql == 0)
		return -1;
	from = measure_quoted_field(q, ql, from_names);
	subject = measure_quoted_field(q, ql, subj_names);
	if (from != NULL) {
		lt = strrchr(from, '<');
		gt = lt != NULL ? strchr(lt, '>') : NULL;
		if (lt != NULL && gt != NULL) {
			addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
			display = xstrndup(from, (size_t)(lt - from));
		} else if (strchr(from, '@') != NULL) {
			addr = xstrdup(from);
			display = xstrdup("");
		} else {
			addr = xstrdup("");
			display = xstrdup(from);
		}
		for (lt = addr; *lt != '\0'; lt++)
			addr[lt - addr] = (char)tolower((unsigned char)*lt);
	}
	memset(&v, 0, sizeof v);
	v.ctx = ctx;
	v.m = m;
	v.f = f;
	v.subject = subject != NULL ? subject : "";
	v.display = display != NULL ? display : "";
	v.addr = addr != NULL ? addr : "";
	v.body = q;
	v.body_len = ql;
	v.body_is_quoted = 1;
	v.quoted_links = 1;
	measure_sender(&v);
	measure_text(&v);
	measure_links(&v);
	/* A quoted message's own headers are gone: its authentication is
	 * unknown, which is what brand.unverifiable says. */
	facts_add(f, FACT_AUTH_NONE, "");
	measure_brands(&v, 1);
	measure_view_free(&v);
	free(from);
	free(subject);
	free(addr);
	free(display);
	return 0;
}
