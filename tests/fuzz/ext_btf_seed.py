#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Rewrite a little-endian raw BTF blob in the extended format (btfdb/btf/btf_layout.c):
a 32-byte header whose layout section (one {u8 info_sz, u8 elem_sz, u16 flags} record per
kind, libbpf's 20 kinds and kinds 36 and 100) sits between the types and the strings, and
two records of kinds btfdb does not know appended to the types: kind 36 with vlen 2
(12 bytes per element) and kind 100.  A seed for fuzz_btf (make_seeds.sh).

Usage: ext_btf_seed.py IN.btf OUT.btf
"""
import struct
import sys

STD = [(0, 0), (4, 0), (0, 0), (12, 0), (0, 12), (0, 12), (0, 8), (0, 0), (0, 0), (0, 0),
       (0, 0), (0, 0), (0, 0), (0, 8), (4, 0), (0, 12), (0, 0), (4, 0), (0, 0), (0, 12)]


def main():
    data = open(sys.argv[1], "rb").read()
    magic, ver, flags, hlen, toff, tlen, soff, slen = struct.unpack_from("<HBBIIIII", data)
    assert magic == 0xEB9F, "not a little-endian BTF blob"
    types = data[hlen + toff:hlen + toff + tlen]
    strs = data[hlen + soff:hlen + soff + slen]
    types += struct.pack("<III", 0, (36 << 24) | 2, 16) + struct.pack("<6I", 1, 1, 0, 0, 0, 32)
    types += struct.pack("<III", 0, 100 << 24, 0)
    layout = bytearray(4 * 101)
    for k, (i, e) in enumerate(STD):
        layout[4 * k:4 * k + 2] = bytes((i, e))
    layout[4 * 36 + 1] = 12
    hdr = struct.pack("<HBBIIIIIII", 0xEB9F, 1, 0, 32, 0, len(types), len(types) + len(layout),
                      len(strs), len(types), len(layout))
    open(sys.argv[2], "wb").write(hdr + types + bytes(layout) + strs)


if __name__ == "__main__":
    main()
