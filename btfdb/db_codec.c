/* SPDX-License-Identifier: MIT */
/*
 * The database's position-independent type record encoding, shared by the
 * writer and the reader, plus the zlib and byte-buffer helpers.
 *
 * A record is a sequence of LEB128 varints:
 *   info, name_sid, size_or_type, then per kind:
 *     INT        encoding word
 *     ARRAY      ref(type), ref(index_type), nelems
 *     STRUCT/UNION  vlen x { name_sid, ref(type), offset }
 *     ENUM       vlen x { name_sid, val }
 *     ENUM64     vlen x { name_sid, val_lo32, val_hi32 }
 *     FUNC_PROTO vlen x { name_sid, ref(type) }
 *     VAR        linkage
 *     DATASEC    vlen x { ref(type), offset, size }
 *     DECL_TAG   component_idx
 * size_or_type is ref(type) for PTR, TYPEDEF, VOLATILE, CONST, RESTRICT,
 * FUNC, FUNC_PROTO, VAR, DECL_TAG, TYPE_TAG and the plain value otherwise.
 * ref(0) = 0 (void), ref(r) = zigzag(own_id - r) + 1: a record that points
 * at "the type just before me" encodes the same at any id, so copies of a
 * CU in non-deduplicated BTF and id-shifted builds of one series share
 * pool entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "btfdb.h"
#include "db_format.h"

int btfdb_dbuf_reserve(struct btfdb_dbuf *b, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (b->len + more <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int btfdb_dbuf_put(struct btfdb_dbuf *b, const void *data, size_t len)
{
	if (btfdb_dbuf_reserve(b, len))
		return -ENOMEM;
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

int btfdb_dbuf_varint(struct btfdb_dbuf *b, uint64_t v)
{
	if (btfdb_dbuf_reserve(b, 10))
		return -ENOMEM;
	b->len += btfdb_dbf_put_varint(b->p + b->len, v);
	return 0;
}

void btfdb_dbuf_free(struct btfdb_dbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Kinds whose size_or_type field is a type reference. */
static int kind_refs_type(unsigned kind)
{
	switch (kind) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC:
	case BTF_KIND_FUNC_PROTO: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
	case BTF_KIND_TYPE_TAG:
		return 1;
	default:
		return 0;
	}
}

static uint64_t enc_ref(uint32_t own, uint32_t ref)
{
	return ref ? btfdb_dbf_zz((int64_t)own - (int64_t)ref) + 1 : 0;
}

/* Encoding side ------------------------------------------------------- */

struct enc {
	struct btfdb_dbuf *out;
	int64_t (*name_sid)(void *ctx, uint32_t off);
	void *ctx;
	int bad;   /* a name could not be mapped */
	int nomem;
};

static void e_v(struct enc *e, uint64_t v)
{
	if (btfdb_dbuf_varint(e->out, v))
		e->nomem = 1;
}

static void e_name(struct enc *e, uint32_t off)
{
	int64_t sid = e->name_sid(e->ctx, off);

	if (sid < 0) {
		e->bad = 1;
		sid = 0;
	}
	e_v(e, (uint64_t)sid);
}

