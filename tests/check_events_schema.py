#!/usr/bin/python3
"""Checks every JSON event line the integration suites logged against docs/events.schema.json.

Usage: check_events_schema.py SCHEMA LOG

LOG holds one {"args": [...], "line": "<stdout line>"} object per line, appended by
tests/integration/extension_fixture.cpp (json_events) for every `deskext ... --json` run. Fails,
naming the command and the line, on the first lines that are not one JSON object with "event"
first or that the schema refuses; fails too when the log is missing or empty (a suite that
logged nothing checked nothing).
"""

import json
import sys

import jsonschema


def main() -> int:
    schema_path, log_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    try:
        with open(log_path, encoding="utf-8") as f:
            records = [line for line in f if line.strip()]
    except FileNotFoundError:
        records = []
    if not records:
        print(f"{log_path}: no JSON event was logged: the suites that write it did not run "
              "(or logged nothing)")
        return 1

    failures = 0
    events = {}
    for number, record_text in enumerate(records, 1):
        record = json.loads(record_text)
        line = record["line"]
        where = f"{log_path}:{number}: deskext {' '.join(record['args'])}\n  line: {line}"
        problems = []
        try:
            event = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"not JSON: {e}")
            event = None
        if event is not None:
            if not line.startswith('{"event":'):
                problems.append('"event" is not the first field')
            problems += [
                f"{'/'.join(str(p) for p in error.absolute_path) or '(event)'}: {error.message}"
                for error in validator.iter_errors(event)
            ]
            if isinstance(event, dict):
                name = str(event.get("event"))
                events[name] = events.get(name, 0) + 1
        if problems:
            failures += 1
            if failures <= 20:
                print(where)
                for problem in problems:
                    print(f"  - {problem}")
    counts = ", ".join(f"{name} {count}" for name, count in sorted(events.items()))
    print(f"{len(records)} event lines checked ({counts}); {failures} refused")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
