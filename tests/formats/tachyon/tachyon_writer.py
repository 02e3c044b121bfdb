#!/usr/bin/env python3
"""A small writer of Tachyon binary files (Python 3.15's `profiling.sampling
--binary`), written from shared/formats/tachyon-binary.md, so the tests can
make what the corpus lacks: either byte order, zstd or not, every record type,
several threads and interpreters, opcodes, large and hostile files.

    write(path, samples, ...)   samples: [(tid, interp, dt_us, status, stack)],
                                stack innermost first, of (file, func, line, opcode)
    python3 tachyon_writer.py big OUT N   a file of N samples (three threads, deep
                                          stacks that change as a program's do)
    python3 tachyon_writer.py seeds DIR   small files of every variant (fuzz seeds)
"""
import os
import random
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from leb128 import varint as uvarint  # noqa: E402

MAGIC = 0x54414348


def svarint(v):
    return uvarint(((v << 1) ^ (v >> 31)) & 0xFFFFFFFF)


class Tables:
    def __init__(self):
        self.strings, self.string_ids = [], {}
        self.frames, self.frame_ids = [], {}

    def string(self, s):
        if s not in self.string_ids:
            self.string_ids[s] = len(self.strings)
            self.strings.append(s)
        return self.string_ids[s]

    def frame(self, f):
        file, func, line, opcode = f
        key = (self.string(file), self.string(func), line, opcode)
        if key not in self.frame_ids:
            self.frame_ids[key] = len(self.frames)
            self.frames.append(key)
        return self.frame_ids[key]


def encode_samples(samples, tables, e, kinds):
    """The record stream; kinds picks FULL/SUFFIX/POP_PUSH by turns."""
    out = bytearray()
    prev = {}
    pending = {}  # thread -> [(dt, status)] repeats held back
    turn = 0

    def head(key, rtype):
        return struct.pack(e + "QIB", key[0], key[1], rtype)

    def flush(key):
        reps = pending.pop(key, None)
        if reps:
            out.extend(head(key, 0) + uvarint(len(reps)))
            for dt, st in reps:
                out.extend(uvarint(dt) + bytes([st]))

    for tid, interp, dt, status, stack in samples:
        key = (tid, interp)
        ids = [tables.frame(f) for f in stack]
        if key in prev and prev[key] == ids:
            pending.setdefault(key, []).append((dt, status))
            continue
        flush(key)
        old = prev.get(key)
        kind = "full" if old is None else kinds[turn % len(kinds)]
        turn += 1
        body = uvarint(dt) + bytes([status])
        if kind == "full":
            rec = head(key, 1) + body + uvarint(len(ids)) + b"".join(uvarint(i) for i in ids)
        else:
            shared = 0  # outermost frames in common
            while shared < min(len(old), len(ids)) and old[-1 - shared] == ids[-1 - shared]:
                shared += 1
            new = ids[:len(ids) - shared]
            if kind == "suffix":
                rec = head(key, 2) + body + uvarint(shared) + uvarint(len(new))
            else:
                rec = head(key, 3) + body + uvarint(len(old) - shared) + uvarint(len(new))
            rec += b"".join(uvarint(i) for i in new)
        out.extend(rec)
        prev[key] = ids
    for key in list(pending):
        flush(key)
    return bytes(out)


