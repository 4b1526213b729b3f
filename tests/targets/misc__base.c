#include "targets.h"
/* two flavors of one essential name: a1 only in ___a, b1 only in ___b;
 * core_misc_ext extends the local struct (16 bytes: [2] at 32) */
struct core_misc___a { int __pad; int a1; int a2; };
struct core_misc___b { int b2; int __pad[2]; int b1; };
struct core_misc_ext { int a; int b; int c; int d; };
OFF(struct core_misc___a, a1, 4);
OFF(struct core_misc___b, b1, 12);
SIZE(struct core_misc_ext, 16);
void f(struct core_misc___a *x, struct core_misc___b *y, struct core_misc_ext *z) {}
