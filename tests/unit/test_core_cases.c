// SPDX-License-Identifier: MIT
/*
 * CO-RE case table: every test program (tests/progs/core_<group>.bpf.c) is
 * relocated through the library against synthetic kernels
 * (tests/targets/<group>__<case>.c, failures <group>___err_<why>.c) and
 * against its own BTF (cilium's trick: every value must stay unchanged),
 * in both byte orders, and each relocation is checked against an explicit
 * expectation:
 *   OK cases - the exact new value of every relocation (offsets pinned by
 *              _Static_assert in the target C files);
 *   P cases  - which relocations are poisoned (the others keep exact values);
 *   H cases  - corelink_relocate() returns the expected -errno and the
 *              message names the problem.
 * Relocations are identified by (kind, "<root type>:<path>") where the path
 * is rebuilt from the access string on the local BTF ("a.a.a", "b[1][2][3]",
 * "[2].a", "EV_NAMED_VAL1"); anonymous members do not appear in the path.
 * Every relocation must have an expectation and, in cases that do not stop
 * at a hard error, every expectation must be used.
 * Every case runs with both rule sets: libbpf 1.7's (the default) and 1.1's
 * (CORELINK_LIBBPF_1_1), with the same expectations unless the case lists
 * its 1.1 differences (over11, checked first under 1.1).
 * The kernel case relocates core_kernel against the running kernel and a
 * few btfhub kernels and checks offsets against an independent walk of the
 * target BTF.
 */
#include "test.h"

#include <errno.h>
#include <stdarg.h>
#include <unistd.h>

#include "btfdb.h"
#include "corelink.h"
#include "corelink_elf.h"
#include "corelink_internal.h"
#include "ext_btf.h"

/* ------------------------------------------------------------------ */
/* Expectations                                                        */
/* ------------------------------------------------------------------ */

enum how {
	X_VAL = 1,   /* status OK, new value == val (LE) / be (BE objects) */
	X_POISON,    /* status POISONED */
	X_LOCAL_ID,  /* status OK, new == orig == the record's local type id */
	X_TARGET_ID, /* status OK, new == id of the target type named by tname */
	X_SAME,      /* status OK, new == orig (self target default) */
};

struct exp {
	const char *key; /* "<root>:<path>"; "*" matches any key */
	uint32_t kind;
	enum how how;
	uint64_t val;
	uint64_t be;       /* value for big-endian objects */
	bool has_be;       /* be differs from val */
	const char *tname; /* X_TARGET_ID: "<kind> <name>", e.g. "struct tid_struct" */
};

#define K_OFF CORELINK_FIELD_BYTE_OFFSET
#define K_SZ CORELINK_FIELD_BYTE_SIZE
#define K_EX CORELINK_FIELD_EXISTS
#define K_SGN CORELINK_FIELD_SIGNED
#define K_LSH CORELINK_FIELD_LSHIFT_U64
#define K_RSH CORELINK_FIELD_RSHIFT_U64
#define K_TLOC CORELINK_TYPE_ID_LOCAL
#define K_TTGT CORELINK_TYPE_ID_TARGET
#define K_TEX CORELINK_TYPE_EXISTS
#define K_TSZ CORELINK_TYPE_SIZE
#define K_EVEX CORELINK_ENUMVAL_EXISTS
#define K_EVV CORELINK_ENUMVAL_VALUE
#define K_TM CORELINK_TYPE_MATCHES

#define V(k, kind, v) { k, kind, X_VAL, (uint64_t)(v), 0, false, NULL }
#define V2(k, kind, le, be_) { k, kind, X_VAL, (uint64_t)(le), (uint64_t)(be_), true, NULL }
#define PZ(k, kind) { k, kind, X_POISON, 0, 0, false, NULL }
#define TID(k, tn) { k, K_TTGT, X_TARGET_ID, 0, 0, false, tn }
#define END { NULL, 0, 0, 0, 0, false, NULL }

/*
 * A field read through BPF_CORE_READ_BITFIELD(_PROBED): the five values of
 * a target field at bit offset bo, bit size bs, loaded as byte_sz bytes at
 * byte_off (libbpf's rule, worked out by hand in the comments below), sign.
 * LSHIFT: little endian 64 - (bo + bs - byte_off*8),
 *         big endian (8 - byte_sz)*8 + (bo - byte_off*8).
 */
#define BF(k, bo, bs, byte_off, byte_sz, sgn)                                          \
	V(k, K_OFF, byte_off), V(k, K_SZ, byte_sz),                                     \
	V2(k, K_LSH, 64 - ((bo) + (bs) - (byte_off) * 8), (8 - (byte_sz)) * 8 + ((bo) - (byte_off) * 8)), \
	V(k, K_RSH, 64 - (bs)), V(k, K_SGN, sgn)
/* a plain (non-bitfield) int of sz bytes at byte offset off */
#define PLAIN(k, off, sz, sgn) BF(k, (off) * 8, (sz) * 8, off, sz, sgn)

struct ccase {
	const char *prog;   /* tests/progs/<prog>.bpf.c */
	const char *target; /* tests/targets/<target>.c; NULL: the program itself */
	int err;            /* expected corelink_relocate() result */
	const char *msg;    /* substring of the error message (err != 0) */
	const struct exp *exps; /* NULL for self: every value unchanged */
	const struct exp *over; /* checked before exps (case-specific differences) */
	const struct exp *over11; /* under libbpf 1.1's rules, checked before over and exps */
};

/* ---- flavors ---- */
static const struct exp flavors_base[] = {
	V("core_flavors___weird:a", K_OFF, 0),
	V("core_flavors___rev:b", K_OFF, 4),
	V("core_flavors___weird:c", K_OFF, 8),
	END,
};
static const struct exp flavors_wrong_name[] = {
	PZ("core_flavors___weird:a", K_OFF),
	PZ("core_flavors___rev:b", K_OFF),
	PZ("core_flavors___weird:c", K_OFF),
	END,
};

/* ---- nesting ---- */
#define NEST(a, b) { V("core_nesting:a.a.a", K_OFF, a), V("core_nesting:b.b.b", K_OFF, b), END }
static const struct exp nesting_base[] = NEST(0, 4);
static const struct exp nesting_anon_embed[] = NEST(4, 8);
static const struct exp nesting_mixup[] = NEST(8, 16);
static const struct exp nesting_extra[] = NEST(4, 12);
static const struct exp nesting_dup_compat[] = NEST(4, 16);
static const struct exp nesting_b_poisoned[] = {
	V("core_nesting:a.a.a", K_OFF, 0),
	PZ("core_nesting:b.b.b", K_OFF),
	END,
};

/* ---- arrays ---- */
#define ARR(a, b, c, d, f)                                                               \
	{ V("core_arrays:a[2]", K_OFF, a), V("core_arrays:b[1][2][3]", K_OFF, b),        \
	  V("core_arrays:c[1].c", K_OFF, c), V("core_arrays:d[0][0].d", K_OFF, d),       \
	  V("core_arrays:f[1][0].c", K_OFF, f), END }
static const struct exp arrays_base[] = ARR(8, 43, 52, 72, 100);
static const struct exp arrays_diff_dim[] = ARR(8, 61, 96, 124, 192);
static const struct exp arrays_diff_val_sz[] = ARR(8, 43, 60, 84, 132);
static const struct exp arrays_too_small[] = ARR(0, 31, 40, 60, 88);
static const struct exp arrays_too_shallow[] = ARR(8, 0, 36, 56, 84);
static const struct exp arrays_non_array[] = ARR(0, 27, 36, 56, 84);
static const struct exp arrays_wrong_val[] = ARR(8, 43, 0, 60, 88);
static const struct exp arrays_p_a[] = { PZ("core_arrays:a[2]", K_OFF), END };
static const struct exp arrays_p_b[] = { PZ("core_arrays:b[1][2][3]", K_OFF), END };
static const struct exp arrays_p_c[] = { PZ("core_arrays:c[1].c", K_OFF), END };
static const struct exp arrays_p_f[] = { PZ("core_arrays:f[1][0].c", K_OFF), END };

/* ---- primitives ---- */
#define PRIM(a, b, c, d, f)                                                              \
	{ V("core_primitives:a", K_OFF, a), V("core_primitives:b", K_OFF, b),            \
	  V("core_primitives:c", K_OFF, c), V("core_primitives:d", K_OFF, d),            \
	  V("core_primitives:f", K_OFF, f), END }
