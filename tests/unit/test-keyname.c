/* SPDX-License-Identifier: ISC */
/*
 * Tests for tui/keyname.c: names to key codes and back, aliases, the keys a
 * terminal cannot tell apart, and no control byte in any printed name.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sagi.h"
#include "tui/keyname.h"
#include "t.h"

#define NOKEY	0xdeadbeefu	/* what a failed parse must leave alone */

/* clang-format off */
static const struct {
	const char	*name;
	key_code	 code;
	const char	*canon;
} good[] = {
	{ "a",		'a',				"a" },
	{ "J",		'J',				"J" },
	{ "?",		'?',				"?" },
	{ "-",		'-',				"-" },
	{ "#",		'#',				"#" },
	{ "\"",		'"',				"\"" },
	{ "C",		'C',				"C" },
	{ "M",		'M',				"M" },
	{ "C-a",	KEYC_CTRL | 'a',		"C-a" },
	{ "C-A",	KEYC_CTRL | 'a',		"C-a" },
	{ "c-l",	KEYC_CTRL | 'l',		"C-l" },
	{ "C-z",	KEYC_CTRL | 'z',		"C-z" },
	{ "C--",	KEYC_CTRL | '-',		"C--" },
	{ "C-h",	KEYC_CTRL | 'h',		"C-h" },
	{ "M-x",	KEYC_META | 'x',		"M-x" },
	{ "M-X",	KEYC_META | 'X',		"M-X" },
	{ "m-v",	KEYC_META | 'v',		"M-v" },
	{ "M-<",	KEYC_META | '<',		"M-<" },
	{ "M->",	KEYC_META | '>',		"M->" },
	{ "M--",	KEYC_META | '-',		"M--" },
	{ "C-M-x",	KEYC_CTRL | KEYC_META | 'x',	"C-M-x" },
	{ "M-C-x",	KEYC_CTRL | KEYC_META | 'x',	"C-M-x" },
	{ "M-C-X",	KEYC_CTRL | KEYC_META | 'x',	"C-M-x" },
	/* One byte on the wire, so one key. */
	{ "C-m",	KEYC_ENTER,			"Enter" },
	{ "C-j",	KEYC_ENTER,			"Enter" },
	{ "C-M",	KEYC_ENTER,			"Enter" },
	{ "C-i",	KEYC_TAB,			"Tab" },
	{ "C-[",	KEYC_ESCAPE,			"Escape" },
	{ "C-?",	KEYC_BSPACE,			"BSpace" },
	{ "C-@",	KEYC_CTRL | KEYC_SPACE,		"C-Space" },
	{ "C-M-m",	KEYC_META | KEYC_ENTER,		"M-Enter" },
	{ "Enter",	KEYC_ENTER,			"Enter" },
	{ "enter",	KEYC_ENTER,			"Enter" },
	{ "Return",	KEYC_ENTER,			"Enter" },
	{ "RETURN",	KEYC_ENTER,			"Enter" },
	{ "Escape",	KEYC_ESCAPE,			"Escape" },
	{ "Esc",	KEYC_ESCAPE,			"Escape" },
	{ "Tab",	KEYC_TAB,			"Tab" },
	{ "BSpace",	KEYC_BSPACE,			"BSpace" },
	{ "Backspace",	KEYC_BSPACE,			"BSpace" },
	{ "Space",	KEYC_SPACE,			"Space" },
	{ "space",	KEYC_SPACE,			"Space" },
	{ " ",		KEYC_SPACE,			"Space" },
	{ "C-Space",	KEYC_CTRL | KEYC_SPACE,		"C-Space" },
	{ "Up",		KEYC_UP,			"Up" },
	{ "Down",	KEYC_DOWN,			"Down" },
	{ "Left",	KEYC_LEFT,			"Left" },
	{ "Right",	KEYC_RIGHT,			"Right" },
	{ "Home",	KEYC_HOME,			"Home" },
	{ "End",	KEYC_END,			"End" },
	{ "PageUp",	KEYC_PAGEUP,			"PageUp" },
	{ "PgUp",	KEYC_PAGEUP,			"PageUp" },
	{ "pgup",	KEYC_PAGEUP,			"PageUp" },
	{ "PageDown",	KEYC_PAGEDOWN,			"PageDown" },
	{ "PgDn",	KEYC_PAGEDOWN,			"PageDown" },
	{ "Insert",	KEYC_INSERT,			"Insert" },
	{ "IC",		KEYC_INSERT,			"Insert" },
	{ "Delete",	KEYC_DELETE,			"Delete" },
	{ "DC",		KEYC_DELETE,			"Delete" },
	{ "dc",		KEYC_DELETE,			"Delete" },
	{ "F1",		KEYC_F1,			"F1" },
	{ "f9",		KEYC_F1 + 8,			"F9" },
	{ "F10",	KEYC_F1 + 9,			"F10" },
	{ "F12",	KEYC_F12,			"F12" },
	{ "C-Up",	KEYC_CTRL | KEYC_UP,		"C-Up" },
	{ "M-PgDn",	KEYC_META | KEYC_PAGEDOWN,	"M-PageDown" },
	{ "C-M-F12",	KEYC_CTRL | KEYC_META | KEYC_F12, "C-M-F12" },
	{ "M-Enter",	KEYC_META | KEYC_ENTER,		"M-Enter" },
	/* Any character, Japanese included. */
	{ "確",		0x78ba,				"確" },
	{ "あ",		0x3042,				"あ" },
	{ "ｱ",		0xff71,				"ｱ" },
	{ "　",		0x3000,				"　" },
	{ "é",		0xe9,				"é" },
	{ "𠮷",		0x20bb7,			"𠮷" },
	{ "M-確",	KEYC_META | 0x78ba,		"M-確" },
	{ "C-確",	KEYC_CTRL | 0x78ba,		"C-確" },
};

