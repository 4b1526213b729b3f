/* SPDX-License-Identifier: MIT */
/*
 * The batch manifest: the in-memory model (batch.h), its JSON form
 * (MANIFEST.md: schema "corelink-manifest", version 2; version 1 is read
 * too), and the queries the reports share.  Merging shards: manifest_merge.c.
 * Writing is deterministic: fixed key order, kernels
 * sorted by identity, objects in command-line order, two-space indent.
 * Reading is strict: unknown schema names or versions, missing or mistyped
 * fields, and entries that contradict their status are errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_internal.h"
#include "btfdb_fileio.h"

const char *corelink_entry_status_str(enum corelink_entry_status s)
{
	switch (s) {
	case CORELINK_ENTRY_OK: return "ok";
	case CORELINK_ENTRY_POISONED: return "poisoned";
	case CORELINK_ENTRY_SKIPPED: return "skipped";
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
		free(m->objects[i].arch);
		free(m->objects[i].arch_from);
		free(m->objects[i].hash);
	}
	free(m->objects);
	free(m->generator);
	free(m);
}

const char *corelink_mf_kernel_id(const struct corelink_mf_kernel *k, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s/%s/%s", k->distro, k->version, k->arch, k->release);
	return buf;
}

int cl_mf_kernel_cmp(const void *a, const void *b)
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
		qsort(m->kernels, m->nr_kernels, sizeof(m->kernels[0]), cl_mf_kernel_cmp);
	for (i = 1; i < m->nr_kernels; i++) {
		if (!cl_mf_kernel_cmp(&m->kernels[i - 1], &m->kernels[i])) {
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

static json_t *poison_json(const struct corelink_mf_poison *p)
{
	json_t *o = json_object();
	bool ok = o != NULL;

	ok = ok && cl_json_set(o, "program", cl_json_str(p->program));
	ok = ok && cl_json_set(o, "section", cl_json_str(p->section));
	ok = ok && cl_json_set(o, "insn", json_integer(p->insn));
	ok = ok && cl_json_set(o, "kind", cl_json_str(p->kind));
	ok = ok && cl_json_set(o, "spec", cl_json_str(p->spec));
	ok = ok && cl_json_set(o, "reason", cl_json_str(p->reason));
	ok = ok && cl_json_set(o, "guarded", json_boolean(p->guarded));
	if (!ok)
		json_decref(o);
	return ok ? o : NULL;
}

static json_t *entry_json(const struct corelink_mf_object *o, const struct corelink_mf_entry *e)
{
	json_t *v = json_object(), *pz = NULL;
	bool ok = v != NULL;
	size_t i;

	ok = ok && cl_json_set(v, "object", cl_json_str(o->name));
	if (ok && cl_s0(o->arch)[0])
		ok = cl_json_set(v, "arch", cl_json_str(o->arch));
	ok = ok && cl_json_set(v, "status", json_string(corelink_entry_status_str(e->status)));
	if (ok && e->artifact)
		ok = cl_json_set(v, "artifact", cl_json_str(e->artifact));
	if (ok && e->error)
		ok = cl_json_set(v, "error", cl_json_str(e->error));
	if (ok && e->nr_poison)
		ok = cl_json_set(v, "poisoned", pz = json_array());
	for (i = 0; ok && i < e->nr_poison; i++)
		ok = cl_json_push(pz, poison_json(&e->poison[i]));
	if (!ok)
		json_decref(v);
	return ok ? v : NULL;
}

static json_t *object_json(const struct corelink_mf_object *o)
{
	json_t *v = json_object(), *progs = NULL, *p;
	bool ok = v != NULL;
	size_t j;

	ok = ok && cl_json_set(v, "name", cl_json_str(o->name));
	ok = ok && cl_json_set(v, "arch", cl_json_str(cl_s0(o->arch)));
	ok = ok && cl_json_set(v, "arch_from", cl_json_str(cl_s0(o->arch_from)));
	ok = ok && cl_json_set(v, "hash", cl_json_str(cl_s0(o->hash)));
	ok = ok && cl_json_set(v, "programs", progs = json_array());
	for (j = 0; ok && j < o->nr_programs; j++)
		ok = cl_json_push(progs, p = json_object()) &&
		     cl_json_set(p, "name", cl_json_str(o->programs[j].name)) &&
		     cl_json_set(p, "section", cl_json_str(o->programs[j].section));
	if (!ok)
		json_decref(v);
	return ok ? v : NULL;
}

static json_t *kernel_json(const struct corelink_manifest *m, const struct corelink_mf_kernel *k)
{
	json_t *v = json_object(), *ents = NULL;
	char hash[17], shash[17];
	bool ok = v != NULL;
	size_t j;

	snprintf(hash, sizeof(hash), "%016" PRIx64, k->btf_hash);
	snprintf(shash, sizeof(shash), "%016" PRIx64, k->source_hash);
	ok = ok && cl_json_set(v, "distro", cl_json_str(k->distro));
	ok = ok && cl_json_set(v, "version", cl_json_str(k->version));
	ok = ok && cl_json_set(v, "arch", cl_json_str(k->arch));
	ok = ok && cl_json_set(v, "release", cl_json_str(k->release));
	ok = ok && cl_json_set(v, "btf_hash", json_string(hash));
	ok = ok && cl_json_set(v, "source", cl_json_str(k->source));
	ok = ok && cl_json_set(v, "source_hash", json_string(shash));
	ok = ok && cl_json_set(v, "objects", ents = json_array());
	/* the entries of the objects of the kernel's arch */
	for (j = 0; ok && j < m->nr_objects; j++)
		if (k->entries[j].status != CORELINK_ENTRY_SKIPPED)
			ok = cl_json_push(ents, entry_json(&m->objects[j], &k->entries[j]));
	if (!ok)
		json_decref(v);
	return ok ? v : NULL;
}

