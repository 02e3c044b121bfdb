#!/usr/bin/env python3
"""ptop --sort orders functions as pstats.Stats.sort_stats does, for every
pstats key, abbreviations and multiple keys: the i-th row of ptop and of
pstats have equal sort fields (rows that tie may differ). Unknown and
ambiguous keys are refused. Every column sorts: the two percall columns
(percall: tottime/ncalls, cumpercall: cumtime/primitive calls, computed here
from pstats' own numbers), lineno and function as line and name. The oracle is this Python's own pstats module, on
the corpus files it can load."""
import glob
import io
import os
import pstats
import re
import subprocess
import sys

bindir, shared = sys.argv[1], sys.argv[2]
KEYS = [["calls"], ["ncalls"], ["cumulative"], ["cumtime"], ["filename"], ["module"],
        ["line"], ["name"], ["nfl"], ["pcalls"], ["stdname"], ["time"], ["tottime"],
        ["cu"], ["to"], ["pc"], ["std"], ["filename", "line"], ["name", "calls"],
        ["time", "name"]]
FIELDS = {"calls": (1,), "ncalls": (1,), "cumulative": (3,), "cumtime": (3,), "filename": (4,),
          "module": (4,), "line": (5,), "name": (6,), "nfl": (6, 4, 5), "pcalls": (0,),
          "stdname": (7,), "time": (2,), "tottime": (2,), "cu": (3,), "to": (2,), "pc": (0,),
          "std": (7,)}
ROW = re.compile(r"^\s*(\S+) (.{8}) (.{8}) (.{8}) (.{8}) (.*)$")


def ptop_names(path, keys, extra=()):
    r = subprocess.run([os.path.join(bindir, "ptop"), path] + ["--sort=" + k for k in keys]
                       + list(extra), capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode())
    out, rows = r.stdout.decode("utf-8", "replace").split("\n"), []
    start = next(i for i, l in enumerate(out) if l.startswith("   ncalls  tottime"))
    for l in out[start + 1:]:
        if not l.strip():
            break
        rows.append(ROW.match(l).group(6))
    ordered = next(l for l in out if l.startswith("   Ordered by: "))
    return rows, ordered[len("   Ordered by: "):]


failures, checked = 0, 0
for path in sorted(glob.glob(os.path.join(shared, "corpus/pstats/*.cProfile.pstats"))):
    try:
        st = pstats.Stats(path, stream=io.StringIO())
    except Exception:
        continue  # written by a Python this one cannot read (2.7)
    by_name = {}
    for func, (cc, nc, tt, ct, _) in st.stats.items():
        by_name[pstats.func_std_string(func)] = (cc, nc, tt, ct) + func + (
            pstats.func_std_string(func),)
    for keys in KEYS:
        st.sort_stats(*keys)
        want = [pstats.func_std_string(f) for f in st.fcn_list]
        got, ordered = ptop_names(path, keys)
        fields = sum((FIELDS[k] for k in keys), ())
        key = lambda n: tuple(by_name[n][i] for i in fields)
        if [key(n) for n in got] != [key(n) for n in want] or ordered != st.sort_type:
            print("FAIL %s --sort %s: order or '%s' differ from pstats' '%s'" % (
                os.path.basename(path), ",".join(keys), ordered, st.sort_type))
            failures += 1
        checked += 1
    # The columns pstats has no key for, against pstats' numbers.
    per_call = {"percall": lambda v: v[2] / v[1] if v[1] else -1.0,
                "cumpercall": lambda v: v[3] / v[0] if v[0] else -1.0}
    for key, value in per_call.items():
        # (times are kept in whole nanoseconds: pstats' floats agree to 1 ns)
        got, ordered = ptop_names(path, [key, "stdname"])
        values = [value(by_name[n]) for n in got]
        wrong = [i for i in range(1, len(got)) if values[i] > values[i - 1] + 1e-9]
        if sorted(got) != sorted(by_name) or wrong:
            print("FAIL %s --sort %s: %s after %s" % (os.path.basename(path), key,
                                                     got[wrong[0]] if wrong else "?",
                                                     got[wrong[0] - 1] if wrong else "?"))
            failures += 1
        if not ordered.endswith("time per call, standard name"):
            print("FAIL --sort %s: Ordered by: %s" % (key, ordered))
            failures += 1
        checked += 1
    for column, key in (("lineno", "line"), ("function", "name")):
        if ptop_names(path, [column])[0] != ptop_names(path, [key])[0]:
            print("FAIL %s --sort %s differs from --sort %s" % (path, column, key))
            failures += 1
        checked += 1
    got, _ = ptop_names(path, ["cumulative"], ["-n", "3"])
    if len(got) != min(3, len(st.stats)):
        print("FAIL %s -n 3: %d rows" % (path, len(got)))
        failures += 1
for bad in ["n", "c", "t", "bogus", "", "perc", "cumper"]:
    r = subprocess.run([os.path.join(bindir, "ptop"), "--sort", bad, "/dev/null"],
                       capture_output=True)
    if r.returncode != 2 or b"sort key" not in r.stderr:
        print("FAIL --sort %r accepted" % bad)
        failures += 1
# Per-call columns exist only where calls are counted.
r = subprocess.run([os.path.join(bindir, "ptop"), "--sort", "percall",
                    os.path.join(shared, "corpus", "collapsed", "concat_with_comments_blank.folded")],
                   capture_output=True)
if r.returncode != 2 or r.stdout or b"count no calls" not in r.stderr:
    print("FAIL --sort percall on stacks: rc %d %r" % (r.returncode, r.stderr))
    failures += 1
if checked == 0:
    sys.exit("no pstats file this Python can read")
print("%d orders checked, %d failed" % (checked, failures))
sys.exit(1 if failures else 0)
