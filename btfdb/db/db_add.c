/* SPDX-License-Identifier: MIT */
/*
 * Writing a btfdb database: adding one kernel (layout: db_format.h).
 *
 * Adding a kernel (add_shared):
 *  1. Check the blob has the plain layout (LE, header <= 32 bytes, types
 *     then strings, nothing else); otherwise store it raw.
 *  2. Split the string section at NULs; intern each string (strseq).  A
 *     name offset is representable only when it is the FIRST start of its
 *     string in this section.
 *  3. Group the named types by name (ascending ids per name).
 *  4. Give every anonymous type a level: 0 when it references no anonymous
 *     type, else 1 + the highest level of the anonymous types it references
 *     (iterative DFS; an edge that closes a cycle instead marks its target
 *     "delta": references to it are stored as id deltas).  Records that are
 *     equal have equal levels, so when level h is encoded every record it
 *     references by pool id, and the list of ids sharing that record, is
 *     final.
 *  5. Pass A: encode the anonymous types level by level, then the named
 *     ones; a record already in the pool gets its pool id, a new one a
 *     provisional id.  Pass B: number the new records in order of their
 *     first type id (so a kernel's seq is mostly "previous + 1" and similar
 *     records sit together in the pool), re-encode them with the final ids
 *     and append them to the pool.
 *  6. Decode every record back through the reader's resolver and rebuild
 *     the string section from strseq; compare with the original bytes.  Any
 *     difference -> raw.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btfdb_internal.h"
#include "db_write_internal.h"

int btfdb_dbw_compress(struct wblk *b, const struct btfdb_dbuf *buf)
{
	b->ulen = (uint32_t)buf->len;
	return btfdb_dbf_deflate(buf->p, buf->len, &b->data, &b->clen);
}

/*
 * State of one kernel being encoded (add_shared).  Type ids are 1..nr;
 * arrays indexed by id have nr + 1 entries.
 */
struct kenc {
	struct btfdb_db_writer *w;
	const struct btfdb_btf *btf;
	uint32_t nr, str_len;
	uint32_t *nsid;     /* name sid (0 = anonymous) */
	uint32_t *ord;      /* position of the id in its name list / pool-id list */
	uint32_t *nstart, *ncnt; /* per sid (w->nstr at the start): named list */
	uint32_t *nlist;    /* named ids grouped by sid, ascending */
	uint32_t nsids;     /* entries of nstart / ncnt */
	uint8_t *delta;     /* anonymous id referenced by delta (cycle) */
	uint32_t *level;    /* anonymous: level */
	uint32_t *pid;      /* pool id (provisional in pass A, final in pass B) */
	uint32_t *lstart, *lcnt; /* per anonymous id: its pool-id group in alist */
	uint32_t *alist;    /* anonymous ids grouped by pool id, ascending */
	uint32_t *edges, *eoff;  /* anonymous -> anonymous references (CSR) */
	uint32_t ne;
	int bad;
};

static int64_t enc_name(void *c, uint32_t off)
{
	struct kenc *ke = c;
	uint32_t s;

	if (off >= ke->str_len || !(s = ke->w->str_at[off]))
		return -1;
	if (ke->w->kfirst[s - 1] != off)
		return -1; /* a later duplicate of the string: not representable */
	return s - 1;
}

static int64_t dec_name(void *c, uint64_t sid)
{
	struct kenc *ke = c;

	if (sid >= ke->w->nstr || ke->w->kfirst[sid] == BTFDB_DBW_NONE)
		return -1;
	return ke->w->kfirst[sid];
}

