// SPDX-License-Identifier: MIT
/*
 * oracle: the reference for corelink's differential test (TEST-ONLY; the
 * corelink libraries never link libbpf).
 *
 *   oracle OBJ [--btf TARGET] [-v]    print OBJ's programs as libbpf 1.1 would
 *                                     load them, CO-RE relocated against TARGET
 *   oracle --check                    exit 0 if bpf() works here, 77 if not
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

static void usage(void)
{
	fprintf(stderr, "usage: oracle OBJ [--btf TARGET] [-v]\n       oracle --check\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *obj_path = NULL, *btf_path = NULL, *base;
	struct bpf_program *p;
	int err, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--check"))
			return check_bpf();
		else if (!strcmp(argv[i], "--btf") && i + 1 < argc)
			btf_path = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			g_verbose = true;
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
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .btf_custom_path = btf_path);
	g_obj = bpf_object__open_file(obj_path, &oopts);
	if (!g_obj) {
		err = -errno;
		fprintf(stderr, "oracle: %s: bpf_object__open_file failed: %d\n", obj_path, err);
		if (g_log)
			fputs(g_log, stderr);
		return 3;
	}
	/* corelink relocates every program, so libbpf must load every one */
	bpf_object__for_each_program(p, g_obj)
		bpf_program__set_autoload(p, true);

	base = strrchr(obj_path, '/');
	base = base ? base + 1 : obj_path;
	err = bpf_object__load(g_obj);
	if (err) {
		print_failure(base, err);
		rc = 1;
	} else {
		printf("object %s\n", base);
		for (size_t i = 0; i < g_nprogs; i++)
			print_prog(&g_progs[i]);
		printf("result ok\n");
		rc = 0;
	}
	bpf_object__close(g_obj);
	for (size_t i = 0; i < g_nprogs; i++) {
		free(g_progs[i].name);
		free(g_progs[i].insns);
	}
	free(g_progs);
	free(g_log);
	return rc;
}
