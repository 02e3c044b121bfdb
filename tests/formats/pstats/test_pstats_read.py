#!/usr/bin/env python3
"""pstats reader checks, against the corpus oracles (shared/corpus/pstats).

usage: test_pstats_read.py MODE PCONV CORPUS_DIR WORK_DIR
  oracle   every *.pstats: pconv F -o out.json matches F.expected.json
  gzip     a gzip-compressed corpus file reads exactly like the original
  damaged  truncated, corrupted and random inputs: exit 2, one error line
  synthetic  files written by this interpreter's marshal (versions 0 to 4) and
           by hand (Python 2 references, every legal type code the corpus
           lacks), and malformed ones that must be refused
"""
import glob
import gzip
import json
import marshal
import os
import random
import re
import struct
import subprocess
import sys


def run_pconv(pconv, src, out, *extra):
    if os.path.exists(out):
        os.remove(out)
    return subprocess.run([pconv, *extra, src, "-o", out], capture_output=True, text=True,
                          errors="replace", timeout=60)


def load_model(pconv, src, out):
    r = run_pconv(pconv, src, out)
    if r.returncode != 0:
        raise AssertionError(f"pconv exit {r.returncode}: {r.stderr.strip()}")
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def expected_producer(path):
    base = os.path.basename(path)
    if ".yappi" in base:
        return "yappi"
    if ".profile." in base:
        return "profile"
    if ".tachyon-" in base:
        return "tachyon"
    return "cProfile"


def key_of(entry):
    """A key as the model names it: code objects by their co_name."""
    name = entry["name"]
    if isinstance(name, dict):
        name = name["co_name"]
    return (entry["file"], entry["line"], name)


def near(model_ns, seconds):
    return abs(model_ns - seconds * 1e9) <= 1.0


def compare(path, model, expected):
    """Return a list of mismatches (empty when the model matches)."""
    errors = []
    producer = expected_producer(path)
    got_producer = model.get("meta", {}).get("pstats.producer")
    if got_producer != producer:
        errors.append(f"producer {got_producer!r}, expected {producer!r}")
    funcs = {}
    for f in model["functions"]:
        funcs[(f["file"], f["line"], f["name"])] = f
    if len(model["functions"]) != len(expected["functions"]):
        errors.append(f"{len(model['functions'])} functions, expected "
                      f"{len(expected['functions'])}")
    edges = {(e["caller"], e["callee"]): e for e in model["edges"]}
    n_callers = 0
    for exp in expected["functions"]:
        key = key_of(exp)
        f = funcs.get(key)
        if f is None:
            errors.append(f"missing function {key}")
            continue
        # yappi writes (total, primitive) where cProfile writes (primitive, total)
        calls, pcalls = (exp["cc"], exp["nc"]) if producer == "yappi" else (exp["nc"], exp["cc"])
        if (f["calls"], f["pcalls"]) != (calls, pcalls):
            errors.append(f"{key}: calls {f['calls']}/{f['pcalls']}, expected {calls}/{pcalls}")
        builtin = key[0] == "~" or (key[1] == 0 and (
            (producer == "yappi" and "/" not in key[0]) or (producer == "profile" and not key[0])))
        if builtin and f["kind"] != "builtin":
            errors.append(f"{key}: kind {f['kind']}, expected builtin")
        if f["calls"] < f["pcalls"]:
            errors.append(f"{key}: calls {f['calls']} below primitive calls {f['pcalls']}")
        if not near(f["self"][0], exp["tt"]) or not near(f["incl"][0], exp["ct"]):
            errors.append(f"{key}: self/incl {f['self'][0]}/{f['incl'][0]} ns, expected "
                          f"{exp['tt']}/{exp['ct']} s")
        for c in exp["callers"]:
            n_callers += 1
            caller = funcs.get(key_of(c))
            e = caller and edges.get((caller["id"], f["id"]))
            if not e:
                errors.append(f"missing edge {key_of(c)} -> {key}")
                continue
            if "count" in c:
                want = (c["count"], c["count"], 0, 0)
                got = (e["calls"], e["pcalls"], e["self"][0], e["incl"][0])
                if got != want:
                    errors.append(f"edge {key_of(c)} -> {key}: {got}, expected count {want}")
                continue
            if (e["calls"], e["pcalls"]) != (c["nc"], c["cc"]):
                errors.append(f"edge {key_of(c)} -> {key}: calls {e['calls']}/{e['pcalls']}, "
                              f"expected {c['nc']}/{c['cc']}")
            if not near(e["self"][0], c["tt"]) or not near(e["incl"][0], c["ct"]):
                errors.append(f"edge {key_of(c)} -> {key}: self/incl {e['self'][0]}/"
                              f"{e['incl'][0]} ns, expected {c['tt']}/{c['ct']} s")
    if len(model["edges"]) != n_callers:
        errors.append(f"{len(model['edges'])} edges, expected {n_callers}")
    errors += compare_sampled(model, expected, funcs)
    return errors


