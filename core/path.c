/* SPDX-License-Identifier: ISC */
/* mkdir -p with private modes, and the checks that follow it. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"
#include "xalloc.h"

int
path_mkdirs(const char *dir, char **cause)
{
	char		*p, *s, c;
	struct stat	 st;

	p = xstrdup(dir);
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		if (s[-1] != '/') {
			c = *s;
			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				*cause = xasprintf("%s: %s", p,
				    strerror(errno));
				free(p);
				return -1;
			}
			*s = c;
		}
		if (*s == '\0')
			break;
	}
	free(p);
	if (stat(dir, &st) != 0) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		*cause = xasprintf("%s: not a directory", dir);
		return -1;
	}
	if (access(dir, R_OK | W_OK | X_OK) != 0) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int
path_mkdirs_parent(const char *path, char **cause)
{
	char	*p, *slash;
	int	 rc;

	p = xstrdup(path);
	slash = strrchr(p, '/');
	if (slash == NULL || slash == p) {
		free(p);
		return 0;
	}
	*slash = '\0';
	rc = path_mkdirs(p, cause);
	free(p);
	return rc;
}
