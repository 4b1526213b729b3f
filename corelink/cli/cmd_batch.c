/* SPDX-License-Identifier: MIT */
/*
 * corelink batch: every object against every kernel of an archive (the work
 * is the library's: batch.c, manifest.c, report*.c; this file parses the
 * options, prints progress and the summary, chooses the exit code).
 *
 *   corelink batch OBJ.o[@ARCH] [OBJ2.o ...] (--btfhub DIR | --db DB | --btf FILE [--btf-name D/V/A/R])...
 *            -o OUTDIR [-J N] [--kernels PATTERN]... [--shard I/N] [--tree]
 *            [--previous MANIFEST] [--strip-debug] [--report FILE.md|FILE.json|FILE.html]
 *            [--bundle FILE] [--fail-on error|poison|any-poison] [--libbpf 1.1|1.7] [-q] [-j]
 *
 * The old form without the word "batch", chosen by its options, still runs
 * through cl_batch_compat_old_form() (deprecated, with a note on stderr).
 *
 * Exit codes: 0 ok; 1 --fail-on matched; 2 bad usage, unusable input
 * object, or output that cannot be written.
 */
#include <errno.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "btfdb_fileio.h"
#include "btfdb_json.h"
#include "cli.h"
#include "corelink_json.h"

/* One line saying what is wrong, one pointing at the help; exit code 2. */
#define usage_error(...) cl_usage_error(&cl_cmd_batch, __VA_ARGS__)

enum fail_on { FAIL_NEVER, FAIL_ERROR, FAIL_POISON, FAIL_ANY_POISON };
static const char *const fail_on_str[] = { NULL, "error", "poison", "any-poison" };

enum { OPT_BTFHUB = 256, OPT_DB, OPT_BTF, OPT_BTF_NAME, OPT_SHARD, OPT_TREE, OPT_REPORT, OPT_BUNDLE,
       OPT_FAIL_ON, OPT_LIBBPF, OPT_KERNELS, OPT_PREVIOUS, OPT_STRIP_DEBUG };

/* ------------------------------------------------------------------ */
/* Progress                                                            */
/* ------------------------------------------------------------------ */

struct progress {
	bool tty;
	bool quiet;
	struct timespec start;
};

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static const char *kernel_status(const struct corelink_mf_kernel *k, size_t nr_objs)
{
	enum corelink_entry_status worst = CORELINK_ENTRY_OK;
	size_t i;

	for (i = 0; i < nr_objs; i++)
		if (k->entries[i].status != CORELINK_ENTRY_SKIPPED && k->entries[i].status > worst)
			worst = k->entries[i].status;
	return corelink_entry_status_str(worst);
}

static size_t g_nr_objs;

static void on_progress(void *ctx, const struct corelink_batch_progress *p)
{
	struct progress *pr = ctx;

	if (pr->quiet)
		return;
	if (pr->tty) {
		double el = since(&pr->start), eta = p->done ? el / p->done * (p->total - p->done) : 0;
		int width = 30, fill = p->total ? (int)(width * p->done / p->total) : width;

		fprintf(stderr, "\r[%.*s%*s] %zu/%zu  elapsed %d:%02d  ETA %d:%02d \033[K",
			fill, "##############################", width - fill, "", p->done, p->total,
			(int)el / 60, (int)el % 60, (int)eta / 60, (int)eta % 60);
		if (p->done == p->total)
			fputc('\n', stderr);
	} else {
		fprintf(stderr, "[%zu/%zu] %s: %s\n", p->done, p->total, p->k->release,
			kernel_status(p->k, g_nr_objs));
	}
	fflush(stderr);
}


/*
 * "path@arch": split off a known architecture (or "all" / "auto") and
 * return it; NULL (path unchanged) when there is no such suffix.
 */
static const char *split_arch(char *arg)
{
	char *at = strrchr(arg, '@');

	if (!at || at == arg || strchr(at, '/'))
		return NULL;
	if (strcmp(at + 1, "all") && strcmp(at + 1, "auto") &&
	    !(corelink_arch_canon(at + 1) && at[1]))
		return NULL;
	*at = 0;
	return at + 1;
}

