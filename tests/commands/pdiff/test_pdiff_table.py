"""pdiff's table and pictures against a hand-made pair with known changes.

BEFORE and AFTER are pstats files written here (marshal, as cProfile does)
of one program under Python 3.11 and 3.12: <listcomp> of line 10 went from
0.100 s to 0.670 s (+570 %), compute's own time grew by 0.486 s, helper is
gone and newfn new; random.choice moved from /usr/lib/python3.11 to
/usr/lib/python3.12 and did not change. Every value of the table is written
out below.

    test_pdiff_table.py BIN_DIR
"""
import json
import marshal
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

BIN = sys.argv[1]
PDIFF = os.path.join(BIN, "pdiff")
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


MAIN = ("/srv/app/main.py", 1, "main")
PARSE = ("/srv/app/main.py", 5, "parse")
LC10 = ("/srv/app/main.py", 10, "<listcomp>")
COMPUTE = ("/srv/app/main.py", 15, "compute")
LC20 = ("/srv/app/util.py", 20, "<listcomp>")
HELPER = ("/srv/app/main.py", 30, "helper")
NEWFN = ("/srv/app/main.py", 40, "newfn")


def choice(version):
    return ("/usr/lib/python%s/random.py" % version, 345 if version == "3.11" else 367, "choice")


def pstats(path, funcs):
    """funcs: key -> (self s, cumulative s, caller key or None)."""
    stats = {}
    for key, (tt, ct, caller) in funcs.items():
        callers = {caller: (1, 1, tt, ct)} if caller else {}
        stats[key] = (1, 1, tt, ct, callers)
    with open(path, "wb") as f:
        marshal.dump(stats, f)


BEFORE = {MAIN: (0.005, 1.155, None), PARSE: (0.300, 0.400, MAIN), LC10: (0.100, 0.100, PARSE),
          COMPUTE: (0.649, 0.700, MAIN), LC20: (0.050, 0.050, COMPUTE),
          choice("3.11"): (0.001, 0.001, COMPUTE), HELPER: (0.050, 0.050, MAIN)}
AFTER = {MAIN: (0.005, 2.211, None), PARSE: (0.300, 0.970, MAIN), LC10: (0.670, 0.670, PARSE),
         COMPUTE: (1.135, 1.186, MAIN), LC20: (0.050, 0.050, COMPUTE),
         choice("3.12"): (0.001, 0.001, COMPUTE), NEWFN: (0.050, 0.050, MAIN)}

# status, self before, after, change, %, incl before, after, change, %, function
ROWS = {
    "lc10": ("", "0.100 s", "0.670 s", "+0.570 s", "+570.0 %", "0.100 s", "0.670 s", "+0.570 s",
             "+570.0 %", "<listcomp> (/srv/app/main.py)"),
    "compute": ("", "0.649 s", "1.135 s", "+0.486 s", "+74.9 %", "0.700 s", "1.186 s", "+0.486 s",
                "+69.4 %", "compute (/srv/app/main.py)"),
    "helper": ("gone", "0.050 s", "0.000 s", "-0.050 s", "gone", "0.050 s", "0.000 s", "-0.050 s",
               "gone", "helper (/srv/app/main.py)"),
    "newfn": ("new", "0.000 s", "0.050 s", "+0.050 s", "new", "0.000 s", "0.050 s", "+0.050 s",
              "new", "newfn (/srv/app/main.py)"),
    "main": ("", "0.005 s", "0.005 s", "+0.000 s", "+0.0 %", "1.155 s", "2.211 s", "+1.056 s",
             "+91.4 %", "main (/srv/app/main.py)"),
    "parse": ("", "0.300 s", "0.300 s", "+0.000 s", "+0.0 %", "0.400 s", "0.970 s", "+0.570 s",
              "+142.5 %", "parse (/srv/app/main.py)"),
    "lc20": ("", "0.050 s", "0.050 s", "+0.000 s", "+0.0 %", "0.050 s", "0.050 s", "+0.000 s",
             "+0.0 %", "<listcomp> (/srv/app/util.py)"),
    "choice": ("", "0.001 s", "0.001 s", "+0.000 s", "+0.0 %", "0.001 s", "0.001 s", "+0.000 s",
               "+0.0 %", "choice (<stdlib>/random.py)"),
}
ORDERS = {
    "self": ["lc10", "compute", "helper", "newfn", "main", "parse", "lc20", "choice"],
    "incl": ["main", "lc10", "parse", "compute", "helper", "newfn", "lc20", "choice"],
    "pct": ["newfn", "lc10", "helper", "compute", "main", "parse", "lc20", "choice"],
    "name": ["lc10", "lc20", "choice", "compute", "helper", "main", "newfn", "parse"],
}
VERDICT = ("time: 1.155 s \u2192 2.211 s (+1.056 s, +91.4 %); biggest movers (self): "
           "<listcomp> +0.570 s (+570.0 %), compute +0.486 s (+74.9 %), helper -0.050 s (gone)")

CELL = r"(\S+ s) \u2192 (\S+ s)\s+(\S+ s)\s+(\S+ %|new|gone)"
ROW = re.compile(r"^(new |gone|    ) \s*" + CELL + r"\s+" + CELL + r"  (.*)$")


