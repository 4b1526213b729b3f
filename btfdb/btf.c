/* SPDX-License-Identifier: MIT */
/*
 * Raw BTF: parse, validate, and the accessors every other part of btfdb and
 * corelink goes through (flat or database backend).
 *
 * Parsing steps (btfdb_btf_parse_owned):
 *  1. Header: magic in either byte order, version 1, hdr_len in [24, size],
 *     sections inside the blob (64-bit math), type section 4-aligned and
 *     before the string section (libbpf's rule).
 *  2. Byte order: a foreign-order blob gets a host-order copy.  Every field of
 *     the type section is a 32-bit word (struct btf_type and all per-kind
 *     records), so the copy is the header fields plus every word of the type
 *     section swapped; strings are bytes.  The original stays in raw.
 *  3. String section: ends with NUL; base BTF: non-empty and starts with NUL.
 *  4. Type walk: every record fits in the section, kinds are known.
 *  5. Per-type checks: names, referenced ids, per-kind sanity.
 *  6. Reference cycles that do not pass through a PTR or FUNC_PROTO.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btfdb_internal.h"

#define BTF_HDR_MIN_LEN ((uint32_t)sizeof(struct btf_header))

static const struct btf_type void_type; /* id 0 */

static bool host_is_big_endian(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
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
	return btf->types[id - btf->start_id];
}

