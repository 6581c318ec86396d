/* SPDX-License-Identifier: ISC */
/*
 * Tests for tui/keymap.c: every kind of problem with its exact location,
 * lookup with the fall back to global, replacement, unbind, the help
 * listing order, and the shipped keymaps (zero problems, each binding an
 * action that makes sense in its context).
 *
 * With file arguments it is the helper of tests/check-keymaps.sh instead:
 * it loads the files in order into one keymap with the actions below,
 * prints every problem and exits 1 if there was any.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "sagi.h"
#include "tui/keymap.h"
#include "tui/keyname.h"
#include "xalloc.h"
#include "t.h"

/*
 * The action names of tui/actions.c, plus one fake action that takes an
 * argument.  Keep in step with the real table.
 */
static const char *const index_actions[] = {
	"next-message", "prev-message", "page-down", "page-up",
	"first-message", "last-message", "open-message", "toggle-explain",
	"junk-message", "tag-message", "tag-flagged", "tag-prefix",
	"junk-flagged", "undo", "not-phish", "limit-flagged", "search",
	"search-next", "sort-date", "sort-score", "refresh", "help", "redraw",
	"show-problems", "quit", NULL
};
static const char *const pager_actions[] = {
	"close-message", "page-down", "page-up", "line-down", "line-up",
	"next-message", "prev-message", "junk-message", "toggle-explain",
	"not-phish", "help", "quit", NULL
};
static const char *const help_actions[] = {
	"close-message", "page-down", "page-up", "line-down", "line-up", "quit",
	NULL
};

/* clang-format off */
static const struct keymap_action actions[] = {
	{ "close-message",	0 },
	{ "first-message",	0 },
	{ "help",		0 },
	{ "junk-flagged",	0 },
	{ "junk-message",	0 },
	{ "last-message",	0 },
	{ "limit-flagged",	0 },
	{ "line-down",		0 },
	{ "line-up",		0 },
	{ "move-message",	1 },	/* fake, the one with an argument */
	{ "next-message",	0 },
	{ "not-phish",		0 },
	{ "open-message",	0 },
	{ "page-down",		0 },
	{ "page-up",		0 },
	{ "prev-message",	0 },
	{ "quit",		0 },
	{ "redraw",		0 },
	{ "refresh",		0 },
	{ "search",		0 },
	{ "search-next",	0 },
	{ "show-problems",	0 },
	{ "sort-date",		0 },
	{ "sort-score",		0 },
	{ "tag-flagged",	0 },
	{ "tag-message",	0 },
	{ "tag-prefix",		0 },
	{ "toggle-explain",	0 },
	{ "undo",		0 },
};

#define LONG1024 \
	"bind index j quit #xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

