#include "targets.h"
/* the middle b container is a pointer, not embedded */
struct core_nesting___err_nonstruct_container {
	struct { struct { int a; } a; } a;
	struct { struct { int b; } *b; } b;
};
OFF(struct core_nesting___err_nonstruct_container, a.a.a, 0);
void f(struct core_nesting___err_nonstruct_container x) {}
