/* SPDX-License-Identifier: MIT */
/*
 * Is a poisoned instruction guarded?  A HEURISTIC for the portability
 * report: CO-RE programs test bpf_core_field_exists() & co. and only touch
 * a field on the branch where it exists.  On a kernel without the field the
 * existence relocation is patched to 0, the branch is dead, and the
 * verifier (which tracks constants and skips dead branches) never sees the
 * poisoned call.  We approximate that:
 *
 *  1. Work on the patched instructions of the program that contains the
 *     poisoned instruction (run->secs, the bytes corelink will emit).
 *  2. Walk the control-flow graph from the program's first instruction
 *     (fall-through, jump targets; BPF-to-BPF calls are not followed, their
 *     callees are separate programs here).
 *  3. At a conditional jump "if rX <op> imm" (64- or 32-bit, K source), look
 *     back inside the same basic block for the last write of rX.  If it is
 *     "rX = imm" at an instruction carrying an existence relocation
 *     (FIELD_EXISTS, TYPE_EXISTS, ENUMVAL_EXISTS, TYPE_MATCHES) that was
 *     applied, the jump's outcome is known: follow only that edge.
 *  4. The poison is "guarded" when it is not reached.
 *
 * It can be wrong both ways (values spilled to the stack, or combined with
 * other conditions, are not tracked: such poisons are reported unguarded;
 * a constant kept across a block boundary is not tracked either).  The
 * report says so.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "corelink_elf.h"
#include "corelink_internal.h"

static bool is_exists_kind(uint32_t kind)
{
	return kind == CORELINK_FIELD_EXISTS || kind == CORELINK_TYPE_EXISTS ||
	       kind == CORELINK_ENUMVAL_EXISTS || kind == CORELINK_TYPE_MATCHES;
}

static const struct cl_prog *find_prog(const struct corelink_obj *obj,
				       const struct corelink_relo_info *ri)
{
	size_t i;

	for (i = 0; i < obj->nr_progs; i++) {
		const struct cl_prog *p = &obj->progs[i];

		if (ri->prog && !strcmp(p->name, ri->prog) && ri->section &&
		    !strcmp(obj->secs[p->sec].name, ri->section))
			return p;
	}
	return NULL;
}

/* Evaluate "v <op> imm" for a K-source jump (is32: compare the low 32 bits). */
static int eval_jmp(uint8_t op, bool is32, uint64_t v, int32_t imm)
{
	uint64_t u = is32 ? (uint32_t)v : v;
	uint64_t k = is32 ? (uint32_t)imm : (uint64_t)(int64_t)imm;
	int64_t s = is32 ? (int64_t)(int32_t)v : (int64_t)v;
	int64_t sk = is32 ? (int64_t)imm : (int64_t)imm;

	switch (op) {
	case BPF_JEQ: return u == k;
	case BPF_JNE: return u != k;
	case BPF_JGT: return u > k;
	case BPF_JGE: return u >= k;
	case BPF_JLT: return u < k;
	case BPF_JLE: return u <= k;
	case BPF_JSET: return (u & k) != 0;
	case BPF_JSGT: return s > sk;
	case BPF_JSGE: return s >= sk;
	case BPF_JSLT: return s < sk;
	case BPF_JSLE: return s <= sk;
	default: return -1;
	}
}

/* Does the instruction write register r (as far as we need to know)? */
static bool writes_reg(const struct cl_insn *in, uint8_t r)
{
	uint8_t cls = BPF_CLASS(in->code);

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
	case BPF_LD:
	case BPF_LDX:
		return in->dst_reg == r;
	case BPF_JMP:
	case BPF_JMP32:
		/* a helper or subprogram call clobbers r0-r5 */
		return BPF_OP(in->code) == BPF_CALL && r <= 5;
	default:
		return false; /* stores write memory */
	}
}