/* Each text gives exactly one problem. */
static const struct {
	const char	*text;
	const char	*want;
} problems[] = {
	{ "frob index j quit",
	  "t:1:1: unknown directive \"frob\" (bind or unbind)" },
	{ "Bind index j quit",
	  "t:1:1: unknown directive \"Bind\" (bind or unbind)" },
	{ "# comment\n\n  bind idx j quit",
	  "t:3:8: unknown context \"idx\""
	  " (global, index, pager, explain or help)" },
	{ "bind Index j quit",
	  "t:1:6: unknown context \"Index\""
	  " (global, index, pager, explain or help)" },
	{ "bind index Foo quit",
	  "t:1:12: unknown key \"Foo\"" },
	{ "bind index C-C-x quit",
	  "t:1:12: unknown key \"C-C-x\"" },
	{ "bind\tindex\t\xe2\x80\x8b quit",
	  "t:1:12: unknown key \"\xe2\x80\x8b\"" },
	{ "bind index j frobnicate",
	  "t:1:14: unknown action \"frobnicate\"" },
	{ "bind index j Quit",
	  "t:1:14: unknown action \"Quit\"" },
	{ "bind index j quit now",
	  "t:1:19: action \"quit\" takes no argument" },
	{ "bind index j quit \"now\"",
	  "t:1:19: action \"quit\" takes no argument" },
	{ "bind",
	  "t:1:5: bind: missing context" },
	{ "bind index",
	  "t:1:11: bind: missing key" },
	{ "bind index j",
	  "t:1:13: bind: missing action" },
	{ "bind index j   ",
	  "t:1:16: bind: missing action" },
	{ "bind index j # quit",
	  "t:1:14: unknown action \"#\"" },
	{ "bind index j quit#",
	  "t:1:14: unknown action \"quit#\"" },
	{ "unbind",
	  "t:1:7: unbind: missing context" },
	{ "unbind pager",
	  "t:1:13: unbind: missing key" },
	{ "unbind pagr q",
	  "t:1:8: unknown context \"pagr\""
	  " (global, index, pager, explain or help)" },
	{ "unbind pager Qq",
	  "t:1:14: unknown key \"Qq\"" },
	{ "unbind pager q extra",
	  "t:1:16: text after the key" },
	{ "bind index m move-message \"Junk",
	  "t:1:27: unterminated quoted argument" },
	{ "bind index m move-message \"a\\nb\"",
	  "t:1:29: unknown escape in quoted argument: only \\\" and \\\\ are "
	  "allowed" },
	{ "bind index m move-message \"a\" b",
	  "t:1:31: text after the closing quote" },
	{ "bind index m move-message \"\"",
	  "t:1:27: empty argument" },
	{ "bind index j quit\x01",
	  "t:1:18: control character" },
	{ "bind index j quit\x7f",
	  "t:1:18: control character" },
	{ "bind index j quit \xc2\x85",
	  "t:1:19: control character" },
	{ "bind index \xff quit",
	  "t:1:12: invalid UTF-8" },
	{ "bind index \xe7\xa2 quit",
	  "t:1:12: invalid UTF-8" },
	{ "bind index \xed\xa0\x80 quit",
	  "t:1:12: invalid UTF-8" },
	{ "bind index j quit\r\r\n",
	  "t:1:18: control character" },
	{ LONG1024 "x",
	  "t:1:1025: line longer than 1024 bytes" },
	{ "bind index j quit\nbind index j help\n",
	  "t:2:12: warning: index j is already bound on line 1, this line "
	  "replaces it" },
	{ "bind pager C-m line-down\nbind pager Enter close-message\n",
	  "t:2:12: warning: pager Enter is already bound on line 1, this line "
	  "replaces it" },
};

/* Lines that load cleanly, and what index j then is. */
static const struct {
	const char	*text;
	const char	*action;
	const char	*arg;
} clean[] = {
	{ "bind index j quit", "quit", NULL },
	{ "bind index j quit\n", "quit", NULL },
	{ "bind index j quit\r\n", "quit", NULL },
	{ "\xef\xbb\xbf" "bind index j quit", "quit", NULL },
	{ "\t bind\tindex  j\t\tquit \t", "quit", NULL },
	{ "bind index j quit # move on", "quit", NULL },
	{ "bind index j quit #", "quit", NULL },
	{ "  # bind index j quit\n#bind index j quit", NULL, NULL },
	{ "bind index j move-message Junk", "move-message", "Junk" },
	{ "bind index j move-message  Junk Mail \t", "move-message",
	  "Junk Mail" },
	{ "bind index j move-message Junk Mail # the junk", "move-message",
	  "Junk Mail" },
	{ "bind index j move-message a#b", "move-message", "a#b" },
	{ "bind index j move-message # none", "move-message", NULL },
	{ "bind index j move-message \" #x \\\" \\\\ \" # c", "move-message",
	  " #x \" \\ " },
	{ "bind index j move-message 迷惑メール", "move-message",
	  "迷惑メール" },
	{ "bind index j quit\nunbind index j", NULL, NULL },
	{ "unbind index j\nbind index j quit", "quit", NULL },
	{ "bind index j quit\nunbind index j\nbind index j help", "help",
	  NULL },
	{ "unbind index j # not bound, fine", NULL, NULL },
	{ LONG1024, "quit", NULL },
	{ LONG1024 "\r\n", "quit", NULL },
};
/* clang-format on */

static struct keymap *
new_keymap(void)
{
	return keymap_new(actions, SAGI_NITEMS(actions));
}

static void
print_diags(const struct diag *d)
{
	size_t	 i;

	for (i = 0; i < diag_count(d); i++)
		printf("# %s\n", diag_get(d, i));
}

static key_code
key(const char *name)
{
	key_code	 k = 0;

	if (keyname_parse(name, &k) != 0)
		abort();	/* a typo in this test */
	return k;
}

