// SPDX-License-Identifier: MIT
/*
 * Example loader (test-only; stock libbpf): how a loader uses a batch
 * manifest.  corelink_pick() chooses the pre-relocated artifact built for
 * this host (uname -r / -m, /etc/os-release); libbpf loads it - it has no
 * CO-RE records left, so libbpf needs no kernel BTF - and the program
 * (tests/progs/e2e_task.bpf.c, raw_tp/sys_enter) reads the current task
 * through the relocated offsets.  We check what it read against getpid(),
 * gettid(), getppid() and the thread name.
 *
 *   batch_example_loader MANIFEST [--object NAME]   exit 0 when every value matches
 *
 * Prints the picked path on stdout.  Exit: 0 ok, 1 failure, 2 usage.
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

#include "batch.h"      /* corelink_pick() */
#include "e2e_task.h"   /* the program's .bss layout */

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
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

int main(int argc, char **argv)
{
	struct corelink_pick_query q = { 0 };
	struct corelink_pick_result pick;
	struct corelink_host host;
	struct btfdb_err err = { 0 };
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	struct bpf_map *bss;
	struct e2e_state st = { 0 };
	char comm[16] = { 0 };
	int key = 0, rc = 1, i, ret;

	if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "--object"))) {
		fprintf(stderr, "usage: %s MANIFEST [--object NAME]\n", argv[0]);
		return 2;
	}
	/* 1. pick: this host's identity, the object by name */
	if (corelink_host_detect(&host, NULL, &err)) {
		fprintf(stderr, "loader: %s\n", err.msg);
		return 1;
	}
	q.release = host.release;
	q.arch = host.arch;
	q.distro = host.distro;
	q.version = host.version;
	q.object = argc == 4 ? argv[3] : NULL;
	ret = corelink_pick(argv[1], &q, &pick, &err);
	if (ret) {
		fprintf(stderr, "loader: pick: %s\n", err.msg);
		return 1;
	}
	printf("%s\n", pick.path);
	fprintf(stderr, "loader: picked %s for kernel %s\n", pick.path, pick.kernel);

	/* 2. load with stock libbpf */
	libbpf_set_print(quiet_print);
	obj = bpf_object__open_file(pick.path, NULL);
	if (!obj) {
		fprintf(stderr, "loader: open %s: %s\n", pick.path, strerror(errno));
		goto out;
	}
	ret = bpf_object__load(obj);
	if (ret) {
		fprintf(stderr, "loader: load %s: %s\n", pick.path, strerror(-ret));
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

	/* 3. arm it for this thread, make syscalls, read back */
	prctl(PR_SET_NAME, "pick-loader", 0, 0, 0);
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	st.target_tid = gettid();
	if (bpf_map_update_elem(bpf_map__fd(bss), &key, &st, BPF_ANY)) {
		fprintf(stderr, "loader: .bss update: %s\n", strerror(errno));
		goto out;
	}
	for (i = 0; i < 5; i++)
		(void)getppid();
	if (bpf_map_lookup_elem(bpf_map__fd(bss), &key, &st)) {
		fprintf(stderr, "loader: .bss lookup: %s\n", strerror(errno));
		goto out;
	}
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
	EXPECT("leader", st.leader_pid, getpid());
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
	corelink_pick_result_clear(&pick);
	return rc;
}
