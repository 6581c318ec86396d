/* SPDX-License-Identifier: ISC */
/* What the terminal sends, as sagi key codes (keyname.h). */
#ifndef INPUT_H
#define INPUT_H

#include "keyname.h"

enum input_result { INPUT_NONE, INPUT_KEY, INPUT_RESIZE };

/* Reads one key without waiting; INPUT_NONE when nothing is pending. */
enum input_result input_read(key_code *out);

#endif
