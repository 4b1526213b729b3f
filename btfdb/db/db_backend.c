/* SPDX-License-Identifier: MIT */
/*
 * Reading a btfdb database: lazy per-kernel BTF and index backends.
 *
 * A backend BTF handle maps type id -> pool id through the kernel's seq
 * blocks, decodes the pool record for that id (name_off := sid) and caches
 * it.  References resolve through the kernel's resolver (db_kres.c).  The
 * backend index maps an essential name to sids through the shared name
 * index, then sids to type ids the same way.  Chains of
 * typedefs/modifiers/arrays/vars are checked to end within 64 links when a
 * type is first handed out, so a crafted file cannot make callers loop;
 * verify re-parses every kernel with the full flat checks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "index_internal.h"
#include "db_read_internal.h"

/* ---- BTF backend ---- */

/* A decoded type id: the record and whether its chain check passed. */
struct dtype {
	const struct btf_type *t;
	uint8_t chk;
};

/*
 * A pool record decoded once per kernel (a non-deduplicated kernel such as
 * CentOS 8 has 476 copies of task_struct, one record): its first id's
 * decoded words; another id of the same record gets a copy with only its
 * references resolved again.
 */
struct dtpl {
	const uint32_t *w;
	uint32_t len;                  /* bytes */
};

struct dbk {
	struct btfdb_db *db;
	const struct btfdb_dbf_kernel *e;
	struct kres kr;                /* resolver (set up on first use) */
	/*
	 * Decoded types by id (struct dtype).  A lookup decodes a few
	 * thousand of a kernel's ids spread over all of them (centos 8:
	 * 3,284 of 561,977), so an array indexed by id touched a fresh page
	 * for most of them, and a page fault costs more than a probe.
	 */
	struct btfdb_u32map types;
	struct btfdb_u32map tpls;      /* pool id + 1 -> struct dtpl */
	struct btfdb_dbuf *chunks;     /* storage of decoded types */
	uint32_t nchunks, capchunks;
	uint32_t **results;            /* index lookup results (freed with ctx) */
	uint32_t nres, capres;
	int refs;                      /* btf + index handles sharing this ctx */
	struct btfdb_err err;          /* last error (backend ops cannot report) */
};

static void dbk_put(void *c)
{
	struct dbk *k = c;
	uint32_t i;

	if (!k || --k->refs > 0)
		return;
	btfdb_dbr_kres_free(&k->kr);
	btfdb_u32map_free(&k->types);
	btfdb_u32map_free(&k->tpls);
	for (i = 0; i < k->nchunks; i++)
		btfdb_dbuf_free(&k->chunks[i]);
	free(k->chunks);
	for (i = 0; i < k->nres; i++)
		free(k->results[i]);
	free(k->results);
	free(k);
}

static int dbk_ready(struct dbk *k)
{
	if (k->kr.ok)
		return 0;
	btfdb_dbr_kres_free(&k->kr);
	return btfdb_dbr_kres_init_lazy(&k->kr, k->db, k->e, &k->err);
}

static int64_t id_sid_name(void *c, uint64_t sid)
{
	struct dbk *k = c;

	return sid < k->db->h.nr_strings ? (int64_t)sid : -1;
}

static int64_t dbk_resolve(void *c, const struct btfdb_dbf_ref *r, uint32_t own)
{
	struct dbk *k = c;
	int64_t id = btfdb_dbf_res_resolve(&k->kr.res, r, own);

	/* an anonymous target's record is the key: its seq block is not needed */
	if (id > 0 && r->tag == BTFDB_DBF_REF_ANON && !btfdb_u32map_get(&k->types, (uint32_t)id) &&
	    btfdb_dbr_kres_hint(&k->kr, (uint32_t)id, (uint32_t)r->key))
		return -1;
	return id;
}

/* Every type reference of a decoded record must be a valid id. */
static bool refs_in_range(const struct btf_type *t, uint32_t max)
{
	unsigned kind = btfdb_kind(t), vlen = btfdb_vlen(t), i;
	const uint32_t *x = (const uint32_t *)(t + 1);

	if (btfdb_kind_has_type(kind) && t->type > max)
		return false;
	switch (kind) {
	case BTF_KIND_FUNC_PROTO:
		for (i = 0; i < vlen; i++)
			if (x[2 * i + 1] > max)
				return false;
		return true;
	case BTF_KIND_ARRAY:
		return x[0] <= max && x[1] <= max;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		for (i = 0; i < vlen; i++)
			if (x[3 * i + 1] > max)
				return false;
		return true;
	case BTF_KIND_DATASEC:
		for (i = 0; i < vlen; i++)
			if (x[3 * i] > max)
				return false;
		return true;
	default:
		return true;
	}
}

