/* SPDX-License-Identifier: MIT */
/*
 * btf_source.c on real inputs: the running kernel's /sys/kernel/btf/vmlinux,
 * every BTFHub .btf.tar.xz (checked against the README table), ELF objects
 * of both byte orders built with clang, and broken inputs.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "index_internal.h"
#include "test.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Ids of STRUCT types named exactly "name" (via the index). */
static size_t struct_cands(const struct btfdb_btf *btf, const struct btfdb_index *idx,
			   const char *name, uint32_t *first)
{
	const uint32_t *ids;
	size_t n = btfdb_index_lookup(idx, name, strlen(name), &ids), i, cnt = 0;

	for (i = 0; i < n; i++) {
		const struct btf_type *t = btfdb_btf_type(btf, ids[i]);

		if (i)
			CHECK(ids[i] > ids[i - 1]);
		if (btfdb_kind(t) == BTF_KIND_STRUCT && !strcmp(btfdb_btf_name(btf, ids[i]), name)) {
			if (!cnt && first)
				*first = ids[i];
			cnt++;
		}
	}
	return cnt;
}

/* Byte offset of a direct member, -1 if absent. */
static long member_off(const struct btfdb_btf *btf, uint32_t id, const char *name)
{
	const struct btf_type *t = btfdb_btf_type(btf, id);
	uint32_t i;

	for (i = 0; i < btfdb_vlen(t); i++)
		if (!strcmp(btfdb_btf_str(btf, btfdb_members(t)[i].name_off), name))
			return btfdb_member_bit_offset(t, i) / 8;
	return -1;
}

/*
 * A lazily checked handle of path (BTFDB_LOAD_LAZY) hands out exactly the
 * records of the fully checked one, never fails on a valid BTF, and its
 * CO-RE index finds the same task_struct candidates.
 */
static void check_lazy_same(const char *path, const struct btfdb_btf *full,
			    const struct btfdb_index *full_idx)
{
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *lz = NULL;
	struct btfdb_index *lidx = NULL;
	const uint32_t *a, *b;
	size_t na, nb;
	uint32_t id, cnt, bad = 0;

	CHECK_EQ(btfdb_btf_load_flags(path, BTFDB_LOAD_LAZY, &lz, &err), 0);
	if (!lz) {
		fprintf(stderr, "%s (lazy): %s\n", path, err.msg);
		return;
	}
	cnt = btfdb_btf_type_cnt(lz);
	CHECK_EQ(cnt, btfdb_btf_type_cnt(full));
	/* from the top down, so most types are first reached by value */
	for (id = cnt; id-- > 1;) {
		const struct btf_type *x = btfdb_btf_type(lz, id), *y = btfdb_btf_type(full, id);

		if (!x || !y || btfdb_type_extra_size(x) != btfdb_type_extra_size(y) ||
		    memcmp(x, y, sizeof(*x) + btfdb_type_extra_size(x)))
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK(btfdb_btf_error(lz) == NULL);
	CHECK_EQ(btfdb_btf_ptr_size(lz), btfdb_btf_ptr_size(full));
	CHECK_EQ(btfdb_index_build_core(lz, &lidx, &err), 0);
	if (lidx) {
		na = btfdb_index_lookup(lidx, "task_struct", 11, &a);
		nb = btfdb_index_lookup(full_idx, "task_struct", 11, &b);
		CHECK_EQ(na, nb);
		CHECK(na == nb && !memcmp(a, b, na * sizeof(*a)));
	}
	/* an index for a few names (as for one object) finds what the CO-RE
	 * index finds for each of them */
	if (lidx) {
		static const char *const names[] = { "task_struct", "mm_struct", "sk_buff", "file",
						     "pt_regs", "bpf_map", "u32", "e", "trace_event_raw_sys_enter" };
		size_t lens[sizeof(names) / sizeof(names[0])], i, nn = sizeof(names) / sizeof(names[0]);
		struct btfdb_index *pidx = NULL;

		for (i = 0; i < nn; i++)
			lens[i] = strlen(names[i]);
		CHECK_EQ(btfdb_index_build_core_for(lz, names, lens, nn, &pidx, &err), 0);
		for (i = 0; pidx && i < nn; i++) {
			CHECK(btfdb_index_covers(pidx, names[i], lens[i]));
			na = btfdb_index_lookup(lidx, names[i], lens[i], &a);
			nb = btfdb_index_lookup(pidx, names[i], lens[i], &b);
			CHECK_EQ(nb, na);
			CHECK(na == nb && (!na || !memcmp(a, b, na * sizeof(*a))));
		}
		CHECK(!pidx || !btfdb_index_covers(pidx, "inode", 5));
		btfdb_index_free(pidx);
	}
	btfdb_index_free(lidx);
	btfdb_btf_free(lz);
}

static void test_vmlinux(void)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *btf = NULL;
	struct btfdb_index *idx = NULL;
	uint32_t ts = 0;
	double t0, t1, t2;
	int ret;

	if (access(path, R_OK)) {
		fprintf(stderr, "SKIP vmlinux: %s not readable\n", path);
		return;
	}
	t0 = now_ms();
	ret = btfdb_btf_load(path, &btf, &err);
	t1 = now_ms();
	CHECK_EQ(ret, 0);
	if (ret) {
		fprintf(stderr, "vmlinux: %s\n", err.msg);
		return;
	}
	CHECK_EQ(btfdb_index_build(btf, &idx, &err), 0);
	t2 = now_ms();
	printf("vmlinux: %u types, load+parse %.1f ms, index build %.1f ms\n",
	       btfdb_btf_type_cnt(btf), t1 - t0, t2 - t1);
	CHECK(btfdb_btf_type_cnt(btf) > 1000);
	CHECK_EQ(btfdb_btf_ptr_size(btf), 8);
	CHECK(!btfdb_btf_big_endian(btf));
	CHECK_EQ(struct_cands(btf, idx, "task_struct", &ts), 1);
	CHECK(btfdb_resolve_size(btf, ts) > 1000);
	CHECK(member_off(btf, ts, "pid") > 0);
	check_lazy_same(path, btf, idx);
	btfdb_index_free(idx);
	btfdb_btf_free(btf);
}

