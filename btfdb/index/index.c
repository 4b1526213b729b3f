/* SPDX-License-Identifier: MIT */
/*
 * Essential names and the XXH3 name index.
 *
 * The index maps an essential name (libbpf's rule: "foo___v2" -> "foo") to the
 * ascending list of type ids that carry it.  Which kinds are indexed:
 *   - btfdb_index_build(): every kind;
 *   - btfdb_index_build_core(): only btfdb_kind_is_core_cand() kinds, i.e. not
 *     FUNC, VAR, DATASEC, DECL_TAG.  libbpf keeps a candidate only when its
 *     kind is the LOCAL ROOT kind of the relocation, and CO-RE relocation
 *     roots are types (struct/union for field relocations, the named type for
 *     type and enum relocations), never functions, variables, sections or
 *     tags.  Leaving those out halves the work on a vmlinux BTF (56k of its
 *     126k types are FUNCs).  A caller with such a root anyway (a crafted
 *     object) asks btfdb_index_has_kind() and scans instead.
 * A database index keeps its own rule (all kinds).
 *
 * Layout (flat):
 *   groups[]  one per distinct essential name: hash, name bytes (borrowed from
 *             the BTF), the lowest id, and for names carried by several types
 *             a [start, start+count) slice of ids[]
 *   ids[]     the ids of multi-type groups, ascending inside each group
 *   slots[]   open addressing (linear probing, power of two, at most 3/4
 *             full), each slot 4 bytes: the hash's top 8 bits and group + 1
 *             (0 = empty), so a probe touches a group only on a tag match
 *             (hence at most 2^24 - 2 names)
 *
 * Build: the table is sized once from the parser's count of named types (no
 * rehash); one pass over the ids in ascending order hashes each essential
 * name (computed in the same scan that finds the string's end) and records
 * (id, group) pairs; a second pass over those pairs, backwards, fills each
 * multi-type group's slice from its end, so slices come out ascending.  Most
 * names are carried by one type: such a lookup returns a pointer to the
 * group's own first id, and ids[] holds only the rest.  Two names with equal
 * hashes stay apart because a probe compares the name bytes too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL /* short keys: the inlined XXH3 is several times faster */
#include <xxhash.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "index_internal.h"

/*
 * Essential name length in one forward scan: remember the last "X___Y" (X, Y
 * not '_', Y a real character), cut before its "___".  Each byte is read
 * once; p[1..3] are read only after p[0..2] were non-NUL.
 */
static inline size_t essential_len(const char *name)
{
	const char *p = name;
	size_t cut = SIZE_MAX;

	for (; *p; p++)
		if (p[0] == '_' && p[1] == '_' && p[2] == '_' && p > name && p[-1] != '_' &&
		    p[3] && p[3] != '_')
			cut = (size_t)(p - name);
	return cut != SIZE_MAX ? cut : (size_t)(p - name);
}

/*
 * essential_len() for a name inside a buffer ending at lim (the name is
 * NUL-terminated before lim), 16 bytes at a time: a name with no two adjacent
 * '_' cannot hold "___", so its essential name is all of it.  Names with "__"
 * and names in the buffer's last 16 bytes take the byte loop.  Chunks are
 * read only below lim.
 */
static inline size_t essential_len_in(const char *name, const char *lim)
{
#ifdef __SSE2__
	const __m128i zero = _mm_setzero_si128(), under = _mm_set1_epi8('_');
	const char *p = name;
	unsigned int carry = 0; /* the previous chunk ended with '_' */

	while (lim - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)p);
		unsigned int z = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero));
		unsigned int u = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(v, under));

		if (z)
			u &= (1u << __builtin_ctz(z)) - 1; /* the '_' before the NUL */
		if ((u & (u >> 1)) || (carry & u))
			break; /* "__" somewhere: the exact loop decides */
		if (z)
			return (size_t)(p - name) + (size_t)__builtin_ctz(z);
		carry = u >> 15;
		p += 16;
	}
