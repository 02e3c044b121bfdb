# Sourced by smoke.sh and run.sh: seeds_for TARGET prints the corpus files
# that seed it. Needs $build, $shared, $here and $generated (a scratch folder).
seeds_for() {
  case $1 in
    auto) find "$shared/corpus" -type f ! -name '*.json' ! -name '*.txt' ! -name '*.png' \
            ! -name '*.dot' ! -name '*.md' ! -name '*.py' ! -name '*.svg' ;;
    pstats) echo "$shared/corpus/pstats/*.pstats $shared/corpus/py314-315/*.pstats" ;;
    callgrind) echo "$shared/corpus/callgrind/*.out $shared/corpus/callgrind/*.callgrind" ;;
    collapsed) echo "$shared/corpus/collapsed/*.folded" ;;
    austin | mojo) # and an austin 4 capture made by the tests' writer
      [ "$1" = austin ] && echo "$shared/corpus/austin/*.austin" || echo "$shared/corpus/austin/*.mojo"
      python3 "$here/../formats/austin4/mojo4_writer.py" "$generated" 2>/dev/null &&
        echo "$generated/capture.$1" ;;
    memray) echo "$shared/corpus/memray/*.bin" ;;
    lprof) echo "$shared/corpus/lprof/*.lprof" ;;
    tracemalloc) # the corpus files pass 64 KiB: a small snapshot of this Python's too
      echo "$shared/corpus/tracemalloc/*.tracemalloc"
      python3 "$here/../formats/tracemalloc/small_snapshot.py" "$generated/small.tracemalloc" \
        2>/dev/null && echo "$generated/small.tracemalloc" ;;
    mprof) echo "$shared/corpus/memory_profiler/*.dat" ;;
    memory-profiler) echo "$shared/corpus/memory_profiler/*.txt" ;;
    scalene) ls "$shared"/corpus/scalene/sc_*.json | grep -v '\.oracle\.json$' ;;
    pyinstrument) # sessions cut to their first records, to stay whole within -max_len
      ls "$shared"/corpus/pyinstrument/pi_*.json | grep -v -e '\.oracle\.json$' -e '\.speedscope\.json$'
      for f in "$shared"/corpus/pyinstrument/pi_*.pyisession; do
        python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d["frame_records"] = d["frame_records"][:12]; json.dump(d, open(sys.argv[2], "w"))' \
          "$f" "$generated/$(basename "$f")" 2>/dev/null && echo "$generated/$(basename "$f")"
      done ;;
    perf-script) echo "$shared/corpus/perf/*.perf.txt" ;;
    tachyon) echo "$shared/corpus/py314-315/*.bin"
      python3 "$here/../formats/tachyon/tachyon_writer.py" seeds "$generated" 2>/dev/null &&
        echo "$generated"/seed-*.bin ;;
    gecko) # the corpus file is past -max_len: small ones written by pconv too
      echo "$shared/corpus/py314-315/*.gecko.json"
      for f in "$here"/../../samples/*.pstats "$here"/../../samples/*.austin; do
        out=$generated/$(basename "$f").gecko.json
        "$build/pconv" "$f" -t gecko -o "$out" 2>/dev/null && echo "$out"
      done ;;
    tachyon-jsonl) echo "$shared/corpus/py314-315/*.jsonl" ;;
    chrome-trace) ls "$shared"/corpus/viztracer/vz_*.json "$shared"/corpus/viztracer/vz_*.json.gz |
        grep -v '\.oracle\.json$'
      echo "$here/../data/chrome-trace/"* ;;
    speedscope | pprof) # no corpus files: written from the samples by pconv
      for f in "$here"/../../samples/*.pstats; do
        out=$generated/$(basename "$f").$1
        "$build/pconv" "$f" -t "$1" -o "$out" 2>/dev/null && echo "$out"
      done ;;
    *) echo "" ;;
  esac
  # Past findings seed their reader again in long runs (the fuzz_regressions
  # test replays them; a short smoke run stays on the corpus).
  if [ -n "${with_regressions:-}" ] && [ -d "$here/../data/fuzz-regressions/$1" ]; then
    find "$here/../data/fuzz-regressions/$1" -type f
  fi
  return 0
}
