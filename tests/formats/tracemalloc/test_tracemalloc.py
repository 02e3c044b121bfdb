#!/usr/bin/env python3
"""Checks of the tracemalloc snapshot reader (stdlib only).

usage: test_tracemalloc.py CHECK BIN_DIR CORPUS_DIR WORK_DIR
CHECK:
  oracle   every FILE.tracemalloc in the folder against FILE.tracemalloc.oracle.json
           (totals, domains, statistics by lineno, filename, traceback, cumulative,
           frames per trace), read from the model (pconv -o model.json)
  pdiff    pdiff OLD NEW against NEW.compare_to(OLD, 'lineno') and 'traceback',
           computed here by this Python's tracemalloc on the same files
  metric   --metric allocations through ptop, pconv (folded) and plines
  hostile  pickles that are not snapshots, or are hostile, end with one line
           naming the file and exit status 2
"""
import json
import os
import pickle
import subprocess
import sys
import tracemalloc

CHECK, BIN, CORPUS, WORK = sys.argv[1:5]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def eq(what, got, want):
    if got != want:
        fail(f"{what}: got {got!r}, want {want!r}")


def run(cmd, timeout=60):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def corpus_files():
    files = sorted(f for f in os.listdir(CORPUS)
                   if f.endswith(".tracemalloc") and os.path.exists(os.path.join(CORPUS, f + ".oracle.json")))
    if not files:
        fail("no .tracemalloc files with an oracle in " + CORPUS)
    return [os.path.join(CORPUS, f) for f in files]


def model_of(path):
    out = os.path.join(WORK, "model.json")
    r = run([os.path.join(BIN, "pconv"), path, "-o", out])
    if r.returncode != 0:
        fail(f"pconv {path}: {r.stderr.strip()}")
        return None
    with open(out) as f:
        return json.load(f)


class Model:
    """The model's tree as tracemalloc's keys: frames are 'file:line'."""

    def __init__(self, m):
        self.m = m
        self.b = m["metrics"].index({"name": "bytes", "unit": "bytes"})
        self.n = m["metrics"].index({"name": "allocations", "unit": "count"})
        self.funcs = {f["id"]: f for f in m["functions"]}
        self.nodes = {n["id"]: n for n in m.get("tree", [])}
        self.path = {0: ()}
        for nid in sorted(self.nodes):  # parents come before their children
            n = self.nodes[nid]
            f = self.funcs[n["func"]]
            # a frame's function is its line (the nodes' own lines are dropped
            # once each function is one frame: docs/identity.md)
            self.path[nid] = self.path[n["parent"]] + (f"{f['file']}:{f['line']}",)

    def stacks(self):
        """{frames oldest first: (bytes, blocks)} of the stacks with values"""
        out = {}
        for nid, n in self.nodes.items():
            if n["self"][self.n]:
                out[self.path[nid]] = (n["self"][self.b], n["self"][self.n])
        return out


