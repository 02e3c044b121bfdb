#!/usr/bin/env bash
# pgraph on the 38k-function pstats file: dot and PNG, best of 5 runs.
# Goal: dot in <= 0.2 s. gprof2dot -f pstats takes 1.34 s / 147 MB on it
# (shared/corpus/pstats/README.md); it is timed here too when installed.
# CPU time (user + sys) is printed beside wall time: on a loaded machine the
# wall time measures the other processes too, so the goal is checked on CPU.
set -euo pipefail
: "${PK_BIN:?PK_BIN: folder of the built commands}"
: "${PK_SHARED:?PK_SHARED: the shared folder}"
input="$PK_SHARED/bench/pstats-38k-functions.py313.pstats"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# best_of_5 CMD...: prints "best-wall-s best-cpu-s max-rss-KB"
best_of_5() {
    local wall="" cpu="" rss=0 w u s m
    for _ in 1 2 3 4 5; do
        /usr/bin/time -o "$tmp/time" -f "%e %U %S %M" "$@" >/dev/null 2>&1
        read -r w u s m <"$tmp/time"
        c=$(awk -v u="$u" -v s="$s" 'BEGIN{print u + s}')
        if [ -z "$wall" ] || awk -v a="$w" -v b="$wall" 'BEGIN{exit !(a<b)}'; then wall=$w; fi
        if [ -z "$cpu" ] || awk -v a="$c" -v b="$cpu" 'BEGIN{exit !(a<b)}'; then cpu=$c; fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
    echo "$wall $cpu $rss"
}

read -r dot_s dot_cpu dot_kb < <(best_of_5 "$PK_BIN/pgraph" "$input" -o "$tmp/g.dot")
read -r png_s png_cpu png_kb < <(best_of_5 "$PK_BIN/pgraph" "$input" -o "$tmp/g.png")
echo "pgraph 38k pstats -> dot: ${dot_s} s wall, ${dot_cpu} s CPU, $((dot_kb / 1024)) MB (goal <= 0.2 s)"
echo "pgraph 38k pstats -> png: ${png_s} s wall, ${png_cpu} s CPU, $((png_kb / 1024)) MB"
ref=1.34 ref_kb=$((147 * 1024))
if command -v gprof2dot >/dev/null 2>&1; then
    read -r ref ref_cpu ref_kb < <(best_of_5 gprof2dot -f pstats "$input" -o "$tmp/ref.dot")
    echo "gprof2dot 38k pstats -> dot: ${ref} s wall, ${ref_cpu} s CPU, $((ref_kb / 1024)) MB"
else
    echo "gprof2dot not installed: its published 1.34 s / 147 MB is the reference"
fi
awk -v a="$ref" -v b="$dot_s" -v e="$dot_cpu" -v c="$dot_kb" -v d="$ref_kb" 'BEGIN{
    printf "pgraph vs gprof2dot: %.1fx faster (wall), %.1fx (CPU), %.2fx the memory\n",
        a / (b > 0 ? b : 0.001), a / (e > 0 ? e : 0.001), c / d }'
awk -v t="$dot_cpu" 'BEGIN{exit !(t <= 0.2)}' || { echo "pgraph: dot took more than 0.2 s of CPU"; exit 1; }
