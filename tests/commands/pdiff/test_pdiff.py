#!/usr/bin/env python3
"""pdiff and pfilter against independent computations on the corpus.

usage: test_pdiff.py MODE BINDIR SHAREDDIR WORKDIR
  difffolded  every diff_*.folded of corpus/collapsed is reproduced from its
              two columns as two inputs (with --normalize for the -n output),
              and diff_recursion from the austin captures it was made from
  pstats      pdiff --json of corpus pstats pairs equals the deltas of their
              FILE.expected.json (per (file, line, name) with --lines, per
              (file, name) by default)
  filters     pfilter on corpus collapsed files equals stacks filtered here
  graph       pfilter on corpus pstats files keeps the invariants of each filter
  fail        --fail-above / --fail-on exit statuses; bad input exits 2
  dot         -o diff.dot: the call graph coloured by change (red grew, blue shrank)
"""
import json
import math
import os
import re
import subprocess
import sys
from collections import defaultdict

MODE, BIN, SHARED, WORK = sys.argv[1:5]
CORPUS = os.path.join(SHARED, "corpus")
RECORD = re.compile(r"^(.*?)\s+(\d+(?:\.\d+)?)$")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(cmd, expect=0):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != expect:
        check(False, "%s -> %d (want %d): %s" % (" ".join(cmd), r.returncode, expect, r.stderr))
    return r


def read_folded(path):
    """Stacks -> count, as the collapsed reader takes them (# and blank lines
    skipped, decimal counts rounded)."""
    stacks = defaultdict(int)
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            m = RECORD.match(line)
            if m:
                stacks[m.group(1)] += int(float(m.group(2)) + 0.5)
    return stacks


def read_diff(path):
    out = {}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            stack, a, b = line.rstrip("\n").rsplit(" ", 2)
            out[stack] = (int(a), int(b))
    return out


def plain(stack):
    """A stack whose frames no producer's dialect parses (docs/collapsed.md):
    each frame's whole text is its function, as these checks count them."""
    return stack.replace("(", "[").replace(")", "]").replace(":", "|")


def plain_folded(path, name):
    """A copy of a folded file in plain frames, for the text-level checks."""
    out = os.path.join(WORK, name + ".plain.folded")
    write_folded(out, {plain(s): c for s, c in read_folded(path).items()})
    return out


def write_folded(path, stacks):
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        for stack, count in stacks.items():
            if count > 0:
                f.write("%s %d\n" % (stack, count))


# ---- difffolded ----

def difffolded():
    folder = os.path.join(CORPUS, "collapsed")
    diffs = sorted(n for n in os.listdir(folder) if n.startswith("diff_") and n.endswith(".folded"))
    check(diffs, "no diff_*.folded in the corpus")
    for name in diffs:
        normalized = "_normalized_" in name
        # The -n output's inputs are the columns of the plain diff of the same pair.
        source = name.replace("_normalized_", "_") if normalized else name
        cols = read_diff(os.path.join(folder, source))
        before = os.path.join(WORK, name + ".before.folded")
        after = os.path.join(WORK, name + ".after.folded")
        write_folded(before, {plain(s): c[0] for s, c in cols.items()})
        write_folded(after, {plain(s): c[1] for s, c in cols.items()})
        out = os.path.join(WORK, name)
        # difffolded.pl compares whole frame texts: so does --full-paths.
        cmd = [os.path.join(BIN, "pdiff"), before, after, "-o", out, "--full-paths"]
        run(cmd + (["--normalize"] if normalized else []))
        want = {plain(s): c for s, c in read_diff(os.path.join(folder, name)).items()}
        got = read_diff(out)
        # difffolded prints stacks seen only with count 0 too; pdiff does not.
        want = {s: c for s, c in want.items() if c != (0, 0)}
        check(got == want, "%s: %d stacks differ" % (name, len(set(got.items()) ^ set(want.items()))))
        oracle = json.load(open(os.path.join(folder, name + ".expected.json")))
        check(sum(c[0] for c in got.values()) == oracle["total_count_first_column"], name + " first total")
        check(sum(c[1] for c in got.values()) == oracle["total_count_second_column"], name + " second total")
    austin_pair()


