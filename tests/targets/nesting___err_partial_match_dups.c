#include "targets.h"
/* each flavor has only one of a.a.a / b.b.b: the first relocation prunes the
 * candidate list to __a, so b.b.b then finds no candidate (poison) */
struct core_nesting___err_partial_match_dups__a {
	struct { struct { int a; } a; } a;
};
struct core_nesting___err_partial_match_dups__b {
	int __pad;
	struct { struct { int b; } b; } b;
};
void f(struct core_nesting___err_partial_match_dups__a x,
       struct core_nesting___err_partial_match_dups__b y) {}
