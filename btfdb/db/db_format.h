/* SPDX-License-Identifier: MIT */
/*
 * The btfdb database file layout (version 7).  FORMAT.md is the prose
 * specification; this header is the single definition of every on-disk
 * structure.  Everything is little endian, every offset is an absolute file
 * offset, every integer field is naturally aligned.
 *
 *   +--------------------------+ 0
 *   | struct btfdb_dbf_hdr x 2 |  two header slots: magic, version, generation,
 *   |   (incl. section table)  |  counts, 4 sections, header checksum; the
 *   |                          |  valid slot of the highest generation rules
 *   +--------------------------+ 2 * hdr_len
 *   | DATA    zlib blocks      |  strings, pool, index, per-kernel blocks and
 *   |                          |  per-kernel block tables (and, after `add`,
 *   |                          |  what earlier generations used)
 *   | TABLES  blockref arrays  |  the shared block tables
 *   | NAMES   kernel names     |  NUL-terminated identities, in kernel order
 *   | KERNELS kernel entries   |  struct btfdb_dbf_kernel[nr_kernels]
 *   +--------------------------+ file_size (<= the file's size)
 *
 * `btfdb add` appends in place: new blocks, then a new TABLES/NAMES/KERNELS,
 * after the current file_size, and commits by writing the other header slot
 * with generation + 1 (see FORMAT.md, "Appending").
 *
 * Shared storage: every distinct string is stored once (global string id,
 * "sid"); every distinct type record is stored once in the "pool" in a
 * position-independent encoding: names as sids, a reference to a NAMED type
 * as (name sid, relative ordinal among the kernel's types of that name), a
 * reference to an ANONYMOUS type as (pool id of its record, relative
 * ordinal) - so records stay identical across builds whose ids shift -
 * and, only inside cycles of anonymous types, as an id delta.  A kernel is
 * the sequence of pool ids of its types 1..nr_types ("seq") plus the
 * sequence of sids of its string section ("strseq") plus its BTF header;
 * it resolves references with its own seq (see FORMAT.md).
 */
#ifndef BTFDB_DB_FORMAT_H
#define BTFDB_DB_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define BTFDB_DBF_MAGIC "BTFDB\0\x1a\n" /* 8 bytes */
#define BTFDB_DBF_VERSION 7
#define BTFDB_DBF_HDR_SLOTS 2 /* header copies at 0 and hdr_len */

/* Sections, in the order of struct btfdb_dbf_hdr.sects[]. */
enum {
	BTFDB_DBF_SEC_DATA = 0,    /* compressed blocks, per-kernel tables (csum 0:
				    * every block and table has its own) */
	BTFDB_DBF_SEC_TABLES = 1,  /* the shared arrays of struct btfdb_dbf_blockref */
	BTFDB_DBF_SEC_NAMES = 2,   /* kernel identity strings */
	BTFDB_DBF_SEC_KERNELS = 3, /* struct btfdb_dbf_kernel[nr_kernels] */
	BTFDB_DBF_NR_SECS = 4,
};

/* One section: [off, off+len) of the file, XXH3-64 of its bytes. */
struct btfdb_dbf_sect {
	uint64_t off;
	uint64_t len;
	uint64_t csum;
};

/*
 * A block: `clen` bytes of raw deflate (RFC 1951, no zlib header or
 * trailer) at file offset `off` (inside DATA) that inflate to exactly
 * `ulen` bytes; csum = XXH3-64 of the compressed bytes.
 * ulen == 0 means an empty block (clen must be 0 too).
 */
struct btfdb_dbf_blockref {
	uint64_t off;
	uint32_t clen;
	uint32_t ulen;
	uint64_t csum;
};

/*
 * A kernel's inverse block: only the blocks that hold something are listed
 * (v3 listed every pool block range, ~all of them empty for most kernels of
 * a large database, so TABLES grew with kernels x pool).
 */
struct btfdb_dbf_invref {
	struct btfdb_dbf_blockref ref;
	uint32_t blk;           /* block index c: pool ids [c*inv_blk, (c+1)*inv_blk) */
	uint32_t reserved;      /* 0 */
};

/*
 * Block granularity (stored in the header so readers never assume them).
 * Small blocks keep a relocation's reads small: a type fetch inflates one
 * seq, one pool and a few string / name-map / inverse blocks.  (Readers
 * inflate whole blocks.  128 strings / 64 records measured ~15% fewer
 * reader instructions per relocation than 256 / 128 for +4% file size, but
 * pushed the btfdb_cli test's small database over its size bound.)
 */
