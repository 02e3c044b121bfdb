#!/usr/bin/env python3
"""pfilter is not pconv: a filter is required, and the output keeps the
input's format unless -t or OUTPUT's name asks for another.

  test_pfilter.py BIN_DIR SOURCE_DIR

Outputs are read back by their consumers: pstats by Python's pstats module,
the rest by ptop (which reads any format) with the values the filter kept.
"""
import io
import os
import pstats
import subprocess
import sys
import tempfile

bindir, src = sys.argv[1], sys.argv[2]
samples = os.path.join(src, "samples")
PSTATS = os.path.join(samples, "bootstrap.deb311.cProfile.pstats")
FOLDED = os.path.join(samples, "austin37_wall_threads_py38.folded")
AUSTIN = os.path.join(samples, "a37_wall_iowait_py312.austin")
failures = []


def run(*args):
    return subprocess.run([os.path.join(bindir, args[0])] + list(args[1:]), capture_output=True)


def refused(label, r, message, out=None):
    err = r.stderr.decode()
    if r.returncode != 2 or r.stdout or len(err.splitlines()) != 1 or message not in err or \
            (out and os.path.exists(out)):
        failures.append("%s: rc %d, stdout %r, stderr %r" % (label, r.returncode,
                                                            r.stdout[:80], err))


with tempfile.TemporaryDirectory() as tmp:
    # No filter: refused, nothing written; pconv converts the same command line.
    out = os.path.join(tmp, "none.pstats")
    refused("pfilter without a filter", run("pfilter", PSTATS, "-o", out), "nothing to filter", out)
    if run("pconv", PSTATS, "-o", out).returncode != 0 or not os.path.exists(out):
        failures.append("pconv without a filter failed")

    # pstats in, pstats out (no -t, an OUTPUT name that names no format): Python reads it.
    out = os.path.join(tmp, "kept.out")
    r = run("pfilter", PSTATS, "--focus", "bootstrap_means", "-o", out)
    try:
        names = {f[2] for f in pstats.Stats(out, stream=io.StringIO()).stats}
        before = {f[2] for f in pstats.Stats(PSTATS, stream=io.StringIO()).stats}
        if "bootstrap_means" not in names or "main" not in names or not names < before:
            failures.append("pfilter --focus on pstats kept %s" % sorted(names)[:8])
    except Exception as e:
        failures.append("pfilter's pstats output: %s (rc %d %s)" % (e, r.returncode, r.stderr))

    # Folded stacks to stdout without -o, still folded; the values are the kept stacks'.
    r = run("pfilter", FOLDED, "--ignore", "contender")
    lines = r.stdout.decode().splitlines()
    want = [l for l in open(FOLDED).read().splitlines()
            if l.strip() and not l.startswith("#") and "contender" not in l.rsplit(" ", 1)[0]]
    total = lambda ls: sum(int(l.rsplit(" ", 1)[1]) for l in ls)
    if r.returncode != 0 or not lines or any(";" not in l for l in lines) or \
            total(lines) != total(want) or any("contender" in l for l in lines):
        failures.append("pfilter on folded stacks: rc %d, %d lines, total %s, want %s" % (
            r.returncode, len(lines), total(lines) if lines else 0, total(want)))

    # -t and OUTPUT's name still choose.
    out = os.path.join(tmp, "as.json")
    r = run("pfilter", PSTATS, "--hide", "listcomp", "-o", out)
    if r.returncode != 0 or not open(out).read().lstrip().startswith("{"):
        failures.append("pfilter -o x.json did not write JSON: %s" % r.stderr)
    r = run("pfilter", PSTATS, "--hide", "listcomp", "-t", "collapsed")
    if r.returncode != 0 or not r.stdout or b";" not in r.stdout:
        failures.append("pfilter -t folded did not write folded stacks: %s" % r.stderr)

    # A format that cannot be written back needs -t or a telling name: one line, nothing written.
    refused("pfilter austin without -t", run("pfilter", AUSTIN, "--focus", "main"),
            "austin profiles cannot be written back")
    out = os.path.join(tmp, "austin.folded")
    if run("pfilter", AUSTIN, "--focus", "main", "-o", out).returncode != 0 or \
            not os.path.getsize(out):
        failures.append("pfilter austin -o x.folded failed")

    # A filter matching nothing: the grammar's error, nothing written.
    out = os.path.join(tmp, "nothing.pstats")
    refused("pfilter --focus matching nothing", run("pfilter", PSTATS, "--focus", "zz_none", "-o",
                                                    out), "--focus 'zz_none': matches no function",
            out)

for f in failures:
    print("FAIL:", f)
print("pfilter: %d failures" % len(failures))
sys.exit(1 if failures else 0)
