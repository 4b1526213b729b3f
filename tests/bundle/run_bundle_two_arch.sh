#!/usr/bin/env bash
# A bundle of a two-architecture batch, ctest bundle.two_arch (label bundle;btfhub).
#
#   run_bundle_two_arch.sh CORELINK BUNDLE_DUMP PYTHON3 BTFHUB_DIR GO|"" X86_OBJ ARM64_OBJ OTHER_OBJ
#
# X86_OBJ and ARM64_OBJ are the x86 and arm64 builds of one program (the same file
# name), OTHER_OBJ a program for every arch (tests/batch/run_two_arch.sh).
# 1. batch --bundle == `bundle MANIFEST OBJ...` in either order of the two builds (each
#    original found by the manifest's hash); verify; ls lists one record per build (NAME,
#    ARCH) and, per kernel, only the build for its arch.
# 2. Every kernel x logical object: `bundle get BUNDLE NAME` (by the kernel's identity),
#    the C runtime and the Go reader selecting by NAME alone give the manifest's artifact
#    of the build for the kernel's arch.
# 3. Fallback (a release not in the bundle, kernel BTF present) gives the original of the
#    build for the host's arch; an arch without a build: exit 1 with a message.
set -uo pipefail
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

corelink=$1 dump=$2 py=$3 btfhub=$4 go=$5 x86=$6 arm=$7 other=$8
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ -d "$btfhub" ] || skip "BTFHub test data not found at '$btfhub' (BTFHUB_DIR)"
[ -x "$py" ] || skip "python3 not found"
for o in "$x86" "$arm" "$other"; do [ -r "$o" ] || fail "test object $o missing"; done
name=$(basename "$x86")
[ "$name" = "$(basename "$arm")" ] || fail "the two builds must share a file name"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/corelink-bundle2arch.XXXXXX") || fail mktemp
trap 'rm -rf "$tmp"' EXIT

echo "== 1. batch --bundle of an x86 and an arm64 build of $name"
"$corelink" batch "$x86" "$arm" "$other" --btfhub "$btfhub" -o "$tmp/out" --jobs 2 -q --bundle "$tmp/app.bundle" ||
	fail "batch --bundle failed"
"$corelink" bundle "$tmp/out/manifest.json" "$arm" "$other" "$x86" -o "$tmp/again.bundle" -q ||
	fail "corelink bundle MANIFEST (builds in the other order) failed"
cmp "$tmp/app.bundle" "$tmp/again.bundle" || fail "--bundle and 'bundle MANIFEST' differ"
"$corelink" bundle "$tmp/out/manifest.json" "$x86" "$other" -o "$tmp/bad.bundle" -q 2> "$tmp/bad.err"
[ $? -eq 2 ] || fail "a missing build should exit 2"
grep -q "no object given has the bytes of the manifest's $name for aarch64" "$tmp/bad.err" ||
	fail "missing build message: $(cat "$tmp/bad.err")"
"$corelink" bundle verify "$tmp/app.bundle" || fail "bundle verify"
"$corelink" bundle ls "$tmp/app.bundle" > "$tmp/ls.txt" || fail "bundle ls"
for a in x86_64 aarch64; do
	grep -Eq "^  $name +$a +original" "$tmp/ls.txt" || fail "bundle ls has no object $name for $a: $(cat "$tmp/ls.txt")"
done
# a kernel row names the object once (the build for its arch; the other build is SKIPPED)
row=$(grep -m1 "/x86_64/" "$tmp/ls.txt")
[ "$(grep -o " $name=" <<<"$row" | wc -l)" -eq 1 ] || fail "kernel row: $row"
echo "ok   same bytes either way; verify; objects $name (x86_64), $name (aarch64), $(basename "$other")"