bool corelink_poison_guarded(const struct corelink_obj *obj, const struct corelink_run *run,
			     const struct corelink_relo_info *ri)
{
	const struct cl_prog *p;
	const uint8_t *code;
	struct cl_insn in;
	uint8_t *seen = NULL, *exists = NULL, *target = NULL;
	uint32_t *stack = NULL, sp = 0, n, i, j, base;
	bool guarded = false;
	size_t r;

	if (!obj || !run || !ri || ri->status != CORELINK_RELO_POISONED)
		return false;
	p = find_prog(obj, ri);
	if (!p || ri->insn_idx >= p->insn_cnt || !run->secs || !run->secs[p->sec].data)
		return false;
	n = p->insn_cnt;
	base = p->insn_off;
	code = run->secs[p->sec].data + (size_t)base * CL_INSN_SZ;
	seen = calloc(n, 1);
	exists = calloc(n, 1);  /* 1: an applied existence relocation sits here */
	target = calloc(n, 1);  /* 1: some jump lands here (a basic block starts) */
	stack = calloc(n, sizeof(*stack));
	if (!seen || !exists || !target || !stack)
		goto out;

	for (r = 0; r < run->nr_infos; r++) {
		const struct corelink_relo_info *x = &run->infos[r];

		if (x->status == CORELINK_RELO_OK && is_exists_kind(x->kind) && x->prog &&
		    !strcmp(x->prog, ri->prog) && x->section && !strcmp(x->section, ri->section) &&
		    x->insn_idx < n)
			exists[x->insn_idx] = 1;
	}
	for (i = 0; i < n; i++) {
		cl_insn_decode(code + (size_t)i * CL_INSN_SZ, obj->big_endian, &in);
		if ((BPF_CLASS(in.code) == BPF_JMP || BPF_CLASS(in.code) == BPF_JMP32) &&
		    BPF_OP(in.code) != BPF_CALL && BPF_OP(in.code) != BPF_EXIT) {
			int64_t t = (int64_t)i + 1 + in.off;

			if (t >= 0 && t < n)
				target[t] = 1;
		}
	}

	/* depth-first walk from the entry */
	stack[sp++] = 0;
	seen[0] = 1;
	while (sp) {
		uint32_t at = stack[--sp], succ[2];
		int nsucc = 0, known = -1;
		uint8_t cls, op;

		cl_insn_decode(code + (size_t)at * CL_INSN_SZ, obj->big_endian, &in);
		cls = BPF_CLASS(in.code);
		op = BPF_OP(in.code);
		if (cls == BPF_LD && in.code == (BPF_LD | BPF_IMM | BPF_DW)) {
			succ[nsucc++] = at + 2; /* 16-byte instruction */
		} else if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL) {
			if (op == BPF_EXIT)
				continue;
			if (op == BPF_JA) {
				succ[nsucc++] = (uint32_t)((int64_t)at + 1 + in.off);
			} else {
				/* 3. a K-source compare of a register set from an existence value */
				if (BPF_SRC(in.code) == BPF_K && !target[at]) {
					for (j = at; j-- > 0;) {
						struct cl_insn w;

						cl_insn_decode(code + (size_t)j * CL_INSN_SZ,
							       obj->big_endian, &w);
						if (writes_reg(&w, in.dst_reg)) {
							if (exists[j] && BPF_OP(w.code) == BPF_MOV &&
							    BPF_SRC(w.code) == BPF_K &&
							    (BPF_CLASS(w.code) == BPF_ALU64 ||
							     BPF_CLASS(w.code) == BPF_ALU))
								known = eval_jmp(op, cls == BPF_JMP32,
										 (uint64_t)(int64_t)w.imm,
										 in.imm);
							break;
						}
						if (target[j])
							break; /* j starts a block: stop at its top */
					}
				}
				if (known != 1)
					succ[nsucc++] = at + 1;
				if (known != 0)
					succ[nsucc++] = (uint32_t)((int64_t)at + 1 + in.off);
			}
		} else {
			succ[nsucc++] = at + 1;
		}
		while (nsucc--) {
			uint32_t s = succ[nsucc];

			if (s < n && !seen[s]) {
				seen[s] = 1;
				stack[sp++] = s;
			}
		}
	}
	guarded = !seen[ri->insn_idx];
out:
	free(seen);
	free(exists);
	free(target);
	free(stack);
	return guarded;
}
