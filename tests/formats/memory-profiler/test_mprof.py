#!/usr/bin/env python3
"""Checks of memory_profiler's mprof .dat reader (stdlib only).

usage: test_mprof.py CHECK BIN_DIR CORPUS_DIR WORK_DIR
CHECK:
  oracle   every FILE.dat in the folder against FILE.dat.oracle.json (what
           mprof.read_mprofile_file gives) and FILE.dat.mprof_peak.txt (mprof peak)
  records  hand-made files: records in any order, child processes (CHLD), FUNC
           without a level, nested calls, CRLF and empty lines; damaged records
           end with one line and exit status 2
  time     --time windows: hand-made records whose windowed values are known;
           on every corpus file the window 0: is the whole run, and adjacent
           windows' growth and time add up to it and their peaks' larger is its
  lines    the line-by-line report (python -m memory_profiler) against its oracle,
           plines' listing of it, reports written with show_results' template at
           other precisions and among the program's output, damaged rows
"""
import re
import json
import os
import subprocess
import sys
from decimal import Decimal

CHECK, BIN, CORPUS, WORK = sys.argv[1:5]
MIB = 1 << 20
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def eq(what, got, want):
    if got != want:
        fail(f"{what}: got {got!r}, want {want!r}")


def run(cmd, timeout=60):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def model_of(path, *extra):
    out = os.path.join(WORK, "model.json")
    r = run([os.path.join(BIN, "pconv"), path, "-t", "json", "-o", out, *extra])
    if r.returncode != 0:
        fail(f"pconv {path}: {r.stderr.strip()}")
        return None
    with open(out) as f:
        return json.load(f)


def nbytes(mib):
    """MiB as the file wrote them (the float's repr is that text) to bytes."""
    return int((Decimal(repr(mib)) * MIB).to_integral_value())


def nanos(t):
    return int((Decimal(repr(t)) * 10**9).to_integral_value())


class Model:
    def __init__(self, d):
        self.d = d
        self.m = {x["name"]: i for i, x in enumerate(d["metrics"])}
        eq("metrics", d["metrics"], [{"name": "peak", "unit": "bytes"},
                                     {"name": "growth", "unit": "bytes"},
                                     {"name": "time", "unit": "ns"}])
        self.funcs = {f["name"]: f for f in d["functions"]}
        self.by_id = {f["id"]: f for f in d["functions"]}
        self.points = d.get("series", {}).get("points", [])

    def incl(self, name, metric):
        return self.funcs[name]["incl"][self.m[metric]]

    def self_(self, name, metric):
        return self.funcs[name]["self"][self.m[metric]]

    def callers(self, name):
        fid = self.funcs[name]["id"]
        return {self.by_id[e["caller"]]["name"] for e in self.d["edges"] if e["callee"] == fid}

    def peak_between(self, t0, t1, b0, b1):
        inside = [p[1] for p in self.points if t0 <= p[0] <= t1]
        return max([b0, b1] + inside)


