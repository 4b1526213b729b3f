/* SPDX-License-Identifier: MIT */
/*
 * Writing a btfdb database: the writer's record sets (the type pool and a
 * kernel's new records) with find-or-add, whose full blocks may be SEALED:
 * kept only in the file, not in memory.
 *
 * A set numbers distinct byte strings 0.. in insertion order.  Records
 * [base, n) are in memory, back to back; records [0, base) are sealed: they
 * are whole pool blocks (BTFDB_DBF_POOL_BLK records each) of file `fd`,
 * block b at srefs[b].  For find-or-add the set keeps, per record, only an
 * 8-byte slot (32 bits of its hash and its id) and, for the pool, its name
 * sid; a sealed record's bytes are read back (pread, checksum, inflate, a
 * small direct-mapped cache of blocks) when a slot's hash matches.  So the
 * memory of `btfdb build` and `btfdb add` does not hold the pool's bytes
 * (22 MB of the 500-kernel database, growing with it): `add` seals the
 * database's full pool blocks as it opens it, `build` seals each full block
 * as soon as the kernel that filled it is written (db_write.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btfdb_internal.h"
#include "db_write_internal.h"

/*
 * Sealed blocks kept inflated (direct mapped by block number): a kernel's
 * records are mostly in runs of blocks, and 256 blocks made a 30-kernel
 * build 1.7x slower than keeping the pool in memory, 4096 (~12 MB at the
 * ~3 KB a block of real kernels inflates to) 17% faster.
 */
#define WPOOL_CACHE 4096

struct wpool_cblk {
	uint32_t blk;   /* block + 1; 0 = empty */
	uint32_t cap;   /* bytes allocated at data */
	uint8_t *data;
	uint32_t offs[BTFDB_DBF_POOL_BLK + 1];
};

struct wpool_cache {
	struct wpool_cblk c[WPOOL_CACHE];
	uint8_t *zbuf; /* compressed bytes read */
	uint32_t zcap;
};

int btfdb_dbw_grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
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

void btfdb_dbw_recset_init(struct recset *r, bool names)
{
	memset(r, 0, sizeof(*r));
	r->track_names = names;
	r->fd = -1;
}

void btfdb_dbw_recset_uncache(struct recset *r)
{
	if (!r->cache)
		return;
	for (uint32_t i = 0; i < WPOOL_CACHE; i++)
		free(r->cache->c[i].data);
	free(r->cache->zbuf);
	free(r->cache);
	r->cache = NULL;
}

void btfdb_dbw_recset_free(struct recset *r)
{
	btfdb_dbuf_free(&r->buf);
	free(r->off);
	free(r->slots);
	free(r->names);
	free(r->srefs);
	btfdb_dbw_recset_uncache(r);
	btfdb_dbw_recset_init(r, r->track_names);
}

/*
 * The slot table has any capacity (not a power of two): a hash starts at
 * slot hl * cap / 2^32, and it grows by half, or to a reserved size, so its
 * memory follows the number of records instead of jumping 2x (16 -> 32 MB
 * when a database passed 1.57M records).  At most 3/4 full.
 */
static uint32_t slot_start(uint32_t hl, uint32_t cap)
{
	return (uint32_t)(((uint64_t)hl * cap) >> 32);
}

static uint32_t slot_next(uint32_t j, uint32_t cap)
{
	return j + 1 < cap ? j + 1 : 0;
}

static bool slots_full(const struct recset *r, uint64_t n)
{
	return n * 4 > (uint64_t)r->scap * 3;
}

/* Rehash into cap slots from the hashes kept in the slots. */
static int slots_resize(struct recset *r, uint32_t cap)
{
	uint64_t *s = calloc(cap, sizeof(*s));
	uint32_t i;

	if (!s)
		return -ENOMEM;
	for (i = 0; i < r->scap; i++) {
		uint32_t j;

		if (!r->slots[i])
			continue;
		for (j = slot_start((uint32_t)(r->slots[i] >> 32), cap); s[j]; j = slot_next(j, cap))
			;
		s[j] = r->slots[i];
	}
	free(r->slots);
	r->slots = s;
	r->scap = cap;
	return 0;
}

static int slots_grow(struct recset *r)
{
	uint64_t cap = r->scap ? (uint64_t)r->scap + r->scap / 2 : 4096;

	return cap > UINT32_MAX ? -ENOMEM : slots_resize(r, (uint32_t)cap);
}

