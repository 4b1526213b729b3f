/* SPDX-License-Identifier: MIT */
/*
 * Access string -> spec, following libbpf 1.1 bpf_core_parse_spec().
 *
 * An access string "0:1:2:3" on root type T is a path: the first number
 * indexes T as if the relocated pointer were an array of T, each next one
 * picks a member of a struct/union or an element of an array.  The parse
 * produces two views:
 *
 *   raw spec   every number, anonymous struct/union members included;
 *   high-level only the steps that mean something in source terms: the
 *              first index, every NAMED member and every array index.
 *
 * The target may nest anonymous members differently, so only the
 * high-level view is matched against candidates (match.c); the raw view of
 * a target is rebuilt while matching.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relo.h"

static bool str_is_empty(const char *s)
{
	return !s || !s[0];
}

bool cl_is_flex_arr(const struct btfdb_btf *btf, const struct cl_accessor *acc,
		    const struct btf_array *arr)
{
	const struct btf_type *t;

	/* not a flexible array if not reached through a named member, or sized */
	if (!acc->name || arr->nelems > 0)
		return false;
	/* it has to be the last member of the enclosing struct */
	t = btfdb_btf_type(btf, acc->type_id);
	return t && acc->idx == (uint32_t)btfdb_vlen(t) - 1;
}

/*
 * Split "0:1:2" into raw_spec[], exactly like libbpf's sscanf("%d%n") loop:
 * one optional ':' before each number, sscanf's own number syntax (leading
 * blanks and a sign are accepted), at most CL_SPEC_MAX_LEN numbers.
 * A negative index is malformed, as libbpf rejects it since 5ca5801a (after
 * 1.7.0; 1.1-1.7 read out of bounds with it), and so is one that does not
 * fit in an int (sscanf's "%d" result is undefined then), whatever the rules.
 */
static int parse_raw(const char *str, struct cl_spec *spec, struct btfdb_err *err)
{
	const char *p = str;
	long long wide;
	int val, used;

	while (*p) {
		if (*p == ':')
			p++;
		if (sscanf(p, "%d%n", &val, &used) != 1) {
			btfdb_err_set(err, "malformed access string '%s'", str);
			return -EINVAL;
		}
		errno = 0;
		wide = strtoll(p, NULL, 10);
		if (errno == ERANGE || wide > INT_MAX || wide < INT_MIN) {
			btfdb_err_set(err, "malformed access string '%s': index %.*s does not fit "
				      "in an int", str, used, p);
			return -EINVAL;
		}
		if (wide < 0) {
			btfdb_err_set(err, "malformed access string '%s': negative index %lld", str,
				      wide);
			return -EINVAL;
		}
		if (spec->raw_len == CL_SPEC_MAX_LEN) {
			btfdb_err_set(err, "access string '%s' has more than %d levels", str,
				      CL_SPEC_MAX_LEN);
			return -E2BIG;
		}
		p += used;
		spec->raw_spec[spec->raw_len++] = val;
	}
	if (spec->raw_len == 0) {
		btfdb_err_set(err, "empty access string");
		return -EINVAL;
	}
	return 0;
}

/* Enum kinds: one enumerator index on an ENUM/ENUM64 root. */
static int parse_enumval(const struct btfdb_btf *btf, const struct btf_type *t,
			 const char *str, struct cl_spec *spec, struct btfdb_err *err)
{
	int idx = spec->raw_spec[0];
	uint32_t name_off;

	if (!btfdb_is_any_enum(t) || spec->raw_len > 1 || idx < 0 || (uint32_t)idx >= btfdb_vlen(t)) {
		btfdb_err_set(err, "access string '%s' is not an enumerator of an enum", str);
		return -EINVAL;
	}
	name_off = btfdb_kind(t) == BTF_KIND_ENUM ? btfdb_enums(t)[idx].name_off
						  : btfdb_enums64(t)[idx].name_off;
	spec->spec[0].name = btfdb_btf_str(btf, name_off);
	if (!spec->spec[0].name) {
		btfdb_err_set(err, "enumerator name offset %u out of range", name_off);
		return -EINVAL;
	}
	return 0;
}

/* One struct/union member step: raw always, high-level when the member is named. */
static int step_member(const struct btfdb_btf *btf, const struct btf_type *t, uint32_t *id,
		       int idx, const char *str, struct cl_spec *spec, struct btfdb_err *err)
{
	const struct btf_member *m;
	const char *name;

	if (idx < 0 || (uint32_t)idx >= btfdb_vlen(t)) {
		btfdb_err_set(err, "access string '%s': member index %d out of range (%s has %u members)",
			      str, idx, btfdb_kind_name(btfdb_kind(t)), btfdb_vlen(t));
		return -EINVAL;
	}
	spec->bit_offset += btfdb_member_bit_offset(t, idx);
	m = btfdb_members(t) + idx;
	if (m->name_off) {
		name = btfdb_btf_str(btf, m->name_off);
		if (str_is_empty(name)) {
			btfdb_err_set(err, "access string '%s': member %d has an empty name", str, idx);
			return -EINVAL;
		}
		spec->spec[spec->len].type_id = *id;
		spec->spec[spec->len].idx = idx;
		spec->spec[spec->len].name = name;
		spec->len++;
	}
	*id = m->type;
	return 0;
}

