/* SPDX-License-Identifier: MIT */
/*
 * The batch manifest: the in-memory model (batch.h), its JSON form
 * (MANIFEST.md: schema "corelink-manifest", version 1), and merging the
 * manifests of shards.  Writing is deterministic: fixed key order, kernels
 * sorted by identity, objects in command-line order, two-space indent.
 * Reading is strict: unknown schema names or versions, missing or mistyped
 * fields, and entries that contradict their status are errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_internal.h"
#include "json.h"

const char *corelink_entry_status_str(enum corelink_entry_status s)
{
	switch (s) {
	case CORELINK_ENTRY_OK: return "ok";
	case CORELINK_ENTRY_POISONED: return "poisoned";
	default: return "error";
	}
}

static void free_entry(struct corelink_mf_entry *e)
{
	size_t i;

	free(e->artifact);
	free(e->error);
	for (i = 0; i < e->nr_poison; i++) {
		struct corelink_mf_poison *p = &e->poison[i];

		free(p->program);
		free(p->section);
		free(p->kind);
		free(p->spec);
		free(p->reason);
	}
	free(e->poison);
}

static void free_kernel(struct corelink_mf_kernel *k, size_t nr_objects)
{
	size_t i;

	free(k->distro);
	free(k->version);
	free(k->arch);
	free(k->release);
	free(k->source);
	if (k->entries)
		for (i = 0; i < nr_objects; i++)
			free_entry(&k->entries[i]);
	free(k->entries);
}

void corelink_manifest_free(struct corelink_manifest *m)
{
	size_t i, j;

	if (!m)
		return;
	for (i = 0; i < m->nr_kernels; i++)
		free_kernel(&m->kernels[i], m->nr_objects);
	free(m->kernels);
	for (i = 0; i < m->nr_objects; i++) {
		for (j = 0; j < m->objects[i].nr_programs; j++) {
			free(m->objects[i].programs[j].name);
			free(m->objects[i].programs[j].section);
		}
		free(m->objects[i].programs);
		free(m->objects[i].name);
	}
	free(m->objects);
	free(m);
}

const char *corelink_mf_kernel_id(const struct corelink_mf_kernel *k, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s/%s/%s", k->distro, k->version, k->arch, k->release);
	return buf;
}

static int kernel_cmp(const void *a, const void *b)
{
	const struct corelink_mf_kernel *x = a, *y = b;
	int c;

	if ((c = strcmp(x->distro, y->distro)) || (c = strcmp(x->version, y->version)) ||
	    (c = strcmp(x->arch, y->arch)) || (c = strcmp(x->release, y->release)))
		return c;
	return 0;
}

int corelink_manifest_sort(struct corelink_manifest *m, struct btfdb_err *err)
{
	size_t i;
	char id[1024];

	if (m->nr_kernels > 1)
		qsort(m->kernels, m->nr_kernels, sizeof(m->kernels[0]), kernel_cmp);
	for (i = 1; i < m->nr_kernels; i++) {
		if (!kernel_cmp(&m->kernels[i - 1], &m->kernels[i])) {
			btfdb_err_set(err, "kernel %s appears twice",
				      corelink_mf_kernel_id(&m->kernels[i], id, sizeof(id)));
			return -EEXIST;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */
/* ------------------------------------------------------------------ */

static void put_kv(FILE *f, int indent, const char *key, const char *val, bool comma)
{
	fprintf(f, "%*s", indent, "");
	cl_json_put_str(f, key);
	fputs(": ", f);
	cl_json_put_str(f, val);
	fputs(comma ? ",\n" : "\n", f);
}

