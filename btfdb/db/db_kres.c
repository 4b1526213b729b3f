/* SPDX-License-Identifier: MIT */
/*
 * Reading a btfdb database: a kernel's reference resolver (kres).
 *  - full (extract, verify): the whole seq, inverted in memory (O(n));
 *  - lazy (backend handles): seq blocks and inverse blocks are inflated one
 *    at a time on demand, so a lookup or type fetch touches only the blocks
 *    it needs.
 * Named targets resolve through the shared name map (sid -> pool ids) and
 * the inverse (pool id -> type ids); results are cached per sid.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btfdb_internal.h"
#include "db_read_internal.h"

/* ---- per-kernel decoding ---- */

#define SEQ_CK 32 /* a lazy seq block keeps a decode checkpoint every SEQ_CK ids */

/* Decode seq block b of kernel e into ids (count = ids in that block). */
static int seq_block(struct btfdb_db *db, const struct btfdb_dbf_kernel *e,
		     const struct btfdb_dbf_blockref *seqref, uint32_t b, uint32_t *ids,
		     struct btfdb_err *err)
{
	const struct btfdb_dbf_blockref *r = seqref + b;
	uint32_t n = b + 1 < btfdb_dbr_div_up(e->nr_types, db->h.seq_blk) ? db->h.seq_blk
							       : e->nr_types - b * db->h.seq_blk;
	const uint8_t *p, *end;
	uint8_t *buf;
	int64_t prev = -1;
	uint32_t i;
	int ret = btfdb_dbr_inflate(db, r, &buf, err);

	if (ret)
		return ret;
	p = buf;
	end = buf + r->ulen;
	for (i = 0; i < n; i++) {
		uint64_t v;
		int64_t pid;

		if (btfdb_dbf_get_varint(&p, end, &v))
			break;
		pid = prev + 1 + btfdb_dbf_unzz(v);
		if (pid < 0 || pid >= e->pool_cnt)
			break;
		ids[i] = (uint32_t)pid;
		prev = pid;
	}
	free(buf);
	if (i != n || p != end) {
		btfdb_err_set(err, "database corrupt: type sequence block %u is malformed", b);
		return -EINVAL;
	}
	return 0;
}

void btfdb_dbr_kres_free(struct kres *r)
{
	uint32_t i;

	for (i = 0; i < r->names.cap; i++)
		if (r->names.key[i])
			free(((struct kname *)btfdb_u32map_at(&r->names, i))->ids);
	btfdb_u32map_free(&r->names);
	btfdb_u32map_free(&r->hint);
	free(r->seq);
	for (i = 0; r->fwd && i < r->nfwd; i++) {
		free(r->fwd[i].ids);
		btfdb_dbr_blk_reset(&r->fwd[i].raw);
	}
	free(r->fwd);
	for (i = 0; r->inv && i < r->ninv; i++) {
		free(r->inv[i].tid);
		free(r->inv[i].rpid);
		free(r->inv[i].rstart);
		btfdb_dbr_blk_reset(&r->inv[i].raw);
	}
	free(r->inv);
	free(r->tabs);
	free(r->nsid);
	free(r->nstart);
	free(r->ntid);
	btfdb_dbf_res_free(&r->res);
	memset(r, 0, sizeof(*r));
}

int btfdb_dbr_kernel_tables(struct btfdb_db *db, const struct btfdb_dbf_kernel *e,
			    uint8_t **tabs, struct btfdb_err *err)
{
	const struct btfdb_dbf_hdr *h = btfdb_dbr_hdr(db);
	uint64_t len = e->inv_tab + (uint64_t)e->nr_inv * sizeof(struct btfdb_dbf_invref) - e->seq_tab;
	uint32_t nblk = btfdb_dbr_div_up(e->pool_cnt, h->inv_blk), i;
	const struct btfdb_dbf_invref *inv;
	uint8_t *buf;
	int ret;

	if (tabs)
		*tabs = NULL;
	/* bounds and contiguity of the two arrays were checked with the entry */
	if (!(buf = malloc(len ? len : 1))) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if ((ret = btfdb_dbr_pread(db, e->seq_tab, buf, len, err)))
		goto out;
	ret = -EINVAL;
	if (btfdb_hash64(buf, len) != e->tab_csum) {
		btfdb_err_set(err, "database corrupt: kernel '%s': block table checksum mismatch",
			      btfdb_dbr_ename(e));
		goto out;
	}
	inv = (const struct btfdb_dbf_invref *)(buf + (e->inv_tab - e->seq_tab));
	for (i = 0; i < e->nr_inv; i++) {
		if (inv[i].blk >= nblk || (i && inv[i].blk <= inv[i - 1].blk) || inv[i].reserved) {
			btfdb_err_set(err, "database corrupt: kernel '%s': inverse block list",
				      btfdb_dbr_ename(e));
			goto out;
		}
	}
	ret = 0;
	if (tabs) {
		*tabs = buf;
		buf = NULL;
	}
out:
	free(buf);
	return ret;
}