static int enc_ref(void *c, uint32_t own, uint32_t id, struct btfdb_dbf_ref *r)
{
	struct kenc *ke = c;
	uint32_t sid;

	if (id > ke->nr)
		return -1;
	sid = ke->nsid[id];
	if (sid) {
		r->tag = BTFDB_DBF_REF_NAMED;
		r->key = sid;
		r->rel = (int64_t)ke->ord[id] -
			 btfdb_dbf_lower(ke->nlist + ke->nstart[sid], ke->ncnt[sid], own);
		return 0;
	}
	if (ke->delta[id]) {
		r->tag = BTFDB_DBF_REF_DELTA;
		return 0;
	}
	if (ke->pid[id] == BTFDB_DBW_NONE || ke->lstart[id] == BTFDB_DBW_NONE)
		return -1; /* not encoded yet: a bug in the level order */
	r->tag = BTFDB_DBF_REF_ANON;
	r->key = ke->pid[id];
	r->rel = (int64_t)ke->ord[id] - btfdb_dbf_lower(ke->alist + ke->lstart[id], ke->lcnt[id], own);
	return 0;
}

static int named_ids(void *c, uint64_t sid, const uint32_t **ids, uint32_t *n)
{
	struct kenc *ke = c;

	if (sid == 0 || sid >= ke->nsids)
		return -EINVAL;
	*ids = ke->nlist + ke->nstart[sid];
	*n = ke->ncnt[sid];
	return 0;
}

/* Round-trip decoding context: names from the kernel, refs via the resolver. */
struct rt_ctx {
	struct kenc *ke;
	struct btfdb_dbf_res *res;
};

static int64_t rt_name(void *c, uint64_t sid)
{
	return dec_name(((struct rt_ctx *)c)->ke, sid);
}

static int64_t rt_resolve(void *c, const struct btfdb_dbf_ref *r, uint32_t own)
{
	return btfdb_dbf_res_resolve(((struct rt_ctx *)c)->res, r, own);
}

/* DFS edge collection: count (edges == NULL) or fill. */
struct edge_ctx {
	struct kenc *ke;
	uint32_t n;
};

static void edge_cb(void *c, uint32_t id)
{
	struct edge_ctx *ec = c;

	if (id && id <= ec->ke->nr && !ec->ke->nsid[id]) {
		if (ec->ke->edges)
			ec->ke->edges[ec->ke->ne + ec->n] = id;
		ec->n++;
	}
}

/* Step 4: levels of the anonymous types; cycle targets get delta[]. */
static int anon_levels(struct kenc *ke)
{
	uint32_t nr = ke->nr, id, sp = 0, *stack = NULL, *pos = NULL;
	uint8_t *color = NULL;
	int pass, ret = -ENOMEM;

	ke->eoff = malloc(((size_t)nr + 2) * sizeof(uint32_t));
	if (!ke->eoff)
		return -ENOMEM;
	for (pass = 0; pass < 2; pass++) {
		ke->ne = 0;
		for (id = 1; id <= nr; id++) {
			struct edge_ctx ec = { ke, 0 };

			ke->eoff[id] = ke->ne;
			if (!ke->nsid[id])
				btfdb_dbf_type_refs(btfdb_btf_type(ke->btf, id), edge_cb, &ec);
			ke->ne += ec.n;
		}
		ke->eoff[nr + 1] = ke->ne;
		if (!pass && !(ke->edges = malloc(((size_t)ke->ne + 1) * sizeof(uint32_t))))
			return -ENOMEM;
	}
	color = calloc((size_t)nr + 1, 1);
	stack = malloc(((size_t)nr + 1) * sizeof(uint32_t));
	pos = malloc(((size_t)nr + 1) * sizeof(uint32_t));
	if (!color || !stack || !pos)
		goto out;
	for (id = 1; id <= nr; id++) {
		if (ke->nsid[id] || color[id])
			continue;
		stack[sp++] = id;
		color[id] = 1;
		pos[id] = ke->eoff[id];
		while (sp) {
			uint32_t x = stack[sp - 1];

			if (pos[x] < ke->eoff[x + 1]) {
				uint32_t t = ke->edges[pos[x]++];

				if (color[t] == 1) {
					ke->delta[t] = 1;
				} else if (!color[t]) {
					color[t] = 1;
					pos[t] = ke->eoff[t];
					stack[sp++] = t;
				}
				continue;
			}
			/* post-order: all targets done (or delta) */
			{
				uint32_t lv = 0, e;

				for (e = ke->eoff[x]; e < ke->eoff[x + 1]; e++) {
					uint32_t t = ke->edges[e];

					if (!ke->delta[t] && ke->level[t] + 1 > lv)
						lv = ke->level[t] + 1;
				}
				ke->level[x] = lv;
			}
			color[x] = 2;
			sp--;
		}
	}
	ret = 0;
out:
	free(color);
	free(stack);
	free(pos);
	return ret;
}