static bool fail_matches(const struct corelink_manifest *m, enum fail_on how)
{
	size_t k, o, i;

	if (how == FAIL_NEVER)
		return false;
	for (k = 0; k < m->nr_kernels; k++) {
		for (o = 0; o < m->nr_objects; o++) {
			const struct corelink_mf_entry *e = &m->kernels[k].entries[o];

			if (e->status == CORELINK_ENTRY_ERROR)
				return true;
			if (how == FAIL_ANY_POISON && e->nr_poison)
				return true;
			for (i = 0; how == FAIL_POISON && i < e->nr_poison; i++)
				if (!e->poison[i].guarded)
					return true;
		}
	}
	return false;
}

/*
 * Before anything is written: no output (OUTDIR/manifest.json, the files
 * below OUTDIR/objects and OUTDIR/tree, the report) may be an input (an
 * object, a kernel's BTF file, a database), whatever its spelling.
 * Prints the message; 0 or an exit code.
 */
static int refuse_aliases(const char *const *objs, size_t nobjs,
			  const struct corelink_kernel_list *l, const char *outdir,
			  const char *report, const char *bundle)
{
	struct btfdb_fileio_path *in = calloc(nobjs + l->n + 3, sizeof(*in)), out[4];
	char *mf = NULL, *od = NULL, *td = NULL;
	struct btfdb_err err = { 0 };
	size_t i, n = 0;
	int rc = 0;

	if (!in || asprintf(&mf, "%s/manifest.json", outdir) < 0 ||
	    asprintf(&od, "%s/objects", outdir) < 0 || asprintf(&td, "%s/tree", outdir) < 0) {
		fprintf(stderr, "corelink: out of memory\n");
		rc = CORELINK_EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < nobjs; i++)
		in[n++] = (struct btfdb_fileio_path){ objs[i], "input object", false };
	for (i = 0; i < l->n; i++)
		in[n++] = (struct btfdb_fileio_path){ l->k[i].path,
						      l->k[i].db_name ? "database" : "target BTF",
						      false };
	out[0] = (struct btfdb_fileio_path){ mf, "manifest", false };
	out[1] = (struct btfdb_fileio_path){ td, "output directory", true };
	out[2] = (struct btfdb_fileio_path){ od, "output directory", true };
	out[3] = (struct btfdb_fileio_path){ report && strcmp(report, "-") ? report : NULL,
					     "report", false };
	if (btfdb_fileio_refuse_aliases(in, n, out, 4, &err)) {
		fprintf(stderr, "corelink: %s\n", err.msg);
		rc = CORELINK_EXIT_USAGE;
	} else if (bundle) { /* --bundle: none of the inputs, nor the manifest or report */
		in[n++] = out[0];
		if (out[3].path)
			in[n++] = out[3];
		rc = cl_bundle_refuse_aliases(in, n, bundle, NULL);
	}
out:
	free(in);
	free(mf);
	free(od);
	free(td);
	return rc;
}

