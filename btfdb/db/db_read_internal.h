/* SPDX-License-Identifier: MIT */
/*
 * Internals of the btfdb database reader, shared by its files:
 *   db_block.c    block access (bounds, checksum, inflate) and the shared block cache
 *   db_open.c     open / validate / close, listing
 *   db_kres.c     a kernel's reference resolver (seq, inverse, name map)
 *   db_extract.c  whole kernels: extract, verify
 *   db_backend.c  lazy BTF / index handles on one kernel
 * db_write.c uses the accessors to load an existing database.
 */
#ifndef BTFDB_DB_READ_INTERNAL_H
#define BTFDB_DB_READ_INTERNAL_H

#include <stdbool.h>
#include <zlib.h>

#include "btfdb_db.h"
#include "db_format.h"
#include "db_u32map.h"

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
	uint8_t *data;    /* len bytes + 1 NUL */
	uint32_t len;     /* the block's ulen */
	uint32_t *offs;   /* strings / pool / name map: n + 1 item starts */
	uint32_t n;
	uint32_t scanned; /* offs[0..scanned] known (items are indexed lazily) */
	bool ok;          /* inflated */
	bool bad;         /* found corrupt; kept (earlier pointers into data stay
			   * valid) and refused from then on */
};

/* A kernel entry checked on first use (checksum, fields, bounds), and its name. */
struct kent {
	struct btfdb_dbf_kernel e; /* first: a checked entry pointer is a kent */
	char name[];               /* right after e (ent_csum covers both) */
};

/*
 * An open database.  Lookups read the file with pread() into buffers of
 * their own: nothing of the file is mapped for them (a mapped file's pages
 * come in page-cache folios of up to 2 MiB here, so the few dozen blocks a
 * lookup touches kept 8 MB of a 20 MB database resident, more as it grew).
 * The mapping (`map`) is only read by whole-database operations that touch
 * every part anyway: the writers loading a database, `info`.
 */
struct btfdb_db {
	int fd;                 /* the file (pread) */
	uint8_t *map;
	size_t size;            /* the committed size: h.file_size */
	size_t map_len;         /* the file's size when mapped (>= size) */
	uint32_t slot;          /* header slot h came from */
	struct btfdb_dbf_hdr h;
	uint32_t nstrb, npoolb, ngidxb, nsmapb;
	struct kent **kent;     /* checked entries by kernel (NULL until used) */
	uint8_t *rbuf;          /* compressed bytes of the block being read */
	size_t rcap;
	/*
	 * Cache of the shared blocks (strings, pool, name index, name map)
	 * used so far: open addressing keyed by the file offset of the
	 * block's blockref, so a lookup touches a few compact pages (dense
	 * per-block arrays spread the ~40 blocks of a relocation over ~40
	 * fresh pages, and every fresh page costs a page fault).
	 */
	uint64_t *bkey;         /* 0 = empty slot */
	struct cblk **bval;
	uint32_t bcap, bused;
	/* the string blocks' cache entries by block (NULL: not looked up yet):
	 * a relocation reads hundreds of thousands of names, and a probe of
	 * the cache above cost more than the rest of a string lookup */
	struct cblk **strb;
	uint32_t str_shift;     /* log2(str_blk) when a power of 2 (it is as written), else 32 */
	z_stream *zs;           /* raw-inflate stream reused for every block
				 * (inflateReset, not init/end per block);
				 * NULL until the first block */
	uint64_t name_visits;   /* name-map pool ids decoded to resolve names (tests) */
	uint64_t type_decodes;  /* pool records decoded into backend types (tests) */
};

/*
 * An inverse block, decoded: n (pool id, type id) pairs sorted by both,
 * kept as runs (a non-deduplicated kernel has many ids per record: centos
 * 8, 19 on average, so a pool id per pair was most of a lookup's memory).
 */
struct invblk {
	struct cblk raw;   /* the block, inflated whole, decoded incrementally (freed once decoded) */
	uint32_t *tid;     /* decoded type ids [0, n) (room for every pair of the block) */
	uint32_t *rpid;    /* runs [0, nr): pool id rpid[i] has type ids tid[rstart[i] ..
			    * the next run's start, or n) */
	uint32_t *rstart;
	uint32_t n, nr, cap;
	uint32_t pos;      /* decode position in raw.data */
	int64_t prev, prev_tid;
	bool done;         /* every pair decoded and the block's end reached */
	bool ok;           /* started */
};

