#!/usr/bin/env python3
"""The HTML report's time view, in a real browser, held against `pconv --time`.

usage: test_html_time.py BIN_DIR SHARED_DIR NODE_DIR OUT_DIR

For sampled profiles with times (austin text and MOJO, threads and
recursion, Python 3.15's binary, perf script), writes the report and opens
it in headless Chromium (tests/node/time_check.mjs). For three windows and
the whole run, the page's total, every function's self and total (and its
calls, for trace events: the spans the window overlaps) and every listed
line's value must equal the model `pconv --time A:B -o x.json` writes
for the same window; the two halves of the run add up to the whole; a drag
over the strip keeps a window that changes the table and the flame graph;
the per-thread flame chart is drawn, zooms under the wheel (keeping no rows
empty in view) and shows search hits. A profile without time has no time view.

Then ../shared/bench/austin-large.mojo (449k samples): the report with its
time view in under 0.5 s of CPU (the median of three runs) (in the optimised build; sanitizer builds
only report it) and under 10 MB.

Then memray captures and mprof files (tests/node/heap_check.mjs): for
windows of the memory chart (whole epochs) in every view (memray's peak,
leaks and total), the page's total, table and lines must equal
`pconv [--view V] --time A:B` with the --time argument the page itself
gives, and for mprof (whose flame graph the page estimates from the
window's call graph) so must the flame graph, frame by frame; for memray
two halves' totals add up to the whole run's, and the larger of their peaks
is the whole run's peak (mprof: the largest function peak); a drag over
the chart keeps a window whose view is the same pconv's. An aggregated
capture, a --view temporary report and an mprof report of a --time window
have no such windows.
"""
import json
import os
import resource
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from node_check import run_node_check  # noqa: E402

BIN, SHARED, NODE, OUT = sys.argv[1:5]
CORPUS = os.path.join(SHARED, "corpus")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCALE = float(os.environ.get("PK_TIME_SCALE", "1"))
failures = []

TIMED = [
    ("austin/a37_wall_threads_py38.austin", "worker|thread"),
    ("austin/a37_wall_recursion_py311.austin", "fib|recur"),
    ("austin/a35_mojo_wall_threads_py311.mojo", "."),
    ("py314-315/workload.py315.tachyon-run.zstd.bin", "."),
    ("perf/perf_py311_fp.perf.txt", "."),
    ("viztracer/vz_py311_threads.json", "."),
    ("pyinstrument/pi_py311_async_enabled.speedscope.json", "."),
]


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr))
    return r


def pconv(src, out, *opts):
    run([os.path.join(BIN, "pconv"), src, "-o", out, *opts])
    return out


def model_view(src, window, *opts):
    """What the page should show for a window: total, table, lines by name."""
    if window:
        opts += ("--time", "%.6f:%.6f" % (window[0] / 1e6, window[1] / 1e6))
    m = json.load(open(pconv(src, os.path.join(OUT, "window.json"), *opts)))
    funcs = m["functions"]
    table, lines = {}, {}
    for f in funcs:
        key = f["name"] + "\0" + f["file"]
        s, i, c = table.get(key, (0, 0, 0))
        # calls only where the source counts them (trace events: one a span)
        table[key] = (s + f["self"][0], i + f["incl"][0], c + (f["calls"] if m["has_calls"] else 0))
    for ln in m.get("lines", []):
        f = funcs[ln["func"]]
        key = "%s\0%s\0%d" % (f["name"], f["file"], ln["line"])
        lines[key] = lines.get(key, 0) + ln["v"][0]
    return {"total": m["totals"][0], "table": table, "lines": lines, "has_calls": m["has_calls"]}


