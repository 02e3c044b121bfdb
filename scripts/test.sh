#!/usr/bin/env bash
# Install, build and run the whole test suite: a -Werror build, then the same
# tests under AddressSanitizer and UndefinedBehaviorSanitizer, then a short
# run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
shared="$(cd .. && pwd)/shared"
(cd tests/node && npm install --no-audit --no-fund --loglevel=error >/dev/null)
bash scripts/build.sh build -DPK_WERROR=ON -DPK_SHARED_DIR="$shared"
(cd build && ctest --output-on-failure -j"$(nproc)")
bash scripts/build.sh build-asan -DPK_WERROR=ON -DPK_SANITIZE=address,undefined \
  -DCMAKE_BUILD_TYPE=Debug -DPK_SHARED_DIR="$shared"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$(nproc)")
if [ -f tests/fuzz/fuzz.cmake ]; then
  CC=clang bash scripts/build.sh build-fuzz -DPK_FUZZ=ON -DPK_WERROR=ON -DPK_SHARED_DIR="$shared"
  bash tests/fuzz/smoke.sh build-fuzz "$shared"
fi
