/* SPDX-License-Identifier: ISC */
/*
 * The IMAP store: UID-based listing with an on-disk cache, fetching what
 * the classifier needs (whole small messages; header and text parts of
 * big ones, guided by BODYSTRUCTURE), the junk folder by SPECIAL-USE, and
 * moves that can never lose a message: UID MOVE, else UID COPY + \Deleted
 * + UID EXPUNGE of exactly those UIDs — never a bare EXPUNGE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cache.h"
#include "imap-session.h"
#include "imap-utf7.h"
#include "journal.h"
#include "source.h"
#include "store-int.h"
#include "xalloc.h"

#define IMAP_LIST_CHUNK		500	/* UIDs per listing FETCH */
#define IMAP_LIST_FIRST		100	/* ... the first one: a screenful */
#define IMAP_FETCH_BATCH	100	/* UIDs per classifier FETCH */
#define IMAP_MOVE_CHUNK		500	/* UIDs per MOVE / COPY */
#define IMAP_WHOLE_MAX		(256u * 1024)	/* fetched whole up to this */
#define IMAP_PART_CAP		(256u * 1024)	/* bytes kept of each text part */
#define IMAP_MAX_PARTS		64	/* parts looked at in a big message */

struct store_imap {
	struct account		 acct;
	struct imap_session	*s;
	char			*account_key;	/* "imap://user@host:port" */
	char			*junk;		/* resolved junk folder, UTF-8 */
	uint32_t		 cache_validity; /* UIDVALIDITY st->cache is for */
	int			 just_selected;	/* no command since SELECT */
};

static const char *const imap_list_headers[] = {
	"Date", "From", "Subject", "Message-ID"
};

/* The usual junk folder names, tried last (RFC 6154 names come first). */
static const char *const imap_junk_names[] = {
	"Junk", "Spam", "Junk E-mail", "Junk Email", "Bulk Mail",
	"迷惑メール", "INBOX.Junk", "INBOX.Spam", "INBOX/Junk", "INBOX/Spam",
	"[Gmail]/Spam", "[Gmail]/迷惑メール",
};

static struct store_imap *
store_imap_impl(struct store *st)
{
	return st->impl;
}

/* ---- UID sets ---------------------------------------------------------- */

static int
store_imap_uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* A set of the uids as ranges (sorted copy; duplicates are harmless). */
static struct mailimap_set *
store_imap_set(const uint32_t *uids, size_t n)
{
	struct mailimap_set	*set = mailimap_set_new_empty();
	uint32_t		*u = xmemdup(uids, n * sizeof *uids);
	size_t			 i, j;

	qsort(u, n, sizeof *u, store_imap_uid_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && (u[j] == u[j - 1] ||
		    u[j] == u[j - 1] + 1); j++)
			;
		mailimap_set_add_interval(set, u[i], u[j - 1]);
	}
	free(u);
	return set;
}

/* Expands a server's set (COPYUID) into uids, capped at max. */
static size_t
store_imap_set_expand(const struct mailimap_set *set, uint32_t *out,
    size_t max)
{
	clistiter	*it;
	size_t		 n = 0;
	uint64_t	 u;

	if (set == NULL || set->set_list == NULL)
		return 0;
	for (it = clist_begin(set->set_list); it != NULL; it = clist_next(it)) {
		struct mailimap_set_item *item = clist_content(it);

		for (u = item->set_first; u <= item->set_last && n < max; u++)
			out[n++] = (uint32_t)u;
	}
	return n;
}

/* ---- fetch results ------------------------------------------------------ */

struct store_imap_att {
	uint32_t	 uid;
	int		 has_flags;
	unsigned int	 flags;
	uint64_t	 modseq;
	uint32_t	 size;
	int64_t		 internaldate;
	const char	*section;	/* the one body section asked for */
	size_t		 section_len;
	struct mailimap_body *bodystructure;
};

static unsigned int
store_imap_flag_bit(const struct mailimap_flag *f)
{
	const char	*kw;

	switch (f->fl_type) {
	case MAILIMAP_FLAG_SEEN:
		return STORE_SEEN;
	case MAILIMAP_FLAG_ANSWERED:
		return STORE_ANSWERED;
	case MAILIMAP_FLAG_FLAGGED:
		return STORE_FLAGGED;
	case MAILIMAP_FLAG_DELETED:
		return STORE_DELETED;
	case MAILIMAP_FLAG_KEYWORD:
		kw = f->fl_data.fl_keyword;
		if (strcasecmp(kw, "$Junk") == 0 || strcasecmp(kw, "Junk") == 0)
			return STORE_JUNK;
		if (strcasecmp(kw, "$NotJunk") == 0 ||
		    strcasecmp(kw, "NonJunk") == 0 ||
		    strcasecmp(kw, "NotJunk") == 0)
			return STORE_NOTJUNK;
		if (strcasecmp(kw, "$Phishing") == 0)
			return STORE_PHISHING;
		return 0;
	}
	return 0;
}

static int64_t
store_imap_date(const struct mailimap_date_time *d)
{
	struct tm	tm;
	int64_t		t;

	if (d == NULL)
		return 0;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = d->dt_year - 1900;
	tm.tm_mon = d->dt_month - 1;
	tm.tm_mday = d->dt_day;
	tm.tm_hour = d->dt_hour;
	tm.tm_min = d->dt_min;
	tm.tm_sec = d->dt_sec;
	t = (int64_t)timegm(&tm);
	/* The zone is +hhmm written as a number; libetpan takes any number,
	 * and a hostile one overflowed an int here (found by fuzz-imap,
	 * corpus file crash-952dc04e): past ±99:59 it means nothing. */
	if (d->dt_zone < -9959 || d->dt_zone > 9959)
		return t;
	return t - ((int64_t)(d->dt_zone / 100) * 3600 +
	    (int64_t)(d->dt_zone % 100) * 60);
}

/* Reads the attributes of one FETCH response that sagi asks for. */
static void
store_imap_att_read(const struct mailimap_msg_att *ma, struct store_imap_att *a)
{
	clistiter	*it, *jt;

	memset(a, 0, sizeof *a);
	for (it = clist_begin(ma->att_list); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att_item	*item = clist_content(it);
		struct mailimap_msg_att_static	*st;

		if (item->att_type == MAILIMAP_MSG_ATT_ITEM_DYNAMIC) {
			a->has_flags = 1;
			if (item->att_data.att_dyn == NULL ||
			    item->att_data.att_dyn->att_list == NULL)
				continue;
			for (jt = clist_begin(item->att_data.att_dyn->att_list);
			    jt != NULL; jt = clist_next(jt)) {
				struct mailimap_flag_fetch *ff = clist_content(jt);

				if (ff->fl_type == MAILIMAP_FLAG_FETCH_OTHER &&
				    ff->fl_flag != NULL)
					a->flags |= store_imap_flag_bit(ff->fl_flag);
			}
			continue;
		}
		if (item->att_type == MAILIMAP_MSG_ATT_ITEM_EXTENSION) {
			struct mailimap_extension_data *ed =
			    item->att_data.att_extension_data;

			if (ed != NULL && ed->ext_extension ==
			    &mailimap_extension_condstore &&
			    ed->ext_type == MAILIMAP_CONDSTORE_TYPE_FETCH_DATA &&
			    ed->ext_data != NULL)
				a->modseq = ((struct
				    mailimap_condstore_fetch_mod_resp *)
				    ed->ext_data)->cs_modseq_value;
			continue;
		}
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
		    (st = item->att_data.att_static) == NULL)
			continue;
		switch (st->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			a->uid = st->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_RFC822_SIZE:
			a->size = st->att_data.att_rfc822_size;
			break;
		case MAILIMAP_MSG_ATT_INTERNALDATE:
			a->internaldate =
			    store_imap_date(st->att_data.att_internal_date);
			break;
		case MAILIMAP_MSG_ATT_BODYSTRUCTURE:
			a->bodystructure = st->att_data.att_bodystructure;
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			if (st->att_data.att_body_section != NULL &&
			    st->att_data.att_body_section->sec_body_part !=
			    NULL) {
				a->section =
				    st->att_data.att_body_section->sec_body_part;
				a->section_len =
				    st->att_data.att_body_section->sec_length;
			}
			break;
		}
	}
}

/* ---- the list ----------------------------------------------------------- */

/* UID FLAGS, and MODSEQ when asked: what every listing FETCH starts with. */
static struct mailimap_fetch_type *
store_imap_flags_type(int modseq)
{
	struct mailimap_fetch_type	*ft;

	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_flags());
	if (modseq)
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		    mailimap_fetch_att_new_modseq());
	return ft;
}

