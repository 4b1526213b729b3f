#include "targets.h"
struct core_bitfields {
	__u8 ub1 : 1;
	__u8 ub2 : 2;
	__u32 ub7 : 7;
	__s8 sb4 : 4;
	__s32 sb20 : 20;
	__u32 u32;
	__s32 s32;
};
void f(struct core_bitfields x) {}
