#!/usr/bin/env python3
"""HTML reports opened in a real browser (headless Chromium via playwright-core).

usage: test_html_report.py BIN_DIR SHARED_DIR NODE_DIR OUT_DIR [--big]

Writes reports of a pstats, an austin, a memray, an mprof, a scalene, a line_profiler (with its
source embedded) capture and a pdiff of two austin captures, opens each from
file:// and checks the page after its scripts ran: frames drawn, a search for
the heaviest function matches its inclusive share (from the model's JSON
dump), clicking a frame zooms to it, sorting the table reorders it, the
sandwich draws callers and callees, no request left the page, no error in
the console. Then a profile whose names are markup and script must run no
script. Screenshots go to OUT_DIR. Fails without Chromium.

With --big: the ~128 MB collapsed file of bench/gen-collapsed.py (made once
in OUT_DIR) must give a report of at most 10 MB that Chromium opens and
draws in under 2 s (best of three loads; stretched by the load per core
on a busy machine).
"""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from node_check import run_node_check  # noqa: E402

BIN, SHARED, NODE, OUT = sys.argv[1:5]
BIG = "--big" in sys.argv[5:]
CORPUS = os.path.join(SHARED, "corpus")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr))
    return r


def pconv(inputs, out, *opts):
    run([os.path.join(BIN, "pconv"), *inputs, "-o", out, *opts])
    return out


def heaviest(path, *opts):
    """Name and inclusive share of the heaviest function below the roots."""
    dump = os.path.join(OUT, os.path.basename(path) + ".json")
    run([os.path.join(BIN, "pconv"), path, "-o", dump, *opts])
    model = json.load(open(dump))
    total = model["totals"][0]
    names = {}
    for g in model["functions"]:
        names[g["name"]] = names.get(g["name"], 0) + 1
    # a function of a telling share: unique name, closest to half the total
    funcs = [f for f in model["functions"] if f["name"] and names[f["name"]] == 1] or model["functions"]
    f = min(funcs, key=lambda f: abs(f["incl"][0] / max(total, 1) - 0.5))
    return f["name"], 100.0 * f["incl"][0] / total, names[f["name"]] == 1, model


def browser_check(specs):
    return run_node_check(NODE, "report_check.mjs", CHROMIUM, OUT, specs, timeout=600)


def page_scripts(path):
    return len(re.findall(r"<script", open(path, encoding="utf-8").read(), re.I))


def main():
    if not os.access(CHROMIUM, os.X_OK) or not os.path.isdir(os.path.join(NODE, "node_modules", "playwright-core")):
        # scripts/deps.sh installs Chromium and scripts/test.sh the node packages:
        # without them this test fails rather than passing unseen.
        print("FAIL: no Chromium or no playwright-core (cd tests/node && npm install)")
        return 1
    os.makedirs(OUT, exist_ok=True)
    if BIG:
        return big_check()
    austin_a = os.path.join(CORPUS, "austin", "a37_wall_recursion_py311.austin")
    austin_b = os.path.join(CORPUS, "austin", "a37_twin_wall_recursion_py313.austin")
    cases = {
        "pstats": (os.path.join(CORPUS, "pstats", "bootstrap.py311.cProfile.pstats"), []),
        "austin": (austin_a, []),
        "memray": (os.path.join(CORPUS, "memray", "big_buffers.default.bin"), []),
        "mprof": (os.path.join(CORPUS, "memory_profiler", "mp_py311_default.dat"), []),
        "scalene": (os.path.join(CORPUS, "scalene", "sc_py311_default.json"), []),
        "lprof": (os.path.join(CORPUS, "lprof", "lp_many.kernprof402.lprof"),
                  ["--embed-source", "--source-root",
                   os.path.join(CORPUS, "sources-pstats-lprof-callgrind")]),
    }
    specs, expect = [], {}
    for name, (src, opts) in cases.items():
        out = pconv([src], os.path.join(OUT, name + ".html"), *opts)
        fname, share, unique, model = heaviest(src)
        if name in ("mprof", "scalene"):
            share = None  # peaks are maxima; scalene's functions are roots of an estimate
        specs.append({"file": out, "search": "^" + re.escape(fname) + "$"})
        expect[out] = (name, fname, share, unique, model)
    diff = os.path.join(OUT, "diff.html")
    run([os.path.join(BIN, "pdiff"), austin_a, austin_b, "-o", diff])
    specs.append({"file": diff, "search": "is_even"})
    expect[diff] = ("diff", "is_even", None, False, None)

    for r in browser_check(specs):
        f, name = r["facts"], expect[r["file"]][0]
        _, fname, share, unique, model = expect[r["file"]]
        where = "%s report" % name
        for p in r["problems"]:
            fail("%s: %s" % (where, p))
        if r["requests"]:
            fail("%s: requests left the page: %s" % (where, r["requests"]))
        if f.get("drawn", 0) < 2:
            fail("%s: the flame graph drew %s frames" % (where, f.get("drawn")))
        if not f.get("matchedPct", 0) > 0:
            fail("%s: searching %s matched nothing (%s)" % (where, fname, f.get("matched")))
        elif share is not None and unique and abs(f["matchedPct"] - share) > 1.0:
            fail("%s: search for %s matched %.2f %%, its inclusive share is %.2f %%"
                 % (where, fname, f["matchedPct"], share))
        if f.get("zoomedTo") != f.get("zoomTarget") or f.get("crumbs", 0) < 2:
            fail("%s: clicking frame %s zoomed to %s (%s breadcrumbs)"
                 % (where, f.get("zoomTarget"), f.get("zoomedTo"), f.get("crumbs")))
        if "of total" not in f.get("tooltip", ""):
            fail("%s: no tooltip over a frame" % where)
        if not f.get("selfSorted") or f.get("byName") == f.get("byNameAgain"):
            fail("%s: sorting the table did not reorder it" % where)
        if not f.get("sandwich", {}).get("callees") or not f.get("sandwich", {}).get("callers"):
            fail("%s: the sandwich view drew nothing: %s" % (where, f.get("sandwich")))
        if f.get("selected", -1) < 0:
            fail("%s: clicking a table row selected nothing" % where)
        if name in ("lprof", "austin", "memray") and not f.get("linesTab"):
            fail("%s: no hottest lines" % where)
        if name == "lprof" and not f.get("sourceShown"):
            fail("%s: the embedded source is not shown" % where)
        if name == "memray":
            heap = max(p[2] for p in model["series"]["points"])
            if f.get("peak") != heap:
                fail("%s: peak marked at %s, the series' peak heap is %s" % (where, f.get("peak"), heap))
            if f.get("views") != ["peak", "leaks", "total"]:
                fail("%s: views %s" % (where, f.get("views")))
        if name == "mprof":
            rss = max(p[1] for p in model["series"]["points"])
            if not f.get("memoryTab") or f.get("peak") != rss:
                fail("%s: memory chart %s, peak marked at %s, the series' peak rss is %s"
                     % (where, f.get("memoryTab"), f.get("peak"), rss))
        if name == "scalene":
            footprint = max(p[1] for p in model["series"]["points"])
            if not f.get("memoryTab") or f.get("peak") != footprint or not f.get("linesTab"):
                fail("%s: memory chart %s, peak marked at %s, the footprint's peak is %s; lines %s"
                     % (where, f.get("memoryTab"), f.get("peak"), footprint, f.get("linesTab")))
        if name == "pstats" and "Estimated" not in f.get("notes", ""):
            fail("%s: not marked as estimated: %r" % (where, f.get("notes")))
        if name == "austin" and "Estimated" in f.get("notes", ""):
            fail("%s: marked as estimated" % where)
        if name == "diff":
            if "before" not in f.get("tooltip", "") or "change" not in f.get("tooltip", ""):
                fail("%s: the tooltip shows no change: %r" % (where, f.get("tooltip")))
            if "Total change" not in f.get("headers", []):
                fail("%s: the table shows no change: %s" % (where, f.get("headers")))
        print("%-7s load %5d ms, %5d frames drawn, search %-22s %6.2f %%, %d table rows"
              % (name, f.get("loadMs", -1), f.get("drawn", 0), fname[:22], f.get("matchedPct", 0),
                 f.get("rows", 0)))

    hostile_check()
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("all checks passed")
    return 0


