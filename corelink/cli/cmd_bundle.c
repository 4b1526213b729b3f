/* SPDX-License-Identifier: MIT */
/*
 * corelink bundle and its subcommands: the command-line side (prints, parses
 * options, chooses exit codes; writing is bundle_write.c, reading the
 * libc-only runtime runtime/corelink_bundle.c, the same code a loader links).
 *
 *   corelink bundle MANIFEST OBJ.o... -o APP.bundle [--c-header APP.bundle.h] [--name VAR] [-q]
 *   corelink bundle ls FILE
 *   corelink bundle get FILE [OBJECT] [--release R] [--arch A] [--distro D] [--distro-version V]
 *            [--os-release FILE] [--btf PATH | --no-fallback] -o OUT.o [-q]
 *   corelink bundle verify FILE
 *
 * The subcommands are a table as the tool's commands are (bundle_cmds[]):
 * 'corelink help bundle get' == 'corelink bundle get -h'.
 *
 * Exit codes: 0 ok; 1 nothing fits this host (get: no match, ambiguous, the
 * object failed on that kernel); 2 bad usage, a damaged bundle or input, or
 * output that cannot be written.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "btfdb_json.h"
#include "bundle.h"
#include "cli.h"
#include "corelink_bundle.h"
#include "corelink_json.h"
#include "json_bundle.h"

static const struct cl_cmd cl_cmd_bundle_ls, cl_cmd_bundle_get, cl_cmd_bundle_verify;

/* "corelink: bundle: <msg>" and a line pointing at c's help; exit code 2. */
#define usage_error(c, ...) cl_usage_error(c, "bundle: " __VA_ARGS__)

/* "corelink: bundle: <msg>" (the runtime's messages do not name the file). */
static int bundle_error(const char *file, const char *msg)
{
	size_t n = strlen(file);

	if (!strncmp(msg, file, n) && msg[n] == ':')
		fprintf(stderr, "corelink: bundle: %s\n", msg);
	else
		fprintf(stderr, "corelink: bundle: %s: %s\n", file, msg);
	return CORELINK_EXIT_USAGE;
}

/* ------------------------------------------------------------------ */
/* Outputs that are inputs                                             */
/* ------------------------------------------------------------------ */

