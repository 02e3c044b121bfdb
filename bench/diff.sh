#!/usr/bin/env bash
# pdiff and pfilter on large inputs: wall time and peak RSS.
#   pdiff of the two large pstats files (20k and 38k functions)
#   pdiff of two generated collapsed files (-o differential folded stacks)
#   pfilter --focus on the large MOJO capture and on a collapsed file
# Env: PK_BIN (folder of pdiff/pfilter), PK_SHARED (the shared folder);
# optional BENCH_DIR, DIFF_MB (size of the generated collapsed files, 64).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${PK_BIN:?set PK_BIN to the folder holding pdiff}"
: "${PK_SHARED:?set PK_SHARED to the shared folder}"
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/profkit-bench}
mb=${DIFF_MB:-64}
mkdir -p "$dir"
a=$dir/diff-a.folded b=$dir/diff-b.folded
[ -s "$a" ] || python3 "$here/gen-collapsed.py" "$PK_SHARED/corpus/collapsed" "$a" "$mb"
# A second profile: the same generator at a different size varies the counts.
[ -s "$b" ] || python3 "$here/gen-collapsed.py" "$PK_SHARED/corpus/collapsed" "$b" "$((mb * 3 / 4))"

measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
wall = time.monotonic() - t
if r.returncode not in (0, 1):
    sys.exit("%s: status %d" % (sys.argv[1], r.returncode))
print("%.3f %d" % (wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY
}

row() {
    local name=$1
    shift
    read -r wall rss < <(measure "$@")
    printf '%-34s %8.2f s %10d KiB\n' "$name" "$wall" "$rss"
}

big=$PK_SHARED/bench
if [ -s "$big/pstats-20k-functions.py312.pstats" ]; then
    row "pdiff pstats 20k vs 38k" "$PK_BIN/pdiff" "$big/pstats-20k-functions.py312.pstats" \
        "$big/pstats-38k-functions.py313.pstats" -n 50
fi
row "pdiff folded (${mb} MB vs $((mb * 3 / 4)) MB)" "$PK_BIN/pdiff" -f collapsed "$a" "$b" -o "$dir/diff.folded"
row "pfilter --focus folded" "$PK_BIN/pfilter" -f collapsed "$a" --focus main -o "$dir/focus.folded"
if [ -s "$big/austin-large.mojo" ]; then
    row "pfilter --focus mojo" "$PK_BIN/pfilter" "$big/austin-large.mojo" --focus main \
        -o "$dir/focus-mojo.folded"
fi
