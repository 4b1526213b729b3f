#include "targets.h"
/* u8_field is a _Bool (INT with BOOL encoding: unsigned) */
struct core_ints___bool {
	_Bool u8_field;
	__s8 s8_field;
	__u16 u16_field;
	__s16 s16_field;
	__u32 u32_field;
	__s32 s32_field;
	__u64 u64_field;
	__s64 s64_field;
};
void f(struct core_ints___bool x) {}