def compare_sampled(model, expected, funcs):
    """Tachyon's ('__sampled__',) marker: the model says sampled and carries a
    samples metric, a function's own and inclusive samples (slots 0 and 1)."""
    sampled = "('__sampled__',)" in expected.get("markers", {})
    meta = model.get("meta", {})
    if (meta.get("pstats.sampled") == "true") != sampled:
        return [f"pstats.sampled {meta.get('pstats.sampled')!r}, marker present: {sampled}"]
    if not sampled:
        return []
    names = [m["name"] for m in model["metrics"]]
    if "samples" not in names:
        return [f"no samples metric in {names}"]
    s = names.index("samples")
    errors = []
    for exp in expected["functions"]:
        f = funcs.get(key_of(exp))
        if f and (f["self"][s], f["incl"][s]) != (exp["cc"], exp["nc"]):
            errors.append(f"{key_of(exp)}: samples {f['self'][s]}/{f['incl'][s]}, "
                          f"expected {exp['cc']}/{exp['nc']}")
    total = sum(f["self"][s] for f in model["functions"])
    if total != expected["totals"]["prim_calls"]:
        errors.append(f"{total} samples in all, expected {expected['totals']['prim_calls']}")
    return errors


def corpus_files(corpus):
    files = sorted(glob.glob(os.path.join(corpus, "*.pstats")))
    if not files:
        raise SystemExit(f"no *.pstats in {corpus}")
    return files


def mode_oracle(pconv, corpus, work):
    out = os.path.join(work, "pstats-oracle.json")
    files = corpus_files(corpus)
    failed = 0
    for path in files:
        with open(path + ".expected.json", encoding="utf-8") as f:
            expected = json.load(f)
        try:
            errors = compare(path, load_model(pconv, path, out), expected)
        except AssertionError as e:
            errors = [str(e)]
        if errors:
            failed += 1
            print(f"FAIL {os.path.basename(path)}: {len(errors)} mismatches")
            for e in errors[:10]:
                print("   ", e)
    print(f"oracle matches: {len(files) - failed} of {len(files)} files")
    return 1 if failed else 0


def mode_gzip(pconv, corpus, work):
    status = 0
    for name in ("bootstrap.deb311.cProfile.pstats", "fib.py27.profile.pstats"):
        src = os.path.join(corpus, name)
        gz = os.path.join(work, name + ".gz")
        with open(src, "rb") as f, gzip.open(gz, "wb") as g:
            g.write(f.read())
        plain = load_model(pconv, src, os.path.join(work, "pstats-plain.json"))
        packed = load_model(pconv, gz, os.path.join(work, "pstats-gz.json"))
        if plain != packed or not plain["functions"]:
            print(f"FAIL {name}: the gzip copy reads differently")
            status = 1
    return status


ERROR_LINE = re.compile(r"^pconv: (.+): offset (\d+): \S.*$")


