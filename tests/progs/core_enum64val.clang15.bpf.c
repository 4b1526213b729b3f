// SPDX-License-Identifier: MIT
/* enum64val: ENUMVAL_EXISTS / ENUMVAL_VALUE on 64-bit enumerators
 * (BTF_KIND_ENUM64, clang >= 15), unsigned and signed. */
#include "core_types.h"

CORE_PROG_PREAMBLE;

enum ev64_unsigned {
	EV64_U_VAL1 = 0x1ffffffffULL,
	EV64_U_VAL2 = 0x2ULL,
	EV64_U_VAL3 = 0x3ffffffffULL,
};

enum ev64_signed {
	EV64_S_VAL1 = -0x1ffffffffLL,
	EV64_S_VAL2 = -2LL,
	EV64_S_VAL3 = 0x3ffffffffLL,
};

struct {
	int u_val1_exists, u_val2_exists, u_val3_exists;
	int s_val1_exists, s_val2_exists, s_val3_exists;
	__u64 u_val1, u_val2;
	__s64 s_val1, s_val2;
} out = {};

SEC("raw_tp/sys_enter")
int core_enum64val(void *ctx)
{
	out.u_val1_exists = bpf_core_enum_value_exists(enum ev64_unsigned, EV64_U_VAL1);
	out.u_val2_exists = bpf_core_enum_value_exists(enum ev64_unsigned, EV64_U_VAL2);
	out.u_val3_exists = bpf_core_enum_value_exists(enum ev64_unsigned, EV64_U_VAL3);
	out.s_val1_exists = bpf_core_enum_value_exists(enum ev64_signed, EV64_S_VAL1);
	out.s_val2_exists = bpf_core_enum_value_exists(enum ev64_signed, EV64_S_VAL2);
	out.s_val3_exists = bpf_core_enum_value_exists(enum ev64_signed, EV64_S_VAL3);

	out.u_val1 = bpf_core_enum_value(enum ev64_unsigned, EV64_U_VAL1);
	out.u_val2 = bpf_core_enum_value(enum ev64_unsigned, EV64_U_VAL2);
	out.s_val1 = bpf_core_enum_value(enum ev64_signed, EV64_S_VAL1);
	out.s_val2 = bpf_core_enum_value(enum ev64_signed, EV64_S_VAL2);
	return 0;
}
