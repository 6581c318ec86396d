/* SPDX-License-Identifier: ISC */
/*
 * ncurses key codes and characters to sagi key codes, by the rules in
 * keyname.h.  The only file that knows KEY_* values.
 */
#include "config.h"

#include "curses-shim.h"
#include "input.h"

static key_code
input_special(int k)
{
	switch (k) {
	case KEY_UP:		return KEYC_UP;
	case KEY_DOWN:		return KEYC_DOWN;
	case KEY_LEFT:		return KEYC_LEFT;
	case KEY_RIGHT:		return KEYC_RIGHT;
	case KEY_HOME:		return KEYC_HOME;
	case KEY_END:		return KEYC_END;
	case KEY_PPAGE:		return KEYC_PAGEUP;
	case KEY_NPAGE:		return KEYC_PAGEDOWN;
	case KEY_IC:		return KEYC_INSERT;
	case KEY_DC:		return KEYC_DELETE;
	case KEY_BACKSPACE:	return KEYC_BSPACE;
	case KEY_ENTER:		return KEYC_ENTER;
	}
	if (k >= KEY_F(1) && k <= KEY_F(12))
		return KEYC_F1 + (key_code)(k - KEY_F(1));
	return 0;
}

static key_code
input_char(wint_t c)
{
	switch (c) {
	case '\r':
	case '\n':
		return KEYC_ENTER;
	case '\t':
		return KEYC_TAB;
	case ' ':
		return KEYC_SPACE;
	case 0x7f:
		return KEYC_BSPACE;
	case 0:
		return KEYC_CTRL | KEYC_SPACE;
	}
	if (c < 0x20)
		return KEYC_CTRL | (key_code)(c < 0x1b ? 'a' + c - 1 : c + 0x40);
	return (key_code)c;
}

enum input_result
input_read(key_code *out)
{
	wint_t	c, c2;
	int	r;

	r = get_wch(&c);
	if (r == ERR)
		return INPUT_NONE;
	if (r == KEY_CODE_YES) {
		if (c == KEY_RESIZE)
			return INPUT_RESIZE;
		if ((*out = input_special((int)c)) == 0)
			return INPUT_NONE;
		return INPUT_KEY;
	}
	if (c == 0x1b) {
		/* ESC then a key soon after is Meta-key; alone it is Escape. */
		timeout(25);
		r = get_wch(&c2);
		timeout(0);
		if (r == ERR) {
			*out = KEYC_ESCAPE;
			return INPUT_KEY;
		}
		*out = r == KEY_CODE_YES ? input_special((int)c2) :
		    input_char(c2);
		if (*out == 0)
			return INPUT_NONE;
		*out |= KEYC_META;
		return INPUT_KEY;
	}
	*out = input_char(c);
	return INPUT_KEY;
}
