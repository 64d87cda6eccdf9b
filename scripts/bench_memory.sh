#!/usr/bin/env bash
# Peak memory of `newsdex index` on one big multi-record file per format, for one or two builds.
#
#   python3 scripts/make_many_records.py --out /tmp/many --records 1500000
#   scripts/bench_memory.sh /tmp/many target/release/newsdex [OTHER_NEWSDEX]
#
# Each format's folder (made by make_many_records.py) is indexed into a fresh index with
# --memory 100 --threads 1; prints format, records indexed, peak RSS (KB) and seconds per binary.
set -euo pipefail
DATA=${1:?folder made by make_many_records.py}
shift
[ $# -ge 1 ] || { echo "usage: $0 DATA NEWSDEX [OTHER_NEWSDEX]" >&2; exit 2; }
MEMORY=${MEMORY_MB:-100}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-30s %10s %12s %8s\n' format binary articles peak_rss_kb seconds
for dir in "$DATA"/*/; do
    fmt=$(basename "$dir")
    for bin in "$@"; do
        ix=$(mktemp -d)
        log=$(mktemp)
        /usr/bin/time -v "$bin" --index "$ix/ix" index -q --json --memory "$MEMORY" --threads 1 \
            "$dir" > "$ix/summary.json" 2> "$log" || true
        rss=$(grep 'Maximum resident set size' "$log" | grep -Eo '[0-9]+$')
        secs=$(grep 'Elapsed (wall clock)' "$log" | grep -Eo '[0-9:.]+$')
        n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("articles_total", "?"))' \
            "$ix/summary.json" 2>/dev/null || echo "?")
        printf '%-8s %-30s %10s %12s %8s\n' "$fmt" "$bin" "$n" "$rss" "$secs"
        rm -rf "$ix" "$log"
    done
done
