#include "targets.h"
/* "__" (two underscores) is not a flavor separator: no candidate */
struct core_flavors__err_wrong_name {
	int a;
	int b;
	int c;
};
void f(struct core_flavors__err_wrong_name x) {}