int btfdb_dbr_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Inverse block c of a lazy resolver: decode and check every pair (pool id
 * inside the block's range and below pool_cnt, type id in 1..nr_types,
 * pairs strictly ascending).
 */
static struct invblk *inv_block(struct kres *r, uint32_t i, uint64_t upto)
{
	struct btfdb_db *db = r->db;
	const struct btfdb_dbf_kernel *e = r->e;
	const struct btfdb_dbf_blockref *ref = &r->invref[i].ref;
	uint32_t c = r->invref[i].blk;
	struct invblk *ib = &r->inv[i];
	uint64_t base = (uint64_t)c * db->h.inv_blk;
	uint64_t lim = base + db->h.inv_blk < e->pool_cnt ? base + db->h.inv_blk : e->pool_cnt;

	if (!ib->ok) {
		/* the checksum of the whole block is verified here, before any use */
		if (btfdb_dbr_blk_start(db, ref, &ib->raw, 0, r->err))
			return NULL;
		ib->cap = ref->ulen / 2; /* every pair takes at least 2 bytes */
		ib->tid = malloc(((size_t)ib->cap + 1) * sizeof(uint32_t));
		ib->rpid = malloc(((size_t)ib->cap + 1) * sizeof(uint32_t));
		ib->rstart = malloc(((size_t)ib->cap + 1) * sizeof(uint32_t));
		if (!ib->tid || !ib->rpid || !ib->rstart) {
			btfdb_err_set(r->err, "out of memory");
			goto bad_nomsg;
		}
		ib->n = ib->nr = 0;
		ib->pos = 0;
		ib->prev = (int64_t)base - 1;
		ib->prev_tid = 0;
		ib->done = false;
		ib->ok = true;
	}
	/* decode until every pair of pool ids <= upto is known (pairs ascend) */
	while (!ib->done && (!ib->nr || ib->rpid[ib->nr - 1] <= upto)) {
		const uint8_t *p = ib->raw.data + ib->pos, *end = ib->raw.data + ref->ulen;
		uint64_t dp, v;
		int64_t pid, tid;

		if (ib->pos == ref->ulen) {
			ib->done = true;
			btfdb_dbr_blk_reset(&ib->raw);
			break;
		}
		if (btfdb_dbf_get_varint(&p, end, &dp) || btfdb_dbf_get_varint(&p, end, &v) ||
		    ib->n >= ib->cap || dp > lim)
			goto bad;
		pid = ib->prev + (int64_t)dp;
		tid = ib->prev_tid + 1 + btfdb_dbf_unzz(v);
		/* dp = 0 repeats the previous pool id (not allowed first) */
		if ((!dp && !ib->n) || pid >= (int64_t)lim || tid < 1 || tid > e->nr_types ||
		    (!dp && tid <= ib->prev_tid))
			goto bad;
		if (dp) {
			ib->rpid[ib->nr] = (uint32_t)pid;
			ib->rstart[ib->nr++] = ib->n;
		}
		ib->tid[ib->n] = (uint32_t)tid;
		ib->n++;
		ib->pos = (uint32_t)(p - ib->raw.data);
		ib->prev = pid;
		ib->prev_tid = tid;
	}
	return ib;
bad:
	btfdb_err_set(r->err, "database corrupt: inverse block %u of kernel '%s' is malformed", c,
		      btfdb_dbr_ename(e));
bad_nomsg:
	/* the memo may point into this block's ids */
	memset(r->memo, 0, sizeof(r->memo));
	free(ib->tid);
	free(ib->rpid);
	free(ib->rstart);
	btfdb_dbr_blk_reset(&ib->raw);
	memset(ib, 0, sizeof(*ib));
	return NULL;
}

