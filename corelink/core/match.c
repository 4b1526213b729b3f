/* SPDX-License-Identifier: MIT */
/*
 * Matching a local spec against one candidate target type, following
 * libbpf 1.1 src/relo_core.c:
 *
 *   cl_fields_are_compat   bpf_core_fields_are_compat   (field kinds)
 *   match_member           bpf_core_match_member        (one named accessor)
 *   cl_types_are_compat    __bpf_core_types_are_compat  (kinds 7, 8, 9)
 *   cl_types_match         __bpf_core_types_match       (kind 12)
 *   cl_spec_match          bpf_core_spec_match          (dispatch per kind)
 *
 * Return convention everywhere: 1 match, 0 no match, <0 hard error.
 */
#include <errno.h>
#include <string.h>

#include "relo.h"

#define COMPAT_MAX_DEPTH 32 /* libbpf's recursion depth and level limit */

static bool str_is_empty(const char *s)
{
	return !s || !s[0];
}

static const char *type_name(const struct btfdb_btf *btf, const struct btf_type *t)
{
	const char *s = btfdb_btf_str(btf, t->name_off);

	return s ? s : "";
}

/* Essential names equal (length and bytes): "foo___a" vs "foo". */
static bool essential_eq(const char *a, const char *b)
{
	size_t la = btfdb_essential_name_len(a), lb = btfdb_essential_name_len(b);

	return la == lb && strncmp(a, b, la) == 0;
}

/*
 * Field compatibility, after skipping modifiers and typedefs on both sides:
 *  1. any struct/union vs any struct/union: compatible;
 *  2. otherwise the kinds must be core-compatible (enum ~ enum64);
 *  3. PTR, FLOAT: always; INT: unless a legacy bit offset is set;
 *     FWD/ENUM/ENUM64: essential names equal or either anonymous;
 *     ARRAY: element types, recursively (dimensions ignored);
 *     anything else: incompatible.
 */
int cl_fields_are_compat(const struct btfdb_btf *local, uint32_t local_id,
			 const struct btfdb_btf *targ, uint32_t targ_id)
{
	const struct btf_type *lt, *tt;

	for (;;) {
		lt = btfdb_skip_mods_and_typedefs(local, local_id, &local_id);
		tt = btfdb_skip_mods_and_typedefs(targ, targ_id, &targ_id);
		if (!lt || !tt)
			return -EINVAL;

		if (btfdb_is_composite(lt) && btfdb_is_composite(tt))
			return 1;
		if (!cl_kind_core_compat(lt, tt))
			return 0;

		switch (btfdb_kind(lt)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: {
			const char *ln = type_name(local, lt), *tn = type_name(targ, tt);

			return btfdb_essential_name_len(ln) == 0 ||
			       btfdb_essential_name_len(tn) == 0 || essential_eq(ln, tn);
		}
		case BTF_KIND_INT:
			return btfdb_int_offset(lt) == 0 && btfdb_int_offset(tt) == 0;
		case BTF_KIND_ARRAY:
			local_id = btfdb_array(lt)->type;
			targ_id = btfdb_array(tt)->type;
			continue;
		default:
			return 0;
		}
	}
}

/*
 * Find the target member for one named local accessor (libbpf
 * bpf_core_match_member).  Members of targ_id are scanned in order, each one
 * speculatively pushed on the target raw spec:
 *  - an anonymous member is searched recursively (depth first); a match or
 *    an error there ends the search, a miss pops it and goes on;
 *  - the first member with exactly the local name decides: its type must be
 *    field-compatible, else the search fails at this level.
 * The raw spec is limited to CL_SPEC_MAX_LEN entries (-E2BIG), checked for
 * every member looked at.
 */
