#!/usr/bin/env bash
# JSON documents against their schemas (ctest schema.documents, label cli):
#
#   run_schema.sh CORELINK BPF_DIR PYTHON3 SCHEMA_DIR
#
# A batch over synthetic targets (ok, poisoned and error entries), a shard of
# it and its reports (--report FILE.json, corelink report -o FILE.json) are
# validated against docs/schema/corelink-{manifest,report}.schema.json with
# validate.py; so are the fuzz seeds.  Mutated manifests that break a rule
# the schema states must be refused by the validator (it is not vacuous).
set -uo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
corelink=$1 bpf=$2 py=$3 schemas=$4
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$py" ] || skip "python3 not found"
val() { "$py" "$here/validate.py" "$schemas/$1.schema.json" "${@:2}"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/corelink-schema.XXXXXX") || fail mktemp
trap 'rm -rf "$tmp"' EXIT
t=$bpf/targets
ks=(--btf "$t/existence__base.o" --btf-name "synth/1/x86_64/base"
    --btf "$t/existence__minimal.o" --btf-name "synth/1/x86_64/minimal"
    --btf "$t/bitfields___err_too_big_bitfield.o" --btf-name "synth/2/aarch64/err")
"$corelink" batch "$bpf/core_existence.bpf.o" "$bpf/core_bitfields.bpf.o" "${ks[@]}" -o "$tmp/b" -q --jobs 1 \
	--report "$tmp/b/report.json"; rc=$?
[ $rc -eq 0 ] || fail "batch exited $rc"
"$corelink" batch "$bpf/core_existence.bpf.o" "${ks[@]}" -o "$tmp/s" -q --jobs 1 --shard 1/2 || fail "shard batch"
"$corelink" report "$tmp/s/manifest.json" -o "$tmp/s/report.json" || fail "corelink report"
for s in ok poisoned error; do
	grep -q "\"status\": \"$s\"" "$tmp/b/manifest.json" || fail "the batch has no $s entry"
done
val corelink-manifest "$tmp/b/manifest.json" "$tmp/s/manifest.json" "$here"/../fuzz/corpus/manifest/*.json ||
	fail "manifest does not validate"
val corelink-report "$tmp/b/report.json" "$tmp/s/report.json" || fail "report does not validate"
echo "valid: 2 batch manifests, $(ls "$here"/../fuzz/corpus/manifest/*.json | wc -l) seed manifests, 2 reports"

# mutations the schema must refuse
n=0
mutate() { # name python-expression-on-d
	"$py" - "$tmp/b/manifest.json" "$tmp/m.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ents = [e for k in d["kernels"] for e in k["objects"]]
ok = next(e for e in ents if e["status"] == "ok")
pz = next(e for e in ents if e["status"] == "poisoned")
er = next(e for e in ents if e["status"] == "error")
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
	if val corelink-manifest "$tmp/m.json" >/dev/null; then fail "mutation '$1' validates"; fi
	n=$((n + 1))
}
mutate "unknown status" 'ok["status"] = "fine"'
mutate "ok without artifact" 'del ok["artifact"]'
mutate "error with artifact" 'er["artifact"] = ok["artifact"]'
mutate "poisoned without poisons" 'del pz["poisoned"]'
mutate "empty poison list" 'pz["poisoned"] = []'
mutate "artifact path" 'ok["artifact"] = "../etc/passwd"'
mutate "btf_hash uppercase" 'd["kernels"][0]["btf_hash"] = d["kernels"][0]["btf_hash"].upper() + "A"'
mutate "negative insn" 'pz["poisoned"][0]["insn"] = -1'
mutate "guarded not boolean" 'pz["poisoned"][0]["guarded"] = 1'
mutate "schema version" 'd["schema_version"] = 3'
mutate "object arch" 'd["objects"][0]["arch"] = "sparc"'
mutate "shard key" 'd["shard"] = {"index": 1, "count": 2, "x": 0}'
mutate "missing kernels" 'del d["kernels"]'
echo "refused: $n mutated manifests"
echo PASS
