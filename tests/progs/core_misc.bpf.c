// SPDX-License-Identifier: MIT
/* misc: two local flavors with the same access string "0:0" that must map
 * to two different target flavors, and an array-only access "2" into a
 * struct the target extends. */
#include "core_types.h"

CORE_PROG_PREAMBLE;

struct core_misc___a {
	int a1;
	int a2;
} PAI;

struct core_misc___b {
	int b1;
	int b2;
} PAI;

struct core_misc_ext {
	int a;
	int b;
	int c;
} PAI;

struct {
	int a, b, c;
} out = {};

SEC("raw_tp/sys_enter")
int core_misc(void *ctx)
{
	struct core_misc___a *in_a = CORE_IN(struct core_misc___a);
	struct core_misc___b *in_b = CORE_IN(struct core_misc___b);
	struct core_misc_ext *in_ext = CORE_IN(struct core_misc_ext);

	if (BPF_CORE_READ_INTO(&out.a, in_a, a1)) /* 0:0 */
		return 1;
	if (BPF_CORE_READ_INTO(&out.b, in_b, b1)) /* 0:0 */
		return 1;
	if (bpf_core_read(&out.c, sizeof(out.c), &in_ext[2])) /* 2: local 24 */
		return 1;
	return 0;
}