/* Names grow by a quarter: the array follows the number of records. */
static int names_reserve(struct recset *r, uint32_t need)
{
	uint64_t cap = (uint64_t)r->capnames + r->capnames / 4;
	uint32_t *n;

	if (need <= r->capnames)
		return 0;
	if (cap < need)
		cap = need;
	if (cap < 1024)
		cap = 1024;
	if (cap > UINT32_MAX || !(n = realloc(r->names, cap * sizeof(*n))))
		return -ENOMEM;
	r->names = n;
	r->capnames = (uint32_t)cap;
	return 0;
}

int btfdb_dbw_recset_reserve(struct recset *r, uint32_t n)
{
	uint64_t cap = (uint64_t)n * 4 / 3 + 1;
	int ret;

	if (cap > UINT32_MAX)
		return -ENOMEM;
	if (cap > r->scap && (ret = slots_resize(r, (uint32_t)cap)))
		return ret;
	return r->track_names ? names_reserve(r, n) : 0;
}

/* Sealed block b into the cache: read, checksum, inflate, index its records. */
static int load_sealed(struct recset *r, uint32_t b, struct wpool_cblk **out)
{
	const struct btfdb_dbf_blockref *ref = &r->srefs[b];
	struct wpool_cache *pc = r->cache;
	struct wpool_cblk *c;
	const uint8_t *p, *end;
	uint32_t i;

	if (!pc && !(pc = r->cache = calloc(1, sizeof(*pc))))
		return -ENOMEM;
	c = &pc->c[b % WPOOL_CACHE];
	*out = c;
	if (c->blk == b + 1)
		return 0;
	c->blk = 0;
	if (!ref->ulen || ref->ulen > BTFDB_DBF_MAX_ULEN)
		return -EINVAL;
	if (pc->zcap < ref->clen) {
		free(pc->zbuf);
		if (!(pc->zbuf = malloc(ref->clen)))
			return pc->zcap = 0, -ENOMEM;
		pc->zcap = ref->clen;
	}
	if (c->cap < ref->ulen) {
		free(c->data);
		if (!(c->data = malloc(ref->ulen)))
			return c->cap = 0, -ENOMEM;
		c->cap = ref->ulen;
	}
	for (i = 0; i < ref->clen;) {
		ssize_t n = pread(r->fd, pc->zbuf + i, ref->clen - i, (off_t)(ref->off + i));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		i += (uint32_t)n;
	}
	if (btfdb_hash64(pc->zbuf, ref->clen) != ref->csum ||
	    btfdb_dbf_inflate(pc->zbuf, ref->clen, c->data, ref->ulen))
		return -EINVAL;
	p = c->data;
	end = p + ref->ulen;
	for (i = 0; i < BTFDB_DBF_POOL_BLK; i++) {
		c->offs[i] = (uint32_t)(p - c->data);
		if (p == end || btfdb_dbf_rec_skip(&p, end))
			return -EINVAL;
	}
	if (p != end)
		return -EINVAL;
	c->offs[BTFDB_DBF_POOL_BLK] = ref->ulen;
	c->blk = b + 1;
	return 0;
}

int btfdb_dbw_recset_item(struct recset *r, uint32_t id, const uint8_t **p, size_t *len)
{
	struct wpool_cblk *c;
	uint32_t k;
	int ret;

	if (id / BTFDB_DBF_POOL_BLK >= r->nsrefs) { /* (a block being sealed is read whole) */
		*p = r->buf.p + r->off[id - r->base];
		*len = r->off[id - r->base + 1] - r->off[id - r->base];
		return 0;
	}
	if ((ret = load_sealed(r, id / BTFDB_DBF_POOL_BLK, &c)))
		return ret;
	k = id % BTFDB_DBF_POOL_BLK;
	*p = c->data + c->offs[k];
	*len = c->offs[k + 1] - c->offs[k];
	return 0;
}

