/* SPDX-License-Identifier: MIT */
/*
 * Reading a btfdb database: whole kernels.  extract rebuilds a kernel's
 * original blob (checked against its hash); verify checks every block and
 * every kernel in full.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btfdb_internal.h"
#include "db_read_internal.h"

/* The string section's sids (nr_strs of them), malloc'd. */
static int strseq_decode(struct btfdb_db *db, const struct btfdb_dbf_kernel *e, uint32_t **out,
			 struct btfdb_err *err)
{
	const uint8_t *p, *end;
	uint8_t *buf;
	uint32_t *sids, i;
	int64_t prev = -1;
	int ret;

	if (e->strseq.ulen < e->nr_strs || !e->nr_strs) {
		btfdb_err_set(err, "database corrupt: string sequence size");
		return -EINVAL;
	}
	ret = btfdb_dbr_inflate(db, &e->strseq, &buf, err);
	if (ret)
		return ret;
	sids = malloc((size_t)e->nr_strs * sizeof(*sids));
	if (!sids) {
		free(buf);
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	p = buf;
	end = buf + e->strseq.ulen;
	for (i = 0; i < e->nr_strs; i++) {
		uint64_t v;
		int64_t sid;

		if (btfdb_dbf_get_varint(&p, end, &v))
			break;
		sid = prev + 1 + btfdb_dbf_unzz(v);
		if (sid < 0 || sid >= db->h.nr_strings)
			break;
		sids[i] = (uint32_t)sid;
		prev = sid;
	}
	free(buf);
	if (i != e->nr_strs || p != end) {
		free(sids);
		btfdb_err_set(err, "database corrupt: string sequence is malformed");
		return -EINVAL;
	}
	*out = sids;
	return 0;
}

/* ---- extract ---- */

struct xctx {
	uint32_t *first; /* sid -> first offset + 1 in this kernel, 0 = absent */
	uint32_t nr;
	struct kres *kr;
};

static int64_t x_sid_name(void *c, uint64_t sid)
{
	struct xctx *x = c;

	if (sid >= x->nr || !x->first[sid])
		return -1;
	return x->first[sid] - 1;
}

static int64_t x_resolve(void *c, const struct btfdb_dbf_ref *r, uint32_t own)
{
	return btfdb_dbf_res_resolve(&((struct xctx *)c)->kr->res, r, own);
}

int btfdb_db_extract(struct btfdb_db *db, uint32_t k, void **data, size_t *size,
		     struct btfdb_err *err)
{
	const struct btfdb_dbf_kernel *e;
	struct btfdb_dbuf out = { 0 }, strs = { 0 };
	uint32_t *sids = NULL, i, id;
	struct kres kr = { 0 };
	struct xctx x = { NULL, db->h.nr_strings, &kr };
	int ret = -EINVAL;

