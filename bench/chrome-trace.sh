#!/usr/bin/env bash
# Chrome trace-event JSON at scale: the events of a viztracer corpus trace
# repeated (shifted in time) to ~200 MB, read into the model (bench_read)
# and loaded by Python's json module, alternating, CPU time.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src="$PK_SHARED/corpus/viztracer/vz_py311_threads.json"
[ -f "$src" ] || { echo "  $src missing, skipped"; exit 0; }
out=$(mktemp -d "${PK_BENCH_TMP:-/tmp}/trace.XXXXXX")
trap 'rm -rf "$out"' EXIT
python3 "$(dirname "$0")/gen-trace.py" "$src" "$out/big.json" "${TRACE_BENCH_MB:-200}"
size=$(($(stat -c %s "$out/big.json") / 1000000))
for run in 1 2 3; do
  measure "read $size MB trace (run $run)" "$PK_BIN/bench_read" -n 1 "$out/big.json"
  ours[$run]=$CPU
  measure "python3 json.load (run $run)" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out/big.json"
  peer[$run]=$CPU
done
med=$(printf '%s\n' "${ours[@]}" | sort -n | sed -n 2p)
pmed=$(printf '%s\n' "${peer[@]}" | sort -n | sed -n 2p)
echo "  median CPU ${med} s (goal: under 2 s); json.load / ours: $(ratio "$pmed" "$med")x"
