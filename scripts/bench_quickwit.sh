#!/usr/bin/env bash
# Quickwit engine benchmark: push throughput beside local indexing, and search latency through
# the remote engine beside the local one (whole `newsdex search` processes).
#
#   scripts/bench_quickwit.sh ARCHIVE_DIR [ROUNDS]
#
# Starts a one-node cluster with ../shared/tools/quickwit/start-local.sh on a free loopback port
# (data in a temporary folder), indexes the archive locally, pushes it, then times the same
# queries both ways: p50/p95/p99 in ms.
set -euo pipefail
cd "$(dirname "$0")/.."
archive=$1
rounds=${2:-20}
shared=${NEWSDEX_SHARED:-../shared}
cargo build --release --quiet --bin newsdex
BIN=$PWD/target/release/newsdex
work=$(mktemp -d)
port=$(python3 -c 'import socket
for _ in range(100):
    s=socket.socket(); s.bind(("127.0.0.1",0)); p=s.getsockname()[1]
    t=socket.socket()
    try: t.bind(("127.0.0.1",p+1)); print(p); break
    except OSError: pass')
"$shared/tools/quickwit/start-local.sh" "$work/qw" "$port" >"$work/qw.log" 2>&1 &
qw=$!
trap 'kill $qw 2>/dev/null; wait $qw 2>/dev/null; rm -rf "$work"' EXIT
until curl -sf "http://127.0.0.1:$port/health/readyz" >/dev/null; do sleep 0.5; done
remote="quickwit://127.0.0.1:$port/bench"

echo "== local indexing"
"$BIN" --index "$work/idx" index "$archive" | head -1
echo "== push to $remote"
"$BIN" --index "$work/idx" push --to "$remote" | head -1
echo "== search latency, whole process (10 hits with snippets), p50 / p95 / p99 ms"
python3 - "$BIN" "$work/idx" "$remote" "$rounds" <<'PY'
import subprocess, sys, time
bin_, idx, remote, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
queries = [["cocoa"], ["dollar"], ['"money supply"'], ["OPEC oil output"], ["Baker dollar -yen"],
           ["--since", "1987-03", "--until", "1987-04", "oil"], ["--sort", "newest", "shares"],
           ["said"]]
p = lambda v, q: v[min(len(v) - 1, round(q / 100 * (len(v) - 1)))]
for name, extra in [("local", []), ("quickwit", ["--engine", remote])]:
    times = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            subprocess.run([bin_, "--index", idx, *extra, "search", "--format", "text",
                            "--color", "never", *q],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"{name:9} {p(times, 50):7.1f} {p(times, 95):7.1f} {p(times, 99):7.1f}   ({len(times)} searches)")
t = time.perf_counter()
out = subprocess.run([bin_, "--index", idx, "--engine", remote, "export", "--format", "jsonl", "-q", "said"],
                     capture_output=True, check=True).stdout
n = out.count(b"\n")
print(f"export 'said' through the cluster: {n} hits in {time.perf_counter() - t:.2f} s")
t = time.perf_counter()
out = subprocess.run([bin_, "--index", idx, "export", "--format", "jsonl", "-q", "said"],
                     capture_output=True, check=True).stdout
n = out.count(b"\n")
print(f"export 'said' locally: {n} hits in {time.perf_counter() - t:.2f} s")
PY