def check_file(path, exp):
    d = model_of(path)
    if d is None:
        return
    m = Model(d)
    name = os.path.basename(path)
    meta = d["meta"]
    eq(f"{name}: total bytes", d["totals"][m.b], exp["total_size"])
    eq(f"{name}: total blocks", d["totals"][m.n], exp["total_count"])
    eq(f"{name}: traceback_limit", meta.get("tracemalloc.traceback_limit"), str(exp["traceback_limit"]))
    eq(f"{name}: traces", meta.get("tracemalloc.traces"), str(exp["n_traces"]))
    eq(f"{name}: truncated", meta.get("tracemalloc.truncated"),
       str(exp["traces_with_truncated_traceback"]))
    for dom, v in exp["domains"].items():
        eq(f"{name}: domain {dom} traces", meta.get(f"tracemalloc.domain.{dom}.traces"), str(v["traces"]))
        eq(f"{name}: domain {dom} bytes", meta.get(f"tracemalloc.domain.{dom}.bytes"), str(v["size"]))

    stacks = m.stacks()
    eq(f"{name}: distinct tracebacks", len(stacks), exp["statistics_traceback_n"])
    for row in exp["statistics_traceback_top20"]:
        eq(f"{name}: traceback {row['frames_oldest_first'][-1]}",
           stacks.get(tuple(row["frames_oldest_first"])), (row["size"], row["count"]))
    hist = {}
    for frames, (_, blocks) in stacks.items():
        hist[str(len(frames))] = hist.get(str(len(frames)), 0) + blocks
    eq(f"{name}: frames per trace", hist, exp["frames_per_trace_histogram"])

    # statistics('lineno'): the functions' own values (a function is a line)
    by_line = {}
    for f in d["functions"]:
        if f["self"][m.n]:
            by_line[f"{f['file']}:{f['line']}"] = (f["self"][m.b], f["self"][m.n])
    eq(f"{name}: lineno statistics", len(by_line), exp["statistics_lineno_n"])
    for row in exp["statistics_lineno_top20"]:
        key = row["frames_oldest_first"][0]
        eq(f"{name}: lineno {key}", by_line.get(key), (row["size"], row["count"]))
    by_file = {}
    for f in d["functions"]:
        s = by_file.setdefault(f["file"], [0, 0])
        s[0] += f["self"][m.b]
        s[1] += f["self"][m.n]
    for row in exp["statistics_filename_top10"]:
        key = row["frames_oldest_first"][0].rsplit(":", 1)[0]
        eq(f"{name}: filename {key}", tuple(by_file.get(key, ())), (row["size"], row["count"]))

    # statistics('lineno', cumulative=True) counts a block once per frame of
    # its traceback, repeated frames again; the model's inclusive values count
    # it once per function (recursion once), so they are at most that.
    cumul = {}
    for frames, (size, blocks) in stacks.items():
        for fr in frames:
            c = cumul.setdefault(fr, [0, 0])
            c[0] += size
            c[1] += blocks
    incl = {f"{f['file']}:{f['line']}": f["incl"] for f in d["functions"]}
    for row in exp["statistics_lineno_cumulative_top10"]:
        key = row["frames_oldest_first"][0]
        eq(f"{name}: cumulative {key}", tuple(cumul.get(key, ())), (row["size"], row["count"]))
        i = incl.get(key)
        if i is None or i[m.b] > row["size"] or i[m.n] > row["count"]:
            fail(f"{name}: inclusive {key} {i} above tracemalloc's cumulative {row}")
    if exp["statistics_lineno_cumulative_top10"]:
        top = exp["statistics_lineno_cumulative_top10"][0]["frames_oldest_first"][0]
        no_repeat = all(list(fr).count(top) <= 1 for fr in stacks)
        if no_repeat:
            eq(f"{name}: inclusive {top}", incl[top][m.b], cumul[top][0])
    print(f"ok   {name}" if not failures else f"...  {name}")


def check_oracle():
    for path in corpus_files():
        with open(path + ".oracle.json") as f:
            check_file(path, json.load(f))


def pdiff_json(old, new, metric, *extra):
    r = run([os.path.join(BIN, "pdiff"), old, new, "--full-paths", "--json", "-n", "all",
             "--metric", metric, *extra])
    if r.returncode != 0:
        fail(f"pdiff {old} {new}: {r.stderr.strip()}")
        return {}
    # functions are matched by file and name; a name is "base:line"
    return {f"{f['file']}:{f['name'].rsplit(':', 1)[1]}": f["self"]
            for f in json.loads(r.stdout)["functions"]}


def pdiff_folded(old, new, metric):
    """{folded stack: (before, after)} of pdiff -o X.folded"""
    out = os.path.join(WORK, "diff.folded")
    r = run([os.path.join(BIN, "pdiff"), old, new, "--full-paths", "--metric", metric, "-o", out])
    if r.returncode != 0:
        fail(f"pdiff -o folded {old} {new}: {r.stderr.strip()}")
        return {}
    stacks = {}
    with open(out) as f:
        for line in f:
            stack, before, after = line.rstrip("\n").rsplit(" ", 2)
            stacks[stack] = (int(before), int(after))
    return stacks


def folded_frame(frame):
    """A frame as the folded writer names it: 'base:line (file)'."""
    base = frame.filename.rsplit("/", 1)[-1] or frame.filename
    return f"{base}:{frame.lineno} ({frame.filename})"


