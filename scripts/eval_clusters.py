#!/usr/bin/env python3
"""How well newsdex finds wire copies: exact copies, precision of clusters, recall on edited copies.

    python3 scripts/eval_clusters.py target/release/newsdex ../shared/corpora/bbc [--threshold J]

1. Indexes the corpus (a temporary index) and exports every article's path, cluster and body.
   - Exact copies: every pair of byte-identical files must share a cluster.
   - Precision: of all pairs of articles placed in one cluster, the share whose bodies have a
     5-word-shingle Jaccard similarity >= 0.5 (computed exactly here, with the same word rule as
     newsdex: lower-cased runs of letters and digits).
2. A labelled near-copy check, built from the corpus itself (nothing is written into the repo):
   for a fixed random sample of articles (seed 16) that have no byte-identical twin, one edited copy
   each is written to a temporary archive beside the originals, with one of these edits:
     - drop:     one sentence (not the first) removed from the body
     - headline: the headline replaced by another article's headline
     - reorder:  two body paragraphs swapped
     - combined: a sentence dropped, the headline changed and two paragraphs swapped
   Recall = share of (original, edited copy) pairs placed in one cluster. False joins = pairs of
   different originals placed in one cluster in that archive (they were not copies before).
Prints the figures; exits 1 when a target is missed (exact pairs 100%, precision >= 95%,
recall >= 95%).
"""
import csv
import hashlib
import io
import itertools
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict

csv.field_size_limit(1 << 30)


def words(text):
    return [w.lower() for w in re.split(r"[\W_]+", text, flags=re.UNICODE) if w]


def shingles(text, n=5):
    w = words(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def jaccard(a, b):
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def export(binary, index, extra=()):
    out = subprocess.run(
        [binary, "--index", index, "export", "--quiet", "--format", "csv",
         "--fields", "path,cluster,copies,body", "--sort", "oldest", *extra, "*"],
        check=True, capture_output=True).stdout.decode("utf-8")
    return list(csv.DictReader(io.StringIO(out)))


def index(binary, idx, folder, threshold):
    args = [binary, "--index", idx, "index", "--quiet", "--full", folder]
    if threshold is not None:
        args += ["--near-copy-threshold", str(threshold)]
    subprocess.run(args, check=True)


def main():
    binary, corpus = sys.argv[1], os.path.abspath(sys.argv[2])
    threshold = None
    if "--threshold" in sys.argv:
        threshold = float(sys.argv[sys.argv.index("--threshold") + 1])
    ok = True
    tmp = tempfile.mkdtemp(prefix="eval-clusters-")
    try:
        # 1. The corpus as it is.
        idx = os.path.join(tmp, "idx")
        index(binary, idx, corpus, threshold)
        rows = export(binary, idx)
        cluster = {r["path"]: r["cluster"] for r in rows}
        body = {r["path"]: r["body"] for r in rows}
        by_bytes = defaultdict(list)
        for p in cluster:
            with open(p, "rb") as f:
                by_bytes[hashlib.sha256(f.read()).hexdigest()].append(p)
        exact_pairs = exact_same = 0
        for group in by_bytes.values():
            for a, b in itertools.combinations(group, 2):
                exact_pairs += 1
                exact_same += cluster[a] == cluster[b]
        members = defaultdict(list)
        for p, c in cluster.items():
            members[c].append(p)
        pairs = good = 0
        cache = {}
        sh = lambda p: cache.setdefault(p, shingles(body[p]))
        for ms in members.values():
            for a, b in itertools.combinations(sorted(ms), 2):
                pairs += 1
                good += jaccard(sh(a), sh(b)) >= 0.5
        multi = sum(1 for ms in members.values() if len(ms) > 1)
        print(f"articles {len(rows)}, clusters with copies {multi}, articles in them "
              f"{sum(len(ms) for ms in members.values() if len(ms) > 1)}")
        print(f"byte-identical pairs sharing a cluster: {exact_same}/{exact_pairs}")
        prec = good / pairs if pairs else 1.0
        print(f"pairs in one cluster with 5-shingle Jaccard >= 0.5: {good}/{pairs} = {prec:.1%}")
        ok &= exact_same == exact_pairs and prec >= 0.95

        # 2. Labelled near copies.
        rng = random.Random(16)
        singles = sorted(g[0] for g in by_bytes.values() if len(g) == 1)
        sample = rng.sample(singles, min(400, len(singles)))
        arch = os.path.join(tmp, "labelled")
        kinds = ["drop", "headline", "reorder", "combined"]
        label = {}
        for i, src in enumerate(sample):
            with open(src, encoding="utf-8", errors="replace") as f:
                text = f.read()
            head, _, rest = text.partition("\n")
            paras = [p for p in re.split(r"\n\s*\n", rest.strip()) if p.strip()]
            kind = kinds[i % len(kinds)]
            if kind in ("drop", "combined"):
                # A sentence from a paragraph after the first.
                cand = [j for j, p in enumerate(paras) if j > 0 and len(re.split(r"(?<=[.!?])\s+", p)) > 0]
                if cand:
                    j = rng.choice(cand)
                    sents = re.split(r"(?<=[.!?])\s+", paras[j])
                    del sents[rng.randrange(len(sents))]
                    paras[j] = " ".join(sents)
                    paras = [p for p in paras if p.strip()]
            if kind in ("headline", "combined"):
                other = sample[(i + 7) % len(sample)]
                with open(other, encoding="utf-8", errors="replace") as f:
                    head = f.readline().rstrip("\n")
            if kind in ("reorder", "combined") and len(paras) > 2:
                a, b = rng.sample(range(1, len(paras)), 2)
                paras[a], paras[b] = paras[b], paras[a]
            orig = os.path.join(arch, "originals", f"{i:04d}.txt")
            copy = os.path.join(arch, "copies", f"{i:04d}.txt")
            os.makedirs(os.path.dirname(orig), exist_ok=True)
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            shutil.copyfile(src, orig)
            with open(copy, "w", encoding="utf-8") as f:
                f.write(head + "\n\n" + "\n\n".join(paras) + "\n")
            label[i] = kind
        idx2 = os.path.join(tmp, "idx2")
        index(binary, idx2, arch, threshold)
        rows = export(binary, idx2)
        cl = {os.path.relpath(r["path"], arch): r["cluster"] for r in rows}
        found = defaultdict(int)
        total = defaultdict(int)
        for i, kind in label.items():
            total[kind] += 1
            found[kind] += cl[f"originals/{i:04d}.txt"] == cl[f"copies/{i:04d}.txt"]
        for kind in kinds:
            print(f"  {kind:<9} {found[kind]}/{total[kind]}")
        recall = sum(found.values()) / max(1, sum(total.values()))
        print(f"labelled near copies found (recall): {sum(found.values())}/{sum(total.values())} = {recall:.1%}")
        story = defaultdict(set)
        for path, c in cl.items():
            story[c].add(int(path.split("/")[1][:4]))
        false_joins = sum(len(s) * (len(s) - 1) // 2 for s in story.values())
        print(f"pairs of different originals joined: {false_joins}")
        ok &= recall >= 0.95
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("targets met" if ok else "TARGET MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
