/* SPDX-License-Identifier: ISC */
/*
 * Human and JSON renderings of verdicts.  Every string that came from a
 * mail goes through text_sanitize* before it reaches a terminal; JSON gets
 * valid UTF-8 and JSON's escapes (jsonl.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "buf.h"
#include "jsonl.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define SGR_RED		"\033[1;31m"
#define SGR_YELLOW	"\033[33m"
#define SGR_BOLD	"\033[1m"
#define SGR_RESET	"\033[0m"

/* UI strings, by enum verdict_lang.  (gettext arrives with the TUI.) */
static const char *const level_word[3][2] = {
	{ "clean", "問題なし" },
	{ "SUSPICIOUS", "要注意" },
	{ "PHISH", "フィッシング" },
};

static const char *
report_level_sgr(enum verdict_level l)
{
	return l == VERDICT_PHISH ? SGR_RED : l == VERDICT_SUSPECT ? SGR_YELLOW : "";
}

/* Sanitised one-line copy for the terminal. */
static char *
report_line(const char *s)
{
	return text_sanitize_line(s, strlen(s));
}

static char *
report_from(const struct msg *m)
{
	if (*msg_from_display(m) == '\0')
		return xstrdup(msg_from_addr(m));
	if (*msg_from_addr(m) == '\0')
		return xstrdup(msg_from_display(m));
	return xasprintf("%s <%s>", msg_from_display(m), msg_from_addr(m));
}

/* Where a message is, and the list fields a scan line shows. */
struct report_item {
	const char	*path;		/* file, or NULL */
	long		 index;		/* in an mbox, or -1 */
	const char	*folder;	/* IMAP/Maildir folder, or NULL */
	uint32_t	 uid;
	const char	*message_id;
	const char	*from;
	const char	*from_addr;	/* NULL when unknown */
	const char	*subject;
};

static void
report_json_reasons(struct jsonl *j, const struct verdict *v,
    enum verdict_lang lang)
{
	size_t	i;

	jsonl_array(j, "reasons");
	for (i = 0; i < v->nhits; i++) {
		const struct verdict_hit	*h = &v->hits[i];

		jsonl_object(j, NULL);
		jsonl_str(j, "rule", h->rule);
		jsonl_score(j, "score", h->score);
		jsonl_str(j, "explain", h->explain[lang]);
		jsonl_str(j, "evidence", h->evidence);
		jsonl_close(j);
	}
	jsonl_close(j);
}

/* The members of a verdict, into the object open in j. */
static void
report_json_verdict(struct jsonl *j, const struct report_opts *o,
    const struct report_item *it, const struct verdict *v)
{
	if (it != NULL) {
		if (it->path != NULL)
			jsonl_str(j, "path", it->path);
		if (it->index >= 0)
			jsonl_int(j, "index", it->index);
		if (it->folder != NULL) {
			jsonl_str(j, "folder", it->folder);
			jsonl_int(j, "uid", it->uid);
		}
		jsonl_str(j, "message_id", it->message_id);
		jsonl_str(j, "from", it->from);
		if (it->from_addr != NULL)
			jsonl_str(j, "from_addr", it->from_addr);
		jsonl_str(j, "subject", it->subject);
	}
	jsonl_score(j, "score", v->score);
	jsonl_str(j, "level", verdict_level_name(v->level));
	jsonl_bool(j, "flagged", v->level == VERDICT_PHISH);
	if (v->brand != NULL)
		jsonl_str(j, "brand", v->brand);
	report_json_reasons(j, v, o->lang);
	if (v->forwarded != NULL) {
		jsonl_object(j, "forwarded");
		report_json_verdict(j, o, NULL, v->forwarded);
		jsonl_close(j);
	}
}

char *
report_error_line(const struct report_opts *o, const char *path, long index,
    const char *error)
{
	struct jsonl	 j;
	struct buf	 b;
	char		*sp, *se, *s;

	if (o->json) {
		buf_init(&b);
		jsonl_begin(&j, &b);
		jsonl_str(&j, "path", path);
		if (index >= 0)
			jsonl_int(&j, "index", index);
		jsonl_str(&j, "error", error);
		jsonl_end(&j);
		return buf_take(&b);
	}
	sp = report_line(path);
	se = report_line(error);
	if (index >= 0)
		s = xasprintf("%-10s %5s  %s:%ld  %s\n", "ERROR", "-", sp, index, se);
	else
		s = xasprintf("%-10s %5s  %s  %s\n", "ERROR", "-", sp, se);
	free(sp);
	free(se);
	return s;
}

