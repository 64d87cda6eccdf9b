//! Wire copies: which articles are the same story (exact and near copies), as clusters.
//!
//! **At index time** every article gets three fast fields (see [`crate::index::schema`]):
//! `article_key` (its id as a number), `exact_hash` (a hash of its normalised headline and body:
//! byte-identical or re-spaced copies share it) and `minhash`: a one-permutation MinHash
//! signature of the set of 5-word shingles of its normalised body, [`HASHES`] 16-bit minima packed
//! as [`BANDS`] band values of [`ROWS`] minima each (the band number in the top 16 bits). A
//! document never changes after it is added, so these fields describe the article alone, never
//! its cluster.
//!
//! **Clusters** are computed from those fields over the whole committed index by [`ClusterView::compute`]:
//! articles with the same `exact_hash` are joined; articles that share any band value (locality
//! sensitive hashing) are compared, and joined when the share of equal minima (an estimate of the
//! Jaccard similarity of their shingle sets) reaches the threshold. Components are found with a
//! union-find whose root is always the *earliest* member (by publication time, then id), so the
//! clusters depend only on the articles in the index, never on file order or thread count. A
//! cluster's id is the id of its earliest member; `copies` is its size; `first_seen` the earliest
//! publication time.
//!
//! The result, only for clusters of two or more articles (an article not in it is alone), is saved
//! beside the index as `newsdex-clusters.bin`, tagged with the opstamp of the commit it describes;
//! the writer rewrites it at the end of each run, so a new article joins its cluster, a deleted one
//! leaves it and a changed file's articles are placed again. An engine that finds the file stale
//! (a crash between commit and save) computes the view in memory from the fast fields instead.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use tantivy::columnar::Column;
use tantivy::{DateTime, Index, Searcher};

use crate::error::{Error, Result};
use crate::ingest::article::Article;
use crate::ingest::words::each_run;

/// Number of MinHash minima per article.
pub const HASHES: usize = 48;
/// Minima per LSH band.
pub const ROWS: usize = 3;
/// LSH bands (`HASHES / ROWS`): two articles are compared when any band is equal.
pub const BANDS: usize = HASHES / ROWS;
/// Words per shingle.
pub const SHINGLE_WORDS: usize = 5;
/// Bodies with fewer shingles than this are matched only as exact copies: a few words say too
/// little to call two articles the same story.
pub const MIN_SHINGLES: usize = 8;
/// Default near-copy threshold: the estimated Jaccard similarity of two bodies' 5-word-shingle
/// sets at or above which they are one story (`newsdex index --near-copy-threshold`).
pub const DEFAULT_THRESHOLD: f32 = 0.6;
/// At most this many articles of one LSH bucket are compared with each newcomer: caps the cost
/// of buckets that boilerplate makes large.
const LEADERS: usize = 8;

const VIEW_FILE: &str = "newsdex-clusters.bin";
const MAGIC: &[u8; 8] = b"NDXCLUS1";

/// The clustering signature of one article, as stored in its document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Hash of the normalised headline and body.
    pub exact: u64,
    /// `BANDS` band values (band number in the top 16 bits), or empty when the body is too short
    /// for near-copy matching.
    pub bands: Vec<u64>,
}

/// Calls `f` with each word of `text` (letters and digits only) lower-cased (for measurements
/// and tests; signatures append the words in place, [`append_words`]).
fn each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut buf = Vec::new();
    append_words(text, &mut buf, |w| {
        f(std::str::from_utf8(w).unwrap_or_default())
    });
}

/// Appends each word of `text` (letters and digits only) to `out`, lower-cased and followed by a
/// space, and hands `f` the word's bytes as appended (one copy per word: this runs over every
/// body indexed).
fn append_words(text: &str, out: &mut Vec<u8>, mut f: impl FnMut(&[u8])) {
    each_run(text, |start, end, ascii| {
        let from = out.len();
        if ascii {
            out.extend(
                text.as_bytes()[start..end]
                    .iter()
                    .map(u8::to_ascii_lowercase),
            );
        } else {
            out.extend_from_slice(text[start..end].to_lowercase().as_bytes());
        }
        f(&out[from..]);
        out.push(b' ');
    });
}

fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Seed of the shingle hash that picks a shingle's bin and its value (fixed: signatures must
/// not change between runs of one schema version).
const OPH_SEED: u64 = 0x6e65_7773_6465_7800;

/// One-permutation MinHash (Li, Owen & Zhang 2012) with optimal densification (Shrivastava 2017):
/// each shingle is hashed once, its hash's top bits choose one of [`HASHES`] bins and the bin
/// keeps the smallest value; an empty bin (a short body) takes the minimum of the first bin a
/// fixed pseudo-random walk from it reaches that is not empty, so two bodies fill it alike
/// exactly as often as their filled bins agree. The share of equal bins estimates the Jaccard
/// similarity as [`HASHES`] independent hash functions did, for one hash per shingle instead of
/// [`HASHES`] (the signature was 14% of indexing).
fn one_permutation_minima(shingles: &[u64]) -> [u64; HASHES] {
    let mut mins = [u64::MAX; HASHES];
    for &s in shingles {
        let h = mix(s ^ OPH_SEED);
        let bin = ((u128::from(h) * HASHES as u128) >> 64) as usize;
        // The bits that chose the bin say nothing within it: the value is a second mix.
        let v = mix(h);
        if v < mins[bin] {
            mins[bin] = v;
        }
    }
    let filled = mins;
    for (i, m) in mins.iter_mut().enumerate() {
        if *m != u64::MAX {
            continue;
        }
        // Bins to try for empty bin i: a sequence seeded by i alone, so every body walks the
        // same way from it. At least one bin is filled (a signature needs MIN_SHINGLES).
        let mut state = mix(OPH_SEED ^ (i as u64 + 1));
        for _ in 0..64 * HASHES {
            state = mix(state);
            let j = ((u128::from(state) * HASHES as u128) >> 64) as usize;
            if filled[j] != u64::MAX {
                *m = filled[j];
                break;
            }
        }
    }
    mins
}

/// The signature of an article.
pub fn signature(a: &Article) -> Signature {
    // The exact hash is of the title's words and then the body's, each followed by a space, with
    // a line break between: gathered in one buffer and hashed once (the same XXH3 value as
    // feeding the hasher word by word, for a fraction of the calls).
    let mut words = Vec::with_capacity(a.title.len() + a.body.len() + 2);
    append_words(&a.title, &mut words, |_| {});
    words.push(b'\n');
    // About one word per six bytes of English prose.
    let mut word_hashes: Vec<u64> = Vec::with_capacity(a.body.len() / 6);
    append_words(&a.body, &mut words, |w| {
        word_hashes.push(xxhash_rust::xxh3::xxh3_64(w));
    });
    let exact = xxhash_rust::xxh3::xxh3_64(&words);
    let shingles = word_hashes.len().saturating_sub(SHINGLE_WORDS - 1);
    if shingles < MIN_SHINGLES {
        return Signature {
            exact,
            bands: Vec::new(),
        };
    }
    let shingle_hashes: Vec<u64> = word_hashes
        .windows(SHINGLE_WORDS)
        .map(|win| win.iter().fold(0u64, |s, &w| mix(s.rotate_left(17) ^ w)))
        .collect();
    Signature {
        exact,
        bands: bands(&one_permutation_minima(&shingle_hashes)),
    }
}

/// The band values of a body's minima.
fn bands(mins: &[u64; HASHES]) -> Vec<u64> {
    // Keep 16 bits of each minimum, from below the leading bits that are zero in a minimum.
    let small: Vec<u64> = mins.iter().map(|m| (m >> 24) & 0xffff).collect();
    small
        .chunks(ROWS)
        .enumerate()
        .map(|(b, rows)| pack(rows, b))
        .collect()
}

