/* SPDX-License-Identifier: MIT */
/*
 * corelink's -j/--json documents (corelink_json.h): a relocation run, a
 * batch's summary, pick, merge.  The schemas are docs/schema/corelink-*.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "batch_internal.h"
#include "btfdb_json.h"
#include "corelink_json.h"

#define SET(o, k, v) cl_json_set((o), (k), (v))

json_t *corelink_json_u64(uint64_t v)
{
	char buf[24];

	if (v <= (uint64_t)INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return json_string(buf);
}

static const char *relo_status_str(enum corelink_relo_status s)
{
	switch (s) {
	case CORELINK_RELO_OK: return "ok";
	case CORELINK_RELO_POISONED: return "poisoned";
	case CORELINK_RELO_SKIPPED: return "skipped";
	default: return "error";
	}
}

/* One relocation; index is its position in the object's records. */
static json_t *relo_json(const struct corelink_relo_info *ri, size_t index)
{
	json_t *r = json_object();
	const char *ename = ri->status == CORELINK_RELO_ERROR && ri->err ? strerrorname_np(-ri->err)
									: NULL;
	bool ok = r && SET(r, "index", json_integer((json_int_t)index)) &&
		  SET(r, "section", btfdb_json_str(ri->section)) &&
		  SET(r, "program", btfdb_json_str(ri->prog)) &&
		  SET(r, "relo_idx", json_integer(ri->relo_idx)) &&
		  SET(r, "insn", json_integer(ri->insn_idx)) &&
		  SET(r, "insn_off", json_integer(ri->insn_off)) &&
		  SET(r, "kind", json_string(corelink_relo_kind_str(ri->kind))) &&
		  SET(r, "access", btfdb_json_str(ri->access)) &&
		  SET(r, "spec", btfdb_json_str(ri->spec)) &&
		  SET(r, "local_type", btfdb_json_str(ri->local_type)) &&
		  SET(r, "local_type_id", json_integer(ri->local_type_id)) &&
		  SET(r, "target_type", btfdb_json_str(ri->target_type)) &&
		  SET(r, "target_type_id", json_integer(ri->target_type_id)) &&
		  SET(r, "candidates", json_integer(ri->nr_cands)) &&
		  SET(r, "status", json_string(relo_status_str(ri->status))) &&
		  SET(r, "poisoned", json_boolean(ri->status == CORELINK_RELO_POISONED));

	/* the compiler's value is known once the record was computed */
	ok = ok && SET(r, "old_value", ri->status == CORELINK_RELO_OK ||
						   ri->status == CORELINK_RELO_POISONED
					       ? corelink_json_u64(ri->orig_val)
					       : json_null());
	ok = ok && SET(r, "new_value", ri->status == CORELINK_RELO_OK
					       ? corelink_json_u64(ri->new_val)
					       : json_null());
	ok = ok && SET(r, "reason", ri->status == CORELINK_RELO_OK ? json_null()
								    : btfdb_json_str(ri->reason));
	if (ok && ri->status == CORELINK_RELO_ERROR)
		ok = SET(r, "errno", json_integer(-ri->err)) &&
		     SET(r, "errno_name", btfdb_json_str(ename)) &&
		     SET(r, "bad_input", json_boolean(ri->bad_input));
	if (!ok)
		json_decref(r);
	return ok ? r : NULL;
}

static json_t *target_json(const struct corelink_json_relocate *d)
{
	json_t *t = json_object();
	bool ok = t != NULL;

	if (ok && d->db)
		ok = SET(t, "db", btfdb_json_str(d->db)) && SET(t, "kernel", btfdb_json_str(d->kernel));
	else if (ok)
		ok = SET(t, "btf", btfdb_json_str(d->btf));
	ok = ok && SET(t, "release", btfdb_json_str(d->release));
	if (!ok)
		json_decref(t);
	return ok ? t : NULL;
}

