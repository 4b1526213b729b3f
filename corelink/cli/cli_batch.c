/* SPDX-License-Identifier: MIT */
/*
 * corelink batch / pick / merge / report: the command-line side (prints,
 * parses options, chooses exit codes; the work is in the library: batch.c,
 * manifest.c, pick.c, report_md.c).  Linked into the corelink executable
 * next to cli.c, which hands over through cl_cli_batch_wants().
 *
 *   corelink OBJ.o[@ARCH] [OBJ2.o ...] (--btfhub DIR | --db DB | --btf FILE [--btf-name D/V/A/R])...
 *            -o OUTDIR [-j N] [--kernels PATTERN]... [--shard I/N] [--tree]
 *            [--previous MANIFEST] [--strip-debug] [--report FILE.md|FILE.json|FILE.html]
 *            [--bundle FILE] [--fail-on error|poison|any-poison] [--libbpf 1.1|1.7] [-q]
 *   corelink pick MANIFEST [--release R] [--arch A] [--distro D] [--version V]
 *            [--object NAME] [--os-release FILE]
 *   corelink merge MANIFEST... -o OUT.json [--report FILE]
 *   corelink report MANIFEST -o FILE.md|FILE.json|FILE.html|-
 *
 * Exit codes: 0 ok; 1 --fail-on matched (batch), nothing fits (pick), a
 * conflict or bad manifest (merge, report); 2 bad usage, unusable input
 * object, or output that cannot be written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "btfdb_fileio.h"
#include "cli_batch.h"
#include "cli_bundle.h"

enum fail_on { FAIL_NEVER, FAIL_ERROR, FAIL_POISON, FAIL_ANY_POISON };

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("corelink: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'corelink --btfhub -h' or 'corelink pick -h' for more information.\n", stderr);
	return CORELINK_EXIT_USAGE;
}

static void batch_usage(FILE *f)
{
	fprintf(f,
		"Usage: corelink OBJ.o[@ARCH] [OBJ2.o ...] --btfhub DIR | --db DB | --btf FILE ... -o OUTDIR [options]\n"
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
		"  -j, --jobs N      worker threads (default: online CPUs)\n"
		"  --kernels PAT     only kernels whose distro/version/arch/release matches the shell\n"
		"                    pattern (e.g. 'centos/*/x86_64/*'; '*' crosses '/'; arm64 and\n"
		"                    aarch64 match each other); repeat for more\n"
		"  --previous MANIFEST  reuse its entries whose object and kernel BTF are unchanged\n"
		"                    (same corelink version, --libbpf, --strip-debug); relocate the rest\n"
		"  --strip-debug     artifacts without DWARF (.BTF/.BTF.ext kept, as llvm-strip does)\n"
		"  --shard I/N       only the kernels at positions p (0-based, sorted) with p %% N == I-1\n"
		"  --tree            also OUTDIR/tree/<distro>/<version>/<arch>/<release>/<obj> links\n"
		"  --report FILE     portability report: FILE.json is JSON, FILE.html one self-contained\n"
		"                    page (the kernels x programs matrix), anything else Markdown\n"
		"  --fail-on WHAT    exit 1 when any entry is: error | poison (a poisoned relocation not\n"
		"                    seen as guarded, or an error) | any-poison (any poisoned relocation,\n"
		"                    or an error)\n"
		"  --bundle FILE     also pack the batch into one bundle (see corelink bundle -h)\n"
		"  --libbpf V        relocate as libbpf V: 1.7 (default, the newest) or 1.1\n"
		"  -q, --quiet       no progress, no summary\n"
		"\n"
		"Without --fail-on the exit status is 0 even if some kernels fail: the manifest says so.\n"
		"Other commands: corelink pick MANIFEST ..., corelink merge MANIFEST... -o OUT,\n"
		"corelink report MANIFEST -o FILE.\n");
}

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

/* ------------------------------------------------------------------ */
/* Reports                                                             */
/* ------------------------------------------------------------------ */

