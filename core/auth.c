/* SPDX-License-Identifier: ISC */
/*
 * Authentication-Results (RFC 8601) and Received parsing.  Reads header
 * values from a struct msg; judges nothing (the rules do).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "buf.h"
#include "msg.h"
#include "xalloc.h"

/* Removes RFC 5322 comments (nested parentheses) outside quoted strings,
 * keeping "p=" hints from dmarc comments available separately. */
static char *
auth_strip_comments(const char *v, struct buf *comments)
{
	struct buf	 out;
	int		 depth = 0, inq = 0;

	buf_init(&out);
	for (; *v != '\0'; v++) {
		if (inq) {
			if (*v == '\\' && v[1] != '\0') {
				buf_addc(&out, *v++);
			} else if (*v == '"')
				inq = 0;
			buf_addc(&out, *v);
			continue;
		}
		if (depth == 0 && *v == '"') {
			inq = 1;
			buf_addc(&out, *v);
		} else if (*v == '(') {
			depth++;
			buf_addc(comments, ' ');
		} else if (*v == ')' && depth > 0) {
			depth--;
			buf_addc(&out, ' ');
		} else if (depth > 0)
			buf_addc(comments, *v);
		else
			buf_addc(&out, *v);
	}
	return buf_take(&out);
}

static char *
auth_lower_dup(const char *s, size_t n)
{
	char	*d = xstrndup(s, n);
	char	*p;

	for (p = d; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* Domain part of an address-ish value ("user@dom" or "dom"), quotes off. */
static char *
auth_domain_of(const char *v, size_t n)
{
	const char	*at;

	while (n > 0 && (*v == '"' || *v == '<')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == '"' || v[n - 1] == '>'))
		n--;
	at = memchr(v, '@', n);
	if (at != NULL) {
		n -= (size_t)(at + 1 - v);
		v = at + 1;
	}
	return auth_lower_dup(v, n);
}

static void
auth_add_entry(struct auth_results *ar, const char *res, size_t len,
    const char *comment)
{
	struct auth_entry	*e;
	const char		*p = res, *end = res + len, *tok, *eq;
	size_t			 tl;
	char			*pol;

	while (p < end && isspace((unsigned char)*p))
		p++;
	tok = p;
	while (p < end && !isspace((unsigned char)*p))
		p++;
	tl = (size_t)(p - tok);
	eq = memchr(tok, '=', tl);
	if (eq == NULL || eq == tok)
		return;
	if (ar->nentries >= 64)
		return;
	ar->entries = xreallocarray(ar->entries, ar->nentries + 1,
	    sizeof *ar->entries);
	e = &ar->entries[ar->nentries++];
	{
		const char	*slash = memchr(tok, '/', (size_t)(eq - tok));
		size_t		 ml = (size_t)((slash != NULL ? slash : eq) - tok);

		e->method = auth_lower_dup(tok, ml);
	}
	e->result = auth_lower_dup(eq + 1, (size_t)(tok + tl - eq - 1));
	e->domain = NULL;
	e->policy = NULL;
	while (p < end) {
		const char	*k, *v;
		size_t		 kl, vl;

		while (p < end && isspace((unsigned char)*p))
			p++;
		k = p;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		eq = memchr(k, '=', (size_t)(p - k));
		if (eq == NULL)
			continue;
		kl = (size_t)(eq - k);
		v = eq + 1;
		vl = (size_t)(p - v);
		if (e->domain == NULL &&
		    ((strcmp(e->method, "dkim") == 0 && kl == 8 &&
		    strncasecmp(k, "header.d", 8) == 0) ||
		    (strcmp(e->method, "dmarc") == 0 && kl == 11 &&
		    strncasecmp(k, "header.from", 11) == 0) ||
		    (strcmp(e->method, "spf") == 0 && kl == 13 &&
		    strncasecmp(k, "smtp.mailfrom", 13) == 0)))
			e->domain = auth_domain_of(v, vl);
		else if (e->domain == NULL && strcmp(e->method, "dkim") == 0 &&
		    kl == 8 && strncasecmp(k, "header.i", 8) == 0)
			e->domain = auth_domain_of(v, vl);
		else if (e->policy == NULL && kl == 12 &&
		    strncasecmp(k, "policy.dmarc", 12) == 0)
			/* The first one counts, as for the domain: a second
			 * replaced (and leaked) it (found by fuzz-msg). */
			e->policy = auth_lower_dup(v, vl);
	}
	if (e->domain == NULL)
		e->domain = xstrdup("");
	/* Many providers write the DMARC policy in a comment: "(p=REJECT …)". */
	if (e->policy == NULL && strcmp(e->method, "dmarc") == 0 &&
	    (pol = strstr(comment, "p=")) != NULL) {
		size_t	 pl = strcspn(pol + 2, " \t;)");

		e->policy = auth_lower_dup(pol + 2, pl);
	}
	if (e->policy == NULL)
		e->policy = xstrdup("");
}

int
auth_parse(const char *value, struct auth_results *out)
{
	struct buf	 comments;
	char		*clean, *p, *semi, *id;
	size_t		 idl;

	memset(out, 0, sizeof *out);
	buf_init(&comments);
	clean = auth_strip_comments(value, &comments);
	p = clean;
	while (isspace((unsigned char)*p))
		p++;
	id = p;
	while (*p != '\0' && *p != ';' && !isspace((unsigned char)*p))
		p++;
	idl = (size_t)(p - id);
	if (idl == 0) {
		free(clean);
		buf_free(&comments);
		return -1;
	}
	out->authserv = auth_lower_dup(id, idl);
	p = strchr(p, ';');
	while (p != NULL) {
		p++;
		semi = strchr(p, ';');
		auth_add_entry(out, p, semi != NULL ? (size_t)(semi - p) :
		    strlen(p), comments.data);
		p = semi;
	}
	free(clean);
	buf_free(&comments);
	return 0;
}

void
auth_results_clear(struct auth_results *ar)
{
	size_t	 i;

	for (i = 0; i < ar->nentries; i++) {
		free(ar->entries[i].method);
		free(ar->entries[i].result);
		free(ar->entries[i].domain);
		free(ar->entries[i].policy);
	}
	free(ar->entries);
	free(ar->authserv);
	memset(ar, 0, sizeof *ar);
}

int
auth_trusted(const struct msg *m, const char *authserv_id,
    struct auth_results *out)
{
	const char	*v;
	size_t		 i;

	memset(out, 0, sizeof *out);
	for (i = 0; (v = msg_header(m, "Authentication-Results", i)) != NULL;
	    i++) {
		if (auth_parse(v, out) != 0)
			continue;
		if (authserv_id == NULL || *authserv_id == '\0' ||
		    strcasecmp(out->authserv, authserv_id) == 0)
			return 0;
		auth_results_clear(out);
		if (authserv_id == NULL || *authserv_id == '\0')
			break;
	}
	return -1;
}

int
auth_origin(const struct msg *m, struct auth_origin *out)
{
	size_t		 n;
	const char	*v, *p, *lb, *rb;
	size_t		 tl, hl;

	memset(out, 0, sizeof *out);
	n = msg_header_count(m, "Received");
	if (n == 0)
		return -1;
	v = msg_header(m, "Received", n - 1);
	tl = strlen(v);
	out->text = xstrndup(v, tl > 300 ? 300 : tl);
	p = v;
	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "from", 4) == 0 && isspace((unsigned char)p[4])) {
		p += 4;
		while (isspace((unsigned char)*p))
			p++;
		hl = strcspn(p, " \t();");
		out->host = auth_lower_dup(p, hl);
	} else
		out->host = xstrdup("");
	lb = strchr(v, '[');
	rb = lb != NULL ? strchr(lb, ']') : NULL;
	if (lb != NULL && rb != NULL && rb - lb < 64)
		out->ip = xstrndup(lb + 1, (size_t)(rb - lb - 1));
	else
		out->ip = xstrdup("");
	return 0;
}

void
auth_origin_clear(struct auth_origin *o)
{
	free(o->text);
	free(o->host);
	free(o->ip);
	memset(o, 0, sizeof *o);
}
