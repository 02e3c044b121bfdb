#!/usr/bin/env python3
"""Check every `perf script` text in the corpus: the folded stacks written
from the model (with --threads, the command as root frame) equal
stackcollapse-perf.pl's FILE.folded, and the model's totals, depths and
Python frames equal FILE.oracle.json. Usage: test_oracle.py PCONV DIR"""
import collections
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
import oracle_walk  # noqa: E402


def run(pconv, path, out_name, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, out_name)
        r = subprocess.run([pconv, path, "-o", out, *extra], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"pconv {path}: {r.stderr.strip()}")
        with open(out, encoding="utf-8", errors="surrogateescape") as f:
            return f.read()


def folded_lines(text):
    return collections.Counter(line for line in text.split("\n") if line)


def check(pconv, path, exp, folded):
    errors = []

    def eq(what, got, want):
        if got != want:
            errors.append(f"{what}: got {got!r}, want {want!r}")

    ours = folded_lines(run(pconv, path, "out.folded", "--threads"))
    want = folded_lines(folded)
    if ours != want:
        extra, missing = ours - want, want - ours
        errors.append(f"folded: {len(extra)} lines not in the oracle, {len(missing)} missing; "
                      f"first extra {next(iter(extra), None)!r}, first missing "
                      f"{next(iter(missing), None)!r}")

    d = json.loads(run(pconv, path, "out.json"))
    dt = json.loads(run(pconv, path, "out.json", "--threads"))
    m = {x["name"]: i for i, x in enumerate(d["metrics"])}
    s = m["samples"]
    eq("samples", d["totals"][s], exp["total_samples"])
    events = list(exp["events"])
    eq("events", [d["meta"].get(f"perf.event.{i}") for i in range(len(events))], events)
    eq("period sum", sum(d["totals"][i] for n, i in m.items() if n != "samples"),
       exp["period_sum"])
    eq("unparsed lines", int(d["meta"].get("perf.unparsed_lines", 0)), exp["unparsed_lines"])
    span = exp["time_last"] - exp["time_first"]
    if abs(float(d["meta"]["duration_s"]) - span) > 1e-6:
        errors.append(f"duration_s {d['meta']['duration_s']}, want {span}")

    comms = {f["name"]: f["incl"][s] for f in dt["functions"] if f["kind"] == "thread"}
    eq("samples per command", comms,
       {c.replace(" ", "_"): n for c, n in exp["samples_per_comm"].items()})

    funcs = d["functions"]
    nodes = {n["id"]: n for n in d.get("tree", [])}
    leaves = collections.Counter()
    innermost_py = collections.Counter()
    with_py = 0
    deepest = 0
    for nid, n in nodes.items():
        k = n["self"][s]
        if not k:
            continue
        f = funcs[n["func"]]
        name = f["name"]
        if f["kind"] != "kernel" and name.startswith("[") and name.endswith("]"):
            name = "[unknown]"  # perf's symbol; stackcollapse names it after its dso
        leaves[name] += k
        path = []
        while nid:
            path.append(funcs[nodes[nid]["func"]])
            nid = nodes[nid]["parent"]
        deepest = max(deepest, len(path))
        py = [x for x in path if x["kind"] == "python"]
        if py:
            with_py += k
            innermost_py[py[0]["name"]] += k
    no_frames = d["totals"][s] - sum(n["self"][s] for n in nodes.values())
    if no_frames:
        leaves["<no frames>"] += no_frames
    eq("max stack depth", deepest, exp["max_stack_depth"])
    eq("samples with a py:: frame", with_py, exp["samples_with_a_py_frame"])
    for name, n in exp["top20_leaf_symbols"]:
        eq(f"leaf {name}", leaves.get(name, 0), n)
    for name, n in exp["top20_innermost_py_functions"]:
        eq(f"innermost {name}", innermost_py.get(name, 0), n)
    incl = {f["name"]: f["incl"][s] for f in funcs if f["kind"] == "python"}
    for name, n in exp["top20_py_functions_inclusive"]:
        eq(f"inclusive {name}", incl.get(name, 0), n)
    kernel = [f for f in funcs if f["kind"] == "kernel"]
    if any(f["file"] != "[kernel.kallsyms]" for f in kernel):
        errors.append("kernel frames without their dso")
    return errors


def main():
    pconv, folder = sys.argv[1], sys.argv[2]

    def check_file(f):
        path = os.path.join(folder, f)
        with open(path + ".oracle.json") as fh:
            exp = json.load(fh)
        with open(path + ".folded", encoding="utf-8", errors="surrogateescape") as fh:
            folded = fh.read()
        return check(pconv, path, exp, folded)

    return oracle_walk.check_each(oracle_walk.files_with(folder, ".folded", ".perf.txt"), check_file)


if __name__ == "__main__":
    sys.exit(main())
