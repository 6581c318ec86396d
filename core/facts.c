/* SPDX-License-Identifier: ISC */
/*
 * The fact catalogue and the per-message fact container.  The container is
 * reset and refilled for every message, so it keeps its instance slots and
 * their string buffers between messages: in steady state facts_add copies
 * into memory it already owns and allocates nothing.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "sagi.h"
#include "xalloc.h"

/* Buffers above this size are released on reset rather than kept, so one
 * huge message does not pin its memory for the rest of the session. */
#define FACTS_KEEP_MAX	(1024 * 1024)

struct fact_var {
	char	*name;
	size_t	 namecap;
	char	*value;
	size_t	 valcap;
};

struct fact_inst {
	char		*value;		/* NUL-terminated copy */
	size_t		 len;
	size_t		 cap;
	int		 utf8;		/* value is valid UTF-8 */
	struct fact_var	*vars;		/* nvars in use, varcap allocated */
	size_t		 nvars;
	size_t		 varcap;
};

struct fact_list {
	struct fact_inst *inst;		/* n in use, cap allocated, zeroed */
	size_t		  n;
	size_t		  cap;
};

struct facts {
	struct fact_list lists[FACT__COUNT];
};

static const struct fact_def facts_defs[] = {
#define FACTS_DEF(id, name, vars, summary) { name, vars, summary },
	FACTS_CATALOGUE(FACTS_DEF)
#undef FACTS_DEF
};

/* Universal variables every fact has (filled by the engine). */
static const char *const facts_universal[] = {
	"value", "match", "brand", "brand_name"
};

const struct fact_def *
facts_def(enum fact_id id)
{
	if ((int)id < 0 || id >= FACT__COUNT)
		return NULL;
	return &facts_defs[id];
}

