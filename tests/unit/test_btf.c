/* SPDX-License-Identifier: MIT */
/*
 * btfdb/btf (btf_parse.c, btf_lazy.c, btf_cycles.c, btf.c, btf_type.c): raw
 * BTF blobs encoded with macros, parsed, read back, byte-swapped, split, and
 * broken in every way the parser must reject.
 */
#include <errno.h>

#include "index_internal.h"
#include "raw_btf.h"
#include "test.h"

/* ---- a tiny BTF encoder (raw_btf.h) and per-kind macros ---- */

#define T_INT(name, sz, enc, off, bits) \
	W(S(name), INFO(BTF_KIND_INT, 0, 0), sz, ((enc) << 24) | ((off) << 16) | (bits))
#define T_REF(kind, name, type) W(S(name), INFO(kind, 0, 0), type)
#define T_ARRAY(elem, index, n) W(0, INFO(BTF_KIND_ARRAY, 0, 0), 0, elem, index, n)
#define T_COMP(kind, name, sz, vlen) W(S(name), INFO(kind, 0, vlen), sz)
#define T_MEMBER(name, type, bitoff) W(S(name), type, bitoff)
#define T_ENUM(name, sz, vlen) W(S(name), INFO(BTF_KIND_ENUM, 0, vlen), sz)
#define T_ENUMV(name, v) W(S(name), v)
#define T_ENUM64(name, sz, vlen) W(S(name), INFO(BTF_KIND_ENUM64, 0, vlen), sz)
#define T_ENUM64V(name, lo, hi) W(S(name), lo, hi)
#define T_FWD(name) W(S(name), INFO(BTF_KIND_FWD, 0, 0), 0)
#define T_PROTO(ret, vlen) W(0, INFO(BTF_KIND_FUNC_PROTO, 0, vlen), ret)
#define T_PARAM(name, type) W(S(name), type)
#define T_FUNC(name, proto, linkage) W(S(name), INFO(BTF_KIND_FUNC, 0, linkage), proto)
#define T_VAR(name, type, linkage) W(S(name), INFO(BTF_KIND_VAR, 0, 0), type, linkage)
#define T_DATASEC(name, sz, vlen) W(S(name), INFO(BTF_KIND_DATASEC, 0, vlen), sz)
#define T_SECINFO(type, off, sz) W(type, off, sz)
#define T_FLOAT(name, sz) W(S(name), INFO(BTF_KIND_FLOAT, 0, 0), sz)
#define T_DECL_TAG(name, type, idx) W(S(name), INFO(BTF_KIND_DECL_TAG, 0, 0), type, (uint32_t)(idx))

/* Byte-swapped copy: header fields and every word of the type section. */
static void swap_blob(const uint8_t *in, size_t size, uint8_t *out)
{
	struct btf_header h;
	uint32_t i, *w;

	memcpy(out, in, size);
	memcpy(&h, in, sizeof(h));
	w = (uint32_t *)(out + h.hdr_len + h.type_off);
	for (i = 0; i < h.type_len / 4; i++)
		w[i] = __builtin_bswap32(w[i]);
	h.magic = __builtin_bswap16(h.magic);
	h.hdr_len = __builtin_bswap32(h.hdr_len);
	h.type_off = __builtin_bswap32(h.type_off);
	h.type_len = __builtin_bswap32(h.type_len);
	h.str_off = __builtin_bswap32(h.str_off);
	h.str_len = __builtin_bswap32(h.str_len);
	memcpy(out, &h, sizeof(h));
}

static uint8_t blob[65536], blob2[65536];

/* All 19 kinds; ids noted on the right. */
static size_t build_all(void)
{
	reset(0);
	T_INT("int", 4, BTF_INT_SIGNED, 0, 32);   /* 1 */
	T_REF(BTF_KIND_PTR, "", 3);               /* 2: struct s * */
	T_COMP(BTF_KIND_STRUCT, "s", 16, 3);      /* 3 */
	T_MEMBER("a", 1, 0);
	T_MEMBER("p", 2, 32);
	T_MEMBER("arr", 4, 96);
	T_ARRAY(1, 1, 1);                         /* 4: int[1] */
	T_COMP(BTF_KIND_UNION, "u", 4, 1);        /* 5 */
	T_MEMBER("x", 1, 0);
	T_ENUM("e", 4, 2);                        /* 6 */
	T_ENUMV("A", 0);
	T_ENUMV("B", 1);
	T_FWD("f");                               /* 7 */
	T_REF(BTF_KIND_TYPEDEF, "td", 3);         /* 8 */
	T_REF(BTF_KIND_VOLATILE, "", 1);          /* 9 */
	T_REF(BTF_KIND_CONST, "", 9);             /* 10 */
	T_REF(BTF_KIND_RESTRICT, "", 2);          /* 11 */
	T_PROTO(1, 2);                            /* 12 */
	T_PARAM("a", 1);
	T_PARAM("b", 2);
	T_FUNC("fn", 12, BTF_FUNC_GLOBAL);        /* 13 */
	T_VAR("v", 1, BTF_VAR_GLOBAL_ALLOCATED);  /* 14 */
	T_DATASEC(".data", 4, 1);                 /* 15 */
	T_SECINFO(14, 0, 4);
	T_FLOAT("double", 8);                     /* 16 */
	T_DECL_TAG("tag", 3, 0);                  /* 17 */
	T_REF(BTF_KIND_TYPE_TAG, "tt", 1);        /* 18 */
	T_ENUM64("e64", 8, 1);                    /* 19 */
	T_ENUM64V("BIG", 1, 2);
	T_INT("long int", 8, BTF_INT_SIGNED, 0, 64); /* 20 */
	return finish(blob);
}

