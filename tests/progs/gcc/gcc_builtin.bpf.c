// SPDX-License-Identifier: MIT
/*
 * Built by GCC's BPF backend only: __builtin_preserve_access_index() on the address of
 * a member of a struct without the preserve_access_index attribute, read with
 * bpf_probe_read_kernel() (what BPF_CORE_READ does).  GCC 12 attaches the CO-RE record
 * to the register move that copies the base pointer, not to the `+= offset` after it,
 * so wherever the struct exists in the target libbpf fails ("failed to patch insn",
 * EINVAL) and so does corelink (the record's instruction cannot be patched: exit 2);
 * where the struct is missing both poison the move.  See tests/cases.md.
 */
#include "progs_common.h"

char LICENSE[] SEC("license") = "GPL";

struct core_size {       /* as in core_size.bpf.c; no preserve_access_index */
	int int_field;
	struct { int x; } struct_field;
};

struct {
	int v;
} out = {};

struct core_nesting_sub {  /* as in core_nesting.bpf.c */
	int a;
} __attribute__((preserve_access_index));

SEC("raw_tp/sys_enter")
int gcc_builtin(void *ctx)
{
	struct core_nesting_sub *s = (void *)(unsigned long)bpf_get_current_task();
	struct core_size *in = (void *)(unsigned long)bpf_get_current_task();
	int v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), __builtin_preserve_access_index(&s->a));
	out.v = v;
	bpf_probe_read_kernel(&v, sizeof(v), __builtin_preserve_access_index(&in->struct_field));
	out.v += v;
	return 0;
}
