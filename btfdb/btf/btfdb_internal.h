/* SPDX-License-Identifier: MIT */
/* The BTF handle's internals (btfdb/btf): for btfdb's own files only (index, db). */
#ifndef BTFDB_INTERNAL_H
#define BTFDB_INTERNAL_H

#include "btfdb.h"

/*
 * A BTF handle has one of two backings:
 *  - flat: the whole blob parsed in memory (btf_parse.c, btf_lazy.c);
 *  - backend: types and strings fetched on demand from a database (db_backend.c),
 *    which inflates only the blocks a lookup touches.
 * Accessors in btf.c dispatch on `backend`; everything above them (index,
 * corelink) cannot tell the two apart.
 */
struct btfdb_backend_ops {
	/* Type by id (id >= 1, < type_cnt); NULL on error. Valid until free. */
	const struct btf_type *(*type)(void *ctx, uint32_t id);
	/* String at offset; NULL if out of range or on error. */
	const char *(*str)(void *ctx, uint32_t off);
	/* Release ctx. */
	void (*free)(void *ctx);
	/* The first error behind a NULL from type/str, or NULL (optional). */
	const char *(*error)(void *ctx);
	/* Type ids whose essential name is name[0..len), ascending, from the
	 * backend's own name index (optional): lets the pointer size be found
	 * without walking every type.  Returns how many (0 also on error). */
	size_t (*named)(void *ctx, const char *name, size_t len, const uint32_t **ids);
};

/* One record of the layout section of the extended BTF format (btf_layout.c). */
struct btfdb_kind_layout {
	uint8_t info_sz;  /* bytes after struct btf_type, once */
	uint8_t elem_sz;  /* bytes per vlen element after those */
	uint16_t flags;   /* unused */
};

/* A named type as the walk saw it (the name offset is unchecked on lazy handles). */
struct btfdb_named {
	uint32_t id;
	uint32_t name_off;
};

/* Lazy handles keep the offset of every 8th type (1/8 of the memory, each
 * page of which costs a page fault), and walk at most 7 records on. */
#define OFFS_SHIFT 3
#define LZ_MAX_SEGS 8 /* segments of a lazy walk's type_offs[] */

struct btfdb_btf {
	/* --- flat backing --- */
	uint8_t *raw;                 /* the original bytes: owned malloc'd copy, or inside map */
	size_t raw_size;
	uint8_t *host;                /* host-order copy when swapped, else == raw */
	const uint8_t *tsec;          /* host-order type section */
	uint32_t *type_offs;          /* id start_id + i is at tsec + type_offs[i] (4 bytes a
	                               * type: every page of it is a page fault to pay);
	                               * lazy handles keep every 2^offs_shift-th only */
	uint8_t offs_shift;           /* 0, or OFFS_SHIFT (btfdb_flat_type() walks on) */
	struct btfdb_lz_seg {         /* lazy: own index i >= id (the last such segment) */
		uint32_t id;          /* is at type_offs[slot + ((i - id) >> offs_shift)] */
		uint32_t slot;        /* plus at most 7 records (see walk_lazy()) */
	} segs[LZ_MAX_SEGS];
	uint8_t nsegs;
	uint32_t nr_types;            /* own types */
	const char *strs;             /* own string section (host copy) */
	uint32_t str_len;
	uint32_t str_start;           /* first own string offset (base's str_len for split) */
	const struct btfdb_btf *base; /* split BTF base, or NULL */
	const struct btfdb_kind_layout *layout; /* layout section (extended format), or NULL */
	uint32_t nr_layout;           /* kinds it describes */
	uint32_t start_id;            /* 1, or base type_cnt */
	bool swapped;                 /* original was the other byte order */
	bool kernel_rules;            /* BTFDB_LOAD_KERNEL_RULES: also the kernel verifier's
	                               * rules (btf_kernel_rules.h); target BTF only */
	bool big_endian;              /* original byte order */
	void *map;                    /* when set: an mmap()ed region holding raw, owned
	                               * (munmap'ed on free instead of free(raw)) */
	size_t map_size;
	uint8_t *kinds;               /* kinds[i] = BTF kind of id start_id + i (compact
	                               * copy for the full checks; NULL on lazy handles) */
	uint32_t nr_named;            /* at most this many own types have a name */
	uint32_t nr_named_core;       /* ... of them with btfdb_kind_is_core_cand() kinds */
	struct btfdb_named *named_core; /* those, ascending (the index's input) */