#else
	(void)lim;
#endif
	return essential_len(name);
}

size_t btfdb_essential_name_len(const char *name)
{
	return essential_len(name);
}

/* 16 bytes: every page of groups[] is new memory, and a page fault costs more
 * than re-reading a name; the name is that of type `first`. */
struct idx_group {
	uint32_t first;    /* lowest id with this name (the whole list when count == 1) */
	uint32_t len;      /* essential name length */
	uint32_t count;    /* number of ids */
	uint32_t start;    /* first entry in ids[] when count > 1 */
};

/* A slot: the hash's top 8 bits << 24 | group index + 1 (0 = empty).  4 bytes:
 * every page of slots[] is a page fault to pay, and a tag of 8 bits already
 * spares 255 of 256 name compares of a probe. */
typedef uint32_t idx_slot;
#define SLOT_GROUP(v) ((v) & 0xffffffu)   /* group index + 1 */
#define SLOT_TAG(h) ((uint32_t)((h) >> 56))
#define MAX_GROUPS 0xfffffeu

struct btfdb_index {
	/* flat index (ops == NULL) */
	btfdb_name_hash_fn hash_fn; /* hash of essential names; NULL = inlined XXH3 */
	const struct btfdb_btf *btf; /* the indexed BTF (borrowed: names are read from it) */
	bool core_only;             /* only btfdb_kind_is_core_cand() kinds */
	struct idx_group *groups;
	uint32_t nr_groups;
	uint32_t *ids;              /* ids of multi-type groups */
	idx_slot *slots;
	uint32_t slot_mask;         /* slots size - 1 */
	uint64_t *prefix;           /* btfdb_index_build_core_for(): the two-byte
	                             * name prefixes held (PREFIX_BITS bits); NULL:
	                             * every name is */

	/* backend index (db) */
	const struct btfdb_index_ops *ops;
	void *ctx;
};

void btfdb_index_free(struct btfdb_index *idx)
{
	if (!idx)
		return;
	if (idx->ops && idx->ops->free)
		idx->ops->free(idx->ctx);
	free(idx->groups);
	free(idx->ids);
	free(idx->slots);
	free(idx->prefix);
	free(idx);
}

int btfdb_index_new_backend(const struct btfdb_index_ops *ops, void *ctx,
			    struct btfdb_index **out, struct btfdb_err *err)
{
	struct btfdb_index *idx;

	*out = NULL;
	if (!ops || !ops->lookup) {
		if (ops && ops->free)
			ops->free(ctx);
		btfdb_err_set(err, "index: invalid backend");
		return -EINVAL;
	}
	idx = calloc(1, sizeof(*idx));
	if (!idx) {
		if (ops->free)
			ops->free(ctx);
		btfdb_err_set(err, "index: out of memory");
		return -ENOMEM;
	}
	idx->ops = ops;
	idx->ctx = ctx;
	*out = idx;
	return 0;
}

static inline uint64_t name_hash(const struct btfdb_index *idx, const char *name, size_t len)
{
	return idx->hash_fn ? idx->hash_fn(name, len) : XXH3_64bits(name, len);
}

/* Name of an indexed type id (valid: it was read when the id was added). */
static inline const char *id_name(const struct btfdb_btf *btf, uint32_t id)
{
	const struct btf_type *t;
	uint32_t off;

	if (!btf->backend && id >= btf->start_id) {
		off = btfdb_flat_type(btf, id - btf->start_id)->name_off;
		if (off >= btf->str_start)
			return btf->strs + (off - btf->str_start);
	}
	t = btfdb_btf_type(btf, id);
	return t ? btfdb_btf_str(btf, t->name_off) : NULL;
}

/* Slot of the group for (hash, name, len), or of the empty slot where it would go.
 * The slot's tag (high hash bits) is compared first, the name bytes on a match. */
