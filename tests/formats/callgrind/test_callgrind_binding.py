#!/usr/bin/env python3
"""How the callgrind reader binds names to files, as callgrind_annotate and
KCachegrind do, and what the writer keeps.

usage: test_callgrind_binding.py BINDIR

- lsprofcalltree's style (bzr.callgrind of gprof2dot's tests): fn= then fi=
  names the function's file, cfn= then cfi= the callee's: one function per
  (name, file), not one per file a name was seen with.
- cfi= before cfn= (valgrind's order) binds the same.
- inclusive costs through mutual recursion never exceed the total.
- a call graph's 0-call edge is written back as calls=0 (pyprof2calltree's
  way), and callgrind_annotate reads the result.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
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
    finally:
        shutil.rmtree(tmp)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
