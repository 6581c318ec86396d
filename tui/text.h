/* SPDX-License-Identifier: ISC */
/*
 * Text for the terminal: control and invisible characters made visible,
 * display width in columns, truncation by columns.  No curses, no locale:
 * the width tables are built in (Unicode 15.0), so results do not depend on
 * setlocale or the C library's wcwidth.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>

/*
 * An owned UTF-8 copy of the len bytes at s (NUL bytes included; s may be
 * NULL when len is 0) that is safe to print:
 *   - invalid UTF-8 becomes U+FFFD (one per maximal invalid subsequence);
 *   - C0 controls other than '\n' and '\t' become "^@" … "^_" (ESC is "^["),
 *     DEL becomes "^?";
 *   - C1 controls (U+0080–U+009F), bidi controls (U+061C, U+200E, U+200F,
 *     U+202A–U+202E, U+2066–U+2069), zero-width and invisible characters
 *     (U+00AD, U+034F, U+180E, U+200B–U+200D, U+2060–U+2064, U+206A–U+206F,
 *     U+FEFF, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, line and
 *     paragraph separators U+2028, U+2029, U+FFF9–U+FFFB) become "<U+202E>":
 *     in a phishing mail they are evidence the reader should see.
 * The result of text_sanitize passes through text_sanitize unchanged.
 */
char	*text_sanitize(const char *s, size_t len);

/*
 * The same for one-line fields (subject, sender): '\t', '\n' and ' ' are
 * whitespace, a run of it becomes one space, and whitespace at the start
 * and end is dropped.  Other controls ('\r' too) are shown as above.
 */
char	*text_sanitize_line(const char *s, size_t len);

/*
 * Display width in terminal columns of the NUL-terminated string s, as
 * text_fit would show it: a character of East Asian Width W or F takes 2
 * columns, combining marks and other zero-width characters 0, anything
 * else 1; ambiguous-width characters count 1.  '\t' and '\n' count 1 each
 * (text_fit shows them as a space); other controls and invisibles count the
 * width of their visible form ("^[" is 2, "<U+200B>" 8).  Saturates at
 * INT_MAX.  NULL counts 0.
 */
int	 text_width(const char *s);

/*
 * Fits the NUL-terminated string s into width columns, written to buf as
 * NUL-terminated UTF-8.  Controls and invisibles are shown as text_sanitize
 * does, '\t' and '\n' as a space.  When s is wider than width, it is cut
 * before the first character that would not leave room for "…" (U+2026,
 * counted as 1 column) and "…" is appended; a character, including an
 * escape such as "<U+202E>" and the combining marks that follow a kept
 * character, is never split.  So the result can be one column narrower than
 * width when a 2-column character meets the edge; text_fit_pad then adds
 * spaces so the result is exactly width columns (for aligned tables).
 * width <= 0 gives "".
 *
 * strlcpy-like: returns the length in bytes of the whole fitted string,
 * excluding the NUL.  If that is >= bufsize, buf holds as much of it as fits
 * in bufsize - 1 bytes without splitting a character.  buf is always
 * NUL-terminated unless bufsize is 0, and then nothing is written.  For
 * plain text, 4 * width + 4 bytes are enough; combining marks are
 * unbounded, so check the return value against bufsize.
 */
size_t	 text_fit(const char *s, int width, char *buf, size_t bufsize);
size_t	 text_fit_pad(const char *s, int width, char *buf, size_t bufsize);

/*
 * Cuts one line (no '\n') into pieces of at most width columns, shown as
 * text_fit shows them: after the last space when that keeps at least half
 * the width, else anywhere between characters (Japanese has no spaces).
 * Never splits a character.  Returns an owned array of *n_out owned
 * strings, at least one.
 */
char	**text_wrap(const char *s, int width, size_t *n_out);

#endif