def compare(name, page, want):
    if page["total"] != want["total"] or page["frameTotal"] != want["total"]:
        fail("%s: total %s (flame graph %s), pconv --time says %s"
             % (name, page["total"], page["frameTotal"], want["total"]))
    wrong = [k for k, v in page["table"].items()
             if tuple(v[:2]) + ((v[2],) if want["has_calls"] else (0,)) != tuple(want["table"].get(k, (0, 0, 0)))]
    missing = [k for k, v in want["table"].items() if v[1] and k not in page["table"]]
    for k in (wrong + missing)[:3]:
        fail("%s: function %s: page %s, pconv --time %s"
             % (name, k.replace("\0", " "), page["table"].get(k), want["table"].get(k)))
    wrong = [k for k, v in page["lines"].items() if v != want["lines"].get(k, 0)]
    for k in wrong[:3]:
        fail("%s: line %s: page %s, pconv --time %s"
             % (name, k.replace("\0", " "), page["lines"][k], want["lines"].get(k)))
    return len(page["table"]), len(page["lines"])


def browser(specs):
    return run_node_check(NODE, "time_check.mjs", CHROMIUM, OUT, specs, timeout=900)


def check_windows(src, facts):
    name = os.path.basename(src)
    compared = compare(name + " whole run", facts["whole"], model_view(src, None))
    for got in facts["windows"]:
        compare("%s window %s" % (name, got["asked"]), got["view"], model_view(src, got["asked"]))
    halves = facts["windows"][0]["view"]["total"] + facts["windows"][1]["view"]["total"]
    if halves != facts["whole"]["total"]:
        fail("%s: the halves hold %s, the whole run %s" % (name, halves, facts["whole"]["total"]))
    return compared


def check_interaction(name, facts):
    if not facts.get("strip"):
        fail("%s: the strip is not drawn" % name)
    if facts.get("chartDrawn", 0) < 3:
        fail("%s: the time chart drew %s bars" % (name, facts.get("chartDrawn")))
    if len(set(facts.get("zoomed", []))) != 2:
        fail("%s: the wheel did not zoom the time chart: %s" % (name, facts.get("zoomed")))
    if facts.get("rowsFilled") is not True:
        fail("%s: zoomed in, the time chart keeps rows with nothing in view" % name)
    if facts.get("hits", 0) < 1:
        fail("%s: the search lit no bar of the time chart" % name)
    d, whole = facts.get("draggedView", {}), facts["whole"]["total"]
    if not facts.get("dragged") or not (0 < d.get("total", 0) < whole):
        fail("%s: a drag over the strip kept %s (total %s of %s)"
             % (name, facts.get("dragged"), d.get("total"), whole))
    if facts.get("rowsAfter") == facts.get("rowsBefore"):
        fail("%s: the table did not change with the window" % name)
    if facts.get("flameDrawn", 0) < 2 or facts.get("cleared") is not None:
        fail("%s: after the drag the flame graph drew %s frames; cleared: %s"
             % (name, facts.get("flameDrawn"), facts.get("cleared")))


def big_check():
    src = os.path.join(SHARED, "bench", "austin-large.mojo")
    out = os.path.join(OUT, "austin-large.html")
    runs = []  # the median of three: one run here varies by half from the next
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        pconv(src, out)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    cpu = sorted(runs)[1]
    size = os.path.getsize(out)
    r = browser([{"file": out, "windows": [], "search": "."}])[0]
    print("austin-large.mojo -> HTML with the time view: %.3f s CPU, %.2f MB; Chromium: %s ms to"
          " open, %s bars drawn" % (cpu, size / 1e6, r["facts"].get("loadMs"), r["facts"].get("chartDrawn")))
    # The bar is the optimised build's; an -O0 sanitizer build (PK_TIME_SCALE
    # > 1) takes 2-3 s here and measures its sanitizers, not the writer.
    if SCALE == 1 and cpu >= 0.5:
        fail("austin-large.mojo -> HTML took %.3f s of CPU, not under 0.5 s" % cpu)
    if size >= 10 * 1000 * 1000:
        fail("austin-large.mojo -> HTML is %d bytes, not under 10 MB" % size)
    for p in r["problems"]:
        fail("austin-large: %s" % p)
    check_interaction("austin-large", r["facts"]) if r["facts"].get("timeTab") else fail(
        "austin-large: no time view")


