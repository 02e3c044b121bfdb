#!/usr/bin/env bash
# memray capture (101 MB raw, 19.9 M allocation records, one LZ4 frame) ->
# flame graph SVG, JSON model and collapsed stacks: wall time and peak RSS,
# against memray's own figures (memray flamegraph 9.6 s / 128 MB, memray stats
# 5.8 s / 66 MB on the same capture). Checks the numbers against memray stats.
set -uo pipefail
: "${PK_BIN:?set PK_BIN to the folder holding pconv}"
: "${PK_SHARED:?set PK_SHARED to the shared folder}"
big=$PK_SHARED/bench/memray-large.lz4.bin
[ -f "$big" ] || { echo "  $big missing: skipped"; exit 0; }
out=${PK_BENCH_TMP:-$(mktemp -d)}

# wall time, CPU time (user + sys: what a busy machine does not inflate as
# much) and peak RSS
measure_cpu() {
  local label=$1; shift
  local log
  log=$(mktemp)
  /usr/bin/time -f '%e %U %S %M' -o "$log" "$@" >/dev/null 2>&1 || { echo "  $label: FAILED"; rm -f "$log"; return 1; }
  read -r wall user sys rss_kb <"$log"
  rm -f "$log"
  printf '  %-48s %7.2f s wall %6.2f s cpu %5d MB\n' "$label" "$wall" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" $((rss_kb / 1024))
}

echo "  goal: <= 1 s and <= 64 MB (memray flamegraph: 9.6 s / 128 MB)"
measure_cpu "pconv capture -o flame.svg" "$PK_BIN/pconv" "$big" -o "$out/memray.svg"
measure_cpu "pconv capture -o model.json" "$PK_BIN/pconv" "$big" -o "$out/memray.json"
measure_cpu "pconv capture --view leaks -o leaks.collapsed" \
  "$PK_BIN/pconv" "$big" --view leaks -o "$out/memray.collapsed"
measure_cpu "pconv capture --view total -o total.json" \
  "$PK_BIN/pconv" "$big" --view total -o "$out/memray-total.json"

python3 - "$out/memray.json" "$out/memray-total.json" "$big.stats.json" <<'PY'
import json, sys
import collections
peak, total, stats = (json.load(open(p)) for p in sys.argv[1:])
ok = (peak["totals"][0] == stats["metadata"]["peak_memory"]
      and total["totals"] == [stats["total_bytes_allocated"], stats["total_num_allocations"]])
by_bytes, by_count = collections.Counter(), collections.Counter()
for node in total["tree"]:
    fn = total["functions"][node["func"]]
    loc = "%s:%s:%d" % (fn["name"], fn["file"], node["line"])
    by_bytes[loc] += node["self"][0]
    by_count[loc] += node["self"][1]
ok = ok and all(by_bytes[e["location"]] == e["size"] for e in stats["top_allocations_by_size"])
ok = ok and all(by_count[e["location"]] == e["count"] for e in stats["top_allocations_by_count"])
print("  oracle (memray stats): peak %d, %d allocations, %d bytes, top locations: %s" % (
    peak["totals"][0], total["totals"][1], total["totals"][0], "match" if ok else "MISMATCH"))
sys.exit(0 if ok else 1)
PY
