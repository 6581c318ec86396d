/* SPDX-License-Identifier: ISC */
/*
 * Unicode normalisation for matching, on ICU: NFKC_Casefold text, the UTS #39
 * confusable skeleton, and words that mix Latin with lookalike scripts.
 * Text is processed in chunks of at most NORM_CHUNK bytes through fixed stack
 * buffers, so a call allocates little more than its result.  Knows no mail.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "buf.h"
#include "norm.h"
#include "xalloc.h"

/*
 * UTF-8 bytes handed to ICU at once.  Each chunk ends just before a
 * character with a normalisation boundary before it, so normalising chunk
 * by chunk gives the same text as normalising the whole input.
 */
#define NORM_CHUNK	4096
/* Characters to step back looking for that boundary (hostile runs of marks). */
#define NORM_CUT_TRIES	32
/* Bytes of UTF-8 collected before they are appended to the result. */
#define NORM_OUT	1024

/*
 * What NFKC_Casefold does to a BMP character, for norm_text's fast path
 * (see norm_mixed).  0 means unknown: that character goes through ICU.
 */
#define NORM_F_BOUNDARY	0x01	/* a normalisation boundary before it */
#define NORM_F_SELF	0x02	/* NFKC_Casefold maps it, alone, to itself */
#define NORM_F_ASCII	0x04	/* ASCII A–Z: its lower case; NUL: nothing */
#define NORM_F_WIDE	0x08	/* full-width ASCII: that character, lowered */
#define NORM_F_FAST	(NORM_F_SELF | NORM_F_ASCII | NORM_F_WIDE)

struct norm {
	const UNormalizer2	*nfkc_cf;	/* ICU singleton, not closed */
	USpoofChecker		*spoof;		/* owned */
	uint8_t			*bmp;		/* owned: NORM_F_* per U+0000–U+FFFF */
};

/*
 * Where the table is asked of ICU at start-up (some 2,300 characters): Latin,
 * Greek, Cyrillic and the other small alphabets, general punctuation (the
 * quotes and dashes of English mail), CJK punctuation and kana.  CJK
 * Unified Ideographs and the full-width ASCII forms are set without asking:
 * 21,000 more ICU calls would cost more than many mails, and Unicode's
 * normalisation stability keeps them as they are (tests/unit/test-norm.c
 * checks both against ICU).
 */
static const struct {
	UChar32		 lo, hi;	/* [lo, hi) */
} norm_asked[] = {
	{ 0x0080, 0x0800 }, { 0x2000, 0x2070 }, { 0x3000, 0x3100 },
};
#define NORM_CJK_LO	0x4e00		/* CJK Unified Ideographs: themselves */
#define NORM_CJK_HI	0xa000
#define NORM_WIDE_LO	0xff01		/* ！ to ～: U+0021 to U+007E */
#define NORM_WIDE_HI	0xff5f

static void
norm_table(struct norm *n)
{
	UErrorCode	 st;
	UChar		 u[1];
	UChar32		 c;
	size_t		 k;

	n->bmp = xcalloc(0x10000, 1);
	for (c = 0; c < 0x80; c++)
		n->bmp[c] = NORM_F_BOUNDARY | (c == 0 || (c >= 'A' && c <= 'Z') ?
		    NORM_F_ASCII : NORM_F_SELF);
	for (k = 0; k < SAGI_NITEMS(norm_asked); k++) {
		for (c = norm_asked[k].lo; c < norm_asked[k].hi; c++) {
			st = U_ZERO_ERROR;
			u[0] = (UChar)c;
			if (unorm2_hasBoundaryBefore(n->nfkc_cf, c))
				n->bmp[c] |= NORM_F_BOUNDARY;
			if (unorm2_isNormalized(n->nfkc_cf, u, 1, &st) &&
			    U_SUCCESS(st))
				n->bmp[c] |= NORM_F_SELF;
		}
	}
	for (c = NORM_CJK_LO; c < NORM_CJK_HI; c++)
		n->bmp[c] = NORM_F_BOUNDARY | NORM_F_SELF;
	for (c = NORM_WIDE_LO; c < NORM_WIDE_HI; c++)
		n->bmp[c] = NORM_F_BOUNDARY | NORM_F_WIDE;
}

/* A UTF-16 work buffer: starts on the caller's stack, moves to the heap. */
struct norm_u16 {
	UChar		*p;
	int32_t		 len;
	int32_t		 cap;
	UChar		*heap;		/* owned; NULL while p is the stack */
};

