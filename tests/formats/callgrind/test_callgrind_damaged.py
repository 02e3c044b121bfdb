#!/usr/bin/env python3
"""Damaged callgrind files: every corpus file (and one written by pconv) cut
at many offsets and with bytes overwritten must either read (a cut text file
is often still a valid profile) or fail with exit status 2 and one line
'pconv: FILE: offset N: what' -- never crash or hang. Both pconv (reader)
and ptop (reader and table) are run."""
import glob
import os
import random
import re
import subprocess
import sys
import tempfile

bindir, shared = sys.argv[1], sys.argv[2]
rng = random.Random(1234)
ERR = re.compile(r"^(pconv|ptop): .*: offset \d+: .+\n$")
failures, runs = 0, 0


def check(data, label, tmp):
    global failures, runs
    path = os.path.join(tmp, "damaged.callgrind")
    with open(path, "wb") as f:
        f.write(data)
    for cmd in (["pconv", "-f", "callgrind", path, "-o", os.path.join(tmp, "out.json")],
                ["ptop", "-f", "callgrind", path, "--callers", "", "--callees", ""]):
        try:
            r = subprocess.run([os.path.join(bindir, cmd[0])] + cmd[1:], capture_output=True,
                               timeout=20)
        except subprocess.TimeoutExpired:
            print("FAIL %s: %s hangs" % (label, cmd[0]))
            failures += 1
            continue
        runs += 1
        err = r.stderr.decode("utf-8", "replace")
        err = "".join(l + "\n" for l in err.split("\n") if l and "warning:" not in l)
        if r.returncode == 0:
            continue
        if r.returncode != 2 or not ERR.match(err):
            print("FAIL %s: %s exit %d, stderr %r" % (label, cmd[0], r.returncode, err[:200]))
            failures += 1


with tempfile.TemporaryDirectory() as tmp:
    files = sorted(f for f in glob.glob(os.path.join(shared, "corpus/callgrind/*"))
                   if not f.endswith((".txt", ".md")))
    written = os.path.join(tmp, "written.callgrind")
    pst = sorted(glob.glob(os.path.join(shared, "corpus/pstats/fib.py313.cProfile.pstats")))
    if pst and subprocess.run([os.path.join(bindir, "pconv"), pst[0], "-o", written]).returncode == 0:
        files.append(written)
    if not files:
        sys.exit("no callgrind files")
    for path in files:
        data = open(path, "rb").read()
        label = os.path.basename(path)
        for cut in sorted(rng.sample(range(len(data)), min(12, len(data)))):
            check(data[:cut], "%s cut at %d" % (label, cut), tmp)
        for _ in range(8):
            d = bytearray(data)
            for _ in range(rng.randint(1, 6)):
                d[rng.randrange(len(d))] = rng.choice(b"0123456789+-*=()\n :\x00\xff#abcfnlxs")
            check(bytes(d), "%s with bytes overwritten" % label, tmp)
        check(os.urandom(2000), "random bytes", tmp)
print("%d runs, %d failed" % (runs, failures))
sys.exit(1 if failures else 0)
