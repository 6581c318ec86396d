/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: html_extract (libxml2's HTML parser under sagi's walk) and
 * html_meta_charset.  An input starting with 0x01 runs with tiny limits,
 * so that the truncation paths are fuzzed too.
 */
#include "config.h"

#include <stdlib.h>

#include "fuzz/fuzz.h"
#include "html.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	html_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct html_limits	 tiny = { 64, 3, 2 };
	const struct html_limits	*lim = NULL;
	struct html_doc			*doc;
	char				*cs;
	size_t				 i, n = 0;

	if (size > 0 && data[0] == 0x01) {
		lim = &tiny;
		data++;
		size--;
	}
	doc = html_extract((const char *)data, size, lim);
	/* Every string the callers read must be there and terminated. */
	n += strlen(doc->text) + strlen(doc->quoted);
	for (i = 0; i < doc->nlinks; i++) {
		n += strlen(doc->links[i].href) + strlen(doc->links[i].text);
		/* Offsets index the text or, for a quoted link, the quote. */
		if (doc->links[i].text_off > (doc->links[i].quoted ?
		    doc->quoted_len : doc->text_len))
			abort();
	}
	for (i = 0; i < doc->nforms; i++)
		n += strlen(doc->forms[i]);
	for (i = 0; i < doc->nfonts; i++)
		n += strlen(doc->fonts[i]);
	for (i = 0; i < doc->nimages; i++)
		n += strlen(doc->images[i]);
	if (strlen(doc->text) > doc->text_len ||
	    strlen(doc->quoted) > doc->quoted_len)
		abort();
	html_doc_free(doc);
	cs = html_meta_charset((const char *)data, size);
	free(cs);
	fuzz_keep(n);
	return 0;
}
