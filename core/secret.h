/* SPDX-License-Identifier: ISC */
/*
 * Runs the command that prints a password or token (password_cmd,
 * oauth2_token_cmd) and returns the first line of its output.  Knows
 * nothing of accounts or of what the secret is for.
 */
#ifndef SECRET_H
#define SECRET_H

/*
 * Runs cmd through /bin/sh -c with stdin from /dev/null, captures stdout,
 * returns its first line (without the newline, or CR LF) as an owned string
 * (release with secret_free), or NULL with *cause set (owned).  The child
 * gets our environment and stderr, default signal handling, no other file
 * descriptors, and its own process group.  Waits at most timeout seconds
 * (0 means 30) for the output to end and the command to exit, then kills
 * the process group and reaps the command.  Output beyond 64 KiB is drained
 * and discarded.  The cause never holds the output (it is a secret) nor the
 * command; callers prefix it with what they ran: "exited with status 3",
 * "produced no output", "timed out after 30 s", "could not be run: …".
 * Safe to call from several threads at once; changes no signal disposition.
 */
char	*secret_run(const char *cmd, unsigned int timeout, char **cause);
/* Wipes then frees a secret; accepts NULL. */
void	 secret_free(char *secret);

#endif
