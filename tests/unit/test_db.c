/* SPDX-License-Identifier: MIT */
/*
 * btfdb database on small synthetic blobs: build, ls, extract == source,
 * backend == flat (records, names, index), add, rm, verify, and corruption
 * (truncation at many points, bit flips in every section) -> a clean error.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "btfdb_db.h"
#include "db_format.h"
#include "db_read_internal.h"
#include "test.h"

/* ---- a tiny BTF assembler ---- */
struct blob {
	uint32_t types[512];
	uint32_t nt;
	char strs[1024];
	uint32_t sl;
};

static uint32_t s_add(struct blob *b, const char *s)
{
	uint32_t off = b->sl;

	if (!s[0])
		return 0;
	for (off = 1; off < b->sl; off += strlen(b->strs + off) + 1)
		if (!strcmp(b->strs + off, s))
			return off;
	off = b->sl;
	strcpy(b->strs + b->sl, s);
	b->sl += strlen(s) + 1;
	return off;
}

static void w(struct blob *b, uint32_t v) { b->types[b->nt++] = v; }

#define INFO(kind, vlen, kflag) (((uint32_t)(kflag) << 31) | ((uint32_t)(kind) << 24) | (vlen))

/* The blob of b: header, types, strings; its size. */
static size_t finish_blob(const struct blob *b, uint8_t *out)
{
	struct btf_header h = { 0 };

	h.magic = BTF_MAGIC;
	h.version = BTF_VERSION;
	h.hdr_len = sizeof(h);
	h.type_len = b->nt * 4;
	h.str_off = h.type_len;
	h.str_len = b->sl;
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), b->types, h.type_len);
	memcpy(out + sizeof(h) + h.type_len, b->strs, b->sl);
	return sizeof(h) + h.type_len + h.str_len;
}

/*
 * Kernel variant v: v shifts ids by inserting v extra typedefs first and
 * renames one member so kernels differ a little.
 */
static size_t make_blob(int v, uint8_t *out)
{
	struct blob b = { .nt = 0, .sl = 1 };
	uint32_t base, i;

	b.strs[0] = 0;
	for (i = 0; i < (uint32_t)v; i++) { /* ids 1..v: typedef pad_i int (id v+1) */
		char n[16];

		snprintf(n, sizeof(n), "pad%u", i);
		w(&b, s_add(&b, n));
		w(&b, INFO(BTF_KIND_TYPEDEF, 0, 0));
		w(&b, v + 1);
	}
	base = v;
	/* base+1: int */
	w(&b, s_add(&b, "int")); w(&b, INFO(BTF_KIND_INT, 0, 0)); w(&b, 4); w(&b, BTF_INT_SIGNED << 24 | 32);
	/* base+2: struct foo { int a; struct foo *next; int bits:3; } */
	w(&b, s_add(&b, "foo")); w(&b, INFO(BTF_KIND_STRUCT, 3, 1)); w(&b, 20);
	w(&b, s_add(&b, v == 2 ? "a2" : "a")); w(&b, base + 1); w(&b, 0);
	w(&b, s_add(&b, "next")); w(&b, base + 3); w(&b, 64);
	w(&b, s_add(&b, "bits")); w(&b, base + 1); w(&b, (3u << 24) | 128);
	/* base+3: ptr -> foo */
	w(&b, 0); w(&b, INFO(BTF_KIND_PTR, 0, 0)); w(&b, base + 2);
	/* base+4: typedef foo_t -> foo */
	w(&b, s_add(&b, "foo_t")); w(&b, INFO(BTF_KIND_TYPEDEF, 0, 0)); w(&b, base + 2);
	/* base+5: enum e { E_A = 1, E_B = -1 } */
	w(&b, s_add(&b, "e")); w(&b, INFO(BTF_KIND_ENUM, 2, 1)); w(&b, 4);
	w(&b, s_add(&b, "E_A")); w(&b, 1);
	w(&b, s_add(&b, "E_B")); w(&b, (uint32_t)-1);
	/* base+6: func_proto int (struct foo *p) ; base+7: func f */
	w(&b, 0); w(&b, INFO(BTF_KIND_FUNC_PROTO, 1, 0)); w(&b, base + 1);
	w(&b, s_add(&b, "p")); w(&b, base + 3);
	w(&b, s_add(&b, "f")); w(&b, INFO(BTF_KIND_FUNC, 1, 0)); w(&b, base + 6); /* global */
	/* base+8: struct foo___v2 (a flavor: same essential name) ; base+9: array int[4] */
	w(&b, s_add(&b, "foo___v2")); w(&b, INFO(BTF_KIND_STRUCT, 0, 0)); w(&b, 0);
	w(&b, 0); w(&b, INFO(BTF_KIND_ARRAY, 0, 0)); w(&b, 0); w(&b, base + 1); w(&b, base + 1); w(&b, 4);
	/* base+10: a second struct foo (non-dedup style copy) */
	w(&b, s_add(&b, "foo")); w(&b, INFO(BTF_KIND_STRUCT, 1, 0)); w(&b, 4);
	w(&b, s_add(&b, "a")); w(&b, base + 1); w(&b, 0);

	return finish_blob(&b, out);
}

static uint8_t blobs[4][8192];
static size_t blob_sz[4];
static char dir[] = "/tmp/test_db_XXXXXX";

static char *path(const char *name)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void write_file(const char *p, const void *d, size_t n)
{
	FILE *f = fopen(p, "wb");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ(fwrite(d, 1, n, f), n);
	fclose(f);
}

static uint8_t *read_file(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	uint8_t *d;
	long sz;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = malloc(sz + 1);
	*n = fread(d, 1, sz, f);
	fclose(f);
	return d;
}

