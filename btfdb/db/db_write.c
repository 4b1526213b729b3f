/* SPDX-License-Identifier: MIT */
/*
 * Writing a btfdb database (layout: db_format.h, FORMAT.md).
 *
 * The writer keeps the shared storage in memory in uncompressed form: the
 * global string table (each distinct string once) and the pool of distinct
 * encoded type records, each with a hash table for find-or-add.  Kernels
 * are added one at a time; a kernel's private data (seq and strseq, or its
 * raw blob) is compressed when it is added, so memory holds one parsed
 * kernel at a time plus the shared storage (which grows with the DISTINCT
 * content, not with the number of kernels).
 *
 * Adding a kernel (add_shared):
 *  1. Check the blob has the plain layout (LE, header <= 32 bytes, types
 *     then strings, nothing else); otherwise store it raw.
 *  2. Split the string section at NULs; intern each string (strseq).  A
 *     name offset is representable only when it is the FIRST start of its
 *     string in this section.
 *  3. Group the named types by name (ascending ids per name).
 *  4. Give every anonymous type a level: 0 when it references no anonymous
 *     type, else 1 + the highest level of the anonymous types it references
 *     (iterative DFS; an edge that closes a cycle instead marks its target
 *     "delta": references to it are stored as id deltas).  Records that are
 *     equal have equal levels, so when level h is encoded every record it
 *     references by pool id, and the list of ids sharing that record, is
 *     final.
 *  5. Pass A: encode the anonymous types level by level, then the named
 *     ones; a record already in the pool gets its pool id, a new one a
 *     provisional id.  Pass B: number the new records in order of their
 *     first type id (so a kernel's seq is mostly "previous + 1" and similar
 *     records sit together in the pool), re-encode them with the final ids
 *     and append them to the pool.
 *  6. Decode every record back through the reader's resolver and rebuild
 *     the string section from strseq; compare with the original bytes.  Any
 *     difference -> raw.
 * Writing builds the name map (sid -> pool ids) and the essential-name index
 * from the pool, compresses the string and pool blocks and writes the file
 * atomically.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btfdb_db.h"
#include "btfdb_fileio.h"
#include "btfdb_internal.h"
#include "db_format.h"
#include "db_read_internal.h"

#define NONE UINT32_MAX

/* A compressed block owned by the writer. */
struct wblk {
	uint8_t *data;
	uint32_t clen, ulen;
};

struct wkernel {
	char *name;
	struct btfdb_dbf_kernel e;   /* entry; offsets filled at write time */
	struct wblk *seq;            /* seq blocks */
	uint32_t nseq;
	struct wblk *inv;            /* inverse blocks (pool id -> type ids) */
	uint32_t ninv;
	struct wblk strseq, raw;
};

/* Open-addressing set of ids (slot = id + 1, 0 = empty) keyed by a hash. */
struct idset {
	uint32_t *slots;
	uint32_t cap;   /* power of two */
};

/* A set of distinct byte strings numbered 0.. in insertion order. */
struct recset {
	struct btfdb_dbuf buf; /* the items back to back */
	uint64_t *off;         /* off[i] start of item i, off[n] the end */
	uint64_t *hash;
	uint32_t n, cap, caphash; /* off[] and hash[] capacities */
	struct idset set;
};

struct btfdb_db_writer {
	/* global strings: sbuf holds them NUL-terminated, soff[sid] the start */
	struct btfdb_dbuf sbuf;
	uint64_t *soff;
	uint64_t *shash;
	uint32_t nstr, capstr, capshash; /* soff[] and shash[] capacities */
	struct idset sset;
	struct recset pool;   /* encoded type records */
	struct recset fresh;  /* per-kernel scratch: records new in this kernel */
	/* kernels */
	struct wkernel *k;
	uint32_t nk, capk;
	/* per-kernel scratch: kfirst[sid] = first offset of sid in the current kernel */
	uint32_t *kfirst;
	uint32_t capfirst;
	uint32_t *str_at;     /* offset -> sid + 1 of the string starting there */
};

static void wblk_free(struct wblk *b)
{
	free(b->data);
	b->data = NULL;
}

static void wkernel_free(struct wkernel *k)
{
	uint32_t i;

	free(k->name);
	for (i = 0; i < k->nseq; i++)
		wblk_free(&k->seq[i]);
	free(k->seq);
	for (i = 0; i < k->ninv; i++)
		wblk_free(&k->inv[i]);
	free(k->inv);
	wblk_free(&k->strseq);
	wblk_free(&k->raw);
}

static void recset_free(struct recset *r)
{
	btfdb_dbuf_free(&r->buf);
	free(r->off);
	free(r->hash);
	free(r->set.slots);
	memset(r, 0, sizeof(*r));
}

void btfdb_db_writer_free(struct btfdb_db_writer *w)
{
	uint32_t i;

	if (!w)
		return;
	btfdb_dbuf_free(&w->sbuf);
	free(w->soff);
	free(w->shash);
	free(w->sset.slots);
	recset_free(&w->pool);
	recset_free(&w->fresh);
	for (i = 0; i < w->nk; i++)
		wkernel_free(&w->k[i]);
	free(w->k);
	free(w->kfirst);
	free(w->str_at);
	free(w);
}

static int grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t c = *cap ? *cap : 1024;
	void *n;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	n = realloc(*p, (size_t)c * elem);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = c;
	return 0;
}

/* ---- hash sets ---- */

