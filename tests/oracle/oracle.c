// SPDX-License-Identifier: MIT
/*
 * oracle: the reference for corelink's differential test (TEST-ONLY; the
 * corelink libraries never link libbpf).
 *
 *   oracle OBJ [--btf TARGET] [-v]    print OBJ's programs as libbpf 1.1 would
 *                                     load them, CO-RE relocated against TARGET
 *   oracle --check                    exit 0 if bpf() works here, 77 if not
 *   oracle --version                  print "libbpf MAJOR.MINOR" of the libbpf linked in
 *
 * The same source is linked twice (tests/oracle/CMakeLists.txt): `oracle`
 * with Debian bookworm's libbpf 1.1.2, `oracle17` with sid's libbpf 1.7
 * (scripts/fetch-libbpf-sid, plus isoc23_shim.c for bookworm's glibc).
 *
 * How: the program is linked statically with libbpf.a and -Wl,--wrap for
 * bpf_prog_load and bpf_prog_bind_map.  bpf_object__load() then runs for
 * real (feature probes, map creation, BTF load, CO-RE and all other
 * relocations), but when libbpf hands one of the object's programs to
 * bpf_prog_load() the wrapper records the final instructions and returns a
 * fake fd (a dup of /dev/null) instead of loading them into the kernel.
 * Calls that are not for the object's programs (libbpf's feature probes)
 * pass through to the real function.  An object program is recognised by
 * its instruction buffer: libbpf passes prog->insns, which is what
 * bpf_program__insns() returns at that moment.
 *
 * Output (stdout), canonical so two runs can be compared with diff:
 *   object <basename>
 *   prog <name> insns <count>
 *   <index>: <16 hex digits: the 8 instruction bytes in memory order>[ ; note]
 *   ...
 *   result ok
 * or, when bpf_object__load() fails:
 *   object <basename>
 *   result error <-errno> <ENAME> <class>
 *   log <libbpf line>          (libbpf's warnings: its report of the failure)
 * <class> is "core" when libbpf reported the failure from CO-RE relocation,
 * "other" otherwise.  Map fds differ between runs, so the immediate of a
 * map ld_imm64 (BPF_PSEUDO_MAP_FD / BPF_PSEUDO_MAP_VALUE) is replaced by the
 * map's index in the object and annotated with its name.
 *
 * Exit codes: 0 loaded, 1 bpf_object__load failed, 2 usage, 3 open failed,
 * 77 bpf() unavailable (not root, or no BPF in this kernel).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* One program as libbpf handed it to bpf_prog_load(). */
struct rec_prog {
	char *name;            /* bpf_program__name(): the full name */
	struct bpf_insn *insns; /* copy of the final instructions */
	size_t cnt;            /* number of instructions */
	int fd;                /* the fake fd returned to libbpf */
};

static struct bpf_object *g_obj;   /* object being loaded (for the wrapper) */
static struct rec_prog *g_progs;   /* recorded programs, in load order */
static size_t g_nprogs;
static bool g_verbose;

/*
 * libbpf's log, kept whole: each line starts with 'W' (LIBBPF_WARN: libbpf's
 * own error reports, printed on failure), 'I' or 'D'.
 */
static char *g_log;
static size_t g_log_len, g_log_cap;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "oracle: out of memory\n");
		exit(2);
	}
	return p;
}

static int log_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[4096];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (g_verbose)
		fputs(buf, stderr);
	if (g_log_len + n + 2 > g_log_cap) {
		g_log_cap = (g_log_len + n + 2) * 2;
		g_log = xrealloc(g_log, g_log_cap);
	}
	/* libbpf prints one line per call; mark where each one starts */
	if (g_log_len == 0 || g_log[g_log_len - 1] == '\n')
		g_log[g_log_len++] = level == LIBBPF_WARN ? 'W' : level == LIBBPF_INFO ? 'I' : 'D';
	memcpy(g_log + g_log_len, buf, n);
	g_log_len += n;
	g_log[g_log_len] = '\0';
	return n;
}

/* ---- the wraps ---------------------------------------------------------- */

int __real_bpf_prog_load(enum bpf_prog_type prog_type, const char *prog_name,
			 const char *license, const struct bpf_insn *insns, size_t insn_cnt,
			 const struct bpf_prog_load_opts *opts);
