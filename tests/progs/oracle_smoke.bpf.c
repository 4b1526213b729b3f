// SPDX-License-Identifier: MIT
/*
 * oracle_smoke: a small CO-RE program for developing the libbpf oracle and the
 * differential test (tests/oracle).  It touches the common CO-RE kinds on the
 * kernel's own struct task_struct, so it relocates against every real kernel:
 *   - field byte offsets through a pointer chain (BPF_CORE_READ),
 *   - field existence of __state (5.14+) and state (older), and a read of
 *     __state guarded by its existence check: poisoned on old kernels,
 *   - type size and type existence, an enum value,
 *   - a global (.bss) variable and an array map (ld_imm64 map relocations),
 *   - a static subprogram (appended to the caller by libbpf),
 *   - a program that is not autoloaded by default (SEC("?...")).
 */
#include "progs_common.h"

/* Local, minimal views of kernel types; CO-RE finds the real layout. */
struct mm_struct {
	unsigned long total_vm;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	unsigned int __state;
	long state;
	struct mm_struct *mm;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID, PIDTYPE_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} smoke_map SEC(".maps");

__u64 smoke_out[8];

char LICENSE[] SEC("license") = "GPL";

static __attribute__((noinline)) __u64 smoke_parent_pid(struct task_struct *t)
{
	return BPF_CORE_READ(t, real_parent, tgid);
}

SEC("kprobe/do_nanosleep")
int smoke_main(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 key = 0;
	__u64 *v;

	smoke_out[0] = BPF_CORE_READ(t, pid);
	smoke_out[1] = smoke_parent_pid(t);
	smoke_out[2] = bpf_core_field_exists(t->__state);
	smoke_out[3] = bpf_core_field_exists(t->state);
	if (bpf_core_field_exists(t->__state))
		smoke_out[4] = BPF_CORE_READ(t, __state);
	smoke_out[5] = bpf_core_type_size(struct task_struct);
	smoke_out[6] = bpf_core_enum_value(enum pid_type, PIDTYPE_MAX);
	smoke_out[7] = BPF_CORE_READ(t, mm, total_vm);
	v = bpf_map_lookup_elem(&smoke_map, &key);
	if (v)
		*v += 1;
	return 0;
}

SEC("?kprobe/do_nanosleep")
int smoke_optional(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	smoke_out[0] = bpf_core_field_size(t->state);
	return bpf_core_type_exists(struct mm_struct);
}
