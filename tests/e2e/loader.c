// SPDX-License-Identifier: MIT
/*
 * e2e loader (test-only; uses stock libbpf): load a BPF object built from
 * tests/progs/e2e_task.bpf.c - the original or corelink's output - attach its
 * raw_tp/sys_enter program, make one worker thread issue syscalls, and check
 * what the program read through CO-RE against what the process knows about
 * itself (gettid/getpid/getppid/getuid/geteuid, /proc/self/stat, the thread
 * name).
 *
 *   e2e_loader [-v] OBJ                 load, attach, run, check: exit 0 if all values match
 *   e2e_loader [-v] --expect-no-btf OBJ  expect the load to fail because libbpf
 *                                        finds no kernel BTF: exit 0 if it does
 *   e2e_loader [-v] --load-only OBJ      open and load (no attach, no checks)
 *   e2e_loader --probe                   exit 0 if this process can load a
 *                                        raw_tracepoint program, 77 if not
 *
 * Exit: 0 success, 1 failure (message on stderr), 2 usage, 77 (--probe) no bpf().
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "e2e_task.h"

#define WORKER_NAME "e2e-worker"

static bool verbose;

/* Every libbpf message is kept (for the --expect-no-btf check and failure reports). */
static char *liblog;
static size_t liblog_len, liblog_cap;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (liblog_len + n + 1 > liblog_cap) {
		size_t cap = (liblog_cap ? liblog_cap * 2 : 4096) + n;
		char *p = realloc(liblog, cap);

		if (!p)
			return 0;
		liblog = p;
		liblog_cap = cap;
	}
	memcpy(liblog + liblog_len, line, n + 1);
	liblog_len += n;
	if (verbose)
		fputs(line, stderr);
	return 0;
}

static void dump_liblog(void)
{
	if (!verbose && liblog_len)
		fprintf(stderr, "---- libbpf said ----\n%s---------------------\n", liblog);
}

/* What the worker thread knows about itself, gathered before the syscalls that are sampled. */
struct truth {
	pid_t tid, tgid, ppid;
	uid_t uid, euid;
	char comm[16];
};

struct worker {
	pthread_barrier_t ready; /* worker knows its tid; main may arm the program */
	pthread_barrier_t armed; /* program armed; worker may issue its syscalls */
	struct truth truth;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int i;

	prctl(PR_SET_NAME, WORKER_NAME, 0, 0, 0);
	w->truth.tid = (pid_t)syscall(SYS_gettid);
	w->truth.tgid = getpid();
	w->truth.ppid = getppid();
	w->truth.uid = getuid();
	w->truth.euid = geteuid();
	prctl(PR_GET_NAME, w->truth.comm, 0, 0, 0);
	pthread_barrier_wait(&w->ready);
	pthread_barrier_wait(&w->armed);
	for (i = 0; i < 3; i++)
		syscall(SYS_getpid);
	return NULL;
}

/* Fields 26 (start_code), 28 (start_stack), 48 (arg_start), 49 (arg_end) of /proc/self/stat. */
static int read_proc_stat(uint64_t *start_code, uint64_t *start_stack, uint64_t *arg_start,
			  uint64_t *arg_end)
{
	char buf[4096], *p, *save = NULL, *tok;
	size_t n;
	int field = 2;
	FILE *f = fopen("/proc/self/stat", "r");

	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!p)
		return -EINVAL;
	for (tok = strtok_r(p + 1, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		field++;
		if (field == 26)
			*start_code = strtoull(tok, NULL, 10);
		else if (field == 28)
			*start_stack = strtoull(tok, NULL, 10);
		else if (field == 48)
			*arg_start = strtoull(tok, NULL, 10);
		else if (field == 49)
			*arg_end = strtoull(tok, NULL, 10);
	}
	return field >= 49 ? 0 : -EINVAL;
}

static int nfail;

static void check_u64(const char *what, uint64_t got, uint64_t want)
{
	bool ok = got == want;

	printf("%s %-40s bpf=%" PRIu64 " expected=%" PRIu64 "\n", ok ? "ok  " : "FAIL", what, got,
	       want);
	if (!ok)
		nfail++;
}

static void check_true(const char *what, bool ok, uint64_t val)
{
	printf("%s %-40s value=%" PRIu64 "\n", ok ? "ok  " : "FAIL", what, val);
	if (!ok)
		nfail++;
}

static struct bpf_map *find_bss(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);

		if (len >= 4 && strcmp(name + len - 4, ".bss") == 0)
			return map;
	}
	return NULL;
}

/* Can this process load a raw_tracepoint program at all (root, bpf() enabled)? */
static int probe_bpf(void)
{
	int r = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL);

	if (r == 1)
		return 0;
	fprintf(stderr, "e2e: cannot load a raw_tracepoint BPF program here: %s\n",
		r < 0 ? strerror(-r) : "no permission, or program type not supported");
	return 77;
}

