/* SPDX-License-Identifier: MIT */
/*
 * JSON through jansson (Debian libjansson-dev): the strict reader every
 * manifest goes through, and the few helpers the writers share.  Internal to
 * corelink.
 *
 * Reading is strict RFC 8259 (jansson rejects comments, trailing commas,
 * single quotes, control characters in strings, invalid escapes and UTF-8,
 * lone surrogates, leading zeros, NaN, integers beyond 64 bits, trailing
 * garbage; nesting is limited to 2048 levels); on top of that duplicate
 * object keys and "\u0000" in strings are refused, and the top level must be
 * an object or an array.
 */
#ifndef CORELINK_JSON_H
#define CORELINK_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "btfdb.h"

/* Parse text[0..len) into *out (the caller json_decref()s it).  On error:
 * -EINVAL and "invalid JSON at line L column C: what". */
int cl_json_parse(const char *text, size_t len, json_t **out, struct btfdb_err *err);

/* A JSON string holding s, with every byte that is not part of valid UTF-8
 * replaced by U+FFFD (file names and messages may hold any bytes); NULL s is
 * "".  NULL when out of memory. */
json_t *cl_json_str(const char *s);

/* obj[key] = v / append v to arr, taking v's reference (also on failure).
 * False when v is NULL (its constructor failed) or the insert failed, so that
 * a writer can AND the results and report one "out of memory". */
bool cl_json_set(json_t *obj, const char *key, json_t *v);
bool cl_json_push(json_t *arr, json_t *v);

/* Write doc with a two-space indent and a final newline.  0 or -EIO. */
int cl_json_dump(const json_t *doc, FILE *f);

#endif
