#!/usr/bin/env python3
"""pgraph's gprof2dot options against gprof2dot itself, run on the same input.

  test_pgraph_options.py PGRAPH GPROF2DOT SHARED OUTDIR

  -c MAP and --skew: for every colour map and a few skews, on corpus pstats
      files, every function and call both draw has the same colour, font
      colour and font size, every call the same pen width, and the boxes the
      same style.
  --list-functions: the same functions as gprof2dot's --list-functions (after
      the same thresholds), in gprof2dot's "module:line:name" naming.
  --show-samples: on stack profiles, each function's line of samples is its
      own samples (checked against the folded stacks themselves); refused on
      a profile without samples.
  --total callratios|callstacks: callstacks is what the stacks say;
      callratios carries self values up the calls as gprof2dot does, checked
      against gprof2dot -f collapse --total callratios on the same stacks.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_pgraph import esc_string, module_key, parse_dot  # noqa: E402

COLORMAPS = ("color", "pink", "gray", "bw", "print")
SKEWS = (None, "0.3")
PSTATS = ("bootstrap.deb311.cProfile.pstats", "fib.deb311.profile.pstats")


def run(cmd):
    return subprocess.run(cmd, capture_output=True)


def their_nodes(text):
    """gprof2dot's dot: node key ("module:line:name") -> attrs, and edges."""
    nodes, edges = parse_dot(text)
    key = {}
    for node, attrs in nodes.items():
        if "label" in attrs:
            lines = esc_string(attrs["label"]).split("\n")
            key[node] = lines[0]
    return ({key[n]: a for n, a in nodes.items() if n in key},
            {(key[t], key[h]): a for t, h, a in edges if t in key and h in key})


def my_nodes(text):
    """pgraph's dot: the same keys, from the tooltips "name\\nfile:line"."""
    nodes, edges = parse_dot(text)
    key = {}
    for node, attrs in nodes.items():
        if "tooltip" in attrs:
            t = esc_string(attrs["tooltip"]).replace("&amp;", "&")
            name, location = t.rsplit("\n", 1) if "\n" in t else (t, ":0")
            file, line = location.rsplit(":", 1)
            key[node] = module_key(file, line, name)
    return ({key[n]: a for n, a in nodes.items() if n in key},
            {(key[t], key[h]): a for t, h, a in edges if t in key and h in key})


def close_colors(a, b):
    """Equal colours, but for one step of rounding per channel."""
    if a == b:
        return True
    if not (re.fullmatch(r"#[0-9a-f]{6}", a) and re.fullmatch(r"#[0-9a-f]{6}", b)):
        return False
    return all(abs(int(a[i:i + 2], 16) - int(b[i:i + 2], 16)) <= 1 for i in (1, 3, 5))


def close_numbers(a, b, tolerance=0.02):
    return abs(float(a) - float(b)) <= tolerance


def node_style(text):
    m = re.search(r"node \[[^\]]*style=(\w+)", text)
    return m.group(1) if m else None


def check_colormaps(pgraph, gprof2dot, shared, outdir):
    errors, compared = [], 0
    for base in PSTATS:
        path = os.path.join(shared, "corpus", "pstats", base)
        for cmap in COLORMAPS:
            for skew in SKEWS:
                extra = ["--skew", skew] if skew else []
                mine_path = os.path.join(outdir, "%s.%s.%s.dot" % (base, cmap, skew))
                theirs_path = mine_path + ".gprof2dot"
                r = run([pgraph, path, "-c", cmap, "-o", mine_path] + extra)
                if r.returncode != 0:
                    errors.append("pgraph -c %s %s: %s" % (cmap, base, r.stderr.decode()))
                    continue
                r = run(["python3", gprof2dot, "-f", "pstats", "-c", cmap, path,
                         "-o", theirs_path] + extra)
                if r.returncode != 0:
                    errors.append("gprof2dot -c %s %s: %s" % (cmap, base, r.stderr.decode()))
                    continue
                mine_text, theirs_text = open(mine_path).read(), open(theirs_path).read()
                mn, me = my_nodes(mine_text)
                tn, te = their_nodes(theirs_text)
                what = "%s -c %s --skew %s" % (base, cmap, skew)
                if node_style(mine_text) != node_style(theirs_text):
                    errors.append("%s: box style %s, gprof2dot's %s" % (
                        what, node_style(mine_text), node_style(theirs_text)))
                both = set(mn) & set(tn)
                if len(both) < 5:
                    errors.append("%s: only %d functions in common" % (what, len(both)))
                for k in sorted(both):
                    a, b = mn[k], tn[k]
                    for attr in ("color", "fontcolor"):
                        if not close_colors(a.get(attr, ""), b.get(attr, "")):
                            errors.append("%s: %s %s %s, gprof2dot's %s" % (
                                what, k, attr, a.get(attr), b.get(attr)))
                    if not close_numbers(a.get("fontsize", "0"), b.get("fontsize", "0")):
                        errors.append("%s: %s fontsize %s, gprof2dot's %s" % (
                            what, k, a.get("fontsize"), b.get("fontsize")))
                for k in sorted(set(me) & set(te)):
                    a, b = me[k], te[k]
                    if not close_colors(a.get("color", ""), b.get("color", "")):
                        errors.append("%s: call %s colour %s, gprof2dot's %s" % (
                            what, k, a.get("color"), b.get("color")))
                    for attr in ("penwidth", "fontsize", "arrowsize"):
                        if not close_numbers(a.get(attr, "0"), b.get(attr, "0")):
                            errors.append("%s: call %s %s %s, gprof2dot's %s" % (
                                what, k, attr, a.get(attr), b.get(attr)))
                compared += 1
    print("colour maps: %d graphs compared with gprof2dot's" % compared)
    return errors[:40]


