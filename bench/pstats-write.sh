#!/usr/bin/env bash
# pstats writer: pconv X -o out.pstats on the large bench files (pstats round
# trip, austin MOJO, memray), against python's own pstats.Stats(F).dump_stats
# for the pstats files (marshal.load + marshal.dump of the same dict).
# Environment: PK_BIN (the built commands), PK_SHARED (the shared folder).
set -uo pipefail
: "${PK_BIN:?set PK_BIN to the build directory}"
: "${PK_SHARED:?set PK_SHARED to the shared folder}"
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$PK_SHARED"/bench/pstats-*.pstats; do
  [ -f "$f" ] || continue
  echo "$(basename "$f") ($(($(stat -c %s "$f") / 1024)) KB)"
  measure "pconv -o out.pstats" "$PK_BIN/pconv" "$f" -o "$tmp/out.pstats" || continue
  ours=$WALL
  measure "python3 pstats.Stats(F).dump_stats(out)" python3 -c \
    'import pstats, sys; pstats.Stats(sys.argv[1]).dump_stats(sys.argv[2])' "$f" "$tmp/py.pstats" ||
    continue
  echo "  pconv is $(ratio "$WALL" "$ours")x faster"
  measure "python3 pstats.Stats(our output)" python3 -c \
    'import pstats, sys; pstats.Stats(sys.argv[1])' "$tmp/out.pstats"
done
for f in "$PK_SHARED"/bench/austin-large.mojo "$PK_SHARED"/bench/memray-large.lz4.bin; do
  [ -f "$f" ] || continue
  echo "$(basename "$f") ($(($(stat -c %s "$f") / 1024)) KB)"
  measure "pconv -o out.json (reading alone, about)" "$PK_BIN/pconv" "$f" -o "$tmp/out.json"
  measure "pconv -o out.pstats" "$PK_BIN/pconv" "$f" -o "$tmp/out.pstats"
done