def check_file(path, exp, peak_line):
    d = model_of(path)
    if d is None:
        return
    m = Model(d)
    name = os.path.basename(path)
    meta = d["meta"]
    pts = m.points
    eq(f"{name}: samples", int(meta["mprof.samples"]), exp["n_mem_samples"])
    eq(f"{name}: series points", len(pts), exp["n_mem_samples"])
    eq(f"{name}: series in order of time", [p[0] for p in pts], sorted(p[0] for p in pts))
    eq(f"{name}: series names", d["series"]["names"][0], "rss")
    eq(f"{name}: first samples", [[p[1], p[0]] for p in pts[:5]],
       [[nbytes(mib), nanos(t)] for mib, t in exp["first_5_samples"]])
    mem = [p[1] for p in pts]
    eq(f"{name}: first time", pts[0][0], nanos(exp["first_timestamp"]))
    eq(f"{name}: last time", pts[-1][0], nanos(exp["last_timestamp"]))
    if abs(float(meta["duration_s"]) - exp["duration_s"]) > 1e-4:
        fail(f"{name}: duration {meta['duration_s']} s, want {exp['duration_s']}")
    for key, got in (("mem_min_mib", min(mem)), ("mem_max_mib", max(mem)),
                     ("mem_first_mib", mem[0]), ("mem_last_mib", mem[-1])):
        eq(f"{name}: {key}", got, nbytes(exp[key]))
    if abs(sum(mem) / MIB - exp["mem_sum_mib"]) > len(mem) * 1e-6:
        fail(f"{name}: sum {sum(mem) / MIB} MiB, want {exp['mem_sum_mib']}")
    eq(f"{name}: command line", meta.get("mprof.cmdline"), exp["cmd_line"])
    proc = exp["cmd_line"]
    if proc not in m.funcs or m.funcs[proc]["kind"] != "process":
        fail(f"{name}: no process function {proc!r}")
        return
    eq(f"{name}: mprof peak", f"{name}\t{m.incl(proc, 'peak') / MIB:.3f} MiB", peak_line)
    eq(f"{name}: process growth", m.incl(proc, "growth"), mem[-1] - mem[0])

    calls = {}
    for e in exp["func_entries"]:
        calls.setdefault(e["name"], []).append(e)
    eq(f"{name}: functions", sorted(f for f in m.funcs if m.funcs[f]["kind"] == "python"),
       sorted(calls))
    eq(f"{name}: calls", sum(f["calls"] for f in d["functions"] if f["kind"] == "python"),
       exp["n_func_entries"])
    levels = {}
    for fname, es in calls.items():
        growth = sum(nbytes(e["mem_end_mib"]) - nbytes(e["mem_start_mib"]) for e in es)
        time = sum(nanos(e["end"]) - nanos(e["start"]) for e in es)
        peak = max(m.peak_between(nanos(e["start"]), nanos(e["end"]), nbytes(e["mem_start_mib"]),
                                  nbytes(e["mem_end_mib"])) for e in es)
        eq(f"{name}: {fname} calls", m.funcs[fname]["calls"], len(es))
        eq(f"{name}: {fname} growth", m.incl(fname, "growth"), growth)
        eq(f"{name}: {fname} time", m.incl(fname, "time"), time)
        eq(f"{name}: {fname} peak", m.incl(fname, "peak"), peak)
        if m.self_(fname, "peak") > peak:
            fail(f"{name}: {fname} own peak above its peak")
        for e in es:
            levels.setdefault(e["stack_level"], set()).add(fname)
    # a function of level N+1 is called from one of level N (the outermost from the process)
    for level, names in levels.items():
        above = levels.get(level - 1, {proc})
        for fname in names:
            if not m.callers(fname) <= above:
                fail(f"{name}: {fname} (level {level}) called from {m.callers(fname)}")
    # what the callees leave is the caller's own
    for fname in list(calls) + [proc]:
        fid = m.funcs[fname]["id"]
        out = [e for e in d["edges"] if e["caller"] == fid]
        for metric in ("growth", "time"):
            k = m.m[metric]
            eq(f"{name}: {fname} own {metric}", m.self_(fname, metric),
               m.incl(fname, metric) - sum(e["incl"][k] for e in out))
    for pid, c in exp["children"].items():
        f = m.funcs.get(f"child {pid}")
        if not f:
            fail(f"{name}: no child {pid}")
            continue
        eq(f"{name}: child {pid} peak", f["incl"][m.m["peak"]], nbytes(c["peak_mib"]))
    print(f"ok   {name}" if not failures else f"...  {name}")


def check_oracle():
    files = sorted(f for f in os.listdir(CORPUS) if f.endswith(".dat")
                   and os.path.exists(os.path.join(CORPUS, f + ".oracle.json")))
    if not files:
        fail("no .dat files with an oracle in " + CORPUS)
    for f in files:
        path = os.path.join(CORPUS, f)
        with open(path + ".oracle.json") as fh:
            exp = json.load(fh)
        with open(path + ".mprof_peak.txt") as fh:
            peak_line = fh.read().rstrip("\n")
        check_file(path, exp, peak_line)


def write(name, text):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(text.encode() if isinstance(text, str) else text)
    return path


RECORDS = """\
FUNC mod.inner 20.0000 105.5000 30.0000 106.0000
MEM 10.000000 100.0000
CHLD 4242 1.000000 100.1000
MEM 50.000000 105.9000

FUNC mod.outer 10.0000 100.5000 40.0000 107.0000
CMDLINE python3 'my prog.py'
MEM 35.000000 105.7000
MEM 45.000000 100.8000
CHLD 4242 7.500000 105.8000
CHLD 4242 0.000000 106.6000
UNKNOWN record mprof skips
MEM 12.000000 107.5000
"""


