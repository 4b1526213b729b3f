/* SPDX-License-Identifier: MIT */
/*
 * corelink merge: the manifests of a sharded batch into one (the work is
 * manifest_merge.c's; this file parses options and chooses the exit code).
 *
 *   corelink merge MANIFEST... -o OUT.json [--report FILE]
 *
 * Exit codes: 0 ok; 1 a conflict (a kernel with different results in two
 * inputs) or a bad manifest; 2 bad usage, or an output that cannot be written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "btfdb_json.h"
#include "cli.h"
#include "corelink_json.h"

/* An output that could not be written (exit 2), not a bad or conflicting manifest (1). */
static bool write_error(int ret)
{
	return ret == -ENOSPC || ret == -EFBIG || ret == -EIO || ret == -EDQUOT || ret == -EROFS;
}

static int cmd_merge(int argc, char **argv)
{
	enum { OPT_REPORT = 256 };
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
	optind = 1;
	while ((c = getopt_long(argc, argv, "-:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 1: in[n++] = optarg; break;
		case 'o': out = optarg; break;
		case OPT_REPORT: report = optarg; break;
		case 'h':
			cl_print_help(&cl_cmd_merge, stdout);
			rc = CORELINK_EXIT_OK;
			goto out;
		default:
			rc = cl_getopt_error(&cl_cmd_merge, c, argv);
			goto out;
		}
	}
	if (!n || !out) {
		rc = cl_usage_error(&cl_cmd_merge, "merge: need MANIFEST... -o OUT.json");
		goto out;
	}
	if ((rc = cl_refuse_file_aliases(in, n, "manifest", out, "output")) ||
	    (rc = cl_refuse_file_aliases(in, n, "manifest", report, "report")))
		goto out;
	rc = CORELINK_EXIT_USAGE;
	if ((ret = corelink_merge_files(in, n, out, &m, &err))) {
		fprintf(stderr, "corelink: merge: %s\n", err.msg);
		rc = write_error(ret) ? CORELINK_EXIT_USAGE : CORELINK_EXIT_RELO;
		goto out;
	}
	rc = report && cl_write_report(m, report) ? CORELINK_EXIT_USAGE : CORELINK_EXIT_OK;
	if (!rc && btfdb_json_on())
		btfdb_json_result(corelink_json_merge(in, n, out, report, m));
out:
	corelink_manifest_free(m);
	free(in);
	return rc;
}

const struct cl_cmd cl_cmd_merge = {
	.name = "merge",
	.fn = cmd_merge,
	.usage = "merge MANIFEST... -o OUT.json [--report FILE] [-j]",
	.summary = "the manifests of a sharded batch (--shard I/N) into one",
	.help = "Merge shard manifests into OUT.json; copy their artifacts next to it\n"
		"(objects/).  A kernel in several inputs must have identical results.\n"
		"\n"
		"  -o, --output F    the merged manifest\n"
		"  --report FILE     also its portability report (FILE.json, FILE.html or Markdown)\n"
		"  -j, --json        one JSON document on stdout (the inputs, the merged manifest's\n"
		"                    counts: docs/schema/corelink-merge.schema.json)\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 ok, 1 a conflict or a bad manifest, 2 bad usage or an output\n"
		"that cannot be written.\n",
};