/* Rehash into 2x capacity using the stored hashes. */
static int idset_grow(struct idset *s, const uint64_t *hashes, uint32_t n)
{
	uint32_t cap = s->cap ? s->cap * 2 : 4096, i;
	uint32_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uint32_t j = (uint32_t)hashes[i] & (cap - 1);

		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = i + 1;
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

/* Intern string s (len bytes, no NUL inside); returns sid or -ENOMEM. */
static int64_t str_intern(struct btfdb_db_writer *w, const char *s, size_t len)
{
	uint64_t h = btfdb_hash64(s, len);
	uint32_t j, id;

	if ((uint64_t)(w->nstr + 1) * 2 > w->sset.cap && idset_grow(&w->sset, w->shash, w->nstr))
		return -ENOMEM;
	for (j = (uint32_t)h & (w->sset.cap - 1); w->sset.slots[j]; j = (j + 1) & (w->sset.cap - 1)) {
		id = w->sset.slots[j] - 1;
		if (w->shash[id] == h && !memcmp(w->sbuf.p + w->soff[id], s, len) &&
		    w->sbuf.p[w->soff[id] + len] == 0)
			return id;
	}
	/* realloc() only when full (under ASan every realloc() copies); each
	 * array keeps its own capacity, so a failed one claims nothing */
	if (w->nstr == UINT32_MAX - 1 ||
	    grow((void **)&w->soff, &w->capstr, w->nstr + 1, sizeof(uint64_t)) ||
	    grow((void **)&w->shash, &w->capshash, w->nstr + 1, sizeof(uint64_t)))
		return -ENOMEM;
	if (btfdb_dbuf_reserve(&w->sbuf, len + 1))
		return -ENOMEM;
	id = w->nstr++;
	w->soff[id] = w->sbuf.len;
	w->shash[id] = h;
	memcpy(w->sbuf.p + w->sbuf.len, s, len);
	w->sbuf.p[w->sbuf.len + len] = 0;
	w->sbuf.len += len + 1;
	w->sset.slots[j] = id + 1;
	return id;
}

/*
 * Find rec in r; when absent and add is set, append it.  Returns the id,
 * -1 when absent (add == 0), -ENOMEM.
 */
static int64_t recset_get(struct recset *r, const uint8_t *rec, size_t len, int add)
{
	uint64_t h = btfdb_hash64(rec, len);
	uint32_t j, id;

	if ((uint64_t)(r->n + 1) * 2 > r->set.cap && idset_grow(&r->set, r->hash, r->n))
		return -ENOMEM;
	for (j = (uint32_t)h & (r->set.cap - 1); r->set.slots[j]; j = (j + 1) & (r->set.cap - 1)) {
		id = r->set.slots[j] - 1;
		if (r->hash[id] == h && r->off[id + 1] - r->off[id] == len &&
		    !memcmp(r->buf.p + r->off[id], rec, len))
			return id;
	}
	if (!add)
		return -1;
	/* realloc() only when full: under ASan every realloc() copies */
	if (r->n >= UINT32_MAX - 2 || grow((void **)&r->off, &r->cap, r->n + 2, sizeof(uint64_t)) ||
	    grow((void **)&r->hash, &r->caphash, r->n + 1, sizeof(uint64_t)))
		return -ENOMEM;
	if (btfdb_dbuf_put(&r->buf, rec, len))
		return -ENOMEM;
	id = r->n++;
	r->off[id] = r->buf.len - len;
	r->off[id + 1] = r->buf.len;
	r->hash[id] = h;
	r->set.slots[j] = id + 1;
	return id;
}

static void recset_clear(struct recset *r)
{
	r->buf.len = 0;
	r->n = 0;
	if (r->off)
		r->off[0] = 0;
	if (r->set.slots)
		memset(r->set.slots, 0, (size_t)r->set.cap * sizeof(uint32_t));
}

static struct btfdb_db_writer *writer_alloc(void)
{
	struct btfdb_db_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	if (str_intern(w, "", 0) != 0 || grow((void **)&w->pool.off, &w->pool.cap, 2, 8) ||
	    grow((void **)&w->fresh.off, &w->fresh.cap, 2, 8) ||
	    !(w->pool.hash = malloc((size_t)w->pool.cap * 8)) ||
	    !(w->fresh.hash = malloc((size_t)w->fresh.cap * 8))) {
		btfdb_db_writer_free(w);
		return NULL;
	}
	w->pool.off[0] = w->fresh.off[0] = 0;
	return w;
}

/* ---- loading an existing database ---- */

static int copy_blk(struct btfdb_db *db, const struct btfdb_dbf_blockref *ref, struct wblk *b,
		    struct btfdb_err *err)
{
	const uint8_t *src;
	int ret = btfdb_dbr_checked_data(db, ref, &src, err);

	if (ret)
		return ret;
	b->clen = ref->clen;
	b->ulen = ref->ulen;
	b->data = NULL;
	if (!ref->clen)
		return 0;
	b->data = malloc(ref->clen);
	if (!b->data)
		return -ENOMEM;
	memcpy(b->data, src, ref->clen);
	return 0;
}

static int load_existing(struct btfdb_db_writer *w, struct btfdb_db *db, struct btfdb_err *err)
{
	const struct btfdb_dbf_hdr *h = btfdb_dbr_hdr(db);
	const struct btfdb_dbf_blockref *refs;
	uint32_t nb, b, i, k;
	uint8_t *blk = NULL;
	int ret = 0;

	/* per-kernel blocks are copied verbatim: their granularity must be ours */
	if (h->seq_blk != BTFDB_DBF_SEQ_BLK || h->inv_blk != BTFDB_DBF_INV_BLK) {
		btfdb_err_set(err, "database uses block sizes %u/%u (expected %u/%u); rebuild it",
			      h->seq_blk, h->inv_blk, BTFDB_DBF_SEQ_BLK, BTFDB_DBF_INV_BLK);
		return -EINVAL;
	}
	/* strings: re-intern in order; ids must come out identical */
	nb = (h->nr_strings + h->str_blk - 1) / h->str_blk;
	refs = btfdb_dbr_refs(db, h->str_tab);
	for (b = 0; b < nb; b++) {
		const char *p, *end;

		ret = btfdb_dbr_inflate(db, &refs[b], &blk, err);
		if (ret)
			goto out;
		p = (const char *)blk;
		end = p + refs[b].ulen;
		for (i = 0; p < end; i++) {
			size_t len = strnlen(p, end - p);
			int64_t sid = str_intern(w, p, len);

			if (sid < 0) {
				ret = -ENOMEM;
				goto out;
			}
			if ((uint64_t)sid != (uint64_t)b * h->str_blk + i) {
				btfdb_err_set(err, "database: string table is not distinct (sid %u)",
					      b * h->str_blk + i);
				ret = -EINVAL;
				goto out;
			}
			p += len + 1;
		}
		free(blk);
		blk = NULL;
	}
	/* pool */
	nb = (h->nr_pool + h->pool_blk - 1) / h->pool_blk;
	refs = btfdb_dbr_refs(db, h->pool_tab);
	for (b = 0; b < nb; b++) {
		const uint8_t *p, *end, *start;

		ret = btfdb_dbr_inflate(db, &refs[b], &blk, err);
		if (ret)
			goto out;
		p = blk;
		end = p + refs[b].ulen;
		for (i = 0; p < end; i++) {
			int64_t pid;

			start = p;
			if (btfdb_dbf_rec_skip(&p, end)) {
				btfdb_err_set(err, "database: corrupt pool block %u", b);
				ret = -EINVAL;
				goto out;
			}
			pid = recset_get(&w->pool, start, p - start, 1);
			if (pid < 0) {
				ret = -ENOMEM;
				goto out;
			}
			if ((uint64_t)pid != (uint64_t)b * h->pool_blk + i) {
				btfdb_err_set(err, "database: pool is not distinct (record %u)",
					      b * h->pool_blk + i);
				ret = -EINVAL;
				goto out;
			}
		}
		free(blk);
		blk = NULL;
	}
	/* kernels: private blocks are copied verbatim (ids are stable) */
	for (k = 0; k < h->nr_kernels; k++) {
		const struct btfdb_dbf_kernel *e = btfdb_dbr_kernel(db, k);
		struct wkernel *wk;

		if (grow((void **)&w->k, &w->capk, w->nk + 1, sizeof(*w->k))) {
			ret = -ENOMEM;
			goto out;
		}
		wk = &w->k[w->nk++];
		memset(wk, 0, sizeof(*wk));
		wk->e = *e;
		wk->name = strdup(btfdb_dbr_kernel_name(db, k));
		if (!wk->name) {
			ret = -ENOMEM;
			goto out;
		}
		if (e->flags & BTFDB_DBF_K_RAW) {
			ret = copy_blk(db, &e->raw, &wk->raw, err);
			if (ret)
				goto out;
			continue;
		}
		ret = copy_blk(db, &e->strseq, &wk->strseq, err);
		if (ret)
			goto out;
		wk->nseq = (e->nr_types + h->seq_blk - 1) / h->seq_blk;
		wk->seq = calloc(wk->nseq + 1, sizeof(*wk->seq));
		if (!wk->seq) {
			ret = -ENOMEM;
			goto out;
		}
		refs = btfdb_dbr_refs(db, e->seq_tab);
		for (i = 0; i < wk->nseq; i++)
			if ((ret = copy_blk(db, &refs[i], &wk->seq[i], err)))
				goto out;
		wk->ninv = (e->pool_cnt + h->inv_blk - 1) / h->inv_blk;
		wk->inv = calloc(wk->ninv + 1, sizeof(*wk->inv));
		if (!wk->inv) {
			ret = -ENOMEM;
			goto out;
		}
		refs = btfdb_dbr_refs(db, e->inv_tab);
		for (i = 0; i < wk->ninv; i++)
			if ((ret = copy_blk(db, &refs[i], &wk->inv[i], err)))
				goto out;
	}
out:
	free(blk);
	return ret;
}

int btfdb_db_writer_new(const char *path, struct btfdb_db_writer **out, struct btfdb_err *err)
{
	struct btfdb_db_writer *w = writer_alloc();
	struct btfdb_db *db = NULL;
	int ret;

	*out = NULL;
	if (!w) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (path) {
		ret = btfdb_db_open(path, &db, err);
		if (!ret)
			ret = load_existing(w, db, err);
		btfdb_db_close(db);
		if (ret) {
			if (ret == -ENOMEM)
				btfdb_err_set(err, "out of memory");
			btfdb_err_prefix(err, "%s: ", path);
			btfdb_db_writer_free(w);
			return ret;
		}
	}
	*out = w;
	return 0;
}

uint32_t btfdb_db_writer_kernel_count(const struct btfdb_db_writer *w)
{
	return w->nk;
}

/* ---- adding a kernel ---- */

static const char *release_of(const char *name)
{
	const char *s = strrchr(name, '/');

	return s ? s + 1 : name;
}

/* Index of a kernel by identity or unique release; -ENOENT / -ENOTUNIQ. */
static int w_find(const struct btfdb_db_writer *w, const char *name)
{
	int found = -ENOENT;
	uint32_t i;

	for (i = 0; i < w->nk; i++)
		if (!strcmp(w->k[i].name, name))
			return i;
	for (i = 0; i < w->nk; i++) {
		if (!strcmp(release_of(w->k[i].name), name)) {
			if (found >= 0)
				return -ENOTUNIQ;
			found = i;
		}
	}
	return found;
}

static int compress_into(struct wblk *b, const struct btfdb_dbuf *buf)
{
	b->ulen = (uint32_t)buf->len;
	return btfdb_dbf_deflate(buf->p, buf->len, &b->data, &b->clen);
}

/*
 * State of one kernel being encoded (add_shared).  Type ids are 1..nr;
 * arrays indexed by id have nr + 1 entries.
 */
struct kenc {
	struct btfdb_db_writer *w;
	const struct btfdb_btf *btf;
	uint32_t nr, str_len;
	uint32_t *nsid;     /* name sid (0 = anonymous) */
	uint32_t *ord;      /* position of the id in its name list / pool-id list */
	uint32_t *nstart, *ncnt; /* per sid (w->nstr at the start): named list */
	uint32_t *nlist;    /* named ids grouped by sid, ascending */
	uint32_t nsids;     /* entries of nstart / ncnt */
	uint8_t *delta;     /* anonymous id referenced by delta (cycle) */
	uint32_t *level;    /* anonymous: level */
	uint32_t *pid;      /* pool id (provisional in pass A, final in pass B) */
	uint32_t *lstart, *lcnt; /* per anonymous id: its pool-id group in alist */
	uint32_t *alist;    /* anonymous ids grouped by pool id, ascending */
	uint32_t *edges, *eoff;  /* anonymous -> anonymous references (CSR) */
	uint32_t ne;
	int bad;
};

static int64_t enc_name(void *c, uint32_t off)
{
	struct kenc *ke = c;
	uint32_t s;

	if (off >= ke->str_len || !(s = ke->w->str_at[off]))
		return -1;
	if (ke->w->kfirst[s - 1] != off)
		return -1; /* a later duplicate of the string: not representable */
	return s - 1;
}

static int64_t dec_name(void *c, uint64_t sid)
{
	struct kenc *ke = c;

	if (sid >= ke->w->nstr || ke->w->kfirst[sid] == NONE)
		return -1;
	return ke->w->kfirst[sid];
}

static int enc_ref(void *c, uint32_t own, uint32_t id, struct btfdb_dbf_ref *r)
{
	struct kenc *ke = c;
	uint32_t sid;

	if (id > ke->nr)
		return -1;
	sid = ke->nsid[id];
	if (sid) {
		r->tag = BTFDB_DBF_REF_NAMED;
		r->key = sid;
		r->rel = (int64_t)ke->ord[id] -
			 btfdb_dbf_lower(ke->nlist + ke->nstart[sid], ke->ncnt[sid], own);
		return 0;
	}
	if (ke->delta[id]) {
		r->tag = BTFDB_DBF_REF_DELTA;
		return 0;
	}
	if (ke->pid[id] == NONE || ke->lstart[id] == NONE)
		return -1; /* not encoded yet: a bug in the level order */
	r->tag = BTFDB_DBF_REF_ANON;
	r->key = ke->pid[id];
	r->rel = (int64_t)ke->ord[id] - btfdb_dbf_lower(ke->alist + ke->lstart[id], ke->lcnt[id], own);
	return 0;
}

static int named_ids(void *c, uint64_t sid, const uint32_t **ids, uint32_t *n)
{
	struct kenc *ke = c;

	if (sid == 0 || sid >= ke->nsids)
		return -EINVAL;
	*ids = ke->nlist + ke->nstart[sid];
	*n = ke->ncnt[sid];
	return 0;
}

/* Round-trip decoding context: names from the kernel, refs via the resolver. */
struct rt_ctx {
	struct kenc *ke;
	struct btfdb_dbf_res *res;
};

static int64_t rt_name(void *c, uint64_t sid)
{
	return dec_name(((struct rt_ctx *)c)->ke, sid);
}

static int64_t rt_resolve(void *c, const struct btfdb_dbf_ref *r, uint32_t own)
{
	return btfdb_dbf_res_resolve(((struct rt_ctx *)c)->res, r, own);
}

/* DFS edge collection: count (edges == NULL) or fill. */
struct edge_ctx {
	struct kenc *ke;
	uint32_t n;
};

static void edge_cb(void *c, uint32_t id)
{
	struct edge_ctx *ec = c;

	if (id && id <= ec->ke->nr && !ec->ke->nsid[id]) {
		if (ec->ke->edges)
			ec->ke->edges[ec->ke->ne + ec->n] = id;
		ec->n++;
	}
}

/* Step 4: levels of the anonymous types; cycle targets get delta[]. */
static int anon_levels(struct kenc *ke)
{
	uint32_t nr = ke->nr, id, sp = 0, *stack = NULL, *pos = NULL;
	uint8_t *color = NULL;
	int pass, ret = -ENOMEM;

	ke->eoff = malloc(((size_t)nr + 2) * sizeof(uint32_t));
	if (!ke->eoff)
		return -ENOMEM;
	for (pass = 0; pass < 2; pass++) {
		ke->ne = 0;
		for (id = 1; id <= nr; id++) {
			struct edge_ctx ec = { ke, 0 };

			ke->eoff[id] = ke->ne;
			if (!ke->nsid[id])
				btfdb_dbf_type_refs(btfdb_btf_type(ke->btf, id), edge_cb, &ec);
			ke->ne += ec.n;
		}
		ke->eoff[nr + 1] = ke->ne;
		if (!pass && !(ke->edges = malloc(((size_t)ke->ne + 1) * sizeof(uint32_t))))
			return -ENOMEM;
	}
	color = calloc((size_t)nr + 1, 1);
	stack = malloc(((size_t)nr + 1) * sizeof(uint32_t));
	pos = malloc(((size_t)nr + 1) * sizeof(uint32_t));
	if (!color || !stack || !pos)
		goto out;
	for (id = 1; id <= nr; id++) {
		if (ke->nsid[id] || color[id])
			continue;
		stack[sp++] = id;
		color[id] = 1;
		pos[id] = ke->eoff[id];
		while (sp) {
			uint32_t x = stack[sp - 1];

			if (pos[x] < ke->eoff[x + 1]) {
				uint32_t t = ke->edges[pos[x]++];

				if (color[t] == 1) {
					ke->delta[t] = 1;
				} else if (!color[t]) {
					color[t] = 1;
					pos[t] = ke->eoff[t];
					stack[sp++] = t;
				}
				continue;
			}
			/* post-order: all targets done (or delta) */
			{
				uint32_t lv = 0, e;

				for (e = ke->eoff[x]; e < ke->eoff[x + 1]; e++) {
					uint32_t t = ke->edges[e];

					if (!ke->delta[t] && ke->level[t] + 1 > lv)
						lv = ke->level[t] + 1;
				}
				ke->level[x] = lv;
			}
			color[x] = 2;
			sp--;
		}
	}
	ret = 0;
out:
	free(color);
	free(stack);
	free(pos);
	return ret;
}

/* Encode id into enc; 0, 1 (not representable), -ENOMEM. */
static int enc_one(struct kenc *ke, uint32_t id, struct btfdb_dbuf *enc)
{
	const struct btf_type *t = btfdb_btf_type(ke->btf, id);
	int ret;

	enc->len = 0;
	ret = btfdb_dbf_rec_encode(t, sizeof(*t) + btfdb_type_extra_size(t), id, enc_name, enc_ref,
				   ke, enc);
	if (ret == -ENOMEM)
		return ret;
	return ret ? 1 : 0;
}

/*
 * Try the shared encoding.  Returns 0 when done, 1 when the blob must be
 * stored raw (*why says why), negative errno on failure.
 */
static int add_shared(struct btfdb_db_writer *w, struct wkernel *wk, const struct btfdb_btf *btf,
		      const uint8_t *raw, size_t size, const char **why)
{
	const struct btf_header *bh = (const void *)raw;
	struct btfdb_dbuf enc = { 0 }, dec = { 0 }, tmp = { 0 };
	uint32_t *seq = NULL, *strseq = NULL, *order = NULL, *fmap = NULL, *lvcnt = NULL;
	uint32_t nstrs = 0, nr, id, i, off, str_len, maxlv = 0, npool0 = w->pool.n, nfresh;
	struct kenc ke = { 0 };
	struct btfdb_dbf_res res = { 0 };
	const char *strs;
	int ret = 1;

	*why = NULL;
	if (btfdb_btf_big_endian(btf) || size < sizeof(*bh) || bh->magic != BTF_MAGIC ||
	    bh->hdr_len < sizeof(*bh) || bh->hdr_len > BTFDB_DBF_BTF_HDR_MAX ||
	    bh->type_off != 0 || bh->str_off != bh->type_len ||
	    (uint64_t)bh->hdr_len + bh->type_len + bh->str_len != size || !bh->str_len ||
	    btfdb_btf_start_id(btf) != 1) {
		*why = "unusual header or layout";
		return 1;
	}
	strs = (const char *)raw + bh->hdr_len + bh->str_off;
	str_len = bh->str_len;
	if (strs[0] || strs[str_len - 1]) {
		*why = "string section not NUL-delimited";
		return 1;
	}
	nr = btfdb_btf_type_cnt(btf) - 1;
	ke.w = w;
	ke.btf = btf;
	ke.nr = nr;
	ke.str_len = str_len;

	/* 2. strings */
	free(w->str_at);
	w->str_at = calloc((size_t)str_len + 1, sizeof(uint32_t));
	strseq = malloc(((size_t)str_len + 1) * sizeof(uint32_t));
	if (!w->str_at || !strseq)
		goto nomem;
	for (off = 0; off < str_len;) {
		size_t len = strlen(strs + off);
		int64_t sid = str_intern(w, strs + off, len);

		if (sid < 0)
			goto nomem;
		if (grow((void **)&w->kfirst, &w->capfirst, w->nstr, sizeof(uint32_t)))
			goto nomem;
		strseq[nstrs++] = (uint32_t)sid;
		w->str_at[off] = (uint32_t)sid + 1;
		off += (uint32_t)len + 1;
	}
	/* kfirst[] may have grown: (re)initialise the entries this kernel uses */
	for (i = 0; i < nstrs; i++)
		w->kfirst[strseq[i]] = NONE;
	for (i = 0, off = 0; i < nstrs; i++) {
		if (w->kfirst[strseq[i]] == NONE)
			w->kfirst[strseq[i]] = off;
		off += (uint32_t)strlen((const char *)w->sbuf.p + w->soff[strseq[i]]) + 1;
	}

	/* 3. names */
	ke.nsids = w->nstr;
#define ARR(f, n) (ke.f = malloc(((size_t)(n) + 2) * sizeof(*ke.f)))
	if (!ARR(nsid, nr) || !ARR(ord, nr) || !ARR(nlist, nr) || !ARR(level, nr) ||
	    !ARR(pid, nr) || !ARR(lstart, nr) || !ARR(lcnt, nr) || !ARR(alist, nr) ||
	    !(ke.nstart = calloc(ke.nsids + 1, sizeof(uint32_t))) ||
	    !(ke.ncnt = calloc(ke.nsids + 1, sizeof(uint32_t))) ||
	    !(ke.delta = calloc((size_t)nr + 2, 1)))
		goto nomem;
#undef ARR
	ke.nsid[0] = 0;
	for (id = 1; id <= nr; id++) {
		const struct btf_type *t = btfdb_btf_type(btf, id);
		int64_t sid = t->name_off ? enc_name(&ke, t->name_off) : 0;

		if (sid < 0) {
			*why = "a name offset is not the first copy of its string";
			goto out;
		}
		ke.nsid[id] = (uint32_t)sid;
		ke.ncnt[sid]++;
		ke.pid[id] = ke.lstart[id] = NONE;
		ke.level[id] = 0;
	}
	for (i = 1, off = 0; i < ke.nsids; i++) {
		ke.nstart[i] = off;
		off += ke.ncnt[i];
		ke.ncnt[i] = 0;
	}
	for (id = 1; id <= nr; id++) {
		uint32_t s = ke.nsid[id];

		if (s) {
			ke.ord[id] = ke.ncnt[s];
			ke.nlist[ke.nstart[s] + ke.ncnt[s]++] = id;
		}
	}

	/* 4. levels */
	if ((ret = anon_levels(&ke)))
		goto out;
	ret = 1;
	for (id = 1; id <= nr; id++)
		if (!ke.nsid[id] && ke.level[id] > maxlv)
			maxlv = ke.level[id];
	/* processing order: anonymous by level (stable), then named */
	order = malloc(((size_t)nr + 1) * sizeof(uint32_t));
	lvcnt = calloc((size_t)maxlv + 2, sizeof(uint32_t));
	seq = malloc(((size_t)nr + 1) * sizeof(uint32_t));
	if (!order || !lvcnt || !seq)
		goto nomem;
	for (id = 1; id <= nr; id++)
		if (!ke.nsid[id])
			lvcnt[ke.level[id] + 1]++;
	for (i = 1; i <= maxlv + 1; i++)
		lvcnt[i] += lvcnt[i - 1];
	{
		uint32_t nanon = lvcnt[maxlv + 1], *fill = malloc(((size_t)maxlv + 2) * 4), j = 0;

		if (!fill)
			goto nomem;
		memcpy(fill, lvcnt, ((size_t)maxlv + 2) * 4);
		for (id = 1; id <= nr; id++) {
			if (!ke.nsid[id])
				order[fill[ke.level[id]]++] = id;
			else
				order[nanon + j++] = id;
		}
		free(fill);
	}

	/* 5. pass A: provisional pool ids, level by level */
	recset_clear(&w->fresh);
	{
		uint32_t lv, at = 0, nanon = lvcnt[maxlv + 1], apos = 0;
		/* local hash: provisional pid -> first anonymous id having it */
		uint32_t cap = 64, *hk = NULL, *hv = NULL, *lead = NULL;

		while (cap < 2 * (uint64_t)nr + 2)
			cap *= 2;
		hk = calloc(cap, sizeof(uint32_t));
		hv = malloc((size_t)cap * sizeof(uint32_t));
		lead = malloc(((size_t)nr + 2) * sizeof(uint32_t));
		if (!hk || !hv || !lead) {
			free(hk);
			free(hv);
			free(lead);
			goto nomem;
		}
		for (lv = 0; lv <= maxlv + 1 && at < nr; lv++) {
			uint32_t end = lv <= maxlv ? lvcnt[lv + 1] : nr, k;

			if (lv > maxlv)
				at = nanon;
			for (k = at; k < end; k++) {
				int64_t p;

				id = order[k];
				ret = enc_one(&ke, id, &enc);
				if (ret)
					break;
				p = recset_get(&w->pool, enc.p, enc.len, 0);
				if (p == -1) {
					p = recset_get(&w->fresh, enc.p, enc.len, 1);
					if (p >= 0)
						p += npool0;
				}
				if (p < 0 || p >= UINT32_MAX - 1) {
					ret = -ENOMEM;
					break;
				}
				ke.pid[id] = (uint32_t)p;
			}
			if (ret || lv > maxlv)
				break;
			/* group this level's ids by pool id (each group is final now):
			 * lead[x] = the group's first id; for leaders lcnt = size,
			 * lstart = start in alist, level[] = fill count (free now) */
			for (k = at; k < end; k++) {
				uint32_t j, x = order[k];

				for (j = (ke.pid[x] * 2654435761u) & (cap - 1);
				     hk[j] && hk[j] != ke.pid[x] + 1; j = (j + 1) & (cap - 1))
					;
				if (!hk[j]) {
					hk[j] = ke.pid[x] + 1;
					hv[j] = x;
					ke.lcnt[x] = 0;
					ke.level[x] = 0;
				}
				lead[x] = hv[j];
				ke.lcnt[hv[j]]++;
			}
			for (k = at; k < end; k++) {
				uint32_t x = order[k];

				if (lead[x] == x) {
					ke.lstart[x] = apos;
					apos += ke.lcnt[x];
				}
			}
			/* ids ascending within a level: groups fill ascending */
			for (k = at; k < end; k++) {
				uint32_t x = order[k], l = lead[x];

				ke.ord[x] = ke.level[l]++;
				ke.alist[ke.lstart[l] + ke.ord[x]] = x;
			}
			for (k = at; k < end; k++) {
				uint32_t x = order[k];

				ke.lstart[x] = ke.lstart[lead[x]];
				ke.lcnt[x] = ke.lcnt[lead[x]];
			}
			at = end;
		}
		free(hk);
		free(hv);
		free(lead);
		if (ret < 0)
			goto out;
		if (ret) {
			*why = "a type could not be encoded";
			goto out;
		}
	}
	ret = 1;

	/* 5b. final numbering of the new records: order of first use */
	nfresh = w->fresh.n;
	fmap = malloc(((size_t)nfresh + 1) * sizeof(uint32_t));
	if (!fmap)
		goto nomem;
	memset(fmap, 0xff, ((size_t)nfresh + 1) * sizeof(uint32_t));
	{
		uint32_t next = npool0;

		for (id = 1; id <= nr; id++) {
			uint32_t p = ke.pid[id];

			if (p >= npool0 && fmap[p - npool0] == NONE)
				fmap[p - npool0] = next++;
		}
		if (next - npool0 != nfresh) {
			*why = "internal: new records were not all used";
			goto out;
		}
	}
	for (id = 1; id <= nr; id++)
		if (ke.pid[id] >= npool0)
			ke.pid[id] = fmap[ke.pid[id] - npool0];
	/* pass B: re-encode each new record once with final ids, append in order */
	{
		uint64_t *roff = malloc(((size_t)nfresh + 1) * sizeof(uint64_t));
		uint32_t *rlen = calloc((size_t)nfresh + 1, sizeof(uint32_t));

		if (!roff || !rlen) {
			free(roff);
			free(rlen);
			goto nomem;
		}
		tmp.len = 0;
		ret = 0;
		for (i = 0; i < nr && !ret; i++) {
			uint32_t f;

			id = order[i];
			if (ke.pid[id] < npool0 || rlen[(f = ke.pid[id] - npool0)])
				continue;
			ret = enc_one(&ke, id, &enc);
			if (!ret && btfdb_dbuf_put(&tmp, enc.p, enc.len))
				ret = -ENOMEM;
			roff[f] = tmp.len - enc.len;
			rlen[f] = (uint32_t)enc.len;
		}
		for (i = 0; i < nfresh && !ret; i++) {
			int64_t p = recset_get(&w->pool, tmp.p + roff[i], rlen[i], 1);

			if (p < 0)
				ret = -ENOMEM;
			else if ((uint64_t)p != (uint64_t)npool0 + i)
				ret = 1;
		}
		free(roff);
		free(rlen);
		if (ret < 0)
			goto out;
		if (ret) {
			*why = "internal: new records collide after renumbering";
			goto out;
		}
		ret = 1;
	}
	for (id = 1; id <= nr; id++)
		seq[id - 1] = ke.pid[id];

	/* 6. decode back through the reader's resolver and compare */
	if (btfdb_dbf_res_init(&res, seq, nr))
		goto nomem;
	res.named = named_ids;
	res.ctx = &ke;
	for (id = 1; id <= nr; id++) {
		const uint8_t *p = w->pool.buf.p + w->pool.off[seq[id - 1]];
		const uint8_t *pe = w->pool.buf.p + w->pool.off[seq[id - 1] + 1];
		struct rt_ctx rc = { &ke, &res };

		if (btfdb_dbf_rec_decode(&p, pe, id, rt_name, rt_resolve, &rc, &dec) ||
		    p != pe) {
			*why = "record did not decode";
			goto out;
		}
	}
	if (dec.len != bh->type_len || memcmp(dec.p, raw + bh->hdr_len, dec.len)) {
		*why = "types did not round-trip";
		goto out;
	}
	dec.len = 0;
	for (i = 0; i < nstrs; i++) {
		const char *s = (const char *)w->sbuf.p + w->soff[strseq[i]];

		if (btfdb_dbuf_put(&dec, s, strlen(s) + 1))
			goto nomem;
	}
	if (dec.len != str_len || memcmp(dec.p, strs, str_len)) {
		*why = "strings did not round-trip";
		goto out;
	}

	/* per-kernel blocks: seq */
	wk->nseq = (nr + BTFDB_DBF_SEQ_BLK - 1) / BTFDB_DBF_SEQ_BLK;
	wk->seq = calloc(wk->nseq + 1, sizeof(*wk->seq));
	if (!wk->seq)
		goto nomem;
	for (i = 0; i < wk->nseq; i++) {
		int64_t prev = -1;

		tmp.len = 0;
		for (id = i * BTFDB_DBF_SEQ_BLK; id < nr && id < (i + 1) * BTFDB_DBF_SEQ_BLK; id++) {
			if (btfdb_dbuf_varint(&tmp, btfdb_dbf_zz((int64_t)seq[id] - prev - 1)))
				goto nomem;
			prev = seq[id];
		}
		if ((ret = compress_into(&wk->seq[i], &tmp)))
			goto out;
	}
	/* inverse blocks: (pid, tid) pairs by pool id range, from the
	 * resolver's grouping (pids ascending, tids ascending per pid) */
	wk->ninv = (w->pool.n + BTFDB_DBF_INV_BLK - 1) / BTFDB_DBF_INV_BLK;
	wk->inv = calloc(wk->ninv + 1, sizeof(*wk->inv));
	if (!wk->inv)
		goto nomem;
	for (i = 0; i < wk->ninv; i++) {
		uint64_t pid, lo = (uint64_t)i * BTFDB_DBF_INV_BLK, hi = lo + BTFDB_DBF_INV_BLK;
		int64_t prev = (int64_t)lo - 1, prev_tid = 0;

		tmp.len = 0;
		for (pid = lo; pid < hi && pid < w->pool.n; pid++) {
			uint32_t cnt, j;
			const uint32_t *t = btfdb_dbf_res_pid(&res, pid, &cnt);

			for (j = 0; j < cnt; j++) {
				if (btfdb_dbuf_varint(&tmp, (uint64_t)((int64_t)pid - prev)) ||
				    btfdb_dbuf_varint(&tmp, btfdb_dbf_zz((int64_t)t[j] - prev_tid - 1)))
					goto nomem;
				prev = (int64_t)pid;
				prev_tid = t[j];
			}
		}
		if ((ret = compress_into(&wk->inv[i], &tmp)))
			goto out;
	}
	/* strseq */
	tmp.len = 0;
	{
		int64_t prev = -1;

		for (i = 0; i < nstrs; i++) {
			if (btfdb_dbuf_varint(&tmp, btfdb_dbf_zz((int64_t)strseq[i] - prev - 1)))
				goto nomem;
			prev = strseq[i];
		}
	}
	if ((ret = compress_into(&wk->strseq, &tmp)))
		goto out;
	wk->e.nr_strs = nstrs;
	wk->e.pool_cnt = w->pool.n;
	ret = 0;
	goto out;
nomem:
	ret = -ENOMEM;
out:
	if (ret == 1) {
		/* drop partial per-kernel blocks; orphan pool/string entries stay
		 * (btfdb_db_compact drops them) */
		for (i = 0; i < wk->nseq; i++)
			wblk_free(&wk->seq[i]);
		free(wk->seq);
		wk->seq = NULL;
		wk->nseq = 0;
		for (i = 0; i < wk->ninv; i++)
			wblk_free(&wk->inv[i]);
		free(wk->inv);
		wk->inv = NULL;
		wk->ninv = 0;
		if (!*why)
			*why = "a type could not be encoded";
	}
	btfdb_dbf_res_free(&res);
	btfdb_dbuf_free(&enc);
	btfdb_dbuf_free(&dec);
	btfdb_dbuf_free(&tmp);
	free(seq);
	free(strseq);
	free(order);
	free(fmap);
	free(lvcnt);
	free(ke.nsid);
	free(ke.ord);
	free(ke.nstart);
	free(ke.ncnt);
	free(ke.nlist);
	free(ke.delta);
	free(ke.level);
	free(ke.pid);
	free(ke.lstart);
	free(ke.lcnt);
	free(ke.alist);
	free(ke.edges);
	free(ke.eoff);
	free(w->str_at);
	w->str_at = NULL;
	return ret;
}

int btfdb_db_writer_add(struct btfdb_db_writer *w, const struct btfdb_btf *btf, const char *name,
			struct btfdb_err *err)
{
	struct wkernel *wk;
	const uint8_t *raw;
	const char *why = NULL;
	size_t size;
	int ret;

	raw = btfdb_btf_raw(btf, &size);
	if (!raw) {
		btfdb_err_set(err, "%s: BTF has no original bytes (database handle?)", name);
		return -EINVAL;
	}
	if (!name || !name[0] || strlen(name) > 4096) {
		btfdb_err_set(err, "kernel name must be 1..4096 characters");
		return -EINVAL;
	}
	if (w_find(w, name) >= 0 && !strcmp(w->k[w_find(w, name)].name, name)) {
		btfdb_err_set(err, "%s: a kernel of that name is in the database already", name);
		return -EEXIST;
	}
	if (size > BTFDB_DBF_MAX_ULEN) {
		btfdb_err_set(err, "%s: BTF blob too large (%zu bytes)", name, size);
		return -EFBIG;
	}
	if (grow((void **)&w->k, &w->capk, w->nk + 1, sizeof(*w->k)))
		goto nomem;
	wk = &w->k[w->nk];
	memset(wk, 0, sizeof(*wk));
	wk->name = strdup(name);
	if (!wk->name)
		goto nomem;
	wk->e.blob_hash = btfdb_btf_hash(btf);
	wk->e.blob_size = size;
	wk->e.nr_types = btfdb_btf_type_cnt(btf) - btfdb_btf_start_id(btf);
	if (btfdb_btf_big_endian(btf))
		wk->e.flags |= BTFDB_DBF_K_BIG_ENDIAN;
	if (size >= sizeof(struct btf_header)) {
		const struct btf_header *bh = (const void *)raw;
		uint32_t hl = bh->hdr_len <= BTFDB_DBF_BTF_HDR_MAX ? bh->hdr_len : 0;

		if (btfdb_btf_big_endian(btf))
			hl = 0;
		wk->e.btf_hdr_len = hl;
		memcpy(wk->e.btf_hdr, raw, hl);
	}
	ret = add_shared(w, wk, btf, raw, size, &why);
	if (ret < 0) {
		wkernel_free(wk);
		if (ret == -ENOMEM)
			goto nomem;
		btfdb_err_set(err, "%s: compressing failed (%d)", name, ret);
		return ret;
	}
	if (ret == 1) {
		struct btfdb_dbuf b = { (uint8_t *)raw, size, size };

		wk->e.flags |= BTFDB_DBF_K_RAW;
		wk->e.nr_strs = 0;
		if (compress_into(&wk->raw, &b)) {
			wkernel_free(wk);
			goto nomem;
		}
	}
	w->nk++;
	return ret; /* 0 shared, 1 raw */
nomem:
	btfdb_err_set(err, "%s: out of memory", name);
	return -ENOMEM;
}

int btfdb_db_writer_remove(struct btfdb_db_writer *w, const char *name, struct btfdb_err *err)
{
	int k = w_find(w, name);

	if (k == -ENOTUNIQ) {
		btfdb_err_set(err, "%s: ambiguous kernel release; give the full name", name);
		return k;
	}
	if (k < 0) {
		btfdb_err_set(err, "%s: no such kernel in the database", name);
		return -ENOENT;
	}
	wkernel_free(&w->k[k]);
	memmove(&w->k[k], &w->k[k + 1], (w->nk - k - 1) * sizeof(*w->k));
	w->nk--;
	return 0;
}


/* ---- writing the file ---- */

struct gent {
	uint32_t group, esid, sid;
	uint64_t hash;
};

static int gent_cmp(const void *a, const void *b)
{
	const struct gent *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->esid != y->esid)
		return x->esid < y->esid ? -1 : 1;
	return x->sid < y->sid ? -1 : x->sid > y->sid;
}