def check_failure(path, out, r, must_fail):
    """None when pconv behaved, else what went wrong."""
    if r.returncode < 0 or r.returncode not in (0, 2):
        return f"exit status {r.returncode}: {r.stderr[-500:]}"
    if r.returncode == 0:
        return "accepted a damaged file" if must_fail else None
    lines = r.stderr.splitlines()
    if len(lines) != 1:
        return f"{len(lines)} stderr lines: {r.stderr[-500:]!r}"
    m = ERROR_LINE.match(lines[0])
    if not m or m.group(1) != path:
        return f"error line not 'pconv: FILE: offset N: ...': {lines[0]!r}"
    if int(m.group(2)) > os.path.getsize(path):
        return f"offset beyond the file: {lines[0]!r}"
    if os.path.exists(out):
        return "output file left behind"
    return None


def cut_offsets(size, budget):
    if size <= budget:
        return list(range(size))
    step = size / budget
    return sorted({int(i * step) for i in range(budget)} | {size - 1, size - 2, 1})


def mode_damaged(pconv, corpus, work):
    rng = random.Random(1234)
    sample = os.path.join(work, "pstats-damaged.pstats")
    out = os.path.join(work, "pstats-damaged.json")
    problems = []
    runs = 0

    def attempt(data, must_fail, what, *extra):
        nonlocal runs
        with open(sample, "wb") as f:
            f.write(data)
        r = run_pconv(pconv, sample, out, *extra)
        runs += 1
        err = check_failure(sample, out, r, must_fail)
        if err:
            problems.append(f"{what}: {err}")

    # every cut of the tiny files; ~200 cuts of bigger ones (code objects,
    # py2 string references, yappi, the reference table of a large file)
    plans = [("tiny.deb311.cProfile.pstats", 10**6), ("tiny.py27.cProfile.pstats", 10**6),
             ("fib.deb311.profile.pstats", 200), ("fib.py27.profile.pstats", 200),
             ("bootstrap.py27.cProfile.pstats", 200),
             ("bootstrap.deb311.yappi-builtins-wall.pstats", 200),
             ("weird_names.py313.cProfile.pstats", 200)]
    for name, budget in plans:
        with open(os.path.join(corpus, name), "rb") as f:
            data = f.read()
        for n, cut in enumerate(cut_offsets(len(data), budget)):
            # by turns through detection and straight to the reader
            forced = ("-f", "pstats") if n % 2 and cut > 0 else ()
            attempt(data[:cut], True, f"{name} cut at {cut} {' '.join(forced)}", *forced)
        # corrupted bytes: may still decode, must never crash
        for i in range(40):
            bad = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                bad[rng.randrange(len(bad))] = rng.randrange(256)
            attempt(bytes(bad), False, f"{name} corrupted #{i}")
    # random bytes behind a dict type byte, so the reader is the one to refuse
    for i in range(100):
        tail = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
        attempt(bytes([rng.choice((0x7B, 0xFB))]) + tail, False, f"random #{i}", "-f", "pstats")
    for p in problems[:20]:
        print("FAIL", p)
    print(f"{runs} damaged inputs, {len(problems)} problems")
    return 1 if problems else 0


def expected_from_stats(stats):
    """The oracle's structure (pstats-expected/1) for a stats dict."""
    def name_of(name):
        if isinstance(name, str):
            return name
        return {"type": "code", "co_name": name.co_name}

    def caller(key, value):
        entry = {"file": key[0], "line": key[1], "name": name_of(key[2])}
        if isinstance(value, int):
            entry["count"] = value
        else:
            entry.update(nc=value[0], cc=value[1], tt=value[2], ct=value[3])
        return entry

    functions = []
    for key, (cc, nc, tt, ct, callers) in stats.items():
        functions.append({"file": key[0], "line": key[1], "name": name_of(key[2]), "cc": cc,
                          "nc": nc, "tt": tt, "ct": ct,
                          "callers": [caller(k, v) for k, v in callers.items()]})
    return {"functions": functions}


def m_i32(n):
    return struct.pack("<i", n)


def m_int(n):
    return b"i" + m_i32(n)


def m_float(x):
    return b"g" + struct.pack("<d", x)


def m_str(b, code=b"s"):
    return code + m_i32(len(b)) + b


def m_tuple(items):
    return b"(" + m_i32(len(items)) + b"".join(items)


