#!/usr/bin/env python3
"""Check every scalene JSON profile in the corpus against its FILE.oracle.json.

The model is read from `pconv FILE -o out.json` (docs/model-json.md). scalene's
percentages are kept with 6 decimals, its MB (MiB) as bytes, so each value may
differ from the oracle by its rounding, and a sum by the rounding of its terms.
Usage: test_oracle.py PCONV DIR
"""
import json
import os
import subprocess
import sys
import tempfile

MB = 1024 * 1024
# oracle field -> (model metric, scale to the model's integers)
FIELDS = {
    "cpu_python_pct": ("cpu_python", 1e6),
    "cpu_native_pct": ("cpu_native", 1e6),
    "cpu_system_pct": ("cpu_system", 1e6),
    "cpu_total_pct": ("cpu", 1e6),
    "malloc_mb": ("alloc", MB),
    "mallocs": ("alloc_samples", 1),
    "copy_mb_s": ("copy", MB),
}
ROW_FIELDS = dict(FIELDS, peak_mb=("mem_peak", MB), avg_mb=("mem_avg", MB),
                  python_fraction=("alloc_python", 1e8), usage_fraction=("alloc_share", 1e8))


def dump(pconv, path):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        r = subprocess.run([pconv, path, "-o", out], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"pconv {path}: {r.stderr.strip()}")
        with open(out) as f:
            return json.load(f)


def check(pconv, path, exp):
    errors = []
    d = dump(pconv, path)
    names = [m["name"] for m in d["metrics"]]
    meta = d["meta"]

    def eq(what, got, want):
        if got != want:
            errors.append(f"{what}: got {got!r}, want {want!r}")

    def near(what, got, want, scale, terms=1):
        # each of `terms` values rounded to an integer: half a unit apiece
        if abs(got - want * scale) > 0.5 * terms + 1e-6 * abs(want * scale) + 1e-6:
            errors.append(f"{what}: got {got}, want {want} (x{scale})")

    def value(vals, metric):
        return vals[names.index(metric)] if metric in names else 0

    eq("format", d["format"], "scalene")
    eq("memory", meta.get("scalene.memory"), "true" if exp["memory"] else "false")
    eq("gpu metric", "gpu" in names, exp["gpu"])
    eq("memory metrics", "alloc" in names, exp["memory"])
    eq("program", meta.get("scalene.program"), exp["program"])
    eq("elapsed", float(meta["duration_s"]), exp["elapsed_time_sec"])
    eq("alloc_samples", int(float(meta["scalene.alloc_samples"])), exp["alloc_samples"])
    eq("growth_rate", float(meta["scalene.growth_rate_pct"]), exp["growth_rate_pct"])
    eq("max footprint", float(meta["scalene.max_footprint_mb"]), exp["max_footprint_mb"])
    fname, fline = exp["max_footprint_at"]
    eq("max footprint at", meta.get("scalene.max_footprint_at"),
       f"{fname}:{fline}" if fname is not None and fline is not None else None)

    points = d.get("series", {}).get("points", [])
    eq("timeline points", len(points), exp["n_timeline_samples"])
    if points:
        near("timeline max", max(p[1] for p in points), exp["timeline_max_mb"], MB)
        eq("timeline last t", points[-1][0], exp["timeline_last_t"])

    funcs = d["functions"]
    files = {}
    for l in d.get("lines", []):
        files.setdefault(funcs[l["func"]]["file"], []).append(l)
    eq("files", len(files), exp["n_files"])
    for fname, fx in exp["files"].items():
        lines = files.get(fname, [])
        by_line = {l["line"]: l for l in lines}
        eq(f"{fname}: lines", len(lines), fx["lines"]["n"])
        eq(f"{fname}: percent_cpu_time",
           float(meta.get(f"scalene.file.{fname}.percent_cpu_time", "nan")), fx["percent_cpu_time"])
        for field, (metric, scale) in FIELDS.items():
            got = sum(value(l["v"], metric) for l in lines)
            near(f"{fname}: lines {field}", got, fx["lines"][field], scale, len(lines))
        # line sums equal the file's share of CPU, as scalene writes them
        near(f"{fname}: line CPU sum", sum(value(l["v"], "cpu") for l in lines),
             fx["percent_cpu_time"], 1e6, 3 * len(lines))
        peak = max((value(l["v"], "mem_peak") for l in lines), default=0)
        near(f"{fname}: max peak", peak, fx["lines"]["max_peak_mb"], MB)
        for row in fx["top10_lines_by_cpu"] + fx["top10_lines_by_malloc_mb"]:
            l = by_line.get(row["lineno"])
            if l is None:
                errors.append(f"{fname}: no line {row['lineno']}")
                continue
            for field, (metric, scale) in ROW_FIELDS.items():
                near(f"{fname}:{row['lineno']} {field}", value(l["v"], metric), row[field], scale,
                     3 if field == "cpu_total_pct" else 1)

        # functions as scalene computed them (not the sums of their lines)
        fs = {(f["name"], f["line"]): f for f in funcs if f["file"] == fname}
        eq(f"{fname}: functions", len([k for k in fs if k[0] != "<module>"]),
           fx["functions"]["n"])
        for row in fx["functions_in_file_order"]:
            f = fs.get((row["text"], row["lineno"]))
            if f is None:
                errors.append(f"{fname}: no function {row['text']} at {row['lineno']}")
                continue
            for field, (metric, scale) in ROW_FIELDS.items():
                near(f"{fname}:{row['text']} {field}", value(f["self"], metric), row[field], scale,
                     3 if field == "cpu_total_pct" else 1)
                eq(f"{fname}:{row['text']} incl = self", f["incl"], f["self"])
        for field, (metric, scale) in FIELDS.items():
            got = sum(value(f["self"], metric) for f in fs.values())
            near(f"{fname}: functions {field}", got, fx["functions"][field], scale,
                 3 * len(fs))
    return errors


def main():
    pconv, folder = sys.argv[1], sys.argv[2]
    checked, failed = 0, 0
    for name in sorted(os.listdir(folder)):
        oracle = os.path.join(folder, name + ".oracle.json")
        if name.endswith(".oracle.json") or not os.path.exists(oracle):
            continue
        with open(oracle) as f:
            exp = json.load(f)
        errors = check(pconv, os.path.join(folder, name), exp)
        checked += 1
        for e in errors[:20]:
            print(f"{name}: {e}")
        failed += bool(errors)
    print(f"{checked} profiles checked, {failed} failed")
    if checked == 0:
        print("no profile with an oracle found")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
