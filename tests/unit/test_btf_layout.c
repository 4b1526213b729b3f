// SPDX-License-Identifier: MIT
/*
 * The extended BTF format (btfdb/btf/btf_layout.c): a 32-byte header with a layout
 * section, 7-bit kinds, 24-bit vlen.  Synthetic blobs (ext_btf.h) through the full and
 * the lazy parse, as raw blobs, raw files and vmlinux-like ELF files, in both byte
 * orders, as split BTF, and through the database (byte-identical round trip).
 */
#include "test.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "btfdb.h"
#include "btfdb_db.h"
#include "btfdb_internal.h"
#include "ext_btf.h"

#define KIND_NEW 25 /* a kind btfdb does not know; the layout sizes it 4 + 8 per element */

static char tmpdir[] = "/tmp/test_btf_layout.XXXXXX";

/*
 * [1] int "int"; [2] kind 25 "mystery" vlen 2 (4 + 2 * 8 bytes after btf_type);
 * [3] struct "after" { int a; int b; } (types after the unknown record stay reachable);
 * [4] ptr -> [3].  nkinds: layout records (0: none, classic header when classic).
 */
static uint8_t *blob_unknown(size_t *size, uint32_t nkinds, int big_endian, int classic)
{
	struct ext_btf b = { 0 };
	uint8_t *out;

	ext_put(&b, ext_str(&b, "int"));
	ext_put(&b, EXT_INFO(BTF_KIND_INT, 0, 0));
	ext_put(&b, 4);
	ext_put(&b, (1u << 24) | 32); /* signed, 32 bits */
	ext_put(&b, ext_str(&b, "mystery"));
	ext_put(&b, EXT_INFO(KIND_NEW, 0, 2));
	ext_put(&b, 1);
	ext_put(&b, 0x11111111);
	ext_put(&b, 0x22222222);
	ext_put(&b, 0x33333333);
	ext_put(&b, 0x44444444);
	ext_put(&b, 0x55555555);
	ext_put(&b, ext_str(&b, "after"));
	ext_put(&b, EXT_INFO(BTF_KIND_STRUCT, 0, 2));
	ext_put(&b, 8);
	ext_put(&b, ext_str(&b, "a"));
	ext_put(&b, 1);
	ext_put(&b, 0);
	ext_put(&b, ext_str(&b, "b"));
	ext_put(&b, 1);
	ext_put(&b, 32);
	ext_put(&b, 0);
	ext_put(&b, EXT_INFO(BTF_KIND_PTR, 0, 0));
	ext_put(&b, 3);
	ext_std_layout(&b, nkinds);
	if (nkinds > KIND_NEW)
		ext_set_kind(&b, KIND_NEW, 4, 8);
	out = ext_finish(&b, size, classic, big_endian);
	ext_free(&b);
	return out;
}

static void check_unknown_handle(const struct btfdb_btf *btf, const char *what)
{
	const struct btf_type *t;
	struct btfdb_index *idx = NULL;
	struct btfdb_err err = { { 0 } };
	const uint32_t *ids;

	fprintf(stderr, "  %s\n", what);
	CHECK_EQ(btfdb_btf_type_cnt(btf), 5);
	t = btfdb_btf_type(btf, 2);
	CHECK(t != NULL);
	if (t) {
		CHECK_EQ(btfdb_kind(t), KIND_NEW);
		CHECK_EQ(btfdb_vlen(t), 2);
		CHECK_STR(btfdb_btf_name(btf, 2), "mystery");
	}
	t = btfdb_btf_type(btf, 3);
	CHECK(t != NULL);
	if (t) {
		CHECK_EQ(btfdb_kind(t), BTF_KIND_STRUCT);
		CHECK_STR(btfdb_btf_name(btf, 3), "after");
		CHECK_EQ(btfdb_member_bit_offset(t, 1), 32);
		CHECK_STR(btfdb_btf_str(btf, btfdb_members(t)[1].name_off), "b");
	}
	t = btfdb_btf_type(btf, 4);
	CHECK(t && btfdb_kind(t) == BTF_KIND_PTR && t->type == 3);
	/* the opaque record is never a CO-RE candidate; the struct after it is */
	CHECK_EQ(btfdb_index_build_core(btf, &idx, &err), 0);
	if (idx) {
		CHECK_EQ(btfdb_index_lookup(idx, "mystery", 7, &ids), 0);
		CHECK_EQ(btfdb_index_lookup(idx, "after", 5, &ids), 1);
	}
	btfdb_index_free(idx);
}

static int parse_mem(const uint8_t *data, size_t size, unsigned int flags, struct btfdb_btf **out,
		     struct btfdb_err *err)
{
	return btfdb_btf_load_mem_flags(data, size, "blob", flags, out, err);
}