/* The document without its kernels ("kernels" last, an empty array). */
static json_t *manifest_head_json(const struct corelink_manifest *m)
{
	json_t *doc = json_object(), *objs = NULL, *sh = NULL;
	bool ok = doc != NULL;
	size_t i;

	ok = ok && cl_json_set(doc, "schema", json_string(CORELINK_MANIFEST_SCHEMA));
	ok = ok && cl_json_set(doc, "schema_version", json_integer(CORELINK_MANIFEST_VERSION));
	ok = ok && cl_json_set(doc, "generator", json_string("corelink " CORELINK_VERSION_STRING));
	ok = ok && cl_json_set(doc, "libbpf", json_string(corelink_libbpf_str(m->libbpf)));
	ok = ok && cl_json_set(doc, "strip_debug", json_boolean(m->strip_debug));
	if (ok && m->shard_count)
		ok = cl_json_set(doc, "shard", sh = json_object()) &&
		     cl_json_set(sh, "index", json_integer(m->shard_index)) &&
		     cl_json_set(sh, "count", json_integer(m->shard_count));
	ok = ok && cl_json_set(doc, "objects", objs = json_array());
	for (i = 0; ok && i < m->nr_objects; i++)
		ok = cl_json_push(objs, object_json(&m->objects[i]));
	ok = ok && cl_json_set(doc, "kernels", json_array());
	if (!ok)
		json_decref(doc);
	return ok ? doc : NULL;
}

json_t *corelink_manifest_json(const struct corelink_manifest *m)
{
	json_t *doc = manifest_head_json(m), *kers = doc ? json_object_get(doc, "kernels") : NULL;
	bool ok = kers != NULL;
	size_t i;

	for (i = 0; ok && i < m->nr_kernels; i++)
		ok = cl_json_push(kers, kernel_json(m, &m->kernels[i]));
	if (!ok)
		json_decref(doc);
	return ok ? doc : NULL;
}

/* fputs s with `indent` spaces after each newline (jansson escapes the newlines of strings). */
static int put_indented(const char *s, int indent, FILE *f)
{
	for (; *s; s++)
		if (fputc(*s, f) == EOF || (*s == '\n' && fprintf(f, "%*s", indent, "") < 0))
			return -EIO;
	return 0;
}

/*
 * The manifest as corelink_manifest_json() would dump it (two-space
 * indent), written a kernel at a time: one kernel's JSON tree is in memory
 * at once, not the whole document (a batch over 2000 kernels built 10 MB of
 * tree for its 1.8 MB manifest).
 */
