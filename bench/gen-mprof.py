#!/usr/bin/env python3
"""A large mprof file (memory_profiler's `mprof run` output) for the speed
table: MEM samples every 10 ms and nested @profile calls (FUNC records with
their stack levels) of 40 functions, in the order mprof writes them (FUNC
records as calls end, MEM as sampled), plus two child processes (CHLD).

usage: gen-mprof.py OUT [--samples N] [--calls N]
"""
import argparse
import random

T0 = 1796193425.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--samples", type=int, default=200000)
    ap.add_argument("--calls", type=int, default=100000)
    args = ap.parse_args()
    rng = random.Random(20261203)
    span = args.samples * 0.01
    rss = [0.0] * args.samples
    level = 50.0
    for k in range(args.samples):
        level = max(20.0, level + rng.uniform(-1.0, 1.05))
        rss[k] = level

    def rss_at(t):
        return rss[min(args.samples - 1, max(0, int(t / 0.01)))]

    names = ["__main__.phase_%d" % i for i in range(8)] + ["pkg.mod_%d.work_%d" % (i % 7, i)
                                                          for i in range(32)]
    records = []
    # calls: top-level phases cut the run, each holding nested calls
    budget, per_phase = args.calls, max(1, args.calls // 200)
    t = 0.0
    while budget > 0 and t < span:
        top = min(span, t + rng.uniform(1.0, 2 * span / 200))
        stack = [(t, top, 1)]
        while stack and budget > 0:
            a, b, lvl = stack.pop()
            name = names[rng.randrange(8)] if lvl == 1 else names[8 + rng.randrange(32)]
            records.append((b, "FUNC %s %.4f %.4f %.4f %.4f %d"
                            % (name, rss_at(a), T0 + a, rss_at(b), T0 + b, lvl)))
            budget -= 1
            if lvl < 8 and b - a > 0.001:
                kids = rng.randint(1, 4) if len(records) % per_phase else 0
                at = a
                for _ in range(kids):
                    d = (b - at) * rng.uniform(0.1, 0.5)
                    stack.append((at, at + d, lvl + 1))
                    at += d
        t = top + rng.uniform(0.0, 0.5)
    for k in range(args.samples):
        records.append((k * 0.01, "MEM %.6f %.4f" % (rss[k], T0 + k * 0.01)))
    for pid, (a, b) in ((4242, (0.2, 0.5)), (4243, (0.6, 0.9))):
        for k in range(int(a * args.samples), int(b * args.samples), 10):
            records.append((k * 0.01, "CHLD %d %.6f %.4f" % (pid, 30.0 + (k % 500) / 10, T0 + k * 0.01)))
    records.sort(key=lambda r: r[0])
    with open(args.out, "w") as f:
        f.write("CMDLINE python3 bench_workload.py\n")
        for _, line in records:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