/* One past the last string offset a handle (with its bases) can resolve. */
static uint64_t str_end(const struct btfdb_btf *btf)
{
	return (uint64_t)btf->str_start + btf->str_len;
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
	/* Flat and backend handles both fill the hash at construction. */
	return btf->hash;
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
	uint32_t i, j, n = btfdb_btf_type_cnt(btf);

	if (btf->base && btf->base->ptr_size > 0)
		return btf->base->ptr_size;
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btfdb_btf_type(btf, i);
		const char *name;

		if (!t || btfdb_kind(t) != BTF_KIND_INT || (t->size != 4 && t->size != 8))
			continue;
		name = btfdb_btf_name(btf, i);
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
	free(btf->raw);
	free((void *)btf->types);
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

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

/* Blob offset of a type record, for messages. */
static size_t blob_off(const struct btfdb_btf *btf, const void *p)
{
	return (size_t)((const uint8_t *)p - btf->host);
}

/* Steps 1-2: header checks and the host-order copy. *hdr_out points into host. */
static int parse_header(struct btfdb_btf *btf, const struct btf_header **hdr_out,
			struct btfdb_err *err)
{
	const uint8_t *raw = btf->raw;
	size_t size = btf->raw_size;
	struct btf_header *hdr;
	uint16_t magic;
	uint64_t meta;

	if (size < sizeof(magic)) {
		btfdb_err_set(err, "BTF: blob of %zu bytes is too short for a header", size);
		return -EINVAL;
	}
	memcpy(&magic, raw, sizeof(magic));
	if (magic == BTF_MAGIC) {
		btf->swapped = false;
	} else if (magic == __builtin_bswap16(BTF_MAGIC)) {
		btf->swapped = true;
	} else {
		btfdb_err_set(err, "BTF: bad magic 0x%02x%02x at offset 0 (expected 0xeb9f)",
			      raw[0], raw[1]);
		return -EINVAL;
	}
	btf->big_endian = host_is_big_endian() != btf->swapped;
	if (size < BTF_HDR_MIN_LEN) {
		btfdb_err_set(err, "BTF: truncated header: blob has %zu bytes, the header needs %u",
			      size, BTF_HDR_MIN_LEN);
		return -EINVAL;
	}
	if (btf->swapped) {
		btf->host = malloc(size);
		if (!btf->host) {
			btfdb_err_set(err, "BTF: out of memory for a %zu-byte host-order copy", size);
			return -ENOMEM;
		}
		memcpy(btf->host, raw, size);
		hdr = (struct btf_header *)btf->host;
		hdr->magic = BTF_MAGIC;
		hdr->hdr_len = __builtin_bswap32(hdr->hdr_len);
		hdr->type_off = __builtin_bswap32(hdr->type_off);
		hdr->type_len = __builtin_bswap32(hdr->type_len);
		hdr->str_off = __builtin_bswap32(hdr->str_off);
		hdr->str_len = __builtin_bswap32(hdr->str_len);
	} else {
		btf->host = btf->raw;
		hdr = (struct btf_header *)btf->host;
	}

	if (hdr->version != BTF_VERSION) {
		btfdb_err_set(err, "BTF: unsupported version %u at offset 2 (expected %u)",
			      hdr->version, BTF_VERSION);
		return -EINVAL;
	}
	if (hdr->hdr_len < BTF_HDR_MIN_LEN) {
		btfdb_err_set(err, "BTF: header length %u is below the minimum %u", hdr->hdr_len,
			      BTF_HDR_MIN_LEN);
		return -EINVAL;
	}
	if (hdr->hdr_len > size) {
		btfdb_err_set(err, "BTF: header length %u is past the end of the %zu-byte blob",
			      hdr->hdr_len, size);
		return -EINVAL;
	}
	if (hdr->hdr_len % 4) {
		btfdb_err_set(err, "BTF: header length %u is not a multiple of 4", hdr->hdr_len);
		return -EINVAL;
	}
	meta = size - hdr->hdr_len;
	if ((uint64_t)hdr->type_off + hdr->type_len > meta) {
		btfdb_err_set(err,
			      "BTF: type section (offset %u, length %u) is past the end of the blob "
			      "(%llu bytes after the header)",
			      hdr->type_off, hdr->type_len, (unsigned long long)meta);
		return -EINVAL;
	}
	if ((uint64_t)hdr->str_off + hdr->str_len > meta) {
		btfdb_err_set(err,
			      "BTF: string section (offset %u, length %u) is past the end of the blob "
			      "(%llu bytes after the header)",
			      hdr->str_off, hdr->str_len, (unsigned long long)meta);
		return -EINVAL;
	}
	if ((uint64_t)hdr->type_off + hdr->type_len > hdr->str_off) {
		btfdb_err_set(err,
			      "BTF: type section (offset %u, length %u) overlaps or follows the "
			      "string section (offset %u)",
			      hdr->type_off, hdr->type_len, hdr->str_off);
		return -EINVAL;
	}
	if (hdr->type_off % 4) {
		btfdb_err_set(err, "BTF: type section offset %u is not 4-byte aligned",
			      hdr->type_off);
		return -EINVAL;
	}
	if (btf->swapped) {
		uint32_t *w = (uint32_t *)(btf->host + hdr->hdr_len + hdr->type_off);
		size_t i, n = hdr->type_len / 4;

		for (i = 0; i < n; i++)
			w[i] = __builtin_bswap32(w[i]);
	}
	*hdr_out = hdr;
	return 0;
}

/* Step 3. */
static int parse_strings(struct btfdb_btf *btf, const struct btf_header *hdr,
			 struct btfdb_err *err)
{
	size_t sec = (size_t)hdr->hdr_len + hdr->str_off;

	btf->strs = (const char *)btf->host + sec;
	btf->str_len = hdr->str_len;
	if (btf->base) {
		uint64_t start = str_end(btf->base);

		if (start + hdr->str_len > UINT32_MAX) {
			btfdb_err_set(err, "BTF: split string offsets overflow 32 bits");
			return -EINVAL;
		}
		btf->str_start = (uint32_t)start;
		if (hdr->str_len == 0) /* libbpf allows split BTF without own strings */
			return 0;
	} else {
		btf->str_start = 0;
		if (hdr->str_len == 0) {
			btfdb_err_set(err, "BTF: string section is empty");
			return -EINVAL;
		}
		if (btf->strs[0]) {
			btfdb_err_set(err,
				      "BTF: string section does not start with NUL (blob offset 0x%zx)",
				      sec);
			return -EINVAL;
		}
	}
	if (btf->strs[hdr->str_len - 1]) {
		btfdb_err_set(err,
			      "BTF: string section is not NUL-terminated (last byte at blob offset "
			      "0x%zx)",
			      sec + hdr->str_len - 1);
		return -EINVAL;
	}
	return 0;
}

/* Step 4: walk the type section twice (count and check, then record). */
static int parse_types(struct btfdb_btf *btf, const struct btf_header *hdr,
		       struct btfdb_err *err)
{
	const uint8_t *sec = btf->host + hdr->hdr_len + hdr->type_off;
	uint32_t len = hdr->type_len, off = 0, n = 0;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		off = 0;
		n = 0;
		while (off < len) {
			const struct btf_type *t = (const struct btf_type *)(sec + off);
			uint32_t id = btf->start_id + n;
			uint64_t total;

			if (pass == 1) {
				btf->types[n++] = t;
				off += sizeof(*t) + btfdb_type_extra_size(t);
				continue;
			}
			if (len - off < sizeof(*t)) {
				btfdb_err_set(err,
					      "BTF: type [%u] at blob offset 0x%zx is truncated "
					      "(%u bytes left in the type section)",
					      id, blob_off(btf, t), len - off);
				return -EINVAL;
			}
			if (btfdb_kind(t) == BTF_KIND_UNKN || btfdb_kind(t) > BTF_KIND_MAX) {
				btfdb_err_set(err,
					      "BTF: type [%u] at blob offset 0x%zx has unknown kind %u",
					      id, blob_off(btf, t), btfdb_kind(t));
				return -EINVAL;
			}
			total = sizeof(*t) + (uint64_t)btfdb_type_extra_size(t);
			if (total > len - off) {
				btfdb_err_set(err,
					      "BTF: type [%u] (%s) at blob offset 0x%zx: vlen %u "
					      "needs %llu bytes, only %u left in the type section",
					      id, btfdb_kind_name(btfdb_kind(t)), blob_off(btf, t),
					      btfdb_vlen(t), (unsigned long long)total, len - off);
				return -EINVAL;
			}
			if (id == UINT32_MAX) {
				btfdb_err_set(err, "BTF: too many types");
				return -EINVAL;
			}
			off += (uint32_t)total;
			n++;
		}
		if (pass == 0) {
			btf->nr_types = n;
			btf->types = malloc((n ? n : 1) * sizeof(*btf->types));
			if (!btf->types) {
				btfdb_err_set(err, "BTF: out of memory for %u types", n);
				return -ENOMEM;
			}
		}
	}
	return 0;
}

