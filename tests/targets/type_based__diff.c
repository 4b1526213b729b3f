#include "targets.h"
/* flavored names, reordered/extra members, other enumerator values:
 * all exist and all match, except tb_arr_t whose dimension differs
 * (compatible for exists/size, but not a match) */
struct tb_struct___diff { int x; int a; };                       /* size 8 */
union tb_union___diff { int z; int y; };                         /* 4 */
enum tb_enum___diff { TB_VAL2___diff = 0, TB_VAL1___diff = 42, TB_VAL3___diff = 1 }; /* 4 */
typedef struct tb_struct___diff tb_named_struct_t___diff;        /* 8 */
typedef struct { int z, x, y; } tb_anon_struct_t___diff;         /* 12 */
typedef struct { int c; int b; int a; } *tb_struct_ptr_t___diff;  /* 8 */
typedef int tb_int_t___diff;                                     /* 4 */
typedef enum { TB_TD_VAL2___diff, TB_TD_VAL1___diff = 50 } tb_enum_t___diff; /* 4 */
typedef const void *tb_void_ptr_t___diff;                        /* 8 */
typedef tb_int_t___diff (*tb_func_t___diff)(long);               /* 8 */
typedef char tb_arr_t___diff[3];                                 /* 3, no match */
struct core_type_based___diff {
	struct tb_struct___diff f1; union tb_union___diff f2; enum tb_enum___diff f3;
	tb_named_struct_t___diff f4; tb_anon_struct_t___diff f5; tb_struct_ptr_t___diff f6;
	tb_int_t___diff f7; tb_enum_t___diff f8; tb_void_ptr_t___diff f9;
	tb_func_t___diff f10; tb_arr_t___diff f11;
};
void f(struct core_type_based___diff *x) {}
