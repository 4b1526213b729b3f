#!/usr/bin/env bash
# --strip-debug, ctest batch.strip_debug (label batch;btfhub).
#
#   run_strip.sh CORELINK LLVM_STRIP LIBBPF_CHECK|- BTFHUB_DIR OBJ...
#
# 1. Single mode: for each OBJ (and the BTFHub kernels of its arch, one per
#    arch), `--strip-debug` output == `llvm-strip -g` of the normal output in
#    section names, symbol table, relocations, and the bytes of every kept
#    section but the string tables; no .debug* section is left; libbpf opens
#    it (libbpf_check open); it is smaller.
# 2. Batch: --strip-debug over BTFHub gives, for every entry, the stripped
#    form of the normal batch's artifact (sections, symbols, relocations);
#    prints the size of objects/ with and without.
set -uo pipefail
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

corelink=$1 strip=$2 check=$3 btfhub=$4
shift 4
objs=("$@")
[ -d "$btfhub" ] || skip "BTFHub test data not found at '$btfhub' (BTFHUB_DIR)"
command -v "$strip" > /dev/null || skip "llvm-strip not found"
readelf=$(command -v llvm-readelf-16 || command -v llvm-readelf || command -v readelf) || skip "no readelf"
objcopy=$(command -v llvm-objcopy-16 || command -v llvm-objcopy) || skip "no llvm-objcopy"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/corelink-strip.XXXXXX") || fail mktemp
trap 'rm -rf "$tmp"' EXIT

secs() { "$readelf" -SW "$1" | sed -nE 's/^ *\[ *[0-9]+\] ([^ ]+) .*/\1/p' | grep -v '^NULL$'; }
# same as llvm-strip -g: sections, symbols, relocations, contents (string tables aside)
# (a third argument "quick": section bytes are not compared)
same_as_llvm() {
	local mine=$1 ref=$2 quick=${3:-} s
	diff <(secs "$mine") <(secs "$ref") > /dev/null || { echo "sections: $(diff <(secs "$mine") <(secs "$ref") | tr '\n' ' ')"; return 1; }
	diff <("$readelf" -sW "$mine" | tail -n +4) <("$readelf" -sW "$ref" | tail -n +4) > /dev/null || { echo "symbols differ"; return 1; }
	diff <("$readelf" -rW "$mine" | grep -v 'at offset') <("$readelf" -rW "$ref" | grep -v 'at offset') > /dev/null ||
		{ echo "relocations differ"; return 1; }
	for s in $([ -n "$quick" ] || secs "$ref"); do
		case $s in .strtab|.shstrtab|.symtab) continue ;; esac
		"$objcopy" -O binary --only-section="$s" "$mine" "$tmp/a.bin" 2> /dev/null
		"$objcopy" -O binary --only-section="$s" "$ref" "$tmp/b.bin" 2> /dev/null
		cmp -s "$tmp/a.bin" "$tmp/b.bin" || { echo "section $s differs"; return 1; }
	done
	! secs "$mine" | grep -q '^\.debug' || { echo ".debug section left"; return 1; }
	secs "$mine" | grep -qx '.BTF' && secs "$mine" | grep -qx '.BTF.ext' || { echo ".BTF/.BTF.ext missing"; return 1; }
}

echo "== 1. single mode"
kx=$(find "$btfhub" -path '*/x86_64/*.btf.tar.xz' | sort | head -1)
ka=$(find "$btfhub" \( -path '*/arm64/*' -o -path '*/aarch64/*' \) -name '*.btf.tar.xz' | sort | head -1)
n=0
for o in "${objs[@]}"; do
	for k in $kx $ka; do
		n=$((n + 1))
		"$corelink" "$o" --btf "$k" -o "$tmp/full.o" -q || fail "$o on $k"
		"$corelink" "$o" --btf "$k" -o "$tmp/s.o" -q --strip-debug || fail "--strip-debug $o on $k"
		"$strip" -g "$tmp/full.o" -o "$tmp/ref.o" || fail "llvm-strip -g"
		why=$(same_as_llvm "$tmp/s.o" "$tmp/ref.o") || fail "$(basename "$o") on $(basename "$k"): not as llvm-strip -g: $why"
		opened="libbpf opens it"
		if [ "$check" = - ] || head -c 6 "$o" | od -An -tx1 | grep -q ' 02$'; then
			opened="big-endian: not opened with libbpf"
		else
			"$check" open "$tmp/s.o" "$o" > "$tmp/check.out" || fail "libbpf does not open the stripped $o: $(cat "$tmp/check.out")"
		fi
		full=$(stat -c %s "$tmp/full.o") small=$(stat -c %s "$tmp/s.o")
		[ "$small" -lt "$full" ] || fail "$o: stripped $small >= $full bytes"
	done
	echo "ok   $(basename "$o"): as llvm-strip -g, $opened; $full -> $small bytes (llvm-strip: $(stat -c %s "$tmp/ref.o"))"
done

echo "== 2. batch"
base=()
for o in "${objs[@]}"; do head -c 6 "$o" | od -An -tx1 | grep -q ' 02$' || base+=("$o"); done
"$corelink" batch "${base[@]}" --btfhub "$btfhub" -o "$tmp/full" --jobs 2 -q || fail "batch"
"$corelink" batch "${base[@]}" --btfhub "$btfhub" -o "$tmp/strip" --jobs 2 -q --strip-debug || fail "batch --strip-debug"
grep -q '"strip_debug": true' "$tmp/strip/manifest.json" || fail "manifest does not record strip_debug"
# entry by entry: the stripped artifact is the stripped normal artifact
paste <(grep '"artifact"' "$tmp/full/manifest.json") <(grep '"artifact"' "$tmp/strip/manifest.json") |
	sed -E 's/.*"(objects\/[0-9a-f]+\.o)".*"(objects\/[0-9a-f]+\.o)".*/\1 \2/' | sort -u > "$tmp/pairs"
[ -s "$tmp/pairs" ] || fail "no artifacts"
while read -r a b; do
	"$strip" -g "$tmp/full/$a" -o "$tmp/ref.o" || fail "llvm-strip -g $a"
	why=$(same_as_llvm "$tmp/strip/$b" "$tmp/ref.o" quick) || fail "batch artifact $b is not $a stripped: $why"
done < "$tmp/pairs"
fb=$(cat "$tmp/full/objects"/*.o | wc -c) sb=$(cat "$tmp/strip/objects"/*.o | wc -c)
nk=$(grep -c '"release"' "$tmp/full/manifest.json")
echo "ok   ${#base[@]} objects x $nk kernels: $(wc -l < "$tmp/pairs") artifact pairs as llvm-strip -g; objects/ $fb -> $sb bytes ($(awk -v a="$fb" -v b="$sb" 'BEGIN{printf "%.1f%% of", 100*b/a}') the full size; $(ls "$tmp/full/objects" | wc -l) -> $(ls "$tmp/strip/objects" | wc -l) files)"
echo "strip_debug: all checks passed"
