/* SPDX-License-Identifier: MIT */
/*
 * Writing a btfdb database (layout: db_format.h, FORMAT.md).
 *
 * The writer keeps the shared storage in memory in uncompressed form: the
 * global string table (each distinct string once) and the pool of distinct
 * encoded type records, each with a hash table for find-or-add.  Kernels
 * are added one at a time; a kernel's private data (seq, inverse map,
 * strseq or its raw blob) is compressed when it is added, so memory holds
 * one parsed kernel at a time plus the shared storage (which grows with
 * the DISTINCT content, not with the number of kernels).
 *
 * Adding a kernel:
 *  1. Check the blob has the plain layout (LE, header <= 32 bytes, types
 *     then strings, nothing else); otherwise store it raw.
 *  2. Split the string section at NULs; intern each string (strseq).  A
 *     name offset is representable only when it is the FIRST start of its
 *     string in this section.
 *  3. Encode each type (db_codec.c) and find-or-add it in the pool (seq).
 *  4. Decode every record back from the pool and rebuild the string section
 *     from strseq; compare with the original bytes.  Any difference -> raw.
 * Writing builds the shared name index from the pool, compresses the string
 * and pool blocks and writes the file atomically.
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
#include "btfdb_internal.h"
#include "db_format.h"
#include "db_read_internal.h"

/* A compressed block owned by the writer. */
struct wblk {
	uint8_t *data;
	uint32_t clen, ulen;
};

struct wkernel {
	char *name;
	struct btfdb_dbf_kernel e;   /* entry; offsets filled at write time */
	struct wblk *seq, *inv;      /* per-kernel block arrays */
	uint32_t nseq, ninv;
	struct wblk strseq, raw;
};

/* Open-addressing set of ids (slot = id + 1, 0 = empty) keyed by a hash. */
struct idset {
	uint32_t *slots;
	uint32_t cap;   /* power of two */
};

struct btfdb_db_writer {
	/* global strings: sbuf holds them NUL-terminated, soff[sid] the start */
	struct btfdb_dbuf sbuf;
	uint64_t *soff;
	uint64_t *shash;
	uint32_t nstr, capstr;
	struct idset sset;
	/* pool: pbuf holds encoded records, poff[pid] the start, poff[n] the end */
	struct btfdb_dbuf pbuf;
	uint64_t *poff;
	uint64_t *phash;
	uint32_t npool, cappool;
	struct idset pset;
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
	for (i = 0; i < k->ninv; i++)
		wblk_free(&k->inv[i]);
	free(k->seq);
	free(k->inv);
	wblk_free(&k->strseq);
	wblk_free(&k->raw);
}

