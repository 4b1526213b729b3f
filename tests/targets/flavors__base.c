#include "targets.h"
struct core_flavors {
	int a;
	int b;
	int c;
};
OFF(struct core_flavors, a, 0);
OFF(struct core_flavors, b, 4);
OFF(struct core_flavors, c, 8);
void f(struct core_flavors x) {}
