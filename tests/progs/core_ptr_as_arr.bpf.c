// SPDX-License-Identifier: MIT
/* ptr_as_arr: the first accessor indexes the pointer (in[2].a). */
#include "core_types.h"

CORE_PROG_PREAMBLE;

struct core_ptr_as_arr {
	int a;
} PAI;

struct {
	int a;
} out = {};

SEC("raw_tp/sys_enter")
int core_ptr_as_arr(void *ctx)
{
	struct core_ptr_as_arr *in = CORE_IN(struct core_ptr_as_arr);

	out.a = BPF_CORE_READ(&in[2], a); /* 2:0, local 8 */
	return 0;
}
