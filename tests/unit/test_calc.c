/* SPDX-License-Identifier: MIT */
/*
 * The relocation core end to end on BTF built in memory: candidate search
 * (cands.c), matching (match.c) and values/poison/errors (calc.c), per kind,
 * following libbpf 1.1 relo_core.c.  Expected values are computed by hand
 * from libbpf's formulas (see the comment at each case).
 */
#include <errno.h>

#include "relo.h"
#include "relo_btf.h"
#include "test.h"

struct env {
	struct btfdb_btf *L, *T;
	struct btfdb_index *idx;
};

/* ---- local BTF: what a BPF program declares ---- */
static struct btfdb_btf *build_local(void)
{
	static struct bb b;
	uint32_t i32, u32, i64, chr, u64, flt, x, y, inner, p, fp, fp2;

	bb_init(&b);
	i32 = bb_int(&b, "int", 4, BTF_INT_SIGNED);
	u32 = bb_int(&b, "unsigned int", 4, 0);
	i64 = bb_int(&b, "long", 8, BTF_INT_SIGNED);
	u64 = bb_int(&b, "long long unsigned int", 8, 0);
	chr = bb_int(&b, "char", 1, BTF_INT_SIGNED);

	/* struct s { int a; int b; unsigned arr[4]; int c; }  (28 bytes) */
	bb_struct(&b, "s", 28, 4);
	bb_member(&b, "a", i32, 0, 0);
	bb_member(&b, "b", i32, 32, 0);
	bb_member(&b, "arr", b.nr_types + 1, 64, 0);
	bb_member(&b, "c", i32, 192, 0);
	bb_array(&b, u32, i32, 4);

	bb_struct(&b, "nothere", 4, 1);
	bb_member(&b, "x", i32, 0, 0);
	bb_struct(&b, "amb", 4, 1);
	bb_member(&b, "b", i32, 0, 0);
	bb_struct(&b, "dec", 4, 1);
	bb_member(&b, "b", i32, 0, 0);

	/* struct bf { u64 a:3; u64 x:61; } */
	bb_struct_k(&b, "bf", 8, 2, 1);
	bb_member(&b, "a", u64, 0, 3);
	bb_member(&b, "x", u64, 3, 61);

	/* struct bits { u32 a:3, b:5, c:20, e:4; } */
	bb_struct_k(&b, "bits", 4, 4, 1);
	bb_member(&b, "a", u32, 0, 3);
	bb_member(&b, "b", u32, 3, 5);
	bb_member(&b, "c", u32, 8, 20);
	bb_member(&b, "e", u32, 28, 4);

	bb_struct(&b, "deep", 4, 1);
	bb_member(&b, "x", i32, 0, 0);

	bb_enum(&b, "e", 4, 3, 0);
	bb_enumval(&b, "A", 1);
	bb_enumval(&b, "B", 2);
	bb_enumval(&b, "GONE", 3);
	bb_enum(&b, "e64l", 4, 1, 0);
	bb_enumval(&b, "BIG", 1);
	bb_enum(&b, "ef", 4, 1, 0);
	bb_enumval(&b, "A___old", 5);
	bb_enum(&b, "eu", 4, 1, 0);
	bb_enumval(&b, "V", 1);

	bb_struct(&b, "t", 4, 1);
	bb_member(&b, "a", i32, 0, 0);
	bb_struct(&b, "tm", 8, 1);
	bb_member(&b, "a", i64, 0, 0);
	flt = bb_float(&b, "float", 4);
	bb_typedef(&b, "float_t", flt);
	/* typedef int (*fn_t)(int, char *); typedef int (*fn2_t)(int); */
	fp = bb_func_proto(&b, i32, 2);
	bb_param(&b, NULL, i32);
	bb_param(&b, NULL, b.nr_types + 1);
	bb_ptr(&b, chr);
	bb_typedef(&b, "fn_t", bb_ptr(&b, fp));
	fp2 = bb_func_proto(&b, i32, 1);
	bb_param(&b, NULL, i32);
	bb_typedef(&b, "fn2_t", bb_ptr(&b, fp2));
	/* struct x { int a; }; struct pt { struct x *p; }; struct y; struct pt2 { struct y *p; } */
	x = bb_struct(&b, "x", 4, 1);
	bb_member(&b, "a", i32, 0, 0);
	p = bb_ptr(&b, x);
	bb_struct(&b, "pt", 8, 1);
	bb_member(&b, "p", p, 0, 0);
	y = bb_struct(&b, "y", 4, 1);
	bb_member(&b, "a", i32, 0, 0);
	p = bb_ptr(&b, y);
	bb_struct(&b, "pt2", 8, 1);
	bb_member(&b, "p", p, 0, 0);
	bb_typedef(&b, "tdroot", i32);

	bb_struct(&b, "s___a", 8, 1);
	bb_member(&b, "b", i32, 0, 0);
	bb_struct(&b, "s___b", 4, 1);
	bb_member(&b, "zz", i32, 0, 0);
	bb_struct(&b, "s__x", 4, 1);
	bb_member(&b, "b", i32, 0, 0);

	/* struct n { int a; union { int b; int c; }; } */
	bb_struct(&b, "n", 8, 2);
	bb_member(&b, "a", i32, 0, 0);
	bb_member(&b, NULL, b.nr_types + 1, 32, 0);
	bb_union(&b, NULL, 4, 2);
	bb_member(&b, "b", i32, 0, 0);
	bb_member(&b, "c", i32, 0, 0);
	bb_struct(&b, "n2", 4, 1);
	bb_member(&b, "b", i32, 0, 0);
	/* struct su { struct inner { int q; } u; } */
	inner = bb_struct(&b, "inner", 4, 1);
	bb_member(&b, "q", i32, 0, 0);
	bb_struct(&b, "su", 4, 1);
	bb_member(&b, "u", inner, 0, 0);

