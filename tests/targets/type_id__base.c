#include "targets.h"
/* padding types first so that target ids differ from the local ones */
struct tid_padding1 { char c; };
typedef long tid_padding2;
struct tid_struct { int x; };
union tid_union { int y; int z; };
enum tid_enum { TID_VAL1 = 1 };
typedef struct tid_struct tid_struct_t;
typedef int (*tid_func_t)(long);
typedef char tid_arr_t[20];
struct core_type_id {
	struct tid_padding1 p1; tid_padding2 p2;
	struct tid_struct f1; union tid_union f2; enum tid_enum f3;
	tid_struct_t f4; tid_func_t f5; tid_arr_t f6;
};
void f(struct core_type_id *x) {}
