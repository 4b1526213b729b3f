#!/bin/bash
# Usage: gen_kernels.sh BTFDB_BINARY BTFHUB_DIR GEN_KERNELS_SCRIPT
# scripts/gen-kernels writes kernels that btfdb stores as it stores real
# ones: one release of each series style (stable from an Android base,
# renumber from a Kylin base, reorder from a Debian base) is valid BTF for
# bpftool (when present), btfdb keeps every one in shared form (not "raw": a
# generator that wrote a second copy of a name made btfdb store every
# generated kernel whole, which the scale bench then measured), and each
# extracts byte-identical.  A reorder release really has another type order.
set -u
B=$1
H=$2
GEN=$3
bases="android/common-android12-5.10/arm64/a12-5.10-2021-09-arm64
kylin/V10/aarch64/4.19.90-24.4.v2101.ky10.aarch64
debian/12/x86_64/6.1.0-47-amd64"
. "$(dirname "$0")/common.sh"
# shellcheck disable=SC2086
need_btfhub $bases

srcs=()
for b in $bases; do srcs+=("$H/$b.btf.tar.xz"); done
BTFHUB_DIR=$H "$GEN" --count 3 --out "$T/gen" "${srcs[@]}" 2> "$T/gen.log" || {
	cat "$T/gen.log"; echo "gen-kernels failed"; exit 1; }
for style in stable renumber reorder; do
	grep -q "1 x $style" "$T/gen.log" && ok || bad "no $style release generated: $(cat "$T/gen.log")"
done
mapfile -t gen < <(find "$T/gen" -name '*-gen*.btf' | sort)
[ ${#gen[@]} = 3 ] && ok || bad "want 3 generated kernels, got ${#gen[@]}"
if command -v bpftool > /dev/null; then
	for g in "${gen[@]}"; do
		bpftool btf dump file "$g" format raw > /dev/null 2>&1 && ok || bad "bpftool refuses $g"
	done
else
	echo "note: bpftool is missing: the generated blobs are not checked by it"
fi
"$B" build -q "${srcs[@]}" "$T/gen" -o "$T/db" || { echo "btfdb build failed"; exit 1; }
"$B" ls "$T/db" > "$T/ls"
[ "$(grep -c -- '-gen' "$T/ls")" = 3 ] && ok || bad "the database does not list the 3 generated kernels"
if grep -q ' raw$' "$T/ls"; then bad "kernels stored raw (not in shared form): $(grep ' raw$' "$T/ls")"
else ok; fi
for g in "${gen[@]}"; do
	k=$(basename "$g" .btf)
	"$B" extract -q "$T/db" "$k" -o "$T/x.btf" && cmp -s "$T/x.btf" "$g" && ok ||
		bad "$k: extract differs from the generated blob"
done
# a blob that does name a type by a second copy of its string (what the
# generator once wrote) is stored raw, and add says so and why
python3 - "${gen[0]}" "$T/dup.btf" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
hl, to, tl, so, sl = struct.unpack_from("<IIIII", b, 4)
t0 = hl + to                       # type [1]: its name, as a second copy
name_off = struct.unpack_from("<I", b, t0)[0]
strs = b[hl + so:hl + so + sl]
name = bytes(strs[name_off:strs.index(0, name_off)]) if name_off else b"dup_name"
if not name_off:
    strs += name + b"\0"
struct.pack_into("<I", b, t0, len(strs))
strs += name + b"\0"
out = b[:hl + so] + strs
struct.pack_into("<I", out, 20, len(strs))
open(sys.argv[2], "wb").write(out)
PY
cp "$T/db" "$T/db2"
out=$("$B" add "$T/db2" "$T/dup.btf" 2>&1)
if echo "$out" | grep -q "dup (stored raw, its whole compressed blob: a name offset is not the first copy of its string)"; then ok
else bad "add of a blob naming a type by a second copy of its string: $out"; fi
"$B" ls "$T/db2" | grep -q '^dup .* raw$' && ok || bad "ls does not show dup as raw"
"$B" extract -q "$T/db2" dup -o "$T/x.btf" && cmp -s "$T/x.btf" "$T/dup.btf" && ok ||
	bad "dup: extract differs"
# the reorder release's types come in another order than its base's
tar -xJOf "$H/debian/12/x86_64/6.1.0-47-amd64.btf.tar.xz" > "$T/deb.btf"
r=$(find "$T/gen" -path '*debian*' -name '*-gen*.btf')
if [ -n "$r" ] && [ "$(head -c 4000 "$T/deb.btf" | tail -c 2000 | xxd -p)" != "$(head -c 4000 "$r" | tail -c 2000 | xxd -p)" ]; then ok
else bad "the reorder release starts as its base does"; fi
finish
