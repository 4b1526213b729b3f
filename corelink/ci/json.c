/* SPDX-License-Identifier: MIT */
/*
 * JSON through jansson (see json.h): the strict reader and the writers'
 * helpers.  jansson does the parsing and the escaping; this file adds the
 * rules corelink's documents need on top of it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btfdb_json.h"
#include "json.h"

int cl_json_parse(const char *text, size_t len, json_t **out, struct btfdb_err *err)
{
	json_error_t je;

	/* JSON_REJECT_DUPLICATES: a second "status" or "artifact" in an entry
	 * must not silently override the first.  No JSON_ALLOW_NUL: strings are
	 * C strings everywhere after this.  No JSON_DECODE_ANY: an object or
	 * an array at the top. */
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!*out) {
		btfdb_err_set(err, "invalid JSON at line %d column %d: %s", je.line, je.column,
			      je.text);
		return json_error_code(&je) == json_error_out_of_memory ? -ENOMEM : -EINVAL;
	}
	return 0;
}

json_t *cl_json_str(const char *s)
{
	return btfdb_json_str(s ? s : "");
}

bool cl_json_set(json_t *obj, const char *key, json_t *v)
{
	return btfdb_json_set(obj, key, v);
}

bool cl_json_push(json_t *arr, json_t *v)
{
	return btfdb_json_push(arr, v);
}

int cl_json_dump(const json_t *doc, FILE *f)
{
	if (json_dumpf(doc, f, JSON_INDENT(2)) || fputc('\n', f) == EOF || ferror(f))
		return -EIO;
	return 0;
}
