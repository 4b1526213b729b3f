#!/usr/bin/env bash
# Batch mode over BTFHub (+ the running kernel's BTF when readable), ctest label batch.
#
#   run_btfhub_batch.sh CORELINK BTFHUB_DIR PYTHON3 OBJ...
#
# 1. One batch of every OBJ x every kernel (-j2, --tree, --report json and md):
#    check_batch.py compares every entry with `corelink OBJ --btf K -o X`
#    (bytes, status, poisoned instructions, tree links, report statuses).
# 2. Shards: e2e_task over BTFHub as --shard 1/2 and 2/2, merged, equals the
#    unsharded manifest byte for byte; a conflicting duplicate is refused.
# 3. --fail-on: poison (guarded poison only) exits 0, any-poison exits 1.
# Skips (77) when BTFHUB_DIR or python3 is missing.
set -uo pipefail
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

corelink=$1 btfhub=$2 py=$3
shift 3
objs=("$@")
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$btfhub" ] || skip "BTFHub test data not found at '$btfhub' (BTFHUB_DIR)"
[ -x "$py" ] || skip "python3 not found"
[ -x "$corelink" ] || fail "corelink not found at '$corelink'"
for o in "${objs[@]}"; do [ -r "$o" ] || fail "test object $o missing"; done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corelink-batch.XXXXXX") || fail mktemp
trap 'rm -rf "$tmp"' EXIT

extra=()
if [ -r /sys/kernel/btf/vmlinux ]; then
	ver=$(. /etc/os-release 2>/dev/null; echo "${VERSION_ID:-_}")
	extra=(--btf /sys/kernel/btf/vmlinux --btf-name "running/$ver/$(uname -m)/$(uname -r)")
else
	echo "note: /sys/kernel/btf/vmlinux not readable; BTFHub kernels only"
fi

echo "== 1. batch: ${#objs[@]} objects x BTFHub ${extra:++ running kernel}"
start=$(date +%s.%N)
"$corelink" batch "${objs[@]}" --btfhub "$btfhub" "${extra[@]}" -o "$tmp/full" --jobs 2 --tree \
	--report "$tmp/full/report.json" > "$tmp/batch.out" 2> "$tmp/batch.err"
rc=$?
cat "$tmp/batch.err" | tail -3
[ $rc -eq 0 ] || fail "batch exited $rc"
end=$(date +%s.%N)
echo "batch wall time: $(echo "$end - $start" | bc 2>/dev/null || echo '?') s"
# not a terminal: plain "[n/N] release: status" lines
grep -qE '^\[1/[0-9]+\] .+: (ok|poisoned|error)$' "$tmp/batch.err" || fail "no plain progress lines"
"$corelink" report "$tmp/full/manifest.json" -o "$tmp/report.md" || fail "report md"
grep -q '^| object | program | loads |' "$tmp/report.md" || fail "report.md has no summary table"
grep -q 'heuristic' "$tmp/report.md" || fail "report.md does not say the guard check is a heuristic"
"$py" "$here/check_batch.py" "$corelink" "$tmp/full" "${objs[@]}" || fail "batch and single runs disagree"

echo "== 1b. a second run stores nothing new and writes the same manifest"
"$corelink" batch "${objs[@]}" --btfhub "$btfhub" "${extra[@]}" -o "$tmp/full2" --jobs 1 -q || fail "batch -j1"
cmp "$tmp/full/manifest.json" "$tmp/full2/manifest.json" || fail "-j2 and -j1 manifests differ"
echo "ok   -j1 and -j2 manifests identical"

e2e=${objs[0]}
echo "== 2. shards 1/2 + 2/2, merged == unsharded ($(basename "$e2e"))"
"$corelink" batch "$e2e" --btfhub "$btfhub" -o "$tmp/one" --jobs 2 -q --fail-on any-poison
[ $? -eq 1 ] || fail "--fail-on any-poison should exit 1 (e2e_task has guarded poisoned relocations)"
"$corelink" batch "$e2e" --btfhub "$btfhub" -o "$tmp/s1" --jobs 2 -q --shard 1/2 --fail-on poison ||
	fail "shard 1/2 (--fail-on poison must pass: every poison of e2e_task is guarded)"
"$corelink" batch "$e2e" --btfhub "$btfhub" -o "$tmp/s2" --jobs 2 -q --shard 2/2 --fail-on poison || fail "shard 2/2"
"$py" -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["shard"] != {"index": 2, "count": 2})' \
	"$tmp/s2/manifest.json" || fail "shard not recorded"
n1=$(grep -c '"release"' "$tmp/s1/manifest.json"); n2=$(grep -c '"release"' "$tmp/s2/manifest.json")
nall=$(grep -c '"release"' "$tmp/one/manifest.json")
[ $((n1 + n2)) -eq "$nall" ] || fail "shards hold $n1 + $n2 kernels, expected $nall"
mkdir -p "$tmp/merged"
"$corelink" merge "$tmp/s1/manifest.json" "$tmp/s2/manifest.json" -o "$tmp/merged/manifest.json" ||
	fail "merge"
cmp "$tmp/one/manifest.json" "$tmp/merged/manifest.json" || fail "merged shards differ from the full manifest"
diff <(ls "$tmp/one/objects") <(ls "$tmp/merged/objects") || fail "merged objects/ differs"
echo "ok   shards $n1 + $n2 = $nall kernels; merged manifest identical; artifacts copied"
# a conflicting duplicate: the same kernel with another BTF hash
sed '0,/"btf_hash": "[0-9a-f]*"/s//"btf_hash": "0000000000000000"/' "$tmp/s1/manifest.json" > "$tmp/bad.json"
if "$corelink" merge "$tmp/s1/manifest.json" "$tmp/bad.json" -o "$tmp/m2/manifest.json" 2> "$tmp/merge.err"; then
	fail "merging a conflicting duplicate succeeded"
fi
grep -q conflict "$tmp/merge.err" || fail "merge conflict message: $(cat "$tmp/merge.err")"
echo "ok   conflicting duplicate refused: $(cat "$tmp/merge.err")"
echo "== 3. an unreadable kernel is an error entry, not a failed batch"
printf 'not BTF' > "$tmp/broken.btf"
k1=$(find "$btfhub" -name '*.btf.tar.xz' | sort | head -1)
"$corelink" batch "$e2e" --btf "$tmp/broken.btf" --btf "$k1" -o "$tmp/err" -q || fail "batch with a broken kernel should exit 0"
grep -q '"error": "kernel BTF: ' "$tmp/err/manifest.json" || fail "no error entry for the broken kernel"
"$corelink" batch "$e2e" --btf "$tmp/broken.btf" --btf "$k1" -o "$tmp/err" -q --fail-on error
[ $? -eq 1 ] || fail "--fail-on error should exit 1"
echo "ok   error entry recorded; exit 0 without --fail-on, 1 with --fail-on error"
echo "batch: all checks passed"