static const struct exp prim_base[] = PRIM(0, 4, 8, 16, 24);
static const struct exp prim_enum_def[] = PRIM(0, 4, 24, 8, 16);
static const struct exp prim_func_proto[] = PRIM(24, 20, 16, 8, 0);
static const struct exp prim_ptr_type[] = PRIM(8, 12, 16, 0, 24);
static const struct exp prim_non_enum[] = PRIM(0, 4, 0, 16, 24);
static const struct exp prim_non_int[] = PRIM(0, 0, 16, 24, 32);
static const struct exp prim_non_ptr[] = PRIM(0, 4, 8, 0, 16);
static const struct exp prim_p_c[] = { PZ("core_primitives:c", K_OFF), END };
static const struct exp prim_p_b[] = { PZ("core_primitives:b", K_OFF), END };
static const struct exp prim_p_d[] = { PZ("core_primitives:d", K_OFF), END };

/* ---- mods ---- */
#define MODS(a, b, c, d, e, f, g, h)                                                     \
	{ V("core_mods:a", K_OFF, a), V("core_mods:b", K_OFF, b), V("core_mods:c", K_OFF, c), \
	  V("core_mods:d", K_OFF, d), V("core_mods:e[1]", K_OFF, e),                     \
	  V("core_mods:f[2]", K_OFF, f), V("core_mods:g.y", K_OFF, g),                   \
	  V("core_mods:h.x", K_OFF, h), END }
static const struct exp mods_base[] = MODS(0, 4, 8, 16, 28, 44, 68, 72);
static const struct exp mods_swap[] = MODS(4, 0, 16, 8, 40, 32, 76, 68);
static const struct exp mods_typedefs[] = MODS(76, 72, 64, 56, 40, 24, 4, 8);

/* ---- ptr_as_arr ---- */
static const struct exp ptr_as_arr_base[] = { V("core_ptr_as_arr:[2].a", K_OFF, 8), END };
static const struct exp ptr_as_arr_diff_sz[] = { V("core_ptr_as_arr:[2].a", K_OFF, 32), END };

/* ---- ints: offset, size, signedness of each field ---- */
#define INTF(f, off, sz, sgn)                                                            \
	V("core_ints:" f, K_OFF, off), V("core_ints:" f, K_SZ, sz), V("core_ints:" f, K_SGN, sgn)
static const struct exp ints_base[] = {
	INTF("u8_field", 0, 1, 0), INTF("s8_field", 1, 1, 1), INTF("u16_field", 2, 2, 0),
	INTF("s16_field", 4, 2, 1), INTF("u32_field", 8, 4, 0), INTF("s32_field", 12, 4, 1),
	INTF("u64_field", 16, 8, 0), INTF("s64_field", 24, 8, 1), END,
};
static const struct exp ints_reverse_sign[] = {
	INTF("u8_field", 0, 1, 1), INTF("s8_field", 1, 1, 0), INTF("u16_field", 2, 2, 1),
	INTF("s16_field", 4, 2, 0), INTF("u32_field", 8, 4, 1), INTF("s32_field", 12, 4, 0),
	INTF("u64_field", 16, 8, 1), INTF("s64_field", 24, 8, 0), END,
};
static const struct exp ints_diff_sz[] = {
	INTF("u8_field", 16, 4, 0), INTF("s8_field", 20, 4, 1), INTF("u16_field", 24, 1, 0),
	INTF("s16_field", 25, 1, 1), INTF("u32_field", 26, 2, 0), INTF("s32_field", 28, 2, 1),
	INTF("u64_field", 8, 8, 0), INTF("s64_field", 0, 8, 1), END,
};

/* ---- misc ---- */
static const struct exp misc_base[] = {
	V("core_misc___a:a1", K_OFF, 4),
	V("core_misc___b:b1", K_OFF, 12),
	V("core_misc_ext:[2]", K_OFF, 32),
	END,
};

/* ---- existence ---- */
#define EXI(f, rd, ex, off) V("core_existence:" f, K_EX, ex), V("core_existence:" rd, K_OFF, off)
#define EXI_NO(f, rd) V("core_existence:" f, K_EX, 0), PZ("core_existence:" rd, K_OFF)
static const struct exp exist_base[] = {
	EXI("a", "a", 1, 0), EXI("b", "b", 1, 4), EXI("c", "c", 1, 8),
	EXI("arr", "arr[0]", 1, 12), EXI("s", "s.x", 1, 16), END,
};
static const struct exp exist_minimal[] = {
	EXI("a", "a", 1, 4), EXI_NO("b", "b"), EXI_NO("c", "c"),
	EXI_NO("arr", "arr[0]"), EXI_NO("s", "s.x"), END,
};
static const struct exp exist_wrong_defs[] = {
	EXI_NO("a", "a"), EXI_NO("b", "b"), EXI_NO("c", "c"),
	EXI_NO("arr", "arr[0]"), EXI_NO("s", "s.x"), END,
};

/* ---- bitfields ----
 * local/base: ub1 u8:1@0, ub2 u8:2@1, ub7 u32:7@3, sb4 s8:4@10, sb20 s32:20@32,
 * u32 @8, s32 @12.  byte_sz starts at the member type's size, byte_off is
 * bit_off rounded down to it (sb4: 1 byte at 1, sb20: 4 bytes at 4). */
static const struct exp bf_base[] = {
	BF("core_bitfields:ub1", 0, 1, 0, 1, 0), BF("core_bitfields:ub2", 1, 2, 0, 1, 0),
	BF("core_bitfields:ub7", 3, 7, 0, 4, 0), BF("core_bitfields:sb4", 10, 4, 1, 1, 1),
	BF("core_bitfields:sb20", 32, 20, 4, 4, 1), PLAIN("core_bitfields:u32", 8, 4, 0),
	PLAIN("core_bitfields:s32", 12, 4, 1), END,
};
/* ub1 u16:3@0 (2 bytes at 0), ub2 u32:20@3 (4 at 0), ub7 u8:1@23 (1 at 2),
 * sb4 s8:1@24 (1 at 3), sb20 s32:30@32 (4 at 4), u32 u16@8, s32 s64@16 */
static const struct exp bf_bit_sz_change[] = {
	BF("core_bitfields:ub1", 0, 3, 0, 2, 0), BF("core_bitfields:ub2", 3, 20, 0, 4, 0),
	BF("core_bitfields:ub7", 23, 1, 2, 1, 0), BF("core_bitfields:sb4", 24, 1, 3, 1, 1),
	BF("core_bitfields:sb20", 32, 30, 4, 4, 1), PLAIN("core_bitfields:u32", 8, 2, 0),
	PLAIN("core_bitfields:s32", 16, 8, 1), END,
};
/* plain u64@0, u8@8, s64@16, s64@24, u16@32; u32 = s32:20@288 (4 bytes at
 * 36), s32 = u64:60@320 (8 bytes at 40) */
static const struct exp bf_vs_int[] = {
	PLAIN("core_bitfields:ub1", 0, 8, 0), PLAIN("core_bitfields:ub2", 8, 1, 0),
	PLAIN("core_bitfields:ub7", 16, 8, 1), PLAIN("core_bitfields:sb4", 24, 8, 1),
	PLAIN("core_bitfields:sb20", 32, 2, 0), BF("core_bitfields:u32", 288, 20, 36, 4, 1),
	BF("core_bitfields:s32", 320, 60, 40, 8, 0), END,
};
/* packed: ub1 u64:4@0, ub2 u64:60@4 (exactly bits 4..63 of the 8 bytes at 0),
 * then plain u32s at 8, 12, 16, 20, 24 */
static const struct exp bf_just_big_enough[] = {
	BF("core_bitfields:ub1", 0, 4, 0, 8, 0), BF("core_bitfields:ub2", 4, 60, 0, 8, 0),
	PLAIN("core_bitfields:ub7", 8, 4, 0), PLAIN("core_bitfields:sb4", 12, 4, 0),
	PLAIN("core_bitfields:sb20", 16, 4, 0), PLAIN("core_bitfields:u32", 20, 4, 0),
	PLAIN("core_bitfields:s32", 24, 4, 0), END,
};
/* ub1 resolves (before the error); ub2 u64:61@4 needs 65 bits: -E2BIG */
static const struct exp bf_too_big[] = { BF("core_bitfields:ub1", 0, 4, 0, 8, 0), END };