	/* struct f { int n; int d[]; }, f2 the same */
	bb_struct(&b, "f", 4, 2);
	bb_member(&b, "n", i32, 0, 0);
	bb_member(&b, "d", b.nr_types + 2, 32, 0);
	bb_struct(&b, "f2", 4, 2);
	bb_member(&b, "n", i32, 0, 0);
	bb_member(&b, "d", b.nr_types + 1, 32, 0);
	bb_array(&b, i32, i32, 0);

	bb_struct(&b, "pr", 8, 2);
	bb_member(&b, "a", i32, 0, 0);
	bb_member(&b, "b", i32, 32, 0);
	bb_struct(&b, "ms", 8, 2);
	bb_member(&b, "u", u32, 0, 0);
	bb_member(&b, "i", i32, 32, 0);

	bb_struct(&b, NULL, 4, 1); /* anonymous root */
	bb_member(&b, "x", i32, 0, 0);
	(void)u64;
	return bb_finish(&b);
}

/* ---- target BTF: a synthetic kernel ---- */
static struct btfdb_btf *build_target(void)
{
	static struct bb b;
	uint32_t i32, u32, i64, u64, u8, chr, flt, fp, fp2, xf, p, uy, inner, anon;

	bb_init(&b);
	i32 = bb_int(&b, "int", 4, BTF_INT_SIGNED);
	u32 = bb_int(&b, "unsigned int", 4, 0);
	i64 = bb_int(&b, "long", 8, BTF_INT_SIGNED);
	u64 = bb_int(&b, "long long unsigned int", 8, 0);
	u8 = bb_int(&b, "unsigned char", 1, 0);
	chr = bb_int(&b, "char", 1, BTF_INT_CHAR);

	/* struct s { long x; int b; unsigned arr[2]; int a; }  (24 bytes) */
	bb_struct(&b, "s", 24, 4);
	bb_member(&b, "x", i64, 0, 0);
	bb_member(&b, "b", i32, 64, 0);
	bb_member(&b, "arr", b.nr_types + 1, 96, 0);
	bb_member(&b, "a", i32, 160, 0);
	bb_array(&b, u32, i32, 2);

	/* amb___1 / amb___2: b at different offsets */
	bb_struct(&b, "amb___1", 16, 2);
	bb_member(&b, "pad", i64, 0, 0);
	bb_member(&b, "b", i32, 64, 0);
	bb_struct(&b, "amb___2", 4, 1);
	bb_member(&b, "b", i32, 0, 0);
	/* dec___1 / dec___2: same offset, different sizes */
	bb_struct(&b, "dec___1", 4, 1);
	bb_member(&b, "b", i32, 0, 0);
	bb_struct(&b, "dec___2", 1, 1);
	bb_member(&b, "b", chr, 0, 0);

	/* struct bf { u64 a:4; u64 x:61; }: x straddles 64 bits */
	bb_struct_k(&b, "bf", 16, 2, 1);
	bb_member(&b, "a", u64, 0, 4);
	bb_member(&b, "x", u64, 4, 61);

	/* struct bits { u32 pad:4, b:5, a:3, c:20; u8 e; } */
	bb_struct_k(&b, "bits", 8, 5, 1);
	bb_member(&b, "pad", u32, 0, 4);
	bb_member(&b, "b", u32, 4, 5);
	bb_member(&b, "a", u32, 9, 3);
	bb_member(&b, "c", u32, 20, 20);
	bb_member(&b, "e", u8, 40, 0);

	/* struct deep { struct { struct { ... int x; } } }: 65 anonymous levels */
	bb_struct(&b, "deep", 4, 1);
	bb_member(&b, NULL, b.nr_types + 1, 0, 0);
	for (int i = 0; i < 65; i++) {
		bb_struct(&b, NULL, 4, 1);
		if (i == 64)
			bb_member(&b, "x", i32, 0, 0);
		else
			bb_member(&b, NULL, b.nr_types + 1, 0, 0);
	}

	bb_enum(&b, "e", 4, 2, 1);
	bb_enumval(&b, "B", -5);
	bb_enumval(&b, "A", 7);
	bb_enum64(&b, "e64l", 8, 1, 0);
	bb_enum64val(&b, "BIG", 0x100000000ull);
	bb_enum(&b, "ef", 4, 2, 0);
	bb_enumval(&b, "X", 1);
	bb_enumval(&b, "A", 9);
	bb_enum(&b, "eu", 4, 1, 0);
	bb_enumval(&b, "V", (int32_t)0x80000000u);

	bb_struct(&b, "t", 8, 2);
	bb_member(&b, "a", i32, 0, 0);
	bb_member(&b, "b", i32, 32, 0);
	bb_struct(&b, "tm", 4, 1);
	bb_member(&b, "a", i32, 0, 0);
	flt = bb_float(&b, "float", 4);
	bb_typedef(&b, "float_t", flt);
	fp = bb_func_proto(&b, i32, 2);
	bb_param(&b, NULL, i32);
	bb_param(&b, NULL, b.nr_types + 1);
	bb_ptr(&b, i64);
	bb_typedef(&b, "fn_t", bb_ptr(&b, fp));
	fp2 = bb_func_proto(&b, i32, 2);
	bb_param(&b, NULL, i32);
	bb_param(&b, NULL, i32);
	bb_typedef(&b, "fn2_t", bb_ptr(&b, fp2));
	xf = bb_fwd(&b, "x", 0);
	p = bb_ptr(&b, xf);
	bb_struct(&b, "pt", 8, 1);
	bb_member(&b, "p", p, 0, 0);
	uy = bb_union(&b, "y", 4, 1);
	bb_member(&b, "a", i32, 0, 0);
	p = bb_ptr(&b, uy);
	bb_struct(&b, "pt2", 8, 1);
	bb_member(&b, "p", p, 0, 0);
	bb_struct(&b, "tdroot", 4, 1);
	bb_member(&b, "a", i32, 0, 0);

