#!/usr/bin/env bash
# Behaviour every command shares: help, errors as one line with exit status 2,
# no half-written output, stdin/stdout, closed pipes, a full disk.
#   tests/commands/cli/test_cli.sh BIN_DIR SOURCE_DIR [SHARED_DIR]
set -uo pipefail
bin=$(cd "$1" && pwd) src=$(cd "$2" && pwd) shared=${3:-$2/../shared}
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
  case $name in cli | convert | options) continue ;; esac
  cmd=$bin/$name
  if "$cmd" --help >"$tmp/help" && grep -q '^usage:' "$tmp/help"; then ok; else bad "$(basename "$cmd") --help"; fi
  expect_error "$(basename "$cmd") bad option" "$cmd" --no-such-option
done

# --max-memory on every command: a limit the model outgrows is one clear line;
# a malformed or tiny limit is a usage error.
big=$shared/bench/pstats-20k-functions.py312.pstats
for name in pconv pfilter ptop pgraph pdiff plines; do
  cmd=$bin/$name
  inputs=("$big")
  [ $name = pdiff ] && inputs=("$big" "$big")
  [ $name = pfilter ] && inputs+=(--focus .)
  case $name in pconv | pfilter | pgraph) inputs+=(-o "$tmp/x.dot") ;; esac
  expect_error "$name --max-memory 1M" "$cmd" --max-memory 1M "${inputs[@]}"
  grep -q "offset [0-9]*: memory limit of 1 MiB exceeded" "$tmp/err" && ok ||
    bad "$name --max-memory: $(cat "$tmp/err")"
  expect_error "$name --max-memory 4K" "$cmd" --max-memory 4K "${inputs[@]}"
  grep -q "bad --max-memory '4K'" "$tmp/err" && ok || bad "$name --max-memory 4K: $(cat "$tmp/err")"
  expect_error "$name --max-memory -1" "$cmd" --max-memory -1 "${inputs[@]}"
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

# A named pipe as -o (like /dev/null) is written in place: a temporary file
# renamed over it would replace the pipe, or the device, with a plain file.
mkfifo "$tmp/fifo"
timeout 20 cat "$tmp/fifo" >"$tmp/from-fifo" &
reader=$!
"$bin/pconv" "$sample" -o "$tmp/fifo" -t json 2>"$tmp/err"
rc=$?
[ -p "$tmp/fifo" ] && kept=yes || kept=no
[ $kept = yes ] || rm -f "$tmp/fifo"
wait $reader
if [ $rc -eq 0 ] && [ $kept = yes ] && cmp -s <("$bin/pconv" "$sample" -o - -t json) "$tmp/from-fifo"; then ok
else bad "-o a named pipe: rc=$rc, still a pipe: $kept, $(head -c 300 "$tmp/err")"; fi

# Every command that writes: -o to a full disk, -o - (or stdout) into a closed
# pipe, -o into a directory that cannot be written. A clean one-line message
# (exit 2) or a quiet end on EPIPE (exit 0), never a core dump, never a
# temporary or partial file left behind.
lprof=$(ls "$shared"/corpus/lprof/*.lprof 2>/dev/null | head -1)
# name | command writing to OUT | command writing to stdout
writers=(
  "pconv json|pconv $sample -o OUT.json|pconv $sample -o - -t json"
  "pconv svg|pconv $sample -o OUT.svg|pconv $sample -o - -t flamegraph"
  "pconv callgrind|pconv $sample -o OUT.callgrind|pconv $sample -o - -t callgrind"
  "pgraph dot|pgraph $sample -o OUT.dot|pgraph $sample -o -"
  "pgraph svg|pgraph $sample -o OUT.svg|pgraph $sample -t svg -o -"
  "pdiff|pdiff $sample $samples/tiny.deb311.cProfile.pstats -o OUT.svg|pdiff $sample $samples/tiny.deb311.cProfile.pstats"
  "pfilter|pfilter $sample --focus . -o OUT.json|pfilter $sample --focus . -o - -t json"
  "ptop||ptop $sample"
)
[ -n "$lprof" ] && writers+=("plines|plines $lprof -o OUT.txt|plines $lprof")
unwritable=(/proc/profkit-nope "$tmp/no-such-dir" "$tmp/empty")  # read-only fs, missing dir, a file
no_leftovers() { # DIR NAME: nothing but what was there before
  if ls -A "$1" | grep -q '\.tmp\.\|^OUT\|^core'; then bad "$2: left $(ls -A "$1" | tr '\n' ' ')"; else ok; fi
}
# Graphviz and fontconfig write their caches on first use; under the 1 KiB
# limit that write fails with a message of theirs, so warm them up first.
mkdir -p "$tmp/warm"
for entry in "${writers[@]}"; do
  IFS='|' read -r name to_file to_stdout <<<"$entry"
  [ -n "$to_file" ] && $bin/${to_file//OUT/$tmp/warm/OUT} >/dev/null 2>&1
done
rm -rf "$tmp/warm"
for entry in "${writers[@]}"; do
  IFS='|' read -r name to_file to_stdout <<<"$entry"
  # a full disk: the file size limit is 1 KiB
  mkdir -p "$tmp/full"
  if [ -n "$to_file" ]; then
    cmdline=${to_file//OUT/$tmp/full/OUT}
    # stdout (pdiff's table) into a pipe: only the output file meets the limit
    (ulimit -f 1; ulimit -c 0; exec $bin/$cmdline) 2>"$tmp/err" | cat >"$tmp/stdout"
    rc=${PIPESTATUS[0]}
  else # stdout redirected to a file on the full disk
    (ulimit -f 1; ulimit -c 0; exec $bin/$to_stdout) >"$tmp/full/OUT.stdout" 2>"$tmp/err"
    rc=$?
  fi
  grep -v ': warning: ' "$tmp/err" >"$tmp/err.lines"
  if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err.lines")" -eq 1 ] && grep -q "^${name%% *}: .*error" "$tmp/err"; then ok
  else bad "$name full disk: rc=$rc $(head -c 300 "$tmp/err")"; fi
  rm -f "$tmp/full/OUT.stdout"
  no_leftovers "$tmp/full" "$name full disk"
  # a closed pipe: quiet, exit 0
  (ulimit -c 0; exec $bin/$to_stdout) 2>"$tmp/err" | head -c1 >/dev/null
  rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 0 ] && ! grep -qv ': warning: ' "$tmp/err"; then ok
  else bad "$name closed pipe: rc=$rc $(head -c 300 "$tmp/err")"; fi
  # a directory that cannot be written
  [ -n "$to_file" ] || continue
  for dir in "${unwritable[@]}"; do
    cmdline=${to_file//OUT/$dir/OUT}
    (ulimit -c 0; exec $bin/$cmdline) >"$tmp/stdout" 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^${name%% *}: $dir/OUT" "$tmp/err"; then ok
    else bad "$name into $dir: rc=$rc $(head -c 300 "$tmp/err")"; fi
  done
done
no_leftovers "$tmp" "unwritable outputs"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