/* What a listing fetches; lean: no header fields (fields_from_bodies). */
static struct mailimap_fetch_type *
store_imap_list_type(const struct imap_session *s, int lean)
{
	struct mailimap_fetch_type	*ft;
	struct mailimap_header_list	*hl;
	clist				*names;
	size_t				 i;

	ft = store_imap_flags_type(0);
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_rfc822_size());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_internaldate());
	if (!lean) {
		names = clist_new();
		for (i = 0; i < SAGI_NITEMS(imap_list_headers); i++)
			clist_append(names, xstrdup(imap_list_headers[i]));
		hl = mailimap_header_list_new(names);
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		    mailimap_fetch_att_new_body_peek_section(
		    mailimap_section_new_header_fields(hl)));
	}
	if (s->caps & IMAP_CAP_CONDSTORE)
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		    mailimap_fetch_att_new_modseq());
	return ft;
}

/* Every UID in the mailbox, ascending. */
static int
store_imap_all_uids(struct store_imap *si, uint32_t **out, size_t *n_out,
    char **cause)
{
	struct mailimap_search_key	*key;
	clist				*result = NULL;
	clistiter			*it;
	uint32_t			*uids;
	size_t				 n = 0;
	int				 rc;

	*out = NULL;
	*n_out = 0;
	if (si->s->exists == 0)
		return 0;
	key = mailimap_search_key_new_all();
	rc = mailimap_uid_search(si->s->imap, NULL, key, &result);
	mailimap_search_key_free(key);
	if (rc != MAILIMAP_NO_ERROR) {
		/* libetpan hands over the (empty) list after a NO too. */
		if (result != NULL)
			mailimap_search_result_free(result);
		*cause = imap_session_cause(si->s, rc, "listing UIDs");
		return -1;
	}
	uids = xcalloc((size_t)clist_count(result) + 1, sizeof *uids);
	for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
		/* RFC 3501 §9: a UID is an nz-number; libetpan would send a
		 * 0 back as "*", and "*:2" skips UID 1 without a word. */
		if (*(uint32_t *)clist_content(it) != 0)
			uids[n++] = *(uint32_t *)clist_content(it);
	}
	mailimap_search_result_free(result);
	qsort(uids, n, sizeof *uids, store_imap_uid_cmp);
	*out = uids;
	*n_out = n;
	return 0;
}

/* Refreshes the flags of messages already in the cache. */
static int
store_imap_refresh_flags(struct store *st, char **cause)
{
	struct store_imap		*si = store_imap_impl(st);
	struct mailimap_fetch_type	*ft;
	struct mailimap_set		*set;
	clist				*result = NULL;
	clistiter			*it;
	uint64_t			 since = cache_highestmodseq(st->cache);
	uint32_t			 last;
	int				 rc;

	if (cache_count(st->cache) == 0)
		return 0;
	/* CONDSTORE: nothing changed since the cache was written. */
	if ((si->s->caps & IMAP_CAP_CONDSTORE) && since != 0 &&
	    since == si->s->highestmodseq)
		return 0;
	last = cache_at(st->cache, cache_count(st->cache) - 1)->uid;
	set = mailimap_set_new_interval(1, last);
	ft = store_imap_flags_type((si->s->caps & IMAP_CAP_CONDSTORE) &&
	    since != 0);
	if ((si->s->caps & IMAP_CAP_CONDSTORE) && since != 0)
		rc = mailimap_uid_fetch_changedsince(si->s->imap, set, ft,
		    since, &result);
	else
		rc = mailimap_uid_fetch(si->s->imap, set, ft, &result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (rc != MAILIMAP_NO_ERROR) {
		*cause = imap_session_cause(si->s, rc, "fetching flags");
		return -1;
	}
	for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
		struct store_imap_att a;

		store_imap_att_read(clist_content(it), &a);
		if (a.uid != 0 && a.has_flags)
			cache_set_flags(st->cache, a.uid, a.flags, a.modseq);
	}
	mailimap_fetch_list_free(result);
	return 0;
}

/* Fetches the list fields of uids[0..n) into the cache. */
static int
store_imap_list_new(struct store *st, const uint32_t *uids, size_t n,
    char **cause)
{
	struct store_imap		*si = store_imap_impl(st);
	int				 lean = st->opts.fields_from_bodies;
	struct mailimap_fetch_type	*ft = store_imap_list_type(si->s, lean);
	struct store_entry		*batch;
	size_t				 at, chunk, nb, i, want;
	size_t				 abatch = IMAP_LIST_CHUNK;
	int				 rc = 0;

	batch = xcalloc(abatch, sizeof *batch);
	for (at = 0; at < n && rc == 0; at += chunk) {
		struct mailimap_set	*set;
		clist			*result = NULL;
		clistiter		*it;

		/* A small first chunk: its rows are the first screen. */
		want = at == 0 && !lean ? IMAP_LIST_FIRST : IMAP_LIST_CHUNK;
		chunk = n - at < want ? n - at : want;
		if (store_progress(st, "listing", at, n)) {
			*cause = xstrdup("cancelled");
			rc = -1;
			break;
		}
		set = store_imap_set(uids + at, chunk);
		rc = mailimap_uid_fetch(si->s->imap, set, ft, &result);
		mailimap_set_free(set);
		if (rc != MAILIMAP_NO_ERROR) {
			*cause = imap_session_cause(si->s, rc, "listing messages");
			rc = -1;
			break;
		}
		nb = 0;
		for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
			struct store_imap_att	 a;
			struct store_entry	*e;
			struct cache_rec	 rec;

			store_imap_att_read(clist_content(it), &a);
			/* A server may send more than asked: unsolicited
			 * FETCH responses (flags; refresh_flags reads those)
			 * or uids that do not exist, which would be listed
			 * and then reported vanished. */
			if (a.uid == 0 || bsearch(&a.uid, uids + at, chunk,
			    sizeof *uids, store_imap_uid_cmp) == NULL)
				continue;
			if (nb == abatch) {
				abatch *= 2;
				batch = xreallocarray(batch, abatch,
				    sizeof *batch);
			}
			e = &batch[nb++];
			memset(e, 0, sizeof *e);
			if (a.section != NULL)
				store_entry_fill_headers(st, e, a.section,
				    a.section_len);
			if (e->from == NULL)
				e->from = store_string(st, "");
			if (e->subject == NULL)
				e->subject = store_string(st, "");
			e->uid = a.uid;
			e->flags = a.flags;
			e->size = a.size;
			if (e->date == 0)
				e->date = a.internaldate;
			memset(&rec, 0, sizeof rec);
			rec.uid = a.uid;
			rec.modseq = a.modseq;
			rec.flags = a.flags;
			rec.size = a.size;
			rec.date = e->date;
			/* Lean: no From in the record says the classifier
			 * still owes the list fields (store_wants_fields). */
			if (!lean) {
				rec.message_id = e->message_id;
				rec.from = e->from;
				rec.from_addr = e->from_addr;
				rec.subject = e->subject;
			}
			cache_put(st->cache, &rec);
			/* Flags alone: nothing to show yet. */
			if (a.section == NULL && !lean)
				store_entry_clear(&batch[--nb]);
		}
		mailimap_fetch_list_free(result);
		store_listed(st, batch, nb);
		for (i = 0; i < nb; i++)
			store_entry_clear(&batch[i]);
	}
	free(batch);
	mailimap_fetch_type_free(ft);
	if (rc == 0)
		store_progress(st, "listing", n, n);
	return rc;
}

/* The cache asks for the verdicts the entries hold when it saves. */
static const struct verdict *
store_imap_lender(void *ctx, uint32_t uid)
{
	struct store_entry	*e = store_entry_find(ctx, uid);

	return e != NULL ? e->verdict : NULL;
}

static int
store_imap_open_cache(struct store *st, char **cause)
{
	struct store_imap	*si = store_imap_impl(st);
	struct cache_key	 key;
	char			*why = NULL;

	/* Re-listed in the same session: the cache in memory stays valid
	 * while the UIDVALIDITY does. */
	if (st->cache != NULL && si->cache_validity == si->s->uidvalidity)
		return 0;
	/* Another mailbox under the same UIDs: nothing of the old list may
	 * go into the new cache. */
	store_entries_clear(st);
	cache_close(st->cache);
	si->cache_validity = si->s->uidvalidity;
	key.account = si->account_key;
	key.mailbox = si->s->selected;
	key.uidvalidity = si->s->uidvalidity;
	key.rules_version = st->opts.rules_version;
	/* The cache's strings are the entries': each is held once. */
	st->cache = cache_open_pooled(st->opts.cache_dir, &key, st->strings,
	    &why);
	if (st->cache == NULL) {
		/* An unusable cache directory costs speed, not the scan. */
		free(why);
		st->cache = cache_open_pooled(NULL, &key, st->strings, cause);
	}
	cache_set_lender(st->cache, store_imap_lender, st);
	return st->cache == NULL ? -1 : 0;
}

