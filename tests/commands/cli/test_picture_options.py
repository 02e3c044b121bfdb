"""The flame graph options flamegraph.pl users reach for, on pconv, pfilter
and pdiff alike: --height, --fontsize, --subtitle, --notes, the palettes
(hot, mem, io, python, module, kind), --minwidth in pixels or percent.

    test_picture_options.py BIN_DIR SOURCE_DIR
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

BIN, SRC = sys.argv[1:3]
NS = "{http://www.w3.org/2000/svg}"
SAMPLE = os.path.join(SRC, "samples", "austin37_wall_threads_py38.folded")
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


def run(*args):
    r = subprocess.run(args, capture_output=True)
    if r.returncode:
        fail("%s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.decode(errors="replace")))


def frames(svg):
    out = []
    for g in ET.parse(svg).getroot().iter(NS + "g"):
        rect, title = g.find(NS + "rect"), g.find(NS + "title")
        if rect is not None and title is not None and "f" in (g.get("class") or "").split():
            out.append((title.text, rect))
    return out


def rgb(fill):
    return int(fill[1:3], 16), int(fill[3:5], 16), int(fill[5:7], 16)


def writers(tmp, out, *opts):
    """The same picture from the three commands that draw flame graphs."""
    a, b = os.path.join(tmp, "a.svg"), os.path.join(tmp, "b.svg")
    run(os.path.join(BIN, "pconv"), SAMPLE, *opts, "-o", out)
    run(os.path.join(BIN, "pfilter"), SAMPLE, "--focus", ".", *opts, "-o", a)
    if open(out, "rb").read() != open(a, "rb").read():
        fail("pconv and pfilter draw %s differently" % " ".join(opts))
    run(os.path.join(BIN, "pdiff"), SAMPLE, SAMPLE, "-n", "0", *opts, "-o", b)
    return b


with tempfile.TemporaryDirectory() as tmp:
    svg = os.path.join(tmp, "f.svg")
    diff = writers(tmp, svg, "--height", "24", "--fontsize", "15", "--subtitle", "sub <&> title",
                   "--notes", "built by CI #42")
    root = ET.parse(svg).getroot()
    heights = {rect.get("height") for _, rect in frames(svg)}
    if heights != {"23"}:
        fail("--height 24: frame heights %s" % heights)
    if "font-size: 15px" not in open(svg).read():
        fail("--fontsize 15 is not the text's size")
    texts = {t.get("id"): "".join(t.itertext()) for t in root.iter(NS + "text")}
    if not texts.get("subtitle", "").startswith("sub <&> title"):
        fail("--subtitle: %r" % texts.get("subtitle"))
    desc = root.find(NS + "desc")
    if desc is None or desc.text != "built by CI #42":
        fail("--notes is not in the SVG's desc")
    if {rect.get("height") for _, rect in frames(diff)} != {"23"}:
        fail("pdiff's flame graph ignores --height")
    png = os.path.join(tmp, "f.png")
    run(os.path.join(BIN, "pconv"), SAMPLE, "--height", "24", "-o", png)
    run(os.path.join(BIN, "pconv"), SAMPLE, "-o", png + ".16.png")
    h24 = struct.unpack(">I", open(png, "rb").read()[20:24])[0]
    h16 = struct.unpack(">I", open(png + ".16.png", "rb").read()[20:24])[0]
    if not h24 > h16:
        fail("--height 24 does not make the PNG taller (%d vs %d)" % (h24, h16))
    html = os.path.join(tmp, "r.html")
    run(os.path.join(BIN, "pconv"), SAMPLE, "--notes", "built by CI #42", "-o", html)
    if "built by CI #42" not in open(html, encoding="utf-8").read():
        fail("--notes is not in the HTML report")

    # Palettes: flamegraph.pl's channel ranges.
    ranges = {"hot": ((205, 255), (0, 230), (0, 55)), "mem": ((0, 0), (190, 240), (0, 210)),
              "io": ((80, 140), (80, 140), (190, 245))}
    for palette, want in ranges.items():
        run(os.path.join(BIN, "pconv"), SAMPLE, "--colors", palette, "-o", svg)
        for name, rect in frames(svg):
            if name.startswith("all ") or name.startswith("["):
                continue
            c = rgb(rect.get("fill"))
            if not all(lo <= v <= hi for v, (lo, hi) in zip(c, want)):
                fail("--colors %s: %s is %s" % (palette, name, rect.get("fill")))
                break
            if palette == "io" and c[0] != c[1]:
                fail("--colors io: %s is not a blue grey" % name)
                break
    run(os.path.join(BIN, "pconv"), SAMPLE, "--colors", "python", "-o", svg)
    greens = [rgb(rect.get("fill")) for name, rect in frames(svg) if re.search(r"\.py", name)]
    if not greens or not all(g > r and g > b for r, g, b in greens):
        fail("--colors python: Python frames are not green")
    for palette in ("module", "kind"):
        run(os.path.join(BIN, "pconv"), SAMPLE, "--colors", palette, "-o", svg)

    # --minwidth: pixels (bare or px, as flamegraph.pl) or a percentage. By
    # line, the sample has frames narrower than 40 pixels and wider than 0.5 %.
    counts = {}
    for w in ("40", "40px", "3.39%", "0.5%"):
        run(os.path.join(BIN, "pconv"), SAMPLE, "--granularity", "line", "--minwidth", w, "-o", svg)
        counts[w] = len(frames(svg))
    # 40 of the 1180 pixels the frames span is 3.39 % of the total
    if not counts["40"] == counts["40px"] == counts["3.39%"] or not counts["0.5%"] > counts["40"]:
        fail("--minwidth: %s" % counts)
    r = subprocess.run([os.path.join(BIN, "pconv"), SAMPLE, "--minwidth", "2em", "-o", svg],
                       capture_output=True)
    if r.returncode != 2:
        fail("--minwidth 2em is accepted")
print("%d failures" % failures)
sys.exit(1 if failures else 0)
