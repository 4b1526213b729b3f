#include "targets.h"
/* longer arrays (same element type): libbpf 1.1 poisons the loads and stores (16 != 32 bytes), 1.7 patches them (4 == 4 per element) */
struct core_arrmem {
	int pad;
	int extra;
	unsigned int arr[8];
	unsigned int rows[2][8];
};
OFF(struct core_arrmem, arr, 8);
OFF(struct core_arrmem, rows, 40);
OFF(struct core_arrmem, rows[1], 72);
void f(struct core_arrmem x) {}