/* The action of key in ctx, or NULL. */
static const char *
action_of(const struct keymap *km, enum keymap_context ctx, const char *name)
{
	const struct keymap_binding	*b;

	b = keymap_lookup(km, ctx, key(name));
	return b != NULL ? b->action : NULL;
}

static void
test_degenerate(const char *dir)
{
	struct keymap			*km;
	struct diag			*d;
	const struct keymap_binding	*out[4];
	char				 p[512];
	unsigned int			 c;
	FILE				*f;

	keymap_free(NULL);
	t_ok(1, "keymap_free(NULL)");
	km = keymap_new(NULL, 0);
	d = diag_new();
	t_int_eq(keymap_load_string(km, "t", "bind index j quit", d), 0,
	    "a keymap without actions loads");
	t_str_eq(diag_get(d, 0), "t:1:14: unknown action \"quit\"",
	    "and knows no action");
	keymap_free(km);
	diag_free(d);

	km = new_keymap();
	d = diag_new();
	t_ok(keymap_lookup(km, KEYMAP_INDEX, 'j') == NULL, "empty keymap: "
	    "lookup is NULL");
	t_ok(keymap_lookup(km, KEYMAP_GLOBAL, 'j') == NULL, "empty keymap: "
	    "global lookup is NULL");
	t_int_eq(keymap_bindings(km, KEYMAP_INDEX, NULL, 0), 0,
	    "empty keymap: no bindings");
	t_int_eq(keymap_load_string(km, "t", "", d), 0, "empty text loads");
	t_int_eq(keymap_load_string(km, "t", "\n\n  \t\n\r\n# x\n", d), 0,
	    "blank lines load");
	t_int_eq(diag_count(d), 0, "blank lines give no problem");
	t_int_eq(keymap_bindings(km, KEYMAP_INDEX, out, 4), 0,
	    "blank lines bind nothing");

	for (c = 0; c < KEYMAP__COUNT; c++)
		t_ok(keymap_context_name((enum keymap_context)c) != NULL,
		    "context %u has a name", c);
	t_str_eq(keymap_context_name(KEYMAP_GLOBAL), "global", "global");
	t_str_eq(keymap_context_name(KEYMAP_INDEX), "index", "index");
	t_str_eq(keymap_context_name(KEYMAP_PAGER), "pager", "pager");
	t_str_eq(keymap_context_name(KEYMAP_EXPLAIN), "explain", "explain");
	t_str_eq(keymap_context_name(KEYMAP_HELP), "help", "help");
	t_ok(keymap_context_name(KEYMAP__COUNT) == NULL,
	    "KEYMAP__COUNT has no name");
	t_ok(keymap_lookup(km, KEYMAP__COUNT, 'j') == NULL,
	    "lookup in no context is NULL");
	t_int_eq(keymap_bindings(km, KEYMAP__COUNT, out, 4), 0,
	    "no context has no bindings");

	/* Files that cannot be read. */
	snprintf(p, sizeof p, "%s/missing.keys", dir);
	t_int_eq(keymap_load(km, p, d), -1, "a missing file is an error");
	t_int_eq(diag_count(d), 1, "with one problem");
	t_ok(diag_count(d) == 1 && strncmp(diag_get(d, 0), p, strlen(p)) == 0,
	    "which names the file");
	t_int_eq(keymap_load(km, p, NULL), -1, "d may be NULL");
	t_int_eq(keymap_load(km, dir, d), -1, "a directory is an error");
	t_int_eq(diag_count(d), 2, "with one problem");

	snprintf(p, sizeof p, "%s/big.keys", dir);
	f = fopen(p, "w");
	if (f == NULL)
		abort();
	for (c = 0; c < KEYMAP_FILE_MAX / 16 + 1; c++)
		fputs("# filler ......\n", f);
	fclose(f);
	t_int_eq(keymap_load(km, p, d), -1,
	    "a file over the limit is an error");
	t_int_eq(diag_count(d), 3, "with one problem");
	t_ok(strstr(diag_get(d, 2), "not read") != NULL, "that says so: %s",
	    diag_get(d, 2));

	snprintf(p, sizeof p, "%s/ok.keys", dir);
	f = fopen(p, "w");
	if (f == NULL)
		abort();
	fputs("bind index j next-message\r\n\r\nbind index J junk\r\n", f);
	fclose(f);
	t_int_eq(keymap_load(km, p, d), 0, "a file with a problem loads");
	t_int_eq(diag_count(d), 4, "with one problem");
	snprintf(p, sizeof p, "%s/ok.keys:3:14: unknown action \"junk\"", dir);
	t_str_eq(diag_get(d, 3), p, "located in the file");
	t_str_eq(action_of(km, KEYMAP_INDEX, "j"), "next-message",
	    "its good line applies");
	keymap_free(km);
	diag_free(d);
}

