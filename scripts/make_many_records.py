#!/usr/bin/env python3
"""Write one file per multi-record format, each holding many tiny records, to measure how the
memory of `newsdex index` grows (or not) with a file's record count.

Usage:
    python3 scripts/make_many_records.py --out DIR [--records 1500000] [--formats csv,tsv,...]

Formats: csv, tsv, json (an array), jsonl, sgml, warc, rss, smart. Every record is a short
invented story (title "Record N", a one-sentence body); files stay under newsdex's 256 MB limit
(the WARC file, with HTTP and HTML wrapping, gets a quarter of the records). Deterministic.
scripts/bench_memory.sh indexes each file under /usr/bin/time -v and prints peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os

WORDS = "dredger quay harbour tide pilot cargo crane ferry berth lock".split()


def story(i: int) -> tuple[str, str]:
    w = WORDS[i % len(WORDS)]
    return f"Record {i} {w}", f"The {w} {i} worked the channel at dawn."


def write(path: str, records: int, fmt: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        if fmt == "csv":
            f.write("title,body\n")
        elif fmt == "tsv":
            f.write("title\tbody\n")
        elif fmt == "json":
            f.write("[")
        elif fmt == "rss":
            f.write('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Quay Ledger</title>\n')
        for i in range(records):
            t, b = story(i)
            if fmt == "csv":
                f.write(f"{t},{b}\n")
            elif fmt == "tsv":
                f.write(f"{t}\t{b}\n")
            elif fmt == "json":
                f.write(("," if i else "") + json.dumps({"title": t, "body": b}) + "\n")
            elif fmt == "jsonl":
                f.write(json.dumps({"title": t, "body": b}) + "\n")
            elif fmt == "sgml":
                f.write(f'<REUTERS NEWID="{i}"><TEXT><TITLE>{t}</TITLE><BODY>{b}</BODY></TEXT></REUTERS>\n')
            elif fmt == "smart":
                f.write(f".I {i}\n.T\n{t}\n.W\n{b}\n")
            elif fmt == "rss":
                f.write(f"<item><title>{t}</title><description>{b}</description></item>\n")
            elif fmt == "warc":
                page = (
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
                    f"<html><head><title>{t}</title></head><body><p>{b}</p></body></html>"
                ).encode()
                f.write(
                    "WARC/1.0\r\nWARC-Type: response\r\n"
                    f"WARC-Target-URI: https://quay.example/news/{i}\r\n"
                    f"Content-Length: {len(page)}\r\n\r\n"
                )
                f.write(page.decode())
                f.write("\r\n\r\n")
        if fmt == "json":
            f.write("]\n")
        elif fmt == "rss":
            f.write("</channel></rss>\n")


EXT = {"csv": "csv", "tsv": "tsv", "json": "json", "jsonl": "jsonl", "sgml": "sgm",
       "warc": "warc", "rss": "rss", "smart": "all"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--records", type=int, default=1_500_000)
    ap.add_argument("--formats", default=",".join(EXT))
    args = ap.parse_args()
    for fmt in args.formats.split(","):
        d = os.path.join(args.out, fmt)
        os.makedirs(d, exist_ok=True)
        n = args.records // 4 if fmt == "warc" else args.records
        path = os.path.join(d, f"many.{EXT[fmt]}")
        write(path, n, fmt)
        print(f"{path}\t{n} records\t{os.path.getsize(path) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