def m_code27(consts):
    """A Python 2.7 code object named <module> ('t', string-table entry 0)."""
    return (b"c" + m_i32(0) * 4 + m_str(b"d\x00\x00S") + m_tuple(consts) + m_tuple([]) * 4 +
            m_str(b"/x/f.py") + m_str(b"<module>", b"t") + m_i32(1) + m_str(b""))


def hand_written_py2():
    """Python 2 marshal by hand: 't' strings and 'R' references, and inside a
    code object every type code the corpus never shows."""
    consts = [b"[" + m_i32(2) + b"N" + b"T", b"<" + m_i32(1) + b"F", b">" + m_i32(0),
              b"I" + struct.pack("<q", 2**40), b"y" + struct.pack("<dd", 1.0, 2.0), b"S", b".",
              b"l" + m_i32(-5) + struct.pack("<5H", 1, 2, 3, 4, 5), m_str(b"x" * 300, b"a"),
              b"z" + bytes([3]) + b"abc", b"Z" + bytes([1]) + b"q", m_str(b"A" * 2, b"A"),
              m_str("ü".encode(), b"u"), b"f" + bytes([4]) + b"1.25",
              b"x" + bytes([1]) + b"1" + bytes([1]) + b"2"]
    code_key = m_tuple([m_str(b"profile"), m_int(0), m_code27(consts)])
    work_key = m_tuple([m_str(b"/x/f.py", b"t"), m_int(3), m_str(b"work", b"t")])  # t 1, 2
    helper_key = m_tuple([b"R" + m_i32(1), m_int(9), m_str(b"helper", b"t")])
    data = (b"{" + code_key + m_tuple([m_int(1), m_int(1), m_float(0.5), m_float(1.0), b"{0"]) +
            work_key + m_tuple([m_int(2), m_int(7), m_float(0.25), b"i" + m_i32(3),
                                b"{" + code_key + m_int(1) + b"0"]) +
            helper_key + m_tuple([m_int(4), m_int(5), m_float(1e-6), m_float(2e-6),
                                  b"{" + m_tuple([b"R" + m_i32(1), m_int(3), b"R" + m_i32(2)]) +
                                  m_int(5) + b"0"]) + b"0")
    code = {"type": "code", "co_name": "<module>"}
    expected = {"functions": [
        {"file": "profile", "line": 0, "name": code, "cc": 1, "nc": 1, "tt": 0.5, "ct": 1.0,
         "callers": []},
        {"file": "/x/f.py", "line": 3, "name": "work", "cc": 2, "nc": 7, "tt": 0.25, "ct": 3,
         "callers": [{"file": "profile", "line": 0, "name": code, "count": 1}]},
        {"file": "/x/f.py", "line": 9, "name": "helper", "cc": 4, "nc": 5, "tt": 1e-6,
         "ct": 2e-6, "callers": [{"file": "/x/f.py", "line": 3, "name": "work", "count": 5}]}]}
    return data, expected


def marshal_written():
    """This interpreter's own marshal: versions 0 to 4 (text floats, 'l' longs,
    'a'/'A'/'u'/'t' strings, FLAG_REF) and its own code-object layout."""
    module = compile("x = (1, 2.5, 3j, None, True, False, ..., 2**100, -2**70, b'b', 'ü')\n"
                     "y = 5 in {1, 2, 3}\n"
                     "def f(a, *b, c=1, **d):\n    return [a for a in b]\n", "/x/m.py", "exec")
    long_name = "n" * 300
    main = ("/x/m.py", 1, "<module>")
    work = ("/x/m.py", 3, "wörk")
    leaf = ("/x/m.py", 8, long_name)
    stats = {
        ("profile", 0, module): (1, 1, 0.0, 2.5, {}),
        main: (1, 1, 1e-3, 2.0, {("profile", 0, module): 1}),
        work: (3, 2**40 + 3, 7, 1.5, {main: (2**40 + 1, 2, 0.5, 1.0), work: (2, 1, 0.1, 0.2)}),
        leaf: (1, 1, 0.25, 0.25, {work: 1}),
    }
    return stats


