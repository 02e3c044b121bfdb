#!/usr/bin/env python3
"""For every pstats file of the corpus, `ptop F --sort cumulative --callers ''`
must print the numbers of F.print_stats.txt (written by pstats itself): the
header's totals, every row of print_stats and every caller line of
print_callers, compared per function since ties may sort differently.

yappi files store (total, primitive) where cProfile stores (primitive, total);
the reader swaps them back, pstats does not. For those the oracle's counts are
swapped before comparing and its per-call columns (divided by the swapped
counts) are not compared. Code objects (python -m profile) are printed by
pstats as their repr, with a memory address; ptop prints their co_name."""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

bindir, shared = sys.argv[1], sys.argv[2]
CODE = re.compile(r'<code object (\S+) at 0x[0-9a-f]+, file "[^"]*", line \d+>')
ROW = re.compile(r"^\s*(\S+) (.{8}) (.{8}) (.{8}) (.{8}) (.*)$")
HEAD = re.compile(r"^\s+(\d+) function calls (?:\((\d+) primitive calls\) )?in ([\d.]+) seconds$")


def parse(text):
    """(header numbers, {function: row}, {function: sorted caller lines})."""
    lines = text.split("\n")
    header, rows, callers = None, {}, {}
    i = 0
    while i < len(lines):
        l = lines[i]
        m = HEAD.match(l)
        if m:
            header = (int(m.group(1)), int(m.group(2) or m.group(1)), m.group(3))
        elif l.startswith("   ncalls  tottime"):
            i += 1
            while i < len(lines) and lines[i].strip():
                m = ROW.match(lines[i])
                if not m:
                    raise ValueError("bad row: %r" % lines[i])
                rows[CODE.sub(r"\1", m.group(6))] = [g.strip() for g in m.groups()[:5]]
                i += 1
        elif l.startswith("Function ") and l.rstrip().endswith("was called by..."):
            width = l.index("was called by...")
            i += 1
            func = None
            while i < len(lines) and lines[i].strip():
                s = lines[i]
                if s[:width].strip() and s[width:width + 2] == "<-":
                    func = CODE.sub(r"\1", s[:width].rstrip())
                    callers[func] = []
                    rest = s[width + 3:]
                elif s[:width].strip():
                    i += 1  # the ncalls/tottime/cumtime sub-header
                    continue
                else:
                    rest = s
                if rest.strip() and func is not None:
                    callers[func].append(caller_fields(CODE.sub(r"\1", rest)))
                i += 1
            continue
        i += 1
    return header, rows, {k: sorted(v) for k, v in callers.items()}


def caller_fields(rest):
    parts = rest.split(None, 3)
    if len(parts) == 4 and re.match(r"^\d+(/\d+)?$", parts[0]):
        return tuple(parts)
    name, ct = rest.strip().rsplit(None, 1)  # "name(count) cumtime" (profile)
    return (name, ct)


def swap(calls):
    a, _, b = calls.partition("/")
    return "%s/%s" % (b, a) if b else a


failures, checked = 0, 0
files = sorted(f[:-len(".print_stats.txt")]
               for f in glob.glob(os.path.join(shared, "corpus/pstats/*.print_stats.txt")))
if not files:
    sys.exit("no pstats oracles in the corpus")
with tempfile.TemporaryDirectory() as tmp:
    for f in files:
        name = os.path.basename(f)
        r = subprocess.run([os.path.join(bindir, "ptop"), f, "--sort", "cumulative",
                            "--callers", ""], capture_output=True)
        if r.returncode != 0 or r.stderr:
            print("FAIL %s: ptop exit %d: %s" % (name, r.returncode, r.stderr.decode()))
            failures += 1
            continue
        j = os.path.join(tmp, "m.json")
        subprocess.run([os.path.join(bindir, "pconv"), f, "-o", j], check=True)
        yappi = json.load(open(j)).get("meta", {}).get("pstats.producer") == "yappi"
        ours = parse(r.stdout.decode("utf-8", "replace"))
        want = parse(open(f + ".print_stats.txt", encoding="utf-8", errors="replace").read())
        problems = []
        wh = want[0]
        if yappi:
            wh = (wh[1], wh[0], wh[2])
        if ours[0] != wh:
            problems.append("header %s, expected %s" % (ours[0], wh))
        if set(ours[1]) != set(want[1]):
            problems.append("functions differ: only ours %s, only expected %s" % (
                sorted(set(ours[1]) - set(want[1]))[:3], sorted(set(want[1]) - set(ours[1]))[:3]))
        for func, row in want[1].items():
            got = ours[1].get(func)
            if got is None:
                continue
            if yappi:
                row = [swap(row[0]), row[1], got[2], row[3], got[4]]
            if got != row:
                problems.append("%s: %s, expected %s" % (func, got, row))
        if set(ours[2]) != set(want[2]):
            problems.append("callers listed for other functions")
        for func, lines in want[2].items():
            if func in ours[2] and ours[2][func] != lines:
                problems.append("callers of %s: %s, expected %s" % (func, ours[2][func], lines))
        if not want[1] or not want[2]:
            problems.append("oracle not understood")
        for p in problems[:5]:
            print("FAIL %s: %s" % (name, p))
        failures += bool(problems)
        checked += 1
        if not problems:
            print("ok %s: %d rows, %d callers lists" % (name, len(want[1]), len(want[2])))
print("%d files, %d failed" % (checked, failures))
sys.exit(1 if failures else 0)
