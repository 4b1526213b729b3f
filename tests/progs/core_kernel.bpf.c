// SPDX-License-Identifier: MIT
/*
 * kernel: reads struct task_struct the way real tools do, with minimal
 * local definitions (no vmlinux.h), for the btfhub kernels and the running
 * kernel: pid/tgid, comm, mm->start_code, real_parent->tgid, the task state
 * under its two names (__state since 5.14, state before) guarded by
 * bpf_core_field_exists, and sock.sk_protocol, a bitfield before 5.6 and a
 * u16 after, read with BPF_CORE_READ_BITFIELD_PROBED.
 */
#include "core_types.h"

CORE_PROG_PREAMBLE;

struct mm_struct {
	unsigned long start_code;
	unsigned long end_code;
} PAI;

struct task_struct {
	int pid;
	int tgid;
	unsigned int __state;
	char comm[16];
	struct mm_struct *mm;
	struct task_struct *real_parent;
} PAI;

/* before 5.14 */
struct task_struct___pre514 {
	long state;
} PAI;

struct sock {
	__u16 sk_protocol;
	__u16 sk_type;
} PAI;

struct {
	int pid, tgid, ppid;
	long state;
	unsigned long start_code;
	char comm[16];
	int task_size;
	__u64 proto;
} out = {};

SEC("raw_tp/sys_enter")
int core_kernel(void *ctx)
{
	struct task_struct *t = CORE_IN(struct task_struct);
	struct sock *sk = CORE_IN(struct sock);

	out.pid = BPF_CORE_READ(t, pid);
	out.tgid = BPF_CORE_READ(t, tgid);
	out.ppid = BPF_CORE_READ(t, real_parent, tgid);
	out.start_code = BPF_CORE_READ(t, mm, start_code);
	BPF_CORE_READ_STR_INTO(&out.comm, t, comm);
	if (bpf_core_field_exists(t->__state))
		out.state = BPF_CORE_READ(t, __state);
	else
		out.state = BPF_CORE_READ((struct task_struct___pre514 *)t, state);
	out.task_size = bpf_core_type_size(struct task_struct);
	out.proto = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	return 0;
}
