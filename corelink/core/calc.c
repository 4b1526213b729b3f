/* SPDX-License-Identifier: MIT */
/*
 * Computing a relocation: the value the compiler assumed (local spec), the
 * value for the target (candidate spec), and whether to poison; then the
 * agreement of several candidates.  Follows libbpf 1.1 src/relo_core.c:
 *
 *   calc_field      bpf_core_calc_field_relo
 *   calc_type       bpf_core_calc_type_relo
 *   calc_enumval    bpf_core_calc_enumval_relo
 *   cl_calc_relo    bpf_core_calc_relo
 *   cl_calc_relo_insn  bpf_core_calc_relo_insn
 *
 * Pure: no allocation, no I/O.  Arithmetic on offsets and sizes is 32-bit
 * unsigned, as in libbpf, so wrap-arounds give libbpf's (odd) values too.
 *
 * The rules of the newest libbpf (1.7) unless mode has CL_MODE_LIBBPF_1_1;
 * the differences (README "libbpf versions"):
 *   - load/store size of an array (libbpf 1.6.0, d7a4ab15): the field size
 *     remembered for LDX/STX/ST size adjustment is that of the innermost
 *     array element; 1.1 took the whole accessed type (array or row);
 *   - FIELD_SIGNED (libbpf 1.3.0, b4c8def4): only ints (and enums with
 *     kflag) are signed; 1.1 read an int encoding from the 32-bit word that
 *     follows any type record (see word_after()).
 */
#include <errno.h>
#include <string.h>

#include "relo.h"

/* Internal "no target: poison" signal, like libbpf's -EUCLEAN. */
#define CL_EPOISON (-EUCLEAN)

/*
 * The 32-bit word libbpf 1.1's btf_int_encoding() reads for type id: the
 * first word after its fixed 12-byte record, which for a record with no
 * trailing data is the next record's name_off and, after the last type, the
 * first bytes of the string section (as laid out in a standard blob, whose
 * strings follow the types), in host order as libbpf read them.
 */
