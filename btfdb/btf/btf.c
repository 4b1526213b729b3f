/* SPDX-License-Identifier: MIT */
/*
 * A BTF handle and the accessors every other part of btfdb and corelink goes
 * through (flat or database backend): types by id, strings, names, the blob
 * and its hash, the pointer size.  Parsing is in btf_parse.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#define XXH_INLINE_ALL /* as in index.c */
#include <xxhash.h>

#include "btfdb_internal.h"

static const struct btf_type void_type; /* id 0 */

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

uint64_t btfdb_hash64(const void *data, size_t len)
{
	return XXH3_64bits(data, len);
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
		return btfdb_btf_lazy_type(btf, id);
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
	if (btf->backend && btf->backend->named && !btf->base) {
		/* the first such INT in id order is the lowest id over the names;
		 * nothing found (or a lookup error): walk as below */
		uint32_t best = 0;
		int size = -1;

		for (j = 0; j < sizeof(long_aliases) / sizeof(long_aliases[0]); j++) {
			const uint32_t *ids;
			size_t k, m = btf->backend->named(btf->backend_ctx, long_aliases[j],
							  strlen(long_aliases[j]), &ids);

			for (k = 0; k < m && (!best || ids[k] < best); k++) {
				const struct btf_type *t = btfdb_btf_type(btf, ids[k]);
				const char *name = t && t->name_off ? btfdb_btf_str(btf, t->name_off) : NULL;

				if (t && btfdb_kind(t) == BTF_KIND_INT && (t->size == 4 || t->size == 8) &&
				    name && !strcmp(name, long_aliases[j])) {
					best = ids[k];
					size = (int)t->size;
					break;
				}
			}
		}
		if (best)
			return size;
	}
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
	btfdb_btf_lazy_release(btf);
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
