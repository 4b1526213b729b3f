/* SPDX-License-Identifier: MIT */
/* One error message per failure (struct btfdb_err). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "btfdb.h"

void btfdb_err_set(struct btfdb_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->msg[0])
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void btfdb_err_prefix(struct btfdb_err *err, const char *fmt, ...)
{
	char tmp[sizeof(err->msg)];
	size_t n, len;
	va_list ap;
	int r;

	if (!err)
		return;
	va_start(ap, fmt);
	r = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	n = r < 0 ? 0 : (size_t)r;
	if (n >= sizeof(tmp) - 1)
		n = sizeof(tmp) - 1;
	/* append the old message after the prefix, truncating at the end */
	len = strnlen(err->msg, sizeof(err->msg) - 1);
	if (len > sizeof(tmp) - 1 - n)
		len = sizeof(tmp) - 1 - n;
	memcpy(tmp + n, err->msg, len);
	tmp[n + len] = '\0';
	memcpy(err->msg, tmp, sizeof(tmp));
}
