/* SPDX-License-Identifier: MIT */
/*
 * Object-level invariants shared by fuzz_obj and fuzz_relocate:
 *  - an accepted object's CO-RE records point at an instruction inside a
 *    known instruction section (structural checks happen while reading; the
 *    type id and access string are checked by the relocation, as in libbpf's
 *    bpf_core_parse_spec(), so they are only fed to it here);
 *  - relocation either succeeds or fails with a message, and describes at
 *    most one result per record;
 *  - emitting is deterministic, and the emitted object is itself a valid
 *    object with no CO-RE records left.
 */
#ifndef CORELINK_FUZZ_OBJ_CHECK_H
#define CORELINK_FUZZ_OBJ_CHECK_H

#include <stdlib.h>
#include <string.h>

#include "corelink.h"
#include "corelink_elf.h"
#include "corelink_internal.h"
#include "fuzz_check.h"

static inline void fuzz_check_obj(const struct corelink_obj *obj)
{
	const struct btfdb_btf *btf = corelink_obj_btf(obj);
	const char *const *needs = NULL;
	size_t nneeds;

	FUZZ_ASSERT(btf != NULL);
	FUZZ_ASSERT(corelink_obj_relo_cnt(obj) == obj->nr_relos);
	for (size_t i = 0; i < obj->nr_secs; i++) {
		FUZZ_ASSERT(obj->secs[i].name != NULL);
		FUZZ_ASSERT(obj->secs[i].size % CL_INSN_SZ == 0);
	}
	for (size_t i = 0; i < obj->nr_progs; i++) {
		const struct cl_prog *p = &obj->progs[i];

		FUZZ_ASSERT(p->name != NULL && p->sec < obj->nr_secs);
		FUZZ_ASSERT((uint64_t)p->insn_off + p->insn_cnt <=
			    obj->secs[p->sec].size / CL_INSN_SZ);
	}
	for (size_t i = 0; i < obj->nr_relos; i++) {
		const struct cl_core_relo *r = &obj->relos[i];

		FUZZ_ASSERT(r->sec < obj->nr_secs);
		FUZZ_ASSERT(r->insn_off % CL_INSN_SZ == 0);
		FUZZ_ASSERT(r->insn_off < obj->secs[r->sec].size);
		(void)cl_obj_find_prog(obj, r->sec, r->insn_off / CL_INSN_SZ);
	}
	nneeds = corelink_obj_btf_needs(obj, &needs);
	for (size_t i = 0; i < nneeds; i++)
		FUZZ_ASSERT(needs[i] && strlen(needs[i]) < 4096);
}

/* Relocate obj against target, emit, and re-read the output.  The strict
 * run follows libbpf 1.1's rules, the other the newest's, so fuzz_relocate
 * covers both rule sets. */