int btfdb_dbf_rec_encode(const void *tp, size_t t_size, uint32_t own_id,
			 int64_t (*name_sid)(void *ctx, uint32_t off), void *ctx,
			 struct btfdb_dbuf *out)
{
	const struct btf_type *t = tp;
	struct enc e = { out, name_sid, ctx, 0, 0 };
	unsigned kind = BTF_INFO_KIND(t->info), vlen = BTF_INFO_VLEN(t->info), i;
	const uint32_t *x = (const uint32_t *)(t + 1);
	size_t need = sizeof(*t);

	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: need += 4; break;
	case BTF_KIND_ARRAY: need += 12; break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM64:
	case BTF_KIND_DATASEC: need += 12 * (size_t)vlen; break;
	case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO: need += 8 * (size_t)vlen; break;
	default:
		if (kind == 0 || kind > BTF_KIND_ENUM64)
			return -1;
	}
	if (t_size < need)
		return -1;

	e_v(&e, t->info);
	e_name(&e, t->name_off);
	e_v(&e, kind_refs_type(kind) ? enc_ref(own_id, t->type) : t->size);
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		e_v(&e, x[0]);
		break;
	case BTF_KIND_ARRAY:
		e_v(&e, enc_ref(own_id, x[0]));
		e_v(&e, enc_ref(own_id, x[1]));
		e_v(&e, x[2]);
		break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		for (i = 0; i < vlen; i++, x += 3) {
			e_name(&e, x[0]);
			e_v(&e, enc_ref(own_id, x[1]));
			e_v(&e, x[2]);
		}
		break;
	case BTF_KIND_ENUM:
		for (i = 0; i < vlen; i++, x += 2) {
			e_name(&e, x[0]);
			e_v(&e, x[1]);
		}
		break;
	case BTF_KIND_ENUM64:
		for (i = 0; i < vlen; i++, x += 3) {
			e_name(&e, x[0]);
			e_v(&e, x[1]);
			e_v(&e, x[2]);
		}
		break;
	case BTF_KIND_FUNC_PROTO:
		for (i = 0; i < vlen; i++, x += 2) {
			e_name(&e, x[0]);
			e_v(&e, enc_ref(own_id, x[1]));
		}
		break;
	case BTF_KIND_DATASEC:
		for (i = 0; i < vlen; i++, x += 3) {
			e_v(&e, enc_ref(own_id, x[0]));
			e_v(&e, x[1]);
			e_v(&e, x[2]);
		}
		break;
	}
	if (e.nomem)
		return -ENOMEM;
	return e.bad ? -1 : 0;
}

/* Decoding side ------------------------------------------------------- */

struct dec {
	const uint8_t *p, *end;
	uint32_t own;
	int64_t (*sid_name)(void *ctx, uint64_t sid);
	void *ctx;
	int bad;
};

static uint64_t d_v(struct dec *d)
{
	uint64_t v = 0;

	if (btfdb_dbf_get_varint(&d->p, d->end, &v))
		d->bad = 1;
	return v;
}

static uint32_t d_u32(struct dec *d)
{
	uint64_t v = d_v(d);

	if (v > UINT32_MAX)
		d->bad = 1;
	return (uint32_t)v;
}

static uint32_t d_ref(struct dec *d)
{
	uint64_t v = d_v(d);
	int64_t r;

	if (!v)
		return 0;
	r = (int64_t)d->own - btfdb_dbf_unzz(v - 1);
	if (r <= 0 || r > UINT32_MAX) {
		d->bad = 1;
		return 0;
	}
	return (uint32_t)r;
}

static uint32_t d_name(struct dec *d)
{
	uint64_t sid = d_v(d);
	int64_t off;

	if (!d->sid_name)
		return 0;
	off = d->sid_name(d->ctx, sid);
	if (off < 0 || off > UINT32_MAX) {
		d->bad = 1;
		return 0;
	}
	return (uint32_t)off;
}

int btfdb_dbf_rec_decode(const uint8_t **pp, const uint8_t *end, uint32_t own_id,
			 int64_t (*sid_name)(void *ctx, uint64_t sid), void *ctx,
			 struct btfdb_dbuf *out)
{
	struct dec d = { *pp, end, own_id, sid_name, ctx, 0 };
	struct btf_type t;
	unsigned kind, vlen, i, words;
	uint32_t *x;

