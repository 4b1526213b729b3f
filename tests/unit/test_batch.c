// SPDX-License-Identifier: MIT
/*
 * Batch mode units: kernel identities from paths, sorting, the shard split
 * (deterministic, complete, disjoint), the manifest JSON round trip and its
 * strict reader, and merging shard manifests (conflicts).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "batch_internal.h"
#include "test.h"

static const char *const names[] = {
	"debian/12/x86_64/6.1.0-47-amd64", "android/common-android12-5.10/arm64/a12-5.10-2021-09-arm64",
	"centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64", "debian/12/x86_64/6.1.0-47-cloud-amd64",
	"kylin/V10/aarch64/4.19.90-24.4.v2101.ky10.aarch64", "vm/6.18/x86_64/6.18.44-fc-v445",
	"android/common-android13-5.10/arm64/a13-5.10-arm64", "bclinux/21.10U3/x86_64/4.19.90",
	"debian/12/x86_64/6.1.0-56-amd64", "kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64",
	"x86_64/only-arch-and-release", "just-a-release",
};
#define NR_NAMES (sizeof(names) / sizeof(names[0]))

static void make_list(struct corelink_kernel_list *l, size_t rot)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < NR_NAMES; i++)
		CHECK_EQ(corelink_kernels_add_file(l, "/nonexistent.btf", names[(i + rot) % NR_NAMES], NULL), 0);
}

static void test_identity_and_sort(void)
{
	struct corelink_kernel_list l = { 0 };
	struct btfdb_err err = { 0 };
	size_t i;

	make_list(&l, 5);
	CHECK_EQ(corelink_kernels_sort(&l, &err), 0);
	CHECK_EQ(l.n, NR_NAMES);
	/* "" distro sorts first; then android < bclinux < centos < debian ... */
	CHECK_STR(l.k[0].release, "just-a-release");
	CHECK_STR(l.k[0].arch, "");
	CHECK_STR(l.k[1].arch, "x86_64");
	CHECK_STR(l.k[1].release, "only-arch-and-release");
	CHECK_STR(l.k[2].distro, "android");
	CHECK_STR(l.k[2].version, "common-android12-5.10");
	CHECK_STR(l.k[2].arch, "arm64");
	CHECK_STR(l.k[2].release, "a12-5.10-2021-09-arm64");
	for (i = 1; i < l.n; i++) {
		char a[512], b[512];

		snprintf(a, sizeof(a), "%s/%s/%s/%s", l.k[i - 1].distro, l.k[i - 1].version,
			 l.k[i - 1].arch, l.k[i - 1].release);
		snprintf(b, sizeof(b), "%s/%s/%s/%s", l.k[i].distro, l.k[i].version, l.k[i].arch,
			 l.k[i].release);
		CHECK(strcmp(a, b) < 0 || strcmp(l.k[i - 1].distro, l.k[i].distro) < 0);
	}
	/* a duplicate identity is refused */
	CHECK_EQ(corelink_kernels_add_file(&l, "/other.btf", names[0], NULL), 0);
	CHECK_EQ(corelink_kernels_sort(&l, &err), -EEXIST);
	CHECK_CONTAINS(err.msg, "given twice");
	corelink_kernels_free(&l);

	/* no name: release from the file name, suffix removed */
	CHECK_EQ(corelink_kernels_add_file(&l, "/x/y/5.10.0-9-amd64.btf.tar.xz", NULL, NULL), 0);
	CHECK_STR(l.k[0].release, "5.10.0-9-amd64");
	CHECK_STR(l.k[0].distro, "");
	corelink_kernels_free(&l);
}

static void test_shard(void)
{
	struct corelink_kernel_list full, a, b;
	struct btfdb_err err = { 0 };
	unsigned n, i;
	size_t j, k;

	make_list(&full, 0);
	CHECK_EQ(corelink_kernels_sort(&full, NULL), 0);
	for (n = 1; n <= 5; n++) {
		int *seen = calloc(NR_NAMES, sizeof(int));
		size_t total = 0;

		for (i = 1; i <= n; i++) {
			/* built from a different insertion order: same shard */
			make_list(&a, i);
			make_list(&b, i + 3);
			CHECK_EQ(corelink_kernels_sort(&a, NULL), 0);
			CHECK_EQ(corelink_kernels_sort(&b, NULL), 0);
			CHECK_EQ(corelink_kernels_shard(&a, i, n, NULL), 0);
			CHECK_EQ(corelink_kernels_shard(&b, i, n, NULL), 0);
			CHECK_EQ(a.n, b.n);
			for (j = 0; j < a.n && j < b.n; j++)
				CHECK_STR(a.k[j].release, b.k[j].release);
			/* position p in the sorted list goes to shard p % n + 1 */
			for (j = 0; j < a.n; j++) {
				for (k = 0; k < full.n; k++) {
					if (!strcmp(full.k[k].release, a.k[j].release)) {
						seen[k]++;
						CHECK_EQ(k % n, i - 1);
					}
				}
			}
			total += a.n;
			corelink_kernels_free(&a);
			corelink_kernels_free(&b);
		}
		CHECK_EQ(total, NR_NAMES);
		for (k = 0; k < NR_NAMES; k++)
			CHECK_EQ(seen[k], 1); /* complete and disjoint */
		free(seen);
	}
	make_list(&a, 0);
	CHECK_EQ(corelink_kernels_shard(&a, 0, 3, &err), -EINVAL);
	CHECK_EQ(corelink_kernels_shard(&a, 4, 3, NULL), -EINVAL);
	corelink_kernels_free(&a);
	corelink_kernels_free(&full);
}

