#!/usr/bin/env bash
# Incremental batches (--previous), ctest batch.incremental (label batch;btfhub).
#
#   run_incremental.sh CORELINK BTFHUB_DIR X86_OBJ ARM64_OBJ OTHER_OBJ REPLACEMENT_OBJ
#
# 1. A batch over half of BTFHub (a tree of links), then the other half is
#    added and the batch rerun with --previous: the manifest and objects/
#    equal a full run's, and the kernels relocated are exactly the new ones
#    (counted from the summary line and from the -v-free progress lines).
# 2. --previous from another directory: artifacts are copied (and checked).
# 3. A changed object (same name, other bytes) is relocated on every kernel;
#    the others are reused.
# 4. Another corelink version, --strip-debug or --libbpf: nothing is reused.
# 5. A damaged artifact in the previous directory is not reused (and is
#    rewritten when the previous directory is the output directory).
set -uo pipefail
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

corelink=$1 btfhub=$2 x86=$3 arm=$4 other=$5 repl=$6
[ -d "$btfhub" ] || skip "BTFHub test data not found at '$btfhub' (BTFHUB_DIR)"
for o in "$x86" "$arm" "$other" "$repl"; do [ -r "$o" ] || fail "test object $o missing"; done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/corelink-incr.XXXXXX") || fail mktemp
trap 'rm -rf "$tmp"' EXIT
btfhub=$(cd "$btfhub" && pwd)

# the kernels, sorted; the first half is linked now, the rest later
(cd "$btfhub" && find . -name '*.btf.tar.xz' | sort) > "$tmp/all.txt"
total=$(wc -l < "$tmp/all.txt")
[ "$total" -ge 4 ] || skip "BTFHub has only $total kernels"
# every other kernel: both architectures are in both halves
awk 'NR % 2 == 1' "$tmp/all.txt" > "$tmp/first.txt"
awk 'NR % 2 == 0' "$tmp/all.txt" > "$tmp/later.txt"
link() { while read -r f; do mkdir -p "$tmp/hub/$(dirname "$f")"; ln -s "$btfhub/$f" "$tmp/hub/$f"; done < "$1"; }
link "$tmp/first.txt"
objs=("$x86" "$arm" "$other")
summary() { grep -- '--previous:' "$1" | sed -E 's/.*: ([0-9]+) kernel\(s\) relocated, ([0-9]+) reused \(([0-9]+) entries.*/\1 \2 \3/'; }

echo "== 1. $(wc -l < "$tmp/first.txt") kernels, then $(wc -l < "$tmp/later.txt") more"
"$corelink" batch "${objs[@]}" --btfhub "$tmp/hub" -o "$tmp/inc" --jobs 2 -q || fail "first batch"
link "$tmp/later.txt"
new=$(wc -l < "$tmp/later.txt")
"$corelink" batch "${objs[@]}" --btfhub "$tmp/hub" -o "$tmp/inc" --jobs 2 --previous "$tmp/inc/manifest.json" \
	2> "$tmp/inc.err" || fail "incremental batch: $(tail -3 "$tmp/inc.err")"
