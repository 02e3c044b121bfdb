#!/usr/bin/env python3
"""Tests of the collapsed-stacks reader/writer and the flame graph writers.

usage: test_flame.py BINDIR SHAREDDIR CHECK [FILE]

Checks:
  oracle FILE    pconv FILE -o model.json agrees with FILE.expected.json
  roundtrip FILE collapsed -> model -> collapsed keeps every stack and count
  svg FILE       the SVG parses, has the frames and total the stacks give
  png FILE       the PNG is valid and of the requested width
  interaction    zoom, search, reset run by the SVG's script on a stand-in DOM
  escaping       hostile names give well-formed SVG (and a PNG)
  deep           a 10,000-frame stack renders to SVG and PNG
  damaged        truncated and random inputs: exit 0 or 2, one-line error
  estimated      pstats inputs (no stacks) give graphs marked estimated

The oracle follows flamegraph.pl, which turns `#` lines ending in a number
into frames; pconv skips `#` lines (docs/collapsed.md). The expected values
are adjusted by what those lines contributed, computed here from the file.
"""
import gzip
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from decimal import Decimal

SVG = "{http://www.w3.org/2000/svg}"
RECORD = re.compile(rb"^(.*)\s(\d+(?:\.\d*)?)$", re.S)
SUFFIX = {"[kernel]": "_[k]", "[jit]": "_[j]", "[inlined]": "_[i]"}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, timeout=120, **kw)


def pconv(bindir, *args):
    r = run([os.path.join(bindir, "pconv"), *args])
    if r.returncode != 0:
        fail("pconv %s: status %d: %s" % (" ".join(args), r.returncode, r.stderr.decode()))
    return r


def count_of(text):
    """A count exactly as the file writes it (decimals stay exact)."""
    return Decimal(text.decode())


# Frames as the file writes them: one frame per (function, line), process
# and thread roots kept, so stacks and counts compare with the text.
AS_WRITTEN = ["--granularity", "line", "--threads"]


def model_total(model, metric):
    """A JSON total in the metric's unit (its decimals applied)."""
    return Decimal(model["totals"][metric]).scaleb(-model["metrics"][metric].get("decimals", 0))


def parse_folded(data):
    """The records as the reader takes them: {stack tuple: [after, before]},
    plus the '#' lines flamegraph.pl would have taken as records."""
    stacks, hash_records, diff = {}, [], None
    for line in data.split(b"\n"):
        if line.endswith(b"\r"):
            line = line[:-1]
        m = RECORD.match(line)
        if line.startswith(b"#"):
            if m:
                hash_records.append(m)
            continue
        if not line or not m:
            continue
        stack, after = m.group(1), count_of(m.group(2))
        m2 = RECORD.match(stack) if diff is not False else None
        if diff is None:
            diff = m2 is not None
        before = 0
        if m2:
            stack, before = m2.group(1), count_of(m2.group(2))
        frames = stack.rstrip(b";").split(b";") if stack.rstrip(b";") else []
        if not frames:
            continue
        v = stacks.setdefault(tuple(frames), [0, 0])
        v[0] += after
        v[1] += before
    return stacks, hash_records, bool(diff)


def frame_text(fn):
    return fn["name"] + SUFFIX.get(fn["file"], "")


def check_top(kind, expected, ours):
    """expected: the oracle's top list without '#' frames; ours: name -> value."""
    for name, value in expected:
        if ours.get(name) != value:
            fail("%s of %r: oracle %s, pconv %s" % (kind, name, value, ours.get(name)))
    ranked = sorted(ours.values(), reverse=True)[: len(expected)]
    if ranked != [v for _, v in expected]:
        fail("%s ranking: oracle %s, pconv %s" % (kind, [v for _, v in expected], ranked))


