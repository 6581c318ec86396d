/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: IMAP responses through the path sagi takes.  The input is
 * everything a server says on one connection; a thread serves it on a
 * 127.0.0.1 socket (write it all, then end its side and swallow what the
 * client sends), and the client side is the real one: store_open_imap
 * (imap_session_open: greeting, CAPABILITY, LOGIN; then SELECT),
 * store_list (UID SEARCH, FETCH of flags and headers), store_junk_folder
 * (LIST), store_classify (body fetches), store_junk (MOVE or COPY,
 * STORE, EXPUNGE), store_mark_not_junk and the logout.  libetpan does not
 * check tags, so an input is simply the server's side of a transcript.
 * Plain text: TLS itself is not what is fuzzed here, only the STARTTLS
 * negotiation (see the 0x01 switch below; 0x02 lists as sagi scan does).  The server ends its side
 * after the input, so the client meets end of stream rather than a stall.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "conf.h"
#include "fuzz/fuzz.h"
#include "store.h"

/* Seconds a server thread waits for the client before giving up. */
#define FUZZ_IMAP_WAIT	10

static int		 fuzz_imap_listen_fd = -1;
static unsigned int	 fuzz_imap_port;
static struct analyzer	*fuzz_imap_analyzer;
/*
 * Recording seeds (fuzz/record-imap.py): with FUZZ_IMAP_RECORD_PORT set,
 * the client goes to that port (a relay to a real server that keeps what
 * the server says) with FUZZ_IMAP_USER and the first line of
 * FUZZ_IMAP_PASSWORD_FILE, and no input is served: the transcript then
 * follows this client's commands exactly.
 */
static int		 fuzz_imap_recording;

/*
 * LeakSanitizer reads this hook (libFuzzer and --enable-sanitizers alike).
 * libetpan 1.9.4 leaks the greeting when a server greets with "* BYE":
 * mailimap_parse_greeting returns MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION
 * without freeing it, 84 bytes per refused connection, and sagi never gets
 * hold of it.  libetpan has no frame pointers, so the stacks stop at the
 * allocator: the greeting's two constructors are named, and what hangs off
 * them is suppressed with them.
 */
const char	*__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:mailimap_greeting_new\n"
	    "leak:mailimap_resp_cond_bye_new\n"
	    /*
	     * A FETCH response whose BODY[TEXT] is cut short: the parser
	     * drops the section it built (found by fuzz-imap, corpus file
	     * leak-section).  sagi's own sections hang off a fetch type it
	     * frees, so a leak of sagi's would still show as that type.
	     */
	    "leak:mailimap_section_spec_new\n"
	    "leak:mailimap_section_msgtext_new\n";
}

struct fuzz_imap_serve {
	const uint8_t	*data;
	size_t		 size;
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof sin;
	char			*cause = NULL;

