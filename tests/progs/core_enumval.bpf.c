// SPDX-License-Identifier: MIT
/* enumval: ENUMVAL_EXISTS / ENUMVAL_VALUE on a named enum and on an
 * anonymous enum reached through a typedef. */
#include "core_types.h"

CORE_PROG_PREAMBLE;

enum ev_named {
	EV_NAMED_VAL1 = 1,
	EV_NAMED_VAL2 = 2,
	EV_NAMED_VAL3 = 3,
};

typedef enum {
	EV_ANON_VAL1 = 0x10,
	EV_ANON_VAL2 = 0x20,
	EV_ANON_VAL3 = 0x30,
} ev_anon_t;

struct {
	int named_val1_exists, named_val2_exists, named_val3_exists;
	int anon_val1_exists, anon_val2_exists, anon_val3_exists;
	long named_val1, named_val2, anon_val1, anon_val2;
} out = {};

SEC("raw_tp/sys_enter")
int core_enumval(void *ctx)
{
	out.named_val1_exists = bpf_core_enum_value_exists(enum ev_named, EV_NAMED_VAL1);
	out.named_val2_exists = bpf_core_enum_value_exists(enum ev_named, EV_NAMED_VAL2);
	out.named_val3_exists = bpf_core_enum_value_exists(enum ev_named, EV_NAMED_VAL3);
	out.anon_val1_exists = bpf_core_enum_value_exists(ev_anon_t, EV_ANON_VAL1);
	out.anon_val2_exists = bpf_core_enum_value_exists(ev_anon_t, EV_ANON_VAL2);
	out.anon_val3_exists = bpf_core_enum_value_exists(ev_anon_t, EV_ANON_VAL3);

	out.named_val1 = bpf_core_enum_value(enum ev_named, EV_NAMED_VAL1);
	out.named_val2 = bpf_core_enum_value(enum ev_named, EV_NAMED_VAL2);
	out.anon_val1 = bpf_core_enum_value(ev_anon_t, EV_ANON_VAL1);
	out.anon_val2 = bpf_core_enum_value(ev_anon_t, EV_ANON_VAL2);
	return 0;
}
