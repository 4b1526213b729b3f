#include "targets.h"
/* only a exists (at 4) */
struct core_existence___minimal {
	int __pad;
	int a;
};
void f(struct core_existence___minimal x) {}
