// SPDX-License-Identifier: MIT
/* primitives: char/int/enum/pointer/function-pointer fields. */
#include "core_types.h"

CORE_PROG_PREAMBLE;

enum core_primitives_enum {
	PRIM_A = 0,
	PRIM_B = 1,
};

struct core_primitives {
	char a;                               /* 0 */
	int b;                                /* 4 */
	enum core_primitives_enum c;          /* 8 */
	void *d ALIGN8;                       /* 16 */
	int (*f)(const char *) ALIGN8;        /* 24 */
} PAI;

struct {
	char a;
	int b;
	enum core_primitives_enum c;
	void *d;
	void *f;
} out = {};

SEC("raw_tp/sys_enter")
int core_primitives(void *ctx)
{
	struct core_primitives *in = CORE_IN(struct core_primitives);

	out.a = BPF_CORE_READ(in, a);
	out.b = BPF_CORE_READ(in, b);
	out.c = BPF_CORE_READ(in, c);
	out.d = BPF_CORE_READ(in, d);
	out.f = BPF_CORE_READ(in, f);
	return 0;
}