int __wrap_bpf_prog_load(enum bpf_prog_type prog_type, const char *prog_name,
			 const char *license, const struct bpf_insn *insns, size_t insn_cnt,
			 const struct bpf_prog_load_opts *opts);
int __real_bpf_prog_bind_map(int prog_fd, int map_fd, const struct bpf_prog_bind_opts *opts);
int __wrap_bpf_prog_bind_map(int prog_fd, int map_fd, const struct bpf_prog_bind_opts *opts);

static bool is_fake_fd(int fd)
{
	for (size_t i = 0; i < g_nprogs; i++)
		if (g_progs[i].fd == fd)
			return true;
	return false;
}

int __wrap_bpf_prog_load(enum bpf_prog_type prog_type, const char *prog_name,
			 const char *license, const struct bpf_insn *insns, size_t insn_cnt,
			 const struct bpf_prog_load_opts *opts)
{
	struct bpf_program *prog = NULL, *p;
	struct rec_prog *r;
	int fd;

	if (g_obj) {
		bpf_object__for_each_program(p, g_obj) {
			if (bpf_program__insns(p) == insns) {
				prog = p;
				break;
			}
		}
	}
	if (!prog) /* a feature probe: load it for real */
		return __real_bpf_prog_load(prog_type, prog_name, license, insns, insn_cnt, opts);

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	g_progs = xrealloc(g_progs, (g_nprogs + 1) * sizeof(*g_progs));
	r = &g_progs[g_nprogs++];
	r->name = strdup(bpf_program__name(prog));
	r->insns = xrealloc(NULL, insn_cnt * sizeof(*insns));
	memcpy(r->insns, insns, insn_cnt * sizeof(*insns));
	r->cnt = insn_cnt;
	r->fd = fd;
	return fd;
}

/* libbpf binds .rodata to each loaded program; a fake fd has nothing to bind. */
int __wrap_bpf_prog_bind_map(int prog_fd, int map_fd, const struct bpf_prog_bind_opts *opts)
{
	if (is_fake_fd(prog_fd))
		return 0;
	return __real_bpf_prog_bind_map(prog_fd, map_fd, opts);
}

/* ---- output ------------------------------------------------------------- */

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EIO: return "EIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOTSUP: return "EOPNOTSUPP";
	case ENODATA: return "ENODATA";
	case EPROTO: return "EPROTO";
	case EBADMSG: return "EBADMSG";
	case ESTALE: return "ESTALE";
	case 524: return "ENOTSUPP"; /* libbpf's (kernel-internal) ENOTSUPP */
	default: return "E?";
	}
}

