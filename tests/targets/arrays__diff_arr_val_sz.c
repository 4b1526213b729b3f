#include "targets.h"
struct core_arrays_sub {
	int c;
	int d;
};
/* bigger array element (12-byte struct with c/d in the middle) */
struct core_arrays___diff_arr_val_sz {
	int a[5];
	char b[2][3][4];
	struct { int __pad1; int c; int __pad2; } c[3];
	struct { int __pad1; int d; int __pad2; } d[1][2];
	struct { int __pad1; int c; int __pad2; } f[][2];
};
OFF(struct core_arrays___diff_arr_val_sz, c[1].c, 60);
OFF(struct core_arrays___diff_arr_val_sz, d[0][0].d, 84);
OFF(struct core_arrays___diff_arr_val_sz, f[1][0].c, 132);
void f(struct core_arrays___diff_arr_val_sz x) {}
