#!/usr/bin/env bash
# Install, build and run the whole test suite: a -Werror build and its tests,
# the same tests under AddressSanitizer and UndefinedBehaviorSanitizer, then a
# short run of every fuzz target.
#
# Every stage runs even when an earlier one failed, so one run reports them
# all; a stage whose build failed reports its tests as not run. At the end,
# one line per stage (PASS/FAIL and its time); the exit status is 1 if any
# stage failed.
# shellcheck disable=SC2317 # the stage functions are called through stage
set -uo pipefail
cd "$(dirname "$0")/.."
shared="$(cd .. && pwd)/shared"
jobs=$(nproc)

summary=()
failed=0
# stage NAME COMMAND...: runs COMMAND with set -e in a subshell and records
# its result. Never call it as an `if` or `&&` condition: bash ignores set -e
# inside those, so a failing step in the middle of COMMAND would go unseen.
stage() {
  local name=$1 start rc
  shift
  echo "=== $name"
  start=$(date +%s)
  (
    set -e
    "$@"
  )
  rc=$?
  record "$name" $rc $(($(date +%s) - start))
  return $rc
}
record() {
  local verdict=PASS
  [ "$2" -eq 0 ] || {
    verdict=FAIL
    failed=1
  }
  summary+=("$(printf '%-4s  %-22s %3dm%02ds' "$verdict" "$1" $(($3 / 60)) $(($3 % 60)))")
  echo "=== $1: $verdict"
}
not_run() {
  record "$1" 1 0
  summary[-1]+="  (not run: $2)"
}

setup() {
  bash scripts/deps.sh test
  (cd tests/node && npm install --no-audit --no-fund --loglevel=error)
}
werror_build() { bash scripts/build.sh build -DPK_WERROR=ON -DPK_SHARED_DIR="$shared"; }
werror_tests() { (cd build && ctest --output-on-failure -j"$jobs"); }
asan_build() {
  bash scripts/build.sh build-asan -DPK_WERROR=ON -DPK_SANITIZE=address,undefined \
    -DCMAKE_BUILD_TYPE=Debug -DPK_SHARED_DIR="$shared"
}
asan_tests() { (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs"); }
fuzz_build() { CC=clang bash scripts/build.sh build-fuzz -DPK_FUZZ=ON -DPK_WERROR=ON -DPK_SHARED_DIR="$shared"; }
fuzz_smoke() { bash tests/fuzz/smoke.sh build-fuzz "$shared"; }

# A build and its tests: the tests run only when the build passed.
build_then_test() {
  stage "$1" "$2"
  # shellcheck disable=SC2181 # stage must not run as an if condition (see stage)
  if [ $? -eq 0 ]; then
    stage "$3" "$4"
  else
    not_run "$3" "its build failed"
  fi
}

stage "install (deps, npm)" setup
build_then_test "build (-Werror)" werror_build "tests" werror_tests
build_then_test "sanitizer build" asan_build "sanitizer tests" asan_tests
build_then_test "fuzz build" fuzz_build "fuzz smoke run" fuzz_smoke

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $failed