json_t *corelink_json_relocate(const struct corelink_json_relocate *d,
			       const struct corelink_obj *obj, const struct corelink_run *run)
{
	json_t *doc = btfdb_json_doc("corelink", "relocate"), *rs = json_array(),
	       *ws = json_array(), *es = json_array(), *cnt = json_object();
	size_t n[4] = { 0 }, i, nr = corelink_run_relo_cnt(run), nneeds = 0;
	const char *const *needs = NULL;
	const char *status;
	bool ok = doc && rs && ws && es && cnt;

	if (obj)
		nneeds = corelink_obj_btf_needs(obj, &needs);
	for (i = 0; ok && i < nneeds; i++)
		ok = cl_json_push(ws, btfdb_json_str(needs[i]));
	for (i = 0; ok && i < nr; i++) {
		const struct corelink_relo_info *ri = corelink_run_relo(run, i);
		char msg[1024];

		n[ri->status < 4 ? ri->status : CORELINK_RELO_ERROR]++;
		ok = cl_json_push(rs, relo_json(ri, i));
		if (ok && ri->status == CORELINK_RELO_POISONED) {
			corelink_poison_message(ri, msg, sizeof(msg));
			ok = cl_json_push(ws, btfdb_json_str(msg));
		}
	}
	if (ok && d->error)
		ok = cl_json_push(es, btfdb_json_str(d->error));
	status = d->error ? "error" : n[CORELINK_RELO_POISONED] ? "poisoned" : "ok";
	ok = ok && SET(doc, "object", btfdb_json_str(d->object)) &&
	     SET(doc, "target", target_json(d)) && SET(doc, "output", btfdb_json_str(d->output)) &&
	     SET(doc, "written", json_boolean(d->written)) &&
	     SET(doc, "libbpf", json_string(corelink_libbpf_str(d->libbpf))) &&
	     SET(doc, "strict", json_boolean(d->strict)) && SET(doc, "status", json_string(status)) &&
	     SET(cnt, "records", json_integer((json_int_t)(obj ? corelink_obj_relo_cnt(obj) : nr))) &&
	     SET(cnt, "ok", json_integer((json_int_t)n[CORELINK_RELO_OK])) &&
	     SET(cnt, "poisoned", json_integer((json_int_t)n[CORELINK_RELO_POISONED])) &&
	     SET(cnt, "skipped", json_integer((json_int_t)n[CORELINK_RELO_SKIPPED])) &&
	     SET(cnt, "error", json_integer((json_int_t)n[CORELINK_RELO_ERROR])) &&
	     SET(doc, "counts", json_incref(cnt)) && SET(doc, "relocations", json_incref(rs)) &&
	     SET(doc, "warnings", json_incref(ws)) && SET(doc, "errors", json_incref(es));
	json_decref(cnt);
	json_decref(rs);
	json_decref(ws);
	json_decref(es);
	if (!ok)
		json_decref(doc);
	return ok ? doc : NULL;
}

/* ------------------------------------------------------------------ */
/* Manifests: batch, merge                                             */
/* ------------------------------------------------------------------ */

static size_t unguarded(const struct corelink_mf_entry *e)
{
	size_t i, n = 0;

	for (i = 0; i < e->nr_poison; i++)
		n += !e->poison[i].guarded;
	return n;
}

/* "objects": [{name, arch, ok, poisoned, error, skipped}] and "counts"
 * {entries, ok, poisoned, error, skipped}: entries are the object x kernel
 * pairs of the same arch (skipped: of another arch, not relocated). */
static bool tally_json(json_t *doc, json_t *counts, const struct corelink_manifest *m)
{
	json_t *os = json_array(), *ob;
	size_t tot[4] = { 0 }, o, k;
	bool ok = os && SET(doc, "objects", os);

	for (o = 0; ok && o < m->nr_objects; o++) {
		size_t c[4] = { 0 };

		for (k = 0; k < m->nr_kernels; k++)
			c[m->kernels[k].entries[o].status <= CORELINK_ENTRY_SKIPPED
				  ? m->kernels[k].entries[o].status
				  : CORELINK_ENTRY_ERROR]++;
		ok = cl_json_push(os, ob = json_object()) &&
		     SET(ob, "name", btfdb_json_str(m->objects[o].name)) &&
		     SET(ob, "arch", btfdb_json_str(cl_s0(m->objects[o].arch))) &&
		     SET(ob, "ok", json_integer((json_int_t)c[CORELINK_ENTRY_OK])) &&
		     SET(ob, "poisoned", json_integer((json_int_t)c[CORELINK_ENTRY_POISONED])) &&
		     SET(ob, "error", json_integer((json_int_t)c[CORELINK_ENTRY_ERROR])) &&
		     SET(ob, "skipped", json_integer((json_int_t)c[CORELINK_ENTRY_SKIPPED]));
		for (k = 0; k < 4; k++)
			tot[k] += c[k];
	}
	return ok && SET(doc, "kernels", json_integer((json_int_t)m->nr_kernels)) &&
	       SET(counts, "entries",
		   json_integer((json_int_t)(m->nr_kernels * m->nr_objects - tot[CORELINK_ENTRY_SKIPPED]))) &&
	       SET(counts, "ok", json_integer((json_int_t)tot[CORELINK_ENTRY_OK])) &&
	       SET(counts, "poisoned", json_integer((json_int_t)tot[CORELINK_ENTRY_POISONED])) &&
	       SET(counts, "error", json_integer((json_int_t)tot[CORELINK_ENTRY_ERROR])) &&
	       SET(counts, "skipped", json_integer((json_int_t)tot[CORELINK_ENTRY_SKIPPED]));
}

