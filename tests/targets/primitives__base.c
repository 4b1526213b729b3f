#include "targets.h"
enum core_primitives_enum { PRIM_A = 0, PRIM_B = 1 };
struct core_primitives {
	char a;
	int b;
	enum core_primitives_enum c;
	void *d ALIGN8;
	int (*f)(const char *) ALIGN8;
};
OFF(struct core_primitives, c, 8);
OFF(struct core_primitives, d, 16);
OFF(struct core_primitives, f, 24);
void f(struct core_primitives x) {}
