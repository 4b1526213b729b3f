/* SPDX-License-Identifier: MIT */
/*
 * index.c: essential names (libbpf's rule), ascending candidate ids, split
 * BTF, hash collisions forced with a degenerate hash, and the backend wrapper.
 */
#include <errno.h>

#include "index_internal.h"
#include "raw_btf.h"
#include "test.h"

/* ---- named INTs / structs / typedefs on raw_btf.h ---- */

static void T_INT(const char *name)
{
	tw[ntw++] = S(name);
	tw[ntw++] = INFO(BTF_KIND_INT, 0, 0);
	tw[ntw++] = 4;
	tw[ntw++] = 32;
}

static void T_STRUCT(const char *name) /* empty struct */
{
	tw[ntw++] = S(name);
	tw[ntw++] = INFO(BTF_KIND_STRUCT, 0, 0);
	tw[ntw++] = 0;
}

static void T_TYPEDEF(const char *name, uint32_t type)
{
	tw[ntw++] = S(name);
	tw[ntw++] = INFO(BTF_KIND_TYPEDEF, 0, 0);
	tw[ntw++] = type;
}

static uint8_t blob[65536];

static struct btfdb_btf *parse(const struct btfdb_btf *base)
{
	struct btfdb_err err = { { 0 } };
	struct btfdb_btf *btf = NULL;

	if (btfdb_btf_parse(blob, finish(blob), base, &btf, &err))
		fprintf(stderr, "parse: %s\n", err.msg);
	CHECK(btf != NULL);
	return btf;
}

/* ---- essential names ---- */

