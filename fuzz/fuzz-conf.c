/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: the account configuration parser (core/conf.c) through
 * conf_load itself, so the checks on the file go with it.  The input is
 * written to one private temporary file, rewritten per input.  Each
 * account loaded then goes through account_check and account_copy, and a
 * short first line is also tried as an imap:// URL.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "diag.h"
#include "fuzz/fuzz.h"

static char	*fuzz_conf_path;
static int	 fuzz_conf_fd = -1;

static void
fuzz_conf_cleanup(void)
{
	if (fuzz_conf_path != NULL)
		unlink(fuzz_conf_path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*tmp;

	(void)argc;
	(void)argv;
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	fuzz_conf_path = xasprintf("%s/sagi-fuzz-conf.XXXXXX", tmp);
	/* mkstemp makes it 0600, which conf_load wants. */
	if ((fuzz_conf_fd = mkstemp(fuzz_conf_path)) == -1) {
		perror(fuzz_conf_path);
		exit(1);
	}
	atexit(fuzz_conf_cleanup);
	return 0;
}

static void
fuzz_conf_url(const uint8_t *data, size_t size)
{
	struct account	 a;
	const uint8_t	*nl;
	char		*url, *folder = NULL, *cause = NULL;

	nl = memchr(data, '\n', size);
	url = fuzz_strndup(data, nl != NULL ? (size_t)(nl - data) : size);
	account_init(&a);
	if (account_from_url(url, &a, &folder, &cause) == 0) {
		free(folder);
		if (account_check(&a, &cause) != 0)
			free(cause);
	} else
		free(cause);
	account_clear(&a);
	free(url);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct account		 copy;
	struct conf		*c;
	struct diag		*d;
	char			*cause, *fp;
	size_t			 i;

	if (fuzz_conf_fd == -1)
		LLVMFuzzerInitialize(NULL, NULL);
	if (ftruncate(fuzz_conf_fd, 0) != 0 ||
	    pwrite(fuzz_conf_fd, data, size, 0) != (ssize_t)size) {
		perror(fuzz_conf_path);
		exit(1);
	}
	d = diag_new();
	c = conf_load(fuzz_conf_path, d);
	for (i = 0; i < c->naccounts; i++) {
		cause = NULL;
		if (account_check(&c->accounts[i], &cause) != 0)
			free(cause);
		account_init(&copy);
		account_copy(&copy, &c->accounts[i]);
		if (copy.user != NULL)
			account_trusts_sender(&copy, copy.user);
		account_clear(&copy);
		if (c->accounts[i].tls_fingerprint != NULL) {
			/* Stored normalised, so normalising is a no-op. */
			fp = conf_fingerprint_normalise(
			    c->accounts[i].tls_fingerprint);
			if (fp == NULL ||
			    strcmp(fp, c->accounts[i].tls_fingerprint) != 0)
				abort();
			free(fp);
		}
	}
	conf_account(c, NULL);
	conf_free(c);
	diag_free(d);
	if (size < 512)
		fuzz_conf_url(data, size);
	return 0;
}
