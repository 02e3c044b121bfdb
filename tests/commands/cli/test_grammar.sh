#!/usr/bin/env bash
# One grammar, end to end: --version on every command; -n is rows shown
# (0: none, all: every one) where rows are shown and refused elsewhere; the
# shared input options (--view, --threads, -v, --map, --strip-prefix, ...)
# work on every command.
#   test_grammar.sh BIN_DIR SOURCE_DIR [SHARED_DIR]
set -uo pipefail
bin=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
samples=$src/samples
pstats=$samples/bootstrap.deb311.cProfile.pstats
tiny=$samples/tiny.deb311.cProfile.pstats
memray=$samples/leaky_cache.default.bin
austin=$samples/a37_wall_iowait_py312.austin
lprof=$samples/lp_many.kernprof402.lprof
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
commands=(pconv pfilter ptop pgraph pdiff plines)
version=$(sed -n 's/^project(profkit VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")

for name in "${commands[@]}"; do
  out=$("$bin/$name" --version 2>&1)
  [ $? -eq 0 ] && [ "$out" = "$name (profkit) $version" ] && ok || bad "$name --version: $out"
done

# The arguments that make each command run on INPUT (pdiff compares it with itself).
run() { # NAME INPUT OPTIONS...
  local name=$1 input=$2; shift 2
  case $name in
    pconv) "$bin/pconv" "$input" "$@" -o "$tmp/out.json" ;;
    pfilter) "$bin/pfilter" "$input" --focus . "$@" -o "$tmp/out.json" ;;
    pgraph) "$bin/pgraph" "$input" "$@" -o "$tmp/out.dot" ;;
    pdiff) "$bin/pdiff" "$input" "$input" "$@" ;;
    *) "$bin/$name" "$input" "$@" ;;
  esac
}

# -n: rows shown. ptop's rows are its functions, pdiff's its changes.
rows_ptop() { "$bin/ptop" "$pstats" "$@" | sed -n '/ncalls  tottime/,/^$/p' | grep -c '(' ; }
[ "$(rows_ptop -n 0)" = 0 ] && ok || bad "ptop -n 0 shows rows"
[ "$(rows_ptop -n 3)" = 3 ] && ok || bad "ptop -n 3"
[ "$(rows_ptop -n all)" = "$(rows_ptop)" ] && ok || bad "ptop -n all"
rows_pdiff() { "$bin/pdiff" "$tiny" "$pstats" --json "$@" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["functions"]))'; }
[ "$(rows_pdiff -n 0)" = 0 ] && ok || bad "pdiff -n 0 shows rows"
[ "$(rows_pdiff -n 3)" = 3 ] && ok || bad "pdiff -n 3"
[ "$(rows_pdiff)" = 20 ] && ok || bad "pdiff shows 20 rows by default"
[ "$(rows_pdiff -n all)" -gt 20 ] && ok || bad "pdiff -n all"
rows_plines() { "$bin/plines" "$lprof" "$@" | grep -c '^Function:'; }
[ "$(rows_plines -n 0)" = 0 ] && ok || bad "plines -n 0 shows functions"
[ "$(rows_plines -n 1)" = 1 ] && ok || bad "plines -n 1"
[ "$(rows_plines -n all)" = "$(rows_plines)" ] && ok || bad "plines -n all"
for name in pconv pfilter pgraph; do
  run $name "$pstats" -n 5 >/dev/null 2>"$tmp/err"
  rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^$name: option '-n' is not one of $name's" "$tmp/err" &&
    ok || bad "$name -n: rc=$rc $(cat "$tmp/err")"
done

