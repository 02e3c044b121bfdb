#!/usr/bin/env bash
# pstats benchmark: pconv to callgrind against pyprof2calltree, and ptop
# against pstats' print_stats, on the large files of the shared bench folder.
# Environment: PK_BIN (folder of pconv and ptop), PK_SHARED (the shared folder).
# Goal: pconv >= 25x faster than pyprof2calltree with less than half its memory.
set -euo pipefail
: "${PK_BIN:?set PK_BIN to the folder holding pconv and ptop}"
: "${PK_SHARED:?set PK_SHARED to the shared folder}"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "pstats.sh: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME CMD...: best wall time of 3 runs (s) and its peak RSS (KB) -> $wall $rss
run() {
    local best_wall="" best_rss="" i w r
    for i in 1 2 3; do
        "$TIME" -f '%e %M' -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || {
            echo "pstats.sh: failed: $*" >&2; cat "$tmp/err" >&2; exit 2; }
        read -r w r <"$tmp/t"
        if [ -z "$best_wall" ] || awk "BEGIN{exit !($w < $best_wall)}"; then
            best_wall=$w best_rss=$r
        fi
    done
    wall=$best_wall rss=$best_rss
}

report() { # LABEL SIZE_BYTES WALL RSS_KB
    awk -v l="$1" -v s="$2" -v w="$3" -v r="$4" 'BEGIN{
        printf "  %-34s %7.3f s  %7.1f MB/s  %7.1f MB peak RSS\n", l, w, s/1e6/(w>0?w:0.001), r/1024 }'
}

ratio() { # LABEL OURS_WALL THEIRS_WALL OURS_RSS THEIRS_RSS
    awk -v l="$1" -v a="$2" -v b="$3" -v c="$4" -v d="$5" 'BEGIN{
        printf "  %-34s %.1fx faster, %.2fx the memory\n", l, b/(a>0?a:0.001), c/d }'
}

status=0
for name in pstats-20k-functions.py312.pstats pstats-38k-functions.py313.pstats; do
    f="$PK_SHARED/bench/$name"
    [ -f "$f" ] || { echo "pstats.sh: $f missing, skipped"; continue; }
    size=$(stat -c %s "$f")
    echo "$name ($((size / 1024)) KB)"

    run "$PK_BIN/pconv" "$f" -o "$tmp/x.callgrind"
    ow=$wall or=$rss
    report "pconv -o X.callgrind" "$size" "$ow" "$or"
    if command -v pyprof2calltree >/dev/null; then
        run pyprof2calltree -i "$f" -o "$tmp/y.callgrind"
        tw=$wall tr=$rss
        report "pyprof2calltree" "$size" "$tw" "$tr"
        ratio "pconv vs pyprof2calltree" "$ow" "$tw" "$or" "$tr"
        if ! awk -v a="$ow" -v b="$tw" -v c="$or" -v d="$tr" 'BEGIN{exit !(b >= 25*a && c < d/2)}'; then
            echo "  goal missed: >= 25x faster and < 1/2 the memory of pyprof2calltree"
            status=1
        fi
    fi

    run "$PK_BIN/ptop" "$f" -n 50 --sort cumulative
    ow=$wall or=$rss
    report "ptop -n 50 --sort cumulative" "$size" "$ow" "$or"
    run python3 -c 'import pstats, sys; pstats.Stats(sys.argv[1]).sort_stats("cumulative").print_stats(50)' "$f"
    tw=$wall tr=$rss
    report "pstats print_stats(50)" "$size" "$tw" "$tr"
    ratio "ptop vs pstats" "$ow" "$tw" "$or" "$tr"
done
exit $status