static struct btfdb_btf *parse_ok(const void *data, size_t size, const struct btfdb_btf *base)
{
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *btf = NULL;
	int ret = btfdb_btf_parse(data, size, base, &btf, &err);

	CHECK_EQ(ret, 0);
	if (ret)
		fprintf(stderr, "unexpected parse failure: %s\n", err.msg);
	return btf;
}

static void check_all_kinds(const struct btfdb_btf *btf)
{
	static const uint16_t kinds[] = { 0, 1, 2, 4, 3, 5, 6, 7, 8, 9, 10, 11, 13, 12,
					  14, 15, 16, 17, 18, 19, 1 };
	uint32_t id, res;
	const struct btf_type *t;

	CHECK_EQ(btfdb_btf_type_cnt(btf), 21);
	CHECK_EQ(btfdb_btf_start_id(btf), 1);
	for (id = 0; id < 21; id++)
		CHECK_EQ(btfdb_kind(btfdb_btf_type(btf, id)), kinds[id]);
	CHECK(btfdb_btf_type(btf, 21) == NULL);
	CHECK(btfdb_btf_name(btf, 21) == NULL);
	CHECK_STR(btfdb_btf_name(btf, 0), "");
	CHECK_STR(btfdb_btf_name(btf, 2), "");
	CHECK_STR(btfdb_btf_name(btf, 3), "s");
	CHECK_STR(btfdb_btf_name(btf, 15), ".data");
	CHECK_STR(btfdb_btf_name(btf, 19), "e64");
	CHECK(btfdb_btf_str(btf, 100000) == NULL);

	t = btfdb_btf_type(btf, 3);
	CHECK_EQ(btfdb_vlen(t), 3);
	CHECK_STR(btfdb_btf_str(btf, btfdb_members(t)[2].name_off), "arr");
	CHECK_EQ(btfdb_member_bit_offset(t, 2), 96);
	CHECK_EQ(btfdb_int_bits(btfdb_btf_type(btf, 1)), 32);
	CHECK_EQ(btfdb_int_encoding(btfdb_btf_type(btf, 1)), BTF_INT_SIGNED);
	CHECK_EQ(btfdb_enums64(btfdb_btf_type(btf, 19))[0].val_hi32, 2);
	CHECK_EQ(btfdb_enums(btfdb_btf_type(btf, 6))[1].val, 1);
	CHECK_EQ(btfdb_array(btfdb_btf_type(btf, 4))->nelems, 1);
	CHECK_EQ(btfdb_type_extra_size(btfdb_btf_type(btf, 3)), 36);
	CHECK_EQ(btfdb_type_extra_size(btfdb_btf_type(btf, 19)), 12);
	CHECK_EQ(btfdb_type_extra_size(btfdb_btf_type(btf, 17)), 4);
	CHECK_EQ(btfdb_type_extra_size(btfdb_btf_type(btf, 18)), 0);

	/* btf__resolve_size semantics */
	CHECK_EQ(btfdb_resolve_size(btf, 1), 4);
	CHECK_EQ(btfdb_resolve_size(btf, 2), 8);
	CHECK_EQ(btfdb_resolve_size(btf, 3), 16);
	CHECK_EQ(btfdb_resolve_size(btf, 4), 4);
	CHECK_EQ(btfdb_resolve_size(btf, 5), 4);
	CHECK_EQ(btfdb_resolve_size(btf, 6), 4);
	CHECK_EQ(btfdb_resolve_size(btf, 7), -EINVAL);  /* fwd */
	CHECK_EQ(btfdb_resolve_size(btf, 8), 16);
	CHECK_EQ(btfdb_resolve_size(btf, 10), 4);
	CHECK_EQ(btfdb_resolve_size(btf, 11), 8);
	CHECK_EQ(btfdb_resolve_size(btf, 12), -EINVAL); /* func_proto */
	CHECK_EQ(btfdb_resolve_size(btf, 13), -EINVAL); /* func */
	CHECK_EQ(btfdb_resolve_size(btf, 14), 4);       /* var */
	CHECK_EQ(btfdb_resolve_size(btf, 15), 4);       /* datasec */
	CHECK_EQ(btfdb_resolve_size(btf, 16), 8);
	CHECK_EQ(btfdb_resolve_size(btf, 17), 16);      /* decl_tag follows */
	CHECK_EQ(btfdb_resolve_size(btf, 18), 4);
	CHECK_EQ(btfdb_resolve_size(btf, 19), 8);
	CHECK_EQ(btfdb_resolve_size(btf, 0), -EINVAL);
	CHECK_EQ(btfdb_resolve_size(btf, 999), -EINVAL);

	/* modifiers and typedefs */
	CHECK(btfdb_skip_mods(btf, 10, &res) == btfdb_btf_type(btf, 1));
	CHECK_EQ(res, 1);
	CHECK(btfdb_skip_mods(btf, 8, &res) == btfdb_btf_type(btf, 8));
	CHECK_EQ(res, 8);
	CHECK(btfdb_skip_mods(btf, 18, &res) == btfdb_btf_type(btf, 18 - 17)); /* type_tag */
	CHECK(btfdb_skip_mods_and_typedefs(btf, 8, &res) == btfdb_btf_type(btf, 3));
	CHECK_EQ(res, 3);
	CHECK(btfdb_skip_mods_and_typedefs(btf, 999, &res) == NULL);

	CHECK_STR(btfdb_kind_name(BTF_KIND_ENUM64), "enum64");
	CHECK_STR(btfdb_kind_name(BTF_KIND_DECL_TAG), "decl_tag");
	CHECK_STR(btfdb_kind_name(BTF_KIND_FUNC_PROTO), "func_proto");
	CHECK_STR(btfdb_kind_name(200), "unknown");
	CHECK_EQ(btfdb_btf_ptr_size(btf), 8);
}

