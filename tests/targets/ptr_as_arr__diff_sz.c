#include "targets.h"
/* 12-byte struct, a at 8: in[2].a = 2 * 12 + 8 = 32 */
struct core_ptr_as_arr___diff_sz {
	int : 32;
	char __pad;
	int a;
};
OFF(struct core_ptr_as_arr___diff_sz, a, 8);
SIZE(struct core_ptr_as_arr___diff_sz, 12);
void f(struct core_ptr_as_arr___diff_sz x) {}
