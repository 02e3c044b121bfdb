#!/usr/bin/env python3
"""pyinstrument files that are damaged or hostile end with one line naming
the file and where it went wrong, exit status 2 and no output; async sessions
keep pyinstrument's [await] frames; a claimed sample count is only a number.
Usage: test_robust.py PCONV SESSION JSON"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from pconv_checks import Checks  # noqa: E402

PCONV, SESSION, TREE = sys.argv[1], sys.argv[2], sys.argv[3]
checks = Checks(PCONV, "in.pyisession")
run, expect, refused, failures = checks.run, checks.expect, checks.refused, checks.failures


session = json.load(open(SESSION))
tree = json.load(open(TREE))


def s_variant(change):
    d = json.loads(json.dumps(session))
    change(d)
    return json.dumps(d)


def t_variant(change):
    d = json.loads(json.dumps(tree))
    change(d)
    return json.dumps(d)


refused("truncated session", json.dumps(session)[:5000])
refused("a record that is no pair", s_variant(lambda d: d["frame_records"].insert(3, [[]])),
        "frame_records[3]")
refused("a frame without its line", s_variant(
    lambda d: d["frame_records"][2][0].append("f\0file.py")), "frame_records[2]")
refused("a first line that is text", s_variant(
    lambda d: d["frame_records"][2][0].append("f\0file.py\0x")), "frame_records[2]")
refused("a thread ident that is text", s_variant(
    lambda d: d["frame_records"][0][0].__setitem__(0, "MainThread\0<thread>\0main")))
refused("a huge time", s_variant(lambda d: d["frame_records"][1].__setitem__(1, 1e300)),
        "frame_records[1]")
refused("a time that is text", s_variant(lambda d: d["frame_records"][1].__setitem__(1, "1")))
refused("records not a list", s_variant(lambda d: d.update(frame_records={})), "frame_records")
deep = {"function": "f", "file_path": "a.py", "line_no": 1, "time": 1.0, "children": []}
text = json.dumps(dict(tree, root_frame=deep))
nest = '{"function": "f", "file_path": "a.py", "line_no": 1, "time": 1.0, "children": ['
refused("deep nesting", text.replace('"root_frame": {', '"root_frame": ' + nest * 100000 + "{", 1))
refused("a frame without a time", t_variant(lambda d: d["root_frame"].pop("time")))
refused("a frame that is no object", t_variant(lambda d: d["root_frame"]["children"].append(3)))

# 10^9 claimed samples: only a number
r, m, _, _ = run(s_variant(lambda d: d.update(sample_count=10**9)))
expect(r.returncode == 0 and m["meta"]["pyinstrument.sample_count"] == "1000000000",
       "10^9 claimed samples: a number kept")


# async_mode enabled: stacks ending in [await], kept as pyinstrument marks them
def awaiting(d):
    for rec in d["frame_records"][:10]:
        rec[0].append("[await]")


r, m, _, _ = run(s_variant(awaiting))
expect(r.returncode == 0, f"[await] frames read ({r.stderr.strip()})")
if m:
    aw = [f for f in m["functions"] if f["name"] == "[await]"]
    want = round(sum(rec[1] * 1e9 for rec in session["frame_records"][:10]))
    expect(len(aw) == 1 and aw[0]["kind"] == "other" and abs(aw[0]["self"][0] - want) <= 10,
           "[await] is a function of its own with the awaiting time")

# a thread root only with --threads
r, m, _, _ = run(json.dumps(session), "--threads")
roots = [f for f in m["functions"] if f["kind"] == "thread"] if m else []
expect(len(roots) == 1 and roots[0]["name"].startswith("MainThread "), "thread root with --threads")
r, m, _, _ = run(json.dumps(session))
expect(m and not [f for f in m["functions"] if f["kind"] == "thread"], "no thread root without")
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