def write(path, samples, big_endian=False, zstd=False, start_us=1_000_000, interval_us=200,
          flags=0x59, stats=(0.5, 5000.0, 1.5, 0.0, 3), kinds=("pop_push", "suffix", "full"),
          version=1, python=(3, 15, 2), patch=None):
    e = ">" if big_endian else "<"
    tables = Tables()
    data = encode_samples(samples, tables, e, kinds)
    if zstd:
        data = subprocess.run(["zstd", "-q", "-5", "-c"], input=data, capture_output=True,
                              check=True).stdout
    strings = b"".join(uvarint(len(s.encode())) + s.encode() for s in tables.strings)
    frames = b""
    for file, func, line, opcode in tables.frames:
        frames += uvarint(file) + uvarint(func) + svarint(line) + svarint(0)
        frames += svarint(-1) + svarint(0) + bytes([255 if opcode is None else opcode])
    str_off = 64 + len(data)
    frm_off = str_off + len(strings)
    body = data + strings + frames
    if stats:
        body += struct.pack(e + "ddddQ", *stats) + b"TACHSTAT" + struct.pack(e + "II", 1, 56)
    threads = len({(s[0], s[1]) for s in samples})
    size = 64 + len(body) + 32
    header = struct.pack(e + "II", MAGIC, version) + bytes([*python, 0])
    header += struct.pack(e + "QQQIQQII", start_us, interval_us, len(samples), threads, str_off,
                          frm_off, 1 if zstd else 0, flags)
    footer = struct.pack(e + "IIQ", len(tables.strings), len(tables.frames), size) + bytes(16)
    blob = bytearray(header + body + footer)
    if patch:
        patch(blob, e, str_off, frm_off)
    with open(path, "wb") as f:
        f.write(blob)


def program_samples(n, seed=1):
    """n samples of three threads (one in a subinterpreter) walking a fixed
    call tree of a few thousand contexts, up to 40 deep, as a running
    program's stacks do: mostly unchanged or a frame or two pushed or popped
    near the leaf, now and then a jump elsewhere."""
    rng = random.Random(seed)
    funcs = [(f"/srv/app/mod{i % 17}.py", f"Class{i % 5}.func_{i}") for i in range(400)]
    parent, frame, children, depth = [None], [(*funcs[0], 10, None)], [[]], [1]
    while len(frame) < 4000:
        at = rng.randrange(len(frame))
        if depth[at] >= 40:
            continue
        f = funcs[rng.randrange(len(funcs))]
        parent.append(at)
        frame.append((f[0], f[1], rng.randrange(1, 300), None))
        children.append([])
        depth.append(depth[at] + 1)
        children[at].append(len(frame) - 1)

    def stack(node):
        out = []
        while node is not None:
            out.append(frame[node])
            node = parent[node]
        return out  # innermost first

    threads = [(101, 0, 0x25), (102, 0, 0x0C), (103, 1, 0x04)]
    at = {t: 0 for t in threads}
    cache = {}
    out = []
    for i in range(n):
        t = threads[0 if i % 3 == 0 else 1 if i % 3 == 1 and i % 7 else 2]
        node = at[t]
        r = rng.random()
        if r < 0.5:
            pass
        elif r < 0.75 and children[node]:
            node = children[node][rng.randrange(len(children[node]))]
        elif r < 0.98:
            for _ in range(rng.randrange(1, 4)):
                node = parent[node] if parent[node] is not None else node
        else:
            node = rng.randrange(len(frame))
        at[t] = node
        if node not in cache:
            cache[node] = stack(node)
        out.append((t[0], t[1], rng.randrange(150, 260), t[2], cache[node]))
    return out


def seeds(folder):
    """Small files of every variant, to seed the fuzz target."""
    samples = program_samples(60, seed=3)
    samples[5] = samples[5][:4] + ([("/srv/app/x.py", "op", 3, 83)] + samples[5][4],)
    for be in (False, True):
        for z in (False, True):
            write(f"{folder}/seed-{'be' if be else 'le'}-{'zstd' if z else 'raw'}.bin", samples,
                  big_endian=be, zstd=z)
    write(f"{folder}/seed-nostats.bin", samples[:9], stats=None, flags=0)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "big":
        write(sys.argv[2], program_samples(int(sys.argv[3])), zstd=False)
    elif len(sys.argv) == 3 and sys.argv[1] == "seeds":
        seeds(sys.argv[2])
    else:
        raise SystemExit(__doc__)
