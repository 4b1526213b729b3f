#include "targets.h"
enum core_primitives_enum { PRIM_A = 0, PRIM_B = 1 };
/* b is a pointer, not an int */
struct core_primitives___err_non_int {
	char a;
	int *b ALIGN8;
	enum core_primitives_enum c ALIGN8;
	void *d ALIGN8;
	int (*f)(const char *) ALIGN8;
};
OFF(struct core_primitives___err_non_int, c, 16);
OFF(struct core_primitives___err_non_int, d, 24);
OFF(struct core_primitives___err_non_int, f, 32);
void f(struct core_primitives___err_non_int x) {}
