#!/usr/bin/env bash
# Replays every input the fuzzers ever found (tests/data/fuzz-regressions/
# READER/*) through pconv with that reader, by detection and with a --time
# window: exit 0 or 2, at most one line on stderr, no sanitizer report,
# within a few seconds.
#   tests/hardening/test_fuzz_regressions.sh BIN_DIR SOURCE_DIR
set -uo pipefail
bin=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
for dir in "$src"/tests/data/fuzz-regressions/*/; do
  reader=$(basename "$dir")
  for input in "$dir"*; do
    [ -f "$input" ] || continue
    # by its reader, by detection, and through a time window (the sums of
    # a window's ends with the first time must not overflow either)
    for from in "$reader" auto window; do
      args=()
      [ "$from" = auto ] || args=(-f "$reader")
      [ "$from" = window ] && args+=(--time 0:)
      timeout 10 "$bin/pconv" "${args[@]}" "$input" -o "$tmp/out.json" 2>"$tmp/err" >/dev/null
      rc=$? lines=$(wc -l <"$tmp/err")
      if { [ $rc -eq 0 ] || [ $rc -eq 2 ]; } && [ "$lines" -le 1 ] &&
          ! grep -qi 'sanitizer\|runtime error' "$tmp/err"; then
        passes=$((passes + 1))
      else
        echo "FAIL: $reader/$(basename "$input") (-f $from): rc=$rc $(head -c 600 "$tmp/err")"
        fails=$((fails + 1))
      fi
    done
  done
done
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