static int match_member(const struct btfdb_btf *local, const struct cl_accessor *local_acc,
			const struct btfdb_btf *targ, uint32_t targ_id, struct cl_spec *spec,
			uint32_t *next_targ_id)
{
	const struct btf_type *lt, *tt;
	const struct btf_member *lm, *m;
	const char *local_name, *targ_name;
	int i, n, found;

	tt = btfdb_skip_mods_and_typedefs(targ, targ_id, &targ_id);
	if (!tt)
		return -EINVAL;
	if (!btfdb_is_composite(tt))
		return 0;

	lt = btfdb_btf_type(local, local_acc->type_id);
	if (!lt)
		return -EINVAL;
	lm = btfdb_members(lt) + local_acc->idx;
	local_name = local_acc->name;

	n = btfdb_vlen(tt);
	m = btfdb_members(tt);
	for (i = 0; i < n; i++, m++) {
		uint32_t bit_offset = btfdb_member_bit_offset(tt, i);

		if (spec->raw_len == CL_SPEC_MAX_LEN)
			return -E2BIG;

		/* speculate this member is the one */
		spec->bit_offset += bit_offset;
		spec->raw_spec[spec->raw_len++] = i;

		targ_name = btfdb_btf_str(targ, m->name_off);
		if (str_is_empty(targ_name)) {
			found = match_member(local, local_acc, targ, m->type, spec, next_targ_id);
			if (found)
				return found;
		} else if (strcmp(local_name, targ_name) == 0) {
			struct cl_accessor *acc = &spec->spec[spec->len++];

			acc->type_id = targ_id;
			acc->idx = i;
			acc->name = targ_name;
			*next_targ_id = m->type;
			found = cl_fields_are_compat(local, lm->type, targ, m->type);
			if (!found)
				spec->len--;
			return found;
		}
		/* not this one */
		spec->bit_offset -= bit_offset;
		spec->raw_len--;
	}
	return 0;
}

/*
 * Type compatibility for TYPE_ID_TARGET/TYPE_EXISTS/TYPE_SIZE.  The root
 * kinds must be core-compatible before typedefs are skipped (a typedef root
 * only matches a typedef); then, skipping modifiers/typedefs at every step:
 * STRUCT/UNION/ENUM/ENUM64/FWD/void compatible when kinds agree, INT unless
 * a legacy bit offset, PTR/ARRAY recurse on the pointee/element, FUNC_PROTO
 * needs the same arity and compatible params and return type.  Everything
 * else (FLOAT included) is incompatible.  `level` bounds the FUNC_PROTO
 * recursion and `depth` the tail loop, both 32 (-EINVAL beyond).
 */
static int types_are_compat(const struct btfdb_btf *local, uint32_t local_id,
			    const struct btfdb_btf *targ, uint32_t targ_id, int level)
{
	const struct btf_type *lt, *tt;
	int depth = COMPAT_MAX_DEPTH;

	lt = btfdb_btf_type(local, local_id);
	tt = btfdb_btf_type(targ, targ_id);
	if (!lt || !tt)
		return -EINVAL;
	if (!cl_kind_core_compat(lt, tt))
		return 0;

	for (;;) {
		if (--depth < 0)
			return -EINVAL;

		lt = btfdb_skip_mods_and_typedefs(local, local_id, &local_id);
		tt = btfdb_skip_mods_and_typedefs(targ, targ_id, &targ_id);
		if (!lt || !tt)
			return -EINVAL;
		if (!cl_kind_core_compat(lt, tt))
			return 0;

		switch (btfdb_kind(lt)) {
		case BTF_KIND_UNKN:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM64:
			return 1;
		case BTF_KIND_INT:
			return btfdb_int_offset(lt) == 0 && btfdb_int_offset(tt) == 0;
		case BTF_KIND_PTR:
			local_id = lt->type;
			targ_id = tt->type;
			continue;
		case BTF_KIND_ARRAY:
			local_id = btfdb_array(lt)->type;
			targ_id = btfdb_array(tt)->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = btfdb_params(lt), *tp = btfdb_params(tt);
			int i, n = btfdb_vlen(lt), ret;

			if ((uint32_t)n != btfdb_vlen(tt))
				return 0;
			for (i = 0; i < n; i++) {
				uint32_t lid, tid;

				if (level <= 0)
					return -EINVAL;
				btfdb_skip_mods_and_typedefs(local, lp[i].type, &lid);
				btfdb_skip_mods_and_typedefs(targ, tp[i].type, &tid);
				ret = types_are_compat(local, lid, targ, tid, level - 1);
				if (ret <= 0)
					return ret;
			}
			/* the return type, in the loop */
			btfdb_skip_mods_and_typedefs(local, lt->type, &local_id);
			btfdb_skip_mods_and_typedefs(targ, tt->type, &targ_id);
			continue;
		}
		default:
			return 0;
		}
	}
}

