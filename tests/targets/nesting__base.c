#include "targets.h"
struct core_nesting_sub {
	int a;
};
union core_nesting_subu {
	int b;
};
struct core_nesting {
	union {
		struct core_nesting_sub a;
	} a;
	struct {
		union core_nesting_subu b;
	} b;
};
OFF(struct core_nesting, a.a.a, 0);
OFF(struct core_nesting, b.b.b, 4);
void f(struct core_nesting x) {}
