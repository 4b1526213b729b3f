// SPDX-License-Identifier: MIT
/*
 * Built by GCC's BPF backend only (bpf-gcc -O2 -gbtf -mco-re, with gcc12_compat.h):
 * direct loads through a preserve_access_index type, struct core_mods of
 * core_mods.bpf.c (targets mods__*.c).  GCC 12 emits a CO-RE record (LDX) for some of
 * these loads and none for others; which ones is pinned by the case table
 * (tests/unit/test_core_cases.c, gcc_mods_*) and explained in tests/cases.md.
 */
#include "core_types.h"

CORE_PROG_PREAMBLE;

struct core_mods_sub {
	int x;
	int y;
} PAI;

typedef struct {
	int x;
	int y;
} PAI core_mods_sub_t;

struct core_mods {
	int a;
	const int b;
	char *c ALIGN8;
	const char *d;
	int e[3] ALIGN8;
	const int f[7];
	struct core_mods_sub g;
	core_mods_sub_t h;
} PAI;

struct {
	long c;
	int e, g, h;
} out = {};

SEC("raw_tp/sys_enter")
int gcc_access(void *ctx)
{
	struct core_mods *in = CORE_IN(struct core_mods);

	out.c = (long)in->c;  /* 8-byte member */
	out.e = in->e[1];     /* array element */
	out.g = in->g.y;      /* member of a nested struct */
	out.h = in->h.x;      /* member of a typedef'd struct */
	return 0;
}
