// SPDX-License-Identifier: MIT
/* type_based: TYPE_EXISTS, TYPE_SIZE and TYPE_MATCHES (clang >= 15) on
 * structs, unions, enums and typedefs of every shape. */
#include "core_types.h"

CORE_PROG_PREAMBLE;

struct tb_struct {
	int x;
};

union tb_union {
	int y;
	int z;
};

enum tb_enum {
	TB_VAL1 = 1,
	TB_VAL2 = 2,
	TB_VAL3 = 3,
};

typedef struct tb_struct tb_named_struct_t;
typedef struct { int x, y, z; } tb_anon_struct_t;
typedef struct { int a, b, c; } *tb_struct_ptr_t;
typedef int tb_int_t;
typedef enum { TB_TD_VAL1, TB_TD_VAL2 } tb_enum_t;
typedef void *tb_void_ptr_t;
typedef int (*tb_func_t)(long);
typedef char tb_arr_t[20];

/* index order used by out.* and by the case table */
#define TB_TYPES(X)                  \
	X(0, struct tb_struct)       \
	X(1, union tb_union)         \
	X(2, enum tb_enum)           \
	X(3, tb_named_struct_t)      \
	X(4, tb_anon_struct_t)       \
	X(5, tb_struct_ptr_t)        \
	X(6, tb_int_t)               \
	X(7, tb_enum_t)              \
	X(8, tb_void_ptr_t)          \
	X(9, tb_func_t)              \
	X(10, tb_arr_t)

struct {
	int exists[11];
	int size[11];
	int matches[11];
} out = {};

SEC("raw_tp/sys_enter")
int core_type_based(void *ctx)
{
#define TB_EXISTS(i, t) out.exists[i] = bpf_core_type_exists(t);
#define TB_SIZE(i, t) out.size[i] = bpf_core_type_size(t);
#define TB_MATCHES(i, t) out.matches[i] = bpf_core_type_matches(t);
	TB_TYPES(TB_EXISTS)
	TB_TYPES(TB_SIZE)
	TB_TYPES(TB_MATCHES)
	return 0;
}
