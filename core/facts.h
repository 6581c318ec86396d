/* SPDX-License-Identifier: ISC */
/*
 * Named facts about one message: the rule engine's only input.  A fact has
 * zero or more instances; each instance has a text value (what a `pattern`
 * or `in-list` is matched against) and named variables (what `{name}`
 * placeholders in explanations are filled from).  A flag fact is true when
 * it has an instance.  measure.c computes facts; detect.c reads them.
 * The catalogue below is the whole vocabulary of the rule language: a rule
 * naming anything else is rejected at load time.
 */
#ifndef FACTS_H
#define FACTS_H

#include <stddef.h>

/* clang-format off */
/*   id                    name                      variables (space separated)        summary */
#define FACTS_CATALOGUE(X) \
X(SUBJECT,               "subject",               "",                                  "decoded Subject, as sent") \
X(SUBJECT_NORM,          "subject.norm",          "",                                  "Subject normalised for matching (NFKC, case-folded, invisibles removed)") \
X(FROM_DISPLAY,          "from.display",          "",                                  "decoded display name of From, as sent") \
X(FROM_DISPLAY_NORM,     "from.display.norm",     "",                                  "display name of From, normalised") \
X(FROM_ADDR,             "from.addr",             "",                                  "address of From, lower-case") \
X(FROM_DOMAIN,           "from.domain",           "",                                  "domain of From") \
X(FROM_REGDOM,           "from.regdom",           "",                                  "registrable domain of From") \
X(FROM_DISPLAY_ADDR,     "from.display_addr",     "display_addr from_addr",            "the display name holds an address or domain other than From's") \
X(FROM_IS_TO,            "from.is_to",            "from_addr",                         "From equals a recipient") \
X(REPLY_TO_ADDR,         "reply_to.addr",         "from_domain",                       "address of Reply-To when its registrable domain differs from From's") \
X(RETURN_PATH_ADDR,      "return_path.addr",      "",                                  "address of Return-Path") \
X(TO_ADDR,               "to.addr",               "",                                  "each To/Cc address") \
X(MESSAGE_ID_DOMAIN,     "message_id.domain",     "",                                  "domain part of Message-ID") \
X(HEADER_MAILER,         "header.mailer",         "",                                  "X-Mailer or User-Agent") \
X(HEADER_PROBLEM,        "header.problem",        "header detail",                     "a header decoding problem: malformed-word, unknown-charset, invalid-bytes, raw-8bit, excess-encoding") \
X(HEADER_MISSING,        "header.missing",        "",                                  "a header every mail program writes is missing: date, message-id, mime-version") \
X(BODY,                  "body",                  "",                                  "visible text outside quotes and forwards, as sent (HTML rendered to text)") \
X(BODY_NORM,             "body.norm",             "",                                  "body normalised for matching") \
X(BODY_HEAD_NORM,        "body.head.norm",        "",                                  "first 500 characters of body.norm") \
X(QUOTED_NORM,           "quoted.norm",           "",                                  "quoted (>) and forwarded text, normalised") \
X(LINK_HREF,             "link.href",             "href host text",                    "each live link's target (links in quotes and forwards excluded)") \
X(LINK_HOST,             "link.host",             "href host text",                    "each live link's host (ASCII, lower-case)") \
X(LINK_TEXT_NORM,        "link.text.norm",        "href host text",                    "each live link's visible text, normalised") \
X(LINK_TEXT_HOST_DIFFERS,"link.text_host_differs","href host text text_host",          "link text shows a URL or host whose registrable domain differs from the target's") \
X(LINK_IP,               "link.ip",               "href host text",                    "link target is an IP address (private ranges excluded)") \
X(LINK_IP_OBFUSCATED,    "link.ip_obfuscated",    "href host text",                    "link target is an IP written in decimal, hex or octal") \
X(LINK_USERINFO,         "link.userinfo",         "href host text",                    "link target has user@ before the host") \
X(LINK_IDN_MIXED,        "link.idn_mixed",        "href host text host_unicode",       "link host mixes scripts (homograph)") \
X(LINK_PUNYCODE,         "link.punycode",         "href host text host_unicode",       "link host has an xn-- label") \
X(LINK_BRAND_OFFSITE,    "link.brand_offsite",    "href host text brand brand_name",   "a claimed brand's mail links to a host the brand does not own") \
X(LINK_BRAND_TEXT_OFFSITE,"link.brand_text_offsite","href host text brand brand_name", "link text names the brand, the target is not the brand's") \
X(LINK_BRAND_IN_HOST,    "link.brand_in_host",    "href host text brand brand_name token", "brand token inside a host the brand does not own") \
X(LINK_TYPOSQUAT,        "link.typosquat",        "href host text brand brand_name token label", "host label one or two edits from a brand token") \
X(HTML_FONT,             "html.font",             "",                                  "font faces and font-family values in HTML") \
X(HTML_FORM,             "html.form",             "",                                  "action of each HTML form") \
X(HTML_IMAGE_HOST,       "html.image.host",       "",                                  "host of each image source") \
X(MIME_HTML_ONLY,        "mime.html_only",        "",                                  "the only readable part is HTML") \
X(CHARSET_PROBLEM,       "charset.problem",       "part declared used",                "a body part's charset: unknown, invalid, mismatch, 8bit-undeclared") \
X(TEXT_DEFANGED,         "text.defanged",         "",                                  "defanged URL notation (hxxp, [.]) in the text") \
X(TEXT_CONFUSABLE,       "text.confusable",       "word brand brand_name",             "a word that mixes Latin with lookalike letters; brand set when it spells a brand") \
X(AUTH_SPF,              "auth.spf",              "domain authserv",                   "spf result in the trusted Authentication-Results") \
X(AUTH_DKIM,             "auth.dkim",             "domain authserv",                   "each dkim result in the trusted Authentication-Results (domain = header.d)") \
X(AUTH_DMARC,            "auth.dmarc",            "domain authserv policy",            "dmarc result in the trusted Authentication-Results") \
X(AUTH_NONE,             "auth.none",             "",                                  "no trusted Authentication-Results header") \
X(RECEIVED_ORIGIN,       "received.origin",       "host ip",                           "the origin hop's Received header") \
X(BRAND_CLAIMED,         "brand.claimed",         "brand brand_name where evidence",   "the mail claims to come from a known brand") \
X(BRAND_AUTHENTICATED,   "brand.authenticated",   "brand brand_name domain method",    "dmarc or aligned dkim pass for a domain the claimed brand owns") \
X(BRAND_UNAUTHENTICATED, "brand.unauthenticated", "brand brand_name from_domain auth", "brand claimed, trusted results present, no pass for the brand's domains") \
X(BRAND_UNVERIFIABLE,    "brand.unverifiable",    "brand brand_name from_domain",      "brand claimed, no trusted Authentication-Results to check it") \
X(BRAND_FROM_FOREIGN,    "brand.from_foreign",    "brand brand_name from_domain where","brand claimed in display name or subject, From domain not the brand's") \
X(MSG_FORWARD,           "msg.forward",           "",                                  "the mail forwards or quotes another message (value: rfc822, inline, quote)") \
X(QUOTED_LOOKS_PHISH,    "quoted.looks_phish",    "level score brand_name summary",    "the forwarded or quoted message alone scores as phish or suspicious")
/* clang-format on */

