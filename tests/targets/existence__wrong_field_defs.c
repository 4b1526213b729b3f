#include "targets.h"
/* every name is there but with an incompatible type: all "missing" */
struct core_existence___wrong_field_defs {
	void *a;
	int b[1];
	struct { int x; } c;
	int arr;
	int s;
};
void f(struct core_existence___wrong_field_defs x) {}
