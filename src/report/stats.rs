//! `newsdex stats`: what is in the index, read from fast fields (no stored documents are loaded).

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::error::Result;
use crate::index::UNIX_EPOCH_JULIAN_DAY;
use crate::search::{SearchEngine, TallyBy};

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
    /// Articles with no known outlet.
    pub no_source: u64,
    /// Articles per input format.
    pub formats: BTreeMap<String, u64>,
    pub segments: usize,
    pub size_bytes: u64,
    /// The folders the index was built from, with the files and articles it holds from each
    /// (empty when the engine does not know them).
    pub folders: Vec<crate::index::IndexedFolder>,
}

/// Counts articles per value of a keyword fast field (`source`, `section`, `format`, ...),
/// over live documents. Documents without a value are not counted.
pub fn count_by_keyword(
    engine: &dyn SearchEngine,
    field: &'static str,
) -> Result<BTreeMap<String, u64>> {
    Ok(engine.tally(None, TallyBy::Keyword(field))?.1.keywords)
}

/// Turns a `day` value (days since 1970-01-01) back into a date.
pub fn day_to_date(day: i64) -> Option<Date> {
    Date::from_julian_day(i32::try_from(day).ok()? + UNIX_EPOCH_JULIAN_DAY).ok()
}

/// Gathers the statistics of the index at `dir`.
pub fn stats(engine: &dyn SearchEngine) -> Result<Stats> {
    let info = engine.info()?;
    let (_, days) = engine.tally(None, TallyBy::Day)?;
    let undated = days.undated;
    let min_day = days.days.keys().next().copied().unwrap_or(i64::MAX);
    let max_day = days.days.keys().next_back().copied().unwrap_or(i64::MIN);
    let (_, by_source) = engine.tally(None, TallyBy::Keyword("source"))?;
    let no_source = by_source.missing;
    let mut sources: Vec<(String, u64)> = by_source.keywords.into_iter().collect();
    sources.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let day_str = |d: i64| day_to_date(d).map(|d| d.to_string());
    Ok(Stats {
        index: info.location,
        articles: info.articles,
        undated,
        first_day: (min_day != i64::MAX).then(|| day_str(min_day)).flatten(),
        last_day: (max_day != i64::MIN).then(|| day_str(max_day)).flatten(),
        sources,
        no_source,
        formats: count_by_keyword(engine, "format")?,
        segments: info.segments.len(),
        size_bytes: info.size_bytes.unwrap_or(0),
        folders: info.folders,
    })
}