typedef int32_t	(*norm_stage_fn)(const struct norm *, const UChar *, int32_t,
		    UChar *, int32_t, UErrorCode *);

struct norm *
norm_new(char **cause)
{
	struct norm	*n;
	UErrorCode	 st = U_ZERO_ERROR;

	n = xcalloc(1, sizeof *n);
	n->nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
	if (U_FAILURE(st)) {
		*cause = xasprintf("ICU NFKC_Casefold normaliser: %s",
		    u_errorName(st));
		free(n);
		return NULL;
	}
	n->spoof = uspoof_open(&st);
	if (U_FAILURE(st)) {
		*cause = xasprintf("ICU spoof checker: %s", u_errorName(st));
		free(n);
		return NULL;
	}
	norm_table(n);
	return n;
}

void
norm_free(struct norm *n)
{
	if (n == NULL)
		return;
	uspoof_close(n->spoof);
	free(n->bmp);
	free(n);
}

static void
norm_u16_init(struct norm_u16 *u, UChar *stack, int32_t cap)
{
	u->p = stack;
	u->len = 0;
	u->cap = cap;
	u->heap = NULL;
}

static void
norm_u16_grow(struct norm_u16 *u, int32_t need)
{
	if (need <= u->cap)
		return;
	free(u->heap);
	u->heap = xreallocarray(NULL, (size_t)need, sizeof *u->heap);
	u->p = u->heap;
	u->cap = need;
}

static void
norm_u16_release(struct norm_u16 *u)
{
	free(u->heap);
	u->heap = NULL;
}

static int32_t
norm_stage_casefold(const struct norm *n, const UChar *src, int32_t len,
    UChar *dst, int32_t cap, UErrorCode *st)
{
	return unorm2_normalize(n->nfkc_cf, src, len, dst, cap, st);
}

static int32_t
norm_stage_skeleton(const struct norm *n, const UChar *src, int32_t len,
    UChar *dst, int32_t cap, UErrorCode *st)
{
	return uspoof_getSkeleton(n->spoof, 0, src, len, dst, cap, st);
}

/*
 * Runs one ICU transformation from src into dst, growing dst once if ICU
 * says it is too small.  ICU fails here only when it cannot allocate, and
 * there is no error channel in this API, so the text then passes through
 * unchanged rather than being lost.
 */
static void
norm_stage(const struct norm *n, norm_stage_fn fn, const struct norm_u16 *src,
    struct norm_u16 *dst)
{
	UErrorCode	 st = U_ZERO_ERROR;
	int32_t		 len;

	len = fn(n, src->p, src->len, dst->p, dst->cap, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR) {
		norm_u16_grow(dst, len);
		st = U_ZERO_ERROR;
		len = fn(n, src->p, src->len, dst->p, dst->cap, &st);
	}
	if (U_FAILURE(st)) {
		norm_u16_grow(dst, src->len);
		memcpy(dst->p, src->p, (size_t)src->len * sizeof *src->p);
		len = src->len;
	}
	dst->len = len;
}

/*
 * Length of the next chunk of s: all of it when short, else a cut at or
 * before NORM_CHUNK that falls on a character boundary and, when one is
 * found within NORM_CUT_TRIES characters, before a character that starts a
 * new normalisation segment (so "ｿ" + "ﾞ" is never split from its mark).
 */
static size_t
norm_cut(const struct norm *n, const uint8_t *s, size_t len)
{
	int32_t	 e, first, i, lim, tries;
	UChar32	 c;

	if (len <= NORM_CHUNK)
		return len;
	lim = len < NORM_CHUNK + 4 ? (int32_t)len : NORM_CHUNK + 4;
	e = NORM_CHUNK;
	U8_SET_CP_START(s, 0, e);
	first = e;
	for (tries = 0; tries < NORM_CUT_TRIES && e > 0; tries++) {
		i = e;
		U8_NEXT(s, i, lim, c);
		if (c < 0 || unorm2_hasBoundaryBefore(n->nfkc_cf, c))
			return (size_t)e;
		U8_BACK_1(s, 0, e);
	}
	return (size_t)first;
}

/*
 * Appends n bytes, dropping NUL: the result is a C string, and a NUL
 * inside it would hide the rest of the text from every rule.
 */
