/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for core/secret.c: first line of a command's output, errors
 * that never show the output, the timeout (process group killed, nothing
 * left unreaped), descriptors and signals the command starts with, threads.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sagi.h"
#include "secret.h"

#include "t.h"

/* clang-format off */
static const struct {
	const char	*cmd;
	const char	*want;		/* NULL: an error is expected */
	const char	*cause;		/* substring of the cause */
} cases[] = {
	{ "echo hunter2",			"hunter2", NULL },
	{ "printf 'first\\nsecond\\n'",		"first", NULL },
	{ "printf 'pw with spaces\\r\\n'",	"pw with spaces", NULL },
	{ "printf 'no-newline'",		"no-newline", NULL },
	{ "echo to-stderr >&2; echo ok",	"ok", NULL },
	{ "cat",				NULL, "produced no output" },
	{ "true",				NULL, "produced no output" },
	{ "echo; echo second",			NULL, "first line of output is empty" },
	{ "echo hunter2-leak; exit 3",		NULL, "exited with status 3" },
	{ "sagi-no-such-command-here 2>/dev/null", NULL, "exited with status 127" },
	{ "kill -9 $$",				NULL, "killed by signal 9" },
	{ "printf 'a\\000b\\n'",		NULL, "NUL byte" },
	/* 1 MB after the first line: drained, no hang */
	{ "echo first; head -c 1048576 /dev/zero", "first", NULL },
	{ "echo first; head -c 1048576 /dev/zero | tr '\\000' x", "first", NULL },
	/* no newline within the 64 KiB kept */
	{ "head -c 1048576 /dev/zero | tr '\\000' x", NULL, "longer than 64 KiB" },
};
/* clang-format on */

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1 when no child of ours is left, not even a zombie. */
static int
no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

/* 1 when pid is gone or a zombie (killed, not yet reaped by init). */
static int
pid_dead(long pid)
{
	char	 path[64], buf[256], *p;
	FILE	*f;
	int	 i, dead = 0;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	for (i = 0; i < 100 && !dead; i++) {
		if ((f = fopen(path, "r")) == NULL)
			return 1;
		p = fgets(buf, sizeof buf, f);
		fclose(f);
		if (p != NULL && (p = strrchr(buf, ')')) != NULL &&
		    (p[2] == 'Z' || p[2] == 'X'))
			dead = 1;
		else
			usleep(10000);
	}
	return dead;
}

/*
 * Runs cmd (which would run 10 s) expecting the timeout of 1 s: it ended
 * after 1 s and before the command's own end.  What this judges is which
 * of the two ended it, not how fast anything is.
 */
static void
check_timeout(const char *cmd, const char *what)
{
	char	*s, *cause = NULL;
	double	 t0 = now(), took;

	s = secret_run(cmd, 1, &cause);
	took = now() - t0;
	t_ok(s == NULL && cause != NULL &&
	    strcmp(cause, "timed out after 1 s") == 0, "%s: times out (%s)",
	    what, cause != NULL ? cause : "no cause");
	t_ok(took >= 0.9 && took < 9.0, "%s: after %.2f s", what, took);
	t_ok(no_children(), "%s: no child left unreaped", what);
	secret_free(s);
	free(cause);
}

/* The hex signal mask of line name in the command's /proc status. */
static unsigned long long
child_mask(const char *name)
{
	char			 cmd[128], *s, *cause = NULL;
	unsigned long long	 v = ~0ULL;

	/* exec: a shell blocks every signal for a moment while it forks. */
	snprintf(cmd, sizeof cmd,
	    "exec sed -n 's/^%s:[[:space:]]*//p' /proc/self/status", name);
	if ((s = secret_run(cmd, 5, &cause)) != NULL)
		v = strtoull(s, NULL, 16);
	secret_free(s);
	free(cause);
	return v;
}

static void *
thread_main(void *arg)
{
	char	 cmd[64], want[64], *s, *cause = NULL;
	long	 n = (long)(size_t)arg;
	int	 i, bad = 0;

	for (i = 0; i < 5; i++) {
		snprintf(cmd, sizeof cmd, "echo thread-%ld-%d", n, i);
		snprintf(want, sizeof want, "thread-%ld-%d", n, i);
		s = secret_run(cmd, 10, &cause);
		if (s == NULL || strcmp(s, want) != 0)
			bad++;
		secret_free(s);
		free(cause);
		cause = NULL;
	}
	return (void *)(size_t)bad;
}