/* ---- size ---- */
#define SZF(f, off, sz) V("core_size:" f, K_OFF, off), V("core_size:" f, K_SZ, sz)
static const struct exp size_base[] = {
	SZF("int_field", 0, 4), SZF("struct_field", 4, 4), SZF("union_field", 8, 4),
	SZF("arr_field", 12, 16), V("core_size:arr_field[0]", K_SZ, 4),
	V("core_size:arr_field[2]", K_OFF, 20), SZF("ptr_field", 32, 8),
	SZF("enum_field", 40, 4), SZF("float_field", 44, 4), END,
};
static const struct exp size_diff_sz[] = {
	SZF("int_field", 0, 8), SZF("struct_field", 8, 12), SZF("union_field", 20, 124),
	SZF("arr_field", 144, 10), V("core_size:arr_field[0]", K_SZ, 1),
	V("core_size:arr_field[2]", K_OFF, 146), SZF("ptr_field", 160, 8),
	SZF("enum_field", 168, 8), SZF("float_field", 176, 8), END,
};
static const struct exp size_diff_offs[] = {
	SZF("int_field", 40, 4), SZF("struct_field", 36, 4), SZF("union_field", 32, 4),
	SZF("arr_field", 16, 16), V("core_size:arr_field[0]", K_SZ, 4),
	V("core_size:arr_field[2]", K_OFF, 24), SZF("ptr_field", 8, 8),
	SZF("enum_field", 4, 4), SZF("float_field", 0, 4), END,
};

/* ---- type_based: exists, size, matches for the 11 types, in order ---- */
#define TB1(n, e, s, m) V(n, K_TEX, e), V(n, K_TSZ, s), V(n, K_TM, m)
#define TB(e0, s0, m0, e1, s1, m1, e2, s2, m2, e3, s3, m3, e4, s4, m4, e5, s5, m5, e6, s6, m6, \
	   e7, s7, m7, e8, s8, m8, e9, s9, m9, e10, s10, m10)                              \
	{ TB1("tb_struct:", e0, s0, m0), TB1("tb_union:", e1, s1, m1),                      \
	  TB1("tb_enum:", e2, s2, m2), TB1("tb_named_struct_t:", e3, s3, m3),               \
	  TB1("tb_anon_struct_t:", e4, s4, m4), TB1("tb_struct_ptr_t:", e5, s5, m5),        \
	  TB1("tb_int_t:", e6, s6, m6), TB1("tb_enum_t:", e7, s7, m7),                      \
	  TB1("tb_void_ptr_t:", e8, s8, m8), TB1("tb_func_t:", e9, s9, m9),                 \
	  TB1("tb_arr_t:", e10, s10, m10), END }
static const struct exp tb_base[] = TB(1, 4, 1, 1, 4, 1, 1, 4, 1, 1, 4, 1, 1, 12, 1, 1, 8, 1,
				       1, 4, 1, 1, 4, 1, 1, 8, 1, 1, 8, 1, 1, 20, 1);
