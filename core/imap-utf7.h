/* SPDX-License-Identifier: ISC */
/*
 * IMAP modified UTF-7 mailbox names (RFC 3501 §5.1.3) to and from UTF-8.
 * Names only: the hierarchy delimiter and quoting are the caller's business.
 */
#ifndef IMAP_UTF7_H
#define IMAP_UTF7_H

/*
 * UTF-8 mailbox name (borrowed) to modified UTF-7 as sent to the server.
 * Printable ASCII stays itself ("&" becomes "&-"); everything else,
 * control characters included, goes into "&…-" runs of UTF-16 in modified
 * base64.  Returns the owned result, or NULL and sets *cause (owned) when
 * utf8 is not valid UTF-8 (overlong forms, surrogates and code points above
 * U+10FFFF are invalid).  utf8 must not be NULL; cause may be NULL.
 */
char	*imap_utf7_encode(const char *utf8, char **cause);

/*
 * Modified UTF-7 from the server (borrowed, hostile) to UTF-8 for display
 * and config matching.  Strict: raw bytes outside 0x20-0x7e, a base64
 * character outside the modified alphabet, an unterminated "&" run, an
 * encoded printable ASCII character, U+0000, leftover bits that are not a
 * few zero padding bits, and unpaired surrogates (a pair may not straddle
 * two runs) all make it return NULL and set *cause (owned); the caller
 * then shows the raw name.  Decoded control characters are kept, so
 * sanitising for the terminal is still the caller's job.  Returns the owned
 * result.  mutf7 must not be NULL; cause may be NULL.
 */
char	*imap_utf7_decode(const char *mutf7, char **cause);

#endif
