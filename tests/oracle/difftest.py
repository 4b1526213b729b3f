#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Differential test: corelink against libbpf (the oracle: 1.1.2 or 1.7).

For every test object OBJ (BPF_DIR/*.bpf.o) and every target T:
  1. A = oracle OBJ --btf T          libbpf relocates OBJ against T (final instructions)
  2. corelink OBJ --btf T -o OUT     corelink relocates at build time
  3. B = oracle OUT --btf MISSING    libbpf loads corelink's output; MISSING does not exist,
                                     so any CO-RE record left in OUT fails loudly
and A must equal B instruction for instruction.  When libbpf fails in CO-RE
relocation (a hard error), corelink must exit 1 with the same errno.
--libbpf V runs corelink with `--libbpf V` and checks that the oracle is libbpf V
(`oracle --version`): `--libbpf 1.1` against the bookworm oracle, `--libbpf 1.7`
(corelink's default rules) against the sid oracle.

Targets (--targets, comma separated):
  synthetic  BPF_DIR/targets/*.o   (the .BTF of small C files standing in for kernels)
  vmlinux    /sys/kernel/btf/vmlinux (the running kernel)
  btfhub     every BTFHUB/**/*.btf.tar.xz, decompressed once per run into WORK
  self       each object against its own .BTF (cilium's check: every value unchanged)

Big-endian objects (*.bpfeb.o) cannot be loaded by libbpf on a little-endian host:
they are skipped (and counted as such).

--self-test checks the oracle itself on oracle_smoke.bpf.o against btfhub kernels whose
task_struct layout is documented in BTFHUB/README.md.

Exit: 0 all compared pairs agree, 1 any mismatch, 77 nothing could be compared (no root,
no bpf(), no corelink CLI yet, no data).
"""
import argparse
import concurrent.futures as cf
import errno as errno_mod
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
import time

SKIP = 77


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- oracle output


class OracleResult:
    """Parsed output of one oracle run."""

    def __init__(self, rc, out, err):
        self.rc = rc          # 0 loaded, 1 load failed, 3 open failed, other: broken
        self.raw = out
        self.stderr = err
        self.progs = []       # [(name, [insn lines])] in load order
        self.err = None       # negative errno when rc == 1
        self.errname = None
        self.errclass = None  # "core" or "other"
        self.logs = []        # libbpf warnings when rc == 1
        cur = None
        for line in out.splitlines():
            if line.startswith("prog "):
                parts = line.split()
                cur = (parts[1], [])
                self.progs.append(cur)
            elif line.startswith("result error "):
                parts = line.split()
                self.err, self.errname, self.errclass = int(parts[2]), parts[3], parts[4]
            elif line.startswith("log "):
                self.logs.append(line[4:])
            elif re.match(r"^\d+: ", line) and cur is not None:
                cur[1].append(line)

    def body(self):
        """Everything but the object name: what must be equal between A and B."""
        return [l for l in self.raw.splitlines() if not l.startswith("object ")]


# libbpf.a is not built with the sanitizers; its allocations are not the oracle's to check.
ORACLE_ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")


def run(cmd, timeout=300, env=None):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout, env=env)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return -1, "", "timeout after %ds: %s" % (timeout, " ".join(cmd))


def oracle(args, obj, btf=None):
    cmd = [args.oracle, obj] + (["--btf", btf] if btf else []) + args.oracle_args
    return OracleResult(*run(cmd, env=ORACLE_ENV))


_loaded = {}   # content hash of a corelink output -> future of its oracle run (step 3)
_loaded_lock = threading.Lock()


def oracle_load_output(args, out):
    """Step 3, once per distinct output: many kernels give the same bytes."""
    with open(out, "rb") as f:
        key = hashlib.sha256(f.read()).hexdigest()
    with _loaded_lock:
        fut = _loaded.get(key)
        mine = fut is None
        if mine:
            fut = _loaded[key] = cf.Future()
    if mine:
        fut.set_result(oracle(args, out, os.path.join(args.workdir, "no-such-target.btf")))
    return fut.result()


def decode(hexinsn):
    """'61a1f0ff00000000' -> readable fields of a little-endian BPF instruction."""
    b = bytes.fromhex(hexinsn[:16])
    off = int.from_bytes(b[2:4], "little", signed=True)
    imm = int.from_bytes(b[4:8], "little", signed=True)
    return "code=0x%02x dst=r%d src=r%d off=%d imm=%d" % (b[0], b[1] & 15, b[1] >> 4, off, imm)


# ---------------------------------------------------------------- errno of corelink


ERRNO_NAMES = dict(errno_mod.errorcode)   # number -> name
ERRNO_NAMES[524] = "ENOTSUPP"
NAME_TO_NUM = {v: k for k, v in ERRNO_NAMES.items()}
NAME_TO_NUM["EOPNOTSUPP"] = errno_mod.EOPNOTSUPP


def errnos_in(text):
    """Errno numbers a corelink message names: ENAME, strerror text, or '-NN'."""
    found = set()
    for name in re.findall(r"\bE[A-Z0-9]{2,}\b", text):
        if name in NAME_TO_NUM:
            found.add(NAME_TO_NUM[name])
    for num in re.findall(r"(?<![\w.])-(\d{1,3})\b", text):
        if int(num) in ERRNO_NAMES:
            found.add(int(num))
    low = text.lower()
    for num in (errno_mod.EINVAL, errno_mod.E2BIG, errno_mod.ERANGE, errno_mod.EOPNOTSUPP,
                errno_mod.ESRCH, errno_mod.ENOENT, errno_mod.ENOTSUP):
        if os.strerror(num).lower() in low:
            found.add(num)
    if errno_mod.EOPNOTSUPP in found:      # one errno, two names
        found.add(errno_mod.ENOTSUP)
    return found


# ---------------------------------------------------------------- one pair


class Outcome:
    IDENTICAL, SAME_FAILURE, MISMATCH, SKIPPED = "identical", "same failure", "mismatched", "skipped"

    def __init__(self, kind, obj, target, detail=""):
        self.kind, self.obj, self.target, self.detail = kind, obj, target, detail


def compare_insns(a, b, limit=8):
    """Describe how B's programs differ from A's (empty list when equal)."""
    diffs = []
    an, bn = [p[0] for p in a.progs], [p[0] for p in b.progs]
    if an != bn:
        diffs.append("programs differ: libbpf %s vs corelink %s" % (an, bn))
    bmap = dict(b.progs)
    for name, ainsns in a.progs:
        binsns = bmap.get(name)
        if binsns is None:
            continue
        if len(ainsns) != len(binsns):
            diffs.append("prog '%s': insn count libbpf %d vs corelink %d"
                         % (name, len(ainsns), len(binsns)))
        shown = 0
        for la, lb in zip(ainsns, binsns):
            if la != lb:
                idx = la.split(":")[0]
                ha, hb = la.split()[1], lb.split()[1]
                diffs.append("prog '%s' insn #%s: libbpf %s (%s) vs corelink %s (%s)"
                             % (name, idx, la.split(": ", 1)[1], decode(ha),
                                lb.split(": ", 1)[1], decode(hb)))
                shown += 1
                if shown >= limit:
                    diffs.append("prog '%s': (more differences not shown)" % name)
                    break
    if not diffs and a.body() != b.body():
        diffs.append("outputs differ outside instructions:\n  A: %s\n  B: %s"
                     % (a.body(), b.body()))
    return diffs


def save_artifacts(args, tag, files):
    d = os.path.join(args.workdir, "mismatch", tag)
    os.makedirs(d, exist_ok=True)
    for name, content in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(content)
    return d


def diff_pair(args, obj, target, tlabel):
    oname = os.path.basename(obj)
    tag = re.sub(r"[^\w.-]", "_", "%s__%s" % (oname, tlabel))
    out = os.path.join(args.workdir, "out", tag + ".o")
    if os.path.exists(out):
        os.unlink(out)

    a = oracle(args, obj, target)
    if a.rc == 3:
        return Outcome(Outcome.SKIPPED, oname, tlabel,
                       "libbpf cannot open the object: " + a.stderr.strip().splitlines()[0]
                       if a.stderr.strip() else "libbpf cannot open the object")
    if a.rc not in (0, 1):
        return Outcome(Outcome.MISMATCH, oname, tlabel,
                       "oracle broke (rc %d): %s" % (a.rc, a.stderr.strip()[-500:]))

    crc, cout, cerr = run([args.corelink, obj, "--btf", target, "-o", out] + args.corelink_opts)
    cmsg = (cout + cerr).strip()

    if a.rc == 1:
        if a.errclass != "core":
            first = a.logs[0] if a.logs else "(no warning)"
            return Outcome(Outcome.SKIPPED, oname, tlabel,
                           "libbpf fails outside CO-RE (%d %s): %s" % (a.err, a.errname, first))
        lines = ["libbpf: %d %s" % (a.err, a.errname)] + ["  " + l for l in a.logs] + \
                ["corelink: exit %d" % crc] + ["  " + l for l in cmsg.splitlines()[:10]]
        # A record whose instruction no CO-RE relocation can patch (GCC 12 emits such, see
        # tests/cases.md) is malformed input to corelink (exit 2); libbpf fails at the same
        # instruction ("failed to patch insn") when the type exists in the target.
        patch_bad_input = crc == 2 and any("failed to patch insn" in l for l in a.logs)
        if crc != 1 and not patch_bad_input:
            save_artifacts(args, tag, {"libbpf.txt": a.raw, "corelink.txt": cmsg})
            return Outcome(Outcome.MISMATCH, oname, tlabel,
                           "libbpf fails but corelink exits %d (want 1)\n    " % crc
                           + "\n    ".join(lines))
        named = errnos_in(cmsg)
        if named and -a.err not in named:
            return Outcome(Outcome.MISMATCH, oname, tlabel,
                           "errno differs: libbpf %d %s, corelink names %s\n    "
                           % (a.err, a.errname, sorted(ERRNO_NAMES.get(n, n) for n in named))
                           + "\n    ".join(lines))
        note = "" if named else " [corelink does not name the errno]"
        if patch_bad_input:
            note += " [unpatchable instruction: corelink exit 2, bad input]"
        return Outcome(Outcome.SAME_FAILURE, oname, tlabel,
                       "%d %s%s\n    " % (a.err, a.errname, note) + "\n    ".join(lines))

    # libbpf succeeded: corelink must too, and libbpf must load corelink's output identically
    if crc != 0:
        save_artifacts(args, tag, {"libbpf.txt": a.raw, "corelink.txt": cmsg})
        return Outcome(Outcome.MISMATCH, oname, tlabel,
                       "libbpf relocates fine but corelink exits %d:\n    %s"
                       % (crc, "\n    ".join(cmsg.splitlines()[:10])))
    if not os.path.exists(out):
        return Outcome(Outcome.MISMATCH, oname, tlabel, "corelink exit 0 but wrote no " + out)
    # A target that does not exist: if corelink left any CO-RE record in OUT, libbpf would
    # try to relocate it against this and fail, instead of silently using the running kernel.
    b = oracle_load_output(args, out)
    if b.rc == 1 and any("target BTF" in l for l in b.logs):
        return Outcome(Outcome.MISMATCH, oname, tlabel,
                       "corelink's output still has CO-RE records (libbpf tried to relocate it)")
    if b.rc != 0:
        save_artifacts(args, tag, {"libbpf.txt": a.raw, "corelink-out-libbpf.txt": b.raw + b.stderr})
        shutil.copy(out, os.path.join(args.workdir, "mismatch", tag, "corelink.o"))
        return Outcome(Outcome.MISMATCH, oname, tlabel,
                       "libbpf cannot load corelink's output (oracle rc %d): %s %s"
                       % (b.rc, " | ".join(b.logs[:5]), b.stderr.strip()[-300:]))
    diffs = compare_insns(a, b)
    if diffs:
        d = save_artifacts(args, tag, {"libbpf.txt": a.raw, "corelink-out-libbpf.txt": b.raw})
        shutil.copy(out, os.path.join(d, "corelink.o"))
        return Outcome(Outcome.MISMATCH, oname, tlabel, "\n    ".join(diffs) + "\n    (files: %s)" % d)
    os.unlink(out)
    nins = sum(len(p[1]) for p in a.progs)
    npois = sum(1 for p in a.progs for l in p[1] if l.endswith("; poison"))
    return Outcome(Outcome.IDENTICAL, oname, tlabel,
                   "%d progs, %d insns, %d poisoned" % (len(a.progs), nins, npois))


# ---------------------------------------------------------------- targets


def btfhub_archives(args):
    if not args.btfhub or not os.path.isdir(args.btfhub):
        return []
    return sorted(glob.glob(os.path.join(args.btfhub, "**", "*.btf.tar.xz"), recursive=True))


def unpack_btfhub(args, archives):
    """Decompress each archive once into WORK/btfhub; return [(path, label)]."""
    d = os.path.join(args.workdir, "btfhub")
    os.makedirs(d, exist_ok=True)

    def one(arc):
        rel = os.path.relpath(arc, args.btfhub)[: -len(".tar.xz")]
        dst = os.path.join(d, rel.replace("/", "__"))
        with open(dst + ".tmp", "wb") as f:
            p = subprocess.run(["tar", "-xJOf", arc], stdout=f, stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise RuntimeError("tar -xJOf %s: %s" % (arc, p.stderr.decode().strip()))
        os.replace(dst + ".tmp", dst)
        return dst, "btfhub:" + rel[: -len(".btf")]

    with cf.ThreadPoolExecutor(args.jobs) as ex:
        return list(ex.map(one, archives))


def collect_targets(args):
    targets = []
    kinds = args.targets.split(",")
    for k in kinds:
        if k == "synthetic":
            for t in sorted(glob.glob(os.path.join(args.bpf_dir, "targets", "*.o"))):
                targets.append((t, "targets/" + os.path.basename(t)))
        elif k == "vmlinux":
            if os.access("/sys/kernel/btf/vmlinux", os.R_OK):
                targets.append(("/sys/kernel/btf/vmlinux", "vmlinux"))
            else:
                log("difftest: note: /sys/kernel/btf/vmlinux not readable; running kernel skipped")
        elif k == "self":
            pass  # each object against its own .BTF: added per object in main()
        elif k == "btfhub":
            arcs = btfhub_archives(args)
            if not arcs:
                log("difftest: SKIP: no btfhub data under %s" % args.btfhub)
                sys.exit(SKIP)
            if args.btfhub_every > 1:
                n = len(arcs)
                arcs = arcs[::args.btfhub_every]
                log("difftest: %d of the %d btfhub kernels (--btfhub-every %d)" %
                    (len(arcs), n, args.btfhub_every))
            t0 = time.time()
            targets += unpack_btfhub(args, arcs)
            log("difftest: unpacked %d btfhub kernels in %.1fs" % (len(arcs), time.time() - t0))
        else:
            sys.exit("difftest: unknown target kind '%s'" % k)
    return targets


# ---------------------------------------------------------------- self test


def self_test(args):
    """The oracle must report libbpf's CO-RE results on oracle_smoke (layouts from README)."""
    obj = os.path.join(args.bpf_dir, "oracle_smoke.bpf.o")
    if not os.path.exists(obj):
        log("difftest: SKIP: %s not built" % obj)
        return SKIP
    want = {  # kernel -> (task_struct.pid offset, __state exists)
        "kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64": (1712, False),
        "debian/12/x86_64/6.1.0-47-amd64": (2416, True),
    }
    arcs = [a for a in btfhub_archives(args)
            if any(a.endswith(k + ".btf.tar.xz") for k in want)]
    if len(arcs) != len(want):
        log("difftest: SKIP: btfhub kernels for the self test not found under %s" % args.btfhub)
        return SKIP
    passed = failed = 0

    def check(cond, what):
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1
            log("FAIL: " + what)

    for path, label in unpack_btfhub(args, arcs):
        pid_off, has_state = want[label[len("btfhub:"):]]
        r = oracle(args, obj, path)
        check(r.rc == 0, "%s: oracle loads smoke (rc %d): %s" % (label, r.rc, r.raw + r.stderr))
        progs = dict(r.progs)
        main = progs.get("smoke_main", [])
        check("smoke_optional" in progs, "%s: the ?-section program is loaded too" % label)
        check(any(l.split()[1].startswith("b7") and
                  int.from_bytes(bytes.fromhex(l.split()[1][8:16]), "little") == pid_off
                  for l in main),
              "%s: task_struct.pid offset %d patched into smoke_main" % (label, pid_off))
        poisoned = any(l.endswith("; poison") for l in main)
        check(poisoned != has_state,
              "%s: read of __state %s" % (label, "kept" if has_state else "poisoned"))
        check(any("; map #" in l for l in main), "%s: map references normalised" % label)
        # a hard CO-RE error is reported with libbpf's errno and warning lines
        r2 = oracle(args, obj, path + ".missing")
        check(r2.rc == 1 and r2.err == -errno_mod.ENOENT and r2.errclass == "core"
              and any("CO-RE" in l for l in r2.logs),
              "%s: missing target reported as a CO-RE failure: %s" % (label, r2.raw))
    shutil.rmtree(os.path.join(args.workdir, "btfhub"), ignore_errors=True)
    log("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--oracle", required=True)
    ap.add_argument("--libbpf", default="", help="corelink --libbpf V; the oracle must be libbpf V")
    ap.add_argument("--corelink", required=True)
    ap.add_argument("--bpf-dir", required=True, help="build/tests/bpf")
    ap.add_argument("--btfhub", default="")
    ap.add_argument("--btfhub-every", type=int, default=1,
                    help="only every Nth btfhub kernel (sorted by path; the sanitizer run)")
    ap.add_argument("--work", required=True, help="scratch directory (in the build dir)")
    ap.add_argument("--targets", default="synthetic,vmlinux")
    ap.add_argument("--objects", default="*", help="glob on object names (default all)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--small-maps", action="store_true",
                    help="oracle --small-maps --skip-unattachable (real-world objects: maps sized at "
                    "run time, programs the tools turn off when the kernel lacks their target)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every pair")
    args = ap.parse_args()
    args.oracle_args = ["--small-maps", "--skip-unattachable"] if args.small_maps else []
    args.workdir = os.path.join(args.work, "libbpf-" + (args.libbpf or "default"),
                                "selftest" if args.self_test else args.targets.replace(",", "+"))
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(os.path.join(args.workdir, "out"))
    args.corelink_opts = ["--libbpf", args.libbpf] if args.libbpf else []

    if not os.access(args.oracle, os.X_OK):
        log("difftest: SKIP: oracle %s not built%s" % (args.oracle, (
            ": libbpf %s is missing (run scripts/fetch-libbpf-sid, then cmake again)" % args.libbpf)
            if args.libbpf and args.libbpf != "1.1" else ""))
        return SKIP
    rc, out, err = run([args.oracle, "--version"], env=ORACLE_ENV)
    if rc != 0 or not out.startswith("libbpf "):
        log("difftest: FAIL: %s --version: %s" % (args.oracle, (out + err).strip()))
        return 1
    have = out.split()[1]
    if args.libbpf and have != args.libbpf:
        log("difftest: FAIL: oracle %s is libbpf %s, not %s" % (args.oracle, have, args.libbpf))
        return 1
    log("difftest: oracle is libbpf %s; corelink %s" % (have, " ".join(args.corelink_opts) or "(default rules)"))

    rc, out, err = run([args.oracle, "--check"], env=ORACLE_ENV)
    if rc != 0:
        log("difftest: SKIP: " + (out + err).strip())
        return SKIP
    if args.self_test:
        return self_test(args)
    if not (os.access(args.corelink, os.X_OK)):
        log("difftest: SKIP: corelink CLI not built (%s)" % args.corelink)
        return SKIP

    objs = sorted(glob.glob(os.path.join(args.bpf_dir, args.objects + ".bpf.o")))
    beobjs = sorted(glob.glob(os.path.join(args.bpf_dir, args.objects + ".bpfeb.o")))
    targets = collect_targets(args)
    if not objs or not (targets or "self" in args.targets):
        log("difftest: SKIP: %d objects, %d targets" % (len(objs), len(targets)))
        return SKIP
    log("difftest: %d objects x %d targets (%s)" % (len(objs), len(targets), args.targets))

    t0 = time.time()
    jobs = [(o, t, lab) for t, lab in targets for o in objs]
    if "self" in args.targets.split(","):
        jobs += [(o, o, "self") for o in objs]
        targets.append((None, "self"))
    results = []
    with cf.ThreadPoolExecutor(args.jobs) as ex:
        futs = [ex.submit(diff_pair, args, o, t, lab) for o, t, lab in jobs]
        for f in futs:
            r = f.result()
            results.append(r)
            if r.kind == Outcome.MISMATCH:
                log("MISMATCH %s x %s:\n    %s" % (r.obj, r.target, r.detail))
            elif args.verbose or r.kind == Outcome.SKIPPED:
                log("%s %s x %s: %s" % (r.kind, r.obj, r.target, r.detail))
            elif r.kind == Outcome.SAME_FAILURE:
                log("same failure %s x %s: %s" % (r.obj, r.target, r.detail.splitlines()[0]))

    for _, lab in targets:
        mine = [r for r in results if r.target == lab]
        log("target %s: %s" % (lab, ", ".join(
            "%d %s" % (sum(1 for r in mine if r.kind == k), k) for k in
            (Outcome.IDENTICAL, Outcome.SAME_FAILURE, Outcome.MISMATCH, Outcome.SKIPPED))))
    if not any(r.kind == Outcome.MISMATCH for r in results):  # keep data only for debugging
        shutil.rmtree(os.path.join(args.workdir, "btfhub"), ignore_errors=True)
    skipped_be = len(beobjs) * len(targets)  # "self" counts once per object
    if beobjs:
        log("difftest: skipped %d big-endian objects (%s): libbpf cannot load them on this "
            "little-endian host" % (len(beobjs), ", ".join(os.path.basename(b) for b in beobjs)))
    count = {k: sum(1 for r in results if r.kind == k) for k in
             (Outcome.IDENTICAL, Outcome.SAME_FAILURE, Outcome.MISMATCH, Outcome.SKIPPED)}
    skipped = count[Outcome.SKIPPED] + skipped_be
    log("difftest: %d pairs identical, %d same failure, %d mismatched, %d skipped (%.1fs)"
        % (count[Outcome.IDENTICAL], count[Outcome.SAME_FAILURE], count[Outcome.MISMATCH],
           skipped, time.time() - t0))
    passed = count[Outcome.IDENTICAL] + count[Outcome.SAME_FAILURE]
    log("%d passed, %d failed, %d skipped" % (passed, count[Outcome.MISMATCH], skipped))
    if count[Outcome.MISMATCH]:
        return 1
    return 0 if passed else SKIP


if __name__ == "__main__":
    sys.exit(main())
