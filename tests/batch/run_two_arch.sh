#!/usr/bin/env bash
# Two-architecture batches, ctest batch.two_arch (label batch;btfhub).
#
#   run_two_arch.sh CORELINK BTFHUB_DIR PYTHON3 X86_OBJ ARM64_OBJ OTHER_OBJ
#
# X86_OBJ and ARM64_OBJ are the x86 and arm64 builds of one program
# (tests/progs/arch_probe.bpf.c, the same file name), OTHER_OBJ a program
# without architecture-specific types.
# 1. Detected archs: each build relocated only against its own arch's
#    kernels, every entry ok (no pt_regs poison); OTHER_OBJ on every kernel.
#    The same with OBJ@x86_64 / OBJ@arm64 given.  With @all the x86 build is
#    poisoned on every arm64 kernel (why archs matter).
# 2. pick resolves the name by the host's (or --arch's) architecture.
# 3. --kernels patterns (arm64 and aarch64 spellings), no match = exit 2.
# 4. Old (version 1) manifests stay readable (report, pick).
set -uo pipefail
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

corelink=$1 btfhub=$2 py=$3 x86=$4 arm=$5 other=$6
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$btfhub" ] || skip "BTFHub test data not found at '$btfhub' (BTFHUB_DIR)"
[ -x "$py" ] || skip "python3 not found"
for o in "$x86" "$arm" "$other"; do [ -r "$o" ] || fail "test object $o missing"; done
[ "$(basename "$x86")" = "$(basename "$arm")" ] || fail "the two builds must share a file name"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/corelink-2arch.XXXXXX") || fail mktemp
trap 'rm -rf "$tmp"' EXIT

echo "== 1. detected archs"
"$corelink" batch "$x86" "$arm" "$other" --btfhub "$btfhub" -o "$tmp/auto" --jobs 2 2> "$tmp/auto.err" ||
	fail "batch exited $?: $(tail -3 "$tmp/auto.err")"
tail -1 "$tmp/auto.err"
"$py" "$here/check_two_arch.py" "$tmp/auto/manifest.json" detected || fail "two-arch manifest"
"$corelink" batch "$x86@x86_64" "$arm@arm64" "$other" --btfhub "$btfhub" -o "$tmp/given" --jobs 2 -q ||
	fail "batch with OBJ@ARCH"
"$py" "$here/check_two_arch.py" "$tmp/given/manifest.json" given || fail "two-arch manifest (given)"
# the same entries and artifacts either way (arch_from says how the arch was decided)
diff <(grep -v '"arch_from"' "$tmp/auto/manifest.json") <(grep -v '"arch_from"' "$tmp/given/manifest.json") ||
	fail "detected and given archs give different manifests"
echo "ok   detected == given (x86_64, arm64)"
"$corelink" batch "$x86@all" --btfhub "$btfhub" -o "$tmp/all" --jobs 2 -q || fail "batch with OBJ@all"
"$py" - "$tmp/all/manifest.json" <<'PY' || fail "@all: the x86 build should be poisoned on arm64 kernels"
import json, sys
m = json.load(open(sys.argv[1]))
arm = [k for k in m["kernels"] if k["arch"] in ("arm64", "aarch64")]
bad = [k["release"] for k in arm if k["objects"][0]["status"] != "poisoned" or
       not any("'di'" in p["reason"] or "'si'" in p["reason"] for p in k["objects"][0]["poisoned"])]
assert arm and not bad, bad
print("ok   @all: x86 build poisoned (pt_regs di/si) on all %d arm64 kernels" % len(arm))
PY
# two builds of one name for one arch: refused
"$corelink" batch "$x86" "$x86@x86_64" --btfhub "$btfhub" -o "$tmp/dup" -q 2> "$tmp/dup.err"
[ $? -eq 2 ] || fail "two builds of one name for one arch should exit 2"
grep -q "unique per arch" "$tmp/dup.err" || fail "duplicate message: $(cat "$tmp/dup.err")"
"$corelink" batch "$x86@sparc" --btfhub "$btfhub" -o "$tmp/bad" -q 2> "$tmp/bad.err"
[ $? -eq 2 ] || fail "an unknown @ARCH should exit 2 (it is not an arch suffix, so the file is missing)"
echo "ok   duplicate (name, arch) and unknown arch refused"

