#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The libbpf-tools corpus x every BTFHub kernel and the running kernel, corelink against
# the libbpf oracle (tests/oracle/difftest.py; the oracle with --small-maps
# --skip-unattachable, see oracle.c).  Extracts the objects first (exit 77 without the
# libbpf-tools package).  Without BTFHub data only the running kernel is compared (said so).
# Usage: run_corpus_diff.sh WORK DIFFTEST-COMMAND...
set -euo pipefail
work=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work/objs"
rc=0; python3 "$here/extract_libbpf_tools.py" "$work/objs" || rc=$?
[ $rc -eq 0 ] || exit $rc
btfhub=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
	[ "${args[$i]}" = --btfhub ] && btfhub=${args[$((i + 1))]}
done
targets=btfhub,vmlinux
if ! compgen -G "$btfhub/*/*/*/*.btf.tar.xz" > /dev/null; then
	echo "corpus: no BTFHub data under '$btfhub': the running kernel only"
	targets=vmlinux
fi
# under scripts/sanitize (binaries ~8x slower) every 3rd BTFHub kernel: still
# every object, on 10 kernels of 5 distributions and both architectures
every=1
[ "${CORELINK_SANITIZED:-0}" = 1 ] && every=3
exec "$@" --bpf-dir "$work/objs" --work "$work" --targets "$targets" --small-maps --btfhub-every "$every"
