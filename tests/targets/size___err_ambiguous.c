#include "targets.h"
/* two flavors, int_field at the same offset but 4 vs 1 bytes:
 * BYTE_SIZE differs between candidates (decision ambiguity) */
struct core_size___err_ambiguous1 {
	int int_field;
	struct { int x; } struct_field;
	union { int x; } union_field;
	int arr_field[4];
	void *ptr_field;
	enum { VALUE___1 = 123 } enum_field;
	float float_field;
};
struct core_size___err_ambiguous2 {
	char int_field;
	struct { int x; } struct_field;
	union { int x; } union_field;
	int arr_field[4];
	void *ptr_field;
	enum { VALUE___2 = 123 } enum_field;
	float float_field;
};
void f(struct core_size___err_ambiguous1 *x, struct core_size___err_ambiguous2 *y) {}
