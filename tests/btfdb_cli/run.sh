#!/bin/bash
# Usage: run.sh BTFDB_BINARY BTFHUB_DIR
# Expected-output tests of the btfdb tool.  Prints "N passed, M failed".
set -u
B=$1
H=$2
K1=kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64
K2=vm/6.18/x86_64/6.18.44-fc-v445
. "$(dirname "$0")/common.sh"
need_btfhub "$K1" "$K2"
# expect NAME WANT_RC WANT_FILE CMD...: exit code and exact stdout+stderr
expect() {
	local name=$1 rc=$2 want=$3 got
	shift 3
	got=$("$@" 2>&1)
	local r=$?
	if [ "$r" != "$rc" ]; then bad "$name: exit $r, want $rc"; echo "$got"; return; fi
	if [ "$got" != "$(cat "$want")" ]; then
		bad "$name: output differs"; diff <(echo "$got") "$want" | head -20; return
	fi
	ok
}
sha_of() { awk -v p="$1.btf" '$2 == p { print $1 }' "$H/README.md"; }

# build (with --name for one source) -----------------------------------------
expect build 0 /dev/stdin "$B" build "$H/$K1.btf.tar.xz" -o "$T/db" <<EOF2
  + 4.19.90-52.22.v2207.ky10.aarch64
wrote $T/db: 1 kernels
EOF2
expect add 0 /dev/stdin "$B" add "$T/db" "$H/$K2.btf.tar.xz" --name x86/vm <<EOF2
  + x86/vm
wrote $T/db: 2 kernels
EOF2
expect add-dup 1 /dev/stdin "$B" add "$T/db" "$H/$K2.btf.tar.xz" --name x86/vm <<EOF2
btfdb: x86/vm: a kernel of that name is in the database already
EOF2

# ls: every column but OWN_BYTES (compressed size) is fixed --------------------
got=$("$B" ls "$T/db" | awk '{ print $1, $2, $3, $5 }')
want="KERNEL TYPES BTF_BYTES XXH3
4.19.90-52.22.v2207.ky10.aarch64 35405 2084352 10d8a0d82622af4c
x86/vm 126521 5513456 634fd6a735148301"
[ "$got" = "$want" ] && ok || { bad "ls"; echo "$got"; }

# info: counts are fixed, sizes only plausible --------------------------------
info=$("$B" info "$T/db")
echo "$info" | grep -qx "kernels:           2" && ok || bad "info kernels"
echo "$info" | grep -qx "raw BTF total:     7597808 bytes" && ok || bad "info raw total"
size=$(stat -c %s "$T/db")
echo "$info" | grep -qx "file size:         $size bytes" && ok || bad "info file size"
# add appends in place: what the first generation used and the second no
# longer references (its name index, tables) stays until compact
unused=$(echo "$info" | awk '/^unused:/ { print $2 }')
[ -n "$unused" ] && [ "$unused" -gt 0 ] && [ "$unused" -lt 1000000 ] && ok || bad "info unused: '$unused'"
[ $((size - unused)) -lt 3500000 ] && ok || bad "db size $size - unused $unused >= 3.5 MB for 7.6 MB of BTF"

# verify ------------------------------------------------------------------------
expect verify 0 /dev/stdin "$B" verify "$T/db" <<EOF2
$T/db: OK, 2 kernels
EOF2

# show --------------------------------------------------------------------------
expect show-list_head 0 /dev/stdin "$B" show "$T/db" x86/vm list_head <<'EOF2'
/* [95] struct 'list_head' */
struct list_head {
	struct list_head *next;
	struct list_head *prev;
};
EOF2
got=$("$B" show "$T/db" 4.19.90-52.22.v2207.ky10.aarch64 task_struct |
	grep -E '^/\*|^	pid_t pid;|^	volatile long int state;|^};')
want="/* [177] struct 'task_struct' */
	volatile long int state;
	pid_t pid;
};

