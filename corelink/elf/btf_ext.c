/* SPDX-License-Identifier: MIT */
/*
 * Parsing .BTF.ext: the header, the func_info / line_info / core_relo
 * subsections (structure only for the first two), and the CO-RE records,
 * which become obj->relos in file order.
 *
 * Layout (all u32 in the ELF byte order, offsets relative to the END of the
 * header, i.e. data + hdr_len):
 *
 *     u16 magic = 0xEB9F, u8 version = 1, u8 flags = 0, u32 hdr_len
 *     u32 func_info_off, func_info_len, line_info_off, line_info_len
 *     u32 core_relo_off, core_relo_len            (only if hdr_len >= 32)
 *
 *     subsection := u32 rec_size, block+
 *     block      := u32 sec_name_off, u32 num_info, num_info * rec_size bytes
 *
 * The acceptance rules are libbpf's (btf_ext__new / btf_ext_setup_info):
 * a subsection of length 0 is absent and accepted; otherwise its offset is
 * 4-aligned and inside the section, it holds a rec_size that is >= the
 * minimum (func 8, line 16, core 16) and a multiple of 4, at least one
 * block (length 4 is an error), no block with num_info == 0, and no block
 * running past the subsection.  Objects in the non-host byte order must use
 * exactly the minimum rec_size (unknown trailing fields cannot be swapped).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "corelink_internal.h"

#define EXT_MAGIC 0xEB9F
#define EXT_HDR_MIN 24u      /* up to line_info_len: mandatory */
#define EXT_HDR_CORE 32u     /* up to core_relo_len */
#define CORE_RELO_SZ 16u     /* struct bpf_core_relo */