static char *
report_scan_item(const struct report_opts *o, const struct report_item *it,
    const struct verdict *v)
{
	struct buf	 b;
	struct jsonl	 j;
	char		*sfrom, *ssubj, *swhere;
	size_t		 i;

	buf_init(&b);
	if (o->json) {
		jsonl_begin(&j, &b);
		report_json_verdict(&j, o, it, v);
		jsonl_end(&j);
		return buf_take(&b);
	}
	sfrom = report_line(it->from);
	ssubj = report_line(it->subject);
	swhere = report_line(it->folder != NULL ? it->folder : it->path);
	if (o->color && v->level != VERDICT_CLEAN)
		buf_adds(&b, report_level_sgr(v->level));
	buf_printf(&b, "%-10s", level_word[v->level][VERDICT_EN]);
	if (o->color && v->level != VERDICT_CLEAN)
		buf_adds(&b, SGR_RESET);
	buf_printf(&b, " %5.1f  %s", v->score, swhere);
	if (it->folder != NULL)
		buf_printf(&b, ":%u", it->uid);
	else if (it->index >= 0)
		buf_printf(&b, ":%ld", it->index);
	buf_printf(&b, "  %s  %s", sfrom, ssubj);
	if (v->nhits > 0) {
		buf_adds(&b, "  [");
		for (i = 0; i < v->nhits && i < 4; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", v->hits[i].rule);
		if (v->nhits > 4)
			buf_printf(&b, ", +%zu", v->nhits - 4);
		buf_adds(&b, "]");
	}
	if (v->forwarded != NULL && v->forwarded->level != VERDICT_CLEAN)
		buf_printf(&b, "  (forwarded: %s %.1f)",
		    verdict_level_name(v->forwarded->level), v->forwarded->score);
	buf_addc(&b, '\n');
	free(sfrom);
	free(ssubj);
	free(swhere);
	return buf_take(&b);
}

char *
report_scan_line(const struct report_opts *o, const char *path, long index,
    const struct msg *m, const struct verdict *v)
{
	struct report_item	 it;
	char			*from, *s;

	from = report_from(m);
	memset(&it, 0, sizeof it);
	it.path = path;
	it.index = index;
	it.message_id = msg_message_id(m);
	it.from = from;
	it.from_addr = msg_from_addr(m);
	it.subject = msg_subject(m);
	s = report_scan_item(o, &it, v);
	free(from);
	return s;
}

char *
report_reason_tag(const struct report_opts *o, const struct verdict *v)
{
	if (v->brand_name != NULL && v->level == VERDICT_PHISH)
		return o->lang == VERDICT_JA ? xasprintf("%s偽装", v->brand_name) :
		    xasprintf("fake %s", v->brand_name);
	if (v->level == VERDICT_SUSPECT)
		return xstrdup(o->lang == VERDICT_JA ? "要注意" : "suspicious");
	if (v->nhits > 0)
		return xstrdup(v->hits[0].rule);
	return xstrdup(o->lang == VERDICT_JA ? "スコアのみ" : "score only");
}

char *
report_scan_entry(const struct report_opts *o, const char *folder,
    const struct store_entry *e)
{
	struct report_item	 it;

	memset(&it, 0, sizeof it);
	it.index = -1;
	it.folder = folder;
	it.uid = e->uid;
	it.message_id = e->message_id != NULL ? e->message_id : "";
	it.from = e->from != NULL ? e->from : "";
	it.subject = e->subject != NULL ? e->subject : "";
	return report_scan_item(o, &it, e->verdict);
}

/* UI strings of the explanation, by language. */
enum report_str {
	RS_VERDICT, RS_SCORE, RS_FROM, RS_SUBJECT, RS_REASONS, RS_NONE,
	RS_EVIDENCE, RS_LINKS, RS_GOES_TO, RS_ADVICE_CHECK, RS_ADVICE_VICTIM,
	RS_FORWARDED, RS_PROBLEMS, RS_SENTENCE_PHISH, RS_SENTENCE_SUSPECT,
	RS_SENTENCE_CLEAN, RS_QUOTED_LINK, RS_ALSO, RS_SENTENCE_FORWARD,
	RS_SERVER, RS_FLAGS_JUNK, RS_FLAGS_PHISH, RS__COUNT
};

static const char *const report_strs[RS__COUNT][2] = {
	[RS_VERDICT] = { "Verdict", "判定" },
	[RS_SCORE] = { "score", "スコア" },
	[RS_FROM] = { "From", "差出人" },
	[RS_SUBJECT] = { "Subject", "件名" },
	[RS_REASONS] = { "Why", "理由" },
	[RS_NONE] = { "(no reason found)", "（理由は見つかりませんでした）" },
	[RS_EVIDENCE] = { "evidence", "根拠" },
	[RS_LINKS] = { "Links (visible text -> real destination; never opened)",
	    "リンク（表示 → 実際の接続先。sagi は開きません）" },
	[RS_GOES_TO] = { "goes to", "接続先" },
	[RS_ADVICE_CHECK] = { "How to check", "確認のしかた" },
	[RS_ADVICE_VICTIM] = { "If you already entered your details",
	    "すでに情報を入力してしまった場合" },
	[RS_FORWARDED] = { "The forwarded/quoted message, judged on its own",
	    "転送・引用されたメールだけを判定した結果" },
	[RS_PROBLEMS] = { "Decoding problems", "デコードの問題" },
	[RS_SENTENCE_PHISH] = { "This message is very likely phishing. Do not open its links.",
	    "このメールはフィッシング詐欺の可能性が非常に高いです。リンクを開かないでください。" },
	[RS_SENTENCE_SUSPECT] = { "This message looks suspicious. Check it through the official site or app, not through the mail.",
	    "このメールは不審です。メールのリンクではなく、公式サイトやアプリから確認してください。" },
	[RS_SENTENCE_CLEAN] = { "sagi found no sign of phishing in this message.",
	    "このメールにフィッシングの兆候は見つかりませんでした。" },
	[RS_QUOTED_LINK] = { "in quoted/forwarded text", "引用・転送部分" },
	[RS_SERVER] = { "What the servers said", "受信サーバーの判定" },
	[RS_FLAGS_JUNK] = { "marked $Junk on the server", "サーバー上で $Junk（迷惑メール）の印あり" },
	[RS_FLAGS_PHISH] = { "marked $Phishing on the server: treat it with extra care",
	    "サーバー上で $Phishing（フィッシング）の印あり：特に注意してください" },
	[RS_SENTENCE_FORWARD] = { "But it forwards or quotes a message that, on its own, is %s: see below, and do not open that message's links.\n",
	    "ただし、このメールが転送・引用しているメールは、単独で判定すると「%s」です（下記参照）。そのリンクは開かないでください。\n" },
	[RS_ALSO] = { "Also noticed (no extra points: already counted in its group, or for information)",
	    "ほかに見つかった点（点数の上限に達したもの、または参考情報）" },
};

#define RS(o, id)	(report_strs[(id)][(o)->lang])

/* Multi-line sanitised text, every line indented. */
static void
report_indented(struct buf *b, const char *indent, const char *s)
{
	char		*clean = text_sanitize(s, strlen(s));
	const char	*p = clean, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		buf_adds(b, indent);
		if (nl == NULL) {
			buf_adds(b, p);
			buf_addc(b, '\n');
			break;
		}
		buf_add(b, p, (size_t)(nl - p) + 1);
		p = nl + 1;
	}
	free(clean);
}

