/* SPDX-License-Identifier: MIT */
/*
 * Reading a btfdb database: block access and the shared block cache.
 * Every block's bounds and checksum are checked before it is inflated;
 * shared blocks (strings, pool, name index, name map) are inflated whole,
 * once, and cached for the life of the db; their items are indexed lazily.
 * Blocks, block refs and kernel entries are read with pread() (see struct
 * btfdb_db).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "btfdb_internal.h"
#include "db_read_internal.h"

static uint32_t blk_hash(uint64_t key)
{
	return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32);
}

static int blk_tab_grow(struct btfdb_db *db)
{
	uint32_t cap = db->bcap ? 2 * db->bcap : 256, i, j;
	uint64_t *k = calloc(cap, sizeof(*k));
	struct cblk **v = malloc((size_t)cap * sizeof(*v));

	if (!k || !v) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < db->bcap; i++) {
		if (!db->bkey[i])
			continue;
		for (j = blk_hash(db->bkey[i]) & (cap - 1); k[j]; j = (j + 1) & (cap - 1))
			;
		k[j] = db->bkey[i];
		v[j] = db->bval[i];
	}
	free(db->bkey);
	free(db->bval);
	db->bkey = k;
	db->bval = v;
	db->bcap = cap;
	return 0;
}

void btfdb_dbr_cache_free(struct btfdb_db *db)
{
	for (uint32_t i = 0; i < db->bcap; i++) {
		if (db->bkey[i]) {
			btfdb_dbr_blk_reset(db->bval[i]);
			free(db->bval[i]);
		}
	}
	free(db->bkey);
	free(db->bval);
	free(db->strb);
	db->bkey = NULL;
	db->bval = NULL;
	db->strb = NULL;
	db->bcap = db->bused = 0;
	if (db->zs) {
		inflateEnd(db->zs);
		free(db->zs);
		db->zs = NULL;
	}
	free(db->rbuf);
	db->rbuf = NULL;
	db->rcap = 0;
}

/* The cache entry of shared block ref (a zeroed one, not yet inflated, when new). */
struct cblk *btfdb_dbr_blk_get(struct btfdb_db *db, uint64_t key, struct btfdb_err *err)
{
	struct cblk *c;
	uint32_t j;

	if ((db->bused + 1) * 2 > db->bcap && blk_tab_grow(db))
		goto nomem;
	for (j = blk_hash(key) & (db->bcap - 1); db->bkey[j]; j = (j + 1) & (db->bcap - 1))
		if (db->bkey[j] == key)
			return db->bval[j];
	if (!(c = calloc(1, sizeof(*c))))
		goto nomem;
	db->bkey[j] = key;
	db->bval[j] = c;
	db->bused++;
	return c;
nomem:
	btfdb_err_set(err, "out of memory");
	return NULL;
}

/* ---- block access ---- */

int btfdb_dbr_pread(struct btfdb_db *db, uint64_t off, void *buf, size_t len,
		    struct btfdb_err *err)
{
	size_t done = 0;

	if (off > db->size || len > db->size - off) {
		btfdb_err_set(err, "database corrupt: read at %llu (+%zu) past the end",
			      (unsigned long long)off, len);
		return -EINVAL;
	}
	while (done < len) {
		ssize_t n = pread(db->fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			btfdb_err_set(err, "database read at %llu: %s", (unsigned long long)(off + done),
				      n < 0 ? strerror(e) : "file shrank");
			return -e;
		}
		done += (size_t)n;
	}
	return 0;
}

int btfdb_dbr_shared_ref(struct btfdb_db *db, uint64_t tab, uint32_t b,
			 struct btfdb_dbf_blockref *ref, struct btfdb_err *err)
{
	/* bounds of the array were checked at open; the ref is checked by its
	 * block's checksum when the block is read */
	return btfdb_dbr_pread(db, tab + (uint64_t)b * sizeof(*ref), ref, sizeof(*ref), err);
}

/* Blocks larger than this are read into a buffer freed right after use. */
#define RBUF_KEEP (256u * 1024)

