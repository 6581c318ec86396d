/* SPDX-License-Identifier: ISC */
/*
 * JSON written straight into a buffer, for JSON Lines: one object per
 * line, strings as valid UTF-8 (an invalid byte becomes U+FFFD) with
 * RFC 8259's escapes.  A scan of 10,000 cached messages spent 70% of its
 * time in json-c building and hashing a tree for each line; this writes
 * the same text in one pass.  json-c stays the oracle that
 * tests/unit/test-jsonl.c parses the output back with.
 */
#ifndef JSONL_H
#define JSONL_H

#include <stdint.h>

#include "buf.h"

/* Deepest nesting (sagi writes four levels); deeper aborts. */
#define JSONL_DEPTH	8

struct jsonl {
	struct buf	*b;		/* borrowed: where the text goes */
	unsigned int	 depth;		/* open objects and arrays */
	unsigned char	 more[JSONL_DEPTH];	/* a member went before */
	char		 close[JSONL_DEPTH];	/* '}' or ']' */
};

/* Starts an object in b: "{". */
void	jsonl_begin(struct jsonl *j, struct buf *b);
/* Closes what jsonl_begin opened, and ends the line: "}\n". */
void	jsonl_end(struct jsonl *j);

/*
 * Members of the innermost object (key NULL: elements of an array).  A
 * key is a literal of the caller's, written as it is.
 */
void	jsonl_str(struct jsonl *j, const char *key, const char *val);
void	jsonl_int(struct jsonl *j, const char *key, long long val);
void	jsonl_bool(struct jsonl *j, const char *key, int val);
/* A number with one decimal, as sagi shows scores ("12.5"). */
void	jsonl_score(struct jsonl *j, const char *key, double val);
/* Opens an object or an array as a member (or element); jsonl_close
 * closes the innermost one. */
void	jsonl_object(struct jsonl *j, const char *key);
void	jsonl_array(struct jsonl *j, const char *key);
void	jsonl_close(struct jsonl *j);

/* s as a JSON string, quotes included. */
void	jsonl_quote(struct buf *b, const char *s);

#endif