fn pack(rows: &[u64], band: usize) -> u64 {
    let mut v = (band as u64) << 48;
    for (i, r) in rows.iter().enumerate() {
        v |= r << (16 * (ROWS - 1 - i));
    }
    v
}

/// The share of equal minima of two band lists (an estimate of the Jaccard similarity).
pub fn similarity(a: &[u64], b: &[u64]) -> f32 {
    if a.len() != BANDS || b.len() != BANDS {
        return 0.0;
    }
    let mut by_band_a = [0u64; BANDS];
    let mut by_band_b = [0u64; BANDS];
    for &v in a {
        by_band_a[((v >> 48) as usize).min(BANDS - 1)] = v;
    }
    for &v in b {
        by_band_b[((v >> 48) as usize).min(BANDS - 1)] = v;
    }
    let mut equal = 0;
    for (x, y) in by_band_a.iter().zip(&by_band_b) {
        for r in 0..ROWS {
            let shift = 16 * r;
            if (x >> shift) & 0xffff == (y >> shift) & 0xffff {
                equal += 1;
            }
        }
    }
    equal as f32 / HASHES as f32
}

/// One cluster of two or more articles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClusterInfo {
    /// `article_key` of the earliest member: the cluster's id.
    pub id: u64,
    /// Number of articles in the cluster.
    pub copies: u32,
    /// Earliest publication time (Unix seconds) of any member; `None` when none is dated.
    pub first_seen: Option<i64>,
}

/// Which cluster every article belongs to, for one commit of an index.
#[derive(Clone, Debug, Default)]
pub struct ClusterView {
    /// The commit this view describes.
    pub opstamp: u64,
    /// The near-copy threshold it was computed with.
    pub threshold: f32,
    /// `(article_key, cluster)` for members of clusters of two or more, sorted by key.
    members: Vec<(u64, u32)>,
    clusters: Vec<ClusterInfo>,
}

/// The fast fields [`ClusterView::compute`] reads, per segment.
struct Seg {
    keys: Column<u64>,
    exact: Column<u64>,
    bands: Column<u64>,
    published: Column<DateTime>,
}

/// Every live article in time order, with the columns to read its hashes from.
struct Articles {
    segs: Vec<Seg>,
    /// (published, key, segment, doc), sorted: the position is the article's rank in time, and
    /// the number the union-find knows it by.
    order: Vec<(i64, u64, u32, u32)>,
}

impl Articles {
    fn read(searcher: &Searcher) -> Result<Articles> {
        let mut segs = Vec::new();
        let mut order: Vec<(i64, u64, u32, u32)> = Vec::new();
        for (s, reader) in searcher.segment_readers().iter().enumerate() {
            let ff = reader.fast_fields();
            let seg = Seg {
                keys: ff.u64("article_key")?,
                exact: ff.u64("exact_hash")?,
                bands: ff.u64("minhash")?,
                published: ff.date("published")?,
            };
            for doc in reader.doc_ids_alive() {
                let published = seg
                    .published
                    .first(doc)
                    .map_or(i64::MAX, |d| d.into_timestamp_secs());
                let key = seg.keys.first(doc).unwrap_or(0);
                order.push((published, key, s as u32, doc));
            }
            segs.push(seg);
        }
        order.sort_unstable();
        Ok(Articles { segs, order })
    }

    /// Articles with the same normalised headline and body are one story.
    fn join_exact_copies(&self, uf: &mut UnionFind) {
        let mut exact: Vec<(u64, u32)> = self
            .order
            .iter()
            .enumerate()
            .filter_map(|(i, &(_, _, s, d))| {
                self.segs[s as usize].exact.first(d).map(|h| (h, i as u32))
            })
            .collect();
        exact.sort_unstable();
        for w in exact.windows(2) {
            if w[0].0 == w[1].0 {
                uf.union(w[0].1, w[1].1);
            }
        }
    }

