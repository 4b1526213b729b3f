/* SPDX-License-Identifier: MIT */
/*
 * corelink report: a batch's portability report from its manifest (the work
 * is report*.c's).
 *
 *   corelink report MANIFEST -o FILE.md|FILE.json|FILE.html|-
 *   corelink report MANIFEST -j [-o FILE.md|FILE.json|FILE.html]
 *
 * Exit codes: 0 ok; 1 a manifest that cannot be read; 2 bad usage or an
 * output that cannot be written.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "btfdb_json.h"
#include "cli.h"
#include "corelink_json.h"

#define usage_error(...) cl_usage_error(&cl_cmd_report, __VA_ARGS__)

static int cmd_report(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct corelink_manifest *m = NULL;
	struct btfdb_err err = { 0 };
	const char *in = NULL, *out = NULL;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "-:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 1:
			if (in)
				return usage_error("report: unexpected argument '%s'", optarg);
			in = optarg;
			break;
		case 'o': out = optarg; break;
		case 'h':
			cl_print_help(&cl_cmd_report, stdout);
			return CORELINK_EXIT_OK;
		default:
			return cl_getopt_error(&cl_cmd_report, c, argv);
		}
	}
	if (!in || (!out && !btfdb_json_on()))
		return usage_error("report: need MANIFEST -o FILE");
	if (out && btfdb_json_on() && !strcmp(out, "-"))
		return usage_error("report: -o - and --json both print on stdout");
	if ((rc = cl_refuse_file_aliases(&in, 1, "manifest", out, "report")))
		return rc;
	if (corelink_manifest_load(in, &m, &err)) {
		fprintf(stderr, "corelink: report: %s\n", err.msg);
		return CORELINK_EXIT_RELO;
	}
	rc = out && cl_write_report(m, out) ? CORELINK_EXIT_USAGE : CORELINK_EXIT_OK;
	if (!rc && btfdb_json_on())
		btfdb_json_result(corelink_report_json(m));
	corelink_manifest_free(m);
	return rc;
}

const struct cl_cmd cl_cmd_report = {
	.name = "report",
	.fn = cmd_report,
	.usage = "report MANIFEST -o FILE.md|FILE.json|FILE.html|-\n"
		 "report MANIFEST -j [-o FILE.md|FILE.json|FILE.html]",
	.summary = "a batch's portability report (Markdown, JSON or one HTML page)",
	.help = "Write the portability report of a batch's manifest: FILE.json is JSON,\n"
		"FILE.html one self-contained page (the kernels x programs matrix), anything\n"
		"else Markdown; '-' is stdout (Markdown).\n"
		"\n"
		"  -o, --output F    the report\n"
		"  -j, --json        the report as one JSON document on stdout\n"
		"                    (docs/schema/corelink-report.schema.json)\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 ok, 1 a manifest that cannot be read, 2 bad usage or an output\n"
		"that cannot be written.\n",
};