static const char *const bad[] = {
	"",
	"C-",
	"M-",
	"C-M-",
	"C-C-a",
	"M-M-x",
	"C-M-C-x",
	"ab",
	"C-ab",
	"ああ",
	"F0",
	"F13",
	"F01",
	"F1x",
	"Ctrl-a",
	"S-a",
	"Page Down",
	"Enter ",
	" Enter",
	"\t",
	"\x01",
	"\x1b",
	"\x7f",
	"C-\x7f",
	"\xc2\x85",		/* NEL, a C1 control */
	"\xe2\x80\x8b",		/* ZERO WIDTH SPACE */
	"\xe2\x80\xae",		/* RIGHT-TO-LEFT OVERRIDE */
	"\xef\xbb\xbf",		/* BOM */
	"\xc0\xaf",		/* overlong '/' */
	"\xe0\x80\xaf",		/* overlong '/' */
	"\xed\xa0\x80",		/* surrogate */
	"\xf4\x90\x80\x80",	/* past U+10FFFF */
	"\xe3\x81",		/* cut short */
	"\xff",
	"\x80",
};
/* clang-format on */

static void
test_degenerate(void)
{
	key_code	 k = NOKEY;
	char		 buf[KEYNAME_MAX];

	t_int_eq(keyname_parse(NULL, &k), -1, "parse(NULL) fails");
	t_ok(k == NOKEY, "parse(NULL) leaves *out alone");
	t_int_eq(keyname_parse("", &k), -1, "parse(\"\") fails");

	memcpy(buf, "xyz", 4);
	t_ok(keyname_print('a', buf, 0) == buf && strcmp(buf, "xyz") == 0,
	    "print with len 0 writes nothing");
	t_str_eq(keyname_print('a', buf, 1), "", "print with len 1 is empty");
	t_str_eq(keyname_print(KEYC_PAGEDOWN, buf, 5), "Page",
	    "print truncates to len - 1 bytes");
	t_str_eq(keyname_print(0x78ba, buf, 3), "",
	    "print does not split a character");
	t_str_eq(keyname_print(KEYC_META | 0x78ba, buf, 5), "M-",
	    "print backs off to a character boundary");
	t_str_eq(keyname_print(KEYC_META | 0x78ba, buf, 6), "M-確",
	    "print fits exactly");
}

static void
test_table(void)
{
	size_t		 i;
	key_code	 k, k2;
	char		 buf[KEYNAME_MAX];

	for (i = 0; i < SAGI_NITEMS(good); i++) {
		k = NOKEY;
		t_int_eq(keyname_parse(good[i].name, &k), 0, "parse \"%s\"",
		    good[i].name);
		t_int_eq(k, good[i].code, "\"%s\" is 0x%x", good[i].name,
		    (unsigned int)good[i].code);
		t_str_eq(keyname_print(k, buf, sizeof buf), good[i].canon,
		    "\"%s\" prints as \"%s\"", good[i].name, good[i].canon);
		k2 = NOKEY;
		t_ok(keyname_parse(buf, &k2) == 0 && k2 == k,
		    "\"%s\" parses back", buf);
	}
	for (i = 0; i < SAGI_NITEMS(bad); i++) {
		k = NOKEY;
		t_int_eq(keyname_parse(bad[i], &k), -1, "bad name %zu rejected",
		    i);
		t_ok(k == NOKEY, "bad name %zu leaves *out alone", i);
	}
}

