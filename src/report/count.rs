//! `newsdex count`: how many articles match, per day, ISO week, month or year (on the articles'
//! own calendar days), or per outlet, section or author — read from fast fields by a collector,
//! never from stored documents. Several queries side by side; `--share` divides by all articles
//! in the bucket. How the table is printed or drawn (table, CSV, JSON, SVG) is
//! [`output::count`](crate::output::count).

use time::{Date, Duration, Month};

use crate::error::Result;
pub use crate::output::count::{Bucketing, CountTable, NONE_BUCKET, Row};
use crate::report::stats::day_to_date;
use crate::search::{SearchEngine, SearchRequest, Tally, TallyBy};

impl Bucketing {
    fn is_time(self) -> bool {
        matches!(
            self,
            Bucketing::Day | Bucketing::Week | Bucketing::Month | Bucketing::Year
        )
    }

    fn tally_by(self) -> TallyBy {
        match self {
            Bucketing::Source => TallyBy::Keyword("source"),
            Bucketing::Section => TallyBy::Keyword("section"),
            Bucketing::Author => TallyBy::Keyword("authors"),
            Bucketing::Language => TallyBy::Keyword("language"),
            _ => TallyBy::Day,
        }
    }

    /// The first day of the bucket holding `d`.
    fn start(self, d: Date) -> Date {
        match self {
            Bucketing::Day => d,
            Bucketing::Week => d - Duration::days(i64::from(d.weekday().number_days_from_monday())),
            Bucketing::Month => d.replace_day(1).expect("day 1 exists"),
            _ => Date::from_calendar_date(d.year(), Month::January, 1).expect("Jan 1 exists"),
        }
    }

    /// The first day of the next bucket.
    fn next(self, d: Date) -> Date {
        match self {
            Bucketing::Day => d + Duration::days(1),
            Bucketing::Week => d + Duration::days(7),
            Bucketing::Month => {
                let (y, m) = if d.month() == Month::December {
                    (d.year() + 1, Month::January)
                } else {
                    (d.year(), d.month().next())
                };
                Date::from_calendar_date(y, m, 1).expect("day 1 exists")
            }
            _ => Date::from_calendar_date(d.year() + 1, Month::January, 1).expect("Jan 1 exists"),
        }
    }

    /// How a bucket is labelled: `2018-10-25`, `2018-W43`, `2018-10`, `2018`.
    fn label(self, d: Date) -> String {
        match self {
            Bucketing::Day => d.to_string(),
            Bucketing::Week => {
                let (y, w, _) = d.to_iso_week_date();
                format!("{y}-W{w:02}")
            }
            Bucketing::Month => format!("{}-{:02}", d.year(), d.month() as u8),
            _ => d.year().to_string(),
        }
    }
}

/// Counts every query of `requests` by `by`. Time buckets run from the first to the last bucket
/// any query has, with empty buckets as zero.
pub fn count(
    engine: &dyn SearchEngine,
    requests: &[SearchRequest],
    by: Bucketing,
    share: bool,
) -> Result<CountTable> {
    let mut tallies = Vec::new();
    let mut totals = Vec::new();
    for req in requests {
        let (n, tally) = engine.tally(Some(req), by.tally_by())?;
        totals.push(n);
        tallies.push(tally);
    }
    // Stories, not copies (`count --unique`): the share is of all stories in the bucket too.
    let stories = requests.iter().any(|r| r.collapse);
    let all = match (share, stories) {
        (false, _) => None,
        (true, false) => Some(engine.tally(None, by.tally_by())?.1),
        (true, true) => {
            let mut every = SearchRequest::new("*");
            every.collapse = true;
            Some(engine.tally(Some(&every), by.tally_by())?.1)
        }
    };
    let rows = if by.is_time() {
        time_rows(by, &tallies, all.as_ref())
    } else {
        keyword_rows(&tallies, all.as_ref())
    };
    Ok(CountTable {
        by,
        unique: stories,
        share,
        queries: requests.iter().map(|r| r.query.clone()).collect(),
        undated: tallies.iter().map(|t| t.undated).collect(),
        totals,
        rows,
    })
}

/// One row per calendar bucket from the first to the last day any query has, empty ones as zero.
fn time_rows(by: Bucketing, tallies: &[Tally], all: Option<&Tally>) -> Vec<Row> {
    let mut rows = Vec::new();
    let days = tallies.iter().flat_map(|t| t.days.keys().copied());
    let (lo, hi) = (days.clone().min(), days.max());
    let (Some(lo), Some(hi)) = (lo.and_then(day_to_date), hi.and_then(day_to_date)) else {
        return rows;
    };
    let mut start = by.start(lo);
    while start <= hi {
        let end = by.next(start);
        let range = |t: &Tally| -> u64 {
            let a = i64::from(start.to_julian_day() - crate::index::UNIX_EPOCH_JULIAN_DAY);
            let b = i64::from(end.to_julian_day() - crate::index::UNIX_EPOCH_JULIAN_DAY);
            t.days.range(a..b).map(|(_, n)| n).sum()
        };
        let counts: Vec<u64> = tallies.iter().map(range).collect();
        let total = all.map(range);
        rows.push(row(by.label(start), counts, total));
        start = end;
    }
    rows
}

/// One row per outlet (section, author, language), biggest first, then the articles without one
/// ([`NONE_BUCKET`]), so the rows account for every match.
fn keyword_rows(tallies: &[Tally], all: Option<&Tally>) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut keys: Vec<&String> = tallies.iter().flat_map(|t| t.keywords.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let counts = tallies
            .iter()
            .map(|t| t.keywords.get(k).copied().unwrap_or(0))
            .collect();
        let total = all.map(|t| t.keywords.get(k).copied().unwrap_or(0));
        rows.push(row(k.clone(), counts, total));
    }
    rows.sort_by(|a, b| {
        b.counts
            .iter()
            .sum::<u64>()
            .cmp(&a.counts.iter().sum::<u64>())
            .then(a.bucket.cmp(&b.bucket))
    });
    if tallies.iter().any(|t| t.missing > 0) {
        let counts = tallies.iter().map(|t| t.missing).collect();
        rows.push(row(NONE_BUCKET.to_string(), counts, all.map(|t| t.missing)));
    }
    rows
}

fn row(bucket: String, counts: Vec<u64>, total: Option<u64>) -> Row {
    let shares = total.map(|t| {
        counts
            .iter()
            .map(|&c| if t == 0 { 0.0 } else { c as f64 / t as f64 })
            .collect()
    });
    Row {
        bucket,
        counts,
        total,
        shares,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn calendar_buckets() {
        assert_eq!(
            Bucketing::Month.start(date!(2018 - 02 - 28)),
            date!(2018 - 02 - 01)
        );
        assert_eq!(
            Bucketing::Month.next(date!(2018 - 12 - 01)),
            date!(2019 - 01 - 01)
        );
        assert_eq!(
            Bucketing::Week.start(date!(2018 - 10 - 25)),
            date!(2018 - 10 - 22)
        );
        assert_eq!(Bucketing::Week.label(date!(2018 - 12 - 31)), "2019-W01");
        assert_eq!(Bucketing::Year.label(date!(2018 - 12 - 31)), "2018");
        assert_eq!(Bucketing::Month.label(date!(2018 - 03 - 31)), "2018-03");
    }
}