static uint32_t word_after(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t)
{
	const struct btf_type *next;
	uint8_t b[4] = { 0 };
	const char *p;
	bool trailing;
	uint32_t i;

	switch (btfdb_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ARRAY:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		trailing = true;
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FUNC_PROTO:
	case BTF_KIND_DATASEC:
		trailing = btfdb_vlen(t) > 0;
		break;
	default:
		trailing = false;
	}
	if (trailing)
		return ((const uint32_t *)(t + 1))[0];
	if (id + 1 < btfdb_btf_type_cnt(btf)) {
		next = btfdb_btf_type(btf, id + 1);
		return next ? next->name_off : 0;
	}
	/* the string section starts with its empty string; bytes 1-3 follow it
	 * (for split BTF this reads the base's section: an approximation) */
	for (i = 1; i < 4; i++) {
		p = btfdb_btf_str(btf, i);
		b[i] = p ? (uint8_t)*p : 0;
	}
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		       ? ((uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3])
		       : ((uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8);
}

/*
 * The size libbpf remembers for a load/store of a field of type id: 1.1 the
 * type's own size, newer the innermost element's of an array (of arrays).
 */
static int64_t memsz_of(const struct btfdb_btf *btf, uint32_t id, unsigned mode)
{
	const struct btf_type *t;
	uint32_t elem_id = id;

	if (mode & CL_MODE_LIBBPF_1_1)
		return btfdb_resolve_size(btf, id);
	t = btfdb_skip_mods_and_typedefs(btf, id, &elem_id);
	while (t && btfdb_kind(t) == BTF_KIND_ARRAY)
		t = btfdb_skip_mods_and_typedefs(btf, btfdb_array(t)->type, &elem_id);
	if (!t)
		return -EINVAL;
	return btfdb_resolve_size(btf, elem_id);
}

/*
 * Field kinds on one spec (NULL spec = no candidate).
 *
 * 1. FIELD_EXISTS: 1 with a spec, 0 without (the only kind not poisoned).
 * 2. Last accessor is an array element (no name): BYTE_OFFSET = bit_offset/8
 *    (and the element size, for load-size adjustment), BYTE_SIZE = element
 *    size; any other kind is a hard error.
 * 3. Named member: a bitfield only when the struct has kflag and the member a
 *    bitfield size.  A bitfield is read with the smallest aligned load of at
 *    least the member type's size that covers it: start with byte_sz = type
 *    size at byte_off = floor(bit_off / 8 / byte_sz) * byte_sz, double
 *    byte_sz while the field ends past the load; past 8 bytes: -E2BIG.
 * 4. LSHIFT_U64 depends on byte order (the OBJECT's here; libbpf's host's):
 *      little endian: 64 - (bit_off + bit_sz - byte_off * 8)
 *      big endian:    (8 - byte_sz) * 8 + (bit_off - byte_off * 8)
 * 5. Validation of the original instruction value is turned off for
 *    bitfields (the compiler may disagree) except SIGNED and RSHIFT_U64.
 */
static int calc_field(const struct cl_spec *spec, uint32_t kind, unsigned mode, uint64_t *val,
		      uint32_t *field_sz, uint32_t *type_id, bool *validate,
		      struct btfdb_err *err)
{
	const struct cl_accessor *acc;
	const struct btf_type *t, *mt;
	uint32_t byte_off, byte_sz, bit_off, bit_sz, field_type_id;
	bool bitfield, big_endian = mode & CL_MODE_BIG_ENDIAN;
	int64_t sz;

	*field_sz = 0;

	if (kind == CORELINK_FIELD_EXISTS) {
		*val = spec ? 1 : 0;
		return 0;
	}
	if (!spec)
		return CL_EPOISON;

	acc = &spec->spec[spec->len - 1];

	if (!acc->name) {
		sz = btfdb_resolve_size(spec->btf, acc->type_id);
		if (kind == CORELINK_FIELD_BYTE_OFFSET) {
			*val = spec->bit_offset / 8;
			sz = memsz_of(spec->btf, acc->type_id, mode);
			if (sz < 0)
				goto no_size;
			*field_sz = (uint32_t)sz;
			*type_id = acc->type_id;
		} else if (kind == CORELINK_FIELD_BYTE_SIZE) {
			if (sz < 0)
				goto no_size;
			*val = (uint64_t)sz;
		} else {
			btfdb_err_set(err, "%s relocation can't be applied to array access",
				      corelink_relo_kind_str(kind));
			return -EINVAL;
		}
		if (validate)
			*validate = true;
		return 0;
	}

	t = btfdb_btf_type(spec->btf, acc->type_id);
	if (!t || !btfdb_is_composite(t) || acc->idx >= btfdb_vlen(t)) {
		btfdb_err_set(err, "internal: accessor [%u] #%u is not a member", acc->type_id,
			      acc->idx);
		return -EINVAL;
	}
	mt = btfdb_skip_mods_and_typedefs(spec->btf, btfdb_members(t)[acc->idx].type,
					  &field_type_id);
	if (!mt) {
		btfdb_err_set(err, "member '%s' has an invalid type", acc->name);
		return -EINVAL;
	}
	bit_off = spec->bit_offset;
	bit_sz = btfdb_member_bitfield_size(t, acc->idx);

	bitfield = bit_sz > 0;
	if (bitfield) {
		byte_sz = mt->size;
		if (byte_sz == 0) { /* libbpf would divide by zero */
			btfdb_err_set(err, "bitfield '%s' has a zero-sized type", acc->name);
			return -EINVAL;
		}
		byte_off = bit_off / 8 / byte_sz * byte_sz;
		while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
			if (byte_sz >= 8) {
				btfdb_err_set(err, "%s relocation can't be satisfied for bitfield '%s' "
					      "(%u bits at bit %u): a 64-bit load can't hold it",
					      corelink_relo_kind_str(kind), acc->name, bit_sz, bit_off);
				return -E2BIG;
			}
			byte_sz *= 2;
			byte_off = bit_off / 8 / byte_sz * byte_sz;
		}
	} else {
		sz = btfdb_resolve_size(spec->btf, field_type_id);
		if (sz < 0)
			goto no_size;
		byte_sz = (uint32_t)sz;
		byte_off = spec->bit_offset / 8;
		bit_sz = byte_sz * 8;
	}

	if (validate)
		*validate = !bitfield;

	switch (kind) {
	case CORELINK_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!bitfield) {
			sz = memsz_of(spec->btf, field_type_id, mode);
			if (sz < 0)
				goto no_size;
			*field_sz = (uint32_t)sz;
			*type_id = field_type_id;
		}
		break;
	case CORELINK_FIELD_BYTE_SIZE:
		*val = byte_sz;
		break;
	case CORELINK_FIELD_SIGNED:
		if (mode & CL_MODE_LIBBPF_1_1)
			*val = (btfdb_is_any_enum(mt) && btfdb_kflag(mt)) ||
			       (BTF_INT_ENCODING(word_after(spec->btf, field_type_id, mt)) &
				BTF_INT_SIGNED);
		else
			*val = (btfdb_is_any_enum(mt) && btfdb_kflag(mt)) ||
			       (btfdb_kind(mt) == BTF_KIND_INT &&
				(btfdb_int_encoding(mt) & BTF_INT_SIGNED));
		if (validate)
			*validate = true; /* signedness is never ambiguous */
		break;
	case CORELINK_FIELD_LSHIFT_U64:
		if (big_endian)
			*val = (uint32_t)((8 - byte_sz) * 8 + (bit_off - byte_off * 8));
		else
			*val = (uint32_t)(64 - (bit_off + bit_sz - byte_off * 8));
		break;
	case CORELINK_FIELD_RSHIFT_U64:
		*val = (uint32_t)(64 - bit_sz);
		if (validate)
			*validate = true; /* right shift is never ambiguous */
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;

no_size:
	btfdb_err_set(err, "can't resolve the size of the field's type [%u]", acc->type_id);
	return -EINVAL;
}

