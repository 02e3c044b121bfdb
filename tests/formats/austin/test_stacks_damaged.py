#!/usr/bin/env python3
"""Truncated and random inputs for the austin, MOJO and speedscope readers:
exit status 0 or 2, never a crash; on 2 exactly one stderr line
`pconv: FILE: offset N: ...`. Random bytes behind each format's magic must
be refused (status 2). Usage: test_stacks_damaged.py PCONV CORPUS_DIR
"""
import os
import random
import re
import subprocess
import sys
import tempfile


def run(pconv, path, out, fmt=None):
    args = [pconv, path, "-o", out] + (["-f", fmt] if fmt else [])
    try:
        r = subprocess.run(args, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "hang"
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode not in (0, 2):
        return f"exit status {r.returncode}: {err.strip()[:200]}"
    if r.returncode == 2:
        lines = err.rstrip("\n").split("\n")
        pat = re.compile(r"pconv: " + re.escape(path) + r": offset \d+: \S")
        if len(lines) != 1 or not pat.match(lines[0]):
            return f"bad error message: {err.strip()[:200]!r}"
    return r.returncode


def main():
    pconv, corpus = sys.argv[1], sys.argv[2]
    rng = random.Random(1234)
    problems = 0
    cases = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        inputs = []
        for f in sorted(os.listdir(corpus)):
            if f.endswith((".austin", ".mojo")):
                with open(os.path.join(corpus, f), "rb") as fh:
                    inputs.append((f, fh.read(), "mojo" if f.endswith(".mojo") else "austin"))
        # a speedscope file written by the writer itself
        ss = os.path.join(tmp, "w.speedscope.json")
        subprocess.run([pconv, os.path.join(corpus, "a37_wall_threads_py38.austin"), "-o", ss],
                       check=True)
        with open(ss, "rb") as fh:
            inputs.append(("w.speedscope.json", fh.read(), "speedscope"))
        for name, data, fmt in inputs:
            cuts = sorted({int(len(data) * k / 16) for k in range(16)} |
                          {rng.randrange(len(data)) for _ in range(8)} | {1, 2, 3, 4, 5})
            for cut in cuts:
                path = os.path.join(tmp, f"cut-{cut}-{name}")
                with open(path, "wb") as fh:
                    fh.write(data[:cut])
                res = run(pconv, path, out, fmt)
                cases += 1
                if res not in (0, 2):
                    problems += 1
                    print(f"FAIL {name} cut at {cut}: {res}")
                os.unlink(path)
        magic = {"mojo": b"MOJ\x03", "austin": b"# austin: 3.7.0\n\nP1;T0:1;",
                 "speedscope": b'{"$schema": "https://www.speedscope.app/x", "shared":'}
        for fmt, head in magic.items():
            for i in range(20):
                path = os.path.join(tmp, f"random-{i}.{fmt}")
                with open(path, "wb") as fh:
                    body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
                    fh.write(head + body + b"\n")  # whole lines: no cut-short last line
                res = run(pconv, path, out)
                cases += 1
                if res != 2:
                    problems += 1
                    print(f"FAIL random bytes after {fmt} magic ({i}): {res}")
        # corrupting single bytes of real files: any outcome but a crash
        for name, data, fmt in inputs:
            for i in range(10):
                b = bytearray(data)
                for _ in range(4):
                    b[rng.randrange(len(b))] = rng.randrange(256)
                path = os.path.join(tmp, f"flip-{i}-{name}")
                with open(path, "wb") as fh:
                    fh.write(bytes(b))
                res = run(pconv, path, out, fmt)
                cases += 1
                if res not in (0, 2):
                    problems += 1
                    print(f"FAIL {name} with flipped bytes ({i}): {res}")
    print(f"{cases - problems} of {cases} damaged inputs handled")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
