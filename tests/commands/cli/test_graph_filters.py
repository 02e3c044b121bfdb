"""Filters on call-graph profiles recompute what they can, and say what they
estimate.

A profile with stacks is the truth: its filters act stack by stack. The same
profile written as pstats keeps only the call graph, whose filters must
follow the values along the edges:
  - on a tree-shaped profile (every function has one caller) the graph
    loses nothing, so --focus, --ignore, --root, --show-from and --leaf on
    the pstats give exactly the stack filters' values;
  - on a profile with shared callees the match keeps its own values, every
    value stays within the unfiltered one, and every output says the rest
    is estimated: ptop's header, the flame graph's subtitle, pgraph's
    caption, the HTML report's badge, the model's meta.

    test_graph_filters.py BIN_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


def run(*args):
    r = subprocess.run(args, capture_output=True)
    if r.returncode:
        fail("%s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.decode(errors="replace")))
    return r.stdout.decode("utf-8", errors="replace")


def write_folded(path, stacks):
    with open(path, "w") as f:
        for stack, n in stacks.items():
            f.write("%s %d\n" % (stack, n))


def model(tmp, path, *opts):
    out = os.path.join(tmp, "m.json")
    run(os.path.join(BIN, "pconv"), path, *opts, "-o", out)
    m = json.load(open(out))
    return {f["name"]: (f["incl"][0], f["self"][0]) for f in m["functions"]}, m


# Every function has one caller: the graph says as much as the stacks.
TREE = {
    "main;load;read": 30, "main;load;parse;tokens": 50, "main;load;parse": 20,
    "main;run;step;work": 70, "main;run;step;parse_arg": 10, "main;run;report": 15,
    "main": 5, "main;run": 8,
}
# Shared callees: "parse" is called from load and from run, "util" from everywhere.
DAG = {
    "main;load;parse;util": 30, "main;load;parse": 20, "main;run;parse;util": 10,
    "main;run;parse": 40, "main;run;util": 25, "main;load;util": 5, "main": 3,
}


def unit(tmp, folded, pstats):
    """pstats records samples as time: what one sample became."""
    return model(tmp, pstats)[1]["totals"][0] // model(tmp, folded)[1]["totals"][0]


def scaled(values, k):
    return {name: (incl * k, self * k) for name, (incl, self) in values.items()}


def tree_cases(tmp):
    folded = os.path.join(tmp, "tree.folded")
    write_folded(folded, TREE)
    pstats = os.path.join(tmp, "tree.pstats")
    run(os.path.join(BIN, "pconv"), folded, "-o", pstats)
    k = unit(tmp, folded, pstats)
    for opt, pattern in [("--focus", "^parse$"), ("--focus", "^step$"), ("--ignore", "^parse$"),
                         ("--ignore", "^load$"), ("--root", "^load$"), ("--show-from", "^run$"),
                         ("--leaf", "^parse$"), ("--leaf", "^step$"), ("--focus", "^(read|work)$")]:
        truth = scaled(model(tmp, folded, opt, pattern)[0], k)
        got, _ = model(tmp, pstats, opt, pattern)
        if truth != got:
            fail("tree %s %s: the graph gives %s, the stacks %s" % (
                opt, pattern, {k: v for k, v in got.items() if truth.get(k) != v},
                {k: v for k, v in truth.items() if got.get(k) != v}))


def dag_cases(tmp):
    folded = os.path.join(tmp, "dag.folded")
    write_folded(folded, DAG)
    pstats = os.path.join(tmp, "dag.pstats")
    run(os.path.join(BIN, "pconv"), folded, "-o", pstats)
    k = unit(tmp, folded, pstats)
    whole, _ = model(tmp, pstats)
    for opt, pattern, match in [("--focus", "^load$", "load"), ("--focus", "^parse$", "parse"),
                                ("--ignore", "^load$", None), ("--root", "^run$", "run"),
                                ("--leaf", "^parse$", "parse")]:
        truth = scaled(model(tmp, folded, opt, pattern)[0], k)
        got, m = model(tmp, pstats, opt, pattern)
        if match and got.get(match) != truth.get(match):
            fail("dag %s %s: the match %s is %s, the stacks say %s" % (
                opt, pattern, match, got.get(match), truth.get(match)))
        for name, (incl, self) in got.items():
            # (--leaf makes the match's callees its own)
            if not (0 <= self <= incl <= whole[name][0] and (self <= whole[name][1] or name == match)):
                fail("dag %s %s: %s went from %s to %s" % (opt, pattern, name, whole[name], (incl, self)))
        if set(got) - set(whole):
            fail("dag %s %s: new functions %s" % (opt, pattern, set(got) - set(whole)))
        if truth != got and "filter.estimated" not in m["meta"]:
            fail("dag %s %s: estimated values without meta filter.estimated" % (opt, pattern))

    # Every output says so.
    est = "^parse$"
    ptop = run(os.path.join(BIN, "ptop"), pstats, "--focus", est)
    head = ptop.split("Ordered by")[0]
    if "Estimated:" not in head:
        fail("ptop's header does not say the values are estimated:\n" + head)
    svg = os.path.join(tmp, "f.svg")
    run(os.path.join(BIN, "pconv"), pstats, "--focus", est, "-o", svg)
    if "filtered without stacks" not in open(svg, encoding="utf-8").read():
        fail("the flame graph's subtitle does not say the filter estimated")
    dot = run(os.path.join(BIN, "pgraph"), pstats, "--focus", est)
    if "ESTIMATED:" not in dot:
        fail("pgraph's caption does not say the filter estimated")
    html = os.path.join(tmp, "r.html")
    run(os.path.join(BIN, "pconv"), pstats, "--focus", est, "-o", html)
    if '"filter_estimated"' not in open(html, encoding="utf-8").read():
        fail("the HTML report does not carry the estimate's note")
    # The stacks themselves are exact: nothing said.
    if "Estimated:" in run(os.path.join(BIN, "ptop"), folded, "--focus", est).split("Ordered by")[0]:
        fail("ptop says a stack profile's filter is estimated")


with tempfile.TemporaryDirectory() as tmp:
    tree_cases(tmp)
    dag_cases(tmp)
print("%d failures" % failures)
sys.exit(1 if failures else 0)
