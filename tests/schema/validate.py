#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A JSON Schema (2020-12) validator for the subset docs/schema/*.json use.

    validate.py SCHEMA DOC...        exit 0 when every DOC is valid, else 1 (errors printed)

python3's standard library has no jsonschema.  Keywords handled: type, const,
enum, required, properties, additionalProperties (false), items, minItems,
minimum, maximum, pattern, $ref (#/$defs/NAME), oneOf, anyOf, not.  A schema
that uses any other keyword is refused, so that no rule is silently skipped.
"""
import json
import re
import sys

ANNOTATIONS = {'$schema', '$id', 'title', 'description', '$defs'}
HANDLED = {'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items',
           'minItems', 'minimum', 'maximum', 'pattern', '$ref', 'oneOf', 'anyOf', 'not'}
TYPES = {
    'object': lambda v: isinstance(v, dict),
    'array': lambda v: isinstance(v, list),
    'string': lambda v: isinstance(v, str),
    'integer': lambda v: isinstance(v, int) and not isinstance(v, bool),
    'number': lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    'boolean': lambda v: isinstance(v, bool),
    'null': lambda v: v is None,
}


def same(a, b):
    return type(a) is type(b) and a == b or (
        isinstance(a, (int, float)) and isinstance(b, (int, float)) and
        not isinstance(a, bool) and not isinstance(b, bool) and a == b)


class Validator:
    def __init__(self, root):
        self.root = root
        self.check_keywords(root)

    def check_keywords(self, s):
        if isinstance(s, dict):
            unknown = set(s) - ANNOTATIONS - HANDLED
            if unknown:
                raise SystemExit(f'validate.py: schema keyword(s) not supported: {sorted(unknown)}')
            for k, v in s.items():
                if k == 'properties' or k == '$defs':
                    for sub in v.values():
                        self.check_keywords(sub)
                elif k in ('items', 'not', 'additionalProperties'):
                    self.check_keywords(v)
                elif k in ('oneOf', 'anyOf'):
                    for sub in v:
                        self.check_keywords(sub)

    def errors(self, v, s, path='$'):
        if s is True or s == {}:
            return []
        if s is False:
            return [f'{path}: not allowed']
        errs = []
        if '$ref' in s:
            ref = s['$ref']
            if not ref.startswith('#/$defs/'):
                raise SystemExit(f'validate.py: unsupported $ref {ref}')
            errs += self.errors(v, self.root['$defs'][ref[len('#/$defs/'):]], path)
        if 'type' in s:
            ts = s['type'] if isinstance(s['type'], list) else [s['type']]
            if not any(TYPES[t](v) for t in ts):
                return errs + [f'{path}: {json.dumps(v)[:60]} is not of type {s["type"]}']
        if 'const' in s and not same(v, s['const']):
            errs.append(f'{path}: {json.dumps(v)[:60]} is not {json.dumps(s["const"])}')
        if 'enum' in s and not any(same(v, e) for e in s['enum']):
            errs.append(f'{path}: {json.dumps(v)[:60]} is not one of {s["enum"]}')
        if isinstance(v, dict):
            for k in s.get('required', []):
                if k not in v:
                    errs.append(f'{path}: "{k}" is required')
            props = s.get('properties', {})
            for k, sub in props.items():
                if k in v:
                    errs += self.errors(v[k], sub, f'{path}.{k}')
            if s.get('additionalProperties') is False:
                for k in v:
                    if k not in props:
                        errs.append(f'{path}: "{k}" is not allowed')
        if isinstance(v, list):
            if len(v) < s.get('minItems', 0):
                errs.append(f'{path}: fewer than {s["minItems"]} items')
            if 'items' in s:
                for i, x in enumerate(v):
                    errs += self.errors(x, s['items'], f'{path}[{i}]')
        if TYPES['number'](v):
            if 'minimum' in s and v < s['minimum']:
                errs.append(f'{path}: {v} < {s["minimum"]}')
            if 'maximum' in s and v > s['maximum']:
                errs.append(f'{path}: {v} > {s["maximum"]}')
        if isinstance(v, str) and 'pattern' in s and not re.search(s['pattern'], v):
            errs.append(f'{path}: "{v[:60]}" does not match {s["pattern"]}')
        if 'oneOf' in s:
            ok = [sub for sub in s['oneOf'] if not self.errors(v, sub, path)]
            if len(ok) != 1:
                errs.append(f'{path}: matches {len(ok)} of the oneOf alternatives, not exactly 1')
        if 'anyOf' in s and not any(not self.errors(v, sub, path) for sub in s['anyOf']):
            errs.append(f'{path}: matches none of the anyOf alternatives')
        if 'not' in s and not self.errors(v, s['not'], path):
            errs.append(f'{path}: matches a "not" schema')
        return errs


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    val = Validator(json.load(open(sys.argv[1])))
    bad = 0
    for path in sys.argv[2:]:
        try:
            doc = json.load(open(path))
        except ValueError as e:
            print(f'{path}: not JSON: {e}')
            bad += 1
            continue
        errs = val.errors(doc, val.root)
        for e in errs[:20]:
            print(f'{path}: {e}')
        bad += bool(errs)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
