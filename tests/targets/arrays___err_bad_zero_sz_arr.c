#include "targets.h"
struct core_arrays_sub {
	int c;
	int d;
};
/* zero-length f, but not the last member: not flexible, f[1] out of bounds */
struct core_arrays___err_bad_zero_sz_arr {
	struct core_arrays_sub f[0][2];
	int a[5];
	char b[2][3][4];
	struct core_arrays_sub c[3];
	struct core_arrays_sub d[1][2];
};
OFF(struct core_arrays___err_bad_zero_sz_arr, a[2], 8);
void f(struct core_arrays___err_bad_zero_sz_arr x) {}