static void
store_imap_entries_from_cache(struct store *st)
{
	size_t	i;

	/* Verdicts go back to the cache before the entries are rebuilt. */
	for (i = 0; i < st->nentries; i++) {
		cache_return_verdict(st->cache, st->entries[i].uid,
		    st->entries[i].verdict);
		st->entries[i].verdict = NULL;
	}
	store_entries_clear(st);
	store_entries_reserve(st, cache_count(st->cache));
	for (i = 0; i < cache_count(st->cache); i++) {
		const struct cache_rec	*r = cache_at(st->cache, i);
		struct store_entry	*e = store_entries_add(st, r->uid);

		/* The cache's strings are in st's pool already: the same
		 * pointers come back, nothing is copied. */
		e->message_id = store_string(st, r->message_id);
		e->from = store_string(st, r->from != NULL ? r->from : "");
		e->from_addr = store_string(st, r->from_addr);
		e->subject = store_string(st, r->subject != NULL ? r->subject :
		    "");
		e->date = r->date;
		e->size = r->size;
		e->flags = r->flags;
		e->verdict = cache_lend_verdict(st->cache, r->uid);
	}
}

/* ---- bringing the cache up to date ---------------------------------- */

/* A UID range as a server sent it, put the right way round. */
struct store_imap_range {
	uint32_t	lo, hi;
};