/* One row of the README "Files" table. */
struct hub_row {
	char path[256];
	unsigned long long raw_size, types;
	long sizeof_ts, pid, state_off, mm;
	char state[16];
	unsigned copies; /* "N copies of task_struct", else 1 */
};

static unsigned long long num(const char *s)
{
	unsigned long long v = 0;

	for (; *s && *s != '|'; s++)
		if (*s >= '0' && *s <= '9')
			v = v * 10 + (unsigned)(*s - '0');
	return v;
}

/* Split a table line into cells (pointers into line, trimmed). */
static int cells(char *line, char **c, int max)
{
	int n = 0;
	char *p = line;

	if (*p != '|')
		return 0;
	p++;
	while (*p && n < max) {
		char *end = strchr(p, '|');

		if (!end)
			break;
		*end = 0;
		while (*p == ' ')
			p++;
		for (char *q = end - 1; q >= p && *q == ' '; q--)
			*q = 0;
		c[n++] = p;
		p = end + 1;
	}
	return n;
}

static size_t read_table(const char *dir, struct hub_row *rows, size_t max)
{
	char path[512], line[1024];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/README.md", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && n < max) {
		char *c[12];
		struct hub_row *r = &rows[n];

		line[strcspn(line, "\n")] = 0;
		/* "Files" table: 11 columns, path then release ... notes */
		if (cells(line, c, 12) != 11 || !strstr(c[0], ".btf.tar.xz"))
			continue;
		snprintf(r->path, sizeof(r->path), "%s", c[0]);
		r->raw_size = num(c[4]);
		r->types = num(c[5]);
		r->sizeof_ts = (long)num(c[6]);
		r->pid = (long)num(c[7]);
		sscanf(c[8], "%15s @ %ld", r->state, &r->state_off);
		r->mm = (long)num(c[9]);
		r->copies = 1;
		if (strstr(c[10], "copies of task_struct"))
			r->copies = (unsigned)strtoul(c[10], NULL, 10);
		n++;
	}
	fclose(f);
	return n;
}

