/* SPDX-License-Identifier: MIT */
/*
 * BPF instructions in either byte order, and patching one relocated
 * instruction (libbpf 1.1 bpf_core_patch_insn / bpf_core_poison_insn).
 *
 * Encoding of struct bpf_insn (8 bytes): code, a regs byte, off (16 bits),
 * imm (32 bits), the multi-byte fields in the object's byte order.  The regs
 * byte holds two 4-bit bitfields declared dst_reg first: a little-endian
 * compiler puts dst_reg in the LOW nibble, a big-endian one in the HIGH
 * nibble.
 *
 * Pure: works on caller memory only.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>

#include "relo.h"

void cl_insn_decode(const uint8_t *p, bool big_endian, struct cl_insn *insn)
{
	insn->code = p[0];
	if (big_endian) {
		insn->dst_reg = p[1] >> 4;
		insn->src_reg = p[1] & 0xf;
		insn->off = (int16_t)(uint16_t)((p[2] << 8) | p[3]);
		insn->imm = (int32_t)(((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) |
				      ((uint32_t)p[6] << 8) | p[7]);
	} else {
		insn->dst_reg = p[1] & 0xf;
		insn->src_reg = p[1] >> 4;
		insn->off = (int16_t)(uint16_t)(p[2] | (p[3] << 8));
		insn->imm = (int32_t)(p[4] | ((uint32_t)p[5] << 8) | ((uint32_t)p[6] << 16) |
				      ((uint32_t)p[7] << 24));
	}
}

void cl_insn_encode(uint8_t *p, bool big_endian, const struct cl_insn *insn)
{
	uint16_t off = (uint16_t)insn->off;
	uint32_t imm = (uint32_t)insn->imm;

	p[0] = insn->code;
	if (big_endian) {
		p[1] = (uint8_t)(((insn->dst_reg & 0xf) << 4) | (insn->src_reg & 0xf));
		p[2] = off >> 8;
		p[3] = off & 0xff;
		p[4] = imm >> 24;
		p[5] = (imm >> 16) & 0xff;
		p[6] = (imm >> 8) & 0xff;
		p[7] = imm & 0xff;
	} else {
		p[1] = (uint8_t)((insn->dst_reg & 0xf) | ((insn->src_reg & 0xf) << 4));
		p[2] = off & 0xff;
		p[3] = off >> 8;
		p[4] = imm & 0xff;
		p[5] = (imm >> 8) & 0xff;
		p[6] = (imm >> 16) & 0xff;
		p[7] = imm >> 24;
	}
}

static bool is_ldimm64(const struct cl_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* call 0xbad2310: the verifier reports "invalid func unknown#195896080" if reachable. */
static void poison_one(uint8_t *p, bool big_endian)
{
	struct cl_insn insn = {
		.code = BPF_JMP | BPF_CALL,
		.imm = CL_POISON_IMM,
	};

	cl_insn_encode(p, big_endian, &insn);
}

static int size_to_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_DW: return 8;
	case BPF_W: return 4;
	case BPF_H: return 2;
	case BPF_B: return 1;
	default: return -1;
	}
}

static int bytes_to_size(uint32_t sz)
{
	switch (sz) {
	case 8: return BPF_DW;
	case 4: return BPF_W;
	case 2: return BPF_H;
	case 1: return BPF_B;
	default: return -1;
	}
}

/* ALU/ALU64 with an immediate: validate (imm sign-extended), write imm (truncated). */
static int patch_alu(struct cl_insn *insn, uint32_t insn_idx, const struct cl_relo_res *res,
		     struct btfdb_err *err)
{
	if (BPF_SRC(insn->code) != BPF_K) {
		btfdb_err_set(err, "insn #%u (ALU/ALU64) uses a register operand, not an immediate",
			      insn_idx);
		return -EINVAL;
	}
	if (res->validate && (uint64_t)(int64_t)insn->imm != res->orig_val) {
		btfdb_err_set(err, "unexpected insn #%u (ALU/ALU64) value: got %d, exp %llu -> %llu",
			      insn_idx, insn->imm, (unsigned long long)res->orig_val,
			      (unsigned long long)res->new_val);
		return -EINVAL;
	}
	insn->imm = (int32_t)(uint32_t)res->new_val;
	return 0;
}

/*
 * LDX/ST/STX: the offset.  Validation first, then the 32767 limit (-ERANGE),
 * then an unsafe size change poisons, then the size bits are rewritten when
 * the field size changed (the current size must be the original one, the
 * new one 1/2/4/8).
 */
