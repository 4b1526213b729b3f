/* SPDX-License-Identifier: MIT */
/*
 * corelink relocate, the default command: one object, one kernel, one
 * relocated object.
 *
 *   corelink [relocate] OBJ.o [--btf KERNEL | --db DB --kernel NAME] -o OUT.o [-v] [--strict]
 *            [--stamp] [--release NAME] [--libbpf 1.1|1.7] [--strip-debug] [-q] [--version] [-h]
 *
 * Exit codes: 0 ok; 1 relocation failure (hard error, or any poisoned
 * relocation with --strict); 2 bad usage, unreadable or malformed input
 * (including CO-RE records that are malformed whatever the target), or the
 * output could not be written.  On any error no output is written.
 *
 * Output: -v prints one line per relocation on stdout; warnings (poisoned
 * relocations, kernel-BTF needs) and errors go to stderr, one line each:
 *     corelink: <file>: <message>
 *     corelink: warning: <file>: <message>
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "btfdb_db.h"
#include "btfdb_fileio.h"
#include "btfdb_json.h"
#include "cli.h"
#include "corelink_elf.h"
#include "corelink_json.h"

#define DEFAULT_BTF "/sys/kernel/btf/vmlinux"

/* Everything the command line says. */
struct cli_opts {
	const char *obj_path;  /* input object */
	const char *btf_path;  /* --btf; NULL = the running kernel's */
	const char *db_path;   /* --db: a btfdb database ... */
	const char *kernel;    /* --kernel: ... and the kernel in it */
	const char *out_path;  /* -o */
	const char *release;   /* --release (stamp) */
	int verbose;           /* -v count: 1 relocation lines, 2 info log, 3 debug log */
	bool quiet;            /* -q: no warnings */
	bool strict;           /* --strict: a poisoned relocation is a failure */
	bool stamp;            /* --stamp: add .note.corelink */
	enum corelink_libbpf libbpf; /* --libbpf: whose rules (default the newest) */
	bool strip_debug;      /* --strip-debug: no DWARF in the output */
};

enum { OPT_BTF = 256, OPT_DB, OPT_KERNEL, OPT_STRICT, OPT_STAMP, OPT_RELEASE, OPT_VERSION, OPT_LIBBPF,
       OPT_STRIP_DEBUG };

static const struct option long_opts[] = {
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "db", required_argument, NULL, OPT_DB },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "output", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "stamp", no_argument, NULL, OPT_STAMP },
	{ "release", required_argument, NULL, OPT_RELEASE },
	{ "libbpf", required_argument, NULL, OPT_LIBBPF },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "strip-debug", no_argument, NULL, OPT_STRIP_DEBUG },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One line saying what is wrong, one pointing at -h; exit code 2. */
#define usage_error(...) cl_usage_error(&cl_cmd_relocate, __VA_ARGS__)

/* "<file>: <message>", unless the message names the file already. */
static const char *error_text(const char *file, const char *msg, char *buf, size_t size)
{
	size_t n = strlen(file);

	if (!msg[0])
		msg = "failed";
	if (strncmp(msg, file, n) == 0 && msg[n] == ':')
		snprintf(buf, size, "%s", msg);
	else
		snprintf(buf, size, "%s: %s", file, msg);
	return buf;
}

/* "corelink: <file>: <message>" */
static void print_error(const char *file, const char *msg)
{
	char buf[2048];

	fprintf(stderr, "corelink: %s\n", error_text(file, msg, buf, sizeof(buf)));
}

static void print_warning(const struct cli_opts *o, const char *file, const char *msg)
{
	if (!o->quiet)
		fprintf(stderr, "corelink: warning: %s: %s\n", file, msg);
}

/*
 * Library log callback, shown from -vv on (level 0 warnings and level 1
 * info at -vv, debug at -vvv).  By default the CLI reports what matters
 * itself (report_poison), with the file name and what the poison means.
 */
static void log_cb(void *ctx, int level, const char *msg)
{
	const struct cli_opts *o = ctx;

	if (o->verbose >= 2 && o->verbose > level)
		fprintf(stderr, "corelink: %s%s\n", level == 0 ? "warning: " : "", msg);
}