int cl_types_are_compat(const struct btfdb_btf *local, uint32_t local_id,
			const struct btfdb_btf *targ, uint32_t targ_id)
{
	return types_are_compat(local, local_id, targ, targ_id, COMPAT_MAX_DEPTH);
}

/* libbpf bpf_core_names_match(): anonymous only matches anonymous, else essential names. */
static bool names_match(const struct btfdb_btf *local, uint32_t local_off,
			const struct btfdb_btf *targ, uint32_t targ_off)
{
	const char *ln = btfdb_btf_str(local, local_off), *tn = btfdb_btf_str(targ, targ_off);

	if (str_is_empty(tn))
		return str_is_empty(ln);
	if (!ln)
		return false;
	return essential_eq(ln, tn);
}

static uint32_t enum_name_off(const struct btf_type *t, int i)
{
	return btfdb_kind(t) == BTF_KIND_ENUM ? btfdb_enums(t)[i].name_off
					      : btfdb_enums64(t)[i].name_off;
}

/* Same size, and every local enumerator name present in the target (values ignored). */
static int enums_match(const struct btfdb_btf *local, const struct btf_type *lt,
		       const struct btfdb_btf *targ, const struct btf_type *tt)
{
	int i, j, ln = btfdb_vlen(lt), tn = btfdb_vlen(tt);

	if (lt->size != tt->size || ln > tn)
		return 0;
	for (i = 0; i < ln; i++) {
		for (j = 0; j < tn; j++)
			if (names_match(local, enum_name_off(lt, i), targ, enum_name_off(tt, j)))
				break;
		if (j == tn)
			return 0;
	}
	return 1;
}

static int types_match(const struct btfdb_btf *local, uint32_t local_id,
		       const struct btfdb_btf *targ, uint32_t targ_id, bool behind_ptr, int level);

/* Every local member has a same-named target member whose type matches. */
static int composites_match(const struct btfdb_btf *local, const struct btf_type *lt,
			    const struct btfdb_btf *targ, const struct btf_type *tt,
			    bool behind_ptr, int level)
{
	const struct btf_member *lm = btfdb_members(lt);
	int i, j, ln = btfdb_vlen(lt), tn = btfdb_vlen(tt), ret;

	if (ln > tn)
		return 0;
	for (i = 0; i < ln; i++, lm++) {
		const struct btf_member *tm = btfdb_members(tt);
		bool matched = false;

		for (j = 0; j < tn; j++, tm++) {
			if (!names_match(local, lm->name_off, targ, tm->name_off))
				continue;
			ret = types_match(local, lm->type, targ, tm->type, behind_ptr, level - 1);
			if (ret < 0)
				return ret;
			if (ret > 0) {
				matched = true;
				break;
			}
		}
		if (!matched)
			return 0;
	}
	return 1;
}

/*
 * TYPE_MATCHES (libbpf __bpf_core_types_match).  At every step modifiers and
 * typedefs are skipped and names must match (essential; anonymous only
 * matches anonymous).  Kinds must be equal except: behind a pointer a
 * struct/union matches a FWD of the same flavour (kflag 0 struct, 1 union)
 * and vice versa; enum matches enum64.  INT: size and signedness; ENUM: see
 * enums_match; STRUCT/UNION not behind a pointer: composites_match; PTR:
 * recurse with behind_ptr; ARRAY: same nelems and element; FUNC_PROTO: same
 * arity, params and return.  FLOAT and others never match.  `level` (32)
 * bounds the recursion, `depth` (32) the tail loop: -EINVAL beyond either.
 */
