/* SPDX-License-Identifier: MIT */
/*
 * btfdb memory when going through many kernels: a batch reads every kernel
 * of a database once, with btfdb_db_evict() between kernels.  The pages of
 * the file must not stay mapped (they count in the process's RSS): once a
 * batch over all kernels ended with the whole file resident, so its peak
 * RSS grew with the database (74 MB at 53 kernels, 897 MB at 500); and
 * mapped pages come in page-cache folios of up to 2 MiB, so even one
 * lookup kept 8 MB of a 20 MB database resident.  Lookups now read with
 * pread(): the mapping must hold nothing resident while kernels are read,
 * and the heap must come back to the same size after each kernel.
 *
 * The database: NK kernels, each the same NT named INT types in its own
 * random order (like Debian's per-release reordering), so every kernel's
 * private blocks (type sequence, inverse) are incompressible and make most
 * of the file.  Each kernel is read whole (every type fetched through a
 * lazy handle, and a name looked up); the resident bytes of the mapping
 * (/proc/self/smaps) must be zero then and after btfdb_db_evict(), and
 * btfdb_db_verify(), which reads every kernel, leaves none either.  Building it
 * (btfdb_db_writer_create(), as btfdb build does) keeps none of the
 * kernels' blocks in memory.  pool_test(): neither `build` nor `add` holds
 * the type pool's records (heap measured with mallinfo2, mapped chunks
 * included).
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <unistd.h>

#include "btfdb_db.h"
#include "test.h"

#define NK 16
#define NT 20000

static char dir[] = "/tmp/test_db_memory_XXXXXX";

/* A zeroed BTF blob with type_len bytes of types and str_len of strings. */
static uint8_t *btf_blob(uint32_t type_len, size_t str_len, size_t *size, uint32_t **types,
			 char **strs)
{
	struct btf_header h = { 0 };
	uint8_t *b;

	h.magic = BTF_MAGIC;
	h.version = BTF_VERSION;
	h.hdr_len = sizeof(h);
	h.type_len = type_len;
	h.str_off = h.type_len;
	h.str_len = (uint32_t)str_len;
	*size = sizeof(h) + h.type_len + str_len;
	b = calloc(1, *size);
	memcpy(b, &h, sizeof(h));
	*types = (uint32_t *)(b + sizeof(h));
	*strs = (char *)b + sizeof(h) + h.type_len;
	return b;
}

/* Kernel k: NT INT types "tN" (N = 0..NT-1) in an order shuffled by seed k. */
static uint8_t *make_kernel(uint32_t k, size_t *size)
{
	uint32_t *perm = malloc(NT * sizeof(*perm)), *types, i, seed = 2654435761u * (k + 1);
	size_t str_len = 1 + (size_t)NT * 7, off;
	uint8_t *b;
	char *strs;

	for (i = 0; i < NT; i++)
		perm[i] = i;
	for (i = NT - 1; i > 0; i--) { /* Fisher-Yates with an LCG */
		uint32_t j, t;

		seed = seed * 1664525u + 1013904223u;
		j = (seed >> 8) % (i + 1);
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	b = btf_blob(NT * 16, str_len, size, &types, &strs);
	/* strings "t000000".."t019999" (6 digits + NUL = 7 bytes, after the empty one) */
	for (i = 0, off = 1; i < NT; i++, off += 7)
		snprintf(strs + off, 7, "t%05u", i);
	for (i = 0; i < NT; i++) {
		types[4 * i] = 1 + perm[i] * 7;                  /* name_off */
		types[4 * i + 1] = (uint32_t)BTF_KIND_INT << 24; /* info */
		types[4 * i + 2] = 4;                            /* size */
		types[4 * i + 3] = 32;                           /* unsigned, 32 bits */
	}
	free(perm);
	return b;
}

/* Resident KiB of this process's mappings of file path (/proc/self/smaps). */
static long mapped_kb(const char *path)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[4200];
	long total = 0, v;
	int in = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = 0;
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2) {
			size_t n = strlen(line), m = strlen(path);

			in = n >= m && !strcmp(line + n - m, path);
			continue;
		}
		if (in && sscanf(line, "Rss: %ld kB", &v) == 1)
			total += v;
	}
	fclose(f);
	return total;
}