grep -- '--previous:' "$tmp/inc.err"
read -r relocated reused entries <<< "$(summary "$tmp/inc.err")"
[ "$relocated" = "$new" ] || fail "relocated $relocated kernels, expected the $new new ones"
[ "$reused" = "$((total - new))" ] || fail "reused $reused kernels, expected $((total - new))"
"$corelink" batch "${objs[@]}" --btfhub "$tmp/hub" -o "$tmp/full" --jobs 2 -q || fail "full batch"
cmp "$tmp/inc/manifest.json" "$tmp/full/manifest.json" || fail "incremental manifest differs from the full run's"
diff <(ls "$tmp/inc/objects") <(ls "$tmp/full/objects") || fail "objects/ differ"
for f in "$tmp/full/objects"/*; do cmp -s "$f" "$tmp/inc/objects/$(basename "$f")" || fail "artifact $f differs"; done
echo "ok   incremental == full ($total kernels, $(ls "$tmp/full/objects" | wc -l) artifacts); relocated $relocated = new $new, reused $reused ($entries entries)"

echo "== 2. --previous in another directory"
"$corelink" batch "${objs[@]}" --btfhub "$tmp/hub" -o "$tmp/copy" --jobs 2 --previous "$tmp/full/manifest.json" \
	2> "$tmp/copy.err" || fail "batch with --previous elsewhere"
read -r relocated reused entries <<< "$(summary "$tmp/copy.err")"
[ "$relocated" = 0 ] && [ "$reused" = "$total" ] || fail "expected everything reused: $(summary "$tmp/copy.err")"
cmp "$tmp/copy/manifest.json" "$tmp/full/manifest.json" || fail "manifest differs"
diff <(ls "$tmp/copy/objects") <(ls "$tmp/full/objects") || fail "artifacts not copied"
echo "ok   0 relocated, $reused reused; artifacts copied"

echo "== 3. a changed object"
mkdir -p "$tmp/changed"
cp "$repl" "$tmp/changed/$(basename "$other")"
objs2=("$x86" "$arm" "$tmp/changed/$(basename "$other")")
"$corelink" batch "${objs2[@]}" --btfhub "$tmp/hub" -o "$tmp/inc" --jobs 2 --previous "$tmp/inc/manifest.json" \
	2> "$tmp/ch.err" || fail "batch with a changed object"
read -r relocated reused entries <<< "$(summary "$tmp/ch.err")"
# every kernel relocates the changed object; the arch_probe entries (one per kernel) are reused
[ "$relocated" = "$total" ] && [ "$entries" = "$total" ] ||
	fail "changed object: expected $total kernels relocated and $total entries reused, got $relocated/$entries"
"$corelink" batch "${objs2[@]}" --btfhub "$tmp/hub" -o "$tmp/full2" --jobs 2 -q || fail "full batch 2"
cmp "$tmp/inc/manifest.json" "$tmp/full2/manifest.json" || fail "changed object: manifest differs from a full run"
echo "ok   changed object relocated on all $total kernels, $entries other entries reused; == full run"

echo "== 4. another version / --strip-debug: no reuse"
sed 's/"generator": "corelink [^"]*"/"generator": "corelink 0.0.0-old"/' "$tmp/full/manifest.json" > "$tmp/full/old.json"
"$corelink" batch "${objs[@]}" --btfhub "$tmp/hub" -o "$tmp/v" --jobs 2 --previous "$tmp/full/old.json" 2> "$tmp/v.err" ||
	fail "batch with an old previous manifest"
read -r relocated reused entries <<< "$(summary "$tmp/v.err")"
[ "$relocated" = "$total" ] && [ "$entries" = 0 ] || fail "old version reused: $(summary "$tmp/v.err")"
"$corelink" batch "${objs[@]}" --btfhub "$tmp/hub" -o "$tmp/s" --jobs 2 --strip-debug --previous "$tmp/full/manifest.json" \
	2> "$tmp/s.err" || fail "--strip-debug with previous"
read -r relocated reused entries <<< "$(summary "$tmp/s.err")"
[ "$relocated" = "$total" ] && [ "$entries" = 0 ] || fail "--strip-debug reused: $(summary "$tmp/s.err")"
"$corelink" batch "${objs[@]}" --btfhub "$tmp/hub" -o "$tmp/l" --jobs 2 --libbpf 1.1 --previous "$tmp/full/manifest.json" \
	2> "$tmp/l.err" || fail "--libbpf 1.1 with previous"
read -r relocated reused entries <<< "$(summary "$tmp/l.err")"
[ "$relocated" = "$total" ] && [ "$entries" = 0 ] || fail "--libbpf 1.1 reused 1.7's: $(summary "$tmp/l.err")"
grep -q '"libbpf": "1.1"' "$tmp/l/manifest.json" || fail "--libbpf 1.1 not recorded"
echo "ok   other generator, --strip-debug, --libbpf 1.1: $total relocated, 0 reused each"

echo "== 5. a damaged artifact is not reused"
a=$(ls "$tmp/full/objects" | head -1)
cp -r "$tmp/full" "$tmp/dmg"
printf 'x' >> "$tmp/dmg/objects/$a"
"$corelink" batch "${objs[@]}" --btfhub "$tmp/hub" -o "$tmp/d2" --jobs 2 --previous "$tmp/dmg/manifest.json" 2> "$tmp/d.err" ||
	fail "batch with a damaged previous artifact"
read -r relocated reused entries <<< "$(summary "$tmp/d.err")"
[ "$relocated" -ge 1 ] || fail "a damaged artifact was reused"
cmp "$tmp/d2/manifest.json" "$tmp/full/manifest.json" || fail "manifest differs after a damaged artifact"
cmp "$tmp/d2/objects/$a" "$tmp/full/objects/$a" || fail "the damaged artifact was copied"
echo "ok   damaged artifact: $relocated kernel(s) relocated again, result == full run"
# in place: the damaged file is rewritten
"$corelink" batch "${objs[@]}" --btfhub "$tmp/hub" -o "$tmp/dmg" --jobs 2 -q --previous "$tmp/dmg/manifest.json" ||
	fail "in-place batch with a damaged artifact"
cmp "$tmp/dmg/objects/$a" "$tmp/full/objects/$a" || fail "the damaged artifact was not rewritten in place"
echo "ok   in place: the damaged artifact rewritten"
echo "incremental: all checks passed"
