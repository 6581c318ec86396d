/* SPDX-License-Identifier: ISC */
/*
 * Small file-system helpers shared by the cache, the journal and the
 * config writer.  Knows nothing of mail.
 */
#ifndef PATH_H
#define PATH_H

/*
 * mkdir -p of dir; directories it creates get mode 0700 (they hold mail
 * metadata).  Returns 0 when dir is a directory we can use, or -1 and
 * *cause (owned).
 */
int	path_mkdirs(const char *dir, char **cause);
/* path_mkdirs of the directory part of path ("a/b/file" → "a/b"). */
int	path_mkdirs_parent(const char *path, char **cause);

#endif
