#include "targets.h"
/* extra anonymous levels around a, the middle and b */
struct core_nesting___extra_nesting {
	int __pad;
	struct {
		struct {
			struct {
				struct {
					union {
						int a;
					} a;
				};
			};
		} a;
		int __more;
		struct {
			union {
				union {
					union {
						struct {
							int b;
						};
					} b;
				};
			} b;
		};
	};
};
OFF(struct core_nesting___extra_nesting, a.a, 4);
OFF(struct core_nesting___extra_nesting, b.b.b, 12);
void f(struct core_nesting___extra_nesting x) {}