def check_records():
    for label, text in (("LF", RECORDS), ("CRLF", RECORDS.replace("\n", "\r\n"))):
        d = model_of(write("mprofile_20260101000000.dat", text))
        if not d:
            continue
        m = Model(d)
        proc = "python3 'my prog.py'"
        eq(f"{label}: series", [p[:2] for p in m.points],
           [[nanos(t), nbytes(v)] for t, v in ((100.0, 10.0), (100.8, 45.0), (105.7, 35.0),
                                                (105.9, 50.0), (107.5, 12.0))])
        # the child's latest RSS added to the parent's
        eq(f"{label}: with children", [p[2] for p in m.points],
           [nbytes(v) for v in (10.0, 46.0, 36.0, 57.5, 12.0)])
        eq(f"{label}: series names", d["series"]["names"], ["rss", "rss with children"])
        eq(f"{label}: nesting by time without levels", m.callers("mod.inner"), {"mod.outer"})
        eq(f"{label}: outer from the process", m.callers("mod.outer"), {proc})
        eq(f"{label}: a child is a root of its own", m.callers("child 4242"), set())
        eq(f"{label}: child time", m.incl("child 4242", "time"), nanos(6.5))
        eq(f"{label}: child peak", m.incl("child 4242", "peak"), nbytes(7.5))
        eq(f"{label}: child kind", m.funcs["child 4242"]["kind"], "process")
        eq(f"{label}: outer peak", m.incl("mod.outer", "peak"), nbytes(50.0))
        eq(f"{label}: outer's own peak (inner held 35 and 50)", m.self_("mod.outer", "peak"),
           nbytes(45.0))
        eq(f"{label}: inner peak", m.incl("mod.inner", "peak"), nbytes(50.0))
        eq(f"{label}: outer growth", (m.incl("mod.outer", "growth"), m.self_("mod.outer", "growth")),
           (nbytes(30.0), nbytes(20.0)))
        eq(f"{label}: process peak", m.incl(proc, "peak"), nbytes(50.0))
        eq(f"{label}: process's own peak", m.self_(proc, "peak"), nbytes(12.0))
        eq(f"{label}: process time", m.incl(proc, "time"), nanos(7.5))
        eq(f"{label}: no graph estimate", d["estimated"], False)

    # a decorated function called inside itself; a FUNC line with a level
    rec = ("FUNC m.f 1.0000 10.0000 2.0000 20.0000 0\nFUNC m.f 1.5000 12.0000 1.7500 13.0000 1\n"
           "MEM 1.000000 9.0000\n")
    d = model_of(write("rec.dat", rec), "-f", "mprof")
    if d:
        f = Model(d).funcs["m.f"]
        eq("recursion: calls", (f["calls"], f["pcalls"]), (2, 1))
    # every command chooses among peak, growth and time
    folded = os.path.join(WORK, "time.folded")
    r = run([os.path.join(BIN, "pconv"), "--metric", "time", write("t.dat", RECORDS), "-o", folded])
    stacks = dict(x.rsplit(" ", 1) for x in open(folded).read().splitlines()) if not r.returncode else {}
    eq("pconv --metric time", stacks, {"python3 'my prog.py'": str(nanos(7.5) - nanos(6.5)),
                                       "child_4242": str(nanos(6.5)),  # no count-like end
                                       "python3 'my prog.py';mod.outer": str(nanos(6.0)),
                                       "python3 'my prog.py';mod.outer;mod.inner": str(nanos(0.5))})
    r = run([os.path.join(BIN, "ptop"), "--metric", "growth", "-s", "tottime", "-n", "1",
             os.path.join(WORK, "t.dat")])
    row = [x for x in r.stdout.splitlines() if x.rstrip().endswith("mod.outer")]
    # memory as ptop shows it: KiB, MiB, GiB
    eq("ptop --metric growth", [" ".join(x.split()[1:3]) for x in row],
       ["%.1f MiB" % (nbytes(20.0) / 2**20)])
    r = run([os.path.join(BIN, "pdiff"), "--metric", "peak", "--json", os.path.join(WORK, "t.dat"),
             write("t2.dat", RECORDS.replace("MEM 50.000000", "MEM 60.000000"))])
    rows = {f["name"]: f["incl"] for f in json.loads(r.stdout)["functions"]} if not r.returncode else {}
    eq("pdiff --metric peak", rows.get("mod.inner", {}).get("change"), nbytes(10.0))
    r = run([os.path.join(BIN, "pconv"), write("mp.dat", RECORDS), "-o",
             os.path.join(WORK, "r.html")])
    eq("html report", (r.returncode, r.stderr), (0, ""))

    bad = {
        "bad memory": "MEM x12 100.0\n",
        "bad time": "MEM 12.0 1e9\n",
        "missing time": "MEM 1.5\n",
        "FUNC cut short": "FUNC mod.f 1.0 2.0 3.0\n",
        "FUNC exit before entry": "FUNC mod.f 1.0 5.0 3.0 4.0 0\n",
        "bad level": "FUNC mod.f 1.0 5.0 3.0 6.0 -1\n",
        "bad child": "CHLD 12a 1.0 2.0\n",
        "huge number": "MEM 99999999999999999999 1.0\n",
        "time beyond int64": "MEM 1.0 99999999999.9999999\n",
        "only a command": "CMDLINE python3 x.py\n",
    }
    for label, text in bad.items():
        path = write("bad.dat", "MEM 1.0 1.0\n" + text if label != "only a command" else text)
        out = os.path.join(WORK, "bad.json")
        if os.path.exists(out):
            os.remove(out)
        r = run([os.path.join(BIN, "pconv"), "-f", "mprof", path, "-o", out])
        lines = r.stderr.strip().splitlines()
        ok = r.returncode == 2 and len(lines) == 1 and path in lines[0] and not os.path.exists(out)
        print(("ok   " if ok else "FAIL ") + f"{label}: {r.stderr.strip()}")
        if not ok:
            fail(f"{label}: exit {r.returncode}, {r.stderr!r}")