static void
report_hit(const struct report_opts *o, struct buf *b,
    const struct verdict_hit *h, const char *indent)
{
	char	*rule = report_line(h->rule);
	char	*ind2 = xasprintf("%s       ", indent);

	if (h->score != 0)
		buf_printf(b, "%s%+5.1f  %s\n", indent, h->score, rule);
	else
		buf_printf(b, "%s    .  %s\n", indent, rule);
	report_indented(b, ind2, h->explain[o->lang]);
	if (*h->evidence != '\0') {
		char	*ev = report_line(h->evidence);

		buf_printf(b, "%s%s: %s\n", ind2, RS(o, RS_EVIDENCE), ev);
		free(ev);
	}
	free(ind2);
	free(rule);
}

/* Reasons with points first; then what was seen but added nothing (a
 * capped group, or a reason that only informs). */
static void
report_reasons(const struct report_opts *o, struct buf *b,
    const struct verdict *v, const char *indent)
{
	size_t	 i, zero = 0;

	if (v->nhits == 0) {
		buf_printf(b, "%s%s\n", indent, RS(o, RS_NONE));
		return;
	}
	for (i = 0; i < v->nhits; i++) {
		if (v->hits[i].score != 0)
			report_hit(o, b, &v->hits[i], indent);
		else
			zero++;
	}
	if (zero == 0)
		return;
	buf_printf(b, "%s%s:\n", indent, RS(o, RS_ALSO));
	for (i = 0; i < v->nhits; i++) {
		if (v->hits[i].score == 0)
			report_hit(o, b, &v->hits[i], indent);
	}
}

