"""speedscope export keeps the chronology: for every corpus profile with
samples (austin text and MOJO, perf script, Python 3.15's sampler), the
export holds one sample per recorded sample; for austin 3.x text, each
thread's samples are the file's, stack for stack, weight for weight, in the
file's order. Trace events become evented profiles whose events nest.

    test_speedscope_chronology.py PCONV SHARED_DIR
"""
import glob
import json
import os
import subprocess
import sys

PCONV, SHARED = sys.argv[1], sys.argv[2]
failures = 0


def check(ok, what):
    global failures
    if not ok:
        failures += 1
    print(("ok   " if ok else "FAIL ") + what)


def run(path, *args):
    return subprocess.run([PCONV, path, *args], capture_output=True, check=True).stdout


def export(path):
    return json.loads(run(path, "-t", "speedscope", "-o", "-"))


def austin_threads(path):
    """Per thread text: the stacks (function names) and weights (ns), in order."""
    threads, mode = {}, "wall"
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("# mode:"):
            mode = line.split(":", 1)[1].strip()
        if not line.startswith("P"):
            continue
        head, metric = line.rsplit(" ", 1)
        parts = head.split(";")
        names = [f.rsplit(":", 2)[1] if f.count(":") >= 2 else f for f in parts[2:]]
        weight = int(metric.split(",")[0]) * 1000 if mode in ("wall", "cpu", "full") else None
        threads.setdefault(parts[1][1:], []).append((names, weight))
    return threads


def exact_austin(path, doc):
    frames = [f["name"] for f in doc["shared"]["frames"]]
    got = {}
    for prof in doc["profiles"]:
        got.setdefault(prof["name"], []).extend(
            ([frames[i] for i in s], w) for s, w in zip(prof["samples"], prof["weights"]))
    want = austin_threads(path)
    same = set(got) == set(want) and all(
        [s for s, _ in got[t]] == [s for s, _ in want[t]] and
        all(ww is None or gw == ww for (_, gw), (_, ww) in zip(got[t], want[t])) for t in want)
    check(same, f"{path}: each thread's samples are the file's, in order")


def sampled(path):
    doc = export(path)
    m = json.loads(run(path, "-t", "json", "-o", "-"))
    names = [x["name"] for x in m["metrics"]]
    n = sum(len(p.get("samples", [])) for p in doc["profiles"])
    check(all(p["type"] == "sampled" for p in doc["profiles"]), f"{path}: sampled profiles")
    if "samples" in names:
        want = m["totals"][names.index("samples")]
        check(n == want, f"{path}: one sample per recorded sample ({n} of {want})")
    else:
        check(n > 0, f"{path}: samples exported ({n})")
    for p in doc["profiles"]:
        if len(p["samples"]) != len(p["weights"]) or p["endValue"] != p["startValue"] + sum(p["weights"]):
            check(False, f"{path}: {p['name']}: weights and end value agree")
    if path.endswith(".austin") and open(path, errors="replace").read(256).startswith("# austin"):
        exact_austin(path, doc)


def evented(path):
    doc = export(path)
    ok = True
    for p in doc["profiles"]:
        depth, last = [], -1
        ok &= p["type"] == "evented"
        for e in p["events"]:
            ok &= e["at"] >= last
            last = e["at"]
            if e["type"] == "O":
                depth.append(e["frame"])
            else:
                ok &= bool(depth) and depth.pop() == e["frame"]
        ok &= not depth
    check(ok and doc["profiles"], f"{path}: evented profiles whose events nest")
    back = subprocess.run([PCONV, "-", "-t", "collapsed", "-o", "-"], input=json.dumps(doc).encode(),
                          capture_output=True, check=True).stdout.decode()
    total = lambda text: sum(int(l.rsplit(" ", 1)[1]) for l in text.splitlines() if l)
    orig = run(path, "-t", "collapsed", "-o", "-").decode()
    check(total(back) == total(orig), f"{path}: the events make the same total")


c = os.path.join(SHARED, "corpus")
files = []
for pat in ["austin/*.austin", "austin/*.mojo", "perf/*.perf.txt", "py314-315/*tachyon*.bin"]:
    files += sorted(glob.glob(os.path.join(c, pat)))
check(len(files) > 20, f"{len(files)} sampled profiles")
for f in files:
    sampled(f)
for f in sorted(x for x in glob.glob(os.path.join(c, "viztracer/vz_*.json")) if ".oracle." not in x):
    evented(f)
sys.exit(1 if failures else 0)
