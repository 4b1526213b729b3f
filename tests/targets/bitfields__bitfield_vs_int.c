#include "targets.h"
/* bitfields become plain ints and plain ints become bitfields */
struct core_bitfields___bitfield_vs_int {
	__u64 ub1;           /*  1 -> 64 plain */
	__u8 ub2;            /*  2 ->  8 plain */
	__s64 ub7 ALIGN8;    /*  7 -> 64 plain signed */
	__s64 sb4 ALIGN8;    /*  4 -> 64 plain signed */
	__u16 sb20 ALIGN8;   /* 20 -> 16 plain unsigned */
	__s32 u32 : 20;      /* 32 plain -> 20 bitfield */
	__u64 s32 : 60 ALIGN8; /* 32 plain -> 60 bitfield */
};
void f(struct core_bitfields___bitfield_vs_int x) {}
