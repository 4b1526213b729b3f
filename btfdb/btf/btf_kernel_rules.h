/* SPDX-License-Identifier: MIT */
/*
 * The rules of the kernel's BTF verifier (kernel/bpf/btf.c) that the
 * structural checks of btf_check_internal.h do not already make, so that a
 * type the kernel would reject (and with it the whole BTF) is bad input here
 * too, with the kernel's own reason in the message:
 *
 *   BTF: type [5] (array): the kernel's BTF verifier rejects it: "Array size
 *   overflows U32_MAX" (1073741824 elements of 4 bytes)
 *
 * Two parts, as in the kernel:
 *  - btfdb_kr_meta(): what a type's record says by itself (the kernel's
 *    *_check_meta()): kind_flag where no kind_flag is defined, names a kind
 *    must or must not have, reserved int bits and encodings, array size and
 *    void element/index, member offsets (union members at 0, in increasing
 *    order, within the struct), forward declarations without a type.
 *    Called for every type the per-type check sees (check_type()).
 *  - btfdb_kr_resolve(): what needs the types it refers to (the kernel's
 *    *_resolve() and check_member()): an array's size (nelems x element
 *    size must fit in 32 bits), index and element kinds; every member's type
 *    (through modifiers) fits the struct at its offset, is byte aligned where
 *    it must be, bitfields within their base type; pointer and modifier
 *    targets; func_proto return and argument types.  Called once every type
 *    the type holds by value passed the checks (the lazy check when it marks
 *    a type good; after the walk and the cycle check for full checks).
 *
 * Only for target (kernel) BTF, loaded with BTFDB_LOAD_KERNEL_RULES (the
 * handle's kernel_rules): corelink --btf, batch kernels, btfdb build/add.
 * Never for a BPF object's own .BTF, which libbpf does not verify (it
 * sanitizes it before loading) and which compilers fill with records the
 * kernel rejects (GCC 12: FUNC without a name, SIGNED|CHAR ints, a FWD
 * with a type, ...).
 *
 * Not applied, on purpose: rules a valid clang/gcc object or a valid kernel
 * BTF does not meet before libbpf's sanitizing (extern linkage of FUNC/VAR,
 * DATASEC size 0 and offsets, kind_flag on TYPEDEF/TYPE_TAG/DECL_TAG, which
 * newer kernels accept), identifier spelling of names, parameter names of a
 * FUNC's prototype.  Private to btfdb/btf.
 */
#ifndef BTFDB_BTF_KERNEL_RULES_H
#define BTFDB_BTF_KERNEL_RULES_H

#include "btfdb_internal.h"

/* 0, or -EINVAL with the message in err.  t is id's record, its references
 * (ids) already checked to be in range. */
int btfdb_kr_meta(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
		  struct btfdb_err *err);
/* 0, or -EINVAL with the message in err.  Every type t holds by value passed
 * the per-type checks; types behind pointers are only read, bounds-checked. */
int btfdb_kr_resolve(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
		     struct btfdb_err *err);
/* btfdb_kr_resolve() over every own type (full checks, after the cycle check). */
int btfdb_kr_resolve_all(const struct btfdb_btf *btf, struct btfdb_err *err);

#endif
