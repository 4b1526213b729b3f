/* SPDX-License-Identifier: MIT */
/*
 * Reading a btfdb database: open via mmap, validate, list, extract, verify,
 * and lazy per-kernel BTF / index backends (layout: db_format.h).
 *
 * Validation is layered so that opening stays cheap:
 *  - open: header checksum and fields, section bounds, checksums of the
 *    TABLES, NAMES and KERNELS sections, every table array and kernel
 *    entry in bounds;
 *  - on use: every block's bounds, checksum and exact inflated size, every
 *    varint, id and offset decoded from it (blocks are inflated once and
 *    cached for the life of the db);
 *  - verify: the DATA checksum and every block and kernel in full.
 *
 * A backend BTF handle maps type id -> pool id through the kernel's seq
 * blocks, decodes the pool record for that id (name_off := sid) and caches
 * it.  References resolve through the kernel's resolver (kres): its seq
 * inverted (pool id -> type ids) and, for named targets, the shared name
 * map (sid -> pool ids).  The backend index maps an essential name to sids
 * through the shared name index, then sids to type ids the same way.
 * Chains of typedefs/modifiers/arrays/vars are checked to end within 64
 * links when a type is first handed out, so a crafted file cannot make
 * callers loop; verify re-parses every kernel with the full flat checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btfdb_internal.h"
#include "db_read_internal.h"

/* An inflated, parsed block (cached). */
struct cblk {
	uint8_t *data;    /* ulen bytes + 1 NUL */
	uint32_t *offs;   /* strings / pool: n + 1 item starts */
	uint32_t n;
	bool ok;          /* filled */
};

struct btfdb_db {
	uint8_t *map;
	size_t size;
	struct btfdb_dbf_hdr h;
	const struct btfdb_dbf_kernel *kernels;
	const struct btfdb_dbf_blockref *str_refs, *pool_refs, *gidx_refs, *smap_refs;
	uint32_t nstrb, npoolb, ngidxb, nsmapb;
	struct cblk *str_c, *pool_c, *gidx_c, *smap_c;
};

static const char *secname[] = { "DATA", "TABLES", "NAMES", "KERNELS" };

/* ---- block access ---- */

int btfdb_dbr_checked_data(const struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
			   const uint8_t **data, struct btfdb_err *err)
{
	const struct btfdb_dbf_sect *d = &db->h.sects[BTFDB_DBF_SEC_DATA];

	if (ref->off < d->off || ref->off > d->off + d->len || ref->clen > d->off + d->len - ref->off ||
	    ref->ulen > BTFDB_DBF_MAX_ULEN || (!ref->ulen && ref->clen)) {
		btfdb_err_set(err, "database corrupt: block at %llu (+%u) outside the data section",
			      (unsigned long long)ref->off, ref->clen);
		return -EINVAL;
	}
	*data = db->map + ref->off;
	if (btfdb_hash64(*data, ref->clen) != ref->csum) {
		btfdb_err_set(err, "database corrupt: checksum mismatch in block at %llu",
			      (unsigned long long)ref->off);
		return -EINVAL;
	}
	return 0;
}

int btfdb_dbr_inflate(const struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
		      uint8_t **out, struct btfdb_err *err)
{
	const uint8_t *src;
	uint8_t *buf;
	int ret = btfdb_dbr_checked_data(db, ref, &src, err);

	*out = NULL;
	if (ret)
		return ret;
	buf = malloc((size_t)ref->ulen + 1);
	if (!buf) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (btfdb_dbf_inflate(src, ref->clen, buf, ref->ulen)) {
		free(buf);
		btfdb_err_set(err, "database corrupt: block at %llu does not inflate to %u bytes",
			      (unsigned long long)ref->off, ref->ulen);
		return -EINVAL;
	}
	buf[ref->ulen] = 0;
	*out = buf;
	return 0;
}

const struct btfdb_dbf_hdr *btfdb_dbr_hdr(const struct btfdb_db *db) { return &db->h; }
const struct btfdb_dbf_blockref *btfdb_dbr_refs(const struct btfdb_db *db, uint64_t off)
{
	return (const struct btfdb_dbf_blockref *)(db->map + off);
}
const struct btfdb_dbf_kernel *btfdb_dbr_kernel(const struct btfdb_db *db, uint32_t k)
{
	return &db->kernels[k];
}
const char *btfdb_dbr_kernel_name(const struct btfdb_db *db, uint32_t k)
{
	return (const char *)db->map + db->kernels[k].name_off;
}

