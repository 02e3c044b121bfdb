#!/usr/bin/env python3
"""The memray reader on damaged and unusual input: captures cut at many
offsets, bytes changed at random, random bytes, header versions 11, 13 and an
unknown one. Every run must end with exit status 0 (a partial read, with a
warning when the capture was cut) or 2 with one line `pconv: FILE: offset N:
...`: never a crash or a hang.

usage: test_memray_robust.py PCONV CORPUS_DIR
"""
import collections
import json
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from memray_capture import header_v12, live_allocations_capture, svarint, varint  # noqa: E402

ERROR_LINE = re.compile(r"^pconv: .+: offset \d+: .+$")


class Runner:
    def __init__(self, pconv, tmp):
        self.pconv = pconv
        self.tmp = tmp
        self.runs = 0

    def run(self, data, view="peak", name="case.bin", extra=()):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        out = os.path.join(self.tmp, "out.json")
        if os.path.exists(out):
            os.unlink(out)
        proc = subprocess.run([self.pconv, path, "-f", "memray", "--view", view, "-o", out,
                               *extra],
                              capture_output=True, text=True, timeout=20)
        self.runs += 1
        model = None
        if proc.returncode == 0:
            with open(out) as f:
                model = json.load(f)
        return proc, model

    def check(self, data, what, expect_warning=False, extra=()):
        proc, model = self.run(data, extra=extra)
        if proc.returncode == 2:
            lines = proc.stderr.strip().splitlines()
            if len(lines) != 1 or not ERROR_LINE.match(lines[0]):
                raise AssertionError(f"{what}: error is not one line: {proc.stderr!r}")
            return "error"
        if proc.returncode != 0:
            raise AssertionError(f"{what}: exit status {proc.returncode}: {proc.stderr[-500:]!r}")
        if expect_warning and "warning" not in proc.stderr.lower() and not proc.stderr.strip():
            raise AssertionError(f"{what}: partial read without a warning")
        return "partial"


def raw_captures(corpus):
    """Uncompressed captures (the LZ4 ones are cut as compressed files too)."""
    for name in sorted(os.listdir(corpus)):
        path = os.path.join(corpus, name)
        if not os.path.exists(path + ".expected.json"):
            continue
        with open(path, "rb") as f:
            data = f.read()
        yield name, data


def trailer_end(data):
    """Offset just after the data: zero padding stripped."""
    return len(data.rstrip(b"\0"))


def test_truncation(r, corpus):
    outcomes = {"error": 0, "partial": 0}
    for name, data in raw_captures(corpus):
        if len(data) > 200_000:
            continue
        end = trailer_end(data)
        if data.startswith(b"memray\0"):
            cuts = list(range(0, min(end, 400)))  # every offset through the header
            cuts += sorted(random.Random(name).sample(range(400, end), min(120, end - 400)))
        else:
            cuts = sorted(random.Random(name).sample(range(0, end), min(40, end)))
        for cut in cuts:
            # a cut raw capture must warn; a cut LZ4 frame may fail instead
            outcome = r.check(data[:cut], f"{name} cut at {cut}",
                              expect_warning=data.startswith(b"memray\0") and cut > 200)
            outcomes[outcome] += 1
    if not outcomes["partial"] or not outcomes["error"]:
        raise AssertionError(f"cuts gave only one kind of outcome: {outcomes}")
    return outcomes


def test_mutations(r, corpus):
    rng = random.Random(1234)
    with open(os.path.join(corpus, "tiny.native.nocompress.bin"), "rb") as f:
        base = f.read()
    end = trailer_end(base)
    for i in range(250):
        data = bytearray(base[:end + 1])
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(0xA1, len(data))] = rng.randrange(256)
        r.check(bytes(data), f"mutation {i}", extra=("--native",) if i % 2 else ())
    for i in range(50):
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(0, 3000)))
        r.check(b"memray\0" + struct.pack("<i", 12) + junk, f"random body {i}")
        r.check(junk, f"random bytes {i}")


