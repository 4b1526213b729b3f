#!/usr/bin/env bash
# Loaders that embed a bundle (ctest labels bundle, e2e), one per ecosystem:
#   c:  tests/bundle/bundle_loader.c + the runtime's two files, compiled with the
#       header `corelink bundle --c-header` wrote; libbpf loads the rebuilt object.
#   go: tests/bundle/go/bundle-loader (go:embed app.bundle), the standard-library
#       reader corelink/runtime/go, cilium/ebpf 0.9.1 (Debian), built offline (GOPATH mode).
#
#   run_bundle_load.sh c|go CORELINK BTFHUB_DIR E2E_TASK_OBJ GO
#
# Bundle A: e2e_task x BTFHub + the running kernel (named like this host);
# bundle B: BTFHub only.
#  1. kernel BTF visible, bundle B: fallback-btf (this kernel is not in B): the original
#     CO-RE object; the C loader loads it (libbpf relocates with the kernel's BTF) and
#     checks the values; the Go loader checks the bytes are the original (cilium/ebpf
#     0.9.1 cannot parse this kernel's BTF to relocate it).
#  2. in a private mount namespace with an empty file bind-mounted over
#     /sys/kernel/btf/vmlinux (and libbpf's fallback vmlinux paths masked):
#     bundle A: exact; the pre-relocated artifact loads, attaches, reads correct values;
#     bundle B: no match, the nearest kernels named, nothing loaded.
# Skips (77) without root, kernel BTF, mount namespaces, libbpf (c) or go (go).
set -uo pipefail
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "${1:-}" = "--inner" ]; then
	shift
	: > "$1/empty"
	mount --bind "$1/empty" /sys/kernel/btf/vmlinux || skip "cannot bind-mount over /sys/kernel/btf/vmlinux"
	r=$(uname -r)
	for p in /boot/vmlinux-$r /lib/modules/$r/vmlinux-$r /lib/modules/$r/build/vmlinux \
		 /usr/lib/modules/$r/kernel/vmlinux /usr/lib/debug/boot/vmlinux-$r \
		 /usr/lib/debug/boot/vmlinux-$r.debug /usr/lib/debug/lib/modules/$r/vmlinux; do
		[ -e "$p" ] && { mount --bind /dev/null "$p" || fail "cannot mask $p"; }
	done
	[ ! -s /sys/kernel/btf/vmlinux ] || fail "/sys/kernel/btf/vmlinux still has bytes"
	echo "== kernel BTF hidden (empty file over /sys/kernel/btf/vmlinux)"
	echo "== bundle A (has this kernel): exact, load, read values"
	"$2" -expect exact 2>&1 | sed 's/^/   /'; [ "${PIPESTATUS[0]}" -eq 0 ] || fail "bundle A, BTF hidden"
	echo "== bundle B (not this kernel), no BTF: no match"
	"$3" -expect no-match 2>&1 | sed 's/^/   /'; [ "${PIPESTATUS[0]}" -eq 0 ] || fail "bundle B, BTF hidden"
	exit 0
fi

lang=$1 corelink=$2 btfhub=$3 obj=$4 go=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ "$(id -u)" -eq 0 ] || skip "needs root (loads BPF, mounts over /sys/kernel/btf/vmlinux)"
[ -s /sys/kernel/btf/vmlinux ] || skip "the running kernel exposes no BTF"
unshare -m --propagation private true 2> /dev/null || skip "cannot create a mount namespace"
[ -d "$btfhub" ] || skip "BTFHub test data not found at '$btfhub'"
case $lang in
c) pkg-config --exists libbpf || skip "libbpf (pkg-config) not found" ;;
go) [ -n "$go" ] && [ -x "$go" ] || skip "go not installed (scripts/setup installs golang-go)"
    [ -d /usr/share/gocode/src/github.com/cilium/ebpf ] || skip "golang-github-cilium-ebpf-dev not installed" ;;
*) fail "language c or go, not '$lang'" ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corelink-bundle-load.XXXXXX") || fail mktemp
trap 'rm -rf "$tmp"' EXIT
id=$(. /etc/os-release 2>/dev/null; echo "${ID:-linux}/${VERSION_ID:-_}")
name="$id/$(uname -m)/$(uname -r)"
mkdir -p "$tmp/a" "$tmp/b"
"$corelink" batch "$obj" --btfhub "$btfhub" --btf /sys/kernel/btf/vmlinux --btf-name "$name" -o "$tmp/a/out" --jobs 2 -q \
	--bundle "$tmp/a/app.bundle" || fail "batch A"
"$corelink" bundle "$tmp/a/out/manifest.json" "$obj" -o "$tmp/a/app.bundle" --c-header "$tmp/a/app.bundle.h" -q ||
	fail "bundle A"
"$corelink" batch "$obj" --btfhub "$btfhub" -o "$tmp/b/out" --jobs 2 -q || fail "batch B"
"$corelink" bundle "$tmp/b/out/manifest.json" "$obj" -o "$tmp/b/app.bundle" --c-header "$tmp/b/app.bundle.h" -q ||
	fail "bundle B"
echo "bundle A $(stat -c %s "$tmp/a/app.bundle") bytes (with $name), bundle B $(stat -c %s "$tmp/b/app.bundle") bytes"

for v in a b; do
	if [ "$lang" = c ]; then
		# shellcheck disable=SC2046
		${CC:-cc} -std=gnu11 -O2 -Wall -DBUNDLE_HEADER="\"app.bundle.h\"" -I"$tmp/$v" \
			-I"$root/corelink/runtime" -I"$root/tests/e2e" "$here/bundle_loader.c" \
			"$root/corelink/runtime/corelink_bundle.c" $(pkg-config --cflags --libs libbpf) \
			-o "$tmp/loader-$v" || fail "compiling the C loader ($v)"
	else
		gp=$tmp/gopath-$v
		mkdir -p "$gp/src/bundle-loader"
		ln -s "$root/corelink/runtime/go/corelinkbundle" "$gp/src/corelinkbundle"
		cp "$here/go/bundle-loader/main.go" "$tmp/$v/app.bundle" "$gp/src/bundle-loader/"
		GOPATH="$gp:/usr/share/gocode" GO111MODULE=off GOFLAGS= GOCACHE="$tmp/gocache" \
			"$go" build -o "$tmp/loader-$v" bundle-loader || fail "go build of the Go loader ($v)"
	fi
done
# the C loader takes the same flags as the Go one
echo "== kernel BTF visible, bundle B (not this kernel): fallback-btf"
if [ "$lang" = c ]; then
	"$tmp/loader-b" --expect fallback-btf 2>&1 | sed 's/^/   /'
else
	"$tmp/loader-b" -expect fallback-btf -original "$obj" 2>&1 | sed 's/^/   /'
fi
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "fallback"
if [ "$lang" = c ]; then
	# the C loader spells flags with two dashes
	printf '#!/bin/sh\nexec %s --expect "$2"\n' "$tmp/loader-a" > "$tmp/run-a"
	printf '#!/bin/sh\nexec %s --expect "$2"\n' "$tmp/loader-b" > "$tmp/run-b"
else
	printf '#!/bin/sh\nexec %s "$@"\n' "$tmp/loader-a" > "$tmp/run-a"
	printf '#!/bin/sh\nexec %s "$@"\n' "$tmp/loader-b" > "$tmp/run-b"
fi
chmod +x "$tmp/run-a" "$tmp/run-b"
unshare -m --propagation private "$0" --inner "$tmp" "$tmp/run-a" "$tmp/run-b" || fail "loads with the kernel's BTF hidden"
echo "bundle load ($lang): all checks passed"
