#!/usr/bin/env python3
"""Checks of the line_profiler reader, plines and merging (stdlib only).

usage: test_lprof.py CHECK BIN_DIR SHARED_DIR DATA_DIR WORK_DIR
CHECK: show | json | hostile | truncate | generated | merge | others
"""
import json
import os
import pickle
import random
import re
import resource
import subprocess
import sys
import types  # noqa: F401

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from lprof_pickle import fake_stats  # noqa: E402

CHECK, BIN, SHARED, DATA, WORK = sys.argv[1:6]
CORPUS = os.path.join(SHARED, "corpus", "lprof")
SOURCES = os.path.join(SHARED, "corpus", "sources-pstats-lprof-callgrind")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(cmd, timeout=10):
    return subprocess.run(cmd, capture_output=True, timeout=timeout)


def corpus_files():
    files = sorted(f for f in os.listdir(CORPUS) if f.endswith(".lprof"))
    if not files:
        fail("no .lprof files in " + CORPUS)
    return [os.path.join(CORPUS, f) for f in files]


def model_of(paths):
    out = os.path.join(WORK, "model.json")
    r = run([os.path.join(BIN, "pconv"), *paths, "-o", out])
    if r.returncode != 0:
        fail("pconv %s: %s" % (paths, r.stderr.decode(errors="replace")))
        return None
    with open(out) as f:
        return json.load(f)


def lines_by_function(model):
    """{(file, first_line, name): ({line: (time_ns, hits)}, self)}"""
    funcs = {}
    for f in model["functions"]:
        funcs[f["id"]] = ((f["file"], f["line"], f["name"]), {}, f["self"])
    for l in model.get("lines", []):
        funcs[l["func"]][1][l["line"]] = tuple(l["v"])
    return {k: (lines, self) for k, lines, self in funcs.values()}


def ns(ticks, unit):
    """ticks x unit in ns, exact for whole-ns units as the reader does it"""
    k = round(unit * 1e9)
    if k >= 1 and abs(unit * 1e9 - k) <= k * 1e-9:
        return ticks * k
    return round(ticks * unit * 1e9)


def check_show():
    matched = 0
    files = corpus_files()
    for path in files:
        r = run([os.path.join(BIN, "plines"), "--source-root", SOURCES, path])
        with open(path + ".show.txt", "rb") as f:
            expected = f.read()
        if r.returncode != 0 or r.stdout != expected:
            fail("plines %s differs from %s.show.txt" % (path, path))
            continue
        if r.stderr:
            fail("plines %s warned: %s" % (path, r.stderr.decode(errors="replace")))
            continue
        matched += 1
    print("plines listing equals show.txt: %d of %d" % (matched, len(files)))


def check_json():
    matched = 0
    files = corpus_files()
    for path in files:
        with open(path + ".expected.json") as f:
            exp = json.load(f)
        model = model_of([path])
        if model is None:
            continue
        unit = exp["unit"]
        got = lines_by_function(model)
        want = {}
        for fn in exp["functions"]:
            lines = {l["line"]: (ns(l["time"], unit), l["hits"]) for l in fn["lines"]}
            total = [ns(fn["total_time_units"], unit), sum(l["hits"] for l in fn["lines"])]
            want[(fn["file"], fn["first_line"], fn["name"])] = (lines, total)
        meta = model["meta"]
        problems = []
        if got != want:
            problems.append("functions or lines differ")
        if [m["name"] for m in model["metrics"]] != ["time", "hits"]:
            problems.append("metrics %s" % model["metrics"])
        if float(meta.get("lprof.unit", "nan")) != unit:
            problems.append("unit %s" % meta.get("lprof.unit"))
        if meta.get("lprof.class") != exp["class"]:
            problems.append("class %s" % meta.get("lprof.class"))
        if meta.get("lprof.protocol") != str(exp["pickle_protocol"]):
            problems.append("protocol %s" % meta.get("lprof.protocol"))
        if problems:
            fail("%s: %s" % (path, "; ".join(problems)))
        else:
            matched += 1
    print("model JSON equals the oracle: %d of %d" % (matched, len(files)))


ERROR_LINE = re.compile(rb"^pconv: [^\n]*: offset \d+: [^\n]+\n$")


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def expect_error(path, extra=()):
    # A second of CPU time, not of wall time, so that a loaded machine does
    # not fail the bar; 30 s of wall time is a hang.
    start = cpu_of_children()
    try:
        r = run([os.path.join(BIN, "pconv"), *extra, path, "-o", os.path.join(WORK, "x.json")],
                timeout=30)
    except subprocess.TimeoutExpired:
        fail("%s: hangs" % path)
        return
    took = cpu_of_children() - start
    if took > 1.0:
        fail("%s: took %.2f s of CPU time" % (path, took))
        return
    if r.returncode != 2 or not ERROR_LINE.match(r.stderr):
        fail("%s: status %d, stderr %r" % (path, r.returncode, r.stderr[:300]))


