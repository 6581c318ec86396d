/* SPDX-License-Identifier: ISC */
/*
 * Turns finished verdicts into text for people (sanitised: no control or
 * bidi character from a mail reaches the terminal) and JSON for scripts.
 * Formats only; every judgment was made in core.
 */
#ifndef REPORT_H
#define REPORT_H

#include "msg.h"
#include "store.h"
#include "verdict.h"

struct report_opts {
	enum verdict_lang	 lang;
	int			 json;
	int			 color;		/* SGR colours in human output */
};

/* One scan line (ending in '\n'), owned.  index -1 when not from an mbox. */
char	*report_scan_line(const struct report_opts *o, const char *path,
	    long index, const struct msg *m, const struct verdict *v);
/* A scan line for a message of a store (uid and folder instead of a
 * path); e->verdict must be set.  Owned. */
char	*report_scan_entry(const struct report_opts *o, const char *folder,
	    const struct store_entry *e);
/* A short tag for the main reason, for lists: "Amazon偽装" / "fake
 * Amazon" when a brand is claimed, else the weightiest rule.  Owned. */
char	*report_reason_tag(const struct report_opts *o, const struct verdict *v);
/* A message or path that could not be read, as a scan line.  Owned. */
char	*report_error_line(const struct report_opts *o, const char *path,
	    long index, const char *error);
/* The full explanation of one message.  Owned. */
char	*report_explain(const struct report_opts *o, const char *path,
	    const struct msg *m, const struct verdict *v);

/*
 * The why-pane's text: the verdict sentence, each reason with its points,
 * explanation and evidence, what the servers said (server_said from
 * analyzer_server_said, and the $Junk/$Phishing bits of flags), the links
 * when m is given, the advice.  No colour; lines end in '\n'.  Owned.
 */
char	*report_why(const struct report_opts *o, const struct verdict *v,
	    const struct msg *m, const char *server_said, unsigned int flags);

#endif
