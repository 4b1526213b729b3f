#include "targets.h"
struct core_arrays_sub {
	int c;
	int d;
};
/* bigger dimensions everywhere; f no longer flexible but big enough */
struct core_arrays___diff_arr_dim {
	int a[7];
	char b[3][4][5];
	struct core_arrays_sub c[4];
	struct core_arrays_sub d[2][3];
	struct core_arrays_sub f[2][3];
};
OFF(struct core_arrays___diff_arr_dim, a[2], 8);
OFF(struct core_arrays___diff_arr_dim, b[1][2][3], 61);
OFF(struct core_arrays___diff_arr_dim, c[1].c, 96);
OFF(struct core_arrays___diff_arr_dim, d[0][0].d, 124);
OFF(struct core_arrays___diff_arr_dim, f[1][0].c, 192);
void f(struct core_arrays___diff_arr_dim x) {}
