#include "targets.h"
/* 2-D reshaped, same total: rows[4][2]: a row is 8 bytes (1.1 poisons rows[1], 16 != 8), elements still 4 (1.7 patches); the whole rows 32 == 32 (both patch) */
struct core_arrmem {
	int pad;
	int extra[2];
	unsigned int arr[4];
	unsigned int rows[4][2];
};
OFF(struct core_arrmem, arr, 12);
OFF(struct core_arrmem, rows, 28);
OFF(struct core_arrmem, rows[1], 36);
void f(struct core_arrmem x) {}
