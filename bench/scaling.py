#!/usr/bin/env python3
"""How the readers' cost grows: the collapsed reader and the pstats reader
on 1/8x, 1/4x, 1/2x, 1x and 2x of the bench inputs, as a Markdown table.

usage: scaling.py BIN_DIR SHARED_DIR [--runs N] [--tmp DIR]

Each size is read by bench_read (reading into the model, nothing written) as
a whole process; CPU time (user + sys) and peak RSS are the medians of N runs
(3 by default). Inputs, not committed, are made here:
  collapsed: 1x is bench/gen-collapsed.py's 128 MB file; the generator's
    output is the same stream at any size, so each size is a prefix of the 2x
    file cut at a line end: the lines grow with the size, the distinct
    stacks (a few thousand) hardly do.
  pstats: 1x is the 38k-function file of SHARED_DIR/bench; smaller sizes keep
    every k-th function and the edges between kept functions; 2x adds a copy
    of every function under another file name, with its edges.
"""
import argparse
import marshal
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCALES = [("1/8×", 0.125), ("1/4×", 0.25), ("1/2×", 0.5), ("1×", 1.0), ("2×", 2.0)]


def collapsed_inputs(shared, tmp):
    full = os.path.join(tmp, "scale-2x.folded")
    if not os.path.exists(full):
        subprocess.run([sys.executable, os.path.join(HERE, "gen-collapsed.py"),
                        os.path.join(shared, "corpus", "collapsed"), full, "255.8"],
                       check=True, stdout=subprocess.DEVNULL)
    data_size = os.path.getsize(full)
    out = []
    with open(full, "rb") as f:
        for label, scale in SCALES:
            path = os.path.join(tmp, "scale-%g.folded" % scale)
            if scale == 2.0:
                out.append((label, full))
                continue
            f.seek(0)
            data = f.read(int(data_size * scale / 2.0))
            data = data[: data.rfind(b"\n") + 1]
            with open(path, "wb") as w:
                w.write(data)
            out.append((label, path))
    return out


def pstats_inputs(shared, tmp):
    stats = marshal.load(open(os.path.join(shared, "bench", "pstats-38k-functions.py313.pstats"), "rb"))
    keys = list(stats)
    out = []
    for label, scale in SCALES:
        path = os.path.join(tmp, "scale-%g.pstats" % scale)
        if scale <= 1.0:
            step = round(1 / scale)
            kept = set(keys[::step])
            sub = {}
            for k in keys[::step]:
                cc, nc, tt, ct, callers = stats[k]
                sub[k] = (cc, nc, tt, ct, {c: v for c, v in callers.items() if c in kept})
        else:
            sub = dict(stats)
            files, made = {}, {}
            # one object per copied file name and key, as cProfile shares them
            copy = lambda k: made.setdefault(k, (files.setdefault(k[0], "copy2/" + k[0]), k[1], k[2]))
            for k in keys:
                cc, nc, tt, ct, callers = stats[k]
                sub[copy(k)] = (cc, nc, tt, ct, {copy(c): v for c, v in callers.items()})
        with open(path, "wb") as w:
            marshal.dump(sub, w)
        edges = sum(len(v[4]) for v in sub.values())
        out.append((label, path, len(sub), edges))
    return out


def measure(argv, runs):
    """Medians of CPU time and peak RSS. Peak RSS as /usr/bin/time, a small
    process, reports it: wait4's of a child forked from this one is at least
    this one's RSS at the fork."""
    cpu, rss = [], []
    rss_file = os.path.join(tempfile.gettempdir(), "pk-scaling-rss.%d" % os.getpid())
    argv = ["/usr/bin/time", "-q", "-f", "%M", "-o", rss_file] + argv
    for _ in range(runs):
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        err = proc.stderr.read()
        proc.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit("scaling.py: %s failed: %s" % (" ".join(argv), err.decode(errors="replace")))
        cpu.append(usage.ru_utime + usage.ru_stime)
        with open(rss_file) as f:
            rss.append(int(f.read().split()[-1]) / 1024)
    return statistics.median(cpu), statistics.median(rss)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin_dir")
    ap.add_argument("shared")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tmp")
    args = ap.parse_args()
    tmp = args.tmp or tempfile.mkdtemp(prefix="pk-scaling-")
    os.makedirs(tmp, exist_ok=True)
    reader = os.path.join(args.bin_dir, "bench_read")

    tiny = os.path.join(tmp, "tiny.folded")
    with open(tiny, "w") as w:
        w.write("main;work 1\n")
    start_cpu, start_rss = measure([reader, "-n", "1", tiny], args.runs)
    print("Start-up and a one-line file: %.3f s CPU, %.0f MB peak RSS\n" % (start_cpu, start_rss))
    print("Collapsed reader (bench_read -n 1, whole process; medians of %d runs)\n" % args.runs)
    print("| size | file | lines | distinct stacks | CPU | above start-up, per MB | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for label, path in collapsed_inputs(args.shared, tmp):
        size = os.path.getsize(path)
        lines = distinct = 0
        seen = set()
        with open(path, "rb") as f:
            for line in f:
                lines += 1
                seen.add(line)
        distinct = len(seen)
        cpu, rss = measure([reader, "-n", "1", path], args.runs)
        print("| %s | %.0f MB | %d | %d | %.3f s | %.1f ms | %.0f MB |"
              % (label, size / 1e6, lines, distinct, cpu, (cpu - start_cpu) * 1e3 / (size / 1e6), rss))

    print("\npstats reader (bench_read -n 1, whole process; medians of %d runs)\n" % args.runs)
    print("| size | file | functions | edges | CPU | above start-up, per 1000 edges | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for label, path, funcs, edges in pstats_inputs(args.shared, tmp):
        size = os.path.getsize(path)
        cpu, rss = measure([reader, "-n", "1", path], args.runs)
        print("| %s | %.1f MB | %d | %d | %.3f s | %.2f ms | %.0f MB |"
              % (label, size / 1e6, funcs, edges, cpu, (cpu - start_cpu) * 1e3 / (edges / 1e3), rss))
    print("\nload average %.1f on %d cores while measuring" % (os.getloadavg()[0], os.cpu_count()))


if __name__ == "__main__":
    main()
