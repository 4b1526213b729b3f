/* SPDX-License-Identifier: MIT */
/*
 * corelink batch mode: every object against every kernel, for CI.
 *
 *   kernel list  (BTFHub tree, btfdb database, or single BTF files)
 *      -> sort (distro, version, arch, release) -> shard I/N
 *      -> worker pool: each worker takes the next kernel, loads its BTF and
 *         index, relocates every object (objects are opened once and shared
 *         read-only), emits, stores the bytes under their XXH3-128 name,
 *         frees the kernel.  Memory grows with the number of jobs, not kernels.
 *      -> struct corelink_manifest (in memory) -> manifest.json (MANIFEST.md)
 *      -> portability report (Markdown or JSON), pick (for loaders), merge.
 *
 * Conventions are btfdb's (btfdb.h): 0 or negative errno, one message in
 * struct btfdb_err, NULL-safe *_free(); nothing here prints or exits.
 */
#ifndef CORELINK_BATCH_H
#define CORELINK_BATCH_H

#include <stdio.h>

#include "corelink_elf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CORELINK_MANIFEST_SCHEMA "corelink-manifest"
#define CORELINK_MANIFEST_VERSION 2      /* written; versions 1 and 2 are read */
#define CORELINK_REPORT_SCHEMA "corelink-report"
#define CORELINK_REPORT_VERSION 1

/* ------------------------------------------------------------------ */
/* Kernel lists (batch.c)                                              */
/* ------------------------------------------------------------------ */

/* Where one kernel's BTF comes from. */
struct corelink_kernel_src {
	char *distro;   /* "" when unknown */
	char *version;  /* "" when unknown */
	char *arch;     /* as spelled in the source ("arm64", "aarch64", ...); "" when unknown */
	char *release;  /* kernel release (file name without .btf[.tar.xz]) */
	char *path;     /* BTF file (raw, ELF, .btf.tar.xz), or the database path */
	char *db_name;  /* kernel identity inside the database, or NULL for a file */
};

struct corelink_kernel_list {
	struct corelink_kernel_src *k;
	size_t n;
	size_t cap;
};

/*
 * Append every *.btf.tar.xz and *.btf below dir (BTFHub layout
 * <distro>/<version>/<arch>/<release>.btf.tar.xz; other depths fill what
 * they can: the last directory is the arch, the one before the version,
 * everything above joined with '/' the distro).
 */
int corelink_kernels_add_btfhub(struct corelink_kernel_list *l, const char *dir,
				struct btfdb_err *err);
/* Append every kernel of a btfdb database (identity "distro/version/arch/release"). */
int corelink_kernels_add_db(struct corelink_kernel_list *l, const char *db_path,
			    struct btfdb_err *err);
/*
 * Append one BTF file.  name is "distro/version/arch/release" (fewer parts
 * fill from the right: "arch/release", "release"); NULL = release from the
 * file name.
 */
int corelink_kernels_add_file(struct corelink_kernel_list *l, const char *path, const char *name,
			      struct btfdb_err *err);
/*
 * Keep the kernels whose identity "distro/version/arch/release" matches at
 * least one of the shell patterns (fnmatch(3) without flags: '*' also
 * crosses '/').  An arch is matched under each of its spellings
 * ("arm64" and "aarch64", "x86_64" and "amd64"): a pattern that names
 * arm64 keeps aarch64 kernels too.  n == 0 keeps everything; -ENOENT (message) when
 * nothing is left.
 */
int corelink_kernels_filter(struct corelink_kernel_list *l, const char *const *patterns, size_t n,
			    struct btfdb_err *err);
/* Sort by (distro, version, arch, release, path); -EEXIST on a duplicate identity. */
int corelink_kernels_sort(struct corelink_kernel_list *l, struct btfdb_err *err);
/*
 * Keep shard `index` of `count` (1-based: 1 <= index <= count): the kernels
 * whose position in the SORTED list, counted from 0, satisfies
 * pos % count == index - 1.  Deterministic; the shards partition the list.
 */
int corelink_kernels_shard(struct corelink_kernel_list *l, unsigned index, unsigned count,
			   struct btfdb_err *err);