	*data = NULL;
	*size = 0;
	if (k >= db->h.nr_kernels) {
		btfdb_err_set(err, "kernel %u out of range", k);
		return -ENOENT;
	}
	if (!(e = btfdb_dbr_kent(db, k, err)))
		return -EINVAL;
	if (e->flags & BTFDB_DBF_K_RAW) {
		uint8_t *buf;

		if (e->raw.ulen != e->blob_size) {
			btfdb_err_set(err, "database corrupt: raw block size");
			goto out;
		}
		ret = btfdb_dbr_inflate(db, &e->raw, &buf, err);
		if (ret)
			goto out;
		out.p = buf;
		out.len = e->raw.ulen;
		goto check;
	}
	if ((ret = strseq_decode(db, e, &sids, err)))
		goto out;
	if ((ret = btfdb_dbr_kres_init(&kr, db, e, err)))
		goto out;
	ret = -ENOMEM;
	x.first = calloc(db->h.nr_strings, sizeof(uint32_t));
	if (!x.first || btfdb_dbuf_reserve(&out, e->blob_size))
		goto nomem;
	for (i = 0; i < e->nr_strs; i++) {
		const char *s = btfdb_dbr_str(db, sids[i], err);

		if (!s) {
			ret = -EINVAL;
			goto out;
		}
		if (!x.first[sids[i]])
			x.first[sids[i]] = (uint32_t)strs.len + 1;
		if (btfdb_dbuf_put(&strs, s, strlen(s) + 1))
			goto nomem;
		if (strs.len > e->blob_size) {
			btfdb_err_set(err, "database corrupt: kernel strings exceed the blob size");
			ret = -EINVAL;
			goto out;
		}
	}
	if (btfdb_dbuf_put(&out, e->btf_hdr, e->btf_hdr_len))
		goto nomem;
	for (id = 1; id <= e->nr_types; id++) {
		const uint8_t *p, *end;

		if ((ret = btfdb_dbr_pool_rec(db, kr.seq[id - 1], &p, &end, err)))
			goto out;
		ret = btfdb_dbf_rec_decode(&p, end, id, x_sid_name, x_resolve, &x, &out);
		if (ret == -ENOMEM)
			goto nomem;
		if (ret || p != end || out.len > e->blob_size) {
			btfdb_err_set(err, "database corrupt: type %u does not decode", id);
			ret = -EINVAL;
			goto out;
		}
	}
	if (btfdb_dbuf_put(&out, strs.p, strs.len))
		goto nomem;
check:
	if (out.len != e->blob_size || btfdb_hash64(out.p, out.len) != e->blob_hash) {
		btfdb_err_set(err, "database corrupt: kernel '%s' does not reproduce its blob "
			      "(hash mismatch)", btfdb_dbr_ename(e));
		ret = -EINVAL;
		goto out;
	}
	*data = out.p;
	*size = out.len;
	out.p = NULL;
	ret = 0;
	goto out;
nomem:
	btfdb_err_set(err, "out of memory");
	ret = -ENOMEM;
out:
	btfdb_dbuf_free(&out);
	btfdb_dbuf_free(&strs);
	free(sids);
	free(x.first);
	btfdb_dbr_kres_free(&kr);
	return ret;
}

/* ---- verify ---- */

/* Every pool id of kernel e: inverse blocks == the inverted seq. */
static int verify_inverse(struct btfdb_db *db, const struct btfdb_dbf_kernel *e,
			  struct btfdb_err *err)
{
	struct kres full = { 0 }, lazy = { 0 };
	uint64_t pid;
	int ret;

