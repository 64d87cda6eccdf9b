#!/usr/bin/env bash
# Query latency benchmark.
#
#   scripts/bench_search.sh ARCHIVE_DIR [ROUNDS]
#
# Indexes the archive into a temporary index, then reports
#  1. in-process latency (examples/bench_search.rs): p50/p95/p99 of top-10 searches with the exact
#     hit count, by query kind, without and with snippets;
#  2. whole-process latency: `newsdex search --format text` (start-up, open, search, print ten hits
#     with snippets), p50/p95/p99 over the same kinds of queries.
set -euo pipefail
cd "$(dirname "$0")/.."
archive=$1
rounds=${2:-30}
cargo build --release --quiet --bin newsdex --example bench_search
BIN=$PWD/target/release/newsdex
idx=$(mktemp -d)
trap 'rm -rf "$idx"' EXIT
"$BIN" --index "$idx" index --quiet "$archive"
echo "== in-process"
target/release/examples/bench_search "$idx" "$rounds"
echo "== whole process: newsdex search --format text (10 hits, snippets)"
python3 - "$BIN" "$idx" "$rounds" <<'PY'
import subprocess, sys, time
bin_, idx, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
queries = [["cocoa"], ["dollar"], ['"money supply"'], ["OPEC oil output"], ["Baker dollar -yen"],
           ["--since", "1987-03", "--until", "1987-04", "oil"], ["--sort", "newest", "shares"]]
times = []
for _ in range(rounds):
    for q in queries:
        t = time.perf_counter()
        subprocess.run([bin_, "--index", idx, "search", "--format", "text", "--color", "never", *q],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1000)
times.sort()
base = []
for _ in range(rounds):
    t = time.perf_counter(); subprocess.run(["true"]); base.append((time.perf_counter() - t) * 1000)
base.sort()
p = lambda v, q: v[min(len(v) - 1, round(q / 100 * (len(v) - 1)))]
print(f"{len(times)} processes  p50 {p(times,50):.2f} ms  p95 {p(times,95):.2f} ms  p99 {p(times,99):.2f} ms"
      f"  (spawning `true` from Python: p50 {p(base,50):.2f} ms)")
PY
