// SPDX-License-Identifier: MIT
/* mods: const/volatile/typedef chains on fields and containers. */
#include "core_types.h"

CORE_PROG_PREAMBLE;

typedef const int core_mods_int_t;
typedef const char *core_mods_cptr_t;
typedef const int core_mods_arr_t[7];

struct core_mods_sub {
	int x;
	int y;
} PAI;

typedef struct {
	int x;
	int y;
} PAI core_mods_sub_t;

struct core_mods {
	int a;                      /* 0 */
	core_mods_int_t b;          /* 4 */
	char *c ALIGN8;             /* 8 */
	core_mods_cptr_t d;         /* 16 */
	int e[3] ALIGN8;            /* 24 */
	core_mods_arr_t f;          /* 36 */
	struct core_mods_sub g;     /* 64 */
	core_mods_sub_t h;          /* 72 */
} PAI;

struct {
	int a, b, c, d, e, f, g, h;
} out = {};

SEC("raw_tp/sys_enter")
int core_mods(void *ctx)
{
	struct core_mods *in = CORE_IN(struct core_mods);

	out.a = BPF_CORE_READ(in, a);
	out.b = BPF_CORE_READ(in, b);
	out.c = (long)BPF_CORE_READ(in, c);
	out.d = (long)BPF_CORE_READ(in, d);
	out.e = BPF_CORE_READ(in, e[1]);   /* 0:4:1 local 28 */
	out.f = BPF_CORE_READ(in, f[2]);   /* 0:5:2 local 44 */
	out.g = BPF_CORE_READ(in, g.y);    /* 0:6:1 local 68 */
	out.h = BPF_CORE_READ(in, h.x);    /* 0:7:0 local 72 */
	return 0;
}
