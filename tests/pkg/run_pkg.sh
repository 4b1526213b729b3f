#!/usr/bin/env bash
# The install / package test (ctest pkg.deb, label pkg):
#
#   run_pkg.sh SRC_DIR WORK_DIR BPF_DIR
#
# 1. configures and builds the package tree WORK_DIR/build (BUILD_TESTING off,
#    zlib shared as Debian wants), `cpack -G DEB`;
# 2. checks the package: no maintainer scripts, the files it must hold, and
#    `lintian` without errors (the tag summary is printed);
# 3. installs it with dpkg into a scratch root (--root, own dpkg database; as
#    root) or unpacks it (dpkg-deb -x, not root), removes and reinstalls it;
# 4. runs the installed corelink and btfdb (relocate an object, same bytes as
#    the build tree's tool; a btfdb of two targets; a batch manifest);
# 5. reads the man pages (man -l, no groff warnings) and checks them and the
#    bash completion against the installed tools' help (check_docs.py);
# 6. compiles consumer.c against the installed headers and static libraries
#    through pkg-config (PKG_CONFIG_SYSROOT_DIR / PKG_CONFIG_PATH into the
#    scratch root) and runs it: its output object equals the tool's, and
#    corelink_pick picks from the installed tool's manifest.
set -uo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
src=$1 work=$2 bpf=$3
here=$(cd "$(dirname "$0")" && pwd)
for t in cpack dpkg-deb lintian man pkg-config python3 cc; do
	command -v $t >/dev/null || fail "$t not installed (scripts/setup installs it)"
done
obj=$bpf/core_existence.bpf.o tgt=$bpf/targets/existence__base.o tgt2=$bpf/targets/existence__minimal.o
[ -r "$obj" ] && [ -r "$tgt" ] && [ -r "$tgt2" ] || fail "test objects missing in $bpf"

echo "== 1. build and package"
mkdir -p "$work"
cmake -S "$src" -B "$work/build" -DBUILD_TESTING=OFF -DCORELINK_SHARED_ZLIB=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/configure.log" 2>&1 || { tail -20 "$work/configure.log"; fail configure; }
cmake --build "$work/build" -j2 >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; fail build; }
rm -rf "$work/deb" "$work/root" "$work/tmp" "$work/broken"
mkdir -p "$work/tmp"
(cd "$work/build" && cpack -G DEB -B "$work/deb") >"$work/cpack.log" 2>&1 || { tail -20 "$work/cpack.log"; fail cpack; }
deb=$(ls "$work"/deb/corelink_*.deb) || fail "no .deb"
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes"

echo "== 2. package contents, maintainer scripts, lintian"
dpkg-deb -I "$deb" | sed 's/^/  /'
ctl=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t | sed 's|^\./||' | grep -v '^$' | sort | tr '\n' ' ')
[ "$ctl" = "control md5sums " ] || fail "unexpected control members (maintainer scripts?): $ctl"
dpkg-deb -c "$deb" | awk '{print $6}' > "$work/tmp/files"
for f in usr/bin/corelink usr/bin/btfdb usr/include/corelink/corelink.h usr/include/corelink/batch.h \
	usr/include/btfdb/btfdb.h usr/share/man/man1/corelink.1.gz usr/share/man/man1/btfdb.1.gz \
	usr/share/bash-completion/completions/corelink usr/share/bash-completion/completions/btfdb \
	usr/share/doc/corelink/copyright usr/share/doc/corelink/changelog.gz; do
	grep -qx "\./$f" "$work/tmp/files" || fail "package lacks /$f"
done
for f in libcorelink.a libbtfdb.a pkgconfig/corelink.pc pkgconfig/btfdb.pc; do
	grep -q "^\./usr/lib/.*/$f\$" "$work/tmp/files" || fail "package lacks /usr/lib/<arch>/$f"
done
lintian --tag-display-limit 0 "$deb" > "$work/lintian.txt" 2>&1
lrc=$?
echo "lintian (exit $lrc): $(grep -c '^E:' "$work/lintian.txt") error(s), $(grep -c '^W:' "$work/lintian.txt") warning(s), $(grep -c '^[IPX]:' "$work/lintian.txt") info/pedantic"
grep -E '^[EWI]:' "$work/lintian.txt" | sed 's/^/  /'
grep -q '^E:' "$work/lintian.txt" && fail "lintian reports errors"

echo "== 3. install into a scratch root"
root=$work/root
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
	touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
	# dependencies (libc6, libarchive13) live outside the scratch root
	dpkg --root="$root" --force-depends --log=/dev/null -i "$deb" >"$work/dpkg.log" 2>&1 ||
		{ cat "$work/dpkg.log"; fail "dpkg -i"; }
	dpkg --root="$root" -s corelink | grep -q '^Status: install ok installed' || fail "not installed"
	dpkg --root="$root" --log=/dev/null -r corelink >>"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -r"; }
	left=$(find "$root/usr" -type f 2>/dev/null | wc -l)
	[ "$left" -eq 0 ] || fail "dpkg -r left $left file(s) behind"
	dpkg --root="$root" --force-depends --log=/dev/null -i "$deb" >>"$work/dpkg.log" 2>&1 || fail "dpkg -i (again)"
	echo "dpkg -i, -r, -i into $root: ok"