def test_versions(r, corpus):
    with open(os.path.join(corpus, "tiny.nocompress.bin"), "rb") as f:
        v12 = f.read()
    expected = json.load(open(os.path.join(corpus, "tiny.nocompress.bin.expected.json")))
    # version 13: the same records after three more header fields
    cmd_end = v12.index(b"\0", 49)
    fixed_end = cmd_end + 1 + 4 + 8 + 8 + 3
    v13 = (v12[:7] + struct.pack("<i", 13) + v12[11:fixed_end]
           + b"/usr/lib/python3.11\0" + b"/a/site-packages\0/b\0\0" + b"/x\0\0"
           + v12[fixed_end:])
    proc, model = r.run(v13)
    assert proc.returncode == 0, proc.stderr
    assert model["totals"][0] == expected["peak_memory_bytes"], model["totals"]
    assert model["meta"]["memray.libdest"] == "/usr/lib/python3.11"

    # an unknown version is refused by name
    proc, _ = r.run(v12[:7] + struct.pack("<i", 14) + v12[11:])
    assert proc.returncode == 2 and "version 14" in proc.stderr, proc.stderr

    # version 11: nibble record types, frames with their own line numbers
    def sv(v):
        z = (v << 1) ^ (v >> 63)
        out = b""
        while True:
            b = z & 0x7F
            z >>= 7
            if z:
                out += bytes([b | 0x80])
            else:
                return out + bytes([b])

    hdr = (b"memray\0" + struct.pack("<iBB", 11, 0, 0) + struct.pack("<QQqq", 3, 0, 1000, 2000)
           + b"cmd\0" + struct.pack("<iQQBB", 7, 1, 0, 3, 0))
    body = (b"\x0c" + struct.pack("<Q", 1)                        # CONTEXT_SWITCH tid 1
            + b"\x03" + sv(0) + b"main\0/t.py\0" + sv(10)         # FRAME_INDEX 0: main line 10
            + b"\x03" + sv(1) + b"leaf\0/t.py\0" + sv(3)          # FRAME_INDEX 1: leaf line 13
            + b"\x04" + sv(-1) + b"\x04" + sv(1)                  # push 0, push 1
            + bytes([0x61]) + sv(0x1000) + b"\xe8\x07"            # MALLOC 1000 at 0x1000
            + bytes([0x61]) + sv(0x1000) + b"\x64"                # MALLOC 100 at 0x2000
            + bytes([0x51]) + sv(-0x1000)                         # FREE 0x1000
            + b"\x10")                                            # TRAILER
    # by line, a function is where it ran: leaf at line 13
    proc, model = r.run(hdr + body, extra=("--granularity", "line"))
    assert proc.returncode == 0, proc.stderr
    assert model["totals"] == [1100, 2], model["totals"]
    leaf = [f for f in model["functions"] if f["name"] == "leaf"]
    assert leaf and leaf[0]["line"] == 13, leaf

    # version 11, aggregated: raw frame and stack records
    hdr_agg = hdr[:11] + bytes([0, 1]) + hdr[13:]
    agg11 = (hdr_agg
             + b"\x04" + struct.pack("<Q", 0) + b"main\0/t.py\0" + struct.pack("<iB", 10, 1)
             + b"\x04" + struct.pack("<Q", 1) + b"leaf\0/t.py\0" + struct.pack("<iB", 13, 1)
             + b"\x03" + struct.pack("<QI", 0, 0)      # node 1: main
             + b"\x03" + struct.pack("<QI", 1, 1)      # node 2: leaf called from main
             + b"\x02" + struct.pack("<QB7xQQQQQQQ", 1, 6, 0, 2, 0, 3, 1, 3000, 500)
             + b"\x0f")
    proc, model = r.run(agg11)
    assert proc.returncode == 0, proc.stderr
    assert model["totals"] == [3000, 3], model["totals"]
    assert any(f["name"] == "leaf" for f in model["functions"])
    proc, model = r.run(agg11, view="leaks")
    assert proc.returncode == 0 and model["totals"] == [500, 1], (proc.stderr, model)

    # aggregated captures cannot give per-allocation views
    agg = header_v12(fmt=1) + b"\x0f"
    proc, _ = r.run(agg, view="total")
    assert proc.returncode == 2 and "aggregated" in proc.stderr, proc.stderr


