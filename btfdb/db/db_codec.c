/* SPDX-License-Identifier: MIT */
/*
 * The database's position-independent type record encoding, shared by the
 * writer and the reader, the per-kernel reference resolver, and the zlib
 * and byte-buffer helpers.
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
 * ref() is described in db_format.h: named targets by (name, relative
 * ordinal), anonymous ones by (pool id of their record, relative ordinal),
 * so a record does not change when ids shift between builds, and the copies
 * of a CU in non-deduplicated BTF (centos 8: 476 task_structs) share their
 * records because the ordinal is relative to the referrer's position.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

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


/* Words after struct btf_type for kind/vlen; -1 for an unknown kind. */
static long extra_words(unsigned kind, unsigned vlen)
{
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: return 1;
	case BTF_KIND_ARRAY: return 3;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM64:
	case BTF_KIND_DATASEC: return 3L * vlen;
	case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO: return 2L * vlen;
	default:
		return kind == 0 || kind > BTF_KIND_ENUM64 ? -1 : 0;
	}
}

/*
 * Field roles of the extra words: for word i of a per-member group of g
 * words, what it is.  'n' name, 'r' reference, 'v' plain value.
 */
static const char *extra_roles(unsigned kind, unsigned *group)
{
	*group = 1;
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: return "v";
	case BTF_KIND_ARRAY: *group = 3; return "rrv";
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: *group = 3; return "nrv";
	case BTF_KIND_ENUM: *group = 2; return "nv";
	case BTF_KIND_ENUM64: *group = 3; return "nvv";
	case BTF_KIND_FUNC_PROTO: *group = 2; return "nr";
	case BTF_KIND_DATASEC: *group = 3; return "rvv";
	default: return "";
	}
}

void btfdb_dbf_type_refs(const void *tp, void (*fn)(void *ctx, uint32_t id), void *ctx)
{
	const struct btf_type *t = tp;
	unsigned kind = BTF_INFO_KIND(t->info), vlen = BTF_INFO_VLEN(t->info), g, i;
	const uint32_t *x = (const uint32_t *)(t + 1);
	const char *roles = extra_roles(kind, &g);
	long n = extra_words(kind, vlen);

	if (n < 0)
		return;
	if (btfdb_kind_has_type(kind))
		fn(ctx, t->type);
	for (i = 0; i < (unsigned long)n; i++)
		if (roles[i % g] == 'r')
			fn(ctx, x[i]);
}

/* Encoding side ------------------------------------------------------- */

