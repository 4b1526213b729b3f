/* SPDX-License-Identifier: MIT */
/*
 * Raw BTF: parse, validate, and the accessors every other part of btfdb and
 * corelink goes through (flat or database backend).
 *
 * Parsing steps (parse_common):
 *  1. Header: magic in either byte order, version 1, hdr_len in [24, size],
 *     sections inside the blob (64-bit math), type section 4-aligned and
 *     before the string section (libbpf's rule).
 *  2. Byte order: a foreign-order blob gets a host-order copy.  Every field of
 *     the type section is a 32-bit word (struct btf_type and all per-kind
 *     records), so the copy is the header fields plus every word of the type
 *     section swapped; strings are bytes.  The original stays in raw.  A
 *     host-order blob is parsed in place (no copy; raw may be a mapping).
 *  3. String section: ends with NUL; base BTF: non-empty and starts with NUL.
 *  4. Type walk (one sequential pass): every record fits in the section,
 *     kinds are known; fills type_offs[] and the compact kinds[] byte array.
 *  5. Per-type checks (a second sequential pass, id order, so the first
 *     failure reported is the lowest id's): names, referenced ids, per-kind
 *     sanity.  Kinds of referenced types come from kinds[], not the records.
 *  6. Reference cycles that do not pass through a PTR or FUNC_PROTO, in
 *     O(types + members) over compact arrays (check_cycles_fast); when one
 *     exists, the plain DFS (describe_cycle) names it.
 *
 * Cost on a 5.5 MB vmlinux BTF (126k types): ~2-3 ms, all sequential reads
 * of the type section plus arrays of a few bytes per type.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "btfdb_internal.h"

#define BTF_HDR_MIN_LEN ((uint32_t)sizeof(struct btf_header))

static const struct btf_type void_type; /* id 0 */

/* vstate[] of lazily checked handles: one byte per own type, mmap()ed */
static size_t vstate_size(const struct btfdb_btf *btf)
{
	return btf->nr_types ? btf->nr_types : 1;
}

#define LZ_NEW 0     /* only the walk's checks so far */
#define LZ_PENDING 1 /* on the stack of the running check */
#define LZ_OK 2      /* fully checked, and so is everything it holds by value */

struct btfdb_lz_frame {
	uint32_t id;  /* type being expanded */
	uint32_t pos; /* next value_edge() index to look at */
};

static const struct btf_type *lazy_type(const struct btfdb_btf *btf, uint32_t id);

/* Size of a record the walk found sized: a known kind, or one the layout section sizes. */
static inline uint32_t rec_size(const struct btfdb_btf *btf, const struct btf_type *t)
{
	uint64_t bytes;

	if (__builtin_expect(!btfdb_kind_known(btfdb_kind(t)), 0) &&
	    !btfdb_layout_rec_bytes(btf, 0, t, &bytes, NULL))
		return (uint32_t)bytes;
	return (uint32_t)(sizeof(*t) + btfdb_type_extra_size(t));
}

const struct btf_type *btfdb_flat_type_walk(const struct btfdb_btf *btf, uint32_t i)
{
	uint32_t slot = 0, off, j, k;

	for (k = btf->nsegs; k-- > 1;) /* the walk's segment holding i */
		if (i >= btf->segs[k].id) {
			i -= btf->segs[k].id;
			slot = btf->segs[k].slot;
			break;
		}
	off = btf->type_offs[slot + (i >> btf->offs_shift)];
	for (j = i & ~((1u << btf->offs_shift) - 1); j < i; j++)
		off += rec_size(btf, (const struct btf_type *)(btf->tsec + off));
	return (const struct btf_type *)(btf->tsec + off);
}

static bool host_is_big_endian(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
}

/* ------------------------------------------------------------------ */
/* Accessors                                                           */
/* ------------------------------------------------------------------ */

uint32_t btfdb_btf_type_cnt(const struct btfdb_btf *btf)
{
	return btf->start_id + btf->nr_types;
}

uint32_t btfdb_btf_start_id(const struct btfdb_btf *btf)
{
	return btf->start_id;
}

const struct btf_type *btfdb_btf_type(const struct btfdb_btf *btf, uint32_t id)
{
	if (id == 0)
		return &void_type;
	if (id < btf->start_id)
		return btf->base ? btfdb_btf_type(btf->base, id) : NULL;
	if (id - btf->start_id >= btf->nr_types)
		return NULL;
	if (btf->backend)
		return btf->backend->type(btf->backend_ctx, id);
	if (btf->vstate && btf->vstate[id - btf->start_id] != LZ_OK)
		return lazy_type(btf, id);
	return btfdb_flat_type(btf, id - btf->start_id);
}

const char *btfdb_btf_error(const struct btfdb_btf *btf)
{
	if (btf->backend)
		return btf->backend->error ? btf->backend->error(btf->backend_ctx) : NULL;
	if (btf->lazy_failed)
		return btf->lazy_err.msg;
	return btf->base ? btfdb_btf_error(btf->base) : NULL;
}

/* One past the last string offset a handle (with its bases) can resolve. */
static uint64_t str_end(const struct btfdb_btf *btf)
{
	return (uint64_t)btf->str_start + btf->str_len;
}

const char *btfdb_btf_str(const struct btfdb_btf *btf, uint32_t off)
{
	if (btf->backend)
		return btf->backend->str(btf->backend_ctx, off);
	if (off < btf->str_start)
		return btf->base ? btfdb_btf_str(btf->base, off) : NULL;
	if (off - btf->str_start >= btf->str_len)
		return NULL;
	return btf->strs + (off - btf->str_start);
}

const char *btfdb_btf_name(const struct btfdb_btf *btf, uint32_t id)
{
	const struct btf_type *t = btfdb_btf_type(btf, id);

	if (!t)
		return NULL;
	if (t->name_off == 0)
		return "";
	return btfdb_btf_str(btf, t->name_off);
}

bool btfdb_btf_big_endian(const struct btfdb_btf *btf)
{
	return btf->big_endian;
}

const void *btfdb_btf_raw(const struct btfdb_btf *btf, size_t *size)
{
	if (btf->backend) {
		if (size)
			*size = 0;
		return NULL;
	}
	if (size)
		*size = btf->raw_size;
	return btf->raw;
}

uint64_t btfdb_btf_hash(const struct btfdb_btf *btf)
{
	struct btfdb_btf *w = (struct btfdb_btf *)btf;
	uint64_t h;

	/*
	 * Backends fill the hash at construction; a flat handle hashes its blob on
	 * first use (most runs never ask: ~0.5 ms saved on 5 MB).  Threads that
	 * race here compute the same value; the flag is published after it.
	 */
	if (__atomic_load_n(&w->hash_valid, __ATOMIC_ACQUIRE))
		return w->hash;
	h = btfdb_hash64(btf->raw, btf->raw_size);
	__atomic_store_n(&w->hash, h, __ATOMIC_RELAXED);
	__atomic_store_n(&w->hash_valid, true, __ATOMIC_RELEASE);
	return h;
}

/* The next own type of a lazy flat handle in a scan of ascending ids (no
 * kinds[]): *cur is its offset, starting at 0 with the first own id. */
static const struct btf_type *next_own(const struct btfdb_btf *btf, uint32_t *cur)
{
	const struct btf_type *t = (const struct btf_type *)(btf->tsec + *cur);

	*cur += rec_size(btf, t);
	return t;
}

/*
 * libbpf determine_ptr_size(): a split BTF takes its base's size when that is
 * known; otherwise the first INT (ids 1.., base's included) of size 4 or 8
 * named like "long" decides.  -1 when there is none (callers use 8).
 */
static int determine_ptr_size(const struct btfdb_btf *btf)
{
	static const char *const long_aliases[] = {
		"long",
		"long int",
		"int long",
		"unsigned long",
		"long unsigned",
		"unsigned long int",
		"unsigned int long",
		"long unsigned int",
		"long int unsigned",
		"int unsigned long",
		"int long unsigned",
	};
	uint32_t i, j, n = btfdb_btf_type_cnt(btf), cur = 0;

	if (btf->base && btf->base->ptr_size > 0)
		return btf->base->ptr_size;
	for (i = 1; i < n; i++) {
		const struct btf_type *t;
		const char *name;

		/* flat own types: the record as walked, without a lazy check of
		 * the others (an INT holds no reference; its name is read through
		 * the bounds-checked btfdb_btf_str()).  Fully checked handles skip
		 * by kinds[]; lazy ones, which have none, step through the records */
		if (i >= btf->start_id && !btf->backend) {
			if (!btf->kinds) {
				t = next_own(btf, &cur);
			} else if (btf->kinds[i - btf->start_id] == BTF_KIND_INT) {
				t = btfdb_flat_type(btf, i - btf->start_id);
			} else {
				continue;
			}
		} else {
			t = btfdb_btf_type(btf, i);
		}
		if (!t || btfdb_kind(t) != BTF_KIND_INT || (t->size != 4 && t->size != 8))
			continue;
		name = t->name_off ? btfdb_btf_str(btf, t->name_off) : "";
		if (!name)
			continue;
		for (j = 0; j < sizeof(long_aliases) / sizeof(long_aliases[0]); j++)
			if (!strcmp(name, long_aliases[j]))
				return (int)t->size;
	}
	return -1;
}