static void test_essential(void)
{
	static const struct {
		const char *name;
		size_t len;
	} cases[] = {
		{ "foo___bar___v2", 9 }, /* foo___bar */
		{ "foo___bar", 3 },
		{ "foo____x", 8 },       /* four underscores: no separator */
		{ "foo___", 6 },         /* nothing after */
		{ "a__2", 4 },
		{ "___x", 4 },           /* X would be '_' */
		{ "x___", 4 },
		{ "x___y", 1 },
		{ "task_struct___old", 11 },
		{ "a_b___c", 3 },
		{ "a___b_", 1 },
		{ "", 0 },
		{ "abcd", 4 },
		{ "__x___y", 3 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t got = btfdb_essential_name_len(cases[i].name);

		if (got != cases[i].len)
			fprintf(stderr, "essential name of '%s'\n", cases[i].name);
		CHECK_EQ(got, cases[i].len);
	}
}

/* ---- lookups ---- */

static uint64_t degenerate_hash(const void *data, size_t len)
{
	(void)data;
	(void)len;
	return 42;
}

static uint64_t two_bucket_hash(const void *data, size_t len)
{
	(void)data;
	return len & 1;
}

/* Expect exactly the ids in want[] (0-terminated). */
static void expect(const struct btfdb_index *idx, const char *name, size_t len,
		   const uint32_t *want)
{
	const uint32_t *ids = NULL;
	size_t n = btfdb_index_lookup(idx, name, len, &ids), i, nwant = 0;

	while (want[nwant])
		nwant++;
	CHECK_EQ(n, nwant);
	for (i = 0; i < n && i < nwant; i++)
		CHECK_EQ(ids[i], want[i]);
	if (n != nwant)
		fprintf(stderr, "lookup '%.*s'\n", (int)len, name);
}

static void build_sample(void)
{
	reset(0);
	T_STRUCT("foo");          /* 1 */
	T_INT("bar");             /* 2 */
	T_STRUCT("foo___v2");     /* 3 */
	T_TYPEDEF("foo", 1);      /* 4 */
	T_STRUCT("");             /* 5: anonymous, never indexed */
	T_STRUCT("foo___a___b");  /* 6: essential "foo___a" */
	T_STRUCT("fo");           /* 7 */
	T_STRUCT("oof");          /* 8: same length as foo */
	T_STRUCT("foo___");       /* 9: essential "foo___" */
	T_INT("bar___x");         /* 10 */
}

static void check_sample(const struct btfdb_index *idx)
{
	static const uint32_t foo[] = { 1, 3, 4, 0 }, bar[] = { 2, 10, 0 },
			      foo_a[] = { 6, 0 }, fo[] = { 7, 0 }, oof[] = { 8, 0 },
			      foo_[] = { 9, 0 }, none[] = { 0 };

	expect(idx, "foo", 3, foo);
	expect(idx, "foo___whatever", 3, foo); /* len is the essential length */
	expect(idx, "bar", 3, bar);
	expect(idx, "foo___a", 7, foo_a);
	expect(idx, "fo", 2, fo);
	expect(idx, "oof", 3, oof);
	expect(idx, "foo___", 6, foo_);
	expect(idx, "foo___v2", 8, none); /* only essential names are keys */
	expect(idx, "f", 1, none);
	expect(idx, "fooo", 4, none);
	expect(idx, "", 0, none);
}

static void test_lookup(void)
{
	struct btfdb_err err = { { 0 } };
	struct btfdb_index *idx = NULL;
	struct btfdb_btf *btf;

	build_sample();
	btf = parse(NULL);
	if (!btf)
		return;
	CHECK_EQ(btfdb_index_build(btf, &idx, &err), 0);
	if (idx)
		check_sample(idx);
	btfdb_index_free(idx);

	/* every name hashes to 42: groups must still be told apart by bytes */
	idx = NULL;
	CHECK_EQ(btfdb_index_build_hashfn(btf, degenerate_hash, &idx, &err), 0);
	if (idx)
		check_sample(idx);
	btfdb_index_free(idx);

	idx = NULL;
	CHECK_EQ(btfdb_index_build_hashfn(btf, two_bucket_hash, &idx, &err), 0);
	if (idx)
		check_sample(idx);
	btfdb_index_free(idx);
	btfdb_index_free(NULL);
	btfdb_btf_free(btf);
}

/* Many types, interleaved names: lists stay ascending and complete. */
static void test_many(void)
{
	struct btfdb_err err = { { 0 } };
	struct btfdb_index *idx = NULL;
	struct btfdb_btf *btf;
	char name[32];
	uint32_t i, k;

	reset(0);
	for (i = 0; i < 900; i++) {
		snprintf(name, sizeof(name), "n%u___f%u", i % 7, i);
		T_STRUCT(name); /* id i + 1, essential "n<i%7>" */
	}
	btf = parse(NULL);
	if (!btf)
		return;
	for (int pass = 0; pass < 2; pass++) {
		idx = NULL;
		CHECK_EQ(btfdb_index_build_hashfn(btf, pass ? degenerate_hash : NULL, &idx, &err), 0);
		if (!idx)
			continue;
		for (k = 0; k < 7; k++) {
			const uint32_t *ids;
			size_t n;
			int ok = 1;

			snprintf(name, sizeof(name), "n%u", k);
			n = btfdb_index_lookup(idx, name, strlen(name), &ids);
			CHECK_EQ(n, (900 - k + 6) / 7);
			for (i = 0; i < n; i++)
				ok &= ids[i] == k + 1 + 7 * i;
			CHECK(ok);
		}
		btfdb_index_free(idx);
	}
	btfdb_btf_free(btf);
}

/* Split BTF: base's types and own types together, ascending. */
static void test_split(void)
{
	struct btfdb_err err = { { 0 } };
	struct btfdb_index *idx = NULL;
	struct btfdb_btf *base, *split;
	static const uint32_t foo[] = { 1, 3, 4, 11, 13, 0 }, baz[] = { 12, 0 };

	build_sample();
	base = parse(NULL);
	if (!base)
		return;
	reset(nstr);
	T_STRUCT("foo");          /* 11 */
	T_STRUCT("baz");          /* 12 */
	T_TYPEDEF("foo___y", 11); /* 13 */
	split = parse(base);
	if (split) {
		CHECK_EQ(btfdb_index_build(split, &idx, &err), 0);
		if (idx) {
			expect(idx, "foo", 3, foo);
			expect(idx, "baz", 3, baz);
		}
		btfdb_index_free(idx);
	}
	btfdb_btf_free(split);
	btfdb_btf_free(base);
}

/* CO-RE index: FUNC/VAR/DATASEC/DECL_TAG are left out, the rest is the same. */
static void test_core_only(void)
{
	static const uint32_t foo_all[] = { 1, 3, 4, 12, 0 }, foo_core[] = { 1, 3, 4, 0 },
			      fn[] = { 13, 0 }, none[] = { 0 };
	struct btfdb_err err = { { 0 } };
	struct btfdb_index *all = NULL, *core = NULL;
	struct btfdb_btf *btf;

	build_sample();
	tw[ntw++] = 0;                                  /* 11: func_proto void (void) */
	tw[ntw++] = INFO(BTF_KIND_FUNC_PROTO, 0, 0);
	tw[ntw++] = 0;
	tw[ntw++] = S("foo___fn");                      /* 12: func, essential "foo" */
	tw[ntw++] = INFO(BTF_KIND_FUNC, 0, 1);
	tw[ntw++] = 11;
	tw[ntw++] = S("fn");                            /* 13: func */
	tw[ntw++] = INFO(BTF_KIND_FUNC, 0, 1);
	tw[ntw++] = 11;
	btf = parse(NULL);
	if (!btf)
		return;
	CHECK_EQ(btfdb_index_build(btf, &all, &err), 0);
	CHECK_EQ(btfdb_index_build_core(btf, &core, &err), 0);
	if (all && core) {
		expect(all, "foo", 3, foo_all);
		expect(core, "foo", 3, foo_core);
		expect(all, "fn", 2, fn);
		expect(core, "fn", 2, none);
		expect(core, "bar", 3, (const uint32_t[]){ 2, 10, 0 });
		CHECK(btfdb_index_has_kind(all, BTF_KIND_FUNC));
		CHECK(!btfdb_index_has_kind(core, BTF_KIND_FUNC));
		CHECK(!btfdb_index_has_kind(core, BTF_KIND_VAR));
		CHECK(!btfdb_index_has_kind(core, BTF_KIND_DATASEC));
		CHECK(!btfdb_index_has_kind(core, BTF_KIND_DECL_TAG));
		CHECK(btfdb_index_has_kind(core, BTF_KIND_STRUCT));
		CHECK(btfdb_index_has_kind(core, BTF_KIND_TYPEDEF));
		CHECK(btfdb_index_has_kind(core, BTF_KIND_ENUM64));
	}
	btfdb_index_free(all);
	btfdb_index_free(core);
	btfdb_btf_free(btf);
}

/*
 * btfdb_index_build_core_for(): lookups of the names it was built for equal
 * those of the full CO-RE index (flavours and one-byte names included, base
 * and split BTF); names it was not built for are reported not covered.
 */
static void test_core_for(void)
{
	static const char *const want[] = { "foo", "a", "ab", "x", "zz" };
	static const char *const probe[] = { "foo", "a", "ab", "x", "fo", "bar", "zz", "b" };
	size_t lens[5], i;
	struct btfdb_err err = { { 0 } };
	struct btfdb_index *full = NULL, *part = NULL;
	struct btfdb_btf *base, *split;

	reset(0);
	T_STRUCT("foo");       /* 1 */
	T_STRUCT("a");         /* 2 */
	T_STRUCT("a___v1");    /* 3: essential "a" */
	T_STRUCT("ab");        /* 4 */
	T_STRUCT("a_b");       /* 5: starts "a_", essential "a_b" */
	T_TYPEDEF("foo___x", 1); /* 6 */
	T_INT("x");            /* 7 */
	T_STRUCT("bar");       /* 8 */
	T_STRUCT("fo");        /* 9: starts "fo", essential "fo" */
	base = parse(NULL);
	if (!base)
		return;
	reset(nstr);
	T_STRUCT("a___v2");    /* 10 */
	T_STRUCT("foo");       /* 11 */
	T_STRUCT("zz___q");    /* 12 */
	split = parse(base);
	for (i = 0; i < 5; i++)
		lens[i] = strlen(want[i]);
	lens[3] = 0; /* "x" given as anonymous: not looked up */
	if (split) {
		CHECK_EQ(btfdb_index_build_core(split, &full, &err), 0);
		CHECK_EQ(btfdb_index_build_core_for(split, want, lens, 5, &part, &err), 0);
	}
	if (full && part) {
		for (i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
			const uint32_t *a = NULL, *b = NULL;
			size_t len = strlen(probe[i]);
			size_t na = btfdb_index_lookup(full, probe[i], len, &a);
			size_t nb = btfdb_index_lookup(part, probe[i], len, &b);

			CHECK(btfdb_index_covers(full, probe[i], len));
			if (!btfdb_index_covers(part, probe[i], len))
				continue;
			if (na != nb || (na && memcmp(a, b, na * sizeof(*a))))
				fprintf(stderr, "core_for: lookup '%s' differs\n", probe[i]);
			CHECK_EQ(nb, na);
			CHECK(na == nb && (!na || !memcmp(a, b, na * sizeof(*a))));
		}
		expect(part, "a", 1, (const uint32_t[]){ 2, 3, 10, 0 });
		expect(part, "foo", 3, (const uint32_t[]){ 1, 6, 11, 0 });
		expect(part, "zz", 2, (const uint32_t[]){ 12, 0 });
		CHECK(btfdb_index_covers(part, "foo", 3));
		CHECK(btfdb_index_covers(part, "fo", 2));   /* same first two bytes */
		CHECK(btfdb_index_covers(part, "a", 1));
		CHECK(btfdb_index_covers(part, "a_b", 3));  /* "a_" is kept for "a" */
		CHECK(!btfdb_index_covers(part, "x", 1));   /* was given anonymous */
		CHECK(!btfdb_index_covers(part, "bar", 3));
		CHECK(!btfdb_index_covers(part, "b", 1));
		CHECK(!btfdb_index_covers(part, "", 0));
		/* names not asked for are not indexed */
		expect(part, "bar", 3, (const uint32_t[]){ 0 });
	}
	btfdb_index_free(full);
	btfdb_index_free(part);
	/* nothing asked: an empty index that covers nothing */
	part = NULL;
	if (split) {
		CHECK_EQ(btfdb_index_build_core_for(split, NULL, NULL, 0, &part, &err), 0);
		if (part) {
			CHECK(!btfdb_index_covers(part, "foo", 3));
			expect(part, "foo", 3, (const uint32_t[]){ 0 });
		}
		btfdb_index_free(part);
	}
	btfdb_btf_free(split);
	btfdb_btf_free(base);
}

/* ---- backend wrapper ---- */

static int be_freed;
static const uint32_t be_ids[] = { 5, 9 };

static size_t be_lookup(void *ctx, const char *name, size_t len, const uint32_t **ids)
{
	(void)ctx;
	if (len == 4 && !memcmp(name, "task", 4)) {
		*ids = be_ids;
		return 2;
	}
	return 0;
}

static void be_free(void *ctx)
{
	be_freed += *(int *)ctx;
}

static void test_backend(void)
{
	static const struct btfdb_index_ops ops = { be_lookup, be_free };
	static const uint32_t want[] = { 5, 9, 0 }, none[] = { 0 };
	static int one = 1;
	struct btfdb_err err = { { 0 } };
	struct btfdb_index *idx = NULL;

	CHECK_EQ(btfdb_index_new_backend(&ops, &one, &idx, &err), 0);
	if (idx) {
		expect(idx, "task___x", 4, want);
		expect(idx, "tas", 3, none);
	}
	btfdb_index_free(idx);
	CHECK_EQ(be_freed, 1);
}

int main(void)
{
	test_essential();
	test_lookup();
	test_many();
	test_split();
	test_core_only();
	test_core_for();
	test_backend();
	return test_finish();
}