static void test_all_kinds_and_swap(void)
{
	size_t size = build_all(), raw_size = 0;
	struct btfdb_btf *a = parse_ok(blob, size, NULL), *b;
	uint32_t id;

	if (!a)
		return;
	check_all_kinds(a);
	CHECK(!memcmp(btfdb_btf_raw(a, &raw_size), blob, size));
	CHECK_EQ(raw_size, size);
	CHECK(btfdb_btf_hash(a) == btfdb_hash64(blob, size));
	CHECK(!btfdb_btf_big_endian(a));

	swap_blob(blob, size, blob2);
	b = parse_ok(blob2, size, NULL);
	if (b) {
		check_all_kinds(b);
		CHECK(btfdb_btf_big_endian(b));
		for (id = 1; id < 21; id++) {
			const struct btf_type *ta = btfdb_btf_type(a, id), *tb = btfdb_btf_type(b, id);

			CHECK(!memcmp(ta, tb, sizeof(*ta) + btfdb_type_extra_size(ta)));
		}
		/* raw keeps the original (swapped) bytes; the hash is of those */
		CHECK(!memcmp(btfdb_btf_raw(b, NULL), blob2, size));
		CHECK(btfdb_btf_hash(b) == btfdb_hash64(blob2, size));
		CHECK(btfdb_btf_hash(b) != btfdb_btf_hash(a));
	}
	btfdb_btf_set_ptr_size(a, 4);
	CHECK_EQ(btfdb_btf_ptr_size(a), 4);
	CHECK_EQ(btfdb_resolve_size(a, 2), 4);
	btfdb_btf_set_ptr_size(a, 3); /* ignored */
	CHECK_EQ(btfdb_btf_ptr_size(a), 4);
	btfdb_btf_free(a);
	btfdb_btf_free(b);
	btfdb_btf_free(NULL);
}

static void test_ptr_size(void)
{
	struct btfdb_btf *btf;
	size_t size;

	reset(0);
	T_INT("long", 2, 0, 0, 16);             /* wrong size: skipped */
	T_INT("long unsigned int", 4, 0, 0, 32);
	size = finish(blob);
	btf = parse_ok(blob, size, NULL);
	if (btf)
		CHECK_EQ(btfdb_btf_ptr_size(btf), 4);
	btfdb_btf_free(btf);

	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_INT("unsigned int long", 8, 0, 0, 64);
	btf = parse_ok(blob, finish(blob), NULL);
	if (btf)
		CHECK_EQ(btfdb_btf_ptr_size(btf), 8);
	btfdb_btf_free(btf);

	reset(0); /* no long at all: 8 */
	T_INT("int", 4, 0, 0, 32);
	T_INT("long long", 4, 0, 0, 32);
	btf = parse_ok(blob, finish(blob), NULL);
	if (btf)
		CHECK_EQ(btfdb_btf_ptr_size(btf), 8);
	btfdb_btf_free(btf);
}

static void reject_kernel(const void *data, size_t size, const char *msg);