int btfdb_dbr_checked_data(struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
			   const uint8_t **data, struct btfdb_err *err)
{
	const struct btfdb_dbf_sect *d = &db->h.sects[BTFDB_DBF_SEC_DATA];
	int ret;

	if (ref->off < d->off || ref->off > d->off + d->len || ref->clen > d->off + d->len - ref->off ||
	    ref->ulen > BTFDB_DBF_MAX_ULEN || (!ref->ulen && ref->clen)) {
		btfdb_err_set(err, "database corrupt: block at %llu (+%u) outside the data section",
			      (unsigned long long)ref->off, ref->clen);
		return -EINVAL;
	}
	/* the sizes are not under the checksum: a ulen no deflate stream of
	 * clen bytes can produce is refused before anything is allocated for it */
	if ((uint64_t)ref->ulen > (uint64_t)ref->clen * BTFDB_DBF_MAX_RATIO) {
		btfdb_err_set(err, "database corrupt: block at %llu claims %u bytes from %u "
			      "compressed (deflate expands at most %ux)",
			      (unsigned long long)ref->off, ref->ulen, ref->clen, BTFDB_DBF_MAX_RATIO);
		return -EINVAL;
	}
	if (ref->clen > db->rcap || (db->rcap > RBUF_KEEP && ref->clen <= RBUF_KEEP)) {
		size_t cap = ref->clen > 4096 ? ref->clen : 4096;

		free(db->rbuf);
		if (!(db->rbuf = malloc(cap))) {
			db->rcap = 0;
			btfdb_err_set(err, "out of memory");
			return -ENOMEM;
		}
		db->rcap = cap;
	}
	if ((ret = btfdb_dbr_pread(db, ref->off, db->rbuf, ref->clen, err)))
		return ret;
	*data = db->rbuf;
	if (btfdb_hash64(*data, ref->clen) != ref->csum) {
		btfdb_err_set(err, "database corrupt: checksum mismatch in block at %llu",
			      (unsigned long long)ref->off);
		return -EINVAL;
	}
	return 0;
}

/*
 * Inflate the checked compressed bytes src of block ref into out (ref->ulen
 * bytes) with the db's reusable stream: one inflate() call with Z_FINISH
 * and room for exactly ulen bytes, so zlib never allocates or fills its
 * sliding window.  Success means exactly ulen bytes out, every input byte
 * consumed and the stream complete.
 */
static int db_inflate(struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
		      const uint8_t *src, uint8_t *out, struct btfdb_err *err)
{
	z_stream *zs = db->zs;
	int ret;

	if (!ref->ulen)
		return 0; /* checked_data: clen is 0 too */
	if (!zs) {
		zs = calloc(1, sizeof(*zs));
		if (!zs || inflateInit2(zs, -15) != Z_OK) {
			free(zs);
			btfdb_err_set(err, "out of memory");
			return -ENOMEM;
		}
		db->zs = zs;
	} else if (inflateReset(zs) != Z_OK) {
		goto bad;
	}
	zs->next_in = (Bytef *)src;
	zs->avail_in = ref->clen;
	zs->next_out = out;
	zs->avail_out = ref->ulen;
	ret = inflate(zs, Z_FINISH);
	if (ret == Z_STREAM_END && !zs->avail_out && !zs->avail_in)
		return 0;
bad:
	btfdb_err_set(err, "database corrupt: block at %llu does not inflate to %u bytes",
		      (unsigned long long)ref->off, ref->ulen);
	return -EINVAL;
}

int btfdb_dbr_inflate(struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
		      uint8_t **out, struct btfdb_err *err)
{
	const uint8_t *src;
	uint8_t *buf;
	int ret = btfdb_dbr_checked_data(db, ref, &src, err);

	*out = NULL;
	if (ret)
		return ret;
	buf = malloc((size_t)ref->ulen + 1);
	if (!buf) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if ((ret = db_inflate(db, ref, src, buf, err))) {
		free(buf);
		return ret;
	}
	buf[ref->ulen] = 0;
	*out = buf;
	return 0;
}

