/* SPDX-License-Identifier: MIT */
/*
 * Reading a btfdb database: open via mmap, validate, list, extract, verify,
 * and lazy per-kernel BTF / index backends (layout: db_format.h).
 *
 * Validation is layered so that opening stays cheap:
 *  - open: header checksum and fields, section bounds, checksums of the
 *    TABLES, NAMES and KERNELS sections, every table array and kernel
 *    entry in bounds;
 *  - on use: every block's bounds, checksum and exact inflated size, every
 *    varint, id and offset decoded from it (blocks are inflated once and
 *    cached for the life of the db);
 *  - verify: the DATA checksum and every block and kernel in full.
 *
 * A backend BTF handle maps type id -> pool id through the kernel's seq
 * blocks, decodes the pool record for that id (name_off := sid) and caches
 * it.  References resolve through the kernel's resolver (kres): its seq
 * inverted (pool id -> type ids) and, for named targets, the shared name
 * map (sid -> pool ids).  The backend index maps an essential name to sids
 * through the shared name index, then sids to type ids the same way.
 * Chains of typedefs/modifiers/arrays/vars are checked to end within 64
 * links when a type is first handed out, so a crafted file cannot make
 * callers loop; verify re-parses every kernel with the full flat checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "index_internal.h"
#include "db_read_internal.h"


/*
 * An inflated, parsed block (cached).  A block is inflated whole, in one
 * inflate() call with Z_FINISH into a buffer of its exact ulen, after its
 * checksum (over all its compressed bytes) is verified.  (Inflating only a
 * prefix was tried and measured slower: a stream stopped mid-block makes
 * zlib keep a 32 KiB window and its ~7 KiB state per open block, and the
 * page faults and window copies cost more than decoding the rest of a
 * few-KiB block.)  Items (strings, records, entries) are still indexed
 * lazily, only up to the item asked for; the block's item count and exact
 * end are checked once the scan reaches its last item (verify forces that
 * for every block).
 */
struct cblk {
	uint8_t *data;    /* ulen bytes + 1 NUL */
	uint32_t *offs;   /* strings / pool / name map: n + 1 item starts */
	uint32_t n;
	uint32_t scanned; /* offs[0..scanned] known (items are indexed lazily) */
	bool ok;          /* inflated */
	bool bad;         /* found corrupt; kept (earlier pointers into data stay
			   * valid) and refused from then on */
};

struct btfdb_db {
	uint8_t *map;
	size_t size;
	struct btfdb_dbf_hdr h;
	const struct btfdb_dbf_kernel *kernels;
	const struct btfdb_dbf_blockref *str_refs, *pool_refs, *gidx_refs, *smap_refs;
	uint32_t nstrb, npoolb, ngidxb, nsmapb;
	/*
	 * Cache of the shared blocks (strings, pool, name index, name map)
	 * used so far: open addressing keyed by the block's blockref address,
	 * so a lookup touches a few compact pages (dense per-block arrays
	 * spread the ~40 blocks of a relocation over ~40 fresh pages, and
	 * every fresh page costs a page fault).
	 */
	const struct btfdb_dbf_blockref **bkey; /* NULL = empty slot */
	struct cblk **bval;
	uint32_t bcap, bused;
	z_stream *zs;           /* raw-inflate stream reused for every block
				 * (inflateReset, not init/end per block);
				 * NULL until the first block */
};

static uint32_t blk_hash(const struct btfdb_dbf_blockref *ref)
{
	return (uint32_t)(((uint64_t)(uintptr_t)ref * 0x9E3779B97F4A7C15ull) >> 32);
}

