#include "targets.h"
/* every field flips signedness */
struct core_ints___reverse_sign {
	__s8 u8_field;
	__u8 s8_field;
	__s16 u16_field;
	__u16 s16_field;
	__s32 u32_field;
	__u32 s32_field;
	__s64 u64_field;
	__u64 s64_field;
};
void f(struct core_ints___reverse_sign x) {}
