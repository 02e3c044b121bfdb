#!/usr/bin/env bash
# Behaviour every command shares: help, errors as one line with exit status 2,
# no half-written output, stdin/stdout, closed pipes, a full disk.
#   tests/test_cli.sh BIN_DIR SOURCE_DIR
set -uo pipefail
bin=$1 src=$2
samples=$src/samples
sample=$samples/bootstrap.deb311.cProfile.pstats
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_error NAME CMD... : exit 2, exactly one stderr line starting "CMD: "
expect_error() {
  local name=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$? lines
  lines=$(wc -l <"$tmp/err")
  if [ $rc -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q "^$(basename "$1"): " "$tmp/err"; then
    bad "$name: rc=$rc, stderr: $(head -c 300 "$tmp/err")"
  else ok; fi
}

for source in "$src"/cmd/*.c; do
  name=$(basename "$source" .c)
  case $name in cli | convert) continue ;; esac
  cmd=$bin/$name
  if "$cmd" --help | grep -q '^usage:'; then ok; else bad "$(basename "$cmd") --help"; fi
  expect_error "$(basename "$cmd") bad option" "$cmd" --no-such-option
done

expect_error "missing file" "$bin/pconv" "$tmp/nope" -o "$tmp/x.json"
grep -q "nope: No such file" "$tmp/err" && ok || bad "missing file message"
expect_error "directory" "$bin/pconv" "$tmp" -o "$tmp/x.json"
: >"$tmp/empty"
expect_error "empty file" "$bin/pconv" "$tmp/empty" -o "$tmp/x.json"
for seed in 1 2 3 4 5 6 7 8; do
  head -c $((seed * 1000)) /dev/urandom >"$tmp/random$seed"
  expect_error "random bytes $seed" "$bin/pconv" "$tmp/random$seed" -o "$tmp/x.json"
done
expect_error "unknown output format" "$bin/pconv" "$sample" -o "$tmp/x.unknownext"
expect_error "unknown -t" "$bin/pconv" "$sample" -t nosuch -o "$tmp/x"

# A failed conversion leaves an existing output untouched and no temporary file.
echo keep >"$tmp/keep.json"
expect_error "failed read" "$bin/pconv" "$tmp/random1" -o "$tmp/keep.json"
[ "$(cat "$tmp/keep.json")" = keep ] && ok || bad "existing output clobbered"
ls "$tmp" | grep -q '\.tmp\.' && bad "temporary file left behind" || ok

# A full disk (file size limit): one message, exit 2, nothing left behind.
(ulimit -f 8; "$bin/pconv" "$sample" -o "$tmp/full.json") 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "write error" "$tmp/err" && [ ! -e "$tmp/full.json" ]; then ok
else bad "full disk: rc=$rc $(cat "$tmp/err")"; fi
ls "$tmp" | grep -q '\.tmp\.' && bad "temporary file left after full disk" || ok

# stdin in, stdout out, and a reader that goes away early.
"$bin/pconv" - -o "$tmp/stdin.json" <"$sample" && cmp -s <("$bin/pconv" "$sample" -o -  -t json) "$tmp/stdin.json" && ok || bad "stdin input"
"$bin/pconv" "$sample" -o - -t json 2>"$tmp/err" | head -c 10 >/dev/null
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]; then ok; else bad "closed pipe: rc=$rc $(cat "$tmp/err")"; fi

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
