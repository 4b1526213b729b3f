/* SPDX-License-Identifier: MIT */
/* Instruction encoding in both byte orders and patching one relocated
 * instruction (patch.c, libbpf bpf_core_patch_insn rules). */
#include <errno.h>
#include <linux/bpf.h>

#include "relo.h"
#include "test.h"

static const uint8_t POISON_LE[8] = { 0x85, 0, 0, 0, 0x10, 0x23, 0xad, 0x0b };
static const uint8_t POISON_BE[8] = { 0x85, 0, 0, 0, 0x0b, 0xad, 0x23, 0x10 };

static void put(uint8_t *p, bool be, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
		int32_t imm)
{
	struct cl_insn i = { code, dst, src, off, imm };

	cl_insn_encode(p, be, &i);
}

static struct cl_insn get(const uint8_t *p, bool be)
{
	struct cl_insn i;

	cl_insn_decode(p, be, &i);
	return i;
}

static struct cl_relo_res mkres(uint64_t orig, uint64_t new_val, bool validate)
{
	struct cl_relo_res r = { 0 };

	r.orig_val = orig;
	r.new_val = new_val;
	r.validate = validate;
	return r;
}

static int patch(uint8_t *p, size_t n, bool be, const struct cl_relo_res *r, bool *poisoned,
		 struct btfdb_err *err)
{
	memset(err, 0, sizeof(*err));
	return cl_patch_insn(p, n, be, 7, r, poisoned, err);
}

static void test_encoding(void)
{
	uint8_t p[8];
	struct cl_insn i;
	/* r1 = *(u32 *)(r2 + 8) */
	static const uint8_t le[8] = { 0x61, 0x21, 0x08, 0x00, 0, 0, 0, 0 };
	static const uint8_t be[8] = { 0x61, 0x12, 0x00, 0x08, 0, 0, 0, 0 };
	/* r3 = -2 (mov64 imm) */
	static const uint8_t le2[8] = { 0xb7, 0x03, 0, 0, 0xfe, 0xff, 0xff, 0xff };
	static const uint8_t be2[8] = { 0xb7, 0x30, 0, 0, 0xff, 0xff, 0xff, 0xfe };

	put(p, false, 0x61, 1, 2, 8, 0);
	CHECK(!memcmp(p, le, 8));
	put(p, true, 0x61, 1, 2, 8, 0);
	CHECK(!memcmp(p, be, 8));
	put(p, false, 0xb7, 3, 0, 0, -2);
	CHECK(!memcmp(p, le2, 8));
	put(p, true, 0xb7, 3, 0, 0, -2);
	CHECK(!memcmp(p, be2, 8));

	i = get(le, false);
	CHECK_EQ(i.code, 0x61);
	CHECK_EQ(i.dst_reg, 1);
	CHECK_EQ(i.src_reg, 2);
	CHECK_EQ(i.off, 8);
	i = get(be, true);
	CHECK_EQ(i.dst_reg, 1);
	CHECK_EQ(i.src_reg, 2);
	CHECK_EQ(i.off, 8);
	i = get(be2, true);
	CHECK_EQ(i.imm, -2);
	CHECK_EQ(i.dst_reg, 3);
	/* negative offsets and full-range values round-trip */
	for (int be_i = 0; be_i < 2; be_i++) {
		put(p, be_i, 0x7b, 10, 9, -32768, INT32_MIN);
		i = get(p, be_i);
		CHECK_EQ(i.code, 0x7b);
		CHECK_EQ(i.dst_reg, 10);
		CHECK_EQ(i.src_reg, 9);
		CHECK_EQ(i.off, -32768);
		CHECK_EQ(i.imm, INT32_MIN);
	}
}

static void test_alu(void)
{
	struct btfdb_err err;
	struct cl_relo_res r;
	uint8_t p[8];
	bool pz;

	for (int be = 0; be < 2; be++) {
		/* r0 = 4 (mov64 imm) -> 16 */
		put(p, be, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 4);
		r = mkres(4, 16, true);
		CHECK_EQ(patch(p, 1, be, &r, &pz, &err), 0);
		CHECK(!pz);
		CHECK_EQ(get(p, be).imm, 16);
		CHECK_EQ(get(p, be).code, BPF_ALU64 | BPF_MOV | BPF_K);

		/* 32-bit ALU too: w1 += 8 -> 24 */
		put(p, be, BPF_ALU | BPF_ADD | BPF_K, 1, 0, 0, 8);
		r = mkres(8, 24, true);
		CHECK_EQ(patch(p, 1, be, &r, &pz, &err), 0);
		CHECK_EQ(get(p, be).imm, 24);
		CHECK_EQ(get(p, be).dst_reg, 1);
	}

	/* validation mismatch */
	put(p, false, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 5);
	r = mkres(4, 16, true);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "unexpected insn #7 (ALU/ALU64) value");
	CHECK_EQ(get(p, false).imm, 5); /* untouched */
	/* no validation: any original */
	r.validate = false;
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), 0);
	CHECK_EQ(get(p, false).imm, 16);

	/* imm is sign-extended before the comparison */
	put(p, false, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, -1);
	r = mkres(UINT64_MAX, 1, true);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), 0);
	put(p, false, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, -1);
	r = mkres(0xffffffffull, 1, true);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), -EINVAL);

	/* the new value is silently truncated to 32 bits */
	put(p, false, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
	r = mkres(1, 0x100000005ull, true);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), 0);
	CHECK_EQ(get(p, false).imm, 5);

	/* register source: not relocatable */
	put(p, false, BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 0);
	r = mkres(0, 1, false);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), -EINVAL);
}