static int
store_imap_range_cmp(const void *a, const void *b)
{
	const struct store_imap_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * The ranges of a set from the server, sorted and merged into disjoint
 * ones so that a binary search can answer.  The set is hostile: ranges
 * either way round ("5:3"), "*" (0 in libetpan), overlaps.  NULL: none.
 */
static struct store_imap_range *
store_imap_ranges(const struct mailimap_set *set, size_t *n_out)
{
	struct store_imap_range	*r;
	clistiter		*it;
	size_t			 n = 0, i, out;

	*n_out = 0;
	if (set == NULL || set->set_list == NULL ||
	    clist_count(set->set_list) <= 0)
		return NULL;
	r = xcalloc((size_t)clist_count(set->set_list), sizeof *r);
	for (it = clist_begin(set->set_list); it != NULL;
	    it = clist_next(it)) {
		const struct mailimap_set_item	*item = clist_content(it);
		uint32_t			 lo, hi;

		lo = item->set_first != 0 ? item->set_first : UINT32_MAX;
		hi = item->set_last != 0 ? item->set_last : UINT32_MAX;
		r[n].lo = lo < hi ? lo : hi;
		r[n].hi = lo < hi ? hi : lo;
		n++;
	}
	qsort(r, n, sizeof *r, store_imap_range_cmp);
	for (i = 1, out = 0; i < n; i++) {
		if (r[out].hi == UINT32_MAX || r[i].lo <= r[out].hi + 1) {
			if (r[i].hi > r[out].hi)
				r[out].hi = r[i].hi;
		} else
			r[++out] = r[i];
	}
	*n_out = out + 1;
	return r;
}

static int
store_imap_ranges_have(const struct store_imap_range *r, size_t n,
    uint32_t uid)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (uid < r[mid].lo)
			hi = mid;
		else if (uid > r[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/*
 * Every UID in the mailbox (UID SEARCH ALL) against the cache: what is gone
 * leaves it, the flags are refreshed, and *fresh gets the UIDs it lacks,
 * ascending.
 */
static int
store_imap_sync_all(struct store *st, uint32_t **fresh_out,
    size_t *nfresh_out, char **cause)
{
	struct store_imap	*si = store_imap_impl(st);
	uint32_t		*uids = NULL, *fresh;
	size_t			 n, i, nfresh = 0;

	if (store_imap_all_uids(si, &uids, &n, cause) != 0)
		return -1;
	cache_retain(st->cache, uids, n);
	if (store_imap_refresh_flags(st, cause) != 0) {
		free(uids);
		return -1;
	}
	fresh = xcalloc(n + 1, sizeof *fresh);
	for (i = 0; i < n; i++) {
		if (cache_lookup(st->cache, uids[i]) == NULL)
			fresh[nfresh++] = uids[i];
	}
	free(uids);
	*fresh_out = fresh;
	*nfresh_out = nfresh;
	return 0;
}

/*
 * The same without listing every UID, when the server can say what changed
 * since the cache was written (RFC 7162): nothing at all when HIGHESTMODSEQ,
 * UIDNEXT and EXISTS are as the cache left them (no flag changed, nothing
 * arrived, so nothing left either); with QRESYNC, one UID FETCH 1:*
 * CHANGEDSINCE that names the expunged UIDs (VANISHED) beside the changed
 * and the new messages.  Returns 1 when it cannot tell — no CONDSTORE, a
 * refusal, or counts that do not add up to EXISTS (a server that left
 * something out; libetpan keeps only the first VANISHED response) — and the
 * caller lists every UID; what was learnt until then is true and stays.
 */
static int
store_imap_sync_quick(struct store *st, uint32_t **fresh_out,
    size_t *nfresh_out, char **cause)
{
	struct store_imap			*si = store_imap_impl(st);
	struct imap_session			*s = si->s;
	struct mailimap_fetch_type		*ft;
	struct mailimap_set			*set;
	struct mailimap_qresync_vanished	*vanished = NULL;
	struct store_imap_range			*gone;
	clist					*result = NULL;
	clistiter				*it;
	uint32_t				*keep, *fresh;
	size_t					 n, i, ngone, nkeep = 0;
	size_t					 nfresh = 0, out;
	uint64_t				 since;
	int					 rc;

	n = cache_count(st->cache);
	since = cache_highestmodseq(st->cache);
	if (n == 0 || since == 0 || !(s->caps & IMAP_CAP_CONDSTORE))
		return 1;
	if (since == s->highestmodseq && s->uidnext != 0 &&
	    s->uidnext == cache_uidnext(st->cache) && s->exists == n) {
		*fresh_out = NULL;
		*nfresh_out = 0;
		return 0;
	}
	if (!s->qresync)
		return 1;
	set = mailimap_set_new_interval(1, 0);
	ft = store_imap_flags_type(1);
	rc = mailimap_uid_fetch_qresync(s->imap, set, ft, since, &result,
	    &vanished);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (rc != MAILIMAP_NO_ERROR) {
		if (!imap_session_rc_broken(rc))
			return 1;
		*cause = imap_session_cause(s, rc, "asking what changed");
		return -1;
	}
	gone = store_imap_ranges(vanished != NULL ? vanished->qr_known_uids :
	    NULL, &ngone);
	keep = xcalloc(n + 1, sizeof *keep);
	for (i = 0; i < n; i++) {
		uint32_t uid = cache_at(st->cache, i)->uid;

		if (!store_imap_ranges_have(gone, ngone, uid))
			keep[nkeep++] = uid;
	}
	cache_retain(st->cache, keep, nkeep);
	free(keep);
	fresh = xcalloc((result != NULL ? (size_t)clist_count(result) : 0) + 1,
	    sizeof *fresh);
	for (it = result != NULL ? clist_begin(result) : NULL; it != NULL;
	    it = clist_next(it)) {
		struct store_imap_att a;

		store_imap_att_read(clist_content(it), &a);
		if (a.uid == 0 || store_imap_ranges_have(gone, ngone, a.uid))
			continue;
		if (cache_lookup(st->cache, a.uid) == NULL)
			fresh[nfresh++] = a.uid;
		else if (a.has_flags)
			cache_set_flags(st->cache, a.uid, a.flags, a.modseq);
	}
	if (result != NULL)
		mailimap_fetch_list_free(result);
	if (vanished != NULL)
		mailimap_qresync_vanished_free(vanished);
	free(gone);
	qsort(fresh, nfresh, sizeof *fresh, store_imap_uid_cmp);
	for (i = 0, out = 0; i < nfresh; i++) {
		if (out == 0 || fresh[out - 1] != fresh[i])
			fresh[out++] = fresh[i];
	}
	nfresh = out;
	if (cache_count(st->cache) + nfresh != s->exists) {
		free(fresh);
		return 1;
	}
	*fresh_out = fresh;
	*nfresh_out = nfresh;
	return 0;
}

/*
 * Adds to fresh the cached messages whose list fields a lean listing left
 * to a classification that did not finish: a listing that shows rows reads
 * their headers again.  fresh stays ascending and without repeats.
 */
static void
store_imap_add_fieldless(struct store *st, uint32_t **fresh, size_t *nfresh)
{
	size_t		 i, n = cache_count(st->cache), nmore = 0, out;
	uint32_t	*all;

	for (i = 0; i < n; i++) {
		if (cache_at(st->cache, i)->from == NULL)
			nmore++;
	}
	if (nmore == 0)
		return;
	all = xcalloc(*nfresh + nmore + 1, sizeof *all);
	if (*nfresh > 0)
		memcpy(all, *fresh, *nfresh * sizeof *all);
	for (i = 0, out = *nfresh; i < n; i++) {
		if (cache_at(st->cache, i)->from == NULL)
			all[out++] = cache_at(st->cache, i)->uid;
	}
	qsort(all, out, sizeof *all, store_imap_uid_cmp);
	for (i = 0, n = out, out = 0; i < n; i++) {
		if (out == 0 || all[out - 1] != all[i])
			all[out++] = all[i];
	}
	free(*fresh);
	*fresh = all;
	*nfresh = out;
}

static int
store_imap_list(struct store *st, char **cause)
{
	struct store_imap	*si = store_imap_impl(st);
	uint32_t		*fresh = NULL;
	size_t			 nfresh = 0;
	char			*why = NULL;
	int			 rc;

	/* A fresh SELECT gives the current UIDVALIDITY, UIDNEXT and
	 * HIGHESTMODSEQ; the one store_open_imap just did is fresh enough. */
	if (!si->just_selected &&
	    imap_session_select(si->s, st->folder, cause) != 0)
		return -1;
	si->just_selected = 0;
	if (store_imap_open_cache(st, cause) != 0)
		return -1;
	if ((rc = store_imap_sync_quick(st, &fresh, &nfresh, cause)) == 1)
		rc = store_imap_sync_all(st, &fresh, &nfresh, cause);
	if (rc != 0)
		return -1;
	if (!st->opts.fields_from_bodies)
		store_imap_add_fieldless(st, &fresh, &nfresh);
	cache_expect(st->cache, cache_count(st->cache) + nfresh);
	/* What the cache knows can be shown while the new ones arrive. */
	if (st->listed != NULL && nfresh > 0 && cache_count(st->cache) > 0) {
		store_imap_entries_from_cache(st);
		store_listed(st, st->entries, st->nentries);
	}
	if (store_imap_list_new(st, fresh, nfresh, cause) != 0) {
		free(fresh);
		return -1;
	}
	free(fresh);
	cache_set_uidnext(st->cache, si->s->uidnext);
	cache_set_highestmodseq(st->cache, si->s->highestmodseq);
	/* A cache that cannot be written costs time later, not mail. */
	if (cache_save(st->cache, &why) != 0)
		free(why);
	store_imap_entries_from_cache(st);
	return 0;
}

/* ---- fetching for the classifier ------------------------------------- */

/* Runs one UID FETCH of a single body section (plus UID) for uids. */
static int
store_imap_fetch_section(struct store_imap *si, const uint32_t *uids,
    size_t n, struct mailimap_section *section, uint32_t partial,
    int with_structure, clist **result, char **cause)
{
	struct mailimap_fetch_type	*ft;
	struct mailimap_set		*set;
	int				 rc;

	if (si->s->broken) {
		if (section != NULL)
			mailimap_section_free(section);
		*cause = xstrdup("fetching messages: the connection is gone");
		return -1;
	}
	set = store_imap_set(uids, n);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	if (with_structure)
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		    mailimap_fetch_att_new_bodystructure());
	if (section != NULL)
		mailimap_fetch_type_new_fetch_att_list_add(ft, partial > 0 ?
		    mailimap_fetch_att_new_body_peek_section_partial(section,
		    0, partial) :
		    mailimap_fetch_att_new_body_peek_section(section));
	rc = mailimap_uid_fetch(si->s->imap, set, ft, result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (rc != MAILIMAP_NO_ERROR) {
		*cause = imap_session_cause(si->s, rc, "fetching messages");
		return -1;
	}
	return 0;
}

/* A part worth giving the classifier in a big message. */
struct store_imap_part {
	char		 section[64];	/* "1.2" */
	int		 body;		/* fetch the body too, not just its header */
};

static const char *
store_imap_media_type(const struct mailimap_body_type_1part *p,
    const char **subtype)
{
	switch (p->bd_type) {
	case MAILIMAP_BODY_TYPE_1PART_TEXT:
		*subtype = p->bd_data.bd_type_text->bd_media_text;
		return "text";
	case MAILIMAP_BODY_TYPE_1PART_MSG:
		*subtype = "rfc822";
		return "message";
	default:
		*subtype = p->bd_data.bd_type_basic->bd_media_basic->med_subtype;
		switch (p->bd_data.bd_type_basic->bd_media_basic->med_type) {
		case MAILIMAP_MEDIA_BASIC_APPLICATION:
			return "application";
		case MAILIMAP_MEDIA_BASIC_IMAGE:
			return "image";
		default:
			return "other";
		}
	}
}

static void
store_imap_walk(const struct mailimap_body *b, const char *prefix,
    struct store_imap_part *parts, size_t *n, int depth)
{
	clistiter	*it;
	int		 i = 1;

	if (b == NULL || depth > 8 || *n >= IMAP_MAX_PARTS)
		return;
	if (b->bd_type == MAILIMAP_BODY_MPART) {
		for (it = clist_begin(b->bd_data.bd_body_mpart->bd_list);
		    it != NULL && *n < IMAP_MAX_PARTS; it = clist_next(it)) {
			char sec[64];

			if (*prefix == '\0')
				snprintf(sec, sizeof sec, "%d", i);
			else
				snprintf(sec, sizeof sec, "%s.%d", prefix, i);
			store_imap_walk(clist_content(it), sec, parts, n,
			    depth + 1);
			i++;
		}
		return;
	}
	{
		const struct mailimap_body_type_1part	*p = b->bd_data.bd_body_1part;
		const struct mailimap_body_fields	*f;
		const char				*type, *sub;
		struct store_imap_part			*part;

		type = store_imap_media_type(p, &sub);
		f = p->bd_type == MAILIMAP_BODY_TYPE_1PART_TEXT ?
		    p->bd_data.bd_type_text->bd_fields :
		    p->bd_type == MAILIMAP_BODY_TYPE_1PART_MSG ?
		    p->bd_data.bd_type_msg->bd_fields :
		    p->bd_data.bd_type_basic->bd_fields;
		part = &parts[(*n)++];
		snprintf(part->section, sizeof part->section, "%s",
		    *prefix == '\0' ? "1" : prefix);
		/* Text is what the rules read; a forwarded message is kept
		 * whole when it is small enough to be one. */
		part->body = strcmp(type, "text") == 0 ||
		    (strcmp(type, "message") == 0 && f != NULL &&
		    f->bd_size <= IMAP_WHOLE_MAX);
		(void)sub;
	}
}

static struct mailimap_section_part *
store_imap_section_part(const char *section)
{
	clist		*ids = clist_new();
	const char	*p = section;

	while (*p != '\0') {
		uint32_t *id = xmalloc(sizeof *id);

		*id = (uint32_t)strtoul(p, (char **)&p, 10);
		clist_append(ids, id);
		if (*p == '.')
			p++;
	}
	return mailimap_section_part_new(ids);
}

/* The one body section of a single-uid fetch, copied into b. */
static int
store_imap_fetch_one(struct store_imap *si, uint32_t uid,
    struct mailimap_section *section, uint32_t partial, struct buf *b,
    char **cause)
{
	clist		*result = NULL;
	clistiter	*it;

	if (store_imap_fetch_section(si, &uid, 1, section, partial, 0, &result,
	    cause) != 0)
		return -1;
	for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
		struct store_imap_att a;

		store_imap_att_read(clist_content(it), &a);
		if (a.uid == uid && a.section != NULL)
			buf_add(b, a.section, a.section_len);
	}
	mailimap_fetch_list_free(result);
	return 0;
}

/* Drops the Content-Type field (with its continuation lines) of a header. */
static void
store_imap_header_without_ctype(struct buf *out, const char *h, size_t len)
{
	size_t	i = 0, end;
	int	skipping = 0;

	while (i < len) {
		for (end = i; end < len && h[end] != '\n'; end++)
			;
		if (end < len)
			end++;
		if (h[i] == ' ' || h[i] == '\t') {
			if (!skipping)
				buf_add(out, h + i, end - i);
		} else {
			skipping = end - i >= 13 &&
			    strncasecmp(h + i, "content-type:", 13) == 0;
			if (!skipping && !(h[i] == '\r' || h[i] == '\n'))
				buf_add(out, h + i, end - i);
		}
		i = end;
	}
}

/*
 * A big message, rebuilt for the classifier: its header, then every part's
 * MIME header, with the body of text parts (capped) and of small forwarded
 * messages.  Attachments appear by name only.
 */
static int
store_imap_fetch_big(struct store_imap *si, uint32_t uid, char **data,
    size_t *len, char **cause)
{
	struct store_imap_part	 parts[IMAP_MAX_PARTS];
	struct buf		 hdr, out;
	clist			*result = NULL;
	clistiter		*it;
	size_t			 nparts = 0, i;
	int			 single = 0, rc = -1;
	char			 boundary[64];

	buf_init(&hdr);
	buf_init(&out);
	if (store_imap_fetch_section(si, &uid, 1, mailimap_section_new_header(),
	    0, 1, &result, cause) != 0)
		goto out;
	for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
		struct store_imap_att a;

		store_imap_att_read(clist_content(it), &a);
		if (a.uid != uid)
			continue;
		if (a.section != NULL)
			buf_add(&hdr, a.section, a.section_len);
		if (a.bodystructure != NULL) {
			single = a.bodystructure->bd_type == MAILIMAP_BODY_1PART;
			store_imap_walk(a.bodystructure, "", parts, &nparts, 0);
		}
	}
	mailimap_fetch_list_free(result);
	if (hdr.len == 0) {
		*cause = xstrdup("message vanished from the server");
		goto out;
	}
	if (single) {
		buf_add(&out, hdr.data, hdr.len);
		if (store_imap_fetch_one(si, uid, mailimap_section_new_text(),
		    IMAP_PART_CAP, &out, cause) != 0)
			goto out;
		rc = 0;
		goto out;
	}
	snprintf(boundary, sizeof boundary, "=_sagi_rebuilt_%u", uid);
	store_imap_header_without_ctype(&out, hdr.data, hdr.len);
	buf_printf(&out, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
	    "\r\n", boundary);
	for (i = 0; i < nparts; i++) {
		buf_printf(&out, "--%s\r\n", boundary);
		if (store_imap_fetch_one(si, uid, mailimap_section_new_part_mime(
		    store_imap_section_part(parts[i].section)), 0, &out,
		    cause) != 0)
			goto out;
		if (parts[i].body && store_imap_fetch_one(si, uid,
		    mailimap_section_new_part(store_imap_section_part(
		    parts[i].section)), IMAP_PART_CAP, &out, cause) != 0)
			goto out;
		buf_adds(&out, "\r\n");
	}
	buf_printf(&out, "--%s--\r\n", boundary);
	rc = 0;
out:
	buf_free(&hdr);
	if (rc == 0) {
		*len = out.len;
		*data = buf_take(&out);
	} else
		buf_free(&out);
	return rc;
}

static int
store_imap_fetch_batch(struct store *st, const uint32_t *uids, size_t n,
    store_sink_fn sink, void *ctx, char **cause)
{
	struct store_imap	*si = store_imap_impl(st);
	uint32_t		*small = xcalloc(n + 1, sizeof *small);
	char			*given = xcalloc(n + 1, 1);
	size_t			 nsmall = 0, i, k;
	clist			*result = NULL;
	clistiter		*it;
	int			 rc = 0;

	for (i = 0; i < n; i++) {
		const struct store_entry *e = store_entry_find(st, uids[i]);

		if (e == NULL || e->size <= IMAP_WHOLE_MAX)
			small[nsmall++] = uids[i];
	}
	if (nsmall > 0) {
		if (store_imap_fetch_section(si, small, nsmall,
		    mailimap_section_new(NULL), 0, 0, &result, cause) != 0) {
			rc = -1;
			goto out;
		}
		for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
			struct store_imap_att a;

			store_imap_att_read(clist_content(it), &a);
			for (k = 0; k < n && uids[k] != a.uid; k++)
				;
			if (k == n || given[k] || a.section == NULL)
				continue;
			given[k] = 1;
			sink(ctx, a.uid, xmemdup(a.section, a.section_len),
			    a.section_len, NULL);
		}
		mailimap_fetch_list_free(result);
	}
	for (i = 0; i < n; i++) {
		const struct store_entry	*e;
		char				*data = NULL, *why = NULL;
		size_t				 len = 0;

		if (given[i] || (e = store_entry_find(st, uids[i])) == NULL ||
		    e->size <= IMAP_WHOLE_MAX)
			continue;
		if (store_imap_fetch_big(si, uids[i], &data, &len, &why) != 0) {
			if (si->s->broken) {
				*cause = why;
				rc = -1;
				goto out;
			}
			sink(ctx, uids[i], NULL, 0, why);
		} else
			sink(ctx, uids[i], data, len, NULL);
		given[i] = 1;
	}
	for (i = 0; i < n; i++) {
		if (!given[i])
			sink(ctx, uids[i], NULL, 0,
			    xstrdup("message vanished from the server"));
	}
out:
	free(small);
	free(given);
	return rc;
}

