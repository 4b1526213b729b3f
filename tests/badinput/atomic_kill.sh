#!/usr/bin/env bash
# Output atomicity under SIGKILL (ctest label badinput).
#   atomic_kill.sh CORELINK OBJ TARGET [ITERATIONS]
# A previous output file exists; corelink is killed with SIGKILL at random
# moments while relocating/writing.  After every kill the output must be
# either the previous bytes or the complete new bytes, never a mix or a
# truncation.  A killed process cannot clean up its temporary file
# (corelink_write_file_atomic: "<dir>/.<name>.XXXXXX"); those are counted
# and removed between iterations, and reported.  A normal run must leave none.
set -euo pipefail
corelink=$1 obj=$2 target=$3 iters=${4:-50}
[ -x "$corelink" ] || { echo "SKIP: $corelink not built"; exit 77; }
[ -f "$obj" ] && [ -f "$target" ] || { echo "SKIP: test objects not built"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
out=$tmp/out.o

"$corelink" "$obj" --btf "$target" -o "$tmp/new.o" -q 2>/dev/null || "$corelink" "$obj" --btf "$target" -o "$tmp/new.o"
leftover=$(find "$tmp" -name '.*' -type f | wc -l)
[ "$leftover" -eq 0 ] || { echo "FAIL: a successful run left $leftover temporary file(s)"; exit 1; }
head -c 5000 /dev/urandom >"$tmp/old.o"
cmp -s "$tmp/old.o" "$tmp/new.o" && { echo "FAIL: old and new outputs equal"; exit 1; }

# calibrate: how long one run takes (microseconds)
t0=$(date +%s%N)
"$corelink" "$obj" --btf "$target" -o "$tmp/cal.o" >/dev/null 2>&1
t1=$(date +%s%N)
run_us=$(( (t1 - t0) / 1000 ))
[ "$run_us" -gt 0 ] || run_us=1000
echo "one run takes ${run_us} us; killing at random moments in [0, $((run_us * 12 / 10))] us"

n_old=0 n_new=0 n_tmp=0
for i in $(seq 1 "$iters"); do
  cp "$tmp/old.o" "$out"
  "$corelink" "$obj" --btf "$target" -o "$out" >/dev/null 2>&1 &
  pid=$!
  delay_us=$(( (RANDOM * 32768 + RANDOM) % (run_us * 12 / 10 + 1) ))
  sleep "$(printf '0.%06d' "$delay_us")"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if cmp -s "$out" "$tmp/old.o"; then
    n_old=$((n_old + 1))
  elif cmp -s "$out" "$tmp/new.o"; then
    n_new=$((n_new + 1))
  else
    echo "FAIL: iteration $i (kill after ${delay_us} us): output is neither the old nor the new file ($(stat -c %s "$out") bytes)"
    exit 1
  fi
  t=$(find "$tmp" -maxdepth 1 -name '.out.o.*' -type f | wc -l)
  n_tmp=$((n_tmp + t))
  find "$tmp" -maxdepth 1 -name '.out.o.*' -type f -delete
done
echo "$iters kills: $n_old left the old file, $n_new the new file; $n_tmp temporary file(s) left by killed runs (expected: SIGKILL cannot be cleaned up)"
