#!/usr/bin/env python3
"""Hostile inputs: each must end with exit status 2 and one line
`pconv: FILE: offset N: what` within a second of CPU time (times PK_TIME_SCALE for slow
builds), never a crash, hang or runaway allocation.

    test_hostile.py BIN_DIR SOURCE_DIR [--write]

The small crafted files are checked in under tests/data/hostile/ (--write
regenerates them); the large ones (bombs, a million frames) are made here."""
import gzip
import os
import re
import shutil
import struct
import subprocess
import resource
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from leb128 import varint  # noqa: E402

BIN, SRC = sys.argv[1], sys.argv[2]
HOSTILE = os.path.join(SRC, "tests", "data", "hostile")
SCALE = float(os.environ.get("PK_TIME_SCALE", "1"))
# The header's counts are never trusted (memory grows per record read), so
# this capture simply reads: exit 0 is right for it too.
MAY_READ = {"memray-huge-count.bin"}
LINE = re.compile(r"^pconv: .+: offset \d+: .+\n$")


def marshal_key(name):
    """A pstats key tuple (file, line, name) as marshal writes it."""
    def s(t):
        return b"z" + bytes([len(t)]) + t
    return b")\x03" + s(b"a.py") + b"i" + struct.pack("<i", 1) + s(name)