static void write_entry(FILE *f, const struct corelink_mf_object *o,
			const struct corelink_mf_entry *e, bool last)
{
	size_t i;

	fputs("        {\n", f);
	put_kv(f, 10, "object", o->name, true);
	put_kv(f, 10, "status", corelink_entry_status_str(e->status),
	       e->artifact || e->error || e->nr_poison);
	if (e->artifact)
		put_kv(f, 10, "artifact", e->artifact, e->error || e->nr_poison);
	if (e->error)
		put_kv(f, 10, "error", e->error, e->nr_poison);
	if (e->nr_poison) {
		fputs("          \"poisoned\": [\n", f);
		for (i = 0; i < e->nr_poison; i++) {
			const struct corelink_mf_poison *p = &e->poison[i];

			fputs("            {\n", f);
			put_kv(f, 14, "program", p->program, true);
			put_kv(f, 14, "section", p->section, true);
			fprintf(f, "              \"insn\": %" PRIu32 ",\n", p->insn);
			put_kv(f, 14, "kind", p->kind, true);
			put_kv(f, 14, "spec", p->spec, true);
			put_kv(f, 14, "reason", p->reason, true);
			fprintf(f, "              \"guarded\": %s\n", p->guarded ? "true" : "false");
			fputs(i + 1 < e->nr_poison ? "            },\n" : "            }\n", f);
		}
		fputs("          ]\n", f);
	}
	fputs(last ? "        }\n" : "        },\n", f);
}

int corelink_manifest_write(const struct corelink_manifest *m, FILE *f, struct btfdb_err *err)
{
	size_t i, j;

	fputs("{\n", f);
	put_kv(f, 2, "schema", CORELINK_MANIFEST_SCHEMA, true);
	fprintf(f, "  \"schema_version\": %d,\n", CORELINK_MANIFEST_VERSION);
	put_kv(f, 2, "generator", "corelink " CORELINK_VERSION_STRING, true);
	if (m->shard_count)
		fprintf(f, "  \"shard\": {\"index\": %u, \"count\": %u},\n", m->shard_index,
			m->shard_count);
	fputs("  \"objects\": [\n", f);
	for (i = 0; i < m->nr_objects; i++) {
		const struct corelink_mf_object *o = &m->objects[i];

		fputs("    {\n", f);
		put_kv(f, 6, "name", o->name, true);
		fputs("      \"programs\": [", f);
		for (j = 0; j < o->nr_programs; j++) {
			fputs(j ? ",\n        {\"name\": " : "\n        {\"name\": ", f);
			cl_json_put_str(f, o->programs[j].name);
			fputs(", \"section\": ", f);
			cl_json_put_str(f, o->programs[j].section);
			fputs("}", f);
		}
		fputs(o->nr_programs ? "\n      ]\n" : "]\n", f);
		fputs(i + 1 < m->nr_objects ? "    },\n" : "    }\n", f);
	}
	fputs("  ],\n  \"kernels\": [\n", f);
	for (i = 0; i < m->nr_kernels; i++) {
		const struct corelink_mf_kernel *k = &m->kernels[i];

		fputs("    {\n", f);
		put_kv(f, 6, "distro", k->distro, true);
		put_kv(f, 6, "version", k->version, true);
		put_kv(f, 6, "arch", k->arch, true);
		put_kv(f, 6, "release", k->release, true);
		fprintf(f, "      \"btf_hash\": \"%016" PRIx64 "\",\n", k->btf_hash);
		put_kv(f, 6, "source", k->source, true);
		fputs("      \"objects\": [\n", f);
		for (j = 0; j < m->nr_objects; j++)
			write_entry(f, &m->objects[j], &k->entries[j], j + 1 == m->nr_objects);
		fputs("      ]\n", f);
		fputs(i + 1 < m->nr_kernels ? "    },\n" : "    }\n", f);
	}
	fputs("  ]\n}\n", f);
	if (ferror(f)) {
		btfdb_err_set(err, "cannot write the manifest");
		return -EIO;
	}
	return 0;
}