int cl_bundle_refuse_aliases(const struct btfdb_fileio_path *ins, size_t n,
				 const char *bundle, const char *c_header)
{
	struct btfdb_fileio_path out[2] = { { bundle, "bundle", false },
					    { c_header, "C header", false } };
	struct btfdb_err err = { 0 };
	struct stat a, b;
	size_t i, j;

	if (btfdb_fileio_refuse_aliases(ins, n, out, 2, &err)) {
		fprintf(stderr, "corelink: bundle: %s\n", err.msg);
		return CORELINK_EXIT_USAGE;
	}
	/* an input not written yet (the batch's manifest or report), spelled the same */
	for (j = 0; j < 2; j++)
		for (i = 0; out[j].path && i < n; i++)
			if (ins[i].path && !strcmp(ins[i].path, out[j].path)) {
				fprintf(stderr, "corelink: bundle: refusing to overwrite the %s %s: the %s %s is the same file\n",
					ins[i].what, ins[i].path, out[j].what, out[j].path);
				return CORELINK_EXIT_USAGE;
			}
	/* the header would replace the bundle just written */
	if (bundle && c_header &&
	    (!strcmp(bundle, c_header) ||
	     (!stat(bundle, &a) && !stat(c_header, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino))) {
		fprintf(stderr, "corelink: bundle: refusing to write the C header %s over the bundle %s: the same file\n",
			c_header, bundle);
		return CORELINK_EXIT_USAGE;
	}
	return 0;
}

/* The inputs of `corelink bundle MANIFEST OBJ...`: the manifest, the objects, every artifact. */
static int refuse_build_aliases(const struct corelink_manifest *m, const char *manifest,
				const char *dir, const char *const *objs, size_t nobjs,
				const char *out, const char *c_header)
{
	size_t i, j, k, n = 0, max = 1 + nobjs;
	struct btfdb_fileio_path *in;
	char **paths;
	int rc = CORELINK_EXIT_USAGE;

	for (k = 0; k < m->nr_kernels; k++)
		max += m->nr_objects;
	in = calloc(max, sizeof(*in));
	paths = calloc(max, sizeof(*paths));
	if (!in || !paths) {
		fprintf(stderr, "corelink: bundle: out of memory\n");
		goto out;
	}
	in[n++] = (struct btfdb_fileio_path){ manifest, "manifest", false };
	for (i = 0; i < nobjs; i++)
		in[n++] = (struct btfdb_fileio_path){ objs[i], "input object", false };
	for (k = 0; k < m->nr_kernels; k++)
		for (j = 0; j < m->nr_objects; j++) {
			const char *rel = m->kernels[k].entries[j].artifact;

			if (!rel)
				continue;
			if (!(paths[n] = malloc(strlen(dir) + strlen(rel) + 2))) {
				fprintf(stderr, "corelink: bundle: out of memory\n");
				goto out;
			}
			sprintf(paths[n], "%s/%s", dir, rel);
			in[n] = (struct btfdb_fileio_path){ paths[n], "artifact", false };
			n++;
		}
	rc = cl_bundle_refuse_aliases(in, n, out, c_header);
out:
	for (i = 0; paths && i < max; i++)
		free(paths[i]);
	free(paths);
	free(in);
	return rc;
}

/* ------------------------------------------------------------------ */
/* corelink bundle MANIFEST OBJ... -o FILE                             */
/* ------------------------------------------------------------------ */

/* Shared with the batch's --bundle: write FILE (and the C header) from m. */
int cl_bundle_write(const struct corelink_manifest *m, const char *manifest,
			const char *base_dir, const char *const *objs, size_t nobjs,
			const char *out, const char *c_header, const char *var, bool quiet,
			struct corelink_bundle_stats *stats)
{
	struct corelink_bundle_stats st;
	struct btfdb_err err = { 0 };
	char *mf = NULL;
	void *buf = NULL;
	size_t size = 0;
	int rc = CORELINK_EXIT_USAGE;

	if (!manifest) {
		if (!(mf = malloc(strlen(base_dir) + sizeof("/manifest.json")))) {
			fprintf(stderr, "corelink: bundle: out of memory\n");
			return rc;
		}
		sprintf(mf, "%s/manifest.json", base_dir);
	}
	rc = refuse_build_aliases(m, manifest ? manifest : mf, base_dir, objs, nobjs, out, c_header);
	free(mf);
	if (rc)
		return rc;
	rc = CORELINK_EXIT_USAGE;

	if (corelink_bundle_build(m, base_dir, objs, nobjs, &buf, &size, &st, &err)) {
		fprintf(stderr, "corelink: bundle: %s\n", err.msg);
		return rc;
	}
	if (corelink_write_file_atomic(out, buf, size, &err) ||
	    (c_header && corelink_bundle_write_c_header(buf, size, c_header, var, &err))) {
		fprintf(stderr, "corelink: bundle: %s\n", err.msg);
		goto out;
	}
	if (!quiet)
		fprintf(stderr,
			"corelink: bundle: %s: %zu bytes: %zu object(s) (%zu bytes), %zu kernel(s), %zu distinct artifact(s) (%zu bytes) as base deltas %zu + patches %zu + tables %zu\n",
			out, st.total, st.objects, st.orig_bytes, st.kernels, st.artifacts,
			st.artifact_bytes, st.base_bytes, st.patch_bytes, st.table_bytes);
	if (stats)
		*stats = st;
	rc = CORELINK_EXIT_OK;
out:
	free(buf);
	return rc;
}

static int cmd_build(int argc, char **argv)
{
	enum { OPT_C_HEADER = 256, OPT_NAME };
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "c-header", required_argument, NULL, OPT_C_HEADER },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *c_header = NULL, *var = NULL, *manifest = NULL;
	const char **objs = calloc((size_t)argc, sizeof(*objs));
	struct corelink_bundle_stats st;
	struct corelink_manifest *m = NULL;
	struct btfdb_err err = { 0 };
	size_t nobjs = 0;
	char *dir = NULL;
	bool quiet = false;
	int c, rc = CORELINK_EXIT_USAGE;

	if (!objs)
		return rc;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "-:o:qh", lo, NULL)) != -1) {
		switch (c) {
		case 1:
			if (!manifest)
				manifest = optarg;
			else
				objs[nobjs++] = optarg;
			break;
		case 'o': out = optarg; break;
		case OPT_C_HEADER: c_header = optarg; break;
		case OPT_NAME: var = optarg; break;
		case 'q': quiet = true; break;
		case 'h':
			cl_print_help(&cl_cmd_bundle, stdout);
			rc = CORELINK_EXIT_OK;
			goto out;
		default:
			rc = cl_getopt_error(&cl_cmd_bundle, c, argv);
			goto out;
		}
	}
	if (!manifest || !out) {
		rc = usage_error(&cl_cmd_bundle, "need MANIFEST OBJ.o... -o APP.bundle");
		goto out;
	}
	if (corelink_manifest_load(manifest, &m, &err)) {
		fprintf(stderr, "corelink: bundle: %s\n", err.msg);
		goto out;
	}
	dir = strdup(manifest);
	if (!dir)
		goto out;
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = 0;
	else
		strcpy(dir, ".");
	rc = cl_bundle_write(m, manifest, dir, objs, nobjs, out, c_header, var, quiet, &st);
	if (!rc && btfdb_json_on())
		btfdb_json_result(corelink_json_bundle(out, c_header, &st));