    /// Near copies: one band at a time, so memory holds one (value, article) list.
    fn join_near_copies(&self, uf: &mut UnionFind, threshold: f32) {
        let mut bucket: Vec<(u64, u32)> = Vec::with_capacity(self.order.len());
        let mut bufs = (Vec::new(), Vec::new());
        for band in 0..BANDS as u64 {
            bucket.clear();
            for (i, &(_, _, s, d)) in self.order.iter().enumerate() {
                if let Some(v) = self.segs[s as usize]
                    .bands
                    .values_for_doc(d)
                    .find(|v| v >> 48 == band)
                {
                    bucket.push((v, i as u32));
                }
            }
            bucket.sort_unstable();
            for same in bucket.chunk_by(|a, b| a.0 == b.0).filter(|b| b.len() > 1) {
                self.join_bucket(uf, same, threshold, &mut bufs);
            }
        }
    }

    /// Articles that share one band value: each joins the first of up to [`LEADERS`] earlier
    /// ones whose estimated similarity reaches `threshold` (or that it is already joined to).
    fn join_bucket(
        &self,
        uf: &mut UnionFind,
        same: &[(u64, u32)],
        threshold: f32,
        (ba, bb): &mut (Vec<u64>, Vec<u64>),
    ) {
        let mut leaders: Vec<u32> = Vec::with_capacity(LEADERS);
        for &(_, i) in same {
            let mut joined = false;
            self.bands_of(i, ba);
            for &l in &leaders {
                if uf.find(l) == uf.find(i) {
                    joined = true;
                    break;
                }
                self.bands_of(l, bb);
                if similarity(ba, bb) >= threshold {
                    uf.union(l, i);
                    joined = true;
                    break;
                }
            }
            if !joined && leaders.len() < LEADERS {
                leaders.push(i);
            }
        }
    }

    fn bands_of(&self, i: u32, buf: &mut Vec<u64>) {
        let (_, _, s, d) = self.order[i as usize];
        buf.clear();
        buf.extend(self.segs[s as usize].bands.values_for_doc(d));
    }

    /// Clusters of two or more, rooted at their earliest member: the (article key, cluster)
    /// pairs sorted by key, and the clusters.
    fn clusters(&self, uf: &mut UnionFind) -> (Vec<(u64, u32)>, Vec<ClusterInfo>) {
        let n = self.order.len();
        let mut size = vec![0u32; n];
        for i in 0..n as u32 {
            size[uf.find(i) as usize] += 1;
        }
        let mut cluster_of_root: HashMap<u32, u32> = HashMap::new();
        let mut clusters = Vec::new();
        let mut members = Vec::new();
        for i in 0..n as u32 {
            let root = uf.find(i);
            if size[root as usize] < 2 {
                continue;
            }
            let c = *cluster_of_root.entry(root).or_insert_with(|| {
                let (published, key, _, _) = self.order[root as usize];
                clusters.push(ClusterInfo {
                    id: key,
                    copies: size[root as usize],
                    first_seen: (published != i64::MAX).then_some(published),
                });
                (clusters.len() - 1) as u32
            });
            members.push((self.order[i as usize].1, c));
        }
        members.sort_unstable();
        (members, clusters)
    }
}

impl ClusterView {
    /// The cluster of the article with `key`, when it has copies (`None`: it is alone).
    /// The story an article belongs to: its cluster's id, or its own key when it has no copies.
    pub fn story_of(&self, key: u64) -> u64 {
        self.cluster_of(key).map_or(key, |(_, c)| c.id)
    }

    pub fn cluster_of(&self, key: u64) -> Option<(u32, &ClusterInfo)> {
        let i = self.members.binary_search_by_key(&key, |m| m.0).ok()?;
        let c = self.members[i].1;
        Some((c, &self.clusters[c as usize]))
    }

    /// Number of clusters with two or more articles.
    pub fn clusters(&self) -> &[ClusterInfo] {
        &self.clusters
    }

    /// Number of articles that have at least one copy.
    pub fn members(&self) -> usize {
        self.members.len()
    }

