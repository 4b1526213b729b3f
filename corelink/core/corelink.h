/* SPDX-License-Identifier: MIT */
/*
 * corelink: apply a BPF object's CO-RE relocations at build time against one
 * target kernel's BTF, exactly as libbpf would at load time, and write the
 * pre-relocated object with its CO-RE records removed.
 *
 * Conventions are btfdb's (see btfdb.h): 0 or negative errno, one message in
 * struct btfdb_err, opaque handles with NULL-safe *_free(), borrowed getters.
 *
 * Typical use:
 *     corelink_obj_open(path, &obj, &err);
 *     btfdb_btf_load(kpath, &kbtf, &err);  btfdb_index_build(kbtf, &kidx, &err);
 *     corelink_relocate(obj, kbtf, kidx, &opts, &run, &err);
 *     corelink_write(obj, run, out_path, &stamp, &err);
 */
#ifndef CORELINK_H
#define CORELINK_H

#include <sys/types.h>

#include "btfdb_index.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CORELINK_VERSION_STRING "0.1.0"

/* Exit codes of the CLI (documented in README). */
enum {
	CORELINK_EXIT_OK = 0,
	CORELINK_EXIT_RELO = 1,  /* a relocation failed (hard error, or poison with --strict) */
	CORELINK_EXIT_USAGE = 2, /* bad usage or unreadable/malformed input */
};

/* libbpf's enum bpf_core_relo_kind, numbered as in .BTF.ext. */
enum corelink_relo_kind {
	CORELINK_FIELD_BYTE_OFFSET = 0,
	CORELINK_FIELD_BYTE_SIZE = 1,
	CORELINK_FIELD_EXISTS = 2,
	CORELINK_FIELD_SIGNED = 3,
	CORELINK_FIELD_LSHIFT_U64 = 4,
	CORELINK_FIELD_RSHIFT_U64 = 5,
	CORELINK_TYPE_ID_LOCAL = 6,
	CORELINK_TYPE_ID_TARGET = 7,
	CORELINK_TYPE_EXISTS = 8,
	CORELINK_TYPE_SIZE = 9,
	CORELINK_ENUMVAL_EXISTS = 10,
	CORELINK_ENUMVAL_VALUE = 11,
	CORELINK_TYPE_MATCHES = 12,
};
/* "byte_off", "byte_sz", ... as libbpf names them; "unknown" otherwise. */
const char *corelink_relo_kind_str(uint32_t kind);

/* Log callback: level 0 = warning, 1 = info, 2 = debug. */
typedef void (*corelink_log_fn)(void *ctx, int level, const char *msg);

/* ------------------------------------------------------------------ */
/* The BPF object                                                      */
/* ------------------------------------------------------------------ */

struct corelink_obj;

/* An object is opened, freed and written by corelink/elf (corelink_elf.h:
 * corelink_obj_open(), corelink_obj_free(), corelink_write()). */

/* The object's own (local) BTF. Borrowed. */
const struct btfdb_btf *corelink_obj_btf(const struct corelink_obj *obj);
/* Number of CO-RE records in .BTF.ext. */
size_t corelink_obj_relo_cnt(const struct corelink_obj *obj);
bool corelink_obj_big_endian(const struct corelink_obj *obj);

/*
 * The essential names candidate search looks up for this object: those of
 * the named local root types of its CO-RE records, one per record (for
 * btfdb_index_build_core_for(); a target index that does not cover one is
 * scanned for it instead).  *names (borrowed strings, each name[0..len) of
 * its entry in *lens) and *lens are malloc'd; the caller frees both.
 * Returns the count, or -ENOMEM.
 */
ssize_t corelink_obj_cand_names(const struct corelink_obj *obj, const char ***names,
				size_t **lens);

/*
 * Reasons the object needs kernel BTF at load time even after relocation
 * (fentry/fexit/tp_btf/iter/lsm/struct_ops programs, struct_ops maps, typed
 * __ksym externs).  Returns the count; *msgs[i] are borrowed strings.
 */
size_t corelink_obj_btf_needs(const struct corelink_obj *obj, const char *const **msgs);

/* ------------------------------------------------------------------ */
/* Relocation                                                          */
/* ------------------------------------------------------------------ */

/*
 * Whose relocation rules to follow: libbpf's newest release (the default) or
 * an older one, byte for byte.  The differences, by version and libbpf
 * commit, are listed in README ("libbpf versions").
 */
