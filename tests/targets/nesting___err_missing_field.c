#include "targets.h"
/* b.b.b is missing (b.b.x instead) */
struct core_nesting___err_missing_field {
	struct { struct { int a; } a; } a;
	struct { struct { int x; } b; } b;
};
OFF(struct core_nesting___err_missing_field, a.a.a, 0);
void f(struct core_nesting___err_missing_field x) {}
