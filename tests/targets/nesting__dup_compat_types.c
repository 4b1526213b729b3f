#include "targets.h"
/* three target flavors, different shapes, same offsets: a.a.a=4, b.b.b=16 */
struct core_nesting___dup_compat_types {
	char __pad;
	struct {
		struct {
			int a;
		} a;
	} a;
	long long __more;
	struct {
		struct {
			int b;
		} b;
	} b;
};
struct core_nesting___dup_compat_types__2 {
	int __pad;
	struct {
		int __noop[0];
		struct {
			char __noops[0];
			int a;
		} a;
	} a;
	int __more;
	struct {
		struct {
			struct {
				int __pad2;
				int b;
			} b;
			int __unused;
		};
	} b;
	int __tail;
};
struct core_nesting___dup_compat_types__3 {
	char __pad[4];
	struct {
		struct {
			int a;
		} a;
	} a;
	struct {
		struct {
			int b;
		} b;
	} b __attribute__((aligned(16)));
};
OFF(struct core_nesting___dup_compat_types, a.a.a, 4);
OFF(struct core_nesting___dup_compat_types, b.b.b, 16);
OFF(struct core_nesting___dup_compat_types__2, a.a.a, 4);
OFF(struct core_nesting___dup_compat_types__2, b.b.b, 16);
OFF(struct core_nesting___dup_compat_types__3, a.a.a, 4);
OFF(struct core_nesting___dup_compat_types__3, b.b.b, 16);
void f(struct core_nesting___dup_compat_types x, struct core_nesting___dup_compat_types__2 y,
       struct core_nesting___dup_compat_types__3 z) {}
