#!/usr/bin/env bash
# Differential test of the btfdb path: for every kernel K (BTFHub tree + the
# running kernel) and every test object O (both byte orders):
#   corelink O --btf K.btf        (K's source blob, decompressed once)
#   corelink O --db DB --kernel K (the same kernel from a database of all)
# must give the same exit code, the same -v relocation lines and, on
# success, byte-identical output objects.
set -uo pipefail
corelink=$1 btfdb=$2 bpfdir=$3 btfhub=$4 work=$5

rm -rf "$work" && mkdir -p "$work/raw" "$work/out"
srcs=()
names=()
if [ -d "$btfhub" ]; then
  while IFS= read -r f; do
    rel=${f#"$btfhub"/}
    name=${rel%.btf.tar.xz}
    mkdir -p "$work/raw/$(dirname "$name")"
    tar -xJOf "$f" > "$work/raw/$name.btf" || { echo "dbdiff: cannot extract $f"; exit 1; }
    names+=("$name")
  done < <(find "$btfhub" -name '*.btf.tar.xz' | sort)
  srcs+=("$btfhub")
else
  echo "dbdiff: $btfhub absent: BTFHub part skipped"
fi
if [ -r /sys/kernel/btf/vmlinux ]; then
  running="running/$(uname -r)"
  mkdir -p "$work/raw/running"
  cat /sys/kernel/btf/vmlinux > "$work/raw/$running.btf"
  names+=("$running")
fi
if [ ${#names[@]} -eq 0 ]; then
  echo "SKIP: no kernels (no $btfhub, no /sys/kernel/btf/vmlinux)"
  exit 77
fi

db=$work/kernels.btfdb
if [ ${#srcs[@]} -gt 0 ]; then
  "$btfdb" build "${srcs[@]}" -o "$db" >/dev/null || { echo "dbdiff: btfdb build failed"; exit 1; }
  [ -n "${running:-}" ] && { "$btfdb" add "$db" "$work/raw/$running.btf" --name "$running" >/dev/null || exit 1; }
else
  "$btfdb" build "$work/raw/$running.btf" --name "$running" -o "$db" >/dev/null || exit 1
fi

objs=("$bpfdir"/*.bpf.o "$bpfdir"/*.bpfeb.o)
pass=0 fail=0 ok=0 relofail=0
for name in "${names[@]}"; do
  for o in "${objs[@]}"; do
    b=$(basename "$o")
    a_out=$work/out/a.o b_out=$work/out/b.o
    rm -f "$a_out" "$b_out"
    "$corelink" "$o" --btf "$work/raw/$name.btf" -o "$a_out" -v > "$work/out/a.txt" 2>/dev/null
    rc_a=$?
    "$corelink" "$o" --db "$db" --kernel "$name" -o "$b_out" -v > "$work/out/b.txt" 2>/dev/null
    rc_b=$?
    why=""
    if [ $rc_a -ne $rc_b ]; then
      why="exit codes differ: --btf $rc_a, --db $rc_b"
    elif ! cmp -s "$work/out/a.txt" "$work/out/b.txt"; then
      why="relocation lines differ: $(diff "$work/out/a.txt" "$work/out/b.txt" | head -4 | tr '\n' ' ')"
    elif [ $rc_a -eq 0 ] && ! cmp -s "$a_out" "$b_out"; then
      why="output objects differ"
    fi
    if [ -n "$why" ]; then
      echo "MISMATCH $name $b: $why"
      fail=$((fail + 1))
    else
      pass=$((pass + 1))
      if [ $rc_a -eq 0 ]; then ok=$((ok + 1)); else relofail=$((relofail + 1)); fi
    fi
  done
done
echo "dbdiff: ${#names[@]} kernels x ${#objs[@]} objects: $ok identical outputs, $relofail identical failures, $fail mismatched"
if [ $ok -eq 0 ]; then
  echo "dbdiff: no pair relocated successfully: the comparison proved nothing"
  fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
