// SPDX-License-Identifier: MIT
/*
 * bench_libbpf_reloc (test/bench-only; static libbpf): do what libbpf does on
 * a target host for one BPF object - open it and apply its CO-RE relocations
 * against a kernel BTF file (btf_custom_path) - without loading anything into
 * the kernel.
 *
 *   bench_libbpf_reloc [-v] [-t] OBJ BTF
 *
 * Linked with -Wl,--wrap=syscall: every bpf(2) call libbpf makes (feature
 * probes, BTF load, map creation, program load) is answered here with success
 * and a dummy descriptor (a memfd, so libbpf's mmap of global data maps
 * works), so bpf_object__load() runs its whole user-space path, CO-RE
 * included, and the kernel never sees a program.  Other syscalls pass through.
 * -t prints the time spent in open and in load on stderr; -v prints libbpf's
 * debug log.  Exit 0 when libbpf reported success.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpf/libbpf.h>

long __real_syscall(long nr, ...);
long __wrap_syscall(long nr, ...);

static unsigned long n_bpf_calls;

/* Size of every dummy descriptor: larger than any global data map mmap'ed here. */
#define DUMMY_FD_SIZE (64u << 20)

static long dummy_fd(void)
{
	int fd = memfd_create("bench-bpf", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, DUMMY_FD_SIZE) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

long __wrap_syscall(long nr, ...)
{
	va_list ap;
	long a[6];
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr != SYS_bpf)
		return __real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

	n_bpf_calls++;
	switch ((int)a[0]) {
	case BPF_PROG_LOAD:
	case BPF_MAP_CREATE:
	case BPF_BTF_LOAD:
	case BPF_LINK_CREATE:
	case BPF_RAW_TRACEPOINT_OPEN:
		return dummy_fd();
	default:
		return 0; /* updates, freeze, get_info: "done" */
	}
}

static bool verbose;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_object *obj;
	bool timing = false;
	double t0, t1, t2;
	int opt, err;

	while ((opt = getopt(argc, argv, "vt")) != -1) {
		if (opt == 'v')
			verbose = true;
		else if (opt == 't')
			timing = true;
		else
			goto usage;
	}
	if (argc - optind != 2)
		goto usage;
	libbpf_set_print(print_fn);
	opts.btf_custom_path = argv[optind + 1];

	t0 = now_ms();
	obj = bpf_object__open_file(argv[optind], &opts);
	err = libbpf_get_error(obj);
	if (err) {
		fprintf(stderr, "bench: open %s: %s\n", argv[optind], strerror(-err));
		return 1;
	}
	t1 = now_ms();
	err = bpf_object__load(obj);
	t2 = now_ms();
	bpf_object__close(obj);
	if (timing)
		fprintf(stderr, "open_ms %.3f load_ms %.3f bpf_calls %lu\n", t1 - t0, t2 - t1,
			n_bpf_calls);
	if (err) {
		fprintf(stderr, "bench: load (CO-RE against %s) failed: %s\n", argv[optind + 1],
			strerror(-err));
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: %s [-v] [-t] OBJ BTF\n", argv[0]);
	return 2;
}
