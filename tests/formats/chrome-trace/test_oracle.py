#!/usr/bin/env python3
"""Check every viztracer trace in the corpus against its FILE.oracle.json.

The model is read from `pconv FILE -o out.json` (docs/model-json.md), with
process and thread frames kept (--threads) and without. Times in the oracle
are microseconds (floats); the model's are integer nanoseconds.
Usage: test_oracle.py PCONV DIR
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
import oracle_walk  # noqa: E402


def dump(pconv, path, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        r = subprocess.run([pconv, path, "-o", out, *extra], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"pconv {path} {' '.join(extra)}: {r.stderr.strip()}")
        with open(out) as f:
            return json.load(f)


def event_name(f):
    """The event name viztracer wrote for a function of the model."""
    return f"{f['name']} ({f['file']}:{f['line']})" if f["file"] else f["name"]


def close(got_ns, want_us, events):
    """Equal within the rounding of `events` times to whole nanoseconds."""
    return abs(got_ns - want_us * 1000) <= 1 + events + abs(want_us) * 1e-9


def check(pconv, path, exp):
    errors = []

    def eq(what, got, want):
        if got != want:
            errors.append(f"{what}: got {got!r}, want {want!r}")

    d = dump(pconv, path)
    dt = dump(pconv, path, "--threads")
    meta, tmeta = d["meta"], dt["meta"]
    t = d["metrics"].index({"name": "time", "unit": "ns"})

    eq("events", int(meta.get("trace.events", -1)), exp["n_events"])
    for ph, n in exp["events_per_ph"].items():
        eq(f"events {ph}", int(meta.get(f"trace.events.{ph}", 0)), n)
    vm = exp["viztracer_metadata"] or {}
    eq("viztracer version", meta.get("viztracer.version"), vm.get("version"))
    if "overflow" in vm:
        eq("overflow", meta.get("viztracer.overflow"), "true" if vm["overflow"] else "false")
    eq("start time known", "start_time" in meta, "baseTimeNanoseconds" in vm)
    for pid, name in exp["process_names"].items():
        eq(f"process {pid}", meta.get(f"trace.process.{pid}"), name)
    for name, n in exp["instant_events"].items():
        eq(f"instant {name}", int(meta.get(f"trace.instant.{name}", 0)), n)
    span_us = exp["ts_max_end_us"] - exp["ts_min_us"]
    if abs(float(meta["duration_s"]) * 1e6 - span_us) > 0.002:
        errors.append(f"duration_s {meta['duration_s']} for {span_us} µs")

    funcs = {event_name(f): f for f in d["functions"] if f["kind"] not in ("process", "thread")}
    unclosed = exp["begin_events_unclosed"]
    for name in unclosed:
        if name not in funcs:
            errors.append(f"begin event {name!r} is not a function")
    x_names = exp["n_distinct_x_names"]
    if not x_names <= len(funcs) <= x_names + len(set(unclosed)):
        errors.append(f"{len(funcs)} functions for {x_names} event names")
    eq("calls", sum(f["calls"] for f in funcs.values()),
       exp["events_per_ph"].get("X", 0) + len(unclosed))

    for row in exp["top20_functions_by_inclusive_dur"] + exp["top20_functions_by_self"]:
        f = funcs.get(row["name"])
        if f is None:
            errors.append(f"no function {row['name']!r}")
            continue
        n = row["count"]
        eq(f"calls of {row['name']}", f["calls"], n)
        if not close(f["incl"][t], row["inclusive_us"], n):
            errors.append(f"inclusive {row['name']}: {f['incl'][t]} ns, want {row['inclusive_us']} µs")
        if not close(f["self"][t], row["self_us"], 2 * n):
            errors.append(f"self {row['name']}: {f['self'][t]} ns, want {row['self_us']} µs")

    # per thread, from the thread frames kept by --threads
    tf = {f["id"]: f for f in dt["functions"]}
    nodes = {n["id"]: n for n in dt["tree"]}
    incl = {}
    depth = {}
    for nid in sorted(nodes):  # parents are made before their children
        p = nodes[nid]["parent"]
        depth[nid] = depth.get(p, 0) + 1
    for nid in sorted(nodes, reverse=True):
        incl[nid] = incl.get(nid, 0) + nodes[nid]["self"][t]
        p = nodes[nid]["parent"]
        if p:
            incl[p] = incl.get(p, 0) + incl[nid]
    threads = {}
    for nid, n in nodes.items():
        f = tf[n["func"]]
        if f["kind"] == "thread":
            tid = int(f["name"][1:].split(" ")[0])
            threads[tid] = (nid, f["name"])
    total_top = 0
    for th in exp["threads"]:
        if "top_level_sum_dur_us" not in th:
            continue
        want_name = f"T{th['tid']}" + (f" {th['name']}" if th["name"] else "")
        if th["tid"] not in threads:
            errors.append(f"no thread frame for tid {th['tid']}")
            continue
        nid, name = threads[th["tid"]]
        eq(f"thread {th['tid']} name", name, want_name)
        eq(f"thread {th['tid']} name in meta", tmeta.get(f"trace.thread.{th['pid']}.{th['tid']}"),
           th["name"])
        deepest = max(depth[m] for m in nodes if _under(nodes, m, nid)) - depth[nid]
        # begin events never ended enclose what ran after them: each adds a level
        nb = th["events_per_ph"].get("B", 0)
        if not th["max_depth"] <= deepest <= th["max_depth"] + nb:
            errors.append(f"thread {th['tid']} depth {deepest}, want {th['max_depth']}"
                          f" (+ up to {nb} begin events)")
        total_top += th["top_level_sum_dur_us"]
        if not unclosed and not close(incl[nid], th["top_level_sum_dur_us"], th["n_top_level"]):
            errors.append(f"thread {th['tid']}: {incl[nid]} ns, want "
                          f"{th['top_level_sum_dur_us']} µs")
    if not unclosed and not close(d["totals"][t], total_top, len(exp["threads"])):
        errors.append(f"total {d['totals'][t]} ns, want {total_top} µs")
    eq("totals with and without threads", dt["totals"][t], d["totals"][t])
    return errors


def _under(nodes, m, top):
    while m:
        if m == top:
            return True
        m = nodes[m]["parent"]
    return False


def main():
    pconv, folder = sys.argv[1], sys.argv[2]

    def check_file(f):
        with open(os.path.join(folder, f + ".oracle.json")) as fh:
            return check(pconv, os.path.join(folder, f), json.load(fh))

    return oracle_walk.check_each(oracle_walk.files_with(folder, ".oracle.json"), check_file)


if __name__ == "__main__":
    sys.exit(main())