def austin_pair():
    """diff_recursion_py311_vs_py313 was made from these captures, frames
    written `file:function` and counts in microseconds."""
    a = os.path.join(CORPUS, "austin")
    before = os.path.join(a, "a37_wall_recursion_py311.austin")
    after = os.path.join(a, "a37_twin_wall_recursion_py313.austin")
    want_path = os.path.join(CORPUS, "collapsed", "diff_recursion_py311_vs_py313.folded")
    if not (os.path.exists(before) and os.path.exists(after) and os.path.exists(want_path)):
        return
    out = os.path.join(WORK, "austin_pair.folded")
    run([os.path.join(BIN, "pdiff"), before, after, "-o", out, "--full-paths"])
    frame = re.compile(r"^(.*) \((.*)\)$")
    got = {}
    for stack, (b, c) in read_diff(out).items():
        if not stack:  # samples without frames: in the total, not in the oracle's stacks
            continue
        # A frame without a file was written `:function`.
        frames = [frame.sub(r"\2:\1", f) if frame.match(f) else ":" + f for f in stack.split(";")]
        got[";".join(frames)] = (b // 1000, c // 1000)
    want = read_diff(want_path)
    check(got == want, "austin pair: %d stacks differ" % len(set(got.items()) ^ set(want.items())))


# ---- pstats ----

def stdlib_key(path):
    """pdiff's default: files of the standard library and of site-packages
    by their path below that root, whatever the interpreter's prefix."""
    p = path.replace("\\", "/")
    for root, key in (("-packages/", "<site-packages>/"),):
        m = re.match(r"^.*?/lib/python[0-9.]*/(site|dist)-packages/", p) or \
            re.match(r"(?i)^[a-z]:/.*?/lib/site-packages/", p)
        if m:
            return key + path[m.end():]
    m = re.match(r"^.*?/lib/python[0-9]+\.[0-9]+/", p) or re.match(r"(?i)^[a-z]:/.*?/python[0-9]*/lib/", p)
    return "<stdlib>/" + path[m.end():] if m else path


def pstats_values(path, by_line):
    """(file, [line,] name) -> [self ns, incl ns], from the oracle."""
    oracle = json.load(open(path + ".expected.json"))
    out = defaultdict(lambda: [0, 0])
    for f in oracle["functions"]:
        if isinstance(f["name"], dict):  # a code object names it (profile module)
            f["name"] = f["name"]["co_name"]
        file = stdlib_key(f["file"])
        key = (file, f["line"], f["name"]) if by_line else (file, f["name"])
        out[key][0] += round(f["tt"] * 1e9)  # noqa
        out[key][1] += round(f["ct"] * 1e9)
    return out, len(oracle["functions"])


def pstats():
    folder = os.path.join(CORPUS, "pstats")
    files = sorted(n for n in os.listdir(folder)
                   if n.endswith(".pstats") and os.path.exists(os.path.join(folder, n + ".expected.json")))
    # Each file against the next one of the same program.
    pairs = [(a, b) for a, b in zip(files, files[1:]) if a.split(".")[0] == b.split(".")[0]]
    check(pairs, "no pstats pairs in the corpus")
    matched = 0
    for a, b in pairs:
        for by_line in (True, False):
            pa, pb = os.path.join(folder, a), os.path.join(folder, b)
            va, na = pstats_values(pa, by_line)
            vb, nb = pstats_values(pb, by_line)
            cmd = [os.path.join(BIN, "pdiff"), pa, pb, "--json", "-n", "all"] + (["--lines"] if by_line else [])
            r = run(cmd)
            if r.returncode:
                continue
            got = json.loads(r.stdout)
            rows = {}
            for f in got["functions"]:
                key = (f["file"], f["line"], f["name"]) if by_line else (f["file"], f["name"])
                rows[key] = f
            keys = set(va) | set(vb)
            nonzero = {k for k in keys if any(va.get(k, [0, 0])) or any(vb.get(k, [0, 0]))}
            check(set(rows) == nonzero, "%s vs %s: functions differ (%d vs %d)" % (a, b, len(rows), len(nonzero)))
            # Rounding: each oracle entry summed into a key may be 1 ns off.
            tol = 1 if by_line else max(na, nb)
            for k in nonzero & set(rows):
                for i, col in enumerate(("self", "incl")):
                    before, after = va.get(k, [0, 0])[i], vb.get(k, [0, 0])[i]
                    g = rows[k][col]
                    ok = abs(g["before"] - before) <= tol and abs(g["after"] - after) <= tol and \
                        abs(g["change"] - (after - before)) <= 2 * tol
                    check(ok, "%s vs %s %s %s: %s != %d -> %d" % (a, b, k, col, g, before, after))
                    if ok:
                        matched += 1
            tb = sum(v[0] for v in va.values())
            ta = sum(v[0] for v in vb.values())
            check(abs(got["total"]["before"] - tb) <= na and abs(got["total"]["after"] - ta) <= nb,
                  "%s vs %s totals %s != %d, %d" % (a, b, got["total"], tb, ta))
    print("pstats: %d values matched over %d pairs" % (matched, len(pairs)))


# ---- filters ----

def ere_escape(s):
    return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", s)


def prune_from(frames, rx):
    seen_other = False
    for i, f in enumerate(frames):
        if not rx.search(f):
            seen_other = True
        elif seen_other:
            return frames[:i + 1]
    return frames


def expected(stacks, opt, arg):
    rx = re.compile(arg) if isinstance(arg, str) else None
    total = sum(stacks.values())
    incl = defaultdict(int)  # counted once per stack
    for stack, count in stacks.items():
        for f in set(stack.split(";")):
            incl[f] += count
    out = defaultdict(int)
    for stack, count in stacks.items():
        fr = stack.split(";")
        if opt == "--focus" and not any(rx.search(f) for f in fr):
            continue
        if opt == "--ignore" and any(rx.search(f) for f in fr):
            continue
        if opt == "--hide":
            fr = [f for f in fr if not rx.search(f)]
        if opt == "--show":
            fr = [f for f in fr if rx.search(f)]
        if opt in ("--show-from", "--root"):
            idx = [i for i, f in enumerate(fr) if rx.search(f)]
            if not idx:
                continue
            fr = fr[idx[0]:]
        if opt == "--leaf":
            idx = [i for i, f in enumerate(fr) if rx.search(f)]
            if not idx:
                continue
            fr = fr[:idx[-1] + 1]
        if opt == "--prune-from":
            fr = prune_from(fr, rx)
        if opt == "--depth":
            fr = fr[:arg]
        if opt == "--threshold":
            fr = [f for f in fr if incl[f] >= arg * total]
        if opt == "--collapse-recursion":
            fr = [f for i, f in enumerate(fr) if i == 0 or fr[i - 1] != f]
        if fr and count:
            out[";".join(fr)] += count
    return dict(out)


def filters():
    folder = os.path.join(CORPUS, "collapsed")
    names = sorted(n for n in os.listdir(folder)
                   if n.endswith(".folded") and not n.startswith("diff_") and ".austin." not in n)
    check(names, "no collapsed files")
    cases = 0
    for name in names:
        path = plain_folded(os.path.join(folder, name), name)
        stacks = read_folded(path)
        # Plain frames only: annotated ones (_[k]) keep their suffix in a file.
        frames = defaultdict(int)
        for stack, count in stacks.items():
            for f in set(stack.split(";")):
                if not f.endswith("]") and " " not in f[-3:]:
                    frames[f] += count
        ranked = sorted(frames, key=lambda f: (-frames[f], f))
        if len(ranked) < 4:
            continue
        # A frame on the hot path and one further down: both match many stacks.
        patterns = [ere_escape(ranked[1]), ere_escape(ranked[len(ranked) // 3])]
        opts = [(o, p) for o in ("--focus", "--ignore", "--hide", "--show", "--show-from",
                                 "--prune-from", "--root", "--leaf") for p in patterns]
        opts += [("--depth", 1), ("--depth", 3), ("--collapse-recursion", None),
                 ("--threshold", 0.05)]
        for opt, arg in opts:
            out = os.path.join(WORK, "%s.%s.folded" % (name, opt.strip("-")))
            cmd = [os.path.join(BIN, "pfilter"), path, opt] + ([str(arg)] if arg is not None else [])
            r = run(cmd + ["-o", out])
            if r.returncode:
                continue
            got = read_folded(out)
            want = expected(stacks, opt, arg)
            check(got == want, "%s %s %s: %d stacks differ" % (name, opt, arg, len(set(got.items()) ^ set(want.items()))))
            cases += 1
            if opt == "--focus":
                # The model keeps only the functions of the kept stacks.
                js = out + ".json"
                run(cmd + ["-o", js])
                names = {f["name"] for f in json.load(open(js))["functions"]}
                frames = {re.sub(r"_\[[kji]\]$", "", f) for st in want for f in st.split(";")}
                check(names == frames, "%s --focus: %d functions, %d frames" % (name, len(names), len(frames)))
    print("filters: %d cases" % cases)
    merge_folded()


def merge_folded():
    """--merge of two folded files is the sum of their stacks."""
    cols = read_diff(os.path.join(CORPUS, "collapsed", "diff_recursion_py311_vs_py313.folded"))
    a, b = os.path.join(WORK, "m.a.folded"), os.path.join(WORK, "m.b.folded")
    write_folded(a, {plain(s): c[0] for s, c in cols.items()})
    write_folded(b, {plain(s): c[1] for s, c in cols.items()})
    out = os.path.join(WORK, "m.folded")
    run([os.path.join(BIN, "pconv"), "--merge", a, b, "-o", out])
    want = {plain(s): c[0] + c[1] for s, c in cols.items() if c[0] + c[1]}
    check(read_folded(out) == dict(want), "--merge of two folded files")


# ---- filters on a call graph (pstats) ----

def model(path, *opts):
    out = os.path.join(WORK, "model.json")
    r = run([os.path.join(BIN, "pconv"), path] + list(opts) + ["-o", out])
    return json.load(open(out)) if r.returncode == 0 else None


def graph():
    folder = os.path.join(CORPUS, "pstats")
    files = sorted(n for n in os.listdir(folder) if n.endswith(".pstats"))
    check(files, "no pstats files")
    cases = 0
    for name in files:
        path = os.path.join(folder, name)
        base = model(path)
        if not base or not base["functions"]:
            continue
        total = base["totals"][0]
        names = sorted({f["name"] for f in base["functions"]}, key=lambda n: (len(n), n))
        word = names[len(names) // 2]
        rx = re.compile(ere_escape(word))
        m = model(path, "--strip-dirs")
        check(m and all("/" not in f["file"] for f in m["functions"]) and m["totals"][0] == total,
              name + " --strip-dirs")
        m = model(path, "--ignore", ere_escape(word))
        check(m and not any(rx.search(f["name"]) or rx.search(f["file"]) for f in m["functions"]),
              name + " --ignore")
        # Estimated, unless what went had nothing to share with what stays:
        # then what stays is untouched.
        before = {(f["name"], f["file"], f["line"]): (f["incl"], f["self"]) for f in base["functions"]}
        check(m and ("filter.estimated" in m.get("meta", {}) or all(
            before.get((f["name"], f["file"], f["line"])) == (f["incl"], f["self"])
            for f in m["functions"])),
              name + " --ignore is marked estimated or exact")
        m = model(path, "--focus", ere_escape(word))
        kept = {(f["name"], f["file"]) for f in m["functions"]} if m else set()
        check(all((f["name"], f["file"]) in kept for f in base["functions"]
                  if rx.search(f["name"]) or rx.search(f["file"])), name + " --focus keeps matches")
        m = model(path, "--threshold", "0.1")
        check(m and all(f["incl"][0] >= 0.1 * total for f in m["functions"]), name + " --threshold")
        cases += 4
    a, b = os.path.join(folder, files[0]), os.path.join(folder, files[1])
    m = model(a, "--merge", b)
    check(m and m["totals"][0] == model(a)["totals"][0] + model(b)["totals"][0], "--merge of pstats")
    print("graph: %d cases" % cases)


# ---- fail ----

def fail():
    folder = os.path.join(CORPUS, "collapsed")
    cols = read_diff(os.path.join(folder, "diff_recursion_py311_vs_py313.folded"))
    before = os.path.join(WORK, "fail.before.folded")
    after = os.path.join(WORK, "fail.after.folded")
    write_folded(before, {s: c[0] for s, c in cols.items()})
    write_folded(after, {s: c[1] for s, c in cols.items()})
    pdiff = os.path.join(BIN, "pdiff")
    tb = sum(c[0] for c in cols.values())
    ta = sum(c[1] for c in cols.values())
    growth = 100.0 * (tb - ta) / ta  # after -> before grows by this much
    run([pdiff, before, after, "--fail-above", "0"], 0)  # the total shrank
    run([pdiff, after, before, "--fail-above", "%.3f" % (growth - 0.01)], 1)
    run([pdiff, after, before, "--fail-above", "%.3f" % (growth + 0.01)], 0)
    # Scaled to the same total, is_even's inclusive value grew by about 54 %
    # while hanoi's shrank.
    norm = [pdiff, before, after, "--normalize", "--fail-above"]
    run(norm + ["10", "--fail-on", "is_even"], 1)
    run(norm + ["60", "--fail-on", "is_even"], 0)
    run(norm + ["10", "--fail-on", "hanoi"], 0)
    run(norm + ["10"], 0)
    aligned()
    damaged()
    junk = os.path.join(WORK, "junk.bin")
    with open(junk, "wb") as f:
        f.write(bytes(range(256)) * 4)
    run([pdiff, junk, after], 2)
    run([pdiff, before], 2)
    run([pdiff, before, after, "--fail-on", "("], 2)
    run([os.path.join(BIN, "pfilter"), before, "--focus", "(", "-o", "-", "-t", "collapsed"], 2)


def no_change(cmd, what):
    r = run(cmd + ["--json", "-n", "all"])
    if r.returncode:
        return
    got = json.loads(r.stdout)
    changed = [f["name"] for f in got["functions"] if f["incl"]["change"] or f["self"]["change"]]
    check(got["functions"] and not changed, "%s: %d functions changed" % (what, len(changed)))


def aligned():
    """--map and --strip-prefix align the same profile under other paths."""
    pdiff = os.path.join(BIN, "pdiff")
    folded = os.path.join(CORPUS, "collapsed", "austin37_memory_alloc_gcheavy_py313.folded")
    moved = os.path.join(WORK, "moved.folded")
    with open(folded, encoding="utf-8") as f, open(moved, "w", encoding="utf-8") as g:
        g.write(f.read().replace("/srv/demo/", "/home/ci/app/"))
    no_change([pdiff, folded, moved, "--map", "^/home/ci/app/=/srv/demo/"], "--map on folded frames")
    r = run([pdiff, folded, moved, "--json", "-n", "all"])
    statuses = {f["status"] for f in json.loads(r.stdout)["functions"]} if not r.returncode else set()
    check({"new", "gone"} <= statuses, "without --map the moved functions are new and gone")
    austin = os.path.join(CORPUS, "austin", "a37_wall_recursion_py311.austin")
    if os.path.exists(austin):
        moved = os.path.join(WORK, "moved.austin")
        with open(austin, encoding="utf-8") as f, open(moved, "w", encoding="utf-8") as g:
            g.write(f.read().replace("/srv/demo/", "/home/ci/app/"))
        no_change([pdiff, austin, moved, "--strip-prefix", "/srv/demo/", "--strip-prefix",
                   "/home/ci/app/"], "--strip-prefix on austin files")
        no_change([pdiff, austin, moved, "--map", "/home/ci/app/(.*)=/srv/demo/\\1"],
                  "--map with a group on austin files")


def damaged():
    """Cut inputs: a clean error (2) or a profile (0, 1), never a crash."""
    pstats_dir = os.path.join(CORPUS, "pstats")
    name = sorted(n for n in os.listdir(pstats_dir) if n.endswith(".pstats"))[0]
    data = open(os.path.join(pstats_dir, name), "rb").read()
    cut = os.path.join(WORK, "cut.pstats")
    whole = os.path.join(pstats_dir, name)
    for n in range(0, len(data), max(1, len(data) // 40)):
        with open(cut, "wb") as f:
            f.write(data[:n])
        for cmd in ([os.path.join(BIN, "pdiff"), whole, cut, "-o", cut + ".svg"],
                    [os.path.join(BIN, "pfilter"), cut, "--focus", "a", "-o", cut + ".folded"]):
            r = subprocess.run(cmd, capture_output=True)
            check(r.returncode in (0, 2), "%s cut at %d: status %d" % (cmd[0], n, r.returncode))


def dot_colors():
    """The differential call graph: a function that grew is red, one that
    shrank blue, one unchanged faint; read back through Graphviz's JSON."""
    before, after = os.path.join(WORK, "before.folded"), os.path.join(WORK, "after.folded")
    write_folded(before, {"main;grow": 10, "main;shrink": 40, "main;same": 20})
    write_folded(after, {"main;grow": 50, "main;shrink": 5, "main;same": 20})
    out = os.path.join(WORK, "diff.dot")
    run([os.path.join(BIN, "pdiff"), before, after, "-o", out])
    r = subprocess.run(["dot", "-Tjson0", out], capture_output=True, text=True)
    check(r.returncode == 0, "dot cannot read the differential graph: " + r.stderr)
    if r.returncode:
        return
    colors = {}
    for obj in json.loads(r.stdout).get("objects", []):
        name = obj.get("label", "").split("\\n")[0].split("\n")[0]
        if obj.get("color", "").startswith("#"):
            colors[name] = tuple(int(obj["color"][i:i + 2], 16) for i in (1, 3, 5))
    grow, shrink, same = colors.get("grow"), colors.get("shrink"), colors.get("same")
    check(grow and grow[0] > grow[2] + 100, "grown function not red: %s" % (grow,))
    check(shrink and shrink[2] > shrink[0] + 100, "shrunk function not blue: %s" % (shrink,))
    check(same and min(same) > 200, "unchanged function not faint: %s" % (same,))


os.makedirs(WORK, exist_ok=True)
{"dot": dot_colors, "difffolded": difffolded, "pstats": pstats, "filters": filters, "graph": graph, "fail": fail}[MODE]()
if failures:
    print("%d failures" % len(failures))
    sys.exit(1)
print("ok")