static void
report_verdict_head(const struct report_opts *o, struct buf *b,
    const struct verdict *v)
{
	const char	*sgr = o->color ? report_level_sgr(v->level) : "";

	buf_printf(b, "%s: %s%s%s (%s %.1f)\n", RS(o, RS_VERDICT), sgr,
	    level_word[v->level][o->lang], *sgr ? SGR_RESET : "",
	    RS(o, RS_SCORE), v->score);
	buf_printf(b, "%s\n", RS(o, v->level == VERDICT_PHISH ? RS_SENTENCE_PHISH :
	    v->level == VERDICT_SUSPECT ? RS_SENTENCE_SUSPECT : RS_SENTENCE_CLEAN));
	if (v->forwarded != NULL && v->forwarded->level != VERDICT_CLEAN)
		buf_printf(b, RS(o, RS_SENTENCE_FORWARD),
		    level_word[v->forwarded->level][o->lang]);
}

static void
report_links(const struct report_opts *o, struct buf *b, const struct msg *m)
{
	size_t	 i, n = msg_link_count(m);

	if (n == 0)
		return;
	buf_printf(b, "\n%s:\n", RS(o, RS_LINKS));
	for (i = 0; i < n && i < 100; i++) {
		const struct msg_link	*l = msg_link(m, i);
		char			*text = report_line(l->text);
		char			*def = analyzer_defang(l->href);
		char			*sdef = report_line(def);

		buf_printf(b, "  [%zu] %s%s%s\n", i + 1, text,
		    l->quoted ? "  ~ " : "", l->quoted ? RS(o, RS_QUOTED_LINK) : "");
		buf_printf(b, "       %s: %s\n", RS(o, RS_GOES_TO), sdef);
		free(text);
		free(def);
		free(sdef);
	}
	if (n > 100)
		buf_printf(b, "  … +%zu\n", n - 100);
}

static void
report_advice(const struct report_opts *o, struct buf *b, const struct verdict *v)
{
	if (v->level == VERDICT_CLEAN || v->brand == NULL)
		return;
	if (v->advice_check[o->lang] != NULL) {
		buf_printf(b, "\n%s (%s):\n", RS(o, RS_ADVICE_CHECK), v->brand_name);
		report_indented(b, "  ", v->advice_check[o->lang]);
	}
	if (v->advice_victim[o->lang] != NULL) {
		buf_printf(b, "\n%s:\n", RS(o, RS_ADVICE_VICTIM));
		report_indented(b, "  ", v->advice_victim[o->lang]);
	}
}

