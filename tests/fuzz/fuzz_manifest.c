/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the batch manifest reader (corelink_manifest_parse: jansson's
 * strict parse, then the schema checks of manifest.c).  Manifests come from
 * other machines (CI shards, artifact stores), so any bytes are possible.
 * Input: a manifest text (seeds: small manifests of real batches).
 *
 * Invariants when a manifest is accepted:
 *  - writing it and parsing the text back gives a manifest that writes the
 *    same bytes (the written form is a fixpoint);
 *  - kernels are sorted and unique, every entry matches its status (an
 *    artifact unless error, a message iff error, poisons iff poisoned);
 *  - merging it with itself gives the same manifest (identical duplicates);
 *  - the Markdown and JSON reports and pick for every kernel of it run
 *    (pick's answer for a kernel's own identity is that kernel or refused
 *    as ambiguous, never a crash).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "fuzz_check.h"

static char *write_mem(const struct corelink_manifest *m, size_t *len)
{
	struct btfdb_err err = { { 0 } };
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	FUZZ_ASSERT(f != NULL);
	FUZZ_ASSERT(corelink_manifest_write(m, f, &err) == 0);
	FUZZ_ASSERT(fclose(f) == 0);
	return buf;
}

static int kernel_cmp(const struct corelink_mf_kernel *x, const struct corelink_mf_kernel *y)
{
	int c;

	if ((c = strcmp(x->distro, y->distro)) || (c = strcmp(x->version, y->version)) ||
	    (c = strcmp(x->arch, y->arch)))
		return c;
	return strcmp(x->release, y->release);
}

static void check_model(const struct corelink_manifest *m)
{
	size_t i, j;

	for (i = 0; i < m->nr_kernels; i++) {
		const struct corelink_mf_kernel *k = &m->kernels[i];

		FUZZ_ASSERT(!i || kernel_cmp(&m->kernels[i - 1], k) < 0);
		for (j = 0; j < m->nr_objects; j++) {
			const struct corelink_mf_entry *e = &k->entries[j];

			FUZZ_ASSERT((e->status == CORELINK_ENTRY_ERROR) == (e->artifact == NULL));
			FUZZ_ASSERT((e->status == CORELINK_ENTRY_ERROR) == (e->error != NULL));
			FUZZ_ASSERT((e->status == CORELINK_ENTRY_POISONED) == (e->nr_poison > 0));
			FUZZ_ASSERT(!e->artifact || !strncmp(e->artifact, "objects/", 8));
			FUZZ_ASSERT(!e->artifact || !strstr(e->artifact, ".."));
		}
	}
}

static void run_reports(const struct corelink_manifest *m)
{
	struct btfdb_err err = { { 0 } };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	for (int fmt = CORELINK_REPORT_MD; fmt <= CORELINK_REPORT_JSON; fmt++) {
		f = open_memstream(&buf, &len);
		FUZZ_ASSERT(f != NULL);
		FUZZ_ASSERT(corelink_report_write(m, fmt, f, &err) == 0);
		FUZZ_ASSERT(fclose(f) == 0);
		free(buf);
		buf = NULL;
	}
}

static void run_picks(const struct corelink_manifest *m)
{
	size_t i, j, n = m->nr_kernels < 8 ? m->nr_kernels : 8;

	for (i = 0; i < n; i++) {
		const struct corelink_mf_kernel *k = &m->kernels[i];
		struct corelink_pick_query q = { .release = k->release, .arch = k->arch,
						 .distro = k->distro, .version = k->version };
		struct corelink_pick_result r = { 0 };
		struct btfdb_err err = { { 0 } };
		int ret;

		for (j = 0; j <= m->nr_objects && j < 4; j++) {
			q.object = j < m->nr_objects ? m->objects[j].name : NULL;
			ret = corelink_pick_manifest(m, "base", &q, &r, &err);
			if (ret) {
				FUZZ_ASSERT_ERR(ret, &err);
				FUZZ_ASSERT(r.path == NULL);
			} else {
				FUZZ_ASSERT(r.path != NULL && r.kernel != NULL && r.object != NULL);
				FUZZ_ASSERT(!strncmp(r.path, "base/objects/", 13));
			}
			corelink_pick_result_clear(&r);
			memset(&err, 0, sizeof(err));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct corelink_manifest *m = NULL, *r = NULL, *mm = NULL;
	struct btfdb_err err = { { 0 } };
	char *t1, *t2, *t3;
	size_t l1 = 0, l2 = 0, l3 = 0;
	int ret;

	ret = corelink_manifest_parse((const char *)data, size, "fuzz", &m, &err);
	if (ret) {
		FUZZ_ASSERT_ERR(ret, &err);
		FUZZ_ASSERT(m == NULL);
		return 0;
	}
	FUZZ_ASSERT(m != NULL);
	check_model(m);

	t1 = write_mem(m, &l1);
	ret = corelink_manifest_parse(t1, l1, "rewritten", &r, &err);
	if (ret)
		fprintf(stderr, "rewritten manifest refused: %s\n", err.msg);
	FUZZ_ASSERT(ret == 0);
	t2 = write_mem(r, &l2);
	FUZZ_ASSERT(l1 == l2 && !memcmp(t1, t2, l1));

	{
		struct corelink_manifest *in[2] = { m, r };

		ret = corelink_manifest_merge(in, 2, &mm, &err);
		if (ret)
			fprintf(stderr, "self-merge refused: %s\n", err.msg);
		FUZZ_ASSERT(ret == 0);
		/* a merged manifest records no shard */
		mm->shard_index = m->shard_index;
		mm->shard_count = m->shard_count;
		t3 = write_mem(mm, &l3);
		FUZZ_ASSERT(l3 == l1 && !memcmp(t3, t1, l1));
	}
	run_reports(m);
	run_picks(m);

	free(t1);
	free(t2);
	free(t3);
	corelink_manifest_free(m);
	corelink_manifest_free(r);
	corelink_manifest_free(mm);
	return 0;
}
