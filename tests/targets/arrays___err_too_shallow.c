#include "targets.h"
struct core_arrays_sub {
	int c;
	int d;
};
/* b lacks one dimension */
struct core_arrays___err_too_shallow {
	int a[5];
	char b[2][3];
	struct core_arrays_sub c[3];
	struct core_arrays_sub d[1][2];
	struct core_arrays_sub f[][2];
};
OFF(struct core_arrays___err_too_shallow, c[1].c, 36);
OFF(struct core_arrays___err_too_shallow, d[0][0].d, 56);
OFF(struct core_arrays___err_too_shallow, f[1][0].c, 84);
void f(struct core_arrays___err_too_shallow x) {}
