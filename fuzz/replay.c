/* SPDX-License-Identifier: ISC */
/*
 * Runs a fuzz target's LLVMFuzzerTestOneInput over saved inputs, without
 * libFuzzer: every file named, and every regular file in every directory
 * named (not recursively).  This is how make check replays the corpora
 * and the crash inputs with gcc.  Prints one line per input with -v.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

/* Targets without setup do not define it; weak so that both link. */
#pragma weak LLVMFuzzerInitialize

static int	replay_verbose;

static int
replay_file(const char *path, size_t *count)
{
	FILE	*f;
	uint8_t	*data;
	long	 size;
	size_t	 got;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: %s: cannot size\n", path);
		fclose(f);
		return -1;
	}
	/* Exactly size bytes, as libFuzzer gives them, so overreads show. */
	data = malloc(size != 0 ? (size_t)size : 1);
	if (data == NULL) {
		fclose(f);
		return -1;
	}
	got = fread(data, 1, (size_t)size, f);
	fclose(f);
	if (got != (size_t)size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		free(data);
		return -1;
	}
	if (replay_verbose)
		fprintf(stderr, "replay: %s (%ld bytes)\n", path, size);
	LLVMFuzzerTestOneInput(data, (size_t)size);
	free(data);
	(*count)++;
	return 0;
}

static int
replay_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
replay_path(const char *path, size_t *count)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*dir;
	char		**names = NULL;
	size_t		 n = 0, cap = 0, i;
	int		 rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, count);
	if ((dir = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 64;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[n++] = xasprintf("%s/%s", path, de->d_name);
	}
	closedir(dir);
	/* Name order, so a failure is reproducible from the log. */
	if (n != 0)
		qsort(names, n, sizeof *names, replay_name_cmp);
	for (i = 0; i < n; i++) {
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    replay_file(names[i], count) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t	count = 0;
	int	i, rc = 0;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		replay_verbose = 1;
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s [-v] file|directory...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (replay_path(argv[i], &count) != 0)
			rc = 1;
	}
	printf("replayed %zu inputs\n", count);
	return rc;
}
