/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the bundle runtime's reader (corelink/runtime/corelink_bundle.c).
 * Input: a bundle (seeds: small bundles of the CO-RE case objects, made by
 * make_seeds.sh).  Each input is tried twice: as it is (the checksums must
 * refuse almost every mutation), and with every checksum recomputed (so the
 * mutations reach the table checks, the kernel columns, the deltas, the site
 * lists and the patches).
 * Everything the runtime offers is exercised: accessors, selection for each
 * kernel's identity and for an unknown one, and rebuilding every original
 * and artifact.  Invariants: failures carry one message; a rebuild that
 * succeeds has the artifact's recorded size; selection by a kernel's own
 * identity gives that kernel's artifact (or its error), never another's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "corelink_bundle.h"
#include "fuzz_check.h"

#define MAX_REBUILD (16u << 20)

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void wr64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Recompute the section and header checksums where the table allows it. */
static void rechecksum(uint8_t *d, size_t size)
{
	size_t table_end = CORELINK_BUNDLE_HEADER_LEN +
			   CORELINK_BUNDLE_NR_SECTIONS * CORELINK_BUNDLE_SECTION_LEN;
	uint64_t off = table_end;
	int s;

	if (size < table_end)
		return;
	/* each section after the previous one, 8-aligned (format version 3) */
	for (s = 0; s < CORELINK_BUNDLE_NR_SECTIONS; s++) {
		uint8_t *e = d + CORELINK_BUNDLE_HEADER_LEN + s * CORELINK_BUNDLE_SECTION_LEN;
		uint64_t len = rd64(e);

		off = (off + 7) / 8 * 8;
		if (off > size || len > size - off)
			break;
		wr64(e + 8, corelink_bundle_xxh64(d + off, (size_t)len, 0));
		off += len;
	}
	wr64(d + 24, 0);
	wr64(d + 24, corelink_bundle_xxh64(d, table_end, 0));
}

static void exercise(const uint8_t *data, size_t size)
{
	struct corelink_bundle *b = NULL;
	struct corelink_bundle_err err;
	uint32_t i, o;
	int ret;

	err.msg[0] = 0;
	ret = corelink_bundle_open(data, size, &b, &err);
	if (ret) {
		FUZZ_ASSERT_ERR(ret, &err);
		FUZZ_ASSERT(b == NULL);
		return;
	}
	for (o = 0; o < corelink_bundle_nr_objects(b); o++) {
		struct corelink_bundle_object ob;
		void *buf;

		FUZZ_ASSERT(corelink_bundle_object(b, o, &ob) == 0);
		FUZZ_ASSERT(ob.name != NULL);
		if (ob.orig_size > MAX_REBUILD)
			continue;
		buf = malloc(ob.orig_size ? (size_t)ob.orig_size : 1);
		ret = corelink_bundle_materialize_artifact(b, o, CORELINK_BUNDLE_NONE, buf,
							   (size_t)ob.orig_size, &err);
		if (ret)
			FUZZ_ASSERT_ERR(ret, &err);
		free(buf);
	}
	for (i = 0; i < corelink_bundle_nr_artifacts(b); i++) {
		struct corelink_bundle_artifact a;
		void *buf;

		FUZZ_ASSERT(corelink_bundle_artifact(b, i, &a) == 0);
		FUZZ_ASSERT(a.object < corelink_bundle_nr_objects(b));
		if (a.size > MAX_REBUILD)
			continue;
		buf = malloc(a.size ? (size_t)a.size : 1);
		ret = corelink_bundle_materialize_artifact(b, a.object, i, buf, (size_t)a.size, &err);
		if (ret)
			FUZZ_ASSERT_ERR(ret, &err);
		free(buf);
	}
	for (i = 0; i < corelink_bundle_nr_kernels(b) && i < 64; i++) {
		struct corelink_bundle_kernel k;

		FUZZ_ASSERT(corelink_bundle_kernel(b, i, &k) == 0);
		FUZZ_ASSERT(k.distro && k.version && k.arch && k.release);
		for (o = 0; o < corelink_bundle_nr_objects(b); o++) {
			struct corelink_bundle_object ob;
			struct corelink_bundle_entry e;
			struct corelink_bundle_query q = { 0 };
			struct corelink_bundle_choice c;

			FUZZ_ASSERT(corelink_bundle_entry(b, i, o, &e) == 0);
			FUZZ_ASSERT(e.message != NULL);
			corelink_bundle_object(b, o, &ob);
			q.object = ob.name;
			q.release = k.release;
			q.arch = k.arch;
			q.distro = k.distro;
			q.version = k.version;
			q.os_release = "/nonexistent";
			q.btf_path = "";
			ret = corelink_bundle_select(b, &q, &c, &err);
			if (ret) {
				FUZZ_ASSERT_ERR(ret, &err);
				continue;
			}
			FUZZ_ASSERT(c.how == CORELINK_BUNDLE_EXACT);
			FUZZ_ASSERT(c.artifact < corelink_bundle_nr_artifacts(b));
		}
	}
	{
		struct corelink_bundle_query q = { 0 };
		struct corelink_bundle_choice c;

		q.release = "0.0.0-none";
		q.arch = "x86_64";
		q.distro = "debian";
		q.version = "12";
		q.os_release = "/nonexistent";
		q.btf_path = "";
		ret = corelink_bundle_select(b, &q, &c, &err);
		if (ret)
			FUZZ_ASSERT_ERR(ret, &err);
	}
	corelink_bundle_close(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	exercise(data, size);
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	rechecksum(copy, size);
	exercise(copy, size);
	free(copy);
	return 0;
}
