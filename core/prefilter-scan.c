/* SPDX-License-Identifier: ISC */
/*
 * The prefilter's scanner: an Aho-Corasick DFA over byte classes, run in
 * four interleaved lanes.  It records, per literal, the first offset and
 * every occurrence (in offset order) into the caller's prefilter_hits.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "prefilter.h"
#include "xalloc.h"

struct prefilter {
	char		**lits;
	size_t		 *lens;
	size_t		  nlits;
	size_t		  total;	/* bytes of all literals */
	size_t		  maxlen;	/* of the longest literal */

	unsigned char	  cls[256];	/* byte → class; 0: in no literal */
	size_t		  ncls;
	/*
	 * Transitions, nstates rows of ncls.  An entry is the target's row
	 * offset (state × ncls) with PF_HIT set when a literal ends there,
	 * so the scan loop is one load per byte.
	 */
	uint32_t	 *delta;
	int32_t		 *out;		/* literal ending at a state, -1 */
	uint32_t	 *dict;		/* next suffix state with output, 0 */
	size_t		  nstates;
};

#define PF_HIT		0x80000000u

struct prefilter *
prefilter_new(void)
{
	return xcalloc(1, sizeof (struct prefilter));
}

static void
prefilter_clear(struct prefilter *pf)
{
	free(pf->delta);
	free(pf->out);
	free(pf->dict);
	pf->delta = NULL;
	pf->out = NULL;
	pf->dict = NULL;
	pf->nstates = 0;
}

void
prefilter_free(struct prefilter *pf)
{
	size_t	 i;

	if (pf == NULL)
		return;
	prefilter_clear(pf);
	for (i = 0; i < pf->nlits; i++)
		free(pf->lits[i]);
	free(pf->lits);
	free(pf->lens);
	free(pf);
}

size_t
prefilter_add(struct prefilter *pf, const char *lit, size_t len)
{
	size_t	 i;

	for (i = 0; i < pf->nlits; i++) {
		if (pf->lens[i] == len && memcmp(pf->lits[i], lit, len) == 0)
			return i;
	}
	prefilter_clear(pf);
	pf->lits = xreallocarray(pf->lits, pf->nlits + 1, sizeof *pf->lits);
	pf->lens = xreallocarray(pf->lens, pf->nlits + 1, sizeof *pf->lens);
	pf->lits[pf->nlits] = xmemdup(lit, len == 0 ? 1 : len);
	pf->lens[pf->nlits] = len;
	pf->total += len;
	if (len > pf->maxlen)
		pf->maxlen = len;
	return pf->nlits++;
}

int
prefilter_ready(const struct prefilter *pf)
{
	return pf != NULL && pf->delta != NULL;
}

size_t
prefilter_count(const struct prefilter *pf)
{
	return pf == NULL ? 0 : pf->nlits;
}

size_t
prefilter_lit_len(const struct prefilter *pf, size_t id)
{
	return pf == NULL || id >= pf->nlits ? 0 : pf->lens[id];
}

/* Byte classes: one per byte used in a literal, upper case as lower. */
static void
prefilter_classes(struct prefilter *pf)
{
	size_t	 i, k;
	int	 c;

	memset(pf->cls, 0, sizeof pf->cls);
	pf->ncls = 1;
	for (i = 0; i < pf->nlits; i++) {
		for (k = 0; k < pf->lens[i]; k++) {
			c = (unsigned char)pf->lits[i][k];
			if (pf->cls[c] == 0 && pf->ncls < 256)
				pf->cls[c] = (unsigned char)pf->ncls++;
		}
	}
	for (c = 'A'; c <= 'Z'; c++)
		pf->cls[c] = pf->cls[c + 'a' - 'A'];
}

