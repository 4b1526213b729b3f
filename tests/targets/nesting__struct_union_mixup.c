#include "targets.h"
/* struct where the local has a union and vice versa, with decoys */
struct core_nesting___struct_union_mixup {
	int __a;
	struct {
		int __a;
		union {
			char __a;
			int a;
		} a;
	} a;
	int __b;
	union {
		int __b;
		union {
			char __b;
			int b;
		} b;
	} b;
};
OFF(struct core_nesting___struct_union_mixup, a.a.a, 8);
OFF(struct core_nesting___struct_union_mixup, b.b.b, 16);
void f(struct core_nesting___struct_union_mixup x) {}
