#!/usr/bin/env bash
# The large memray capture (19.9 M allocation records, 24.5 MB LZ4) to a flame
# graph SVG. Goal: <= 1 s and <= 64 MB. `memray flamegraph` takes 9.6 s /
# 128 MB on it (shared/bench/README.md); it is timed too when installed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
in="$PK_SHARED/bench/memray-large.lz4.bin"
[ -f "$in" ] || { echo "  $in missing, skipped"; exit 0; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
measure "pconv memray-large.lz4.bin -> flame.svg" "$PK_BIN/pconv" "$in" -o "$out/flame.svg"
pk_cpu=$CPU pk_wall=$WALL pk_rss=$RSS_KB
if command -v memray >/dev/null; then
  measure "memray flamegraph" memray flamegraph -f -o "$out/memray.html" "$in"
  ref_cpu=$CPU ref_wall=$WALL ref_rss=$RSS_KB
else
  # measured on an idle machine, where wall and CPU time agree
  ref_cpu=9.6 ref_wall=9.6 ref_rss=$((128 * 1024))
  echo "  memray flamegraph not installed: its published 9.6 s / 128 MB is the reference"
fi
echo "  pconv: $(ratio "$ref_cpu" "$pk_cpu")x faster (cpu), $(ratio "$ref_wall" "$pk_wall")x (wall), $(ratio "$ref_rss" "$pk_rss")x less memory than memray flamegraph"
if within "$pk_cpu" 1.0 && within "$pk_rss" $((64 * 1024)); then
  echo "  goal (<= 1 s cpu, <= 64 MB) met"
else
  echo "  goal (<= 1 s cpu, <= 64 MB) missed"
fi
