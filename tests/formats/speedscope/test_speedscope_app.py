#!/usr/bin/env python3
"""speedscope itself (npm package, headless Chromium) imports what our
speedscope writer produces, for a pstats, an austin, a memray and a
collapsed input.

usage: test_speedscope_app.py BIN_DIR SHARED_DIR NODE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

BIN, SHARED, NODE_DIR = sys.argv[1:4]
CORPUS = os.path.join(SHARED, "corpus")
INPUTS = [
    "pstats/bootstrap.deb311.cProfile.pstats",
    "pstats/fib.py313.cProfile.pstats",
    "austin/a37_wall_threads_py38.austin",
    "austin/a37_mojo_full_gcheavy_py311.mojo",
    "memray/big_buffers.default.bin",
    "collapsed/austin37_wall_threads_py38.folded",
]
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    print("FAIL: chromium is not installed (scripts/deps.sh installs it)")
    sys.exit(1)

failures, passes = [], 0
with tempfile.TemporaryDirectory() as tmp:
    outputs = []
    for rel in INPUTS:
        out = os.path.join(tmp, os.path.basename(rel) + ".speedscope.json")
        r = subprocess.run([os.path.join(BIN, "pconv"), os.path.join(CORPUS, rel), "-o", out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            failures.append(f"{rel}: pconv failed: {r.stderr.strip()}")
            continue
        outputs.append(out)
    r = subprocess.run(["node", os.path.join(NODE_DIR, "speedscope_load.mjs"), chromium, *outputs],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        failures.append(f"speedscope_load.mjs failed: {r.stderr.strip()[-500:]}")
    else:
        for res in json.loads(r.stdout):
            if res["problems"] or res["requests"]:
                failures.append(f"{res['file']}: {res['problems']} requests={res['requests']}")
            else:
                passes += 1
                print(f"ok {res['file']}: '{res['title']}', {res['canvases']} canvases")

for f in failures:
    print("FAIL:", f)
print(f"{passes} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
