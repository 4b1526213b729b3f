// SPDX-License-Identifier: MIT
/*
 * A C loader that embeds its bundle (test-only; stock libbpf): the bundle is
 * compiled in through the header `corelink bundle --c-header` wrote
 * (BUNDLE_HEADER, array app_bundle), and the runtime's two files are compiled
 * in next to it, as a vendoring loader would.  It selects e2e_task for this
 * host, rebuilds it into a malloc'd buffer, loads it with
 * bpf_object__open_mem(), attaches the raw_tp/sys_enter program and checks
 * what it read through the relocated offsets (pid, tgid, ppid, uid, comm).
 *
 *   bundle_loader --expect exact|fallback-btf|no-match [--release R]
 *
 * no-match: the selection must fail (-ENOENT) naming the nearest kernels;
 * nothing is loaded.  Exit 0 when everything matches, 1 otherwise.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "corelink_bundle.h"
#include "e2e_task.h"
#include BUNDLE_HEADER

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

static struct bpf_map *find_bss(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);

		if (len >= 4 && !strcmp(name + len - 4, ".bss"))
			return map;
	}
	return NULL;
}

/* Load, attach, make syscalls, compare what the program read. */
static int run(const void *buf, size_t size)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	struct bpf_map *bss;
	struct e2e_state st = { 0 };
	char comm[16] = { 0 };
	int key = 0, rc = 1, i, ret;

	libbpf_set_print(quiet_print);
	obj = bpf_object__open_mem(buf, size, NULL);
	if (!obj) {
		fprintf(stderr, "loader: open_mem: %s\n", strerror(errno));
		return 1;
	}
	ret = bpf_object__load(obj);
	if (ret) {
		fprintf(stderr, "loader: load: %s\n", strerror(-ret));
		goto out;
	}
	prog = bpf_object__find_program_by_name(obj, "e2e_sys_enter");
	bss = find_bss(obj);
	if (!prog || !bss || bpf_map__value_size(bss) != sizeof(st)) {
		fprintf(stderr, "loader: program e2e_sys_enter or its .bss missing\n");
		goto out;
	}
	link = bpf_program__attach(prog);
	if (!link) {
		fprintf(stderr, "loader: attach: %s\n", strerror(errno));
		goto out;
	}
	prctl(PR_SET_NAME, "bundle-loader", 0, 0, 0);
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	st.target_tid = gettid();
	if (bpf_map_update_elem(bpf_map__fd(bss), &key, &st, BPF_ANY))
		goto out;
	for (i = 0; i < 5; i++)
		(void)getppid();
	if (bpf_map_lookup_elem(bpf_map__fd(bss), &key, &st))
		goto out;
	rc = 0;
#define EXPECT(what, got, want)                                                              \
	do {                                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);                     \
		printf("%-10s %-6s got %lld want %lld\n", g_ == w_ ? "ok" : "MISMATCH", what, g_, w_); \
		if (g_ != w_)                                                                \
			rc = 1;                                                              \
	} while (0)
	EXPECT("hits>0", st.hits > 0, 1);
	EXPECT("pid", st.pid, gettid());
	EXPECT("tgid", st.tgid, getpid());
	EXPECT("ppid", st.ppid, getppid());
	EXPECT("uid", st.uid, getuid());
	if (strncmp(st.comm, comm, sizeof(comm))) {
		printf("MISMATCH   comm   got '%.16s' want '%s'\n", st.comm, comm);
		rc = 1;
	} else {
		printf("ok         comm   '%s'\n", comm);
	}
out:
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return rc;
}

int main(int argc, char **argv)
{
	struct corelink_bundle_query q = { 0 };
	struct corelink_bundle_choice c;
	struct corelink_bundle_err err;
	struct corelink_bundle *b;
	const char *expect = NULL;
	void *buf;
	int i, ret, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--expect") && i + 1 < argc)
			expect = argv[++i];
		else if (!strcmp(argv[i], "--release") && i + 1 < argc)
			q.release = argv[++i];
		else
			expect = NULL, i = argc;
	}
	if (!expect) {
		fprintf(stderr, "usage: bundle_loader --expect exact|fallback-btf|no-match [--release R]\n");
		return 2;
	}
	q.object = "e2e_task";
	if (corelink_bundle_open(app_bundle, app_bundle_len, &b, &err)) {
		fprintf(stderr, "loader: %s\n", err.msg);
		return 1;
	}
	ret = corelink_bundle_select(b, &q, &c, &err);
	printf("selected: %s (host %s %s %s %s)\n", ret ? err.msg : corelink_bundle_how_str(c.how),
	       c.distro, c.version, c.arch, c.release);
	if (!strcmp(expect, "no-match")) {
		rc = ret == -ENOENT && c.how == CORELINK_BUNDLE_NO_MATCH && c.nr_nearest > 0 &&
		     strstr(err.msg, "nearest: ") ? 0 : 1;
		corelink_bundle_close(b);
		return rc;
	}
	if (ret || strcmp(corelink_bundle_how_str(c.how), expect)) {
		fprintf(stderr, "loader: expected %s\n", expect);
		corelink_bundle_close(b);
		return 1;
	}
	buf = malloc((size_t)c.size);
	if (!buf || corelink_bundle_materialize(b, &c, buf, (size_t)c.size, &err)) {
		fprintf(stderr, "loader: %s\n", buf ? err.msg : "out of memory");
		corelink_bundle_close(b);
		free(buf);
		return 1;
	}
	rc = run(buf, (size_t)c.size);
	free(buf);
	corelink_bundle_close(b);
	return rc;
}
