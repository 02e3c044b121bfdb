#!/usr/bin/env python3
"""Collapsed stacks: the frame dialects of their producers, exact decimal
counts, samples without frames, and what detection accepts.

usage: test_dialects.py BINDIR SHAREDDIR

Each case is a small file written here in the style of one producer (py-spy,
perf/flamegraph.pl, austin, Python 3.15's sampler, plain names); the model
JSON must name the functions as that producer means them, with the line of
each frame on the tree node and never in the function. The Python 3.15
sampler's collapsed files of the corpus (py314-315/) must give their
oracle's per-function self and inclusive samples.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
from decimal import Decimal

BIN = SHARED = TMP = None
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def run(args, data=None):
    return subprocess.run(args, capture_output=True, timeout=120, input=data)


def pconv(*args):
    r = run([os.path.join(BIN, "pconv"), *args])
    if r.returncode != 0:
        raise SystemExit("FAIL: pconv %s: %s" % (" ".join(args), r.stderr.decode()))
    return r


def model_of(text, *opts, name="in.folded"):
    path = os.path.join(TMP, name)
    open(path, "wb").write(text if isinstance(text, bytes) else text.encode())
    out = os.path.join(TMP, "m.json")
    r = pconv(*opts, path, "-o", out)
    return json.load(open(out)), r.stderr.decode()


def functions(model):
    return {(f["name"], f["file"]): f for f in model["functions"]}


def metric(model, name="samples"):
    return [m["name"] for m in model["metrics"]].index(name)


def expect(what, got, want):
    if got != want:
        fail("%s: got %r, want %r" % (what, got, want))


def node_lines(model, fname):
    ids = {f["id"] for f in model["functions"] if f["name"] == fname}
    return sorted({n["line"] for n in model["tree"] if n["func"] in ids})


def test_pyspy():
    text = ("main (wl.py:160);work (wl.py:12) 3\n"
            "main (wl.py:161);work (wl.py:14) 2\n"
            "main (wl.py:160);helper (wl.py) 1\n"
            "main (wl.py:160);<listcomp> (wl.py:20) 1\n")
    m, _ = model_of(text, "-v")
    f = functions(m)
    expect("py-spy functions", sorted(f), sorted([("main", "wl.py"), ("work", "wl.py"),
                                                  ("helper", "wl.py"), ("<listcomp>", "wl.py")]))
    expect("py-spy: no line in a function", {x["line"] for x in m["functions"]}, {0})
    s = metric(m)
    expect("py-spy work self", f[("work", "wl.py")]["self"][s], 5)
    expect("py-spy main incl", f[("main", "wl.py")]["incl"][s], 7)
    expect("py-spy dialect", m["meta"].get("collapsed.dialect"), "py-spy")
    # the lines stay, for line listings
    lines = {(l["func"], l["line"]): l["v"][s] for l in m.get("lines", [])}
    main = f[("main", "wl.py")]["id"]
    expect("py-spy line 160 of main", lines.get((main, 160)), 5)
    expect("py-spy line 161 of main", lines.get((main, 161)), 2)


def test_perf():
    text = ("python3;_start;main+0x1f;do_syscall_64_[k];[unknown] 4\n"
            "python3;_start;main+0x2a;foo_[j] 2\n"
            "python3;_start;main;std::vector<int>::push_back 1\n")
    m, _ = model_of(text)
    f = functions(m)
    want = {("python3", ""), ("_start", ""), ("main", ""), ("do_syscall_64", "[kernel]"),
            ("[unknown]", ""), ("foo", "[jit]"), ("std::vector<int>::push_back", "")}
    expect("perf functions", set(f), want)
    expect("perf kernel kind", f[("do_syscall_64", "[kernel]")]["kind"], "kernel")
    expect("perf main incl", f[("main", "")]["incl"][metric(m)], 7)
    expect("perf dialect", m["meta"].get("collapsed.dialect"), "perf")


def test_plain():
    text = "a b;operator() (int);c:d 2\na b;x 1\n"
    m, _ = model_of(text)
    expect("plain functions", set(functions(m)), {("a b", ""), ("operator() (int)", ""),
                                                  ("c:d", ""), ("x", "")})


def test_austin():
    text = ("P42;T0:42;/a/wl.py:main:160;/a/wl.py:work:12 1000\n"
            "P42;T0:42;/a/wl.py:main:161;/a/wl.py:work:13 500\n"
            "P42;T0:43;/a/wl.py:worker:7;:GC: 250\n"
            "P42;T0:43 300\n")
    m, _ = model_of(text)
    f = functions(m)
    expect("austin functions", set(f), {("main", "/a/wl.py"), ("work", "/a/wl.py"),
                                        ("worker", "/a/wl.py"), ("GC", "")})
    expect("austin GC kind", f[("GC", "")]["kind"], "gc")
    s = metric(m)
    expect("austin total counts the frameless sample", m["totals"][s], 2050)
    expect("austin main incl", f[("main", "/a/wl.py")]["incl"][s], 1500)
    expect("austin main: one frame by default", node_lines(m, "main"), [0])
    lm, _ = model_of(text, "--granularity", "line")
    expect("austin main lines at --granularity line",
           sorted(x["line"] for x in lm["functions"] if x["name"] == "main"), [160, 161])
    t, _ = model_of(text, "--threads")
    kinds = {(x["name"], x["kind"]) for x in t["functions"] if x["kind"] in ("process", "thread")}
    expect("austin --threads roots", kinds, {("P42", "process"), ("T0:42", "thread"),
                                             ("T0:43", "thread")})
    expect("austin --threads total", t["totals"][metric(t)], 2050)


def test_tachyon():
    text = ("tid:7;<frozen runpy>:_run_code:87;wl.py:main:96;wl.py:Catalog.from_json:41 3\n"
            "tid:7;<frozen runpy>:_run_code:87;wl.py:main:97;<GC> 2\n"
            "tid:8;threading.py:Thread.run:1161;<native> 1\n")
    m, _ = model_of(text)
    f = functions(m)
    expect("tachyon functions", set(f), {("_run_code", "<frozen runpy>"), ("main", "wl.py"),
                                         ("Catalog.from_json", "wl.py"), ("<GC>", ""),
                                         ("Thread.run", "threading.py"), ("<native>", "")})
    expect("tachyon <GC> kind", f[("<GC>", "")]["kind"], "gc")
    expect("tachyon <native> kind", f[("<native>", "")]["kind"], "native")
    expect("tachyon dialect", m["meta"].get("collapsed.dialect"), "tachyon")
    expect("tachyon: no thread function", [x for x in m["functions"] if x["kind"] == "thread"], [])


def test_decimals():
    text = "a;b 3.13\na;c 0.005\na 1\nd 2.\n"
    m, _ = model_of(text)
    s = metric(m)
    dec = m["metrics"][s].get("decimals", 0)
    expect("decimal total", Decimal(m["totals"][s]).scaleb(-dec), Decimal("6.135"))
    out = os.path.join(TMP, "d.folded")
    pconv(os.path.join(TMP, "in.folded"), "-o", out)
    got = {}
    for line in open(out).read().splitlines():
        stack, _, count = line.rpartition(" ")
        got[stack] = Decimal(count)
    expect("decimal counts written back", got, {"a;b": Decimal("3.13"), "a;c": Decimal("0.005"),
                                                "a": Decimal(1), "d": Decimal(2)})


def test_austin_units():
    """austin's microseconds come back as austin wrote them, not x1000."""
    path = os.path.join(TMP, "a.austin")
    open(path, "w").write("# austin: 3.7.0\n# mode: wall\n# interval: 100\n\n"
                          "P1;T0:1;/a/x.py:f:3;/a/x.py:g:5 1234\n"
                          "P1;T0:1;/a/x.py:f:4 10\n")
    out = os.path.join(TMP, "a.folded")
    pconv(path, "-o", out)
    counts = sorted(int(l.rpartition(" ")[2]) for l in open(out).read().splitlines())
    expect("austin microseconds into collapsed", counts, [10, 1234])


