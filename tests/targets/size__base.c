#include "targets.h"
struct core_size {
	int int_field;
	struct { int x; } struct_field;
	union { int x; } union_field;
	int arr_field[4];
	void *ptr_field;
	enum { SIZE_VALUE = 123 } enum_field;
	float float_field;
};
void f(struct core_size x) {}