def pdiff(*args, code=0):
    r = subprocess.run([PDIFF, *args], capture_output=True)
    if r.returncode != code:
        fail("pdiff %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.decode(errors="replace")))
    return r.stdout.decode("utf-8")


def table(tmp, before, after):
    for sort, order in ORDERS.items():
        args = [before, after, "-n", "all"] + (["--sort", sort] if sort != "self" else [])
        lines = pdiff(*args).split("\n")
        if lines[0] != VERDICT:
            fail("the verdict is\n  %s\nnot\n  %s" % (lines[0], VERDICT))
        if "standard library and site-packages files by their path below that root" not in lines[1]:
            fail("pdiff does not say how stdlib files were matched: " + lines[1])
        rows = [ROW.match(l) for l in lines if ROW.match(l)]
        got = [tuple(g.strip() for g in m.groups()) for m in rows]
        want = [ROWS[k] for k in order]
        if got != want:
            fail("--sort %s:\n%s\nwant\n%s" % (sort, "\n".join(map(str, got)), "\n".join(map(str, want))))
    # -n: rows shown; the verdict stays.
    out = pdiff(before, after, "-n", "2")
    if len([l for l in out.split("\n") if ROW.match(l)]) != 2 or not out.startswith(VERDICT):
        fail("-n 2 does not show two rows under the verdict:\n" + out)
    out = pdiff(before, after, "-n", "0")
    if any(ROW.match(l) for l in out.split("\n")) or not out.startswith(VERDICT):
        fail("-n 0 shows rows, or no verdict:\n" + out)
    # --full-paths: the two random.py are two functions, one gone, one new.
    js = json.loads(pdiff(before, after, "--json", "-n", "all", "--full-paths"))
    status = {(f["name"], f["file"]): f["status"] for f in js["functions"]}
    if status.get(("choice", "/usr/lib/python3.11/random.py")) != "gone" or \
            status.get(("choice", "/usr/lib/python3.12/random.py")) != "new":
        fail("--full-paths still matches random.py of 3.11 and 3.12: %s" % status)
    js = json.loads(pdiff(before, after, "--json", "-n", "all"))
    if js["unit"] != "ns" or js["total"]["before"] != 1155000000 or js["total"]["after"] != 2211000000:
        fail("JSON totals: %s %s" % (js["unit"], js["total"]))
    # --fail-above speaks in units too.
    r = subprocess.run([PDIFF, before, after, "-n", "0", "--fail-above", "50"], capture_output=True)
    err = r.stderr.decode("utf-8")
    if r.returncode != 1 or "1.155 s \u2192 2.211 s (+91.4 %)" not in err:
        fail("--fail-above 50: exit %d, %s" % (r.returncode, err))


def fills(svg):
    """function name -> fill of its frame in a flame graph SVG."""
    out = {}
    ns = "{http://www.w3.org/2000/svg}"
    for g in ET.parse(svg).getroot().iter(ns + "g"):
        title, rect = g.find(ns + "title"), g.find(ns + "rect")
        if title is not None and rect is not None:
            out[title.text.split(" (")[0]] = rect.get("fill")
    return out


def redness(fill):
    r, g, b = int(fill[1:3], 16), int(fill[3:5], 16), int(fill[5:7], 16)
    return (r - b) / 255.0


def pictures(tmp):
    """The differential flame graph is coloured by self change (as
    difffolded.pl + flamegraph.pl), by inclusive change with --color-by incl,
    and with the hues switched by --negate."""
    before, after = os.path.join(tmp, "b.folded"), os.path.join(tmp, "a.folded")
    with open(before, "w") as f:
        f.write("main;work;hot 10\nmain;work 10\nmain;idle 40\n")
    with open(after, "w") as f:
        f.write("main;work;hot 60\nmain;work 10\nmain;idle 30\n")
    svg = os.path.join(tmp, "d.svg")
    pdiff(before, after, "-o", svg, "-n", "0")
    c = fills(svg)
    # self: hot grew by 50 (deepest red), idle shrank by 10 (blue), work and main kept theirs
    if not (redness(c["hot"]) > 0.5 and redness(c["idle"]) < 0 and abs(redness(c["main"])) < 0.05
            and abs(redness(c["work"])) < 0.05):
        fail("colour by self change: %s" % c)
    pdiff(before, after, "-o", svg, "-n", "0", "--color-by", "incl")
    c = fills(svg)
    # inclusive: main and work grew by 40 and 50, as deep as hot
    if not (redness(c["main"]) > 0.3 and redness(c["work"]) > 0.5 and redness(c["idle"]) < 0):
        fail("colour by inclusive change: %s" % c)
    pdiff(before, after, "-o", svg, "-n", "0", "--negate")
    c = fills(svg)
    if not (redness(c["hot"]) < -0.5 and redness(c["idle"]) > 0):
        fail("--negate: %s" % c)


with tempfile.TemporaryDirectory() as tmp:
    before, after = os.path.join(tmp, "before.pstats"), os.path.join(tmp, "after.pstats")
    pstats(before, BEFORE)
    pstats(after, AFTER)
    table(tmp, before, after)
    pictures(tmp)
print("%d failures" % failures)
sys.exit(1 if failures else 0)
