#!/usr/bin/env python3
"""austin 4: a MOJO v4 capture and its mojo2austin text, made by
mojo4_writer.py, give the model the samples say (totals, per-function self
and inclusive samples, thread names, the `count` footer); STACK_REPEAT
expands to the thread's previous stack; task stacks are not samples; newer
versions are refused with their number. Usage: test_austin4.py PCONV"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mojo4_writer as w  # noqa: E402

PCONV = sys.argv[1]
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
    print(("ok   " if cond else "FAIL ") + what)


def read(path, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        r = subprocess.run([PCONV, path, "-o", out, *extra], capture_output=True, text=True)
        return r, (json.load(open(out)) if r.returncode == 0 else None)


def check(label, path, exp, fmt):
    r, m = read(path)
    expect(r.returncode == 0, f"{label}: read ({r.stderr.strip()})")
    if not m:
        return None
    mi = {x["name"]: i for i, x in enumerate(m["metrics"])}
    s, t = mi["samples"], mi["time"]
    expect(m["totals"][s] == exp["samples"], f"{label}: {m['totals'][s]} samples, want {exp['samples']}")
    expect(m["totals"][t] == exp["time_us"] * 1000, f"{label}: total time")
    expect(m["meta"].get("austin.version") == "4.0.0" and m["meta"].get("austin.count") ==
           str(exp["samples"]), f"{label}: version and count footer")
    expect(m["meta"].get("austin.format") == fmt, f"{label}: format {m['meta'].get('austin.format')}")
    got_self, got_incl = {}, {}
    for f in m["functions"]:
        key = f"{f['file']}:{f['name']}"
        if f["self"][s]:
            got_self[key] = f["self"][s]
        if f["incl"][s]:
            got_incl[key] = f["incl"][s]
    expect(got_self == exp["self"], f"{label}: self samples per function {got_self} vs {exp['self']}")
    expect(got_incl == exp["incl"], f"{label}: inclusive samples per function")
    r, mt = read(path, "--threads")
    threads = sorted(
        f"{mt['functions'][p['func']]['name']};{mt['functions'][n['func']]['name']}"
        for n in mt["tree"] for p in mt["tree"]
        if p["id"] == n["parent"] and mt["functions"][n["func"]]["kind"] == "thread")
    expect(threads == exp["threads"], f"{label}: threads {threads}")
    return m


with tempfile.TemporaryDirectory() as tmp:
    samples, header, footer = w.scenario()
    exp = w.expected(samples)
    mojo = w.write_mojo(samples, header, footer, tasks={7, 31})
    expect(mojo[:4] == b"MOJ\x04" and mojo.count(bytes([w.STACK_REPEAT])) > 0, "writer: v4 with repeats")
    paths = {}
    for name, data in (("capture.mojo", mojo), ("capture.austin", w.write_text(samples, header, footer).encode())):
        paths[name] = os.path.join(tmp, name)
        open(paths[name], "wb").write(data)
    a = check("MOJO v4", paths["capture.mojo"], exp, "mojo")
    b = check("austin 4 text", paths["capture.austin"], exp, "austin-3-text")
    if a and b:
        expect(a["totals"] == b["totals"] and len(a["tree"]) == len(b["tree"]),
               "MOJO and its text give the same tree")
    if a:
        expect(a["meta"].get("mojo.events.TASK_STACK") == "2" and
               int(a["meta"].get("mojo.events.STACK_REPEAT", 0)) > 40,
               f"task stacks and repeats counted ({a['meta'].get('mojo.events.STACK_REPEAT')})")

    # Newer than we know: refused with the version, one line, exit 2.
    for label, data, want in (
            ("MOJO v5", b"MOJ\x05" + mojo[4:], "MOJO version 5 is newer than this reader knows"),
            ("austin 5 text", w.write_text(samples, [("austin", "5.0.1")] + header[1:], footer).encode(),
             "austin 5.0.1 is newer than this reader knows")):
        p = os.path.join(tmp, "newer")
        open(p, "wb").write(data)
        r, _ = read(p)
        lines = r.stderr.strip().split("\n")
        expect(r.returncode == 2 and len(lines) == 1 and want in lines[0], f"{label}: {lines[0]!r}")
    # v4 events in an older version are unknown there.
    positive = [(p, 0, t, fr, us, gc) for p, _, t, fr, us, gc in samples]
    v3 = b"MOJ\x03" + w.write_mojo(positive, header, footer)[4:]
    p = os.path.join(tmp, "v3")
    open(p, "wb").write(v3)
    r, _ = read(p)
    expect(r.returncode == 2 and "unknown MOJO event" in r.stderr, f"v4 events in v3: {r.stderr.strip()!r}")
    # Cut anywhere: a warning or one line, never a crash.
    bad = 0
    for cut in range(4, len(mojo), 97):
        p = os.path.join(tmp, "cut")
        open(p, "wb").write(mojo[:cut])
        r, _ = read(p)
        bad += r.returncode not in (0, 2) or (r.returncode == 2 and len(r.stderr.strip().split("\n")) != 1)
    expect(bad == 0, "truncated v4 captures end cleanly")

print(f"{'FAILED' if failures else 'all passed'}: {len(failures)} failures")
sys.exit(1 if failures else 0)
