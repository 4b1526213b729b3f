/* SPDX-License-Identifier: MIT */
/*
 * The kernel BTF verifier's rules (btf_kernel_rules.h).  The reasons quoted
 * in the messages are the kernel's own words (kernel/bpf/btf.c), so that a
 * user can find the rule there; the facts come from reading that file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "btf_kernel_rules.h"

#define KR_MAX_DEPTH 32 /* the kernel's MAX_RESOLVE_DEPTH */
#define BITS_ROUNDUP_BYTES(bits) (((uint64_t)(bits) + 7) / 8)

/* A type's record without the lazy check (own types as walked; void and base
 * types through their handle); NULL when id is out of range. */
static const struct btf_type *kr_type(const struct btfdb_btf *btf, uint32_t id)
{
	if (id >= btf->start_id && id - btf->start_id < btf->nr_types)
		return btfdb_flat_type(btf, id - btf->start_id);
	if (id >= btf->start_id)
		return NULL;
	return btfdb_btf_type(btf, id);
}

static int kr_ptr_size(const struct btfdb_btf *btf)
{
	return btf->ptr_size > 0 ? btf->ptr_size : 8;
}

/*
 * "BTF: type [ID] (KIND 'NAME')[ member I 'M']: the kernel's BTF verifier
 * rejects it: "REASON"[ (DETAIL)]"
 */