def small_cases():
    """name -> (bytes, forced reader or None)"""
    c = {}
    # marshal (pstats): lengths, counts, nesting, references
    c["marshal-negative-length.pstats"] = (b"{" + b")\x03" + b"u" + struct.pack("<i", -5) + b"abc", "pstats")
    c["marshal-huge-length.pstats"] = (b"{" + b")\x03" + b"u" + struct.pack("<i", 0x7FFFFFFF) + b"abc", "pstats")
    c["marshal-huge-count.pstats"] = (b"{" + b"(" + struct.pack("<i", 0x7FFFFFFF) + b"N", "pstats")
    c["marshal-negative-count.pstats"] = (b"{" + b"(" + struct.pack("<i", -1) + b"N", "pstats")
    c["marshal-ref-loop.pstats"] = (b"\xfb" + b"r" + struct.pack("<I", 0) + b"r" + struct.pack("<I", 0) + b"0", "pstats")
    c["marshal-ref-out-of-range.pstats"] = (b"{" + marshal_key(b"f") + b"r" + struct.pack("<I", 0x7FFFFFFF) + b"0", "pstats")
    c["marshal-value-self-ref.pstats"] = (b"{" + b"\xa9\x05" + b"r" + struct.pack("<I", 0) * 5, "pstats")
    # pickle (lprof): lengths, memo references
    c["pickle-huge-length.lprof"] = (b"\x80\x04\x95" + struct.pack("<Q", 1 << 40) + b"\x8d" + struct.pack("<Q", 1 << 40) + b"ab", "lprof")
    c["pickle-memo-missing.lprof"] = (b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00" + b"j" + struct.pack("<I", 0xFFFFFFFF) + b".", "lprof")
    c["pickle-memo-self.lprof"] = (b"\x80\x02}q\x00h\x00h\x00s.", "lprof")
    # JSON (speedscope): references out of range, bad values
    c["speedscope-frame-index.speedscope.json"] = (
        b'{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[{"name":"a"}]},'
        b'"profiles":[{"type":"sampled","name":"p","unit":"none","startValue":0,"endValue":1,'
        b'"samples":[[0,4294967296,99999999]],"weights":[1]}]}', None)
    c["speedscope-event-frame.speedscope.json"] = (
        b'{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[{"name":"a"}]},'
        b'"profiles":[{"type":"evented","name":"p","unit":"none","startValue":0,"endValue":1,'
        b'"events":[{"type":"O","frame":-1,"at":0},{"type":"C","frame":-1,"at":1}]}]}', None)
    # MOJO: a huge string key, a 1 GB memory value, a length past the end
    head = b"MOJ\x03" + b"\x01austin\x003.7.0\x00" + b"\x01mode\x00memory\x00"
    c["mojo-huge-ref.mojo"] = (head + b"\x02" + varint(1) + varint(0) + b"41\x00" + b"\x05" + varint(1 << 60), None)
    frame = b"\x03" + varint(1 << 62) + varint(1 << 61) + varint(1 << 60) + varint(1 << 30) + varint(1) * 3
    stack = b"\x02" + varint(1) + varint(0) + b"41\x00" + b"\x05" + varint(1 << 62) + b"\x0a" + varint(1 << 30)
    c["mojo-huge-frame-key.mojo"] = (head + frame + stack, None)
    # pprof: a sample claiming a gigabyte, strings past the end
    c["pprof-huge-length.pb"] = (b"\x12" + varint(1 << 30) + b"\x08\x01", "pprof")
    c["pprof-huge-count.pb"] = (b"\x0a\x04\x08\x01\x10\x02" + b"\x12\x08\x0a" + varint(1 << 30) + b"\x01\x02", "pprof")
    c["pprof-string-index.pb"] = (b"\x0a\x04\x08\x05\x10\x06" + b"\x12\x04\x08\x01\x10\x01" + b"\x32\x00", "pprof")
    return c


def memray_huge_count():
    """A real capture whose header and first record claim a gigabyte of allocations."""
    src = os.path.join(SRC, "..", "shared", "corpus", "memray", "deep_stacks.nocompress.bin")
    if len(sys.argv) > 3 and sys.argv[3] != "--write":
        src = sys.argv[3]
    if not os.path.exists(src):
        return None
    data = bytearray(open(src, "rb").read()[:4096])
    version = struct.unpack_from("<i", data, 7)[0]
    at = 7 + 4 + (4 if version >= 12 else 0) + 1 + 1
    struct.pack_into("<Q", data, at, 1 << 30)  # n_allocations
    struct.pack_into("<Q", data, at + 8, 1 << 30)  # n_frames
    return bytes(data)


def large_cases(tmp):
    c = {}
    # a million frames in one stack
    c["collapsed-million-frames.folded"] = (b";".join([b"f"] * 1_000_000) + b" 1\n", None)
    frames = b";".join(b"a.py:f%d:%d" % (i % 7, i % 90 + 1) for i in range(1_000_000))
    c["austin-million-frames.austin"] = (b"# austin: 3.7.0\n# mode: wall\n\nP1;T1;" + frames + b" 10\n", None)
    # nesting a million deep
    c["marshal-deep-nesting.pstats"] = (b"{" + b")\x01" * 1_000_000 + b"N", "pstats")
    c["marshal-deep-nesting-key.pstats"] = (b"{" + b")\x03" + b")\x01" * 1_000_000 + b"N", "pstats")
    c["marshal-deep-nesting-callers.pstats"] = (b"{" + marshal_key(b"f") + b")\x05" + b"i\x01\x00\x00\x00" * 2
                                                + b"g" + b"\0" * 8 + b"g" + b"\0" * 8 + b"{" + b")\x01" * 1_000_000 + b"N", "pstats")
    c["pickle-deep-nesting.lprof"] = (b"\x80\x02" + b"]" * 1_000_000 + b"(" * 1_000_000 + b".", "lprof")
    c["json-deep-nesting.speedscope.json"] = (b'{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":' + b"[" * 1_000_000, None)
    # decompression bombs: a gzip of 2 GB of zeros (2 MB), an LZ4 frame of 512 MB
    member = gzip.compress(b"\0" * (1 << 20), 9)
    c["bomb.folded.gz"] = (member * 2048, "collapsed")
    if shutil.which("lz4"):
        lz = subprocess.run("head -c 536870912 /dev/zero | lz4 -9 -c", shell=True, capture_output=True).stdout
        c["bomb.folded.lz4"] = (lz, "collapsed")
    # gzip of text that is a valid profile except for being enormous
    line = gzip.compress(b"a;b;c 1\n" * (1 << 17), 9)
    c["bomb-text.folded.gz"] = (line * 2048, None)
    return c


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(path, reader, fails, extra=(), expect=None):
    args = [os.path.join(BIN, "pconv"), *extra]
    if reader:
        args += ["-f", reader]
    args += [path, "-o", "-", "-t", "json"]
    # CPU time of the child, so that a loaded machine does not fail the bar
    start = cpu_of_children()
    try:
        r = subprocess.run(args, capture_output=True, timeout=30 * SCALE)
    except subprocess.TimeoutExpired:
        fails.append(f"{os.path.basename(path)}: hangs")
        return
    took = cpu_of_children() - start
    err = r.stderr.decode("utf-8", "replace")
    name = os.path.basename(path)
    if name in MAY_READ and r.returncode == 0 and err.count("\n") <= 1:
        print(f"ok {took:5.2f} s  {name} read (exit 0)")
    elif r.returncode != 2 or not LINE.match(err) or r.stdout:
        fails.append(f"{name} (-f {reader}): exit {r.returncode}, stderr {err[:400]!r}")
    elif expect and expect not in err:
        fails.append(f"{name}: {err.strip()!r} does not say {expect!r}")
    elif took > 1.0 * SCALE:
        fails.append(f"{name}: took {took:.2f} s ({err.strip()})")
    else:
        print(f"ok {took:5.2f} s  {err.strip()[:150]}")


def main():
    small = small_cases()
    memray = memray_huge_count()
    if memray:
        small["memray-huge-count.bin"] = (memray, "memray")
    if "--write" in sys.argv:
        os.makedirs(HOSTILE, exist_ok=True)
        for name, (data, _) in small.items():
            with open(os.path.join(HOSTILE, name), "wb") as f:
                f.write(data)
        return 0
    fails = []
    readers = {name: reader for name, (_, reader) in small.items()}
    with tempfile.TemporaryDirectory() as tmp:
        # the checked-in files, with the reader their name says
        for name in sorted(os.listdir(HOSTILE)):
            run(os.path.join(HOSTILE, name), readers.get(name), fails)
        for name, (data, reader) in large_cases(tmp).items():
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
            run(path, reader, fails)
        # a model larger than --max-memory: a clear error, not swapping
        path = os.path.join(tmp, "many-stacks.folded")
        with open(path, "wb") as f:
            f.write(b"".join(b"main;s%d;t%d 1\n" % (i, i) for i in range(300_000)))
        run(path, None, fails, ["--max-memory", "8M"], expect="memory limit")
        # a pickle of 0.8 MB whose values take some 20 MB: the interpreter
        # is held to --max-memory as well
        path = os.path.join(tmp, "big-list.lprof")
        with open(path, "wb") as f:
            f.write(b"\x80\x04](" + b"K\x01" * 400_000 + b"e.")
        run(path, "lprof", fails, ["--max-memory", "8M"], expect="memory limit")
        # a 40 MB line without an end, in the streaming readers
        for name, head in (("long-line.folded", b"main;"), ("long-line.austin", b"# austin: 3.7.0\nP1;T1;")):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(head + b"x" * 40_000_000)
            run(path, None, fails, ["--max-memory", "16M"])
    for f in fails:
        print("FAIL:", f)
    print(f"{len(fails)} failed")
    return 1 if fails else 0


sys.exit(main())