	/* struct n { union { int b; int c; }; int a; } */
	bb_struct(&b, "n", 8, 2);
	bb_member(&b, NULL, b.nr_types + 1, 0, 0);
	bb_member(&b, "a", i32, 32, 0);
	bb_union(&b, NULL, 4, 2);
	bb_member(&b, "b", i32, 0, 0);
	bb_member(&b, "c", i32, 0, 0);
	/* struct n2 { long pad; struct { union { int b; }; }; } */
	bb_struct(&b, "n2", 12, 2);
	bb_member(&b, "pad", i64, 0, 0);
	bb_member(&b, NULL, b.nr_types + 1, 64, 0);
	anon = bb_struct(&b, NULL, 4, 1);
	bb_member(&b, NULL, anon + 1, 0, 0);
	bb_union(&b, NULL, 4, 1);
	bb_member(&b, "b", i32, 0, 0);
	/* union inner { int q; }; struct su { int pad; union inner u; } */
	inner = bb_union(&b, "inner", 4, 1);
	bb_member(&b, "q", i32, 0, 0);
	bb_struct(&b, "su", 8, 2);
	bb_member(&b, "pad", i32, 0, 0);
	bb_member(&b, "u", inner, 32, 0);

	/* struct f { long n; int d[]; }; struct f2 { int n; int d[2]; } */
	bb_struct(&b, "f", 8, 2);
	bb_member(&b, "n", i64, 0, 0);
	bb_member(&b, "d", b.nr_types + 2, 64, 0);
	bb_struct(&b, "f2", 12, 2);
	bb_member(&b, "n", i32, 0, 0);
	bb_member(&b, "d", b.nr_types + 2, 32, 0);
	bb_array(&b, i32, i32, 0);
	bb_array(&b, i32, i32, 2);

	/* partial-match duplicates */
	bb_struct(&b, "pr___1", 4, 1);
	bb_member(&b, "a", i32, 0, 0);
	bb_struct(&b, "pr___2", 4, 1);
	bb_member(&b, "b", i32, 0, 0);

	/* struct ms { u64 u; long i; } */
	bb_struct(&b, "ms", 16, 2);
	bb_member(&b, "u", u64, 0, 0);
	bb_member(&b, "i", i64, 64, 0);
	return bb_finish(&b);
}

/* Run one relocation with a fresh candidate list. */
static int relo(struct env *e, uint32_t root, const char *acc, uint32_t kind, bool be,
		struct cl_relo_res *res, struct cl_relo_diag *d, char *msg)
{
	static struct cl_spec specs[3];
	struct btfdb_err err = { { 0 } };
	struct cl_cand_list l = { 0 };
	struct cl_relo_diag dd;
	int ret = 0;

	if (!d)
		d = &dd;
	memset(res, 0, sizeof(*res));
	if (kind != CORELINK_TYPE_ID_LOCAL)
		ret = cl_cands_find(e->L, root, e->T, e->idx, &l, &err);
	if (!ret)
		ret = cl_calc_relo_insn(e->L, root, acc, kind, be, &l, e->T, specs, res, d, &err);
	free(l.ids);
	if (msg)
		strcpy(msg, err.msg);
	if (ret)
		CHECK(err.msg[0] != '\0'); /* every hard error explains itself */
	return ret;
}

static uint32_t L(struct env *e, const char *name)
{
	uint32_t id = bb_find(e->L, name, BTF_KIND_STRUCT);

	if (!id)
		id = bb_find(e->L, name, BTF_KIND_ENUM);
	if (!id)
		id = bb_find(e->L, name, BTF_KIND_TYPEDEF);
	if (!id)
		fprintf(stderr, "no local type %s\n", name);
	return id;
}

static uint32_t T(struct env *e, const char *name, uint32_t kind)
{
	return bb_find(e->T, name, kind);
}

/* Expect success with these values. */
#define OK(e, root, acc, kind, o_, n_)                                                        \
	do {                                                                                  \
		struct cl_relo_res _r;                                                        \
		CHECK_EQ(relo(e, L(e, root), acc, kind, false, &_r, NULL, NULL), 0);          \
		CHECK(!_r.poison);                                                            \
		CHECK_EQ(_r.orig_val, o_);                                                    \
		CHECK_EQ(_r.new_val, n_);                                                     \
	} while (0)
#define POISON(e, root, acc, kind)                                                            \
	do {                                                                                  \
		struct cl_relo_res _r;                                                        \
		CHECK_EQ(relo(e, L(e, root), acc, kind, false, &_r, NULL, NULL), 0);          \
		CHECK(_r.poison);                                                             \
	} while (0)
#define FAIL(e, root, acc, kind, errno_, text)                                                \
	do {                                                                                  \
		struct cl_relo_res _r;                                                        \
		char _m[512];                                                                 \
		CHECK_EQ(relo(e, L(e, root), acc, kind, false, &_r, NULL, _m), errno_);       \
		CHECK_CONTAINS(_m, text);                                                     \
	} while (0)

