#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/check-layers passes on this build, and refuses each kind of wrong
# dependency: a call into a layer not linked, the runtime calling past libc, an
# include of a layer above, a folder circle, a header circle, two files calling
# each other.  Usage: run_layers.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
check=$src/scripts/check-layers
json=$build/layers.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# expect_fail NAME PATTERN JSON SRC: check-layers exits 1 and says PATTERN
expect_fail() {
  local name=$1 pat=$2 j=$3 s=$4 out rc=0
  out=$(python3 "$check" "$j" "$s" 2>&1) || rc=$?
  if [ "$rc" -ne 1 ] || ! grep -qE -- "$pat" <<<"$out"; then
    echo "FAIL $name: exit $rc, expected 1 and /$pat/:"; echo "$out"; fail=1
  else
    echo "ok   $name: $(grep -E -- "$pat" <<<"$out" | head -1)"
  fi
}

# the tree as it is
python3 "$check" "$json" "$src"

# JSON edits: python3 -c over the generated file
edit() { # edit OUT PYTHON-STATEMENTS (d is the document)
  python3 - "$json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], 'w'))
PY
}

# 1. corelink/core no longer links btfdb/index: cands.c's lookups are refused
edit "$work/nolink.json" "L = d['layers']['corelink_core']; L['links'] = ';'.join(x for x in L['links'].split(';') if x != 'btfdb_index')"
expect_fail core-without-index 'corelink/core/.* uses btfdb_index_[a-z_]+ of btfdb/index, a layer corelink_core does not link' "$work/nolink.json" "$src"

# 2. the runtime may call libc only: pretend corelink/core were libc-only
edit "$work/libc.json" "d['layers']['corelink_core']['libc_only'] = True"
expect_fail libc-only 'corelink/core/.* uses btfdb_[a-z_]+, which is not libc' "$work/libc.json" "$src"

# source edits: a copy of the layers' folders
copy() {
  rm -rf "$work/src"; mkdir -p "$work/src"
  (cd "$src" && tar -cf - btfdb corelink) | (cd "$work/src" && tar -xf -)
}

# 3. btfdb/btf includes a corelink/ci header: above it, and a folder circle
copy
echo '#include "batch.h"' >> "$work/src/btfdb/btf/err.c"
expect_fail include-above 'btfdb/btf/err.c includes corelink/ci/batch.h, a header of a layer btfdb_btf does not link' "$json" "$work/src"
expect_fail folder-circle 'folders include each other in a circle: .*btfdb/btf' "$json" "$work/src"

# 4. two headers include each other
copy
sed -i '0,/#include "btfdb.h"/s//#include "btfdb.h"\n#include "btfdb_db.h"/' "$work/src/btfdb/index/btfdb_index.h"
expect_fail header-circle 'headers include each other in a circle: .*btfdb_(index|db)\.h' "$json" "$work/src"

# 5. two files of one layer call each other (objects compiled here)
mkdir -p "$work/obj"
printf 'int cl_b(void);\nint cl_a(void) { return cl_b(); }\n' > "$work/obj/a.c"
printf 'int cl_a(void);\nint cl_b(void) { return cl_a() + 1; }\n' > "$work/obj/b.c"
${CC:-cc} -c -o "$work/obj/a.c.o" "$work/obj/a.c"
${CC:-cc} -c -o "$work/obj/b.c.o" "$work/obj/b.c"
edit "$work/circle.json" "L = d['layers']['corelink_ci']; L['objects'] += ';$work/obj/a.c.o;$work/obj/b.c.o'"
expect_fail file-circle 'source files use each other in a circle: corelink/ci/a.c \(cl_b\) -> corelink/ci/b.c \(cl_a\) -> corelink/ci/a.c' "$work/circle.json" "$src"

exit $fail