static int types_match(const struct btfdb_btf *local, uint32_t local_id,
		       const struct btfdb_btf *targ, uint32_t targ_id, bool behind_ptr, int level)
{
	const struct btf_type *lt, *tt;
	int depth = COMPAT_MAX_DEPTH;
	uint16_t lk, tk;

	if (level <= 0)
		return -EINVAL;

	for (;;) {
		if (--depth < 0)
			return -EINVAL;

		lt = btfdb_skip_mods_and_typedefs(local, local_id, &local_id);
		tt = btfdb_skip_mods_and_typedefs(targ, targ_id, &targ_id);
		if (!lt || !tt)
			return -EINVAL;
		if (!names_match(local, lt->name_off, targ, tt->name_off))
			return 0;

		lk = btfdb_kind(lt);
		tk = btfdb_kind(tt);
		switch (lk) {
		case BTF_KIND_UNKN:
			return lk == tk;
		case BTF_KIND_FWD: {
			bool lf = btfdb_kflag(lt);

			if (behind_ptr) {
				if (lk == tk)
					return lf == btfdb_kflag(tt);
				return (tk == BTF_KIND_STRUCT && !lf) || (tk == BTF_KIND_UNION && lf);
			}
			if (lk != tk)
				return 0;
			return lf == btfdb_kflag(tt);
		}
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			if (!btfdb_is_any_enum(tt))
				return 0;
			return enums_match(local, lt, targ, tt);
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (behind_ptr) {
				if (lk == tk)
					return 1;
				if (tk != BTF_KIND_FWD)
					return 0;
				return (lk == BTF_KIND_UNION) == btfdb_kflag(tt);
			}
			if (lk != tk)
				return 0;
			return composites_match(local, lt, targ, tt, behind_ptr, level);
		case BTF_KIND_INT:
			if (lk != tk)
				return 0;
			return lt->size == tt->size &&
			       (btfdb_int_encoding(lt) & BTF_INT_SIGNED) ==
				       (btfdb_int_encoding(tt) & BTF_INT_SIGNED);
		case BTF_KIND_PTR:
			if (lk != tk)
				return 0;
			behind_ptr = true;
			local_id = lt->type;
			targ_id = tt->type;
			continue;
		case BTF_KIND_ARRAY:
			if (lk != tk || btfdb_array(lt)->nelems != btfdb_array(tt)->nelems)
				return 0;
			local_id = btfdb_array(lt)->type;
			targ_id = btfdb_array(tt)->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = btfdb_params(lt), *tp = btfdb_params(tt);
			int i, n = btfdb_vlen(lt), ret;

			if (lk != tk || (uint32_t)n != btfdb_vlen(tt))
				return 0;
			for (i = 0; i < n; i++) {
				ret = types_match(local, lp[i].type, targ, tp[i].type, behind_ptr,
						  level - 1);
				if (ret <= 0)
					return ret;
			}
			local_id = lt->type;
			targ_id = tt->type;
			continue;
		}
		default:
			return 0;
		}
	}
}

int cl_types_match(const struct btfdb_btf *local, uint32_t local_id,
		   const struct btfdb_btf *targ, uint32_t targ_id)
{
	return types_match(local, local_id, targ, targ_id, false, COMPAT_MAX_DEPTH);
}