static void test_resolve_limits(void)
{
	struct btfdb_btf *btf;
	uint32_t i;

	reset(0);
	/* the kernel's BTF verifier rejects a size past 32 bits: so does a target's parse */
	T_INT("int", 4, 0, 0, 32);          /* 1 */
	T_ARRAY(1, 1, 0x10000);             /* 2 */
	T_ARRAY(2, 1, 0x10000);             /* 3: 2^32 elements */
	reject_kernel(blob, finish(blob), "BTF: type [3] (array): the kernel's BTF verifier rejects it: "
				   "\"Array size overflows U32_MAX\" (65536 elements of 262144 bytes)");
	reset(0);
	T_INT("int", 4, 0, 0, 32);          /* 1 */
	T_ARRAY(1, 1, 0x40000000);          /* 2: 2^30 * 4 bytes */
	reject_kernel(blob, finish(blob), "\"Array size overflows U32_MAX\" (1073741824 elements of 4 bytes)");

	reset(0);
	T_INT("int", 4, 0, 0, 32);          /* 1 */
	T_ARRAY(1, 1, 0x10000);             /* 2 */
	T_ARRAY(2, 1, 0x3fff);              /* 3: just below 2^32 bytes */
	T_ARRAY(1, 1, 0x3fffffff);          /* 4: 2^32 - 4 bytes */
	T_ARRAY(1, 1, 0);                   /* 5: int[0] */
	T_ARRAY(5, 1, 0x7fffffff);          /* 6: 0 elements after all */
	T_REF(BTF_KIND_TYPEDEF, "t0", 1);   /* 7 */
	for (i = 1; i < 32; i++)            /* 8..38: t_i -> t_{i-1} */
		T_REF(BTF_KIND_TYPEDEF, "t", 6 + i);
	btf = parse_ok(blob, finish(blob), NULL);
	if (!btf)
		return;
	CHECK_EQ(btfdb_resolve_size(btf, 2), 0x40000);
	CHECK_EQ(btfdb_resolve_size(btf, 3), 0x40000LL * 0x3fff);
	CHECK_EQ(btfdb_resolve_size(btf, 4), 0xfffffffcLL);
	CHECK_EQ(btfdb_resolve_size(btf, 5), 0);
	CHECK_EQ(btfdb_resolve_size(btf, 6), 0);
	/* id 7+k is k+1 typedefs above int: 31 links then int is the 32nd step */
	CHECK_EQ(btfdb_resolve_size(btf, 7 + 30), 4);
	CHECK_EQ(btfdb_resolve_size(btf, 7 + 31), -EINVAL);
	CHECK(btfdb_skip_mods_and_typedefs(btf, 38, &i) == btfdb_btf_type(btf, 1));
	btfdb_btf_free(btf);
}

static void test_split(void)
{
	struct btfdb_btf *base, *split;
	struct btfdb_err err = { { 0 } };
	size_t size = build_all(), base_str;

	base = parse_ok(blob, size, NULL);
	if (!base)
		return;
	base_str = nstr;
	reset((uint32_t)base_str);
	T_COMP(BTF_KIND_STRUCT, "sp", 24, 2);   /* 21 */
	T_MEMBER("q", 2, 0);                    /* base's struct s * */
	T_MEMBER("", 22, 64);                   /* anonymous: "" is base's offset 0 */
	T_REF(BTF_KIND_TYPEDEF, "s_t", 3);      /* 22 -> base struct s (16 bytes) */
	W(1, INFO(BTF_KIND_TYPEDEF, 0, 0), 2);  /* 23: name offset 1 = base's "int", -> base's ptr */
	size = finish(blob2);
	split = parse_ok(blob2, size, base);
	if (split) {
		CHECK_EQ(btfdb_btf_start_id(split), 21);
		CHECK_EQ(btfdb_btf_type_cnt(split), 24);
		CHECK_STR(btfdb_btf_name(split, 21), "sp");
		CHECK_STR(btfdb_btf_name(split, 22), "s_t");
		CHECK_STR(btfdb_btf_name(split, 23), "int");
		CHECK_STR(btfdb_btf_name(split, 3), "s");
		CHECK_STR(btfdb_btf_str(split, (uint32_t)base_str), "sp");
		CHECK(btfdb_btf_str(split, (uint32_t)(base_str + nstr)) == NULL);
		CHECK(btfdb_btf_type(split, 3) == btfdb_btf_type(base, 3));
		CHECK_EQ(btfdb_resolve_size(split, 22), 16);
		CHECK_EQ(btfdb_resolve_size(split, 23), 8);
		CHECK_EQ(btfdb_btf_ptr_size(split), 8);
	}
	btfdb_btf_free(split);

	/* own types reference past the split's last type */
	reset((uint32_t)base_str);
	T_REF(BTF_KIND_PTR, "", 22);
	size = finish(blob2);
	CHECK(btfdb_btf_parse(blob2, size, base, &split, &err) < 0);
	CHECK_CONTAINS(err.msg, "BTF: type [21] references type 22 past the last type 21");

	/* name offset past the split strings */
	memset(&err, 0, sizeof(err));
	reset((uint32_t)base_str);
	W((uint32_t)(base_str + 100), INFO(BTF_KIND_TYPEDEF, 0, 0), 1);
	S("x");
	size = finish(blob2);
	CHECK(btfdb_btf_parse(blob2, size, base, &split, &err) < 0);
	CHECK_CONTAINS(err.msg, "BTF: type [21]: name offset");

	/* a split BTF without own strings is fine (libbpf allows it) */
	reset((uint32_t)base_str);
	T_REF(BTF_KIND_CONST, "", 1);
	size = finish(blob2);
	split = parse_ok(blob2, size, base);
	btfdb_btf_free(split);
	btfdb_btf_free(base);
}

/* Parse must fail with a message containing msg. */
/*
 * data must be rejected with msg: by the full parse, and by a lazily checked
 * handle (BTFDB_LOAD_LAZY) either at load (framing) or, with the same
 * message, when its types are fetched in id order.
 */
