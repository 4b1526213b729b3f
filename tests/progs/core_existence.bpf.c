// SPDX-License-Identifier: MIT
/* existence: FIELD_EXISTS for present, missing and incompatible fields,
 * each read guarded by its existence check (poisoned reads stay dead). */
#include "core_types.h"

CORE_PROG_PREAMBLE;

struct core_existence {
	int a;            /* 0 */
	struct {
		int b;    /* 4 */
	};
	int c;            /* 8 */
	int arr[1];       /* 12 */
	struct {
		int x;
	} s;              /* 16 */
} PAI;

struct {
	int a_exists, a_value;
	int b_exists, b_value;
	int c_exists, c_value;
	int arr_exists, arr_value;
	int s_exists, s_value;
} out = {};

SEC("raw_tp/sys_enter")
int core_existence(void *ctx)
{
	struct core_existence *in = CORE_IN(struct core_existence);

	out.a_exists = bpf_core_field_exists(in->a);
	if (bpf_core_field_exists(in->a))
		out.a_value = BPF_CORE_READ(in, a);
	out.b_exists = bpf_core_field_exists(in->b);
	if (bpf_core_field_exists(in->b))
		out.b_value = BPF_CORE_READ(in, b);
	out.c_exists = bpf_core_field_exists(in->c);
	if (bpf_core_field_exists(in->c))
		out.c_value = BPF_CORE_READ(in, c);
	out.arr_exists = bpf_core_field_exists(in->arr);
	if (bpf_core_field_exists(in->arr))
		out.arr_value = BPF_CORE_READ(in, arr[0]);
	out.s_exists = bpf_core_field_exists(in->s);
	if (bpf_core_field_exists(in->s))
		out.s_value = BPF_CORE_READ(in, s.x);
	return 0;
}