def check_pdiff_pair(old, new):
    so = tracemalloc.Snapshot.load(old)
    sn = tracemalloc.Snapshot.load(new)
    label = f"{os.path.basename(old)} -> {os.path.basename(new)}"
    lineno = sn.compare_to(so, "lineno")
    got_b = pdiff_json(old, new, "bytes")
    got_n = pdiff_json(old, new, "allocations")
    with_self = {k for got in (got_b, got_n) for k, v in got.items() if v["before"] or v["after"]}
    eq(f"{label}: lineno entries", len(with_self), len(lineno))
    none = {"before": 0, "after": 0, "change": 0}
    for st in lineno:
        fr = st.traceback[0]
        key = f"{fr.filename}:{fr.lineno}"
        if key not in with_self:
            fail(f"{label}: pdiff has no {key}")
        b, n = got_b.get(key, none), got_n.get(key, none)
        eq(f"{label}: {key} size", (b["after"], b["change"]), (st.size, st.size_diff))
        eq(f"{label}: {key} count", (n["after"], n["change"]), (st.count, st.count_diff))
    # blocks of 0 bytes leave a stack out of the bytes' folded file
    tb = sn.compare_to(so, "traceback")
    folded_b = pdiff_folded(old, new, "bytes")
    folded_n = pdiff_folded(old, new, "allocations")
    eq(f"{label}: traceback entries", len(set(folded_b) | set(folded_n)), len(tb))
    for st in tb:
        key = ";".join(folded_frame(fr) for fr in st.traceback)
        eq(f"{label}: traceback ...{key[-60:]} size", folded_b.get(key, (0, 0)),
           (st.size - st.size_diff, st.size))
        eq(f"{label}: traceback ...{key[-60:]} count", folded_n.get(key, (0, 0)),
           (st.count - st.count_diff, st.count))
    print(f"ok   {label}" if not failures else f"...  {label}")


def check_pdiff():
    files = corpus_files()
    by = {os.path.basename(f): f for f in files}
    pairs = [("tm_py311_f25_peak.tracemalloc", "tm_py311_f25_peak_filtered.tracemalloc"),
             ("tm_py311_f10_domains.tracemalloc", "tm_py311_f25_peak.tracemalloc"),
             ("tm_py315_f25_cache_filtered.tracemalloc", "tm_py315_f25_peak.tracemalloc")]
    for old, new in pairs:
        if old in by and new in by:
            check_pdiff_pair(by[old], by[new])
        else:
            fail(f"corpus lacks {old} or {new}")


def check_metric():
    """Every command shows the block counts with --metric allocations."""
    path = corpus_files()[0]
    exp = json.load(open(path + ".oracle.json"))
    folded = os.path.join(WORK, "blocks.folded")
    r = run([os.path.join(BIN, "pconv"), "--metric", "allocations", path, "-o", folded])
    if r.returncode:
        fail(f"pconv --metric allocations: {r.stderr.strip()}")
    else:
        with open(folded) as f:
            eq("folded blocks", sum(int(x.rsplit(" ", 1)[1]) for x in f), exp["total_count"])
    top = max(exp["statistics_lineno_top20"], key=lambda s: (s["count"], s["size"]))
    r = run([os.path.join(BIN, "ptop"), "--metric", "allocations", "-s", "tottime", "-n", "1", path])
    row = [x for x in r.stdout.splitlines() if top["frames_oldest_first"][0].split(":")[0] in x]
    if not row or int(row[0].split()[0]) != top["count"]:
        fail(f"ptop --metric allocations: {row}, want {top}")
    r = run([os.path.join(BIN, "plines"), "--metric", "allocations", "-n", "1", path])
    if r.returncode or "Total Allocations: " not in r.stdout:
        fail(f"plines --metric allocations: {r.returncode} {r.stdout[:200]}")
    print("ok   --metric allocations" if not failures else "...  --metric")


# ---- hostile pickles ----

class Snapshot:
    pass


class _Traces:
    pass


Snapshot.__module__ = _Traces.__module__ = "tracemalloc"
Snapshot.__qualname__ = "Snapshot"
_Traces.__qualname__ = "_Traces"


