#!/usr/bin/env bash
# Output atomicity under SIGKILL (ctest label badinput).
#   atomic_kill.sh CORELINK OBJ TARGET [ITERATIONS]
# A previous output file exists; corelink is killed with SIGKILL at random
# moments while relocating/writing.  After every kill the output must be
# either the previous bytes or the complete new bytes, never a mix or a
# truncation.  The bytes are written to an unnamed file (O_TMPFILE) that is
# named "<dir>/.<name>.XXXXXX" only just before the rename, so a killed run
# rarely leaves a temporary; the next run writing the same output removes
# those of dead writers: after every kill the output is written again, and
# then no temporary may remain.  Finally, hand-made temporaries: a dead
# writer's is removed, a live one's (flock held) and other files are kept.
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

# calibrate: how long one run takes (microseconds; the shortest of 5, so
# that a slow first run does not push most kills past the end)
run_us=
for c in 1 2 3 4 5; do
  t0=$(date +%s%N)
  "$corelink" "$obj" --btf "$target" -o "$tmp/cal.o" >/dev/null 2>&1
  t1=$(date +%s%N)
  us=$(( (t1 - t0) / 1000 ))
  [ -n "$run_us" ] && [ "$run_us" -le "$us" ] || run_us=$us
done
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
  "$corelink" "$obj" --btf "$target" -o "$out" >/dev/null 2>&1 ||
    { echo "FAIL: iteration $i: the run after the kill failed"; exit 1; }
  cmp -s "$out" "$tmp/new.o" || { echo "FAIL: iteration $i: the run after the kill wrote other bytes"; exit 1; }
  t=$(find "$tmp" -maxdepth 1 -name '.out.o.*' -type f | wc -l)
  [ "$t" -eq 0 ] || { echo "FAIL: iteration $i: $t temporary file(s) left after the next run"; exit 1; }
done
echo "$iters kills: $n_old left the old file, $n_new the new file; $n_tmp temporary file(s) left by killed runs, none after the next run"

echo dead >"$tmp/.out.o.Ab12Cd"
echo live >"$tmp/.out.o.Live99"
echo user >"$tmp/.out.o.txt"
command -v flock >/dev/null || { echo "SKIP: flock(1) missing for the stale-temporary check"; exit 77; }
flock "$tmp/.out.o.Live99" "$corelink" "$obj" --btf "$target" -o "$out" >/dev/null 2>&1 ||
  { echo "FAIL: a run over stale temporaries failed"; exit 1; }
[ ! -e "$tmp/.out.o.Ab12Cd" ] || { echo "FAIL: a dead writer's temporary was not removed"; exit 1; }
[ -e "$tmp/.out.o.Live99" ] || { echo "FAIL: a live writer's temporary (flock held) was removed"; exit 1; }
[ -e "$tmp/.out.o.txt" ] || { echo "FAIL: a file not of the temporaries' pattern was removed"; exit 1; }
echo "stale temporaries: a dead writer's removed, a live writer's and a user's file kept"
