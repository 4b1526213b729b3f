#include "targets.h"
struct core_arrays_sub {
	int c;
	int d;
};
/* f as a GNU zero-length array: also flexible */
struct core_arrays___equiv_zero_sz_arr {
	int a[5];
	char b[2][3][4];
	struct core_arrays_sub c[3];
	struct core_arrays_sub d[1][2];
	struct core_arrays_sub f[0][2];
};
OFF(struct core_arrays___equiv_zero_sz_arr, f, 84);
void f(struct core_arrays___equiv_zero_sz_arr x) {}