	if ((ret = btfdb_dbr_kres_init(&full, db, e, err)) ||
	    (ret = btfdb_dbr_kres_init_lazy(&lazy, db, e, err)) ||
	    (ret = btfdb_dbr_kres_check_named(&full, err)))
		goto out;
	for (pid = 0; pid < e->pool_cnt; pid++) {
		const uint32_t *a, *b;
		uint32_t na, nb;

		if ((ret = btfdb_dbr_kres_pid(&lazy, pid, &a, &na)))
			goto out;
		b = btfdb_dbf_res_pid(&full.res, pid, &nb);
		if (na != nb || (na && memcmp(a, b, (size_t)na * sizeof(*a)))) {
			btfdb_err_set(err, "database corrupt: inverse blocks disagree with the "
				      "type sequence at pool id %llu", (unsigned long long)pid);
			ret = -EINVAL;
			goto out;
		}
	}
out:
	btfdb_dbr_kres_free(&full);
	btfdb_dbr_kres_free(&lazy);
	return ret;
}

/*
 * The checksums of TABLES, NAMES and KERNELS (not checked at open), every
 * kernel entry, and NAMES = the kernels' names in kernel order, back to back.
 */
static int verify_sections(struct btfdb_db *db, struct btfdb_err *err)
{
	static const char *name[] = { "DATA", "TABLES", "NAMES", "KERNELS" };
	const struct btfdb_dbf_sect *ns = &db->h.sects[BTFDB_DBF_SEC_NAMES];
	uint64_t at = ns->off;
	uint32_t i, k;
	int ret;

	for (i = BTFDB_DBF_SEC_TABLES; i < BTFDB_DBF_NR_SECS; i++) {
		const struct btfdb_dbf_sect *s = &db->h.sects[i];
		uint8_t *buf = malloc(s->len ? s->len : 1);

		if (!buf) {
			btfdb_err_set(err, "out of memory");
			return -ENOMEM;
		}
		ret = btfdb_dbr_pread(db, s->off, buf, s->len, err);
		if (!ret && btfdb_hash64(buf, s->len) != s->csum) {
			btfdb_err_set(err, "database corrupt: section %s checksum mismatch", name[i]);
			ret = -EINVAL;
		}
		free(buf);
		if (ret)
			return ret;
	}
	for (k = 0; k < db->h.nr_kernels; k++) {
		const struct btfdb_dbf_kernel *e = btfdb_dbr_kent(db, k, err);

		if (!e)
			return -EINVAL;
		if (e->name_off != at) {
			btfdb_err_set(err, "database corrupt: kernel %u's name is not the %u-th in "
				      "NAMES", k, k);
			return -EINVAL;
		}
		at += strlen(btfdb_dbr_ename(e)) + 1;
	}
	if (at != ns->off + ns->len) {
		btfdb_err_set(err, "database corrupt: bytes after the last name in NAMES");
		return -EINVAL;
	}
	return 0;
}

int btfdb_db_verify(struct btfdb_db *db, struct btfdb_err *err)
{
	uint32_t b, k;
	uint8_t *buf;
	int ret;

	if ((ret = verify_sections(db, err)))
		return ret;

	for (b = 0; b < db->nstrb; b++) {
		uint64_t last = (uint64_t)(b + 1) * db->h.str_blk;

		/* the block's last string: indexes (and checks) the whole block */
		if (last > db->h.nr_strings)
			last = db->h.nr_strings;
		if (!btfdb_dbr_str(db, last - 1, err))
			return -EINVAL;
	}
	for (b = 0; b < db->npoolb; b++) {
		const uint8_t *p, *end;
		uint64_t last = (uint64_t)(b + 1) * db->h.pool_blk;

		/* the block's last record: scans (and checks) the whole block */
		if (last > db->h.nr_pool)
			last = db->h.nr_pool;
		if ((ret = btfdb_dbr_pool_rec(db, last - 1, &p, &end, err)))
			return ret;
	}
	for (b = 0; b < db->ngidxb; b++) {
		struct btfdb_dbf_blockref r;

		if ((ret = btfdb_dbr_shared_ref(db, db->h.gidx_tab, b, &r, err)) ||
		    (ret = btfdb_dbr_inflate(db, &r, &buf, err)))
			return ret;
		free(buf);
	}
	for (b = 0; b < db->nsmapb; b++) {
		const uint8_t *p, *end;
		uint64_t last = (uint64_t)(b + 1) * db->h.smap_blk;

		/* the block's last entry: scans (and checks) the whole block */
		if (last > db->h.nr_strings)
			last = db->h.nr_strings;
		if ((ret = btfdb_dbr_smap_entry(db, last - 1, &p, &end, err)))
			return ret;
	}
	for (k = 0; k < db->h.nr_kernels; k++) {
		struct btfdb_btf *btf;
		void *data;
		size_t size;

		ret = btfdb_db_extract(db, k, &data, &size, err);
		/* the full flat checks (ids, names, reference cycles) */
		if (!ret && !(ret = btfdb_btf_parse_owned(data, size, NULL, &btf, err)))
			btfdb_btf_free(btf);
		/* the inverse blocks (used by lazy handles) must invert seq exactly */
		if (!ret && !(btfdb_dbr_kent(db, k, err)->flags & BTFDB_DBF_K_RAW))
			ret = verify_inverse(db, btfdb_dbr_kent(db, k, err), err);
		if (ret) {
			btfdb_err_prefix(err, "kernel '%s': ", btfdb_dbr_kernel_name(db, k));
			return ret;
		}
		btfdb_dbr_release_pages(db); /* keep the file mapped, not resident */
	}
	return 0;
}
