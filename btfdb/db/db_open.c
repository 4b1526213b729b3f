/* SPDX-License-Identifier: MIT */
/*
 * Reading a btfdb database: open (mmap and validate), close, listing.
 *
 * Validation is layered so that what opening and one lookup read and check
 * does not grow with the number of kernels:
 *  - open: the header slot in force (db_format.h), its checksum and
 *    fields, section bounds, order and padding, the shared table arrays in
 *    bounds (one pread of each slot and of the padding: nothing else);
 *  - on use: a kernel's entry (its checksum over entry and name, fields,
 *    its tables' bounds), every block's bounds, checksum and exact
 *    inflated size, every varint, id and offset decoded from it
 *    (db_block.c, db_kres.c);
 *  - verify: the TABLES, NAMES and KERNELS checksums, every entry, every
 *    block and kernel in full (db_extract.c).
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

/* The fields and table bounds of entry e (kernel k, name already checked). */
static int check_kernel(const struct btfdb_db *db, uint32_t k, const struct btfdb_dbf_kernel *e,
			const char *name, struct btfdb_err *err)
{
	uint32_t nseq;

	if (e->flags & ~(uint32_t)(BTFDB_DBF_K_RAW | BTFDB_DBF_K_BIG_ENDIAN) ||
	    e->btf_hdr_len > BTFDB_DBF_BTF_HDR_MAX || e->pool_cnt > db->h.nr_pool ||
	    e->blob_size > BTFDB_DBF_MAX_ULEN || e->nr_types >= UINT32_MAX / 2) {
		btfdb_err_set(err, "database corrupt: kernel %u '%s': bad entry fields", k, name);
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

const struct btfdb_dbf_kernel *btfdb_dbr_kent(struct btfdb_db *db, uint32_t k,
					      struct btfdb_err *err)
{
	const struct btfdb_dbf_sect *ns = &db->h.sects[BTFDB_DBF_SEC_NAMES];
	struct btfdb_dbf_kernel e;
	struct kent *ke = NULL;
	uint64_t end = ns->off + ns->len, avail;
	size_t want = 64, len = 0;

	if (k >= db->h.nr_kernels) {
		btfdb_err_set(err, "kernel %u out of range", k);
		return NULL;
	}
	if (db->kent && db->kent[k])
		return &db->kent[k]->e;
	if (!db->kent && !(db->kent = calloc(db->h.nr_kernels, sizeof(*db->kent))))
		goto nomem;
	if (btfdb_dbr_pread(db, db->h.sects[BTFDB_DBF_SEC_KERNELS].off + (uint64_t)k * sizeof(e),
			    &e, sizeof(e), err))
		return NULL;
	if (e.name_off < ns->off || e.name_off >= end) {
		btfdb_err_set(err, "database corrupt: kernel %u: bad name offset", k);
		return NULL;
	}
	/* the name: read more until its NUL (it must end inside NAMES) */
	avail = end - e.name_off;
	for (;;) {
		struct kent *n;
		char *z;

		if (want > avail)
			want = avail;
		if (!(n = realloc(ke, sizeof(*ke) + want + 1)))
			goto nomem;
		ke = n;
		if (btfdb_dbr_pread(db, e.name_off + len, ke->name + len, want - len, err))
			goto fail;
		if ((z = memchr(ke->name + len, 0, want - len))) {
			len = (size_t)(z - ke->name);
			break;
		}
		len = want;
		if (want == avail) {
			btfdb_err_set(err, "database corrupt: kernel %u: bad name offset", k);
			goto fail;
		}
		want *= 4;
	}
	ke->e = e;
	if (btfdb_dbf_entry_csum(&e, ke->name) != e.ent_csum) {
		btfdb_err_set(err, "database corrupt: kernel %u: entry checksum mismatch", k);
		goto fail;
	}
	if (check_kernel(db, k, &e, ke->name, err))
		goto fail;
	db->kent[k] = ke;
	return &ke->e;
nomem:
	btfdb_err_set(err, "out of memory");
fail:
	free(ke);
	return NULL;
}

/*
 * Header slot `slot` into *h when it is a complete header of this version
 * whose committed size fits the file: 0, else -EINVAL / -ENOTSUP with the
 * reason in err.
 */
static int read_slot(const struct btfdb_db *db, const uint8_t *slots, uint32_t slot,
		     struct btfdb_dbf_hdr *h, struct btfdb_err *err)
{
	size_t at = (size_t)slot * sizeof(*h);
	uint64_t csum;

	if (db->map_len < at + 8 || memcmp(slots + at, BTFDB_DBF_MAGIC, 8)) {
		btfdb_err_set(err, "not a btfdb database (bad magic)");
		return -EINVAL;
	}
	if (db->map_len < at + sizeof(*h)) {
		btfdb_err_set(err, "database truncated: %zu bytes, header needs %zu", db->map_len,
			      at + sizeof(*h));
		return -EINVAL;
	}
	memcpy(h, slots + at, sizeof(*h));
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
	uint8_t slots[BTFDB_DBF_HDR_SLOTS * sizeof(h[0])];
	size_t have = db->map_len < sizeof(slots) ? db->map_len : sizeof(slots);
	struct btfdb_err e1 = { "" };
	int r0, r1;

	db->size = have; /* for this read only */
	if ((r0 = btfdb_dbr_pread(db, 0, slots, have, err)))
		return r0;
	r0 = read_slot(db, slots, 0, &h[0], err);
	if (r0 == -ENOTSUP)
		return r0; /* another version: its layout is not ours */
	r1 = read_slot(db, slots, 1, &h[1], &e1);
	if (r0 && r1) {
		if (db->map_len >= sizeof(h[0]) + 8 && memcmp(slots, BTFDB_DBF_MAGIC, 8) &&
		    !memcmp(slots + sizeof(h[0]), BTFDB_DBF_MAGIC, 8))
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
	    !h->nr_strings || !h->generation || h->reserved) {
		btfdb_err_set(err, "database corrupt: bad header parameters");
		return -EINVAL;
	}
	for (i = 0; i < BTFDB_DBF_NR_SECS; i++) {
		const struct btfdb_dbf_sect *s = &h->sects[i];
		uint8_t pad[8];

		if (!range_ok(s->off, s->len, lo, db->size)) {
			btfdb_err_set(err, "database corrupt: section %s out of bounds", secname[i]);
			return -EINVAL;
		}
		/* only zero padding (< 8 bytes) may separate sections */
		if (s->off - lo >= 8 || (i == 0 && s->off != lo) ||
		    btfdb_dbr_pread(db, lo, pad, s->off - lo, err) ||
		    memcmp(pad, "\0\0\0\0\0\0\0", s->off - lo)) {
			btfdb_err_set(err, "database corrupt: bytes before section %s", secname[i]);
			return -EINVAL;
		}
		lo = s->off + s->len;
		/*
		 * DATA has no checksum (after `add` it also holds what earlier
		 * generations used): every block and every kernel's tables
		 * carry theirs.  The checksums of TABLES, NAMES and KERNELS
		 * are checked by verify, not here: every block ref is checked
		 * by its block's checksum and every kernel entry by its own
		 * (ent_csum), when used, so that opening reads the same few
		 * bytes at 50 kernels and at 5000.
		 */
		if (i == BTFDB_DBF_SEC_DATA && s->csum != 0) {
			btfdb_err_set(err, "database corrupt: section %s checksum mismatch", secname[i]);
			return -EINVAL;
		}
	}
	if (lo != db->size) {
		btfdb_err_set(err, "database corrupt: bytes after the last section");
		return -EINVAL;
	}
	if (h->sects[BTFDB_DBF_SEC_KERNELS].len != (uint64_t)h->nr_kernels *
	    sizeof(struct btfdb_dbf_kernel) || h->sects[BTFDB_DBF_SEC_KERNELS].off % 8 ||
	    h->sects[BTFDB_DBF_SEC_NAMES].len < h->nr_kernels) {
		btfdb_err_set(err, "database corrupt: kernel table size does not match %u kernels",
			      h->nr_kernels);
		return -EINVAL;
	}
	db->nstrb = btfdb_dbr_div_up(h->nr_strings, h->str_blk);
	db->npoolb = btfdb_dbr_div_up(h->nr_pool, h->pool_blk);
	db->ngidxb = h->gidx_groups / h->gidx_gpb;
	db->nsmapb = btfdb_dbr_div_up(h->nr_strings, h->smap_blk);
	if (!table_ok(db, h->str_tab, db->nstrb, sizeof(struct btfdb_dbf_blockref), false) ||
	    !table_ok(db, h->pool_tab, db->npoolb, sizeof(struct btfdb_dbf_blockref), false) ||
	    !table_ok(db, h->gidx_tab, db->ngidxb, sizeof(struct btfdb_dbf_blockref), false) ||
	    !table_ok(db, h->smap_tab, db->nsmapb, sizeof(struct btfdb_dbf_blockref), false)) {
		btfdb_err_set(err, "database corrupt: block table out of bounds");
		return -EINVAL;
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
	db->fd = fd;
	db->map_len = st.st_size;
	if (!S_ISREG(st.st_mode) || !db->map_len) {
		close(fd);
		free(db);
		btfdb_err_set(err, "%s: not a btfdb database (empty or not a regular file)", path);
		return -EINVAL;
	}
	db->map = mmap(NULL, db->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (db->map == MAP_FAILED) {
		ret = -errno;
		close(fd);
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
	for (uint32_t k = 0; db->kent && k < db->h.nr_kernels; k++)
		free(db->kent[k]);
	free(db->kent);
	close(db->fd);
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

/* The clen sum of the n block refs at file offset off, read in chunks. */
static int refs_bytes_at(struct btfdb_db *db, uint64_t off, uint32_t n, uint64_t *sum)
{
	struct btfdb_dbf_blockref r[256];
	uint32_t i, m;
	int ret;

	*sum = 0;
	for (i = 0; i < n; i += m) {
		m = n - i < 256 ? n - i : 256;
		if ((ret = btfdb_dbr_pread(db, off + (uint64_t)i * sizeof(*r), r, m * sizeof(*r), NULL)))
			return ret;
		*sum += refs_bytes(r, m);
	}
	return 0;
}

/* Kernel e's private compressed bytes, from its block tables (read and checked). */
static int kernel_bytes(struct btfdb_db *db, const struct btfdb_dbf_kernel *e, uint64_t *out,
			struct btfdb_err *err)
{
	const struct btfdb_dbf_invref *inv;
	uint8_t *tabs;
	int ret;

	if (e->flags & BTFDB_DBF_K_RAW) {
		*out = e->raw.clen;
		return 0;
	}
	if ((ret = btfdb_dbr_kernel_tables(db, e, &tabs, err)))
		return ret;
	inv = (const struct btfdb_dbf_invref *)(tabs + (e->inv_tab - e->seq_tab));
	*out = e->strseq.clen + refs_bytes((const struct btfdb_dbf_blockref *)tabs,
					   btfdb_dbr_div_up(e->nr_types, db->h.seq_blk));
	for (uint32_t i = 0; i < e->nr_inv; i++)
		*out += inv[i].ref.clen;
	free(tabs);
	return 0;
}

int btfdb_db_kernel_own_bytes(struct btfdb_db *db, uint32_t k, uint64_t *bytes,
			      struct btfdb_err *err)
{
	const struct btfdb_dbf_kernel *e = btfdb_dbr_kent(db, k, err);

	*bytes = 0;
	if (!e)
		return k >= db->h.nr_kernels ? -ENOENT : -EINVAL;
	return kernel_bytes(db, e, bytes, err);
}

int btfdb_db_kernel_info(struct btfdb_db *db, uint32_t k, struct btfdb_db_kernel_info *info,
			 struct btfdb_err *err)
{
	const struct btfdb_dbf_kernel *e = btfdb_dbr_kent(db, k, err);
	const char *s;

	if (!e)
		return k >= db->h.nr_kernels ? -ENOENT : -EINVAL;
	info->name = btfdb_dbr_ename(e);
	s = strrchr(info->name, '/');
	info->release = s ? s + 1 : info->name;
	info->blob_hash = e->blob_hash;
	info->blob_size = e->blob_size;
	info->nr_types = e->nr_types;
	info->raw = e->flags & BTFDB_DBF_K_RAW;
	info->big_endian = e->flags & BTFDB_DBF_K_BIG_ENDIAN;
	return 0;
}

void btfdb_db_info(struct btfdb_db *db, struct btfdb_db_info *info)
{
	const struct btfdb_dbf_sect *d;
	const struct btfdb_dbf_hdr *h = &db->h;
	uint64_t used, kb;
	uint32_t k;

	memset(info, 0, sizeof(*info));
	info->file_size = db->size;
	info->nr_kernels = h->nr_kernels;
	info->nr_strings = h->nr_strings;
	info->nr_pool = h->nr_pool;
	/* read, not mapped: the open validated these tables' bounds */
	(void)refs_bytes_at(db, h->str_tab, db->nstrb, &info->strings_bytes);
	(void)refs_bytes_at(db, h->pool_tab, db->npoolb, &info->pool_bytes);
	(void)refs_bytes_at(db, h->gidx_tab, db->ngidxb, &info->index_bytes);
	(void)refs_bytes_at(db, h->smap_tab, db->nsmapb, &kb);
	info->index_bytes += kb;
	used = info->strings_bytes + info->pool_bytes + info->index_bytes;
	for (k = 0; k < h->nr_kernels; k++) {
		const struct btfdb_dbf_kernel *e = btfdb_dbr_kent(db, k, NULL);

		if (!e || kernel_bytes(db, e, &kb, NULL)) {
			info->bad_kernels++;
			continue;
		}
		info->raw_total += e->blob_size;
		info->kernel_bytes += kb;
		if (!(e->flags & BTFDB_DBF_K_RAW))
			used += (uint64_t)btfdb_dbr_div_up(e->nr_types, h->seq_blk) *
				sizeof(struct btfdb_dbf_blockref) +
				(uint64_t)e->nr_inv * sizeof(struct btfdb_dbf_invref);
	}
	used += info->kernel_bytes;
	d = &h->sects[BTFDB_DBF_SEC_DATA];
	info->unused_bytes = d->len > used ? d->len - used : 0;
}

/*
 * The names in NAMES, in order (kernel k's is the k-th, FORMAT.md), read in
 * chunks: fn(ctx, k, name, file offset) for each until it returns nonzero.
 * What a lookup by name reads grows with the number of kernels only by
 * their names (~60 bytes each), not their entries, and keeps one chunk.
 */
static int scan_names(struct btfdb_db *db, int (*fn)(void *, uint32_t, const char *, uint64_t),
		      void *ctx, struct btfdb_err *err)
{
	const struct btfdb_dbf_sect *ns = &db->h.sects[BTFDB_DBF_SEC_NAMES];
	size_t cap = 16384, have = 0, used = 0;
	uint64_t at = ns->off, end = ns->off + ns->len; /* file offset of buf[0]: at - have */
	char *buf = malloc(cap + 1);
	uint32_t k = 0;
	int ret = 0;

	if (!buf)
		goto nomem;
	while (k < db->h.nr_kernels) {
		char *z = memchr(buf + used, 0, have - used);

		if (z) {
			if ((ret = fn(ctx, k++, buf + used, at - have + used)))
				break;
			used = (size_t)(z - buf) + 1;
			continue;
		}
		if (at == end) {
			btfdb_err_set(err, "database corrupt: NAMES holds %u names for %u kernels",
				      k, db->h.nr_kernels);
			ret = -EINVAL;
			break;
		}
		memmove(buf, buf + used, have - used);
		have -= used;
		used = 0;
		if (have == cap) {
			char *n = realloc(buf, 2 * cap + 1);

			if (!n)
				goto nomem;
			buf = n;
			cap *= 2;
		}
		{
			size_t want = cap - have < end - at ? cap - have : (size_t)(end - at);

			if ((ret = btfdb_dbr_pread(db, at, buf + have, want, err)))
				break;
			have += want;
			at += want;
		}
	}
	free(buf);
	return ret;
nomem:
	free(buf);
	btfdb_err_set(err, "out of memory");
	return -ENOMEM;
}

struct find_ctx {
	const char *name;
	int64_t exact;           /* kernel with that full name, -1 */
	int64_t rel[2];          /* the first two with that release, -1 */
	uint64_t exact_off, rel_off[2];
};

static int find_cb(void *c, uint32_t k, const char *n, uint64_t off)
{
	struct find_ctx *f = c;
	const char *s = strrchr(n, '/');

	if (!strcmp(n, f->name)) {
		f->exact = k;
		f->exact_off = off;
		return 1; /* the first exact match wins */
	}
	if (!strcmp(s ? s + 1 : n, f->name) && f->rel[1] < 0) {
		int i = f->rel[0] >= 0;

		f->rel[i] = k;
		f->rel_off[i] = off;
	}
	return 0;
}

/* Kernel k, found by its name at off in NAMES: its entry must check and name off. */
static int found_kernel(struct btfdb_db *db, int64_t k, uint64_t off, struct btfdb_err *err)
{
	const struct btfdb_dbf_kernel *e = btfdb_dbr_kent(db, (uint32_t)k, err);

	if (!e)
		return -EINVAL;
	if (e->name_off != off) {
		btfdb_err_set(err, "database corrupt: kernel %u's name is not the %u-th in NAMES",
			      (uint32_t)k, (uint32_t)k);
		return -EINVAL;
	}
	return (int)k;
}

int btfdb_db_find_kernel(struct btfdb_db *db, const char *name, struct btfdb_err *err)
{
	struct find_ctx f = { name, -1, { -1, -1 }, 0, { 0, 0 } };
	int ret = scan_names(db, find_cb, &f, err);

	if (ret < 0)
		return ret;
	if (f.exact >= 0)
		return found_kernel(db, f.exact, f.exact_off, err);
	if (f.rel[1] >= 0) {
		/* both entries must check: a corrupt one is reported as such */
		if ((ret = found_kernel(db, f.rel[0], f.rel_off[0], err)) < 0 ||
		    (ret = found_kernel(db, f.rel[1], f.rel_off[1], err)) < 0)
			return ret;
		btfdb_err_set(err, "kernel '%s' is ambiguous: give the full name (e.g. %s)", name,
			      btfdb_dbr_kernel_name(db, (uint32_t)f.rel[1]));
		return -ENOTUNIQ;
	}
	if (f.rel[0] >= 0)
		return found_kernel(db, f.rel[0], f.rel_off[0], err);
	btfdb_err_set(err, "kernel '%s' is not in the database", name);
	return -ENOENT;
}