# ---- --time windows ----

def values_of(d):
    """{function name: (incl, self)} of a model."""
    return {f["name"]: (f["incl"], f["self"]) for f in d["functions"]}


def check_window_cases():
    path = write("mprofile_window.dat", RECORDS)
    proc = "python3 'my prog.py'"
    # [105.6, 105.95): outer from the sample at 100.8 (its own, 45) to the one at
    # 105.9 (inner's, 50); inner from its entry (20) to 105.9; the child from its
    # sample at 100.1 (1.0) to 105.8 (7.5); the process from 100.8 to 105.9
    mib, s = nbytes, nanos
    want = {
        "mod.outer": ((mib(50.0), mib(5.0), s(0.35)), (mib(45.0), mib(5.0) - mib(30.0), 0)),
        "mod.inner": ((mib(50.0), mib(30.0), s(0.35)), (mib(50.0), mib(30.0), s(0.35))),
        "child 4242": ((mib(7.5), mib(6.5), s(0.35)), (mib(7.5), mib(6.5), s(0.35))),
        proc: ((mib(50.0), mib(5.0), s(0.35)), (0, 0, 0)),
    }
    d = model_of(path, "--time", "5.6:5.95")
    if d:
        got = values_of(d)
        for name, (incl, own) in want.items():
            eq(f"window 5.6:5.95: {name}", tuple(map(tuple, got.get(name, ([], [])))), (incl, own))
        eq("window 5.6:5.95: meta", d["meta"].get("time.window_s"), "5.6:5.95")
    # before outer's entry: the process alone, from its first sample to the RSS at 0.3
    d = model_of(path, "--time", ":0.3")
    if d:
        eq("window :0.3: functions", sorted(values_of(d)), sorted([proc, "child 4242"]))
        eq("window :0.3: process", values_of(d).get(proc),
           ([mib(10.0), 0, s(0.3)], [mib(10.0), 0, s(0.3)]))
    d = model_of(path, "--time", "100:")
    if d:
        eq("window after the run", d["functions"], [])