struct out {
	struct btfdb_dbuf f;  /* the whole file */
	int nomem;
};

/* Append one compressed block to DATA, fill ref. */
static void put_blk(struct out *o, const uint8_t *data, uint32_t clen, uint32_t ulen,
		    struct btfdb_dbf_blockref *ref)
{
	ref->off = o->f.len;
	ref->clen = clen;
	ref->ulen = ulen;
	ref->csum = btfdb_hash64(data, clen);
	if (btfdb_dbuf_put(&o->f, data, clen))
		o->nomem = 1;
}

static int put_raw_blk(struct out *o, const void *data, size_t len, struct btfdb_dbf_blockref *ref)
{
	uint8_t *c;
	uint32_t clen;
	int ret = btfdb_dbf_deflate(data, len, &c, &clen);

	if (ret)
		return ret;
	put_blk(o, c, clen, (uint32_t)len, ref);
	free(c);
	return o->nomem ? -ENOMEM : 0;
}

/*
 * The essential-name index: every sid that names a pool record, grouped
 * by the hash of its essential name.  May intern essential names, so it is
 * built before the string blocks and the name map.
 */
static int build_gidx(struct btfdb_db_writer *w, struct out *o, const uint8_t *named,
		      uint32_t nnamed_sids, uint32_t *ngroups_out, struct btfdb_dbf_blockref **refs_out)
{
	struct gent *g = NULL;
	size_t ng = 0, j;
	uint32_t sid, nstr0 = w->nstr, ndistinct = 0, groups, nblk, b;
	struct btfdb_dbf_blockref *refs = NULL;
	struct btfdb_dbuf blk = { 0 };
	int ret = -ENOMEM;

	g = malloc(((size_t)nnamed_sids + 1) * sizeof(*g));
	if (!g)
		goto out;
	for (sid = 1; sid < nstr0; sid++) {
		const char *name;
		size_t len;
		int64_t esid;

		if (!named[sid])
			continue;
		name = (const char *)w->sbuf.p + w->soff[sid];
		if (!(len = btfdb_essential_name_len(name)))
			continue;
		esid = len == strlen(name) ? (int64_t)sid : str_intern(w, name, len);
		if (esid < 0)
			goto out;
		name = (const char *)w->sbuf.p + w->soff[esid];
		if (esid == sid)
			ndistinct++;
		g[ng].esid = (uint32_t)esid;
		g[ng].sid = sid;
		g[ng++].hash = btfdb_hash64(name, len);
	}
	for (groups = BTFDB_DBF_GIDX_GPB; groups < ndistinct / 4 && groups < (1u << 30); groups *= 2)
		;
	for (j = 0; j < ng; j++)
		g[j].group = (uint32_t)g[j].hash & (groups - 1);
	qsort(g, ng, sizeof(*g), gent_cmp);

	nblk = groups / BTFDB_DBF_GIDX_GPB;
	refs = calloc(nblk, sizeof(*refs));
	if (!refs)
		goto out;
	for (b = 0, j = 0; b < nblk; b++) {
		uint32_t gi, offs[BTFDB_DBF_GIDX_GPB + 1];

		blk.len = 0;
		if (btfdb_dbuf_put(&blk, offs, sizeof(offs)))
			goto out;
		for (gi = 0; gi < BTFDB_DBF_GIDX_GPB; gi++) {
			uint32_t group = b * BTFDB_DBF_GIDX_GPB + gi;

			offs[gi] = (uint32_t)blk.len;
			while (j < ng && g[j].group == group) {
				size_t k = j, n;
				uint16_t fp = (uint16_t)(g[j].hash >> 48);
				uint32_t prev = 0;

				while (k < ng && g[k].group == group && g[k].esid == g[j].esid)
					k++;
				n = k - j;
				if (btfdb_dbuf_put(&blk, &fp, 2) || btfdb_dbuf_varint(&blk, g[j].esid) ||
				    btfdb_dbuf_varint(&blk, n))
					goto out;
				for (; j < k; j++) {
					if (btfdb_dbuf_varint(&blk, j == k - n ?
							      btfdb_dbf_zz((int64_t)g[j].sid - g[j].esid) :
							      g[j].sid - prev - 1))
						goto out;
					prev = g[j].sid;
				}
			}
		}
		offs[BTFDB_DBF_GIDX_GPB] = (uint32_t)blk.len;
		memcpy(blk.p, offs, sizeof(offs));
		if ((ret = put_raw_blk(o, blk.p, blk.len, &refs[b])))
			goto out;
	}
	*ngroups_out = groups;
	*refs_out = refs;
	refs = NULL;
	ret = 0;
out:
	free(g);
	free(refs);
	btfdb_dbuf_free(&blk);
	return ret;
}