HEAP = ["memray/leaky_cache.default.bin", "memray/big_buffers.default.bin",
        "memray/threads_alloc.default.bin", "memray/deep_stacks.native.bin",
        "memray/recursive.pyalloc.bin", "memray/fork_worker.follow_fork.bin"]
CALLS = ["memory_profiler/mp_py311_default.dat", "memory_profiler/mp_py311_T002.dat",
         "memory_profiler/mp_py311_children.dat", "memory_profiler/mp_py311_nopython.dat"]


def model_frames(src, *opts):
    """The flame graph pconv's own report draws: each frame's value by path."""
    data = json.load(open(html_data(pconv(src, os.path.join(OUT, "window.html"), *opts))))
    v = data["views"][0]
    fr, names, paths, out = v["frames"], v["funcs"]["name"], [], {}
    for i, parent in enumerate(fr["parent"]):
        f = fr["func"][i]
        name = names[f] if f >= 0 else "[narrow]" if fr["merged"][i] else "all"
        paths.append((paths[parent] + ";" if parent >= 0 else "") + name)
        out[paths[i]] = out.get(paths[i], 0) + fr["value"][i]
    return out


def compare_window(name, got, src, *opts):
    """The page's view of a window against pconv's; mprof's flame graph too."""
    opts = (("--view", got["name"]) if got["name"] else ()) + opts
    compare(name, got, model_view(src, None, *opts))
    if src.endswith(".dat"):
        want = model_frames(src, *opts)
        if got["frames"] != want:
            wrong = sorted(k for k in set(want) | set(got["frames"])
                           if got["frames"].get(k) != want.get(k))
            fail("%s: flame graph frames %s: page %s, pconv %s"
                 % (name, wrong[:3], [got["frames"].get(k) for k in wrong[:3]],
                    [want.get(k) for k in wrong[:3]]))