out:
	corelink_manifest_free(m);
	free(dir);
	free(objs);
	return rc;
}

/* ------------------------------------------------------------------ */
/* ls, get, verify                                                     */
/* ------------------------------------------------------------------ */

static int open_bundle(const char *path, struct corelink_bundle **b)
{
	struct corelink_bundle_err err;

	if (corelink_bundle_open_file(path, b, &err))
		return bundle_error(path, err.msg);
	return 0;
}

/* The command line of ls and verify: FILE, or -h; -1 to go on, or an exit code. */
static int one_file(const struct cl_cmd *c, int argc, char **argv, const char **file)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*file = NULL;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "-:h", lo, NULL)) != -1) {
		switch (opt) {
		case 1:
			if (*file)
				return usage_error(c, "%s: unexpected argument '%s'", c->name, optarg);
			*file = optarg;
			break;
		case 'h':
			cl_print_help(c, stdout);
			return CORELINK_EXIT_OK;
		default:
			return cl_getopt_error(c, opt, argv);
		}
	}
	if (!*file)
		return usage_error(c, "%s needs FILE", c->name);
	return -1;
}

static int cmd_ls(int argc, char **argv)
{
	struct corelink_bundle *b;
	const char *file;
	uint32_t i, j;
	int rc = one_file(&cl_cmd_bundle_ls, argc, argv, &file);

	if (rc >= 0)
		return rc;
	if (open_bundle(file, &b))
		return CORELINK_EXIT_USAGE;
	if (btfdb_json_on()) {
		btfdb_json_result(cl_json_bundle_ls(file, b));
		corelink_bundle_close(b);
		return CORELINK_EXIT_OK;
	}
	printf("bundle %s: %u object(s), %u artifact(s), %u kernel(s)\n", file,
	       corelink_bundle_nr_objects(b), corelink_bundle_nr_artifacts(b),
	       corelink_bundle_nr_kernels(b));
	printf("objects:\n");
	for (i = 0; i < corelink_bundle_nr_objects(b); i++) {
		struct corelink_bundle_object o;

		corelink_bundle_object(b, i, &o);
		printf("  %-24s %-8s original %" PRIu64 " bytes, %u artifact(s), base #%u\n", o.name,
		       o.arch[0] ? o.arch : "any", o.orig_size, o.nr_artifacts, o.base);
	}
	printf("artifacts:\n");
	for (i = 0; i < corelink_bundle_nr_artifacts(b); i++) {
		struct corelink_bundle_artifact a;
		struct corelink_bundle_object o;

		corelink_bundle_artifact(b, i, &a);
		corelink_bundle_object(b, a.object, &o);
		printf("  #%-4u %-24s %8" PRIu64 " bytes  %-5s %6" PRIu64 " bytes  xxh64 %016" PRIx64 "\n",
		       i, o.name, a.size, a.encoding == CORELINK_BUNDLE_ENC_DELTA ? "delta" : "patch",
		       a.data_size, a.hash);
	}
	printf("kernels:\n");
	for (i = 0; i < corelink_bundle_nr_kernels(b); i++) {
		struct corelink_bundle_kernel k;
		char id[512];

		corelink_bundle_kernel(b, i, &k);
		snprintf(id, sizeof(id), "%s/%s/%s/%s", k.distro, k.version, k.arch, k.release);
		printf("  %-60s btf %08" PRIx32, id, k.btf_hash);
		for (j = 0; j < corelink_bundle_nr_objects(b); j++) {
			struct corelink_bundle_entry e;
			struct corelink_bundle_object o;

			corelink_bundle_entry(b, i, j, &e);
			corelink_bundle_object(b, j, &o);
			if (e.status == CORELINK_BUNDLE_SKIPPED)
				continue;
			if (e.status == CORELINK_BUNDLE_ERROR)
				printf(" %s=error", o.name);
			else
				printf(" %s=%s#%u", o.name, corelink_bundle_status_str(e.status), e.artifact);
		}
		printf("\n");
	}
	corelink_bundle_close(b);
	return CORELINK_EXIT_OK;
}

