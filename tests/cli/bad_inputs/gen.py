#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generators for the malformed-input catalogue (manifest in this directory).

    gen.py GENERATOR OUT [ARGS...]

Every generator writes one input file OUT, derived at test time from a built
test object or synthesised from scratch, so no malformed binaries need to be
committed.  Generators:

  empty                         0 bytes
  truncate SRC N                the first N bytes of SRC
  btf_trunc SRC N               the first N bytes of SRC's raw BTF
  bytes HEX                     literal bytes
  btf VARIANT                   a synthetic raw BTF blob (see BTF_VARIANTS)
  btf_of SRC                    the raw .BTF section of ELF SRC
  swap SRC                      SRC's BTF (raw or ELF .BTF) byte-swapped
  elf_machine SRC NUM           SRC with e_machine = NUM
  rename_section SRC OLD NEW    SRC with section OLD renamed (same length)
  relo SRC IDX FIELD VALUE      CO-RE record IDX of SRC with FIELD (insn_off,
                                type_id, access_str_off, kind) set to VALUE;
                                VALUE 'past' = the section size,
                                'odd' = insn_off + 4, 'exit' = an exit insn
  access SRC IDX STRING         CO-RE record IDX's access string rewritten in
                                place (STRING must not be longer); 'deep:N'
                                points the record at an N-level access string
                                written over the tail of the string section,
                                'tail:S' at string S written there
  tar_empty                     .tar.xz with no member
  tar_corrupt SRC               SRC's .tar.xz with bytes in the middle flipped
  tar_multi SRC                 .tar.xz holding SRC's BTF twice
  tar_huge MIB                  .tar.xz holding one sparse zero member of MIB MiB
  tar_claim MIB SRC             .tar.xz whose member header claims MIB MiB but
                                holds only SRC's BTF (truncated archive)
  bitflip SRC OFF               SRC with byte OFF (negative: from end) inverted
  bundle_set SRC AT SIZE VALUE  corelink bundle SRC with the SIZE-byte little-endian
                                integer at AT set to VALUE, every checksum then
                                recomputed (so only the reader's other checks can
                                refuse it); AT is an offset or 'sec:ID+REL' (REL
                                bytes into section ID)
  bundle_site_past_end SRC      SRC's first site list made one site starting at the
                                base's end; checksums fixed
  bundle_data_short SRC         SRC with DATA (and the file) one byte shorter: the last
                                artifact's data, placed after the others', past DATA's end
  bundle_delta_stall SRC        SRC's first base delta starting with an op that writes
                                nothing (ADD of 0 bytes: a reader that accepted it
                                would loop); checksums fixed