static int patch_mem(struct cl_insn *insn, uint32_t insn_idx, const struct cl_relo_res *res,
		     bool *poison, struct btfdb_err *err)
{
	int bytes, bpf_sz;

	if (res->validate && (uint64_t)(int64_t)insn->off != res->orig_val) {
		btfdb_err_set(err, "unexpected insn #%u (LDX/ST/STX) value: got %d, exp %llu -> %llu",
			      insn_idx, insn->off, (unsigned long long)res->orig_val,
			      (unsigned long long)res->new_val);
		return -EINVAL;
	}
	if (res->new_val > INT16_MAX) {
		btfdb_err_set(err, "insn #%u (LDX/ST/STX) value too big: %llu", insn_idx,
			      (unsigned long long)res->new_val);
		return -ERANGE;
	}
	if (res->fail_memsz_adjust) {
		*poison = true;
		return 0;
	}
	insn->off = (int16_t)res->new_val;

	if (res->new_sz != res->orig_sz) {
		bytes = size_to_bytes(insn->code);
		if (bytes < 0 || (uint32_t)bytes != res->orig_sz) {
			btfdb_err_set(err, "insn #%u (LDX/ST/STX) unexpected mem size: got %d, exp %u",
				      insn_idx, bytes, res->orig_sz);
			return -EINVAL;
		}
		bpf_sz = bytes_to_size(res->new_sz);
		if (bpf_sz < 0) {
			btfdb_err_set(err, "insn #%u (LDX/ST/STX) invalid new mem size: %u", insn_idx,
				      res->new_sz);
			return -EINVAL;
		}
		insn->code = (uint8_t)(BPF_MODE(insn->code) | bpf_sz | BPF_CLASS(insn->code));
	}
	return 0;
}

bool cl_insn_patchable(const uint8_t *insns, size_t nr_insns, bool big_endian)
{
	struct cl_insn insn, next;

	if (nr_insns < 1)
		return false;
	cl_insn_decode(insns, big_endian, &insn);
	switch (BPF_CLASS(insn.code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return BPF_SRC(insn.code) == BPF_K;
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return true;
	case BPF_LD:
		if (!is_ldimm64(&insn) || nr_insns < 2 || insn.src_reg || insn.off)
			return false;
		cl_insn_decode(insns + CL_INSN_SZ, big_endian, &next);
		return !next.code && !next.dst_reg && !next.src_reg && !next.off;
	default:
		return false;
	}
}

int cl_patch_insn(uint8_t *insns, size_t nr_insns, bool big_endian, uint32_t insn_idx,
		  const struct cl_relo_res *res, bool *poisoned, struct btfdb_err *err)
{
	struct cl_insn insn, next = { 0 };
	bool poison = res->poison;
	uint64_t imm;
	int ret = 0;

	*poisoned = false;
	if (nr_insns < 1) {
		btfdb_err_set(err, "insn #%u is outside its program", insn_idx);
		return -EINVAL;
	}
	cl_insn_decode(insns, big_endian, &insn);

	if (!poison) {
		switch (BPF_CLASS(insn.code)) {
		case BPF_ALU:
		case BPF_ALU64:
			ret = patch_alu(&insn, insn_idx, res, err);
			break;
		case BPF_LDX:
		case BPF_ST:
		case BPF_STX:
			ret = patch_mem(&insn, insn_idx, res, &poison, err);
			break;
		case BPF_LD:
			if (!is_ldimm64(&insn) || nr_insns < 2 || insn.src_reg || insn.off) {
				ret = -EINVAL;
			} else {
				cl_insn_decode(insns + CL_INSN_SZ, big_endian, &next);
				if (next.code || next.dst_reg || next.src_reg || next.off)
					ret = -EINVAL;
			}
			if (ret) {
				btfdb_err_set(err, "insn #%u (LDIMM64) has unexpected form", insn_idx);
				break;
			}
			imm = (uint32_t)insn.imm | ((uint64_t)(uint32_t)next.imm << 32);
			if (res->validate && imm != res->orig_val) {
				btfdb_err_set(err, "unexpected insn #%u (LDIMM64) value: got %llu, exp %llu -> %llu",
					      insn_idx, (unsigned long long)imm,
					      (unsigned long long)res->orig_val,
					      (unsigned long long)res->new_val);
				ret = -EINVAL;
				break;
			}
			insn.imm = (int32_t)(uint32_t)res->new_val;
			next.imm = (int32_t)(uint32_t)(res->new_val >> 32);
			cl_insn_encode(insns + CL_INSN_SZ, big_endian, &next);
			break;
		default:
			btfdb_err_set(err, "trying to relocate unrecognized insn #%u, code:0x%x, src:0x%x, "
				      "dst:0x%x, off:0x%x, imm:0x%x", insn_idx, insn.code,
				      insn.src_reg, insn.dst_reg, (unsigned)(uint16_t)insn.off,
				      (unsigned)insn.imm);
			ret = -EINVAL;
		}
		if (ret)
			return ret;
		if (!poison) {
			cl_insn_encode(insns, big_endian, &insn);
			return 0;
		}
	}

	/* poison; for ld_imm64 also its second slot, so the verifier does not
	 * complain about "unknown opcode 00" first */
	if (is_ldimm64(&insn)) {
		if (nr_insns < 2) {
			btfdb_err_set(err, "insn #%u (LDIMM64) has no second slot", insn_idx);
			return -EINVAL;
		}
		poison_one(insns + CL_INSN_SZ, big_endian);
	}
	poison_one(insns, big_endian);
	*poisoned = true;
	return 0;
}