int
facts_lookup(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return -1;
	for (i = 0; i < FACT__COUNT; i++) {
		if (strcmp(facts_defs[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

int
facts_has_var(enum fact_id id, const char *var)
{
	const char	*p, *end;
	size_t		 i, vlen;

	if (var == NULL || *var == '\0' || (int)id < 0 || id >= FACT__COUNT)
		return 0;
	for (i = 0; i < SAGI_NITEMS(facts_universal); i++) {
		if (strcmp(facts_universal[i], var) == 0)
			return 1;
	}
	vlen = strlen(var);
	p = facts_defs[id].vars;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		end = p;
		while (*end != '\0' && *end != ' ')
			end++;
		if ((size_t)(end - p) == vlen && memcmp(p, var, vlen) == 0)
			return 1;
		p = end;
	}
	return 0;
}

/* Lead bytes of three-byte characters whose second byte may be any
 * continuation byte (not E0 or ED). */
/* clang-format off */
static const unsigned char facts_lead3[256] = {
	[0xe1] = 1, [0xe2] = 1, [0xe3] = 1, [0xe4] = 1, [0xe5] = 1,
	[0xe6] = 1, [0xe7] = 1, [0xe8] = 1, [0xe9] = 1, [0xea] = 1,
	[0xeb] = 1, [0xec] = 1, [0xee] = 1, [0xef] = 1,
};
/* clang-format on */

/*
 * 1 when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates).
 * Runs over every body for every message, so ASCII goes eight bytes at a
 * time and the three-byte sequences of kana and kanji have a tight loop.
 */
static int
facts_utf8_valid(const unsigned char *s, size_t len)
{
	size_t		 i = 0, n, k;
	unsigned int	 c, min;
	uint64_t	 w;
	uint16_t	 cont;	/* both bytes tested at once: order is moot */

	while (i < len) {
		while (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		/* E1–EC and EE–EF take any continuation bytes: the bulk of
		 * Japanese text, one table test and one two-byte test a
		 * character.  Four characters at once first: their lead
		 * bytes by table, the eight continuation bytes by one
		 * eight-byte test (bytes 1–8: its mask reads the same from
		 * both ends, so byte order is moot) and one two-byte test. */
		while (len - i >= 12 && (facts_lead3[s[i]] &
		    facts_lead3[s[i + 3]] & facts_lead3[s[i + 6]] &
		    facts_lead3[s[i + 9]])) {
			memcpy(&w, s + i + 1, 8);
			memcpy(&cont, s + i + 10, sizeof cont);
			if ((w & 0xc0c000c0c000c0c0ULL) !=
			    0x8080008080008080ULL || (cont & 0xc0c0) != 0x8080)
				break;
			i += 12;
		}
		while (len - i >= 3 && facts_lead3[s[i]]) {
			memcpy(&cont, s + i + 1, sizeof cont);
			if ((cont & 0xc0c0) != 0x8080)
				break;
			i += 3;
		}
		if (i >= len)
			break;
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			min = 0x80;
			c &= 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			min = 0x800;
			c &= 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			min = 0x10000;
			c &= 0x07;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Copies s[0..len) into a reusable buffer, growing it when needed. */
static void
facts_store(char **buf, size_t *cap, const char *s, size_t len)
{
	size_t	 want;

	if (*cap < len + 1) {
		want = *cap * 2;
		if (want < len + 1)
			want = len + 1;
		if (want < 32)
			want = 32;
		free(*buf);
		*buf = xmalloc(want);
		*cap = want;
	}
	if (len != 0)
		memcpy(*buf, s, len);
	(*buf)[len] = '\0';
}

struct facts *
facts_new(void)
{
	return xcalloc(1, sizeof (struct facts));
}

static void
facts_free_inst(struct fact_inst *fi)
{
	size_t	 i;

	free(fi->value);
	for (i = 0; i < fi->varcap; i++) {
		free(fi->vars[i].name);
		free(fi->vars[i].value);
	}
	free(fi->vars);
	memset(fi, 0, sizeof *fi);
}

void
facts_free(struct facts *f)
{
	struct fact_list	*fl;
	size_t			 id, i;

	if (f == NULL)
		return;
	for (id = 0; id < FACT__COUNT; id++) {
		fl = &f->lists[id];
		for (i = 0; i < fl->cap; i++)
			facts_free_inst(&fl->inst[i]);
		free(fl->inst);
	}
	free(f);
}

void
facts_reset(struct facts *f)
{
	struct fact_list	*fl;
	struct fact_inst	*fi;
	size_t			 id, i;

	if (f == NULL)
		return;
	for (id = 0; id < FACT__COUNT; id++) {
		fl = &f->lists[id];
		for (i = 0; i < fl->n; i++) {
			fi = &fl->inst[i];
			if (fi->cap > FACTS_KEEP_MAX) {
				free(fi->value);
				fi->value = NULL;
				fi->cap = 0;
			}
		}
		fl->n = 0;
	}
}

static struct fact_inst *
facts_addn_checked(struct facts *f, enum fact_id id, const char *value,
    size_t len, int known_utf8)
{
	struct fact_list	*fl;
	struct fact_inst	*fi;
	size_t			 newcap;

	if (f == NULL || (int)id < 0 || id >= FACT__COUNT)
		return NULL;
	if (value == NULL) {
		value = "";
		len = 0;
	}
	fl = &f->lists[id];
	if (fl->n == fl->cap) {
		newcap = fl->cap == 0 ? 4 : fl->cap * 2;
		fl->inst = xreallocarray(fl->inst, newcap, sizeof *fl->inst);
		memset(fl->inst + fl->cap, 0,
		    (newcap - fl->cap) * sizeof *fl->inst);
		fl->cap = newcap;
	}
	fi = &fl->inst[fl->n++];
	facts_store(&fi->value, &fi->cap, value, len);
	fi->len = len;
	fi->utf8 = known_utf8 ||
	    facts_utf8_valid((const unsigned char *)value, len);
	fi->nvars = 0;
	return fi;
}

struct fact_inst *
facts_addn(struct facts *f, enum fact_id id, const char *value, size_t len)
{
	return facts_addn_checked(f, id, value, len, 0);
}

struct fact_inst *
facts_addn_utf8(struct facts *f, enum fact_id id, const char *value,
    size_t len)
{
	return facts_addn_checked(f, id, value, len, 1);
}

struct fact_inst *
facts_add(struct facts *f, enum fact_id id, const char *value)
{
	return facts_addn(f, id, value, value == NULL ? 0 : strlen(value));
}

void
facts_set_var(struct facts *f, struct fact_inst *fi, const char *var,
    const char *value)
{
	struct fact_var	*fv;
	size_t		 i, newcap;

	if (f == NULL || fi == NULL || var == NULL)
		return;
	if (value == NULL)
		value = "";
	for (i = 0; i < fi->nvars; i++) {
		fv = &fi->vars[i];
		if (strcmp(fv->name, var) == 0) {
			facts_store(&fv->value, &fv->valcap, value,
			    strlen(value));
			return;
		}
	}
	if (fi->nvars == fi->varcap) {
		newcap = fi->varcap == 0 ? 4 : fi->varcap * 2;
		fi->vars = xreallocarray(fi->vars, newcap, sizeof *fi->vars);
		memset(fi->vars + fi->varcap, 0,
		    (newcap - fi->varcap) * sizeof *fi->vars);
		fi->varcap = newcap;
	}
	fv = &fi->vars[fi->nvars++];
	facts_store(&fv->name, &fv->namecap, var, strlen(var));
	facts_store(&fv->value, &fv->valcap, value, strlen(value));
}

/* Instance i of fact id, or NULL. */
static const struct fact_inst *
facts_get(const struct facts *f, enum fact_id id, size_t i)
{
	if (f == NULL || (int)id < 0 || id >= FACT__COUNT)
		return NULL;
	if (i >= f->lists[id].n)
		return NULL;
	return &f->lists[id].inst[i];
}

size_t
facts_count(const struct facts *f, enum fact_id id)
{
	if (f == NULL || (int)id < 0 || id >= FACT__COUNT)
		return 0;
	return f->lists[id].n;
}

const char *
facts_value(const struct facts *f, enum fact_id id, size_t i)
{
	const struct fact_inst	*fi = facts_get(f, id, i);

	return fi == NULL ? NULL : fi->value;
}

size_t
facts_value_len(const struct facts *f, enum fact_id id, size_t i)
{
	const struct fact_inst	*fi = facts_get(f, id, i);

	return fi == NULL ? 0 : fi->len;
}

int
facts_value_utf8(const struct facts *f, enum fact_id id, size_t i)
{
	const struct fact_inst	*fi = facts_get(f, id, i);

	return fi == NULL ? 0 : fi->utf8;
}

const char *
facts_var(const struct facts *f, enum fact_id id, size_t i, const char *var)
{
	const struct fact_inst	*fi = facts_get(f, id, i);
	size_t			 k;

	if (fi == NULL || var == NULL)
		return NULL;
	for (k = 0; k < fi->nvars; k++) {
		if (strcmp(fi->vars[k].name, var) == 0)
			return fi->vars[k].value;
	}
	return NULL;
}