static void
test_problems(void)
{
	struct keymap	*km;
	struct diag	*d;
	size_t		 i;

	for (i = 0; i < SAGI_NITEMS(problems); i++) {
		km = new_keymap();
		d = diag_new();
		keymap_load_string(km, "t", problems[i].text, d);
		t_int_eq(diag_count(d), 1, "problem %zu: one diagnostic", i);
		t_str_eq(diag_get(d, 0), problems[i].want, "problem %zu", i);
		if (diag_count(d) != 1)
			print_diags(d);
		keymap_free(km);
		diag_free(d);
	}

	/* The later binding wins over a warned duplicate. */
	km = new_keymap();
	keymap_load_string(km, "t", "bind index j quit\nbind index j help\n",
	    NULL);
	t_str_eq(action_of(km, KEYMAP_INDEX, "j"), "help",
	    "a duplicate in one file replaces, d may be NULL");
	keymap_free(km);

	/* Bad lines are skipped, the others apply, lines are counted right. */
	km = new_keymap();
	d = diag_new();
	keymap_load_string(km, "t", "bind index j next-message\n"
	    "bind index k nope\n"
	    "\n"
	    "bind pager q close-message\r\n"
	    "bind index x quit extra\n"
	    "bind global ? help", d);
	t_int_eq(diag_count(d), 2, "two bad lines, two problems");
	t_str_eq(diag_get(d, 0), "t:2:14: unknown action \"nope\"", "first");
	t_str_eq(diag_get(d, 1), "t:5:19: action \"quit\" takes no argument",
	    "second");
	t_str_eq(action_of(km, KEYMAP_INDEX, "j"), "next-message", "line 1");
	t_ok(action_of(km, KEYMAP_INDEX, "k") == NULL, "line 2 skipped");
	t_str_eq(action_of(km, KEYMAP_PAGER, "q"), "close-message", "line 4");
	t_ok(action_of(km, KEYMAP_INDEX, "x") == NULL, "line 5 skipped");
	t_str_eq(action_of(km, KEYMAP_INDEX, "?"), "help", "line 6");
	keymap_free(km);
	diag_free(d);
}

static void
test_too_many(void)
{
	struct keymap	*km;
	struct diag	*d;
	char		*text, *p;
	size_t		 i, n = KEYMAP_MAX_PROBLEMS + 10;

	text = xcalloc(n + 2, 32);
	p = text;
	for (i = 0; i < n; i++)
		p += sprintf(p, "junk %zu\n", i);
	strcpy(p, "bind index j quit\n");
	km = new_keymap();
	d = diag_new();
	keymap_load_string(km, "t", text, d);
	t_int_eq(diag_count(d), KEYMAP_MAX_PROBLEMS + 1,
	    "problems stop at the limit");
	t_str_eq(diag_get(d, KEYMAP_MAX_PROBLEMS),
	    "t:50: too many problems, rest of the file skipped",
	    "and say so");
	t_ok(action_of(km, KEYMAP_INDEX, "j") == NULL,
	    "the rest of the file is skipped");
	keymap_free(km);
	diag_free(d);
	free(text);
}

static void
test_clean(void)
{
	struct keymap			*km;
	struct diag			*d;
	const struct keymap_binding	*b;
	size_t				 i;

	for (i = 0; i < SAGI_NITEMS(clean); i++) {
		km = new_keymap();
		d = diag_new();
		keymap_load_string(km, "t", clean[i].text, d);
		t_int_eq(diag_count(d), 0, "clean %zu: no problem", i);
		print_diags(d);
		b = keymap_lookup(km, KEYMAP_INDEX, 'j');
		t_str_eq(b != NULL ? b->action : NULL, clean[i].action,
		    "clean %zu: action", i);
		t_str_eq(b != NULL ? b->arg : NULL, clean[i].arg,
		    "clean %zu: argument", i);
		keymap_free(km);
		diag_free(d);
	}
}

