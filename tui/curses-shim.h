/* SPDX-License-Identifier: ISC */
/* The one include of the curses header (htop's idea): only the files marked
 * "(curses)" in STYLE §2.2 include this. */
#ifndef CURSES_SHIM_H
#define CURSES_SHIM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <ncursesw/curses.h>

/* Colour pairs. */
#define TUI_PAIR_PHISH		1
#define TUI_PAIR_SUSPECT	2
#define TUI_PAIR_BAR		3
#define TUI_PAIR_ERROR		4
#define TUI_PAIR_EVIDENCE	5

#endif