	(void)argc;
	(void)argv;
	/* The client may write after the server is gone. */
	signal(SIGPIPE, SIG_IGN);
	if (getenv("FUZZ_IMAP_RECORD_PORT") != NULL) {
		fuzz_imap_port = (unsigned int)atoi(
		    getenv("FUZZ_IMAP_RECORD_PORT"));
		fuzz_imap_recording = 1;
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fuzz_imap_listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fuzz_imap_listen_fd == -1 ||
	    bind(fuzz_imap_listen_fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(fuzz_imap_listen_fd, 4) != 0 ||
	    getsockname(fuzz_imap_listen_fd, (struct sockaddr *)&sin,
	    &slen) != 0) {
		perror("fuzz-imap: 127.0.0.1");
		exit(1);
	}
	if (!fuzz_imap_recording)
		fuzz_imap_port = ntohs(sin.sin_port);
	/* No rules: the engine is fuzzed by fuzz-msg; this one is about
	 * what the server says. */
	fuzz_imap_analyzer = analyzer_new(ruleset_new(), NULL, &cause);
	if (fuzz_imap_analyzer == NULL) {
		fprintf(stderr, "fuzz-imap: %s\n", cause);
		exit(1);
	}
	return 0;
}

static int
fuzz_imap_wait(int fd, short events)
{
	struct pollfd	pfd;
	int		rc;

	pfd.fd = fd;
	pfd.events = events;
	do
		rc = poll(&pfd, 1, FUZZ_IMAP_WAIT * 1000);
	while (rc == -1 && errno == EINTR);
	return rc == 1 ? 0 : -1;
}

static void *
fuzz_imap_server(void *arg)
{
	struct fuzz_imap_serve	*sv = arg;
	char			 sink[4096];
	size_t			 off = 0;
	ssize_t			 n;
	int			 fd;

	if (fuzz_imap_wait(fuzz_imap_listen_fd, POLLIN) != 0)
		return NULL;
	if ((fd = accept(fuzz_imap_listen_fd, NULL, NULL)) == -1)
		return NULL;
	while (off < sv->size) {
		if (fuzz_imap_wait(fd, POLLOUT) != 0)
			break;
		n = write(fd, sv->data + off, sv->size - off);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			break;
		}
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	/* Read until the client closes, so that closing here sends no
	 * reset that could drop responses it has not read yet. */
	while (fuzz_imap_wait(fd, POLLIN) == 0 &&
	    (n = read(fd, sink, sizeof sink)) != 0) {
		if (n == -1 && errno != EINTR)
			break;
	}
	close(fd);
	return NULL;
}

static void
fuzz_imap_client(int starttls, int lean)
{
	struct store_move_report	 rep;
	struct store_opts		 o;
	struct store_entry		*e;
	struct account			 a;
	struct store			*st;
	uint32_t			 uids[3];
	char				*cause = NULL, *data;
	size_t				 i, n, len;

	account_init(&a);
	a.name = xstrdup("fuzz");
	a.host = xstrdup("127.0.0.1");
	a.port = fuzz_imap_port;
	if (starttls)
		a.tls = ACCOUNT_TLS_STARTTLS;
	else {
		a.tls = ACCOUNT_TLS_NONE;
		a.allow_plaintext = 1;
	}
	a.user = xstrdup("user");
	a.password = xstrdup("secret");
	if (fuzz_imap_recording) {
		const char	*u = getenv("FUZZ_IMAP_USER");
		const char	*pf = getenv("FUZZ_IMAP_PASSWORD_FILE");
		char		 pw[256] = "";
		FILE		*fp;

		if (u != NULL) {
			free(a.user);
			a.user = xstrdup(u);
		}
		if (pf != NULL && (fp = fopen(pf, "r")) != NULL) {
			if (fgets(pw, sizeof pw, fp) != NULL)
				pw[strcspn(pw, "\r\n")] = '\0';
			fclose(fp);
			free(a.password);
			a.password = xstrdup(pw);
		}
	}
	a.timeout = FUZZ_IMAP_WAIT;
	memset(&o, 0, sizeof o);
	o.jobs = 1;
	o.fields_from_bodies = lean;
	st = store_open_imap(&a, NULL, &o, &cause);
	account_clear(&a);
	if (st == NULL) {
		free(cause);
		return;
	}
	if (store_list(st, &cause) != 0) {
		free(cause);
		goto done;
	}
	/* Every call gets cause NULL: store-imap.c reads *cause on entry. */
	cause = NULL;
	if (store_junk_folder(st, &cause) == NULL)
		free(cause);
	cause = NULL;
	if (store_classify(st, fuzz_imap_analyzer, &cause) != 0) {
		free(cause);
		goto done;
	}
	n = store_count(st);
	for (i = 0; i < n && i < sizeof uids / sizeof uids[0]; i++) {
		e = store_entry_at(st, i);
		uids[i] = e->uid;
	}
	if (n != 0) {
		if (store_fetch(st, uids[0], &data, &len, &cause) == 0)
			free(data);
		else
			free(cause);
		cause = NULL;
		memset(&rep, 0, sizeof rep);
		if (store_junk(st, uids, i, &rep, &cause) != 0)
			free(cause);
		store_move_report_clear(&rep);
		/* After the junk, so that recorded transcripts stay in step. */
		cause = NULL;
		if (store_mark_not_junk(st, uids[0], &cause) != 0)
			free(cause);
	}
	/* Listed again with the cache of the first listing: a server with
	 * CONDSTORE or QRESYNC is asked what changed (VANISHED). */
	cause = NULL;
	if (store_list(st, &cause) != 0)
		free(cause);
done:
	store_close(st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_imap_serve	sv;
	pthread_t		t;
	int			starttls = 0, lean = 0;

	if (fuzz_imap_listen_fd == -1)
		LLVMFuzzerInitialize(NULL, NULL);
	/* A leading 0x01 byte (not sent): the client asks for STARTTLS, so
	 * the refusal and injection checks run; the handshake then meets
	 * the rest of the input and fails. */
	if (size > 0 && data[0] == 0x01) {
		starttls = 1;
		data++;
		size--;
	}
	/* A leading 0x02 (not sent): the listing is sagi scan's, flags and
	 * sizes only, and the list fields come from the bodies. */
	if (size > 0 && data[0] == 0x02) {
		lean = 1;
		data++;
		size--;
	}
	if (fuzz_imap_recording) {
		fuzz_imap_client(0, lean);
		return 0;
	}
	sv.data = data;
	sv.size = size;
	if (pthread_create(&t, NULL, fuzz_imap_server, &sv) != 0)
		abort();
	fuzz_imap_client(starttls, lean);
	pthread_join(t, NULL);
	return 0;
}
