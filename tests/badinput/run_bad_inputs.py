#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the malformed-input catalogue (tests/cli/bad_inputs/manifest).

    run_bad_inputs.py --manifest FILE [--manifest FILE2]... --corelink BIN --btfdb BIN
                      --bpf-dir DIR [--case NAME]... [--record] [--no-rlimit]

For every case: make its inputs (gen.py generators, committed files or built
test objects), hash them, run the command, then check
  - the exit code and the EXACT stderr (placeholders substituted),
  - the output file {out} was not created (or, for 'same_output' cases, that
    both runs wrote byte-identical outputs),
  - every input is byte-for-byte unchanged,
  - no temporary file was left next to the output.
--record prints what each case actually produced (to fill in the manifest).
--no-rlimit ignores 'limit_mb' (sanitizer builds reserve huge shadow memory).
Cases with 'needs mountns' (bind mounts, small tmpfs) skip unless this
process can mount in a private mount namespace (root, unshare -m); with
'needs file {bpf}/X' unless that test object was built (e.g. by GCC).
Exit 0 when every case passes, 1 otherwise.
"""
import argparse
import re
import hashlib
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_manifest(path):
    cases, cur = [], None
    for lineno, raw in enumerate(open(path), 1):
        line = raw.rstrip('\n')
        if not line.strip():
            cur = None
            continue
        if line.lstrip().startswith('#'):
            continue
        key, _, val = line.partition(' ')
        val = val.strip()
        if key == 'case':
            cur = dict(name=val, inputs=[], run=[], stderr=[], exit=None, line=lineno,
                       kind='error', limit_mb=None, fsize_kb=None, needs=[], timeout=30)
            cases.append(cur)
            continue
        if cur is None:
            raise SystemExit('%s:%d: directive outside a case' % (path, lineno))
        if key == 'input':
            name, _, spec = val.partition('=')
            cur['inputs'].append((name.strip(), spec.strip()))
        elif key == 'run':
            cur['run'].append(val)
        elif key == 'exit':
            cur['exit'] = int(val)
        elif key == 'stderr':
            cur['stderr'].append(val)
        elif key == 'stderr_re':
            cur['stderr_re'] = val
        elif key == 'kind':
            cur['kind'] = val
        elif key == 'limit_mb':
            cur['limit_mb'] = int(val)
        elif key == 'fsize_kb':
            cur['fsize_kb'] = int(val)
        elif key == 'needs':
            cur['needs'].append(val)
        elif key == 'timeout':
            cur['timeout'] = int(val)
        else:
            raise SystemExit('%s:%d: unknown directive %r' % (path, lineno, key))
    return cases


def sha(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def subst(s, env):
    # longest names first so {obj} does not clobber {obj2}
    for k in sorted(env, key=len, reverse=True):
        s = s.replace('{%s}' % k, env[k])
    return s


_MOUNTNS = None


def mountns_ok():
    """Can this process mount a tmpfs in a private mount namespace (root, unshare -m)?"""
    global _MOUNTNS
    if _MOUNTNS is None:
        d = tempfile.mkdtemp(prefix='badinput.ns.')
        try:
            r = subprocess.run(['unshare', '-m', 'sh', '-c', 'mount -t tmpfs -o size=16k x "$1"', 'sh', d],
                               capture_output=True)
            _MOUNTNS = r.returncode == 0
        except OSError:
            _MOUNTNS = False
        os.rmdir(d)
    return _MOUNTNS


def run_case(c, a):
    if 'mountns' in c['needs'] and not mountns_ok():
        return 'SKIP: needs root and a private mount namespace (unshare -m)'
    for n in c['needs']:
        what, _, path = n.partition(' ')
        path = path.replace('{bpf}', a.bpf_dir)
        if what == 'file' and not os.path.exists(path):
            return 'SKIP: %s not built' % path
    tmp = tempfile.mkdtemp(prefix='badinput.')
    try:
        return _run_case(c, a, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run_case(c, a, tmp):
    env = dict(tmp=tmp, bpf=a.bpf_dir, corelink=a.corelink, btfdb=a.btfdb,
               gen='%s %s' % (sys.executable, os.path.join(a.gen_dir, 'gen.py')),
               src=a.gen_dir, out=os.path.join(tmp, 'out.o'), out2=os.path.join(tmp, 'out2.o'))
    made = []
    for name, spec in c['inputs']:
        how, _, rest = spec.partition(' ')
        rest = subst(rest, env)
        if how == 'gen':
            path = os.path.join(tmp, name)
            args = shlex.split(rest)
            r = subprocess.run([sys.executable, os.path.join(a.gen_dir, 'gen.py'), args[0], path]
                               + args[1:], capture_output=True, text=True)
            if r.returncode:
                return 'generator failed: ' + r.stderr.strip()
        elif how == 'sh':
            path = os.path.join(tmp, name)
            env[name] = path
            r = subprocess.run(subst(rest, env), shell=True, capture_output=True, text=True)
            if r.returncode or not os.path.exists(path):
                return 'input command failed: ' + r.stderr.strip()
        elif how == 'file':
            path = os.path.join(a.gen_dir, rest)
        elif how == 'built':
            path = os.path.join(a.bpf_dir, rest)
            if not os.path.exists(path):
                return 'SKIP: %s not built' % path
        else:
            return 'unknown input kind %r' % how
        env[name] = path
        made.append(path)
    before = {p: sha(p) for p in made}
    listing = set(os.path.relpath(os.path.join(r, f), tmp)
                  for r, _, fs in os.walk(tmp) for f in fs)

    def limit():
        if c['limit_mb'] and not a.no_rlimit:
            n = c['limit_mb'] << 20
            resource.setrlimit(resource.RLIMIT_AS, (n, n))
        if c['fsize_kb'] is not None:
            # SIGXFSZ is back to its default here (subprocess restores it):
            # the tool must ignore it and report EFBIG
            n = c['fsize_kb'] << 10
            resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))

    results = []
    for cmd in c['run']:
        argv = shlex.split(subst(cmd, env))
        argv[0] = dict(corelink=a.corelink, btfdb=a.btfdb).get(argv[0], argv[0])
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=c['timeout'],
                               preexec_fn=limit)
        except subprocess.TimeoutExpired:
            return 'timed out after %ds (hang?)' % c['timeout']
        results.append(r)

    # reverse placeholders in what we saw, for --record and for messages
    def unsubst(s):
        for k in sorted(env, key=lambda k: len(env[k]), reverse=True):
            if k not in ('gen', 'corelink', 'btfdb') and env[k]:
                s = s.replace(env[k], '{%s}' % k)
        return s

    problems = []
    if a.record:
        for r in results:
            print('  exit %d' % r.returncode)
            for line in r.stderr.splitlines():
                print('  stderr ' + unsubst(line))
    if c['kind'] == 'error':
        r = results[0]
        if r.returncode != c['exit']:
            problems.append('exit %d, expected %d' % (r.returncode, c['exit']))
        got = r.stderr.rstrip('\n')
        want = subst('\n'.join(c['stderr']), env)
        if c.get('stderr_re'):
            # placeholders substituted literally, the rest is a full-match regex
            pat = c['stderr_re']
            for k in sorted(env, key=len, reverse=True):
                pat = pat.replace('{%s}' % k, re.escape(env[k]))
            ok = re.fullmatch(pat, got) is not None
            want = c['stderr_re']
        else:
            ok = got == want
        if not ok:
            problems.append('stderr differs:\n    got:      %s\n    expected: %s'
                            % (unsubst(got).replace('\n', '\n              '),
                               '\n              '.join(c['stderr'])))
        if os.path.exists(env['out']):
            problems.append('output file written on error')
    elif c['kind'] == 'exit':  # valid but extreme input: only the exit code matters
        r = results[0]
        if r.returncode != c['exit']:
            problems.append('exit %d, expected %d: %s' % (r.returncode, c['exit'], r.stderr[-300:]))
        if os.path.exists(env['out']):
            os.unlink(env['out'])
    elif c['kind'] == 'same_output':
        for i, r in enumerate(results):
            if r.returncode != 0:
                problems.append('run %d: exit %d: %s' % (i + 1, r.returncode, r.stderr.strip()))
        if not problems:
            o1, o2 = open(env['out'], 'rb').read(), open(env['out2'], 'rb').read()
            if o1 != o2:
                problems.append('outputs differ (%d vs %d bytes)' % (len(o1), len(o2)))
            os.unlink(env['out'])
            os.unlink(env['out2'])
    for p in made:
        if os.path.exists(p) and sha(p) != before[p]:
            problems.append('input %s was modified' % unsubst(p))
    left = []
    for root, dirs, files in os.walk(tmp):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), tmp)
            if rel not in listing and rel not in ('out.o', 'out2.o'):
                left.append(rel)
    left.sort()
    if left:
        problems.append('left behind: %s' % ' '.join(left))
    return '; '.join(problems) if problems else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--manifest', action='append',
                    help='a case file (repeatable; default: tests/cli/bad_inputs/manifest)')
    ap.add_argument('--corelink', required=True)
    ap.add_argument('--btfdb', default='btfdb')
    ap.add_argument('--bpf-dir', required=True)
    ap.add_argument('--case', action='append')
    ap.add_argument('--record', action='store_true')
    ap.add_argument('--no-rlimit', action='store_true')
    a = ap.parse_args()
    if not a.manifest:
        a.manifest = [os.path.join(HERE, '..', 'cli', 'bad_inputs', 'manifest')]
    a.gen_dir = os.path.dirname(os.path.abspath(a.manifest[0]))
    # the cases run commands in other directories (env -C)
    a.corelink, a.btfdb, a.bpf_dir = (os.path.abspath(a.corelink), os.path.abspath(a.btfdb),
                                      os.path.abspath(a.bpf_dir))
    if not os.access(a.corelink, os.X_OK):
        print('SKIP: %s not built' % a.corelink)
        return 77
    cases = [c for m in a.manifest for c in parse_manifest(m)]
    # slow runners (valgrind: scripts/valgrind) scale the per-case timeouts
    scale = float(os.environ.get('CORELINK_TIMEOUT_SCALE', '1'))
    for c in cases:
        c['timeout'] = int(c['timeout'] * scale)
    if a.case:
        cases = [c for c in cases if c['name'] in a.case]
    failed = skipped = 0
    for c in cases:
        if a.record:
            print('case %s' % c['name'])
        if c['fsize_kb'] is not None and os.environ.get('CORELINK_UNDER_VALGRIND'):
            res = 'SKIP: RLIMIT_FSIZE cases do not run under valgrind (SIGXFSZ kills valgrind itself)'
        else:
            res = run_case(c, a)
        if res and res.startswith('SKIP'):
            skipped += 1
            print('skip %-36s %s' % (c['name'], res))
        elif res:
            failed += 1
            print('FAIL %-36s (manifest line %d) %s' % (c['name'], c['line'], res))
        else:
            print('ok   %s' % c['name'])
    print('%d cases: %d passed, %d failed, %d skipped'
          % (len(cases), len(cases) - failed - skipped, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
