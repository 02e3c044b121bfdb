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
    bad_mapping = message(4, number(1, 1) + number(2, 9) + number(3, 0x1000))  # names mapping 9
    cases = [("string index 99 out of range", head + bad_string + sample, len(head) + 2),
             ("location 1 names unknown function 7", head + good_function + bad_location + sample,
              len(head) + len(good_function) + 2),
             ("location 1 names unknown mapping 9", head + bad_mapping + sample, len(head) + 2)]
    path = os.path.join(tmp, "dangling.pb")
    for what, data, offset in cases:
        open(path, "wb").write(data)
        r = pconv("-f", "pprof", path, "-o", os.path.join(tmp, "dangling.json"))
        check(r.returncode == 2 and r.stderr.startswith(f"pconv: {path}: offset {offset}: {what}")
              and len(r.stderr.strip().splitlines()) == 1, f"{what}: {r.stderr.strip()}")


def stacks(m):
    """{root-first ("file:name", ...): self} of the model's tree."""
    funcs, nodes = m["functions"], {n["id"]: n for n in m["tree"]}
    out = {}
    for n in nodes.values():
        path, q = [], n["id"]
        while q != 0:
            f = funcs[nodes[q]["func"]]
            path.append(f"{f['file']}:{f['name']}")
            q = nodes[q]["parent"]
        if any(n["self"]):
            key = tuple(reversed(path))
            out[key] = out.get(key, 0) + n["self"][0]
    return out


def unsymbolized_profile():
    """main calls into libfoo.so at 0x4a3f2c, which calls 0x4a3f80 there; main
    also runs at 0x7fff10, in no mapping. Location 5 is 0x4a3f2c again."""
    strings = [b"", b"samples", b"count", b"main", b"main.go", b"/usr/lib/libfoo.so"]
    at = lambda loc, address, mapping=0: message(4, number(1, loc) + number(2, mapping)
                                                 + number(3, address))
    sample = lambda locs, v: message(2, message(1, b"".join(map(varint, locs)))
                                     + message(2, varint(v)))
    return (message(1, number(1, 1) + number(2, 2))
            + message(5, number(1, 1) + number(2, 3) + number(4, 4))
            + message(4, number(1, 1) + message(4, number(1, 1) + number(2, 10)))
            + at(2, 0x4a3f2c, 1) + at(3, 0x4a3f80, 1) + at(4, 0x7fff10) + at(5, 0x4a3f2c, 1)
            # the mapping after the locations naming it, as Go may write it
            + message(3, number(1, 1) + number(2, 0x400000) + number(3, 0x500000) + number(5, 5))
            + sample([3, 2, 1], 5) + sample([2, 1], 3) + sample([4, 1], 2) + sample([5, 1], 7)
            + sample([1], 1)
            + b"".join(message(6, s) for s in strings))


def test_unsymbolized_locations(tmp):
    """A location with an address and no lines is a frame named by the address,
    in its mapping's file, not its cost dropped onto the caller."""
    lib, main = "/usr/lib/libfoo.so", "main.go:main"
    want_stacks = {(main,): 1, (main, f"{lib}:0x4a3f2c"): 10, (main, ":0x7fff10"): 2,
                   (main, f"{lib}:0x4a3f2c", f"{lib}:0x4a3f80"): 5}
    want_functions = {("main", "main.go"): ("python", 1), ("0x4a3f2c", lib): ("native", 10),
                      ("0x4a3f80", lib): ("native", 5), ("0x7fff10", ""): ("native", 2)}
    raw = unsymbolized_profile()
    plain, packed = os.path.join(tmp, "unsym.pb"), os.path.join(tmp, "unsym.pb.gz")
    open(plain, "wb").write(raw)
    open(packed, "wb").write(gzip.compress(raw))
    m = model(plain)
    check(m["totals"] == [18], f"unsymbolized: totals {m['totals']}")
    check(stacks(m) == want_stacks, f"unsymbolized: stacks {stacks(m)}")
    got = {(f["name"], f["file"]): (f["kind"], f["self"][0]) for f in m["functions"]}
    check(got == want_functions, f"unsymbolized: functions {got}")
    check(model(packed) == m, "unsymbolized: gzip'd, not read the same")
    # written back: addresses in mappings for pprof-format too, and read back the same
    a, b = os.path.join(tmp, "unsym-a.pb.gz"), os.path.join(tmp, "unsym-b.pb.gz")
    r = pconv(plain, "-t", "pprof", "-o", a)
    check(r.returncode == 0, f"unsymbolized: write failed: {r.stderr.strip()}")
    decoded = json.loads(subprocess.run(["node", os.path.join(NODE_DIR, "pprof_totals.mjs"), a],
                                        capture_output=True, text=True, check=True).stdout)
    check(decoded["totals"] == ["18"] and decoded["unsymbolized"] ==
          sorted([f"{lib} 0x4a3f2c", f"{lib} 0x4a3f80", " 0x7fff10"]),
          f"unsymbolized: pprof-format reads {decoded['totals']} {decoded['unsymbolized']}")
    again = model(a)
    check(stacks(again) == want_stacks and again["totals"] == [18],
          f"unsymbolized: stacks after the round trip {stacks(again)}")
    check(sorted(again["functions"], key=str) == sorted(m["functions"], key=str),
          "unsymbolized: functions differ after the round trip")
    pconv(a, "-o", b)
    check(model(b) == again, "unsymbolized: pprof -> pprof is not exact")


with tempfile.TemporaryDirectory() as tmp:
    for path in inputs():
        test_file(path, tmp)
    test_damaged(tmp)
    test_dangling_references(tmp)
    test_unsymbolized_locations(tmp)

for f in failures[:30]:
    print("FAIL:", f)
print(f"{passes} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