static inline uint32_t find_slot(const struct btfdb_index *idx, uint64_t h, const char *name,
				 size_t len)
{
	uint32_t s = (uint32_t)h & idx->slot_mask, tag = SLOT_TAG(h);

	for (;; s = (s + 1) & idx->slot_mask) {
		idx_slot sl = idx->slots[s];
		const struct idx_group *g;
		const char *gname;

		if (!sl)
			return s;
		if (sl >> 24 != tag)
			continue;
		g = &idx->groups[SLOT_GROUP(sl) - 1];
		if (g->len != len)
			continue;
		gname = id_name(idx->btf, g->first);
		if (gname && !memcmp(gname, name, len))
			return s;
	}
}

/* One (id, group) pair per indexed type, in ascending id order. */
struct idx_ent {
	uint32_t id;
	uint32_t group; /* group index */
};

struct idx_build {
	struct btfdb_index *idx;
	struct idx_ent *ent;
	uint32_t nent, cap;
};

/* Add type id with essential name name[0..len) of hash h (len > 0). */
static inline int add_hashed(struct idx_build *b, uint32_t id, const char *name, size_t len,
			     uint64_t h)
{
	struct btfdb_index *idx = b->idx;
	uint32_t s = find_slot(idx, h, name, len), g;

	if (b->nent == b->cap)
		return -E2BIG; /* more names than the parser counted: cannot happen */
	if (!idx->slots[s]) {
		struct idx_group *ng = &idx->groups[idx->nr_groups];

		ng->len = (uint32_t)len;
		ng->first = id;
		ng->count = 0;
		ng->start = 0;
		idx->slots[s] = SLOT_TAG(h) << 24 | ++idx->nr_groups;
	}
	g = SLOT_GROUP(idx->slots[s]) - 1;
	idx->groups[g].count++;
	b->ent[b->nent].id = id;
	b->ent[b->nent++].group = g;
	return 0;
}

/* Add type id named name (non-empty). */
static inline int add_name(struct idx_build *b, uint32_t id, const char *name)
{
	size_t len = essential_len(name);

	return add_hashed(b, id, name, len, name_hash(b->idx, name, len));
}

/* The name at offset off of flat handle h, NULL for none or a bad offset
 * (lazily checked handles have not checked it). */
static inline const char *flat_name(const struct btfdb_btf *h, uint32_t off)
{
	if (off >= h->str_start)
		return off - h->str_start < h->str_len ? h->strs + (off - h->str_start) : NULL;
	return off ? btfdb_btf_str(h, off) : NULL; /* split BTF naming a base string */
}

/*
 * The flat handle's own named types: list[0..n) (the walk's named_core, or
 * a filtered copy), or with list NULL its n own types by id.  In three steps
 * a few types apart, so that memory misses overlap: a name is prefetched LAG
 * types before it is hashed (names are scattered over the string section),
 * and its slot LAG2 types before the insert (slots are hit at random).
 * Insertion stays in ascending id order.
 */
static int add_flat(struct idx_build *b, const struct btfdb_btf *h,
		    const struct btfdb_named *list, uint32_t n)
{
	enum { LAG = 16, LAG2 = 8 };
	struct hashed {
		const char *name; /* NULL: nothing to add */
		uint64_t hash;
		uint32_t id, len;
	} q[LAG2];
	const char *names[LAG];
	uint32_t ids[LAG], k;
	const char *lim = h->strs + h->str_len;
	int ret;

	for (k = 0; k < n + LAG + LAG2; k++) {
		if (k >= LAG + LAG2) { /* insert type k - LAG - LAG2 */
			const struct hashed *e = &q[(k - LAG - LAG2) % LAG2];

			if (e->name) {
				ret = add_hashed(b, e->id, e->name, e->len, e->hash);
				if (ret)
					return ret;
			}
		}
		if (k >= LAG && k < n + LAG) { /* hash type k - LAG */
			struct hashed *e = &q[(k - LAG) % LAG2];
			const char *name = names[k % LAG];

			e->name = NULL;
			if (name && name[0]) {
				size_t len = name >= h->strs && name < lim ? essential_len_in(name, lim)
									   : essential_len(name);

				e->name = name;
				e->len = (uint32_t)len;
				e->id = ids[k % LAG];
				e->hash = name_hash(b->idx, name, len);
				__builtin_prefetch(&b->idx->slots[(uint32_t)e->hash & b->idx->slot_mask]);
			}
		}
		if (k < n) { /* read type k's name */
			/* a list (the walk's) has the name offsets too */
			uint32_t id = list ? list[k].id : h->start_id + k;
			uint32_t off = list ? list[k].name_off : btfdb_flat_type(h, k)->name_off;
			const char *name = flat_name(h, off);

			if (name)
				__builtin_prefetch(name);
			names[k % LAG] = name;
			ids[k % LAG] = id;
		}
	}
	return 0;
}

