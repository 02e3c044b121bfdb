#!/usr/bin/env bash
# Installs what building and testing need, on Debian 12, when it is missing.
set -euo pipefail
PACKAGES=(build-essential cmake pkg-config clang libclang-rt-14-dev
  libjansson-dev libyajl-dev zlib1g-dev liblz4-dev libcairo2-dev libgraphviz-dev graphviz groff-base
  libpcre2-dev
  python3 valgrind pyprof2calltree libxml2-utils time chromium fonts-dejavu-core)
# Node runs independent decoders in the tests (tests/node/package.json).
command -v node >/dev/null && command -v npm >/dev/null || PACKAGES+=(nodejs npm)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