static void print_failure(const char *base, int err)
{
	/* libbpf 1.1 ends a CO-RE failure with this warning (bpf_object__relocate) */
	bool core = g_log && strstr(g_log, "failed to perform CO-RE relocations");
	char *line, *save = NULL;

	printf("object %s\n", base);
	/* libbpf's code for "not supported" is ENOTSUPP (524), not an errno.h name */
	printf("result error %d %s %s\n", err, errno_name(-err), core ? "core" : "other");
	if (!g_log)
		return;
	for (line = strtok_r(g_log, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (line[0] == 'W')
			printf("log %s\n", line + 1);
}

/* Map fd -> index in the object, for normalising ld_imm64 immediates. */
static int map_index_of_fd(int fd, const char **name)
{
	struct bpf_map *m;
	int i = 0;

	bpf_object__for_each_map(m, g_obj) {
		if (bpf_map__fd(m) == fd) {
			*name = bpf_map__name(m);
			return i;
		}
		i++;
	}
	*name = "?";
	return -1;
}

static void print_prog(const struct rec_prog *r)
{
	printf("prog %s insns %zu\n", r->name, r->cnt);
	for (size_t i = 0; i < r->cnt; i++) {
		struct bpf_insn in = r->insns[i];
		const char *note = NULL, *mname = NULL;
		char notebuf[160];
		unsigned char b[8];
		bool ld64 = in.code == (BPF_LD | BPF_IMM | BPF_DW);

		if (ld64 && (in.src_reg == BPF_PSEUDO_MAP_FD || in.src_reg == BPF_PSEUDO_MAP_VALUE)) {
			int idx = map_index_of_fd(in.imm, &mname);

			in.imm = idx;
			snprintf(notebuf, sizeof(notebuf), " ; map #%d %s", idx, mname);
			note = notebuf;
		} else if (in.code == (BPF_JMP | BPF_CALL) && in.src_reg == 0 &&
			   (unsigned int)in.imm == 0xbad2310u) {
			note = " ; poison";
		}
		memcpy(b, &in, 8);
		printf("%u: %02x%02x%02x%02x%02x%02x%02x%02x%s\n", (unsigned)i, b[0], b[1], b[2],
		       b[3], b[4], b[5], b[6], b[7], note ? note : "");
		if (ld64 && i + 1 < r->cnt) { /* the second half goes with the first */
			i++;
			memcpy(b, &r->insns[i], 8);
			printf("%u: %02x%02x%02x%02x%02x%02x%02x%02x\n", (unsigned)i, b[0], b[1],
			       b[2], b[3], b[4], b[5], b[6], b[7]);
		}
	}
}

/* ---- main --------------------------------------------------------------- */

static int check_bpf(void)
{
	int fd;

	if (geteuid() != 0) {
		printf("oracle: not root: libbpf needs bpf() for feature probes and maps\n");
		return 77;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "oracle_chk", 4, 4, 1, NULL);
	if (fd < 0) {
		printf("oracle: bpf() unavailable: %s\n", strerror(errno));
		return 77;
	}
	close(fd);
	return 0;
}

/*
 * --small-maps, for real-world objects (tests/corpus): their tools size some maps at run
 * time (max_entries 0 in the object) and declare others large; map creation is then most
 * of the oracle's time or fails.  No instruction depends on a map's size or type (map fds
 * are printed as indices, programs are not verified), so each map the object defines gets
 * one entry, and a stack-trace map, which this kernel may refuse to create, becomes an
 * array with the same key size (and its value size, or 8 when that is set at run time).
 */
static void small_maps(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		switch (bpf_map__type(m)) {
		case BPF_MAP_TYPE_STACK_TRACE:
			bpf_map__set_type(m, BPF_MAP_TYPE_ARRAY);
			bpf_map__set_max_entries(m, 1);
			if (bpf_map__value_size(m) == 0) /* also sized at run time */
				bpf_map__set_value_size(m, 8);
			break;
		case BPF_MAP_TYPE_HASH:
		case BPF_MAP_TYPE_ARRAY:
		case BPF_MAP_TYPE_PERCPU_HASH:
		case BPF_MAP_TYPE_PERCPU_ARRAY:
		case BPF_MAP_TYPE_LRU_HASH:
		case BPF_MAP_TYPE_LRU_PERCPU_HASH:
			if (!bpf_map__is_internal(m))
				bpf_map__set_max_entries(m, 1);
			break;
		case BPF_MAP_TYPE_RINGBUF:
			if (bpf_map__max_entries(m) == 0)
				bpf_map__set_max_entries(m, 4096);
			break;
		default:
			break;
		}
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: oracle OBJ [--btf TARGET] [--small-maps] [--skip-unattachable] [-v]\n"
			"       oracle --check\n       oracle --version\n");
	exit(2);
}

/*
 * The program libbpf could not find an attach target for in the running kernel (fentry,
 * tp_btf, ... of a function this kernel does not have), from its warning; NULL if none.
 * libbpf looks attach targets up in the running kernel's BTF, never in --btf, and the
 * tools themselves turn such programs off; --skip-unattachable does the same.
 */
static char *unattachable_prog(void)
{
	const char *key = "': failed to find kernel BTF type ID of ", *k, *q;

	if (!g_log || !(k = strstr(g_log, key)))
		return NULL;
	for (q = k; q > g_log && q[-1] != '\''; q--)
		;
	return q > g_log ? strndup(q, k - q) : NULL;
}

/*
 * The same test before loading, for the usual case: a tracing program whose section names
 * a function (or, for tp_btf, a tracepoint) the running kernel's BTF does not have.
 */
static bool attach_target_missing(const struct bpf_program *p, const struct btf *vmlinux)
{
	const char *sec = bpf_program__section_name(p), *slash = strchr(sec, '/');
	enum bpf_prog_type t = bpf_program__type(p);
	char name[256];

	if ((t != BPF_PROG_TYPE_TRACING && t != BPF_PROG_TYPE_LSM) || !slash || !vmlinux)
		return false;
	if (bpf_program__expected_attach_type(p) == BPF_TRACE_RAW_TP)
		snprintf(name, sizeof(name), "btf_trace_%s", slash + 1);
	else if (t == BPF_PROG_TYPE_LSM)
		snprintf(name, sizeof(name), "bpf_lsm_%s", slash + 1);
	else
		snprintf(name, sizeof(name), "%s", slash + 1);
	return btf__find_by_name(vmlinux, name) < 0;
}

static void reset_run(void)
{
	bpf_object__close(g_obj);
	g_obj = NULL;
	for (size_t i = 0; i < g_nprogs; i++) {
		free(g_progs[i].name);
		free(g_progs[i].insns);
		close(g_progs[i].fd);
	}
	free(g_progs);
	g_progs = NULL;
	g_nprogs = 0;
	free(g_log);
	g_log = NULL;
	g_log_len = g_log_cap = 0;
}

int main(int argc, char **argv)
{
	const char *obj_path = NULL, *btf_path = NULL, *base;
	bool want_small_maps = false, skip_unattachable = false;
	char *skipped[256];
	size_t nskipped = 0;
	struct btf *vmlinux = NULL;
	struct bpf_program *p;
	int err, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--check"))
			return check_bpf();
		if (!strcmp(argv[i], "--version")) {
			printf("libbpf %u.%u\n", libbpf_major_version(), libbpf_minor_version());
			return 0;
		}
		else if (!strcmp(argv[i], "--btf") && i + 1 < argc)
			btf_path = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			g_verbose = true;
		else if (!strcmp(argv[i], "--small-maps"))
			want_small_maps = true;
		else if (!strcmp(argv[i], "--skip-unattachable"))
			skip_unattachable = true;
		else if (argv[i][0] == '-' || obj_path)
			usage();
		else
			obj_path = argv[i];
	}
	if (!obj_path)
		usage();
	rc = check_bpf();
	if (rc)
		return rc;

	libbpf_set_print(log_cb);
	base = strrchr(obj_path, '/');
	base = base ? base + 1 : obj_path;
	for (;;) {
		LIBBPF_OPTS(bpf_object_open_opts, oopts, .btf_custom_path = btf_path);
		char *skip;

		g_obj = bpf_object__open_file(obj_path, &oopts);
		if (!g_obj) {
			err = -errno;
			fprintf(stderr, "oracle: %s: bpf_object__open_file failed: %d\n", obj_path, err);
			if (g_log)
				fputs(g_log, stderr);
			return 3;
		}
		/* corelink relocates every program, so libbpf must load every one */
		bpf_object__for_each_program(p, g_obj) {
			bool off = false;

			for (size_t i = 0; i < nskipped; i++)
				off |= !strcmp(skipped[i], bpf_program__name(p));
			if (!vmlinux && skip_unattachable && (bpf_program__type(p) == BPF_PROG_TYPE_TRACING ||
							      bpf_program__type(p) == BPF_PROG_TYPE_LSM))
				vmlinux = btf__load_vmlinux_btf();
			if (!off && skip_unattachable && nskipped < 256 &&
			    attach_target_missing(p, vmlinux)) {
				skipped[nskipped++] = strdup(bpf_program__name(p));
				off = true;
			}
			bpf_program__set_autoload(p, !off);
		}
		if (want_small_maps)
			small_maps(g_obj);
		err = bpf_object__load(g_obj);
		if (!err || !skip_unattachable || nskipped == 256 || !(skip = unattachable_prog()))
			break;
		skipped[nskipped++] = skip;
		reset_run();
	}
	if (err) {
		print_failure(base, err);
		rc = 1;
	} else {
		printf("object %s\n", base);
		for (size_t i = 0; i < nskipped; i++)
			printf("skip %s (no attach target in the running kernel)\n", skipped[i]);
		for (size_t i = 0; i < g_nprogs; i++)
			print_prog(&g_progs[i]);
		printf("result ok\n");
		rc = 0;
	}
	reset_run();
	btf__free(vmlinux);
	for (size_t i = 0; i < nskipped; i++)
		free(skipped[i]);
	return rc;
}