const struct btfdb_dbf_hdr *btfdb_dbr_hdr(const struct btfdb_db *db) { return &db->h; }
const struct btfdb_dbf_blockref *btfdb_dbr_refs(const struct btfdb_db *db, uint64_t off)
{
	return (const struct btfdb_dbf_blockref *)(db->map + off);
}
const struct btfdb_dbf_invref *btfdb_dbr_invrefs(const struct btfdb_db *db,
						 const struct btfdb_dbf_kernel *e)
{
	return (const struct btfdb_dbf_invref *)(db->map + e->inv_tab);
}
const char *btfdb_dbr_kernel_name(const struct btfdb_db *db, uint32_t k)
{
	return db->kent && k < db->h.nr_kernels && db->kent[k] ? db->kent[k]->name : "?";
}

/* ---- cached blocks (strings, pool, name map, per-kernel seq / inverse) ---- */

void btfdb_dbr_blk_reset(struct cblk *c)
{
	free(c->data);
	free(c->offs);
	memset(c, 0, sizeof(*c));
}

/* Block c is corrupt: keep what was handed out, refuse it from now on. */
static void blk_fail(struct cblk *c)
{
	c->bad = true;
}

/*
 * Inflate block c (ref) whole: bounds and checksum of all its compressed
 * bytes first; offs gets n + 1 slots (none when n = 0).
 */
int btfdb_dbr_blk_start(struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
			 struct cblk *c, uint32_t n, struct btfdb_err *err)
{
	const uint8_t *src;
	int ret = btfdb_dbr_checked_data(db, ref, &src, err);

	if (ret)
		return ret;
	c->data = malloc((size_t)ref->ulen + 1);
	c->offs = n ? malloc(((size_t)n + 1) * sizeof(uint32_t)) : NULL;
	if (!c->data || (n && !c->offs)) {
		btfdb_dbr_blk_reset(c);
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if ((ret = db_inflate(db, ref, src, c->data, err))) {
		btfdb_dbr_blk_reset(c);
		return ret;
	}
	c->data[ref->ulen] = 0;
	c->len = ref->ulen;
	if (c->offs)
		c->offs[0] = 0;
	c->n = n;
	c->scanned = 0;
	c->ok = true;
	return 0;
}

/*
 * String sid's block, indexed up to string i = sid % str_blk: strings are
 * found (NUL-terminated inside the inflated block) in order; the block
 * must end exactly after its last string (checked when that one is indexed).
 */
const char *btfdb_dbr_str(struct btfdb_db *db, uint64_t sid, struct btfdb_err *err)
{
	struct btfdb_dbf_blockref ref;
	struct cblk *c;
	uint32_t b, i;

	if (sid >= db->h.nr_strings) {
		btfdb_err_set(err, "database corrupt: string id %llu out of range",
			      (unsigned long long)sid);
		return NULL;
	}
	b = (uint32_t)(sid / db->h.str_blk);
	i = (uint32_t)(sid % db->h.str_blk);
	if (!db->strb) {
		if (!(db->strb = calloc(db->nstrb, sizeof(*db->strb)))) {
			btfdb_err_set(err, "out of memory");
			return NULL;
		}
		db->str_shift = db->h.str_blk & (db->h.str_blk - 1) ? 32
								   : (uint32_t)__builtin_ctz(db->h.str_blk);
	}
	c = db->strb[b];
	/* a string already indexed (its NUL found) */
	if (c && c->ok && !c->bad && i < c->scanned)
		return (const char *)c->data + c->offs[i];
	if (!c && !(c = db->strb[b] = btfdb_dbr_blk_get(db, db->h.str_tab + (uint64_t)b * sizeof(ref),
							 err)))
		return NULL;
	if (!c->ok) {
		uint32_t want = b + 1 < db->nstrb ? db->h.str_blk
						  : db->h.nr_strings - b * db->h.str_blk;

		if (btfdb_dbr_shared_ref(db, db->h.str_tab, b, &ref, err) ||
		    btfdb_dbr_blk_start(db, &ref, c, want, err))
			return NULL;
	}
	if (c->bad || i >= c->n)
		goto bad;
	while (c->scanned <= i) {
		uint32_t pos = c->offs[c->scanned], next;
		const uint8_t *z = pos < c->len ? memchr(c->data + pos, 0, c->len - pos) : NULL;

		if (!z)
			goto bad;
		next = (uint32_t)(z - c->data) + 1;
		if (c->scanned + 1 == c->n && next != c->len)
			goto bad; /* the last string must end the block */
		c->offs[++c->scanned] = next;
	}
	return (const char *)c->data + c->offs[i];
bad:
	btfdb_err_set(err, "database corrupt: string block %u does not hold %u strings", b, c->n);
	blk_fail(c);
	return NULL;
}

/*
 * Item i of block b, a block of n variable-length items: [*p, *end).  The
 * block is inflated whole; its item starts are found incrementally, only up
 * to the item asked for (a relocation touches few items per block); the block's
 * exact end is checked once the scan reaches its last item.  skip()
 * advances past one item, nonzero when it does not fit before the end.
 */
static int blk_item(struct btfdb_db *db, uint64_t tab, uint32_t n,
		    uint32_t i, int (*skip)(const uint8_t **, const uint8_t *),
		    const char *what, uint32_t b, const uint8_t **p, const uint8_t **end,
		    struct btfdb_err *err)
{
	struct btfdb_dbf_blockref ref;
	struct cblk *c = btfdb_dbr_blk_get(db, tab + (uint64_t)b * sizeof(ref), err);
	int ret;

