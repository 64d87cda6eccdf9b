//! Counting matches by day or by a keyword field without scoring: the collector behind
//! `count` and `stats` in the local engine.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

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
}

pub(crate) struct TallyCollector {
    pub(crate) by: TallyBy,
}

pub(crate) struct SegmentTally {
    days: Option<Column<i64>>,
    words: Option<StrColumn>,
    per_ord: Vec<u64>,
    tally: Tally,
}

impl Collector for TallyCollector {
    type Fruit = Tally;
    type Child = SegmentTally;

    fn for_segment(&self, _: SegmentOrdinal, seg: &SegmentReader) -> tantivy::Result<SegmentTally> {
        let (days, words) = match self.by {
            TallyBy::Day => (Some(seg.fast_fields().i64("day")?), None),
            TallyBy::Keyword(field) => (None, seg.fast_fields().str(field)?),
        };
        let per_ord = vec![0; words.as_ref().map_or(0, |w| w.num_terms())];
        Ok(SegmentTally {
            days,
            words,
            per_ord,
            tally: Tally::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Tally>) -> tantivy::Result<Tally> {
        let mut out = Tally::default();
        for f in fruits {
            for (k, v) in f.days {
                *out.days.entry(k).or_default() += v;
            }
            for (k, v) in f.keywords {
                *out.keywords.entry(k).or_default() += v;
            }
            out.undated += f.undated;
            out.missing += f.missing;
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentTally {
    type Fruit = Tally;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(days) = &self.days {
            match days.first(doc) {
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

    fn harvest(mut self) -> Tally {
        if let Some(words) = &self.words {
            let mut buf = String::new();
            for (ord, n) in self.per_ord.iter().enumerate().filter(|(_, n)| **n > 0) {
                if words.ord_to_str(ord as u64, &mut buf).unwrap_or(false) {
                    *self.tally.keywords.entry(buf.clone()).or_default() += n;
                }
            }
        }
        self.tally
    }
}