static void test_btfhub(void)
{
	static struct hub_row rows[64];
	size_t n, i, seen_centos = 0, seen_kylin = 0;

	n = read_table(BTFHUB_DIR, rows, 64);
	if (!n) {
		fprintf(stderr, "SKIP btfhub: no README table under BTFHUB_DIR=%s\n", BTFHUB_DIR);
		return;
	}
	CHECK_EQ(n, 30);
	for (i = 0; i < n; i++) {
		struct hub_row *r = &rows[i];
		struct btfdb_err err = { { 0 } };
		struct btfdb_btf *btf = NULL;
		struct btfdb_index *idx = NULL;
		char path[1024];
		uint32_t ts = 0;
		size_t raw_size = 0;
		double t0, t1, t2;
		int ret;

		if (snprintf(path, sizeof(path), "%s/%s", BTFHUB_DIR, r->path) >= (int)sizeof(path))
			continue;
		t0 = now_ms();
		ret = btfdb_btf_load(path, &btf, &err);
		t1 = now_ms();
		CHECK_EQ(ret, 0);
		if (ret) {
			fprintf(stderr, "%s: %s\n", r->path, err.msg);
			continue;
		}
		CHECK_EQ(btfdb_index_build(btf, &idx, &err), 0);
		t2 = now_ms();
		btfdb_btf_raw(btf, &raw_size);
		CHECK_EQ(raw_size, r->raw_size);
		CHECK_EQ(btfdb_btf_type_cnt(btf), r->types + 1);
		CHECK_EQ(struct_cands(btf, idx, "task_struct", &ts), r->copies);
		CHECK_EQ(btfdb_resolve_size(btf, ts), r->sizeof_ts);
		CHECK_EQ(member_off(btf, ts, "pid"), r->pid);
		CHECK_EQ(member_off(btf, ts, "mm"), r->mm);
		CHECK_EQ(member_off(btf, ts, r->state), r->state_off);
		CHECK_EQ(btfdb_btf_ptr_size(btf), 8);
		CHECK(!btfdb_btf_big_endian(btf));
		printf("%-90s %7u types  load %6.1f ms  index %5.1f ms\n", r->path,
		       btfdb_btf_type_cnt(btf), t1 - t0, t2 - t1);
		check_lazy_same(path, btf, idx);
		/* literal spot checks from the README */
		if (strstr(r->path, "centos/8/")) {
			seen_centos = 1;
			CHECK_EQ(btfdb_btf_type_cnt(btf), 561977 + 1);
			CHECK_EQ(struct_cands(btf, idx, "task_struct", NULL), 476);
			CHECK_EQ(btfdb_resolve_size(btf, ts), 4352);
		}
		if (strstr(r->path, "kylin/V10/aarch64/4.19.90-24.4.")) {
			seen_kylin = 1;
			CHECK_EQ(struct_cands(btf, idx, "task_struct", NULL), 2);
			CHECK_EQ(btfdb_btf_type_cnt(btf), 97648 + 1);
		}
		btfdb_index_free(idx);
		btfdb_btf_free(btf);
	}
	CHECK(seen_centos);
	CHECK(seen_kylin);
}

/* ---- ELF objects built with clang ---- */

static char tmpdir[] = "/tmp/test_btf_source.XXXXXX";

static int sh(const char *cmd)
{
	int r = system(cmd);

	return r == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return;
	if (size)
		fwrite(data, 1, size, f);
	fclose(f);
}

