#!/usr/bin/env python3
"""pstats reader checks, against the corpus oracles (shared/corpus/pstats).

usage: test_pstats_oracle.py MODE PCONV CORPUS_DIR WORK_DIR
  oracle   every *.pstats: pconv F -o out.json matches F.expected.json
  gzip     a gzip-compressed corpus file reads exactly like the original
  damaged  truncated, corrupted and random inputs: exit 2, one error line
"""
import glob
import gzip
import json
import os
import random
import re
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
        for cut in cut_offsets(len(data), budget):
            attempt(data[:cut], True, f"{name} cut at {cut}")
            if cut > 0:
                attempt(data[:cut], True, f"{name} cut at {cut} (-f pstats)", "-f", "pstats")
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


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    mode, pconv, corpus, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    modes = {"oracle": mode_oracle, "gzip": mode_gzip, "damaged": mode_damaged}
    sys.exit(modes[mode](pconv, corpus, work))


if __name__ == "__main__":
    main()
