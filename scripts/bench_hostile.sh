#!/usr/bin/env bash
# Time and peak memory of `newsdex index` on the largest hostile inputs of tests/hostile.rs:
# a 100 MB single article, a 50 MB single-line JSON array, a gzip bomb (300 MB inflated),
# 100,000 tiny files, and a page nested 100,000 levels deep.
#
#   scripts/bench_hostile.sh [WORKDIR]      (default /tmp/newsdex-hostile; needs python3, GNU time)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=$PWD/target/release/newsdex
W=${1:-/tmp/newsdex-hostile}
rm -rf "$W" && mkdir -p "$W"
python3 - "$W" <<'PY'
import gzip, json, os, sys
w = sys.argv[1]
def d(name):
    p = os.path.join(w, name); os.makedirs(p, exist_ok=True); return p
with open(os.path.join(d("giant"), "giant.txt"), "w") as f:
    f.write("Title: Endless report\nDate: 2020-03-04\n\n")
    para = "Clerks copied the ledger line by line through the night, and the auditors checked every column twice.\n\n"
    f.write(para * (100_000_000 // len(para)))
with open(os.path.join(d("json"), "export.json"), "w") as f:
    filler = "Port authorities reported steady container traffic this week. " * 32
    f.write("[" + ",".join(json.dumps({"title": f"Port bulletin {i}", "text": filler + f" pb{i}x"}) for i in range(25_000)) + "]")
member = gzip.compress(b"a" * (1 << 20), 1)
with open(os.path.join(d("bomb"), "bomb.txt.gz"), "wb") as f:
    f.write(member * 300)
tiny = d("tiny")
for i in range(100_000):
    sub = os.path.join(tiny, f"{i // 1000:03}")
    if i % 1000 == 0: os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"{i:06}.txt"), "w") as f:
        f.write(f"T{i}\n\nw{i} tiny.\n")
with open(os.path.join(d("deep"), "deep.html"), "w") as f:
    f.write("<html><head><title>Deep</title></head><body>" + "<div>" * 100_000 + "<p>Inside.</p>" + "</div>" * 100_000 + "</body></html>")
PY
printf '%-8s %10s %9s %12s %s\n' case input seconds "peak RSS" articles
for c in giant json bomb tiny deep; do
    size=$(du -sh "$W/$c" | cut -f1)
    /usr/bin/time -o "$W/$c.time" -f '%e %M' "$BIN" --index "$W/ix-$c" index --json "$W/$c" \
        > "$W/$c.json" 2>/dev/null
    out=$(tail -1 "$W/$c.time")
    n=$(python3 -c "import json,sys; print(json.load(open('$W/$c.json'))['articles_total'])")
    printf '%-8s %10s %9s %9s MB %s\n' "$c" "$size" "${out% *}" "$(( ${out#* } / 1024 ))" "$n"
done