/* Named types of one handle's own ids (flat handles read kinds[] first). */
static int add_handle(struct idx_build *b, const struct btfdb_btf *h, bool core_only,
		      struct btfdb_err *err)
{
	uint32_t id, n = h->nr_types;
	int ret;

	if (!h->backend) {
		ret = core_only ? add_flat(b, h, h->named_core, h->nr_named_core)
				: add_flat(b, h, NULL, h->nr_types);
		if (ret)
			goto fail;
		return 0;
	}
	for (id = h->start_id; id < h->start_id + n; id++) {
		const struct btf_type *t = btfdb_btf_type(h, id);
		const char *name = t ? btfdb_btf_str(h, t->name_off) : NULL;

		if (!name) {
			btfdb_err_set(err, "index: cannot read the name of type [%u]", id);
			return -EIO;
		}
		if (!name[0] || (core_only && !btfdb_kind_is_core_cand(btfdb_kind(t))))
			continue;
		ret = add_name(b, id, name);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	btfdb_err_set(err, "index: more named types than counted");
	return ret;
}

/* At most how many types of h and its bases an index will hold. */
static uint64_t count_names(const struct btfdb_btf *h, bool core_only)
{
	uint64_t n = h->base ? count_names(h->base, core_only) : 0;
	uint32_t id;

	if (!h->backend)
		return n + (core_only ? h->nr_named_core : h->nr_named);
	for (id = h->start_id; id < h->start_id + h->nr_types; id++) {
		const struct btf_type *t = btfdb_btf_type(h, id);

		if (t && t->name_off && (!core_only || btfdb_kind_is_core_cand(btfdb_kind(t))))
			n++;
	}
	return n;
}

static int add_all(struct idx_build *b, const struct btfdb_btf *h, bool core_only,
		   struct btfdb_err *err)
{
	int ret = h->base ? add_all(b, h->base, core_only, err) : 0;

	return ret ? ret : add_handle(b, h, core_only, err);
}

/*
 * Two-byte name prefixes (btfdb_index_build_core_for()).  Every name whose
 * essential name is W starts with W's first two bytes: it is W, or W followed
 * by "___" and a flavour.  A one-byte W is followed by NUL or '_'.
 */
#define PREFIX_BITS 65536u

static inline uint32_t prefix_key(const char *name) /* name[0] != 0 */
{
	return (uint8_t)name[0] | (uint32_t)(uint8_t)name[1] << 8;
}

static inline bool prefix_has(const uint64_t *bits, uint32_t key)
{
	return bits[key >> 6] >> (key & 63) & 1;
}

static inline void prefix_set(uint64_t *bits, uint32_t key)
{
	bits[key >> 6] |= 1ull << (key & 63);
}

/* The entries of h's named_core whose names have a prefix in bits (malloc'd
 * in *out, count in *n); names are prefetched LAG entries ahead. */
static int filter_named(const struct btfdb_btf *h, const uint64_t *bits,
			struct btfdb_named **out, uint32_t *n)
{
	enum { LAG = 16 };
	const struct btfdb_named *in = h->named_core;
	uint32_t k, m = 0, cnt = h->nr_named_core;
	struct btfdb_named *v = malloc((cnt ? cnt : 1) * sizeof(*v));

