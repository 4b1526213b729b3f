#include "targets.h"
/* b.b.b is int[1] instead of int */
struct core_nesting___err_array_field {
	struct { struct { int a; } a; } a;
	struct { struct { int b[1]; } b; } b;
};
OFF(struct core_nesting___err_array_field, a.a.a, 0);
void f(struct core_nesting___err_array_field x) {}
