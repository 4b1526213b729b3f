/* SPDX-License-Identifier: MIT */
/*
 * Writing a btfdb database: the file.  Builds the name map (sid -> pool
 * ids) and the essential-name index from the pool, compresses the string
 * and pool blocks, lays out DATA, TABLES, NAMES, KERNELS and writes either
 * a new file atomically (temporary file, fsync, rename) or, for a writer
 * opened for append, only what changed after the end of the existing file,
 * committed by its other header slot (FORMAT.md, "Appending").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btfdb_fileio.h"
#include "btfdb_internal.h"
#include "db_write_internal.h"

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
	struct btfdb_dbuf f;  /* the bytes to write, from file offset base */
	uint64_t base;        /* 0 for a new file; else the old file_size */
	struct btfdb_db *old; /* append: the database being appended to */
	struct btfdb_err *err;
	uint64_t reused;      /* append: bytes of old blocks referenced again */
	int nomem;
};

static uint64_t pos(const struct out *o) { return o->base + o->f.len; }

/* Append one compressed block to DATA, fill ref. */
static void put_blk(struct out *o, const uint8_t *data, uint32_t clen, uint32_t ulen,
		    struct btfdb_dbf_blockref *ref)
{
	ref->off = pos(o);
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
 * A shared block whose index existed before (old != NULL when appending):
 * the old block when it inflates to the same bytes (nothing written), else
 * a new one.
 */
static int put_shared_blk(struct out *o, const void *data, size_t len,
			  const struct btfdb_dbf_blockref *old, struct btfdb_dbf_blockref *ref)
{
	if (old && old->ulen == len) {
		uint8_t *prev;
		int ret = btfdb_dbr_inflate(o->old, old, &prev, o->err);
		bool same;

		if (ret)
			return ret;
		same = !len || !memcmp(prev, data, len);
		free(prev);
		if (same) {
			*ref = *old;
			o->reused += old->clen;
			return 0;
		}
	}
	return put_raw_blk(o, data, len, ref);
}

/* The old table's entry b (NULL when not appending or past its end). */
static const struct btfdb_dbf_blockref *old_ref(const struct out *o, uint64_t tab, uint32_t n,
						uint32_t b)
{
	return o->old && b < n ? btfdb_dbr_refs(o->old, tab) + b : NULL;
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
		esid = len == strlen(name) ? (int64_t)sid : btfdb_dbw_intern(w, name, len);
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
		/* the old block b holds the same groups only with the same count */
		if ((ret = put_shared_blk(o, blk.p, blk.len,
					  o->old && btfdb_dbr_hdr(o->old)->gidx_groups == groups ?
					  old_ref(o, btfdb_dbr_hdr(o->old)->gidx_tab, nblk, b) : NULL,
					  &refs[b])))
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
		if ((ret = put_shared_blk(o, blk.p, blk.len,
					  o->old ? old_ref(o, btfdb_dbr_hdr(o->old)->smap_tab,
							   (btfdb_dbr_hdr(o->old)->nr_strings +
							    BTFDB_DBF_SMAP_BLK - 1) / BTFDB_DBF_SMAP_BLK, b)
						 : NULL, &refs[b])))
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
	while (pos(o) % 8)
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

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * Commit an append: the new bytes after the old end (cutting off what a
 * killed writer may have left there), synced; then the header into the
 * slot not in force, synced.  Until that last write lands whole, readers
 * (and a crash) see the old generation; a torn header slot fails its
 * checksum and leaves the old one in force.  On failure the file is cut
 * back to its old end.
 */
static int commit_append(struct btfdb_db_writer *w, const struct out *o,
			 const struct btfdb_dbf_hdr *h, struct btfdb_err *err)
{
	uint32_t slot = !w->base->slot;
	const char *what = "cannot write";
	int ret;

	if ((ret = pwrite_all(w->fd, o->f.p, o->f.len, o->base)))
		goto fail;
	what = "cannot truncate";
	if (ftruncate(w->fd, (off_t)(o->base + o->f.len))) {
		ret = -errno;
		goto fail;
	}
	what = "cannot sync";
	if (fdatasync(w->fd)) {
		ret = -errno;
		goto fail;
	}
	what = "cannot write the header";
	if ((ret = pwrite_all(w->fd, h, sizeof(*h), (uint64_t)slot * sizeof(*h))))
		goto fail;
	what = "cannot sync";
	if (fdatasync(w->fd)) {
		ret = -errno;
		goto fail;
	}
	return 0;
fail:
	/* best effort: the old generation is in force whatever happens here */
	if (ftruncate(w->fd, (off_t)o->base)) {
		/* nothing more to do: the bytes past file_size are ignored */
	}
	btfdb_err_set(err, "%s: %s: %s (the file is left as it was)", w->base_path, what,
		      strerror(-ret));
	return ret;
}

/*
 * Kernel wk's blocks, then (8-aligned, in DATA) its block tables: nseq seq
 * refs and ninv inverse refs, contiguous, with their checksum; wk->e gets
 * their offsets.  -ENOMEM.
 */
static int put_kernel(struct out *o, struct wkernel *wk)
{
	struct btfdb_dbf_blockref *seq = NULL;
	struct btfdb_dbf_invref *inv = NULL;
	uint64_t at;
	uint32_t i;
	int ret = -ENOMEM;

	wk->e.seq_tab = wk->e.inv_tab = wk->e.tab_csum = 0;
	wk->e.nr_inv = 0;
	if (wk->e.flags & BTFDB_DBF_K_RAW) {
		memset(&wk->e.strseq, 0, sizeof(wk->e.strseq));
		memset(&wk->e.named, 0, sizeof(wk->e.named));
		put_blk(o, wk->raw.data, wk->raw.clen, wk->raw.ulen, &wk->e.raw);
		return o->nomem ? -ENOMEM : 0;
	}
	memset(&wk->e.raw, 0, sizeof(wk->e.raw));
	put_blk(o, wk->named.data, wk->named.clen, wk->named.ulen, &wk->e.named);
	seq = calloc((size_t)wk->nseq + 1, sizeof(*seq));
	inv = calloc((size_t)wk->ninv + 1, sizeof(*inv));
	if (!seq || !inv)
		goto out;
	put_blk(o, wk->strseq.data, wk->strseq.clen, wk->strseq.ulen, &wk->e.strseq);
	for (i = 0; i < wk->nseq; i++)
		put_blk(o, wk->seq[i].data, wk->seq[i].clen, wk->seq[i].ulen, &seq[i]);
	for (i = 0; i < wk->ninv; i++) {
		put_blk(o, wk->inv[i].data, wk->inv[i].clen, wk->inv[i].ulen, &inv[i].ref);
		inv[i].blk = wk->inv_idx[i];
	}
	if (o->nomem || pad8(o))
		goto out;
	at = o->f.len;
	wk->e.seq_tab = pos(o);
	wk->e.inv_tab = pos(o) + (uint64_t)wk->nseq * sizeof(*seq);
	wk->e.nr_inv = wk->ninv;
	if (btfdb_dbuf_put(&o->f, seq, (size_t)wk->nseq * sizeof(*seq)) ||
	    btfdb_dbuf_put(&o->f, inv, (size_t)wk->ninv * sizeof(*inv)))
		goto out;
	wk->e.tab_csum = btfdb_hash64(o->f.p + at, o->f.len - at);
	ret = 0;
out:
	free(seq);
	free(inv);
	return ret;
}

bool btfdb_db_writer_output_failed(const struct btfdb_db_writer *w)
{
	return w->output_failed;
}

/*
 * A writer from btfdb_db_writer_create(): o's bytes (prepared with status
 * ret) to the file at its end, which moves past them.
 */
static int put_at_end(struct btfdb_db_writer *w, struct out *o, int ret, struct btfdb_err *err)
{
	if (ret)
		btfdb_err_set(err, "%s: out of memory", w->file.path);
	else if ((ret = pwrite_all(w->file.fd, o->f.p, o->f.len, w->end))) {
		btfdb_err_set(err, "%s: cannot write: %s (the file is left as it was)",
			      w->file.path, strerror(-ret));
		w->output_failed = true;
	}
	if (!ret)
		w->end += o->f.len;
	btfdb_dbuf_free(&o->f);
	return ret;
}

int btfdb_dbw_store_kernel(struct btfdb_db_writer *w, struct wkernel *wk, struct btfdb_err *err)
{
	struct out o = { { 0 }, w->end, NULL, err, 0, 0 };
	int ret = put_at_end(w, &o, put_kernel(&o, wk), err);

	if (!ret) {
		btfdb_dbw_kernel_free_blocks(wk);
		wk->stored = true;
	}
	return ret;
}

int btfdb_dbw_seal_pool(struct btfdb_db_writer *w, struct btfdb_err *err)
{
	struct recset *r = &w->pool;
	struct out o = { { 0 }, w->end, NULL, err, 0, 0 };
	struct btfdb_dbf_blockref ref;
	uint32_t nb = (r->n - r->base) / BTFDB_DBF_POOL_BLK, b;
	int ret = 0;

	if (!nb)
		return 0;
	r->fd = w->file.fd;
	for (b = 0; b < nb && !ret; b++) {
		uint64_t s = r->off[b * BTFDB_DBF_POOL_BLK], e = r->off[(b + 1) * BTFDB_DBF_POOL_BLK];

		ret = put_raw_blk(&o, r->buf.p + s, e - s, &ref);
		if (!ret)
			ret = btfdb_dbw_recset_seal_ref(r, &ref);
	}
	if (!(ret = put_at_end(w, &o, ret, err))) {
		for (b = 0; b < nb; b++)
			btfdb_dbw_recset_drop_front(r);
	} else {
		r->nsrefs = r->base / BTFDB_DBF_POOL_BLK; /* nothing sealed */
	}
	return ret;
}

/*
 * Complete a file from btfdb_db_writer_create(): the rest after the
 * kernels, the header slots (the second zero), then synced, named and
 * renamed over the target.
 */
static int commit_new(struct btfdb_db_writer *w, const struct out *o,
		      const struct btfdb_dbf_hdr *h, struct btfdb_err *err)
{
	struct btfdb_dbf_hdr slots[BTFDB_DBF_HDR_SLOTS];
	int ret;

	memset(slots, 0, sizeof(slots));
	slots[0] = *h;
	if ((ret = pwrite_all(w->file.fd, o->f.p, o->f.len, o->base)) ||
	    (ret = pwrite_all(w->file.fd, slots, sizeof(slots), 0))) {
		btfdb_err_set(err, "%s: cannot write: %s (the file is left as it was)",
			      w->file.path, strerror(-ret));
		btfdb_fileio_atomic_abort(&w->file);
		return ret;
	}
	return btfdb_fileio_atomic_commit(&w->file, true, err);
}

int btfdb_db_writer_write(struct btfdb_db_writer *w, const char *path, struct btfdb_err *err)
{
	struct out o = { { 0 }, 0, NULL, err, 0, 0 };
	struct btfdb_dbf_hdr h;
	const struct btfdb_dbf_hdr *oh = NULL;
	struct btfdb_dbf_blockref *str_refs = NULL, *pool_refs = NULL, *gidx_refs = NULL;
	struct btfdb_dbf_blockref *smap_refs = NULL;
	uint32_t nstrb, npoolb, nsmapb, ngroups = 0, b, k, i, pid, nnamed = 0;
	uint32_t old_strb = 0;
	const uint32_t *sid_of;
	uint8_t *named = NULL;
	int ret = -ENOMEM;

	memset(&h, 0, sizeof(h));
	if (w->base) {
		if (strcmp(path, w->base_path)) {
			btfdb_err_set(err, "%s: opened to append to %s", path, w->base_path);
			return -EINVAL;
		}
		o.old = w->base;
		oh = btfdb_dbr_hdr(w->base);
		o.base = oh->file_size;
		/* whole blocks of strings and records are unchanged (ids are stable) */
		old_strb = oh->nr_strings / BTFDB_DBF_STR_BLK; /* (full pool blocks: sealed) */
	} else if (w->file.fd >= 0) {
		if (strcmp(path, w->file.path)) {
			btfdb_err_set(err, "%s: created to write %s", path, w->file.path);
			return -EINVAL;
		}
		o.base = w->end; /* after the kernels written as they were added */
	} else {
		/* a new file: both header slots (the second stays zero) */
		for (i = 0; i < BTFDB_DBF_HDR_SLOTS; i++)
			if (btfdb_dbuf_put(&o.f, &h, sizeof(h)))
				goto out;
	}
	/* which sids name a record (each record's name sid is kept as it is added) */
	sid_of = w->pool.names;
	named = calloc((size_t)w->nstr + 1, 1);
	if (!named)
		goto out;
	for (pid = 0; pid < w->pool.n; pid++) {
		uint32_t sid = sid_of[pid];

		if (sid >= w->nstr) {
			ret = -EINVAL;
			goto out;
		}
		if (sid && !named[sid]) {
			named[sid] = 1;
			nnamed++;
		}
	}
	/* DATA: name index first (it may intern essential names) */
	h.sects[BTFDB_DBF_SEC_DATA].off = BTFDB_DBF_HDR_SLOTS * sizeof(h);
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
	if (!str_refs || !pool_refs)
		goto out;
	for (b = 0; b < nstrb; b++) {
		uint64_t s = w->soff[b * BTFDB_DBF_STR_BLK];
		uint64_t e = (b + 1) * BTFDB_DBF_STR_BLK < w->nstr ?
			     w->soff[(b + 1) * BTFDB_DBF_STR_BLK] : w->sbuf.len;

		if (b < old_strb) {
			str_refs[b] = btfdb_dbr_refs(o.old, oh->str_tab)[b];
			o.reused += str_refs[b].clen;
		} else if ((ret = put_shared_blk(&o, w->sbuf.p + s, e - s,
						 old_ref(&o, oh ? oh->str_tab : 0,
							 oh ? (oh->nr_strings + oh->str_blk - 1) /
							      oh->str_blk : 0, b),
						 &str_refs[b]))) {
			goto out;
		}
	}
	for (b = 0; b < npoolb; b++) {
		uint32_t first = b * BTFDB_DBF_POOL_BLK - w->pool.base;
		uint64_t s, e;

		if (b < w->pool.nsrefs) { /* sealed: in the file already */
			pool_refs[b] = w->pool.srefs[b];
			if (o.old)
				o.reused += pool_refs[b].clen;
			continue;
		}
		s = w->pool.off[first];
		e = w->pool.off[(b + 1) * BTFDB_DBF_POOL_BLK < w->pool.n ?
				first + BTFDB_DBF_POOL_BLK : w->pool.n - w->pool.base];
		if ((ret = put_shared_blk(&o, w->pool.buf.p + s, e - s,
						 old_ref(&o, oh ? oh->pool_tab : 0,
							 oh ? (oh->nr_pool + oh->pool_blk - 1) /
							      oh->pool_blk : 0, b),
						 &pool_refs[b]))) {
			goto out;
		}
	}
	ret = -ENOMEM;
	for (k = 0; k < w->nk; k++)
		if (!w->k[k].stored && put_kernel(&o, &w->k[k])) /* else in the file already */
			goto out;
	h.sects[BTFDB_DBF_SEC_DATA].len = pos(&o) - h.sects[BTFDB_DBF_SEC_DATA].off;

	/* TABLES (8-byte aligned): the shared arrays */
	if (pad8(&o))
		goto out;
	h.sects[BTFDB_DBF_SEC_TABLES].off = pos(&o);
	h.str_tab = pos(&o);
	if (btfdb_dbuf_put(&o.f, str_refs, nstrb * sizeof(*str_refs)))
		goto out;
	h.pool_tab = pos(&o);
	if (btfdb_dbuf_put(&o.f, pool_refs, npoolb * sizeof(*pool_refs)))
		goto out;
	h.gidx_tab = pos(&o);
	if (btfdb_dbuf_put(&o.f, gidx_refs, ngroups / BTFDB_DBF_GIDX_GPB * sizeof(*gidx_refs)))
		goto out;
	h.smap_tab = pos(&o);
	if (btfdb_dbuf_put(&o.f, smap_refs, nsmapb * sizeof(*smap_refs)))
		goto out;
	h.sects[BTFDB_DBF_SEC_TABLES].len = pos(&o) - h.sects[BTFDB_DBF_SEC_TABLES].off;

	/* NAMES */
	h.sects[BTFDB_DBF_SEC_NAMES].off = pos(&o);
	for (k = 0; k < w->nk; k++) {
		w->k[k].e.name_off = pos(&o);
		if (btfdb_dbuf_put(&o.f, w->k[k].name, strlen(w->k[k].name) + 1))
			goto out;
	}
	h.sects[BTFDB_DBF_SEC_NAMES].len = pos(&o) - h.sects[BTFDB_DBF_SEC_NAMES].off;

	/* KERNELS (8-byte aligned) */
	if (pad8(&o))
		goto out;
	h.sects[BTFDB_DBF_SEC_KERNELS].off = pos(&o);
	for (k = 0; k < w->nk; k++) {
		w->k[k].e.ent_csum = btfdb_dbf_entry_csum(&w->k[k].e, w->k[k].name);
		if (btfdb_dbuf_put(&o.f, &w->k[k].e, sizeof(w->k[k].e)))
			goto out;
	}
	h.sects[BTFDB_DBF_SEC_KERNELS].len = pos(&o) - h.sects[BTFDB_DBF_SEC_KERNELS].off;

	for (i = BTFDB_DBF_SEC_TABLES; i < BTFDB_DBF_NR_SECS; i++)
		h.sects[i].csum = btfdb_hash64(o.f.p + (h.sects[i].off - o.base), h.sects[i].len);
	memcpy(h.magic, BTFDB_DBF_MAGIC, 8);
	h.version = BTFDB_DBF_VERSION;
	h.hdr_len = sizeof(h);
	h.file_size = pos(&o);
	h.generation = oh ? oh->generation + 1 : 1;
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
	h.named_min = BTFDB_DBF_NAMED_MIN;
	h.hdr_csum = 0;
	h.hdr_csum = btfdb_hash64(&h, sizeof(h));
	if (w->base) {
		ret = commit_append(w, &o, &h, err);
	} else if (w->file.fd >= 0) {
		ret = commit_new(w, &o, &h, err);
	} else {
		memcpy(o.f.p, &h, sizeof(h));
		ret = write_file(path, o.f.p, o.f.len, err);
	}
	goto done;
out:
	if (ret == -ENOMEM)
		btfdb_err_set(err, "%s: out of memory", path);
	else if (o.old && err && err->msg[0])
		btfdb_err_prefix(err, "%s: ", path); /* an old block failed its checks */
	else
		btfdb_err_set(err, "%s: writing the database failed (%d)", path, ret);
done:
	free(str_refs);
	free(pool_refs);
	free(gidx_refs);
	free(smap_refs);
	free(named);
	btfdb_dbuf_free(&o.f);
	return ret;
}
