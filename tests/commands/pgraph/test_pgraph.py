#!/usr/bin/env python3
"""pgraph against gprof2dot and Graphviz.

  test_pgraph.py unit UNIT_BIN OUTDIR
      run the unit program, then Graphviz must parse what it wrote and the
      hostile names must come back intact.
  test_pgraph.py gprof2dot PGRAPH SHARED OUTDIR
      for every corpus pstats file F with F.gprof2dot.dot: the functions kept
      at the default thresholds are the ones gprof2dot kept, except the
      differences listed in DELIBERATE (names: RENAMED), and so are the calls
      drawn between them; Graphviz parses every output.
  test_pgraph.py render PGRAPH SHARED OUTDIR
      every corpus pstats file renders to a PNG; every other corpus profile
      that is read gives a graph Graphviz parses.
"""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

# Functions named differently, each listed: (file, gprof2dot's name) -> ours.
# The pure-Python profiler (producer "profile") keys its fake top frame with
# the script's code object; the pstats reader names it by the code object's
# co_name (shared/formats/pstats.md section 5), gprof2dot by Python's repr of
# the code object (with a memory address). Same function, kept by both.
RENAMED = {
    ("fib.deb311.profile.pstats",
     'profile:0:<code object <module> at 0x7f53cc0e2780, file "/srv/demo/fib.py", line 1>'):
        "profile:0:<module>",
    ("fib.py312.profile.pstats",
     'profile:0:<code object <module> at 0x7f07618d4930, file "/srv/demo/fib.py", line 1>'):
        "profile:0:<module>",
    ("weird_names.deb311.profile.pstats",
     'profile:0:<code object <module> at 0x7f6a37b63890, file "/srv/demo/odd names/weird names.py",'
     ' line 1>'): "profile:0:<module>",
}

# Functions gprof2dot keeps that pgraph does not ("-"), or the reverse ("+"),
# each with its reason: (file, sign, name) -> reason. None so far.
DELIBERATE = {}


def tokens(text):
    """Tokens of the dot language: ("id", str) or ("p", punctuation)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("//", i) or (c == "#" and (i == 0 or text[i - 1] == "\n")):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == '"':
            j, out = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    if text[j + 1] == '"':
                        out.append('"')
                    elif text[j + 1] == "\n":
                        pass  # line continuation
                    else:
                        out.append(text[j:j + 2])
                    j += 2
                else:
                    out.append(text[j])
                    j += 1
            if j >= n:
                raise ValueError("unterminated string")
            s = "".join(out)
            i = j + 1
            yield ("id", s)
        elif c == "<":
            depth, j = 0, i
            while j < n:
                depth += {"<": 1, ">": -1}.get(text[j], 0)
                j += 1
                if depth == 0:
                    break
            yield ("id", text[i:j])
            i = j
        elif text.startswith("->", i) or text.startswith("--", i):
            yield ("p", text[i:i + 2])
            i += 2
        elif c in "{}[]=;,:+":
            yield ("p", c)
            i += 1
        else:
            m = re.compile(r"[\w.\-\x80-\U0010ffff]+").match(text, i)
            if not m:
                raise ValueError("unexpected %r at %d" % (c, i))
            yield ("id", m.group(0))
            i = m.end()


def parse_dot(text):
    """Nodes (name -> attributes) and edges [(tail, head, attributes)]."""
    toks = list(tokens(text))
    # join "a" + "b" concatenations
    joined = []
    for t in toks:
        if joined and len(joined) >= 2 and joined[-1] == ("p", "+") and t[0] == "id":
            joined.pop()
            joined[-1] = ("id", joined[-1][1] + t[1])
        else:
            joined.append(t)
    toks = joined
    nodes, edges, pos = {}, [], [0]

    def peek(k=0):
        return toks[pos[0] + k] if pos[0] + k < len(toks) else ("p", "")

    def take():
        pos[0] += 1
        return toks[pos[0] - 1]

    def attrs():
        out = {}
        while peek() == ("p", "["):
            take()
            while peek() != ("p", "]"):
                key = take()[1]
                if peek() == ("p", "="):
                    take()
                    out[key] = take()[1]
                if peek() in (("p", ","), ("p", ";")):
                    take()
            take()
        return out

    def node_id():
        name = take()[1]
        while peek() == ("p", ":"):
            take()
            take()
        return name

    def stmts():
        while peek() not in (("p", "}"), ("p", "")):
            t = peek()
            if t == ("p", ";"):
                take()
            elif t[0] == "id" and t[1].lower() in ("graph", "node", "edge") and peek(1) == ("p", "["):
                take()
                attrs()
            elif t == ("p", "{") or (t[0] == "id" and t[1].lower() == "subgraph"):
                if t[0] == "id":
                    take()
                    if peek()[0] == "id":
                        take()
                take()  # {
                stmts()
                take()  # }
            elif peek(1) == ("p", "="):
                take(), take(), take()
            else:
                chain = [node_id()]
                while peek() in (("p", "->"), ("p", "--")):
                    take()
                    chain.append(node_id())
                a = attrs()
                if len(chain) == 1:
                    nodes.setdefault(chain[0], {}).update(a)
                else:
                    for name in chain:
                        nodes.setdefault(name, {})
                    for tail, head in zip(chain, chain[1:]):
                        edges.append((tail, head, a))

    while peek()[0] == "id" and peek()[1].lower() in ("strict", "digraph", "graph"):
        take()
    if peek()[0] == "id":
        take()
    if take() != ("p", "{"):
        raise ValueError("no graph body")
    stmts()
    if take() != ("p", "}"):
        raise ValueError("unbalanced braces")
    return nodes, edges


def esc_string(s):
    """A Graphviz label string as text: \\n \\l \\r are line breaks."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nlr" else m.group(1), s)