int main(int argc, char **argv)
{
	bool expect_no_btf = false, load_only = false;
	const char *path = NULL;
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	struct bpf_map *bss;
	struct e2e_state st;
	struct worker w;
	pthread_t th;
	uint64_t sc = 0, ss = 0, as = 0, ae = 0;
	__u32 key = 0;
	int i, err, ret = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else if (strcmp(argv[i], "--expect-no-btf") == 0)
			expect_no_btf = true;
		else if (strcmp(argv[i], "--load-only") == 0)
			load_only = true;
		else if (strcmp(argv[i], "--probe") == 0)
			return probe_bpf();
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else {
			fprintf(stderr, "usage: %s [-v] [--expect-no-btf | --load-only] OBJ | --probe\n", argv[0]);
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: %s [-v] [--expect-no-btf | --load-only] OBJ | --probe\n", argv[0]);
		return 2;
	}
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	libbpf_set_print(libbpf_print);

	obj = bpf_object__open_file(path, NULL);
	err = libbpf_get_error(obj);
	if (err) {
		obj = NULL;
		fprintf(stderr, "e2e: %s: open failed: %s\n", path, strerror(-err));
		dump_liblog();
		goto out;
	}
	err = bpf_object__load(obj);
	if (expect_no_btf) {
		/* libbpf: "failed to find valid kernel BTF", load returns -ESRCH. */
		if (err == -ESRCH && liblog && strstr(liblog, "failed to find valid kernel BTF")) {
			printf("ok   %s: load failed as expected without kernel BTF (%s)\n", path,
			       strerror(-err));
			ret = 0;
		} else {
			fprintf(stderr, "e2e: %s: expected the load to fail for lack of kernel BTF, got %d (%s)\n",
				path, err, err ? strerror(-err) : "loaded");
			dump_liblog();
		}
		goto out;
	}
	if (err) {
		fprintf(stderr, "e2e: %s: load failed: %d (%s)\n", path, err, strerror(-err));
		dump_liblog();
		goto out;
	}
	printf("ok   %s: loaded\n", path);
	if (load_only) {
		ret = 0;
		goto out;
	}

	prog = bpf_object__find_program_by_name(obj, "e2e_sys_enter");
	bss = find_bss(obj);
	if (!prog || !bss || bpf_map__value_size(bss) != sizeof(st)) {
		fprintf(stderr, "e2e: %s: program e2e_sys_enter or a .bss of %zu bytes is missing\n",
			path, sizeof(st));
		goto out;
	}
	link = bpf_program__attach(prog);
	err = libbpf_get_error(link);
	if (err) {
		link = NULL;
		fprintf(stderr, "e2e: attach failed: %s\n", strerror(-err));
		dump_liblog();
		goto out;
	}

	memset(&w, 0, sizeof(w));
	pthread_barrier_init(&w.ready, NULL, 2);
	pthread_barrier_init(&w.armed, NULL, 2);
	if (pthread_create(&th, NULL, worker_main, &w) != 0) {
		fprintf(stderr, "e2e: pthread_create failed\n");
		goto out;
	}
	pthread_barrier_wait(&w.ready);
	memset(&st, 0, sizeof(st));
	st.target_tid = w.truth.tid;
	err = bpf_map_update_elem(bpf_map__fd(bss), &key, &st, BPF_ANY);
	pthread_barrier_wait(&w.armed);
	pthread_join(th, NULL);
	if (err) {
		fprintf(stderr, "e2e: writing .bss failed: %s\n", strerror(errno));
		goto out;
	}
	if (bpf_map_lookup_elem(bpf_map__fd(bss), &key, &st)) {
		fprintf(stderr, "e2e: reading .bss failed: %s\n", strerror(errno));
		goto out;
	}
	if (read_proc_stat(&sc, &ss, &as, &ae)) {
		fprintf(stderr, "e2e: cannot parse /proc/self/stat\n");
		goto out;
	}

	printf("info worker tid %d, process %d, parent %d\n", w.truth.tid, w.truth.tgid,
	       w.truth.ppid);
	check_true("samples taken (>= 3)", st.hits >= 3, st.hits);
	check_true("worker thread is not the group leader", w.truth.tid != w.truth.tgid, w.truth.tid);
	check_u64("bpf_get_current_pid_tgid()", st.helper_pid_tgid,
		  (uint64_t)w.truth.tgid << 32 | (uint32_t)w.truth.tid);
	check_u64("task->pid == gettid()", st.pid, w.truth.tid);
	check_u64("task->tgid == getpid()", st.tgid, w.truth.tgid);
	check_u64("task->real_parent->tgid == getppid()", st.ppid, w.truth.ppid);
	check_u64("task->group_leader->pid == getpid()", st.leader_pid, w.truth.tgid);
	check_u64("task->cred->uid.val == getuid()", st.uid, w.truth.uid);
	check_u64("task->cred->euid.val == geteuid()", st.euid, w.truth.euid);
	check_u64("task->__state exists (kernel >= 5.14)", st.state_is_new, 1);
	check_u64("task->__state == TASK_RUNNING", st.state, 0);
	check_u64("task->mm->start_code (stat 26)", st.start_code, sc);
	check_u64("task->mm->start_stack (stat 28)", st.start_stack, ss);
	check_u64("task->mm->arg_start (stat 48)", st.arg_start, as);
	check_u64("task->mm->arg_end (stat 49)", st.arg_end, ae);
	st.comm[sizeof(st.comm) - 1] = '\0';
	{
		bool ok = strcmp(st.comm, w.truth.comm) == 0;

		printf("%s %-40s bpf=\"%s\" expected=\"%s\"\n", ok ? "ok  " : "FAIL",
		       "task->comm == thread name", st.comm, w.truth.comm);
		nfail += !ok;
	}
	if (nfail)
		fprintf(stderr, "e2e: %s: %d value(s) wrong\n", path, nfail);
	else
		ret = 0;
out:
	bpf_link__destroy(link);
	bpf_object__close(obj);
	free(liblog);
	return ret;
}