void btfdb_db_writer_free(struct btfdb_db_writer *w)
{
	uint32_t i;

	if (!w)
		return;
	btfdb_dbuf_free(&w->sbuf);
	btfdb_dbuf_free(&w->pbuf);
	free(w->soff);
	free(w->shash);
	free(w->sset.slots);
	free(w->poff);
	free(w->phash);
	free(w->pset.slots);
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
	if (w->nstr == UINT32_MAX - 1 ||
	    grow((void **)&w->soff, &w->capstr, w->nstr + 1, sizeof(uint64_t)))
		return -ENOMEM;
	{
		uint64_t *nh = realloc(w->shash, (size_t)w->capstr * sizeof(uint64_t));

		if (!nh)
			return -ENOMEM;
		w->shash = nh;
	}
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

/* Find-or-add an encoded record; returns pid or -ENOMEM. */
static int64_t pool_intern(struct btfdb_db_writer *w, const uint8_t *rec, size_t len)
{
	uint64_t h = btfdb_hash64(rec, len);
	uint32_t j, id;

	if ((uint64_t)(w->npool + 1) * 2 > w->pset.cap && idset_grow(&w->pset, w->phash, w->npool))
		return -ENOMEM;
	for (j = (uint32_t)h & (w->pset.cap - 1); w->pset.slots[j]; j = (j + 1) & (w->pset.cap - 1)) {
		id = w->pset.slots[j] - 1;
		if (w->phash[id] == h && w->poff[id + 1] - w->poff[id] == len &&
		    !memcmp(w->pbuf.p + w->poff[id], rec, len))
			return id;
	}
	if (w->npool >= UINT32_MAX - 2 ||
	    grow((void **)&w->poff, &w->cappool, w->npool + 2, sizeof(uint64_t)))
		return -ENOMEM;
	{
		uint64_t *nh = realloc(w->phash, (size_t)w->cappool * sizeof(uint64_t));

		if (!nh)
			return -ENOMEM;
		w->phash = nh;
	}
	if (btfdb_dbuf_put(&w->pbuf, rec, len))
		return -ENOMEM;
	id = w->npool++;
	w->poff[id] = w->pbuf.len - len;
	w->poff[id + 1] = w->pbuf.len;
	w->phash[id] = h;
	w->pset.slots[j] = id + 1;
	return id;
}

static struct btfdb_db_writer *writer_alloc(void)
{
	struct btfdb_db_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	if (str_intern(w, "", 0) != 0) {
		btfdb_db_writer_free(w);
		return NULL;
	}
	w->poff = malloc(1024 * sizeof(uint64_t));
	w->phash = malloc(1024 * sizeof(uint64_t));
	if (!w->poff || !w->phash) {
		btfdb_db_writer_free(w);
		return NULL;
	}
	w->cappool = 1024;
	w->poff[0] = 0;
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
			pid = pool_intern(w, start, p - start);
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
		wk->ninv = (e->pool_cnt + h->inv_blk - 1) / h->inv_blk;
		wk->seq = calloc(wk->nseq + 1, sizeof(*wk->seq));
		wk->inv = calloc(wk->ninv + 1, sizeof(*wk->inv));
		if (!wk->seq || !wk->inv) {
			ret = -ENOMEM;
			goto out;
		}
		refs = btfdb_dbr_refs(db, e->seq_tab);
		for (i = 0; i < wk->nseq; i++)
			if ((ret = copy_blk(db, &refs[i], &wk->seq[i], err)))
				goto out;
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

struct name_ctx {
	struct btfdb_db_writer *w;
	uint32_t str_len;
};

static int64_t enc_name(void *c, uint32_t off)
{
	struct name_ctx *nc = c;
	uint32_t s;

	if (off >= nc->str_len || !(s = nc->w->str_at[off]))
		return -1;
	if (nc->w->kfirst[s - 1] != off)
		return -1; /* a later duplicate of the string: not representable */
	return s - 1;
}

static int64_t dec_name(void *c, uint64_t sid)
{
	struct name_ctx *nc = c;

	if (sid >= nc->w->nstr || nc->w->kfirst[sid] == UINT32_MAX)
		return -1;
	return nc->w->kfirst[sid];
}

static int compress_into(struct wblk *b, const struct btfdb_dbuf *buf)
{
	b->ulen = (uint32_t)buf->len;
	return btfdb_dbf_deflate(buf->p, buf->len, &b->data, &b->clen);
}

struct pair {
	uint32_t pid, tid;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
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
	uint32_t *seq = NULL, *strseq = NULL, nstrs = 0, nr, id, i, off, str_len;
	struct pair *pairs = NULL;
	size_t npairs = 0;
	const char *strs;
	struct name_ctx nc;
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

	/* 2. strings */
	free(w->str_at);
	w->str_at = calloc((size_t)str_len + 1, sizeof(uint32_t));
	strseq = malloc(((size_t)str_len + 1) * sizeof(uint32_t));
	seq = malloc(((size_t)nr + 1) * sizeof(uint32_t));
	if (!w->str_at || !strseq || !seq)
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
		w->kfirst[strseq[i]] = UINT32_MAX;
	for (i = 0, off = 0; i < nstrs; i++) {
		if (w->kfirst[strseq[i]] == UINT32_MAX)
			w->kfirst[strseq[i]] = off;
		off += (uint32_t)strlen((const char *)w->sbuf.p + w->soff[strseq[i]]) + 1;
	}
	nc.w = w;
	nc.str_len = str_len;

	/* 3. types */
	pairs = malloc(((size_t)nr + 1) * sizeof(*pairs));
	if (!pairs)
		goto nomem;
	for (id = 1; id <= nr; id++) {
		const struct btf_type *t = btfdb_btf_type(btf, id);
		size_t tsz = sizeof(*t) + btfdb_type_extra_size(t);
		int64_t pid;
		const char *name;

		enc.len = 0;
		ret = btfdb_dbf_rec_encode(t, tsz, id, enc_name, &nc, &enc);
		if (ret) {
			if (ret == -1) {
				*why = "a name offset is not the first copy of its string";
				ret = 1;
			}
			goto out;
		}
		pid = pool_intern(w, enc.p, enc.len);
		if (pid < 0)
			goto nomem;
		seq[id - 1] = (uint32_t)pid;
		name = btfdb_btf_str(btf, t->name_off);
		if (name && name[0] && btfdb_essential_name_len(name)) {
			pairs[npairs].pid = (uint32_t)pid;
			pairs[npairs++].tid = id;
		}
	}

	/* 4. decode back and compare */
	for (id = 1; id <= nr; id++) {
		const uint8_t *p = w->pbuf.p + w->poff[seq[id - 1]];

		if (btfdb_dbf_rec_decode(&p, w->pbuf.p + w->poff[seq[id - 1] + 1], id, dec_name,
					 &nc, &dec)) {
			*why = "record did not decode";
			ret = 1;
			goto out;
		}
	}
	if (dec.len != bh->type_len || memcmp(dec.p, raw + bh->hdr_len, dec.len)) {
		*why = "types did not round-trip";
		ret = 1;
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
		ret = 1;
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
	/* inverse map of named types */
	qsort(pairs, npairs, sizeof(*pairs), pair_cmp);
	wk->e.pool_cnt = w->npool;
	wk->ninv = (w->npool + BTFDB_DBF_INV_BLK - 1) / BTFDB_DBF_INV_BLK;
	wk->inv = calloc(wk->ninv + 1, sizeof(*wk->inv));
	if (!wk->inv)
		goto nomem;
	{
		size_t j = 0;

		for (i = 0; i < wk->ninv; i++) {
			uint32_t base = i * BTFDB_DBF_INV_BLK, prev_p = base, prev_t = 0;

			tmp.len = 0;
			for (; j < npairs && pairs[j].pid < base + BTFDB_DBF_INV_BLK; j++) {
				if (btfdb_dbuf_varint(&tmp, pairs[j].pid - prev_p) ||
				    btfdb_dbuf_varint(&tmp, btfdb_dbf_zz((int64_t)pairs[j].tid -
									 prev_t - 1)))
					goto nomem;
				prev_p = pairs[j].pid;
				prev_t = pairs[j].tid;
			}
			if ((ret = compress_into(&wk->inv[i], &tmp)))
				goto out;
		}
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
	ret = 0;
	goto out;
nomem:
	ret = -ENOMEM;
out:
	if (ret == 1) {
		/* drop partial per-kernel blocks; orphan pool/string entries stay */
		for (i = 0; i < wk->nseq; i++)
			wblk_free(&wk->seq[i]);
		for (i = 0; i < wk->ninv; i++)
			wblk_free(&wk->inv[i]);
		free(wk->seq);
		free(wk->inv);
		wk->seq = wk->inv = NULL;
		wk->nseq = wk->ninv = 0;
	}
	btfdb_dbuf_free(&enc);
	btfdb_dbuf_free(&dec);
	btfdb_dbuf_free(&tmp);
	free(seq);
	free(strseq);
	free(pairs);
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
	uint32_t group, sid, pid;
	uint64_t hash;
};

static int gent_cmp(const void *a, const void *b)
{
	const struct gent *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->sid != y->sid)
		return x->sid < y->sid ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
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

/* Build the shared name index blocks; refs malloc'd into *refs_out. */
static int build_gidx(struct btfdb_db_writer *w, struct out *o, uint32_t *ngroups_out,
		      struct btfdb_dbf_blockref **refs_out)
{
	struct gent *g = NULL;
	size_t ng = 0, j;
	uint8_t *seen = NULL;
	uint32_t pid, ndistinct = 0, groups, nblk, b;
	struct btfdb_dbf_blockref *refs = NULL;
	struct btfdb_dbuf blk = { 0 };
	int ret = -ENOMEM;

	g = malloc(((size_t)w->npool + 1) * sizeof(*g));
	if (!g)
		goto out;
	for (pid = 0; pid < w->npool; pid++) {
		const uint8_t *p = w->pbuf.p + w->poff[pid], *end = w->pbuf.p + w->poff[pid + 1];
		uint64_t info, sid;
		const char *name;
		size_t len;
		int64_t esid;

		if (btfdb_dbf_get_varint(&p, end, &info) || btfdb_dbf_get_varint(&p, end, &sid) ||
		    sid >= w->nstr) {
			ret = -EINVAL;
			goto out;
		}
		name = (const char *)w->sbuf.p + w->soff[sid];
		if (!name[0] || !(len = btfdb_essential_name_len(name)))
			continue;
		esid = len == strlen(name) ? (int64_t)sid : str_intern(w, name, len);
		if (esid < 0)
			goto out;
		name = (const char *)w->sbuf.p + w->soff[esid];
		g[ng].sid = (uint32_t)esid;
		g[ng].pid = pid;
		g[ng++].hash = btfdb_hash64(name, len);
	}
	seen = calloc(w->nstr / 8 + 1, 1);
	if (!seen)
		goto out;
	for (j = 0; j < ng; j++) {
		if (!(seen[g[j].sid / 8] & (1 << (g[j].sid % 8))))
			ndistinct++;
		seen[g[j].sid / 8] |= 1 << (g[j].sid % 8);
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

				while (k < ng && g[k].group == group && g[k].sid == g[j].sid)
					k++;
				n = k - j;
				if (btfdb_dbuf_put(&blk, &fp, 2) || btfdb_dbuf_varint(&blk, g[j].sid) ||
				    btfdb_dbuf_varint(&blk, n))
					goto out;
				for (; j < k; j++) {
					if (btfdb_dbuf_varint(&blk, j == k - n ? g[j].pid
									: g[j].pid - prev - 1))
						goto out;
					prev = g[j].pid;
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
	free(seen);
	free(refs);
	btfdb_dbuf_free(&blk);
	return ret;
}

static int write_file(const char *path, const void *data, size_t len, struct btfdb_err *err)
{
	char *tmp = NULL;
	const uint8_t *p = data;
	int fd;

	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;

		btfdb_err_set(err, "%s: cannot create temporary file: %s", path, strerror(e));
		free(tmp);
		return -e;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			btfdb_err_set(err, "%s: write failed: %s", tmp, strerror(e));
			close(fd);
			unlink(tmp);
			free(tmp);
			return -e;
		}
		p += n;
		len -= n;
	}
	fchmod(fd, 0644);
	if (fsync(fd) || close(fd) || rename(tmp, path)) {
		int e = errno;

		btfdb_err_set(err, "%s: %s", path, strerror(e));
		unlink(tmp);
		free(tmp);
		return -e;
	}
	free(tmp);
	return 0;
}

int btfdb_db_writer_write(struct btfdb_db_writer *w, const char *path, struct btfdb_err *err)
{
	struct out o = { { 0 }, 0 };
	struct btfdb_dbf_hdr h;
	struct btfdb_dbf_blockref *str_refs = NULL, *pool_refs = NULL, *gidx_refs = NULL;
	struct btfdb_dbf_blockref **seq_refs = NULL, **inv_refs = NULL;
	uint32_t nstrb, npoolb, ngroups = 0, b, k, i;
	uint64_t *name_offs = NULL;
	int ret = -ENOMEM;

	memset(&h, 0, sizeof(h));
	if (btfdb_dbuf_put(&o.f, &h, sizeof(h)))
		goto out;
	/* DATA: name index first (it may intern essential names) */
	h.sects[BTFDB_DBF_SEC_DATA].off = o.f.len;
	if ((ret = build_gidx(w, &o, &ngroups, &gidx_refs)))
		goto out;
	ret = -ENOMEM;
	nstrb = (w->nstr + BTFDB_DBF_STR_BLK - 1) / BTFDB_DBF_STR_BLK;
	npoolb = (w->npool + BTFDB_DBF_POOL_BLK - 1) / BTFDB_DBF_POOL_BLK;
	str_refs = calloc(nstrb + 1, sizeof(*str_refs));
	pool_refs = calloc(npoolb + 1, sizeof(*pool_refs));
	seq_refs = calloc(w->nk + 1, sizeof(*seq_refs));
	inv_refs = calloc(w->nk + 1, sizeof(*inv_refs));
	name_offs = calloc(w->nk + 1, sizeof(*name_offs));
	if (!str_refs || !pool_refs || !seq_refs || !inv_refs || !name_offs)
		goto out;
	for (b = 0; b < nstrb; b++) {
		uint64_t s = w->soff[b * BTFDB_DBF_STR_BLK];
		uint64_t e = (b + 1) * BTFDB_DBF_STR_BLK < w->nstr ?
			     w->soff[(b + 1) * BTFDB_DBF_STR_BLK] : w->sbuf.len;

		if ((ret = put_raw_blk(&o, w->sbuf.p + s, e - s, &str_refs[b])))
			goto out;
	}
	for (b = 0; b < npoolb; b++) {
		uint64_t s = w->poff[b * BTFDB_DBF_POOL_BLK];
		uint64_t e = w->poff[(b + 1) * BTFDB_DBF_POOL_BLK < w->npool ?
				     (b + 1) * BTFDB_DBF_POOL_BLK : w->npool];

		if ((ret = put_raw_blk(&o, w->pbuf.p + s, e - s, &pool_refs[b])))
			goto out;
	}
	ret = -ENOMEM;
	for (k = 0; k < w->nk; k++) {
		struct wkernel *wk = &w->k[k];

		if (wk->e.flags & BTFDB_DBF_K_RAW) {
			put_blk(&o, wk->raw.data, wk->raw.clen, wk->raw.ulen, &wk->e.raw);
			continue;
		}
		memset(&wk->e.raw, 0, sizeof(wk->e.raw));
		put_blk(&o, wk->strseq.data, wk->strseq.clen, wk->strseq.ulen, &wk->e.strseq);
		seq_refs[k] = calloc(wk->nseq + 1, sizeof(**seq_refs));
		inv_refs[k] = calloc(wk->ninv + 1, sizeof(**inv_refs));
		if (!seq_refs[k] || !inv_refs[k])
			goto out;
		for (i = 0; i < wk->nseq; i++)
			put_blk(&o, wk->seq[i].data, wk->seq[i].clen, wk->seq[i].ulen, &seq_refs[k][i]);
		for (i = 0; i < wk->ninv; i++)
			put_blk(&o, wk->inv[i].data, wk->inv[i].clen, wk->inv[i].ulen, &inv_refs[k][i]);
	}
	if (o.nomem)
		goto out;
	h.sects[BTFDB_DBF_SEC_DATA].len = o.f.len - h.sects[BTFDB_DBF_SEC_DATA].off;

	/* TABLES (8-byte aligned) */
	while (o.f.len % 8)
		if (btfdb_dbuf_put(&o.f, "", 1))
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
	for (k = 0; k < w->nk; k++) {
		struct wkernel *wk = &w->k[k];

		wk->e.seq_tab = wk->e.inv_tab = 0;
		if (wk->e.flags & BTFDB_DBF_K_RAW)
			continue;
		wk->e.seq_tab = o.f.len;
		if (btfdb_dbuf_put(&o.f, seq_refs[k], wk->nseq * sizeof(**seq_refs)))
			goto out;
		wk->e.inv_tab = o.f.len;
		if (btfdb_dbuf_put(&o.f, inv_refs[k], wk->ninv * sizeof(**inv_refs)))
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
	while (o.f.len % 8)
		if (btfdb_dbuf_put(&o.f, "", 1))
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
	h.nr_pool = w->npool;
	h.str_blk = BTFDB_DBF_STR_BLK;
	h.pool_blk = BTFDB_DBF_POOL_BLK;
	h.seq_blk = BTFDB_DBF_SEQ_BLK;
	h.inv_blk = BTFDB_DBF_INV_BLK;
	h.gidx_groups = ngroups;
	h.gidx_gpb = BTFDB_DBF_GIDX_GPB;
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
	if (inv_refs)
		for (k = 0; k < w->nk; k++)
			free(inv_refs[k]);
	free(seq_refs);
	free(inv_refs);
	free(str_refs);
	free(pool_refs);
	free(gidx_refs);
	free(name_offs);
	btfdb_dbuf_free(&o.f);
	return ret;
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
