#include "targets.h"
/* the middle b container is an array of structs */
struct core_nesting___err_array_container {
	struct { struct { int a; } a; } a;
	struct { struct { int b; } b[1]; } b;
};
OFF(struct core_nesting___err_array_container, a.a.a, 0);
void f(struct core_nesting___err_array_container x) {}