int corelink_manifest_write(const struct corelink_manifest *m, FILE *f, struct btfdb_err *err)
{
	static const char tail[] = "\"kernels\": []\n}";
	json_t *doc = manifest_head_json(m);
	char *head = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	size_t n = head ? strlen(head) : 0, i;
	int ret = 0;

	json_decref(doc);
	if (!head) {
		btfdb_err_set(err, "out of memory writing the manifest");
		return -ENOMEM;
	}
	if (n < sizeof(tail) - 1 || strcmp(head + n - (sizeof(tail) - 1), tail)) {
		free(head);
		btfdb_err_set(err, "manifest: unexpected JSON layout");
		return -EINVAL;
	}
	if (!m->nr_kernels) {
		ret = fputs(head, f) == EOF || fputc('\n', f) == EOF ? -EIO : 0;
	} else {
		head[n - 3] = 0; /* up to and including "[" */
		ret = fputs(head, f) == EOF ? -EIO : 0;
		for (i = 0; !ret && i < m->nr_kernels; i++) {
			json_t *k = kernel_json(m, &m->kernels[i]);
			char *ks = k ? json_dumps(k, JSON_INDENT(2)) : NULL;

			json_decref(k);
			if (!ks) {
				ret = -ENOMEM;
				break;
			}
			ret = fprintf(f, "%s\n    ", i ? "," : "") < 0 || put_indented(ks, 4, f) ? -EIO : 0;
			free(ks);
		}
		if (!ret && fputs("\n  ]\n}\n", f) == EOF)
			ret = -EIO;
	}
	free(head);
	if (!ret && ferror(f))
		ret = -EIO;
	if (ret)
		btfdb_err_set(err, ret == -ENOMEM ? "out of memory writing the manifest"
						  : "cannot write the manifest");
	return ret;
}

int corelink_manifest_save(const struct corelink_manifest *m, const char *path,
			   struct btfdb_err *err)
{
	struct btfdb_fileio_atomic a;
	FILE *f;
	struct btfdb_err werr = { 0 };
	int ret, fd;
	bool io;

	if ((ret = btfdb_fileio_atomic_open(path, &a, err)))
		return ret;
	fd = dup(a.fd);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		btfdb_fileio_atomic_abort(&a);
		btfdb_err_set(err, "%s: %s (the file is left as it was)", path, strerror(-ret));
		return ret;
	}
	/* a failed write (here or in the final flush) is reported as the atomic
	 * writer reports it: the path, the write's errno, the old file kept */
	errno = 0;
	ret = corelink_manifest_write(m, f, &werr);
	io = ret == -EIO;
	if (io && errno)
		ret = -errno;
	if (fclose(f) && !ret) {
		ret = -errno;
		io = true;
	}
	if (io)
		btfdb_err_set(err, "%s: cannot write: %s (the file is left as it was)", path,
			      strerror(-ret));
	else if (ret)
		btfdb_err_set(err, "%s", werr.msg);
	if (ret) {
		btfdb_fileio_atomic_abort(&a);
		return ret;
	}
	return btfdb_fileio_atomic_commit(&a, false, err);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

/* A required string member, copied. */
static int get_str(const json_t *o, const char *key, const char *ctx, char **out,
		   struct btfdb_err *err)
{
	const json_t *v = json_object_get(o, key);

	if (!v || !json_is_string(v)) {
		btfdb_err_set(err, "%s: \"%s\" missing or not a string", ctx, key);
		return -EINVAL;
	}
	*out = strdup(json_string_value(v));
	if (!*out) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static const json_t *get_arr(const json_t *o, const char *key, const char *ctx,
				     struct btfdb_err *err)
{
	const json_t *v = json_object_get(o, key);

	if (!v || !json_is_array(v)) {
		btfdb_err_set(err, "%s: \"%s\" missing or not an array", ctx, key);
		return NULL;
	}
	return v;
}

static int get_uint(const json_t *o, const char *key, const char *ctx, uint64_t max,
		    uint64_t *out, struct btfdb_err *err)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max) {
		btfdb_err_set(err, "%s: \"%s\" missing or not an integer in 0..%" PRIu64, ctx, key,
			      max);
		return -EINVAL;
	}
	*out = (uint64_t)json_integer_value(v);
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