/* String block b: inflate and index its strings (count checked). */
static struct cblk *str_block(struct btfdb_db *db, uint32_t b, struct btfdb_err *err)
{
	struct cblk *c = &db->str_c[b];
	uint32_t want = b + 1 < db->nstrb ? db->h.str_blk : db->h.nr_strings - b * db->h.str_blk;
	uint32_t i, pos, ulen = db->str_refs[b].ulen;

	if (c->ok)
		return c;
	if (btfdb_dbr_inflate(db, &db->str_refs[b], &c->data, err))
		return NULL;
	c->offs = malloc(((size_t)want + 1) * sizeof(uint32_t));
	if (!c->offs)
		goto bad;
	for (i = 0, pos = 0; i < want && pos < ulen; i++) {
		c->offs[i] = pos;
		pos += (uint32_t)strlen((const char *)c->data + pos) + 1;
	}
	if (i != want || pos != ulen)
		goto bad;
	c->n = want;
	c->ok = true;
	return c;
bad:
	btfdb_err_set(err, "database corrupt: string block %u does not hold %u strings", b, want);
	free(c->data);
	free(c->offs);
	c->data = NULL;
	c->offs = NULL;
	return NULL;
}

static const char *db_str(struct btfdb_db *db, uint64_t sid, struct btfdb_err *err)
{
	struct cblk *c;

	if (sid >= db->h.nr_strings) {
		btfdb_err_set(err, "database corrupt: string id %llu out of range",
			      (unsigned long long)sid);
		return NULL;
	}
	c = str_block(db, (uint32_t)(sid / db->h.str_blk), err);
	return c ? (const char *)c->data + c->offs[sid % db->h.str_blk] : NULL;
}

/* Pool record pid: [*p, *end). */
static int pool_rec(struct btfdb_db *db, uint64_t pid, const uint8_t **p, const uint8_t **end,
		    struct btfdb_err *err)
{
	uint32_t b, want, i;
	struct cblk *c;

	if (pid >= db->h.nr_pool) {
		btfdb_err_set(err, "database corrupt: pool id %llu out of range",
			      (unsigned long long)pid);
		return -EINVAL;
	}
	b = (uint32_t)(pid / db->h.pool_blk);
	c = &db->pool_c[b];
	if (!c->ok) {
		const uint8_t *q, *e;
		int ret = btfdb_dbr_inflate(db, &db->pool_refs[b], &c->data, err);

		if (ret)
			return ret;
		want = b + 1 < db->npoolb ? db->h.pool_blk : db->h.nr_pool - b * db->h.pool_blk;
		c->offs = malloc(((size_t)want + 1) * sizeof(uint32_t));
		if (!c->offs) {
			free(c->data);
			btfdb_err_set(err, "out of memory");
			return -ENOMEM;
		}
		q = c->data;
		e = q + db->pool_refs[b].ulen;
		for (i = 0; i < want; i++) {
			c->offs[i] = (uint32_t)(q - c->data);
			if (btfdb_dbf_rec_skip(&q, e))
				break;
		}
		if (i != want || q != e) {
			free(c->data);
			free(c->offs);
			c->data = NULL;
			c->offs = NULL;
			btfdb_err_set(err, "database corrupt: pool block %u is malformed", b);
			return -EINVAL;
		}
		c->offs[want] = (uint32_t)(q - c->data);
		c->n = want;
		c->ok = true;
	}
	i = (uint32_t)(pid % db->h.pool_blk);
	*p = c->data + c->offs[i];
	*end = c->data + c->offs[i + 1];
	return 0;
}

/* ---- open ---- */

static bool range_ok(uint64_t off, uint64_t len, uint64_t lo, uint64_t hi)
{
	return off >= lo && off <= hi && len <= hi - off;
}

/* A table of n blockrefs at off, inside TABLES and 8-aligned. */
static bool table_ok(const struct btfdb_db *db, uint64_t off, uint64_t n)
{
	const struct btfdb_dbf_sect *t = &db->h.sects[BTFDB_DBF_SEC_TABLES];

	if (!n)
		return true;
	return off % 8 == 0 && n <= UINT32_MAX &&
	       range_ok(off, n * sizeof(struct btfdb_dbf_blockref), t->off, t->off + t->len);
}

static uint32_t div_up(uint64_t a, uint32_t b) { return (uint32_t)((a + b - 1) / b); }

