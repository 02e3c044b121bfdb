#!/usr/bin/env python3
"""Writes austin 4 captures as shared/formats/austin4.md describes them: MOJO
version 4 (STACK_REPEAT for a thread whose Python stack did not change,
thread names in STACK, the `count` footer, task stacks) and the text that
austin-python's mojo2austin makes of it (no blank lines, the last sample
after the footer, decimal thread ids). austin 4 could not be run to make
real files; this writer follows the note.

usage: mojo4_writer.py OUT_DIR   writes capture.mojo, capture.austin and
capture.expected.json (totals computed from the samples, not the bytes).
As a module: write_mojo(samples, ...), write_text(...), expected(...).
"""
import collections
import json
import os
import sys

METADATA, STACK, FRAME, FRAME_INVALID, FRAME_REF, FRAME_KERNEL, GC, IDLE = range(1, 9)
METRIC_TIME, METRIC_MEMORY, STRING, STRING_REF, STACK_REPEAT, TASK_STACK, TASK_WAITER = range(9, 16)


def varint(n):
    """MOJO's varint: sign bit and 6 bits in the first byte, then 7 a byte."""
    out = bytearray()
    b = 0x40 if n < 0 else 0
    n = abs(n)
    b |= n & 0x3F
    n >>= 6
    if n:
        b |= 0x80
    out.append(b)
    while n:
        b = n & 0x7F
        n >>= 7
        if n:
            b |= 0x80
        out.append(b)
    return bytes(out)


def cstr(s):
    return s.encode() + b"\0"


def is_python(frame):
    """austin-python's rule for what STACK_REPEAT keeps."""
    f = frame[0]
    return f.endswith(".py") or (f.startswith("<") and f.endswith(">"))


def python_part(frames):
    frames = list(frames)
    while frames and not is_python(frames[-1]):
        frames.pop()
    return frames


class Mojo:
    def __init__(self, version=4):
        self.out = bytearray(b"MOJ" + varint(version))
        self.strings = {}
        self.frames = {}

    def ev(self, eid, *fields):
        self.out.append(eid)
        for f in fields:
            self.out += cstr(f) if isinstance(f, str) else varint(f)

    def string(self, s):
        if s not in self.strings:
            key = 0x10000 + 37 * len(self.strings)  # any keys; austin's are addresses
            self.strings[s] = key
            self.ev(STRING, key, s)
        return self.strings[s]

    def frame_ref(self, frame):
        if frame not in self.frames:
            f, n = self.string(frame[0]), self.string(frame[1])
            key = (1 << 40) + 4099 * len(self.frames)  # 64-bit keys
            self.frames[frame] = key
            self.ev(FRAME, key, f, n, frame[2], frame[2], 1, 9)
        self.ev(FRAME_REF, self.frames[frame])


def write_mojo(samples, header, footer, tasks=()):
    """samples: (pid, iid, thread string, frames root first, µs, gc);
    frames are (file, name, line). tasks: indexes of samples followed by a
    task stack."""
    m = Mojo()
    for k, v in header:
        m.ev(METADATA, k, v)
    previous = {}
    for i, (pid, iid, tid, frames, us, gc) in enumerate(samples):
        m.ev(STACK, pid, iid, tid)
        prev = previous.get((pid, tid))
        start = 0
        if prev is not None and python_part(frames) == python_part(prev) and python_part(frames):
            m.ev(STACK_REPEAT)
            start = len(python_part(frames))
        for fr in frames[start:]:
            m.frame_ref(fr)
        if gc:
            m.ev(GC)
        m.ev(METRIC_TIME, us)
        previous[(pid, tid)] = frames
        if i in tasks:  # a suspended task's stack and its waiter: not samples
            m.string("Task-1")
            m.ev(TASK_STACK, 0x123456, m.strings["Task-1"])
            for fr in frames[:2]:
                m.frame_ref(fr)
            m.ev(METRIC_TIME, 999999)
            m.ev(TASK_WAITER, 0x123456, 0x654321)
    for k, v in footer:
        m.ev(METADATA, k, v)
    return bytes(m.out)


def text_thread(iid, tid):
    try:
        tid = str(int(tid, 16))
    except ValueError:
        pass
    return f"T{iid}:{tid}"


def write_text(samples, header, footer):
    """mojo2austin's layout: metadata as read, each sample when the next
    STACK (or the end) comes, so the last one follows the footer."""
    lines = [f"# {k}: {v}" for k, v in header]
    rendered = []
    for pid, iid, tid, frames, us, gc in samples:
        parts = [f"P{pid}", text_thread(iid, tid)] + [f"{f}:{n}:{ln}" for f, n, ln in frames]
        if gc:
            parts.append(":GC:")
        rendered.append(";".join(parts) + f" {us}")
    lines += rendered[:-1] + [f"# {k}: {v}" for k, v in footer] + rendered[-1:]
    return "\n".join(lines) + "\n"


def expected(samples):
    """What a reader must find: totals, and per function (file:name) the
    samples it was a leaf of and the samples it was on the stack of."""
    self_n, incl_n = collections.Counter(), collections.Counter()
    threads = set()
    for pid, iid, tid, frames, us, gc in samples:
        threads.add((pid, text_thread(iid, tid)))
        keys = [f"{f}:{n}" for f, n, _ in frames] + ([":GC"] if gc else [])
        if keys:
            self_n[keys[-1]] += 1
        for k in set(keys):
            incl_n[k] += 1
    return {"samples": len(samples), "time_us": sum(s[4] for s in samples),
            "self": dict(self_n), "incl": dict(incl_n),
            "threads": sorted(f"P{p};{t}" for p, t in threads)}


def scenario():
    """Two threads interleaved (one named, one by hex id, a negative
    interpreter id), repeated Python stacks with changing native leaves, GC."""
    main = [("/app/main.py", "<module>", 40), ("/app/main.py", "main", 31)]
    work = main + [("/app/work.py", "Worker.step", 12)]
    native = [("native@7f00beef", "PyObject_Call", 48), ("native@7f00cafe", "memcpy", 16)]
    boot = [("<frozen importlib._bootstrap>", "_find_and_load", 1178)]
    samples = []
    for tick in range(60):
        if tick % 10 < 6:
            s1 = work + (native[: 1 + tick % 2] if tick % 3 == 0 else [])
        elif tick % 10 < 8:
            s1 = main + [("/app/main.py", "fib", 8)] * (1 + tick % 4)
        else:
            s1 = boot
        samples.append((4242, 0, "MainThread", s1, 1000 + tick % 7, tick % 13 == 5))
        s2 = [("/app/pool.py", "run", 5), ("/app/pool.py", "wait", 9)] if tick % 4 else []
        samples.append((4242, -1, "16e793000", s2, 990 + tick % 5, False))
    header = [("austin", "4.0.0"), ("interval", "1000"), ("mode", "wall"), ("python", "3.13.1")]
    footer = [("count", str(len(samples))), ("duration", "61000"), ("sampling", "9,15,438"),
              ("saturation", "0/60"), ("errors", f"0/{len(samples)}")]
    return samples, header, footer


def main():
    out = sys.argv[1]
    samples, header, footer = scenario()
    with open(os.path.join(out, "capture.mojo"), "wb") as f:
        f.write(write_mojo(samples, header, footer, tasks={7, 31}))
    with open(os.path.join(out, "capture.austin"), "w") as f:
        f.write(write_text(samples, header, footer))
    with open(os.path.join(out, "capture.expected.json"), "w") as f:
        json.dump(expected(samples), f, indent=1)


if __name__ == "__main__":
    main()