/* One array element step: bounds unless flexible, element type becomes current. */
static int step_array(const struct btfdb_btf *btf, const struct btf_type *t, uint32_t *id,
		      int idx, const char *str, struct cl_spec *spec, struct btfdb_err *err)
{
	const struct btf_array *a = btfdb_array(t);
	bool flex;
	int64_t sz;

	if (!btfdb_skip_mods_and_typedefs(btf, a->type, id)) {
		btfdb_err_set(err, "access string '%s': bad array element type", str);
		return -EINVAL;
	}
	/* the previous high-level accessor names the member holding the array */
	flex = cl_is_flex_arr(btf, &spec->spec[spec->len - 1], a);
	if (!flex && (uint32_t)idx >= a->nelems) {
		btfdb_err_set(err, "access string '%s': array index %d out of bounds (%u elements)",
			      str, idx, a->nelems);
		return -EINVAL;
	}
	spec->spec[spec->len].type_id = *id;
	spec->spec[spec->len].idx = (uint32_t)idx;
	spec->spec[spec->len].name = NULL;
	spec->len++;

	sz = btfdb_resolve_size(btf, *id);
	if (sz < 0) {
		btfdb_err_set(err, "access string '%s': array element [%u] has no size", str, *id);
		return (int)sz;
	}
	spec->bit_offset += (uint32_t)((int64_t)idx * sz * 8);
	return 0;
}

int cl_spec_parse(const struct btfdb_btf *btf, uint32_t type_id, const char *access,
		  uint32_t kind, struct cl_spec *spec, struct btfdb_err *err)
{
	const struct btf_type *t;
	uint32_t id;
	int64_t sz;
	int i, ret;

	if (str_is_empty(access) || access[0] == ':') {
		btfdb_err_set(err, "invalid access string '%s'", access ? access : "");
		return -EINVAL;
	}

	memset(spec, 0, sizeof(*spec));
	spec->btf = btf;
	spec->root_type_id = type_id;
	spec->kind = kind;

	/* type-based relocations carry no field access: the string must be "0" */
	if (cl_kind_is_type(kind)) {
		if (strcmp(access, "0")) {
			btfdb_err_set(err, "type relocation with access string '%s' (expected \"0\")",
				      access);
			return -EINVAL;
		}
		return 0;
	}

	ret = parse_raw(access, spec, err);
	if (ret)
		return ret;

	t = btfdb_skip_mods_and_typedefs(btf, type_id, &id);
	if (!t) {
		btfdb_err_set(err, "invalid root type id %u", type_id);
		return -EINVAL;
	}
	spec->spec[0].type_id = id;
	spec->spec[0].idx = (uint32_t)spec->raw_spec[0];
	spec->len = 1;

	if (cl_kind_is_enumval(kind))
		return parse_enumval(btf, t, access, spec, err);

	if (!cl_kind_is_field(kind)) {
		btfdb_err_set(err, "unrecognized CO-RE relocation kind %u", kind);
		return -EINVAL;
	}

	/* first index: the relocated pointer used as an array of the root type */
	sz = btfdb_resolve_size(btf, id);
	if (sz < 0) {
		btfdb_err_set(err, "root type [%u] has no size", id);
		return (int)sz;
	}
	spec->bit_offset = (uint32_t)((int64_t)spec->raw_spec[0] * sz * 8);

	for (i = 1; i < spec->raw_len; i++) {
		t = btfdb_skip_mods_and_typedefs(btf, id, &id);
		if (!t) {
			btfdb_err_set(err, "access string '%s': invalid type id %u", access, id);
			return -EINVAL;
		}
		if (btfdb_is_composite(t))
			ret = step_member(btf, t, &id, spec->raw_spec[i], access, spec, err);
		else if (btfdb_kind(t) == BTF_KIND_ARRAY)
			ret = step_array(btf, t, &id, spec->raw_spec[i], access, spec, err);
		else {
			btfdb_err_set(err, "access string '%s' (at idx %d) captures type [%u] of unexpected kind %s",
				      access, i, id, btfdb_kind_name(btfdb_kind(t)));
			ret = -EINVAL;
		}
		if (ret)
			return ret;
	}
	return 0;
}
