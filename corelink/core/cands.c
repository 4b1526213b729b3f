/* SPDX-License-Identifier: MIT */
/*
 * Candidate target types for a local root type, and the per-run cache of
 * candidate lists (libbpf 1.1 bpf_core_find_cands / bpf_core_add_cands and
 * the cand_cache hashmap of bpf_object__relocate_core).
 *
 * libbpf scans target ids 1..N and keeps a type when:
 *   1. its kind is core-compatible with the local ROOT type as written
 *      (no typedef skipping: a typedef root only finds typedefs; a struct
 *      only structs; enum and enum64 find each other);
 *   2. its name is not empty;
 *   3. its essential name ("foo" of "foo___v2") equals the local one.
 * corelink asks the target's name index for (3) instead of scanning; the
 * index returns its kinds in ascending id order, so filtering it by (1)
 * and (2) yields libbpf's list in libbpf's order.  A CO-RE index
 * (btfdb_index_build_core) leaves out FUNC/VAR/DATASEC/DECL_TAG, which are
 * never relocation roots in clang output; for such a root in a crafted
 * object the target is scanned like libbpf does.  An index built for the
 * object's names (corelink_obj_cand_names(), btfdb_index_build_core_for())
 * covers every root name; a name it does not cover is scanned for too.
 * Module BTFs are never searched: a corelink target is one BTF, like
 * libbpf's btf_custom_path.
 *
 * The cache holds one list per local root type id, shared by every
 * relocation of the object; calc.c prunes a list in place to the candidates
 * that matched, so later relocations see fewer candidates (libbpf does the
 * same, and its results depend on it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "relo.h"

/* One cache slot per local type id. */
struct cand_slot {
	bool present;             /* searched already (the list may be empty) */
	struct cl_cand_list list;
};

struct cl_cand_cache {
	const struct btfdb_btf *local;
	const struct btfdb_btf *targ;
	const struct btfdb_index *idx;
	struct cand_slot *slots;  /* indexed by local type id, btfdb_btf_type_cnt(local) entries */
	uint32_t nr_slots;
};

int cl_cands_find(const struct btfdb_btf *local, uint32_t local_id,
		  const struct btfdb_btf *targ, const struct btfdb_index *idx,
		  struct cl_cand_list *list, struct btfdb_err *err)
{
	const struct btf_type *lt, *t;
	const uint32_t *ids;
	const char *lname, *tname;
	size_t len, n, i;

	list->ids = NULL;
	list->len = 0;
	list->found = 0;

	lt = btfdb_btf_type(local, local_id);
	if (!lt) {
		btfdb_err_set(err, "target candidate search failed: local type id %u out of range",
			      local_id);
		return -EINVAL;
	}
	lname = btfdb_btf_str(local, lt->name_off);
	if (!lname || !lname[0]) {
		btfdb_err_set(err, "target candidate search failed for [%u] %s <anon>: "
			      "anonymous types have no candidates", local_id,
			      btfdb_kind_name(btfdb_kind(lt)));
		return -EINVAL;
	}
	len = btfdb_essential_name_len(lname);

	if (!btfdb_index_has_kind(idx, btfdb_kind(lt)) || !btfdb_index_covers(idx, lname, len)) {
		/* not indexed (see above, and corelink_obj_cand_names()): every
		 * target id is a candidate to check */
		ids = NULL;
		n = btfdb_btf_type_cnt(targ) - 1;
	} else {
		n = btfdb_index_lookup(idx, lname, len, &ids);
	}
	if (!n)
		return 0;
	list->ids = malloc(n * sizeof(*list->ids));
	if (!list->ids) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		uint32_t id = ids ? ids[i] : (uint32_t)i + 1;

		t = btfdb_btf_type(targ, id);
		if (!t || id == 0 || !cl_kind_core_compat(t, lt))
			continue;
		tname = btfdb_btf_str(targ, t->name_off);
		if (!tname || !tname[0])
			continue;
		/* the index is keyed by a hash: confirm the name itself */
		if (btfdb_essential_name_len(tname) != len || strncmp(lname, tname, len))
			continue;
		/* keep ascending order even if the index repeats an id */
		if (list->len && list->ids[list->len - 1] >= id)
			continue;
		list->ids[list->len++] = id;
	}
	list->found = list->len;
	return 0;
}

ssize_t corelink_obj_cand_names(const struct corelink_obj *obj, const char ***names,
				size_t **lens)
{
	const struct btfdb_btf *local = corelink_obj_btf(obj);
	size_t i, n = 0;

	*names = malloc((obj->nr_relos ? obj->nr_relos : 1) * sizeof(**names));
	*lens = malloc((obj->nr_relos ? obj->nr_relos : 1) * sizeof(**lens));
	if (!*names || !*lens) {
		free(*names);
		free(*lens);
		*names = NULL;
		*lens = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < obj->nr_relos; i++) {
		const struct btf_type *t = btfdb_btf_type(local, obj->relos[i].type_id);
		const char *name = t ? btfdb_btf_str(local, t->name_off) : NULL;

		if (!name || !name[0])
			continue; /* no lookup: anonymous, or a bad record */
		(*names)[n] = name;
		(*lens)[n++] = btfdb_essential_name_len(name);
	}
	return (ssize_t)n;
}

int cl_cand_cache_new(const struct btfdb_btf *local, const struct btfdb_btf *targ,
		      const struct btfdb_index *idx, struct cl_cand_cache **out)
{
	struct cl_cand_cache *c;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->local = local;
	c->targ = targ;
	c->idx = idx;
	c->nr_slots = btfdb_btf_type_cnt(local);
	c->slots = calloc(c->nr_slots ? c->nr_slots : 1, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void cl_cand_cache_free(struct cl_cand_cache *cache)
{
	uint32_t i;

	if (!cache)
		return;
	for (i = 0; i < cache->nr_slots; i++)
		free(cache->slots[i].list.ids);
	free(cache->slots);
	free(cache);
}

int cl_cand_cache_get(struct cl_cand_cache *cache, uint32_t local_id,
		      struct cl_cand_list **out, struct btfdb_err *err)
{
	struct cand_slot *slot;
	int ret;

	*out = NULL;
	if (local_id >= cache->nr_slots) {
		btfdb_err_set(err, "target candidate search failed: local type id %u out of range",
			      local_id);
		return -EINVAL;
	}
	slot = &cache->slots[local_id];
	if (!slot->present) {
		/* a failed search is not cached (libbpf retries it, failing again) */
		ret = cl_cands_find(cache->local, local_id, cache->targ, cache->idx, &slot->list,
				    err);
		if (ret)
			return ret;
		slot->present = true;
	}
	*out = &slot->list;
	return 0;
}