int btfdb_btf_ptr_size(const struct btfdb_btf *btf)
{
	/* Flat handles compute this at parse time; backends on first use. */
	if (btf->ptr_size == 0)
		((struct btfdb_btf *)btf)->ptr_size = determine_ptr_size(btf);
	return btf->ptr_size < 0 ? 8 : btf->ptr_size;
}

void btfdb_btf_set_ptr_size(struct btfdb_btf *btf, int size)
{
	if (btf && (size == 4 || size == 8))
		btf->ptr_size = size;
}

void btfdb_btf_free(struct btfdb_btf *btf)
{
	if (!btf)
		return;
	if (btf->backend && btf->backend->free)
		btf->backend->free(btf->backend_ctx);
	if (btf->host != btf->raw)
		free(btf->host);
	if (btf->map)
		munmap(btf->map, btf->map_size);
	else
		free(btf->raw);
	free(btf->type_offs);
	free(btf->kinds);
	free(btf->named_core);
	if (btf->vstate)
		munmap(btf->vstate, vstate_size(btf));
	free(btf->lstack);
	free(btf);
}

int btfdb_btf_new_backend(const struct btfdb_backend_ops *ops, void *ctx, uint32_t nr_types,
			  uint64_t hash, bool big_endian, struct btfdb_btf **out,
			  struct btfdb_err *err)
{
	struct btfdb_btf *btf;

	*out = NULL;
	if (!ops || !ops->type || !ops->str || nr_types >= UINT32_MAX) {
		if (ops && ops->free)
			ops->free(ctx);
		btfdb_err_set(err, "BTF: invalid backend");
		return -EINVAL;
	}
	btf = calloc(1, sizeof(*btf));
	if (!btf) {
		if (ops->free)
			ops->free(ctx);
		btfdb_err_set(err, "BTF: out of memory");
		return -ENOMEM;
	}
	btf->backend = ops;
	btf->backend_ctx = ctx;
	btf->start_id = 1;
	btf->nr_types = nr_types;
	btf->hash = hash;
	btf->hash_valid = true;
	btf->big_endian = big_endian;
	*out = btf;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

void btfdb_prefault(void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t e = ((uintptr_t)p + len) & ~(uintptr_t)4095;

	/* one call instead of a page fault per page; failure (old kernels) is
	 * harmless: the pages then fault in as they are written */
	if (p && e > a)
		madvise((void *)a, e - a, MADV_POPULATE_WRITE);
}

/* Blob offset of a type record, for messages. */
static size_t blob_off(const struct btfdb_btf *btf, const void *p)
{
	return (size_t)((const uint8_t *)p - btf->host);
}

/* Steps 1-2: header checks and the host-order copy. *hdr_out points into host. */
static int parse_header(struct btfdb_btf *btf, const struct btf_header **hdr_out,
			struct btfdb_err *err)
{
	const uint8_t *raw = btf->raw;
	size_t size = btf->raw_size;
	struct btf_header *hdr;
	uint16_t magic;
	uint64_t meta;

	if (size < sizeof(magic)) {
		btfdb_err_set(err, "BTF: blob of %zu bytes is too short for a header", size);
		return -EINVAL;
	}
	memcpy(&magic, raw, sizeof(magic));
	if (magic == BTF_MAGIC) {
		btf->swapped = false;
	} else if (magic == __builtin_bswap16(BTF_MAGIC)) {
		btf->swapped = true;
	} else {
		btfdb_err_set(err, "BTF: bad magic 0x%02x%02x at offset 0 (expected 0xeb9f)",
			      raw[0], raw[1]);
		return -EINVAL;
	}
	btf->big_endian = host_is_big_endian() != btf->swapped;
	if (size < BTF_HDR_MIN_LEN) {
		btfdb_err_set(err, "BTF: truncated header: blob has %zu bytes, the header needs %u",
			      size, BTF_HDR_MIN_LEN);
		return -EINVAL;
	}
	if (btf->swapped) {
		btf->host = malloc(size);
		if (!btf->host) {
			btfdb_err_set(err, "BTF: out of memory for a %zu-byte host-order copy", size);
			return -ENOMEM;
		}
		memcpy(btf->host, raw, size);
		hdr = (struct btf_header *)btf->host;
		hdr->magic = BTF_MAGIC;
		hdr->hdr_len = __builtin_bswap32(hdr->hdr_len);
		hdr->type_off = __builtin_bswap32(hdr->type_off);
		hdr->type_len = __builtin_bswap32(hdr->type_len);
		hdr->str_off = __builtin_bswap32(hdr->str_off);
		hdr->str_len = __builtin_bswap32(hdr->str_len);
	} else {
		btf->host = btf->raw;
		hdr = (struct btf_header *)btf->host;
	}

	if (hdr->version != BTF_VERSION) {
		btfdb_err_set(err, "BTF: unsupported version %u at offset 2 (expected %u)",
			      hdr->version, BTF_VERSION);
		return -EINVAL;
	}
	if (hdr->hdr_len < BTF_HDR_MIN_LEN) {
		btfdb_err_set(err, "BTF: header length %u is below the minimum %u", hdr->hdr_len,
			      BTF_HDR_MIN_LEN);
		return -EINVAL;
	}
	if (hdr->hdr_len > size) {
		btfdb_err_set(err, "BTF: header length %u is past the end of the %zu-byte blob",
			      hdr->hdr_len, size);
		return -EINVAL;
	}
	if (hdr->hdr_len % 4) {
		btfdb_err_set(err, "BTF: header length %u is not a multiple of 4", hdr->hdr_len);
		return -EINVAL;
	}
	meta = size - hdr->hdr_len;
	if ((uint64_t)hdr->type_off + hdr->type_len > meta) {
		btfdb_err_set(err,
			      "BTF: type section (offset %u, length %u) is past the end of the blob "
			      "(%llu bytes after the header)",
			      hdr->type_off, hdr->type_len, (unsigned long long)meta);
		return -EINVAL;
	}
	if ((uint64_t)hdr->str_off + hdr->str_len > meta) {
		btfdb_err_set(err,
			      "BTF: string section (offset %u, length %u) is past the end of the blob "
			      "(%llu bytes after the header)",
			      hdr->str_off, hdr->str_len, (unsigned long long)meta);
		return -EINVAL;
	}
	if ((uint64_t)hdr->type_off + hdr->type_len > hdr->str_off) {
		btfdb_err_set(err,
			      "BTF: type section (offset %u, length %u) overlaps or follows the "
			      "string section (offset %u)",
			      hdr->type_off, hdr->type_len, hdr->str_off);
		return -EINVAL;
	}
	if (hdr->type_off % 4) {
		btfdb_err_set(err, "BTF: type section offset %u is not 4-byte aligned",
			      hdr->type_off);
		return -EINVAL;
	}
	if (btf->swapped) {
		uint32_t *w = (uint32_t *)(btf->host + hdr->hdr_len + hdr->type_off);
		size_t i, n = hdr->type_len / 4;

		for (i = 0; i < n; i++)
			w[i] = __builtin_bswap32(w[i]);
	}
	*hdr_out = hdr;
	return 0;
}

/* Step 3. */
static int parse_strings(struct btfdb_btf *btf, const struct btf_header *hdr,
			 struct btfdb_err *err)
{
	size_t sec = (size_t)hdr->hdr_len + hdr->str_off;