static int cmd_get(int argc, char **argv)
{
	enum { OPT_BTF = 256, OPT_NO_FALLBACK };
	static const struct option lo[] = {
		CL_HOST_OPTIONS,
		{ "btf", required_argument, NULL, OPT_BTF },
		{ "no-fallback", no_argument, NULL, OPT_NO_FALLBACK },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct corelink_bundle_query q = { 0 };
	struct cl_host_sel sel = { 0 };
	struct corelink_bundle_choice ch;
	struct corelink_bundle_err err;
	struct corelink_bundle *b = NULL;
	struct btfdb_err werr = { 0 };
	const char *file = NULL, *out = NULL;
	void *buf = NULL;
	bool quiet = false;
	int c, ret, rc = CORELINK_EXIT_USAGE;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "-:o:qh", lo, NULL)) != -1) {
		if (cl_host_option(c, optarg, &sel))
			continue;
		switch (c) {
		case 1:
			if (!file)
				file = optarg;
			else if (!q.object)
				q.object = optarg;
			else
				return usage_error(&cl_cmd_bundle_get, "get: unexpected argument '%s'", optarg);
			break;
		case OPT_BTF: q.btf_path = optarg; break;
		case OPT_NO_FALLBACK: q.btf_path = ""; break;
		case 'o': out = optarg; break;
		case 'q': quiet = true; break;
		case 'h':
			cl_print_help(&cl_cmd_bundle_get, stdout);
			return CORELINK_EXIT_OK;
		default:
			return cl_getopt_error(&cl_cmd_bundle_get, c, argv);
		}
	}
	if (!file || !out)
		return usage_error(&cl_cmd_bundle_get, "get needs FILE [OBJECT] -o OUT.o");
	q.release = sel.release;
	q.arch = sel.arch;
	q.distro = sel.distro;
	q.version = sel.version;
	q.os_release = sel.os_release;
	{
		struct btfdb_fileio_path in = { file, "bundle", false }, o = { out, "output", false };

		if (btfdb_fileio_refuse_aliases(&in, 1, &o, 1, &werr)) {
			fprintf(stderr, "corelink: bundle: %s\n", werr.msg);
			return CORELINK_EXIT_USAGE;
		}
	}
	if (open_bundle(file, &b))
		return CORELINK_EXIT_USAGE;
	ret = corelink_bundle_select(b, &q, &ch, &err);
	if (ret) {
		fprintf(stderr, "corelink: bundle: %s\n", err.msg);
		rc = ret == -EINVAL ? CORELINK_EXIT_USAGE : CORELINK_EXIT_RELO;
		goto out;
	}
	buf = malloc(ch.size ? (size_t)ch.size : 1);
	if (!buf) {
		fprintf(stderr, "corelink: bundle: out of memory\n");
		goto out;
	}
	if (corelink_bundle_materialize(b, &ch, buf, (size_t)ch.size, &err)) {
		bundle_error(file, err.msg);
		goto out;
	}
	if (corelink_write_file_atomic(out, buf, (size_t)ch.size, &werr)) {
		fprintf(stderr, "corelink: bundle: %s\n", werr.msg);
		goto out;
	}
	if (btfdb_json_on())
		btfdb_json_result(cl_json_bundle_get(file, b, &ch, out));
	if (ch.how == CORELINK_BUNDLE_EXACT) {
		struct corelink_bundle_kernel k;

		corelink_bundle_kernel(b, ch.kernel, &k);
		printf("exact %s/%s/%s/%s artifact #%u (%s)\n", k.distro, k.version, k.arch, k.release,
		       ch.artifact, corelink_bundle_status_str(ch.status));
		if (ch.status == CORELINK_BUNDLE_POISONED && !quiet)
			fprintf(stderr, "corelink: bundle: warning: %u poisoned relocation(s) may be reached on %s\n",
				ch.unguarded, ch.release);
	} else {
		printf("fallback-btf: kernel %s is not in the bundle; the original CO-RE object (the kernel has BTF)\n",
		       ch.release);
	}
	rc = CORELINK_EXIT_OK;
