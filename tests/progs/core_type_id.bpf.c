// SPDX-License-Identifier: MIT
/* type_id: TYPE_ID_LOCAL (anonymous and named types) and TYPE_ID_TARGET. */
#include "core_types.h"

CORE_PROG_PREAMBLE;

struct tid_struct {
	int x;
};

union tid_union {
	int y;
	int z;
};

enum tid_enum {
	TID_VAL1 = 1,
};

typedef struct tid_struct tid_struct_t;
typedef int (*tid_func_t)(long);
typedef char tid_arr_t[20];

struct {
	int local_anon_struct, local_anon_union, local_anon_enum;
	int local_anon_func_ptr, local_anon_void_ptr, local_anon_arr;
	int local_struct, local_union, local_enum, local_int;
	int local_struct_typedef, local_func_typedef, local_arr_typedef;
	int targ_struct, targ_union, targ_enum, targ_int;
	int targ_struct_typedef, targ_func_typedef, targ_arr_typedef;
} out = {};

SEC("raw_tp/sys_enter")
int core_type_id(void *ctx)
{
	out.local_anon_struct = bpf_core_type_id_local(struct { int marker_field; });
	out.local_anon_union = bpf_core_type_id_local(union { int marker_field; });
	out.local_anon_enum = bpf_core_type_id_local(enum { MARKER_ENUM_VAL = 123 });
	out.local_anon_func_ptr = bpf_core_type_id_local(_Bool (*)(int));
	out.local_anon_void_ptr = bpf_core_type_id_local(void *);
	out.local_anon_arr = bpf_core_type_id_local(_Bool[47]);

	out.local_struct = bpf_core_type_id_local(struct tid_struct);
	out.local_union = bpf_core_type_id_local(union tid_union);
	out.local_enum = bpf_core_type_id_local(enum tid_enum);
	out.local_int = bpf_core_type_id_local(int);
	out.local_struct_typedef = bpf_core_type_id_local(tid_struct_t);
	out.local_func_typedef = bpf_core_type_id_local(tid_func_t);
	out.local_arr_typedef = bpf_core_type_id_local(tid_arr_t);

	out.targ_struct = bpf_core_type_id_kernel(struct tid_struct);
	out.targ_union = bpf_core_type_id_kernel(union tid_union);
	out.targ_enum = bpf_core_type_id_kernel(enum tid_enum);
	out.targ_int = bpf_core_type_id_kernel(int);
	out.targ_struct_typedef = bpf_core_type_id_kernel(tid_struct_t);
	out.targ_func_typedef = bpf_core_type_id_kernel(tid_func_t);
	out.targ_arr_typedef = bpf_core_type_id_kernel(tid_arr_t);
	return 0;
}