#define CHUNK_SIZE (256 * 1024)
#define CHAIN_MAX 64

/* The decoded type id (NULL when not yet). */
static const struct btf_type *tget(const struct dbk *k, uint32_t id)
{
	const struct dtype *d = btfdb_u32map_get(&k->types, id);

	return d ? d->t : NULL;
}

static bool tchecked(const struct dbk *k, uint32_t id)
{
	const struct dtype *d = btfdb_u32map_get(&k->types, id);

	return d && d->chk;
}

/* Record t as type id, or its chain check passed (t = NULL). */
static int tput(struct dbk *k, uint32_t id, const struct btf_type *t)
{
	struct dtype *d = btfdb_u32map_put(&k->types, id);

	if (!d)
		return -ENOMEM;
	if (t)
		d->t = t;
	else
		d->chk = 1;
	return 0;
}

/* Room for a record of up to max bytes in the last chunk (a new chunk when full). */
static struct btfdb_dbuf *chunk_for(struct dbk *k, size_t max)
{
	struct btfdb_dbuf *ch;

	if (k->nchunks && k->chunks[k->nchunks - 1].len + max <= CHUNK_SIZE)
		return &k->chunks[k->nchunks - 1];
	if (k->nchunks == k->capchunks) {
		uint32_t cap = k->capchunks ? 2 * k->capchunks : 16;
		struct btfdb_dbuf *n = realloc(k->chunks, cap * sizeof(*n));

		if (!n)
			return NULL;
		k->chunks = n;
		k->capchunks = cap;
	}
	ch = &k->chunks[k->nchunks++];
	memset(ch, 0, sizeof(*ch));
	if (btfdb_dbuf_reserve(ch, CHUNK_SIZE > max ? CHUNK_SIZE : max)) {
		k->nchunks--;
		return NULL;
	}
	return ch;
}

/*
 * Decode and cache type id (no chain check).  The first id of a pool record
 * is decoded in full (and is the record's template); any other id of the
 * same record is a copy of it with its own references resolved.
 */
static const struct btf_type *dbk_decode(struct dbk *k, uint32_t id)
{
	const uint8_t *p, *end;
	struct btfdb_dbuf *ch;
	const struct btf_type *t;
	struct dtpl *tp;
	uint32_t pid, *w;
	size_t start;
	int ret;

	if ((t = tget(k, id)))
		return t;
	if (dbk_ready(k) || btfdb_dbr_kres_fwd(&k->kr, id, &pid) ||
	    btfdb_dbr_pool_rec(k->db, pid, &p, &end, &k->err))
		return NULL;
	tp = btfdb_u32map_get(&k->tpls, pid + 1);
	/* records decode to at most 4 bytes per input byte + header */
	if (!(ch = chunk_for(k, tp ? tp->len : (size_t)(end - p) * 4 + 16))) {
		btfdb_err_set(&k->err, "out of memory");
		return NULL;
	}
	start = ch->len;
	w = (uint32_t *)(ch->p + start);
	if (tp) {
		memcpy(w, tp->w, tp->len);
		ch->len += tp->len;
		ret = btfdb_dbf_rec_refs(&p, end, id, dbk_resolve, k, w);
	} else {
		k->db->type_decodes++;
		ret = btfdb_dbf_rec_decode(&p, end, id, id_sid_name, dbk_resolve, k, ch);
	}
	if (ret || p != end) {
		btfdb_err_set(&k->err, "database corrupt: type %u does not decode", id);
		ch->len = start;
		return NULL;
	}
	t = (const struct btf_type *)w;
	if (!refs_in_range(t, k->e->nr_types)) {
		btfdb_err_set(&k->err, "database corrupt: type %u refers past the last type", id);
		return NULL;
	}
	if (!tp && (tp = btfdb_u32map_put(&k->tpls, pid + 1))) {
		tp->w = w;
		tp->len = (uint32_t)(ch->len - start);
	}
	if (!tp || tput(k, id, t)) {
		btfdb_err_set(&k->err, "out of memory");
		return NULL;
	}
	return t;
}

