/* SPDX-License-Identifier: MIT */
/* What the corelink commands share (cli.h): usage errors, reports, output
 * checks, numbers. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cl_usage_error(const struct cl_cmd *c, const char *fmt, ...)
{
	va_list ap;

	fputs("corelink: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (!c || !strcmp(c->name, "relocate")) /* also the default command's */
		fputs("\nTry 'corelink -h' for more information.\n", stderr);
	else if (c->parent)
		fprintf(stderr, "\nTry 'corelink help %s %s' for more information.\n", c->parent->name,
			c->name);
	else
		fprintf(stderr, "\nTry 'corelink help %s' for more information.\n", c->name);
	return CORELINK_EXIT_USAGE;
}

int cl_getopt_error(const struct cl_cmd *c, int opt, char **argv)
{
	/* a command with subcommands (bundle) names itself in its messages */
	const struct cl_cmd *top = c && c->parent ? c->parent : c;
	const char *pfx = top && top->subs ? top->name : "", *sep = pfx[0] ? ": " : "";

	if (opt == ':') {
		if (optopt && optopt < 256)
			return cl_usage_error(c, "%s%soption '-%c' needs an argument", pfx, sep, optopt);
		return cl_usage_error(c, "%s%soption '%s' needs an argument", pfx, sep, argv[optind - 1]);
	}
	if (optopt && optopt < 256)
		return cl_usage_error(c, "%s%sunknown option '-%c'", pfx, sep, optopt);
	return cl_usage_error(c, "%s%sunknown option '%s'", pfx, sep, argv[optind - 1]);
}

static bool ends_with(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);

	return n >= m && !strcmp(s + n - m, sfx);
}

int cl_write_report(const struct corelink_manifest *m, const char *path)
{
	enum corelink_report_format fmt = ends_with(path, ".json") ? CORELINK_REPORT_JSON
					  : ends_with(path, ".html") ? CORELINK_REPORT_HTML
								     : CORELINK_REPORT_MD;
	struct btfdb_err err = { 0 };
	char *buf = NULL;
	size_t size = 0;
	FILE *f;
	int ret;

	f = open_memstream(&buf, &size);
	if (!f) {
		fprintf(stderr, "corelink: %s: out of memory\n", path);
		return -ENOMEM;
	}
	ret = corelink_report_write(m, fmt, f, &err);
	fclose(f);
	if (!ret) {
		if (!strcmp(path, "-"))
			fwrite(buf, 1, size, stdout);
		else
			ret = corelink_write_file_atomic(path, buf, size, &err);
	}
	if (ret && !strncmp(err.msg, path, strlen(path)) && err.msg[strlen(path)] == ':')
		fprintf(stderr, "corelink: %s\n", err.msg);
	else if (ret)
		fprintf(stderr, "corelink: %s: %s\n", path, err.msg);
	free(buf);
	return ret;
}

int cl_refuse_file_aliases(const char *const *ins, size_t n, const char *what, const char *out,
			   const char *out_what)
{
	struct btfdb_fileio_path *in = calloc(n + 1, sizeof(*in)),
				 o = { out && strcmp(out, "-") ? out : NULL, out_what, false };
	struct btfdb_err err = { 0 };
	size_t i;
	int rc = 0;

	if (!in) {
		fprintf(stderr, "corelink: out of memory\n");
		return CORELINK_EXIT_USAGE;
	}
	for (i = 0; i < n; i++)
		in[i] = (struct btfdb_fileio_path){ ins[i], what, false };
	if (btfdb_fileio_refuse_aliases(in, n, &o, 1, &err)) {
		fprintf(stderr, "corelink: %s\n", err.msg);
		rc = CORELINK_EXIT_USAGE;
	}
	free(in);
	return rc;
}

bool cl_parse_uint(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s[0] || s[0] == '-')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 1u << 20)
		return false;
	*out = (unsigned)v;
	return true;
}

bool cl_host_option(int opt, const char *arg, struct cl_host_sel *h)
{
	switch (opt) {
	case CL_OPT_RELEASE: h->release = arg; return true;
	case CL_OPT_ARCH: h->arch = arg; return true;
	case CL_OPT_DISTRO: h->distro = arg; return true;
	case CL_OPT_DISTRO_VERSION: h->version = arg; return true;
	case CL_OPT_OS_RELEASE: h->os_release = arg; return true;
	default: return false;
	}
}