static bool ends_with(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);

	return n >= m && !strcmp(s + n - m, sfx);
}

static int write_report(const struct corelink_manifest *m, const char *path)
{
	enum corelink_report_format fmt = ends_with(path, ".json") ? CORELINK_REPORT_JSON
					  : ends_with(path, ".html") ? CORELINK_REPORT_HTML
								     : CORELINK_REPORT_MD;
	struct btfdb_err err = { 0 };
	char *buf = NULL;
	size_t size = 0;
	FILE *f;
	int ret;

	f = open_memstream(&buf, &size);
	if (!f) {
		fprintf(stderr, "corelink: %s: out of memory\n", path);
		return -ENOMEM;
	}
	ret = corelink_report_write(m, fmt, f, &err);
	fclose(f);
	if (!ret) {
		if (!strcmp(path, "-")) {
			fwrite(buf, 1, size, stdout);
		} else {
			ret = corelink_write_file_atomic(path, buf, size, &err);
		}
	}
	if (ret && !strncmp(err.msg, path, strlen(path)) && err.msg[strlen(path)] == ':')
		fprintf(stderr, "corelink: %s\n", err.msg);
	else if (ret)
		fprintf(stderr, "corelink: %s: %s\n", path, err.msg);
	free(buf);
	return ret;
}

/* ------------------------------------------------------------------ */
/* batch                                                               */
/* ------------------------------------------------------------------ */

enum { OPT_BTFHUB = 256, OPT_DB, OPT_BTF, OPT_BTF_NAME, OPT_SHARD, OPT_TREE, OPT_REPORT, OPT_BUNDLE,
       OPT_FAIL_ON, OPT_RELEASE, OPT_ARCH, OPT_DISTRO, OPT_VERSION, OPT_OBJECT, OPT_OS_RELEASE,
       OPT_LIBBPF, OPT_KERNELS, OPT_PREVIOUS, OPT_STRIP_DEBUG };

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

static bool parse_uint(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s[0] || s[0] == '-')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 1u << 20)
		return false;
	*out = (unsigned)v;
	return true;
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
		rc = cl_cli_bundle_refuse_aliases(in, n, bundle, NULL);
	}
out:
	free(in);
	free(mf);
	free(od);
	free(td);
	return rc;
}