static int
store_imap_fetch(struct store *st, uint32_t uid, char **data, size_t *len,
    char **cause)
{
	struct store_imap	*si = store_imap_impl(st);
	struct buf		 b;

	buf_init(&b);
	if (store_imap_fetch_one(si, uid, mailimap_section_new(NULL),
	    SOURCE_MAX_MESSAGE, &b, cause) != 0) {
		buf_free(&b);
		return -1;
	}
	if (b.len == 0) {
		buf_free(&b);
		*cause = xasprintf("message UID %u is no longer in %s", uid,
		    st->folder);
		return -1;
	}
	*len = b.len;
	*data = buf_take(&b);
	return 0;
}

/* ---- the junk folder ---------------------------------------------------- */

static int
store_imap_has_attr(const struct mailimap_mailbox_list *mb, const char *attr)
{
	clistiter	*it;

	if (mb->mb_flag == NULL || mb->mb_flag->mbf_oflags == NULL)
		return 0;
	for (it = clist_begin(mb->mb_flag->mbf_oflags); it != NULL;
	    it = clist_next(it)) {
		struct mailimap_mbx_list_oflag	*of = clist_content(it);
		const char			*name = of->of_flag_ext;

		if (of->of_type != MAILIMAP_MBX_LIST_OFLAG_FLAG_EXT ||
		    name == NULL)
			continue;
		if (*name == '\\')
			name++;
		if (strcasecmp(name, attr) == 0)
			return 1;
	}
	return 0;
}

/* The UTF-8 name of a listed mailbox; the raw name when it is not valid
 * modified UTF-7. */
static char *
store_imap_mailbox_name(const struct mailimap_mailbox_list *mb)
{
	char	*name, *why = NULL;

	if ((name = imap_utf7_decode(mb->mb_name, &why)) == NULL) {
		free(why);
		name = xstrdup(mb->mb_name);
	}
	return name;
}

/* Finds the junk folder in a LIST (or XLIST) answer: attr, else NULL. */
static char *
store_imap_find_attr(clist *list, const char *attr)
{
	clistiter	*it;

	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		if (store_imap_has_attr(clist_content(it), attr))
			return store_imap_mailbox_name(clist_content(it));
	}
	return NULL;
}

static char *
store_imap_find_name(clist *list, const char *want)
{
	clistiter	*it;
	char		*name;

	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		name = store_imap_mailbox_name(clist_content(it));
		if (strcasecmp(name, want) == 0 ||
		    (strcasecmp(want, "INBOX") != 0 && strcmp(name, want) == 0))
			return name;
		free(name);
	}
	return NULL;
}

static int
store_imap_create(struct store_imap *si, const char *name, char **cause)
{
	char	*wire, *why = NULL;
	int	 rc;

	if ((wire = imap_utf7_encode(name, &why)) == NULL) {
		*cause = xasprintf("folder name %s: %s", name, why);
		free(why);
		return -1;
	}
	rc = mailimap_create(si->s->imap, wire);
	free(wire);
	if (rc != MAILIMAP_NO_ERROR) {
		why = xasprintf("creating folder %s", name);
		*cause = imap_session_cause(si->s, rc, why);
		free(why);
		return -1;
	}
	return 0;
}

/*
 * RFC 6154 §2: LIST "" "*" RETURN (SPECIAL-USE), for servers that show
 * the attributes only when asked.  libetpan has no call for it, but parses
 * the LIST answers of any command into the response info, where this takes
 * them from.  NULL when the server lacks it or refuses: plain LIST then.
 */
static clist *
store_imap_list_special_use(struct store_imap *si)
{
	struct mailimap_response_info	*ri;
	clist				*list;

	if ((si->s->caps & (IMAP_CAP_SPECIAL_USE | IMAP_CAP_LIST_EXTENDED)) !=
	    (IMAP_CAP_SPECIAL_USE | IMAP_CAP_LIST_EXTENDED))
		return NULL;
	if (mailimap_custom_command(si->s->imap,
	    "LIST \"\" \"*\" RETURN (SPECIAL-USE)") != MAILIMAP_NO_ERROR)
		return NULL;
	ri = si->s->imap->imap_response_info;
	if (ri == NULL || ri->rsp_mailbox_list == NULL)
		return NULL;
	list = ri->rsp_mailbox_list;
	ri->rsp_mailbox_list = clist_new();
	return list;
}

