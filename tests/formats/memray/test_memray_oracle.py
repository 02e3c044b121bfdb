#!/usr/bin/env python3
"""Check pconv's memray reader against memray's own numbers for every capture
in the corpus: peak memory, leaks, totals, the biggest stacks at the peak and
at exit, and the top allocating locations (memray stats --json).

usage: test_memray_oracle.py PCONV CORPUS_DIR
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile


def read_model(pconv, capture, view, tmp, *extra):
    """The model by line: memray's stacks name the line of each frame (by
    default frames are by function, their lines merged)."""
    out = os.path.join(tmp, "model.json")
    proc = subprocess.run([pconv, capture, "--view", view, "--granularity", "line", "-o", out,
                           *extra],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"pconv --view {view} failed: {proc.stderr.strip()}")
    with open(out) as f:
        return json.load(f)


def stacks(model):
    """Python stack (innermost first) -> [bytes, allocations] of the tree."""
    funcs = model["functions"]
    nodes = {n["id"]: n for n in model["tree"]}
    result = collections.defaultdict(lambda: [0, 0])
    for node in model["tree"]:
        if not any(node["self"]):
            continue
        stack = []
        cur = node
        while cur is not None:
            fn = funcs[cur["func"]]
            unknown = fn["name"] == "<unknown>" and fn["file"] == "<unknown>"
            if fn["kind"] not in ("thread", "native") and not unknown:
                stack.append((fn["name"], fn["file"], cur["line"] or fn["line"]))
            cur = nodes.get(cur["parent"])
        key = tuple(stack)
        result[key][0] += node["self"][0]
        result[key][1] += node["self"][1]
    return result


def check_top_stacks(label, model, groups):
    """Oracle groups are per (stack, allocator, native stack): sum them by
    Python stack. Groups outside the top list may add to a stack, so ours may
    be larger, never smaller; the biggest stack must match exactly in bytes
    unless another group of it could be missing."""
    ours = stacks(model)
    want = collections.defaultdict(lambda: [0, 0])
    for g in groups:
        key = tuple(tuple(f) for f in g["python_stack_innermost_first"])
        want[key][0] += g["bytes"]
        want[key][1] += g["n_allocations"]
    for key, (nbytes, count) in want.items():
        got = ours.get(key)
        where = f"{label} stack {key[0] if key else '<empty>'}"
        if got is None:
            raise AssertionError(f"{where}: missing")
        if got[0] < nbytes or got[1] < count:
            raise AssertionError(f"{where}: {got} < oracle {nbytes}, {count}")
    return len(want)


def innermost_locations(model):
    by_bytes = collections.Counter()
    by_count = collections.Counter()
    funcs = model["functions"]
    for node in model["tree"]:
        if not any(node["self"]):
            continue
        fn = funcs[node["func"]]
        loc = f"{fn['name']}:{fn['file']}:{node['line'] or fn['line']}"
        if loc == "<unknown>:<unknown>:0":  # no Python frames: how stats says it
            loc = "<stack trace unavailable>"
        by_bytes[loc] += node["self"][0]
        by_count[loc] += node["self"][1]
    return by_bytes, by_count


def check_capture(pconv, path, tmp):
    exp = json.load(open(path + ".expected.json"))
    stats = None
    if os.path.exists(path + ".stats.json"):
        stats = json.load(open(path + ".stats.json"))
    checks = 0

    peak = read_model(pconv, path, "peak", tmp)
    assert peak["metrics"] == [{"name": "bytes", "unit": "bytes"},
                               {"name": "allocations", "unit": "count"}], peak["metrics"]
    assert peak["totals"][0] == exp["peak_memory_bytes"], \
        f"peak {peak['totals'][0]} != {exp['peak_memory_bytes']}"
    assert int(peak["meta"]["memray.peak_memory"]) == exp["peak_memory_bytes"]
    if stats:
        assert peak["totals"][0] == stats["metadata"]["peak_memory"]
    assert int(peak["meta"]["memray.pid"]) == exp["pid"]
    assert peak["meta"]["memray.command_line"] == exp["command_line"]
    assert peak["meta"]["memray.file_format"] == exp["file_format"]
    assert int(peak["meta"]["memray.header_n_allocations"]) == exp["header_n_allocations"]
    checks += 6 + check_top_stacks("peak", peak, exp["peak_top_stacks"])

    if exp["native_traces"]:
        # --native: the same Python stacks, native frames named image+offset
        # from the capture's memory map under them
        native = read_model(pconv, path, "peak", tmp, "--native")
        assert native["totals"] == peak["totals"], native["totals"]
        frames = [f for f in native["functions"] if f["kind"] == "native"]
        assert frames and all(re.fullmatch(r".+\+0x[0-9a-f]+", f["name"]) and f["file"]
                              for f in frames), frames[:3]
        checks += 2 + check_top_stacks("native peak", native, exp["peak_top_stacks"])

    leaks = read_model(pconv, path, "leaks", tmp)
    assert leaks["totals"] == [exp["leaked_bytes_at_exit"], exp["leaked_allocations_at_exit"]], \
        f"leaks {leaks['totals']}"
    checks += 1 + check_top_stacks("leaks", leaks, exp["leak_top_stacks"])

    if exp["file_format"] == "AGGREGATED_ALLOCATIONS":
        return checks
    total = read_model(pconv, path, "total", tmp)
    assert total["totals"] == [exp["total_bytes_allocated"], exp["total_allocations"]], \
        f"total {total['totals']}"
    assert int(total["meta"]["memray.records"]) == exp["n_records"]
    recs = dict(kv.split("=") for kv in total["meta"]["memray.records_by_allocator"].split())
    assert {k: int(v) for k, v in recs.items()} == exp["records_by_allocator"], recs
    checks += 3
    if stats:
        assert total["totals"] == [stats["total_bytes_allocated"], stats["total_num_allocations"]]
        by_bytes, by_count = innermost_locations(total)
        for entry in stats["top_allocations_by_size"]:
            assert by_bytes[entry["location"]] == entry["size"], \
                f"{entry['location']}: {by_bytes[entry['location']]} != {entry['size']}"
        for entry in stats["top_allocations_by_count"]:
            assert by_count[entry["location"]] == entry["count"], \
                f"{entry['location']}: {by_count[entry['location']]} != {entry['count']}"
        # the top lists are ordered by value: ours must agree on the values
        sizes = sorted(by_bytes.values(), reverse=True)[:len(stats["top_allocations_by_size"])]
        assert sizes == [e["size"] for e in stats["top_allocations_by_size"]], sizes
        checks += 1 + len(stats["top_allocations_by_size"]) + len(stats["top_allocations_by_count"])

    # temporary: allocations freed within N allocations of the same thread;
    # a larger N can only find more of them, never more than the frees
    previous = [0, 0]
    for threshold in ("1", "8", "1000"):
        temp = read_model(pconv, path, "temporary", tmp, "--temporary-threshold", threshold)
        assert previous[1] <= temp["totals"][1] <= exp["total_deallocations"], temp["totals"]
        assert previous[0] <= temp["totals"][0] <= exp["total_bytes_allocated"], temp["totals"]
        previous = temp["totals"]
    assert previous[1] > 0, "no temporary allocation found with N = 1000"
    return checks + 7


def main():
    pconv, corpus = sys.argv[1], sys.argv[2]
    captures = sorted(
        os.path.join(corpus, f) for f in os.listdir(corpus)
        if os.path.exists(os.path.join(corpus, f + ".expected.json")))
    if not captures:
        print(f"no captures in {corpus}")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in captures:
            name = os.path.basename(path)
            try:
                n = check_capture(pconv, path, tmp)
                print(f"ok   {name}: {n} checks")
            except AssertionError as e:
                failed += 1
                print(f"FAIL {name}: {e}")
    print(f"{len(captures) - failed} of {len(captures)} captures match memray")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