static void reject_flags(const void *data, size_t size, unsigned int flags, const char *msg)
{
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *btf = (struct btfdb_btf *)1;
	int ret = btfdb_btf_parse_copy(data, size, NULL, flags, &btf, &err);
	void *copy;

	CHECK_EQ(ret, -EINVAL);
	CHECK(btf == NULL);
	CHECK_CONTAINS(err.msg, msg);
	if (ret == 0)
		btfdb_btf_free(btf);

	memset(&err, 0, sizeof(err));
	copy = malloc(size ? size : 1);
	CHECK(copy != NULL);
	if (!copy)
		return;
	memcpy(copy, data, size);
	ret = btfdb_btf_parse_flags(NULL, 0, copy, size, NULL, BTFDB_LOAD_LAZY | flags, &btf, &err);
	if (ret) {
		CHECK_EQ(ret, -EINVAL);
		CHECK_CONTAINS(err.msg, msg);
		return;
	}
	{
		uint32_t id, cnt = btfdb_btf_type_cnt(btf);

		CHECK(btfdb_btf_error(btf) == NULL);
		for (id = 1; id < cnt && btfdb_btf_type(btf, id); id++)
			;
		CHECK(id < cnt); /* some type failed */
		CHECK(btfdb_btf_error(btf) != NULL);
		if (btfdb_btf_error(btf))
			CHECK_CONTAINS(btfdb_btf_error(btf), msg);
		/* a failed handle stays failed */
		CHECK(id >= cnt || btfdb_btf_type(btf, id) == NULL);
	}
	btfdb_btf_free(btf);
}

static void reject(const void *data, size_t size, const char *msg)
{
	reject_flags(data, size, 0, msg);
}

/*
 * The kernel verifier's rules: data is rejected with msg as target BTF
 * (BTFDB_LOAD_KERNEL_RULES, full and lazy) and accepted as an object's BTF.
 */
static void reject_kernel(const void *data, size_t size, const char *msg)
{
	reject_flags(data, size, BTFDB_LOAD_KERNEL_RULES, msg);
	btfdb_btf_free(parse_ok(data, size, NULL));
}

static struct btf_header *hdr_of(uint8_t *b)
{
	return (struct btf_header *)b;
}