static uint32_t rd32(const uint8_t *p, bool be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static bool host_big_endian(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
}

/* One subsection as described by the header. */
struct ext_sub {
	const char *desc;     /* "func_info", "line_info", "core_relo" */
	uint32_t off, len;    /* from the header */
	uint32_t min_rec;     /* libbpf's minimum record size */
};

/* Called for every record of a subsection; rec points at rec_size bytes. */
typedef int (*ext_rec_fn)(struct corelink_obj *obj, const char *sec_name, uint32_t blk,
			  uint32_t idx, const uint8_t *rec, struct btfdb_err *err);

/* Resolve a block's section name (a string in the local .BTF). */
static const char *block_sec_name(const struct corelink_obj *obj, const struct ext_sub *s,
				  uint32_t blk, uint32_t name_off, struct btfdb_err *err)
{
	const char *name = btfdb_btf_str(obj->btf, name_off);

	if (!name || !name[0]) {
		btfdb_err_set(err, "%s: .BTF.ext %s block #%u: bad section name offset %u",
			      obj->name, s->desc, blk, name_off);
		return NULL;
	}
	return name;
}

/*
 * Validate one subsection and visit its records (fn may be NULL).
 * data/size is the whole .BTF.ext, hdr_len already validated <= size.
 */
static int walk_sub(struct corelink_obj *obj, const uint8_t *data, size_t size, uint32_t hdr_len,
		    const struct ext_sub *s, ext_rec_fn fn, struct btfdb_err *err)
{
	bool be = obj->big_endian;
	uint64_t start, left, pos;
	uint32_t rec_size, blk = 0;
	int ret;

	if (s->len == 0)
		return 0; /* absent: accepted, as libbpf does */
	if (s->off & 3) {
		btfdb_err_set(err, "%s: .BTF.ext %s offset %u is not 4-byte aligned", obj->name,
			      s->desc, s->off);
		return -EINVAL;
	}
	start = (uint64_t)hdr_len + s->off;
	if (start > size || s->len > size - start) {
		btfdb_err_set(err,
			      "%s: .BTF.ext %s (offset %u, length %u) is beyond the end of the section (%zu bytes)",
			      obj->name, s->desc, s->off, s->len, size);
		return -EINVAL;
	}
	if (s->len < 4) {
		btfdb_err_set(err, "%s: .BTF.ext %s record size not found", obj->name, s->desc);
		return -EINVAL;
	}
	rec_size = rd32(data + start, be);
	if (rec_size < s->min_rec || (rec_size & 3) ||
	    (be != host_big_endian() && rec_size != s->min_rec)) {
		btfdb_err_set(err, "%s: .BTF.ext %s has invalid record size %u (expected %s%u)",
			      obj->name, s->desc, rec_size,
			      be != host_big_endian() ? "" : "a multiple of 4, at least ",
			      s->min_rec);
		return -EINVAL;
	}
	pos = start + 4;
	left = s->len - 4;
	if (!left) {
		btfdb_err_set(err, "%s: .BTF.ext %s has no records", obj->name, s->desc);
		return -EINVAL;
	}
	while (left) {
		uint32_t name_off, num, i;
		const char *name = NULL;
		uint64_t total;

		if (left < 8) {
			btfdb_err_set(err, "%s: .BTF.ext %s block #%u: truncated block header",
				      obj->name, s->desc, blk);
			return -EINVAL;
		}
		name_off = rd32(data + pos, be);
		num = rd32(data + pos + 4, be);
		if (num == 0) {
			btfdb_err_set(err, "%s: .BTF.ext %s block #%u has num_info 0", obj->name,
				      s->desc, blk);
			return -EINVAL;
		}
		total = 8 + (uint64_t)num * rec_size;
		if (total > left) {
			btfdb_err_set(err,
				      "%s: .BTF.ext %s block #%u truncated: %u records of %u bytes, %llu bytes left",
				      obj->name, s->desc, blk, num, rec_size,
				      (unsigned long long)(left - 8));
			return -EINVAL;
		}
		if (fn) {
			name = block_sec_name(obj, s, blk, name_off, err);
			if (!name)
				return -EINVAL;
			for (i = 0; i < num; i++) {
				ret = fn(obj, name, blk, i, data + pos + 8 + (uint64_t)i * rec_size, err);
				if (ret)
					return ret;
			}
		}
		pos += total;
		left -= total;
		blk++;
	}
	return 0;
}

/* Index into obj->secs of the instruction section called name, or -1. */
static long insn_sec_by_name(const struct corelink_obj *obj, const char *name)
{
	size_t i;

	for (i = 0; i < obj->nr_secs; i++)
		if (strcmp(obj->secs[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* One CO-RE record -> obj->relos (capacity reserved by the caller). */
static int add_core_relo(struct corelink_obj *obj, const char *sec_name, uint32_t blk,
			 uint32_t idx, const uint8_t *rec, struct btfdb_err *err)
{
	bool be = obj->big_endian;
	struct cl_core_relo *r;
	long s = insn_sec_by_name(obj, sec_name);
	uint32_t insn_off = rd32(rec, be);

	if (s < 0) {
		btfdb_err_set(err,
			      "%s: .BTF.ext core_relo block #%u: section '%s' not found among the instruction sections",
			      obj->name, blk, sec_name);
		return -EINVAL;
	}
	if (insn_off % CL_INSN_SZ) {
		btfdb_err_set(err,
			      "%s: .BTF.ext: section '%s' CO-RE relo #%u: insn_off %u is not a multiple of %u",
			      obj->name, sec_name, idx, insn_off, CL_INSN_SZ);
		return -EINVAL;
	}
	if (insn_off >= obj->secs[s].size) {
		btfdb_err_set(err,
			      "%s: .BTF.ext: section '%s' CO-RE relo #%u: insn_off %u is past the end of the section (%zu bytes)",
			      obj->name, sec_name, idx, insn_off, obj->secs[s].size);
		return -EINVAL;
	}
	r = &obj->relos[obj->nr_relos++];
	r->sec = (uint32_t)s;
	r->sec_relo_idx = idx;
	r->insn_off = insn_off;
	r->type_id = rd32(rec + 4, be);
	r->access_str_off = rd32(rec + 8, be);
	r->kind = rd32(rec + 12, be);
	return 0;
}

/* Upper bound on the number of CO-RE records (len / 16), to allocate once. */
static int reserve_relos(struct corelink_obj *obj, uint32_t len)
{
	size_t cap = len / CORE_RELO_SZ + 1;

	obj->relos = calloc(cap, sizeof(*obj->relos));
	return obj->relos ? 0 : -ENOMEM;
}

int cl_btf_ext_parse(struct corelink_obj *obj, const uint8_t *data, size_t size,
		     struct btfdb_err *err)
{
	bool be = obj->big_endian;
	struct ext_sub func = { "func_info", 0, 0, 8 };
	struct ext_sub line = { "line_info", 0, 0, 16 };
	struct ext_sub core = { "core_relo", 0, 0, CORE_RELO_SZ };
	uint32_t hdr_len;
	uint16_t magic;
	int ret;

	free(obj->relos);
	obj->relos = NULL;
	obj->nr_relos = 0;

	if (size < 8) {
		btfdb_err_set(err, "%s: .BTF.ext header not found (section is %zu bytes)",
			      obj->name, size);
		return -EINVAL;
	}
	magic = be ? (uint16_t)(data[0] << 8 | data[1]) : (uint16_t)(data[1] << 8 | data[0]);
	if (magic != EXT_MAGIC) {
		if (magic == 0x9FEB)
			btfdb_err_set(err, "%s: .BTF.ext byte order differs from the ELF header's",
				      obj->name);
		else
			btfdb_err_set(err, "%s: .BTF.ext: bad magic 0x%04x (expected 0xeb9f)",
				      obj->name, magic);
		return -EINVAL;
	}
	if (data[2] != 1) {
		btfdb_err_set(err, "%s: .BTF.ext: unsupported version %u", obj->name, data[2]);
		return -ENOTSUP;
	}
	if (data[3] != 0) {
		btfdb_err_set(err, "%s: .BTF.ext: unsupported flags 0x%x", obj->name, data[3]);
		return -ENOTSUP;
	}
	hdr_len = rd32(data + 4, be);
	if (hdr_len > size) {
		btfdb_err_set(err, "%s: .BTF.ext: header length %u exceeds the section size %zu",
			      obj->name, hdr_len, size);
		return -EINVAL;
	}
	if (hdr_len == size) {
		btfdb_err_set(err, "%s: .BTF.ext has no data", obj->name);
		return -EINVAL;
	}
	if (hdr_len < EXT_HDR_MIN) {
		btfdb_err_set(err, "%s: .BTF.ext: header length %u too small (at least %u)",
			      obj->name, hdr_len, EXT_HDR_MIN);
		return -EINVAL;
	}
	obj->btf_ext_hdr_len = hdr_len;
	func.off = rd32(data + 8, be);
	func.len = rd32(data + 12, be);
	line.off = rd32(data + 16, be);
	line.len = rd32(data + 20, be);
	if (hdr_len >= EXT_HDR_CORE) {
		core.off = rd32(data + 24, be);
		core.len = rd32(data + 28, be);
	}

	ret = walk_sub(obj, data, size, hdr_len, &func, NULL, err);
	if (ret)
		return ret;
	ret = walk_sub(obj, data, size, hdr_len, &line, NULL, err);
	if (ret)
		return ret;
	/* structure first (no allocation sized by a bogus length), then records */
	ret = walk_sub(obj, data, size, hdr_len, &core, NULL, err);
	if (ret)
		return ret;
	if (core.len == 0)
		return 0;
	ret = reserve_relos(obj, core.len);
	if (ret) {
		btfdb_err_set(err, "%s: out of memory", obj->name);
		return ret;
	}
	ret = walk_sub(obj, data, size, hdr_len, &core, add_core_relo, err);
	if (ret) {
		free(obj->relos);
		obj->relos = NULL;
		obj->nr_relos = 0;
	}
	return ret;
}