echo "== 2. pick by name + host arch"
"$py" - "$corelink" "$tmp/auto/manifest.json" "$(basename "$x86")" <<'PY' || fail "pick"
import json, os, platform, subprocess, sys
corelink, man, name = sys.argv[1:]
m = json.load(open(man))
canon = {"x86_64": "x86_64", "amd64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64"}
n = 0
for k in m["kernels"]:
    e = [e for e in k["objects"] if e["object"] == name]
    assert len(e) == 1, k["release"]
    for arch in (k["arch"], canon[k["arch"]]):
        p = subprocess.run([corelink, "pick", man, "--object", name.replace(".bpf.o", ""),
                            "--release", k["release"], "--arch", arch, "--distro", k["distro"],
                            "--version", k["version"]], capture_output=True, text=True)
        want = os.path.join(os.path.dirname(man), e[0]["artifact"])
        assert p.returncode == 0 and p.stdout.strip() == want, (k["release"], arch, p.stdout, p.stderr)
        n += 1
    # the other arch has no kernel of that release
    other = "aarch64" if canon[k["arch"]] == "x86_64" else "x86_64"
    p = subprocess.run([corelink, "pick", man, "--object", name, "--release", k["release"],
                        "--arch", other], capture_output=True, text=True)
    assert p.returncode == 1 and "no kernel" in p.stderr, (k["release"], p.stderr)
# the host's arch when --arch is not given
host = platform.machine()
ks = [k for k in m["kernels"] if canon.get(k["arch"]) == canon.get(host)]
if ks:
    k = ks[0]
    e = [e for e in k["objects"] if e["object"] == name][0]
    p = subprocess.run([corelink, "pick", man, "--object", name, "--release", k["release"],
                        "--distro", k["distro"], "--version", k["version"]],
                       capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.strip().endswith(e["artifact"]), (p.stdout, p.stderr)
    print("ok   host arch %s: %s -> %s" % (host, k["release"], e["artifact"]))
print("ok   pick: %d (release, arch spelling) queries resolved to their arch's build; other arch refused" % n)
PY

echo "== 3. --kernels patterns"
"$corelink" batch "$x86" "$arm" --btfhub "$btfhub" -o "$tmp/sel" -q --kernels '*/*/arm64/*' || fail "--kernels arm64"
want=$(find "$btfhub" -path '*/arm64/*.btf.tar.xz' -o -path '*/aarch64/*.btf.tar.xz' | wc -l)
narm=$(grep -c '"release"' "$tmp/sel/manifest.json")
[ "$narm" -eq "$want" ] || fail "--kernels '*/*/arm64/*': $narm kernels, expected $want (arm64 + aarch64)"
"$py" -c 'import json,sys; ks=json.load(open(sys.argv[1]))["kernels"]; assert all(k["arch"] in ("arm64","aarch64") for k in ks)' \
	"$tmp/sel/manifest.json" || fail "--kernels kept a kernel of another arch"
"$corelink" batch "$x86" "$arm" --btfhub "$btfhub" -o "$tmp/sel2" -q --kernels 'debian/12/*/*-cloud-*' \
	--kernels 'kylin/*' || fail "--kernels two patterns"
got=$("$py" -c 'import json,sys; print(" ".join(sorted(k["distro"]+":"+k["release"] for k in json.load(open(sys.argv[1]))["kernels"])))' "$tmp/sel2/manifest.json")
want=$(cd "$btfhub" && { ls debian/12/x86_64 | grep -- '-cloud-' | sed 's/^/debian:/'; ls kylin/V10/aarch64 | sed 's/^/kylin:/'; } | sed 's/\.btf\.tar\.xz$//' | sort | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] || fail "--kernels union: got '$got', expected '$want'"
"$corelink" batch "$x86" --btfhub "$btfhub" -o "$tmp/none" -q --kernels 'centos/*/x86_64/*' 2> "$tmp/none.err"
[ $? -eq 2 ] || fail "--kernels matching nothing should exit 2"
grep -q "no kernel" "$tmp/none.err" || fail "message: $(cat "$tmp/none.err")"
echo "ok   --kernels: '*/*/arm64/*' kept the $narm arm64 + aarch64 kernels; union of two patterns; nothing -> exit 2"

echo "== 4. a version 1 manifest is still read"
"$corelink" batch "$other" --btfhub "$btfhub" -o "$tmp/v1" -q --kernels 'debian/*' || fail "batch for v1"
"$py" - "$tmp/v1/manifest.json" <<'PY' || fail "make v1"
import json, sys
m = json.load(open(sys.argv[1]))
m["schema_version"] = 1
del m["strip_debug"]
for o in m["objects"]:
    for key in ("arch", "arch_from", "hash"):
        del o[key]
for k in m["kernels"]:
    del k["source_hash"]
json.dump(m, open(sys.argv[1], "w"), indent=2)
PY
"$corelink" report "$tmp/v1/manifest.json" -o "$tmp/v1.md" || fail "report of a v1 manifest"
k=$(ls "$btfhub/debian/12/x86_64" | head -1); k=${k%.btf.tar.xz}
"$corelink" pick "$tmp/v1/manifest.json" --release "$k" --arch x86_64 > /dev/null || fail "pick from a v1 manifest"
echo "ok   version 1 manifest: report and pick"
echo "two_arch: all checks passed"
