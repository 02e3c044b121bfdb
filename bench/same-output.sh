#!/usr/bin/env bash
# Speed changes must not change what is written: convert every corpus file
# (and the large bench inputs) with an old and a new build and compare the
# outputs byte for byte. Run before landing a change that is only speed.
#   bench/same-output.sh OLD_BIN_DIR NEW_BIN_DIR SHARED_DIR [WORK_DIR]
# SAME_LARGE=1 adds the large inputs of SHARED_DIR/bench (slow); SAME_OUTPUTS
# picks some of the outputs (e.g. "callgrind ptop"). Outputs per input: callgrind, collapsed, dot, JSON model, SVG, HTML (pconv),
# ptop's table and pgraph's dot. An input both builds refuse (same status and
# message) counts as the same. Exit 1 and a list of differing files otherwise.
set -uo pipefail
old=${1:?OLD_BIN_DIR} new=${2:?NEW_BIN_DIR} shared=${3:?SHARED_DIR}
work=${4:-$(mktemp -d)}
mkdir -p "$work/old" "$work/new"
diffs=0 compared=0

# run SIDE NAME CMD...: stdout, stderr and status of one build's command
run() {
  local side=$1 name=$2
  shift 2
  "$@" >"$work/$side/$name.out" 2>"$work/$side/$name.err"
  echo $? >"$work/$side/$name.status"
}

compare() { # NAME OUTPUT_SUFFIX
  local name=$1 f
  for f in "$name.status" "$name.out" "$name.err" "$name.file"; do
    [ -e "$work/old/$f" ] || [ -e "$work/new/$f" ] || continue
    if ! cmp -s "$work/old/$f" "$work/new/$f"; then
      echo "DIFFERS: $f"
      diffs=$((diffs + 1))
      return
    fi
  done
  compared=$((compared + 1))
}

# convert INPUT TAG EXT [OPTIONS...]: pconv INPUT -o FILE.EXT on both sides
convert() {
  local input=$1 tag=$2 ext=$3
  shift 3
  local side bin
  for side in old new; do
    bin=${!side}
    rm -f "$work/$side/$tag.file"
    run "$side" "$tag" "$bin/pconv" "$input" -o "$work/$side/$tag.file.$ext" "$@"
    [ -e "$work/$side/$tag.file.$ext" ] && mv "$work/$side/$tag.file.$ext" "$work/$side/$tag.file"
    # the file name appears in messages: make both sides name the same file
    sed -i "s#$work/$side/#WORK/#g" "$work/$side/$tag.err"
  done
  compare "$tag"
}

command_both() { # TAG TOOL ARGS...
  local tag=$1 tool=$2 side bin
  shift 2
  for side in old new; do
    bin=${!side}
    run "$side" "$tag" "$bin/$tool" "$@"
  done
  compare "$tag"
}

inputs=()
while IFS= read -r -d '' f; do
  case $f in
  *.expected.json | *.oracle.json | *.md | *.txt.expected.json | *callgrind_annotate*.txt | *.stats.json) continue ;;
  esac
  inputs+=("$f")
done < <(find -L "$shared/corpus" ${SAME_LARGE:+"$shared/bench"} -type f -print0 | sort -z)

outputs=${SAME_OUTPUTS:-callgrind folded dot json svg html ptop pgraph}
i=0
for f in "${inputs[@]}"; do
  i=$((i + 1))
  tag=$(printf '%04d' "$i")
  [ $((i % 50)) = 0 ] && echo "  $i/${#inputs[@]} inputs" >&2
  for ext in $outputs; do
    case $ext in
    ptop) command_both "$tag-ptop" ptop "$f" -n 30 ;;
    pgraph) command_both "$tag-pgraph" pgraph "$f" -o - ;;
    *) convert "$f" "$tag-$ext" "$ext" ;;
    esac
  done
done
echo "same-output: ${#inputs[@]} inputs, $compared outputs identical, $diffs differ"
[ "$diffs" = 0 ]