/* Backend handles of kernel k match the flat parse of its blob. */
static void compare_backend(struct btfdb_db *db, int k, const uint8_t *blob, size_t size)
{
	struct btfdb_err err = { "" };
	struct btfdb_btf *flat = NULL, *bk = NULL;
	struct btfdb_index *fi = NULL, *bi = NULL;
	static const char *names[] = { "foo", "int", "foo_t", "e", "f", "nope", "p" };
	uint32_t id;
	size_t i;

	CHECK_EQ(btfdb_btf_parse(blob, size, NULL, &flat, &err), 0);
	CHECK_EQ(btfdb_index_build(flat, &fi, &err), 0);
	CHECK_EQ(btfdb_db_kernel_btf(db, k, &bk, &bi, &err), 0);
	if (!flat || !bk || !fi || !bi)
		goto out;
	CHECK_EQ(btfdb_btf_type_cnt(bk), btfdb_btf_type_cnt(flat));
	CHECK_EQ(btfdb_btf_hash(bk), btfdb_btf_hash(flat));
	for (id = 1; id < btfdb_btf_type_cnt(flat); id++) {
		const struct btf_type *a = btfdb_btf_type(flat, id), *b = btfdb_btf_type(bk, id);
		size_t ext = btfdb_type_extra_size(a);

		CHECK(b != NULL);
		if (!b)
			continue;
		CHECK_EQ(a->info, b->info);
		CHECK_EQ(a->size, b->size);
		CHECK_STR(btfdb_btf_name(bk, id), btfdb_btf_name(flat, id));
		if (btfdb_is_composite(a)) {
			for (i = 0; i < btfdb_vlen(a); i++) {
				CHECK_EQ(btfdb_members(a)[i].type, btfdb_members(b)[i].type);
				CHECK_EQ(btfdb_members(a)[i].offset, btfdb_members(b)[i].offset);
				CHECK_STR(btfdb_btf_str(bk, btfdb_members(b)[i].name_off),
					  btfdb_btf_str(flat, btfdb_members(a)[i].name_off));
			}
		} else if (btfdb_kind(a) != BTF_KIND_ENUM && btfdb_kind(a) != BTF_KIND_FUNC_PROTO) {
			CHECK(!memcmp(a + 1, b + 1, ext));
		}
	}
	CHECK(btfdb_btf_type(bk, btfdb_btf_type_cnt(flat)) == NULL);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const uint32_t *x = NULL, *y = NULL;
		size_t nx = btfdb_index_lookup(fi, names[i], strlen(names[i]), &x);
		size_t ny = btfdb_index_lookup(bi, names[i], strlen(names[i]), &y);

		CHECK_EQ(ny, nx);
		if (nx == ny && nx)
			CHECK(!memcmp(x, y, nx * 4));
	}
	{
		const uint32_t *y;

		/* "foo" matches struct foo, foo___v2 and the second foo */
		CHECK_EQ(btfdb_index_lookup(bi, "foo", 3, &y), 3);
	}
out:
	btfdb_index_free(fi);
	btfdb_index_free(bi);
	btfdb_btf_free(flat);
	btfdb_btf_free(bk);
}

static int open_verify(const char *p, struct btfdb_err *err)
{
	struct btfdb_db *db;
	int ret = btfdb_db_open(p, &db, err);
	uint32_t k;

	if (ret)
		return ret;
	ret = btfdb_db_verify(db, err);
	for (k = 0; !ret && k < btfdb_db_kernel_count(db); k++) {
		void *d;
		size_t n;

		ret = btfdb_db_extract(db, k, &d, &n, err);
		if (!ret)
			free(d);
	}
	btfdb_db_close(db);
	return ret;
}

static void test_build_and_read(void)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *wr;
	struct btfdb_db *db;
	const char *srcs[3] = { path("k0.btf"), path("k1.btf"), path("k2.btf") };
	int i, k;

	for (i = 0; i < 3; i++)
		write_file(srcs[i], blobs[i], blob_sz[i]);
	CHECK_EQ(btfdb_db_writer_new(NULL, &wr, &err), 0);
	CHECK_EQ(btfdb_db_writer_add_sources(wr, srcs, 3, NULL, NULL, NULL, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "add_sources: %s\n", err.msg);
	CHECK_EQ(btfdb_db_writer_kernel_count(wr), 3);
	CHECK_EQ(btfdb_db_writer_write(wr, path("a.btfdb"), &err), 0);
	btfdb_db_writer_free(wr);

	CHECK_EQ(btfdb_db_open(path("a.btfdb"), &db, &err), 0);
	if (!db) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	CHECK_EQ(btfdb_db_kernel_count(db), 3);
	for (i = 0; i < 3; i++) {
		char name[8];
		struct btfdb_db_kernel_info ki;
		void *d = NULL;
		size_t n = 0;

		snprintf(name, sizeof(name), "k%d", i);
		k = btfdb_db_find_kernel(db, name, &err);
		CHECK_EQ(k, i);
		CHECK_EQ(btfdb_db_kernel_info(db, k, &ki, NULL), 0);
		CHECK_STR(ki.name, name);
		CHECK(!ki.raw);
		CHECK_EQ(ki.blob_size, blob_sz[i]);
		CHECK_EQ(btfdb_db_extract(db, k, &d, &n, &err), 0);
		CHECK_EQ(n, blob_sz[i]);
		CHECK(d && !memcmp(d, blobs[i], n));
		free(d);
		compare_backend(db, k, blobs[i], blob_sz[i]);
	}
	err.msg[0] = 0;
	CHECK_EQ(btfdb_db_find_kernel(db, "nope", &err), -ENOENT);
	CHECK_CONTAINS(err.msg, "not in the database");
	err.msg[0] = 0;
	CHECK_EQ(btfdb_db_verify(db, &err), 0);
	{
		struct btfdb_db_info in;

		btfdb_db_info(db, &in);
		CHECK_EQ(in.nr_kernels, 3);
		CHECK_EQ(in.raw_total, blob_sz[0] + blob_sz[1] + blob_sz[2]);
		/* shared storage: the shifted copy k1 adds no struct records but "pad0" */
		CHECK(in.nr_pool < 3 * 10);
	}
	{
		struct btfdb_btf *bk;
		struct btfdb_index *bi;
		char *c = NULL;

		CHECK_EQ(btfdb_db_kernel_btf(db, 0, &bk, &bi, &err), 0);
		CHECK_EQ(btfdb_btf_dump_c(bk, 2, &c, &err), 0);
		CHECK_STR(c, "struct foo {\n\tint a;\n\tstruct foo *next;\n\tint bits: 3;\n};\n");
		free(c);
		CHECK_EQ(btfdb_btf_dump_c(bk, 6, &c, &err), 0);
		CHECK_STR(c, "int (struct foo *p);\n");
		free(c);
		CHECK_EQ(btfdb_btf_dump_c(bk, 5, &c, &err), 0);
		CHECK_STR(c, "enum e {\n\tE_A = 1,\n\tE_B = -1,\n};\n");
		free(c);
		btfdb_index_free(bi);
		btfdb_btf_free(bk);
	}
	btfdb_db_close(db);
}

