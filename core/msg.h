/* SPDX-License-Identifier: ISC */
/*
 * The public message object: parse a raw RFC 5322 message once, then read
 * decoded, display-ready UTF-8 from it.  Header values, the visible body
 * text (HTML rendered), the text of quotes and forwards, links with their
 * visible text, HTML fonts/forms/images and every decoding problem met.
 * Every pointer returned is borrowed and lives until msg_free.
 */
#ifndef MSG_H
#define MSG_H

#include <stddef.h>

struct msg;

struct msg_limits {
	size_t		 max_part;	/* decoded bytes kept per text part */
	size_t		 max_text;	/* bytes of body + quoted text kept in all */
	size_t		 max_parts;	/* MIME parts walked */
	unsigned int	 max_depth;	/* MIME nesting and message/rfc822 depth */
	size_t		 max_headers;	/* header fields kept */
	size_t		 max_links;	/* links kept */
};

/* Defaults used when msg_parse gets NULL limits. */
#define MSG_MAX_PART	(2u << 20)
#define MSG_MAX_TEXT	(4u << 20)
#define MSG_MAX_PARTS	500
#define MSG_MAX_DEPTH	32
#define MSG_MAX_HEADERS	1000
#define MSG_MAX_LINKS	2000

struct msg_link {
	const char	*href;
	const char	*text;		/* visible text; for a URL in plain text, the URL */
	int		 quoted;	/* inside a quote or a forwarded message */
	int		 html;		/* from an HTML <a>, not found in plain text */
};

enum msg_problem_kind {
	MSG_PROBLEM_HEADER,		/* decoding a header */
	MSG_PROBLEM_CHARSET,		/* decoding a body part */
	MSG_PROBLEM_STRUCTURE		/* MIME structure, limits */
};

struct msg_problem {
	enum msg_problem_kind	 kind;
	const char		*what;		/* "malformed-word", "mismatch", "truncated"… */
	const char		*where;		/* header name or part number ("1.2") */
	const char		*declared;	/* charset label as declared, or "" */
	const char		*used;		/* charset used, or "" */
};

/*
 * Parses len bytes of one message.  Never modifies raw and does not keep a
 * pointer into it.  Returns NULL and sets *cause (owned) only when the input
 * is not a mail message at all (empty, or no header field before the body);
 * everything else (bad charsets, broken MIME, truncation) is recorded as a
 * problem and parsing carries on.  lim NULL means the defaults above.
 */
struct msg	*msg_parse(const char *raw, size_t len, const struct msg_limits *lim,
		    char **cause);
/*
 * The same for the header alone: subject, senders, message-id, date and
 * recipients, exactly as msg_parse reads them (before any MIME), without
 * parsing or walking the body.  For list fields, where the rest is waste.
 */
struct msg	*msg_parse_envelope(const char *raw, size_t len, char **cause);
void		 msg_free(struct msg *m);

/* Decoded header values ("" when absent, never NULL). */
const char	*msg_subject(const struct msg *m);
const char	*msg_from_display(const struct msg *m);
const char	*msg_from_addr(const struct msg *m);	/* lower-case */
const char	*msg_reply_to_addr(const struct msg *m);
const char	*msg_return_path(const struct msg *m);
const char	*msg_message_id(const struct msg *m);	/* without <> */
const char	*msg_date(const struct msg *m);		/* as written */
/* To and Cc addresses, lower-case. */
size_t		 msg_to_count(const struct msg *m);
const char	*msg_to_addr(const struct msg *m, size_t i);

/* Raw unfolded header values by name (case-insensitive), i-th occurrence
 * from the top; NULL past the last.  Bytes as sent (may be 8-bit). */
size_t		 msg_header_count(const struct msg *m, const char *name);
const char	*msg_header(const struct msg *m, const char *name, size_t i);

/* Visible text outside quotes and forwards, and the quoted/forwarded text. */
const char	*msg_body(const struct msg *m, size_t *len_out);
const char	*msg_quoted(const struct msg *m, size_t *len_out);

size_t		 msg_link_count(const struct msg *m);
const struct msg_link *msg_link(const struct msg *m, size_t i);

size_t		 msg_font_count(const struct msg *m);
const char	*msg_font(const struct msg *m, size_t i);
size_t		 msg_form_count(const struct msg *m);
const char	*msg_form(const struct msg *m, size_t i);
size_t		 msg_image_count(const struct msg *m);
const char	*msg_image(const struct msg *m, size_t i);

size_t		 msg_problem_count(const struct msg *m);
const struct msg_problem *msg_problem(const struct msg *m, size_t i);

/* 1 when the only readable part is HTML. */
int		 msg_html_only(const struct msg *m);
/* How the message carries another one: NULL, "rfc822", "inline" (a
 * forwarded-message block in the text) or "quote" (> lines). */
const char	*msg_forward_kind(const struct msg *m);
/* The first message/rfc822 part, parsed, or NULL. */
const struct msg *msg_forwarded(const struct msg *m);

#endif