def check_oracle(bindir, path):
    exp = json.load(open(path + ".expected.json"))
    data = open(path, "rb").read()
    stacks, hash_records, diff = parse_folded(data)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "model.json")
        report = pconv(bindir, "-v", "-f", "collapsed", *AS_WRITTEN, path, "-o", out).stderr.decode()
        model = json.load(open(out))
        folded = os.path.join(tmp, "out.folded")
        pconv(bindir, "-f", "collapsed", *AS_WRITTEN, path, "-o", folded)
        written, _, _ = parse_folded(open(folded, "rb").read())
    m = re.search(r"skipped (\d+) blank, (\d+) comment and (\d+) invalid lines", report)
    if not m or (int(m.group(1)), int(m.group(2))) != (exp["blank_lines"], exp["comment_lines"]):
        fail("-v report %r: oracle has %d blank and %d comment lines"
             % (report, exp["blank_lines"], exp["comment_lines"]))
    names = [m["name"] for m in model["metrics"]]
    metric = names.index("after") if diff else names.index("samples")
    hash_names = {m.group(1).decode() for m in hash_records}
    hash_total = sum(Decimal(m.group(2).decode()) for m in hash_records)
    want_total = Decimal(str(exp["total_count"])) - hash_total
    if model_total(model, metric) != want_total:
        fail("total: oracle %s (less %s in '#' lines), pconv %s"
             % (exp["total_count"], hash_total, model["totals"][metric]))
    if diff and model_total(model, names.index("before")) != exp["total_count_first_column"]:
        fail("first column total: oracle %s, pconv %s"
             % (exp["total_count_first_column"], model["totals"][names.index("before")]))
    want_records = exp["records"] - len(hash_records)
    if model["meta"].get("collapsed.records") != str(want_records):
        fail("records: oracle %d, pconv %s" % (want_records, model["meta"]))
    leaves = sum(1 for n in model["tree"] if any(n["self"]))
    nonzero = sum(1 for v in stacks.values() if any(v))
    want_stacks = exp["distinct_stacks"] - len(hash_names) - (len(stacks) - nonzero)
    if leaves != want_stacks:
        fail("distinct stacks: oracle %d (adjusted), pconv %d" % (want_stacks, leaves))
    depth, parent_of = {0: 0}, {n["id"]: n["parent"] for n in model["tree"]}
    for n in model["tree"]:
        chain = []
        i = n["id"]
        while i not in depth:
            chain.append(i)
            i = parent_of[i]
        for j in reversed(chain):
            depth[j] = depth[parent_of[j]] + 1
    if max(depth.values()) != exp["max_depth"]:
        fail("max depth: oracle %d, pconv %d" % (exp["max_depth"], max(depth.values())))
    funcs = model["functions"]
    # by frame text, as the oracle counts, from what the writer wrote back
    self_, incl = {}, {}
    for frames, (after, before) in written.items():
        if after == 0:
            continue
        text = lambda f: f.decode(errors="replace")
        self_[text(frames[-1])] = self_.get(text(frames[-1]), 0) + after
        for f in set(frames):
            incl[text(f)] = incl.get(text(f), 0) + after
    keep = lambda top: [(n, v) for n, v in top if n not in hash_names]
    check_top("top self", keep(exp["top_self"]), self_)
    check_top("top inclusive", keep(exp["top_inclusive"]), incl)
    kernel = any(f["kind"] == "kernel" and f["file"] == "[kernel]" for f in funcs)
    if kernel != ("_[k]" in exp["annotated_frames"]):
        fail("kernel frames: oracle %s, pconv %s" % (exp["annotated_frames"], kernel))


def check_roundtrip(bindir, path):
    stacks, _, diff = parse_folded(open(path, "rb").read())
    want = {k: v for k, v in stacks.items() if (any(v) if diff else v[0] > 0)}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.folded")
        pconv(bindir, "-f", "collapsed", *AS_WRITTEN, path, "-o", out)
        got, _, got_diff = parse_folded(open(out, "rb").read())
        again = os.path.join(tmp, "again.folded")
        # -f: austin's raw output is also valid austin text, which detection prefers
        pconv(bindir, "-f", "collapsed", *AS_WRITTEN, out, "-o", again)
        if open(again, "rb").read() != open(out, "rb").read():
            fail("writing the written file again changed it")
    if got_diff != diff:
        fail("differential: input %s, output %s" % (diff, got_diff))
    if got != want:
        missing = set(want) ^ set(got)
        fail("round trip differs: %d stacks in, %d out, %d differ"
             % (len(want), len(got), len(missing) or sum(want[k] != got[k] for k in want)))


def svg_frames(path):
    root = ET.parse(path).getroot()
    frames = root.find(".//%sg[@id='frames']" % SVG)
    return root, [g for g in frames.iter(SVG + "g") if (g.get("class") or "-").split()[0] == "f"]


def expected_frames(stacks, diff, minwidth, reverse=False):
    """Count the rectangles: every frame, narrow children merged per parent."""
    tree = {}
    total = 0
    for frames, (after, _before) in stacks.items():
        if after <= 0:
            continue
        total += after
        node = tree
        for f in reversed(frames) if reverse else frames:
            node = node.setdefault(f, [0, {}])
            node[0] += after
            node = node[1]
    threshold = float(total) * minwidth / 100.0
    count, todo = 1, [tree]
    while todo:
        children = todo.pop()
        narrow = False
        for value, sub in children.values():
            if value < threshold:
                narrow = True
            else:
                count += 1
                todo.append(sub)
        count += narrow
    return count, total


