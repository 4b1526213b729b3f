/* SPDX-License-Identifier: MIT */
/*
 * The -j/--json session (btfdb_json.h): stdout set aside, stderr kept as
 * well as shown, one document printed at the end.  And the small helpers
 * every document builder uses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btfdb_json.h"

static struct {
	bool on, help;
	const char *tool, *command;
	FILE *out, *err;      /* the process's own stdout and stderr */
	FILE *mem;            /* stands in for stdout */
	char *mem_buf;
	size_t mem_len;
	FILE *tee;            /* stands in for stderr */
	char *err_buf;        /* everything written to stderr since begin */
	size_t err_len, err_cap;
	json_t *doc;
	bool doc_nomem;
} js;

/* ------------------------------------------------------------------ */
/* Arguments                                                           */
/* ------------------------------------------------------------------ */

static bool positive_int(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && !s[n] && strspn(s, "0") < n;
}

int btfdb_json_jobs_compat(int argc, char *const *argv, int i)
{
	const char *a = argv[i];

	if (a[0] != '-' || a[1] != 'j')
		return 0;
	if (!a[2])
		return i + 1 < argc && positive_int(argv[i + 1]) ? 2 : 0;
	return positive_int(a + 2) ? 1 : 0;
}

bool btfdb_json_take_option(int *argc, char **argv, bool compat)
{
	bool found = false, rest = false;
	int i, o = 1, n;

	for (i = 1; i < *argc; i++) {
		char *a = argv[i], *j;

		if (!rest && !strcmp(a, "--")) {
			rest = true;
		} else if (!rest && compat && (n = btfdb_json_jobs_compat(*argc, argv, i))) {
			argv[o++] = argv[i];
			if (n == 2)
				argv[o++] = argv[++i];
			continue;
		} else if (!rest && !strcmp(a, "--json")) {
			found = true;
			continue;
		} else if (!rest && a[0] == '-' && a[1] && a[1] != '-' &&
			   strspn(a + 1, "vqhj") == strlen(a + 1) && strchr(a + 1, 'j')) {
			found = true;
			while ((j = strchr(a + 1, 'j')))
				memmove(j, j + 1, strlen(j));
			if (!a[1])
				continue; /* it was only -j */
		}
		argv[o++] = a;
	}
	*argc = o;
	argv[o] = NULL;
	return found;
}

/* ------------------------------------------------------------------ */
/* The session                                                         */
/* ------------------------------------------------------------------ */

