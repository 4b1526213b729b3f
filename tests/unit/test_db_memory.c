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
 * kernels' blocks in memory.
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

/* Kernel k: NT INT types "tN" (N = 0..NT-1) in an order shuffled by seed k. */
static uint8_t *make_kernel(uint32_t k, size_t *size)
{
	struct btf_header h = { 0 };
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
	h.magic = BTF_MAGIC;
	h.version = BTF_VERSION;
	h.hdr_len = sizeof(h);
	h.type_len = NT * 16;
	h.str_off = h.type_len;
	h.str_len = (uint32_t)str_len;
	*size = sizeof(h) + h.type_len + str_len;
	b = calloc(1, *size);
	memcpy(b, &h, sizeof(h));
	types = (uint32_t *)(b + sizeof(h));
	strs = (char *)b + sizeof(h) + h.type_len;
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
		if (k == 0)
			first = mallinfo2().uordblks;
	}
	*grown = (long)(mallinfo2().uordblks - first);
	CHECK_EQ(btfdb_db_writer_write(w, db, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "build: %s\n", err.msg);
	btfdb_db_writer_free(w);
}

int main(void)
{
	struct btfdb_err err = { "" };
	struct btfdb_db *db = NULL;
	struct btfdb_db_info info;
	char path[256];
	long touched = 0, left = 0, after_verify, grown = 0;
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

		CHECK_EQ(btfdb_db_kernel_info(db, k, &ki, NULL), 0);
		CHECK(!ki.raw);
		if (ki.own_bytes > own_max)
			own_max = ki.own_bytes;
	}
	/* the per-kernel blocks are most of the file */
	CHECK(info.kernel_bytes > info.file_size / 2);
	/* the build kept none of them: its heap grew by less than a tenth of
	 * the blocks of the kernels added after the first (it kept all of
	 * them before it streamed) */
	fprintf(stderr, "build: heap +%ld KiB from the first kernel to the last (%d kernels)\n",
		grown / 1024, NK);
	CHECK(grown < (long)(info.kernel_bytes / NK * (NK - 1) / 10));
	btfdb_db_evict(db); /* info read the tables through the mapping */
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
	rmdir(dir);
	return test_finish();
}
