#include "targets.h"
enum core_primitives_enum { PRIM_A = 0, PRIM_B = 1 };
/* reversed order; f points to another prototype (any pointer is compatible) */
struct core_primitives___diff_func_proto {
	void (*f)(int) ALIGN8;
	void *d ALIGN8;
	enum core_primitives_enum c ALIGN8;
	int b;
	char a;
};
OFF(struct core_primitives___diff_func_proto, d, 8);
OFF(struct core_primitives___diff_func_proto, c, 16);
OFF(struct core_primitives___diff_func_proto, b, 20);
OFF(struct core_primitives___diff_func_proto, a, 24);
void f(struct core_primitives___diff_func_proto x) {}
