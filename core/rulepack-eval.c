/* SPDX-License-Identifier: ISC */
/*
 * The matching side of a ruleset: named lists (hash sets with host-suffix
 * lookup), whether one fact value counts for a rule (shared by detect.c and
 * the expect-match checks in ruleset.c so both evaluate exactly alike),
 * brands, and the destructors of the compiled pieces.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rulepack-int.h"
#include "xalloc.h"

/*
 * Windowed searches per value and rule before one plain search takes over
 * the rest.  Windows try each start at most once, like a plain search, but
 * each costs a PCRE2 call: a literal found thousands of times is cheaper
 * searched plainly.  Windows closer than RULEPACK_WINDOW_GAP bytes are
 * searched as one, trying the few starts between them too.
 */
#define RULEPACK_MAX_WINDOWS	64
#define RULEPACK_WINDOW_GAP	256

#define RULEPACK_HASH_BASIS	2166136261u
#define RULEPACK_HASH_PRIME	16777619u

/*
 * FNV-1a, last byte first: the hash of each suffix of a string is a step
 * from that of the next, so rulepack_lkey_init hashes every domain above
 * a host in one pass.
 */
static uint32_t
rulepack_hash(const char *s, size_t len)
{
	uint32_t	 h = RULEPACK_HASH_BASIS;

	while (len > 0) {
		h ^= (unsigned char)s[--len];
		h *= RULEPACK_HASH_PRIME;
	}
	return h;
}

struct rs_list *
rulepack_list_new(const char *name)
{
	struct rs_list	*l;

	l = xcalloc(1, sizeof *l);
	l->name = xstrdup(name);
	return l;
}

void
rulepack_list_free(struct rs_list *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nslots; i++)
		free(l->slots[i]);
	free(l->slots);
	free(l->name);
	free(l);
}

/*
 * Slot holding s[0..len) or the empty slot where it would go.  s holds no
 * NUL byte, so strncmp plus the terminator check is an exact comparison.
 */
static size_t
rulepack_list_slot_h(const struct rs_list *l, const char *s, size_t len,
    uint32_t hash)
{
	size_t	 mask = l->nslots - 1, i;

	i = hash & mask;
	while (l->slots[i] != NULL) {
		if (strncmp(l->slots[i], s, len) == 0 &&
		    l->slots[i][len] == '\0')
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static size_t
rulepack_list_slot(const struct rs_list *l, const char *s, size_t len)
{
	return rulepack_list_slot_h(l, s, len, rulepack_hash(s, len));
}

static void
rulepack_list_grow(struct rs_list *l)
{
	char	**old = l->slots;
	size_t	  oldn = l->nslots, i, j;

	l->nslots = oldn == 0 ? 16 : oldn * 2;
	l->slots = xcalloc(l->nslots, sizeof *l->slots);
	for (i = 0; i < oldn; i++) {
		if (old[i] == NULL)
			continue;
		j = rulepack_list_slot(l, old[i], strlen(old[i]));
		l->slots[j] = old[i];
	}
	free(old);
}

/* Adds an entry (lower-cased ASCII); duplicates are ignored. */
void
rulepack_list_add(struct rs_list *l, const char *entry, size_t len)
{
	char	*e;
	size_t	 i;

	if (len == 0 || memchr(entry, '\0', len) != NULL)
		return;
	if ((l->n + 1) * 2 > l->nslots)
		rulepack_list_grow(l);
	e = xstrndup(entry, len);
	for (i = 0; i < len; i++) {
		if (e[i] >= 'A' && e[i] <= 'Z')
			e[i] += 'a' - 'A';
	}
	i = rulepack_list_slot(l, e, len);
	if (l->slots[i] != NULL) {
		free(e);
		return;
	}
	l->slots[i] = e;
	l->n++;
	if (len > l->maxlen)
		l->maxlen = len;
}

struct rs_list *
rulepack_list_find(struct rs_list **lists, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (strcmp(lists[i]->name, name) == 0)
			return lists[i];
	}
	return NULL;
}

/* Whether the suffix of k from off is an entry of l. */
static int
rulepack_list_has(const struct rs_list *l, const struct rulepack_lkey *k,
    size_t off)
{
	size_t	 len = k->len - off;

	if (len == 0 || len > l->maxlen)
		return 0;
	return l->slots[rulepack_list_slot_h(l, k->buf + off, len,
	    k->hash[off])] != NULL;
}

/* Makes value a key: lower-cased ASCII, its shape, its suffix hashes. */
static void
rulepack_lkey_init(struct rulepack_lkey *k, const char *value, size_t len)
{
	uint32_t	 h;
	size_t		 i;
	char		 c;

	k->ok = 0;
	k->host = 1;
	k->len = len;
	if (value == NULL || len == 0 || len >= sizeof k->buf)
		return;
	for (i = 0; i < len; i++) {
		c = value[i];
		if (c == '\0')
			return;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '_'))
			k->host = 0;
		k->buf[i] = c;
	}
	h = RULEPACK_HASH_BASIS;
	for (i = len; i > 0; i--) {
		h ^= (unsigned char)k->buf[i - 1];
		h *= RULEPACK_HASH_PRIME;
		k->hash[i - 1] = h;
	}
	k->ok = 1;
}