/* Ascending type ids of this kernel whose record is pid (n = 0: none). */
int btfdb_dbr_kres_pid(void *ctx, uint64_t pid, const uint32_t **ids, uint32_t *n)
{
	struct kres *r = ctx;
	struct invblk *ib;
	struct kpid *m;
	uint32_t c, lo, hi;

	*ids = NULL;
	*n = 0;
	if (!r->lazy) {
		*ids = btfdb_dbf_res_pid(&r->res, pid, n);
		return 0;
	}
	if (pid >= r->e->pool_cnt)
		return 0;
	m = &r->memo[pid % KRES_MEMO];
	if (m->key == pid + 1) {
		*ids = m->ids;
		*n = m->n;
		return 0;
	}
	/* the kernel's inverse blocks are listed by ascending block index */
	c = (uint32_t)(pid / r->db->h.inv_blk);
	lo = 0;
	hi = r->ninv;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (r->invref[mid].blk < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->ninv || r->invref[lo].blk != c)
		return 0; /* no type of this kernel has a record in that range */
	if (!(ib = inv_block(r, lo, pid)))
		return -EINVAL;
	/* decoding stopped past pid's run (or at the block's end): the run is whole */
	lo = btfdb_dbf_lower(ib->rpid, ib->nr, (uint32_t)pid);
	if (lo == ib->nr || ib->rpid[lo] != pid)
		return 0;
	*ids = ib->tid + ib->rstart[lo];
	*n = (lo + 1 < ib->nr ? ib->rstart[lo + 1] : ib->n) - ib->rstart[lo];
	m->key = (uint32_t)pid + 1;
	m->ids = *ids;
	m->n = *n;
	return 0;
}

/*
 * The pool id of type id (1..nr_types) of a lazy or full resolver.  Lazy:
 * the seq block (checksum verified first) is inflated and decoded only up
 * to the id asked for; the checks are seq_block's, the block's exact end
 * checked once its last id is decoded.
 */
int btfdb_dbr_kres_fwd(struct kres *r, uint32_t id, uint32_t *pid)
{
	struct btfdb_db *db = r->db;
	uint32_t b = (id - 1) / db->h.seq_blk, i = (id - 1) % db->h.seq_blk, c, k, pos;
	const struct btfdb_dbf_blockref *ref;
	const uint32_t *hp;
	struct seqblk *sb;
	int64_t prev;

	if (!r->lazy) {
		*pid = r->seq[id - 1];
		return 0;
	}
	if ((hp = btfdb_u32map_get(&r->hint, id))) {
		*pid = *hp;
		return 0;
	}
	sb = &r->fwd[b];
	ref = r->seqref + b;
	if (!sb->ok) {
		if (btfdb_dbr_blk_start(db, ref, &sb->raw, 0, r->err))
			return -EINVAL;
		sb->cnt = b + 1 < r->nfwd ? db->h.seq_blk : r->e->nr_types - b * db->h.seq_blk;
		/* checkpoints (position, previous id + 1) every SEQ_CK ids */
		sb->ids = malloc(((size_t)sb->cnt / SEQ_CK + 1) * 2 * sizeof(uint32_t));
		if (!sb->ids) {
			btfdb_dbr_blk_reset(&sb->raw);
			btfdb_err_set(r->err, "out of memory");
			return -ENOMEM;
		}
		sb->n = 0;
		sb->pos = 0;
		sb->prev = -1;
		sb->ok = true;
	}
	/* checked once: decode (and check) up to i, noting checkpoints */
	while (sb->n <= i) {
		const uint8_t *p = sb->raw.data + sb->pos, *end = sb->raw.data + ref->ulen;
		uint64_t v;
		int64_t q;

		if (sb->n % SEQ_CK == 0) {
			sb->ids[2 * (sb->n / SEQ_CK)] = sb->pos;
			sb->ids[2 * (sb->n / SEQ_CK) + 1] = (uint32_t)(sb->prev + 1);
		}
		if (btfdb_dbf_get_varint(&p, end, &v))
			goto bad;
		q = sb->prev + 1 + btfdb_dbf_unzz(v);
		if (q < 0 || q >= r->e->pool_cnt)
			goto bad;
		sb->n++;
		sb->prev = q;
		sb->pos = (uint32_t)(p - sb->raw.data);
		/* the last id: the block must end right here */
		if (sb->n == sb->cnt && sb->pos != ref->ulen)
			goto bad;
	}
	/* id i from its checkpoint: at most SEQ_CK checked varints */
	c = i / SEQ_CK;
	pos = sb->ids[2 * c];
	prev = (int64_t)sb->ids[2 * c + 1] - 1;
	for (k = c * SEQ_CK; k <= i; k++) {
		const uint8_t *p = sb->raw.data + pos;
		uint64_t v = 0;

		(void)btfdb_dbf_get_varint(&p, sb->raw.data + ref->ulen, &v);
		prev = prev + 1 + btfdb_dbf_unzz(v);
		pos = (uint32_t)(p - sb->raw.data);
	}
	*pid = (uint32_t)prev;
	return 0;
bad:
	btfdb_err_set(r->err, "database corrupt: type sequence block %u is malformed", b);
	free(sb->ids);
	btfdb_dbr_blk_reset(&sb->raw);
	memset(sb, 0, sizeof(*sb));
	return -EINVAL;
}

