#!/usr/bin/env python3
"""How the callgrind reader binds names to files, as callgrind_annotate and
KCachegrind do, and what the writer keeps.

usage: test_callgrind_binding.py BINDIR SAMPLESDIR

- lsprofcalltree's style (bzr.callgrind of gprof2dot's tests): fn= then fi=
  names the function's file, cfn= then cfi= the callee's: one function per
  (name, file), not one per file a name was seen with.
- cfi= before cfn= (valgrind's order) binds the same.
- inclusive costs through mutual recursion never exceed the total.
- a call graph's 0-call edge is written back as calls=0 (pyprof2calltree's
  way), and callgrind_annotate reads the result.
- samples/yappi_pair.callgrind and samples/yappi_pair.pstats, one yappi run
  saved both ways (samples/src/yappi_pair.py): the same functions, total,
  self values (callgrind has yappi's microseconds) and call counts, and the
  same inclusive values outside recursion; inside mutual recursion
  callgrind's call costs cannot tell nested calls apart, so there the
  inclusive value is only bounded (by the total).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

BIN, SAMPLES = sys.argv[1], sys.argv[2]
failures = []


def expect(what, got, want):
    if got != want:
        failures.append(what)
        print("FAIL %s: got %r, want %r" % (what, got, want))
    else:
        print("ok " + what)


def model(tmp, text, name="in.callgrind"):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    out = os.path.join(tmp, "m.json")
    r = subprocess.run([os.path.join(BIN, "pconv"), path, "-o", out], capture_output=True)
    if r.returncode:
        raise SystemExit("FAIL pconv: " + r.stderr.decode())
    return json.load(open(out)), path


def functions(m):
    return {(f["name"], f["file"]): f for f in m["functions"]}


LSPROF = """events: Ticks
fn=main
fi=/app/main.py
0 10
cfn=helper
cfi=/app/util.py
calls=3 0
0 60
cfn=<built-in len>
cfi=~
calls=0 0
0 0
fn=helper
fi=/app/util.py
0 50
cfn=helper
cfi=/app/util.py
calls=2 0
0 20
fn=<built-in len>
fi=~
0 30
"""

VALGRIND = """events: Ir
fl=/app/main.py
fn=main
1 10
cfi=/app/util.py
cfn=helper
calls=3 5
1 60
fl=/app/util.py
fn=helper
5 50
fi=/app/inl.h
7 5
fe=/app/util.py
6 5
"""

MUTUAL = """events: Ir
fl=a.c
fn=f
1 10
cfn=g
calls=1 1
1 90
fn=g
1 10
cfn=f
calls=1 1
1 80
fn=f
cfn=g
calls=1 1
1 70
fn=g
1 70
"""


def read(tmp, path):
    out = os.path.join(tmp, "pair.json")
    subprocess.run([os.path.join(BIN, "pconv"), path, "-o", out], check=True)
    m = json.load(open(out))
    return m, {(f["name"], f["file"], f["line"]): f for f in m["functions"]}


def yappi_pair(tmp):
    cg, fc = read(tmp, os.path.join(SAMPLES, "yappi_pair.callgrind"))
    ps, fp = read(tmp, os.path.join(SAMPLES, "yappi_pair.pstats"))
    expect("yappi pair: functions", sorted(fc), sorted(fp))
    us = 1000  # yappi's callgrind writes microseconds
    n = len(fp)
    expect("yappi pair: total", abs(cg["totals"][0] - ps["totals"][0]) <= n * us, True)
    recursive = {"even", "odd"}  # mutual recursion
    for key in sorted(set(fc) & set(fp)):
        c, p = fc[key], fp[key]
        expect("yappi pair: %s self" % key[0], abs(c["self"][0] - p["self"][0]) <= us, True)
        if c["calls"]:  # the root has no caller in callgrind
            expect("yappi pair: %s calls" % key[0], c["calls"], p["calls"])
        if key[0] not in recursive:
            # yappi's own ttot differs from its callgrind's call costs summed
            # by up to a fraction of a percent
            expect("yappi pair: %s incl" % key[0],
                   abs(c["incl"][0] - p["incl"][0]) <= max(n * us, p["incl"][0] // 100), True)
        expect("yappi pair: %s incl within the total" % key[0],
               c["incl"][0] <= cg["totals"][0], True)


def main():
    tmp = tempfile.mkdtemp()
    try:
        m, path = model(tmp, LSPROF)
        f = functions(m)
        expect("lsprof style: one function per name", sorted(f),
               sorted([("main", "/app/main.py"), ("helper", "/app/util.py"),
                       ("<built-in len>", "~")]))
        expect("lsprof style: helper's calls", f[("helper", "/app/util.py")]["calls"], 5)
        expect("lsprof style: main incl", f[("main", "/app/main.py")]["incl"][0],
               70)
        edges = {(m["functions"][e["caller"]]["name"], m["functions"][e["callee"]]["name"]):
                 e for e in m["edges"]}
        expect("0-call edge read", edges[("main", "<built-in len>")]["calls"], 0)
        out = os.path.join(tmp, "back.callgrind")
        subprocess.run([os.path.join(BIN, "pconv"), path, "-t", "callgrind", "-o", out],
                       check=True)
        text = open(out).read()
        expect("0-call edge written as calls=0", "calls=0 " in text, True)
        if shutil.which("callgrind_annotate"):
            r = subprocess.run(["callgrind_annotate", out], capture_output=True)
            expect("callgrind_annotate reads the written file", r.returncode, 0)

        m, _ = model(tmp, VALGRIND)
        f = functions(m)
        expect("valgrind order: functions", sorted(f),
               sorted([("main", "/app/main.py"), ("helper", "/app/util.py")]))
        expect("inlined lines stay in helper", f[("helper", "/app/util.py")]["self"][0], 60)

        m, _ = model(tmp, MUTUAL)
        total = m["totals"][0]
        expect("mutual recursion: no inclusive above the total",
               [x["name"] for x in m["functions"] if x["incl"][0] > total], [])
        yappi_pair(tmp)
    finally:
        shutil.rmtree(tmp)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
