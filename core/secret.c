/* SPDX-License-Identifier: ISC */
/*
 * Runs a password or token command with posix_spawn (safe in a threaded
 * process, unlike fork followed by anything but exec) and reads the first
 * line of its output under a deadline.  Every buffer that held output is
 * wiped before it is freed.  Knows nothing of accounts.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "secret.h"
#include "xalloc.h"

#define SECRET_MAX_OUTPUT	(64u << 10)
#define SECRET_DEFAULT_TIMEOUT	30u

extern char **environ;

static long long
secret_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Moves fd above 2: when our stdin or stdout is closed, pipe2 may hand out
 * 0 or 1, and dup2 onto the same number would keep close-on-exec set. */
static int
secret_high_fd(int fd)
{
	int	 nfd;

	if (fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

/* Starts /bin/sh -c cmd with stdout on out_fd; returns 0 or an errno. */
static int
secret_spawn(const char *cmd, int out_fd, pid_t *pid_out)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 all, none;
	char				*argv[4];
	int				 rc;

	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)cmd;
	argv[3] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	/* Descriptors opened without O_CLOEXEC (sockets of other threads,
	 * libraries') must not reach the command. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	posix_spawnattr_init(&attr);
	/* Our caller may ignore SIGPIPE or block signals; the command should
	 * start as from a shell.  Its own group lets a timeout kill helpers. */
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(pid_out, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/*
 * Reads fd until end of file or the deadline into buf (at most cap bytes,
 * the rest discarded).  Returns 0 at end of file, -1 at the deadline.
 */
static int
secret_read(int fd, long long deadline, char *buf, size_t cap,
    size_t *len_out)
{
	struct pollfd	 pfd;
	char		 scratch[4096];
	size_t		 len = 0;
	long long	 left;
	ssize_t		 n;
	int		 rc = -1;

	for (;;) {
		if ((left = deadline - secret_now_ms()) <= 0)
			break;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n == 0 || (n < 0 && errno == EINTR))
			continue;	/* the deadline is checked above */
		if (n < 0) {
			rc = 0;		/* treated as the end of the output */
			break;
		}
		if (len < cap)
			n = read(fd, buf + len, cap - len);
		else
			n = read(fd, scratch, sizeof scratch);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			rc = 0;
			break;
		}
		if (len < cap)
			len += (size_t)n;
	}
	explicit_bzero(scratch, sizeof scratch);
	*len_out = len;
	return rc;
}

/* Waits for pid until the deadline.  Returns 1 with *status, 0 at the
 * deadline, -1 when the status is lost (someone else reaped it). */
static int
secret_wait(pid_t pid, long long deadline, int *status)
{
	struct timespec	 ts;
	long long	 left, step = 1;
	pid_t		 r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 1;
		if (r == -1 && errno != EINTR)
			return -1;
		if ((left = deadline - secret_now_ms()) <= 0)
			return 0;
		if (step > left)
			step = left;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)step * 1000000;
		nanosleep(&ts, NULL);
		if (step < 50)
			step *= 2;
	}
}

char *
secret_run(const char *cmd, unsigned int timeout, char **cause)
{
	char		*buf, *out = NULL, *nl;
	size_t		 len = 0, ll;
	long long	 deadline;
	pid_t		 pid;
	int		 p[2], rc, status = 0, waited;

	if (cmd == NULL || *cmd == '\0') {
		*cause = xstrdup("no command");
		return NULL;
	}
	if (timeout == 0)
		timeout = SECRET_DEFAULT_TIMEOUT;
	if (pipe2(p, O_CLOEXEC) != 0) {
		*cause = xasprintf("could not be run: %s", strerror(errno));
		return NULL;
	}
	p[0] = secret_high_fd(p[0]);
	p[1] = secret_high_fd(p[1]);
	if (p[0] == -1 || p[1] == -1) {
		*cause = xasprintf("could not be run: %s", strerror(errno));
		if (p[0] != -1)
			close(p[0]);
		if (p[1] != -1)
			close(p[1]);
		return NULL;
	}
	rc = secret_spawn(cmd, p[1], &pid);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		*cause = xasprintf("could not be run: %s", strerror(rc));
		return NULL;
	}

	/*
	 * The command is reaped only after its output ended (or at the
	 * deadline), so until then its pid stays reserved and killing its
	 * process group cannot hit an unrelated process.
	 */
	deadline = secret_now_ms() + (long long)timeout * 1000;
	buf = xmalloc(SECRET_MAX_OUTPUT + 1);
	if (secret_read(p[0], deadline, buf, SECRET_MAX_OUTPUT, &len) == 0)
		waited = secret_wait(pid, deadline, &status);
	else
		waited = 0;
	close(p[0]);
	if (waited == 0) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		*cause = xasprintf("timed out after %u s", timeout);
		goto out;
	}
	if (waited == -1) {
		*cause = xstrdup("exit status lost (is SIGCHLD ignored?)");
		goto out;
	}
	if (WIFSIGNALED(status)) {
		*cause = xasprintf("killed by signal %d", WTERMSIG(status));
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*cause = xasprintf("exited with status %d",
		    WEXITSTATUS(status));
		goto out;
	}
	if (len == 0) {
		*cause = xstrdup("produced no output");
		goto out;
	}
	if ((nl = memchr(buf, '\n', len)) != NULL)
		ll = (size_t)(nl - buf);
	else if (len == SECRET_MAX_OUTPUT) {
		*cause = xasprintf("first line of output longer than %u KiB",
		    SECRET_MAX_OUTPUT >> 10);
		goto out;
	} else
		ll = len;
	if (ll > 0 && buf[ll - 1] == '\r')
		ll--;
	if (ll == 0) {
		*cause = xstrdup("first line of output is empty");
		goto out;
	}
	if (memchr(buf, '\0', ll) != NULL) {
		*cause = xstrdup("output has a NUL byte");
		goto out;
	}
	out = xmalloc(ll + 1);
	memcpy(out, buf, ll);
	out[ll] = '\0';

out:
	explicit_bzero(buf, SECRET_MAX_OUTPUT + 1);
	free(buf);
	return out;
}

void
secret_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}
