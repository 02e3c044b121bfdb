#!/usr/bin/env python3
"""speedscope: the writer's output follows speedscope's file format schema,
and reading it back gives the same stacks and totals; evented profiles are
read as the time between events. Usage: test_speedscope_roundtrip.py PCONV CORPUS_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

UNITS = {"none", "nanoseconds", "microseconds", "milliseconds", "seconds", "bytes"}


def run(pconv, *args):
    r = subprocess.run([pconv, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"pconv {' '.join(args)}: {r.stderr.strip()}")


def validate(doc):
    """The rules of speedscope's file-format-schema.json that an importer relies on."""
    assert doc["$schema"] == "https://www.speedscope.app/file-format-schema.json"
    frames = doc["shared"]["frames"]
    for f in frames:
        assert isinstance(f["name"], str)
        assert set(f) <= {"name", "file", "line", "col"}
        assert isinstance(f.get("file", ""), str) and isinstance(f.get("line", 0), int)
    assert doc["profiles"]
    for p in doc["profiles"]:
        assert p["type"] == "sampled" and p["unit"] in UNITS and isinstance(p["name"], str)
        assert len(p["samples"]) == len(p["weights"])
        for s in p["samples"]:
            assert all(isinstance(i, int) and 0 <= i < len(frames) for i in s)
        assert all(isinstance(w, (int, float)) for w in p["weights"])
        assert p["startValue"] <= p["endValue"] == sum(p["weights"])


def stacks(model, metric):
    """{function-key path: self value} from the model's tree."""
    funcs, nodes = model["functions"], {n["id"]: n for n in model.get("tree", [])}
    out = {}
    for n in nodes.values():
        v = n["self"][metric]
        if not v:
            continue
        path, q = [], n["id"]
        while q != 0:
            f = funcs[nodes[q]["func"]]
            path.append(f"{f['file']}:{f['name']}")
            q = nodes[q]["parent"]
        key = tuple(reversed(path))
        out[key] = out.get(key, 0) + v
    return out


def roundtrip(pconv, path, tmp, metric_name=None):
    extra = ["--metric", metric_name] if metric_name else []
    a, s, b = (os.path.join(tmp, n) for n in ("a.json", "x.speedscope.json", "b.json"))
    run(pconv, path, "-o", a)
    run(pconv, path, "-o", s, *extra)
    with open(s) as f:
        doc = json.load(f)
    validate(doc)
    run(pconv, s, "-o", b)
    with open(a) as f:
        ma = json.load(f)
    with open(b) as f:
        mb = json.load(f)
    names = [m["name"] for m in ma["metrics"]]
    ia = names.index(metric_name) if metric_name else 0
    unit = {"ns": "nanoseconds", "bytes": "bytes"}.get(ma["metrics"][ia]["unit"], "none")
    assert doc["profiles"][0]["unit"] == unit, doc["profiles"][0]["unit"]
    assert mb["totals"][0] == ma["totals"][ia], (mb["totals"], ma["totals"])
    sa, sb = stacks(ma, ia), stacks(mb, 0)
    empty = ma["totals"][ia] - sum(sa.values())  # samples without frames
    if empty:
        sa[()] = empty
        sb[()] = mb["totals"][0] - sum(sb.values())
    assert sa == sb, f"{len(sa)} stacks before, {len(sb)} after"