static void
norm_append(struct buf *out, const char *p, size_t n)
{
	const char	*z;

	while ((z = memchr(p, '\0', n)) != NULL) {
		buf_add(out, p, (size_t)(z - p));
		n -= (size_t)(z - p) + 1;
		p = z + 1;
	}
	buf_add(out, p, n);
}

/* Appends UTF-16 (well-formed: it came from a U+FFFD conversion) as UTF-8. */
static void
norm_emit(struct buf *out, const struct norm_u16 *u)
{
	char		 stack[3 * NORM_CHUNK], *p, *heap;
	int32_t		 len, cap;
	UErrorCode	 st = U_ZERO_ERROR;

	/* A UTF-16 unit never needs more than 3 bytes of UTF-8. */
	cap = 3 * u->len;
	heap = NULL;
	p = stack;
	if ((size_t)cap > sizeof stack)
		p = heap = xmalloc((size_t)cap);
	u_strToUTF8(p, cap, &len, u->p, u->len, &st);
	if (U_SUCCESS(st))
		norm_append(out, p, (size_t)len);
	free(heap);
}

/*
 * Lower-cases 8 ASCII bytes at once: a byte gets 0x20 added when it is at
 * least 'A' and not above 'Z'.  No carries cross bytes, as all are < 0x80.
 */
static uint64_t
norm_ascii_lower8(uint64_t w)
{
	const uint64_t	 ones = UINT64_C(0x0101010101010101);
	uint64_t	 ge_a, gt_z;

	ge_a = w + ones * (0x80 - 'A');
	gt_z = w + ones * (0x80 - 'Z' - 1);
	return w | ((ge_a & ~gt_z & ones * 0x80) >> 2);
}

/* Pure ASCII needs no ICU: NFKC_Casefold of ASCII is its lower case. */
static int
norm_ascii(struct buf *out, const uint8_t *s, size_t len)
{
	char		 tmp[NORM_OUT];
	uint64_t	 w;
	size_t		 i, n, t;

	for (i = 0; i + sizeof w <= len; i += sizeof w) {
		memcpy(&w, s + i, sizeof w);
		if (w & UINT64_C(0x8080808080808080))
			return 0;
	}
	for (; i < len; i++) {
		if (s[i] >= 0x80)
			return 0;
	}
	for (i = 0; i < len; i += n) {
		n = len - i < sizeof tmp ? len - i : sizeof tmp;
		for (t = 0; t + sizeof w <= n; t += sizeof w) {
			memcpy(&w, s + i + t, sizeof w);
			w = norm_ascii_lower8(w);
			memcpy(tmp + t, &w, sizeof w);
		}
		for (; t < n; t++)
			tmp[t] = (char)(s[i + t] |
			    ((unsigned int)(s[i + t] - 'A') < 26) << 5);
		norm_append(out, tmp, n);
	}
	return 1;
}

/*
 * Converts len (at most NORM_CHUNK) bytes of utf8 to UTF-16 with U+FFFD
 * for invalid bytes, runs the stages in turn (ping-ponging between a and
 * b) and appends the UTF-8 of the last one to out.
 */
static void
norm_icu(const struct norm *n, struct buf *out, const char *utf8, size_t len,
    const norm_stage_fn *stages, size_t nstages, struct norm_u16 *a,
    struct norm_u16 *b)
{
	struct norm_u16	*src, *dst, *tmp;
	UErrorCode	 st;
	size_t		 i;

	/* Each input byte yields at most one UTF-16 unit: it fits. */
	st = U_ZERO_ERROR;
	u_strFromUTF8WithSub(a->p, a->cap, &a->len, utf8, (int32_t)len,
	    0xfffd, NULL, &st);
	if (U_FAILURE(st))
		a->len = 0;
	src = a;
	dst = b;
	for (i = 0; i < nstages; i++) {
		norm_stage(n, stages[i], src, dst);
		tmp = src;
		src = dst;
		dst = tmp;
	}
	norm_emit(out, src);
}

/*
 * norm_mixed's common case, a run of characters that are copied as they
 * are (ASCII other than capitals and NUL, kana, kanji): steps over them
 * from i and returns where the first character that needs a decision
 * starts, with the last one stepped over in *prev and *plen (left alone
 * when there was none).  Runs of one length go in loops of their own, the
 * three-byte one testing a character's bytes together: this is most of
 * the text of Japanese mail.
 */
