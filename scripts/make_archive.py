#!/usr/bin/env python3
"""Generate large synthetic-but-realistic news archives for benchmarking newsdex.

Articles are rearranged from the REAL paragraphs of the shared corpora (BBC News
and Reuters-21578), which are read at run time and never copied into this
repository. Outlets, authors, dates and URLs are invented.

Usage:
    python3 scripts/make_archive.py --out DIR --size 100M [--seed 1] [--shared PATH]
    python3 scripts/make_archive.py --out DIR --mutate 0.01 [--seed 2] [--shared PATH]

Generation writes, by share of files, 91.5% `.txt` (header block), 8% `.md` (YAML
front matter) and 0.5% `.jsonl` batches of 50 articles (about a fifth of the articles), laid out as
`<outlet>/<yyyy>/<mm>/<dd>/<slug>-<n>.txt|md` and
`<outlet>/feeds/<yyyy>/batch-<n>.jsonl`. It stops once `--size` bytes of
article files have been written (K/M/G are powers of 1024). The output is fully
determined by the seed (and the corpora). `--out` must be absent or empty.

`--mutate FRACTION` rewrites that fraction of the files of an existing archive
in place, appending one paragraph (from another corpus article of the same
section) to each chosen file (to one line of a `.jsonl`); nothing is deleted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import time
import unicodedata
from pathlib import Path

# --------------------------------------------------------------------------- invented metadata

# (name, slug, UTC offset in minutes). All invented; none is a real outlet, and none
# reuses an outlet name from the newsdex sample corpus or tests.
OUTLETS = [
    ("The Northern Courier", "northern-courier", 0),
    ("Metro Ledger", "metro-ledger", -300),
    ("Harborview Gazette", "harborview-gazette", -480),
    ("The Ridgeway Times", "ridgeway-times", -360),
    ("Prairie Daily Star", "prairie-daily-star", -360),
    ("Coastline Herald", "coastline-herald", 600),
    ("Copperline Dispatch", "copperline-dispatch", -420),
    ("Riverbend Observer", "riverbend-observer", -300),
    ("Westbridge Post", "westbridge-post", 60),
    ("Eastfield Review", "eastfield-review", 120),
    ("The Bellmont Chronicle", "bellmont-chronicle", 60),
    ("Saltmarsh Wire Service", "saltmarsh-wire", 330),
]

AUTHORS = [
    "Amara Lindqvist", "Tobias Renwick", "Priyanka Desai", "Colm Ferriter", "Helena Vasquez",
    "Marcus Adeyemi", "Ingrid Solberg", "Rafael Mendonca", "Yuki Tanabe", "Nadia Karimi",
    "Owen Blackwood", "Leila Haddad", "Declan Morrow", "Sofia Marchetti", "Jonah Whitlock",
    "Chiara Benedetti", "Kwame Asante", "Elise Fournier", "Mateo Ruiz", "Hannah Okonkwo",
    "Felix Brandt", "Anika Sharma", "Gareth Pryce", "Mei-Lin Cho", "Tomasz Nowicki",
    "Ruth Abernathy", "Samir Belkacem", "Freya Halvorsen", "Dominic Ashby", "Lucia Ferreira",
    "Ethan Calloway", "Zainab Olawale", "Pieter van Doorn", "Grace Tamura", "Idris Mahmoud",
    "Bronwyn Ellery",
]

TITLE_SUFFIXES = [
    " - update", " (updated)", ": what we know", " - analysis", ": reaction",
    " - explainer", ", sources say", " - latest", ": live coverage", " - in pictures",
    " (corrected)", ": the key questions",
]

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
MON3 = [m[:3] for m in MONTHS]
DAY3 = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

DATE_FIRST = dt.date(2000, 1, 1).toordinal()
DATE_LAST = dt.date(2024, 12, 31).toordinal()

# Reuters TOPICS codes grouped into sections (first code wins; none -> "wire").
REUTERS_BUSINESS = {"earn", "acq", "ship"}
REUTERS_MARKETS = {
    "money-fx", "interest", "money-supply", "reserves", "bop", "trade", "cpi", "wpi", "gnp",
    "ipi", "jobs", "income", "inventories", "instal-debt", "housing", "retail", "lei", "cpu",
    "dlr", "yen", "dmk", "stg", "nkr", "dkr", "sfr", "ffr", "bfr", "dfl", "lit", "hk", "rand",
    "peseta", "escudo", "drachma", "cruzado", "mexpeso", "austdlr", "nzdlr", "can", "singdlr",
    "ringgit", "rupiah", "saudriyal", "skr", "austral",
}
# Paragraphs shorter than this, or with fewer words of letters, are left out of the pools
# (Reuters earnings tables, "Shr 20 cts vs 15 cts" rows, stubs).
MIN_PARAGRAPH = 40
MIN_WORDS = 6
_RE_WORD = re.compile(r"[A-Za-z]{2,}")

JSONL_BATCH = 50


# --------------------------------------------------------------------------- corpus loading

class Corpus:
    """Per-topic lists of (title, paragraphs) source articles and flat paragraph pools."""

    def __init__(self) -> None:
        self.articles: dict[str, list[tuple[str, list[str]]]] = {}
        self.pools: dict[str, list[str]] = {}

    def add(self, topic: str, title: str, paragraphs: list[str]) -> None:
        paragraphs = [p for p in paragraphs
                      if len(p) >= MIN_PARAGRAPH
                      and (len(p) >= 200 or len(_RE_WORD.findall(p)) >= MIN_WORDS)]
        if not paragraphs:
            return
        self.pools.setdefault(topic, []).extend(paragraphs)
        if title:
            self.articles.setdefault(topic, []).append((title, paragraphs))

    def topics(self) -> list[str]:
        return sorted(t for t in self.articles if self.pools.get(t))


def _squash(s: str) -> str:
    return " ".join(s.split())


def load_bbc(root: Path, corpus: Corpus) -> int:
    n = 0
    for cat in sorted(p for p in root.iterdir() if p.is_dir()):
        for f in sorted(cat.glob("*.txt")):
            raw = f.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
            text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
            if not text:
                continue
            title, _, rest = text.partition("\n")
            paras = [_squash(p) for p in re.split(r"\n\s*\n", rest)]
            corpus.add(cat.name, _squash(title), [p for p in paras if p])
            n += 1
    return n


_RE_STORY = re.compile(r"<REUTERS[^>]*>(.*?)</REUTERS>", re.S)
_RE_TOPICS = re.compile(r"<TOPICS>(.*?)</TOPICS>", re.S)
_RE_D = re.compile(r"<D>(.*?)</D>", re.S)
_RE_TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
_RE_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_RE_NUMREF = re.compile(r"&#\d+;")


def _sgml_text(s: str) -> str:
    s = _RE_NUMREF.sub("", s)
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def reuters_topic(code: str | None) -> str:
    if not code:
        return "wire"
    if code in REUTERS_BUSINESS:
        return "business"
    if code in REUTERS_MARKETS:
        return "markets"
    return "commodities"


def load_reuters(root: Path, corpus: Corpus) -> int:
    n = 0
    for f in sorted(root.glob("reut2-*.sgm")):
        data = f.read_text(encoding="latin-1")
        for m in _RE_STORY.finditer(data):
            story = m.group(1)
            body = _RE_BODY.search(story)
            if not body:
                continue
            tm = _RE_TOPICS.search(story)
            dm = _RE_D.search(tm.group(1)) if tm else None
            topic = reuters_topic(dm.group(1).strip() if dm else None)
            tt = _RE_TITLE.search(story)
            title = _squash(_sgml_text(tt.group(1))) if tt else ""
            lines = _sgml_text(body.group(1)).replace("\r", "").split("\n")
            while lines and lines[-1].strip().lower() in ("", "reuter", "reuters"):
                lines.pop()
            paras: list[str] = []
            cur: list[str] = []
            for line in lines:
                if not line.strip() or line[:1] in (" ", "\t"):
                    if cur:
                        paras.append(_squash(" ".join(cur)))
                        cur = []
                    if not line.strip():
                        continue
                cur.append(line)
            if cur:
                paras.append(_squash(" ".join(cur)))
            corpus.add(topic, title, paras)
            n += 1
    return n


def load_corpus(shared: Path) -> Corpus:
    base = shared / "corpora"
    bbc, reu = base / "bbc", base / "reuters21578"
    if not bbc.is_dir() or not reu.is_dir():
        sys.exit(f"make_archive: corpora not found under {base} (use --shared PATH)")
    corpus = Corpus()
    load_bbc(bbc, corpus)
    load_reuters(reu, corpus)
    if not corpus.topics():
        sys.exit(f"make_archive: no usable articles under {base}")
    return corpus


# --------------------------------------------------------------------------- helpers

_slug_cache: dict[str, str] = {}
_RE_NONWORD = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    s = _slug_cache.get(title)
    if s is None:
        ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
        words = [w for w in _RE_NONWORD.split(ascii_.lower()) if w][:6]
        s = "-".join(words) or "story"
        _slug_cache[title] = s
    return s


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kmgt]?)(i?b)?\s*", text, re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (e.g. 500K, 100M, 1G)")
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    n = int(float(m.group(1)) * mult)
    if n <= 0:
        raise argparse.ArgumentTypeError("size must be positive")
    return n


def tzstr(off: int, colon: bool) -> str:
    sign = "+" if off >= 0 else "-"
    h, mi = divmod(abs(off), 60)
    return f"{sign}{h:02d}:{mi:02d}" if colon else f"{sign}{h:02d}{mi:02d}"


class Stamp:
    """A local publication time: calendar date, seconds since midnight, outlet offset."""

    __slots__ = ("d", "secs", "off")

    def __init__(self, d: dt.date, secs: int, off: int) -> None:
        self.d, self.secs, self.off = d, secs, off

    def hms(self) -> str:
        h, r = divmod(self.secs, 3600)
        return f"{h:02d}:{r // 60:02d}:{r % 60:02d}"

    def iso(self) -> str:
        d = self.d
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{self.hms()}{tzstr(self.off, True)}"

    def txt_variant(self, k: int) -> str:
        d = self.d
        if k == 0:
            return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
        if k == 1:
            return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
        if k == 2:
            return (f"{DAY3[d.weekday()]}, {d.day:02d} {MON3[d.month - 1]} {d.year} "
                    f"{self.hms()} {tzstr(self.off, False)}")
        if k == 3:
            return self.iso()
        return f"{d.year:04d}/{d.month:02d}/{d.day:02d}"


# --------------------------------------------------------------------------- generation

class Generator:
    def __init__(self, corpus: Corpus, seed: int) -> None:
        self.rng = random.Random(seed)
        self.corpus = corpus
        self.topics = corpus.topics()
        self.n = 0

    def stamp(self, outlet_off: int, first: int = DATE_FIRST, last: int = DATE_LAST) -> Stamp:
        rng = self.rng
        d = dt.date.fromordinal(rng.randint(first, last))
        secs = rng.randrange(5 * 3600, 23 * 3600) // 60 * 60
        return Stamp(d, secs, outlet_off)

    def article(self) -> tuple[str, str, str, list[str], list[str]]:
        """(topic, title, slug, paragraphs, authors); the slug ignores any title suffix."""
        rng = self.rng
        topic = rng.choice(self.topics)
        title, src_paras = rng.choice(self.corpus.articles[topic])
        slug = slugify(title)
        if rng.random() < 0.4:
            title += rng.choice(TITLE_SUFFIXES)
        pool = self.corpus.pools[topic]
        k = rng.randint(4, 12)
        paras = [src_paras[0]] + [rng.choice(pool) for _ in range(k - 1)]
        authors = rng.sample(AUTHORS, 1 if rng.random() < 0.7 else 2)
        return topic, title, slug, paras, authors

    def next_n(self) -> int:
        self.n += 1
        return self.n

    def doc(self, md: bool) -> tuple[str, str, bytes]:
        rng = self.rng
        name, oslug, off = OUTLETS[rng.randrange(len(OUTLETS))]
        topic, title, slug, paras, authors = self.article()
        st = self.stamp(off)
        d = st.d
        slug = f"{slug}-{self.next_n()}"
        ymd = f"{d.year:04d}/{d.month:02d}/{d.day:02d}"
        url = f"https://{oslug}.example/{ymd}/{slug}"
        body = "\n\n".join(paras)
        if md:
            alist = "".join(f"  - {a}\n" for a in authors)
            text = (f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
                    f"date: {st.iso()}\nsource: {name}\nauthors:\n{alist}"
                    f"section: {topic}\nurl: {url}\n---\n\n{body}\n")
            return f"{oslug}/{ymd}", f"{slug}.md", text.encode("utf-8")
        text = (f"Title: {title}\nDate: {st.txt_variant(rng.randrange(5))}\n"
                f"Source: {name}\nAuthor: {' and '.join(authors)}\n"
                f"Section: {topic}\nURL: {url}\n\n{body}\n")
        return f"{oslug}/{ymd}", f"{slug}.txt", text.encode("utf-8")

    def batch(self) -> tuple[str, str, bytes]:
        rng = self.rng
        name, oslug, off = OUTLETS[rng.randrange(len(OUTLETS))]
        year = rng.randint(2000, 2024)
        first = dt.date(year, 1, 1).toordinal()
        last = dt.date(year, 12, 31).toordinal()
        items = []
        for _ in range(JSONL_BATCH):
            topic, title, slug, paras, authors = self.article()
            st = self.stamp(off, first, last)
            items.append((st.d.toordinal(), st.secs, topic, title, slug, paras, authors, st))
        items.sort(key=lambda t: (t[0], t[1]))
        lines = []
        for _o, _s, topic, title, slug, paras, authors, st in items:
            d = st.d
            slug = f"{slug}-{self.next_n()}"
            url = f"https://{oslug}.example/{d.year:04d}/{d.month:02d}/{d.day:02d}/{slug}"
            lines.append(json.dumps({
                "title": title, "text": "\n\n".join(paras), "published": st.iso(),
                "authors": authors, "source": name, "url": url, "section": topic,
            }, ensure_ascii=False))
        n = self.next_n()
        return f"{oslug}/feeds/{year:04d}", f"batch-{n}.jsonl", ("\n".join(lines) + "\n").encode("utf-8")


def generate(out: Path, size: int, seed: int, shared: Path) -> None:
    t0 = time.perf_counter()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        sys.exit(f"make_archive: {out} exists and is not an empty directory; "
                 "remove it or pick another --out")
    corpus = load_corpus(shared)
    gen = Generator(corpus, seed)
    rng = gen.rng
    out.mkdir(parents=True, exist_ok=True)
    made: set[str] = set()
    written = files = articles = 0
    counts = {"txt": 0, "md": 0, "jsonl": 0}
    jsonl_guard = 300_000  # near the target, write no batch that could overshoot it much
    outs = str(out)
    while written < size:
        r = rng.random()
        if r < 0.915 or (r >= 0.995 and size - written < jsonl_guard):
            kind = "txt"
            rel, fname, data = gen.doc(False)
            articles += 1
        elif r < 0.995:
            kind = "md"
            rel, fname, data = gen.doc(True)
            articles += 1
        else:
            kind = "jsonl"
            rel, fname, data = gen.batch()
            articles += JSONL_BATCH
            jsonl_guard = max(jsonl_guard, 2 * len(data))
        d = f"{outs}/{rel}"
        if rel not in made:
            os.makedirs(d, exist_ok=True)
            made.add(rel)
        with open(f"{d}/{fname}", "wb") as fh:
            fh.write(data)
        written += len(data)
        files += 1
        counts[kind] += 1
    secs = time.perf_counter() - t0
    print(f"make_archive: {files} files ({counts['txt']} txt, {counts['md']} md, "
          f"{counts['jsonl']} jsonl), {articles} articles, {written} bytes, {secs:.1f} s "
          f"({written / (1 << 20) / max(secs, 1e-9):.1f} MiB/s) -> {out}")


# --------------------------------------------------------------------------- mutation

_RE_TXT_SECTION = re.compile(r"^Section:[ \t]*(.+)$", re.M)
_RE_MD_SECTION = re.compile(r"^section:[ \t]*(.+)$", re.M)


def mutate(out: Path, fraction: float, seed: int, shared: Path) -> None:
    t0 = time.perf_counter()
    if not out.is_dir():
        sys.exit(f"make_archive: {out} is not a directory")
    if not 0 <= fraction <= 1:
        sys.exit("make_archive: --mutate takes a fraction between 0 and 1")
    paths: list[str] = []
    for root, dirs, names in os.walk(out):
        dirs.sort()
        for nm in sorted(names):
            if nm.endswith((".txt", ".md", ".jsonl")):
                paths.append(os.path.join(root, nm))
    k = round(fraction * len(paths))
    if fraction > 0 and paths:
        k = max(k, 1)
    corpus = load_corpus(shared)
    rng = random.Random(seed)
    chosen = rng.sample(paths, k)
    all_pool = [p for t in sorted(corpus.pools) for p in corpus.pools[t]]
    added = 0

    def pick(topic: str | None, existing: str) -> str:
        pool = corpus.pools.get(topic or "", all_pool)
        for _ in range(20):
            p = rng.choice(pool)
            if p not in existing:
                return p
        return p

    for path in chosen:
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8")
        if path.endswith(".jsonl"):
            lines = [ln for ln in text.split("\n") if ln.strip()]
            i = rng.randrange(len(lines))
            obj = json.loads(lines[i])
            obj["text"] = obj.get("text", "").rstrip() + "\n\n" + pick(obj.get("section"), obj.get("text", ""))
            lines[i] = json.dumps(obj, ensure_ascii=False)
            new = "\n".join(lines) + "\n"
        else:
            m = (_RE_MD_SECTION if path.endswith(".md") else _RE_TXT_SECTION).search(text)
            sec = m.group(1).strip() if m else None
            new = text.rstrip() + "\n\n" + pick(sec, text) + "\n"
        data = new.encode("utf-8")
        added += len(data) - len(text.encode("utf-8"))
        with open(path, "wb") as fh:
            fh.write(data)
    secs = time.perf_counter() - t0
    print(f"make_archive: mutated {len(chosen)} of {len(paths)} files "
          f"(+{added} bytes), {secs:.1f} s -> {out}")


# --------------------------------------------------------------------------- CLI

def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description="Generate (or mutate) a synthetic news archive from the shared corpora.",
        usage="%(prog)s --out DIR (--size SIZE | --mutate FRACTION) [--seed N] [--shared PATH]")
    ap.add_argument("--out", required=True, type=Path, help="archive directory")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--size", type=parse_size, help="bytes of article files to write (K/M/G suffixes)")
    mode.add_argument("--mutate", type=float, metavar="FRACTION",
                      help="rewrite this fraction of an existing archive's files in place")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared",
                    help="folder holding corpora/bbc and corpora/reuters21578 "
                         "(default: the `shared` folder beside the repository)")
    a = ap.parse_args(argv)
    if a.size is not None:
        generate(a.out, a.size, a.seed, a.shared)
    else:
        mutate(a.out, a.mutate, a.seed, a.shared)


if __name__ == "__main__":
    main()
