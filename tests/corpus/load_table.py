#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The libbpf-tools load table: corelink's output loads without kernel BTF.

For every BPF object of Debian's libbpf-tools (extract_libbpf_tools.py):
  A. the ORIGINAL object, loaded by stock libbpf with the kernel's BTF present
     (libbpf relocates it against /sys/kernel/btf/vmlinux);
  B. corelink OBJ --btf /sys/kernel/btf/vmlinux, loaded by stock libbpf in a private
     mount namespace where the kernel's BTF is hidden (tmpfs over /sys/kernel/btf,
     libbpf's fallback vmlinux paths masked; checked: libbpf finds no kernel BTF).
Each program is loaded into the running kernel (prog_loader.c: not attached).

Programs that cannot work without kernel BTF whatever corelink does (fentry/fexit,
tp_btf, LSM, iter, struct_ops, typed __ksym: corelink warns about each) are counted
apart, as are programs that fail in A too (the reason is printed: the kernel refuses
fentry here, an attach target this kernel lacks, a field the tool reads that this
kernel does not have...).

Fails (exit 1) if a program that loads in A and does not need kernel BTF fails in B,
if a program fails in B for another reason than in A, or if one loads only in B.
Exit 77 without root, unshare, the package, or the running kernel's BTF.
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
FALLBACK = ["/boot/vmlinux-{r}", "/lib/modules/{r}/vmlinux-{r}", "/lib/modules/{r}/build/vmlinux",
            "/usr/lib/modules/{r}/kernel/vmlinux", "/usr/lib/debug/boot/vmlinux-{r}",
            "/usr/lib/debug/boot/vmlinux-{r}.debug", "/usr/lib/debug/lib/modules/{r}/vmlinux"]


def log(msg):
    print(msg, flush=True)


def skip(msg):
    log("load_table: SKIP: " + msg)
    sys.exit(SKIP)


def parse(out):
    """prog_loader output -> {(object, program): (section, ok, errno, reason)}"""
    res = {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) >= 4:
            ok = f[3] == "ok"
            res[(f[0], f[1])] = (f[2], ok, 0 if ok else int(f[4]), "" if ok else f[5])
    return res


def reason_class(sec, err, reason):
    """A short, stable name for why a program does not load."""
    if "failed to find kernel BTF type ID" in reason:
        return "attach target not in this kernel (%s)" % sec.split("/")[0]
    if err == -1 and sec.split("/")[0] in ("fentry", "fexit", "fmod_ret"):
        return "this kernel refuses fentry/fexit (EPERM)"
    # libbpf explains a reached poisoned instruction (call 0xbad2310) when it relocated the
    # program itself; after corelink the verifier names the call (195896080 = 0xbad2310)
    if "invalid CO-RE relocation" in reason or "failed to resolve CO-RE relocation" in reason \
            or "invalid func unknown#195896080" in reason:
        return "reads a field this kernel lacks (poisoned CO-RE relocation reached)"
    if "kernel BTF" in reason or "vmlinux BTF" in reason:
        return "needs kernel BTF"
    return re.sub(r"prog '[^']*'", "prog", reason)[:120]