/* Parse argv into o; returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct cli_opts *o)
{
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:vqh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out_path = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h': /* corelink -h, corelink OBJ.o -h: the tool's help */
			cl_print_help(strcmp(argv[0], "relocate") ? NULL : &cl_cmd_relocate, stdout);
			return CORELINK_EXIT_OK;
		case OPT_BTF:
			o->btf_path = optarg;
			break;
		case OPT_DB:
			o->db_path = optarg;
			break;
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_STRIP_DEBUG:
			o->strip_debug = true;
			break;
		case OPT_STAMP:
			o->stamp = true;
			break;
		case OPT_RELEASE:
			o->release = optarg;
			break;
		case OPT_LIBBPF: {
			struct btfdb_err e = { { 0 } };

			if (corelink_libbpf_parse(optarg, &o->libbpf, &e))
				return usage_error("--libbpf: %s", e.msg);
			break;
		}
		case OPT_VERSION:
			printf("corelink %s\n", CORELINK_VERSION_STRING);
			btfdb_json_help();
			return CORELINK_EXIT_OK;
		default:
			return cl_getopt_error(&cl_cmd_relocate, c, argv);
		}
	}
	if (optind < argc)
		o->obj_path = argv[optind++];
	if (optind < argc)
		return usage_error("more than one input object: '%s' and '%s'", o->obj_path,
				   argv[optind]);
	if (!o->obj_path)
		return usage_error("missing input object");
	if (!o->out_path)
		return usage_error("missing -o OUT.o");
	if (o->verbose && o->quiet)
		return usage_error("-v and -q cannot be used together");
	if (o->db_path && !o->kernel)
		return usage_error("--db needs --kernel NAME");
	if (o->kernel && !o->db_path)
		return usage_error("--kernel needs --db DB");
	if (o->db_path && o->btf_path)
		return usage_error("--btf and --db cannot be used together");
	if (o->release && !o->stamp)
		return usage_error("--release needs --stamp");
	return -1;
}

/* One line per relocation (-v). */
static void print_relo(const struct corelink_relo_info *ri)
{
	printf("%s %s insn #%u %s: %s: ", ri->section ? ri->section : "?",
	       ri->prog ? ri->prog : "-", ri->insn_idx, corelink_relo_kind_str(ri->kind),
	       ri->spec ? ri->spec : "?");
	switch (ri->status) {
	case CORELINK_RELO_OK:
		printf("%" PRIu64 " -> %" PRIu64 "\n", ri->orig_val, ri->new_val);
		break;
	case CORELINK_RELO_POISONED:
		printf("POISONED: %s\n", ri->reason ? ri->reason : "no matching target");
		break;
	case CORELINK_RELO_SKIPPED:
		printf("skipped (instruction belongs to no program)\n");
		break;
	default:
		printf("ERROR: %s\n", ri->reason ? ri->reason : strerror(-ri->err));
		break;
	}
}

/* Warnings about poisoned relocations: the verifier will only say
 * "invalid func unknown#195896080", so say here what is missing. */
static void report_poison(const struct cli_opts *o, const struct corelink_run *run)
{
	size_t i, n = corelink_run_relo_cnt(run);

	for (i = 0; i < n; i++) {
		const struct corelink_relo_info *ri = corelink_run_relo(run, i);
		char msg[1024];

		if (!ri || ri->status != CORELINK_RELO_POISONED)
			continue;
		corelink_poison_message(ri, msg, sizeof(msg));
		print_warning(o, o->obj_path, msg);
	}
}

/* With --json: the run's document (error: the failure as printed, or NULL). */
static void json_run(const struct cli_opts *o, const char *btf_path, const char *release,
		     const struct corelink_obj *obj, const struct corelink_run *run,
		     const char *error, bool written)
{
	struct corelink_json_relocate d = {
		.object = o->obj_path, .btf = o->db_path ? NULL : btf_path, .db = o->db_path,
		.kernel = o->kernel, .release = release, .output = o->out_path, .written = written,
		.strict = o->strict, .libbpf = o->libbpf, .error = error,
	};

	if (btfdb_json_on())
		btfdb_json_result(corelink_json_relocate(&d, obj, run));
}

/*
 * The target from --btf (or the running kernel), or from --db/--kernel: then
 * *db is opened and must outlive btf and idx; *release gets the db kernel's
 * release.  Prints its own error; returns 0 or an exit code.
 */
static int load_target(const struct cli_opts *o, const struct corelink_obj *obj,
		       const char *btf_path, struct btfdb_db **db, struct btfdb_btf **btf,
		       struct btfdb_index **idx, const char **release)
{
	struct btfdb_db_kernel_info info;
	struct btfdb_err err = { 0 };
	const char **names = NULL;
	size_t *lens = NULL;
	ssize_t n;
	int k;

