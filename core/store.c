/* SPDX-License-Identifier: ISC */
/*
 * What every store backend shares: the entry list, classification (the
 * backend fetches, worker threads judge, the results land in the entries
 * and the cache), progress and move reports.  Knows no protocol.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "cache.h"
#include "store-int.h"
#include "strpool.h"
#include "verdict-codec.h"
#include "workq.h"
#include "xalloc.h"

struct store *
store_new(const struct store_ops *ops, void *impl, const char *name,
    const char *folder, const struct store_opts *o)
{
	struct store	*st = xcalloc(1, sizeof *st);

	st->ops = ops;
	st->impl = impl;
	st->name = xstrdup(name);
	st->folder = xstrdup(folder);
	st->strings = strpool_new();
	if (o != NULL)
		st->opts = *o;
	/* The paths are borrowed from the caller only for the call. */
	st->opts.cache_dir = o != NULL && o->cache_dir != NULL ?
	    xstrdup(o->cache_dir) : NULL;
	st->opts.journal_path = o != NULL && o->journal_path != NULL ?
	    xstrdup(o->journal_path) : NULL;
	st->opts.rules_version = xstrdup(o != NULL && o->rules_version != NULL ?
	    o->rules_version : "");
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	st->ops->close(st);
	store_entries_clear(st);
	free(st->entries);
	/* Last: the entries' and the cache's verdicts borrowed from it. */
	strpool_free(st->strings);
	free(st->name);
	free(st->folder);
	free((char *)st->opts.cache_dir);
	free((char *)st->opts.journal_path);
	free((char *)st->opts.rules_version);
	free(st);
}

const char *
store_name(const struct store *st)
{
	return st->name;
}

const char *
store_folder(const struct store *st)
{
	return st->folder;
}

char *
store_string(struct store *st, const char *s)
{
	return (char *)(uintptr_t)strpool_add(st->strings, s);
}

void
store_entry_clear(struct store_entry *e)
{
	verdict_free(e->verdict);
	free(e->error);
	memset(e, 0, sizeof *e);
}

void
store_entries_clear(struct store *st)
{
	size_t	i;

	for (i = 0; i < st->nentries; i++)
		store_entry_clear(&st->entries[i]);
	st->nentries = 0;
}

void
store_entries_reserve(struct store *st, size_t n)
{
	if (n <= st->aentries)
		return;
	st->entries = xreallocarray(st->entries, n, sizeof *st->entries);
	st->aentries = n;
}

struct store_entry *
store_entries_add(struct store *st, uint32_t uid)
{
	struct store_entry	*e;

	if (st->nentries == st->aentries) {
		st->aentries = st->aentries == 0 ? 64 : st->aentries * 2;
		st->entries = xreallocarray(st->entries, st->aentries,
		    sizeof *st->entries);
	}
	e = &st->entries[st->nentries++];
	memset(e, 0, sizeof *e);
	e->uid = uid;
	return e;
}