static void test_fields(struct env *e)
{
	struct cl_relo_res r;
	struct cl_relo_diag d;
	char why[512];

	/* s.b: 4 -> 8, s.a: 0 -> 20 */
	CHECK_EQ(relo(e, L(e, "s"), "0:1", CORELINK_FIELD_BYTE_OFFSET, false, &r, &d, NULL), 0);
	CHECK_EQ(r.orig_val, 4);
	CHECK_EQ(r.new_val, 8);
	CHECK(r.validate);
	CHECK_EQ(r.orig_sz, 4);
	CHECK_EQ(r.new_sz, 4);
	CHECK(!r.fail_memsz_adjust);
	CHECK_EQ(d.nr_cands, 1);
	CHECK_EQ(d.nr_matched, 1);
	CHECK_EQ(d.targ_id, T(e, "s", BTF_KIND_STRUCT));
	OK(e, "s", "0:0", CORELINK_FIELD_BYTE_OFFSET, 0, 20);
	OK(e, "s", "0:1", CORELINK_FIELD_BYTE_SIZE, 4, 4);
	OK(e, "s", "0:1", CORELINK_FIELD_EXISTS, 1, 1);
	OK(e, "s", "0:1", CORELINK_FIELD_SIGNED, 1, 1);
	OK(e, "s", "0:2:1", CORELINK_FIELD_BYTE_OFFSET, 12, 16); /* arr[1] */
	OK(e, "s", "0:2:1", CORELINK_FIELD_BYTE_SIZE, 4, 4);
	/* non-bitfield shifts: 64 - 32 either way */
	OK(e, "s", "0:1", CORELINK_FIELD_LSHIFT_U64, 32, 32);
	OK(e, "s", "0:1", CORELINK_FIELD_RSHIFT_U64, 32, 32);
	CHECK_EQ(relo(e, L(e, "s"), "0:1", CORELINK_FIELD_LSHIFT_U64, true, &r, NULL, NULL), 0);
	CHECK_EQ(r.new_val, 32);

	/* pointer used as array: s[1] is 28 -> 24 bytes; struct sizes differ, so a
	 * load through it could not be resized (libbpf marks it the same way) */
	CHECK_EQ(relo(e, L(e, "s"), "1", CORELINK_FIELD_BYTE_OFFSET, false, &r, NULL, NULL), 0);
	CHECK_EQ(r.orig_val, 28);
	CHECK_EQ(r.new_val, 24);
	CHECK(r.fail_memsz_adjust);
	OK(e, "s", "1", CORELINK_FIELD_BYTE_SIZE, 28, 24);

	/* missing field: poison for value kinds, 0 for EXISTS */
	CHECK_EQ(relo(e, L(e, "s"), "0:3", CORELINK_FIELD_BYTE_OFFSET, false, &r, &d, NULL), 0);
	CHECK(r.poison);
	CHECK_EQ(r.orig_val, 24);
	CHECK_EQ(d.fail_acc, 1);
	{
		static struct cl_spec specs[3];
		struct btfdb_err err = { { 0 } };
		struct cl_cand_list l = { 0 };

		cl_cands_find(e->L, L(e, "s"), e->T, e->idx, &l, &err);
		cl_calc_relo_insn(e->L, L(e, "s"), "0:3", CORELINK_FIELD_BYTE_OFFSET, false, &l, e->T,
				  specs, &r, &d, &err);
		cl_poison_reason(why, sizeof(why), &specs[0], &r, &d);
		CHECK_STR(why, "struct s has no field 'c' compatible with the local one (checked 1 candidate)");
		free(l.ids);
	}
	for (uint32_t k = CORELINK_FIELD_BYTE_OFFSET; k <= CORELINK_FIELD_RSHIFT_U64; k++) {
		CHECK_EQ(relo(e, L(e, "s"), "0:3", k, false, &r, NULL, NULL), 0);
		CHECK_EQ(r.poison, k != CORELINK_FIELD_EXISTS);
		if (k == CORELINK_FIELD_EXISTS) {
			CHECK_EQ(r.orig_val, 1);
			CHECK_EQ(r.new_val, 0);
			CHECK(r.validate);
		}
	}
	/* array index beyond the target's bound */
	POISON(e, "s", "0:2:3", CORELINK_FIELD_BYTE_OFFSET);
	OK(e, "s", "0:2:3", CORELINK_FIELD_EXISTS, 1, 0);
	{
		static struct cl_spec specs[3];
		struct btfdb_err err = { { 0 } };
		struct cl_cand_list l = { 0 };

		cl_cands_find(e->L, L(e, "s"), e->T, e->idx, &l, &err);
		cl_calc_relo_insn(e->L, L(e, "s"), "0:2:3", CORELINK_FIELD_BYTE_SIZE, false, &l, e->T,
				  specs, &r, &d, &err);
		cl_poison_reason(why, sizeof(why), &specs[0], &r, &d);
		CHECK_STR(why, "struct s.arr is not an array with an element [3] in target (checked 1 candidate)");
		free(l.ids);
	}

	/* no candidate at all */
	for (uint32_t k = CORELINK_FIELD_BYTE_OFFSET; k <= CORELINK_FIELD_RSHIFT_U64; k++) {
		CHECK_EQ(relo(e, L(e, "nothere"), "0:0", k, false, &r, &d, NULL), 0);
		CHECK_EQ(r.poison, k != CORELINK_FIELD_EXISTS);
		CHECK_EQ(d.nr_cands, 0);
	}
	cl_poison_reason(why, sizeof(why), &(struct cl_spec){ .btf = e->L,
		.root_type_id = L(e, "nothere"), .kind = CORELINK_FIELD_BYTE_OFFSET }, &r, &d);
	CHECK_STR(why, "no type named 'nothere' in target");

	/* array accessor misuse: only BYTE_OFFSET/BYTE_SIZE/EXISTS apply */
	FAIL(e, "s", "0:2:1", CORELINK_FIELD_SIGNED, -EINVAL, "can't be applied to array access");
	FAIL(e, "s", "0:2:1", CORELINK_FIELD_LSHIFT_U64, -EINVAL, "array access");
	FAIL(e, "s", "1", CORELINK_FIELD_RSHIFT_U64, -EINVAL, "array access");
	OK(e, "s", "0:2:1", CORELINK_FIELD_EXISTS, 1, 1);
	/* ... even with no candidate (the local side is computed first) */
	FAIL(e, "nothere", "0", CORELINK_FIELD_SIGNED, -EINVAL, "array access");
}

