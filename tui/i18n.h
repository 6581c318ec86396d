/* SPDX-License-Identifier: ISC */
/*
 * UI strings go through gettext (po/ja.po); explanations of verdicts come
 * translated from the rule packs instead.  N_() marks strings kept in
 * tables and translated where they are shown.
 */
#ifndef I18N_H
#define I18N_H

#include <libintl.h>

#define _(s)	gettext(s)
#define N_(s)	(s)

#endif