static void test_mem(void)
{
	static const uint8_t classes[] = { BPF_LDX, BPF_ST, BPF_STX };
	struct btfdb_err err;
	struct cl_relo_res r;
	uint8_t p[8];
	bool pz;

	for (int be = 0; be < 2; be++) {
		for (int c = 0; c < 3; c++) {
			uint8_t code = classes[c] | BPF_MEM | BPF_W;

			put(p, be, code, 1, 2, 8, 77);
			r = mkres(8, 16, true);
			CHECK_EQ(patch(p, 1, be, &r, &pz, &err), 0);
			CHECK(!pz);
			CHECK_EQ(get(p, be).off, 16);
			CHECK_EQ(get(p, be).code, code);
			CHECK_EQ(get(p, be).imm, 77); /* ST's immediate is not the relocated value */
			CHECK_EQ(get(p, be).dst_reg, 1);
			CHECK_EQ(get(p, be).src_reg, 2);

			/* size rewrite 4 -> 8 keeps mode and class */
			put(p, be, code, 1, 2, 8, 0);
			r = mkres(8, 24, true);
			r.orig_sz = 4;
			r.new_sz = 8;
			CHECK_EQ(patch(p, 1, be, &r, &pz, &err), 0);
			CHECK_EQ(get(p, be).code, classes[c] | BPF_MEM | BPF_DW);
			CHECK_EQ(get(p, be).off, 24);
			/* 4 -> 1 and 4 -> 2 */
			put(p, be, code, 1, 2, 8, 0);
			r.new_sz = 1;
			CHECK_EQ(patch(p, 1, be, &r, &pz, &err), 0);
			CHECK_EQ(get(p, be).code, classes[c] | BPF_MEM | BPF_B);
			put(p, be, code, 1, 2, 8, 0);
			r.new_sz = 2;
			CHECK_EQ(patch(p, 1, be, &r, &pz, &err), 0);
			CHECK_EQ(get(p, be).code, classes[c] | BPF_MEM | BPF_H);
		}
	}

	/* big-endian bytes of a patched load: off in big-endian order */
	put(p, true, BPF_LDX | BPF_MEM | BPF_DW, 3, 4, 0x10, 0);
	r = mkres(0x10, 0x1234, true);
	CHECK_EQ(patch(p, 1, true, &r, &pz, &err), 0);
	CHECK_EQ(p[1], 0x34);
	CHECK_EQ(p[2], 0x12);
	CHECK_EQ(p[3], 0x34);

	/* off validation (sign-extended), mismatch */
	put(p, false, BPF_LDX | BPF_MEM | BPF_W, 1, 2, -8, 0);
	r = mkres((uint64_t)-8, 16, true);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), 0);
	put(p, false, BPF_LDX | BPF_MEM | BPF_W, 1, 2, 12, 0);
	r = mkres(8, 16, true);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "(LDX/ST/STX) value");

	/* offset limit: 32767 fits, 32768 is -ERANGE */
	put(p, false, BPF_LDX | BPF_MEM | BPF_W, 1, 2, 8, 0);
	r = mkres(8, 32767, true);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), 0);
	CHECK_EQ(get(p, false).off, 32767);
	put(p, false, BPF_LDX | BPF_MEM | BPF_W, 1, 2, 8, 0);
	r = mkres(8, 32768, true);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), -ERANGE);
	CHECK_CONTAINS(err.msg, "too big");
	/* -ERANGE wins over the unsafe-size poison (checked first) */
	r.fail_memsz_adjust = true;
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), -ERANGE);

	/* unsafe size change: poison, not an error */
	put(p, false, BPF_LDX | BPF_MEM | BPF_W, 1, 2, 8, 0);
	r = mkres(8, 16, true);
	r.orig_sz = 4;
	r.new_sz = 8;
	r.fail_memsz_adjust = true;
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), 0);
	CHECK(pz);
	CHECK(!memcmp(p, POISON_LE, 8));
	/* ... but validation still comes first */
	put(p, false, BPF_LDX | BPF_MEM | BPF_W, 1, 2, 9, 0);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), -EINVAL);
	/* fail_memsz_adjust means nothing to ALU instructions */
	put(p, false, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 8);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), 0);
	CHECK(!pz);
	CHECK_EQ(get(p, false).imm, 16);

	/* size change but the instruction's size is not the original one */
	put(p, false, BPF_LDX | BPF_MEM | BPF_H, 1, 2, 8, 0);
	r = mkres(8, 16, true);
	r.orig_sz = 4;
	r.new_sz = 8;
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "unexpected mem size");
	/* new size not 1/2/4/8 */
	put(p, false, BPF_LDX | BPF_MEM | BPF_W, 1, 2, 8, 0);
	r.new_sz = 3;
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "invalid new mem size");
}