/* Step 5 helpers.  Each returns 0 or -EINVAL with the message set. */
static int check_name(const struct btfdb_btf *btf, uint32_t id, uint32_t name_off,
		      const char *what, uint32_t idx, struct btfdb_err *err)
{
	if (name_off < str_end(btf))
		return 0;
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

static int check_ref(const struct btfdb_btf *btf, uint32_t id, uint32_t ref,
		     struct btfdb_err *err)
{
	uint32_t cnt = btfdb_btf_type_cnt(btf);

	if (ref < cnt)
		return 0;
	btfdb_err_set(err, "BTF: type [%u] references type %u past the last type %u", id, ref,
		      cnt - 1);
	return -EINVAL;
}

static int bad(const struct btf_type *t, uint32_t id, const char *what, unsigned long long v,
	       struct btfdb_err *err)
{
	btfdb_err_set(err, "BTF: type [%u] (%s): invalid %s %llu", id,
		      btfdb_kind_name(btfdb_kind(t)), what, v);
	return -EINVAL;
}

static bool has_vlen(uint16_t kind)
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

static int check_members(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
			 struct btfdb_err *err)
{
	const struct btf_member *m = btfdb_members(t);
	uint64_t bits = (uint64_t)t->size * 8;
	uint32_t i;

	for (i = 0; i < btfdb_vlen(t); i++) {
		uint64_t end = (uint64_t)btfdb_member_bit_offset(t, i) +
			       btfdb_member_bitfield_size(t, i);

		if (check_name(btf, id, m[i].name_off, "member", i, err) ||
		    check_ref(btf, id, m[i].type, err))
			return -EINVAL;
		if (end > bits) {
			btfdb_err_set(err,
				      "BTF: type [%u] (%s) member %u ends at bit %llu, past the "
				      "%u-byte size",
				      id, btfdb_kind_name(btfdb_kind(t)), i,
				      (unsigned long long)end, t->size);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_decl_tag(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
			  struct btfdb_err *err)
{
	int32_t idx = ((const struct btf_decl_tag *)(t + 1))->component_idx;
	const struct btf_type *target;
	uint32_t n = 0;

	if (check_ref(btf, id, t->type, err))
		return -EINVAL;
	if (idx < -1)
		return bad(t, id, "component_idx", (unsigned long long)(int64_t)idx, err);
	if (idx == -1)
		return 0;
	target = btfdb_btf_type(btf, t->type);
	if (btfdb_is_composite(target)) {
		n = btfdb_vlen(target);
	} else if (btfdb_kind(target) == BTF_KIND_FUNC) {
		const struct btf_type *proto = btfdb_btf_type(btf, target->type);

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

/* Step 5: one type. */
static int check_type(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
		      struct btfdb_err *err)
{
	uint16_t kind = btfdb_kind(t);
	uint32_t i;

	if (check_name(btf, id, t->name_off, NULL, 0, err))
		return -EINVAL;
	if (!has_vlen(kind) && btfdb_vlen(t))
		return bad(t, id, "vlen", btfdb_vlen(t), err);

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
				      "%u-byte size",
				      id, off, bits, t->size);
			return -EINVAL;
		}
		return 0;
	}
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return check_ref(btf, id, t->type, err);
	case BTF_KIND_ARRAY:
		return check_ref(btf, id, btfdb_array(t)->type, err) ?:
		       check_ref(btf, id, btfdb_array(t)->index_type, err);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return check_members(btf, id, t, err);
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
		if (check_ref(btf, id, t->type, err))
			return -EINVAL;
		if (btfdb_kind(btfdb_btf_type(btf, t->type)) != BTF_KIND_FUNC_PROTO) {
			btfdb_err_set(err, "BTF: type [%u] (func) references type [%u] (%s), not a "
					   "func_proto", id, t->type,
				      btfdb_kind_name(btfdb_kind(btfdb_btf_type(btf, t->type))));
			return -EINVAL;
		}
		return 0;
	case BTF_KIND_FUNC_PROTO:
		if (check_ref(btf, id, t->type, err))
			return -EINVAL;
		for (i = 0; i < btfdb_vlen(t); i++)
			if (check_name(btf, id, btfdb_params(t)[i].name_off, "param", i, err) ||
			    check_ref(btf, id, btfdb_params(t)[i].type, err))
				return -EINVAL;
		return 0;
	case BTF_KIND_VAR: {
		uint32_t linkage = ((const struct btf_var *)(t + 1))->linkage;

		if (linkage > BTF_VAR_GLOBAL_EXTERN)
			return bad(t, id, "linkage", linkage, err);
		return check_ref(btf, id, t->type, err);
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *vs = (const struct btf_var_secinfo *)(t + 1);

		for (i = 0; i < btfdb_vlen(t); i++) {
			uint16_t k;

			if (check_ref(btf, id, vs[i].type, err))
				return -EINVAL;
			k = btfdb_kind(btfdb_btf_type(btf, vs[i].type));
			if (k != BTF_KIND_VAR && k != BTF_KIND_FUNC) {
				btfdb_err_set(err, "BTF: type [%u] (datasec) entry %u references "
						   "type [%u] (%s), not a var or func",
					      id, i, vs[i].type, btfdb_kind_name(k));
				return -EINVAL;
			}
			if (t->size && (uint64_t)vs[i].offset + vs[i].size > t->size) {
				btfdb_err_set(err, "BTF: type [%u] (datasec) entry %u (offset %u, "
						   "size %u) is past the section size %u",
					      id, i, vs[i].offset, vs[i].size, t->size);
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
		return check_decl_tag(btf, id, t, err);
	}
	return 0;
}

/*
 * Step 6: the pos-th "by value" reference of t, i.e. a link whose cycle would
 * make the type infinite or a typedef/modifier chain endless.  PTR and
 * FUNC_PROTO (and FUNC, which only points at a FUNC_PROTO) have none.
 */
static bool value_edge(const struct btf_type *t, uint32_t pos, uint32_t *target)
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

/*
 * Iterative depth-first search over own types along value_edge() links with
 * the classic three colours (0 unvisited, 1 on the stack, 2 done): meeting a
 * type that is on the stack is a cycle.  Links into base BTF cannot lead back
 * (base never references split types).  Memory: one byte per type plus a
 * stack of at most nr_types frames, grown by doubling.
 */
struct dfs_frame {
	uint32_t id;  /* type being expanded */
	uint32_t pos; /* next value_edge() index to look at */
};

static int check_cycles(const struct btfdb_btf *btf, struct btfdb_err *err)
{
	uint32_t start = btf->start_id, n = btf->nr_types, root, cap = 0, sp = 0;
	struct dfs_frame *stack = NULL;
	uint8_t *color;
	int ret = 0;

	color = calloc(n ? n : 1, 1);
	if (!color) {
		btfdb_err_set(err, "BTF: out of memory for the cycle check");
		return -ENOMEM;
	}
	for (root = 0; root < n && !ret; root++) {
		if (color[root])
			continue;
		if (sp == cap) {
			struct dfs_frame *tmp;

			cap = cap ? cap * 2 : 64;
			tmp = realloc(stack, (size_t)cap * sizeof(*stack));
			if (!tmp) {
				btfdb_err_set(err, "BTF: out of memory for the cycle check");
				ret = -ENOMEM;
				break;
			}
			stack = tmp;
		}
		stack[sp++] = (struct dfs_frame){ start + root, 0 };
		color[root] = 1;
		while (sp && !ret) {
			struct dfs_frame *f = &stack[sp - 1];
			const struct btf_type *t = btf->types[f->id - start];
			uint32_t tgt;
			bool pushed = false;

			while (value_edge(t, f->pos, &tgt)) {
				f->pos++;
				if (tgt < start)
					continue;
				if (color[tgt - start] == 1) {
					btfdb_err_set(err,
						      "BTF: type [%u] (%s '%s') is in a reference cycle "
						      "(reached again from type [%u]) that does not "
						      "pass through a pointer",
						      tgt, btfdb_kind_name(btfdb_kind(btf->types[tgt - start])),
						      btfdb_btf_name(btf, tgt), f->id);
					ret = -EINVAL;
					break;
				}
				if (color[tgt - start] == 0) {
					if (sp == cap) {
						struct dfs_frame *tmp;

						cap *= 2;
						tmp = realloc(stack, (size_t)cap * sizeof(*stack));
						if (!tmp) {
							btfdb_err_set(err, "BTF: out of memory for "
									   "the cycle check");
							ret = -ENOMEM;
							break;
						}
						stack = tmp;
					}
					color[tgt - start] = 1;
					stack[sp++] = (struct dfs_frame){ tgt, 0 };
					pushed = true;
					break;
				}
			}
			if (!pushed && !ret) {
				color[stack[sp - 1].id - start] = 2;
				sp--;
			}
		}
	}
	free(stack);
	free(color);
	return ret;
}

int btfdb_btf_parse_owned(void *data, size_t size, const struct btfdb_btf *base,
			  struct btfdb_btf **out, struct btfdb_err *err)
{
	const struct btf_header *hdr;
	struct btfdb_btf *btf;
	uint32_t i;
	int ret;

	*out = NULL;
	btf = calloc(1, sizeof(*btf));
	if (!btf) {
		free(data);
		btfdb_err_set(err, "BTF: out of memory");
		return -ENOMEM;
	}
	btf->raw = data;
	btf->raw_size = size;
	btf->host = btf->raw;
	btf->base = base;
	btf->start_id = base ? btfdb_btf_type_cnt(base) : 1;

	ret = parse_header(btf, &hdr, err);
	if (!ret)
		ret = parse_strings(btf, hdr, err);
	if (!ret)
		ret = parse_types(btf, hdr, err);
	for (i = 0; !ret && i < btf->nr_types; i++)
		ret = check_type(btf, btf->start_id + i, btf->types[i], err);
	if (!ret)
		ret = check_cycles(btf, err);
	if (ret) {
		btfdb_btf_free(btf);
		return ret;
	}
	btf->ptr_size = determine_ptr_size(btf);
	btf->hash = btfdb_hash64(btf->raw, btf->raw_size);
	btf->hash_valid = true;
	*out = btf;
	return 0;
}

int btfdb_btf_parse(const void *data, size_t size, const struct btfdb_btf *base,
		    struct btfdb_btf **out, struct btfdb_err *err)
{
	void *copy = malloc(size ? size : 1);

	*out = NULL;
	if (!copy) {
		btfdb_err_set(err, "BTF: out of memory for a %zu-byte blob", size);
		return -ENOMEM;
	}
	if (size)
		memcpy(copy, data, size);
	return btfdb_btf_parse_owned(copy, size, base, out, err);
}