/* The name map: per sid, the pool ids of the records named sid. */
static int build_smap(struct btfdb_db_writer *w, struct out *o, const uint32_t *sid_of,
		      struct btfdb_dbf_blockref **refs_out)
{
	uint32_t nb = (w->nstr + BTFDB_DBF_SMAP_BLK - 1) / BTFDB_DBF_SMAP_BLK, b, pid;
	uint32_t *start = calloc((size_t)w->nstr + 2, sizeof(uint32_t));
	uint32_t *list = malloc(((size_t)w->pool.n + 1) * sizeof(uint32_t));
	struct btfdb_dbf_blockref *refs = calloc((size_t)nb + 1, sizeof(*refs));
	struct btfdb_dbuf blk = { 0 };
	int ret = -ENOMEM;

	if (!start || !list || !refs)
		goto out;
	for (pid = 0; pid < w->pool.n; pid++)
		start[sid_of[pid] + 2]++;
	for (b = 2; b < w->nstr + 2; b++)
		start[b] += start[b - 1];
	for (pid = 0; pid < w->pool.n; pid++)
		list[start[sid_of[pid] + 1]++] = pid;
	/* now start[s] .. start[s + 1] is sid s's range */
	for (b = 0; b < nb; b++) {
		uint32_t s;

		blk.len = 0;
		for (s = b * BTFDB_DBF_SMAP_BLK; s < w->nstr && s < (b + 1) * BTFDB_DBF_SMAP_BLK; s++) {
			uint32_t n = s ? start[s + 1] - start[s] : 0, i, prev = 0;

			if (btfdb_dbuf_varint(&blk, n))
				goto out;
			for (i = 0; i < n; i++) {
				uint32_t p = list[start[s] + i];

				if (btfdb_dbuf_varint(&blk, i ? p - prev - 1 : p))
					goto out;
				prev = p;
			}
		}
		if ((ret = put_raw_blk(o, blk.p, blk.len, &refs[b])))
			goto out;
		ret = -ENOMEM;
	}
	*refs_out = refs;
	refs = NULL;
	ret = 0;
out:
	free(start);
	free(list);
	free(refs);
	btfdb_dbuf_free(&blk);
	return ret;
}

