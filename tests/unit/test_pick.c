// SPDX-License-Identifier: MIT
/*
 * corelink_pick(): exact release, arch aliases (arm64 = aarch64, amd64 =
 * x86_64), distro/version tie-breaking, identical artifacts are not
 * ambiguous, no match names the closest releases, an object that failed is
 * refused, object selection; and host detection from an os-release file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "test.h"

/* distro, version, arch, release, artifact of obj a (NULL = error), artifact of obj b */
static const char *const rows[][6] = {
	{ "debian", "12", "x86_64", "6.1.0-47-amd64", "objects/000000000000000000000000000000a1.o", "objects/000000000000000000000000000000b1.o" },
	{ "ubuntu", "22.04", "x86_64", "6.1.0-47-amd64", "objects/000000000000000000000000000000a2.o", "objects/000000000000000000000000000000b2.o" },
	{ "ubuntu", "24.04", "x86_64", "6.1.0-47-amd64", "objects/000000000000000000000000000000a3.o", "objects/000000000000000000000000000000b3.o" },
	{ "centos", "8", "aarch64", "4.18.0-147.5.1.el8_1.aarch64", "objects/000000000000000000000000000000a4.o", "objects/000000000000000000000000000000b4.o" },
	{ "android", "a13", "arm64", "a13-5.10-arm64", NULL, "objects/000000000000000000000000000000b5.o" },
	{ "rhel", "9", "x86_64", "5.14.0-1", "objects/000000000000000000000000000000a6.o", "objects/000000000000000000000000000000b6.o" },
	{ "alma", "9", "x86_64", "5.14.0-1", "objects/000000000000000000000000000000a6.o", "objects/000000000000000000000000000000b6.o" },
	{ "debian", "12", "aarch64", "6.1.0-47-arm64", "objects/000000000000000000000000000000a7.o", "objects/000000000000000000000000000000b7.o" },
};
#define NR (sizeof(rows) / sizeof(rows[0]))

static struct corelink_manifest *make(void)
{
	struct corelink_manifest *m = calloc(1, sizeof(*m));
	size_t i, o;

	m->nr_objects = 2;
	m->objects = calloc(2, sizeof(*m->objects));
	m->objects[0].name = strdup("tracer.bpf.o");
	m->objects[1].name = strdup("net.o");
	m->objects[0].programs = calloc(1, sizeof(struct corelink_mf_program));
	m->objects[1].programs = calloc(1, sizeof(struct corelink_mf_program));
	m->nr_kernels = NR;
	m->kernels = calloc(NR, sizeof(*m->kernels));
	for (i = 0; i < NR; i++) {
		struct corelink_mf_kernel *k = &m->kernels[i];

		k->distro = strdup(rows[i][0]);
		k->version = strdup(rows[i][1]);
		k->arch = strdup(rows[i][2]);
		k->release = strdup(rows[i][3]);
		k->source = strdup("x");
		k->entries = calloc(2, sizeof(*k->entries));
		for (o = 0; o < 2; o++) {
			const char *a = rows[i][4 + o];

			if (a) {
				k->entries[o].artifact = strdup(a);
			} else {
				k->entries[o].status = CORELINK_ENTRY_ERROR;
				k->entries[o].error = strdup("prog 'p': relo #0: bad");
			}
		}
	}
	CHECK_EQ(corelink_manifest_sort(m, NULL), 0);
	return m;
}

/* Pick and return the artifact path (static buffer) or NULL; *ret gets the code. */
static const char *pick(const struct corelink_manifest *m, const char *release, const char *arch,
			const char *distro, const char *version, const char *object, int *ret,
			struct btfdb_err *err)
{
	static char path[256];
	struct corelink_pick_query q = { release, arch, distro, version, object };
	struct corelink_pick_result r;

	memset(err, 0, sizeof(*err));
	*ret = corelink_pick_manifest(m, "/out", &q, &r, err);
	if (*ret)
		return NULL;
	snprintf(path, sizeof(path), "%s", r.path);
	corelink_pick_result_clear(&r);
	return path;
}