static void test_rejects(void)
{
	size_t size;

	/* header */
	size = build_all();
	memcpy(blob2, blob, size);
	blob2[0] = 0x12;
	reject(blob2, size, "bad magic");
	reject(blob, 10, "truncated header");
	reject(blob, 1, "too short");
	reject(blob, 0, "too short");
	memcpy(blob2, blob, size);
	hdr_of(blob2)->version = 2;
	reject(blob2, size, "unsupported version 2");
	memcpy(blob2, blob, size);
	hdr_of(blob2)->hdr_len = 16;
	reject(blob2, size, "header length 16 is below");
	memcpy(blob2, blob, size);
	hdr_of(blob2)->hdr_len = 0x10000;
	reject(blob2, size, "header length 65536 is past the end");
	memcpy(blob2, blob, size);
	hdr_of(blob2)->str_len = 0xfffffff0;
	reject(blob2, size, "string section (offset");
	memcpy(blob2, blob, size);
	hdr_of(blob2)->type_len = 0xfffffff0; /* 64-bit math: no wrap */
	reject(blob2, size, "type section (offset");
	memcpy(blob2, blob, size);
	hdr_of(blob2)->type_off = 2;
	hdr_of(blob2)->type_len -= 4;
	reject(blob2, size, "not 4-byte aligned");
	memcpy(blob2, blob, size);
	hdr_of(blob2)->type_len += 4; /* runs into the strings */
	reject(blob2, size, "overlaps");
	/* the swapped blob is checked the same way */
	memcpy(blob2, blob, size);
	hdr_of(blob2)->str_len += 1000;
	{
		static uint8_t sw[65536];

		swap_blob(blob2, size, sw);
		reject(sw, size, "string section (offset");
	}

	/* strings */
	memcpy(blob2, blob, size);
	blob2[size - 1] = 'x';
	reject(blob2, size, "not NUL-terminated");
	memcpy(blob2, blob, size);
	blob2[sizeof(struct btf_header) + hdr_of(blob2)->str_off] = 'x';
	reject(blob2, size, "does not start with NUL");
	memcpy(blob2, blob, size);
	hdr_of(blob2)->str_len = 0;
	reject(blob2, size - nstr, "string section is empty");

	/* name offsets */
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	W(5000, INFO(BTF_KIND_TYPEDEF, 0, 0), 1);
	reject(blob, finish(blob), "BTF: type [2]: name offset 5000 is past the end");
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_COMP(BTF_KIND_STRUCT, "s", 4, 1);
	W(7777, 1, 0);
	reject(blob, finish(blob), "BTF: type [2] member 0: name offset 7777");
	reset(0);
	T_ENUM("e", 4, 1);
	W(7777, 0);
	reject(blob, finish(blob), "BTF: type [1] enumerator 0: name offset 7777");
	reset(0);
	T_PROTO(0, 1);
	W(7777, 0);
	reject(blob, finish(blob), "BTF: type [1] param 0: name offset 7777");

	/* type ids */
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_REF(BTF_KIND_PTR, "", 99999);
	reject(blob, finish(blob), "BTF: type [2] references type 99999 past the last type 2");
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_COMP(BTF_KIND_STRUCT, "s", 4, 1);
	T_MEMBER("m", 3, 0);
	reject(blob, finish(blob), "BTF: type [2] references type 3 past the last type 2");
	reset(0);
	T_ARRAY(0, 7, 1);
	reject(blob, finish(blob), "references type 7");

	/* cycles */
	reset(0);
	T_REF(BTF_KIND_TYPEDEF, "a", 2);
	T_REF(BTF_KIND_TYPEDEF, "b", 1);
	reject(blob, finish(blob), "reference cycle");
	reset(0);
	T_REF(BTF_KIND_CONST, "", 1);
	reject(blob, finish(blob), "BTF: type [1] (const '') is in a reference cycle");
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_ARRAY(2, 1, 2);                         /* 2: an array of itself */
	reject(blob, finish(blob), "reference cycle");
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_COMP(BTF_KIND_STRUCT, "s", 8, 2);       /* 2: struct s { int a; s_t arr[1]; } */
	T_MEMBER("a", 1, 0);
	T_MEMBER("arr", 3, 32);
	T_ARRAY(4, 1, 1);                         /* 3 */
	T_REF(BTF_KIND_TYPEDEF, "s_t", 2);        /* 4 */
	reject(blob, finish(blob), "is in a reference cycle");
	reset(0);
	T_COMP(BTF_KIND_STRUCT, "s", 8, 1);       /* struct s { struct s self; } */
	T_MEMBER("self", 1, 0);
	reject(blob, finish(blob), "BTF: type [1] (struct 's') is in a reference cycle");
	/* ...but through a pointer or a func_proto it is fine */
	reset(0);
	T_COMP(BTF_KIND_STRUCT, "s", 16, 2);      /* 1 */
	T_MEMBER("next", 2, 0);
	T_MEMBER("cb", 4, 64);
	T_REF(BTF_KIND_PTR, "", 1);               /* 2 */
	T_PROTO(1, 1);                            /* 3: s (*)(s) */
	T_PARAM("x", 1);
	T_REF(BTF_KIND_PTR, "", 3);               /* 4 */
	T_REF(BTF_KIND_TYPEDEF, "t", 5 + 1);      /* 5 -> 6 */
	T_REF(BTF_KIND_PTR, "", 5);               /* 6 -> 5: typedef t = t * */
	btfdb_btf_free(parse_ok(blob, finish(blob), NULL));

	/* kinds and records */
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	W(0, INFO(20, 0, 0), 0);
	reject(blob, finish(blob), "BTF: type [2] at blob offset 0x28 has unknown kind 20");
	reset(0);
	W(0, INFO(0, 0, 0), 0);
	reject(blob, finish(blob), "unknown kind 0");
	reset(0);
	T_COMP(BTF_KIND_STRUCT, "s", 4, 1000);
	reject(blob, finish(blob), "BTF: type [1] (struct) at blob offset 0x18: vlen 1000 needs 12012 bytes");
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	W(0, INFO(BTF_KIND_PTR, 0, 0));           /* 8 bytes: truncated record */
	reject(blob, finish(blob), "is truncated");
	reset(0);
	T_INT("int", 4, 0, 0, 129);
	reject(blob, finish(blob), "invalid bit count 129");
	reset(0);
	T_INT("int", 4, 0, 8, 32);
	reject(blob, finish(blob), "bit offset 8 + 32 bits exceed the 4-byte size");
	reset(0);
	T_INT("int", 3, 0, 0, 8);
	reject(blob, finish(blob), "invalid size 3");
	reset(0);
	W(S("p"), INFO(BTF_KIND_PTR, 0, 3), 0);
	reject(blob, finish(blob), "invalid vlen 3");
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_COMP(BTF_KIND_STRUCT, "s", 4, 1);
	T_MEMBER("m", 1, 64);
	reject(blob, finish(blob), "member 0 ends at bit 64, past the 4-byte size");
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_FUNC("f", 1, 0);
	reject(blob, finish(blob), "not a func_proto");
	reset(0);
	T_PROTO(0, 0);
	T_FUNC("f", 1, 7);
	reject(blob, finish(blob), "invalid linkage 7");
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_VAR("v", 1, 9);
	reject(blob, finish(blob), "invalid linkage 9");
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_DATASEC(".data", 4, 1);
	T_SECINFO(1, 0, 4);
	reject(blob, finish(blob), "not a var or func");
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_VAR("v", 1, 0);
	T_DATASEC(".data", 4, 1);
	T_SECINFO(2, 2, 4);
	reject(blob, finish(blob), "past the section size 4");
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_COMP(BTF_KIND_STRUCT, "s", 4, 1);
	T_MEMBER("m", 1, 0);
	T_DECL_TAG("t", 2, 1);
	reject(blob, finish(blob), "component_idx 1 out of range");
	reset(0);
	T_INT("int", 4, 0, 0, 32);
	T_DECL_TAG("t", 1, -2);
	reject(blob, finish(blob), "invalid component_idx");
	reset(0);
	T_FLOAT("f", 5);
	reject(blob, finish(blob), "invalid size 5");
	reset(0);
	T_ENUM("e", 3, 0);
	reject(blob, finish(blob), "invalid size 3");
}