def check_hostile():
    files = sorted(f for f in os.listdir(DATA) if f.endswith(".lprof"))
    if len(files) < 10:
        fail("hostile pickles missing in " + DATA)
    for f in files:
        expect_error(os.path.join(DATA, f))
    r = run([os.path.join(BIN, "pconv"), os.path.join(DATA, "global-os-system.lprof"), "-o",
             os.path.join(WORK, "x.json")])
    if b"unsupported pickle content" not in r.stderr:
        fail("global os.system not refused as unsupported content: %r" % r.stderr)
    print("hostile pickles: %d refused" % len(files))


def check_truncate():
    """Every prefix of small corpus files, and random byte flips."""
    count = 0
    for name in ("lp_slow_line.kernprof402.lprof", "lp_slow_line.kernprof402.repickled-p0.lprof",
                 "lp_class.kernprof402.repickled-p2.lprof"):
        with open(os.path.join(CORPUS, name), "rb") as f:
            data = f.read()
        cut = os.path.join(WORK, "cut.lprof")
        for n in range(len(data)):
            with open(cut, "wb") as f:
                f.write(data[:n])
            expect_error(cut, ["-f", "lprof"])
            count += 1
        rng = random.Random(name)
        for _ in range(100):
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            with open(cut, "wb") as f:
                f.write(mutated)
            r = run([os.path.join(BIN, "pconv"), "-f", "lprof", cut, "-o",
                     os.path.join(WORK, "x.json")], timeout=1)
            if r.returncode not in (0, 2) or (r.returncode == 2 and not ERROR_LINE.match(r.stderr)):
                fail("mutated %s: status %d %r" % (name, r.returncode, r.stderr[:200]))
            count += 1
    print("truncated or mutated inputs: %d, no crash" % count)


# ---- files written by pickle itself with other layouts ----

NEW_TIMINGS = {
    ("/nowhere/vec.py", 10, "Vector.norm"): [(12, 20000, 2754), (13, 20000, 11710)],
    ("/nowhere/vec.py", 17, "Vector.Ops.add"): [(20, 3, 2**40 + 7)],
    ("/nowhere/vec.py", 30, "outer.<locals>.inner"): [],
    ("/nowhere/\u00e9t\u00e9 \"q\".py", 1, "caf\u00e9\nname"): [(2, 1, 5)],
}


def write_generated(module, unit, protocol, timings=NEW_TIMINGS):
    obj = fake_stats(module, timings, unit)
    path = os.path.join(WORK, "gen-%s-%g-p%d.lprof" % (module, unit, protocol))
    with open(path, "wb") as f:
        pickle.dump(obj, f, protocol=protocol)
    return path


def plines_rows(path, unit_arg="1e-6"):
    r = run([os.path.join(BIN, "plines"), "-u", unit_arg, path])
    if r.returncode != 0:
        fail("plines %s: %s" % (path, r.stderr.decode(errors="replace")))
        return {}
    rows = {}
    for line in r.stdout.decode().splitlines():
        m = re.match(r"^ *(\d+) +(\d+) +([\d.]+) +([\d.]+) +([\d.]+)  ", line)
        if m:
            rows.setdefault(int(m.group(1)), []).append(m.groups()[1:])
    return rows


def expected_rows(timings, unit, out_unit=1e-6):
    """Rows as line_profiler 4.0's show_func formats them."""
    rows = {}
    scalar = unit / out_unit
    for key, lines in sorted(timings.items()):
        total = sum(t for _, _, t in lines)
        for lineno, hits, t in lines:
            rows.setdefault(lineno, []).append(
                ("%d" % hits, "%5.1f" % (t * scalar), "%5.1f" % (float(t) * scalar / hits),
                 "%5.1f" % (100 * t / total)))
    return {k: [tuple(s.strip() for s in r) for r in v] for k, v in rows.items()}


def check_generated():
    checked = 0
    for module in ("line_profiler.line_profiler", "line_profiler._line_profiler",
                   "_line_profiler"):
        for unit in (1e-9, 1e-6, 1 / 3579545):
            for protocol in range(6):
                path = write_generated(module, unit, protocol)
                model = model_of([path])
                if model is None:
                    continue
                got = lines_by_function(model)
                want = {k: ({l: (ns(t, unit), h) for l, h, t in v},
                            [ns(sum(t for _, _, t in v), unit) if v else 0,
                             sum(h for _, h, _ in v)])
                        for k, v in NEW_TIMINGS.items()}
                if got != want:
                    fail("%s: model differs:\n%s\n%s" % (path, got, want))
                if model["meta"].get("lprof.class") != module + ".LineStats":
                    fail("%s: class %s" % (path, model["meta"].get("lprof.class")))
                if unit != 1 / 3579545:  # whole ns per tick: numbers as line_profiler's
                    rows = plines_rows(path)
                    if rows != expected_rows(NEW_TIMINGS, unit):
                        fail("%s: plines rows %s" % (path, rows))
                checked += 1
    print("generated layouts checked: %d" % checked)