def module_key(file, line, name):
    module = os.path.basename(os.path.splitext(file)[0])
    return "%s:%s:%s" % (module, line, name)


def gprof2dot_graph(path, base):
    """Functions (gprof2dot's "module:line:name", renamed as listed) and calls."""
    nodes, edges = parse_dot(open(path, encoding="utf-8").read())
    key = {}
    for node, attrs in nodes.items():
        if "label" in attrs:
            lines = esc_string(attrs["label"]).split("\n")
            name = "\n".join(lines[:-3])  # name, total %, (self %), calls
            key[node] = RENAMED.get((base, name), name)
    return sorted(key.values()), sorted((key[t], key[h]) for t, h, _ in edges)


def pgraph_graph(path):
    """The same from pgraph's output, whose tooltips are "name\nfile:line"."""
    nodes, edges = parse_dot(open(path, encoding="utf-8").read())
    key = {}
    for node, attrs in nodes.items():
        if "tooltip" in attrs:
            text = esc_string(attrs["tooltip"]).replace("&amp;", "&")
            name, location = text.rsplit("\n", 1) if "\n" in text else (text, ":0")
            file, line = location.rsplit(":", 1)
            key[node] = module_key(file, line, name)
    return sorted(key.values()), sorted((key[t], key[h]) for t, h, _ in edges)


def graphviz_parses(path):
    r = subprocess.run(["dot", "-Tcanon", path], capture_output=True)
    if r.returncode != 0 or b"rror" in r.stderr:
        return "dot -Tcanon %s failed: %s" % (path, r.stderr.decode(errors="replace")[:300])
    return None


def run(cmd):
    return subprocess.run(cmd, capture_output=True)


def check_unit(unit, outdir):
    a, b = os.path.join(outdir, "unit-graph.dot"), os.path.join(outdir, "unit-tree.dot")
    png = os.path.join(outdir, "unit-graph.png")
    r = run([unit, a, b, png])
    sys.stdout.write(r.stdout.decode())
    sys.stderr.write(r.stderr.decode())
    if r.returncode != 0:
        return ["unit checks failed"]
    errors = [e for e in (graphviz_parses(a), graphviz_parses(b)) if e]
    if not is_png(png):
        errors.append("hostile names: no PNG")
    # What Graphviz reads back is what the profile said (escaping is right).
    canon = run(["dot", "-Tcanon", a]).stdout.decode("utf-8")
    nodes, edges = parse_dot(canon)
    names = [esc_string(n.get("tooltip", "")).rsplit("\n", 1)[0].replace("&amp;", "&")
             for n in nodes.values()]
    wanted = 'say "hi" <b>&amp;\nnext line \ufffd\ufffd tail\\'
    if wanted not in names:
        errors.append("hostile name not read back intact: %r" % names)
    long_name = "a_really_long_function_name_that_goes.on.and.on/and/on/without/end"
    wrapped = [esc_string(n["label"]) for n in nodes.values()
               if esc_string(n.get("tooltip", "")).startswith(long_name)]
    if len(wrapped) != 1 or long_name in wrapped[0] or \
            long_name not in wrapped[0].replace("\n", ""):
        errors.append("long name not wrapped: %r" % wrapped)
    # Graphviz draws the name as it is: entities and markup stay text.
    svg = run(["dot", "-Tsvg", a]).stdout
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    if 'say "hi" <b>&amp;' not in texts:
        errors.append("SVG does not show the hostile name as text: %r" % texts)
    if not any(t == h for t, h, _ in edges):
        errors.append("no self-call loop drawn")
    if "cluster_recursion" not in canon:
        errors.append("no recursion cluster")
    return errors


