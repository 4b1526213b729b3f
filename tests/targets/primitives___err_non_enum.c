#include "targets.h"
/* c is an int, not an enum */
struct core_primitives___err_non_enum {
	char a;
	int b;
	int c;
	void *d ALIGN8;
	int (*f)(const char *) ALIGN8;
};
void f(struct core_primitives___err_non_enum x) {}
