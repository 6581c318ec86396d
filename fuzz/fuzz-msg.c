/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: one message through msg_parse and the whole engine with the
 * shipped rule packs (analyzer_run), the path every scanned mail takes.
 * The packs come from $SAGI_RULES_DIR, else from the source tree.  An
 * input starting with 0x01 is parsed with tiny limits.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "analyze.h"
#include "diag.h"
#include "fuzz/fuzz.h"
#include "msg.h"
#include "verdict.h"

#ifndef SAGI_SRCDIR
#define SAGI_SRCDIR "."
#endif

static struct analyzer	*fuzz_analyzer;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ruleset	*rs;
	struct diag	*d;
	const char	*dir;
	char		*path, *cause = NULL;
	size_t		 packs, rules, brands;

	(void)argc;
	(void)argv;
	if ((dir = getenv("SAGI_RULES_DIR")) != NULL)
		path = xstrdup(dir);
	else
		path = xasprintf("%s/rules", SAGI_SRCDIR);
	d = diag_new();
	rs = analyzer_load_rules((const char *const *)&path, 1, d);
	/* A fuzz run without the real rules would test nothing of them. */
	if (diag_count(d) != 0 || ruleset_rule_count(rs) == 0) {
		fprintf(stderr, "fuzz-msg: rules from %s: %s\n", path,
		    diag_count(d) != 0 ? diag_get(d, 0) : "no rules");
		exit(1);
	}
	diag_free(d);
	free(path);
	if ((fuzz_analyzer = analyzer_new(rs, NULL, &cause)) == NULL) {
		fprintf(stderr, "fuzz-msg: %s\n", cause);
		exit(1);
	}
	analyzer_rules_summary(analyzer_ruleset(fuzz_analyzer), &packs, &rules,
	    &brands);
	return 0;
}

/* Reads every accessor, as the report and the TUI do. */
static size_t
fuzz_msg_touch(const struct msg *m)
{
	const struct msg_problem	*p;
	const struct msg_link		*l;
	size_t				 i, n = 0, len;

	/* msg.h promises display-ready UTF-8 for the decoded values. */
	if (!fuzz_utf8_valid(msg_subject(m)) ||
	    !fuzz_utf8_valid(msg_from_display(m)) ||
	    !fuzz_utf8_valid(msg_body(m, &len)) ||
	    !fuzz_utf8_valid(msg_quoted(m, &len)))
		abort();
	n += strlen(msg_subject(m)) + strlen(msg_from_display(m)) +
	    strlen(msg_from_addr(m)) + strlen(msg_reply_to_addr(m)) +
	    strlen(msg_return_path(m)) + strlen(msg_message_id(m)) +
	    strlen(msg_date(m));
	for (i = 0; i < msg_to_count(m); i++)
		n += strlen(msg_to_addr(m, i));
	for (i = 0; i < msg_header_count(m, "received"); i++)
		n += strlen(msg_header(m, "received", i));
	n += msg_body(m, &len) != NULL ? len : 0;
	n += msg_quoted(m, &len) != NULL ? len : 0;
	for (i = 0; i < msg_link_count(m); i++) {
		l = msg_link(m, i);
		n += strlen(l->href) + strlen(l->text);
	}
	for (i = 0; i < msg_font_count(m); i++)
		n += strlen(msg_font(m, i));
	for (i = 0; i < msg_form_count(m); i++)
		n += strlen(msg_form(m, i));
	for (i = 0; i < msg_image_count(m); i++)
		n += strlen(msg_image(m, i));
	for (i = 0; i < msg_problem_count(m); i++) {
		p = msg_problem(m, i);
		n += strlen(p->what) + strlen(p->where) + strlen(p->declared) +
		    strlen(p->used);
	}
	n += (size_t)msg_html_only(m);
	if (msg_forward_kind(m) != NULL)
		n += strlen(msg_forward_kind(m));
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct msg_limits	 tiny = { 512, 1024, 4, 2, 16, 3 };
	const struct msg_limits		*lim = NULL;
	const struct msg		*fwd;
	struct msg			*m;
	struct verdict			*v;
	char				*cause = NULL, *said;

	if (fuzz_analyzer == NULL)
		LLVMFuzzerInitialize(NULL, NULL);
	/* A leading 0x01 byte: tiny limits, so that truncation and the
	 * caps on parts, depth, headers and links are fuzzed too. */
	if (size > 0 && data[0] == 0x01) {
		lim = &tiny;
		data++;
		size--;
	}
	if ((m = msg_parse((const char *)data, size, lim, &cause)) == NULL) {
		free(cause);
		return 0;
	}
	fuzz_keep(fuzz_msg_touch(m));
	if ((fwd = msg_forwarded(m)) != NULL)
		fuzz_keep(fuzz_msg_touch(fwd));
	v = analyzer_run(fuzz_analyzer, m);
	verdict_free(v);
	said = analyzer_server_said(fuzz_analyzer, m);
	free(said);
	msg_free(m);
	return 0;
}