HOSTILE = [
    "</script><script>window.pwned=true</script>",
    "<img src=x onerror=\"window.pwned=true\">",
    "\"'><svg onload=window.pwned=true>",
    "</ScRiPt ><script>window.pwned=true//",
    "\u2028\u2029<!--<script>",
    "&lt;script&gt;window.pwned=true&lt;/script&gt;",
]


def hostile_check():
    folded = os.path.join(OUT, "hostile.folded")
    with open(folded, "w", encoding="utf-8") as f:
        for i, name in enumerate(HOSTILE):
            f.write("main;%s;leaf %d\n" % (name, 10 + i))
    out = pconv([folded], os.path.join(OUT, "hostile.html"), "--title", HOSTILE[0])
    scripts = page_scripts(out)
    if scripts != 2:
        fail("hostile names: the page holds %d <script elements, not 2" % scripts)
    r = browser_check([{"file": out, "hostile": True}])[0]
    for p in r["problems"]:
        fail("hostile names: %s" % p)
    if r["facts"].get("pwned"):
        fail("hostile names: a script from a name ran")
    if r["facts"].get("drawn", 0) < len(HOSTILE):
        fail("hostile names: %s frames drawn" % r["facts"].get("drawn"))
    if r["facts"].get("title") != HOSTILE[0]:
        fail("hostile names: the title reads %r" % r["facts"].get("title"))
    print("hostile names: %d frames drawn, no script ran" % r["facts"].get("drawn", 0))


def big_check():
    src = os.path.join(OUT, "big.folded")
    if not os.path.exists(src):
        gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "bench", "gen-collapsed.py")
        run([sys.executable, gen, os.path.join(CORPUS, "collapsed"), src + ".tmp"])
        os.rename(src + ".tmp", src)
    out = pconv([src], os.path.join(OUT, "big.html"), "-f", "collapsed")
    size = os.path.getsize(out)
    runs = browser_check([{"file": out, "quick": True}] * 3)
    for r in runs:
        for p in r["problems"]:
            fail("big report: %s" % p)
        if r["requests"]:
            fail("big report: requests left the page: %s" % r["requests"])
    best = min(r["facts"].get("loadMs", 1e9) for r in runs)
    drawn = runs[0]["facts"].get("drawn", 0)
    print("%d MB input -> %.2f MB report; Chromium: %d ms until drawn (best of 3), %d frames drawn"
          % (os.path.getsize(src) >> 20, size / 1e6, best, drawn))
    if size > 10 * 1000 * 1000:
        fail("big report: %d bytes, over 10 MB" % size)
    # The bar is for one free core: on a busy machine it stretches by the
    # load per core (a browser's wall time cannot be told from its CPU time).
    stretch = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    if best >= 2000 * stretch:
        fail("big report: %d ms to open, not under %.1f s (2 s x load %.1f per core)"
             % (best, 2 * stretch, stretch))
    if drawn < 10:
        fail("big report: %d frames drawn" % drawn)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