static void test_add_rm(void)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *wr;
	struct btfdb_db *db;
	struct btfdb_btf *btf;
	void *d;
	size_t n;

	/* add k3 (a raw-fallback blob: name offset into the middle of a string) */
	CHECK_EQ(btfdb_db_writer_new(path("a.btfdb"), &wr, &err), 0);
	if (!wr)
		return;
	CHECK_EQ(btfdb_btf_parse(blobs[3], blob_sz[3], NULL, &btf, &err), 0);
	CHECK_EQ(btfdb_db_writer_add(wr, btf, "x/y/z/k3", &err), 1);
	CHECK(strstr(err.msg, "name offset") != NULL); /* says why it is raw */
	err.msg[0] = 0;
	CHECK_EQ(btfdb_db_writer_add(wr, btf, "x/y/z/k3", &err), -EEXIST);
	btfdb_btf_free(btf);
	CHECK_EQ(btfdb_db_writer_write(wr, path("a.btfdb"), &err), 0);
	btfdb_db_writer_free(wr);

	CHECK_EQ(btfdb_db_open(path("a.btfdb"), &db, &err), 0);
	if (!db)
		return;
	CHECK_EQ(btfdb_db_kernel_count(db), 4);
	CHECK_EQ(btfdb_db_find_kernel(db, "k3", &err), 3);
	CHECK_EQ(btfdb_db_extract(db, 3, &d, &n, &err), 0);
	CHECK(n == blob_sz[3] && !memcmp(d, blobs[3], n));
	free(d);
	CHECK_EQ(btfdb_db_extract(db, 1, &d, &n, &err), 0);
	CHECK(n == blob_sz[1] && !memcmp(d, blobs[1], n));
	free(d);
	compare_backend(db, 3, blobs[3], blob_sz[3]);
	compare_backend(db, 2, blobs[2], blob_sz[2]);
	CHECK_EQ(btfdb_db_verify(db, &err), 0);
	btfdb_db_close(db);

	/* rm k1 */
	CHECK_EQ(btfdb_db_writer_new(path("a.btfdb"), &wr, &err), 0);
	err.msg[0] = 0;
	CHECK_EQ(btfdb_db_writer_remove(wr, "nope", &err), -ENOENT);
	CHECK_EQ(btfdb_db_writer_remove(wr, "k1", &err), 0);
	CHECK_EQ(btfdb_db_writer_write(wr, path("a.btfdb"), &err), 0);
	btfdb_db_writer_free(wr);
	CHECK_EQ(btfdb_db_open(path("a.btfdb"), &db, &err), 0);
	if (!db)
		return;
	CHECK_EQ(btfdb_db_kernel_count(db), 3);
	CHECK_EQ(btfdb_db_find_kernel(db, "k1", &err), -ENOENT);
	CHECK_EQ(btfdb_db_find_kernel(db, "k2", &err), 1);
	CHECK_EQ(btfdb_db_extract(db, 1, &d, &n, &err), 0);
	CHECK(n == blob_sz[2] && !memcmp(d, blobs[2], n));
	free(d);
	compare_backend(db, 1, blobs[2], blob_sz[2]);
	CHECK_EQ(btfdb_db_verify(db, &err), 0);
	btfdb_db_close(db);
}

/* Kernels of the database at p after open + verify; -1 when either fails. */
static int verified_count(const char *p)
{
	struct btfdb_err err = { "" };
	struct btfdb_db *db;
	int n = -1;

	if (btfdb_db_open(p, &db, &err))
		return -1;
	if (!btfdb_db_verify(db, &err))
		n = (int)btfdb_db_kernel_count(db);
	btfdb_db_close(db);
	return n;
}

/* Append blob i as name to the database at p, in place. */
static void append_one(const char *p, int i, const char *name)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *wr;
	struct btfdb_btf *btf;

	CHECK_EQ(btfdb_db_writer_open_append(p, &wr, &err), 0);
	if (!wr)
		return;
	CHECK_EQ(btfdb_btf_parse(blobs[i], blob_sz[i], NULL, &btf, &err), 0);
	CHECK(btfdb_db_writer_add(wr, btf, name, &err) >= 0);
	btfdb_btf_free(btf);
	err.msg[0] = 0;
	CHECK_EQ(btfdb_db_writer_write(wr, path("elsewhere.btfdb"), &err), -EINVAL);
	CHECK_EQ(btfdb_db_writer_write(wr, p, &err), 0);
	btfdb_db_writer_free(wr);
}

/*
 * Appending in place (btfdb add): the old bytes stay as they were, the new
 * generation goes to the other header slot.  A cut between the old and
 * the new end, a damaged new slot, or bytes a killed writer left after the
 * end: the old database (or, for the bytes after the end, the new one)
 * reads and verifies, and the next append gives the same file as a clean one.
 */
