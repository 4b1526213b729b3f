#include "targets.h"
typedef const int core_mods_int_t;
typedef const char *core_mods_cptr_t;
typedef const int core_mods_arr_t[7];
typedef struct { int x; int y; } core_mods_sub_t;
/* a/b, c/d, e/f and g/h swap their modifiers and positions; g.x/g.y swap */
struct core_mods___mod_swap {
	int b;
	core_mods_int_t a;
	char *d ALIGN8;
	core_mods_cptr_t c;
	int f[3] ALIGN8;
	core_mods_arr_t e;
	struct { int y; int x; } h;
	core_mods_sub_t g;
};
OFF(struct core_mods___mod_swap, a, 4);
OFF(struct core_mods___mod_swap, b, 0);
OFF(struct core_mods___mod_swap, c, 16);
OFF(struct core_mods___mod_swap, d, 8);
OFF(struct core_mods___mod_swap, e[1], 40);
OFF(struct core_mods___mod_swap, f[2], 32);
OFF(struct core_mods___mod_swap, g.y, 76);
OFF(struct core_mods___mod_swap, h.x, 68);
void f(struct core_mods___mod_swap x) {}