static void
test_lookup(void)
{
	struct keymap			*km;
	struct diag			*d;
	const struct keymap_binding	*b, *out[8];
	size_t				 n;

	km = new_keymap();
	d = diag_new();
	keymap_load_string(km, "defaults",
	    "bind global ? help\n"
	    "bind global q quit\n"
	    "bind index  k prev-message\n"
	    "bind index  j next-message\n"
	    "bind index  Down next-message\n"
	    "bind index  Enter open-message\n"
	    "bind index  J junk-message\n"
	    "bind index  m move-message Junk\n"
	    "bind pager  q close-message\n"
	    "bind pager  C-M-x quit\n"
	    "bind help   確 quit\n", d);
	t_int_eq(diag_count(d), 0, "no problems");

	b = keymap_lookup(km, KEYMAP_INDEX, 'j');
	t_ok(b != NULL && strcmp(b->action, "next-message") == 0 &&
	    b->ctx == KEYMAP_INDEX && b->key == 'j' && b->arg == NULL &&
	    strcmp(b->file, "defaults") == 0 && b->line == 4,
	    "binding fields");
	b = keymap_lookup(km, KEYMAP_INDEX, 'm');
	t_ok(b != NULL && b->arg != NULL && strcmp(b->arg, "Junk") == 0,
	    "argument kept");
	b = keymap_lookup(km, KEYMAP_INDEX, '?');
	t_ok(b != NULL && b->ctx == KEYMAP_GLOBAL &&
	    strcmp(b->action, "help") == 0, "index falls back to global");
	t_str_eq(action_of(km, KEYMAP_PAGER, "?"), "help",
	    "pager falls back to global");
	t_str_eq(action_of(km, KEYMAP_INDEX, "q"), "quit", "index q is global");
	t_str_eq(action_of(km, KEYMAP_PAGER, "q"), "close-message",
	    "pager q hides global q");
	t_str_eq(action_of(km, KEYMAP_PAGER, "M-C-x"), "quit", "C-M-x");
	t_str_eq(action_of(km, KEYMAP_HELP, "確"), "quit", "a Japanese key");
	t_ok(action_of(km, KEYMAP_PAGER, "j") == NULL,
	    "index keys do not leak into pager");
	t_ok(action_of(km, KEYMAP_GLOBAL, "j") == NULL,
	    "index keys do not leak into global");
	t_ok(action_of(km, KEYMAP_INDEX, "K") == NULL,
	    "keys are case-sensitive");

	/* The help listing: by action name, then by key code. */
	n = keymap_bindings(km, KEYMAP_INDEX, out, 8);
	t_int_eq(n, 6, "six index bindings");
	t_ok(n == 6 && out[0]->key == 'J' && out[1]->key == 'm' &&
	    out[2]->key == 'j' && out[3]->key == KEYC_DOWN &&
	    out[4]->key == KEYC_ENTER && out[5]->key == 'k',
	    "sorted by action, then key");
	t_int_eq(keymap_bindings(km, KEYMAP_INDEX, out, 2), 6,
	    "a short array still gets the count");
	t_ok(out[0]->key == 'J' && out[1]->key == 'm', "and the first ones");
	t_int_eq(keymap_bindings(km, KEYMAP_INDEX, NULL, 0), 6,
	    "the count alone");
	t_int_eq(keymap_bindings(km, KEYMAP_GLOBAL, out, 8), 2,
	    "global bindings are not listed with index");
	t_int_eq(keymap_bindings(km, KEYMAP_EXPLAIN, out, 8), 0,
	    "explain has none");

	/* A later file replaces without a warning, and unbinds. */
	keymap_load_string(km, "user",
	    "bind index j junk-message\n"
	    "unbind index J\n"
	    "unbind pager q\n"
	    "unbind index nosuch\n"
	    "unbind index x\n"
	    "bind index m move-message Archive\n", d);
	t_int_eq(diag_count(d), 1, "only the bad key name is a problem");
	t_str_eq(diag_get(d, 0), "user:4:14: unknown key \"nosuch\"",
	    "located in the second file");
	b = keymap_lookup(km, KEYMAP_INDEX, 'j');
	t_ok(b != NULL && strcmp(b->action, "junk-message") == 0 &&
	    strcmp(b->file, "user") == 0 && b->line == 1,
	    "the later file's binding wins");
	t_ok(action_of(km, KEYMAP_INDEX, "J") == NULL, "unbind removes");
	t_str_eq(action_of(km, KEYMAP_PAGER, "q"), "quit",
	    "unbind uncovers the global binding");
	t_int_eq(keymap_bindings(km, KEYMAP_INDEX, NULL, 0), 5,
	    "five index bindings left");
	b = keymap_lookup(km, KEYMAP_INDEX, 'm');
	t_ok(b != NULL && b->arg != NULL && strcmp(b->arg, "Archive") == 0,
	    "a new argument replaces the old one");

	/* Loading the same name again is a new file, not a duplicate. */
	keymap_load_string(km, "user", "bind index j next-message\n"
	    "unbind index m\n", d);
	t_int_eq(diag_count(d), 1, "a second load of one name warns nothing");
	b = keymap_lookup(km, KEYMAP_INDEX, 'j');
	t_ok(b != NULL && strcmp(b->action, "next-message") == 0,
	    "and replaces");
	t_ok(keymap_lookup(km, KEYMAP_INDEX, 'm') == NULL,
	    "a binding with an argument unbinds");
	t_int_eq(keymap_bindings(km, KEYMAP_INDEX, NULL, 0), 4,
	    "four index bindings left");
	keymap_free(km);
	diag_free(d);
}