static void test_append(void)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *wr;
	struct btfdb_db *db;
	const char *src = path("k0.btf");
	const struct btfdb_dbf_hdr *h1, *h2;
	uint8_t *o, *nb, *buf, *clean, *again;
	size_t on, nn, cn, an, hl = sizeof(struct btfdb_dbf_hdr), cut;
	int i;

	CHECK_EQ(btfdb_db_writer_new(NULL, &wr, &err), 0);
	if (!wr)
		return;
	CHECK_EQ(btfdb_db_writer_add_sources(wr, &src, 1, NULL, NULL, NULL, &err), 0);
	CHECK_EQ(btfdb_db_writer_write(wr, path("b.btfdb"), &err), 0);
	btfdb_db_writer_free(wr);
	o = read_file(path("b.btfdb"), &on);
	append_one(path("b.btfdb"), 1, "k1");
	nb = read_file(path("b.btfdb"), &nn);
	CHECK(o && nb && nn > on);
	if (!o || !nb || nn <= on)
		return;
	/* slot 0 and everything up to the old end unchanged; slot 1 generation 2 */
	CHECK(!memcmp(o, nb, hl) && !memcmp(o + 2 * hl, nb + 2 * hl, on - 2 * hl));
	h1 = (const void *)nb;
	h2 = (const void *)(nb + hl);
	CHECK_EQ(h1->generation, 1);
	CHECK_EQ(h2->generation, 2);
	CHECK_EQ(h2->file_size, nn);
	CHECK_EQ(h2->nr_kernels, 2);
	CHECK_EQ(btfdb_db_open(path("b.btfdb"), &db, &err), 0);
	if (db) {
		for (i = 0; i < 2; i++) {
			void *d = NULL;
			size_t n = 0;

			CHECK_EQ(btfdb_db_extract(db, i, &d, &n, &err), 0);
			CHECK(n == blob_sz[i] && d && !memcmp(d, blobs[i], n));
			free(d);
			compare_backend(db, i, blobs[i], blob_sz[i]);
		}
		CHECK_EQ(btfdb_db_verify(db, &err), 0);
		btfdb_db_close(db);
	}
	/* cut anywhere after the old end (a crash before the header): the old set */
	for (cut = on; cut < nn; cut += (nn - on) / 17 + 1) {
		write_file(path("t.btfdb"), nb, cut);
		CHECK_EQ(verified_count(path("t.btfdb")), 1);
	}
	/* the new slot damaged (a torn header write): the old set */
	buf = malloc(nn + 100);
	if (!buf)
		return;
	for (i = 0; i < (int)hl; i += 13) {
		memcpy(buf, nb, nn);
		buf[hl + i] ^= 0x20;
		write_file(path("t.btfdb"), buf, nn);
		CHECK_EQ(verified_count(path("t.btfdb")), 1);
	}
	/* both slots damaged: refused */
	memcpy(buf, nb, nn);
	buf[3] ^= 1;
	buf[hl + 3] ^= 1;
	write_file(path("t.btfdb"), buf, nn);
	err.msg[0] = 0;
	CHECK(open_verify(path("t.btfdb"), &err) < 0 && err.msg[0]);
	/* bytes after the end (a killed append): ignored, then removed */
	append_one(path("b.btfdb"), 2, "k2");
	clean = read_file(path("b.btfdb"), &cn);
	memcpy(buf, nb, nn);
	memset(buf + nn, 0xab, 100);
	write_file(path("t.btfdb"), buf, nn + 100);
	CHECK_EQ(verified_count(path("t.btfdb")), 2);
	append_one(path("t.btfdb"), 2, "k2");
	again = read_file(path("t.btfdb"), &an);
	CHECK(clean && again && an == cn && !memcmp(clean, again, cn));
	/* generation 3 went to slot 0 */
	CHECK(clean && ((const struct btfdb_dbf_hdr *)clean)->generation == 3);
	CHECK_EQ(verified_count(path("b.btfdb")), 3);
	free(buf);
	free(clean);
	free(again);
	free(o);
	free(nb);
}

/* The kernels of database p extract byte-identical to those of database ref. */
static bool extracts_unchanged(const char *p, const char *ref)
{
	struct btfdb_err err = { "" };
	struct btfdb_db *db = NULL, *rdb = NULL;
	bool same;
	uint32_t k;

	same = !btfdb_db_open(p, &db, &err) && !btfdb_db_open(ref, &rdb, &err) &&
	       btfdb_db_kernel_count(db) == btfdb_db_kernel_count(rdb);
	for (k = 0; same && k < btfdb_db_kernel_count(db); k++) {
		void *d = NULL, *rd = NULL;
		size_t n = 0, rn = 0;

		same = !btfdb_db_extract(db, k, &d, &n, &err) &&
		       !btfdb_db_extract(rdb, k, &rd, &rn, &err) && n == rn && !memcmp(d, rd, n);
		free(d);
		free(rd);
	}
	if (db)
		btfdb_db_close(db);
	if (rdb)
		btfdb_db_close(rdb);
	return same;
}

/*
 * A damaged database (buf) that still opens: extracting kernel 0 is refused
 * with -EINVAL and a message containing want.  Returns it open (NULL if it
 * did not open) for the caller's further checks.
 */
static struct btfdb_db *open_extract_refused(const uint8_t *buf, size_t n, const char *want)
{
	struct btfdb_err err = { "" };
	struct btfdb_db *db = NULL;
	void *d;
	size_t dn;

	write_file(path("t.btfdb"), buf, n);
	CHECK_EQ(btfdb_db_open(path("t.btfdb"), &db, &err), 0);
	if (db) {
		err.msg[0] = 0;
		CHECK(btfdb_db_extract(db, 0, &d, &dn, &err) == -EINVAL);
		CHECK_CONTAINS(err.msg, want);
	}
	return db;
}