def check_merge():
    """Two profiles with different timer units merge exactly, in ns."""
    a = os.path.join(CORPUS, "lp_slow_line.kernprof402.lprof")
    timings = {("/srv/demo/lp/lp_slow_line.py", 5, "wait_and_sum"): [(7, 2, 1000), (12, 1, 3)]}
    b = write_generated("line_profiler.line_profiler", 1e-6, 5, timings)
    model = model_of([a, b])
    single = model_of([a])
    if model is None or single is None:
        return
    got = lines_by_function(model)
    want = lines_by_function(single)
    key = ("/srv/demo/lp/lp_slow_line.py", 5, "wait_and_sum")
    lines, total = want[key]
    lines = dict(lines)
    lines[7] = (lines[7][0] + 1000 * 1000, lines[7][1] + 2)
    lines[12] = (3000, 1)
    want[key] = (lines, [total[0] + 1003000, total[1] + 3])
    if got != want:
        fail("merged model differs:\n%s\n%s" % (got, want))
    rows = plines_rows_merged([a, b])
    t7 = 2300130250 + 1000 * 1000
    total = 2300563924 + 1003000
    row7 = ("3", "%5.1f" % (t7 * (1e-9 / 1e-6)), "%5.1f" % (float(t7) * (1e-9 / 1e-6) / 3),
            "%5.1f" % (100 * t7 / total))
    if rows.get(7) != [row7]:
        fail("merged plines row 7: %s" % rows.get(7))
    print("merge checked")


def plines_rows_merged(paths):
    r = run([os.path.join(BIN, "plines"), "--source-root", SOURCES, *paths])
    rows = {}
    for line in r.stdout.decode().splitlines():
        m = re.match(r"^ *(\d+) +(\d+) +([\d.]+) +([\d.]+) +([\d.]+)  ", line)
        if m:
            rows.setdefault(int(m.group(1)), []).append(m.groups()[1:])
    if r.returncode != 0:
        fail("plines merge: %s" % r.stderr.decode(errors="replace"))
    return rows


def check_others():
    """plines over the other formats with line detail: every function's rows
    add up to its total, and sources are found under --source-root."""
    checked = 0
    for fmt, metric in (("callgrind", None), ("memray", "bytes"), ("austin", None)):
        folder = os.path.join(SHARED, "corpus", fmt)
        names = sorted(f for f in os.listdir(folder) if "." in f and not re.search(
            r"\.(json|txt|md|err)$", f))
        for name in names[:3]:
            cmd = [os.path.join(BIN, "plines"), "--source-root", SOURCES, "-u", "1e-9"]
            r = run(cmd + (["--metric", metric] if metric else []) + [os.path.join(folder, name)])
            if r.returncode != 0:
                if b"no per-line values" not in r.stderr:
                    fail("plines %s: %s" % (name, r.stderr.decode(errors="replace")))
                continue
            for block in r.stdout.decode(errors="replace").split("\nTotal ")[1:]:
                check_block(name, block)
            checked += 1
    if not checked:
        fail("no profile of another format with lines")
    print("other formats listed: %d" % checked)


def check_block(name, block):
    head, _, rows = block.partition("\n=")
    total = re.match(r"(\S+): ([\d.e+-]+)", head)
    header = head.splitlines()[-1]
    pct = re.search(r" % (\S+)  Line Contents$", header)
    if not total or not pct:
        fail("%s: no total or header in %r" % (name, head[:120]))
        return
    # the value column is right-aligned under its header, 12 wide at least
    end = header.index(" %s " % pct.group(1)) + 1 + len(pct.group(1))
    width = max(12, len(pct.group(1)))
    values = [float(v) for v in (line[end - width:end].strip() for line in rows.splitlines()[1:])
              if v]
    want = float(total.group(2)) * (1e9 if total.group(1) == "time" else 1)
    if abs(sum(values) - want) > max(1.0, want * 1e-5):
        fail("%s: rows add up to %s, total %s" % (name, sum(values), want))


os.makedirs(WORK, exist_ok=True)
{"show": check_show, "json": check_json, "hostile": check_hostile, "truncate": check_truncate,
 "generated": check_generated, "merge": check_merge, "others": check_others}[CHECK]()
sys.exit(1 if failures else 0)
