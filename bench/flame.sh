#!/usr/bin/env bash
# Collapsed stacks -> flame graph SVG on a ~128 MB, ~460k-line file:
# pconv against flamegraph.pl, wall time and peak RSS.
# Env: PK_BIN (folder of pconv), PK_SHARED (the shared folder); optional
# FLAMEGRAPH_PL (path of flamegraph.pl when it is not on PATH), BENCH_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${PK_BIN:?set PK_BIN to the folder holding pconv}"
: "${PK_SHARED:?set PK_SHARED to the shared folder}"
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/profkit-bench}
mkdir -p "$dir"
big=$dir/big.folded
[ -s "$big" ] || python3 "$here/gen-collapsed.py" "$PK_SHARED/corpus/collapsed" "$big"

# Run a command, print "wall_seconds max_rss_kib" (RSS of the child alone).
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
wall = time.monotonic() - t
if r.returncode:
    sys.exit("%s: status %d" % (sys.argv[1], r.returncode))
print("%.3f %d" % (wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY
}

read -r pk_wall pk_rss < <(measure "$PK_BIN/pconv" "$big" -o "$dir/big.svg")
printf 'pconv        %8.2f s %10d KiB  (%s, %d lines)\n' "$pk_wall" "$pk_rss" \
    "$(du -h "$big" | cut -f1)" "$(wc -l < "$big")"

fg=${FLAMEGRAPH_PL:-$(command -v flamegraph.pl || true)}
if [ -n "$fg" ]; then
    read -r fg_wall fg_rss < <(measure perl "$fg" "$big" > /dev/null)
    what="flamegraph.pl (measured)"
else
    # Not packaged in Debian bookworm nor on npm: the reference measured on
    # the same file size (shared/formats/collapsed.md, section 6).
    fg_wall=5.67 fg_rss=326240
    what="flamegraph.pl (reference, not installed)"
fi
printf '%-26s %8.2f s %10d KiB\n' "$what" "$fg_wall" "$fg_rss"
python3 -c "import sys; w, r = map(float, sys.argv[1:]); print('pconv is %.1fx faster, uses %.1fx less memory (goal: 10x faster)' % (w, r))" \
    "$(python3 -c "print($fg_wall / $pk_wall)")" "$(python3 -c "print($fg_rss / $pk_rss)")"
