#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every object x kernel of a batch, rebuilt from its bundle, equals the batch's artifact.

    check_bundle.py CORELINK OUTDIR BUNDLE [--dump NAME=TOOL]...

OUTDIR holds the batch (manifest.json, objects/).  For every kernel x object:
  - `corelink bundle get BUNDLE OBJ --release R --arch A --distro D --version V
    --no-fallback -o X` gives the artifact's bytes (error entries: exit 1 and
    the manifest's message); its stdout names the kernel and the status;
  - each --dump tool (`TOOL BUNDLE DIR`: the C runtime alone, the Go reader)
    writes DIR/<kernel index>.<object> with the same bytes, and reports error
    entries as errors.
And `corelink bundle ls BUNDLE` lists the kernels in the manifest's order with
their identity (releases are front and back coded in the bundle) and the low 32
bits of the manifest's btf_hash.
Exit 0 when every comparison holds.
"""
import json
import os
import subprocess
import sys
import tempfile


def status_of(e):
    if e['status'] == 'ok':
        return 'ok'
    if e['status'] == 'error':
        return 'error'
    return 'poisoned' if any(not p.get('guarded') for p in e['poisoned']) else 'guarded'


def main():
    corelink, outdir, bundle = sys.argv[1:4]
    dumps = []
    args = sys.argv[4:]
    while args:
        if args[0] != '--dump' or len(args) < 2:
            sys.exit('usage: check_bundle.py CORELINK OUTDIR BUNDLE [--dump NAME=TOOL]...')
        name, _, tool = args[1].partition('=')
        dumps.append((name, tool))
        args = args[2:]
    m = json.load(open(os.path.join(outdir, 'manifest.json')))
    objs = [o['name'] for o in m['objects']]
    fails, compared = [], {'get': 0}
    ls = subprocess.run([corelink, 'bundle', 'ls', bundle], capture_output=True, text=True).stdout
    rows = ls[ls.index('kernels:\n') + 9:].splitlines() if 'kernels:\n' in ls else []
    if len(rows) != len(m['kernels']):
        fails.append('bundle ls: %d kernel rows, the manifest %d' % (len(rows), len(m['kernels'])))
    for row, k in zip(rows, m['kernels']):
        kid = '%s/%s/%s/%s' % (k['distro'], k['version'], k['arch'], k['release'])
        f = row.split()
        if f[:3] != [kid, 'btf', k['btf_hash'][-8:]]:
            fails.append('bundle ls: %r, expected %s btf %s' % (row, kid, k['btf_hash'][-8:]))
    compared['ls'] = len(rows)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'x.o')
        for k in m['kernels']:
            kid = '%s/%s/%s/%s' % (k['distro'], k['version'], k['arch'], k['release'])
            for name, e in zip(objs, k['objects']):
                if os.path.exists(out):
                    os.unlink(out)
                r = subprocess.run([corelink, 'bundle', 'get', bundle, name, '--release', k['release'],
                                    '--arch', k['arch'], '--distro', k['distro'], '--version',
                                    k['version'], '--no-fallback', '-o', out],
                                   capture_output=True, text=True)
                if e['status'] == 'error':
                    if r.returncode != 1 or e['error'] not in r.stderr or os.path.exists(out):
                        fails.append('%s %s: error entry: exit %d, %s' % (kid, name, r.returncode, r.stderr))
                    continue
                want = open(os.path.join(outdir, e['artifact']), 'rb').read()
                if r.returncode != 0:
                    fails.append('%s %s: bundle get exit %d: %s' % (kid, name, r.returncode, r.stderr))
                    continue
                if open(out, 'rb').read() != want:
                    fails.append('%s %s: bundle get bytes differ from %s' % (kid, name, e['artifact']))
                line = r.stdout.strip()
                if not line.startswith('exact %s artifact #' % kid) or not line.endswith('(%s)' % status_of(e)):
                    fails.append('%s %s: bundle get says %r' % (kid, name, line))
                compared['get'] += 1
        for label, tool in dumps:
            d = os.path.join(tmp, label)
            os.mkdir(d)
            r = subprocess.run([tool, bundle, d], capture_output=True, text=True)
            if r.returncode != 0:
                fails.append('%s: exit %d: %s' % (label, r.returncode, r.stderr[-500:]))
                continue
            lines = r.stdout.splitlines()
            compared[label] = 0
            i = 0
            for ki, k in enumerate(m['kernels']):
                for name, e in zip(objs, k['objects']):
                    line = lines[i] if i < len(lines) else ''
                    i += 1
                    head = '%d %s ' % (ki, name)
                    if e['status'] == 'error':
                        if not line.startswith(head + 'error ') or e['error'] not in line:
                            fails.append('%s: %r for an error entry' % (label, line))
                        continue
                    if line != head + 'exact ' + status_of(e):
                        fails.append('%s: %r, expected %r' % (label, line, head + 'exact ' + status_of(e)))
                    got = open(os.path.join(d, '%d.%s' % (ki, name)), 'rb').read()
                    want = open(os.path.join(outdir, e['artifact']), 'rb').read()
                    if got != want:
                        fails.append('%s: kernel %d %s differs from %s' % (label, ki, name, e['artifact']))
                    compared[label] += 1
            if i != len(lines):
                fails.append('%s: %d lines, expected %d' % (label, len(lines), i))
    for f in fails[:20]:
        print('FAIL', f)
    print('compared with the batch artifacts: ' + ', '.join('%s %d' % kv for kv in compared.items())
          + ' (%d kernels x %d objects)' % (len(m['kernels']), len(objs)))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