	/* --- lazy checking (BTFDB_LOAD_LAZY): the walk checked every record's
	 *     kind and size; the rest of a type and the types it contains by
	 *     value, cycles included, are checked when btfdb_btf_type() first
	 *     hands it out (lazy_check() in btf_lazy.c) --- */
	uint8_t *vstate;              /* per own type: LZ_NEW, LZ_PENDING, LZ_OK (below);
	                               * NULL = everything checked at parse */
	struct btfdb_lz_frame *lstack;/* DFS stack of the lazy check, reused */
	uint32_t lcap;
	bool lazy_failed;             /* lazy_err holds the first failure */
	struct btfdb_err lazy_err;

	/* --- backend (database) backing; when set, the flat fields above
	 *     except start_id/nr_types/base are unused --- */
	const struct btfdb_backend_ops *backend;
	void *backend_ctx;

	/* --- lazily computed --- */
	uint64_t hash;
	bool hash_valid;
	int ptr_size;                 /* 0 = not computed yet */
};

/* vstate[] values */
#define LZ_NEW 0     /* only the walk's checks so far */
#define LZ_PENDING 1 /* on the stack of the running check */
#define LZ_OK 2      /* fully checked, and so is everything it holds by value */

/* btfdb_btf_type() of a lazily checked own type not yet LZ_OK (btf_lazy.c):
 * checks it first, NULL if that fails (btfdb_btf_error() tells why). */
const struct btf_type *btfdb_btf_lazy_type(const struct btfdb_btf *btf, uint32_t id);
/* Frees the lazy check's state (btfdb_btf_free()). */
void btfdb_btf_lazy_release(struct btfdb_btf *btf);

const struct btf_type *btfdb_flat_type_walk(const struct btfdb_btf *btf, uint32_t i);

/* Own type i (id start_id + i) of a flat handle, i < nr_types. */
static inline const struct btf_type *btfdb_flat_type(const struct btfdb_btf *btf, uint32_t i)
{
	if (btf->offs_shift)
		return btfdb_flat_type_walk(btf, i);
	return (const struct btf_type *)(btf->tsec + btf->type_offs[i]);
}

/* The layout section of the extended format (btf_layout.c): read it from a parsed
 * header (hdr in host order; fills btf->layout, nr_layout; none when hdr_len < 32). */
int btfdb_layout_parse(struct btfdb_btf *btf, const struct btf_header *hdr, struct btfdb_err *err);
/* Record size of type id t, of a kind btfdb does not know, from the layout section (own
 * or base's): fills *bytes, or fails naming the type, its offset and why nothing sizes it. */
int btfdb_layout_rec_bytes(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
			   uint64_t *bytes, struct btfdb_err *err);
/* True for the kinds btfdb knows (1 .. BTF_KIND_MAX); the others are opaque records. */
static inline bool btfdb_kind_known(uint32_t kind)
{
	return kind >= 1 && kind <= BTF_KIND_MAX;
}

/* Construct a handle on a backend (takes ownership of ctx, also on failure). */
/* nr_types = own types (ids 1..nr_types); hash = XXH3-64 of the original
 * blob; btfdb_btf_raw() returns NULL for backend handles. */
int btfdb_btf_new_backend(const struct btfdb_backend_ops *ops, void *ctx, uint32_t nr_types,
			  uint64_t hash, bool big_endian, struct btfdb_btf **out,
			  struct btfdb_err *err);

/* Map the pages of a fresh allocation [p, p + len) in one call (best effort):
 * cheaper than one page fault per page for arrays about to be filled. */
void btfdb_prefault(void *p, size_t len);

/* XXH3-64 of a blob (btf.c): the handle's hash, the db's checksums. */
uint64_t btfdb_hash64(const void *data, size_t len);

/* The parser behind all of the below: the handle takes ownership of map (when
 * not NULL: data lies inside [map, map + map_size), munmap'ed on free) or else
 * of the malloc'd data (freed also on failure); flags: BTFDB_LOAD_*.  The bytes
 * are parsed in place when in host order. */
int btfdb_btf_parse_flags(void *map, size_t map_size, void *data, size_t size,
			  const struct btfdb_btf *base, unsigned int flags,
			  struct btfdb_btf **out, struct btfdb_err *err);

/* btfdb_btf_parse() with flags: parses a private copy of data. */
int btfdb_btf_parse_copy(const void *data, size_t size, const struct btfdb_btf *base,
			 unsigned int flags, struct btfdb_btf **out, struct btfdb_err *err);

/* Like btfdb_btf_parse() but takes ownership of a malloc'd blob (freed also on
 * failure): avoids a second copy when the caller already holds the bytes. */
int btfdb_btf_parse_owned(void *data, size_t size, const struct btfdb_btf *base,
			  struct btfdb_btf **out, struct btfdb_err *err);

#endif /* BTFDB_INTERNAL_H */
