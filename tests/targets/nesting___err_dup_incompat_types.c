#include "targets.h"
/* two target flavors disagree on b.b.b (4 vs 8): offset ambiguity */
struct core_nesting___err_dup_incompat_types__1 {
	struct { struct { int a; } a; } a;
	struct { struct { int b; } b; } b;
};
struct core_nesting___err_dup_incompat_types__2 {
	struct { struct { int a; } a; } a;
	int __pad;
	struct { struct { int b; } b; } b;
};
OFF(struct core_nesting___err_dup_incompat_types__1, b.b.b, 4);
OFF(struct core_nesting___err_dup_incompat_types__2, b.b.b, 8);
void f(struct core_nesting___err_dup_incompat_types__1 x,
       struct core_nesting___err_dup_incompat_types__2 y) {}