    /// Computes the clusters of every live article `searcher` sees: exact copies, then near
    /// copies band by band, then clusters of two or more rooted at their earliest member.
    pub fn compute(searcher: &Searcher, opstamp: u64, threshold: f32) -> Result<ClusterView> {
        let articles = Articles::read(searcher)?;
        let mut uf = UnionFind::new(articles.order.len());
        articles.join_exact_copies(&mut uf);
        articles.join_near_copies(&mut uf, threshold);
        let (members, clusters) = articles.clusters(&mut uf);
        Ok(ClusterView {
            opstamp,
            threshold,
            members,
            clusters,
        })
    }

    /// Writes the view beside the index (atomically).
    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(VIEW_FILE);
        let tmp = dir.join(format!("{VIEW_FILE}.tmp"));
        let write = || -> std::io::Result<()> {
            let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            f.write_all(MAGIC)?;
            f.write_all(&self.opstamp.to_le_bytes())?;
            f.write_all(&self.threshold.to_le_bytes())?;
            f.write_all(&(self.clusters.len() as u64).to_le_bytes())?;
            f.write_all(&(self.members.len() as u64).to_le_bytes())?;
            for c in &self.clusters {
                f.write_all(&c.id.to_le_bytes())?;
                f.write_all(&c.copies.to_le_bytes())?;
                f.write_all(&c.first_seen.unwrap_or(i64::MAX).to_le_bytes())?;
            }
            for (k, c) in &self.members {
                f.write_all(&k.to_le_bytes())?;
                f.write_all(&c.to_le_bytes())?;
            }
            f.flush()?;
            f.get_ref().sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| Error::io(&path, e))
    }

    /// The saved view, if there is one and it can be read (whatever commit it describes).
    pub fn load(dir: &Path) -> Option<ClusterView> {
        let bytes = std::fs::read(dir.join(VIEW_FILE)).ok()?;
        let mut r = Reader(&bytes);
        if r.take(8)? != MAGIC {
            return None;
        }
        let opstamp = r.u64()?;
        let threshold = f32::from_le_bytes(r.take(4)?.try_into().ok()?);
        let nc = usize::try_from(r.u64()?).ok()?;
        let nm = usize::try_from(r.u64()?).ok()?;
        if nc.checked_mul(20)?.checked_add(nm.checked_mul(12)?)? != r.0.len() {
            return None;
        }
        let mut clusters = Vec::with_capacity(nc);
        for _ in 0..nc {
            let id = r.u64()?;
            let copies = u32::from_le_bytes(r.take(4)?.try_into().ok()?);
            let first = r.u64()? as i64;
            clusters.push(ClusterInfo {
                id,
                copies,
                first_seen: (first != i64::MAX).then_some(first),
            });
        }
        let mut members = Vec::with_capacity(nm);
        for _ in 0..nm {
            let k = r.u64()?;
            let c = u32::from_le_bytes(r.take(4)?.try_into().ok()?);
            if c as usize >= nc {
                return None;
            }
            members.push((k, c));
        }
        if !members.windows(2).all(|w| w[0].0 < w[1].0) {
            return None;
        }
        Some(ClusterView {
            opstamp,
            threshold,
            members,
            clusters,
        })
    }

    /// The view of the commit `opstamp` that `searcher` reads: the saved one when it describes
    /// that commit and threshold, else computed now from the fast fields.
    pub fn current(
        opstamp: u64,
        searcher: &Searcher,
        dir: &Path,
        threshold: f32,
    ) -> Result<ClusterView> {
        if !dir.as_os_str().is_empty()
            && let Some(v) = Self::load(dir)
            && v.opstamp == opstamp
            && v.threshold == threshold
        {
            return Ok(v);
        }
        Self::compute(searcher, opstamp, threshold)
    }
}

/// Recomputes and saves the view for the index's last commit, unless the saved one already
/// describes it (the writer calls this at the end of every run).
pub fn refresh(index: &Index, dir: &Path, threshold: f32) -> Result<ClusterView> {
    let opstamp = index.load_metas()?.opstamp;
    if let Some(v) = ClusterView::load(dir)
        && v.opstamp == opstamp
        && v.threshold == threshold
    {
        return Ok(v);
    }
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let view = ClusterView::compute(&reader.searcher(), opstamp, threshold)?;
    view.save(dir)?;
    Ok(view)
}