def check_svg(bindir, path):
    stacks, _, diff = parse_folded(open(path, "rb").read())
    with tempfile.TemporaryDirectory() as tmp:
        # A share of the total ("0.5%"), or pixels of the 1200-pixel picture
        # whose frames span 1180 ("2px", or "2" as flamegraph.pl reads it).
        for minwidth in ("1e-9%", "0.5%", "5%", "2px", "12"):
            pct = float(minwidth[:-1]) if minwidth.endswith("%") else \
                float(minwidth.replace("px", "")) / 1180 * 100
            for extra in ([], ["--reverse"], ["--inverted", "--colors", "module"]):
                out = os.path.join(tmp, "f.svg")
                pconv(bindir, "-f", "collapsed", *AS_WRITTEN, path, "-o", out, "--minwidth", minwidth,
                      *extra)
                root, frames = svg_frames(out)
                want, total = expected_frames(stacks, diff, pct, "--reverse" in extra)
                if len(frames) != want:
                    fail("%s --minwidth %s %s: %d frames, expected %d"
                         % (path, minwidth, extra, len(frames), want))
                title = frames[0].find(SVG + "title").text
                m = re.match(r"all \(([\d,]+) samples, 100\.00% of total", title)
                if not m or int(m.group(1).replace(",", "")) != total:
                    fail("root frame title %r, expected total %d" % (title, total))
                scripts = root.findall(".//%sscript" % SVG)
                if len(scripts) != 1:
                    fail("expected exactly one script element")
        check_script(scripts[0].text, tmp)


def check_script(code, tmp):
    """The embedded script must at least be valid JavaScript."""
    node = shutil.which("node")
    if not node:
        print("note: node not found, the script's syntax is not checked")
        return
    js = os.path.join(tmp, "flame.js")
    open(js, "w").write(code)
    r = run([node, "--check", js])
    if r.returncode != 0:
        fail("the SVG's script does not parse: " + r.stderr.decode()[-500:])


def frame_name(g):
    t = g.find(SVG + "title").text
    return t[: t.rindex(" (")]


def union_share(spans, lo, hi):
    total, end = 0, lo
    for a, b in sorted(spans):
        a, b = max(a, end), min(b, hi)
        if b > a:
            total += b - a
        end = max(end, b)
    return 100.0 * total / (hi - lo)


def check_interaction(bindir, path):
    """Zoom, search and reset with the SVG's own script on a stand-in DOM."""
    node = shutil.which("node")
    if not node:
        print("note: node not found, zoom and search are not exercised")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "f.svg")
        pconv(bindir, "-f", "collapsed", path, "-o", out, "--minwidth", "1e-9%")
        root, gs = svg_frames(out)
    width = float(root.get("width"))
    fgroup = root.find(".//%sg[@id='frames']" % SVG)
    total, xpad = int(fgroup.get("data-total")), float(fgroup.get("data-xpad"))
    fw = width - 2 * xpad
    frames = []
    for g in gs:
        text = g.find(SVG + "text")
        frames.append({"attrs": dict(g.attrib), "rect": dict(g.find(SVG + "rect").attrib),
                       "title": g.find(SVG + "title").text,
                       "text": None if text is None else (text.text or "")})
    pos = [(int(g.get("data-x")), int(g.get("data-w")), int(g.get("data-d"))) for g in gs]
    names = [frame_name(g) for g in gs]
    # zoom into the widest frame at depth 2 whose name is also elsewhere
    k = max((i for i in range(len(gs)) if pos[i][2] == 2), key=lambda i: (names.count(names[i]) > 1, pos[i][1]))
    term = re.escape(names[k])
    data = {"script": root.find(".//%sscript" % SVG).text, "width": width, "frames": frames,
            "frames_attrs": dict(fgroup.attrib),
            "ids": {"details": " ", "matched": " ", "unzoom": "Reset Zoom", "search": "Search"},
            "actions": [{"search": term}, {"click": k}, {"reset": True}, {"search": None}]}
    r = run([node, os.path.join(os.path.dirname(os.path.abspath(__file__)), "flame_dom.js")],
            input=json.dumps(data).encode())
    if r.returncode != 0:
        fail("script run failed: " + r.stderr.decode()[-800:])
    searched, zoomed, reset, cleared = json.loads(r.stdout)
    hits = [i for i in range(len(gs)) if pos[i][2] > 0 and re.search(term, names[i])]
    spans = [(pos[i][0], pos[i][0] + pos[i][1]) for i in hits]
    near = lambda a, b, eps=0.02: abs(a - b) <= eps
    share = float(searched["matched"].split()[1].rstrip("%"))
    if not near(share, union_share(spans, 0, total), 0.006):
        fail("search %r: %s, expected %.2f%%" % (term, searched["matched"], union_share(spans, 0, total)))
    if sum(f["fill"] == "rgb(230,0,230)" for f in searched["frames"]) != len(hits):
        fail("search highlighted the wrong frames")
    xk, wk, dk = pos[k]
    for i, (x, w, d) in enumerate(pos):
        f = zoomed["frames"][i]
        if d >= dk and x >= xk and x + w <= xk + wk:
            ok = f["display"] == "" and near(f["x"], xpad + (x - xk) / wk * fw) and near(f["w"], w / wk * fw)
        elif d < dk and x <= xk and x + w >= xk + wk:
            ok = "parent" in f["cls"].split() and near(f["w"], fw)
        else:
            ok = f["display"] == "none"
        if not ok:
            fail("zoom into frame %d: frame %d is %s" % (k, i, f))
    if zoomed["unzoom_hidden"] or not reset["unzoom_hidden"]:
        fail("Reset Zoom is not shown while zoomed, or not hidden after")
    z_share = float(zoomed["matched"].split()[1].rstrip("%"))
    if not near(z_share, union_share(spans, xk, xk + wk), 0.006):
        fail("search share while zoomed: %s" % zoomed["matched"])
    for f, g in zip(reset["frames"], frames):
        if f["display"] != "" or not near(f["w"], float(g["rect"]["width"])):
            fail("reset zoom did not restore %s" % g["title"])
    if any(f["fill"] == "rgb(230,0,230)" for f in cleared["frames"]) or cleared["matched"].strip():
        fail("clearing the search left highlights")


