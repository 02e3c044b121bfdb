"""line_profiler's options in plines: -m (the summary), -z (functions
without time left out), -u UNIT; checked on every corpus .lprof against the
values line_profiler itself decoded (FILE.expected.json).

    test_plines_options.py BIN_DIR SHARED_DIR
"""
import json
import os
import pickle
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from lprof_pickle import fake_stats  # noqa: E402

BIN, SHARED = sys.argv[1:3]
folder = os.path.join(SHARED, "corpus", "lprof")
failures = checked = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


def plines(path, *opts):
    r = subprocess.run([os.path.join(BIN, "plines"), path, *opts], capture_output=True)
    if r.returncode:
        fail("plines %s %s: %s" % (path, " ".join(opts), r.stderr.decode(errors="replace")))
    return r.stdout.decode("utf-8", errors="replace")


for name in sorted(os.listdir(folder)):
    if not name.endswith(".lprof") or "repickled" in name:
        continue
    path = os.path.join(folder, name)
    oracle = json.load(open(path + ".expected.json"))
    funcs = sorted(oracle["functions"], key=lambda f: (f["file"], f["first_line"], f["name"]))
    for zero in (False, True):
        # line_profiler's show_text: '%6.2f seconds - %s:%s - %s', in the listing's order
        want = ["%6.2f seconds - %s:%s - %s" % (f["total_time_s"], f["file"], f["first_line"], f["name"])
                for f in funcs if not zero or f["total_time_units"]]
        out = plines(path, "-m", *(["-z"] if zero else []))
        got = [l for l in out.split("\n") if re.match(r"^ *\d+\.\d\d seconds - ", l)]
        if got != want:
            fail("%s -m%s:\n%s\nwant\n%s" % (name, " -z" if zero else "", "\n".join(got), "\n".join(want)))
        sections = out.count("\nFunction: ") + out.startswith("Function: ")
        if sections != len(want):
            fail("%s%s: %d functions listed, %d expected" % (name, " -z" if zero else "", sections, len(want)))
        checked += 1
    if "Timer unit: 0.001 s" not in plines(path, "-u", "1e-3"):
        fail("%s -u 1e-3: not the timer unit" % name)
# A function that never ran: -z leaves it out of the listing and the summary.
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "zero.lprof")
    timings = {("/nowhere/a.py", 1, "ran"): [(2, 3, 1500000)], ("/nowhere/a.py", 5, "never"): []}
    with open(path, "wb") as f:
        pickle.dump(fake_stats("line_profiler.line_profiler", timings, 1e-9), f, protocol=4)
    out = plines(path, "-m")
    if "Function: never" not in out or "0.00 seconds - /nowhere/a.py:5 - never" not in out:
        fail("without -z, the function that never ran is not listed:\n" + out)
    out = plines(path, "-m", "-z")
    if "never" in out or "  0.00 seconds - /nowhere/a.py:1 - ran" not in out:
        fail("-z: the function that never ran is listed, or the other is not:\n" + out)
    checked += 1
print("%d listings checked, %d failures" % (checked, failures))
sys.exit(1 if failures or not checked else 0)