static void test_corruption(void)
{
	struct btfdb_err err = { "" };
	uint8_t *orig, *buf;
	size_t n, cut;
	struct btfdb_dbf_hdr h;
	int fails = 0, trials = 0, padding = 0, i;
	uint64_t pos;

	orig = read_file(path("a.btfdb"), &n);
	CHECK(orig != NULL && n > sizeof(h));
	if (!orig)
		return;
	memcpy(&h, orig, sizeof(h));
	/* truncation at many points: every one must fail cleanly */
	for (cut = 0; cut < n; cut += (cut < 256 ? 7 : 61)) {
		write_file(path("t.btfdb"), orig, cut);
		err.msg[0] = 0;
		trials++;
		if (open_verify(path("t.btfdb"), &err) < 0 && err.msg[0])
			fails++;
	}
	CHECK_EQ(fails, trials);
	/* bit flips: header, and several bytes in every section */
	buf = malloc(n);
	fails = trials = 0;
	for (pos = 0; pos < sizeof(h); pos += 3) {
		memcpy(buf, orig, n);
		buf[pos] ^= 1 << (pos % 8);
		write_file(path("t.btfdb"), buf, n);
		err.msg[0] = 0;
		trials++;
		if (open_verify(path("t.btfdb"), &err) < 0 && err.msg[0])
			fails++;
	}
	for (i = 0; i < BTFDB_DBF_NR_SECS; i++) {
		uint64_t step = h.sects[i].len / 23 + 1;

		for (pos = h.sects[i].off; pos < h.sects[i].off + h.sects[i].len; pos += step) {
			memcpy(buf, orig, n);
			buf[pos] ^= 0x10;
			write_file(path("t.btfdb"), buf, n);
			err.msg[0] = 0;
			trials++;
			if (open_verify(path("t.btfdb"), &err) < 0 && err.msg[0])
				fails++;
			else if (i == BTFDB_DBF_SEC_DATA && !orig[pos] &&
				 extracts_unchanged(path("t.btfdb"), path("a.btfdb")))
				padding++;
			else
				fprintf(stderr, "undetected flip at %llu (section %d)\n",
					(unsigned long long)pos, i);
		}
	}
	if (padding)
		printf("%d flips in DATA's zero padding (before the kernels' block tables), "
		       "harmless: every kernel extracts unchanged\n", padding);
	CHECK_EQ(fails + padding, trials);
	CHECK(padding <= 2);
	CHECK(trials > 60);
	/* a clear message for a wrong file */
	write_file(path("t.btfdb"), blobs[0], blob_sz[0]);
	err.msg[0] = 0;
	CHECK(open_verify(path("t.btfdb"), &err) < 0);
	CHECK_CONTAINS(err.msg, "not a btfdb database");
	/* an older format version: refused by name, with what to do */
	memcpy(buf, orig, n);
	((struct btfdb_dbf_hdr *)buf)->version = 3;
	write_file(path("t.btfdb"), buf, n);
	err.msg[0] = 0;
	CHECK(open_verify(path("t.btfdb"), &err) == -ENOTSUP);
	CHECK_CONTAINS(err.msg, "unsupported database version 3");
	CHECK_CONTAINS(err.msg, "rebuild it");
	/*
	 * a kernel's block tables are checked when that kernel is used, not at
	 * open: a flip in the last kernel's tables opens, the first kernel
	 * still reads, the last one is refused with the reason
	 */
	{
		const struct btfdb_dbf_kernel *ke =
			(const void *)(orig + h.sects[BTFDB_DBF_SEC_KERNELS].off);
		uint32_t last = h.nr_kernels - 1;
		struct btfdb_db *db;
		void *d;
		size_t dn;

		while (last && (ke[last].flags & BTFDB_DBF_K_RAW))
			last--;
		CHECK(!(ke[last].flags & BTFDB_DBF_K_RAW) && last > 0);
		memcpy(buf, orig, n);
		buf[ke[last].seq_tab + 3] ^= 0x40;
		write_file(path("t.btfdb"), buf, n);
		err.msg[0] = 0;
		CHECK_EQ(btfdb_db_open(path("t.btfdb"), &db, &err), 0);
		if (db) {
			CHECK_EQ(btfdb_db_extract(db, 0, &d, &dn, &err), 0);
			if (!err.msg[0])
				free(d);
			CHECK(btfdb_db_extract(db, last, &d, &dn, &err) == -EINVAL);
			CHECK_CONTAINS(err.msg, "block table checksum mismatch");
			btfdb_db_close(db);
		}
	}
	/*
	 * v6: open reads neither TABLES, NAMES nor KERNELS whole.  A kernel's
	 * entry and name are checked (ent_csum) when that kernel is used, a
	 * shared block ref by its block's checksum when that block is read,
	 * and verify checks the three sections' checksums.  A flip in the last
	 * kernel's entry or name: the database opens, the first kernel reads,
	 * the last is refused (info, find by name, handles, extract), verify
	 * fails.
	 */
	{
		const struct btfdb_dbf_kernel *ke =
			(const void *)(orig + h.sects[BTFDB_DBF_SEC_KERNELS].off);
		uint32_t last = h.nr_kernels - 1;
		const char *lname = (const char *)orig + ke[last].name_off;
		uint64_t at[] = {
			h.sects[BTFDB_DBF_SEC_KERNELS].off + (uint64_t)last * sizeof(*ke) +
				offsetof(struct btfdb_dbf_kernel, nr_types),
			h.sects[BTFDB_DBF_SEC_KERNELS].off + (uint64_t)last * sizeof(*ke) +
				offsetof(struct btfdb_dbf_kernel, ent_csum),
			ke[last].name_off + 1,
		};
		char first[64], lastn[64];
		unsigned j;

		snprintf(first, sizeof(first), "%s", (const char *)orig + ke[0].name_off);
		snprintf(lastn, sizeof(lastn), "%s", lname);
		for (j = 0; j < sizeof(at) / sizeof(at[0]); j++) {
			struct btfdb_db *db = NULL;
			struct btfdb_db_kernel_info ki;
			struct btfdb_btf *btf = NULL;
			struct btfdb_index *idx = NULL;
			void *d;
			size_t dn;

			memcpy(buf, orig, n);
			buf[at[j]] ^= 0x02;
			write_file(path("t.btfdb"), buf, n);
			err.msg[0] = 0;
			CHECK_EQ(btfdb_db_open(path("t.btfdb"), &db, &err), 0);
			if (!db)
				continue;
			CHECK_EQ(btfdb_db_find_kernel(db, first, &err), 0);
			CHECK_EQ(btfdb_db_kernel_info(db, 0, &ki, &err), 0);
			CHECK_EQ(btfdb_db_extract(db, 0, &d, &dn, &err), 0);
			if (!err.msg[0])
				free(d);
			err.msg[0] = 0;
			CHECK_EQ(btfdb_db_kernel_info(db, last, &ki, &err), -EINVAL);
			CHECK_CONTAINS(err.msg, "entry checksum mismatch");
			CHECK(btfdb_db_kernel_btf(db, last, &btf, &idx, &err) < 0 && !btf);
			CHECK(btfdb_db_extract(db, last, &d, &dn, &err) == -EINVAL);
			if (j < 2) { /* the name itself is intact: found, then refused */
				err.msg[0] = 0;
				CHECK(btfdb_db_find_kernel(db, lastn, &err) == -EINVAL);
				CHECK_CONTAINS(err.msg, "entry checksum mismatch");
			}
			err.msg[0] = 0;
			CHECK(btfdb_db_verify(db, &err) < 0);
			CHECK_CONTAINS(err.msg, "checksum mismatch");
			btfdb_db_close(db);
		}
		/* a shared block ref (the first pool block's): opens; the block
		 * is refused when read; verify reports TABLES */
		{
			struct btfdb_db *db = NULL;

			memcpy(buf, orig, n);
			buf[h.pool_tab + offsetof(struct btfdb_dbf_blockref, csum)] ^= 0x08;
			db = open_extract_refused(buf, n, "checksum mismatch in block");
			if (db) {
				err.msg[0] = 0;
				CHECK(btfdb_db_verify(db, &err) < 0);
				CHECK_CONTAINS(err.msg, "section TABLES checksum mismatch");
				btfdb_db_close(db);
			}
		}
		/* a block ref's ulen (not under the checksum) beyond what
		 * deflate can expand clen to: refused before any allocation */
		{
			struct btfdb_db *db = NULL;
			struct btfdb_dbf_blockref *ref;

			memcpy(buf, orig, n);
			ref = (struct btfdb_dbf_blockref *)(buf + h.pool_tab);
			CHECK(ref->clen > 0);
			ref->ulen = ref->clen * BTFDB_DBF_MAX_RATIO + 1;
			db = open_extract_refused(buf, n, "deflate expands at most 1032x");
			btfdb_db_close(db);
		}
	}
	free(buf);
	free(orig);
}

