#!/usr/bin/env bash
# Runs every bench/*.sh with PK_BIN (the built commands) and PK_SHARED (the
# folder with bench/ and corpus/) set. Each prints its own table of timings,
# peak memory and ratios against the tool a user would otherwise run.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export PK_BIN=${PK_BIN:?set PK_BIN to the build directory} PK_SHARED=${PK_SHARED:?set PK_SHARED}
export PK_BENCH_TMP=${PK_BENCH_TMP:-$(mktemp -d)}
for script in "$here"/*.sh; do
  [ "$(basename "$script")" = run.sh ] && continue
  [ "$(basename "$script")" = lib.sh ] && continue
  echo "== $(basename "$script" .sh)"
  bash "$script" || echo "(bench $(basename "$script") failed)"
  echo
done
rm -rf "$PK_BENCH_TMP"