def test_detection():
    cases = {
        "no newline at the end": b"a;b 1\na;c 2",
        "one line, no newline": b"main;work 5",
        "a comment and an invalid line": b"# by hand\na;b 1\nnot a record\na;c 2\na;d 3\na 4\n",
        "UTF-16 LE with BOM": b"\xff\xfe" + "a;b\u00e9 1\na;c 2\n".encode("utf-16-le"),
        "UTF-16 BE with BOM": b"\xfe\xff" + "a;b\u00e9 1\na;c 2\n".encode("utf-16-be"),
        "UTF-8 with BOM": b"\xef\xbb\xbf" + "a;b\u00e9 1\na;c 2\n".encode(),
    }
    for what, data in cases.items():
        path = os.path.join(TMP, "detect.txt")
        open(path, "wb").write(data)
        r = run([os.path.join(BIN, "pconv"), "-v", path, "-o", os.path.join(TMP, "d.json")])
        if r.returncode != 0:
            fail("detection, %s: %s" % (what, r.stderr.decode().strip()))
            continue
        m = json.load(open(os.path.join(TMP, "d.json")))
        if m["format"] != "collapsed":
            fail("detection, %s: read as %s" % (what, m["format"]))
        if "UTF" in what and ("b\u00e9", "") not in functions(m):
            fail("detection, %s: names %s" % (what, sorted(functions(m))))
        if "invalid" in what and "1 comment and 1 invalid lines" not in r.stderr.decode():
            fail("detection, %s: -v does not report the skipped lines: %s" % (what, r.stderr))
    path = os.path.join(TMP, "notes.txt")
    open(path, "w").write("just some notes\nwith no counts\n")
    r = run([os.path.join(BIN, "pconv"), path, "-o", os.path.join(TMP, "d.json")])
    err = r.stderr.decode()
    if r.returncode != 2 or err.count("\n") != 1 or "tried: " not in err or "collapsed" not in err \
            or "-f FORMAT" not in err:
        fail("refusal does not say what was tried: %d %r" % (r.returncode, err))


