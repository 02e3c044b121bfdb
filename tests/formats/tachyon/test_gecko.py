#!/usr/bin/env python3
"""The gecko (Firefox Profiler) writer.

usage: test_gecko.py MODE PCONV SHARED_DIR WORK_DIR
  roundtrip  profiles of every kind (Tachyon binary and gecko with and without
             --threads, austin, collapsed, pstats through the estimated tree)
             written as gecko and read back: the same tree (every stack's
             functions, files and lines, and its weight exactly; time too when
             the weight is samples and time is samples x interval), the same
             threads; written again from what was read: the same sample times
  structure  every table and field of the corpus gecko files is in ours, with
             the same JSON type, every column as long as its table, every index
             inside its table; the pages a estimated profile says so
  hostile    damaged gecko JSON: exit 2 and one line naming the file
"""
import collections
import glob
import json
import os
import re
import subprocess
import sys


def pconv(exe, *args):
    r = subprocess.run([exe, *args], capture_output=True, text=True, errors="replace", timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"pconv {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def model(exe, path, work, extra):
    """The model, one tree node per executing line."""
    out = os.path.join(work, "model.json")
    pconv(exe, *extra, path, "-t", "json", "-o", out)
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def stacks(m, metrics):
    """Every node with a value of its own: its path of (name, file, line, node line)."""
    funcs = {f["id"]: f for f in m["functions"]}
    nodes = {n["id"]: n for n in m.get("tree", [])}
    idx = [[x["name"] for x in m["metrics"]].index(name) for name in metrics]
    out = collections.Counter()
    for n in m.get("tree", []):
        vals = tuple(n["self"][i] for i in idx)
        if not any(vals):
            continue
        path, cur = [], n
        while cur:
            f = funcs[cur["func"]]
            path.append((f["name"], f["file"], f["line"], cur["line"]))
            cur = nodes.get(cur["parent"])
        key = tuple(reversed(path))
        out[key] = tuple(a + b for a, b in zip(out.get(key, (0,) * len(idx)), vals))
    root = m["totals"]
    rest = tuple(root[i] - sum(v[k] for v in out.values()) for k, i in enumerate(idx))
    if any(rest):
        out[()] = rest  # samples on the tree's root (no frames)
    return out


def sample_times(gecko_path):
    with open(gecko_path, encoding="utf-8") as f:
        g = json.load(f)
    return {(th["tid"], th["name"]): th["samples"]["time"] for th in g["threads"]}


def cases(shared):
    c = os.path.join(shared, "corpus")
    t = os.path.join(c, "py314-315", "workload.py315.tachyon-run")
    yield t + ".none.bin", [], ["samples", "time"]
    yield t + ".zstd.bin", ["--threads"], ["samples", "time"]
    yield t + ".gecko.json", [], ["samples", "time"]
    yield t + ".gecko.json", ["--threads"], ["samples", "time"]
    yield t + ".collapsed.txt", ["--threads"], ["samples"]
    for pattern, metric in (("austin/*.austin", "samples"), ("pstats/*.cProfile.pstats", "time"),
                            ("collapsed/*.folded", None)):
        for path in sorted(glob.glob(os.path.join(c, pattern)))[:2]:
            yield path, [], [metric] if metric else None


def mode_roundtrip(exe, shared, work):
    failed = 0
    out = os.path.join(work, "rt.gecko.json")
    again = os.path.join(work, "rt-again.gecko.json")
    n = 0
    for path, extra, metrics in cases(shared):
        n += 1
        name = f"{os.path.basename(path)} {' '.join(extra)}".strip()
        errors = []
        try:
            src = model(exe, path, work, extra)
            metrics = metrics or [src["metrics"][0]["name"]]
            pconv(exe, *extra, path, "-o", out)
            back = model(exe, out, work, extra)
            if not src.get("tree"):  # a call graph: the tree is estimated, compare folded
                folded = lambda p: sorted(pconv(exe, *extra, p, "-t", "collapsed", "-o", "-")
                                          .stdout.splitlines())
                src = {"tree": [1], "functions": [], "metrics": []}
                a, b = folded(path), folded(out)
            else:
                a, b = stacks(src, metrics), stacks(back, metrics)
            if not a:
                errors.append("the source has no stacks")
            if isinstance(a, list):
                if a != b:
                    errors.append(f"folded stacks differ: {sorted(set(a) ^ set(b))[:2]}")
            elif a != b:
                diff = sorted(set(a.items()) ^ set(b.items()), key=str)
                errors.append(f"{len(diff)} stacks differ, e.g. {diff[:2]}")
            roots = lambda m: sorted(f["name"] for f in m["functions"] if f["kind"] == "thread")
            if src["functions"] and roots(src) != roots(back):
                errors.append(f"thread roots {roots(back)}, expected {roots(src)}")
            pconv(exe, *extra, out, "-t", "gecko", "-o", again)
            if sample_times(out) != sample_times(again):
                errors.append("sample times change when the file is read and written again")
        except AssertionError as e:
            errors.append(str(e))
        if errors:
            failed += 1
            print(f"FAIL {name}: {errors[:3]}")
        else:
            print(f"ok   {name}")
    print(f"gecko round trips exact: {n - failed} of {n}")
    return 1 if failed else 0


def jtype(v):
    return "number" if isinstance(v, (int, float)) and not isinstance(v, bool) else type(v).__name__


def check_shape(ours, theirs, where, errors):
    """Every key of theirs is in ours with a value of the same type (null in
    either is fine: columns of nulls and numbers alike)."""
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            errors.append(f"{where}: {jtype(ours)}, expected an object")
            return
        for k, v in theirs.items():
            if k not in ours:
                errors.append(f"{where}.{k}: missing")
            else:
                check_shape(ours[k], v, f"{where}.{k}", errors)
    elif isinstance(theirs, list):
        if not isinstance(ours, list):
            errors.append(f"{where}: {jtype(ours)}, expected an array")
        elif theirs and ours:
            t = [x for x in theirs if x is not None]
            o = [x for x in ours if x is not None]
            if t and o:
                check_shape(o[0], t[0], where + "[]", errors)
    elif theirs is not None and ours is not None and jtype(ours) != jtype(theirs):
        errors.append(f"{where}: {jtype(ours)}, expected {jtype(theirs)}")


TABLE_REFS = {  # column -> table it indexes
    ("samples", "stack"): "stackTable", ("stackTable", "frame"): "frameTable",
    ("stackTable", "prefix"): "stackTable", ("frameTable", "func"): "funcTable",
    ("funcTable", "resource"): "resourceTable",
}


def check_tables(g, errors):
    strings = g["shared"]["stringArray"]
    for k, th in enumerate(g["threads"]):
        for tname, table in th.items():
            if not isinstance(table, dict) or "length" not in table:
                continue
            for col, v in table.items():
                if isinstance(v, list) and len(v) != table["length"]:
                    errors.append(f"threads[{k}].{tname}.{col}: {len(v)} entries, length "
                                  f"{table['length']}")
        for (tname, col), target in TABLE_REFS.items():
            n = th[target]["length"]
            for i, v in enumerate(th[tname][col]):
                if v is not None and not (0 <= v < n or (col == "resource" and v == -1)):
                    errors.append(f"threads[{k}].{tname}.{col}[{i}] = {v} outside {target}")
                    break
        for i, s in enumerate(th["stackTable"]["prefix"]):
            if s is not None and s >= i:
                errors.append(f"threads[{k}].stackTable.prefix[{i}] = {s}: not an earlier entry")
                break
        for tname, col in (("funcTable", "name"), ("funcTable", "fileName"),
                           ("resourceTable", "name")):
            for v in th[tname][col]:
                if v is not None and not 0 <= v < len(strings):
                    errors.append(f"threads[{k}].{tname}.{col}: string {v} outside the array")
                    break
        times = th["samples"]["time"]
        if any(b < a for a, b in zip(times, times[1:])):
            errors.append(f"threads[{k}].samples.time goes back")


def mode_structure(exe, shared, work):
    errors = []
    refs = sorted(glob.glob(os.path.join(shared, "corpus", "*", "*.gecko.json")))
    if not refs:
        raise SystemExit("no corpus gecko files")
    out = os.path.join(work, "structure.gecko.json")
    sources = [os.path.join(shared, "corpus", "py314-315", "workload.py315.tachyon-run.none.bin")]
    sources += sorted(glob.glob(os.path.join(shared, "corpus", "pstats", "*.cProfile.pstats")))[:1]
    for src in sources:
        pconv(exe, src, "-o", out)
        with open(out, encoding="utf-8") as f:
            ours = json.load(f)
        for ref in refs:
            with open(ref, encoding="utf-8") as f:
                theirs = json.load(f)
            check_shape(ours, theirs, os.path.basename(src), errors)
        check_tables(ours, errors)
        est = "estimated" in ours["meta"]["misc"]
        if est != src.endswith(".pstats"):
            errors.append(f"{os.path.basename(src)}: meta.misc {ours['meta']['misc']!r}")
    for e in errors[:20]:
        print("FAIL", e)
    print(f"gecko structure against {len(refs)} corpus files: {len(errors)} problems")
    return 1 if errors else 0


ERROR_LINE = re.compile(r"^pconv: (.+): offset (\d+): \S.*$")


def mode_hostile(exe, shared, work):
    base = os.path.join(shared, "corpus", "py314-315", "workload.py315.tachyon-run.gecko.json")
    with open(base, encoding="utf-8") as f:
        g = json.load(f)
    th = g["threads"][0]
    bad = []

    def variant(what, change):
        d = json.loads(json.dumps(g))
        change(d, d["threads"][0])
        bad.append((what, json.dumps(d)))

    variant("stack index past the table", lambda d, t: t["samples"]["stack"].__setitem__(0, 10 ** 6))
    variant("prefix loop", lambda d, t: t["stackTable"]["prefix"].__setitem__(0, 0))
    variant("frame past the table", lambda d, t: t["stackTable"]["frame"].__setitem__(1, -3))
    variant("func past the table", lambda d, t: t["frameTable"]["func"].__setitem__(0, 999))
    variant("name past the strings", lambda d, t: t["funcTable"]["name"].__setitem__(0, 10 ** 9))
    variant("short column", lambda d, t: t["samples"]["time"].pop())
    variant("time not a number", lambda d, t: t["samples"]["time"].__setitem__(0, "x"))
    variant("no threads", lambda d, t: d.pop("threads"))
    variant("raw gecko tables", lambda d, t: t.__setitem__("samples", {"schema": {}, "data": []}))
    variant("stack table not a table", lambda d, t: t.__setitem__("stackTable", [1]))
    bad.append(("cut JSON", json.dumps(g)[:5000]))
    path = os.path.join(work, "hostile.gecko.json")
    out = os.path.join(work, "hostile.json")
    problems = []
    for what, text in bad:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        if os.path.exists(out):
            os.remove(out)
        r = subprocess.run([exe, path, "-t", "json", "-o", out], capture_output=True, text=True)
        lines = r.stderr.splitlines()
        if r.returncode != 2 or len(lines) != 1 or not ERROR_LINE.match(lines[0]) \
                or os.path.exists(out):
            problems.append(f"{what}: exit {r.returncode}: {r.stderr[-300:]!r}")
    for p in problems:
        print("FAIL", p)
    print(f"hostile gecko files: {len(problems)} problems of {len(bad)}")
    return 1 if problems else 0


def main(argv):
    mode, exe, shared, work = argv[1:5]
    os.makedirs(work, exist_ok=True)
    return {"roundtrip": mode_roundtrip, "structure": mode_structure,
            "hostile": mode_hostile}[mode](exe, shared, work)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
