/* SPDX-License-Identifier: MIT */
/*
 * Internals of the btfdb database writer, shared by its files:
 *   db_writer.c   state, string set, loading an existing database, find/remove
 *   db_wpool.c    record sets (pool) whose full blocks may live only in the file
 *   db_add.c      adding one kernel (shared encoding or raw)
 *   db_write.c    writing the file
 *   db_sources.c  compaction, adding files and directories
 */
#ifndef BTFDB_DB_WRITE_INTERNAL_H
#define BTFDB_DB_WRITE_INTERNAL_H

#include "btfdb_db.h"
#include "btfdb_fileio.h"
#include "db_format.h"
#include "db_read_internal.h"

#define BTFDB_DBW_NONE UINT32_MAX

/* A compressed block owned by the writer. */
struct wblk {
	uint8_t *data;
	uint32_t clen, ulen;
};

struct wkernel {
	char *name;
	struct btfdb_dbf_kernel e;   /* entry; offsets filled at write time */
	bool stored;                 /* append mode: already in the file, e's offsets
				      * valid there, no blocks in memory */
	struct wblk *seq;            /* seq blocks */
	uint32_t nseq;
	struct wblk *inv;            /* inverse blocks (pool id -> type ids) that hold */
	uint32_t *inv_idx;           /* something, and their block indexes (ascending) */
	uint32_t ninv;
	struct wblk strseq, raw;
	struct wblk named;           /* its ids of the names with > named_min records */
};

/* Open-addressing set of ids (slot = id + 1, 0 = empty) keyed by a hash. */
struct idset {
	uint32_t *slots;
	uint32_t cap;   /* power of two */
};

/*
 * A set of distinct byte strings numbered 0.. in insertion order (db_wpool.c):
 * items [base, n) in memory, [0, base) sealed in whole pool blocks of file fd.
 */
struct wpool_cache;
struct recset {
	struct btfdb_dbuf buf; /* items [base, n) back to back */
	uint64_t *off;         /* off[i - base] start of item i in buf, off[n - base] the end */
	uint32_t n, base, cap; /* off[] capacity */
	uint64_t *slots;       /* (32 bits of hash) << 32 | (id + 1); 0 = empty */
	uint32_t scap;         /* power of two */
	bool track_names;      /* keep names[]: the name sid of every item (pool) */
	uint32_t *names, capnames;
	struct btfdb_dbf_blockref *srefs; /* sealed block b (items b * POOL_BLK ..) */
	uint32_t nsrefs, capsrefs;
	int fd;                /* the file holding the sealed blocks */
	struct wpool_cache *cache;
};

struct btfdb_db_writer {
	/* global strings: sbuf holds them NUL-terminated, soff[sid] the start */
	struct btfdb_dbuf sbuf;
	uint64_t *soff;
	uint64_t *shash;
	uint32_t nstr, capstr, capshash; /* soff[] and shash[] capacities */
	struct idset sset;
	struct recset pool;   /* encoded type records */
	uint32_t *nvar;       /* nvar[sid]: pool records named sid */
	uint32_t capnvar;
	struct recset fresh;  /* per-kernel scratch: records new in this kernel */
	/* kernels */
	struct wkernel *k;
	uint32_t nk, capk;
	/* per-kernel scratch: kfirst[sid] = first offset of sid in the current kernel */
	uint32_t *kfirst;
	uint32_t capfirst;
	uint32_t *str_at;     /* offset -> sid + 1 of the string starting there */
	/*
	 * Append mode (btfdb_db_writer_open_append): the database as opened,
	 * kept mapped so that unchanged shared blocks are referenced, not
	 * written again; `fd` is the file, opened for writing.
	 */
	struct btfdb_db *base;
	char *base_path;
	int fd;
	/*
	 * A new file written as kernels are added (btfdb_db_writer_create):
	 * each kernel's blocks and block tables go to the temporary file at
	 * `end` as soon as it is added (the kernel is then `stored`), so the
	 * writer keeps only the shared storage; file.fd = -1 otherwise.
	 */
	struct btfdb_fileio_atomic file;
	uint64_t end;
	bool output_failed;          /* writing the file failed */
};

/* ---- db_writer.c ---- */

struct btfdb_db_writer *btfdb_dbw_alloc(void);
void btfdb_dbw_blk_free(struct wblk *b);
/* Free a kernel's blocks (not its name or entry). */
void btfdb_dbw_kernel_free_blocks(struct wkernel *k);
void btfdb_dbw_kernel_free(struct wkernel *k);
/* Intern string s (len bytes, no NUL inside); returns sid or -ENOMEM. */
int64_t btfdb_dbw_intern(struct btfdb_db_writer *w, const char *s, size_t len);
/* Count record rec (just appended to the pool) in nvar[] under its name. */
int btfdb_dbw_count_named(struct btfdb_db_writer *w, const uint8_t *rec, size_t len);
/* Index of a kernel by identity or unique release; -ENOENT / -ENOTUNIQ. */
int btfdb_dbw_find(const struct btfdb_db_writer *w, const char *name);

/* ---- db_write.c ---- */

/*
 * A writer from btfdb_db_writer_create(): write kernel wk's blocks and
 * block tables to the file now, free them, mark it stored.
 */
int btfdb_dbw_store_kernel(struct btfdb_db_writer *w, struct wkernel *wk, struct btfdb_err *err);
/*
 * A writer from btfdb_db_writer_create(): write the pool's full blocks not
 * yet written to the file now and seal them (their bytes leave memory).
 */
int btfdb_dbw_seal_pool(struct btfdb_db_writer *w, struct btfdb_err *err);

/* ---- db_wpool.c ---- */

/* Grow *p (elem bytes each) to hold need, doubling from 1024; -ENOMEM. */
int btfdb_dbw_grow(void **p, uint32_t *cap, uint32_t need, size_t elem);

void btfdb_dbw_recset_init(struct recset *r, bool names);
void btfdb_dbw_recset_free(struct recset *r);
/* Room for n items without growing the hash slots or names: 0 or -ENOMEM. */
int btfdb_dbw_recset_reserve(struct recset *r, uint32_t n);
/* Find rec in r; when absent and add is set, append it: id, -1 (absent), -errno. */
int64_t btfdb_dbw_recset_get(struct recset *r, const uint8_t *rec, size_t len, int add);
/* Item id's bytes (valid until the next call on r): 0 or -errno (a sealed block unreadable). */
int btfdb_dbw_recset_item(struct recset *r, uint32_t id, const uint8_t **p, size_t *len);
/* Append sealed item rec (no item in memory yet; its block's ref given before): 0, -EEXIST, -errno. */
int btfdb_dbw_recset_add_sealed(struct recset *r, const uint8_t *rec, size_t len);
/* The next sealed block's reference. */
int btfdb_dbw_recset_seal_ref(struct recset *r, const struct btfdb_dbf_blockref *ref);
/* Forget the bytes of the first POOL_BLK items in memory (their block is sealed). */
void btfdb_dbw_recset_drop_front(struct recset *r);
void btfdb_dbw_recset_clear(struct recset *r);
/* Free the cache of inflated sealed blocks. */
void btfdb_dbw_recset_uncache(struct recset *r);

/* ---- db_add.c ---- */

/* Deflate buf into b. */
int btfdb_dbw_compress(struct wblk *b, const struct btfdb_dbuf *buf);

#endif