	btf->strs = (const char *)btf->host + sec;
	btf->str_len = hdr->str_len;
	if (btf->base) {
		uint64_t start = str_end(btf->base);

		if (start + hdr->str_len > UINT32_MAX) {
			btfdb_err_set(err, "BTF: split string offsets overflow 32 bits");
			return -EINVAL;
		}
		btf->str_start = (uint32_t)start;
		if (hdr->str_len == 0) /* libbpf allows split BTF without own strings */
			return 0;
	} else {
		btf->str_start = 0;
		if (hdr->str_len == 0) {
			btfdb_err_set(err, "BTF: string section is empty");
			return -EINVAL;
		}
		if (btf->strs[0]) {
			btfdb_err_set(err,
				      "BTF: string section does not start with NUL (blob offset 0x%zx)",
				      sec);
			return -EINVAL;
		}
	}
	if (btf->strs[hdr->str_len - 1]) {
		btfdb_err_set(err,
			      "BTF: string section is not NUL-terminated (last byte at blob offset "
			      "0x%zx)",
			      sec + hdr->str_len - 1);
		return -EINVAL;
	}
	return 0;
}

/*
 * Bytes after struct btf_type: rec_fixed[kind] + vlen * rec_per_vlen[kind]
 * (btfdb_type_extra_size() as two table lookups: the walk computes this for
 * every type, and a switch there mispredicts on every change of kind).
 */
static const uint8_t rec_fixed[NR_BTF_KINDS] = {
	[BTF_KIND_INT] = 4,  [BTF_KIND_ARRAY] = 12, [BTF_KIND_VAR] = 4,
	[BTF_KIND_DECL_TAG] = 4,
};
static const uint8_t rec_per_vlen[NR_BTF_KINDS] = {
	[BTF_KIND_STRUCT] = 12, [BTF_KIND_UNION] = 12,      [BTF_KIND_ENUM] = 8,
	[BTF_KIND_FUNC_PROTO] = 8, [BTF_KIND_DATASEC] = 12, [BTF_KIND_ENUM64] = 12,
};

/* Whole size of a record of a known kind with this vlen (64 bits: a vlen can
 * claim more than the section holds). */
static inline uint64_t rec_bytes(uint32_t kind, uint32_t vlen)
{
	return sizeof(struct btf_type) + rec_fixed[kind] + (uint64_t)vlen * rec_per_vlen[kind];
}

/*
 * The per-type checks run in two modes.  Reference mode (vs == NULL): all
 * types are known, every check is made at once (the original order-exact
 * check, also used to name the first error).  Fast mode (vs != NULL, during
 * the walk): the type count and the kinds of later types are not known yet,
 * so a referenced id only raises vs->max_ref (compared with the count after
 * the walk), and a check that needs the kind of a later type marks the type
 * for a re-check in reference mode once the walk is done (vs->defer).
 * Both modes make the same checks; the fast one only postpones some.
 */
struct vstate {
	uint32_t max_ref; /* largest id referenced so far */
	uint32_t known;   /* ids below this have kinds[] filled */
	bool defer;       /* the current type needs a reference-mode re-check */
};

/* Kind of a type id already checked to be < type_cnt (own types: kinds[]). */
static inline uint16_t kind_of(const struct btfdb_btf *btf, uint32_t id)
{
	const struct btf_type *t;

	if (id >= btf->start_id)
		return btf->kinds ? btf->kinds[id - btf->start_id]
				  : btfdb_kind(btfdb_flat_type(btf, id - btf->start_id));
	t = btfdb_btf_type(btf, id); /* void or base */
	return t ? btfdb_kind(t) : BTF_KIND_UNKN;
}

/* A type's record as walked, without the lazy check (void and base types
 * through their handle). */
static inline const struct btf_type *raw_type(const struct btfdb_btf *btf, uint32_t id)
{
	if (id >= btf->start_id && id - btf->start_id < btf->nr_types)
		return btfdb_flat_type(btf, id - btf->start_id);
	return btfdb_btf_type(btf, id);
}

/* Step 5 helpers.  Each returns 0 or -EINVAL with the message set. */
static __attribute__((noinline, cold)) int name_error(const struct btfdb_btf *btf, uint32_t id,
							     uint32_t name_off, const char *what,
							     uint32_t idx, struct btfdb_err *err)
{
	if (what)
		btfdb_err_set(err,
			      "BTF: type [%u] %s %u: name offset %u is past the end of the string "
			      "section (%llu)",
			      id, what, idx, name_off, (unsigned long long)str_end(btf));
	else
		btfdb_err_set(err,
			      "BTF: type [%u]: name offset %u is past the end of the string section "
			      "(%llu)",
			      id, name_off, (unsigned long long)str_end(btf));
	return -EINVAL;
}

static inline int check_name(const struct btfdb_btf *btf, uint32_t id, uint32_t name_off,
			     const char *what, uint32_t idx, struct btfdb_err *err)
{
	if (__builtin_expect(name_off < str_end(btf), 1))
		return 0;
	return name_error(btf, id, name_off, what, idx, err);
}

static __attribute__((noinline, cold)) int ref_error(uint32_t id, uint32_t ref, uint32_t cnt,
						    struct btfdb_err *err)
{
	btfdb_err_set(err, "BTF: type [%u] references type %u past the last type %u", id, ref,
		      cnt - 1);
	return -EINVAL;
}

static inline __attribute__((always_inline)) int check_ref(const struct btfdb_btf *btf,
							     uint32_t id, uint32_t ref,
							     struct btfdb_err *err,
							     struct vstate *vs)
{
	uint32_t cnt = btf->start_id + btf->nr_types;

	if (vs) {
		vs->max_ref = ref > vs->max_ref ? ref : vs->max_ref;
		return 0;
	}
	if (__builtin_expect(ref < cnt, 1))
		return 0;
	return ref_error(id, ref, cnt, err);
}

static __attribute__((noinline, cold)) int bad(const struct btf_type *t, uint32_t id,
						      const char *what, unsigned long long v,
						      struct btfdb_err *err)
{
	btfdb_err_set(err, "BTF: type [%u] (%s): invalid %s %llu", id,
		      btfdb_kind_name(btfdb_kind(t)), what, v);
	return -EINVAL;
}

static bool has_vlen(uint16_t kind)
{
	switch (kind) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FUNC_PROTO:
	case BTF_KIND_DATASEC:
	case BTF_KIND_FUNC: /* linkage */
		return true;
	default:
		return false;
	}
}

static inline __attribute__((always_inline)) int check_members(const struct btfdb_btf *btf,
								 uint32_t id,
								 const struct btf_type *t,
								 struct btfdb_err *err,
								 struct vstate *vs)
{
	const struct btf_member *m = btfdb_members(t);
	uint64_t bits = (uint64_t)t->size * 8;
	uint32_t i;