struct enc {
	struct btfdb_dbuf *out;
	int64_t (*name_sid)(void *ctx, uint32_t off);
	int (*ref)(void *ctx, uint32_t own, uint32_t id, struct btfdb_dbf_ref *r);
	void *ctx;
	uint32_t own;
	int bad;   /* something could not be represented */
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

static void e_ref(struct enc *e, uint32_t id)
{
	struct btfdb_dbf_ref r = { BTFDB_DBF_REF_VOID, 0, 0 };
	unsigned base;

	if (!id) {
		e_v(e, 0);
		return;
	}
	if (e->ref(e->ctx, e->own, id, &r) || r.key >= (1ull << 60)) {
		e->bad = 1;
		e_v(e, 0);
		return;
	}
	switch (r.tag) {
	case BTFDB_DBF_REF_DELTA:
		e_v(e, (btfdb_dbf_zz((int64_t)e->own - (int64_t)id) + 1) << 3);
		return;
	case BTFDB_DBF_REF_NAMED:
	case BTFDB_DBF_REF_ANON:
		base = r.tag == BTFDB_DBF_REF_NAMED ? 1 : 4;
		if (r.rel == 0 || r.rel == -1) {
			e_v(e, r.key << 3 | (base + (r.rel ? 1 : 0)));
		} else {
			e_v(e, r.key << 3 | (base + 2));
			e_v(e, btfdb_dbf_zz(r.rel));
		}
		return;
	default:
		e->bad = 1;
		e_v(e, 0);
	}
}

int btfdb_dbf_rec_encode(const void *tp, size_t t_size, uint32_t own_id,
			 int64_t (*name_sid)(void *ctx, uint32_t off),
			 int (*ref)(void *ctx, uint32_t own, uint32_t id, struct btfdb_dbf_ref *r),
			 void *ctx, struct btfdb_dbuf *out)
{
	const struct btf_type *t = tp;
	struct enc e = { out, name_sid, ref, ctx, own_id, 0, 0 };
	unsigned kind = BTF_INFO_KIND(t->info), vlen = BTF_INFO_VLEN(t->info), g, i;
	const uint32_t *x = (const uint32_t *)(t + 1);
	long n = extra_words(kind, vlen);
	const char *roles;

	if (n < 0 || t_size < sizeof(*t) + 4 * (size_t)n)
		return -1;
	roles = extra_roles(kind, &g);
	e_v(&e, t->info);
	e_name(&e, t->name_off);
	if (btfdb_kind_has_type(kind))
		e_ref(&e, t->type);
	else
		e_v(&e, t->size);
	for (i = 0; i < (unsigned long)n; i++) {
		switch (roles[i % g]) {
		case 'n': e_name(&e, x[i]); break;
		case 'r': e_ref(&e, x[i]); break;
		default: e_v(&e, x[i]);
		}
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
	int64_t (*resolve)(void *ctx, const struct btfdb_dbf_ref *r, uint32_t own);
	void *ctx;
	int bad;
};

static inline uint64_t d_v(struct dec *d)
{
	uint64_t v = 0;

	/* one-byte varints (most fields) inline */
	if (d->p < d->end && !(*d->p & 0x80))
		return *d->p++;
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

/* A reference; with resolve == NULL only skipped (returns 0). */
static uint32_t d_ref(struct dec *d)
{
	uint64_t v = d_v(d), t = v & 7;
	struct btfdb_dbf_ref r;
	int64_t id;

	if (!v)
		return 0;
	if (t == 7) {
		d->bad = 1;
		return 0;
	}
	r.key = v >> 3;
	r.rel = 0;
	if (t == 0) {
		r.tag = BTFDB_DBF_REF_DELTA;
		id = (int64_t)d->own - btfdb_dbf_unzz(r.key - 1);
		if (!d->resolve)
			return 0;
		if (id <= 0 || id > UINT32_MAX) {
			d->bad = 1;
			return 0;
		}
		return (uint32_t)id;
	}
	r.tag = t < 4 ? BTFDB_DBF_REF_NAMED : BTFDB_DBF_REF_ANON;
	switch ((t - 1) % 3) {
	case 1: r.rel = -1; break;
	case 2: r.rel = btfdb_dbf_unzz(d_v(d)); break;
	}
	if (!d->resolve || d->bad)
		return 0;
	id = d->resolve(d->ctx, &r, d->own);
	if (id <= 0 || id > UINT32_MAX) {
		d->bad = 1;
		return 0;
	}
	return (uint32_t)id;
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

/*
 * Decode (out != NULL) or skip (out == NULL) one record; with refw (and no
 * out), only resolve its references into the words of refw, a copy of the
 * record decoded for another id (its other words are the same).
 */
static int rec_walk(const uint8_t **pp, const uint8_t *end, uint32_t own_id,
		    int64_t (*sid_name)(void *ctx, uint64_t sid),
		    int64_t (*resolve)(void *ctx, const struct btfdb_dbf_ref *r, uint32_t own),
		    void *ctx, struct btfdb_dbuf *out, uint32_t *refw)
{
	struct dec d = { *pp, end, own_id, out ? sid_name : NULL, out || refw ? resolve : NULL,
			 ctx, 0 };
	struct btf_type t;
	unsigned kind, vlen, g, i;
	const char *roles;
	uint32_t *x = NULL;
	long n;

	t.info = d_u32(&d);
	kind = BTF_INFO_KIND(t.info);
	vlen = BTF_INFO_VLEN(t.info);
	n = extra_words(kind, vlen);
	if (d.bad || n < 0)
		return -EINVAL;
	roles = extra_roles(kind, &g);
	t.name_off = d_name(&d);
	if (btfdb_kind_has_type(kind))
		t.type = d_ref(&d);
	else
		t.size = d_u32(&d);
	if (refw) {
		/* the same record: same kind and length as the copy */
		if (btfdb_kind_has_type(kind))
			refw[2] = t.type;
		x = refw + 3;
	}
	/* Each word takes at least one input byte: bound before allocating. */
	if (d.bad || (size_t)(end - d.p) < (size_t)n)
		return -EINVAL;
	if (out) {
		if (btfdb_dbuf_reserve(out, sizeof(t) + 4 * (size_t)n))
			return -ENOMEM;
		memcpy(out->p + out->len, &t, sizeof(t));
		x = (uint32_t *)(out->p + out->len + sizeof(t));
	}
	for (i = 0; i < (unsigned long)n && !d.bad; i++) {
		uint32_t w;

		switch (roles[i % g]) {
		case 'n': w = d_name(&d); break;
		case 'r':
			w = d_ref(&d);
			if (refw)
				x[i] = w;
			break;
		default: w = d_u32(&d);
		}
		if (out)
			x[i] = w;
	}
	if (d.bad)
		return -EINVAL;
	if (out)
		out->len += sizeof(t) + 4 * (size_t)n;
	*pp = d.p;
	return 0;
}

int btfdb_dbf_rec_decode(const uint8_t **pp, const uint8_t *end, uint32_t own_id,
			 int64_t (*sid_name)(void *ctx, uint64_t sid),
			 int64_t (*resolve)(void *ctx, const struct btfdb_dbf_ref *r, uint32_t own),
			 void *ctx, struct btfdb_dbuf *out)
{
	return rec_walk(pp, end, own_id, sid_name, resolve, ctx, out, NULL);
}

int btfdb_dbf_rec_refs(const uint8_t **pp, const uint8_t *end, uint32_t own_id,
		       int64_t (*resolve)(void *ctx, const struct btfdb_dbf_ref *r, uint32_t own),
		       void *ctx, uint32_t *w)
{
	return rec_walk(pp, end, own_id, NULL, resolve, ctx, NULL, w);
}

/* A varint with the one-byte case inline (rec_skip's hot path). */
static inline int sk_v(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	if (*pp < end && !(**pp & 0x80)) {
		*v = *(*pp)++;
		return 0;
	}
	return btfdb_dbf_get_varint(pp, end, v);
}

/*
 * Skip a varint without its value: what get_varint accepts (a byte without
 * the continuation bit within 10 bytes and before end).
 */
static inline int sk_skip(const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp, *lim = end - p > 10 ? p + 10 : end;

	while (p < lim && (*p & 0x80))
		p++;
	if (p == lim)
		return -1;
	*pp = p + 1;
	return 0;
}

/* A u32 varint: short ones (<= 4 bytes, < 2^28) need no value. */
static inline int sk_u32(const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;
	uint64_t v;

	if (end - p >= 4 && !((p[0] & p[1] & p[2] & 0x80) && (p[3] & 0x80))) {
		if (!(p[0] & 0x80))
			*pp = p + 1;
		else if (!(p[1] & 0x80))
			*pp = p + 2;
		else if (!(p[2] & 0x80))
			*pp = p + 3;
		else
			*pp = p + 4;
		return 0;
	}
	return sk_v(pp, end, &v) || v > UINT32_MAX ? -1 : 0;
}

/*
 * Skip a reference: what d_ref checks without a resolver.  The tag is the
 * low 3 bits of the first byte; v == 0 has tag 0; tag 7 is bad; tags 3 and
 * 6 carry one more varint.
 */
static inline int sk_ref(const uint8_t **pp, const uint8_t *end)
{
	unsigned t;

	if (*pp >= end)
		return -1;
	t = **pp & 7;
	if (sk_skip(pp, end) || t == 7)
		return -1;
	return t == 3 || t == 6 ? sk_skip(pp, end) : 0;
}

/*
 * Skip one record: accepts exactly what rec_walk(out = NULL) accepts (same
 * varint, u32 and tag checks), without its per-field indirections.
 */
int btfdb_dbf_rec_skip(const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;
	uint64_t v;
	unsigned kind, vlen, g, i, r;
	const char *roles;
	long n;

	if (sk_v(&p, end, &v) || v > UINT32_MAX)
		return -EINVAL;
	kind = BTF_INFO_KIND((uint32_t)v);
	vlen = BTF_INFO_VLEN((uint32_t)v);
	n = extra_words(kind, vlen);
	if (n < 0)
		return -EINVAL;
	roles = extra_roles(kind, &g);
	if (sk_skip(&p, end)) /* name */
		return -EINVAL;
	if (btfdb_kind_has_type(kind)) {
		if (sk_ref(&p, end))
			return -EINVAL;
	} else if (sk_v(&p, end, &v) || v > UINT32_MAX) {
		return -EINVAL;
	}
	if ((size_t)(end - p) < (size_t)n)
		return -EINVAL;
	for (i = 0, r = 0; i < (unsigned long)n; i++) {
		switch (roles[r]) {
		case 'n':
			if (sk_skip(&p, end))
				return -EINVAL;
			break;
		case 'r':
			if (sk_ref(&p, end))
				return -EINVAL;
			break;
		default:
			if (sk_u32(&p, end))
				return -EINVAL;
		}
		if (++r == g)
			r = 0;
	}
	*pp = p;
	return 0;
}

int64_t btfdb_dbf_rec_name(const uint8_t *p, const uint8_t *end)
{
	uint64_t info, sid;

	if (btfdb_dbf_get_varint(&p, end, &info) || btfdb_dbf_get_varint(&p, end, &sid) ||
	    sid > INT64_MAX)
		return -1;
	return (int64_t)sid;
}

/* Resolver -------------------------------------------------------------- */

/*
 * Counting sort of the type ids by pool id, indexed directly by pool id
 * over [lo, hi]: seq is mostly ascending runs, so this walks memory almost
 * sequentially (a hash would scatter it).
 */
int btfdb_dbf_res_init(struct btfdb_dbf_res *r, const uint32_t *seq, uint32_t n)
{
	uint32_t i, lo = UINT32_MAX, hi = 0;
	size_t range;

	r->seq = seq;
	r->n = n;
	for (i = 0; i < n; i++) {
		if (seq[i] < lo)
			lo = seq[i];
		if (seq[i] > hi)
			hi = seq[i];
	}
	if (!n)
		lo = hi = 0;
	range = (size_t)hi - lo + 1;
	r->lo = lo;
	r->hi = hi;
	r->start = calloc(range + 2, sizeof(uint32_t));
	r->tids = malloc(((size_t)n + 1) * sizeof(uint32_t));
	if (!r->start || !r->tids) {
		btfdb_dbf_res_free(r);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		r->start[seq[i] - lo + 2]++;
	for (i = 2; i < range + 2; i++)
		r->start[i] += r->start[i - 1];
	/* fill in id order: each group comes out ascending; afterwards
	 * start[p - lo] is the group's start and start[p - lo + 1] its end */
	for (i = 0; i < n; i++)
		r->tids[r->start[seq[i] - lo + 1]++] = i + 1;
	return 0;
}

void btfdb_dbf_res_free(struct btfdb_dbf_res *r)
{
	free(r->tids);
	free(r->start);
	r->tids = r->start = NULL;
}

const uint32_t *btfdb_dbf_res_pid(const struct btfdb_dbf_res *r, uint64_t pid, uint32_t *n)
{
	*n = 0;
	if (!r->n || pid < r->lo || pid > r->hi)
		return NULL;
	*n = r->start[pid - r->lo + 1] - r->start[pid - r->lo];
	return r->tids + r->start[pid - r->lo];
}

uint32_t btfdb_dbf_lower(const uint32_t *a, uint32_t n, uint32_t v)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int64_t btfdb_dbf_res_resolve(void *res, const struct btfdb_dbf_ref *ref, uint32_t own)
{
	struct btfdb_dbf_res *r = res;
	const uint32_t *l;
	uint32_t n = 0;
	int64_t at;

	if (ref->tag == BTFDB_DBF_REF_ANON) {
		if (r->pid_ids) {
			if (r->pid_ids(r->ctx, ref->key, &l, &n))
				return -1;
		} else {
			l = btfdb_dbf_res_pid(r, ref->key, &n);
		}
	} else if (ref->tag == BTFDB_DBF_REF_NAMED) {
		if (!r->named || r->named(r->ctx, ref->key, &l, &n))
			return -1;
	} else {
		return -1;
	}
	at = (int64_t)btfdb_dbf_lower(l, n, own) + ref->rel;
	if (at < 0 || at >= n)
		return -1;
	return l[at];
}

/* One raw deflate stream of all of in at (level, strategy): malloc'd *out, *clen bytes. */
static int deflate_with(const void *in, size_t len, int level, int strategy, uint8_t **out,
			uint32_t *clen)
{
	z_stream z;
	uLong cap;
	uint8_t *buf;
	int ret;

	memset(&z, 0, sizeof(z));
	/* raw deflate (windowBits < 0): no zlib header or Adler-32 trailer -
	 * every block carries an XXH3 checksum already */
	if (deflateInit2(&z, level, Z_DEFLATED, -15, 9, strategy) != Z_OK)
		return -ENOMEM;
	/* deflateBound undercounts tiny stored streams (5 bytes -> bound 9) */
	cap = deflateBound(&z, len) + 64;
	if (cap > UINT32_MAX) {
		deflateEnd(&z);
		return -EFBIG;
	}
	buf = malloc(cap);
	if (!buf) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	ret = deflate(&z, Z_FINISH);
	deflateEnd(&z);
	if (ret != Z_STREAM_END) {
		free(buf);
		return -EIO;
	}
	*out = buf;
	*clen = (uint32_t)z.total_out;
	return 0;
}

/*
 * Readers inflate a block per lookup, and small blocks dominate: for a
 * block of a few KiB, building the decoding tables of a dynamic-Huffman
 * deflate block costs a reader ~15-20K instructions, about as much as
 * decoding the data.  So the writer trades a few bytes for reader time:
 * fixed Huffman codes (no tables to build) when they cost at most
 * FIXED_SLACK bytes more than the best dynamic encoding, and a stored
 * block (a plain copy) when it costs at most STORED_SLACK bytes more than
 * either.  Measured on the 30 BTFHub kernels: ~70% of the blocks become
 * fixed or stored for +3% of file size.  Any of the three is an ordinary
 * RFC 1951 stream; readers do not know or care which one was used.
 */
#define FIXED_SLACK 128
#define STORED_SLACK 32
/*
 * A block larger than this (in practice a kernel stored raw: a whole blob
 * of several MB) is deflated once, at zlib's default level: that choice is
 * for small blocks, and level 9 twice cost 11.7 s on a 5.3 MB raw kernel
 * against 1.2 s at level 6 for 0.5% more bytes (the build spent 86% of its
 * time in zlib's longest_match).
 */
#define BIG_BLOCK 65536

int btfdb_dbf_deflate(const void *in, size_t len, uint8_t **out, uint32_t *clen)
{
	uint8_t *best, *alt;
	uint32_t blen, alen;
	int ret;

	*out = NULL;
	*clen = 0;
	if (!len)
		return 0;
	if (len > BTFDB_DBF_MAX_ULEN)
		return -EFBIG;
	if (len > BIG_BLOCK)
		return deflate_with(in, len, Z_DEFAULT_COMPRESSION, Z_DEFAULT_STRATEGY, out, clen);
	if ((ret = deflate_with(in, len, Z_BEST_COMPRESSION, Z_DEFAULT_STRATEGY, &best, &blen)))
		return ret;
	if ((ret = deflate_with(in, len, Z_BEST_COMPRESSION, Z_FIXED, &alt, &alen))) {
		free(best);
		return ret;
	}
	if (alen <= (uint64_t)blen + FIXED_SLACK) {
		free(best);
		best = alt;
		blen = alen;
	} else {
		free(alt);
	}
	/* one stored block: 5 header bytes + the data (up to 65535 bytes) */
	if (len <= 65535 && len + 5 <= (uint64_t)blen + STORED_SLACK) {
		if ((ret = deflate_with(in, len, 0, Z_DEFAULT_STRATEGY, &alt, &alen))) {
			free(best);
			return ret;
		}
		free(best);
		best = alt;
		blen = alen;
	}
	*out = best;
	*clen = blen;
	return 0;
}

int btfdb_dbf_inflate(const void *in, size_t clen, void *out, size_t ulen)
{
	z_stream z;
	int ret;

	if (!ulen)
		return clen ? -EINVAL : 0;
	if (clen > UINT32_MAX || ulen > UINT32_MAX)
		return -EINVAL;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)clen;
	z.next_out = out;
	z.avail_out = (uInt)ulen;
	ret = inflate(&z, Z_FINISH);
	/* exactly ulen bytes out, every input byte consumed, stream complete */
	if (ret != Z_STREAM_END || z.avail_out || z.avail_in)
		ret = -EINVAL;
	else
		ret = 0;
	inflateEnd(&z);
	return ret;
}

uint64_t btfdb_dbf_entry_csum(const struct btfdb_dbf_kernel *e, const char *name)
{
	struct btfdb_dbf_kernel c = *e;
	XXH3_state_t st;

	c.ent_csum = 0;
	XXH3_64bits_reset(&st);
	XXH3_64bits_update(&st, &c, sizeof(c));
	XXH3_64bits_update(&st, name, strlen(name) + 1);
	return XXH3_64bits_digest(&st);
}
