// SPDX-License-Identifier: MIT
/* bitfields: read bitfields (and plain ints) both through
 * BPF_CORE_READ_BITFIELD_PROBED (sys_enter section) and
 * BPF_CORE_READ_BITFIELD (direct loads, sys_exit section). */
#include "core_types.h"

CORE_PROG_PREAMBLE;

struct core_bitfields {
	/* unsigned bitfields */
	__u8 ub1 : 1;   /* bit 0 */
	__u8 ub2 : 2;   /* bit 1 */
	__u32 ub7 : 7;  /* bit 3 */
	/* signed bitfields */
	__s8 sb4 : 4;   /* bit 10 */
	__s32 sb20 : 20; /* bit 32 */
	/* non-bitfields */
	__u32 u32;      /* byte 8 */
	__s32 s32;      /* byte 12 */
} PAI;

struct bf_out {
	__s64 ub1, ub2, ub7, sb4, sb20, u32, s32;
};
struct bf_out out_probed = {};
struct bf_out out_direct = {};

SEC("raw_tp/sys_enter")
int core_bitfields_probed(void *ctx)
{
	struct core_bitfields *in = CORE_IN(struct core_bitfields);

	out_probed.ub1 = BPF_CORE_READ_BITFIELD_PROBED(in, ub1);
	out_probed.ub2 = BPF_CORE_READ_BITFIELD_PROBED(in, ub2);
	out_probed.ub7 = BPF_CORE_READ_BITFIELD_PROBED(in, ub7);
	out_probed.sb4 = BPF_CORE_READ_BITFIELD_PROBED(in, sb4);
	out_probed.sb20 = BPF_CORE_READ_BITFIELD_PROBED(in, sb20);
	out_probed.u32 = BPF_CORE_READ_BITFIELD_PROBED(in, u32);
	out_probed.s32 = BPF_CORE_READ_BITFIELD_PROBED(in, s32);
	return 0;
}

SEC("raw_tp/sys_exit")
int core_bitfields_direct(void *ctx)
{
	struct core_bitfields *in = CORE_IN(struct core_bitfields);

	out_direct.ub1 = BPF_CORE_READ_BITFIELD(in, ub1);
	out_direct.ub2 = BPF_CORE_READ_BITFIELD(in, ub2);
	out_direct.ub7 = BPF_CORE_READ_BITFIELD(in, ub7);
	out_direct.sb4 = BPF_CORE_READ_BITFIELD(in, sb4);
	out_direct.sb20 = BPF_CORE_READ_BITFIELD(in, sb20);
	out_direct.u32 = BPF_CORE_READ_BITFIELD(in, u32);
	out_direct.s32 = BPF_CORE_READ_BITFIELD(in, s32);
	return 0;
}
