# Shared by the bench scripts: measure a command's wall time and peak RSS.
#   measure LABEL CMD...   -> sets WALL (seconds) and RSS (MB), prints a row
measure() {
  local label=$1; shift
  local log
  log=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$log" "$@" >/dev/null 2>&1 || { echo "  $label: FAILED"; rm -f "$log"; return 1; }
  read -r WALL RSS_KB <"$log"
  RSS=$((RSS_KB / 1024))
  rm -f "$log"
  printf '  %-48s %8.3f s %6d MB\n' "$label" "$WALL" "$RSS"
}
# ratio A B -> A/B with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'; }