/* Slot index j where rec (hash h) is, or the empty slot to put it: 1 found (*id), 0, -errno. */
static int find(struct recset *r, const uint8_t *rec, size_t len, uint64_t h, uint32_t *j,
		uint32_t *id)
{
	uint32_t hl = (uint32_t)h;

	for (*j = slot_start(hl, r->scap); r->slots[*j]; *j = slot_next(*j, r->scap)) {
		const uint8_t *p;
		size_t n;
		int ret;

		if ((uint32_t)(r->slots[*j] >> 32) != hl)
			continue;
		*id = (uint32_t)r->slots[*j] - 1;
		if ((ret = btfdb_dbw_recset_item(r, *id, &p, &n)))
			return ret;
		if (n == len && !memcmp(p, rec, len))
			return 1;
	}
	return 0;
}

static int track_name(struct recset *r, uint32_t id, const uint8_t *rec, size_t len)
{
	int64_t sid;

	if (!r->track_names)
		return 0;
	if (names_reserve(r, id + 1))
		return -ENOMEM;
	sid = btfdb_dbf_rec_name(rec, rec + len);
	r->names[id] = sid < 0 || sid >= UINT32_MAX ? UINT32_MAX : (uint32_t)sid;
	return 0;
}

int64_t btfdb_dbw_recset_get(struct recset *r, const uint8_t *rec, size_t len, int add)
{
	uint64_t h = btfdb_hash64(rec, len);
	uint32_t j, id;
	int ret;

	if (slots_full(r, (uint64_t)r->n + 1) && slots_grow(r))
		return -ENOMEM;
	ret = find(r, rec, len, h, &j, &id);
	if (ret)
		return ret > 0 ? (int64_t)id : ret == -1 ? -EIO : ret;
	if (!add)
		return -1;
	/* realloc() only when full: under ASan every realloc() copies */
	if (r->n >= UINT32_MAX - 2 ||
	    btfdb_dbw_grow((void **)&r->off, &r->cap, r->n - r->base + 2, sizeof(uint64_t)))
		return -ENOMEM;
	if (r->n == r->base)
		r->off[0] = 0; /* the in-memory records start at buf.p */
	if ((ret = track_name(r, r->n, rec, len)) || btfdb_dbuf_put(&r->buf, rec, len))
		return -ENOMEM;
	id = r->n++;
	r->off[id - r->base] = r->buf.len - len;
	r->off[id - r->base + 1] = r->buf.len;
	r->slots[j] = (uint64_t)(uint32_t)h << 32 | (id + 1);
	return id;
}

int btfdb_dbw_recset_add_sealed(struct recset *r, const uint8_t *rec, size_t len)
{
	uint8_t *copy;
	uint32_t j, id;
	int ret;

	if (r->n != r->base || r->n >= UINT32_MAX - 2)
		return -EINVAL;
	if (slots_full(r, (uint64_t)r->n + 1) && slots_grow(r))
		return -ENOMEM;
	/* rec may be in the cache, which find() can evict: compare a copy */
	if (!(copy = malloc(len + 1)))
		return -ENOMEM;
	memcpy(copy, rec, len);
	ret = find(r, copy, len, btfdb_hash64(copy, len), &j, &id);
	if (!ret)
		ret = track_name(r, r->n, copy, len);
	if (!ret)
		r->slots[j] = (uint64_t)(uint32_t)btfdb_hash64(copy, len) << 32 | (r->n + 1);
	free(copy);
	if (ret)
		return ret > 0 ? -EEXIST : ret;
	r->n++;
	r->base++;
	return 0;
}

int btfdb_dbw_recset_seal_ref(struct recset *r, const struct btfdb_dbf_blockref *ref)
{
	if (btfdb_dbw_grow((void **)&r->srefs, &r->capsrefs, r->nsrefs + 1, sizeof(*r->srefs)))
		return -ENOMEM;
	r->srefs[r->nsrefs++] = *ref;
	return 0;
}

void btfdb_dbw_recset_drop_front(struct recset *r)
{
	uint32_t k = BTFDB_DBF_POOL_BLK, rest = r->n - r->base - k, i;
	uint64_t cut = r->off[k];

	memmove(r->buf.p, r->buf.p + cut, r->buf.len - cut);
	r->buf.len -= cut;
	for (i = 0; i <= rest; i++)
		r->off[i] = r->off[i + k] - cut;
	r->base += k;
}

void btfdb_dbw_recset_clear(struct recset *r)
{
	r->buf.len = 0;
	r->n = r->base = 0;
	if (r->off)
		r->off[0] = 0;
	if (r->slots)
		memset(r->slots, 0, (size_t)r->scap * sizeof(*r->slots));
}
