/* SPDX-License-Identifier: MIT */
/*
 * The corelink tool's commands (corelink/cli): one table of commands
 * (main.c, as bpftool's), one file per command (cmd_<name>.c), what they
 * share (cli_common.c).  Only these files print, parse options and choose
 * exit codes; the work is in the library.
 *
 * Adding a command: a file cmd_<name>.c defining `const struct cl_cmd
 * cl_cmd_<name>` next to its function (its usage and help kept there), its
 * declaration below, one line in cl_cmds[] (main.c), one in CMakeLists.txt.
 * An option: its getopt entry and one line in the command's help; the man
 * page and the bash completion are generated from the help (scripts/gen-docs)
 * and tests/pkg checks them against it.  Options mean the same in every
 * command that takes them: -o/--output, -q/--quiet, -h/--help, --btf, --db,
 * --release, --arch, --distro, --distro-version, --os-release, --libbpf,
 * --strip-debug.
 *
 * Exit codes (every command): 0 ok; 1 the operation failed on valid input
 * (a relocation, --fail-on, nothing fits this host, conflicting manifests);
 * 2 bad usage, bad input, or an output that cannot be written.
 */
#ifndef CORELINK_CLI_H
#define CORELINK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "batch.h"
#include "btfdb_fileio.h"
#include "bundle.h"

struct cl_cmd {
	const char *name;    /* the word after "corelink" (after "corelink bundle" for a subcommand) */
	/* argv[0] is the command's name (the program's for the default command
	 * and the old batch form); returns the exit code */
	int (*fn)(int argc, char **argv);
	const char *usage;   /* what follows "corelink "; one line per form */
	const char *summary; /* one line for the command list */
	const char *help;    /* description and options, after the usage lines */
	const struct cl_cmd *parent;        /* bundle, for its subcommands */
	const struct cl_cmd *const *subs;   /* subcommands (NULL-terminated) or NULL */
};

extern const struct cl_cmd cl_cmd_relocate, cl_cmd_batch, cl_cmd_pick, cl_cmd_merge,
	cl_cmd_report, cl_cmd_bundle, cl_cmd_help;

/* The tool's help (c == NULL: the default command's usage and options, then
 * every command) or a command's (usage lines, its help, its subcommands). */
void cl_print_help(const struct cl_cmd *c, FILE *f);

/* "corelink: <message>" and a line pointing at c's help; returns 2. */
int cl_usage_error(const struct cl_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The getopt error of the last getopt_long() call (opt ':' = a missing
 * argument, else an unknown option) as cl_usage_error(); returns 2. */
int cl_getopt_error(const struct cl_cmd *c, int opt, char **argv);

/* A portability report of m into path ("-": stdout): FILE.json is JSON,
 * FILE.html one page, anything else Markdown.  Prints its own error; 0 or a
 * negative errno. */
int cl_write_report(const struct corelink_manifest *m, const char *path);

/* Before anything is written: out (not "-", not NULL) is none of the n
 * inputs ins (each called what), whatever its spelling.  Prints the
 * message; 0 or an exit code. */
int cl_refuse_file_aliases(const char *const *ins, size_t n, const char *what, const char *out,
			   const char *out_what);

/*
 * The host-selection options of pick and bundle get, spelled and parsed in
 * one place: --release, --arch, --distro, --distro-version (also --version,
 * the older spelling) and --os-release.  CL_HOST_OPTIONS goes into the
 * command's struct option array, CL_HOST_HELP into its help;
 * cl_host_option() stores an option of these into *h and returns true, and
 * false for any other option (the command's own).
 */
enum { CL_OPT_RELEASE = 0x1000, CL_OPT_ARCH, CL_OPT_DISTRO, CL_OPT_DISTRO_VERSION, CL_OPT_OS_RELEASE };
struct cl_host_sel {
	const char *release, *arch, *distro, *version, *os_release;
};
#define CL_HOST_OPTIONS                                                                      \
	{ "release", required_argument, NULL, CL_OPT_RELEASE },                              \
	{ "arch", required_argument, NULL, CL_OPT_ARCH },                                    \
	{ "distro", required_argument, NULL, CL_OPT_DISTRO },                                \
	{ "distro-version", required_argument, NULL, CL_OPT_DISTRO_VERSION },                \
	{ "version", required_argument, NULL, CL_OPT_DISTRO_VERSION },                       \
	{ "os-release", required_argument, NULL, CL_OPT_OS_RELEASE }
#define CL_HOST_HELP                                                                         \
	"  --release R       the kernel release (default: uname -r)\n"                         \
	"  --arch A          the architecture (default: uname -m)\n"                           \
	"  --distro D        the distribution (default: ID of /etc/os-release)\n"              \
	"  --distro-version V  its version (default: VERSION_ID); --version V is the same\n"   \
	"  --os-release FILE read ID and VERSION_ID from FILE instead\n"
bool cl_host_option(int opt, const char *arg, struct cl_host_sel *h);

/* A decimal number in [0, 2^20]. */
bool cl_parse_uint(const char *s, unsigned *out);

/*
 * The old form of `corelink batch`, chosen by its options (no command word):
 * objects with --btfhub, --db without --kernel, --btf more than once, or an
 * option only batch has.  Kept for existing pipelines: when argv is such a
 * command line, prints a one-line deprecation note pointing to `corelink
 * batch`, runs it as batch and returns true (*rc the exit code); false
 * otherwise.  With rc NULL only says whether argv is that form.  The only
 * place that still picks a command from options.
 */
bool cl_batch_compat_old_form(int argc, char **argv, int *rc);

/* -- bundle (cmd_bundle.c), shared with batch --bundle -- */
/*
 * Write out (and c_header, when not NULL) from manifest m (the file manifest;
 * NULL = base_dir/manifest.json), whose artifact paths are relative to
 * base_dir, and the original objects; first refuses outputs that are the
 * manifest, an object or an artifact; prints errors and (unless quiet) a
 * summary; its numbers into *stats (when not NULL); returns an exit code.
 */
int cl_bundle_write(const struct corelink_manifest *m, const char *manifest,
		    const char *base_dir, const char *const *objs, size_t nobjs,
		    const char *out, const char *c_header, const char *var, bool quiet,
		    struct corelink_bundle_stats *stats);
/*
 * Before anything is written: refuse (print, return an exit code) a bundle
 * output or its C header (either may be NULL) that is one of the n inputs
 * ins, whatever its spelling, or the same file as the other; 0 when none is.
 */
int cl_bundle_refuse_aliases(const struct btfdb_fileio_path *ins, size_t n, const char *bundle,
			     const char *c_header);

#endif /* CORELINK_CLI_H */
