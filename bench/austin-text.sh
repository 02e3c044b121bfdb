#!/usr/bin/env bash
# austin 3.x text at scale: a corpus capture's samples repeated to ~100 MB
# (no large text capture is stored), read and written as collapsed stacks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src="$PK_SHARED/corpus/austin/a37_wall_threads_py38.austin"
[ -f "$src" ] || { echo "  $src missing, skipped"; exit 0; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
{ grep '^#' "$src" | head -3; echo; for _ in $(seq 120); do grep '^P' "$src"; done; } >"$out/big.austin"
measure "pconv 97 MB austin text -> collapsed" "$PK_BIN/pconv" "$out/big.austin" -o "$out/out.collapsed"
