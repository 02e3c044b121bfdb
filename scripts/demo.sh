#!/usr/bin/env bash
# The main job on the samples: install, build, convert, show the top table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh build
mkdir -p demo-out
sample=samples/bootstrap.deb311.cProfile.pstats
./build/pconv "$sample" -o demo-out/cachegrind.out.bootstrap
echo "wrote demo-out/cachegrind.out.bootstrap (open it in KCachegrind)"
./build/pconv "$sample" -o demo-out/bootstrap.json
echo "wrote demo-out/bootstrap.json (the model as JSON)"
for tool in pgraph; do [ -x build/$tool ] || continue; ./build/pgraph "$sample" -o demo-out/callgraph.png && echo "wrote demo-out/callgraph.png"; done
if ./build/pconv --list-formats | grep -q '^flamegraph '; then
  ./build/pconv "$sample" -o demo-out/flame.svg && echo "wrote demo-out/flame.svg"
fi
echo
./build/ptop "$sample" -n 15 --sort tottime
