// SPDX-License-Identifier: MIT
/*
 * The extended BTF format (libbpf's newest commits; kernels after 6.18): a 32-byte
 * header whose last two words give a layout section, one 4-byte record per kind
 *
 *     struct { u8 info_sz; u8 elem_sz; u16 flags; }   (kind = index in the section)
 *
 * so that a reader can size the records of kinds it does not know and skip them:
 * 12 + info_sz + vlen * elem_sz bytes.  The section sits between the type and the
 * string sections, 4-byte aligned.  In the same format a kind has 7 bits (info bits
 * 24-30) and vlen 24 (bits 0-23); btfdb_kind()/btfdb_vlen() read those widths.
 *
 * As libbpf does: records of kinds corelink knows are sized by corelink whatever the
 * section says; a kind it does not know is sized by the section (split BTF without a
 * section of its own uses its base's), its sizes must be multiples of 4, and a kind
 * neither can size is an error naming the type.  Such records are opaque: nothing in
 * them is checked or followed beyond the name, and no lookup ever matches them.  A
 * foreign-byte-order blob with such a record is refused (its fields cannot be swapped
 * without knowing them; libbpf refuses it too).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "btfdb_internal.h"

/* Header bytes that hold layout_off and layout_len. */
#define LAYOUT_FIELDS_END 32u

static uint32_t word_at(const struct btfdb_btf *btf, size_t off)
{
	uint32_t w;

	memcpy(&w, btf->raw + off, sizeof(w));
	return btf->swapped ? __builtin_bswap32(w) : w;
}

int btfdb_layout_parse(struct btfdb_btf *btf, const struct btf_header *hdr, struct btfdb_err *err)
{
	uint32_t off, len;

	btf->layout = NULL;
	btf->nr_layout = 0;
	if (hdr->hdr_len < LAYOUT_FIELDS_END)
		return 0;
	off = word_at(btf, 24);
	len = word_at(btf, 28);
	if (len == 0)
		return 0;
	if (off % 4) {
		btfdb_err_set(err, "BTF: layout section offset %u is not 4-byte aligned", off);
		return -EINVAL;
	}
	if (len % sizeof(struct btfdb_kind_layout)) {
		btfdb_err_set(err, "BTF: layout section length %u is not a multiple of %zu", len,
			      sizeof(struct btfdb_kind_layout));
		return -EINVAL;
	}
	if ((uint64_t)off < (uint64_t)hdr->type_off + hdr->type_len) {
		btfdb_err_set(err,
			      "BTF: layout section (offset %u, length %u) overlaps the type section "
			      "(offset %u, length %u)",
			      off, len, hdr->type_off, hdr->type_len);
		return -EINVAL;
	}
	if ((uint64_t)off + len > hdr->str_off) {
		btfdb_err_set(err,
			      "BTF: layout section (offset %u, length %u) overlaps or follows the "
			      "string section (offset %u)",
			      off, len, hdr->str_off);
		return -EINVAL;
	}
	btf->layout = (const struct btfdb_kind_layout *)(btf->host + hdr->hdr_len + off);
	btf->nr_layout = len / (uint32_t)sizeof(struct btfdb_kind_layout);
	return 0;
}

/* The layout section that sizes this BTF's records: its own, else its base's. */
static const struct btfdb_btf *layout_owner(const struct btfdb_btf *btf)
{
	while (btf && !btf->layout)
		btf = btf->base;
	return btf;
}

int btfdb_layout_rec_bytes(const struct btfdb_btf *btf, uint32_t id, const struct btf_type *t,
			   uint64_t *bytes, struct btfdb_err *err)
{
	const struct btfdb_btf *o = layout_owner(btf);
	uint32_t kind = btfdb_kind(t);
	const struct btfdb_kind_layout *l;
	char what[96];

	snprintf(what, sizeof(what), "BTF: type [%u] at blob offset 0x%zx has unknown kind %u", id,
		 (size_t)((const uint8_t *)t - btf->host), kind);
	if (!o) {
		btfdb_err_set(err, "%s (no layout section sizes it)", what);
		return -EINVAL;
	}
	if (kind >= o->nr_layout) {
		btfdb_err_set(err, "%s (the layout section describes %u kinds)", what, o->nr_layout);
		return -EINVAL;
	}
	l = &o->layout[kind];
	if (l->info_sz % 4 || l->elem_sz % 4) {
		btfdb_err_set(err,
			      "%s (the layout section sizes it as %u bytes plus %u per element, not "
			      "multiples of 4)",
			      what, l->info_sz, l->elem_sz);
		return -EINVAL;
	}
	if (btf->swapped) {
		btfdb_err_set(err,
			      "%s (a record of a kind corelink does not know cannot be converted from "
			      "the blob's byte order)",
			      what);
		return -EINVAL;
	}
	*bytes = sizeof(struct btf_type) + l->info_sz + (uint64_t)btfdb_vlen(t) * l->elem_sz;
	return 0;
}