def check_halves(label, path, cuts):
    """The window 0: is the whole run; at each cut the two sides add up."""
    whole = model_of(path)
    if not whole:
        return
    everything = model_of(path, "--time", "0:")
    if everything:
        eq(f"{label}: 0: is the whole run", values_of(everything), values_of(whole))
    want = values_of(whole)
    for cut in cuts:
        left, right = model_of(path, "--time", f":{cut}"), model_of(path, "--time", f"{cut}:")
        if not left or not right:
            continue
        a, b = values_of(left), values_of(right)
        for name, (incl, own) in want.items():
            zero = ([0, 0, 0], [0, 0, 0])
            (ai, ao), (bi, bo) = a.get(name, zero), b.get(name, zero)
            got = ([max(ai[0], bi[0]), ai[1] + bi[1], ai[2] + bi[2]],
                   [max(ao[0], bo[0]), ao[1] + bo[1], ao[2] + bo[2]])
            eq(f"{label}: {name} cut at {cut} s", got, (incl, own))
    print(f"ok   {label}" if not failures else f"...  {label}")


def check_time():
    check_window_cases()
    # at a call's entry and exit, at a sample, between samples, inside the child
    check_halves("hand-made", write("mprofile_halves.dat", RECORDS),
                 ["0.5", "5.5", "5.9", "6", "3.25", "5.65", "6.6"])
    for f in sorted(x for x in os.listdir(CORPUS) if x.endswith(".dat")):
        path = os.path.join(CORPUS, f)
        d = model_of(path)
        if not d:
            continue
        duration = float(d["meta"]["duration_s"])
        check_halves(f, path, [f"{duration * k / 7:.4f}" for k in range(1, 7)])
    out = os.path.join(WORK, "window.html")
    r = run([os.path.join(BIN, "pconv"), os.path.join(CORPUS, "mp_py311_default.dat"),
             "--time", "1:2", "-o", out])
    eq("html of a window", (r.returncode, r.stderr), (0, ""))
    if not r.returncode:
        eq("html of a window: the chart's shade", '"time.window_s":"1:2"' in open(out).read(), True)


# ---- the line-by-line report ----

ROW = "{0:>6} {1:>12} {2:>12}  {3:>10}   {4:<}"  # memory_profiler.show_results
HEADER = ROW.format("Line #", "Mem usage", "Increment", "Occurrences", "Line Contents")


def mib_text(v, precision):
    return ("{0:" + str(precision + 4) + "." + str(precision) + "f} MiB").format(v)


def report(tables, precision=3):
    """A report as show_results writes it, from oracle tables and the source."""
    with open(os.path.join(CORPUS, "workload.py")) as f:
        src = f.readlines()
    out = []
    for t in tables:
        rows = {r["line"]: r for r in t["rows"]}
        first, last = t["rows"][0]["line"], t["rows"][-1]["line"]
        out.append("Filename: " + t["filename"] + "\n\n" + HEADER + "\n" + "=" * len(HEADER) + "\n")
        for n in range(first, last + 1):
            r = rows.get(n)
            cells = (mib_text(r["mem_usage_mib"], precision), mib_text(r["increment_mib"], precision),
                     r["occurrences"]) if r else ("", "", "")
            out.append(ROW.format(n, *cells, src[n - 1]))
        out.append("\n\n")
    return "".join(out)


def check_report(label, path, tables, precision, extra=()):
    d = model_of(path, *extra)
    if d is None:
        return
    m = {x["name"]: i for i, x in enumerate(d["metrics"])}
    eq(f"{label}: metrics", [x["name"] for x in d["metrics"]], ["increment", "usage", "occurrences"])
    funcs = {(f["file"], f["line"]): f for f in d["functions"]}
    lines = {}
    for l in d.get("lines", []):
        lines.setdefault(l["func"], {})[l["line"]] = l["v"]
    eq(f"{label}: functions", len(d["functions"]), len(tables))
    for t in tables:
        first = t["rows"][0]
        f = funcs.get((t["filename"], first["line"]))
        if not f:
            fail(f"{label}: no function at {t['filename']}:{first['line']}")
            continue
        got = lines.get(f["id"], {})
        eq(f"{label}: {f['name']} lines with values", len(got), t["n_rows_with_data"])
        for r in t["rows"]:
            v = got.get(r["line"])
            if v is None:
                fail(f"{label}: {f['name']} has no line {r['line']}")
                continue
            eq(f"{label}: {f['name']}:{r['line']}",
               (round(v[m["usage"]] / MIB, precision), round(v[m["increment"]] / MIB, precision),
                v[m["occurrences"]]),
               (round(r["mem_usage_mib"], precision), round(r["increment_mib"], precision),
                r["occurrences"]))
        eq(f"{label}: {f['name']} occurrences", f["self"][m["occurrences"]],
           sum(r["occurrences"] for r in t["rows"]))


