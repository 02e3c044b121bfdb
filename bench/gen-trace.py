#!/usr/bin/env python3
"""Write a large Chrome trace-event file for benchmarks (not committed).

usage: gen-trace.py TRACE.json OUTPUT [MEGABYTES]

The events of a viztracer trace repeated, each copy shifted after the one
before in time, until the file reaches MEGABYTES (default 200); metadata
events once, viztracer's other keys after the events, as viztracer writes.
"""
import json
import sys


def main():
    src, out = sys.argv[1], sys.argv[2]
    target = int(float(sys.argv[3]) * 1e6) if len(sys.argv) > 3 else 200_000_000
    d = json.load(open(src))
    meta = [e for e in d["traceEvents"] if e["ph"] == "M"]
    rest = [e for e in d["traceEvents"] if e["ph"] != "M"]
    t0 = min(e["ts"] for e in rest)
    span = max(e["ts"] + e.get("dur", 0) for e in rest) - t0 + 1000
    with open(out, "w") as f:
        f.write('{"traceEvents": [' + ", ".join(json.dumps(e) for e in meta))
        size, k = 0, 0
        while size < target:
            chunk = []
            for e in rest:
                e = dict(e)
                e["ts"] = round(e["ts"] + k * span, 3)
                chunk.append(json.dumps(e))
            text = ", " + ", ".join(chunk)
            f.write(text)
            size += len(text)
            k += 1
        f.write("]")
        for key, value in d.items():
            if key != "traceEvents":
                f.write(", " + json.dumps(key) + ": " + json.dumps(value))
        f.write("}")


if __name__ == "__main__":
    main()