static int
in_list(const char *const *list, const char *name)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, name) == 0)
			return 1;
	}
	return 0;
}

/* Every binding of ctx runs an action that belongs there. */
static int
check_context(const struct keymap *km, enum keymap_context ctx,
    const char *const *list)
{
	const struct keymap_binding	*out[256];
	char				 name[KEYNAME_MAX];
	size_t				 n, i;
	int				 ok = 1;

	n = keymap_bindings(km, ctx, out, SAGI_NITEMS(out));
	for (i = 0; i < n && i < SAGI_NITEMS(out); i++) {
		if (!in_list(list, out[i]->action)) {
			printf("# %s:%u: %s %s runs %s\n", out[i]->file,
			    out[i]->line, keymap_context_name(ctx),
			    keyname_print(out[i]->key, name, sizeof name),
			    out[i]->action);
			ok = 0;
		}
	}
	return ok && n <= SAGI_NITEMS(out);
}

/* Every action of ctx has a key, here or in global. */
static int
check_reachable(const struct keymap *km, enum keymap_context ctx,
    const char *const *list)
{
	const struct keymap_binding	*out[256];
	size_t				 n, g, i;
	int				 ok = 1, found;

	for (; *list != NULL; list++) {
		found = 0;
		n = keymap_bindings(km, ctx, out, SAGI_NITEMS(out));
		for (i = 0; i < n && !found; i++)
			found = strcmp(out[i]->action, *list) == 0;
		g = keymap_bindings(km, KEYMAP_GLOBAL, out, SAGI_NITEMS(out));
		for (i = 0; i < g && !found; i++) {
			/* Only if ctx does not hide the global key. */
			found = strcmp(out[i]->action, *list) == 0 &&
			    keymap_lookup(km, ctx, out[i]->key) == out[i];
		}
		if (!found) {
			printf("# %s: no key runs %s\n",
			    keymap_context_name(ctx), *list);
			ok = 0;
		}
	}
	return ok;
}

