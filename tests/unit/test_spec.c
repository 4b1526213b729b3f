/* SPDX-License-Identifier: MIT */
/* Access string -> spec (spec.c, libbpf bpf_core_parse_spec rules) and spec
 * formatting / kind names (report.c), on BTF built in memory. */
#include <errno.h>

#include "relo.h"
#include "relo_btf.h"
#include "test.h"

/*
 * Local types (ids in comments):
 *   [1] int  [2] unsigned int  [3] char
 *   [4] struct sample { int __unimportant; struct { int __1; int __2; int a[7]; }; }  (size 40)
 *   [5] anon struct { int __1; int __2; int a[7]; } (size 36)
 *   [6] int[7]
 *   [7] struct flex { int n; int data[]; }  [8] int[0]
 *   [9] struct zmid { int z[0]; int x; }
 *   [10] struct s { int arr[3][2]; struct inner { int x; } m[2][2]; } ...
 */
struct fixture {
	struct btfdb_btf *btf;
	uint32_t t_int, t_sample, t_anon, t_flex, t_zmid, t_s, t_inner, t_enum, t_enum64,
		t_bits, t_typedef, t_const, t_fwd, t_ptr, t_deep;
};

static void build(struct fixture *f)
{
	static struct bb b;
	uint32_t uint, arr7, arr0, arr2, arr3x2, inner_arr2, inner_arr2x2;

	bb_init(&b);
	f->t_int = bb_int(&b, "int", 4, BTF_INT_SIGNED);
	uint = bb_int(&b, "unsigned int", 4, 0);

	/* struct sample from libbpf's bpf_core_parse_spec comment */
	f->t_sample = bb_struct(&b, "sample", 40, 2);
	f->t_anon = f->t_sample + 1;
	bb_member(&b, "__unimportant", f->t_int, 0, 0);
	bb_member(&b, NULL, f->t_anon, 32, 0);
	bb_struct(&b, NULL, 36, 3);
	arr7 = f->t_anon + 1;
	bb_member(&b, "__1", f->t_int, 0, 0);
	bb_member(&b, "__2", f->t_int, 32, 0);
	bb_member(&b, "a", arr7, 64, 0);
	bb_array(&b, f->t_int, f->t_int, 7);

	/* flexible array: last member, zero elements */
	f->t_flex = bb_struct(&b, "flex", 4, 2);
	arr0 = f->t_flex + 1;
	bb_member(&b, "n", f->t_int, 0, 0);
	bb_member(&b, "data", arr0, 32, 0);
	bb_array(&b, f->t_int, f->t_int, 0);

	/* a zero-sized array that is NOT last: not flexible */
	f->t_zmid = bb_struct(&b, "zmid", 4, 2);
	bb_member(&b, "z", arr0, 0, 0);
	bb_member(&b, "x", f->t_int, 0, 0);

	/* struct s { int arr[3][2]; struct inner { int x; } m[2][2]; } */
	f->t_s = bb_struct(&b, "s", 40, 2);
	arr3x2 = f->t_s + 1;
	arr2 = arr3x2 + 1;
	f->t_inner = arr2 + 1;
	inner_arr2x2 = f->t_inner + 1;
	inner_arr2 = inner_arr2x2 + 1;
	bb_member(&b, "arr", arr3x2, 0, 0);
	bb_member(&b, "m", inner_arr2x2, 192, 0);
	bb_array(&b, arr2, f->t_int, 3);     /* int[3][2] */
	bb_array(&b, f->t_int, f->t_int, 2); /* int[2] */
	bb_struct(&b, "inner", 4, 1);
	bb_member(&b, "x", f->t_int, 0, 0);
	bb_array(&b, inner_arr2, f->t_int, 2); /* struct inner[2][2] */
	bb_array(&b, f->t_inner, f->t_int, 2); /* struct inner[2] */

	f->t_enum = bb_enum(&b, "e", 4, 2, 0);
	bb_enumval(&b, "VAL0", 0);
	bb_enumval(&b, "VAL", 7);
	f->t_enum64 = bb_enum64(&b, "e64", 8, 1, 0);
	bb_enum64val(&b, "BIG", 0x100000000ull);

	/* kflag struct with bitfields: u32 a:3 at 0, b:5 at 3 */
	f->t_bits = bb_struct_k(&b, "bits", 4, 2, 1);
	bb_member(&b, "a", uint, 0, 3);
	bb_member(&b, "b", uint, 3, 5);

	f->t_typedef = bb_typedef(&b, "sample_t", f->t_sample);
	f->t_const = bb_const(&b, f->t_typedef);
	f->t_fwd = bb_fwd(&b, "opaque", 0);
	f->t_ptr = bb_ptr(&b, f->t_sample);

	/* 70 nested single-member structs: d0 { d1 x; } ... for depth tests */
	f->t_deep = b.nr_types + 1;
	for (int i = 0; i < 70; i++) {
		char name[16];

		snprintf(name, sizeof(name), "d%d", i);
		bb_struct(&b, name, 4, 1);
		bb_member(&b, "x", i == 69 ? f->t_int : f->t_deep + i + 1, 0, 0);
	}
	f->btf = bb_finish(&b);
}