/* Enum kinds: the candidate must be an enum with an enumerator of the same essential name. */
static int match_enumval(const struct cl_spec *local_spec, const struct btfdb_btf *targ,
			 uint32_t targ_id, struct cl_spec *targ_spec)
{
	const struct cl_accessor *lacc = &local_spec->spec[0];
	const struct btf_type *tt;
	size_t llen;
	int i, n;

	tt = btfdb_skip_mods_and_typedefs(targ, targ_id, &targ_id);
	if (!tt || !btfdb_is_any_enum(tt))
		return 0;

	llen = btfdb_essential_name_len(lacc->name);
	n = btfdb_vlen(tt);
	for (i = 0; i < n; i++) {
		const char *tn = btfdb_btf_str(targ, enum_name_off(tt, i));

		if (!tn || btfdb_essential_name_len(tn) != llen || strncmp(lacc->name, tn, llen))
			continue;
		targ_spec->spec[0].type_id = targ_id;
		targ_spec->spec[0].idx = i;
		targ_spec->spec[0].name = tn;
		targ_spec->len = 1;
		targ_spec->raw_spec[0] = i;
		targ_spec->raw_len = 1;
		return 1;
	}
	return 0;
}

/*
 * Field kinds: walk the local high-level accessors, building the target spec.
 * Named accessors go through match_member; array accessors (after the first)
 * need a target ARRAY with the index in bounds (or a flexible array); the
 * first accessor indexes the candidate root itself.
 */
static int match_fields(const struct cl_spec *local_spec, const struct btfdb_btf *targ,
			uint32_t targ_id, struct cl_spec *targ_spec)
{
	const struct cl_accessor *lacc = local_spec->spec;
	struct cl_accessor *tacc = targ_spec->spec;
	const struct btf_type *tt;
	int64_t sz;
	int i, ret;

	for (i = 0; i < local_spec->len; i++, lacc++, tacc++) {
		tt = btfdb_skip_mods_and_typedefs(targ, targ_id, &targ_id);
		if (!tt)
			return -EINVAL;

		if (lacc->name) {
			ret = match_member(local_spec->btf, lacc, targ, targ_id, targ_spec, &targ_id);
			if (ret <= 0)
				return ret;
			continue;
		}
		if (i > 0) {
			const struct btf_array *a;

			if (btfdb_kind(tt) != BTF_KIND_ARRAY)
				return 0;
			a = btfdb_array(tt);
			if (!cl_is_flex_arr(targ, tacc - 1, a) && lacc->idx >= a->nelems)
				return 0;
			if (!btfdb_skip_mods_and_typedefs(targ, a->type, &targ_id))
				return -EINVAL;
		}
		if (targ_spec->raw_len == CL_SPEC_MAX_LEN)
			return -E2BIG;

		tacc->type_id = targ_id;
		tacc->idx = lacc->idx;
		tacc->name = NULL;
		targ_spec->len++;
		targ_spec->raw_spec[targ_spec->raw_len++] = (int)lacc->idx;

		sz = btfdb_resolve_size(targ, targ_id);
		if (sz < 0)
			return (int)sz;
		/* libbpf computes this in 32-bit unsigned arithmetic */
		targ_spec->bit_offset += lacc->idx * (uint32_t)sz * 8;
	}
	return 1;
}

int cl_spec_match(const struct cl_spec *local_spec, const struct btfdb_btf *targ,
		  uint32_t targ_id, struct cl_spec *targ_spec)
{
	memset(targ_spec, 0, sizeof(*targ_spec));
	targ_spec->btf = targ;
	targ_spec->root_type_id = targ_id;
	targ_spec->kind = local_spec->kind;

	if (cl_kind_is_type(local_spec->kind)) {
		if (local_spec->kind == CORELINK_TYPE_MATCHES)
			return cl_types_match(local_spec->btf, local_spec->root_type_id, targ,
					      targ_id);
		return cl_types_are_compat(local_spec->btf, local_spec->root_type_id, targ,
					   targ_id);
	}
	if (cl_kind_is_enumval(local_spec->kind))
		return match_enumval(local_spec, targ, targ_id, targ_spec);
	if (!cl_kind_is_field(local_spec->kind))
		return -EINVAL;
	return match_fields(local_spec, targ, targ_id, targ_spec);
}
