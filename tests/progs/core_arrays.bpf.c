// SPDX-License-Identifier: MIT
/* arrays: multi-dimensional, array of structs, flexible array, and an
 * array-element accessor as the last access. */
#include "core_types.h"

CORE_PROG_PREAMBLE;

struct core_arrays_sub {
	int c;
	int d;
} PAI;

struct core_arrays {
	int a[5];                        /* 0 */
	char b[2][3][4];                 /* 20 */
	struct core_arrays_sub c[3];     /* 44 */
	struct core_arrays_sub d[1][2];  /* 68 */
	struct core_arrays_sub f[][2];   /* 84, flexible */
} PAI;

struct {
	int a2;
	char b123;
	int c1c;
	int d00d;
	int f10c;
	int a3;
} out = {};

SEC("raw_tp/sys_enter")
int core_arrays(void *ctx)
{
	struct core_arrays *in = CORE_IN(struct core_arrays);

	out.a2 = BPF_CORE_READ(in, a[2]);          /* 0:0:2     local 8 */
	out.b123 = BPF_CORE_READ(in, b[1][2][3]);  /* 0:1:1:2:3 local 43 */
	out.c1c = BPF_CORE_READ(in, c[1].c);       /* 0:2:1:0   local 52 */
	out.d00d = BPF_CORE_READ(in, d[0][0].d);   /* 0:3:0:0:1 local 72 */
	out.f10c = BPF_CORE_READ(in, f[1][0].c);   /* 0:4:1:0:0 local 100 */
	return 0;
}
