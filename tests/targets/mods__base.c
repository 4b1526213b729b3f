#include "targets.h"
typedef const int core_mods_int_t;
typedef const char *core_mods_cptr_t;
typedef const int core_mods_arr_t[7];
struct core_mods_sub { int x; int y; };
typedef struct { int x; int y; } core_mods_sub_t;
struct core_mods {
	int a;
	core_mods_int_t b;
	char *c ALIGN8;
	core_mods_cptr_t d;
	int e[3] ALIGN8;
	core_mods_arr_t f;
	struct core_mods_sub g;
	core_mods_sub_t h;
};
OFF(struct core_mods, e[1], 28);
OFF(struct core_mods, f[2], 44);
OFF(struct core_mods, g.y, 68);
OFF(struct core_mods, h.x, 72);
void f(struct core_mods x) {}
