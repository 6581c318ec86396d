/* SPDX-License-Identifier: ISC */
/* Unit tests for msg: headers, MIME walk, text, links, quotes, forwards. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "t.h"
#include "xalloc.h"

static struct msg *
parse(const char *raw)
{
	char		*cause = NULL;
	struct msg	*m = msg_parse(raw, strlen(raw), NULL, &cause);

	if (m == NULL) {
		printf("# parse failed: %s\n", cause);
		free(cause);
	}
	return m;
}

static int
has_problem(const struct msg *m, const char *what)
{
	size_t	 i;

	for (i = 0; i < msg_problem_count(m); i++) {
		if (strcmp(msg_problem(m, i)->what, what) == 0)
			return 1;
	}
	return 0;
}

/*
 * msg_parse_envelope must read the envelope exactly as msg_parse does (the
 * list fields come from one, the verdict's from the other): every corpus
 * message, field by field.  Returns how many messages differed; *n gets
 * how many were compared.
 */
static int
envelope_differs(const char *dir, size_t *n)
{
	DIR		*d;
	struct dirent	*de;
	int		 bad = 0;

	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char		*path, *raw, *cause = NULL;
		struct msg	*a, *b;
		FILE		*fp;
		long		 len;
		size_t		 i, k = strlen(de->d_name);
		int		 same;

		if (k < 5 || strcmp(de->d_name + k - 4, ".eml") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		fp = fopen(path, "rb");
		free(path);
		if (fp == NULL)
			continue;
		fseek(fp, 0, SEEK_END);
		len = ftell(fp);
		rewind(fp);
		raw = malloc((size_t)len + 1);
		if (raw == NULL || fread(raw, 1, (size_t)len, fp) != (size_t)len) {
			free(raw);
			fclose(fp);
			continue;
		}
		fclose(fp);
		a = msg_parse(raw, (size_t)len, NULL, &cause);
		free(cause);
		cause = NULL;
		b = msg_parse_envelope(raw, (size_t)len, &cause);
		free(cause);
		same = (a == NULL) == (b == NULL);
		if (a != NULL && b != NULL) {
			same = strcmp(msg_subject(a), msg_subject(b)) == 0 &&
			    strcmp(msg_from_display(a), msg_from_display(b)) == 0 &&
			    strcmp(msg_from_addr(a), msg_from_addr(b)) == 0 &&
			    strcmp(msg_message_id(a), msg_message_id(b)) == 0 &&
			    strcmp(msg_date(a), msg_date(b)) == 0 &&
			    (msg_reply_to_addr(a) == NULL) ==
			    (msg_reply_to_addr(b) == NULL) &&
			    (msg_reply_to_addr(a) == NULL ||
			    strcmp(msg_reply_to_addr(a), msg_reply_to_addr(b)) == 0) &&
			    msg_to_count(a) == msg_to_count(b);
			for (i = 0; same && i < msg_to_count(a); i++)
				same = strcmp(msg_to_addr(a, i),
				    msg_to_addr(b, i)) == 0;
		}
		if (!same) {
			printf("# envelope differs: %s\n", de->d_name);
			bad++;
		}
		(*n)++;
		msg_free(a);
		msg_free(b);
		free(raw);
	}
	closedir(d);
	return bad;
}