int btfdb_dbr_kres_hint(struct kres *r, uint32_t id, uint32_t pid)
{
	uint32_t *v;

	if (!r->lazy)
		return 0;
	if (!(v = btfdb_u32map_put(&r->hint, id)))
		return -ENOMEM;
	*v = pid;
	return 0;
}

/*
 * The kernel's named block, decoded whole on first use and checked: sids
 * strictly ascending and below nr_strings, every list non-empty, type ids
 * strictly ascending in 1..nr_types, the block's exact end.
 */
static int named_load(struct kres *r)
{
	const struct btfdb_dbf_blockref *ref = &r->e->named;
	uint32_t cap, ne = 0, nt = 0;
	const uint8_t *p, *end;
	uint64_t prev = 0;
	uint8_t *buf = NULL;
	int ret;

	if (r->named_ok)
		return 0;
	if (ref->ulen && (ret = btfdb_dbr_inflate(r->db, ref, &buf, r->err)))
		return ret;
	cap = ref->ulen / 3 + 1; /* an entry takes at least 3 bytes, an id at least 1 */
	r->nsid = malloc((size_t)cap * sizeof(uint32_t));
	r->nstart = malloc(((size_t)cap + 1) * sizeof(uint32_t));
	r->ntid = malloc(((size_t)ref->ulen + 1) * sizeof(uint32_t));
	if (!r->nsid || !r->nstart || !r->ntid) {
		free(buf);
		btfdb_err_set(r->err, "out of memory");
		return -ENOMEM;
	}
	p = buf;
	end = buf ? buf + ref->ulen : NULL; /* an empty block: no buffer, no entries */
	while (p < end) {
		uint64_t d, n, v, j, tid = 0;

		if (btfdb_dbf_get_varint(&p, end, &d) || btfdb_dbf_get_varint(&p, end, &n) || !d ||
		    d >= r->db->h.nr_strings - prev || !n || n > (uint64_t)(end - p) || ne >= cap)
			goto bad;
		prev += d;
		r->nsid[ne] = (uint32_t)prev;
		r->nstart[ne++] = nt;
		for (j = 0; j < n; j++) {
			if (btfdb_dbf_get_varint(&p, end, &v) || v > r->e->nr_types)
				goto bad;
			tid = j ? tid + v + 1 : v;
			if (!tid || tid > r->e->nr_types)
				goto bad;
			r->ntid[nt++] = (uint32_t)tid;
		}
	}
	r->nstart[ne] = nt;
	r->nnamed = ne;
	r->named_ok = true;
	free(buf);
	return 0;
bad:
	free(buf);
	btfdb_err_set(r->err, "database corrupt: kernel '%s': named block is malformed",
		      btfdb_dbr_ename(r->e));
	return -EINVAL;
}

