#include "targets.h"
/* c is an anonymous inline enum with other values (anonymous: compatible) */
struct core_primitives___diff_enum_def {
	char a;
	int b;
	void *d ALIGN8;
	int (*f)(const char *) ALIGN8;
	enum { PRIM_X = 100, PRIM_Y = 200 } c ALIGN8;
};
OFF(struct core_primitives___diff_enum_def, b, 4);
OFF(struct core_primitives___diff_enum_def, d, 8);
OFF(struct core_primitives___diff_enum_def, f, 16);
OFF(struct core_primitives___diff_enum_def, c, 24);
void f(struct core_primitives___diff_enum_def x) {}
