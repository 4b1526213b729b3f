/* SPDX-License-Identifier: MIT */
/*
 * Merging the manifests of shards (batch --shard I/N) into one: the same
 * objects, every kernel once, entries that agree where two shards hold the
 * same kernel, and the artifacts copied (checked against their names).
 * The model and its JSON form: manifest.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_internal.h"
#include "btfdb_fileio.h"

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool objects_equal(const struct corelink_mf_object *a, const struct corelink_mf_object *b)
{
	size_t i;

	if (strcmp(a->name, b->name) || strcmp(cl_s0(a->arch), cl_s0(b->arch)) ||
	    strcmp(cl_s0(a->hash), cl_s0(b->hash)) || a->nr_programs != b->nr_programs)
		return false;
	for (i = 0; i < a->nr_programs; i++)
		if (strcmp(a->programs[i].name, b->programs[i].name) ||
		    strcmp(a->programs[i].section, b->programs[i].section))
			return false;
	return true;
}

static bool entries_equal(const struct corelink_mf_entry *a, const struct corelink_mf_entry *b)
{
	size_t i;

	if (a->status != b->status || !str_eq(a->artifact, b->artifact) ||
	    !str_eq(a->error, b->error) || a->nr_poison != b->nr_poison)
		return false;
	for (i = 0; i < a->nr_poison; i++) {
		const struct corelink_mf_poison *x = &a->poison[i], *y = &b->poison[i];

		if (strcmp(x->program, y->program) || strcmp(x->section, y->section) ||
		    x->insn != y->insn || strcmp(x->kind, y->kind) || strcmp(x->spec, y->spec) ||
		    strcmp(x->reason, y->reason) || x->guarded != y->guarded)
			return false;
	}
	return true;
}

int cl_mf_entry_copy(struct corelink_mf_entry *d, const struct corelink_mf_entry *s)
{
	size_t i;

	d->status = s->status;
	if ((s->artifact && !(d->artifact = strdup(s->artifact))) ||
	    (s->error && !(d->error = strdup(s->error))))
		return -ENOMEM;
	if (!s->nr_poison)
		return 0;
	d->poison = calloc(s->nr_poison, sizeof(*d->poison));
	if (!d->poison)
		return -ENOMEM;
	d->nr_poison = s->nr_poison;
	for (i = 0; i < s->nr_poison; i++) {
		const struct corelink_mf_poison *x = &s->poison[i];
		struct corelink_mf_poison *y = &d->poison[i];

		y->insn = x->insn;
		y->guarded = x->guarded;
		if (!(y->program = strdup(x->program)) || !(y->section = strdup(x->section)) ||
		    !(y->kind = strdup(x->kind)) || !(y->spec = strdup(x->spec)) ||
		    !(y->reason = strdup(x->reason)))
			return -ENOMEM;
	}
	return 0;
}

static int copy_kernel(struct corelink_mf_kernel *d, const struct corelink_mf_kernel *s,
		       size_t nr_objects)
{
	size_t i;

	d->btf_hash = s->btf_hash;
	d->source_hash = s->source_hash;
	if (!(d->distro = strdup(s->distro)) || !(d->version = strdup(s->version)) ||
	    !(d->arch = strdup(s->arch)) || !(d->release = strdup(s->release)) ||
	    !(d->source = strdup(s->source)))
		return -ENOMEM;
	d->entries = calloc(nr_objects ? nr_objects : 1, sizeof(*d->entries));
	if (!d->entries)
		return -ENOMEM;
	for (i = 0; i < nr_objects; i++)
		if (cl_mf_entry_copy(&d->entries[i], &s->entries[i]))
			return -ENOMEM;
	return 0;
}

static int copy_objects(struct corelink_manifest *d, const struct corelink_manifest *s)
{
	size_t i, j;

	d->objects = calloc(s->nr_objects ? s->nr_objects : 1, sizeof(*d->objects));
	if (!d->objects)
		return -ENOMEM;
	d->nr_objects = s->nr_objects;
	for (i = 0; i < s->nr_objects; i++) {
		const struct corelink_mf_object *x = &s->objects[i];
		struct corelink_mf_object *y = &d->objects[i];

		if (!(y->name = strdup(x->name)) || !(y->arch = cl_strdup0(x->arch)) ||
		    !(y->arch_from = cl_strdup0(x->arch_from)) || !(y->hash = cl_strdup0(x->hash)))
			return -ENOMEM;
		y->programs = calloc(x->nr_programs ? x->nr_programs : 1, sizeof(*y->programs));
		if (!y->programs)
			return -ENOMEM;
		y->nr_programs = x->nr_programs;
		for (j = 0; j < x->nr_programs; j++)
			if (!(y->programs[j].name = strdup(x->programs[j].name)) ||
			    !(y->programs[j].section = strdup(x->programs[j].section)))
				return -ENOMEM;
	}
	return 0;
}

static int kernel_find(const struct corelink_manifest *m, const struct corelink_mf_kernel *k)
{
	size_t i;

	for (i = 0; i < m->nr_kernels; i++)
		if (!cl_mf_kernel_cmp(&m->kernels[i], k))
			return (int)i;
	return -1;
}

int corelink_manifest_merge(struct corelink_manifest *const *in, size_t n,
			    struct corelink_manifest **out, struct btfdb_err *err)
{
	struct corelink_manifest *m;
	size_t total = 0, i, j, o;
	char kid[1024];
	int ret = -ENOMEM;

	*out = NULL;
	if (!n) {
		btfdb_err_set(err, "nothing to merge");
		return -EINVAL;
	}
	for (i = 1; i < n; i++) {
		bool same = in[i]->nr_objects == in[0]->nr_objects &&
			    in[i]->strip_debug == in[0]->strip_debug;

		for (o = 0; same && o < in[0]->nr_objects; o++)
			same = objects_equal(&in[i]->objects[o], &in[0]->objects[o]);
		if (!same) {
			btfdb_err_set(err, "manifest #%zu was made from different objects (or --strip-debug) than manifest #1",
				      i + 1);
			return -EINVAL;
		}
		if (in[i]->libbpf != in[0]->libbpf) {
			btfdb_err_set(err, "manifest #%zu follows libbpf %s's rules, manifest #1 libbpf %s's",
				      i + 1, corelink_libbpf_str(in[i]->libbpf),
				      corelink_libbpf_str(in[0]->libbpf));
			return -EINVAL;
		}
	}
	for (i = 0; i < n; i++)
		total += in[i]->nr_kernels;
	m = calloc(1, sizeof(*m));
	if (!m || copy_objects(m, in[0]))
		goto nomem;
	m->libbpf = in[0]->libbpf;
	m->strip_debug = in[0]->strip_debug;
	m->kernels = calloc(total ? total : 1, sizeof(*m->kernels));
	if (!m->kernels)
		goto nomem;
	for (i = 0; i < n; i++) {
		for (j = 0; j < in[i]->nr_kernels; j++) {
			const struct corelink_mf_kernel *k = &in[i]->kernels[j];
			int at = kernel_find(m, k);

			if (at >= 0) {
				const struct corelink_mf_kernel *e = &m->kernels[at];
				bool same = e->btf_hash == k->btf_hash;

				for (o = 0; same && o < m->nr_objects; o++)
					same = entries_equal(&e->entries[o], &k->entries[o]);
				if (!same) {
					btfdb_err_set(err, "conflict: kernel %s appears in several manifests with different results (BTF hash %016" PRIx64 " vs %016" PRIx64 ")",
						      corelink_mf_kernel_id(k, kid, sizeof(kid)),
						      e->btf_hash, k->btf_hash);
					ret = -EINVAL;
					goto fail;
				}
				continue; /* an identical duplicate: keep one */
			}
			if (copy_kernel(&m->kernels[m->nr_kernels++], k, m->nr_objects))
				goto nomem;
		}
	}
	if ((ret = corelink_manifest_sort(m, err)))
		goto fail;
	*out = m;
	return 0;
