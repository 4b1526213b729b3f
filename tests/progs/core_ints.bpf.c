// SPDX-License-Identifier: MIT
/* ints: every integer width, signed and unsigned: offset, size, signedness. */
#include "core_types.h"

CORE_PROG_PREAMBLE;

struct core_ints {
	__u8 u8_field;   /* 0 */
	__s8 s8_field;   /* 1 */
	__u16 u16_field; /* 2 */
	__s16 s16_field; /* 4 */
	__u32 u32_field; /* 8 */
	__s32 s32_field; /* 12 */
	__u64 u64_field; /* 16 */
	__s64 s64_field; /* 24 */
} PAI;

struct {
	__u64 val[8];
	int sz[8];
	int sgn[8];
} out = {};

#define INT_FIELD(i, f)                                                     \
	do {                                                                \
		out.val[i] = BPF_CORE_READ(in, f);                          \
		out.sz[i] = bpf_core_field_size(in->f);                     \
		out.sgn[i] = __builtin_preserve_field_info(in->f, BPF_FIELD_SIGNED); \
	} while (0)

SEC("raw_tp/sys_enter")
int core_ints(void *ctx)
{
	struct core_ints *in = CORE_IN(struct core_ints);

	INT_FIELD(0, u8_field);
	INT_FIELD(1, s8_field);
	INT_FIELD(2, u16_field);
	INT_FIELD(3, s16_field);
	INT_FIELD(4, u32_field);
	INT_FIELD(5, s32_field);
	INT_FIELD(6, u64_field);
	INT_FIELD(7, s64_field);
	return 0;
}
