"""Patterns mean what Python's re means, everywhere.

The same table of patterns is run over the same functions through
  - Python's re (the oracle): a pattern matches a function when re.search
    finds it in the name, the file, or pstats' "file:line(name)";
  - lib/pattern.c, through test_patterns (what every command's filters,
    --map, ptop --callers and pdiff --fail-on use);
  - the HTML report's translation to JavaScript (formats/html/report.js,
    the part between its "patterns (begin)" and "(end)" markers), in node;
and the replacements of --map through re.sub and lib/pattern.c. Then one
pattern per filter end to end: the functions ptop keeps are Python's.

    test_patterns.py TEST_PATTERNS_BIN BIN_DIR SOURCE_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import warnings

warnings.simplefilter("ignore", FutureWarning)  # "[[:alpha:]]" is in the table on purpose

HARNESS, BIN, SRC = sys.argv[1:4]

FUNCTIONS = [
    ("main", "/srv/app/main.py", 1),
    ("work", "wl.py", 74),
    ("parse_line2", "/srv/app/parser.py", 120),
    ("<listcomp>", "/usr/lib/python3.11/json/decoder.py", 353),
    ("<lambda>", "/srv/app/util.py", 9),
    ("<module>", "/srv/app/main.py", 1),
    ("<built-in method builtins.len>", "~", 0),
    ("<method 'append' of 'list' objects>", "~", 0),
    ("__init__", "/srv/app/models.py", 42),
    ("naïve_café", "/srv/app/ünïcode.py", 7),
    ("データ処理", "/srv/app/jp.py", 3),
    ("f٣", "/srv/app/digits.py", 5),  # an Arabic-Indic digit: \d in Python
    ("PARSE", "/srv/app/upper.py", 2),
    ("Parse", "/srv/app/upper.py", 8),
    ("pkg.mod.func", "", 0),  # a folded frame: no file
    ("tab\there", "/srv/app/odd.py", 11),
    ("a b c", "/srv/app/odd.py", 12),
    ("x]y[z", "/srv/app/odd.py", 13),
    ("cost{3}", "/srv/app/odd.py", 14),
    ("dollar$", "/srv/app/odd.py", 15),
    ("aaa", "/srv/app/aaa.py", 16),
    ("ab", "/srv/app/ab.py", 17),
    ("end\n", "/srv/app/nl.py", 18),
]

PATTERNS = [
    r"main", r"^main$", r"^_", r"\d", r"\d+$", r"^\w+$", r"\W", r"\s", r"\S+\s\S+",
    r"(?:parse|work)", r"(?i)parse", r"(?i)^PARSE$", r"parse(?=_)", r"parse(?!_)",
    r"(?<=_)line", r"(?<!_)init", r"\bmod\b", r"\Bar", r"wl\.py:74", r"wl\.py:74\(work\)",
    r"^wl\.py", r"\{built-in", r"^\{", r"<listcomp>", r"^<.*>$", r"\.py$", r"[^/]+\.py$",
    r"python3\.\d+/json", r"(?P<w>a)(?P=w)", r"(a)\1", r"a{2,}", r"a{,2}b", r"a{2}", r"x{,}",
    r"cost\{3\}", r"cost{3}", r"\$", r"\$$", r"r\$\Z", r"^end$", r"\Aend", r"end\Z", r"d\n",
    r"[[:alpha:]]", r"[]x]", r"[^]x]y", r"\]y\[", r"x]y", r"é", r"(?i)É", r"ü", r"\u00e9",
    r"\U000030c7", r"\x41", r"(?i)\x61b", r"データ", r"^\w+_\w+$", r"ï\w", r"caf\w\b",
    r"(?s)tab.here", r"tab.here", r"tab\there", r"(?x) tab \t here  # a comment",
    r"(?m)^end$", r"\.", r"\:", r"\<lambda\>", r"\'append\'", r"a\ b", r"#", r"\#",
    r"\bb\b", r"^(?:a|b)+$", r"^a*?b$", r"^.{3}$", r"^.{2,3}$", r"^[a-c]+$", r"[\w.]+\.func",
    r"[\d]", r"[\s]", r"(?#comment)main", r"^$", r"", r"z", r"\bf\d\b", r"f\d", r"\v",
    r"models|upper", r"srv/app/(?!main)", r"^/usr/lib/", r"\.py:\d+\(<",
]

# Python patterns JavaScript's RegExp has no form of: the report refuses
# them ("not a regular expression"); lib/pattern.c still matches as Python.
PY_ONLY = [r"a*+b", r"(?>a+)b", r"(?i:pa)rse", r"a++"]

SUBS = [
    (r"^/srv/app/", r"src/", "/srv/app/main.py"),
    (r"^/usr/lib/python3\.\d+/", r"STDLIB/", "/usr/lib/python3.11/json/decoder.py"),
    (r"(\w+)\.py$", r"\1.pyx", "/srv/app/main.py"),
    (r"(?P<dir>[^/]+)/(?P<base>[^/]+)$", r"\g<base>@\g<dir>", "/srv/app/main.py"),
    (r"a", r"[\g<0>]", "banana"),
    (r"x*", r"-", "abc"),
    (r"", r"|", "ab"),
    (r"(a)|b", r"<\1>", "ab"),
    (r"\d", r"\\", "a1b2"),
    (r"\.", r"\n", "a.b"),
    (r"é", r"e", "café é"),
    (r"(?i)MAIN", r"Main", "main.py"),
    (r"p", r"$1", "app"),
]


def std_name(name, file, line):
    if file == "~" and line == 0:
        return "{%s}" % name[1:-1] if name.startswith("<") and name.endswith(">") else name
    return "%s:%d(%s)" % (file, line, name)


def python_matches(pattern):
    rx = re.compile(pattern)
    return "".join(
        "1" if rx.search(n) or (f and (rx.search(f) or rx.search(std_name(n, f, l)))) else "0"
        for n, f, l in FUNCTIONS)


def python_sub(pattern, repl, subject):
    # \0 is not a group in Python: not in the table
    return re.sub(pattern, repl, subject)


failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


def write(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")


def run_c(tmp, patterns):
    pats, funcs = os.path.join(tmp, "patterns"), os.path.join(tmp, "functions")
    write(pats, patterns)
    esc = lambda t: t.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    write(funcs, ["%s\t%s\t%d" % (esc(n), esc(f), l) for n, f, l in FUNCTIONS])
    out = subprocess.run([HARNESS, "match", pats, funcs], capture_output=True, check=True)
    return out.stdout.decode("utf-8").split("\n")[:len(patterns)]


JS_DRIVER = r"""
const fs = require('fs');
const src = fs.readFileSync(process.env.PK_REPORT_JS, 'utf8');
const begin = src.indexOf('// ---- patterns (begin)'), end = src.indexOf('// ---- patterns (end)');
if (begin < 0 || end < 0) { console.error('no pattern markers in report.js'); process.exit(2); }
const api = new Function(src.slice(begin, end) + '; return { pyRegex, patternMatches };')();
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = input.patterns.map(p => {
  let re;
  try { re = api.pyRegex(p); } catch (e) { return 'E ' + e.message; }
  return input.functions.map(([n, f, l]) => api.patternMatches(re, n, f, l) ? '1' : '0').join('');
});
process.stdout.write(JSON.stringify(out));
"""


def run_js(patterns):
    report = os.path.join(SRC, "formats", "html", "report.js")
    r = subprocess.run(["node", "-e", JS_DRIVER], env=dict(os.environ, PK_REPORT_JS=report),
                       input=json.dumps({"patterns": patterns, "functions": FUNCTIONS}).encode(),
                       capture_output=True)
    if r.returncode:
        fail("node: " + r.stderr.decode(errors="replace")[-500:])
        return ["E"] * len(patterns)
    return json.loads(r.stdout)


def compare(patterns, got, who, may_refuse=False):
    for p, g in zip(patterns, got):
        want = python_matches(p)
        if may_refuse and g.startswith("E "):
            continue
        if g != want:
            fail("%s %r: %s, Python %s (%s)" % (who, p, g, want, ", ".join(
                FUNCTIONS[i][0] + ("+" if g[i:i + 1] == "1" else "-")
                for i in range(len(want)) if g[i:i + 1] != want[i])))


def end_to_end(tmp):
    """ptop --show PATTERN keeps the functions Python's re picks."""
    import pstats  # noqa: F401 (the file is written by the marshal module)
    import marshal
    stats = {}
    for n, f, l in FUNCTIONS:
        stats[(f, l, n)] = (1, 1, 0.001, 0.001, {})
    path = os.path.join(tmp, "table.pstats")
    with open(path, "wb") as fh:
        marshal.dump(stats, fh)
    for p in [r"(?i)parse", r"\d", r"wl\.py:74", r"^\{built", r"(?:models|upper)", r"é"]:
        r = subprocess.run([os.path.join(BIN, "ptop"), path, "--show", p, "-n", "all"],
                           capture_output=True)
        if r.returncode:
            fail("ptop --show %r: %s" % (p, r.stderr.decode(errors="replace")))
            continue
        text = r.stdout.decode("utf-8", errors="replace")
        kept = {std_name(n, f, l).replace("\t", " ").replace("\n", " ")
                for n, f, l in FUNCTIONS if std_name(n, f, l).replace("\t", " ").replace("\n", " ") in text
                and not f == ""}
        want = {std_name(n, f, l).replace("\t", " ").replace("\n", " ")
                for (n, f, l), bit in zip(FUNCTIONS, python_matches(p)) if bit == "1" and f}
        if kept != want:
            fail("ptop --show %r keeps %s, Python %s" % (p, sorted(kept - want), sorted(want - kept)))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        all_patterns = PATTERNS + PY_ONLY
        compare(all_patterns, run_c(tmp, all_patterns), "lib/pattern.c")
        compare(PATTERNS, run_js(PATTERNS), "report.js")
        for p, g in zip(PY_ONLY, run_js(PY_ONLY)):
            if not g.startswith("E "):
                compare([p], [g], "report.js")
        table = os.path.join(tmp, "subs")
        write(table, ["%s\t%s\t%s" % s for s in SUBS])
        got = subprocess.run([HARNESS, "sub", table], capture_output=True, check=True)
        lines = got.stdout.decode("utf-8").split("\n")
        k = 0
        for p, r, s in SUBS:
            want = python_sub(p, r, s)
            n = want.count("\n") + 1
            g = "\n".join(lines[k:k + n])
            k += n
            if g != want:
                fail("sub %r %r on %r: %r, Python %r" % (p, r, s, g, want))
        end_to_end(tmp)
    print("%d patterns, %d replacements; %d failures" % (len(PATTERNS) + len(PY_ONLY), len(SUBS),
                                                         failures))
    sys.exit(1 if failures else 0)


main()