/* A manifest with every feature: two objects, ok/poisoned/error entries, escapes. */
static struct corelink_manifest *sample(const char *const *kids, size_t nk, const char *art_tag)
{
	struct corelink_manifest *m = calloc(1, sizeof(*m));
	size_t i, o;

	m->nr_objects = 2;
	m->objects = calloc(2, sizeof(*m->objects));
	m->objects[0].name = strdup("a.bpf.o");
	m->objects[0].nr_programs = 2;
	m->objects[0].programs = calloc(2, sizeof(struct corelink_mf_program));
	m->objects[0].programs[0].name = strdup("prog_a");
	m->objects[0].programs[0].section = strdup("kprobe/do_x");
	m->objects[0].programs[1].name = strdup("helper");
	m->objects[0].programs[1].section = strdup(".text");
	m->objects[1].name = strdup("b \"quoted\"\\.o");
	m->objects[1].programs = calloc(1, sizeof(struct corelink_mf_program));
	m->nr_kernels = nk;
	m->kernels = calloc(nk, sizeof(*m->kernels));
	for (i = 0; i < nk; i++) {
		struct corelink_mf_kernel *k = &m->kernels[i];
		char *dup = strdup(kids[i]), *save = NULL;

		k->distro = strdup(strtok_r(dup, "/", &save));
		k->version = strdup(strtok_r(NULL, "/", &save));
		k->arch = strdup(strtok_r(NULL, "/", &save));
		k->release = strdup(strtok_r(NULL, "/", &save));
		free(dup);
		k->btf_hash = 0x0123456789abcdefull + i;
		k->source = strdup("/data/k\tx.btf.tar.xz");
		k->entries = calloc(2, sizeof(*k->entries));
		for (o = 0; o < 2; o++) {
			struct corelink_mf_entry *e = &k->entries[o];
			char art[64];

			snprintf(art, sizeof(art), "objects/%032zx.o", (size_t)(i * 2 + o + 1) + (art_tag ? 0x100 : 0));
			if (o == 1 && i == 0) {
				e->status = CORELINK_ENTRY_ERROR;
				e->error = strdup("relo #3: unicode \xc3\xa9 and\ncontrol");
				continue;
			}
			e->artifact = strdup(art);
			if (o == 0) {
				e->status = CORELINK_ENTRY_POISONED;
				e->nr_poison = 1;
				e->poison = calloc(1, sizeof(*e->poison));
				e->poison[0].program = strdup("prog_a");
				e->poison[0].section = strdup("kprobe/do_x");
				e->poison[0].insn = 42;
				e->poison[0].kind = strdup("byte_off");
				e->poison[0].spec = strdup("struct task_struct.__state");
				e->poison[0].reason = strdup("no field '__state'");
				e->poison[0].guarded = i % 2;
			}
		}
	}
	return m;
}

static char *to_json(const struct corelink_manifest *m, size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	CHECK_EQ(corelink_manifest_write(m, f, NULL), 0);
	fclose(f);
	*len = size;
	return buf;
}

/*
 * corelink_manifest_write() streams the document a kernel at a time: its
 * bytes are the whole tree's dump (two-space indent) and a newline, for 0,
 * 1 and all of m's kernels.
 */
static void check_streamed(struct corelink_manifest *m)
{
	size_t all = m->nr_kernels, ns[3] = { 0, 1, all };

	for (size_t i = 0; i < 3 && ns[i] <= all; i++) {
		size_t n = ns[i];
		json_t *doc;
		char *tree, *s;
		size_t l;

		m->nr_kernels = n;
		doc = corelink_manifest_json(m);
		tree = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
		s = to_json(m, &l);
		CHECK(tree != NULL);
		if (tree) {
			CHECK_EQ(l, strlen(tree) + 1);
			CHECK(l == strlen(tree) + 1 && !memcmp(s, tree, l - 1) && s[l - 1] == '\n');
		}
		free(tree);
		free(s);
		json_decref(doc);
	}
	m->nr_kernels = all;
}

