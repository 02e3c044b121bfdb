#!/usr/bin/env python3
"""--flamechart: the samples in time order, a frame merged with the next
sample's only when adjacent in time, thread after thread; refused where
there is no timeline and for outputs that are not flame graphs.

  test_flamechart.py BIN_DIR SOURCE_DIR

The inputs are hand-made austin files whose samples are known, so every
frame's place (data-x), width (data-w) and depth (data-d) in the SVG is
known too.
"""
import os
import re
import subprocess
import sys
import tempfile

bindir, src = sys.argv[1], sys.argv[2]
failures = []
HEAD = "# austin: 3.7.0\n# interval: 1000\n# mode: wall\n\n"

# main runs work (two lines of it: one function), idle, work again; then a
# sample outside any function; then work once more.
TIMED = HEAD + """P1;T0:1;/a.py:main:1;/a.py:work:2 1000
P1;T0:1;/a.py:main:1;/a.py:work:3 500
P1;T0:1;/a.py:main:1;/a.py:idle:5 2000
P1;T0:1;/a.py:main:1;/a.py:work:2 700
P1;T0:1 300
P1;T0:1;/a.py:main:1;/a.py:work:2 100
"""
US = 1000  # austin's microseconds in the model's nanoseconds
WANT_TIMED = sorted([
    ("all", 0, 0, 4600), ("main", 1, 0, 4200), ("work", 2, 0, 1500), ("idle", 2, 1500, 2000),
    ("work", 2, 3500, 700), ("main", 1, 4500, 100), ("work", 2, 4500, 100)])

# Two threads interleaved: each thread's samples together, its frames merged.
THREADS = HEAD + """P1;T0:1;/a.py:main:1;/a.py:work:2 1000
P1;T0:2;/a.py:main:1;/a.py:other:9 1000
P1;T0:1;/a.py:main:1;/a.py:work:2 1000
"""
WANT_THREADS = sorted([
    ("all", 0, 0, 3000), ("main", 1, 0, 2000), ("work", 2, 0, 2000), ("main", 1, 2000, 1000),
    ("other", 2, 2000, 1000)])

FRAME = re.compile(r'<g class="f" data-x="(\d+)" data-w="(\d+)" data-d="(\d+)"><title>([^<(]+?)'
                   r'(?: \(| \()')


def run(*args):
    return subprocess.run([os.path.join(bindir, args[0])] + list(args[1:]), capture_output=True)


def frames(svg):
    return sorted((m.group(4).strip(), int(m.group(3)), int(m.group(1)) // US,
                   int(m.group(2)) // US) for m in FRAME.finditer(svg))


def refused(label, r, message, out):
    err = r.stderr.decode()
    if r.returncode != 2 or len(err.splitlines()) != 1 or message not in err or \
            os.path.exists(out):
        failures.append("%s: rc %d, %r" % (label, r.returncode, err))


with tempfile.TemporaryDirectory() as tmp:
    for name, text, want in (("timed", TIMED, WANT_TIMED), ("threads", THREADS, WANT_THREADS)):
        path = os.path.join(tmp, name + ".austin")
        with open(path, "w") as f:
            f.write(text)
        svg = os.path.join(tmp, name + ".svg")
        r = run("pconv", path, "--flamechart", "--minwidth", "0", "-o", svg)
        if r.returncode != 0:
            failures.append("%s: pconv --flamechart: %s" % (name, r.stderr.decode()))
            continue
        text_svg = open(svg).read()
        got = frames(text_svg)
        if got != want:
            failures.append("%s: frames %s, want %s" % (name, got, want))
        if "Flame Chart" not in text_svg or "time order" not in text_svg:
            failures.append("%s: the title or subtitle does not say it is a chart" % name)
        # The flame graph of the same input merges what the chart keeps apart.
        r = run("pconv", path, "--minwidth", "0", "-o", os.path.join(tmp, name + ".graph.svg"))
        graph = frames(open(os.path.join(tmp, name + ".graph.svg")).read())
        if r.returncode != 0 or sum(1 for f in graph if f[0] == "main") != 1:
            failures.append("%s: the flame graph has %s" % (name, graph))
        # The PNG writer draws the chart too; pfilter and --threads go through it.
        png = os.path.join(tmp, name + ".png")
        r = run("pconv", path, "--flamechart", "-o", png)
        if r.returncode != 0 or open(png, "rb").read(8) != b"\x89PNG\r\n\x1a\n":
            failures.append("%s: PNG flame chart: %s" % (name, r.stderr.decode()))
        r = run("pfilter", path, "--ignore", "^(idle|other)$", "--threads", "--flamechart", "--minwidth",
                "0", "-o", svg)
        got = frames(open(svg).read()) if r.returncode == 0 else []
        if r.returncode != 0 or any(f[0] in ("idle", "other") for f in got) or \
                not any(f[0].startswith("T0:1") for f in got):
            failures.append("%s: pfilter --ignore --threads --flamechart: %s %s" % (
                name, r.stderr.decode(), got))

    timed = os.path.join(tmp, "timed.austin")
    pstats = os.path.join(src, "samples", "bootstrap.deb311.cProfile.pstats")
    out = os.path.join(tmp, "no.svg")
    refused("--flamechart on pstats", run("pconv", pstats, "--flamechart", "-o", out),
            "--flamechart: the profile has no samples in time order", out)
    out = os.path.join(tmp, "no.json")
    refused("--flamechart to JSON", run("pconv", timed, "--flamechart", "-o", out),
            "--flamechart draws flame graphs", out)
    out = os.path.join(tmp, "rev.svg")
    refused("--flamechart --reverse", run("pconv", timed, "--flamechart", "--reverse", "-o", out),
            "--flamechart", out)
    out = os.path.join(tmp, "diff.svg")
    r = run("pdiff", timed, timed, "--flamechart", "-o", out)
    if r.returncode != 2 or os.path.exists(out) or b"--flamechart" not in r.stderr:
        failures.append("pdiff --flamechart: rc %d %r" % (r.returncode, r.stderr))

for f in failures:
    print("FAIL:", f)
print("flamechart: %d failures" % len(failures))
sys.exit(1 if failures else 0)
