/* SPDX-License-Identifier: MIT */
/*
 * The CO-RE relocation core: the contract between spec.c (access string ->
 * spec), cands.c (candidate lists and their cache), match.c (matching a spec
 * against one candidate), calc.c (values, ambiguity, poison decisions),
 * patch.c (one instruction), report.c (text) and relocate.c (the driver).
 *
 * Everything here mirrors libbpf's src/relo_core.c and the CO-RE part of
 * src/libbpf.c (1.7 by default, 1.1 on request: see calc.c); the libbpf
 * function each piece follows is named above it.
 * None of these functions allocates (except the candidate cache), opens a
 * file or prints.
 */
#ifndef CORELINK_RELO_H
#define CORELINK_RELO_H

#include "corelink_internal.h"

/* libbpf's BPF_CORE_SPEC_MAX_LEN: raw access strings and target raw specs. */
#define CL_SPEC_MAX_LEN 64

static inline bool cl_kind_is_field(uint32_t kind)
{
	return kind <= CORELINK_FIELD_RSHIFT_U64;
}
static inline bool cl_kind_is_type(uint32_t kind)
{
	return (kind >= CORELINK_TYPE_ID_LOCAL && kind <= CORELINK_TYPE_SIZE) ||
	       kind == CORELINK_TYPE_MATCHES;
}
static inline bool cl_kind_is_enumval(uint32_t kind)
{
	return kind == CORELINK_ENUMVAL_EXISTS || kind == CORELINK_ENUMVAL_VALUE;
}

/* libbpf's btf_kind_core_compat(): same kind, or ENUM vs ENUM64 either way. */
static inline bool cl_kind_core_compat(const struct btf_type *a, const struct btf_type *b)
{
	return btfdb_kind(a) == btfdb_kind(b) || (btfdb_is_any_enum(a) && btfdb_is_any_enum(b));
}

/* One high-level step of a spec (libbpf struct bpf_core_accessor). */
struct cl_accessor {
	uint32_t type_id;  /* named: the containing composite; array/first: the element type */
	uint32_t idx;      /* member index, array index, or enumerator index */
	const char *name;  /* member/enumerator name; NULL for array-style accessors */
};

/* A parsed access on one BTF (libbpf struct bpf_core_spec). */
struct cl_spec {
	const struct btfdb_btf *btf;            /* BTF the ids below belong to */
	uint32_t root_type_id;                  /* relocation root (local) / candidate (target) */
	uint32_t kind;                          /* enum corelink_relo_kind */
	int len;                                /* high-level accessors in spec[] */
	struct cl_accessor spec[CL_SPEC_MAX_LEN];
	int raw_len;                            /* entries in raw_spec[] */
	int raw_spec[CL_SPEC_MAX_LEN];          /* every level, anonymous members included */
	uint32_t bit_offset;                    /* field bit offset (u32 arithmetic, as libbpf) */
};

/*
 * Parse relocation (type_id, access string, kind) on btf into spec
 * (libbpf bpf_core_parse_spec).  Returns 0, -EINVAL, -E2BIG (more than 64
 * raw entries) or a btfdb_resolve_size() error; err gets the reason.
 */
int cl_spec_parse(const struct btfdb_btf *btf, uint32_t type_id, const char *access,
		  uint32_t kind, struct cl_spec *spec, struct btfdb_err *err);

/* libbpf is_flex_arr(): nelems == 0 and the last member of the struct that
 * the previous named accessor `acc` stepped into. */
bool cl_is_flex_arr(const struct btfdb_btf *btf, const struct cl_accessor *acc,
		    const struct btf_array *arr);

/* ---- match.c ---- */

/* libbpf bpf_core_fields_are_compat(): 1 compatible, 0 not, <0 error. */
int cl_fields_are_compat(const struct btfdb_btf *local, uint32_t local_id,
			 const struct btfdb_btf *targ, uint32_t targ_id);
/* libbpf bpf_core_types_are_compat() (__bpf_core_types_are_compat, level 32). */
int cl_types_are_compat(const struct btfdb_btf *local, uint32_t local_id,
			const struct btfdb_btf *targ, uint32_t targ_id);
/* libbpf bpf_core_types_match() (__bpf_core_types_match, behind_ptr false, level 32). */
int cl_types_match(const struct btfdb_btf *local, uint32_t local_id,
		   const struct btfdb_btf *targ, uint32_t targ_id);
/*
 * libbpf bpf_core_spec_match(): match local_spec against candidate targ_id,
 * filling targ_spec.  1 matched, 0 not, <0 hard error (-E2BIG: target raw
 * spec deeper than 64; -EINVAL/-E2BIG from size resolution).  On 0, for field
 * and enum kinds, targ_spec->len is the index of the first local accessor that
 * found no match (used to explain poison).
 */
int cl_spec_match(const struct cl_spec *local_spec, const struct btfdb_btf *targ,
		  uint32_t targ_id, struct cl_spec *targ_spec);

/* ---- cands.c ---- */

/* Candidate target type ids for one local root type, ascending id order. */
struct cl_cand_list {
	uint32_t *ids;
	size_t len;
	size_t found;  /* len right after the search, before any pruning (reports) */
};

/* Per-run cache of candidate lists keyed by local root type id. */
struct cl_cand_cache;

int cl_cand_cache_new(const struct btfdb_btf *local, const struct btfdb_btf *targ,
		      const struct btfdb_index *idx, struct cl_cand_cache **out);