/*
 * A host matches an entry it equals or ends with "." + entry; an entry
 * starting with "." matches any host under it.  Anything that is not
 * host-shaped matches only by (ASCII case-insensitive) equality.
 */
static int
rulepack_list_match_key(const struct rs_list *l, const struct rulepack_lkey *k)
{
	size_t	 i;

	if (l == NULL || l->n == 0 || !k->ok)
		return 0;
	if (rulepack_list_has(l, k, 0))
		return 1;
	if (!k->host)
		return 0;
	for (i = 0; i < k->len; i++) {
		if (k->buf[i] != '.')
			continue;
		if (rulepack_list_has(l, k, i) ||
		    rulepack_list_has(l, k, i + 1))
			return 1;
	}
	return 0;
}

int
rulepack_list_match(const struct rs_list *l, const char *value, size_t len)
{
	struct rulepack_lkey	 k;

	if (l == NULL || value == NULL || l->n == 0)
		return 0;
	rulepack_lkey_init(&k, value, len);
	return rulepack_list_match_key(l, &k);
}

/*
 * pcre2_match, but a JIT stack overflow (JIT's small default stack) is
 * retried by the interpreter, so the limits that decide are the ruleset's
 * match and depth limits, the same with or without JIT.
 */
static int
rulepack_match(const pcre2_code *re, const char *s, size_t len, size_t start,
    uint32_t opts, pcre2_match_data *md, pcre2_match_context *mctx)
{
	int	 rc;

	rc = pcre2_match(re, (PCRE2_SPTR)s, len, start, opts, md, mctx);
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
		rc = pcre2_match(re, (PCRE2_SPTR)s, len, start,
		    opts | PCRE2_NO_JIT, md, mctx);
	return rc;
}

void
rulepack_scan_init(const struct ruleset *rs, struct rulepack_scan *sc)
{
	prefilter_hits_init(&sc->hits, rs->pf_max);
	sc->mctx = pcre2_match_context_copy(rs->mctx);
	sc->nlists = 0;
	sc->key_ready = 0;
}

void
rulepack_scan_free(struct rulepack_scan *sc)
{
	prefilter_hits_free(&sc->hits);
	pcre2_match_context_free(sc->mctx);
	sc->mctx = NULL;
}

void
rulepack_scan_value(const struct ruleset *rs, struct rulepack_scan *sc,
    int fact, const char *value, size_t len, int scan)
{
	sc->nlists = 0;
	sc->key_ready = 0;
	if (scan && fact >= 0 && fact < FACT__COUNT)
		prefilter_scan(rs->pf[fact], value, len, &sc->hits);
	else
		prefilter_hits_clear(&sc->hits);
}

