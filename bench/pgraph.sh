#!/usr/bin/env bash
# pgraph on the 38k-function pstats file: dot and PNG, best of 5 wall times.
# Goal: dot in <= 0.2 s. gprof2dot -f pstats takes 1.34 s / 147 MB on it
# (shared/corpus/pstats/README.md); it is timed here too when installed.
set -euo pipefail
: "${PK_BIN:?PK_BIN: folder of the built commands}"
: "${PK_SHARED:?PK_SHARED: the shared folder}"
input="$PK_SHARED/bench/pstats-38k-functions.py313.pstats"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

best_of_5() { # prints "best-wall-seconds max-rss-KB" of the command
    local best="" rss=0 t m
    for _ in 1 2 3 4 5; do
        /usr/bin/time -o "$tmp/time" -f "%e %M" "$@" >/dev/null 2>&1
        read -r t m <"$tmp/time"
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
    echo "$best $rss"
}

read -r dot_s dot_kb < <(best_of_5 "$PK_BIN/pgraph" "$input" -o "$tmp/g.dot")
read -r png_s png_kb < <(best_of_5 "$PK_BIN/pgraph" "$input" -o "$tmp/g.png")
echo "pgraph 38k pstats -> dot: ${dot_s} s, $((dot_kb / 1024)) MB (goal <= 0.2 s)"
echo "pgraph 38k pstats -> png: ${png_s} s, $((png_kb / 1024)) MB"
ref=1.34
if command -v gprof2dot >/dev/null 2>&1; then
    read -r ref g_kb < <(best_of_5 gprof2dot -f pstats "$input" -o "$tmp/ref.dot")
    echo "gprof2dot 38k pstats -> dot: ${ref} s, $((g_kb / 1024)) MB"
else
    echo "gprof2dot not installed: its published time 1.34 s / 147 MB is the reference"
fi
awk -v a="$ref" -v b="$dot_s" 'BEGIN{ if (b > 0) printf "speed-up over gprof2dot: %.1fx\n", a / b }'
awk -v t="$dot_s" 'BEGIN{exit !(t <= 0.2)}' || { echo "pgraph: dot slower than 0.2 s"; exit 1; }
