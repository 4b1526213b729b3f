/* SPDX-License-Identifier: MIT */
/*
 * Test tool (links libbpf, the reference; never part of corelink):
 *
 *   libbpf_check open OUT.o IN.o
 *       libbpf opens OUT.o (bpf_object__open_mem) with the same programs
 *       (name, section, instruction count) as IN.o, OUT.o's .BTF.ext passes
 *       libbpf's btf_ext__new(), and btf__parse() accepts OUT.o.
 *   libbpf_check emit IN.o...
 *       for each (little-endian) IN.o: corelink_emit() with an unpatched run
 *       and a stamp, then the "open" checks on the result.
 *
 * Prints one line per failure and "ok" at the end; exit 0 / 1.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corelink_elf.h"
#include "corelink_internal.h"

static int failures;

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	failures++;
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* "name section insn_cnt;" for every program, in libbpf's order. */
static char *prog_list(const void *buf, size_t size, const char *name)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "objio");
	struct bpf_object *bo = bpf_object__open_mem(buf, size, &opts);
	struct bpf_program *p;
	char *list = NULL;
	size_t len = 0;
	FILE *m;

	if (!bo) {
		fail("%s: libbpf cannot open it: %s", name, strerror(errno));
		return NULL;
	}
	m = open_memstream(&list, &len);
	bpf_object__for_each_program(p, bo)
		fprintf(m, "%s %s %zu;", bpf_program__name(p), bpf_program__section_name(p),
			bpf_program__insn_cnt(p));
	fclose(m);
	bpf_object__close(bo);
	return list;
}

static void check_open(const void *out, size_t out_size, const void *in, size_t in_size,
		       const char *name)
{
	struct btfdb_err err = { 0 };
	struct corelink_obj *obj = NULL;
	char *a = prog_list(in, in_size, "input"), *b = prog_list(out, out_size, name);
	char path[] = "/tmp/objio_libbpf_XXXXXX";
	struct btf_ext *ext = NULL;
	struct btf *btf;
	int fd;

	if (a && b && strcmp(a, b))
		fail("%s: programs differ:\n  in:  %s\n  out: %s", name, a, b);
	if (a && b && !a[0])
		fail("%s: no programs", name);
	free(a);
	free(b);

	/* libbpf's own .BTF.ext parser on the rewritten section */
	if (corelink_obj_open_mem(out, out_size, name, &obj, &err)) {
		fail("%s: corelink cannot reopen it: %s", name, err.msg);
		return;
	}
	if (corelink_obj_relo_cnt(obj))
		fail("%s: %zu CO-RE records left", name, corelink_obj_relo_cnt(obj));
	ext = btf_ext__new(obj->file + obj->btf_ext_off, (uint32_t)obj->btf_ext_size);
	if (!ext)
		fail("%s: btf_ext__new rejects .BTF.ext: %s", name, strerror(errno));
	btf_ext__free(ext);
	corelink_obj_free(obj);

	fd = mkstemp(path);
	if (fd < 0 || write(fd, out, out_size) != (ssize_t)out_size) {
		fail("cannot write %s", path);
	} else {
		ext = NULL;
		btf = btf__parse(path, &ext);
		if (!btf || !ext)
			fail("%s: btf__parse fails: %s", name, strerror(errno));
		btf__free(btf);
		btf_ext__free(ext);
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
}

static void check_emit(const char *path)
{
	struct corelink_stamp st = { "6.1.0-test", 0x0123456789abcdefull };
	struct btfdb_err err = { 0 };
	struct corelink_obj *obj = NULL;
	void *out = NULL;
	size_t size = 0;

	if (corelink_obj_open(path, &obj, &err)) {
		fail("%s", err.msg);
		return;
	}
	if (!obj->nr_relos)
		fail("%s: expected an object with CO-RE records", path);
	if (corelink_emit(obj, NULL, &st, &out, &size, &err))
		fail("%s: emit: %s", path, err.msg);
	else
		check_open(out, size, obj->file, obj->file_size, path);
	free(out);
	corelink_obj_free(obj);
}

int main(int argc, char **argv)
{
	int i;

	libbpf_set_print(quiet_print);
	if (argc == 4 && !strcmp(argv[1], "open")) {
		size_t os = 0, is = 0;
		void *o = read_file(argv[2], &os), *in = read_file(argv[3], &is);

		if (!o || !in)
			fail("cannot read %s or %s", argv[2], argv[3]);
		else
			check_open(o, os, in, is, argv[2]);
		free(o);
		free(in);
	} else if (argc >= 3 && !strcmp(argv[1], "emit")) {
		for (i = 2; i < argc; i++)
			check_emit(argv[i]);
	} else {
		fprintf(stderr, "usage: libbpf_check open OUT.o IN.o | emit IN.o...\n");
		return 2;
	}
	if (!failures)
		puts("ok");
	return failures ? 1 : 0;
}
