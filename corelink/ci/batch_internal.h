/* SPDX-License-Identifier: MIT */
/* Helpers shared by batch.c, manifest.c, pick.c and report_md.c. */
#ifndef CORELINK_BATCH_INTERNAL_H
#define CORELINK_BATCH_INTERNAL_H

#include "batch.h"
#include "corelink_json.h"
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
/* a + "/" + b, malloc'd (b alone when a is "" or "."). */
char *cl_path_join(const char *a, const char *b);
/* s, or "" for NULL (object arch/arch_from/hash may be NULL in a model built by hand). */
static inline const char *cl_s0(const char *s)
{
	return s ? s : "";
}
/* strdup that maps NULL to "" (NULL only when out of memory). */
char *cl_strdup0(const char *s);
/* The manifest as a JSON document (MANIFEST.md), NULL when out of memory. */
json_t *corelink_manifest_json(const struct corelink_manifest *m);
/* Order of manifest kernels by identity (distro, version, arch, release) (manifest.c). */
int cl_mf_kernel_cmp(const void *a, const void *b);
/* Free the strings of one kernel list item (batch.c). */
void cl_kernel_src_free(struct corelink_kernel_src *k);
/* Deep copy of a manifest entry into zeroed *d; -ENOMEM (manifest.c). */
int cl_mf_entry_copy(struct corelink_mf_entry *d, const struct corelink_mf_entry *s);
/*
 * Copy artifact rel ("objects/<hex>.o") from src_dir to dst_dir unless it is
 * there already, checking its bytes against its name (manifest.c).
 */
int cl_copy_artifact(const char *src_dir, const char *dst_dir, const char *rel,
		     struct btfdb_err *err);

/* A program's status on one kernel, as the reports count it (manifest.c). */
enum { CL_PSTAT_OK, CL_PSTAT_GUARDED, CL_PSTAT_POISONED, CL_PSTAT_ERROR, CL_PSTAT_NR,
       CL_PSTAT_NA = CL_PSTAT_NR /* the entry is of another arch */ };
int cl_prog_status(const struct corelink_mf_entry *e, const struct corelink_mf_program *pr);
/* The poisoned relocation is in program pr (manifest.c). */
bool cl_poison_in_prog(const struct corelink_mf_poison *p, const struct corelink_mf_program *pr);
/* The HTML report (report_html.c): 0 or -ENOMEM. */
int cl_report_html(const struct corelink_manifest *m, FILE *f);

#endif
