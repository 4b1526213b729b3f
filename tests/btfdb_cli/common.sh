# Sourced by the btfdb_cli test scripts after setting H (the BTFHub
# directory): need_btfhub REL... skips the test (exit 77) unless every
# $H/REL.btf.tar.xz exists; then T (a temporary directory, removed on exit)
# and the pass/fail counters with ok, bad MESSAGE and finish (prints
# "N passed, M failed"; its status is the test's).
need_btfhub() {
	local k
	for k in "$@"; do
		if [ ! -f "$H/$k.btf.tar.xz" ]; then
			echo "SKIP: BTFHub data ($H/$k.btf.tar.xz) is absent"
			exit 77
		fi
	done
	T=$(mktemp -d)
	trap 'rm -rf "$T"' EXIT
}
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() {
	echo "$pass passed, $fail failed"
	[ $fail = 0 ]
}