void corelink_kernels_free(struct corelink_kernel_list *l);

/* ------------------------------------------------------------------ */
/* Architectures (arch.c)                                              */
/* ------------------------------------------------------------------ */

/*
 * The canonical spelling of an architecture: "x86_64" (x86, amd64, x86-64),
 * "aarch64" (arm64), "s390x" (s390), "ppc64le" (powerpc, ppc64), "riscv64"
 * (riscv), "loongarch64" (loongarch), "arm" (armv7l, armhf); NULL for
 * anything else.  "" and NULL give "".
 */
const char *corelink_arch_canon(const char *arch);
/* Same architecture; an empty (unknown) one matches every arch. */
bool corelink_arch_match(const char *a, const char *b);
/*
 * The architecture an object was built for, when its own contents tell it
 * reliably: the register names of struct pt_regs / user_pt_regs in its BTF
 * (x86: di, si, ip, ...; arm64: regs[], pc, pstate, as bpf_tracing.h reads
 * them for __TARGET_ARCH_x86 / __TARGET_ARCH_arm64), or a kprobe on an
 * arch-prefixed syscall (__x64_sys_*, __arm64_sys_*).  Returns the
 * canonical arch, or "" when nothing tells or the signs disagree; why (may
 * be NULL) receives the evidence or the reason for "".
 */
const char *corelink_obj_detect_arch(const struct corelink_obj *obj, char *why, size_t size);

/* ------------------------------------------------------------------ */
/* The manifest model (manifest.c; schema in MANIFEST.md)              */
/* ------------------------------------------------------------------ */

enum corelink_entry_status {
	CORELINK_ENTRY_OK = 0,       /* every relocation applied */
	CORELINK_ENTRY_POISONED = 1, /* artifact written; some instructions poisoned */
	CORELINK_ENTRY_ERROR = 2,    /* no artifact: hard relocation error or unreadable kernel */
	CORELINK_ENTRY_SKIPPED = 3,  /* the object is built for another arch: not relocated,
				      * not written to the manifest (no other member set) */
};
const char *corelink_entry_status_str(enum corelink_entry_status s);

/* One poisoned relocation. */
struct corelink_mf_poison {
	char *program;  /* function containing the instruction */
	char *section;  /* its ELF section */
	uint32_t insn;  /* instruction index within the program */
	char *kind;     /* "byte_off", ... (corelink_relo_kind_str) */
	char *spec;     /* "struct task_struct.__state" */
	char *reason;   /* why: names the missing field or type */
	bool guarded;   /* heuristic: unreachable once existence checks are resolved */
};

/* One object on one kernel. */
struct corelink_mf_entry {
	enum corelink_entry_status status;
	char *artifact;  /* "objects/<xxh3-128 hex>.o", relative to the manifest's dir; NULL on error */
	char *error;     /* ERROR only: the message */
	struct corelink_mf_poison *poison;
	size_t nr_poison;
};

struct corelink_mf_kernel {
	char *distro, *version, *arch, *release;  /* identity (never NULL; "" when unknown) */
	uint64_t btf_hash;  /* XXH3-64 of the kernel's original BTF blob (0 if unreadable) */
	char *source;       /* the file it came from ("DB#name" for a database) */
	uint64_t source_hash; /* XXH3-64 of the source file's bytes (0: a database, or unknown) */
	struct corelink_mf_entry *entries;  /* one per manifest object, same order */
};

struct corelink_mf_program {
	char *name;     /* function symbol */
	char *section;  /* ELF section (".text" for subprograms) */
};

struct corelink_mf_object {
	char *name;  /* file name of the input object; (name, arch) is unique within a manifest */
	/* the next three: NULL is read as "" */
	char *arch;  /* canonical arch it is built for; "" = relocated for every kernel */
	char *arch_from; /* how arch was decided (informative; "" in version 1 manifests) */
	char *hash;  /* XXH3-128 of the input object's bytes, 32 hex; "" when unknown (version 1) */
	struct corelink_mf_program *programs;  /* every function, in object order */
	size_t nr_programs;
};