	if (!c)
		return -ENOMEM;
	if (!c->ok && ((ret = btfdb_dbr_shared_ref(db, tab, b, &ref, err)) ||
		       (ret = btfdb_dbr_blk_start(db, &ref, c, n, err))))
		return ret;
	if (c->bad || i >= c->n)
		goto bad;
	/* invariant: offs[0..scanned] are known item starts */
	while (c->scanned <= i) {
		const uint8_t *q = c->data + c->offs[c->scanned];

		if (skip(&q, c->data + c->len))
			goto bad;
		if (c->scanned + 1 == c->n && q != c->data + c->len)
			goto bad; /* the last item must end the block */
		c->offs[++c->scanned] = (uint32_t)(q - c->data);
	}
	*p = c->data + c->offs[i];
	*end = c->data + c->offs[i + 1];
	return 0;
bad:
	btfdb_err_set(err, "database corrupt: %s block %u is malformed", what, b);
	blk_fail(c);
	return -EINVAL;
}

/*
 * Pool record pid: [*p, *end).  A pool block is inflated whole and its record
 * starts found incrementally: only up to the record asked for (a
 * relocation touches few records per block); the block's exact end is
 * checked once the scan reaches its last record.
 */
int btfdb_dbr_pool_rec(struct btfdb_db *db, uint64_t pid, const uint8_t **p, const uint8_t **end,
		    struct btfdb_err *err)
{
	uint32_t b, i, n;

	if (pid >= db->h.nr_pool) {
		btfdb_err_set(err, "database corrupt: pool id %llu out of range",
			      (unsigned long long)pid);
		return -EINVAL;
	}
	b = (uint32_t)(pid / db->h.pool_blk);
	i = (uint32_t)(pid % db->h.pool_blk);
	n = b + 1 < db->npoolb ? db->h.pool_blk : db->h.nr_pool - b * db->h.pool_blk;
	return blk_item(db, db->h.pool_tab, n, i, btfdb_dbf_rec_skip, "pool", b, p, end, err);
}

/* One name-map entry: varint n, then n varints (n bounded by the bytes left). */
static int smap_skip(const uint8_t **pp, const uint8_t *end)
{
	uint64_t n, v, j;

	if (btfdb_dbf_get_varint(pp, end, &n) || n > (uint64_t)(end - *pp))
		return -1;
	for (j = 0; j < n; j++)
		if (btfdb_dbf_get_varint(pp, end, &v))
			return -1;
	return 0;
}

/*
 * The name-map entry of sid: [*p, *end).  Like pool blocks, a name-map
 * block is inflated whole and its entry starts found incrementally up to the
 * entry asked for; the block's exact end is checked at its last entry.
 */
int btfdb_dbr_smap_entry(struct btfdb_db *db, uint64_t sid, const uint8_t **p, const uint8_t **end,
		      struct btfdb_err *err)
{
	uint32_t b = (uint32_t)(sid / db->h.smap_blk), i = (uint32_t)(sid % db->h.smap_blk);
	uint32_t n = b + 1 < db->nsmapb ? db->h.smap_blk : db->h.nr_strings - b * db->h.smap_blk;

	return blk_item(db, db->h.smap_tab, n, i, smap_skip, "name map", b, p, end, err);
}
