//! `newsdex stats`: what is in the index, read from fast fields (no stored documents are loaded).

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::error::Result;
use crate::index::UNIX_EPOCH_JULIAN_DAY;
use crate::search::Engine;

/// A summary of an index.
#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    pub index: String,
    pub articles: u64,
    /// Articles with no known publication date.
    pub undated: u64,
    /// First and last local publication day (`YYYY-MM-DD`).
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    /// Articles per outlet, most first.
    pub sources: Vec<(String, u64)>,
    /// Articles per input format.
    pub formats: BTreeMap<String, u64>,
    pub segments: usize,
    pub size_bytes: u64,
}

/// Counts articles per value of a keyword fast field (`source`, `section`, `format`, ...),
/// over live documents. Documents without a value are not counted.
pub fn count_by_keyword(engine: &Engine, field: &str) -> Result<BTreeMap<String, u64>> {
    let searcher = engine.searcher();
    let mut out: BTreeMap<String, u64> = BTreeMap::new();
    let mut buf = String::new();
    for seg in searcher.segment_readers() {
        let Some(col) = seg.fast_fields().str(field)? else {
            continue;
        };
        let mut per_ord = vec![0u64; col.num_terms()];
        for doc in seg.doc_ids_alive() {
            for ord in col.term_ords(doc) {
                per_ord[ord as usize] += 1;
            }
        }
        for (ord, n) in per_ord.into_iter().enumerate().filter(|(_, n)| *n > 0) {
            if col.ord_to_str(ord as u64, &mut buf)? {
                *out.entry(buf.clone()).or_default() += n;
            }
        }
    }
    Ok(out)
}

/// Turns a `day` value (days since 1970-01-01) back into a date.
pub fn day_to_date(day: i64) -> Option<Date> {
    Date::from_julian_day(i32::try_from(day).ok()? + UNIX_EPOCH_JULIAN_DAY).ok()
}

/// Gathers the statistics of the index at `dir`.
pub fn stats(engine: &Engine) -> Result<Stats> {
    let searcher = engine.searcher();
    let mut undated = 0u64;
    let mut min_day = i64::MAX;
    let mut max_day = i64::MIN;
    for seg in searcher.segment_readers() {
        let days = seg.fast_fields().i64("day")?;
        for doc in seg.doc_ids_alive() {
            match days.first(doc) {
                Some(d) => {
                    min_day = min_day.min(d);
                    max_day = max_day.max(d);
                }
                None => undated += 1,
            }
        }
    }
    let mut sources: Vec<(String, u64)> = count_by_keyword(engine, "source")?.into_iter().collect();
    sources.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let day_str = |d: i64| day_to_date(d).map(|d| d.to_string());
    Ok(Stats {
        index: engine.path().display().to_string(),
        articles: searcher.num_docs(),
        undated,
        first_day: (min_day != i64::MAX).then(|| day_str(min_day)).flatten(),
        last_day: (max_day != i64::MIN).then(|| day_str(max_day)).flatten(),
        sources,
        formats: count_by_keyword(engine, "format")?,
        segments: searcher.segment_readers().len(),
        size_bytes: crate::index::dir_bytes(engine.path()),
    })
}
