/* SPDX-License-Identifier: MIT */
/* Shared by the BPF test programs in tests/progs. */
#ifndef PROGS_COMMON_H
#define PROGS_COMMON_H
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#endif