/* The same for commands of one input list and one output file. */
static int refuse_file_aliases(const char *const *ins, size_t n, const char *what,
			       const char *out, const char *out_what)
{
	struct btfdb_fileio_path *in = calloc(n + 1, sizeof(*in)),
				 o = { out && strcmp(out, "-") ? out : NULL, out_what, false };
	struct btfdb_err err = { 0 };
	size_t i;
	int rc = 0;

	if (!in) {
		fprintf(stderr, "corelink: out of memory\n");
		return CORELINK_EXIT_USAGE;
	}
	for (i = 0; i < n; i++)
		in[i] = (struct btfdb_fileio_path){ ins[i], what, false };
	if (btfdb_fileio_refuse_aliases(in, n, &o, 1, &err)) {
		fprintf(stderr, "corelink: %s\n", err.msg);
		rc = CORELINK_EXIT_USAGE;
	}
	free(in);
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
		{ "jobs", required_argument, NULL, 'j' },
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
	while ((c = getopt_long(argc, argv, "-:o:j:qh", lo, NULL)) != -1) {
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
		case 'j':
			if (!parse_uint(optarg, &bo.jobs) || !bo.jobs) {
				rc = usage_error("-j needs a positive number, not '%s'", optarg);
				goto out;
			}
			break;
		case 'q':
			pr.quiet = true;
			break;
		case 'h':
			batch_usage(stdout);
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
			if (!parse_uint(optarg, &bo.shard_index) || !parse_uint(slash + 1, &bo.shard_count) ||
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
		case ':':
			rc = usage_error("option '%s' needs an argument", argv[optind - 1]);
			goto out;
		default:
			rc = usage_error("unknown option '%s'", argv[optind - 1]);
			goto out;
		}
		if (ret) {
			fprintf(stderr, "corelink: %s\n", err.msg);
			goto out;
		}
	}
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
	if (report && write_report(m, report))
		goto out;
	if (bundle && cl_cli_bundle_write(m, NULL, outdir, objs, nobjs, bundle, NULL, NULL, pr.quiet))
		goto out;
	rc = fail_matches(m, fail_on) ? CORELINK_EXIT_RELO : CORELINK_EXIT_OK;
	if (rc && !pr.quiet)
		fprintf(stderr, "corelink: --fail-on %s: some entries match (see the manifest)\n",
			fail_on == FAIL_ERROR ? "error" : fail_on == FAIL_POISON ? "poison" : "any-poison");
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

/* ------------------------------------------------------------------ */
/* pick, merge, report                                                 */
/* ------------------------------------------------------------------ */

static int cmd_pick(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "release", required_argument, NULL, OPT_RELEASE },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "distro", required_argument, NULL, OPT_DISTRO },
		{ "version", required_argument, NULL, OPT_VERSION },
		{ "object", required_argument, NULL, OPT_OBJECT },
		{ "os-release", required_argument, NULL, OPT_OS_RELEASE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct corelink_pick_query q = { 0 };
	struct corelink_pick_result res;
	struct corelink_host host;
	struct btfdb_err err = { 0 };
	const char *os_release = NULL, *manifest = NULL;
	int c, ret;

	opterr = 0;
	optind = 2;
	while ((c = getopt_long(argc, argv, "-:h", lo, NULL)) != -1) {
		switch (c) {
		case 1:
			if (manifest)
				return usage_error("pick: one manifest only");
			manifest = optarg;
			break;
		case OPT_RELEASE: q.release = optarg; break;
		case OPT_ARCH: q.arch = optarg; break;
		case OPT_DISTRO: q.distro = optarg; break;
		case OPT_VERSION: q.version = optarg; break;
		case OPT_OBJECT: q.object = optarg; break;
		case OPT_OS_RELEASE: os_release = optarg; break;
		case 'h':
			printf("Usage: corelink pick MANIFEST [--release R] [--arch A] [--distro D] [--version V]\n"
			       "                      [--object NAME] [--os-release FILE]\n"
			       "Print the artifact built for this host (uname -r / -m, /etc/os-release ID and\n"
			       "VERSION_ID; each overridable).  The release must match exactly; distro and\n"
			       "version break ties.  Exit 1 when nothing fits.\n");
			return CORELINK_EXIT_OK;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!manifest)
		return usage_error("pick: missing MANIFEST");
	if (corelink_host_detect(&host, os_release, &err)) {
		fprintf(stderr, "corelink: pick: %s\n", err.msg);
		return CORELINK_EXIT_RELO;
	}
	if (!q.release)
		q.release = host.release;
	if (!q.arch)
		q.arch = host.arch;
	if (!q.distro)
		q.distro = host.distro;
	if (!q.version)
		q.version = host.version;
	ret = corelink_pick(manifest, &q, &res, &err);
	if (ret) {
		fprintf(stderr, "corelink: pick: %s\n", err.msg);
		return ret == -EINVAL && !strstr(err.msg, "object") ? CORELINK_EXIT_USAGE
								    : CORELINK_EXIT_RELO;
	}
	printf("%s\n", res.path);
	if (res.unguarded)
		fprintf(stderr, "corelink: pick: warning: %s on %s has %zu poisoned relocation(s) that may be reached\n",
			res.object, res.kernel, res.unguarded);
	corelink_pick_result_clear(&res);
	return CORELINK_EXIT_OK;
}

/* An output that could not be written (exit 2), not a bad or conflicting manifest (1). */
static bool write_error(int ret)
{
	return ret == -ENOSPC || ret == -EFBIG || ret == -EIO || ret == -EDQUOT || ret == -EROFS;
}

static int cmd_merge(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct corelink_manifest *m = NULL;
	struct btfdb_err err = { 0 };
	const char **in = calloc((size_t)argc, sizeof(*in)), *out = NULL, *report = NULL;
	size_t n = 0;
	int c, rc = CORELINK_EXIT_USAGE, ret;

	if (!in)
		return rc;
	opterr = 0;
	optind = 2;
	while ((c = getopt_long(argc, argv, "-:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 1: in[n++] = optarg; break;
		case 'o': out = optarg; break;
		case OPT_REPORT: report = optarg; break;
		case 'h':
			printf("Usage: corelink merge MANIFEST... -o OUT.json [--report FILE]\n"
			       "Merge shard manifests; copy their artifacts next to OUT.json (objects/).\n"
			       "A kernel in several inputs must have identical results (exit 1 if not).\n");
			rc = CORELINK_EXIT_OK;
			goto out;
		case ':':
			rc = usage_error("option '%s' needs an argument", argv[optind - 1]);
			goto out;
		default:
			rc = usage_error("unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (!n || !out) {
		rc = usage_error("merge: need MANIFEST... -o OUT.json");
		goto out;
	}
	if ((rc = refuse_file_aliases(in, n, "manifest", out, "output")) ||
	    (rc = refuse_file_aliases(in, n, "manifest", report, "report")))
		goto out;
	rc = CORELINK_EXIT_USAGE;
	if ((ret = corelink_merge_files(in, n, out, &m, &err))) {
		fprintf(stderr, "corelink: merge: %s\n", err.msg);
		rc = write_error(ret) ? CORELINK_EXIT_USAGE : CORELINK_EXIT_RELO;
		goto out;
	}
	rc = report && write_report(m, report) ? CORELINK_EXIT_USAGE : CORELINK_EXIT_OK;
out:
	corelink_manifest_free(m);
	free(in);
	return rc;
}

static int cmd_report(int argc, char **argv)
{
	struct corelink_manifest *m = NULL;
	struct btfdb_err err = { 0 };
	const char *in = NULL, *out = NULL;
	int i, rc;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("Usage: corelink report MANIFEST -o FILE.md|FILE.json|FILE.html|-\n");
			return CORELINK_EXIT_OK;
		} else if (!in && argv[i][0] != '-')
			in = argv[i];
		else
			return usage_error("report: unexpected argument '%s'", argv[i]);
	}
	if (!in || !out)
		return usage_error("report: need MANIFEST -o FILE");
	if ((rc = refuse_file_aliases(&in, 1, "manifest", out, "report")))
		return rc;
	if (corelink_manifest_load(in, &m, &err)) {
		fprintf(stderr, "corelink: report: %s\n", err.msg);
		return CORELINK_EXIT_RELO;
	}
	rc = write_report(m, out) ? CORELINK_EXIT_USAGE : CORELINK_EXIT_OK;
	corelink_manifest_free(m);
	return rc;
}

/* Options only batch mode has (long forms, with or without "=value"). */
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

bool cl_cli_batch_wants(int argc, char **argv)
{
	bool db = false, kernel = false;
	int i, nbtf = 0;

	if (argc > 1 && (!strcmp(argv[1], "pick") || !strcmp(argv[1], "merge") ||
			 !strcmp(argv[1], "report")))
		return true;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--") )
			break;
		if (batch_only_opt(argv[i]) || (argv[i][0] == '-' && argv[i][1] == 'j'))
			return true;
		if (!strcmp(argv[i], "--btf") || !strncmp(argv[i], "--btf=", 6))
			nbtf++;
		if (!strcmp(argv[i], "--db") || !strncmp(argv[i], "--db=", 5))
			db = true;
		if (!strcmp(argv[i], "--kernel") || !strncmp(argv[i], "--kernel=", 9))
			kernel = true;
	}
	return (db && !kernel) || nbtf > 1;
}

int cl_cli_batch_main(int argc, char **argv)
{
	if (!strcmp(argv[1], "pick"))
		return cmd_pick(argc, argv);
	if (!strcmp(argv[1], "merge"))
		return cmd_merge(argc, argv);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc, argv);
	return cmd_batch(argc, argv);
}
