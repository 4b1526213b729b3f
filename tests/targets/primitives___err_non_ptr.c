#include "targets.h"
enum core_primitives_enum { PRIM_A = 0, PRIM_B = 1 };
/* d is an int, not a pointer */
struct core_primitives___err_non_ptr {
	char a;
	int b;
	enum core_primitives_enum c;
	int d;
	int (*f)(const char *) ALIGN8;
};
OFF(struct core_primitives___err_non_ptr, f, 16);
void f(struct core_primitives___err_non_ptr x) {}