void
prefilter_build(struct prefilter *pf)
{
	uint32_t	*fail, *queue, s, t, f;
	size_t		 i, k, c, nc, max, head = 0, tail = 0;

	prefilter_clear(pf);
	if (pf->nlits == 0)
		return;
	prefilter_classes(pf);
	nc = pf->ncls;
	max = pf->total + 1;
	if (max * nc >= PF_HIT)
		return;		/* absurdly many literals: no prefilter */
	pf->delta = xreallocarray(NULL, max * nc, sizeof *pf->delta);
	memset(pf->delta, 0xff, max * nc * sizeof *pf->delta);
	pf->out = xreallocarray(NULL, max, sizeof *pf->out);
	memset(pf->out, 0xff, max * sizeof *pf->out);
	pf->dict = xcalloc(max, sizeof *pf->dict);
	pf->nstates = 1;

	/* The trie. */
	for (i = 0; i < pf->nlits; i++) {
		s = 0;
		for (k = 0; k < pf->lens[i]; k++) {
			c = pf->cls[(unsigned char)pf->lits[i][k]];
			if (pf->delta[s * nc + c] == UINT32_MAX)
				pf->delta[s * nc + c] = (uint32_t)pf->nstates++;
			s = pf->delta[s * nc + c];
		}
		if (s != 0)
			pf->out[s] = (int32_t)i;
	}

	/* Failure links breadth first, turning the trie into a DFA. */
	fail = xcalloc(pf->nstates, sizeof *fail);
	queue = xcalloc(pf->nstates, sizeof *queue);
	for (c = 0; c < nc; c++) {
		t = pf->delta[c];
		if (t == UINT32_MAX)
			pf->delta[c] = 0;
		else
			queue[tail++] = t;	/* fail[t] = 0 */
	}
	while (head < tail) {
		s = queue[head++];
		f = fail[s];
		pf->dict[s] = pf->out[f] >= 0 ? f : pf->dict[f];
		for (c = 0; c < nc; c++) {
			t = pf->delta[s * nc + c];
			if (t == UINT32_MAX)
				pf->delta[s * nc + c] = pf->delta[f * nc + c];
			else {
				fail[t] = pf->delta[f * nc + c];
				queue[tail++] = t;
			}
		}
	}
	free(fail);
	free(queue);

	/* Row offsets and hit bits, for the scan loop. */
	for (i = 0; i < pf->nstates * nc; i++) {
		t = pf->delta[i];
		pf->delta[i] = (uint32_t)(t * nc) |
		    (pf->out[t] >= 0 || pf->dict[t] != 0 ? PF_HIT : 0);
	}
}

void
prefilter_hits_init(struct prefilter_hits *h, size_t n)
{
	/* Only stamp needs zeroes: the rest is read where stamp says so. */
	memset(h, 0, sizeof *h);
	h->stamp = xcalloc(n, sizeof *h->stamp);
	h->nlits = n;
	h->first = xreallocarray(NULL, n, sizeof *h->first);
	h->head = xreallocarray(NULL, n, sizeof *h->head);
	h->count = xreallocarray(NULL, n, sizeof *h->count);
	h->occ = xreallocarray(NULL, PREFILTER_MAX_OCC, sizeof *h->occ);
}

void
prefilter_hits_free(struct prefilter_hits *h)
{
	if (h == NULL)
		return;
	free(h->stamp);
	free(h->first);
	free(h->head);
	free(h->count);
	free(h->occ);
	memset(h, 0, sizeof *h);
}

void
prefilter_hits_clear(struct prefilter_hits *h)
{
	/* Hits live for many scans (a detect_scratch keeps them from one
	 * message to the next): a stamp left from 2^32 scans ago must not
	 * read as found. */
	if (++h->gen == 0) {
		memset(h->stamp, 0, h->nlits * sizeof *h->stamp);
		h->gen = 1;
	}
	h->nocc = 0;
	h->overflow = 0;
}

/* Occurrences of one lane: its own region of h->occ. */
struct pf_lane {
	size_t		 own;		/* hits ending before: another's */
	size_t		 base;		/* its region of h->occ */
	size_t		 n;
	size_t		 cap;
};

/* Records the literals ending at state row st (a hit) at offset i.  Not
 * inlined: hits are rare, and inlined it crowded the scan loop's states
 * out of the registers. */
static SAGI_NOINLINE void
prefilter_hit(const struct prefilter *pf, uint32_t st, size_t i,
    struct prefilter_hits *h, struct pf_lane *ln)
{
	uint32_t	 t;
	int32_t		 lit;
	size_t		 p;

	if (i < ln->own)
		return;		/* in the overlap: the lane before saw it */
	t = (st & ~PF_HIT) / (uint32_t)pf->ncls;
	for (t = pf->out[t] >= 0 ? t : pf->dict[t]; t != 0; t = pf->dict[t]) {
		lit = pf->out[t];
		p = i + 1 - pf->lens[lit];
		if (h->stamp[lit] != h->gen || p < h->first[lit]) {
			h->stamp[lit] = h->gen;
			h->first[lit] = p;
		}
		if (ln->n == ln->cap) {
			h->overflow = 1;
			continue;
		}
		h->occ[ln->base + ln->n].pos = p;
		h->occ[ln->base + ln->n++].lit = (uint32_t)lit;
	}
}

/*
 * Links each literal's occurrences in offset order.  A lane records in
 * offset order and lanes follow each other, so walking the lanes from the
 * last back gives every list sorted without a sort.
 */
static void
prefilter_link(struct prefilter_hits *h, struct pf_lane *ln, size_t nlanes)
{
	struct prefilter_occ	*o;
	size_t			 l, i;

	for (l = 0; l < nlanes; l++) {
		for (i = 0; i < ln[l].n; i++) {
			o = &h->occ[ln[l].base + i];
			h->head[o->lit] = PREFILTER_NONE;
			h->count[o->lit] = 0;
		}
	}
	for (l = nlanes; l > 0; l--) {
		for (i = ln[l - 1].n; i > 0; i--) {
			o = &h->occ[ln[l - 1].base + i - 1];
			o->next = h->head[o->lit];
			h->head[o->lit] = (uint32_t)(o - h->occ);
			h->count[o->lit]++;
		}
		h->nocc += ln[l - 1].n;
	}
}

