#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn register stores into immediate stores (BPF_ST) in a compiled BPF object.

clang 14-16 never emit BPF_ST (`*(u32 *)(r1 + 4) = 7`); they load the constant
into a register and store it (BPF_STX).  The CO-RE case table needs relocations
sitting on ST instructions too, so after compiling, every STX | MEM instruction
in a section named `raw_tp/st_*` whose source register was last set by a
`mov rS, imm` (BPF_ALU/ALU64 | MOV | K) in the same section becomes
ST | MEM with that immediate, same size, destination and offset.  Instruction
count and offsets do not change, so the CO-RE records (which name the
instruction by byte offset) now sit on the ST.  Either byte order.

Usage: stx_to_st.py OBJ.o     (rewritten in place; exit 1 if nothing was converted)
"""
import struct
import sys

BPF_STX, BPF_ST, BPF_MEM = 0x03, 0x02, 0x60
MOV_K = (0x04 | 0xb0, 0x07 | 0xb0)   # ALU|MOV|K, ALU64|MOV|K


def main(path):
    data = bytearray(open(path, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit("stx_to_st: %s: not a 64-bit ELF" % path)
    e = ">" if data[5] == 2 else "<"
    shoff, = struct.unpack_from(e + "Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", data, 0x3a)

    def shdr(i):
        name, typ, flags, addr, off, size = struct.unpack_from(e + "IIQQQQ", data, shoff + i * shentsize)
        return name, typ, off, size

    stroff = shdr(shstrndx)[2]
    converted = 0
    for i in range(shnum):
        name_off, typ, off, size = shdr(i)
        end = data.index(b"\0", stroff + name_off)
        name = data[stroff + name_off:end].decode()
        if typ != 1 or not name.startswith("raw_tp/st_"):   # SHT_PROGBITS
            continue
        consts = {}
        for p in range(off, off + size, 8):
            code, regs = data[p], data[p + 1]
            dst, src = (regs >> 4, regs & 15) if e == ">" else (regs & 15, regs >> 4)
            imm, = struct.unpack_from(e + "i", data, p + 4)
            if code in MOV_K:
                consts[dst] = imm
            elif code & 0x07 == BPF_STX and code & 0xe0 == BPF_MEM and src in consts:
                data[p] = (code & ~0x07) | BPF_ST
                data[p + 1] = (dst << 4) if e == ">" else dst
                struct.pack_into(e + "i", data, p + 4, consts[src])
                converted += 1
            elif code == 0x85:          # call: r0-r5 clobbered
                for r in range(6):
                    consts.pop(r, None)
            elif code & 0x07 in (0x04, 0x07, 0x01, 0x00):
                consts.pop(dst, None)   # the register was written otherwise
    if not converted:
        sys.exit("stx_to_st: %s: no STX after a constant move in raw_tp/st_* sections" % path)
    open(path, "wb").write(data)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