out:
	free(buf);
	corelink_bundle_close(b);
	return rc;
}

static int cmd_verify(int argc, char **argv)
{
	struct corelink_bundle *b;
	struct corelink_bundle_err err;
	const char *file;
	uint32_t i;
	uint64_t bytes = 0;
	int rc = one_file(&cl_cmd_bundle_verify, argc, argv, &file);

	if (rc >= 0)
		return rc;
	rc = CORELINK_EXIT_OK;
	if (open_bundle(file, &b))
		return CORELINK_EXIT_USAGE;
	/* every original and every artifact rebuilt and checked against its hash */
	for (i = 0; i < corelink_bundle_nr_objects(b) + corelink_bundle_nr_artifacts(b) && !rc; i++) {
		uint32_t obj = i, art = CORELINK_BUNDLE_NONE;
		uint64_t size;
		void *buf;

		if (i >= corelink_bundle_nr_objects(b)) {
			struct corelink_bundle_artifact a;

			art = i - corelink_bundle_nr_objects(b);
			corelink_bundle_artifact(b, art, &a);
			obj = a.object;
			size = a.size;
		} else {
			struct corelink_bundle_object o;

			corelink_bundle_object(b, obj, &o);
			size = o.orig_size;
		}
		buf = malloc(size ? (size_t)size : 1);
		if (!buf) {
			fprintf(stderr, "corelink: bundle: out of memory\n");
			rc = CORELINK_EXIT_USAGE;
		} else if (corelink_bundle_materialize_artifact(b, obj, art, buf, (size_t)size, &err)) {
			rc = bundle_error(file, err.msg);
		}
		bytes += size;
		free(buf);
	}
	/* kernels strictly sorted by identity (what the writer promises) */
	for (i = 1; i < corelink_bundle_nr_kernels(b) && !rc; i++) {
		struct corelink_bundle_kernel a, k;
		int d;

		corelink_bundle_kernel(b, i - 1, &a);
		corelink_bundle_kernel(b, i, &k);
		if (!(d = strcmp(a.distro, k.distro)) && !(d = strcmp(a.version, k.version)) &&
		    !(d = strcmp(a.arch, k.arch)))
			d = strcmp(a.release, k.release);
		if (d >= 0) {
			fprintf(stderr, "corelink: bundle: %s: kernel %u is out of order\n", file, i);
			rc = CORELINK_EXIT_USAGE;
		}
	}
	if (!rc && btfdb_json_on())
		btfdb_json_result(cl_json_bundle_verify(file, b, bytes));
	if (!rc)
		printf("%s: ok: %u object(s), %u artifact(s) rebuilt (%" PRIu64 " bytes), %u kernel(s)\n",
		       file, corelink_bundle_nr_objects(b), corelink_bundle_nr_artifacts(b), bytes,
		       corelink_bundle_nr_kernels(b));
	corelink_bundle_close(b);
	return rc;
}

static const struct cl_cmd cl_cmd_bundle_ls = {
	.name = "ls",
	.fn = cmd_ls,
	.usage = "bundle ls FILE",
	.summary = "objects, artifacts and kernels x objects with statuses",
	.help = "List a bundle: its objects (name, architecture, original size, base),\n"
		"its artifacts (size, encoding, hash) and each kernel with its BTF hash and\n"
		"every object's status and artifact there.\n"
		"\n"
		"  -j, --json        one JSON document on stdout\n"
		"                    (docs/schema/corelink-bundle-ls.schema.json)\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 ok, 2 bad usage or a damaged bundle.\n",
	.parent = &cl_cmd_bundle,
};

