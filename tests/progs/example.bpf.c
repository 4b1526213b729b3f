// SPDX-License-Identifier: MIT
/*
 * example.bpf.c - the README example: a small exec tracer written for CO-RE.
 *
 * On every exec it reports who ran what: pid, tgid, parent, group leader,
 * uid, command name, and the size of the new program's argument and
 * environment areas, read through the current task_struct and its mm.
 *
 * Kernel types are declared here, minimal, with preserve_access_index: only
 * the fields used, in any order, at any offset.  No vmlinux.h.  The compiler
 * records a CO-RE relocation for each access; libbpf resolves them at load
 * time against the kernel's BTF - or corelink resolves them at build time
 * against a chosen kernel, so the object loads where no BTF is available:
 *
 *     ./build/corelink build/tests/bpf/example.bpf.o -o example.relocated.o -v
 */
#include "progs_common.h"

typedef struct {
	unsigned int val;
} kuid_t;

struct cred {
	kuid_t uid;
} __attribute__((preserve_access_index));

struct mm_struct {
	unsigned long arg_start, arg_end;
	unsigned long env_start, env_end;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct mm_struct *mm;
	const struct cred *cred;
	char comm[16];
	unsigned int __state;
} __attribute__((preserve_access_index));

/* Before Linux 5.14 the task state was 'volatile long state'. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

struct exec_event {
	__s32 pid;           /* thread id */
	__s32 tgid;          /* process id */
	__s32 ppid;          /* real parent's process id */
	__s32 leader_pid;    /* thread group leader's thread id */
	__u32 uid;
	__u32 args_size;     /* bytes of argv strings */
	__u32 env_size;      /* bytes of envp strings */
	__u32 state;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

static __always_inline __u32 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

SEC("tp/sched/sched_process_exec")
int trace_exec(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct exec_event *e;
	struct mm_struct *mm;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = BPF_CORE_READ(t, pid);
	e->tgid = BPF_CORE_READ(t, tgid);
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->leader_pid = BPF_CORE_READ(t, group_leader, pid);
	e->uid = BPF_CORE_READ(t, cred, uid.val);
	e->state = task_state(t);
	mm = BPF_CORE_READ(t, mm);
	e->args_size = BPF_CORE_READ(mm, arg_end) - BPF_CORE_READ(mm, arg_start);
	e->env_size = BPF_CORE_READ(mm, env_end) - BPF_CORE_READ(mm, env_start);
	BPF_CORE_READ_STR_INTO(&e->comm, t, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