static int blk_tab_grow(struct btfdb_db *db)
{
	uint32_t cap = db->bcap ? 2 * db->bcap : 256, i, j;
	const struct btfdb_dbf_blockref **k = calloc(cap, sizeof(*k));
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

/* The cache entry of shared block ref (a zeroed one, not yet inflated, when new). */
static struct cblk *blk_get(struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
			    struct btfdb_err *err)
{
	struct cblk *c;
	uint32_t j;

	if ((db->bused + 1) * 2 > db->bcap && blk_tab_grow(db))
		goto nomem;
	for (j = blk_hash(ref) & (db->bcap - 1); db->bkey[j]; j = (j + 1) & (db->bcap - 1))
		if (db->bkey[j] == ref)
			return db->bval[j];
	if (!(c = calloc(1, sizeof(*c))))
		goto nomem;
	db->bkey[j] = ref;
	db->bval[j] = c;
	db->bused++;
	return c;
nomem:
	btfdb_err_set(err, "out of memory");
	return NULL;
}

static const char *secname[] = { "DATA", "TABLES", "NAMES", "KERNELS" };

/* ---- block access ---- */

int btfdb_dbr_checked_data(const struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
			   const uint8_t **data, struct btfdb_err *err)
{
	const struct btfdb_dbf_sect *d = &db->h.sects[BTFDB_DBF_SEC_DATA];

	if (ref->off < d->off || ref->off > d->off + d->len || ref->clen > d->off + d->len - ref->off ||
	    ref->ulen > BTFDB_DBF_MAX_ULEN || (!ref->ulen && ref->clen)) {
		btfdb_err_set(err, "database corrupt: block at %llu (+%u) outside the data section",
			      (unsigned long long)ref->off, ref->clen);
		return -EINVAL;
	}
	*data = db->map + ref->off;
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
const struct btfdb_dbf_kernel *btfdb_dbr_kernel(const struct btfdb_db *db, uint32_t k)
{
	return &db->kernels[k];
}
const char *btfdb_dbr_kernel_name(const struct btfdb_db *db, uint32_t k)
{
	return (const char *)db->map + db->kernels[k].name_off;
}

/* ---- cached blocks (strings, pool, name map, per-kernel seq / inverse) ---- */

static void blk_reset(struct cblk *c)
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
static int blk_start_raw(struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
			 struct cblk *c, uint32_t n, struct btfdb_err *err)
{
	const uint8_t *src;
	int ret = btfdb_dbr_checked_data(db, ref, &src, err);

	if (ret)
		return ret;
	c->data = malloc((size_t)ref->ulen + 1);
	c->offs = n ? malloc(((size_t)n + 1) * sizeof(uint32_t)) : NULL;
	if (!c->data || (n && !c->offs)) {
		blk_reset(c);
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if ((ret = db_inflate(db, ref, src, c->data, err))) {
		blk_reset(c);
		return ret;
	}
	c->data[ref->ulen] = 0;
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
static const char *db_str(struct btfdb_db *db, uint64_t sid, struct btfdb_err *err)
{
	const struct btfdb_dbf_blockref *ref;
	struct cblk *c;
	uint32_t b, i;

	if (sid >= db->h.nr_strings) {
		btfdb_err_set(err, "database corrupt: string id %llu out of range",
			      (unsigned long long)sid);
		return NULL;
	}
	b = (uint32_t)(sid / db->h.str_blk);
	i = (uint32_t)(sid % db->h.str_blk);
	ref = &db->str_refs[b];
	if (!(c = blk_get(db, ref, err)))
		return NULL;
	if (!c->ok) {
		uint32_t want = b + 1 < db->nstrb ? db->h.str_blk
						  : db->h.nr_strings - b * db->h.str_blk;

		if (blk_start_raw(db, ref, c, want, err))
			return NULL;
	}
	if (c->bad || i >= c->n)
		goto bad;
	while (c->scanned <= i) {
		uint32_t pos = c->offs[c->scanned], next;
		const uint8_t *z = pos < ref->ulen ? memchr(c->data + pos, 0, ref->ulen - pos) : NULL;

		if (!z)
			goto bad;
		next = (uint32_t)(z - c->data) + 1;
		if (c->scanned + 1 == c->n && next != ref->ulen)
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
static int blk_item(struct btfdb_db *db, const struct btfdb_dbf_blockref *ref, uint32_t n,
		    uint32_t i, int (*skip)(const uint8_t **, const uint8_t *),
		    const char *what, uint32_t b, const uint8_t **p, const uint8_t **end,
		    struct btfdb_err *err)
{
	struct cblk *c = blk_get(db, ref, err);
	int ret;

	if (!c)
		return -ENOMEM;
	if (!c->ok && (ret = blk_start_raw(db, ref, c, n, err)))
		return ret;
	if (c->bad || i >= c->n)
		goto bad;
	/* invariant: offs[0..scanned] are known item starts */
	while (c->scanned <= i) {
		const uint8_t *q = c->data + c->offs[c->scanned];

		if (skip(&q, c->data + ref->ulen))
			goto bad;
		if (c->scanned + 1 == c->n && q != c->data + ref->ulen)
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
static int pool_rec(struct btfdb_db *db, uint64_t pid, const uint8_t **p, const uint8_t **end,
		    struct btfdb_err *err)
{
	const struct btfdb_dbf_blockref *ref;
	uint32_t b, i, n;

	if (pid >= db->h.nr_pool) {
		btfdb_err_set(err, "database corrupt: pool id %llu out of range",
			      (unsigned long long)pid);
		return -EINVAL;
	}
	b = (uint32_t)(pid / db->h.pool_blk);
	i = (uint32_t)(pid % db->h.pool_blk);
	ref = &db->pool_refs[b];
	n = b + 1 < db->npoolb ? db->h.pool_blk : db->h.nr_pool - b * db->h.pool_blk;
	return blk_item(db, ref, n, i, btfdb_dbf_rec_skip, "pool", b, p, end, err);
}

/* ---- open ---- */

static bool range_ok(uint64_t off, uint64_t len, uint64_t lo, uint64_t hi)
{
	return off >= lo && off <= hi && len <= hi - off;
}

/* A table of n blockrefs at off, inside TABLES and 8-aligned. */
static bool table_ok(const struct btfdb_db *db, uint64_t off, uint64_t n)
{
	const struct btfdb_dbf_sect *t = &db->h.sects[BTFDB_DBF_SEC_TABLES];

	if (!n)
		return true;
	return off % 8 == 0 && n <= UINT32_MAX &&
	       range_ok(off, n * sizeof(struct btfdb_dbf_blockref), t->off, t->off + t->len);
}

static uint32_t div_up(uint64_t a, uint32_t b) { return (uint32_t)((a + b - 1) / b); }

static int check_kernel(struct btfdb_db *db, uint32_t k, struct btfdb_err *err)
{
	const struct btfdb_dbf_kernel *e = &db->kernels[k];
	const struct btfdb_dbf_sect *n = &db->h.sects[BTFDB_DBF_SEC_NAMES];
	const char *name = (const char *)db->map + e->name_off;

	if (!range_ok(e->name_off, 1, n->off, n->off + n->len) ||
	    !memchr(name, 0, n->off + n->len - e->name_off)) {
		btfdb_err_set(err, "database corrupt: kernel %u: bad name offset", k);
		return -EINVAL;
	}
	if (e->flags & ~(uint32_t)(BTFDB_DBF_K_RAW | BTFDB_DBF_K_BIG_ENDIAN) ||
	    e->btf_hdr_len > BTFDB_DBF_BTF_HDR_MAX || e->pool_cnt > db->h.nr_pool ||
	    e->blob_size > BTFDB_DBF_MAX_ULEN || e->nr_types >= UINT32_MAX / 2) {
		btfdb_err_set(err, "database corrupt: kernel '%s': bad entry fields", name);
		return -EINVAL;
	}
	if (e->flags & BTFDB_DBF_K_RAW)
		return 0;
	if (!table_ok(db, e->seq_tab, div_up(e->nr_types, db->h.seq_blk)) || e->reserved ||
	    !table_ok(db, e->inv_tab, div_up(e->pool_cnt, db->h.inv_blk))) {
		btfdb_err_set(err, "database corrupt: kernel '%s': block table out of bounds", name);
		return -EINVAL;
	}
	return 0;
}

static int validate(struct btfdb_db *db, struct btfdb_err *err)
{
	struct btfdb_dbf_hdr *h = &db->h;
	uint64_t csum, lo = sizeof(*h);
	uint32_t i;

	if (db->size < 8 || memcmp(db->map, BTFDB_DBF_MAGIC, 8)) {
		btfdb_err_set(err, "not a btfdb database (bad magic)");
		return -EINVAL;
	}
	if (db->size < sizeof(*h)) {
		btfdb_err_set(err, "database truncated: %zu bytes, header needs %zu", db->size,
			      sizeof(*h));
		return -EINVAL;
	}
	memcpy(h, db->map, sizeof(*h));
	if (h->version != BTFDB_DBF_VERSION) {
		btfdb_err_set(err, "unsupported database version %u (this reader: %u)", h->version,
			      BTFDB_DBF_VERSION);
		return -ENOTSUP;
	}
	if (h->hdr_len != sizeof(*h)) {
		btfdb_err_set(err, "database corrupt: header length %u, expected %zu", h->hdr_len,
			      sizeof(*h));
		return -EINVAL;
	}
	if (h->file_size != db->size) {
		btfdb_err_set(err, "database truncated or extended: %zu bytes, header says %llu",
			      db->size, (unsigned long long)h->file_size);
		return -EINVAL;
	}
	csum = h->hdr_csum;
	h->hdr_csum = 0;
	if (btfdb_hash64(h, sizeof(*h)) != csum) {
		btfdb_err_set(err, "database corrupt: header checksum mismatch");
		return -EINVAL;
	}
	h->hdr_csum = csum;
	if (h->flags || !h->str_blk || !h->pool_blk || !h->seq_blk || !h->inv_blk ||
	    !h->smap_blk || h->str_blk > (1u << 20) || h->pool_blk > (1u << 20) ||
	    h->seq_blk > (1u << 24) || h->inv_blk > (1u << 24) || h->smap_blk > (1u << 20) || !h->gidx_gpb || h->gidx_gpb > 4096 || !h->gidx_groups ||
	    (h->gidx_groups & (h->gidx_groups - 1)) || h->gidx_groups % h->gidx_gpb ||
	    !h->nr_strings) {
		btfdb_err_set(err, "database corrupt: bad header parameters");
		return -EINVAL;
	}
	for (i = 0; i < BTFDB_DBF_NR_SECS; i++) {
		const struct btfdb_dbf_sect *s = &h->sects[i];

		if (!range_ok(s->off, s->len, lo, db->size)) {
			btfdb_err_set(err, "database corrupt: section %s out of bounds", secname[i]);
			return -EINVAL;
		}
		/* only zero padding (< 8 bytes) may separate sections */
		if (s->off - lo >= 8 || (i == 0 && s->off != lo) ||
		    memcmp(db->map + lo, "\0\0\0\0\0\0\0", s->off - lo)) {
			btfdb_err_set(err, "database corrupt: bytes before section %s", secname[i]);
			return -EINVAL;
		}
		lo = s->off + s->len;
		if (i != BTFDB_DBF_SEC_DATA && btfdb_hash64(db->map + s->off, s->len) != s->csum) {
			btfdb_err_set(err, "database corrupt: section %s checksum mismatch", secname[i]);
			return -EINVAL;
		}
	}
	if (lo != db->size) {
		btfdb_err_set(err, "database corrupt: bytes after the last section");
		return -EINVAL;
	}
	if (h->sects[BTFDB_DBF_SEC_KERNELS].len != (uint64_t)h->nr_kernels * sizeof(*db->kernels) ||
	    h->sects[BTFDB_DBF_SEC_KERNELS].off % 8) {
		btfdb_err_set(err, "database corrupt: kernel table size does not match %u kernels",
			      h->nr_kernels);
		return -EINVAL;
	}
	db->kernels = (const void *)(db->map + h->sects[BTFDB_DBF_SEC_KERNELS].off);
	db->nstrb = div_up(h->nr_strings, h->str_blk);
	db->npoolb = div_up(h->nr_pool, h->pool_blk);
	db->ngidxb = h->gidx_groups / h->gidx_gpb;
	db->nsmapb = div_up(h->nr_strings, h->smap_blk);
	if (!table_ok(db, h->str_tab, db->nstrb) || !table_ok(db, h->pool_tab, db->npoolb) ||
	    !table_ok(db, h->gidx_tab, db->ngidxb) || !table_ok(db, h->smap_tab, db->nsmapb)) {
		btfdb_err_set(err, "database corrupt: block table out of bounds");
		return -EINVAL;
	}
	db->str_refs = btfdb_dbr_refs(db, h->str_tab);
	db->pool_refs = btfdb_dbr_refs(db, h->pool_tab);
	db->gidx_refs = btfdb_dbr_refs(db, h->gidx_tab);
	db->smap_refs = btfdb_dbr_refs(db, h->smap_tab);
	for (i = 0; i < h->nr_kernels; i++)
		if (check_kernel(db, i, err))
			return -EINVAL;
	return 0;
}

int btfdb_db_open(const char *path, struct btfdb_db **out, struct btfdb_err *err)
{
	struct btfdb_db *db;
	struct stat st;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		btfdb_err_set(err, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		btfdb_err_set(err, "%s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	db = calloc(1, sizeof(*db));
	if (!db) {
		close(fd);
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	db->size = st.st_size;
	if (!S_ISREG(st.st_mode) || !db->size) {
		close(fd);
		free(db);
		btfdb_err_set(err, "%s: not a btfdb database (empty or not a regular file)", path);
		return -EINVAL;
	}
	db->map = mmap(NULL, db->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (db->map == MAP_FAILED) {
		ret = -errno;
		free(db);
		btfdb_err_set(err, "%s: mmap: %s", path, strerror(-ret));
		return ret;
	}
	ret = validate(db, err);
	if (ret) {
		btfdb_err_prefix(err, "%s: ", path);
		btfdb_db_close(db);
		return ret;
	}
	*out = db;
	return 0;
}

void btfdb_db_close(struct btfdb_db *db)
{
	if (!db)
		return;
	for (uint32_t i = 0; i < db->bcap; i++) {
		if (db->bkey[i]) {
			blk_reset(db->bval[i]);
			free(db->bval[i]);
		}
	}
	free(db->bkey);
	free(db->bval);
	if (db->zs) {
		inflateEnd(db->zs);
		free(db->zs);
	}
	if (db->map && db->map != MAP_FAILED)
		munmap(db->map, db->size);
	free(db);
}

/* ---- listing ---- */

uint32_t btfdb_db_kernel_count(const struct btfdb_db *db)
{
	return db->h.nr_kernels;
}

static uint64_t refs_bytes(const struct btfdb_dbf_blockref *r, uint32_t n)
{
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		s += r[i].clen;
	return s;
}

static uint64_t kernel_bytes(const struct btfdb_db *db, const struct btfdb_dbf_kernel *e)
{
	if (e->flags & BTFDB_DBF_K_RAW)
		return e->raw.clen;
	return e->strseq.clen +
	       refs_bytes(btfdb_dbr_refs(db, e->seq_tab), div_up(e->nr_types, db->h.seq_blk)) +
	       refs_bytes(btfdb_dbr_refs(db, e->inv_tab), div_up(e->pool_cnt, db->h.inv_blk));
}

int btfdb_db_kernel_info(const struct btfdb_db *db, uint32_t k, struct btfdb_db_kernel_info *info)
{
	const struct btfdb_dbf_kernel *e;
	const char *s;

	if (k >= db->h.nr_kernels)
		return -ENOENT;
	e = &db->kernels[k];
	info->name = btfdb_dbr_kernel_name(db, k);
	s = strrchr(info->name, '/');
	info->release = s ? s + 1 : info->name;
	info->blob_hash = e->blob_hash;
	info->blob_size = e->blob_size;
	info->nr_types = e->nr_types;
	info->raw = e->flags & BTFDB_DBF_K_RAW;
	info->big_endian = e->flags & BTFDB_DBF_K_BIG_ENDIAN;
	info->own_bytes = kernel_bytes(db, e);
	return 0;
}

void btfdb_db_info(const struct btfdb_db *db, struct btfdb_db_info *info)
{
	uint32_t k;

	memset(info, 0, sizeof(*info));
	info->file_size = db->size;
	info->nr_kernels = db->h.nr_kernels;
	info->nr_strings = db->h.nr_strings;
	info->nr_pool = db->h.nr_pool;
	info->strings_bytes = refs_bytes(db->str_refs, db->nstrb);
	info->pool_bytes = refs_bytes(db->pool_refs, db->npoolb);
	info->index_bytes = refs_bytes(db->gidx_refs, db->ngidxb) +
			    refs_bytes(db->smap_refs, db->nsmapb);
	for (k = 0; k < db->h.nr_kernels; k++) {
		info->raw_total += db->kernels[k].blob_size;
		info->kernel_bytes += kernel_bytes(db, &db->kernels[k]);
	}
}

int btfdb_db_find_kernel(const struct btfdb_db *db, const char *name, struct btfdb_err *err)
{
	int found = -1;
	uint32_t k;

	for (k = 0; k < db->h.nr_kernels; k++)
		if (!strcmp(btfdb_dbr_kernel_name(db, k), name))
			return (int)k;
	for (k = 0; k < db->h.nr_kernels; k++) {
		const char *n = btfdb_dbr_kernel_name(db, k), *s = strrchr(n, '/');

		if (!strcmp(s ? s + 1 : n, name)) {
			if (found >= 0) {
				btfdb_err_set(err, "kernel '%s' is ambiguous: give the full name "
					      "(e.g. %s)", name, n);
				return -ENOTUNIQ;
			}
			found = (int)k;
		}
	}
	if (found < 0) {
		btfdb_err_set(err, "kernel '%s' is not in the database", name);
		return -ENOENT;
	}
	return found;
}

/* ---- per-kernel decoding ---- */

/* Decode seq block b of kernel e into ids (count = ids in that block). */
static int seq_block(struct btfdb_db *db, const struct btfdb_dbf_kernel *e, uint32_t b,
		     uint32_t *ids, struct btfdb_err *err)
{
	const struct btfdb_dbf_blockref *r = btfdb_dbr_refs(db, e->seq_tab) + b;
	uint32_t n = b + 1 < div_up(e->nr_types, db->h.seq_blk) ? db->h.seq_blk
							       : e->nr_types - b * db->h.seq_blk;
	const uint8_t *p, *end;
	uint8_t *buf;
	int64_t prev = -1;
	uint32_t i;
	int ret = btfdb_dbr_inflate(db, r, &buf, err);

	if (ret)
		return ret;
	p = buf;
	end = buf + r->ulen;
	for (i = 0; i < n; i++) {
		uint64_t v;
		int64_t pid;

		if (btfdb_dbf_get_varint(&p, end, &v))
			break;
		pid = prev + 1 + btfdb_dbf_unzz(v);
		if (pid < 0 || pid >= e->pool_cnt)
			break;
		ids[i] = (uint32_t)pid;
		prev = pid;
	}
	free(buf);
	if (i != n || p != end) {
		btfdb_err_set(err, "database corrupt: type sequence block %u is malformed", b);
		return -EINVAL;
	}
	return 0;
}

/* The string section's sids (nr_strs of them), malloc'd. */
static int strseq_decode(struct btfdb_db *db, const struct btfdb_dbf_kernel *e, uint32_t **out,
			 struct btfdb_err *err)
{
	const uint8_t *p, *end;
	uint8_t *buf;
	uint32_t *sids, i;
	int64_t prev = -1;
	int ret;

	if (e->strseq.ulen < e->nr_strs || !e->nr_strs) {
		btfdb_err_set(err, "database corrupt: string sequence size");
		return -EINVAL;
	}
	ret = btfdb_dbr_inflate(db, &e->strseq, &buf, err);
	if (ret)
		return ret;
	sids = malloc((size_t)e->nr_strs * sizeof(*sids));
	if (!sids) {
		free(buf);
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	p = buf;
	end = buf + e->strseq.ulen;
	for (i = 0; i < e->nr_strs; i++) {
		uint64_t v;
		int64_t sid;

		if (btfdb_dbf_get_varint(&p, end, &v))
			break;
		sid = prev + 1 + btfdb_dbf_unzz(v);
		if (sid < 0 || sid >= db->h.nr_strings)
			break;
		sids[i] = (uint32_t)sid;
		prev = sid;
	}
	free(buf);
	if (i != e->nr_strs || p != end) {
		free(sids);
		btfdb_err_set(err, "database corrupt: string sequence is malformed");
		return -EINVAL;
	}
	*out = sids;
	return 0;
}

/* ---- the name map and the per-kernel resolver ---- */

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
static int smap_entry(struct btfdb_db *db, uint64_t sid, const uint8_t **p, const uint8_t **end,
		      struct btfdb_err *err)
{
	uint32_t b = (uint32_t)(sid / db->h.smap_blk), i = (uint32_t)(sid % db->h.smap_blk);
	uint32_t n = b + 1 < db->nsmapb ? db->h.smap_blk : db->h.nr_strings - b * db->h.smap_blk;

	return blk_item(db, &db->smap_refs[b], n, i, smap_skip, "name map", b, p, end, err);
}

/* An inverse block, decoded: n (pool id, type id) pairs sorted by both. */
struct invblk {
	struct cblk raw;   /* the block, inflated whole, decoded incrementally (freed once decoded) */
	uint32_t *pid;     /* decoded pairs [0, n) (room for every pair of the block) */
	uint32_t *tid;
	uint32_t n, cap;
	uint32_t pos;      /* decode position in raw.data */
	int64_t prev, prev_tid;
	bool done;         /* every pair decoded and the block's end reached */
	bool ok;           /* started */
};

/* A seq block of a lazy resolver: ids decoded up to the one asked for. */
struct seqblk {
	struct cblk raw;   /* the block, inflated whole, decoded incrementally (freed once decoded) */
	uint32_t *ids;     /* pool ids [0, n) of the block's cnt type ids */
	uint32_t n, cnt;
	uint32_t pos;      /* decode position in raw.data */
	int64_t prev;
	bool ok;           /* started */
};

/*
 * A kernel's resolver.  Two modes:
 *  - full (extract, verify): the whole seq, inverted in memory (O(n));
 *  - lazy (backend handles): seq blocks and inverse blocks are inflated
 *    one at a time on demand, so a lookup or type fetch touches only the
 *    blocks it needs.
 * Both keep a cache of the ascending type ids per name sid (built from the
 * shared name map on first use).
 */
struct kres {
	struct btfdb_db *db;
	const struct btfdb_dbf_kernel *e;
	bool lazy;
	uint32_t *seq;             /* full: nr_types pool ids */
	struct btfdb_dbf_res res;  /* full: inverted; lazy: callbacks only */
	struct seqblk *fwd;        /* lazy: seq block b, decoded incrementally */
	uint32_t nfwd;
	struct invblk *inv;        /* lazy: inverse block c */
	uint32_t ninv;
	uint32_t *ckey;            /* cache: sid + 1, 0 = empty */
	uint32_t **cval;           /* cache: the ids (malloc'd; NULL when none) */
	uint32_t *cn;              /* cache: how many */
	uint32_t ccap, cused;
	struct btfdb_err *err;     /* where resolution failures are reported */
	bool ok;
};

static void kres_free(struct kres *r)
{
	uint32_t i;

	for (i = 0; r->cval && i < r->ccap; i++)
		free(r->cval[i]);
	free(r->ckey);
	free(r->cval);
	free(r->cn);
	free(r->seq);
	for (i = 0; r->fwd && i < r->nfwd; i++) {
		free(r->fwd[i].ids);
		blk_reset(&r->fwd[i].raw);
	}
	free(r->fwd);
	for (i = 0; r->inv && i < r->ninv; i++) {
		free(r->inv[i].pid);
		free(r->inv[i].tid);
		blk_reset(&r->inv[i].raw);
	}
	free(r->inv);
	btfdb_dbf_res_free(&r->res);
	memset(r, 0, sizeof(*r));
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int kres_cache_grow(struct kres *r)
{
	uint32_t cap = r->ccap ? r->ccap * 2 : 1024, i, j;
	uint32_t *k = calloc(cap, sizeof(uint32_t)), *n = malloc((size_t)cap * sizeof(uint32_t));
	uint32_t **v = calloc(cap, sizeof(uint32_t *));

	if (!k || !n || !v) {
		free(k);
		free(n);
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < r->ccap; i++) {
		if (!r->ckey[i])
			continue;
		for (j = (r->ckey[i] * 2654435761u) & (cap - 1); k[j]; j = (j + 1) & (cap - 1))
			;
		k[j] = r->ckey[i];
		v[j] = r->cval[i];
		n[j] = r->cn[i];
	}
	free(r->ckey);
	free(r->cval);
	free(r->cn);
	r->ckey = k;
	r->cval = v;
	r->cn = n;
	r->ccap = cap;
	return 0;
}

/*
 * Inverse block c of a lazy resolver: decode and check every pair (pool id
 * inside the block's range and below pool_cnt, type id in 1..nr_types,
 * pairs strictly ascending).
 */
static struct invblk *inv_block(struct kres *r, uint32_t c, uint64_t upto)
{
	struct btfdb_db *db = r->db;
	const struct btfdb_dbf_kernel *e = r->e;
	const struct btfdb_dbf_blockref *ref = btfdb_dbr_refs(db, e->inv_tab) + c;
	struct invblk *ib = &r->inv[c];
	uint64_t base = (uint64_t)c * db->h.inv_blk;
	uint64_t lim = base + db->h.inv_blk < e->pool_cnt ? base + db->h.inv_blk : e->pool_cnt;

	if (!ib->ok) {
		/* the checksum of the whole block is verified here, before any use */
		if (blk_start_raw(db, ref, &ib->raw, 0, r->err))
			return NULL;
		ib->cap = ref->ulen / 2; /* every pair takes at least 2 bytes */
		ib->pid = malloc(((size_t)ib->cap + 1) * sizeof(uint32_t));
		ib->tid = malloc(((size_t)ib->cap + 1) * sizeof(uint32_t));
		if (!ib->pid || !ib->tid) {
			btfdb_err_set(r->err, "out of memory");
			goto bad_nomsg;
		}
		ib->n = 0;
		ib->pos = 0;
		ib->prev = (int64_t)base - 1;
		ib->prev_tid = 0;
		ib->done = false;
		ib->ok = true;
	}
	/* decode until every pair of pool ids <= upto is known (pairs ascend) */
	while (!ib->done && (!ib->n || ib->pid[ib->n - 1] <= upto)) {
		const uint8_t *p = ib->raw.data + ib->pos, *end = ib->raw.data + ref->ulen;
		uint64_t dp, v;
		int64_t pid, tid;

		if (ib->pos == ref->ulen) {
			ib->done = true;
			blk_reset(&ib->raw);
			break;
		}
		if (btfdb_dbf_get_varint(&p, end, &dp) || btfdb_dbf_get_varint(&p, end, &v) ||
		    ib->n >= ib->cap || dp > lim)
			goto bad;
		pid = ib->prev + (int64_t)dp;
		tid = ib->prev_tid + 1 + btfdb_dbf_unzz(v);
		/* dp = 0 repeats the previous pool id (not allowed first) */
		if ((!dp && !ib->n) || pid >= (int64_t)lim || tid < 1 || tid > e->nr_types ||
		    (!dp && tid <= ib->prev_tid))
			goto bad;
		ib->pid[ib->n] = (uint32_t)pid;
		ib->tid[ib->n] = (uint32_t)tid;
		ib->n++;
		ib->pos = (uint32_t)(p - ib->raw.data);
		ib->prev = pid;
		ib->prev_tid = tid;
	}
	return ib;
bad:
	btfdb_err_set(r->err, "database corrupt: inverse block %u of kernel '%s' is malformed", c,
		      (const char *)db->map + e->name_off);
bad_nomsg:
	free(ib->pid);
	free(ib->tid);
	blk_reset(&ib->raw);
	memset(ib, 0, sizeof(*ib));
	return NULL;
}

/* Ascending type ids of this kernel whose record is pid (n = 0: none). */
static int kres_pid(void *ctx, uint64_t pid, const uint32_t **ids, uint32_t *n)
{
	struct kres *r = ctx;
	struct invblk *ib;
	uint32_t c, lo, hi;

	*ids = NULL;
	*n = 0;
	if (!r->lazy) {
		*ids = btfdb_dbf_res_pid(&r->res, pid, n);
		return 0;
	}
	if (pid >= r->e->pool_cnt)
		return 0;
	c = (uint32_t)(pid / r->db->h.inv_blk);
	if (!(ib = inv_block(r, c, pid)))
		return -EINVAL;
	lo = btfdb_dbf_lower(ib->pid, ib->n, (uint32_t)pid);
	if (lo < ib->n && ib->pid[lo] == pid && lo + 1 < ib->n && ib->pid[lo + 1] == pid)
		hi = lo + btfdb_dbf_lower(ib->pid + lo, ib->n - lo, (uint32_t)pid + 1);
	else
		hi = lo + (lo < ib->n && ib->pid[lo] == pid);
	*ids = ib->tid + lo;
	*n = hi - lo;
	return 0;
}

/*
 * The pool id of type id (1..nr_types) of a lazy or full resolver.  Lazy:
 * the seq block (checksum verified first) is inflated and decoded only up
 * to the id asked for; the checks are seq_block's, the block's exact end
 * checked once its last id is decoded.
 */
static int kres_fwd(struct kres *r, uint32_t id, uint32_t *pid)
{
	struct btfdb_db *db = r->db;
	uint32_t b = (id - 1) / db->h.seq_blk, i = (id - 1) % db->h.seq_blk;
	const struct btfdb_dbf_blockref *ref;
	struct seqblk *sb;

	if (!r->lazy) {
		*pid = r->seq[id - 1];
		return 0;
	}
	sb = &r->fwd[b];
	ref = btfdb_dbr_refs(db, r->e->seq_tab) + b;
	if (!sb->ok) {
		if (blk_start_raw(db, ref, &sb->raw, 0, r->err))
			return -EINVAL;
		sb->cnt = b + 1 < r->nfwd ? db->h.seq_blk : r->e->nr_types - b * db->h.seq_blk;
		sb->ids = malloc((size_t)sb->cnt * sizeof(uint32_t));
		if (!sb->ids) {
			blk_reset(&sb->raw);
			btfdb_err_set(r->err, "out of memory");
			return -ENOMEM;
		}
		sb->n = 0;
		sb->pos = 0;
		sb->prev = -1;
		sb->ok = true;
	}
	while (sb->n <= i) {
		const uint8_t *p = sb->raw.data + sb->pos, *end = sb->raw.data + ref->ulen;
		uint64_t v;
		int64_t q;

		if (btfdb_dbf_get_varint(&p, end, &v))
			goto bad;
		q = sb->prev + 1 + btfdb_dbf_unzz(v);
		if (q < 0 || q >= r->e->pool_cnt)
			goto bad;
		sb->ids[sb->n++] = (uint32_t)q;
		sb->prev = q;
		sb->pos = (uint32_t)(p - sb->raw.data);
		if (sb->n == sb->cnt) {
			/* the last id: the block must end right here */
			if (sb->pos != ref->ulen)
				goto bad;
			blk_reset(&sb->raw);
		}
	}
	*pid = sb->ids[i];
	return 0;
bad:
	btfdb_err_set(r->err, "database corrupt: type sequence block %u is malformed", b);
	free(sb->ids);
	blk_reset(&sb->raw);
	memset(sb, 0, sizeof(*sb));
	return -EINVAL;
}

/* Ascending type ids of this kernel named sid (the resolver's callback). */
static int kres_named(void *ctx, uint64_t sid, const uint32_t **ids, uint32_t *n)
{
	struct kres *r = ctx;
	struct btfdb_db *db = r->db;
	uint32_t j, *out = NULL, cnt = 0, cap = 0;
	const uint8_t *p, *end;
	uint64_t np, v, i, pid = 0;

	if (!sid || sid >= db->h.nr_strings)
		return -EINVAL;
	if ((r->cused + 1) * 2 > r->ccap && kres_cache_grow(r))
		return -ENOMEM;
	for (j = ((uint32_t)sid + 1) * 2654435761u & (r->ccap - 1); r->ckey[j];
	     j = (j + 1) & (r->ccap - 1)) {
		if (r->ckey[j] == sid + 1) {
			*ids = r->cval[j];
			*n = r->cn[j];
			return 0;
		}
	}
	if (smap_entry(db, sid, &p, &end, r->err))
		return -EINVAL;
	if (btfdb_dbf_get_varint(&p, end, &np))
		return -EINVAL;
	for (i = 0; i < np; i++) {
		const uint32_t *l;
		uint32_t ln;

		if (btfdb_dbf_get_varint(&p, end, &v))
			goto bad;
		pid = i ? pid + v + 1 : v;
		if (pid >= db->h.nr_pool) {
			btfdb_err_set(r->err, "database corrupt: name map pool id out of range");
			goto bad;
		}
		if (pid >= r->e->pool_cnt)
			break; /* ascending: the rest is newer than this kernel */
		if (kres_pid(r, pid, &l, &ln))
			goto bad;
		if (!ln)
			continue;
		if (cnt + (uint64_t)ln > cap) {
			uint32_t nc = cap ? cap : 16, *m;

			while (nc < cnt + (uint64_t)ln)
				nc *= 2;
			m = realloc(out, (size_t)nc * sizeof(uint32_t));
			if (!m) {
				free(out);
				return -ENOMEM;
			}
			out = m;
			cap = nc;
		}
		memcpy(out + cnt, l, (size_t)ln * sizeof(uint32_t));
		cnt += ln;
	}
	if (cnt > 1 && np > 1)
		qsort(out, cnt, sizeof(uint32_t), u32_cmp);
	r->ckey[j] = (uint32_t)sid + 1;
	r->cval[j] = out;
	r->cn[j] = cnt;
	r->cused++;
	*ids = out;
	*n = cnt;
	return 0;
bad:
	free(out);
	return -EINVAL;
}

/* Full mode: load the kernel's whole seq and invert it (extract, verify). */
static int kres_init(struct kres *r, struct btfdb_db *db, const struct btfdb_dbf_kernel *e,
		     struct btfdb_err *err)
{
	uint32_t nb = div_up(e->nr_types, db->h.seq_blk), b;
	int ret;

	r->db = db;
	r->e = e;
	r->err = err;
	r->seq = malloc(((size_t)e->nr_types + 1) * sizeof(uint32_t));
	if (!r->seq)
		goto nomem;
	for (b = 0; b < nb; b++)
		if ((ret = seq_block(db, e, b, r->seq + (size_t)b * db->h.seq_blk, err)))
			return ret;
	if (btfdb_dbf_res_init(&r->res, r->seq, e->nr_types) || kres_cache_grow(r))
		goto nomem;
	r->res.named = kres_named;
	r->res.ctx = r;
	r->ok = true;
	return 0;
nomem:
	btfdb_err_set(err, "out of memory");
	return -ENOMEM;
}

/* Lazy mode: nothing is inflated until a type or name is asked for. */
static int kres_init_lazy(struct kres *r, struct btfdb_db *db, const struct btfdb_dbf_kernel *e,
			  struct btfdb_err *err)
{
	r->db = db;
	r->e = e;
	r->err = err;
	r->lazy = true;
	r->nfwd = div_up(e->nr_types, db->h.seq_blk);
	r->ninv = div_up(e->pool_cnt, db->h.inv_blk);
	r->fwd = calloc((size_t)r->nfwd + 1, sizeof(*r->fwd));
	r->inv = calloc((size_t)r->ninv + 1, sizeof(*r->inv));
	if (!r->fwd || !r->inv || kres_cache_grow(r)) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	r->res.named = kres_named;
	r->res.pid_ids = kres_pid;
	r->res.ctx = r;
	r->ok = true;
	return 0;
}

/* ---- extract ---- */

struct xctx {
	uint32_t *first; /* sid -> first offset + 1 in this kernel, 0 = absent */
	uint32_t nr;
	struct kres *kr;
};

static int64_t x_sid_name(void *c, uint64_t sid)
{
	struct xctx *x = c;

	if (sid >= x->nr || !x->first[sid])
		return -1;
	return x->first[sid] - 1;
}

static int64_t x_resolve(void *c, const struct btfdb_dbf_ref *r, uint32_t own)
{
	return btfdb_dbf_res_resolve(&((struct xctx *)c)->kr->res, r, own);
}

int btfdb_db_extract(struct btfdb_db *db, uint32_t k, void **data, size_t *size,
		     struct btfdb_err *err)
{
	const struct btfdb_dbf_kernel *e;
	struct btfdb_dbuf out = { 0 }, strs = { 0 };
	uint32_t *sids = NULL, i, id;
	struct kres kr = { 0 };
	struct xctx x = { NULL, db->h.nr_strings, &kr };
	int ret = -EINVAL;

	*data = NULL;
	*size = 0;
	if (k >= db->h.nr_kernels) {
		btfdb_err_set(err, "kernel %u out of range", k);
		return -ENOENT;
	}
	e = &db->kernels[k];
	if (e->flags & BTFDB_DBF_K_RAW) {
		uint8_t *buf;

		if (e->raw.ulen != e->blob_size) {
			btfdb_err_set(err, "database corrupt: raw block size");
			goto out;
		}
		ret = btfdb_dbr_inflate(db, &e->raw, &buf, err);
		if (ret)
			goto out;
		out.p = buf;
		out.len = e->raw.ulen;
		goto check;
	}
	if ((ret = strseq_decode(db, e, &sids, err)))
		goto out;
	if ((ret = kres_init(&kr, db, e, err)))
		goto out;
	ret = -ENOMEM;
	x.first = calloc(db->h.nr_strings, sizeof(uint32_t));
	if (!x.first || btfdb_dbuf_reserve(&out, e->blob_size))
		goto nomem;
	for (i = 0; i < e->nr_strs; i++) {
		const char *s = db_str(db, sids[i], err);

		if (!s) {
			ret = -EINVAL;
			goto out;
		}
		if (!x.first[sids[i]])
			x.first[sids[i]] = (uint32_t)strs.len + 1;
		if (btfdb_dbuf_put(&strs, s, strlen(s) + 1))
			goto nomem;
		if (strs.len > e->blob_size) {
			btfdb_err_set(err, "database corrupt: kernel strings exceed the blob size");
			ret = -EINVAL;
			goto out;
		}
	}
	if (btfdb_dbuf_put(&out, e->btf_hdr, e->btf_hdr_len))
		goto nomem;
	for (id = 1; id <= e->nr_types; id++) {
		const uint8_t *p, *end;

		if ((ret = pool_rec(db, kr.seq[id - 1], &p, &end, err)))
			goto out;
		ret = btfdb_dbf_rec_decode(&p, end, id, x_sid_name, x_resolve, &x, &out);
		if (ret == -ENOMEM)
			goto nomem;
		if (ret || p != end || out.len > e->blob_size) {
			btfdb_err_set(err, "database corrupt: type %u does not decode", id);
			ret = -EINVAL;
			goto out;
		}
	}
	if (btfdb_dbuf_put(&out, strs.p, strs.len))
		goto nomem;
check:
	if (out.len != e->blob_size || btfdb_hash64(out.p, out.len) != e->blob_hash) {
		btfdb_err_set(err, "database corrupt: kernel '%s' does not reproduce its blob "
			      "(hash mismatch)", btfdb_dbr_kernel_name(db, k));
		ret = -EINVAL;
		goto out;
	}
	*data = out.p;
	*size = out.len;
	out.p = NULL;
	ret = 0;
	goto out;
nomem:
	btfdb_err_set(err, "out of memory");
	ret = -ENOMEM;
out:
	btfdb_dbuf_free(&out);
	btfdb_dbuf_free(&strs);
	free(sids);
	free(x.first);
	kres_free(&kr);
	return ret;
}

/* ---- BTF backend ---- */

struct dbk {
	struct btfdb_db *db;
	const struct btfdb_dbf_kernel *e;
	struct kres kr;                /* resolver (set up on first use) */
	const struct btf_type **types; /* decoded types by id (lazy) */
	uint8_t *checked;              /* chain check passed */
	void *tmap;                    /* one anonymous mapping holding types and
					* checked: zero pages, faulted in only where
					* touched (calloc may memset it all) */
	size_t tmap_len;
	struct btfdb_dbuf *chunks;     /* storage of decoded types */
	uint32_t nchunks, capchunks;
	uint32_t **results;            /* index lookup results (freed with ctx) */
	uint32_t nres, capres;
	int refs;                      /* btf + index handles sharing this ctx */
	struct btfdb_err err;          /* last error (backend ops cannot report) */
};

static void dbk_put(void *c)
{
	struct dbk *k = c;
	uint32_t i;

	if (!k || --k->refs > 0)
		return;
	kres_free(&k->kr);
	if (k->tmap)
		munmap(k->tmap, k->tmap_len);
	for (i = 0; i < k->nchunks; i++)
		btfdb_dbuf_free(&k->chunks[i]);
	free(k->chunks);
	for (i = 0; i < k->nres; i++)
		free(k->results[i]);
	free(k->results);
	free(k);
}

static int dbk_ready(struct dbk *k)
{
	if (k->kr.ok)
		return 0;
	kres_free(&k->kr);
	return kres_init_lazy(&k->kr, k->db, k->e, &k->err);
}

static int64_t id_sid_name(void *c, uint64_t sid)
{
	struct dbk *k = c;

	return sid < k->db->h.nr_strings ? (int64_t)sid : -1;
}

static int64_t dbk_resolve(void *c, const struct btfdb_dbf_ref *r, uint32_t own)
{
	return btfdb_dbf_res_resolve(&((struct dbk *)c)->kr.res, r, own);
}

/* Every type reference of a decoded record must be a valid id. */
static bool refs_in_range(const struct btf_type *t, uint32_t max)
{
	unsigned kind = btfdb_kind(t), vlen = btfdb_vlen(t), i;
	const uint32_t *x = (const uint32_t *)(t + 1);

	switch (kind) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
	case BTF_KIND_TYPE_TAG:
		return t->type <= max;
	case BTF_KIND_FUNC_PROTO:
		for (i = 0; i < vlen; i++)
			if (x[2 * i + 1] > max)
				return false;
		return t->type <= max;
	case BTF_KIND_ARRAY:
		return x[0] <= max && x[1] <= max;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		for (i = 0; i < vlen; i++)
			if (x[3 * i + 1] > max)
				return false;
		return true;
	case BTF_KIND_DATASEC:
		for (i = 0; i < vlen; i++)
			if (x[3 * i] > max)
				return false;
		return true;
	default:
		return true;
	}
}

#define CHUNK_SIZE (256 * 1024)
#define CHAIN_MAX 64

/* Decode and cache type id (no chain check). */
static const struct btf_type *dbk_decode(struct dbk *k, uint32_t id)
{
	struct btfdb_db *db = k->db;
	struct btfdb_dbuf *ch;
	const uint8_t *p, *end;
	size_t start;
	const struct btf_type *t;
	uint32_t pid;

	if (k->types[id])
		return k->types[id];
	if (dbk_ready(k) || kres_fwd(&k->kr, id, &pid))
		return NULL;
	if (pool_rec(db, pid, &p, &end, &k->err))
		return NULL;
	/* decode into the current chunk; a new chunk when it is full */
	if (!k->nchunks || k->chunks[k->nchunks - 1].len + (end - p) * 4 + 16 > CHUNK_SIZE) {
		if (k->nchunks == k->capchunks) {
			uint32_t cap = k->capchunks ? 2 * k->capchunks : 16;
			struct btfdb_dbuf *n = realloc(k->chunks, cap * sizeof(*n));

			if (!n)
				return NULL;
			k->chunks = n;
			k->capchunks = cap;
		}
		ch = &k->chunks[k->nchunks++];
		memset(ch, 0, sizeof(*ch));
		/* records decode to at most 4 bytes per input byte + header */
		if (btfdb_dbuf_reserve(ch, CHUNK_SIZE > (size_t)(end - p) * 4 + 16 ?
				       CHUNK_SIZE : (size_t)(end - p) * 4 + 16))
			return NULL;
	}
	ch = &k->chunks[k->nchunks - 1];
	start = ch->len;
	if (btfdb_dbf_rec_decode(&p, end, id, id_sid_name, dbk_resolve, k, ch) || p != end) {
		btfdb_err_set(&k->err, "database corrupt: type %u does not decode", id);
		ch->len = start;
		return NULL;
	}
	t = (const struct btf_type *)(ch->p + start);
	if (!refs_in_range(t, k->e->nr_types)) {
		btfdb_err_set(&k->err, "database corrupt: type %u refers past the last type", id);
		return NULL;
	}
	k->types[id] = t;
	return t;
}

/* The single by-value link of t (modifier, typedef, array, var, tag); 0 = none. */
static uint32_t chain_next(const struct btf_type *t)
{
	switch (btfdb_kind(t)) {
	case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		return t->type;
	case BTF_KIND_ARRAY:
		return ((const struct btf_array *)(t + 1))->type;
	default:
		return 0;
	}
}

static const struct btf_type *dbk_type(void *c, uint32_t id)
{
	struct dbk *k = c;
	const struct btf_type *t, *u;
	uint32_t cur, n;

	if (!id || id > k->e->nr_types)
		return NULL;
	t = dbk_decode(k, id);
	if (!t || k->checked[id])
		return t;
	/* the chain from id must end (or reach a checked type) within CHAIN_MAX */
	for (cur = chain_next(t), n = 0; cur && !k->checked[cur]; n++) {
		if (cur == id || n >= CHAIN_MAX) {
			btfdb_err_set(&k->err, "database corrupt: type %u starts a reference cycle "
				      "or a chain longer than %d", id, CHAIN_MAX);
			return NULL;
		}
		if (!(u = dbk_decode(k, cur)))
			return NULL;
		cur = chain_next(u);
	}
	k->checked[id] = 1;
	return t;
}

static const char *dbk_str(void *c, uint32_t off)
{
	struct dbk *k = c;

	return db_str(k->db, off, &k->err);
}

static const char *dbk_error(void *c)
{
	struct dbk *k = c;

	return k->err.msg[0] ? k->err.msg : NULL;
}

static const struct btfdb_backend_ops dbk_btf_ops = {
	.type = dbk_type,
	.str = dbk_str,
	.free = dbk_put,
	.error = dbk_error,
};

/* ---- index backend ---- */

static size_t dbk_lookup(void *c, const char *name, size_t len, const uint32_t **out)
{
	struct dbk *k = c;
	struct btfdb_db *db = k->db;
	uint64_t h = btfdb_hash64(name, len);
	uint32_t group = (uint32_t)h & (db->h.gidx_groups - 1), b = group / db->h.gidx_gpb;
	uint32_t gi = group % db->h.gidx_gpb, *ids = NULL;
	uint16_t fp = (uint16_t)(h >> 48);
	struct cblk *cb;
	const uint8_t *p, *end;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (dbk_ready(k) || !(cb = blk_get(db, &db->gidx_refs[b], &k->err)))
		return 0;
	if (!cb->ok) {
		const struct btfdb_dbf_blockref *r = &db->gidx_refs[b];
		uint32_t hdr = 4 * (db->h.gidx_gpb + 1), i, o[2];

		if (btfdb_dbr_inflate(db, r, &cb->data, &k->err))
			return 0;
		for (i = 0; i < db->h.gidx_gpb && r->ulen >= hdr; i++) {
			memcpy(o, cb->data + 4 * i, 8);
			if (o[0] < hdr || o[0] > o[1] || o[1] > r->ulen)
				break;
		}
		if (i != db->h.gidx_gpb) {
			free(cb->data);
			cb->data = NULL;
			btfdb_err_set(&k->err, "database corrupt: name index block %u", b);
			return 0;
		}
		cb->ok = true;
	}
	{
		uint32_t o[2];

		memcpy(o, cb->data + 4 * gi, 8);
		p = cb->data + o[0];
		end = cb->data + o[1];
	}
	while (p < end) {
		uint16_t efp;
		uint64_t esid, cnt, v, sid = 0, i;
		bool match = false;

		if (end - p < 2)
			goto bad;
		memcpy(&efp, p, 2);
		p += 2;
		if (btfdb_dbf_get_varint(&p, end, &esid) || btfdb_dbf_get_varint(&p, end, &cnt) ||
		    cnt > (uint64_t)(end - p))
			goto bad;
		if (efp == fp) {
			const char *s = db_str(db, esid, &k->err);

			if (!s)
				goto fail;
			match = strlen(s) == len && !memcmp(s, name, len);
		}
		for (i = 0; i < cnt; i++) {
			const uint32_t *l;
			uint32_t ln;

			if (btfdb_dbf_get_varint(&p, end, &v))
				goto bad;
			sid = i ? sid + v + 1 : (uint64_t)((int64_t)esid + btfdb_dbf_unzz(v));
			if (sid >= db->h.nr_strings || !sid)
				goto bad;
			if (!match)
				continue;
			if (kres_named(&k->kr, sid, &l, &ln))
				goto fail;
			if (n + ln > cap) {
				size_t c2 = cap ? cap : 16;
				uint32_t *m;

				while (c2 < n + ln)
					c2 *= 2;
				m = realloc(ids, c2 * sizeof(uint32_t));
				if (!m)
					goto fail;
				ids = m;
				cap = c2;
			}
			if (ln) /* l may be NULL for an empty list */
				memcpy(ids + n, l, (size_t)ln * sizeof(uint32_t));
			n += ln;
		}
		if (match)
			break;
	}
	if (!n) {
		free(ids);
		return 0;
	}
	qsort(ids, n, sizeof(*ids), u32_cmp);
	if (k->nres == k->capres) {
		uint32_t c2 = k->capres ? 2 * k->capres : 16;
		uint32_t **r = realloc(k->results, c2 * sizeof(*r));

		if (!r)
			goto fail;
		k->results = r;
		k->capres = c2;
	}
	k->results[k->nres++] = ids;
	*out = ids;
	return n;
bad:
	btfdb_err_set(&k->err, "database corrupt: name index group %u", group);
fail:
	free(ids);
	return 0;
}

static const struct btfdb_index_ops dbk_index_ops = {
	.lookup = dbk_lookup,
	.free = dbk_put,
};

int btfdb_db_kernel_btf(struct btfdb_db *db, uint32_t k, struct btfdb_btf **btf,
			struct btfdb_index **idx, struct btfdb_err *err)
{
	const struct btfdb_dbf_kernel *e;
	struct btfdb_btf *flat;
	struct dbk *c;
	int ret;

	*btf = NULL;
	if (idx)
		*idx = NULL;
	if (k >= db->h.nr_kernels) {
		btfdb_err_set(err, "kernel %u out of range", k);
		return -ENOENT;
	}
	e = &db->kernels[k];
	if (e->flags & BTFDB_DBF_K_RAW) {
		/* stored whole: parse it flat */
		void *data;
		size_t size;

		ret = btfdb_db_extract(db, k, &data, &size, err);
		if (ret)
			return ret;
		ret = btfdb_btf_parse_owned(data, size, NULL, &flat, err);
		if (ret)
			return ret;
		if (idx && (ret = btfdb_index_build(flat, idx, err))) {
			btfdb_btf_free(flat);
			return ret;
		}
		*btf = flat;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto nomem;
	c->db = db;
	c->e = e;
	c->tmap_len = ((size_t)e->nr_types + 1) * (sizeof(*c->types) + 1);
	c->tmap = mmap(NULL, c->tmap_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (c->tmap == MAP_FAILED)
		c->tmap = NULL;
	c->types = c->tmap;
	c->checked = c->tmap ? (uint8_t *)c->tmap + ((size_t)e->nr_types + 1) * sizeof(*c->types)
			     : NULL;
	c->refs = 1;
	if (!c->types || !c->checked) {
		dbk_put(c);
		goto nomem;
	}
	if (idx)
		c->refs++;
	ret = btfdb_btf_new_backend(&dbk_btf_ops, c, e->nr_types, e->blob_hash,
				    e->flags & BTFDB_DBF_K_BIG_ENDIAN, btf, err);
	if (ret) {
		if (idx)
			dbk_put(c);
		return ret;
	}
	if (idx) {
		ret = btfdb_index_new_backend(&dbk_index_ops, c, idx, err);
		if (ret) {
			btfdb_btf_free(*btf);
			*btf = NULL;
			return ret;
		}
	}
	return 0;
nomem:
	btfdb_err_set(err, "out of memory");
	return -ENOMEM;
}

/* ---- verify ---- */

/* Every pool id of kernel e: inverse blocks == the inverted seq. */
static int verify_inverse(struct btfdb_db *db, const struct btfdb_dbf_kernel *e,
			  struct btfdb_err *err)
{
	struct kres full = { 0 }, lazy = { 0 };
	uint64_t pid;
	int ret;

	if ((ret = kres_init(&full, db, e, err)) || (ret = kres_init_lazy(&lazy, db, e, err)))
		goto out;
	for (pid = 0; pid < e->pool_cnt; pid++) {
		const uint32_t *a, *b;
		uint32_t na, nb;

		if ((ret = kres_pid(&lazy, pid, &a, &na)))
			goto out;
		b = btfdb_dbf_res_pid(&full.res, pid, &nb);
		if (na != nb || (na && memcmp(a, b, (size_t)na * sizeof(*a)))) {
			btfdb_err_set(err, "database corrupt: inverse blocks disagree with the "
				      "type sequence at pool id %llu", (unsigned long long)pid);
			ret = -EINVAL;
			goto out;
		}
	}
out:
	kres_free(&full);
	kres_free(&lazy);
	return ret;
}

int btfdb_db_verify(struct btfdb_db *db, struct btfdb_err *err)
{
	const struct btfdb_dbf_sect *d = &db->h.sects[BTFDB_DBF_SEC_DATA];
	uint32_t b, k;
	uint8_t *buf;
	int ret;

	if (btfdb_hash64(db->map + d->off, d->len) != d->csum) {
		btfdb_err_set(err, "database corrupt: section DATA checksum mismatch");
		return -EINVAL;
	}
	for (b = 0; b < db->nstrb; b++) {
		uint64_t last = (uint64_t)(b + 1) * db->h.str_blk;

		/* the block's last string: indexes (and checks) the whole block */
		if (last > db->h.nr_strings)
			last = db->h.nr_strings;
		if (!db_str(db, last - 1, err))
			return -EINVAL;
	}
	for (b = 0; b < db->npoolb; b++) {
		const uint8_t *p, *end;
		uint64_t last = (uint64_t)(b + 1) * db->h.pool_blk;

		/* the block's last record: scans (and checks) the whole block */
		if (last > db->h.nr_pool)
			last = db->h.nr_pool;
		if ((ret = pool_rec(db, last - 1, &p, &end, err)))
			return ret;
	}
	for (b = 0; b < db->ngidxb; b++) {
		if ((ret = btfdb_dbr_inflate(db, &db->gidx_refs[b], &buf, err)))
			return ret;
		free(buf);
	}
	for (b = 0; b < db->nsmapb; b++) {
		const uint8_t *p, *end;
		uint64_t last = (uint64_t)(b + 1) * db->h.smap_blk;

		/* the block's last entry: scans (and checks) the whole block */
		if (last > db->h.nr_strings)
			last = db->h.nr_strings;
		if ((ret = smap_entry(db, last - 1, &p, &end, err)))
			return ret;
	}
	for (k = 0; k < db->h.nr_kernels; k++) {
		struct btfdb_btf *btf;
		void *data;
		size_t size;

		ret = btfdb_db_extract(db, k, &data, &size, err);
		/* the full flat checks (ids, names, reference cycles) */
		if (!ret && !(ret = btfdb_btf_parse_owned(data, size, NULL, &btf, err)))
			btfdb_btf_free(btf);
		/* the inverse blocks (used by lazy handles) must invert seq exactly */
		if (!ret && !(db->kernels[k].flags & BTFDB_DBF_K_RAW))
			ret = verify_inverse(db, &db->kernels[k], err);
		if (ret) {
			btfdb_err_prefix(err, "kernel '%s': ", btfdb_dbr_kernel_name(db, k));
			return ret;
		}
	}
	return 0;
}