static const struct exp tb_all_missing[] = TB(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
static const struct exp tb_diff[] = TB(1, 8, 1, 1, 4, 1, 1, 4, 1, 1, 8, 1, 1, 12, 1, 1, 8, 1,
				       1, 4, 1, 1, 4, 1, 1, 8, 1, 1, 8, 1, 1, 3, 0);
static const struct exp tb_diff_sz[] = TB(1, 16, 0, 1, 1, 0, 1, 8, 0, 1, 16, 0, 1, 24, 0, 1, 8, 1,
					  1, 8, 0, 1, 8, 0, 1, 8, 1, 1, 8, 0, 1, 8, 0);
static const struct exp tb_incompat[] = TB(0, 0, 0, 0, 0, 0, 1, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
static const struct exp tb_fn_wrong_args[] = TB(1, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

/* ---- type_id ---- */
static const struct exp tid_base[] = {
	{ "*", K_TLOC, X_LOCAL_ID, 0, 0, false, NULL },
	TID("tid_struct:", "struct tid_struct"), TID("tid_union:", "union tid_union"),
	TID("tid_enum:", "enum tid_enum"), TID("int:", "int int"),
	TID("tid_struct_t:", "typedef tid_struct_t"), TID("tid_func_t:", "typedef tid_func_t"),
	TID("tid_arr_t:", "typedef tid_arr_t"), END,
};
static const struct exp tid_missing[] = {
	{ "*", K_TLOC, X_LOCAL_ID, 0, 0, false, NULL },
	V("tid_struct:", K_TTGT, 0), V("tid_union:", K_TTGT, 0), V("tid_enum:", K_TTGT, 0),
	V("int:", K_TTGT, 0), V("tid_struct_t:", K_TTGT, 0), V("tid_func_t:", K_TTGT, 0),
	V("tid_arr_t:", K_TTGT, 0), END,
};

/* ---- enumval ---- */
#define EVN(v) "ev_named:EV_NAMED_" v
#define EVA(v) "ev_anon_t:EV_ANON_" v
#define EV_EXISTS(n1, n2, n3, a1, a2, a3)                                                \
	V(EVN("VAL1"), K_EVEX, n1), V(EVN("VAL2"), K_EVEX, n2), V(EVN("VAL3"), K_EVEX, n3), \
	V(EVA("VAL1"), K_EVEX, a1), V(EVA("VAL2"), K_EVEX, a2), V(EVA("VAL3"), K_EVEX, a3)
static const struct exp ev_base[] = {
	EV_EXISTS(1, 1, 1, 1, 1, 1), V(EVN("VAL1"), K_EVV, 1), V(EVN("VAL2"), K_EVV, 2),
	V(EVA("VAL1"), K_EVV, 0x10), V(EVA("VAL2"), K_EVV, 0x20), END,
};
/* 0x80000000 in an unsigned 32-bit enum is read as s32 and sign-extended */
static const struct exp ev_diff[] = {
	EV_EXISTS(1, 1, 1, 1, 1, 1), V(EVN("VAL1"), K_EVV, 101),
	V(EVN("VAL2"), K_EVV, 0xffffffff80000000ull), V(EVA("VAL1"), K_EVV, 0x11),
	V(EVA("VAL2"), K_EVV, (uint64_t)-0x22ll), END,
};
static const struct exp ev_val3_missing[] = {
	EV_EXISTS(1, 1, 0, 1, 1, 0), V(EVN("VAL1"), K_EVV, 111), V(EVN("VAL2"), K_EVV, 222),
	V(EVA("VAL1"), K_EVV, 0x111), V(EVA("VAL2"), K_EVV, 0x222), END,
};
static const struct exp ev_err_missing[] = {
	EV_EXISTS(1, 0, 1, 1, 0, 1), V(EVN("VAL1"), K_EVV, 1), PZ(EVN("VAL2"), K_EVV),
	V(EVA("VAL1"), K_EVV, 0x111), PZ(EVA("VAL2"), K_EVV), END,
};

/* ---- enum64val ---- */
#define E6U(v) "ev64_unsigned:EV64_U_" v
#define E6S(v) "ev64_signed:EV64_S_" v
#define E64_EXISTS(u1, u2, u3, s1, s2, s3)                                               \
	V(E6U("VAL1"), K_EVEX, u1), V(E6U("VAL2"), K_EVEX, u2), V(E6U("VAL3"), K_EVEX, u3), \
	V(E6S("VAL1"), K_EVEX, s1), V(E6S("VAL2"), K_EVEX, s2), V(E6S("VAL3"), K_EVEX, s3)
static const struct exp e64_base[] = {
	E64_EXISTS(1, 1, 1, 1, 1, 1), V(E6U("VAL1"), K_EVV, 0x1ffffffffull),
	V(E6U("VAL2"), K_EVV, 2), V(E6S("VAL1"), K_EVV, (uint64_t)-0x1ffffffffll),
	V(E6S("VAL2"), K_EVV, (uint64_t)-2ll), END,
};
static const struct exp e64_diff[] = {
	E64_EXISTS(1, 1, 1, 1, 1, 1), V(E6U("VAL1"), K_EVV, 0x101ffffffffull),
	V(E6U("VAL2"), K_EVV, 0x202ffffffffull), V(E6S("VAL1"), K_EVV, (uint64_t)-0x101ffffffffll),
	V(E6S("VAL2"), K_EVV, (uint64_t)-0x202ffffffffll), END,
};
/* the target enums are 32-bit BTF_KIND_ENUM */
static const struct exp e64_val3_missing[] = {
	E64_EXISTS(1, 1, 0, 1, 1, 0), V(E6U("VAL1"), K_EVV, 0x111), V(E6U("VAL2"), K_EVV, 0x222),
	V(E6S("VAL1"), K_EVV, (uint64_t)-0x111ll), V(E6S("VAL2"), K_EVV, (uint64_t)-0x222ll), END,
};
static const struct exp e64_err_missing[] = {
	E64_EXISTS(1, 0, 1, 1, 0, 1), V(E6U("VAL1"), K_EVV, 0x1ffffffffull), PZ(E6U("VAL2"), K_EVV),
	V(E6S("VAL1"), K_EVV, (uint64_t)-0x1ffffffffll), PZ(E6S("VAL2"), K_EVV), END,
};

/* ---- partial_match_dups: the first a.a.a prunes the candidates to __a ---- */
static const struct exp nesting_partial[] = {
	V("core_nesting:a.a.a", K_OFF, 0),
	PZ("core_nesting:b.b.b", K_OFF),
	END,
};

/*
 * ---- GCC 12 (bpf-gcc -O2 -gbtf -mco-re): the records it emits, see tests/cases.md ----
 * gcc_nesting: core_nesting.bpf.c built by GCC has one record, the direct load of a.a.a
 * (BPF_CORE_READ's __builtin_preserve_access_index and the load of b.b.b give none).
 * gcc_access: of four direct loads through struct core_mods, c and h.x get records.
 * gcc_builtin: the record of __builtin_preserve_access_index(&in->struct_field) names
 * the register move before the add: unpatchable where core_size exists (libbpf: EINVAL
 * "failed to patch insn"), poisoned where it does not.
 */
#define GCC_NEST(a) { V("core_nesting:a.a.a", K_OFF, a), END }
static const struct exp gcc_nesting_base[] = GCC_NEST(0);
static const struct exp gcc_nesting_anon_embed[] = GCC_NEST(4);
static const struct exp gcc_nesting_mixup[] = GCC_NEST(8);
static const struct exp gcc_nesting_extra[] = GCC_NEST(4);
#define GCC_MODS(c, h) { V("core_mods:c", K_OFF, c), V("core_mods:h.x", K_OFF, h), END }
static const struct exp gcc_mods_base[] = GCC_MODS(8, 72);
static const struct exp gcc_mods_swap[] = GCC_MODS(16, 68);
static const struct exp gcc_mods_typedefs[] = GCC_MODS(64, 8);
static const struct exp gcc_builtin_none[] = { END };
static const struct exp gcc_builtin_missing[] = { PZ("core_size:struct_field", K_OFF), END };
/* ---- arrmem: LDX/STX/ST on an array member, a 2-D row, a 2-D member ----
 * Each key stands for three records (the LDX, STX and ST programs), which
 * both rule sets treat alike; the value is the new instruction offset. */
#define ARRMEM(arr, rows, row1) \
	{ V("core_arrmem:arr", K_OFF, arr), V("core_arrmem:rows", K_OFF, rows), \
	  V("core_arrmem:rows[1]", K_OFF, row1), END }
#define ARRMEM_PZ(key) { PZ("core_arrmem:" key, K_OFF), END }
static const struct exp arrmem_base[] = ARRMEM(4, 20, 36);
/* longer: elements equal (1.7 patches), whole arrays 16/32 vs 32/64 (1.1 poisons) */
static const struct exp arrmem_longer[] = ARRMEM(8, 40, 72);
static const struct exp arrmem_longer_11[] = {
	PZ("core_arrmem:arr", K_OFF), PZ("core_arrmem:rows", K_OFF), PZ("core_arrmem:rows[1]", K_OFF),
	END,
};
/* wider, same totals: elements 4 vs 8 (1.7 poisons), whole sizes equal (1.1 patches) */
static const struct exp arrmem_wider[] = {
	PZ("core_arrmem:arr", K_OFF), PZ("core_arrmem:rows", K_OFF), PZ("core_arrmem:rows[1]", K_OFF),
	END,
};
static const struct exp arrmem_wider_11[] = ARRMEM(8, 24, 40);
/* u16 arr[8] (1.7 poisons, 1.1 patches); int rows[2][4] (both patch) */
static const struct exp arrmem_elem_type[] = ARRMEM(16, 32, 48);
static const struct exp arrmem_elem_type_p[] = ARRMEM_PZ("arr");
static const struct exp arrmem_elem_type_11[] = { V("core_arrmem:arr", K_OFF, 16), END };
/* rows[4][2]: a row 16 vs 8 bytes (1.1 poisons rows[1]), elements 4 (1.7 patches) */
static const struct exp arrmem_reshaped[] = ARRMEM(12, 28, 36);
static const struct exp arrmem_reshaped_11[] = ARRMEM_PZ("rows[1]");

static const struct ccase cases[] = {
	/* flavors */
	{ "core_flavors", "flavors__base", 0, NULL, flavors_base, NULL },
	{ "core_flavors", "flavors___err_wrong_name", 0, NULL, flavors_wrong_name, NULL },
	/* its own BTF holds both local flavors, with different offsets of a */
	{ "core_flavors", NULL, -EINVAL, "field offset ambiguity", NULL, NULL },
	/* nesting */
	{ "core_nesting", "nesting__base", 0, NULL, nesting_base, NULL },
	{ "core_nesting", "nesting__anon_embed", 0, NULL, nesting_anon_embed, NULL },
	{ "core_nesting", "nesting__struct_union_mixup", 0, NULL, nesting_mixup, NULL },
	{ "core_nesting", "nesting__extra_nesting", 0, NULL, nesting_extra, NULL },
	{ "core_nesting", "nesting__dup_compat_types", 0, NULL, nesting_dup_compat, NULL },
	{ "core_nesting", "nesting___err_missing_field", 0, NULL, nesting_b_poisoned, NULL },
	{ "core_nesting", "nesting___err_array_field", 0, NULL, nesting_b_poisoned, NULL },
	{ "core_nesting", "nesting___err_missing_container", 0, NULL, nesting_b_poisoned, NULL },
	{ "core_nesting", "nesting___err_nonstruct_container", 0, NULL, nesting_b_poisoned, NULL },
	{ "core_nesting", "nesting___err_array_container", 0, NULL, nesting_b_poisoned, NULL },
	{ "core_nesting", "nesting___err_dup_incompat_types", -EINVAL, "field offset ambiguity", nesting_base, NULL },
	{ "core_nesting", "nesting___err_partial_match_dups", 0, NULL, nesting_partial, NULL },
	{ "core_nesting", "nesting___err_too_deep", -E2BIG, "64", nesting_base, NULL },
	{ "core_nesting", NULL, 0, NULL, NULL, NULL },
	/* arrays */
	{ "core_arrays", "arrays__base", 0, NULL, arrays_base, NULL },
	{ "core_arrays", "arrays__diff_arr_dim", 0, NULL, arrays_diff_dim, NULL },
	{ "core_arrays", "arrays__diff_arr_val_sz", 0, NULL, arrays_diff_val_sz, NULL },
	{ "core_arrays", "arrays__equiv_zero_sz_arr", 0, NULL, arrays_base, NULL },
	{ "core_arrays", "arrays___err_too_small", 0, NULL, arrays_too_small, arrays_p_a },
	{ "core_arrays", "arrays___err_too_shallow", 0, NULL, arrays_too_shallow, arrays_p_b },
	{ "core_arrays", "arrays___err_non_array", 0, NULL, arrays_non_array, arrays_p_a },
	{ "core_arrays", "arrays___err_wrong_val_type", 0, NULL, arrays_wrong_val, arrays_p_c },
	{ "core_arrays", "arrays___err_bad_zero_sz_arr", 0, NULL, arrays_base, arrays_p_f },
	{ "core_arrays", NULL, 0, NULL, NULL, NULL },
	/* primitives */
	{ "core_primitives", "primitives__base", 0, NULL, prim_base, NULL },
	{ "core_primitives", "primitives__diff_enum_def", 0, NULL, prim_enum_def, NULL },
	{ "core_primitives", "primitives__diff_func_proto", 0, NULL, prim_func_proto, NULL },
	{ "core_primitives", "primitives__diff_ptr_type", 0, NULL, prim_ptr_type, NULL },
	{ "core_primitives", "primitives___err_non_enum", 0, NULL, prim_non_enum, prim_p_c },
	{ "core_primitives", "primitives___err_non_int", 0, NULL, prim_non_int, prim_p_b },
	{ "core_primitives", "primitives___err_non_ptr", 0, NULL, prim_non_ptr, prim_p_d },
	{ "core_primitives", NULL, 0, NULL, NULL, NULL },
	/* mods */
	{ "core_mods", "mods__base", 0, NULL, mods_base, NULL },
	{ "core_mods", "mods__mod_swap", 0, NULL, mods_swap, NULL },
	{ "core_mods", "mods__typedefs", 0, NULL, mods_typedefs, NULL },
	{ "core_mods", NULL, 0, NULL, NULL, NULL },
	/* ptr_as_arr */
	{ "core_ptr_as_arr", "ptr_as_arr__base", 0, NULL, ptr_as_arr_base, NULL },
	{ "core_ptr_as_arr", "ptr_as_arr__diff_sz", 0, NULL, ptr_as_arr_diff_sz, NULL },
	{ "core_ptr_as_arr", NULL, 0, NULL, NULL, NULL },
	/* ints */
	{ "core_ints", "ints__base", 0, NULL, ints_base, NULL },
	{ "core_ints", "ints__bool", 0, NULL, ints_base, NULL },
	{ "core_ints", "ints__reverse_sign", 0, NULL, ints_reverse_sign, NULL },
	{ "core_ints", "ints__diff_sz", 0, NULL, ints_diff_sz, NULL },
	{ "core_ints", NULL, 0, NULL, NULL, NULL },
	/* misc */
	{ "core_misc", "misc__base", 0, NULL, misc_base, NULL },
	{ "core_misc", NULL, 0, NULL, NULL, NULL },
	/* existence */
	{ "core_existence", "existence__base", 0, NULL, exist_base, NULL },
	{ "core_existence", "existence__minimal", 0, NULL, exist_minimal, NULL },
	{ "core_existence", "existence__wrong_field_defs", 0, NULL, exist_wrong_defs, NULL },
	{ "core_existence", NULL, 0, NULL, NULL, NULL },
	/* bitfields (probed and direct reads in one object) */
	{ "core_bitfields", "bitfields__base", 0, NULL, bf_base, NULL },
	{ "core_bitfields", "bitfields__bit_sz_change", 0, NULL, bf_bit_sz_change, NULL },
	{ "core_bitfields", "bitfields__bitfield_vs_int", 0, NULL, bf_vs_int, NULL },
	{ "core_bitfields", "bitfields__just_big_enough", 0, NULL, bf_just_big_enough, NULL },
	{ "core_bitfields", "bitfields___err_too_big_bitfield", -E2BIG, "ub2", bf_too_big, NULL },
	{ "core_bitfields", NULL, 0, NULL, NULL, NULL },
	/* size */
	{ "core_size", "size__base", 0, NULL, size_base, NULL },
	{ "core_size", "size__diff_sz", 0, NULL, size_diff_sz, NULL },
	{ "core_size", "size__diff_offs", 0, NULL, size_diff_offs, NULL },
	{ "core_size", "size___err_ambiguous", -EINVAL, "decision ambiguity", size_base, NULL },
	{ "core_size", NULL, 0, NULL, NULL, NULL },
	/* type_based (clang >= 15) */
	{ "core_type_based", "type_based__base", 0, NULL, tb_base, NULL },
	{ "core_type_based", "type_based__all_missing", 0, NULL, tb_all_missing, NULL },
	{ "core_type_based", "type_based__diff", 0, NULL, tb_diff, NULL },
	{ "core_type_based", "type_based__diff_sz", 0, NULL, tb_diff_sz, NULL },
	{ "core_type_based", "type_based__incompat", 0, NULL, tb_incompat, NULL },
	{ "core_type_based", "type_based__fn_wrong_args", 0, NULL, tb_fn_wrong_args, NULL },
	{ "core_type_based", NULL, 0, NULL, NULL, NULL },
	/* type_id */
	{ "core_type_id", "type_id__base", 0, NULL, tid_base, NULL },
	{ "core_type_id", "type_id__missing_targets", 0, NULL, tid_missing, NULL },
	{ "core_type_id", NULL, 0, NULL, NULL, NULL },
	/* enumval */
	{ "core_enumval", "enumval__base", 0, NULL, ev_base, NULL },
	{ "core_enumval", "enumval__diff", 0, NULL, ev_diff, NULL },
	{ "core_enumval", "enumval__val3_missing", 0, NULL, ev_val3_missing, NULL },
	{ "core_enumval", "enumval___err_missing", 0, NULL, ev_err_missing, NULL },
	{ "core_enumval", NULL, 0, NULL, NULL, NULL },
	/* enum64val (clang >= 15) */
	{ "core_enum64val", "enum64val__base", 0, NULL, e64_base, NULL },
	{ "core_enum64val", "enum64val__diff", 0, NULL, e64_diff, NULL },
	{ "core_enum64val", "enum64val__val3_missing", 0, NULL, e64_val3_missing, NULL },
	{ "core_enum64val", "enum64val___err_missing", 0, NULL, e64_err_missing, NULL },
	{ "core_enum64val", NULL, 0, NULL, NULL, NULL },
	/* built by GCC 12 */
	{ "gcc_nesting", "nesting__base", 0, NULL, gcc_nesting_base, NULL },
	{ "gcc_nesting", "nesting__anon_embed", 0, NULL, gcc_nesting_anon_embed, NULL },
	{ "gcc_nesting", "nesting__struct_union_mixup", 0, NULL, gcc_nesting_mixup, NULL },
	{ "gcc_nesting", "nesting__extra_nesting", 0, NULL, gcc_nesting_extra, NULL },
	{ "gcc_nesting", NULL, 0, NULL, NULL, NULL },
	{ "gcc_access", "mods__base", 0, NULL, gcc_mods_base, NULL },
	{ "gcc_access", "mods__mod_swap", 0, NULL, gcc_mods_swap, NULL },
	{ "gcc_access", "mods__typedefs", 0, NULL, gcc_mods_typedefs, NULL },
	{ "gcc_access", NULL, 0, NULL, NULL, NULL },
	{ "gcc_builtin", "size__base", -EINVAL, "register operand", gcc_builtin_none, NULL },
	{ "gcc_builtin", "mods__base", 0, NULL, gcc_builtin_missing, NULL },
	/* arrmem: the rules of libbpf 1.6.0+ (d7a4ab15) against 1.1's */
	{ "core_arrmem", "arrmem__base", 0, NULL, arrmem_base, NULL, NULL },
	{ "core_arrmem", "arrmem__longer", 0, NULL, arrmem_longer, NULL, arrmem_longer_11 },
	{ "core_arrmem", "arrmem__wider", 0, NULL, arrmem_wider, NULL, arrmem_wider_11 },
	{ "core_arrmem", "arrmem__elem_type", 0, NULL, arrmem_elem_type, arrmem_elem_type_p,
	  arrmem_elem_type_11 },
	{ "core_arrmem", "arrmem__reshaped", 0, NULL, arrmem_reshaped, NULL, arrmem_reshaped_11 },
	{ "core_arrmem", NULL, 0, NULL, NULL, NULL, NULL },
	/* the kernel program against itself (real kernels: see test_kernel) */
	{ "core_kernel", NULL, 0, NULL, NULL, NULL },
};

/* ------------------------------------------------------------------ */
/* Relocation keys                                                     */
/* ------------------------------------------------------------------ */

static void appendf(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t sz, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len >= sz)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, sz - len, fmt, ap);
	va_end(ap);
}

/*
 * "<root name>:<path>" for record r: for field kinds the access string
 * walked on the local BTF (named members joined by '.', array indexes as
 * "[i]", anonymous members left out, a nonzero first index as "[i]"), for
 * enum kinds the enumerator name, for type kinds nothing after ':'.
 */
static void relo_key(const struct btfdb_btf *btf, const struct cl_core_relo *r, char *buf,
		     size_t sz)
{
	const struct btf_type *t = btfdb_btf_type(btf, r->type_id);
	const char *acc = btfdb_btf_str(btf, r->access_str_off);
	const char *p = acc;
	uint32_t id = r->type_id;
	bool first = true, named = false;
	char *end;

	snprintf(buf, sz, "%s:", t ? btfdb_btf_str(btf, t->name_off) : "?");
	if (!t || !acc)
		return;
	if (r->kind >= CORELINK_TYPE_ID_LOCAL && r->kind <= CORELINK_TYPE_SIZE)
		return;
	if (r->kind == CORELINK_TYPE_MATCHES)
		return;
	if (r->kind == CORELINK_ENUMVAL_EXISTS || r->kind == CORELINK_ENUMVAL_VALUE) {
		unsigned long i = strtoul(acc, NULL, 10);

		t = btfdb_skip_mods_and_typedefs(btf, r->type_id, NULL);
		if (t && btfdb_kind(t) == BTF_KIND_ENUM && i < btfdb_vlen(t))
			appendf(buf, sz, "%s", btfdb_btf_str(btf, btfdb_enums(t)[i].name_off));
		else if (t && btfdb_kind(t) == BTF_KIND_ENUM64 && i < btfdb_vlen(t))
			appendf(buf, sz, "%s", btfdb_btf_str(btf, btfdb_enums64(t)[i].name_off));
		return;
	}
	while (*p) {
		unsigned long i = strtoul(p, &end, 10);

		if (end == p)
			break;
		p = *end == ':' ? end + 1 : end;
		if (first) {
			first = false;
			if (i) {
				appendf(buf, sz, "[%lu]", i);
				named = true;
			}
			continue;
		}
		t = btfdb_skip_mods_and_typedefs(btf, id, &id);
		if (!t)
			return;
		if (btfdb_is_composite(t) && i < btfdb_vlen(t)) {
			const struct btf_member *m = &btfdb_members(t)[i];
			const char *n = btfdb_btf_str(btf, m->name_off);

			if (n && *n) {
				appendf(buf, sz, "%s%s", named ? "." : "", n);
				named = true;
			}
			id = m->type;
		} else if (btfdb_kind(t) == BTF_KIND_ARRAY) {
			appendf(buf, sz, "[%lu]", i);
			id = btfdb_array(t)->type;
		} else {
			appendf(buf, sz, "?");
			return;
		}
	}
}

/* Id of the target type named "<kind> <name>" ("struct x", "typedef t", "int int"). */
static uint32_t find_type(const struct btfdb_btf *btf, const char *tname)
{
	const char *sp = strchr(tname, ' ');
	uint32_t id, n = btfdb_btf_type_cnt(btf);

	if (!sp)
		return 0;
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btfdb_btf_type(btf, id);
		const char *kn = btfdb_kind_name(btfdb_kind(t));
		const char *name = btfdb_btf_str(btf, t->name_off);

		if (kn && strlen(kn) == (size_t)(sp - tname) && !strncmp(kn, tname, sp - tname) &&
		    name && !strcmp(name, sp + 1))
			return id;
	}
	return 0;
}