/* ---- backend handles ---- */

static struct btf_type be_types[3];
static int be_freed;

static const struct btf_type *be_type(void *ctx, uint32_t id)
{
	(void)ctx;
	return id < 3 ? &be_types[id] : NULL;
}

static const char *be_str(void *ctx, uint32_t off)
{
	static const char s[] = "\0long\0p";

	(void)ctx;
	return off < sizeof(s) ? s + off : NULL;
}

static void be_free(void *ctx)
{
	be_freed += *(int *)ctx;
}

static void test_backend(void)
{
	static const struct btfdb_backend_ops ops = { be_type, be_str, be_free };
	static int one = 1;
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *btf = NULL;

	be_types[1] = (struct btf_type){ .name_off = 1, .info = INFO(BTF_KIND_INT, 0, 0), .size = 4 };
	be_types[2] = (struct btf_type){ .name_off = 6, .info = INFO(BTF_KIND_PTR, 0, 0), .type = 1 };
	CHECK_EQ(btfdb_btf_new_backend(&ops, &one, 2, 0x1234, true, &btf, &err), 0);
	if (!btf)
		return;
	CHECK_EQ(btfdb_btf_type_cnt(btf), 3);
	CHECK(btfdb_btf_type(btf, 1) == &be_types[1]);
	CHECK(btfdb_btf_type(btf, 3) == NULL);
	CHECK_EQ(btfdb_kind(btfdb_btf_type(btf, 0)), 0);
	CHECK_STR(btfdb_btf_name(btf, 2), "p");
	CHECK(btfdb_btf_hash(btf) == 0x1234);
	CHECK(btfdb_btf_big_endian(btf));
	CHECK(btfdb_btf_raw(btf, NULL) == NULL);
	CHECK_EQ(btfdb_btf_ptr_size(btf), 4); /* "long" of size 4 */
	CHECK_EQ(btfdb_resolve_size(btf, 2), 4);
	btfdb_btf_free(btf);
	CHECK_EQ(be_freed, 1);
	/* ctx is released on failure too */
	{
		static const struct btfdb_backend_ops bad_ops = { NULL, be_str, be_free };

		CHECK(btfdb_btf_new_backend(&bad_ops, &one, 2, 0, false, &btf, &err) < 0);
		CHECK_EQ(be_freed, 2);
	}
}

/* ---- the lazy walk's chains (btfdb_btf_walk_lazy() in btf_lazy.c) ---- */

/* A big blob: a growable type section and a few strings. */
struct big {
	uint32_t *w;
	uint32_t n, cap;
};

static void bw(struct big *b, uint32_t v)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 4096;
		b->w = realloc(b->w, b->cap * sizeof(*b->w));
		if (!b->w)
			abort();
	}
	b->w[b->n++] = v;
}

/* strings: "" "int" "s" "m" "e" "v" "f" at 0 1 5 7 9 11 13 */
static const char big_strs[] = "\0int\0s\0m\0e\0v\0f";
enum { BS_INT = 1, BS_S = 5, BS_M = 7, BS_E = 9, BS_V = 11, BS_F = 13 };

static uint8_t *big_finish(struct big *b, size_t *size)
{
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h),
		.type_off = 0, .type_len = b->n * 4, .str_off = b->n * 4,
		.str_len = sizeof(big_strs),
	};
	uint8_t *out = malloc(sizeof(h) + b->n * 4 + sizeof(big_strs));

	if (!out)
		abort();
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), b->w, b->n * 4);
	memcpy(out + sizeof(h) + b->n * 4, big_strs, sizeof(big_strs));
	*size = sizeof(h) + b->n * 4 + sizeof(big_strs);
	free(b->w);
	b->w = NULL;
	b->n = b->cap = 0;
	return out;
}

/* n mixed records, ~17 bytes on average, from type id id on. */
static void big_mixed(struct big *b, uint32_t n, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < n; i++, id++) {
		switch (i % 5) {
		case 0: /* struct s { int m; } */
			bw(b, BS_S), bw(b, INFO(BTF_KIND_STRUCT, 0, 1)), bw(b, 4);
			bw(b, BS_M), bw(b, 1), bw(b, 0);
			break;
		case 1: /* int * */
			bw(b, 0), bw(b, INFO(BTF_KIND_PTR, 0, 0)), bw(b, 1);
			break;
		case 2: /* int (*)(void) */
			bw(b, 0), bw(b, INFO(BTF_KIND_FUNC_PROTO, 0, 0)), bw(b, 1);
			break;
		case 3: /* f */
			bw(b, BS_F), bw(b, INFO(BTF_KIND_FUNC, 0, BTF_FUNC_GLOBAL)), bw(b, id - 1);
			break;
		default: /* const int */
			bw(b, 0), bw(b, INFO(BTF_KIND_CONST, 0, 0)), bw(b, 1);
			break;
		}
	}
}

static void big_int(struct big *b)
{
	bw(b, BS_INT), bw(b, INFO(BTF_KIND_INT, 0, 0)), bw(b, 4), bw(b, (BTF_INT_SIGNED << 24) | 32);
}

