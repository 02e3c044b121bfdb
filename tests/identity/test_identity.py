#!/usr/bin/env python3
"""One identity per function and one total per input, across the corpus.

usage: test_identity.py BINDIR SHAREDDIR [FOLDER...]

Walks every file of ../shared/corpus that pconv reads (a file it refuses is
no profile, and skipped), so files added later are tested too. At the
default granularity:
  - no two sibling frames of the flame graph SVG, and no two frames of the
    speedscope export, are one function (same name, file and first line);
  - no process or thread root of a stack profile is a function (they come
    only with --threads);
  - the total agrees between the model JSON, the flame graph root, the HTML
    report, callgrind's summary: and totals:, the collapsed sum and ptop's
    header, each in its unit (docs/identity.md: samples without frames
    count in every total and in no function); a call graph's estimated
    flame graph (pstats, callgrind) adds up to its total too.
"""
import bisect
import collections
import concurrent.futures
import html
import json
import os
import re
import subprocess
import sys
import tempfile
from decimal import Decimal

SKIP_SUFFIXES = (".json", ".md", ".png", ".txt", ".svg", ".html", ".dot", ".log", ".py",
                 ".expected", ".csv", ".tsv", ".sh")


def run(args):
    return subprocess.run(args, capture_output=True, timeout=300)


class Check:
    def __init__(self, bindir, path, tmp):
        self.bin, self.path, self.tmp = bindir, path, tmp
        self.name = os.path.relpath(path, os.path.dirname(os.path.dirname(path)))
        self.errors = []

    def fail(self, msg):
        self.errors.append("%s: %s" % (self.name, msg))

    def out(self, suffix):
        return os.path.join(self.tmp, os.path.basename(self.path) + suffix)

    def pconv(self, suffix, *opts):
        out = self.out(suffix)
        r = run([os.path.join(self.bin, "pconv"), self.path, "-o", out, *opts])
        if r.returncode != 0:
            self.fail("pconv -o *%s: %s" % (suffix, r.stderr.decode(errors="replace").strip()))
            return None
        with open(out, "rb") as f:
            return f.read()


def flame_frames(svg):
    """(depth, x, width, label) of every frame, in the SVG's preorder."""
    frames = []
    for m in re.finditer(rb'<g class="f" data-x="(-?\d+)" data-w="(-?\d+)" data-d="(\d+)">'
                         rb'<title>([^<]*)</title>', svg):
        title = html.unescape(m.group(4).decode())
        label = title[:title.rfind(" (")]  # the values' parenthesis goes
        frames.append((int(m.group(3)), int(m.group(1)), int(m.group(2)), label))
    return frames


def check_flame(c, svg, total):
    m = re.search(rb'data-total="(-?\d+)"', svg)
    if not m:
        c.fail("flame graph: no data-total")
        return
    frames = flame_frames(svg)
    if total is not None and (int(m.group(1)) != total or (frames and frames[0][2] != total)):
        c.fail("flame root %s, frames total %s, model total %s" %
               (frames[0][2] if frames else None, m.group(1).decode(), total))
    # siblings: a frame's parent is the frame one less deep whose span holds
    # its left edge (frames are drawn in no particular order)
    by_depth = collections.defaultdict(list)
    for i, (depth, x, w, _label) in enumerate(frames):
        by_depth[depth].append((x, x + w, i))
    for spans in by_depth.values():
        spans.sort()
    children = collections.defaultdict(list)
    for depth, x, w, label in frames:
        spans = by_depth.get(depth - 1, [])
        k = bisect.bisect_right(spans, (x, float("inf"), 0)) - 1
        if depth > 0 and k >= 0 and spans[k][0] <= x < max(spans[k][1], spans[k][0] + 1):
            children[spans[k][2]].append(label)
    for parent, labels in children.items():
        dup = [k for k, n in collections.Counter(labels).items()
               if n > 1 and not k.startswith("[")]
        if dup:
            c.fail("flame: sibling frames of one function under %r: %s" %
                   (frames[parent][3], dup[:3]))
            return


def check_speedscope(c, data):
    frames = json.loads(data)["shared"]["frames"]
    ids = collections.Counter((f["name"], f.get("file"), f.get("line")) for f in frames)
    dup = [k for k, n in ids.items() if n > 1]
    if dup:
        c.fail("speedscope: frames of one function: %s" % dup[:3])


def check_callgrind(c, data, totals):
    text = data.decode(errors="replace")
    for key in ("summary", "totals"):
        m = re.search(r"^%s:((?:\s+-?\d+)+)" % key, text, re.M)
        got = [int(v) for v in m.group(1).split()] if m else None
        if got != totals:
            c.fail("callgrind %s: %s, model totals %s" % (key, got, totals))
    if re.search(r"^c?fn=.*\?\?\?", text, re.M):
        c.fail("callgrind: a ??? entry")


