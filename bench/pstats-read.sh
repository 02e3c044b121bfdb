#!/bin/sh
# Reading time of the pstats reader alone (bench_read), 20k and 38k functions.
# Goal: the 38k-function file read in well under 0.1 s (marshal.load alone
# takes 0.36 s, pstats print_stats 0.52 s on the reference machine).
set -eu
: "${PK_BIN:?PK_BIN: the folder of the built commands}"
: "${PK_SHARED:?PK_SHARED: the shared folder}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for f in "$PK_SHARED"/bench/pstats-*.pstats; do
    [ -f "$f" ] || continue
    "$PK_BIN/bench_read" -n 5 "$f"
    name=$(basename "$f")
    /usr/bin/time -f "pconv $name -o model.json: %e s, %M KB max RSS" \
        "$PK_BIN/pconv" "$f" -o "$out/model.json"
done
