#!/usr/bin/env bash
# The large austin MOJO capture (449k samples, 24.8 MB) read and written as
# collapsed stacks and as speedscope JSON. Goal: collapsed under 0.3 s.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
in="$PK_SHARED/bench/austin-large.mojo"
[ -f "$in" ] || { echo "  $in missing, skipped"; exit 0; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
measure "pconv austin-large.mojo -> collapsed" "$PK_BIN/pconv" "$in" -o "$out/out.collapsed"
within "$CPU" 0.3 && echo "  collapsed: ${CPU} s cpu, goal (< 0.3 s) met" ||
  echo "  collapsed: ${CPU} s cpu, goal (< 0.3 s) missed"
measure "pconv austin-large.mojo -> speedscope" "$PK_BIN/pconv" "$in" -o "$out/out.speedscope.json"