static int parse(struct fixture *f, uint32_t id, const char *acc, uint32_t kind, struct cl_spec *s)
{
	struct btfdb_err err = { { 0 } };
	int ret = cl_spec_parse(f->btf, id, acc, kind, s, &err);

	if (ret)
		CHECK(err.msg[0] != '\0'); /* every failure explains itself */
	return ret;
}

static void test_sample(struct fixture *f)
{
	static struct cl_spec s;

	CHECK_EQ(parse(f, f->t_sample, "0:1:2:3", CORELINK_FIELD_BYTE_OFFSET, &s), 0);
	CHECK_EQ(s.raw_len, 4);
	CHECK_EQ(s.raw_spec[0], 0);
	CHECK_EQ(s.raw_spec[3], 3);
	CHECK_EQ(s.len, 3);                 /* [0], .a, [3]: the anonymous step is raw only */
	CHECK_EQ(s.spec[0].type_id, f->t_sample);
	CHECK(s.spec[0].name == NULL);
	CHECK_EQ(s.spec[1].type_id, f->t_anon);
	CHECK_EQ(s.spec[1].idx, 2);
	CHECK_STR(s.spec[1].name, "a");
	CHECK_EQ(s.spec[2].type_id, f->t_int);
	CHECK_EQ(s.spec[2].idx, 3);
	CHECK_EQ(s.bit_offset, 32 + 64 + 3 * 32);
	CHECK_EQ(s.root_type_id, f->t_sample);
	CHECK_EQ(s.kind, CORELINK_FIELD_BYTE_OFFSET);

	/* through a const typedef: the root is skipped for the first accessor */
	CHECK_EQ(parse(f, f->t_const, "0:0", CORELINK_FIELD_BYTE_OFFSET, &s), 0);
	CHECK_EQ(s.spec[0].type_id, f->t_sample);
	CHECK_EQ(s.root_type_id, f->t_const);
	CHECK_STR(s.spec[1].name, "__unimportant");
}