static int cmd_batch(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "btfhub", required_argument, NULL, OPT_BTFHUB },
		{ "db", required_argument, NULL, OPT_DB },
		{ "btf", required_argument, NULL, OPT_BTF },
		{ "btf-name", required_argument, NULL, OPT_BTF_NAME },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "tree", no_argument, NULL, OPT_TREE },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "bundle", required_argument, NULL, OPT_BUNDLE },
		{ "libbpf", required_argument, NULL, OPT_LIBBPF },
		{ "kernels", required_argument, NULL, OPT_KERNELS },
		{ "previous", required_argument, NULL, OPT_PREVIOUS },
		{ "strip-debug", no_argument, NULL, OPT_STRIP_DEBUG },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct corelink_kernel_list l = { 0 };
	struct corelink_batch_opts bo = { 0 };
	struct corelink_batch_stats st;
	struct corelink_manifest *m = NULL;
	struct btfdb_err err = { 0 };
	struct progress pr = { 0 };
	const char *outdir = NULL, *report = NULL, *bundle = NULL, *previous = NULL;
	const char **objs = NULL, **btf_paths = NULL, **btf_names = NULL, **archs = NULL;
	const char **pats = NULL;
	size_t nbtf = 0, npats = 0, i;
	enum fail_on fail_on = FAIL_NEVER;
	size_t nobjs = 0;
	int c, rc = CORELINK_EXIT_USAGE, nsrc = 0;
	bool old_jobs = false;
	char *slash;

	objs = calloc((size_t)argc, sizeof(*objs));
	btf_paths = calloc((size_t)argc, sizeof(*btf_paths));
	btf_names = calloc((size_t)argc, sizeof(*btf_names));
	archs = calloc((size_t)argc, sizeof(*archs));
	pats = calloc((size_t)argc, sizeof(*pats));
	if (!objs || !btf_paths || !btf_names || !archs || !pats)
		goto out;
	opterr = 0;
	optind = 1;
	/* leading '-': objects may come anywhere; they arrive as option 1 */
	while ((c = getopt_long(argc, argv, "-:o:j:J:qh", lo, NULL)) != -1) {
		int ret = 0;

		switch (c) {
		case 1:
			archs[nobjs] = split_arch(optarg);
			objs[nobjs++] = optarg;
			break;
		case 'o':
			outdir = optarg;
			break;
		case OPT_KERNELS:
			pats[npats++] = optarg;
			break;
		case OPT_PREVIOUS:
			previous = optarg;
			break;
		case OPT_STRIP_DEBUG:
			bo.strip_debug = true;
			break;
		case 'j': /* the old spelling of -J N (-j alone is --json, taken by main.c) */
			old_jobs = true;
			/* fall through */
		case 'J':
			if (!cl_parse_uint(optarg, &bo.jobs) || !bo.jobs) {
				rc = usage_error("--jobs needs a positive number, not '%s'", optarg);
				goto out;
			}
			break;
		case 'q':
			pr.quiet = true;
			break;
		case 'h':
			cl_print_help(&cl_cmd_batch, stdout);
			rc = CORELINK_EXIT_OK;
			goto out;
		case OPT_BTFHUB:
			ret = corelink_kernels_add_btfhub(&l, optarg, &err);
			nsrc++;
			break;
		case OPT_DB:
			ret = corelink_kernels_add_db(&l, optarg, &err);
			nsrc++;
			break;
		case OPT_BTF:
			/* added after parsing, when its --btf-name is known */
			btf_paths[nbtf] = optarg;
			btf_names[nbtf++] = NULL;
			nsrc++;
			break;
		case OPT_BTF_NAME:
			if (!nbtf || btf_names[nbtf - 1]) {
				rc = usage_error("--btf-name must follow a --btf FILE (once)");
				goto out;
			}
			btf_names[nbtf - 1] = optarg;
			break;
		case OPT_SHARD:
			slash = strchr(optarg, '/');
			if (!slash) {
				rc = usage_error("--shard needs I/N, e.g. 1/4");
				goto out;
			}
			*slash = 0;
			if (!cl_parse_uint(optarg, &bo.shard_index) || !cl_parse_uint(slash + 1, &bo.shard_count) ||
			    !bo.shard_count || !bo.shard_index || bo.shard_index > bo.shard_count) {
				*slash = '/';
				rc = usage_error("--shard %s: need 1 <= I <= N", optarg);
				goto out;
			}
			*slash = '/';
			break;
		case OPT_TREE:
			bo.tree = true;
			break;
		case OPT_LIBBPF:
			if (corelink_libbpf_parse(optarg, &bo.libbpf, &err)) {
				rc = usage_error("--libbpf: %s", err.msg);
				goto out;
			}
			break;
		case OPT_REPORT:
			report = optarg;
			break;
		case OPT_BUNDLE:
			bundle = optarg;
			break;
		case OPT_FAIL_ON:
			if (!strcmp(optarg, "error")) {
				fail_on = FAIL_ERROR;
			} else if (!strcmp(optarg, "poison")) {
				fail_on = FAIL_POISON;
			} else if (!strcmp(optarg, "any-poison")) {
				fail_on = FAIL_ANY_POISON;
			} else {
				rc = usage_error("--fail-on takes error, poison or any-poison, not '%s'",
						 optarg);
				goto out;
			}
			break;
		default:
			rc = cl_getopt_error(&cl_cmd_batch, c, argv);
			goto out;
		}
		if (ret) {
			fprintf(stderr, "corelink: %s\n", err.msg);
			goto out;
		}
	}
	if (old_jobs && !pr.quiet)
		fprintf(stderr, "corelink: warning: '-j N' is deprecated: -j is --json now; use --jobs N (-J N)\n");
	for (i = 0; i < nbtf; i++) {
		if (corelink_kernels_add_file(&l, btf_paths[i], btf_names[i], &err)) {
			fprintf(stderr, "corelink: %s\n", err.msg);
			goto out;
		}
	}
	if (!nobjs) {
		rc = usage_error("missing input object(s)");
		goto out;
	}
	if (!nsrc) {
		rc = usage_error("no kernels: give --btfhub DIR, --db DB or --btf FILE");
		goto out;
	}
	if (!outdir) {
		rc = usage_error("missing -o OUTDIR");
		goto out;
	}
	if (corelink_kernels_filter(&l, pats, npats, &err) || corelink_kernels_sort(&l, &err) ||
	    (bo.shard_count && corelink_kernels_shard(&l, bo.shard_index, bo.shard_count, &err))) {
		fprintf(stderr, "corelink: %s\n", err.msg);
		goto out;
	}
	if ((rc = refuse_aliases(objs, nobjs, &l, outdir, report, bundle)))
		goto out;
	rc = CORELINK_EXIT_USAGE;
	pr.tty = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &pr.start);
	bo.progress = on_progress;
	bo.progress_ctx = &pr;
	bo.obj_arch = archs;
	bo.previous = previous;
	g_nr_objs = nobjs;
