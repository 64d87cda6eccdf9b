//! Counting matches by day or by a keyword field without scoring: the collector behind
//! `count` and `stats` in the local engine.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::clusters::ClusterView;

/// What to count matches by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TallyBy {
    /// The local publication day (days since 1970-01-01); undated articles count apart.
    Day,
    /// Each value of a keyword fast field (`source`, `section`, `authors`, `format`, `language`).
    Keyword(&'static str),
}

/// Counts per key: a day number (days since 1970) for time bucketing, a keyword otherwise.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub days: BTreeMap<i64, u64>,
    pub keywords: BTreeMap<String, u64>,
    pub undated: u64,
    /// Articles with no value for the keyword field counted (no outlet, section or author).
    pub missing: u64,
    /// With stories counted (a collapsed request): how many distinct stories matched.
    pub stories: Option<u64>,
}

pub(crate) struct TallyCollector {
    pub(crate) by: TallyBy,
    /// Count stories, not articles: each cluster of copies once (on the day of its earliest
    /// matching member; once per outlet, section or author it appears under).
    pub(crate) stories: Option<Arc<ClusterView>>,
}

pub(crate) struct SegmentTally {
    by_day: bool,
    days: Option<Column<i64>>,
    words: Option<StrColumn>,
    per_ord: Vec<u64>,
    tally: Tally,
    stories: Option<(Arc<ClusterView>, Column<u64>)>,
    /// Clustered matches: cluster -> earliest day (`None`: undated).
    cluster_days: HashMap<u32, Option<i64>>,
    /// Clustered matches: (cluster, keyword ordinal).
    cluster_ords: HashSet<(u32, u64)>,
    /// Clusters with a matching member that has no value for the keyword field.
    cluster_missing: HashSet<u32>,
    alone: u64,
}

/// What one segment saw, before stories are merged across segments.
#[derive(Default)]
pub struct TallyPart {
    pub(crate) tally: Tally,
    cluster_days: HashMap<u32, Option<i64>>,
    cluster_words: HashSet<(u32, String)>,
    cluster_missing: HashSet<u32>,
    alone: u64,
}

impl Collector for TallyCollector {
    type Fruit = TallyPart;
    type Child = SegmentTally;

    fn for_segment(&self, _: SegmentOrdinal, seg: &SegmentReader) -> tantivy::Result<SegmentTally> {
        let days = match (self.by, &self.stories) {
            (TallyBy::Day, _) | (_, Some(_)) => Some(seg.fast_fields().i64("day")?),
            _ => None,
        };
        let words = match self.by {
            TallyBy::Day => None,
            TallyBy::Keyword(field) => seg.fast_fields().str(field)?,
        };
        let stories = match &self.stories {
            Some(v) => Some((v.clone(), seg.fast_fields().u64("article_key")?)),
            None => None,
        };
        let per_ord = vec![0; words.as_ref().map_or(0, |w| w.num_terms())];
        Ok(SegmentTally {
            by_day: self.by == TallyBy::Day,
            days,
            words,
            per_ord,
            tally: Tally::default(),
            stories,
            cluster_days: HashMap::new(),
            cluster_ords: HashSet::new(),
            cluster_missing: HashSet::new(),
            alone: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<TallyPart>) -> tantivy::Result<TallyPart> {
        let mut out = Tally::default();
        let mut days: HashMap<u32, Option<i64>> = HashMap::new();
        let mut words: HashSet<(u32, String)> = HashSet::new();
        let mut missing: HashSet<u32> = HashSet::new();
        let mut alone = 0;
        for part in fruits {
            let f = part.tally;
            for (k, v) in f.days {
                *out.days.entry(k).or_default() += v;
            }
            for (k, v) in f.keywords {
                *out.keywords.entry(k).or_default() += v;
            }
            out.undated += f.undated;
            out.missing += f.missing;
            alone += part.alone;
            for (c, d) in part.cluster_days {
                let e = days.entry(c).or_insert(d);
                *e = earliest(*e, d);
            }
            words.extend(part.cluster_words);
            missing.extend(part.cluster_missing);
        }
        if self.stories.is_some() {
            out.stories = Some(alone + days.len() as u64);
            if self.by == TallyBy::Day {
                for d in days.into_values() {
                    match d {
                        Some(d) => *out.days.entry(d).or_default() += 1,
                        None => out.undated += 1,
                    }
                }
            }
            for (_, w) in words {
                *out.keywords.entry(w).or_default() += 1;
            }
            out.missing += missing.len() as u64;
        }
        Ok(TallyPart {
            tally: out,
            ..Default::default()
        })
    }
}

/// The earlier of two days, a known day before an unknown one.
fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl SegmentCollector for SegmentTally {
    type Fruit = TallyPart;

    fn collect(&mut self, doc: DocId, _: Score) {
        // A member of a cluster of copies is counted once per story, when the parts merge.
        if let Some((view, keys)) = &self.stories {
            if let Some((c, _)) = view.cluster_of(keys.first(doc).unwrap_or(0)) {
                let day = self.days.as_ref().and_then(|d| d.first(doc));
                let e = self.cluster_days.entry(c).or_insert(day);
                *e = earliest(*e, day);
                if !self.by_day {
                    let mut any = false;
                    for ord in self.words.iter().flat_map(|w| w.term_ords(doc)) {
                        self.cluster_ords.insert((c, ord));
                        any = true;
                    }
                    if !any {
                        self.cluster_missing.insert(c);
                    }
                }
                return;
            }
            self.alone += 1;
        }
        if self.by_day {
            match self.days.as_ref().and_then(|d| d.first(doc)) {
                Some(d) => *self.tally.days.entry(d).or_default() += 1,
                None => self.tally.undated += 1,
            }
        } else if let Some(words) = &self.words {
            let mut any = false;
            for ord in words.term_ords(doc) {
                self.per_ord[ord as usize] += 1;
                any = true;
            }
            if !any {
                self.tally.missing += 1;
            }
        }
    }

    fn harvest(mut self) -> TallyPart {
        let mut cluster_words = HashSet::new();
        if let Some(words) = &self.words {
            let mut buf = String::new();
            for (ord, n) in self.per_ord.iter().enumerate().filter(|(_, n)| **n > 0) {
                if words.ord_to_str(ord as u64, &mut buf).unwrap_or(false) {
                    *self.tally.keywords.entry(buf.clone()).or_default() += n;
                }
            }
            for (c, ord) in self.cluster_ords {
                if words.ord_to_str(ord, &mut buf).unwrap_or(false) {
                    cluster_words.insert((c, buf.clone()));
                }
            }
        }
        TallyPart {
            tally: self.tally,
            cluster_days: self.cluster_days,
            cluster_words,
            cluster_missing: self.cluster_missing,
            alone: self.alone,
        }
    }
}