int corelink_manifest_save(const struct corelink_manifest *m, const char *path,
			   struct btfdb_err *err)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int ret;

	if (!f) {
		btfdb_err_set(err, "%s: out of memory", path);
		return -ENOMEM;
	}
	ret = corelink_manifest_write(m, f, err);
	if (fclose(f) && !ret) {
		btfdb_err_set(err, "%s: out of memory", path);
		ret = -ENOMEM;
	}
	if (!ret)
		ret = corelink_write_file_atomic(path, buf, size, err);
	free(buf);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

/* A required string member, copied. */
static int get_str(const struct cl_json *o, const char *key, const char *ctx, char **out,
		   struct btfdb_err *err)
{
	const struct cl_json *v = cl_json_get(o, key);

	if (!v || v->type != CL_JSON_STRING) {
		btfdb_err_set(err, "%s: \"%s\" missing or not a string", ctx, key);
		return -EINVAL;
	}
	*out = strdup(v->str);
	if (!*out) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static const struct cl_json *get_arr(const struct cl_json *o, const char *key, const char *ctx,
				     struct btfdb_err *err)
{
	const struct cl_json *v = cl_json_get(o, key);

	if (!v || v->type != CL_JSON_ARRAY) {
		btfdb_err_set(err, "%s: \"%s\" missing or not an array", ctx, key);
		return NULL;
	}
	return v;
}

static int get_uint(const struct cl_json *o, const char *key, const char *ctx, uint64_t max,
		    uint64_t *out, struct btfdb_err *err)
{
	const struct cl_json *v = cl_json_get(o, key);

	if (!v || v->type != CL_JSON_NUMBER || !v->is_int || v->i < 0 || (uint64_t)v->i > max) {
		btfdb_err_set(err, "%s: \"%s\" missing or not an integer in 0..%" PRIu64, ctx, key,
			      max);
		return -EINVAL;
	}
	*out = (uint64_t)v->i;
	return 0;
}

/* Artifact paths are "objects/<32 hex>.o": nothing else may be named (no "..", no absolute). */
static bool artifact_ok(const char *a)
{
	size_t i;

	if (strlen(a) != 8 + 32 + 2 || strncmp(a, "objects/", 8) || strcmp(a + 40, ".o"))
		return false;
	for (i = 8; i < 40; i++)
		if (!((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f')))
			return false;
	return true;
}

static int read_poison(const struct cl_json *v, const char *ctx, struct corelink_mf_poison *p,
		       struct btfdb_err *err)
{
	const struct cl_json *g;
	uint64_t insn;
	int ret;

	if (v->type != CL_JSON_OBJECT) {
		btfdb_err_set(err, "%s: poisoned relocation is not an object", ctx);
		return -EINVAL;
	}
	if ((ret = get_str(v, "program", ctx, &p->program, err)) ||
	    (ret = get_str(v, "section", ctx, &p->section, err)) ||
	    (ret = get_uint(v, "insn", ctx, UINT32_MAX, &insn, err)) ||
	    (ret = get_str(v, "kind", ctx, &p->kind, err)) ||
	    (ret = get_str(v, "spec", ctx, &p->spec, err)) ||
	    (ret = get_str(v, "reason", ctx, &p->reason, err)))
		return ret;
	p->insn = (uint32_t)insn;
	g = cl_json_get(v, "guarded");
	if (!g || g->type != CL_JSON_BOOL) {
		btfdb_err_set(err, "%s: \"guarded\" missing or not a boolean", ctx);
		return -EINVAL;
	}
	p->guarded = g->b;
	return 0;
}

static int read_entry(const struct cl_json *v, const struct corelink_mf_object *o, const char *kid,
		      struct corelink_mf_entry *e, struct btfdb_err *err)
{
	const struct cl_json *s, *a, *er, *pz;
	char ctx[1200];
	size_t i;
	int ret;

	snprintf(ctx, sizeof(ctx), "kernel %s, object %s", kid, o->name);
	if (v->type != CL_JSON_OBJECT) {
		btfdb_err_set(err, "%s: entry is not an object", ctx);
		return -EINVAL;
	}
	s = cl_json_get(v, "object");
	if (!s || s->type != CL_JSON_STRING || strcmp(s->str, o->name)) {
		btfdb_err_set(err, "%s: entries must follow the \"objects\" list in order", ctx);
		return -EINVAL;
	}
	s = cl_json_get(v, "status");
	if (!s || s->type != CL_JSON_STRING) {
		btfdb_err_set(err, "%s: \"status\" missing", ctx);
		return -EINVAL;
	}
	if (!strcmp(s->str, "ok")) {
		e->status = CORELINK_ENTRY_OK;
	} else if (!strcmp(s->str, "poisoned")) {
		e->status = CORELINK_ENTRY_POISONED;
	} else if (!strcmp(s->str, "error")) {
		e->status = CORELINK_ENTRY_ERROR;
	} else {
		btfdb_err_set(err, "%s: unknown status \"%s\"", ctx, s->str);
		return -EINVAL;
	}
	a = cl_json_get(v, "artifact");
	er = cl_json_get(v, "error");
	pz = cl_json_get(v, "poisoned");
	/* the status decides which members are present */
	if ((e->status == CORELINK_ENTRY_ERROR) != (a == NULL) ||
	    (e->status == CORELINK_ENTRY_ERROR) != (er != NULL) ||
	    (e->status == CORELINK_ENTRY_POISONED) != (pz != NULL)) {
		btfdb_err_set(err, "%s: members do not match status \"%s\"", ctx, s->str);
		return -EINVAL;
	}
	if (a) {
		if ((ret = get_str(v, "artifact", ctx, &e->artifact, err)))
			return ret;
		if (!artifact_ok(e->artifact)) {
			btfdb_err_set(err, "%s: bad artifact path \"%s\"", ctx, e->artifact);
			return -EINVAL;
		}
	}
	if (er && (ret = get_str(v, "error", ctx, &e->error, err)))
		return ret;
	if (pz) {
		if (pz->type != CL_JSON_ARRAY || !pz->n) {
			btfdb_err_set(err, "%s: \"poisoned\" must be a non-empty array", ctx);
			return -EINVAL;
		}
		e->poison = calloc(pz->n, sizeof(*e->poison));
		if (!e->poison) {
			btfdb_err_set(err, "out of memory");
			return -ENOMEM;
		}
		e->nr_poison = pz->n;
		for (i = 0; i < pz->n; i++)
			if ((ret = read_poison(&pz->items[i], ctx, &e->poison[i], err)))
				return ret;
	}
	return 0;
}

static int read_object(const struct cl_json *v, struct corelink_mf_object *o,
		       struct btfdb_err *err)
{
	const struct cl_json *pa;
	size_t i;
	int ret;

	if (v->type != CL_JSON_OBJECT) {
		btfdb_err_set(err, "objects: item is not an object");
		return -EINVAL;
	}
	if ((ret = get_str(v, "name", "objects", &o->name, err)))
		return ret;
	if (!(pa = get_arr(v, "programs", o->name, err)))
		return -EINVAL;
	o->programs = calloc(pa->n ? pa->n : 1, sizeof(*o->programs));
	if (!o->programs) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	o->nr_programs = pa->n;
	for (i = 0; i < pa->n; i++) {
		if ((ret = get_str(&pa->items[i], "name", o->name, &o->programs[i].name, err)) ||
		    (ret = get_str(&pa->items[i], "section", o->name, &o->programs[i].section, err)))
			return ret;
	}
	return 0;
}

static int read_kernel(const struct cl_json *v, struct corelink_manifest *m,
		       struct corelink_mf_kernel *k, struct btfdb_err *err)
{
	const struct cl_json *h, *ents;
	char kid[1024];
	size_t i;
	int ret;

	if (v->type != CL_JSON_OBJECT) {
		btfdb_err_set(err, "kernels: item is not an object");
		return -EINVAL;
	}
	if ((ret = get_str(v, "distro", "kernel", &k->distro, err)) ||
	    (ret = get_str(v, "version", "kernel", &k->version, err)) ||
	    (ret = get_str(v, "arch", "kernel", &k->arch, err)) ||
	    (ret = get_str(v, "release", "kernel", &k->release, err)))
		return ret;
	corelink_mf_kernel_id(k, kid, sizeof(kid));
	if ((ret = get_str(v, "source", kid, &k->source, err)))
		return ret;
	h = cl_json_get(v, "btf_hash");
	if (!h || h->type != CL_JSON_STRING || strlen(h->str) != 16 ||
	    strspn(h->str, "0123456789abcdef") != 16) {
		btfdb_err_set(err, "kernel %s: \"btf_hash\" must be 16 lowercase hex digits", kid);
		return -EINVAL;
	}
	k->btf_hash = strtoull(h->str, NULL, 16);
	if (!(ents = get_arr(v, "objects", kid, err)))
		return -EINVAL;
	if (ents->n != m->nr_objects) {
		btfdb_err_set(err, "kernel %s: %zu object entries, expected %zu", kid, ents->n,
			      m->nr_objects);
		return -EINVAL;
	}
	k->entries = calloc(m->nr_objects ? m->nr_objects : 1, sizeof(*k->entries));
	if (!k->entries) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < ents->n; i++)
		if ((ret = read_entry(&ents->items[i], &m->objects[i], kid, &k->entries[i], err)))
			return ret;
	return 0;
}

static int read_manifest(const struct cl_json *root, struct corelink_manifest *m,
			 struct btfdb_err *err)
{
	const struct cl_json *s, *objs, *kers, *sh;
	uint64_t ver, u;
	size_t i, j;
	int ret;

	if (root->type != CL_JSON_OBJECT) {
		btfdb_err_set(err, "not a JSON object");
		return -EINVAL;
	}
	s = cl_json_get(root, "schema");
	if (!s || s->type != CL_JSON_STRING || strcmp(s->str, CORELINK_MANIFEST_SCHEMA)) {
		btfdb_err_set(err, "not a corelink manifest (\"schema\" is not \"%s\")",
			      CORELINK_MANIFEST_SCHEMA);
		return -EINVAL;
	}
	if ((ret = get_uint(root, "schema_version", "manifest", UINT32_MAX, &ver, err)))
		return ret;
	if (ver != CORELINK_MANIFEST_VERSION) {
		btfdb_err_set(err, "manifest schema version %" PRIu64 " is not supported (this is version %d)",
			      ver, CORELINK_MANIFEST_VERSION);
		return -ENOTSUP;
	}
	sh = cl_json_get(root, "shard");
	if (sh) {
		if ((ret = get_uint(sh, "index", "shard", 1u << 20, &u, err)))
			return ret;
		m->shard_index = (unsigned)u;
		if ((ret = get_uint(sh, "count", "shard", 1u << 20, &u, err)))
			return ret;
		m->shard_count = (unsigned)u;
		if (!m->shard_index || m->shard_index > m->shard_count) {
			btfdb_err_set(err, "shard %u/%u is out of range", m->shard_index, m->shard_count);
			return -EINVAL;
		}
	}
	if (!(objs = get_arr(root, "objects", "manifest", err)) ||
	    !(kers = get_arr(root, "kernels", "manifest", err)))
		return -EINVAL;
	m->objects = calloc(objs->n ? objs->n : 1, sizeof(*m->objects));
	m->kernels = calloc(kers->n ? kers->n : 1, sizeof(*m->kernels));
	if (!m->objects || !m->kernels) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	m->nr_objects = objs->n;
	for (i = 0; i < objs->n; i++) {
		if ((ret = read_object(&objs->items[i], &m->objects[i], err)))
			return ret;
		for (j = 0; j < i; j++) {
			if (!strcmp(m->objects[j].name, m->objects[i].name)) {
				btfdb_err_set(err, "object %s listed twice", m->objects[i].name);
				return -EINVAL;
			}
		}
	}
	for (i = 0; i < kers->n; i++) {
		m->nr_kernels = i + 1;
		if ((ret = read_kernel(&kers->items[i], m, &m->kernels[i], err)))
			return ret;
	}
	return corelink_manifest_sort(m, err);
}

int corelink_manifest_parse(const char *text, size_t len, const char *name,
			    struct corelink_manifest **out, struct btfdb_err *err)
{
	struct corelink_manifest *m;
	struct cl_json *root = NULL;
	int ret;

	*out = NULL;
	ret = cl_json_parse(text, len, &root, err);
	if (ret) {
		btfdb_err_prefix(err, "%s: ", name);
		return ret;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		cl_json_free(root);
		btfdb_err_set(err, "%s: out of memory", name);
		return -ENOMEM;
	}
	ret = read_manifest(root, m, err);
	cl_json_free(root);
	if (ret) {
		btfdb_err_prefix(err, "%s: ", name);
		corelink_manifest_free(m);
		return ret;
	}
	*out = m;
	return 0;
}

int corelink_manifest_load(const char *path, struct corelink_manifest **out,
			   struct btfdb_err *err)
{
	char *text = NULL;
	size_t size = 0;
	int ret;

	*out = NULL;
	ret = cl_read_file(path, (size_t)1 << 30, &text, &size, err);
	if (ret)
		return ret;
	ret = corelink_manifest_parse(text, size, path, out, err);
	free(text);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Merging                                                             */
/* ------------------------------------------------------------------ */

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool objects_equal(const struct corelink_mf_object *a, const struct corelink_mf_object *b)
{
	size_t i;

	if (strcmp(a->name, b->name) || a->nr_programs != b->nr_programs)
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

static int copy_entry(struct corelink_mf_entry *d, const struct corelink_mf_entry *s)
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
	if (!(d->distro = strdup(s->distro)) || !(d->version = strdup(s->version)) ||
	    !(d->arch = strdup(s->arch)) || !(d->release = strdup(s->release)) ||
	    !(d->source = strdup(s->source)))
		return -ENOMEM;
	d->entries = calloc(nr_objects ? nr_objects : 1, sizeof(*d->entries));
	if (!d->entries)
		return -ENOMEM;
	for (i = 0; i < nr_objects; i++)
		if (copy_entry(&d->entries[i], &s->entries[i]))
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

		if (!(y->name = strdup(x->name)))
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
		if (!kernel_cmp(&m->kernels[i], k))
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
		bool same = in[i]->nr_objects == in[0]->nr_objects;

		for (o = 0; same && o < in[0]->nr_objects; o++)
			same = objects_equal(&in[i]->objects[o], &in[0]->objects[o]);
		if (!same) {
			btfdb_err_set(err, "manifest #%zu was made from different objects than manifest #1",
				      i + 1);
			return -EINVAL;
		}
	}
	for (i = 0; i < n; i++)
		total += in[i]->nr_kernels;
	m = calloc(1, sizeof(*m));
	if (!m || copy_objects(m, in[0]))
		goto nomem;
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
static int copy_artifact(const char *src_dir, const char *dst_dir, const char *rel,
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
	char *out_dir = cl_dirname(out_path), *obj_dir = NULL;
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
		char *src_dir = cl_dirname(paths[i]);

		if (!src_dir) {
			ret = -ENOMEM;
			goto out;
		}
		for (j = 0; j < ms[i]->nr_kernels; j++) {
			for (o = 0; o < ms[i]->nr_objects; o++) {
				const char *a = ms[i]->kernels[j].entries[o].artifact;

				if (a && (ret = copy_artifact(src_dir, out_dir, a, err))) {
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
