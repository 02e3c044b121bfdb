#!/usr/bin/env python3
"""Chrome trace-event files that are not viztracer's: array form (closed or
not), begin/end events, events that do not nest, and hostile inputs, which
must end with one line and exit status 2. Usage: test_robust.py PCONV"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from pconv_checks import Checks  # noqa: E402

PCONV = sys.argv[1]
checks = Checks(PCONV, "in.json")
run, expect, failures = checks.run, checks.expect, checks.failures


def funcs(model):
    return {f["name"]: f for f in model["functions"]}


def ev(ph, name, ts, **kw):
    return dict(ph=ph, name=name, ts=ts, pid=1, tid=2, **kw)


# Array form, B/E events written in order of time and X events in order of exit.
events = [ev("B", "outer", 0), ev("X", "leaf", 10, dur=5), ev("B", "mid", 20),
          ev("E", "mid", 50), ev("X", "late", 60, dur=10), ev("E", "", 100),
          ev("i", "mark", 30, s="t"), ev("C", "gc", 40, args={"n": 1}),
          {"ph": "M", "pid": 1, "tid": 2, "name": "thread_name", "args": {"name": "worker"}}]
for label, text in (("closed", json.dumps(events)),
                    ("without ]", json.dumps(events)[:-1]),
                    ("without ] after a comma", json.dumps(events)[:-1] + ",\n")):
    r, m, _, _ = run(text)
    expect(r.returncode == 0, f"array form {label}: read ({r.stderr.strip()})")
    if not m:
        continue
    f = funcs(m)
    expect(f["outer"]["incl"][0] == 100000 and f["outer"]["self"][0] == 100000 - 5000 - 30000 - 10000,
           f"array form {label}: outer's time")
    expect(f["mid"]["self"][0] == 30000 and f["leaf"]["calls"] == 1, f"array form {label}: nesting")
    expect(m["meta"].get("trace.instant.mark") == "1" and m["meta"].get("trace.counter.gc") == "1",
           f"array form {label}: instant and counter kept")
    expect(m["meta"].get("trace.thread.1.2") == "worker", f"array form {label}: thread name")

# Events that do not nest: reported with -v, the read goes on.
bad = [ev("X", "a", 0, dur=10), ev("X", "b", 5, dur=10), ev("E", "x", 30),
       ev("B", "c", 40), ev("E", "d", 45), ev("B", "open", 50), ev("X", "z", 60, dur=1)]
r, m, _, _ = run(json.dumps({"traceEvents": bad}), "-v")
expect(r.returncode == 0, "non-nesting events: read")
expect("1 ends without begin" in r.stderr and "1 ends naming another event" in r.stderr and
       "1 begins never ended" in r.stderr and "1 events not nested" in r.stderr,
       f"non-nesting events: reported with -v ({r.stderr.strip()})")
if m:
    f = funcs(m)
    expect(f["a"]["incl"][0] == 10000 and f["b"]["incl"][0] == 5000, "overlap clipped to its parent")
    expect(f["open"]["incl"][0] == 11000, "a begin never ended lasts to the end of the trace")

# Hostile: each ends with one line and exit status 2.
deep = "[" * 200000 + "]" * 200000
nested = {"traceEvents": [ev("X", "f", i, dur=10**7 - 2 * i) for i in range(150000)]}
hostile = {
    "deep nesting": '{"traceEvents": [{"args": ' + deep + '}]}',
    "deep nesting in the events": "[" + deep,
    "stack deeper than the limit": json.dumps(nested),
    "truncated object": json.dumps({"traceEvents": events})[:-30],
    "not JSON": '{"traceEvents": [{"ph": "X", ts: 1}]}',
    "no traceEvents": '{"traceEvents": 5, "ph": "ts"}',
    "trailing garbage": json.dumps({"traceEvents": events}) + "]",
}
for label, text in hostile.items():
    r, m, src, _ = run(text)
    lines = r.stderr.strip().split("\n")
    expect(r.returncode == 2 and len(lines) == 1 and lines[0].startswith(f"pconv: {src}: offset "),
           f"hostile {label}: exit {r.returncode}, {r.stderr.strip()[:150]!r}")

# Numbers out of range and claims of 10^9 make invalid events, not allocations.
text = ('{"traceEvents": [{"ph": "X", "name": "f", "ts": 1e300, "dur": 1},'
        ' {"ph": "X", "name": "g", "pid": 1e400, "ts": 1},'
        ' {"ph": "X", "name": "h", "ts": 0, "dur": 1e9, "args": {"events": 1000000000}},'
        ' {"ph": "X", "name": "k", "ts": 1, "dur": 2}], "otherData": {"events": 1000000000}}')
r, m, _, _ = run(text)
expect(r.returncode == 0 and m and m["meta"].get("trace.invalid_events") == "2" and
       funcs(m)["h"]["incl"][0] == 10**12, f"numbers out of range: events skipped and counted ({r.stderr.strip()})")

print(f"{'FAILED' if failures else 'all passed'}: {len(failures)} failures")
sys.exit(1 if failures else 0)