static uint32_t pool_records(const char *file)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_info in = { 0 };
	struct btfdb_db *db;

	if (btfdb_db_open(file, &db, &err))
		return 0;
	btfdb_db_info(db, &in);
	btfdb_db_close(db);
	return in.nr_pool;
}

/*
 * Ids shifted by an inserted type must not change the other records:
 * blob 1 is blob 0 with one typedef inserted first (every id + 1), so it
 * adds exactly one pool record (that typedef).  Then compaction after
 * removing blob 1 drops that record again.
 */
/*
 * Kernel k of a series: struct foo grows every release (k + 1 ints), so
 * each kernel adds a record named foo; struct bar likewise, but only in
 * kernels k < nbar.
 */
static size_t make_series(uint32_t k, uint32_t nbar, uint8_t *out)
{
	struct blob b = { .nt = 0, .sl = 1 };

	b.strs[0] = 0;
	/* 1: int */
	w(&b, s_add(&b, "int")); w(&b, INFO(BTF_KIND_INT, 0, 0)); w(&b, 4); w(&b, BTF_INT_SIGNED << 24 | 32);
	/* 2: struct foo { int a; } of 4 * (k + 1) bytes; 3: typedef foo_t -> foo */
	w(&b, s_add(&b, "foo")); w(&b, INFO(BTF_KIND_STRUCT, 1, 0)); w(&b, 4 * (k + 1));
	w(&b, s_add(&b, "a")); w(&b, 1); w(&b, 0);
	w(&b, s_add(&b, "foo_t")); w(&b, INFO(BTF_KIND_TYPEDEF, 0, 0)); w(&b, 2);
	if (k < nbar) { /* 4: struct bar { foo_t f; } of 8 + 4 * k bytes */
		w(&b, s_add(&b, "bar")); w(&b, INFO(BTF_KIND_STRUCT, 1, 0)); w(&b, 8 + 4 * k);
		w(&b, s_add(&b, "f")); w(&b, 3); w(&b, 0);
	}
	return finish_blob(&b, out);
}

/*
 * Resolving a name in one kernel must not visit every record of that name
 * in the database: a series of nk kernels where foo has a new record in
 * every kernel (bar in the first half).  For each kernel, looking up foo
 * and bar in its index is counted in name-map pool ids visited; the most
 * any lookup visits is returned, and every result is compared with the
 * flat parse (and bar decoded: its member refers to foo_t by name).
 */
static uint64_t series_visits(uint32_t nk, uint64_t *last_foo)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *wr = NULL;
	struct btfdb_db *db = NULL;
	uint64_t most = 0;
	uint8_t blob[2048];
	uint32_t k;

	CHECK_EQ(btfdb_db_writer_create(path("series.btfdb"), &wr, &err), 0);
	for (k = 0; wr && k < nk; k++) {
		struct btfdb_btf *btf = NULL;
		size_t n = make_series(k, nk / 2, blob);
		char name[32];

		snprintf(name, sizeof(name), "s/1/x86_64/k%03u", k);
		CHECK_EQ(btfdb_btf_parse(blob, n, NULL, &btf, &err), 0);
		CHECK_EQ(btfdb_db_writer_add(wr, btf, name, &err), 0); /* shared, not raw */
		btfdb_btf_free(btf);
	}
	CHECK_EQ(btfdb_db_writer_write(wr, path("series.btfdb"), &err), 0);
	btfdb_db_writer_free(wr);
	CHECK_EQ(btfdb_db_open(path("series.btfdb"), &db, &err), 0);
	if (!db)
		return UINT64_MAX;
	CHECK_EQ(btfdb_db_verify(db, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "verify: %s\n", err.msg);
	for (k = 0; k < nk; k++) {
		static const char *names[] = { "foo", "bar" };
		struct btfdb_btf *btf = NULL, *flat = NULL;
		struct btfdb_index *idx = NULL, *fidx = NULL;
		size_t n = make_series(k, nk / 2, blob);
		unsigned i;

		CHECK_EQ(btfdb_btf_parse(blob, n, NULL, &flat, &err), 0);
		CHECK_EQ(btfdb_index_build(flat, &fidx, &err), 0);
		CHECK_EQ(btfdb_db_kernel_btf(db, k, &btf, &idx, &err), 0);
		for (i = 0; btf && idx && i < 2; i++) {
			uint64_t before = btfdb_dbr_name_visits(db), v;
			const uint32_t *a, *b;
			size_t na = btfdb_index_lookup(idx, names[i], 3, &a);
			size_t nb = btfdb_index_lookup(fidx, names[i], 3, &b);

			v = btfdb_dbr_name_visits(db) - before;
			CHECK(na == nb && (!na || !memcmp(a, b, na * sizeof(*a))));
			if (i == 1 && k < nk / 2) /* bar's member: foo_t, named */
				CHECK(btfdb_btf_type(btf, 4) && btfdb_btf_type(btf, 3));
			if (v > most)
				most = v;
			if (i == 0 && k == nk - 1)
				*last_foo = v;
		}
		btfdb_index_free(idx);
		btfdb_btf_free(btf);
		btfdb_index_free(fidx);
		btfdb_btf_free(flat);
	}
	btfdb_db_close(db);
	return most;
}

static void test_name_visits(void)
{
	uint64_t last2 = 0, last80 = 0, last160 = 0;
	uint64_t v2 = series_visits(2, &last2);
	uint64_t v80 = series_visits(80, &last80);
	uint64_t v160 = series_visits(160, &last160);

	printf("name-map records visited per lookup, at most: %llu at 2 kernels, %llu at 80, "
	       "%llu at 160 (foo in the last kernel: %llu, %llu, %llu)\n",
	       (unsigned long long)v2, (unsigned long long)v80, (unsigned long long)v160,
	       (unsigned long long)last2, (unsigned long long)last80,
	       (unsigned long long)last160);
	/* bounded by named_min + 1, whatever the number of kernels (scanning
	 * every record of the name visited up to 80 and 160) */
	CHECK(v80 <= BTFDB_DBF_NAMED_MIN + 1);
	CHECK_EQ(v160, v80);
	/* a name with more records than named_min: straight from the kernel's
	 * named block, no name-map record visited */
	CHECK_EQ(last80, 0);
	CHECK_EQ(last160, 0);
	CHECK(last2 >= 1);
}

