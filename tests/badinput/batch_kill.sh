#!/usr/bin/env bash
# Interrupted and concurrent batches (ctest label badinput; issue 13).
#   batch_kill.sh CORELINK BPF_DIR [KILLS]
# 1. A batch (3 objects x every synthetic target kernel, --tree, --report) is
#    killed with SIGKILL after a delay that grows from 0 to past the length
#    of a whole run (plus jitter), KILLS times; half of the time it is killed
#    a second time on its way.  Then it is run again to the end.  The output
#    directory and the report must then be identical to an uninterrupted
#    run's (manifest, artifacts, tree links, report) and hold no temporary
#    file.
# 2. While the output directory is locked by another process (a batch that
#    runs, stood in for by flock(1) on the directory), a batch refuses with
#    exit 2 and the lock message, writing nothing; two batches started
#    together into one directory each exit 0 or refuse that way, and the
#    result is the uninterrupted run's.
# 3. Temporaries of dead writers (made by hand) are removed by the next
#    batch, a live writer's (flock held) and other files are kept.
set -uo pipefail
corelink=$1 bpf=$2 kills=${3:-40}
[ -x "$corelink" ] || { echo "SKIP: $corelink not built"; exit 77; }
objs=("$bpf/core_arrays.bpf.o" "$bpf/core_bitfields.bpf.o" "$bpf/core_misc.bpf.o")
for f in "${objs[@]}"; do [ -f "$f" ] || { echo "SKIP: $f not built"; exit 77; }; done
kargs=()
for t in "$bpf"/targets/*.o; do
	kargs+=(--btf "$t" --btf-name "syn/1/x86_64/$(basename "$t" .o)")
done
[ ${#kargs[@]} -ge 20 ] || { echo "SKIP: synthetic targets not built"; exit 77; }
command -v flock >/dev/null || { echo "SKIP: flock(1) missing"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

batch() { # OUTDIR REPORT [extra args]
	local out=$1 rep=$2
	shift 2
	"$corelink" batch "${objs[@]}" "${kargs[@]}" -o "$out" --tree --report "$rep" -q --jobs 2 "$@"
}

# the same result as the reference: every file and link, byte for byte
same_as_ref() { # OUTDIR REPORT
	diff -r --no-dereference "$tmp/ref" "$1" >/dev/null && cmp -s "$tmp/ref.md" "$2"
}
temporaries() { # DIR: files of the writers' ".NAME.XXXXXX" pattern
	find "$1" -name '.*.??????' -type f 2>/dev/null | wc -l
}

t0=$(date +%s%N)
batch "$tmp/ref" "$tmp/ref.md" || { echo "FAIL: the reference batch failed"; exit 1; }
t1=$(date +%s%N)
run_us=$(( (t1 - t0) / 1000 ))
[ "$run_us" -gt 1000 ] || run_us=1000
n_art=$(ls "$tmp/ref/objects" | wc -l)
[ "$n_art" -gt 1 ] || { echo "FAIL: the reference batch stored $n_art artifact(s)"; exit 1; }
[ "$(temporaries "$tmp/ref")" -eq 0 ] || fail "an uninterrupted batch left temporaries"
echo "one batch: ${#objs[@]} objects x $(( ${#kargs[@]} / 4 )) kernels, $n_art artifacts, ${run_us} us"

# ---- 1. killed at growing delays, then run again ----
n_partial=0 n_tmp=0 n_twice=0
kill_after() { # DELAY_US OUTDIR REPORT
	# corelink itself in the background (not a subshell running it), so the kill reaches it
	"$corelink" batch "${objs[@]}" "${kargs[@]}" -o "$2" --tree --report "$3" -q --jobs 2 >/dev/null 2>&1 &
	local pid=$!
	sleep "$(printf '%d.%06d' $(( $1 / 1000000 )) $(( $1 % 1000000 )))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
for i in $(seq 1 "$kills"); do
	out=$tmp/out rep=$tmp/out.md
	rm -rf "$out" "$rep"
	# from 0 to 1.3 runs, plus up to 1/10 of a run of jitter
	delay=$(( run_us * 13 * (i - 1) / (10 * kills) + (RANDOM * 32768 + RANDOM) % (run_us / 10 + 1) ))
	kill_after "$delay" "$out" "$rep"
	if [ $((i % 2)) -eq 0 ]; then
		kill_after $(( (RANDOM * 32768 + RANDOM) % (run_us + 1) )) "$out" "$rep"
		n_twice=$((n_twice + 1))
	fi
	[ -f "$out/manifest.json" ] || n_partial=$((n_partial + 1))
	n_tmp=$((n_tmp + $(temporaries "$out")))
	if ! batch "$out" "$rep" >/dev/null 2>"$tmp/err"; then
		fail "kill $i (after ${delay} us): the batch run again failed: $(head -c 300 "$tmp/err")"
		continue
	fi
	same_as_ref "$out" "$rep" || fail "kill $i (after ${delay} us): the result differs from an uninterrupted run's"
	t=$(temporaries "$out")
	[ "$t" -eq 0 ] || fail "kill $i (after ${delay} us): $t temporary file(s) left after the run again"
done
echo "$kills kills ($n_twice of them killed twice): $n_partial left no manifest yet; $n_tmp temporary file(s) seen between kill and rerun, none after the rerun"

# ---- 2. one writer per output directory ----
out=$tmp/locked
mkdir -p "$out"
flock -n "$out" -c "'$corelink' batch ${objs[0]} ${kargs[*]:0:4} -o '$out' -q" >/dev/null 2>"$tmp/err"
rc=$?
want="corelink: $out: another run is writing to this output directory; try again when it has finished"
if [ "$rc" -ne 2 ] || [ "$(cat "$tmp/err")" != "$want" ]; then
	fail "a batch into a locked directory: exit $rc, stderr: $(cat "$tmp/err")"
fi
[ -z "$(ls -A "$out")" ] || fail "a batch into a locked directory wrote: $(ls -A "$out")"

n_refused=0
for i in $(seq 1 6); do
	out=$tmp/both
	rm -rf "$out" "$tmp"/both*.md
	batch "$out" "$tmp/both1.md" >/dev/null 2>"$tmp/err1" & p1=$!
	batch "$out" "$tmp/both2.md" >/dev/null 2>"$tmp/err2" & p2=$!
	wait "$p1"; rc1=$?
	wait "$p2"; rc2=$?
	ok=0
	for k in 1 2; do
		rc=rc$k
		if [ "${!rc}" -eq 0 ]; then
			ok=$((ok + 1))
			cmp -s "$tmp/ref.md" "$tmp/both$k.md" || fail "concurrent $i: batch $k's report differs"
		elif [ "${!rc}" -eq 2 ] && [ "$(cat "$tmp/err$k")" = "corelink: $out: another run is writing to this output directory; try again when it has finished" ]; then
			n_refused=$((n_refused + 1))
		else
			fail "concurrent $i: batch $k: exit ${!rc}: $(head -c 300 "$tmp/err$k")"
		fi
	done
	[ "$ok" -ge 1 ] || fail "concurrent $i: neither batch succeeded"
	diff -r --no-dereference "$tmp/ref" "$out" >/dev/null || fail "concurrent $i: the output directory differs from an uninterrupted run's"
	[ "$(temporaries "$out")" -eq 0 ] || fail "concurrent $i: temporaries left"
done
echo "6 pairs of concurrent batches: $n_refused refused (the rest did not overlap), every result the reference"
# ---- 3. stale temporaries: a dead writer's are removed, a live one's kept ----
# (a SIGKILL between naming a temporary and renaming it leaves one; that
# window is short, so part 1 rarely sees one: made here by hand)
out=$tmp/stale
cp -r "$tmp/ref" "$out"
art=$(ls "$out/objects" | head -1)
echo dead >"$out/objects/.$art.Ab12Cd"
echo dead >"$out/.manifest.json.xY34zW"
echo live >"$out/objects/.$art.Live99"
echo user >"$out/objects/.notes.txt"
flock "$out/objects/.$art.Live99" -c "'$corelink' batch ${objs[*]} ${kargs[*]} -o '$out' --tree --report '$tmp/stale.md' -q" \
	>/dev/null 2>"$tmp/err" || fail "batch over stale temporaries: $(head -c 300 "$tmp/err")"
[ ! -e "$out/objects/.$art.Ab12Cd" ] && [ ! -e "$out/.manifest.json.xY34zW" ] ||
	fail "a dead writer's temporaries were not removed"
[ -e "$out/objects/.$art.Live99" ] || fail "a live writer's temporary (flock held) was removed"
[ -e "$out/objects/.notes.txt" ] || fail "a file not of the temporaries' pattern was removed"
rm -f "$out/objects/.$art.Live99" "$out/objects/.notes.txt"
same_as_ref "$out" "$tmp/stale.md" || fail "batch over stale temporaries: result differs"
echo "stale temporaries: a dead writer's 2 removed, a live writer's and a user's file kept"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ok"
