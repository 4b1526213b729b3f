/* SPDX-License-Identifier: MIT */
/*
 * corelink pick: which artifact of a batch this host loads (the work is
 * pick.c's; this file reads the host and prints the path).
 *
 *   corelink pick MANIFEST [--release R] [--arch A] [--distro D] [--distro-version V]
 *            [--object NAME] [--os-release FILE] [-q] [-j]
 *
 * Exit codes: 0 the path printed; 1 nothing fits (no such kernel, no build
 * for this architecture, the object failed there); 2 bad usage or a
 * manifest that cannot be read.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "btfdb_json.h"
#include "cli.h"
#include "corelink_json.h"

#define usage_error(...) cl_usage_error(&cl_cmd_pick, __VA_ARGS__)

static int cmd_pick(int argc, char **argv)
{
	enum { OPT_OBJECT = 256 };
	static const struct option lo[] = {
		CL_HOST_OPTIONS,
		{ "object", required_argument, NULL, OPT_OBJECT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct corelink_pick_query q = { 0 };
	struct corelink_pick_result res;
	struct corelink_host host;
	struct cl_host_sel sel = { 0 };
	struct btfdb_err err = { 0 };
	const char *manifest = NULL;
	bool quiet = false;
	int c, ret;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "-:qh", lo, NULL)) != -1) {
		if (cl_host_option(c, optarg, &sel))
			continue;
		switch (c) {
		case 1:
			if (manifest)
				return usage_error("pick: one manifest only");
			manifest = optarg;
			break;
		case OPT_OBJECT: q.object = optarg; break;
		case 'q': quiet = true; break;
		case 'h':
			cl_print_help(&cl_cmd_pick, stdout);
			return CORELINK_EXIT_OK;
		default:
			return cl_getopt_error(&cl_cmd_pick, c, argv);
		}
	}
	if (!manifest)
		return usage_error("pick: missing MANIFEST");
	if (corelink_host_detect(&host, sel.os_release, &err)) {
		fprintf(stderr, "corelink: pick: %s\n", err.msg);
		return CORELINK_EXIT_RELO;
	}
	q.release = sel.release ? sel.release : host.release;
	q.arch = sel.arch ? sel.arch : host.arch;
	q.distro = sel.distro ? sel.distro : host.distro;
	q.version = sel.version ? sel.version : host.version;
	ret = corelink_pick(manifest, &q, &res, &err);
	if (ret) {
		fprintf(stderr, "corelink: pick: %s\n", err.msg);
		return ret == -EINVAL && !strstr(err.msg, "object") ? CORELINK_EXIT_USAGE
								    : CORELINK_EXIT_RELO;
	}
	printf("%s\n", res.path);
	if (btfdb_json_on())
		btfdb_json_result(corelink_json_pick(manifest, &q, &res));
	if (res.unguarded && !quiet)
		fprintf(stderr, "corelink: pick: warning: %s on %s has %zu poisoned relocation(s) that may be reached\n",
			res.object, res.kernel, res.unguarded);
	corelink_pick_result_clear(&res);
	return CORELINK_EXIT_OK;
}

const struct cl_cmd cl_cmd_pick = {
	.name = "pick",
	.fn = cmd_pick,
	.usage = "pick MANIFEST [--release R] [--arch A] [--distro D] [--distro-version V]\n"
		 "pick MANIFEST [--object NAME] [--os-release FILE] [-q] [-j]",
	.summary = "the artifact of a batch for this host (or the kernel given)",
	.help = "Print the path of the artifact built for this host (uname -r / -m,\n"
		"/etc/os-release ID and VERSION_ID; each overridable).  The release must match\n"
		"exactly; distro and version break ties; an object built for several\n"
		"architectures resolves by the host's.\n"
		"\n"
		CL_HOST_HELP
		"  --object NAME     which object, when the batch has several\n"
		"  -q, --quiet       no warning about poisoned relocations that may be reached\n"
		"  -j, --json        one JSON document on stdout (the query and the choice:\n"
		"                    docs/schema/corelink-pick.schema.json)\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 the path printed, 1 nothing fits, 2 bad usage or manifest.\n",
};