/* Pad to a multiple of 8 with zero bytes (readers require them zero). */
static int pad8(struct out *o)
{
	while (o->f.len % 8)
		if (btfdb_dbuf_put(&o->f, "", 1))
			return -ENOMEM;
	return 0;
}
/* A whole database or nothing, synced: btfdb_fileio.h */
static int write_file(const char *path, const void *data, size_t len, struct btfdb_err *err)
{
	btfdb_fileio_clean_stale_of(path, NULL);
	return btfdb_fileio_write_atomic_sync(path, data, len, err);
}


int btfdb_db_writer_write(struct btfdb_db_writer *w, const char *path, struct btfdb_err *err)
{
	struct out o = { { 0 }, 0 };
	struct btfdb_dbf_hdr h;
	struct btfdb_dbf_blockref *str_refs = NULL, *pool_refs = NULL, *gidx_refs = NULL;
	struct btfdb_dbf_blockref *smap_refs = NULL, **seq_refs = NULL;
	uint32_t nstrb, npoolb, nsmapb, ngroups = 0, b, k, i, pid, nnamed = 0;
	uint32_t *sid_of = NULL;
	uint8_t *named = NULL;
	int ret = -ENOMEM;

	memset(&h, 0, sizeof(h));
	if (btfdb_dbuf_put(&o.f, &h, sizeof(h)))
		goto out;
	/* which sids name a record */
	sid_of = malloc(((size_t)w->pool.n + 1) * sizeof(uint32_t));
	named = calloc((size_t)w->nstr + 1, 1);
	if (!sid_of || !named)
		goto out;
	for (pid = 0; pid < w->pool.n; pid++) {
		int64_t sid = btfdb_dbf_rec_name(w->pool.buf.p + w->pool.off[pid],
						 w->pool.buf.p + w->pool.off[pid + 1]);

		if (sid < 0 || sid >= w->nstr) {
			ret = -EINVAL;
			goto out;
		}
		sid_of[pid] = (uint32_t)sid;
		if (sid && !named[sid]) {
			named[sid] = 1;
			nnamed++;
		}
	}
	/* DATA: name index first (it may intern essential names) */
	h.sects[BTFDB_DBF_SEC_DATA].off = o.f.len;
	if ((ret = build_gidx(w, &o, named, nnamed, &ngroups, &gidx_refs)))
		goto out;
	if ((ret = build_smap(w, &o, sid_of, &smap_refs)))
		goto out;
	ret = -ENOMEM;
	nstrb = (w->nstr + BTFDB_DBF_STR_BLK - 1) / BTFDB_DBF_STR_BLK;
	npoolb = (w->pool.n + BTFDB_DBF_POOL_BLK - 1) / BTFDB_DBF_POOL_BLK;
	nsmapb = (w->nstr + BTFDB_DBF_SMAP_BLK - 1) / BTFDB_DBF_SMAP_BLK;
	str_refs = calloc(nstrb + 1, sizeof(*str_refs));
	pool_refs = calloc(npoolb + 1, sizeof(*pool_refs));
	seq_refs = calloc(w->nk + 1, sizeof(*seq_refs));
	if (!str_refs || !pool_refs || !seq_refs)
		goto out;
	for (b = 0; b < nstrb; b++) {
		uint64_t s = w->soff[b * BTFDB_DBF_STR_BLK];
		uint64_t e = (b + 1) * BTFDB_DBF_STR_BLK < w->nstr ?
			     w->soff[(b + 1) * BTFDB_DBF_STR_BLK] : w->sbuf.len;

		if ((ret = put_raw_blk(&o, w->sbuf.p + s, e - s, &str_refs[b])))
			goto out;
	}
	for (b = 0; b < npoolb; b++) {
		uint64_t s = w->pool.off[b * BTFDB_DBF_POOL_BLK];
		uint64_t e = w->pool.off[(b + 1) * BTFDB_DBF_POOL_BLK < w->pool.n ?
					 (b + 1) * BTFDB_DBF_POOL_BLK : w->pool.n];

		if ((ret = put_raw_blk(&o, w->pool.buf.p + s, e - s, &pool_refs[b])))
			goto out;
	}
	ret = -ENOMEM;
	for (k = 0; k < w->nk; k++) {
		struct wkernel *wk = &w->k[k];

		wk->e.reserved = 0;
		if (wk->e.flags & BTFDB_DBF_K_RAW) {
			memset(&wk->e.strseq, 0, sizeof(wk->e.strseq));
			put_blk(&o, wk->raw.data, wk->raw.clen, wk->raw.ulen, &wk->e.raw);
			continue;
		}
		memset(&wk->e.raw, 0, sizeof(wk->e.raw));
		put_blk(&o, wk->strseq.data, wk->strseq.clen, wk->strseq.ulen, &wk->e.strseq);
		/* one array per kernel: nseq seq refs, then ninv inverse refs */
		seq_refs[k] = calloc((size_t)wk->nseq + wk->ninv + 1, sizeof(**seq_refs));
		if (!seq_refs[k])
			goto out;
		for (i = 0; i < wk->nseq; i++)
			put_blk(&o, wk->seq[i].data, wk->seq[i].clen, wk->seq[i].ulen, &seq_refs[k][i]);
		for (i = 0; i < wk->ninv; i++)
			put_blk(&o, wk->inv[i].data, wk->inv[i].clen, wk->inv[i].ulen,
				&seq_refs[k][wk->nseq + i]);
	}
	if (o.nomem)
		goto out;
	h.sects[BTFDB_DBF_SEC_DATA].len = o.f.len - h.sects[BTFDB_DBF_SEC_DATA].off;

	/* TABLES (8-byte aligned) */
	if (pad8(&o))
		goto out;
	h.sects[BTFDB_DBF_SEC_TABLES].off = o.f.len;
	h.str_tab = o.f.len;
	if (btfdb_dbuf_put(&o.f, str_refs, nstrb * sizeof(*str_refs)))
		goto out;
	h.pool_tab = o.f.len;
	if (btfdb_dbuf_put(&o.f, pool_refs, npoolb * sizeof(*pool_refs)))
		goto out;
	h.gidx_tab = o.f.len;
	if (btfdb_dbuf_put(&o.f, gidx_refs, ngroups / BTFDB_DBF_GIDX_GPB * sizeof(*gidx_refs)))
		goto out;
	h.smap_tab = o.f.len;
	if (btfdb_dbuf_put(&o.f, smap_refs, nsmapb * sizeof(*smap_refs)))
		goto out;
	for (k = 0; k < w->nk; k++) {
		struct wkernel *wk = &w->k[k];

		wk->e.seq_tab = 0;
		wk->e.inv_tab = 0;
		if (wk->e.flags & BTFDB_DBF_K_RAW)
			continue;
		wk->e.seq_tab = o.f.len;
		wk->e.inv_tab = o.f.len + (uint64_t)wk->nseq * sizeof(**seq_refs);
		if (btfdb_dbuf_put(&o.f, seq_refs[k],
				   ((size_t)wk->nseq + wk->ninv) * sizeof(**seq_refs)))
			goto out;
	}
	h.sects[BTFDB_DBF_SEC_TABLES].len = o.f.len - h.sects[BTFDB_DBF_SEC_TABLES].off;

	/* NAMES */
	h.sects[BTFDB_DBF_SEC_NAMES].off = o.f.len;
	for (k = 0; k < w->nk; k++) {
		w->k[k].e.name_off = o.f.len;
		if (btfdb_dbuf_put(&o.f, w->k[k].name, strlen(w->k[k].name) + 1))
			goto out;
	}
	h.sects[BTFDB_DBF_SEC_NAMES].len = o.f.len - h.sects[BTFDB_DBF_SEC_NAMES].off;

	/* KERNELS (8-byte aligned) */
	if (pad8(&o))
		goto out;
	h.sects[BTFDB_DBF_SEC_KERNELS].off = o.f.len;
	for (k = 0; k < w->nk; k++)
		if (btfdb_dbuf_put(&o.f, &w->k[k].e, sizeof(w->k[k].e)))
			goto out;
	h.sects[BTFDB_DBF_SEC_KERNELS].len = o.f.len - h.sects[BTFDB_DBF_SEC_KERNELS].off;

	for (i = 0; i < BTFDB_DBF_NR_SECS; i++)
		h.sects[i].csum = btfdb_hash64(o.f.p + h.sects[i].off, h.sects[i].len);
	memcpy(h.magic, BTFDB_DBF_MAGIC, 8);
	h.version = BTFDB_DBF_VERSION;
	h.hdr_len = sizeof(h);
	h.file_size = o.f.len;
	h.nr_kernels = w->nk;
	h.nr_strings = w->nstr;
	h.nr_pool = w->pool.n;
	h.str_blk = BTFDB_DBF_STR_BLK;
	h.pool_blk = BTFDB_DBF_POOL_BLK;
	h.seq_blk = BTFDB_DBF_SEQ_BLK;
	h.smap_blk = BTFDB_DBF_SMAP_BLK;
	h.gidx_groups = ngroups;
	h.gidx_gpb = BTFDB_DBF_GIDX_GPB;
	h.inv_blk = BTFDB_DBF_INV_BLK;
	h.hdr_csum = 0;
	h.hdr_csum = btfdb_hash64(&h, sizeof(h));
	memcpy(o.f.p, &h, sizeof(h));
	ret = write_file(path, o.f.p, o.f.len, err);
	goto done;
out:
	if (ret == -ENOMEM)
		btfdb_err_set(err, "%s: out of memory", path);
	else
		btfdb_err_set(err, "%s: writing the database failed (%d)", path, ret);
done:
	if (seq_refs)
		for (k = 0; k < w->nk; k++)
			free(seq_refs[k]);
	free(seq_refs);
	free(str_refs);
	free(pool_refs);
	free(gidx_refs);
	free(smap_refs);
	free(sid_of);
	free(named);
	btfdb_dbuf_free(&o.f);
	return ret;
}

