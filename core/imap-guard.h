/* SPDX-License-Identifier: ISC */
/*
 * A libetpan stream layer that bounds what an IMAP server can make sagi
 * read.  libetpan keeps a whole response line (and every literal) in
 * memory and its timeout only covers silence, so an endless line, a huge
 * literal or a trickle of one byte a second would otherwise grow memory
 * or wait without end.
 */
#ifndef IMAP_GUARD_H
#define IMAP_GUARD_H

#include <libetpan/libetpan.h>

/* Longest response line outside literals (UID SEARCH of ~1.5M messages). */
#define IMAP_GUARD_LINE_MAX	(16u << 20)
/* Largest literal accepted: sagi fetches at most 256 KiB per part. */
#define IMAP_GUARD_LITERAL_MAX	(64u << 20)
/* After `timeout` seconds, an answer must keep up this rate (bytes/s). */
#define IMAP_GUARD_MIN_RATE	4096u

/*
 * Wraps inner (adopted: freed and closed with the result).  An exchange
 * starts at each write; a read fails (-1) once the server broke a bound,
 * and keeps failing.  timeout 0 means 30 seconds.  greeting: the stream
 * starts with the server's greeting (not so after STARTTLS), which is
 * screened for what libetpan cannot parse.  NULL never.
 */
mailstream_low	*imap_guard_new(mailstream_low *inner, unsigned int timeout,
		    int greeting);
/* Why the guard stopped reading, or NULL (also when low is no guard);
 * borrowed, lives as long as low. */
const char	*imap_guard_why(mailstream_low *low);

#endif