/* Index of sid in the named block; nnamed when absent. */
static uint32_t named_find(const struct kres *r, uint64_t sid)
{
	uint32_t lo = 0, hi = r->nnamed;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (r->nsid[mid] < sid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nnamed && r->nsid[lo] == sid ? lo : r->nnamed;
}

/*
 * Ascending type ids of the kernel named sid from the name map (a new
 * malloc'd *out).  limit: when more than limit of the name's pool ids are
 * below the kernel's pool_cnt, stop there and return none (*over set):
 * the kernel's named block lists such names.
 */
static int named_scan(struct kres *r, uint64_t sid, uint64_t limit, uint32_t **res,
		      uint32_t *rn, bool *over)
{
	struct btfdb_db *db = r->db;
	uint32_t *out = NULL, cnt = 0, cap = 0;
	const uint8_t *p, *end, *q;
	uint64_t np, v, i, pid = 0, below = 0;
	uint32_t j;

	*res = NULL;
	*rn = 0;
	*over = false;
	if (btfdb_dbr_smap_entry(db, sid, &p, &end, r->err))
		return -EINVAL;
	if (btfdb_dbf_get_varint(&p, end, &np))
		return -EINVAL;
	/* count first: a name with many records is not resolved here */
	for (i = 0, q = p; i < np; i++) {
		if (btfdb_dbf_get_varint(&q, end, &v))
			return -EINVAL;
		db->name_visits++;
		pid = i ? pid + v + 1 : v;
		if (pid >= r->e->pool_cnt)
			break; /* ascending: the rest is newer than this kernel */
		if (++below > limit) {
			*over = true;
			return 0;
		}
	}
	np = below;
	for (i = 0; i < np; i++) {
		const uint32_t *l;
		uint32_t ln;

		if (btfdb_dbf_get_varint(&p, end, &v))
			goto bad;
		pid = i ? pid + v + 1 : v;
		if (pid >= db->h.nr_pool) {
			btfdb_err_set(r->err, "database corrupt: name map pool id out of range");
			goto bad;
		}
		if (btfdb_dbr_kres_pid(r, pid, &l, &ln))
			goto bad;
		if (!ln)
			continue;
		if (cnt + (uint64_t)ln > cap) {
			uint32_t nc = cap ? cap : 16, *m;

			while (nc < cnt + (uint64_t)ln)
				nc *= 2;
			m = realloc(out, (size_t)nc * sizeof(uint32_t));
			if (!m) {
				free(out);
				return -ENOMEM;
			}
			out = m;
			cap = nc;
		}
		memcpy(out + cnt, l, (size_t)ln * sizeof(uint32_t));
		cnt += ln;
		for (j = 0; r->lazy && j < ln; j++)
			if (btfdb_dbr_kres_hint(r, l[j], (uint32_t)pid))
				goto bad;
	}
	if (cnt > 1 && np > 1)
		qsort(out, cnt, sizeof(uint32_t), btfdb_dbr_u32_cmp);
	*res = out;
	*rn = cnt;
	return 0;
bad:
	free(out);
	return -EINVAL;
}

/* Ascending type ids of this kernel named sid (the resolver's callback). */
int btfdb_dbr_kres_named(void *ctx, uint64_t sid, const uint32_t **ids, uint32_t *n)
{
	struct kres *r = ctx;
	struct btfdb_db *db = r->db;
	uint32_t i, *out = NULL, cnt = 0, n2;
	struct kname *kn;
	bool over;
	int ret;

	if (!sid || sid >= db->h.nr_strings)
		return -EINVAL;
	if ((kn = btfdb_u32map_get(&r->names, (uint32_t)sid + 1))) {
		*ids = kn->ids;
		*n = kn->n;
		return 0;
	}
	if ((ret = named_load(r)))
		return ret;
	if ((i = named_find(r, sid)) < r->nnamed) {
		cnt = r->nstart[i + 1] - r->nstart[i];
		/*
		 * Many ids of one name (a non-deduplicated kernel: centos 8 has
		 * 476 task_struct): when the name map lists no more of the
		 * name's records below pool_cnt than that, the scan notes each
		 * id's pool id (hints), so handing out the ids does not inflate
		 * a seq block for each (at most cnt + 1 name-map records visited).
		 */
		if (r->lazy && cnt > db->h.named_min) {
			if ((ret = named_scan(r, sid, cnt, &out, &n2, &over)))
				return ret;
			free(out);
		}
		if (!(out = malloc((size_t)cnt * sizeof(uint32_t))))
			return -ENOMEM;
		memcpy(out, r->ntid + r->nstart[i], (size_t)cnt * sizeof(uint32_t));
	} else if ((ret = named_scan(r, sid, db->h.named_min, &out, &cnt, &over))) {
		return ret;
	}
	if (!(kn = btfdb_u32map_put(&r->names, (uint32_t)sid + 1))) {
		free(out);
		return -ENOMEM;
	}
	kn->ids = out;
	kn->n = cnt;
	*ids = out;
	*n = cnt;
	return 0;
}

int btfdb_dbr_kres_check_named(struct kres *r, struct btfdb_err *err)
{
	uint64_t sid;
	uint32_t i = 0;
	int ret;

	if ((ret = named_load(r)))
		return ret;
	for (sid = 1; sid < r->db->h.nr_strings; sid++) {
		uint32_t *l, n, k = i < r->nnamed && r->nsid[i] == sid ? i++ : r->nnamed;
		bool over, listed, same;

		if ((ret = named_scan(r, sid, r->db->h.named_min, &l, &n, &over)))
			return ret;
		if (!over && k == r->nnamed) {
			free(l);
			continue; /* resolved from the name map, and not listed: right */
		}
		free(l);
		if ((ret = named_scan(r, sid, UINT64_MAX, &l, &n, &listed)))
			return ret;
		/* listed iff over the bound and named in this kernel, with the same ids */
		listed = k < r->nnamed;
		same = listed == (over && n) &&
		       (!listed || (r->nstart[k + 1] - r->nstart[k] == n &&
				    !memcmp(r->ntid + r->nstart[k], l, (size_t)n * sizeof(*l))));
		free(l);
		if (!same) {
			btfdb_err_set(err, "database corrupt: kernel '%s': named block disagrees "
				      "with the name map at string %llu", btfdb_dbr_ename(r->e),
				      (unsigned long long)sid);
			return -EINVAL;
		}
	}
	return 0;
}

/* Full mode: load the kernel's whole seq and invert it (extract, verify). */
int btfdb_dbr_kres_init(struct kres *r, struct btfdb_db *db, const struct btfdb_dbf_kernel *e,
		     struct btfdb_err *err)
{
	uint32_t nb = btfdb_dbr_div_up(e->nr_types, db->h.seq_blk), b;
	int ret;

	r->db = db;
	r->e = e;
	r->err = err;
	if ((ret = btfdb_dbr_kernel_tables(db, e, &r->tabs, err)))
		return ret;
	r->seqref = (const struct btfdb_dbf_blockref *)r->tabs;
	r->seq = malloc(((size_t)e->nr_types + 1) * sizeof(uint32_t));
	if (!r->seq)
		goto nomem;
	for (b = 0; b < nb; b++)
		if ((ret = seq_block(db, e, r->seqref, b, r->seq + (size_t)b * db->h.seq_blk, err)))
			return ret;
	if (btfdb_dbf_res_init(&r->res, r->seq, e->nr_types) ||
	    btfdb_u32map_init(&r->names, sizeof(struct kname), 1024))
		goto nomem;
	r->res.named = btfdb_dbr_kres_named;
	r->res.ctx = r;
	r->ok = true;
	return 0;
nomem:
	btfdb_err_set(err, "out of memory");
	return -ENOMEM;
}

/* Lazy mode: nothing is inflated until a type or name is asked for. */
int btfdb_dbr_kres_init_lazy(struct kres *r, struct btfdb_db *db, const struct btfdb_dbf_kernel *e,
			  struct btfdb_err *err)
{
	int ret;

	r->db = db;
	r->e = e;
	r->err = err;
	r->lazy = true;
	if ((ret = btfdb_dbr_kernel_tables(db, e, &r->tabs, err)))
		return ret;
	r->nfwd = btfdb_dbr_div_up(e->nr_types, db->h.seq_blk);
	r->ninv = e->nr_inv;
	r->seqref = (const struct btfdb_dbf_blockref *)r->tabs;
	r->invref = (const struct btfdb_dbf_invref *)(r->tabs + (e->inv_tab - e->seq_tab));
	r->fwd = calloc((size_t)r->nfwd + 1, sizeof(*r->fwd));
	r->inv = calloc((size_t)r->ninv + 1, sizeof(*r->inv));
	if (!r->fwd || !r->inv || btfdb_u32map_init(&r->names, sizeof(struct kname), 256) ||
	    btfdb_u32map_init(&r->hint, sizeof(uint32_t), 256)) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	r->res.named = btfdb_dbr_kres_named;
	r->res.pid_ids = btfdb_dbr_kres_pid;
	r->res.ctx = r;
	r->ok = true;
	return 0;
}
