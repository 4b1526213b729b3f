#!/usr/bin/env bash
# CLI tests for the corelink tool: exact exit codes and messages.
# usage: run_cli.sh CORELINK BPF_DIR LIBBPF_CHECK
# Each case prints "ok <name>" or "FAIL <name>: why"; exit 1 on any failure.
set -u
CL=$1
BPF=$2
CHECK=$3
W=$(mktemp -d /tmp/corelink_cli.XXXXXX)
trap 'rm -rf "$W"' EXIT
fails=0
basic=$BPF/objio_basic.bpf.o
needs=$BPF/objio_needs.bpf.o
hint="Try 'corelink -h' for more information."

# run NAME: runs the rest of the line, stdout -> $W/out, stderr -> $W/err, rc -> $rc
run() {
	"$@" >"$W/out" 2>"$W/err"
	rc=$?
}
bad() {
	echo "FAIL $1: $2"
	echo "  stdout: $(head -c 2000 "$W/out")"
	echo "  stderr: $(head -c 2000 "$W/err")"
	fails=$((fails + 1))
}
# expect NAME RC EXACT_STDERR [EXACT_STDOUT]
expect() {
	local name=$1 want_rc=$2 want_err=$3
	if [ "$rc" != "$want_rc" ]; then bad "$name" "exit $rc, expected $want_rc"; return; fi
	if [ "$(cat "$W/err")" != "$want_err" ]; then
		bad "$name" "stderr differs; expected: $want_err"; return
	fi
	if [ $# -ge 4 ] && [ "$(cat "$W/out")" != "$4" ]; then
		bad "$name" "stdout differs; expected: $4"; return
	fi
	echo "ok $name"
}
# no_file NAME PATH: nothing left behind
no_file() {
	if [ -e "$2" ]; then bad "$1" "$2 exists"; return; fi
	local left
	left=$(find "$W" -name '.*.XXXXXX' -o -name '.*.o.*' | head -1)
	if [ -n "$left" ]; then bad "$1" "temporary file left: $left"; return; fi
	echo "ok $1"
}

# ---- usage errors: exit 2, exact messages, no output ----
run "$CL"
expect usage.no_args 2 "corelink: missing input object
$hint"
run "$CL" "$basic"
expect usage.no_output 2 "corelink: missing -o OUT.o
$hint"
run "$CL" --bogus "$basic" -o "$W/x.o"
expect usage.unknown_long 2 "corelink: unknown option '--bogus'
$hint"
run "$CL" -Z "$basic" -o "$W/x.o"
expect usage.unknown_short 2 "corelink: unknown option '-Z'
$hint"
run "$CL" "$basic" -o
expect usage.o_needs_arg 2 "corelink: option '-o' needs an argument
$hint"
run "$CL" "$basic" -o "$W/x.o" --btf
expect usage.btf_needs_arg 2 "corelink: option '--btf' needs an argument
$hint"
run "$CL" a.o b.o -o "$W/x.o"
expect usage.two_inputs 2 "corelink: more than one input object: 'a.o' and 'b.o'
$hint"
run "$CL" "$basic" -o "$W/x.o" -v -q
expect usage.v_and_q 2 "corelink: -v and -q cannot be used together
$hint"
run "$CL" "$basic" -o "$W/x.o" --release 6.1
expect usage.release_without_stamp 2 "corelink: --release needs --stamp
$hint"
no_file usage.no_output_written "$W/x.o"

run "$CL" --version
expect version 0 "" "corelink 0.1.0"
run "$CL" -h
if [ "$rc" = 0 ] && grep -q '^Usage: corelink OBJ.o \[--btf KERNEL | --db DB --kernel NAME\] -o OUT.o' "$W/out" &&
   [ ! -s "$W/err" ]; then echo "ok help"; else bad help "rc $rc"; fi

# ---- --db DB --kernel NAME: a kernel from a btfdb database ----
run "$CL" "$basic" --kernel k1 -o "$W/x.o"
expect usage.kernel_without_db 2 "corelink: --kernel needs --db DB
$hint"
run "$CL" "$basic" --btf "$basic" --db "$W/k.btfdb" --kernel k1 -o "$W/x.o"
expect usage.btf_and_db 2 "corelink: --btf and --db cannot be used together
$hint"
BTFDB=$(dirname "$CL")/bin/btfdb
if [ -x "$BTFDB" ]; then
	# the object's own BTF stands in for a kernel, once as a file, once from a db
	"$BTFDB" build "$basic" --name test/1/x86_64/k1 -o "$W/k.btfdb" >/dev/null
	run "$CL" "$basic" --btf "$basic" -o "$W/from_btf.o"
	rc_btf=$rc
	run "$CL" "$basic" --db "$W/k.btfdb" --kernel k1 -o "$W/from_db.o"
	if [ "$rc_btf" = 0 ] && [ "$rc" = 0 ] && cmp -s "$W/from_btf.o" "$W/from_db.o"; then
		echo "ok db.same_as_btf"
	else
		bad db.same_as_btf "rc --btf $rc_btf, --db $rc, or outputs differ"
	fi
	run "$CL" "$basic" --db "$W/k.btfdb" --kernel nosuch -o "$W/x.o"
	if [ "$rc" = 2 ] && grep -q "^corelink: $W/k.btfdb: .*nosuch" "$W/err" && [ ! -e "$W/x.o" ]; then
		echo "ok db.unknown_kernel"
	else
		bad db.unknown_kernel "rc $rc"
	fi
	run "$CL" "$basic" --db "$basic" --kernel k1 -o "$W/x.o"
	if [ "$rc" = 2 ] && grep -q "^corelink: $basic: " "$W/err" && [ ! -e "$W/x.o" ]; then
		echo "ok db.not_a_db"
	else
		bad db.not_a_db "rc $rc"
	fi
	rm -f "$W/from_btf.o" "$W/from_db.o" "$W/k.btfdb"
else
	bad db.tool "no btfdb tool at $BTFDB"
fi

# ---- relocation failures of a sound object: exit 1, libbpf's errno, no output ----
nest=$BPF/core_nesting.bpf.o
run "$CL" "$nest" --btf "$BPF/targets/nesting___err_dup_incompat_types.o" -o "$W/x.o" -q
expect relo.ambiguity 1 "corelink: $nest: prog 'core_nesting': relo #1: field offset ambiguity: 64 != 32 (candidates [7] and [1]) (-22 EINVAL)"
no_file relo.ambiguity_no_output "$W/x.o"
bits=$BPF/core_bitfields.bpf.o
run "$CL" "$bits" --btf "$BPF/targets/bitfields___err_too_big_bitfield.o" -o "$W/x.o" -q
expect relo.bitfield_too_big 1 "corelink: $bits: prog 'core_bitfields_probed': relo #6: byte_off relocation can't be satisfied for bitfield 'ub2' (61 bits at bit 4): a 64-bit load can't hold it (-7 E2BIG)"
no_file relo.bitfield_no_output "$W/x.o"

# ---- bad input: exit 2, one line naming the file ----
run "$CL" "$W/missing.o" --btf "$basic" -o "$W/x.o"
expect input.missing_obj 2 "corelink: $W/missing.o: No such file or directory"
no_file input.missing_obj.no_output "$W/x.o"
run "$CL" "$basic" --btf "$W/missing.btf" -o "$W/x.o"
if [ "$rc" = 2 ] && [ "$(wc -l <"$W/err")" = 1 ] &&
   grep -q "^corelink: $W/missing.btf: " "$W/err"; then echo "ok input.missing_btf"
else bad input.missing_btf "rc $rc"; fi
no_file input.missing_btf.no_output "$W/x.o"
printf 'not an object' >"$W/junk.o"
run "$CL" "$W/junk.o" --btf "$basic" -o "$W/x.o"
expect input.not_elf 2 "corelink: $W/junk.o: not an ELF file"
no_file input.not_elf.no_output "$W/x.o"

# ---- a good run: the object against its own BTF (every value unchanged) ----
run "$CL" "$basic" --btf "$basic" -o "$W/good.o"
expect good.run 0 "" ""
if [ -f "$W/good.o" ]; then echo "ok good.output_exists"; else bad good.output_exists "no file"; fi
run "$CHECK" open "$W/good.o" "$basic"
expect good.libbpf_opens 0 "" "ok"
if cmp -s <(readelf -S -W "$basic" | grep -c PROGBITS) <(readelf -S -W "$W/good.o" | grep -c PROGBITS) &&
   readelf -a -W "$W/good.o" >/dev/null 2>"$W/err" && [ ! -s "$W/err" ]; then
	echo "ok good.readelf"
else bad good.readelf "readelf complains"; fi
# against its own BTF nothing changes except bitfield load sizes (clang's
# guess is not validated; libbpf recomputes it): sections without bitfield
# accesses are identical
for s in .text kprobe/do_exit; do
	if cmp -s <(readelf -x "$s" "$basic") <(readelf -x "$s" "$W/good.o"); then
		echo "ok good.same_insns.$s"
	else bad "good.same_insns.$s" "instructions differ"; fi
done

# -v: one line per relocation, in the documented shape
run "$CL" "$basic" --btf "$basic" -o "$W/good_v.o" -v
nrec=$(grep -c . "$W/out")
if [ "$rc" = 0 ] && [ "$nrec" -ge 14 ] && [ ! -s "$W/err" ] &&
   ! grep -vqE '^[^ ]+ [^ ]+ insn #[0-9]+ [a-z_0-9]+: .+: [0-9]+ -> [0-9]+$' "$W/out" &&
   grep -qx 'kprobe/do_exit objio_kp insn #5 type_size: struct objio_task: 40 -> 40' "$W/out" &&
   ! grep -v 'objio_task.prio' "$W/out" | grep -vqE ': ([0-9]+) -> \1$'; then
	echo "ok good.verbose"
else bad good.verbose "rc $rc, $nrec lines"; fi
if cmp -s "$W/good.o" "$W/good_v.o"; then echo "ok good.deterministic"
else bad good.deterministic "outputs differ"; fi

# output == input is refused (exit 2, the input untouched): a loop over
# kernels would relocate the next kernel from an object without CO-RE records
# (every spelling: tests/cli/bad_inputs/outputs)
cp "$basic" "$W/inplace.o"
run "$CL" "$W/inplace.o" --btf "$basic" -o "$W/inplace.o"
if [ "$rc" = 2 ] && cmp -s "$W/inplace.o" "$basic" && grep -q "refusing to overwrite the input object" "$W/err"; then echo "ok in_place_refused"
else bad in_place_refused "rc $rc"; fi

# --stamp --release: the note is there
run "$CL" "$basic" --btf "$basic" -o "$W/stamped.o" --stamp --release 6.1.0-test
if [ "$rc" = 0 ] && readelf -n "$W/stamped.o" | grep -q corelink &&
   readelf -p .note.corelink "$W/stamped.o" | grep -q '6.1.0-test'; then echo "ok stamp"
else bad stamp "rc $rc"; fi

# ---- a bad output directory: exit 2, nothing left ----
run "$CL" "$basic" --btf "$basic" -o "$W/nodir/out.o"
if [ "$rc" = 2 ] && [ "$(wc -l <"$W/err")" = 1 ] &&
   grep -q "^corelink: $W/nodir/out.o: cannot create a temporary file" "$W/err"; then
	echo "ok output.bad_dir"
else bad output.bad_dir "rc $rc"; fi
no_file output.bad_dir.nothing "$W/nodir"
mkdir "$W/isdir.o"
run "$CL" "$basic" --btf "$basic" -o "$W/isdir.o"
if [ "$rc" = 2 ] && [ -d "$W/isdir.o" ] && [ "$(find "$W" -maxdepth 1 -name '.isdir.o.*' | wc -l)" = 0 ]; then
	echo "ok output.target_is_dir"
else bad output.target_is_dir "rc $rc"; fi

# ---- poisoned relocations: warnings; --strict fails with no output ----
# objio_needs.bpf.o's BTF has no struct objio_task: most records are poisoned
run "$CL" "$basic" --btf "$needs" -o "$W/poison.o"
npoison=$(grep -c "instruction poisoned" "$W/err")
if [ "$rc" = 0 ] && [ -f "$W/poison.o" ] && [ "$npoison" -ge 1 ] &&
   grep -q "^corelink: warning: $basic: program 'objio_kp' (kprobe/do_exit) insn #2: byte_off struct objio_task.state: .*objio_task.*; instruction poisoned, the program fails verification if it is reachable$" "$W/err"; then
	echo "ok poison.warnings"
else bad poison.warnings "rc $rc, $npoison warnings"; fi
run "$CL" "$basic" --btf "$needs" -o "$W/poison.o" -q
expect poison.quiet 0 "" ""
run "$CL" "$basic" --btf "$needs" -o "$W/strict.o" --strict
# (the library may refuse first, or the CLI after counting: one error line either way)
if [ "$rc" = 1 ] && [ "$(grep -vc '^corelink: warning: ' "$W/err")" = 1 ] &&
   tail -1 "$W/err" | grep -q "^corelink: $basic: .*poisoned"; then
	echo "ok poison.strict"
else bad poison.strict "rc $rc"; fi
no_file poison.strict.no_output "$W/strict.o"

# ---- kernel-BTF needs: one warning each ----
run "$CL" "$needs" --btf "$needs" -o "$W/needs.o"
if [ "$rc" = 0 ] && [ "$(grep -c 'needs\? kernel BTF at load time' "$W/err")" = 6 ] &&
   grep -qx "corelink: warning: $needs: program 'handle' (fentry/do_exit) needs kernel BTF at load time" "$W/err" &&
   grep -qx "corelink: warning: $needs: typed __ksym extern 'objio_typed_ksym' needs kernel BTF at load time" "$W/err"; then
	echo "ok needs.warnings"
else bad needs.warnings "rc $rc"; fi

# ---- --libbpf: whose rules (newest by default), in single, --db and batch mode ----
am=$BPF/core_arrmem.bpf.o
longer=$BPF/targets/arrmem__longer.o
run "$CL" "$am" --btf "$longer" -o "$W/x.o" --libbpf 1.2
expect libbpf.unknown 2 "corelink: --libbpf: unknown libbpf version '1.2' (known: 1.1, 1.7)
$hint"
# array loads/stores against longer arrays: 1.7 patches all 9, 1.1 poisons all 9
run "$CL" "$am" --btf "$longer" -o "$W/am17.o" -v
if [ "$rc" = 0 ] && [ "$(grep -c ' -> ' "$W/out")" = 9 ] && ! grep -q POISONED "$W/out"; then
	echo "ok libbpf.default_is_1.7"
else bad libbpf.default_is_1.7 "rc $rc"; fi
run "$CL" "$am" --btf "$longer" -o "$W/am11.o" -v --libbpf 1.1.2
if [ "$rc" = 0 ] && [ "$(grep -c POISONED "$W/out")" = 9 ]; then echo "ok libbpf.1.1"
else bad libbpf.1.1 "rc $rc"; fi
run "$CL" "$am" --btf "$longer" -o "$W/am17b.o" --libbpf 1.7.0
if [ "$rc" = 0 ] && cmp -s "$W/am17.o" "$W/am17b.o" && ! cmp -s "$W/am17.o" "$W/am11.o"; then
	echo "ok libbpf.1.7_explicit"
else bad libbpf.1.7_explicit "rc $rc"; fi
# the stamp records the rules
run "$CL" "$am" --btf "$longer" -o "$W/st11.o" --stamp --libbpf 1.1
if [ "$rc" = 0 ] && readelf -p .note.corelink "$W/st11.o" | grep -q 'libbpf 1\.1'; then
	echo "ok libbpf.stamp_1.1"
else bad libbpf.stamp_1.1 "rc $rc"; fi
run "$CL" "$am" --btf "$longer" -o "$W/st17.o" --stamp
if [ "$rc" = 0 ] && readelf -p .note.corelink "$W/st17.o" | grep -q 'libbpf 1\.7'; then
	echo "ok libbpf.stamp_default"
else bad libbpf.stamp_default "rc $rc"; fi
# --db: the same bytes as from the file, under each rule set
if [ -x "$BTFDB" ]; then
	"$BTFDB" build "$longer" --name t/1/x86_64/longer -o "$W/am.btfdb" >/dev/null
	run "$CL" "$am" --db "$W/am.btfdb" --kernel longer -o "$W/db11.o" --libbpf 1.1
	rc11=$rc
	run "$CL" "$am" --db "$W/am.btfdb" --kernel longer -o "$W/db17.o"
	if [ "$rc11" = 0 ] && [ "$rc" = 0 ] && cmp -s "$W/db11.o" "$W/am11.o" &&
	   cmp -s "$W/db17.o" "$W/am17.o"; then echo "ok libbpf.db"
	else bad libbpf.db "rc $rc11/$rc"; fi
fi
# batch: the manifest records the rules, the statuses follow them; merge refuses a mix
run "$CL" batch "$am" --btf "$longer" --btf-name t/1/x86_64/longer -o "$W/b11" --libbpf 1.1 -q
run2=$rc
run "$CL" batch "$am" --btf "$longer" --btf-name t/1/x86_64/longer -o "$W/b17" -q
if [ "$run2" = 0 ] && [ "$rc" = 0 ] &&
   grep -q '"libbpf": "1.1"' "$W/b11/manifest.json" && grep -q '"status": "poisoned"' "$W/b11/manifest.json" &&
   grep -q '"libbpf": "1.7"' "$W/b17/manifest.json" && grep -q '"status": "ok"' "$W/b17/manifest.json"; then
	echo "ok libbpf.batch_manifest"
else bad libbpf.batch_manifest "rc $run2/$rc"; fi
run "$CL" merge "$W/b11/manifest.json" "$W/b17/manifest.json" -o "$W/merged.json"
if [ "$rc" != 0 ] && grep -q "follows libbpf 1.7's rules, manifest #1 libbpf 1.1's" "$W/err"; then
	echo "ok libbpf.merge_mixed"
else bad libbpf.merge_mixed "rc $rc"; fi

echo "$fails failed"
[ "$fails" = 0 ]
