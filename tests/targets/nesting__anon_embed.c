#include "targets.h"
/* anonymous inline structs/unions instead of the named ones */
struct core_nesting___anon_embed {
	int __pad;
	union {
		struct {
			int a;
		} a;
	} a;
	struct {
		union {
			int b;
		} b;
	} b;
};
OFF(struct core_nesting___anon_embed, a.a.a, 4);
OFF(struct core_nesting___anon_embed, b.b.b, 8);
void f(struct core_nesting___anon_embed x) {}
