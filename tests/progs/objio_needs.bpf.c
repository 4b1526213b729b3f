/* SPDX-License-Identifier: MIT */
/* objio tests: things that need kernel BTF at load time even after
 * relocation (corelink_obj_btf_needs), plus one that does not. */
#include "progs_common.h"

struct objio_ntask {
	int pid;
} __attribute__((preserve_access_index));

struct objio_ops {
	int (*init)(void);
	int flags;
};

extern int objio_typed_ksym __ksym;                 /* typed: needs BTF */
extern const void objio_untyped_ksym __ksym;        /* untyped: kallsyms only */
extern struct objio_ntask *objio_kfunc(int x) __ksym; /* kfunc: needs BTF */

long out;

SEC("fentry/do_exit")
int handle(void *ctx)
{
	struct objio_ntask *t = objio_kfunc(1);

	out = objio_typed_ksym + (long)&objio_untyped_ksym;
	if (t)
		out += BPF_CORE_READ(t, pid);
	return 0;
}

SEC("tp_btf/sched_switch")
int on_switch(void *ctx)
{
	return 0;
}

SEC("kprobe/do_exit")
int plain(void *ctx)
{
	return 0;
}

SEC("struct_ops/objio_init")
int objio_init(void)
{
	return 0;
}

SEC(".struct_ops")
struct objio_ops objio_ops_map = {
	.init = (void *)objio_init,
};

char LICENSE[] SEC("license") = "GPL";
