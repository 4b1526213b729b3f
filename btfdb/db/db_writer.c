/* SPDX-License-Identifier: MIT */
/*
 * Writing a btfdb database: the writer's state (layout: db_format.h,
 * FORMAT.md).
 *
 * The writer keeps the global string table (each distinct string once) in
 * memory with a hash table for find-or-add, and the pool of distinct
 * encoded type records as a record set (db_wpool.c) whose full blocks,
 * once in the file, are sealed: only a hash slot and a name per record stay
 * in memory.  Kernels
 * are added one at a time (db_add.c); a kernel's private data (seq and
 * strseq, or its raw blob) is compressed when it is added, so memory holds
 * one parsed kernel at a time plus the shared storage (which grows with the
 * DISTINCT content, not with the number of kernels); a writer made by
 * btfdb_db_writer_create() writes each kernel's private data to the file as
 * soon as it is added and keeps none.  db_write.c writes the file;
 * db_sources.c adds files and directories and compacts.
 *
 * This file: allocation, the string set, loading an existing database,
 * finding and removing kernels.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btfdb_internal.h"
#include "db_write_internal.h"

void btfdb_dbw_blk_free(struct wblk *b)
{
	free(b->data);
	b->data = NULL;
}

void btfdb_dbw_kernel_free(struct wkernel *k)
{
	free(k->name);
	k->name = NULL;
	btfdb_dbw_kernel_free_blocks(k);
}

void btfdb_dbw_kernel_free_blocks(struct wkernel *k)
{
	uint32_t i;

	for (i = 0; i < k->nseq; i++)
		btfdb_dbw_blk_free(&k->seq[i]);
	free(k->seq);
	for (i = 0; i < k->ninv; i++)
		btfdb_dbw_blk_free(&k->inv[i]);
	free(k->inv);
	free(k->inv_idx);
	btfdb_dbw_blk_free(&k->strseq);
	btfdb_dbw_blk_free(&k->raw);
	btfdb_dbw_blk_free(&k->named);
	k->seq = k->inv = NULL;
	k->inv_idx = NULL;
	k->nseq = k->ninv = 0;
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
	btfdb_dbw_recset_free(&w->pool);
	btfdb_dbw_recset_free(&w->fresh);
	for (i = 0; i < w->nk; i++)
		btfdb_dbw_kernel_free(&w->k[i]);
	free(w->k);
	free(w->kfirst);
	free(w->str_at);
	free(w->nvar);
	btfdb_db_close(w->base);
	free(w->base_path);
	if (w->fd >= 0)
		close(w->fd);
	btfdb_fileio_atomic_abort(&w->file); /* not committed: drop the temporary */
	free(w);
}

/* ---- the string set ---- */

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
int64_t btfdb_dbw_intern(struct btfdb_db_writer *w, const char *s, size_t len)
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
	    btfdb_dbw_grow((void **)&w->soff, &w->capstr, w->nstr + 1, sizeof(uint64_t)) ||
	    btfdb_dbw_grow((void **)&w->shash, &w->capshash, w->nstr + 1, sizeof(uint64_t)))
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

/* Count record rec (just appended to the pool) in nvar[] under its name. */
int btfdb_dbw_count_named(struct btfdb_db_writer *w, const uint8_t *rec, size_t len)
{
	int64_t sid = btfdb_dbf_rec_name(rec, rec + len);

	if (sid <= 0)
		return 0; /* anonymous */
	if ((uint64_t)sid >= w->capnvar) {
		uint32_t cap = w->capnvar ? w->capnvar : 4096, *n;

		while (cap <= (uint64_t)sid)
			cap *= 2;
		if (!(n = realloc(w->nvar, (size_t)cap * sizeof(*n))))
			return -ENOMEM;
		memset(n + w->capnvar, 0, (size_t)(cap - w->capnvar) * sizeof(*n));
		w->nvar = n;
		w->capnvar = cap;
	}
	w->nvar[sid]++;
	return 0;
}

struct btfdb_db_writer *btfdb_dbw_alloc(void)
{
	struct btfdb_db_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	btfdb_dbw_recset_init(&w->pool, true);
	btfdb_dbw_recset_init(&w->fresh, false);
	if (btfdb_dbw_intern(w, "", 0) != 0) {
		btfdb_db_writer_free(w);
		return NULL;
	}
	w->fd = w->file.fd = -1;
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

/*
 * The shared storage of db into w (strings and records keep their ids),
 * and its kernels: with their blocks (copied, for a full rewrite) or, when
 * append is set, only their names and entries (stored: they stay where
 * they are in the file).
 */
static int load_existing(struct btfdb_db_writer *w, struct btfdb_db *db, bool append,
			 struct btfdb_err *err)
{
	const struct btfdb_dbf_hdr *h = btfdb_dbr_hdr(db);
	const struct btfdb_dbf_blockref *refs;
	uint32_t nb, b, i, k;
	uint8_t *blk = NULL;
	int ret = 0;

