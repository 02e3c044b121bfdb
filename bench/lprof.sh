#!/usr/bin/env bash
# line_profiler files: a large .lprof (20000 functions, 1M line entries,
# pickle protocol 5 as kernprof writes it) read by pconv and listed by plines,
# against Python unpickling it (the least line_profiler's viewer does).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
big=$PK_BENCH_TMP/big.lprof
python3 - "$big" <<'PY'
import pickle, random, sys, types
mod = types.ModuleType("line_profiler._line_profiler")
sys.modules["line_profiler"] = types.ModuleType("line_profiler")
sys.modules[mod.__name__] = mod
LineStats = type("LineStats", (), {"__module__": mod.__name__})
mod.LineStats = LineStats
rng = random.Random(1)
s = LineStats()
s.unit = 1e-9
s.timings = {("/srv/app/mod%d.py" % (i % 500), 10 + i, "func%d" % i):
             [(11 + i + k, rng.randrange(1, 10**6), rng.randrange(1, 2**40)) for k in range(50)]
             for i in range(20000)}
with open(sys.argv[1], "wb") as f:
    pickle.dump(s, f, protocol=5)
PY
echo "  input: $(du -h "$big" | cut -f1)"
measure "python3 pickle.load" python3 -c "
import pickle, sys, types
m = types.ModuleType('line_profiler._line_profiler'); sys.modules['line_profiler'] = types.ModuleType('line_profiler')
sys.modules[m.__name__] = m; m.LineStats = type('LineStats', (), {})
pickle.load(open('$big', 'rb'))"
py=$WALL
measure "pconv big.lprof -o model.json" "$PK_BIN/pconv" "$big" -o "$PK_BENCH_TMP/model.json"
echo "  pconv vs pickle.load: $(ratio "$py" "$WALL")x"
measure "plines big.lprof" "$PK_BIN/plines" "$big"
measure "plines -n 20 big.lprof" "$PK_BIN/plines" -n 20 "$big"
