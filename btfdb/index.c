/* SPDX-License-Identifier: MIT */
/*
 * Essential names and the XXH3 name index.
 *
 * The index maps an essential name (libbpf's rule: "foo___v2" -> "foo") to the
 * ascending list of type ids of every kind that carry it.  Layout (flat):
 *
 *   groups[]  one per distinct essential name: hash, name bytes (borrowed from
 *             the BTF), and a [start, start+count) slice of ids[]
 *   ids[]     all named type ids, grouped, ascending inside each group
 *   slots[]   open-addressing table (linear probing, power-of-two size, at
 *             most half full) of group index + 1, 0 = empty
 *
 * Built in two passes over the types: count (assigning each type its group),
 * then fill ids[] by walking ids in ascending order, which makes every group's
 * slice sorted for free.  No per-entry allocation.  Two names with equal
 * hashes stay apart because a probe compares the name bytes too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "btfdb_internal.h"

uint64_t btfdb_hash64(const void *data, size_t len)
{
	return XXH3_64bits(data, len);
}

/* libbpf's flavor separator: "X___Y" where X and Y are not '_'. */
static bool is_flavor_sep(const char *s)
{
	return s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_';
}

size_t btfdb_essential_name_len(const char *name)
{
	size_t n = strlen(name), i;

	/* scan i = n-5 .. 0: the first hit from the end is the last separator */
	for (i = n >= 5 ? n - 5 + 1 : 0; i > 0; i--)
		if (is_flavor_sep(name + i - 1))
			return i;
	return n;
}

struct idx_group {
	uint64_t hash;     /* hash of the essential name */
	const char *name;  /* essential name bytes (not NUL-terminated at len) */
	uint32_t len;      /* essential name length */
	uint32_t start;    /* first entry in ids[] */
	uint32_t count;    /* number of ids */
};

struct btfdb_index {
	/* flat index (ops == NULL) */
	btfdb_name_hash_fn hash_fn; /* hash of essential names */
	struct idx_group *groups;
	uint32_t nr_groups;
	uint32_t *ids;              /* grouped type ids */
	uint32_t *slots;            /* group index + 1, 0 = empty */
	uint32_t slot_mask;         /* slots size - 1 */

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

/* Slot of the group for (hash, name, len), or of the empty slot where it would go. */
static uint32_t find_slot(const struct btfdb_index *idx, uint64_t h, const char *name,
			  size_t len)
{
	uint32_t s = (uint32_t)(h ^ (h >> 32)) & idx->slot_mask;

	for (;; s = (s + 1) & idx->slot_mask) {
		const struct idx_group *g;

		if (!idx->slots[s])
			return s;
		g = &idx->groups[idx->slots[s] - 1];
		if (g->hash == h && g->len == len && !memcmp(g->name, name, len))
			return s;
	}
}

int btfdb_index_build_hashfn(const struct btfdb_btf *btf, btfdb_name_hash_fn fn,
			     struct btfdb_index **out, struct btfdb_err *err)
{
	uint32_t cnt = btfdb_btf_type_cnt(btf), id, named = 0, nslots = 2, g, pos;
	uint32_t *gid = NULL; /* per type id: group index + 1, 0 = anonymous */
	struct btfdb_index *idx;
	int ret = -ENOMEM;

	*out = NULL;
	idx = calloc(1, sizeof(*idx));
	if (!idx)
		goto nomem;
	idx->hash_fn = fn ? fn : btfdb_hash64;
	gid = calloc(cnt, sizeof(*gid));
	if (!gid)
		goto nomem;

	/* count named types to size the tables */
	for (id = 1; id < cnt; id++) {
		const char *name = btfdb_btf_name(btf, id);

		if (!name) {
			btfdb_err_set(err, "index: cannot read the name of type [%u]", id);
			ret = -EIO;
			goto fail;
		}
		if (name[0])
			named++;
	}
	while (nslots < 2 * (uint64_t)named)
		nslots *= 2;
	idx->slot_mask = nslots - 1;
	idx->slots = calloc(nslots, sizeof(*idx->slots));
	idx->groups = malloc((named ? named : 1) * sizeof(*idx->groups));
	idx->ids = malloc((named ? named : 1) * sizeof(*idx->ids));
	if (!idx->slots || !idx->groups || !idx->ids)
		goto nomem;

	/* pass 1: assign each named type its group and count group sizes */
	for (id = 1; id < cnt; id++) {
		const char *name = btfdb_btf_name(btf, id);
		size_t len;
		uint64_t h;
		uint32_t s;

		if (!name[0])
			continue;
		len = btfdb_essential_name_len(name);
		h = idx->hash_fn(name, len);
		s = find_slot(idx, h, name, len);
		if (!idx->slots[s]) {
			struct idx_group *ng = &idx->groups[idx->nr_groups];

			ng->hash = h;
			ng->name = name;
			ng->len = (uint32_t)len;
			ng->start = 0;
			ng->count = 0;
			idx->slots[s] = ++idx->nr_groups;
		}
		gid[id] = idx->slots[s];
		idx->groups[gid[id] - 1].count++;
	}

	/* prefix sums; count becomes the fill cursor and ends where it began */
	for (g = 0, pos = 0; g < idx->nr_groups; g++) {
		idx->groups[g].start = pos;
		pos += idx->groups[g].count;
		idx->groups[g].count = 0;
	}
	/* pass 2: ascending ids keep every slice sorted */
	for (id = 1; id < cnt; id++) {
		struct idx_group *gr;

		if (!gid[id])
			continue;
		gr = &idx->groups[gid[id] - 1];
		idx->ids[gr->start + gr->count++] = id;
	}
	free(gid);
	*out = idx;
	return 0;

nomem:
	btfdb_err_set(err, "index: out of memory for %u types", cnt);
fail:
	free(gid);
	btfdb_index_free(idx);
	return ret;
}

int btfdb_index_build(const struct btfdb_btf *btf, struct btfdb_index **out,
		      struct btfdb_err *err)
{
	return btfdb_index_build_hashfn(btf, NULL, out, err);
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
	s = find_slot(idx, idx->hash_fn(name, len), name, len);
	if (!idx->slots[s])
		return 0;
	g = &idx->groups[idx->slots[s] - 1];
	*ids = idx->ids + g->start;
	return g->count;
}
