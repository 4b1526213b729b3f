/* SPDX-License-Identifier: MIT */
/*
 * corelink/elf: the BPF object as a file.  Opening an ELF BPF object
 * (elf_obj.c, .BTF.ext: btf_ext.c), writing the relocated one (emit.c),
 * without DWARF (strip.c), and the guard heuristic over the patched code
 * (guard.c).  The object model and the engine it feeds are corelink.h's.
 */
#ifndef CORELINK_ELF_H
#define CORELINK_ELF_H

#include "corelink.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Reading (elf_obj.c)                                                 */
/* ------------------------------------------------------------------ */

/* Open an ELF BPF object (EM_BPF, either byte order) with .BTF and .BTF.ext. */
int corelink_obj_open(const char *path, struct corelink_obj **out, struct btfdb_err *err);
/* The same from memory (data is copied; name is used in messages). */
int corelink_obj_open_mem(const void *data, size_t size, const char *name,
			  struct corelink_obj **out, struct btfdb_err *err);
void corelink_obj_free(struct corelink_obj *obj);

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

/* Optional note recorded with --stamp (section ".note.corelink"). */
struct corelink_stamp {
	const char *release;   /* target kernel release, or NULL if unknown */
	uint64_t btf_hash;     /* XXH3-64 of the target BTF blob */
	enum corelink_libbpf libbpf; /* the rules the relocation followed */
};

/*
 * The relocated object as bytes: the input ELF with patched instructions,
 * .BTF.ext core_relo_len = 0, everything else preserved; deterministic.
 * *buf is malloc'ed; the caller frees it.  stamp may be NULL.
 */
int corelink_emit(const struct corelink_obj *obj, const struct corelink_run *run,
		  const struct corelink_stamp *stamp, void **buf, size_t *size,
		  struct btfdb_err *err);
/* corelink_emit() written atomically to path (temporary file + rename). */
int corelink_write(const struct corelink_obj *obj, const struct corelink_run *run,
		   const struct corelink_stamp *stamp, const char *path, struct btfdb_err *err);

/*
 * The same object without DWARF, as `llvm-strip -g` writes it (strip.c):
 * the .debug* sections and the relocation sections that apply to them are
 * dropped, with the symbols defined in them; .BTF and .BTF.ext are kept.
 * in is an ELF64 relocatable object (corelink_emit()'s output); *out is
 * malloc'ed.  -EINVAL (message) for an object this cannot rewrite.
 */
int corelink_strip_debug(const void *in, size_t size, void **out, size_t *out_size,
			 struct btfdb_err *err);

/*
 * Write bytes atomically (btfdb_fileio_write_atomic(): an unnamed temporary
 * in the same directory, renamed over path; on error nothing is left and a
 * previous file is unchanged).
 */
int corelink_write_file_atomic(const char *path, const void *buf, size_t size,
			       struct btfdb_err *err);

/* ------------------------------------------------------------------ */
/* The guard heuristic (guard.c)                                       */
/* ------------------------------------------------------------------ */

/*
 * The guard heuristic (guard.c): is the poisoned instruction at insn_idx of
 * program `prog_name` unreachable once the conditional jumps that test a
 * FIELD_EXISTS / TYPE_EXISTS / ENUMVAL_EXISTS / TYPE_MATCHES value (as
 * patched in run) are resolved?  See MANIFEST.md.
 */
bool corelink_poison_guarded(const struct corelink_obj *obj, const struct corelink_run *run,
			     const struct corelink_relo_info *ri);

#ifdef __cplusplus
}
#endif
#endif /* CORELINK_ELF_H */
