#include "targets.h"
typedef int int1_t;
typedef int1_t int2_t;
typedef int2_t int3_t;
typedef int arr1_t[5];
typedef arr1_t arr2_t;
typedef arr2_t arr3_t;
typedef const volatile arr3_t arr4_t;
typedef const char *const volatile fancy_char_ptr_t;
typedef struct { int x; int y; } sub_t;
typedef sub_t sub_tt;
typedef const sub_tt sub_ttt;
/* chains of typedefs and modifiers, reversed order */
struct core_mods___typedefs {
	sub_ttt g;
	sub_tt h;
	arr4_t f;
	arr4_t e;
	fancy_char_ptr_t d ALIGN8;
	fancy_char_ptr_t c;
	volatile int3_t b ALIGN8;
	int3_t a;
};
OFF(struct core_mods___typedefs, g.y, 4);
OFF(struct core_mods___typedefs, h.x, 8);
OFF(struct core_mods___typedefs, f[2], 24);
OFF(struct core_mods___typedefs, e[1], 40);
OFF(struct core_mods___typedefs, d, 56);
OFF(struct core_mods___typedefs, c, 64);
OFF(struct core_mods___typedefs, b, 72);
OFF(struct core_mods___typedefs, a, 76);
void f(struct core_mods___typedefs x) {}