	*out = v;
	*n = 0;
	if (!v)
		return -ENOMEM;
	for (k = 0; k < cnt + LAG; k++) {
		if (k >= LAG) {
			const char *name = flat_name(h, in[k - LAG].name_off);

			if (name && name[0] && prefix_has(bits, prefix_key(name)))
				v[m++] = in[k - LAG];
		}
		if (k < cnt) {
			const char *name = flat_name(h, in[k].name_off);

			if (name)
				__builtin_prefetch(name);
		}
	}
	*n = m;
	return 0;
}

#define MAX_CHAIN 8 /* split BTF: a handle and its bases */

/*
 * prefix: NULL, or (core_only, flat handles only) the name prefixes to keep,
 * owned by the index from here on.
 */
static int index_build(const struct btfdb_btf *btf, btfdb_name_hash_fn fn, bool core_only,
		       uint64_t *prefix, struct btfdb_index **out, struct btfdb_err *err)
{
	struct idx_build b = { 0 };
	struct btfdb_index *idx;
	const struct btfdb_btf *chain[MAX_CHAIN];
	struct btfdb_named *lists[MAX_CHAIN] = { 0 };
	uint32_t counts[MAX_CHAIN] = { 0 }, nchain = 0;
	uint64_t named = 0, nslots = 2;
	uint32_t g, pos, k;
	int ret = -ENOMEM;

	*out = NULL;
	if (prefix) {
		const struct btfdb_btf *h;

		for (h = btf; h; h = h->base)
			if (nchain == MAX_CHAIN || h->backend) {
				free(prefix); /* cannot filter here: index everything */
				prefix = NULL;
				nchain = 0;
				break;
			} else {
				chain[nchain++] = h;
			}
	}
	idx = calloc(1, sizeof(*idx));
	if (!idx) {
		free(prefix);
		goto nomem;
	}
	b.idx = idx;
	idx->btf = btf;
	idx->hash_fn = fn;
	idx->core_only = core_only;
	idx->prefix = prefix;
	if (prefix) {
		for (k = 0; k < nchain; k++) {
			if (filter_named(chain[k], prefix, &lists[k], &counts[k]))
				goto nomem;
			named += counts[k];
		}
	} else {
		named = count_names(btf, core_only);
	}
	if (named > MAX_GROUPS) {
		btfdb_err_set(err, "index: too many named types (%llu, at most %u)",
			      (unsigned long long)named, MAX_GROUPS);
		ret = -E2BIG;
		goto fail;
	}
	/* load factor <= 3/4 (linear probing stays short: a probe compares a
	 * 4-byte slot first); every table page is touched, so smaller is faster */
	while (nslots * 3 < 4 * named)
		nslots *= 2;
	idx->slot_mask = (uint32_t)nslots - 1;
	idx->slots = calloc(nslots, sizeof(*idx->slots));
	idx->groups = malloc((named ? named : 1) * sizeof(*idx->groups));
	b.cap = (uint32_t)named;
	b.ent = malloc((named ? named : 1) * sizeof(*b.ent));
	if (!idx->slots || !idx->groups || !b.ent)
		goto nomem;
	btfdb_prefault(idx->slots, nslots * sizeof(*idx->slots));
	btfdb_prefault(idx->groups, named * sizeof(*idx->groups));
	btfdb_prefault(b.ent, named * sizeof(*b.ent));

	if (prefix) {
		/* bases first: ascending ids */
		for (k = nchain, ret = 0; k-- > 0 && !ret;)
			ret = add_flat(&b, chain[k], lists[k], counts[k]);
		if (ret)
			btfdb_err_set(err, "index: more named types than counted");
	} else {
		ret = add_all(&b, btf, core_only, err);
	}
	if (ret)
		goto fail;

	/* slices for multi-type groups; start is a fill cursor that ends at the front */
	for (g = 0, pos = 0; g < idx->nr_groups; g++) {
		if (idx->groups[g].count > 1) {
			pos += idx->groups[g].count;
			idx->groups[g].start = pos;
		}
	}
	idx->ids = malloc((pos ? pos : 1) * sizeof(*idx->ids));
	if (!idx->ids)
		goto nomem;
	/* backwards over ascending ids: each slice fills from its end, ascending */
	for (k = b.nent; k-- > 0;) {
		struct idx_group *gr = &idx->groups[b.ent[k].group];

		if (gr->count > 1)
			idx->ids[--gr->start] = b.ent[k].id;
	}
	free(b.ent);
	for (k = 0; k < nchain; k++)
		free(lists[k]);
	*out = idx;
	return 0;

nomem:
	ret = -ENOMEM;
	btfdb_err_set(err, "index: out of memory for %u types", btfdb_btf_type_cnt(btf));
fail:
	free(b.ent);
	for (k = 0; k < nchain; k++)
		free(lists[k]);
	btfdb_index_free(idx);
	return ret;
}

int btfdb_index_build_hashfn(const struct btfdb_btf *btf, btfdb_name_hash_fn fn,
			     struct btfdb_index **out, struct btfdb_err *err)
{
	return index_build(btf, fn, false, NULL, out, err);
}

int btfdb_index_build(const struct btfdb_btf *btf, struct btfdb_index **out,
		      struct btfdb_err *err)
{
	return index_build(btf, NULL, false, NULL, out, err);
}

int btfdb_index_build_core(const struct btfdb_btf *btf, struct btfdb_index **out,
			   struct btfdb_err *err)
{
	return index_build(btf, NULL, true, NULL, out, err);
}

int btfdb_index_build_core_for(const struct btfdb_btf *btf, const char *const *names,
			       const size_t *lens, size_t n, struct btfdb_index **out,
			       struct btfdb_err *err)
{
	uint64_t *prefix = calloc(PREFIX_BITS / 64, sizeof(*prefix));
	size_t i;

