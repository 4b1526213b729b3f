#include "targets.h"
struct core_arrays_sub {
	int c;
	int d;
};
/* c holds ints, not structs */
struct core_arrays___err_wrong_val_type {
	int a[5];
	char b[2][3][4];
	int c[3];
	struct core_arrays_sub d[1][2];
	struct core_arrays_sub f[][2];
};
OFF(struct core_arrays___err_wrong_val_type, d[0][0].d, 60);
OFF(struct core_arrays___err_wrong_val_type, f[1][0].c, 88);
void f(struct core_arrays___err_wrong_val_type x) {}
