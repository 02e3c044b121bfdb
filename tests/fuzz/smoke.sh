#!/usr/bin/env bash
# Runs every fuzz target briefly, seeded from the corpus.
#   tests/fuzz/smoke.sh BUILD_DIR SHARED_DIR [SECONDS_PER_TARGET]
# A long run of one target: BUILD_DIR/fuzz_pstats -max_total_time=1800 SEEDS/
set -euo pipefail
build=$1 shared=$2 seconds=${3:-6}
here=$(cd "$(dirname "$0")" && pwd)
generated=$(mktemp -d)
trap 'rm -rf "$generated"' EXIT
seeds_for() {
  case $1 in
    auto) find "$shared/corpus" -type f ! -name '*.json' ! -name '*.txt' ! -name '*.png' \
            ! -name '*.dot' ! -name '*.md' ! -name '*.py' ! -name '*.svg' ;;
    pstats) echo "$shared/corpus/pstats/*.pstats" ;;
    callgrind) echo "$shared/corpus/callgrind/*.out $shared/corpus/callgrind/*.callgrind" ;;
    collapsed) echo "$shared/corpus/collapsed/*.folded" ;;
    austin) echo "$shared/corpus/austin/*.austin" ;;
    mojo) echo "$shared/corpus/austin/*.mojo" ;;
    memray) echo "$shared/corpus/memray/*.bin" ;;
    lprof) echo "$shared/corpus/lprof/*.lprof" ;;
    speedscope | pprof) # no corpus files: written from the samples by pconv
      for f in "$here"/../../samples/*.pstats; do
        out=$generated/$(basename "$f").$1
        "$build/pconv" "$f" -t "$1" -o "$out" 2>/dev/null && echo "$out"
      done ;;
    *) echo "" ;;
  esac
}
status=0
for target in "$build"/fuzz_*; do
  name=${target##*/fuzz_}
  seeds=$(mktemp -d)
  for f in $(seeds_for "$name"); do
    [ -f "$f" ] && head -c 65536 "$f" >"$seeds/$(basename "$f")"
  done
  echo "fuzz_$name: ${seconds}s"
  if ! "$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=5 \
      -print_final_stats=1 "$seeds" 2>"$seeds.log"; then
    tail -40 "$seeds.log"
    status=1
  else
    grep -E 'stat::number_of_executed_units' "$seeds.log" || true
  fi
  rm -rf "$seeds" "$seeds.log"
done
exit $status
