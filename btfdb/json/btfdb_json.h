/* SPDX-License-Identifier: MIT */
/*
 * JSON output of the tools (-j/--json): the session both tools share and the
 * btfdb tool's documents.  Through jansson (Debian libjansson-dev).  The
 * schemas of the documents are in docs/schema/ (README there).
 *
 * The session: with --json, a command's output is exactly one JSON document
 * on stdout, whatever happens:
 *
 *     if (btfdb_json_take_option(&argc, argv, false))
 *             btfdb_json_begin("btfdb", "ls");     // before anything is printed
 *     ... the command runs, printing as usual; it hands its document over:
 *     btfdb_json_result(btfdb_json_ls(path, db));
 *     return btfdb_json_end(rc);                  // prints the one document
 *
 * Between begin and end, stdout is set aside (text a command prints there is
 * dropped: nothing but the document reaches it) and stderr still goes to
 * the terminal but is also kept, so that a failure without a document
 * becomes the error document {"schema": "<tool>-error", "error": the
 * message printed on stderr, ...}.  Every document gets "exit_code".
 * Help printed with --json becomes {"schema": "<tool>-help", "text": ...}.
 * Process-wide state: the tools are single-threaded where they print.
 */
#ifndef BTFDB_JSON_H
#define BTFDB_JSON_H

#include <stdbool.h>

#include <jansson.h>

#include "btfdb_db.h"

#define BTFDB_JSON_SCHEMA_VERSION 1

/* ---- the session ---- */

/*
 * Take -j/--json out of the command line and say whether it was there: the
 * arguments "-j" and "--json" before any "--", and the j of a cluster of the
 * flags -v -q -h -j ("-qj" becomes "-q").  With jobs_compat (corelink
 * batch), "-j N" and "-jN" with N a positive integer stay: the old spelling
 * of --jobs N.  *argc and argv are updated in place (argv[*argc] = NULL).
 */
bool btfdb_json_take_option(int *argc, char **argv, bool jobs_compat);
/* Whether argv[i] is the old "-j N" (returns 2) or "-jN" (1), N a positive integer; else 0. */
int btfdb_json_jobs_compat(int argc, char *const *argv, int i);

/* Start JSON output (idempotent): tool "corelink" or "btfdb", command its
 * name ("relocate", "bundle ls", ...).  0 or -ENOMEM (then output stays text). */
int btfdb_json_begin(const char *tool, const char *command);
bool btfdb_json_on(void);
/* The command, once it is known (dispatch happens after begin). */
void btfdb_json_set_command(const char *command);
/* The document the command produced (takes the reference; NULL = the
 * builder ran out of memory, reported as an error document).  A later
 * call replaces an earlier document. */
void btfdb_json_result(json_t *doc);
/* What was printed on stdout since begin is help (or version) text: the
 * document is {"schema": "<tool>-help", "text": ...}. */
void btfdb_json_help(void);
/* Print the document on stdout and restore stdout and stderr.  Returns the
 * exit code: rc, or 2 when the document could not be written (a message on
 * stderr).  Without begin: returns rc. */
int btfdb_json_end(int rc);

/* {"schema": "<tool>-<name>", "schema_version": 1}: every document's start.  NULL on ENOMEM. */
json_t *btfdb_json_doc(const char *tool, const char *name);
/* A string of any bytes (invalid UTF-8 replaced by U+FFFD); NULL s = null. */
json_t *btfdb_json_str(const char *s);
/* "%016llx" */
json_t *btfdb_json_hex64(uint64_t v);
/* obj[key] = v taking v's reference; false when v is NULL or the insert failed. */
bool btfdb_json_set(json_t *obj, const char *key, json_t *v);
bool btfdb_json_push(json_t *arr, json_t *v);

/* ---- btfdb's documents (btfdb_json_docs.c) ---- */

/* btfdb ls: {"database", "kernels": [{name, distro, version, arch, release,
 * types, btf_bytes, own_bytes, xxh3, raw, big_endian}]} */
json_t *btfdb_json_ls(const char *path, struct btfdb_db *db);
/* btfdb info: sizes and counts of struct btfdb_db_info, and the ratio. */
json_t *btfdb_json_info(const char *path, struct btfdb_db *db);
/* btfdb show: {"database", "kernel", "name", "types": [{id, kind, name, c}]}:
 * the types ids[0..n) of btf, each printed as C. */
int btfdb_json_show(const char *path, const char *kernel, const char *name,
		    const struct btfdb_btf *btf, const uint32_t *ids, size_t n, json_t **out,
		    struct btfdb_err *err);
/* btfdb extract of kernel k (size bytes written to output): {"database",
 * "kernel", "output", "bytes", "xxh3"} */
json_t *btfdb_json_extract(const char *path, struct btfdb_db *db, uint32_t k,
			   const char *output, size_t size);
/* btfdb verify (passed): {"database", "ok": true, "kernels"} */
json_t *btfdb_json_verify(const char *path, const struct btfdb_db *db);
/*
 * The writing commands (build, add, rm, compact): {"command", "database",
 * "kernels", "file_size", "added": [{name, raw}] (build, add), "removed"
 * (rm)}; the database is opened to count what it holds now.  added may be
 * NULL (the reference is taken).
 */
int btfdb_json_write(const char *command, const char *path, json_t *added, const char *removed,
		     json_t **out, struct btfdb_err *err);

#endif /* BTFDB_JSON_H */