	for (i = 0; i < btfdb_vlen(t); i++) {
		uint64_t end = (uint64_t)btfdb_member_bit_offset(t, i) +
			       btfdb_member_bitfield_size(t, i);

		if (check_name(btf, id, m[i].name_off, "member", i, err) ||
		    check_ref(btf, id, m[i].type, err, vs))
			return -EINVAL;
		if (end > bits) {
			btfdb_err_set(err,
				      "BTF: type [%u] (%s) member %u ends at bit %llu, past the "
				      "%u-byte size",
				      id, btfdb_kind_name(btfdb_kind(t)), i,
				      (unsigned long long)end, t->size);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_decl_tag(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
			  struct btfdb_err *err)
{
	int32_t idx = ((const struct btf_decl_tag *)(t + 1))->component_idx;
	const struct btf_type *target;
	uint32_t n = 0;

	if (check_ref(btf, id, t->type, err, NULL))
		return -EINVAL;
	if (idx < -1)
		return bad(t, id, "component_idx", (unsigned long long)(int64_t)idx, err);
	if (idx == -1)
		return 0;
	target = raw_type(btf, t->type);
	if (!target)
		return bad(t, id, "target", t->type, err); /* a bad base type */
	if (btfdb_is_composite(target)) {
		n = btfdb_vlen(target);
	} else if (btfdb_kind(target) == BTF_KIND_FUNC) {
		const struct btf_type *proto = raw_type(btf, target->type);

		n = proto ? btfdb_vlen(proto) : 0;
	}
	if ((uint32_t)idx >= n) {
		btfdb_err_set(err,
			      "BTF: type [%u] (decl_tag): component_idx %d out of range for type "
			      "[%u] (%s with %u members/params)",
			      id, idx, t->type, btfdb_kind_name(btfdb_kind(target)), n);
		return -EINVAL;
	}
	return 0;
}

/* Step 5: one type (vs: fast mode, see struct vstate). */
static inline __attribute__((always_inline)) int check_type(const struct btfdb_btf *btf,
							      uint32_t id,
							      const struct btf_type *t,
							      struct btfdb_err *err,
							      struct vstate *vs)
{
	uint16_t kind = btfdb_kind(t);
	uint32_t i;

	if (check_name(btf, id, t->name_off, NULL, 0, err))
		return -EINVAL;
	if (!btfdb_kind_known(kind)) /* an opaque record of a newer kind (btf_layout.c) */
		return 0;
	if (!has_vlen(kind) && btfdb_vlen(t))
		return bad(t, id, "vlen", btfdb_vlen(t), err);

	switch (kind) {
	case BTF_KIND_INT: {
		uint32_t bits = btfdb_int_bits(t), off = btfdb_int_offset(t);

		if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8 && t->size != 16)
			return bad(t, id, "size", t->size, err);
		if (bits > 128)
			return bad(t, id, "bit count", bits, err);
		if ((uint64_t)off + bits > (uint64_t)t->size * 8) {
			btfdb_err_set(err,
				      "BTF: type [%u] (int): bit offset %u + %u bits exceed the "
				      "%u-byte size",
				      id, off, bits, t->size);
			return -EINVAL;
		}
		return 0;
	}
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return check_ref(btf, id, t->type, err, vs);
	case BTF_KIND_ARRAY:
		return check_ref(btf, id, btfdb_array(t)->type, err, vs) ?:
		       check_ref(btf, id, btfdb_array(t)->index_type, err, vs);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return check_members(btf, id, t, err, vs);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
			return bad(t, id, "size", t->size, err);
		for (i = 0; i < btfdb_vlen(t); i++) {
			uint32_t name_off = kind == BTF_KIND_ENUM ? btfdb_enums(t)[i].name_off
								  : btfdb_enums64(t)[i].name_off;

			if (check_name(btf, id, name_off, "enumerator", i, err))
				return -EINVAL;
		}
		return 0;
	case BTF_KIND_FWD:
		return 0;
	case BTF_KIND_FUNC:
		if (btfdb_vlen(t) > BTF_FUNC_EXTERN)
			return bad(t, id, "linkage", btfdb_vlen(t), err);
		if (check_ref(btf, id, t->type, err, vs))
			return -EINVAL;
		if (vs && t->type >= vs->known) {
			vs->defer = true; /* a later type: its kind is not known yet */
			return 0;
		}
		if (kind_of(btf, t->type) != BTF_KIND_FUNC_PROTO) {
			btfdb_err_set(err, "BTF: type [%u] (func) references type [%u] (%s), not a "
					   "func_proto", id, t->type,
				      btfdb_kind_name(kind_of(btf, t->type)));
			return -EINVAL;
		}
		return 0;
	case BTF_KIND_FUNC_PROTO:
		if (check_ref(btf, id, t->type, err, vs))
			return -EINVAL;
		for (i = 0; i < btfdb_vlen(t); i++)
			if (check_name(btf, id, btfdb_params(t)[i].name_off, "param", i, err) ||
			    check_ref(btf, id, btfdb_params(t)[i].type, err, vs))
				return -EINVAL;
		return 0;
	case BTF_KIND_VAR: {
		uint32_t linkage = ((const struct btf_var *)(t + 1))->linkage;

		if (linkage > BTF_VAR_GLOBAL_EXTERN)
			return bad(t, id, "linkage", linkage, err);
		return check_ref(btf, id, t->type, err, vs);
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *si = (const struct btf_var_secinfo *)(t + 1);

		if (vs) { /* rare (one per object); checked once every kind is known */
			vs->defer = true;
			return 0;
		}
		for (i = 0; i < btfdb_vlen(t); i++) {
			uint16_t k;

			if (check_ref(btf, id, si[i].type, err, NULL))
				return -EINVAL;
			k = kind_of(btf, si[i].type);
			if (k != BTF_KIND_VAR && k != BTF_KIND_FUNC) {
				btfdb_err_set(err, "BTF: type [%u] (datasec) entry %u references "
						   "type [%u] (%s), not a var or func",
					      id, i, si[i].type, btfdb_kind_name(k));
				return -EINVAL;
			}
			if (t->size && (uint64_t)si[i].offset + si[i].size > t->size) {
				btfdb_err_set(err, "BTF: type [%u] (datasec) entry %u (offset %u, "
						   "size %u) is past the section size %u",
					      id, i, si[i].offset, si[i].size, t->size);
				return -EINVAL;
			}
		}
		return 0;
	}
	case BTF_KIND_FLOAT:
		if (t->size != 2 && t->size != 4 && t->size != 8 && t->size != 12 && t->size != 16)
			return bad(t, id, "size", t->size, err);
		return 0;
	case BTF_KIND_DECL_TAG:
		if (vs) { /* needs the target's (and its proto's) vlen: checked later */
			vs->defer = true;
			return 0;
		}
		return check_decl_tag(btf, id, t, err);
	}
	return 0;
}

/*
 * Step 6: the pos-th "by value" reference of t, i.e. a link whose cycle would
 * make the type infinite or a typedef/modifier chain endless.  PTR and
 * FUNC_PROTO (and FUNC, which only points at a FUNC_PROTO) have none.
 */
static bool value_edge(const struct btf_type *t, uint32_t pos, uint32_t *target)
{
	switch (btfdb_kind(t)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		*target = t->type;
		return pos == 0;
	case BTF_KIND_ARRAY:
		*target = btfdb_array(t)->type;
		return pos == 0;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (pos >= btfdb_vlen(t))
			return false;
		*target = btfdb_members(t)[pos].type;
		return true;
	case BTF_KIND_DATASEC:
		if (pos >= btfdb_vlen(t))
			return false;
		*target = ((const struct btf_var_secinfo *)(t + 1))[pos].type;
		return true;
	default:
		return false;
	}
}

/*
 * describe_cycle(): the reference check, run only once check_cycles_fast()
 * has found a cycle, to name it exactly as before (the type met again and
 * the type it was reached from, in the order of a DFS from the lowest id).
 * Iterative depth-first search over own types along value_edge() links with
 * the classic three colours (0 unvisited, 1 on the stack, 2 done): meeting a
 * type that is on the stack is a cycle.  Links into base BTF cannot lead back
 * (base never references split types).  Memory: one byte per type plus a
 * stack of at most nr_types frames, grown by doubling.
 */
struct dfs_frame {
	uint32_t id;  /* type being expanded */
	uint32_t pos; /* next value_edge() index to look at */
};

static int describe_cycle(const struct btfdb_btf *btf, struct btfdb_err *err)
{
	uint32_t start = btf->start_id, n = btf->nr_types, root, cap = 0, sp = 0;
	struct dfs_frame *stack = NULL;
	uint8_t *color;
	int ret = 0;

	color = calloc(n ? n : 1, 1);
	if (!color) {
		btfdb_err_set(err, "BTF: out of memory for the cycle check");
		return -ENOMEM;
	}
	for (root = 0; root < n && !ret; root++) {
		if (color[root])
			continue;
		if (sp == cap) {
			struct dfs_frame *tmp;

			cap = cap ? cap * 2 : 64;
			tmp = realloc(stack, (size_t)cap * sizeof(*stack));
			if (!tmp) {
				btfdb_err_set(err, "BTF: out of memory for the cycle check");
				ret = -ENOMEM;
				break;
			}
			stack = tmp;
		}
		stack[sp++] = (struct dfs_frame){ start + root, 0 };
		color[root] = 1;
		while (sp && !ret) {
			struct dfs_frame *f = &stack[sp - 1];
			const struct btf_type *t = btfdb_flat_type(btf, f->id - start);
			uint32_t tgt;
			bool pushed = false;

			while (value_edge(t, f->pos, &tgt)) {
				f->pos++;
				if (tgt < start)
					continue;
				if (color[tgt - start] == 1) {
					btfdb_err_set(err,
						      "BTF: type [%u] (%s '%s') is in a reference cycle "
						      "(reached again from type [%u]) that does not "
						      "pass through a pointer",
						      tgt, btfdb_kind_name(btf->kinds[tgt - start]),
						      btfdb_btf_name(btf, tgt), f->id);
					ret = -EINVAL;
					break;
				}
				if (color[tgt - start] == 0) {
					if (sp == cap) {
						struct dfs_frame *tmp;

						cap *= 2;
						tmp = realloc(stack, (size_t)cap * sizeof(*stack));
						if (!tmp) {
							btfdb_err_set(err, "BTF: out of memory for "
									   "the cycle check");
							ret = -ENOMEM;
							break;
						}
						stack = tmp;
					}
					color[tgt - start] = 1;
					stack[sp++] = (struct dfs_frame){ tgt, 0 };
					pushed = true;
					break;
				}
			}
			if (!pushed && !ret) {
				color[stack[sp - 1].id - start] = 2;
				sp--;
			}
		}
	}
	free(stack);
	free(color);
	return ret;
}

/*
 * Steps 4-6 in one sequential pass over the type section (parse_types), then
 * a cycle check over compact arrays (check_cycles_fast).
 *
 * The by-value graph of value_edge() has two kinds of nodes:
 *   - chain nodes with exactly one successor: TYPEDEF, VOLATILE, CONST,
 *     RESTRICT, TYPE_TAG, VAR, DECL_TAG (->type) and ARRAY (->element);
 *   - multi nodes: STRUCT, UNION (-> member types), DATASEC (-> var types);
 * every other kind (and every base type) has no by-value successor.
 * A cycle is either made of chain nodes only, or goes through a multi node.
 * While walking, the pass records for each chain node its successor
 * (aux[i]) and for each multi node (aux[i] = position in edges[]) the list
 * "count, target ids" of the members that may lead on (already-seen targets
 * of other kinds are dropped at once).  Then:
 *  a) Chains: aux[i] becomes the first non-chain id reached from chain node
 *     i.  Each unresolved chain is walked once with its nodes marked PENDING
 *     in st[]; meeting a PENDING node closes a cycle (path colouring).  A
 *     second walk over the same nodes stores the end.  O(chain nodes).
 *  b) Multi nodes: each edge list is resolved through a) in place, keeping
 *     the edges that land on a multi node (struct-in-struct embedding), and
 *     an iterative three-colour DFS over those finds any cycle.  A cycle
 *     there is a cycle of the full graph and conversely, since chains were
 *     contracted to their ends.
 * Memory: per own type 4 bytes (type_offs[]) + 1 (kinds[]) + 4 (aux[]) + 1
 * (st[]), plus one word per kept member edge.
 */
#define ST_NEW 0     /* chain: unresolved; multi: not visited */
#define ST_PENDING 1 /* chain: on the current walk; multi: on the DFS stack */
#define ST_DONE 2    /* chain: aux[] holds the end; multi: fully explored */

/* Kind sets as bit masks (a test per type; a switch there mispredicts). */
#define CHAIN_KINDS                                                                        \
	((1u << BTF_KIND_TYPEDEF) | (1u << BTF_KIND_VOLATILE) | (1u << BTF_KIND_CONST) |  \
	 (1u << BTF_KIND_RESTRICT) | (1u << BTF_KIND_TYPE_TAG) | (1u << BTF_KIND_VAR) |    \
	 (1u << BTF_KIND_DECL_TAG) | (1u << BTF_KIND_ARRAY))
#define MULTI_KINDS ((1u << BTF_KIND_STRUCT) | (1u << BTF_KIND_UNION) | (1u << BTF_KIND_DATASEC))

static inline bool is_chain_kind(uint16_t k)
{
	return (CHAIN_KINDS >> (k & 31)) & 1;
}

static inline bool is_multi_kind(uint16_t k)
{
	return (MULTI_KINDS >> (k & 31)) & 1;
}

static inline uint32_t chain_next(const struct btf_type *t, uint16_t k)
{
	return k == BTF_KIND_ARRAY ? btfdb_array(t)->type : t->type;
}

/* The i-th by-value target of multi node t (struct/union member or datasec var). */
static inline uint32_t multi_target(const struct btf_type *t, uint16_t k, uint32_t i)
{
	if (k == BTF_KIND_DATASEC)
		return ((const struct btf_var_secinfo *)(t + 1))[i].type;
	return btfdb_members(t)[i].type;
}

/* Scratch of one parse: the graph the cycle check needs, and types to re-check. */
struct pscratch {
	uint32_t *aux;      /* per own type: chain successor / end, or edges[] position */
	uint32_t *edges;    /* per multi node: count, then target ids */
	uint32_t nedges;
	uint32_t nmulti;
	uint32_t *deferred; /* own indices to re-check in reference mode */
	uint32_t ndeferred;
	bool check_failed;  /* a fast-mode check failed: find the first error again */
};

static void pscratch_free(struct pscratch *ps)
{
	free(ps->aux);
	free(ps->edges);
	free(ps->deferred);
}

/*
 * Record multi node t's member targets that may lead on, at edges[pos...]
 * as "count, ids"; returns the new end.  Targets seen already (< known)
 * are kept only when they are chain or multi nodes.
 */
static inline uint32_t capture_multi(const uint8_t *kinds, uint32_t start, uint32_t known,
				     const struct btf_type *t, uint16_t kind,
				     uint32_t *restrict edges, uint32_t pos)
{
	uint32_t v, vlen = btfdb_vlen(t), head = pos++;

	for (v = 0; v < vlen; v++) {
		uint32_t tgt = multi_target(t, kind, v);

		if (tgt < start)
			continue; /* void or base: base never leads back */
		if (tgt < known && !is_chain_kind(kinds[tgt - start]) &&
		    !is_multi_kind(kinds[tgt - start]))
			continue;
		edges[pos++] = tgt;
	}
	edges[head] = pos - head - 1;
	return pos;
}

/*
 * The walk's error for the record at off of a type section of len bytes
 * (id: its type id), in the order a plain walk finds them: truncated record,
 * unknown kind, vlen past the section, too many types.
 */
static __attribute__((noinline, cold)) int walk_error(const struct btfdb_btf *btf,
						       const uint8_t *sec, uint32_t len,
						       uint32_t off, uint32_t id,
						       struct btfdb_err *err)
{
	const struct btf_type *t = (const struct btf_type *)(sec + off);
	uint16_t kind;
	uint64_t total;

	if (len - off < sizeof(*t)) {
		btfdb_err_set(err,
			      "BTF: type [%u] at blob offset 0x%zx is truncated "
			      "(%u bytes left in the type section)",
			      id, blob_off(btf, t), len - off);
		return -EINVAL;
	}
	kind = btfdb_kind(t);
	if (!btfdb_kind_known(kind)) {
		if (btfdb_layout_rec_bytes(btf, id, t, &total, err))
			return -EINVAL; /* the message names the kind */
	} else {
		total = rec_bytes(kind, btfdb_vlen(t));
	}
	if (total > len - off) {
		btfdb_err_set(err,
			      "BTF: type [%u] (%s) at blob offset 0x%zx: vlen %u "
			      "needs %llu bytes, only %u left in the type section",
			      id, btfdb_kind_name(kind), blob_off(btf, t), btfdb_vlen(t),
			      (unsigned long long)total, len - off);
		return -EINVAL;
	}
	btfdb_err_set(err, "BTF: too many types");
	return -EINVAL;
}

/*
 * Steps 4-5: walk the type section once.  Each record is bounds-checked,
 * recorded in type_offs[]/kinds[], checked in fast mode and its by-value links
 * captured.  Walk errors are reported as found (they come first, as in a
 * walk-then-check parser); once a fast check fails, the rest is only walked
 * and parse_common() finds the first failing type again in reference mode.
 * Arrays are sized once from the smallest record (12 bytes; a member, param
 * or enumerator is at least 8): no count pass, no realloc, and the pages past
 * what is used are never touched.
 */
static int parse_types(struct btfdb_btf *btf, const struct btf_header *hdr,
		       struct pscratch *ps, struct vstate *vs_out, struct btfdb_err *err)
{
	struct vstate vs = { 0 };
	uint32_t ndeferred = 0, nedges = 0, nmulti = 0, *aux, *edges;
	bool failed = false;
	const uint8_t *sec = btf->host + hdr->hdr_len + hdr->type_off;
	const uint32_t start = btf->start_id;
	uint32_t len = hdr->type_len, off = 0, n = 0, named = 0, named_core = 0;
	size_t cap = len / sizeof(struct btf_type) + 1;
	uint32_t *offs;
	struct btfdb_err scratch = { { 0 } };
	uint8_t *kinds;

	btf->tsec = sec;
	btf->type_offs = offs = malloc(cap * sizeof(*btf->type_offs));
	btf->kinds = kinds = malloc(cap);
	btf->named_core = malloc(cap * sizeof(*btf->named_core));
	ps->aux = malloc(cap * sizeof(*ps->aux));
	ps->edges = malloc((len / 8 + cap) * sizeof(*ps->edges));
	ps->deferred = malloc(cap * sizeof(*ps->deferred));
	if (!offs || !kinds || !btf->named_core || !ps->aux || !ps->edges || !ps->deferred) {
		btfdb_err_set(err, "BTF: out of memory for %zu types", cap);
		return -ENOMEM;
	}
	aux = ps->aux;
	edges = ps->edges;
	while (off < len) {
		const struct btf_type *t = (const struct btf_type *)(sec + off);
		uint32_t id = start + n;
		uint16_t kind;
		uint64_t total;

		if (len - off < sizeof(*t))
			return walk_error(btf, sec, len, off, id, err);
		/* the file's pages are cold: ask for the data ahead of the walk (the
		 * hardware prefetcher stops at page boundaries; a prefetch past the
		 * end is harmless) */
		__builtin_prefetch(sec + off + 2048);
		kind = btfdb_kind(t);
		if (__builtin_expect(!btfdb_kind_known(kind), 0)) {
			/* a kind of a newer format, sized by the layout section */
			if (btfdb_layout_rec_bytes(btf, id, t, &total, err))
				return -EINVAL;
		} else {
			total = rec_bytes(kind, btfdb_vlen(t));
		}
		if (total > len - off || id == UINT32_MAX)
			return walk_error(btf, sec, len, off, id, err);
		offs[n] = off;
		kinds[n] = (uint8_t)kind;
		n++;
		off += (uint32_t)total;
		if (failed)
			continue;
		/* the index's input: types that may have a name (its offset is
		 * checked here, or by the index on lazy handles) */
		if (t->name_off) {
			named++;
			if (btfdb_kind_is_core_cand(kind))
				btf->named_core[named_core++] =
					(struct btfdb_named){ id, t->name_off };
		}
		vs.known = start + n;
		vs.defer = false;
		if (check_type(btf, id, t, &scratch, &vs)) {
			failed = true;
			continue;
		}
		if (vs.defer)
			ps->deferred[ndeferred++] = n - 1;
		if (is_chain_kind(kind)) {
			aux[n - 1] = chain_next(t, kind);
		} else if (is_multi_kind(kind)) {
			aux[n - 1] = nedges;
			nedges = capture_multi(kinds, start, start + n, t, kind, edges, nedges);
			nmulti++;
		}
	}
	btf->nr_types = n;
	btf->nr_named = named;
	btf->nr_named_core = named_core;
	ps->check_failed = failed;
	ps->ndeferred = ndeferred;
	ps->nedges = nedges;
	ps->nmulti = nmulti;
	*vs_out = vs;
	return 0;
}

/* Multi node i's edge list, in place: each target through its chain's end,
 * keeping own multi nodes only, as own indices. */
static inline void resolve_edges(const struct btfdb_btf *btf, const uint32_t *aux,
				 uint32_t *edges, uint32_t i)
{
	const uint32_t start = btf->start_id;
	const uint8_t *kinds = btf->kinds;
	uint32_t *list = &edges[aux[i]], e, cnt = list[0], kept = 0;

	for (e = 1; e <= cnt; e++) {
		uint32_t tgt = list[e];

		if (is_chain_kind(kinds[tgt - start]))
			tgt = aux[tgt - start]; /* the chain's end */
		if (tgt >= start && is_multi_kind(kinds[tgt - start]))
			list[++kept] = tgt - start;
	}
	list[0] = kept;
}

/* Step 6, the fast check: 1 when there is a cycle, 0 when not, -ENOMEM. */
static int check_cycles_fast(const struct btfdb_btf *btf, struct pscratch *ps)
{
	const uint32_t start = btf->start_id, n = btf->nr_types;
	const uint8_t *kinds = btf->kinds;
	uint32_t *aux = ps->aux, *edges = ps->edges;
	struct dfs_frame *stack = NULL;
	uint32_t i, sp;
	uint8_t *st;
	int ret = 0;

	st = calloc(n ? n : 1, 1);
	if (!st)
		return -ENOMEM;

	/* a) chains */
	for (i = 0; i < n; i++) {
		uint32_t cur, end;

		if (!is_chain_kind(kinds[i]) || st[i] != ST_NEW)
			continue;
		cur = start + i;
		for (;;) {
			uint32_t j = cur - start;

			if (cur < start || !is_chain_kind(kinds[j])) {
				end = cur;
				break;
			}
			if (st[j] == ST_PENDING) {
				ret = 1; /* walked back into this walk: a cycle */
				goto out;
			}
			if (st[j] == ST_DONE) {
				end = aux[j];
				break;
			}
			st[j] = ST_PENDING;
			cur = aux[j];
		}
		for (cur = start + i; cur >= start && st[cur - start] == ST_PENDING;) {
			uint32_t j = cur - start;

			cur = aux[j];
			aux[j] = end;
			st[j] = ST_DONE;
		}
	}
	if (!ps->nmulti)
		goto out;

	/* b) iterative DFS over own indices of multi nodes; frame pos = next
	 * position in edges[]; a node's edge list is resolved when it is first
	 * entered (resolve_edges) */
	stack = malloc((size_t)ps->nmulti * sizeof(*stack));
	if (!stack) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n && !ret; i++) {
		if (!is_multi_kind(kinds[i]) || st[i] != ST_NEW)
			continue;
		resolve_edges(btf, aux, edges, i);
		if (!edges[aux[i]]) {
			st[i] = ST_DONE;
			continue;
		}
		sp = 0;
		stack[sp++] = (struct dfs_frame){ i, aux[i] + 1 };
		st[i] = ST_PENDING;
		while (sp) {
			struct dfs_frame *f = &stack[sp - 1];
			uint32_t w;

			if (f->pos == aux[f->id] + 1 + edges[aux[f->id]]) {
				st[f->id] = ST_DONE;
				sp--;
				continue;
			}
			w = edges[f->pos++];
			if (st[w] == ST_PENDING) {
				ret = 1;
				break;
			}
			if (st[w] == ST_NEW) {
				resolve_edges(btf, aux, edges, w);
				st[w] = ST_PENDING;
				stack[sp++] = (struct dfs_frame){ w, aux[w] + 1 };
			}
		}
	}
out:
	free(stack);
	free(st);
	return ret;
}

/* Step 6: 0, or -EINVAL naming the cycle, or -ENOMEM. */
static int check_cycles(const struct btfdb_btf *btf, struct pscratch *ps, struct btfdb_err *err)
{
	int ret = check_cycles_fast(btf, ps);

	if (ret == -ENOMEM) {
		btfdb_err_set(err, "BTF: out of memory for the cycle check");
		return ret;
	}
	if (ret == 0)
		return 0;
	ret = describe_cycle(btf, err);
	if (ret == 0) { /* cannot happen: both search the same graph */
		btfdb_err_set(err, "BTF: reference cycle that does not pass through a pointer");
		ret = -EINVAL;
	}
	return ret;
}

/*
 * The lazy walk follows a chain of records: each record's size comes from its
 * own info word, so the next record's address waits on the load of this one
 * (~15 cycles a record).  Two chains walked in turns overlap those waits: one
 * from where the walk is, one from a record boundary guessed further on.  The
 * guess is only trusted once the first chain lands on it exactly; otherwise
 * the second chain's work is dropped and the first walks on alone.  Either
 * way every record is walked from a true boundary, with the same checks.
 */
struct lz_chain {
	uint32_t off;               /* next record */
	uint32_t n;                 /* records walked by this chain */
	uint32_t nc;                /* entries in core[] */
	uint32_t named;             /* records with a name */
	uint32_t base;              /* id of the chain's first record */
	uint32_t *offs;             /* offs[n >> OFFS_SHIFT]: every 8th record's offset */
	struct btfdb_named *core;   /* the named CO-RE-kind records */
};

/* the known kinds btfdb_kind_is_core_cand() leaves out, as a mask: no branch */
#define LZ_NOT_CAND ((1u << BTF_KIND_FUNC) | (1u << BTF_KIND_VAR) | \
		     (1u << BTF_KIND_DATASEC) | (1u << BTF_KIND_DECL_TAG))
