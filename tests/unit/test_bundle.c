// SPDX-License-Identifier: MIT
/*
 * Bundles: a real batch (two CO-RE case objects x synthetic kernels, with
 * ok, poisoned and error entries) packed by the writer and read back by the
 * libc-only runtime:
 *  - every kernel x object selected by its identity rebuilds the batch's
 *    artifact byte for byte; error entries are refused with their message;
 *  - fallback to the original object when the kernel is unknown but BTF
 *    exists; no match names the nearest kernels; ambiguity; object names;
 *  - the runtime's XXH64 equals libxxhash's;
 *  - the same inputs give the same bytes;
 *  - damage: every truncation is refused; every single-bit flip is refused
 *    or (padding) still rebuilds the right bytes; with valid checksums: a
 *    site past its base, a patch bitmap naming sites past the last, a kernel
 *    group past the table, a release coded past the previous one, an entry
 *    naming an artifact its object lacks, are refused with their messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "batch.h"
#include "bundle.h"
#include "corelink_bundle.h"
#include "test.h"

static const char *const kernels[][2] = {
	{ "nesting__base.o", "ubuntu/22.04/x86_64/5.15.0-1" },
	{ "nesting__anon_embed.o", "ubuntu/22.04/x86_64/5.15.0-2" },
	{ "nesting__extra_nesting.o", "ubuntu/24.04/x86_64/6.8.0-1" },
	{ "nesting__struct_union_mixup.o", "debian/12/aarch64/6.1.0-1" },
	{ "nesting___err_missing_field.o", "debian/12/x86_64/6.1.0-1" },
	{ "size__base.o", "debian/12/x86_64/6.1.0-2" },
	{ "size__diff_offs.o", "debian/12/x86_64/6.1.0-3" },
	{ "size__diff_sz.o", "rhel/9/x86_64/5.14.0-1" },
	{ "size__base.o", "alma/9/x86_64/5.14.0-1" },
	{ "size___err_ambiguous.o", "debian/12/x86_64/6.1.0-4" },
	{ "missing.btf", "debian/12/x86_64/6.1.0-0" },  /* unreadable: an error entry */
};
#define NK (sizeof(kernels) / sizeof(kernels[0]))

static char tmpdir[] = "/tmp/test_bundle.XXXXXX";
static struct corelink_manifest *man;
static const char *objs[2] = { TEST_BPF_DIR "/core_nesting.bpf.o", TEST_BPF_DIR "/core_size.bpf.o" };
static void *bundle;
static size_t bundle_size;

static void *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n ? (size_t)n : 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static int make_batch(void)
{
	struct corelink_kernel_list l = { 0 };
	struct corelink_batch_opts bo = { .jobs = 1 };
	struct btfdb_err err = { 0 };
	size_t i;
	int ret;

	if (!mkdtemp(tmpdir))
		return -1;
	for (i = 0; i < NK; i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/targets/%s", TEST_BPF_DIR, kernels[i][0]);
		CHECK_EQ(corelink_kernels_add_file(&l, path, kernels[i][1], &err), 0);
	}
	CHECK_EQ(corelink_kernels_sort(&l, &err), 0);
	ret = corelink_batch_run(objs, 2, &l, tmpdir, &bo, &man, NULL, &err);
	if (ret)
		fprintf(stderr, "batch: %s\n", err.msg);
	corelink_kernels_free(&l);
	return ret;
}

/* The batch's artifact for kernel k, object o (NULL for an error entry). */
static void *artifact_of(size_t k, size_t o, size_t *size)
{
	char path[600];

	if (!man->kernels[k].entries[o].artifact)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", tmpdir, man->kernels[k].entries[o].artifact);
	return read_all(path, size);
}

