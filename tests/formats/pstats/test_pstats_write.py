#!/usr/bin/env python3
"""pstats writer checks: python's own marshal and pstats read what we write.

usage: test_pstats_write.py MODE PCONV SHARED_DIR WORK_DIR
  roundtrip  every corpus *.pstats (pstats/ and py314-315/) -> pstats: every key, cc, nc, tt, ct and
             every caller's four numbers (or int count) equal F.expected.json;
             pstats.Stats loads the output and its totals equal the oracle's;
             writing our own output again gives the same dict; Tachyon's
             ('__sampled__',) marker is written back (that file's totals are
             checked here, as this Python's pstats cannot load it)
  stacks     every corpus austin, collapsed, memray, lprof (and callgrind) input:
             pstats.Stats loads it, its totals and every entry equal the model
             (pconv F -o model.json), counts recomputed here from the tree
  names      quotes, newlines, non-ASCII, invalid UTF-8, long names and counts
             beyond 32 bits survive as valid str / int
"""
import glob
import io
import json
import marshal
import math
import os
import pstats
import re
import subprocess
import sys


def pconv(exe, *args):
    r = subprocess.run([exe, *args], capture_output=True, text=True, errors="replace",
                       timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"pconv {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def load_marshal(path):
    with open(path, "rb") as f:
        data = f.read()
    value = marshal.loads(data)
    if not isinstance(value, dict):
        raise AssertionError("the marshal value is not a dict")
    return value


HEADER = re.compile(r"(\d+) function calls(?: \((\d+) primitive calls\))? in ([0-9.]+) seconds")


def check_stats(path, total_calls, prim_calls, total_tt):
    """pstats.Stats loads path, prints it, and its totals are ours."""
    errors = []
    out = io.StringIO()
    st = pstats.Stats(path, stream=out)
    st.sort_stats("cumulative").print_stats()
    st.print_callers()
    if (st.total_calls, st.prim_calls) != (total_calls, prim_calls):
        errors.append(f"pstats totals {st.total_calls}/{st.prim_calls} calls, expected "
                      f"{total_calls}/{prim_calls}")
    if not math.isclose(st.total_tt, total_tt, rel_tol=1e-12, abs_tol=1e-12):
        errors.append(f"pstats total_tt {st.total_tt!r}, expected {total_tt!r}")
    m = HEADER.search(out.getvalue())
    if not m:
        errors.append("print_stats printed no header")
    elif int(m.group(1)) != total_calls or int(m.group(2) or m.group(1)) != prim_calls:
        errors.append(f"print_stats header {m.group(0)!r}")
    return errors


# ---- roundtrip ----

def key_of(entry):
    name = entry["name"]
    if isinstance(name, dict):  # a code object: the model keeps its co_name
        name = name["co_name"]
    return (entry["file"], entry["line"], name)


def same_ns(got, want):
    """Equal to the ns the model keeps: rounding to ns moves a time by 0.5 ns."""
    return isinstance(got, float) and abs(got - want) * 1e9 <= 0.5 + abs(want) * 1e-6


def check_markers(got, expected):
    """Keys that are not (file, line, name) triples are written back as they
    were, and taken out of got."""
    want = expected.get("markers", {})
    found = {repr(k): got.pop(k) for k in [k for k in got if len(k) != 3]}
    return [] if found == want else [f"markers {found!r}, expected {want!r}"]


def check_totals(got, total_calls, prim_calls, total_tt):
    """The totals pstats.Stats would print, summed here."""
    calls = sum(v[1] for v in got.values())
    prim = sum(v[0] for v in got.values())
    tt = sum(v[2] for v in got.values())
    if (calls, prim) != (total_calls, prim_calls) or not math.isclose(tt, total_tt, rel_tol=1e-9):
        return [f"totals {calls}/{prim} calls, {tt} s, expected {total_calls}/{prim_calls}, "
                f"{total_tt} s"]
    return []


def compare_roundtrip(got, expected):
    errors = []
    want = {key_of(e): e for e in expected["functions"]}
    if len(got) != len(want):
        errors.append(f"{len(got)} entries, expected {len(want)}")
    for key, exp in want.items():
        value = got.get(key)
        if not isinstance(value, tuple) or len(value) != 5:
            errors.append(f"{key}: entry {value!r}")
            continue
        cc, nc, tt, ct, callers = value
        if (type(cc), type(nc), cc, nc) != (int, int, exp["cc"], exp["nc"]):
            errors.append(f"{key}: cc/nc {cc!r}/{nc!r}, expected {exp['cc']}/{exp['nc']}")
        if not same_ns(tt, exp["tt"]) or not same_ns(ct, exp["ct"]):
            errors.append(f"{key}: tt/ct {tt!r}/{ct!r}, expected {exp['tt']}/{exp['ct']}")
        if len(callers) != len(exp["callers"]):
            errors.append(f"{key}: {len(callers)} callers, expected {len(exp['callers'])}")
        for c in exp["callers"]:
            v = callers.get(key_of(c))
            if "count" in c:
                if type(v) is not int or v != c["count"]:
                    errors.append(f"{key} <- {key_of(c)}: {v!r}, expected int {c['count']}")
            elif (not isinstance(v, tuple) or len(v) != 4 or (type(v[0]), type(v[1])) != (int, int)
                  or (v[0], v[1]) != (c["nc"], c["cc"]) or not same_ns(v[2], c["tt"])
                  or not same_ns(v[3], c["ct"])):
                errors.append(f"{key} <- {key_of(c)}: {v!r}, expected "
                              f"({c['nc']}, {c['cc']}, {c['tt']}, {c['ct']})")
    return errors


def mode_roundtrip(exe, shared, work):
    files = sorted(glob.glob(os.path.join(shared, "corpus", "pstats", "*.pstats")) +
                   glob.glob(os.path.join(shared, "corpus", "py314-315", "*.pstats")))
    if not files:
        raise SystemExit("no corpus pstats files")
    out = os.path.join(work, "roundtrip.pstats")
    again = os.path.join(work, "roundtrip-again.pstats")
    failed = 0
    for path in files:
        with open(path + ".expected.json", encoding="utf-8") as f:
            expected = json.load(f)
        try:
            pconv(exe, path, "-o", out)
            got = load_marshal(out)
            errors = check_markers(got, expected)
            errors += compare_roundtrip(got, expected)
            t = expected["totals"]
            if expected.get("markers"):
                errors += check_totals(got, t["total_calls"], t["prim_calls"], t["pstats_total_tt"])
            else:
                errors += check_stats(out, t["total_calls"], t["prim_calls"], t["pstats_total_tt"])
            pconv(exe, out, "-t", "pstats", "-o", again)
            if load_marshal(again) != load_marshal(out):
                errors.append("writing our own output again changes it")
        except Exception as e:  # pstats/marshal refusing the file is a failure too
            errors = [f"{type(e).__name__}: {e}"]
        if errors:
            failed += 1
            print(f"FAIL {os.path.basename(path)}: {len(errors)} mismatches")
            for e in errors[:10]:
                print("   ", e)
    print(f"pstats round trips equal to the input: {len(files) - failed} of {len(files)}")
    return 1 if failed or check_merges(exe, files, work) else 0


def check_merges(exe, files, work):
    """Several inputs merged: cProfile's layout whatever the first producer."""
    out = os.path.join(work, "merged.pstats")
    failed = 0
    for quirk in (".yappi", ".profile."):
        first = next(f for f in files if quirk in os.path.basename(f))
        other = next(f for f in files if ".cProfile." in os.path.basename(f)
                     and os.path.basename(f).split(".")[0] == os.path.basename(first).split(".")[0])
        pconv(exe, first, other, "-o", out)
        stats = load_marshal(out)
        swapped = [k for k, v in stats.items() if v[0] > v[1]]
        ints = [k for k, v in stats.items() if any(not isinstance(c, tuple) for c in v[4].values())]
        if swapped or ints:
            failed += 1
            print(f"FAIL merge {os.path.basename(first)} + {os.path.basename(other)}: "
                  f"{len(swapped)} entries with cc > nc, {len(ints)} with int callers")
    return failed


# ---- stack profiles (and lprof) ----

def pick_metric(model, metric=None):
    """The metric written and its scale to seconds (docs/pstats-write.md)."""
    names = [m["name"] for m in model["metrics"]]
    m = names.index(metric or "time") if (metric or "time") in names else 0
    unit = model["metrics"][m]["unit"]
    interval = model.get("meta", {}).get("austin.interval")
    if unit == "ns":
        return m, 1.0, 1e9
    if names[m] == "samples" and interval:
        return m, float(interval), 1e6
    return m, 1.0, 1.0


def tree_counts(model):
    """(nc, cc) per function and per edge, recomputed from the tree: a frame
    weighs its inclusive samples; without that metric each distinct stack of
    functions weighs 1 (nodes that differ only by line count once). cc counts
    only frames without a frame of the same function (edge) above them."""
    nodes = {n["id"]: n for n in model.get("tree", [])}
    names = [m["name"] for m in model["metrics"]]
    s = names.index("samples") if "samples" in names else None
    children = {}
    for n in nodes.values():
        children.setdefault(n["parent"], []).append(n["id"])
    incl = {}
    for nid in sorted(nodes, reverse=True):  # children have larger ids
        incl[nid] = (nodes[nid]["self"][s] if s is not None else 0) + sum(
            incl[c] for c in children.get(nid, []))
    funcs, edges = {}, {}
    active_f, active_e = {}, {}
    paths, seen = {}, set()
    stack = [(c, False) for c in children.get(0, [])]
    while stack:
        nid, leaving = stack.pop()
        n = nodes[nid]
        f = n["func"]
        e = (nodes[n["parent"]]["func"], f) if n["parent"] != 0 else None
        if leaving:
            active_f[f] -= 1
            if e:
                active_e[e] -= 1
            continue
        if s is not None:
            w = incl[nid]
        else:
            path = paths[nid] = (paths.get(n["parent"]), f)
            w = 0 if path in seen else 1
            seen.add(path)
        nc, cc = funcs.get(f, (0, 0))
        funcs[f] = (nc + w, cc + (w if not active_f.get(f) else 0))
        active_f[f] = active_f.get(f, 0) + 1
        if e:
            nc, cc = edges.get(e, (0, 0))
            edges[e] = (nc + w, cc + (w if not active_e.get(e) else 0))
            active_e[e] = active_e.get(e, 0) + 1
        stack.append((nid, True))
        stack.extend((c, False) for c in children.get(nid, []))
    return funcs, edges


def expected_from_model(model, metric=None):
    m, mul, div = pick_metric(model, metric)
    secs = lambda v: v[m] * mul / div  # noqa: E731  the writer's own arithmetic
    fs = model["functions"]
    if model.get("tree") and not model["has_calls"]:
        fcounts, ecounts = tree_counts(model)
    else:
        one = not model["has_calls"]
        fcounts = {f["id"]: (1, 1) if one else (f["calls"], f["pcalls"]) for f in fs}
        ecounts = {(e["caller"], e["callee"]): (1, 1) if one else (e["calls"], e["pcalls"])
                   for e in model["edges"]}
    key = lambda f: (f["file"], f["line"], f["name"])  # noqa: E731
    want = {}
    for fid, (nc, cc) in fcounts.items():
        f = fs[fid]
        want[key(f)] = (cc, nc, secs(f["self"]), secs(f["incl"]), {})
    for e in model["edges"]:
        callee = key(fs[e["callee"]])
        if callee in want:
            nc, cc = ecounts[(e["caller"], e["callee"])]
            want[callee][4][key(fs[e["caller"]])] = (nc, cc, secs(e["self"]), secs(e["incl"]))
    return want


def stack_inputs(shared):
    files = []
    for fmt in ("austin", "collapsed", "memray", "lprof"):
        oracles = glob.glob(os.path.join(shared, "corpus", fmt, "*.expected.json"))
        if not oracles:
            raise SystemExit(f"no corpus {fmt} files")
        for oracle in sorted(oracles):
            with open(oracle, encoding="utf-8") as f:
                if "not a profile" in str(json.load(f).get("format", "")):
                    continue  # austin's `where` output
            files.append(oracle[: -len(".expected.json")])
    # graphs with call counts of their own (no oracle files beside them)
    files += sorted(f for f in glob.glob(os.path.join(shared, "corpus", "callgrind", "*.callgrind*"))
                   if not f.endswith(".txt"))
    return files


def runs_with_samples(shared):
    files = sorted(glob.glob(os.path.join(shared, "corpus", "austin", "*_wall_*.austin")))
    if not files:
        raise SystemExit("no corpus austin wall files")
    return files[:3]


def mode_stacks(exe, shared, work):
    out = os.path.join(work, "stacks.pstats")
    model_json = os.path.join(work, "stacks.json")
    # every input with its default metric, and austin's samples made time by
    # its interval
    runs = [(path, None) for path in stack_inputs(shared)]
    runs += [(path, "samples") for path in runs_with_samples(shared)]
    failed = 0
    for path, metric in runs:
        try:
            pconv(exe, path, "-o", model_json)
            with open(model_json, encoding="utf-8") as f:
                want = expected_from_model(json.load(f), metric)
            pconv(exe, path, "-o", out, *(["--metric", metric] if metric else []))
            got = load_marshal(out)
            errors = []
            if got != want:
                missing = [k for k in want if k not in got]
                extra = [k for k in got if k not in want]
                wrong = [k for k in want if k in got and got[k] != want[k]]
                errors.append(f"{len(missing)} missing, {len(extra)} extra, {len(wrong)} differ")
                errors += [f"{k}: {got[k]!r} expected {want[k]!r}" for k in wrong[:3]]
                errors += [f"missing {k}" for k in missing[:3]]
            total_tt = math.fsum(v[2] for v in want.values())
            errors += check_stats(out, sum(v[1] for v in want.values()),
                                  sum(v[0] for v in want.values()), total_tt)
        except Exception as e:
            errors = [f"{type(e).__name__}: {e}"]
        if errors:
            failed += 1
            print(f"FAIL {os.path.relpath(path, shared)} (metric {metric or 'default'}): "
                  f"{len(errors)} problems")
            for e in errors[:8]:
                print("   ", e)
    print(f"stack/line profiles written as pstats equal to the model: "
          f"{len(runs) - failed} of {len(runs)}")
    return 1 if failed else 0


# ---- names and big numbers ----

def mode_names(exe, shared, work):
    quoted = ('/srv/"quoted" dir/a.py', 1, 'say "hi" \'there\'')
    big = 2**40 + 7
    stats = {
        quoted: (1, 1, 0.25, 0.5, {}),
        ("/srv/a.py", 2, "new\nline\tand\\back"): (
            2, 3, 0.125, 0.25, {quoted: (3, 2, 0.125, 0.25)}),
        (b"/srv/bad\xff.py", 3, b"caf\xe9"): (1, 1, 0.0, 0.0, {}),
        (b"/srv/bad\xfe.py", 3, b"caf\xe8"): (1, 1, 0.0, 0.0, {}),  # same key once repaired
        ("/srv/u.py", 4, "größe_计算"): (1, 1, 1.0, 1.0, {}),
        ("/srv/long.py", 5, "x" * 300): (big, big, 2.0, 2.0, {quoted: (big, big, 2.0, 2.0)}),
        ("/srv/neg.py", 6, "neg"): (-(2**33), 2**62, 0.0, 0.0, {}),
    }
    src = os.path.join(work, "names-in.pstats")
    with open(src, "wb") as f:
        f.write(marshal.dumps(stats))
    out = os.path.join(work, "names-out.prof")  # any output name: -t decides
    errors = []
    pconv(exe, src, "-t", "pstats", "-o", out)
    got = load_marshal(out)
    for key in got:
        if not all(isinstance(s, str) for s in (key[0], key[2])):
            errors.append(f"key not of str: {key!r}")
            continue
        key[0].encode("utf-8"), key[2].encode("utf-8")  # no lone surrogates
    for key in stats:
        if isinstance(key[0], str) and key not in got:
            errors.append(f"name lost: {key!r}")
    if len(got) != len(stats):
        errors.append(f"{len(got)} entries, expected {len(stats)} (repaired names merged?)")
    repaired = sorted(k for k in got if k[0].startswith("/srv/bad"))
    if repaired != [("/srv/bad\ufffd.py", 3, "caf\ufffd"), ("/srv/bad\ufffd.py", 3, "caf\ufffd (2)")]:
        errors.append(f"invalid UTF-8 names written as {repaired!r}")
    long_entry = got.get(("/srv/long.py", 5, "x" * 300))
    if not long_entry or long_entry[:2] != (big, big) or long_entry[4] != {quoted: (big, big, 2.0, 2.0)}:
        errors.append(f"counts beyond 32 bits: {long_entry!r}")
    if got.get(("/srv/neg.py", 6, "neg"), (0, 0))[:2] != (-(2**33), 2**62):
        errors.append(f"64-bit counts: {got.get(('/srv/neg.py', 6, 'neg'))!r}")
    if got.get(("/srv/a.py", 2, "new\nline\tand\\back")) != stats[("/srv/a.py", 2, "new\nline\tand\\back")]:
        errors.append("the name with a newline lost its entry")
    total = sum(v[1] for v in got.values())
    prim = sum(v[0] for v in got.values())
    errors += check_stats(out, total, prim, math.fsum(v[2] for v in got.values()))
    for e in errors:
        print("FAIL", e)
    print("names and big counts:", "ok" if not errors else f"{len(errors)} problems")
    return 1 if errors else 0


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    mode, exe, shared, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    modes = {"roundtrip": mode_roundtrip, "stacks": mode_stacks, "names": mode_names}
    return modes[mode](exe, shared, work)


if __name__ == "__main__":
    sys.exit(main())