/* The lazy handle of data hands out what the full one does; its CO-RE index
 * finds the same "s" and "e"; segs: what its walk should have made of it. */
static void lazy_same_big(const uint8_t *data, size_t size, int segs)
{
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *full = NULL, *lz = NULL;
	struct btfdb_index *fi = NULL, *li = NULL;
	void *copy = malloc(size);
	uint32_t id, cnt, bad = 0;
	const char *names[] = { "s", "e", "int" };
	size_t k;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	CHECK_EQ(btfdb_btf_parse(data, size, NULL, &full, &err), 0);
	CHECK_EQ(btfdb_btf_parse_flags(NULL, 0, copy, size, NULL, BTFDB_LOAD_LAZY, &lz, &err), 0);
	if (!full || !lz) {
		fprintf(stderr, "big blob: %s\n", err.msg);
		btfdb_btf_free(full);
		btfdb_btf_free(lz);
		return;
	}
	if (segs > 1)
		CHECK(lz->nsegs > 1); /* the chains met */
	else
		CHECK_EQ(lz->nsegs, 1); /* the guess was dropped */
	cnt = btfdb_btf_type_cnt(full);
	CHECK_EQ(btfdb_btf_type_cnt(lz), cnt);
	for (id = 1; id < cnt; id++) {
		const struct btf_type *x = btfdb_btf_type(lz, id), *y = btfdb_btf_type(full, id);

		/* the same record: same place in the same bytes */
		if (!x || !y || (const uint8_t *)x - lz->tsec != (const uint8_t *)y - full->tsec ||
		    memcmp(x, y, sizeof(*x)))
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(btfdb_index_build_core(full, &fi, &err), 0);
	CHECK_EQ(btfdb_index_build_core(lz, &li, &err), 0);
	for (k = 0; fi && li && k < sizeof(names) / sizeof(names[0]); k++) {
		const uint32_t *a, *b;
		size_t na = btfdb_index_lookup(fi, names[k], strlen(names[k]), &a);
		size_t nb = btfdb_index_lookup(li, names[k], strlen(names[k]), &b);

		CHECK(na > 0);
		CHECK_EQ(na, nb);
		CHECK(na == nb && !memcmp(a, b, na * sizeof(*a)));
	}
	btfdb_index_free(fi);
	btfdb_index_free(li);
	btfdb_btf_free(full);
	btfdb_btf_free(lz);
}

static void test_lazy_chains(void)
{
	struct big b = { 0 };
	uint8_t *data;
	size_t size;
	uint32_t i, nvals = 9000;
	struct btf_header h;

	/* 1. 60000 records (~1 MB): the walk goes in rounds of two chains */
	big_int(&b);
	big_mixed(&b, 60000, 2);
	bw(&b, BS_E), bw(&b, INFO(BTF_KIND_ENUM64, 0, 1)), bw(&b, 8);
	bw(&b, BS_V), bw(&b, 1), bw(&b, 0);
	data = big_finish(&b, &size);
	lazy_same_big(data, size, 2);

	/* 2. the same, one record in the second half has an unknown kind: the
	 *    lazy load fails with the full parse's message */
	{
		uint32_t *w = (uint32_t *)(data + sizeof(h));
		uint32_t off = 0, id = 1, want = 45001;
		struct btfdb_err e1 = { { 0 } }, e2 = { { 0 } };
		struct btfdb_btf *x = NULL;
		void *copy = malloc(size);

		while (id < want) { /* find type [want]'s record */
			const struct btf_type *t = (const struct btf_type *)(w + off / 4);

			off += sizeof(*t) + btfdb_type_extra_size(t);
			id++;
		}
		w[off / 4 + 1] = INFO(25, 0, 0);
		CHECK(btfdb_btf_parse(data, size, NULL, &x, &e1) < 0);
		memcpy(copy, data, size);
		CHECK(btfdb_btf_parse_flags(NULL, 0, copy, size, NULL, BTFDB_LOAD_LAZY, &x, &e2) < 0);
		CHECK_CONTAINS(e1.msg, "type [45001] at blob offset");
		CHECK_CONTAINS(e1.msg, "unknown kind 25");
		CHECK_STR(e2.msg, e1.msg);
	}
	free(data);

	/* 3. the guess lands inside an ENUM64 whose 12-byte values look like PTR
	 *    records (name, info = PTR, size): the first chain jumps over it, the
	 *    guess is dropped and one chain walks everything */
	big_int(&b);
	bw(&b, BS_E), bw(&b, INFO(BTF_KIND_ENUM64, 0, nvals)), bw(&b, 8);
	for (i = 0; i < nvals; i++)
		bw(&b, BS_V), bw(&b, INFO(BTF_KIND_PTR, 0, 0)), bw(&b, 0xffffffffu);
	big_mixed(&b, 20, 3);
	data = big_finish(&b, &size);
	memcpy(&h, data, sizeof(h));
	CHECK(h.type_len >= 64 * 1024); /* the walk tries a guess */
	lazy_same_big(data, size, 1);
	free(data);
}

int main(void)
{
	test_all_kinds_and_swap();
	test_ptr_size();
	test_resolve_limits();
	test_split();
	test_rejects();
	test_backend();
	test_lazy_chains();
	return test_finish();
}
