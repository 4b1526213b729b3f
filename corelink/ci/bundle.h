/* SPDX-License-Identifier: MIT */
/*
 * Writing corelink bundles (bundle_write.c; the format and the libc-only
 * reader are runtime/corelink_bundle.h and runtime/BUNDLE_FORMAT.md).
 *
 * A bundle holds, per object of a batch manifest, the original CO-RE object,
 * one base artifact as a copy/add delta against the original, and every
 * other distinct artifact as a patch of the object's sites (or, when its size
 * differs, as its own delta); plus the manifest's kernel table.  The same
 * manifest and objects always give the same bytes.
 */
#ifndef CORELINK_BUNDLE_WRITE_H
#define CORELINK_BUNDLE_WRITE_H

#include <stddef.h>

#include "batch.h"

#ifdef __cplusplus
extern "C" {
#endif

struct corelink_bundle_stats {
	size_t objects, kernels, artifacts;  /* distinct artifacts */
	size_t orig_bytes;       /* the original objects */
	size_t artifact_bytes;   /* the distinct artifacts, in full */
	size_t base_bytes;       /* their base deltas */
	size_t patch_bytes;      /* the other artifacts' patch lists / deltas */
	size_t table_bytes;      /* strings, object, artifact and kernel tables */
	size_t total;            /* the bundle */
};

/*
 * Build a bundle from manifest m (artifact paths relative to base_dir) and
 * the original objects (paths; each manifest object is found by file name;
 * every one must be given and match the manifest's programs).  *out is
 * malloc'd.  st may be NULL.
 */
int corelink_bundle_build(const struct corelink_manifest *m, const char *base_dir,
			  const char *const *objs, size_t nr_objs, void **out, size_t *out_size,
			  struct corelink_bundle_stats *st, struct btfdb_err *err);
/* The same from a manifest file (base_dir = its directory), written atomically to out_path. */
int corelink_bundle_from_manifest(const char *manifest_path, const char *const *objs,
				  size_t nr_objs, const char *out_path,
				  struct corelink_bundle_stats *st, struct btfdb_err *err);
/*
 * A C header embedding the bundle's bytes, the way `bpftool gen skeleton`
 * embeds an object: `static const unsigned char <var>[]` (8-aligned) and
 * `<var>_len`; var NULL = from the file name.  Written atomically.
 */
int corelink_bundle_write_c_header(const void *data, size_t size, const char *path,
				   const char *var, struct btfdb_err *err);

#ifdef __cplusplus
}
#endif
#endif
