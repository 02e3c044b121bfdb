#!/usr/bin/env python3
"""pprof writer and reader: an independent decoder (npm pprof-format) agrees
with our totals, our reader reads our output back exactly, and damaged
protobuf never crashes the reader.

usage: test_pprof.py BIN_DIR SHARED_DIR NODE_DIR
"""
import glob
import gzip
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from leb128 import varint  # noqa: E402

BIN, SHARED, NODE_DIR = sys.argv[1:4]
PCONV = os.path.join(BIN, "pconv")
failures = []
passes = 0


def pconv(*args):
    return subprocess.run([PCONV, *args], capture_output=True, text=True)


def model(path):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        r = pconv(path, "-o", out.name)
        if r.returncode != 0:
            raise RuntimeError(r.stderr.strip())
        return json.load(open(out.name))


def function_values(m):
    """(name, file) -> (self, incl) summed, the identity a stack round trip keeps."""
    out = {}
    for f in m["functions"]:
        key = (f["name"], f["file"])
        s, i = out.get(key, ([0] * len(f["self"]), [0] * len(f["incl"])))
        out[key] = ([a + b for a, b in zip(s, f["self"])], [a + b for a, b in zip(i, f["incl"])])
    return out


def check(cond, what):
    global passes
    if cond:
        passes += 1
    else:
        failures.append(what)


def readable_formats():
    out = pconv("--list-formats").stdout.splitlines()[1:]
    return {line.split()[0] for line in out if line.split()[1] == "yes"}


def inputs():
    fmts = readable_formats()
    patterns = {"pstats": "pstats/*.pstats", "austin": "austin/*.austin", "mojo": "austin/*.mojo",
                "collapsed": "collapsed/*.folded", "memray": "memray/*.bin", "lprof": "lprof/*.lprof"}
    for fmt, pattern in patterns.items():
        if fmt in fmts:
            files = sorted(glob.glob(os.path.join(SHARED, "corpus", pattern)))
            # every kind of input, not every file: a spread of at most 8 per format
            yield from files[:: max(1, len(files) // 8)]


def test_file(path, tmp):
    name = os.path.basename(path)
    a, b = os.path.join(tmp, "a.pb.gz"), os.path.join(tmp, "b.pb.gz")
    r = pconv(path, "-o", a)
    check(r.returncode == 0, f"{name}: write failed: {r.stderr.strip()}")
    if r.returncode != 0:
        return
    decoded = json.loads(subprocess.run(["node", os.path.join(NODE_DIR, "pprof_totals.mjs"), a],
                                        capture_output=True, text=True, check=True).stdout)
    ours = model(a)
    check([int(t) for t in decoded["totals"]] == ours["totals"],
          f"{name}: pprof-format totals {decoded['totals']} != ours {ours['totals']}")
    check([m["name"] for m in ours["metrics"]] == [t["type"] for t in decoded["types"]],
          f"{name}: sample types differ")
    if path.endswith(".austin") and open(path, errors="replace").read(9) == "# austin:":
        # every sample labelled with its thread, the threads the file names
        heads = {line.rsplit(" ", 1)[0].split(";")[1][1:] for line in open(path, errors="replace")
                 if line.startswith("P") and ";" in line}
        check(decoded["threads"] == sorted(heads) and decoded["labelled"] == decoded["samples"],
              f"{name}: thread labels {decoded['threads']} != {sorted(heads)}")
    original = model(path)
    if original.get("tree") is not None and not original["estimated"]:
        check(function_values(original) == function_values(ours),
              f"{name}: stacks differ after the round trip")
    pconv(a, "-o", b)
    check(model(b) == ours, f"{name}: pprof -> pprof is not exact")


def test_damaged(tmp):
    src = os.path.join(tmp, "damaged-src.pb.gz")
    pconv(os.path.join(SHARED, "corpus", "pstats", "fib.deb311.cProfile.pstats"), "-o", src)
    raw = gzip.decompress(open(src, "rb").read())
    cut = os.path.join(tmp, "cut.pb")
    for n in list(range(1, 64)) + list(range(64, len(raw), max(1, len(raw) // 150))):
        data = bytearray(raw[:n])
        if n % 3 == 0 and n > 10:
            data[n // 2] ^= 0xFF  # and a flipped byte
        open(cut, "wb").write(bytes(data))
        r = pconv("-f", "pprof", cut, "-o", os.path.join(tmp, "cut.json"))
        lines = r.stderr.strip().splitlines()
        ok = r.returncode == 0 or (r.returncode == 2 and len(lines) == 1 and
                                   lines[0].startswith(f"pconv: {cut}: offset "))
        check(ok, f"damaged pprof cut at {n}: rc={r.returncode} {r.stderr.strip()[:200]}")


def message(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def number(field, v):
    return varint(field << 3) + varint(v)


def test_dangling_references(tmp):
    """An index or id naming nothing is reported at the message that names it."""
    head = (message(1, number(1, 1) + number(2, 2))  # sample_type: samples/count
            + b"".join(message(6, s) for s in (b"", b"samples", b"count", b"main")))
    sample = message(2, message(1, varint(1)) + message(2, varint(5)))
    bad_string = message(5, number(1, 1) + number(2, 99))  # function named by string 99
    good_function = message(5, number(1, 1) + number(2, 3))
    bad_location = message(4, number(1, 1) + message(4, number(1, 7)))  # names function 7
    cases = [("string index 99 out of range", head + bad_string + sample, len(head) + 2),
             ("location 1 names unknown function 7", head + good_function + bad_location + sample,
              len(head) + len(good_function) + 2)]
    path = os.path.join(tmp, "dangling.pb")
    for what, data, offset in cases:
        open(path, "wb").write(data)
        r = pconv("-f", "pprof", path, "-o", os.path.join(tmp, "dangling.json"))
        check(r.returncode == 2 and r.stderr.startswith(f"pconv: {path}: offset {offset}: {what}"),
              f"{what}: {r.stderr.strip()}")


with tempfile.TemporaryDirectory() as tmp:
    for path in inputs():
        test_file(path, tmp)
    test_damaged(tmp)
    test_dangling_references(tmp)

for f in failures[:30]:
    print("FAIL:", f)
print(f"{passes} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