static void test_elf(void)
{
	static const char src[] =
		"struct point { int x; long y; struct point *next; };\n"
		"struct point g_point;\n"
		"int get(struct point *p) { return p->x; }\n";
	char path[256], cmd[2048], el[256], eb[256], nobtf[256];
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *a = NULL, *b = NULL, *c = NULL;
	uint32_t i;

	snprintf(path, sizeof(path), "%s/p.c", tmpdir);
	write_file(path, src, strlen(src));
	snprintf(el, sizeof(el), "%s/p.bpfel.o", tmpdir);
	snprintf(eb, sizeof(eb), "%s/p.bpfeb.o", tmpdir);
	snprintf(nobtf, sizeof(nobtf), "%s/p.nobtf.o", tmpdir);
	snprintf(cmd, sizeof(cmd),
		 "clang-%d -O2 -g -target bpfel -c %s -o %s && clang-%d -O2 -g -target bpfeb -c %s "
		 "-o %s && clang-%d -O2 -target bpfel -c %s -o %s",
		 BPF_CLANG_MAJOR, path, el, BPF_CLANG_MAJOR, path, eb, BPF_CLANG_MAJOR, path, nobtf);
	if (sh(cmd)) {
		fprintf(stderr, "SKIP elf: clang-%d failed\n", BPF_CLANG_MAJOR);
		return;
	}
	CHECK_EQ(btfdb_btf_load(el, &a, &err), 0);
	CHECK_EQ(btfdb_btf_load(eb, &b, &err), 0);
	if (!a || !b) {
		fprintf(stderr, "elf: %s\n", err.msg);
		goto out;
	}
	CHECK(!btfdb_btf_big_endian(a));
	CHECK(btfdb_btf_big_endian(b));
	CHECK_EQ(btfdb_btf_ptr_size(a), 8);
	/* the big-endian .BTF converts to exactly the little-endian types */
	CHECK_EQ(btfdb_btf_type_cnt(a), btfdb_btf_type_cnt(b));
	for (i = 1; i < btfdb_btf_type_cnt(a) && i < btfdb_btf_type_cnt(b); i++) {
		const struct btf_type *ta = btfdb_btf_type(a, i), *tb = btfdb_btf_type(b, i);

		CHECK(!memcmp(ta, tb, sizeof(*ta) + btfdb_type_extra_size(ta)));
		CHECK_STR(btfdb_btf_name(b, i), btfdb_btf_name(a, i));
	}
	{
		struct btfdb_index *idx = NULL;
		uint32_t pt = 0;

		CHECK_EQ(btfdb_index_build(b, &idx, &err), 0);
		CHECK_EQ(struct_cands(b, idx, "point", &pt), 1);
		CHECK_EQ(btfdb_resolve_size(b, pt), 24);
		CHECK_EQ(member_off(b, pt, "y"), 8);
		btfdb_index_free(idx);
	}
	memset(&err, 0, sizeof(err));
	CHECK_EQ(btfdb_btf_load(nobtf, &c, &err), -ENOENT);
	CHECK_CONTAINS(err.msg, "no .BTF section");
	CHECK(c == NULL);
out:
	btfdb_btf_free(a);
	btfdb_btf_free(b);
}

/* A kernel's raw BTF as a plain file and inside an x86-64 ELF (like vmlinux). */
static void test_raw_and_vmlinux_elf(void)
{
	const char *hub = BTFHUB_DIR "/kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64.btf.tar.xz";
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *a = NULL, *b = NULL, *c = NULL;
	char raw[256], obj[256], elf[256], cmd[2048];
	const void *data;
	size_t size = 0;

	if (access(hub, R_OK)) {
		fprintf(stderr, "SKIP raw/ELF kernel: %s absent\n", hub);
		return;
	}
	CHECK_EQ(btfdb_btf_load(hub, &a, &err), 0);
	if (!a)
		return;
	data = btfdb_btf_raw(a, &size);
	snprintf(raw, sizeof(raw), "%s/k.btf", tmpdir);
	snprintf(obj, sizeof(obj), "%s/k.o", tmpdir);
	snprintf(elf, sizeof(elf), "%s/vmlinux", tmpdir);
	write_file(raw, data, size);
	CHECK_EQ(btfdb_btf_load(raw, &b, &err), 0);
	if (b) {
		CHECK_EQ(btfdb_btf_type_cnt(b), 35405 + 1);
		CHECK(btfdb_btf_hash(b) == btfdb_btf_hash(a));
	}
	snprintf(cmd, sizeof(cmd),
		 "cd %s && printf 'int x;\\n' > k.c && cc -c k.c -o %s && "
		 "objcopy --add-section .BTF=%s %s %s",
		 tmpdir, obj, raw, obj, elf);
	if (sh(cmd)) {
		fprintf(stderr, "SKIP vmlinux-like ELF: cc/objcopy failed\n");
	} else {
		CHECK_EQ(btfdb_btf_load(elf, &c, &err), 0);
		if (c) {
			CHECK_EQ(btfdb_btf_type_cnt(c), 35405 + 1);
			CHECK(btfdb_btf_hash(c) == btfdb_btf_hash(a));
			CHECK_EQ(btfdb_btf_ptr_size(c), 8);
		} else {
			fprintf(stderr, "vmlinux-like ELF: %s\n", err.msg);
		}
	}
	btfdb_btf_free(a);
	btfdb_btf_free(b);
	btfdb_btf_free(c);
}