/*
 * The pointer size of a database kernel (libbpf's rule: the first INT of
 * size 4 or 8 named like "long") comes from the name index, not from
 * decoding every type before it: here 120 typedefs, then "int", a 2-byte
 * "long" (skipped by the rule), "long unsigned int" (4: the answer) and
 * "long int" (8).  Walking decoded 123 types; the lookup decodes 3.
 */
static void test_ptr_size(void)
{
	struct btfdb_err err = { "" };
	struct blob b = { .nt = 0, .sl = 1 };
	struct btfdb_db_writer *wr = NULL;
	struct btfdb_btf *flat = NULL, *btf = NULL;
	struct btfdb_db *db = NULL;
	uint8_t blob[4096];
	uint64_t before;
	uint32_t i;
	size_t n;

	b.strs[0] = 0;
	for (i = 0; i < 120; i++) { /* ids 1..120: typedef pad_i int (id 121) */
		char name[16];

		snprintf(name, sizeof(name), "pad%u", i);
		w(&b, s_add(&b, name)); w(&b, INFO(BTF_KIND_TYPEDEF, 0, 0)); w(&b, 121);
	}
	w(&b, s_add(&b, "int")); w(&b, INFO(BTF_KIND_INT, 0, 0)); w(&b, 4); w(&b, BTF_INT_SIGNED << 24 | 32);
	w(&b, s_add(&b, "long")); w(&b, INFO(BTF_KIND_INT, 0, 0)); w(&b, 2); w(&b, BTF_INT_SIGNED << 24 | 16);
	w(&b, s_add(&b, "long unsigned int")); w(&b, INFO(BTF_KIND_INT, 0, 0)); w(&b, 4); w(&b, 32);
	w(&b, s_add(&b, "long int")); w(&b, INFO(BTF_KIND_INT, 0, 0)); w(&b, 8); w(&b, BTF_INT_SIGNED << 24 | 64);
	n = finish_blob(&b, blob);
	CHECK_EQ(btfdb_btf_parse(blob, n, NULL, &flat, &err), 0);
	if (!flat)
		return;
	CHECK_EQ(btfdb_btf_ptr_size(flat), 4);
	CHECK_EQ(btfdb_db_writer_create(path("ptr.btfdb"), &wr, &err), 0);
	if (wr) {
		CHECK_EQ(btfdb_db_writer_add(wr, flat, "p/1/x86_64/k", &err), 0);
		CHECK_EQ(btfdb_db_writer_write(wr, path("ptr.btfdb"), &err), 0);
		btfdb_db_writer_free(wr);
	}
	btfdb_btf_free(flat);
	CHECK_EQ(btfdb_db_open(path("ptr.btfdb"), &db, &err), 0);
	if (!db)
		return;
	CHECK_EQ(btfdb_db_kernel_btf(db, 0, &btf, NULL, &err), 0);
	if (btf) {
		before = btfdb_dbr_type_decodes(db);
		CHECK_EQ(btfdb_btf_ptr_size(btf), 4);
		printf("pointer size of a database kernel: %llu types decoded of 124\n",
		       (unsigned long long)(btfdb_dbr_type_decodes(db) - before));
		CHECK(btfdb_dbr_type_decodes(db) - before <= 4);
		btfdb_btf_free(btf);
	}
	btfdb_db_close(db);
}

/*
 * A non-deduplicated kernel (like CentOS 8, 476 copies of task_struct):
 * NCOPY copies of struct task { int a; struct task *next; } and its
 * pointer, each copy referring to its own pointer and struct.  All copies
 * share two pool records; handing out every copy must decode each record
 * once (the other ids: a copy with their own references resolved), and
 * every copy must still be exactly the flat parse's.
 */
#define NCOPY 40

static size_t make_copies(uint8_t *out)
{
	struct blob b = { .nt = 0, .sl = 1 };
	uint32_t c;

	b.strs[0] = 0;
	/* 1: int; 2 + 2c: struct task; 3 + 2c: ptr -> 2 + 2c */
	w(&b, s_add(&b, "int")); w(&b, INFO(BTF_KIND_INT, 0, 0)); w(&b, 4); w(&b, BTF_INT_SIGNED << 24 | 32);
	for (c = 0; c < NCOPY; c++) {
		w(&b, s_add(&b, "task")); w(&b, INFO(BTF_KIND_STRUCT, 2, 0)); w(&b, 16);
		w(&b, s_add(&b, "a")); w(&b, 1); w(&b, 0);
		w(&b, s_add(&b, "next")); w(&b, 3 + 2 * c); w(&b, 64);
		w(&b, 0); w(&b, INFO(BTF_KIND_PTR, 0, 0)); w(&b, 2 + 2 * c);
	}
	return finish_blob(&b, out);
}