/* text + suffix must not parse */
static void t_append(const char *text, size_t len, const char *suffix,
		     struct corelink_manifest **r)
{
	char *t = malloc(len + strlen(suffix) + 1);

	memcpy(t, text, len);
	strcpy(t + len, suffix);
	CHECK(corelink_manifest_parse(t, strlen(t), "t", r, NULL) < 0);
	CHECK(*r == NULL);
	free(t);
}

static void test_roundtrip(void)
{
	static const char *const kids[] = { "debian/12/x86_64/6.1.0-47-amd64",
					    "android/a13/arm64/a13-5.10-arm64" };
	struct corelink_manifest *m = sample(kids, 2, NULL), *r = NULL;
	struct btfdb_err err = { 0 };
	size_t l1, l2;
	char *j1, *j2;

	CHECK_EQ(corelink_manifest_sort(m, NULL), 0);
	m->shard_index = 2;
	m->shard_count = 3;
	check_streamed(m);
	j1 = to_json(m, &l1);
	CHECK_EQ(corelink_manifest_parse(j1, l1, "t", &r, &err), 0);
	if (!r) {
		fprintf(stderr, "%s\n%s\n", err.msg, j1);
		free(j1);
		corelink_manifest_free(m);
		return;
	}
	j2 = to_json(r, &l2);
	CHECK_EQ(l1, l2);
	CHECK(l1 == l2 && !memcmp(j1, j2, l1));
	CHECK_EQ(r->shard_index, 2);
	CHECK_EQ(r->shard_count, 3);
	CHECK_EQ(r->nr_kernels, 2);
	CHECK_STR(r->kernels[0].distro, "android");
	CHECK_EQ(r->kernels[1].btf_hash, 0x0123456789abcdefull);
	CHECK_STR(r->objects[1].name, "b \"quoted\"\\.o");
	CHECK_STR(r->kernels[1].source, "/data/k\tx.btf.tar.xz");
	CHECK_EQ(r->kernels[1].entries[1].status, CORELINK_ENTRY_ERROR);
	CHECK_STR(r->kernels[1].entries[1].error, "relo #3: unicode \xc3\xa9 and\ncontrol");
	CHECK_EQ(r->kernels[1].entries[0].poison[0].insn, 42);
	CHECK_EQ(r->kernels[0].entries[0].poison[0].guarded, true);
	CHECK_STR(r->objects[0].programs[1].section, ".text");
	free(j2);
	corelink_manifest_free(r);
	r = NULL;

	/* strictness */
	{
		static const struct { const char *from, *to, *msg; } bad[] = {
			{ "\"schema_version\": 2", "\"schema_version\": 3", "not supported" },
			{ "\"schema_version\": 2", "\"schema_version\": 0", "not supported" },
			{ "\"corelink-manifest\"", "\"other\"", "not a corelink manifest" },
			{ "\"insn\": 42,", "\"insn\": 42,,", "invalid JSON" },
			{ "\"guarded\": true", "\"guarded\": true,", "invalid JSON at line" },
			{ "\"insn\": 42,", "\"insn\": 042,", "invalid JSON" },
			{ "\"insn\": 42,", "\"insn\": NaN,", "invalid JSON" },
			{ "\"insn\": 42,", "\"insn\": 4294967296,", "not an integer in 0..4294967295" },
			{ "\"insn\": 42,", "\"insn\": 99999999999999999999,", "invalid JSON" },
			{ "\"insn\": 42,", "\"insn\": 42.0,", "not an integer" },
			{ "\"kind\": \"byte_off\"", "\"kind\": \"a\\u0000b\"", "invalid JSON" },
			{ "\"kind\": \"byte_off\"", "\"kind\": \"\\ud800\"", "invalid JSON" },
			{ "\"kind\": \"byte_off\"", "\"kind\": \"\xff\"", "invalid JSON" },
			{ "\"kind\": \"byte_off\"", "\"kind\": \"a\tb\"", "invalid JSON" },
			{ "\"kind\": \"byte_off\"", "\"kind\": 'byte_off'", "invalid JSON" },
			{ "\"kind\": \"byte_off\"", "/* c */ \"kind\": \"byte_off\"", "invalid JSON" },
			{ "\"schema\"", "\"schema\": 1, \"schema\"", "duplicate object key" },
			{ "\"status\": \"ok\"", "\"status\": \"fine\"", "" },
			{ "objects/0000", "../../etc/0000", "bad artifact path" },
			{ "\"arch\": \"arm64\",", "\"arch\": \"arm64\", \"arch\": \"x\",", "duplicate object key" },
			{ "\"btf_hash\": \"0123456789abcdef\"", "\"btf_hash\": \"0123456789ABCDEF\"", "btf_hash" },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *s = strstr(j1, bad[i].from), *t;
			struct btfdb_err e2 = { 0 };

			if (!s) {
				CHECK(!"pattern present");
				continue;
			}
			t = malloc(l1 + 64);
			sprintf(t, "%.*s%s%s", (int)(s - j1), j1, bad[i].to, s + strlen(bad[i].from));
			CHECK(corelink_manifest_parse(t, strlen(t), "t", &r, &e2) < 0);
			CHECK(r == NULL);
			CHECK_CONTAINS(e2.msg, bad[i].msg);
			free(t);
		}
	}
	/* whole documents */
	{
		static const char *const bad[] = { "[1]", "1", "\"s\"", "", "{} x", "{}{}" };
		char deep[2 * 3000 + 1];
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CHECK(corelink_manifest_parse(bad[i], strlen(bad[i]), "t", &r, NULL) < 0);
			CHECK(r == NULL);
		}
		memset(deep, '[', 3000);
		memset(deep + 3000, ']', 3000);
		deep[6000] = 0;
		CHECK(corelink_manifest_parse(deep, 6000, "t", &r, NULL) < 0);
		CHECK(r == NULL);
		/* trailing garbage after the whole manifest */
		t_append(j1, l1, " x", &r);
	}
	/* bytes that are not UTF-8 are written as U+FFFD, so the output stays readable */
	free(m->kernels[0].source);
	m->kernels[0].source = strdup("bad \xff\xc3 byte \xc3\xa9");
	free(j1);
	j1 = to_json(m, &l1);
	CHECK_EQ(corelink_manifest_parse(j1, l1, "t", &r, &err), 0);
	if (r)
		CHECK_STR(r->kernels[0].source, "bad \xef\xbf\xbd\xef\xbf\xbd byte \xc3\xa9");
	corelink_manifest_free(r);
	free(j1);
	corelink_manifest_free(m);
}