def corpus_pstats(shared):
    folder = os.path.join(shared, "corpus", "pstats")
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".pstats")]


def check_gprof2dot(pgraph, shared, outdir):
    errors, compared, exact, explained, same_calls = [], 0, 0, 0, 0
    for path in corpus_pstats(shared):
        oracle = path + ".gprof2dot.dot"
        if not os.path.exists(oracle):
            continue
        base = os.path.basename(path)
        out = os.path.join(outdir, base + ".dot")
        r = run([pgraph, path, "-o", out])
        if r.returncode != 0:
            errors.append("%s: pgraph failed: %s" % (base, r.stderr.decode(errors="replace")))
            continue
        e = graphviz_parses(out)
        if e:
            errors.append(e)
            continue
        mine, my_calls = pgraph_graph(out)
        theirs, their_calls = gprof2dot_graph(oracle, base)
        compared += 1
        only_mine = [k for k in mine if k not in theirs or mine.count(k) > theirs.count(k)]
        only_theirs = [k for k in theirs if k not in mine or theirs.count(k) > mine.count(k)]
        unexplained = [("+", k) for k in set(only_mine) if (base, "+", k) not in DELIBERATE]
        unexplained += [("-", k) for k in set(only_theirs) if (base, "-", k) not in DELIBERATE]
        for sign, k in unexplained:
            errors.append("%s: %s %s" % (base, "only pgraph shows" if sign == "+" else
                                         "only gprof2dot shows", k))
        if not only_mine and not only_theirs:
            exact += 1
        elif not unexplained:
            explained += 1
        # Calls between functions both keep: the same arrows (edge threshold).
        both = set(mine) & set(theirs)
        mine_between = [c for c in my_calls if c[0] in both and c[1] in both]
        theirs_between = [c for c in their_calls if c[0] in both and c[1] in both]
        if mine_between != theirs_between:
            errors.append("%s: calls differ: only pgraph %s, only gprof2dot %s" % (
                base, sorted(set(mine_between) - set(theirs_between))[:5],
                sorted(set(theirs_between) - set(mine_between))[:5]))
        else:
            same_calls += 1
    print("gprof2dot: %d files compared, %d with identical function sets, %d differing only "
          "as listed; %d with identical calls" % (compared, exact, explained, same_calls))
    if compared == 0:
        errors.append("no gprof2dot oracle found")
    return errors


def is_png(path):
    with open(path, "rb") as f:
        head = f.read(8)
    return head == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 2000


def check_render(pgraph, shared, outdir):
    errors, rendered = [], 0
    for path in corpus_pstats(shared):
        out = os.path.join(outdir, os.path.basename(path) + ".png")
        r = run([pgraph, path, "-o", out])
        if r.returncode != 0 or not is_png(out):
            errors.append("%s: no PNG (%s)" % (path, r.stderr.decode(errors="replace")))
        else:
            rendered += 1
    read = skipped = 0
    oracle = re.compile(r"\.(expected\.json|stats\.json|err|txt|md|dot|png|svg|py|html)$|README|"
                        r"\.pyprof2calltree\.callgrind$")
    for fmt in ("austin", "collapsed", "memray", "callgrind", "lprof"):
        folder = os.path.join(shared, "corpus", fmt)
        if not os.path.isdir(folder):
            continue
        for f in sorted(os.listdir(folder)):
            path = os.path.join(folder, f)
            if not os.path.isfile(path) or oracle.search(f):
                continue
            out = os.path.join(outdir, fmt + "-" + f + ".dot")
            r = run([pgraph, path, "-o", out])
            if r.returncode < 0:
                errors.append("%s: pgraph crashed (signal %d)" % (path, -r.returncode))
            elif r.returncode == 0:
                read += 1
                e = graphviz_parses(out)
                if e:
                    errors.append(e)
            else:
                skipped += 1
    print("render: %d pstats PNGs; other formats: %d graphs parsed, %d not read" %
          (rendered, read, skipped))
    return errors


def main():
    mode = sys.argv[1]
    outdir = sys.argv[-1]
    os.makedirs(outdir, exist_ok=True)
    if mode == "unit":
        errors = check_unit(sys.argv[2], outdir)
    elif mode == "gprof2dot":
        errors = check_gprof2dot(sys.argv[2], sys.argv[3], outdir)
    else:
        errors = check_render(sys.argv[2], sys.argv[3], outdir)
    for e in errors:
        print("FAIL:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