static const char *
store_imap_junk_folder(struct store *st, char **cause)
{
	struct store_imap	*si = store_imap_impl(st);
	clist			*list = NULL, *xlist = NULL;
	char			*found = NULL;
	size_t			 i;
	int			 rc;

	if (si->junk != NULL)
		return si->junk;
	list = store_imap_list_special_use(si);
	rc = list != NULL ? MAILIMAP_NO_ERROR :
	    mailimap_list(si->s->imap, "", "*", &list);
	if (rc != MAILIMAP_NO_ERROR) {
		/* libetpan hands over the (empty) list after a NO too. */
		if (list != NULL)
			mailimap_list_result_free(list);
		*cause = imap_session_cause(si->s, rc, "listing folders");
		return NULL;
	}
	/* A configured name is an override: it wins when it exists, and
	 * nothing else is tried when it does not. */
	if (si->acct.junk_folder != NULL) {
		found = store_imap_find_name(list, si->acct.junk_folder);
		if (found == NULL && st->opts.create_junk &&
		    store_imap_create(si, si->acct.junk_folder, cause) == 0)
			found = xstrdup(si->acct.junk_folder);
		else if (found == NULL && *cause == NULL)
			*cause = xasprintf("junk folder %s does not exist on "
			    "%s; create it, or pass --create-junk",
			    si->acct.junk_folder, si->acct.host);
		goto done;
	}
	/* RFC 6154: the server says which folder is for junk. */
	if ((found = store_imap_find_attr(list, "Junk")) != NULL)
		goto done;
	if ((si->s->caps & IMAP_CAP_XLIST) &&
	    mailimap_xlist(si->s->imap, "", "*", &xlist) == MAILIMAP_NO_ERROR) {
		found = store_imap_find_attr(xlist, "Spam");
		mailimap_list_result_free(xlist);
		if (found != NULL)
			goto done;
	}
	for (i = 0; i < SAGI_NITEMS(imap_junk_names) && found == NULL; i++)
		found = store_imap_find_name(list, imap_junk_names[i]);
	if (found == NULL) {
		if (st->opts.create_junk) {
			if (store_imap_create(si, "Junk", cause) == 0)
				found = xstrdup("Junk");
		} else
			*cause = xasprintf("no junk folder on %s (none marked "
			    "\\Junk, none named Junk, Spam or 迷惑メール); name "
			    "one with --junk-folder, or let sagi make one with "
			    "--create-junk", si->acct.host);
	}
done:
	mailimap_list_result_free(list);
	si->junk = found;
	return found;
}

/* ---- moves ------------------------------------------------------------ */

static int
store_imap_store_flags(struct store_imap *si, const uint32_t *uids, size_t n,
    int add, const char *const *keywords, size_t nkw, char **cause)
{
	struct mailimap_flag_list	*fl;
	struct mailimap_store_att_flags	*sa;
	struct mailimap_set		*set;
	size_t				 i;
	int				 rc;

	if (si->s->broken) {
		*cause = xstrdup("setting flags: the connection is gone");
		return -1;
	}
	fl = mailimap_flag_list_new_empty();

	for (i = 0; i < nkw; i++) {
		if (strcmp(keywords[i], "\\Deleted") == 0)
			mailimap_flag_list_add(fl, mailimap_flag_new_deleted());
		else
			mailimap_flag_list_add(fl,
			    mailimap_flag_new_flag_keyword(xstrdup(keywords[i])));
	}
	sa = add ? mailimap_store_att_flags_new_add_flags_silent(fl) :
	    mailimap_store_att_flags_new_remove_flags_silent(fl);
	set = store_imap_set(uids, n);
	rc = mailimap_uid_store(si->s->imap, set, sa);
	mailimap_set_free(set);
	mailimap_store_att_flags_free(sa);
	if (rc != MAILIMAP_NO_ERROR) {
		*cause = imap_session_cause(si->s, rc, "setting flags");
		return -1;
	}
	return 0;
}

/* One keyword change; keeps the first problem in *first. */
static void
store_imap_keyword(struct store_imap *si, const uint32_t *uids, size_t n,
    int add, const char *const *kw, size_t nkw, char **first)
{
	char	*why = NULL;

	if (n == 0 || store_imap_store_flags(si, uids, n, add, kw, nkw,
	    &why) == 0)
		return;
	if (*first == NULL)
		*first = why;
	else
		free(why);
}

/* Marks uids as junk (and phish) for server-side learners, or undoes it. */
static void
store_imap_junk_keywords(struct store_imap *si, const uint32_t *uids,
    size_t n, int junk, const uint32_t *phish, size_t nphish,
    struct store_move_report *rep)
{
	static const char *const junkkw[] = { "$Junk" };
	static const char *const notjunk[] = { "$NotJunk" };
	static const char *const phishkw[] = { "$Phishing" };
	static const char *const both[] = { "$Junk", "$Phishing" };
	char			*why = NULL;

	if (si->s->broken)
		return;
	if (!(si->s->permflags & IMAP_PERM_JUNK)) {
		store_report_note(rep, "%s does not keep $Junk on messages; "
		    "moved without it", si->acct.host);
		return;
	}
	if (junk) {
		store_imap_keyword(si, uids, n, 1, junkkw, 1, &why);
		if (si->s->permflags & IMAP_PERM_PHISHING)
			store_imap_keyword(si, phish, nphish, 1, phishkw, 1,
			    &why);
		store_imap_keyword(si, uids, n, 0, notjunk, 1, &why);
	} else {
		store_imap_keyword(si, uids, n, 0, both, 2, &why);
		store_imap_keyword(si, uids, n, 1, notjunk, 1, &why);
	}
	if (why != NULL)
		store_report_note(rep, "keywords not set: %s", why);
	free(why);
}

enum store_imap_outcome {
	IMAP_MOVED,		/* gone from the source */
	IMAP_MARKED,		/* copied; originals \Deleted, not expunged */
	IMAP_BOTH,		/* copied; originals untouched */
	IMAP_NOTHING,		/* still only in the source */
	IMAP_UNKNOWN,		/* the connection broke during an atomic MOVE */
};

/*
 * Moves one chunk to dst (wire name).  dst_uids gets the COPYUID mapping
 * (0 where unknown).
 */
static enum store_imap_outcome
store_imap_move_chunk(struct store_imap *si, const uint32_t *uids, size_t n,
    const char *dst, uint32_t *dst_uids, uint32_t *dst_validity, char **cause)
{
	struct mailimap_set	*set = store_imap_set(uids, n);
	struct mailimap_set	*src_set = NULL, *dst_set = NULL;
	static const char *const deleted[] = { "\\Deleted" };
	uint32_t		*s_uids, *d_uids;
	size_t			 ns, nd, i, k;
	int			 rc;
	enum store_imap_outcome	 out;

	memset(dst_uids, 0, n * sizeof *dst_uids);
	*dst_validity = 0;
	if (si->s->caps & IMAP_CAP_MOVE)
		rc = mailimap_uidplus_uid_move(si->s->imap, set, dst,
		    dst_validity, &src_set, &dst_set);
	else
		rc = mailimap_uidplus_uid_copy(si->s->imap, set, dst,
		    dst_validity, &src_set, &dst_set);
	mailimap_set_free(set);
	if (rc != MAILIMAP_NO_ERROR) {
		const char *what = (si->s->caps & IMAP_CAP_MOVE) ?
		    "moving" : "copying";

		if (si->s->imap->imap_response_info != NULL &&
		    si->s->imap->imap_response_info->rsp_trycreate)
			*cause = xasprintf("%s: the junk folder does not exist "
			    "(server said TRYCREATE); pass --create-junk", what);
		else
			*cause = imap_session_cause(si->s, rc, what);
		/* MOVE is atomic per message, but a broken connection hides
		 * which ones the server had moved. */
		if (imap_session_rc_broken(rc) && (si->s->caps & IMAP_CAP_MOVE))
			return IMAP_UNKNOWN;
		return IMAP_NOTHING;
	}
	s_uids = xcalloc(n + 1, sizeof *s_uids);
	d_uids = xcalloc(n + 1, sizeof *d_uids);
	ns = store_imap_set_expand(src_set, s_uids, n);
	nd = store_imap_set_expand(dst_set, d_uids, n);
	for (i = 0; i < ns && i < nd; i++) {
		for (k = 0; k < n; k++) {
			if (uids[k] == s_uids[i])
				dst_uids[k] = d_uids[i];
		}
	}
	free(s_uids);
	free(d_uids);
	if (src_set != NULL)
		mailimap_set_free(src_set);
	if (dst_set != NULL)
		mailimap_set_free(dst_set);
	if (si->s->caps & IMAP_CAP_MOVE)
		return IMAP_MOVED;

	/* COPY worked: mark exactly these originals, and expunge exactly
	 * these when UIDPLUS lets us name them.  A bare EXPUNGE would also
	 * destroy what other clients marked \Deleted. */
	if (store_imap_store_flags(si, uids, n, 1, deleted, 1, cause) != 0)
		return IMAP_BOTH;
	if (!(si->s->caps & IMAP_CAP_UIDPLUS))
		return IMAP_MARKED;
	set = store_imap_set(uids, n);
	rc = mailimap_uid_expunge(si->s->imap, set);
	mailimap_set_free(set);
	if (rc != MAILIMAP_NO_ERROR) {
		*cause = imap_session_cause(si->s, rc, "expunging the moved "
		    "messages");
		out = IMAP_MARKED;
	} else
		out = IMAP_MOVED;
	return out;
}