static size_t
norm_copied(const struct norm *n, const uint8_t *s, size_t i, size_t len,
    size_t *prev, size_t *plen)
{
	const uint8_t	 want = NORM_F_BOUNDARY | NORM_F_SELF;
	const uint8_t	*bmp = n->bmp;
	size_t		 j;
	unsigned int	 b0;
	uint16_t	 cont;	/* both bytes tested at once: order is moot */

	for (;;) {
		for (j = i; j < len && s[j] < 0x80 && bmp[s[j]] == want; j++)
			;
		if (j != i) {
			*prev = j - 1;
			*plen = 1;
			i = j;
		}
		/* E1–EC: never an overlong or a surrogate. */
		for (j = i; j + 3 <= len; j += 3) {
			b0 = s[j];
			memcpy(&cont, s + j + 1, sizeof cont);
			if (b0 - 0xe1 > 0xec - 0xe1 ||
			    (cont & 0xc0c0) != 0x8080 ||
			    bmp[(b0 & 0x0f) << 12 | (s[j + 1] & 0x3f) << 6 |
			    (s[j + 2] & 0x3f)] != want)
				break;
		}
		if (j == i)
			return i;
		*prev = j - 3;
		*plen = 3;
		i = j;
	}
}

/*
 * NFKC_Casefold of a chunk that is not all ASCII, without ICU where the
 * table knows better.  Normalisation works segment by segment, a segment
 * running from one boundary to the next, so a character with a boundary
 * before it and after it (before the next character, or at the end of the
 * chunk, where norm_run cuts) is a segment alone: when the table says it
 * maps to itself (kana, kanji, most punctuation), it is copied, and when to
 * an ASCII character (upper case, full-width forms), that is written.  What
 * lies between such characters starts and ends on boundaries and goes
 * through ICU as the whole chunk did before: the same text, at a fraction
 * of the work on Japanese mail.  One pass; the fate of each character is
 * settled when the next one shows whether a boundary follows it.
 */
static void
norm_mixed(const struct norm *n, struct buf *out, const uint8_t *s,
    size_t len, const norm_stage_fn *stages, size_t nstages,
    struct norm_u16 *a, struct norm_u16 *b)
{
	size_t		 i = 0, l = 0, run = 0, slow = 0, prev = 0, plen = 0;
	int		 inslow = 0;
	int32_t		 c = 0, pc = 0;
	uint8_t		 b0, f, pf = 0;

	for (;;) {
		f = NORM_F_BOUNDARY;		/* the end of the chunk */
		if (i < len) {
			b0 = s[i];
			if (b0 < 0x80) {
				c = b0;
				l = 1;
			} else if (len - i >= 3 && (b0 & 0xf0) == 0xe0 &&
			    (s[i + 1] & 0xc0) == 0x80 &&
			    (s[i + 2] & 0xc0) == 0x80 &&
			    (b0 != 0xe0 || s[i + 1] >= 0xa0) &&
			    (b0 != 0xed || s[i + 1] < 0xa0)) {
				c = (int32_t)(b0 & 0x0f) << 12 |
				    (int32_t)(s[i + 1] & 0x3f) << 6 |
				    (s[i + 2] & 0x3f);
				l = 3;
			} else if (len - i >= 2 && b0 >= 0xc2 && b0 <= 0xdf &&
			    (s[i + 1] & 0xc0) == 0x80) {
				c = (int32_t)(b0 & 0x1f) << 6 | (s[i + 1] & 0x3f);
				l = 2;
			} else {
				c = -1;	/* ICU's: four bytes or ill-formed */
				l = 1;
			}
			f = c >= 0 ? n->bmp[c] : 0;
		}
		/* The character before i, now that the boundary is known. */
		if (plen != 0 && (pf & NORM_F_FAST) &&
		    (pf & NORM_F_BOUNDARY) && (f & NORM_F_BOUNDARY)) {
			if (inslow)
				norm_icu(n, out, (const char *)s + slow,
				    prev - slow, stages, nstages, a, b);
			else if (!(pf & NORM_F_SELF))
				buf_add(out, s + run, prev - run);
			if (!(pf & NORM_F_SELF)) {
				if (pf & NORM_F_WIDE)
					pc -= 0xfee0;
				if (pc != 0)	/* NUL is dropped */
					buf_addc(out, (char)(pc |
					    ((unsigned int)(pc - 'A') < 26) << 5));
				run = prev + plen;
			} else if (inslow)
				run = prev;
			inslow = 0;
		} else if (plen != 0 && !inslow) {
			buf_add(out, s + run, prev - run);
			inslow = 1;
			slow = prev;
		}
		if (i >= len)
			break;
		prev = i;
		plen = l;
		pc = c;
		pf = f;
		i += l;
		/*
		 * The common case, a run of characters that are copied as
		 * they are: nothing to do but step over them.  Leaves at the
		 * first character that needs a decision, which the loop
		 * above reads again.
		 */
		if (!inslow && pf == (NORM_F_BOUNDARY | NORM_F_SELF))
			i = norm_copied(n, s, i, len, &prev, &plen);
	}
	if (inslow)
		norm_icu(n, out, (const char *)s + slow, len - slow, stages,
		    nstages, a, b);
	else
		buf_add(out, s + run, len - run);
}

