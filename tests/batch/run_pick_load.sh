#!/usr/bin/env bash
# Pick + load (ctest labels batch, e2e): a batch over BTFHub plus the running
# kernel's BTF (named like this host: os-release ID/VERSION_ID, uname -m/-r);
# `corelink pick` chooses the artifact for this host, which must equal the
# single-kernel output for the running kernel; then, in a private mount
# namespace with a tmpfs over /sys/kernel/btf (libbpf finds no kernel BTF),
# the example loader calls corelink_pick() on the manifest, loads the artifact
# with libbpf and checks what the program read (pid, tgid, ppid, uid, comm).
#
#   run_pick_load.sh CORELINK LOADER BTFHUB_DIR E2E_TASK_OBJ
# Skips (77) without root, bpf(), kernel BTF or mount namespaces.
set -uo pipefail
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "${1:-}" = "--inner" ]; then
	loader=$2 manifest=$3
	mount -t tmpfs -o size=1m corelink-batch /sys/kernel/btf || skip "cannot mount over /sys/kernel/btf"
	r=$(uname -r)
	for p in /boot/vmlinux-$r /lib/modules/$r/vmlinux-$r /lib/modules/$r/build/vmlinux \
		 /usr/lib/modules/$r/kernel/vmlinux /usr/lib/debug/boot/vmlinux-$r \
		 /usr/lib/debug/boot/vmlinux-$r.debug /usr/lib/debug/lib/modules/$r/vmlinux; do
		[ -e "$p" ] && { mount --bind /dev/null "$p" || fail "cannot mask $p"; }
	done
	[ ! -e /sys/kernel/btf/vmlinux ] || fail "/sys/kernel/btf/vmlinux still visible"
	echo "== kernel BTF hidden; example loader: corelink_pick() + libbpf load"
	exec "$loader" "$manifest"
fi

corelink=$1 loader=$2 btfhub=$3 obj=$4
[ "$(id -u)" -eq 0 ] || skip "needs root (loads BPF, mounts over /sys/kernel/btf)"
[ -r /sys/kernel/btf/vmlinux ] || skip "the running kernel exposes no BTF"
command -v unshare > /dev/null || skip "unshare not installed"
unshare -m --propagation private true 2> /dev/null || skip "cannot create a mount namespace"
[ -x "$corelink" ] && [ -x "$loader" ] && [ -r "$obj" ] || fail "missing corelink, loader or object"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corelink-pick.XXXXXX") || fail mktemp
trap 'rm -rf "$tmp"' EXIT
id=$(. /etc/os-release 2>/dev/null; echo "${ID:-linux}/${VERSION_ID:-_}")
name="$id/$(uname -m)/$(uname -r)"
src=(--btf /sys/kernel/btf/vmlinux --btf-name "$name")
[ -d "$btfhub" ] && src+=(--btfhub "$btfhub") || echo "note: no BTFHub at '$btfhub'; running kernel only"

echo "== batch: $(basename "$obj"), running kernel as $name"
"$corelink" batch "$obj" "${src[@]}" -o "$tmp/out" --jobs 2 -q || fail "batch failed"
picked=$("$corelink" pick "$tmp/out/manifest.json") || fail "corelink pick found nothing for this host"
echo "picked: $picked"
"$corelink" "$obj" -o "$tmp/single.o" -q || fail "single run for the running kernel failed"
cmp "$picked" "$tmp/single.o" || fail "picked artifact differs from corelink's output for the running kernel"
echo "ok   corelink pick = single-kernel output for $(uname -r)"
# no match: exit 1 with the closest candidates
if "$corelink" pick "$tmp/out/manifest.json" --release "$(uname -r)-nope" 2> "$tmp/nope.err"; then
	fail "pick of an unknown release succeeded"
fi
grep -q "closest: .*$(uname -r)" "$tmp/nope.err" || fail "no-match message: $(cat "$tmp/nope.err")"
echo "ok   unknown release refused: $(cat "$tmp/nope.err")"

unshare -m --propagation private "$0" --inner "$loader" "$tmp/out/manifest.json" || fail "example loader failed"
echo "pick_and_load: all checks passed"