def check_estimated(bindir, shared):
    """A pstats input has no stacks: the tree is estimated and the graph says so."""
    corpus = os.path.join(shared, "corpus", "pstats")
    files = sorted(f for f in os.listdir(corpus) if f.endswith(".pstats"))
    if not files:
        fail("no pstats files in " + corpus)
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            out = os.path.join(tmp, "f.svg")
            pconv(bindir, os.path.join(corpus, name), "-o", out)
            root, frames = svg_frames(out)
            subtitle = root.find(".//%stext[@id='subtitle']" % SVG).text
            if "ESTIMATED" not in subtitle:
                fail("%s: subtitle %r does not say the widths are estimated" % (name, subtitle))
            if len(frames) < 2 or any("est" not in g.get("class").split() for g in frames[1:]):
                fail("%s: estimated frames are not marked" % name)
            png = os.path.join(tmp, "f.png")
            pconv(bindir, os.path.join(corpus, name), "-o", png)
            png_size(png)
            print("ok estimated", name)


def png_size(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        fail("%s is not a PNG" % path)
    if data[-12:-8] != b"\0\0\0\0" or data[-8:-4] != b"IEND":
        fail("%s does not end with IEND" % path)
    return struct.unpack(">II", data[16:24])


def check_png(bindir, path):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "f.png")
        pconv(bindir, "-f", "collapsed", path, "-o", out, "--width", "800")
        w, h = png_size(out)
        if w != 800 or h < 100:
            fail("PNG is %dx%d, expected width 800" % (w, h))


HOSTILE = [
    b"<script>alert(1)</script>",
    b"a&b &amp c &lt",
    b"\"double\" 'single'",
    b"</script>]]><!--",
    b"bad \xff\xfe utf-8 \xc3",
    b"ctl \x01\x1b[31m",
    b"</svg><svg onload=alert(2)>",
]


def check_escaping(bindir):
    lines = [b";".join(HOSTILE[i:] + HOSTILE[:i]) + b" %d" % (i + 1) for i in range(len(HOSTILE))]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "hostile.folded")
        open(src, "wb").write(b"\n".join(lines) + b"\n")
        out = os.path.join(tmp, "f.svg")
        pconv(bindir, src, "-o", out, "--minwidth", "1e-9%", "--title", "<b>&title</b>")
        root, frames = svg_frames(out)
        if len(root.findall(".//%sscript" % SVG)) != 1:
            fail("a name injected a script element")
        titles = [g.find(SVG + "title").text for g in frames]
        if not any(t.startswith("<script>alert(1)</script> (") for t in titles):
            fail("the <script> name is not shown as text")
        if root.find(".//%stext[@id='title']" % SVG).text != "<b>&title</b>":
            fail("title not escaped")
        png = os.path.join(tmp, "f.png")
        pconv(bindir, src, "-o", png)
        png_size(png)
        folded = os.path.join(tmp, "f.folded")
        pconv(bindir, src, "-o", folded)
        got, _, _ = parse_folded(open(folded, "rb").read())
        if len(got) != len(lines) or any(len(k) != len(HOSTILE) for k in got):
            fail("names broke the collapsed output: %r" % got)


