#!/usr/bin/env bash
# A long fuzzing run of some targets, one after another, keeping what each
# learns in a corpus folder so the next run starts from there.
#   tests/fuzz/run.sh BUILD_DIR SHARED_DIR SECONDS WORK_DIR [TARGET...]
# Findings land in WORK_DIR/findings/<target>/ (crash-*, leak-*, timeout-*, oom-*).
set -euo pipefail
build=$1 shared=$2 seconds=$3 work=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
with_regressions=1
. "$here/seeds.sh"
generated=$(mktemp -d)
trap 'rm -rf "$generated"' EXIT
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(cd "$build" && ls fuzz_* | sed 's/^fuzz_//'))
for name in "${targets[@]}"; do
  corpus=$work/corpus/$name findings=$work/findings/$name
  mkdir -p "$corpus" "$findings"
  for f in $(seeds_for "$name"); do
    [ -f "$f" ] && head -c 65536 "$f" >"$corpus/seed-$(basename "$f")"
  done
  echo "fuzz_$name: ${seconds}s" >&2
  nice -n 10 "$build/fuzz_$name" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
    -timeout=2 -print_final_stats=1 -artifact_prefix="$findings/" \
    -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -fork=1 \
    "$corpus" >"$work/$name.log" 2>&1 || true
  grep -E 'stat::number_of_executed_units|^#[0-9]+.*DONE' "$work/$name.log" | tail -2 >&2 || true
  ls "$findings" >&2
done
