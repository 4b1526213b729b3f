/* SPDX-License-Identifier: MIT */
/* The CLI side of `corelink bundle` (cli_bundle.c), called from cli.c and cli_batch.c. */
#ifndef CORELINK_CLI_BUNDLE_H
#define CORELINK_CLI_BUNDLE_H

#include <stdbool.h>

#include "batch.h"
#include "btfdb_fileio.h"

/* True when argv[1] is "bundle". */
bool cl_cli_bundle_wants(int argc, char **argv);
/* Run `corelink bundle ...`; returns the process exit code. */
int cl_cli_bundle_main(int argc, char **argv);
/*
 * Write out (and c_header, when not NULL) from manifest m (the file manifest;
 * NULL = base_dir/manifest.json), whose artifact paths are relative to
 * base_dir, and the original objects; first refuses outputs that are the
 * manifest, an object or an artifact; prints errors and (unless quiet) a
 * summary; returns an exit code.
 */
int cl_cli_bundle_write(const struct corelink_manifest *m, const char *manifest,
			const char *base_dir, const char *const *objs, size_t nobjs,
			const char *out, const char *c_header, const char *var, bool quiet);
/*
 * Before anything is written: refuse (print, return an exit code) a bundle
 * output or its C header (either may be NULL) that is one of the n inputs
 * ins, whatever its spelling, or the same file as the other; 0 when none is.
 */
int cl_cli_bundle_refuse_aliases(const struct btfdb_fileio_path *ins, size_t n,
				 const char *bundle, const char *c_header);

#endif
