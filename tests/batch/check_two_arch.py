#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_two_arch.py MANIFEST detected|given

The manifest of a batch over BTFHub of three objects: an x86 and an arm64
build of arch_probe.bpf.o (same name) and one object for every arch.  Each
build must have an entry on exactly the kernels of its arch, all of them ok
(no pt_regs relocation poisoned), and the third object one on every kernel.
"""
import json
import sys

CANON = {"x86_64": "x86_64", "amd64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64"}
m = json.load(open(sys.argv[1]))
how = sys.argv[2]
assert m["schema"] == "corelink-manifest" and m["schema_version"] == 2
objs = m["objects"]
assert [o["name"] for o in objs[:2]] == ["arch_probe.bpf.o"] * 2, objs
assert [o["arch"] for o in objs] == ["x86_64", "aarch64", ""], [o["arch"] for o in objs]
for o in objs[:2]:
    assert o["arch_from"].startswith(how), o["arch_from"]
    assert len(o["hash"]) == 32
assert objs[2]["arch_from"].startswith("unknown"), objs[2]["arch_from"]
count = {"x86_64": 0, "aarch64": 0}
for k in m["kernels"]:
    a = CANON[k["arch"]]
    count[a] += 1
    ents = k["objects"]
    probes = [e for e in ents if e["object"] == "arch_probe.bpf.o"]
    assert len(probes) == 1, (k["release"], ents)
    assert probes[0]["arch"] == a, (k["release"], probes[0])
    assert probes[0]["status"] == "ok", (k["release"], probes[0])
    assert len(ents) == 2 and ents[1]["object"] == objs[2]["name"] and "arch" not in ents[1]
assert count["x86_64"] and count["aarch64"], count
print("ok   %s archs: x86 build on %d x86_64 kernels, arm64 build on %d arm64 kernels, all ok; "
      "the other object on all %d" % (how, count["x86_64"], count["aarch64"], len(m["kernels"])))