/* Every entry that is not ok. */
static json_t *problems_json(const struct corelink_manifest *m)
{
	json_t *ps = json_array(), *p;
	bool ok = ps != NULL;
	char id[1024];
	size_t k, o;

	for (k = 0; ok && k < m->nr_kernels; k++) {
		for (o = 0; ok && o < m->nr_objects; o++) {
			const struct corelink_mf_entry *e = &m->kernels[k].entries[o];

			if (e->status == CORELINK_ENTRY_OK || e->status == CORELINK_ENTRY_SKIPPED)
				continue;
			ok = cl_json_push(ps, p = json_object()) &&
			     SET(p, "kernel", btfdb_json_str(corelink_mf_kernel_id(&m->kernels[k], id,
										    sizeof(id)))) &&
			     SET(p, "object", btfdb_json_str(m->objects[o].name)) &&
			     SET(p, "arch", btfdb_json_str(cl_s0(m->objects[o].arch))) &&
			     SET(p, "status", json_string(corelink_entry_status_str(e->status)));
			if (ok && e->status == CORELINK_ENTRY_ERROR)
				ok = SET(p, "error", btfdb_json_str(e->error));
			else if (ok)
				ok = SET(p, "poisoned", json_integer((json_int_t)e->nr_poison)) &&
				     SET(p, "unguarded", json_integer((json_int_t)unguarded(e)));
		}
	}
	if (!ok)
		json_decref(ps);
	return ok ? ps : NULL;
}

json_t *corelink_json_batch(const struct corelink_json_batch *d, const struct corelink_manifest *m,
			    const struct corelink_batch_stats *st)
{
	json_t *doc = btfdb_json_doc("corelink", "batch"), *cnt = json_object(), *shard;
	char *mf = cl_path_join(d->output_dir, "manifest.json");
	bool ok = doc && cnt && mf && SET(doc, "output_dir", btfdb_json_str(d->output_dir)) &&
		  SET(doc, "manifest", btfdb_json_str(mf)) &&
		  SET(doc, "report", btfdb_json_str(d->report)) &&
		  SET(doc, "bundle", btfdb_json_str(d->bundle)) &&
		  SET(doc, "libbpf", json_string(corelink_libbpf_str(m->libbpf)));

	if (ok && m->shard_count)
		ok = (shard = json_object()) && SET(doc, "shard", shard) &&
		     SET(shard, "index", json_integer(m->shard_index)) &&
		     SET(shard, "count", json_integer(m->shard_count));
	else if (ok)
		ok = SET(doc, "shard", json_null());
	ok = ok && tally_json(doc, cnt, m) && SET(doc, "previous", btfdb_json_str(d->previous)) &&
	     SET(doc, "strip_debug", json_boolean(m->strip_debug)) &&
	     SET(cnt, "reused", json_integer((json_int_t)st->reused)) &&
	     SET(cnt, "kernels_relocated", json_integer((json_int_t)st->kernels_relocated)) &&
	     SET(cnt, "kernels_reused", json_integer((json_int_t)st->kernels_reused)) &&
	     SET(cnt, "artifacts", json_integer((json_int_t)st->artifacts)) &&
	     SET(cnt, "unique", json_integer((json_int_t)st->unique)) &&
	     SET(cnt, "written", json_integer((json_int_t)st->written)) &&
	     SET(doc, "counts", json_incref(cnt)) && SET(doc, "fail_on", btfdb_json_str(d->fail_on)) &&
	     SET(doc, "failed", json_boolean(d->failed)) && SET(doc, "problems", problems_json(m));
	json_decref(cnt);
	free(mf);
	if (!ok)
		json_decref(doc);
	return ok ? doc : NULL;
}

