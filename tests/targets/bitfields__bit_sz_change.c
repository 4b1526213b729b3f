#include "targets.h"
/* bit sizes change both ways; u32/s32 change width */
struct core_bitfields___bit_sz_change {
	__u16 ub1 : 3;   /*  1 ->  3 */
	__u32 ub2 : 20;  /*  2 -> 20 */
	__u8 ub7 : 1;    /*  7 ->  1 */
	__s8 sb4 : 1;    /*  4 ->  1 */
	__s32 sb20 : 30; /* 20 -> 30 */
	__u16 u32;       /* 32 -> 16 */
	__s64 s32 ALIGN8; /* 32 -> 64 */
};
void f(struct core_bitfields___bit_sz_change x) {}
