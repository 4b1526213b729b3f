/* SPDX-License-Identifier: MIT */
/*
 * corelink's -j/--json documents (json_docs.c): what one command did, as one
 * JSON document for the tool to print (the session that prints it, and the
 * error and help documents, are btfdb/json's; the schemas are
 * docs/schema/corelink-*.schema.json).  Every builder returns a new
 * document, or NULL when out of memory; nothing here prints.
 */
#ifndef CORELINK_JSON_DOCS_H
#define CORELINK_JSON_DOCS_H

#include <jansson.h>

#include "batch.h"
#include "bundle.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a single relocation run was asked and what became of it. */
struct corelink_json_relocate {
	const char *object;   /* input object path */
	const char *btf;      /* target BTF file (NULL with db) */
	const char *db;       /* --db: database ... */
	const char *kernel;   /* ... and --kernel */
	const char *release;  /* the target's release, when known (NULL: null) */
	const char *output;   /* -o */
	bool written;         /* the output was written */
	bool strict;
	enum corelink_libbpf libbpf;
	const char *error;    /* the failure, as printed on stderr; NULL when none */
};

/*
 * "corelink-relocate": the target, every relocation of run (kind, section,
 * program, instruction index and byte offset, access string and spec, local
 * and target type, candidates examined, status, old and new value, the
 * reason when poisoned, skipped or failed), the counts, the warnings (what
 * the object needs kernel BTF for at load time, each poisoned relocation)
 * and the errors.  run may be NULL (no relocation took place).
 */
json_t *corelink_json_relocate(const struct corelink_json_relocate *d,
			       const struct corelink_obj *obj, const struct corelink_run *run);

/* What a batch was asked (the rest is in the manifest and stats). */
struct corelink_json_batch {
	const char *output_dir;
	const char *report;   /* --report, or NULL */
	const char *bundle;   /* --bundle, or NULL */
	const char *previous; /* --previous, or NULL */
	const char *fail_on;  /* "error", "poison", "any-poison", or NULL */
	bool failed;          /* --fail-on matched */
};

/*
 * "corelink-batch": the summary of a batch: where the manifest is, the
 * counts (stats: relocated and reused), each object's (name, arch)
 * ok/poisoned/error/skipped counts, and every entry that is neither ok nor
 * skipped (kernel, object, arch, status, error or poisoned/unguarded counts).
 */
json_t *corelink_json_batch(const struct corelink_json_batch *d, const struct corelink_manifest *m,
			    const struct corelink_batch_stats *st);

/* "corelink-pick": the query (as completed from the host) and the choice. */
json_t *corelink_json_pick(const char *manifest, const struct corelink_pick_query *q,
			   const struct corelink_pick_result *res);

/* "corelink-merge": the inputs, the merged manifest written at output, its counts. */
json_t *corelink_json_merge(const char *const *inputs, size_t n, const char *output,
			    const char *report, const struct corelink_manifest *m);

/* "corelink-bundle": a bundle written (corelink bundle MANIFEST OBJ... -o FILE):
 * where, and struct corelink_bundle_stats. */
json_t *corelink_json_bundle(const char *output, const char *c_header,
			     const struct corelink_bundle_stats *st);

/* "corelink-report": the portability report (the same document as
 * --report FILE.json writes). */
json_t *corelink_report_json(const struct corelink_manifest *m);

/* A value that may not fit a JSON integer of jansson (int64): an integer
 * when it does, else its decimal string. */
json_t *corelink_json_u64(uint64_t v);

#ifdef __cplusplus
}
#endif
#endif