# The shared input options run on every command.
for name in "${commands[@]}"; do
  input=$pstats
  [ $name = plines ] && input=$lprof
  for opts in "--threads" "-v" "--strip-prefix /usr/" "--map ^/usr/lib/=LIB/" "--strip-dirs" \
              "--granularity file" "--max-memory 512M"; do
    # shellcheck disable=SC2086
    run $name "$input" $opts >/dev/null 2>"$tmp/err" && ok || bad "$name $opts: $(head -c 300 "$tmp/err")"
  done
  run $name "$memray" --view leaks >/dev/null 2>"$tmp/err" && ok || bad "$name --view leaks: $(head -c 300 "$tmp/err")"
  run $name "$austin" --threads --metric time >/dev/null 2>"$tmp/err" && ok ||
    bad "$name --threads --metric: $(head -c 300 "$tmp/err")"
done

# --map and --strip-prefix rewrite files the same way for every command.
"$bin/pconv" "$pstats" --strip-prefix /usr/lib/ -o "$tmp/stripped.json"
python3 - "$tmp/stripped.json" <<'PY' && ok || bad "pconv --strip-prefix left /usr/lib/ in file names"
import json, sys
m = json.load(open(sys.argv[1]))
files = [f["file"] for f in m["functions"]]
sys.exit(0 if files and not any(f.startswith("/usr/lib/") for f in files) and any(f.startswith("python3") for f in files) else 1)
PY
"$bin/ptop" "$pstats" --map '^/usr/lib/python3\.11/=STDLIB/' >"$tmp/ptop.txt"
grep -q ' STDLIB/' "$tmp/ptop.txt" && ! grep -q '/usr/lib/python3.11/' "$tmp/ptop.txt" && ok ||
  bad "ptop --map did not rewrite files"
"$bin/pgraph" "$pstats" --node-thres 0 --map '^/usr/lib/python3\.11/=STDLIB/' -o "$tmp/g.dot"
grep -q 'STDLIB/' "$tmp/g.dot" && ok || bad "pgraph --map did not rewrite files"

# A rewrite keeps plines' per-line values.
total() { "$bin/plines" "$lprof" "$@" 2>/dev/null | grep -m1 'Total time'; }
[ "$(total --strip-dirs)" = "$(total)" ] && ok || bad "plines --strip-dirs lost the line values"

# A filter that matches nothing is an error on every command: exit 2, one
# line naming the pattern, nothing written -- on stack and on graph profiles.
nomatch() { # LABEL EXPECTED-MESSAGE COMMAND...
  local label=$1 want=$2; shift 2
  rm -f "$tmp/out.json" "$tmp/out.dot"
  "$@" >"$tmp/stdout" 2>"$tmp/err"
  local rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -qF -- "$want" "$tmp/err" &&
     [ ! -s "$tmp/stdout" ] && [ ! -e "$tmp/out.json" ] && [ ! -e "$tmp/out.dot" ]; then ok
  else bad "$label: rc=$rc stdout=$(head -c 100 "$tmp/stdout") err=$(head -c 300 "$tmp/err")"; fi
}
for name in "${commands[@]}"; do
  for input in "$pstats" "$austin"; do
    [ $name = plines ] && [ "$input" = "$pstats" ] && input=$lprof
    for opt in focus ignore hide show show-from prune-from root leaf; do
      nomatch "$name --$opt on $(basename "$input")" "$name: --$opt 'no_such_fn\d': matches no function" \
        run $name "$input" --$opt 'no_such_fn\d'
    done
    nomatch "$name --path" "$name: --path '/no/such/dir/': no function's file is under it" \
      run $name "$input" --path /no/such/dir/
    # One pattern of several matching nothing is named.
    nomatch "$name --focus . --focus zz_none" "$name: --focus 'zz_none': matches no function" \
      run $name "$input" --focus . --focus zz_none
  done
done
# pdiff: a pattern matching on either side is fine; --fail-on too.
"$bin/pdiff" "$tiny" "$pstats" --focus '^_find_and_load$' >/dev/null 2>"$tmp/err" && ok ||
  bad "pdiff: a pattern matching one side only: $(cat "$tmp/err")"
nomatch "pdiff --fail-on" "pdiff: --fail-on 'zz_none': matches no function" \
  "$bin/pdiff" "$tiny" "$pstats" --fail-above 5 --fail-on zz_none

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
