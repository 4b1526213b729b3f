/* SPDX-License-Identifier: MIT */
/*
 * The per-type rules of BTF validation, shared by the three places that
 * apply them: the eager walk (parse_types() in btf_parse.c, fast mode), the
 * lazy check (lazy_check() in btf_lazy.c) and the re-checks after a walk
 * (parse_common()).  Static and inlined into each: the walk's cost is these
 * checks, once per type (a call per type, or a generic check without the
 * walk's fast mode folded in, would show in the parse time).
 * Private to btfdb/btf.
 */
#ifndef BTFDB_BTF_CHECK_INTERNAL_H
#define BTFDB_BTF_CHECK_INTERNAL_H

#include <errno.h>

#include "btf_kernel_rules.h"
#include "btfdb_internal.h"

/* One past the last string offset a handle (with its bases) can resolve. */
static inline uint64_t str_end(const struct btfdb_btf *btf)
{
	return (uint64_t)btf->str_start + btf->str_len;
}

/*
 * Bytes after struct btf_type: rec_fixed[kind] + vlen * rec_per_vlen[kind]
 * (btfdb_type_extra_size() as two table lookups: the walk computes this for
 * every type, and a switch there mispredicts on every change of kind).
 */
static const uint8_t rec_fixed[NR_BTF_KINDS] __attribute__((unused)) = {
	[BTF_KIND_INT] = 4,  [BTF_KIND_ARRAY] = 12, [BTF_KIND_VAR] = 4,
	[BTF_KIND_DECL_TAG] = 4,
};
static const uint8_t rec_per_vlen[NR_BTF_KINDS] __attribute__((unused)) = {
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
static __attribute__((noinline, cold, unused)) int name_error(const struct btfdb_btf *btf, uint32_t id,
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

static __attribute__((noinline, cold, unused)) int ref_error(uint32_t id, uint32_t ref, uint32_t cnt,
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

static __attribute__((noinline, cold, unused)) int bad(const struct btf_type *t, uint32_t id,
						      const char *what, unsigned long long v,
						      struct btfdb_err *err)
{
	btfdb_err_set(err, "BTF: type [%u] (%s): invalid %s %llu", id,
		      btfdb_kind_name(btfdb_kind(t)), what, v);
	return -EINVAL;
}

static __attribute__((unused)) bool has_vlen(uint16_t kind)
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
				      "%u-byte size (kernel: \"%s\")",
				      id, btfdb_kind_name(btfdb_kind(t)), i,
				      (unsigned long long)end, t->size,
				      (btfdb_member_bit_offset(t, i) + 7) / 8 > t->size
					      ? "Member bits_offset exceeds its struct size"
					      : "Member exceeds struct_size");
			return -EINVAL;
		}
	}
	return 0;
}

static __attribute__((unused)) int check_decl_tag(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
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
static inline __attribute__((always_inline)) int check_type_structure(const struct btfdb_btf *btf,
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

	if (btfdb_kind_is_ref(kind))
		return check_ref(btf, id, t->type, err, vs);
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
				      "%u-byte size (kernel: \"nr_bits exceeds type_size\")",
				      id, off, bits, t->size);
			return -EINVAL;
		}
		return 0;
	}
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
 * Step 5 and, on target BTF (btf->kernel_rules), the kernel verifier's rules
 * for the record alone (btf_kernel_rules.h).
 */
static inline __attribute__((always_inline)) int check_type(const struct btfdb_btf *btf,
							      uint32_t id,
							      const struct btf_type *t,
							      struct btfdb_err *err,
							      struct vstate *vs)
{
	return check_type_structure(btf, id, t, err, vs) ?:
	       (btf->kernel_rules ? btfdb_kr_meta(btf, id, t, err) : 0);
}

/*
 * Step 6: the pos-th "by value" reference of t, i.e. a link whose cycle would
 * make the type infinite or a typedef/modifier chain endless.  PTR and
 * FUNC_PROTO (and FUNC, which only points at a FUNC_PROTO) have none.
 */
static __attribute__((unused)) bool value_edge(const struct btf_type *t, uint32_t pos, uint32_t *target)
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

#endif /* BTFDB_BTF_CHECK_INTERNAL_H */