enum corelink_libbpf {
	CORELINK_LIBBPF_NEWEST = 0, /* the newest release corelink knows: 1.7 */
	CORELINK_LIBBPF_1_1 = 101,  /* libbpf 1.1.x (Debian bookworm's 1.1.2) */
	CORELINK_LIBBPF_1_7 = 107,  /* libbpf 1.7.x */
};
/* "1.1", "1.1.2", "1.7", "1.7.0" -> *out; -EINVAL (message) for anything else. */
int corelink_libbpf_parse(const char *s, enum corelink_libbpf *out, struct btfdb_err *err);
/* "1.1" or "1.7" (NEWEST is spelled as the version it stands for). */
const char *corelink_libbpf_str(enum corelink_libbpf v);

struct corelink_opts {
	bool strict;          /* a poisoned relocation is an error */
	enum corelink_libbpf libbpf; /* relocation rules (0: newest) */
	corelink_log_fn log;  /* may be NULL */
	void *log_ctx;
};

/* What happened to one CO-RE record (for -v, reports, and tests). */
enum corelink_relo_status {
	CORELINK_RELO_OK = 0,       /* patched with the target value */
	CORELINK_RELO_POISONED = 1, /* rewritten to call 0xbad2310 */
	CORELINK_RELO_ERROR = 2,    /* hard error: the whole object fails */
	CORELINK_RELO_SKIPPED = 3,  /* belongs to no program (eliminated weak subprog) */
};

struct corelink_relo_info {
	const char *section;   /* ELF section of the instruction */
	const char *prog;      /* program (function symbol) containing it */
	uint32_t relo_idx;     /* record index within its .BTF.ext section block */
	uint32_t insn_idx;     /* instruction index within the program */
	uint32_t insn_off;     /* byte offset of the instruction within its section */
	uint32_t kind;         /* enum corelink_relo_kind */
	enum corelink_relo_status status;
	uint64_t orig_val;     /* value the compiler assumed */
	uint64_t new_val;      /* value written (OK only) */
	uint32_t nr_cands;     /* candidates examined */
	const char *spec;      /* access in source terms, e.g. "struct task_struct.mm" */
	const char *access;    /* the record's access string, e.g. "0:24" */
	const char *local_type;  /* local root type, e.g. "struct task_struct___old" */
	const char *target_type; /* the first matching target type, e.g. "struct task_struct";
				  * NULL when none matched (poisoned) or not looked up */
	uint32_t local_type_id, target_type_id; /* their BTF ids (target: 0 when none) */
	const char *reason;    /* for POISONED/ERROR: why (names the missing field) */
	int err;               /* negative errno for ERROR */
	bool bad_input;        /* ERROR caused by the record itself, whatever the target:
				* bad local type id, access string that does not parse,
				* anonymous root, unknown kind, an instruction of a form
				* no CO-RE relocation can patch (a malformed object) */
};

/*
 * What a poisoned relocation means, in one line (the CLI's warning; the
 * verifier will only say "invalid func unknown#195896080"): "program 'p'
 * (sec) insn #n: kind spec: reason; instruction poisoned, the program fails
 * verification if it is reachable".  snprintf-style length.
 */
int corelink_poison_message(const struct corelink_relo_info *ri, char *buf, size_t size);

/* The outcome of relocating one object against one target. */
struct corelink_run;

/*
 * Relocate every CO-RE record of obj against target (idx built on target),
 * in libbpf's order with libbpf's candidate cache and pruning.  obj is not
 * modified and may be shared by concurrent calls.
 * Returns 0 when every record was applied or poisoned (poison is not an
 * error unless opts->strict), -errno on a hard error (message in err, and
 * the run still describes every record up to the failing one).  *out is set
 * in both cases when the records could be read; free it with corelink_run_free().
 */
int corelink_relocate(const struct corelink_obj *obj, const struct btfdb_btf *target,
		      const struct btfdb_index *idx, const struct corelink_opts *opts,
		      struct corelink_run **out, struct btfdb_err *err);
void corelink_run_free(struct corelink_run *run);

size_t corelink_run_relo_cnt(const struct corelink_run *run);
const struct corelink_relo_info *corelink_run_relo(const struct corelink_run *run, size_t i);
size_t corelink_run_poisoned(const struct corelink_run *run);
/* Whether the run failed because the target BTF turned out to be malformed
 * in a type the relocation read (lazily checked or database targets; the
 * error message names the damage).  That is bad input, not a relocation
 * failure. */
bool corelink_run_target_bad(const struct corelink_run *run);

#ifdef __cplusplus
}
#endif
#endif /* CORELINK_H */
