#!/usr/bin/env bash
# Collapsed stacks -> flame graph SVG on a ~128 MB, ~460k-line file
# (bench/gen-collapsed.py): pconv against flamegraph.pl, wall time and peak RSS.
# flamegraph.pl is taken from FLAMEGRAPH_PL or PATH; Debian bookworm and npm
# do not package it, so without it the reference measured on the same file
# size (shared/formats/collapsed.md, section 6) stands in.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
tmp=${PK_BENCH_TMP:-$(mktemp -d)}
big=$tmp/big.folded
[ -s "$big" ] || python3 "$here/gen-collapsed.py" "$PK_SHARED/corpus/collapsed" "$big" >/dev/null
echo "  input: $(du -h "$big" | cut -f1), $(wc -l <"$big") lines"

measure "pconv big.folded -o big.svg" "$PK_BIN/pconv" -f collapsed "$big" -o "$tmp/big.svg"
pk_wall=$WALL pk_cpu=$CPU pk_rss=$RSS_KB
measure "pconv big.folded -o big.png" "$PK_BIN/pconv" -f collapsed "$big" -o "$tmp/big.png"

fg=${FLAMEGRAPH_PL:-$(command -v flamegraph.pl || true)}
if [ -n "$fg" ]; then
  measure "flamegraph.pl big.folded > big.svg" perl "$fg" "$big"
  fg_wall=$WALL fg_cpu=$CPU fg_rss=$RSS_KB
else
  # measured on an idle machine, where wall and CPU time agree
  fg_wall=5.67 fg_cpu=5.67 fg_rss=326240
  printf '  %-48s %8.3f s %6d MB  (reference, not installed)\n' "flamegraph.pl big.folded > big.svg" \
    "$fg_wall" $((fg_rss / 1024))
fi
echo "  pconv: $(ratio "$fg_cpu" "$pk_cpu")x faster (cpu), $(ratio "$fg_wall" "$pk_wall")x (wall), $(ratio "$fg_rss" "$pk_rss")x less memory than flamegraph.pl (goal: 10x faster)"
