/* SPDX-License-Identifier: MIT */
/*
 * Every real kernel BTF passes the kernel verifier's rules (btf_kernel_rules.c):
 * the kernel itself loaded it, so a rule that refuses one is a bug in the rule.
 * For every .btf.tar.xz below BTFHUB_DIR and /sys/kernel/btf/vmlinux:
 *  - a full load with BTFDB_LOAD_KERNEL_RULES (every type: meta and resolve
 *    rules) succeeds;
 *  - a lazy load with the rules (as corelink --btf and batch load kernels)
 *    returns every type id;
 *  - control, so that the two checks above are not vacuous: the same blob
 *    with one INT's encoding set to SIGNED|CHAR (which the kernel refuses,
 *    "Unsupported encoding") is refused with the rules, full and lazy (that
 *    type, and those holding it by value, when asked for), and still loads
 *    without them.
 * Skips (77) when there is neither BTFHub data nor a readable running kernel BTF.
 */
#include <errno.h>
#include <ftw.h>
#include <unistd.h>

#include "btfdb.h"
#include "test.h"

#define MAX_KERNELS 256

static char *paths[MAX_KERNELS];
static int npaths;

static int add_archive(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	size_t l = strlen(path);

	(void)st;
	(void)ftw;
	if (flag == FTW_F && l > 11 && !strcmp(path + l - 11, ".btf.tar.xz") &&
	    npaths < MAX_KERNELS)
		paths[npaths++] = strdup(path);
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first own INT type of btf, 0 if none. */
static uint32_t first_int(const struct btfdb_btf *btf)
{
	uint32_t id, n = btfdb_btf_type_cnt(btf);

	for (id = btfdb_btf_start_id(btf); id < n; id++) {
		const struct btf_type *t = btfdb_btf_type(btf, id);

		if (t && btfdb_kind(t) == BTF_KIND_INT)
			return id;
	}
	return 0;
}

/* Lazy load with the rules and ask for every type: the number of ids refused. */
static uint32_t lazy_refused(const void *raw, size_t size, const char *name, uint32_t *first_bad,
			     char *why, size_t whylen)
{
	struct btfdb_err err = { "" };
	struct btfdb_btf *btf = NULL;
	uint32_t id, n, bad = 0;

	*first_bad = 0;
	if (btfdb_btf_load_mem_flags(raw, size, name, BTFDB_LOAD_LAZY | BTFDB_LOAD_KERNEL_RULES,
				     &btf, &err)) {
		snprintf(why, whylen, "%s", err.msg);
		return UINT32_MAX;
	}
	n = btfdb_btf_type_cnt(btf);
	for (id = btfdb_btf_start_id(btf); id < n; id++) {
		if (btfdb_btf_type(btf, id))
			continue;
		if (!bad++) {
			*first_bad = id;
			snprintf(why, whylen, "%s", btfdb_btf_error(btf) ? btfdb_btf_error(btf) : "?");
		}
	}
	btfdb_btf_free(btf);
	return bad;
}

/* The control: one INT made SIGNED|CHAR in a copy of raw; refused only with the rules. */
static void control(const struct btfdb_btf *btf, const void *raw, size_t size, const char *name)
{
	struct btfdb_err err = { "" };
	struct btfdb_btf *b = NULL;
	uint32_t id = first_int(btf), bad, first;
	const struct btf_type *t = id ? btfdb_btf_type(btf, id) : NULL;
	size_t off;
	char why[512] = "";
	unsigned char *copy;
	uint32_t data;

	if (!t || (const char *)t < (const char *)raw ||
	    (const char *)(t + 1) + 4 > (const char *)raw + size || btfdb_btf_big_endian(btf)) {
		fprintf(stderr, "%s: no INT in the blob's own bytes; control skipped\n", name);
		return;
	}
	off = (size_t)((const char *)(t + 1) - (const char *)raw);
	copy = malloc(size);
	CHECK(copy != NULL);
	if (!copy)
		return;
	memcpy(copy, raw, size);
	memcpy(&data, copy + off, 4);
	data = (data & ~0x0f000000u) | ((uint32_t)(BTF_INT_SIGNED | BTF_INT_CHAR) << 24);
	memcpy(copy + off, &data, 4);

	CHECK_EQ(btfdb_btf_load_mem_flags(copy, size, name, BTFDB_LOAD_KERNEL_RULES, &b, &err),
		 -EINVAL);
	CHECK_CONTAINS(err.msg, "Unsupported encoding");
	btfdb_btf_free(b);
	b = NULL;
	err.msg[0] = '\0';
	CHECK_EQ(btfdb_btf_load_mem_flags(copy, size, name, 0, &b, &err), 0);
	btfdb_btf_free(b);
	/* lazily: that INT, when asked for first, and every type holding it by value */
	err.msg[0] = '\0';
	CHECK_EQ(btfdb_btf_load_mem_flags(copy, size, name,
					  BTFDB_LOAD_LAZY | BTFDB_LOAD_KERNEL_RULES, &b, &err), 0);
	if (b) {
		CHECK(btfdb_btf_type(b, id) == NULL);
		CHECK_CONTAINS(btfdb_btf_error(b), "Unsupported encoding");
		btfdb_btf_free(b);
	}
	bad = lazy_refused(copy, size, name, &first, why, sizeof(why));
	CHECK(bad >= 1 && bad != UINT32_MAX && first <= id);
	CHECK_CONTAINS(why, "Unsupported encoding");
	free(copy);
}

static void check_kernel(const char *path)
{
	struct btfdb_err err = { "" };
	struct btfdb_btf *plain = NULL, *full = NULL;
	const void *raw;
	size_t size = 0;
	uint32_t bad, first;
	char why[512] = "";
	int ret;

	ret = btfdb_btf_load(path, &plain, &err);
	CHECK_EQ(ret, 0);
	if (ret) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		return;
	}
	raw = btfdb_btf_raw(plain, &size);

	ret = btfdb_btf_load_mem_flags(raw, size, path, BTFDB_LOAD_KERNEL_RULES, &full, &err);
	CHECK_EQ(ret, 0);
	if (ret)
		fprintf(stderr, "%s: refused by the kernel rules (full): %s\n", path, err.msg);
	btfdb_btf_free(full);

	bad = lazy_refused(raw, size, path, &first, why, sizeof(why));
	CHECK_EQ(bad, 0);
	if (bad)
		fprintf(stderr, "%s: %u types refused by the kernel rules (lazy), first [%u]: %s\n",
			path, bad, first, why);

	control(plain, raw, size, path);
	printf("%s: %u types pass the kernel rules (full and lazy)\n", path,
	       btfdb_btf_type_cnt(plain) - btfdb_btf_start_id(plain));
	btfdb_btf_free(plain);
}

int main(void)
{
	int i, nvm = 0;

	if (nftw(BTFHUB_DIR, add_archive, 16, FTW_PHYS))
		fprintf(stderr, "note: no BTFHub data under BTFHUB_DIR=%s\n", BTFHUB_DIR);
	qsort(paths, (size_t)npaths, sizeof(paths[0]), cmp_path);
	if (!access("/sys/kernel/btf/vmlinux", R_OK) && npaths < MAX_KERNELS) {
		paths[npaths++] = strdup("/sys/kernel/btf/vmlinux");
		nvm = 1;
	}
	if (!npaths) {
		SKIP_ALL("no .btf.tar.xz below BTFHUB_DIR and no readable /sys/kernel/btf/vmlinux");
		return test_finish();
	}
	for (i = 0; i < npaths; i++) {
		check_kernel(paths[i]);
		free(paths[i]);
	}
	printf("%d BTFHub kernels%s checked\n", npaths - nvm, nvm ? " + the running kernel" : "");
	return test_finish();
}
