#include "targets.h"
/* same kinds, other sizes: all exist (compatible), few match */
struct tb_struct___diff_sz { long x; int y; char z; };          /* 16, x: int vs long: no match */
union tb_union___diff_sz { char yy; char zz; };                 /* 1, y missing: no match */
enum tb_enum___diff_sz { TB_VAL1___diff_sz = 0x123412341234, TB_VAL2___diff_sz = 2 }; /* ENUM64, 8: no match */
typedef struct tb_struct___diff_sz tb_named_struct_t___diff_sz;  /* 16, no match */
typedef struct { long xx, yy, zzz; } tb_anon_struct_t___diff_sz; /* 24, no match */
typedef struct { char aa[1], bb[2], cc[3]; } *tb_struct_ptr_t___diff_sz; /* 8, match (behind ptr) */
typedef unsigned long tb_int_t___diff_sz;                        /* 8, no match */
typedef enum tb_enum___diff_sz tb_enum_t___diff_sz;              /* 8, named vs anon: no match */
typedef const void *const tb_void_ptr_t___diff_sz;               /* 8, match */
typedef tb_int_t___diff_sz (*tb_func_t___diff_sz)(char);         /* 8, no match */
typedef int tb_arr_t___diff_sz[2];                               /* 8, no match */
struct core_type_based___diff_sz {
	struct tb_struct___diff_sz f1; union tb_union___diff_sz f2; enum tb_enum___diff_sz f3;
	tb_named_struct_t___diff_sz f4; tb_anon_struct_t___diff_sz f5;
	tb_struct_ptr_t___diff_sz f6; tb_int_t___diff_sz f7; tb_enum_t___diff_sz f8;
	tb_void_ptr_t___diff_sz f9; tb_func_t___diff_sz f10; tb_arr_t___diff_sz f11;
};
void f(struct core_type_based___diff_sz *x) {}
