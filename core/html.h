/* SPDX-License-Identifier: ISC */
/*
 * Extracts what a reader sees and what a detector needs from an HTML part,
 * through libxml2's HTML parser (never regex tag stripping): visible text,
 * every link with its href and visible text, forms, font faces, images.
 * Input is already UTF-8; charset work happened before.
 */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

struct html_link {
	char	*href;		/* attribute as written (entity-decoded, trimmed) */
	char	*text;		/* visible text inside <a>, whitespace collapsed; img alt if no text */
	size_t	 text_off;	/* byte offset in html_doc.text where the link text begins */
	int	 quoted;	/* inside <blockquote>, .gmail_quote or type=cite */
};

struct html_limits {
	size_t	 max_text;	/* bytes of text kept (rest dropped, truncated set) */
	size_t	 max_links;	/* links kept */
	size_t	 max_items;	/* fonts, forms, images kept each */
};

struct html_doc {
	char			*text;		/* visible text outside quotes; blocks end in '\n' */
	size_t			 text_len;
	char			*quoted;	/* visible text inside quotes */
	size_t			 quoted_len;
	struct html_link	*links;
	size_t			 nlinks;
	char			**forms;	/* action of each <form> ("" when none) */
	size_t			 nforms;
	char			**fonts;	/* <font face>, font-family in style attrs and <style> */
	size_t			 nfonts;
	char			**images;	/* <img src> */
	size_t			 nimages;
	int			 truncated;	/* a limit was hit */
};

/*
 * Parses len bytes of UTF-8 HTML.  Script, style, head and comments are not
 * visible text; <br>, <p>, <div>, <tr>, <li> and headings break lines;
 * entities are decoded.  Never fails: broken HTML gives what could be
 * recovered.  lim may be NULL for defaults.  Owned result.
 */
struct html_doc	*html_extract(const char *utf8, size_t len,
		    const struct html_limits *lim);
void		 html_doc_free(struct html_doc *doc);

/* Initialises the HTML parser's global state; call once before
 * html_extract runs on several threads.  Idempotent. */
void		 html_init(void);

/* Charset named by <meta charset> or <meta http-equiv content="…charset=">
 * in the first bytes, owned and lower-case; NULL when none. */
char		*html_meta_charset(const char *bytes, size_t len);

#endif