struct Reader<'a>(&'a [u8]);
impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// Union-find whose root is always the smallest index (the earliest article).
struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }
    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}

/// 5-word-shingle Jaccard similarity of two bodies, computed exactly (for measurements and tests).
pub fn shingle_jaccard(a: &str, b: &str) -> f64 {
    let set = |t: &str| -> std::collections::HashSet<Vec<String>> {
        let mut w: Vec<String> = Vec::new();
        each_word(t, |word| w.push(word.to_string()));
        w.windows(SHINGLE_WORDS).map(|s| s.to_vec()).collect()
    };
    let (a, b) = (set(a), set(b));
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let inter = a.intersection(&b).count() as f64;
    inter / (a.len() as f64 + b.len() as f64 - inter)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of `text` as the first signatures read them: lower-cased, letters and digits.
    fn words(text: &str) -> impl Iterator<Item = String> + '_ {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
    }

    /// The share of equal bins estimates the Jaccard similarity of two shingle sets without
    /// bias, for short sets (most bins filled by densification) and long ones alike: the mean
    /// estimate over 300 random pairs is within 0.03 of the true similarity.
    #[test]
    fn one_permutation_minhash_estimates_the_jaccard_similarity() {
        let mut seed = 0u64;
        let mut set = |n: usize| -> Vec<u64> {
            (0..n)
                .map(|_| {
                    seed += 1;
                    mix(seed)
                })
                .collect()
        };
        for n in [12, 40, 300] {
            for jaccard in [0.0, 0.3, 0.6, 0.9, 1.0] {
                // |A| = |B| = n sharing k: J = k / (2n - k).
                let k = (2.0 * n as f64 * jaccard / (1.0 + jaccard)).round() as usize;
                let true_j = k as f64 / (2 * n - k) as f64;
                let trials = 300;
                let mut sum = 0.0;
                for _ in 0..trials {
                    let shared = set(k);
                    let mut a = shared.clone();
                    a.extend(set(n - k));
                    let mut b = shared;
                    b.extend(set(n - k));
                    let (ma, mb) = (one_permutation_minima(&a), one_permutation_minima(&b));
                    sum += f64::from(similarity(&bands(&ma), &bands(&mb)));
                }
                let mean = sum / trials as f64;
                assert!(
                    (mean - true_j).abs() < 0.03,
                    "{n} shingles, Jaccard {true_j:.3}: mean estimate {mean:.3}"
                );
            }
        }
    }

    #[test]
    fn each_word_gives_the_words() {
        let text = "Oil PRICES rose 3.5% -- İstanbul ΟΔΟΣ, Straße; Ǆemal's e\u{301}tude naïve 1987";
        let mut got = Vec::new();
        each_word(text, |w| got.push(w.to_string()));
        assert_eq!(got, words(text).collect::<Vec<_>>());
        assert_eq!(got[..3], ["oil", "prices", "rose"]);
        assert!(got.contains(&"οδος".to_string()), "{got:?}");
    }

    fn art(title: &str, body: &str) -> Article {
        Article {
            title: title.into(),
            body: body.into(),
            ..Default::default()
        }
    }

    const STORY: &str = "The harbour authority said on Tuesday that the new container terminal \
        would open in March, two months later than planned, after storms damaged the cranes. \
        Officials expect the delay to cost shippers about four million dollars. The port handled \
        a record number of containers last year, and the terminal was meant to ease congestion \
        that has left ships waiting offshore for days. Unions welcomed the decision to repair \
        rather than replace the cranes, which they said would protect jobs.";

    /// Signatures are stored in indexes, so within one schema version they may not change: an
    /// article indexed later would stop matching its copies indexed before. A change to the
    /// words, the shingle hash, the bins or the densification must bump `SCHEMA_VERSION` (which
    /// makes users rebuild) and then update these values.
    #[test]
    fn signatures_are_pinned_within_a_schema_version() {
        assert_eq!(crate::index::schema::SCHEMA_VERSION, 11);
        let long = signature(&art("Terminal delayed", STORY));
        // Twelve words: 8 shingles for 48 bins, most of them filled by densification.
        let short = signature(&art(
            "",
            "the harbour authority said on tuesday that the new container terminal would",
        ));
        let got = format!(
            "{:016x} {:x?}\n{:016x} {:x?}",
            long.exact, long.bands, short.exact, short.bands
        );
        assert_eq!(
            got,
            "1a3b1ae3db76a42a [4300815804a2, 1ef4014d359a0, 269a9a45a9ac3, 3a0918461438d, \
             4e9d301aba2dd, 5e9d30f33a091, 6f55a90444300, 7b3b86e5d8727, 8e9d31df1aaf1, \
             9a45a433cf55a, ae396aa6afac6, bd71b41971f38, cc52caf818158, d0f33eefe01ab, \
             efe2e4e9efc72, f63edeefe54bf]\n\
             bb53cb496202d182 [69a9846169a9, 169a91d011d01, 269a954bfe599, 369a98461e599, \
             469a9e5998461, 51d011d0154bf, 654bf54bf69a9, 7e5991df18461, 854bf1df1e599, \
             954bf54bf54bf, a54bf1df154bf, b69a91d011d01, ce5991df1e599, d1df11d01e599, \
             e69a9e5991d01, f846169a954bf]"
        );
    }

    /// The exact hash is stored in indexes: hashing the gathered words must give what feeding
    /// them to the hasher one by one gave, for short and long texts.
    #[test]
    fn the_exact_hash_is_the_streamed_hash_of_the_words() {
        for (title, body) in [("Terminal delayed", STORY), ("", ""), ("Ölpreis", "steigt")] {
            let a = art(title, body);
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            each_word(&a.title, |w| {
                h.update(w.as_bytes());
                h.update(b" ");
            });
            h.update(b"\n");
            each_word(&a.body, |w| {
                h.update(w.as_bytes());
                h.update(b" ");
            });
            assert_eq!(signature(&a).exact, h.digest(), "{title:?}");
        }
    }

    #[test]
    fn exact_copies_share_the_exact_hash() {
        let a = signature(&art("Terminal delayed", STORY));
        let b = signature(&art("Terminal  delayed", &STORY.replace(' ', "  ")));
        assert_eq!(a.exact, b.exact);
        assert_eq!(a.bands, b.bands);
        assert_eq!(a.bands.len(), BANDS);
        assert!(a.bands.iter().enumerate().all(|(i, v)| v >> 48 == i as u64));
    }

    #[test]
    fn near_copies_are_similar_and_other_stories_are_not() {
        let a = signature(&art("Terminal delayed", STORY));
        let dropped = STORY.replace(
            "Officials expect the delay to cost shippers about four million dollars. ",
            "",
        );
        let b = signature(&art("Port terminal opening pushed back", &dropped));
        assert_ne!(a.exact, b.exact);
        assert!(similarity(&a.bands, &b.bands) >= DEFAULT_THRESHOLD);
        let other = signature(&art(
            "Terminal delayed",
            "The city council voted on Tuesday to delay the opening of the new bus terminal \
             until the autumn, citing a shortage of drivers and the cost of electric buses. \
             Residents had asked for more evening services on the northern routes.",
        ));
        assert!(similarity(&a.bands, &other.bands) < 0.2);
    }

    #[test]
    fn short_bodies_match_only_exactly() {
        let s = signature(&art("Brief", "Markets closed higher."));
        assert!(s.bands.is_empty());
        assert_eq!(similarity(&s.bands, &s.bands), 0.0);
    }

    #[test]
    fn jaccard_of_known_sets() {
        assert_eq!(shingle_jaccard(STORY, STORY), 1.0);
        assert!(shingle_jaccard(STORY, "a b c d e f g") < 0.01);
    }
}