static int
store_entry_cmp(const void *a, const void *b)
{
	const struct store_entry *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

void
store_entries_sort(struct store *st)
{
	if (st->nentries > 1)
		qsort(st->entries, st->nentries, sizeof *st->entries,
		    store_entry_cmp);
}

static int
store_uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void
store_entries_remove(struct store *st, const uint32_t *uids, size_t n)
{
	uint32_t	*sorted;
	size_t		 i, j;

	if (n == 0)
		return;
	sorted = xmemdup(uids, n * sizeof *uids);
	qsort(sorted, n, sizeof *sorted, store_uid_cmp);
	for (i = j = 0; i < st->nentries; i++) {
		if (bsearch(&st->entries[i].uid, sorted, n, sizeof *sorted,
		    store_uid_cmp) != NULL) {
			store_entry_clear(&st->entries[i]);
			continue;
		}
		st->entries[j++] = st->entries[i];
	}
	st->nentries = j;
	free(sorted);
}

size_t
store_count(const struct store *st)
{
	return st->nentries;
}

struct store_entry *
store_entry_at(struct store *st, size_t i)
{
	return i < st->nentries ? &st->entries[i] : NULL;
}

struct store_entry *
store_entry_find(struct store *st, uint32_t uid)
{
	struct store_entry	 key;

	if (st->nentries == 0)
		return NULL;
	key.uid = uid;
	return bsearch(&key, st->entries, st->nentries, sizeof *st->entries,
	    store_entry_cmp);
}

int
store_progress(struct store *st, const char *phase, size_t done, size_t total)
{
	if (st->opts.progress == NULL)
		return 0;
	return st->opts.progress(st->opts.progress_ctx, phase, done, total);
}

void
store_set_listed(struct store *st, store_listed_fn fn, void *ctx)
{
	st->listed = fn;
	st->listed_ctx = ctx;
}

void
store_set_judged(struct store *st, store_judged_fn fn, void *ctx)
{
	st->judged = fn;
	st->judged_ctx = ctx;
}

void
store_listed(struct store *st, const struct store_entry *e, size_t n)
{
	if (st->listed != NULL && n > 0)
		st->listed(st->listed_ctx, e, n);
}

void
store_report_note(struct store_move_report *rep, const char *fmt, ...)
{
	va_list	ap;

	rep->notes = xreallocarray(rep->notes, rep->nnotes + 1,
	    sizeof *rep->notes);
	va_start(ap, fmt);
	rep->notes[rep->nnotes++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void
store_move_report_clear(struct store_move_report *rep)
{
	size_t	i;

	free(rep->dst);
	for (i = 0; i < rep->nnotes; i++)
		free(rep->notes[i]);
	free(rep->notes);
	free(rep->journal_id);
	memset(rep, 0, sizeof *rep);
}

/* RFC 5322 date-time to seconds since the epoch; 0 when unparsable. */
static int64_t
store_parse_date(const char *s)
{
	struct mailimf_date_time	*dt = NULL;
	struct tm			 tm;
	size_t				 at = 0;
	int64_t				 t;
	int				 zone;

	if (s == NULL || mailimf_date_time_parse(s, strlen(s), &at, &dt) !=
	    MAILIMF_NO_ERROR)
		return 0;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = dt->dt_year - 1900;
	tm.tm_mon = dt->dt_month - 1;
	tm.tm_mday = dt->dt_day;
	tm.tm_hour = dt->dt_hour;
	tm.tm_min = dt->dt_min;
	tm.tm_sec = dt->dt_sec;
	zone = dt->dt_zone;
	mailimf_date_time_free(dt);
	if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11)
		return 0;
	t = (int64_t)timegm(&tm);
	/* dt_zone is +0900 written as 900: hours and minutes (4 digits in
	 * RFC 5322; anything bigger means nothing). */
	if (zone >= -9959 && zone <= 9959)
		t -= (int64_t)(zone / 100) * 3600 + (int64_t)(zone % 100) * 60;
	return t;
}

/* A message's list fields, borrowed from it (or from the job that holds
 * copies): what a listing reads from the header. */
struct store_fields {
	const char	*message_id;	/* NULL or "" when absent */
	const char	*from;		/* display name, else address */
	const char	*from_addr;
	const char	*subject;
	int64_t		 date;		/* 0: none that parses */
};

static void
store_fields_of(const struct msg *m, struct store_fields *f)
{
	f->message_id = msg_message_id(m);
	f->from = msg_from_display(m);
	if (f->from == NULL || *f->from == '\0')
		f->from = msg_from_addr(m);
	f->from_addr = msg_from_addr(m);
	f->subject = msg_subject(m);
	f->date = store_parse_date(msg_date(m));
}

/* Sets e's list fields from f; a date of 0 keeps e's (the arrival). */
static void
store_entry_set_fields(struct store *st, struct store_entry *e,
    const struct store_fields *f)
{
	e->message_id = f->message_id != NULL && *f->message_id != '\0' ?
	    store_string(st, f->message_id) : NULL;
	e->from = store_string(st, f->from != NULL ? f->from : "");
	e->from_addr = f->from_addr != NULL && *f->from_addr != '\0' ?
	    store_string(st, f->from_addr) : NULL;
	e->subject = store_string(st, f->subject != NULL ? f->subject : "");
	if (f->date != 0)
		e->date = f->date;
}

void
store_entry_fill_headers(struct store *st, struct store_entry *e,
    const char *hdr, size_t len)
{
	struct store_fields	 f;
	struct msg		*m;
	char			*cause = NULL;

	if ((m = msg_parse_envelope(hdr, len, &cause)) == NULL) {
		free(cause);
		return;
	}
	store_fields_of(m, &f);
	e->date = 0;
	store_entry_set_fields(st, e, &f);
	msg_free(m);
}

/* One message on its way through the classifier. */
struct store_job {
	uint32_t	 uid;
	char		*data;
	size_t		 len;
	char		*error;
	struct verdict	*verdict;
	/* The listing left its list fields to the classifier (a lean
	 * listing, store_opts.fields_from_bodies): the worker copies them
	 * from its parse into fields, whose strings the job owns. */
	int		 want_fields;
	int		 have_fields;
	struct store_fields fields;
};

struct store_classify_ctx {
	struct store		*st;
	const struct analyzer	*a;
	struct workq		*q;
	size_t			 done, total;
};

/* Copies m's list fields into job (the worker's side). */
static void
store_job_keep_fields(struct store_job *job, const struct msg *m)
{
	struct store_fields f;

	store_fields_of(m, &f);
	job->fields.message_id = f.message_id != NULL ?
	    xstrdup(f.message_id) : NULL;
	job->fields.from = f.from != NULL ? xstrdup(f.from) : NULL;
	job->fields.from_addr = f.from_addr != NULL ?
	    xstrdup(f.from_addr) : NULL;
	job->fields.subject = f.subject != NULL ? xstrdup(f.subject) : NULL;
	job->fields.date = f.date;
	job->have_fields = 1;
}

static void
store_job_free(struct store_job *job)
{
	verdict_free(job->verdict);
	free(job->error);
	free(job->data);
	free((char *)job->fields.message_id);
	free((char *)job->fields.from);
	free((char *)job->fields.from_addr);
	free((char *)job->fields.subject);
	free(job);
}

/*
 * Gives e the list fields a lean listing left out, and its cache record
 * too (the record has no From until then: store_wants_fields).
 */
static void
store_apply_fields(struct store *st, struct store_entry *e,
    const struct store_job *job)
{
	const struct cache_rec	*old;
	struct cache_rec	 rec;

	store_entry_set_fields(st, e, &job->fields);
	if (st->cache == NULL ||
	    (old = cache_lookup(st->cache, job->uid)) == NULL)
		return;
	rec = *old;
	rec.message_id = e->message_id;
	rec.from = e->from;
	rec.from_addr = e->from_addr;
	rec.subject = e->subject;
	rec.date = e->date;
	rec.verdict = NULL;
	cache_put(st->cache, &rec);
}

int
store_wants_fields(const struct store *st, uint32_t uid)
{
	const struct cache_rec *r;

	return st->cache != NULL &&
	    (r = cache_lookup(st->cache, uid)) != NULL && r->from == NULL;
}

static void
store_classify_run(void *arg, void *item)
{
	struct store_classify_ctx	*ctx = arg;
	struct store_job		*job = item;
	struct msg			*m;
	char				*cause = NULL;

	if (job->error != NULL)
		return;
	m = msg_parse(job->data, job->len, NULL, &cause);
	if (m == NULL) {
		job->error = cause;
		/* Mail the classifier cannot read still has a sender and
		 * a subject to list, as far as its header goes. */
		if (job->want_fields) {
			char *why = NULL;

			if ((m = msg_parse_envelope(job->data, job->len,
			    &why)) != NULL) {
				store_job_keep_fields(job, m);
				msg_free(m);
			}
			free(why);
		}
		return;
	}
	if (job->want_fields)
		store_job_keep_fields(job, m);
	job->verdict = analyzer_run(ctx->a, m);
	msg_free(m);
	free(job->data);
	job->data = NULL;
}

/* Moves a finished job's result into its entry and the cache. */
static void
store_classify_apply(struct store_classify_ctx *ctx, struct store_job *job)
{
	struct store		*st = ctx->st;
	struct store_entry	*e = store_entry_find(st, job->uid);

	if (e != NULL) {
		/* First: putting the record anew drops its verdict. */
		if (job->have_fields)
			store_apply_fields(st, e, job);
		if (job->verdict != NULL) {
			/* The entry holds it; the cache borrows it to save.
			 * Thousands of verdicts repeat the same rule ids,
			 * explanations and advice: one copy each. */
			if (st->cache != NULL)
				cache_set_verdict_lent(st->cache, job->uid);
			verdict_intern(job->verdict, st->strings);
			verdict_free(e->verdict);
			e->verdict = job->verdict;
			job->verdict = NULL;
		} else {
			free(e->error);
			e->error = job->error;
			job->error = NULL;
		}
		if (st->judged != NULL)
			st->judged(st->judged_ctx, e);
	}
	ctx->done++;
	store_job_free(job);
}

/* Applies the finished jobs at the head of the queue, without waiting. */
static void
store_classify_drain(struct store_classify_ctx *ctx)
{
	struct store_job	*job;

	while ((job = workq_take(ctx->q, 0)) != NULL)
		store_classify_apply(ctx, job);
}

static void
store_classify_sink(void *arg, uint32_t uid, char *data, size_t len,
    char *error)
{
	struct store_classify_ctx	*ctx = arg;
	struct store_job		*job = xcalloc(1, sizeof *job);

	job->uid = uid;
	job->data = data;
	job->len = len;
	job->error = error;
	job->want_fields = store_wants_fields(ctx->st, uid);
	if (workq_full(ctx->q)) {
		/* Half the ring at a time: one wake-up per half rather than
		 * per message, and the workers keep the other half. */
		workq_wait(ctx->q, (workq_depth(ctx->q) + 1) / 2);
		store_classify_drain(ctx);
	}
	workq_push(ctx->q, job);
}

int
store_classify(struct store *st, const struct analyzer *a, char **cause)
{
	struct store_classify_ctx	 ctx;
	uint32_t			*todo;
	size_t				 i, n = 0, at, batch;
	int				 rc = 0, jobs;

	todo = xcalloc(st->nentries + 1, sizeof *todo);
	for (i = 0; i < st->nentries; i++) {
		if (st->entries[i].verdict == NULL &&
		    st->entries[i].error == NULL)
			todo[n++] = st->entries[i].uid;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.st = st;
	ctx.a = a;
	ctx.total = n;
	batch = st->ops->batch > 0 ? st->ops->batch : 200;
	jobs = st->opts.jobs > 0 ? st->opts.jobs : workq_cpus();
	ctx.q = workq_new(jobs, batch * 2, store_classify_run, &ctx);
	for (at = 0; at < n && rc == 0; at += batch) {
		size_t	chunk = n - at < batch ? n - at : batch;

		if (store_progress(st, "classifying", ctx.done, n)) {
			*cause = xstrdup("cancelled");
			rc = -1;
			break;
		}
		rc = st->ops->fetch_batch(st, todo + at, chunk,
		    store_classify_sink, &ctx, cause);
		store_classify_drain(&ctx);
	}
	/* Nobody sees the last jobs before the end: one wake-up for all. */
	workq_wait(ctx.q, workq_pending(ctx.q));
	store_classify_drain(&ctx);
	workq_free(ctx.q);
	free(todo);
	if (rc == 0)
		store_progress(st, "classifying", ctx.done, n);
	if (st->cache != NULL) {
		char *why = NULL;

		/* A cache that cannot be written costs time later, not mail. */
		if (cache_save(st->cache, &why) != 0)
			free(why);
	}
	return rc;
}

const char *
store_read_only(const struct store *st)
{
	return st->ops->read_only;
}

int
store_list(struct store *st, char **cause)
{
	return st->ops->list(st, cause);
}

int
store_fetch(struct store *st, uint32_t uid, char **data_out, size_t *len_out,
    char **cause)
{
	return st->ops->fetch(st, uid, data_out, len_out, cause);
}

int
store_junk(struct store *st, const uint32_t *uids, size_t n,
    struct store_move_report *rep, char **cause)
{
	memset(rep, 0, sizeof *rep);
	rep->requested = n;
	if (n == 0)
		return 0;
	return st->ops->junk(st, uids, n, rep, cause);
}

int
store_undo(struct store *st, struct store_move_report *rep, char **cause)
{
	memset(rep, 0, sizeof *rep);
	return st->ops->undo(st, rep, cause);
}

int
store_mark_not_junk(struct store *st, uint32_t uid, char **cause)
{
	return st->ops->mark_not_junk(st, uid, cause);
}

const char *
store_junk_folder(struct store *st, char **cause)
{
	return st->ops->junk_folder(st, cause);
}