/*
 * Build the database with btfdb_db_writer_create() (what btfdb build does);
 * *grown: the heap the writer gained from the first kernel added to the
 * last.  The kernels share every string and record, so a writer that
 * writes each kernel's blocks to the file as it is added gains nearly
 * nothing, and one that keeps them gains all of them.
 */
static void build_db(const char *db, long *grown)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *w;
	size_t first = 0;
	uint32_t k;

	CHECK_EQ(btfdb_db_writer_create(db, &w, &err), 0);
	for (k = 0; w && k < NK; k++) {
		struct btfdb_btf *btf;
		size_t size;
		uint8_t *blob = make_kernel(k, &size);
		char name[32];

		snprintf(name, sizeof(name), "test/1/x86_64/k%02u", k);
		CHECK_EQ(btfdb_btf_parse(blob, size, NULL, &btf, &err), 0);
		if (btf)
			CHECK_EQ(btfdb_db_writer_add(w, btf, name, &err), 0); /* 0: shared, not raw */
		btfdb_btf_free(btf);
		free(blob);
		if (k == 1) /* after the first kernel read the sealed pool back (cached) */
			first = mallinfo2().uordblks;
	}
	*grown = (long)(mallinfo2().uordblks - first);
	CHECK_EQ(btfdb_db_writer_write(w, db, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "build: %s\n", err.msg);
	btfdb_db_writer_free(w);
}

/* Heap in use, including the chunks malloc maps on their own (large buffers). */
static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/*
 * Kernel k of the pool test: an INT "int", then NS structs "sN", each of
 * NM int members "mJ" at offsets that depend on k, so every kernel brings
 * NS new records of about NM * 4 bytes (and no new string).
 */
#define NS 2000
#define NM 48
static uint8_t *make_pool_kernel(uint32_t k, size_t *size, size_t *rec_bytes)
{
	uint32_t i, j, *t, nstr_int, nstr_s, nstr_m;
	size_t str_len = 1 + 4 + (size_t)NS * 7 + (size_t)NM * 4, off;
	uint8_t *b;
	char *strs;

	b = btf_blob(16 + NS * (12 + NM * 12), str_len, size, &t, &strs);
	nstr_int = 1;
	memcpy(strs + 1, "int", 4);
	nstr_s = 5;
	nstr_m = 5 + NS * 7;
	for (i = 0, off = nstr_s; i < NS; i++, off += 7)
		snprintf(strs + off, 7, "s%05u", i);
	for (j = 0, off = nstr_m; j < NM; j++, off += 4)
		snprintf(strs + off, 4, "m%02u", j);
	*t++ = nstr_int;
	*t++ = (uint32_t)BTF_KIND_INT << 24;
	*t++ = 4;
	*t++ = (1u << 24) | 32; /* signed, 32 bits */
	for (i = 0; i < NS; i++) {
		*t++ = nstr_s + i * 7;
		*t++ = (uint32_t)BTF_KIND_STRUCT << 24 | NM;
		*t++ = 4 * (NM + 2 * k + 8); /* size: room for the offsets below */
		for (j = 0; j < NM; j++) {
			*t++ = nstr_m + j * 4;
			*t++ = 1;                         /* int */
			*t++ = 32 * j + 32 * (k % (i % 7 + 1)) + 32 * k; /* bit offset */
		}
	}
	*rec_bytes = (size_t)NS * NM * 3; /* at least 3 bytes per member */
	return b;
}

/*
 * The writers do not hold the type pool's bytes: `btfdb build` seals each
 * full pool block once written (only an 8-byte hash slot and a name per
 * record stay), `btfdb add` seals the database's full blocks as it opens
 * it.  Before, both kept every record uncompressed with its offset and hash
 * (the 500-kernel database's pool: 22 MB of records), so their peak memory
 * grew with the database.  Here every kernel adds NS new records of at
 * least NM * 3 bytes.
 */
