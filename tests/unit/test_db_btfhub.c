/* SPDX-License-Identifier: MIT */
/*
 * btfhub round trip: a database of every kernel in BTFHUB_DIR (+ the running
 * kernel's /sys/kernel/btf/vmlinux); each kernel extracts byte-identical to
 * its source; backend access equals the flat parse for every type id
 * (kind/info, size/type, names, per-kind data) and index lookups of sample
 * names give identical id lists; every extracted BTFHub kernel has the
 * SHA-256 listed in BTFHUB_DIR/README.md.  Prints the DB size against the
 * .tar.xz total and the time of a cold "open + lookup task_struct + fetch".
 */
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "btfdb_db.h"
#include "test.h"

struct src {
	char path[1600];
	char name[1100];
};

static struct src srcs[128];
static int nsrc;
static uint64_t xz_total;

static void collect(const char *root, const char *rel)
{
	char dir[1024];
	struct dirent **ents;
	int n, i;

	snprintf(dir, sizeof(dir), "%s%s%s", root, rel[0] ? "/" : "", rel);
	n = scandir(dir, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		char r[1024], full[1536];
		struct stat st;
		size_t l;

		if (ents[i]->d_name[0] != '.') {
			snprintf(r, sizeof(r), "%s%s%s", rel, rel[0] ? "/" : "", ents[i]->d_name);
			snprintf(full, sizeof(full), "%s/%s", root, r);
			l = strlen(r);
			if (!stat(full, &st) && S_ISDIR(st.st_mode)) {
				collect(root, r);
			} else if (l > 11 && !strcmp(r + l - 11, ".btf.tar.xz") && nsrc < 120) {
				snprintf(srcs[nsrc].path, sizeof(srcs[nsrc].path), "%s", full);
				snprintf(srcs[nsrc].name, sizeof(srcs[nsrc].name), "%.*s", (int)(l - 11), r);
				xz_total += st.st_size;
				nsrc++;
			}
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

/* ---- SHA-256 (FIPS 180-4), to check extracts against README.md ---- */
static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t st[8], const uint8_t *b)
{
	uint32_t w[64], a[8], i, t1, t2;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
		       (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       w[i - 7] + (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	memcpy(a, st, sizeof(a));
	for (i = 0; i < 64; i++) {
		t1 = a[7] + (ROR(a[4], 6) ^ ROR(a[4], 11) ^ ROR(a[4], 25)) +
		     ((a[4] & a[5]) ^ (~a[4] & a[6])) + sha_k[i] + w[i];
		t2 = (ROR(a[0], 2) ^ ROR(a[0], 13) ^ ROR(a[0], 22)) +
		     ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]));
		memmove(a + 1, a, 7 * sizeof(uint32_t));
		a[4] += t1;
		a[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		st[i] += a[i];
}

/* Hex SHA-256 of data into hex[65]. */
static void sha256_hex(const uint8_t *data, size_t n, char hex[65])
{
	uint32_t st[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	uint8_t tail[128] = { 0 };
	size_t i, rest = n % 64, tl = rest < 56 ? 64 : 128;
	uint64_t bits = (uint64_t)n * 8;

	for (i = 0; i + 64 <= n; i += 64)
		sha_block(st, data + i);
	memcpy(tail, data + i, rest);
	tail[rest] = 0x80;
	for (i = 0; i < 8; i++)
		tail[tl - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha_block(st, tail);
	if (tl == 128)
		sha_block(st, tail + 64);
	for (i = 0; i < 8; i++)
		snprintf(hex + 8 * i, 9, "%08x", st[i]);
}

/* The README's SHA-256 for kernel `name` (path without .btf); NULL if none. */
static char readme_sha[64][65], readme_name[64][512];
static int nreadme;

static void load_readme(void)
{
	char line[1024];
	FILE *f = fopen(BTFHUB_DIR "/README.md", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && nreadme < 64) {
		char h[80], pth[600];
		size_t l;

		if (sscanf(line, "%79s %599s", h, pth) != 2 || strlen(h) != 64 ||
		    strspn(h, "0123456789abcdef") != 64 || (l = strlen(pth)) < 5 ||
		    strcmp(pth + l - 4, ".btf"))
			continue;
		pth[l - 4] = 0;
		memcpy(readme_sha[nreadme], h, 65);
		snprintf(readme_name[nreadme], sizeof(readme_name[0]), "%s", pth);
		nreadme++;
	}
	fclose(f);
}

static const char *readme_sha_of(const char *name)
{
	int i;

	for (i = 0; i < nreadme; i++)
		if (!strcmp(readme_name[i], name))
			return readme_sha[i];
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *sample[] = { "task_struct", "mm_struct", "file", "inode", "sk_buff", "int",
				"long unsigned int", "list_head", "pid_t", "bpf_prog", "sock",
				"trace_event_raw_sys_enter", "pt_regs", "cgroup", "no_such_type_xyz",
				"page", "dentry", "super_block", "net_device", "u32" };

static void compare(struct btfdb_db *db, int k, const struct btfdb_btf *flat)
{
	struct btfdb_err err = { "" };
	struct btfdb_btf *bk = NULL;
	struct btfdb_index *bi = NULL, *fi = NULL;
	uint32_t id, bad = 0, n = btfdb_btf_type_cnt(flat);
	size_t i;

	CHECK_EQ(btfdb_db_kernel_btf(db, k, &bk, &bi, &err), 0);
	CHECK_EQ(btfdb_index_build(flat, &fi, &err), 0);
	if (!bk || !bi || !fi)
		goto out;
	CHECK_EQ(btfdb_btf_type_cnt(bk), n);
	for (id = 1; id < n && bad < 5; id++) {
		const struct btf_type *a = btfdb_btf_type(flat, id), *b = btfdb_btf_type(bk, id);
		const uint32_t *xa = (const uint32_t *)(a + 1), *xb;
		uint32_t words, j, step = 1, name_at = 99;

		if (!b) {
			bad++;
			continue;
		}
		xb = (const uint32_t *)(b + 1);
		words = btfdb_type_extra_size(a) / 4;
		/* which word of each vlen entry is a name offset */
		switch (btfdb_kind(a)) {
		case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM64:
			step = 3; name_at = 0; break;
		case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO:
			step = 2; name_at = 0; break;
		}
		if (a->info != b->info || a->size != b->size ||
		    strcmp(btfdb_btf_name(flat, id), btfdb_btf_name(bk, id)))
			bad++;
		for (j = 0; j < words; j++) {
			if (j % step == name_at) {
				if (strcmp(btfdb_btf_str(flat, xa[j]), btfdb_btf_str(bk, xb[j])))
					bad++;
			} else if (xa[j] != xb[j]) {
				bad++;
			}
		}
	}
	CHECK_EQ(bad, 0);
	for (i = 0; i < sizeof(sample) / sizeof(sample[0]); i++) {
		const uint32_t *x = NULL, *y = NULL;
		size_t nx = btfdb_index_lookup(fi, sample[i], strlen(sample[i]), &x);
		size_t ny = btfdb_index_lookup(bi, sample[i], strlen(sample[i]), &y);

		CHECK_EQ(ny, nx);
		if (nx && nx == ny)
			CHECK(!memcmp(x, y, nx * sizeof(*x)));
	}
out:
	btfdb_index_free(fi);
	btfdb_index_free(bi);
	btfdb_btf_free(bk);
}

int main(void)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *w = NULL;
	struct btfdb_db *db = NULL;
	char dbpath[] = "/tmp/test_db_btfhub_XXXXXX";
	struct stat st;
	int i, fd, have_vm = 0, nsha = 0;
	double t0;

	if (stat(BTFHUB_DIR, &st)) {
		SKIP_ALL("BTFHUB_DIR " BTFHUB_DIR " is absent");
		return test_finish();
	}
	collect(BTFHUB_DIR, "");
	load_readme();
	if (!nsrc) {
		SKIP_ALL("no .btf.tar.xz below BTFHUB_DIR");
		return test_finish();
	}
	if (!access("/sys/kernel/btf/vmlinux", R_OK) && nsrc < 128) {
		snprintf(srcs[nsrc].path, sizeof(srcs[nsrc].path), "/sys/kernel/btf/vmlinux");
		snprintf(srcs[nsrc].name, sizeof(srcs[nsrc].name), "running/vmlinux");
		nsrc++;
		have_vm = 1;
	}
	fd = mkstemp(dbpath);
	close(fd);

	t0 = now();
	/* streamed: each kernel's blocks go to the file as it is added (btfdb build) */
	CHECK_EQ(btfdb_db_writer_create(dbpath, &w, &err), 0);
	for (i = 0; i < nsrc && w; i++) {
		struct btfdb_btf *btf = NULL;

		CHECK_EQ(btfdb_btf_load(srcs[i].path, &btf, &err), 0);
		if (!btf) {
			fprintf(stderr, "%s: %s\n", srcs[i].path, err.msg);
			continue;
		}
		CHECK(btfdb_db_writer_add(w, btf, srcs[i].name, &err) >= 0);
		btfdb_btf_free(btf);
	}
	CHECK_EQ(btfdb_db_writer_write(w, dbpath, &err), 0);
	btfdb_db_writer_free(w);
	printf("build: %d kernels in %.1f s\n", nsrc, now() - t0);

	CHECK_EQ(btfdb_db_open(dbpath, &db, &err), 0);
	if (!db) {
		fprintf(stderr, "%s\n", err.msg);
		unlink(dbpath);
		return test_finish();
	}
	{
		struct btfdb_db_info in;

		btfdb_db_info(db, &in);
		printf("db size %llu bytes for %u kernels (%llu raw BTF bytes); the %d .btf.tar.xz "
		       "total %llu bytes: ratio db/xz = %.2f\n", (unsigned long long)in.file_size,
		       in.nr_kernels, (unsigned long long)in.raw_total, nsrc - have_vm,
		       (unsigned long long)xz_total, (double)in.file_size / (double)xz_total);
		printf("  strings %llu, type pool %llu (%u records), name index %llu, per-kernel %llu\n",
		       (unsigned long long)in.strings_bytes, (unsigned long long)in.pool_bytes,
		       in.nr_pool, (unsigned long long)in.index_bytes,
		       (unsigned long long)in.kernel_bytes);
	}
	/* cold lookup timing on a fresh open */
	{
		struct btfdb_db *db2;
		struct btfdb_btf *bk;
		struct btfdb_index *bi;
		const uint32_t *ids;
		size_t n, j;
		double t = now();

		CHECK_EQ(btfdb_db_open(dbpath, &db2, &err), 0);
		CHECK_EQ(btfdb_db_kernel_btf(db2, 0, &bk, &bi, &err), 0);
		n = btfdb_index_lookup(bi, "task_struct", 11, &ids);
		CHECK(n >= 1);
		for (j = 0; j < n; j++)
			CHECK(btfdb_btf_type(bk, ids[j]) != NULL);
		printf("cold open + lookup task_struct + fetch %zu types: %.2f ms\n", n,
		       (now() - t) * 1e3);
		btfdb_index_free(bi);
		btfdb_btf_free(bk);
		btfdb_db_close(db2);
	}
	t0 = now();
	for (i = 0; i < nsrc; i++) {
		struct btfdb_btf *flat = NULL;
		int k = btfdb_db_find_kernel(db, srcs[i].name, &err);
		void *d = NULL;
		size_t n = 0, rn = 0;
		const void *raw;

		CHECK_EQ(k, i);
		if (k < 0 || btfdb_btf_load(srcs[i].path, &flat, &err))
			continue;
		raw = btfdb_btf_raw(flat, &rn);
		CHECK_EQ(btfdb_db_extract(db, k, &d, &n, &err), 0);
		CHECK(d && n == rn && !memcmp(d, raw, n));
		if (d && readme_sha_of(srcs[i].name)) {
			char hex[65];

			sha256_hex(d, n, hex);
			CHECK_STR(hex, readme_sha_of(srcs[i].name));
			nsha++;
		}
		free(d);
		compare(db, k, flat);
		btfdb_btf_free(flat);
	}
	printf("extract + compare: %.1f s; %d extracts matched README.md SHA-256\n",
	       now() - t0, nsha);
	CHECK_EQ(nsha, nreadme);
	CHECK(nreadme >= 1);
	err.msg[0] = 0;
	t0 = now();
	CHECK_EQ(btfdb_db_verify(db, &err), 0);
	printf("verify: %.1f s %s\n", now() - t0, err.msg);
	btfdb_db_close(db);
	unlink(dbpath);
	return test_finish();
}