static int check_kernel(struct btfdb_db *db, uint32_t k, struct btfdb_err *err)
{
	const struct btfdb_dbf_kernel *e = &db->kernels[k];
	const struct btfdb_dbf_sect *n = &db->h.sects[BTFDB_DBF_SEC_NAMES];
	const char *name = (const char *)db->map + e->name_off;

	if (!range_ok(e->name_off, 1, n->off, n->off + n->len) ||
	    !memchr(name, 0, n->off + n->len - e->name_off)) {
		btfdb_err_set(err, "database corrupt: kernel %u: bad name offset", k);
		return -EINVAL;
	}
	if (e->flags & ~(uint32_t)(BTFDB_DBF_K_RAW | BTFDB_DBF_K_BIG_ENDIAN) ||
	    e->btf_hdr_len > BTFDB_DBF_BTF_HDR_MAX || e->pool_cnt > db->h.nr_pool ||
	    e->blob_size > BTFDB_DBF_MAX_ULEN || e->nr_types >= UINT32_MAX / 2) {
		btfdb_err_set(err, "database corrupt: kernel '%s': bad entry fields", name);
		return -EINVAL;
	}
	if (e->flags & BTFDB_DBF_K_RAW)
		return 0;
	if (!table_ok(db, e->seq_tab, div_up(e->nr_types, db->h.seq_blk)) || e->reserved ||
	    e->reserved2) {
		btfdb_err_set(err, "database corrupt: kernel '%s': block table out of bounds", name);
		return -EINVAL;
	}
	return 0;
}

