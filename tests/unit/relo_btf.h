/* SPDX-License-Identifier: MIT */
/*
 * A tiny in-memory BTF writer for the relocation-core unit tests
 * (test_spec.c, test_calc.c).  Types get ids 1, 2, ... in the order they
 * are added; references to later ids are fine (BTF allows them).
 *
 *     struct bb b; bb_init(&b);
 *     uint32_t i = bb_int(&b, "int", 4, BTF_INT_SIGNED);
 *     uint32_t s = bb_struct(&b, "s", 8, 2);          // then its 2 members:
 *     bb_member(&b, "a", i, 0, 0);  bb_member(&b, "b", i, 32, 0);
 *     struct btfdb_btf *btf = bb_finish(&b);
 */
#ifndef RELO_BTF_H
#define RELO_BTF_H

#include <linux/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btfdb.h"

/* Encoders (the kernel's BTF_INFO_ENC & co. are not in the UAPI header). */
#define BB_INFO(kind, kflag, vlen) \
	((((uint32_t)(kflag) & 1) << 31) | (((uint32_t)(kind) & 0x1f) << 24) | ((vlen) & 0xffff))
#define BB_INT(enc, off, bits) (((uint32_t)(enc) << 24) | ((uint32_t)(off) << 16) | (bits))
#define BB_MEMBER_OFF(bitfield_sz, bit_off) (((uint32_t)(bitfield_sz) << 24) | (bit_off))

struct bb {
	uint32_t words[16384]; /* type section, in 32-bit words */
	size_t nw;
	char strs[16384];      /* string section; offset 0 is "" */
	size_t ns;
	uint32_t nr_types;     /* last id handed out */
	size_t last_info;      /* word index of the last struct/enum/func_proto info */
};

static inline void bb_init(struct bb *b)
{
	memset(b, 0, sizeof(*b));
	b->ns = 1;
}

static inline uint32_t bb_str(struct bb *b, const char *s)
{
	size_t n;
	uint32_t off;

	if (!s || !s[0])
		return 0;
	n = strlen(s) + 1;
	off = (uint32_t)b->ns;
	memcpy(b->strs + b->ns, s, n);
	b->ns += n;
	return off;
}

static inline uint32_t bb_w(struct bb *b, uint32_t w)
{
	b->words[b->nw++] = w;
	return w;
}

/* struct btf_type header; returns the new id. */
static inline uint32_t bb_type(struct bb *b, const char *name, uint32_t kind, uint32_t vlen,
			       int kflag, uint32_t size_or_type)
{
	bb_w(b, bb_str(b, name));
	b->last_info = b->nw;
	bb_w(b, BB_INFO(kind, kflag, vlen));
	bb_w(b, size_or_type);
	return ++b->nr_types;
}

