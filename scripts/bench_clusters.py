#!/usr/bin/env python3
"""What wire-copy clustering costs: indexing time and peak memory against a peer binary without it,
and the added latency of `search --collapse` and `count --unique`.

    python3 scripts/bench_clusters.py NEW_BINARY BASE_BINARY ARCHIVE [ROUNDS]

BASE_BINARY is a newsdex built before clustering (e.g. `git worktree add /tmp/base <commit>` and
`cargo build --release` there). Both index ARCHIVE into fresh temporary indexes, alternately, ROUNDS
times (default 3); the medians of wall time and peak RSS (`/usr/bin/time`) and their ratio are printed.
Then, on NEW_BINARY's index, each query runs as a whole process 40 times with and without `--collapse`
(search, 10 hits, JSON Lines) and `--unique` (count by month); the p50 of each and the difference are
printed. Machines here are shared and noisy: compare ratios from one run.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

QUERIES = ["oil", "dollar", "\"money supply\"", "OPEC oil output", "shares", "government", "bank"]


def index(binary, archive, idx):
    shutil.rmtree(idx, ignore_errors=True)
    t = tempfile.NamedTemporaryFile(delete=False)
    subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name, binary, "--index", idx,
                    "index", "--quiet", archive], check=True)
    secs, kb = open(t.name).read().split()[-2:]
    os.unlink(t.name)
    return float(secs), int(kb) / 1024


def p50_process(args_list, rounds):
    times = []
    for _ in range(rounds):
        for args in args_list:
            t = time.perf_counter()
            subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    new, base, archive = sys.argv[1], sys.argv[2], sys.argv[3]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    work = tempfile.mkdtemp(prefix="bench-clusters-")
    try:
        res = {"new": [], "base": []}
        for _ in range(rounds):
            for name, b in (("base", base), ("new", new)):
                res[name].append(index(b, archive, os.path.join(work, name)))
        med = {k: (statistics.median(s for s, _ in v), statistics.median(m for _, m in v))
               for k, v in res.items()}
        print(f"index {archive}: base {med['base'][0]:.2f} s {med['base'][1]:.0f} MB peak; "
              f"with clusters {med['new'][0]:.2f} s {med['new'][1]:.0f} MB peak; "
              f"time x{med['new'][0] / med['base'][0]:.3f}, memory {med['new'][1] - med['base'][1]:+.0f} MB")
        idx = os.path.join(work, "new")
        # Warm the page cache and the saved cluster view once.
        subprocess.run([new, "--index", idx, "search", "--collapse", "oil"], stdout=subprocess.DEVNULL)
        n = 40
        for label, plain, extra in (
            ("search -n 10 (jsonl)", ["search", "--format", "jsonl"], ["--collapse"]),
            ("count --by month", ["count", "--by", "month"], ["--unique"]),
        ):
            a = [[new, "--index", idx, *plain, q] for q in QUERIES]
            b = [[new, "--index", idx, *plain, *extra, q] for q in QUERIES]
            pa, pb = p50_process(a, n), p50_process(b, n)
            print(f"{label}: p50 {pa:.2f} ms, with {extra[0]} {pb:.2f} ms ({pb - pa:+.2f} ms)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