#define BTFDB_DBF_STR_BLK 256   /* strings per string block */
#define BTFDB_DBF_POOL_BLK 128  /* records per pool block */
#define BTFDB_DBF_SEQ_BLK 1024  /* type ids per seq block */
#define BTFDB_DBF_INV_BLK 1024  /* pool ids per inverse block */
#define BTFDB_DBF_SMAP_BLK 256  /* sids per name-map block */
#define BTFDB_DBF_GIDX_GPB 64   /* index groups per index block */
#define BTFDB_DBF_NAMED_MIN 32  /* names with more records: in a kernel's named block */

/* Largest block a reader accepts to inflate (guards allocation). */
#define BTFDB_DBF_MAX_ULEN (1u << 30)
/* deflate's largest expansion: 258 bytes from a 2-bit length+distance pair */
#define BTFDB_DBF_MAX_RATIO 1032u

struct btfdb_dbf_hdr {
	char magic[8];          /* BTFDB_DBF_MAGIC */
	uint16_t version;       /* BTFDB_DBF_VERSION */
	uint16_t hdr_len;       /* sizeof(struct btfdb_dbf_hdr) */
	uint32_t flags;         /* 0 */
	uint64_t file_size;     /* exact size of the file */
	uint64_t hdr_csum;      /* XXH3-64 of the header with this field 0 */

	uint32_t nr_kernels;
	uint32_t nr_strings;    /* global strings; sid 0 is "" */
	uint32_t nr_pool;       /* distinct type records */
	uint32_t str_blk;       /* strings per string block */
	uint32_t pool_blk;      /* records per pool block */
	uint32_t seq_blk;       /* type ids per seq block */
	uint32_t smap_blk;      /* sids per name-map block */
	uint32_t gidx_groups;   /* name index groups (power of two) */
	uint32_t gidx_gpb;      /* groups per index block */
	uint32_t inv_blk;       /* pool ids per inverse block */
	/*
	 * A kernel's `named` block lists its types of every name that more
	 * than named_min pool records carried when it was added (a reader
	 * resolving another name visits at most named_min + 1 name-map
	 * entries, so resolution does not grow with the name's variants).
	 */
	uint32_t named_min;
	uint32_t reserved;      /* 0 */

	/* blockref arrays inside TABLES (absolute offsets) */
	uint64_t str_tab;       /* ceil(nr_strings / str_blk) refs */
	uint64_t pool_tab;      /* ceil(nr_pool / pool_blk) refs */
	uint64_t gidx_tab;      /* gidx_groups / gidx_gpb refs */
	uint64_t smap_tab;      /* ceil(nr_strings / smap_blk) refs */
	/*
	 * Incremented by every write in place (`btfdb add`); a new file
	 * starts at 1.  Readers use the valid header slot with the highest
	 * generation; a writer writes the other slot.
	 */
	uint64_t generation;

	struct btfdb_dbf_sect sects[BTFDB_DBF_NR_SECS];
};

/* Kernel flags. */
#define BTFDB_DBF_K_RAW 0x1        /* stored as one zlib block of the blob */
#define BTFDB_DBF_K_BIG_ENDIAN 0x2 /* the blob is big endian */

#define BTFDB_DBF_BTF_HDR_MAX 32

struct btfdb_dbf_kernel {
	uint64_t name_off;      /* NUL-terminated identity, inside NAMES */
	uint64_t blob_hash;     /* XXH3-64 of the original blob */
	uint64_t blob_size;     /* size of the original blob */
	uint32_t nr_types;      /* type ids 1..nr_types */
	uint32_t flags;         /* BTFDB_DBF_K_* */
	uint32_t nr_strs;       /* strings in its string section (strseq length) */
	uint32_t pool_cnt;      /* pool size when added: bounds its pool ids */
	uint32_t btf_hdr_len;   /* bytes used in btf_hdr[] */
	uint32_t nr_inv;        /* entries of inv_tab */
	uint8_t btf_hdr[BTFDB_DBF_BTF_HDR_MAX]; /* the blob's BTF header, verbatim */
	uint64_t seq_tab;       /* ceil(nr_types / seq_blk) refs, 8-aligned, in DATA */
	uint64_t inv_tab;       /* = seq_tab + their size: nr_inv struct btfdb_dbf_invref,
				 * blk strictly ascending, < ceil(pool_cnt / inv_blk) */
	uint64_t tab_csum;      /* XXH3-64 of [seq_tab, inv_tab + nr_inv * 32) */
	struct btfdb_dbf_blockref strseq; /* sid sequence of the string section */
	struct btfdb_dbf_blockref raw;    /* K_RAW: the whole blob */
	/* its type ids of the names with more than named_min records in the
	 * pool when it was added (see the block contents below) */
	struct btfdb_dbf_blockref named;
	/*
	 * XXH3-64 of this entry (with ent_csum = 0) followed by its name and
	 * the name's NUL: checked when the kernel is used, so that opening
	 * does not hash every entry (v5 hashed NAMES and KERNELS at open).
	 */
	uint64_t ent_csum;
};