	/* per-kernel blocks are copied verbatim: their granularity must be ours */
	if (h->seq_blk != BTFDB_DBF_SEQ_BLK || h->inv_blk != BTFDB_DBF_INV_BLK ||
	    h->named_min != BTFDB_DBF_NAMED_MIN) {
		btfdb_err_set(err, "database uses block sizes %u/%u/%u (expected %u/%u/%u); rebuild it",
			      h->seq_blk, h->inv_blk, h->named_min, BTFDB_DBF_SEQ_BLK,
			      BTFDB_DBF_INV_BLK, BTFDB_DBF_NAMED_MIN);
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
			int64_t sid = btfdb_dbw_intern(w, p, len);

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
	/* pool: when appending, the full blocks stay in the file (sealed: only
	 * their records' hashes and names in memory), read back on a hash match */
	nb = (h->nr_pool + h->pool_blk - 1) / h->pool_blk;
	refs = btfdb_dbr_refs(db, h->pool_tab);
	w->pool.fd = append ? w->fd : -1;
	/* the database's records and an eighth more (a kernel adds a few
	 * thousand), so the slots are sized once, in proportion to the pool */
	if ((ret = btfdb_dbw_recset_reserve(&w->pool, h->nr_pool + h->nr_pool / 8 + 4096)))
		goto out;
	for (b = 0; b < nb; b++) {
		bool seal = append && (uint64_t)(b + 1) * h->pool_blk <= h->nr_pool;
		const uint8_t *p, *end, *start;
		size_t len;

		if (seal) {
			if ((ret = btfdb_dbw_recset_seal_ref(&w->pool, &refs[b])))
				goto out;
			ret = btfdb_dbw_recset_item(&w->pool, b * h->pool_blk, &p, &len);
			if (ret == -ENOMEM)
				goto out;
			if (ret) {
				btfdb_err_set(err, "database: corrupt pool block %u (%s)", b,
					      strerror(-ret));
				goto out;
			}
			/* a copy: the cache may drop the block while records are added */
			if (!(blk = malloc(refs[b].ulen + 1))) {
				ret = -ENOMEM;
				goto out;
			}
			memcpy(blk, p, refs[b].ulen);
			p = blk;
			end = p + refs[b].ulen;
		} else {
			ret = btfdb_dbr_inflate(db, &refs[b], &blk, err);
			if (ret)
				goto out;
			p = blk;
			end = p + refs[b].ulen;
		}
		for (i = 0; p < end; i++) {
			int64_t pid;

			start = p;
			if (btfdb_dbf_rec_skip(&p, end)) {
				btfdb_err_set(err, "database: corrupt pool block %u", b);
				ret = -EINVAL;
				goto out;
			}
			if (seal) {
				ret = btfdb_dbw_recset_add_sealed(&w->pool, start, p - start);
				if (ret && ret != -EEXIST && ret != -ENOMEM) {
					btfdb_err_set(err, "database: corrupt pool (%s)", strerror(-ret));
					goto out;
				}
				pid = ret ? ret : (int64_t)w->pool.n - 1;
			} else {
				pid = btfdb_dbw_recset_get(&w->pool, start, p - start, 1);
			}
			if (pid == -ENOMEM ||
			    (pid >= 0 && btfdb_dbw_count_named(w, start, p - start))) {
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
	/* what opening and loading touched need not stay resident */
	btfdb_dbw_recset_uncache(&w->pool);
	btfdb_dbr_release_pages(db);
	/* kernels: private blocks are copied verbatim (ids are stable) */
	for (k = 0; k < h->nr_kernels; k++) {
		const struct btfdb_dbf_kernel *e = btfdb_dbr_kent(db, k, err);
		struct wkernel *wk;

		if (!e) {
			ret = -EINVAL;
			goto out;
		}
		if (btfdb_dbw_grow((void **)&w->k, &w->capk, w->nk + 1, sizeof(*w->k))) {
			ret = -ENOMEM;
			goto out;
		}
		wk = &w->k[w->nk++];
		memset(wk, 0, sizeof(*wk));
		wk->e = *e;
		wk->name = strdup(btfdb_dbr_ename(e));
		if (!wk->name) {
			ret = -ENOMEM;
			goto out;
		}
		if (append) {
			wk->stored = true;
			continue;
		}
		if (e->flags & BTFDB_DBF_K_RAW) {
			ret = copy_blk(db, &e->raw, &wk->raw, err);
			if (ret)
				goto out;
			continue;
		}
		if ((ret = btfdb_dbr_kernel_tables(db, e, NULL, err)))
			goto out;
		ret = copy_blk(db, &e->strseq, &wk->strseq, err);
		if (!ret)
			ret = copy_blk(db, &e->named, &wk->named, err);
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
		wk->ninv = e->nr_inv;
		wk->inv = calloc(wk->ninv + 1, sizeof(*wk->inv));
		wk->inv_idx = calloc(wk->ninv + 1, sizeof(*wk->inv_idx));
		if (!wk->inv || !wk->inv_idx) {
			ret = -ENOMEM;
			goto out;
		}
		for (i = 0; i < wk->ninv; i++) {
			const struct btfdb_dbf_invref *inv = btfdb_dbr_invrefs(db, e) + i;

			wk->inv_idx[i] = inv->blk;
			if ((ret = copy_blk(db, &inv->ref, &wk->inv[i], err)))
				goto out;
		}
	}
out:
	free(blk);
	return ret;
}

int btfdb_db_writer_new(const char *path, struct btfdb_db_writer **out, struct btfdb_err *err)
{
	struct btfdb_db_writer *w = btfdb_dbw_alloc();
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
			ret = load_existing(w, db, false, err);
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

int btfdb_db_writer_create(const char *path, struct btfdb_db_writer **out, struct btfdb_err *err)
{
	struct btfdb_db_writer *w = btfdb_dbw_alloc();
	int ret;

	*out = NULL;
	if (!w) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	btfdb_fileio_clean_stale_of(path, NULL); /* what killed writers left */
	if ((ret = btfdb_fileio_atomic_open(path, &w->file, err))) {
		btfdb_db_writer_free(w);
		return ret;
	}
	/* the header slots are written last */
	w->end = BTFDB_DBF_HDR_SLOTS * sizeof(struct btfdb_dbf_hdr);
	*out = w;
	return 0;
}

int btfdb_db_writer_open_append(const char *path, struct btfdb_db_writer **out,
				struct btfdb_err *err)
{
	struct btfdb_db_writer *w = btfdb_dbw_alloc();
	struct stat a, b;
	int ret;

	*out = NULL;
	if (!w) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	w->fd = open(path, O_RDWR | O_CLOEXEC);
	if (w->fd < 0 || fstat(w->fd, &a)) {
		ret = -errno;
		btfdb_err_set(err, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if ((ret = btfdb_db_open(path, &w->base, err)))
		goto fail;
	/* the file mapped must be the one open for writing (the caller holds
	 * the writers' lock, so nothing replaces it meanwhile) */
	if (stat(path, &b) || a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		btfdb_err_set(err, "%s: replaced while being opened", path);
		ret = -EAGAIN;
		goto fail;
	}
	if (!(w->base_path = strdup(path))) {
		ret = -ENOMEM;
		goto fail;
	}
	/* whole string and record blocks are referenced again: same granularity */
	if (btfdb_dbr_hdr(w->base)->str_blk != BTFDB_DBF_STR_BLK ||
	    btfdb_dbr_hdr(w->base)->pool_blk != BTFDB_DBF_POOL_BLK) {
		btfdb_err_set(err, "%s: database uses other block sizes; compact it first", path);
		ret = -EINVAL;
		goto fail;
	}
	if ((ret = load_existing(w, w->base, true, err))) {
		if (ret == -ENOMEM)
			btfdb_err_set(err, "out of memory");
		btfdb_err_prefix(err, "%s: ", path);
		goto fail;
	}
	*out = w;
	return 0;
fail:
	if (ret == -ENOMEM && !w->base_path)
		btfdb_err_set(err, "out of memory");
	btfdb_db_writer_free(w);
	return ret;
}

uint32_t btfdb_db_writer_kernel_count(const struct btfdb_db_writer *w)
{
	return w->nk;
}

static const char *release_of(const char *name)
{
	const char *s = strrchr(name, '/');

	return s ? s + 1 : name;
}

/* Index of a kernel by identity or unique release; -ENOENT / -ENOTUNIQ. */
int btfdb_dbw_find(const struct btfdb_db_writer *w, const char *name)
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

int btfdb_db_writer_remove(struct btfdb_db_writer *w, const char *name, struct btfdb_err *err)
{
	int k = btfdb_dbw_find(w, name);

	if (k == -ENOTUNIQ) {
		btfdb_err_set(err, "%s: ambiguous kernel release; give the full name", name);
		return k;
	}
	if (k < 0) {
		btfdb_err_set(err, "%s: no such kernel in the database", name);
		return -ENOENT;
	}
	btfdb_dbw_kernel_free(&w->k[k]);
	memmove(&w->k[k], &w->k[k + 1], (w->nk - k - 1) * sizeof(*w->k));
	w->nk--;
	return 0;
}