/* ---- broken inputs ---- */

static void expect_fail(const char *path, const char *msg)
{
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *btf = (struct btfdb_btf *)1;

	CHECK(btfdb_btf_load(path, &btf, &err) < 0);
	CHECK(btf == NULL);
	CHECK_CONTAINS(err.msg, msg);
	CHECK_CONTAINS(err.msg, path);
}

static void test_errors(void)
{
	char p[256], cmd[1024], *hub_file = NULL;
	const char *hubxz = BTFHUB_DIR "/kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64.btf.tar.xz";
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *btf = NULL;
	FILE *f;

	snprintf(p, sizeof(p), "%s/empty", tmpdir);
	write_file(p, "", 0);
	expect_fail(p, "empty file");

	snprintf(p, sizeof(p), "%s/garbage", tmpdir);
	write_file(p, "hello world, not btf", 20);
	expect_fail(p, "not BTF, ELF or .tar.xz (magic 68 65 6c 6c)");

	snprintf(p, sizeof(p), "%s/short", tmpdir);
	write_file(p, "ab", 2);
	expect_fail(p, "too short");

	snprintf(p, sizeof(p), "%s/truncbtf", tmpdir);
	write_file(p, "\x9f\xeb\x01\x00\x18\x00", 6);
	expect_fail(p, "truncated header");

	snprintf(p, sizeof(p), "%s/truncelf", tmpdir);
	write_file(p, "\x7f" "ELF\x02\x01\x01", 7);
	expect_fail(p, "ELF");

	expect_fail("/nonexistent/x.btf", "cannot open");
	expect_fail(tmpdir, "directory");

	CHECK(btfdb_btf_load_mem("", 0, "mem", &btf, &err) < 0);
	CHECK_CONTAINS(err.msg, "mem: empty file");

	/* xz cases built with tar/xz */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && printf 'not btf data' > a.btf && printf 'y' > b.btf && : > e.btf && "
		 "tar -cJf two.tar.xz a.btf b.btf && tar -cJf empty.tar.xz e.btf && "
		 "tar -cf - a.btf | xz -c | head -c 60 > trunc.tar.xz && "
		 "printf 'not a tar archive at all, just text' | xz -c > notar.tar.xz && "
		 "tar -cJf one.tar.xz a.btf",
		 tmpdir);
	if (sh(cmd)) {
		fprintf(stderr, "SKIP xz error cases: tar/xz failed\n");
		return;
	}
	snprintf(p, sizeof(p), "%s/two.tar.xz", tmpdir);
	expect_fail(p, "archive has 2 members, expected one .btf");
	snprintf(p, sizeof(p), "%s/empty.tar.xz", tmpdir);
	expect_fail(p, "is empty");
	snprintf(p, sizeof(p), "%s/trunc.tar.xz", tmpdir);
	expect_fail(p, "xz/tar");
	snprintf(p, sizeof(p), "%s/notar.tar.xz", tmpdir);
	expect_fail(p, "xz/tar");
	snprintf(p, sizeof(p), "%s/one.tar.xz", tmpdir);
	expect_fail(p, "bad magic"); /* one member, but it is not BTF */

	/* a real archive with bytes flipped in the middle of the xz stream */
	f = fopen(hubxz, "rb");
	if (f) {
		long sz;

		fseek(f, 0, SEEK_END);
		sz = ftell(f);
		fseek(f, 0, SEEK_SET);
		hub_file = malloc((size_t)sz);
		if (hub_file && fread(hub_file, 1, (size_t)sz, f) == (size_t)sz) {
			long i;

			for (i = sz / 2; i < sz / 2 + 64; i++)
				hub_file[i] ^= 0x5a;
			memset(&err, 0, sizeof(err));
			CHECK(btfdb_btf_load_mem(hub_file, (size_t)sz, "corrupt.tar.xz", &btf, &err) < 0);
			CHECK(btf == NULL);
			CHECK_CONTAINS(err.msg, "corrupt.tar.xz: xz/tar");
			printf("corrupt xz: %s\n", err.msg);
		}
		free(hub_file);
		fclose(f);
	}
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_vmlinux();
	test_btfhub();
	test_elf();
	test_raw_and_vmlinux_elf();
	test_errors();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	sh(cmd);
	return test_finish();
}