/*
 * The shared driver: cuts utf8 into chunks and normalises each, through
 * norm_ascii or norm_mixed when fast is set (NFKC_Casefold alone), else
 * through the stages in ICU.  Owned result.
 */
static char *
norm_run(const struct norm *n, const char *utf8, size_t len,
    const norm_stage_fn *stages, size_t nstages, int fast)
{
	UChar		 stack_a[NORM_CHUNK], stack_b[NORM_CHUNK];
	struct norm_u16	 a, b;
	struct buf	 out;
	const uint8_t	*s = (const uint8_t *)utf8;
	size_t		 off, cut;
	char		*result;

	buf_init(&out);
	if (utf8 == NULL)
		len = 0;
	/* The output is about as long as the input: room for it at once,
	 * not a string of doublings that each copy what came before. */
	(void)buf_reserve(&out, len);
	norm_u16_init(&a, stack_a, NORM_CHUNK);
	norm_u16_init(&b, stack_b, NORM_CHUNK);
	for (off = 0; off < len; off += cut) {
		cut = norm_cut(n, s + off, len - off);
		if (!fast)
			norm_icu(n, &out, utf8 + off, cut, stages, nstages,
			    &a, &b);
		else if (!norm_ascii(&out, s + off, cut))
			norm_mixed(n, &out, s + off, cut, stages, nstages,
			    &a, &b);
	}
	norm_u16_release(&a);
	norm_u16_release(&b);
	result = buf_take(&out);
	buf_free(&out);		/* buf_take left a fresh empty buffer */
	return result;
}

char *
norm_text(const struct norm *n, const char *utf8, size_t len)
{
	static const norm_stage_fn stages[] = { norm_stage_casefold };

	return norm_run(n, utf8, len, stages, SAGI_NITEMS(stages), 1);
}

/*
 * Case folding has to come first: the UTS #39 data maps "m" to its
 * prototype "rn" but leaves "M" alone, so skeleton-then-fold gives "amazon"
 * for "AMAZ0N" and "arnazon" for "amazon".  Folding first (NFKC_Casefold,
 * which also maps full-width forms and drops invisibles) and folding again
 * afterwards (some prototypes are capitals: "0" becomes "O") gives one key
 * for all of them; the second NFKC_Casefold also recomposes the skeleton's
 * NFD output, so "ゾ" stays one character.  The price: a capital I standing
 * for l ("PayPaI") is folded to i before the skeleton could see it.
 */
char *
norm_skeleton(const struct norm *n, const char *utf8, size_t len)
{
	static const norm_stage_fn stages[] = {
		norm_stage_casefold, norm_stage_skeleton, norm_stage_casefold
	};

	return norm_run(n, utf8, len, stages, SAGI_NITEMS(stages), 0);
}

enum norm_class {
	NORM_BREAK,		/* ends a word */
	NORM_LATIN,		/* Latin letter, not full-width */
	NORM_FULLWIDTH,		/* full-width Latin letter U+FF21–U+FF5A */
	NORM_LOOKALIKE,		/* letter of a Latin-confusable script */
	NORM_DIGIT,		/* digit of script Common (ASCII, full-width) */
	NORM_MARK,		/* combining mark: part of the letter before */
	NORM_IGNORABLE		/* invisible: inside a word, never at its end */
};