static void test_roundtrip(void)
{
	struct corelink_bundle *b = NULL;
	struct corelink_bundle_err err;
	void *again = NULL;
	size_t again_size = 0, k, o, statuses[4] = { 0 };

	CHECK_EQ(corelink_bundle_open(bundle, bundle_size, &b, &err), 0);
	if (!b)
		return;
	CHECK_EQ(corelink_bundle_nr_objects(b), 2);
	CHECK_EQ(corelink_bundle_nr_kernels(b), NK);
	for (k = 0; k < man->nr_kernels; k++) {
		const struct corelink_mf_kernel *mk = &man->kernels[k];

		for (o = 0; o < 2; o++) {
			struct corelink_bundle_query q = { objs[o] + strlen(TEST_BPF_DIR) + 1, mk->release,
							   mk->arch, mk->distro, mk->version, NULL, "" };
			struct corelink_bundle_choice c;
			struct corelink_bundle_entry e;
			size_t want_size = 0;
			void *want = artifact_of(k, o, &want_size), *got;
			int ret = corelink_bundle_select(b, &q, &c, &err);

			CHECK_EQ(corelink_bundle_entry(b, (uint32_t)k, (uint32_t)o, &e), 0);
			statuses[e.status & 3]++;
			{	/* the unguarded count: the artifact's, or a note's */
				size_t p, ung = 0;

				for (p = 0; p < mk->entries[o].nr_poison; p++)
					ung += !mk->entries[o].poison[p].guarded;
				CHECK_EQ(e.unguarded, e.status == CORELINK_BUNDLE_POISONED ? ung : 0);
			}
			if (!want) {
				CHECK_EQ(ret, -ENOEXEC);
				CHECK_CONTAINS(err.msg, "object failed on kernel");
				CHECK_CONTAINS(err.msg, mk->entries[o].error);
				continue;
			}
			CHECK_EQ(ret, 0);
			CHECK_EQ(c.how, CORELINK_BUNDLE_EXACT);
			CHECK_EQ(c.kernel, k);
			CHECK_EQ(c.size, want_size);
			got = malloc(want_size);
			CHECK_EQ(corelink_bundle_materialize(b, &c, got, want_size, &err), 0);
			CHECK(!memcmp(got, want, want_size));
			/* too small a buffer */
			CHECK_EQ(corelink_bundle_materialize(b, &c, got, want_size - 1, &err), -ENOSPC);
			free(got);
			free(want);
		}
	}
	/* the batch has every kind of entry */
	CHECK(statuses[CORELINK_BUNDLE_OK] > 0);
	CHECK(statuses[CORELINK_BUNDLE_ERROR] > 0);
	fprintf(stderr, "entries: %zu ok, %zu guarded, %zu poisoned, %zu error; %u artifacts; %zu bytes\n",
		statuses[0], statuses[1], statuses[2], statuses[3], corelink_bundle_nr_artifacts(b),
		bundle_size);
	/* deterministic */
	CHECK_EQ(corelink_bundle_build(man, tmpdir, objs, 2, &again, &again_size, NULL, NULL), 0);
	CHECK(again_size == bundle_size && !memcmp(again, bundle, bundle_size));
	free(again);
	corelink_bundle_close(b);
}