static char *
report_json_explain(const struct report_opts *o, const char *path,
    const struct msg *m, const struct verdict *v)
{
	struct report_item	 it;
	struct jsonl		 j;
	struct buf		 b;
	char			*from = report_from(m);
	size_t			 i;

	memset(&it, 0, sizeof it);
	it.path = path;
	it.index = -1;
	it.message_id = msg_message_id(m);
	it.from = from;
	it.from_addr = msg_from_addr(m);
	it.subject = msg_subject(m);
	buf_init(&b);
	jsonl_begin(&j, &b);
	report_json_verdict(&j, o, &it, v);
	free(from);

	jsonl_array(&j, "links");
	for (i = 0; i < msg_link_count(m); i++) {
		const struct msg_link	*l = msg_link(m, i);
		char			*def = analyzer_defang(l->href);

		jsonl_object(&j, NULL);
		jsonl_str(&j, "text", l->text);
		jsonl_str(&j, "href", l->href);
		jsonl_str(&j, "defanged", def);
		jsonl_bool(&j, "quoted", l->quoted);
		jsonl_close(&j);
		free(def);
	}
	jsonl_close(&j);
	if (v->brand != NULL) {
		jsonl_str(&j, "advice_check", v->advice_check[o->lang]);
		jsonl_str(&j, "advice_victim", v->advice_victim[o->lang]);
	}
	jsonl_end(&j);
	return buf_take(&b);
}

char *
report_explain(const struct report_opts *o, const char *path,
    const struct msg *m, const struct verdict *v)
{
	struct buf	 b;
	char		*from, *s;
	size_t		 i;

	if (o->json)
		return report_json_explain(o, path, m, v);
	buf_init(&b);
	report_verdict_head(o, &b, v);
	buf_addc(&b, '\n');
	from = report_from(m);
	s = report_line(from);
	buf_printf(&b, "%s: %s\n", RS(o, RS_FROM), s);
	free(s);
	free(from);
	s = report_line(msg_subject(m));
	buf_printf(&b, "%s: %s\n", RS(o, RS_SUBJECT), s);
	free(s);
	buf_printf(&b, "\n%s:\n", RS(o, RS_REASONS));
	report_reasons(o, &b, v, "  ");
	report_links(o, &b, m);
	report_advice(o, &b, v);
	if (v->forwarded != NULL) {
		buf_printf(&b, "\n%s: %s (%s %.1f)\n", RS(o, RS_FORWARDED),
		    level_word[v->forwarded->level][o->lang], RS(o, RS_SCORE),
		    v->forwarded->score);
		report_reasons(o, &b, v->forwarded, "  ");
		report_advice(o, &b, v->forwarded);
	}
	if (msg_problem_count(m) > 0) {
		buf_printf(&b, "\n%s:\n", RS(o, RS_PROBLEMS));
		for (i = 0; i < msg_problem_count(m); i++) {
			const struct msg_problem *p = msg_problem(m, i);
			char *line = xasprintf("%s %s%s%s%s%s", p->what, p->where,
			    *p->declared ? " declared=" : "", p->declared,
			    *p->used ? " used=" : "", p->used);

			s = report_line(line);
			buf_printf(&b, "  %s\n", s);
			free(s);
			free(line);
		}
	}
	return buf_take(&b);
}

char *
report_why(const struct report_opts *o, const struct verdict *v,
    const struct msg *m, const char *server_said, unsigned int flags)
{
	struct report_opts	 plain = *o;
	struct buf		 b;
	char			*s;

	plain.color = 0;
	plain.json = 0;
	buf_init(&b);
	report_verdict_head(&plain, &b, v);
	buf_printf(&b, "\n%s:\n", RS(o, RS_REASONS));
	report_reasons(&plain, &b, v, "  ");
	if ((server_said != NULL && *server_said != '\0') ||
	    (flags & (STORE_JUNK | STORE_PHISHING))) {
		buf_printf(&b, "\n%s:\n", RS(o, RS_SERVER));
		if (server_said != NULL && *server_said != '\0') {
			s = text_sanitize(server_said, strlen(server_said));
			report_indented(&b, "  ", s);
			free(s);
		}
		if (flags & STORE_PHISHING)
			buf_printf(&b, "  %s\n", RS(o, RS_FLAGS_PHISH));
		else if (flags & STORE_JUNK)
			buf_printf(&b, "  %s\n", RS(o, RS_FLAGS_JUNK));
	}
	if (m != NULL)
		report_links(&plain, &b, m);
	report_advice(&plain, &b, v);
	if (v->forwarded != NULL) {
		buf_printf(&b, "\n%s: %s (%s %.1f)\n", RS(o, RS_FORWARDED),
		    level_word[v->forwarded->level][o->lang], RS(o, RS_SCORE),
		    v->forwarded->score);
		report_reasons(&plain, &b, v->forwarded, "  ");
	}
	return buf_take(&b);
}