def heap_checks():
    specs, sources = [], []
    for rel in HEAP + CALLS:
        src = os.path.join(CORPUS, rel)
        sources.append(src)
        html = pconv(src, os.path.join(OUT, os.path.basename(rel) + ".html"))
        view = json.load(open(html_data(html)))["views"][0]
        n = len(view["heap"]["high"]) if "heap" in view else len(view["calls"]["start_ms"]) - 1
        specs.append({"file": html, "windows": [[0, n // 2], [n // 2, n], [n // 4, n * 3 // 5],
                                                [n - 1, n]]})
    without = [pconv(os.path.join(CORPUS, "memray", "deep_stacks.aggregate.bin"),
                     os.path.join(OUT, "aggregate.html")),
               pconv(os.path.join(CORPUS, "memray", "leaky_cache.default.bin"),
                     os.path.join(OUT, "temporary.html"), "--view", "temporary"),
               pconv(os.path.join(CORPUS, CALLS[0]), os.path.join(OUT, "mprof-window.html"),
                     "--time", "0.5:1.5")]
    results = run_node_check(NODE, "heap_check.mjs", CHROMIUM, OUT,
                             specs + [{"file": f} for f in without], timeout=900)
    for r in results[len(specs):]:
        if r["facts"].get("heap") is not False or r["facts"].get("bar") is not False:
            fail("%s: windows of the memory chart where the capture has none" % r["file"])
    for src, r in zip(sources, results):
        name = os.path.basename(src)
        for p in r["problems"]:
            fail("%s: %s" % (name, p))
        facts = r["facts"]
        if not facts.get("heap"):
            fail("%s: no windows of the memory chart" % name)
            continue
        for got in facts["whole"]:
            compare_window("%s %s whole run" % (name, got["name"]), got, src)
        totals = {}
        for got in facts["windows"]:
            v = got["view"]
            compare_window("%s %s --time %s" % (name, v["name"], got["timeArg"]), v, src,
                           "--time", got["timeArg"])
            totals[(v["name"], tuple(got["asked"]))] = v
        n = facts["epochs"]
        if src.endswith(".dat"):  # peaks: the largest of the halves' is the whole run's
            peak = lambda v: max(row[1] for row in v["table"].values())  # noqa: E731
            halves = [peak(totals[("", w)]) for w in ((0, n // 2), (n // 2, n))]
            if max(halves) != peak(facts["whole"][0]):
                fail("%s: the halves' peaks %s, the whole run's %s"
                     % (name, halves, peak(facts["whole"][0])))
        else:
            whole = {w["name"]: w["total"] for w in facts["whole"]}
            halves = [totals[(view, w)]["total"] for view in ("total", "peak")
                      for w in ((0, n // 2), (n // 2, n))]
            if halves[0] + halves[1] != whole["total"] or max(halves[2:]) != whole["peak"]:
                fail("%s: halves' totals %s and peaks %s, the whole run %s and %s"
                     % (name, halves[:2], halves[2:], whole["total"], whole["peak"]))
        if not facts.get("dragged") or facts.get("tableRows", 0) < 1 \
                or facts.get("flameDrawn", 0) < 2 or facts.get("cleared") is not None:
            fail("%s: a drag over the memory chart kept %s; table %s rows; flame graph %s"
                 " frames; cleared: %s" % (name, facts.get("dragged"), facts.get("tableRows"),
                                           facts.get("flameDrawn"), facts.get("cleared")))
        else:
            v = facts["draggedView"]
            compare_window("%s dragged %s --time %s" % (name, v["name"], facts["draggedArg"]), v,
                           src, "--time", facts["draggedArg"])
        print("%s: %d epochs, 4 windows x %d views agree with pconv --view V --time A:B;"
              " dragged: %s" % (name, n, len(facts["whole"]), facts.get("info")))


def html_data(html):
    """The report's data, as its own JSON file."""
    text = open(html).read()
    start = text.index('id="profile-data">') + len('id="profile-data">')
    out = os.path.join(OUT, "data.json")
    with open(out, "w") as f:
        f.write(text[start:text.index("</script>", start)])
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    specs, sources = [], []
    for rel, search in TIMED:
        src = os.path.join(CORPUS, rel)
        html = pconv(src, os.path.join(OUT, os.path.basename(rel) + ".html"))
        sources.append(src)
        # the duration in µs, as the page counts it, for the windows to ask
        duration = json.load(open(pconv(src, os.path.join(OUT, "d.json"))))["meta"]["duration_s"]
        d = int(float(duration) * 1e6)
        # the halves, the second open-ended, then a window inside
        specs.append({"file": html, "search": search,
                      "windows": [[0, d // 2], [d // 2, 2 * d + 10**6], [d // 4, d * 3 // 5]]})
    plain = pconv(os.path.join(CORPUS, "py314-315", "workload.py315.cProfile.pstats"),
                  os.path.join(OUT, "no-time.html"))
    specs.append({"file": plain})
    results = browser(specs)
    for src, r in zip(sources + [None], results):
        name = os.path.basename(r["file"])
        for p in r["problems"]:
            fail("%s: %s" % (name, p))
        if src is None:
            if r["facts"].get("timeTab") is not False:
                fail("%s: a profile without time shows a time view" % name)
            continue
        if not r["facts"].get("timeTab"):
            fail("%s: no time view" % name)
            continue
        nfuncs, nlines = check_windows(src, r["facts"])
        check_interaction(name, r["facts"])
        print("%s: %.3f s, 4 windows agree with pconv --time (%d functions, %d lines); drag, zoom,"
              " search: %s bars, %s hits" % (name, r["facts"]["duration"] / 1e6, nfuncs, nlines,
                                            r["facts"].get("chartDrawn"), r["facts"].get("hits")))
    big_check()
    heap_checks()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
