/* SPDX-License-Identifier: MIT */
/* The CLI side of `corelink bundle` (cli_bundle.c), called from cli.c and cli_batch.c. */
#ifndef CORELINK_CLI_BUNDLE_H
#define CORELINK_CLI_BUNDLE_H

#include <stdbool.h>

#include "batch.h"

/* True when argv[1] is "bundle". */
bool cl_cli_bundle_wants(int argc, char **argv);
/* Run `corelink bundle ...`; returns the process exit code. */
int cl_cli_bundle_main(int argc, char **argv);
/*
 * Write out (and c_header, when not NULL) from manifest m, whose artifact
 * paths are relative to base_dir, and the original objects; prints errors
 * and (unless quiet) a summary; returns an exit code.
 */
int cl_cli_bundle_write(const struct corelink_manifest *m, const char *base_dir,
			const char *const *objs, size_t nobjs, const char *out,
			const char *c_header, const char *var, bool quiet);

#endif
