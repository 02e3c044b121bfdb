#!/usr/bin/env python3
"""Read every callgrind file of the corpus with pconv and compare the model's
totals and per-function self costs with callgrind_annotate's report beside it."""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

bindir, shared = sys.argv[1], sys.argv[2]
MAX_METRICS = 16  # PK_MAX_METRICS


def annotate_report(path, nevents):
    """PROGRAM TOTALS and {file:function: [costs]} from a callgrind_annotate report."""
    col = r"(?:[\d,]+ \(\s*[\d.]+%\)|[\d,]+|\.)"
    row = re.compile(r"^\s*((?:%s\s+){%d})(.*)$" % (col, nevents))
    totals, funcs, in_funcs = None, {}, False
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("-- Auto-annotated source"):
            break
        m = row.match(line)
        if not m:
            if "file:function" in line:
                in_funcs = True
            continue
        costs = [0 if c == "." else int(c.split()[0].replace(",", ""))
                 for c in re.findall(col, m.group(1))]
        name = m.group(2)
        if name.startswith("PROGRAM TOTALS"):
            totals = costs
        elif in_funcs and name:
            funcs[re.sub(r" \[[^]]*\]$", "", name)] = costs
    return totals, funcs


def file_facts(path):
    """Events, totals: line, written by yappi, and the functions holding code
    inlined from other files (fi=/fe=), which callgrind_annotate lists once per
    file while the model keeps them as one function."""
    events, totals, yappi, inlined, fn, names = [], None, False, set(), None, {}
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith(("fn=", "cfn=")):
            m = re.match(r"c?fn=(\((\d+)\))?\s?(.*)$", line.rstrip("\n"))
            if m.group(3) and m.group(2):
                names[m.group(2)] = m.group(3)
            if line.startswith("fn="):
                fn = m.group(3) or names.get(m.group(2))
        elif line.startswith(("fi=", "fe=")):
            inlined.add(fn)
        elif line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith("totals:"):
            totals = [int(x) for x in line.split()[1:]]
        elif line.startswith("creator: yappi"):
            yappi = True
    return events, totals, yappi, inlined


failures, checked = 0, 0
files = sorted(f for f in glob.glob(os.path.join(shared, "corpus/callgrind/*"))
               if os.path.exists(f + ".callgrind_annotate.txt"))
if not files:
    sys.exit("no callgrind files in the corpus")
with tempfile.TemporaryDirectory() as tmp:
    for f in files:
        events, file_totals, yappi, inlined = file_facts(f)
        scale = [1000 if yappi and e == "Ticks" else 1 for e in events][:MAX_METRICS]
        out = os.path.join(tmp, "m.json")
        r = subprocess.run([os.path.join(bindir, "pconv"), f, "-o", out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL %s: pconv: %s" % (f, r.stderr.strip()))
            failures += 1
            continue
        model = json.load(open(out))
        totals, ann = annotate_report(f + ".callgrind_annotate.txt", len(events))
        want = (file_totals or totals)[:MAX_METRICS]
        want = [w * s for w, s in zip(want, scale)]
        if model["totals"] != want:
            print("FAIL %s: totals %s, expected %s" % (f, model["totals"], want))
            failures += 1
        ours, names = {}, {}
        for fn in model["functions"]:
            key = "%s:%s" % (fn["file"], fn["name"])
            prev = ours.get(key, [0] * len(fn["self"]))
            ours[key] = [a + b for a, b in zip(prev, fn["self"])]
            names[key] = fn["name"]
        matched = 0
        for key, costs in ann.items():
            if yappi:
                key = re.sub(r"^(.*):(\S+) \1:\d+$", r"\1:\2", key)
            costs = [c * s for c, s in zip(costs[:MAX_METRICS], scale)]
            if key not in ours:
                continue  # code inlined from another file, listed under that file
            matched += 1
            if names[key] in inlined:
                # the model holds the inlined pieces too: never less than annotate's
                bad = any(a < b for a, b in zip(ours[key], costs))
            else:
                bad = ours[key] != costs
            if bad:
                print("FAIL %s: %s self %s, expected %s" % (f, key, ours[key], costs))
                failures += 1
        if matched < 0.9 * len(ann) or not ann:
            print("FAIL %s: only %d of %d functions found" % (f, matched, len(ann)))
            failures += 1
        checked += 1
        print("ok %s: %d functions compared, totals %s" % (os.path.basename(f), matched, want))
print("%d files, %d failures" % (checked, failures))
sys.exit(1 if failures else 0)