#ifdef BTFDB_LZ_SPLIT_MIN /* the fuzz build: small inputs walk in chains too */
#define LZ_SPLIT_MIN BTFDB_LZ_SPLIT_MIN
#else
#define LZ_SPLIT_MIN (64u << 10) /* smaller type sections: one chain */
#endif
#define LZ_GUESS_RUN 16          /* records in a row that must look right */
#define LZ_GUESS_SCAN 4096       /* bytes searched for a guess */

/* Walk the record at c->off (false: truncated, unknown kind or past the end;
 * walk_error() tells which).  core[nc] is written for every record and kept
 * (nc++) for named CO-RE kinds: no branch to mispredict. */
static inline __attribute__((always_inline)) bool lz_step(const uint8_t *sec, uint32_t len,
							   struct lz_chain *c)
{
	const struct btf_type *t = (const struct btf_type *)(sec + c->off);
	uint32_t info, kind, name;
	uint64_t total;

	if (len - c->off < sizeof(*t))
		return false;
	info = t->info;
	kind = BTFDB_INFO_KIND(info);
	name = t->name_off;
	if (__builtin_expect(!btfdb_kind_known(kind), 0))
		return false; /* lz_step_opaque() */
	total = rec_bytes(kind, BTFDB_INFO_VLEN(info));
	if (__builtin_expect(total > len - c->off, 0))
		return false;
	__builtin_prefetch(sec + c->off + 2048); /* see parse_types() */
	if (!(c->n & ((1u << OFFS_SHIFT) - 1)))
		c->offs[c->n >> OFFS_SHIFT] = c->off;
	c->core[c->nc] = (struct btfdb_named){ c->base + c->n, name };
	c->nc += (name != 0) & !((LZ_NOT_CAND >> kind) & 1);
	c->named += name != 0;
	c->n++;
	c->off += (uint32_t)total;
	return true;
}