/* A seq block of a lazy resolver: ids decoded up to the one asked for. */
struct seqblk {
	struct cblk raw;   /* the block, inflated whole, checked incrementally */
	uint32_t *ids;     /* checkpoints: (position in raw, pool id + 1 before it) of
			    * every SEQ_CK-th id below n (not an array of all cnt
			    * ids: a lookup touches few ids of most blocks, and
			    * 4 KiB per block cost more in page faults than
			    * decoding up to 31 varints again) */
	uint32_t n, cnt;
	uint32_t pos;      /* decode position in raw.data */
	int64_t prev;
	bool ok;           /* started */
};

#define KRES_MEMO 256

/* The ascending type ids of a name (cached per sid). */
struct kname {
	uint32_t *ids;             /* malloc'd; NULL when none */
	uint32_t n;
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
	uint8_t *tabs;             /* the kernel's block tables, read and checked */
	const struct btfdb_dbf_blockref *seqref; /* its seq block refs (in tabs) */
	struct seqblk *fwd;        /* lazy: seq block b, decoded incrementally */
	uint32_t nfwd;
	const struct btfdb_dbf_invref *invref; /* lazy: the kernel's inverse block list */
	struct invblk *inv;        /* lazy: inverse block invref[i] */
	uint32_t ninv;
	/* the kernel's named block, decoded on first use: entries i < nnamed:
	 * name nsid[i], type ids ntid[nstart[i] .. nstart[i + 1]) */
	uint32_t *nsid, *nstart, *ntid;
	uint32_t nnamed;
	bool named_ok;
	struct btfdb_u32map names; /* sid + 1 -> struct kname: the ids named sid */
	/*
	 * lazy: type id -> pool id of the ids whose record is already known
	 * (from the inverse: the ids a name or an anonymous reference resolved
	 * to), so handing them out does not inflate their seq blocks (a
	 * non-deduplicated kernel's 476 copies of task_struct sit in 457
	 * different seq blocks)
	 */
	struct btfdb_u32map hint;
	/* lazy: the last lists found per pool id (direct-mapped by pid; an
	 * anonymous record is resolved again for every copy of its referrer) */
	struct kpid {
		uint32_t key;          /* pid + 1, 0 = empty */
		uint32_t n;
		const uint32_t *ids;   /* into an inverse block's decoded ids */
	} memo[KRES_MEMO];
	struct btfdb_err *err;     /* where resolution failures are reported */
	bool ok;
};

static inline uint32_t btfdb_dbr_div_up(uint64_t a, uint32_t b)
{
	return (uint32_t)((a + b - 1) / b);
}

/* ---- db_open.c ---- */

/* Unmap the pages of the database mapping touched so far (not the cache). */
void btfdb_dbr_release_pages(struct btfdb_db *db);

/* ---- db_block.c ---- */

/* The validated header (host copy). */
const struct btfdb_dbf_hdr *btfdb_dbr_hdr(const struct btfdb_db *db);
/* Read exactly len bytes at file offset off (inside the committed size). */
int btfdb_dbr_pread(struct btfdb_db *db, uint64_t off, void *buf, size_t len,
		    struct btfdb_err *err);
/*
 * Kernel k's entry, checked on first use (ent_csum over the entry and its
 * name, fields, its block tables' bounds) and kept; NULL with the reason
 * in err when corrupt.
 */
const struct btfdb_dbf_kernel *btfdb_dbr_kent(struct btfdb_db *db, uint32_t k,
					      struct btfdb_err *err);
/* The name of a checked entry (from btfdb_dbr_kent). */
static inline const char *btfdb_dbr_ename(const struct btfdb_dbf_kernel *e)
{
	return ((const struct kent *)e)->name;
}
/* Kernel k's name once btfdb_dbr_kent() accepted it ("?" before). */
const char *btfdb_dbr_kernel_name(const struct btfdb_db *db, uint32_t k);
/* Block ref b of the shared array at offset tab (a header table offset). */
int btfdb_dbr_shared_ref(struct btfdb_db *db, uint64_t tab, uint32_t b,
			 struct btfdb_dbf_blockref *ref, struct btfdb_err *err);
/*
 * Mapped access for whole-database operations (writers loading a
 * database, info): a blockref array at an offset validated at open, a
 * checked kernel's inverse block list.
 */
const struct btfdb_dbf_blockref *btfdb_dbr_refs(const struct btfdb_db *db, uint64_t off);
const struct btfdb_dbf_invref *btfdb_dbr_invrefs(const struct btfdb_db *db,
						 const struct btfdb_dbf_kernel *e);
/*
 * The compressed bytes of a block, read and checked (bounds, checksum);
 * valid until the next block is read.
 */
int btfdb_dbr_checked_data(struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
			   const uint8_t **data, struct btfdb_err *err);
/* Inflate a block into a new malloc'd buffer (*out, ref->ulen bytes; +1 NUL). */
int btfdb_dbr_inflate(struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
		      uint8_t **out, struct btfdb_err *err);
