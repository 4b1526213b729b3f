#!/usr/bin/env bash
# The corelink command table (issue 15): one --help lists every command;
# 'help CMD' == 'CMD --help' == 'CMD -h' for every command and subcommand;
# every option a help names is accepted; an unknown command is exit 2;
# 'relocate' == the default form (same bytes); 'batch' == the old form chosen
# by options (same manifest and artifacts), which prints one deprecation line;
# the exit codes of each command.
# usage: run_commands.sh CORELINK BTFDB BPF_DIR
# Each case prints "ok <name>" or "FAIL <name>: why"; exit 1 on any failure.
set -u
CL=$(realpath "$1")
BTFDB=$2
BPF=$(realpath "$3")
W=$(mktemp -d /tmp/corelink_cmds.XXXXXX)
trap 'rm -rf "$W"' EXIT
fails=0
n_ok=0
misc=$BPF/core_misc.bpf.o
k1=$BPF/targets/misc__base.o
am=$BPF/core_arrmem.bpf.o
longer=$BPF/targets/arrmem__longer.o
deprecation="corelink: note: a batch without the word 'batch' is deprecated; use 'corelink batch ...' (same options)"

run() {
	"$@" >"$W/out" 2>"$W/err"
	rc=$?
}
ok() {
	echo "ok $1"
	n_ok=$((n_ok + 1))
}
bad() {
	echo "FAIL $1: $2"
	echo "  stdout: $(head -c 1500 "$W/out")"
	echo "  stderr: $(head -c 1500 "$W/err")"
	fails=$((fails + 1))
}
# rc_is NAME WANT: the last run's exit code
rc_is() {
	if [ "$rc" = "$2" ]; then ok "$1"; else bad "$1" "exit $rc, expected $2"; fi
}

# ---- the tool's help lists every command ----
cmds="relocate batch pick merge report bundle help"
subs="ls get verify"
run "$CL" --help
cp "$W/out" "$W/help_all"
listed=1
for c in $cmds; do grep -qE "^  $c +[^ ]" "$W/help_all" || listed=0; done
if [ "$rc" = 0 ] && [ "$listed" = 1 ] && [ ! -s "$W/err" ] &&
   grep -q '^Usage: corelink OBJ.o \[--btf KERNEL | --db DB --kernel NAME\] -o OUT.o' "$W/help_all" &&
   grep -q '^       corelink COMMAND \[ARGS...\]' "$W/help_all"; then
	ok help.lists_every_command
else bad help.lists_every_command "rc $rc, every command listed: $listed"; fi
# and nothing else: the list is the table
nlisted=$(sed -n '/^Commands:$/,/^$/p' "$W/help_all" | grep -cE '^  [a-z]')
if [ "$nlisted" = 7 ]; then ok help.list_is_the_table; else bad help.list_is_the_table "$nlisted listed"; fi
for form in -h help; do
	run "$CL" $form
	if [ "$rc" = 0 ] && cmp -s "$W/out" "$W/help_all"; then ok "help.same_as_--help.$form"
	else bad "help.same_as_--help.$form" "rc $rc or differs from --help"; fi
done
run "$CL" bundle --help
listed=1
for s in $subs; do grep -qE "^  $s +[^ ]" "$W/out" || listed=0; done
if [ "$rc" = 0 ] && [ "$listed" = 1 ]; then ok help.bundle_lists_subcommands
else bad help.bundle_lists_subcommands "rc $rc, listed $listed"; fi