/* lz_step() for a record of a kind btfdb does not know that the layout section sizes
 * (false as lz_step's; walk_error() tells why).  Not a CO-RE candidate. */
static bool lz_step_opaque(const struct btfdb_btf *btf, const uint8_t *sec, uint32_t len,
			   struct lz_chain *c)
{
	const struct btf_type *t = (const struct btf_type *)(sec + c->off);
	uint64_t total;

	if (len - c->off < sizeof(*t) ||
	    btfdb_layout_rec_bytes(btf, c->base + c->n, t, &total, NULL) ||
	    total > len - c->off)
		return false;
	if (!(c->n & ((1u << OFFS_SHIFT) - 1)))
		c->offs[c->n >> OFFS_SHIFT] = c->off;
	c->named += t->name_off != 0;
	c->n++;
	c->off += (uint32_t)total;
	return true;
}

/*
 * A record boundary guessed at or after pos: the first 4-byte step from which
 * LZ_GUESS_RUN records in a row have a known kind, no reserved info bits
 * (the kernel's BTF_INFO_MASK), a vlen only where the kind has one (FUNC: its
 * linkage), a name offset inside the strings and a size inside the section.
 * 0 = none within LZ_GUESS_SCAN bytes.  Only a guess: see lz_chain.
 */
static uint32_t lz_guess(const struct btfdb_btf *btf, const uint8_t *sec, uint32_t len,
			 uint32_t pos)
{
	uint64_t str_lim = (uint64_t)btf->str_start + btf->str_len;
	uint32_t o, stop = len - pos > LZ_GUESS_SCAN ? pos + LZ_GUESS_SCAN : len;

	for (o = pos & ~3u; o < stop; o += 4) {
		uint32_t p = o, k;

		for (k = 0; k < LZ_GUESS_RUN && len - p >= sizeof(struct btf_type); k++) {
			const struct btf_type *t = (const struct btf_type *)(sec + p);
			uint32_t kind = BTFDB_INFO_KIND(t->info), vlen = BTFDB_INFO_VLEN(t->info);
			uint64_t total;

			if ((t->info & 0x60ff0000u) || !btfdb_kind_known(kind) || t->name_off >= str_lim)
				break;
			if (!rec_per_vlen[kind] && vlen > (kind == BTF_KIND_FUNC ? 2u : 0u))
				break;
			total = rec_bytes(kind, vlen);
			if (total > len - p)
				break;
			p += (uint32_t)total;
		}
		if (k == LZ_GUESS_RUN)
			return o;
	}
	return 0;
}

