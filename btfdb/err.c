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
	char prefix[256], tmp[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	snprintf(tmp, sizeof(tmp), "%s%s", prefix, err->msg);
	memcpy(err->msg, tmp, sizeof(tmp));
}