def test_python315_oracle():
    files = sorted(glob.glob(os.path.join(SHARED, "corpus", "py314-315", "*collapsed*.txt")))
    files = [f for f in files if os.path.exists(f + ".expected.json")]
    if not files:
        fail("no Python 3.15 collapsed files in the corpus")
    for path in files:
        exp = json.load(open(path + ".expected.json"))
        out = os.path.join(TMP, "t.json")
        pconv(path, "-o", out)
        m = json.load(open(out))
        s = metric(m)
        key = lambda f: f["file"] + ":" + f["name"] if f["file"] else f["name"]
        self_, incl = {}, {}
        for f in m["functions"]:
            if f["self"][s]:
                self_[key(f)] = self_.get(key(f), 0) + f["self"][s]
            incl[key(f)] = incl.get(key(f), 0) + f["incl"][s]
        name = os.path.basename(path)
        expect(name + " total", m["totals"][s], exp["total_samples"])
        expect(name + " self by function", self_, {k: v for k, v in exp["self_by_function"].items() if v})
        expect(name + " inclusive by function", incl, exp["inclusive_by_function"])
        print("ok %s: %d functions agree with the oracle" % (name, len(exp["self_by_function"])))


def main():
    global BIN, SHARED, TMP
    BIN, SHARED = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as TMP:
        for t in (test_pyspy, test_perf, test_plain, test_austin, test_tachyon, test_decimals,
                  test_austin_units, test_detection, test_python315_oracle):
            before = len(failures)
            t()
            print("%s %s" % ("ok" if len(failures) == before else "FAILED", t.__name__))
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
