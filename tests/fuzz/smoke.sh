#!/usr/bin/env bash
# Runs every fuzz target briefly, seeded from the corpus.
#   tests/fuzz/smoke.sh BUILD_DIR SHARED_DIR [SECONDS_PER_TARGET]
# A long run of one target: BUILD_DIR/fuzz_pstats -max_total_time=1800 SEEDS/
set -euo pipefail
build=$1 shared=$2 seconds=${3:-6}
here=$(cd "$(dirname "$0")" && pwd)
generated=$(mktemp -d)
trap 'rm -rf "$generated"' EXIT
. "$here/seeds.sh"
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
