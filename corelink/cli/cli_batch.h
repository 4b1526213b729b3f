/* SPDX-License-Identifier: MIT */
/* The CLI side of batch mode, pick, merge and report (cli_batch.c), called from cli.c. */
#ifndef CORELINK_CLI_BATCH_H
#define CORELINK_CLI_BATCH_H

#include <stdbool.h>

/*
 * True when argv asks for one of these modes: a first argument "pick",
 * "merge" or "report"; or a batch-only option (--btfhub, --btf-name,
 * --shard, --tree, --report, --fail-on, -j/--jobs); or --btf more than
 * once; or --db without --kernel (a single-kernel database lookup stays
 * with cli.c).
 */
bool cl_cli_batch_wants(int argc, char **argv);
/* Run that mode; returns the process exit code. */
int cl_cli_batch_main(int argc, char **argv);

#endif