/*
 * Block contents (all after inflating):
 *  string block : str_blk NUL-terminated strings back to back (fewer in the last)
 *  pool block   : pool_blk encoded records back to back (see db_codec.c)
 *  seq block    : one varint per type id: zigzag(pool - prev - 1), prev = -1 at
 *                 block start
 *  inverse block: (c = block index) the (pool id, type id) pairs of the
 *                 kernel with pool id in [c*inv_blk, (c+1)*inv_blk), sorted
 *                 by pool id then type id: per pair varint dp = pid - prev
 *                 (prev = c*inv_blk - 1 at block start; 0 = same pool id as
 *                 the previous pair), varint zigzag(tid - prev_tid - 1)
 *                 (prev_tid = 0 at block start; ascending within a pool id)
 *  strseq       : one varint per string: zigzag(sid - prev - 1), prev = -1
 *  named        : per name sid s (ascending) that a type of the kernel has
 *                 and that more than named_min pool records below its
 *                 pool_cnt have: varint s - prev (prev = 0 first), varint
 *                 n >= 1, then its n type ids ascending (first absolute,
 *                 then deltas - 1); exactly those sids
 *  name map     : per sid of the block's range: varint n, then n varints: the
 *  (smap)         pool ids of the records NAMED sid (first absolute, then
 *                 ascending deltas - 1)
 *  index block  : u32 group_off[gidx_gpb + 1] (relative to the block start),
 *                 then per group entries {u16 fp, varint esid, varint n,
 *                 n varints: zigzag(first sid - esid), then ascending
 *                 deltas - 1};
 *                 an entry lists the type-name sids whose essential name is
 *                 string esid; group = XXH3(name) & (groups-1), fp = XXH3 >> 48
 */

/* ---- shared by the writer and the reader (db_codec.c) ---- */