# ---- help CMD == CMD --help == CMD -h, for every command and subcommand ----
check_help() { # NAME WORDS...
	local name=$1 h
	shift
	run "$CL" help "$@"
	if [ "$rc" != 0 ] || [ -s "$W/err" ] || ! grep -q "^Usage: corelink " "$W/out" ||
	   ! grep -q -- "-h, --help" "$W/out" || cmp -s "$W/out" "$W/help_all"; then
		bad "help.$name" "rc $rc (no usage line, no -h/--help line, or the tool's help)"; return
	fi
	cp "$W/out" "$W/help_c"
	for h in --help -h; do
		run "$CL" "$@" "$h"
		if [ "$rc" = 0 ] && [ ! -s "$W/err" ] && cmp -s "$W/out" "$W/help_c"; then
			ok "help.$name.$h"
		else bad "help.$name.$h" "rc $rc, or '$* $h' differs from 'help $*'"; fi
	done
}
for c in $cmds; do check_help "$c" "$c"; done
for s in $subs; do check_help "bundle_$s" bundle "$s"; done
# the default command's -h is the tool's help, 'relocate -h' the command's
run "$CL" "$misc" -h
if [ "$rc" = 0 ] && cmp -s "$W/out" "$W/help_all"; then ok help.default_form_-h
else bad help.default_form_-h "rc $rc"; fi

# ---- every option a command's help names is one it accepts ----
opts_of() { # the long options on the option lines and usage lines of a help text
	grep -E '^ {1,8}-|^Usage: |^       corelink ' | grep -oE '(^|[ [|])--[a-z][a-z0-9-]*' |
		sed 's/^[ [|]//' | sort -u
}
check_opts() { # NAME WORDS...
	local name=$1 o unknown=""
	shift
	"$CL" help "$@" > "$W/h" 2>&1
	for o in $(opts_of < "$W/h"); do
		[ "$o" = --help ] && continue
		"$CL" "$@" "$o" > /dev/null 2> "$W/e" < /dev/null
		grep -q "unknown option" "$W/e" && unknown="$unknown $o"
	done
	if [ -z "$unknown" ]; then ok "options.$name"; else bad "options.$name" "not accepted:$unknown"; fi
}
for c in relocate batch pick merge report bundle; do check_opts "$c" "$c"; done
for s in $subs; do check_opts "bundle_$s" bundle "$s"; done