else
	dpkg-deb -x "$deb" "$root" || fail "dpkg-deb -x"
	echo "not root: unpacked with dpkg-deb -x"
fi
bin=$root/usr/bin

echo "== 4. the installed tools"
"$bin/corelink" --version | grep -q '[0-9]\.[0-9]' || fail "installed corelink --version"
"$bin/corelink" "$obj" --btf "$tgt" -o "$work/tmp/tool.o" -q || fail "installed corelink relocate"
"$work/build/corelink" "$obj" --btf "$tgt" -o "$work/tmp/build.o" -q || fail "build tree corelink"
cmp "$work/tmp/tool.o" "$work/tmp/build.o" || fail "installed tool's output differs"
"$bin/btfdb" build "$tgt" "$tgt2" -o "$work/tmp/k.btfdb" >/dev/null || fail "installed btfdb build"
[ "$("$bin/btfdb" ls "$work/tmp/k.btfdb" | grep -c existence__)" -eq 2 ] || fail "installed btfdb ls"
"$bin/corelink" batch "$obj" --btf "$tgt" --btf-name "synth/1/x86_64/5.10-base" \
	--btf "$tgt2" --btf-name "synth/1/x86_64/5.4-minimal" -o "$work/tmp/batch" -q --jobs 1 ||
	fail "installed corelink batch"

echo "== 5. man pages and completion"
for t in corelink btfdb; do
	page=$root/usr/share/man/man1/$t.1.gz
	LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings -l "$page" >"$work/tmp/$t.txt" 2>"$work/tmp/$t.warn" ||
		fail "man -l $t"
	[ -s "$work/tmp/$t.warn" ] && { cat "$work/tmp/$t.warn"; fail "groff warnings in $t(1)"; }
	grep -q "^NAME" "$work/tmp/$t.txt" || fail "$t(1) has no NAME section"
	echo "$t(1): $(wc -l < "$work/tmp/$t.txt") lines"
done
python3 "$here/check_docs.py" "$src/scripts/gen-docs" "$root" || fail "docs do not match the help"
# the check is not vacuous: a completion that lost an option, a man page that lost a command
mkdir -p "$work/broken/usr/share/bash-completion/completions" "$work/broken/usr/share/man/man1"
cp -r "$root/usr/bin" "$work/broken/usr/"
cp "$root"/usr/share/man/man1/*.1.gz "$work/broken/usr/share/man/man1/"
sed 's/--strict//g' "$root/usr/share/bash-completion/completions/corelink" \
	> "$work/broken/usr/share/bash-completion/completions/corelink"
cp "$root/usr/share/bash-completion/completions/btfdb" "$work/broken/usr/share/bash-completion/completions/"
python3 "$here/check_docs.py" "$src/scripts/gen-docs" "$work/broken" > "$work/tmp/broken.out" 2>&1 &&
	fail "check_docs.py accepted a completion without --strict"
grep -q -- "--strict.*not completed" "$work/tmp/broken.out" || fail "check_docs.py did not name --strict"
zcat "$root/usr/share/man/man1/btfdb.1.gz" | sed 's/verify/verif_/g' | gzip -9n > "$work/broken/usr/share/man/man1/btfdb.1.gz"
cp "$root/usr/share/bash-completion/completions/corelink" "$work/broken/usr/share/bash-completion/completions/"
python3 "$here/check_docs.py" "$src/scripts/gen-docs" "$work/broken" > "$work/tmp/broken.out" 2>&1 &&
	fail "check_docs.py accepted a man page without the verify command"
grep -q "command verify not in btfdb(1)" "$work/tmp/broken.out" || fail "check_docs.py did not name verify"
echo "check_docs.py refuses a completion without --strict and a btfdb(1) without verify"

echo "== 6. a program built against the installed package via pkg-config"
pcdir=$(dirname "$(find "$root/usr/lib" -name corelink.pc)")
export PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_PATH=$pcdir
flags=$(pkg-config --cflags --libs corelink) || fail "pkg-config corelink"
echo "pkg-config --cflags --libs corelink: $flags"
case $flags in *"$root/usr/include/corelink"*) ;; *) fail "cflags do not point into the scratch root";; esac
# shellcheck disable=SC2086
cc -std=gnu11 -Wall -Werror -o "$work/tmp/consumer" "$here/consumer.c" $flags || fail "compile consumer"
"$work/tmp/consumer" "$obj" "$tgt" "$work/tmp/api.o" "$work/tmp/batch/manifest.json" 5.4-minimal x86_64 \
	> "$work/tmp/consumer.out" || fail "consumer run"
cat "$work/tmp/consumer.out"
cmp "$work/tmp/api.o" "$work/tmp/tool.o" || fail "library output differs from the tool's"
grep -q "^picked synth/1/x86_64/5.4-minimal $work/tmp/batch/objects/[0-9a-f]*\.o$" "$work/tmp/consumer.out" ||
	fail "consumer picked the wrong artifact"
echo "PASS"