static void test_bitfields(struct env *e)
{
	struct cl_relo_res r;

	/* b: local bit 3 (5 bits, u32), target bit 4 */
	for (int be = 0; be < 2; be++) {
		CHECK_EQ(relo(e, L(e, "bits"), "0:1", CORELINK_FIELD_LSHIFT_U64, be, &r, NULL, NULL), 0);
		/* LE: 64 - (bit + size - 8*byte_off); BE: (8 - byte_sz)*8 + bit - 8*byte_off */
		CHECK_EQ(r.orig_val, be ? 32 + 3 : 64 - 8);
		CHECK_EQ(r.new_val, be ? 32 + 4 : 64 - 9);
		CHECK(!r.validate);
		/* c: target bit 20, 20 bits -> needs an 8-byte load at 0 */
		CHECK_EQ(relo(e, L(e, "bits"), "0:2", CORELINK_FIELD_LSHIFT_U64, be, &r, NULL, NULL), 0);
		CHECK_EQ(r.orig_val, be ? 32 + 8 : 64 - 28);
		CHECK_EQ(r.new_val, be ? 0 + 20 : 64 - 40);
		/* e: a u8 (not a bitfield) at byte 5 in the target */
		CHECK_EQ(relo(e, L(e, "bits"), "0:3", CORELINK_FIELD_LSHIFT_U64, be, &r, NULL, NULL), 0);
		CHECK_EQ(r.orig_val, be ? 32 + 28 : 64 - 32);
		CHECK_EQ(r.new_val, 56);
	}
	OK(e, "bits", "0:1", CORELINK_FIELD_BYTE_OFFSET, 0, 0);
	OK(e, "bits", "0:1", CORELINK_FIELD_BYTE_SIZE, 4, 4);
	OK(e, "bits", "0:1", CORELINK_FIELD_RSHIFT_U64, 59, 59);
	OK(e, "bits", "0:1", CORELINK_FIELD_SIGNED, 0, 0);
	OK(e, "bits", "0:2", CORELINK_FIELD_BYTE_SIZE, 4, 8);
	OK(e, "bits", "0:2", CORELINK_FIELD_RSHIFT_U64, 44, 44);
	OK(e, "bits", "0:3", CORELINK_FIELD_BYTE_OFFSET, 0, 5);
	OK(e, "bits", "0:3", CORELINK_FIELD_BYTE_SIZE, 4, 1);
	OK(e, "bits", "0:3", CORELINK_FIELD_RSHIFT_U64, 60, 56);
	/* validation: off for bitfield offsets/sizes, on for RSHIFT and SIGNED */
	relo(e, L(e, "bits"), "0:1", CORELINK_FIELD_BYTE_OFFSET, false, &r, NULL, NULL);
	CHECK(!r.validate);
	relo(e, L(e, "bits"), "0:1", CORELINK_FIELD_RSHIFT_U64, false, &r, NULL, NULL);
	CHECK(r.validate);
	relo(e, L(e, "bits"), "0:1", CORELINK_FIELD_SIGNED, false, &r, NULL, NULL);
	CHECK(r.validate);
	/* bitfield -> plain u8: load sizes 0 (bitfield) vs 1: unsafe for a load */
	relo(e, L(e, "bits"), "0:3", CORELINK_FIELD_BYTE_OFFSET, false, &r, NULL, NULL);
	CHECK_EQ(r.orig_sz, 0);
	CHECK_EQ(r.new_sz, 1);
	CHECK(r.fail_memsz_adjust);

	/* 61 bits at bit 4 can't be read with one 64-bit load: -E2BIG */
	FAIL(e, "bf", "0:1", CORELINK_FIELD_BYTE_OFFSET, -E2BIG, "bitfield");
	FAIL(e, "bf", "0:1", CORELINK_FIELD_LSHIFT_U64, -E2BIG, "can't be satisfied");
	OK(e, "bf", "0:1", CORELINK_FIELD_EXISTS, 1, 1);
}

static void test_load_size(struct env *e)
{
	struct cl_relo_res r;

	/* u32 -> u64: safe; int -> long: not */
	relo(e, L(e, "ms"), "0:0", CORELINK_FIELD_BYTE_OFFSET, false, &r, NULL, NULL);
	CHECK_EQ(r.orig_sz, 4);
	CHECK_EQ(r.new_sz, 8);
	CHECK(!r.fail_memsz_adjust);
	relo(e, L(e, "ms"), "0:1", CORELINK_FIELD_BYTE_OFFSET, false, &r, NULL, NULL);
	CHECK_EQ(r.new_val, 8);
	CHECK(r.fail_memsz_adjust);
	CHECK(!r.poison); /* poison happens at patch time, on LDX/ST/STX only */
	/* only BYTE_OFFSET carries sizes */
	relo(e, L(e, "ms"), "0:1", CORELINK_FIELD_BYTE_SIZE, false, &r, NULL, NULL);
	CHECK(!r.fail_memsz_adjust);
	CHECK_EQ(r.new_val, 8);
}