#ifdef __GLIBC__
	/*
	 * A kernel's decode buffers (inverse blocks, inflated blocks: up to a
	 * few MB each) are mmapped and go back when freed.  glibc otherwise
	 * raises its mmap threshold at the first such free, and the batch's peak
	 * becomes many kernels' buffers fragmenting the heap: -J 1 over 2000
	 * kernels, 16.8 -> 14.9 MB peak RSS (500: 14.1 -> 13.6), same time.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
	if (corelink_batch_run(objs, nobjs, &l, outdir, &bo, &m, &st, &err)) {
		fprintf(stderr, "corelink: %s\n", err.msg);
		goto out;
	}
	if (!pr.quiet) {
		fprintf(stderr,
			"corelink: %zu kernel(s) x %zu object(s): %zu ok, %zu poisoned, %zu error",
			m->nr_kernels, nobjs, st.ok, st.poisoned, st.errors);
		if (st.skipped)
			fprintf(stderr, ", %zu of another arch", st.skipped);
		fprintf(stderr, "; %zu artifact(s) stored once as %zu file(s) (%zu new); %.1fs; %s/manifest.json\n",
			st.artifacts, st.unique, st.written, since(&pr.start), outdir);
		if (previous)
			fprintf(stderr, "corelink: --previous: %zu kernel(s) relocated, %zu reused (%zu entries reused)\n",
				st.kernels_relocated, st.kernels_reused, st.reused);
	}
	if (report && cl_write_report(m, report))
		goto out;
	if (bundle && cl_bundle_write(m, NULL, outdir, objs, nobjs, bundle, NULL, NULL, pr.quiet, NULL))
		goto out;
	rc = fail_matches(m, fail_on) ? CORELINK_EXIT_RELO : CORELINK_EXIT_OK;
	if (rc && !pr.quiet)
		fprintf(stderr, "corelink: --fail-on %s: some entries match (see the manifest)\n",
			fail_on_str[fail_on]);
	if (btfdb_json_on()) {
		struct corelink_json_batch d = { .output_dir = outdir, .report = report,
						 .bundle = bundle, .previous = previous,
						 .fail_on = fail_on_str[fail_on], .failed = rc != 0 };

		btfdb_json_result(corelink_json_batch(&d, m, &st));
	}
out:
	corelink_manifest_free(m);
	corelink_kernels_free(&l);
	free(objs);
	free(btf_paths);
	free(btf_names);
	free(archs);
	free(pats);
	return rc;
}

/* Options only batch has (long forms, with or without "=value"). */
static bool batch_only_opt(const char *a)
{
	static const char *const opts[] = { "--btfhub", "--btf-name", "--shard", "--tree",
					     "--report", "--fail-on", "--jobs", "--bundle", "--kernels",
					     "--previous" };
	size_t i, n;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		n = strlen(opts[i]);
		if (!strncmp(a, opts[i], n) && (a[n] == 0 || a[n] == '='))
			return true;
	}
	return false;
}

