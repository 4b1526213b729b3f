#!/bin/bash
# Usage: kill.sh BTFDB_BINARY BTFHUB_DIR
# Interrupted, concurrent and failing database writes (issue 13):
#  1. `btfdb add`, `rm`, `compact` and `build` killed with SIGKILL after
#     increasing delays (from before the first write to after the rename):
#     the database verifies afterwards, lists exactly the old or the new set
#     of kernels, and no temporary file is left next to it;
#  2. readers (`btfdb ls`, `btfdb verify`) in a loop while add/rm/compact
#     run: every read succeeds and sees the old or the new set;
#  3. two `btfdb add` of different kernels at the same time: both kernels end
#     up in the database (writers are serialized);
#  4. a full disk (RLIMIT_FSIZE): exit 2, a clear message, the old database
#     byte for byte, no temporary file;
#  5. `btfdb add` (which appends in place) killed on entry to each of its
#     writing system calls (strace fault injection: every pwrite64, the
#     ftruncate, both fdatasync), and a torn header slot: the old set until
#     the header is written, the new one after; the file verifies.
# KILL_POINTS (default 16) sets the number of timed kill points per command.
# Under scripts/sanitize (CORELINK_SANITIZED=1) the binaries run ~8x slower:
# 6 timed points and, for the system calls, the first and last pwrite64 and
# every other one between (the ftruncate and both fdatasync always).
set -u
B=$1
H=$2
K1=kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64
K2=vm/6.18/x86_64/6.18.44-fc-v445
K3=kylin/V10/aarch64/4.19.90-24.4.v2101.ky10.aarch64
. "$(dirname "$0")/common.sh"
need_btfhub "$K1" "$K2" "$K3"
names() { "$B" ls "$1" 2>&1 | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' '; }
# DIR WHAT [ALLOW]: nothing but the database; with ALLOW, a killed writer's
# temporary (".db.XXXXXX", named only just before its rename) may remain
no_tmp() {
	local left
	left=$(ls -A "$1" | grep -v -x -e db | { [ -n "${3:-}" ] && grep -v -x -E '\.db\.[A-Za-z0-9]{6}' || cat; } |
	       tr '\n' ' ')
	[ -z "$left" ] || { bad "$2: left behind: $left"; return 1; }
}

# sources as raw .btf (no decompression inside the timed window)
for k in 1 2 3; do
	eval "tar -xJOf \"\$H/\$K$k.btf.tar.xz\" > \"\$T/src$k.btf\""
done
"$B" build -q "$T/src1.btf" -o "$T/base1" || { echo "build failed"; exit 1; }
cp "$T/base1" "$T/base12"
"$B" add -q "$T/base12" "$T/src2.btf" || { echo "add failed"; exit 1; }
S1=$(names "$T/base1")
S12=$(names "$T/base12")
[ "$S1" = "src1 " ] && [ "$S12" = "src1 src2 " ] || { echo "bad base sets: '$S1' '$S12'"; exit 1; }

# how long an uninterrupted add takes: the kill delays cover 0 .. 1.3x that
cp "$T/base1" "$T/db"
t0=$(date +%s%N)
"$B" add -q "$T/db" "$T/src2.btf"
full_ns=$(($(date +%s%N) - t0))

