#!/usr/bin/env python3
"""Every command on every metric of every scalene profile in the corpus:
ptop, plines, pgraph, pdiff, flame graphs and callgrind choose any CPU or memory
metric with --metric, and show the value the model holds for it.
Usage: test_views.py BUILD_DIR CORPUS_DIR [callgrind_annotate]"""
import json
import os
import re
import subprocess
import sys
import tempfile

build, folder = os.path.abspath(sys.argv[1]), sys.argv[2]
annotate = sys.argv[3] if len(sys.argv) > 3 else None
failures = []


def tool(name, *args):
    return subprocess.run([os.path.join(build, name), *args], capture_output=True, text=True,
                          timeout=120, cwd=folder)


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL " + what)


files = sorted(f for f in os.listdir(folder)
               if f.endswith(".json") and os.path.exists(os.path.join(folder, f + ".oracle.json")))
expect(files, "corpus files found")
with tempfile.TemporaryDirectory() as tmp:
    for name in files:
        out = os.path.join(tmp, "m.json")
        expect(tool("pconv", name, "-o", out).returncode == 0, f"{name}: read")
        model = json.load(open(out))
        metrics = model["metrics"]
        for i, m in enumerate(metrics):
            what = f"{name} --metric {m['name']}"
            r = tool("ptop", "--metric", m["name"], name)
            expect(r.returncode == 0 and f"Ordered by: cumulative {m['name']}" in r.stdout,
                   f"{what}: ptop ({r.stderr.strip()})")
            # the hottest function by this metric leads ptop's list
            funcs = [f for f in model["functions"] if f["self"][i] != 0]
            if funcs and r.returncode == 0:
                top = max(funcs, key=lambda f: (f["incl"][i], f["self"][i]))
                first = re.search(r"\((\S.*)\)\s*$", r.stdout.split("filename:lineno(function)")[1]
                                  .strip().splitlines()[0])
                expect(first and first.group(1) == top["name"],
                       f"{what}: ptop leads with {top['name']}")
            r = tool("plines", "--metric", m["name"], name)
            expect(r.returncode == 0 and f"Total {m['name'][0].upper() + m['name'][1:]}:" in r.stdout,
                   f"{what}: plines ({r.stderr.strip()})")
            # every function total plines prints is the sum of its lines' values
            dec = m.get("decimals", 0)
            by_func = {}
            for l in model["lines"]:
                by_func[l["func"]] = by_func.get(l["func"], 0) + l["v"][i]
            totals = re.findall(r"Total \S+: (\S+)\n", r.stdout)
            want = sorted(by_func.values())
            got = sorted(round(float(t) * 10 ** dec) for t in totals)
            expect(got == want, f"{what}: plines totals are the line sums")
            for args in (["pgraph", name, "-o", os.path.join(tmp, "g.dot")],
                         ["pconv", name, "-o", os.path.join(tmp, "f.svg")],
                         ["pdiff", name, name]):
                r = tool(args[0], "--metric", m["name"], *args[1:])
                expect(r.returncode == 0, f"{what}: {args[0]} ({r.stderr.strip()})")
        cg = os.path.join(tmp, "p.callgrind")
        r = tool("pconv", name, "-o", cg)
        expect(r.returncode == 0, f"{name}: callgrind written")
        events = open(cg).read().split("\nevents: ")[1].split("\n")[0].split()
        expect(events == [m["name"] for m in metrics], f"{name}: callgrind events {events}")
        if annotate:
            r = subprocess.run([annotate, cg], capture_output=True, text=True)
            expect(r.returncode == 0 and "PROGRAM TOTALS" in r.stdout,
                   f"{name}: callgrind_annotate reads it ({r.stderr.strip()[:200]})")
# a metric the profile lacks is refused by name
r = tool("ptop", "--metric", "alloc", "sc_py311_cpu.json")
expect(r.returncode != 0 and "alloc" in r.stderr, "CPU-only profile: --metric alloc refused")
print(f"{len(files)} profiles, {len(failures)} failures")
sys.exit(1 if failures else 0)
