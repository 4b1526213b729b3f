/* SPDX-License-Identifier: MIT */
/*
 * btfdb: build and inspect a database of many kernels' BTF.  The command
 * table, the option parsing every command shares, and help:
 *
 *   btfdb COMMAND [ARGS...]       a command of btfdb_cmds[]
 *   btfdb help [COMMAND], btfdb -h, btfdb COMMAND -h
 *   -j, --json (any command): one JSON document on stdout (btfdb/json)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btfdb_cli.h"
#include "btfdb_fileio.h"
#include "btfdb_json.h"

static const struct btfdb_cli_cmd *const btfdb_cmds[] = {
	&btfdb_cmd_build, &btfdb_cmd_add,  &btfdb_cmd_rm,      &btfdb_cmd_compact,
	&btfdb_cmd_ls,    &btfdb_cmd_info, &btfdb_cmd_show,    &btfdb_cmd_extract,
	&btfdb_cmd_verify, NULL,
};

int btfdb_cli_quiet;

static const char sources_help[] =
	"SRC: a BTFHub-layout directory, a .btf / .btf.tar.xz file or a vmlinux ELF.\n"
	"KERNEL: the full name (distro/version/arch/release) or a unique release.\n";

/* Every command's usage line (and, with summaries, what it does). */
static void print_help(FILE *f, bool summaries)
{
	size_t i;

	for (i = 0; btfdb_cmds[i]; i++) {
		if (summaries)
			fprintf(f, "%s btfdb %-36s %s\n", i ? "      " : "usage:", btfdb_cmds[i]->usage,
				btfdb_cmds[i]->summary);
		else
			fprintf(f, "%s btfdb %s\n", i ? "      " : "usage:", btfdb_cmds[i]->usage);
	}
	fputs(sources_help, f);
	if (summaries)
		fputs("Options of every command:\n"
		      "  -q, --quiet      no progress messages\n"
		      "  -j, --json       one JSON document on stdout (docs/schema/btfdb-*.schema.json)\n"
		      "\n'btfdb help COMMAND' (or 'btfdb COMMAND -h') shows a command's options.\n", f);
}

static void print_cmd_help(const struct btfdb_cli_cmd *c, FILE *f)
{
	fprintf(f, "usage: btfdb %s\n", c->usage);
	fputs(c->help, f);
	fputs("  -j, --json       one JSON document on stdout (docs/schema/btfdb-*.schema.json)\n"
	      "  -h, --help       this help\n\n", f);
	fputs(sources_help, f);
}

int btfdb_cli_usage(const struct btfdb_cli_opts *o)
{
	fprintf(stderr, "usage: btfdb %s\nTry 'btfdb help %s' for more information.\n",
		o->cmd->usage, o->cmd->name);
	return BTFDB_EXIT_USAGE;
}

int btfdb_cli_fail(const struct btfdb_err *err)
{
	fprintf(stderr, "btfdb: %s\n", err->msg[0] ? err->msg : "failed");
	return 1;
}

int btfdb_cli_fail_input(const struct btfdb_err *err)
{
	btfdb_cli_fail(err);
	return BTFDB_EXIT_USAGE;
}

static bool has_suffix(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);

	return n >= m && !strcmp(s + n - m, sfx);
}

int btfdb_cli_refuse_aliases(char *const *srcs, int nsrc, const char *db, const char *out)
{
	struct btfdb_fileio_path in[nsrc + 1], o = { out, "output", false };
	struct btfdb_err err = { "" };
	int i, n = 0;

	if (!out || !strcmp(out, "-"))
		return 0;
	if (db)
		in[n++] = (struct btfdb_fileio_path){ db, "database", false };
	for (i = 0; i < nsrc; i++) {
		in[n++] = (struct btfdb_fileio_path){ srcs[i], "source", false };
		if (access(out, F_OK) == 0 && btfdb_fileio_is_inside(out, srcs[i]) &&
		    (has_suffix(out, ".btf") || has_suffix(out, ".btf.tar.xz"))) {
			fprintf(stderr,
				"btfdb: refusing to overwrite the source %s: it is inside the source directory %s\n",
				out, srcs[i]);
			return BTFDB_EXIT_USAGE;
		}
	}
	if (btfdb_fileio_refuse_aliases(in, (size_t)n, &o, 1, &err))
		return btfdb_cli_fail_input(&err);
	return 0;
}

static const struct btfdb_cli_cmd *find(const char *name)
{
	size_t i;

	for (i = 0; btfdb_cmds[i]; i++)
		if (!strcmp(btfdb_cmds[i]->name, name))
			return btfdb_cmds[i];
	return NULL;
}

/* Split argv into positional args and the -o / --name / -q options; 1 when
 * -h/--help asked for the command's help, -1 on a usage error. */
static int parse(int argc, char **argv, struct btfdb_cli_opts *o)
{
	int i;

	o->pos = calloc(argc + 1, sizeof(char *));
	if (!o->pos)
		return -1;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i >= argc)
				return -1;
			o->out = argv[i];
		} else if (!strcmp(argv[i], "--name")) {
			if (++i >= argc)
				return -1;
			o->name = argv[i];
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			btfdb_cli_quiet = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			return 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "btfdb: unknown option '%s'\n", argv[i]);
			return -1;
		} else {
			o->pos[o->npos++] = argv[i];
		}
	}
	return 0;
}

static int dispatch(int argc, char **argv)
{
	const struct btfdb_cli_cmd *c;
	struct btfdb_cli_opts o = { 0 };
	int ret;

	if (argc < 2) {
		print_help(stderr, false);
		return BTFDB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			c = find(argv[2]);
			if (!c || argc > 3) {
				fprintf(stderr, "btfdb: help: no command '%s'\n", argv[2]);
				return BTFDB_EXIT_USAGE;
			}
			print_cmd_help(c, stdout);
			btfdb_json_help();
			return 0;
		}
		print_help(stdout, true);
		btfdb_json_help();
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("btfdb %s\n", BTFDB_VERSION_STRING);
		btfdb_json_help();
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "btfdb: unknown command '%s'\n", argv[1]);
		print_help(stderr, false);
		return BTFDB_EXIT_USAGE;
	}
	o.cmd = c;
	ret = parse(argc - 2, argv + 2, &o);
	if (ret == 1) {
		print_cmd_help(c, stdout);
		btfdb_json_help();
		ret = 0;
	} else if (ret < 0) {
		ret = btfdb_cli_usage(&o);
	} else {
		ret = c->fn(&o);
	}
	free(o.pos);
	return ret;
}

int main(int argc, char **argv)
{
	/* past RLIMIT_FSIZE a write fails with EFBIG (reported) instead of killing us */
	signal(SIGXFSZ, SIG_IGN);
	/* -j/--json is every command's: taken out here */
	if (btfdb_json_take_option(&argc, argv, false))
		btfdb_json_begin("btfdb", argc > 1 ? argv[1] : NULL);
	return btfdb_json_end(dispatch(argc, argv));
}
