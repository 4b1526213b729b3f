/* SPDX-License-Identifier: MIT */
/*
 * btfdb database: many kernels' BTF in one file (layout: db_format.h,
 * FORMAT.md).  Conventions are btfdb.h's.
 *
 * Reading:
 *     struct btfdb_db *db;  struct btfdb_btf *btf;  struct btfdb_index *idx;
 *     btfdb_db_open("kernels.btfdb", &db, &err);
 *     int k = btfdb_db_find_kernel(db, "5.10.0-1-amd64", &err);
 *     btfdb_db_kernel_btf(db, k, &btf, &idx, &err);   // lazy: ~no inflating yet
 *     ... use btf / idx like flat ones (corelink relocation) ...
 *     btfdb_index_free(idx); btfdb_btf_free(btf); btfdb_db_close(db);
 * The db must outlive every btf/index made from it.  Backend handles give
 * the same type ids, records and names as the flat parse, except that
 * name_off fields hold database string ids (resolve them with
 * btfdb_btf_str(), never against the original string section), and
 * btfdb_btf_raw() returns NULL (use btfdb_db_extract()).
 * Threads: a db and every handle made from it share caches without locks;
 * use them from one thread at a time (open one db per thread otherwise).
 */
#ifndef BTFDB_DB_H
#define BTFDB_DB_H

#include "btfdb_index.h"