int
main(void)
{
	struct msg		*m;
	char			*cause = NULL;
	const struct msg_link	*l;
	size_t			 len;

	/* Degenerate input. */
	t_ok(msg_parse("", 0, NULL, &cause) == NULL && cause != NULL,
	    "empty input is not a message");
	free(cause);
	cause = NULL;
	t_ok(msg_parse("just text\nno headers\n", 20, NULL, &cause) == NULL,
	    "text without a header field is not a message");
	free(cause);
	msg_free(NULL);

	/* Envelope, RFC 2047 display name, raw header order. */
	m = parse("Received: from b by c\r\nReceived: from a by b\r\n"
	    "From: =?UTF-8?B?QW1hem9uLmNvLmpw?= <No-Reply@Accounts.Google.COM>\r\n"
	    "Reply-To: x@evil.example\r\nTo: Hanako <hanako@example.jp>, b@example.jp\r\n"
	    "Subject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\r\n"
	    "Message-ID: <abc@mail.example>\r\n\r\nhello\r\n");
	t_ok(m != NULL, "simple message parses");
	t_str_eq(msg_subject(m), "こんにちは", "ISO-2022-JP subject decoded");
	t_str_eq(msg_from_display(m), "Amazon.co.jp", "display name decoded");
	t_str_eq(msg_from_addr(m), "no-reply@accounts.google.com", "address lower-cased");
	t_str_eq(msg_reply_to_addr(m), "x@evil.example", "Reply-To");
	t_str_eq(msg_message_id(m), "abc@mail.example", "Message-ID without <>");
	t_int_eq(msg_to_count(m), 2, "two recipients");
	t_str_eq(msg_to_addr(m, 0), "hanako@example.jp", "first recipient");
	t_int_eq(msg_header_count(m, "received"), 2, "two Received, any case");
	t_str_eq(msg_header(m, "Received", 1), "from a by b", "bottom Received");
	t_str_eq(msg_body(m, &len), "hello\r\n", "body kept");
	msg_free(m);

	/* multipart/alternative: the HTML part is read, once. */
	m = parse("From: a@example.jp\nSubject: alt\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=XX\n\n"
	    "--XX\nContent-Type: text/plain; charset=utf-8\n\nplain version\n"
	    "--XX\nContent-Type: text/html; charset=utf-8\n\n"
	    "<p>html <a href=\"https://evil.example.cn/x\">Amazon ログイン</a></p>\n"
	    "--XX--\n");
	t_ok(strstr(msg_body(m, NULL), "Amazon ログイン") != NULL, "html text read");
	t_ok(strstr(msg_body(m, NULL), "plain version") == NULL, "plain alternative not doubled");
	t_int_eq(msg_link_count(m), 1, "one link");
	l = msg_link(m, 0);
	t_str_eq(l->href, "https://evil.example.cn/x", "link href");
	t_str_eq(l->text, "Amazon ログイン", "link text");
	t_ok(l->html && !l->quoted, "live html link");
	t_ok(!msg_html_only(m), "not html-only (a plain part exists)");
	msg_free(m);

	/* HTML only, base64, charset from <meta>. */
	m = parse("From: a@example.jp\nSubject: b64\nMIME-Version: 1.0\n"
	    "Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n"
	    "PG1ldGEgY2hhcnNldD0idXRmLTgiPjxwPuODhuOCueODiDwvcD4=\n");
	t_ok(strstr(msg_body(m, NULL), "テスト") != NULL, "base64 html with meta charset");
	t_ok(msg_html_only(m), "html-only");
	msg_free(m);

	/* Quotes and inline forwards. */
	m = parse("From: taro@example.ne.jp\nSubject: Fwd: test\n\n"
	    "これって本物？\n> quoted line https://q.example/\n"
	    "---------- Forwarded message ---------\nFrom: Amazon <x@evil.cn>\n"
	    "Subject: 緊急\nhttps://evil.example.cn/login\n");
	t_ok(strstr(msg_body(m, NULL), "これって本物") != NULL, "own words in body");
	t_ok(strstr(msg_body(m, NULL), "evil") == NULL, "forwarded text not in body");
	t_ok(strstr(msg_quoted(m, NULL), "evil.example.cn") != NULL, "forwarded text quoted");
	t_str_eq(msg_forward_kind(m), "inline", "inline forward recognised");
	t_int_eq(msg_link_count(m), 2, "two links from plain text");
	t_ok(msg_link(m, 0)->quoted && msg_link(m, 1)->quoted, "both links quoted");
	msg_free(m);

	/* message/rfc822 attachment. */
	m = parse("From: taro@example.ne.jp\nSubject: Fwd: check\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=M\n\n"
	    "--M\nContent-Type: text/plain; charset=utf-8\n\n本物？\n"
	    "--M\nContent-Type: message/rfc822\n\n"
	    "From: Amazon <notice@evil.example>\nSubject: inner subject\n"
	    "Content-Type: text/plain; charset=utf-8\n\ninner body https://evil.example.cn/\n"
	    "--M--\n");
	t_str_eq(msg_forward_kind(m), "rfc822", "rfc822 forward");
	t_ok(msg_forwarded(m) != NULL, "inner message parsed");
	if (msg_forwarded(m) != NULL) {
		t_str_eq(msg_subject(msg_forwarded(m)), "inner subject", "inner subject");
		t_str_eq(msg_from_addr(msg_forwarded(m)), "notice@evil.example", "inner from");
	} else
		t_skip(2, "no inner message");
	t_ok(strstr(msg_body(m, NULL), "inner body") == NULL, "inner text not in outer body");
	t_ok(strstr(msg_quoted(m, NULL), "inner body") != NULL, "inner text is quoted context");
	msg_free(m);

	/* Charset problems are facts, not mojibake. */
	m = parse("From: a@example.jp\nSubject: x\nContent-Type: text/plain; charset=x-klingon\n\nabc\n");
	t_ok(has_problem(m, "unknown"), "unknown charset recorded");
	msg_free(m);
	m = parse("From: a@example.jp\nSubject: =?UTF-8?B?!!!?=\n\nabc\n");
	t_ok(has_problem(m, "malformed-word"), "malformed encoded word recorded");
	msg_free(m);

	/* An mbox separator on top of an exported file. */
	m = parse("From a@example.jp Mon Mar  6 10:00:00 2023\nFrom: a@example.jp\nSubject: s\n\nb\n");
	t_ok(m != NULL, "From_ line skipped");
	if (m != NULL)
		t_str_eq(msg_subject(m), "s", "headers after From_ line");
	else
		t_skip(1, "no message");
	msg_free(m);

	/* Lax mailbox: 8-bit display name libetpan refuses. */
	m = parse("From: \xe3\x82\xa2\xe3\x83\x9e\xe3\x82\xbe\xe3\x83\xb3 <info@ama.example>\nSubject: s\n\nb\n");
	t_str_eq(msg_from_addr(m), "info@ama.example", "8-bit display: address found");
	t_str_eq(msg_from_display(m), "アマゾン", "8-bit display name sniffed as UTF-8");
	msg_free(m);
	/* The envelope alone. */
	cause = NULL;
	t_ok(msg_parse_envelope("", 0, &cause) == NULL && cause != NULL,
	    "envelope: empty input is not a message");
	free(cause);
	{
		const char *raw = "Subject: =?UTF-8?B?5pel5pys?=\r\n"
		    "Content-Type: text/html\r\n\r\n"
		    "<a href=\"https://x.example/\">x</a>";

		m = msg_parse_envelope(raw, strlen(raw), &cause);
		len = 1;
		if (m != NULL)
			(void)msg_body(m, &len);
		t_ok(m != NULL && strcmp(msg_subject(m), "日本") == 0 &&
		    msg_link_count(m) == 0 && len == 0,
		    "envelope: the subject, and no body or links read");
		msg_free(m);
	}
	{
		const char	*top = getenv("SAGI_SRCDIR");
		char		*dir;
		size_t		 n;
		int		 bad;

		if (top == NULL && (top = getenv("top_srcdir")) == NULL)
			top = ".";
		dir = xasprintf("%s/tests/corpus", top);
		bad = envelope_differs(dir, &n);
		free(dir);
		t_ok(bad == 0 && n >= 50, "envelope: as msg_parse reads it, "
		    "on every corpus message");
		printf("# %zu corpus messages compared\n", n);
	}

	return t_done();
}
