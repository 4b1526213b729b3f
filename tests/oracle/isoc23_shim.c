// SPDX-License-Identifier: MIT
/*
 * Lets sid's libbpf.a (built against glibc >= 2.38, whose headers redirect
 * sscanf/fscanf/strtoull to the C23 entry points) link against bookworm's
 * glibc 2.36: each C23 name forwards to the function bookworm has.  The C23
 * versions differ only in accepting "0b" binary prefixes and %b, which
 * libbpf's inputs (kernel config, /proc, access strings) do not use.
 * TEST-ONLY: linked into the 1.7 oracle, never into corelink.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int __isoc23_sscanf(const char *s, const char *fmt, ...);
int __isoc23_fscanf(FILE *f, const char *fmt, ...);
unsigned long long __isoc23_strtoull(const char *s, char **end, int base);

int __isoc23_sscanf(const char *s, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsscanf(s, fmt, ap);
	va_end(ap);
	return ret;
}

int __isoc23_fscanf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfscanf(f, fmt, ap);
	va_end(ap);
	return ret;
}

unsigned long long __isoc23_strtoull(const char *s, char **end, int base)
{
	return strtoull(s, end, base);
}