def sample_functions():
    """Real code objects of this interpreter, to read their line tables."""
    def branches(x):
        a = x + 1
        if a > 3:
            b = [i * 2 for i in range(a)]
        else:
            b = {
                "k": a,
            }
        for i in range(3):
            a += i
        return b, a

    def long_lines(n):
        total = 0
        while n:
            total += n; n -= 1  # noqa: E702
        try:
            total = total // 0
        except ZeroDivisionError:
            total = -1
        return total

    return [branches.__code__, long_lines.__code__, json.dumps.__code__, random.Random.__init__.__code__]


def line_capture(python_hex, table_of):
    """A capture pushing every instruction offset of the sample functions,
    one allocation each (size = a unique number): returns the bytes and
    {(function, line): bytes expected}."""
    header = (b"memray\0" + struct.pack("<iIBB", 12, python_hex, 0, 0)
              + struct.pack("<QQqq", 0, 0, 1000, 2000) + b"cmd\0"
              + struct.pack("<iQQBBB", 1, 99, 0, 1, 0, 0))
    body = b"\x0c" + struct.pack("<Q", 1)
    expected = collections.Counter()
    last_first = 0
    size = 1000
    for code_id, code in enumerate(sample_functions(), 1):
        table = table_of(code)
        body += (b"\x0e" + varint(code_id) + code.co_name.encode() + b"\0"
                 + code.co_filename.encode() + b"\0" + svarint(code.co_firstlineno - last_first)
                 + varint(len(table)) + table)
        last_first = code.co_firstlineno
        for start, end, line in code.co_lines():
            if line is None:
                continue
            for offset in range(start, end, 2):
                size += 1
                body += (b"\x41" + varint(code_id) + svarint(offset)
                         + b"\xfe" + svarint(size) + varint(size) + b"\x10")
                expected[(code.co_name, line)] += size
    return header + body + b"\x01", expected


def test_line_tables(r):
    """Line numbers against the interpreter's own co_lines(): its location
    table (3.11+ format) and, while it has one, its co_lnotab (<= 3.9)."""
    tables = [(0x030B02F0, lambda c: c.co_linetable)]
    if sys.version_info < (3, 11):
        return 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if getattr(sample_functions()[0], "co_lnotab", None) is not None:
            tables.append((0x030905F0, lambda c: c.co_lnotab))
    for python_hex, table_of in tables:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            data, expected = line_capture(python_hex, table_of)
        proc, model = r.run(data, view="total", extra=("--granularity", "line"))
        assert proc.returncode == 0, proc.stderr
        got = collections.Counter()
        for node in model["tree"]:
            fn = model["functions"][node["func"]]
            got[(fn["name"], fn["line"])] += node["self"][0]
        assert got == expected, (hex(python_hex), sorted(set(got.items()) ^ set(expected.items()))[:6])
    return len(tables)


def test_live_budget(r):
    """A million allocations never freed: the live table grows with them and
    counts against --max-memory, which ends the read with one clear line."""
    n = 1_000_000
    capture = live_allocations_capture(n)
    proc, model = r.run(capture, extra=["--max-memory", "256M"])
    assert proc.returncode == 0, proc.stderr
    assert model["meta"]["memray.peak_memory"] == str(64 * n), model["meta"]
    proc, _ = r.run(capture, extra=["--max-memory", "16M"])
    assert proc.returncode == 2 and "memory limit" in proc.stderr, proc.stderr
    assert ERROR_LINE.match(proc.stderr.strip()), proc.stderr


def main():
    pconv, corpus = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        r = Runner(pconv, tmp)
        outcomes = test_truncation(r, corpus)
        test_mutations(r, corpus)
        test_versions(r, corpus)
        tables = test_line_tables(r)
        test_live_budget(r)
        print(f"ok: {r.runs} runs, cuts: {outcomes}, line table formats checked: {tables}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
