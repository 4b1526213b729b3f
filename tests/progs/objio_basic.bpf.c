/* SPDX-License-Identifier: MIT */
/* objio tests: CO-RE records of several kinds spread over two program
 * sections and a .text subprogram; nothing that needs kernel BTF. */
#include "progs_common.h"

struct objio_task {
	int pid;
	int tgid;
	unsigned int flags : 3;
	unsigned int prio : 5;
	long state;
	char comm[16];
} __attribute__((preserve_access_index));

enum objio_state { OBJIO_A = 1, OBJIO_B = 2 };

int out[8];
long out64;

static __attribute__((noinline)) int objio_sub(struct objio_task *t)
{
	return BPF_CORE_READ(t, tgid);
}

SEC("tracepoint/syscalls/sys_enter_read")
int objio_tp(void *ctx)
{
	struct objio_task *t = (void *)bpf_get_current_task();

	out[0] = BPF_CORE_READ(t, pid);
	out[1] = bpf_core_field_exists(t->state);
	out[2] = bpf_core_field_size(t->comm);
	out[3] = BPF_CORE_READ_BITFIELD_PROBED(t, prio);
	out[4] = bpf_core_type_exists(struct objio_task);
	out[5] = bpf_core_enum_value(enum objio_state, OBJIO_B);
	out[6] = objio_sub(t);
	return 0;
}

SEC("kprobe/do_exit")
int objio_kp(void *ctx)
{
	struct objio_task *t = (void *)bpf_get_current_task();

	out64 = bpf_core_type_size(struct objio_task) + BPF_CORE_READ(t, state);
	return objio_sub(t);
}

char LICENSE[] SEC("license") = "GPL";
