// SPDX-License-Identifier: MIT
/* size: FIELD_BYTE_SIZE and FIELD_BYTE_OFFSET of fields of every kind,
 * and the size of an array element. */
#include "core_types.h"

CORE_PROG_PREAMBLE;

struct core_size {
	int int_field;                 /* 0, 4 */
	struct { int x; } struct_field; /* 4, 4 */
	union { int x; } union_field;   /* 8, 4 */
	int arr_field[4];              /* 12, 16 */
	void *ptr_field;               /* 32, 8 */
	enum { SIZE_VALUE = 123 } enum_field; /* 40, 4 */
	float float_field;             /* 44, 4 */
} PAI;

struct {
	int int_sz, struct_sz, union_sz, arr_sz, arr_elem_sz, ptr_sz, enum_sz, float_sz;
	int int_off, struct_off, union_off, arr_off, arr_elem_off, ptr_off, enum_off, float_off;
} out = {};

SEC("raw_tp/sys_enter")
int core_size(void *ctx)
{
	struct core_size *in = CORE_IN(struct core_size);

	out.int_sz = bpf_core_field_size(in->int_field);
	out.struct_sz = bpf_core_field_size(in->struct_field);
	out.union_sz = bpf_core_field_size(in->union_field);
	out.arr_sz = bpf_core_field_size(in->arr_field);
	out.arr_elem_sz = bpf_core_field_size(in->arr_field[0]);
	out.ptr_sz = bpf_core_field_size(in->ptr_field);
	out.enum_sz = bpf_core_field_size(in->enum_field);
	out.float_sz = bpf_core_field_size(in->float_field);

	out.int_off = bpf_core_field_offset(in->int_field);
	out.struct_off = bpf_core_field_offset(in->struct_field);
	out.union_off = bpf_core_field_offset(in->union_field);
	out.arr_off = bpf_core_field_offset(in->arr_field);
	out.arr_elem_off = bpf_core_field_offset(in->arr_field[2]);
	out.ptr_off = bpf_core_field_offset(in->ptr_field);
	out.enum_off = bpf_core_field_offset(in->enum_field);
	out.float_off = bpf_core_field_offset(in->float_field);
	return 0;
}