def check_deep(bindir):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "deep.folded")
        frames = [b"f%d" % i for i in range(10000)]
        open(src, "wb").write(b";".join(frames) + b" 7\n" + b";".join(frames[:5000]) + b" 3\n")
        out = os.path.join(tmp, "deep.svg")
        pconv(bindir, src, "-o", out, "--minwidth", "1e-9%")
        _, frames = svg_frames(out)
        if len(frames) != 10001:
            fail("deep stack: %d frames, expected 10001" % len(frames))
        depths = {int(g.get("data-d")) for g in frames}
        if max(depths) != 10000:
            fail("deep stack: max depth %d" % max(depths))
        png = os.path.join(tmp, "deep.png")
        pconv(bindir, src, "-o", png, "--inverted")
        w, h = png_size(png)
        if w != 1200 or h > 32767:
            fail("deep PNG is %dx%d" % (w, h))
        pconv(bindir, src, "-o", os.path.join(tmp, "deep.svg"), "--reverse")


def expect_clean_exit(bindir, src, what):
    r = run([os.path.join(bindir, "pconv"), "-f", "collapsed", src, "-o", src + ".json"])
    if r.returncode not in (0, 2):
        fail("%s: status %d (signal?) %s" % (what, r.returncode, r.stderr[-300:]))
    if r.returncode == 2:
        err = r.stderr.decode(errors="replace")
        if err.count("\n") != 1 or not err.startswith("pconv: "):
            fail("%s: error is not one line: %r" % (what, err))
    return r.returncode


def check_damaged(bindir, shared):
    rng = random.Random(1234)
    corpus = os.path.join(shared, "corpus", "collapsed")
    files = sorted(f for f in os.listdir(corpus) if f.endswith(".folded"))
    errors = 0
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "cut")
        for name in files:
            data = open(os.path.join(corpus, name), "rb").read()
            for cut in sorted({0, 1, 2, len(data) - 1} | {rng.randrange(len(data)) for _ in range(12)}):
                open(src, "wb").write(data[:cut])
                errors += expect_clean_exit(bindir, src, "%s cut at %d" % (name, cut)) == 2
            gz = gzip.compress(data)
            for cut in (10, len(gz) // 2, len(gz) - 3):
                open(src, "wb").write(gz[:cut])
                if expect_clean_exit(bindir, src, "%s.gz cut at %d" % (name, cut)) != 2:
                    fail("%s.gz cut at %d was accepted" % (name, cut))
        for i in range(30):
            n = rng.randrange(1, 5000)
            blob = bytes(rng.randrange(256) for _ in range(n))
            if i % 3 == 1:  # record-like noise: digits, separators, spaces
                blob = bytes(rng.choice(b"ab;; 0123456789.\n\t#-") for _ in range(n))
            open(src, "wb").write(blob)
            expect_clean_exit(bindir, src, "random input %d" % i)
        open(src, "wb").write(b"")
        if expect_clean_exit(bindir, src, "empty input") != 2:
            fail("an empty input was accepted")
    if errors == 0:
        fail("no cut input was refused (the empty prefix should be)")


def main():
    bindir, shared, check = sys.argv[1:4]
    arg = sys.argv[4] if len(sys.argv) > 4 else None
    corpus = os.path.join(shared, "corpus", "collapsed")
    targets = [arg] if arg else sorted(
        os.path.join(corpus, f) for f in os.listdir(corpus) if f.endswith(".folded"))
    if check in ("oracle", "roundtrip", "svg", "png", "interaction"):
        if not targets:
            fail("no corpus files in " + corpus)
        fn = {"oracle": check_oracle, "roundtrip": check_roundtrip, "svg": check_svg,
              "png": check_png, "interaction": check_interaction}[check]
        for t in targets:
            fn(bindir, t)
            print("ok %s %s" % (check, os.path.basename(t)))
    elif check == "escaping":
        check_escaping(bindir)
    elif check == "deep":
        check_deep(bindir)
    elif check == "estimated":
        check_estimated(bindir, shared)
    elif check == "damaged":
        check_damaged(bindir, shared)
    else:
        fail("unknown check " + check)
    print("ok", check)


if __name__ == "__main__":
    main()