static int read_poison(const json_t *v, const char *ctx, struct corelink_mf_poison *p,
		       struct btfdb_err *err)
{
	const json_t *g;
	uint64_t insn;
	int ret;

	if (!json_is_object(v)) {
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
	g = json_object_get(v, "guarded");
	if (!json_is_boolean(g)) {
		btfdb_err_set(err, "%s: \"guarded\" missing or not a boolean", ctx);
		return -EINVAL;
	}
	p->guarded = json_is_true(g);
	return 0;
}

static int read_entry(const json_t *v, const struct corelink_mf_object *o, const char *kid,
		      struct corelink_mf_entry *e, struct btfdb_err *err)
{
	const json_t *s, *a, *er, *pz;
	char ctx[1200];
	size_t i;
	int ret;

	snprintf(ctx, sizeof(ctx), "kernel %s, object %s", kid, o->name);
	if (!json_is_object(v)) {
		btfdb_err_set(err, "%s: entry is not an object", ctx);
		return -EINVAL;
	}
	s = json_object_get(v, "object");
	a = json_object_get(v, "arch");
	if (!json_is_string(s) || strcmp(json_string_value(s), o->name) ||
	    (a && (!json_is_string(a) || !json_string_value(a)[0])) ||
	    strcmp(a ? json_string_value(a) : "", cl_s0(o->arch))) {
		btfdb_err_set(err, "%s: entries must follow the \"objects\" list in order (those of the kernel's arch)",
			      ctx);
		return -EINVAL;
	}
	s = json_object_get(v, "status");
	if (!json_is_string(s)) {
		btfdb_err_set(err, "%s: \"status\" missing", ctx);
		return -EINVAL;
	}
	if (!strcmp(json_string_value(s), "ok")) {
		e->status = CORELINK_ENTRY_OK;
	} else if (!strcmp(json_string_value(s), "poisoned")) {
		e->status = CORELINK_ENTRY_POISONED;
	} else if (!strcmp(json_string_value(s), "error")) {
		e->status = CORELINK_ENTRY_ERROR;
	} else {
		btfdb_err_set(err, "%s: unknown status \"%s\"", ctx, json_string_value(s));
		return -EINVAL;
	}
	a = json_object_get(v, "artifact");
	er = json_object_get(v, "error");
	pz = json_object_get(v, "poisoned");
	/* the status decides which members are present */
	if ((e->status == CORELINK_ENTRY_ERROR) != (a == NULL) ||
	    (e->status == CORELINK_ENTRY_ERROR) != (er != NULL) ||
	    (e->status == CORELINK_ENTRY_POISONED) != (pz != NULL)) {
		btfdb_err_set(err, "%s: members do not match status \"%s\"", ctx, json_string_value(s));
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
		if (!json_array_size(pz)) {
			btfdb_err_set(err, "%s: \"poisoned\" must be a non-empty array", ctx);
			return -EINVAL;
		}
		e->poison = calloc(json_array_size(pz), sizeof(*e->poison));
		if (!e->poison) {
			btfdb_err_set(err, "out of memory");
			return -ENOMEM;
		}
		e->nr_poison = json_array_size(pz);
		for (i = 0; i < e->nr_poison; i++)
			if ((ret = read_poison(json_array_get(pz, i), ctx, &e->poison[i], err)))
				return ret;
	}
	return 0;
}

/* The version 2 members of an object: arch, arch_from, hash. */
static int read_object_v2(const json_t *v, struct corelink_mf_object *o, struct btfdb_err *err)
{
	const char *canon;
	int ret;

	if ((ret = get_str(v, "arch", o->name, &o->arch, err)) ||
	    (ret = get_str(v, "arch_from", o->name, &o->arch_from, err)) ||
	    (ret = get_str(v, "hash", o->name, &o->hash, err)))
		return ret;
	canon = corelink_arch_canon(o->arch);
	if (!canon || strcmp(canon, o->arch)) {
		btfdb_err_set(err, "%s: \"arch\" \"%s\" is not a canonical architecture name", o->name,
			      o->arch);
		return -EINVAL;
	}
	if (o->hash[0] && (strlen(o->hash) != 32 || strspn(o->hash, "0123456789abcdef") != 32)) {
		btfdb_err_set(err, "%s: \"hash\" must be 32 lowercase hex digits or \"\"", o->name);
		return -EINVAL;
	}
	return 0;
}

static int read_object(const json_t *v, uint64_t ver, struct corelink_mf_object *o,
		       struct btfdb_err *err)
{
	const json_t *pa;
	size_t i;
	int ret;

