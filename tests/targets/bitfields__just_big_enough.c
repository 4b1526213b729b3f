#include "targets.h"
/* ub2 occupies bits 4..63 of a packed u64: needs the full 8-byte load */
struct core_bitfields___just_big_enough {
	__u64 ub1 : 4;
	__u64 ub2 : 60;
	__u32 ub7;
	__u32 sb4;
	__u32 sb20;
	__u32 u32;
	__u32 s32;
} __attribute__((packed));
void f(struct core_bitfields___just_big_enough x) {}
