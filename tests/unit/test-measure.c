/* SPDX-License-Identifier: ISC */
/* Unit tests for measure: the facts the rules see, on small messages. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "facts.h"
#include "measure.h"
#include "msg.h"
#include "norm.h"
#include "rulepack.h"
#include "url.h"
#include "t.h"

static const char pack[] =
    "pack test\nversion 1\nrequires sagi-rules 1\n\n"
    "brand amazon\nname Amazon\nmatch amazon|アマゾン\ntoken amazon\n"
    "domains amazon.co.jp amazon.com amazonses.com\nend\n";

static struct measure_ctx ctx;

static struct facts *
measure(const char *raw)
{
	char		*cause = NULL;
	struct msg	*m = msg_parse(raw, strlen(raw), NULL, &cause);
	struct facts	*f = facts_new();

	if (m == NULL) {
		printf("# %s\n", cause);
		free(cause);
		return f;
	}
	measure_message(&ctx, m, f);
	msg_free(m);
	return f;
}

static int
has(const struct facts *f, enum fact_id id, const char *value)
{
	size_t	 i;

	for (i = 0; i < facts_count(f, id); i++) {
		if (value == NULL || strcmp(facts_value(f, id, i), value) == 0)
			return 1;
	}
	return 0;
}

int
main(void)
{
	struct ruleset	*rs = ruleset_new();
	struct diag	*d = diag_new();
	struct url_ctx	*urls;
	struct norm	*n;
	struct facts	*f;
	char		*cause = NULL;

	if (ruleset_load_string(rs, "test", pack, strlen(pack), d) != 0) {
		printf("# %s\n", diag_get(d, 0));
		return 99;
	}
	urls = url_ctx_new(&cause);
	n = norm_new(&cause);
	if (urls == NULL || n == NULL)
		return 99;
	ctx.rules = rs;
	ctx.urls = urls;
	ctx.norm = n;
	ctx.authserv_id = NULL;

	/* The seed shape: brand in display, foreign From, offsite CTA,
	 * topmost A-R trusted, a forged pass below it ignored. */
	f = measure("Authentication-Results: mx.example.jp; spf=softfail "
	    "smtp.mailfrom=x@23sl56kk.jp; dkim=none; dmarc=fail (p=NONE) header.from=23sl56kk.jp\n"
	    "Authentication-Results: evil; dmarc=pass header.from=amazon.co.jp\n"
	    "Received: from VM-4-11-centos.localdomain ([43.133.0.251]) by mx\n"
	    "From: Amazon.co.jp <notice@23sl56kk.jp>\nSubject: 緊急のご連絡\n"
	    "Content-Type: text/html; charset=utf-8\n\n"
	    "<p>hanako@example.jp</p><a href=\"https://www.amazon.co.jp.abc123.info/x\">Amazon ログイン</a>"
	    "<a href=\"http://3627734734/\">https://www.amazon.co.jp/</a>"
	    "<a href=\"https://anazom-jp.top/\">確認</a>\n");
	t_ok(has(f, FACT_BRAND_CLAIMED, "amazon"), "amazon claimed");
	t_ok(has(f, FACT_BRAND_UNAUTHENTICATED, "amazon"), "not authenticated");
	t_ok(!has(f, FACT_BRAND_AUTHENTICATED, NULL), "forged lower A-R not trusted");
	t_ok(has(f, FACT_BRAND_FROM_FOREIGN, "amazon"), "foreign From domain");
	t_ok(has(f, FACT_FROM_DISPLAY_ADDR, "amazon.co.jp"), "display shows another domain");
	t_ok(has(f, FACT_AUTH_DMARC, "fail"), "dmarc=fail seen");
	t_str_eq(facts_var(f, FACT_AUTH_DMARC, 0, "policy"), "none", "policy from comment");
	t_ok(has(f, FACT_LINK_BRAND_TEXT_OFFSITE, "www.amazon.co.jp.abc123.info"),
	    "brand link text to a foreign host");
	t_ok(has(f, FACT_LINK_BRAND_IN_HOST, "www.amazon.co.jp.abc123.info"),
	    "brand token inside a foreign host");
	t_ok(has(f, FACT_LINK_TYPOSQUAT, "anazom-jp.top"), "anazom is a typosquat");
	t_ok(has(f, FACT_LINK_TEXT_HOST_DIFFERS, "216.58.214.206"),
	    "link text amazon.co.jp, target elsewhere");
	t_ok(has(f, FACT_LINK_IP_OBFUSCATED, NULL), "decimal IP flagged");
	t_ok(has(f, FACT_MIME_HTML_ONLY, NULL), "html only");
	t_str_eq(facts_var(f, FACT_RECEIVED_ORIGIN, 0, "host"),
	    "vm-4-11-centos.localdomain", "origin hop host");
	facts_free(f);

	/* policy.dmarc twice in one result: the first counts (a second one
	 * replaced it, and leaked it; found by fuzz-msg). */
	f = measure("Authentication-Results: mx.example.jp; dmarc=fail "
	    "policy.dmarc=reject header.from=x.example policy.dmarc=none\n"
	    "From: a@x.example\nSubject: s\n\nb\n");
	t_str_eq(facts_var(f, FACT_AUTH_DMARC, 0, "policy"), "reject",
	    "the first policy.dmarc counts");
	facts_free(f);

	/* Genuine: DKIM pass for the brand, links on the brand. */
	f = measure("Authentication-Results: mx.example.jp; spf=pass smtp.mailfrom=amazonses.com;"
	    " dkim=pass header.d=amazon.co.jp; dmarc=pass header.from=amazon.co.jp\n"
	    "From: Amazon.co.jp <auto-confirm@amazon.co.jp>\nSubject: ご注文の確認\n\n"
	    "ご注文ありがとうございます https://www.amazon.co.jp/gp/css/order-history\n");
	t_ok(has(f, FACT_BRAND_AUTHENTICATED, "amazon"), "authenticated brand");
	t_ok(!has(f, FACT_BRAND_FROM_FOREIGN, NULL), "own domain is not foreign");
	t_ok(!has(f, FACT_LINK_BRAND_OFFSITE, NULL), "brand links are not offsite");
	facts_free(f);

	/* No A-R at all: unverifiable, not unauthenticated. */
	f = measure("From: Amazon <a@amazon.co.jp>\nSubject: x\n\nbody\n");
	t_ok(has(f, FACT_AUTH_NONE, NULL), "auth.none");
	t_ok(has(f, FACT_BRAND_UNVERIFIABLE, "amazon"), "unverifiable");
	facts_free(f);

	/* Configured authserv-id: only that header counts. */
	ctx.authserv_id = "mx.mine.example";
	f = measure("Authentication-Results: forged; dmarc=pass header.from=amazon.co.jp\n"
	    "Authentication-Results: mx.mine.example; dmarc=fail header.from=amazon.co.jp\n"
	    "From: Amazon <a@amazon.co.jp>\nSubject: x\n\nbody\n");
	t_ok(has(f, FACT_BRAND_UNAUTHENTICATED, "amazon"), "configured authserv trusted");
	facts_free(f);
	ctx.authserv_id = NULL;

	/* A confusable spelling claims the brand. */
	f = measure("From: \xd0\x90mazon <x@evil.example>\nSubject: x\n\nbody\n");
	t_ok(has(f, FACT_TEXT_CONFUSABLE, NULL), "Cyrillic А word found");
	t_str_eq(facts_var(f, FACT_TEXT_CONFUSABLE, 0, "brand"), "amazon",
	    "confusable word spells amazon");
	t_ok(has(f, FACT_BRAND_CLAIMED, "amazon"), "and claims the brand");
	facts_free(f);

	/* A forward: the subject does not claim the brand, links are quoted. */
	f = measure("From: taro@example.ne.jp\nSubject: Fwd: Amazon株式会社から緊急のご連絡\n\n"
	    "これって本物？\n---------- Forwarded message ---------\n"
	    "From: Amazon <x@evil.cn>\nhttps://amazon-co-jp.evil.cn/\n");
	t_ok(!has(f, FACT_BRAND_CLAIMED, NULL), "a forward's subject claims no brand");
	t_ok(!has(f, FACT_LINK_HOST, NULL), "forwarded links are not live links");
	t_ok(has(f, FACT_MSG_FORWARD, "inline"), "msg.forward");
	facts_free(f);
	{
		char		*c2 = NULL;
		const char	*raw = "From: taro@example.ne.jp\nSubject: Fwd: x\n\n"
		    "見て\n---------- Forwarded message ---------\n"
		    "From: Amazon <x@evil.cn>\nSubject: Amazon緊急\n\nhttps://amazon-co-jp.evil.cn/\n";
		struct msg	*m = msg_parse(raw, strlen(raw), NULL, &c2);

		f = facts_new();
		t_int_eq(measure_quoted(&ctx, m, f), 0, "quoted part measured");
		t_ok(has(f, FACT_BRAND_CLAIMED, "amazon"), "forwarded part claims amazon");
		t_ok(has(f, FACT_BRAND_UNVERIFIABLE, "amazon"), "and cannot be verified");
		t_ok(has(f, FACT_LINK_BRAND_IN_HOST, "amazon-co-jp.evil.cn"),
		    "forwarded link measured");
		facts_free(f);
		msg_free(m);
	}

	ruleset_free(rs);
	diag_free(d);
	url_ctx_free(urls);
	norm_free(n);
	return t_done();
}
