#!/usr/bin/env bash
# Start-up: CPU per run of `CMD --version`, N runs from one shell loop (its
# fork and exec are in every figure), 5 rounds alternating, medians; beside a
# static hello world built here, the floor. Commands that draw nothing must
# not pay for loading cairo and Graphviz (docs/speed.md, start-up).
set -uo pipefail
bin=${PK_BIN:?} n=${STARTUP_RUNS:-100} tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' >"$tmp/hello.c"
progs=("$bin/ptop" "$bin/plines" "$bin/pfilter" "$bin/pconv" "$bin/pgraph")
if cc -O2 -static "$tmp/hello.c" -o "$tmp/hello" 2>/dev/null; then progs+=("$tmp/hello"); fi
for round in 1 2 3 4 5; do
  for p in "${progs[@]}"; do
    /usr/bin/time -f "%U %S" -o "$tmp/t" bash -c "for i in \$(seq $n); do '$p' --version >/dev/null; done"
    awk -v p="$(basename "$p")" -v n="$n" '{ printf "%s %.3f\n", p, ($1 + $2) * 1000 / n }' "$tmp/t"
  done
done | sort -k1,1 -k2,2n | awk '
  { v[$1] = v[$1] " " $2; c[$1]++; if (c[$1] == 3) med[$1] = $2 }
  END { for (p in v) printf "  %-8s median %.2f ms per run (runs:%s)\n", p, med[p], v[p] }' | sort
for p in ptop plines pconv; do # what each loads
  printf '  %-8s %s shared objects\n' "$p" "$(ldd "$bin/$p" | wc -l)"
done
