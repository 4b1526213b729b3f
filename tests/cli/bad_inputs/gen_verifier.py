#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Target BTFs that break one rule of the kernel's BTF verifier each
(kernel/bpf/btf.c), for the catalogue (tests/cli/bad_inputs/verifier).

    gen_verifier.py VARIANT OUT

Types [1]-[4] are gen.py's good_base(): [1] int, [2] struct s { int a; },
[3] typedef t -> 2, [4] ptr -> 2.  The broken type comes next, and the last
type is 'struct core_misc' holding it by value (or being it), so that a
relocation of core_misc.bpf.o reads it.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import KIND, BtfBuilder, good_base  # noqa: E402

SIGNED, CHAR, BOOL = 1, 2, 4


def int_data(bits, offset=0, enc=0):
    return struct.pack('<I', (enc << 24) | (offset << 16) | bits)


def member(b, name, tid, off):
    return struct.pack('<III', b.s(name), tid, off)


def holder(b, tid, size=4, off=0, kflag=0, bitfield=0):
    """struct core_misc { x of type tid at bit off }."""
    o = (bitfield << 24) | off if kflag else off
    b.types += struct.pack('<III', b.s('core_misc'), (kflag << 31) | (KIND['STRUCT'] << 24) | 1,
                           size) + member(b, 'x', tid, o)


def raw(b, name_off, kind, size_or_type, vlen=0, kflag=0, extra=b''):
    b.types += struct.pack('<III', name_off, (kflag << 31) | (kind << 24) | vlen,
                           size_or_type) + extra


def array(b, elem, nelems, index=1, name='', size=0, kflag=0):
    raw(b, b.s(name), KIND['ARRAY'], size, kflag=kflag,
        extra=struct.pack('<III', elem, index, nelems))