static void test_select_rules(void)
{
	struct corelink_bundle *b = NULL;
	struct corelink_bundle_err err;
	struct corelink_bundle_choice c;
	size_t osize = 0;
	void *orig = read_all(objs[0], &osize), *got;

	CHECK_EQ(corelink_bundle_open(bundle, bundle_size, &b, &err), 0);
	if (!b)
		return;
	/* unknown kernel, BTF present (any existing path stands in): the original */
	{
		struct corelink_bundle_query q = { "core_nesting", "9.9.9-unknown", "x86_64", "debian", "12",
						   NULL, objs[1] };

		CHECK_EQ(corelink_bundle_select(b, &q, &c, &err), 0);
		CHECK_EQ(c.how, CORELINK_BUNDLE_FALLBACK_BTF);
		CHECK_EQ(c.size, osize);
		got = malloc(osize);
		CHECK_EQ(corelink_bundle_materialize(b, &c, got, osize, &err), 0);
		CHECK(!memcmp(got, orig, osize));
		free(got);
	}
	/* unknown kernel, no BTF: the nearest of the same distro/version/arch */
	{
		struct corelink_bundle_query q = { "core_nesting.bpf.o", "6.1.0-9", "x86_64", "debian", "12",
						   NULL, "/nonexistent/vmlinux" };

		CHECK_EQ(corelink_bundle_select(b, &q, &c, &err), -ENOENT);
		CHECK_EQ(c.how, CORELINK_BUNDLE_NO_MATCH);
		CHECK_EQ(c.nr_nearest, 3);
		CHECK_STR(err.msg, "no kernel 6.1.0-9 (x86_64) in the bundle and no kernel BTF at /nonexistent/vmlinux; "
				   "nearest: debian/12/x86_64/6.1.0-0, debian/12/x86_64/6.1.0-1, debian/12/x86_64/6.1.0-2");
	}
	/* another arch spelling matches; no kernel of that distro: same arch, longest prefix */
	{
		struct corelink_bundle_query q = { "core_nesting", "6.1.0-1", "arm64", "fedora", "40", NULL, "" };

		CHECK_EQ(corelink_bundle_select(b, &q, &c, &err), 0);
		CHECK_EQ(c.how, CORELINK_BUNDLE_EXACT);
		q.release = "6.1.0-7";
		CHECK_EQ(corelink_bundle_select(b, &q, &c, &err), -ENOENT);
		CHECK_STR(err.msg, "no kernel 6.1.0-7 (arm64) in the bundle and no kernel BTF at (fallback disabled); "
				   "nearest: debian/12/aarch64/6.1.0-1");
	}
	/* 5.14.0-1 is rhel/9 (diff_sz) and alma/9 (base): different artifacts for core_size */
	{
		struct corelink_bundle_query q = { "core_size", "5.14.0-1", "x86_64", "fedora", "40", NULL, "" };

		CHECK_EQ(corelink_bundle_select(b, &q, &c, &err), -ENOTUNIQ);
		CHECK_CONTAINS(err.msg, "set the distro and version");
		q.distro = "alma";
		CHECK_EQ(corelink_bundle_select(b, &q, &c, &err), 0);
		CHECK_EQ(c.how, CORELINK_BUNDLE_EXACT);
	}
	/* object names */
	{
		struct corelink_bundle_query q = { NULL, "5.15.0-1", "x86_64", NULL, NULL, NULL, "" };

		CHECK_EQ(corelink_bundle_select(b, &q, &c, &err), -EINVAL);
		CHECK_STR(err.msg, "the bundle holds several objects: name one");
		q.object = "nope.o";
		CHECK_EQ(corelink_bundle_select(b, &q, &c, &err), -EINVAL);
		CHECK_STR(err.msg, "no object 'nope.o' in the bundle");
	}
	free(orig);
	corelink_bundle_close(b);
}

static void test_xxh64(void)
{
	uint8_t buf[1000];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	for (i = 0; i <= 100; i++)
		CHECK(corelink_bundle_xxh64(buf, i, 0) == XXH64(buf, i, 0));
	CHECK(corelink_bundle_xxh64(buf, sizeof(buf), 42) == XXH64(buf, sizeof(buf), 42));
	CHECK(corelink_bundle_xxh64("", 0, 0) == 0xEF46DB3751D8E999ULL); /* the spec's empty input */
}

/* Every artifact and original of an opened (possibly damaged) bundle: rebuilt
 * right, or refused.  Returns the number refused. */
static size_t rebuild_all(const struct corelink_bundle *b)
{
	struct corelink_bundle_err err;
	size_t refused = 0, k, o, size, n;

	for (k = 0; k < man->nr_kernels; k++)
		for (o = 0; o < 2; o++) {
			struct corelink_bundle_entry e;
			void *want = artifact_of(k, o, &size), *got;

			if (!want)
				continue;
			corelink_bundle_entry(b, (uint32_t)k, (uint32_t)o, &e);
			got = malloc(size + 64);
			n = size + 64;
			if (corelink_bundle_materialize_artifact(b, (uint32_t)o, e.artifact, got, n, &err))
				refused++;
			else
				CHECK(!memcmp(got, want, size));
			free(got);
			free(want);
		}
	return refused;
}

