#include "targets.h"
struct core_arrays_sub {
	int c;
	int d;
};
/* a[2] is out of bounds */
struct core_arrays___err_too_small {
	int a[2];
	char b[2][3][4];
	struct core_arrays_sub c[3];
	struct core_arrays_sub d[1][2];
	struct core_arrays_sub f[][2];
};
OFF(struct core_arrays___err_too_small, b[1][2][3], 31);
OFF(struct core_arrays___err_too_small, c[1].c, 40);
OFF(struct core_arrays___err_too_small, d[0][0].d, 60);
OFF(struct core_arrays___err_too_small, f[1][0].c, 88);
void f(struct core_arrays___err_too_small x) {}