def variant(v):
    b = good_base()
    A = KIND
    # ---- array ----
    if v == 'array_size_overflow':  # int[0x40000000]: 4 GiB, past U32_MAX
        array(b, 1, 0x40000000); holder(b, 5)
    elif v == 'array_size_overflow_nested':  # int[0x10000][0x10000]
        array(b, 1, 0x10000); array(b, 5, 0x10000); holder(b, 6)
    elif v == 'array_named':
        array(b, 1, 1, name='arr'); holder(b, 5)
    elif v == 'array_kflag':
        array(b, 1, 1, kflag=1); holder(b, 5)
    elif v == 'array_size_field':
        array(b, 1, 1, size=4); holder(b, 5)
    elif v == 'array_elem_void':
        array(b, 0, 1); holder(b, 5)
    elif v == 'array_index_void':
        array(b, 1, 1, index=0); holder(b, 5)
    elif v == 'array_index_struct':
        array(b, 1, 1, index=2); holder(b, 5)
    elif v == 'array_elem_fwd':
        raw(b, b.s('later'), A['FWD'], 0); array(b, 5, 1); holder(b, 6)
    elif v == 'array_of_bitfield_int':
        raw(b, b.s('u3'), A['INT'], 1, extra=int_data(3)); array(b, 5, 4); holder(b, 6)
    # ---- int ----
    elif v == 'int_kflag':
        raw(b, b.s('k'), A['INT'], 4, kflag=1, extra=int_data(32)); holder(b, 5)
    elif v == 'int_data_reserved':
        raw(b, b.s('r'), A['INT'], 4, extra=struct.pack('<I', 0x10000020)); holder(b, 5)
    elif v == 'int_bits_past_size':
        raw(b, b.s('w'), A['INT'], 1, extra=int_data(16)); holder(b, 5)
    elif v == 'int_encoding':
        raw(b, b.s('e'), A['INT'], 4, extra=int_data(32, enc=SIGNED | CHAR)); holder(b, 5)
    # ---- struct / union members ----
    elif v == 'member_void':
        holder(b, 0)
    elif v == 'union_member_offset':
        raw(b, b.s('u'), A['UNION'], 8, vlen=2,
            extra=member(b, 'a', 1, 0) + member(b, 'b', 1, 32)); holder(b, 5, size=8)
    elif v == 'member_offsets_decrease':
        raw(b, b.s('d'), A['STRUCT'], 8, vlen=2,
            extra=member(b, 'a', 1, 32) + member(b, 'b', 1, 0)); holder(b, 5, size=8)
    elif v == 'member_offset_past_size':
        raw(b, b.s('p'), A['STRUCT'], 4, vlen=1, extra=member(b, 'a', 1, 64)); holder(b, 5)
    elif v == 'member_int_past_size':
        raw(b, b.s('long'), A['INT'], 8, extra=int_data(64, enc=SIGNED)); holder(b, 5, size=4)
    elif v == 'member_int_copy_bits':  # a 128-bit int at bit 4: 132 bits to copy
        raw(b, b.s('__int128'), A['INT'], 16, extra=int_data(128, enc=SIGNED))
        holder(b, 5, size=32, off=4)
    elif v == 'member_struct_unaligned':
        holder(b, 2, size=8, off=4)
    elif v == 'member_struct_past_size':
        holder(b, 2, size=2)
    elif v == 'member_array_past_size':
        array(b, 1, 2); holder(b, 5, size=4)
    elif v == 'member_ptr_past_size':
        holder(b, 4, size=4)
    elif v == 'member_enum_unaligned':
        raw(b, b.s('e'), A['ENUM'], 4, vlen=1, extra=struct.pack('<Ii', b.s('E0'), 0))
        holder(b, 5, size=8, off=4)
    elif v == 'member_float_misaligned':
        raw(b, b.s('double'), A['FLOAT'], 8); holder(b, 5, size=16, off=32)
    elif v == 'member_fwd':
        raw(b, b.s('later'), A['FWD'], 0); holder(b, 5)
    elif v == 'member_func_proto':
        raw(b, 0, A['FUNC_PROTO'], 1); holder(b, 5)
    elif v == 'kflag_bitfield_too_wide':  # int x:33 in an 8-byte struct
        holder(b, 1, size=8, kflag=1, bitfield=33)
    elif v == 'kflag_bitfield_base_not_regular':
        raw(b, b.s('u3'), A['INT'], 1, extra=int_data(3)); holder(b, 5, kflag=1, bitfield=2)
    elif v == 'kflag_bitfield_on_struct':
        holder(b, 2, size=8, kflag=1, bitfield=8)
    elif v == 'kflag_int_unaligned':
        holder(b, 1, size=8, off=4, kflag=1)
    elif v == 'kflag_enum_bitfield_too_wide':
        raw(b, b.s('e'), A['ENUM'], 4, vlen=1, extra=struct.pack('<Ii', b.s('E0'), 0))
        holder(b, 5, size=8, kflag=1, bitfield=33)
    # ---- enum ----
    elif v == 'enum_enumerator_unnamed':
        raw(b, b.s('e'), A['ENUM'], 4, vlen=1, extra=struct.pack('<Ii', 0, 0)); holder(b, 5)
    elif v == 'enum_size_3':
        raw(b, b.s('e'), A['ENUM'], 3, vlen=1, extra=struct.pack('<Ii', b.s('E0'), 0))
        holder(b, 5)
    # ---- pointers, typedefs, modifiers ----
    elif v == 'ptr_named':
        raw(b, b.s('p'), A['PTR'], 1); holder(b, 5, size=8)
    elif v == 'ptr_kflag':
        raw(b, 0, A['PTR'], 1, kflag=1); holder(b, 5, size=8)
    elif v == 'const_named':
        raw(b, b.s('c'), A['CONST'], 1); holder(b, 5)
    elif v == 'volatile_kflag':
        raw(b, 0, A['VOLATILE'], 1, kflag=1); holder(b, 5)
    elif v == 'typedef_unnamed':
        raw(b, 0, A['TYPEDEF'], 1); holder(b, 5)
    elif v == 'typedef_of_func':
        raw(b, 0, A['FUNC_PROTO'], 1); raw(b, b.s('f'), A['FUNC'], 5)
        raw(b, b.s('tf'), A['TYPEDEF'], 6); holder(b, 7)
    elif v == 'type_tag_unnamed':
        raw(b, 0, A['TYPE_TAG'], 1); holder(b, 5)
    # ---- fwd, func_proto, float ----
    elif v == 'fwd_with_type':
        raw(b, b.s('f'), A['FWD'], 1); holder(b, 5)
    elif v == 'func_proto_named':
        raw(b, b.s('fp'), A['FUNC_PROTO'], 1); holder(b, 5)
    elif v == 'func_proto_vararg_named':
        raw(b, 0, A['FUNC_PROTO'], 1, vlen=1, extra=struct.pack('<II', b.s('va'), 0))
        holder(b, 5)
    elif v == 'func_proto_void_arg':
        raw(b, 0, A['FUNC_PROTO'], 1, vlen=2,
            extra=struct.pack('<IIII', b.s('a'), 0, b.s('b'), 1)); holder(b, 5)
    elif v == 'func_proto_returns_fwd':
        raw(b, b.s('later'), A['FWD'], 0); raw(b, 0, A['FUNC_PROTO'], 5); holder(b, 6)
    elif v == 'float_kflag':
        raw(b, b.s('double'), A['FLOAT'], 8, kflag=1); holder(b, 5, size=8)
    else:
        raise SystemExit('gen_verifier.py: unknown variant ' + v)
    return b.blob()


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    data = variant(sys.argv[1])
    with open(sys.argv[2], 'wb') as f:
        f.write(data)


if __name__ == '__main__':
    main()
