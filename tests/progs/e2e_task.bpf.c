// SPDX-License-Identifier: MIT
/*
 * End-to-end load test program (tests/e2e): on every syscall entry of one
 * chosen thread, read the current task through CO-RE and store what it saw
 * in .bss for the loader to compare with getpid()/gettid()/getppid(),
 * /proc/self/stat and prctl(PR_GET_NAME).
 *
 * The kernel types are declared here, minimal and deliberately in a
 * different order from any real kernel, so that nothing but CO-RE
 * relocation can make the offsets right.  No vmlinux.h.
 */
#include "progs_common.h"
#include "../e2e/e2e_task.h"

typedef struct {
	unsigned int val;
} kuid_t;

struct cred {
	kuid_t euid;
	kuid_t uid;
} __attribute__((preserve_access_index));

/* In the kernel these sit inside an anonymous struct of mm_struct. */
struct mm_struct {
	unsigned long arg_end;
	unsigned long arg_start;
	unsigned long start_stack;
	unsigned long start_code;
} __attribute__((preserve_access_index));

struct task_struct {
	char comm[16];
	const struct cred *cred;
	struct mm_struct *mm;
	struct task_struct *group_leader;
	struct task_struct *real_parent;
	int tgid;
	int pid;
	unsigned int __state;
} __attribute__((preserve_access_index));

/* Kernels before 5.14 call it 'long state'. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

struct e2e_state state;

SEC("raw_tp/sys_enter")
int e2e_sys_enter(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *t;

	if (state.target_tid == 0 || (__s32)(__u32)id != state.target_tid)
		return 0;

	t = (struct task_struct *)bpf_get_current_task();
	state.helper_pid_tgid = id;
	state.pid = BPF_CORE_READ(t, pid);
	state.tgid = BPF_CORE_READ(t, tgid);
	state.ppid = BPF_CORE_READ(t, real_parent, tgid);
	state.leader_pid = BPF_CORE_READ(t, group_leader, pid);
	state.uid = BPF_CORE_READ(t, cred, uid.val);
	state.euid = BPF_CORE_READ(t, cred, euid.val);
	if (bpf_core_field_exists(t->__state)) {
		state.state = BPF_CORE_READ(t, __state);
		state.state_is_new = 1;
	} else {
		state.state = BPF_CORE_READ((struct task_struct___pre514 *)t, state);
		state.state_is_new = 0;
	}
	state.start_code = BPF_CORE_READ(t, mm, start_code);
	state.start_stack = BPF_CORE_READ(t, mm, start_stack);
	state.arg_start = BPF_CORE_READ(t, mm, arg_start);
	state.arg_end = BPF_CORE_READ(t, mm, arg_end);
	BPF_CORE_READ_STR_INTO(&state.comm, t, comm);
	__sync_fetch_and_add(&state.hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
