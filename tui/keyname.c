/* SPDX-License-Identifier: ISC */
/*
 * Key names to key codes and back, for keymap files and the help screen.
 * Knows nothing of curses or of what the terminal sends: tui/input.c maps
 * that onto the same codes.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "keyname.h"

/* clang-format off */
static const struct {
	const char	*name;
	key_code	 code;
} keyname_table[] = {
	/* The first name of each code is the one keyname_print uses. */
	{ "Enter",	KEYC_ENTER },
	{ "Return",	KEYC_ENTER },
	{ "Escape",	KEYC_ESCAPE },
	{ "Esc",	KEYC_ESCAPE },
	{ "Tab",	KEYC_TAB },
	{ "BSpace",	KEYC_BSPACE },
	{ "Backspace",	KEYC_BSPACE },
	{ "Space",	KEYC_SPACE },
	{ "Up",		KEYC_UP },
	{ "Down",	KEYC_DOWN },
	{ "Left",	KEYC_LEFT },
	{ "Right",	KEYC_RIGHT },
	{ "Home",	KEYC_HOME },
	{ "End",	KEYC_END },
	{ "PageUp",	KEYC_PAGEUP },
	{ "PgUp",	KEYC_PAGEUP },
	{ "PageDown",	KEYC_PAGEDOWN },
	{ "PgDn",	KEYC_PAGEDOWN },
	{ "Insert",	KEYC_INSERT },
	{ "IC",		KEYC_INSERT },
	{ "Delete",	KEYC_DELETE },
	{ "DC",		KEYC_DELETE },
};

/*
 * Characters that are no key: a terminal cannot send them as one, and the
 * invisible ones would make a help screen or diagnostic lie about which key
 * is bound (the same set tui/text.c shows as "<U+…>").
 */
static const struct {
	uint32_t	 first;
	uint32_t	 last;
} keyname_invisible[] = {
	{ 0x0000, 0x001f }, { 0x007f, 0x009f }, { 0x00ad, 0x00ad },
	{ 0x034f, 0x034f }, { 0x061c, 0x061c }, { 0x115f, 0x1160 },
	{ 0x180e, 0x180e }, { 0x200b, 0x200f }, { 0x2028, 0x202e },
	{ 0x2060, 0x206f }, { 0x3164, 0x3164 }, { 0xd800, 0xdfff },
	{ 0xfeff, 0xfeff }, { 0xffa0, 0xffa0 }, { 0xfff9, 0xfffb },
};
/* clang-format on */

static int
keyname_is_char(uint32_t c)
{
	size_t	 i;

	if (c >= KEYC_SPECIAL)
		return 0;
	for (i = 0; i < sizeof keyname_invisible / sizeof keyname_invisible[0];
	    i++) {
		if (c >= keyname_invisible[i].first &&
		    c <= keyname_invisible[i].last)
			return 0;
	}
	return 1;
}

/*
 * Decodes exactly one UTF-8 character filling s.  Rejects overlong forms,
 * surrogates and values past U+10FFFF, like tui/text.c.
 */
static int
keyname_utf8_one(const char *s, uint32_t *out)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 c, min;
	size_t			 n, i;

	if (p[0] == '\0')
		return -1;
	if (p[0] < 0x80) {
		c = p[0];
		n = 1;
		min = 0;
	} else if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		c = p[0] & 0x1f;
		n = 2;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		c = p[0] & 0x0f;
		n = 3;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		c = p[0] & 0x07;
		n = 4;
		min = 0x10000;
	} else
		return -1;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;	/* also catches the NUL */
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (p[n] != '\0' || c < min || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*out = c;
	return 0;
}

