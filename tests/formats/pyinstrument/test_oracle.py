#!/usr/bin/env python3
"""Check every pyinstrument output in the corpus against its FILE.oracle.json:
sessions (.pyisession), the JSON renderer's trees (.json), the pstats
renderer's files (call counts of -1).

The model is read from `pconv FILE -o out.json` (docs/model-json.md), with
thread frames kept (--threads) and without. Times in the oracles are seconds;
the model's are nanoseconds, each record's rounded: a sum may be off by half
a nanosecond per record in it.
Usage: test_oracle.py PCONV DIR
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "helpers"))
import oracle_walk  # noqa: E402


def dump(pconv, path, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        r = subprocess.run([pconv, path, "-o", out, *extra], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"pconv {path} {' '.join(extra)}: {r.stderr.strip()}")
        with open(out) as f:
            return json.load(f)


class Check:
    def __init__(self):
        self.errors = []

    def eq(self, what, got, want):
        if got != want:
            self.errors.append(f"{what}: got {got!r}, want {want!r}")

    def near(self, what, got_ns, want_s, terms=1):
        if abs(got_ns - want_s * 1e9) > 0.5 * terms + 1 + abs(want_s) * 1e-6:
            self.errors.append(f"{what}: got {got_ns} ns, want {want_s} s")


def tree_paths(d, t):
    """Inclusive time per node, aggregated by the path of function names from
    the root (nodes that differ only by the line running are one frame in
    pyinstrument), keyed (names..., file, line of the last)."""
    funcs = d["functions"]
    nodes = {n["id"]: n for n in d.get("tree", [])}
    incl = {}
    for nid in sorted(nodes, reverse=True):  # children come after their parents
        incl[nid] = incl.get(nid, 0) + nodes[nid]["self"][t]
        p = nodes[nid]["parent"]
        if p:
            incl[p] = incl.get(p, 0) + incl[nid]
    path = {0: ()}
    out = {}
    for nid in sorted(nodes):
        f = funcs[nodes[nid]["func"]]
        path[nid] = path[nodes[nid]["parent"]] + (f["name"],)
        key = path[nid] + (f["file"], f["line"])
        out[key] = out.get(key, 0) + incl[nid]
        # pyinstrument's [self] node under a frame is the frame's own time
        key = path[nid] + ("[self]", "", 0)
        out[key] = out.get(key, 0) + nodes[nid]["self"][t]
    return out, max((len(p) for p in path.values()), default=0)


def ident(fr):
    return f"{fr[0]}\0{fr[1]}\0{fr[2]}"


def check_session(pconv, path, exp):
    c = Check()
    d = dump(pconv, path)
    dt = dump(pconv, path, "--threads")
    meta = d["meta"]
    t = d["metrics"].index({"name": "time", "unit": "ns"})
    s = d["metrics"].index({"name": "samples", "unit": "samples"})
    c.eq("kind", meta.get("pyinstrument.kind"), "session")
    c.eq("start_time", float(meta["pyinstrument.start_time"]), exp["start_time"])
    c.eq("duration", float(meta["duration_s"]), exp["duration"])
    c.eq("sample_count", int(meta["pyinstrument.sample_count"]), exp["sample_count"])
    c.eq("cpu_time", float(meta["pyinstrument.cpu_time_s"]), exp["cpu_time"] or 0.0)
    c.eq("min_interval", float(meta["pyinstrument.min_interval"]), exp["min_interval"])
    c.eq("target", meta.get("pyinstrument.target"), exp["target_description"])
    n = exp["n_frame_records"]
    c.eq("records", d["totals"][s], n)
    c.near("sum of record times", d["totals"][t], exp["sum_record_time"], n)

    # with --threads: a thread root per pseudo-frame, every identifier a function
    threads = exp["first_frame_of_records (thread pseudo-frames)"]
    roots = {f["name"]: f for f in dt["functions"] if f["kind"] == "thread"}
    for fi, count in threads.items():
        name, _, tid = fi.split("\0")
        f = roots.get(f"{name} {tid}")
        if f is None:
            c.errors.append(f"no thread frame {name} {tid}")
        else:
            c.eq(f"samples of thread {name}", f["incl"][s], count)
    c.eq("functions with threads", len(dt["functions"]), exp["n_distinct_identifiers"])
    c.eq("functions without threads", len(d["functions"]),
         exp["n_distinct_identifiers"] - len(threads))
    _, depth = tree_paths(dt, t)
    c.eq("deepest stack", depth, exp["max_stack_depth"])

    key = "flat_top20_by_total (identifier split on NUL: function, file, first line)"
    by_id = {}
    for f in dt["functions"]:
        if f["kind"] == "thread":
            name, tid = f["name"].rsplit(" ", 1)
            by_id[ident((name, "<thread>", tid))] = f
        else:
            by_id[ident((f["name"], f["file"], f["line"]))] = f
    for row in exp[key] + exp["flat_top20_by_self"]:
        f = by_id.get(ident(row["identifier"]))
        if f is None:
            c.errors.append(f"no function {row['identifier']}")
            continue
        c.near(f"total of {row['identifier'][0]}", f["incl"][t], row["total"], n)
        c.near(f"self of {row['identifier'][0]}", f["self"][t], row["self"], n)

    # pyinstrument's tree hangs below the stem it trims (start_call_stack but
    # its thread and its last frame)
    stem = tuple(fi.split("\0")[0] for fi in exp["start_call_stack"][1:-1])
    paths, _ = tree_paths(d, t)
    for row in exp["tree_top20_nodes_by_time"]:
        k = stem + tuple(row["path_functions"]) + (row["file"], row["line"])
        if row["function"] == "[self]":
            k = k[:-2] + ("", 0)
        if k not in paths:
            c.errors.append(f"no tree node {' > '.join(k[:-2])}")
        else:
            c.near(f"tree node {' > '.join(row['path_functions'])}", paths[k], row["time"], n)
    return c.errors


def check_json(pconv, path, exp):
    c = Check()
    d = dump(pconv, path)
    meta = d["meta"]
    t = d["metrics"].index({"name": "time", "unit": "ns"})
    c.eq("kind", meta.get("pyinstrument.kind"), "json")
    c.eq("start_time", float(meta["pyinstrument.start_time"]), exp["start_time"])
    c.eq("duration", float(meta["duration_s"]), exp["duration"])
    c.eq("sample_count", int(meta["pyinstrument.sample_count"]), exp["sample_count"])
    c.eq("cpu_time", float(meta["pyinstrument.cpu_time_s"]), exp["cpu_time"])
    # [self] frames are their parent's own time, not nodes
    c.eq("nodes", len(d.get("tree", [])), exp["n_nodes"] - exp["n_self_nodes"])
    # The renderer printed each time rounded to the microsecond, so children
    # may add up to a microsecond more than their parent apiece: such a frame
    # gets no self time and its parents grow by the excess.
    clamped = int(meta.get("pyinstrument.children_over_parent", 0))
    c.eq("children over parent", clamped <= exp["n_nodes"] // 4, True)

    def close(what, got, want_s):
        if got is None or abs(got - round(want_s * 1e9)) > 1000 * clamped:
            c.errors.append(f"{what}: got {got} ns, want {want_s} s (+- {clamped} us)")

    close("total", d["totals"][t], exp["root"]["time"])
    paths, _ = tree_paths(d, t)
    for row in exp["top20_nodes_by_time"]:
        k = tuple(row["path_functions"]) + (row["file_path"], row["line_no"])
        what = f"node {' > '.join(row['path_functions'])}"
        if row["function"] != "[self]":
            close(what, paths.get(k), row["time"])
        # a frame's own time holds its [self] node and the children
        # pyinstrument dropped as irrelevant (below 1 %)
        elif paths.get(k, -1) < round(row["time"] * 1e9) - 1000 * clamped:
            c.errors.append(f"{what}: got {paths.get(k)} ns, want at least {row['time']} s")
    c.eq("await nodes", sum(1 for n in d.get("tree", [])
                            if d["functions"][n["func"]]["name"] == "[await]"), exp["n_await_nodes"])
    return c.errors


def check_pstats(pconv, path, exp):
    c = Check()
    d = dump(pconv, path)
    c.eq("producer", d["meta"].get("pstats.producer"), "pyinstrument")
    c.eq("has_calls", d["has_calls"], False)
    c.eq("functions", len(d["functions"]), exp["n_functions"])
    c.near("total", d["totals"][0], exp["total_tt"], exp["n_functions"])
    funcs = {(f["file"], f["line"], f["name"]): f for f in d["functions"]}
    for row in exp["top20_by_cumtime"] + exp["top20_by_tottime"]:
        f = funcs.get(tuple(row["func"]))
        if f is None:
            c.errors.append(f"no function {row['func']}")
            continue
        c.eq(f"calls of {row['func'][2]}", (f["calls"], f["pcalls"]), (0, 0))
        c.near(f"tt of {row['func'][2]}", f["self"][0], row["tt"])
        c.near(f"ct of {row['func'][2]}", f["incl"][0], row["ct"])
    for e in d["edges"]:
        c.eq("edge calls", (e["calls"], e["pcalls"]), (0, 0))
    return c.errors


def main():
    pconv, folder = sys.argv[1], sys.argv[2]

    def check(name):
        with open(os.path.join(folder, name + ".oracle.json")) as f:
            exp = json.load(f)
        path = os.path.join(folder, name)
        if name.endswith(".pyisession"):
            return check_session(pconv, path, exp)
        if name.endswith(".json"):
            return check_json(pconv, path, exp)
        if name.endswith(".pstats"):
            return check_pstats(pconv, path, exp)
        return [f"no check for {name}"]

    # pyinstrument's speedscope output goes through the speedscope reader
    files = [f for f in oracle_walk.files_with(folder, ".oracle.json")
             if not f.endswith(".speedscope.json")]
    return oracle_walk.check_each(files, check)


if __name__ == "__main__":
    sys.exit(main())
