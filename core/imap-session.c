/* SPDX-License-Identifier: ISC */
/*
 * IMAP connection set-up with libetpan.  libetpan neither verifies
 * certificates nor host names, so the chain it exposes is checked with
 * tlsverify before a credential leaves the machine.  STARTTLS is done by
 * hand so that bytes a server sends before the handshake are refused
 * (CVE-2020-15953) and a refusal never falls back to plain text.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "buf.h"
#include "imap-guard.h"
#include "imap-session.h"
#include "imap-utf7.h"
#include "secret.h"
#include "tlsverify.h"
#include "xalloc.h"

int
imap_session_rc_broken(int rc)
{
	switch (rc) {
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_PARSE:
	case MAILIMAP_ERROR_FATAL:
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
	case MAILIMAP_ERROR_SSL:
	case MAILIMAP_ERROR_MEMORY:
	case MAILIMAP_ERROR_BAD_STATE:
		return 1;
	}
	return 0;
}

/* Server text is hostile: keep it short and free of control characters. */
static void
imap_session_add_server_text(struct buf *b, const char *text)
{
	size_t	i;

	for (i = 0; text[i] != '\0' && i < 200; i++) {
		unsigned char c = (unsigned char)text[i];

		buf_addc(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	if (text[i] != '\0')
		buf_adds(b, "…");
}

char *
imap_session_cause(struct imap_session *s, int rc, const char *what)
{
	struct buf	 b;
	const char	*why, *guard;

	buf_init(&b);
	buf_printf(&b, "%s: ", what);
	switch (rc) {
	case MAILIMAP_ERROR_STREAM:
		why = "the connection was closed or timed out";
		break;
	case MAILIMAP_ERROR_PARSE:
		why = "the server sent a response sagi cannot parse";
		break;
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		why = "connection refused or host unreachable";
		break;
	case MAILIMAP_ERROR_SSL:
		why = "the TLS handshake failed";
		break;
	case MAILIMAP_ERROR_LOGIN:
	case MAILIMAP_ERROR_SASL:
		why = "the server refused the login";
		break;
	case MAILIMAP_ERROR_STARTTLS:
		why = "the server refused STARTTLS";
		break;
	case MAILIMAP_ERROR_MEMORY:
		why = "out of memory";
		break;
	default:
		why = "the server refused the command";
		break;
	}
	if (s != NULL && s->imap != NULL && s->imap->imap_stream != NULL &&
	    (guard = imap_guard_why(mailstream_get_low(
	    s->imap->imap_stream))) != NULL)
		why = guard;
	buf_adds(&b, why);
	if (s != NULL && s->imap != NULL && s->imap->imap_response != NULL &&
	    *s->imap->imap_response != '\0' && !imap_session_rc_broken(rc)) {
		buf_adds(&b, " (server said: ");
		imap_session_add_server_text(&b, s->imap->imap_response);
		buf_adds(&b, ")");
	}
	if (s != NULL && imap_session_rc_broken(rc))
		s->broken = 1;
	return buf_take(&b);
}

static int
imap_session_is_ip(const char *host)
{
	unsigned char	addr[16];

	return inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1;
}

/* Server Name Indication, so virtual hosts show the right certificate. */
static void
imap_session_tls_setup(struct mailstream_ssl_context *ctx, void *data)
{
	const char	*host = data;

	if (!imap_session_is_ip(host))
		mailstream_ssl_set_server_name(ctx, (char *)host);
}

/*
 * libetpan exports this but its headers do not declare it (connect.h is
 * not installed); it is what mailimap_socket_connect uses.
 */
int	mail_tcp_connect_timeout(const char *server, uint16_t port,
	    time_t timeout);

/*
 * mailimap_socket_connect and mailimap_ssl_connect, done by hand so that
 * imap-guard sits under the stream before the greeting is read: a greeting
 * without end must not grow memory either.  Returns libetpan's code.
 */
static int
imap_session_connect(struct imap_session *s, const struct account *a,
    uint16_t port)
{
	mailstream_low	*low;
	mailstream	*stream;
	int		 fd;

	fd = mail_tcp_connect_timeout(a->host, port, (time_t)a->timeout);
	if (fd == -1)
		return MAILIMAP_ERROR_CONNECTION_REFUSED;
	if (a->tls == ACCOUNT_TLS_IMAPS)
		low = mailstream_low_tls_open_with_callback_timeout(fd,
		    (time_t)a->timeout, imap_session_tls_setup, a->host);
	else
		low = mailstream_low_socket_open(fd);
	if (low == NULL) {
		close(fd);
		return a->tls == ACCOUNT_TLS_IMAPS ? MAILIMAP_ERROR_SSL :
		    MAILIMAP_ERROR_MEMORY;
	}
	mailstream_low_set_timeout(low, (time_t)a->timeout);
	low = imap_guard_new(low, a->timeout, 1);
	if ((stream = mailstream_new(low, 8192)) == NULL) {
		mailstream_low_close(low);
		mailstream_low_free(low);
		return MAILIMAP_ERROR_MEMORY;
	}
	/* Adopts the stream, and closes it when the greeting fails. */
	return mailimap_connect(s->imap, stream);
}

static int
imap_session_verify(struct imap_session *s, const struct account *a,
    char **cause)
{
	struct tlsverify_opts	 o;
	struct tlsverify_cert	*certs;
	carray			*chain;
	unsigned int		 i, n;
	int			 rc;

	chain = mailstream_get_certificate_chain(s->imap->imap_stream);
	n = chain != NULL ? carray_count(chain) : 0;
	certs = xcalloc(n + 1, sizeof *certs);
	for (i = 0; i < n; i++) {
		MMAPString *der = carray_get(chain, i);

		certs[i].der = (const unsigned char *)der->str;
		certs[i].len = der->len;
	}
	memset(&o, 0, sizeof o);
	o.host = a->host;
	o.ca_file = a->tls_ca_file;
	o.pin = a->tls_fingerprint;
	rc = tlsverify_chain(certs, n, &o, cause);
	free(certs);
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	return rc;
}

/* Returns libetpan's code for CAPABILITY; s->caps is 0 when it failed. */
static int
imap_session_read_caps(struct imap_session *s)
{
	static const struct {
		const char	*name;
		unsigned int	 bit;
	} table[] = {
		{ "MOVE", IMAP_CAP_MOVE },
		{ "UIDPLUS", IMAP_CAP_UIDPLUS },
		{ "CONDSTORE", IMAP_CAP_CONDSTORE },
		{ "QRESYNC", IMAP_CAP_QRESYNC },
		{ "SPECIAL-USE", IMAP_CAP_SPECIAL_USE },
		{ "XLIST", IMAP_CAP_XLIST },
		{ "STARTTLS", IMAP_CAP_STARTTLS },
		{ "LITERAL+", IMAP_CAP_LITERALPLUS },
		{ "CREATE-SPECIAL-USE", IMAP_CAP_CREATE_SPECIAL_USE },
		{ "LIST-EXTENDED", IMAP_CAP_LIST_EXTENDED },
	};
	struct mailimap_capability_data	*cap = NULL;
	struct mailimap_connection_info	*ci = s->imap->imap_connection_info;
	size_t				 i;
	int				 rc;

	s->caps = 0;
	/* libetpan 1.9.4 dereferences the stored capabilities when the
	 * server answers OK without sending any (neither in the greeting nor
	 * in an untagged CAPABILITY), and their list when the greeting said
	 * "[CAPABILITY]" with none: NULL pointers, both found by
	 * fuzz/fuzz-imap (corpus files caps-none, caps-empty-code).  An
	 * empty list in their place is what such a server means; a real
	 * answer replaces it. */
	if (ci != NULL && ci->imap_capability == NULL)
		ci->imap_capability = mailimap_capability_data_new(clist_new());
	else if (ci != NULL && ci->imap_capability->cap_list == NULL)
		ci->imap_capability->cap_list = clist_new();
	if ((rc = mailimap_capability(s->imap, &cap)) != MAILIMAP_NO_ERROR)
		return rc;
	mailimap_capability_data_free(cap);
	for (i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (mailimap_has_extension(s->imap, (char *)table[i].name))
			s->caps |= table[i].bit;
	}
	return MAILIMAP_NO_ERROR;
}

/*
 * ENABLE QRESYNC (RFC 7162 §3.2.3): the server may then answer a UID FETCH
 * CHANGEDSINCE with the UIDs expunged since (VANISHED), so a warm open need
 * not list every UID.  A refusal only costs that; a dead connection fails.
 * With it on, expunges come as VANISHED instead of EXPUNGE responses;
 * nothing in sagi counts either.
 */
static int
imap_session_enable_qresync(struct imap_session *s, char **cause)
{
	struct mailimap_capability_data	*want, *got = NULL;
	clistiter			*it;
	int				 rc;

	want = mailimap_capability_data_new(clist_new());
	clist_append(want->cap_list, mailimap_capability_new(
	    MAILIMAP_CAPABILITY_NAME, NULL, xstrdup("QRESYNC")));
	rc = mailimap_enable(s->imap, want, &got);
	mailimap_capability_data_free(want);
	if (rc != MAILIMAP_NO_ERROR) {
		if (!imap_session_rc_broken(rc))
			return 0;
		*cause = imap_session_cause(s, rc, "enabling QRESYNC");
		return -1;
	}
	for (it = clist_begin(got->cap_list); it != NULL;
	    it = clist_next(it)) {
		struct mailimap_capability *c = clist_content(it);

		if (c->cap_type == MAILIMAP_CAPABILITY_NAME &&
		    c->cap_data.cap_name != NULL &&
		    strcasecmp(c->cap_data.cap_name, "QRESYNC") == 0)
			s->qresync = 1;
	}
	mailimap_capability_data_free(got);
	return 0;
}

/* STARTTLS by hand: see the comment at the top of the file. */
static int
imap_session_starttls(struct imap_session *s, const struct account *a,
    char **cause)
{
	mailstream_low	*low, *tls;
	int		 rc, fd;

	/* A garbled or refused answer is not "no STARTTLS": say what broke. */
	if ((rc = imap_session_read_caps(s)) != MAILIMAP_NO_ERROR) {
		*cause = imap_session_cause(s, rc, "CAPABILITY");
		return -1;
	}
	if (!(s->caps & IMAP_CAP_STARTTLS)) {
		*cause = xasprintf("%s does not offer STARTTLS; sagi will not "
		    "send your password in plain text (use tls = imaps, or "
		    "check for a proxy stripping STARTTLS)", a->host);
		return -1;
	}
	rc = mailimap_starttls(s->imap);
	/* Debian's libetpan already fails STARTTLS when bytes follow the
	 * server's OK (CVE-2020-15953); either way, say what happened. */
	if (s->imap->imap_stream != NULL &&
	    s->imap->imap_stream->read_buffer_len != 0) {
		*cause = xasprintf("%s sent data before the TLS handshake "
		    "(a STARTTLS injection attempt?); connection refused",
		    a->host);
		return -1;
	}
	if (rc != MAILIMAP_NO_ERROR) {
		*cause = imap_session_cause(s, rc, "STARTTLS");
		return -1;
	}
	low = mailstream_get_low(s->imap->imap_stream);
	fd = mailstream_low_get_fd(low);
	tls = mailstream_low_tls_open_with_callback_timeout(fd,
	    (time_t)a->timeout, imap_session_tls_setup, a->host);
	if (tls == NULL) {
		*cause = xasprintf("STARTTLS: the TLS handshake with %s failed",
		    a->host);
		return -1;
	}
	mailstream_low_free(low);
	mailstream_set_low(s->imap->imap_stream, imap_guard_new(tls,
	    a->timeout, 0));
	return 0;
}

/*
 * RFC 4648 base64 of len bytes at in (GnuTLS's coder); owned by the
 * caller, NUL-terminated, to be freed with secret_free (it holds the
 * token).
 */
static char *
imap_session_b64(const unsigned char *in, size_t len)
{
	gnutls_datum_t	 raw = { (unsigned char *)in, (unsigned int)len };
	gnutls_datum_t	 enc = { NULL, 0 };
	char		*out;

	if (gnutls_base64_encode2(&raw, &enc) != 0)
		abort();	/* only on a failed malloc: as xalloc does */
	out = xmalloc(enc.size + 1);
	memcpy(out, enc.data, enc.size);
	out[enc.size] = '\0';
	explicit_bzero(enc.data, enc.size);
	gnutls_free(enc.data);
	return out;
}

/*
 * Decodes the base64 text in (up to its end, CR or LF) into at most
 * size - 1 bytes of out, NUL-terminated; empty when it is no base64.
 * Only the server's error report goes through here.
 */
static void
imap_session_unb64(const char *in, char *out, size_t size)
{
	gnutls_datum_t	 enc, dec = { NULL, 0 };
	size_t		 n;

	out[0] = '\0';
	enc.data = (unsigned char *)in;
	enc.size = (unsigned int)strcspn(in, "\r\n");
	if (enc.size == 0 || gnutls_base64_decode2(&enc, &dec) != 0)
		return;
	n = dec.size < size - 1 ? dec.size : size - 1;
	memcpy(out, dec.data, n);
	out[n] = '\0';
	gnutls_free(dec.data);
}

/*
 * The "status" of the JSON error a server sends in its continuation when it
 * refuses a token (RFC 7628 §3.2.2; XOAUTH2 does the same), such as
 * "invalid_token" or "401", into status (empty when there is none).  line
 * is the continuation: "+ " and base64.  Not a JSON parser: the value is
 * only shown, and only when it is a short plain word.
 */
static void
imap_session_oauth_status(const char *line, char *status, size_t size)
{
	char		 json[1024];
	const char	*p;
	size_t		 n = 0;

	status[0] = '\0';
	if (line[0] != '+')
		return;
	for (line++; *line == ' '; line++)
		;
	imap_session_unb64(line, json, sizeof json);
	if ((p = strstr(json, "\"status\"")) == NULL)
		return;
	for (p += 8; *p == ' ' || *p == ':'; p++)
		;
	if (*p++ != '"')
		return;
	while (n + 1 < size && ((p[n] >= 'a' && p[n] <= 'z') ||
	    (p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9') ||
	    p[n] == '_' || p[n] == '-' || p[n] == '.'))
		n++;
	if (p[n] != '"')
		return;
	memcpy(status, p, n);
	status[n] = '\0';
}

/*
 * Writes line and CRLF with the stream's logging off (libetpan's privacy
 * flag, as mailimap_login does), then wipes libetpan's copy in the write
 * buffer.  Returns libetpan's code.
 */
static int
imap_session_send_secret(struct imap_session *s, const char *line)
{
	mailstream	*st = s->imap->imap_stream;
	int		 rc = MAILIMAP_NO_ERROR;

	mailstream_set_privacy(st, 0);
	if (mailstream_write(st, line, strlen(line)) == -1 ||
	    mailstream_write(st, "\r\n", 2) == -1 ||
	    mailstream_flush(st) == -1)
		rc = MAILIMAP_ERROR_STREAM;
	mailstream_set_privacy(st, 1);
	explicit_bzero(st->write_buffer, st->buffer_max_size);
	return rc;
}

/*
 * AUTHENTICATE mech with the base64 initial response ir: on the command
 * line with SASL-IR (RFC 4959), else after the server's empty continuation.
 * libetpan's own calls cannot be used: mailimap_oauth2_authenticate speaks
 * XOAUTH2 with SASL-IR only, and mailimap_custom_command reads past a
 * continuation waiting for more lines, so a refused token (RFC 7628
 * §3.2.3: the server sends its error as a continuation and waits for the
 * client's %x01) would hang until the timeout.  Here a continuation after
 * the credential is answered with the dummy response (an empty line for
 * XOAUTH2), and its error status copied to status.  Returns libetpan's
 * code: MAILIMAP_ERROR_LOGIN when the server said NO.
 */
static int
imap_session_authenticate(struct imap_session *s, const char *mech,
    const char *ir, int sasl_ir, char *status, size_t size)
{
	struct mailimap_response	*resp;
	struct mailimap_response_done	*done;
	mailstream			*st = s->imap->imap_stream;
	const char			*line;
	char				*cmd;
	int				 rc, type;

	status[0] = '\0';
	if (s->imap->imap_state != MAILIMAP_STATE_NON_AUTHENTICATED)
		return MAILIMAP_ERROR_BAD_STATE;
	if ((rc = mailimap_send_current_tag(s->imap)) != MAILIMAP_NO_ERROR)
		return rc;
	if (sasl_ir) {
		cmd = xasprintf("AUTHENTICATE %s %s", mech, ir);
		rc = imap_session_send_secret(s, cmd);
		explicit_bzero(cmd, strlen(cmd));
		free(cmd);
	} else {
		cmd = xasprintf("AUTHENTICATE %s\r\n", mech);
		if (mailstream_write(st, cmd, strlen(cmd)) == -1 ||
		    mailstream_flush(st) == -1)
			rc = MAILIMAP_ERROR_STREAM;
		free(cmd);
	}
	if (rc != MAILIMAP_NO_ERROR)
		return rc;
	if ((line = mailimap_read_line(s->imap)) == NULL)
		return MAILIMAP_ERROR_STREAM;
	/* Without SASL-IR the credential goes only after "+"; any other
	 * answer (NO, BAD) is the end of the command. */
	if (!sasl_ir && line[0] == '+') {
		if ((rc = imap_session_send_secret(s, ir)) != MAILIMAP_NO_ERROR)
			return rc;
		if ((line = mailimap_read_line(s->imap)) == NULL)
			return MAILIMAP_ERROR_STREAM;
	}
	if (line[0] == '+') {
		imap_session_oauth_status(line, status, size);
		rc = imap_session_send_secret(s, strcmp(mech, "OAUTHBEARER") ==
		    0 ? "AQ==" : "");
		if (rc != MAILIMAP_NO_ERROR)
			return rc;
	}
	/* The continuation, if any, is still in libetpan's buffer: its
	 * parser takes it and then reads on to the tagged answer. */
	if ((rc = mailimap_parse_response(s->imap, &resp)) != MAILIMAP_NO_ERROR)
		return rc;
	/* A BYE instead of the tagged answer: the server is gone.  (libetpan
	 * says its tagged answer "can be NULL".) */
	done = resp->rsp_resp_done;
	if (done == NULL || done->rsp_type != MAILIMAP_RESP_DONE_TYPE_TAGGED ||
	    done->rsp_data.rsp_tagged == NULL ||
	    done->rsp_data.rsp_tagged->rsp_cond_state == NULL)
		type = -1;
	else
		type = done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type;
	mailimap_response_free(resp);
	if (type == -1)
		return MAILIMAP_ERROR_FATAL;
	if (type != MAILIMAP_RESP_COND_STATE_OK)
		return MAILIMAP_ERROR_LOGIN;
	s->imap->imap_state = MAILIMAP_STATE_AUTHENTICATED;
	return MAILIMAP_NO_ERROR;
}

/*
 * The capabilities that hold for the login.  Those read before STARTTLS
 * are void after it (RFC 3501 §6.2.1); a greeting over TLS from the first
 * byte usually carries them, else they are asked for.
 */
static int
imap_session_login_caps(struct imap_session *s, const struct account *a,
    char **cause)
{
	struct mailimap_connection_info	*ci = s->imap->imap_connection_info;
	int				 rc;

	if (a->tls != ACCOUNT_TLS_STARTTLS && ci != NULL &&
	    ci->imap_capability != NULL &&
	    ci->imap_capability->cap_list != NULL &&
	    clist_count(ci->imap_capability->cap_list) > 0)
		return 0;
	if ((rc = imap_session_read_caps(s)) != MAILIMAP_NO_ERROR) {
		*cause = imap_session_cause(s, rc, "CAPABILITY");
		return -1;
	}
	return 0;
}

/*
 * The SASL initial response for token (raw, owned, to be wiped), or NULL
 * with *cause.  OAUTHBEARER (RFC 7628 §3.1): the GS2 header with the user
 * as authorization identity (RFC 5801 saslname: "," and "=" escaped), then
 * host, port and the bearer token as ^A-separated key/values.  XOAUTH2
 * (Google's): "user=", the user and the token likewise.
 */
static char *
imap_session_oauth_ir(const struct account *a, uint16_t port,
    const char *mech, const char *token, char **cause)
{
	struct buf	 user;
	const char	*p;
	char		*out;
	int		 n;

	for (p = token; *p != '\0'; p++) {
		/* RFC 6750 §2.1 b64token; anything else would break the
		 * ^A-separated fields and is no access token. */
		if (*p <= ' ' || *p > '~') {
			*cause = xstrdup("oauth2_token_cmd: its first line is "
			    "not an access token (it has spaces, control or "
			    "non-ASCII characters)");
			return NULL;
		}
	}
	for (p = a->user; *p != '\0'; p++) {
		if ((unsigned char)*p < ' ' || *p == 0x7f) {
			*cause = xstrdup("the user name has control characters");
			return NULL;
		}
	}
	buf_init(&user);
	for (p = a->user; *p != '\0'; p++) {
		if (*p == ',' && strcmp(mech, "OAUTHBEARER") == 0)
			buf_adds(&user, "=2C");
		else if (*p == '=' && strcmp(mech, "OAUTHBEARER") == 0)
			buf_adds(&user, "=3D");
		else
			buf_addc(&user, *p);
	}
	/* Measured, then written once: no buffer that grew and moved keeps
	 * a copy of the token. */
	if (strcmp(mech, "OAUTHBEARER") == 0)
		n = snprintf(NULL, 0, "n,a=%s,\001host=%s\001port=%u\001"
		    "auth=Bearer %s\001\001", user.data, a->host,
		    (unsigned int)port, token);
	else
		n = snprintf(NULL, 0, "user=%s\001auth=Bearer %s\001\001",
		    user.data, token);
	out = xmalloc((size_t)n + 1);
	if (strcmp(mech, "OAUTHBEARER") == 0)
		snprintf(out, (size_t)n + 1, "n,a=%s,\001host=%s\001port=%u\001"
		    "auth=Bearer %s\001\001", user.data, a->host,
		    (unsigned int)port, token);
	else
		snprintf(out, (size_t)n + 1, "user=%s\001auth=Bearer %s\001\001",
		    user.data, token);
	buf_free(&user);
	return out;
}

/*
 * Nonzero when text shows 12 bytes in a row of secret (all of it when it is
 * shorter): a server that quotes what it got, whole or cut short.
 */
static int
imap_session_quotes(const char *text, const char *secret)
{
	size_t	 tl, sl, w, i;

	if (text == NULL)
		return 0;
	tl = strlen(text);
	sl = strlen(secret);
	w = sl < 12 ? sl : 12;
	for (i = 0; w > 0 && i + w <= tl; i++) {
		if (memmem(secret, sl, text + i, w) != NULL)
			return 1;
	}
	return 0;
}

/* The mechanism for the token: the configured one, else OAUTHBEARER (the
 * standard, RFC 7628) when the server offers it, else XOAUTH2. */
static const char *
imap_session_oauth_mech(struct imap_session *s, const struct account *a)
{
	if (a->oauth2_mechanism != NULL)
		return strcasecmp(a->oauth2_mechanism, "oauthbearer") == 0 ?
		    "OAUTHBEARER" : "XOAUTH2";
	if (mailimap_has_authentication(s->imap, "OAUTHBEARER"))
		return "OAUTHBEARER";
	return "XOAUTH2";
}

static int
imap_session_login_oauth(struct imap_session *s, const struct account *a,
    uint16_t port, char **cause)
{
	struct buf	 b;
	const char	*mech;
	char		*token, *raw, *ir, *why = NULL, status[48];
	int		 rc, offered;

	if (imap_session_login_caps(s, a, cause) != 0)
		return -1;
	mech = imap_session_oauth_mech(s, a);
	offered = mailimap_has_authentication(s->imap, mech);
	if ((token = secret_run(a->oauth2_token_cmd, a->timeout,
	    &why)) == NULL) {
		*cause = xasprintf("oauth2_token_cmd: %s", why);
		free(why);
		return -1;
	}
	if ((raw = imap_session_oauth_ir(a, port, mech, token, cause)) ==
	    NULL) {
		secret_free(token);
		return -1;
	}
	ir = imap_session_b64((const unsigned char *)raw, strlen(raw));
	secret_free(raw);
	rc = imap_session_authenticate(s, mech, ir,
	    mailimap_has_extension(s->imap, "SASL-IR"), status, sizeof status);
	if (rc == MAILIMAP_NO_ERROR) {
		secret_free(ir);
		secret_free(token);
		return 0;
	}
	why = xasprintf("login as %s with %s", a->user, mech);
	/* A server may quote what it got, in its answer or even as the
	 * status: then neither is shown, the token must never be. */
	if (imap_session_quotes(status, token) ||
	    imap_session_quotes(status, ir) ||
	    imap_session_quotes(s->imap->imap_response, token) ||
	    imap_session_quotes(s->imap->imap_response, ir)) {
		*cause = xasprintf("%s: the server refused the OAuth 2 access "
		    "token (its answer quoted the token and is not shown)",
		    why);
		if (imap_session_rc_broken(rc))
			s->broken = 1;
	} else if (rc == MAILIMAP_ERROR_LOGIN) {
		buf_init(&b);
		buf_printf(&b, "%s: the server refused the OAuth 2 access "
		    "token (", why);
		if (status[0] != '\0')
			buf_printf(&b, "status %s; ", status);
		if (s->imap->imap_response != NULL &&
		    *s->imap->imap_response != '\0') {
			buf_adds(&b, "server said: ");
			imap_session_add_server_text(&b, s->imap->imap_response);
		} else
			buf_adds(&b, "no reason given");
		buf_adds(&b, "); oauth2_token_cmd must print a fresh token "
		    "issued for this account");
		*cause = buf_take(&b);
	} else if (status[0] != '\0') {
		/* The error continuation came, then no proper NO. */
		raw = imap_session_cause(s, rc, why);
		*cause = xasprintf("%s; before that the server refused the "
		    "OAuth 2 access token (status %s)", raw, status);
		free(raw);
	} else
		*cause = imap_session_cause(s, rc, why);
	if (!offered && !s->broken) {
		raw = *cause;
		*cause = xasprintf("%s (the server does not offer AUTH=%s)",
		    raw, mech);
		free(raw);
	}
	free(why);
	secret_free(ir);
	secret_free(token);
	return -1;
}

static int
imap_session_login(struct imap_session *s, const struct account *a,
    uint16_t port, char **cause)
{
	char	*secret, *why = NULL;
	int	 rc;

	if (a->oauth2_token_cmd != NULL)
		return imap_session_login_oauth(s, a, port, cause);
	if (a->password_cmd != NULL) {
		if ((secret = secret_run(a->password_cmd, a->timeout,
		    &why)) == NULL) {
			*cause = xasprintf("password_cmd: %s", why);
			free(why);
			return -1;
		}
	} else if (a->password != NULL)
		secret = xstrdup(a->password);
	else {
		*cause = xasprintf("no password for %s@%s: set "
		    "password_cmd (or --password-cmd)", a->user, a->host);
		return -1;
	}
	rc = mailimap_login(s->imap, a->user, secret);
	/* libetpan's write buffer still holds the LOGIN line. */
	explicit_bzero(s->imap->imap_stream->write_buffer,
	    s->imap->imap_stream->buffer_max_size);
	if (rc != MAILIMAP_NO_ERROR) {
		why = xasprintf("login as %s", a->user);
		/* A server may quote what it got: then its text is not shown,
		 * the password must never be. */
		if (imap_session_quotes(s->imap->imap_response, secret))
			*cause = xasprintf("%s: the server refused the login "
			    "(its answer quoted the password and is not shown)",
			    why);
		else
			*cause = imap_session_cause(s, rc, why);
		free(why);
	}
	secret_free(secret);
	return rc != MAILIMAP_NO_ERROR ? -1 : 0;
}

struct imap_session *
imap_session_open(const struct account *a, char **cause)
{
	struct imap_session	*s;
	char			*why;
	uint16_t		 port;
	int			 rc;

	if (account_check(a, cause) != 0)
		return NULL;
	if (a->user == NULL) {
		*cause = xasprintf("no user name for %s", a->host);
		return NULL;
	}
	port = (uint16_t)(a->port != 0 ? a->port :
	    a->tls == ACCOUNT_TLS_IMAPS ? 993 : 143);
	s = xcalloc(1, sizeof *s);
	s->host = xstrdup(a->host);
	s->imap = mailimap_new(0, NULL);
	mailimap_set_timeout(s->imap, (time_t)a->timeout);
	rc = imap_session_connect(s, a, port);
	if (rc != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    rc != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		why = xasprintf("connecting to %s port %u", a->host,
		    (unsigned int)port);
		*cause = imap_session_cause(s, rc, why);
		free(why);
		goto fail;
	}
	if (a->tls == ACCOUNT_TLS_STARTTLS) {
		/* A pre-authenticated plain connection can no longer be
		 * upgraded; it is exactly what a downgrade attack looks like. */
		if (rc == MAILIMAP_NO_ERROR_AUTHENTICATED) {
			*cause = xasprintf("%s greeted with PREAUTH before "
			    "STARTTLS; refusing a plain-text session", a->host);
			goto fail;
		}
		if (imap_session_starttls(s, a, cause) != 0)
			goto fail;
	}
	if (a->tls != ACCOUNT_TLS_NONE && imap_session_verify(s, a, cause) != 0)
		goto fail;
	if (rc != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    imap_session_login(s, a, port, cause) != 0)
		goto fail;
	imap_session_read_caps(s);
	if ((s->caps & IMAP_CAP_QRESYNC) &&
	    imap_session_enable_qresync(s, cause) != 0)
		goto fail;
	return s;
fail:
	s->broken = 1;
	imap_session_close(s);
	return NULL;
}

void
imap_session_close(struct imap_session *s)
{
	if (s == NULL)
		return;
	if (s->imap != NULL) {
		if (!s->broken)
			mailimap_logout(s->imap);
		mailimap_free(s->imap);
	}
	free(s->host);
	free(s->selected);
	free(s);
}

static void
imap_session_read_permflags(struct imap_session *s)
{
	struct mailimap_selection_info	*si;
	clistiter			*it;

	s->permflags = 0;
	si = s->imap->imap_selection_info;
	if (si == NULL || si->sel_perm_flags == NULL)
		return;
	for (it = clist_begin(si->sel_perm_flags); it != NULL;
	    it = clist_next(it)) {
		struct mailimap_flag_perm *fp = clist_content(it);

		if (fp->fl_type == MAILIMAP_FLAG_PERM_ALL) {
			s->permflags |= IMAP_PERM_ANY_KEYWORD;
			continue;
		}
		if (fp->fl_flag == NULL)
			continue;
		if (fp->fl_flag->fl_type == MAILIMAP_FLAG_DELETED)
			s->permflags |= IMAP_PERM_DELETED;
		if (fp->fl_flag->fl_type != MAILIMAP_FLAG_KEYWORD)
			continue;
		if (strcasecmp(fp->fl_flag->fl_data.fl_keyword, "$Junk") == 0)
			s->permflags |= IMAP_PERM_JUNK;
		else if (strcasecmp(fp->fl_flag->fl_data.fl_keyword,
		    "$NotJunk") == 0)
			s->permflags |= IMAP_PERM_NOTJUNK;
		else if (strcasecmp(fp->fl_flag->fl_data.fl_keyword,
		    "$Phishing") == 0)
			s->permflags |= IMAP_PERM_PHISHING;
	}
	if (s->permflags & IMAP_PERM_ANY_KEYWORD)
		s->permflags |= IMAP_PERM_JUNK | IMAP_PERM_NOTJUNK |
		    IMAP_PERM_PHISHING;
}

int
imap_session_select(struct imap_session *s, const char *mailbox, char **cause)
{
	char		*wire, *why = NULL;
	uint64_t	 modseq = 0;
	int		 rc;

	if ((wire = imap_utf7_encode(mailbox, &why)) == NULL) {
		*cause = xasprintf("mailbox name %s: %s", mailbox, why);
		free(why);
		return -1;
	}
	if (s->caps & IMAP_CAP_CONDSTORE)
		rc = mailimap_select_condstore(s->imap, wire, &modseq);
	else
		rc = mailimap_select(s->imap, wire);
	free(wire);
	free(s->selected);
	s->selected = NULL;
	if (rc != MAILIMAP_NO_ERROR) {
		why = xasprintf("selecting %s", mailbox);
		*cause = imap_session_cause(s, rc, why);
		free(why);
		return -1;
	}
	s->selected = xstrdup(mailbox);
	s->uidvalidity = s->imap->imap_selection_info->sel_uidvalidity;
	s->uidnext = s->imap->imap_selection_info->sel_uidnext;
	s->exists = s->imap->imap_selection_info->sel_exists;
	s->highestmodseq = modseq;
	imap_session_read_permflags(s);
	return 0;
}
