#!/usr/bin/env python3
"""Report schema: every report tcpsight writes validates against
man/tcpsight-report.schema.json (JSON Schema draft 2020-12).

For every capture under TESTDATA (recursively) that tcpsight reads (exit
status 0 or 2), it validates the JSON document of `-F json` and of
`-F json --events --series`, and every line of `-F ndjson --events
--series`; then every GOLDEN/*.out file that is a JSON document or NDJSON.
Integers must be JSON integers (1.0 is not an integer here), and
addresses must be IPv4 or IPv6 addresses.

Each document and line is validated against the schema's top level, which
accepts a document or any NDJSON line; on failure the error reported comes
from the matching definition ("document" or "ndjsonRecord"), for a useful
path.

usage: check-schema.py TCPSIGHT SCHEMA TESTDATA GOLDEN
exit: 0 all valid, 1 a failure, 77 python3-jsonschema is missing.
"""
import json
import os
import subprocess
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match
except ImportError:
    print('SKIP: python3-jsonschema (with draft 2020-12) is not installed')
    sys.exit(77)

CAPTURE_SUFFIXES = ('.pcap', '.pcapng', '.cap')
COMPRESSED = ('', '.gz', '.zst')
RUNS = (
    ('json', ['-F', 'json']),
    ('json', ['-F', 'json', '--events', '--series']),
    ('ndjson', ['-F', 'ndjson', '--events', '--series']),
)


def make_validator(schema, target):
    """A validator for the schema with its top level replaced by target."""
    if target is not None:
        schema = dict(schema)
        schema.pop('anyOf', None)
        schema['$ref'] = '#/$defs/' + target
    # JSON integers only: Python's json gives int for 1 and float for 1.0.
    types = Draft202012Validator.TYPE_CHECKER.redefine(
        'integer', lambda _checker, x: isinstance(x, int) and not isinstance(x, bool))
    cls = jsonschema.validators.extend(Draft202012Validator, type_checker=types)
    checker = getattr(Draft202012Validator, 'FORMAT_CHECKER', None) or jsonschema.FormatChecker()
    return cls(schema, format_checker=checker)


def where(path):
    out = '$'
    for p in path:
        out += '[%d]' % p if isinstance(p, int) else '.' + str(p)
    return out


def short(text, n=160):
    return text if len(text) <= n else text[:n] + '...'


class Checker:
    def __init__(self, schema):
        self.root = make_validator(schema, None)
        self.by_kind = {'document': make_validator(schema, 'document'),
                        'line': make_validator(schema, 'ndjsonRecord')}
        self.documents = self.lines = self.failed = 0

    def error(self, value, kind):
        """The first error of one value, or None."""
        if kind == 'document':
            self.documents += 1
        else:
            self.lines += 1
        if self.root.is_valid(value):
            return None
        err = best_match(self.by_kind[kind].iter_errors(value)) or \
            best_match(self.root.iter_errors(value))
        self.failed += 1
        return '%s: %s' % (where(err.absolute_path), short(err.message))


def options_error(doc, args):
    """The optional fields are there exactly with the options that ask for them."""
    events = '--events' in args
    series = '--series' in args
    for i, fl in enumerate(doc.get('flows', [])):
        if ('events' in fl) != events:
            return '$.flows[%d]: "events" %s without --events' % (
                i, 'present' if not events else 'missing')
        for d, dd in fl.get('diagnosis', {}).items():
            if ('series' in dd) != series:
                return '$.flows[%d].diagnosis.%s: "series" %s without --series' % (
                    i, d, 'present' if not series else 'missing')
    return None


def check_capture(ck, tcpsight, path):
    """Validate the three reports of one capture; (status, message)."""
    for i, (fmt, args) in enumerate(RUNS):
        try:
            r = subprocess.run([tcpsight] + args + [path], capture_output=True,
                               stdin=subprocess.DEVNULL, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            ck.failed += 1
            return 'FAIL', '%s: %s' % (' '.join(args), e)
        if r.returncode not in (0, 2):
            if i == 0:
                return 'SKIP', 'exit status %d: not read' % r.returncode
            ck.failed += 1
            return 'FAIL', '%s: exit status %d' % (' '.join(args), r.returncode)
        text = r.stdout.decode('utf-8', 'replace')
        if fmt == 'json':
            try:
                doc = json.loads(text)
            except ValueError as e:
                ck.documents += 1
                ck.failed += 1
                return 'FAIL', '%s: not JSON: %s' % (' '.join(args), e)
            msg = ck.error(doc, 'document')
            if msg is None:
                msg = options_error(doc, args)
                if msg is not None:
                    ck.failed += 1
            if msg is not None:
                return 'FAIL', '%s: %s' % (' '.join(args), msg)
        else:
            for n, line in enumerate(text.splitlines(), 1):
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    ck.lines += 1
                    ck.failed += 1
                    return 'FAIL', '%s: line %d: not JSON: %s' % (' '.join(args), n, e)
                msg = ck.error(rec, 'line')
                if msg is not None:
                    return 'FAIL', '%s: line %d: %s' % (' '.join(args), n, msg)
    return 'OK', ''


def check_golden(ck, path):
    """Validate one expected output if it is JSON or NDJSON."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if not text.strip():
        return 'SKIP', 'empty'
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and 'type' not in doc:
        msg = ck.error(doc, 'document')
        return ('OK', 'document') if msg is None else ('FAIL', msg)
    records = []
    for line in text.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            return 'SKIP', 'not JSON'
    for n, rec in enumerate(records, 1):
        msg = ck.error(rec, 'line')
        if msg is not None:
            return 'FAIL', 'line %d: %s' % (n, msg)
    return 'OK', '%d lines' % len(records)


def captures(top):
    found = []
    for d, subdirs, files in os.walk(top):
        subdirs.sort()
        for name in sorted(files):
            if any(name.endswith(s + c) for s in CAPTURE_SUFFIXES for c in COMPRESSED):
                found.append(os.path.join(d, name))
    return found


def main():
    if len(sys.argv) != 5:
        print('usage: check-schema.py TCPSIGHT SCHEMA TESTDATA GOLDEN', file=sys.stderr)
        return 1
    tcpsight, schema_path, testdata, golden = sys.argv[1:]
    with open(schema_path, encoding='utf-8') as f:
        schema = json.load(f)
    try:
        Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        print('FAIL %s: not a valid draft 2020-12 schema: %s at %s' % (
            schema_path, short(e.message), where(e.absolute_path)))
        return 1
    ck = Checker(schema)
    fails = 0
    for path in captures(testdata):
        status, msg = check_capture(ck, tcpsight, path)
        fails += status == 'FAIL'
        print('%-4s %s%s' % (status, os.path.relpath(path, testdata), (': ' + msg) if msg else ''))
    for name in sorted(os.listdir(golden)):
        if not name.endswith('.out'):
            continue
        status, msg = check_golden(ck, os.path.join(golden, name))
        fails += status == 'FAIL'
        if status != 'SKIP':
            print('%-4s golden/%s: %s' % (status, name, msg))
    print('%d documents, %d lines validated, %d failed' % (ck.documents, ck.lines, ck.failed))
    return 1 if ck.failed or fails else 0


if __name__ == '__main__':
    sys.exit(main())