static int validate(struct btfdb_db *db, struct btfdb_err *err)
{
	struct btfdb_dbf_hdr *h = &db->h;
	uint64_t csum, lo = sizeof(*h);
	uint32_t i;

	if (db->size < 8 || memcmp(db->map, BTFDB_DBF_MAGIC, 8)) {
		btfdb_err_set(err, "not a btfdb database (bad magic)");
		return -EINVAL;
	}
	if (db->size < sizeof(*h)) {
		btfdb_err_set(err, "database truncated: %zu bytes, header needs %zu", db->size,
			      sizeof(*h));
		return -EINVAL;
	}
	memcpy(h, db->map, sizeof(*h));
	if (h->version != BTFDB_DBF_VERSION) {
		btfdb_err_set(err, "unsupported database version %u (this reader: %u)", h->version,
			      BTFDB_DBF_VERSION);
		return -ENOTSUP;
	}
	if (h->hdr_len != sizeof(*h)) {
		btfdb_err_set(err, "database corrupt: header length %u, expected %zu", h->hdr_len,
			      sizeof(*h));
		return -EINVAL;
	}
	if (h->file_size != db->size) {
		btfdb_err_set(err, "database truncated or extended: %zu bytes, header says %llu",
			      db->size, (unsigned long long)h->file_size);
		return -EINVAL;
	}
	csum = h->hdr_csum;
	h->hdr_csum = 0;
	if (btfdb_hash64(h, sizeof(*h)) != csum) {
		btfdb_err_set(err, "database corrupt: header checksum mismatch");
		return -EINVAL;
	}
	h->hdr_csum = csum;
	if (h->flags || h->reserved || !h->str_blk || !h->pool_blk || !h->seq_blk ||
	    !h->smap_blk || h->str_blk > (1u << 20) || h->pool_blk > (1u << 20) ||
	    h->seq_blk > (1u << 24) || h->smap_blk > (1u << 20) || !h->gidx_gpb || h->gidx_gpb > 4096 || !h->gidx_groups ||
	    (h->gidx_groups & (h->gidx_groups - 1)) || h->gidx_groups % h->gidx_gpb ||
	    !h->nr_strings) {
		btfdb_err_set(err, "database corrupt: bad header parameters");
		return -EINVAL;
	}
	for (i = 0; i < BTFDB_DBF_NR_SECS; i++) {
		const struct btfdb_dbf_sect *s = &h->sects[i];

		if (!range_ok(s->off, s->len, lo, db->size)) {
			btfdb_err_set(err, "database corrupt: section %s out of bounds", secname[i]);
			return -EINVAL;
		}
		/* only zero padding (< 8 bytes) may separate sections */
		if (s->off - lo >= 8 || (i == 0 && s->off != lo) ||
		    memcmp(db->map + lo, "\0\0\0\0\0\0\0", s->off - lo)) {
			btfdb_err_set(err, "database corrupt: bytes before section %s", secname[i]);
			return -EINVAL;
		}
		lo = s->off + s->len;
		if (i != BTFDB_DBF_SEC_DATA && btfdb_hash64(db->map + s->off, s->len) != s->csum) {
			btfdb_err_set(err, "database corrupt: section %s checksum mismatch", secname[i]);
			return -EINVAL;
		}
	}
	if (lo != db->size) {
		btfdb_err_set(err, "database corrupt: bytes after the last section");
		return -EINVAL;
	}
	if (h->sects[BTFDB_DBF_SEC_KERNELS].len != (uint64_t)h->nr_kernels * sizeof(*db->kernels) ||
	    h->sects[BTFDB_DBF_SEC_KERNELS].off % 8) {
		btfdb_err_set(err, "database corrupt: kernel table size does not match %u kernels",
			      h->nr_kernels);
		return -EINVAL;
	}
	db->kernels = (const void *)(db->map + h->sects[BTFDB_DBF_SEC_KERNELS].off);
	db->nstrb = div_up(h->nr_strings, h->str_blk);
	db->npoolb = div_up(h->nr_pool, h->pool_blk);
	db->ngidxb = h->gidx_groups / h->gidx_gpb;
	db->nsmapb = div_up(h->nr_strings, h->smap_blk);
	if (!table_ok(db, h->str_tab, db->nstrb) || !table_ok(db, h->pool_tab, db->npoolb) ||
	    !table_ok(db, h->gidx_tab, db->ngidxb) || !table_ok(db, h->smap_tab, db->nsmapb)) {
		btfdb_err_set(err, "database corrupt: block table out of bounds");
		return -EINVAL;
	}
	db->str_refs = btfdb_dbr_refs(db, h->str_tab);
	db->pool_refs = btfdb_dbr_refs(db, h->pool_tab);
	db->gidx_refs = btfdb_dbr_refs(db, h->gidx_tab);
	db->smap_refs = btfdb_dbr_refs(db, h->smap_tab);
	for (i = 0; i < h->nr_kernels; i++)
		if (check_kernel(db, i, err))
			return -EINVAL;
	db->str_c = calloc(db->nstrb + 1, sizeof(struct cblk));
	db->pool_c = calloc(db->npoolb + 1, sizeof(struct cblk));
	db->gidx_c = calloc(db->ngidxb + 1, sizeof(struct cblk));
	db->smap_c = calloc(db->nsmapb + 1, sizeof(struct cblk));
	if (!db->str_c || !db->pool_c || !db->gidx_c || !db->smap_c) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int btfdb_db_open(const char *path, struct btfdb_db **out, struct btfdb_err *err)
{
	struct btfdb_db *db;
	struct stat st;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		btfdb_err_set(err, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		btfdb_err_set(err, "%s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	db = calloc(1, sizeof(*db));
	if (!db) {
		close(fd);
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	db->size = st.st_size;
	if (!S_ISREG(st.st_mode) || !db->size) {
		close(fd);
		free(db);
		btfdb_err_set(err, "%s: not a btfdb database (empty or not a regular file)", path);
		return -EINVAL;
	}
	db->map = mmap(NULL, db->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (db->map == MAP_FAILED) {
		ret = -errno;
		free(db);
		btfdb_err_set(err, "%s: mmap: %s", path, strerror(-ret));
		return ret;
	}
	ret = validate(db, err);
	if (ret) {
		btfdb_err_prefix(err, "%s: ", path);
		btfdb_db_close(db);
		return ret;
	}
	*out = db;
	return 0;
}

static void cache_free(struct cblk *c, uint32_t n)
{
	uint32_t i;

	if (!c)
		return;
	for (i = 0; i < n; i++) {
		free(c[i].data);
		free(c[i].offs);
	}
	free(c);
}

void btfdb_db_close(struct btfdb_db *db)
{
	if (!db)
		return;
	cache_free(db->str_c, db->nstrb);
	cache_free(db->pool_c, db->npoolb);
	cache_free(db->gidx_c, db->ngidxb);
	cache_free(db->smap_c, db->nsmapb);
	if (db->map && db->map != MAP_FAILED)
		munmap(db->map, db->size);
	free(db);
}

/* ---- listing ---- */

uint32_t btfdb_db_kernel_count(const struct btfdb_db *db)
{
	return db->h.nr_kernels;
}

static uint64_t refs_bytes(const struct btfdb_dbf_blockref *r, uint32_t n)
{
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		s += r[i].clen;
	return s;
}

static uint64_t kernel_bytes(const struct btfdb_db *db, const struct btfdb_dbf_kernel *e)
{
	if (e->flags & BTFDB_DBF_K_RAW)
		return e->raw.clen;
	return e->strseq.clen +
	       refs_bytes(btfdb_dbr_refs(db, e->seq_tab), div_up(e->nr_types, db->h.seq_blk));
}

int btfdb_db_kernel_info(const struct btfdb_db *db, uint32_t k, struct btfdb_db_kernel_info *info)
{
	const struct btfdb_dbf_kernel *e;
	const char *s;

	if (k >= db->h.nr_kernels)
		return -ENOENT;
	e = &db->kernels[k];
	info->name = btfdb_dbr_kernel_name(db, k);
	s = strrchr(info->name, '/');
	info->release = s ? s + 1 : info->name;
	info->blob_hash = e->blob_hash;
	info->blob_size = e->blob_size;
	info->nr_types = e->nr_types;
	info->raw = e->flags & BTFDB_DBF_K_RAW;
	info->big_endian = e->flags & BTFDB_DBF_K_BIG_ENDIAN;
	info->own_bytes = kernel_bytes(db, e);
	return 0;
}

void btfdb_db_info(const struct btfdb_db *db, struct btfdb_db_info *info)
{
	uint32_t k;

	memset(info, 0, sizeof(*info));
	info->file_size = db->size;
	info->nr_kernels = db->h.nr_kernels;
	info->nr_strings = db->h.nr_strings;
	info->nr_pool = db->h.nr_pool;
	info->strings_bytes = refs_bytes(db->str_refs, db->nstrb);
	info->pool_bytes = refs_bytes(db->pool_refs, db->npoolb);
	info->index_bytes = refs_bytes(db->gidx_refs, db->ngidxb) +
			    refs_bytes(db->smap_refs, db->nsmapb);
	for (k = 0; k < db->h.nr_kernels; k++) {
		info->raw_total += db->kernels[k].blob_size;
		info->kernel_bytes += kernel_bytes(db, &db->kernels[k]);
	}
}

int btfdb_db_find_kernel(const struct btfdb_db *db, const char *name, struct btfdb_err *err)
{
	int found = -1;
	uint32_t k;

	for (k = 0; k < db->h.nr_kernels; k++)
		if (!strcmp(btfdb_dbr_kernel_name(db, k), name))
			return (int)k;
	for (k = 0; k < db->h.nr_kernels; k++) {
		const char *n = btfdb_dbr_kernel_name(db, k), *s = strrchr(n, '/');

		if (!strcmp(s ? s + 1 : n, name)) {
			if (found >= 0) {
				btfdb_err_set(err, "kernel '%s' is ambiguous: give the full name "
					      "(e.g. %s)", name, n);
				return -ENOTUNIQ;
			}
			found = (int)k;
		}
	}
	if (found < 0) {
		btfdb_err_set(err, "kernel '%s' is not in the database", name);
		return -ENOENT;
	}
	return found;
}

/* ---- per-kernel decoding ---- */

/* Decode seq block b of kernel e into ids (count = ids in that block). */
static int seq_block(struct btfdb_db *db, const struct btfdb_dbf_kernel *e, uint32_t b,
		     uint32_t *ids, struct btfdb_err *err)
{
	const struct btfdb_dbf_blockref *r = btfdb_dbr_refs(db, e->seq_tab) + b;
	uint32_t n = b + 1 < div_up(e->nr_types, db->h.seq_blk) ? db->h.seq_blk
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

/* ---- the name map and the per-kernel resolver ---- */

/* Name-map block b, parsed: offs[i] = start of sid b*smap_blk+i's entry. */
static struct cblk *smap_block(struct btfdb_db *db, uint32_t b, struct btfdb_err *err)
{
	struct cblk *c = &db->smap_c[b];
	uint32_t want = b + 1 < db->nsmapb ? db->h.smap_blk : db->h.nr_strings - b * db->h.smap_blk;
	const uint8_t *p, *end;
	uint32_t i;

	if (c->ok)
		return c;
	if (btfdb_dbr_inflate(db, &db->smap_refs[b], &c->data, err))
		return NULL;
	c->offs = malloc(((size_t)want + 1) * sizeof(uint32_t));
	if (!c->offs)
		goto bad;
	p = c->data;
	end = p + db->smap_refs[b].ulen;
	for (i = 0; i < want; i++) {
		uint64_t n, v, j;

		c->offs[i] = (uint32_t)(p - c->data);
		if (btfdb_dbf_get_varint(&p, end, &n) || n > (uint64_t)(end - p))
			break;
		for (j = 0; j < n; j++)
			if (btfdb_dbf_get_varint(&p, end, &v))
				break;
		if (j != n)
			break;
	}
	if (i != want || p != end)
		goto bad;
	c->offs[want] = (uint32_t)(p - c->data);
	c->n = want;
	c->ok = true;
	return c;
bad:
	btfdb_err_set(err, "database corrupt: name map block %u is malformed", b);
	free(c->data);
	free(c->offs);
	c->data = NULL;
	c->offs = NULL;
	return NULL;
}

/*
 * A kernel's resolver: its full seq, inverted, plus a cache of the
 * ascending type ids per name sid (built from the name map on first use).
 */
struct kres {
	struct btfdb_db *db;
	const struct btfdb_dbf_kernel *e;
	uint32_t *seq;             /* nr_types pool ids */
	struct btfdb_dbf_res res;
	uint32_t *ckey;            /* cache: sid + 1, 0 = empty */
	uint32_t **cval;           /* cache: the ids (malloc'd; NULL when none) */
	uint32_t *cn;              /* cache: how many */
	uint32_t ccap, cused;
	struct btfdb_err *err;     /* where resolution failures are reported */
	bool ok;
};

static void kres_free(struct kres *r)
{
	uint32_t i;

	for (i = 0; r->cval && i < r->ccap; i++)
		free(r->cval[i]);
	free(r->ckey);
	free(r->cval);
	free(r->cn);
	free(r->seq);
	btfdb_dbf_res_free(&r->res);
	memset(r, 0, sizeof(*r));
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int kres_cache_grow(struct kres *r)
{
	uint32_t cap = r->ccap ? r->ccap * 2 : 1024, i, j;
	uint32_t *k = calloc(cap, sizeof(uint32_t)), *n = malloc((size_t)cap * sizeof(uint32_t));
	uint32_t **v = calloc(cap, sizeof(uint32_t *));

	if (!k || !n || !v) {
		free(k);
		free(n);
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < r->ccap; i++) {
		if (!r->ckey[i])
			continue;
		for (j = (r->ckey[i] * 2654435761u) & (cap - 1); k[j]; j = (j + 1) & (cap - 1))
			;
		k[j] = r->ckey[i];
		v[j] = r->cval[i];
		n[j] = r->cn[i];
	}
	free(r->ckey);
	free(r->cval);
	free(r->cn);
	r->ckey = k;
	r->cval = v;
	r->cn = n;
	r->ccap = cap;
	return 0;
}

/* Ascending type ids of this kernel named sid (the resolver's callback). */
static int kres_named(void *ctx, uint64_t sid, const uint32_t **ids, uint32_t *n)
{
	struct kres *r = ctx;
	struct btfdb_db *db = r->db;
	uint32_t j, *out = NULL, cnt = 0, cap = 0;
	const uint8_t *p, *end;
	uint64_t np, v, i, pid = 0;
	struct cblk *c;

	if (!sid || sid >= db->h.nr_strings)
		return -EINVAL;
	if ((r->cused + 1) * 2 > r->ccap && kres_cache_grow(r))
		return -ENOMEM;
	for (j = ((uint32_t)sid + 1) * 2654435761u & (r->ccap - 1); r->ckey[j];
	     j = (j + 1) & (r->ccap - 1)) {
		if (r->ckey[j] == sid + 1) {
			*ids = r->cval[j];
			*n = r->cn[j];
			return 0;
		}
	}
	c = smap_block(db, (uint32_t)(sid / db->h.smap_blk), r->err);
	if (!c)
		return -EINVAL;
	p = c->data + c->offs[sid % db->h.smap_blk];
	end = c->data + c->offs[sid % db->h.smap_blk + 1];
	if (btfdb_dbf_get_varint(&p, end, &np))
		return -EINVAL;
	for (i = 0; i < np; i++) {
		const uint32_t *l;
		uint32_t ln;

		if (btfdb_dbf_get_varint(&p, end, &v))
			return -EINVAL;
		pid = i ? pid + v + 1 : v;
		if (pid >= db->h.nr_pool) {
			free(out);
			btfdb_err_set(r->err, "database corrupt: name map pool id out of range");
			return -EINVAL;
		}
		l = btfdb_dbf_res_pid(&r->res, pid, &ln);
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
	}
	if (cnt > 1 && np > 1)
		qsort(out, cnt, sizeof(uint32_t), u32_cmp);
	r->ckey[j] = (uint32_t)sid + 1;
	r->cval[j] = out;
	r->cn[j] = cnt;
	r->cused++;
	*ids = out;
	*n = cnt;
	return 0;
}

/* Load the kernel's whole seq and invert it (first use). */
static int kres_init(struct kres *r, struct btfdb_db *db, const struct btfdb_dbf_kernel *e,
		     struct btfdb_err *err)
{
	uint32_t nb = div_up(e->nr_types, db->h.seq_blk), b;
	int ret;

	r->db = db;
	r->e = e;
	r->err = err;
	r->seq = malloc(((size_t)e->nr_types + 1) * sizeof(uint32_t));
	if (!r->seq)
		goto nomem;
	for (b = 0; b < nb; b++)
		if ((ret = seq_block(db, e, b, r->seq + (size_t)b * db->h.seq_blk, err)))
			return ret;
	if (btfdb_dbf_res_init(&r->res, r->seq, e->nr_types) || kres_cache_grow(r))
		goto nomem;
	r->res.named = kres_named;
	r->res.ctx = r;
	r->ok = true;
	return 0;
nomem:
	btfdb_err_set(err, "out of memory");
	return -ENOMEM;
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
	e = &db->kernels[k];
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
	if ((ret = kres_init(&kr, db, e, err)))
		goto out;
	ret = -ENOMEM;
	x.first = calloc(db->h.nr_strings, sizeof(uint32_t));
	if (!x.first || btfdb_dbuf_reserve(&out, e->blob_size))
		goto nomem;
	for (i = 0; i < e->nr_strs; i++) {
		const char *s = db_str(db, sids[i], err);

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

		if ((ret = pool_rec(db, kr.seq[id - 1], &p, &end, err)))
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
			      "(hash mismatch)", btfdb_dbr_kernel_name(db, k));
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
	kres_free(&kr);
	return ret;
}

/* ---- BTF backend ---- */

struct dbk {
	struct btfdb_db *db;
	const struct btfdb_dbf_kernel *e;
	struct kres kr;                /* resolver (set up on first use) */
	const struct btf_type **types; /* decoded types by id (lazy) */
	uint8_t *checked;              /* chain check passed */
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
	kres_free(&k->kr);
	free(k->types);
	free(k->checked);
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
	kres_free(&k->kr);
	return kres_init(&k->kr, k->db, k->e, &k->err);
}

static int64_t id_sid_name(void *c, uint64_t sid)
{
	struct dbk *k = c;

	return sid < k->db->h.nr_strings ? (int64_t)sid : -1;
}

static int64_t dbk_resolve(void *c, const struct btfdb_dbf_ref *r, uint32_t own)
{
	return btfdb_dbf_res_resolve(&((struct dbk *)c)->kr.res, r, own);
}

/* Every type reference of a decoded record must be a valid id. */
static bool refs_in_range(const struct btf_type *t, uint32_t max)
{
	unsigned kind = btfdb_kind(t), vlen = btfdb_vlen(t), i;
	const uint32_t *x = (const uint32_t *)(t + 1);

	switch (kind) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
	case BTF_KIND_TYPE_TAG:
		return t->type <= max;
	case BTF_KIND_FUNC_PROTO:
		for (i = 0; i < vlen; i++)
			if (x[2 * i + 1] > max)
				return false;
		return t->type <= max;
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

/* Decode and cache type id (no chain check). */
static const struct btf_type *dbk_decode(struct dbk *k, uint32_t id)
{
	struct btfdb_db *db = k->db;
	struct btfdb_dbuf *ch;
	const uint8_t *p, *end;
	size_t start;
	const struct btf_type *t;

	if (k->types[id])
		return k->types[id];
	if (dbk_ready(k))
		return NULL;
	if (pool_rec(db, k->kr.seq[id - 1], &p, &end, &k->err))
		return NULL;
	/* decode into the current chunk; a new chunk when it is full */
	if (!k->nchunks || k->chunks[k->nchunks - 1].len + (end - p) * 4 + 16 > CHUNK_SIZE) {
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
		/* records decode to at most 4 bytes per input byte + header */
		if (btfdb_dbuf_reserve(ch, CHUNK_SIZE > (size_t)(end - p) * 4 + 16 ?
				       CHUNK_SIZE : (size_t)(end - p) * 4 + 16))
			return NULL;
	}
	ch = &k->chunks[k->nchunks - 1];
	start = ch->len;
	if (btfdb_dbf_rec_decode(&p, end, id, id_sid_name, dbk_resolve, k, ch) || p != end) {
		btfdb_err_set(&k->err, "database corrupt: type %u does not decode", id);
		ch->len = start;
		return NULL;
	}
	t = (const struct btf_type *)(ch->p + start);
	if (!refs_in_range(t, k->e->nr_types)) {
		btfdb_err_set(&k->err, "database corrupt: type %u refers past the last type", id);
		return NULL;
	}
	k->types[id] = t;
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
	if (!t || k->checked[id])
		return t;
	/* the chain from id must end (or reach a checked type) within CHAIN_MAX */
	for (cur = chain_next(t), n = 0; cur && !k->checked[cur]; n++) {
		if (cur == id || n >= CHAIN_MAX) {
			btfdb_err_set(&k->err, "database corrupt: type %u starts a reference cycle "
				      "or a chain longer than %d", id, CHAIN_MAX);
			return NULL;
		}
		if (!(u = dbk_decode(k, cur)))
			return NULL;
		cur = chain_next(u);
	}
	k->checked[id] = 1;
	return t;
}

static const char *dbk_str(void *c, uint32_t off)
{
	struct dbk *k = c;

	return db_str(k->db, off, &k->err);
}

static const struct btfdb_backend_ops dbk_btf_ops = {
	.type = dbk_type,
	.str = dbk_str,
	.free = dbk_put,
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
	struct cblk *cb = &db->gidx_c[b];
	const uint8_t *p, *end;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (dbk_ready(k))
		return 0;
	if (!cb->ok) {
		const struct btfdb_dbf_blockref *r = &db->gidx_refs[b];
		uint32_t hdr = 4 * (db->h.gidx_gpb + 1), i, o[2];

		if (btfdb_dbr_inflate(db, r, &cb->data, &k->err))
			return 0;
		for (i = 0; i < db->h.gidx_gpb && r->ulen >= hdr; i++) {
			memcpy(o, cb->data + 4 * i, 8);
			if (o[0] < hdr || o[0] > o[1] || o[1] > r->ulen)
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
			const char *s = db_str(db, esid, &k->err);

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
			if (kres_named(&k->kr, sid, &l, &ln))
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
	qsort(ids, n, sizeof(*ids), u32_cmp);
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
	e = &db->kernels[k];
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
	c->types = calloc((size_t)e->nr_types + 1, sizeof(*c->types));
	c->checked = calloc((size_t)e->nr_types + 1, 1);
	c->refs = 1;
	if (!c->types || !c->checked) {
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

/* ---- verify ---- */

int btfdb_db_verify(struct btfdb_db *db, struct btfdb_err *err)
{
	const struct btfdb_dbf_sect *d = &db->h.sects[BTFDB_DBF_SEC_DATA];
	uint32_t b, k;
	uint8_t *buf;
	int ret;

	if (btfdb_hash64(db->map + d->off, d->len) != d->csum) {
		btfdb_err_set(err, "database corrupt: section DATA checksum mismatch");
		return -EINVAL;
	}
	for (b = 0; b < db->nstrb; b++)
		if (!str_block(db, b, err))
			return -EINVAL;
	for (b = 0; b < db->npoolb; b++) {
		const uint8_t *p, *end;

		if ((ret = pool_rec(db, (uint64_t)b * db->h.pool_blk, &p, &end, err)))
			return ret;
	}
	for (b = 0; b < db->ngidxb; b++) {
		if ((ret = btfdb_dbr_inflate(db, &db->gidx_refs[b], &buf, err)))
			return ret;
		free(buf);
	}
	for (b = 0; b < db->nsmapb; b++)
		if (!smap_block(db, b, err))
			return -EINVAL;
	for (k = 0; k < db->h.nr_kernels; k++) {
		struct btfdb_btf *btf;
		void *data;
		size_t size;

		ret = btfdb_db_extract(db, k, &data, &size, err);
		/* the full flat checks (ids, names, reference cycles) */
		if (!ret && !(ret = btfdb_btf_parse_owned(data, size, NULL, &btf, err)))
			btfdb_btf_free(btf);
		if (ret) {
			btfdb_err_prefix(err, "kernel '%s': ", btfdb_dbr_kernel_name(db, k));
			return ret;
		}
	}
	return 0;
}