	if (!json_is_object(v)) {
		btfdb_err_set(err, "objects: item is not an object");
		return -EINVAL;
	}
	if ((ret = get_str(v, "name", "objects", &o->name, err)))
		return ret;
	if (ver >= 2) {
		if ((ret = read_object_v2(v, o, err)))
			return ret;
	} else if (!(o->arch = strdup("")) || !(o->arch_from = strdup("")) ||
		   !(o->hash = strdup(""))) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (!(pa = get_arr(v, "programs", o->name, err)))
		return -EINVAL;
	o->programs = calloc(json_array_size(pa) ? json_array_size(pa) : 1, sizeof(*o->programs));
	if (!o->programs) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	o->nr_programs = json_array_size(pa);
	for (i = 0; i < json_array_size(pa); i++) {
		if ((ret = get_str(json_array_get(pa, i), "name", o->name, &o->programs[i].name, err)) ||
		    (ret = get_str(json_array_get(pa, i), "section", o->name, &o->programs[i].section, err)))
			return ret;
	}
	return 0;
}

/* A 16-hex-digit hash member into *out. */
static int get_hash64(const json_t *o, const char *key, const char *kid, uint64_t *out,
		      struct btfdb_err *err)
{
	const json_t *h = json_object_get(o, key);

	if (!json_is_string(h) || strlen(json_string_value(h)) != 16 ||
	    strspn(json_string_value(h), "0123456789abcdef") != 16) {
		btfdb_err_set(err, "kernel %s: \"%s\" must be 16 lowercase hex digits", kid, key);
		return -EINVAL;
	}
	*out = strtoull(json_string_value(h), NULL, 16);
	return 0;
}

static int read_kernel(const json_t *v, uint64_t ver, struct corelink_manifest *m,
		       struct corelink_mf_kernel *k, struct btfdb_err *err)
{
	const json_t *ents;
	char kid[1024];
	size_t i, at = 0;
	int ret;

	if (!json_is_object(v)) {
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
	if ((ret = get_hash64(v, "btf_hash", kid, &k->btf_hash, err)) ||
	    (ver >= 2 && (ret = get_hash64(v, "source_hash", kid, &k->source_hash, err))))
		return ret;
	if (!(ents = get_arr(v, "objects", kid, err)))
		return -EINVAL;
	k->entries = calloc(m->nr_objects ? m->nr_objects : 1, sizeof(*k->entries));
	if (!k->entries) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	/* one entry per object of the kernel's arch, in the order of "objects" */
	for (i = 0; i < m->nr_objects; i++) {
		if (!corelink_mf_applies(&m->objects[i], k)) {
			k->entries[i].status = CORELINK_ENTRY_SKIPPED;
			continue;
		}
		if (at == json_array_size(ents))
			break;
		if ((ret = read_entry(json_array_get(ents, at++), &m->objects[i], kid, &k->entries[i],
				      err)))
			return ret;
	}
	if (i < m->nr_objects || at != json_array_size(ents)) {
		btfdb_err_set(err, "kernel %s: %zu object entries, expected one for each of the kernel's arch",
			      kid, json_array_size(ents));
		return -EINVAL;
	}
	return 0;
}

static int read_manifest(const json_t *root, struct corelink_manifest *m,
			 struct btfdb_err *err)
{
	const json_t *s, *objs, *kers, *sh;
	uint64_t ver, u;
	size_t i, j;
	int ret;