/* The single by-value link of t (modifier, typedef, array, var, tag); 0 = none. */
static uint32_t chain_next(const struct btf_type *t)
{
	switch (btfdb_kind(t)) {
	case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		return t->type;
	case BTF_KIND_ARRAY:
		return ((const struct btf_array *)(t + 1))->type;
	default:
		return 0;
	}
}

static const struct btf_type *dbk_type(void *c, uint32_t id)
{
	struct dbk *k = c;
	const struct btf_type *t, *u;
	uint32_t cur, n;

	if (!id || id > k->e->nr_types)
		return NULL;
	t = dbk_decode(k, id);
	if (!t || tchecked(k, id))
		return t;
	/* the chain from id must end (or reach a checked type) within CHAIN_MAX */
	for (cur = chain_next(t), n = 0; cur && !tchecked(k, cur); n++) {
		if (cur == id || n >= CHAIN_MAX) {
			btfdb_err_set(&k->err, "database corrupt: type %u starts a reference cycle "
				      "or a chain longer than %d", id, CHAIN_MAX);
			return NULL;
		}
		if (!(u = dbk_decode(k, cur)))
			return NULL;
		cur = chain_next(u);
	}
	if (tput(k, id, NULL)) {
		btfdb_err_set(&k->err, "out of memory");
		return NULL;
	}
	return t;
}

static const char *dbk_str(void *c, uint32_t off)
{
	struct dbk *k = c;
	const char *s = btfdb_dbr_str_cached(k->db, off);

	return s ? s : btfdb_dbr_str(k->db, off, &k->err);
}

static const char *dbk_error(void *c)
{
	struct dbk *k = c;

	return k->err.msg[0] ? k->err.msg : NULL;
}

static size_t dbk_lookup(void *c, const char *name, size_t len, const uint32_t **out);

static const struct btfdb_backend_ops dbk_btf_ops = {
	.type = dbk_type,
	.str = dbk_str,
	.free = dbk_put,
	.error = dbk_error,
	.named = dbk_lookup,
};

/* ---- index backend ---- */

