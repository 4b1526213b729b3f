#!/usr/bin/env bash
# Bundles over BTFHub (+ the running kernel), ctest label bundle.
#
#   run_bundle_btfhub.sh CORELINK BUNDLE_DUMP PYTHON3 BTFHUB_DIR GO|"" OBJ...
#
# 1. A batch of every OBJ x every kernel writes APP.bundle (--bundle); packing the
#    batch's manifest afterwards (`corelink bundle MANIFEST OBJ... -o`) gives the same
#    bytes; `bundle verify` rebuilds every artifact; `bundle ls` lists every kernel.
# 2. check_bundle.py: for every kernel x object, `corelink bundle get` (selecting by the
#    kernel's identity), the C runtime alone (BUNDLE_DUMP) and, with GO, the Go reader
#    (corelink/runtime/go, standard library only, built offline in GOPATH mode) give
#    bytes identical to the batch's artifact; error entries are refused with their message.
# 3. Sizes: the bundle against the originals and the distinct artifacts.
# Skips (77) when BTFHUB_DIR or python3 is missing.
set -uo pipefail
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

corelink=$1 dump=$2 py=$3 btfhub=$4 go=$5
shift 5
objs=("$@")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ -d "$btfhub" ] || skip "BTFHub test data not found at '$btfhub' (BTFHUB_DIR)"
[ -x "$py" ] || skip "python3 not found"
for o in "${objs[@]}"; do [ -r "$o" ] || fail "test object $o missing"; done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corelink-bundle.XXXXXX") || fail mktemp
trap 'rm -rf "$tmp"' EXIT
extra=()
if [ -r /sys/kernel/btf/vmlinux ]; then
	id=$(. /etc/os-release 2>/dev/null; echo "${ID:-linux}/${VERSION_ID:-_}")
	extra=(--btf /sys/kernel/btf/vmlinux --btf-name "$id/$(uname -m)/$(uname -r)")
fi

echo "== 1. batch --bundle: ${#objs[@]} objects x BTFHub ${extra:++ running kernel}"
"$corelink" batch "${objs[@]}" --btfhub "$btfhub" "${extra[@]}" -o "$tmp/out" --jobs 2 -q --bundle "$tmp/app.bundle" ||
	fail "batch --bundle failed"
"$corelink" bundle "$tmp/out/manifest.json" "${objs[@]}" -o "$tmp/again.bundle" --c-header "$tmp/app.bundle.h" ||
	fail "corelink bundle MANIFEST failed"
cmp "$tmp/app.bundle" "$tmp/again.bundle" || fail "--bundle and 'bundle MANIFEST' differ"
echo "ok   batch --bundle == bundle MANIFEST (deterministic bytes)"
grep -q "static const unsigned char app_bundle\[\] __attribute__((aligned(8)))" "$tmp/app.bundle.h" ||
	fail "--c-header: no app_bundle array"
grep -q "static const size_t app_bundle_len = $(stat -c %s "$tmp/app.bundle");" "$tmp/app.bundle.h" ||
	fail "--c-header: wrong app_bundle_len"
"$corelink" bundle verify "$tmp/app.bundle" || fail "bundle verify"
nk=$(grep -c '"release"' "$tmp/out/manifest.json")
"$corelink" bundle ls "$tmp/app.bundle" > "$tmp/ls.txt" || fail "bundle ls"
[ "$(sed -n '/^kernels:/,$p' "$tmp/ls.txt" | grep -c '^  ')" -eq "$nk" ] || fail "bundle ls does not list $nk kernels"
head -1 "$tmp/ls.txt"

echo "== 2. every kernel x object: bundle get, C runtime${go:+, Go reader} == batch artifact"
dumps=(--dump "c-runtime=$dump")
. "$here/go_dump.sh"
"$py" "$here/check_bundle.py" "$corelink" "$tmp/out" "$tmp/app.bundle" "${dumps[@]}" || fail "bundle contents differ"

echo "== 3. sizes"
orig=0; for o in "${objs[@]}"; do orig=$((orig + $(stat -c %s "$o"))); done
arts=$(du -cb "$tmp/out/objects" | tail -1 | cut -f1)
size=$(stat -c %s "$tmp/app.bundle")
echo "bundle $size bytes; originals $orig; distinct artifacts $(ls "$tmp/out/objects" | wc -l) files, $arts bytes"
echo "bundle: all checks passed"
