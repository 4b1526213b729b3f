// SPDX-License-Identifier: MIT
/* nesting: a.a.a and b.b.b through named and anonymous containers. */
#include "core_types.h"

CORE_PROG_PREAMBLE;

struct core_nesting_sub {
	int a;
} PAI;

union core_nesting_subu {
	int b;
} PAI;

struct core_nesting {
	union {
		struct core_nesting_sub a;
	} a;                  /* a.a.a at 0 */
	struct {
		union core_nesting_subu b;
	} b;                  /* b.b.b at 4 */
} PAI;

struct {
	int a, b, a2;
} out = {};

SEC("raw_tp/sys_enter")
int core_nesting(void *ctx)
{
	struct core_nesting *in = CORE_IN(struct core_nesting);

	out.a = BPF_CORE_READ(in, a.a.a); /* probe read: ALU relocation */
	out.b = BPF_CORE_READ(in, b.b.b);
	out.a2 = in->a.a.a;               /* direct load: LDX relocation */
	return 0;
}
