/* SPDX-License-Identifier: ISC */
/*
 * Key names ("C-l", "PageDown", "J", "確") to sagi key codes and back.
 * No curses: only tui/input.c knows ncurses KEY_* values and turns what the
 * terminal sends into these codes.
 */
#ifndef KEYNAME_H
#define KEYNAME_H

#include <stddef.h>
#include <stdint.h>

/*
 * A key: a Unicode code point (above U+0020, not a control, surrogate or
 * invisible format character) or one of the special keys below, with
 * modifier bits on top.
 *
 * Terminals send one byte for several keys, so a key has exactly one code
 * and tui/input.c must deliver:
 *	Enter	 for CR and LF (so also for C-m and C-j) and KEY_ENTER;
 *	Tab	 for HT (C-i);
 *	Escape	 for a lone ESC (C-[); ESC followed by a key is KEYC_META|key;
 *	BSpace	 for DEL and KEY_BACKSPACE;
 *	Space	 for ' ';
 *	C-a…C-z	 for the other bytes 0x01–0x1a, as KEYC_CTRL|'a'…'z' (so C-h
 *		 is BS, 0x08), and C-\ C-] C-^ C-_ for 0x1c–0x1f
 *		 (KEYC_CTRL|(byte + 0x40));
 *	C-Space	 for NUL.
 * keyname_parse follows the same rules, so "C-m" names Enter and a binding
 * of it can fire.
 */
typedef uint32_t key_code;

#define KEYC_CTRL	0x01000000u	/* C- */
#define KEYC_META	0x02000000u	/* M-: Alt, or ESC before the key */
#define KEYC_MASK_MOD	(KEYC_CTRL | KEYC_META)
#define KEYC_MASK_KEY	0x00ffffffu	/* the key without modifiers */

enum keyc_special {
	KEYC_SPECIAL = 0x00110000,	/* first value past Unicode */
	KEYC_ENTER = KEYC_SPECIAL,
	KEYC_ESCAPE,
	KEYC_TAB,
	KEYC_BSPACE,
	KEYC_SPACE,
	KEYC_UP,
	KEYC_DOWN,
	KEYC_LEFT,
	KEYC_RIGHT,
	KEYC_HOME,
	KEYC_END,
	KEYC_PAGEUP,
	KEYC_PAGEDOWN,
	KEYC_INSERT,
	KEYC_DELETE,
	KEYC_F1,			/* F1 + n - 1 is Fn */
	KEYC_F12 = KEYC_F1 + 11,
	KEYC_SPECIAL_END		/* one past the last special */
};

/* Enough for every name keyname_print writes, NUL included. */
#define KEYNAME_MAX	32

/*
 * Parses the NUL-terminated key name s into *out.  A name is optional
 * modifier prefixes "C-" and "M-" (in either order, each at most once)
 * followed by one UTF-8 character (case-sensitive: "J" is not "j") or a
 * special key name (case-insensitive, with aliases: Enter/Return,
 * Escape/Esc, Tab, BSpace/Backspace, Space, Up, Down, Left, Right, Home,
 * End, PageUp/PgUp, PageDown/PgDn, Insert/IC, Delete/DC, F1–F12).
 * The prefixes are case-insensitive too.  "C-" with an ASCII letter means
 * the lower-case letter; "C-m" and "C-j" are Enter, "C-i" Tab, "C-[" Escape,
 * as the terminal cannot tell them apart (see above).
 * Returns 0, or -1 (and leaves *out alone) for NULL, "", an unknown name,
 * invalid UTF-8, more than one character, or a control character.
 */
int		 keyname_parse(const char *s, key_code *out);

/*
 * Writes the canonical name of k to buf ("C-l", "M-x", "C-M-x", "PageDown",
 * "Enter", "Space", "?", "J", "確") and returns buf.  The result never holds
 * a control byte: a code that is no key (a control, an invisible character,
 * a value past Unicode that is no special key) prints as "U+XXXX" with its
 * modifiers.  keyname_parse of the result gives k back for every code
 * keyname_parse can return.  len >= KEYNAME_MAX always suffices; a smaller
 * buffer gets as much as fits without splitting a character.  len 0 writes
 * nothing.
 */
char		*keyname_print(key_code k, char *buf, size_t len);

#endif