/* Encode id into enc; 0, 1 (not representable), -ENOMEM. */
static int enc_one(struct kenc *ke, uint32_t id, struct btfdb_dbuf *enc)
{
	const struct btf_type *t = btfdb_btf_type(ke->btf, id);
	int ret;

	enc->len = 0;
	ret = btfdb_dbf_rec_encode(t, sizeof(*t) + btfdb_type_extra_size(t), id, enc_name, enc_ref,
				   ke, enc);
	if (ret == -ENOMEM)
		return ret;
	return ret ? 1 : 0;
}

/*
 * Try the shared encoding.  Returns 0 when done, 1 when the blob must be
 * stored raw (*why says why), negative errno on failure.
 */
static int add_shared(struct btfdb_db_writer *w, struct wkernel *wk, const struct btfdb_btf *btf,
		      const uint8_t *raw, size_t size, const char **why)
{
	const struct btf_header *bh = (const void *)raw;
	struct btfdb_dbuf enc = { 0 }, dec = { 0 }, tmp = { 0 };
	uint32_t *seq = NULL, *strseq = NULL, *order = NULL, *fmap = NULL, *lvcnt = NULL;
	uint32_t nstrs = 0, nr, id, i, off, str_len, maxlv = 0, npool0 = w->pool.n, nfresh;
	struct kenc ke = { 0 };
	struct btfdb_dbf_res res = { 0 };
	const char *strs;
	int ret = 1;

	*why = NULL;
	if (btfdb_btf_big_endian(btf) || size < sizeof(*bh) || bh->magic != BTF_MAGIC ||
	    bh->hdr_len < sizeof(*bh) || bh->hdr_len > BTFDB_DBF_BTF_HDR_MAX ||
	    bh->type_off != 0 || bh->str_off != bh->type_len ||
	    (uint64_t)bh->hdr_len + bh->type_len + bh->str_len != size || !bh->str_len ||
	    btfdb_btf_start_id(btf) != 1) {
		*why = "unusual header or layout";
		return 1;
	}
	strs = (const char *)raw + bh->hdr_len + bh->str_off;
	str_len = bh->str_len;
	if (strs[0] || strs[str_len - 1]) {
		*why = "string section not NUL-delimited";
		return 1;
	}
	nr = btfdb_btf_type_cnt(btf) - 1;
	ke.w = w;
	ke.btf = btf;
	ke.nr = nr;
	ke.str_len = str_len;

	/* 2. strings */
	free(w->str_at);
	w->str_at = calloc((size_t)str_len + 1, sizeof(uint32_t));
	strseq = malloc(((size_t)str_len + 1) * sizeof(uint32_t));
	if (!w->str_at || !strseq)
		goto nomem;
	for (off = 0; off < str_len;) {
		size_t len = strlen(strs + off);
		int64_t sid = btfdb_dbw_intern(w, strs + off, len);

		if (sid < 0)
			goto nomem;
		if (btfdb_dbw_grow((void **)&w->kfirst, &w->capfirst, w->nstr, sizeof(uint32_t)))
			goto nomem;
		strseq[nstrs++] = (uint32_t)sid;
		w->str_at[off] = (uint32_t)sid + 1;
		off += (uint32_t)len + 1;
	}
	/* kfirst[] may have grown: (re)initialise the entries this kernel uses */
	for (i = 0; i < nstrs; i++)
		w->kfirst[strseq[i]] = BTFDB_DBW_NONE;
	for (i = 0, off = 0; i < nstrs; i++) {
		if (w->kfirst[strseq[i]] == BTFDB_DBW_NONE)
			w->kfirst[strseq[i]] = off;
		off += (uint32_t)strlen((const char *)w->sbuf.p + w->soff[strseq[i]]) + 1;
	}

	/* 3. names */
	ke.nsids = w->nstr;
#define ARR(f, n) (ke.f = malloc(((size_t)(n) + 2) * sizeof(*ke.f)))
	if (!ARR(nsid, nr) || !ARR(ord, nr) || !ARR(nlist, nr) || !ARR(level, nr) ||
	    !ARR(pid, nr) || !ARR(lstart, nr) || !ARR(lcnt, nr) || !ARR(alist, nr) ||
	    !(ke.nstart = calloc(ke.nsids + 1, sizeof(uint32_t))) ||
	    !(ke.ncnt = calloc(ke.nsids + 1, sizeof(uint32_t))) ||
	    !(ke.delta = calloc((size_t)nr + 2, 1)))
		goto nomem;
#undef ARR
	ke.nsid[0] = 0;
	for (id = 1; id <= nr; id++) {
		const struct btf_type *t = btfdb_btf_type(btf, id);
		int64_t sid = t->name_off ? enc_name(&ke, t->name_off) : 0;

		if (sid < 0) {
			*why = "a name offset is not the first copy of its string";
			goto out;
		}
		ke.nsid[id] = (uint32_t)sid;
		ke.ncnt[sid]++;
		ke.pid[id] = ke.lstart[id] = BTFDB_DBW_NONE;
		ke.level[id] = 0;
	}
	for (i = 1, off = 0; i < ke.nsids; i++) {
		ke.nstart[i] = off;
		off += ke.ncnt[i];
		ke.ncnt[i] = 0;
	}
	for (id = 1; id <= nr; id++) {
		uint32_t s = ke.nsid[id];

		if (s) {
			ke.ord[id] = ke.ncnt[s];
			ke.nlist[ke.nstart[s] + ke.ncnt[s]++] = id;
		}
	}

	/* 4. levels */
	if ((ret = anon_levels(&ke)))
		goto out;
	ret = 1;
	for (id = 1; id <= nr; id++)
		if (!ke.nsid[id] && ke.level[id] > maxlv)
			maxlv = ke.level[id];
	/* processing order: anonymous by level (stable), then named */
	order = malloc(((size_t)nr + 1) * sizeof(uint32_t));
	lvcnt = calloc((size_t)maxlv + 2, sizeof(uint32_t));
	seq = malloc(((size_t)nr + 1) * sizeof(uint32_t));
	if (!order || !lvcnt || !seq)
		goto nomem;
	for (id = 1; id <= nr; id++)
		if (!ke.nsid[id])
			lvcnt[ke.level[id] + 1]++;
	for (i = 1; i <= maxlv + 1; i++)
		lvcnt[i] += lvcnt[i - 1];
	{
		uint32_t nanon = lvcnt[maxlv + 1], *fill = malloc(((size_t)maxlv + 2) * 4), j = 0;

		if (!fill)
			goto nomem;
		memcpy(fill, lvcnt, ((size_t)maxlv + 2) * 4);
		for (id = 1; id <= nr; id++) {
			if (!ke.nsid[id])
				order[fill[ke.level[id]]++] = id;
			else
				order[nanon + j++] = id;
		}
		free(fill);
	}

	/* 5. pass A: provisional pool ids, level by level */
	btfdb_dbw_recset_clear(&w->fresh);
	{
		uint32_t lv, at = 0, nanon = lvcnt[maxlv + 1], apos = 0;
		/* local hash: provisional pid -> first anonymous id having it */
		uint32_t cap = 64, *hk = NULL, *hv = NULL, *lead = NULL;

		while (cap < 2 * (uint64_t)nr + 2)
			cap *= 2;
		hk = calloc(cap, sizeof(uint32_t));
		hv = malloc((size_t)cap * sizeof(uint32_t));
		lead = malloc(((size_t)nr + 2) * sizeof(uint32_t));
		if (!hk || !hv || !lead) {
			free(hk);
			free(hv);
			free(lead);
			goto nomem;
		}
		ret = 0; /* a kernel may have no anonymous type: level 0 is empty */
		for (lv = 0; lv <= maxlv + 1 && at < nr; lv++) {
			uint32_t end = lv <= maxlv ? lvcnt[lv + 1] : nr, k;

			if (lv > maxlv)
				at = nanon;
			for (k = at; k < end; k++) {
				int64_t p;

				id = order[k];
				ret = enc_one(&ke, id, &enc);
				if (ret)
					break;
				p = btfdb_dbw_recset_get(&w->pool, enc.p, enc.len, 0);
				if (p == -1) {
					p = btfdb_dbw_recset_get(&w->fresh, enc.p, enc.len, 1);
					if (p >= 0)
						p += npool0;
				}
				if (p < 0 || p >= UINT32_MAX - 1) {
					ret = p < -1 ? (int)p : -ENOMEM;
					break;
				}
				ke.pid[id] = (uint32_t)p;
			}
			if (ret || lv > maxlv)
				break;
			/* group this level's ids by pool id (each group is final now):
			 * lead[x] = the group's first id; for leaders lcnt = size,
			 * lstart = start in alist, level[] = fill count (free now) */
			for (k = at; k < end; k++) {
				uint32_t j, x = order[k];

				for (j = (ke.pid[x] * 2654435761u) & (cap - 1);
				     hk[j] && hk[j] != ke.pid[x] + 1; j = (j + 1) & (cap - 1))
					;
				if (!hk[j]) {
					hk[j] = ke.pid[x] + 1;
					hv[j] = x;
					ke.lcnt[x] = 0;
					ke.level[x] = 0;
				}
				lead[x] = hv[j];
				ke.lcnt[hv[j]]++;
			}
			for (k = at; k < end; k++) {
				uint32_t x = order[k];

				if (lead[x] == x) {
					ke.lstart[x] = apos;
					apos += ke.lcnt[x];
				}
			}
			/* ids ascending within a level: groups fill ascending */
			for (k = at; k < end; k++) {
				uint32_t x = order[k], l = lead[x];

				ke.ord[x] = ke.level[l]++;
				ke.alist[ke.lstart[l] + ke.ord[x]] = x;
			}
			for (k = at; k < end; k++) {
				uint32_t x = order[k];

				ke.lstart[x] = ke.lstart[lead[x]];
				ke.lcnt[x] = ke.lcnt[lead[x]];
			}
			at = end;
		}
		free(hk);
		free(hv);
		free(lead);
		if (ret < 0)
			goto out;
		if (ret) {
			*why = "a type could not be encoded";
			goto out;
		}
	}
	ret = 1;

	/* 5b. final numbering of the new records: order of first use */
	nfresh = w->fresh.n;
	fmap = malloc(((size_t)nfresh + 1) * sizeof(uint32_t));
	if (!fmap)
		goto nomem;
	memset(fmap, 0xff, ((size_t)nfresh + 1) * sizeof(uint32_t));
	{
		uint32_t next = npool0;

		for (id = 1; id <= nr; id++) {
			uint32_t p = ke.pid[id];

			if (p >= npool0 && fmap[p - npool0] == BTFDB_DBW_NONE)
				fmap[p - npool0] = next++;
		}
		if (next - npool0 != nfresh) {
			*why = "internal: new records were not all used";
			goto out;
		}
	}
	for (id = 1; id <= nr; id++)
		if (ke.pid[id] >= npool0)
			ke.pid[id] = fmap[ke.pid[id] - npool0];
	/* pass B: re-encode each new record once with final ids, append in order */
	{
		uint64_t *roff = malloc(((size_t)nfresh + 1) * sizeof(uint64_t));
		uint32_t *rlen = calloc((size_t)nfresh + 1, sizeof(uint32_t));

		if (!roff || !rlen) {
			free(roff);
			free(rlen);
			goto nomem;
		}
		tmp.len = 0;
		ret = 0;
		for (i = 0; i < nr && !ret; i++) {
			uint32_t f;

			id = order[i];
			if (ke.pid[id] < npool0 || rlen[(f = ke.pid[id] - npool0)])
				continue;
			ret = enc_one(&ke, id, &enc);
			if (!ret && btfdb_dbuf_put(&tmp, enc.p, enc.len))
				ret = -ENOMEM;
			roff[f] = tmp.len - enc.len;
			rlen[f] = (uint32_t)enc.len;
		}
		for (i = 0; i < nfresh && !ret; i++) {
			int64_t p = btfdb_dbw_recset_get(&w->pool, tmp.p + roff[i], rlen[i], 1);

			if (p < 0 || btfdb_dbw_count_named(w, tmp.p + roff[i], rlen[i]))
				ret = -ENOMEM;
			else if ((uint64_t)p != (uint64_t)npool0 + i)
				ret = 1;
		}
		free(roff);
		free(rlen);
		if (ret < 0)
			goto out;
		if (ret) {
			*why = "internal: new records collide after renumbering";
			goto out;
		}
		ret = 1;
	}
	for (id = 1; id <= nr; id++)
		seq[id - 1] = ke.pid[id];

	/* 6. decode back through the reader's resolver and compare */
	if (btfdb_dbf_res_init(&res, seq, nr))
		goto nomem;
	res.named = named_ids;
	res.ctx = &ke;
	for (id = 1; id <= nr; id++) {
		const uint8_t *p, *pe;
		struct rt_ctx rc = { &ke, &res };
		size_t len;

		if ((ret = btfdb_dbw_recset_item(&w->pool, seq[id - 1], &p, &len)))
			goto out; /* a sealed block unreadable: fails the kernel */
		ret = 1;
		pe = p + len;
		if (btfdb_dbf_rec_decode(&p, pe, id, rt_name, rt_resolve, &rc, &dec) ||
		    p != pe) {
			*why = "record did not decode";
			goto out;
		}
	}
	if (dec.len != bh->type_len || memcmp(dec.p, raw + bh->hdr_len, dec.len)) {
		*why = "types did not round-trip";
		goto out;
	}
	dec.len = 0;
	for (i = 0; i < nstrs; i++) {
		const char *s = (const char *)w->sbuf.p + w->soff[strseq[i]];

		if (btfdb_dbuf_put(&dec, s, strlen(s) + 1))
			goto nomem;
	}
	if (dec.len != str_len || memcmp(dec.p, strs, str_len)) {
		*why = "strings did not round-trip";
		goto out;
	}

	/* per-kernel blocks: seq */
	wk->nseq = (nr + BTFDB_DBF_SEQ_BLK - 1) / BTFDB_DBF_SEQ_BLK;
	wk->seq = calloc(wk->nseq + 1, sizeof(*wk->seq));
	if (!wk->seq)
		goto nomem;
	for (i = 0; i < wk->nseq; i++) {
		int64_t prev = -1;

		tmp.len = 0;
		for (id = i * BTFDB_DBF_SEQ_BLK; id < nr && id < (i + 1) * BTFDB_DBF_SEQ_BLK; id++) {
			if (btfdb_dbuf_varint(&tmp, btfdb_dbf_zz((int64_t)seq[id] - prev - 1)))
				goto nomem;
			prev = seq[id];
		}
		if ((ret = btfdb_dbw_compress(&wk->seq[i], &tmp)))
			goto out;
	}
	/* inverse blocks: (pid, tid) pairs by pool id range, from the
	 * resolver's grouping (pids ascending, tids ascending per pid); only
	 * the ranges that hold some pair are stored, with their index */
	{
		uint32_t c0 = res.lo / BTFDB_DBF_INV_BLK, c1 = res.hi / BTFDB_DBF_INV_BLK, c;

		wk->inv = calloc((size_t)(c1 - c0) + 2, sizeof(*wk->inv));
		wk->inv_idx = calloc((size_t)(c1 - c0) + 2, sizeof(*wk->inv_idx));
		if (!wk->inv || !wk->inv_idx)
			goto nomem;
		for (c = c0; nr && c <= c1; c++) {
			uint64_t pid, lo = (uint64_t)c * BTFDB_DBF_INV_BLK, hi = lo + BTFDB_DBF_INV_BLK;
			int64_t prev = (int64_t)lo - 1, prev_tid = 0;

			tmp.len = 0;
			for (pid = lo; pid < hi && pid < w->pool.n; pid++) {
				uint32_t cnt, j;
				const uint32_t *t = btfdb_dbf_res_pid(&res, pid, &cnt);

				for (j = 0; j < cnt; j++) {
					if (btfdb_dbuf_varint(&tmp, (uint64_t)((int64_t)pid - prev)) ||
					    btfdb_dbuf_varint(&tmp,
							      btfdb_dbf_zz((int64_t)t[j] - prev_tid - 1)))
						goto nomem;
					prev = (int64_t)pid;
					prev_tid = t[j];
				}
			}
			if (!tmp.len)
				continue;
			wk->inv_idx[wk->ninv] = c;
			if ((ret = btfdb_dbw_compress(&wk->inv[wk->ninv++], &tmp)))
				goto out;
		}
	}
	/* named: the ids of every name more than NAMED_MIN records carry now */
	tmp.len = 0;
	{
		uint32_t s, prev = 0;

		for (s = 1; s < ke.nsids; s++) {
			const uint32_t *l = ke.nlist + ke.nstart[s];
			uint32_t j;

			if (!ke.ncnt[s] || s >= w->capnvar || w->nvar[s] <= BTFDB_DBF_NAMED_MIN)
				continue;
			if (btfdb_dbuf_varint(&tmp, s - prev) || btfdb_dbuf_varint(&tmp, ke.ncnt[s]))
				goto nomem;
			for (j = 0; j < ke.ncnt[s]; j++)
				if (btfdb_dbuf_varint(&tmp, j ? l[j] - l[j - 1] - 1 : l[0]))
					goto nomem;
			prev = s;
		}
	}
	if (tmp.len && (ret = btfdb_dbw_compress(&wk->named, &tmp)))
		goto out;
	/* strseq */
	tmp.len = 0;
	{
		int64_t prev = -1;

		for (i = 0; i < nstrs; i++) {
			if (btfdb_dbuf_varint(&tmp, btfdb_dbf_zz((int64_t)strseq[i] - prev - 1)))
				goto nomem;
			prev = strseq[i];
		}
	}
	if ((ret = btfdb_dbw_compress(&wk->strseq, &tmp)))
		goto out;
	wk->e.nr_strs = nstrs;
	wk->e.pool_cnt = w->pool.n;
	ret = 0;
	goto out;
nomem:
	ret = -ENOMEM;
out:
	if (ret == 1) {
		/* drop partial per-kernel blocks; orphan pool/string entries stay
		 * (btfdb_db_compact drops them) */
		for (i = 0; i < wk->nseq; i++)
			btfdb_dbw_blk_free(&wk->seq[i]);
		free(wk->seq);
		wk->seq = NULL;
		wk->nseq = 0;
		btfdb_dbw_blk_free(&wk->named);
		for (i = 0; i < wk->ninv; i++)
			btfdb_dbw_blk_free(&wk->inv[i]);
		free(wk->inv);
		free(wk->inv_idx);
		wk->inv = NULL;
		wk->inv_idx = NULL;
		wk->ninv = 0;
		if (!*why)
			*why = "a type could not be encoded";
	}
	btfdb_dbf_res_free(&res);
	btfdb_dbuf_free(&enc);
	btfdb_dbuf_free(&dec);
	btfdb_dbuf_free(&tmp);
	free(seq);
	free(strseq);
	free(order);
	free(fmap);
	free(lvcnt);
	free(ke.nsid);
	free(ke.ord);
	free(ke.nstart);
	free(ke.ncnt);
	free(ke.nlist);
	free(ke.delta);
	free(ke.level);
	free(ke.pid);
	free(ke.lstart);
	free(ke.lcnt);
	free(ke.alist);
	free(ke.edges);
	free(ke.eoff);
	free(w->str_at);
	w->str_at = NULL;
	return ret;
}