def evented(pconv, tmp):
    """A hand-made evented profile in milliseconds: a 0-10 { b 2-5, c 6-9 }."""
    doc = {"$schema": "https://www.speedscope.app/file-format-schema.json",
           "shared": {"frames": [{"name": "a", "file": "x.py", "line": 1},
                                 {"name": "b", "file": "x.py"}, {"name": "c"}]},
           "profiles": [{"type": "evented", "name": "main", "unit": "milliseconds",
                         "startValue": 0, "endValue": 10,
                         "events": [{"type": "O", "frame": 0, "at": 0},
                                    {"type": "O", "frame": 1, "at": 2},
                                    {"type": "C", "frame": 1, "at": 5},
                                    {"type": "O", "frame": 2, "at": 6},
                                    {"type": "C", "frame": 2, "at": 9.5},
                                    {"type": "C", "frame": 0, "at": 10}]}]}
    src, out = os.path.join(tmp, "ev.speedscope.json"), os.path.join(tmp, "ev.json")
    with open(src, "w") as f:
        json.dump(doc, f)
    run(pconv, src, "-o", out)
    with open(out) as f:
        m = json.load(f)
    # expected from the events themselves: open intervals, in ns
    want, stack, last = {}, [], 0
    names = [fr["name"] for fr in doc["shared"]["frames"]]
    files = [fr.get("file", "") for fr in doc["shared"]["frames"]]
    for ev in doc["profiles"][0]["events"]:
        at = round(ev["at"] * 1e6)
        if stack and at > last:
            key = tuple(f"{files[i]}:{names[i]}" for i in stack)
            want[key] = want.get(key, 0) + at - last
        last = at
        stack.append(ev["frame"]) if ev["type"] == "O" else stack.pop()
    assert m["metrics"] == [{"name": "time", "unit": "ns"}], m["metrics"]
    assert stacks(m, 0) == want, (stacks(m, 0), want)
    assert m["totals"] == [sum(want.values())]


def errors(pconv, tmp):
    """Damaged documents: the error names the JSON path of the bad value and
    its offset points at that value in the text."""
    def doc(profile, frames=({"name": "a"}, {"name": "b"})):
        return {"$schema": "https://www.speedscope.app/file-format-schema.json",
                "shared": {"frames": list(frames)},
                "profiles": [{"name": "p", "unit": "none", "startValue": 0, "endValue": 9,
                              **profile}]}
    sampled = {"type": "sampled", "samples": [[0, 1], [0, 1]], "weights": [1, 2]}
    cases = [
        (doc({**sampled, "samples": [[0, 1], [0, 7]]}),
         "profiles[0].samples[1][1]: frame index 7 out of range", "7"),
        (doc({**sampled, "weights": [1, "heavy"]}), "profiles[0].weights[1]: ", '"heavy"'),
        (doc({**sampled, "unit": "parsecs"}), "profiles[0].unit: unknown unit", '"parsecs"'),
        (doc(sampled, frames=({"name": "a"}, {"file": "f.py"})),
         "shared.frames[1]: frame without a name", "{"),
        (doc({"type": "evented", "events": [{"type": "O", "frame": 0, "at": 0},
                                            {"type": "C", "frame": 1, "at": 3}]}),
         "profiles[0].events[1].frame: close event does not match", "1"),
    ]
    path = os.path.join(tmp, "bad.speedscope.json")
    for document, message, value in cases:
        text = json.dumps(document, indent=1)
        with open(path, "w") as f:
            f.write(text)
        r = subprocess.run([pconv, path, "-o", os.path.join(tmp, "bad.json")],
                           capture_output=True, text=True)
        prefix = f"pconv: {path}: offset "
        assert r.returncode == 2 and r.stderr.startswith(prefix), r.stderr
        offset, what = r.stderr[len(prefix):].split(": ", 1)
        assert what.startswith(message), (what, message)
        assert text[int(offset):].startswith(value), (message, text[int(offset):][:20])


def main():
    pconv, corpus = sys.argv[1], sys.argv[2]
    failed = checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("evented", None, None), ("errors", None, None)]
        for f in sorted(os.listdir(corpus)):
            p = os.path.join(corpus, f)
            if f.endswith(".expected.json") or not os.path.exists(p + ".expected.json"):
                continue
            with open(p + ".expected.json") as fh:
                exp = json.load(fh)
            if "totals" not in exp:
                continue
            cases.append((f, p, None))
            if "memory" in exp["totals"]:
                cases.append((f + " --metric alloc", p, "alloc"))
        for name, path, metric in cases:
            checked += 1
            try:
                if path is None:
                    (evented if name == "evented" else errors)(pconv, tmp)
                else:
                    roundtrip(pconv, path, tmp, metric)
                print("ok   " + name)
            except (AssertionError, KeyError, ValueError) as e:
                failed += 1
                print(f"FAIL {name}: {e}")
    print(f"{checked - failed} of {checked} speedscope checks pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
