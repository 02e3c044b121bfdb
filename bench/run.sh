#!/usr/bin/env bash
# The side-by-side table first (bench/table.py: every job of the speed goals
# against its peer in the same run, medians of BENCH_RUNS rounds), then every
# bench/*.sh with PK_BIN (the built commands) and PK_SHARED (the folder with
# bench/ and corpus/) set. Each prints its own table of timings, peak memory
# and ratios against the tool a user would otherwise run. BENCH_TABLE_ONLY=1
# stops after the table.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export PK_BIN=${PK_BIN:?set PK_BIN to the build directory} PK_SHARED=${PK_SHARED:?set PK_SHARED}
export PK_BENCH_TMP=${PK_BENCH_TMP:-$(mktemp -d)}
echo "== side by side (bench/table.py)"
python3 "$here/table.py" "$PK_BIN" "$PK_SHARED" --tmp "$PK_BENCH_TMP" || echo "(goals missed: see the table)"
echo
if [ "${BENCH_TABLE_ONLY:-0}" = 1 ]; then rm -rf "$PK_BENCH_TMP"; exit 0; fi
for script in "$here"/*.sh; do
  [ "$(basename "$script")" = run.sh ] && continue
  [ "$(basename "$script")" = lib.sh ] && continue
  echo "== $(basename "$script" .sh)"
  bash "$script" || echo "(bench $(basename "$script") failed)"
  echo
done
rm -rf "$PK_BENCH_TMP"