static void
test_shipped(void)
{
	static const char *const files[] = { "default", "vi", "emacs" };
	const char	*top;
	char		 p[1024], q[1024];
	struct keymap	*km;
	struct diag	*d;
	size_t		 i;

	if ((top = getenv("SAGI_SRCDIR")) == NULL &&
	    (top = getenv("top_srcdir")) == NULL)
		top = ".";
	for (i = 0; i < SAGI_NITEMS(files); i++) {
		snprintf(p, sizeof p, "%s/keymaps/%s.keys", top, files[i]);
		km = new_keymap();
		d = diag_new();
		t_int_eq(keymap_load(km, p, d), 0, "%s loads", p);
		t_int_eq(diag_count(d), 0, "%s.keys alone: no problems",
		    files[i]);
		print_diags(d);
		if (i > 0) {
			snprintf(q, sizeof q, "%s/keymaps/default.keys", top);
			keymap_free(km);
			km = new_keymap();
			keymap_load(km, q, d);
			keymap_load(km, p, d);
			t_int_eq(diag_count(d), 0, "%s.keys after "
			    "default.keys: no problems", files[i]);
			print_diags(d);
		}
		t_ok(check_context(km, KEYMAP_GLOBAL, index_actions) &&
		    check_context(km, KEYMAP_INDEX, index_actions) &&
		    check_context(km, KEYMAP_PAGER, pager_actions) &&
		    check_context(km, KEYMAP_EXPLAIN, help_actions) &&
		    check_context(km, KEYMAP_HELP, help_actions),
		    "%s.keys binds only actions of each context", files[i]);
		t_ok(check_reachable(km, KEYMAP_INDEX, index_actions) &&
		    check_reachable(km, KEYMAP_PAGER, pager_actions) &&
		    check_reachable(km, KEYMAP_EXPLAIN, help_actions) &&
		    check_reachable(km, KEYMAP_HELP, help_actions),
		    "with %s.keys every action has a key", files[i]);

		switch (i) {
		case 0:
			t_str_eq(action_of(km, KEYMAP_INDEX, "J"),
			    "junk-message", "default: index J");
			t_str_eq(action_of(km, KEYMAP_INDEX, "q"), "quit",
			    "default: index q");
			t_str_eq(action_of(km, KEYMAP_PAGER, "q"),
			    "close-message", "default: pager q");
			t_str_eq(action_of(km, KEYMAP_HELP, "q"),
			    "close-message", "default: help q");
			t_str_eq(action_of(km, KEYMAP_PAGER, "?"), "help",
			    "default: pager ? from global");
			t_str_eq(action_of(km, KEYMAP_PAGER, "Space"),
			    "page-down", "default: pager Space");
			t_str_eq(action_of(km, KEYMAP_INDEX, "C-l"), "redraw",
			    "default: C-l");
			break;
		case 1:
			t_str_eq(action_of(km, KEYMAP_INDEX, "G"),
			    "last-message", "vi: index G");
			t_str_eq(action_of(km, KEYMAP_PAGER, "j"), "line-down",
			    "vi: pager j");
			t_str_eq(action_of(km, KEYMAP_INDEX, "j"),
			    "next-message", "vi: index j kept");
			break;
		case 2:
			t_str_eq(action_of(km, KEYMAP_INDEX, "M-<"),
			    "first-message", "emacs: index M-<");
			t_str_eq(action_of(km, KEYMAP_PAGER, "C-g"),
			    "close-message", "emacs: pager C-g");
			t_str_eq(action_of(km, KEYMAP_INDEX, "C-s"), "search",
			    "emacs: index C-s");
			break;
		}
		keymap_free(km);
		diag_free(d);
	}
}

#ifdef SAGI_TEST_DEFAULT_KEYS
/* The copy built into the binary is the file. */
static void
test_embedded(void)
{
	const char	*top;
	char		 p[1024], *text;
	FILE		*f;
	long		 len;

	if ((top = getenv("SAGI_SRCDIR")) == NULL &&
	    (top = getenv("top_srcdir")) == NULL)
		top = ".";
	snprintf(p, sizeof p, "%s/keymaps/default.keys", top);
	if ((f = fopen(p, "rb")) == NULL) {
		t_ok(0, "%s opens", p);
		return;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = xcalloc(1, (size_t)len + 1);
	if (fread(text, 1, (size_t)len, f) != (size_t)len)
		abort();
	fclose(f);
	t_ok(strcmp(text, default_keys_text) == 0,
	    "the embedded default keymap equals keymaps/default.keys");
	free(text);
}
#endif

/* tests/check-keymaps.sh: load the files in order, report, fail on any. */
static int
check_files(int argc, char **argv)
{
	struct keymap	*km;
	struct diag	*d;
	size_t		 n;
	int		 i;

	km = new_keymap();
	d = diag_new();
	for (i = 1; i < argc; i++)
		keymap_load(km, argv[i], d);
	for (n = 0; n < diag_count(d); n++)
		printf("%s\n", diag_get(d, n));
	n = diag_count(d);
	keymap_free(km);
	diag_free(d);
	return n == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	char	 dir[] = "/tmp/sagi-test-keymap.XXXXXX", cmd[512];

	if (argc > 1)
		return check_files(argc, argv);
	if (mkdtemp(dir) == NULL)
		return 99;
	test_degenerate(dir);
	test_problems();
	test_too_many();
	test_clean();
	test_lookup();
	test_shipped();
#ifdef SAGI_TEST_DEFAULT_KEYS
	test_embedded();
#endif
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 99;
	return t_done();
}
