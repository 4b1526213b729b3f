#!/usr/bin/env bash
# End-to-end load test in the running kernel (ctest label e2e).
#
#   run_e2e.sh --corelink BIN --loader BIN --obj E2E_TASK_OBJ
#              [--valgrind BIN [--supp FILE]] [--load-only OBJ]...
#
# 1. corelink relocates OBJ (tests/progs/e2e_task.bpf.c) for the running kernel,
#    once with the default target (/sys/kernel/btf/vmlinux) and once with --btf on
#    a copy of it: both outputs must be identical.
# 2. With kernel BTF visible, the original OBJ loads and reads correct values
#    (baseline: the program and the loader are right).
# 3. In a private mount namespace with /sys/kernel/btf hidden (and libbpf's
#    fallback vmlinux paths masked), the original OBJ must fail to load
#    ("failed to find valid kernel BTF", -ESRCH) while corelink's output loads,
#    attaches, runs and reads correct values; then once more under valgrind
#    memcheck when --valgrind is given (corelink itself runs under memcheck too).  Each --load-only object (e.g. the README
#    example) must likewise fail as is and load after corelink.
# Exits 77 (skipped) when not root, bpf() is unusable, the kernel has no BTF, or
# mount namespaces are unavailable.
set -uo pipefail

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

corelink="" loader="" obj="" valgrind="" supp="" tmp="" inner=0
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--corelink) corelink=$2; shift ;;
	--loader) loader=$2; shift ;;
	--obj) obj=$2; shift ;;
	--valgrind) valgrind=$2; shift ;;
	--supp) supp=$2; shift ;;
	--load-only) extra+=("$2"); shift ;;
	--inner) inner=1; tmp=$2; shift ;;
	*) echo "usage: $0 --corelink BIN --loader BIN --obj OBJ [--valgrind BIN [--supp FILE]] [--load-only OBJ]..." >&2
	   exit 2 ;;
	esac
	shift
done
[ -n "$loader" ] && [ -n "$obj" ] || { echo "$0: --loader and --obj are required" >&2; exit 2; }

# Fallback locations libbpf 1.1 (btf__load_vmlinux_btf) tries after /sys/kernel/btf/vmlinux.
fallback_paths() {
	local r; r=$(uname -r)
	echo "/boot/vmlinux-$r /lib/modules/$r/vmlinux-$r /lib/modules/$r/build/vmlinux" \
	     "/usr/lib/modules/$r/kernel/vmlinux /usr/lib/debug/boot/vmlinux-$r" \
	     "/usr/lib/debug/boot/vmlinux-$r.debug /usr/lib/debug/lib/modules/$r/vmlinux"
}

relocated() { echo "$tmp/$(basename "${1%.o}").relocated.o"; }

if [ $inner -eq 1 ]; then
	# Runs inside `unshare -m`: hide kernel BTF from libbpf, then load.
	mount -t tmpfs -o size=1m corelink-e2e /sys/kernel/btf || skip "cannot mount over /sys/kernel/btf"
	for p in $(fallback_paths); do
		if [ -e "$p" ]; then
			mount --bind /dev/null "$p" || fail "cannot mask $p"
		fi
	done
	[ ! -e /sys/kernel/btf/vmlinux ] || fail "/sys/kernel/btf/vmlinux still visible"
	echo "== kernel BTF hidden (tmpfs over /sys/kernel/btf)"
	echo "== original object, kernel BTF hidden: must fail"
	"$loader" --expect-no-btf "$obj" || fail "the original object did not fail as expected"
	echo "== corelink output, kernel BTF hidden: must load, run, read correct values"
	"$loader" "$(relocated "$obj")" || fail "the relocated object failed"
	for o in "${extra[@]}"; do
		echo "== $(basename "$o"): fails as is, loads after corelink"
		"$loader" --expect-no-btf "$o" || fail "$o did not fail as expected"
		"$loader" --load-only "$(relocated "$o")" || fail "relocated $o failed to load"
	done
	if [ -n "$valgrind" ]; then
		echo "== corelink output under valgrind memcheck"
		vg=("$valgrind" -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)
		[ -n "$supp" ] && vg+=(--suppressions="$supp")
		"${vg[@]}" "$loader" "$(relocated "$obj")" > /dev/null || fail "valgrind reported errors (exit $?)"
		echo "ok   valgrind memcheck clean"
	fi
	exit 0
fi

[ "$(id -u)" -eq 0 ] || skip "needs root (loads BPF programs and mounts over /sys/kernel/btf)"
[ -r /sys/kernel/btf/vmlinux ] || skip "the running kernel exposes no BTF (/sys/kernel/btf/vmlinux)"
"$loader" --probe || skip "bpf() cannot load programs here"
command -v unshare > /dev/null || skip "unshare (util-linux) not installed"
unshare -m --propagation private true 2> /dev/null || skip "cannot create a mount namespace"
[ -x "$corelink" ] || fail "corelink not found at '$corelink'"
for o in "$obj" "${extra[@]}"; do [ -r "$o" ] || fail "test object $o missing"; done
if [ -n "$valgrind" ] && ! command -v "$valgrind" > /dev/null; then
	echo "note: valgrind not found, memcheck step skipped"
	valgrind=""
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corelink-e2e.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT

echo "== corelink (default target: the running kernel)"
"$corelink" "$obj" -o "$(relocated "$obj")" -v || fail "corelink failed on $obj"
cp /sys/kernel/btf/vmlinux "$tmp/vmlinux.btf"
"$corelink" "$obj" --btf "$tmp/vmlinux.btf" -o "$tmp/with-btf.o" || fail "corelink --btf failed"
cmp "$(relocated "$obj")" "$tmp/with-btf.o" || fail "default target and --btf of the same BTF differ"
echo "ok   default target == --btf copy of /sys/kernel/btf/vmlinux"
for o in "${extra[@]}"; do
	"$corelink" "$o" -o "$(relocated "$o")" || fail "corelink failed on $o"
done
if [ -n "$valgrind" ]; then
	"$valgrind" -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
		"$corelink" "$obj" -o "$tmp/under-valgrind.o" 2> "$tmp/vg.log" ||
		{ cat "$tmp/vg.log" >&2; fail "valgrind reported errors in corelink"; }
	cmp "$(relocated "$obj")" "$tmp/under-valgrind.o" || fail "output under valgrind differs"
	echo "ok   corelink valgrind memcheck clean (no errors, no leaks)"
fi

echo "== original object, kernel BTF visible (baseline)"
"$loader" "$obj" || fail "the original object does not work even with kernel BTF"

args=(--inner "$tmp" --loader "$loader" --obj "$obj")
[ -n "$valgrind" ] && args+=(--valgrind "$valgrind")
[ -n "$supp" ] && args+=(--supp "$supp")
for o in "${extra[@]}"; do args+=(--load-only "$o"); done
unshare -m --propagation private "$0" "${args[@]}" || exit $?
echo "e2e: all checks passed"