static void expect_error(const uint8_t *data, size_t size, const char *msg)
{
	for (unsigned int flags = 0; flags <= BTFDB_LOAD_LAZY; flags++) {
		struct btfdb_err err = { { 0 } };
		struct btfdb_btf *btf = NULL;
		int ret = parse_mem(data, size, flags, &btf, &err);

		CHECK_EQ(ret, -EINVAL);
		CHECK(btf == NULL);
		CHECK_CONTAINS(err.msg, msg);
		btfdb_btf_free(btf);
	}
}

/* An unknown kind the layout sizes is skipped: full and lazy parse, raw and ELF files. */
static void test_unknown_skipped(void)
{
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *btf = NULL;
	size_t size, rsize = 0;
	uint8_t *blob = blob_unknown(&size, 26, 0, 0);
	char path[256], cmd[1024];

	fprintf(stderr, "unknown kind sized by the layout section\n");
	for (unsigned int flags = 0; flags <= BTFDB_LOAD_LAZY; flags++) {
		CHECK_EQ(parse_mem(blob, size, flags, &btf, &err), 0);
		if (btf) {
			const void *raw = btfdb_btf_raw(btf, &rsize);

			check_unknown_handle(btf, flags ? "lazy" : "full");
			CHECK(rsize == size && !memcmp(raw, blob, size));
		}
		btfdb_btf_free(btf);
		btf = NULL;
	}
	/* a raw file and a vmlinux-like ELF holding it in .BTF */
	snprintf(path, sizeof(path), "%s/ext.btf", tmpdir);
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(blob, 1, size, f) == size);
	if (f)
		fclose(f);
	for (unsigned int flags = 0; flags <= BTFDB_LOAD_LAZY; flags++) {
		CHECK_EQ(btfdb_btf_load_flags(path, flags, &btf, &err), 0);
		if (btf)
			check_unknown_handle(btf, flags ? "raw file, lazy" : "raw file");
		btfdb_btf_free(btf);
		btf = NULL;
	}
	snprintf(cmd, sizeof(cmd),
		 "cd %s && printf 'int x;\\n' > k.c && cc -c k.c -o k.o && "
		 "objcopy --add-section .BTF=ext.btf k.o vmlinux",
		 tmpdir);
	if (system(cmd)) {
		fprintf(stderr, "SKIP vmlinux-like ELF: cc/objcopy failed\n");
	} else {
		snprintf(path, sizeof(path), "%s/vmlinux", tmpdir);
		for (unsigned int flags = 0; flags <= BTFDB_LOAD_LAZY; flags++) {
			CHECK_EQ(btfdb_btf_load_flags(path, flags, &btf, &err), 0);
			if (btf)
				check_unknown_handle(btf, flags ? "vmlinux ELF, lazy" : "vmlinux ELF");
			else
				fprintf(stderr, "vmlinux ELF: %s\n", err.msg);
			btfdb_btf_free(btf);
			btf = NULL;
		}
	}
	free(blob);
}

/* What nothing can size is a clear error; so are bad layout sections. */
static void test_errors(void)
{
	size_t size;
	uint32_t tl;
	uint8_t *blob;

	fprintf(stderr, "errors\n");
	blob = blob_unknown(&size, 0, 0, 1); /* classic header, no layout section */
	expect_error(blob, size, "type [2] at blob offset 0x28 has unknown kind 25 (no layout "
				 "section sizes it)");
	free(blob);
	blob = blob_unknown(&size, 20, 0, 0); /* a layout of libbpf's 20 kinds only */
	expect_error(blob, size, "type [2] at blob offset 0x30 has unknown kind 25 (the layout "
				 "section describes 20 kinds)");
	free(blob);
	blob = blob_unknown(&size, 26, 1, 0); /* big endian: an unknown record cannot be swapped */
	expect_error(blob, size, "has unknown kind 25 (a record of a kind corelink does not know cannot be converted");
	free(blob);

	/* sizes that are not multiples of 4 (header word 3: type_len) */
	blob = blob_unknown(&size, 26, 0, 0);
	tl = ((uint32_t *)blob)[3];
	blob[EXT_HDR_LEN + tl + 4 * KIND_NEW] = 3; /* info_sz of kind 25 */
	expect_error(blob, size, "not multiples of 4");
	free(blob);

	/* the layout section inside the type section, past the strings, misaligned, odd length */
	blob = blob_unknown(&size, 26, 0, 0);
	((uint32_t *)blob)[6] = tl - 8; /* layout_off */
	expect_error(blob, size, "overlaps the type section");
	((uint32_t *)blob)[6] = tl + 4 * 26 + 4;
	expect_error(blob, size, "overlaps or follows the string section");
	((uint32_t *)blob)[6] = tl + 2;
	expect_error(blob, size, "not 4-byte aligned");
	((uint32_t *)blob)[6] = tl;
	((uint32_t *)blob)[7] = 4 * 26 - 2;
	expect_error(blob, size, "not a multiple of 4");
	free(blob);

	/* a 7-bit kind is not read as its low 5 bits (33 = 0x21 is not INT) */
	{
		struct ext_btf b = { 0 };

		ext_put(&b, ext_str(&b, "x"));
		ext_put(&b, EXT_INFO(33, 0, 0));
		ext_put(&b, 4);
		ext_put(&b, 32);
		blob = ext_finish(&b, &size, 1, 0);
		expect_error(blob, size, "type [1] at blob offset 0x18 has unknown kind 33 (no layout section");
		free(blob);
		ext_free(&b);
	}
}