/* The key part of a name, without modifiers. */
static int
keyname_parse_key(const char *s, key_code *out)
{
	size_t		 i;
	const char	*end;
	unsigned long	 n;
	uint32_t	 c;

	for (i = 0; i < sizeof keyname_table / sizeof keyname_table[0]; i++) {
		if (strcasecmp(s, keyname_table[i].name) == 0) {
			*out = keyname_table[i].code;
			return 0;
		}
	}
	if ((s[0] == 'F' || s[0] == 'f') && s[1] >= '1' && s[1] <= '9') {
		n = (unsigned long)(s[1] - '0');
		end = s + 2;
		if (*end >= '0' && *end <= '9')
			n = n * 10 + (unsigned long)(*end++ - '0');
		if (*end == '\0' && n >= 1 && n <= 12) {
			*out = KEYC_F1 + (key_code)n - 1;
			return 0;
		}
	}
	if (keyname_utf8_one(s, &c) != 0)
		return -1;
	if (c == ' ') {
		*out = KEYC_SPACE;
		return 0;
	}
	if (!keyname_is_char(c))
		return -1;
	*out = c;
	return 0;
}

int
keyname_parse(const char *s, key_code *out)
{
	key_code	 mods = 0, k, m;

	if (s == NULL)
		return -1;
	/* "C-" needs something after it: "C-" alone is no key, "-" is. */
	while ((s[0] == 'C' || s[0] == 'c' || s[0] == 'M' || s[0] == 'm') &&
	    s[1] == '-' && s[2] != '\0') {
		m = (s[0] == 'C' || s[0] == 'c') ? KEYC_CTRL : KEYC_META;
		if (mods & m)
			return -1;
		mods |= m;
		s += 2;
	}
	if (keyname_parse_key(s, &k) != 0)
		return -1;
	if (mods & KEYC_CTRL) {
		/* The terminal sends one byte for each of these pairs. */
		switch (k) {
		case 'm':
		case 'M':
		case 'j':
		case 'J':
			k = KEYC_ENTER;
			mods &= ~KEYC_CTRL;
			break;
		case 'i':
		case 'I':
			k = KEYC_TAB;
			mods &= ~KEYC_CTRL;
			break;
		case '[':
			k = KEYC_ESCAPE;
			mods &= ~KEYC_CTRL;
			break;
		case '?':
			k = KEYC_BSPACE;
			mods &= ~KEYC_CTRL;
			break;
		case '@':
			k = KEYC_SPACE;
			break;
		default:
			if (k >= 'A' && k <= 'Z')
				k += 'a' - 'A';
			break;
		}
	}
	*out = mods | k;
	return 0;
}

/* Encodes c (a valid code point) as UTF-8 at p; returns the length. */
static size_t
keyname_utf8_put(uint32_t c, char *p)
{
	if (c < 0x80) {
		p[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = (char)(0xc0 | (c >> 6));
		p[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		p[0] = (char)(0xe0 | (c >> 12));
		p[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		p[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | (c >> 18));
	p[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	p[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	p[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

char *
keyname_print(key_code k, char *buf, size_t len)
{
	char		 tmp[KEYNAME_MAX];
	size_t		 n = 0, i;
	key_code	 key = k & ~KEYC_MASK_MOD;	/* stray bits: no key */

	if (len == 0)
		return buf;
	if (k & KEYC_CTRL) {
		memcpy(tmp + n, "C-", 2);
		n += 2;
	}
	if (k & KEYC_META) {
		memcpy(tmp + n, "M-", 2);
		n += 2;
	}
	if (key >= KEYC_F1 && key <= KEYC_F12)
		n += (size_t)snprintf(tmp + n, sizeof tmp - n, "F%u",
		    (unsigned int)(key - KEYC_F1 + 1));
	else if (key >= KEYC_SPECIAL && key < KEYC_SPECIAL_END) {
		for (i = 0; keyname_table[i].code != key; i++)
			;	/* every special below F1 has a name */
		n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%s",
		    keyname_table[i].name);
	} else if (keyname_is_char(key) && key != ' ')
		n += keyname_utf8_put(key, tmp + n);
	else
		n += (size_t)snprintf(tmp + n, sizeof tmp - n, "U+%04X",
		    (unsigned int)key);
	if (n >= len) {
		/* Back off to the start of a character. */
		n = len - 1;
		while (n > 0 && ((unsigned char)tmp[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return buf;
}