/* Type kinds: no target gives 0 (not poison); TYPE_ID_TARGET is never validated. */
static int calc_type(const struct cl_spec *spec, uint32_t kind, uint64_t *val, bool *validate,
		     struct btfdb_err *err)
{
	int64_t sz;

	if (validate)
		*validate = true;
	if (!spec) {
		*val = 0;
		return 0;
	}
	switch (kind) {
	case CORELINK_TYPE_ID_TARGET:
		*val = spec->root_type_id;
		/* the id in the instruction may have changed in linking */
		if (validate)
			*validate = false;
		return 0;
	case CORELINK_TYPE_EXISTS:
	case CORELINK_TYPE_MATCHES:
		*val = 1;
		return 0;
	case CORELINK_TYPE_SIZE:
		sz = btfdb_resolve_size(spec->btf, spec->root_type_id);
		if (sz < 0) {
			btfdb_err_set(err, "can't resolve the size of type [%u]", spec->root_type_id);
			return -EINVAL;
		}
		*val = (uint64_t)sz;
		return 0;
	default: /* TYPE_ID_LOCAL never gets here */
		return -EOPNOTSUPP;
	}
}

/* Enum kinds: 32-bit enumerators are signed (sign-extended), enum64 = hi << 32 | lo. */
static int calc_enumval(const struct cl_spec *spec, uint32_t kind, uint64_t *val,
			struct btfdb_err *err)
{
	const struct btf_type *t;
	uint32_t i;

