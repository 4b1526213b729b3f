// SPDX-License-Identifier: MIT
/*
 * arch_probe.bpf.c - one program built once per architecture, as real
 * objects are (-D__TARGET_ARCH_x86 / -D__TARGET_ARCH_arm64): a kprobe reads
 * its first two arguments from the registers of the target architecture,
 * through the kernel's register structure as bpf_tracing.h does with
 * vmlinux.h (x86: struct pt_regs di, si; arm64: struct user_pt_regs
 * regs[0], regs[1]), and the task's pid through task_struct.
 *
 * Relocated against a kernel of the other architecture, every argument
 * read is poisoned (x86 kernels have no user_pt_regs; arm64's pt_regs has
 * no di): batch mode must relocate each build only for its own
 * architecture (tests/batch/run_two_arch.sh).
 */
#include "progs_common.h"

#if defined(__TARGET_ARCH_arm64)
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
} __attribute__((preserve_access_index));
#define ARG1(ctx) BPF_CORE_READ((struct user_pt_regs *)(ctx), regs[0])
#define ARG2(ctx) BPF_CORE_READ((struct user_pt_regs *)(ctx), regs[1])
#else
struct pt_regs {
	unsigned long di;
	unsigned long si;
	unsigned long dx;
	unsigned long ip;
} __attribute__((preserve_access_index));
#define ARG1(ctx) BPF_CORE_READ((struct pt_regs *)(ctx), di)
#define ARG2(ctx) BPF_CORE_READ((struct pt_regs *)(ctx), si)
#endif

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

struct open_event {
	__u64 dfd;
	__u64 filename;
	__s32 pid;
	__s32 tgid;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct open_event);
} last_open SEC(".maps");

SEC("kprobe/do_sys_openat2")
int probe_openat2(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct open_event *ev;
	__u32 zero = 0;

	ev = bpf_map_lookup_elem(&last_open, &zero);
	if (!ev)
		return 0;
	ev->dfd = ARG1(ctx);
	ev->filename = ARG2(ctx);
	ev->pid = BPF_CORE_READ(t, pid);
	ev->tgid = BPF_CORE_READ(t, tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