/* Moves offset i back to the start of its UTF-8 character. */
static size_t
rulepack_char_start(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

/* The index in cur of the earliest pending occurrence, or -1. */
static int
rulepack_first_occ(const struct prefilter_hits *h,
    const struct prefilter_req *rq, const uint32_t *cur)
{
	size_t	 k;
	int	 best = -1;

	for (k = 0; k < rq->n; k++) {
		if (cur[k] != PREFILTER_NONE && (best < 0 ||
		    h->occ[cur[k]].pos < h->occ[cur[best]].pos))
			best = (int)k;
	}
	return best;
}

/* The offset of the next occurrence of factor 0 (SIZE_MAX: none left). */
static size_t
rulepack_peek_occ(const struct prefilter_hits *h,
    const struct prefilter_req *rq, const uint32_t *cur)
{
	int	 best = rulepack_first_occ(h, rq, cur);

	return best < 0 ? SIZE_MAX : h->occ[cur[best]].pos;
}

/* The same, and moves past it. */
static size_t
rulepack_next_occ(const struct prefilter_hits *h,
    const struct prefilter_req *rq, uint32_t *cur)
{
	int	 best = rulepack_first_occ(h, rq, cur);
	size_t	 p;

	if (best < 0)
		return SIZE_MAX;
	p = h->occ[cur[best]].pos;
	cur[best] = h->occ[cur[best]].next;
	return p;
}

/*
 * Searches with the prefilter's help; same result as a search from offset
 * 0.  Every match contains a literal of each factor f at most pre[f] bytes
 * after its start: a missing factor means no match, and no match starts
 * before first[f] - pre[f].  The factor with a bounded pre found least
 * often in this value drives the search: only starts in [p - pre, p] for
 * one of its occurrences p can match, so each such window is searched in
 * order with an offset limit.  Without such a factor or complete
 * occurrence lists, or after RULEPACK_MAX_WINDOWS windows, a plain search
 * goes on from where no earlier match is possible.  Returns pcre2_match's
 * result, or PCRE2_ERROR_NOMATCH.
 */
static int
rulepack_search(const struct ruleset *rs, const struct rule *r,
    const char *value, size_t len, uint32_t opts, pcre2_match_data *md,
    struct rulepack_scan *sc)
{
	const struct prefilter_hits	*h = &sc->hits;
	const struct prefilter_req	*rq = &r->req;
	uint32_t			 cur[PREFILTER_MAX_SET *
					     PREFILTER_MAX_FAC];
	size_t				 first[PREFILTER_MAX_FAC];
	size_t				 many[PREFILTER_MAX_FAC];
	size_t				 k, f, lo, p, next, tried = 0;
	size_t				 pre, drive = SIZE_MAX;
	uint32_t			 id;
	unsigned int			 have = 0;
	int				 rc, windows = 0;

	/*
	 * Most values lack a factor (most often they hold no literal at
	 * all): find that out before gathering offsets and counts.
	 */
	if (h->nocc == 0 && !h->overflow)
		return PCRE2_ERROR_NOMATCH;
	for (k = 0; k < rq->n; k++) {
		if (h->stamp[r->lits[k]] == h->gen)
			have |= 1u << rq->fac[k];
	}
	if (have != (1u << rq->nfac) - 1)
		return PCRE2_ERROR_NOMATCH;
	for (f = 0; f < rq->nfac; f++) {
		first[f] = SIZE_MAX;
		many[f] = 0;
	}
	for (k = 0; k < rq->n; k++) {
		id = (uint32_t)r->lits[k];
		if (h->stamp[id] != h->gen)
			continue;
		f = rq->fac[k];
		many[f] += h->count[id];
		if (h->first[id] < first[f])
			first[f] = h->first[id];
	}
	for (f = 0; f < rq->nfac; f++) {
		if (first[f] == SIZE_MAX)
			return PCRE2_ERROR_NOMATCH;	/* a factor missing */
		if (rq->pre[f] == SIZE_MAX)
			continue;
		if (first[f] > rq->pre[f] && first[f] - rq->pre[f] > tried)
			tried = first[f] - rq->pre[f];
		if (drive == SIZE_MAX || many[f] < many[drive])
			drive = f;
	}
	if (drive == SIZE_MAX || h->overflow)
		return rulepack_match(r->pattern, value, len,
		    rulepack_char_start(value, tried), opts, md, rs->mctx);
	pre = rq->pre[drive];
	for (k = 0; k < rq->n; k++) {
		id = (uint32_t)r->lits[k];
		cur[k] = PREFILTER_NONE;
		if (rq->fac[k] == drive && h->stamp[id] == h->gen)
			cur[k] = h->head[id];
	}
	for (;;) {
		if ((p = rulepack_next_occ(h, rq, cur)) == SIZE_MAX)
			return PCRE2_ERROR_NOMATCH;
		if (p + 1 <= tried)
			continue;	/* its window was searched already */
		lo = p < pre ? 0 : p - pre;
		if (lo < tried)
			lo = tried;
		/* Join the windows that start soon after this one ends. */
		while ((next = rulepack_peek_occ(h, rq, cur)) != SIZE_MAX &&
		    (next < pre ? 0 : next - pre) <= p + RULEPACK_WINDOW_GAP)
			p = rulepack_next_occ(h, rq, cur);
		/* Forward to a character: the skipped bytes start none. */
		while (lo < len && ((unsigned char)value[lo] & 0xc0) == 0x80)
			lo++;
		if (++windows > RULEPACK_MAX_WINDOWS)
			return rulepack_match(r->pattern, value, len, lo, opts,
			    md, rs->mctx);
		pcre2_set_offset_limit(sc->mctx, p);
		rc = rulepack_match(r->pattern, value, len, lo, opts, md,
		    sc->mctx);
		if (rc != PCRE2_ERROR_NOMATCH)
			return rc;
		tried = p + 1;
	}
}

/* rulepack_list_match, remembered for the value sc was last given. */
static int
rulepack_scan_list(struct rulepack_scan *sc, const struct rs_list *l,
    const char *value, size_t len)
{
	size_t	 i;
	int	 m;

	if (sc == NULL)
		return rulepack_list_match(l, value, len);
	for (i = 0; i < sc->nlists; i++) {
		if (sc->lists[i].list == l)
			return sc->lists[i].match;
	}
	if (l == NULL || l->n == 0)
		return 0;
	/* The value's key serves every list asked about it. */
	if (!sc->key_ready) {
		rulepack_lkey_init(&sc->key, value, len);
		sc->key_ready = 1;
	}
	m = rulepack_list_match_key(l, &sc->key);
	if (sc->nlists < SAGI_NITEMS(sc->lists)) {
		sc->lists[sc->nlists].list = l;
		sc->lists[sc->nlists++].match = m;
	}
	return m;
}

/*
 * Whether one instance value counts for field rule r: list conditions,
 * then pattern (its match span goes to *moff and *mlen; the whole value when
 * the rule has no pattern), then unless.  Any PCRE2 error, a limit hit
 * included, is a non-match.  utf8 says the value is known to be valid; sc,
 * when not NULL, holds the prefilter literals of this value.
 */
int
rulepack_value_counts(const struct ruleset *rs, const struct rule *r,
    const char *value, size_t len, int utf8, pcre2_match_data *md,
    struct rulepack_scan *sc, size_t *moff, size_t *mlen)
{
	uint32_t	 opts = utf8 ? PCRE2_NO_UTF_CHECK : 0;
	PCRE2_SIZE	*ov;
	int		 rc;

	*moff = 0;
	*mlen = len;
	if (r->in_list != NULL &&
	    !rulepack_scan_list(sc, r->in_list, value, len))
		return 0;
	if (r->not_in_list != NULL &&
	    rulepack_scan_list(sc, r->not_in_list, value, len))
		return 0;
	if (r->pattern != NULL) {
		if (sc != NULL && utf8 && r->req.n != 0 &&
		    prefilter_ready(rs->pf[r->fact]))
			rc = rulepack_search(rs, r, value, len, opts, md, sc);
		else
			rc = rulepack_match(r->pattern, value, len, 0, opts,
			    md, rs->mctx);
		if (rc < 0)
			return 0;
		ov = pcre2_get_ovector_pointer(md);
		/* \K can put the start after the end: report an empty match. */
		if (ov[0] <= ov[1] && ov[1] <= len) {
			*moff = ov[0];
			*mlen = ov[1] - ov[0];
		} else {
			*moff = ov[1] <= len ? ov[1] : len;
			*mlen = 0;
		}
	}
	if (r->unless != NULL) {
		rc = rulepack_match(r->unless, value, len, 0, opts, md,
		    rs->mctx);
		if (rc >= 0)
			return 0;
	}
	return 1;
}

/* b must come from a ruleset (its private side has the domain lengths). */
int
brand_owns_host(const struct brand *b, const char *host)
{
	const size_t	*lens;
	size_t		 i, hlen, dlen;
	int		 last;

	if (b == NULL || host == NULL)
		return 0;
	lens = ((const struct rs_brand *)b)->domain_lens;
	hlen = strlen(host);
	if (hlen != 0 && host[hlen - 1] == '.')
		hlen--;		/* "amazon.co.jp." is amazon.co.jp */
	if (hlen == 0)
		return 0;
	/* Most domains differ in their last byte: compared as strncasecmp
	 * would (same tolower), it spares the call. */
	last = tolower((unsigned char)host[hlen - 1]);
	for (i = 0; i < b->ndomains; i++) {
		dlen = lens[i];
		if (dlen == 0 || dlen > hlen)
			continue;
		if (tolower((unsigned char)b->domains[i][dlen - 1]) != last ||
		    strncasecmp(host + hlen - dlen, b->domains[i], dlen) != 0)
			continue;
		if (dlen == hlen || host[hlen - dlen - 1] == '.')
			return 1;
	}
	return 0;
}

/* b must come from a ruleset (its private side carries the limits). */
static int
brand_search(const struct brand *b, const char *norm, size_t normlen,
    uint32_t opts, size_t *off, size_t *len)
{
	const struct rs_brand	*rb = (const struct rs_brand *)b;
	pcre2_match_data	*md;
	PCRE2_SIZE		*ov;
	int			 rc, found = 0;

	if (b == NULL || norm == NULL || b->match_re == NULL)
		return 0;
	md = pcre2_match_data_create(1, NULL);
	if (md == NULL)
		return 0;
	rc = rulepack_match(b->match_re, norm, normlen, 0, opts, md, rb->mctx);
	if (rc >= 0) {
		ov = pcre2_get_ovector_pointer(md);
		if (off != NULL)
			*off = ov[0] <= ov[1] ? ov[0] : ov[1];
		if (len != NULL)
			*len = ov[0] <= ov[1] ? ov[1] - ov[0] : 0;
		found = 1;
	}
	pcre2_match_data_free(md);
	return found;
}

int
brand_find(const struct brand *b, const char *norm, size_t normlen,
    size_t *off, size_t *len)
{
	return brand_search(b, norm, normlen, 0, off, len);
}

int
brand_find_utf8(const struct brand *b, const char *norm, size_t normlen,
    size_t *off, size_t *len)
{
	return brand_search(b, norm, normlen, PCRE2_NO_UTF_CHECK, off, len);
}

void
rulepack_tmpl_free(struct tmpl *t)
{
	size_t	 i;

	for (i = 0; i < t->nparts; i++)
		free(t->parts[i].text);
	free(t->parts);
	t->parts = NULL;
	t->nparts = 0;
}

static void
rulepack_expects_free(struct rs_expect *e, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(e[i].text);
	free(e);
}

void
rulepack_rule_free(struct rule *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	free(r->id);
	pcre2_code_free(r->pattern);
	prefilter_req_free(&r->req);
	free(r->lits);
	pcre2_code_free(r->unless);
	free(r->gate_brand);
	free(r->group);
	rulepack_tmpl_free(&r->explain[0]);
	rulepack_tmpl_free(&r->explain[1]);
	rulepack_tmpl_free(&r->evidence);
	for (i = 0; i < r->meta.n; i++)
		free(r->meta.nodes[i].refname);
	free(r->meta.nodes);
	rulepack_expects_free(r->expects, r->nexpects);
	free(r);
}

static void
rulepack_strv_free(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
rulepack_brand_free(struct rs_brand *b)
{
	if (b == NULL)
		return;
	free(b->pub.id);
	free(b->pub.name);
	rulepack_strv_free(b->pub.tokens, b->pub.ntokens);
	rulepack_strv_free(b->pub.domains, b->pub.ndomains);
	free(b->pub.check[0]);
	free(b->pub.check[1]);
	free(b->pub.victim[0]);
	free(b->pub.victim[1]);
	pcre2_code_free(b->pub.match_re);
	rulepack_expects_free(b->expects, b->nexpects);
	prefilter_req_free(&b->req);
	free(b->lits);
	free(b->domain_lens);
	free(b);
}
