#!/usr/bin/env bash
# Ranking quality table for the README: nDCG@10 / MAP on the judged collections of
# ../shared/evalkit (cran, cisi, med), measured exactly as the peer engines in its README were
# (one `newsdex search` process per query, top 100 as JSON Lines, run_command.py + eval.py), for
# the default mode (`search {query}`), `--any`, and `--expand` in both.
#
#   scripts/eval_table.sh                                  # this build
#   BEFORE=/path/to/an/older/newsdex scripts/eval_table.sh # also the rows of another build
#
# Each collection is indexed once per build into a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=${EVALKIT:-../shared/evalkit}
if [ ! -d "$KIT/collections" ]; then
  echo "no $KIT/collections: this script needs ../shared/evalkit" >&2
  exit 2
fi
cargo build --release --quiet --bin newsdex
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp target/release/newsdex "$work/after"
builds="after"
if [ -n "${BEFORE:-}" ]; then
  cp "$BEFORE" "$work/before"
  builds="before after"
fi
collections="cran cisi med"

measure() { # build collection label args... -> "nDCG MAP"
  local build=$1 c=$2 label=$3
  shift 3
  python3 "$KIT/run_command.py" "$KIT/collections/$c/queries.tsv" "$work/$build-$c-$label.run" \
    --runname "$label" \
    --cmd "$work/$build --index $work/$build-$c search {query} $* --limit 100 --format jsonl" \
    2>/dev/null
  python3 "$KIT/eval.py" "$KIT/collections/$c/qrels.trec" "$work/$build-$c-$label.run" |
    python3 -c 'import re,sys; t=sys.stdin.read(); print(re.search(r"nDCG@10 ([\d.]+)",t)[1], re.search(r"MAP ([\d.]+)",t)[1])'
}

echo "| newsdex build, mode | cran nDCG@10 / MAP | cisi nDCG@10 / MAP | med nDCG@10 / MAP | mean nDCG@10 |"
echo "|---|---|---|---|---|"
for build in $builds; do
  for c in $collections; do
    "$work/$build" --index "$work/$build-$c" index --quiet "$KIT/collections/$c/docs"
  done
  modes="default:|--any:--any"
  if "$work/$build" search --help | grep -q -- --expand; then
    modes="$modes|--expand:--expand|--any --expand:--any --expand"
  fi
  IFS='|'
  for m in $modes; do
    IFS=: read -r label args <<< "$m"
    IFS=' '
    row="| $build, \`search $label\` |"
    sum=0
    for c in $collections; do
      # shellcheck disable=SC2086
      read -r n map < <(measure "$build" "$c" "${label//[ -]/}" $args)
      row="$row $n / $map |"
      sum=$(python3 -c "print($sum + $n)")
    done
    echo "$row $(python3 -c "print('%.4f' % ($sum / 3))") |"
    IFS='|'
  done
  IFS=' '
done