def gprof2dot_key(entry):
    """A --list-functions line of ours, "file:line(name)" as pstats prints it,
    in gprof2dot's "module:line:name"; builtins are "{name}" with <> as {}."""
    m = re.fullmatch(r"(.*):(\d+)\((.*)\)", entry)
    if m:
        return module_key(m.group(1), m.group(2), m.group(3))
    if entry.startswith("{") and entry.endswith("}"):
        return "~:0:<" + entry[1:-1] + ">"
    return "~:0:" + entry


def check_list_functions(pgraph, gprof2dot, shared, outdir):
    errors, compared = [], 0
    folder = os.path.join(shared, "corpus", "pstats")
    # the files gprof2dot reads (it has an oracle beside them)
    files = sorted(f for f in os.listdir(folder) if f.endswith(".cProfile.pstats") and
                   os.path.exists(os.path.join(folder, f + ".gprof2dot.dot")))
    for base in files[:6]:
        path = os.path.join(folder, base)
        for thres in ([], ["--node-thres", "0", "--edge-thres", "0"]):
            mine = run([pgraph, path, "--list-functions", "+"] + thres)
            theirs = run(["python3", gprof2dot, "-f", "pstats", path, "--list-functions", "+",
                          "-o", os.devnull] + [t.replace("--node-thres", "-n").replace(
                              "--edge-thres", "-e") for t in thres])
            if mine.returncode != 0 or theirs.returncode != 0:
                errors.append("%s: --list-functions failed: %s %s" % (
                    base, mine.stderr.decode()[:200], theirs.stderr.decode()[:200]))
                continue
            ours = sorted(gprof2dot_key(l) for l in mine.stdout.decode().splitlines())
            their = sorted(l.rstrip(",").split("\t")[-1]
                           for l in theirs.stderr.decode().splitlines() if l.strip())
            if ours != their:
                errors.append("%s %s: only ours %s, only gprof2dot's %s" % (
                    base, thres, sorted(set(ours) - set(their))[:4],
                    sorted(set(their) - set(ours))[:4]))
            compared += 1
        # A pattern keeps what it matches, hottest first; one matching nothing is an error.
        mine = run([pgraph, path, "--list-functions", "(?i)<MODULE>"]).stdout.decode().splitlines()
        if not mine or any("<module>" not in l for l in mine):
            errors.append("%s: --list-functions '(?i)<MODULE>' listed %s" % (base, mine[:3]))
        r = run([pgraph, path, "--list-functions", "no_such_function"])
        if r.returncode != 2 or r.stdout or len(r.stderr.decode().splitlines()) != 1:
            errors.append("%s: --list-functions matching nothing: rc %d" % (base, r.returncode))
    print("--list-functions: %d lists compared with gprof2dot's" % compared)
    return errors


# A hand-made profile whose values are known: a tree, a self-recursive b, a
# recursion cycle e <-> f, and c and d each called from two places.
STACKS = [("main;a;c", 10), ("main;b;c", 30), ("main;a", 5), ("main;b;d", 20),
          ("main;b;b;d", 4), ("main", 1), ("main;e;f;e;f;g", 7), ("main;e;f", 3)]


