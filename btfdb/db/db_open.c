/* SPDX-License-Identifier: MIT */
/*
 * Reading a btfdb database: open (mmap and validate), close, listing.
 *
 * Validation is layered so that opening stays cheap:
 *  - open: the header slot in force (db_format.h), its checksum and
 *    fields, section bounds, checksums of the TABLES, NAMES and KERNELS
 *    sections, every table array and kernel entry in bounds;
 *  - on use: every block's bounds, checksum and exact inflated size, every
 *    varint, id and offset decoded from it (db_block.c, db_kres.c);
 *  - verify: every block and kernel in full
 *    (db_extract.c).
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

static const char *secname[] = { "DATA", "TABLES", "NAMES", "KERNELS" };

/* ---- open ---- */

static bool range_ok(uint64_t off, uint64_t len, uint64_t lo, uint64_t hi)
{
	return off >= lo && off <= hi && len <= hi - off;
}

/*
 * A table of n entries of size sz at off, 8-aligned, inside TABLES (the
 * shared arrays) or (kernel) inside DATA (a kernel's arrays).
 */
static bool table_ok(const struct btfdb_db *db, uint64_t off, uint64_t n, size_t sz, bool kernel)
{
	const struct btfdb_dbf_sect *t = &db->h.sects[kernel ? BTFDB_DBF_SEC_DATA : BTFDB_DBF_SEC_TABLES];

	if (!n)
		return true;
	return off % 8 == 0 && n <= UINT32_MAX && range_ok(off, n * sz, t->off, t->off + t->len);
}

static int check_kernel(struct btfdb_db *db, uint32_t k, struct btfdb_err *err)
{
	const struct btfdb_dbf_kernel *e = &db->kernels[k];
	const struct btfdb_dbf_sect *n = &db->h.sects[BTFDB_DBF_SEC_NAMES];
	const char *name = (const char *)db->map + e->name_off;
	uint32_t nseq;

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
	nseq = btfdb_dbr_div_up(e->nr_types, db->h.seq_blk);
	if (!table_ok(db, e->seq_tab, nseq, sizeof(struct btfdb_dbf_blockref), true) ||
	    e->nr_inv > btfdb_dbr_div_up(e->pool_cnt, db->h.inv_blk) ||
	    e->inv_tab != e->seq_tab + (uint64_t)nseq * sizeof(struct btfdb_dbf_blockref) ||
	    !table_ok(db, e->inv_tab, e->nr_inv, sizeof(struct btfdb_dbf_invref), true)) {
		btfdb_err_set(err, "database corrupt: kernel '%s': block table out of bounds", name);
		return -EINVAL;
	}
	return 0;
}

/*
 * Header slot `slot` into *h when it is a complete header of this version
 * whose committed size fits the file: 0, else -EINVAL / -ENOTSUP with the
 * reason in err.
 */
static int read_slot(const struct btfdb_db *db, uint32_t slot, struct btfdb_dbf_hdr *h,
		     struct btfdb_err *err)
{
	size_t at = (size_t)slot * sizeof(*h);
	uint64_t csum;

	if (db->map_len < at + 8 || memcmp(db->map + at, BTFDB_DBF_MAGIC, 8)) {
		btfdb_err_set(err, "not a btfdb database (bad magic)");
		return -EINVAL;
	}
	if (db->map_len < at + sizeof(*h)) {
		btfdb_err_set(err, "database truncated: %zu bytes, header needs %zu", db->map_len,
			      at + sizeof(*h));
		return -EINVAL;
	}
	memcpy(h, db->map + at, sizeof(*h));
	if (h->version != BTFDB_DBF_VERSION) {
		btfdb_err_set(err, "unsupported database version %u (this reader: %u); rebuild it "
			      "with this btfdb (btfdb build SOURCES -o DB)", h->version,
			      BTFDB_DBF_VERSION);
		return -ENOTSUP;
	}
	if (h->hdr_len != sizeof(*h)) {
		btfdb_err_set(err, "database corrupt: header length %u, expected %zu", h->hdr_len,
			      sizeof(*h));
		return -EINVAL;
	}
	csum = h->hdr_csum;
	h->hdr_csum = 0;
	if (btfdb_hash64(h, sizeof(*h)) != csum) {
		btfdb_err_set(err, "database corrupt: header checksum mismatch");
		return -EINVAL;
	}
	h->hdr_csum = csum;
	/* bytes past file_size: an uncommitted (or killed) append; ignored */
	if (h->file_size > db->map_len) {
		btfdb_err_set(err, "database truncated: %zu bytes, header says %llu", db->map_len,
			      (unsigned long long)h->file_size);
		return -EINVAL;
	}
	return 0;
}

/*
 * The header: of the two slots, the valid one with the highest generation
 * (a write in place fills the other slot last, so a torn or missing slot
 * leaves the previous generation in force).  When neither is valid, slot
 * 0's reason (a new file's slot 1 is zero), or slot 1's when only it has
 * the magic.
 */
