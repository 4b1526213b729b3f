/* SPDX-License-Identifier: MIT */
/* Helpers shared by batch.c, manifest.c, pick.c and report_md.c. */
#ifndef CORELINK_BATCH_INTERNAL_H
#define CORELINK_BATCH_INTERNAL_H

#include "batch.h"
#include "json.h"

/* XXH3-128 of the bytes as 32 lowercase hex digits (canonical, big-endian) + NUL. */
void cl_hash128_hex(const void *data, size_t size, char out[33]);
/* "objects/<hex>.o" for the bytes, into out (>= 44 bytes). */
void cl_artifact_rel(const void *data, size_t size, char out[48]);
/* mkdir -p (mode 0755); 0 or -errno with a message. */
int cl_mkdir_p(const char *path, struct btfdb_err *err);
/* Whole file into a malloc'd buffer (+ NUL); limit: refuse larger files. */
int cl_read_file(const char *path, size_t limit, char **data, size_t *size,
		 struct btfdb_err *err);
/* Directory part of path ("." when none), malloc'd. */
char *cl_dirname(const char *path);
/* a + "/" + b, malloc'd (b alone when a is "" or "."). */
char *cl_path_join(const char *a, const char *b);
/* strdup that maps NULL to "" (NULL only when out of memory). */
char *cl_strdup0(const char *s);
/* The manifest as a JSON document (MANIFEST.md), NULL when out of memory. */
json_t *corelink_manifest_json(const struct corelink_manifest *m);
/* The portability report as a JSON document (report_md.c), NULL when out of memory. */
json_t *corelink_report_json(const struct corelink_manifest *m);

#endif
