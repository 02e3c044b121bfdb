#!/usr/bin/env bash
# Installs on Debian 12 what is missing for one purpose, then checks that the
# versions found are ones the project works with.
#   scripts/deps.sh build   compiler, cmake, pkg-config, the -dev libraries and
#                           fonts: what building and scripts/demo.sh need
#   scripts/deps.sh test    all that, and what the tests run: python3, valgrind,
#                           clang with libFuzzer, Chromium, Node.js and npm, ...
set -euo pipefail
purpose=${1:-test}

BUILD=(build-essential cmake pkg-config
  libjansson-dev libyajl-dev zlib1g-dev liblz4-dev libzstd-dev libcairo2-dev
  libgraphviz-dev libpcre2-dev
  groff-base fonts-dejavu-core  # man pages; the text of PNG pictures
  python3)                      # configuring the build registers the tests, some in python
TEST=(valgrind pyprof2calltree perl time lz4 zstd # consumers and tools the tests run
  graphviz libxml2-utils                     # dot and xmllint read what we write
  clang libclang-rt-14-dev                   # the fuzz targets (libFuzzer)
  chromium)                                  # the HTML report and speedscope, headless
# The oldest versions known to work; newer ones are fine.
CMAKE_MIN=3.18   # CMakeLists.txt's cmake_minimum_required
NODE_MIN=18      # tests/node/package.json's engines
PYTHON_MIN=3.9
CLANG_MIN=14

say() { echo "deps: $*"; }
die() {
  echo "deps: $*" >&2
  exit 1
}
# version_at_least HAVE WANT: true when dotted version HAVE >= WANT.
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
# first_version TEXT: the first dotted number in TEXT ("v18.20.4" -> 18.20.4).
first_version() { grep -oE '[0-9]+(\.[0-9]+)+' <<<"$1" | head -n1; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

case $purpose in
  build) packages=("${BUILD[@]}") ;;
  test)
    packages=("${BUILD[@]}" "${TEST[@]}")
    # Node.js runs independent decoders and drives Chromium (tests/node). A
    # node already on PATH that is new enough is used as it is; otherwise
    # Debian's (Node 18 on Debian 12).
    node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    if [ "$node_major" -lt "$NODE_MIN" ] || ! command -v npm >/dev/null; then
      packages+=(nodejs npm)
    fi
    ;;
  *) die "usage: scripts/deps.sh build|test" ;;
esac

say "what $purpose needs: ${#packages[@]} Debian packages"
missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "all installed"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  say "missing ${#missing[@]}: ${missing[*]}"
  say "apt-get update"
  $SUDO apt-get update
  say "apt-get install (${#missing[@]} packages and what they depend on)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

# check NAME HAVE WANT: one line; fails when HAVE is older than WANT.
check() {
  [ -n "$2" ] || die "$1: not found"
  version_at_least "$2" "$3" || die "$1 $2 is too old: $3 or newer is needed"
  say "$1 $2 (>= $3) ok"
}
check cmake "$(first_version "$(cmake --version 2>/dev/null)")" "$CMAKE_MIN"
check cc "$(first_version "$(cc -dumpfullversion -dumpversion 2>/dev/null)")" 8 # C11
pkg-config --exists jansson yajl zlib liblz4 libzstd cairo libgvc libcgraph libpcre2-8 ||
  die "pkg-config does not find every library: $(pkg-config --print-errors --exists jansson yajl zlib liblz4 libzstd cairo libgvc libcgraph libpcre2-8 2>&1 | head -n1)"
say "pkg-config finds jansson, yajl, zlib, lz4, zstd, cairo, graphviz, pcre2"
check python3 "$(first_version "$(python3 --version 2>&1)")" "$PYTHON_MIN"
if [ "$purpose" = test ]; then
  check clang "$(first_version "$(clang --version 2>/dev/null)")" "$CLANG_MIN"
  check node "$(first_version "$(node --version 2>/dev/null)")" "$NODE_MIN"
  check npm "$(first_version "$(npm --version 2>/dev/null)")" 7 # package-lock.json v3
  check chromium "$(first_version "$(chromium --version 2>/dev/null)")" 100
  check valgrind "$(first_version "$(valgrind --version 2>/dev/null)")" 3.15
fi
say "ready for $purpose"
