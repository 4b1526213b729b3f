#include "targets.h"
struct core_arrays_sub {
	int c;
	int d;
};
/* a is not an array */
struct core_arrays___err_non_array {
	int a;
	char b[2][3][4];
	struct core_arrays_sub c[3];
	struct core_arrays_sub d[1][2];
	struct core_arrays_sub f[][2];
};
OFF(struct core_arrays___err_non_array, b[1][2][3], 27);
OFF(struct core_arrays___err_non_array, c[1].c, 36);
OFF(struct core_arrays___err_non_array, d[0][0].d, 56);
OFF(struct core_arrays___err_non_array, f[1][0].c, 84);
void f(struct core_arrays___err_non_array x) {}