/* Known kinds only, extended header and layout: the same types as the classic blob;
 * both byte orders.  A struct with a 24-bit vlen. */
static void test_known_kinds(void)
{
	struct ext_btf b = { 0 };
	struct btfdb_err err = { { 0 } };
	const uint32_t nmemb = 70000; /* > 0xffff */
	size_t size;
	uint8_t *blob;

	fprintf(stderr, "known kinds, 24-bit vlen\n");
	ext_put(&b, ext_str(&b, "int"));
	ext_put(&b, EXT_INFO(BTF_KIND_INT, 0, 0));
	ext_put(&b, 4);
	ext_put(&b, (1u << 24) | 32);
	ext_put(&b, ext_str(&b, "wide"));
	ext_put(&b, EXT_INFO(BTF_KIND_STRUCT, 0, nmemb));
	ext_put(&b, 4 * nmemb);
	for (uint32_t i = 0; i < nmemb; i++) {
		char name[16];

		snprintf(name, sizeof(name), "m%u", i);
		ext_put(&b, ext_str(&b, name));
		ext_put(&b, 1);
		ext_put(&b, 32 * i);
	}
	ext_std_layout(&b, 20);
	for (int be = 0; be <= 1; be++) {
		blob = ext_finish(&b, &size, 0, be);
		for (unsigned int flags = 0; flags <= BTFDB_LOAD_LAZY; flags++) {
			struct btfdb_btf *btf = NULL;
			const struct btf_type *t;

			CHECK_EQ(parse_mem(blob, size, flags, &btf, &err), 0);
			if (!btf) {
				fprintf(stderr, "%s\n", err.msg);
				continue;
			}
			CHECK_EQ(btfdb_btf_big_endian(btf), be);
			t = btfdb_btf_type(btf, 2);
			CHECK(t && btfdb_vlen(t) == nmemb);
			if (t) {
				CHECK_EQ(btfdb_member_bit_offset(t, nmemb - 1), 32 * (nmemb - 1));
				CHECK_STR(btfdb_btf_str(btf, btfdb_members(t)[nmemb - 1].name_off),
					  "m69999");
			}
			btfdb_btf_free(btf);
		}
		free(blob);
	}
	ext_free(&b);
}

/* A type section long enough for the lazy walk's two chains (btf.c walk_lazy()), with
 * unknown records in both halves: every id after them is where it should be. */
static void test_long_lazy(void)
{
	struct ext_btf b = { 0 };
	struct btfdb_err err = { { 0 } };
	const uint32_t n = 12000;
	size_t size;
	uint8_t *blob;

	fprintf(stderr, "long type section\n");
	for (uint32_t i = 1; i <= n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "t%u", i);
		ext_put(&b, ext_str(&b, name));
		if (i % 3000 == 0) { /* kind 25, vlen 1: 12 + 4 + 8 bytes */
			ext_put(&b, EXT_INFO(KIND_NEW, 0, 1));
			ext_put(&b, 0);
			ext_put(&b, 0);
			ext_put(&b, 0);
			ext_put(&b, 0);
		} else {
			ext_put(&b, EXT_INFO(BTF_KIND_INT, 0, 0));
			ext_put(&b, 4);
			ext_put(&b, 32);
		}
	}
	ext_std_layout(&b, 26);
	ext_set_kind(&b, KIND_NEW, 4, 8);
	blob = ext_finish(&b, &size, 0, 0);
	for (unsigned int flags = 0; flags <= BTFDB_LOAD_LAZY; flags++) {
		struct btfdb_btf *btf = NULL;
		uint32_t bad = 0;

		CHECK_EQ(parse_mem(blob, size, flags, &btf, &err), 0);
		if (!btf) {
			fprintf(stderr, "%s\n", err.msg);
			continue;
		}
		CHECK_EQ(btfdb_btf_type_cnt(btf), n + 1);
		for (uint32_t i = 1; i <= n; i++) {
			const struct btf_type *t = btfdb_btf_type(btf, i);
			char name[16];

			snprintf(name, sizeof(name), "t%u", i);
			if (!t || strcmp(btfdb_btf_name(btf, i), name) ||
			    btfdb_kind(t) != (i % 3000 ? BTF_KIND_INT : KIND_NEW))
				bad++;
		}
		CHECK_EQ(bad, 0);
		btfdb_btf_free(btf);
	}
	free(blob);
	ext_free(&b);
}