static void pool_test(void)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *w = NULL;
	struct btfdb_db *db = NULL;
	char path[300];
	size_t first = 0, added = 0, before;
	long grown, opened;
	uint32_t k, nk = 12;

	snprintf(path, sizeof(path), "%s/pool.btfdb", dir);
	CHECK_EQ(btfdb_db_writer_create(path, &w, &err), 0);
	for (k = 0; w && k < nk; k++) {
		struct btfdb_btf *btf = NULL;
		size_t size, rb;
		uint8_t *blob = make_pool_kernel(k, &size, &rb);
		char name[32];

		snprintf(name, sizeof(name), "test/1/x86_64/p%02u", k);
		CHECK_EQ(btfdb_btf_parse(blob, size, NULL, &btf, &err), 0);
		if (btf)
			CHECK_EQ(btfdb_db_writer_add(w, btf, name, &err), 0); /* shared */
		btfdb_btf_free(btf);
		free(blob);
		if (k == 1)
			first = heap_used();
		else if (k > 1)
			added += rb;
	}
	grown = (long)(heap_used() - first);
	CHECK_EQ(btfdb_db_writer_write(w, path, &err), 0);
	btfdb_db_writer_free(w);
	fprintf(stderr, "pool: build heap +%ld KiB for %zu KiB of new records\n", grown / 1024,
		added / 1024);
	/* (not under ASan: its allocator does not report to mallinfo2) */
	if (heap_used())
		CHECK(grown > 0 && grown < (long)added / 2);

	/* add: opening the database to append holds none of its pool */
	before = heap_used();
	CHECK_EQ(btfdb_db_writer_open_append(path, &w, &err), 0);
	opened = (long)(heap_used() - before);
	fprintf(stderr, "pool: add opened it with heap +%ld KiB (records >= %zu KiB)\n",
		opened / 1024, (added + added / (nk - 2) * 2) / 1024);
	if (heap_used())
		CHECK(opened < (long)added / 2);
	if (w) {
		struct btfdb_btf *btf = NULL;
		size_t size, rb;
		uint8_t *blob = make_pool_kernel(nk, &size, &rb);

		CHECK_EQ(btfdb_btf_parse(blob, size, NULL, &btf, &err), 0);
		if (btf)
			CHECK_EQ(btfdb_db_writer_add(w, btf, "test/1/x86_64/more", &err), 0);
		btfdb_btf_free(btf);
		free(blob);
		CHECK_EQ(btfdb_db_writer_write(w, path, &err), 0);
		btfdb_db_writer_free(w);
	}
	CHECK_EQ(btfdb_db_open(path, &db, &err), 0);
	if (db) {
		CHECK_EQ(btfdb_db_kernel_count(db), nk + 1);
		CHECK_EQ(btfdb_db_verify(db, &err), 0); /* every kernel extracts exactly */
		btfdb_db_close(db);
	}
	if (err.msg[0])
		fprintf(stderr, "pool: %s\n", err.msg);
	unlink(path);
}

