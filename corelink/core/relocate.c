/* SPDX-License-Identifier: MIT */
/*
 * corelink_relocate(): every CO-RE record of an object against one target,
 * in libbpf's order (bpf_object__relocate_core + bpf_core_resolve_relo, the
 * same in 1.1 and 1.7):
 *
 *  1. records are taken in .BTF.ext order, section block by section block;
 *  2. a record whose instruction lies in no program (an eliminated __weak
 *     subprogram) is skipped and does not touch the candidate cache;
 *  3. records of programs libbpf would not load (SEC("?...")) are skipped by
 *     libbpf; corelink relocates them in a second pass after all others, so
 *     the other records see exactly libbpf's cache and pruning, and the
 *     program is still usable if the loader enables it;
 *  4. for kinds other than TYPE_ID_LOCAL the candidate list of the local
 *     root type comes from the cache (searched on first use), then calc.c
 *     computes the result and prunes the list, and patch.c patches the copy
 *     of the instruction section;
 *  5. the first hard error stops everything (libbpf fails the object).
 *
 * Messages are "prog '<name>': relo #<n>: <what>" with n the record's index
 * within its .BTF.ext block, as libbpf prints it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relo.h"

/* Keep a string alive as long as the run; NULL on ENOMEM. */
static const char *run_str(struct corelink_run *run, const char *s)
{
	char **strs, *dup;

	dup = strdup(s);
	if (!dup)
		return NULL;
	strs = realloc(run->strs, (run->nr_strs + 1) * sizeof(*strs));
	if (!strs) {
		free(dup);
		return NULL;
	}
	run->strs = strs;
	run->strs[run->nr_strs++] = dup;
	return dup;
}

