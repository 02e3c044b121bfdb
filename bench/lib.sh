# Shared by the bench scripts: measure a command's wall time, CPU time and peak
# RSS. On a loaded machine wall time measures the other processes too, so
# ratios and goals are read on CPU time (user + sys).
#   measure LABEL CMD...   -> sets WALL, CPU (seconds), RSS (MB), RSS_KB; prints a row
measure() {
  local label=$1; shift
  local log u s
  log=$(mktemp)
  /usr/bin/time -f '%e %U %S %M' -o "$log" "$@" >/dev/null 2>&1 || { echo "  $label: FAILED"; rm -f "$log"; return 1; }
  read -r WALL u s RSS_KB <"$log"
  CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
  RSS=$((RSS_KB / 1024))
  rm -f "$log"
  printf '  %-48s %8.3f s wall %6.2f s cpu %6d MB\n' "$label" "$WALL" "$CPU" "$RSS"
}
# ratio A B -> A/B with one decimal
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'; }
# within A LIMIT -> success when A <= LIMIT
within() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