/*
 * Step 4 alone, for BTFDB_LOAD_LAZY: every record's kind and size, the offset
 * of every 2^OFFS_SHIFT-th type and the named CO-RE-kind types for the index;
 * lazy_check() makes the rest of the checks per type on first use; walk_error()
 * sorts out what went wrong.  No kinds[] and 1/8 of type_offs[]: on this path
 * the memory (page faults) costs as much as the walk itself.
 *
 * In rounds, the chain x that walked everything so far goes on in turns with a
 * chain y from a boundary guessed halfway to the end.  Once x lands on the
 * guess, y takes over: its entries move in after x's, and its anchors (in its
 * own area, counted from the guess) become a new segment of type_offs[] (see
 * btfdb_flat_type_walk()).  Areas: a chain starting at byte g in round r keeps
 * its anchors from g / (12 << OFFS_SHIFT) + 2r and its entries from g / 12 + 2r,
 * past anything the chains before it can fill (a record has 12 bytes or more).
 */
static int walk_lazy(struct btfdb_btf *btf, const struct btf_header *hdr, struct btfdb_err *err)
{
	const uint8_t *sec = btf->host + hdr->hdr_len + hdr->type_off;
	const uint32_t start = btf->start_id, len = hdr->type_len, step = 1u << OFFS_SHIFT;
	const uint32_t rec = sizeof(struct btf_type);
	size_t cap = len / rec + 1;
	uint32_t max_n, r, i, *offs;
	struct btfdb_named *core;
	struct lz_chain x;

	btf->tsec = sec;
	btf->offs_shift = OFFS_SHIFT;
	btf->type_offs = offs = malloc((cap / step + 2 * LZ_MAX_SEGS + 2) * sizeof(*offs));
	btf->named_core = core = malloc((cap + 2 * LZ_MAX_SEGS + 2) * sizeof(*core));
	if (!offs || !core) {
		btfdb_err_set(err, "BTF: out of memory for %zu types", cap);
		return -ENOMEM;
	}
	/* cap assumes 12-byte records; real ones average ~30 (vmlinux): prefault
	 * what a typical blob fills, the rest faults in if it is reached */
	btfdb_prefault(offs, len / 32 / step * sizeof(*offs));
	btfdb_prefault(core, len / 256 * sizeof(*core));
	/* ids stay below UINT32_MAX: at most this many types */
	max_n = start < UINT32_MAX - cap ? (uint32_t)cap : UINT32_MAX - start;
	x = (struct lz_chain){ .base = start, .offs = offs, .core = core };
	btf->segs[0] = (struct btfdb_lz_seg){ 0, 0 };
	btf->nsegs = 1;
	for (r = 1; r < LZ_MAX_SEGS && max_n == cap && len - x.off >= LZ_SPLIT_MIN; r++) {
		uint32_t g = lz_guess(btf, sec, len, x.off + (len - x.off) / 2), n0, nc0;
		struct lz_chain y;

		if (!g)
			break;
		y = (struct lz_chain){ .off = g, .offs = offs + g / (rec * step) + 2 * r,
				       .core = core + g / rec + 2 * r };
		btfdb_prefault(y.offs, (g - x.off) / 32 / step * sizeof(*offs));
		btfdb_prefault(y.core, (g - x.off) / 256 * sizeof(*core));
		while (x.off < g && lz_step(sec, len, &x) && lz_step(sec, len, &y))
			;
		while (x.off < g && lz_step(sec, len, &x))
			;
		if (x.off != g)
			break; /* not a boundary (or x failed): x walks on alone */
		n0 = x.base - start + x.n;
		nc0 = (uint32_t)(x.core - core) + x.nc;
		for (i = 0; i < y.nc; i++)
			core[nc0 + i] = (struct btfdb_named){ start + n0 + y.core[i].id,
							      y.core[i].name_off };
		btf->segs[btf->nsegs++] = (struct btfdb_lz_seg){ n0, (uint32_t)(y.offs - offs) };
		y.base = start + n0;
		y.core = core + nc0;
		y.named += x.named;
		x = y;
	}
	/* one chain to the end */
	while (x.off != len) {
		uint32_t n = x.base - start + x.n;

		if (n == max_n ||
		    (!lz_step(sec, len, &x) && !lz_step_opaque(btf, sec, len, &x)))
			return walk_error(btf, sec, len, x.off, start + n, err);
	}
	btf->nr_types = x.base - start + x.n;
	btf->nr_named = x.named;
	btf->nr_named_core = (uint32_t)(x.core - core) + x.nc;
	return 0;
}