	if (!json_is_object(root)) {
		btfdb_err_set(err, "not a JSON object");
		return -EINVAL;
	}
	s = json_object_get(root, "schema");
	if (!json_is_string(s) || strcmp(json_string_value(s), CORELINK_MANIFEST_SCHEMA)) {
		btfdb_err_set(err, "not a corelink manifest (\"schema\" is not \"%s\")",
			      CORELINK_MANIFEST_SCHEMA);
		return -EINVAL;
	}
	if ((ret = get_uint(root, "schema_version", "manifest", UINT32_MAX, &ver, err)))
		return ret;
	if (ver < 1 || ver > CORELINK_MANIFEST_VERSION) {
		btfdb_err_set(err, "manifest schema version %" PRIu64 " is not supported (this reads 1 to %d)",
			      ver, CORELINK_MANIFEST_VERSION);
		return -ENOTSUP;
	}
	s = json_object_get(root, "libbpf");
	m->libbpf = CORELINK_LIBBPF_1_1; /* manifests before the field followed 1.1 */
	if (s && !json_is_string(s)) {
		btfdb_err_set(err, "manifest \"libbpf\" is not a string");
		return -EINVAL;
	}
	if (s && corelink_libbpf_parse(json_string_value(s), &m->libbpf, err)) {
		btfdb_err_prefix(err, "manifest \"libbpf\": ");
		return -EINVAL;
	}
	s = json_object_get(root, "generator");
	if (json_is_string(s) && !(m->generator = strdup(json_string_value(s)))) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	s = json_object_get(root, "strip_debug");
	if (s && !json_is_boolean(s)) {
		btfdb_err_set(err, "\"strip_debug\" is not a boolean");
		return -EINVAL;
	}
	m->strip_debug = s && json_is_true(s);
	sh = json_object_get(root, "shard");
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
	m->objects = calloc(json_array_size(objs) ? json_array_size(objs) : 1, sizeof(*m->objects));
	m->kernels = calloc(json_array_size(kers) ? json_array_size(kers) : 1, sizeof(*m->kernels));
	if (!m->objects || !m->kernels) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < json_array_size(objs); i++) {
		m->nr_objects = i + 1;
		if ((ret = read_object(json_array_get(objs, i), ver, &m->objects[i], err)))
			return ret;
		for (j = 0; j < i; j++) {
			if (!strcmp(m->objects[j].name, m->objects[i].name) &&
			    (!m->objects[j].arch[0] || !m->objects[i].arch[0] ||
			     !strcmp(m->objects[j].arch, m->objects[i].arch))) {
				btfdb_err_set(err, "object %s listed twice for one arch", m->objects[i].name);
				return -EINVAL;
			}
		}
	}
	for (i = 0; i < json_array_size(kers); i++) {
		m->nr_kernels = i + 1;
		if ((ret = read_kernel(json_array_get(kers, i), ver, m, &m->kernels[i], err)))
			return ret;
	}
	return corelink_manifest_sort(m, err);
}

int corelink_manifest_parse(const char *text, size_t len, const char *name,
			    struct corelink_manifest **out, struct btfdb_err *err)
{
	struct corelink_manifest *m;
	json_t *root = NULL;
	int ret;

	*out = NULL;
	ret = cl_json_parse(text, len, &root, err);
	if (ret) {
		btfdb_err_prefix(err, "%s: ", name);
		return ret;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		json_decref(root);
		btfdb_err_set(err, "%s: out of memory", name);
		return -ENOMEM;
	}
	ret = read_manifest(root, m, err);
	json_decref(root);
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

bool cl_poison_in_prog(const struct corelink_mf_poison *p, const struct corelink_mf_program *pr)
{
	return !strcmp(p->program, pr->name) && !strcmp(p->section, pr->section);
}

int cl_prog_status(const struct corelink_mf_entry *e, const struct corelink_mf_program *pr)
{
	int s = CL_PSTAT_OK;
	size_t i;

	if (e->status == CORELINK_ENTRY_SKIPPED)
		return CL_PSTAT_NA;
	if (e->status == CORELINK_ENTRY_ERROR)
		return CL_PSTAT_ERROR;
	for (i = 0; i < e->nr_poison; i++) {
		if (!cl_poison_in_prog(&e->poison[i], pr))
			continue;
		if (!e->poison[i].guarded)
			return CL_PSTAT_POISONED;
		s = CL_PSTAT_GUARDED;
	}
	return s;
}