/*
 * Rebuild a database keeping only what its kernels use (after rm, or a
 * raw fallback, pool records and strings may be orphaned): every kernel
 * (except `drop`, when given) is extracted, re-parsed and added to a fresh
 * writer, one at a time.
 */
int btfdb_db_compact(const char *src, const char *dst, const char *drop, struct btfdb_err *err)
{
	struct btfdb_db *db = NULL;
	struct btfdb_db_writer *w = NULL;
	int ret, skip = -1;
	uint32_t k;

	if ((ret = btfdb_db_open(src, &db, err)))
		return ret;
	if (drop && (skip = btfdb_db_find_kernel(db, drop, err)) < 0) {
		ret = skip;
		goto out;
	}
	if (!(w = writer_alloc())) {
		btfdb_err_set(err, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (k = 0; k < btfdb_db_kernel_count(db); k++) {
		struct btfdb_db_kernel_info ki;
		struct btfdb_btf *btf;
		void *data;
		size_t size;

		if ((int)k == skip)
			continue;
		btfdb_db_kernel_info(db, k, &ki);
		if ((ret = btfdb_db_extract(db, k, &data, &size, err)))
			goto out;
		ret = btfdb_btf_parse_owned(data, size, NULL, &btf, err);
		if (ret) {
			btfdb_err_prefix(err, "%s: ", ki.name);
			goto out;
		}
		ret = btfdb_db_writer_add(w, btf, ki.name, err);
		btfdb_btf_free(btf);
		if (ret < 0)
			goto out;
	}
	ret = btfdb_db_writer_write(w, dst, err);
out:
	btfdb_db_writer_free(w);
	btfdb_db_close(db);
	return ret < 0 ? ret : 0;
}

/* ---- sources ---- */

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

/* Kernel name from a file name: drop .btf.tar.xz / .btf. */
static char *strip_suffix(const char *s)
{
	char *r = strdup(s);

	if (!r)
		return NULL;
	if (has_suffix(r, ".btf.tar.xz"))
		r[strlen(r) - 11] = 0;
	else if (has_suffix(r, ".btf"))
		r[strlen(r) - 4] = 0;
	return r;
}

struct strlist {
	char **v;
	uint32_t n, cap;
};

static int collect(const char *root, const char *rel, struct strlist *l, int depth)
{
	char *dir;
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (depth > 16)
		return 0;
	if (asprintf(&dir, "%s%s%s", root, rel[0] ? "/" : "", rel) < 0)
		return -ENOMEM;
	d = opendir(dir);
	free(dir);
	if (!d)
		return -errno;
	while (!ret && (de = readdir(d))) {
		char *r, *full;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&r, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) < 0)
			return closedir(d), -ENOMEM;
		if (asprintf(&full, "%s/%s", root, r) < 0) {
			free(r);
			return closedir(d), -ENOMEM;
		}
		if (!stat(full, &st) && S_ISDIR(st.st_mode)) {
			ret = collect(root, r, l, depth + 1);
			free(r);
		} else if (has_suffix(r, ".btf.tar.xz") || has_suffix(r, ".btf")) {
			if (grow((void **)&l->v, &l->cap, l->n + 1, sizeof(char *)))
				ret = -ENOMEM;
			else
				l->v[l->n++] = r;
		} else {
			free(r);
		}
		free(full);
	}
	closedir(d);
	return ret;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_one(struct btfdb_db_writer *w, const char *path, const char *name,
		   void (*progress)(void *, const char *, int), void *ctx, struct btfdb_err *err)
{
	struct btfdb_btf *btf;
	int ret = btfdb_btf_load(path, &btf, err);

	if (ret)
		return ret;
	ret = btfdb_db_writer_add(w, btf, name, err);
	btfdb_btf_free(btf);
	if (ret >= 0 && progress)
		progress(ctx, name, ret);
	return ret < 0 ? ret : 0;
}

int btfdb_db_writer_add_sources(struct btfdb_db_writer *w, const char *const *srcs, int nr,
				const char *name,
				void (*progress)(void *ctx, const char *name, int raw),
				void *ctx, struct btfdb_err *err)
{
	int i, ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		struct stat st;

		if (stat(srcs[i], &st)) {
			ret = -errno;
			btfdb_err_set(err, "%s: %s", srcs[i], strerror(errno));
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			struct strlist l = { 0 };
			uint32_t j;

			ret = collect(srcs[i], "", &l, 0);
			if (ret)
				btfdb_err_set(err, "%s: cannot list: %s", srcs[i], strerror(-ret));
			qsort(l.v, l.n, sizeof(char *), str_cmp);
			if (!ret && !l.n) {
				btfdb_err_set(err, "%s: no *.btf or *.btf.tar.xz files below it", srcs[i]);
				ret = -ENOENT;
			}
			for (j = 0; j < l.n && !ret; j++) {
				char *full = NULL, *kn = strip_suffix(l.v[j]);

				if (!kn || asprintf(&full, "%s/%s", srcs[i], l.v[j]) < 0) {
					btfdb_err_set(err, "out of memory");
					ret = -ENOMEM;
				} else {
					ret = add_one(w, full, kn, progress, ctx, err);
					free(full);
				}
				free(kn);
			}
			for (j = 0; j < l.n; j++)
				free(l.v[j]);
			free(l.v);
		} else {
			char *copy = strdup(srcs[i]), *kn;

			if (!copy) {
				btfdb_err_set(err, "out of memory");
				return -ENOMEM;
			}
			kn = name && nr == 1 ? strdup(name) : strip_suffix(basename(copy));
			free(copy);
			if (!kn) {
				btfdb_err_set(err, "out of memory");
				return -ENOMEM;
			}
			ret = add_one(w, srcs[i], kn, progress, ctx, err);
			free(kn);
		}
	}
	return ret;
}