static void test_shared_records(void)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *wr = NULL;
	struct btfdb_btf *flat = NULL, *bk = NULL;
	struct btfdb_index *idx = NULL, *fidx = NULL;
	struct btfdb_db *db = NULL;
	uint8_t blob[4096];
	size_t n = make_copies(blob);
	uint64_t before, tasks = 0, ptrs = 0;
	const uint32_t *a, *b;
	uint32_t c;

	CHECK_EQ(btfdb_btf_parse(blob, n, NULL, &flat, &err), 0);
	CHECK_EQ(btfdb_index_build(flat, &fidx, &err), 0);
	CHECK_EQ(btfdb_db_writer_create(path("copies.btfdb"), &wr, &err), 0);
	if (!flat || !fidx || !wr)
		goto out;
	CHECK_EQ(btfdb_db_writer_add(wr, flat, "c/8/x86_64/copies", &err), 0);
	CHECK_EQ(btfdb_db_writer_write(wr, path("copies.btfdb"), &err), 0);
	CHECK_EQ(pool_records(path("copies.btfdb")), 3); /* int, task, ptr */
	CHECK_EQ(btfdb_db_open(path("copies.btfdb"), &db, &err), 0);
	if (!db)
		goto out;
	CHECK_EQ(btfdb_db_kernel_btf(db, 0, &bk, &idx, &err), 0);
	if (!bk || !idx)
		goto out;
	/* every copy of task (the index lists them all), then every pointer */
	CHECK_EQ(btfdb_index_lookup(idx, "task", 4, &a), NCOPY);
	CHECK_EQ(btfdb_index_lookup(fidx, "task", 4, &b), NCOPY);
	before = btfdb_dbr_type_decodes(db);
	for (c = 0; c < NCOPY; c++) {
		const struct btf_type *x = btfdb_btf_type(bk, 2 + 2 * c);
		const struct btf_type *y = btfdb_btf_type(flat, 2 + 2 * c);
		unsigned i;

		CHECK(x && y && x->info == y->info && x->size == y->size);
		for (i = 0; x && y && i < btfdb_vlen(y); i++) { /* name_off: a sid in bk */
			CHECK_EQ(btfdb_members(x)[i].type, btfdb_members(y)[i].type);
			CHECK_EQ(btfdb_members(x)[i].offset, btfdb_members(y)[i].offset);
			CHECK_STR(btfdb_btf_str(bk, btfdb_members(x)[i].name_off),
				  btfdb_btf_str(flat, btfdb_members(y)[i].name_off));
		}
	}
	tasks = btfdb_dbr_type_decodes(db) - before;
	before = btfdb_dbr_type_decodes(db);
	for (c = 0; c < NCOPY; c++) {
		const struct btf_type *x = btfdb_btf_type(bk, 3 + 2 * c);

		CHECK(x && btfdb_kind(x) == BTF_KIND_PTR && x->type == 2 + 2 * c);
	}
	ptrs = btfdb_dbr_type_decodes(db) - before;
	printf("%u copies of one struct and its pointer: %llu + %llu pool records decoded\n",
	       NCOPY, (unsigned long long)tasks, (unsigned long long)ptrs);
	/* one record each, however many ids stand for it (was NCOPY each) */
	CHECK_EQ(tasks, 1);
	CHECK_EQ(ptrs, 1);
	/* the member of copy c refers to copy c's pointer, resolved per id */
	CHECK_EQ(btfdb_members(btfdb_btf_type(bk, 2 + 2 * (NCOPY - 1)))[1].type, 3 + 2 * (NCOPY - 1));
out:
	btfdb_index_free(idx);
	btfdb_index_free(fidx);
	btfdb_btf_free(bk);
	btfdb_btf_free(flat);
	btfdb_db_writer_free(wr);
	btfdb_db_close(db);
}

static void test_shift_and_compact(void)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *wr;
	struct btfdb_btf *btf;
	struct btfdb_db *db;
	uint32_t p0, p1, p2;
	void *d;
	size_t n;

	CHECK_EQ(btfdb_db_writer_new(NULL, &wr, &err), 0);
	if (!wr)
		return;
	CHECK_EQ(btfdb_btf_parse(blobs[0], blob_sz[0], NULL, &btf, &err), 0);
	CHECK_EQ(btfdb_db_writer_add(wr, btf, "s/k0", &err), 0);
	btfdb_btf_free(btf);
	CHECK_EQ(btfdb_db_writer_write(wr, path("s.btfdb"), &err), 0);
	p0 = pool_records(path("s.btfdb"));
	CHECK_EQ(btfdb_btf_parse(blobs[1], blob_sz[1], NULL, &btf, &err), 0);
	CHECK_EQ(btfdb_db_writer_add(wr, btf, "s/k1", &err), 0);
	btfdb_btf_free(btf);
	CHECK_EQ(btfdb_db_writer_write(wr, path("s.btfdb"), &err), 0);
	btfdb_db_writer_free(wr);
	p1 = pool_records(path("s.btfdb"));
	CHECK(p0 > 5);
	CHECK_EQ(p1, p0 + 1);

	/* rm via compaction: k1's typedef record goes away, k0 still exact */
	err.msg[0] = 0;
	CHECK_EQ(btfdb_db_compact(path("s.btfdb"), path("s.btfdb"), "nope", &err), -ENOENT);
	CHECK_CONTAINS(err.msg, "nope");
	CHECK_EQ(btfdb_db_compact(path("s.btfdb"), path("s.btfdb"), "k1", &err), 0);
	p2 = pool_records(path("s.btfdb"));
	CHECK_EQ(p2, p0);
	CHECK_EQ(btfdb_db_open(path("s.btfdb"), &db, &err), 0);
	if (!db)
		return;
	CHECK_EQ(btfdb_db_kernel_count(db), 1);
	CHECK_EQ(btfdb_db_extract(db, 0, &d, &n, &err), 0);
	CHECK(d && n == blob_sz[0] && !memcmp(d, blobs[0], n));
	free(d);
	CHECK_EQ(btfdb_db_verify(db, &err), 0);
	btfdb_db_close(db);
}

/* Padding between sections must be zero (it is not covered by a checksum). */
static void test_padding(void)
{
	struct btfdb_err err = { "" };
	struct btfdb_dbf_hdr h;
	uint8_t *buf;
	size_t n;
	uint64_t end;
	int i, found = 0;

	buf = read_file(path("a.btfdb"), &n);
	if (!buf)
		return;
	memcpy(&h, buf, sizeof(h));
	for (i = 0; i + 1 < BTFDB_DBF_NR_SECS; i++) {
		end = h.sects[i].off + h.sects[i].len;
		if (end < h.sects[i + 1].off) {
			buf[end] = 0x5a;
			found = 1;
			break;
		}
	}
	if (found) {
		write_file(path("t.btfdb"), buf, n);
		err.msg[0] = 0;
		CHECK(open_verify(path("t.btfdb"), &err) < 0);
		CHECK_CONTAINS(err.msg, "bytes before section");
	}
	free(buf);
}

int main(void)
{
	struct btf_header *h;
	char *s;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	for (int i = 0; i < 3; i++)
		blob_sz[i] = make_blob(i, blobs[i]);
	/* blob 3: like 0, but type 1's name points into the middle of "foo_t" ("t") */
	blob_sz[3] = make_blob(0, blobs[3]);
	h = (struct btf_header *)blobs[3];
	s = memmem(blobs[3] + h->hdr_len + h->str_off, h->str_len, "foo_t", 6);
	if (s) {
		uint32_t off = (uint32_t)(s + 4 - (char *)(blobs[3] + h->hdr_len + h->str_off));

		((struct btf_type *)(blobs[3] + h->hdr_len))->name_off = off; /* "int" -> "t" */
	}
	test_build_and_read();
	test_add_rm();
	test_append();
	test_corruption();
	test_name_visits();
	test_ptr_size();
	test_shared_records();
	test_padding();
	test_shift_and_compact();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			fprintf(stderr, "cleanup failed\n");
	}
	return test_finish();
}
