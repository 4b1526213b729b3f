#include "targets.h"
/* same sizes, shuffled offsets */
struct core_size___diff_offs {
	float float_field;                     /* 0 */
	enum { SIZE_VALUE = 123 } enum_field;  /* 4 */
	void *ptr_field;                       /* 8 */
	int arr_field[4];                      /* 16 */
	union { int x; } union_field;          /* 32 */
	struct { int x; } struct_field;        /* 36 */
	int int_field;                         /* 40 */
};
OFF(struct core_size___diff_offs, arr_field[2], 24);
OFF(struct core_size___diff_offs, int_field, 40);
void f(struct core_size___diff_offs x) {}