int btfdb_db_writer_add(struct btfdb_db_writer *w, const struct btfdb_btf *btf, const char *name,
			struct btfdb_err *err)
{
	struct wkernel *wk;
	const uint8_t *raw;
	const char *why = NULL;
	size_t size;
	int ret;

	raw = btfdb_btf_raw(btf, &size);
	if (!raw) {
		btfdb_err_set(err, "%s: BTF has no original bytes (database handle?)", name);
		return -EINVAL;
	}
	if (!name || !name[0] || strlen(name) > 4096) {
		btfdb_err_set(err, "kernel name must be 1..4096 characters");
		return -EINVAL;
	}
	if (btfdb_dbw_find(w, name) >= 0 && !strcmp(w->k[btfdb_dbw_find(w, name)].name, name)) {
		btfdb_err_set(err, "%s: a kernel of that name is in the database already", name);
		return -EEXIST;
	}
	if (size > BTFDB_DBF_MAX_ULEN) {
		btfdb_err_set(err, "%s: BTF blob too large (%zu bytes)", name, size);
		return -EFBIG;
	}
	if (btfdb_dbw_grow((void **)&w->k, &w->capk, w->nk + 1, sizeof(*w->k)))
		goto nomem;
	wk = &w->k[w->nk];
	memset(wk, 0, sizeof(*wk));
	wk->name = strdup(name);
	if (!wk->name)
		goto nomem;
	wk->e.blob_hash = btfdb_btf_hash(btf);
	wk->e.blob_size = size;
	wk->e.nr_types = btfdb_btf_type_cnt(btf) - btfdb_btf_start_id(btf);
	if (btfdb_btf_big_endian(btf))
		wk->e.flags |= BTFDB_DBF_K_BIG_ENDIAN;
	if (size >= sizeof(struct btf_header)) {
		const struct btf_header *bh = (const void *)raw;
		uint32_t hl = bh->hdr_len <= BTFDB_DBF_BTF_HDR_MAX ? bh->hdr_len : 0;

		if (btfdb_btf_big_endian(btf))
			hl = 0;
		wk->e.btf_hdr_len = hl;
		memcpy(wk->e.btf_hdr, raw, hl);
	}
	ret = add_shared(w, wk, btf, raw, size, &why);
	if (ret < 0) {
		btfdb_dbw_kernel_free(wk);
		if (ret == -ENOMEM)
			goto nomem;
		btfdb_err_set(err, "%s: compressing failed (%d)", name, ret);
		return ret;
	}
	if (ret == 1) {
		struct btfdb_dbuf b = { (uint8_t *)raw, size, size };

		btfdb_err_set(err, "%s", why ? why : "a type could not be encoded");
		wk->e.flags |= BTFDB_DBF_K_RAW;
		wk->e.nr_strs = 0;
		if (btfdb_dbw_compress(&wk->raw, &b)) {
			btfdb_dbw_kernel_free(wk);
			goto nomem;
		}
	}
	w->nk++;
	if (w->file.fd >= 0) { /* btfdb_db_writer_create(): to the file now */
		int r = btfdb_dbw_store_kernel(w, wk, err);

		if (r) {
			btfdb_dbw_kernel_free(wk);
			w->nk--;
			return r;
		}
		/* and the pool blocks it filled (a failure fails the output) */
		if ((r = btfdb_dbw_seal_pool(w, err)))
			return r;
	}
	return ret; /* 0 shared, 1 raw */
nomem:
	btfdb_err_set(err, "%s: out of memory", name);
	return -ENOMEM;
}
