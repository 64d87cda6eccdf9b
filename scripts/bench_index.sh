#!/usr/bin/env bash
# Indexing benchmark: prints one row per archive.
#
#   scripts/bench_index.sh ARCHIVE_DIR...
#
# For each archive: a full index (wall time, articles/s, MB/s, peak RSS and peak heap (RssAnon,
# what `--memory` bounds; scripts/peak_anon.py), index size / corpus size),
# the raw-tantivy ceiling on the same documents (examples/raw_ceiling.rs: same schema, analyzers,
# threads and memory budget, documents already in memory), an unchanged re-index, and a re-index
# after 1% of the files changed (on a copy, made with scripts/make_archive.py --mutate 0.01).
# Generated archives: python3 scripts/make_archive.py --out /tmp/arch-1g --size 1G
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-$(nproc)}
MEMORY_MB=${MEMORY_MB:-256}
cargo build --release --quiet --bin newsdex --example raw_ceiling
BIN=$PWD/target/release/newsdex
RAW=$PWD/target/release/examples/raw_ceiling
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-28s %8s %9s %8s %9s %7s %8s %8s %7s %9s %6s %8s %8s\n' \
  archive MB articles full_s art/s MB/s peakMB heapMB idx/src raw_art/s %raw unchg_s 1%chg_s
for archive in "$@"; do
  name=$(basename "$archive")
  idx="$work/idx-$name"
  python3 scripts/peak_anon.py -o "$work/time" -- "$BIN" --index "$idx" index --quiet --json \
    --threads "$THREADS" --memory "$MEMORY_MB" "$archive" > "$work/summary.json"
  anon=$(sed -E 's/.*peak_anon_kb=([0-9]+).*/\1/' "$work/time")
  kb=$(sed -E 's/.*peak_rss_kb=([0-9]+).*/\1/' "$work/time")
  secs=$(sed -E 's/.*seconds=([0-9.]+).*/\1/' "$work/time")
  arts=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["articles_indexed"])' "$work/summary.json")
  mb=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes_read"] / 1e6)' "$work/summary.json")
  idxmb=$(du -sb "$idx" | awk '{print $1/1e6}')
  raw=$("$RAW" "$archive" "$THREADS" "$MEMORY_MB" | sed -E 's/.* = ([0-9]+) docs\/s.*/\1/')
  start=$(date +%s.%N)
  "$BIN" --index "$idx" index --quiet "$archive"
  unchanged=$(python3 -c "print($(date +%s.%N) - $start)")
  # 1% changed, on a copy so the archive itself stays as generated.
  copy="$work/copy-$name"
  cp -r "$archive" "$copy"
  "$BIN" --index "$work/idx-copy" index --quiet "$copy"
  python3 scripts/make_archive.py --out "$copy" --mutate 0.01 --seed 2 > /dev/null
  start=$(date +%s.%N)
  "$BIN" --index "$work/idx-copy" index --quiet "$copy"
  changed=$(python3 -c "print($(date +%s.%N) - $start)")
  rm -rf "$copy" "$work/idx-copy"
  python3 - "$name" "$mb" "$arts" "$secs" "$kb" "$anon" "$idxmb" "$raw" "$unchanged" "$changed" <<'PY'
import sys
name, mb, arts, secs, kb, anon, idxmb, raw, unch, chg = sys.argv[1:]
mb, arts, secs, kb, anon, idxmb, raw, unch, chg = float(mb), int(arts), float(secs), int(kb), int(anon), float(idxmb), float(raw), float(unch), float(chg)
rate = arts / secs
print(f"{name:<28} {mb:8.1f} {arts:9d} {secs:8.2f} {rate:9.0f} {mb/secs:7.1f} {kb/1024:8.0f} {anon/1024:8.0f} {idxmb/mb:7.2f} {raw:9.0f} {100*rate/raw:5.0f}% {unch:8.2f} {chg:8.2f}")
PY
  rm -rf "$idx"
done
