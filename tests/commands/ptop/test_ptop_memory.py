#!/usr/bin/env python3
"""ptop shows memory in KiB, MiB and GiB, and its header the exact bytes.

usage: test_ptop_memory.py BINDIR SAMPLESDIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile

bindir, samples = sys.argv[1], sys.argv[2]
capture = os.path.join(samples, "leaky_cache.default.bin")
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "m.json")
    subprocess.run([os.path.join(bindir, "pconv"), capture, "-o", out], check=True)
    total = json.load(open(out))["totals"][0]
text = subprocess.run([os.path.join(bindir, "ptop"), capture, "-n", "5"], check=True,
                      capture_output=True, text=True).stdout
errors = []
m = re.search(r"^\s+([\d.]+) (B|KiB|MiB|GiB) \((\d+) bytes\) in \d+ functions", text, re.M)
if not m:
    errors.append("header without 'N.N MiB (N bytes)'")
else:
    if int(m.group(3)) != total:
        errors.append("header bytes %s, model total %d" % (m.group(3), total))
    scale = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}[m.group(2)]
    if not 1 <= total / scale < 1024 or abs(float(m.group(1)) * scale - total) > 0.05 * scale:
        errors.append("header %s %s for %d bytes" % (m.group(1), m.group(2), total))
rows = [l for l in text.splitlines() if re.search(r":\d+\(", l)]
if not rows or not all(re.match(r"^\s+[\d.]+ (B|KiB|MiB|GiB)\s+[\d.]+ (B|KiB|MiB|GiB) ", l)
                       for l in rows):
    errors.append("rows not in KiB/MiB/GiB:\n" + "\n".join(rows))
for e in errors:
    print("FAIL " + e)
print("ok" if not errors else "%d failures" % len(errors))
sys.exit(1 if errors else 0)
