#include "targets.h"
/* the middle b container is missing */
struct core_nesting___err_missing_container {
	struct { struct { int a; } a; } a;
	struct { int x; } b;
};
OFF(struct core_nesting___err_missing_container, a.a.a, 0);
void f(struct core_nesting___err_missing_container x) {}
