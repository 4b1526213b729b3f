/* SPDX-License-Identifier: MIT */
/*
 * corelink: the command table and the dispatch, as bpftool's main.c.
 *
 *   corelink OBJ.o --btf KERNEL -o OUT.o     the default command (relocate)
 *   corelink COMMAND [ARGS...]               a command of cl_cmds[]
 *   corelink help [COMMAND [SUBCOMMAND]], corelink -h, corelink COMMAND -h
 *
 * A first argument that names a command runs it.  Otherwise the command line
 * is the default command's, except the old form of batch (chosen by its
 * options, cl_batch_compat_old_form(): deprecated, kept for existing
 * pipelines) and a first word that is neither a command nor a file (an
 * unknown command, exit 2).  An input object named like a command is given
 * as ./NAME.
 *
 * -j/--json is every command's: main() takes it out of the command line and
 * runs the command in a JSON session (btfdb/json): one document on stdout,
 * the command's, the help's, or the error document.  In a batch "-j N" is
 * still the old spelling of --jobs N.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "btfdb_json.h"
#include "cli.h"

/* Every command, in the order `corelink --help` lists them. */
static const struct cl_cmd *const cl_cmds[] = {
	&cl_cmd_relocate, &cl_cmd_batch, &cl_cmd_pick, &cl_cmd_merge,
	&cl_cmd_report,   &cl_cmd_bundle, &cl_cmd_help, NULL,
};

static const struct cl_cmd *find(const struct cl_cmd *const *cmds, const char *name)
{
	size_t i;

	for (i = 0; cmds && cmds[i]; i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
	return NULL;
}

/* "Usage: corelink X" then "       corelink Y" for each line of usage. */
static void print_usage_lines(const char *usage, bool first, FILE *f)
{
	const char *p = usage;

	while (*p) {
		size_t n = strcspn(p, "\n");

		fprintf(f, "%s%.*s\n", first ? "Usage: corelink " : "       corelink ", (int)n, p);
		first = false;
		p += n + (p[n] == '\n');
	}
}

static void print_cmd_list(const struct cl_cmd *const *cmds, const char *prefix, FILE *f)
{
	size_t i;

	fputs("\nCommands:\n", f);
	for (i = 0; cmds[i]; i++)
		fprintf(f, "  %-9s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f, "\n'corelink help %sCOMMAND' (or 'corelink %sCOMMAND -h') shows a command's options.\n",
		prefix, prefix);
}

void cl_print_help(const struct cl_cmd *c, FILE *f)
{
	char prefix[64];

	if (f == stdout) /* asked for: with --json, the help document */
		btfdb_json_help();

	if (!c) {
		print_usage_lines(cl_cmd_relocate.usage, true, f);
		print_usage_lines("COMMAND [ARGS...]", false, f);
		fputs(cl_cmd_relocate.help, f);
		print_cmd_list(cl_cmds, "", f);
		return;
	}
	print_usage_lines(c->usage, true, f);
	fputs(c->help, f);
	if (c->subs) {
		snprintf(prefix, sizeof(prefix), "%s ", c->name);
		print_cmd_list(c->subs, prefix, f);
	}
}

/* corelink help [COMMAND [SUBCOMMAND]] */
static int cmd_help(int argc, char **argv)
{
	const struct cl_cmd *c = NULL;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		c = &cl_cmd_help; /* help --help: as any command's --help */
	} else if (argc > 1) {
		c = find(cl_cmds, argv[1]);
		if (!c)
			return cl_usage_error(&cl_cmd_help, "help: no command '%s'", argv[1]);
		if (argc > 2) {
			const struct cl_cmd *sub = find(c->subs, argv[2]);

			if (!sub)
				return cl_usage_error(&cl_cmd_help, "help: no command '%s %s'", argv[1],
						      argv[2]);
			c = sub;
		}
		if (argc > 3)
			return cl_usage_error(&cl_cmd_help, "help: one command at most");
	}
	cl_print_help(c, stdout);
	return CORELINK_EXIT_OK;
}

const struct cl_cmd cl_cmd_help = {
	.name = "help",
	.fn = cmd_help,
	.usage = "help [COMMAND [SUBCOMMAND]]",
	.summary = "this help, or a command's",
	.help = "Print the tool's help (every command), or COMMAND's usage and options.\n"
		"'corelink help COMMAND' is the same as 'corelink COMMAND --help' and\n"
		"'corelink COMMAND -h'.\n"
		"\n"
		"  -j, --json        the help as one JSON document on stdout\n"
		"                    (docs/schema/cli-help.schema.json)\n"
		"  -h, --help        this help\n",
};

/* A first word that could only be a command name: lowercase letters,
 * digits and '-', and no file of that name. */
static bool looks_like_command(const char *a)
{
	const char *p;

	if (a[0] < 'a' || a[0] > 'z')
		return false;
	for (p = a; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return access(a, F_OK) != 0;
}

static int dispatch(int argc, char **argv)
{
	const struct cl_cmd *c;
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cl_print_help(NULL, stdout);
		return CORELINK_EXIT_OK;
	}
	if (argc > 1 && (c = find(cl_cmds, argv[1])))
		return c->fn(argc - 1, argv + 1);
	if (cl_batch_compat_old_form(argc, argv, &rc))
		return rc;
	if (argc > 1 && looks_like_command(argv[1])) {
		fprintf(stderr,
			"corelink: unknown command '%s' (and no file of that name)\n"
			"Try 'corelink --help' for the list of commands.\n",
			argv[1]);
		return CORELINK_EXIT_USAGE;
	}
	return cl_cmd_relocate.fn(argc, argv);
}

/* The command argv runs, for the JSON documents ("relocate", "bundle ls", ...). */
static const char *command_name(int argc, char **argv, bool batch)
{
	const struct cl_cmd *c = argc > 1 ? find(cl_cmds, argv[1]) : NULL, *sub;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return "help";
	if (c && c->subs && argc > 2 && (sub = find(c->subs, argv[2]))) {
		static char name[64];

		snprintf(name, sizeof(name), "%s %s", c->name, sub->name);
		return name;
	}
	if (!c && !batch && argc > 1 && looks_like_command(argv[1]))
		return NULL; /* an unknown command: the error document says none */
	return c ? c->name : batch ? "batch" : "relocate";
}

int main(int argc, char **argv)
{
	bool batch = (argc > 1 && find(cl_cmds, argv[1]) == &cl_cmd_batch) ||
		     cl_batch_compat_old_form(argc, argv, NULL);

	/* past RLIMIT_FSIZE a write fails with EFBIG (reported) instead of killing us */
	signal(SIGXFSZ, SIG_IGN);
	/* -j/--json is every command's: taken out here (a batch keeps the old -j N) */
	if (btfdb_json_take_option(&argc, argv, batch))
		btfdb_json_begin("corelink", command_name(argc, argv, batch));
	return btfdb_json_end(dispatch(argc, argv));
}