def perf_script(stacks):
    """The stacks as `perf script` prints them, which both programs read."""
    out, t = [], 1.0
    for stack, n in stacks:
        for _ in range(n):
            out.append("prog 100 %.6f: 1 cpu-clock:" % t)
            t += 0.001
            out += ["\t%x %s+0x1 (/usr/bin/prog)" % (0x1000 + k, f)
                    for k, f in enumerate(reversed(stack.split(";")))]
            out.append("")
    return "\n".join(out) + "\n"


def labelled(text, mine):
    """name -> (total %, self %, samples) and (caller, callee) -> total %."""
    nodes, edges = parse_dot(text)
    funcs, names = {}, {}
    for node, attrs in nodes.items():
        lines = esc_string(attrs.get("label", "")).split("\n")
        if not mine:
            lines = lines[1:]  # gprof2dot's first line is the module
        if len(lines) < 4 or not lines[1].endswith("%"):
            continue
        names[node] = lines[0]
        samples = re.match(r"(\d+)", lines[3]).group(1)
        funcs[lines[0]] = (lines[1], lines[2], samples)
    calls = {(names[t], names[h]): esc_string(a.get("label", "")).split("\n")[0]
             for t, h, a in edges if t in names and h in names}
    return funcs, calls


def check_totals(pgraph, gprof2dot, outdir):
    errors = []
    path = os.path.join(outdir, "known.perf.txt")
    with open(path, "w") as f:
        f.write(perf_script(STACKS))
    cycle = {"e", "f"}
    for method in ("callstacks", "callratios"):
        mine = run([pgraph, path, "--metric", "samples", "--node-thres", "0", "--edge-thres", "0",
                    "--show-samples", "--total", method])
        theirs = run(["python3", gprof2dot, "-f", "perf", "-n0", "-e0", "--show-samples",
                      "--total", method, path])
        if mine.returncode != 0 or theirs.returncode != 0:
            errors.append("--total %s failed: %s %s" % (method, mine.stderr.decode()[:300],
                                                         theirs.stderr.decode()[-300:]))
            continue
        my_funcs, my_calls = labelled(mine.stdout.decode(), True)
        their_funcs, their_calls = labelled(theirs.stdout.decode(), False)
        if len(their_funcs) != 8:
            errors.append("gprof2dot's graph has %d functions" % len(their_funcs))
        for name, values in sorted(their_funcs.items()):
            if my_funcs.get(name) != values:
                errors.append("--total %s: %s: total, self, samples %s, gprof2dot's %s" % (
                    method, name, my_funcs.get(name), values))
        for call, value in sorted(their_calls.items()):
            if call[0] == call[1] or set(call) <= cycle or not value:
                continue  # gprof2dot leaves these without a total
            if my_calls.get(call) != value:
                errors.append("--total %s: call %s: %s, gprof2dot's %s" % (
                    method, call, my_calls.get(call), value))
        caption = "totals estimated from call ratios" in mine.stdout.decode()
        if caption != (method == "callratios"):
            errors.append("--total %s: the caption %s the estimate" % (
                method, "tells" if caption else "does not tell"))
    r = run([pgraph, path, "--metric", "samples", "--node-thres", "0", "--show-samples"])
    if r.returncode != 0 or "40 samples" not in r.stdout.decode():
        errors.append("--show-samples: c's 40 own samples not shown")
    return errors


def check_refusals(pgraph, shared):
    errors = []
    pstats = os.path.join(shared, "corpus", "pstats", PSTATS[0])
    for args, message in ((["--show-samples"], "--show-samples: the profile counts no samples"),
                          (["-c", "blue"], "unknown --colormap 'blue'"),
                          (["--skew", "0"], "bad --skew '0'"),
                          (["--total", "stacks"], "unknown --total 'stacks'")):
        r = run([pgraph, pstats] + args)
        err = r.stderr.decode()
        if r.returncode != 2 or r.stdout or len(err.splitlines()) != 1 or message not in err:
            errors.append("pgraph %s: rc %d, %r" % (" ".join(args), r.returncode, err))
    return errors


def main():
    pgraph, gprof2dot, shared, outdir = sys.argv[1:5]
    os.makedirs(outdir, exist_ok=True)
    errors = check_colormaps(pgraph, gprof2dot, shared, outdir)
    errors += check_list_functions(pgraph, gprof2dot, shared, outdir)
    errors += check_totals(pgraph, gprof2dot, outdir)
    errors += check_refusals(pgraph, shared)
    for e in errors:
        print("FAIL:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
