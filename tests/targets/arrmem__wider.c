#include "targets.h"
/* wider elements, same total size: 1.1 patches (16 == 16, 32 == 32 bytes), 1.7 poisons (elements of 4 vs 8 bytes) */
struct core_arrmem {
	int pad;
	unsigned long long arr[2];
	unsigned long long rows[2][2];
};
OFF(struct core_arrmem, arr, 8);
OFF(struct core_arrmem, rows, 24);
OFF(struct core_arrmem, rows[1], 40);
void f(struct core_arrmem x) {}
