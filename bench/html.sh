#!/usr/bin/env bash
# HTML report of the ~128 MB, ~460k-line collapsed file: pconv's time and
# memory, the report's size (goal: at most 10 MB) and the time headless
# Chromium takes to open it until the page's scripts drew the flame graph
# (goal: under 2 s). Env: PK_BIN, PK_SHARED; optional BENCH_DIR, CHROMIUM.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${PK_BIN:?set PK_BIN to the folder holding pconv}"
: "${PK_SHARED:?set PK_SHARED to the shared folder}"
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/profkit-bench}
chromium=${CHROMIUM:-/usr/bin/chromium}
mkdir -p "$dir"
big=$dir/big.folded
[ -s "$big" ] || python3 "$here/gen-collapsed.py" "$PK_SHARED/corpus/collapsed" "$big"

for minwidth in default 0.001; do
    opts=()
    [ "$minwidth" = default ] || opts=(--minwidth "$minwidth")
    out=$dir/big-$minwidth.html
    read -r wall rss < <(python3 - "$PK_BIN/pconv" -f collapsed "$big" -o "$out" "${opts[@]}" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:])
if r.returncode:
    sys.exit("pconv: status %d" % r.returncode)
print("%.3f %d" % (time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY
)
    size=$(stat -c %s "$out")
    printf 'pconv -o html (minwidth %s)  %6.2f s %8d KiB RSS, report %.2f MB (goal <= 10 MB)\n' \
        "$minwidth" "$wall" "$rss" "$(python3 -c "print($size / 1e6)")"
    if [ -x "$chromium" ] && [ -d "$here/../tests/node/node_modules/playwright-core" ]; then
        echo "[{\"file\": \"$out\", \"quick\": true}]" > "$dir/html-spec.json"
        node "$here/../tests/node/report_check.mjs" "$chromium" "$dir" "$dir/html-spec.json" |
            python3 -c '
import json, sys
r = json.load(sys.stdin)[0]
f = r["facts"]
print("  Chromium: load until drawn %d ms (script ready at %d ms), %d frames drawn (goal < 2000 ms)%s"
      % (f.get("loadMs", -1), f.get("readyMs", -1), f.get("drawn", 0),
         "; problems: " + "; ".join(r["problems"]) if r["problems"] else ""))'
    else
        echo "  Chromium or playwright-core missing: browser time not measured"
    fi
done