# 1. SIGKILL at increasing delays ---------------------------------------------
if [ "${CORELINK_SANITIZED:-0}" = 1 ]; then POINTS=${KILL_POINTS:-6}; else POINTS=${KILL_POINTS:-16}; fi
killrun() { # NAME BASE OLDSET NEWSET CMD...: one kill point per delay
	local name=$1 base=$2 old=$3 new=$4 i d got seen_old=0 seen_new=0
	shift 4
	for i in $(seq 0 $POINTS); do
		d=$((full_ns * 13 / 10 * i / POINTS))
		mkdir -p "$T/k" && rm -f "$T/k/db" && cp "$T/$base" "$T/k/db"
		(cd "$T/k" && exec "$@") >/dev/null 2>&1 &
		local pid=$!
		# the last point is not killed: the uninterrupted run (new set)
		if [ "$i" -lt "$POINTS" ]; then
			perl -e "select(undef, undef, undef, $d / 1e9)"
			kill -9 $pid 2>/dev/null
		fi
		wait $pid 2>/dev/null
		if ! "$B" verify "$T/k/db" >/dev/null 2>&1; then
			bad "$name killed after $((d / 1000000)) ms: database does not verify"
			continue
		fi
		got=$(names "$T/k/db")
		if [ "$got" = "$old" ] && [ "$got" = "$new" ]; then seen_old=1 seen_new=1
		elif [ "$got" = "$old" ]; then seen_old=1
		elif [ "$got" = "$new" ]; then seen_new=1
		else bad "$name killed after $((d / 1000000)) ms: kernels '$got'"; continue; fi
		no_tmp "$T/k" "$name killed after $((d / 1000000)) ms" allow && ok
	done
	# the next write removes what killed writers left (no flock held on it)
	"$B" compact "$T/k/db" && no_tmp "$T/k" "$name: after the next write" && ok
	rm -rf "$T/k"
	# both ends were reached: a kill before anything was written, and the run
	# that finished (else the delays tested nothing)
	[ $seen_old = 1 ] && [ $seen_new = 1 ] && ok ||
		bad "$name: kill points did not cover both the old and the new database"
}
killrun add base1 "$S1" "$S12" "$B" add -q db "$T/src2.btf"
killrun rm base12 "$S12" "$S1" "$B" rm -q db src2
# compact keeps the set: the database must verify and list it at every point
killrun compact base12 "$S12" "$S12" "$B" compact db 2>/dev/null
# build into an existing path: old or new, never torn
killrun build base12 "$S12" "$S1" "$B" build -q "$T/src1.btf" -o db

# 2. readers while add / rm / compact run -------------------------------------
cp "$T/base1" "$T/db"
rm -f "$T/reader.bad"
(
	end=$((SECONDS + 600))
	while [ ! -f "$T/stop" ] && [ $SECONDS -lt $end ]; do
		got=$(names "$T/db")
		if [ "$got" != "$S1" ] && [ "$got" != "$S12" ]; then echo "ls saw '$got'" >> "$T/reader.bad"; fi
		"$B" verify "$T/db" > "$T/verify.out" 2>&1 || cat "$T/verify.out" >> "$T/reader.bad"
		echo x >> "$T/reads.out"
	done
) &
rpid=$!
for i in 1 2 3; do
	"$B" add -q "$T/db" "$T/src2.btf" || bad "add under readers"
	"$B" compact "$T/db" || bad "compact under readers"
	"$B" rm -q "$T/db" src2 || bad "rm under readers"
done
touch "$T/stop"
wait $rpid
reads=$(wc -l < "$T/reads.out")
if [ -s "$T/reader.bad" ]; then bad "readers saw a torn database: $(head -3 "$T/reader.bad")"
elif [ "$reads" -lt 2 ]; then bad "readers ran only $reads times"
else ok; fi
rm -f "$T/stop" "$T/reads.out" "$T/verify.out"

# 3. two writers at once: serialized, both kernels end up in the database ------
cp "$T/base1" "$T/db"
"$B" add -q "$T/db" "$T/src2.btf" & p1=$!
"$B" add -q "$T/db" "$T/src3.btf" & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
got=$(names "$T/db")
[ $r1 = 0 ] && [ $r2 = 0 ] && [ "$got" = "src1 src2 src3 " ] && ok ||
	bad "concurrent adds: exit $r1/$r2, kernels '$got'"

