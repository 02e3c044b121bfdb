#!/usr/bin/env python3
"""For every pstats file of the corpus: `pconv F -o X.callgrind`, then
callgrind_annotate must read X without a warning and report as PROGRAM TOTALS
the profile's total self time in ns (pconv's JSON dump); where pyprof2calltree
converted F too, every function's self cost must equal pyprof2calltree's
within 1 ns (it truncates seconds*1e9, the model rounds).

A hand-written stack profile must give calls from the line the caller ran
(`calls=` blocks, one per caller line), recursion counted at the outermost
call of each caller->callee pair, the same per-pair sums as arcs without
lines, and no process or thread entries."""
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


# py-spy's collapsed dialect: main calls f from lines 10 and 12, g from 14;
# f recurses from line 22 (twice nested) and, under g, from 23 then 24.
STACKS = """\
process 4242:"python app.py";thread (0x7f01);main (app.py:10);f (app.py:20) 5
process 4242:"python app.py";thread (0x7f01);main (app.py:12);f (app.py:21) 3
process 4242:"python app.py";thread (0x7f01);main (app.py:14);g (app.py:30) 2
process 4242:"python app.py";thread (0x7f01);main (app.py:12);f (app.py:22);f (app.py:20) 4
process 4242:"python app.py";thread (0x7f01);main (app.py:12);f (app.py:22);f (app.py:22);f (app.py:20) 2
process 4242:"python app.py";thread (0x7f01);main (app.py:10);f (app.py:22);g (app.py:31) 1
process 4242:"python app.py";thread (0x7f01);main (app.py:14);g (app.py:32);f (app.py:23);f (app.py:24);f (app.py:20) 1
process 4242:"python app.py";thread (0x7f01);main (app.py:11) 7
"""
STACK_CASES = [
    # (options, total, {(caller, line, callee): inclusive})
    ([], 25, {("main", 10, "f"): 6, ("main", 12, "f"): 9, ("main", 14, "g"): 3,
              ("f", 22, "f"): 6, ("f", 22, "g"): 1, ("g", 32, "f"): 1, ("f", 23, "f"): 1}),
    (["--focus", "^g$"], 4, {("main", 10, "f"): 1, ("main", 14, "g"): 3, ("f", 22, "g"): 1,
                             ("g", 32, "f"): 1, ("f", 23, "f"): 1}),
]
# What the writer gave before call sites had lines: one arc per pair.
STACK_ARCS = {("main", "f"): 15, ("main", "g"): 3, ("f", "f"): 7, ("f", "g"): 1,
              ("g", "f"): 1}


def call_sites(path):
    """({(caller, source line, callee): inclusive}, function names) of a
    one-metric callgrind file."""
    names, sites, caller, callee, in_call = {}, {}, None, None, False
    for line in open(path):
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if m:
            if m.group(3) is not None:
                names[m.group(2)] = m.group(3)
            if m.group(1) == "fn":
                caller = names[m.group(2)]
            else:
                callee = names[m.group(2)]
        elif line.startswith("calls="):
            in_call = True
        elif in_call:
            source, cost = (int(x) for x in line.split())
            key = (caller, source, callee)
            sites[key] = sites.get(key, 0) + cost
            in_call = False
    return sites, set(names.values())


def check_stack_call_sites(tmp):
    """Problems of the call sites written from STACKS."""
    src, out = os.path.join(tmp, "stacks.folded"), os.path.join(tmp, "stacks.callgrind")
    with open(src, "w") as f:
        f.write(STACKS)
    problems = []
    for options, want_total, want_sites in STACK_CASES:
        label = " ".join(options) or "no filter"
        r = subprocess.run([os.path.join(bindir, "pconv"), src, "-o", out] + options,
                           capture_output=True, text=True)
        if r.returncode:
            problems.append("%s: pconv: %s" % (label, r.stderr.strip()))
            continue
        sites, names = call_sites(out)
        if sites != want_sites:
            problems.append("%s: call sites %s, expected %s" % (label, sorted(sites.items()),
                                                                sorted(want_sites.items())))
        if names != {"main", "f", "g"}:
            problems.append("%s: functions %s, expected main, f, g" % (label, sorted(names)))
        total, funcs, err = annotate(out)
        if err or total != want_total or sum(funcs.values()) != want_total:
            problems.append("%s: callgrind_annotate total %s, functions %d, expected %d %s"
                            % (label, total, sum(funcs.values()), want_total, err.strip()))
        if not options:
            pairs = {}
            for (caller, _, callee), cost in sites.items():
                pairs[caller, callee] = pairs.get((caller, callee), 0) + cost
            if pairs != STACK_ARCS:
                problems.append("per-pair sums %s, expected %s" % (sorted(pairs.items()),
                                                                   sorted(STACK_ARCS.items())))
    return problems


failures, checked, compared = 0, 0, 0
files = sorted(f[:-len(".expected.json")]
               for f in glob.glob(os.path.join(shared, "corpus/pstats/*.pstats.expected.json")))
if not files:
    sys.exit("no pstats files in the corpus")
with tempfile.TemporaryDirectory() as tmp:
    stack_problems = check_stack_call_sites(tmp)
    for p in stack_problems:
        print("FAIL stack call sites: %s" % p)
    failures += bool(stack_problems)
    if not stack_problems:
        print("ok stack call sites: %d cases" % len(STACK_CASES))
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