def check_plines(path, tables):
    """plines lists every row with its occurrences, increment and source line."""
    r = run([os.path.join(BIN, "plines"), path, "--source-root", CORPUS])
    if r.returncode != 0 or r.stderr:
        fail(f"plines: {r.returncode} {r.stderr.strip()}")
        return
    shown = {}
    for line in r.stdout.splitlines():
        mt = re.match(r"^\s*(\d+)\s+(\d+)\s+(-?\d+)\s+\S+\s+\S+  (.*)$", line)
        if mt:
            shown[int(mt.group(1))] = (int(mt.group(2)), int(mt.group(3)), mt.group(4).strip())
    for t in tables:
        for row in t["rows"]:
            got = shown.get(row["line"])
            if not got or got[0] != row["occurrences"] or got[2] != row["contents"] or \
                    round(got[1] / MIB, 3) != round(row["increment_mib"], 3):
                fail(f"plines line {row['line']}: {got}, want {row}")
    r = run([os.path.join(BIN, "plines"), path, "--metric", "usage"])
    usage = {int(mt.group(1)): int(mt.group(2)) for mt in
             (re.match(r"^\s*(\d+)\s+\d+\s+(\d+)\s", x) for x in r.stdout.splitlines()) if mt}
    for t in tables:
        for row in t["rows"]:
            if round(usage.get(row["line"], -1) / MIB, 3) != round(row["mem_usage_mib"], 3):
                fail(f"plines --metric usage line {row['line']}: {usage.get(row['line'])}")


def check_lines():
    files = sorted(f for f in os.listdir(CORPUS) if f.endswith(".txt")
                   and os.path.exists(os.path.join(CORPUS, f + ".oracle.json")))
    if not files:
        fail("no line reports with an oracle in " + CORPUS)
    for f in files:
        path = os.path.join(CORPUS, f)
        with open(path + ".oracle.json") as fh:
            exp = json.load(fh)
        eq(f"{f}: tables", len(exp["tables"]), exp["n_tables"])
        check_report(f, path, exp["tables"], 3)
        check_plines(path, exp["tables"])
        print(f"ok   {f}" if not failures else f"...  {f}")
        tables = exp["tables"]
    # other precisions, the program's output around the tables, CRLF
    for precision in (1, 6):
        check_report(f"precision {precision}", write("p.txt", report(tables, precision)), tables,
                     precision)
    text = "starting\nFilename: is what this program prints first\n" + report(tables) + "done\n"
    check_report("among the program's output", write("out.txt", text), tables, 3)
    check_report("CRLF", write("crlf.txt", report(tables).replace("\n", "\r\n")), tables, 3)
    wide = [dict(t, rows=[dict(r, mem_usage_mib=r["mem_usage_mib"] * 1e6) for r in t["rows"]])
            for t in tables]
    check_report("values wider than their cells", write("wide.txt", report(wide)), wide, 3)
    bad = {
        "a row without its unit": report(tables).replace(" MiB", "  KB", 1),
        "a row cut short": report(tables).replace("1   @profile", "", 1),
        "no table": report(tables).replace("Line #", "Line", 3),
        "no rule under the header": report(tables).replace("=" * 61, "-" * 61, 1),
    }
    for label, text in bad.items():
        path = write("bad.txt", text)
        r = run([os.path.join(BIN, "pconv"), "-f", "memory-profiler", path, "-t", "json", "-o",
                 os.path.join(WORK, "bad.json")])
        lines = r.stderr.strip().splitlines()
        ok = r.returncode == 2 and len(lines) == 1 and path in lines[0]
        print(("ok   " if ok else "FAIL ") + f"{label}: {r.stderr.strip()}")
        if not ok:
            fail(f"{label}: exit {r.returncode}, {r.stderr!r}")


os.makedirs(WORK, exist_ok=True)
{"oracle": check_oracle, "records": check_records, "time": check_time,
 "lines": check_lines}[CHECK]()
sys.exit(1 if failures else 0)
