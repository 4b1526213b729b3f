/* SPDX-License-Identifier: MIT */
/*
 * Per-kind access to parsed BTF types: record sizes, following modifiers and
 * typedefs, size resolution (libbpf's btf__resolve_size() semantics) and kind
 * names.  Everything here works on host-order types through the accessors of
 * btf.c, so it is the same for flat and database-backed handles.
 */
#include <errno.h>
#include <stdint.h>

#include "btfdb_internal.h"

/* libbpf's MAX_RESOLVE_DEPTH: how many links btfdb_resolve_size() follows. */
#define RESOLVE_MAX_DEPTH 32

size_t btfdb_type_extra_size(const struct btf_type *t)
{
	uint32_t vlen = btfdb_vlen(t);

	switch (btfdb_kind(t)) {
	case BTF_KIND_INT:
		return sizeof(uint32_t);
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (size_t)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (size_t)vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return (size_t)vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return (size_t)vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return (size_t)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return sizeof(struct btf_decl_tag);
	default: /* PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG */
		return 0;
	}
}

/*
 * Follow modifier (and optionally typedef) links.  A validated flat BTF has no
 * such cycles, but a database backend might be corrupt: the walk is bounded
 * by the number of types (a longer chain must revisit a type) and yields NULL
 * then, as it does for an id out of range.
 */
static const struct btf_type *skip(const struct btfdb_btf *btf, uint32_t id, uint32_t *res_id,
				   bool typedefs)
{
	uint32_t n = btfdb_btf_type_cnt(btf), i;
	const struct btf_type *t = btfdb_btf_type(btf, id);

	for (i = 0; t && i < n; i++) {
		if (!btfdb_is_mod(t) && !(typedefs && btfdb_kind(t) == BTF_KIND_TYPEDEF))
			break;
		id = t->type;
		t = btfdb_btf_type(btf, id);
	}
	if (i == n)
		t = NULL;
	if (res_id)
		*res_id = id;
	return t;
}

const struct btf_type *btfdb_skip_mods_and_typedefs(const struct btfdb_btf *btf, uint32_t id,
						    uint32_t *res_id)
{
	return skip(btf, id, res_id, true);
}

const struct btf_type *btfdb_skip_mods(const struct btfdb_btf *btf, uint32_t id, uint32_t *res_id)
{
	return skip(btf, id, res_id, false);
}

/*
 * libbpf btf__resolve_size():
 *  1. Walk at most 32 links from id; void (id 0), FWD or an id out of range
 *     ends the walk without a size (-EINVAL).
 *  2. INT/STRUCT/UNION/ENUM/ENUM64/DATASEC/FLOAT give t->size, PTR the
 *     pointer size; TYPEDEF/mods/VAR/DECL_TAG/TYPE_TAG are followed.
 *  3. ARRAYs multiply an element count in 32 bits; overflow is -E2BIG, and
 *     so is a final count * size that does not fit in 32 bits.
 *  4. Any other kind (FUNC, FUNC_PROTO, ...) is -EINVAL.
 */
int64_t btfdb_resolve_size(const struct btfdb_btf *btf, uint32_t id)
{
	const struct btf_type *t = btfdb_btf_type(btf, id);
	uint32_t nelems = 1;
	int64_t size = -1;
	int i;

	for (i = 0; i < RESOLVE_MAX_DEPTH && t && id != 0 && btfdb_kind(t) != BTF_KIND_FWD; i++) {
		switch (btfdb_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_DATASEC:
		case BTF_KIND_FLOAT:
			size = t->size;
			goto done;
		case BTF_KIND_PTR:
			size = btfdb_btf_ptr_size(btf);
			goto done;
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		case BTF_KIND_ARRAY: {
			const struct btf_array *a = btfdb_array(t);

			if (nelems && a->nelems > UINT32_MAX / nelems)
				return -E2BIG;
			nelems *= a->nelems;
			id = a->type;
			break;
		}
		default:
			return -EINVAL;
		}
		t = btfdb_btf_type(btf, id);
	}
done:
	if (size < 0)
		return -EINVAL;
	if (nelems && size > UINT32_MAX / nelems)
		return -E2BIG;
	return (int64_t)nelems * size;
}

const char *btfdb_kind_name(uint16_t kind)
{
	static const char *const names[NR_BTF_KINDS] = {
		[BTF_KIND_UNKN] = "unknown",     [BTF_KIND_INT] = "int",
		[BTF_KIND_PTR] = "ptr",          [BTF_KIND_ARRAY] = "array",
		[BTF_KIND_STRUCT] = "struct",    [BTF_KIND_UNION] = "union",
		[BTF_KIND_ENUM] = "enum",        [BTF_KIND_FWD] = "fwd",
		[BTF_KIND_TYPEDEF] = "typedef",  [BTF_KIND_VOLATILE] = "volatile",
		[BTF_KIND_CONST] = "const",      [BTF_KIND_RESTRICT] = "restrict",
		[BTF_KIND_FUNC] = "func",        [BTF_KIND_FUNC_PROTO] = "func_proto",
		[BTF_KIND_VAR] = "var",          [BTF_KIND_DATASEC] = "datasec",
		[BTF_KIND_FLOAT] = "float",      [BTF_KIND_DECL_TAG] = "decl_tag",
		[BTF_KIND_TYPE_TAG] = "type_tag", [BTF_KIND_ENUM64] = "enum64",
	};

	return kind < NR_BTF_KINDS ? names[kind] : "unknown";
}