static inline void fuzz_relocate_emit(const struct corelink_obj *obj,
				      const struct btfdb_btf *target, bool strict)
{
	struct corelink_opts opts = { .strict = strict,
				      .libbpf = strict ? CORELINK_LIBBPF_1_1 : CORELINK_LIBBPF_NEWEST };
	struct btfdb_index *idx = NULL;
	struct corelink_run *run = NULL;
	struct btfdb_err err = {{0}};
	void *buf = NULL, *buf2 = NULL;
	size_t size = 0, size2 = 0;
	int ret;

	ret = btfdb_index_build(target, &idx, &err);
	if (ret) {
		FUZZ_ASSERT_ERR(ret, &err);
		return;
	}
	ret = corelink_relocate(obj, target, idx, &opts, &run, &err);
	if (ret)
		FUZZ_ASSERT_ERR(ret, &err);
	/* a malformed target type met while relocating fails the run as such */
	if (btfdb_btf_error(target) && run)
		FUZZ_ASSERT(ret != 0 && corelink_run_target_bad(run));
	if (run) {
		size_t n = corelink_run_relo_cnt(run);

		FUZZ_ASSERT(n <= corelink_obj_relo_cnt(obj));
		FUZZ_ASSERT(corelink_run_poisoned(run) <= n);
		for (size_t i = 0; i < n; i++) {
			const struct corelink_relo_info *ri = corelink_run_relo(run, i);

			FUZZ_ASSERT(ri != NULL);
			FUZZ_ASSERT(ri->status <= CORELINK_RELO_SKIPPED);
			if (ri->section)
				(void)strlen(ri->section);
			if (ri->spec)
				(void)strlen(ri->spec);
			if (ri->reason)
				(void)strlen(ri->reason);
			(void)corelink_relo_kind_str(ri->kind);
		}
		if (strict && ret == 0)
			FUZZ_ASSERT(corelink_run_poisoned(run) == 0);
	}
	if (ret == 0 && run) {
		struct corelink_obj *out = NULL;

		memset(&err, 0, sizeof(err));
		ret = corelink_emit(obj, run, NULL, &buf, &size, &err);
		if (ret) {
			FUZZ_ASSERT_ERR(ret, &err);
		} else {
			FUZZ_ASSERT(buf != NULL);
			FUZZ_ASSERT(corelink_emit(obj, run, NULL, &buf2, &size2, &err) == 0);
			FUZZ_ASSERT(size == size2 && !memcmp(buf, buf2, size));
			ret = corelink_obj_open_mem(buf, size, "emitted", &out, &err);
			if (ret)
				fprintf(stderr, "emitted object rejected: %s\n", err.msg);
			FUZZ_ASSERT(ret == 0);
			FUZZ_ASSERT(corelink_obj_relo_cnt(out) == 0);
			corelink_obj_free(out);
			out = NULL;
			/* --strip-debug on it: an error with a message, or an object */
			{
				void *sb = NULL;
				size_t ss = 0;

				memset(&err, 0, sizeof(err));
				ret = corelink_strip_debug(buf, size, &sb, &ss, &err);
				if (ret) {
					FUZZ_ASSERT_ERR(ret, &err);
				} else {
					memset(&err, 0, sizeof(err));
					ret = corelink_obj_open_mem(sb, ss, "stripped", &out, &err);
					if (ret)
						FUZZ_ASSERT_ERR(ret, &err);
					corelink_obj_free(out);
				}
				free(sb);
			}
		}
	}
	/* the index of the object's names only (what the CLI builds) gives the
	 * run the CO-RE index gives: every relocation the same, the same bytes */
	{
		const char **names = NULL;
		size_t *lens = NULL;
		ssize_t nn = corelink_obj_cand_names(obj, &names, &lens);
		struct btfdb_index *cidx = NULL, *pidx = NULL;
		struct corelink_run *r1 = NULL, *r2 = NULL;
		void *b1 = NULL, *b2 = NULL;
		size_t s1 = 0, s2 = 0;
		int ret1, ret2;

		FUZZ_ASSERT(nn >= 0);
		memset(&err, 0, sizeof(err));
		if (nn >= 0 && btfdb_index_build_core(target, &cidx, &err) == 0 &&
		    btfdb_index_build_core_for(target, names, lens, (size_t)nn, &pidx, &err) == 0) {
			ret1 = corelink_relocate(obj, target, cidx, &opts, &r1, &err);
			ret2 = corelink_relocate(obj, target, pidx, &opts, &r2, &err);
			FUZZ_ASSERT(ret1 == ret2);
			FUZZ_ASSERT(!r1 == !r2);
			if (r1 && r2) {
				size_t n = corelink_run_relo_cnt(r1);

				FUZZ_ASSERT(corelink_run_relo_cnt(r2) == n);
				for (size_t i = 0; i < n; i++) {
					const struct corelink_relo_info *a = corelink_run_relo(r1, i);
					const struct corelink_relo_info *b = corelink_run_relo(r2, i);

					FUZZ_ASSERT(a->status == b->status);
					FUZZ_ASSERT(a->new_val == b->new_val);
				}
			}
			if (ret1 == 0 && r1 && r2 &&
			    corelink_emit(obj, r1, NULL, &b1, &s1, &err) == 0) {
				FUZZ_ASSERT(corelink_emit(obj, r2, NULL, &b2, &s2, &err) == 0);
				FUZZ_ASSERT(s1 == s2 && !memcmp(b1, b2, s1));
			}
		}
		free(b1);
		free(b2);
		free(names);
		free(lens);
		corelink_run_free(r1);
		corelink_run_free(r2);
		btfdb_index_free(cidx);
		btfdb_index_free(pidx);
	}
	free(buf);
	free(buf2);
	corelink_run_free(run);
	btfdb_index_free(idx);
}

#endif
