/* SPDX-License-Identifier: MIT */
/*
 * The btfdb tool's commands (btfdb/cli): one table (main.c), the commands
 * that write a database (cmd_write.c) and those that read one (cmd_read.c).
 * Adding a command: a `const struct btfdb_cli_cmd btfdb_cmd_<name>` next to
 * its function (with its help), its declaration below, one line in
 * btfdb_cmds[] (main.c).
 *
 * Exit status: 0 success; 1 the request cannot be met (kernel not in the
 * database, name already present, ...); 2 bad usage, or a database that
 * cannot be read or fails verification (bad input, as for corelink).
 * Every failure is printed once, on stderr, as "btfdb: <message>".
 */
#ifndef BTFDB_CLI_H
#define BTFDB_CLI_H

#include "btfdb_db.h"

#define BTFDB_EXIT_USAGE 2

/* The command line after the command name: positional arguments and the
 * options every command spells the same way (-o/--output, --name, -q/--quiet). */
struct btfdb_cli_opts {
	const struct btfdb_cli_cmd *cmd;
	const char *out, *name;
	char **pos;
	int npos;
};

struct btfdb_cli_cmd {
	const char *name;                      /* the word after "btfdb" */
	int (*fn)(struct btfdb_cli_opts *o);   /* returns the exit code */
	const char *usage;                     /* what follows "btfdb " */
	const char *summary;                   /* one line for the command list */
	const char *help;                      /* description and options */
};

extern const struct btfdb_cli_cmd btfdb_cmd_build, btfdb_cmd_add, btfdb_cmd_rm,
	btfdb_cmd_compact, btfdb_cmd_ls, btfdb_cmd_info, btfdb_cmd_show, btfdb_cmd_extract,
	btfdb_cmd_verify;

/* -q/--quiet was given. */
extern int btfdb_cli_quiet;

/*
 * Before anything is written: the output must not be one of the inputs
 * (sources, database), whatever the spelling, nor a file that a source
 * directory's walk would read.  Prints the message; exit code or 0.
 */
int btfdb_cli_refuse_aliases(char *const *srcs, int nsrc, const char *db, const char *out);

/* o's command used wrongly: its usage on stderr; returns 2. */
int btfdb_cli_usage(const struct btfdb_cli_opts *o);
/* "btfdb: <message>"; returns 1. */
int btfdb_cli_fail(const struct btfdb_err *err);
/* A database that cannot be read or is corrupt: bad input; returns 2. */
int btfdb_cli_fail_input(const struct btfdb_err *err);

#endif /* BTFDB_CLI_H */