	if (!o->db_path) {
		/* lazily checked: each type is checked in full when first read;
		 * indexed: the names this object's candidate search looks up */
		if (btfdb_btf_load_flags(btf_path, BTFDB_LOAD_LAZY | BTFDB_LOAD_KERNEL_RULES, btf, &err)) {
			print_error(btf_path, err.msg);
			return CORELINK_EXIT_USAGE;
		}
		n = corelink_obj_cand_names(obj, &names, &lens);
		if (n < 0) {
			print_error(btf_path, "out of memory");
			return CORELINK_EXIT_USAGE;
		}
		k = btfdb_index_build_core_for(*btf, names, lens, (size_t)n, idx, &err);
		free(names);
		free(lens);
		if (k) {
			print_error(btf_path, err.msg);
			return CORELINK_EXIT_USAGE;
		}
		return 0;
	}
	if (btfdb_db_open(o->db_path, db, &err)) {
		print_error(o->db_path, err.msg);
		return CORELINK_EXIT_USAGE;
	}
	k = btfdb_db_find_kernel(*db, o->kernel, &err);
	if (k < 0 || btfdb_db_kernel_btf(*db, (uint32_t)k, btf, idx, &err)) {
		print_error(o->db_path, err.msg);
		return CORELINK_EXIT_USAGE;
	}
	if (btfdb_db_kernel_info(*db, (uint32_t)k, &info, NULL) == 0)
		*release = info.release;
	return 0;
}

/* The target's release when known: --release, or the database kernel's. */
static const char *stamp_release(const struct cli_opts *o, const char *db_release)
{
	return o->release ? o->release : db_release;
}

/* Did the run stop on a record that is malformed whatever the target? */
static bool run_bad_input(const struct corelink_run *run)
{
	size_t i, n = run ? corelink_run_relo_cnt(run) : 0;

	for (i = 0; i < n; i++) {
		const struct corelink_relo_info *ri = corelink_run_relo(run, i);

		if (ri && ri->status == CORELINK_RELO_ERROR)
			return ri->bad_input;
	}
	return false;
}

/* The relocated object to o->out_path, without DWARF with --strip-debug. */
static int write_output(const struct cli_opts *o, const struct corelink_obj *obj,
			const struct corelink_run *run, const struct corelink_stamp *stamp,
			struct btfdb_err *err)
{
	void *buf = NULL, *stripped = NULL;
	size_t size = 0;
	int ret;

	if (!o->strip_debug)
		return corelink_write(obj, run, stamp, o->out_path, err);
	ret = corelink_emit(obj, run, stamp, &buf, &size, err);
	if (!ret)
		ret = corelink_strip_debug(buf, size, &stripped, &size, err);
	if (!ret)
		ret = corelink_write_file_atomic(o->out_path, stripped, size, err);
	free(buf);
	free(stripped);
	return ret;
}

