// SPDX-License-Identifier: MIT
/* flavors: two local flavors (___rev, ___weird) of one essential name,
 * each resolved against the single target struct core_flavors. */
#include "core_types.h"

CORE_PROG_PREAMBLE;

/* local flavor with reversed layout */
struct core_flavors___rev {
	int c;
	int b;
	int a;
} PAI;

/* local flavor where a and c overlap in an anonymous union */
struct core_flavors___weird {
	struct {
		int b;
	};
	union {
		int a;
		int c;
	};
} PAI;

struct {
	int a, b, c;
} out = {};

SEC("raw_tp/sys_enter")
int core_flavors(void *ctx)
{
	struct core_flavors___rev *rev = CORE_IN(struct core_flavors___rev);
	struct core_flavors___weird *weird = CORE_IN(struct core_flavors___weird);

	out.a = BPF_CORE_READ(weird, a); /* local off 4 */
	out.b = BPF_CORE_READ(rev, b);   /* local off 4 */
	out.c = BPF_CORE_READ(weird, c); /* local off 4 */
	return 0;
}
