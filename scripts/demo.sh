#!/usr/bin/env bash
# The main job on the samples: install what is missing, build, then convert
# and render the sample profiles into demo-out/ and print their tables.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
bash scripts/build.sh build
bin=build out=demo-out
mkdir -p "$out"
run() { echo "+ $*"; "$@"; }

pstats=samples/bootstrap.deb311.cProfile.pstats
run $bin/pconv $pstats -o $out/cachegrind.out.bootstrap     # KCachegrind
run $bin/pconv $pstats -o $out/bootstrap.json               # the model as JSON
run $bin/pconv $pstats -o $out/bootstrap.svg                # flame graph (estimated from the graph)
run $bin/pgraph $pstats -o $out/bootstrap-callgraph.png     # call graph
run $bin/pconv samples/a37_wall_iowait_py312.austin -o $out/austin-flame.svg
run $bin/pconv samples/leaky_cache.default.bin -o $out/memray-peak.svg
run $bin/pconv samples/leaky_cache.default.bin --view leaks -o $out/memray-leaks.png
run $bin/pconv samples/austin37_wall_threads_py38.folded -o $out/threads.pb.gz   # pprof
if $bin/pconv --list-formats | grep -q '^html '; then
  run $bin/pconv $pstats -o $out/bootstrap.html
fi
echo
run $bin/ptop $pstats -n 12 --sort tottime
echo
run $bin/plines samples/lp_many.kernprof402.lprof --source-root samples/src -n 1
echo
echo "outputs in $out/:"
ls -1 $out
