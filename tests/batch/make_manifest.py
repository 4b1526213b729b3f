#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_manifest.py N OUT.json: a synthetic corelink manifest (schema version 2)
with N kernels over several distros, versions and both architectures, an
x86_64 and an aarch64 build of one object plus an object for every arch, and
a deterministic mix of ok, guarded, poisoned and error entries with reasons."""
import json
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(15)
distros = [("centos", ["7", "8"]), ("ubuntu", ["18.04", "20.04", "22.04"]), ("debian", ["10", "11", "12"]),
           ("fedora", ["34", "35", "36", "37"]), ("amzn", ["2"]), ("ol", ["7", "8"])]
progs_t = [{"name": "handle_exec", "section": "tp/sched/sched_process_exec"},
           {"name": "probe_open", "section": "kprobe/do_sys_openat2"}]
progs_n = [{"name": "tcp_connect", "section": "kprobe/tcp_connect"},
           {"name": "helper", "section": ".text"}]
objects = [
    {"name": "tracer.bpf.o", "arch": "x86_64", "arch_from": "given", "hash": "%032x" % 1, "programs": progs_t},
    {"name": "tracer.bpf.o", "arch": "aarch64", "arch_from": "given", "hash": "%032x" % 2, "programs": progs_t},
    {"name": "net <&\"'>.bpf.o", "arch": "", "arch_from": "unknown", "hash": "%032x" % 3, "programs": progs_n},
]
kernels, seen = [], set()
i = 0
while len(kernels) < n:
    d, vs = distros[i % len(distros)]
    v = vs[(i // len(distros)) % len(vs)]
    arch = "x86_64" if (i // 7) % 3 else ("arm64" if i % 2 else "aarch64")
    rel = "%d.%d.0-%d.el%s.%s" % (3 + i % 4, i % 20, i, v, arch)
    i += 1
    if (d, v, arch, rel) in seen:
        continue
    seen.add((d, v, arch, rel))
    k = {"distro": d, "version": v, "arch": arch, "release": rel, "btf_hash": "%016x" % (i + 1),
         "source": "/btfhub/%s/%s/%s/%s.btf.tar.xz" % (d, v, arch, rel), "source_hash": "%016x" % i,
         "objects": []}
    canon = "aarch64" if arch in ("arm64", "aarch64") else "x86_64"
    for o in objects:
        if o["arch"] and o["arch"] != canon:
            continue
        e = {"object": o["name"]}
        if o["arch"]:
            e["arch"] = o["arch"]
        r = rnd.random()
        if r < 0.05:
            e["status"] = "error"
            e["error"] = "kernel BTF: %s: bad magic <0x%x>" % (rel, i)
        else:
            e["artifact"] = "objects/%032x.o" % rnd.randrange(1 << 20)
            if r < 0.6:
                e["status"] = "ok"
            else:
                e["status"] = "poisoned"
                p = o["programs"][rnd.randrange(len(o["programs"]))]
                e["poisoned"] = [{"program": p["name"], "section": p["section"], "insn": rnd.randrange(200),
                                  "kind": "byte_off", "spec": "struct task_struct.__state",
                                  "reason": "struct task_struct has no field '__state' compatible with the "
                                            "local one (checked 1 candidate) #%d" % i,
                                  "guarded": r < 0.8}]
        k["objects"].append(e)
    kernels.append(k)
kernels.sort(key=lambda k: (k["distro"].encode(), k["version"].encode(), k["arch"].encode(), k["release"].encode()))
m = {"schema": "corelink-manifest", "schema_version": 2, "generator": "corelink synthetic",
     "strip_debug": False, "objects": objects, "kernels": kernels}
json.dump(m, open(out, "w"), indent=1)
