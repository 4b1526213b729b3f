/* SPDX-License-Identifier: MIT */
/*
 * Queries on the object model (corelink_internal.h) that the engine and the
 * layers above share: the program holding an instruction, the object's BTF,
 * its counts and flags.  No I/O: the object is read and freed by
 * corelink/elf (elf_obj.c).
 */
#include "corelink_internal.h"

/*
 * Binary search as libbpf's find_prog_by_sec_insn(): the last program that
 * starts at or before insn_idx in sec, if it contains insn_idx.
 */
const struct cl_prog *cl_obj_find_prog(const struct corelink_obj *obj, uint32_t sec,
				       uint32_t insn_idx)
{
	size_t l = 0, r, m;
	const struct cl_prog *p;

	if (!obj || !obj->nr_progs)
		return NULL;
	r = obj->nr_progs - 1;
	while (l < r) {
		m = l + (r - l + 1) / 2;
		p = &obj->progs[m];
		if (p->sec < sec || (p->sec == sec && p->insn_off <= insn_idx))
			l = m;
		else
			r = m - 1;
	}
	p = &obj->progs[l];
	if (p->sec == sec && insn_idx >= p->insn_off && insn_idx - p->insn_off < p->insn_cnt)
		return p;
	return NULL;
}

const struct btfdb_btf *corelink_obj_btf(const struct corelink_obj *obj)
{
	return obj ? obj->btf : NULL;
}

size_t corelink_obj_relo_cnt(const struct corelink_obj *obj)
{
	return obj ? obj->nr_relos : 0;
}

bool corelink_obj_big_endian(const struct corelink_obj *obj)
{
	return obj && obj->big_endian;
}

size_t corelink_obj_btf_needs(const struct corelink_obj *obj, const char *const **msgs)
{
	if (msgs)
		*msgs = obj ? (const char *const *)obj->needs : NULL;
	return obj ? obj->nr_needs : 0;
}
