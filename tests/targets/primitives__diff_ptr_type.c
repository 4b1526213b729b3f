#include "targets.h"
enum core_primitives_enum___other { PRIM_A___other = 0 };
/* d points to const char through a const pointer; enum flavor differs
 * only by ___suffix (same essential name: compatible) */
struct core_primitives___diff_ptr_type {
	const char *const d ALIGN8;
	char a ALIGN8;
	int b;
	enum core_primitives_enum___other c;
	int (*f)(const char *) ALIGN8;
};
OFF(struct core_primitives___diff_ptr_type, a, 8);
OFF(struct core_primitives___diff_ptr_type, b, 12);
OFF(struct core_primitives___diff_ptr_type, c, 16);
OFF(struct core_primitives___diff_ptr_type, f, 24);
void f(struct core_primitives___diff_ptr_type x) {}