def hidden_run(args, loader, objs):
    """Load objs with the kernel's BTF hidden, in a private mount namespace."""
    r = os.uname().release
    masks = " ".join('[ -e "%s" ] && { mount --bind /dev/null "%s" || exit 3; }; ' % (p, p)
                     for p in (f.format(r=r) for f in FALLBACK))
    script = ('mount -t tmpfs -o size=1m corelink-corpus /sys/kernel/btf || exit 3; %s'
              '[ ! -e /sys/kernel/btf/vmlinux ] || exit 3; '
              '"$0" --has-btf && exit 4; exec "$0" "$@"' % masks)
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, loader]
                       + objs, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode == 3:
        skip("cannot hide the kernel's BTF in a mount namespace: " + p.stderr.strip())
    if p.returncode == 4:
        sys.exit("load_table: libbpf still finds kernel BTF after hiding it")
    return p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corelink", required=True)
    ap.add_argument("--loader", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--objects", help="a directory of objects (default: extract libbpf-tools)")
    ap.add_argument("--table", help="also write the table (markdown) here")
    args = ap.parse_args()

    if os.geteuid() != 0:
        skip("needs root (loads BPF programs, mounts over /sys/kernel/btf)")
    if not shutil.which("unshare"):
        skip("unshare (util-linux) not installed")
    if subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                      stderr=subprocess.DEVNULL).returncode:
        skip("cannot create a mount namespace")
    if not os.access("/sys/kernel/btf/vmlinux", os.R_OK):
        skip("the running kernel has no /sys/kernel/btf/vmlinux to relocate against")
    shutil.rmtree(args.work, ignore_errors=True)
    objdir = args.objects
    if not objdir:
        objdir = os.path.join(args.work, "objs")
        p = subprocess.run([sys.executable, os.path.join(HERE, "extract_libbpf_tools.py"), objdir])
        if p.returncode:
            sys.exit(p.returncode)
    objs = sorted(os.path.join(objdir, f) for f in os.listdir(objdir) if f.endswith(".bpf.o"))

    # corelink for the running kernel; its warnings name what needs kernel BTF anyway
    reldir = os.path.join(args.work, "relocated")
    os.makedirs(reldir)
    needs_btf = {}       # (object, program) -> why; (object, "*") for typed ksyms
    relocated = []
    for o in objs:
        base = os.path.basename(o)
        out = os.path.join(reldir, base)
        p = subprocess.run([args.corelink, o, "--btf", "/sys/kernel/btf/vmlinux", "-o", out],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            log("corelink %s: exit %d: %s" % (base, p.returncode, p.stderr.strip()))
            return 1
        relocated.append(out)
        for m in re.finditer(r"program '([^']+)' \(([^)]+)\) needs kernel BTF", p.stderr):
            needs_btf[(base, m.group(1))] = m.group(2).split("/")[0]
        for m in re.finditer(r"typed __ksym extern '([^']+)' needs kernel BTF", p.stderr):
            needs_btf[(base, "*")] = "typed __ksym " + m.group(1)

    a = parse(subprocess.run([args.loader] + objs, stdout=subprocess.PIPE, text=True).stdout)
    b = parse(hidden_run(args, args.loader, relocated))

    rows = collections.OrderedDict()
    classes = collections.Counter()
    bad = []
    tot = collections.Counter()
    for (obj, prog), (sec, aok, aerr, areason) in sorted(a.items()):
        if (obj, prog) not in b:
            bad.append("%s %s: not in the relocated object's load results" % (obj, prog))
            continue
        _, bok, berr, breason = b[(obj, prog)]
        nb = needs_btf.get((obj, prog)) or needs_btf.get((obj, "*"))
        row = rows.setdefault(obj, collections.Counter())
        row["progs"] += 1
        tot["progs"] += 1
        if aok:
            row["a"] += 1
            tot["a"] += 1
        if bok:
            row["b"] += 1
            tot["b"] += 1
        if aok and bok:
            continue
        if not aok and not bok:
            ca, cb = reason_class(sec, aerr, areason), reason_class(sec, berr, breason)
            if ca != cb and not nb:
                bad.append("%s %s: fails for different reasons: with BTF '%s', after corelink "
                           "without BTF '%s'" % (obj, prog, areason, breason))
            classes["fails in both: " + ca] += 1
            tot["both_fail"] += 1
        elif aok and not bok:
            if nb:
                classes["needs kernel BTF (%s): loads only with BTF" % nb] += 1
                tot["needs_btf"] += 1
            else:
                bad.append("%s %s (%s): loads from the original with BTF but not after corelink "
                           "without BTF: %d %s" % (obj, prog, sec, berr, breason))
        else:
            bad.append("%s %s: loads only after corelink (original with BTF: %d %s)"
                       % (obj, prog, aerr, areason))

    lines = ["| object | programs | load from the original, kernel BTF present | "
             "load after corelink, kernel BTF hidden |", "| --- | --- | --- | --- |"]
    for obj, row in rows.items():
        lines.append("| %s | %d | %d | %d |" % (obj[:-len(".bpf.o")], row["progs"], row["a"], row["b"]))
    lines.append("| **all %d objects** | **%d** | **%d** | **%d** |"
                 % (len(rows), tot["progs"], tot["a"], tot["b"]))
    lines.append("")
    lines.append("Programs that do not load in both columns, by reason:")
    lines.append("")
    for c, n in sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append("- %d: %s" % (n, c))
    table = "\n".join(lines)
    log(table)
    if args.table:
        with open(args.table, "w") as f:
            f.write(table + "\n")
    for m in bad:
        log("FAIL " + m)
    log("load_table: %d programs in %d objects: %d load from the original with kernel BTF, "
        "%d after corelink without kernel BTF; %d need kernel BTF, %d fail in both, %d wrong"
        % (tot["progs"], len(rows), tot["a"], tot["b"], tot["needs_btf"], tot["both_fail"],
           len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
