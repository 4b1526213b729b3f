/* SPDX-License-Identifier: MIT */
/*
 * A small strict JSON reader (RFC 8259) and writer helpers, for the batch
 * manifest and report.  Internal to corelink.
 *
 * Reader: the whole text is parsed into a tree of struct cl_json; anything
 * that is not strict JSON is rejected with the line and column: trailing
 * commas, comments, single quotes, control characters in strings, invalid
 * escapes or UTF-8 surrogates, leading zeros, NaN, duplicate object keys,
 * trailing garbage, nesting deeper than CL_JSON_MAX_DEPTH.
 */
#ifndef CORELINK_JSON_H
#define CORELINK_JSON_H

#include <stdio.h>

#include "btfdb.h"

#define CL_JSON_MAX_DEPTH 64

enum cl_json_type { CL_JSON_NULL, CL_JSON_BOOL, CL_JSON_NUMBER, CL_JSON_STRING, CL_JSON_ARRAY,
		    CL_JSON_OBJECT };

struct cl_json {
	enum cl_json_type type;
	bool b;               /* BOOL */
	double num;           /* NUMBER */
	bool is_int;          /* NUMBER written without fraction/exponent, fits int64 */
	int64_t i;            /* NUMBER when is_int */
	char *str;            /* STRING (NUL-terminated UTF-8; may contain no NUL) */
	char **keys;          /* OBJECT: keys[i] names items[i] */
	struct cl_json *items;/* ARRAY elements / OBJECT values */
	size_t n;
};

int cl_json_parse(const char *text, size_t len, struct cl_json **out, struct btfdb_err *err);
void cl_json_free(struct cl_json *v);
/* Member of an object by key, or NULL (also when v is not an object). */
const struct cl_json *cl_json_get(const struct cl_json *v, const char *key);

/* Write s as a JSON string literal (quotes included). */
void cl_json_put_str(FILE *f, const char *s);

#endif
