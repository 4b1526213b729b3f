#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Extract the BPF objects that Debian's libbpf-tools embeds in its binaries.

Each tool (bcc's libbpf-tools, built with a bpftool skeleton) carries its BPF object
verbatim in .rodata.  This finds every embedded ELF (the bytes "\\x7fELF" at an offset
other than 0) whose header says ELFCLASS64, little endian, e_machine EM_BPF (247), and
takes its size from the end of its section header table (e_shoff + e_shnum *
e_shentsize: the linker writes the table last).  The object of tool T is written as
OUT/T.bpf.o (T.N.bpf.o if a tool holds more than one), so names are the same on every
run.  Symlinks (btrfsdist -> fsdist, ...) are skipped: their objects are the target's.

Usage: extract_libbpf_tools.py OUT [--from DIR|--package NAME]
Default: the files of the installed Debian package libbpf-tools (dpkg -L).
Exit: 0 with at least one object, 77 when the package is not installed.
"""
import argparse
import os
import struct
import subprocess
import sys

EM_BPF = 247
ELF_MAGIC = b"\x7fELF"


def embedded_bpf_objects(data):
    """[(offset, size)] of the little-endian 64-bit BPF ELFs inside data."""
    found = []
    i = data.find(ELF_MAGIC, 1)
    while i >= 0:
        hdr = data[i:i + 64]
        if len(hdr) == 64 and hdr[4] == 2 and hdr[5] == 1 and \
                struct.unpack_from("<H", hdr, 18)[0] == EM_BPF:
            shoff, = struct.unpack_from("<Q", hdr, 40)
            shentsize, shnum = struct.unpack_from("<HH", hdr, 58)
            size = shoff + shnum * shentsize
            if shentsize == 64 and shnum > 0 and i + size <= len(data):
                found.append((i, size))
                i = data.find(ELF_MAGIC, i + size)
                continue
        i = data.find(ELF_MAGIC, i + 1)
    return found


def package_files(pkg):
    p = subprocess.run(["dpkg", "-L", pkg], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True)
    if p.returncode != 0:
        return None
    return [f for f in p.stdout.splitlines() if "/bin/" in f or "/sbin/" in f]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--from", dest="src", help="a directory of tool binaries")
    ap.add_argument("--package", default="libbpf-tools")
    args = ap.parse_args()

    if args.src:
        files = [os.path.join(args.src, f) for f in os.listdir(args.src)]
    else:
        files = package_files(args.package)
        if files is None:
            print("extract: SKIP: Debian package %s is not installed" % args.package)
            return 77
    files = sorted(f for f in files if os.path.isfile(f) and not os.path.islink(f))
    os.makedirs(args.out, exist_ok=True)
    n = 0
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        objs = embedded_bpf_objects(data)
        tool = os.path.basename(path)
        for k, (off, size) in enumerate(objs):
            name = "%s.bpf.o" % tool if len(objs) == 1 else "%s.%d.bpf.o" % (tool, k)
            dst = os.path.join(args.out, name)
            with open(dst + ".tmp", "wb") as f:
                f.write(data[off:off + size])
            os.replace(dst + ".tmp", dst)
            n += 1
    print("extract: %d BPF objects from %d files" % (n, len(files)))
    if n == 0:
        print("extract: SKIP: no embedded BPF object found")
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
