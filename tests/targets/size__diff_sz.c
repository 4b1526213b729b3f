#include "targets.h"
/* every field changes size; the enum needs 64 bits (ENUM64 with clang >= 15) */
struct core_size___diff_sz {
	__u64 int_field;                          /* 0, 8 */
	struct { int x; int y; int z; } struct_field; /* 8, 12 */
	union { int x; char bla[123]; } union_field;  /* 20, 124 */
	char arr_field[10];                       /* 144, 10 */
	void *ptr_field;                          /* 160, 8 */
	enum { OTHER_VALUE = 0xFFFFFFFFFFFFFFFF } enum_field; /* 168, 8 */
	double float_field;                       /* 176, 8 */
};
OFF(struct core_size___diff_sz, struct_field, 8);
OFF(struct core_size___diff_sz, union_field, 20);
OFF(struct core_size___diff_sz, arr_field, 144);
OFF(struct core_size___diff_sz, ptr_field, 160);
OFF(struct core_size___diff_sz, enum_field, 168);
OFF(struct core_size___diff_sz, float_field, 176);
void f(struct core_size___diff_sz x) {}
