#!/usr/bin/env python3
"""Read every pyprof2calltree file of the corpus (F.pyprof2calltree.callgrind
beside a pstats file F): each function's self cost and each call edge's count
and inclusive cost must be what pyprof2calltree wrote from F's stats, as
recorded in F.expected.json: int(tt*1e9), the edge's nc and int(ct*1e9).
Functions sharing file and name are written as "name:line" (pstats.md §7)."""
import glob
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

bindir, shared = sys.argv[1], sys.argv[2]


def munged(functions):
    pairs = Counter((f["file"], f["name"]) for f in functions)
    return lambda f, line: (f["file"], "%s:%d" % (f["name"], line)
                            if pairs[(f["file"], f["name"])] > 1 else f["name"])


failures, checked = 0, 0
files = sorted(glob.glob(os.path.join(shared, "corpus/pstats/*.pyprof2calltree.callgrind")))
if not files:
    sys.exit("no pyprof2calltree files in the corpus")
with tempfile.TemporaryDirectory() as tmp:
    for path in files:
        name = os.path.basename(path)
        exp = json.load(open(path[:-len(".pyprof2calltree.callgrind")] + ".expected.json"))
        funcs = [f for f in exp["functions"] if isinstance(f["name"], str)]
        key = munged(funcs)
        out = os.path.join(tmp, "m.json")
        r = subprocess.run([os.path.join(bindir, "pconv"), path, "-o", out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL %s: %s" % (name, r.stderr.strip()))
            failures += 1
            continue
        model = json.load(open(out))
        ours = {(f["file"], f["name"]): f for f in model["functions"]}
        edges = {}
        for e in model["edges"]:
            c, d = model["functions"][e["caller"]], model["functions"][e["callee"]]
            edges[((c["file"], c["name"]), (d["file"], d["name"]))] = e
        problems = []
        for f in funcs:
            k = key(f, f["line"])
            got = ours.get(k)
            if got is None or got["self"][0] != int(f["tt"] * 1e9):
                problems.append("%s: self %s, expected %d" % (
                    k, got and got["self"][0], int(f["tt"] * 1e9)))
                continue
            for c in f["callers"]:
                ck = key(c, c["line"])
                e = edges.get((ck, k))
                want = (c["nc"], int(c["ct"] * 1e9))
                if e is None or (e["calls"], e["incl"][0]) != want:
                    problems.append("%s -> %s: %s, expected %s" % (
                        ck, k, e and (e["calls"], e["incl"][0]), want))
        if len(ours) != len(funcs):
            problems.append("%d functions, expected %d" % (len(ours), len(funcs)))
        for p in problems[:5]:
            print("FAIL %s: %s" % (name, p))
        failures += bool(problems)
        checked += 1
        if not problems:
            print("ok %s: %d functions, %d edges" % (name, len(funcs), len(edges)))
print("%d files, %d failed" % (checked, failures))
sys.exit(1 if failures else 0)
