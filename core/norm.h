/* SPDX-License-Identifier: ISC */
/*
 * Unicode normalisation for matching (ICU): NFKC, case folding, removal of
 * invisible characters, and the UTS #39 confusable skeleton.  Also finds
 * words that mix Latin with Latin-lookalike letters of other scripts.
 * Knows nothing of mail.
 */
#ifndef NORM_H
#define NORM_H

#include <stddef.h>

/*
 * A struct norm may be shared by several threads once norm_new has returned:
 * norm_text, norm_skeleton and norm_mixed_script_words only read it, and
 * rely on ICU's promise that a Normalizer2 instance and the skeleton
 * function of a configured USpoofChecker are safe for concurrent use.
 * norm_free must not race with them.  Inputs are (pointer, length) and need
 * not be NUL-terminated; a NULL pointer reads as empty text.
 */
struct norm;

/* Opens the ICU normaliser and spoof checker.  NULL + *cause on failure. */
struct norm	*norm_new(char **cause);
void		 norm_free(struct norm *n);

/*
 * Text for matching: NFKC_Casefold (full-width Latin and digits become
 * ASCII, half-width katakana become full-width, "①" becomes "1", "㈱"
 * "(株)"), so case-folded, with every Default_Ignorable_Code_Point removed
 * (among them U+200B–U+200F, U+2060–U+2064, U+FEFF, U+00AD, U+034F, bidi
 * controls U+202A–U+202E and U+2066–U+2069, U+061C, variation selectors).
 * Invalid UTF-8 becomes U+FFFD; U+0000 is dropped.  Owned result.
 */
char		*norm_text(const struct norm *n, const char *utf8, size_t len);

/*
 * A key for "looks the same": NFKC_Casefold, then the UTS #39 skeleton,
 * then NFKC_Casefold again (folding must come first; see norm.c).  So
 * "Аmazon" (Cyrillic А), "Amαzon", "AMAZ0N" and "ＡＭＡＺＯＮ" all give the
 * key of "amazon", which is "arnazon" (the UTS #39 prototype of "m" is "rn").
 * Compare keys with keys only: the result is not readable text.  Owned.
 */
char		*norm_skeleton(const struct norm *n, const char *utf8,
		    size_t len);

/*
 * Calls fn (when not NULL) for each word of text that mixes scripts, and
 * returns how many there were.  A word is a maximal run of Latin, Cyrillic,
 * Greek, Armenian and Cherokee letters, full-width Latin letters and
 * Common-script digits; combining marks and invisible characters continue
 * a word, and anything else (Han, kana, "ー", spaces, punctuation, invalid
 * UTF-8) ends it, so "Аmazonお客様" yields "Аmazon".  A word is reported
 * when it holds a Latin letter together with a letter of one of the other
 * scripts or a full-width Latin letter ("ＡＢＣdef").  word points into text
 * and never ends with an invisible character; it is len bytes long.
 */
typedef void	(*norm_word_fn)(void *arg, const char *word, size_t len);
size_t		 norm_mixed_script_words(const struct norm *n, const char *text,
		    size_t len, norm_word_fn fn, void *arg);

#endif