	switch (kind) {
	case CORELINK_ENUMVAL_EXISTS:
		*val = spec ? 1 : 0;
		return 0;
	case CORELINK_ENUMVAL_VALUE:
		if (!spec)
			return CL_EPOISON;
		t = btfdb_btf_type(spec->btf, spec->spec[0].type_id);
		i = spec->spec[0].idx;
		if (!t || !btfdb_is_any_enum(t) || i >= btfdb_vlen(t)) {
			btfdb_err_set(err, "internal: enumerator accessor is not an enumerator");
			return -EINVAL;
		}
		if (btfdb_kind(t) == BTF_KIND_ENUM)
			*val = (uint64_t)(int64_t)(int32_t)btfdb_enums(t)[i].val;
		else
			*val = ((uint64_t)btfdb_enums64(t)[i].val_hi32 << 32) |
			       btfdb_enums64(t)[i].val_lo32;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/*
 * A load/store whose field size changes is only safe for pointers (a 32-bit
 * kernel pointer zero-extends) and unsigned integers; otherwise mark it, and
 * patch.c poisons LDX/ST/STX instructions carrying it.
 */
static bool memsz_adjust_ok(const struct cl_spec *local_spec, const struct cl_spec *targ_spec,
			    const struct cl_relo_res *res)
{
	const struct btf_type *o = btfdb_btf_type(local_spec->btf, res->orig_type_id);
	const struct btf_type *n = btfdb_btf_type(targ_spec->btf, res->new_type_id);

	if (!o || !n)
		return false;
	if (btfdb_kind(o) == BTF_KIND_PTR && btfdb_kind(n) == BTF_KIND_PTR)
		return true;
	return btfdb_kind(o) == BTF_KIND_INT && btfdb_kind(n) == BTF_KIND_INT &&
	       btfdb_int_encoding(o) != BTF_INT_SIGNED && btfdb_int_encoding(n) != BTF_INT_SIGNED;
}

int cl_calc_relo(const struct cl_spec *local_spec, const struct cl_spec *targ_spec,
		 unsigned mode, struct cl_relo_res *res, struct btfdb_err *err)
{
	uint32_t kind = local_spec->kind;
	int ret = -EOPNOTSUPP;

	memset(res, 0, sizeof(*res));
	res->validate = true;

	if (cl_kind_is_field(kind)) {
		ret = calc_field(local_spec, kind, mode, &res->orig_val, &res->orig_sz,
				 &res->orig_type_id, &res->validate, err);
		if (!ret)
			ret = calc_field(targ_spec, kind, mode, &res->new_val, &res->new_sz,
					 &res->new_type_id, NULL, err);
		if (!ret && res->orig_sz != res->new_sz)
			res->fail_memsz_adjust = !memsz_adjust_ok(local_spec, targ_spec, res);
	} else if (cl_kind_is_type(kind)) {
		ret = calc_type(local_spec, kind, &res->orig_val, &res->validate, err);
		if (!ret)
			ret = calc_type(targ_spec, kind, &res->new_val, NULL, err);
	} else if (cl_kind_is_enumval(kind)) {
		ret = calc_enumval(local_spec, kind, &res->orig_val, err);
		if (!ret)
			ret = calc_enumval(targ_spec, kind, &res->new_val, err);
	}

	if (ret == CL_EPOISON) {
		res->poison = true;
		ret = 0;
	} else if (ret == -EOPNOTSUPP) {
		btfdb_err_set(err, "unrecognized CO-RE relocation %s (%u)",
			      corelink_relo_kind_str(kind), kind);
	}
	return ret;
}

/*
 * One relocation against its candidate list:
 *  1. parse the local spec (any failure is -EINVAL, as in libbpf);
 *  2. TYPE_ID_LOCAL: the local root id, never validated, no candidates;
 *  3. every candidate is matched; a match error is fatal; each match is
 *     computed, and must agree with the first one: same bit offset (else
 *     "field offset ambiguity"), same poison decision and new value (else
 *     "relocation decision ambiguity"), both -EINVAL;
 *  4. the list is pruned in place to the matched candidates, in order, when
 *     at least one matched; otherwise it is left alone and the result is
 *     computed with no target (poison or 0 depending on the kind).
 */
int cl_calc_relo_insn(const struct btfdb_btf *local, uint32_t type_id, const char *access,
		      uint32_t kind, unsigned mode, struct cl_cand_list *cands,
		      const struct btfdb_btf *targ, struct cl_spec specs[3],
		      struct cl_relo_res *res, struct cl_relo_diag *diag, struct btfdb_err *err)
{
	struct cl_spec *local_spec = &specs[0], *cand_spec = &specs[1], *targ_spec = &specs[2];
	const struct btf_type *lt;
	struct cl_relo_res cand_res;
	const char *lname;
	size_t i, j;
	int ret;

	memset(diag, 0, sizeof(*diag));
	diag->fail_acc = -1;

	lt = btfdb_btf_type(local, type_id);
	lname = lt ? btfdb_btf_str(local, lt->name_off) : NULL;
	if (!lname) {
		btfdb_err_set(err, "invalid local type [%u]", type_id);
		return -EINVAL;
	}

	ret = cl_spec_parse(local, type_id, access, kind, local_spec, err);
	if (ret) {
		btfdb_err_prefix(err, "parsing [%u] %s %s + %s failed: ", type_id,
				 btfdb_kind_name(btfdb_kind(lt)), lname[0] ? lname : "<anon>",
				 access ? access : "<?>");
		return -EINVAL;
	}
	diag->spec_ok = true;

	if (kind == CORELINK_TYPE_ID_LOCAL) {
		memset(res, 0, sizeof(*res));
		res->orig_val = local_spec->root_type_id;
		res->new_val = local_spec->root_type_id;
		return 0;
	}

	if (!lname[0]) {
		btfdb_err_set(err, "<%s> (%u) relocation doesn't support anonymous types",
			      corelink_relo_kind_str(kind), kind);
		return -EOPNOTSUPP;
	}
	if (!cands) {
		btfdb_err_set(err, "internal: no candidate list");
		return -EINVAL;
	}

	diag->nr_cands = (uint32_t)cands->len;
	diag->nr_found = (uint32_t)(cands->found > cands->len ? cands->found : cands->len);
	for (i = 0, j = 0; i < cands->len; i++) {
		ret = cl_spec_match(local_spec, targ, cands->ids[i], cand_spec);
		if (ret < 0) {
			btfdb_err_set(err, "error matching candidate #%zu [%u] %s: %d%s", i,
				      cands->ids[i], btfdb_btf_name(targ, cands->ids[i]), ret,
				      ret == -E2BIG ? " (nesting deeper than 64 levels)" : "");
			return ret;
		}
		if (ret == 0) {
			if (cand_spec->len > diag->fail_acc)
				diag->fail_acc = cand_spec->len;
			continue;
		}

		ret = cl_calc_relo(local_spec, cand_spec, mode, &cand_res, err);
		if (ret)
			return ret;

		if (j == 0) {
			*res = cand_res;
			*targ_spec = *cand_spec;
			diag->targ_id = cands->ids[i];
		} else if (cand_spec->bit_offset != targ_spec->bit_offset) {
			btfdb_err_set(err, "field offset ambiguity: %u != %u (candidates [%u] and [%u])",
				      cand_spec->bit_offset, targ_spec->bit_offset, cands->ids[i],
				      diag->targ_id);
			return -EINVAL;
		} else if (cand_res.poison != res->poison || cand_res.new_val != res->new_val) {
			btfdb_err_set(err, "relocation decision ambiguity: %s %llu != %s %llu "
				      "(candidates [%u] and [%u])",
				      cand_res.poison ? "failure" : "success",
				      (unsigned long long)cand_res.new_val,
				      res->poison ? "failure" : "success",
				      (unsigned long long)res->new_val, cands->ids[i], diag->targ_id);
			return -EINVAL;
		}
		cands->ids[j++] = cands->ids[i];
	}
	diag->nr_matched = (uint32_t)j;

	if (j > 0) {
		cands->len = j;
		diag->fail_acc = -1;
		return 0;
	}
	/* no candidate matched: the result with no target, the list untouched */
	return cl_calc_relo(local_spec, NULL, mode, res, err);
}
