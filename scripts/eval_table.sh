#!/usr/bin/env bash
# Ranking evaluation table for the README: every measure on Cranfield, CISI and MEDLINE
# (../shared/eval) for plain BM25 and for each ranking change, with `newsdex eval`.
#
#   scripts/eval_table.sh            # prints a Markdown table
set -euo pipefail
cd "$(dirname "$0")/.."
EVAL=${EVAL:-../shared/eval}
cargo build --release --quiet --bin newsdex
BIN=$PWD/target/release/newsdex
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
collections="cran:cran/cran.qry:cran/cran.qrels cisi:cisi/CISI.QRY:cisi/CISI.REL med:med/MED.QRY:med/MED.REL"
# config name : title weight : proximity weight
configs="plain BM25 (title+body, k1=1.2 b=0.75):1:0|BM25F, title x2 (kept):2:0|BM25F x2 + proximity 0.1 (rejected):2:0.1|BM25F x2 + proximity 1.0 (rejected):2:1|BM25F, title x3 (rejected):3:0"
for c in $collections; do
  IFS=: read -r name _ _ <<< "$c"
  for w in 1 2 3; do
    "$BIN" --index "$work/$name-$w" index --quiet --title-weight "$w" "$EVAL/$name"
  done
done
echo "| ranking | Cranfield MAP / nDCG@10 / P@10 / R@100 | CISI MAP / nDCG@10 / P@10 / R@100 | MEDLINE MAP / nDCG@10 / P@10 / R@100 | mean MAP | mean nDCG@10 |"
echo "|---|---|---|---|---|---|"
IFS='|'
for cfg in $configs; do
  IFS=: read -r label tw pw <<< "$cfg"
  row="| $label |"
  maps=(); ndcgs=()
  IFS=' '
  for c in $collections; do
    IFS=: read -r name q r <<< "$c"
    json=$("$BIN" --index "$work/$name-$tw" eval --format json --proximity-weight "$pw" \
      --queries "$EVAL/$q" --qrels "$EVAL/$r")
    read -r m n p rc < <(python3 -c 'import json,sys; m=json.load(sys.stdin)["mean"]; print(m["map"], m["ndcg10"], m["p10"], m["recall100"])' <<< "$json")
    row="$row $(printf '%.4f / %.4f / %.4f / %.4f' "$m" "$n" "$p" "$rc") |"
    maps+=("$m"); ndcgs+=("$n")
  done
  mean=$(python3 -c 'import sys; v=[float(x) for x in sys.argv[1:]]; print("%.4f" % (sum(v)/len(v)))' "${maps[@]}")
  meann=$(python3 -c 'import sys; v=[float(x) for x in sys.argv[1:]]; print("%.4f" % (sum(v)/len(v)))' "${ndcgs[@]}")
  echo "$row $mean | $meann |"
  IFS='|'
done
