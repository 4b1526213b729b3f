#include "targets.h"
/* same essential names, incompatible kinds: only tb_enum is fine */
union tb_struct___incompat { int x; };             /* union, not struct: not a candidate */
struct tb_union___incompat { int y; int z; };      /* struct, not union */
enum tb_enum { TB_VAL1 = 1, TB_VAL2 = 2, TB_VAL3 = 3 };
typedef union tb_struct___incompat tb_named_struct_t___incompat; /* typedef to a union */
typedef void *tb_anon_struct_t___incompat;         /* pointer, not struct */
typedef struct { int a, b, c; } **tb_struct_ptr_t___incompat; /* extra indirection */
typedef struct { int x; } tb_int_t___incompat;     /* struct, not int */
typedef int (*tb_enum_t___incompat)(void);         /* func pointer, not enum */
typedef char *tb_void_ptr_t___incompat;            /* char *, not void * */
typedef void (*tb_func_t___incompat)(long);        /* void return */
typedef int tb_arr_t___incompat[20][2];            /* int[2] elements, not char */
struct core_type_based___incompat {
	union tb_struct___incompat f1; struct tb_union___incompat f2; enum tb_enum f3;
	tb_named_struct_t___incompat f4; tb_anon_struct_t___incompat f5;
	tb_struct_ptr_t___incompat f6; tb_int_t___incompat f7; tb_enum_t___incompat f8;
	tb_void_ptr_t___incompat f9; tb_func_t___incompat f10; tb_arr_t___incompat f11;
};
void f(struct core_type_based___incompat *x) {}