static inline uint32_t bb_int_bits(struct bb *b, const char *name, uint32_t size, uint32_t enc,
				   uint32_t off, uint32_t bits)
{
	uint32_t id = bb_type(b, name, BTF_KIND_INT, 0, 0, size);

	bb_w(b, BB_INT(enc, off, bits));
	return id;
}
static inline uint32_t bb_int(struct bb *b, const char *name, uint32_t size, uint32_t enc)
{
	return bb_int_bits(b, name, size, enc, 0, size * 8);
}
static inline uint32_t bb_ptr(struct bb *b, uint32_t type)
{
	return bb_type(b, NULL, BTF_KIND_PTR, 0, 0, type);
}
static inline uint32_t bb_array(struct bb *b, uint32_t elem, uint32_t index_type, uint32_t nelems)
{
	uint32_t id = bb_type(b, NULL, BTF_KIND_ARRAY, 0, 0, 0);

	bb_w(b, elem);
	bb_w(b, index_type);
	bb_w(b, nelems);
	return id;
}
/* Members follow with bb_member(); kflag set means bitfield sizes are encoded. */
static inline uint32_t bb_struct_k(struct bb *b, const char *name, uint32_t size, uint32_t vlen,
				   int kflag)
{
	return bb_type(b, name, BTF_KIND_STRUCT, vlen, kflag, size);
}
static inline uint32_t bb_struct(struct bb *b, const char *name, uint32_t size, uint32_t vlen)
{
	return bb_struct_k(b, name, size, vlen, 0);
}
static inline uint32_t bb_union(struct bb *b, const char *name, uint32_t size, uint32_t vlen)
{
	return bb_type(b, name, BTF_KIND_UNION, vlen, 0, size);
}
static inline void bb_member(struct bb *b, const char *name, uint32_t type, uint32_t bit_off,
			     uint32_t bitfield_sz)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, type);
	bb_w(b, bitfield_sz ? BB_MEMBER_OFF(bitfield_sz, bit_off) : bit_off);
}
/* Enumerators follow with bb_enumval(); kflag = signed. */
static inline uint32_t bb_enum(struct bb *b, const char *name, uint32_t size, uint32_t vlen,
			       int is_signed)
{
	return bb_type(b, name, BTF_KIND_ENUM, vlen, is_signed, size);
}
static inline void bb_enumval(struct bb *b, const char *name, int32_t val)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, (uint32_t)val);
}
static inline uint32_t bb_enum64(struct bb *b, const char *name, uint32_t size, uint32_t vlen,
				 int is_signed)
{
	return bb_type(b, name, BTF_KIND_ENUM64, vlen, is_signed, size);
}
static inline void bb_enum64val(struct bb *b, const char *name, uint64_t val)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, (uint32_t)val);
	bb_w(b, (uint32_t)(val >> 32));
}
static inline uint32_t bb_typedef(struct bb *b, const char *name, uint32_t type)
{
	return bb_type(b, name, BTF_KIND_TYPEDEF, 0, 0, type);
}
static inline uint32_t bb_const(struct bb *b, uint32_t type)
{
	return bb_type(b, NULL, BTF_KIND_CONST, 0, 0, type);
}
static inline uint32_t bb_volatile(struct bb *b, uint32_t type)
{
	return bb_type(b, NULL, BTF_KIND_VOLATILE, 0, 0, type);
}
static inline uint32_t bb_fwd(struct bb *b, const char *name, int is_union)
{
	return bb_type(b, name, BTF_KIND_FWD, 0, is_union, 0);
}
static inline uint32_t bb_float(struct bb *b, const char *name, uint32_t size)
{
	return bb_type(b, name, BTF_KIND_FLOAT, 0, 0, size);
}
/* Params follow with bb_param(). */
static inline uint32_t bb_func_proto(struct bb *b, uint32_t ret, uint32_t vlen)
{
	return bb_type(b, NULL, BTF_KIND_FUNC_PROTO, vlen, 0, ret);
}
static inline void bb_param(struct bb *b, const char *name, uint32_t type)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, type);
}

/* Serialize (host byte order) and parse; NULL (and a message) on failure. */
static inline struct btfdb_btf *bb_finish(struct bb *b)
{
	struct btf_header h = {
		.magic = BTF_MAGIC,
		.version = BTF_VERSION,
		.hdr_len = sizeof(struct btf_header),
	};
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *btf = NULL;
	size_t tlen = b->nw * 4, size;
	uint8_t *raw;

	h.type_off = 0;
	h.type_len = (uint32_t)tlen;
	h.str_off = (uint32_t)tlen;
	h.str_len = (uint32_t)b->ns;
	size = sizeof(h) + tlen + b->ns;
	raw = calloc(1, size);
	if (!raw)
		return NULL;
	memcpy(raw, &h, sizeof(h));
	memcpy(raw + sizeof(h), b->words, tlen);
	memcpy(raw + sizeof(h) + tlen, b->strs, b->ns);
	if (btfdb_btf_parse(raw, size, NULL, &btf, &err))
		fprintf(stderr, "bb_finish: %s\n", err.msg);
	free(raw);
	return btf;
}

/* First type id with this exact name and kind (0 if none). */
static inline uint32_t bb_find(const struct btfdb_btf *btf, const char *name, uint32_t kind)
{
	uint32_t i, n = btfdb_btf_type_cnt(btf);

	for (i = 1; i < n; i++) {
		const struct btf_type *t = btfdb_btf_type(btf, i);
		const char *s = btfdb_btf_name(btf, i);

		if (t && s && BTF_INFO_KIND(t->info) == kind && !strcmp(s, name))
			return i;
	}
	return 0;
}

#endif /* RELO_BTF_H */