/*
 * The lazy check of own type id and of everything it holds by value: an
 * iterative DFS along value_edge() links (as describe_cycle()) that makes the
 * full per-type check on entering a type, meets a PENDING type only through a
 * cycle, and marks a type LZ_OK when it leaves it, so each type is checked
 * once per handle.  Base types are checked through their own handle.
 */
static int lazy_check(struct btfdb_btf *btf, uint32_t root, struct btfdb_err *err)
{
	const uint32_t start = btf->start_id;
	uint8_t *st = btf->vstate;
	uint32_t sp = 0;
	int ret = 0;

	for (uint32_t id = root;;) {
		const struct btf_type *t;
		bool pushed = false;
		uint32_t tgt;

		if (id) { /* enter id */
			if (sp == btf->lcap) {
				uint32_t cap = btf->lcap ? 2 * btf->lcap : 64;
				struct btfdb_lz_frame *n = realloc(btf->lstack, cap * sizeof(*n));

				if (!n) {
					btfdb_err_set(err, "BTF: out of memory checking type [%u]",
						      root);
					ret = -ENOMEM;
					break;
				}
				btf->lstack = n;
				btf->lcap = cap;
			}
			ret = check_type(btf, id, btfdb_flat_type(btf, id - start), err, NULL);
			if (ret)
				break;
			st[id - start] = LZ_PENDING;
			btf->lstack[sp++] = (struct btfdb_lz_frame){ id, 0 };
		}
		if (!sp)
			break;
		{
			struct btfdb_lz_frame *f = &btf->lstack[sp - 1];

			t = btfdb_flat_type(btf, f->id - start);
			id = 0;
			while (value_edge(t, f->pos, &tgt)) {
				f->pos++;
				if (tgt < start) {
					/* void, or a base type: checked by its handle */
					if (tgt && !btfdb_btf_type(btf->base, tgt)) {
						const char *m = btfdb_btf_error(btf->base);

						btfdb_err_set(err, "%s", m ? m : "BTF: bad base type");
						ret = -EINVAL;
						break;
					}
					continue;
				}
				if (st[tgt - start] == LZ_OK)
					continue;
				if (st[tgt - start] == LZ_PENDING) {
					const struct btf_type *u = btfdb_flat_type(btf, tgt - start);
					const char *name = btfdb_btf_str(btf, u->name_off);

					btfdb_err_set(err,
						      "BTF: type [%u] (%s '%s') is in a reference cycle "
						      "(reached again from type [%u]) that does not "
						      "pass through a pointer",
						      tgt, btfdb_kind_name(btfdb_kind(u)),
						      name ? name : "", f->id);
					ret = -EINVAL;
					break;
				}
				id = tgt;
				pushed = true;
				break;
			}
			if (ret)
				break;
			if (!pushed) {
				st[f->id - start] = LZ_OK;
				if (!--sp)
					break;
			}
		}
	}
	/* on failure the types still on the stack were not proven good */
	while (sp)
		st[btf->lstack[--sp].id - start] = LZ_NEW;
	return ret;
}

/* btfdb_btf_type() of a lazily checked own type not yet LZ_OK. */
static const struct btf_type *lazy_type(const struct btfdb_btf *cbtf, uint32_t id)
{
	struct btfdb_btf *btf = (struct btfdb_btf *)cbtf; /* the check state is mutable */

	if (btf->lazy_failed)
		return NULL;
	if (lazy_check(btf, id, &btf->lazy_err)) {
		btf->lazy_failed = true;
		return NULL;
	}
	return btfdb_flat_type(btf, id - btf->start_id);
}

/* Steps 1-6 on a handle whose raw/raw_size/base/start_id are set; lazy: steps
 * 1-4 with the header-only checks (BTFDB_LOAD_LAZY). */
static int parse_common(struct btfdb_btf *btf, bool lazy, struct btfdb_err *err)
{
	const struct btf_header *hdr;
	struct pscratch ps = { 0 };
	struct vstate vs = { 0 };
	struct btfdb_err scratch = { { 0 } };
	uint32_t i, cnt;
	int ret;

	btf->host = btf->raw;
	ret = parse_header(btf, &hdr, err);
	if (!ret)
		ret = btfdb_layout_parse(btf, hdr, err);
	if (!ret)
		ret = parse_strings(btf, hdr, err);
	if (!ret)
		ret = lazy ? walk_lazy(btf, hdr, err) : parse_types(btf, hdr, &ps, &vs, err);
	if (ret)
		goto out;

	/* the checks the walk postponed */
	cnt = btf->start_id + btf->nr_types;
	if (!ps.check_failed && btf->nr_types && vs.max_ref >= cnt)
		ps.check_failed = true;
	for (i = 0; !ps.check_failed && i < ps.ndeferred; i++) {
		uint32_t j = ps.deferred[i];

		if (check_type(btf, btf->start_id + j, btfdb_flat_type(btf, j), &scratch, NULL))
			ps.check_failed = true;
	}
	if (ps.check_failed) {
		/* name the first failing type, in id order, as a plain check would */
		for (i = 0; i < btf->nr_types; i++) {
			ret = check_type(btf, btf->start_id + i, btfdb_flat_type(btf, i), err,
					 NULL);
			if (ret)
				goto out;
		}
		btfdb_err_set(err, "BTF: validation failed"); /* cannot happen */
		ret = -EINVAL;
		goto out;
	}
	if (lazy) {
		/* mapped, not calloc()ed: below malloc's mmap threshold (128 KiB,
		 * a vmlinux's ~126k types) calloc() clears every page at once;
		 * a mapping faults in only the entries of types looked at */
		void *vs_map = mmap(NULL, vstate_size(btf), PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		btf->vstate = vs_map == MAP_FAILED ? NULL : vs_map;
		if (!btf->vstate) {
			btfdb_err_set(err, "BTF: out of memory for %u types", btf->nr_types);
			ret = -ENOMEM;
			goto out;
		}
	} else {
		ret = check_cycles(btf, &ps, err);
		if (ret)
			goto out;
	}
	btf->ptr_size = determine_ptr_size(btf);
out:
	pscratch_free(&ps);
	return ret;
}

/* A new handle over raw bytes that the handle owns (malloc'd, or in map). */
int btfdb_btf_parse_flags(void *map, size_t map_size, void *data, size_t size,
			  const struct btfdb_btf *base, unsigned int flags,
			  struct btfdb_btf **out, struct btfdb_err *err)
{
	struct btfdb_btf *btf;
	int ret;

	if (map && ((const uint8_t *)data < (const uint8_t *)map ||
		    size > map_size - (size_t)((const uint8_t *)data - (const uint8_t *)map))) {
		munmap(map, map_size);
		*out = NULL;
		btfdb_err_set(err, "BTF: blob outside its mapping");
		return -EINVAL;
	}

	*out = NULL;
	btf = calloc(1, sizeof(*btf));
	if (!btf) {
		if (map)
			munmap(map, map_size);
		else
			free(data);
		btfdb_err_set(err, "BTF: out of memory");
		return -ENOMEM;
	}
	btf->raw = data;
	btf->raw_size = size;
	btf->map = map;
	btf->map_size = map_size;
	btf->base = base;
	btf->start_id = base ? btfdb_btf_type_cnt(base) : 1;
	ret = parse_common(btf, flags & BTFDB_LOAD_LAZY, err);
	if (ret) {
		btfdb_btf_free(btf);
		return ret;
	}
	*out = btf;
	return 0;
}

int btfdb_btf_parse_owned(void *data, size_t size, const struct btfdb_btf *base,
			  struct btfdb_btf **out, struct btfdb_err *err)
{
	return btfdb_btf_parse_flags(NULL, 0, data, size, base, 0, out, err);
}

int btfdb_btf_parse_copy(const void *data, size_t size, const struct btfdb_btf *base,
			 unsigned int flags, struct btfdb_btf **out, struct btfdb_err *err)
{
	void *copy = malloc(size ? size : 1);

	*out = NULL;
	if (!copy) {
		btfdb_err_set(err, "BTF: out of memory for a %zu-byte blob", size);
		return -ENOMEM;
	}
	if (size)
		memcpy(copy, data, size);
	return btfdb_btf_parse_flags(NULL, 0, copy, size, base, flags, out, err);
}

int btfdb_btf_parse(const void *data, size_t size, const struct btfdb_btf *base,
		    struct btfdb_btf **out, struct btfdb_err *err)
{
	return btfdb_btf_parse_copy(data, size, base, 0, out, err);
}
