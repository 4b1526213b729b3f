/* SPDX-License-Identifier: MIT */
/*
 * JSON through jansson (see json.h): the strict reader and the writers'
 * helpers.  jansson does the parsing and the escaping; this file adds the
 * rules corelink's documents need on top of it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		need = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		need = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		need = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need;
}

json_t *cl_json_str(const char *s)
{
	const unsigned char *c;
	size_t n, len, o = 0;
	json_t *v;
	char *fixed;

	if (!s)
		s = "";
	v = json_string(s); /* NULL when s is not valid UTF-8 (or out of memory) */
	if (v)
		return v;
	len = strlen(s);
	fixed = malloc(len * 3 + 1); /* each bad byte becomes the 3 bytes of U+FFFD */
	if (!fixed)
		return NULL;
	for (c = (const unsigned char *)s; *c; c += n) {
		n = utf8_len(c, len - (size_t)(c - (const unsigned char *)s));
		if (n) {
			memcpy(fixed + o, c, n);
			o += n;
		} else {
			memcpy(fixed + o, "\xef\xbf\xbd", 3);
			o += 3;
			n = 1;
		}
	}
	v = json_stringn(fixed, o);
	free(fixed);
	return v;
}

bool cl_json_set(json_t *obj, const char *key, json_t *v)
{
	return v && json_object_set_new(obj, key, v) == 0;
}

bool cl_json_push(json_t *arr, json_t *v)
{
	return v && json_array_append_new(arr, v) == 0;
}

int cl_json_dump(const json_t *doc, FILE *f)
{
	if (json_dumpf(doc, f, JSON_INDENT(2)) || fputc('\n', f) == EOF || ferror(f))
		return -EIO;
	return 0;
}
