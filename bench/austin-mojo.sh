#!/bin/bash
# The large austin MOJO capture (449k samples, 24.8 MB) read and written
# back: collapsed when that writer exists, else the model's JSON dump.
set -e
in="$PK_SHARED/bench/austin-large.mojo"
[ -f "$in" ] || { echo "austin-mojo: $in missing, skipped"; exit 0; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
target=$out/out.collapsed
"$PK_BIN/pconv" --list-formats 2>/dev/null | grep -q '^collapsed ' || target=$out/out.json
/usr/bin/time -f "austin-mojo: %e s wall, %U s user, %M KB max RSS -> ${target##*/}" \
    "$PK_BIN/pconv" "$in" -o "$target"