static void test_ldimm64(void)
{
	struct btfdb_err err;
	struct cl_relo_res r;
	uint8_t p[16];
	bool pz;

	for (int be = 0; be < 2; be++) {
		put(p, be, BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 2);
		put(p + 8, be, 0, 0, 0, 0, 1);
		r = mkres(0x100000002ull, 0x300000004ull, true);
		CHECK_EQ(patch(p, 2, be, &r, &pz, &err), 0);
		CHECK(!pz);
		CHECK_EQ(get(p, be).imm, 4);
		CHECK_EQ(get(p + 8, be).imm, 3);
		CHECK_EQ(get(p, be).dst_reg, 1);
		CHECK_EQ(get(p + 8, be).code, 0);
	}
	/* low half alone is not the value */
	put(p, false, BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 2);
	put(p + 8, false, 0, 0, 0, 0, 0);
	r = mkres(0x100000002ull, 5, true);
	CHECK_EQ(patch(p, 2, false, &r, &pz, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "(LDIMM64) value");
	r.validate = false;
	CHECK_EQ(patch(p, 2, false, &r, &pz, &err), 0);
	CHECK_EQ(get(p, false).imm, 5);
	CHECK_EQ(get(p + 8, false).imm, 0);

	/* malformed forms */
	r = mkres(2, 5, false);
	put(p, false, BPF_LD | BPF_IMM | BPF_DW, 1, 1, 0, 2); /* src_reg set (map fd) */
	put(p + 8, false, 0, 0, 0, 0, 0);
	CHECK_EQ(patch(p, 2, false, &r, &pz, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "unexpected form");
	put(p, false, BPF_LD | BPF_IMM | BPF_DW, 1, 0, 4, 2); /* off set */
	CHECK_EQ(patch(p, 2, false, &r, &pz, &err), -EINVAL);
	put(p, false, BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 2);
	put(p + 8, false, 0x07, 0, 0, 0, 0); /* second slot not empty */
	CHECK_EQ(patch(p, 2, false, &r, &pz, &err), -EINVAL);
	put(p + 8, false, 0, 1, 0, 0, 0);
	CHECK_EQ(patch(p, 2, false, &r, &pz, &err), -EINVAL);
	put(p + 8, false, 0, 0, 0, 1, 0);
	CHECK_EQ(patch(p, 2, false, &r, &pz, &err), -EINVAL);
	put(p + 8, false, 0, 0, 0, 0, 0);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), -EINVAL); /* no second slot */
	/* legacy LD_ABS is class LD but not ld_imm64 */
	put(p, false, BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 2);
	CHECK_EQ(patch(p, 2, false, &r, &pz, &err), -EINVAL);
}

static void test_poison(void)
{
	struct btfdb_err err;
	struct cl_relo_res r = mkres(4, 0, true);
	uint8_t p[16];
	bool pz;

	r.poison = true;
	/* any class, no validation at all */
	put(p, false, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 999);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), 0);
	CHECK(pz);
	CHECK(!memcmp(p, POISON_LE, 8));
	put(p, true, BPF_LDX | BPF_MEM | BPF_W, 3, 1, 999, 0);
	CHECK_EQ(patch(p, 1, true, &r, &pz, &err), 0);
	CHECK(!memcmp(p, POISON_BE, 8));
	/* ld_imm64: both slots */
	for (int be = 0; be < 2; be++) {
		put(p, be, BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 2);
		put(p + 8, be, 0, 0, 0, 0, 1);
		CHECK_EQ(patch(p, 2, be, &r, &pz, &err), 0);
		CHECK(pz);
		CHECK(!memcmp(p, be ? POISON_BE : POISON_LE, 8));
		CHECK(!memcmp(p + 8, be ? POISON_BE : POISON_LE, 8));
	}
	CHECK_EQ(get(p, true).imm, 195896080); /* last loop round was big-endian */
	/* a jump can be poisoned too (class never checked) */
	put(p, false, BPF_JMP | BPF_JA, 0, 0, 3, 0);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), 0);
	CHECK(!memcmp(p, POISON_LE, 8));

	/* not poisoned: unrecognized classes are errors */
	r.poison = false;
	put(p, false, BPF_JMP | BPF_JA, 0, 0, 3, 0);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "unrecognized insn #7");
	put(p, false, BPF_JMP | BPF_CALL, 0, 0, 0, 1);
	CHECK_EQ(patch(p, 1, false, &r, &pz, &err), -EINVAL);
	CHECK_EQ(patch(p, 0, false, &r, &pz, &err), -EINVAL);
}

int main(void)
{
	test_encoding();
	test_alu();
	test_mem();
	test_ldimm64();
	test_poison();
	return test_finish();
}