static const struct exp *find_exp(const struct exp *list, const char *key, uint32_t kind,
				  size_t *pos)
{
	size_t i;

	for (i = 0; list && list[i].key; i++) {
		if (list[i].kind == kind && (!strcmp(list[i].key, "*") || !strcmp(list[i].key, key))) {
			*pos = i;
			return &list[i];
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Running one case                                                    */
/* ------------------------------------------------------------------ */

/*
 * The patched instruction of record r must carry the reported result:
 * poison = call 0xbad2310 (both slots of ld_imm64); otherwise ALU imm,
 * LDX/ST/STX off, or the 64-bit ld_imm64 immediate equals value.
 */
static void check_insn(const struct corelink_obj *obj, const struct corelink_run *run,
		       const struct cl_core_relo *r, bool poisoned, uint64_t value)
{
	const uint8_t *p = run->secs[r->sec].data + r->insn_off;
	struct cl_insn insn, insn2;
	uint8_t cls;

	if (r->insn_off + 8 > obj->secs[r->sec].size) {
		CHECK(r->insn_off + 8 <= obj->secs[r->sec].size);
		return;
	}
	cl_insn_decode(p, obj->big_endian, &insn);
	if (poisoned) {
		CHECK_EQ(insn.code, 0x85);
		CHECK_EQ(insn.imm, CL_POISON_IMM);
		return;
	}
	cls = insn.code & 7;
	if (cls == 0 /* BPF_LD: ld_imm64 */ && r->insn_off + 16 <= obj->secs[r->sec].size) {
		cl_insn_decode(p + 8, obj->big_endian, &insn2);
		CHECK_EQ(((uint64_t)(uint32_t)insn2.imm << 32) | (uint32_t)insn.imm, value);
	} else if (cls == 4 || cls == 7) { /* ALU, ALU64: imm (32 bits) */
		CHECK_EQ((uint32_t)insn.imm, (uint32_t)value);
	} else if (cls == 1 || cls == 2 || cls == 3) { /* LDX, ST, STX: off, same class */
		struct cl_insn orig;

		cl_insn_decode(obj->secs[r->sec].data + r->insn_off, obj->big_endian, &orig);
		CHECK_EQ(insn.off, (int64_t)value);
		CHECK_EQ(cls, orig.code & 7);
	} else {
		CHECK(!"unexpected instruction class");
	}
}

static bool file_exists(const char *p)
{
	return access(p, R_OK) == 0;
}

static int cases_run, cases_skipped;

/* Relocate obj_path against target_path under lib's rules and check c; be: the
 * object is big-endian. */
static void run_case(const struct ccase *c, const char *obj_path, const char *target_path,
		     bool be, enum corelink_libbpf lib)
{
	struct corelink_opts opts = { .libbpf = lib };
	const struct exp *over11 = lib == CORELINK_LIBBPF_1_1 ? c->over11 : NULL;
	struct btfdb_err err = { { 0 } };
	struct corelink_obj *obj = NULL;
	struct btfdb_btf *targ = NULL;
	struct btfdb_index *idx = NULL;
	struct corelink_run *run = NULL;
	const struct btfdb_btf *lbtf;
	bool used_exps[512] = { false }, used_over[64] = { false }, used_over11[64] = { false };
	char label[512], key[256];
	size_t i, n, npois = 0;
	int ret;

	snprintf(label, sizeof(label), "%s%s -> %s [libbpf %s]", c->prog, be ? " (BE)" : "",
		 c->target ? c->target : "self", corelink_libbpf_str(lib));
	cases_run++;

	ret = corelink_obj_open(obj_path, &obj, &err);
	if (ret) {
		fprintf(stderr, "%s: open object: %s\n", label, err.msg);
		CHECK_EQ(ret, 0);
		goto out;
	}
	ret = btfdb_btf_load(target_path, &targ, &err);
	if (!ret)
		ret = btfdb_index_build(targ, &idx, &err);
	if (ret) {
		fprintf(stderr, "%s: load target: %s\n", label, err.msg);
		CHECK_EQ(ret, 0);
		goto out;
	}
	CHECK(corelink_obj_big_endian(obj) == be);
	lbtf = corelink_obj_btf(obj);

	err.msg[0] = 0;
	ret = corelink_relocate(obj, targ, idx, &opts, &run, &err);
	if (ret != c->err)
		fprintf(stderr, "%s: corelink_relocate = %d (%s), expected %d\n", label, ret, err.msg,
			c->err);
	CHECK_EQ(ret, c->err);
	if (c->err && c->msg)
		CHECK_CONTAINS(err.msg, c->msg);
	if (getenv("CORE_CASES_VERBOSE") && c->err)
		fprintf(stderr, "%s: error %d: %s\n", label, ret, err.msg);
	if (!run) {
		CHECK(run != NULL);
		goto out;
	}

	n = corelink_run_relo_cnt(run);
	CHECK(n <= obj->nr_relos);
	if (!c->err)
		CHECK_EQ(n, obj->nr_relos);
	for (i = 0; i < n; i++) {
		const struct corelink_relo_info *in = corelink_run_relo(run, i);
		const struct cl_core_relo *r = &obj->relos[i];
		const struct exp *x = NULL;
		struct exp self = { "*", r->kind, X_SAME, 0, 0, false, NULL };
		size_t pos = 0;
		bool from_over = false, from_over11 = false;
		uint64_t want;

		relo_key(lbtf, r, key, sizeof(key));
		CHECK_EQ(in->kind, r->kind);
		CHECK_EQ(in->relo_idx, r->sec_relo_idx);
		if (in->status == CORELINK_RELO_POISONED)
			npois++;
		if (in->status == CORELINK_RELO_ERROR || in->status == CORELINK_RELO_SKIPPED) {
			/* only the record that stopped the run may be an error */
			if (!(c->err && i + 1 == n))
				fprintf(stderr, "%s: relo %zu %s %s: unexpected status %d (%s)\n", label,
					i, corelink_relo_kind_str(r->kind), key, in->status,
					in->reason ? in->reason : "");
			CHECK(c->err && i + 1 == n);
			continue;
		}
		x = find_exp(over11, key, r->kind, &pos);
		if (x)
			from_over11 = true;
		else
			x = find_exp(c->over, key, r->kind, &pos);
		if (x) {
			from_over = !from_over11;
		} else if (c->exps) {
			x = find_exp(c->exps, key, r->kind, &pos);
		} else {
			x = &self;
		}
		if (!x) {
			fprintf(stderr, "%s: relo %zu %s %s: no expectation (status %d, %llu -> %llu)\n",
				label, i, corelink_relo_kind_str(r->kind), key, in->status,
				(unsigned long long)in->orig_val, (unsigned long long)in->new_val);
			CHECK(x != NULL);
			continue;
		}
		if (x != &self) {
			if (from_over11 && pos < 64)
				used_over11[pos] = true;
			else if (from_over && pos < 64)
				used_over[pos] = true;
			else if (!from_over && pos < 512)
				used_exps[pos] = true;
		}
		if (x->how == X_POISON) {
			if (in->status != CORELINK_RELO_POISONED)
				fprintf(stderr, "%s: relo %zu %s %s: expected poison, got status %d value %llu\n",
					label, i, corelink_relo_kind_str(r->kind), key, in->status,
					(unsigned long long)in->new_val);
			CHECK_EQ(in->status, CORELINK_RELO_POISONED);
			if (in->status == CORELINK_RELO_POISONED)
				check_insn(obj, run, r, true, 0);
			continue;
		}
		switch (x->how) {
		case X_VAL:
			want = be && x->has_be ? x->be : x->val;
			break;
		case X_LOCAL_ID:
			want = r->type_id;
			CHECK_EQ(in->orig_val, r->type_id);
			break;
		case X_TARGET_ID:
			want = find_type(targ, x->tname);
			CHECK(want != 0);
			break;
		default:
			want = in->orig_val;
			break;
		}
		if (in->status != CORELINK_RELO_OK || in->new_val != want)
			fprintf(stderr, "%s: relo %zu %s %s: status %d value %llu (orig %llu), expected %llu%s\n",
				label, i, corelink_relo_kind_str(r->kind), key, in->status,
				(unsigned long long)in->new_val, (unsigned long long)in->orig_val,
				(unsigned long long)want,
				in->status != CORELINK_RELO_OK && in->reason ? in->reason : "");
		CHECK_EQ(in->status, CORELINK_RELO_OK);
		CHECK_EQ(in->new_val, want);
		if (in->status == CORELINK_RELO_OK)
			check_insn(obj, run, r, false, want);
	}
	CHECK_EQ(corelink_run_poisoned(run), npois);

	/* every expectation was used (a run cut short by a hard error is exempt) */
	if (!c->err) {
		for (i = 0; c->exps && c->exps[i].key; i++) {
			bool shadowed = false;
			size_t pos;

			if (!used_exps[i])
				shadowed = find_exp(c->over, c->exps[i].key, c->exps[i].kind, &pos) ||
					   find_exp(over11, c->exps[i].key, c->exps[i].kind, &pos);
			if (!used_exps[i] && !shadowed) {
				fprintf(stderr, "%s: expectation %s %s matched no relocation\n", label,
					corelink_relo_kind_str(c->exps[i].kind), c->exps[i].key);
				CHECK(used_exps[i]);
			}
		}
		for (i = 0; c->over && c->over[i].key; i++) {
			size_t pos;
			bool shadowed = !used_over[i] &&
					find_exp(over11, c->over[i].key, c->over[i].kind, &pos);

			if (!used_over[i] && !shadowed)
				fprintf(stderr, "%s: expectation %s %s matched no relocation\n", label,
					corelink_relo_kind_str(c->over[i].kind), c->over[i].key);
			CHECK(used_over[i] || shadowed);
		}
		for (i = 0; over11 && over11[i].key; i++) {
			if (!used_over11[i])
				fprintf(stderr, "%s: expectation %s %s matched no relocation\n", label,
					corelink_relo_kind_str(over11[i].kind), over11[i].key);
			CHECK(used_over11[i]);
		}
	}
out:
	corelink_run_free(run);
	btfdb_index_free(idx);
	btfdb_btf_free(targ);
	corelink_obj_free(obj);
}

/* core_arrmem's records sit on 3 LDX, 3 STX and 3 ST instructions (the ST
 * ones made by stx_to_st.py), in both byte orders. */
static void test_arrmem_classes(void)
{
	const char *const names[] = { "core_arrmem.bpf.o", "core_arrmem.bpfeb.o" };
	struct btfdb_err err = { { 0 } };
	char path[1024];
	size_t i, j;

	for (j = 0; j < 2; j++) {
		struct corelink_obj *obj = NULL;
		int by_class[8] = { 0 };

		snprintf(path, sizeof(path), "%s/%s", TEST_BPF_DIR, names[j]);
		CHECK_EQ(corelink_obj_open(path, &obj, &err), 0);
		if (!obj)
			continue;
		for (i = 0; i < obj->nr_relos; i++) {
			const struct cl_core_relo *r = &obj->relos[i];
			struct cl_insn insn;

			cl_insn_decode(obj->secs[r->sec].data + r->insn_off, obj->big_endian, &insn);
			by_class[insn.code & 7]++;
		}
		CHECK_EQ(obj->nr_relos, 9);
		CHECK_EQ(by_class[1], 3); /* BPF_LDX */
		CHECK_EQ(by_class[3], 3); /* BPF_STX */
		CHECK_EQ(by_class[2], 3); /* BPF_ST */
		corelink_obj_free(obj);
	}
}

static void test_cases(void)
{
	char obj[1024], objeb[1024], targ[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ccase *c = &cases[i];

		snprintf(obj, sizeof(obj), "%s/%s.bpf.o", TEST_BPF_DIR, c->prog);
		snprintf(objeb, sizeof(objeb), "%s/%s.bpfeb.o", TEST_BPF_DIR, c->prog);
		if (c->target)
			snprintf(targ, sizeof(targ), "%s/targets/%s.o", TEST_BPF_DIR, c->target);
		if (!file_exists(obj) && !strncmp(c->prog, "gcc_", 4)) {
			/* GCC-built programs need bpf-gcc (Debian gcc-bpf) */
			fprintf(stderr, "skip %s: %s not built (no bpf-gcc)\n", c->prog, obj);
			CHECK(!BPF_GCC_BUILT);
			cases_skipped++;
			continue;
		}
		if (!file_exists(obj)) {
			/* the clang >= 15 programs are not built by older clangs */
			fprintf(stderr, "skip %s: %s not built (BPF clang %d)\n", c->prog, obj,
				BPF_CLANG_MAJOR);
			CHECK(BPF_CLANG_MAJOR < 15);
			cases_skipped++;
			continue;
		}
		run_case(c, obj, c->target ? targ : obj, false, CORELINK_LIBBPF_NEWEST);
		run_case(c, objeb, c->target ? targ : objeb, true, CORELINK_LIBBPF_NEWEST);
		run_case(c, obj, c->target ? targ : obj, false, CORELINK_LIBBPF_1_1);
		run_case(c, objeb, c->target ? targ : objeb, true, CORELINK_LIBBPF_1_1);
	}
}

/* ------------------------------------------------------------------ */
/* Real kernels                                                        */
/* ------------------------------------------------------------------ */

/*
 * Byte offset of member `name` of the first STRUCT named `sname` in btf,
 * looking into anonymous members (depth first, like CO-RE); -1 if absent.
 */
static long member_off_in(const struct btfdb_btf *btf, uint32_t id, const char *name, int depth)
{
	const struct btf_type *t = btfdb_skip_mods_and_typedefs(btf, id, NULL);
	uint32_t i;

	if (!t || !btfdb_is_composite(t) || depth > 64)
		return -1;
	for (i = 0; i < btfdb_vlen(t); i++) {
		const struct btf_member *m = &btfdb_members(t)[i];
		const char *n = btfdb_btf_str(btf, m->name_off);
		long off = btfdb_member_bit_offset(t, i) / 8;

		if (n && !strcmp(n, name))
			return off;
		if (!n || !*n) {
			long sub = member_off_in(btf, m->type, name, depth + 1);

			if (sub >= 0)
				return off + sub;
		}
	}
	return -1;
}

static long member_off(const struct btfdb_btf *btf, const char *sname, const char *name)
{
	uint32_t id, n = btfdb_btf_type_cnt(btf);

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btfdb_btf_type(btf, id);
		const char *tn = btfdb_btf_str(btf, t->name_off);

		if (btfdb_kind(t) == BTF_KIND_STRUCT && tn && !strcmp(tn, sname) && btfdb_vlen(t))
			return member_off_in(btf, id, name, 0);
	}
	return -1;
}

static int kernels_done;

/* core_kernel against one real kernel: no hard error, exact offsets of the
 * plain task_struct fields, exactly one of the two task state names. */
static void run_kernel(const char *obj_path, const char *kpath, bool be)
{
	struct btfdb_err err = { { 0 } };
	struct corelink_obj *obj = NULL;
	struct btfdb_btf *targ = NULL;
	struct btfdb_index *idx = NULL;
	struct corelink_run *run = NULL;
	char key[256];
	size_t i, n;
	int ret, state_new = -1, state_old = -1;
	long has_new;

	ret = corelink_obj_open(obj_path, &obj, &err);
	if (!ret)
		ret = btfdb_btf_load(kpath, &targ, &err);
	if (!ret)
		ret = btfdb_index_build(targ, &idx, &err);
	if (ret) {
		fprintf(stderr, "kernel %s: %s\n", kpath, err.msg);
		CHECK_EQ(ret, 0);
		goto out;
	}
	ret = corelink_relocate(obj, targ, idx, NULL, &run, &err);
	if (ret)
		fprintf(stderr, "kernel %s%s: corelink_relocate = %d: %s\n", kpath, be ? " (BE)" : "",
			ret, err.msg);
	CHECK_EQ(ret, 0);
	if (ret || !run)
		goto out;
	kernels_done++;
	has_new = member_off(targ, "task_struct", "__state");

	n = corelink_run_relo_cnt(run);
	for (i = 0; i < n; i++) {
		const struct corelink_relo_info *in = corelink_run_relo(run, i);
		const struct cl_core_relo *r = &obj->relos[i];
		const char *field = NULL;
		long want = -1;

		relo_key(corelink_obj_btf(obj), r, key, sizeof(key));
		if (!strcmp(key, "task_struct:__state")) {
			if (r->kind == K_EX) {
				CHECK_EQ(in->status, CORELINK_RELO_OK);
				CHECK_EQ(in->new_val, has_new >= 0);
			} else {
				state_new = in->status;
				if (has_new >= 0)
					want = has_new;
			}
		} else if (!strcmp(key, "task_struct___pre514:state")) {
			state_old = in->status;
			want = member_off(targ, "task_struct", "state");
		} else if (!strncmp(key, "task_struct:", 12)) {
			field = key + 12;
		} else if (!strcmp(key, "mm_struct:start_code")) {
			want = member_off(targ, "mm_struct", "start_code");
		} else if (!strncmp(key, "sock:", 5)) {
			/* bitfield before 5.6, u16 after: resolved either way */
			CHECK_EQ(in->status, CORELINK_RELO_OK);
			continue;
		}
		if (field && r->kind == K_OFF)
			want = member_off(targ, "task_struct", field);
		if (field && r->kind == K_TSZ) {
			/* any task_struct: checked against a walk below */
			CHECK_EQ(in->status, CORELINK_RELO_OK);
			CHECK(in->new_val > 1000 && in->new_val < 65536);
			continue;
		}
		if (want >= 0) {
			if (in->status != CORELINK_RELO_OK || (long)in->new_val != want)
				fprintf(stderr, "kernel %s: %s %s: status %d value %llu, expected %ld\n",
					kpath, corelink_relo_kind_str(r->kind), key, in->status,
					(unsigned long long)in->new_val, want);
			CHECK_EQ(in->status, CORELINK_RELO_OK);
			CHECK_EQ(in->new_val, want);
		}
	}
	/* exactly one of __state (5.14+) and state (older) resolves */
	CHECK(state_new >= 0 && state_old >= 0);
	CHECK((state_new == CORELINK_RELO_OK) != (state_old == CORELINK_RELO_OK));
	CHECK_EQ(state_new == CORELINK_RELO_OK, has_new >= 0);
	CHECK_EQ(corelink_run_poisoned(run), 1);
out:
	corelink_run_free(run);
	btfdb_index_free(idx);
	btfdb_btf_free(targ);
	corelink_obj_free(obj);
}

static void test_kernel(void)
{
	static const char *const hub[] = {
		"debian/12/x86_64/6.1.0-47-amd64.btf.tar.xz",
		"vm/6.18/x86_64/6.18.44-fc-v445.btf.tar.xz",
		"android/common-android12-5.10/arm64/a12-5.10-2021-09-arm64.btf.tar.xz",
		"kylin/V10/aarch64/4.19.90-24.4.v2101.ky10.aarch64.btf.tar.xz",
		"bclinux/21.10U3/x86_64/4.19.90-2107.6.0.0248.35.oe1.bclinux.x86_64.btf.tar.xz",
		"centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64.btf.tar.xz",
	};
	char obj[1024], objeb[1024], path[2048];
	size_t i;

	snprintf(obj, sizeof(obj), "%s/core_kernel.bpf.o", TEST_BPF_DIR);
	snprintf(objeb, sizeof(objeb), "%s/core_kernel.bpfeb.o", TEST_BPF_DIR);
	if (file_exists("/sys/kernel/btf/vmlinux")) {
		run_kernel(obj, "/sys/kernel/btf/vmlinux", false);
	} else {
		fprintf(stderr, "skip: no /sys/kernel/btf/vmlinux\n");
	}
	for (i = 0; i < sizeof(hub) / sizeof(hub[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", BTFHUB_DIR, hub[i]);
		if (!file_exists(path)) {
			fprintf(stderr, "skip: btfhub kernel %s absent\n", path);
			continue;
		}
		run_kernel(obj, path, false);
		if (i == 0)
			run_kernel(objeb, path, true);
	}
}

/* ------------------------------------------------------------------ */
/* A target in the extended BTF format (btfdb/btf/btf_layout.c)        */
/* ------------------------------------------------------------------ */

/*
 * nesting__base's BTF rewritten in the extended format (32-byte header, layout
 * section) with two records of kinds corelink does not know appended: kind 36, a copy
 * of STRUCT core_nesting's record with its members 8 bytes further (sized 12 per
 * element by the layout; read with the old 5-bit kind mask, 36 is STRUCT: a second
 * candidate, and a field offset ambiguity), and kind 100.
 * core_nesting must relocate exactly as against nesting__base.  nkinds: layout records
 * (101 describes both; 37 leaves kind 100 to nothing: a load error naming it).
 */
static char *ext_target(const char *dir, uint32_t nkinds)
{
	char src[1024], *path = malloc(1024);
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *b = NULL;
	struct btf_header h;
	struct ext_btf x = { 0 };
	const uint8_t *raw;
	uint8_t *blob;
	size_t size = 0, n;
	uint32_t name = 0;
	FILE *f;

	snprintf(src, sizeof(src), "%s/targets/nesting__base.o", TEST_BPF_DIR);
	snprintf(path, 1024, "%s/nesting__ext_layout_%u.btf", dir, nkinds);
	CHECK_EQ(btfdb_btf_load(src, &b, &err), 0);
	if (!b)
		return path;
	raw = btfdb_btf_raw(b, &size);
	memcpy(&h, raw, sizeof(h));
	for (n = 0; n < h.type_len / 4; n++) {
		uint32_t w;

		memcpy(&w, raw + h.hdr_len + h.type_off + 4 * n, 4);
		ext_put(&x, w);
	}
	for (n = 1; n < h.str_len; n += strlen((const char *)raw + h.hdr_len + h.str_off + n) + 1)
		if (!strcmp((const char *)raw + h.hdr_len + h.str_off + n, "core_nesting"))
			name = (uint32_t)n;
	CHECK(name != 0);
	x.caps = x.ns = h.str_len;
	x.s = malloc(x.caps);
	memcpy(x.s, raw + h.hdr_len + h.str_off, h.str_len);
	/* kind 36: STRUCT core_nesting's record with every member 8 bytes further */
	for (uint32_t id = 1; id < btfdb_btf_type_cnt(b); id++) {
		const struct btf_type *t = btfdb_btf_type(b, id);

		if (!t || btfdb_kind(t) != BTF_KIND_STRUCT || t->name_off != name)
			continue;
		ext_put(&x, name);
		ext_put(&x, EXT_INFO(36, 0, btfdb_vlen(t)));
		ext_put(&x, t->size + 8);
		for (uint32_t i = 0; i < btfdb_vlen(t); i++) {
			ext_put(&x, btfdb_members(t)[i].name_off);
			ext_put(&x, btfdb_members(t)[i].type);
			ext_put(&x, btfdb_members(t)[i].offset + 64);
		}
		break;
	}
	ext_put(&x, 0); /* kind 100, vlen 0 */
	ext_put(&x, EXT_INFO(100, 0, 0));
	ext_put(&x, 0);
	ext_std_layout(&x, nkinds);
	ext_set_kind(&x, 36, 0, 12);
	blob = ext_finish(&x, &size, 0, 0);
	f = fopen(path, "wb");
	CHECK(f && fwrite(blob, 1, size, f) == size);
	if (f)
		fclose(f);
	free(blob);
	ext_free(&x);
	btfdb_btf_free(b);
	return path;
}

static void test_ext_target(void)
{
	static const struct ccase ext = { "core_nesting", "nesting__base (extended BTF format)", 0,
					  NULL, nesting_base, NULL };
	char dir[] = "/tmp/test_core_cases.XXXXXX", obj[1024], objeb[1024], *path;
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *t = NULL;

	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	snprintf(obj, sizeof(obj), "%s/core_nesting.bpf.o", TEST_BPF_DIR);
	snprintf(objeb, sizeof(objeb), "%s/core_nesting.bpfeb.o", TEST_BPF_DIR);
	path = ext_target(dir, 101);
	run_case(&ext, obj, path, false, CORELINK_LIBBPF_NEWEST);
	run_case(&ext, objeb, path, true, CORELINK_LIBBPF_NEWEST);
	unlink(path);
	free(path);
	path = ext_target(dir, 37);
	CHECK_EQ(btfdb_btf_load(path, &t, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "has unknown kind 100 (the layout section describes 37 kinds)");
	btfdb_btf_free(t);
	unlink(path);
	free(path);
	rmdir(dir);
}

int main(void)
{
	test_arrmem_classes();
	test_cases();
	test_ext_target();
	test_kernel();
	printf("%d case runs (%d programs skipped), %d kernel runs\n", cases_run, cases_skipped,
	       kernels_done);
	return test_finish();
}
