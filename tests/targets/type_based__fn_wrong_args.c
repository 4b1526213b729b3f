#include "targets.h"
/* six flavors of tb_func_t, none compatible with int (*)(long) */
struct tb_struct { int x; };
typedef struct { int x; } tb_int_struct_t;
typedef void (*tb_func_t___wrong_ret1)(long);
typedef int *(*tb_func_t___wrong_ret2)(long);
typedef tb_int_struct_t (*tb_func_t___wrong_ret3)(long);
typedef int (*tb_func_t___wrong_arg)(void *);
typedef int (*tb_func_t___wrong_arg_cnt1)(long, long);
typedef int (*tb_func_t___wrong_arg_cnt2)(void);
struct core_type_based___fn_wrong_args {
	struct tb_struct f1;
	tb_func_t___wrong_ret1 f2;
	tb_func_t___wrong_ret2 f3;
	tb_func_t___wrong_ret3 f4;
	tb_func_t___wrong_arg f5;
	tb_func_t___wrong_arg_cnt1 f6;
	tb_func_t___wrong_arg_cnt2 f7;
};
void f(struct core_type_based___fn_wrong_args *x) {}