static size_t dbk_lookup(void *c, const char *name, size_t len, const uint32_t **out)
{
	struct dbk *k = c;
	struct btfdb_db *db = k->db;
	uint64_t h = btfdb_hash64(name, len);
	uint32_t group = (uint32_t)h & (db->h.gidx_groups - 1), b = group / db->h.gidx_gpb;
	uint32_t gi = group % db->h.gidx_gpb, *ids = NULL;
	uint16_t fp = (uint16_t)(h >> 48);
	struct cblk *cb;
	const uint8_t *p, *end;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (dbk_ready(k) || !(cb = btfdb_dbr_blk_get(db, db->h.gidx_tab + (uint64_t)b *
						   sizeof(struct btfdb_dbf_blockref), &k->err)))
		return 0;
	if (!cb->ok) {
		struct btfdb_dbf_blockref r;
		uint32_t hdr = 4 * (db->h.gidx_gpb + 1), i, o[2];

		if (btfdb_dbr_shared_ref(db, db->h.gidx_tab, b, &r, &k->err) ||
		    btfdb_dbr_inflate(db, &r, &cb->data, &k->err))
			return 0;
		for (i = 0; i < db->h.gidx_gpb && r.ulen >= hdr; i++) {
			memcpy(o, cb->data + 4 * i, 8);
			if (o[0] < hdr || o[0] > o[1] || o[1] > r.ulen)
				break;
		}
		if (i != db->h.gidx_gpb) {
			free(cb->data);
			cb->data = NULL;
			btfdb_err_set(&k->err, "database corrupt: name index block %u", b);
			return 0;
		}
		cb->ok = true;
	}
	{
		uint32_t o[2];

		memcpy(o, cb->data + 4 * gi, 8);
		p = cb->data + o[0];
		end = cb->data + o[1];
	}
	while (p < end) {
		uint16_t efp;
		uint64_t esid, cnt, v, sid = 0, i;
		bool match = false;

		if (end - p < 2)
			goto bad;
		memcpy(&efp, p, 2);
		p += 2;
		if (btfdb_dbf_get_varint(&p, end, &esid) || btfdb_dbf_get_varint(&p, end, &cnt) ||
		    cnt > (uint64_t)(end - p))
			goto bad;
		if (efp == fp) {
			const char *s = btfdb_dbr_str(db, esid, &k->err);

			if (!s)
				goto fail;
			match = strlen(s) == len && !memcmp(s, name, len);
		}
		for (i = 0; i < cnt; i++) {
			const uint32_t *l;
			uint32_t ln;

			if (btfdb_dbf_get_varint(&p, end, &v))
				goto bad;
			sid = i ? sid + v + 1 : (uint64_t)((int64_t)esid + btfdb_dbf_unzz(v));
			if (sid >= db->h.nr_strings || !sid)
				goto bad;
			if (!match)
				continue;
			if (btfdb_dbr_kres_named(&k->kr, sid, &l, &ln))
				goto fail;
			if (n + ln > cap) {
				size_t c2 = cap ? cap : 16;
				uint32_t *m;

				while (c2 < n + ln)
					c2 *= 2;
				m = realloc(ids, c2 * sizeof(uint32_t));
				if (!m)
					goto fail;
				ids = m;
				cap = c2;
			}
			if (ln) /* l may be NULL for an empty list */
				memcpy(ids + n, l, (size_t)ln * sizeof(uint32_t));
			n += ln;
		}
		if (match)
			break;
	}
	if (!n) {
		free(ids);
		return 0;
	}
	qsort(ids, n, sizeof(*ids), btfdb_dbr_u32_cmp);
	if (k->nres == k->capres) {
		uint32_t c2 = k->capres ? 2 * k->capres : 16;
		uint32_t **r = realloc(k->results, c2 * sizeof(*r));

		if (!r)
			goto fail;
		k->results = r;
		k->capres = c2;
	}
	k->results[k->nres++] = ids;
	*out = ids;
	return n;
bad:
	btfdb_err_set(&k->err, "database corrupt: name index group %u", group);
fail:
	free(ids);
	return 0;
}

static const struct btfdb_index_ops dbk_index_ops = {
	.lookup = dbk_lookup,
	.free = dbk_put,
};

int btfdb_db_kernel_btf(struct btfdb_db *db, uint32_t k, struct btfdb_btf **btf,
			struct btfdb_index **idx, struct btfdb_err *err)
{
	const struct btfdb_dbf_kernel *e;
	struct btfdb_btf *flat;
	struct dbk *c;
	int ret;

	*btf = NULL;
	if (idx)
		*idx = NULL;
	if (k >= db->h.nr_kernels) {
		btfdb_err_set(err, "kernel %u out of range", k);
		return -ENOENT;
	}
	if (!(e = btfdb_dbr_kent(db, k, err)))
		return -EINVAL;
	if (e->flags & BTFDB_DBF_K_RAW) {
		/* stored whole: parse it flat */
		void *data;
		size_t size;

		ret = btfdb_db_extract(db, k, &data, &size, err);
		if (ret)
			return ret;
		ret = btfdb_btf_parse_owned(data, size, NULL, &flat, err);
		if (ret)
			return ret;
		if (idx && (ret = btfdb_index_build(flat, idx, err))) {
			btfdb_btf_free(flat);
			return ret;
		}
		*btf = flat;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto nomem;
	c->db = db;
	c->e = e;
	c->refs = 1;
	if (btfdb_u32map_init(&c->types, sizeof(struct dtype), 1024) ||
	    btfdb_u32map_init(&c->tpls, sizeof(struct dtpl), 256)) {
		dbk_put(c);
		goto nomem;
	}
	if (idx)
		c->refs++;
	ret = btfdb_btf_new_backend(&dbk_btf_ops, c, e->nr_types, e->blob_hash,
				    e->flags & BTFDB_DBF_K_BIG_ENDIAN, btf, err);
	if (ret) {
		if (idx)
			dbk_put(c);
		return ret;
	}
	if (idx) {
		ret = btfdb_index_new_backend(&dbk_index_ops, c, idx, err);
		if (ret) {
			btfdb_btf_free(*btf);
			*btf = NULL;
			return ret;
		}
	}
	return 0;
nomem:
	btfdb_err_set(err, "out of memory");
	return -ENOMEM;
}