static void test_syntax(struct fixture *f)
{
	static struct cl_spec s;
	char buf[512];
	int n;

	CHECK_EQ(parse(f, f->t_sample, "", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, NULL, CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, ":0", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "0:", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "0::1", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "0:x", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	/* sscanf("%d") tolerates blanks before a number, like libbpf */
	CHECK_EQ(parse(f, f->t_sample, "0: 0", CORELINK_FIELD_BYTE_OFFSET, &s), 0);
	/* "01" is 1 */
	CHECK_EQ(parse(f, f->t_sample, "0:01", CORELINK_FIELD_BYTE_OFFSET, &s), 0);
	CHECK_EQ(s.bit_offset, 32);
	/* negative indices (rejected by libbpf since 5ca5801a; 1.1-1.7 read out of
	 * bounds) and indices beyond int are malformed, in any position and kind */
	CHECK_EQ(parse(f, f->t_sample, "0:-1", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "-1", CORELINK_TYPE_SIZE, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "-2:0", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "0: -2147483648", CORELINK_FIELD_EXISTS, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "0:4294967296", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "0:2147483648", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "0:99999999999999999999", CORELINK_FIELD_BYTE_OFFSET, &s),
		 -EINVAL);
	/* "-0" is 0, as for libbpf */
	CHECK_EQ(parse(f, f->t_sample, "0:-0", CORELINK_FIELD_BYTE_OFFSET, &s), 0);
	CHECK_EQ(s.bit_offset, 0);

	/* 64 numbers: d0.x.x...x (63 member steps, all named) is a valid spec ... */
	n = 0;
	for (int i = 0; i < 64; i++)
		n += snprintf(buf + n, sizeof(buf) - n, i ? ":0" : "0");
	CHECK_EQ(parse(f, f->t_deep, buf, CORELINK_FIELD_BYTE_OFFSET, &s), 0);
	CHECK_EQ(s.raw_len, 64);
	CHECK_EQ(s.len, 64);
	/* ... but a 65th number is -E2BIG */
	snprintf(buf + n, sizeof(buf) - n, ":0");
	CHECK_EQ(parse(f, f->t_deep, buf, CORELINK_FIELD_BYTE_OFFSET, &s), -E2BIG);
}

static void test_type_kinds(struct fixture *f)
{
	static struct cl_spec s;

	for (uint32_t k = CORELINK_TYPE_ID_LOCAL; k <= CORELINK_TYPE_SIZE; k++) {
		CHECK_EQ(parse(f, f->t_sample, "0", k, &s), 0);
		CHECK_EQ(s.len, 0);
		CHECK_EQ(s.raw_len, 0);
		CHECK_EQ(parse(f, f->t_sample, "1", k, &s), -EINVAL);
		CHECK_EQ(parse(f, f->t_sample, "0:0", k, &s), -EINVAL);
	}
	CHECK_EQ(parse(f, f->t_sample, "0", CORELINK_TYPE_MATCHES, &s), 0);
	CHECK_EQ(parse(f, f->t_sample, "00", CORELINK_TYPE_MATCHES, &s), -EINVAL);
	/* unknown kinds fail parsing (libbpf: -EINVAL, never reaching calc) */
	CHECK_EQ(parse(f, f->t_sample, "0", 13, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "0:0", 99, &s), -EINVAL);
}

static void test_enum(struct fixture *f)
{
	static struct cl_spec s;

	CHECK_EQ(parse(f, f->t_enum, "1", CORELINK_ENUMVAL_VALUE, &s), 0);
	CHECK_EQ(s.len, 1);
	CHECK_STR(s.spec[0].name, "VAL");
	CHECK_EQ(s.spec[0].idx, 1);
	CHECK_EQ(parse(f, f->t_enum64, "0", CORELINK_ENUMVAL_EXISTS, &s), 0);
	CHECK_STR(s.spec[0].name, "BIG");
	CHECK_EQ(parse(f, f->t_enum, "2", CORELINK_ENUMVAL_VALUE, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_enum, "0:1", CORELINK_ENUMVAL_VALUE, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_enum, "-1", CORELINK_ENUMVAL_VALUE, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "0", CORELINK_ENUMVAL_EXISTS, &s), -EINVAL);
}

static void test_fields(struct fixture *f)
{
	static struct cl_spec s;

	/* pointer used as array: first index times the root size */
	CHECK_EQ(parse(f, f->t_sample, "3", CORELINK_FIELD_BYTE_OFFSET, &s), 0);
	CHECK_EQ(s.bit_offset, 3 * 40 * 8);
	CHECK_EQ(s.len, 1);
	CHECK_EQ(s.spec[0].idx, 3);

	/* bounds: member index, array index */
	CHECK_EQ(parse(f, f->t_sample, "0:2", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "0:1:2:7", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_sample, "0:1:2:6", CORELINK_FIELD_BYTE_OFFSET, &s), 0);
	/* stepping into an int */
	CHECK_EQ(parse(f, f->t_sample, "0:0:0", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);

	/* flexible array: any index */
	CHECK_EQ(parse(f, f->t_flex, "0:1:5", CORELINK_FIELD_BYTE_OFFSET, &s), 0);
	CHECK_EQ(s.bit_offset, 32 + 5 * 32);
	CHECK_EQ(s.len, 3);
	CHECK(cl_is_flex_arr(f->btf, &s.spec[1], btfdb_array(btfdb_btf_type(f->btf, f->t_flex + 1))));
	/* zero-sized but not last: bounded (0 elements) */
	CHECK_EQ(parse(f, f->t_zmid, "0:0:0", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	CHECK_EQ(parse(f, f->t_zmid, "0:0", CORELINK_FIELD_BYTE_OFFSET, &s), 0);

	/* multi-dimensional arrays: s.arr[2][1], s.m[1][0].x */
	CHECK_EQ(parse(f, f->t_s, "0:0:2:1", CORELINK_FIELD_BYTE_OFFSET, &s), 0);
	CHECK_EQ(s.bit_offset, (2 * 8 + 1 * 4) * 8);
	CHECK_EQ(s.len, 4);
	CHECK_EQ(parse(f, f->t_s, "0:1:1:0:0", CORELINK_FIELD_BYTE_OFFSET, &s), 0);
	CHECK_EQ(s.bit_offset, 192 + (1 * 8 + 0) * 8);
	CHECK_EQ(s.len, 5);
	CHECK_EQ(s.spec[4].type_id, f->t_inner);

	/* bitfields: the member's bit offset from kflag encoding */
	CHECK_EQ(parse(f, f->t_bits, "0:1", CORELINK_FIELD_LSHIFT_U64, &s), 0);
	CHECK_EQ(s.bit_offset, 3);

	/* an unsized root (FWD) can't be indexed */
	CHECK(parse(f, f->t_fwd, "0", CORELINK_FIELD_BYTE_OFFSET, &s) < 0);
	/* root out of range */
	CHECK_EQ(parse(f, 100000, "0:0", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
	/* a pointer root is sized (8) but not a container */
	CHECK_EQ(parse(f, f->t_ptr, "2", CORELINK_FIELD_BYTE_OFFSET, &s), 0);
	CHECK_EQ(s.bit_offset, 2 * 64);
	CHECK_EQ(parse(f, f->t_ptr, "0:0", CORELINK_FIELD_BYTE_OFFSET, &s), -EINVAL);
}

static void test_format(struct fixture *f)
{
	static struct cl_spec s;
	char buf[256];

	parse(f, f->t_s, "0:0:2:1", CORELINK_FIELD_BYTE_OFFSET, &s);
	cl_spec_format(buf, sizeof(buf), &s, -1);
	CHECK_STR(buf, "struct s.arr[2][1]");
	parse(f, f->t_s, "0:1:1:0:0", CORELINK_FIELD_BYTE_OFFSET, &s);
	cl_spec_format(buf, sizeof(buf), &s, -1);
	CHECK_STR(buf, "struct s.m[1][0].x");
	cl_spec_format(buf, sizeof(buf), &s, 2);
	CHECK_STR(buf, "struct s.m");
	cl_spec_format(buf, sizeof(buf), &s, 3);
	CHECK_STR(buf, "struct s.m[1]");
	parse(f, f->t_sample, "3", CORELINK_FIELD_BYTE_OFFSET, &s);
	cl_spec_format(buf, sizeof(buf), &s, -1);
	CHECK_STR(buf, "struct sample[3]");
	parse(f, f->t_sample, "0:1:2:3", CORELINK_FIELD_BYTE_OFFSET, &s);
	cl_spec_format(buf, sizeof(buf), &s, -1);
	CHECK_STR(buf, "struct sample.a[3]");
	parse(f, f->t_enum, "1", CORELINK_ENUMVAL_VALUE, &s);
	cl_spec_format(buf, sizeof(buf), &s, -1);
	CHECK_STR(buf, "enum e::VAL");
	parse(f, f->t_enum64, "0", CORELINK_ENUMVAL_VALUE, &s);
	cl_spec_format(buf, sizeof(buf), &s, -1);
	CHECK_STR(buf, "enum e64::BIG");
	parse(f, f->t_sample, "0", CORELINK_TYPE_SIZE, &s);
	cl_spec_format(buf, sizeof(buf), &s, -1);
	CHECK_STR(buf, "struct sample");
	parse(f, f->t_typedef, "0", CORELINK_TYPE_EXISTS, &s);
	cl_spec_format(buf, sizeof(buf), &s, -1);
	CHECK_STR(buf, "typedef sample_t");
	/* truncation is safe and reports the full length */
	parse(f, f->t_s, "0:1:1:0:0", CORELINK_FIELD_BYTE_OFFSET, &s);
	CHECK_EQ(cl_spec_format(buf, 5, &s, -1), (int)strlen("struct s.m[1][0].x"));
	CHECK_STR(buf, "stru");
}

static void test_kind_names(void)
{
	static const char *const names[] = {
		"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64",
		"local_type_id", "target_type_id", "type_exists", "type_size", "enumval_exists",
		"enumval_value", "type_matches",
	};

	for (uint32_t k = 0; k < 13; k++)
		CHECK_STR(corelink_relo_kind_str(k), names[k]);
	CHECK_STR(corelink_relo_kind_str(13), "unknown");
	CHECK_STR(corelink_relo_kind_str(0xffffffff), "unknown");
}

int main(void)
{
	struct fixture f;

	build(&f);
	CHECK(f.btf != NULL);
	if (!f.btf)
		return test_finish();
	test_sample(&f);
	test_syntax(&f);
	test_type_kinds(&f);
	test_enum(&f);
	test_fields(&f);
	test_format(&f);
	test_kind_names();
	btfdb_btf_free(f.btf);
	return test_finish();
}
