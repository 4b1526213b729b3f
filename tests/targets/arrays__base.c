#include "targets.h"
struct core_arrays_sub {
	int c;
	int d;
};
/* same layout as the program */
struct core_arrays {
	int a[5];
	char b[2][3][4];
	struct core_arrays_sub c[3];
	struct core_arrays_sub d[1][2];
	struct core_arrays_sub f[][2];
};
OFF(struct core_arrays, a[2], 8);
OFF(struct core_arrays, b[1][2][3], 43);
OFF(struct core_arrays, c[1].c, 52);
OFF(struct core_arrays, d[0][0].d, 72);
OFF(struct core_arrays, f[1][0].c, 100);
void f(struct core_arrays x) {}