static int pick_header(struct btfdb_db *db, struct btfdb_err *err)
{
	struct btfdb_dbf_hdr h[BTFDB_DBF_HDR_SLOTS];
	struct btfdb_err e1 = { "" };
	int r0, r1;

	r0 = read_slot(db, 0, &h[0], err);
	if (r0 == -ENOTSUP)
		return r0; /* another version: its layout is not ours */
	r1 = read_slot(db, 1, &h[1], &e1);
	if (r0 && r1) {
		if (db->map_len >= sizeof(h[0]) + 8 && memcmp(db->map, BTFDB_DBF_MAGIC, 8) &&
		    !memcmp(db->map + sizeof(h[0]), BTFDB_DBF_MAGIC, 8))
			*err = e1;
		return r1 == -ENOTSUP ? r1 : -EINVAL;
	}
	db->slot = r0 || (!r1 && h[1].generation > h[0].generation);
	db->h = h[db->slot];
	db->size = db->h.file_size;
	return 0;
}

static int validate(struct btfdb_db *db, struct btfdb_err *err)
{
	struct btfdb_dbf_hdr *h = &db->h;
	uint64_t lo = BTFDB_DBF_HDR_SLOTS * sizeof(*h);
	uint32_t i;
	int ret;

	if ((ret = pick_header(db, err)))
		return ret;
	if (h->flags || !h->str_blk || !h->pool_blk || !h->seq_blk || !h->inv_blk ||
	    !h->smap_blk || h->str_blk > (1u << 20) || h->pool_blk > (1u << 20) ||
	    h->seq_blk > (1u << 24) || h->inv_blk > (1u << 24) || h->smap_blk > (1u << 20) || !h->gidx_gpb || h->gidx_gpb > 4096 || !h->gidx_groups ||
	    (h->gidx_groups & (h->gidx_groups - 1)) || h->gidx_groups % h->gidx_gpb ||
	    !h->nr_strings || !h->generation) {
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
		/*
		 * DATA has no checksum of its own (after `add` it also holds
		 * what earlier generations used): every block and every
		 * kernel's tables carry theirs, checked when used.
		 */
		if (i == BTFDB_DBF_SEC_DATA ? s->csum != 0 :
		    btfdb_hash64(db->map + s->off, s->len) != s->csum) {
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
	db->nstrb = btfdb_dbr_div_up(h->nr_strings, h->str_blk);
	db->npoolb = btfdb_dbr_div_up(h->nr_pool, h->pool_blk);
	db->ngidxb = h->gidx_groups / h->gidx_gpb;
	db->nsmapb = btfdb_dbr_div_up(h->nr_strings, h->smap_blk);
	if (!table_ok(db, h->str_tab, db->nstrb, sizeof(*db->str_refs), false) ||
	    !table_ok(db, h->pool_tab, db->npoolb, sizeof(*db->str_refs), false) ||
	    !table_ok(db, h->gidx_tab, db->ngidxb, sizeof(*db->str_refs), false) ||
	    !table_ok(db, h->smap_tab, db->nsmapb, sizeof(*db->str_refs), false)) {
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
	db->map_len = st.st_size;
	if (!S_ISREG(st.st_mode) || !db->map_len) {
		close(fd);
		free(db);
		btfdb_err_set(err, "%s: not a btfdb database (empty or not a regular file)", path);
		return -EINVAL;
	}
	db->map = mmap(NULL, db->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
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

void btfdb_db_close(struct btfdb_db *db)
{
	if (!db)
		return;
	btfdb_dbr_cache_free(db);
	if (db->map && db->map != MAP_FAILED)
		munmap(db->map, db->map_len);
	free(db);
}

/*
 * The mapping's pages are file-backed and clean (PROT_READ): dropping them
 * only unmaps them (they stay in the page cache; a later access maps them
 * again).  Without this every block a process ever touched stays mapped
 * and counted in its RSS: a batch over all kernels ended with the whole
 * file resident (60.7 of 62 MB at 53 kernels).
 */
void btfdb_dbr_release_pages(struct btfdb_db *db)
{
	if (db->map && db->map != MAP_FAILED)
		(void)madvise(db->map, db->map_len, MADV_DONTNEED); /* advice: nothing to undo */
}

void btfdb_db_evict(struct btfdb_db *db)
{
	btfdb_dbr_cache_free(db);
	btfdb_dbr_release_pages(db);
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
	const struct btfdb_dbf_invref *inv = btfdb_dbr_invrefs(db, e);
	uint64_t s = e->strseq.clen +
		     refs_bytes(btfdb_dbr_refs(db, e->seq_tab),
				btfdb_dbr_div_up(e->nr_types, db->h.seq_blk));

	for (uint32_t i = 0; i < e->nr_inv; i++)
		s += inv[i].ref.clen;
	return s;
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
	const struct btfdb_dbf_sect *d;
	uint64_t used;
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
	used = info->strings_bytes + info->pool_bytes + info->index_bytes;
	for (k = 0; k < db->h.nr_kernels; k++) {
		const struct btfdb_dbf_kernel *e = &db->kernels[k];

		info->raw_total += e->blob_size;
		info->kernel_bytes += kernel_bytes(db, e);
		if (!(e->flags & BTFDB_DBF_K_RAW))
			used += (uint64_t)btfdb_dbr_div_up(e->nr_types, db->h.seq_blk) *
				sizeof(struct btfdb_dbf_blockref) +
				(uint64_t)e->nr_inv * sizeof(struct btfdb_dbf_invref);
	}
	used += info->kernel_bytes;
	d = &db->h.sects[BTFDB_DBF_SEC_DATA];
	info->unused_bytes = d->len > used ? d->len - used : 0;
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
