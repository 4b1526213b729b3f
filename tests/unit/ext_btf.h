/* SPDX-License-Identifier: MIT */
/*
 * Writer of synthetic BTF blobs in the extended format (libbpf's newest; kernels after
 * 6.18): a 32-byte header whose last two words give a layout section, one record
 * {u8 info_sz, u8 elem_sz, u16 flags} per kind, placed between the types and the
 * strings; 7-bit kind, 24-bit vlen.  Growable (a 24-bit vlen needs megabytes).
 * Used by test_btf_layout.c and test_core_cases.c.
 */
#ifndef EXT_BTF_H
#define EXT_BTF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXT_HDR_LEN 32u
#define EXT_INFO(kind, kflag, vlen) \
	(((uint32_t)(kflag) << 31) | ((uint32_t)(kind) << 24) | ((uint32_t)(vlen) & 0xffffff))

struct ext_btf {
	uint32_t *w;      /* type section words */
	size_t nw, capw;
	char *s;          /* strings */
	size_t ns, caps;
	uint8_t layout[4 * 128];
	uint32_t nlayout; /* kinds in the layout section (0: none) */
};

static inline void ext_put(struct ext_btf *b, uint32_t word)
{
	if (b->nw == b->capw) {
		b->capw = b->capw ? 2 * b->capw : 1024;
		b->w = realloc(b->w, b->capw * 4);
	}
	b->w[b->nw++] = word;
}

static inline uint32_t ext_str(struct ext_btf *b, const char *str)
{
	size_t len = strlen(str) + 1, off;

	if (!b->ns) { /* string 0 is "" */
		b->caps = 4096;
		b->s = malloc(b->caps);
		b->s[b->ns++] = 0;
	}
	if (!*str)
		return 0;
	while (b->ns + len > b->caps) {
		b->caps *= 2;
		b->s = realloc(b->s, b->caps);
	}
	off = b->ns;
	memcpy(b->s + off, str, len);
	b->ns += len;
	return (uint32_t)off;
}

/* The layout of libbpf's kinds 0..19 (the sizes btfdb knows), then more as set. */
static inline void ext_std_layout(struct ext_btf *b, uint32_t nkinds)
{
	static const uint8_t std[20][2] = {
		{ 0, 0 }, { 4, 0 }, { 0, 0 }, { 12, 0 }, { 0, 12 }, { 0, 12 }, { 0, 8 },
		{ 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 8 },
		{ 4, 0 }, { 0, 12 }, { 0, 0 }, { 4, 0 }, { 0, 0 }, { 0, 12 },
	};

	memset(b->layout, 0, sizeof(b->layout));
	for (uint32_t k = 0; k < nkinds && k < 20; k++) {
		b->layout[4 * k] = std[k][0];
		b->layout[4 * k + 1] = std[k][1];
	}
	b->nlayout = nkinds;
}

static inline void ext_set_kind(struct ext_btf *b, uint32_t kind, uint8_t info_sz, uint8_t elem_sz)
{
	b->layout[4 * kind] = info_sz;
	b->layout[4 * kind + 1] = elem_sz;
}

/*
 * The blob (malloc'd): header (hdr_len 32, or 24 without layout fields when
 * classic_hdr), types, layout section, strings.  big_endian: every header and type
 * word swapped (a host-order blob otherwise).
 */
static inline uint8_t *ext_finish(const struct ext_btf *b, size_t *size, int classic_hdr,
				  int big_endian)
{
	uint32_t hl = classic_hdr ? 24 : EXT_HDR_LEN, tl = (uint32_t)b->nw * 4;
	uint32_t ll = classic_hdr ? 0 : b->nlayout * 4, sl = (uint32_t)b->ns;
	uint32_t hdr[8] = { 0, hl, 0, tl, tl + ll, sl, tl, ll };
	uint8_t *out = calloc(1, hl + tl + ll + sl);

	hdr[0] = 0xeb9f | (1u << 16); /* magic, version 1, flags 0 */
	if (big_endian) {
		for (int i = 1; i < 8; i++)
			hdr[i] = __builtin_bswap32(hdr[i]);
		memcpy(&hdr[0], "\xeb\x9f\x01\x00", 4); /* u16 magic, u8 version, u8 flags */
	}
	memcpy(out, hdr, hl);
	for (size_t i = 0; i < b->nw; i++) {
		uint32_t v = big_endian ? __builtin_bswap32(b->w[i]) : b->w[i];

		memcpy(out + hl + 4 * i, &v, 4);
	}
	memcpy(out + hl + tl, b->layout, ll);
	memcpy(out + hl + tl + ll, b->s, sl);
	*size = hl + tl + ll + sl;
	return out;
}

static inline void ext_free(struct ext_btf *b)
{
	free(b->w);
	free(b->s);
	memset(b, 0, sizeof(*b));
}

#endif