static void test_merge(void)
{
	static const char *const k1[] = { "debian/12/x86_64/6.1.0-47-amd64", "centos/8/aarch64/4.18" };
	static const char *const k2[] = { "android/a13/arm64/a13-5.10-arm64" };
	static const char *const k3[] = { "centos/8/aarch64/4.18" };
	struct corelink_manifest *a = sample(k1, 2, NULL), *b = sample(k2, 1, NULL);
	struct corelink_manifest *c = sample(k3, 1, NULL), *d = sample(k3, 1, "x"), *out = NULL;
	struct corelink_manifest *in[3];
	struct btfdb_err err = { 0 };

	/* c's kernel equals a's second kernel except for the hash index: make it identical */
	corelink_manifest_sort(a, NULL);
	/* a sorted: centos (index 1 in sample -> hash +1, entries of i=1), debian */
	corelink_manifest_free(c);
	{
		static const char *const k13[] = { "debian/12/x86_64/6.1.0-47-amd64", "centos/8/aarch64/4.18" };

		c = sample(k13, 2, NULL); /* same content as a */
	}
	in[0] = a;
	in[1] = b;
	in[2] = c;
	CHECK_EQ(corelink_manifest_merge(in, 3, &out, &err), 0);
	if (out) {
		CHECK_EQ(out->nr_kernels, 3); /* identical duplicates kept once */
		CHECK_STR(out->kernels[0].distro, "android");
		CHECK_STR(out->kernels[1].distro, "centos");
		CHECK_STR(out->kernels[2].distro, "debian");
		CHECK_EQ(out->shard_count, 0);
	}
	corelink_manifest_free(out);
	out = NULL;

	/* d: the same centos identity with other artifacts and hash -> conflict */
	in[1] = d;
	CHECK_EQ(corelink_manifest_merge(in, 2, &out, &err), -EINVAL);
	CHECK(out == NULL);
	CHECK_CONTAINS(err.msg, "conflict: kernel centos/8/aarch64/4.18");

	/* different objects */
	memset(&err, 0, sizeof(err));
	free(b->objects[1].name);
	b->objects[1].name = strdup("other.o");
	in[1] = b;
	CHECK_EQ(corelink_manifest_merge(in, 2, &out, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "different objects");

	corelink_manifest_free(a);
	corelink_manifest_free(b);
	corelink_manifest_free(c);
	corelink_manifest_free(d);
}

int main(void)
{
	test_identity_and_sort();
	test_shard();
	test_roundtrip();
	test_merge();
	return test_finish();
}