static const struct cl_cmd cl_cmd_bundle_get = {
	.name = "get",
	.fn = cmd_get,
	.usage = "bundle get FILE [OBJECT] [--release R] [--arch A] [--distro D] [--distro-version V]\n"
		 "bundle get FILE [OBJECT] [--os-release FILE] [--btf PATH | --no-fallback] -o OUT.o [-q]",
	.summary = "the object for this host (or the kernel given)",
	.help = "Select for this host (uname -r/-m, /etc/os-release), or the identity given,\n"
		"and write the object: the kernel's artifact, or for a kernel not in the\n"
		"bundle with kernel BTF the original CO-RE object.  OBJECT: which object, when\n"
		"the bundle has several.\n"
		"\n"
		CL_HOST_HELP
		"  --btf PATH        the kernel BTF that makes a kernel not in the bundle fit\n"
		"                    (default /sys/kernel/btf/vmlinux)\n"
		"  --no-fallback     only kernels in the bundle\n"
		"  -o, --output F    the object (written atomically)\n"
		"  -q, --quiet       no warning about poisoned relocations that may be reached\n"
		"  -j, --json        one JSON document on stdout\n"
		"                    (docs/schema/corelink-bundle-get.schema.json)\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 ok, 1 nothing fits this host, 2 bad usage or a damaged bundle.\n",
	.parent = &cl_cmd_bundle,
};

static const struct cl_cmd cl_cmd_bundle_verify = {
	.name = "verify",
	.fn = cmd_verify,
	.usage = "bundle verify FILE",
	.summary = "check every checksum and rebuild every artifact",
	.help = "Check every checksum, rebuild every original and artifact against its hash,\n"
		"and check that the kernels are in order.\n"
		"\n"
		"  -j, --json        one JSON document on stdout\n"
		"                    (docs/schema/corelink-bundle-verify.schema.json)\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 ok, 2 bad usage or a damaged bundle.\n",
	.parent = &cl_cmd_bundle,
};

static const struct cl_cmd *const bundle_cmds[] = {
	&cl_cmd_bundle_ls, &cl_cmd_bundle_get, &cl_cmd_bundle_verify, NULL,
};

/* corelink bundle SUBCOMMAND ..., or corelink bundle MANIFEST OBJ.o... -o FILE */
static int cmd_bundle(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		cl_print_help(&cl_cmd_bundle, stderr);
		return CORELINK_EXIT_USAGE;
	}
	for (i = 0; bundle_cmds[i]; i++)
		if (!strcmp(argv[1], bundle_cmds[i]->name))
			return bundle_cmds[i]->fn(argc - 1, argv + 1);
	return cmd_build(argc, argv);
}

const struct cl_cmd cl_cmd_bundle = {
	.name = "bundle",
	.fn = cmd_bundle,
	.usage = "bundle MANIFEST OBJ.o... -o APP.bundle [--c-header FILE.h] [--name VAR] [-q]\n"
		 "bundle ls FILE\n"
		 "bundle get FILE [OBJECT] [options] -o OUT.o\n"
		 "bundle verify FILE",
	.summary = "a batch packed into one file for loaders; ls, get, verify",
	.help = "Pack a batch (MANIFEST and its objects/ directory, plus the original\n"
		"objects OBJ.o...) into one bundle: the original CO-RE objects, one base\n"
		"artifact each and every other artifact as byte patches, and the kernel\n"
		"table (format: corelink/runtime/BUNDLE_FORMAT.md).  A batch writes one\n"
		"directly with --bundle FILE.  Loaders read it with the libc-only runtime\n"
		"(corelink_bundle.h, pkg-config corelink-bundle).\n"
		"\n"
		"  -o, --output F     the bundle (written atomically)\n"
		"  --c-header F.h     also a C header embedding the bytes (static const unsigned char[])\n"
		"  --name VAR         the array's name in --c-header (default: from the file name)\n"
		"  -q, --quiet        no summary\n"
		"  -j, --json         one JSON document on stdout\n"
		"                     (docs/schema/corelink-bundle.schema.json)\n"
		"  -h, --help         this help\n"
		"\n"
		"Exit status: 0 ok, 1 nothing fits (get), 2 bad usage or a damaged bundle.\n",
	.subs = bundle_cmds,
};
