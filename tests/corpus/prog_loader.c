// SPDX-License-Identifier: MIT
/*
 * prog_loader (test-only; stock libbpf): load every program of BPF objects into the
 * running kernel, one program at a time, and report each result.  Used by
 * load_table.py for the libbpf-tools load table.
 *
 *   prog_loader OBJ...      one line per program, tab-separated:
 *                             <object>\t<program>\t<section>\tok
 *                             <object>\t<program>\t<section>\tfail\t<-errno>\t<reason>
 *   prog_loader --has-btf   exit 0 if libbpf finds the kernel's BTF, 1 if not
 *
 * An object whose programs all load together is reported from that one load; otherwise
 * each program is loaded alone (its object opened afresh, every other program's
 * autoload off), so one program the kernel refuses does not hide the others.  Maps
 * that the tools size at run time (max_entries 0 in the object; a stack-trace map's
 * value size) get the tools' usual sizes; nothing else is changed.  The reason of a
 * failure is the verifier's last line, or else libbpf's first warning that names the
 * problem.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static char *g_log;
static size_t g_len, g_cap;

static int log_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq); /* the verifier's log comes in one call */
	va_end(aq);
	if (n < 0)
		return 0;
	if (g_len + n + 1 > g_cap) {
		char *p = realloc(g_log, (g_len + n + 1) * 2);

		if (!p)
			return 0;
		g_log = p;
		g_cap = (g_len + n + 1) * 2;
	}
	vsnprintf(g_log + g_len, n + 1, fmt, ap);
	g_len += n;
	return n;
}

/* The sizes the tools give at run time to maps the object leaves at 0. */
static void size_maps(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		enum bpf_map_type t = bpf_map__type(m);

		if (t == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			continue; /* libbpf sizes it: one entry per CPU */
		if (bpf_map__max_entries(m) == 0)
			bpf_map__set_max_entries(m, t == BPF_MAP_TYPE_RINGBUF ? 256 * 1024 : 10240);
		if (t == BPF_MAP_TYPE_STACK_TRACE && bpf_map__value_size(m) == 0)
			bpf_map__set_value_size(m, 127 * sizeof(__u64)); /* PERF_MAX_STACK_DEPTH */
	}
}

/* Copy line [s, e) into out, tabs and newlines blanked. */
static void put_line(char *out, size_t sz, const char *s, const char *e)
{
	size_t n = (size_t)(e - s) < sz - 1 ? (size_t)(e - s) : sz - 1;

	memcpy(out, s, n);
	out[n] = '\0';
	for (char *p = out; *p; p++)
		if (*p == '\t' || *p == '\n')
			*p = ' ';
}

/* The verifier's last message, else libbpf's first warning that is not boilerplate. */
static void failure_reason(char *out, size_t sz)
{
	const char *end = g_log ? strstr(g_log, "-- END PROG LOAD LOG --") : NULL;
	const char *s, *e;

	snprintf(out, sz, "(no message)");
	if (!g_log)
		return;
	/* the verifier's last line that is not its statistics (walking back from END) */
	for (e = end; e && e > g_log;) {
		while (e > g_log && (e[-1] == '\n' || e[-1] == ' '))
			e--;
		s = e;
		while (s > g_log && s[-1] != '\n')
			s--;
		if (e == s || !strncmp(s, "libbpf:", 7))
			break;
		if (strncmp(s, "processed ", 10) && strncmp(s, "verification time", 17) &&
		    strncmp(s, "stack depth", 11)) {
			put_line(out, sz, s, e);
			return;
		}
		e = s;
	}
	for (s = g_log; *s; s = e + 1) {
		char line[512];

		e = strchr(s, '\n');
		if (!e)
			e = s + strlen(s);
		put_line(line, sizeof(line), s, e);
		if (*line && !strstr(line, "failed to load object") &&
		    !strstr(line, "BEGIN PROG LOAD LOG") && !strstr(line, "END PROG LOAD LOG") &&
		    !strstr(line, "BTF is optional") && !strstr(line, "BTF loading error") &&
		    !strstr(line, "BTF LOAD LOG")) {
			snprintf(out, sz, "%s", line);
			return;
		}
		if (!*e)
			break;
	}
}

/*
 * Load program number `which` alone (which >= 0), or all programs at once (which < 0:
 * returns 0 and prints every program if that works, -EAGAIN without printing if not).
 */
static int load_one(const char *path, const char *base, int which)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *p, *target = NULL;
	char reason[512];
	int i = 0, err;

	if (!obj)
		return -errno;
	bpf_object__for_each_program(p, obj) {
		bpf_program__set_autoload(p, i == which || which < 0);
		if (i++ == which || which < 0)
			target = p;
	}
	if (which < 0 && target) {
		size_maps(obj);
		err = bpf_object__load(obj);
		bpf_object__for_each_program(p, obj)
			if (!err)
				printf("%s\t%s\t%s\tok\n", base, bpf_program__name(p),
				       bpf_program__section_name(p));
		bpf_object__close(obj);
		return err ? -EAGAIN : 0;
	}
	if (!target) {
		bpf_object__close(obj);
		return 1; /* no more programs */
	}
	size_maps(obj);
	g_len = 0;
	if (g_log)
		g_log[0] = '\0';
	err = bpf_object__load(obj);
	printf("%s\t%s\t%s\t", base, bpf_program__name(target), bpf_program__section_name(target));
	if (!err) {
		printf("ok\n");
	} else {
		failure_reason(reason, sizeof(reason));
		printf("fail\t%d\t%s\n", err, reason);
	}
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	libbpf_set_print(log_cb);
	if (argc == 2 && !strcmp(argv[1], "--has-btf")) {
		struct btf *btf = btf__load_vmlinux_btf();

		if (!btf)
			return 1;
		btf__free(btf);
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: prog_loader OBJ...\n       prog_loader --has-btf\n");
		return 2;
	}
	for (int a = 1; a < argc; a++) {
		const char *base = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];

		if (load_one(argv[a], base, -1) == 0) { /* all programs load together */
			fflush(stdout);
			continue;
		}
		for (int i = 0;; i++) {
			int r = load_one(argv[a], base, i);

			if (r == 1)
				break;
			if (r < 0) {
				printf("%s\t-\t-\tfail\t%d\tlibbpf cannot open the object\n", base, r);
				rc = 1;
				break;
			}
		}
		fflush(stdout);
	}
	free(g_log);
	return rc;
}
