#!/usr/bin/env python3
"""Write a large collapsed-stacks file for benchmarks (not committed).

usage: gen-collapsed.py CORPUS_DIR OUTPUT [MEGABYTES]

Like an unaggregated austin capture (one line per sample, count 1): stacks
of the corpus files repeated with variations (a leaf line number or a varied
leaf frame) until the file reaches MEGABYTES (default 128, about 460,000
lines). Deterministic: the same corpus gives the same file.
"""
import os
import random
import re
import sys

RECORD = re.compile(rb"^(.*?)(?:\s\d+(?:\.\d*)?)?\s(\d+(?:\.\d*)?)$")


def templates(corpus):
    out = []
    for name in sorted(os.listdir(corpus)):
        if not name.endswith(".folded"):
            continue
        for line in open(os.path.join(corpus, name), "rb").read().split(b"\n"):
            m = RECORD.match(line)
            if line.startswith(b"#") or not m or not m.group(1):
                continue
            frames = m.group(1).split(b";")
            # austin's process and thread roots would make the file austin text
            while frames and re.match(rb"^[PT][\d:]+$", frames[0]):
                frames = frames[1:]
            if not frames:
                continue
            # keep lines of a realistic length (the deep ones are cut)
            while len(frames) > 2 and sum(map(len, frames)) + len(frames) > 700:
                frames = frames[: len(frames) * 3 // 4]
            out.append(frames)
    return out


def main():
    corpus, output = sys.argv[1], sys.argv[2]
    target = int(float(sys.argv[3]) * 1e6) if len(sys.argv) > 3 else 127_900_000
    rng = random.Random(42)
    stacks = templates(corpus)
    # a few thousand distinct variants, drawn with a skewed popularity like real samples
    variants = []
    for i in range(6000):
        frames = list(rng.choice(stacks))
        if i % 3 == 1:
            frames[-1] = frames[-1] + b":%d" % rng.randrange(1, 400)
        elif i % 3 == 2:
            frames.append(b"/srv/demo/bench.py:work_%d" % rng.randrange(50))
        variants.append(b";".join(frames) + b" 1\n")
    weights = [1.0 / (1 + i) ** 0.8 for i in range(len(variants))]
    written = lines = 0
    with open(output, "wb") as f:
        while written < target:
            chunk = rng.choices(variants, weights, k=4096)
            data = b"".join(chunk)
            f.write(data)
            written += len(data)
            lines += len(chunk)
    print("%s: %d bytes, %d lines" % (output, written, lines))


if __name__ == "__main__":
    main()
