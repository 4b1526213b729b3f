/* SPDX-License-Identifier: MIT */
/*
 * Shared bits of the CO-RE case programs (tests/progs/core_*.bpf.c).
 *
 * Each program reads a LOCAL view of a type named core_<group> through
 * CO-RE and stores what it saw in the global `out`.  The synthetic kernels
 * in tests/targets/<group>__<case>.c define the same essential name with a
 * different layout; tests/unit/test_core_cases.c relocates every program
 * against its targets (and against itself) and checks each new value.
 * The programs are never run: `in_buf` only gives the reads an address.
 */
#ifndef CORE_TYPES_H
#define CORE_TYPES_H
#include "progs_common.h"

#define PAI __attribute__((preserve_access_index))
#define ALIGN8 __attribute__((aligned(8)))

/* Input buffer the programs pretend is a kernel object (gcc12_compat.h has its own). */
#ifndef CORE_IN
#define CORE_IN(type) ((type *)(void *)in_buf)
#endif

#define CORE_PROG_PREAMBLE              \
	char LICENSE[] SEC("license") = "GPL"; \
	char in_buf[512] = {}

#endif
