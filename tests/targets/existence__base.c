#include "targets.h"
struct core_existence {
	int a;
	struct { int b; };
	int c;
	int arr[1];
	struct { int x; } s;
};
void f(struct core_existence x) {}
