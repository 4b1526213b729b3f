#!/usr/bin/env bash
# The HTML report in a real browser, ctest batch.html_report (label batch).
#
#   run_html.sh CORELINK BTFHUB_DIR PYTHON3 CHROMIUM OBJ...
#
# 1. A batch over BTFHub (two-arch objects, guarded/poisoned entries, and an
#    unreadable kernel for an error row) with --report report.html;
#    `corelink report MANIFEST -o x.html` writes the same bytes;
#    check_html.py renders it in headless Chromium: no console message, the
#    script ran, every kernel/object/program with the right status class.
# 2. ~4000 synthetic kernels (make_manifest.py): the page is rendered and
#    checked the same way; its size and time are printed.
# Skips (77) when BTFHUB_DIR, python3 or chromium is missing.
set -uo pipefail
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

corelink=$1 btfhub=$2 py=$3 chromium=$4
shift 4
objs=("$@")
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$btfhub" ] || skip "BTFHub test data not found at '$btfhub' (BTFHUB_DIR)"
[ -x "$py" ] || skip "python3 not found"
command -v "$chromium" > /dev/null || skip "chromium not found (scripts/setup installs it)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/corelink-html.XXXXXX") || fail mktemp
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp  # chromium writes its profile there

echo "== 1. a BTFHub batch"
printf 'not BTF' > "$tmp/broken.btf"
"$corelink" batch "${objs[@]}" --btfhub "$btfhub" --btf "$tmp/broken.btf" --btf-name "broken/1/x86_64/broken-1" \
	-o "$tmp/out" --jobs 2 -q --report "$tmp/out/report.html" || fail "batch with --report report.html"
"$corelink" report "$tmp/out/manifest.json" -o "$tmp/again.html" || fail "corelink report -o x.html"
cmp "$tmp/out/report.html" "$tmp/again.html" || fail "--report and 'corelink report' differ"
"$py" "$here/check_html.py" "$chromium" "$tmp/out/manifest.json" "$tmp/out/report.html" || fail "BTFHub report"
grep -q '<td class="s-error"' "$tmp/out/report.html" &&
	grep -Eq '<td class="s-(guarded|poisoned)"' "$tmp/out/report.html" || fail "the BTFHub report lacks error or poisoned cells"

echo "== 2. 4000 synthetic kernels"
"$py" "$here/make_manifest.py" 4000 "$tmp/big.json" || fail "make_manifest"
start=$(date +%s.%N)
"$corelink" report "$tmp/big.json" -o "$tmp/big.html" || fail "report of 4000 kernels"
end=$(date +%s.%N)
size=$(stat -c %s "$tmp/big.html")
echo "4000 kernels: $size bytes of HTML, written in $(echo "$end - $start" | bc) s"
[ "$size" -lt $((16 * 1024 * 1024)) ] || fail "the page for 4000 kernels is $size bytes (> 16 MiB)"
"$py" "$here/check_html.py" "$chromium" "$tmp/big.json" "$tmp/big.html" || fail "4000-kernel report"
echo "html_report: all checks passed"
