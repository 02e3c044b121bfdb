#!/usr/bin/env python3
"""For every pstats file of the corpus: `pconv F -o X.callgrind`, then
callgrind_annotate must read X without a warning and report as PROGRAM TOTALS
the profile's total self time in ns (pconv's JSON dump); where pyprof2calltree
converted F too, every function's self cost must equal pyprof2calltree's
within 1 ns (it truncates seconds*1e9, the model rounds)."""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

bindir, shared = sys.argv[1], sys.argv[2]
ROW = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$|^\s*([\d,]+)\s+(.*)$")


def annotate(path):
    """(PROGRAM TOTALS, {file:function: self}, stderr) from callgrind_annotate."""
    r = subprocess.run(["callgrind_annotate", "--threshold=100", "--auto=no", path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, {}, r.stderr or "exit %d" % r.returncode
    totals, funcs, in_funcs = None, {}, False
    for line in r.stdout.split("\n"):
        if "file:function" in line:
            in_funcs = True
            continue
        m = ROW.match(line)
        if not m:
            continue
        value = int((m.group(1) or m.group(3)).replace(",", ""))
        name = m.group(2) or m.group(4)
        if name.startswith("PROGRAM TOTALS"):
            totals = value
        elif in_funcs:
            funcs[name] = funcs.get(name, 0) + value
    return totals, funcs, r.stderr


failures, checked, compared = 0, 0, 0
files = sorted(f[:-len(".expected.json")]
               for f in glob.glob(os.path.join(shared, "corpus/pstats/*.pstats.expected.json")))
if not files:
    sys.exit("no pstats files in the corpus")
with tempfile.TemporaryDirectory() as tmp:
    for f in files:
        name = os.path.basename(f)
        out, js = os.path.join(tmp, "x.callgrind"), os.path.join(tmp, "x.json")
        r = subprocess.run([os.path.join(bindir, "pconv"), f, "-o", out], capture_output=True,
                           text=True)
        r2 = subprocess.run([os.path.join(bindir, "pconv"), f, "-o", js], capture_output=True,
                            text=True)
        if r.returncode or r2.returncode:
            print("FAIL %s: pconv: %s%s" % (name, r.stderr, r2.stderr))
            failures += 1
            continue
        want_total = json.load(open(js))["totals"][0]
        total, ours, err = annotate(out)
        problems = []
        if err:
            problems.append("callgrind_annotate: %s" % err.strip()[:300])
        if total != want_total:
            problems.append("PROGRAM TOTALS %s, expected %s" % (total, want_total))
        if sum(ours.values()) != want_total:
            problems.append("functions add up to %d, expected %d" % (sum(ours.values()), want_total))
        p2c = f + ".pyprof2calltree.callgrind"
        if os.path.exists(p2c):
            _, theirs, _ = annotate(p2c)
            if not theirs:
                problems.append("pyprof2calltree's file gave no functions")
            for key in set(ours) | set(theirs):
                a, b = ours.get(key, 0), theirs.get(key, 0)
                if abs(a - b) > 1:
                    problems.append("%s: self %d ns, pyprof2calltree %d ns" % (key, a, b))
            compared += 1
        for p in problems[:5]:
            print("FAIL %s: %s" % (name, p))
        failures += bool(problems)
        checked += 1
        if not problems:
            print("ok %s: total %d ns, %d functions" % (name, want_total, len(ours)))
print("%d files (%d compared with pyprof2calltree), %d failed" % (checked, compared, failures))
sys.exit(1 if failures else 0)
