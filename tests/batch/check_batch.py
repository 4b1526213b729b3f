#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check a batch output directory against the single-kernel tool.

  check_batch.py CORELINK OUTDIR OBJ...

For every kernel x object of OUTDIR/manifest.json, run
`corelink OBJ --btf SOURCE -o X -v` and require: the artifact is byte-identical
to X; status ok/poisoned/error agrees with the exit code and the POISONED lines
(same count, same instructions); the tree link (if any) resolves to the artifact;
report.json (if any) says the same per program.  Prints duplicate statistics.
"""
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile

corelink, outdir, objs = sys.argv[1], sys.argv[2], sys.argv[3:]
man = json.load(open(os.path.join(outdir, "manifest.json")))
assert man["schema"] == "corelink-manifest" and man["schema_version"] == 2
by_name = {os.path.basename(o): o for o in objs}
assert [o["name"] for o in man["objects"]] == [os.path.basename(o) for o in objs], "object order"
fails = []
tmp = tempfile.mkdtemp(prefix="check-batch.")


def fail(msg):
    fails.append(msg)
    print("FAIL: " + msg)


def single(job):
    ki, oi = job
    k = man["kernels"][ki]
    obj = by_name[man["objects"][oi]["name"]]
    out = os.path.join(tmp, "%d-%d.o" % (ki, oi))
    p = subprocess.run([corelink, obj, "--btf", k["source"], "-o", out, "-v"],
                       capture_output=True, text=True)
    data = open(out, "rb").read() if p.returncode == 0 else None
    if data is not None:
        os.unlink(out)
    return ki, oi, p.returncode, p.stdout, data


jobs = [(ki, oi) for ki in range(len(man["kernels"])) for oi in range(len(man["objects"]))]
refs = collections.Counter()
n_status = collections.Counter()
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
    for ki, oi, rc, stdout, data in ex.map(single, jobs):
        k = man["kernels"][ki]
        e = k["objects"][oi]
        kid = "%s/%s/%s/%s" % (k["distro"], k["version"], k["arch"], k["release"])
        where = "%s on %s" % (e["object"], kid)
        n_status[e["status"]] += 1
        poisoned = [int(m) for m in re.findall(r" insn #(\d+) [a-z_0-9]+: .*: POISONED", stdout)]
        if rc == 0:
            if e["status"] not in ("ok", "poisoned"):
                fail("%s: single run succeeded, manifest says %s" % (where, e["status"]))
                continue
            art = open(os.path.join(outdir, e["artifact"]), "rb").read()
            if art != data:
                fail("%s: artifact differs from the single-kernel output" % where)
            refs[e["artifact"]] += 1
            got = sorted(p["insn"] for p in e.get("poisoned", []))
            if got != sorted(poisoned):
                fail("%s: poisoned insns %s, single run %s" % (where, got, sorted(poisoned)))
            if (e["status"] == "poisoned") != bool(poisoned):
                fail("%s: status %s but single run poisoned %d" % (where, e["status"], len(poisoned)))
            link = os.path.join(outdir, "tree", k["distro"] or "_", k["version"] or "_",
                                k["arch"] or "_", k["release"], e["object"])
            if os.path.isdir(os.path.join(outdir, "tree")):
                if not os.path.islink(link) or open(link, "rb").read() != art:
                    fail("%s: tree link %s missing or wrong" % (where, link))
        elif rc == 1:
            if e["status"] != "error" or "artifact" in e:
                fail("%s: single run failed (exit 1), manifest says %s" % (where, e["status"]))
        else:
            fail("%s: single run exit %d" % (where, rc))

# report.json agrees, per program
rp = os.path.join(outdir, "report.json")
if os.path.exists(rp):
    rep = json.load(open(rp))
    assert rep["schema"] == "corelink-report"
    kid_index = {("%s/%s/%s/%s" % (k["distro"], k["version"], k["arch"], k["release"])): k
                 for k in man["kernels"]}
    checked = 0
    for oi, ro in enumerate(rep["objects"]):
        for prog in ro["programs"]:
            for kr in prog["kernels"]:
                e = kid_index[kr["kernel"]]["objects"][oi]
                mine = [p for p in e.get("poisoned", []) if p["program"] == prog["name"]
                        and p["section"] == prog["section"]]
                want = ("error" if e["status"] == "error" else
                        "ok" if not mine else
                        "guarded" if all(p["guarded"] for p in mine) else "poisoned")
                if kr["status"] != want:
                    fail("report: %s %s on %s: %s, expected %s" % (ro["name"], prog["name"],
                                                                   kr["kernel"], kr["status"], want))
                checked += 1
    print("report.json: %d program x kernel statuses agree with the manifest" % checked)

files = set("objects/" + f for f in os.listdir(os.path.join(outdir, "objects")))
if files != set(refs):
    fail("objects/ holds %d files, the manifest references %d" % (len(files), len(refs)))
print("entries: %d (%s)" % (len(jobs), ", ".join("%s %d" % kv for kv in sorted(n_status.items()))))
print("artifacts: %d references, %d unique files, %d stored once for several kernels"
      % (sum(refs.values()), len(refs), sum(1 for c in refs.values() if c > 1)))
for oi, o in enumerate(man["objects"]):
    andr = [k["objects"][oi].get("artifact") for k in man["kernels"] if k["distro"] == "android"]
    andr = [a for a in andr if a]
    if andr:
        print("  %s: %d android kernels -> %d distinct artifacts" % (o["name"], len(andr), len(set(andr))))
os.rmdir(tmp)
if fails:
    print("%d failure(s)" % len(fails))
    sys.exit(1)
print("check_batch: all %d entries match the single-kernel tool" % len(jobs))