struct corelink_manifest {
	struct corelink_mf_object *objects;
	size_t nr_objects;
	struct corelink_mf_kernel *kernels;  /* sorted by identity */
	size_t nr_kernels;
	unsigned shard_index, shard_count;   /* 0/0 when not sharded (or merged) */
	enum corelink_libbpf libbpf;         /* the rules followed ("libbpf"; absent: 1.1) */
	char *generator;     /* as read ("corelink X.Y.Z"); NULL in a manifest built here */
	bool strip_debug;    /* artifacts written without DWARF (--strip-debug) */
};

/* Whether object o applies to kernel k (same arch, or either one unknown). */
bool corelink_mf_applies(const struct corelink_mf_object *o, const struct corelink_mf_kernel *k);

void corelink_manifest_free(struct corelink_manifest *m);  /* frees the contents and m */
/* "distro/version/arch/release" into buf. */
const char *corelink_mf_kernel_id(const struct corelink_mf_kernel *k, char *buf, size_t size);
/* Sort kernels by identity; -EEXIST (message) on a duplicate identity. */
int corelink_manifest_sort(struct corelink_manifest *m, struct btfdb_err *err);

/* Write the manifest JSON (deterministic bytes for the same content). */
int corelink_manifest_write(const struct corelink_manifest *m, FILE *f, struct btfdb_err *err);
/* ... atomically to path. */
int corelink_manifest_save(const struct corelink_manifest *m, const char *path,
			   struct btfdb_err *err);
/* Parse and validate (strict JSON, schema name and version checked). */
int corelink_manifest_parse(const char *text, size_t len, const char *name,
			    struct corelink_manifest **out, struct btfdb_err *err);
int corelink_manifest_load(const char *path, struct corelink_manifest **out,
			   struct btfdb_err *err);

/*
 * Merge manifests (shards) into *out: the objects must be the same in all
 * (names and programs); a kernel present in several must be identical
 * (hash, statuses, artifacts), else -EINVAL naming it.  Artifact paths are
 * copied as they are (see corelink_merge_files for relocating them).
 */
int corelink_manifest_merge(struct corelink_manifest *const *in, size_t n,
			    struct corelink_manifest **out, struct btfdb_err *err);
/*
 * Load the manifests at paths, merge them, copy every referenced artifact
 * into <dir of out_path>/objects/ (content-named, so nothing clashes; an
 * artifact whose bytes do not match its name is an error), and save the
 * result at out_path.  *merged (may be NULL) receives the result.
 */
int corelink_merge_files(const char *const *paths, size_t n, const char *out_path,
			 struct corelink_manifest **merged, struct btfdb_err *err);

/* ------------------------------------------------------------------ */
/* Running a batch (batch.c)                                           */
/* ------------------------------------------------------------------ */

struct corelink_batch_progress {
	size_t done, total;                  /* kernels finished / in this run */
	const struct corelink_mf_kernel *k;  /* the one just finished */
};

struct corelink_batch_opts {
	unsigned jobs;          /* worker threads; 0 = online CPUs */
	bool tree;              /* also OUTDIR/tree/<distro>/<version>/<arch>/<release>/<obj> links */
	unsigned shard_index;   /* recorded in the manifest (the list is already sharded) */
	unsigned shard_count;
	enum corelink_libbpf libbpf; /* relocation rules (0: the newest), recorded */
	/*
	 * Per input object (NULL = all "auto"): "auto" or NULL reads the arch
	 * from the object (corelink_obj_detect_arch), "all" relocates it for
	 * every kernel, anything else is the arch (corelink_arch_canon spelling).
	 * The object is relocated only against kernels of its arch.
	 */
	const char *const *obj_arch;
	bool strip_debug;       /* artifacts without DWARF (corelink_strip_debug) */
	/*
	 * A previous run's manifest file (may be NULL; may be OUTDIR's own): an
	 * entry whose object (name, arch, hash) and kernel (identity, BTF hash)
	 * are unchanged is taken from it, not relocated, when it was made by the
	 * same corelink version with the same libbpf rules and strip_debug and its artifact is
	 * readable and intact (copied into OUTDIR/objects/ when elsewhere).
	 * An unreadable or invalid file is an error.
	 */
	const char *previous;
	/* Called after each kernel, serialised (one call at a time); may be NULL. */
	void (*progress)(void *ctx, const struct corelink_batch_progress *p);
	void *progress_ctx;
};