"""
import io
import lzma
import os
import struct
import subprocess
import sys
import tarfile
import tempfile

# ---------------------------------------------------------------- ELF64 ---

class Elf:
    """Minimal ELF64 reader: section headers and names, either byte order."""

    def __init__(self, data):
        self.data = bytearray(data)
        if data[:4] != b'\x7fELF' or data[4] != 2:
            raise SystemExit('gen.py: not an ELF64 file')
        self.e = '<' if data[5] == 1 else '>'
        (self.shoff,) = struct.unpack_from(self.e + 'Q', data, 0x28)
        self.shentsize, self.shnum, self.shstrndx = struct.unpack_from(self.e + 'HHH', data, 0x3a)
        self.secs = []
        for i in range(self.shnum):
            off = self.shoff + i * self.shentsize
            name, typ, flags, addr, foff, size = struct.unpack_from(self.e + 'IIQQQQ', data, off)
            self.secs.append(dict(idx=i, hdr=off, name_off=name, type=typ, flags=flags,
                                  off=foff, size=size))
        strs = self.secs[self.shstrndx]
        for s in self.secs:
            p = strs['off'] + s['name_off']
            s['name'] = bytes(self.data[p:self.data.index(0, p)]).decode()

    def sec(self, name):
        for s in self.secs:
            if s['name'] == name:
                return s
        raise SystemExit('gen.py: no section ' + name)

    def u16(self, off):
        return struct.unpack_from(self.e + 'H', self.data, off)[0]

    def u32(self, off):
        return struct.unpack_from(self.e + 'I', self.data, off)[0]

    def put32(self, off, v):
        struct.pack_into(self.e + 'I', self.data, off, v & 0xffffffff)

    # .BTF string table: (file offset of strings, length)
    def btf_strs(self):
        b = self.sec('.BTF')
        hdr_len = self.u32(b['off'] + 4)
        str_off, str_len = self.u32(b['off'] + 16), self.u32(b['off'] + 20)
        return b['off'] + hdr_len + str_off, str_len

    def btf_str(self, off):
        base, _ = self.btf_strs()
        p = base + off
        return bytes(self.data[p:self.data.index(0, p)]).decode()

    # CO-RE records of .BTF.ext: list of dicts with the file offset of each record
    def core_relos(self):
        x = self.sec('.BTF.ext')
        base = x['off']
        hdr_len = self.u32(base + 4)
        if hdr_len < 32:
            return []
        core_off, core_len = self.u32(base + 24), self.u32(base + 28)
        p = base + hdr_len + core_off
        end = p + core_len
        rec_size = self.u32(p)
        p += 4
        out = []
        while p < end:
            sec_name_off, n = self.u32(p), self.u32(p + 4)
            p += 8
            sec = self.btf_str(sec_name_off)
            for i in range(n):
                out.append(dict(pos=p, sec=sec, insn_off=self.u32(p), type_id=self.u32(p + 4),
                                access_str_off=self.u32(p + 8), kind=self.u32(p + 12)))
                p += rec_size
        return out


# ----------------------------------------------------------------- BTF ---

KIND = dict(INT=1, PTR=2, ARRAY=3, STRUCT=4, UNION=5, ENUM=6, FWD=7, TYPEDEF=8, VOLATILE=9,
            CONST=10, RESTRICT=11, FUNC=12, FUNC_PROTO=13, VAR=14, DATASEC=15, FLOAT=16,
            DECL_TAG=17, TYPE_TAG=18, ENUM64=19)


def info(kind, vlen=0, kflag=0):
    return (kflag << 31) | (kind << 24) | vlen


class BtfBuilder:
    def __init__(self):
        self.strs = bytearray(b'\0')
        self.types = bytearray()

    def s(self, name):
        if not name:
            return 0
        off = len(self.strs)
        self.strs += name.encode() + b'\0'
        return off

    def t(self, name, kind, size_or_type, vlen=0, extra=b'', name_off=None):
        no = self.s(name) if name_off is None else name_off
        self.types += struct.pack('<III', no, info(kind, vlen), size_or_type) + extra

    def blob(self, magic=0xeb9f, hdr_len=24, type_off=0, type_len=None, str_off=None,
             str_len=None, strs=None):
        strs = self.strs if strs is None else strs
        tl = len(self.types) if type_len is None else type_len
        so = len(self.types) if str_off is None else str_off
        sl = len(strs) if str_len is None else str_len
        hdr = struct.pack('<HBBIIIII', magic, 1, 0, hdr_len, type_off, tl, so, sl)
        return hdr + bytes(self.types) + bytes(strs)


def good_base():
    """[1] int, [2] struct s { int a; }, [3] typedef t -> 2, [4] ptr -> 2"""
    b = BtfBuilder()
    b.t('int', KIND['INT'], 4, extra=struct.pack('<I', (1 << 24) | 32))
    b.t('s', KIND['STRUCT'], 4, vlen=1, extra=struct.pack('<III', b.s('a'), 1, 0))
    b.t('t', KIND['TYPEDEF'], 2)
    b.t('', KIND['PTR'], 2)
    return b


def reach(b, tid):
    """Append struct core_misc { x of type tid }: core_misc.bpf.o relocates
    against 'struct core_misc', and corelink checks a target type in full (with
    everything it holds by value) when a relocation first reads it."""
    b.t('core_misc', KIND['STRUCT'], 4, vlen=1, extra=struct.pack('<III', b.s('x'), tid, 0))


def btf_variant(v):
    b = good_base()
    if v == 'good':
        return b.blob()
    if v == 'magic':
        return b.blob(magic=0x1234)
    if v == 'hdr_len_big':
        return b.blob(hdr_len=0x10000)
    if v == 'hdr_len_small':
        return b.blob(hdr_len=8)
    if v == 'type_off_oob':
        return b.blob(type_off=0x100000)
    if v == 'type_len_oob':
        return b.blob(type_len=0xfffffff0)
    if v == 'str_off_oob':
        return b.blob(str_off=0x7ffffff0)
    if v == 'str_len_oob':
        return b.blob(str_len=0x100000)
    if v == 'overlap':  # string section starts inside the type section
        return b.blob(str_off=8, str_len=len(b.types) - 8 + len(b.strs))
    if v == 'name_off_oob':
        b.t('', KIND['TYPEDEF'], 1, name_off=0x7fff)
        reach(b, 5)
        return b.blob()
    if v == 'unterminated':
        b.s('abc')
        return b.blob(strs=b.strs[:-1])
    if v == 'type_id_oob':
        b.t('bad', KIND['TYPEDEF'], 999)
        reach(b, 5)
        return b.blob()
    if v == 'typedef_self':  # [5] typedef loop -> 5
        b.t('loop', KIND['TYPEDEF'], 5)
        reach(b, 5)
        return b.blob()
    if v == 'typedef_cycle':  # [5] a -> 6, [6] b -> 5
        b.t('a', KIND['TYPEDEF'], 6)
        b.t('b', KIND['TYPEDEF'], 5)
        reach(b, 5)
        return b.blob()
    if v == 'const_cycle':  # [5] const -> 6, [6] volatile -> 5
        b.t('', KIND['CONST'], 6)
        b.t('', KIND['VOLATILE'], 5)
        reach(b, 5)
        return b.blob()
    if v in ('struct_self', 'struct_self_unreached'):  # [5] struct self { struct self x; }
        b.t('self', KIND['STRUCT'], 4, vlen=1, extra=struct.pack('<III', b.s('x'), 5, 0))
        if v == 'struct_self':
            reach(b, 5)
        return b.blob()
    if v == 'array_self':  # [5] array of [5]
        b.t('', KIND['ARRAY'], 0, extra=struct.pack('<III', 5, 1, 4))
        reach(b, 5)
        return b.blob()
    if v == 'vlen_absurd':  # struct claiming 65535 members in a ~100-byte blob
        b.t('big', KIND['STRUCT'], 4, vlen=0xffff)
        return b.blob()
    if v == 'nelems_absurd':  # int[0xffffffff] of 4-byte ints: size overflows 32 bits
        b.t('', KIND['ARRAY'], 0, extra=struct.pack('<III', 1, 1, 0xffffffff))
        b.t('huge', KIND['STRUCT'], 4, vlen=1, extra=struct.pack('<III', b.s('h'), 5, 0))
        return b.blob()
    if v == 'int_size_absurd':
        b.t('wide', KIND['INT'], 1000, extra=struct.pack('<I', 8000))
        reach(b, 5)
        return b.blob()
    if v == 'unknown_kind':
        b.t('what', 25, 0)
        return b.blob()
    if v == 'truncated_type':  # type section ends in the middle of a struct's members
        b.t('cut', KIND['STRUCT'], 8, vlen=2, extra=struct.pack('<III', b.s('m'), 1, 0))
        return b.blob()
    if v == 'deep_typedef_chain':  # valid: [5] t0 -> [6] t1 -> ... -> int, 200k deep
        n = 200000
        for i in range(n):
            b.t('t%d' % i, KIND['TYPEDEF'], 6 + i if i + 1 < n else 1)
        return b.blob()
    if v == 'deep_struct_nesting':  # valid: s0 { s1 m; }, s1 { s2 m; } ... 200k deep
        n, m = 200000, b.s('m')
        for i in range(n):
            b.t('s%d' % i, KIND['STRUCT'], 4, vlen=1,
                extra=struct.pack('<III', m, 6 + i if i + 1 < n else 1, 0))
        return b.blob()
    raise SystemExit('gen.py: unknown btf variant ' + v)


def raw_btf_of(path):
    data = open(path, 'rb').read()
    if data[:4] == b'\x7fELF':
        e = Elf(data)
        s = e.sec('.BTF')
        return bytes(data[s['off']:s['off'] + s['size']])
    return data


def swap_btf(blob):
    """Byte-swap a raw BTF blob (header, every type record; strings unchanged)."""
    src = '<' if blob[:2] == b'\x9f\xeb' else '>'
    dst = '>' if src == '<' else '<'
    out = bytearray(blob)

    def sw(fmt, off):
        struct.pack_into(dst + fmt, out, off, *struct.unpack_from(src + fmt, blob, off))

    sw('H', 0)
    hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(src + 'IIIII', blob, 4)
    sw('IIIII', 4)
    p = hdr_len + type_off
    end = p + type_len
    while p < end:
        name_off, inf, size = struct.unpack_from(src + 'III', blob, p)
        sw('III', p)
        kind, vlen = (inf >> 24) & 0x1f, inf & 0xffff
        p += 12
        n = {1: 4, 3: 12, 4: 12 * vlen, 5: 12 * vlen, 6: 8 * vlen, 13: 8 * vlen, 14: 4,
             15: 12 * vlen, 17: 4, 19: 12 * vlen}.get(kind, 0)
        for q in range(p, p + n, 4):
            sw('I', q)
        p += n
    return bytes(out)


# ----------------------------------------------------------- archives ---

def tar_xz(members):
    """members: list of (name, bytes or (size, fileobj))"""
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode='w', format=tarfile.GNU_FORMAT) as tf:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    return lzma.compress(bio.getvalue(), format=lzma.FORMAT_XZ)


def tar_huge(mib, out):
    """A sparse zero-filled member of mib MiB: GNU tar --sparse stores only a map."""
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, 'vmlinux.btf')
        with open(f, 'wb') as fh:
            fh.truncate(mib << 20)
        subprocess.run(['tar', '-C', d, '--sparse', '-cJf', out, 'vmlinux.btf'], check=True)


def tar_claim(mib, blob):
    """Header claims mib MiB, data is blob, archive ends there (truncated)."""
    ti = tarfile.TarInfo('vmlinux.btf')
    ti.size = mib << 20
    hdr = ti.tobuf(format=tarfile.GNU_FORMAT)
    return lzma.compress(hdr + blob, format=lzma.FORMAT_XZ)


# -------------------------------------------------------------- main ---

# ------------------------------------------------------------ bundles ---

def xxh64(data, seed=0):
    """XXH64, from the xxHash specification (the bundle format's checksum)."""
    M = (1 << 64) - 1
    P1, P2, P3, P4, P5 = (11400714785074694791, 14029467366897019727, 1609587929392839161,
                          9650029242287828579, 2870177450012600261)
    rotl = lambda x, r: ((x << r) | (x >> (64 - r))) & M
    rnd = lambda acc, v: (rotl((acc + v * P2) & M, 31) * P1) & M
    n, p = len(data), 0
    if n >= 32:
        v = [(seed + P1 + P2) & M, (seed + P2) & M, seed, (seed - P1) & M]
        while n - p >= 32:
            for i in range(4):
                v[i] = rnd(v[i], struct.unpack_from('<Q', data, p + 8 * i)[0])
            p += 32
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M
        for x in v:
            h = (((h ^ rnd(0, x)) * P1) + P4) & M
    else:
        h = (seed + P5) & M
    h = (h + n) & M
    while n - p >= 8:
        h = (rotl(h ^ rnd(0, struct.unpack_from('<Q', data, p)[0]), 27) * P1 + P4) & M
        p += 8
    if n - p >= 4:
        h = (rotl(h ^ ((struct.unpack_from('<I', data, p)[0] * P1) & M), 23) * P2 + P3) & M
        p += 4
    while p < n:
        h = (rotl(h ^ ((data[p] * P5) & M), 11) * P1) & M
        p += 1
    h ^= h >> 33
    h = (h * P2) & M
    h ^= h >> 29
    h = (h * P3) & M
    return h ^ (h >> 32)


HEADER_LEN, SECTION_LEN = 32, 16


def bundle_sections(d):
    """(offset, size, checksum) of each section, in id order (format version 3: each
    section follows the previous one, 8-aligned; the table holds sizes and checksums)."""
    out, end = [], HEADER_LEN + 5 * SECTION_LEN
    for i in range(5):
        size, csum = struct.unpack_from('<QQ', d, HEADER_LEN + SECTION_LEN * i)
        off = (end + 7) // 8 * 8
        out.append((off, size, csum))
        end = off + size
    return out


def bundle_rechecksum(d):
    for i, (off, size, _) in enumerate(bundle_sections(d)):
        if off + size <= len(d):
            struct.pack_into('<Q', d, HEADER_LEN + SECTION_LEN * i + 8, xxh64(bytes(d[off:off + size])))
    struct.pack_into('<Q', d, 24, 0)
    struct.pack_into('<Q', d, 24, xxh64(bytes(d[:HEADER_LEN + 5 * SECTION_LEN])))


def uvarint(d, p):
    v = s = 0
    while True:
        c = d[p]
        p += 1
        v |= (c & 0x7f) << s
        s += 7
        if not c & 0x80:
            return v, p


def put_uvarint(d, p, v):
    """Overwrite the varint at p with v, keeping its width (redundant continuation bytes)."""
    _, end = uvarint(d, p)
    enc = bytearray()
    while True:
        enc.append((v & 0x7f) | (0x80 if v >> 7 else 0))
        v >>= 7
        if not v:
            break
    if len(enc) > end - p:
        raise SystemExit('gen.py: value does not fit the varint')
    while len(enc) < end - p:
        enc[-1] |= 0x80
        enc.append(0)
    d[p:end] = enc


def bundle_objects(d):
    """Per object (records of varints, data offsets derived from their order):
    {'sites_off', 'sites_size', 'arts': [(size, data_off, data_size)]}, offsets in DATA."""
    secs = bundle_sections(d)
    nobj, p = uvarint(d, secs[1][0])
    _, a = uvarint(d, secs[2][0])
    pos, out = 0, []
    for _ in range(nobj):
        f = []
        for _ in range(6):  # name, arch, nr_artifacts, width, orig_size, sites_size
            v, p = uvarint(d, p)
            f.append(v)
        p += 8
        pos = (pos + 7) // 8 * 8 + f[4]
        o = {'sites_off': pos, 'sites_size': f[5], 'arts': []}
        pos += f[5]
        for _ in range(f[2]):
            v, a = uvarint(d, a)
            size = o['arts'][0][0] if v & 1 else None
            if not v & 1:
                size, a = uvarint(d, a)
            _, a = uvarint(d, a)
            a += 8
            o['arts'].append((size, pos, v >> 1))
            pos += v >> 1
        out.append(o)
    return out


def bundle_site_past_end(d):
    data = bundle_sections(d)[4][0]
    for o in bundle_objects(d):
        if o['sites_size']:
            # one site, starting at the base's end: nr 1, gap = base size, len 1
            enc, v = bytearray([1]), o['arts'][0][0]
            while True:
                enc.append((v & 0x7f) | (0x80 if v >> 7 else 0))
                v >>= 7
                if not v:
                    break
            enc.append(1)
            if len(enc) > o['sites_size']:
                continue
            d[data + o['sites_off']:data + o['sites_off'] + len(enc)] = enc
            bundle_rechecksum(d)
            return d
    raise SystemExit('gen.py: no site list')


def bundle_delta_stall(d):
    data = bundle_sections(d)[4][0]
    for o in bundle_objects(d):
        if o['arts']:
            put_uvarint(d, data + o['arts'][0][1], 1)
            bundle_rechecksum(d)
            return d
    raise SystemExit('gen.py: no artifact')


def bundle_data_short(d):
    """DATA (the last section) and the file one byte shorter: the last artifact's data,
    placed by the records before it, then ends past DATA."""
    struct.pack_into('<Q', d, HEADER_LEN + 4 * SECTION_LEN, bundle_sections(d)[4][1] - 1)
    del d[-1]
    struct.pack_into('<Q', d, 16, len(d))
    bundle_rechecksum(d)
    return d


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    gen, out, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    data = None
    if gen == 'empty':
        data = b''
    elif gen == 'truncate':
        data = open(args[0], 'rb').read()[:int(args[1])]
    elif gen == 'btf_trunc':
        data = raw_btf_of(args[0])[:int(args[1])]
    elif gen == 'bytes':
        data = bytes.fromhex(args[0])
    elif gen == 'btf':
        data = btf_variant(args[0])
    elif gen == 'btf_of':
        data = raw_btf_of(args[0])
    elif gen == 'swap':
        data = swap_btf(raw_btf_of(args[0]))
    elif gen == 'elf_machine':
        e = Elf(open(args[0], 'rb').read())
        struct.pack_into(e.e + 'H', e.data, 0x12, int(args[1]))
        data = e.data
    elif gen == 'rename_section':
        e = Elf(open(args[0], 'rb').read())
        s = e.sec(args[1])
        assert len(args[1]) == len(args[2])
        p = e.secs[e.shstrndx]['off'] + s['name_off']
        e.data[p:p + len(args[2])] = args[2].encode()
        data = e.data
    elif gen == 'relo':
        e = Elf(open(args[0], 'rb').read())
        r = e.core_relos()[int(args[1])]
        field, value = args[2], args[3]
        fo = dict(insn_off=0, type_id=4, access_str_off=8, kind=12)[field]
        sec = e.sec(r['sec'])
        if value == 'past':
            v = sec['size']
        elif value == 'odd':
            v = r['insn_off'] + 4
        elif value == 'exit':
            v = None
            for off in range(0, sec['size'], 8):
                if e.data[sec['off'] + off] == 0x95:  # BPF_JMP | BPF_EXIT
                    v = off
                    break
            assert v is not None, 'no exit insn'
        else:
            v = int(value, 0)
        e.put32(r['pos'] + fo, v)
        data = e.data
    elif gen == 'access':
        e = Elf(open(args[0], 'rb').read())
        r = e.core_relos()[int(args[1])]
        base, slen = e.btf_strs()
        if args[2].startswith('deep:') or args[2].startswith('tail:'):
            if args[2].startswith('deep:'):
                want = ':'.join(['0'] * int(args[2][5:])).encode() + b'\0'
            else:
                want = args[2][5:].encode() + b'\0'
            # overwrite the tail of the .BTF string section (source-line strings
            # of line_info, in clang's output) with the deep access string
            start = base + slen - len(want)
            while start > base and e.data[start - 1] != 0:
                start -= 1
            assert start > base, 'string section too small'
            e.data[start:start + len(want)] = want
            best = (start, None)
            e.put32(r['pos'] + 8, best[0] - base)
        else:
            p = base + r['access_str_off']
            old = e.data.index(0, p) - p
            new = args[2].encode()
            assert len(new) <= old, 'access string %r longer than %d' % (args[2], old)
            e.data[p:p + len(new) + 1] = new + b'\0'
        data = e.data
    elif gen == 'tar_empty':
        data = tar_xz([])
    elif gen == 'tar_corrupt':
        data = bytearray(tar_xz([('vmlinux.btf', raw_btf_of(args[0]))]))
        mid = len(data) // 2
        for i in range(mid, mid + 8):
            data[i] ^= 0xff
    elif gen == 'tar_multi':
        blob = raw_btf_of(args[0])
        data = tar_xz([('a.btf', blob), ('b.btf', blob)])
    elif gen == 'tar_huge':
        tar_huge(int(args[0]), out)
        return
    elif gen == 'tar_claim':
        data = tar_claim(int(args[0]), raw_btf_of(args[1]))
    elif gen == 'bundle_set':
        data = bytearray(open(args[0], 'rb').read())
        at = args[1]
        if at.startswith('sec:'):
            sid, _, rel = at[4:].partition('+')
            at = bundle_sections(data)[int(sid) - 1][0] + int(rel or '0', 0)
        else:
            at = int(at, 0)
        size = int(args[2])
        data[at:at + size] = int(args[3], 0).to_bytes(size, 'little')
        bundle_rechecksum(data)
    elif gen == 'bundle_site_past_end':
        data = bundle_site_past_end(bytearray(open(args[0], 'rb').read()))
    elif gen == 'bundle_delta_stall':
        data = bundle_delta_stall(bytearray(open(args[0], 'rb').read()))
    elif gen == 'bundle_data_short':
        data = bundle_data_short(bytearray(open(args[0], 'rb').read()))
    elif gen == 'bitflip':
        data = bytearray(open(args[0], 'rb').read())
        off = int(args[1], 0)
        data[off] ^= 0xff
    else:
        raise SystemExit('gen.py: unknown generator ' + gen)
    with open(out, 'wb') as f:
        f.write(data)


if __name__ == '__main__':
    main()
