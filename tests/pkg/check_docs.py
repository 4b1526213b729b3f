#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check the installed man pages and bash completions against the help text
of the installed tools (the one source they are generated from).

    check_docs.py GEN_DOCS ROOT

For corelink and btfdb under ROOT/usr/bin: every command the help lists, every
subcommand a command's help lists (corelink bundle ls/get/verify), and every
option of the tool and of each command and subcommand (as scripts/gen-docs
finds them) must appear in the rendered man page (man -l, LC_ALL=C) and be
offered by the bash completion (sourced in bash: `TOOL CMD -<TAB>` and
`TOOL CMD SUB -<TAB>` list their options, `TOOL <TAB>` the commands, `TOOL CMD
<TAB>` the subcommands).  Prints the counts; exit 1 on a miss.
"""
import importlib.machinery
import importlib.util
import os
import subprocess
import sys


def load_gen(path):
    loader = importlib.machinery.SourceFileLoader('gen_docs', path)
    spec = importlib.util.spec_from_loader('gen_docs', loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def complete(comp_file, words):
    """COMPREPLY for the command line `words`, the last word being completed."""
    script = f'''source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
fn=$(complete -p "$1" | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')
"$fn"; printf '%s\\n' "${{COMPREPLY[@]}}"'''
    p = subprocess.run(['bash', '-c', script, 'x', comp_file, *words],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd='/')
    if p.returncode:
        sys.exit(f'check_docs: completion failed: {p.stderr}')
    return set(p.stdout.split())


def main():
    gen = load_gen(sys.argv[1])
    root = os.path.abspath(sys.argv[2])
    bad = 0
    for name in ('corelink', 'btfdb'):
        tool = os.path.join(root, 'usr/bin', name)
        page = os.path.join(root, 'usr/share/man/man1', name + '.1.gz')
        comp = os.path.join(root, 'usr/share/bash-completion/completions', name)
        _, main_help = gen.run(tool, '--help')
        cmds = gen.all_commands(tool, name, main_help)  # (command or "command sub", help)
        man = subprocess.run(['man', '-l', page], stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ, LC_ALL='C', MANWIDTH='200')).stdout
        words = set(man.replace(',', ' ').replace('[', ' ').replace(']', ' ').split())
        checked = nsub = 0
        for c, text in cmds:
            checked += 1
            *parent, word = c.split()
            nsub += bool(parent)
            if word not in words or (parent and f'{c}' not in ' '.join(man.split())):
                print(f'{name}: command {c} not in {name}(1)'); bad += 1
            if word not in complete(comp, [name, *parent, '']):
                print(f'{name}: command {c} not completed'); bad += 1
            if not text:
                print(f'{name}: command {c} has no help'); bad += 1
        groups = [(None, gen.options_in(main_help))]
        groups += [(c, gen.options_in(text)) for c, text in cmds]
        for c, opts in groups:
            offered = complete(comp, [name] + (c.split() if c else []) + ['-'])
            for o in opts:
                checked += 1
                if o not in words and not any(w.startswith(o + '=') for w in words):
                    print(f'{name}: option {o} ({c or "top level"}) not in {name}(1)'); bad += 1
                if o not in offered:
                    print(f'{name}: option {o} ({c or "top level"}) not completed'); bad += 1
        print(f'{name}: {len(cmds) - nsub} command(s), {nsub} subcommand(s), {checked} '
              f'command/option names checked against {name}(1) and the completion')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