	if (!prefix) {
		*out = NULL;
		btfdb_err_set(err, "index: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const char *w = names[i];

		if (!lens[i]) {
			continue; /* anonymous: never looked up */
		} else if (lens[i] >= 2) {
			prefix_set(prefix, prefix_key(w));
		} else {
			prefix_set(prefix, (uint8_t)w[0]);
			prefix_set(prefix, (uint8_t)w[0] | (uint32_t)'_' << 8);
		}
	}
	return index_build(btf, NULL, true, prefix, out, err);
}

bool btfdb_index_covers(const struct btfdb_index *idx, const char *name, size_t len)
{
	if (!idx->prefix)
		return true;
	if (!len)
		return false;
	if (len >= 2)
		return prefix_has(idx->prefix, prefix_key(name));
	return prefix_has(idx->prefix, (uint8_t)name[0]) &&
	       prefix_has(idx->prefix, (uint8_t)name[0] | (uint32_t)'_' << 8);
}

bool btfdb_index_has_kind(const struct btfdb_index *idx, uint16_t kind)
{
	return !idx->core_only || btfdb_kind_is_core_cand(kind);
}

size_t btfdb_index_lookup(const struct btfdb_index *idx, const char *name, size_t len,
			  const uint32_t **ids)
{
	const struct idx_group *g;
	uint32_t s;

	*ids = NULL;
	if (idx->ops)
		return idx->ops->lookup(idx->ctx, name, len, ids);
	if (!idx->nr_groups)
		return 0;
	s = find_slot(idx, name_hash(idx, name, len), name, len);
	if (!idx->slots[s])
		return 0;
	g = &idx->groups[SLOT_GROUP(idx->slots[s]) - 1];
	*ids = g->count == 1 ? &g->first : idx->ids + g->start;
	return g->count;
}