/*
 * The cache entry of the shared block whose ref is at file offset key (a
 * zeroed one, not yet inflated, when new).
 */
struct cblk *btfdb_dbr_blk_get(struct btfdb_db *db, uint64_t key, struct btfdb_err *err);
/* Free a block's buffers and zero it. */
void btfdb_dbr_blk_reset(struct cblk *c);
/* Inflate block ref whole into c (checked first); offs gets n + 1 slots. */
int btfdb_dbr_blk_start(struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
			struct cblk *c, uint32_t n, struct btfdb_err *err);
/* Free every cached shared block and the inflate stream. */
void btfdb_dbr_cache_free(struct btfdb_db *db);
/* String sid (NULL on error). */
const char *btfdb_dbr_str(struct btfdb_db *db, uint64_t sid, struct btfdb_err *err);
/*
 * String sid when its block is inflated and the string already indexed
 * (NULL: ask btfdb_dbr_str): the backend's hot path, inline.
 */
static inline const char *btfdb_dbr_str_cached(const struct btfdb_db *db, uint64_t sid)
{
	const struct cblk *c;
	uint32_t b, i;

	if (!db->strb || sid >= db->h.nr_strings)
		return NULL;
	if (db->str_shift < 32) {
		b = (uint32_t)sid >> db->str_shift;
		i = (uint32_t)sid & (db->h.str_blk - 1);
	} else {
		b = (uint32_t)sid / db->h.str_blk;
		i = (uint32_t)sid % db->h.str_blk;
	}
	c = db->strb[b];
	return c && c->ok && !c->bad && i < c->scanned ? (const char *)c->data + c->offs[i] : NULL;
}
/* Pool record pid: [*p, *end). */
int btfdb_dbr_pool_rec(struct btfdb_db *db, uint64_t pid, const uint8_t **p, const uint8_t **end,
		       struct btfdb_err *err);
/* The name-map entry of sid: [*p, *end). */
int btfdb_dbr_smap_entry(struct btfdb_db *db, uint64_t sid, const uint8_t **p, const uint8_t **end,
			 struct btfdb_err *err);

/* ---- db_kres.c ---- */

int btfdb_dbr_u32_cmp(const void *a, const void *b);
/*
 * Read kernel e's block tables ([seq_tab, inv_tab + nr_inv * 32), into a
 * new malloc'd *tabs) and check them before any use: their checksum
 * (tab_csum), and inverse block indexes strictly ascending and below their
 * bound.  tabs may be NULL (check only).
 */
int btfdb_dbr_kernel_tables(struct btfdb_db *db, const struct btfdb_dbf_kernel *e,
			    uint8_t **tabs, struct btfdb_err *err);
/* Full mode: load the kernel's whole seq and invert it (extract, verify). */
int btfdb_dbr_kres_init(struct kres *r, struct btfdb_db *db, const struct btfdb_dbf_kernel *e,
			struct btfdb_err *err);
/* Lazy mode: nothing is inflated until a type or name is asked for. */
int btfdb_dbr_kres_init_lazy(struct kres *r, struct btfdb_db *db,
			     const struct btfdb_dbf_kernel *e, struct btfdb_err *err);
void btfdb_dbr_kres_free(struct kres *r);
/* Ascending type ids of the kernel whose record is pid (n = 0: none). */
int btfdb_dbr_kres_pid(void *ctx, uint64_t pid, const uint32_t **ids, uint32_t *n);
/* The pool id of type id (1..nr_types). */
int btfdb_dbr_kres_fwd(struct kres *r, uint32_t id, uint32_t *pid);
/* Lazy: type id's record is pool id pid (from the inverse); -ENOMEM. */
int btfdb_dbr_kres_hint(struct kres *r, uint32_t id, uint32_t pid);
/*
 * Ascending type ids of the kernel named sid: from its named block when the
 * name has more than named_min records, else from the name map (at most
 * named_min + 1 of its pool ids visited).
 */
int btfdb_dbr_kres_named(void *ctx, uint64_t sid, const uint32_t **ids, uint32_t *n);
/*
 * verify: the kernel's named block lists exactly its ids of every name with
 * more than named_min records below its pool_cnt (r: a full resolver).
 */
int btfdb_dbr_kres_check_named(struct kres *r, struct btfdb_err *err);
/* Name-map pool ids decoded so far to resolve names (a test's counter). */
static inline uint64_t btfdb_dbr_name_visits(const struct btfdb_db *db)
{
	return db->name_visits;
}
/* Pool records decoded into backend handles' types so far (a test's counter). */
static inline uint64_t btfdb_dbr_type_decodes(const struct btfdb_db *db)
{
	return db->type_decodes;
}

#endif