def check_collapsed(c, data, total, metric):
    counts = Decimal(0)
    for line in data.decode(errors="replace").split("\n"):
        if line.strip():
            counts += Decimal(line.rsplit(" ", 1)[1])
    want = Decimal(total).scaleb(-(metric.get("decimals", 0) + metric.get("source_exp", 0)))
    if counts != want:
        c.fail("collapsed sum %s, model total %s" % (counts, want))


def check_ptop(c, total, metric, model):
    r = run([os.path.join(c.bin, "ptop"), c.path, "-n", "1"])
    if r.returncode != 0:
        c.fail("ptop: " + r.stderr.decode(errors="replace").strip())
        return
    text = r.stdout.decode(errors="replace")
    m = re.search(r"in ([\d.]+) seconds|([\d.]+) seconds in|and ([\d.]+) \S+|"
                  r"^\s+([\d.]+) .* in \d+ functions", text, re.M)
    if not m:
        c.fail("ptop: no total in the header")
        return
    shown = Decimal(next(g for g in m.groups() if g))
    exact = re.search(r"\((\d+) bytes\)", text)  # memory: "1.2 MiB (1234567 bytes)"
    if exact:
        ok = int(exact.group(1)) == total
    elif "seconds" in m.group(0):
        ok = abs(shown * 10**9 - total) <= Decimal("0.5e6")
    else:
        ok = shown == Decimal(total).scaleb(-metric.get("decimals", 0))
    if not ok:
        c.fail("ptop header says %s, model total %d" % (m.group(0).strip(), total))
    m = re.search(r"in (\d+) functions", text)
    if m and int(m.group(1)) != len(model["functions"]):
        c.fail("ptop counts %s functions, the model %d" % (m.group(1), len(model["functions"])))


def check_html(c, data, total):
    m = re.search(rb'"total":\s*(-?\d+)', data)
    if not m or int(m.group(1)) != total:
        c.fail("html report total %s, model total %d" % (m.group(1) if m else None, total))


def check_file(bindir, path, tmp):
    c = Check(bindir, path, tmp)
    r = run([os.path.join(bindir, "pconv"), path, "-o", c.out(".json")])
    if r.returncode != 0:
        return None  # not a profile pconv reads
    model = json.load(open(c.out(".json")))
    if not model["metrics"]:
        return []
    total, metric = model["totals"][0], model["metrics"][0]
    # A differential profile (before, after) draws and folds its last count.
    names = [m["name"] for m in model["metrics"]]
    shown = names.index("after") if names[:2] == ["before", "after"] else 0
    drawn = model["totals"][shown]
    # Stack profiles' roots; a call graph's process entry holds values
    # (mprof: the run's memory outside the profiled functions).
    roots = [f["name"] for f in model["functions"] if f["kind"] in ("process", "thread")]
    if roots and "tree" in model:
        c.fail("process/thread roots as functions without --threads: %s" % roots[:3])
    svg = c.pconv(".svg")
    if svg is not None:
        check_flame(c, svg, drawn)
    data = c.pconv(".speedscope.json")
    if data is not None:
        check_speedscope(c, data)
    data = c.pconv(".callgrind", "-t", "callgrind")
    if data is not None:
        check_callgrind(c, data, model["totals"])
    if not model.get("estimated") and "tree" in model:
        data = c.pconv(".folded", "-t", "collapsed")
        if data is not None:
            check_collapsed(c, data, drawn, model["metrics"][shown])
    data = c.pconv(".html")
    if data is not None:
        check_html(c, data, drawn)
    check_ptop(c, total, metric, model)
    for suffix in (".json", ".svg", ".speedscope.json", ".callgrind", ".folded", ".html"):
        if os.path.exists(c.out(suffix)):
            os.unlink(c.out(suffix))
    return c.errors


def corpus_files(shared, folders):
    corpus = os.path.join(shared, "corpus")
    for folder in sorted(folders or os.listdir(corpus)):
        d = os.path.join(corpus, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if os.path.isfile(path) and not name.endswith(SKIP_SUFFIXES) and "." in name:
                yield path


def main():
    bindir, shared, folders = sys.argv[1], sys.argv[2], sys.argv[3:]
    errors, checked = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            results = pool.map(lambda p: check_file(bindir, p, tmp), corpus_files(shared, folders))
            for errs in results:
                if errs is None:
                    continue
                checked += 1
                for e in errs:
                    print("FAIL " + e)
                errors += errs
    print("%d profiles checked, %d failures" % (checked, len(errors)))
    if checked == 0:
        print("FAIL: no profile found in the corpus")
        return 1
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
