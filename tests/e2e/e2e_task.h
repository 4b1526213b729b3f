/* SPDX-License-Identifier: MIT */
/*
 * Shared between tests/progs/e2e_task.bpf.c (BPF side) and tests/e2e/loader.c
 * (user side): the layout of the program's only .bss variable.  Plain
 * fixed-size types, 8-byte aligned fields, so both compilers agree.
 */
#ifndef E2E_TASK_H
#define E2E_TASK_H

struct e2e_state {
	/* Written by the loader: the thread whose syscalls are sampled (0 = none). */
	__s32 target_tid;
	/* Number of samples taken (the program writes every field below each time). */
	__u32 hits;
	/* bpf_get_current_pid_tgid() of the sample: tgid << 32 | pid. */
	__u64 helper_pid_tgid;
	/* CO-RE reads through the current task_struct. */
	__s32 pid;          /* task->pid */
	__s32 tgid;         /* task->tgid */
	__s32 ppid;         /* task->real_parent->tgid */
	__s32 leader_pid;   /* task->group_leader->pid */
	__u32 uid;          /* task->cred->uid.val */
	__u32 euid;         /* task->cred->euid.val */
	__u64 state;        /* task->__state (or ->state on kernels before 5.14) */
	__u32 state_is_new; /* 1 if the kernel has __state */
	__u32 pad0;
	__u64 start_code;   /* task->mm->start_code */
	__u64 start_stack;  /* task->mm->start_stack */
	__u64 arg_start;    /* task->mm->arg_start */
	__u64 arg_end;      /* task->mm->arg_end */
	char comm[16];      /* task->comm */
};

#endif
