#include "targets.h"
/* the program's own definitions: everything exists, same sizes, matches */
struct tb_struct { int x; };
union tb_union { int y; int z; };
enum tb_enum { TB_VAL1 = 1, TB_VAL2 = 2, TB_VAL3 = 3 };
typedef struct tb_struct tb_named_struct_t;
typedef struct { int x, y, z; } tb_anon_struct_t;
typedef struct { int a, b, c; } *tb_struct_ptr_t;
typedef int tb_int_t;
typedef enum { TB_TD_VAL1, TB_TD_VAL2 } tb_enum_t;
typedef void *tb_void_ptr_t;
typedef int (*tb_func_t)(long);
typedef char tb_arr_t[20];
struct core_type_based {
	struct tb_struct f1; union tb_union f2; enum tb_enum f3; tb_named_struct_t f4;
	tb_anon_struct_t f5; tb_struct_ptr_t f6; tb_int_t f7; tb_enum_t f8;
	tb_void_ptr_t f9; tb_func_t f10; tb_arr_t f11;
};
void f(struct core_type_based *x) {}