static void
store_imap_journal(struct store *st, const char *src, uint32_t src_validity,
    const char *dst, uint32_t dst_validity, const uint32_t *uids,
    const uint32_t *dst_uids, size_t n, struct store_move_report *rep)
{
	struct store_imap	*si = store_imap_impl(st);
	struct journal_batch	 b;
	char			*why = NULL;
	size_t			 i;

	if (st->opts.journal_path == NULL || n == 0)
		return;
	memset(&b, 0, sizeof b);
	b.account = si->account_key;
	b.src_mailbox = (char *)src;
	b.src_uidvalidity = src_validity;
	b.dst_mailbox = (char *)dst;
	b.dst_uidvalidity = dst_validity;
	b.items = xcalloc(n, sizeof *b.items);
	b.nitems = n;
	for (i = 0; i < n; i++) {
		const struct store_entry *e = store_entry_find(st, uids[i]);

		b.items[i].src_uid = uids[i];
		b.items[i].dst_uid = dst_uids[i];
		b.items[i].message_id = e != NULL ? e->message_id : NULL;
	}
	if (journal_append(st->opts.journal_path, &b, &why) != 0) {
		store_report_note(rep, "the undo journal could not be written: "
		    "%s", why);
		free(why);
	} else if (rep->journal_id == NULL)
		rep->journal_id = xstrdup(b.id);
	free(b.id);
	free(b.items);
}

/* Moves uids (all in the selected folder) to dst, chunk by chunk. */
static int
store_imap_move(struct store *st, const uint32_t *uids, size_t n,
    const char *dst, int journal, struct store_move_report *rep, char **cause)
{
	struct store_imap	*si = store_imap_impl(st);
	uint32_t		*dst_uids = xcalloc(IMAP_MOVE_CHUNK, sizeof *dst_uids);
	uint32_t		*gone = xcalloc(n + 1, sizeof *gone);
	uint32_t		 validity;
	size_t			 at, chunk, ngone = 0, k;
	char			*wire, *why = NULL;
	int			 rc = 0;

	if ((wire = imap_utf7_encode(dst, &why)) == NULL) {
		*cause = xasprintf("folder name %s: %s", dst, why);
		free(why);
		free(dst_uids);
		free(gone);
		return -1;
	}
	for (at = 0; at < n; at += chunk) {
		enum store_imap_outcome	 out;

		chunk = n - at < IMAP_MOVE_CHUNK ? n - at : IMAP_MOVE_CHUNK;
		if (rc != 0 || si->s->broken ||
		    store_progress(st, "moving", at, n)) {
			if (rc == 0 && *cause == NULL)
				*cause = xstrdup(si->s->broken ?
				    "the connection to the server was lost; "
				    "the rest was not moved" : "cancelled");
			rep->failed += chunk;
			store_report_note(rep, "messages %zu–%zu: not moved "
			    "(stopped)", at + 1, at + chunk);
			rc = -1;
			continue;
		}
		out = store_imap_move_chunk(si, uids + at, chunk, wire,
		    dst_uids, &validity, &why);
		switch (out) {
		case IMAP_MOVED:
			rep->moved += chunk;
			store_report_note(rep, "messages %zu–%zu: %zu moved to %s",
			    at + 1, at + chunk, chunk, dst);
			break;
		case IMAP_MARKED:
			/* Without UIDPLUS this is the plan; after a failed
			 * UID EXPUNGE (why is set) it is an error. */
			if (why != NULL)
				rc = -1;
			rep->marked += chunk;
			store_report_note(rep, "messages %zu–%zu: copied to %s; "
			    "the originals are marked \\Deleted but not expunged "
			    "(%s)", at + 1, at + chunk, dst, why != NULL ? why :
			    "the server lacks UIDPLUS, and sagi never sends a "
			    "bare EXPUNGE");
			break;
		case IMAP_BOTH:
			rep->both += chunk;
			store_report_note(rep, "messages %zu–%zu: copied to %s "
			    "but still in %s too (%s)", at + 1, at + chunk, dst,
			    st->folder, why);
			rc = -1;
			break;
		case IMAP_NOTHING:
			rep->failed += chunk;
			store_report_note(rep, "messages %zu–%zu: not moved (%s)",
			    at + 1, at + chunk, why);
			rc = -1;
			break;
		case IMAP_UNKNOWN:
			rep->failed += chunk;
			store_report_note(rep, "messages %zu–%zu: the connection "
			    "broke during MOVE; each is either still in %s or "
			    "already in %s (%s)", at + 1, at + chunk, st->folder,
			    dst, why);
			rc = -1;
			break;
		}
		if (out == IMAP_MOVED || out == IMAP_MARKED) {
			if (journal)
				store_imap_journal(st, st->folder,
				    si->s->uidvalidity, dst, validity, uids + at,
				    dst_uids, chunk, rep);
			for (k = 0; k < chunk; k++)
				gone[ngone++] = uids[at + k];
		}
		if (rc != 0 && *cause == NULL)
			*cause = why;
		else
			free(why);
		why = NULL;
	}
	if (rc == 0)
		store_progress(st, "moving", n, n);
	for (k = 0; k < ngone; k++)
		cache_remove(st->cache, gone[k]);
	store_entries_remove(st, gone, ngone);
	free(wire);
	free(dst_uids);
	free(gone);
	return rc;
}

static int
store_imap_junk(struct store *st, const uint32_t *uids, size_t n,
    struct store_move_report *rep, char **cause)
{
	struct store_imap	*si = store_imap_impl(st);
	const char		*dst;
	uint32_t		*phish = xcalloc(n + 1, sizeof *phish);
	size_t			 nphish = 0, i;
	int			 rc;

	if ((dst = store_imap_junk_folder(st, cause)) == NULL) {
		rep->failed = n;
		free(phish);
		return -1;
	}
	rep->dst = xstrdup(dst);
	if (strcmp(dst, st->folder) == 0) {
		*cause = xasprintf("%s is the junk folder already", dst);
		rep->failed = n;
		free(phish);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct store_entry *e = store_entry_find(st, uids[i]);

		if (e != NULL && e->verdict != NULL &&
		    e->verdict->level == VERDICT_PHISH)
			phish[nphish++] = uids[i];
	}
	/* Keywords first: they travel with the message, so a learner on the
	 * server sees them on arrival in the junk folder. */
	store_imap_junk_keywords(si, uids, n, 1, phish, nphish, rep);
	free(phish);
	rc = store_imap_move(st, uids, n, dst, 1, rep, cause);
	if (!si->s->broken) {
		char *why = NULL;

		if (cache_save(st->cache, &why) != 0)
			free(why);
	}
	return rc;
}

/*
 * The destination uids of the items of a batch with pick[i] == which:
 * from COPYUID, else by Message-ID.  The folder b->dst_mailbox must be
 * selected.
 */
static size_t
store_imap_undo_uids(struct store_imap *si, const struct journal_batch *b,
    const char *pick, char which, uint32_t *out,
    struct store_move_report *rep)
{
	size_t	i, n = 0;

	for (i = 0; i < b->nitems; i++) {
		const struct journal_item	*it = &b->items[i];
		struct mailimap_search_key	*key;
		clist				*result = NULL;

		if (pick[i] != which)
			continue;
		if (it->dst_uid != 0 && b->dst_uidvalidity != 0 &&
		    b->dst_uidvalidity == si->s->uidvalidity) {
			out[n++] = it->dst_uid;
			continue;
		}
		if (it->message_id == NULL) {
			store_report_note(rep, "a message without Message-ID "
			    "cannot be found again in %s", b->dst_mailbox);
			continue;
		}
		{
			char *mid = xasprintf("<%s>", it->message_id);

			key = mailimap_search_key_new_header(xstrdup("Message-ID"),
			    mid);
		}
		if (mailimap_uid_search(si->s->imap, "UTF-8", key, &result) ==
		    MAILIMAP_NO_ERROR) {
			if (clist_count(result) > 0)
				out[n++] = *(uint32_t *)clist_content(
				    clist_begin(result));
			else
				store_report_note(rep, "<%s> is no longer in %s",
				    it->message_id, b->dst_mailbox);
			mailimap_search_result_free(result);
		}
		mailimap_search_key_free(key);
	}
	return n;
}

/*
 * Puts back in place the originals of b still in its source folder: a
 * COPY without UIDPLUS (or whose UID EXPUNGE failed) left them there
 * marked \Deleted, and copying the junk copies back would make
 * duplicates.  Clears \Deleted and the junk keywords on them and sets
 * pick[i] to 1 for each; returns how many.  Selects the source folder.
 */