# 4. full disk (RLIMIT_FSIZE; SIGXFSZ ignored so that write() fails) -----------
for cmd in "add -q db $T/src3.btf" "compact db" "rm -q db src1"; do
	cp "$T/base12" "$T/d2" && rm -rf "$T/f" && mkdir -p "$T/f" && cp "$T/base12" "$T/f/db"
	out=$(cd "$T/f" && trap '' XFSZ && ulimit -f 64 && exec "$B" $cmd 2>&1)
	r=$?
	if [ $r != 2 ]; then bad "full disk, $cmd: exit $r, want 2 ($out)"
	elif ! echo "$out" | grep -q "db: .*File too large (the file is left as it was)"; then
		bad "full disk, $cmd: message: $out"
	elif ! cmp -s "$T/f/db" "$T/d2"; then bad "full disk, $cmd: the database changed"
	else no_tmp "$T/f" "full disk, $cmd" && ok; fi
done
rm -f "$T/d2"

# 5. add killed at each writing system call (deterministic kill points) ------
if command -v strace > /dev/null && strace -f -o /dev/null true 2>/dev/null; then
	mkdir -p "$T/s"
	cp "$T/base1" "$T/s/db"
	strace -f -qq -o "$T/s/trace" -e trace=pwrite64,ftruncate,fdatasync "$B" add -q "$T/s/db" "$T/src2.btf"
	cp "$T/s/db" "$T/s/full"
	npw=$(grep -c 'pwrite64(' "$T/s/trace")
	nsync=$(grep -c 'fdatasync(' "$T/s/trace")
	ntr=$(grep -c 'ftruncate(' "$T/s/trace")
	# the commit: the header is the last pwrite64, between the two fdatasync
	if [ "$npw" -lt 2 ] || [ "$nsync" != 2 ] || [ "$ntr" != 1 ]; then
		bad "add: unexpected system calls: $npw pwrite64, $nsync fdatasync, $ntr ftruncate"
	fi
	points=""
	step=1
	[ "${CORELINK_SANITIZED:-0}" = 1 ] && step=2
	for i in $(seq 1 "$step" "$npw"); do points="$points pwrite64:$i"; done
	[ $(((npw - 1) % step)) = 0 ] || points="$points pwrite64:$npw"
	points="$points ftruncate:1 fdatasync:1 fdatasync:2"
	for p in $points; do
		sc=${p%:*} n=${p#*:}
		cp "$T/base1" "$T/s/db"
		strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc":signal=SIGKILL:when="$n" \
			"$B" add -q "$T/s/db" "$T/src2.btf" > /dev/null 2>&1
		# before the header is written: the old set; once it is (even unsynced): the new
		want=$S1
		[ "$p" = fdatasync:2 ] && want=$S12
		if ! "$B" verify "$T/s/db" > /dev/null 2>&1; then bad "add killed at $p: does not verify"
		elif [ "$(names "$T/s/db")" != "$want" ]; then bad "add killed at $p: kernels '$(names "$T/s/db")'"
		else ok; fi
		# the killed state is still appended to: the next add commits cleanly
		if [ "$p" = "pwrite64:$npw" ]; then
			cp "$T/s/db" "$T/s/pre"
			if "$B" add -q "$T/s/db" "$T/src2.btf" && "$B" verify "$T/s/db" > /dev/null 2>&1 &&
			   [ "$(names "$T/s/db")" = "$S12" ] && cmp -s "$T/s/db" "$T/s/full"; then ok
			else bad "add after a killed add: not the same database as one uninterrupted add"; fi
		fi
	done
	# a torn header: the first 100 bytes of the new slot written, the rest not
	hlen=$(od -An -tu2 -j10 -N2 "$T/s/full" | tr -d ' ')
	cp "$T/s/pre" "$T/s/db"
	dd if="$T/s/full" of="$T/s/db" bs=1 skip="$hlen" seek="$hlen" count=100 conv=notrunc 2>/dev/null
	if cmp -s "$T/s/db" "$T/s/pre"; then bad "torn header: the new header is not in slot 1"
	elif "$B" verify "$T/s/db" > /dev/null 2>&1 && [ "$(names "$T/s/db")" = "$S1" ]; then ok
	else bad "torn header: kernels '$(names "$T/s/db")' or does not verify"; fi
	rm -rf "$T/s"
else
	echo "note: strace is missing or cannot trace here: the system-call kill points are not run"
fi

finish
