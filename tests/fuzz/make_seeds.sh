#!/usr/bin/env bash
# Derive the committed fuzz seed corpora (tests/fuzz/corpus/<target>/) from a
# build's test objects, so the seeds are the project's own test data.
# Usage: tests/fuzz/make_seeds.sh [BUILD_DIR]   (default: build; needs the
#        test_bpf_objects target built, and llvm-objcopy, xz, tar, python3)
# Rewrites corpus/btf, corpus/obj, corpus/relocate and corpus/bundle; leaves corpus/db
# (made from a btfdb database, see the db section below) unless btfdb exists,
# and corpus/manifest (batch manifests) unless the corelink tool exists.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
bpf=$build/tests/bpf
objcopy=$(command -v llvm-objcopy-16 || command -v llvm-objcopy)
[ -d "$bpf" ] || { echo "make_seeds: $bpf missing (build test_bpf_objects first)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# objects are stripped of DWARF: the fuzzer should spend its mutations on
# the ELF structure, .BTF and .BTF.ext, not on .debug_info
strip_dbg() { "$objcopy" --strip-debug "$1" "$2"; }
dump_btf() { "$objcopy" --dump-section .BTF="$2" "$1" /dev/null 2>/dev/null; }

rm -rf "$here/corpus/btf" "$here/corpus/obj" "$here/corpus/relocate"
mkdir -p "$here/corpus/btf" "$here/corpus/obj" "$here/corpus/relocate"

# btf: raw .BTF of every little-endian object and synthetic target, a few
# big-endian blobs (byte-swap path), two whole ELF files (ELF detection) and
# a .tar.xz holding one blob (archive path).
for o in "$bpf"/*.bpf.o "$bpf"/targets/*__base.o; do
  [ -f "$o" ] || continue
  n=$(basename "$o" .o); n=${n%.bpf}
  case $o in */targets/*) n=target_$n;; esac
  dump_btf "$o" "$here/corpus/btf/$n.btf"
done
for n in core_misc objio_basic core_enum64val; do
  [ -f "$bpf/$n.bpfeb.o" ] && dump_btf "$bpf/$n.bpfeb.o" "$here/corpus/btf/${n}_be.btf"
done
# the extended format (32-byte header, layout section, kinds btfdb does not know)
python3 "$here/ext_btf_seed.py" "$here/corpus/btf/core_nesting.btf" "$here/corpus/btf/ext_layout.btf"
strip_dbg "$bpf/core_misc.bpf.o" "$here/corpus/btf/core_misc_elf.o"
strip_dbg "$bpf/core_nesting.bpfeb.o" "$here/corpus/btf/core_nesting_be_elf.o"
cp "$here/corpus/btf/core_ptr_as_arr.btf" "$tmp/vmlinux.btf"
tar -C "$tmp" -cJf "$here/corpus/btf/core_ptr_as_arr.btf.tar.xz" vmlinux.btf

# obj: every little-endian object, and the big-endian ones of a few.
for o in "$bpf"/*.bpf.o; do strip_dbg "$o" "$here/corpus/obj/$(basename "$o")"; done
for n in core_misc core_bitfields objio_basic core_enumval; do
  [ -f "$bpf/$n.bpfeb.o" ] && strip_dbg "$bpf/$n.bpfeb.o" "$here/corpus/obj/$n.bpfeb.o"
done
# one object with its DWARF, as clang emits it
cp "$bpf/core_flavors.bpf.o" "$here/corpus/obj/core_flavors_dwarf.bpf.o"

# relocate: [u32 LE object length][object][target BTF].  Each core_<x>
# object paired with its synthetic targets (targets/<x>__base.o, and the
# first <x>___err_* one), else with the BTF of core_kernel (kernel-like types).
pair() { # obj target_blob out
  python3 - "$1" "$2" "$3" <<'PY'
import struct, sys
o = open(sys.argv[1], 'rb').read(); t = open(sys.argv[2], 'rb').read()
open(sys.argv[3], 'wb').write(struct.pack('<I', len(o)) + o + t)
PY
}
dump_btf "$bpf/core_kernel.bpf.o" "$tmp/kernel.btf"
for o in "$bpf"/core_*.bpf.o "$bpf"/objio_basic.bpf.o "$bpf"/e2e_task.bpf.o; do
  n=$(basename "$o" .bpf.o)
  strip_dbg "$o" "$tmp/o.o"
  x=${n#core_} paired=0
  for t in "$bpf/targets/${x}__base.o" $(ls "$bpf/targets/${x}___err_"*.o 2>/dev/null | head -1); do
    [ -f "$t" ] || continue
    dump_btf "$t" "$tmp/t.btf"
    pair "$tmp/o.o" "$tmp/t.btf" "$here/corpus/relocate/${n}__$(basename "$t" .o | sed 's/^.*__*//').bin"
    paired=1
  done
  [ $paired = 1 ] || pair "$tmp/o.o" "$tmp/kernel.btf" "$here/corpus/relocate/$n.bin"
done
strip_dbg "$bpf/core_misc.bpfeb.o" "$tmp/o.o"
pair "$tmp/o.o" "$tmp/kernel.btf" "$here/corpus/relocate/core_misc_be.bin"

# db: small databases written by the btfdb tool from synthetic targets
btfdb=""
for b in "$build/bin/btfdb" "$build/btfdb"; do [ -x "$b" ] && [ -f "$b" ] && btfdb=$b && break; done
if [ -n "$btfdb" ]; then
  rm -rf "$here/corpus/db"; mkdir -p "$here/corpus/db"
  t=$bpf/targets
  "$btfdb" build "$t/misc__base.o" -o "$here/corpus/db/one.btfdb" >/dev/null 2>&1
  "$btfdb" build "$t/nesting__base.o" "$t/nesting__anon_embed.o" "$t/nesting__extra_nesting.o" \
    -o "$here/corpus/db/nesting3.btfdb" >/dev/null 2>&1
  dump_btf "$bpf/core_misc.bpfeb.o" "$tmp/be.btf"
  "$btfdb" build "$tmp/be.btf" "$t/bitfields__base.o" "$t/enum64val__base.o" \
    -o "$here/corpus/db/mixed.btfdb" >/dev/null 2>&1
  # appended in place: two header slots, bytes the second generation no longer uses
  cp "$here/corpus/db/one.btfdb" "$here/corpus/db/appended.btfdb"
  "$btfdb" add -q "$here/corpus/db/appended.btfdb" "$t/nesting__base.o" >/dev/null 2>&1
else
  echo "make_seeds: no btfdb tool in $build, corpus/db left as is" >&2
fi

# manifest: batch manifests written by corelink for a few objects against
# synthetic targets (ok, poisoned with guarded/unguarded poisons, error
# entries), one of a shard, and one with odd strings (escapes, UTF-8)
corelink=$build/corelink
if [ -x "$corelink" ] && [ -f "$corelink" ]; then
  rm -rf "$here/corpus/manifest"; mkdir -p "$here/corpus/manifest"
  t=$bpf/targets
  ks=(--btf "$t/existence__base.o" --btf-name "synth/1/x86_64/existence-base"
      --btf "$t/existence__minimal.o" --btf-name "synth/1/x86_64/existence-minimal"
      --btf "$t/enumval___err_missing.o" --btf-name "synth/2/aarch64/enumval-err")
  "$corelink" batch "$bpf/core_existence.bpf.o" "$bpf/core_enumval.bpf.o" "${ks[@]}" -o "$tmp/m1" -q --jobs 1
  cp "$tmp/m1/manifest.json" "$here/corpus/manifest/two_objects.json"
  "$corelink" batch "$bpf/core_bitfields.bpf.o" --btf "$t/bitfields__base.o" \
    --btf "$t/bitfields___err_too_big_bitfield.o" -o "$tmp/m4" -q --jobs 1
  cp "$tmp/m4/manifest.json" "$here/corpus/manifest/error_entry.json"
  "$corelink" batch "$bpf/core_existence.bpf.o" "${ks[@]}" -o "$tmp/m2" -q --jobs 1 --shard 2/2
  cp "$tmp/m2/manifest.json" "$here/corpus/manifest/shard.json"
  "$corelink" batch "$bpf/e2e_task.bpf.o" --btf "$t/misc__base.o" \
    --btf-name $'odd "distro"/1\\x/\xc3\xa9\t/5.4' -o "$tmp/m3" -q --jobs 1
  cp "$tmp/m3/manifest.json" "$here/corpus/manifest/odd_strings.json"
  sed -i "s|$build/|build/|g" "$here"/corpus/manifest/*.json  # no machine paths in the seeds
else
  echo "make_seeds: no corelink tool in $build, corpus/manifest left as is" >&2
fi

# bundle: small bundles (corelink batch --bundle) of DWARF-stripped CO-RE case
# objects against a few synthetic targets (ok, poisoned and error entries)
corelink=""
for b in "$build/bin/corelink" "$build/corelink"; do [ -x "$b" ] && [ -f "$b" ] && corelink=$b && break; done
if [ -n "$corelink" ]; then
  rm -rf "$here/corpus/bundle"; mkdir -p "$here/corpus/bundle"
  t=$bpf/targets
  strip_dbg "$bpf/core_nesting.bpf.o" "$tmp/core_nesting.bpf.o"
  strip_dbg "$bpf/core_size.bpf.o" "$tmp/core_size.bpf.o"
  "$corelink" batch "$tmp/core_nesting.bpf.o" --btf "$t/nesting__base.o" --btf-name d/1/x86_64/r1 \
    --btf "$t/nesting__anon_embed.o" --btf-name d/1/x86_64/r2 -o "$tmp/b1" -q \
    --bundle "$here/corpus/bundle/nesting2.bundle"
  "$corelink" batch "$tmp/core_nesting.bpf.o" "$tmp/core_size.bpf.o" --btf "$t/nesting__base.o" --btf-name d/1/x86_64/r1 \
    --btf "$t/size__diff_offs.o" --btf-name d/2/aarch64/r2 --btf "$t/size___err_ambiguous.o" \
    --btf-name e/3/x86_64/r3 -o "$tmp/b2" -q --bundle "$here/corpus/bundle/two_objects.bundle"
  # one object built per arch (two records of one name; SKIPPED entries) + one for every arch
  mkdir -p "$tmp/x86" "$tmp/arm64"
  strip_dbg "$bpf/arch_probe.bpf.o" "$tmp/x86/arch_probe.bpf.o"
  strip_dbg "$bpf/arm64/arch_probe.bpf.o" "$tmp/arm64/arch_probe.bpf.o"
  "$corelink" batch "$tmp/x86/arch_probe.bpf.o" "$tmp/arm64/arch_probe.bpf.o" "$tmp/core_nesting.bpf.o" \
    --btf "$t/nesting__base.o" --btf-name d/1/x86_64/r1 --btf "$t/nesting__anon_embed.o" \
    --btf-name d/1/aarch64/r2 -o "$tmp/b3" -q --bundle "$here/corpus/bundle/two_arch.bundle"
else
  echo "make_seeds: no corelink tool in $build, corpus/bundle left as is" >&2
fi

du -sh "$here"/corpus/* | sed 's|^|make_seeds: |'
