/* SPDX-License-Identifier: MIT */
/*
 * Force-included (-include) when a test program is built with GCC's BPF backend
 * (Debian gcc-bpf 12): libbpf's bpf_helper_defs.h declares helpers as constant
 * function pointers, which GCC 12 rejects ("indirect call in function"); GCC
 * calls a helper through a declaration with the kernel_helper(N) attribute
 * instead.  Only the helpers the programs built by GCC call are mapped here.
 */
#ifndef GCC12_COMPAT_H
#define GCC12_COMPAT_H
#include "progs_common.h"

long gcc_bpf_probe_read_kernel(void *dst, __u32 size, const void *src)
	__attribute__((kernel_helper(113)));
__u64 gcc_bpf_get_current_task(void) __attribute__((kernel_helper(35)));
__u64 gcc_bpf_get_current_pid_tgid(void) __attribute__((kernel_helper(14)));
void *gcc_bpf_map_lookup_elem(void *map, const void *key) __attribute__((kernel_helper(1)));
void *gcc_bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags)
	__attribute__((kernel_helper(131)));
void gcc_bpf_ringbuf_submit(void *data, __u64 flags) __attribute__((kernel_helper(132)));

#define bpf_probe_read_kernel gcc_bpf_probe_read_kernel
#define bpf_get_current_task gcc_bpf_get_current_task
#define bpf_get_current_pid_tgid gcc_bpf_get_current_pid_tgid
#define bpf_map_lookup_elem gcc_bpf_map_lookup_elem
#define bpf_ringbuf_reserve gcc_bpf_ringbuf_reserve
#define bpf_ringbuf_submit gcc_bpf_ringbuf_submit

/*
 * GCC 12 gives the address of a global cast to a preserve_access_index type
 * (core_types.h: `(type *)(void *)in_buf`) a CO-RE record of its own, against
 * type id 0, which libbpf cannot relocate (EINVAL); a pointer from a helper is
 * what real programs read through.
 */
#define CORE_IN(type) ((type *)(unsigned long)gcc_bpf_get_current_task())
#endif