static int kr_fail(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t, int member,
		   const char *reason, struct btfdb_err *err, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static int kr_fail(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t, int member,
		   const char *reason, struct btfdb_err *err, const char *fmt, ...)
{
	const char *name = t->name_off ? btfdb_btf_str(btf, t->name_off) : NULL;
	const char *mname = NULL;
	char where[256] = "", detail[192] = "";
	va_list ap;

	if (member >= 0 && btfdb_is_composite(t)) {
		const struct btf_member *m = &btfdb_members(t)[member];

		mname = m->name_off ? btfdb_btf_str(btf, m->name_off) : NULL;
	}
	if (member >= 0)
		snprintf(where, sizeof(where), " member %d%s%s%s", member,
			 mname && mname[0] ? " '" : "", mname && mname[0] ? mname : "",
			 mname && mname[0] ? "'" : "");
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	btfdb_err_set(err, "BTF: type [%u] (%s%s%s%s)%s: the kernel's BTF verifier rejects it: \"%s\"%s%s%s",
		      id, btfdb_kind_name(btfdb_kind(t)), name && name[0] ? " '" : "",
		      name && name[0] ? name : "", name && name[0] ? "'" : "", where, reason,
		      detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
	return -EINVAL;
}

#define FAIL(reason, ...) kr_fail(btf, id, t, -1, reason, err, __VA_ARGS__)
#define FAIL_M(i, reason, ...) kr_fail(btf, id, t, (int)(i), reason, err, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Per record (the kernel's *_check_meta())                             */
/* ------------------------------------------------------------------ */

static bool empty_name(const struct btfdb_btf *btf, uint32_t off)
{
	const char *s = off ? btfdb_btf_str(btf, off) : NULL;

	return !s || !s[0];
}

static int meta_int(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
		    struct btfdb_err *err)
{
	uint32_t data = *(const uint32_t *)(t + 1), enc = btfdb_int_encoding(t);
	uint32_t bits = btfdb_int_bits(t) + btfdb_int_offset(t);

	if (btfdb_kflag(t))
		return FAIL("Invalid btf_info kind_flag", NULL);
	if (data & ~0x0fffffffu)
		return FAIL("Invalid int_data", "0x%x", data);
	if (bits > 128)
		return FAIL("nr_bits exceeds 128", "offset + bits = %u", bits);
	if (BITS_ROUNDUP_BYTES(bits) > t->size)
		return FAIL("nr_bits exceeds type_size", "%u bits in %u bytes", bits, t->size);
	if (enc && enc != BTF_INT_SIGNED && enc != BTF_INT_CHAR && enc != BTF_INT_BOOL)
		return FAIL("Unsupported encoding", "0x%x", enc);
	return 0;
}

static int meta_members(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
			struct btfdb_err *err)
{
	bool is_union = btfdb_kind(t) == BTF_KIND_UNION;
	uint32_t i, last = 0;

	for (i = 0; i < btfdb_vlen(t); i++) {
		uint32_t off = btfdb_member_bit_offset(t, i);

		if (!btfdb_members(t)[i].type)
			return FAIL_M(i, "Invalid type_id", "void");
		if ((is_union && off) || last > off)
			return FAIL_M(i, "Invalid member bits_offset", "bit %u%s", off,
				      is_union ? " in a union" : ", before the previous member");
		if (BITS_ROUNDUP_BYTES(off) > t->size)
			return FAIL_M(i, "Member bits_offset exceeds its struct size",
				      "bit %u of %u bytes", off, t->size);
		last = off;
	}
	return 0;
}

int btfdb_kr_meta(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
		  struct btfdb_err *err)
{
	uint32_t i;

	switch (btfdb_kind(t)) {
	case BTF_KIND_INT:
		return meta_int(btf, id, t, err);
	case BTF_KIND_PTR:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
		if (btfdb_kflag(t))
			return FAIL("Invalid btf_info kind_flag", NULL);
		if (t->name_off)
			return FAIL("Invalid name", "a %s has none", btfdb_kind_name(btfdb_kind(t)));
		return 0;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
		if (empty_name(btf, t->name_off))
			return FAIL("Invalid name", "a %s needs one", btfdb_kind_name(btfdb_kind(t)));
		return 0;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btfdb_array(t);

		if (t->name_off)
			return FAIL("Invalid name", "an array has none");
		if (btfdb_kflag(t))
			return FAIL("Invalid btf_info kind_flag", NULL);
		if (t->size)
			return FAIL("size != 0", "%u", t->size);
		if (!a->type)
			return FAIL("Invalid elem", "void");
		if (!a->index_type)
			return FAIL("Invalid index", "void");
		return 0;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return meta_members(btf, id, t, err);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		for (i = 0; i < btfdb_vlen(t); i++) {
			uint32_t off = btfdb_kind(t) == BTF_KIND_ENUM ? btfdb_enums(t)[i].name_off
								       : btfdb_enums64(t)[i].name_off;

			if (empty_name(btf, off))
				return FAIL("Invalid name", "enumerator %u has none", i);
		}
		return 0;
	case BTF_KIND_FWD:
		if (t->type)
			return FAIL("type != 0", "%u", t->type);
		if (empty_name(btf, t->name_off))
			return FAIL("Invalid name", "a fwd needs one");
		return 0;
	case BTF_KIND_FUNC_PROTO:
		if (t->name_off)
			return FAIL("Invalid name", "a func_proto has none");
		if (btfdb_kflag(t))
			return FAIL("Invalid btf_info kind_flag", NULL);
		return 0;
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case BTF_KIND_DATASEC:
		if (btfdb_kflag(t))
			return FAIL("Invalid btf_info kind_flag", NULL);
		if (empty_name(btf, t->name_off))
			return FAIL("Invalid name", "a %s needs one", btfdb_kind_name(btfdb_kind(t)));
		if (btfdb_kind(t) == BTF_KIND_VAR && !t->type)
			return FAIL("Invalid type_id", "void");
		return 0;
	case BTF_KIND_FLOAT:
		if (btfdb_kflag(t))
			return FAIL("Invalid btf_info kind_flag", NULL);
		return 0;
	case BTF_KIND_DECL_TAG:
		if (empty_name(btf, t->name_off))
			return FAIL("Invalid value", "a decl_tag needs one");
		return 0;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* With the types referred to (the kernel's *_resolve(), check_member()) */
/* ------------------------------------------------------------------ */

static bool is_modifier(uint16_t kind)
{
	return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE || kind == BTF_KIND_CONST ||
	       kind == BTF_KIND_RESTRICT || kind == BTF_KIND_TYPE_TAG;
}

/* btf_type_nosize(): void, fwd, func, func_proto */
static bool nosize(const struct btf_type *t)
{
	uint16_t k = t ? btfdb_kind(t) : BTF_KIND_UNKN;

	return !t || k == BTF_KIND_UNKN || k == BTF_KIND_FWD || k == BTF_KIND_FUNC ||
	       k == BTF_KIND_FUNC_PROTO;
}

/* btf_type_is_resolve_source_only(): var, decl_tag, datasec */
static bool source_only(const struct btf_type *t)
{
	uint16_t k = btfdb_kind(t);

	return k == BTF_KIND_VAR || k == BTF_KIND_DECL_TAG || k == BTF_KIND_DATASEC;
}

/* btf_type_int_is_regular(): whole bytes, no offset, 1/2/4/8/16 bytes */
static bool int_regular(const struct btf_type *t)
{
	uint32_t bits = btfdb_int_bits(t), bytes = (uint32_t)BITS_ROUNDUP_BYTES(bits);

	return !(bits % 8) && !btfdb_int_offset(t) &&
	       (bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8 || bytes == 16);
}

/* Past modifiers (bounded, as the kernel's resolve depth); *id follows.  NULL
 * for void, a bad id or a chain too deep (the cycle check reports loops). */
static const struct btf_type *skip_mods(const struct btfdb_btf *btf, uint32_t *id)
{
	const struct btf_type *t = kr_type(btf, *id);
	int depth;

	for (depth = 0; t && *id && is_modifier(btfdb_kind(t)) && depth < KR_MAX_DEPTH; depth++) {
		*id = t->type;
		t = kr_type(btf, *id);
	}
	return t && *id && !is_modifier(btfdb_kind(t)) ? t : NULL;
}

/*
 * Size of a sized type past modifiers (int, enum, struct, union, float, ptr,
 * array: nelems x element, in 64 bits); -1 when it has none (void, fwd, func,
 * func_proto, var, ...).  *ovf is set when an array on the way overflows 32
 * bits (the array's own check reports it).
 */
static int64_t sized(const struct btfdb_btf *btf, uint32_t id, int depth)
{
	const struct btf_type *t = skip_mods(btf, &id);
	int64_t elem;

	if (!t || depth > KR_MAX_DEPTH)
		return -1;
	switch (btfdb_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_FLOAT:
		return t->size;
	case BTF_KIND_PTR:
		return kr_ptr_size(btf);
	case BTF_KIND_ARRAY: {
		uint64_t total;

		elem = sized(btf, btfdb_array(t)->type, depth + 1);
		if (elem < 0)
			return -1;
		/* elem <= 2^32 and nelems < 2^32: the product fits in 64 bits
		 * unsigned (not signed: fuzz_btf found the overflow) */
		total = (uint64_t)elem * btfdb_array(t)->nelems;
		return total > UINT32_MAX ? (int64_t)UINT32_MAX + 1 : (int64_t)total;
	}
	}
	return -1;
}

static int resolve_array(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
			 struct btfdb_err *err)
{
	const struct btf_array *a = btfdb_array(t);
	uint32_t iid = a->index_type, eid = a->type;
	const struct btf_type *it = kr_type(btf, iid), *et = kr_type(btf, eid);
	int64_t esize;

	if (nosize(it) || source_only(it) || !(it = skip_mods(btf, &iid)) ||
	    btfdb_kind(it) != BTF_KIND_INT || !int_regular(it))
		return FAIL("Invalid index", "type [%u]", a->index_type);
	if (nosize(et) || source_only(et) || (esize = sized(btf, eid, 0)) < 0)
		return FAIL("Invalid elem", "type [%u]", a->type);
	et = skip_mods(btf, &eid);
	if (btfdb_kind(et) == BTF_KIND_INT && !int_regular(et))
		return FAIL("Invalid array of int", "type [%u] has %u bits at offset %u", eid,
			    btfdb_int_bits(et), btfdb_int_offset(et));
	if (a->nelems && (uint64_t)esize > UINT32_MAX / a->nelems)
		return FAIL("Array size overflows U32_MAX", "%u elements of %lld bytes", a->nelems,
			    (long long)esize);
	return 0;
}

/* One member of a struct/union whose kind_flag is clear (offsets in bits). */
static int member_plain(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
			uint32_t i, uint32_t off, uint32_t mid, const struct btf_type *mt,
			struct btfdb_err *err)
{
	uint64_t size = t->size, at;
	int64_t msize;

	switch (btfdb_kind(mt)) {
	case BTF_KIND_INT: {
		uint64_t bit = (uint64_t)off + btfdb_int_offset(mt), copy;

		if (bit > UINT32_MAX)
			return FAIL_M(i, "bits_offset exceeds U32_MAX", NULL);
		copy = btfdb_int_bits(mt) + bit % 8;
		if (copy > 128)
			return FAIL_M(i, "nr_copy_bits exceeds 128", "%llu bits from bit %llu",
				      (unsigned long long)copy, (unsigned long long)bit);
		if (size < bit / 8 || size - bit / 8 < BITS_ROUNDUP_BYTES(copy))
			return FAIL_M(i, "Member exceeds struct_size",
				      "type [%u], %u bits at bit %llu of %u bytes", mid,
				      btfdb_int_bits(mt), (unsigned long long)bit, t->size);
		return 0;
	}
	case BTF_KIND_FLOAT: {
		uint64_t align = (uint64_t)(mt->size < (uint32_t)kr_ptr_size(btf) ? mt->size
									  : (uint32_t)kr_ptr_size(btf)) * 8;

		if (align && off % align)
			return FAIL_M(i, "Member is not properly aligned", "bit %u", off);
		if ((uint64_t)off / 8 + mt->size > size)
			return FAIL_M(i, "Member exceeds struct_size",
				      "type [%u], %u bytes at byte %u of %u", mid, mt->size, off / 8,
				      t->size);
		return 0;
	}
	default:
		break;
	}
	/* enum, ptr, array, struct, union: whole bytes */
	if (off % 8)
		return FAIL_M(i, "Member is not byte aligned", "bit %u", off);
	msize = sized(btf, mid, 0);
	at = off / 8;
	if (msize < 0 || size < at || size - at < (uint64_t)msize)
		return FAIL_M(i, "Member exceeds struct_size", "type [%u], %lld bytes at byte %llu of %u",
			      mid, (long long)msize, (unsigned long long)at, t->size);
	return 0;
}

/* One member of a struct/union with kind_flag set (bitfield size in offset). */
static int member_kflag(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
			uint32_t i, uint32_t mid, const struct btf_type *mt,
			struct btfdb_err *err)
{
	uint32_t off = btfdb_member_bit_offset(t, i), nbits = btfdb_member_bitfield_size(t, i);
	uint64_t copy, end;

	switch (btfdb_kind(mt)) {
	case BTF_KIND_INT:
		if (!int_regular(mt))
			return FAIL_M(i, "Invalid member base type", "type [%u] has %u bits at offset %u",
				      mid, btfdb_int_bits(mt), btfdb_int_offset(mt));
		if (!nbits) {
			if (off % 8)
				return FAIL_M(i, "Invalid member offset", "bit %u", off);
			nbits = btfdb_int_bits(mt);
		} else if (nbits > btfdb_int_bits(mt)) {
			return FAIL_M(i, "Invalid member bitfield_size", "%u bits of a %u-bit int",
				      nbits, btfdb_int_bits(mt));
		}
		copy = nbits + off % 8;
		if (copy > 128)
			return FAIL_M(i, "nr_copy_bits exceeds 128", "%llu", (unsigned long long)copy);
		if (t->size < off / 8 || t->size - off / 8 < BITS_ROUNDUP_BYTES(copy))
			return FAIL_M(i, "Member exceeds struct_size", "%u bits at bit %u of %u bytes",
				      nbits, off, t->size);
		return 0;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!nbits) {
			if (off % 8)
				return FAIL_M(i, "Member is not byte aligned", "bit %u", off);
			nbits = 32; /* the kernel's sizeof(int) * 8, whatever the enum's size */
		} else if (nbits > 32) {
			return FAIL_M(i, "Invalid member bitfield_size", "%u bits of an enum", nbits);
		}
		end = BITS_ROUNDUP_BYTES((uint64_t)off + nbits);
		if (t->size < end)
			return FAIL_M(i, "Member exceeds struct_size", "%u bits at bit %u of %u bytes",
				      nbits, off, t->size);
		return 0;
	default:
		if (nbits)
			return FAIL_M(i, "Invalid member bitfield_size", "%u bits of a %s", nbits,
				      btfdb_kind_name(btfdb_kind(mt)));
		return member_plain(btf, id, t, i, off, mid, mt, err);
	}
}

static int resolve_members(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
			   struct btfdb_err *err)
{
	uint32_t i;
	int ret;

	for (i = 0; i < btfdb_vlen(t); i++) {
		uint32_t mid = btfdb_members(t)[i].type;
		const struct btf_type *mt = kr_type(btf, mid);

		if (nosize(mt) || source_only(mt) || !(mt = skip_mods(btf, &mid)) || nosize(mt) ||
		    source_only(mt))
			return FAIL_M(i, "Invalid member", "type [%u] has no size",
				      btfdb_members(t)[i].type);
		ret = btfdb_kflag(t) ? member_kflag(btf, id, t, i, mid, mt, err)
				     : member_plain(btf, id, t, i, btfdb_member_bit_offset(t, i), mid,
						    mt, err);
		if (ret)
			return ret;
	}
	return 0;
}

/* ptr and modifiers: the target is void, a sized type, a fwd or a func_proto */
static int resolve_ref(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
		       struct btfdb_err *err)
{
	uint32_t tid = t->type;
	const struct btf_type *n = kr_type(btf, tid);

	if (!tid)
		return 0;
	if (!n || source_only(n))
		return FAIL("Invalid type_id", "type [%u]", tid);
	n = skip_mods(btf, &tid);
	if (n && (btfdb_kind(n) == BTF_KIND_FUNC || source_only(n)))
		return FAIL("Invalid type_id", "type [%u] is a %s", tid,
			    btfdb_kind_name(btfdb_kind(n)));
	return 0;
}

static int resolve_func_proto(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
			      struct btfdb_err *err)
{
	const struct btf_param *p = btfdb_params(t);
	uint32_t n = btfdb_vlen(t), i;
	char reason[32];

	if (t->type && sized(btf, t->type, 0) < 0)
		return FAIL("Invalid return type", "type [%u] has no size", t->type);
	if (n && !p[n - 1].type) {
		snprintf(reason, sizeof(reason), "Invalid arg#%u", n);
		if (p[n - 1].name_off)
			return FAIL(reason, "the vararg has a name");
		n--;
	}
	for (i = 0; i < n; i++) {
		snprintf(reason, sizeof(reason), "Invalid arg#%u", i + 1);
		if (sized(btf, p[i].type, 0) < 0)
			return FAIL(reason, "type [%u] has no size", p[i].type);
	}
	return 0;
}

int btfdb_kr_resolve(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
		     struct btfdb_err *err)
{
	if (btfdb_kind_is_ref(btfdb_kind(t)))
		return resolve_ref(btf, id, t, err);
	switch (btfdb_kind(t)) {
	case BTF_KIND_ARRAY:
		return resolve_array(btf, id, t, err);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return resolve_members(btf, id, t, err);
	case BTF_KIND_FUNC_PROTO:
		return resolve_func_proto(btf, id, t, err);
	}
	return 0;
}

int btfdb_kr_resolve_all(const struct btfdb_btf *btf, struct btfdb_err *err)
{
	uint32_t i;
	int ret;

	for (i = 0; i < btf->nr_types; i++) {
		uint16_t k = btf->kinds ? btf->kinds[i]
					: btfdb_kind(btfdb_flat_type(btf, i));

		if (k != BTF_KIND_ARRAY && k != BTF_KIND_STRUCT && k != BTF_KIND_UNION &&
		    k != BTF_KIND_FUNC_PROTO && k != BTF_KIND_PTR && !is_modifier(k))
			continue;
		ret = btfdb_kr_resolve(btf, btf->start_id + i, btfdb_flat_type(btf, i), err);
		if (ret)
			return ret;
	}
	return 0;
}