enum fact_id {
#define FACTS_ENUM(id, name, vars, summary) FACT_##id,
	FACTS_CATALOGUE(FACTS_ENUM)
#undef FACTS_ENUM
	FACT__COUNT
};

struct fact_def {
	const char	*name;
	const char	*vars;		/* space-separated variable names */
	const char	*summary;
};

/* The catalogue, indexed by enum fact_id.  Static. */
const struct fact_def	*facts_def(enum fact_id id);
/* FACT_… for a name, or -1. */
int			 facts_lookup(const char *name);
/* 1 when var is one of the fact's variables or a universal one
 * ("value", "match", "brand", "brand_name"). */
int			 facts_has_var(enum fact_id id, const char *var);

struct facts;
struct fact_inst;

struct facts		*facts_new(void);
void			 facts_free(struct facts *f);
/* Empties f for reuse (keeps allocations where it can). */
void			 facts_reset(struct facts *f);

/* Adds an instance with a copy of value ("" for flags).  The returned
 * pointer is borrowed and valid until the next facts_add on f. */
struct fact_inst	*facts_add(struct facts *f, enum fact_id id, const char *value);
/* Same, value given with a length (need not be NUL-terminated). */
struct fact_inst	*facts_addn(struct facts *f, enum fact_id id, const char *value,
			    size_t len);
/* Same, for a value the caller knows is well-formed UTF-8 (norm_text's
 * output is, by its contract): not checked again. */
struct fact_inst	*facts_addn_utf8(struct facts *f, enum fact_id id,
			    const char *value, size_t len);
/* Sets a variable on an instance (copies both). */
void			 facts_set_var(struct facts *f, struct fact_inst *fi,
			    const char *var, const char *value);

size_t			 facts_count(const struct facts *f, enum fact_id id);
/* Borrowed; valid until facts_free/reset. */
const char		*facts_value(const struct facts *f, enum fact_id id, size_t i);
size_t			 facts_value_len(const struct facts *f, enum fact_id id, size_t i);
/* 1 when the value of instance i is well-formed UTF-8 (checked once, at
 * facts_add), so the engine can skip PCRE2's own check on every pattern. */
int			 facts_value_utf8(const struct facts *f, enum fact_id id, size_t i);
/* Variable of instance i, or NULL.  Borrowed. */
const char		*facts_var(const struct facts *f, enum fact_id id, size_t i,
			    const char *var);

#endif