def malformed():
    """Inputs that must be refused, each aimed at one check."""
    key = m_tuple([m_str(b"f.py"), m_int(1), m_str(b"f")])
    value = m_tuple([m_int(1), m_int(1), m_float(0.0), m_float(0.0), b"{0"])
    nested = b"(" + m_i32(1)
    return {
        "reference out of range": b"\xfb" + key + m_tuple(
            [b"r" + m_i32(7), m_int(1), m_float(0.0), m_float(0.0), b"{0"]) + b"0",
        "negative reference": b"\xfb" + key + m_tuple(
            [b"r" + m_i32(-1), m_int(1), m_float(0.0), m_float(0.0), b"{0"]) + b"0",
        "string reference out of range": b"{" + m_tuple(
            [b"R" + m_i32(0), m_int(1), m_str(b"f")]) + value + b"0",
        "reference to itself": b"{\xa8" + m_i32(3) + b"r" + m_i32(0) + m_int(1) +
            m_str(b"f") + value + b"0",
        "huge tuple count": b"{(" + m_i32(2**31 - 1) + b"0",
        "huge string length": b"{(" + m_i32(3) + b"s" + m_i32(2**31 - 1) + b"0",
        "negative string length": b"{(" + m_i32(3) + b"s" + m_i32(-4) + b"0",
        "deep nesting": b"{(" + m_i32(3) + m_str(b"profile") + m_int(0) + b"c" + m_i32(0) * 4 +
            m_str(b"") + nested * 100000 + b"N",
        "count beyond 64 bits": b"{" + key + m_tuple(
            [b"l" + m_i32(5) + struct.pack("<5H", 1, 1, 1, 1, 0x7FFF), m_int(1), m_float(0.0),
             m_float(0.0), b"{0"]) + b"0",
        "unknown type code": b"{" + key + m_tuple(
            [b"?", m_int(1), m_float(0.0), m_float(0.0), b"{0"]) + b"0",
        "time not finite": b"{" + key + m_tuple(
            [m_int(1), m_int(1), m_float(float("nan")), m_float(0.0), b"{0"]) + b"0",
        "value of 4 items": b"{" + key + m_tuple(
            [m_int(1), m_int(1), m_float(0.0), b"{0"]) + b"0",
        "key of 2 items": b"{" + m_tuple([m_str(b"f.py"), m_int(1)]) + value + b"0",
        "code object of no layout": b"{(" + m_i32(3) + m_str(b"profile") + m_int(0) + b"c" +
            m_i32(0) * 4 + m_int(5) + b"0",
        "callers value a string": b"{" + key + m_tuple(
            [m_int(1), m_int(1), m_float(0.0), m_float(0.0), b"{" + key + m_str(b"x") + b"0"]) +
            b"0",
        "missing dict end": b"{" + key + value,
    }


def mode_synthetic(pconv, corpus, work):
    del corpus
    src = os.path.join(work, "synthetic.pstats")
    out = os.path.join(work, "synthetic.json")
    problems = []
    cases = [(f"marshal version {v}", marshal.dumps(marshal_written(), v),
              expected_from_stats(marshal_written())) for v in range(5)]
    cases.append(("hand-written Python 2",) + hand_written_py2())
    for what, data, expected in cases:
        with open(src, "wb") as f:
            f.write(data)
        try:
            # named *.profile.* so the oracle expects the profile producer
            errors = compare("x.profile.pstats", load_model(pconv, src, out), expected)
        except AssertionError as e:
            errors = [str(e)]
        problems += [f"{what}: {e}" for e in errors]
    for what, data in malformed().items():
        with open(src, "wb") as f:
            f.write(data)
        r = run_pconv(pconv, src, out, "-f", "pstats")
        err = check_failure(src, out, r, True)
        if err:
            problems.append(f"{what}: {err}")
        else:
            print(f"refused, {what}: {r.stderr.strip()}")
    for p in problems:
        print("FAIL", p)
    return 1 if problems else 0


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    mode, pconv, corpus, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    modes = {"oracle": mode_oracle, "gzip": mode_gzip, "damaged": mode_damaged,
             "synthetic": mode_synthetic}
    sys.exit(modes[mode](pconv, corpus, work))


if __name__ == "__main__":
    main()