json_t *corelink_json_merge(const char *const *inputs, size_t n, const char *output,
			    const char *report, const struct corelink_manifest *m)
{
	json_t *doc = btfdb_json_doc("corelink", "merge"), *in = json_array(), *cnt = json_object();
	bool ok = doc && in && cnt && SET(doc, "inputs", json_incref(in)) &&
		  SET(doc, "output", btfdb_json_str(output)) &&
		  SET(doc, "report", btfdb_json_str(report)) &&
		  SET(doc, "libbpf", json_string(corelink_libbpf_str(m->libbpf)));
	size_t i;

	for (i = 0; ok && i < n; i++)
		ok = cl_json_push(in, btfdb_json_str(inputs[i]));
	ok = ok && tally_json(doc, cnt, m) && SET(doc, "counts", json_incref(cnt)) &&
	     SET(doc, "problems", problems_json(m));
	json_decref(in);
	json_decref(cnt);
	if (!ok)
		json_decref(doc);
	return ok ? doc : NULL;
}

/* ------------------------------------------------------------------ */
/* pick                                                                */
/* ------------------------------------------------------------------ */

json_t *corelink_json_pick(const char *manifest, const struct corelink_pick_query *q,
			   const struct corelink_pick_result *res)
{
	json_t *doc = btfdb_json_doc("corelink", "pick"), *qj = json_object();
	bool ok = doc && qj && SET(doc, "manifest", btfdb_json_str(manifest)) &&
		  SET(doc, "query", json_incref(qj)) &&
		  SET(qj, "release", btfdb_json_str(q->release)) &&
		  SET(qj, "arch", btfdb_json_str(q->arch)) &&
		  SET(qj, "distro", btfdb_json_str(q->distro)) &&
		  SET(qj, "version", btfdb_json_str(q->version)) &&
		  SET(qj, "object", btfdb_json_str(q->object)) &&
		  SET(doc, "path", btfdb_json_str(res->path)) &&
		  SET(doc, "kernel", btfdb_json_str(res->kernel)) &&
		  SET(doc, "object", btfdb_json_str(res->object)) &&
		  SET(doc, "status", json_string(corelink_entry_status_str(res->status))) &&
		  SET(doc, "unguarded", json_integer((json_int_t)res->unguarded));

	json_decref(qj);
	if (!ok)
		json_decref(doc);
	return ok ? doc : NULL;
}

/* ------------------------------------------------------------------ */
/* bundle                                                              */
/* ------------------------------------------------------------------ */

json_t *corelink_json_bundle(const char *output, const char *c_header,
			     const struct corelink_bundle_stats *st)
{
	json_t *doc = btfdb_json_doc("corelink", "bundle");
	bool ok = doc && SET(doc, "output", btfdb_json_str(output)) &&
		  SET(doc, "c_header", btfdb_json_str(c_header)) &&
		  SET(doc, "bytes", json_integer((json_int_t)st->total)) &&
		  SET(doc, "objects", json_integer((json_int_t)st->objects)) &&
		  SET(doc, "original_bytes", json_integer((json_int_t)st->orig_bytes)) &&
		  SET(doc, "kernels", json_integer((json_int_t)st->kernels)) &&
		  SET(doc, "artifacts", json_integer((json_int_t)st->artifacts)) &&
		  SET(doc, "artifact_bytes", json_integer((json_int_t)st->artifact_bytes)) &&
		  SET(doc, "base_bytes", json_integer((json_int_t)st->base_bytes)) &&
		  SET(doc, "patch_bytes", json_integer((json_int_t)st->patch_bytes)) &&
		  SET(doc, "table_bytes", json_integer((json_int_t)st->table_bytes));

	if (!ok)
		json_decref(doc);
	return ok ? doc : NULL;
}