	t.info = d_u32(&d);
	kind = BTF_INFO_KIND(t.info);
	vlen = BTF_INFO_VLEN(t.info);
	if (d.bad || kind == 0 || kind > BTF_KIND_ENUM64)
		return -EINVAL;
	t.name_off = d_name(&d);
	if (kind_refs_type(kind))
		t.type = d_ref(&d);
	else
		t.size = d_u32(&d);

	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: words = 1; break;
	case BTF_KIND_ARRAY: words = 3; break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM64:
	case BTF_KIND_DATASEC: words = 3 * vlen; break;
	case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO: words = 2 * vlen; break;
	default: words = 0;
	}
	/* Each word takes at least one input byte: bound before allocating. */
	if ((size_t)(end - d.p) < words)
		return -EINVAL;
	if (btfdb_dbuf_reserve(out, sizeof(t) + 4 * (size_t)words))
		return -ENOMEM;
	memcpy(out->p + out->len, &t, sizeof(t));
	x = (uint32_t *)(out->p + out->len + sizeof(t));

	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		x[0] = d_u32(&d);
		break;
	case BTF_KIND_ARRAY:
		x[0] = d_ref(&d);
		x[1] = d_ref(&d);
		x[2] = d_u32(&d);
		break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		for (i = 0; i < vlen; i++, x += 3) {
			x[0] = d_name(&d);
			x[1] = d_ref(&d);
			x[2] = d_u32(&d);
		}
		break;
	case BTF_KIND_ENUM:
		for (i = 0; i < vlen; i++, x += 2) {
			x[0] = d_name(&d);
			x[1] = d_u32(&d);
		}
		break;
	case BTF_KIND_ENUM64:
		for (i = 0; i < vlen; i++, x += 3) {
			x[0] = d_name(&d);
			x[1] = d_u32(&d);
			x[2] = d_u32(&d);
		}
		break;
	case BTF_KIND_FUNC_PROTO:
		for (i = 0; i < vlen; i++, x += 2) {
			x[0] = d_name(&d);
			x[1] = d_ref(&d);
		}
		break;
	case BTF_KIND_DATASEC:
		for (i = 0; i < vlen; i++, x += 3) {
			x[0] = d_ref(&d);
			x[1] = d_u32(&d);
			x[2] = d_u32(&d);
		}
		break;
	}
	if (d.bad)
		return -EINVAL;
	out->len += sizeof(t) + 4 * (size_t)words;
	*pp = d.p;
	return 0;
}

int btfdb_dbf_rec_skip(const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;
	uint64_t info, v;
	unsigned kind, vlen, n;

	if (btfdb_dbf_get_varint(&p, end, &info) || info > UINT32_MAX)
		return -EINVAL;
	kind = BTF_INFO_KIND(info);
	vlen = BTF_INFO_VLEN(info);
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: n = 1; break;
	case BTF_KIND_ARRAY: n = 3; break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM64:
	case BTF_KIND_DATASEC: n = 3 * vlen; break;
	case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO: n = 2 * vlen; break;
	default:
		if (kind == 0 || kind > BTF_KIND_ENUM64)
			return -EINVAL;
		n = 0;
	}
	n += 2; /* name, size_or_type */
	while (n--)
		if (btfdb_dbf_get_varint(&p, end, &v))
			return -EINVAL;
	*pp = p;
	return 0;
}

int btfdb_dbf_deflate(const void *in, size_t len, uint8_t **out, uint32_t *clen)
{
	uLongf cap = compressBound(len);
	uint8_t *buf;

	*out = NULL;
	*clen = 0;
	if (!len)
		return 0;
	if (len > BTFDB_DBF_MAX_ULEN || cap > UINT32_MAX)
		return -EFBIG;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	if (compress2(buf, &cap, in, len, Z_BEST_COMPRESSION) != Z_OK) {
		free(buf);
		return -EIO;
	}
	*out = buf;
	*clen = (uint32_t)cap;
	return 0;
}

int btfdb_dbf_inflate(const void *in, size_t clen, void *out, size_t ulen)
{
	uLongf got = ulen;
	uLong src = clen;

	if (!ulen)
		return clen ? -EINVAL : 0;
	if (uncompress2(out, &got, in, &src) != Z_OK || got != ulen || src != clen)
		return -EINVAL;
	return 0;
}
