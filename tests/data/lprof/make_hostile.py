#!/usr/bin/env python3
"""Writes the hostile .lprof pickles checked in beside this script.

Each starts like a line_profiler file (so detection picks the lprof reader)
and then does something a safe reader must refuse. Run it from this folder."""
import struct

# Detected as lprof: PROTO 2, the words the probe looks for, popped again.
HEAD = b"\x80\x02X\x11\x00\x00\x00LineStats timings0"


def binunicode(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def stats(timings_items, unit=b"G" + struct.pack(">d", 1e-9)):
    """A valid LineStats around raw timings items (key, value pickles)."""
    body = b"\x80\x02c_line_profiler\nLineStats\n)\x81}(" + binunicode("timings") + b"}("
    for k, v in timings_items:
        body += k + v
    return body + b"u" + binunicode("unit") + unit + b"ub."


KEY = binunicode("/x.py") + b"K\x01" + binunicode("f") + b"\x87"

FILES = {
    "global-os-system": HEAD + b"cos\nsystem\n" + binunicode("echo pwned") + b"\x85R.",
    "stack-global-os-system": b"\x80\x04\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R."
    + b"LineStats timings",
    "newobj-subprocess": HEAD + b"csubprocess\nPopen\n" + binunicode("id") + b"\x85\x81.",
    "deep-marks": HEAD + b"(" * 100000 + b"t.",
    "deep-lists": HEAD + b"]" * 5000 + b"a" * 4999 + b".",
    "self-append": HEAD + b"]q\x00" + b"h\x00a" * 1000 + b".",
    "huge-binunicode8": HEAD + b"\x8d" + struct.pack("<Q", 2**63 - 1) + b"abc.",
    "huge-binunicode": HEAD + b"X\xff\xff\xff\xffabc.",
    "huge-long4": HEAD + b"\x8b\xff\xff\xff\x7f\x01\x02.",
    "negative-binstring": HEAD + b"T\xff\xff\xff\xffabc.",
    "huge-frame": HEAD + b"\x95" + struct.pack("<Q", 2**64 - 1) + b"N.",
    "huge-decimal": HEAD + b"L" + b"9" * 100000 + b"L\n.",
    "bad-memo-get": HEAD + b"N" + b"h\x05.",
    "bad-memo-put": HEAD + b"Nr\xff\xff\xff\xff.",
    "bad-memo-text": HEAD + b"Ng99999999999\n.",
    "stack-underflow": HEAD + b"a.",
    "no-stop": HEAD + b"N",
    "unknown-opcode": HEAD + b"\xff.",
    "persistent-id": HEAD + b"Pfoo\n.",
    "big-tick": stats([(KEY, b"](K\x02K\x01\x8a\x0a" + b"\xff" * 9 + b"\x7f\x87e")]),
    "timings-cycle": b"\x80\x02c_line_profiler\nLineStats\n)\x81}(" + binunicode("timings")
    + b"}q\x07" + KEY + b"h\x07s" + binunicode("unit") + b"G" + struct.pack(">d", 1e-9) + b"ub.",
    "bad-unit": stats([(KEY, b"]")], unit=b"G" + struct.pack(">d", -1.0)),
    "bad-line-tuple": stats([(KEY, b"](K\x02K\x01\x86e")]),
}

if __name__ == "__main__":
    for name, data in FILES.items():
        with open(name + ".lprof", "wb") as f:
            f.write(data)