struct corelink_batch_stats {
	size_t entries;          /* objects x kernels */
	size_t ok, poisoned, errors;
	size_t artifacts;        /* entries with an artifact */
	size_t unique;           /* distinct artifacts (files under objects/) */
	size_t written;          /* files written by this run (others existed already) */
	size_t skipped;          /* object x kernel pairs of different archs (not relocated) */
	size_t reused;           /* entries taken from opts->previous */
	size_t kernels_relocated;/* kernels with at least one entry relocated in this run */
	size_t kernels_reused;   /* kernels whose entries all came from opts->previous */
};

/*
 * Relocate every object (paths) against every kernel of l into outdir
 * (created if needed): outdir/objects/<hash>.o, outdir/manifest.json, and
 * with opts->tree the link tree.  Per-kernel failures are recorded in the
 * manifest, not returned; the return value is an error only for unusable
 * input objects, duplicate object names, or output that cannot be written.
 * *out (may be NULL) receives the manifest; stats may be NULL.
 */
int corelink_batch_run(const char *const *objs, size_t nr_objs,
		       const struct corelink_kernel_list *l, const char *outdir,
		       const struct corelink_batch_opts *opts, struct corelink_manifest **out,
		       struct corelink_batch_stats *stats, struct btfdb_err *err);

/* ------------------------------------------------------------------ */
/* Portability report (report_md.c; HTML: report_html.c)              */
/* ------------------------------------------------------------------ */

enum corelink_report_format { CORELINK_REPORT_MD, CORELINK_REPORT_JSON, CORELINK_REPORT_HTML };
int corelink_report_write(const struct corelink_manifest *m, enum corelink_report_format fmt,
			  FILE *f, struct btfdb_err *err);

/* ------------------------------------------------------------------ */
/* Pick the artifact for a host (pick.c)                               */
/* ------------------------------------------------------------------ */

/* What to match; NULL fields are not used (release is required). */
struct corelink_pick_query {
	const char *release;  /* uname -r: matched exactly */
	const char *arch;     /* uname -m: x86_64/amd64 and aarch64/arm64 are the same */
	const char *distro;   /* /etc/os-release ID: disambiguates */
	const char *version;  /* /etc/os-release VERSION_ID: disambiguates */
	const char *object;   /* object name ("x.bpf.o", or without ".o"/".bpf.o"); NULL when the manifest has one */
};

/* The running host's identity (storage for the query's strings). */
struct corelink_host {
	char release[272], arch[72], distro[72], version[72];
};
/* uname() and os_release (NULL = /etc/os-release, then /usr/lib/os-release; absent is fine). */
int corelink_host_detect(struct corelink_host *h, const char *os_release, struct btfdb_err *err);

struct corelink_pick_result {
	char *path;       /* artifact: <manifest dir>/<artifact> (malloc'd) */
	char *kernel;     /* "distro/version/arch/release" of the chosen kernel (malloc'd) */
	char *object;     /* object name (malloc'd) */
	enum corelink_entry_status status;
	size_t unguarded; /* poisoned relocations the heuristic does not see guarded */
};
void corelink_pick_result_clear(struct corelink_pick_result *r);

/*
 * Choose the artifact for q from m (base_dir: directory artifact paths are
 * relative to).  -ENOENT when no kernel fits (err names the closest
 * candidates), -ENOTUNIQ when several fit with different artifacts, -EINVAL
 * for an unknown or ambiguous object, -ENOEXEC when the object failed on
 * that kernel (err says why).
 */
int corelink_pick_manifest(const struct corelink_manifest *m, const char *base_dir,
			   const struct corelink_pick_query *q, struct corelink_pick_result *res,
			   struct btfdb_err *err);
/* The same from a manifest file; q == NULL means "this host". */
int corelink_pick(const char *manifest_path, const struct corelink_pick_query *q,
		  struct corelink_pick_result *res, struct btfdb_err *err);

#ifdef __cplusplus
}
#endif
#endif /* CORELINK_BATCH_H */