int main(void)
{
	struct btfdb_err err = { "" };
	struct btfdb_db *db = NULL;
	struct btfdb_db_info info;
	char path[256];
	long touched = 0, left = 0, after_verify, grown = 0, listed;
	size_t heap_lo = SIZE_MAX, heap_hi = 0, heap_read = 0;
	uint64_t own_max = 0;
	uint32_t k;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/many.btfdb", dir);
	build_db(path, &grown);
	CHECK_EQ(btfdb_db_open(path, &db, &err), 0);
	if (!db) {
		fprintf(stderr, "open: %s\n", err.msg);
		return test_finish();
	}
	if (mapped_kb(path) < 0)
		SKIP_ALL("no /proc/self/smaps");
	btfdb_db_info(db, &info);
	CHECK_EQ(info.nr_kernels, NK);
	for (k = 0; k < NK; k++) {
		struct btfdb_db_kernel_info ki;

		uint64_t own = 0;

		CHECK_EQ(btfdb_db_kernel_info(db, k, &ki, NULL), 0);
		CHECK_EQ(btfdb_db_kernel_own_bytes(db, k, &own, NULL), 0);
		CHECK(!ki.raw);
		if (own > own_max)
			own_max = own;
	}
	/* listing kernels (what a batch does first), their sizes and the
	 * totals read what they need: nothing of the file is mapped (a batch
	 * over 500 kernels had 33 MB of it resident from listing them) */
	listed = mapped_kb(path);
	fprintf(stderr, "mapping resident after info and listing %d kernels: %ld KiB\n", NK, listed);
	CHECK_EQ(listed, 0);
	/* the per-kernel blocks are most of the file */
	CHECK(info.kernel_bytes > info.file_size / 2);
	/* the build kept none of them: its heap grew by less than a tenth of
	 * the blocks of the kernels added after the first (it kept all of
	 * them before it streamed) */
	fprintf(stderr, "build: heap +%ld KiB from the second kernel to the last (%d kernels)\n",
		grown / 1024, NK);
	CHECK(grown < (long)(info.kernel_bytes / NK * (NK - 2) / 10));
	for (k = 0; k < NK; k++) {
		size_t heap;

		struct btfdb_btf *btf = NULL;
		struct btfdb_index *idx = NULL;
		const uint32_t *ids;
		uint32_t id, bad = 0;
		long kb;

		CHECK_EQ(btfdb_db_kernel_btf(db, k, &btf, &idx, &err), 0);
		if (!btf || !idx)
			break;
		for (id = 1; id < btfdb_btf_type_cnt(btf); id++)
			bad += btfdb_btf_type(btf, id) == NULL;
		CHECK_EQ(bad, 0);
		CHECK_EQ(btfdb_index_lookup(idx, "t01234", 6, &ids), 1);
		kb = mapped_kb(path);
		if (kb > touched)
			touched = kb;
		heap = mallinfo2().uordblks;
		if (heap > heap_read)
			heap_read = heap;
		btfdb_index_free(idx);
		btfdb_btf_free(btf);
		btfdb_db_evict(db); /* what a batch does between kernels */
		kb = mapped_kb(path);
		if (kb > left)
			left = kb;
		heap = mallinfo2().uordblks;
		if (heap < heap_lo)
			heap_lo = heap;
		if (heap > heap_hi)
			heap_hi = heap;
	}
	CHECK_EQ(btfdb_db_verify(db, &err), 0);
	after_verify = mapped_kb(path);
	fprintf(stderr, "file %llu KiB (per-kernel blocks %llu KiB, largest kernel %llu KiB); "
		"mapping resident: at most %ld KiB while reading a kernel, %ld KiB after "
		"evicting it (%d kernels), %ld KiB after verify; heap: at most %zu KiB while "
		"reading, %zu..%zu KiB after evicting\n",
		(unsigned long long)info.file_size / 1024,
		(unsigned long long)info.kernel_bytes / 1024, (unsigned long long)own_max / 1024,
		touched, left, NK, after_verify, heap_read / 1024, heap_lo / 1024, heap_hi / 1024);
	/* reading kernels maps nothing of the file */
	CHECK_EQ(touched, 0);
	CHECK_EQ(left, 0);
	CHECK_EQ(after_verify, 0);
	/* the heap a kernel used is given back (the checked kernel entries,
	 * ~200 bytes each, stay), and the probe sees a kernel's blocks in the
	 * heap while it is read (not under ASan: its allocator does not report
	 * to mallinfo2, which then says 0) */
	if (heap_read) {
		CHECK(heap_hi - heap_lo < 64 * 1024);
		CHECK(heap_read - heap_lo >= (size_t)own_max);
	}
	btfdb_db_close(db);
	unlink(path);
	pool_test();
	rmdir(dir);
	return test_finish();
}