nomem:
	btfdb_err_set(err, "out of memory");
fail:
	corelink_manifest_free(m);
	return ret;
}

/* Copy one artifact into dst_dir/objects/, checking its bytes against its name. */
int cl_copy_artifact(const char *src_dir, const char *dst_dir, const char *rel,
		     struct btfdb_err *err)
{
	char *src = cl_path_join(src_dir, rel), *dst = cl_path_join(dst_dir, rel);
	char *data = NULL, hex[33];
	size_t size = 0;
	int ret = -ENOMEM;

	if (!src || !dst) {
		btfdb_err_set(err, "out of memory");
		goto out;
	}
	if ((ret = cl_read_file(src, (size_t)1 << 30, &data, &size, err)))
		goto out;
	cl_hash128_hex(data, size, hex);
	if (strncmp(rel + 8, hex, 32)) {
		btfdb_err_set(err, "%s: content does not match its name (hash %s)", src, hex);
		ret = -EINVAL;
		goto out;
	}
	if (access(dst, F_OK) == 0) {
		ret = 0; /* same name, same bytes: present already */
		goto out;
	}
	ret = corelink_write_file_atomic(dst, data, size, err);
out:
	free(data);
	free(src);
	free(dst);
	return ret;
}

int corelink_merge_files(const char *const *paths, size_t n, const char *out_path,
			 struct corelink_manifest **merged, struct btfdb_err *err)
{
	struct corelink_manifest **ms = calloc(n ? n : 1, sizeof(*ms)), *m = NULL;
	char *out_dir = btfdb_fileio_dirname(out_path), *obj_dir = NULL;
	size_t i, j, o;
	int ret = -ENOMEM;

	if (merged)
		*merged = NULL;
	if (!ms || !out_dir) {
		btfdb_err_set(err, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if ((ret = corelink_manifest_load(paths[i], &ms[i], err)))
			goto out;
	if ((ret = corelink_manifest_merge(ms, n, &m, err)))
		goto out;
	obj_dir = cl_path_join(out_dir, "objects");
	if (!obj_dir || (ret = cl_mkdir_p(obj_dir, err)))
		goto out;
	/* every artifact of every input, from the directory of its own manifest */
	for (i = 0; i < n; i++) {
		char *src_dir = btfdb_fileio_dirname(paths[i]);

		if (!src_dir) {
			ret = -ENOMEM;
			goto out;
		}
		for (j = 0; j < ms[i]->nr_kernels; j++) {
			for (o = 0; o < ms[i]->nr_objects; o++) {
				const char *a = ms[i]->kernels[j].entries[o].artifact;

				if (a && (ret = cl_copy_artifact(src_dir, out_dir, a, err))) {
					free(src_dir);
					goto out;
				}
			}
		}
		free(src_dir);
	}
	if ((ret = corelink_manifest_save(m, out_path, err)))
		goto out;
	if (merged) {
		*merged = m;
		m = NULL;
	}
out:
	for (i = 0; ms && i < n; i++)
		corelink_manifest_free(ms[i]);
	free(ms);
	corelink_manifest_free(m);
	free(out_dir);
	free(obj_dir);
	return ret;
}

