#!/usr/bin/env python3
"""Load test for `newsdex serve`: N concurrent clients send a mix of page requests.

Usage: scripts/bench_serve.py INDEX_DIR [--clients 20] [--requests 400] [--queries FILE]

Starts `target/release/newsdex --index INDEX_DIR serve --port 0`, then each client thread takes
the next request from a shared list until all are sent. The mix is what the page sends for one
search: /api/search (a page of 20 hits), /api/facets and /api/count (the timeline), with some
KWIC and paging. Queries come from FILE (one per line) or a built-in list of news words.
Prints how many were answered with 200, and the latency p50/p90/p99/max in milliseconds.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

WORDS = [
    "caravan", "border", "troops", "asylum", "election", "oil", "prices", "bank", "rates",
    "trade", "deficit", "coffee", "wheat", "shares", "government", "court", "strike",
    "\"safe third country\"", "migrants OR refugees", "market -stock", "minister", "tax",
    "football", "film", "music", "technology", "mobile phone", "profit", "growth", "china",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("index")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--queries")
    ap.add_argument("--binary", default="target/release/newsdex")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    queries = WORDS
    if args.queries:
        with open(args.queries, encoding="utf-8") as f:
            queries = [l.strip().split("\t")[-1] for l in f if l.strip() and not l.startswith("#")]
    rnd = random.Random(args.seed)
    reqs = []
    for i in range(args.requests):
        q = rnd.choice(queries)
        p = {"q": q}
        kind = rnd.random()
        if kind < 0.45:
            path = "/api/search"
            p.update(limit="20", offset=str(rnd.choice([0, 0, 0, 20, 40])))
        elif kind < 0.65:
            path = "/api/facets"
        elif kind < 0.85:
            path = "/api/count"
            p.update(by=rnd.choice(["year", "month", "week"]))
        elif kind < 0.95:
            path = "/api/search"
            p.update(limit="20", sort=rnd.choice(["newest", "oldest"]))
        else:
            path = "/api/kwic"
            p.update(limit="20")
        reqs.append(path + "?" + urllib.parse.urlencode(p))

    server = subprocess.Popen(
        [args.binary, "--index", args.index, "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        line = server.stdout.readline()
        base = line.split("http://", 1)[1].strip().rstrip("/")
        base = "http://" + base
        urllib.request.urlopen(base + "/api/stats").read()  # warm up: open the index files

        lock = threading.Lock()
        nxt = [0]
        results = []  # (status, seconds)

        def client():
            while True:
                with lock:
                    if nxt[0] >= len(reqs):
                        return
                    r = reqs[nxt[0]]
                    nxt[0] += 1
                t0 = time.perf_counter()
                try:
                    with urllib.request.urlopen(base + r, timeout=60) as resp:
                        resp.read()
                        status = resp.status
                except urllib.error.HTTPError as e:
                    status = e.code
                except Exception:
                    status = 0
                dt = time.perf_counter() - t0
                with lock:
                    results.append((status, dt))

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait()

    ok = sum(1 for s, _ in results if s == 200)
    lat = sorted(d * 1000 for _, d in results)

    def pct(p):
        return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]

    print(f"index {args.index}: {args.clients} clients, {len(reqs)} requests, "
          f"{ok} answered 200, {len(results) - ok} not ({wall:.1f} s, {len(results) / wall:.0f} req/s, "
          f"{os.cpu_count()} cores)")
    print(f"latency ms: p50 {pct(50):.1f}  p90 {pct(90):.1f}  p99 {pct(99):.1f}  "
          f"max {lat[-1]:.1f}  mean {statistics.mean(lat):.1f}")
    return 0 if ok == len(reqs) else 1


if __name__ == "__main__":
    sys.exit(main())