class Evil:
    def __reduce__(self):
        return (os.system, ("touch " + os.path.join(WORK, "pwned"),))


def snapshot_bytes(traces, limit=1, protocol=5):
    """A snapshot pickled as tracemalloc does, from fake classes of its name."""
    saved = sys.modules["tracemalloc"]
    mod = type(sys)("tracemalloc")
    mod.Snapshot, mod._Traces = Snapshot, _Traces
    sys.modules["tracemalloc"] = mod
    try:
        t = _Traces()
        t._traces = traces
        s = Snapshot()
        s.traces = t
        s.traceback_limit = limit
        return pickle.dumps(s, protocol)
    finally:
        sys.modules["tracemalloc"] = saved


def hostile_inputs():
    good = [(0, 100, (("a.py", 3), ("b.py", 1)), 2)]
    yield "os.system via REDUCE", snapshot_bytes([(0, 1, (("a.py", 1),), 1), Evil()])
    yield "os.system as the class", pickle.dumps(Evil(), 5)
    yield "deep nesting of marks", snapshot_bytes(good)[:-3] + b"(" * 100000
    yield "deep nesting of tuples", b"\x80\x05)" + b"\x85" * 100000 + b"."
    yield "deep nesting of lists", b"\x80\x05" + b"]" * 100000 + b"a" * 99999 + b"."
    yield "huge length", b"\x80\x05\x8d" + (2 ** 62).to_bytes(8, "little") + b"x" * 16
    yield "huge frame", b"\x80\x05\x95" + (2 ** 63).to_bytes(8, "little") + b"."
    yield "huge memo index", snapshot_bytes(good)[:-1] + b"j\xff\xff\xff\x7f."
    yield "truncated", snapshot_bytes(good)[:-7]
    yield "not a snapshot", pickle.dumps({"traces": []}, 5)
    yield "size not a number", snapshot_bytes([(0, "big", (("a.py", 1),), 1)])
    yield "negative size", snapshot_bytes([(0, -5, (("a.py", 1),), 1)])
    yield "frame not a pair", snapshot_bytes([(0, 5, (("a.py",),), 1)])
    yield "line out of range", snapshot_bytes([(0, 5, (("a.py", 2 ** 40),), 1)])
    yield "bytes overflow", snapshot_bytes([(0, 2 ** 62, (("a.py", 1),), 1)] * 3)
    yield "other class", snapshot_bytes([])[:40].replace(b"Snapshot", b"Snapshox") + \
        snapshot_bytes([])[40:]


def check_hostile():
    pconv = os.path.join(BIN, "pconv")
    for label, data in hostile_inputs():
        path = os.path.join(WORK, "hostile.tracemalloc")
        with open(path, "wb") as f:
            f.write(data)
        out = os.path.join(WORK, "hostile.json")
        if os.path.exists(out):
            os.remove(out)
        r = run([pconv, "-f", "tracemalloc", path, "-o", out], timeout=20)
        lines = r.stderr.strip().splitlines()
        ok = r.returncode == 2 and len(lines) == 1 and lines[0].startswith("pconv: " + path) \
            and not os.path.exists(out)
        print(("ok   " if ok else "FAIL ") + f"{label}: {r.stderr.strip()}")
        if not ok:
            fail(f"{label}: exit {r.returncode}, stderr {r.stderr!r}")
    if os.path.exists(os.path.join(WORK, "pwned")):
        fail("the REDUCE ran")
    # what the hostile set starts from is read
    path = os.path.join(WORK, "good.tracemalloc")
    with open(path, "wb") as f:
        f.write(snapshot_bytes([(0, 100, (("a.py", 3), ("b.py", 1)), 2), (7, 5, (), 0)]))
    d = model_of(path)
    if d:
        m = Model(d)
        eq("good: stacks", m.stacks(), {("b.py:1", "a.py:3"): (100, 1)})
        eq("good: totals (the empty traceback at the root)", d["totals"], [105, 2])


os.makedirs(WORK, exist_ok=True)
{"oracle": check_oracle, "pdiff": check_pdiff, "metric": check_metric,
 "hostile": check_hostile}[CHECK]()
sys.exit(1 if failures else 0)
