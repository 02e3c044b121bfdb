#!/usr/bin/env python3
"""Check every austin capture in the corpus against its FILE.expected.json.

The model is read from `pconv FILE -o out.json` (docs/model-json.md), once with
thread frames merged and once with --threads. Usage: test_austin_oracle.py PCONV DIR
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
import oracle_walk  # noqa: E402

PROVENANCE = {"file", "producer", "python", "command", "demo", "size_bytes", "conventions",
              "crosscheck_austin_python", "text_twin", "text_twin_note"}


def dump(pconv, path, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        r = subprocess.run([pconv, path, "-o", out, *extra], capture_output=True, text=True)
        if r.returncode != 0:
            return None, r
        with open(out) as f:
            return json.load(f), r


def fkey(fn):
    return f"{fn['file']}:{fn['name']}"


class Model:
    def __init__(self, d):
        self.d = d
        self.m = {m["name"]: i for i, m in enumerate(d["metrics"])}
        self.funcs = d["functions"]
        self.nodes = {n["id"]: n for n in d.get("tree", [])}
        self.meta = d["meta"]

    def metric(self, vals, name, scale):
        """Oracle metric `name` (time µs, memory signed) from model values."""
        if name == "time":
            v = vals[self.m["time"]]
            assert v % 1000 == 0
            return v // 1000
        net = vals[self.m["alloc"]] - vals[self.m["dealloc"]]
        return net // scale if net % scale == 0 else net / scale

    def path(self, node, skip_threads=True):
        keys = []
        while node != 0:
            n = self.nodes[node]
            f = self.funcs[n["func"]]
            if not (skip_threads and f["kind"] in ("process", "thread")):
                keys.append(fkey(f))
            node = n["parent"]
        return tuple(reversed(keys))

    def stack_ends(self):
        s = self.m["samples"]
        return [i for i, n in self.nodes.items() if n["self"][s] > 0]


def top(model, which, name, scale):
    """Functions that were a leaf (self) or on a stack (incl) of some sample."""
    si = model.m["samples"]
    rows = [(model.metric(f[which], name, scale), fkey(f)) for f in model.funcs
            if f["kind"] not in ("process", "thread") and f[which][si] > 0]
    rows.sort(key=lambda r: (-r[0], r[1]))
    return [[k, v] for v, k in rows]


def check(pconv, path, exp):
    errors = []

    def eq(what, got, want):
        if got != want:
            errors.append(f"{what}: got {got!r}, want {want!r}")

    d, r = dump(pconv, path)
    if "totals" not in exp:  # not a profile: must be refused cleanly
        eq("exit status", r.returncode if d is None else 0, 2)
        if d is None:
            lines = r.stderr.strip().split("\n")
            eq("stderr lines", len(lines), 1)
            if not lines[0].startswith(f"pconv: {path}: offset "):
                errors.append(f"stderr: {lines[0]!r}")
        return errors
    if d is None:
        return [f"pconv failed: {r.stderr.strip()}"]
    dt, r = dump(pconv, path, "--threads")
    if dt is None:
        return [f"pconv --threads failed: {r.stderr.strip()}"]
    m, mt = Model(d), Model(dt)
    scale = 1024 if exp["format"].startswith("austin-1.0") else 1
    si = m.m["samples"]

    eq("format", m.meta.get("austin.format"), exp["format"].split()[0])
    eq("mode", m.meta.get("austin.mode"), exp["mode"])
    for k, v in exp["metadata"].items():
        got = m.meta.get("austin.version" if k == "austin" else "austin." + k)
        if k == "map" and got:
            got = got.split("\n")[-1]
        eq(f"metadata {k}", got, v)
    for k, v in exp.get("metadata_repeated_keys", {}).items():
        eq(f"repeated metadata {k}", len(m.meta.get("austin." + k, "").split("\n")), v)

    totals = d["totals"]
    tot = exp["totals"]
    if "time" in tot:
        eq("total time", totals[m.m["time"]], tot["time"] * 1000)
    if "memory" in tot:
        eq("total memory", (totals[m.m["alloc"]] - totals[m.m["dealloc"]]) / scale, tot["memory"])
        eq("memory alloc", totals[m.m["alloc"]] / scale, tot["memory_alloc"])
        eq("memory dealloc", -totals[m.m["dealloc"]] / scale, tot.get("memory_dealloc", 0))
    gc = [f for f in m.funcs if f["kind"] == "gc"]
    if "gc_samples" in tot:
        eq("gc samples", sum(f["incl"][si] for f in gc), tot["gc_samples"])
        eq("gc time", sum(m.metric(f["incl"], "time", 1) for f in gc), tot["gc_time"])
    if "idle_samples" in tot:
        eq("idle samples", int(m.meta.get("austin.idle_samples", -1)), tot["idle_samples"])
        eq("idle time", int(m.meta.get("austin.idle_time", -1)), tot["idle_time"])

    eq("samples", totals[si], exp["samples"])
    empty = totals[si] - sum(n["self"][si] for n in m.nodes.values())
    eq("samples with empty stack", empty, exp["samples_with_empty_stack"])
    stacks = {m.path(i) for i in m.stack_ends()}
    if empty:
        stacks.add(())
    eq("distinct stacks", len(stacks), exp["distinct_stacks"])
    eq("max stack depth", max((len(s) for s in stacks), default=0), exp["max_stack_depth"])
    per_thread = {mt.path(i, False) for i in mt.stack_ends()}
    eq("distinct stacks per thread", len(per_thread), exp["distinct_stacks_per_thread"])
    kinds = [f["kind"] for f in mt.funcs]
    eq("processes", max(1, kinds.count("process")), exp["processes"])
    threads = {mt.path(n["id"], False) for n in mt.nodes.values()
               if mt.funcs[n["func"]]["kind"] == "thread"}
    eq("threads", len(threads), exp["threads"])
    eq("distinct functions", sum(k not in ("process", "thread") for k in kinds),
       exp["distinct_functions"])

    for which, key in (("self", "top_self"), ("incl", "top_inclusive")):
        for name, want in exp[key].items():
            eq(f"{key} {name}", top(m, which, name, scale)[:len(want)], want)

    for k, mk in (("line_count", "austin.lines.total"), ("blank_lines", "austin.lines.blank"),
                  ("metadata_lines", "austin.lines.metadata"),
                  ("sample_lines", "austin.lines.samples")):
        if k in exp:
            eq(k, int(m.meta.get(mk, -1)), exp[k])
    if "mojo_version" in exp:
        eq("mojo version", m.meta.get("austin.mojo_version"), str(exp["mojo_version"]))
        eq("string keys", int(m.meta.get("mojo.string_keys", -1)), exp["distinct_string_keys"])
        eq("frame keys", int(m.meta.get("mojo.frame_keys", -1)), exp["distinct_frame_keys"])
        for ev, n in exp["event_counts"].items():
            eq(f"events {ev}", int(m.meta.get("mojo.events." + ev, 0)), n)
    return errors


def main():
    pconv, folder = sys.argv[1], sys.argv[2]

    def check_file(f):
        with open(os.path.join(folder, f + ".expected.json")) as fh:
            return check(pconv, os.path.join(folder, f), json.load(fh))

    return oracle_walk.check_each(oracle_walk.files_with(folder, ".expected.json"), check_file)


if __name__ == "__main__":
    sys.exit(main())
