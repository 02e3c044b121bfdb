"""--time on every profile of the corpus that has a timeline (austin text and
MOJO, trace events, perf script, speedscope, Python 3.15's sampler): the
first half and the second half of the run add up to the whole, stack by
stack and metric by metric; every command takes --time; a profile without
times is refused with one line and exit 2. A window of trace events counts
a call for every span it overlaps.

    test_time_window.py BIN_DIR SHARED_DIR
"""
import glob
import json
import os
import subprocess
import sys

BIN, SHARED = sys.argv[1], sys.argv[2]
PCONV = os.path.join(BIN, "pconv")
failures = 0


def check(ok, what):
    global failures
    if not ok:
        failures += 1
    print(("ok   " if ok else "FAIL ") + what)


def model(path, *args):
    out = subprocess.run([PCONV, path, *args, "-t", "json", "-o", "-"],
                         capture_output=True, check=True).stdout
    return json.loads(out)


def by_stack(m):
    """Self values per stack of function identities, and the totals."""
    funcs = {f["id"]: (f["name"], f["file"], f["line"]) for f in m["functions"]}
    paths, out = {}, {}
    for n in m["tree"]:  # parents come first
        parent = paths.get(n["parent"], ())
        paths[n["id"]] = parent + ((funcs[n["func"]], n["line"]),)
        key = paths[n["id"]]
        out[key] = [a + b for a, b in zip(out.get(key, [0] * len(n["self"])), n["self"])]
    return out, m["totals"]


def corpus():
    c = os.path.join(SHARED, "corpus")
    pats = ["austin/*.austin", "austin/*.mojo", "viztracer/vz_*.json", "viztracer/vz_*.json.gz",
            "perf/*.perf.txt", "pyinstrument/*.speedscope.json", "py314-315/*tachyon*.bin"]
    files = []
    for p in pats:
        files += [f for f in sorted(glob.glob(os.path.join(c, p))) if ".oracle." not in f]
    return files


def halves(path):
    whole = model(path)
    dur = float(whole["meta"].get("duration_s", "0"))
    check(dur > 0, f"{path}: duration_s {dur}")
    mid = f"{dur / 2:.6f}"
    (w, wt), (a, at), (b, bt) = by_stack(whole), by_stack(model(path, "--time", ":" + mid)), \
        by_stack(model(path, "--time", mid + ":"))
    summed = {}
    for part in (a, b):
        for k, v in part.items():
            summed[k] = [x + y for x, y in zip(summed.get(k, [0] * len(v)), v)]
    nonzero = lambda d: {k: v for k, v in d.items() if any(v)}
    check(nonzero(summed) == nonzero(w), f"{path}: :{mid} and {mid}: add up to the whole, stack by stack")
    check([x + y for x, y in zip(at, bt)] == wt, f"{path}: totals {at} + {bt} = {wt}")


def trace_calls(path):
    """Trace events: a window's call counts are the spans it overlaps (an
    instant one where it happened), counted from the events themselves."""
    whole = model(path)
    calls = lambda m: {(f["name"], f["file"], f["line"]): (f["calls"], f["pcalls"])
                       for f in m["functions"] if f["calls"]}
    check(calls(model(path, "--time", "0:")) == calls(whole), f"{path}: 0: keeps every call")
    with open(path) as f:
        events = json.load(f)["traceEvents"]
    if any(e.get("ph") in ("B", "E") for e in events):
        return  # where an unended B stops is the reader's choice: not an oracle
    events = [e for e in events if e.get("ph") == "X"]
    # times in ns from the first, as the reader rounds them
    ns = lambda us: round(us * 1000)
    first = min(ns(e["ts"]) for e in events)
    spans = [(ns(e["ts"]) - first, ns(e["ts"]) + ns(e["dur"]) - first) for e in events]
    check(sum(c for c, _ in calls(whole).values()) == len(spans), f"{path}: one call a span")
    dur = float(whole["meta"]["duration_s"])
    for a, b in ((dur / 3, 2 * dur / 3), (0.0, dur / 5), (dur / 2, None)):
        lo, hi = round(a * 1e9), round(b * 1e9) if b is not None else 1 << 62
        want = sum(1 for s, e in spans if min(e, hi) > max(s, lo) or (s == e and lo <= s < hi))
        window = f"{a:.9f}:" + (f"{b:.9f}" if b is not None else "")
        got = sum(c for c, _ in calls(model(path, "--time", window)).values())
        check(got == want, f"{path}: --time {window} has {got} calls, the spans it overlaps {want}")


def refusals(tmp_austin):
    pstats = sorted(glob.glob(os.path.join(SHARED, "corpus/pstats/*.pstats")))[0]
    for cmd in ["pconv", "pfilter", "ptop", "pgraph", "plines"]:
        args = [os.path.join(BIN, cmd), pstats, "--time", "1:2"]
        if cmd in ("pconv", "pfilter"):
            args += ["-t", "collapsed", "-o", os.devnull]
        r = subprocess.run(args, capture_output=True, text=True)
        err = r.stderr.strip()
        check(r.returncode == 2 and err.count("\n") == 0 and
              f"{pstats}: has no timeline: --time needs samples or events with times" in err,
              f"{cmd} refuses --time on pstats: {err!r}")
    r = subprocess.run([os.path.join(BIN, "pdiff"), tmp_austin, pstats, "--time", ":1"],
                       capture_output=True, text=True)
    check(r.returncode == 2 and "has no timeline" in r.stderr, "pdiff refuses a side without times")
    for bad in ["5", "a:b", "3:1", "-1:2", "1:1"]:
        r = subprocess.run([PCONV, tmp_austin, "--time", bad, "-t", "collapsed", "-o", os.devnull],
                           capture_output=True, text=True)
        check(r.returncode == 2 and "bad --time" in r.stderr, f"--time {bad!r} refused")
    # every command takes it on a profile with times
    for cmd, extra in [("ptop", []), ("plines", []), ("pgraph", ["-t", "dot", "-o", os.devnull]),
                       ("pfilter", ["-t", "collapsed", "-o", os.devnull]),
                       ("pdiff", [tmp_austin])]:
        r = subprocess.run([os.path.join(BIN, cmd), tmp_austin, *extra, "--time", "0.01:"],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"{cmd} --time 0.01: runs ({r.stderr.strip()[:100]})")


files = corpus()
check(len(files) > 20, f"{len(files)} profiles with times in the corpus")
for f in files:
    halves(f)
for f in sorted(glob.glob(os.path.join(SHARED, "corpus/viztracer/vz_*.json"))):
    if ".oracle." not in f:
        trace_calls(f)
refusals(os.path.join(SHARED, "corpus/austin/a37_wall_recursion_py311.austin"))
sys.exit(1 if failures else 0)
