#!/usr/bin/env bash
# perf script text at scale: the corpus captures repeated to ~1 GB (no such
# capture is stored), read into the model (bench_read) and collapsed by
# stackcollapse-perf.pl, alternating, CPU time.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
corpus="$PK_SHARED/corpus/perf"
[ -d "$corpus" ] || { echo "  $corpus missing, skipped"; exit 0; }
out=$(mktemp -d "${PK_BENCH_TMP:-/tmp}/perf.XXXXXX")
trap 'rm -rf "$out"' EXIT
mb=${PERF_BENCH_MB:-1024}
while [ "$(stat -c %s "$out/big.perf.txt" 2>/dev/null || echo 0)" -lt $((mb * 1000000)) ]; do
  cat "$corpus"/*.perf.txt >>"$out/big.perf.txt"
done
size=$(($(stat -c %s "$out/big.perf.txt") / 1000000))
peer="$PK_SHARED/peers/stackcollapse-perf.pl"
for run in 1 2 3; do
  measure "read $size MB perf script (run $run)" "$PK_BIN/bench_read" -n 1 "$out/big.perf.txt"
  ours[$run]=$CPU
  if [ -f "$peer" ] && [ "$run" -le "${PERF_BENCH_PEER_RUNS:-1}" ]; then
    measure "stackcollapse-perf.pl (run $run)" perl "$peer" "$out/big.perf.txt"
    peer_cpu[$run]=$CPU
  fi
done
med=$(printf '%s\n' "${ours[@]}" | sort -n | sed -n 2p)
echo "  median CPU ${med} s (goal: under 4 s)"
[ -n "${peer_cpu[1]:-}" ] && echo "  stackcollapse-perf.pl / ours: $(ratio "${peer_cpu[1]}" "$med")x"