bool cl_batch_compat_old_form(int argc, char **argv, int *rc)
{
	bool db = false, kernel = false, old = false;
	int i, nbtf = 0;

	for (i = 1; i < argc && !old; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		/* --jobs, -J N, and the old -j N (-j alone is --json) */
		if (batch_only_opt(argv[i]) || (argv[i][0] == '-' && argv[i][1] == 'J') ||
		    btfdb_json_jobs_compat(argc, argv, i))
			old = true;
		if (!strcmp(argv[i], "--btf") || !strncmp(argv[i], "--btf=", 6))
			nbtf++;
		if (!strcmp(argv[i], "--db") || !strncmp(argv[i], "--db=", 5))
			db = true;
		if (!strcmp(argv[i], "--kernel") || !strncmp(argv[i], "--kernel=", 9))
			kernel = true;
	}
	if (!old && !(db && !kernel) && nbtf <= 1)
		return false;
	if (!rc)
		return true;
	fputs("corelink: note: a batch without the word 'batch' is deprecated; use 'corelink batch ...' (same options)\n",
	      stderr);
	*rc = cmd_batch(argc, argv);
	return true;
}

const struct cl_cmd cl_cmd_batch = {
	.name = "batch",
	.fn = cmd_batch,
	.usage = "batch OBJ.o[@ARCH] [OBJ2.o ...] --btfhub DIR | --db DB | --btf FILE ... -o OUTDIR [options]",
	.summary = "every object against every kernel of an archive: artifacts and a manifest",
	.help =
		"Relocate every object for every kernel of its architecture; store identical\n"
		"outputs once (OUTDIR/objects/<xxh3-128>.o) and write OUTDIR/manifest.json.\n"
		"\n"
		"  OBJ.o@ARCH        the architecture OBJ.o is built for (x86_64, arm64, ...; 'all' =\n"
		"                    every kernel).  Default: read from the object (pt_regs register\n"
		"                    names, arch-prefixed syscall kprobes); every kernel when unknown.\n"
		"                    One name may have one build per architecture.\n"
		"  --btfhub DIR      every <distro>/<version>/<arch>/<release>.btf.tar.xz (or .btf) below DIR\n"
		"  --db DB           every kernel of a btfdb database\n"
		"  --btf FILE        one more kernel (raw BTF, vmlinux ELF, .btf.tar.xz)\n"
		"  --btf-name D/V/A/R  identity of the preceding --btf (default: release = file name)\n"
		"  -o, --output DIR  output directory\n"
		"  -J, --jobs N      worker threads (default: online CPUs); the old '-j N' still\n"
		"                    works, with a warning\n"
		"  --kernels PAT     only kernels whose distro/version/arch/release matches the shell\n"
		"                    pattern (e.g. 'centos/*/x86_64/*'; '*' crosses '/'; arm64 and\n"
		"                    aarch64 match each other); repeat for more\n"
		"  --previous MANIFEST  reuse its entries whose object and kernel BTF are unchanged\n"
		"                    (same corelink version, --libbpf, --strip-debug); relocate the rest\n"
		"  --strip-debug     artifacts without DWARF (.BTF/.BTF.ext kept, as llvm-strip does)\n"
		"  --shard I/N       only the kernels at positions p (0-based, sorted) with p % N == I-1\n"
		"  --tree            also OUTDIR/tree/<distro>/<version>/<arch>/<release>/<obj> links\n"
		"  --report FILE     portability report: FILE.json is JSON, FILE.html one self-contained\n"
		"                    page (the kernels x programs matrix), anything else Markdown\n"
		"  --fail-on WHAT    exit 1 when any entry is: error | poison (a poisoned relocation not\n"
		"                    seen as guarded, or an error) | any-poison (any poisoned relocation,\n"
		"                    or an error)\n"
		"  --bundle FILE     also pack the batch into one bundle (see corelink help bundle)\n"
		"  --libbpf V        relocate as libbpf V: 1.7 (default, the newest) or 1.1\n"
		"  -q, --quiet       no progress, no summary\n"
		"  -j, --json        the summary as one JSON document on stdout\n"
		"                    (docs/schema/corelink-batch.schema.json)\n"
		"  -h, --help        this help\n"
		"\n"
		"Without --fail-on the exit status is 0 even if some kernels fail: the manifest says so.\n"
		"The old form without the word 'batch' (objects with --btfhub, --db without --kernel,\n"
		"--btf more than once, or an option only batch has) still works but is deprecated.\n"
		"Then: 'corelink pick', 'corelink report', 'corelink merge', 'corelink bundle'.\n",
};