void cl_cand_cache_free(struct cl_cand_cache *cache);
/*
 * The cached list for local_id, searching the target on first use (libbpf
 * bpf_core_find_cands + bpf_core_add_cands).  -EINVAL when local_id is out of
 * range or anonymous (libbpf fails the candidate search then), -ENOMEM.
 * The list is owned by the cache; calc prunes it in place.
 */
int cl_cand_cache_get(struct cl_cand_cache *cache, uint32_t local_id,
		      struct cl_cand_list **out, struct btfdb_err *err);
/* Fresh (uncached) search, for tests: caller frees list->ids. */
int cl_cands_find(const struct btfdb_btf *local, uint32_t local_id,
		  const struct btfdb_btf *targ, const struct btfdb_index *idx,
		  struct cl_cand_list *list, struct btfdb_err *err);

/* ---- calc.c ---- */

/* calc's mode: bits of the object and of the rules followed. */
#define CL_MODE_BIG_ENDIAN 1u  /* the object is big-endian (LSHIFT_U64 formula) */
#define CL_MODE_LIBBPF_1_1 2u  /* libbpf 1.1's rules, else the newest (1.7) */

/* The result for one relocation (libbpf struct bpf_core_relo_res). */
struct cl_relo_res {
	uint64_t orig_val;          /* value the compiler put in the instruction */
	uint64_t new_val;           /* value for the target */
	bool poison;                /* rewrite the instruction to call 0xbad2310 */
	bool validate;              /* check the instruction holds orig_val first */
	bool fail_memsz_adjust;     /* load size would change unsafely (poison on LDX/ST/STX) */
	uint32_t orig_sz, new_sz;   /* field sizes for load-size rewrite (BYTE_OFFSET only) */
	uint32_t orig_type_id, new_type_id; /* field types (resolved), for the size check */
};

/* What calc learned beyond the result, for reports (no pointers owned). */
struct cl_relo_diag {
	uint32_t nr_cands;          /* candidates examined */
	uint32_t nr_found;          /* candidates the search found before earlier pruning */
	uint32_t nr_matched;        /* candidates that matched (the list is pruned to them) */
	uint32_t targ_id;           /* first matching candidate (0 if none) */
	int fail_acc;               /* no match: deepest local accessor index that failed, -1 if n/a */
	bool spec_ok;               /* the local spec parsed (specs[0] is usable) */
};

/*
 * libbpf bpf_core_calc_relo_insn() for one record: parse the local spec,
 * match every candidate, check they agree, prune cands to the matched ones
 * (when at least one matched), or compute the no-target result.  cands may
 * be NULL for TYPE_ID_LOCAL only.  specs is scratch space for 3 specs; after
 * success specs[0] is the local spec and, if a candidate matched, specs[2]
 * the first matching target spec.  Returns 0 or a negative errno with the
 * reason in err (no "prog/relo" prefix: the caller adds it).
 */
int cl_calc_relo_insn(const struct btfdb_btf *local, uint32_t type_id, const char *access,
		      uint32_t kind, unsigned mode, struct cl_cand_list *cands,
		      const struct btfdb_btf *targ, struct cl_spec specs[3],
		      struct cl_relo_res *res, struct cl_relo_diag *diag, struct btfdb_err *err);

/*
 * libbpf bpf_core_calc_relo(): values for one (local, target) pair; targ_spec
 * NULL means "no candidate".  CL_MODE_BIG_ENDIAN picks the LSHIFT_U64 formula
 * (the OBJECT's byte order; libbpf uses the host's), CL_MODE_LIBBPF_1_1 the
 * rules.
 */
int cl_calc_relo(const struct cl_spec *local_spec, const struct cl_spec *targ_spec,
		 unsigned mode, struct cl_relo_res *res, struct btfdb_err *err);

/* ---- patch.c ---- */

/*
 * libbpf bpf_core_patch_insn(): patch insns[0] (and insns[1] for ld_imm64);
 * nr_insns is how many instructions of the program start at insns (>= 1).
 * Instructions are in the object byte order.  *poisoned tells whether the
 * instruction was poisoned (res->poison, or an unsafe load-size change).
 * insn_idx is only used in messages.
 */
int cl_patch_insn(uint8_t *insns, size_t nr_insns, bool big_endian, uint32_t insn_idx,
		  const struct cl_relo_res *res, bool *poisoned, struct btfdb_err *err);
/* Whether insns[0] has a form some relocation could patch (ALU/ALU64 with an
 * immediate, LDX/ST/STX, a well-formed ld_imm64 with its second slot). */
bool cl_insn_patchable(const uint8_t *insns, size_t nr_insns, bool big_endian);

/* ---- report.c ---- */

/* "struct task_struct.mm", "struct s.arr[2][1].x", "enum e::VAL", "struct foo".
 * Up to `upto` high-level accessors (-1: all).  Returns snprintf-style length. */
int cl_spec_format(char *buf, size_t size, const struct cl_spec *spec, int upto);

/* A type in C terms: "struct task_struct", "enum e", "typedef u64", "void",
 * "struct <anon>"; "[id]" when btf has no such type.  snprintf-style length. */
int cl_type_format(char *buf, size_t size, const struct btfdb_btf *btf, uint32_t id);

/* Why a relocation was poisoned, in source terms (names the missing field). */
void cl_poison_reason(char *buf, size_t size, const struct cl_spec *local_spec,
		      const struct cl_relo_res *res, const struct cl_relo_diag *diag);

#endif /* CORELINK_RELO_H */