static int relocate(const struct cli_opts *o)
{
	static char errbuf[1 << 16];
	const char *btf_path = o->db_path ? o->db_path : o->btf_path ? o->btf_path : DEFAULT_BTF;
	const char *db_release = NULL;
	struct btfdb_db *db = NULL;
	struct corelink_opts ropts = { .strict = o->strict, .libbpf = o->libbpf, .log = log_cb,
				       .log_ctx = (void *)o };
	struct corelink_obj *obj = NULL;
	struct btfdb_btf *kbtf = NULL;
	struct btfdb_index *kidx = NULL;
	struct corelink_run *run = NULL;
	struct btfdb_err err = { 0 };
	struct corelink_stamp stamp = { 0 };
	const char *const *needs = NULL;
	struct utsname uts;
	int rc = CORELINK_EXIT_USAGE, ret;
	size_t i, n;

	/* one write for all warnings, not one per line (an object with many
	 * poisoned relocations printed ~80 of them); flushed at exit */
	setvbuf(stderr, errbuf, _IOFBF, sizeof(errbuf));
	{
		/* before anything is written: the output is none of the inputs */
		const struct btfdb_fileio_path in[] = {
			{ o->obj_path, "input object", false },
			{ btf_path, o->db_path ? "database" : "target BTF", false },
		}, out = { o->out_path, "output", false };

		if (btfdb_fileio_refuse_aliases(in, 2, &out, 1, &err)) {
			fprintf(stderr, "corelink: %s\n", err.msg);
			goto out;
		}
	}
	if (corelink_obj_open(o->obj_path, &obj, &err)) {
		print_error(o->obj_path, err.msg);
		goto out;
	}
	n = corelink_obj_btf_needs(obj, &needs);
	for (i = 0; i < n; i++)
		print_warning(o, o->obj_path, needs[i]);

	ret = load_target(o, obj, btf_path, &db, &kbtf, &kidx, &db_release);
	if (ret) {
		rc = ret;
		goto out;
	}

	ret = corelink_relocate(obj, kbtf, kidx, &ropts, &run, &err);
	if (ret && corelink_run_target_bad(run)) {
		/* the target is malformed where the relocation looked: what the run
		 * decided from it is void, so only this is reported */
		print_error(o->db_path ? o->db_path : btf_path, err.msg);
		rc = CORELINK_EXIT_USAGE;
		goto out;
	}
	if (o->verbose && run) {
		n = corelink_run_relo_cnt(run);
		for (i = 0; i < n; i++)
			print_relo(corelink_run_relo(run, i));
	}
	if (run)
		report_poison(o, run);
	if (ret) {
		char msg[sizeof(err.msg) + 64], text[sizeof(msg) + 1024];
		const char *ename = strerrorname_np(-ret);

		/* the errno is libbpf's for the same failure: name it for comparison */
		snprintf(msg, sizeof(msg), "%s (%d %s)", err.msg, ret, ename ? ename : "?");
		print_error(o->obj_path, msg);
		json_run(o, btf_path, stamp_release(o, db_release), obj, run,
			 error_text(o->obj_path, msg, text, sizeof(text)), false);
		/* a malformed record is bad input (2); a sound one that cannot be
		 * applied to this target is a relocation failure (1) */
		rc = run_bad_input(run) ? CORELINK_EXIT_USAGE : CORELINK_EXIT_RELO;
		goto out;
	}
	if (o->strict && corelink_run_poisoned(run)) {
		char msg[128], text[sizeof(msg) + 1024];

		snprintf(msg, sizeof(msg), "%zu poisoned relocation(s) with --strict; no output written",
			 corelink_run_poisoned(run));
		print_error(o->obj_path, msg);
		json_run(o, btf_path, stamp_release(o, db_release), obj, run,
			 error_text(o->obj_path, msg, text, sizeof(text)), false);
		rc = CORELINK_EXIT_RELO;
		goto out;
	}

	if (o->stamp) {
		stamp.btf_hash = btfdb_btf_hash(kbtf);
		stamp.libbpf = o->libbpf;
		stamp.release = o->release ? o->release : db_release;
		if (!stamp.release && !o->btf_path && !o->db_path && uname(&uts) == 0)
			stamp.release = uts.release; /* the running kernel's BTF */
	}
	if (write_output(o, obj, run, o->stamp ? &stamp : NULL, &err)) {
		print_error(o->out_path, err.msg);
		goto out;
	}
	json_run(o, btf_path, stamp_release(o, db_release), obj, run, NULL, true);
	rc = CORELINK_EXIT_OK;
out:
	corelink_run_free(run);
	btfdb_index_free(kidx);
	btfdb_btf_free(kbtf);
	btfdb_db_close(db);
	corelink_obj_free(obj);
	return rc;
}

static int cmd_relocate(int argc, char **argv)
{
	struct cli_opts o = { 0 };
	int rc = parse_args(argc, argv, &o);

	return rc >= 0 ? rc : relocate(&o);
}

const struct cl_cmd cl_cmd_relocate = {
	.name = "relocate",
	.fn = cmd_relocate,
	.usage = "OBJ.o [--btf KERNEL | --db DB --kernel NAME] -o OUT.o [options]\n"
		 "relocate OBJ.o [--btf KERNEL | --db DB --kernel NAME] -o OUT.o [options]",
	.summary = "one object against one kernel (the default command)",
	.help = "Apply OBJ.o's CO-RE relocations against one kernel's BTF and write the\n"
		"pre-relocated object (CO-RE records removed) to OUT.o.\n"
		"\n"
		"  --btf KERNEL      kernel BTF: raw .btf, vmlinux ELF or BTFHub .btf.tar.xz\n"
		"                    (default " DEFAULT_BTF ")\n"
		"  --db DB           a btfdb database (btfdb build) holding the target ...\n"
		"  --kernel NAME     ... the kernel in it: distro/version/arch/release or a\n"
		"                    unique release (see 'btfdb ls DB')\n"
		"  -o, --output F    output object (written atomically)\n"
		"  -v, --verbose     print every relocation (repeat for library logs)\n"
		"  -q, --quiet       no warnings\n"
		"  -j, --json        one JSON document on stdout: the relocations, poisons with\n"
		"                    their reasons, warnings and errors\n"
		"                    (docs/schema/corelink-relocate.schema.json)\n"
		"      --strict      fail (exit 1) if any relocation is poisoned\n"
		"      --stamp       record the target in a .note.corelink section\n"
		"      --release R   kernel release recorded by --stamp\n"
		"      --libbpf V    relocate as libbpf V does: 1.7 (default, the newest) or 1.1\n"
		"      --strip-debug  no DWARF in the output (.debug* dropped, .BTF/.BTF.ext\n"
		"                    kept, as llvm-strip does)\n"
		"      --version     print the version\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 ok, 1 relocation failed, 2 bad usage or input.\n",
};