static size_t
store_imap_undo_in_place(struct store_imap *si,
    const struct journal_batch *b, char *pick, struct store_move_report *rep)
{
	static const char *const deleted[] = { "\\Deleted" };
	uint32_t	*asked, *here;
	clist		*result = NULL;
	clistiter	*it;
	size_t		 nasked = 0, nhere = 0, i, k;
	char		*why = NULL;

	if (imap_session_select(si->s, b->src_mailbox, &why) != 0 ||
	    si->s->uidvalidity != b->src_uidvalidity) {
		/* The copies are moved back instead. */
		free(why);
		return 0;
	}
	asked = xcalloc(b->nitems + 1, sizeof *asked);
	here = xcalloc(b->nitems + 1, sizeof *here);
	for (i = 0; i < b->nitems; i++)
		if (b->items[i].src_uid != 0)
			asked[nasked++] = b->items[i].src_uid;
	if (nasked > 0 && store_imap_fetch_section(si, asked, nasked, NULL, 0,
	    0, &result, &why) == 0) {
		for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
			struct store_imap_att a;

			store_imap_att_read(clist_content(it), &a);
			/* Only what was asked for, once: a server may answer
			 * with uids of its own. */
			for (k = 0; k < nasked; k++)
				if (asked[k] == a.uid && a.uid != 0) {
					here[nhere++] = a.uid;
					asked[k] = 0;
				}
		}
		mailimap_fetch_list_free(result);
	}
	free(why);
	why = NULL;
	if (nhere > 0 && store_imap_store_flags(si, here, nhere, 0, deleted, 1,
	    &why) != 0) {
		store_report_note(rep, "%zu originals are still in %s marked "
		    "deleted (%s); their copies are moved back too", nhere,
		    b->src_mailbox, why);
		free(why);
		nhere = 0;
	}
	if (nhere > 0) {
		store_imap_junk_keywords(si, here, nhere, 0, NULL, 0, rep);
		for (i = 0; i < b->nitems; i++)
			for (k = 0; k < nhere; k++)
				if (b->items[i].src_uid == here[k])
					pick[i] = 1;
		store_report_note(rep, "%zu were still in %s, marked deleted: "
		    "their deletion mark is removed", nhere, b->src_mailbox);
	}
	free(asked);
	free(here);
	return nhere;
}

/*
 * Retires the junk copies of originals put back in place (the folder
 * b->dst_mailbox is selected): marked \Deleted, and expunged by UID when
 * UIDPLUS allows.  A copy left behind costs a duplicate, never mail.
 */
static void
store_imap_undo_retire(struct store_imap *si, const struct journal_batch *b,
    const char *pick, size_t n, struct store_move_report *rep)
{
	static const char *const deleted[] = { "\\Deleted" };
	struct mailimap_set	*set;
	uint32_t		*uids = xcalloc(b->nitems + 1, sizeof *uids);
	size_t			 found;
	char			*why = NULL;
	int			 rc;

	found = store_imap_undo_uids(si, b, pick, 1, uids, rep);
	if (found < n)
		store_report_note(rep, "%zu of their copies were not found in "
		    "%s and stay there", n - found, b->dst_mailbox);
	if (found == 0)
		goto out;
	if (store_imap_store_flags(si, uids, found, 1, deleted, 1, &why) != 0) {
		store_report_note(rep, "their copies stay in %s (%s)",
		    b->dst_mailbox, why);
		goto out;
	}
	if (!(si->s->caps & IMAP_CAP_UIDPLUS)) {
		store_report_note(rep, "their copies in %s are marked deleted, "
		    "not expunged (the server lacks UIDPLUS, and sagi never "
		    "sends a bare EXPUNGE)", b->dst_mailbox);
		goto out;
	}
	set = store_imap_set(uids, found);
	rc = mailimap_uid_expunge(si->s->imap, set);
	mailimap_set_free(set);
	if (rc != MAILIMAP_NO_ERROR) {
		why = imap_session_cause(si->s, rc, "expunging");
		store_report_note(rep, "their copies in %s are marked deleted "
		    "(%s)", b->dst_mailbox, why);
	}
out:
	free(why);
	free(uids);
}

static int
store_imap_undo(struct store *st, struct store_move_report *rep, char **cause)
{
	struct store_imap	*si = store_imap_impl(st);
	struct journal_batch	*b = NULL;
	uint32_t		*uids;
	char			*pick, *why = NULL;
	size_t			 n, in_place;
	int			 rc;

	if (st->opts.journal_path == NULL) {
		*cause = xstrdup("no undo journal");
		return -1;
	}
	if (journal_last(st->opts.journal_path, si->account_key, &b,
	    cause) != 0)
		return -1;
	if (b == NULL) {
		*cause = xasprintf("nothing to undo for %s", si->account_key);
		return -1;
	}
	rep->requested = b->nitems;
	rep->dst = xstrdup(b->src_mailbox);
	/* pick[i]: 1 once item i is back in place, 0 while its copy is to
	 * be moved back. */
	pick = xcalloc(b->nitems + 1, 1);
	in_place = store_imap_undo_in_place(si, b, pick, rep);
	if (imap_session_select(si->s, b->dst_mailbox, cause) != 0) {
		rc = -1;
		if (in_place > 0) {
			rep->moved = in_place;
			rep->failed = b->nitems - in_place;
			store_report_note(rep, "their copies stay in %s",
			    b->dst_mailbox);
		}
		goto out;
	}
	if (in_place > 0)
		store_imap_undo_retire(si, b, pick, in_place, rep);
	uids = xcalloc(b->nitems + 1, sizeof *uids);
	n = store_imap_undo_uids(si, b, pick, 0, uids, rep);
	rep->failed = b->nitems - in_place - n;
	if (n > 0) {
		struct store	 tmp;
		char		*saved = st->folder;

		store_imap_junk_keywords(si, uids, n, 0, NULL, 0, rep);
		/* Move within the junk folder's view; the list and cache of
		 * the source folder are rebuilt by the next store_list. */
		tmp = *st;
		tmp.folder = b->dst_mailbox;
		tmp.cache = NULL;
		tmp.nentries = 0;
		tmp.entries = NULL;
		rc = store_imap_move(&tmp, uids, n, b->src_mailbox, 0, rep,
		    cause);
		st->folder = saved;
	} else if (in_place > 0)
		rc = rep->failed > 0 ? -1 : 0;
	else {
		rc = -1;
		*cause = xasprintf("none of the %zu messages of the last move "
		    "could be found in %s", b->nitems, b->dst_mailbox);
	}
	rep->moved += in_place;
	if (rc != 0 && *cause == NULL)
		*cause = xasprintf("%zu of the %zu messages of the last move "
		    "could not be found in %s", rep->failed, b->nitems,
		    b->dst_mailbox);
	free(uids);
out:
	if ((rc == 0 || rep->moved + rep->marked > 0) &&
	    journal_mark_undone(st->opts.journal_path, b->id, &why) != 0) {
		store_report_note(rep, "journal: %s", why);
		free(why);
		why = NULL;
	}
	free(pick);
	journal_batch_free(b);
	if (!si->s->broken && imap_session_select(si->s, st->folder,
	    &why) != 0) {
		if (rc == 0) {
			*cause = why;
			why = NULL;
			rc = -1;
		}
		free(why);
	}
	return rc;
}

static int
store_imap_mark_not_junk(struct store *st, uint32_t uid, char **cause)
{
	struct store_imap		*si = store_imap_impl(st);
	struct store_move_report	 rep;
	struct store_entry		*e;

	memset(&rep, 0, sizeof rep);
	if (!(si->s->permflags & IMAP_PERM_NOTJUNK)) {
		*cause = xasprintf("%s does not keep $NotJunk on messages",
		    si->acct.host);
		return -1;
	}
	store_imap_junk_keywords(si, &uid, 1, 0, NULL, 0, &rep);
	if (rep.nnotes > 0) {
		*cause = xstrdup(rep.notes[0]);
		store_move_report_clear(&rep);
		return -1;
	}
	if ((e = store_entry_find(st, uid)) != NULL) {
		e->flags &= ~(unsigned int)(STORE_JUNK | STORE_PHISHING);
		e->flags |= STORE_NOTJUNK;
		cache_set_flags(st->cache, uid, e->flags, 0);
	}
	return 0;
}

static void
store_imap_close(struct store *st)
{
	struct store_imap	*si = store_imap_impl(st);
	char			*why = NULL;

	if (st->cache != NULL && cache_save(st->cache, &why) != 0)
		free(why);
	cache_close(st->cache);
	st->cache = NULL;
	imap_session_close(si->s);
	account_clear(&si->acct);
	free(si->account_key);
	free(si->junk);
	free(si);
}

static const struct store_ops store_imap_ops = {
	.kind = "imap",
	.list = store_imap_list,
	.fetch_batch = store_imap_fetch_batch,
	.fetch = store_imap_fetch,
	.junk = store_imap_junk,
	.undo = store_imap_undo,
	.mark_not_junk = store_imap_mark_not_junk,
	.junk_folder = store_imap_junk_folder,
	.close = store_imap_close,
	.batch = IMAP_FETCH_BATCH,
};

struct store *
store_open_imap(const struct account *a, const char *folder,
    const struct store_opts *o, char **cause)
{
	struct store_imap	*si;
	struct store		*st;
	char			*name;

	if (folder == NULL)
		folder = a->folder != NULL ? a->folder : "INBOX";
	si = xcalloc(1, sizeof *si);
	account_init(&si->acct);
	account_copy(&si->acct, a);
	if ((si->s = imap_session_open(&si->acct, cause)) == NULL) {
		account_clear(&si->acct);
		free(si);
		return NULL;
	}
	si->account_key = xasprintf("imap://%s@%s:%u", a->user, a->host,
	    account_port(a));
	name = xasprintf("%s/%s", si->account_key, folder);
	st = store_new(&store_imap_ops, si, name, folder, o);
	free(name);
	if (imap_session_select(si->s, folder, cause) != 0) {
		store_close(st);
		return NULL;
	}
	si->just_selected = 1;
	return st;
}
