#!/usr/bin/env bash
# No leaks: every command over a spread of the corpus (the smallest inputs of
# each format), under LeakSanitizer when the build has AddressSanitizer, else
# under valgrind memcheck. Graphviz/fontconfig caches are suppressed
# (tests/helpers/*.supp).
#   tests/hardening/test_leaks.sh BIN_DIR SOURCE_DIR SHARED_DIR
set -uo pipefail
bin=$(cd "$1" && pwd) src=$(cd "$2" && pwd) shared=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
supp=$tmp/lsan.supp
cat "$src"/tests/helpers/*.supp >"$supp"
if grep -q __asan_init "$bin/pconv" 2>/dev/null || nm "$bin/pconv" 2>/dev/null | grep -q __asan_init; then
  mode=lsan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LSAN_OPTIONS=suppressions=$supp:print_suppressions=0
  under=()
elif command -v valgrind >/dev/null; then
  mode=valgrind
  # Valgrind reads its own suppression syntax: leaks inside these libraries.
  vsupp=$tmp/valgrind.supp
  for lib in $(sed -n 's/^leak:\([^*]*\).*/\1/p' "$supp" | sort -u); do
    printf '{\n  %s\n  Memcheck:Leak\n  ...\n  obj:*%s*\n}\n' "$lib" "$lib" >>"$vsupp"
  done
  export PK_NO_JIT=1 # PCRE2's JIT code reads as uninitialised to memcheck
  under=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --error-exitcode=99 --suppressions="$vsupp")
else
  echo "FAIL: neither AddressSanitizer nor valgrind (scripts/deps.sh installs valgrind)"; exit 1
fi
echo "checking leaks with $mode"

# The smallest N inputs of a corpus folder, oracles and notes left out.
smallest() {
  find "$shared/corpus/$1" -maxdepth 1 -type f ! -name '*.json' ! -name '*.txt' ! -name '*.md' \
    ! -name '*.err' ! -name '*.svg' ! -name '*.dot' ! -name '*.png' ! -name '*.py' -printf '%s %p\n' |
    sort -n | head -"$2" | cut -d' ' -f2-
}
inputs=()
per_format=2
[ $mode = valgrind ] && per_format=1 # valgrind is slow
for d in pstats callgrind collapsed austin memray lprof; do
  while read -r f; do [ -n "$f" ] && inputs+=("$f"); done < <(smallest "$d" "$per_format")
done
inputs+=("$src/samples/tiny.deb311.cProfile.pstats")

check() { # NAME CMD...: exit 0 or 2 (an input may be refused), no leak report
  local name=$1; shift
  "${under[@]}" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 2 ] || grep -q 'LeakSanitizer\|definitely lost\|indirectly lost\|ERROR: AddressSanitizer' "$tmp/err"; then
    echo "FAIL: $name: rc=$rc"; grep -v '^\s*$' "$tmp/err" | head -30
    fails=$((fails + 1))
  else passes=$((passes + 1)); fi
}
tiny=$src/samples/tiny.deb311.cProfile.pstats
for f in "${inputs[@]}"; do
  b=$(basename "$f")
  check "pconv $b json" "$bin/pconv" "$f" -o "$tmp/o.json"
  check "pconv $b svg" "$bin/pconv" "$f" -o "$tmp/o.svg"
  check "pconv $b callgrind" "$bin/pconv" "$f" -o "$tmp/o.callgrind"
  check "pconv $b pprof" "$bin/pconv" "$f" -o "$tmp/o.pb.gz"
  check "ptop $b" "$bin/ptop" "$f" --callers ''
  check "pgraph $b" "$bin/pgraph" "$f" -o "$tmp/o.dot"
  check "pfilter $b" "$bin/pfilter" "$f" --focus . -o "$tmp/o.folded"
  check "pdiff $b" "$bin/pdiff" "$tiny" "$f" -o "$tmp/d.svg"
done
check "pgraph svg" "$bin/pgraph" "$tiny" -o "$tmp/o.svg"
check "pconv png" "$bin/pconv" "$tiny" -o "$tmp/o.png"
[ -f "$src/formats/html.c" ] && check "pconv html" "$bin/pconv" "$tiny" -o "$tmp/o.html"
for f in $(smallest lprof 2); do check "plines $(basename "$f")" "$bin/plines" "$f"; done
# failing reads free what they took
head -c 300 "${inputs[0]}" >"$tmp/cut.pstats"
check "pconv cut" "$bin/pconv" "$tmp/cut.pstats" -o "$tmp/o.json"
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