static void __attribute__((format(printf, 3, 4)))
run_log(const struct corelink_opts *opts, int level, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (!opts || !opts->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	opts->log(opts->log_ctx, level, msg);
}

/* Shared state of one corelink_relocate() call. */
struct reloc_ctx {
	const struct corelink_obj *obj;
	const struct btfdb_btf *local;
	const struct btfdb_btf *targ;
	const struct corelink_opts *opts;
	unsigned mode;            /* calc's CL_MODE_* bits */
	struct corelink_run *run;
	struct cl_cand_cache *cache;
	struct cl_spec specs[3]; /* scratch for calc (about 4 KiB: kept off the stack) */
};

/* Does record r belong to a program libbpf would not autoload ("?sec")? */
static bool rec_deferred(const struct corelink_obj *obj, const struct cl_core_relo *r)
{
	return r->sec < obj->nr_secs && obj->secs[r->sec].name && obj->secs[r->sec].name[0] == '?';
}

/*
 * Relocate record i.  Returns 0 (applied, poisoned or skipped) or a
 * negative errno with the full message in *e.
 */
static int relocate_one(struct reloc_ctx *c, size_t i, struct btfdb_err *e)
{
	const struct corelink_obj *obj = c->obj;
	const struct cl_core_relo *r = &obj->relos[i];
	struct corelink_relo_info *info = &c->run->infos[i];
	const struct btf_type *lt;
	const struct cl_prog *prog;
	struct cl_cand_list *cands = NULL;
	struct cl_relo_res res;
	struct cl_relo_diag diag = { .fail_acc = -1 };
	const char *access, *lname;
	char text[512];
	uint32_t insn_idx;
	bool poisoned;
	uint8_t *code;
	int ret;

	if (r->sec >= obj->nr_secs) {
		btfdb_err_set(e, "relo #%u: record names no instruction section", r->sec_relo_idx);
		info->status = CORELINK_RELO_ERROR;
		return info->err = -EINVAL;
	}
	info->section = obj->secs[r->sec].name;
	info->insn_off = r->insn_off;
	if (r->insn_off % CL_INSN_SZ) {
		btfdb_err_set(e, "sec '%s': relo #%u: insn offset %u is not a multiple of 8",
			      info->section, r->sec_relo_idx, r->insn_off);
		info->status = CORELINK_RELO_ERROR;
		return info->err = -EINVAL;
	}
	insn_idx = r->insn_off / CL_INSN_SZ;
	prog = cl_obj_find_prog(obj, r->sec, insn_idx);
	if (!prog) {
		info->status = CORELINK_RELO_SKIPPED;
		info->insn_idx = insn_idx;
		info->reason = "instruction belongs to no program (eliminated __weak subprogram)";
		run_log(c->opts, 1, "sec '%s': skipping CO-RE relocation #%u for insn #%u belonging "
			"to no program", info->section, r->sec_relo_idx, insn_idx);
		return 0;
	}
	info->prog = prog->name;
	info->insn_idx = insn_idx - prog->insn_off;
	info->status = CORELINK_RELO_ERROR;

	access = btfdb_btf_str(c->local, r->access_str_off);
	lt = btfdb_btf_type(c->local, r->type_id);
	lname = lt ? btfdb_btf_str(c->local, lt->name_off) : NULL;
	if (!lname) {
		btfdb_err_set(e, "invalid local type [%u]", r->type_id);
		info->bad_input = true;
		ret = -EINVAL;
		goto fail;
	}
	info->access = access;
	info->local_type_id = r->type_id;
	cl_type_format(text, sizeof(text), c->local, r->type_id);
	info->local_type = run_str(c->run, text);

	if (r->kind != CORELINK_TYPE_ID_LOCAL) {
		ret = cl_cand_cache_get(c->cache, r->type_id, &cands, e);
		if (ret) {
			/* the search itself only fails for an anonymous root (or ENOMEM) */
			info->bad_input = ret == -EINVAL;
			goto fail;
		}
	}

	ret = cl_calc_relo_insn(c->local, r->type_id, access, r->kind, c->mode, cands,
				c->targ, c->specs, &res, &diag, e);
	info->nr_cands = diag.nr_cands;
	if (diag.spec_ok) {
		cl_spec_format(text, sizeof(text), &c->specs[0], -1);
		info->spec = run_str(c->run, text);
	}
	if (ret) {
		/* a local spec that does not parse is the record's fault */
		info->bad_input = !diag.spec_ok;
		goto fail;
	}
	info->orig_val = res.orig_val;
	if (diag.targ_id) {
		info->target_type_id = diag.targ_id;
		cl_type_format(text, sizeof(text), c->targ, diag.targ_id);
		info->target_type = run_str(c->run, text);
	}

	code = c->run->secs[r->sec].data + r->insn_off;
	ret = cl_patch_insn(code, prog->insn_off + prog->insn_cnt - insn_idx, obj->big_endian,
			    info->insn_idx, &res, &poisoned, e);
	if (ret) {
		info->bad_input = !cl_insn_patchable(c->obj->secs[r->sec].data + r->insn_off,
						     prog->insn_off + prog->insn_cnt - insn_idx,
						     obj->big_endian);
		goto fail;
	}

	if (poisoned) {
		info->status = CORELINK_RELO_POISONED;
		cl_poison_reason(text, sizeof(text), &c->specs[0], &res, &diag);
		info->reason = run_str(c->run, text);
		c->run->nr_poisoned++;
		run_log(c->opts, 0, "prog '%s': relo #%u: %s %s: poisoned insn #%u: %s", prog->name,
			r->sec_relo_idx, corelink_relo_kind_str(r->kind),
			info->spec ? info->spec : "?", info->insn_idx, text);
	} else {
		info->status = CORELINK_RELO_OK;
		info->new_val = res.new_val;
		run_log(c->opts, 2, "prog '%s': relo #%u: %s %s: insn #%u %llu -> %llu", prog->name,
			r->sec_relo_idx, corelink_relo_kind_str(r->kind),
			info->spec ? info->spec : "?", info->insn_idx,
			(unsigned long long)res.orig_val, (unsigned long long)res.new_val);
	}
	return 0;

fail:
	btfdb_err_prefix(e, "prog '%s': relo #%u: ", prog->name, r->sec_relo_idx);
	info->err = ret;
	return ret;
}

/* Run the records of one pass (deferred == false: normal programs, true: "?" ones). */
static int relocate_pass(struct reloc_ctx *c, bool deferred, size_t *failed,
			 struct btfdb_err *e)
{
	size_t i;
	int ret;

	for (i = 0; i < c->obj->nr_relos; i++) {
		if (rec_deferred(c->obj, &c->obj->relos[i]) != deferred)
			continue;
		ret = relocate_one(c, i, e);
		if (ret) {
			*failed = i;
			return ret;
		}
	}
	return 0;
}

static int run_new(const struct corelink_obj *obj, struct corelink_run **out)
{
	struct corelink_run *run;
	size_t i;

	run = calloc(1, sizeof(*run));
	if (!run)
		return -ENOMEM;
	run->obj = obj;
	run->secs = calloc(obj->nr_secs ? obj->nr_secs : 1, sizeof(*run->secs));
	run->infos = calloc(obj->nr_relos ? obj->nr_relos : 1, sizeof(*run->infos));
	if (!run->secs || !run->infos)
		goto nomem;
	for (i = 0; i < obj->nr_secs; i++) {
		run->secs[i].data = malloc(obj->secs[i].size ? obj->secs[i].size : 1);
		if (!run->secs[i].data)
			goto nomem;
		if (obj->secs[i].size)
			memcpy(run->secs[i].data, obj->secs[i].data, obj->secs[i].size);
	}
	for (i = 0; i < obj->nr_relos; i++) {
		run->infos[i].relo_idx = obj->relos[i].sec_relo_idx;
		run->infos[i].kind = obj->relos[i].kind;
		run->infos[i].status = CORELINK_RELO_SKIPPED;
		run->infos[i].reason = "not reached: relocation stopped at an earlier error";
	}
	run->nr_infos = obj->nr_relos;
	*out = run;
	return 0;
nomem:
	corelink_run_free(run);
	return -ENOMEM;
}

int corelink_relocate(const struct corelink_obj *obj, const struct btfdb_btf *target,
		      const struct btfdb_index *idx, const struct corelink_opts *opts,
		      struct corelink_run **out, struct btfdb_err *err)
{
	struct reloc_ctx *c = NULL;
	struct btfdb_err e = { { 0 } };
	size_t failed = 0;
	int ret;

	*out = NULL;
	if (!obj || !target || !idx) {
		btfdb_err_set(err, "corelink_relocate: object, target and index are required");
		return -EINVAL;
	}
	if (opts && opts->libbpf != CORELINK_LIBBPF_NEWEST && opts->libbpf != CORELINK_LIBBPF_1_1 &&
	    opts->libbpf != CORELINK_LIBBPF_1_7) {
		btfdb_err_set(err, "corelink_relocate: unknown libbpf rules %d", (int)opts->libbpf);
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto nomem;
	c->obj = obj;
	c->local = obj->btf;
	c->targ = target;
	c->opts = opts;
	c->mode = (obj->big_endian ? CL_MODE_BIG_ENDIAN : 0) |
		  (opts && opts->libbpf == CORELINK_LIBBPF_1_1 ? CL_MODE_LIBBPF_1_1 : 0);
	ret = cl_cand_cache_new(obj->btf, target, idx, &c->cache);
	if (ret)
		goto nomem;
	ret = run_new(obj, &c->run);
	if (ret)
		goto nomem;

	ret = relocate_pass(c, false, &failed, &e);
	if (ret) {
		/* libbpf stops at the first error: later records were never looked at */
		c->run->nr_infos = failed + 1;
	} else {
		ret = relocate_pass(c, true, &failed, &e);
	}

	if (btfdb_btf_error(target)) {
		/* a type the relocation read is malformed: whatever was decided
		 * from it is void, and the target is bad input */
		btfdb_err_set(err, "%s", btfdb_btf_error(target));
		c->run->target_bad = true;
		ret = -EINVAL;
	} else if (ret) {
		c->run->infos[failed].reason = run_str(c->run, e.msg);
		btfdb_err_set(err, "%s", e.msg);
	} else if (opts && opts->strict && c->run->nr_poisoned) {
		size_t i;

		for (i = 0; i < c->run->nr_infos; i++) {
			const struct corelink_relo_info *in = &c->run->infos[i];

			if (in->status != CORELINK_RELO_POISONED)
				continue;
			btfdb_err_set(err, "prog '%s': relo #%u: %s (poisoned; strict mode)", in->prog,
				      in->relo_idx, in->reason ? in->reason : "no matching target");
			break;
		}
		ret = -ENOENT;
	}
	c->run->err = ret;
	*out = c->run;
	cl_cand_cache_free(c->cache);
	free(c);
	return ret;

nomem:
	if (c) {
		corelink_run_free(c->run);
		cl_cand_cache_free(c->cache);
		free(c);
	}
	btfdb_err_set(err, "out of memory");
	return -ENOMEM;
}

void corelink_run_free(struct corelink_run *run)
{
	size_t i;

	if (!run)
		return;
	if (run->secs && run->obj) {
		for (i = 0; i < run->obj->nr_secs; i++)
			free(run->secs[i].data);
	}
	free(run->secs);
	free(run->infos);
	for (i = 0; i < run->nr_strs; i++)
		free(run->strs[i]);
	free(run->strs);
	free(run);
}

size_t corelink_run_relo_cnt(const struct corelink_run *run)
{
	return run ? run->nr_infos : 0;
}

const struct corelink_relo_info *corelink_run_relo(const struct corelink_run *run, size_t i)
{
	return run && i < run->nr_infos ? &run->infos[i] : NULL;
}

size_t corelink_run_poisoned(const struct corelink_run *run)
{
	return run ? run->nr_poisoned : 0;
}

bool corelink_run_target_bad(const struct corelink_run *run)
{
	return run && run->target_bad;
}