/* [10379] struct 'task_struct' */
	volatile long int state;
	pid_t pid;
};"
got=$(echo "$got" | grep -v '^$'); want=$(echo "$want" | grep -v '^$')
[ "$got" = "$want" ] && ok || { bad "show task_struct (2 copies)"; echo "$got"; }
expect show-unknown-kernel 1 /dev/stdin "$B" show "$T/db" nope task_struct <<'EOF2'
btfdb: kernel 'nope' is not in the database
EOF2
expect show-unknown-type 1 /dev/stdin "$B" show "$T/db" x86/vm no_such_type_xyz <<'EOF2'
btfdb: no type named 'no_such_type_xyz' in kernel 'x86/vm'
EOF2

# extract: byte-exact (SHA-256 from the corpus README) --------------------------
for k in "4.19.90-52.22.v2207.ky10.aarch64 $K1" "x86/vm $K2"; do
	set -- $k
	if "$B" extract "$T/db" "$1" -o "$T/out.btf"; then
		got=$(sha256sum "$T/out.btf" | cut -d' ' -f1)
		[ "$got" = "$(sha_of "$2")" ] && ok || bad "extract $1: sha256 $got"
	else
		bad "extract $1 failed"
	fi
done
expect extract-no-o 2 /dev/null bash -c "\"$B\" extract \"$T/db\" x86/vm >/dev/null 2>&1"

# rm reclaims the kernel's records; compact keeps everything ------------------------
pool_before=$("$B" info "$T/db" | awk '/distinct types/ { print $3 }')
expect rm 0 /dev/stdin "$B" rm "$T/db" x86/vm <<EOF2
removed x86/vm from $T/db
EOF2
pool_after=$("$B" info "$T/db" | awk '/distinct types/ { print $3 }')
[ "$pool_after" -lt "$pool_before" ] && ok || bad "rm kept the records ($pool_before -> $pool_after)"
expect rm-again 1 /dev/stdin "$B" rm "$T/db" x86/vm <<'EOF2'
btfdb: kernel 'x86/vm' is not in the database
EOF2
expect compact 0 /dev/null "$B" compact "$T/db"
[ "$("$B" info "$T/db" | awk '/distinct types/ { print $3 }')" = "$pool_after" ] && ok ||
	bad "compact changed a compact db"
# a rewritten file holds nothing unused but padding (< 8 bytes at 3 places)
unused=$("$B" info "$T/db" | awk '/^unused:/ { print $2 }')
[ -n "$unused" ] && [ "$unused" -lt 24 ] && ok || bad "unused after compact: '$unused'"
expect verify-after-rm 0 /dev/stdin "$B" verify "$T/db" <<EOF2
$T/db: OK, 1 kernels
EOF2
"$B" extract "$T/db" 4.19.90-52.22.v2207.ky10.aarch64 -o "$T/out.btf" &&
	[ "$(sha256sum "$T/out.btf" | cut -d' ' -f1)" = "$(sha_of "$K1")" ] && ok ||
	bad "extract after rm"

# corrupt file and usage -----------------------------------------------------------
printf 'hello' > "$T/bad"
expect not-a-db 2 /dev/stdin "$B" verify "$T/bad" <<EOF2
btfdb: $T/bad: not a btfdb database (bad magic)
EOF2
expect usage 2 /dev/null bash -c "\"$B\" ls >/dev/null 2>&1"
expect usage-hint 2 /dev/stdin "$B" ls <<EOF2
usage: btfdb ls DB
Try 'btfdb help ls' for more information.
EOF2

# help: one --help lists every command; 'help CMD' == 'CMD --help' ---------------
all=$("$B" --help 2>&1) && [ "$all" = "$("$B" help 2>&1)" ] && ok || bad "btfdb --help / help"
for c in build add rm compact ls info show extract verify; do
	echo "$all" | grep -qE "^(usage:|      ) btfdb $c( |$)" || bad "--help does not list $c"
	h=$("$B" help "$c" 2>&1) && [ "$(echo "$h" | head -1 | cut -d' ' -f1-3)" = "usage: btfdb $c" ] ||
		{ bad "help $c"; continue; }
	[ "$h" = "$("$B" "$c" --help 2>&1)" ] && [ "$h" = "$("$B" "$c" -h 2>&1)" ] && ok ||
		bad "$c --help differs from help $c"
done
expect help-unknown 2 /dev/stdin "$B" help nosuch <<EOF2
btfdb: help: no command 'nosuch'
EOF2

finish
