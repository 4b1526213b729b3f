#include "targets.h"
/* widths change (and order): sizes and offsets follow */
struct core_ints___diff_sz {
	__s64 s64_field;
	__u64 u64_field;
	__u32 u8_field;
	__s32 s8_field;
	__u8 u16_field;
	__s8 s16_field;
	__u16 u32_field;
	__s16 s32_field;
};
OFF(struct core_ints___diff_sz, u8_field, 16);
OFF(struct core_ints___diff_sz, s8_field, 20);
OFF(struct core_ints___diff_sz, u16_field, 24);
OFF(struct core_ints___diff_sz, s16_field, 25);
OFF(struct core_ints___diff_sz, u32_field, 26);
OFF(struct core_ints___diff_sz, s32_field, 28);
void f(struct core_ints___diff_sz x) {}
