#include "targets.h"
/* same layout as the program: both rules patch every access, values unchanged */
struct core_arrmem {
	int pad;
	unsigned int arr[4];
	unsigned int rows[2][4];
};
OFF(struct core_arrmem, arr, 4);
OFF(struct core_arrmem, rows, 20);
OFF(struct core_arrmem, rows[1], 36);
void f(struct core_arrmem x) {}
