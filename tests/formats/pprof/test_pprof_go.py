#!/usr/bin/env python3
"""pprof files in Go's runtime/pprof field order: time_nanos, period_type,
functions, locations and mappings before the sample types and samples. They
must be recognised by content, gzip-compressed or not, and read as any
other pprof.

usage: test_pprof_go.py BINDIR

The files are written here by a small protobuf encoder (profile.proto's
field numbers), so the test needs nothing but python.
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field_int(no, v):
    return varint(no << 3) + varint(v)


def field_msg(no, body):
    return varint(no << 3 | 2) + varint(len(body)) + body


def packed(no, values):
    return field_msg(no, b"".join(varint(v) for v in values))


STRINGS = ["", "samples", "count", "cpu", "nanoseconds", "main.main", "main.go",
           "main.work", "/usr/bin/app"]
S = {s: i for i, s in enumerate(STRINGS)}


def value_type(t, u):
    return field_int(1, S[t]) + field_int(2, S[u])


def go_profile():
    """Fields in the order runtime/pprof's profileBuilder writes them."""
    body = field_int(9, 1700000000000000000)                       # time_nanos
    body += field_msg(11, value_type("cpu", "nanoseconds"))        # period_type
    body += field_int(12, 10000000)                                # period
    body += field_msg(3, field_int(1, 1) + field_int(2, 0x400000)  # mapping
                      + field_int(3, 0x500000) + field_int(5, S["/usr/bin/app"]))
    body += field_msg(5, field_int(1, 1) + field_int(2, S["main.main"])   # function
                      + field_int(4, S["main.go"]) + field_int(5, 10))
    body += field_msg(5, field_int(1, 2) + field_int(2, S["main.work"])
                      + field_int(4, S["main.go"]) + field_int(5, 20))
    line = lambda fn, ln: field_msg(4, field_int(1, fn) + field_int(2, ln))
    body += field_msg(4, field_int(1, 1) + field_int(2, 1) + field_int(3, 0x401000)
                      + line(1, 12))                               # location
    body += field_msg(4, field_int(1, 2) + field_int(2, 1) + field_int(3, 0x402000)
                      + line(2, 25))
    body += field_msg(1, value_type("samples", "count"))           # sample_type
    body += field_msg(1, value_type("cpu", "nanoseconds"))
    body += field_msg(2, packed(1, [2, 1]) + packed(2, [3, 30000000]))  # sample: work<-main
    body += field_msg(2, packed(1, [1]) + packed(2, [1, 10000000]))     # main alone
    for s in STRINGS:
        body += field_msg(6, s.encode())
    return body


def main():
    bindir = sys.argv[1]
    failures = 0
    data = go_profile()
    assert data[0] != 0x0A, "the test file must not start with sample_type"
    with tempfile.TemporaryDirectory() as tmp:
        for name, raw in (("go.pprof", data), ("go.pb.gz", gzip.compress(data)),
                          ("noname", data)):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(raw)
            out = os.path.join(tmp, "m.json")
            r = subprocess.run([os.path.join(bindir, "pconv"), path, "-o", out],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print("FAIL %s: %s" % (name, r.stderr.strip()))
                failures += 1
                continue
            m = json.load(open(out))
            funcs = {f["name"]: f for f in m["functions"]}
            got = (m["format"], sorted(funcs), m["totals"],
                   funcs.get("main.work", {}).get("self"), funcs.get("main.main", {}).get("incl"))
            want = ("pprof", ["main.main", "main.work"], [4, 40000000], [3, 30000000],
                    [4, 40000000])
            if got != want:
                print("FAIL %s: got %r, want %r" % (name, got, want))
                failures += 1
            else:
                print("ok %s" % name)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