static void test_damage(void)
{
	struct corelink_bundle *b = NULL;
	struct corelink_bundle_err err;
	uint8_t *copy = malloc(bundle_size);
	size_t i, opened = 0, bad_open = 0;

	for (i = 0; i < bundle_size; i++) {
		if (corelink_bundle_open(bundle, i, &b, &err) != -EINVAL) {
			CHECK(!"a truncated bundle opened");
			corelink_bundle_close(b);
			break;
		}
	}
	{
		char want[128];

		snprintf(want, sizeof(want), "bundle truncated or extended: %zu bytes, header says %zu",
			 bundle_size - 1, bundle_size);
		corelink_bundle_open(bundle, bundle_size - 1, &b, &err);
		CHECK_STR(err.msg, want);
		corelink_bundle_open(bundle, 10, &b, &err);
		CHECK_STR(err.msg, "not a corelink bundle (bad magic)");
	}
	for (i = 0; i < bundle_size * 8; i += 3) {
		memcpy(copy, bundle, bundle_size);
		copy[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (corelink_bundle_open(copy, bundle_size, &b, &err)) {
			bad_open++;
			continue;
		}
		opened++;
		rebuild_all(b); /* whatever it gives must be right */
		corelink_bundle_close(b);
	}
	fprintf(stderr, "bit flips: %zu refused at open, %zu in padding (rebuilt right)\n", bad_open,
		opened);
	CHECK(bad_open > 0);
	free(copy);
}

/* uvarint decode (for locating site lists in the test) */
static uint64_t get_uv(const uint8_t **p)
{
	uint64_t v = 0;
	int s = 0;

	while (**p & 0x80)
		v |= (uint64_t)(*(*p)++ & 0x7f) << s, s += 7;
	return v | (uint64_t)(*(*p)++) << s;
}

static uint64_t rd(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void wr64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Section id's size and (derived: after the previous one, 8-aligned) offset. */
static uint64_t sec_size(const uint8_t *d, int id)
{
	return rd(d + CORELINK_BUNDLE_HEADER_LEN + CORELINK_BUNDLE_SECTION_LEN * (id - 1), 8);
}

static uint64_t sec_off(const uint8_t *d, int id)
{
	uint64_t off = CORELINK_BUNDLE_HEADER_LEN +
		       (uint64_t)CORELINK_BUNDLE_SECTION_LEN * CORELINK_BUNDLE_NR_SECTIONS;
	int s;

	for (s = 1; s < id; s++)
		off = (off + 7) / 8 * 8 + sec_size(d, s);
	return (off + 7) / 8 * 8;
}

/* Fix every checksum after an edit (what an attacker or a buggy writer could do). */
static void rechecksum(uint8_t *d)
{
	int s;

	for (s = 1; s <= CORELINK_BUNDLE_NR_SECTIONS; s++)
		wr64(d + CORELINK_BUNDLE_HEADER_LEN + CORELINK_BUNDLE_SECTION_LEN * (s - 1) + 8,
		     XXH64(d + sec_off(d, s), sec_size(d, s), 0));
	wr64(d + 24, 0);
	wr64(d + 24, XXH64(d, CORELINK_BUNDLE_HEADER_LEN + CORELINK_BUNDLE_SECTION_LEN * CORELINK_BUNDLE_NR_SECTIONS, 0));
}

/*
 * Where the test edits a bundle (format version 3): per object its site list
 * and artifacts in DATA (offsets derived from the records' order), and the
 * kernel table's parts.
 */
struct tl_art {
	int patch;
	uint64_t size, data_off;
};
struct tl_obj {
	uint64_t nr_arts, first, width, sites_off, sites_size;
};
struct layout {
	size_t nr_objs;
	struct tl_obj objs[4];
	struct tl_art arts[64];
	uint64_t nk, ng, nn, last_group_count, entries, releases; /* offsets in KERNELS */
};

static void parse_layout(const uint8_t *d, struct layout *l)
{
	const uint8_t *o = d + sec_off(d, 2), *a = d + sec_off(d, 3), *k = d + sec_off(d, 4);
	const uint8_t *p;
	uint64_t pos = 0, na = 0, i, j, f[6];

	memset(l, 0, sizeof(*l));
	l->nr_objs = (size_t)get_uv(&o);
	get_uv(&a);
	for (i = 0; i < l->nr_objs && i < 4; i++) {
		struct tl_obj *t = &l->objs[i];

		for (j = 0; j < 6; j++)
			f[j] = get_uv(&o);
		o += 8;
		t->nr_arts = f[2];
		t->width = f[3];
		t->first = na;
		pos = (pos + 7) / 8 * 8 + f[4];
		t->sites_off = pos;
		t->sites_size = f[5];
		pos += f[5];
		for (j = 0; j < t->nr_arts && na < 64; j++, na++) {
			uint64_t v = get_uv(&a);

			l->arts[na].patch = (int)(v & 1);
			l->arts[na].size = v & 1 ? l->arts[t->first].size : get_uv(&a);
			get_uv(&a);
			a += 8;
			l->arts[na].data_off = pos;
			pos += v >> 1;
		}
	}
	p = k;
	l->nk = get_uv(&p);
	l->ng = get_uv(&p);
	l->nn = get_uv(&p);
	p += 4 * l->nk;
	for (i = 0; i < l->ng; i++) {
		get_uv(&p);
		get_uv(&p);
		get_uv(&p);
		l->last_group_count = (uint64_t)(p - k);
		get_uv(&p);
	}
	p += 12 * l->nn;
	l->entries = (uint64_t)(p - k);
	for (i = 0; i < l->nr_objs && i < 4; i++)
		p += l->objs[i].width * l->nk;
	l->releases = (uint64_t)(p - k);
}

/* Open a crafted copy (checksums fixed): the message of the refusal, at open or when rebuilding. */
static int open_crafted(uint8_t *copy, struct corelink_bundle_err *err)
{
	struct corelink_bundle *b;
	int ret;

	rechecksum(copy);
	ret = corelink_bundle_open(copy, bundle_size, &b, err);
	if (ret)
		return ret;
	ret = rebuild_all(b) ? -EINVAL : 0;
	if (ret) { /* the first refusal's message */
		size_t a;

		for (a = 0; a < corelink_bundle_nr_artifacts(b); a++) {
			struct corelink_bundle_artifact ar;
			void *buf;

			corelink_bundle_artifact(b, (uint32_t)a, &ar);
			buf = malloc(ar.size + 1);
			if (corelink_bundle_materialize_artifact(b, ar.object, (uint32_t)a, buf, ar.size, err)) {
				free(buf);
				break;
			}
			free(buf);
		}
	}
	corelink_bundle_close(b);
	return ret;
}

static void test_crafted(void)
{
	const uint8_t *d = bundle;
	const uint8_t *ks = d + sec_off(d, 4), *data = d + sec_off(d, 5);
	size_t a, o, found = 0;
	uint8_t *copy = malloc(bundle_size);
	struct corelink_bundle_err err;
	struct layout l;

	parse_layout(d, &l);
	CHECK(l.nr_objs == 2);
	/* an object with a site list: its first site pushed past the base's end, then a patch
	 * bitmap naming a site past the last (no list can loop: sites advance by unsigned gaps) */
	for (o = 0; o < 2 && !found; o++) {
		const struct tl_obj *t = &l.objs[o];
		const uint8_t *p;
		uint64_t nr, base_size;

		if (!t->sites_size)
			continue;
		found = 1;
		base_size = l.arts[t->first].size;
		p = data + t->sites_off;
		nr = get_uv(&p);
		CHECK(nr > 0);
		/* gap of site 0 (a 1- or 2-byte varint) -> the base's size */
		memcpy(copy, bundle, bundle_size);
		if (p[0] < 0x80 && base_size < 0x4000 && p[1] < 0x80 && nr < 0x80) {
			/* shift: write a 2-byte varint over gap (1 byte) + len (1 byte), len then from site 1 */
			copy[p - d] = (uint8_t)(base_size & 0x7f) | 0x80;
			copy[p - d + 1] = (uint8_t)(base_size >> 7);
			CHECK_EQ(open_crafted(copy, &err), -EINVAL);
			CHECK_CONTAINS(err.msg, "site");
			CHECK_CONTAINS(err.msg, "past its base's");
			fprintf(stderr, "crafted site: %s\n", err.msg);
		}
		/* a PATCH of this object whose bitmap names a site past the last */
		for (a = t->first; a < t->first + t->nr_arts; a++) {
			char want[128];

			if (!l.arts[a].patch || nr % 8 == 0)
				continue;
			memcpy(copy, bundle, bundle_size);
			copy[data + l.arts[a].data_off + (nr - 1) / 8 - d] |= 0x80;
			CHECK_EQ(open_crafted(copy, &err), -EINVAL);
			snprintf(want, sizeof(want), "artifact %zu: patch bitmap names sites past the last", a);
			CHECK_STR(err.msg, want);
			found = 2;
			break;
		}
	}
	CHECK_EQ(found, 2); /* both site cases ran */
	/* the kernel table: a group holding more kernels than the table (counts < 127 here) */
	memcpy(copy, bundle, bundle_size);
	CHECK(copy[ks - d + l.last_group_count] < 0x7f);
	copy[ks - d + l.last_group_count] = (uint8_t)(copy[ks - d + l.last_group_count] + 1);
	CHECK_EQ(open_crafted(copy, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "kernels, past the table");
	/* a release coded with more of the previous one than it has */
	memcpy(copy, bundle, bundle_size);
	copy[ks - d + l.releases] = 1; /* kernel 0's prefix: its previous is "" */
	CHECK_EQ(open_crafted(copy, &err), -EINVAL);
	CHECK_STR(err.msg, "bundle kernel 0: release truncated or past the previous one");
	/* an entry naming an artifact its object does not have */
	CHECK_EQ(l.objs[0].width, 1);
	memcpy(copy, bundle, bundle_size);
	copy[ks - d + l.entries] = (uint8_t)(l.objs[0].nr_arts << 2);
	CHECK_EQ(open_crafted(copy, &err), -EINVAL);
	CHECK_STR(err.msg, "bundle kernel 0 object 0: bad entry");
	/* a version 2 bundle: refused, saying what to do */
	{
		struct corelink_bundle *b;

		memcpy(copy, bundle, bundle_size);
		copy[8] = 2;
		rechecksum(copy);
		CHECK_EQ(corelink_bundle_open(copy, bundle_size, &b, &err), -EINVAL);
		CHECK_CONTAINS(err.msg, "bundle version 2 not supported (this runtime reads version 3)");
		CHECK_CONTAINS(err.msg, "rebuild the bundle");
	}
	/* DATA one byte short of its records' data (offsets are derived: they must add up) */
	memcpy(copy, bundle, bundle_size);
	wr64(copy + CORELINK_BUNDLE_HEADER_LEN + CORELINK_BUNDLE_SECTION_LEN * 4,
	     sec_size(d, 5) - 1); /* the file too */
	{
		uint64_t n = bundle_size - 1;
		struct corelink_bundle *b;

		wr64(copy + 16, n);
		rechecksum(copy);
		CHECK_EQ(corelink_bundle_open(copy, (size_t)n, &b, &err), -EINVAL);
		CHECK_CONTAINS(err.msg, "bundle artifact ");
		CHECK_CONTAINS(err.msg, ": bad record"); /* the last one's data: past DATA's end */
	}
	free(copy);
}

int main(void)
{
	if (access(objs[0], R_OK) || access(objs[1], R_OK)) {
		printf("SKIP: test objects not built\n");
		return 77;
	}
	if (make_batch())
		return 1;
	CHECK_EQ(corelink_bundle_build(man, tmpdir, objs, 2, &bundle, &bundle_size, NULL, NULL), 0);
	if (!bundle)
		return 1;
	test_xxh64();
	test_roundtrip();
	test_select_rules();
	test_crafted();
	test_damage();
	free(bundle);
	corelink_manifest_free(man);
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		CHECK_EQ(system(cmd), 0);
	}
	return test_finish();
}