static enum norm_class
norm_class(UChar32 c)
{
	UErrorCode	 st = U_ZERO_ERROR;
	int8_t		 gc;

	if (c < 0x80) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			return NORM_LATIN;
		if (c >= '0' && c <= '9')
			return NORM_DIGIT;
		return NORM_BREAK;
	}
	if ((c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a))
		return NORM_FULLWIDTH;
	if (c >= 0xff10 && c <= 0xff19)
		return NORM_DIGIT;
	/*
	 * The bulk of Japanese mail, answered without ICU lookups: CJK
	 * punctuation, kana (with ー and the voiced marks, which only follow
	 * kana), Han, and the rest of the full- and half-width forms.
	 */
	if ((c >= 0x3000 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) ||
	    (c >= 0xff01 && c <= 0xff9f))
		return NORM_BREAK;
	if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
		return NORM_IGNORABLE;
	gc = u_charType(c);
	if (gc == U_NON_SPACING_MARK || gc == U_ENCLOSING_MARK ||
	    gc == U_COMBINING_SPACING_MARK)
		return NORM_MARK;
	if (gc == U_DECIMAL_DIGIT_NUMBER) {
		if (uscript_getScript(c, &st) == USCRIPT_COMMON)
			return NORM_DIGIT;
		return NORM_BREAK;
	}
	if (!u_isalpha(c))
		return NORM_BREAK;
	/* Han, kana and ー (Common) are not listed: Japanese ends a word. */
	switch (uscript_getScript(c, &st)) {
	case USCRIPT_LATIN:
		return NORM_LATIN;
	case USCRIPT_CYRILLIC:
	case USCRIPT_GREEK:
	case USCRIPT_ARMENIAN:
	case USCRIPT_CHEROKEE:
		return NORM_LOOKALIKE;
	default:
		return NORM_BREAK;
	}
}

/*
 * Where scanning may resume after a word break at i, skipping what cannot
 * be part of a reported word.  U+3000–U+9FFF (lead bytes E3–E9: CJK
 * punctuation, kana, Han) never starts a word.  A word of ASCII alone is
 * never reported, so an ASCII stretch is skipped up to the next non-ASCII
 * byte, backing up over the letters and digits just before it, which belong
 * to the same word.  Returns len when nothing reportable is left.
 */
static size_t
norm_skip(const uint8_t *s, size_t i, size_t len)
{
	uint64_t	 w;
	uint16_t	 cont;	/* two continuation bytes tested at once */
	size_t		 from;

	for (;;) {
		for (; i + 3 <= len && s[i] - 0xe3u <= 0xe9 - 0xe3; i += 3) {
			memcpy(&cont, s + i + 1, sizeof cont);
			if ((cont & 0xc0c0) != 0x8080)
				break;
		}
		if (i == len || s[i] >= 0x80)
			return i;

		from = i;
		while (len - i >= sizeof w) {
			memcpy(&w, s + i, sizeof w);
			if (w & UINT64_C(0x8080808080808080))
				break;
			i += sizeof w;
		}
		while (i < len && s[i] < 0x80)
			i++;
		if (i == len)
			return len;
		while (i > from && norm_class(s[i - 1]) != NORM_BREAK)
			i--;
		if (s[i] < 0x80)
			return i;
	}
}

size_t
norm_mixed_script_words(const struct norm *n, const char *text, size_t len,
    norm_word_fn fn, void *arg)
{
	const uint8_t	*s = (const uint8_t *)text;
	enum norm_class	 cl;
	size_t		 i, at, start, end, count;
	int		 inword, latin, other;
	UChar32		 c;

	(void)n;	/* ICU property data is global: n is for symmetry */
	if (text == NULL)
		return 0;
	count = 0;
	inword = latin = other = 0;
	start = end = 0;
	for (i = norm_skip(s, 0, len);; /* U8_NEXT */) {
		at = i;
		if (i < len) {
			U8_NEXT(s, i, len, c);
			cl = c < 0 ? NORM_BREAK : norm_class(c);
		} else
			cl = NORM_BREAK;
		if (cl == NORM_BREAK) {
			if (inword && latin && other) {
				count++;
				if (fn != NULL)
					fn(arg, text + start, end - start);
			}
			inword = 0;
			if (at >= len)
				break;
			i = norm_skip(s, i, len);
			continue;
		}
		if (!inword) {
			/* A mark or an invisible cannot start a word. */
			if (cl == NORM_MARK || cl == NORM_IGNORABLE)
				continue;
			inword = 1;
			latin = other = 0;
			start = at;
		}
		if (cl == NORM_LATIN)
			latin = 1;
		else if (cl == NORM_FULLWIDTH || cl == NORM_LOOKALIKE)
			other = 1;
		/* An invisible never ends the reported word. */
		if (cl != NORM_IGNORABLE)
			end = i;
	}
	return count;
}