/* Unsigned LEB128. */
static inline size_t btfdb_dbf_put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* Returns 0 on success, -1 when truncated or longer than 10 bytes. */
static inline int btfdb_dbf_get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t r = 0;
	int shift = 0;

	while (p < end && shift < 64) {
		uint8_t b = *p++;

		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*v = r;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

static inline uint64_t btfdb_dbf_zz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t btfdb_dbf_unzz(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* A growable byte buffer. */
struct btfdb_dbuf {
	uint8_t *p;
	size_t len, cap;
};
int btfdb_dbuf_reserve(struct btfdb_dbuf *b, size_t more);
int btfdb_dbuf_put(struct btfdb_dbuf *b, const void *data, size_t len);
int btfdb_dbuf_varint(struct btfdb_dbuf *b, uint64_t v);
void btfdb_dbuf_free(struct btfdb_dbuf *b);

/*
 * Type references inside a record (one varint v, maybe one more):
 *   v = 0                      void (id 0)
 *   v & 7 = 0                  delta: id = own - unzigzag((v >> 3) - 1)
 *   v & 7 = 1 / 2 / 3          NAMED: sid = v >> 3, rel = 0 / -1 / next
 *                              varint unzigzagged
 *   v & 7 = 4 / 5 / 6          ANONYMOUS: pool id = v >> 3, rel as above
 * A keyed reference (tag NAMED key sid, or ANON key pool id) resolves in the
 * kernel being decoded: L = its type ids whose name is sid (NAMED) or whose
 * record is that pool id (ANON), ascending; c = how many of L are < own id;
 * the target is L[c + rel].
 */
enum { BTFDB_DBF_REF_VOID = 0, BTFDB_DBF_REF_DELTA, BTFDB_DBF_REF_NAMED, BTFDB_DBF_REF_ANON };

struct btfdb_dbf_ref {
	int tag;      /* BTFDB_DBF_REF_* */
	uint64_t key; /* sid, pool id, or for DELTA the target id */
	int64_t rel;  /* relative ordinal (NAMED / ANON) */
};

/*
 * Encode type `t` (host order, id own_id) into out.  name_sid maps a string
 * offset to a global string id (-1: not representable); ref maps a
 * referenced type id to its encoding (-1: not representable).  Returns 0,
 * -1 when something is not representable (the caller stores the blob raw),
 * -ENOMEM.
 */
int btfdb_dbf_rec_encode(const void *t, size_t t_size, uint32_t own_id,
			 int64_t (*name_sid)(void *ctx, uint32_t off),
			 int (*ref)(void *ctx, uint32_t own, uint32_t id, struct btfdb_dbf_ref *r),
			 void *ctx, struct btfdb_dbuf *out);
/*
 * Decode one record at *pp (advancing it) into out as a host-order struct
 * btf_type + extra, for type id own_id.  sid_name maps a sid to the name
 * offset to write (for the database backend: the sid itself); resolve maps
 * a keyed reference to a type id (negative: unresolvable).  Returns 0,
 * -EINVAL on malformed input (an id that would be <= 0 or >= 2^32, a
 * truncated record, an unknown kind, an unresolvable reference), -ENOMEM.
 */
int btfdb_dbf_rec_decode(const uint8_t **pp, const uint8_t *end, uint32_t own_id,
			 int64_t (*sid_name)(void *ctx, uint64_t sid),
			 int64_t (*resolve)(void *ctx, const struct btfdb_dbf_ref *r, uint32_t own),
			 void *ctx, struct btfdb_dbuf *out);
/*
 * Resolve the references of the record at *pp (advancing it) for type id
 * own_id into w, a copy of the same record decoded by btfdb_dbf_rec_decode
 * for another type id: only the reference words are written (a record
 * shared by many ids of a non-deduplicated kernel is decoded once).  Same
 * errors as btfdb_dbf_rec_decode.
 */
int btfdb_dbf_rec_refs(const uint8_t **pp, const uint8_t *end, uint32_t own_id,
		       int64_t (*resolve)(void *ctx, const struct btfdb_dbf_ref *r, uint32_t own),
		       void *ctx, uint32_t *w);
/* The name sid of an encoded record (its second varint); -1 when malformed. */
int64_t btfdb_dbf_rec_name(const uint8_t *p, const uint8_t *end);
/*
 * Call fn for every type id t references (0 = void included), in field
 * order.  t must be a valid record of t_size bytes (as from a parsed BTF).
 */
void btfdb_dbf_type_refs(const void *t, void (*fn)(void *ctx, uint32_t id), void *ctx);

/*
 * The per-kernel reference resolver: seq (type id - 1 -> pool id) inverted
 * into pool id -> ascending type ids, plus a callback giving the ascending
 * type ids NAMED sid.  Used by the writer's round-trip check, extract and
 * the lazy backend.
 */
struct btfdb_dbf_res {
	const uint32_t *seq;    /* seq[id - 1] = pool id, n entries */
	uint32_t n;
	uint32_t lo, hi;        /* pool ids present: [lo, hi] */
	uint32_t *start;        /* start[pid - lo] .. start[pid - lo + 1]: in tids */
	uint32_t *tids;         /* type ids grouped by pool id, ascending */
	/* ascending type ids named sid; 0 or negative errno */
	int (*named)(void *ctx, uint64_t sid, const uint32_t **ids, uint32_t *n);
	/* when set: ascending type ids whose record is pid (instead of the
	 * inverted arrays above, which are then unused); 0 or negative errno */
	int (*pid_ids)(void *ctx, uint64_t pid, const uint32_t **ids, uint32_t *n);
	void *ctx;
};
int btfdb_dbf_res_init(struct btfdb_dbf_res *r, const uint32_t *seq, uint32_t n);
void btfdb_dbf_res_free(struct btfdb_dbf_res *r);
/* Type ids whose record is pool id pid (ascending); NULL with *n = 0 when none. */
const uint32_t *btfdb_dbf_res_pid(const struct btfdb_dbf_res *r, uint64_t pid, uint32_t *n);
/* Resolve a keyed reference from own (the resolve callback of rec_decode). */
int64_t btfdb_dbf_res_resolve(void *res, const struct btfdb_dbf_ref *ref, uint32_t own);
/* Number of elements of the ascending array a[0..n) that are < v. */
uint32_t btfdb_dbf_lower(const uint32_t *a, uint32_t n, uint32_t v);

/* Skip one record (used to find record starts in an inflated pool block). */
int btfdb_dbf_rec_skip(const uint8_t **pp, const uint8_t *end);

/* ent_csum of kernel entry e (its ent_csum field ignored) named name. */
uint64_t btfdb_dbf_entry_csum(const struct btfdb_dbf_kernel *e, const char *name);

/* zlib helpers: deflate all of in into a malloc'd buffer; inflate exactly ulen bytes. */
int btfdb_dbf_deflate(const void *in, size_t len, uint8_t **out, uint32_t *clen);
int btfdb_dbf_inflate(const void *in, size_t clen, void *out, size_t ulen);

#endif /* BTFDB_DB_FORMAT_H */
