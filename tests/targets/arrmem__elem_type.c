#include "targets.h"
/* other element types: arr of u16[8] (same total, narrower: 1.1 patches, 1.7 poisons), rows of int[2][4] (same sizes: both patch) */
struct core_arrmem {
	int pad;
	int extra[3];
	unsigned short arr[8];
	int rows[2][4];
};
OFF(struct core_arrmem, arr, 16);
OFF(struct core_arrmem, rows, 32);
OFF(struct core_arrmem, rows[1], 48);
void f(struct core_arrmem x) {}
