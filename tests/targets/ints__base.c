#include "targets.h"
struct core_ints {
	__u8 u8_field;
	__s8 s8_field;
	__u16 u16_field;
	__s16 s16_field;
	__u32 u32_field;
	__s32 s32_field;
	__u64 u64_field;
	__s64 s64_field;
};
OFF(struct core_ints, s16_field, 4);
OFF(struct core_ints, u32_field, 8);
void f(struct core_ints x) {}
