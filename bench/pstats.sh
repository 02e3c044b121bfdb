#!/usr/bin/env bash
# pstats benchmark: pconv to callgrind against pyprof2calltree, and ptop
# against pstats' print_stats, on the large files of the shared bench folder.
# Environment: PK_BIN (folder of pconv and ptop), PK_SHARED (the shared folder).
# Goals (CPU time): pconv >= 25x faster than pyprof2calltree with less than
# half its memory; ptop >= 10x faster than print_stats.
set -euo pipefail
: "${PK_BIN:?set PK_BIN to the folder holding pconv and ptop}"
: "${PK_SHARED:?set PK_SHARED to the shared folder}"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "pstats.sh: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run CMD...: the run of 3 with the least CPU time (user+sys, s), its wall
# time (s) and peak RSS (KB) -> $wall $cpu $rss. On a loaded machine wall time
# measures the other processes too: goals and ratios are read on CPU time.
run() {
    local best_wall="" best_cpu="" best_rss="" i w r u s c
    for i in 1 2 3; do
        "$TIME" -f '%e %M %U %S' -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || {
            echo "pstats.sh: failed: $*" >&2; cat "$tmp/err" >&2; exit 2; }
        read -r w r u s <"$tmp/t"
        c=$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')
        if [ -z "$best_cpu" ] || awk "BEGIN{exit !($c < $best_cpu)}"; then
            best_wall=$w best_rss=$r best_cpu=$c
        fi
    done
    wall=$best_wall cpu=$best_cpu rss=$best_rss
}

report() { # LABEL SIZE_BYTES WALL CPU RSS_KB
    awk -v l="$1" -v s="$2" -v w="$3" -v c="$4" -v r="$5" 'BEGIN{
        printf "  %-30s %7.3f s wall %6.3f s cpu %7.1f MB/s %7.1f MB peak RSS\n",
               l, w, c, s/1e6/(w>0?w:0.001), r/1024 }'
}

ratio() { # LABEL OURS_WALL THEIRS_WALL OURS_CPU THEIRS_CPU OURS_RSS THEIRS_RSS
    awk -v l="$1" -v a="$2" -v b="$3" -v c="$4" -v d="$5" -v e="$6" -v f="$7" 'BEGIN{
        printf "  %-30s %.1fx faster (wall), %.1fx (cpu), %.2fx the memory\n",
               l, b/(a>0?a:0.001), d/(c>0?c:0.001), e/f }'
}

status=0
for name in pstats-20k-functions.py312.pstats pstats-38k-functions.py313.pstats; do
    f="$PK_SHARED/bench/$name"
    [ -f "$f" ] || { echo "pstats.sh: $f missing, skipped"; continue; }
    size=$(stat -c %s "$f")
    echo "$name ($((size / 1024)) KB)"

    run "$PK_BIN/pconv" "$f" -o "$tmp/x.callgrind"
    ow=$wall oc=$cpu or=$rss
    report "pconv -o X.callgrind" "$size" "$ow" "$oc" "$or"
    if command -v pyprof2calltree >/dev/null; then
        run pyprof2calltree -i "$f" -o "$tmp/y.callgrind"
        tw=$wall tc=$cpu tr=$rss
        report "pyprof2calltree" "$size" "$tw" "$tc" "$tr"
        ratio "pconv vs pyprof2calltree" "$ow" "$tw" "$oc" "$tc" "$or" "$tr"
        if ! awk -v a="$oc" -v b="$tc" -v c="$or" -v d="$tr" 'BEGIN{exit !(b >= 25*a && c < d/2)}'; then
            echo "  goal missed: >= 25x faster (cpu) and < 1/2 the memory of pyprof2calltree"
            status=1
        fi
    fi

    run "$PK_BIN/ptop" "$f" -n 50 --sort cumulative
    ow=$wall oc=$cpu or=$rss
    report "ptop -n 50 --sort cumulative" "$size" "$ow" "$oc" "$or"
    run python3 -c 'import pstats, sys; pstats.Stats(sys.argv[1]).sort_stats("cumulative").print_stats(50)' "$f"
    tw=$wall tc=$cpu tr=$rss
    report "pstats print_stats(50)" "$size" "$tw" "$tc" "$tr"
    ratio "ptop vs pstats" "$ow" "$tw" "$oc" "$tc" "$or" "$tr"
    if ! awk -v a="$oc" -v b="$tc" 'BEGIN{exit !(b >= 10*a)}'; then
        echo "  goal missed: ptop >= 10x faster (cpu) than pstats print_stats"
        status=1
    fi
done
exit $status
