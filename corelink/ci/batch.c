/* SPDX-License-Identifier: MIT */
/*
 * Batch mode: the worker pool, the content-hashed artifact store, reuse of
 * a previous run's entries, and setting up the manifest (archs of objects,
 * kernels of those archs).  Kernel lists are in kernels.c.  See batch.h for
 * the flow.
 *
 * Threads: the objects are opened once and only read (corelink_relocate()
 * is documented safe for that).  Each worker owns the kernel it is working
 * on (BTF, index, runs) and its own database handle (a btfdb_db may be used
 * by one thread at a time); what is shared - the next-kernel counter, the
 * set of artifact names already stored, the progress counter - sits behind
 * one mutex.  Each kernel's result goes to its own slot of the manifest, so
 * the manifest needs no lock; the slots are read after the join.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "batch_internal.h"
#include "btfdb_db.h"
#include "btfdb_fileio.h"
#include "corelink_internal.h"

/* ------------------------------------------------------------------ */
/* The worker pool                                                     */
/* ------------------------------------------------------------------ */

struct batch {
	/* read-only while the workers run */
	struct corelink_obj **objs;
	size_t nr_objs;
	const struct corelink_kernel_list *l;
	size_t *kidx;                 /* manifest kernel slot -> index in l (kernels of the objects' archs) */
	struct corelink_manifest *prev_m;     /* opts->previous, loaded */
	char *prev_dir;               /* the directory its artifact paths are relative to */
	const struct corelink_manifest *prev; /* prev_m when it may be reused, else NULL */
	int *prev_obj;                /* per object: the same object (name, arch, hash) in prev, or -1 */
	const char *outdir;
	const struct corelink_batch_opts *opts;
	struct corelink_manifest *m;  /* kernel slot i is written by the worker of kernel i */
	const char **cand_names;      /* what the objects' candidate searches look up */
	size_t *cand_lens;            /* (corelink_obj_cand_names(), all objects) */
	size_t nr_cand_names;

	pthread_mutex_t lock;  /* protects everything below */
	size_t next;           /* next kernel to take */
	size_t done;
	char (*names)[33];     /* artifact names stored (this run or found on disk) */
	size_t nr_names, cap_names;
	size_t written;
	size_t reused, kernels_relocated, kernels_reused;
	int fatal;             /* first unrecoverable error (output not writable) */
	struct btfdb_err fatal_err;
};

/* Per worker: a database handle kept open across kernels of the same file. */
struct worker {
	struct batch *b;
	struct btfdb_db *db;
	const char *db_path;
	bool *pending;  /* per object: still to relocate on the current kernel */
};

/*
 * Add hex to the names stored (*had: it was there already).  Claimed before
 * writing: a second worker with the same bytes skips.
 */