static void test_rules(void)
{
	struct corelink_manifest *m = make();
	struct btfdb_err err;
	int ret;

	/* exact release + distro + version */
	CHECK_STR(pick(m, "6.1.0-47-amd64", "x86_64", "debian", "12", "tracer.bpf.o", &ret, &err),
		  "/out/objects/000000000000000000000000000000a1.o");
	CHECK_STR(pick(m, "6.1.0-47-amd64", "x86_64", "ubuntu", "24.04", "tracer", &ret, &err),
		  "/out/objects/000000000000000000000000000000a3.o");
	/* object named without suffix; amd64 = x86_64 */
	CHECK_STR(pick(m, "6.1.0-47-amd64", "amd64", "ubuntu", "22.04", "net", &ret, &err),
		  "/out/objects/000000000000000000000000000000b2.o");
	/* distro alone is not enough among ubuntu 22.04 / 24.04 */
	CHECK(pick(m, "6.1.0-47-amd64", "x86_64", "ubuntu", NULL, "tracer", &ret, &err) == NULL);
	CHECK_EQ(ret, -ENOTUNIQ);
	CHECK_CONTAINS(err.msg, "ambiguous");
	/* an unknown distro does not filter everything away: still ambiguous */
	CHECK(pick(m, "6.1.0-47-amd64", "x86_64", "fedora", "40", "tracer", &ret, &err) == NULL);
	CHECK_EQ(ret, -ENOTUNIQ);
	/* several candidates with the same artifact are fine */
	CHECK_STR(pick(m, "5.14.0-1", "x86_64", "rocky", "9", "tracer", &ret, &err),
		  "/out/objects/000000000000000000000000000000a6.o");
	/* arm64 query = aarch64 kernel, and the other way round */
	CHECK_STR(pick(m, "4.18.0-147.5.1.el8_1.aarch64", "arm64", NULL, NULL, "tracer", &ret, &err),
		  "/out/objects/000000000000000000000000000000a4.o");
	CHECK_STR(pick(m, "a13-5.10-arm64", "aarch64", NULL, NULL, "net.o", &ret, &err),
		  "/out/objects/000000000000000000000000000000b5.o");
	/* release must match exactly, arch too */
	CHECK(pick(m, "6.1.0-47", "x86_64", "debian", "12", "tracer", &ret, &err) == NULL);
	CHECK_EQ(ret, -ENOENT);
	CHECK_CONTAINS(err.msg, "no kernel in the manifest matches release '6.1.0-47'");
	CHECK_CONTAINS(err.msg, "closest: ");
	CHECK_CONTAINS(err.msg, "6.1.0-47-amd64");
	CHECK(!strstr(err.msg, "6.1.0-47-arm64")); /* other arch: not suggested */
	CHECK(pick(m, "6.1.0-47-arm64", "x86_64", NULL, NULL, "tracer", &ret, &err) == NULL);
	CHECK_EQ(ret, -ENOENT);
	/* the object failed on that kernel */
	CHECK(pick(m, "a13-5.10-arm64", "arm64", NULL, NULL, "tracer", &ret, &err) == NULL);
	CHECK_EQ(ret, -ENOEXEC);
	CHECK_CONTAINS(err.msg, "relo #0: bad");
	/* object selection */
	CHECK(pick(m, "5.14.0-1", "x86_64", NULL, NULL, NULL, &ret, &err) == NULL);
	CHECK_EQ(ret, -EINVAL);
	CHECK_CONTAINS(err.msg, "name one");
	CHECK(pick(m, "5.14.0-1", "x86_64", NULL, NULL, "nope", &ret, &err) == NULL);
	CHECK_EQ(ret, -EINVAL);
	corelink_manifest_free(m);
}

static void test_host(void)
{
	char path[] = "/tmp/test_pick_osr.XXXXXX";
	struct corelink_host h;
	int fd = mkstemp(path);
	static const char text[] = "NAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"12\"\nID_LIKE=x\n";

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, text, sizeof(text) - 1), (long)sizeof(text) - 1);
	close(fd);
	CHECK_EQ(corelink_host_detect(&h, path, NULL), 0);
	CHECK_STR(h.distro, "debian");
	CHECK_STR(h.version, "12");
	CHECK(h.release[0] != 0);
	CHECK(h.arch[0] != 0);
	unlink(path);
}

int main(void)
{
	test_rules();
	test_host();
	return test_finish();
}
