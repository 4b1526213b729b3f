/* SPDX-License-Identifier: MIT */
/*
 * Shared by the synthetic kernels in tests/targets: each <group>__<case>.c
 * defines a target layout for the essential name core_<group> and mentions
 * it in a function prototype so clang -g emits it into .BTF.  OFF() pins the
 * byte offsets the case table (tests/unit/test_core_cases.c) expects.
 */
#ifndef CORE_TARGETS_H
#define CORE_TARGETS_H
#define ALIGN8 __attribute__((aligned(8)))
#define OFF(type, field, n) _Static_assert(__builtin_offsetof(type, field) == (n), #field)
#define SIZE(type, n) _Static_assert(sizeof(type) == (n), #type)
typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
#endif