static int claim_name(struct batch *b, const char hex[33], bool *had, struct btfdb_err *err)
{
	size_t i;

	*had = false;
	pthread_mutex_lock(&b->lock);
	for (i = 0; i < b->nr_names && !*had; i++)
		*had = !memcmp(b->names[i], hex, 33);
	if (!*had) {
		if (b->nr_names == b->cap_names) {
			size_t nc = b->cap_names ? b->cap_names * 2 : 64;
			char (*nn)[33] = realloc(b->names, nc * sizeof(*nn));

			if (!nn) {
				pthread_mutex_unlock(&b->lock);
				btfdb_err_set(err, "out of memory");
				return -ENOMEM;
			}
			b->names = nn;
			b->cap_names = nc;
		}
		memcpy(b->names[b->nr_names++], hex, 33);
	}
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* path holds exactly these bytes (an earlier run's file, not damaged). */
static bool same_file(const char *path, const void *data, size_t size)
{
	char *old = NULL;
	size_t n = 0;
	bool same;

	if (access(path, F_OK) != 0 || cl_read_file(path, size + 1, &old, &n, NULL))
		return false;
	same = n == size && !memcmp(old, data, size);
	free(old);
	return same;
}

/* Store the bytes under their content name unless stored already. */
static int store(struct batch *b, const void *data, size_t size, char rel[48],
		 struct btfdb_err *err)
{
	char hex[33], *path;
	bool have = false;
	int ret = 0;

	cl_hash128_hex(data, size, hex);
	snprintf(rel, 48, "objects/%s.o", hex);
	if ((ret = claim_name(b, hex, &have, err)) || have)
		return ret;
	path = cl_path_join(b->outdir, rel);
	if (!path) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (!same_file(path, data, size)) {
		ret = corelink_write_file_atomic(path, data, size, err);
		if (!ret) {
			pthread_mutex_lock(&b->lock);
			b->written++;
			pthread_mutex_unlock(&b->lock);
		}
	}
	free(path);
	return ret;
}

static int set_error(struct corelink_mf_entry *e, const char *msg)
{
	e->status = CORELINK_ENTRY_ERROR;
	free(e->artifact);
	e->artifact = NULL;
	e->error = strdup(msg && msg[0] ? msg : "failed");
	return e->error ? 0 : -ENOMEM;
}

/* The poisoned relocations of run, with the guard heuristic. */
static int fill_poison(const struct corelink_obj *obj, const struct corelink_run *run,
		       struct corelink_mf_entry *e)
{
	size_t i, n = corelink_run_relo_cnt(run), np = corelink_run_poisoned(run);

	if (!np)
		return 0;
	e->poison = calloc(np, sizeof(*e->poison));
	if (!e->poison)
		return -ENOMEM;
	for (i = 0; i < n && e->nr_poison < np; i++) {
		const struct corelink_relo_info *ri = corelink_run_relo(run, i);
		struct corelink_mf_poison *p;

		if (!ri || ri->status != CORELINK_RELO_POISONED)
			continue;
		p = &e->poison[e->nr_poison++];
		p->insn = ri->insn_idx;
		p->guarded = corelink_poison_guarded(obj, run, ri);
		if (!(p->program = cl_strdup0(ri->prog)) || !(p->section = cl_strdup0(ri->section)) ||
		    !(p->kind = cl_strdup0(corelink_relo_kind_str(ri->kind))) ||
		    !(p->spec = cl_strdup0(ri->spec)) ||
		    !(p->reason = cl_strdup0(ri->reason ? ri->reason : "no matching target")))
			return -ENOMEM;
	}
	return 0;
}

/* One object on one kernel. */
static int do_object(struct batch *b, size_t o, const struct btfdb_btf *btf,
		     const struct btfdb_index *idx, struct corelink_mf_entry *e)
{
	struct corelink_opts ropts = { .libbpf = b->opts->libbpf };
	struct corelink_run *run = NULL;
	struct btfdb_err err = { 0 };
	void *buf = NULL;
	size_t size = 0;
	char rel[48];
	int ret;

	ret = corelink_relocate(b->objs[o], btf, idx, &ropts, &run, &err);
	if (ret) {
		ret = set_error(e, err.msg);
		goto out;
	}
	ret = corelink_emit(b->objs[o], run, NULL, &buf, &size, &err);
	if (!ret && b->opts->strip_debug) {
		void *stripped = NULL;

		ret = corelink_strip_debug(buf, size, &stripped, &size, &err);
		free(buf);
		buf = stripped;
	}
	if (ret) {
		ret = set_error(e, err.msg);
		goto out;
	}
	ret = store(b, buf, size, rel, &err);
	if (ret) {
		/* the output directory is not writable: stop the whole batch */
		pthread_mutex_lock(&b->lock);
		if (!b->fatal) {
			b->fatal = ret;
			b->fatal_err = err;
		}
		pthread_mutex_unlock(&b->lock);
		goto out;
	}
	e->status = corelink_run_poisoned(run) ? CORELINK_ENTRY_POISONED : CORELINK_ENTRY_OK;
	e->artifact = strdup(rel);
	if (!e->artifact)
		ret = -ENOMEM;
	else
		ret = fill_poison(b->objs[o], run, e);
out:
	free(buf);
	corelink_run_free(run);
	return ret;
}

/* The names all objects' candidate searches look up, for each kernel's index. */
static int collect_cand_names(struct batch *b, struct btfdb_err *err)
{
	size_t i;

	for (i = 0; i < b->nr_objs; i++) {
		const char **nm, **nn;
		size_t *ln, *nl, total;
		ssize_t c = corelink_obj_cand_names(b->objs[i], &nm, &ln);

		if (c < 0)
			goto nomem;
		total = b->nr_cand_names + (size_t)c + 1;
		nn = realloc(b->cand_names, total * sizeof(*nn));
		if (nn)
			b->cand_names = nn;
		nl = nn ? realloc(b->cand_lens, total * sizeof(*nl)) : NULL;
		if (nl)
			b->cand_lens = nl;
		if (nl) {
			memcpy(b->cand_names + b->nr_cand_names, nm, (size_t)c * sizeof(*nm));
			memcpy(b->cand_lens + b->nr_cand_names, ln, (size_t)c * sizeof(*ln));
			b->nr_cand_names += (size_t)c;
		}
		free(nm);
		free(ln);
		if (!nl)
			goto nomem;
	}
	return 0;
nomem:
	btfdb_err_set(err, "out of memory");
	return -ENOMEM;
}

/* This worker's handle on database path (kept open across its kernels). */
static int worker_db(struct worker *w, const char *path, struct btfdb_err *err)
{
	int ret;

	if (w->db && strcmp(w->db_path, path)) {
		btfdb_db_close(w->db);
		w->db = NULL;
	}
	if (!w->db) {
		if ((ret = btfdb_db_open(path, &w->db, err)))
			return ret;
		w->db_path = path;
	}
	return 0;
}

/*
 * What can be known of a kernel's BTF without parsing it: for a file, the
 * XXH3-64 of its bytes (*source_hash); for a database kernel, the hash of
 * its original BTF blob (*btf_hash, *known set).
 */
static void peek_kernel(struct worker *w, const struct corelink_kernel_src *src,
			uint64_t *source_hash, uint64_t *btf_hash, bool *known)
{
	struct btfdb_err err = { 0 };
	struct btfdb_db_kernel_info info;
	char *data = NULL;
	size_t size = 0;
	int k;

	*known = false;
	if (!src->db_name) {
		if (!cl_read_file(src->path, (size_t)1 << 31, &data, &size, &err))
			*source_hash = XXH3_64bits(data, size);
		free(data);
		return;
	}
	if (worker_db(w, src->path, &err))
		return;
	k = btfdb_db_find_kernel(w->db, src->db_name, &err);
	if (k >= 0 && btfdb_db_kernel_info(w->db, (uint32_t)k, &info, NULL) == 0) {
		*btf_hash = info.blob_hash;
		*known = true;
	}
}

/* Load kernel k's BTF and index (file, or this worker's database handle). */
static int load_kernel(const struct batch *b, struct worker *w,
		       const struct corelink_kernel_src *src, struct btfdb_btf **btf,
		       struct btfdb_index **idx, uint64_t *hash, struct btfdb_err *err)
{
	int ret, k;

	if (!src->db_name) {
		ret = btfdb_btf_load_flags(src->path, BTFDB_LOAD_LAZY | BTFDB_LOAD_KERNEL_RULES, btf,
					   err);
		if (!ret) /* CO-RE kinds, the names the objects look up */
			ret = btfdb_index_build_core_for(*btf, b->cand_names, b->cand_lens,
							 b->nr_cand_names, idx, err);
		if (!ret)
			*hash = btfdb_btf_hash(*btf);
		return ret;
	}
	if ((ret = worker_db(w, src->path, err)))
		return ret;
	/* the previous kernel's handles are freed: keep the memory of one kernel */
	btfdb_db_evict(w->db);
	k = btfdb_db_find_kernel(w->db, src->db_name, err);
	if (k < 0)
		return k;
	{
		struct btfdb_db_kernel_info info;

		if (btfdb_db_kernel_info(w->db, (uint32_t)k, &info, NULL) == 0)
			*hash = info.blob_hash;
	}
	return btfdb_db_kernel_btf(w->db, (uint32_t)k, btf, idx, err);
}

/* ------------------------------------------------------------------ */
/* Reusing a previous run's entries (opts->previous)                   */
/* ------------------------------------------------------------------ */

/* The previous run's kernel with k's identity (its kernels are sorted), or NULL. */
static const struct corelink_mf_kernel *prev_kernel(const struct batch *b,
						    const struct corelink_mf_kernel *k)
{
	if (!b->prev || !b->prev->nr_kernels)
		return NULL;
	return bsearch(k, b->prev->kernels, b->prev->nr_kernels, sizeof(*k), cl_mf_kernel_cmp);
}

/*
 * Take object o's entry on a kernel whose BTF hash is hash from the previous
 * kernel pk: 1 when taken, 0 when it cannot be (no such entry, another BTF,
 * its artifact missing or damaged), -ENOMEM.
 */
static int reuse_entry(struct batch *b, size_t o, const struct corelink_mf_kernel *pk,
		       uint64_t hash, struct corelink_mf_entry *e)
{
	const struct corelink_mf_entry *pe;
	struct btfdb_err err = { 0 };
	char hex[33];
	bool had;

	if (!pk || b->prev_obj[o] < 0 || !pk->btf_hash || pk->btf_hash != hash)
		return 0;
	pe = &pk->entries[b->prev_obj[o]];
	if (pe->status == CORELINK_ENTRY_SKIPPED)
		return 0;
	if (pe->artifact) {
		/* copied next to the new manifest (or found there), its bytes checked */
		if (cl_copy_artifact(b->prev_dir, b->outdir, pe->artifact, &err))
			return 0;
		memcpy(hex, pe->artifact + 8, 32);
		hex[32] = 0;
		if (claim_name(b, hex, &had, &err))
			return -ENOMEM;
	}
	if (cl_mf_entry_copy(e, pe))
		return -ENOMEM;
	return 1;
}

/* ------------------------------------------------------------------ */
/* The workers                                                         */
/* ------------------------------------------------------------------ */

/*
 * One kernel: entries reused from the previous run where its BTF is known
 * to be unchanged without reading it (same source bytes, or a database's
 * recorded hash); the BTF is loaded only when something is left, and then
 * entries whose kernel hash turns out unchanged are reused too.
 */
static int do_kernel(struct worker *w, const struct corelink_kernel_src *src,
		     struct corelink_mf_kernel *mk, bool *relocated)
{
	struct batch *b = w->b;
	const struct corelink_mf_kernel *pk = prev_kernel(b, mk);
	struct btfdb_btf *btf = NULL;
	struct btfdb_index *idx = NULL;
	struct btfdb_err err = { 0 };
	uint64_t hash = 0;
	size_t o, reused = 0;
	bool known = false, left = false;
	int ret = 0;

	peek_kernel(w, src, &mk->source_hash, &hash, &known);
	if (pk && !known && mk->source_hash && pk->source_hash == mk->source_hash) {
		hash = pk->btf_hash; /* the same file bytes: the same BTF */
		known = true;
	}
	for (o = 0; o < b->nr_objs && ret >= 0; o++) {
		w->pending[o] = false;
		if (mk->entries[o].status == CORELINK_ENTRY_SKIPPED)
			continue;
		ret = known ? reuse_entry(b, o, pk, hash, &mk->entries[o]) : 0;
		reused += ret > 0;
		w->pending[o] = ret == 0;
		left |= ret == 0;
	}
	if (ret < 0)
		return ret;
	ret = 0;
	*relocated = left;
	if (!left) {
		mk->btf_hash = hash;
	} else if (load_kernel(b, w, src, &btf, &idx, &mk->btf_hash, &err)) {
		char msg[sizeof(err.msg) + 32];

		snprintf(msg, sizeof(msg), "kernel BTF: %s", err.msg);
		for (o = 0; o < b->nr_objs && !ret; o++)
			if (w->pending[o])
				ret = set_error(&mk->entries[o], msg);
	} else {
		for (o = 0; o < b->nr_objs && ret >= 0; o++) {
			if (!w->pending[o])
				continue;
			ret = reuse_entry(b, o, pk, mk->btf_hash, &mk->entries[o]);
			reused += ret > 0;
			if (ret == 0)
				ret = do_object(b, o, btf, idx, &mk->entries[o]);
			else if (ret > 0)
				ret = 0;
		}
	}
	btfdb_index_free(idx);
	btfdb_btf_free(btf);
	pthread_mutex_lock(&b->lock);
	b->reused += reused;
	pthread_mutex_unlock(&b->lock);
	return ret;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct batch *b = w->b;
	size_t nk = b->m->nr_kernels;

	for (;;) {
		struct corelink_batch_progress pr;
		struct corelink_mf_kernel *mk;
		bool relocated = false;
		size_t i;
		int ret;

		pthread_mutex_lock(&b->lock);
		i = b->fatal ? nk : b->next++;
		pthread_mutex_unlock(&b->lock);
		if (i >= nk)
			break;
		mk = &b->m->kernels[i];
		ret = do_kernel(w, &b->l->k[b->kidx[i]], mk, &relocated);

		pthread_mutex_lock(&b->lock);
		if (ret && !b->fatal) {
			b->fatal = ret;
			btfdb_err_set(&b->fatal_err, "out of memory");
		}
		b->done++;
		b->kernels_relocated += relocated;
		b->kernels_reused += !relocated;
		pr.done = b->done;
		pr.total = nk;
		pr.k = mk;
		if (b->opts->progress && !b->fatal)
			b->opts->progress(b->opts->progress_ctx, &pr);
		pthread_mutex_unlock(&b->lock);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Setup, the link tree, the run                                       */
/* ------------------------------------------------------------------ */

/* Object i's arch: given ("all" = every kernel) or read from the object. */
static int object_arch(const struct batch *b, size_t i, const char *path,
		       struct corelink_mf_object *mo, struct btfdb_err *err)
{
	const char *given = b->opts->obj_arch ? b->opts->obj_arch[i] : NULL;
	const char *arch;
	char why[256];

	if (!given || !strcmp(given, "auto")) {
		arch = corelink_obj_detect_arch(b->objs[i], why, sizeof(why));
	} else if (!strcmp(given, "all")) {
		arch = "";
		snprintf(why, sizeof(why), "given: all architectures");
	} else {
		arch = corelink_arch_canon(given);
		if (!arch || !arch[0]) {
			btfdb_err_set(err, "%s: unknown architecture '%s'", path, given);
			return -EINVAL;
		}
		snprintf(why, sizeof(why), "given");
	}
	if (!(mo->arch = strdup(arch)) || !(mo->arch_from = strdup(why))) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int init_objects(struct batch *b, const char *const *paths, struct btfdb_err *err)
{
	struct corelink_manifest *m = b->m;
	size_t i, j;
	int ret;

	for (i = 0; i < b->nr_objs; i++) {
		const struct corelink_obj *obj = b->objs[i];
		struct corelink_mf_object *mo = &m->objects[i];
		const char *base = strrchr(paths[i], '/');
		char hex[33];

		m->nr_objects = i + 1;
		cl_hash128_hex(obj->file, obj->file_size, hex);
		if (!(mo->name = strdup(base ? base + 1 : paths[i])) || !(mo->hash = strdup(hex)))
			goto nomem;
		if ((ret = object_arch(b, i, paths[i], mo, err)))
			return ret;
		for (j = 0; j < i; j++) {
			const struct corelink_mf_object *x = &m->objects[j];

			if (!strcmp(x->name, mo->name) &&
			    (!x->arch[0] || !mo->arch[0] || !strcmp(x->arch, mo->arch))) {
				btfdb_err_set(err, "two input objects are named %s for one arch (%s [%s] and %s [%s]): names must be unique per arch",
					      mo->name, paths[j], x->arch[0] ? x->arch : "all",
					      paths[i], mo->arch[0] ? mo->arch : "all");
				return -EINVAL;
			}
		}
		mo->programs = calloc(obj->nr_progs ? obj->nr_progs : 1, sizeof(*mo->programs));
		if (!mo->programs)
			goto nomem;
		mo->nr_programs = obj->nr_progs;
		for (j = 0; j < obj->nr_progs; j++)
			if (!(mo->programs[j].name = strdup(obj->progs[j].name)) ||
			    !(mo->programs[j].section = strdup(obj->secs[obj->progs[j].sec].name)))
				goto nomem;
	}
	return 0;
nomem:
	btfdb_err_set(err, "out of memory");
	return -ENOMEM;
}

/* Which objects of the previous run may be reused (b->prev, b->prev_obj). */
static int init_previous(struct batch *b, struct btfdb_err *err)
{
	const struct corelink_manifest *p;
	size_t i, j;
	int ret;

	b->prev_obj = calloc(b->nr_objs, sizeof(*b->prev_obj));
	if (!b->prev_obj) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (b->opts->previous) {
		if ((ret = corelink_manifest_load(b->opts->previous, &b->prev_m, err))) {
			btfdb_err_prefix(err, "previous manifest: ");
			return ret;
		}
		if (!(b->prev_dir = btfdb_fileio_dirname(b->opts->previous))) {
			btfdb_err_set(err, "out of memory");
			return -ENOMEM;
		}
	}
	p = b->prev_m;
	for (i = 0; i < b->nr_objs; i++)
		b->prev_obj[i] = -1;
	/* another corelink version, other rules or output options: nothing is reused */
	if (!p || !p->generator || strcmp(p->generator, "corelink " CORELINK_VERSION_STRING) ||
	    p->libbpf != (b->opts->libbpf == CORELINK_LIBBPF_1_1 ? CORELINK_LIBBPF_1_1
								  : CORELINK_LIBBPF_1_7) ||
	    p->strip_debug != b->opts->strip_debug)
		return 0;
	b->prev = p;
	for (i = 0; i < b->nr_objs; i++) {
		const struct corelink_mf_object *o = &b->m->objects[i];

		for (j = 0; j < p->nr_objects; j++) {
			const struct corelink_mf_object *q = &p->objects[j];

			if (!strcmp(q->name, o->name) && !strcmp(q->arch, o->arch) &&
			    cl_s0(q->hash)[0] && !strcmp(q->hash, o->hash))
				b->prev_obj[i] = (int)j;
		}
	}
	return 0;
}

/* The kernels at least one object is relocated for, each with its entries. */
static int init_kernels(struct batch *b, struct btfdb_err *err)
{
	struct corelink_manifest *m = b->m;
	size_t i, o;

	b->kidx = calloc(b->l->n ? b->l->n : 1, sizeof(*b->kidx));
	m->kernels = calloc(b->l->n ? b->l->n : 1, sizeof(*m->kernels));
	if (!b->kidx || !m->kernels)
		goto nomem;
	for (i = 0; i < b->l->n; i++) {
		const struct corelink_kernel_src *s = &b->l->k[i];
		struct corelink_mf_kernel *k = &m->kernels[m->nr_kernels];
		size_t applies = 0;

		for (o = 0; o < m->nr_objects; o++)
			applies += corelink_arch_match(m->objects[o].arch, s->arch);
		if (!applies)
			continue; /* no object built for its arch */
		b->kidx[m->nr_kernels++] = i;
		if (!(k->distro = strdup(s->distro)) || !(k->version = strdup(s->version)) ||
		    !(k->arch = strdup(s->arch)) || !(k->release = strdup(s->release)))
			goto nomem;
		if (s->db_name ? asprintf(&k->source, "%s#%s", s->path, s->db_name) < 0
			       : !(k->source = strdup(s->path))) {
			k->source = NULL;
			goto nomem;
		}
		k->entries = calloc(b->nr_objs ? b->nr_objs : 1, sizeof(*k->entries));
		if (!k->entries)
			goto nomem;
		for (o = 0; o < m->nr_objects; o++)
			if (!corelink_mf_applies(&m->objects[o], k))
				k->entries[o].status = CORELINK_ENTRY_SKIPPED;
	}
	return 0;
nomem:
	btfdb_err_set(err, "out of memory");
	return -ENOMEM;
}

static int init_manifest(struct batch *b, const char *const *paths, struct btfdb_err *err)
{
	int ret;

	b->m = calloc(1, sizeof(*b->m));
	if (!b->m || !(b->m->objects = calloc(b->nr_objs ? b->nr_objs : 1, sizeof(*b->m->objects)))) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	b->m->strip_debug = b->opts->strip_debug;
	if ((ret = init_objects(b, paths, err)) || (ret = init_previous(b, err)))
		return ret;
	return init_kernels(b, err);
}

/* A path component safe as a directory name. */
static const char *safe_comp(const char *s)
{
	return (!s[0] || !strcmp(s, ".") || !strcmp(s, "..")) ? "_" : s;
}

/* OUTDIR/tree/<distro>/<version>/<arch>/<release>/<object> -> ../../.../objects/<hash>.o */
static int make_tree(const struct batch *b, struct btfdb_err *err)
{
	const struct corelink_manifest *m = b->m;
	size_t i, o;
	int ret = 0;

	for (i = 0; i < m->nr_kernels && !ret; i++) {
		const struct corelink_mf_kernel *k = &m->kernels[i];
		char *dir = NULL, *up = NULL;
		size_t depth = 1, j;

		if (asprintf(&dir, "%s/tree/%s/%s/%s/%s", b->outdir, safe_comp(k->distro),
			     safe_comp(k->version), safe_comp(k->arch), safe_comp(k->release)) < 0) {
			btfdb_err_set(err, "out of memory");
			return -ENOMEM;
		}
		/* tree/ plus one level per component (a distro may hold '/') */
		depth += 3 + 1;
		for (j = 0; k->distro[j]; j++)
			depth += k->distro[j] == '/';
		up = calloc(depth * 3 + 1, 1);
		if (!up) {
			free(dir);
			btfdb_err_set(err, "out of memory");
			return -ENOMEM;
		}
		for (j = 0; j < depth; j++)
			strcat(up, "../");
		ret = cl_mkdir_p(dir, err);
		for (o = 0; o < m->nr_objects && !ret; o++) {
			const struct corelink_mf_entry *e = &k->entries[o];
			char *link = NULL, *to = NULL;

			if (!e->artifact)
				continue;
			if (asprintf(&link, "%s/%s", dir, m->objects[o].name) < 0 ||
			    asprintf(&to, "%s%s", up, e->artifact) < 0) {
				btfdb_err_set(err, "out of memory");
				ret = -ENOMEM;
			} else {
				unlink(link);
				if (symlink(to, link) < 0) {
					ret = -errno;
					btfdb_err_set(err, "%s: cannot create link: %s", link,
						      strerror(errno));
				}
			}
			free(link);
			free(to);
		}
		free(dir);
		free(up);
	}
	return ret;
}

/*
 * OUTDIR for this run: created, locked against a second batch (flock on the
 * directory: nothing is left behind, released when the process ends), and
 * cleared of the temporaries of runs killed before they could remove them
 * (only those no live writer holds; see btfdb_fileio.h).
 */
static int open_outdir(const char *outdir, const char *objdir, int *lock,
		       struct btfdb_err *err)
{
	int ret;

	if ((ret = cl_mkdir_p(outdir, err)) || (ret = btfdb_fileio_lock_dir(outdir, lock, err)))
		return ret;
	if ((ret = cl_mkdir_p(objdir, err)))
		return ret;
	ret = btfdb_fileio_clean_stale(outdir, "manifest.json", NULL, err);
	if (ret >= 0)
		ret = btfdb_fileio_clean_stale(objdir, NULL, ".o", err);
	return ret < 0 ? ret : 0;
}

int corelink_batch_run(const char *const *objs, size_t nr_objs,
		       const struct corelink_kernel_list *l, const char *outdir,
		       const struct corelink_batch_opts *opts, struct corelink_manifest **out,
		       struct corelink_batch_stats *stats, struct btfdb_err *err)
{
	static const struct corelink_batch_opts no_opts;
	struct batch b = { .nr_objs = nr_objs, .l = l, .outdir = outdir };
	struct worker *ws = NULL;
	pthread_t *th = NULL;
	char *path = NULL;
	unsigned jobs, started = 0, t;
	size_t i, o;
	int ret, lock = -1;

	if (out)
		*out = NULL;
	b.opts = opts ? opts : &no_opts;
	pthread_mutex_init(&b.lock, NULL);
	if (!nr_objs) {
		btfdb_err_set(err, "no input objects");
		ret = -EINVAL;
		goto out;
	}
	b.objs = calloc(nr_objs, sizeof(*b.objs));
	if (!b.objs) {
		btfdb_err_set(err, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr_objs; i++)
		if ((ret = corelink_obj_open(objs[i], &b.objs[i], err)))
			goto out;
	if ((ret = collect_cand_names(&b, err)))
		goto out;
	if ((ret = init_manifest(&b, objs, err)))
		goto out;
	if (!b.m->nr_kernels) {
		btfdb_err_set(err, "none of the %zu kernel(s) has the architecture of an input object (%s%s)",
			      l->n, b.m->objects[0].arch, nr_objs > 1 ? ", ..." : "");
		ret = -ENOENT;
		goto out;
	}
	b.m->shard_index = b.opts->shard_index;
	b.m->shard_count = b.opts->shard_count;
	b.m->libbpf = b.opts->libbpf == CORELINK_LIBBPF_1_1 ? CORELINK_LIBBPF_1_1 : CORELINK_LIBBPF_1_7;
	path = cl_path_join(outdir, "objects");
	if (!path) {
		btfdb_err_set(err, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	if ((ret = open_outdir(outdir, path, &lock, err)))
		goto out;

	jobs = b.opts->jobs;
	if (!jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = n > 0 ? (unsigned)n : 1;
	}
	if (jobs > b.m->nr_kernels)
		jobs = (unsigned)b.m->nr_kernels;
	th = calloc(jobs, sizeof(*th));
	ws = calloc(jobs, sizeof(*ws));
	if (!th || !ws) {
		btfdb_err_set(err, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (t = 0; t < jobs; t++) {
		ws[t].b = &b;
		ws[t].pending = calloc(nr_objs, sizeof(*ws[t].pending));
		if (!ws[t].pending)
			break;
		if (pthread_create(&th[t], NULL, worker_main, &ws[t]))
			break;
		started++;
	}
	if (!started && ws[0].pending)
		worker_main(&ws[0]); /* no threads available: do it here */
	for (t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	for (t = 0; t < jobs; t++) {
		btfdb_db_close(ws[t].db);
		free(ws[t].pending);
	}
	if (!started && !ws[0].pending) {
		btfdb_err_set(err, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	if (b.fatal) {
		btfdb_err_set(err, "%s", b.fatal_err.msg);
		ret = b.fatal;
		goto out;
	}
	if ((ret = corelink_manifest_sort(b.m, err)))
		goto out;
	if (b.opts->tree && (ret = make_tree(&b, err)))
		goto out;
	free(path);
	path = cl_path_join(outdir, "manifest.json");
	if (!path) {
		btfdb_err_set(err, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	if ((ret = corelink_manifest_save(b.m, path, err)))
		goto out;
	if (stats) {
		memset(stats, 0, sizeof(*stats));
		for (i = 0; i < b.m->nr_kernels; i++) {
			for (o = 0; o < nr_objs; o++) {
				const struct corelink_mf_entry *e = &b.m->kernels[i].entries[o];

				if (e->status == CORELINK_ENTRY_SKIPPED)
					continue;
				stats->entries++;
				stats->ok += e->status == CORELINK_ENTRY_OK;
				stats->poisoned += e->status == CORELINK_ENTRY_POISONED;
				stats->errors += e->status == CORELINK_ENTRY_ERROR;
				stats->artifacts += e->artifact != NULL;
			}
		}
		stats->unique = b.nr_names;
		stats->written = b.written;
		stats->skipped = l->n * nr_objs - stats->entries;
		stats->reused = b.reused;
		stats->kernels_relocated = b.kernels_relocated;
		stats->kernels_reused = b.kernels_reused;
	}
	if (out) {
		*out = b.m;
		b.m = NULL;
	}
	ret = 0;
out:
	for (i = 0; b.objs && i < nr_objs; i++)
		corelink_obj_free(b.objs[i]);
	free(b.objs);
	free(b.cand_names);
	free(b.cand_lens);
	corelink_manifest_free(b.m);
	free(b.names);
	free(b.kidx);
	free(b.prev_obj);
	corelink_manifest_free(b.prev_m);
	free(b.prev_dir);
	free(th);
	free(ws);
	free(path);
	pthread_mutex_destroy(&b.lock);
	if (lock >= 0)
		close(lock);
	return ret;
}