echo "== 2. every kernel x logical object by name: bundle get, C runtime${go:+, Go reader}"
dumps=(--dump "c-runtime=$dump")
. "$here/go_dump.sh"
"$py" - "$corelink" "$tmp/out" "$tmp/app.bundle" "${dumps[@]}" <<'PY' || fail "bundle contents differ"
import json, os, subprocess, sys, tempfile
corelink, outdir, bundle = sys.argv[1:4]
dumps = [a.partition("=")[::2] for a in sys.argv[5::2]]
m = json.load(open(os.path.join(outdir, "manifest.json")))
names = list(dict.fromkeys(o["name"] for o in m["objects"]))
fails, n = [], {"get": 0}
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "x.o")
    for k in m["kernels"]:
        ents = {e["object"]: e for e in k["objects"]}
        assert sorted(ents) == sorted(names), (k["release"], ents)
        for name in names:
            r = subprocess.run([corelink, "bundle", "get", bundle, name.replace(".bpf.o", ""),
                                "--release", k["release"], "--arch", k["arch"], "--distro",
                                k["distro"], "--version", k["version"], "--no-fallback", "-o", out],
                               capture_output=True, text=True)
            want = open(os.path.join(outdir, ents[name]["artifact"]), "rb").read()
            if r.returncode or open(out, "rb").read() != want:
                fails.append("get %s %s: exit %d %s" % (k["release"], name, r.returncode, r.stderr))
            n["get"] += 1
    for label, tool in dumps:
        d = os.path.join(tmp, label)
        os.mkdir(d)
        r = subprocess.run([tool, bundle, d, "logical"], capture_output=True, text=True)
        lines = r.stdout.splitlines()
        if r.returncode or len(lines) != len(m["kernels"]) * len(names):
            fails.append("%s: exit %d, %d lines: %s" % (label, r.returncode, len(lines), r.stderr[-300:]))
            continue
        n[label] = 0
        for ki, k in enumerate(m["kernels"]):
            ents = {e["object"]: e for e in k["objects"]}
            for name in names:
                line = lines[ki * len(names) + names.index(name)]
                if not line.startswith("%d %s exact " % (ki, name)):
                    fails.append("%s: %r" % (label, line))
                    continue
                got = open(os.path.join(d, "%d.%s" % (ki, name)), "rb").read()
                if got != open(os.path.join(outdir, ents[name]["artifact"]), "rb").read():
                    fails.append("%s: kernel %d %s differs" % (label, ki, name))
                n[label] += 1
for f in fails[:20]:
    print("FAIL", f)
print("ok   by name + kernel arch: " + ", ".join("%s %d" % kv for kv in n.items()) +
      " (%d kernels x %d logical objects)" % (len(m["kernels"]), len(names)))
sys.exit(1 if fails else 0)
PY

echo "== 3. fallback and an arch without a build"
: > "$tmp/empty"; printf 'x' > "$tmp/btf"
for pair in "x86_64:$x86" "amd64:$x86" "aarch64:$arm" "arm64:$arm"; do
	a=${pair%%:*} want=${pair#*:}
	"$corelink" bundle get "$tmp/app.bundle" "$name" --release 0.0-none --arch "$a" --btf "$tmp/btf" \
		-o "$tmp/fb.o" > "$tmp/fb.out" || fail "fallback for $a"
	grep -q "^fallback-btf" "$tmp/fb.out" || fail "fallback for $a: $(cat "$tmp/fb.out")"
	cmp -s "$tmp/fb.o" "$want" || fail "fallback for $a is not the original of $want"
done
"$corelink" bundle get "$tmp/app.bundle" "$name" --release 0.0-none --arch s390x --btf "$tmp/btf" \
	-o "$tmp/none.o" 2> "$tmp/none.err"
[ $? -eq 1 ] || fail "an arch without a build should exit 1"
grep -q "has no build for arch s390x" "$tmp/none.err" || fail "no-build message: $(cat "$tmp/none.err")"
[ ! -e "$tmp/none.o" ] || fail "an output was written for an arch without a build"
echo "ok   fallback: the original of each arch's build (4 arch spellings); s390x: exit 1"
echo "bundle two_arch: all checks passed"