static void
test_ascii(void)
{
	char		 name[8], buf[KEYNAME_MAX];
	key_code	 k, k2;
	int		 c, ok_plain = 1, ok_ctrl = 1, ok_meta = 1;

	for (c = 0x21; c < 0x7f; c++) {
		name[0] = (char)c;
		name[1] = '\0';
		if (keyname_parse(name, &k) != 0 || k != (key_code)c ||
		    strcmp(keyname_print(k, buf, sizeof buf), name) != 0) {
			printf("# plain %s\n", name);
			ok_plain = 0;
		}
		/* C- and M- with every character: canonical and stable. */
		snprintf(name, sizeof name, "C-%c", c);
		if (keyname_parse(name, &k) != 0 || keyname_parse(
		    keyname_print(k, buf, sizeof buf), &k2) != 0 || k2 != k) {
			printf("# ctrl %s\n", name);
			ok_ctrl = 0;
		}
		snprintf(name, sizeof name, "M-%c", c);
		if (keyname_parse(name, &k) != 0 ||
		    k != (KEYC_META | (key_code)c) ||
		    strcmp(keyname_print(k, buf, sizeof buf), name) != 0) {
			printf("# meta %s\n", name);
			ok_meta = 0;
		}
	}
	t_ok(ok_plain, "every printable ASCII character is its own key");
	t_ok(ok_ctrl, "C- with every printable ASCII character round-trips");
	t_ok(ok_meta, "M- with every printable ASCII character round-trips");
}

/* No control byte in the output, and the output is the key again. */
static int
test_print_one(key_code k, int *parsed)
{
	char		 buf[KEYNAME_MAX];
	const char	*p;
	key_code	 k2;

	keyname_print(k, buf, sizeof buf);
	if (strlen(buf) >= KEYNAME_MAX - 1 || buf[0] == '\0')
		return 0;
	for (p = buf; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
		if ((unsigned char)p[0] == 0xc2 &&
		    (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f)
			return 0;	/* C1 control */
	}
	*parsed = keyname_parse(buf, &k2) == 0;
	if (*parsed && k2 != k)
		return 0;
	return 1;
}

static void
test_print_all(void)
{
	static const key_code	 mods[] = { 0, KEYC_CTRL, KEYC_META,
	    KEYC_CTRL | KEYC_META };
	static const key_code	 odd[] = { 0x20, 0xd800, 0xdfff, 0x7f, 0x85,
	    KEYC_SPECIAL_END, KEYC_SPECIAL_END + 1, KEYC_MASK_KEY,
	    0x04000000u | 'a', 0xffffffffu };
	key_code		 c;
	size_t			 i;
	int			 parsed, ok = 1, nparsed = 0, bad_unparsed = 0;
	char			 buf[KEYNAME_MAX];

	for (c = 0; c <= 0x10ffff; c++) {
		if (!test_print_one(c, &parsed)) {
			if (ok)
				printf("# U+%04X prints badly\n",
				    (unsigned int)c);
			ok = 0;
		}
		if (parsed)
			nparsed++;
		else if (c > 0xa0 && c != 0xad && (c < 0x2000 || c > 0x206f) &&
		    (c < 0xd800 || c > 0xdfff) && c != 0xfeff && c != 0x3164 &&
		    c != 0x034f && c != 0x061c && c != 0x115f && c != 0x1160 &&
		    c != 0x180e && c != 0xffa0 && (c < 0xfff9 || c > 0xfffb))
			bad_unparsed++;
	}
	t_ok(ok, "every code point prints without a control byte and "
	    "parses back when it parses");
	t_int_eq(bad_unparsed, 0, "every visible character is a key");
	/* 0x21–0x7e, 0xa0–0x10ffff minus the invisible ranges. */
	t_ok(nparsed > 1100000, "over a million characters are keys (%d)",
	    nparsed);

	ok = 1;
	for (i = 0; i < SAGI_NITEMS(mods); i++) {
		for (c = KEYC_SPECIAL; c < KEYC_SPECIAL_END; c++) {
			if (!test_print_one(mods[i] | c, &parsed) || !parsed) {
				printf("# 0x%x\n", (unsigned int)(mods[i] | c));
				ok = 0;
			}
		}
	}
	t_ok(ok, "every special key with every modifier round-trips");

	ok = 1;
	for (i = 0; i < SAGI_NITEMS(odd); i++) {
		if (!test_print_one(odd[i], &parsed) || parsed) {
			printf("# 0x%x\n", (unsigned int)odd[i]);
			ok = 0;
		}
	}
	t_ok(ok, "codes that are no key print as U+ and do not parse");
	t_str_eq(keyname_print(0x01, buf, sizeof buf), "U+0001",
	    "a control prints as U+0001");
	t_str_eq(keyname_print(KEYC_CTRL | 0x1b, buf, sizeof buf), "C-U+001B",
	    "a raw ESC with C- prints visibly");
	t_str_eq(keyname_print(0x202e, buf, sizeof buf), "U+202E",
	    "a bidi override prints as U+202E");
	t_str_eq(keyname_print(' ', buf, sizeof buf), "U+0020",
	    "a raw space is not the Space key");
	t_str_eq(keyname_print(KEYC_MASK_KEY | KEYC_MASK_MOD, buf, sizeof buf),
	    "C-M-U+FFFFFF", "the longest name fits");
}

int
main(void)
{
	test_degenerate();
	test_table();
	test_ascii();
	test_print_all();
	return t_done();
}
