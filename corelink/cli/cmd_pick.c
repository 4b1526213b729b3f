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
	enum { OPT_RELEASE = 256, OPT_ARCH, OPT_DISTRO, OPT_DISTRO_VERSION, OPT_OBJECT,
	       OPT_OS_RELEASE };
	static const struct option lo[] = {
		{ "release", required_argument, NULL, OPT_RELEASE },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "distro", required_argument, NULL, OPT_DISTRO },
		{ "distro-version", required_argument, NULL, OPT_DISTRO_VERSION },
		{ "version", required_argument, NULL, OPT_DISTRO_VERSION }, /* the older spelling */
		{ "object", required_argument, NULL, OPT_OBJECT },
		{ "os-release", required_argument, NULL, OPT_OS_RELEASE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct corelink_pick_query q = { 0 };
	struct corelink_pick_result res;
	struct corelink_host host;
	struct btfdb_err err = { 0 };
	const char *os_release = NULL, *manifest = NULL;
	bool quiet = false;
	int c, ret;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "-:qh", lo, NULL)) != -1) {
		switch (c) {
		case 1:
			if (manifest)
				return usage_error("pick: one manifest only");
			manifest = optarg;
			break;
		case OPT_RELEASE: q.release = optarg; break;
		case OPT_ARCH: q.arch = optarg; break;
		case OPT_DISTRO: q.distro = optarg; break;
		case OPT_DISTRO_VERSION: q.version = optarg; break;
		case OPT_OBJECT: q.object = optarg; break;
		case OPT_OS_RELEASE: os_release = optarg; break;
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
		"  --release R       the kernel release (default: uname -r)\n"
		"  --arch A          the architecture (default: uname -m)\n"
		"  --distro D        the distribution (default: ID of /etc/os-release)\n"
		"  --distro-version V  its version (default: VERSION_ID); --version V is the same\n"
		"  --object NAME     which object, when the batch has several\n"
		"  --os-release FILE read ID and VERSION_ID from FILE instead\n"
		"  -q, --quiet       no warning about poisoned relocations that may be reached\n"
		"  -j, --json        one JSON document on stdout (the query and the choice:\n"
		"                    docs/schema/corelink-pick.schema.json)\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 the path printed, 1 nothing fits, 2 bad usage or manifest.\n",
};