/* Split BTF without a layout section of its own is sized by its base's. */
static void test_split(void)
{
	struct ext_btf b = { 0 }, s = { 0 };
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *base = NULL, *split = NULL;
	size_t bsize, ssize;
	uint8_t *bblob, *sblob;

	fprintf(stderr, "split BTF\n");
	bblob = blob_unknown(&bsize, 26, 0, 0);
	CHECK_EQ(parse_mem(bblob, bsize, 0, &base, &err), 0);
	/* split: [5] kind 25 vlen 0 "more", [6] typedef "t" -> [3] */
	s.ns = 0;
	s.caps = 64;
	s.s = malloc(s.caps); /* split strings start after base's: no leading "" */
	memcpy(s.s, "more\0t\0", 7);
	s.ns = 7;
	ext_put(&s, (uint32_t)(b.ns + 0)); /* placeholder, fixed below */
	ext_put(&s, EXT_INFO(KIND_NEW, 0, 0));
	ext_put(&s, 0);
	ext_put(&s, 0); /* info_sz 4 */
	ext_put(&s, 0);
	ext_put(&s, EXT_INFO(BTF_KIND_TYPEDEF, 0, 0));
	ext_put(&s, 3);
	if (base) {
		size_t braw = 0;
		const struct btf_header *h = btfdb_btf_raw(base, &braw);

		s.w[0] = h->str_len;         /* "more" */
		s.w[4] = h->str_len + 5;     /* "t" */
		sblob = ext_finish(&s, &ssize, 1, 0);
		CHECK_EQ(btfdb_btf_parse(sblob, ssize, base, &split, &err), 0);
		if (split) {
			CHECK_EQ(btfdb_btf_type_cnt(split), 7);
			CHECK_STR(btfdb_btf_name(split, 5), "more");
			CHECK_EQ(btfdb_kind(btfdb_btf_type(split, 5)), KIND_NEW);
			CHECK_STR(btfdb_btf_name(split, 6), "t");
			CHECK_EQ(btfdb_btf_type(split, 6)->type, 3);
		} else {
			fprintf(stderr, "split: %s\n", err.msg);
		}
		free(sblob);
	}
	btfdb_btf_free(split);
	btfdb_btf_free(base);
	free(bblob);
	ext_free(&b);
	ext_free(&s);
}

/* The database keeps such a blob byte for byte, and serves its types. */
static void test_db_round_trip(void)
{
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *btf = NULL, *dbt = NULL;
	struct btfdb_db_writer *w = NULL;
	struct btfdb_db *db = NULL;
	void *back = NULL;
	size_t size, bsize = 0;
	uint8_t *blob = blob_unknown(&size, 26, 0, 0);
	char path[256];

	fprintf(stderr, "database round trip\n");
	snprintf(path, sizeof(path), "%s/k.btfdb", tmpdir);
	CHECK_EQ(parse_mem(blob, size, 0, &btf, &err), 0);
	CHECK_EQ(btfdb_db_writer_new(NULL, &w, &err), 0);
	if (btf && w) {
		CHECK(btfdb_db_writer_add(w, btf, "ext/1/x86_64/7.0-ext", &err) >= 0);
		CHECK_EQ(btfdb_db_writer_write(w, path, &err), 0);
	}
	btfdb_db_writer_free(w);
	CHECK_EQ(btfdb_db_open(path, &db, &err), 0);
	if (db) {
		CHECK_EQ(btfdb_db_verify(db, &err), 0);
		CHECK_EQ(btfdb_db_extract(db, 0, &back, &bsize, &err), 0);
		CHECK(back && bsize == size && !memcmp(back, blob, size));
		CHECK_EQ(btfdb_db_kernel_btf(db, 0, &dbt, NULL, &err), 0);
		if (dbt)
			check_unknown_handle(dbt, "from the database");
		else
			fprintf(stderr, "db: %s\n", err.msg);
		btfdb_btf_free(dbt);
		btfdb_db_close(db);
	} else {
		fprintf(stderr, "db: %s\n", err.msg);
	}
	free(back);
	btfdb_btf_free(btf);
	free(blob);
}

int main(void)
{
	char cmd[512];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_unknown_skipped();
	test_errors();
	test_known_kinds();
	test_long_lazy();
	test_split();
	test_db_round_trip();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	return test_finish();
}
