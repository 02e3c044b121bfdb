#!/usr/bin/env python3
"""memray's views of a time window (--time), as memray's temporal flame graph
has them: peak is the heap's highest point inside the window (what was live
then, made before the window or in it), leaks what the window allocated and
did not free by its end, total what it allocated. An event's time is that of
the memory record before it.

A hand-made capture whose every value is known, then corpus captures: the
window 0: is the whole run for every view, adjacent windows' totals add up,
an aggregated capture is refused in one line, and the HTML report of a window
holds the three windowed views.

usage: test_memray_time.py PCONV CORPUS_DIR OUT_DIR
"""
import json
import os
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from memray_capture import header_v12, svarint, varint  # noqa: E402

PCONV, CORPUS, OUT = sys.argv[1:4]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


class Capture:
    """Records of a streamed capture, one thread; addresses in units of 8."""

    def __init__(self):
        self.data = header_v12() + b"\x0c" + struct.pack("<Q", 1)
        self.ptr = 0
        for code, name in ((1, b"f"), (2, b"g")):
            self.data += b"\x0e" + varint(code) + name + b"\0app.py\0" + svarint(0) + varint(0)

    def push(self, code):
        self.data += b"\x41" + varint(code) + svarint(0)

    def pop(self):
        self.data += b"\x10"

    def _address(self, unit):
        self.data += svarint(unit - self.ptr)
        self.ptr = unit

    def alloc(self, unit, size):
        self.data += b"\xfe"  # malloc, address not cached
        self._address(unit)
        self.data += varint(size)

    def free(self, unit):
        self.data += b"\xfd"
        self._address(unit)

    def memory(self, ms, rss=1 << 20):
        self.data += b"\x02" + varint(rss) + varint(ms)


def known_capture():
    c = Capture()
    c.push(1)
    c.alloc(16, 100)  # A, f, t=0
    c.memory(10)
    c.push(2)
    c.alloc(32, 1000)  # B, g under f, t=10 ms
    c.pop()
    c.free(16)  # A
    c.memory(20)
    c.alloc(48, 50)  # C, f, t=20 ms
    c.free(32)  # B
    c.memory(30)
    c.alloc(64, 10)  # D, f, t=30 ms
    c.memory(40)
    return c.data + b"\x01"


# window -> view -> (f's total bytes, g's total bytes, the view's total)
EXPECTED = {
    None: {"peak": (1100, 1000, 1100), "leaks": (60, 0, 60), "total": (1160, 1000, 1160)},
    "0:0.015": {"peak": (1100, 1000, 1100), "leaks": (1000, 1000, 1000), "total": (1100, 1000, 1100)},
    "0.015:0.035": {"peak": (1050, 1000, 1050), "leaks": (60, 0, 60), "total": (60, 0, 60)},
    "0.025:": {"peak": (60, 0, 60), "leaks": (10, 0, 10), "total": (10, 0, 10)},
    "0.015:0.025": {"total": (50, 0, 50)},
    # after the last memory record: what was live then, nothing made
    "0.045:": {"peak": (60, 0, 60), "leaks": (0, 0, 0), "total": (0, 0, 0)},
}


def pconv(src, out, *opts):
    r = subprocess.run([PCONV, src, "-f", "memray", "-o", out, *opts], capture_output=True, text=True)
    return r, (json.load(open(out)) if r.returncode == 0 and out.endswith(".json") else None)


def incl(model, name):
    return sum(f["incl"][0] for f in model["functions"] if f["name"] == name)


def check_known():
    src = os.path.join(OUT, "known.bin")
    open(src, "wb").write(known_capture())
    out = os.path.join(OUT, "known.json")
    for window, views in EXPECTED.items():
        for view, want in views.items():
            opts = ["--view", view] + (["--time", window] if window else [])
            r, m = pconv(src, out, *opts)
            if m is None:
                fail("known capture %s: %s" % (" ".join(opts), r.stderr.strip()))
                continue
            got = (incl(m, "f"), incl(m, "g"), m["totals"][0])
            if got != want:
                fail("known capture %s: f, g, total = %s, want %s" % (" ".join(opts), got, want))
    # the report of a window holds all three views of it
    html = os.path.join(OUT, "known-window.html")
    r, _ = pconv(src, html, "--time", "0.015:0.035")
    if r.returncode != 0:
        fail("known capture to HTML with --time: %s" % r.stderr.strip())
        return
    page = open(html, encoding="utf-8").read()
    data = json.loads(re.search(r'id="profile-data">(.*?)</script>', page, re.S).group(1))
    totals = {v["name"]: v["total"] for v in data["views"]}
    want = {k: v[2] for k, v in EXPECTED["0.015:0.035"].items()}
    if totals != want:
        fail("known capture's report of 0.015:0.035: views %s, want %s" % (totals, want))
    times, window = data["series"]["t"], data["meta"].get("time.window_s")
    if len(times) != 4 or window != "0.015:0.035":
        fail("known capture's report of 0.015:0.035: %d memory points (want the 4 of the run), "
             "window %r" % (len(times), window))
    print("hand-made capture: %d windows x views exact; its report holds the window's views %s"
          % (sum(len(v) for v in EXPECTED.values()), totals))


def functions(model):
    return sorted((f["name"], f["file"], f["self"], f["incl"]) for f in model["functions"] if any(f["incl"]))


def check_corpus():
    captures = [f for f in sorted(os.listdir(CORPUS)) if f.endswith(".default.bin")]
    out = os.path.join(OUT, "corpus.json")
    for name in captures:
        src = os.path.join(CORPUS, name)
        whole = {}
        for view in ("peak", "leaks", "total"):
            _, whole[view] = pconv(src, out, "--view", view)
            _, all_time = pconv(src, out, "--view", view, "--time", "0:")
            if functions(all_time) != functions(whole[view]) or all_time["totals"] != whole[view]["totals"]:
                fail("%s --view %s: --time 0: differs from the whole run" % (name, view))
        duration = float(whole["peak"]["meta"].get("duration_s", "0") or 0)
        for k in (0.25, 0.5, 0.75):
            cut = "%.6f" % (duration * k)
            _, a = pconv(src, out, "--view", "total", "--time", ":" + cut)
            _, b = pconv(src, out, "--view", "total", "--time", cut + ":")
            if a["totals"][0] + b["totals"][0] != whole["total"]["totals"][0]:
                fail("%s: total before %s s + after = %d, the whole run %d"
                     % (name, cut, a["totals"][0] + b["totals"][0], whole["total"]["totals"][0]))
            _, p = pconv(src, out, "--view", "peak", "--time", ":" + cut)
            if p["totals"][0] > whole["peak"]["totals"][0]:
                fail("%s: the peak before %s s is above the run's" % (name, cut))
        print("%s: %.3f s; 0: is the whole run for peak, leaks, total; totals of 3 cuts add up"
              % (name, duration))
    agg = os.path.join(CORPUS, "deep_stacks.aggregate.bin")
    r, _ = pconv(agg, out, "--time", "0:1")
    lines = r.stderr.strip().splitlines()
    if r.returncode != 2 or len(lines) != 1 or "--time" not in lines[0]:
        fail("aggregated capture with --time: exit %d, %r" % (r.returncode, r.stderr))


def main():
    os.makedirs(OUT, exist_ok=True)
    check_known()
    check_corpus()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