#ifdef __cplusplus
extern "C" {
#endif

struct btfdb_db;

struct btfdb_db_kernel_info {
	const char *name;      /* identity: "distro/version/arch/release" or --name */
	const char *release;   /* last path component of name */
	uint64_t blob_hash;    /* XXH3-64 of the original blob */
	uint64_t blob_size;    /* bytes of the original blob */
	uint32_t nr_types;     /* type ids 1..nr_types */
	bool raw;              /* stored whole (not shared) */
	bool big_endian;
};

struct btfdb_db_info {
	uint64_t file_size;
	uint32_t nr_kernels;
	uint32_t nr_strings;   /* distinct strings */
	uint32_t nr_pool;      /* distinct type records */
	uint64_t raw_total;    /* sum of the kernels' blob sizes */
	uint64_t strings_bytes;  /* compressed string blocks */
	uint64_t pool_bytes;     /* compressed type pool blocks */
	uint64_t index_bytes;    /* compressed name index + name map */
	uint64_t kernel_bytes;   /* per-kernel blocks (seq, strseq, raw) */
	uint64_t unused_bytes;   /* in DATA, referenced by nothing: what earlier
				  * generations used (btfdb add appends), and
				  * padding; btfdb compact drops them */
	uint32_t bad_kernels;    /* kernel entries that failed their checks */
};

/*
 * Open and validate the header, section table and table bounds: what open
 * reads does not grow with the database; each kernel entry, block and
 * table is checked when used, everything by btfdb_db_verify().
 */
int btfdb_db_open(const char *path, struct btfdb_db **out, struct btfdb_err *err);
void btfdb_db_close(struct btfdb_db *db);
/*
 * Drop every cached (inflated) block of db, and unmap the pages of the file
 * touched so far, so that a process going through many kernels keeps the
 * memory of one.  Only when no btf/index handle made
 * from db is alive (they point into the cache); later handles refill it.
 */
void btfdb_db_evict(struct btfdb_db *db);

uint32_t btfdb_db_kernel_count(const struct btfdb_db *db);
/*
 * Kernel k's entry is checked when first used (its checksum covers the
 * entry and its name): -ENOENT out of range, -EINVAL (reason in err, which
 * may be NULL) when corrupt.  info->name stays valid until btfdb_db_close().
 */
int btfdb_db_kernel_info(struct btfdb_db *db, uint32_t k, struct btfdb_db_kernel_info *info,
			 struct btfdb_err *err);
/*
 * The compressed bytes private to kernel k (its blocks), from its block
 * tables, which are read and checked for this (kernel_info reads only the
 * entry, so listing kernels costs their entries, not their tables).
 */
int btfdb_db_kernel_own_bytes(struct btfdb_db *db, uint32_t k, uint64_t *bytes,
			      struct btfdb_err *err);
/* Totals; kernels whose entry is corrupt are counted in bad_kernels only. */
void btfdb_db_info(struct btfdb_db *db, struct btfdb_db_info *info);
/*
 * Kernel index by exact identity, or by release (last component) when that
 * is unique.  -ENOENT when absent, -ENOTUNIQ when the release is ambiguous.
 */
int btfdb_db_find_kernel(struct btfdb_db *db, const char *name, struct btfdb_err *err);

/*
 * Lazy handles on kernel k: types and index entries are inflated on first
 * use.  idx may be NULL.  Both must be freed before btfdb_db_close().
 */
int btfdb_db_kernel_btf(struct btfdb_db *db, uint32_t k, struct btfdb_btf **btf,
			struct btfdb_index **idx, struct btfdb_err *err);

/* The original blob of kernel k, byte for byte (malloc'd, caller frees). */
int btfdb_db_extract(struct btfdb_db *db, uint32_t k, void **data, size_t *size,
		     struct btfdb_err *err);

/* Check every section checksum, every block, and every kernel's blob hash. */
int btfdb_db_verify(struct btfdb_db *db, struct btfdb_err *err);

/* ---- writing ---- */

struct btfdb_db_writer;

/* Start empty, or from the kernels of an existing database (path != NULL). */
int btfdb_db_writer_new(const char *path, struct btfdb_db_writer **out, struct btfdb_err *err);
/*
 * Start a new database to be written at path (btfdb build, compact): each
 * kernel's private blocks are written to a temporary file next to path as
 * soon as it is added, so the writer's memory holds the shared storage and
 * one kernel, not the database; btfdb_db_writer_write(w, path) completes
 * the file and renames it over path (btfdb_db_writer_free() without it
 * drops the temporary).  A kernel removed from such a writer leaves its
 * bytes in the file, unreferenced.
 */
int btfdb_db_writer_create(const char *path, struct btfdb_db_writer **out, struct btfdb_err *err);
/* Did a call fail because the file being written could not be (full disk, ...)? */
bool btfdb_db_writer_output_failed(const struct btfdb_db_writer *w);
/*
 * Start from the existing database at path, to append to it in place
 * (what `btfdb add` does): its strings and records are loaded (to share
 * them), its kernels only by name; btfdb_db_writer_write(w, path) then
 * writes after the end of the file only what is new (blocks, the block
 * tables, names and kernel entries) and commits by writing the other
 * header slot: readers see the old or the new database, and a writer
 * killed before the commit leaves the old one (its bytes past the old end
 * are ignored and removed by the next write).  Hold btfdb_db_lock().
 */
int btfdb_db_writer_open_append(const char *path, struct btfdb_db_writer **out,
				struct btfdb_err *err);
void btfdb_db_writer_free(struct btfdb_db_writer *w);
/*
 * Add one kernel.  The blob is re-encoded in shared form and decoded again
 * to check it reproduces exactly; otherwise it is stored whole (raw).
 * Returns 0 (shared), 1 (raw: err says why, e.g. "a name offset is not the
 * first copy of its string"), or a negative errno (-EEXIST when the name is
 * present already).
 */
int btfdb_db_writer_add(struct btfdb_db_writer *w, const struct btfdb_btf *btf,
			const char *name, struct btfdb_err *err);
/*
 * Remove a kernel by identity (or unique release).  -ENOENT when absent.
 * The shared records only it used stay in the file: btfdb_db_compact()
 * (what `btfdb rm` runs) reclaims them.
 */
int btfdb_db_writer_remove(struct btfdb_db_writer *w, const char *name, struct btfdb_err *err);
uint32_t btfdb_db_writer_kernel_count(const struct btfdb_db_writer *w);
/*
 * Serialize the writers of one database (btfdb add/rm/compact): an exclusive
 * flock() on the file that is at path when the lock is granted (a writer
 * replaces the file by rename, so a waiter re-checks that it locked the
 * current one).  *fd = -1 (and 0) when path does not exist yet.  Readers
 * take no lock: they see the old file or the new one.
 */
int btfdb_db_lock(const char *path, int *fd, struct btfdb_err *err);
void btfdb_db_unlock(int fd);
/*
 * Write atomically (an unnamed file in the same directory, named and renamed
 * over path once complete): readers see the old or the new database, and
 * nothing is left behind on failure or when the process is killed.  A
 * writer from btfdb_db_writer_open_append() appends in place instead (path
 * must be the one it was opened from); on failure (a full disk) the file
 * is cut back to its old end and keeps the old database.
 */
int btfdb_db_writer_write(struct btfdb_db_writer *w, const char *path, struct btfdb_err *err);

/*
 * Rebuild database src into dst (may be the same path; written atomically)
 * keeping only the strings and records its kernels use, without kernel
 * `drop` (identity or unique release) when drop != NULL.  Streams: one
 * kernel is extracted and re-added at a time.
 */
int btfdb_db_compact(const char *src, const char *dst, const char *drop, struct btfdb_err *err);

/*
 * Add sources one kernel at a time: a directory (BTFHub layout, every
 * *.btf.tar.xz / *.btf below it, name = relative path without the suffix),
 * or a file (.btf, .btf.tar.xz, vmlinux ELF; name = `name` when given, else
 * the file name without suffix).  progress (may be NULL) is called after
 * each kernel, with raw_why NULL when it is stored in shared form, else why
 * it is stored whole.
 */
int btfdb_db_writer_add_sources(struct btfdb_db_writer *w, const char *const *srcs, int nr,
				const char *name,
				void (*progress)(void *ctx, const char *name, const char *raw_why),
				void *ctx, struct btfdb_err *err);

/* ---- printing (btf_dump_c.c) ---- */

/*
 * Type id as a C declaration ("struct x {...};", "typedef ...;", a function
 * prototype, ...) in a malloc'd NUL-terminated string.
 */
int btfdb_btf_dump_c(const struct btfdb_btf *btf, uint32_t id, char **out, struct btfdb_err *err);

#ifdef __cplusplus
}
#endif
#endif /* BTFDB_DB_H */
