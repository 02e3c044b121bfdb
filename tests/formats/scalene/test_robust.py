#!/usr/bin/env python3
"""scalene JSON that is damaged or hostile ends with one line naming the file
and where it went wrong, exit status 2 and no output; odd but valid files
(no memory timeline, a line before any function, GPU on) read.
Usage: test_robust.py PCONV CORPUS_FILE"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from pconv_checks import Checks  # noqa: E402

PCONV, CORPUS = sys.argv[1], sys.argv[2]
checks = Checks(PCONV, "in.json")
run, expect, refused, failures = checks.run, checks.expect, checks.refused, checks.failures


base = json.load(open(CORPUS))
text = json.dumps(base, sort_keys=True, indent=4)


def variant(change):
    d = json.loads(text)
    change(d)
    return json.dumps(d, sort_keys=True, indent=4)


first_file = next(iter(base["files"]))
refused("truncated", text[: len(text) // 2])
refused("deep nesting", text.replace('"files": {', '"files": {"x": ' + "[" * 200000, 1))
refused("a line number that is text",
        variant(lambda d: d["files"][first_file]["lines"][2].update(lineno="7")),
        f"files.{first_file}.lines[2].lineno")
refused("a value that is no number",
        variant(lambda d: d["files"][first_file]["functions"][0].update(n_cpu_percent_c=None)),
        f"files.{first_file}.functions[0].n_cpu_percent_c")
refused("a huge value", variant(lambda d: d["files"][first_file]["lines"][0].update(n_malloc_mb=1e300)))
refused("a timeline point that is no pair", variant(lambda d: d.update(samples=[[1, 2, 3]])),
        "samples[0]")
refused("memory flag missing", variant(lambda d: d.pop("memory")), "memory")
refused("files not an object", variant(lambda d: d.update(files=[])), "files")
# 10^9 claimed allocation samples are only a number: read, not allocated for
r, m, _, _ = run(variant(lambda d: d.update(alloc_samples=10**9)))
expect(r.returncode == 0 and m["meta"]["scalene.alloc_samples"] == "1000000000",
       "10^9 claimed allocation samples: a number kept")


def gpu_and_module(d):
    d["gpu"] = True
    f = d["files"][first_file]
    f["lines"].insert(0, dict(f["lines"][0], lineno=1, line="import os\n", n_gpu_percent=12.5))
    d["samples"] = []


r, m, _, _ = run(variant(gpu_and_module))
expect(r.returncode == 0, f"GPU on, a module line: read ({r.stderr.strip()})")
if m:
    names = [x["name"] for x in m["metrics"]]
    expect({"gpu", "gpu_mem_avg", "gpu_mem_peak"} <= set(names), "GPU metrics added")
    mod = [f for f in m["functions"] if f["name"] == "<module>"]
    expect(len(mod) == 1 and mod[0]["line"] == 1, "module-level line under <module>")
    line1 = [l for l in m["lines"] if l["line"] == 1]
    expect(len(line1) == 1 and line1[0]["v"][names.index("gpu")] == 12500000, "GPU % per line")
    expect("series" not in m, "no timeline without samples")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
