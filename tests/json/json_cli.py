#!/usr/bin/env python3
"""-j/--json on every command of corelink and btfdb (ctest json.cli, label cli).

    json_cli.py CORELINK BTFDB BPF_DIR SCHEMA_DIR

Every command is run with --json in its success and failure cases: stdout
must be exactly one JSON document (json.loads of the whole of it), valid
against its schema in docs/schema (python3-jsonschema, Draft 2020-12), with
"exit_code" equal to the process's exit status, which must be the one the
command documents; on a failure the document is the error document and its
"error" is the message printed on stderr.  The documents are checked
against what the text output, the files written and the manifest say.
Every command's help lists -j/--json, and help with --json is the same text
as a document, for every command and subcommand of the command table
('corelink help CMD [SUB] -j' == 'corelink CMD [SUB] -h -j').  Batch's old
"-j N" keeps meaning --jobs N, with one deprecation warning (none with -q);
the old batch form without the word 'batch' gives the same document.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("FAIL: python3-jsonschema is missing (scripts/setup installs it)")
    sys.exit(1)

CL, DB, BPF, SCHEMAS = sys.argv[1:5]
T = tempfile.mkdtemp(prefix="corelink-json.")
fails = []
validated = {}
checks = 0


def schema_file(name):
    if name.endswith("-error"):
        return "cli-error"
    if name.endswith("-help"):
        return "cli-help"
    return name


_validators = {}


def validator(name):
    if name not in _validators:
        with open(os.path.join(SCHEMAS, schema_file(name) + ".schema.json")) as f:
            s = json.load(f)
        jsonschema.Draft202012Validator.check_schema(s)
        _validators[name] = jsonschema.Draft202012Validator(s)
    return _validators[name]


def check(name, cond, why=""):
    global checks
    checks += 1
    if cond:
        return True
    fails.append(f"{name}: {why}")
    print(f"FAIL {name}: {why}")
    return False


def run(name, args, rc, schema=None, text=False):
    """Run a command; check its exit status and, with schema, that stdout
    is one valid document of that schema.  Returns (doc, stdout, stderr)."""
    p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True)
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    ok = check(name, p.returncode == rc,
               f"exit {p.returncode}, expected {rc}\n  stdout: {out[:1500]}\n  stderr: {err[:1500]}")
    if schema is None:
        return None, out, err
    try:
        doc = json.loads(out)  # the whole of stdout: one document, nothing else
    except ValueError as e:
        check(name, False, f"stdout is not one JSON document ({e}): {out[:800]!r}")
        return None, out, err
    check(name, out.endswith("}\n"), "stdout does not end with the document and a newline")
    if not check(name, isinstance(doc, dict) and doc.get("schema") == schema,
                 f"schema {doc.get('schema') if isinstance(doc, dict) else doc!r}, expected {schema}"):
        return doc, out, err
    errors = sorted(validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    if check(name, not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])):
        validated[schema] = validated.get(schema, 0) + 1
    check(name, doc.get("exit_code") == p.returncode,
          f"exit_code {doc.get('exit_code')} != exit status {p.returncode}")
    if schema.endswith("-error"):
        check(name, doc["error"] in err, f"the error {doc['error']!r} is not on stderr: {err!r}")
        tool = schema.split("-")[0]
        lines = [l for l in err.splitlines() if l.startswith(tool + ": ")]
        check(name, doc["messages"] == lines, f"messages {doc['messages']} != stderr lines {lines}")
    return doc, out, err


def err_doc(name, args, rc, tool="corelink", contains=None):
    doc, _, err = run(name, args, rc, f"{tool}-error")
    if doc and contains:
        check(name, contains in doc.get("error", ""), f"error {doc.get('error')!r} lacks {contains!r}")
    return doc


def help_pair(name, text_args, json_args, tool="corelink", lists_json=True):
    """The help as text (exit 0, lists -j/--json) and as a document (the same text)."""
    _, text, _ = run(name + ".text", text_args, 0)
    check(name + ".text", not lists_json or "-j, --json" in text,
          f"help does not list -j, --json:\n{text}")
    doc, _, _ = run(name + ".json", json_args, 0, f"{tool}-help")
    if doc and "text" in doc:
        check(name + ".json", doc["text"] == text, "help document text differs from the help")


def nfiles(d):
    return len(os.listdir(d)) if os.path.isdir(d) else 0


# ---------------------------------------------------------------------------
# corelink: the default command (one object, one kernel)
# ---------------------------------------------------------------------------
tg = os.path.join(BPF, "targets")
exist = os.path.join(BPF, "core_existence.bpf.o")
bits = os.path.join(BPF, "core_bitfields.bpf.o")
basic = os.path.join(BPF, "objio_basic.bpf.o")
needs = os.path.join(BPF, "objio_needs.bpf.o")
base_t = os.path.join(tg, "existence__base.o")
min_t = os.path.join(tg, "existence__minimal.o")
err_t = os.path.join(tg, "bitfields___err_too_big_bitfield.o")

help_pair("relocate.help", [CL, "-h"], [CL, "-h", "--json"])
help_pair("version", [CL, "--version"], [CL, "--version", "-j"], lists_json=False)
# every command and subcommand of the table: help CMD == CMD -h, as text and as a document
for words in (["relocate"], ["batch"], ["pick"], ["merge"], ["report"], ["bundle"], ["bundle", "ls"],
              ["bundle", "get"], ["bundle", "verify"], ["help"]):
    name = "help." + "_".join(words)
    help_pair(name, [CL, "help"] + words, [CL, "help"] + words + ["--json"])
    d1, _, _ = run(name + ".h_json", [CL] + words + ["-h", "-j"], 0, "corelink-help")
    d2, _, _ = run(name + ".json2", [CL, "help"] + words + ["-j"], 0, "corelink-help")
    if d1 and d2:
        check(name + ".h_json", d1["text"] == d2["text"], "CMD -h -j differs from help CMD -j")
d = err_doc("unknown_command", [CL, "frobnicate", "-j"], 2, contains="unknown command 'frobnicate'")
if d:
    check("unknown_command.command", d.get("command") is None,
          f"an unknown command's document names command {d.get('command')!r}, want null")
err_doc("help.unknown", [CL, "help", "frobnicate", "-j"], 2, contains="no command 'frobnicate'")

VLINE = re.compile(r"^(\S+) (\S+) insn #(\d+) (\S+): (.*): (\d+) -> (\d+)$")
VPOIS = re.compile(r"^(\S+) (\S+) insn #(\d+) (\S+): (.*): POISONED: (.*)$")


def compare_verbose(name, doc, text):
    """Every relocation of the JSON document against the -v line for it."""
    lines = text.splitlines()
    if not check(name, len(lines) == len(doc["relocations"]),
                 f"{len(lines)} -v lines, {len(doc['relocations'])} relocations"):
        return
    for line, r in zip(lines, doc["relocations"]):
        m = VLINE.match(line) or VPOIS.match(line)
        if not check(name, m is not None, f"unexpected -v line {line!r}"):
            return
        g = m.groups()
        same = (g[0] == r["section"] and g[1] == r["program"] and int(g[2]) == r["insn"] and
                g[3] == r["kind"] and g[4] == r["spec"])
        if r["status"] == "ok":
            same = same and m.re is VLINE and int(g[5]) == r["old_value"] and int(g[6]) == r["new_value"]
        else:
            same = same and m.re is VPOIS and r["status"] == "poisoned" and g[5] == r["reason"]
        if not check(name, same, f"-v {line!r} vs JSON {r}"):
            return


# all applied
out_ok = os.path.join(T, "ok.o")
doc, _, err = run("relocate.ok", [CL, exist, "--btf", base_t, "-o", out_ok, "--json"], 0,
                  "corelink-relocate")
_, vtext, _ = run("relocate.ok.verbose", [CL, exist, "--btf", base_t, "-o", os.path.join(T, "okv.o"), "-v"], 0)
if doc:
    c = doc["counts"]
    check("relocate.ok", doc["status"] == "ok" and doc["written"] and os.path.isfile(out_ok) and
          c["records"] == c["ok"] == len(doc["relocations"]) > 0 and not doc["errors"],
          f"status {doc['status']}, counts {c}")
    check("relocate.ok", all(r["target_type"] == "struct core_existence" and r["target_type_id"] > 0
                             and r["local_type"] == "struct core_existence"
                             and re.fullmatch(r"[0-9:]+", r["access"])
                             and r["insn_off"] == 8 * r["insn"] for r in doc["relocations"]),
          "a relocation lacks its types, access string or offset")
    check("relocate.ok", doc["target"] == {"btf": base_t, "release": None}, f"target {doc['target']}")
    compare_verbose("relocate.ok.verbose", doc, vtext)
    # -v with --json: the -v lines do not reach stdout
    run("relocate.verbose_json", [CL, exist, "--btf", base_t, "-o", out_ok, "-v", "-j"], 0,
        "corelink-relocate")

# poisoned: a written output, each poison with its reason, one warning each
out_p = os.path.join(T, "poison.o")
doc, _, err = run("relocate.poisoned", [CL, basic, "--btf", needs, "-o", out_p, "-j"], 0,
                  "corelink-relocate")
_, vtext, _ = run("relocate.poisoned.verbose", [CL, basic, "--btf", needs, "-o", out_p, "-v"], 0)
if doc:
    pz = [r for r in doc["relocations"] if r["poisoned"]]
    check("relocate.poisoned", doc["status"] == "poisoned" and doc["written"] and
          len(pz) == doc["counts"]["poisoned"] > 0 and all(r["reason"] for r in pz),
          f"status {doc['status']}, {len(pz)} poisoned")
    warn = [l[len("corelink: warning: " + basic + ": "):] for l in err.splitlines()
            if l.startswith("corelink: warning: ")]
    check("relocate.poisoned", doc["warnings"] == warn,
          f"warnings differ from stderr:\n{doc['warnings']}\n{warn}")
    compare_verbose("relocate.poisoned.verbose", doc, vtext)
    # -q silences stderr, not the document
    d2, _, e2 = run("relocate.poisoned.quiet", [CL, basic, "--btf", needs, "-o", out_p, "-qj"], 0,
                    "corelink-relocate")
    check("relocate.poisoned.quiet", e2 == "" and d2 and d2["warnings"] == doc["warnings"],
          f"stderr {e2!r}")

# --strict: exit 1, nothing written, the document says why
out_s = os.path.join(T, "strict.o")
doc, _, err = run("relocate.strict", [CL, basic, "--btf", needs, "-o", out_s, "--strict", "--json"], 1,
                  "corelink-relocate")
if doc:
    check("relocate.strict", doc["status"] == "error" and not doc["written"] and
          not os.path.exists(out_s) and doc["strict"] and len(doc["errors"]) == 1 and
          ("corelink: " + doc["errors"][0]) in err.splitlines(), f"{doc['status']} {doc['errors']} / {err}")

# a hard relocation error: exit 1, the failing relocation with libbpf's errno
doc, _, err = run("relocate.error", [CL, bits, "--btf", err_t, "-o", os.path.join(T, "e.o"), "-j"], 1,
                  "corelink-relocate")
if doc:
    bad = [r for r in doc["relocations"] if r["status"] == "error"]
    check("relocate.error", doc["status"] == "error" and len(bad) == 1 and
          bad[0]["errno_name"] == "E2BIG" and not bad[0]["bad_input"] and
          bad[0] is doc["relocations"][-1] and
          ("corelink: " + doc["errors"][0]) == err.splitlines()[-1],
          f"{doc['status']} {bad} {doc['errors']}")

# a database target
db = os.path.join(T, "synth.db")
run("btfdb.build.synth", [DB, "build", base_t, "--name", "synth/1/x86_64/base", "-o", db, "-q"], 0)
doc, _, _ = run("relocate.db", [CL, exist, "--db", db, "--kernel", "base", "-o", os.path.join(T, "db.o"), "-j"],
                0, "corelink-relocate")
if doc:
    check("relocate.db", doc["target"] == {"db": db, "kernel": "base", "release": "base"},
          f"target {doc['target']}")
# the explicit command: the same document as the default form
d1, _, _ = run("relocate.cmd", [CL, "relocate", exist, "--btf", base_t, "-o", os.path.join(T, "c1.o"), "-j"], 0,
               "corelink-relocate")
d2, _, _ = run("relocate.cmd.default", [CL, exist, "--btf", base_t, "-o", os.path.join(T, "c1.o"), "-j"], 0,
               "corelink-relocate")
check("relocate.cmd", d1 is not None and d1 == d2, "relocate -j and the default form's -j differ")

# failures before any relocation: the error document
err_doc("relocate.usage", [CL, "--bogus", "-j"], 2, contains="unknown option '--bogus'")
err_doc("relocate.usage_noout", [CL, exist, "--json"], 2, contains="missing -o OUT.o")
err_doc("relocate.missing", [CL, os.path.join(T, "nope.o"), "--btf", base_t, "-o", os.path.join(T, "n.o"), "-j"],
        2, contains="No such file")
err_doc("relocate.bad_target", [CL, exist, "--btf", exist + ".nope", "-o", os.path.join(T, "n.o"), "-j"], 2)
# "--" ends the options: a later -j is an argument, not --json
run("relocate.dashdash", [CL, "--", "-j"], 2)

# ---------------------------------------------------------------------------
# corelink batch
# ---------------------------------------------------------------------------
ks = ["--btf", base_t, "--btf-name", "synth/1/x86_64/base",
      "--btf", min_t, "--btf-name", "synth/1/x86_64/minimal",
      "--btf", err_t, "--btf-name", "synth/2/aarch64/err"]
BATCH = [CL, "batch", exist, bits] + ks
help_pair("batch.help", [CL, "batch", "-h"], [CL, "batch", "-h", "--json"])
bdir = os.path.join(T, "b")
doc, _, err = run("batch.json", BATCH + ["-o", bdir, "--jobs", "1", "--json"], 0, "corelink-batch")
if doc:
    m = json.load(open(os.path.join(bdir, "manifest.json")))
    ents = [(k, e) for k in m["kernels"] for e in k["objects"]]
    cnt = {s: sum(1 for _, e in ents if e["status"] == s) for s in ("ok", "poisoned", "error")}
    check("batch.json", doc["manifest"] == os.path.join(bdir, "manifest.json") and
          doc["kernels"] == len(m["kernels"]) == 3 and doc["counts"]["entries"] == len(ents) == 6 and
          all(doc["counts"][s] == cnt[s] for s in cnt) and cnt["ok"] and cnt["poisoned"] and cnt["error"] and
          len(doc["problems"]) == cnt["poisoned"] + cnt["error"] and
          doc["counts"]["unique"] == nfiles(os.path.join(bdir, "objects")) and
          not doc["failed"] and doc["fail_on"] is None,
          f"summary {doc['counts']} vs manifest {cnt}")
    # the summary line on stderr says the same
    check("batch.json", f"{cnt['ok']} ok, {cnt['poisoned']} poisoned, {cnt['error']} error" in err, err)
# the old form without the word 'batch': the same document, a deprecation note on stderr
NOTE = "corelink: note: a batch without the word 'batch' is deprecated"
d1, _, _ = run("batch.same", BATCH + ["-o", os.path.join(T, "bo1"), "-q", "-j"], 0, "corelink-batch")
d2, _, err = run("batch.old_form", [CL, exist, bits] + ks + ["-o", os.path.join(T, "bo2"), "-q", "-j"], 0,
                 "corelink-batch")
if d1 and d2:
    check("batch.old_form", err.count(NOTE) == 1 and err.startswith(NOTE), f"stderr {err!r}")
    same = [k for k in d1 if k not in ("manifest", "output_dir") and d1[k] != d2[k]]
    check("batch.old_form", not same and open(os.path.join(T, "bo1", "manifest.json")).read() ==
          open(os.path.join(T, "bo2", "manifest.json")).read(), f"documents differ in {same}")
# an object built for one architecture: not relocated for the aarch64 kernel
doc, _, _ = run("batch.arch", [CL, "batch", exist + "@x86_64", bits] + ks + ["-o", os.path.join(T, "ba"), "-q", "-j"], 0,
                "corelink-batch")
if doc:
    ob = {o["name"]: o for o in doc["objects"]}
    e = ob.get("core_existence.bpf.o", {})
    check("batch.arch", e.get("arch") == "x86_64" and e.get("skipped") == 1 and
          e["ok"] + e["poisoned"] + e["error"] == 2 and doc["counts"]["skipped"] == 1 and
          doc["counts"]["entries"] == 5 and
          not any(p["object"] == "core_existence.bpf.o" and p["kernel"].endswith("/err")
                  for p in doc["problems"]), f"{doc['objects']} {doc['counts']}")
# --previous: a rerun reuses every entry
doc, _, _ = run("batch.previous", BATCH + ["-o", os.path.join(T, "bp"), "-q", "--previous",
                                           os.path.join(bdir, "manifest.json"), "-j"], 0, "corelink-batch")
if doc:
    check("batch.previous", doc["counts"]["reused"] == 6 and doc["counts"]["kernels_reused"] == 3 and
          doc["counts"]["kernels_relocated"] == 0 and doc["previous"] == os.path.join(bdir, "manifest.json"),
          f"{doc['counts']}")
doc, _, _ = run("batch.fail_on", BATCH + ["-o", os.path.join(T, "b2"), "-J", "1", "-q", "--fail-on", "error", "-j"],
                1, "corelink-batch")
if doc:
    check("batch.fail_on", doc["failed"] and doc["fail_on"] == "error", f"{doc['failed']} {doc['fail_on']}")
err_doc("batch.usage", BATCH + ["--json"], 2, contains="missing -o OUTDIR")
err_doc("batch.bad_jobs", BATCH + ["-o", os.path.join(T, "b3"), "--jobs", "x", "-j"], 2, contains="--jobs")
# the old -j N: jobs, text output, one warning (none with -q)
DEPREC = "corelink: warning: '-j N' is deprecated"
for name, extra in (("batch.old_j", ["-j", "1"]), ("batch.old_j_glued", ["-j1"])):
    _, out, err = run(name, BATCH + ["-o", os.path.join(T, "b4"), "-q"][:-1] + extra, 0)
    check(name, out == "" and err.count(DEPREC) == 1, f"stdout {out[:200]!r}, stderr {err!r}")
    _, out, err = run(name + ".quiet", BATCH + ["-o", os.path.join(T, "b4"), "-q"] + extra, 0)
    check(name + ".quiet", out == "" and err == "", f"stdout {out[:200]!r}, stderr {err!r}")
# both: old -j N for jobs and -j for JSON
doc, _, err = run("batch.old_j_and_json", BATCH + ["-o", os.path.join(T, "b5"), "-j", "2", "-j"], 0,
                  "corelink-batch")
check("batch.old_j_and_json", err.count(DEPREC) == 1, err)

# ---------------------------------------------------------------------------
# corelink pick, merge, report
# ---------------------------------------------------------------------------
mf = os.path.join(bdir, "manifest.json")
help_pair("pick.help", [CL, "pick", "-h"], [CL, "pick", "-h", "-j"])
q = ["--release", "base", "--arch", "x86_64", "--distro", "synth", "--distro-version", "1",
     "--object", "core_existence.bpf.o"]
_, text_path, _ = run("pick.text", [CL, "pick", mf] + q, 0)
doc, _, _ = run("pick.json", [CL, "pick", mf] + q + ["--json"], 0, "corelink-pick")
if doc:
    check("pick.json", doc["path"] == text_path.strip() and os.path.isfile(doc["path"]) and
          doc["kernel"] == "synth/1/x86_64/base" and doc["status"] == "ok" and
          doc["query"]["release"] == "base", f"{doc['path']} vs {text_path!r}")
# --version, the older spelling of --distro-version
d2, _, _ = run("pick.version_compat", [CL, "pick", mf] + [a if a != "--distro-version" else "--version" for a in q]
               + ["-j"], 0, "corelink-pick")
check("pick.version_compat", doc is not None and d2 == doc, "--version and --distro-version differ")
err_doc("pick.none", [CL, "pick", mf, "--release", "9.9.9", "--arch", "x86_64", "-j"], 1)
err_doc("pick.usage", [CL, "pick", "-j"], 2, contains="missing MANIFEST")

help_pair("merge.help", [CL, "merge", "-h"], [CL, "merge", "-h", "-j"])
shards = []
for i in (1, 2):
    d = os.path.join(T, f"s{i}")
    run(f"merge.shard{i}", BATCH + ["-o", d, "-q", "--shard", f"{i}/2"], 0)
    shards.append(os.path.join(d, "manifest.json"))
merged = os.path.join(T, "merged", "manifest.json")
os.makedirs(os.path.dirname(merged))
doc, _, _ = run("merge.json", [CL, "merge"] + shards + ["-o", merged, "--json"], 0, "corelink-merge")
if doc:
    check("merge.json", doc["inputs"] == shards and doc["output"] == merged and doc["kernels"] == 3 and
          doc["counts"]["entries"] == 6 and os.path.isfile(merged), f"{doc}")
badmf = os.path.join(T, "bad.json")
open(badmf, "w").write("{ not json")
err_doc("merge.bad_manifest", [CL, "merge", shards[0], badmf, "-o", os.path.join(T, "m2.json"), "-j"], 1)
err_doc("merge.usage", [CL, "merge", shards[0], "-j"], 2)

help_pair("report.help", [CL, "report", "-h"], [CL, "report", "-h", "-j"])
rj = os.path.join(T, "report.json")
run("report.file", [CL, "report", mf, "-o", rj], 0)
doc, _, _ = run("report.json", [CL, "report", mf, "--json"], 0, "corelink-report")
if doc:
    want = json.load(open(rj))
    got = dict(doc)
    del got["exit_code"]
    check("report.json", got == want, "the --json report differs from report -o FILE.json")
rmd = os.path.join(T, "report.md")
doc, _, _ = run("report.json_and_md", [CL, "report", mf, "-j", "-o", rmd], 0, "corelink-report")
check("report.json_and_md", os.path.getsize(rmd) > 0 if os.path.exists(rmd) else False, "no Markdown written")
err_doc("report.stdout_twice", [CL, "report", mf, "-o", "-", "-j"], 2)
err_doc("report.bad_manifest", [CL, "report", badmf, "-j"], 1)
err_doc("report.usage", [CL, "report", "-j"], 2)

# ---------------------------------------------------------------------------
# corelink bundle
# ---------------------------------------------------------------------------
help_pair("bundle.help", [CL, "bundle", "-h"], [CL, "bundle", "-h", "-j"])
bun = os.path.join(T, "app.bundle")
doc, _, _ = run("bundle.json", [CL, "bundle", mf, exist, bits, "-o", bun, "-j"], 0, "corelink-bundle")
if doc:
    check("bundle.json", doc["bytes"] == os.path.getsize(bun) and doc["objects"] == 2 and doc["kernels"] == 3,
          f"{doc}")
def ls_vs_text(name, doc, text, m):
    """bundle ls --json against the text listing and the manifest."""
    lines = text.splitlines()
    objs = lines[lines.index("objects:") + 1:lines.index("artifacts:")]
    arts = lines[lines.index("artifacts:") + 1:lines.index("kernels:")]
    kers = lines[lines.index("kernels:") + 1:]
    check(name, [(o.split()[0], o.split()[1]) for o in objs] ==
          [(o["name"], o["arch"] or "any") for o in doc["objects"]], f"objects {objs} vs {doc['objects']}")
    check(name, [(int(a.split()[0][1:]), int(a.split()[2]), a.split()[8]) for a in arts] ==
          [(a["index"], a["size"], a["hash"]) for a in doc["artifacts"]], "artifacts differ from the text")
    check(name, [k.split()[0] for k in kers] ==
          ["/".join((k["distro"], k["version"], k["arch"], k["release"])) for k in doc["kernels"]] and
          [k.split()[2] for k in kers] == [k["btf_hash"] for k in doc["kernels"]] and
          [k["btf_hash"] for k in m["kernels"]] and
          [k["btf_hash"][-8:] for k in m["kernels"]] == [k["btf_hash"] for k in doc["kernels"]],
          "kernels or BTF hashes differ from the text or the manifest")
    # each kernel's entries: the manifest's statuses, per build (a build the manifest's
    # kernel does not list is one for another arch: skipped; poisoned with every poison
    # guarded is the bundle's "guarded")
    mobj = [(o["name"], o.get("arch") or None) for o in m["objects"]]
    for mk, k in zip(m["kernels"], doc["kernels"]):
        have = {(e["object"], e.get("arch") or None): e for e in mk["objects"]}
        want, got = [], []
        for (oname, oarch), e in zip(mobj, k["entries"]):
            me = have.get((oname, oarch))
            want.append("skipped" if me is None else me["status"])
            got.append("poisoned" if e["status"] == "guarded" else e["status"])
            if me is not None and e["status"] == "guarded":
                check(name, all(p.get("guarded") for p in me.get("poisoned", [])),
                      f"kernel {k['release']}: guarded in the bundle, not every poison guarded in the manifest")
        if not check(name, got == want and len(k["entries"]) == len(mobj) and
                     [e["name"] for e in k["entries"]] == [o for o, _ in mobj] and
                     all((e["artifact"] is None) == (e["status"] in ("error", "skipped"))
                         for e in k["entries"]),
                     f"kernel {k['release']}: entries {got} vs manifest {want}"):
            break


doc, _, _ = run("bundle.ls", [CL, "bundle", "ls", bun, "--json"], 0, "corelink-bundle-ls")
_, ls_text, _ = run("bundle.ls.text", [CL, "bundle", "ls", bun], 0)
if doc:
    ls_vs_text("bundle.ls", doc, ls_text, json.load(open(mf)))
# objects built for one arch each (given per object): each record's arch, the other arch's entries skipped
abdir = os.path.join(T, "two")
run("bundle.two_arch.batch", [CL, "batch", exist + "@x86_64", bits + "@aarch64"] + ks + ["-o", abdir, "-q"], 0)
bun2 = os.path.join(T, "two.bundle")
run("bundle.two_arch.build", [CL, "bundle", os.path.join(abdir, "manifest.json"), exist, bits, "-o", bun2, "-q"], 0)
doc, _, _ = run("bundle.two_arch.ls", [CL, "bundle", "ls", bun2, "-j"], 0, "corelink-bundle-ls")
_, ls_text, _ = run("bundle.two_arch.ls.text", [CL, "bundle", "ls", bun2], 0)
if doc:
    check("bundle.two_arch.ls", [o["arch"] for o in doc["objects"]] == ["x86_64", "aarch64"] and
          sum(e["status"] == "skipped" for k in doc["kernels"] for e in k["entries"]) == 3,
          f"{doc['objects']} / {[[e['status'] for e in k['entries']] for k in doc['kernels']]}")
    ls_vs_text("bundle.two_arch.ls", doc, ls_text, json.load(open(os.path.join(abdir, "manifest.json"))))
got_o = os.path.join(T, "got.o")
doc, _, _ = run("bundle.get", [CL, "bundle", "get", bun, "core_existence.bpf.o", "--release", "base",
                               "--arch", "x86_64", "--distro", "synth", "--distro-version", "1", "-o", got_o,
                               "-j"],
                0, "corelink-bundle-get")
if doc:
    check("bundle.get", doc["how"] == "exact" and doc["kernel"]["release"] == "base" and
          doc["bytes"] == os.path.getsize(got_o) and
          open(got_o, "rb").read() == open(os.path.join(bdir, json.load(open(mf))["kernels"][0]["objects"][0]
                                                        ["artifact"]), "rb").read(),
          f"{doc}")
err_doc("bundle.get_none", [CL, "bundle", "get", bun, "core_existence.bpf.o", "--release", "9.9",
                            "--arch", "x86_64", "--no-fallback", "-o", got_o, "-j"], 1)
doc, _, _ = run("bundle.verify", [CL, "bundle", "verify", bun, "-j"], 0, "corelink-bundle-verify")
dmg = os.path.join(T, "damaged.bundle")
data = bytearray(open(bun, "rb").read())
data[len(data) // 2] ^= 0xff
open(dmg, "wb").write(data)
err_doc("bundle.verify_damaged", [CL, "bundle", "verify", dmg, "-j"], 2)
err_doc("bundle.usage", [CL, "bundle", "ls", "-j"], 2)

# ---------------------------------------------------------------------------
# btfdb: every command
# ---------------------------------------------------------------------------
help_pair("btfdb.help", [DB, "--help"], [DB, "--help", "--json"], "btfdb")
help_pair("btfdb.version", [DB, "--version"], [DB, "--version", "-j"], "btfdb", lists_json=False)
for c in ("build", "add", "rm", "compact", "ls", "info", "show", "extract", "verify"):
    help_pair("btfdb.help." + c, [DB, "help", c], [DB, c, "-h", "-j"], "btfdb")
bdb = os.path.join(T, "k.db")
doc, _, _ = run("btfdb.build", [DB, "build", base_t, "--name", "synth/1/x86_64/base", "-o", bdb, "-j"], 0,
                "btfdb-write")
if doc:
    check("btfdb.build", doc["command"] == "build" and doc["kernels"] == 1 and
          doc["added"] == [{"name": "synth/1/x86_64/base", "raw": False}] and
          doc["file_size"] == os.path.getsize(bdb), f"{doc}")
doc, _, _ = run("btfdb.add", [DB, "add", bdb, min_t, "--name", "synth/1/x86_64/minimal", "-j", "-q"], 0,
                "btfdb-write")
if doc:
    check("btfdb.add", doc["kernels"] == 2 and doc["added"][0]["name"] == "synth/1/x86_64/minimal", f"{doc}")
err_doc("btfdb.add_dup", [DB, "add", bdb, min_t, "--name", "synth/1/x86_64/minimal", "-j"], 1, "btfdb",
        "already")
doc, _, _ = run("btfdb.ls", [DB, "ls", bdb, "--json"], 0, "btfdb-ls")
_, ls_text, _ = run("btfdb.ls.text", [DB, "ls", bdb], 0)
if doc:
    rows = [l.split() for l in ls_text.splitlines()[1:]]
    check("btfdb.ls", [(k["name"], k["types"], k["btf_bytes"], k["own_bytes"], k["xxh3"]) for k in doc["kernels"]]
          == [(r[0], int(r[1]), int(r[2]), int(r[3]), r[4]) for r in rows] and
          doc["kernels"][0]["distro"] == "synth" and doc["kernels"][0]["arch"] == "x86_64",
          f"{doc['kernels']} vs {rows}")
doc, _, _ = run("btfdb.info", [DB, "info", bdb, "-j"], 0, "btfdb-info")
if doc:
    check("btfdb.info", doc["kernels"] == 2 and doc["file_size"] == os.path.getsize(bdb), f"{doc}")
doc, _, _ = run("btfdb.show", [DB, "show", bdb, "base", "core_existence", "-j"], 0, "btfdb-show")
_, show_text, _ = run("btfdb.show.text", [DB, "show", bdb, "base", "core_existence"], 0)
if doc:
    t0 = doc["types"][0]
    check("btfdb.show", t0["kind"] == "struct" and t0["c"] in show_text and
          f"/* [{t0['id']}] struct 'core_existence' */" in show_text, f"{t0}")
err_doc("btfdb.show_none", [DB, "show", bdb, "base", "no_such_type", "-j"], 1, "btfdb", "no type named")
ext = os.path.join(T, "base.btf")
doc, _, _ = run("btfdb.extract", [DB, "extract", bdb, "base", "-o", ext, "-j"], 0, "btfdb-extract")
if doc:
    check("btfdb.extract", doc["bytes"] == os.path.getsize(ext) and doc["kernel"] == "synth/1/x86_64/base",
          f"{doc}")
err_doc("btfdb.extract_stdout", [DB, "extract", bdb, "base", "-o", "-", "-j"], 2, "btfdb")
doc, _, _ = run("btfdb.verify", [DB, "verify", bdb, "-j"], 0, "btfdb-verify")
doc, _, _ = run("btfdb.rm", [DB, "rm", bdb, "minimal", "-j", "-q"], 0, "btfdb-write")
if doc:
    check("btfdb.rm", doc["removed"] == "minimal" and doc["kernels"] == 1, f"{doc}")
doc, _, _ = run("btfdb.compact", [DB, "compact", bdb, "-j"], 0, "btfdb-write")
err_doc("btfdb.rm_missing", [DB, "rm", bdb, "no/such/kernel", "-j"], 1, "btfdb")
dmgdb = os.path.join(T, "damaged.db")
data = bytearray(open(bdb, "rb").read())
data[len(data) // 2] ^= 0xff
open(dmgdb, "wb").write(data)
err_doc("btfdb.verify_damaged", [DB, "verify", dmgdb, "-j"], 2, "btfdb")
err_doc("btfdb.usage", [DB, "ls", "-j"], 2, "btfdb")
err_doc("btfdb.unknown", [DB, "frobnicate", "-j"], 2, "btfdb", "unknown command")
err_doc("btfdb.missing_db", [DB, "info", os.path.join(T, "nope.db"), "-j"], 2, "btfdb")

shutil.rmtree(T)
total = sum(validated.values())
print(f"{checks} checks; {total} documents valid against {len(validated)} schemas: " +
      ", ".join(f"{k} {v}" for k, v in sorted(validated.items())))
missing = {f[:-len(".schema.json")] for f in os.listdir(SCHEMAS) if f.endswith(".schema.json")} - \
    {schema_file(k) for k in validated} - {"corelink-manifest"}
check("schemas.all_used", not missing, f"no document was validated against {sorted(missing)}")
if fails:
    print(f"{len(fails)} FAILED")
    sys.exit(1)
print("all passed")