/*
 * The scan is bound by the latency of one table load per byte, so long
 * values are cut in PF_LANES chunks scanned side by side; each chunk starts
 * early enough (the longest literal) to see literals crossing into it.
 */
#define PF_LANES	4		/* written out in prefilter_run4 */
/* Below this, setting the lanes up costs more than they save. */
#define PF_LANES_MIN	512

/*
 * Steps the four lanes from step k until one of them hits (returns that
 * step, the states after it in st) or steps is reached.  A function of its
 * own with no call inside, so the states, pointers and tables all stay in
 * registers: with the hit handling in the same loop, the compiler kept
 * the states in memory.  States are size_t, so the index needs no zero
 * extension.
 */
static SAGI_NOINLINE size_t
prefilter_run4(const uint32_t *delta, const unsigned char *cls,
    const unsigned char *const *p, size_t *st, size_t k, size_t steps)
{
	/* Indexed from the end, up to 0: the loop test needs no limit. */
	const unsigned char	*p0 = p[0] + steps, *p1 = p[1] + steps;
	const unsigned char	*p2 = p[2] + steps, *p3 = p[3] + steps;
	ptrdiff_t		 j = (ptrdiff_t)k - (ptrdiff_t)steps;
	size_t			 s0, s1, s2, s3;

	/* The loop ends at the first hit bit, so only here can one be set. */
	s0 = st[0] & ~PF_HIT;
	s1 = st[1] & ~PF_HIT;
	s2 = st[2] & ~PF_HIT;
	s3 = st[3] & ~PF_HIT;
	for (; j < 0; j++) {
		s0 = delta[s0 + cls[p0[j]]];
		s1 = delta[s1 + cls[p1[j]]];
		s2 = delta[s2 + cls[p2[j]]];
		s3 = delta[s3 + cls[p3[j]]];
		if ((s0 | s1 | s2 | s3) & PF_HIT)
			break;
	}
	st[0] = s0;
	st[1] = s1;
	st[2] = s2;
	st[3] = s3;
	return (size_t)((ptrdiff_t)steps + j);
}

void
prefilter_scan(const struct prefilter *pf, const char *s, size_t len,
    struct prefilter_hits *h)
{
	const unsigned char	*u = (const unsigned char *)s;
	const unsigned char	*cls;
	const uint32_t		*delta;
	struct pf_lane		 ln[PF_LANES];
	size_t			 i, k, l, chunk, over, steps;
	size_t			 at[PF_LANES], end[PF_LANES];
	uint32_t		 st[PF_LANES];
	const unsigned char	*lp[PF_LANES];
	size_t			 ls[PF_LANES], s0;

	prefilter_hits_clear(h);
	if (pf == NULL || pf->delta == NULL)
		return;
	/* Locals: the stores through h must not reload these. */
	delta = pf->delta;
	cls = pf->cls;
	over = pf->maxlen;
	/* Lanes must be longer than the overlap they start with. */
	if (len < PF_LANES_MIN || over >= len / PF_LANES) {
		ln[0].own = ln[0].base = ln[0].n = 0;
		ln[0].cap = PREFILTER_MAX_OCC;
		s0 = 0;
		for (i = 0; i < len; i++) {
			s0 = delta[s0 + cls[u[i]]];
			if (s0 & PF_HIT) {
				prefilter_hit(pf, (uint32_t)s0, i, h, &ln[0]);
				s0 &= ~PF_HIT;
			}
		}
		prefilter_link(h, ln, 1);
		return;
	}
	chunk = len / PF_LANES;
	for (l = 0; l < PF_LANES; l++) {
		at[l] = l == 0 ? 0 : l * chunk - over;
		end[l] = l == PF_LANES - 1 ? len : (l + 1) * chunk;
		st[l] = 0;
		ln[l].own = l * chunk;
		ln[l].cap = PREFILTER_MAX_OCC / PF_LANES;
		ln[l].base = l * ln[l].cap;
		ln[l].n = 0;
	}
	steps = end[0] - at[0];		/* the shortest lane */
	for (l = 0; l < PF_LANES; l++) {
		lp[l] = u + at[l];
		ls[l] = 0;
	}
	for (k = 0; (k = prefilter_run4(delta, cls, lp, ls, k, steps)) < steps;
	    k++) {
		for (l = 0; l < PF_LANES; l++) {
			if (ls[l] & PF_HIT)
				prefilter_hit(pf, (uint32_t)ls[l], at[l] + k, h,
				    &ln[l]);
		}
	}
	for (l = 0; l < PF_LANES; l++) {
		st[l] = (uint32_t)ls[l];
		for (i = at[l] + steps; i < end[l]; i++) {
			st[l] = delta[(st[l] & ~PF_HIT) + cls[u[i]]];
			if (st[l] & PF_HIT)
				prefilter_hit(pf, st[l], i, h, &ln[l]);
		}
	}
	prefilter_link(h, ln, PF_LANES);
}