int
main(void)
{
	char		 dir[] = "/tmp/sagi-test-secret.XXXXXX", p[512];
	char		 cmd[1024], *s, *cause = NULL;
	size_t		 i;
	long		 pid = 0;
	int		 fd, bad;
	FILE		*f;
	pthread_t	 th[4];
	void		*res;
	sigset_t	 set, old;
	struct sigaction sa, osa;

	if (mkdtemp(dir) == NULL)
		return 99;

	/* NULL and degenerate inputs. */
	secret_free(NULL);
	t_ok(secret_run(NULL, 5, &cause) == NULL && cause != NULL,
	    "NULL command is an error");
	free(cause);
	cause = NULL;
	t_ok(secret_run("", 5, &cause) == NULL && cause != NULL,
	    "empty command is an error");
	free(cause);
	cause = NULL;
	s = secret_run("echo zero", 0, &cause);
	t_str_eq(s, "zero", "timeout 0 means the default");
	secret_free(s);

	for (i = 0; i < SAGI_NITEMS(cases); i++) {
		cause = NULL;
		s = secret_run(cases[i].cmd, 10, &cause);
		if (cases[i].want != NULL) {
			t_str_eq(s, cases[i].want, "[%zu] %s", i, cases[i].cmd);
			t_ok(cause == NULL, "[%zu] no cause on success", i);
		} else {
			t_ok(s == NULL && cause != NULL &&
			    strstr(cause, cases[i].cause) != NULL,
			    "[%zu] %s: cause \"%s\"", i, cases[i].cmd,
			    cause != NULL ? cause : "(none)");
			t_ok(cause == NULL ||
			    (strstr(cause, "hunter2") == NULL &&
			    strstr(cause, "xxxx") == NULL &&
			    strstr(cause, cases[i].cmd) == NULL),
			    "[%zu] cause shows neither output nor command", i);
		}
		secret_free(s);
		free(cause);
	}
	t_ok(no_children(), "no zombies after the table");

	/* Timeouts. */
	check_timeout("sleep 10", "sleep 10");
	check_timeout("exec >&-; sleep 10", "closed stdout, still running");
	check_timeout("echo early; exec >&-; sleep 10",
	    "output, closed stdout, still running");
	check_timeout("sleep 10 & echo pw", "a helper holds stdout");

	/* The timeout kills the whole process group, helpers too. */
	snprintf(p, sizeof p, "%s/helper.pid", dir);
	snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > '%s'; wait", p);
	check_timeout(cmd, "helper in the background");
	if ((f = fopen(p, "r")) != NULL) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	t_ok(pid > 0 && pid_dead(pid), "the helper (pid %ld) was killed", pid);

	/* A descriptor of ours without close-on-exec does not leak. */
	fd = open("/dev/null", O_RDONLY);
	snprintf(cmd, sizeof cmd, "if [ -e /proc/$$/fd/%d ]; then echo leaked; "
	    "else echo closed; fi", fd);
	s = secret_run(cmd, 10, &cause);
	t_str_eq(s, "closed", "fd %d is closed in the command", fd);
	secret_free(s);
	close(fd);

	/* Ignored and blocked signals are reset for the command, and ours are
	 * left as they were. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &osa);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	t_int_eq(child_mask("SigIgn") & (1ULL << (SIGPIPE - 1)), 0,
	    "SIGPIPE not ignored in the command");
	t_int_eq(child_mask("SigBlk"), 0, "no signal blocked in the command");
	sigaction(SIGPIPE, NULL, &sa);
	t_ok(sa.sa_handler == SIG_IGN, "our SIGPIPE disposition is untouched");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGPIPE, &osa, NULL);

	/* Several threads at once. */
	for (i = 0; i < SAGI_NITEMS(th); i++)
		pthread_create(&th[i], NULL, thread_main, (void *)i);
	bad = 0;
	for (i = 0; i < SAGI_NITEMS(th); i++) {
		pthread_join(th[i], &res);
		bad += (int)(size_t)res;
	}
	t_int_eq(bad, 0, "four threads, five commands each");
	t_ok(no_children(), "no zombies at the end");

	snprintf(p, sizeof p, "rm -rf '%s'", dir);
	if (system(p) != 0)
		return 99;
	return t_done();
}