/* stderr's stand-in: to the real stderr, and kept. */
static ssize_t tee_write(void *cookie, const char *buf, size_t size)
{
	size_t done = 0;
	ssize_t n;

	(void)cookie;
	while (done < size) {
		n = write(fileno(js.err), buf + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the terminal is gone: still keep the text */
		done += (size_t)n;
	}
	if (js.err_len + size + 1 > js.err_cap) {
		size_t cap = (js.err_len + size + 1) * 2;
		char *p = realloc(js.err_buf, cap);

		if (!p)
			return (ssize_t)size; /* keep what we have */
		js.err_buf = p;
		js.err_cap = cap;
	}
	memcpy(js.err_buf + js.err_len, buf, size);
	js.err_len += size;
	js.err_buf[js.err_len] = 0;
	return (ssize_t)size;
}

int btfdb_json_begin(const char *tool, const char *command)
{
	static const cookie_io_functions_t tee_io = { .write = tee_write };

	if (js.on)
		return 0;
	fflush(stdout);
	fflush(stderr);
	js.mem = open_memstream(&js.mem_buf, &js.mem_len);
	js.tee = fopencookie(NULL, "w", tee_io);
	if (!js.mem || !js.tee) {
		if (js.mem)
			fclose(js.mem);
		if (js.tee)
			fclose(js.tee);
		free(js.mem_buf);
		js.mem = js.tee = NULL;
		js.mem_buf = NULL;
		return -ENOMEM;
	}
	setvbuf(js.tee, NULL, _IOLBF, 0);
	js.tool = tool;
	js.command = command;
	js.out = stdout;
	js.err = stderr;
	/* glibc's stdout and stderr are variables a program may set */
	stdout = js.mem;
	stderr = js.tee;
	js.on = true;
	return 0;
}

bool btfdb_json_on(void)
{
	return js.on;
}

void btfdb_json_set_command(const char *command)
{
	js.command = command;
}

void btfdb_json_result(json_t *doc)
{
	json_decref(js.doc);
	js.doc = doc;
	js.doc_nomem = !doc;
}

void btfdb_json_help(void)
{
	js.help = true;
}

/* The failure message: the last line "<tool>: ..." that is not a warning,
 * without the prefix; else the first line (a usage); else a generic one. */
static const char *error_line(char *text, char *buf, size_t size, int rc)
{
	char prefix[64], warn[80];
	const char *best = NULL, *first = NULL;
	char *line, *save = NULL;

	snprintf(prefix, sizeof(prefix), "%s: ", js.tool);
	snprintf(warn, sizeof(warn), "%swarning: ", prefix);
	for (line = strtok_r(text, "\n\r", &save); line; line = strtok_r(NULL, "\n\r", &save)) {
		if (!line[0])
			continue;
		if (!first)
			first = line;
		if (!strncmp(line, prefix, strlen(prefix)) && strncmp(line, warn, strlen(warn)))
			best = line + strlen(prefix);
	}
	if (best || first)
		snprintf(buf, size, "%s", best ? best : first);
	else
		snprintf(buf, size, "%s failed (exit status %d)", js.command ? js.command : js.tool, rc);
	return buf;
}

/* The lines "<tool>: ..." of stderr (progress lines and usage hints left out). */
static json_t *messages(const char *text)
{
	json_t *arr = json_array();
	size_t plen = strlen(js.tool);
	const char *p = text, *nl;

	while (arr && p && *p) {
		nl = strpbrk(p, "\n\r");
		if (!strncmp(p, js.tool, plen) && p[plen] == ':' && p[plen + 1] == ' ') {
			char *line = strndup(p, nl ? (size_t)(nl - p) : strlen(p));

			if (!line || !btfdb_json_push(arr, btfdb_json_str(line))) {
				free(line);
				json_decref(arr);
				return NULL;
			}
			free(line);
		}
		p = nl ? nl + 1 : NULL;
	}
	return arr;
}

static json_t *error_doc(int rc)
{
	json_t *doc = btfdb_json_doc(js.tool, "error");
	char *text = strdup(js.err_buf ? js.err_buf : "");
	char msg[1024];
	bool ok;

	if (!doc || !text) {
		free(text);
		json_decref(doc);
		return NULL;
	}
	ok = btfdb_json_set(doc, "tool", json_string(js.tool)) &&
	     btfdb_json_set(doc, "command", btfdb_json_str(js.command)) &&
	     btfdb_json_set(doc, "messages", messages(js.err_buf ? js.err_buf : ""));
	if (js.doc_nomem)
		snprintf(msg, sizeof(msg), "out of memory building the JSON document");
	else if (rc == 0)
		snprintf(msg, sizeof(msg), "internal: '%s' made no JSON document",
			 js.command ? js.command : js.tool);
	else
		error_line(text, msg, sizeof(msg), rc);
	ok = ok && btfdb_json_set(doc, "error", btfdb_json_str(msg));
	free(text);
	if (!ok) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static json_t *help_doc(void)
{
	json_t *doc = btfdb_json_doc(js.tool, "help");

	if (doc && btfdb_json_set(doc, "tool", json_string(js.tool)) &&
	    btfdb_json_set(doc, "command", btfdb_json_str(js.command)) &&
	    btfdb_json_set(doc, "text", btfdb_json_str(js.mem_buf ? js.mem_buf : "")))
		return doc;
	json_decref(doc);
	return NULL;
}

int btfdb_json_end(int rc)
{
	const char *tool = js.tool;
	json_t *doc;
	int ok;

	if (!js.on)
		return rc;
	fflush(js.mem);
	fflush(js.tee);
	if (js.doc)
		doc = json_incref(js.doc);
	else if (js.help && !rc)
		doc = help_doc();
	else
		doc = error_doc(rc);
	if (!rc && js.doc_nomem)
		rc = 2;
	if (!rc && !js.doc && !js.help)
		rc = 2; /* a command that made no document is a bug: say so */
	stdout = js.out;
	stderr = js.err;
	fclose(js.mem);
	fclose(js.tee);
	free(js.mem_buf);
	free(js.err_buf);
	json_decref(js.doc);
	memset(&js, 0, sizeof(js));
	if (doc && json_object_set_new(doc, "exit_code", json_integer(rc)) == 0 &&
	    json_dumpf(doc, stdout, JSON_INDENT(2)) == 0 && fputc('\n', stdout) != EOF &&
	    fflush(stdout) == 0 && !ferror(stdout))
		ok = 1;
	else
		ok = 0;
	if (!ok) {
		fprintf(stderr, "%s: cannot write the JSON document: %s\n", tool,
			doc ? strerror(errno) : "out of memory");
		rc = 2;
	}
	json_decref(doc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

json_t *btfdb_json_doc(const char *tool, const char *name)
{
	json_t *doc = json_object();
	char schema[64];

	snprintf(schema, sizeof(schema), "%s-%s", tool, name);
	if (doc && btfdb_json_set(doc, "schema", json_string(schema)) &&
	    btfdb_json_set(doc, "schema_version", json_integer(BTFDB_JSON_SCHEMA_VERSION)))
		return doc;
	json_decref(doc);
	return NULL;
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

json_t *btfdb_json_str(const char *s)
{
	const unsigned char *c;
	size_t n, len, o = 0;
	json_t *v;
	char *fixed;

	if (!s)
		return json_null();
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

json_t *btfdb_json_hex64(uint64_t v)
{
	char buf[17];

	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)v);
	return json_string(buf);
}

bool btfdb_json_set(json_t *obj, const char *key, json_t *v)
{
	return v && json_object_set_new(obj, key, v) == 0;
}

bool btfdb_json_push(json_t *arr, json_t *v)
{
	return v && json_array_append_new(arr, v) == 0;
}
