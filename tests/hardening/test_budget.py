#!/usr/bin/env python3
"""Reads that stop at --max-memory: every reader on an input larger than a
ladder of limits ends with exit status 2 and one line naming the limit, or
reads it whole, and frees what it took (in the AddressSanitizer build a leak
shows as LeakSanitizer's report and a non-zero exit).

    test_budget.py BIN_DIR SOURCE_DIR SHARED_DIR"""
import os
import pickle
import re
import subprocess
import sys
import tempfile
import types

BIN, SRC, SHARED = sys.argv[1:4]
sys.path.insert(0, os.path.join(SRC, "tests", "helpers"))
import memray_capture  # noqa: E402

LIMITS = ["1M", "2M", "4M", "8M", "16M"]
LINE = re.compile(r"^pconv: .+: offset \d+: memory limit of \d+ MiB exceeded.*\n$")


def pconv(*args):
    return subprocess.run([os.path.join(BIN, "pconv"), *args], capture_output=True, text=True,
                          timeout=300)


def lprof_capture():
    """line_profiler's LineStats with 30,000 functions of 10 lines each."""
    module = "line_profiler.line_profiler"
    for name in ("line_profiler", module):
        sys.modules.setdefault(name, types.ModuleType(name))
    cls = type("LineStats", (object,), {"__module__": module})
    sys.modules[module].LineStats = cls
    stats = cls()
    stats.unit = 1e-6
    stats.timings = {(f"/src/m{i % 50}.py", i, f"f{i}"): [(i + k, k + 1, 10 * k) for k in range(10)]
                     for i in range(30_000)}
    return pickle.dumps(stats, protocol=4)


def inputs(tmp):
    """name -> path, each large enough to outgrow the smaller limits."""
    bench = os.path.join(SHARED, "bench")
    pstats = os.path.join(bench, "pstats-20k-functions.py312.pstats")
    mojo = os.path.join(bench, "austin-large.mojo")
    made = {"pstats": pstats, "mojo": mojo,
            "austin": os.path.join(SHARED, "corpus", "austin", "a37_full_gcheavy_py310.austin")}
    for name, source, out in (("callgrind", pstats, "big.callgrind"), ("pprof", pstats, "big.pb.gz"),
                              ("collapsed", mojo, "big.folded"),
                              ("speedscope", mojo, "big.speedscope.json")):
        path = os.path.join(tmp, out)
        r = pconv(source, "-o", path)
        assert r.returncode == 0, r.stderr
        made[name] = path
    # a million live allocations: memray's live table outgrows the limits
    for name, data in (("memray", memray_capture.live_allocations_capture(1_000_000)),
                       ("lprof", lprof_capture())):
        made[name] = os.path.join(tmp, "big." + name)
        with open(made[name], "wb") as f:
            f.write(data)
    return made


def main():
    fails, runs = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for reader, path in inputs(tmp).items():
            stopped = 0
            for limit in LIMITS:
                r = pconv("-f", reader, "--max-memory", limit, path, "-o", os.path.join(tmp, "o.json"))
                runs += 1
                if r.returncode == 2 and LINE.match(r.stderr):
                    stopped += 1
                elif r.returncode != 0 or r.stderr.strip():
                    fails.append(f"{reader} at {limit}: exit {r.returncode}: {r.stderr[:600]}")
            if not stopped:
                fails.append(f"{reader}: no limit of {LIMITS} stopped the read: input too small")
            print(f"{reader}: stopped at {stopped} of {len(LIMITS)} limits")
    for f in fails:
        print("FAIL:", f)
    print(f"{runs} runs, {len(fails)} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
