/* SPDX-License-Identifier: MIT */
/* A minimal test harness: CHECK* record failures and go on; TEST_MAIN ends with
 * the line "N passed, N failed" and exit 1 on any failure, or 77 (skipped)
 * when a test called SKIP_ALL(). */
#ifndef CORELINK_TEST_H
#define CORELINK_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond)                                                                      \
	do {                                                                             \
		if (cond) {                                                              \
			test_passed++;                                                   \
		} else {                                                                 \
			test_failed++;                                                   \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                        \
	} while (0)

#define CHECK_EQ(a, b)                                                                   \
	do {                                                                             \
		long long _a = (long long)(a), _b = (long long)(b);                      \
		if (_a == _b) {                                                          \
			test_passed++;                                                   \
		} else {                                                                 \
			test_failed++;                                                   \
			fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, expected %s == %lld\n", \
				__FILE__, __LINE__, #a, _a, #b, _b);                     \
		}                                                                        \
	} while (0)

#define CHECK_STR(a, b)                                                                  \
	do {                                                                             \
		const char *_a = (a), *_b = (b);                                         \
		if (_a && _b && !strcmp(_a, _b)) {                                        \
			test_passed++;                                                   \
		} else {                                                                 \
			test_failed++;                                                   \
			fprintf(stderr, "%s:%d: CHECK_STR failed: %s = \"%s\", expected \"%s\"\n", \
				__FILE__, __LINE__, #a, _a ? _a : "(null)", _b ? _b : "(null)"); \
		}                                                                        \
	} while (0)

/* Substring check, for error messages. */
#define CHECK_CONTAINS(hay, needle)                                                      \
	do {                                                                             \
		const char *_h = (hay), *_n = (needle);                                  \
		if (_h && _n && strstr(_h, _n)) {                                        \
			test_passed++;                                                   \
		} else {                                                                 \
			test_failed++;                                                   \
			fprintf(stderr, "%s:%d: CHECK_CONTAINS failed: \"%s\" does not contain \"%s\"\n", \
				__FILE__, __LINE__, _h ? _h : "(null)", _n ? _n : "(null)"); \
		}                                                                        \
	} while (0)

static int test_skipped;
#define SKIP_ALL(why)                                                                    \
	do {                                                                             \
		fprintf(stderr, "SKIP: %s\n", why);                                      \
		test_skipped = 1;                                                        \
	} while (0)

static inline int test_finish(void)
{
	printf("%d passed, %d failed\n", test_passed, test_failed);
	if (test_failed)
		return 1;
	if (test_skipped && !test_passed)
		return 77;
	return 0;
}

#endif