static void test_errors(struct env *e)
{
	struct cl_relo_res r;
	static struct cl_spec specs[3];
	struct cl_relo_diag d;
	struct btfdb_err err = { { 0 } };
	struct cl_cand_list l = { 0 };
	uint32_t anon;
	char acc[256];
	int n = 0;

	/* ambiguity */
	FAIL(e, "amb", "0:0", CORELINK_FIELD_BYTE_OFFSET, -EINVAL, "field offset ambiguity: 0 != 64");
	FAIL(e, "amb", "0:0", CORELINK_FIELD_EXISTS, -EINVAL, "field offset ambiguity");
	FAIL(e, "dec", "0:0", CORELINK_FIELD_BYTE_SIZE, -EINVAL,
	     "relocation decision ambiguity: success 1 != success 4");
	OK(e, "dec", "0:0", CORELINK_FIELD_BYTE_OFFSET, 0, 0); /* load sizes are not compared */
	FAIL(e, "dec", "0", CORELINK_TYPE_ID_TARGET, -EINVAL, "decision ambiguity");
	FAIL(e, "dec", "0", CORELINK_TYPE_SIZE, -EINVAL, "decision ambiguity");
	OK(e, "dec", "0", CORELINK_TYPE_EXISTS, 1, 1);

	/* bad access strings: -EINVAL, with libbpf's "parsing" context */
	FAIL(e, "s", "0:9", CORELINK_FIELD_BYTE_OFFSET, -EINVAL, "parsing [");
	FAIL(e, "s", "0:9", CORELINK_FIELD_BYTE_OFFSET, -EINVAL, "struct s + 0:9 failed");
	FAIL(e, "s", "", CORELINK_FIELD_BYTE_OFFSET, -EINVAL, "parsing");
	FAIL(e, "s", "1", CORELINK_TYPE_EXISTS, -EINVAL, "parsing");
	FAIL(e, "e", "7", CORELINK_ENUMVAL_VALUE, -EINVAL, "parsing");
	/* a local access deeper than 64 is a parse failure: -EINVAL, not -E2BIG */
	for (int i = 0; i < 65; i++)
		n += snprintf(acc + n, sizeof(acc) - n, i ? ":0" : "0");
	FAIL(e, "deep", acc, CORELINK_FIELD_BYTE_OFFSET, -EINVAL, "more than 64");
	/* a target nested deeper than 64: -E2BIG while matching */
	FAIL(e, "deep", "0:0", CORELINK_FIELD_BYTE_OFFSET, -E2BIG, "error matching candidate #0");
	/* unknown kind */
	FAIL(e, "s", "0:0", 13, -EINVAL, "parsing");
	FAIL(e, "s", "0", 200, -EINVAL, "parsing");

	/* anonymous root: the candidate search refuses it (-EINVAL, as libbpf's
	 * bpf_core_find_cands), before calc's own -EOPNOTSUPP check */
	anon = btfdb_btf_type_cnt(e->L) - 1;
	CHECK_EQ(cl_cands_find(e->L, anon, e->T, e->idx, &l, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "anonymous");
	memset(&err, 0, sizeof(err));
	CHECK_EQ(cl_calc_relo_insn(e->L, anon, "0:0", CORELINK_FIELD_BYTE_OFFSET, false, &l, e->T,
				   specs, &r, &d, &err), -EOPNOTSUPP);
	CHECK_CONTAINS(err.msg, "doesn't support anonymous types");
	/* ... but TYPE_ID_LOCAL works on anonymous types */
	CHECK_EQ(relo(e, anon, "0", CORELINK_TYPE_ID_LOCAL, false, &r, NULL, NULL), 0);
	CHECK_EQ(r.orig_val, anon);
	CHECK_EQ(r.new_val, anon);
	CHECK(!r.validate);
	/* out-of-range local type */
	CHECK_EQ(cl_cands_find(e->L, 99999, e->T, e->idx, &l, &err), -EINVAL);
}

static void test_enums(struct env *e)
{
	struct cl_relo_res r;
	static struct cl_spec specs[3];
	struct cl_relo_diag d;
	struct btfdb_err err = { { 0 } };
	struct cl_cand_list l = { 0 };
	char why[512];

	/* 32-bit enumerators are sign-extended: B = -5 */
	OK(e, "e", "1", CORELINK_ENUMVAL_VALUE, 2, 0xfffffffffffffffbull);
	OK(e, "e", "0", CORELINK_ENUMVAL_VALUE, 1, 7);
	OK(e, "e", "1", CORELINK_ENUMVAL_EXISTS, 1, 1);
	/* ... even in an unsigned (kflag 0) enum, like libbpf */
	OK(e, "eu", "0", CORELINK_ENUMVAL_VALUE, 1, 0xffffffff80000000ull);
	/* enum -> enum64 candidate */
	OK(e, "e64l", "0", CORELINK_ENUMVAL_VALUE, 1, 0x100000000ull);
	/* enumerator flavors: A___old finds A */
	OK(e, "ef", "0", CORELINK_ENUMVAL_VALUE, 5, 9);
	/* missing enumerator */
	POISON(e, "e", "2", CORELINK_ENUMVAL_VALUE);
	OK(e, "e", "2", CORELINK_ENUMVAL_EXISTS, 1, 0);
	relo(e, L(e, "e"), "2", CORELINK_ENUMVAL_EXISTS, false, &r, NULL, NULL);
	CHECK(r.validate);

	cl_cands_find(e->L, L(e, "e"), e->T, e->idx, &l, &err);
	cl_calc_relo_insn(e->L, L(e, "e"), "2", CORELINK_ENUMVAL_VALUE, false, &l, e->T, specs, &r,
			  &d, &err);
	cl_poison_reason(why, sizeof(why), &specs[0], &r, &d);
	CHECK_STR(why, "enum e has no enumerator 'GONE' in target (checked 1 candidate)");
	free(l.ids);
}

static void test_types(struct env *e)
{
	struct cl_relo_res r;
	struct cl_relo_diag d;

	OK(e, "t", "0", CORELINK_TYPE_SIZE, 4, 8);
	OK(e, "t", "0", CORELINK_TYPE_EXISTS, 1, 1);
	OK(e, "t", "0", CORELINK_TYPE_MATCHES, 1, 1);
	CHECK_EQ(relo(e, L(e, "t"), "0", CORELINK_TYPE_ID_TARGET, false, &r, NULL, NULL), 0);
	CHECK_EQ(r.orig_val, L(e, "t"));
	CHECK_EQ(r.new_val, T(e, "t", BTF_KIND_STRUCT));
	CHECK(!r.validate);
	CHECK_EQ(relo(e, L(e, "t"), "0", CORELINK_TYPE_ID_LOCAL, false, &r, NULL, NULL), 0);
	CHECK_EQ(r.new_val, L(e, "t"));
	CHECK(!r.validate);

	/* int a vs long a: compatible (sizes ignored) but no type match */
	OK(e, "tm", "0", CORELINK_TYPE_EXISTS, 1, 1);
	OK(e, "tm", "0", CORELINK_TYPE_MATCHES, 1, 0);
	/* floats are never type-compatible */
	OK(e, "float_t", "0", CORELINK_TYPE_EXISTS, 1, 0);
	/* function pointers: same arity and compatible params */
	OK(e, "fn_t", "0", CORELINK_TYPE_EXISTS, 1, 1);
	OK(e, "fn2_t", "0", CORELINK_TYPE_EXISTS, 1, 0);
	/* behind a pointer a struct matches a FWD of the same flavour, not a union */
	OK(e, "pt", "0", CORELINK_TYPE_MATCHES, 1, 1);
	OK(e, "pt2", "0", CORELINK_TYPE_MATCHES, 1, 0);
	OK(e, "pt2", "0", CORELINK_TYPE_EXISTS, 1, 1);
	/* a typedef root only finds typedefs */
	CHECK_EQ(relo(e, L(e, "tdroot"), "0", CORELINK_TYPE_EXISTS, false, &r, &d, NULL), 0);
	CHECK_EQ(d.nr_cands, 0);
	CHECK_EQ(r.new_val, 0);

	/* no candidate: 0 and never poison for every type kind; orig still validated */
	OK(e, "nothere", "0", CORELINK_TYPE_EXISTS, 1, 0);
	OK(e, "nothere", "0", CORELINK_TYPE_SIZE, 4, 0);
	OK(e, "nothere", "0", CORELINK_TYPE_MATCHES, 1, 0);
	CHECK_EQ(relo(e, L(e, "nothere"), "0", CORELINK_TYPE_ID_TARGET, false, &r, NULL, NULL), 0);
	CHECK(!r.poison);
	CHECK_EQ(r.new_val, 0);
	CHECK(!r.validate);
	relo(e, L(e, "nothere"), "0", CORELINK_TYPE_SIZE, false, &r, NULL, NULL);
	CHECK(r.validate);
	POISON(e, "nothere", "0:0", CORELINK_FIELD_BYTE_OFFSET);
	OK(e, "nothere", "0:0", CORELINK_FIELD_EXISTS, 1, 0);
}

static void test_matching(struct env *e)
{
	/* flavors: s___a is matched against target s */
	OK(e, "s___a", "0:0", CORELINK_FIELD_BYTE_OFFSET, 0, 8);
	POISON(e, "s___b", "0:0", CORELINK_FIELD_BYTE_OFFSET);
	/* "__" is not a flavor separator */
	POISON(e, "s__x", "0:0", CORELINK_FIELD_BYTE_OFFSET);
	/* anonymous re-nesting: n.b moves out of a later anonymous union */
	OK(e, "n", "0:1:0", CORELINK_FIELD_BYTE_OFFSET, 4, 0);
	OK(e, "n", "0:1:1", CORELINK_FIELD_BYTE_OFFSET, 4, 0);
	OK(e, "n", "0:0", CORELINK_FIELD_BYTE_OFFSET, 0, 4);
	/* ... or into two extra anonymous levels */
	OK(e, "n2", "0:0", CORELINK_FIELD_BYTE_OFFSET, 0, 8);
	/* struct vs union members are compatible */
	OK(e, "su", "0:0:0", CORELINK_FIELD_BYTE_OFFSET, 0, 4);
	OK(e, "su", "0:0", CORELINK_FIELD_BYTE_SIZE, 4, 4);
	/* flexible arrays: any index in the target's flexible array */
	OK(e, "f", "0:1:3", CORELINK_FIELD_BYTE_OFFSET, 16, 20);
	/* ... but a fixed int d[2] bounds it */
	POISON(e, "f2", "0:1:3", CORELINK_FIELD_BYTE_OFFSET);
	OK(e, "f2", "0:1:1", CORELINK_FIELD_BYTE_OFFSET, 8, 8);
}

/* nesting___err_partial_match_dups: the pruned cache decides the second relocation. */
static void test_pruning(struct env *e)
{
	static struct cl_spec specs[3];
	struct btfdb_err err = { { 0 } };
	struct cl_cand_list l = { 0 };
	struct cl_relo_res r;
	struct cl_relo_diag d;
	uint32_t pr = L(e, "pr");
	uint32_t pr1 = T(e, "pr___1", BTF_KIND_STRUCT), pr2 = T(e, "pr___2", BTF_KIND_STRUCT);

	CHECK_EQ(cl_cands_find(e->L, pr, e->T, e->idx, &l, &err), 0);
	CHECK_EQ(l.len, 2);
	CHECK_EQ(l.ids[0], pr1);
	CHECK_EQ(l.ids[1], pr2);

	/* pr.a exists in pr___1 only */
	CHECK_EQ(cl_calc_relo_insn(e->L, pr, "0:0", CORELINK_FIELD_EXISTS, false, &l, e->T, specs,
				   &r, &d, &err), 0);
	CHECK_EQ(d.nr_matched, 1);
	CHECK_EQ(l.len, 1); /* pr.a matched pr___1 only: pruned */
	CHECK_EQ(l.ids[0], pr1);
	/* pr.b now sees only pr___1, which lacks it: poisoned */
	CHECK_EQ(cl_calc_relo_insn(e->L, pr, "0:1", CORELINK_FIELD_BYTE_OFFSET, false, &l, e->T,
				   specs, &r, &d, &err), 0);
	CHECK(r.poison);
	CHECK_EQ(d.nr_cands, 1);
	CHECK_EQ(d.nr_found, 2);
	CHECK_EQ(l.len, 1); /* no match: not pruned further */
	{
		char why[512];

		cl_poison_reason(why, sizeof(why), &specs[0], &r, &d);
		CHECK_STR(why, "struct pr has no field 'b' compatible with the local one (checked 1 "
			  "candidate; 1 other ruled out by earlier relocations of this type)");
	}
	free(l.ids);

	/* the other order: b first matches pr___2 (offset 0), then a is poisoned */
	cl_cands_find(e->L, pr, e->T, e->idx, &l, &err);
	CHECK_EQ(cl_calc_relo_insn(e->L, pr, "0:1", CORELINK_FIELD_BYTE_OFFSET, false, &l, e->T,
				   specs, &r, &d, &err), 0);
	CHECK(!r.poison);
	CHECK_EQ(r.orig_val, 4);
	CHECK_EQ(r.new_val, 0);
	CHECK_EQ(l.ids[0], pr2);
	CHECK_EQ(cl_calc_relo_insn(e->L, pr, "0:0", CORELINK_FIELD_BYTE_OFFSET, false, &l, e->T,
				   specs, &r, &d, &err), 0);
	CHECK(r.poison);
	free(l.ids);

	/* a fresh list: both fields found, no ambiguity since each matches one */
	cl_cands_find(e->L, pr, e->T, e->idx, &l, &err);
	CHECK_EQ(cl_calc_relo_insn(e->L, pr, "0:0", CORELINK_FIELD_BYTE_OFFSET, false, &l, e->T,
				   specs, &r, &d, &err), 0);
	CHECK(!r.poison);
	free(l.ids);
}

/* The cache: one list per local id, shared and pruned. */
static void test_cache(struct env *e)
{
	struct cl_cand_cache *c = NULL;
	struct cl_cand_list *l1 = NULL, *l2 = NULL;
	struct btfdb_err err = { { 0 } };

	CHECK_EQ(cl_cand_cache_new(e->L, e->T, e->idx, &c), 0);
	CHECK_EQ(cl_cand_cache_get(c, L(e, "pr"), &l1, &err), 0);
	CHECK_EQ(l1->len, 2);
	l1->len = 1; /* as calc would prune */
	CHECK_EQ(cl_cand_cache_get(c, L(e, "pr"), &l2, &err), 0);
	CHECK(l1 == l2);
	CHECK_EQ(l2->len, 1);
	CHECK_EQ(cl_cand_cache_get(c, L(e, "nothere"), &l2, &err), 0);
	CHECK_EQ(l2->len, 0);
	CHECK_EQ(cl_cand_cache_get(c, btfdb_btf_type_cnt(e->L) - 1, &l2, &err), -EINVAL);
	CHECK_EQ(cl_cand_cache_get(c, 1u << 30, &l2, &err), -EINVAL);
	/* enum finds enum64, typedef only typedefs */
	CHECK_EQ(cl_cand_cache_get(c, L(e, "e64l"), &l2, &err), 0);
	CHECK_EQ(l2->len, 1);
	CHECK_EQ(l2->ids[0], T(e, "e64l", BTF_KIND_ENUM64));
	cl_cand_cache_free(c);
	cl_cand_cache_free(NULL);
}

/*
 * FIELD_SIGNED of a pointer member: libbpf 1.1 read an int encoding from the
 * 32-bit word after any type record (b4c8def4 fixed it in 1.3.0).  After the
 * last type that word is the start of the string section: "\0abc" has bit 24
 * set ('c' is odd), "\0abd" not.  1.7's rules: 0 for both.
 */
static void test_signed_rules(void)
{
	static struct bb lb, tb;
	static struct cl_spec specs[3];
	static const char *const first[2] = { "abc", "abd" };
	struct btfdb_btf *L, *T;
	struct btfdb_index *idx = NULL;
	struct btfdb_err err = { { 0 } };
	struct cl_relo_res res;
	struct cl_relo_diag d;
	struct cl_cand_list l = { 0 };
	uint32_t sg;
	int k, mode;

	bb_init(&lb);
	bb_int(&lb, "int", 4, BTF_INT_SIGNED);          /* 1 */
	bb_ptr(&lb, 1);                                 /* 2: next is "sg" */
	sg = bb_struct(&lb, "sg", 16, 2);               /* 3 */
	bb_member(&lb, "p", 2, 0, 0);
	bb_member(&lb, "x", 1, 64, 0);
	L = bb_finish(&lb);
	CHECK(L != NULL);
	for (k = 0; L && k < 2; k++) {
		bb_init(&tb);
		bb_int(&tb, first[k], 4, BTF_INT_SIGNED); /* 1: its name is the first string */
		bb_struct(&tb, "sg", 16, 2);             /* 2 */
		bb_member(&tb, "p", 3, 0, 0);
		bb_member(&tb, "x", 1, 64, 0);
		bb_ptr(&tb, 1);                          /* 3: the last type */
		T = bb_finish(&tb);
		CHECK(T != NULL);
		if (!T)
			continue;
		CHECK_EQ(btfdb_index_build(T, &idx, &err), 0);
		for (mode = 0; idx && mode <= (int)CL_MODE_LIBBPF_1_1; mode += CL_MODE_LIBBPF_1_1) {
			CHECK_EQ(cl_cands_find(L, sg, T, idx, &l, &err), 0);
			CHECK_EQ(cl_calc_relo_insn(L, sg, "0:0", CORELINK_FIELD_SIGNED, (unsigned)mode, &l,
						   T, specs, &res, &d, &err), 0);
			CHECK_EQ(res.orig_val, 0); /* the local PTR is followed by "sg"'s record */
			CHECK_EQ(res.new_val, mode && k == 0 ? 1 : 0);
			free(l.ids);
			l.ids = NULL;
			CHECK_EQ(cl_cands_find(L, sg, T, idx, &l, &err), 0);
			CHECK_EQ(cl_calc_relo_insn(L, sg, "0:1", CORELINK_FIELD_SIGNED, (unsigned)mode, &l,
						   T, specs, &res, &d, &err), 0);
			CHECK_EQ(res.new_val, 1);
			free(l.ids);
			l.ids = NULL;
		}
		btfdb_index_free(idx);
		idx = NULL;
		btfdb_btf_free(T);
	}
	btfdb_btf_free(L);
}

int main(void)
{
	struct btfdb_err err = { { 0 } };
	struct env e = { 0 };

	e.L = build_local();
	e.T = build_target();
	CHECK(e.L && e.T);
	if (!e.L || !e.T)
		return test_finish();
	btfdb_btf_set_ptr_size(e.L, 8);
	CHECK_EQ(btfdb_index_build(e.T, &e.idx, &err), 0);
	if (!e.idx)
		return test_finish();

	test_fields(&e);
	test_bitfields(&e);
	test_load_size(&e);
	test_errors(&e);
	test_enums(&e);
	test_types(&e);
	test_matching(&e);
	test_pruning(&e);
	test_cache(&e);
	test_signed_rules();

	btfdb_index_free(e.idx);
	btfdb_btf_free(e.L);
	btfdb_btf_free(e.T);
	return test_finish();
}
