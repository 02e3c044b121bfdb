#!/usr/bin/env python3
"""Names from profiles are untrusted: a profile whose names hold markup,
quotes, newlines, ';', '</script>', NUL and invalid UTF-8 must still give
every writer's output its real consumer accepts, and re-read the same.

    test_escaping.py BIN_DIR"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

BIN = sys.argv[1]
EVIL = ["<b>&amp;</b>", "a \"quoted\" 'name'", "line\nbreak\r\n", "semi;colon",
        "</script><script>alert(1)</script>", "nul\u0000inside", "tab\there \\ back",
        "]]> <!-- -->", "{brace} [bracket] %s %n", "\u00e9\u4e2d\U0001f600", "x" * 3000]
# Collapsed text cannot hold ';' or newlines in a name, but can hold raw bytes.
EVIL_BYTES = [b"<b>&amp;</b>", b"bad utf8 \xff\xfe\xc3", b"</script>", b"q\"u'o`te",
              b"cut \xe4\xb8", b"ctl \x01\x1b[31m", b"x" * 3000]

fails = []


def run(args, **kw):
    return subprocess.run(args, capture_output=True, **kw)


def speedscope_input(path):
    frames = [{"name": n, "file": "f<&>\"'%d.py" % i, "line": i + 1} for i, n in enumerate(EVIL)]
    samples = [[0, i] for i in range(1, len(EVIL))] + [[i, 0] for i in range(1, len(EVIL))]
    doc = {"$schema": "https://www.speedscope.app/file-format-schema.json",
           "shared": {"frames": frames},
           "profiles": [{"type": "sampled", "name": "evil", "unit": "none", "startValue": 0,
                         "endValue": len(samples), "samples": samples, "weights": [1] * len(samples)}]}
    with open(path, "w") as f:
        json.dump(doc, f)
    return len(samples)


def collapsed_input(path):
    lines = [b"main;" + n + b" 1" for n in EVIL_BYTES]
    lines += [n + b";main 2" for n in EVIL_BYTES]
    with open(path, "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
    return len(lines)


def model(path, fmt=None):
    args = [os.path.join(BIN, "pconv"), path, "-o", "-", "-t", "json"]
    if fmt:
        args += ["-f", fmt]
    r = run(args)
    if r.returncode != 0:
        return None, r.stderr.decode(errors="replace")
    return json.loads(r.stdout), ""


def check(name, ok, detail=""):
    if ok:
        print("ok  ", name)
    else:
        fails.append(f"{name}: {detail}"[:600])


def writers(src, nstacks, tmp, label):
    base, _ = model(src)
    check(f"{label}: read", base is not None)
    if base is None:
        return
    nfuncs, total = len(base["functions"]), base["totals"]
    pconv = os.path.join(BIN, "pconv")

    def convert(ext, extra=()):
        out = os.path.join(tmp, f"{label}.{ext}")
        r = run([pconv, src, "-o", out, *extra])
        check(f"{label} -> {ext}: written", r.returncode == 0, r.stderr.decode(errors="replace"))
        return out if r.returncode == 0 else None

    # SVG: an XML parser and xmllint
    out = convert("svg")
    if out:
        try:
            ET.parse(out)
            check(f"{label} svg: xml.etree", True)
        except ET.ParseError as e:
            check(f"{label} svg: xml.etree", False, str(e))
        if shutil.which("xmllint"):
            r = run(["xmllint", "--noout", out])
            check(f"{label} svg: xmllint", r.returncode == 0 and not r.stderr, r.stderr.decode(errors="replace"))
    # dot: Graphviz reads it back, from pconv and from pgraph
    for tool, args in (("pconv", [pconv, src, "-o", os.path.join(tmp, label + ".dot")]),
                       ("pgraph", [os.path.join(BIN, "pgraph"), src, "--node-thres", "0", "--edge-thres", "0",
                                   "-o", os.path.join(tmp, label + ".pgraph.dot")])):
        r = run(args)
        check(f"{label} dot ({tool}): written", r.returncode == 0, r.stderr.decode(errors="replace"))
        if r.returncode == 0 and shutil.which("dot"):
            c = run(["dot", "-Tcanon", args[-1]])
            check(f"{label} dot ({tool}): dot -Tcanon", c.returncode == 0 and not c.stderr,
                  c.stderr.decode(errors="replace"))
    # JSON: python's parser, every function kept
    out = convert("json")
    if out:
        try:
            with open(out, encoding="utf-8") as f:
                doc = json.load(f)
            check(f"{label} json: parses, {nfuncs} functions", len(doc["functions"]) == nfuncs)
        except (ValueError, UnicodeDecodeError) as e:
            check(f"{label} json: parses", False, str(e))
    # callgrind: callgrind_annotate without a warning
    out = convert("callgrind")
    if out and shutil.which("callgrind_annotate"):
        r = run(["callgrind_annotate", out])
        err = r.stderr.decode(errors="replace")
        check(f"{label} callgrind: callgrind_annotate", r.returncode == 0 and "arning" not in err and not err,
              err)
        again, e = model(out)
        check(f"{label} callgrind: re-read, {nfuncs} functions",
              again is not None and len(again["functions"]) == nfuncs, e)
    # HTML: the names stay inside their data, no tag opens or closes early
    if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "formats", "html.c")):
        out = convert("html")
        if out:
            with open(out, "rb") as f:
                page = f.read().decode("utf-8", "replace")
            plain = os.path.join(tmp, "plain.html")
            tags = re.findall(r"</?script\b", page, re.I)
            benign = os.path.join(tmp, "benign.folded")
            with open(benign, "w") as f:
                f.write("main;work 1\nwork;main 2\n")
            r = run([pconv, benign, "-o", plain])
            with open(plain, encoding="utf-8", errors="replace") as f:
                expected = re.findall(r"</?script\b", f.read(), re.I)
            check(f"{label} html: {len(expected)} script tags, as for plain names", tags == expected,
                  f"{len(tags)} script tags")
            check(f"{label} html: no raw markup from names", "<b>&amp" not in page and "alert(1)</script>" not in page)
            check(f"{label} html: no NUL", "\0" not in page)
    # collapsed, pprof, speedscope: re-read, the same stacks and totals
    for ext, fmt in (("folded", "collapsed"), ("pprof", "pprof"), ("speedscope.json", "speedscope")):
        out = convert(ext)
        if not out:
            continue
        if fmt == "collapsed":
            with open(out, "rb") as f:
                lines = [l for l in f.read().split(b"\n") if l]
            check(f"{label} collapsed: {nstacks} stacks", len(lines) == nstacks, f"{len(lines)} lines")
        again, e = model(out, fmt)
        check(f"{label} {fmt}: re-read, same totals", again is not None and again["totals"] == total,
              e or (again and again["totals"]))


with tempfile.TemporaryDirectory() as tmp:
    s = os.path.join(tmp, "evil.speedscope.json")
    writers(s, speedscope_input(s), tmp, "speedscope")
    c = os.path.join(tmp, "evil.folded")
    writers(c, collapsed_input(c), tmp, "collapsed")

for f in fails:
    print("FAIL:", f)
print(f"{len(fails)} failed")
sys.exit(1 if fails else 0)
