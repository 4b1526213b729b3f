#include "targets.h"
/* ub2 spans bits 4..64: no aligned load of <= 8 bytes holds it (-E2BIG) */
struct core_bitfields___err_too_big_bitfield {
	__u64 ub1 : 4;
	__u64 ub2 : 61;
	__u32 ub7;
	__u32 sb4;
	__u32 sb20;
	__u32 u32;
	__u32 s32;
} __attribute__((packed));
void f(struct core_bitfields___err_too_big_bitfield x) {}