# ---- unknown commands ----
run "$CL" nosuch
if [ "$rc" = 2 ] && [ "$(cat "$W/err")" = "corelink: unknown command 'nosuch' (and no file of that name)
Try 'corelink --help' for the list of commands." ] && [ ! -s "$W/out" ]; then ok unknown.command
else bad unknown.command "rc $rc"; fi
run "$CL" help nosuch
if [ "$rc" = 2 ] && [ "$(cat "$W/err")" = "corelink: help: no command 'nosuch'
Try 'corelink help help' for more information." ]; then ok unknown.help
else bad unknown.help "rc $rc"; fi
run "$CL" help bundle nosuch
if [ "$rc" = 2 ] && grep -q "^corelink: help: no command 'bundle nosuch'" "$W/err"; then ok unknown.help_sub
else bad unknown.help_sub "rc $rc"; fi
# a file named like a command is still an input object
cp "$misc" "$W/nosuch"
run env -C "$W" "$CL" nosuch --btf "$k1" -o "$W/named.o"
if [ "$rc" = 0 ] && [ -s "$W/named.o" ]; then ok unknown.file_named_like_a_command
else bad unknown.file_named_like_a_command "rc $rc"; fi

# ---- relocate: the default form and the command give the same bytes ----
run "$CL" "$misc" --btf "$k1" -o "$W/default.o"
rc1=$rc
run "$CL" relocate "$misc" --btf "$k1" -o "$W/cmd.o"
if [ "$rc1" = 0 ] && [ "$rc" = 0 ] && cmp -s "$W/default.o" "$W/cmd.o"; then ok relocate.same_as_default
else bad relocate.same_as_default "rc $rc1/$rc, or the outputs differ"; fi
for args in "--libbpf 1.1" "--strip-debug" "--stamp --release 6.1"; do
	run "$CL" "$am" --btf "$longer" -o "$W/d.o" $args -q
	rc1=$rc
	run "$CL" relocate "$am" --btf "$longer" -o "$W/c.o" $args -q
	if [ "$rc1" = 0 ] && [ "$rc" = 0 ] && cmp -s "$W/d.o" "$W/c.o"; then ok "relocate.same_as_default.${args%% *}"
	else bad "relocate.same_as_default.${args%% *}" "rc $rc1/$rc, or the outputs differ"; fi
done
run "$CL" relocate "$misc" --btf "$k1"
if [ "$rc" = 2 ] && [ "$(cat "$W/err")" = "corelink: missing -o OUT.o
Try 'corelink -h' for more information." ]; then ok relocate.usage_exit_2
else bad relocate.usage_exit_2 "rc $rc"; fi
run "$CL" relocate "$am" --btf "$longer" -o "$W/strict.o" --strict --libbpf 1.1 -q
rc_is relocate.strict_exit_1 1
run "$CL" relocate "$W/missing.o" --btf "$k1" -o "$W/x.o"
rc_is relocate.missing_input_exit_2 2
run "$CL" relocate "$misc" --btfhub "$W"
if [ "$rc" = 2 ] && grep -q "unknown option '--btfhub'" "$W/err"; then ok relocate.no_batch_sniffing
else bad relocate.no_batch_sniffing "rc $rc"; fi

# ---- batch == the old form (same manifest and artifacts); the old form's note ----
same_batch() { # NAME DIR_A DIR_B
	if cmp -s "$2/manifest.json" "$3/manifest.json" && diff -r "$2/objects" "$3/objects" > /dev/null &&
	   [ -n "$(ls "$2/objects")" ]; then ok "$1"
	else bad "$1" "manifests or artifacts differ"; fi
}
old_note() { # NAME: the old form's stderr is the one deprecation line (with -q)
	if [ "$(cat "$W/err")" = "$deprecation" ]; then ok "$1"
	else bad "$1" "stderr is not the one deprecation line"; fi
}
ks=(--btf "$k1" --btf-name t/1/x86_64/k1 --btf "$BPF/targets/misc__minimal.o" --btf-name t/1/x86_64/k2)
[ -e "$BPF/targets/misc__minimal.o" ] || ks=(--btf "$k1" --btf-name t/1/x86_64/k1 --btf "$k1" --btf-name t/1/x86_64/k2)
run "$CL" batch "$misc" "$am" "${ks[@]}" -o "$W/b1" -q
rc1=$rc
[ -s "$W/err" ] && bad batch.no_note "the batch command printed: $(cat "$W/err")" || ok batch.no_note
run "$CL" "$misc" "$am" "${ks[@]}" -o "$W/b2" -q
if [ "$rc1" = 0 ] && [ "$rc" = 0 ]; then same_batch batch.same_as_old_form.two_btf "$W/b1" "$W/b2"
else bad batch.same_as_old_form.two_btf "rc $rc1/$rc"; fi
old_note batch.old_form_note.two_btf
# one --btf with a batch-only option (--btf-name)
run "$CL" batch "$misc" --btf "$k1" --btf-name t/1/x86_64/k1 -o "$W/b3" -q
rc1=$rc
run "$CL" "$misc" --btf "$k1" --btf-name t/1/x86_64/k1 -o "$W/b4" -q
if [ "$rc1" = 0 ] && [ "$rc" = 0 ]; then same_batch batch.same_as_old_form.batch_option "$W/b3" "$W/b4"
else bad batch.same_as_old_form.batch_option "rc $rc1/$rc"; fi
old_note batch.old_form_note.batch_option
# --btfhub DIR
mkdir -p "$W/hub/t/1/x86_64" "$W/hub/u/2/x86_64"
cp "$k1" "$W/hub/t/1/x86_64/k1.btf"
cp "$longer" "$W/hub/u/2/x86_64/k2.btf"
run "$CL" batch "$misc" "$am" --btfhub "$W/hub" -o "$W/b5" -q -j2
rc1=$rc
run "$CL" "$misc" "$am" --btfhub "$W/hub" -o "$W/b6" -q -j2
if [ "$rc1" = 0 ] && [ "$rc" = 0 ] && grep -q '"k2"' "$W/b5/manifest.json"; then
	same_batch batch.same_as_old_form.btfhub "$W/b5" "$W/b6"
else bad batch.same_as_old_form.btfhub "rc $rc1/$rc"; fi
old_note batch.old_form_note.btfhub
# --db DB without --kernel
"$BTFDB" build "$k1" --name t/1/x86_64/k1 -o "$W/k.btfdb" > /dev/null 2>&1
"$BTFDB" add "$W/k.btfdb" "$longer" --name u/2/x86_64/k2 > /dev/null 2>&1
run "$CL" batch "$misc" --db "$W/k.btfdb" -o "$W/b7" -q
rc1=$rc
run "$CL" "$misc" --db "$W/k.btfdb" -o "$W/b8" -q
if [ "$rc1" = 0 ] && [ "$rc" = 0 ] && grep -q '"k2"' "$W/b7/manifest.json"; then
	same_batch batch.same_as_old_form.db "$W/b7" "$W/b8"
else bad batch.same_as_old_form.db "rc $rc1/$rc"; fi
old_note batch.old_form_note.db
# the old form's note comes once, before the batch's own output (without -q)
run "$CL" "$misc" "${ks[@]}" -o "$W/b9"
if [ "$rc" = 0 ] && [ "$(head -1 "$W/err")" = "$deprecation" ] && [ "$(grep -c deprecated "$W/err")" = 1 ] &&
   grep -q "kernel(s) x 1 object(s)" "$W/err"; then ok batch.old_form_note_once
else bad batch.old_form_note_once "rc $rc"; fi
# exit codes: 0 (failures in the manifest), 1 with --fail-on, 2 bad usage
run "$CL" batch "$am" --btf "$longer" --btf-name t/1/x86_64/longer -o "$W/b10" -q --libbpf 1.1
rc_is batch.poisoned_exit_0 0
run "$CL" batch "$am" --btf "$longer" --btf-name t/1/x86_64/longer -o "$W/b10" -q --libbpf 1.1 --fail-on any-poison
rc_is batch.fail_on_exit_1 1
run "$CL" batch "$misc" -o "$W/b11"
if [ "$rc" = 2 ] && [ "$(cat "$W/err")" = "corelink: no kernels: give --btfhub DIR, --db DB or --btf FILE
Try 'corelink help batch' for more information." ]; then ok batch.usage_exit_2
else bad batch.usage_exit_2 "rc $rc"; fi
run "$CL" batch "$misc" --btf "$k1" -o "$W/b12" --fail-on sometimes
rc_is batch.bad_fail_on_exit_2 2

# ---- pick ----
mf=$W/b1/manifest.json
run "$CL" pick "$mf" --release k1 --arch x86_64 --distro t --distro-version 1 --object core_misc.bpf.o
rc1=$rc
cp "$W/out" "$W/pick1"
run "$CL" pick "$mf" --release k1 --arch x86_64 --distro t --version 1 --object core_misc.bpf.o
if [ "$rc1" = 0 ] && [ "$rc" = 0 ] && [ -f "$(cat "$W/pick1")" ] && cmp -s "$W/out" "$W/pick1"; then
	ok pick.exit_0.distro_version_same_as_version
else bad pick.exit_0.distro_version_same_as_version "rc $rc1/$rc"; fi
run "$CL" pick "$mf" --release nosuch --arch x86_64 --object core_misc.bpf.o
rc_is pick.nothing_fits_exit_1 1
run "$CL" pick
rc_is pick.usage_exit_2 2
run "$CL" pick "$mf" "$mf"
rc_is pick.two_manifests_exit_2 2

# ---- merge ----
run "$CL" merge "$W/b1/manifest.json" -o "$W/m/merged.json" --report "$W/m/r.md"
if [ "$rc" = 0 ] && [ -s "$W/m/merged.json" ] && [ -s "$W/m/r.md" ]; then ok merge.exit_0
else bad merge.exit_0 "rc $rc"; fi
run "$CL" merge "$W/b1/manifest.json" "$W/b10/manifest.json" -o "$W/m2.json"
rc_is merge.conflict_exit_1 1
run "$CL" merge "$W/b1/manifest.json"
rc_is merge.usage_exit_2 2

# ---- report ----
run "$CL" report "$mf" -o "$W/r1.md"
rc1=$rc
run "$CL" report "$mf" --output "$W/r2.md"
if [ "$rc1" = 0 ] && [ "$rc" = 0 ] && cmp -s "$W/r1.md" "$W/r2.md"; then ok report.exit_0.output_same_as_-o
else bad report.exit_0.output_same_as_-o "rc $rc1/$rc"; fi
run "$CL" report "$mf" -o - 
if [ "$rc" = 0 ] && cmp -s "$W/out" "$W/r1.md"; then ok report.stdout; else bad report.stdout "rc $rc"; fi
echo '{' > "$W/broken.json"
run "$CL" report "$W/broken.json" -o "$W/r3.md"
rc_is report.bad_manifest_exit_1 1
run "$CL" report "$mf"
rc_is report.usage_exit_2 2

# ---- bundle and its subcommands ----
run "$CL" bundle "$mf" "$misc" "$am" -o "$W/app.bundle" -q
rc_is bundle.exit_0 0
run "$CL" bundle "$mf"
rc_is bundle.usage_exit_2 2
run "$CL" bundle
rc_is bundle.no_args_exit_2 2
run "$CL" bundle ls "$W/app.bundle"
if [ "$rc" = 0 ] && grep -q "^bundle $W/app.bundle: 2 object(s)" "$W/out"; then ok bundle_ls.exit_0
else bad bundle_ls.exit_0 "rc $rc"; fi
run "$CL" bundle ls
rc_is bundle_ls.usage_exit_2 2
run "$CL" bundle ls "$W/app.bundle" "$W/app.bundle"
rc_is bundle_ls.two_files_exit_2 2
head -c 100 "$W/app.bundle" > "$W/cut.bundle"
run "$CL" bundle ls "$W/cut.bundle"
rc_is bundle_ls.damaged_exit_2 2
run "$CL" bundle verify "$W/app.bundle"
rc_is bundle_verify.exit_0 0
run "$CL" bundle verify "$W/cut.bundle"
rc_is bundle_verify.damaged_exit_2 2
run "$CL" bundle get "$W/app.bundle" core_misc.bpf.o --release k1 --arch x86_64 --distro t \
	--distro-version 1 -o "$W/got.o"
rc1=$rc
run "$CL" bundle get "$W/app.bundle" core_misc.bpf.o --release k1 --arch x86_64 --distro t \
	--version 1 -o "$W/got2.o"
if [ "$rc1" = 0 ] && [ "$rc" = 0 ] && cmp -s "$W/got.o" "$W/got2.o" &&
   cmp -s "$W/got.o" "$W/b1/$(python3 -c 'import json,sys
m = json.load(open(sys.argv[1]))
print(next(k for k in m["kernels"] if k["release"] == "k1")["objects"][0]["artifact"])' "$mf")"; then
	ok bundle_get.exit_0.same_artifact
else bad bundle_get.exit_0.same_artifact "rc $rc1/$rc"; fi
run "$CL" bundle get "$W/app.bundle" core_misc.bpf.o --release nosuch --arch x86_64 --no-fallback -o "$W/x.o"
rc_is bundle_get.nothing_fits_exit_1 1
run "$CL" bundle get "$W/app.bundle"
rc_is bundle_get.usage_exit_2 2

# ---- help ----
run "$CL" help relocate extra words
rc_is help.too_many_exit_2 2

echo "$n_ok ok, $fails failed"
[ "$fails" = 0 ]
